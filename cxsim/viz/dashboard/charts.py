"""The dashboard's charts: matplotlib figures built once per market and updated in place, and the
registry :data:`CHARTS` (name → builder, caption and title, in page order).

Drawn for a projector and for speed:

* every text on a figure is at least :data:`MIN_FONT_PX` pixels high (:data:`FONT_PX`), and
  figures are :data:`WIDTH_PX` × :data:`HEIGHT_PX` pixels, shown at that size;
* the x-axis grows in steps (a quarter, half a year, a year, two, ... up to the scenario's
  horizon ``market.weeks``: :data:`X_STEPS`) and the y-axis in steps to round numbers with
  headroom (:func:`nice_limits`), so the axes move only a few times a run;
* the axes, ticks, labels and legend are drawn once per set of limits and kept as a background;
  each week restores it and draws only the lines (:meth:`LineChart.update`), then encodes the
  picture straight from the canvas (:func:`png`). A full redraw happens only when the limits
  change.

Colours come from :mod:`cxsim.viz.style`: one series colour per firm (:data:`PALETTE` order) and
one colour per ladder stage, the same as in the notebooks' figures.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from cxsim.core.metrics import METRIC_INFO
from cxsim.core.model import Market
from cxsim.core.rules import STAGES
from cxsim.viz.dashboard.data import DashboardData, dashboard_data, view
from cxsim.viz.dashboard.network_view import NetworkChart
from cxsim.viz.style import GRID_COLOR, STAGE_COLORS, series_color

__all__ = [
    "CHARTS",
    "chart_layers",
    "DPI",
    "FONT_PX",
    "HEIGHT_PX",
    "MIN_FONT_PX",
    "WIDTH_PX",
    "ChartSpec",
    "LineChart",
    "nice_limits",
    "png",
    "pt",
    "render_all",
    "render_chart",
]

#: Resolution of the figures: a point is DPI/72 pixels.
DPI = 100
#: Size of a chart on the page, in pixels (the page shows it at this size).
WIDTH_PX, HEIGHT_PX = 440, 330
#: The smallest text on a chart, in pixels: legible on a projector from the back of a room.
MIN_FONT_PX = 14
#: Where the x-axis ends as a market runs (weeks), before the horizon: it widens in these steps.
X_STEPS: tuple[int, ...] = (13, 26, 52, 104, 156, 208)
#: Text sizes, in pixels.
FONT_PX = {"tick": 15, "label": 15, "legend": 15, "subtitle": 16}


def pt(px: float) -> float:
    """Font size in points for a height of ``px`` pixels at :data:`DPI`."""
    return px * 72.0 / DPI


def png(fig: Figure) -> bytes:
    """The canvas as it is now, PNG-encoded (no redraw: what was drawn last is what is sent).

    Written directly: RGB rows without PNG's per-row filters, deflated at zlib level 1. For
    these mostly white pictures that is half the time of a general encoder, and smaller.
    """
    pixels = np.asarray(fig.canvas.buffer_rgba())
    height, width = pixels.shape[:2]
    raw = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # filter byte 0 ("none") per row
    raw[:, 1:] = pixels[:, :, :3].reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _figure() -> Figure:
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def short_number(value: float, _pos: Any = None) -> str:
    """A tick label that stays short: ``12.5k`` for 12,500, ``2M`` for two million.

    >>> short_number(12500), short_number(2_000_000), short_number(0.25), short_number(800)
    ('12.5k', '2M', '0.25', '800')
    """
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            scale = 1e3 if suffix == "k" else size
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def _style_axes(ax: Axes) -> None:
    """The house style (no top or right spines, a light horizontal grid) at projector size."""
    ax.tick_params(labelsize=pt(FONT_PX["tick"]), length=3)
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_formatter(FuncFormatter(short_number))
    ax.grid(True, axis="y", color=GRID_COLOR, lw=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def nice_limits(
    low: float, high: float, current: tuple[float, float] | None = None, *, headroom: float = 0.3
) -> tuple[float, float]:
    """Y-limits that hold ``[low, high]``: ``current`` when they already do, else round numbers
    (the outer ticks of a 5-tick axis) around the range widened by ``headroom`` of its span on
    the side that grew, so that a growing series moves the axis only now and then.

    >>> nice_limits(0.0, 412.0)
    (0.0, 600.0)
    >>> nice_limits(0.0, 580.0, (0.0, 600.0))
    (0.0, 600.0)
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return current or (0.0, 1.0)
    if current is not None and current[0] <= low and high <= current[1]:
        return current
    span = high - low
    if span <= 0:
        span = abs(high) * 0.1 or 1.0
    grow_low = current is None or low < current[0]
    grow_high = current is None or high > current[1]
    lo = low - (headroom * span if grow_low and low < 0 else 0.02 * span)
    hi = high + (headroom * span if grow_high else 0.02 * span)
    if low >= 0 > lo:
        lo = 0.0
    ticks = MaxNLocator(5).tick_values(lo, hi)
    new_low, new_high = float(ticks[0]), float(ticks[-1])
    if low >= 0 > new_low:
        new_low = 0.0  # counts and shares never show negative space
    if current is not None:  # never shrink while a market runs: the axis only grows
        new_low, new_high = min(new_low, current[0]), max(new_high, current[1])
    return new_low, new_high


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
    """A line chart over the market's horizon whose lines are redrawn on a kept background.

    Attributes:
        lines: the matplotlib lines, in the order of ``specs``.
        redraws: how many times the whole figure was drawn (limits changed).
        updates: how many times the lines were drawn.
    """

    def __init__(
        self,
        title: str,
        ylabel: str,
        lines: Sequence[Line],
        *,
        horizon: float = 260.0,
        ncols: int = 1,
        subtitles: Sequence[str] = (),
        legend_cols: int = 2,
        ylim: tuple[float, float] | None = None,
        grows: bool = False,
    ) -> None:
        fig = _figure()
        axes = fig.subplots(1, ncols, sharey=True, squeeze=False)[0]
        legend_rows = math.ceil(len([s for s in lines if s.axis == 0]) / legend_cols)
        bottom = 0.2 + 0.068 * legend_rows
        top = 0.9 if subtitles else 0.96
        fig.subplots_adjust(left=0.17, right=0.96, top=top, bottom=bottom, wspace=0.22)
        self.title = title
        self.horizon = float(horizon)
        for i, ax in enumerate(axes):
            _style_axes(ax)
            ax.set_xlabel("week", fontsize=pt(FONT_PX["label"]), labelpad=1)
            if i < len(subtitles):
                ax.set_title(subtitles[i], fontsize=pt(FONT_PX["subtitle"]), pad=3)
        axes[0].set_ylabel(ylabel, fontsize=pt(FONT_PX["label"]))
        self.specs = list(lines)
        self.lines = [
            axes[s.axis].plot([], [], s.style, color=s.color, lw=2.0, label=s.label, animated=True)[
                0
            ]
            for s in self.specs
        ]
        handles = [ln for ln, s in zip(self.lines, self.specs, strict=True) if s.axis == 0]
        fig.legend(
            handles,
            [h.get_label() for h in handles],
            loc="lower center",
            ncol=legend_cols,
            fontsize=pt(FONT_PX["legend"]),
            frameon=False,
            handlelength=1.6,
            columnspacing=0.9,
            handletextpad=0.4,
            borderaxespad=0.2,
        )
        self.axes = axes
        self.fig = fig
        self.fixed_ylim = ylim
        self.grows = grows
        self.ylim: tuple[float, float] | None = None
        self.xlim: tuple[float, float] | None = None
        self._background: Any = None
        #: The chart without its lines, as a PNG (made again only when the axes move).
        self.background: bytes = b""
        #: Prefix of the SVG's element ids (unique on a page: the chart's title, slugged).
        self.svg_id = "cxsim-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        self.redraws = 0
        self.updates = 0

    def _x_limits(self, x: np.ndarray) -> tuple[float, float]:
        """0 to the next of a quarter, half a year, one year, two, three... up to the horizon
        (then whole years past it): the axis widens a few times a run, never every week."""
        last = float(x[-1]) if x.size else 0.0
        if last > self.horizon:
            return 0.0, math.ceil(last / 52.0) * 52.0
        for end in (*(w for w in X_STEPS if w < self.horizon), self.horizon):
            if last < end or end == self.horizon:
                return 0.0, max(float(end), 1.0)
        return 0.0, max(self.horizon, 1.0)  # pragma: no cover - the loop always returns

    def update(self, data: DashboardData) -> None:
        """Show ``data``: new points on the lines; a full redraw only if the limits change."""
        x = data.week
        marker = "o" if x.size < 2 else "None"  # a single point is drawn as a dot
        low, high = math.inf, -math.inf
        for line, spec in zip(self.lines, self.specs, strict=True):
            y = data.series[spec.key][:, spec.firm]
            line.set_data(x, y)
            line.set_marker(marker)
            finite = y[np.isfinite(y)]
            if finite.size:
                low, high = min(low, float(finite.min())), max(high, float(finite.max()))
        xlim = self._x_limits(x)
        if low > high:  # nothing to show yet
            ylim = self.ylim or self.fixed_ylim or (0.0, 1.0)
        elif self.fixed_ylim is not None:
            ylim = nice_limits(low, high, self.ylim or self.fixed_ylim)
        elif self.grows and x.size >= 2 and x[-1] > x[0]:
            # room for the lines to go on as they went so far, to the end of the x-axis
            reach = (xlim[1] - x[0]) / (x[-1] - x[0])
            ends = [
                y[0] + (y[-1] - y[0]) * reach
                for y in (data.series[s.key][:, s.firm] for s in self.specs)
                if np.isfinite(y[0]) and np.isfinite(y[-1])
            ]
            ylim = nice_limits(low, max([high, *ends]), self.ylim, headroom=0.05)
        else:
            ylim = nice_limits(low, high, self.ylim)
        canvas = self.fig.canvas
        if self._background is None or ylim != self.ylim or xlim != self.xlim:
            self.ylim, self.xlim = ylim, xlim
            for ax in self.axes:
                ax.set_xlim(*xlim)
                ax.set_ylim(*ylim)
                ax.xaxis.set_major_locator(_week_locator(xlim[1], len(self.axes)))
            canvas.draw()  # everything but the (animated) lines
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self.background = png(self.fig)
            self.redraws += 1
        self.updates += 1

    def picture(self) -> bytes:
        """The whole chart as a PNG: the kept background and the lines drawn on it."""
        self.fig.canvas.restore_region(self._background)
        for line, spec in zip(self.lines, self.specs, strict=True):
            self.axes[spec.axis].draw_artist(line)
        return png(self.fig)

    def svg(self) -> str:
        """The lines alone, as an SVG the size of the figure in pixels (drawn over
        :attr:`background` on the page: a week's change is a few kilobytes of text, not a
        picture to encode, send and decode)."""
        width, height = self.fig.canvas.get_width_height()
        parts = [_svg_open(width, height)]
        clips = []
        for i, ax in enumerate(self.axes):
            x0, y0, x1, y1 = ax.bbox.extents
            clips.append(
                f'<clipPath id="{{id}}-{i}"><rect x="{x0:.1f}" y="{height - y1:.1f}" '
                f'width="{x1 - x0:.1f}" height="{y1 - y0:.1f}"/></clipPath>'
            )
        parts.append("<defs>" + "".join(clips) + "</defs>")
        for line, spec in zip(self.lines, self.specs, strict=True):
            ax = self.axes[spec.axis]
            x, y = (np.asarray(v, dtype=float) for v in line.get_data())
            points = ax.transData.transform(np.column_stack([x, y])) if x.size else np.empty((0, 2))
            points[:, 1] = height - points[:, 1]
            attrs = _stroke(line)
            clip = f'clip-path="url(#{{id}}-{spec.axis})"'
            if x.size == 1:
                if np.isfinite(points).all():
                    cx, cy = points[0]
                    parts.append(
                        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{line.get_color()}" '
                        f"{clip}/>"
                    )
                continue
            for run in _finite_runs(points):
                coords = " ".join(f"{v:.1f}" for v in run.ravel())
                parts.append(f'<polyline points="{coords}" {attrs} {clip}/>')
        parts.append("</svg>")
        return "".join(parts).replace("{id}", self.svg_id)


