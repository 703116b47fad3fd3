"""The interactive dashboard: a Mesa SolaraViz page over :class:`cxsim.Market`.

Serve it in a browser (127.0.0.1 only)::

    solara run cxsim/app.py --host 127.0.0.1 --port 8765 --production
    python -c "from cxsim.viz.app import serve; serve(port=8765)"    # the same, blocking

or show it in a notebook cell (JupyterLab, classic notebook or VS Code)::

    from cxsim.viz.app import page
    page

``make_page(model)`` shows the same page over a model you built yourself, e.g.
``make_page(DashboardMarket(n_customers=500, network="barabasi_albert"))``.

The sidebar's sliders and selects are the parameters of the *next* market: set them, then press
**Reset** to build it; **Step** advances one week, **▶** plays, and "Render Interval" draws only
every k-th week while playing. The caption under the network says which market is on show.
Every plot is a matplotlib figure: with ``solara-assets`` (which ships the page's JavaScript)
the page works offline, which Altair components would not.

Performance: a step at 2,000 customers costs the model step plus the *data work* of the
components (:func:`dashboard_data`: one pass over the new DataCollector row and one vectorized
pass over the customer table), then the drawing. Figures are built once per market and updated
in place; the network's layout and its edges are computed and rasterized once per market.
``benchmarks/bench_app.py`` measures both.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import weakref
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from cxsim.core.customers import summary_stages
from cxsim.core.model import Market
from cxsim.core.network import NETWORK_KINDS, SocialNetwork
from cxsim.core.rules import STAGES
from cxsim.params import STRATEGIES, FirmSpec

__all__ = [
    "COMPONENTS",
    "DashboardData",
    "DashboardMarket",
    "MAX_NETWORK_NODES",
    "NETWORKS",
    "Page",
    "dashboard_data",
    "describe",
    "make_page",
    "model_params",
    "network_layout",
    "page",
    "render_all",
    "serve",
]

#: Network kinds offered by the dashboard (a complete graph is not a social network to draw).
NETWORKS: tuple[str, ...] = tuple(k for k in NETWORK_KINDS if k != "complete")

#: The network component draws every customer up to this population size.
MAX_NETWORK_NODES = 2_000
#: … and its contacts up to this many edges (a complete graph is drawn without them).
MAX_DRAWN_EDGES = 200_000

#: Colour of each ladder stage, in the order of :data:`cxsim.core.rules.STAGES`.
STAGE_COLORS: dict[str, str] = {
    "prospect": "#c8c8c8",
    "buyer": "#a6cee3",
    "repeat": "#1f78b4",
    "client": "#33a02c",
    "advocate": "#6a3d9a",
    "lost": "#e31a1c",
}
_STAGE_RGBA = np.array(
    [[int(STAGE_COLORS[s][i : i + 2], 16) / 255 for i in (1, 3, 5)] + [1.0] for s in STAGES]
)
#: Firm colours, by firm index (focal, rival, …).
FIRM_COLORS: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")

_DPI = 80
_PNG = {"compress_level": 1}  # fast PNG encoding: the images travel over a local socket


# --------------------------------------------------------------------------------------------
# The model behind the page
# --------------------------------------------------------------------------------------------


def parse_seed(seed: Any) -> int | None:
    """A seed from the page's text box: an integer, blank for a random one, any other text
    hashed to a number (so every input is a valid, reproducible seed)."""
    if seed is None:
        return None
    if isinstance(seed, bool):
        raise TypeError("seed must be an integer or text, not a bool")
    if isinstance(seed, int | np.integer):
        return int(seed)
    text = str(seed).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return zlib.crc32(text.encode("utf-8"))


class DashboardMarket(Market):
    """A :class:`~cxsim.Market` with two firms, built from flat keywords (what SolaraViz sets).

    Args:
        n_customers: population size.
        focal_strategy, rival_strategy: budget split presets (keys of
            :data:`cxsim.params.STRATEGIES`) of the firms named ``"focal"`` and ``"rival"``.
        budget: each firm's budget, currency per market customer per week.
        expectation_inflation: market-wide rise of expectations, quality units per week.
        trust_loss: share of trust lost on a miss (trust is won at ``trust_gain`` per met
            expectation: the asymmetry).
        voice_minor: probability that a small problem is voiced as a complaint.
        network: social network kind (one of :data:`NETWORKS`, or ``"complete"``).
        seed: integer seed; text is hashed, blank or ``None`` draws a fresh one.
        **params: any other scalar parameter of :mod:`cxsim.params` by its flat name; also
            ``scenario`` (a cxsim Scenario to start from) and ``rng`` (overrides ``seed``).
    """

    def __init__(
        self,
        n_customers: int = 1000,
        focal_strategy: str = "retention_focus",
        rival_strategy: str = "acquisition_focus",
        budget: float = 0.10,
        expectation_inflation: float = 0.002,
        trust_loss: float = 0.20,
        voice_minor: float = 1 / 26,
        network: str = "watts_strogatz",
        seed: Any = 42,
        **params: Any,
    ) -> None:
        rng = params.pop("rng", None)
        # SolaraViz's Reset passes Mesa's own Scenario as ``scenario=``; Market accepts it and
        # takes its rng when it carries one, otherwise the dashboard's seed decides
        scenario = params.pop("scenario", None)
        if rng is None and getattr(scenario, "rng", None) is None:
            rng = parse_seed(seed)
        firms = [
            FirmSpec(name="focal", strategy=focal_strategy, budget=float(budget)),
            FirmSpec(name="rival", strategy=rival_strategy, budget=float(budget)),
        ]
        super().__init__(
            scenario,
            rng=rng,
            firms=firms,
            n_customers=int(n_customers),
            expectation_inflation=float(expectation_inflation),
            trust_loss=float(trust_loss),
            voice_minor=float(voice_minor),
            network=network,
            **params,
        )


def model_params() -> dict[str, Any]:
    """SolaraViz ``model_params``: the sidebar's inputs, one per keyword of DashboardMarket."""
    return {
        "n_customers": {
            "type": "SliderInt",
            "label": "Customers",
            "value": 1000,
            "min": 200,
            "max": 2000,
            "step": 100,
        },
        "focal_strategy": {
            "type": "Select",
            "label": "Focal firm's strategy",
            "value": "retention_focus",
            "values": list(STRATEGIES),
        },
        "rival_strategy": {
            "type": "Select",
            "label": "Rival's strategy",
            "value": "acquisition_focus",
            "values": list(STRATEGIES),
        },
        "budget": {
            "type": "SliderFloat",
            "label": "Budget per firm",
            "value": 0.10,
            "min": 0.0,
            "max": 0.3,
            "step": 0.01,
        },
        "expectation_inflation": {
            "type": "SliderFloat",
            "label": "Expectation inflation",
            "value": 0.002,
            "min": 0.0,
            "max": 0.02,
            "step": 0.001,
        },
        "trust_loss": {
            "type": "SliderFloat",
            "label": "Trust loss on a miss",
            "value": 0.20,
            "min": 0.0,
            "max": 0.6,
            "step": 0.02,
        },
        "voice_minor": {
            "type": "SliderFloat",
            "label": "Complaint voice rate",
            "value": 0.038,
            "min": 0.0,
            "max": 0.5,
            "step": 0.002,
        },
        "network": {
            "type": "Select",
            "label": "Social network",
            "value": "watts_strogatz",
            "values": list(NETWORKS),
        },
        "seed": {"type": "InputText", "label": "Seed (blank: random)", "value": "42"},
    }


