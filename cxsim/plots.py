"""Figures for result frames, in one print-readable style.

Every function takes a tidy frame from :mod:`cxsim.experiments` (or ``Market.to_frame()``),
draws on the given ``ax`` or a new figure, and returns the Axes (or Figure); none calls
``plt.show()``. The style: time in years on the x axis, every axis labelled with its unit, a
colour-blind-safe palette (Okabe & Ito 2008), no top or right spines, light horizontal grid,
legends without frames, bands for 95% intervals over replications.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "METRIC_LABELS",
    "PALETTE",
    "STAGE_COLORS",
    "STYLE",
    "plot_cumulative_profit",
    "plot_headline",
    "plot_ladder",
    "plot_metric_bands",
    "style",
]

#: Okabe–Ito colour-blind-safe palette (black last).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: Ladder stages bottom to top: the firm's customers (dark to light blue-green), then the lost
#: and the not-yet-won in greys.
STAGE_ORDER: tuple[str, ...] = ("advocate", "client", "repeat", "buyer", "lost", "prospect")
STAGE_COLORS: dict[str, str] = {
    "advocate": "#00441b",
    "client": "#1b7837",
    "repeat": "#5aae61",
    "buyer": "#a6dba0",
    "lost": "#b2182b",
    "prospect": "#d9d9d9",
}

#: Axis labels with units, by metric column.
METRIC_LABELS: dict[str, str] = {
    "customers": "customers (buyer to advocate)",
    "prospect": "prospects (customers)",
    "buyer": "buyers (customers)",
    "repeat": "repeat customers (customers)",
    "client": "clients (customers)",
    "advocate": "advocates (customers)",
    "lost": "lost customers (customers)",
    "new": "new customers (per week)",
    "won_back": "customers won back (per week)",
    "churned": "customers lost (per week)",
    "churn_rate": "churn rate (share per week)",
    "retention_rate": "retention rate (share per week)",
    "purchases": "purchases (per week)",
    "delighted": "delighted experiences (per week)",
    "disappointed": "disappointed experiences (per week)",
    "delight_rate": "delight rate (share of purchases)",
    "complaints": "complaints (per week)",
    "silent": "silent dissatisfaction (per week)",
    "recoveries": "complaints resolved (per week)",
    "unresolved": "complaints unresolved (per week)",
    "wom_positive": "positive word of mouth (messages per week)",
    "wom_negative": "negative word of mouth (messages per week)",
    "mean_expectation": "mean expectation (quality units)",
    "mean_experienced": "mean experienced quality (quality units)",
    "mean_disconfirmation": "mean disconfirmation (quality units)",
    "mean_satisfaction": "mean satisfaction (quality units)",
    "mean_trust": "mean trust (0–1)",
    "nps": "NPS (promoters − detractors, share)",
    "revenue": "revenue (currency per week)",
    "cogs": "cost of goods (currency per week)",
    "spend": "spend (currency per week)",
    "acquisition_spend": "acquisition spend (currency per week)",
    "retention_spend": "retention spend (currency per week)",
    "profit": "profit (currency per week)",
    "npv": "cumulative discounted profit, NPV (currency)",
    "cac": "CAC (currency per new customer)",
    "clv": "CLV (currency per customer)",
    "customer_equity": "customer equity (currency)",
    "value_per_customer": "NPV per customer acquired (currency)",
    "quality": "product quality (quality units)",
    "price": "price (currency per purchase)",
    "unit_cost": "unit cost (currency per purchase)",
}

#: Matplotlib rc settings of the house style.
STYLE: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "font.family": "sans-serif",
}

WEEKS_PER_YEAR = 52.0


@contextmanager
def style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block (the functions here do it themselves)."""
    with mpl.rc_context(STYLE):
        yield


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
            color = PALETTE[i % len(PALETTE)]
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
    ax.axhline(0.0, color="#888888", linewidth=0.8, zorder=0)
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