def _svg_open(width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="none">'
    )


def _stroke(line: Any) -> str:
    """SVG stroke attributes that draw ``line`` as matplotlib would (colour, width, dashes)."""
    px = DPI / 72.0
    width = line.get_linewidth() * px
    attrs = (
        f'fill="none" stroke="{line.get_color()}" stroke-width="{width:.2f}" '
        'stroke-linejoin="round"'
    )
    if line.get_linestyle() == "--":  # matplotlib's dashes, scaled with the line width
        dashes = mpl.rcParams["lines.dashed_pattern"]
        scale = line.get_linewidth() * px if mpl.rcParams["lines.scale_dashes"] else px
        attrs += ' stroke-dasharray="' + ",".join(f"{d * scale:.1f}" for d in dashes) + '"'
    return attrs


def _finite_runs(points: np.ndarray) -> list[np.ndarray]:
    """The stretches of ``points`` (n, 2) without a missing value, each at least 2 long."""
    ok = np.isfinite(points).all(axis=1)
    runs, start = [], None
    for i, good in enumerate(ok.tolist() + [False]):
        if good and start is None:
            start = i
        elif not good and start is not None:
            if i - start >= 2:
                runs.append(points[start:i])
            start = None
    return runs


def _week_locator(end: float, panels: int) -> Any:
    """Ticks on whole years (52 weeks) when the horizon spans two or more, as many as fit."""
    years = end / 52.0
    if years < 2:
        return MaxNLocator(5 if panels == 1 else 3, integer=True)
    most = 6 if panels == 1 else 3  # tick labels that fit side by side
    return MultipleLocator(52 * math.ceil(years / (most - 1)))


