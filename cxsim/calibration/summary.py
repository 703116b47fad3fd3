"""Summaries of a transaction log: cohort facts, RFM (BTYD) statistics, cumulative repeat curves.

All functions take a canonical log from :func:`cxsim.calibration.read_transaction_log` (columns
``customer``, ``date``, ``amount``, ``week``; same-day purchases already merged). Time is in
weeks since the log's start (``log.attrs["start"]``); "week ``k``" (``k`` = 1, 2, ...) is the
interval ``k - 1 <= week < k``, i.e. days ``7(k-1)`` to ``7k - 1`` after the start. A customer's
first purchase is their *trial*; every later purchase is a *repeat transaction*.

Reference values on the CDNOW master log (23,570 customers, all acquired in weeks 1–12 of
1997, observed for 78 weeks) with the defaults of :func:`cohort_summary`:

======================================================== =============
transactions per customer                                 2.868
share of customers buying exactly once                    0.511
share buying 11 or more times                             0.038
repeat transactions per customer per week, weeks 13–25    0.0314
repeat transactions per customer per week, weeks 66–78    0.0185
coefficient of variation of spend per transaction         1.031
======================================================== =============
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from cxsim.calibration.errors import TransactionLogError

__all__ = [
    "CohortSummary",
    "calibration_end_date",
    "cohort_customers",
    "cohort_summary",
    "cumulative_repeats",
    "log_span_weeks",
    "rfm",
]

_DAY = pd.Timedelta(days=1)
_WEEK = pd.Timedelta(days=7)


def _start(log: pd.DataFrame) -> pd.Timestamp:
    start = log.attrs.get("start")
    return pd.Timestamp(start) if start is not None else pd.Timestamp(log["date"].min())


def log_span_weeks(log: pd.DataFrame) -> int:
    """How many whole weeks the log covers: ``ceil((last date - start + 1 day) / 7 days)``.

    A log from 1997-01-01 to 1998-06-30 (546 days) spans 78 weeks.
    """
    days = (log["date"].max() - _start(log)) / _DAY + 1
    return math.ceil(days / 7 - 1e-9)


def cohort_customers(log: pd.DataFrame, cohort_weeks: float | None = 12) -> pd.Index:
    """The customers whose first purchase falls in weeks 1..``cohort_weeks`` (``week <
    cohort_weeks``); ``None`` means everyone. Returned sorted, as an Index of customer ids."""
    first = log.groupby("customer", observed=True, sort=True)["week"].min()
    if cohort_weeks is None:
        return first.index
    return first.index[first.to_numpy() < cohort_weeks]


@dataclass(frozen=True)
class CohortSummary:
    """Facts about one cohort of customers over a horizon (see :func:`cohort_summary`).

    Attributes
    ----------
    n_customers: customers in the cohort.
    n_transactions: their transactions (purchase days) in weeks 1..``horizon_weeks``.
    transactions_per_customer: ``n_transactions / n_customers`` (trial included).
    share_once: share of the cohort with exactly one transaction in the horizon.
    share_11_plus: share with 11 or more transactions in the horizon.
    repeat_rate_early: repeat transactions per customer per week in the ``window_weeks`` weeks
        right after the acquisition window (weeks ``cohort_weeks + 1`` ..
        ``cohort_weeks + window_weeks``).
    repeat_rate_late: the same in the last ``window_weeks`` weeks of the horizon.
    mean_spend: mean spend per transaction, in the log's currency.
    spend_cv: coefficient of variation (sample standard deviation / mean) of spend per
        transaction, over all the cohort's transactions in the horizon.
    cohort_weeks, horizon_weeks, window_weeks: the definitions used, weeks.
    """

    n_customers: int
    n_transactions: int
    transactions_per_customer: float
    share_once: float
    share_11_plus: float
    repeat_rate_early: float
    repeat_rate_late: float
    mean_spend: float
    spend_cv: float
    cohort_weeks: float
    horizon_weeks: float
    window_weeks: float

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict (for tables and moment vectors)."""
        return asdict(self)


