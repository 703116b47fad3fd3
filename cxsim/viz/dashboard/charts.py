"""The dashboard's charts: small matplotlib figures built once per market and updated in place
each step, and the registry :data:`CHARTS` (name → builder and caption, in page order).

Colours come from :mod:`cxsim.viz.style`: one series colour per firm (:data:`PALETTE` order) and
one colour per ladder stage, the same as in the notebooks' figures.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from cxsim.core.metrics import METRIC_INFO
from cxsim.core.model import Market
from cxsim.core.rules import STAGES
from cxsim.viz.dashboard.data import DashboardData, dashboard_data, view
from cxsim.viz.dashboard.network_view import NetworkChart
from cxsim.viz.style import GRID_COLOR, STAGE_COLORS, series_color

__all__ = ["CHARTS", "render_all", "render_chart"]

_DPI = 80
_PNG = {"compress_level": 1}  # fast PNG encoding: the images travel over a local socket


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs=_PNG)
    return buf.getvalue()


def _style_axes(ax: Axes) -> None:
    """The house style (no top or right spines, a light horizontal grid) at dashboard size."""
    ax.tick_params(labelsize=7, length=2)
    ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(True, axis="y", color=GRID_COLOR, lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


@dataclass(frozen=True)
class Line:
    """One line of a :class:`LineChart`: a series of one firm."""

    key: str  # series name
    firm: int
    label: str
    color: str
    style: str = "-"
    axis: int = 0


class LineChart:
    """A small line chart whose lines are updated in place."""

    def __init__(
        self,
        title: str,
        ylabel: str,
        lines: Sequence[Line],
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
            _style_axes(ax)
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


def _unit(metric: str) -> str:
    """A metric's unit, as the metric registry declares it (the y-axis label)."""
    return METRIC_INFO[metric].unit


def _per_firm(firms: Sequence[str], key: str, what: str = "", style: str = "-") -> list[Line]:
    return [
        Line(key, i, f"{name} {what}".strip(), series_color(i), style)
        for i, name in enumerate(firms)
    ]


def _pairs(firms: Sequence[str], first: tuple[str, str], second: tuple[str, str]) -> list[Line]:
    out: list[Line] = []
    for i, name in enumerate(firms):
        color = series_color(i)
        out.append(Line(first[0], i, f"{name}: {first[1]}", color, "-"))
        out.append(Line(second[0], i, f"{name}: {second[1]}", color, "--"))
    return out


def _ladder_chart(data: DashboardData) -> LineChart:
    lines = [
        Line(stage, f, stage, STAGE_COLORS[stage], "-", axis=f)
        for f in range(len(data.firms))
        for stage in STAGES
    ]
    return LineChart(
        "Customers by ladder stage",
        _unit("prospect"),
        lines,
        ncols=len(data.firms),
        subtitles=data.firms,
        legend_cols=6,
    )


#: Chart name → (builder from (model, data), one-line caption). Order = order on the page.
CHARTS: dict[str, tuple[Callable[[Market, DashboardData], Any], str]] = {
    "network": (
        lambda m, d: NetworkChart(m, d, dpi=_DPI),
        "customers on the social network",
    ),
    "ladder": (lambda m, d: _ladder_chart(d), "customers at each ladder stage, per firm"),
    "profit": (
        lambda m, d: LineChart("Cumulative profit (NPV)", _unit("npv"), _per_firm(d.firms, "npv")),
        "cumulative discounted profit per firm",
    ),
    "expectations": (
        lambda m, d: LineChart(
            "Expectation vs experienced quality",
            _unit("mean_expectation"),
            _pairs(d.firms, ("mean_expectation", "expected"), ("mean_experienced", "experienced")),
        ),
        "mean expectation of each firm's customers vs quality they experienced",
    ),
    "trust": (
        lambda m, d: LineChart(
            "Mean trust of customers", _unit("mean_trust"), _per_firm(d.firms, "mean_trust")
        ),
        "mean trust of each firm's customers",
    ),
    "word_of_mouth": (
        lambda m, d: LineChart(
            "Word of mouth",
            _unit("wom_positive"),
            _pairs(d.firms, ("wom_positive", "positive"), ("wom_negative", "negative")),
        ),
        "positive vs negative word of mouth about each firm",
    ),
    "complaints": (
        lambda m, d: LineChart(
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
    cache = view(model)
    with cache.lock:
        chart = cache.charts.get(name)
        if chart is None:
            chart = CHARTS[name][0](model, data)
            cache.charts[name] = chart
        chart.update(data)
        return _png(chart.fig)


def render_all(model: Market) -> dict[str, bytes]:
    """PNGs of every chart (what one dashboard refresh draws)."""
    return {name: render_chart(model, name) for name in CHARTS}