def _unit(metric: str) -> str:
    """A metric's unit, as the metric registry declares it (the y-axis label)."""
    return METRIC_INFO[metric].unit


def _horizon(model: Market) -> float:
    return float(model.config.market.weeks)


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


def _ladder_chart(model: Market, data: DashboardData) -> LineChart:
    lines = [
        Line(stage, f, stage, STAGE_COLORS[stage], "-", axis=f)
        for f in range(len(data.firms))
        for stage in STAGES
    ]
    return LineChart(
        TITLES["ladder"],
        _unit("prospect"),
        lines,
        horizon=_horizon(model),
        ncols=len(data.firms),
        subtitles=data.firms,
        legend_cols=3,
        ylim=(0.0, float(model.customers.n)),
    )


class ChartSpec(NamedTuple):
    """A chart of the page: how to build it, a one-line caption, and its title."""

    build: Callable[[Market, DashboardData], Any]
    caption: str
    title: str


#: Titles shown above the charts (the page shows them as text, not in the picture).
TITLES: dict[str, str] = {
    "network": "Customers on their social network",
    "ladder": "Customers by ladder stage",
    "profit": "Cumulative profit (NPV)",
    "expectations": "Expectation vs experienced quality",
    "trust": "Mean trust of customers",
    "word_of_mouth": "Word of mouth",
    "complaints": "Voiced vs silent dissatisfaction (cumulative)",
}


