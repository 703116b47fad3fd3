"""Weekly outputs: counters kept during a week, Mesa DataCollector reporters, tidy frames.

Every reporter returns one value per firm (a ``{firm name: value}`` dict) so Mesa's
``DataCollector`` stores the whole market each week; :func:`tidy_frame` turns that into one row
per week and firm with one column per metric. Economic measures and their formulas:

* ``profit = revenue − cogs − spend`` (currency per week), with ``revenue = purchases·price``,
  ``cogs = purchases·unit cost``, ``spend`` = the week's budget over all levers;
* ``npv``: cumulative profit discounted at ``market.discount_rate`` per year;
* ``cac = acquisition spend / new customers`` (currency per new customer; NaN in a week with none);
* ``churn_rate = churned / customers at the start of the week``; ``retention_rate = 1 − churn_rate``;
* ``clv``: ``m·(1+d)/(1+d−r)`` per customer (first margin now; Gupta & Lehmann 2003), with weekly
  contribution margin per customer ``m = (revenue − cogs − retention spend)/customers``, weekly
  retention ``r`` and weekly discount ``d``, both smoothed over about a quarter (exponential
  average, 13 weeks) because a single week is noisy;
* ``customer_equity = customers·clv`` (Blattberg & Deighton 1996);
* ``value_per_customer = npv / customers acquired`` (the realised average value), counting every
  first purchase after being a prospect or lost since the start (a won-back customer counts
  again; the customers a firm starts with do not); ``new`` and so ``cac`` count won-back
  customers too (``won_back`` says how many);
* ``nps``: share of promoters minus share of detractors among the firm's customers who have
  bought (Reichheld 2003). Promoters trust the firm at least ``advocate_trust`` and were not
  disappointed last time; detractors were disappointed last time or trust it less than
  ``churn_trust_floor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from cxsim.rules import ADVOCATE, BUYER, STAGES
from cxsim.scenarios import ACQUISITION_LEVERS, RETENTION_LEVERS

if TYPE_CHECKING:
    from cxsim.customers import CustomerTable
    from cxsim.model import Market

COUNTERS: tuple[str, ...] = (
    "purchases",
    "new",
    "won_back",
    "churned",
    "delighted",
    "disappointed",
    "complaints",
    "silent",
    "recoveries",
    "unresolved",
    "wom_positive",
    "wom_negative",
    "satisfaction_sum",
    "expectation_sum",
    "experienced_sum",
    "revenue",
    "cogs",
    "spend",
    "profit",
)

#: Smoothing weight of the exponential averages behind ``clv`` (about one quarter).
SMOOTHING = 1.0 / 13.0


class WeekBook:
    """Per-firm counters for the current week, plus smoothed retention and margin for CLV."""

    def __init__(self, n_firms: int) -> None:
        self.n_firms = n_firms
        self.values: dict[str, np.ndarray] = {}
        self.retention = np.full(n_firms, np.nan)
        self.margin = np.full(n_firms, np.nan)
        self.reset()

    def reset(self) -> None:
        """Zero the counters at the start of a week."""
        self.values = {name: np.zeros(self.n_firms) for name in COUNTERS}

    def add(self, name: str, firm: np.ndarray, weights: np.ndarray | float) -> None:
        """Add ``weights`` (one per event, or a scalar per event) to counter ``name`` by firm."""
        firm = np.asarray(firm)
        if firm.size == 0:
            return
        # counting events (weight 1, or a true/false flag) needs no float weights: the counts
        # are exact integers either way
        if isinstance(weights, np.ndarray) and weights.dtype == np.bool_:
            self.values[name] += np.bincount(firm[weights], minlength=self.n_firms)
            return
        if isinstance(weights, float | int) and weights == 1:
            self.values[name] += np.bincount(firm, minlength=self.n_firms)
            return
        w = np.broadcast_to(np.asarray(weights, dtype=float), firm.shape)
        self.values[name] += np.bincount(firm, weights=w, minlength=self.n_firms)


def _smooth(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Exponential average that starts at the first finite observation."""
    out = np.where(np.isnan(old), new, (1.0 - SMOOTHING) * old + SMOOTHING * new)
    return np.where(np.isnan(new), old, out)


