"""Firms: Mesa agents that split a budget over levers and keep the books.

A firm reaches its customers two ways (the direct and the indirect way): *directly*, with a
product and service they value (quality, service, access, personalization, complaint handling);
*indirectly*, with savings that fund a lower price (operational efficiency). Acquisition levers
(advertising, first-purchase promotions) bring prospects in; retention levers keep, delight and
listen to the customers it has. Each lever turns spend into effect with diminishing returns
(:func:`cxsim.core.rules.diminishing_returns`).

Each lever's response argument is its weekly spend per unit it works on
(:data:`cxsim.params.LEVER_AUDIENCE`, Blattberg & Deighton 1996), counted at the start of the
week: advertising per prospect (a customer not considering the firm: attention is bought per
person reached); the retention levers (service, complaint handling, personalization, feedback,
access) and loyalty rewards per *expected purchase* from the firm's own active customers (they
act on purchases, service encounters, and rewards are paid per purchase; the cost-to-serve view
of Kaplan & Narayanan 2001); first-purchase promotions per expected first purchase from the
non-customers; efficiency and innovation take the firm's weekly spend. Expected purchases are
customers × the customers' mean purchase rate (:func:`expected_purchase_rate`, the declared
``customers.need_rate``), so the retention levers buy the same effect per purchase in a market
whose customers buy rarely as in one whose customers buy often, for the same spend per purchase.
The budget is stated per year (:attr:`cxsim.params.FirmSpec.budget`).

Spend on advertising and the retention levers is accounted whether or not it reaches a customer:
money spent on advertising to people who already know the firm, or on complaint capacity nobody
uses, is a visible cost in the books. Promotions and loyalty rewards are different: their budget
sets a discount depth, and the firm pays only the discounts customers redeem when they buy
(discount × price × basket); an unredeemed promotion budget is not spent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from cxsim.core.rules import diminishing_returns, discount_depth
from cxsim.params import (
    ACQUISITION_LEVERS,
    DISCOUNT_LEVERS,
    LEVER_AUDIENCE,
    LEVERS,
    RETENTION_LEVERS,
    FirmSpec,
    LeverParams,
)

#: Floor of the mean purchase rate in the purchase audiences (needs per customer per week): with
#: ``customers.need_rate = 0`` nobody buys, and spend per expected purchase would divide by zero
#: (any spend then buys its lever's ceiling, on purchases that never happen).
MIN_PURCHASE_RATE = 1e-9

#: Weight per week of the latest week in the forecast of a discount's redemptions (an
#: exponential average with a memory of about a month): the firm sets next week's depth from the
#: redemptions it has been seeing. Modelling choice (a month: the usual planning cycle of a
#: promotion calendar).
REDEMPTION_MEMORY = 0.25


def expected_purchase_rate(need_rate: float, dt: float) -> float:
    """The customers' mean purchase rate (expected purchases per customer per week) that the
    purchase audiences of :data:`cxsim.params.LEVER_AUDIENCE` count with: the declared
    ``customers.need_rate`` (the mean of the customers' gamma-distributed rates), or ``1/dt`` when
    it is infinite (a need at every step of ``dt`` weeks); at least :data:`MIN_PURCHASE_RATE`.
    """
    rate = need_rate if math.isfinite(need_rate) else 1.0 / dt
    return max(float(rate), MIN_PURCHASE_RATE)


@dataclass(frozen=True)
class LeverEffects:
    """What a week's spend buys (all per the units in :class:`cxsim.params.LeverParams`)."""

    reach_per_year: float = 0.0
    """External consideration hazard among non-considering customers (Bass p, per year)."""
    promotion: float = 0.0
    """Discount on a first purchase (prospects and lost customers), as a share of price; paid on
    redemption."""
    service: float = 0.0
    """Quality units added to every experience."""
    consistency: float = 0.0
    """Share of the experience's random variation removed by service processes (constancy)."""
    complaint_capacity: float = 0.0
    """Complaints the firm can settle per expected purchase from its own active customers (in a
    step: × own active customers × the mean purchase rate × dt)."""
    learning: float = 0.0
    """Share of what it does not know about a customer that the firm learns per purchase."""
    solicitation: float = 0.0
    """Share of otherwise silent dissatisfied customers whose opinion is asked and heard."""
    access: float = 0.0
    """Quality units from easy access and fast personal response."""
    loyalty: float = 0.0
    """Reward on purchases by active customers, as a share of price; paid on redemption."""
    cost_saving: float = 0.0
    """Share of unit cost saved by operational efficiency."""
    innovation: float = 0.0
    """Quality units gained per week by product development."""


def lever_effects(
    spend_per_head: dict[str, float],
    p: LeverParams,
    response: Callable[..., Any] = diminishing_returns,
    *,
    price: float = 1.0,
    depth: Callable[..., Any] = discount_depth,
) -> LeverEffects:
    """Effects of a week's spend, each through ``response(x, ceiling, efficiency)`` (the rule
    :func:`cxsim.core.rules.diminishing_returns` unless the market swaps it), and the two
    discounts' depths through ``depth(x, price, ceiling)`` (:func:`cxsim.core.rules.discount_depth`).

    ``spend_per_head``: per lever, the weekly spend per unit of its audience
    (:data:`cxsim.params.LEVER_AUDIENCE`): currency per prospect (advertising, per week), per
    expected purchase from the firm's own customers (service, complaint handling,
    personalization, feedback, access), per forecast redemption (promotion, loyalty), or
    currency per week (efficiency, innovation). ``price``: the firm's price per purchase
    (currency), which a discount is a share of.
    """

    def resp(lever: str, ceiling: float, efficiency: float) -> float:
        return float(response(spend_per_head.get(lever, 0.0), ceiling, efficiency))

    def disc(lever: str, ceiling: float) -> float:
        return float(depth(spend_per_head.get(lever, 0.0), price, ceiling))

    return LeverEffects(
        reach_per_year=resp("advertising", p.advertising_ceiling, p.advertising_efficiency),
        promotion=disc("promotion", p.promotion_ceiling),
        service=resp("service", p.service_ceiling, p.service_efficiency),
        consistency=resp("service", p.consistency_ceiling, p.service_efficiency),
        complaint_capacity=resp(
            "complaint_handling", p.complaint_handling_ceiling, p.complaint_handling_efficiency
        ),
        learning=resp("personalization", p.personalization_ceiling, p.personalization_efficiency),
        solicitation=resp("feedback", p.feedback_ceiling, p.feedback_efficiency),
        access=resp("access", p.access_ceiling, p.access_efficiency),
        loyalty=disc("loyalty", p.loyalty_ceiling),
        cost_saving=resp("efficiency", p.efficiency_ceiling, p.efficiency_efficiency),
        innovation=resp("innovation", p.innovation_ceiling, p.innovation_efficiency),
    )


class Firm(mesa.Agent):
    """A firm in the market.

    Attributes:
        index: column of this firm in the customer table.
        name: label in outputs.
        spec: the scenario's description of the firm.
        quality: core product quality now (quality units); grows with innovation, and with
            imitation when a rival leads.
        unit_cost: cost of goods per purchase now (currency).
        price: price per purchase now (currency).
        shares: budget share per lever.
        spend: this week's planned spend per lever (currency per week); for promotion and loyalty
            the budget behind the discount depth, of which only what is redeemed is spent (the
            books' ``promotion_cost`` and ``loyalty_cost``).
        audience: this week's audience per lever, the denominator of its response argument:
            prospects (at least 1), expected (first) purchases per week (at least one
            customer's), 1 for the firm-level levers.
        effects: what this week's spend buys.
        last_revenue: revenue of the previous week (currency), for revenue-linked budgets.
        report: this week's metrics of the firm by name (set by the market when it closes the
            week; what Mesa's DataCollector records).
    """

    def __init__(self, model: mesa.Model, index: int, spec: FirmSpec, levers: LeverParams) -> None:
        super().__init__(model)
        self.index = index
        self.start(spec, levers)

    def start(self, spec: FirmSpec, levers: LeverParams) -> None:
        """Set the firm's state as its ``spec`` starts it: quality, cost, price, budget shares,
        nothing spent or bought yet. (Used by ``__init__``, and by planning-only copies of a
        firm, such as the hybrid firms of :func:`cxsim.experiments.explain`.)"""
        self.name = spec.name
        self.spec = spec
        self.levers = levers
        self.quality = float(spec.quality)
        self.unit_cost = float(spec.unit_cost)
        self.price = float(spec.price)
        self.shares = spec.shares()
        self.spend: dict[str, float] = dict.fromkeys(LEVERS, 0.0)
        self.audience: dict[str, float] = dict.fromkeys(LEVERS, 1.0)
        self.effects = LeverEffects()
        self.last_revenue = 0.0
        self.redemptions: dict[str, float] = dict.fromkeys(DISCOUNT_LEVERS, math.nan)
        self.report: dict[str, float] = {}

    def budget(self) -> float:
        """This week's budget (currency per week): the yearly budget / 52 plus, optionally, a
        share of last week's revenue."""
        return self.spec.budget / 52.0 + self.spec.budget_revenue_share * self.last_revenue

    def _adapt_shares(self, weeks: float) -> None:
        """Adaptive firms move budget between acquisition and retention levers by last week's
        CLV and CAC in the market's report (:func:`cxsim.core.rules.adapt_split`), keeping the mix
        within each group."""
        acq = sum(self.shares[k] for k in ACQUISITION_LEVERS)
        ret = sum(self.shares[k] for k in RETENTION_LEVERS)
        report = self.model.report
        if acq + ret <= 0 or not report:
            return
        # the thermostat's acquisition cost: acquisition spend per customer won *or won back*
        # (every newcomer), as the rule was set up and its presets studied; the reported ``cac``
        # counts prospects won only (cxsim.core.metrics)
        clv, spend, new = (
            float(report[k][self.index]) for k in ("clv", "acquisition_spend", "new")
        )
        if new == 0:  # no customer won: dear if money was spent on it, free otherwise
            # (the actual acquisition spend: advertising and redeemed promotions)
            cac = np.inf if spend > 0 else 0.0
        else:
            cac = spend / new
        if clv != clv:  # no estimate yet
            return
        target = self.model.rules.adapt_split(
            acq / (acq + ret),
            clv,
            cac,
            target_ratio=self.spec.adapt_target,
            step=self.spec.adapt_step * weeks,
        )
        new_acq, new_ret = target * (acq + ret), (1.0 - target) * (acq + ret)
        for group, old_total, new_total in (
            (ACQUISITION_LEVERS, acq, new_acq),
            (RETENTION_LEVERS, ret, new_ret),
        ):
            for k in group:
                self.shares[k] = (
                    self.shares[k] / old_total * new_total
                    if old_total > 0
                    else new_total / len(group)
                )

    def plan_week(
        self,
        *,
        market_size: int,
        customers: float,
        prospects: float,
        purchase_rate: float,
        weeks: float = 1.0,
    ) -> None:
        """Split the budget over levers and work out what the spend buys this week.

        Args:
            market_size: customers in the market.
            customers: the firm's active customers (buyer to advocate) at the start of the week.
            prospects: customers who do not consider the firm at the start of the week.
            purchase_rate: the customers' mean purchase rate, expected purchases per customer
                per week (:func:`expected_purchase_rate`).
            weeks: the step length, used by an adaptive firm's adjustment.

        Each lever's spend is divided by its audience (:data:`cxsim.params.LEVER_AUDIENCE`):
        advertising by ``prospects`` (at least 1); the retention levers by the expected
        purchases from own customers, ``customers`` × ``purchase_rate``; the two discounts by
        their redemptions per week as the firm forecasts them from the weeks it has seen
        (:meth:`observe_redemptions`), before the first week by the expected first purchases of
        the non-customers who consider the firm (``market_size − customers − prospects``) and
        the expected purchases of its own customers. The head counts are at least 1 before they
        are multiplied by the rate: a firm with no customers spreads its retention spend over one
        customer's expected purchases, the old floor of one customer in the new unit (a floor of
        one *purchase* a week would be a floor of 1/need_rate customers, 67 in a market that buys
        as rarely as CDNOW's, and would dilute a small firm's spend over customers it does not
        have).
        """
        if self.spec.adaptive:
            self._adapt_shares(weeks)
        budget = self.budget()
        self.spend = {lever: budget * share for lever, share in self.shares.items()}
        # each audience: (head count, its units per head: 1 person, or expected purchases a week)
        expected = {
            "prospects": (prospects, 1.0),
            # the first purchases to expect: non-customers who consider the firm (prospects
            # who do not consider it cannot buy from it)
            "first_purchases": (market_size - customers - prospects, purchase_rate),
            "purchases": (customers, purchase_rate),
            "repeat_purchases": (customers, purchase_rate),
            "firm": (1.0, 1.0),
        }
        self.audience = {}
        for lever in self.spend:
            count, per_head = expected[LEVER_AUDIENCE[lever]]
            self.audience[lever] = max(float(count), 1.0) * per_head
            if lever in DISCOUNT_LEVERS and math.isfinite(self.redemptions[lever]):
                # a discount's redemptions, as the firm has been seeing them (at least one
                # customer's expected purchases, as for the other purchase audiences)
                self.audience[lever] = max(self.redemptions[lever], purchase_rate)
        per_head = {lever: s / self.audience[lever] for lever, s in self.spend.items()}
        saving_share = float(
            self.model.rules.diminishing_returns(
                per_head["efficiency"],
                self.levers.efficiency_ceiling,
                self.levers.efficiency_efficiency,
            )
        )
        self.unit_cost = self.spec.unit_cost * (1.0 - saving_share)
        saving = self.spec.unit_cost - self.unit_cost
        self.price = self.spec.price - self.levers.cost_pass_through * saving
        self.effects = lever_effects(
            per_head,
            self.levers,
            self.model.rules.diminishing_returns,
            price=self.price,
            depth=self.model.rules.discount_depth,
        )

    def observe_redemptions(self, first: float, repeat: float, weeks: float) -> None:
        """Update the forecast of the discounts' redemptions per week with a step of ``weeks``
        weeks that saw ``first`` first purchases (the promotion's redemptions: prospects and
        lost customers) and ``repeat`` purchases by active customers (the loyalty reward's).

        An exponential average, :data:`REDEMPTION_MEMORY` per week; before the first week the
        firm counts on the expected purchases of its audiences (:meth:`plan_week`). So a
        discount's depth follows its redemptions, and what is redeemed costs, on average, the
        budget: a firm whose discount draws more buyers than it planned for gives a shallower
        one the next weeks.
        """
        if weeks <= 0:
            return
        weight = 1.0 - (1.0 - REDEMPTION_MEMORY) ** weeks
        for lever, seen in (("promotion", first), ("loyalty", repeat)):
            rate = seen / weeks
            old = self.redemptions[lever]
            if not math.isfinite(old):
                old = self.audience[lever]
            self.redemptions[lever] = old + weight * (rate - old)

    def innovate(self, weeks: float) -> None:
        """Product development raises quality (quality units per week × weeks)."""
        self.quality += self.effects.innovation * weeks

    @property
    def total_spend(self) -> float:
        """Planned spend this week over all levers (currency per week), discount budgets
        included (what is actually spent on them is what customers redeem)."""
        return float(sum(self.spend.values()))

    @property
    def fixed_spend(self) -> float:
        """Spend this week on the levers paid up front, all but the discounts (currency per
        week): spent whether or not it reaches a customer."""
        return float(sum(s for k, s in self.spend.items() if k not in DISCOUNT_LEVERS))

    def fixed_spend_on(self, levers: tuple[str, ...]) -> float:
        """Up-front spend this week on ``levers`` (currency per week; discounts excluded)."""
        return float(sum(self.spend[k] for k in levers if k not in DISCOUNT_LEVERS))

    def __repr__(self) -> str:
        return f"Firm({self.name!r}, strategy={self.spec.strategy!r})"
