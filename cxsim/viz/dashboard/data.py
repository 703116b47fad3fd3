"""Data work: what the dashboard's components compute from the model, once per step, shared by
all of them, and the per-market cache that holds it (with the network layout and the figures)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cxsim.core.customers import summary_stages
from cxsim.core.firms import Firm
from cxsim.core.model import Market
from cxsim.core.rules import STAGES

__all__ = ["MAX_NETWORK_NODES", "SERIES", "DashboardData", "dashboard_data", "view"]

#: The network component draws every customer up to this population size.
MAX_NETWORK_NODES = 2_000

#: DataCollector metrics the plots read, each a (weeks, firms) series.
SERIES: tuple[str, ...] = (
    *STAGES,
    "npv",
    "mean_expectation",
    "mean_experienced",
    "mean_trust",
    "wom_positive",
    "wom_negative",
    "complaints",
    "silent",
)


class _History:
    """The collector's firm records for :data:`SERIES` as growing (weeks, firms) arrays: each
    update converts only the weeks collected since the last one.

    The records come through Mesa's public ``get_agenttype_vars_dataframe(Firm)`` (one row per
    collection and firm, in collection order); building that frame costs a few milliseconds for
    a five-year run, far below a redraw.
    """

    def __init__(self, firms: Sequence[str]) -> None:
        self.firms = list(firms)
        self.n = 0
        self._week = np.empty(64)
        self._data = {name: np.empty((64, len(self.firms))) for name in SERIES}

    def update(self, model: Market) -> None:
        n_firms = len(self.firms)
        total = len(model.datacollector.model_vars.get("week", ()))
        if total == self.n:
            return
        records = model.datacollector.get_agenttype_vars_dataframe(Firm)
        new = records.iloc[self.n * n_firms : total * n_firms]
        if total > self._week.size:
            size = max(total, 2 * self._week.size)
            self._week = np.resize(self._week, size)
            self._data = {k: np.resize(v, (size, v.shape[1])) for k, v in self._data.items()}
        # rows come in collection order, firms in column order within each collection
        firm = new["firm"].to_numpy(dtype=object).reshape(-1, n_firms)
        if not (firm == np.asarray(self.firms, dtype=object)).all():
            raise RuntimeError("dashboard: firm records out of column order")
        self._week[self.n : total] = new["week"].to_numpy(dtype=float)[::n_firms]
        for name in SERIES:
            self._data[name][self.n : total] = new[name].to_numpy(dtype=float).reshape(-1, n_firms)
        self.n = total

    def week(self) -> np.ndarray:
        return self._week[: self.n]

    def get(self, name: str) -> np.ndarray:
        return self._data[name][: self.n]


@dataclass
class DashboardData:
    """Everything the components draw, for one market at one step.

    Attributes:
        steps: the model's step count this data belongs to.
        week: (T,) week of each DataCollector row.
        firms: firm names, in column order.
        series: (T, F) per metric of :data:`SERIES`, plus ``cum_complaints`` and ``cum_silent``.
        node_stage: (n,) summary ladder stage code per customer (see
            :func:`cxsim.core.customers.summary_stages`), ``None`` above :data:`MAX_NETWORK_NODES`.
        n_customers, network_kind: for captions.
    """

    steps: int
    week: np.ndarray
    firms: list[str]
    series: dict[str, np.ndarray]
    node_stage: np.ndarray | None
    n_customers: int
    network_kind: str


@dataclass
class View:
    """Per-market cache: the history, the last data, the network layouts, the figures and
    their last pictures (``pngs``: chart key → (model step, PNG bytes))."""

    history: _History
    data: DashboardData | None = None
    layout: np.ndarray | None = None
    layouts: dict[Any, Any] = field(default_factory=dict)
    charts: dict[Any, Any] = field(default_factory=dict)
    pngs: dict[Any, tuple[int, bytes]] = field(default_factory=dict)
    layers: dict[Any, tuple[int, tuple[bytes, str]]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


_VIEWS: weakref.WeakKeyDictionary[Market, View] = weakref.WeakKeyDictionary()
_VIEWS_LOCK = threading.Lock()


def view(model: Market) -> View:
    """The market's cache, made on first use and dropped with the market."""
    with _VIEWS_LOCK:
        cached = _VIEWS.get(model)
        if cached is None:
            cached = View(_History([f.name for f in model.firms]))
            _VIEWS[model] = cached
        return cached


def dashboard_data(model: Market) -> DashboardData:
    """The components' data for the model's current step (computed once per step, cached)."""
    cache = view(model)
    with cache.lock:
        if cache.data is not None and cache.data.steps == model.steps:
            return cache.data
        hist = cache.history
        hist.update(model)
        series = {name: hist.get(name) for name in SERIES}
        series["cum_complaints"] = np.cumsum(series["complaints"], axis=0)
        series["cum_silent"] = np.cumsum(series["silent"], axis=0)
        n = model.customers.n
        node_stage = summary_stages(model.customers.stage) if n <= MAX_NETWORK_NODES else None
        cache.data = DashboardData(
            steps=model.steps,
            week=hist.week(),
            firms=list(hist.firms),
            series=series,
            node_stage=node_stage,
            n_customers=n,
            network_kind=model.network.kind,
        )
        return cache.data
