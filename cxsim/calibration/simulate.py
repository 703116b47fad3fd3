"""Transaction logs simulated by cxsim, seen as a real firm sees its own: the firm's new customers.

A real log (CDNOW, a firm's own) holds the purchases of customers the firm acquired; cxsim's
:meth:`cxsim.Market.transactions` holds every purchase in the market. This module turns a
simulated market into the same kind of log, so that the summaries and models of
:mod:`cxsim.calibration` apply to both alike:

* only purchases from one firm (``"focal"`` by default) by its *new* customers: the firm's
  existing customers at t = 0 (``FirmSpec.initial_customers``) are left out, since a cohort log
  starts with each customer's first purchase;
* purchases dated in days: cxsim dates a purchase at the start of its step, so each purchase is
  placed on a day within its step by a counter-based uniform number (SplitMix64 of the seed,
  the customer, the step and the purchase's rank within the step). The same purchase gets the
  same day at every parameter value, so this draw does not break common random numbers, and it
  needs no random stream of the model;
* a customer's purchases on the same day merged, amounts summed, as
  :func:`cxsim.calibration.read_transaction_log` merges a real log's.

Time is in days since the market's start (day ``d`` is in week ``d // 7 + 1``); amounts are in
the model's currency (firm price × basket).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.calibration.errors import CalibrationError

__all__ = [
    "SimulatedPurchases",
    "cohort_curve",
    "cohort_rfm",
    "simulate_log",
    "simulate_purchases",
]

_DAYS = 7
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser (Steele, Lea & Flood 2014), elementwise on uint64 (wrapping)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _uniform(seed: int, *keys: np.ndarray) -> np.ndarray:
    """Uniform numbers in [0, 1) that depend only on ``seed`` and the integer ``keys``."""
    with np.errstate(over="ignore"):
        h = _splitmix64(np.full(np.shape(keys[0]), np.uint64(seed & 0xFFFFFFFFFFFFFFFF)))
        for key in keys:
            h = _splitmix64(h ^ np.asarray(key).astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


@dataclass(frozen=True)
class SimulatedPurchases:
    """One firm's new customers' purchases in a simulated market (see the module docstring).

    Attributes
    ----------
    customer: customer rows (int64), sorted, with ``day`` sorted within each customer.
    day: purchase day since the start (int64); one row per customer and day.
    amount: spend on that day (model currency).
    n_customers: the market's population.
    days: days simulated (the log covers days ``0 .. days - 1``).
    """

    customer: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    n_customers: int
    days: int


def simulate_purchases(
    scenario, *, seed: int, weeks: float, firm: str = "focal"
) -> SimulatedPurchases:
    """Run ``scenario`` for ``weeks`` weeks with seed ``seed``; return ``firm``'s new customers'
    purchases, dated in days (see the module docstring).

    The market keeps a transaction log (``record_transactions=True``) and no Mesa agent per
    customer (``customer_agents=False``), so large populations run fast.
    """
    from cxsim.core.model import Market
    from cxsim.core.rules import ADVOCATE, BUYER

    market = Market(scenario, rng=seed, record_transactions=True, customer_agents=False)
    try:
        f = market.firm_index(firm)
    except KeyError:
        names = ", ".join(x.name for x in market.firms)
        raise CalibrationError(f"firm {firm!r} is not in the scenario (firms: {names})") from None
    stage = market.customers.stage[:, f]
    initial = (stage >= BUYER) & (stage <= ADVOCATE)
    dt = market.dt
    market.run_for(int(math.ceil(weeks / dt - 1e-9)))
    tx = market.transactions()
    keep = (tx["firm"].cat.codes.to_numpy() == f) & ~initial[tx["customer"].to_numpy()]
    customer = tx["customer"].to_numpy()[keep]
    week = tx["week"].to_numpy()[keep]
    amount = tx["amount"].to_numpy()[keep]
    step = np.rint(week / dt).astype(np.int64)
    # rank of each purchase among the customer's purchases in the same step (log order)
    order = np.lexsort((step, customer))
    c_sorted, s_sorted = customer[order], step[order]
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (c_sorted[1:] != c_sorted[:-1]) | (s_sorted[1:] != s_sorted[:-1])
    starts = np.flatnonzero(new_group)
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size) - np.repeat(starts, np.diff(np.append(starts, order.size)))
    u = _uniform(seed, customer, step, rank)
    day = np.floor((step + u) * dt * _DAYS + 1e-9).astype(np.int64)
    days = int(math.ceil(weeks * _DAYS - 1e-9))
    frame = pd.DataFrame({"customer": customer, "day": day, "amount": amount})
    frame = frame[frame["day"] < days]
    merged = frame.groupby(["customer", "day"], sort=True)["amount"].sum().reset_index()
    return SimulatedPurchases(
        customer=merged["customer"].to_numpy(np.int64),
        day=merged["day"].to_numpy(np.int64),
        amount=merged["amount"].to_numpy(float),
        n_customers=market.customers.n,
        days=days,
    )


def _firsts(customer: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: whether it is its customer's first purchase; per row: that customer's first day
    (rows sorted by customer, then day)."""
    first = np.ones(customer.size, dtype=bool)
    first[1:] = customer[1:] != customer[:-1]
    idx = np.flatnonzero(first)
    counts = np.diff(np.append(idx, customer.size))
    return first, np.repeat(day[idx], counts)