def _defaults() -> dict[str, Any]:
    return {name: spec["value"] for name, spec in model_params().items()}


# --------------------------------------------------------------------------------------------
# Data work: what the components compute from the model, once per step, shared by all of them
# --------------------------------------------------------------------------------------------

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
    """The DataCollector's rows for :data:`SERIES` as growing (weeks, firms) arrays: each step
    converts only the new rows."""

    def __init__(self, firms: Sequence[str]) -> None:
        self.firms = list(firms)
        self.n = 0
        self._week = np.empty(64)
        self._data = {name: np.empty((64, len(self.firms))) for name in SERIES}

    def update(self, model: Market) -> None:
        mv = model.datacollector.model_vars
        total = len(mv["week"])
        if total == self.n:
            return
        if total > self._week.size:
            size = max(total, 2 * self._week.size)
            self._week = np.resize(self._week, size)
            self._data = {k: np.resize(v, (size, v.shape[1])) for k, v in self._data.items()}
        new = slice(self.n, total)
        self._week[new] = mv["week"][new]
        for name in SERIES:
            rows = mv[name][new]
            self._data[name][new] = [[row[f] for f in self.firms] for row in rows]
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
class _View:
    """Per-market cache: the history, the last data, the network picture and the figures."""

    history: _History
    data: DashboardData | None = None
    layout: np.ndarray | None = None
    edges: np.ndarray | None = None
    charts: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


