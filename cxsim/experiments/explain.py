"""Why one strategy beats another: the gap in a firm's outcome between two scenarios, split into
the mechanisms that carry it with a Shapley decomposition on common random numbers.

The question ``explain(A, B)`` answers: the focal firm ends with ``metric(B) − metric(A)`` more
in scenario B than in A (default metric: NPV plus terminal customer equity); *through which
mechanisms*? Each mechanism is a **channel**: a group of the firm's lever effects (what a week's
spend buys, :class:`cxsim.core.firms.LeverEffects`), the spend that buys them, the firm's own
settings behind them, and the scenario parameters that shape them. A *hybrid* market takes each
channel from A or from B: for a coalition ``S`` of channels, the channels in ``S`` come from B,
the others from A. Each week the hybrid plans the firm's week twice, once as A's firm and once
as B's (:meth:`cxsim.core.firms.Firm.plan_week`, on the hybrid's own market: its customers, its
prospects, its last report), and takes each effect, each lever's spend (so each channel pays its
own cost) and the price and unit cost from the version its channel says. With every channel from
A the hybrid *is* A's market (the same numbers, seed for seed); with every one from B it is B's.

The channels (:data:`CHANNELS`):

* ``reach``: advertising (spend and the consideration hazard it buys, Bass p) and the firm's
  ``base_reach``;
* ``discounts``: first-purchase promotions and loyalty rewards (the discounts that enter choice
  and that the firm pays on redemption);
* ``experience``: service (quality and consistency), access and personalization (learning): what
  enters every experience, with the cost to serve (``levers.serve_cost``);
* ``leaving``: complaint handling and feedback (capacity to settle complaints, share of silent
  dissatisfaction heard), with the complaint, recovery and churn parameters of customers;
* ``word_of_mouth``: the customers' word-of-mouth and social-influence parameters and the
  network (who hears whom). No lever buys word of mouth directly: word of mouth that a strategy
  *causes* (praise after service that delights) is counted in the channel that caused the
  experience, so between two strategies in the same market this channel is zero;
* ``price_cost``: operational efficiency (its spend and the unit-cost saving passed to price) and
  the firm's list price and unit cost;
* ``innovation``: product development (quality gained per week), the firm's starting quality and
  position, and the market's imitation rate;
* ``context``: everything else: the rivals, the other market, customer and network parameters,
  and the firm's starting customers and awareness. It is A's or B's scenario as a whole, into
  which the other channels are switched.

A channel on which A and B agree (the same spend on its levers, the same settings) cannot move
the outcome: its Shapley value is zero (the null-player property), so it is reported as zero and
only the ``k`` *active* channels are switched: ``2^k`` coalitions, each run on every replication
seed (common random numbers: every coalition sees the same customers and the same draws where
the model consumes them in the same order).

The decomposition is the Shapley value of the coalition game ``v(S) = metric(hybrid S)``
(Shapley 1953), as Shorrocks (2013) proposes for decompositions of a difference: channel ``i``
gets its marginal effect ``v(S ∪ {i}) − v(S)`` averaged over the orders in which the channels
can be switched from A to B, so the contributions add up *exactly* to ``v(all) − v(none) =
metric(B) − metric(A)``, on every replication seed. The interaction of a channel is what its
Shapley value is not as a one-at-a-time effect: ``contribution − (v({i}) − v(∅))`` (zero for
all channels when the effects add up).

Sources: Shapley, L. S. (1953), "A value for n-person games", in *Contributions to the Theory of
Games II*; Shorrocks, A. F. (2013), "Decomposition procedures for distributional analysis: a
unified framework based on the Shapley value", *Journal of Economic Inequality* 11(1), 99-126.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.firms import Firm, LeverEffects
from cxsim.core.model import Market
from cxsim.experiments.designs import ScenarioLike, _check_weeks
from cxsim.experiments.economics import horizon_value
from cxsim.experiments.executors import make_executor
from cxsim.experiments.failures import RunsFailedError
from cxsim.experiments.resources import check_resources, check_runs
from cxsim.experiments.seeds import _check_int, replication_seeds
from cxsim.params import LEVERS, FirmSpec, LeverParams, Scenario, ScenarioError, resolve_scenario

__all__ = [
    "CHANNELS",
    "DEFAULT_RUNS",
    "METRICS",
    "Channel",
    "active_channels",
    "default_replications",
    "HybridMarket",
    "explain",
    "hybrid_market",
    "shapley",
]

#: Metrics :func:`explain` can decompose by name, besides any column of the market's frame
#: (whose value at the horizon is taken).
METRICS = ("npv_plus_equity", "npv")
#: Runs the default number of replications aims at: ``DEFAULT_RUNS // 2^k`` replications for
#: ``k`` active channels, between :data:`MIN_REPLICATIONS` and :data:`MAX_DEFAULT_REPLICATIONS`
#: (256 runs of the default market, 2,000 customers × 260 weeks, take about 4 minutes on two
#: cores).
DEFAULT_RUNS = 256
MIN_REPLICATIONS = 2
MAX_DEFAULT_REPLICATIONS = 30

_SIDES = ("a", "b")


@dataclass(frozen=True)
class Channel:
    """A mechanism, as the settings a hybrid market takes from A or from B.

    Attributes:
        name: the mechanism's name (a row of :func:`explain`'s table).
        effects: fields of :class:`cxsim.core.firms.LeverEffects` it carries.
        levers: levers whose spend it carries (the spend that buys ``effects``).
        firm: fields of the firm's :class:`cxsim.params.FirmSpec` it carries.
        params: scenario parameters (dotted names) it carries.
        doc: what it switches, in words.
    """

    name: str
    effects: tuple[str, ...] = ()
    levers: tuple[str, ...] = ()
    firm: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    doc: str = ""


def _customers(*names: str) -> tuple[str, ...]:
    return tuple(f"customers.{n}" for n in names)


#: The channels, in the order of the table; ``context`` last.
CHANNELS: tuple[Channel, ...] = (
    Channel(
        "reach",
        effects=("reach_per_year",),
        levers=("advertising",),
        firm=("base_reach",),
        doc="advertising (consideration hazard, Bass p) and base reach",
    ),
    Channel(
        "discounts",
        effects=("promotion", "loyalty"),
        levers=("promotion", "loyalty"),
        doc="first-purchase promotions and loyalty rewards (discounts in choice, paid on "
        "redemption)",
    ),
    Channel(
        "experience",
        effects=("service", "consistency", "access", "learning"),
        levers=("service", "access", "personalization"),
        params=("levers.serve_cost",),
        doc="service, access and personalization (quality, consistency and fit of every "
        "experience) and the cost to serve",
    ),
    Channel(
        "leaving",
        effects=("complaint_capacity", "solicitation"),
        levers=("complaint_handling", "feedback"),
        params=(
            "levers.recovery_speed",
            *_customers(
                "voice_minor",
                "voice_serious",
                "serious_margin",
                "recovery_max",
                "recovery_half_life",
                "recovery_paradox",
                "complaint_patience",
                "grudge_decay",
                "churn_base",
                "churn_trust_floor",
                "churn_trust_sensitivity",
                "churn_grudge_sensitivity",
            ),
        ),
        doc="complaint handling and feedback (complaints settled, silent dissatisfaction "
        "heard), with customers' complaint, recovery and churn parameters",
    ),
    Channel(
        "word_of_mouth",
        params=(
            *_customers(
                "wom_positive_reach",
                "wom_negative_reach",
                "wom_trust_gain",
                "wom_trust_loss",
                "wom_hype",
                "influence",
                "social_influence",
            ),
            "network.network",
            "network.mean_degree",
            "network.rewire_prob",
        ),
        doc="customers' word-of-mouth and social-influence parameters and the network (word "
        "of mouth a strategy causes is counted in the channel that caused the experience)",
    ),
    Channel(
        "price_cost",
        effects=("cost_saving",),
        levers=("efficiency",),
        firm=("price", "unit_cost"),
        doc="operational efficiency (unit-cost saving passed to price), list price and unit cost",
    ),
    Channel(
        "innovation",
        effects=("innovation",),
        levers=("innovation",),
        firm=("quality", "position"),
        params=("market.imitation_rate",),
        doc="product development (quality per week), starting quality and position, imitation",
    ),
    Channel(
        "context",
        doc="everything else: rivals, market, customers and network, the firm's starting "
        "customers and awareness",
    ),
)

_BY_NAME = {c.name: c for c in CHANNELS}
#: FirmSpec fields that decide what a week's budget is and how it is split (planning).
_PLANNING = ("budget", "budget_revenue_share", "adaptive", "adapt_step", "adapt_target")


def _check_channels() -> None:
    """Every effect field and every lever belongs to exactly one channel (import-time check)."""
    effects = [e for c in CHANNELS for e in c.effects]
    levers = [lever for c in CHANNELS for lever in c.levers]
    fields = [f.name for f in dataclasses.fields(LeverEffects)]
    assert sorted(effects) == sorted(fields), (effects, fields)
    assert sorted(levers) == sorted(LEVERS), (levers, LEVERS)


_check_channels()


# --------------------------------------------------------------------------------------------
# the hybrid market
# --------------------------------------------------------------------------------------------


def _shadow(firm: Firm, spec: FirmSpec, levers: LeverParams) -> Firm:
    """A :class:`Firm` that only plans: A's or B's version of ``firm`` on ``firm``'s market.
    Made without ``Firm.__init__``, so it is not an agent of the market (nothing records it)."""
    s = Firm.__new__(Firm)
    s.model = firm.model
    s.index = firm.index
    s.start(spec, levers)
    return s


class _SwitchedPlan:
    """``plan_week`` of the hybrid firm: plan the week as A's and as B's firm, then take every
    effect, every lever's spend, audience and share, and the price and unit cost from the
    version its channel comes from."""

    def __init__(
        self,
        firm: Firm,
        sides: Mapping[str, tuple[FirmSpec, LeverParams]],
        sources: Mapping[str, str],
    ) -> None:
        self.firm = firm
        self.shadows = {side: _shadow(firm, *sides[side]) for side in _SIDES}
        self.effect_from = {e: sources[c.name] for c in CHANNELS for e in c.effects}
        self.lever_from = {lever: sources[c.name] for c in CHANNELS for lever in c.levers}
        self.price_from = sources["price_cost"]

    def __call__(self, **week: Any) -> None:
        """Plan the week (``week``: the keywords of :meth:`Firm.plan_week`) as A's and as B's
        firm, then assemble the hybrid firm's plan channel by channel."""
        firm = self.firm
        for shadow in self.shadows.values():
            # what the firm has seen so far: last week's revenue, the discounts' redemptions
            shadow.last_revenue = firm.last_revenue
            shadow.redemptions = dict(firm.redemptions)
            Firm.plan_week(shadow, **week)
        sh = self.shadows
        firm.effects = LeverEffects(
            **{e: getattr(sh[side].effects, e) for e, side in self.effect_from.items()}
        )
        firm.spend = {lever: sh[side].spend[lever] for lever, side in self.lever_from.items()}
        firm.audience = {lever: sh[side].audience[lever] for lever, side in self.lever_from.items()}
        firm.shares = {lever: sh[side].shares[lever] for lever, side in self.lever_from.items()}
        firm.unit_cost = sh[self.price_from].unit_cost
        firm.price = sh[self.price_from].price