def _line(
    name: str, ylabel: str, lines: Callable[[DashboardData], list[Line]], **options: Any
) -> Callable[[Market, DashboardData], LineChart]:
    return lambda m, d: LineChart(TITLES[name], ylabel, lines(d), horizon=_horizon(m), **options)


#: Chart name → (builder from (model, data), one-line caption, title). Order = order on the page.
CHARTS: dict[str, ChartSpec] = {
    "network": ChartSpec(
        lambda m, d: NetworkChart(m, d),
        "customers on the social network, coloured by ladder stage",
        TITLES["network"],
    ),
    "ladder": ChartSpec(
        _ladder_chart, "customers at each ladder stage, per firm", TITLES["ladder"]
    ),
    "profit": ChartSpec(
        _line("profit", _unit("npv"), lambda d: _per_firm(d.firms, "npv"), grows=True),
        "cumulative discounted profit per firm",
        TITLES["profit"],
    ),
    "expectations": ChartSpec(
        _line(
            "expectations",
            _unit("mean_expectation"),
            lambda d: _pairs(
                d.firms, ("mean_expectation", "expected"), ("mean_experienced", "experienced")
            ),
        ),
        "mean expectation of each firm's customers vs quality they experienced",
        TITLES["expectations"],
    ),
    "trust": ChartSpec(
        _line(
            "trust", _unit("mean_trust"), lambda d: _per_firm(d.firms, "mean_trust"), ylim=(0, 1)
        ),
        "mean trust of each firm's customers",
        TITLES["trust"],
    ),
    "word_of_mouth": ChartSpec(
        _line(
            "word_of_mouth",
            _unit("wom_positive"),
            lambda d: _pairs(d.firms, ("wom_positive", "positive"), ("wom_negative", "negative")),
        ),
        "positive vs negative word of mouth about each firm",
        TITLES["word_of_mouth"],
    ),
    "complaints": ChartSpec(
        _line(
            "complaints",
            "customers",
            lambda d: _pairs(d.firms, ("cum_complaints", "voiced"), ("cum_silent", "silent")),
            grows=True,
        ),
        "disappointed customers who complained vs those who said nothing",
        TITLES["complaints"],
    ),
}