_VIEWS: weakref.WeakKeyDictionary[Market, _View] = weakref.WeakKeyDictionary()
_VIEWS_LOCK = threading.Lock()


def _view(model: Market) -> _View:
    with _VIEWS_LOCK:
        view = _VIEWS.get(model)
        if view is None:
            view = _View(_History([f.name for f in model.firms]))
            _VIEWS[model] = view
        return view


def dashboard_data(model: Market) -> DashboardData:
    """The components' data for the model's current step (computed once per step, cached)."""
    view = _view(model)
    with view.lock:
        if view.data is not None and view.data.steps == model.steps:
            return view.data
        hist = view.history
        hist.update(model)
        series = {name: hist.get(name) for name in SERIES}
        series["cum_complaints"] = np.cumsum(series["complaints"], axis=0)
        series["cum_silent"] = np.cumsum(series["silent"], axis=0)
        n = model.customers.n
        node_stage = summary_stages(model.customers.stage) if n <= MAX_NETWORK_NODES else None
        view.data = DashboardData(
            steps=model.steps,
            week=hist.week(),
            firms=list(hist.firms),
            series=series,
            node_stage=node_stage,
            n_customers=n,
            network_kind=model.network.kind,
        )
        return view.data


# --------------------------------------------------------------------------------------------
# Network layout: once per market
# --------------------------------------------------------------------------------------------


def _edge_list(network: SocialNetwork) -> tuple[np.ndarray, np.ndarray]:
    """Each undirected edge once, as (u, v) with u < v."""
    n = network.n
    if network.complete:
        u, v = np.triu_indices(n, k=1)
        return u, v
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(network.indptr))
    cols = np.asarray(network.indices, dtype=np.int64)
    upper = rows < cols
    return rows[upper], cols[upper]


def network_layout(
    network: SocialNetwork, *, seed: int = 0, iterations: int = 30, sample: int = 48
) -> np.ndarray:
    """(n, 2) node positions in [-1, 1]², fast enough to compute once per market.

    Ring lattices and Watts-Strogatz small worlds sit on a ring in id order (their lattice is
    that ring, so the picture shows the local clustering and the rewired shortcuts crossing it;
    above 100 nodes the ring is a band of random width so that nodes do not overlap); other
    networks get a Fruchterman-Reingold force layout whose repulsion is estimated from a random
    sample of ``sample`` nodes per iteration (``O(n·sample)`` instead of ``O(n²)``), which takes
    a fraction of a second at 2,000 nodes where networkx's spring layout takes seconds. Uses its
    own random numbers: the market's stream is untouched.
    """
    n = network.n
    rng = np.random.default_rng(seed)
    if network.kind in ("watts_strogatz", "ring_lattice", "complete") or n < 3:
        theta = 2.0 * np.pi * np.arange(n) / max(n, 1)
        # a band rather than a thin circle, so that 2,000 nodes do not hide one another
        radius = 1.0 - 0.35 * rng.random(n) if n > 100 else np.ones(n)
        return np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    u, v = _edge_list(network)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)).astype(np.float32)
    k = np.float32(2.0 / np.sqrt(n))  # ideal edge length
    m = min(sample, n)
    temp = 0.2
    for _ in range(iterations):
        s = rng.choice(n, size=m, replace=False)
        delta = pos[:, None, :] - pos[None, s, :]
        d2 = np.einsum("ijk,ijk->ij", delta, delta) + np.float32(1e-6)
        disp = np.einsum("ijk,ij->ik", delta, (k * k) / d2) * np.float32(n / m)
        e = pos[u] - pos[v]
        f = e * (np.sqrt((e * e).sum(axis=1)) / k)[:, None]
        for dim in (0, 1):
            disp[:, dim] -= np.bincount(u, f[:, dim], n) - np.bincount(v, f[:, dim], n)
        disp -= np.float32(0.05 * n * k) * pos  # gravity keeps components together
        length = np.sqrt((disp * disp).sum(axis=1)) + np.float32(1e-9)
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp *= 0.92
    pos = pos.astype(float)
    pos -= pos.mean(axis=0)
    return pos / max(np.abs(pos).max(), 1e-12)