class HybridMarket(Market):
    """A :class:`~cxsim.core.model.Market` whose firm ``firm`` takes each channel from A's or
    B's version of itself (see the module's docstring). Build it with :func:`hybrid_market`.

    Args:
        scenario: the hybrid scenario (:func:`_hybrid_scenario`): the context's scenario with
            the other channels' parameters and firm settings switched in.
        firm: the name of the switched firm.
        sides: ``{"a": (spec, levers), "b": (spec, levers)}``: the firm as each scenario has it
            and that scenario's lever response parameters.
        sources: ``"a"`` or ``"b"`` per channel name.
        **kwargs: as for :class:`~cxsim.core.model.Market` (``rng``, ``customer_agents``...).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        firm: str,
        sides: Mapping[str, tuple[FirmSpec, LeverParams]],
        sources: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        self._switch = (firm, sides, sources)
        super().__init__(scenario, **kwargs)

    def _seed_market(self) -> None:
        # the firm plans its first week inside the market's set-up (Market._seed_market), so
        # its plan is switched here, before that first plan
        name, sides, sources = self._switch
        firm = self.firms[self.firm_index(name)]
        firm.plan_week = _SwitchedPlan(firm, sides, sources)  # type: ignore[method-assign]
        super()._seed_market()


def _sources(from_b: Iterable[str]) -> dict[str, str]:
    from_b = set(from_b)
    unknown = sorted(from_b - set(_BY_NAME))
    if unknown:
        raise ScenarioError(
            f"channels: {unknown[0]!r} is not a channel; the channels are {', '.join(_BY_NAME)}"
        )
    return {c.name: ("b" if c.name in from_b else "a") for c in CHANNELS}


def _spec(scenario: Scenario, firm: str, label: str) -> tuple[int, FirmSpec]:
    for i, spec in enumerate(scenario.firms):
        if spec.name == firm:
            return i, spec
    names = ", ".join(repr(f.name) for f in scenario.firms)
    raise ScenarioError(f"firm: {firm!r} is not a firm of scenario {label} (its firms: {names})")


def _hybrid_scenario(a: Scenario, b: Scenario, firm: str, sources: Mapping[str, str]) -> Scenario:
    """The hybrid's scenario: the context's scenario with each other channel's parameters and
    firm settings from its source."""
    side = {"a": a, "b": b}
    base = side[sources["context"]]
    overrides = {
        p: side[sources[c.name]].get(p) for c in CHANNELS for p in c.params if c.name != "context"
    }
    index, spec = _spec(base, firm, "context")
    changes = {
        f: getattr(_spec(side[sources[c.name]], firm, c.name)[1], f)
        for c in CHANNELS
        for f in c.firm
    }
    spec = dataclasses.replace(spec, **changes)
    firms = list(base.firms)
    firms[index] = spec
    return base.with_overrides({**overrides, "firms": firms})


def hybrid_market(
    a: ScenarioLike,
    b: ScenarioLike,
    from_b: Iterable[str] = (),
    *,
    firm: str = "focal",
    rng: Any = None,
    **kwargs: Any,
) -> HybridMarket:
    """The market of scenario A with the channels ``from_b`` (names of :data:`CHANNELS`) taken
    from scenario B for firm ``firm``. With none from B it runs as ``Market(a, rng=...)`` does,
    number for number; with all of them as ``Market(b, rng=...)``.

    ``kwargs`` go to :class:`~cxsim.core.model.Market` (``customer_agents``, ``rules``...).
    """
    sa, sb = resolve_scenario(a), resolve_scenario(b)
    sources = _sources(from_b)
    scenario = _hybrid_scenario(sa, sb, firm, sources)
    sides = {"a": (_spec(sa, firm, "A")[1], sa.levers), "b": (_spec(sb, firm, "B")[1], sb.levers)}
    return HybridMarket(scenario, firm=firm, sides=sides, sources=sources, rng=rng, **kwargs)


# --------------------------------------------------------------------------------------------
# which channels differ
# --------------------------------------------------------------------------------------------


def _setting(channel: Channel, sc: Scenario, firm: str) -> Any:
    """Everything of ``sc`` that channel ``channel`` takes into a hybrid: two scenarios with the
    same setting give the same hybrid whichever the channel comes from."""
    spec = _spec(sc, firm, sc.name)[1]
    if channel.name == "context":
        others = {f: None for c in CHANNELS for f in c.firm}
        data = sc.to_dict()
        for key in ("name", "description"):
            data.pop(key, None)
        data.get("market", {}).pop("weeks", None)  # every run lasts the same (explain's weeks)
        for c in CHANNELS:
            for p in c.params:
                section, name = p.split(".")
                data.get(section, {}).pop(name, None)
        data["firms"] = [
            dataclasses.asdict(dataclasses.replace(f, **{k: getattr(spec, k) for k in others}))
            if f.name == firm
            else dataclasses.asdict(f)
            for f in sc.firms
        ]
        for f in data["firms"]:
            if f["name"] == firm:
                for k in (*others, *_PLANNING, "strategy", "allocation"):
                    f.pop(k, None)
        return repr(data)
    shares = spec.shares()
    planning: Any = ()
    if channel.levers and spec.adaptive:
        # an adaptive firm moves budget between all levers, by its own rule and settings
        planning = (
            tuple(getattr(spec, k) for k in _PLANNING),
            tuple(shares[k] for k in LEVERS),
            sc.levers,
        )
    elif channel.levers:
        # a week's spend on a lever: budget/52 × share, plus a share of last week's revenue
        planning = (
            "fixed",
            tuple(spec.budget * shares[k] for k in channel.levers),
            tuple(spec.budget_revenue_share * shares[k] for k in channel.levers),
            sc.levers,
        )
    return (
        tuple(getattr(spec, f) for f in channel.firm),
        tuple(repr(sc.get(p)) for p in channel.params),
        repr(planning),
    )


def active_channels(a: Scenario, b: Scenario, firm: str = "focal") -> list[str]:
    """The channels on which A and B differ for ``firm`` (the others cannot move the outcome)."""
    return [c.name for c in CHANNELS if _setting(c, a, firm) != _setting(c, b, firm)]


# --------------------------------------------------------------------------------------------
# Shapley values
# --------------------------------------------------------------------------------------------


def shapley(values: Mapping[frozenset[str], float], players: Sequence[str]) -> dict[str, float]:
    """Shapley values of the game ``values`` (a value for every coalition of ``players``,
    the empty one included): ``φ_i = Σ_{S ∌ i} |S|!(k−|S|−1)!/k! · (v(S ∪ {i}) − v(S))``
    (Shapley 1953; Shorrocks 2013). They add up to ``v(all) − v(∅)``."""
    k = len(players)
    weight = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    out: dict[str, float] = {}
    for i in players:
        others = [p for p in players if p != i]
        total = 0.0
        for mask in range(1 << len(others)):
            s = frozenset(p for j, p in enumerate(others) if mask >> j & 1)
            total += weight[len(s)] * (values[s | {i}] - values[s])
        out[i] = total
    return out


# --------------------------------------------------------------------------------------------
# runs
# --------------------------------------------------------------------------------------------


def _metric_value(
    frame: pd.DataFrame, firm: str, metric: str | Callable[..., float], discount_rate: float
) -> float:
    """The firm's ``metric`` at the horizon (the last week of ``frame``)."""
    mine = frame[frame["firm"] == firm]
    if callable(metric):
        return float(metric(mine))
    if metric == "npv_plus_equity":
        return horizon_value(mine, discount_rate)
    return float(mine.iloc[-1][metric])


