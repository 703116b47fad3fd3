"""Customer economics that need more than one run's books: incremental CAC from paired runs
without the acquisition spend, and the break-even horizon between two strategies.

* :func:`incremental_cac`: acquisition spend per customer the spend *caused*. The model's own
  ``cac`` (:mod:`cxsim.core.metrics`) divides acquisition spend by every prospect won, including
  those word of mouth or the firm's base reach would have brought anyway; the incremental CAC
  divides the spend by the customers gained over a paired run, on the same seed (common random
  numbers), in which the firm spends nothing on acquisition: its acquisition levers' shares set
  to zero and that money *removed* from the budget (the other levers keep their spend), the
  hold-out logic of incrementality tests (Lewis & Rao 2015 on measuring advertising's effect;
  Gupta & Lehmann 2005 on acquisition cost per customer gained).
* :func:`horizon_value`: what a strategy is worth at a horizon, the objective of
  :func:`cxsim.experiments.optimize` and the default metric of
  :func:`cxsim.experiments.explain`: cumulative NPV plus the customer equity left at the
  horizon (the terminal value of the customers the firm holds, Blattberg & Deighton 1996),
  discounted to week 0 so both are in the same currency.
* :func:`break_even_week`: the first week from which strategy B's cumulative NPV (optionally
  plus its customer equity, as in :func:`horizon_value`) stays above strategy A's.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.model import Market
from cxsim.experiments.seeds import replication_seeds
from cxsim.params import ACQUISITION_LEVERS, Scenario, resolve_scenario

__all__ = [
    "break_even_week",
    "horizon_value",
    "incremental_cac",
    "incremental_cac_runs",
    "without_acquisition",
]


def horizon_value(frame: pd.DataFrame, discount_rate: float, firm: str | None = None) -> float:
    """NPV plus terminal customer equity at the last week of ``frame`` (currency, week 0).

    ``npv + customer_equity / (1 + discount_rate)^(week/52)`` in the frame's last week: what the
    firm has earned so far, discounted to week 0, plus the value of the customers it still holds
    (``customer_equity = alive·clv``, :mod:`cxsim.core.metrics`, valued at the horizon and
    discounted back to week 0). Equity counts 0 where CLV has no estimate (no customer left).

    Args:
        frame: a run's tidy frame (:meth:`cxsim.Market.to_frame`), or the rows of one firm.
        discount_rate: the market's ``discount_rate`` (per year).
        firm: keep this firm's rows (needed when the frame holds several firms).
    """
    rows = frame if firm is None else frame[frame["firm"] == firm]
    if firm is None and "firm" in rows.columns and rows["firm"].nunique() > 1:
        raise ValueError("horizon_value: the frame holds several firms; say which with firm=")
    if rows.empty:
        raise ValueError(f"horizon_value: no rows for firm {firm!r}")
    return float(_npv_plus_equity(rows.iloc[[-1]], discount_rate).iloc[0])


def _npv_plus_equity(rows: pd.DataFrame, discount_rate: float) -> pd.Series:
    """Each row's ``npv + customer_equity / (1 + discount_rate)^(week/52)`` (equity 0 where CLV
    has no estimate): the one formula behind :func:`horizon_value` and the break-even horizon
    with equity."""
    equity = rows["customer_equity"].astype(float).fillna(0.0)
    weeks = rows["week"].astype(float)
    return rows["npv"].astype(float) + equity / (1.0 + discount_rate) ** (weeks / 52.0)


def without_acquisition(scenario: Any, firm: str | int) -> Scenario:
    """``scenario`` with ``firm`` spending nothing on acquisition: its advertising and promotion
    shares set to zero and their money removed from the budget (budget and
    ``budget_revenue_share`` × the retained share), so each other lever keeps its spend. An
    adaptive firm is made non-adaptive (it would move money back into acquisition)."""
    cfg = resolve_scenario(scenario)
    firms = list(cfg.firms)
    idx = _firm_index(cfg, firm)
    spec = firms[idx]
    shares = spec.shares()
    acq = sum(shares[k] for k in ACQUISITION_LEVERS)
    kept = 1.0 - acq
    if kept <= 1e-12:  # everything went to acquisition: no budget left
        allocation, budget, revenue_share = shares, 0.0, 0.0
    else:
        allocation = {k: (0.0 if k in ACQUISITION_LEVERS else v / kept) for k, v in shares.items()}
        budget, revenue_share = spec.budget * kept, spec.budget_revenue_share * kept
    firms[idx] = replace(
        spec,
        strategy="custom",
        allocation=allocation,
        budget=budget,
        budget_revenue_share=revenue_share,
        adaptive=False,
    )
    return cfg.with_overrides(firms=firms)


def incremental_cac_runs(
    scenario: Any = None,
    firm: str | int = 0,
    *,
    replications: int = 10,
    seed: int = 0,
    weeks: int | None = None,
    **params: Any,
) -> pd.DataFrame:
    """One row per replication: the run as given and its pair without ``firm``'s acquisition
    spend (:func:`without_acquisition`), on the same seed, over ``weeks`` weeks (default: the
    scenario's horizon). ``params`` override scalar parameters in both runs.

    Columns: ``seed``; ``acquisition_spend`` and ``acquisition_spend_without`` (currency,
    undiscounted sums over the horizon); ``won`` and ``won_without`` (customers won from
    prospects, the sum of ``first_purchases``); ``active`` and ``active_without`` at the horizon
    (customers); ``incremental_spend``, ``incremental_won`` and ``incremental_active`` (the run
    minus its pair); ``cac`` (acquisition spend / won, the average CAC) and ``incremental_cac``
    (incremental spend / incremental won; ``inf`` when the spend won nobody).
    """
    base = resolve_scenario(scenario).with_overrides(params)
    paired = without_acquisition(base, firm)
    name = base.firms[_firm_index(base, firm)].name
    rows = []
    for s in replication_seeds(seed, replications):
        with_ = _totals(Market(base, rng=s).run(weeks), name)
        without = _totals(Market(paired, rng=s).run(weeks), name)
        rows.append(
            {
                "seed": s,
                "acquisition_spend": with_["spend"],
                "acquisition_spend_without": without["spend"],
                "won": with_["won"],
                "won_without": without["won"],
                "active": with_["active"],
                "active_without": without["active"],
            }
        )
    out = pd.DataFrame(rows)
    out["incremental_spend"] = out["acquisition_spend"] - out["acquisition_spend_without"]
    out["incremental_won"] = out["won"] - out["won_without"]
    out["incremental_active"] = out["active"] - out["active_without"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cac"] = out["acquisition_spend"] / out["won"]
        out["incremental_cac"] = _ratio(out["incremental_spend"], out["incremental_won"])
    return out


def incremental_cac(
    scenario: Any = None,
    firm: str | int = 0,
    *,
    replications: int = 10,
    seed: int = 0,
    weeks: int | None = None,
    level: float = 0.95,
    **params: Any,
) -> pd.DataFrame:
    """Incremental CAC of ``firm`` with its interval: one row with ``firm``, ``replications``,
    ``weeks``, the means over replications of ``acquisition_spend``, ``incremental_spend``,
    ``won``, ``incremental_won`` and ``incremental_active`` (customers), the average ``cac``
    (acquisition spend / won, currency per customer) and ``incremental_cac`` = mean incremental
    spend / mean incremental customers won (currency per customer gained; ``inf`` when the spend
    gained none) with ``ci_low``/``ci_high``: a ``level`` interval of the ratio of means by the
    delta method, ``se² = (var(S) − 2R·cov(S, C) + R²·var(C)) / (k·mean(C)²)`` over the ``k``
    paired replications, with Student's t (NaN for one replication or a gain not above zero).
    Per-replication numbers: :func:`incremental_cac_runs`."""
    runs = incremental_cac_runs(
        scenario, firm, replications=replications, seed=seed, weeks=weeks, **params
    )
    cfg = resolve_scenario(scenario).with_overrides(params)
    spend = runs["incremental_spend"].to_numpy(float)
    gained = runs["incremental_won"].to_numpy(float)
    k = len(runs)
    ratio = float(_ratio(spend.mean(), gained.mean()))
    low = high = float("nan")
    if k > 1 and gained.mean() > 0:
        from scipy import stats

        cov = np.cov(spend, gained, ddof=1)
        var = (cov[0, 0] - 2 * ratio * cov[0, 1] + ratio**2 * cov[1, 1]) / (k * gained.mean() ** 2)
        half = float(stats.t.ppf(0.5 + level / 2, k - 1)) * math.sqrt(max(var, 0.0))
        low, high = ratio - half, ratio + half
    return pd.DataFrame(
        [
            {
                "firm": cfg.firms[_firm_index(cfg, firm)].name,
                "replications": k,
                "weeks": cfg.market.weeks if weeks is None else weeks,
                "acquisition_spend": runs["acquisition_spend"].mean(),
                "incremental_spend": spend.mean(),
                "won": runs["won"].mean(),
                "incremental_won": gained.mean(),
                "incremental_active": runs["incremental_active"].mean(),
                "cac": float(_ratio(runs["acquisition_spend"].mean(), runs["won"].mean())),
                "incremental_cac": ratio,
                "ci_low": low,
                "ci_high": high,
            }
        ]
    )


def break_even_week(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    firm: str | None = None,
    with_equity: bool = False,
    discount_rate: float | None = None,
) -> float:
    """First week from which strategy B's cumulative NPV stays above strategy A's (weeks since
    the start); NaN if B is not above A at the last common week.

    ``a`` and ``b``: tidy frames (:meth:`cxsim.Market.to_frame`, or several replications of
    them: each week's values are averaged first) with ``week`` and ``npv`` and, for
    ``with_equity``, ``customer_equity``; ``firm`` picks the rows of one firm (needed when a
    frame has a ``firm`` column with several). With ``with_equity`` each week's value is
    ``npv + customer_equity / (1 + discount_rate)^(week/52)``: what the firm has earned so far
    plus the terminal value of the customers it holds, both in week-0 currency
    (``discount_rate`` per year, the market's ``discount_rate``).
    """
    va = _value_by_week(a, firm, with_equity, discount_rate)
    vb = _value_by_week(b, firm, with_equity, discount_rate)
    weeks = va.index.intersection(vb.index).sort_values()
    if weeks.empty:
        raise ValueError("break_even_week: the two frames share no week")
    ahead = (vb.loc[weeks] > va.loc[weeks]).to_numpy()
    if not ahead[-1]:
        return float("nan")
    behind = np.flatnonzero(~ahead)
    return float(weeks[0] if behind.size == 0 else weeks[behind[-1] + 1])


# --------------------------------------------------------------------------------------------


def _firm_index(cfg: Scenario, firm: str | int) -> int:
    if isinstance(firm, int | np.integer):
        if not 0 <= int(firm) < len(cfg.firms):
            raise IndexError(f"firm index {firm} out of range 0..{len(cfg.firms) - 1}")
        return int(firm)
    names = [f.name for f in cfg.firms]
    if firm not in names:
        raise KeyError(f"no firm named {firm!r}; firms are {names}")
    return names.index(firm)


def _totals(frame: pd.DataFrame, firm: str) -> dict[str, float]:
    rows = frame[frame["firm"] == firm]
    return {
        "spend": float(rows["acquisition_spend"].sum()),
        "won": float(rows["first_purchases"].sum()),
        "active": float(rows["active"].iloc[-1]),
    }


def _ratio(num: Any, den: Any) -> Any:
    """``num / den``; ``inf`` where money was spent and nobody gained (den ≤ 0 < num)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, np.nan)
        )


def _value_by_week(
    frame: pd.DataFrame, firm: str | None, with_equity: bool, discount_rate: float | None
) -> pd.Series:
    rows = frame
    if firm is not None:
        rows = rows[rows["firm"] == firm]
    elif "firm" in rows.columns and rows["firm"].nunique() > 1:
        raise ValueError("break_even_week: the frame holds several firms; say which with firm=")
    value = rows["npv"].astype(float)
    if with_equity:
        if discount_rate is None:
            raise ValueError("break_even_week: with_equity needs the yearly discount_rate")
        value = _npv_plus_equity(rows, discount_rate)
    return value.groupby(rows["week"].astype(float)).mean()