def cohort_summary(
    log: pd.DataFrame,
    *,
    cohort_weeks: float | None = 12,
    horizon_weeks: float | None = 78,
    window_weeks: float = 13,
) -> CohortSummary:
    """The stylised facts of a customer base, for one acquisition cohort over a fixed horizon.

    Parameters
    ----------
    log:
        A canonical transaction log (:func:`cxsim.calibration.read_transaction_log`).
    cohort_weeks:
        The cohort is every customer whose first purchase is in weeks 1..``cohort_weeks`` of the
        log (``week < cohort_weeks``); default 12, the first quarter as in the CDNOW data.
        ``None``: every customer.
    horizon_weeks:
        Count transactions in weeks 1..``horizon_weeks`` (``week < horizon_weeks``); default 78.
        ``None``: the whole log (:func:`log_span_weeks`). A horizon longer than the log is an
        error.
    window_weeks:
        Length of the early and late windows for the repeat rates, weeks; default 13 (a quarter
        of a year). The early window starts when acquisition ends (week ``cohort_weeks + 1``, so
        that the rate is not diluted by customers not yet acquired); the late window is the last
        ``window_weeks`` weeks of the horizon.

    Definitions (these reproduce the CDNOW figures quoted in the module docstring):
    a *transaction* is a purchase day of a customer (same-day orders merged); *repeat
    transactions* exclude each customer's first. Rates are per cohort member (alive or not) per
    week. The spend CV is over transactions (not over customers' mean spends); on the CDNOW
    master log it is 1.031 (1.011 over unmerged order lines).

    Raises :class:`TransactionLogError` if the horizon is longer than the log, the windows do not
    fit in the horizon, or the cohort is empty.
    """
    span = log_span_weeks(log)
    horizon = float(span if horizon_weeks is None else horizon_weeks)
    if horizon > span:
        raise TransactionLogError(
            f"horizon_weeks={horizon:g} is longer than the log, which covers {span} weeks"
        )
    acquisition = 0.0 if cohort_weeks is None else float(cohort_weeks)
    if window_weeks <= 0 or acquisition + window_weeks > horizon:
        raise TransactionLogError(
            f"window_weeks={window_weeks:g} does not fit between the end of acquisition "
            f"(week {acquisition:g}) and the horizon (week {horizon:g})"
        )
    members = cohort_customers(log, cohort_weeks)
    if len(members) == 0:
        raise TransactionLogError(f"no customer made a first purchase before week {acquisition:g}")

    rows = log[log["customer"].isin(members) & (log["week"] < horizon)]
    n = len(members)
    counts = rows.groupby("customer", observed=True).size()
    first_week = rows.groupby("customer", observed=True)["week"].transform("min")
    repeats = rows.loc[rows["week"] > first_week, "week"].to_numpy()

    def rate(lo: float, hi: float) -> float:
        return float(((repeats >= lo) & (repeats < hi)).sum() / n / (hi - lo))

    amounts = rows["amount"].to_numpy(dtype=float)
    mean_spend = float(amounts.mean())
    spend_cv = float(amounts.std(ddof=1) / mean_spend) if len(amounts) > 1 and mean_spend else 0.0
    return CohortSummary(
        n_customers=n,
        n_transactions=len(rows),
        transactions_per_customer=len(rows) / n,
        share_once=float((counts == 1).sum() / n),
        share_11_plus=float((counts >= 11).sum() / n),
        repeat_rate_early=rate(acquisition, acquisition + window_weeks),
        repeat_rate_late=rate(horizon - window_weeks, horizon),
        mean_spend=mean_spend,
        spend_cv=spend_cv,
        cohort_weeks=acquisition,
        horizon_weeks=horizon,
        window_weeks=float(window_weeks),
    )


def calibration_end_date(
    log: pd.DataFrame, calibration_end: float | str | pd.Timestamp
) -> pd.Timestamp:
    """The last day of a calibration period given as a date or as a number of weeks.

    A number ``n`` means weeks 1..``n`` of the log: the last day is ``start + 7n - 1`` days
    (39 weeks from 1997-01-01 end on 1997-09-30). A date (string or Timestamp) is that day.
    """
    if isinstance(calibration_end, (int, float, np.integer, np.floating)) and not isinstance(
        calibration_end, bool
    ):
        return _start(log) + float(calibration_end) * _WEEK - _DAY
    return pd.Timestamp(calibration_end).normalize()