def weekly_metrics(model: Market) -> dict[str, np.ndarray]:
    """All metrics of the week just ended, one array entry per firm.

    Cost: the stage table is counted once per firm column, and the population-wide averages
    (trust, expectation, NPS) are taken over each firm's active rows only
    (:func:`_active_averages`); no sum over axis 0 of an ``(n, F)`` table (slow on a narrow
    table). Sums still run in row order, so the figures are exactly those of a column sum.
    """
    c = model.customers
    book = model.book
    v = book.values
    firms = model.firms
    n_firms = len(firms)
    dt = model.dt
    out: dict[str, np.ndarray] = {}

    counts = c.stage_counts()
    for k, stage in enumerate(STAGES):
        out[stage] = counts[:, k].astype(float)
    n_active = counts[:, BUYER : ADVOCATE + 1].sum(axis=1)
    customers = n_active.astype(float)
    out["customers"] = customers
    for name in (
        "purchases",
        "new",
        "won_back",
        "churned",
        "complaints",
        "silent",
        "recoveries",
        "unresolved",
        "wom_positive",
        "wom_negative",
        "delighted",
        "disappointed",
        "revenue",
        "cogs",
        "spend",
        "profit",
    ):
        out[name] = v[name].copy()

    p = model.config.customers
    mean_trust, mean_expectation, nps = _active_averages(
        c,
        missed_below=-p.loss_aversion * p.disappointment_margin,
        promoter_trust=p.advocate_trust,
        detractor_trust=p.churn_trust_floor,
    )

    start = model._active_start.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        churn = np.where(start > 0, v["churned"] / start, np.nan)
        out["churn_rate"] = churn
        out["retention_rate"] = 1.0 - churn
        purchases = v["purchases"]
        out["mean_satisfaction"] = np.where(
            purchases > 0, v["satisfaction_sum"] / purchases, np.nan
        )
        out["mean_experienced"] = np.where(purchases > 0, v["experienced_sum"] / purchases, np.nan)
        out["mean_disconfirmation"] = np.where(
            purchases > 0, (v["experienced_sum"] - v["expectation_sum"]) / purchases, np.nan
        )
        out["delight_rate"] = np.where(purchases > 0, v["delighted"] / purchases, np.nan)
        out["mean_trust"] = mean_trust
        out["mean_expectation"] = mean_expectation

        acq = np.array([sum(f.spend[k] for k in ACQUISITION_LEVERS) for f in firms]) * dt
        ret = np.array([sum(f.spend[k] for k in RETENTION_LEVERS) for f in firms]) * dt
        out["acquisition_spend"] = acq
        out["retention_spend"] = ret
        out["cac"] = np.where(v["new"] > 0, acq / v["new"], np.nan)

        margin = np.where(start > 0, (v["revenue"] - v["cogs"] - ret) / start / dt, np.nan)
        retention_week = np.where(start > 0, (1.0 - churn) ** (1.0 / dt), np.nan)
        book.margin = _smooth(book.margin, margin)
        book.retention = _smooth(book.retention, retention_week)
        d_week = (1.0 + model.config.market.discount_rate) ** (1.0 / 52.0) - 1.0
        r = np.minimum(book.retention, 1.0 - 1e-9)
        out["clv"] = book.margin * (1.0 + d_week) / (1.0 + d_week - r)
        out["customer_equity"] = customers * out["clv"]
        out["npv"] = model._npv.copy()
        out["value_per_customer"] = np.where(model._served > 0, model._npv / model._served, np.nan)
        out["nps"] = nps

    out["quality"] = np.array([f.quality for f in firms])
    out["price"] = np.array([f.price for f in firms])
    out["unit_cost"] = np.array([f.unit_cost for f in firms])
    assert all(a.shape == (n_firms,) for a in out.values())
    return out