def _run_hybrid(
    a: Scenario,
    b: Scenario,
    firm: str,
    from_b: tuple[str, ...],
    seed: int,
    weeks: int,
    metric: str | Callable[..., float],
) -> float:
    """One hybrid run's metric (a top-level function, so any executor can pickle it)."""
    market = hybrid_market(a, b, from_b, firm=firm, rng=int(seed), customer_agents=False)
    return _metric_value(market.run(weeks), firm, metric, market.config.market.discount_rate)


def _check_metric(metric: Any) -> str | Callable[..., float]:
    if callable(metric):
        return metric
    from cxsim.core.metrics import METRICS as COLUMNS

    if metric in METRICS or metric in COLUMNS:
        return str(metric)
    raise ScenarioError(
        f"metric: {metric!r} is not a metric; give {' or '.join(METRICS)} or a column of the "
        "market's frame (cxsim.core.metrics.METRICS)"
    )


def explain(
    a: ScenarioLike,
    b: ScenarioLike,
    *,
    firm: str = "focal",
    metric: str | Callable[..., float] = "npv_plus_equity",
    weeks: int | None = None,
    replications: int | None = None,
    seed: int = 0,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
) -> pd.DataFrame:
    """Decompose ``metric(B) − metric(A)`` for ``firm`` into the mechanisms that carry it.

    Every coalition of the active channels (those on which A and B differ, see
    :func:`active_channels`) is run as a hybrid market (:func:`hybrid_market`) on every
    replication seed; on each seed the Shapley values of the channels (:func:`shapley`) add up
    exactly to that seed's ``metric(B) − metric(A)``. The method and its sources are in the
    module's docstring.

    Args:
        a, b: the two scenarios: :class:`Scenario` objects, TOML paths or preset names. ``firm``
            must be a firm of both.
        firm: the firm whose outcome is explained.
        metric: ``"npv_plus_equity"`` (cumulative discounted profit at the horizon plus terminal
            customer equity, alive customers × CLV, discounted to week 0, in currency:
            :func:`cxsim.experiments.economics.horizon_value`), ``"npv"`` (currency), any other column of ``Market.to_frame()`` (its value
            in the last week), or a function of the firm's frame (rows of the firm, every week)
            to a number (importable by name when runs go to worker processes).
        weeks: run length (weeks); default A's ``market.weeks``. Both scenarios and every hybrid
            run this long.
        replications: replication seeds; default :data:`DEFAULT_RUNS` ``// 2^k`` for ``k``
            active channels, kept within 2 and 30.
        seed: master seed (:func:`cxsim.experiments.replication_seeds`).
        executor, workers: where runs go (:func:`cxsim.experiments.make_executor`).
        progress: show a tqdm progress bar.
        force: run even when the resource estimate is over a limit of :mod:`cxsim.params.limits`.

    Returns:
        One row per channel of :data:`CHANNELS` and a last row ``total``: ``mechanism``,
        ``contribution`` (mean Shapley value over replications, in the metric's unit), ``low``
        and ``high`` (95% t interval over replications; NaN with one replication),
        ``one_at_a_time`` (mean of ``v({i}) − v(∅)``: B's channel alone in A's market),
        ``interaction`` (``contribution − one_at_a_time``), ``share`` (of the total), ``active``
        (whether A and B differ on it; inactive channels are exactly 0) and ``switches`` (what
        the channel switches). For ``total``: ``metric(B) − metric(A)`` and its interval.
        ``frame.attrs`` holds ``replications`` (one row per replication: ``seed``, ``a``, ``b``,
        ``total`` and every channel's Shapley value), ``metric``, ``firm``, ``runs`` and
        ``coalitions``.
    """
    sa, sb = resolve_scenario(a), resolve_scenario(b)
    _spec(sa, firm, "A")
    _spec(sb, firm, "B")
    metric = _check_metric(metric)
    weeks = _check_weeks(weeks)
    horizon = weeks if weeks is not None else sa.market.weeks
    active = active_channels(sa, sb, firm)
    k = len(active)
    if replications is None:
        replications = default_replications(k)
    replications = _check_int("replications", replications, low=1)
    seeds = replication_seeds(seed, replications)
    coalitions = [
        frozenset(c for j, c in enumerate(active) if mask >> j & 1) for mask in range(1 << k)
    ]
    n_runs = len(coalitions) * replications
    check_runs(n_runs, replications, force=force)
    check_resources([(sa, horizon, n_runs)], executor=executor, workers=workers, force=force)

    tasks = [(s, r, seed_r) for s in coalitions for r, seed_r in enumerate(seeds)]
    values = _execute(sa, sb, firm, tasks, horizon, metric, executor, workers, progress)

    rows = []
    for r, seed_r in enumerate(seeds):
        game = {s: values[(s, r)] for s in coalitions}
        phi = shapley(game, active) if k else {}
        row = {
            "replication": r,
            "seed": seed_r,
            "a": game[frozenset()],
            "b": game[frozenset(active)],
            "total": game[frozenset(active)] - game[frozenset()],
        }
        for c in CHANNELS:
            row[c.name] = phi.get(c.name, 0.0)
            row[f"{c.name}:alone"] = (
                game[frozenset([c.name])] - game[frozenset()] if c.name in phi else 0.0
            )
        rows.append(row)
    per_rep = pd.DataFrame(rows)
    table = _table(per_rep, active)
    table.attrs.update(
        replications=per_rep,
        metric=metric if isinstance(metric, str) else getattr(metric, "__name__", "metric"),
        firm=firm,
        a=sa.name,
        b=sb.name,
        runs=n_runs,
        coalitions=len(coalitions),
        weeks=horizon,
    )
    return table


