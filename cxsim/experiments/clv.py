"""Cohort customer lifetime value: what a cohort of new customers realises in the model, and
what a firm would predict for it from its own transaction log.

The weekly ``clv`` metric (:mod:`cxsim.core.metrics`) is a closed form on smoothed margins and
retention; nothing there says whether it, or any CLV a firm would compute, matches the value
customers actually produce. This module follows a cohort:

* **cohort**: the firm's new customers (not its initial ones) whose first purchase from it falls
  in weeks ``[cohort_start, cohort_start + cohort_weeks)``;
* **realised CLV** (currency per customer): each member's purchases from the firm in the
  ``horizon_weeks`` after their first one, at the gross margin ``(price − unit_cost)/price`` of
  the amount paid (``(price − unit_cost) × basket``: the margin per purchase; cost to serve,
  discounts and lever spend are the firm's, not the customer's), discounted to the first
  purchase at the market's ``discount_rate`` per year, the first purchase included;
* **predicted CLV** (currency per customer): what the firm knows at the end of a calibration
  period (``calibration_weeks`` after the cohort closes) plus a forecast of the rest: the
  discounted margin already realised by then, plus the mean margin per repeat purchase in the
  calibration period × the discounted expected purchases from then to the horizon of a BG/NBD
  model (Fader, Hardie & Lee 2005) fitted to the cohort's calibration period
  (:func:`cxsim.calibration.fit_bgnbd`; expected purchases week by week from
  ``BGNBD.conditional_expected``, each week's discounted at its middle, the "discounted expected
  residual transactions" of Fader, Hardie & Lee 2005).

Purchases are dated in days as a real log would be (:func:`cxsim.calibration.simulate.
simulate_purchases`). The difference realised − predicted per customer has a Monte-Carlo
standard error ``sd/sqrt(n)`` over the cohort: :func:`cohort_clv` reports it, and the
validation check ``clv-cohort-bgnbd`` (:mod:`cxsim.validation.docking`) asks that the two agree
within it in a stationary market.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxsim.calibration.bgnbd import BGNBD, fit_bgnbd
from cxsim.calibration.simulate import SimulatedPurchases, simulate_purchases
from cxsim.params import resolve_scenario

__all__ = ["CohortCLV", "cohort_clv", "cohort_values"]

_DAYS = 7


@dataclass(frozen=True)
class CohortCLV:
    """A cohort's realised and predicted CLV (currency per customer, discounted to each
    member's first purchase).

    Attributes:
        firm: the firm's name.
        n: cohort members.
        realised, predicted: mean CLV over the cohort.
        se: Monte-Carlo standard error of ``realised − predicted`` (sd of the per-customer
            difference / sqrt(n)).
        z: ``(realised − predicted) / se``.
        observed: mean discounted margin realised by the end of the calibration period (part of
            both).
        margin: mean margin per repeat purchase in the calibration period (currency).
        model: the fitted :class:`~cxsim.calibration.bgnbd.BGNBD`.
        customers: per member: ``birth_week``, ``frequency``, ``recency``, ``T`` (calibration
            summary, weeks), ``observed``, ``realised``, ``predicted``.
        weeks: cohort_start, cohort_weeks, calibration_weeks, horizon_weeks.
    """

    firm: str
    n: int
    realised: float
    predicted: float
    se: float
    z: float
    observed: float
    margin: float
    model: BGNBD
    customers: pd.DataFrame
    weeks: dict[str, float]

    def as_dict(self) -> dict[str, float]:
        """The scalar results."""
        return {
            "n": self.n,
            "realised": self.realised,
            "predicted": self.predicted,
            "difference": self.realised - self.predicted,
            "se": self.se,
            "z": self.z,
            "observed": self.observed,
            "margin": self.margin,
        }


def cohort_values(
    purchases: SimulatedPurchases,
    *,
    margin_share: float,
    discount_rate: float,
    cohort_start: float,
    cohort_weeks: float,
    calibration_weeks: float,
    horizon_weeks: float,
) -> tuple[pd.DataFrame, float]:
    """Per cohort member: the calibration summary and the realised values (see the module
    docstring), and the mean margin per repeat purchase in the calibration period.

    Returns a frame indexed by customer with ``birth_week``, ``frequency``, ``recency``, ``T``
    (weeks), ``observed`` (discounted margin up to the calibration end) and ``realised``
    (discounted margin over the horizon), and the mean margin per repeat purchase."""
    customer, day = purchases.customer, purchases.day
    margin = purchases.amount * margin_share
    first = np.ones(customer.size, dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, customer.size))
    birth = np.repeat(day[starts], counts)
    lo, hi = cohort_start * _DAYS, (cohort_start + cohort_weeks) * _DAYS
    member = (birth >= lo) & (birth < hi)
    cal_end = (cohort_start + cohort_weeks + calibration_weeks) * _DAYS - 1  # last day
    horizon_end = birth + horizon_weeks * _DAYS  # days before it count
    age_weeks = (day - birth) / _DAYS
    d_week = (1.0 + discount_rate) ** (1.0 / 52.0) - 1.0
    value = margin / (1.0 + d_week) ** age_weeks

    rows = member & (day < horizon_end)
    frame = pd.DataFrame({"customer": customer[rows], "value": value[rows]})
    realised = frame.groupby("customer")["value"].sum()

    cal = member & (day <= cal_end) & (day < horizon_end)
    c_cal, d_cal, b_cal = customer[cal], day[cal], birth[cal]
    g = pd.DataFrame(
        {"customer": c_cal, "day": d_cal, "value": value[cal], "margin": margin[cal]}
    ).groupby("customer")
    n_tx = g.size()
    ids = n_tx.index.to_numpy()
    b = pd.Series(b_cal, index=c_cal).groupby(level=0).first().loc[ids].to_numpy()
    last = g["day"].max().to_numpy()
    out = pd.DataFrame(
        {
            "birth_week": b / _DAYS,
            "frequency": (n_tx.to_numpy() - 1).astype(np.int64),
            "recency": (last - b) / _DAYS,
            "T": (cal_end - b) / _DAYS,
            "observed": g["value"].sum().to_numpy(),
        },
        index=pd.Index(ids, name="customer"),
    )
    out["realised"] = realised.loc[ids].to_numpy()
    repeat = cal & ~first
    mean_margin = float(margin[repeat].mean()) if repeat.any() else float("nan")
    return out, mean_margin


def discounted_expected_purchases(
    model: BGNBD,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    until: np.ndarray,
    d_week: float,
) -> np.ndarray:
    """Per customer: expected purchases from ``T`` to ``until`` (weeks since the first
    purchase), each week's discounted at its middle age, ``Σ_k ΔE[Y]_k / (1+d)^(T + t_k)``
    (``ΔE[Y]_k``: BG/NBD expected purchases in week ``k`` after ``T``, from
    ``conditional_expected``)."""
    span = np.maximum(np.asarray(until, float) - T, 0.0)
    k_max = int(math.ceil(span.max())) if span.size else 0
    total = np.zeros(T.size)
    prev = np.zeros(T.size)
    for k in range(1, k_max + 1):
        t = np.minimum(float(k), span)
        now = _conditional(model, t, frequency, recency, T)
        mid = T + (np.minimum(float(k - 1), span) + t) / 2.0
        total += (now - prev) / (1.0 + d_week) ** mid
        prev = now
    return total


def _conditional(model: BGNBD, t: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray):
    """``conditional_expected`` with one horizon per customer (grouped by distinct horizon)."""
    out = np.zeros(T.size)
    for value in np.unique(t):
        rows = t == value
        if value > 0:
            out[rows] = model.conditional_expected(float(value), x[rows], tx[rows], T[rows])
    return out


def cohort_clv(
    scenario: Any = None,
    firm: str = "focal",
    *,
    seed: int = 0,
    cohort_start: float = 52.0,
    cohort_weeks: float = 13.0,
    calibration_weeks: float = 52.0,
    horizon_weeks: float = 156.0,
    **params: Any,
) -> CohortCLV:
    """Realised and predicted CLV of ``firm``'s cohort of new customers (see the module
    docstring), on one run of ``scenario`` (``params`` override scalar parameters) with seed
    ``seed``, long enough that every member is followed for ``horizon_weeks`` weeks.

    Units: weeks for the periods; currency per customer for the values, discounted at the
    market's ``discount_rate`` (per year) to each member's first purchase."""
    if calibration_weeks <= 0 or horizon_weeks < cohort_weeks + calibration_weeks:
        raise ValueError(
            "cohort_clv: need calibration_weeks > 0 and horizon_weeks >= cohort_weeks + "
            "calibration_weeks (the horizon must reach past the calibration period)"
        )
    cfg = resolve_scenario(scenario).with_overrides(params)
    spec = next((f for f in cfg.firms if f.name == firm), None)
    if spec is None:
        raise KeyError(f"no firm named {firm!r}; firms are {[f.name for f in cfg.firms]}")
    weeks = cohort_start + cohort_weeks + horizon_weeks
    purchases = simulate_purchases(cfg, seed=seed, weeks=weeks, firm=firm)
    margin_share = (spec.price - spec.unit_cost) / spec.price if spec.price > 0 else 0.0
    members, mean_margin = cohort_values(
        purchases,
        margin_share=margin_share,
        discount_rate=cfg.market.discount_rate,
        cohort_start=cohort_start,
        cohort_weeks=cohort_weeks,
        calibration_weeks=calibration_weeks,
        horizon_weeks=horizon_weeks,
    )
    if members.empty:
        raise ValueError(f"cohort_clv: {firm!r} won no new customer in the cohort's weeks")
    x = members["frequency"].to_numpy(float)
    tx = members["recency"].to_numpy(float)
    T = members["T"].to_numpy(float)
    model = fit_bgnbd(x, tx, T)
    d_week = (1.0 + cfg.market.discount_rate) ** (1.0 / 52.0) - 1.0
    dert = discounted_expected_purchases(
        model, x, tx, T, np.full(T.size, float(horizon_weeks)), d_week
    )
    members["predicted"] = members["observed"] + mean_margin * dert
    diff = members["realised"] - members["predicted"]
    n = len(members)
    se = float(diff.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    realised, predicted = float(members["realised"].mean()), float(members["predicted"].mean())
    return CohortCLV(
        firm=firm,
        n=n,
        realised=realised,
        predicted=predicted,
        se=se,
        z=(realised - predicted) / se if se > 0 else float("nan"),
        observed=float(members["observed"].mean()),
        margin=mean_margin,
        model=model,
        customers=members,
        weeks={
            "cohort_start": cohort_start,
            "cohort_weeks": cohort_weeks,
            "calibration_weeks": calibration_weeks,
            "horizon_weeks": horizon_weeks,
        },
    )