def _active_averages(
    c: CustomerTable, *, missed_below: float, promoter_trust: float, detractor_trust: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per firm, over its active customers (buyer to advocate): mean trust, mean expectation
    (NaN without customers) and NPS (NaN when none has bought yet).

    One firm column at a time, on the active rows only: no full ``(n, F)`` temporaries. Sums run
    in row order, one value after the other (``cumsum``), exactly as a sum over axis 0 of the
    masked table does, so the figures do not depend on how they are computed.
    """
    n_firms = c.stage.shape[1]
    mean_trust = np.full(n_firms, np.nan)
    mean_expectation = np.full(n_firms, np.nan)
    nps = np.full(n_firms, np.nan)
    stage = c.stage
    active = (stage >= BUYER) & (stage <= ADVOCATE)  # whole table: faster than column by column
    for f in range(n_firms):
        rows = np.flatnonzero(active[:, f])
        if rows.size == 0:
            continue
        at = rows * n_firms + f  # positions in the row-major table (take copies a strided view)
        trust = np.take(c.trust, at)
        mean_trust[f] = np.cumsum(trust)[-1] / rows.size
        mean_expectation[f] = np.cumsum(np.take(c.expectation, at))[-1] / rows.size
        sat = np.take(c.satisfaction, at)
        known = ~np.isnan(sat)
        n_known = np.count_nonzero(known)
        if n_known == 0:
            continue
        missed = sat < missed_below
        promoters = np.count_nonzero(known & ~missed & (trust >= promoter_trust))
        detractors = np.count_nonzero(known & (missed | (trust < detractor_trust)))
        nps[f] = (promoters - detractors) / n_known
    return mean_trust, mean_expectation, nps


#: Metric columns of :func:`tidy_frame`, in order.
METRICS: tuple[str, ...] = (
    *STAGES,
    "customers",
    "new",
    "won_back",
    "churned",
    "churn_rate",
    "retention_rate",
    "purchases",
    "delighted",
    "disappointed",
    "delight_rate",
    "complaints",
    "silent",
    "recoveries",
    "unresolved",
    "wom_positive",
    "wom_negative",
    "mean_expectation",
    "mean_experienced",
    "mean_disconfirmation",
    "mean_satisfaction",
    "mean_trust",
    "nps",
    "revenue",
    "cogs",
    "spend",
    "acquisition_spend",
    "retention_spend",
    "profit",
    "npv",
    "cac",
    "clv",
    "customer_equity",
    "value_per_customer",
    "quality",
    "price",
    "unit_cost",
)


class _Snapshot:
    """Computes the week's metrics once and serves them to every reporter."""

    def __init__(self) -> None:
        self.step = -1
        self.values: dict[str, np.ndarray] = {}

    def compute(self, model: Market) -> dict[str, np.ndarray]:
        """The metrics of the week ``model.steps`` (computed on the first call that week)."""
        if self.step != model.steps or not self.values:
            self.values = weekly_metrics(model)
            self.step = model.steps
        return self.values

    def get(self, model: Market, name: str) -> dict[str, float]:
        arr = self.compute(model)[name]
        return {f.name: float(arr[f.index]) for f in model.firms}


class MarketDataCollector(mesa.DataCollector):
    """Mesa's DataCollector, collecting the market's metrics in one go.

    Stores exactly what Mesa's ``collect`` would (one ``{firm: value}`` dict per reporter per
    week in ``model_vars``), but builds the dicts straight from one :func:`weekly_metrics` call
    instead of calling each reporter and deep-copying its dict, which cost more than the metrics
    themselves at small sizes. The dicts are new every week, so nothing is shared across weeks.
    Reporters added besides the market's own, and agent reporters, go through Mesa's code.
    """

    def __init__(self, snapshot: _Snapshot, model_reporters: dict) -> None:
        super().__init__(model_reporters=model_reporters)
        self._snapshot = snapshot
        self._own = {name: model_reporters[name] for name in (*METRICS, "week")}

    def collect(self, model: Market) -> None:
        own = self._own
        if any(self.model_reporters.get(name) is not r for name, r in own.items()):
            super().collect(model)  # a reporter of ours was replaced: Mesa's way for all
            return
        values = self._snapshot.compute(model)
        names = [f.name for f in model.firms]
        mv = self.model_vars
        # one (metrics, firms) table turned into Python floats at once
        table = np.array([values[name] for name in METRICS], dtype=float).tolist()
        for name, row in zip(METRICS, table, strict=True):
            mv[name].append(dict(zip(names, row, strict=True)))
        mv["week"].append(float(model.week))
        others = {k: r for k, r in self.model_reporters.items() if k not in own}
        saved = self.model_reporters
        self.model_reporters = others  # Mesa's collect for anything else (none by default)
        try:
            if not others:
                self._collection_steps.append(model.time)
            super().collect(model)
        finally:
            self.model_reporters = saved


def make_datacollector(model: Market) -> mesa.DataCollector:
    """A Mesa DataCollector with one model reporter per metric, each ``{firm: value}``."""
    snap = _Snapshot()
    model._metric_snapshot = snap
    reporters = {name: (lambda m, _n=name: snap.get(m, _n)) for name in METRICS}
    reporters["week"] = lambda m: float(m.week)
    return MarketDataCollector(snap, reporters)


def tidy_frame(model: Market) -> pd.DataFrame:
    """One row per week and firm: ``week``, ``firm`` and one column per metric."""
    mv = model.datacollector.model_vars
    weeks = mv["week"]
    firms = [f.name for f in model.firms]
    n_weeks, n_firms = len(weeks), len(firms)
    data: dict[str, object] = {
        "week": np.repeat(np.asarray(weeks, dtype=float), n_firms),
        "firm": np.tile(np.asarray(firms, dtype=object), n_weeks),
    }
    for name in METRICS:
        data[name] = np.array([row[f] for row in mv[name] for f in firms], dtype=float)
    frame = pd.DataFrame(data)
    frame["firm"] = pd.Categorical(frame["firm"], categories=firms)
    return frame