def cached_layout(model: Market) -> np.ndarray:
    """The market's layout, computed on first use and kept for the market's lifetime."""
    view = _view(model)
    with view.lock:
        if view.layout is None:
            view.layout = network_layout(model.network)
        return view.layout


# --------------------------------------------------------------------------------------------
# Drawing: figures built once per market, updated in place each step
# --------------------------------------------------------------------------------------------


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs=_PNG)
    return buf.getvalue()


def _style(ax) -> None:
    ax.tick_params(labelsize=7, length=2)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(True, axis="y", lw=0.4, alpha=0.4)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


class _NetworkChart:
    """Customers on the network coloured by ladder stage; edges rasterized once."""

    def __init__(self, model: Market, data: DashboardData) -> None:
        pos = cached_layout(model)
        n = pos.shape[0]
        fig = Figure(figsize=(4.4, 4.1), dpi=_DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.02, 0.12, 0.96, 0.82))
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.axis("off")
        net = model.network
        drawable = not net.complete and net.indices.size <= 2 * MAX_DRAWN_EDGES
        u, v = _edge_list(net) if drawable else (np.empty(0, dtype=np.int64),) * 2
        if u.size:
            alpha = float(np.clip(1200 / u.size, 0.05, 0.4))
            edges = LineCollection(
                np.stack([pos[u], pos[v]], axis=1),
                colors="#555555",
                linewidths=0.35,
                alpha=alpha,
                zorder=1,
            )
            ax.add_collection(edges)
            fig.canvas.draw()  # rasterize the edges once, keep them as a background image
            background = np.asarray(fig.canvas.buffer_rgba()).copy()
            edges.remove()
            fig.figimage(background, zorder=-1)
        size = float(np.clip(14_000 / n, 4.0, 40.0))
        self.nodes = ax.scatter(
            pos[:, 0], pos[:, 1], s=size, linewidths=0, zorder=2, c=_STAGE_RGBA[data.node_stage]
        )
        self.title = fig.suptitle("", fontsize=9, y=0.99)
        handles = [Line2D([], [], ls="", marker="o", ms=5, color=STAGE_COLORS[s]) for s in STAGES]
        self.legend = fig.legend(
            handles,
            list(STAGES),
            loc="lower center",
            ncol=3,
            fontsize=7,
            frameon=False,
            handletextpad=0.2,
            columnspacing=0.8,
        )
        self.fig = fig

    def update(self, data: DashboardData) -> None:
        codes = data.node_stage
        self.nodes.set_facecolor(_STAGE_RGBA[codes])
        counts = np.bincount(codes, minlength=len(STAGES))
        for text, stage, count in zip(self.legend.get_texts(), STAGES, counts, strict=True):
            text.set_text(f"{stage} {count:,}")
        self.title.set_text(f"Week {_week(data):g}: customers by highest ladder stage")


@dataclass(frozen=True)
class _Line:
    key: str  # series name
    firm: int
    label: str
    color: str
    style: str = "-"
    axis: int = 0