def _chart_key(name: str, options: dict[str, Any]) -> tuple:
    return (name, *sorted(options.items()))


def chart(model: Market, name: str, **options: Any) -> Any:
    """The market's chart ``name`` (built on first use and kept); ``options`` choose a variant
    (the network view's ``mode`` and ``focus``)."""
    cache = view(model)
    key = _chart_key(name, options)
    with cache.lock:
        obj = cache.charts.get(key)
        if obj is None:
            data = dashboard_data(model)
            if name == "network":
                obj = NetworkChart(model, data, **options)
            else:
                obj = CHARTS[name].build(model, data, **options)
            cache.charts[key] = obj
        return obj


def _updated(model: Market, name: str, options: dict[str, Any]) -> tuple[Any, bool]:
    """The chart, updated to the model's current week (once per week); whether that changed
    what it shows (``False`` only for a network view none of whose customers changed)."""
    obj = chart(model, name, **options)
    if getattr(obj, "_week_shown", None) == model.steps:
        return obj, False
    changed = obj.update(dashboard_data(model))
    obj._week_shown = model.steps
    return obj, changed is not False


def render_chart(model: Market, name: str, **options: Any) -> bytes:
    """PNG of one whole chart at the model's current step.

    Computed once per step and chart: a second call in the same week returns the same bytes.
    The network view re-encodes only when a drawn customer changed stage.
    """
    cache = view(model)
    key = _chart_key(name, options)
    with cache.lock:
        done = cache.pngs.get(key)
        if done is not None and done[0] == model.steps:
            return done[1]
        obj, changed = _updated(model, name, options)
        picture = done[1] if (done is not None and not changed) else obj.picture()
        cache.pngs[key] = (model.steps, picture)
        return picture


def chart_layers(model: Market, name: str, **options: Any) -> tuple[bytes, str]:
    """What the page shows of one chart at the model's current step: its background (a PNG
    made again only when the axes move) and its lines or dots as SVG text drawn over it.

    Computed once per step and chart; the same objects come back until the week changes, so
    the page sends nothing for a chart that did not change.
    """
    cache = view(model)
    key = _chart_key(name, options)
    with cache.lock:
        done = cache.layers.get(key)
        if done is not None and done[0] == model.steps:
            return done[1]
        obj, changed = _updated(model, name, options)
        if done is not None and not changed:
            layers = done[1]
        else:
            layers = (obj.background, obj.svg())
            if done is not None and done[1][0] == layers[0]:
                layers = (done[1][0], layers[1])  # the same bytes object: nothing to re-send
        cache.layers[key] = (model.steps, layers)
        return layers


def render_all(model: Market) -> dict[str, bytes]:
    """PNGs of every chart (what one dashboard refresh draws)."""
    return {name: render_chart(model, name) for name in CHARTS}
