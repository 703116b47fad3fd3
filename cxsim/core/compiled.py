"""The hot phases of the Market's weekly cycle through the compiled kernels
(:mod:`cxsim.core.kernels`).

Each function here does what the NumPy branch of the :class:`~cxsim.core.model.Market` method
of the same name does, with the same draws from the same streams and the same results; the
model calls it only for a phase that :func:`phases` allowed when the market was made (kernels
on, :func:`cxsim.core.kernels.enabled`) and whose rules are still the ones the kernels reproduce
(:func:`reproduces`, checked at each use): a rule swapped through ``Market(rules=...)``, set on
``market.rules`` later, or replaced in :mod:`cxsim.core.rules` itself (as tests of the
validation checks do) sends its phase back to NumPy. Kernel modules are imported on first use,
so ``import cxsim`` does not load Numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from cxsim.core import kernels
from cxsim.core import rules as _rules
from cxsim.core.ruleset import Rules

if TYPE_CHECKING:
    from cxsim.core.model import Market

#: The rules of :mod:`cxsim.core.rules` each compiled phase computes itself (with the rules
#: they call: ``churn_probability`` calls ``hazard_to_probability``): a phase is compiled only
#: while all of its rules are the functions the kernels reproduce.
PHASE_RULES: dict[str, tuple[str, ...]] = {
    "needs": ("needs_in_step",),
    "choice": ("choice_utility", "logit_choice", "ladder_after_switch"),
    "experience": (
        "experience_spread",
        "experienced_quality",
        "disconfirmation",
        "satisfaction",
        "update_trust",
        "adapt_expectation",
        "raise_standard",
        "learn_customer",
        "basket_size",
        "word_of_mouth_senders",
        "bad_news_senders",
        "ladder_after_purchase",
    ),
    "word_of_mouth": (),
    "churn": ("churn_probability", "hazard_to_probability"),
    "metrics": (),
    "inbox": (),
    "drift": ("inflate_expectations", "fade_grudge"),
}

#: The choice kernel reproduces the rules' column-by-column logit, which they use up to 8 firms.
MAX_CHOICE_FIRMS = 8

_NO_DRAWS = np.empty(0)
_NO_FLAGS = np.empty(0, dtype=np.bool_)


#: The functions the kernels reproduce: the rules of :mod:`cxsim.core.rules` as imported.
REPRODUCED: dict[str, object] = {
    name: getattr(_rules, name) for used in PHASE_RULES.values() for name in used
}


def reproduces(rules: Rules, phase: str) -> bool:
    """Whether the rules in force for ``phase`` are those its kernels reproduce."""
    return all(getattr(rules, name) is REPRODUCED[name] for name in PHASE_RULES[phase])


def phases(rules: Rules, n_firms: int, sparse_network: bool) -> frozenset[str]:
    """The phases a market with these rules, firms and network runs compiled (empty when the
    kernels are off)."""
    if not kernels.enabled():
        return frozenset()
    out = {name for name in PHASE_RULES if reproduces(rules, name)}
    if n_firms > MAX_CHOICE_FIRMS:
        out.discard("choice")
    if not sparse_network:
        out.discard("word_of_mouth")  # the complete network samples by counts, in NumPy
    return frozenset(out)


def no_need_mass(need_rate: np.ndarray, dt: float) -> np.ndarray:
    """``P(K = 0) = exp(−need_rate·dt)`` per customer, as :func:`cxsim.core.rules.needs_in_step`
    computes it (NumPy's ``exp``; 1 where the mean is not finite). Rates and step are fixed, so
    the model computes it once, as it does the chance of no need."""
    mean = np.asarray(need_rate, dtype=float) * dt
    return np.exp(-np.where(np.isfinite(mean), mean, 0.0))


def draw_needs(market: Market, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows in need and their number of needs (see :func:`cxsim.core.kernels.needs.draw_needs`)."""
    from cxsim.core.kernels.needs import draw_needs as kernel

    c = market.customers
    return kernel(u, market._no_need, market._need_mass0, c.need_rate, float(market.dt))


def choose(market: Market, need: np.ndarray) -> np.ndarray:
    """The firm each customer in need chooses, or ``-1``; streaks broken where they went
    elsewhere (:func:`cxsim.core.kernels.choice.choose`)."""
    from cxsim.core.kernels.choice import pick, utilities

    c, p = market.customers, market.config.customers
    firms = market.firms
    firm = np.array(
        [
            [f.price for f in firms],
            [f.effects.loyalty for f in firms],
            [f.effects.promotion for f in firms],
        ],
        dtype=float,
    )
    params = np.array(
        [
            p.price_sensitivity,
            p.habit,
            p.grudge_weight,
            p.quality_weight,
            p.trust_weight,
            p.satisfaction_weight,
            market.config.market.outside_utility,
        ],
        dtype=float,
    )
    shifted, outside = utilities(
        need,
        c.stage,
        c.considers,
        c.expectation,
        c.trust,
        c.grudge,
        c.satisfaction,
        c.last_firm,
        firm,
        params,
    )
    # the logit weights with NumPy's exp, as rules.logit_choice takes them
    w = np.exp(shifted)
    w0 = np.exp(outside) if np.isfinite(params[-1]) else np.zeros(need.size)
    u = market.streams.choice.random(need.size)
    return pick(need, u, w, w0, c.stage, c.streak)


def experience(market: Market, rows: np.ndarray, firm_of: np.ndarray, z: np.ndarray) -> None:
    """Purchases of ``rows`` from ``firm_of`` and all that follows (the compiled
    :meth:`Market._experience`)."""
    from cxsim.core.kernels import experience as k

    m = market
    c, p = m.customers, m.config.customers
    firms = m.firms
    firm = np.array(
        [
            [f.quality for f in firms],
            [f.effects.service + f.effects.access for f in firms],
            [f.spec.position for f in firms],
            [f.effects.learning for f in firms],
            [f.effects.consistency for f in firms],
            [f.price for f in firms],
            [f.unit_cost for f in firms],
            [f.effects.promotion for f in firms],
            [f.effects.loyalty for f in firms],
        ],
        dtype=float,
    )
    shape = p.spend_shape
    gamma = m.streams.spend.standard_gamma(shape, rows.size) if np.isfinite(shape) else _NO_DRAWS
    params = np.array(
        [
            p.experience_noise,
            p.mismatch_noise,
            p.mismatch_weight,
            p.loss_aversion,
            p.trust_tolerance,
            p.trust_gain,
            p.trust_loss,
            p.expectation_up,
            p.expectation_down,
            m.week,
            shape,
            m.config.levers.serve_cost,
            p.delight_margin,
            p.disappointment_margin,
            p.client_streak,
            p.advocate_trust,
            p.serious_margin,
        ],
        dtype=float,
    )
    felt, before, after, amount, flags, sums, counts = k.experience(
        rows,
        firm_of,
        z,
        gamma,
        c.need,
        c.usual_basket,
        c.last_firm,
        c.knowledge,
        c.standard,
        c.trust,
        c.expectation,
        c.satisfaction,
        c.last_purchase,
        c.stage,
        c.purchases,
        c.streak,
        firm,
        params,
    )
    m._event("purchases", rows, firm_of)
    if rows.size == 0:
        return
    values = m.book.values
    for name, row in zip(k.SUMS, sums, strict=True):
        values[name] += row
    for name, row in zip(k.COUNTS, counts, strict=True):
        values[name] += row
    m.book.acquired += counts[k.COUNTS.index("new")]
    if m.transaction_log is not None:
        m.transaction_log.record(rows, firm_of, m.week, amount)
    praising = (flags & k.PRAISING) != 0
    m._spread_word(
        rows[praising],
        firm_of[praising],
        p.wom_positive_reach,
        c.heard_positive,
        "wom_positive",
        delight=(flags[praising] & k.DELIGHTED) != 0,
    )
    serious = (flags & k.SERIOUS) != 0
    m._spread_word(
        rows[serious], firm_of[serious], p.wom_negative_reach, c.heard_negative, "wom_negative"
    )
    hurt = (flags & k.DISAPPOINTED) != 0
    m._lodge_complaints(rows[hurt], firm_of[hurt], felt[hurt], before[hurt], after[hurt])


def deliver_word(
    market: Market,
    senders: np.ndarray,
    about: np.ndarray,
    reach: float,
    inbox: np.ndarray,
    delight: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Word of mouth from ``senders`` about firms ``about`` into ``inbox`` (sparse networks);
    returns messages per firm and, of them, those from delighted senders."""
    from cxsim.core.kernels.contacts import deliver, total_degree

    net = market.network
    u = market.streams.word_of_mouth.random(total_degree(net.indptr, senders))
    return deliver(
        net.indptr,
        net.indices,
        senders,
        about,
        _NO_FLAGS if delight is None else delight,
        u,
        float(reach),
        inbox.reshape(-1),
    )


def mailed(market: Market) -> np.ndarray:
    """Row-major positions of the entries with word of mouth waiting to be heard."""
    from cxsim.core.kernels.contacts import mailed as kernel

    c = market.customers
    return kernel(c.heard_positive, c.heard_negative)


def leaving(market: Market) -> np.ndarray:
    """Row-major positions of the active entries that leave this step (one ``churn`` draw per
    active entry, as on the NumPy path)."""
    from cxsim.core.kernels.churn import candidates, count_active

    c, p = market.customers, market.config.customers
    active = count_active(c.stage)
    if active == 0:
        return np.empty(0, dtype=np.int64)
    u = market.streams.churn.random(active)
    params = np.array(
        [
            p.churn_base,
            p.churn_trust_floor,
            p.churn_trust_sensitivity,
            p.churn_grudge_sensitivity,
            market.dt,
        ],
        dtype=float,
    )
    position, draw, x = candidates(c.stage, c.trust, c.grudge, c.leave_propensity, u, params)
    # the probability as rules.hazard_to_probability computes it, for the few candidates
    return position[draw < -np.expm1(-x)]


class WeekTable(NamedTuple):
    """What the week's report needs from the (customer, firm) tables, per firm (one pass)."""

    stages: np.ndarray  #: (F, len(STAGES)) customers at each ladder stage
    active: np.ndarray  #: (F,) recency-active customers
    trust_sum: np.ndarray  #: (F,) trust summed over the alive customers, in row order
    expectation_sum: np.ndarray  #: (F,) expectation summed likewise
    recent_rows: list[np.ndarray]  #: each firm's recency-active rows, in order


def week_table(market: Market) -> WeekTable:
    """One compiled pass over the tables for :func:`cxsim.core.metrics.weekly_metrics`."""
    from cxsim.core.kernels.metrics import table_pass
    from cxsim.core.metrics import ACTIVE_WINDOW_WEEKS

    c = market.customers
    cutoff = np.float32(market.week - ACTIVE_WINDOW_WEEKS)
    stages, active, trust_sum, expectation_sum, recent = table_pass(
        c.stage, c.trust, c.expectation, c.last_purchase, cutoff
    )
    rows = [recent[f, : active[f]] for f in range(active.size)]
    return WeekTable(stages, active, trust_sum, expectation_sum, rows)