class _LineChart:
    """A small line chart whose lines are updated in place."""

    def __init__(
        self,
        title: str,
        ylabel: str,
        lines: Sequence[_Line],
        *,
        ncols: int = 1,
        subtitles: Sequence[str] = (),
        legend_cols: int = 2,
    ) -> None:
        fig = Figure(figsize=(5.4, 4.1), dpi=_DPI)
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, ncols, sharey=True, squeeze=False)[0]
        fig.subplots_adjust(left=0.12, right=0.98, top=0.88, bottom=0.22, wspace=0.08)
        fig.suptitle(title, fontsize=9, y=0.975)
        for i, ax in enumerate(axes):
            _style(ax)
            ax.set_xlabel("week", fontsize=7, labelpad=1)
            if i < len(subtitles):
                ax.set_title(subtitles[i], fontsize=8, pad=2)
        axes[0].set_ylabel(ylabel, fontsize=7)
        self.specs = list(lines)
        self.lines = [
            axes[s.axis].plot([], [], s.style, color=s.color, lw=1.2, label=s.label)[0]
            for s in self.specs
        ]
        handles = [ln for ln, s in zip(self.lines, self.specs, strict=True) if s.axis == 0]
        fig.legend(
            handles,
            [h.get_label() for h in handles],
            loc="lower center",
            ncol=legend_cols,
            fontsize=7,
            frameon=False,
            handlelength=1.8,
            columnspacing=1.0,
        )
        self.axes = axes
        self.fig = fig

    def update(self, data: DashboardData) -> None:
        x = data.week
        marker = "o" if x.size < 2 else "None"  # a single point is drawn as a dot
        for line, spec in zip(self.lines, self.specs, strict=True):
            line.set_data(x, data.series[spec.key][:, spec.firm])
            line.set_marker(marker)
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view()
            if x.size < 2:  # a single point: give the axes some width, keep autoscaling on
                x0 = float(x[0]) if x.size else 0.0
                ax.set_xlim(x0 - 1.0, x0 + 1.0, auto=True)


def _week(data: DashboardData) -> float:
    return float(data.week[-1]) if data.week.size else 0.0


def _per_firm(firms: Sequence[str], key: str, what: str = "", style: str = "-") -> list[_Line]:
    return [
        _Line(key, i, f"{name} {what}".strip(), FIRM_COLORS[i % len(FIRM_COLORS)], style)
        for i, name in enumerate(firms)
    ]


def _pairs(firms, first: tuple[str, str], second: tuple[str, str]) -> list[_Line]:
    out: list[_Line] = []
    for i, name in enumerate(firms):
        color = FIRM_COLORS[i % len(FIRM_COLORS)]
        out.append(_Line(first[0], i, f"{name}: {first[1]}", color, "-"))
        out.append(_Line(second[0], i, f"{name}: {second[1]}", color, "--"))
    return out


def _ladder_chart(data: DashboardData) -> _LineChart:
    lines = [
        _Line(stage, f, stage, STAGE_COLORS[stage], "-", axis=f)
        for f in range(len(data.firms))
        for stage in STAGES
    ]
    return _LineChart(
        "Customers by ladder stage",
        "customers",
        lines,
        ncols=len(data.firms),
        subtitles=data.firms,
        legend_cols=6,
    )


#: Chart name → (builder from (model, data), one-line caption). Order = order on the page.
CHARTS: dict[str, tuple[Callable[[Market, DashboardData], Any], str]] = {
    "network": (lambda m, d: _NetworkChart(m, d), "customers on the social network"),
    "ladder": (lambda m, d: _ladder_chart(d), "customers at each ladder stage, per firm"),
    "profit": (
        lambda m, d: _LineChart("Cumulative profit (NPV)", "currency", _per_firm(d.firms, "npv")),
        "cumulative discounted profit per firm",
    ),
    "expectations": (
        lambda m, d: _LineChart(
            "Expectation vs experienced quality",
            "quality units",
            _pairs(d.firms, ("mean_expectation", "expected"), ("mean_experienced", "experienced")),
        ),
        "mean expectation of each firm's customers vs quality they experienced",
    ),
    "trust": (
        lambda m, d: _LineChart(
            "Mean trust of customers", "trust [0, 1]", _per_firm(d.firms, "mean_trust")
        ),
        "mean trust of each firm's customers",
    ),
    "word_of_mouth": (
        lambda m, d: _LineChart(
            "Word of mouth (messages per week)",
            "messages",
            _pairs(d.firms, ("wom_positive", "positive"), ("wom_negative", "negative")),
        ),
        "positive vs negative word of mouth about each firm",
    ),
    "complaints": (
        lambda m, d: _LineChart(
            "Voiced vs silent dissatisfaction (cumulative)",
            "customers",
            _pairs(d.firms, ("cum_complaints", "voiced"), ("cum_silent", "silent")),
        ),
        "disappointed customers who complained vs those who said nothing",
    ),
}