def cohort_rfm(purchases: SimulatedPurchases, *, cohort_days: int, end_day: int) -> pd.DataFrame:
    """The BTYD summary of the cohort of customers whose first purchase is before day
    ``cohort_days``, over days ``0 .. end_day`` (the calibration period's last day).

    Same conventions as :func:`cxsim.calibration.rfm` (durations are day differences / 7, ``T``
    runs to the period's last day): columns ``frequency``, ``recency``, ``T``, ``birth_week``.
    """
    rows = purchases.day <= end_day
    customer, day = purchases.customer[rows], purchases.day[rows]
    first, born = _firsts(customer, day)
    member = born < cohort_days
    customer, day, first, born = customer[member], day[member], first[member], born[member]
    ids, counts = np.unique(customer, return_counts=True)
    last_idx = np.cumsum(counts) - 1
    birth = day[first]
    return pd.DataFrame(
        {
            "frequency": counts - 1,
            "recency": (day[last_idx] - birth) / _DAYS,
            "T": (end_day - birth) / _DAYS,
            "birth_week": birth / _DAYS,
        },
        index=pd.Index(ids, name="customer"),
    )


def cohort_curve(
    purchases: SimulatedPurchases, *, cohort_days: int, weeks: np.ndarray
) -> tuple[np.ndarray, int]:
    """Cumulative repeat purchases of the cohort (first purchase before day ``cohort_days``) by
    the end of each week in ``weeks`` (purchases on days ``< 7 w``), and the cohort's size."""
    first, born = _firsts(purchases.customer, purchases.day)
    member = born < cohort_days
    n = int(np.count_nonzero(first & member))
    repeat_days = np.sort(purchases.day[member & ~first])
    grid = np.asarray(weeks, dtype=float) * _DAYS
    return np.searchsorted(repeat_days, grid, side="left").astype(float), n


def simulate_log(
    scenario,
    *,
    seed: int = 0,
    weeks: float | None = None,
    firm: str = "focal",
    start: str | pd.Timestamp = "2000-01-01",
) -> pd.DataFrame:
    """A transaction log of ``firm``'s new customers in a simulated market, as a real firm would
    keep it: columns ``customer`` (int), ``date`` (datetime64, ``start`` + day) and ``amount``
    (model currency), one row per customer and day. Pass it to
    :func:`cxsim.calibration.read_transaction_log` or :func:`cxsim.calibration.calibrate`.

    ``weeks`` defaults to the scenario's ``market.weeks``. Use it to check that a calibration
    recovers known customer parameters.
    """
    from cxsim.params import resolve_scenario

    sc = resolve_scenario(scenario)
    purchases = simulate_purchases(
        sc, seed=seed, weeks=sc.market.weeks if weeks is None else weeks, firm=firm
    )
    origin = pd.Timestamp(start).normalize()
    return pd.DataFrame(
        {
            "customer": purchases.customer,
            "date": origin + pd.to_timedelta(purchases.day, unit="D"),
            "amount": purchases.amount,
        }
    )
