"""Docking with the customer lifetime value formula ``CLV = m(1+d)/(1+d−r)`` (Gupta & Lehmann 2003).

A cohort of existing customers who buy once a period with margin ``m`` and stay with constant
probability ``r``, run in the real :class:`~cxsim.Market` until everyone has left; each
customer's discounted value is compared with the closed form, and with the firm's own books.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core import rules
from cxsim.core.model import Market
from cxsim.params import FirmSpec
from cxsim.validation.quiet import QUIET, WEEKS_PER_YEAR


def clv_closed_form(margin: float, retention: float, discount: float) -> float:
    """``m(1+d)/(1+d−r)``: expected discounted margin of a customer retained with probability
    ``r`` per period, margins at the start of each period, the first one now (Gupta & Lehmann 2003)."""
    return margin * (1.0 + discount) / (1.0 + discount - retention)


def clv_market(
    margin: float,
    retention: float,
    *,
    n_customers: int = 50_000,
    period_weeks: float = WEEKS_PER_YEAR,
    rng: Any = None,
) -> Market:
    """The real :class:`~cxsim.Market` configured as a CLV cohort.

    One firm whose customers are the whole market at t = 0 (``initial_customers = 1``,
    ``initial_awareness = 1``), ``need_rate = inf`` (one purchase per step), ``price − unit_cost
    = margin``, no spend; a constant churn hazard ``−ln(r)/dt`` per week (trust and grudge do
    not matter), so each step a customer stays with probability ``r``; no way back (no reach,
    no social influence, no word of mouth). One period = one step = ``period_weeks`` weeks.
    """
    if not 0.0 < retention < 1.0:
        raise ValueError(
            f"retention={retention} must be in (0, 1): a cohort that never leaves has no end"
        )
    price, cost = (margin, 0.0) if margin >= 0 else (0.0, -margin)
    firm = FirmSpec(
        name="cohort",
        strategy="none",
        budget=0.0,
        budget_revenue_share=0.0,
        price=price,
        unit_cost=cost,
        base_reach=0.0,
        initial_customers=1.0,
        initial_awareness=1.0,
    )
    params = dict(QUIET, churn_base=-math.log(retention) / period_weeks)
    return Market(
        rng=rng,
        customer_agents=False,
        firms=[firm],
        n_customers=n_customers,
        network="complete",
        social_influence=0.0,
        dt=period_weeks,
        **params,
    )


def clv_docking(
    margin: float,
    retention: float,
    discount: float,
    *,
    n_customers: int = 50_000,
    rng: Any = None,
    period_weeks: float = WEEKS_PER_YEAR,
    max_periods: int = 100_000,
) -> pd.Series:
    """Simulated customer lifetime value of a cohort against ``m(1+d)/(1+d−r)``.

    The cohort is run until every customer has left. Each customer's lifetime ``L`` (purchases)
    is read from the model's ``purchases`` column (nobody rejoins); the customer's value is
    ``Σ_{k<L} m/(1+d)^k``, with ``d`` per period (computed here, not via ``market.discount_rate``,
    which is per year and continuous in weeks).

    Returns:
        Series with ``mean`` (simulated CLV per customer), ``se`` (standard error over customers),
        ``closed_form``, ``z`` = (mean − closed form)/se, ``n``, ``periods`` (steps run),
        ``mean_books`` (the same value from the firm's own weekly profit, discounted: a check on
        the books) and ``retention_observed`` (stays / exposures).
    """
    market = clv_market(
        margin, retention, n_customers=n_customers, period_weeks=period_weeks, rng=rng
    )
    c = market.customers
    start = c.purchases[:, 0].astype(np.int64)
    active = np.isin(c.stage[:, 0], rules.ACTIVE_STAGES)
    periods = 0
    while active.any():
        if periods >= max_periods:
            raise RuntimeError(f"{active.sum()} customers still active after {max_periods} periods")
        market.step()
        periods += 1
        active = np.isin(c.stage[:, 0], rules.ACTIVE_STAGES)
    lifetime = c.purchases[:, 0].astype(np.int64) - start
    if lifetime.min() < 1:
        raise RuntimeError(
            "a customer of the cohort never bought: the model no longer serves "
            "every need of an active customer when need_rate = inf"
        )
    factor = np.concatenate(([0.0], np.cumsum((1.0 + discount) ** -np.arange(lifetime.max()))))
    value = margin * factor[lifetime]
    profit = market.to_frame()["profit"].to_numpy()[1:]  # row 0 is the state before any step
    books = float(np.sum(profit * (1.0 + discount) ** -np.arange(profit.size))) / n_customers
    cf = clv_closed_form(margin, retention, discount)
    mean = float(value.mean())
    se = float(value.std(ddof=1) / math.sqrt(n_customers))
    return pd.Series(
        {
            "mean": mean,
            "se": se,
            "closed_form": cf,
            "z": (mean - cf) / se if se > 0 else (0.0 if mean == cf else math.inf),
            "n": n_customers,
            "periods": periods,
            "mean_books": books,
            "retention_observed": 1.0 - n_customers / float(lifetime.sum()),
        },
        name=f"clv(m={margin:g}, r={retention:g}, d={discount:g})",
    )