def rfm(log: pd.DataFrame, calibration_end: float | str | pd.Timestamp) -> pd.DataFrame:
    """The recency–frequency–monetary summary of buy-till-you-die models, per customer.

    Parameters
    ----------
    log:
        A canonical transaction log.
    calibration_end:
        The last day of the calibration period: a date, or a number of weeks ``n`` meaning weeks
        1..``n`` of the log (see :func:`calibration_end_date`). Purchases after it are ignored;
        customers whose first purchase is after it are left out.

    Returns
    -------
    DataFrame indexed by customer with columns

    * ``frequency`` — repeat transactions in the calibration period (``x``; int);
    * ``recency`` — weeks from the first to the last purchase in the period (``t_x``; 0 if
      ``frequency`` is 0);
    * ``T`` — weeks from the first purchase to the end of the last day of the calibration period
      (``T``);
    * ``monetary`` — mean spend of the repeat transactions in the period, in the log's currency
      (``z̄``; NaN if ``frequency`` is 0; the trial purchase is excluded as in the gamma–gamma
      model);
    * ``birth_week`` — week of the first purchase since the log's start (for cohort forecasts).

    Conventions follow Fader, Hardie & Lee (2005) and their CDNOW summary file: durations are
    day differences divided by 7, and ``T`` runs to the last day of the period, so a customer
    whose first purchase was on 1997-01-01 has ``T = 272 / 7 = 38.86`` weeks for a 39-week
    calibration period, and a purchase on the period's last day has ``recency = T``.
    """
    end = calibration_end_date(log, calibration_end)
    start = _start(log)
    rows = log[log["date"] <= end]
    if rows.empty:
        raise TransactionLogError(f"no purchases on or before the calibration end {end.date()}")
    grouped = rows.groupby("customer", observed=True, sort=True)
    first = grouped["date"].min()
    last = grouped["date"].max()
    size = grouped.size()
    total = grouped["amount"].sum()
    is_first = rows["date"].to_numpy() == rows["customer"].map(first).to_numpy()
    first_amount = rows.loc[is_first].groupby("customer", observed=True)["amount"].sum()
    frequency = (size - 1).astype(np.int64)
    repeat_spend = total - first_amount.reindex(total.index)
    monetary = (repeat_spend / frequency.where(frequency > 0)).astype(float)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last - first) / _WEEK,
            "T": (end - first) / _WEEK,
            "monetary": monetary,
            "birth_week": (first - start) / _WEEK,
        }
    )


def cumulative_repeats(
    log: pd.DataFrame,
    cohort: Iterable[object] | pd.Index | None = None,
    weeks: Iterable[float] | None = None,
) -> pd.Series:
    """Cumulative repeat transactions of a cohort by the end of each week (for tracking plots).

    Parameters
    ----------
    log:
        A canonical transaction log.
    cohort:
        Customer ids (e.g. :func:`cohort_customers`); ``None``: every customer.
    weeks:
        Week numbers ``w``; the value at ``w`` counts repeat transactions with ``week < w``
        (weeks 1..``w``). Default: 1, 2, ..., :func:`log_span_weeks`.

    Returns
    -------
    Series indexed by ``weeks`` (name ``"week"``), float counts of repeat transactions.
    Compare with :meth:`cxsim.calibration.BGNBD.cohort_forecast` evaluated at the same weeks
    with the cohort's ``birth_week`` s.
    """
    grid = (
        np.arange(1, log_span_weeks(log) + 1, dtype=float)
        if weeks is None
        else np.asarray(list(weeks), dtype=float)
    )
    rows = log if cohort is None else log[log["customer"].isin(pd.Index(cohort))]
    first = rows.groupby("customer", observed=True)["week"].transform("min")
    repeat_weeks = np.sort(rows.loc[rows["week"] > first, "week"].to_numpy(dtype=float))
    counts = np.searchsorted(repeat_weeks, grid, side="left").astype(float)
    return pd.Series(counts, index=pd.Index(grid, name="week"), name="cumulative_repeats")