def render_chart(model: Market, name: str) -> bytes:
    """PNG of one chart for the model's current step (the figure is kept and updated)."""
    data = dashboard_data(model)
    view = _view(model)
    with view.lock:
        chart = view.charts.get(name)
        if chart is None:
            chart = CHARTS[name][0](model, data)
            view.charts[name] = chart
        chart.update(data)
        return _png(chart.fig)


def render_all(model: Market) -> dict[str, bytes]:
    """PNGs of every chart (what one dashboard refresh draws)."""
    return {name: render_chart(model, name) for name in CHARTS}


# --------------------------------------------------------------------------------------------
# Solara components
# --------------------------------------------------------------------------------------------


def _chart_component(name: str):
    caption = CHARTS[name][1]

    @solara.component
    def Chart(model: Market):
        update_counter.get()  # re-render when the controller steps or resets the model
        too_big = name == "network" and model.customers.n > MAX_NETWORK_NODES
        png = solara.use_memo(
            lambda: None if too_big else render_chart(model, name), [model, model.steps]
        )
        if png is None:
            return solara.Info(
                f"The network view draws up to {MAX_NETWORK_NODES:,} customers; "
                f"this market has {model.customers.n:,}."
            )
        with solara.Column(gap="0px", style={"align-items": "center"}) as column:
            solara.Image(png, format="png", classes=["cxsim-plot", f"cxsim-plot-{name}"])
            if name == "network":
                first, second = describe(model).split("\n")
                style = {"font-size": "0.8em", "text-align": "center", "line-height": "1.3"}
                solara.Text(first, classes=["cxsim-caption"], style=style)
                solara.Text(second, classes=["cxsim-caption-levers"], style=style)
        return column

    Chart.__name__ = f"{name.title().replace('_', '')}Chart"
    Chart.__doc__ = f"Dashboard component: {caption}."
    return Chart


def describe(model: Market) -> str:
    """Two lines on the market on show: the sidebar's inputs apply only after Reset."""
    cfg = model.config
    firms = " vs ".join(f"{f.name} {f.spec.strategy}" for f in model.firms)
    budgets = "/".join(f"{f.spec.budget:g}" for f in model.firms)
    return (
        f"Week {model.week:g} · {model.customers.n:,} customers · {model.network.kind}\n"
        f"{firms} · budget {budgets} · inflation {cfg.market.expectation_inflation:g} · "
        f"trust loss {cfg.customers.trust_loss:g} · voice {cfg.customers.voice_minor:.3g}"
    )


#: SolaraViz components, all on the first page.
COMPONENTS: list[tuple[Any, int]] = [(_chart_component(name), 0) for name in CHARTS]


def make_page(model: Market | None = None, **params: Any):
    """The dashboard as a SolaraViz element over ``model`` (default: a DashboardMarket with the
    sidebar's defaults, overridden by ``params``). Display it in a notebook cell."""
    if model is None:
        model = DashboardMarket(**{**_defaults(), **params})
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(),
        name="cxsim: customer-centric strategy",
        play_interval=50,
    )


@solara.component
def Page():
    """The page that ``solara run cxsim/app.py`` serves: every browser session gets its own
    market, built with the sidebar's defaults."""
    model = solara.use_memo(lambda: DashboardMarket(**_defaults()), [])
    return make_page(model)


#: The page as an element: ``from cxsim.viz.app import page; page`` shows it in a notebook.
page = Page()


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the dashboard (``solara run`` on this file, production mode); blocks until stopped.

    Returns the server's exit status.
    """
    # NB: no ``if __name__ == "__main__"`` block in this file: solara runs it as __main__.
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(Path(__file__).resolve()),
        "--host",
        str(host),
        "--port",
        str(int(port)),
        "--production",
    ]
    return subprocess.call(cmd)
