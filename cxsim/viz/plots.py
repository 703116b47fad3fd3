"""Figures for result frames, in one print-readable style.

Every function takes a tidy frame from :mod:`cxsim.experiments` (or ``Market.to_frame()``),
draws on the given ``ax`` or a new figure, and returns the Axes (or Figure); none calls
``plt.show()``. The style (:mod:`cxsim.viz.style`): time in years on the x axis, every axis labelled with its
unit (:data:`METRIC_LABELS`, from the metric registry), a colour-blind-safe palette (Okabe & Ito
2008), no top or right spines, light horizontal grid, legends without frames, bands for 95%
intervals over replications.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from cxsim.core.metrics import METRIC_INFO
from cxsim.viz.style import (
    PALETTE,
    REFERENCE_COLOR,
    STAGE_COLORS,
    STYLE,
    fmt,
    series_color,
    style,
)

__all__ = [
    "METRIC_LABELS",
    "PALETTE",
    "STAGE_COLORS",
    "STYLE",
    "STAGE_ORDER",
    "plot_cumulative_profit",
    "plot_effect",
    "plot_headline",
    "plot_intervals",
    "plot_ladder",
    "plot_metric_bands",
    "plot_sweep",
    "plot_sweep_map",
    "plot_waterfall",
    "style",
]

#: Ladder stages as stacked bottom to top: the firm's customers (advocates first), then the lost
#: and the not-yet-won.
STAGE_ORDER: tuple[str, ...] = ("advocate", "client", "repeat", "buyer", "lost", "prospect")

#: Axis labels with units, by metric column (from :data:`cxsim.core.metrics.METRIC_INFO`).
METRIC_LABELS: dict[str, str] = {name: m.label for name, m in METRIC_INFO.items()}

WEEKS_PER_YEAR = 52.0


def plot_ladder(
    df: pd.DataFrame,
    firm: str | None = None,
    ax: Axes | None = None,
    *,
    scenario: str | None = None,
    stages: Sequence[str] = STAGE_ORDER,
    legend: bool = True,
) -> Axes:
    """Stacked areas of the market's customers by ladder stage with one firm, over years.

    Stages go from advocates at the bottom through clients, repeat customers and buyers to the
    lost and the prospects on top, so the coloured part is the firm's customer base. With several
    replications the mean count per week is drawn.

    Args:
        df: a result frame.
        firm: the firm (default ``"focal"`` if present, else the first).
        ax: axes to draw on; a new figure if ``None``.
        scenario: the scenario to draw when the frame holds several (default: the first).
        stages: stages to stack, bottom first.
        legend: draw the stage legend.
    """
    with style():
        ax = _axes(ax)
        data = _select(df, firm=firm, scenario=scenario)
        n_rep = _n_replications(data)
        mean = data.groupby("week", sort=True)[list(stages)].mean()
        years = mean.index.to_numpy(dtype=float) / WEEKS_PER_YEAR
        ax.stackplot(
            years,
            *(mean[s].to_numpy() for s in stages),
            labels=[s.capitalize() if s != "repeat" else "Repeat" for s in stages],
            colors=[STAGE_COLORS.get(s, "#999999") for s in stages],
            linewidth=0,
        )
        ax.set_xlim(years.min(), years.max())
        ax.set_ylim(0, None)
        ax.set_xlabel("time (years)")
        rep = f", mean of {n_rep} runs" if n_rep > 1 else ""
        ax.set_ylabel(f"customers by stage{rep}")
        ax.set_title(_title(data, firm_label=True))
        ax.grid(False)
        if legend:
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5))
        return ax


def plot_metric_bands(
    df: pd.DataFrame,
    metric: str,
    by: str = "scenario",
    ax: Axes | None = None,
    *,
    firm: str | None = None,
    level: float = 0.95,
    scenario: str | None = None,
) -> Axes:
    """Mean of ``metric`` over replications, with its ``level`` t-interval as a band, by group.

    Args:
        df: a result frame.
        metric: a metric column (e.g. ``"npv"``, ``"customers"``).
        by: the column whose values get one line each (``"scenario"``, ``"firm"``, ``"point"``).
        ax: axes to draw on; a new figure if ``None``.
        firm: the firm (default ``"focal"`` if present, else the first); ignored when
            ``by="firm"``.
        level: confidence level of the band.
        scenario: keep only this scenario (useful with ``by="firm"``).
    """
    from scipy import stats

    if metric not in df.columns:
        raise KeyError(f"metric {metric!r} is not a column of the frame")
    with style():
        ax = _axes(ax)
        data = df if by == "firm" else df[df["firm"] == _firm_name(df, firm)]
        if scenario is not None:
            data = data[data["scenario"] == scenario]
        elif by != "scenario" and "scenario" in data.columns and data["scenario"].nunique() > 1:
            data = data[data["scenario"] == _ordered_values(data["scenario"])[0]]
        if data.empty:
            raise KeyError("nothing to plot: no rows for that firm or scenario")
        groups = _ordered_values(data[by]) if by in data.columns else [None]
        for i, g in enumerate(groups):
            part = data if g is None else data[data[by] == g]
            stat = part.groupby("week", sort=True)[metric].agg(["mean", "std", "count"])
            years = stat.index.to_numpy(dtype=float) / WEEKS_PER_YEAR
            color = series_color(i)
            ax.plot(years, stat["mean"], color=color, label=str(g) if g is not None else metric)
            n = stat["count"].to_numpy()
            if (n > 1).any():
                t = stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1))
                half = np.where(
                    n > 1, t * stat["std"].to_numpy() / np.sqrt(np.maximum(n, 1)), np.nan
                )
                ax.fill_between(
                    years,
                    stat["mean"] - half,
                    stat["mean"] + half,
                    color=color,
                    alpha=0.2,
                    linewidth=0,
                )
        ax.set_xlabel("time (years)")
        ax.set_ylabel(METRIC_LABELS.get(metric, metric))
        n_rep = _n_replications(data[data[by] == groups[0]] if groups[0] is not None else data)
        note = f"mean, {level:.0%} band over {n_rep} runs" if n_rep > 1 else None
        if len(groups) > 1 or groups[0] is not None:
            ax.legend(loc="best", title=note, title_fontsize=8, alignment="left")
        elif note:
            ax.text(0.01, 0.98, note, transform=ax.transAxes, va="top", fontsize=8, color="#555555")
        who = "" if by == "firm" else f"{_firm_name(df, firm)}: "
        ax.set_title(f"{who}{METRIC_LABELS.get(metric, metric).split(' (')[0]}")
        return ax


def plot_cumulative_profit(
    df: pd.DataFrame,
    by: str = "scenario",
    ax: Axes | None = None,
    *,
    firm: str | None = None,
    level: float = 0.95,
) -> Axes:
    """Cumulative discounted profit (NPV) over years, mean and band by scenario."""
    ax = plot_metric_bands(df, "npv", by=by, ax=ax, firm=firm, level=level)
    ax.axhline(0.0, color=REFERENCE_COLOR, linewidth=0.8, zorder=0)
    return ax


def plot_headline(
    df: pd.DataFrame, *, firm: str = "focal", scenarios: Sequence[str] | None = None
) -> Figure:
    """The headline figure: the firm's ladder under each scenario, and its NPV with bands.

    One ladder panel per scenario (same y scale), then cumulative discounted profit.
    """
    labels = list(scenarios) if scenarios is not None else _ordered_values(df["scenario"])
    with style():
        fig, axes = plt.subplots(
            1, len(labels) + 1, figsize=(4.4 * (len(labels) + 1) + 1.2, 4.2), layout="constrained"
        )
        axes = np.atleast_1d(axes)
        for i, (ax, label) in enumerate(zip(axes[:-1], labels, strict=True)):
            plot_ladder(df, firm=firm, ax=ax, scenario=label, legend=i == len(labels) - 1)
            ax.set_title(f"{label}: {firm}")
        top = max(ax.get_ylim()[1] for ax in axes[:-1])
        for ax in axes[:-1]:
            ax.set_ylim(0, top)
        part = df[df["scenario"].isin(labels)]
        plot_cumulative_profit(part, ax=axes[-1], firm=firm)
        axes[-1].set_title(f"{firm}: NPV")
        n_rep = _n_replications(part)
        fig.suptitle(
            f"Customers and cumulative profit of the {firm} firm by strategy ({n_rep} paired runs)",
            fontsize=12,
            x=0.01,
            ha="left",
        )
        return fig


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
    return ax


def _ordered_values(col: pd.Series) -> list[Any]:
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(col.unique())
        return [c for c in col.cat.categories if c in present]
    return list(pd.unique(col))


def _firm_name(df: pd.DataFrame, firm: str | None) -> str:
    if firm is not None:
        return firm
    firms = _ordered_values(df["firm"])
    return "focal" if "focal" in firms else str(firms[0])


def _select(
    df: pd.DataFrame, *, firm: str | None = None, scenario: str | None = None
) -> pd.DataFrame:
    name = _firm_name(df, firm)
    data = df[df["firm"] == name]
    if data.empty:
        raise KeyError(f"firm {name!r} not in the frame; firms: {_ordered_values(df['firm'])}")
    if "scenario" in data.columns:
        if scenario is None:
            scenario = _ordered_values(data["scenario"])[0]
        data = data[data["scenario"] == scenario]
        if data.empty:
            raise KeyError(f"scenario {scenario!r} not in the frame")
    return data


def _n_replications(df: pd.DataFrame) -> int:
    keys = [c for c in ("point", "replication") if c in df.columns]
    if not keys or df.empty:
        return 1
    return int(df[keys].drop_duplicates().shape[0])


def _title(df: pd.DataFrame, firm_label: bool = False) -> str:
    parts = []
    if "scenario" in df.columns and df["scenario"].nunique() == 1:
        parts.append(str(df["scenario"].iloc[0]))
    if firm_label:
        parts.append(str(df["firm"].iloc[0]))
    return ": ".join(parts)


def plot_effect(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    low: str | None = None,
    high: str | None = None,
    se: str | None = None,
    n: int | None = None,
    level: float = 0.95,
    ax: Axes | None = None,
    label: str | None = None,
    color: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    zero: bool = True,
) -> Axes:
    """An estimate against a parameter, with its interval as a band: one line per call.

    For summaries with one row per parameter value, e.g. the paired NPV difference of
    :func:`cxsim.validation.behaviours.individual_treatment` against ``need_heterogeneity``, or a
    :func:`cxsim.experiments.summarize` table of a sweep against the swept parameter.

    Args:
        df: one row per value of ``x``.
        x: column on the horizontal axis (the parameter).
        y: column of the estimate.
        low, high: columns of the interval's ends (e.g. ``ci_low``, ``ci_high``).
        se: column of standard errors, used when ``low``/``high`` are not given: the band is
            ``y ± t(level, n − 1)·se`` with ``n`` replications (normal quantile when ``n`` is
            ``None``).
        n: replications behind each estimate (for the t quantile).
        level: confidence level of a band built from ``se``.
        ax: axes to draw on (call again on the same axes for a second line); new figure if ``None``.
        label: legend entry; color: line colour (default: the next of :data:`PALETTE`).
        xlabel, ylabel, title: axis labels (with units) and title; ``ylabel`` defaults to the
            metric label of ``y``.
        zero: draw a thin reference line at y = 0.
    """
    from scipy import stats

    with style():
        ax = _axes(ax)
        data = df.sort_values(x)
        xs = data[x].to_numpy(dtype=float)
        ys = data[y].to_numpy(dtype=float)
        if color is None:
            color = series_color(len(ax.get_lines()) // 2)
        lo = hi = None
        if low is not None and high is not None:
            lo, hi = data[low].to_numpy(dtype=float), data[high].to_numpy(dtype=float)
        elif se is not None:
            q = (
                stats.t.ppf(0.5 + level / 2.0, max(n - 1, 1))
                if n is not None
                else stats.norm.ppf(0.5 + level / 2.0)
            )
            half = q * data[se].to_numpy(dtype=float)
            lo, hi = ys - half, ys + half
        ax.plot(xs, ys, marker="o", markersize=4, color=color, label=label)
        if lo is not None:
            ax.fill_between(xs, lo, hi, color=color, alpha=0.2, linewidth=0)
        if zero:
            ax.axhline(0.0, color=REFERENCE_COLOR, linewidth=0.8, zorder=0)
        else:  # keep two lines per call, so colours still cycle
            ax.plot([], [])
        ax.set_xlabel(xlabel or x)
        ax.set_ylabel(ylabel or METRIC_LABELS.get(y, y))
        if title:
            ax.set_title(title)
        if label:
            ax.legend(loc="best")
        return ax


def plot_intervals(
    summary: pd.DataFrame,
    metric: str,
    *,
    by: str = "scenario",
    diff: bool = False,
    ax: Axes | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Axes:
    """Means (or paired differences) with their intervals at a few horizons, as point ranges.

    For a :func:`cxsim.experiments.summarize` table: one marker per group (``by``) and reported
    year, with its confidence interval as a vertical bar, groups side by side at each year.

    Args:
        summary: a ``summarize`` table (one firm).
        metric: the metric to draw (rows whose ``metric`` column equals it).
        by: the column whose values get one colour each (``"scenario"``).
        diff: draw the paired differences against the summary's baseline (``diff_mean``,
            ``diff_ci_low``, ``diff_ci_high``) instead of the means; the baseline itself is left
            out and a line marks zero.
        ax: axes to draw on; a new figure if ``None``.
        ylabel: y-axis label (default: the metric's label with its unit, prefixed for
            differences); title: axes title.
    """
    prefix = "diff_" if diff else ""
    data = summary[summary["metric"] == metric]
    if data.empty:
        raise KeyError(f"metric {metric!r} is not in the summary")
    if diff and "diff_mean" not in data.columns:
        raise KeyError("diff=True needs a summary made with a baseline")
    with style():
        ax = _axes(ax)
        groups = _ordered_values(data[by]) if by in data.columns else [None]
        if diff:  # the baseline's differences with itself are exactly zero: leave it out
            groups = [
                g
                for g in groups
                if not (
                    (data.loc[data[by] == g, "diff_mean"] == 0).all()
                    and (data.loc[data[by] == g, "diff_sd"].fillna(0) == 0).all()
                )
            ]
        years = np.sort(data["year"].unique())
        step = float(np.min(np.diff(years))) if years.size > 1 else 1.0
        width = 0.5 * step
        for i, g in enumerate(groups):
            part = data if g is None else data[data[by] == g]
            part = part.sort_values("year")
            offset = (i - (len(groups) - 1) / 2.0) * width / max(len(groups), 1)
            xs = part["year"].to_numpy(dtype=float) + offset
            mean = part[f"{prefix}mean"].to_numpy(dtype=float)
            lo = part[f"{prefix}ci_low"].to_numpy(dtype=float)
            hi = part[f"{prefix}ci_high"].to_numpy(dtype=float)
            color = series_color(i + (1 if diff else 0))
            err = np.vstack([mean - lo, hi - mean])
            ax.errorbar(
                xs,
                mean,
                yerr=np.where(np.isfinite(err), err, 0.0),
                fmt="o",
                color=color,
                capsize=3,
                markersize=5,
                linewidth=1.4,
                label=str(g) if g is not None else metric,
            )
        if diff:
            ax.axhline(0.0, color=REFERENCE_COLOR, linewidth=0.8, zorder=0)
        ax.set_xticks(years)
        ax.set_xticklabels([f"{y:g}" for y in years])
        ax.set_xlabel("time (years)")
        label = METRIC_LABELS.get(metric, metric)
        if diff:
            name, _, unit = label.partition(" (")
            label = f"difference in {name.split(', ')[-1]}" + (f" ({unit}" if unit else "")
        ax.set_ylabel(ylabel or label)
        if title:
            ax.set_title(title)
        ax.legend(loc="best", title="mean and 95% interval", title_fontsize=8, alignment="left")
        return ax


def plot_sweep_map(
    grid: pd.DataFrame,
    x: str,
    y: str,
    value: str = "diff_mean",
    *,
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    clabel: str | None = None,
    title: str | None = None,
    fmt: str = "{:,.0f}",
    cmap: str = "PuOr",
    symmetric: bool = True,
    centred: bool = True,
) -> Axes:
    """A value over a two-parameter grid as a heatmap centred at zero, with the zero contour.

    For a sweep summary with one row per grid cell (e.g. the paired NPV difference of two
    strategies against two swept parameters). Cells are drawn at equal size whatever the spacing
    of the swept values, labelled with those values; each cell shows its number; the zero contour
    (interpolated between cell centres) separates the region where the value is negative from
    the one where it is positive. The diverging map (purple–orange) is colour-blind safe.

    Args:
        grid: one row per (x, y) cell.
        x, y: columns of the two parameters (horizontal, vertical).
        value: column to colour by.
        ax: axes to draw on; a new figure if ``None``.
        xlabel, ylabel, clabel: labels of the axes and the colour bar, with units.
        title: axes title. fmt: format of the numbers written in the cells.
        cmap: a diverging Matplotlib colour map.
        symmetric: the colour scale runs from −m to +m with m the largest absolute value, so equal
            colours mean equal sizes; ``False`` stretches each side to its own extreme, so a small
            region of the other sign still stands out (the colour bar shows the scale).
        centred: ``False`` for a level rather than a difference (e.g. a metric's mean over a
            sweep): a sequential scale from the smallest to the largest value (``cmap``
            defaults to viridis then), no zero contour.
    """
    from matplotlib.colors import Normalize, TwoSlopeNorm

    if not centred and cmap == "PuOr":
        cmap = "viridis"

    table = grid.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index()
    table = table[sorted(table.columns)]
    z = table.to_numpy(dtype=float)
    with style():
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
        finite = z[np.isfinite(z)]
        span = float(np.max(np.abs(finite))) if finite.size else 1.0
        span = span or 1.0
        low = -span if symmetric or not finite.size or finite.min() >= 0 else float(finite.min())
        high = span if symmetric or not finite.size or finite.max() <= 0 else float(finite.max())
        norm: Normalize = TwoSlopeNorm(vmin=low, vcenter=0.0, vmax=high)
        if not centred:
            lo_v = float(finite.min()) if finite.size else 0.0
            hi_v = float(finite.max()) if finite.size else 1.0
            norm = Normalize(vmin=lo_v, vmax=hi_v if hi_v > lo_v else lo_v + 1.0)
            low, high = norm.vmin, norm.vmax
        mesh = ax.pcolormesh(
            np.arange(z.shape[1] + 1) - 0.5,
            np.arange(z.shape[0] + 1) - 0.5,
            z,
            cmap=cmap,
            norm=norm,
            shading="flat",
        )
        if centred and finite.size and finite.min() < 0 < finite.max() and min(z.shape) >= 2:
            cs = ax.contour(
                np.arange(z.shape[1]),
                np.arange(z.shape[0]),
                z,
                levels=[0.0],
                colors="black",
                linewidths=1.6,
            )
            ax.clabel(cs, fmt={0.0: "0"}, fontsize=8)
        for (i, j), v in np.ndenumerate(z):
            if np.isfinite(v):
                if centred:
                    dark = v > 0.6 * high if v > 0 else v < 0.6 * low
                else:  # viridis is dark at its low end
                    dark = v < low + 0.5 * (high - low)
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "black",
                )
        ax.set_xticks(np.arange(z.shape[1]))
        ax.set_xticklabels([f"{v:g}" for v in table.columns])
        ax.set_yticks(np.arange(z.shape[0]))
        ax.set_yticklabels([f"{v:g}" for v in table.index])
        ax.set_xlabel(xlabel or x)
        ax.set_ylabel(ylabel or y)
        ax.grid(False)
        bar = ax.figure.colorbar(mesh, ax=ax)
        bar.set_label(clabel or METRIC_LABELS.get(value, value))
        if title:
            ax.set_title(title)
        return ax


def plot_waterfall(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    start: str = "A",
    end: str = "B",
    active_only: bool = True,
) -> Axes:
    """A waterfall of a decomposition: from A's outcome (0 on the axis) each mechanism's
    contribution added in turn, up to the total gap B − A, each step with its 95% interval.

    For the table of :func:`cxsim.experiments.explain` (columns ``mechanism``, ``contribution``,
    ``low``, ``high``, ``active``, a last row ``total``): gains in the palette's green, losses
    in its vermilion, the total in its blue; each bar is labelled with its value (:func:`fmt`).

    Args:
        table: the decomposition, one row per mechanism and a row ``total``.
        ax: axes to draw on; a new figure if ``None``.
        ylabel: the metric's label with its unit (default: ``"gap, B − A"``).
        title: the figure's title.
        start, end: names of the two scenarios, for the axis labels.
        active_only: leave out mechanisms on which the scenarios do not differ (exactly 0).
    """
    with style():
        ax = _axes(ax)
        rows = table[table["mechanism"] != "total"]
        if active_only and "active" in rows.columns:
            rows = rows[rows["active"].astype(bool)]
        total = table[table["mechanism"] == "total"].iloc[0]
        names = [*rows["mechanism"].astype(str), "total"]
        values = rows["contribution"].to_numpy(dtype=float)
        bottoms = np.concatenate([[0.0], np.cumsum(values)[:-1]]) if len(values) else values
        gain, loss, whole = PALETTE[2], PALETTE[1], PALETTE[0]
        xs = np.arange(len(names))
        for i, (v, b0) in enumerate(zip(values, bottoms, strict=True)):
            ax.bar(i, v, bottom=b0, color=gain if v >= 0 else loss, width=0.6)
            if i + 1 < len(names):  # connector to the next bar
                ax.plot([i + 0.3, i + 0.7], [b0 + v, b0 + v], color=REFERENCE_COLOR, lw=0.8)
        t = float(total["contribution"])
        ax.bar(len(values), t, color=whole, width=0.6)
        ends = np.concatenate([bottoms + values, [t]])
        lows = np.concatenate([rows["low"].to_numpy(dtype=float), [float(total["low"])]])
        highs = np.concatenate([rows["high"].to_numpy(dtype=float), [float(total["high"])]])
        contrib = np.concatenate([values, [t]])
        base = np.concatenate([bottoms, [0.0]])
        ok = np.isfinite(lows) & np.isfinite(highs)
        if ok.any():  # the interval of each step, around the step's end
            ax.errorbar(
                xs[ok],
                ends[ok],
                yerr=[ends[ok] - (base + lows)[ok], (base + highs)[ok] - ends[ok]],
                fmt="none",
                ecolor="#000000",
                elinewidth=0.8,
                capsize=3,
            )
        for x, y, v in zip(xs, ends, contrib, strict=True):
            ax.annotate(
                fmt(v),
                (x, y),
                xytext=(0, 4 if v >= 0 else -4),
                textcoords="offset points",
                ha="center",
                va="bottom" if v >= 0 else "top",
                fontsize=8,
            )
        ax.axhline(0.0, color=REFERENCE_COLOR, linewidth=0.8, zorder=0)
        ax.margins(y=0.08)  # room for the labels
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(float(v))))
        ax.set_xticks(xs, [n.replace("_", " ") for n in names])
        ax.set_ylabel(ylabel or f"gap, {end} − {start}")
        ax.set_xlabel(f"mechanism (switched from {start} to {end})")
        if title:
            ax.set_title(title, loc="left", wrap=True)
        return ax


def plot_sweep(summary: pd.DataFrame, metrics: Sequence[str] | None = None) -> Figure | None:
    """The default figure of a sweep: each metric at the last reported week against the swept
    parameters, one panel per metric.

    One numeric parameter: the mean against it with its 95% band, one line per scenario
    (:func:`plot_effect`). Two numeric parameters: a heat map of the mean over the grid
    (:func:`plot_sweep_map`; with several scenarios, the first). Otherwise (three or more
    parameters, or values that are not numbers) there is no default figure: ``None``.

    Args:
        summary: a :func:`cxsim.experiments.summarize` table of a sweep for one firm (it carries
            the swept-parameter columns).
        metrics: the metrics to draw (default: every metric in the summary).
    """
    from cxsim.experiments.summary import swept_parameters

    params = swept_parameters(summary)
    if not 1 <= len(params) <= 2 or summary.empty:
        return None
    if not all(pd.api.types.is_numeric_dtype(summary[p]) for p in params):
        return None
    last = summary[summary["week"] == summary["week"].max()]
    metrics = list(metrics) if metrics is not None else list(pd.unique(last["metric"]))
    with style():
        fig, axes = plt.subplots(
            1, len(metrics), figsize=(4.2 * len(metrics) + 0.6, 3.6), squeeze=False
        )
        week = float(last["week"].iloc[0])
        for ax, metric in zip(axes[0], metrics, strict=True):
            data = last[last["metric"] == metric]
            label = METRIC_LABELS.get(metric, metric)
            if len(params) == 1:
                scenarios = list(pd.unique(data["scenario"]))
                for i, sc in enumerate(scenarios):
                    plot_effect(
                        data[data["scenario"] == sc],
                        params[0],
                        "mean",
                        low="ci_low",
                        high="ci_high",
                        ax=ax,
                        label=sc if len(scenarios) > 1 else None,
                        color=series_color(i),
                        ylabel=label,
                        zero=False,
                    )
            else:
                first = data[data["scenario"] == data["scenario"].iloc[0]]
                plot_sweep_map(
                    first,
                    params[1],
                    params[0],
                    "mean",
                    ax=ax,
                    clabel=label,
                    centred=False,
                )
            ax.set_title(f"{metric} at week {week:g}", fontsize="medium")
        fig.tight_layout()
        return fig
