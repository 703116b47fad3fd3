"""The Market: one Mesa model whose weekly cycle is a story told in calls to pure rules.

Each step is one week (or ``dt`` weeks). Within a step every customer sees the state of the step
before: word of mouth sent this week is heard next week, and consideration spreads from last
week's customers, so results never depend on the order in which customers are visited.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from cxsim.core import compiled, rules
from cxsim.core.books import WeekBook
from cxsim.core.complaints import ComplaintBook
from cxsim.core.customers import NO_FIRM, Customer, CustomerTable
from cxsim.core.firms import Firm, expected_purchase_rate
from cxsim.core.metrics import METRICS, make_datacollector, tidy_frame, weekly_metrics
from cxsim.core.network import ContactCounts, SocialNetwork, build_network
from cxsim.core.rules import ADVOCATE, LOST, PROSPECT
from cxsim.core.ruleset import RuleLike, Rules
from cxsim.core.streams import Streams
from cxsim.core.transactions import TransactionLog
from cxsim.params import (
    ACQUISITION_LEVERS,
    RETENTION_LEVERS,
    Scenario,
    ScenarioError,
    resolve_scenario,
)
from cxsim.params.declare import show

#: Populations up to this size get a ``Customer`` agent per row automatically.
TEACHING_SIZE = 5_000


class Market(mesa.Model):
    """A market of customers and the firms that compete for them.

    Args:
        scenario: a :class:`cxsim.Scenario` (or a path to a scenario TOML file); defaults to the
            default market.
        rng: seed (a whole number ≥ 0, or a sequence of them), ``numpy.random.Generator``,
            ``BitGenerator`` or ``SeedSequence``, or ``None`` (fresh entropy); the same seed gives
            the same numbers. Anything else raises a one-line :class:`cxsim.ScenarioError`.
        customer_agents: create a ``Customer`` Mesa agent on a network cell for every row
            (``None``: only when ``n_customers ≤ TEACHING_SIZE``). Any customer can still be
            inspected with :meth:`customer`.
        firms: replace the scenario's firms (a list of :class:`cxsim.params.FirmSpec` or dicts).
        rules: behavioural rules to swap for other theories, by name
            (``{"update_trust": my_rule}`` or ``{"update_trust": "pkg.mod:my_rule"}``; see
            :mod:`cxsim.core.ruleset`); the others stay as in :mod:`cxsim.core.rules`.
        record_transactions: keep every purchase, for :meth:`transactions` (a transaction log
            like a real firm's, for the same summaries and models as real logs).
        **params: any scalar parameter by its name (``n_customers=500``, ``network="complete"``,
            ``expectation_inflation=0.01``), overriding the scenario. Defaults, units and ranges
            are in :mod:`cxsim.params` and docs/ODD.md.

    Attributes:
        config: the validated scenario in force.
        customers: the customer columns (:class:`cxsim.core.customers.CustomerTable`).
        firms: the :class:`cxsim.core.firms.Firm` agents, in column order (Mesa keeps them as
            an AgentSet too: ``market.agents_by_type[Firm]``).
        rules: the rules in force (:class:`cxsim.core.ruleset.Rules`).
        book: the firms' books (:class:`cxsim.core.books.WeekBook`): this week's counters, NPV,
            customers acquired.
        report: the metrics of the last week, one array entry per firm (what managers see;
            adaptive firms read it); each firm's ``report`` holds its own values.
        network: the social network (:class:`cxsim.core.network.SocialNetwork`).
        datacollector: Mesa's DataCollector: ``week`` as a model reporter, one agent-type
            reporter per metric over the firms (see :meth:`to_frame`).
        events: what happened to whom in the last step, for analyses that follow individuals
            (validation, notebooks): ``choices`` (rows in need, chosen firm or -1),
            ``wom_positive`` / ``wom_negative`` (senders, firm), ``dissatisfied`` (rows, firm,
            voiced, serious, felt satisfaction; serious: ``felt < −serious_margin``, the cut of
            the complaint rule), ``resolved`` (rows, firm, weeks waited), ``expired`` (rows,
            firm). Only references to arrays the step made anyway; nothing is kept across steps.
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        rng: Any = None,
        customer_agents: bool | None = None,
        firms: Any = None,
        rules: Mapping[str, RuleLike] | Rules | None = None,
        record_transactions: bool = False,
        **params: Any,
    ) -> None:
        if isinstance(scenario, MesaScenario):
            # Mesa's own experiment object (SolaraViz passes one on Reset): it carries a seed,
            # not a cxsim scenario, so take its rng and start from the default market
            rng = scenario.rng if rng is None else rng
            scenario = None
        super().__init__(rng=_check_rng(rng))
        self.rules = Rules(rules)
        # last week's metrics by name, one entry per firm (empty until the first week is reported)
        self.report: dict[str, np.ndarray] = {}
        # one independent random stream per mechanism (cxsim.core.streams)
        self.streams = Streams(self.rng)
        config = resolve_scenario(scenario)
        overrides: dict[str, Any] = dict(params)
        if firms is not None:
            overrides["firms"] = firms
        self.config: Scenario = config.with_overrides(overrides)
        cfg = self.config
        c = cfg.customers
        self.dt = cfg.market.dt
        # expected purchases per customer per week: the firms' purchase audiences count with it
        self.purchase_rate = expected_purchase_rate(c.need_rate, self.dt)
        self.week = 0.0
        n = c.n_customers

        self.network: SocialNetwork = build_network(
            cfg.network.network,
            n,
            self.streams.network,
            mean_degree=min(cfg.network.mean_degree, n - 1),
            rewire_prob=cfg.network.rewire_prob,
        )
        self.firms: list[Firm] = [
            Firm(self, i, spec, cfg.levers) for i, spec in enumerate(cfg.firms)
        ]
        # the phases of the week that run through the compiled kernels (cxsim.core.compiled):
        # same draws and results as the NumPy code below, which runs the others
        self._compiled = compiled.phases(self.rules, len(self.firms), not self.network.complete)
        self.customers = CustomerTable.create(
            n,
            len(self.firms),
            self.streams.population,
            need_rate=c.need_rate,
            need_rate_shape=c.need_rate_shape,
            need_heterogeneity=c.need_heterogeneity,
            initial_expectation=c.initial_expectation,
            initial_expectation_sd=c.initial_expectation_sd,
            initial_trust=c.initial_trust,
            spend_heterogeneity=c.spend_heterogeneity,
            leave_heterogeneity=c.leave_heterogeneity,
        )
        self._seed_market()
        # chance of no need in a step (rules.needs_in_step): rates and step are fixed, so once
        self._no_need = 1.0 - self.rules.hazard_to_probability(self.customers.need_rate, self.dt)
        # and of the Poisson count's first term, for the compiled need draw
        self._need_mass0 = (
            compiled.no_need_mass(self.customers.need_rate, self.dt)
            if self._runs_compiled("needs")
            else None
        )
        # prospects who started considering a firm this step: candidates for a trial purchase
        self._newly_considering: list[tuple[np.ndarray, int]] = []
        self._complaints = ComplaintBook()
        self.book = WeekBook(len(self.firms))
        self.book.active_at_start = _column_counts(self._active())
        # running count of each customer's contacts who are each firm's customers (Bass q)
        self._contacts: ContactCounts | None = None
        if self._bass_influence():
            self._contacts = self.network.contact_counts(self._active())
        self.events: dict[str, tuple[np.ndarray, ...]] = {}

        if customer_agents is None:
            customer_agents = n <= TEACHING_SIZE
        self.space: mesa.discrete_space.Network | None = None
        self._customer_agents: dict[int, Customer] = {}
        if customer_agents:
            for row in range(n):
                self.customer(row)

        self.transaction_log: TransactionLog | None = (
            TransactionLog([f.name for f in self.firms]) if record_transactions else None
        )
        self.report_week()
        self.datacollector = make_datacollector()
        self.datacollector.collect(self)

    # ---------------------------------------------------------------------------------------
    # set-up
    # ---------------------------------------------------------------------------------------
    def _seed_market(self) -> None:
        """Start from a market as the scenario describes it: each firm's existing customers
        (repeat stage, trusting, expectations adapted to what they get) and who considers whom."""
        c, cfg = self.customers, self.config.customers
        n = c.n
        order = self.streams.seeding.permutation(n)
        start = 0
        seeded: list[np.ndarray] = []
        for firm in self.firms:
            k = int(round(firm.spec.initial_customers * n))
            rows = np.sort(order[start : start + k])
            start += k
            c.seed_customers(firm.index, rows)
            c.trust[rows, firm.index] = cfg.initial_customer_trust
            aware = self.streams.seeding.random(n) < firm.spec.initial_awareness
            c.considers[:, firm.index] |= aware
            seeded.append(rows)
        # existing customers are the survivors of the firms' past: those who stayed
        c.condition_on_tenure(
            np.sort(order[:start]),
            self.streams.seeding,
            tenure=cfg.initial_tenure,
            churn_base=cfg.churn_base,
            leave_heterogeneity=cfg.leave_heterogeneity,
        )
        # the firms plan their first week on the market they start with (their customers and
        # prospects), and their customers expect what that spend delivers
        self._plan_weeks(_column_counts(self._active()), 1.0)
        for firm, rows in zip(self.firms, seeded, strict=True):
            c.expectation[rows, firm.index] = self._mean_experience(firm, rows)
            c.standard[rows, firm.index] = c.expectation[rows, firm.index]

    def _plan_weeks(self, customers: np.ndarray, weeks: float) -> None:
        """Every firm splits its budget and works out what it buys (:meth:`Firm.plan_week`), for
        ``customers`` active customers per firm and the prospects who do not consider it now."""
        c = self.customers
        for firm in self.firms:
            f = firm.index
            firm.plan_week(
                market_size=c.n,
                customers=float(customers[f]),
                prospects=float(c.n - np.count_nonzero(c.considers[:, f])),
                purchase_rate=self.purchase_rate,
                weeks=weeks,
            )

    def _mean_experience(self, firm: Firm, rows: np.ndarray) -> np.ndarray:
        c = self.customers
        return self.rules.experienced_quality(
            firm.quality,
            firm.effects.service + firm.effects.access,
            c.need[rows],
            firm.spec.position,
            c.knowledge[rows, firm.index],
            mismatch_weight=self.config.customers.mismatch_weight,
            noise=0.0,
        )

    # ---------------------------------------------------------------------------------------
    # the weekly cycle
    # ---------------------------------------------------------------------------------------
    def step(self) -> None:
        """One week in the market."""
        self.book.reset()
        self.events = {}
        # who is a customer of whom at the start of the week: nothing changes it before
        # serve_needs, so consider_firms reads the same mask
        self._start_active = self._active()
        self.book.active_at_start = _column_counts(self._start_active)
        self.market_moves()
        self.hear_word_of_mouth()
        self.consider_firms()
        self.serve_needs()
        self.handle_complaints()
        self.defect()
        self.close_books()
        self.week += self.dt
        self.report_week()
        self.datacollector.collect(self)

    def market_moves(self) -> None:
        """The bar rises for everyone (the standard, not the prediction); rivals imitate the
        quality leader; firms set their levers."""
        m = self.config.market
        c = self.customers
        drift_in_place = self._runs_compiled("drift")  # the default rules, on the tables in place
        if m.expectation_inflation:
            if drift_in_place:
                np.add(c.standard, m.expectation_inflation * self.dt, out=c.standard)
            else:
                c.standard = self.rules.inflate_expectations(
                    c.standard, m.expectation_inflation, self.dt
                )
        quality = self.rules.imitate(
            np.array([f.quality for f in self.firms]), m.imitation_rate, self.dt
        )
        for firm in self.firms:
            firm.quality = float(quality[firm.index])
        self._plan_weeks(self.book.active_at_start, self.dt)
        for firm in self.firms:
            firm.innovate(self.dt)
        decay = self.config.customers.grudge_decay
        if decay:
            if drift_in_place:
                np.multiply(c.grudge, (1.0 - decay) ** self.dt, out=c.grudge)
            else:
                c.grudge = self.rules.fade_grudge(c.grudge, decay, self.dt)

    def hear_word_of_mouth(self) -> None:
        """Messages sent last week arrive: praise wins trust and raises the quality the listener
        predicts; bad news costs trust. With ``influence = "word_of_mouth"`` messages also move
        consideration: praise wins it (and may prompt a trial), and a customer who has not bought
        from the firm (or has left it) drops it when the bad news outweighs the good. With
        ``"bass"`` contacts bring firms into consideration through the Bass q of
        :meth:`consider_firms` instead, and messages move only trust and predictions."""
        c, p = self.customers, self.config.customers
        pos, neg = c.heard_positive, c.heard_negative
        # (customer, firm) entries with messages, as positions in the row-major (n, F) table
        if self._runs_compiled("inbox"):
            heard = compiled.mailed(self)
        else:
            heard = np.flatnonzero((pos > 0) | (neg > 0))
        if heard.size:
            n_pos, n_neg = np.take(pos, heard), np.take(neg, heard)
            trust, expectation = self.rules.hear_word_of_mouth(
                np.take(c.trust, heard),
                np.take(c.expectation, heard),
                n_pos,
                n_neg,
                trust_gain=p.wom_trust_gain,
                trust_loss=p.wom_trust_loss,
                hype=p.wom_hype,
            )
            np.put(c.trust, heard, trust)
            np.put(c.expectation, heard, expectation)
            if p.influence == "bass":
                np.put(pos, heard, 0)
                np.put(neg, heard, 0)
                return
            praised = heard[n_pos > n_neg]
            if p.winback_reach < 1.0:
                # praise brings a lost customer back into consideration only as often as the
                # firm's own reach would (winback_reach): it has tried the firm and left
                lost = np.take(c.stage, praised) == LOST
                back = self.streams.awareness.random(praised.size) < p.winback_reach
                praised = praised[~lost | back]
            if p.trial_probability > 0:
                fresh = praised[
                    ~np.take(c.considers, praised) & (np.take(c.stage, praised) == PROSPECT)
                ]
                n_firms = len(self.firms)
                for f in range(n_firms):
                    rows = fresh[fresh % n_firms == f] // n_firms
                    if rows.size:
                        self._newly_considering.append((rows, f))
            np.put(c.considers, praised, True)
            # bad news outweighing good makes a non-customer strike the firm off its list:
            # the rejecters of Goldenberg et al. (2007)
            s = np.take(c.stage, heard)
            warned = (n_neg > n_pos) & ((s == PROSPECT) | (s == LOST))
            np.put(c.considers, heard[warned], False)
            np.put(pos, heard, 0)
            np.put(neg, heard, 0)

    def consider_firms(self) -> None:
        """Customers who do not consider a firm may start to: through its advertising (external
        influence) and, with ``influence = "bass"``, through contacts who are its customers
        (internal influence, Bass 1969; with ``"word_of_mouth"`` contacts act through the praise
        of :meth:`hear_word_of_mouth` instead). Lost customers come back into consideration the
        same way, at ``winback_reach`` of a prospect's hazard (win-back). A prospect who starts
        considering a firm, through its advertising or its contacts, may buy once to try it
        (``trial_probability``)."""
        c, p = self.customers, self.config.customers
        dt_years = self.dt / 52.0
        bass = self._bass_influence()
        if bass:
            # share of contacts who are the firm's customers, as network.neighbor_share gives,
            # kept as running counts updated from the customers who joined or left a firm
            active = self._start_active
            if self._contacts is None:
                self._contacts = self.network.contact_counts(active)
            else:
                self._contacts.update(active)
        for firm in self.firms:
            f = firm.index
            outside = np.flatnonzero(~c.considers[:, f])
            if outside.size == 0:
                continue
            social = self._contacts.share(outside, f) if bass else 0.0
            reach = (
                np.where(c.stage[outside, f] == LOST, p.winback_reach, 1.0)
                if p.winback_reach != 1.0
                else 1.0
            )
            prob = self.rules.awareness_probability(
                firm.spec.base_reach + firm.effects.reach_per_year,
                p.social_influence if bass else 0.0,
                social,
                dt_years,
                reach,
            )
            joined = outside[self.streams.awareness.random(outside.size) < prob]
            c.considers[joined, f] = True
            if p.trial_probability > 0:
                self._newly_considering.append((joined[c.stage[joined, f] == PROSPECT], f))
        self._try_out()

    def _runs_compiled(self, phase: str) -> bool:
        """Whether ``phase`` runs through the compiled kernels: allowed when the market was made
        (:func:`cxsim.core.compiled.phases`) and its rules still the ones the kernels reproduce
        (a rule swapped since runs in NumPy)."""
        return phase in self._compiled and compiled.reproduces(self.rules, phase)

    def _bass_influence(self) -> bool:
        """Contacts bring firms into consideration through Bass q (``influence = "bass"`` with
        ``social_influence > 0``), not through explicit praise."""
        p = self.config.customers
        return p.influence == "bass" and p.social_influence > 0

    def _try_out(self) -> None:
        """Prospects who started considering a firm this step buy once to try it, with
        probability ``trial_probability``: a first purchase prompted by advertising or by
        contacts (praise with ``influence = "word_of_mouth"``, Bass q with ``"bass"``), not by a
        need (so new customers are not only the frequent buyers)."""
        p = self.config.customers
        pending, self._newly_considering = self._newly_considering, []
        for rows, f in pending:
            if rows.size == 0:
                continue
            trying = rows[self.streams.trial.random(rows.size) < p.trial_probability]
            if trying.size:
                firm = np.full(trying.size, f, dtype=np.int64)
                self._experience(trying, firm, self.streams.experience.standard_normal(trying.size))

    def serve_needs(self) -> None:
        """Customers in need choose a firm (or none), buy, and live the experience: expectation
        met, missed or exceeded; trust, expectations, the ladder and word of mouth follow.

        The number of needs in a step is Poisson at each customer's rate
        (:func:`cxsim.core.rules.needs_in_step`): a customer with two needs this step chooses and
        buys twice, the second time with what the first taught.
        """
        c = self.customers
        u = self.streams.needs.random(c.n)
        if self._runs_compiled("needs"):
            rows, left = compiled.draw_needs(self, u)
        else:
            rows = np.flatnonzero(u >= self._no_need)
            if rows.size:
                left = self.rules.needs_in_step(c.need_rate[rows], self.dt, u[rows])
        if rows.size == 0:
            return
        while rows.size:
            self._serve_once(rows)
            left = left - 1
            rows, left = rows[left > 0], left[left > 0]

    def _serve_once(self, need: np.ndarray) -> None:
        """One need each for customers ``need``: choice among the firms they consider (or none),
        then the purchase and its experience."""
        chosen = (
            compiled.choose(self, need) if self._runs_compiled("choice") else self._choose(need)
        )
        self._event("choices", need, chosen)
        bought = chosen >= 0
        rows, firm = need[bought], chosen[bought]
        self._experience(rows, firm, self.streams.experience.standard_normal(rows.size))

    def _choose(self, need: np.ndarray) -> np.ndarray:
        """The firm each customer in ``need`` chooses (``-1``: none); a need taken elsewhere
        breaks the customer's streak with the firms it did not choose."""
        c, p, cfg = self.customers, self.config.customers, self.config
        n_firms = len(self.firms)
        price = np.array([f.price for f in self.firms])
        # rows of the (n, F) columns for the customers in need (np.take: several times faster
        # than fancy indexing on narrow tables)
        stage = np.take(c.stage, need, axis=0)
        active = (stage >= rules.BUYER) & (stage <= ADVOCATE)  # buyer to advocate
        # promotions (first purchases) and loyalty rewards (active customers) are discounts: the
        # customer sees price × (1 − discount), i.e. price_sensitivity × discount × price of
        # utility on top of the list price
        discount = np.where(
            active,
            np.array([f.effects.loyalty for f in self.firms], dtype=float),
            np.array([f.effects.promotion for f in self.firms], dtype=float),
        )
        bonus = p.price_sensitivity * discount * price[np.newaxis, :]
        # habit: the firm that served the last need gets p.habit on top (added in place, where
        # it applies, instead of a whole (m, F) comparison table times p.habit)
        last = np.take(c.last_firm, need).astype(np.int64)
        had = np.flatnonzero(last >= 0)
        bonus.reshape(-1)[had * n_firms + last[had]] += p.habit
        grudge = np.take(c.grudge, need, axis=0)
        utility = self.rules.choice_utility(
            np.take(c.expectation, need, axis=0),
            np.take(c.trust, need, axis=0),
            price,
            bonus - p.grudge_weight * grudge,
            np.take(c.satisfaction, need, axis=0),
            quality_weight=p.quality_weight,
            trust_weight=p.trust_weight,
            satisfaction_weight=p.satisfaction_weight,
            price_sensitivity=p.price_sensitivity,
        )
        chosen = self.rules.logit_choice(
            utility,
            np.take(c.considers, need, axis=0),
            cfg.market.outside_utility,
            self.streams.choice.random(need.size),
        )

        # needs taken elsewhere break a streak: a client is one who comes back *whenever*
        elsewhere = active & (chosen[:, None] != np.arange(n_firms)[None, :])
        if elsewhere.any():
            at = np.flatnonzero(elsewhere)
            r = at // n_firms
            flat = need[r] * n_firms + (at - r * n_firms)
            np.put(c.streak, flat, 0)
            np.put(c.stage, flat, self.rules.ladder_after_switch(np.take(c.stage, flat)))
        return chosen

    def _experience(self, rows: np.ndarray, firm: np.ndarray, z: np.ndarray) -> None:
        """The purchase and its consequences for customers ``rows`` buying from ``firm``
        (``z``: standard normal draws, one per purchase)."""
        if self._runs_compiled("experience"):
            compiled.experience(self, rows, firm, z)
            return
        c, p = self.customers, self.config.customers
        n_firms = len(self.firms)
        quality = np.array([f.quality for f in self.firms])[firm]
        service = np.array([f.effects.service + f.effects.access for f in self.firms])[firm]
        position = np.array([f.spec.position for f in self.firms])[firm]
        learning = np.array([f.effects.learning for f in self.firms])[firm]

        consistency = np.array([f.effects.consistency for f in self.firms])[firm]
        # (customer, firm) entries as positions in the row-major (n, F) tables: np.take/np.put
        # on them are several times faster than indexing with a pair of arrays
        at = rows * n_firms + firm
        need, knowledge = np.take(c.need, rows), np.take(c.knowledge, at)
        spread = self.rules.experience_spread(
            p.experience_noise,
            consistency,
            need,
            position,
            knowledge,
            mismatch_noise=p.mismatch_noise,
        )
        experienced = self.rules.experienced_quality(
            quality,
            service,
            need,
            position,
            knowledge,
            mismatch_weight=p.mismatch_weight,
            noise=spread * z,
        )
        # judged against the "should" standard; the "will" prediction adapts below
        expected = np.take(c.standard, at)
        d = self.rules.disconfirmation(experienced, expected)
        felt = self.rules.satisfaction(d, p.loss_aversion)

        trust_before = np.take(c.trust, at)
        trust = self.rules.update_trust(
            trust_before,
            d,
            tolerance=p.trust_tolerance,
            gain=p.trust_gain,
            loss=p.trust_loss,
        )
        np.put(c.trust, at, trust)
        predicted = self.rules.adapt_expectation(
            np.take(c.expectation, at), experienced, p.expectation_up, p.expectation_down
        )
        np.put(c.expectation, at, predicted)
        np.put(c.standard, at, self.rules.raise_standard(expected, predicted))
        np.put(c.knowledge, at, self.rules.learn_customer(knowledge, learning))
        np.put(c.satisfaction, at, felt)
        np.put(c.last_purchase, at, self.week)
        self._event("purchases", rows, firm)
        c.last_firm[rows] = firm
        # what the purchase is worth: the basket (gamma-gamma around the customer's usual one)
        # at the firm's price; its cost of goods at the firm's unit cost
        spend_shape = p.spend_shape
        basket = self.rules.basket_size(
            np.take(c.usual_basket, rows),
            spend_shape,
            self.streams.spend.standard_gamma(spend_shape, rows.size)
            if np.isfinite(spend_shape)
            else None,
        )
        amount = np.array([f.price for f in self.firms])[firm] * basket
        self.book.add("revenue", firm, amount)
        self.book.add("cogs", firm, np.array([f.unit_cost for f in self.firms])[firm] * basket)
        if self.transaction_log is not None:
            self.transaction_log.record(rows, firm, self.week, amount)

        old_stage = np.take(c.stage, at)
        newcomer = (old_stage == PROSPECT) | (old_stage == LOST)
        # discounts redeemed (a first purchase gets the promotion, an active customer's purchase
        # the loyalty reward), paid by the firm: discount × price × basket; and the cost to serve
        # the service and access quality the purchase gets
        promotion = np.array([f.effects.promotion for f in self.firms])[firm]
        loyalty = np.array([f.effects.loyalty for f in self.firms])[firm]
        self.book.add("promotion_cost", firm, np.where(newcomer, promotion * amount, 0.0))
        self.book.add("loyalty_cost", firm, np.where(newcomer, 0.0, loyalty * amount))
        self.book.add("serve_cost", firm, self.config.levers.serve_cost * service)
        np.put(c.purchases, at, np.where(newcomer, 1, np.take(c.purchases, at) + 1))
        streak = np.where(newcomer, 1, np.take(c.streak, at) + 1)
        np.put(c.streak, at, streak)
        delighted, disappointed = self.rules.word_of_mouth_senders(
            felt, p.delight_margin, p.disappointment_margin
        )
        new_stage = self.rules.ladder_after_purchase(
            old_stage, streak, trust, client_streak=p.client_streak, advocate_trust=p.advocate_trust
        )
        np.put(c.stage, at, new_stage)

        book = self.book
        book.add("purchases", firm, 1.0)
        book.add("new", firm, newcomer)
        book.add("first_purchases", firm, old_stage == PROSPECT)
        book.add("won_back", firm, old_stage == LOST)
        book.add("delighted", firm, delighted)
        book.add("disappointed", firm, disappointed)
        book.add("satisfaction_sum", firm, felt)
        book.add("expectation_sum", firm, expected)
        book.add("experienced_sum", firm, experienced)
        book.acquired += np.bincount(firm[newcomer], minlength=n_firms)

        # advocates speak up after any experience that met expectations
        praising = delighted | ((new_stage == ADVOCATE) & (d >= -p.trust_tolerance))
        self._spread_word(
            rows[praising],
            firm[praising],
            p.wom_positive_reach,
            c.heard_positive,
            "wom_positive",
            delight=delighted[praising],
        )
        # bad news: a serious disappointment is told around (mild ones are only felt)
        serious = self.rules.bad_news_senders(felt, p.serious_margin)
        self._spread_word(
            rows[serious], firm[serious], p.wom_negative_reach, c.heard_negative, "wom_negative"
        )
        self._lodge_complaints(
            rows[disappointed],
            firm[disappointed],
            felt[disappointed],
            trust_before[disappointed],
            trust[disappointed],
        )

    def _spread_word(
        self,
        senders: np.ndarray,
        firm: np.ndarray,
        reach: float,
        inbox: np.ndarray,
        counter: str,
        event: str | None = None,
        delight: np.ndarray | None = None,
    ) -> None:
        """Senders tell each contact with probability ``reach``; heard next week. Messages are
        counted in ``counter``; the senders are kept in ``events[event or counter]``. ``delight``
        (one flag per sender) marks the senders who talk because they were delighted: their
        messages are counted in ``wom_delighted`` too (the others are advocates' praise)."""
        self._event(event or counter, senders, firm)
        if senders.size == 0 or reach <= 0:
            return
        if self._runs_compiled("word_of_mouth") and inbox.flags.c_contiguous:
            messages, delighted = compiled.deliver_word(self, senders, firm, reach, inbox, delight)
            if messages.any():
                self.book.values[counter] += messages
                if delight is not None:
                    self.book.values["wom_delighted"] += delighted
            return
        which, receivers = self.network.sample_contacts(senders, reach, self.streams.word_of_mouth)
        if receivers.size == 0:
            return
        about = firm[which]
        n_firms = len(self.firms)
        one = inbox.dtype.type(1)  # of the inbox's own dtype: np.add.at's fast path (20x)
        if inbox.flags.c_contiguous:
            np.add.at(inbox.reshape(-1), receivers * n_firms + about, one)
        else:
            np.add.at(inbox, (receivers, about), one)
        self.book.add(counter, about, 1.0)
        if delight is not None:
            self.book.add("wom_delighted", about, delight[which])

    def _lodge_complaints(
        self,
        rows: np.ndarray,
        firm: np.ndarray,
        felt: np.ndarray,
        trust_before: np.ndarray,
        trust_after: np.ndarray,
    ) -> None:
        """Disappointed customers complain with a small probability (more if asked); the rest
        stay silent. Either way the shortfall weighs on them until repaired or faded. A complaint
        keeps the trust before the purchase and what the purchase cost (``trust_before −
        trust_after``): what a resolution can repair."""
        if rows.size == 0:
            return
        c, p = self.customers, self.config.customers
        solicitation = np.array([f.effects.solicitation for f in self.firms])[firm]
        prob = self.rules.complaint_probability(
            felt,
            voice_minor=p.voice_minor,
            voice_serious=p.voice_serious,
            serious_margin=p.serious_margin,
            solicitation=solicitation,
        )
        voiced = self.streams.complaints.random(rows.size) < prob
        # severity, by the complaint rule's own cut: analyses compare like with like (a serious
        # disappointment is voiced far more often and weighs more on the next choice)
        serious = self.rules.bad_news_senders(felt, p.serious_margin)
        self._event("dissatisfied", rows, firm, voiced, serious, felt)
        at = rows * len(self.firms) + firm  # positions in the row-major (n, F) tables
        np.put(c.grudge, at, self.rules.add_grudge(np.take(c.grudge, at), felt))
        self.book.add("complaints", firm, voiced)
        self.book.add("silent", firm, ~voiced)
        new = voiced & ~np.take(c.complaint_open, at)
        np.put(c.complaint_open, at[new], True)
        # lodged at some moment of the step: by its end a complaint has waited dt/2 on average
        self._complaints.add(
            rows[new],
            firm[new],
            trust_before[new],
            trust_before[new] - trust_after[new],
            waited=self.dt / 2.0,
        )

    def handle_complaints(self) -> None:
        """Each firm works through its open complaints within its capacity; a complaint settled
        fast gives back most of the trust its incident cost, dissolves most of the grudge and
        repairs most of the felt shortfall carried into the next choice; a slow one less; one left
        too long is unresolved."""
        book, c, p = self._complaints, self.customers, self.config.customers
        if book.size == 0:
            return
        n_firms = len(self.firms)
        pending = np.bincount(book.firm, minlength=n_firms).astype(float)
        # capacity per expected purchase from the customers the firm had at the start of the
        # week: × own customers × purchases per customer per week × dt
        capacity = (
            np.array([f.effects.complaint_capacity for f in self.firms])
            * self.book.active_at_start
            * self.purchase_rate
            * self.dt
        )
        speed = self.config.levers.recovery_speed
        # a complaint lodged this step has been open for dt/2 of it on average (its age), an
        # older one for the whole step: the chance to be settled this step covers that time
        exposure = np.minimum(book.age, self.dt)
        prob = self.rules.resolution_probability(
            pending[book.firm], capacity[book.firm], speed, exposure
        )
        resolved = self.streams.recovery.random(book.size) < prob
        if resolved.any():
            rows, firm = book.rows[resolved], book.firm[resolved]
            share = self.rules.recovery_share(
                book.age[resolved], p.recovery_max, p.recovery_half_life
            )
            trust, grudge = self.rules.apply_recovery(
                c.trust[rows, firm],
                c.grudge[rows, firm],
                share,
                book.trust_before[resolved],
                book.trust_lost[resolved],
                paradox=p.recovery_paradox,
            )
            c.trust[rows, firm] = trust
            c.grudge[rows, firm] = grudge
            c.satisfaction[rows, firm] = self.rules.repair_satisfaction(
                c.satisfaction[rows, firm], share
            )
            self.book.add("recoveries", firm, 1.0)
            self._event("resolved", rows, firm, book.age[resolved].copy())
        book.age += self.dt
        expired = ~resolved & (book.age >= p.complaint_patience)
        self.book.add("unresolved", book.firm[expired], 1.0)
        self._event("expired", book.rows[expired], book.firm[expired])
        done = resolved | expired
        c.complaint_open[book.rows[done], book.firm[done]] = False
        book.keep(~done)

    def defect(self) -> None:
        """Active customers leave, mostly in silence, when trust has fallen and grudges stay."""
        c, p = self.customers, self.config.customers
        if self._runs_compiled("churn"):
            at = compiled.leaving(self)
        else:
            at = np.flatnonzero(self._active())  # row-major positions, as np.nonzero orders them
            if at.size == 0:
                return
            prob = self.rules.churn_probability(
                np.take(c.trust, at),
                np.take(c.grudge, at),
                base_per_week=p.churn_base,
                trust_floor=p.churn_trust_floor,
                trust_sensitivity=p.churn_trust_sensitivity,
                grudge_sensitivity=p.churn_grudge_sensitivity,
                dt=self.dt,
                propensity=np.take(c.leave_propensity, at // len(self.firms)),
            )
            gone = self.streams.churn.random(at.size) < prob
            at = at[gone]
        n_firms = len(self.firms)
        rows = at // n_firms
        firm = at - rows * n_firms
        c.stage[rows, firm] = LOST
        c.considers[rows, firm] = False
        c.streak[rows, firm] = 0
        c.last_firm[rows] = np.where(c.last_firm[rows] == firm, NO_FIRM, c.last_firm[rows])
        self.book.add("churned", firm, 1.0)
        # of them, those who were customers when the week began (the churn rate's numerator)
        self.book.add("churned_of_start", firm, np.take(self._start_active, at))

    def close_books(self) -> None:
        """Revenue, cost of goods, cost to serve and redeemed discounts (added up purchase by
        purchase), spend and profit for the week; profit discounted into NPV. Spend is the
        up-front lever spend (every lever but promotion and loyalty) plus the discounts
        redeemed."""
        book = self.book
        v = book.values
        dt = self.dt
        v["acquisition_spend"] = (
            np.array([f.fixed_spend_on(ACQUISITION_LEVERS) for f in self.firms]) * dt
            + v["promotion_cost"]
        )
        v["retention_spend"] = (
            np.array([f.fixed_spend_on(RETENTION_LEVERS) for f in self.firms]) * dt
            + v["loyalty_cost"]
        )
        v["spend"] = (
            np.array([f.fixed_spend for f in self.firms]) * dt
            + v["promotion_cost"]
            + v["loyalty_cost"]
        )
        profit = v["revenue"] - v["cogs"] - v["serve_cost"] - v["spend"]
        v["profit"] = profit
        years = (self.week + self.dt) / 52.0
        book.npv += profit / (1.0 + self.config.market.discount_rate) ** years
        for firm in self.firms:
            f = firm.index
            firm.last_revenue = float(v["revenue"][f]) / self.dt
            # the discounts' redemptions this step, for next week's depths
            firm.observe_redemptions(
                float(v["new"][f]), float(v["purchases"][f] - v["new"][f]), self.dt
            )

    def _event(self, name: str, *arrays: np.ndarray) -> None:
        """Keep who did what this step in ``events[name]`` (parallel arrays); a second call in
        the same step (a second need, a trial) appends."""
        old = self.events.get(name)
        self.events[name] = (
            arrays
            if old is None
            else tuple(np.concatenate(pair) for pair in zip(old, arrays, strict=True))
        )

    # ---------------------------------------------------------------------------------------
    # views
    # ---------------------------------------------------------------------------------------
    def _active(self) -> np.ndarray:
        """(n, F) bool: the customer is currently a customer (buyer to advocate) of the firm."""
        s = self.customers.stage
        return (s >= rules.BUYER) & (s <= ADVOCATE)

    def report_week(self) -> None:
        """The week's metrics, computed once from the books (:func:`cxsim.core.metrics.
        weekly_metrics`): ``self.report`` by metric, and each firm's ``report`` by name (what
        the DataCollector records)."""
        self.report = weekly_metrics(self)
        table = np.array([self.report[name] for name in METRICS], dtype=float).T.tolist()
        for firm, values in zip(self.firms, table, strict=True):
            firm.report = dict(zip(METRICS, values, strict=True))

    @property
    def npv(self) -> dict[str, float]:
        """Cumulative discounted profit per firm so far (currency)."""
        return {f.name: float(self.book.npv[f.index]) for f in self.firms}

    def firm_index(self, firm: int | str) -> int:
        """Column index of a firm given its index or name."""
        if isinstance(firm, int | np.integer):
            if not 0 <= firm < len(self.firms):
                raise IndexError(f"firm index {firm} out of range 0..{len(self.firms) - 1}")
            return int(firm)
        for f in self.firms:
            if f.name == firm:
                return f.index
        raise KeyError(f"no firm named {firm!r}; firms are {[f.name for f in self.firms]}")

    def customer(self, row: int) -> Customer:
        """The ``Customer`` agent for a row, created (and placed on the network) on demand."""
        row = int(row)
        if not 0 <= row < self.customers.n:
            raise IndexError(f"customer row {row} out of range 0..{self.customers.n - 1}")
        agent = self._customer_agents.get(row)
        if agent is None:
            cell = self._space()[row] if self.customers.n <= TEACHING_SIZE else None
            agent = Customer(self, row, cell)
            self._customer_agents[row] = agent
        return agent

    def _space(self) -> mesa.discrete_space.Network:
        """The Mesa network space, built from the CSR arrays on first use (teaching sizes)."""
        if self.space is None:
            self.space = mesa.discrete_space.Network(
                self.network.to_networkx(), random=self.random, layout=None
            )
        return self.space

    def transactions(self) -> pd.DataFrame:
        """Every purchase so far, as a transaction log: ``customer`` (row, int), ``week`` (float:
        weeks since the start; purchases in a step are dated at the step's start), ``firm``
        (name, categorical) and ``amount`` (currency paid). Needs ``record_transactions=True``."""
        if self.transaction_log is None:
            raise RuntimeError("transactions: the market was made without record_transactions=True")
        return self.transaction_log.frame()

    def to_frame(self) -> pd.DataFrame:
        """Weekly outputs as a tidy DataFrame: one row per week and firm, one column per metric."""
        return tidy_frame(self)

    def run(self, weeks: int | None = None, *, progress: bool = False) -> pd.DataFrame:
        """Run ``weeks`` weeks (default: the scenario's ``market.weeks``) and return :meth:`to_frame`."""
        weeks = self.config.market.weeks if weeks is None else weeks
        steps = int(math.ceil(weeks / self.dt))
        if progress:
            from tqdm.auto import tqdm

            for _ in tqdm(range(steps), desc="weeks", unit="step"):
                self.step()
        else:
            self.run_for(steps)
        return self.to_frame()


def _check_rng(rng: Any) -> Any:
    """``rng`` if NumPy can seed from it (see :class:`Market`); else a one-line
    :class:`~cxsim.params.ScenarioError` (NumPy's own error is a traceback-worthy ``ValueError``
    or ``TypeError`` deep inside Mesa)."""
    if rng is None or isinstance(
        rng, np.random.Generator | np.random.BitGenerator | np.random.SeedSequence
    ):
        return rng
    seeds = rng if isinstance(rng, list | tuple | np.ndarray) else [rng]
    ok = len(seeds) > 0 and all(
        isinstance(s, int | np.integer) and not isinstance(s, bool | np.bool_) and s >= 0
        for s in (np.asarray(seeds).ravel().tolist() if isinstance(seeds, np.ndarray) else seeds)
    )
    if not ok:
        raise ScenarioError(
            f"rng: {show(rng)} is not a seed; give a whole number ≥ 0 (or a numpy Generator)"
        )
    if isinstance(rng, np.integer):
        return int(rng)
    if isinstance(rng, np.ndarray):
        return [int(s) for s in rng.ravel()]
    return rng


def _column_counts(mask: np.ndarray) -> np.ndarray:
    """``mask.sum(axis=0)`` for a 2-D bool table, column by column (several times faster than
    a sum over axis 0 of a narrow table)."""
    return np.array([np.count_nonzero(mask[:, j]) for j in range(mask.shape[1])], dtype=np.int64)