def _interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t interval of ``x`` (NaN bounds with fewer than two values)."""
    from scipy import stats

    mean = float(np.mean(x))
    if x.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2.0, x.size - 1) * np.std(x, ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def _table(per_rep: pd.DataFrame, active: Sequence[str]) -> pd.DataFrame:
    total, t_low, t_high = _interval(per_rep["total"].to_numpy(dtype=float))
    rows = []
    for c in CHANNELS:
        mean, low, high = _interval(per_rep[c.name].to_numpy(dtype=float))
        alone = float(per_rep[f"{c.name}:alone"].mean())
        on = c.name in active
        if not on:
            mean, low, high, alone = 0.0, 0.0, 0.0, 0.0
        rows.append(
            {
                "mechanism": c.name,
                "contribution": mean,
                "low": low,
                "high": high,
                "one_at_a_time": alone,
                "interaction": mean - alone,
                "share": mean / total if total else float("nan"),
                "active": on,
                "switches": c.doc,
            }
        )
    rows.append(
        {
            "mechanism": "total",
            "contribution": total,
            "low": t_low,
            "high": t_high,
            "one_at_a_time": float("nan"),
            "interaction": float("nan"),
            "share": 1.0 if total else float("nan"),
            "active": bool(active),
            "switches": "metric(B) − metric(A) on the same seeds",
        }
    )
    return pd.DataFrame(rows)


def _execute(
    a: Scenario,
    b: Scenario,
    firm: str,
    tasks: list[tuple[frozenset[str], int, int]],
    weeks: int,
    metric: str | Callable[..., float],
    executor: Any,
    workers: int | None,
    progress: bool,
) -> dict[tuple[frozenset[str], int], float]:
    """Run every (coalition, replication) task; a failing run raises (a decomposition needs
    every coalition)."""
    from tqdm.auto import tqdm

    out: dict[tuple[frozenset[str], int], float] = {}
    bar = tqdm(total=len(tasks), desc="coalition runs", unit="run", disable=not progress)
    ex, close = make_executor(executor, workers=workers)
    try:
        if ex == "serial":
            for s, r, seed in tasks:
                out[(s, r)] = _run_hybrid(a, b, firm, tuple(sorted(s)), seed, weeks, metric)
                bar.update(1)  # (a failing run raises its own error here, in this process)
        else:
            futures: dict[cf.Future, tuple[frozenset[str], int]] = {}
            try:
                for s, r, seed in tasks:
                    fut = ex.submit(_run_hybrid, a, b, firm, tuple(sorted(s)), seed, weeks, metric)
                    futures[fut] = (s, r)
                for fut in cf.as_completed(futures):
                    key = futures[fut]
                    try:
                        out[key] = float(fut.result())
                    except Exception as exc:
                        raise RunsFailedError(
                            f"explain: the run of coalition {sorted(key[0])} on replication "
                            f"{key[1]} failed ({type(exc).__name__}: {' '.join(str(exc).split())}); "
                            "a decomposition needs every coalition"
                        ) from exc
                    bar.update(1)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        close()
        bar.close()
    return out


def default_replications(k: int) -> int:
    """Replications :func:`explain` runs by default for ``k`` active channels."""
    return min(max(DEFAULT_RUNS // (1 << k), MIN_REPLICATIONS), MAX_DEFAULT_REPLICATIONS)
