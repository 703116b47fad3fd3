"""The figures of :func:`cxsim.experiments.optimize` and :func:`cxsim.experiments.equilibrium`:
value against the share of the budget on acquisition, and the best responses round by round.

A separate module because they read result objects, not tidy frames: :func:`plot_frontier`
takes an :class:`~cxsim.experiments.optimize.OptimizeResult`, :func:`plot_best_responses` an
:class:`~cxsim.experiments.optimize.EquilibriumResult`. Same house style as
:mod:`cxsim.viz.plots`.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from cxsim.viz.style import PALETTE, REFERENCE_COLOR, series_color, style

__all__ = ["frontier_table", "plot_best_responses", "plot_frontier"]

#: Bins of the acquisition share over which the frontier of a many-lever search is drawn.
FRONTIER_BINS = 10

VALUE_LABEL = "NPV + terminal customer equity (currency)"

#: The allocation as given, drawn apart from the presets (it may coincide with one of them).
AS_GIVEN_COLOR = "#444444"


def frontier_table(trials: pd.DataFrame, bins: int = FRONTIER_BINS) -> pd.DataFrame:
    """The best trial at each acquisition share: one row per trial for a one-number search
    (every trial has its own share), else the best trial of each of ``bins`` equal bins of the
    acquisition share, sorted by share (``acquisition_share``, ``mean``, ``ci_low``,
    ``ci_high``, ``trial``)."""
    cols = ["acquisition_share", "mean", "ci_low", "ci_high", "trial"]
    if "searched.acquisition_share" in trials.columns:
        return trials[cols].sort_values("acquisition_share").reset_index(drop=True)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(trials["acquisition_share"], edges[1:-1]), 0, bins - 1)
    best = trials.assign(bin=which).sort_values("mean", ascending=False).groupby("bin").head(1)
    return best[cols].sort_values("acquisition_share").reset_index(drop=True)


def plot_frontier(result: Any, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Value against the share of the budget on acquisition: every trial (grey dots), the
    frontier of the search with its 95% band over the search seeds (:func:`frontier_table`),
    and the candidates re-evaluated on fresh seeds with their intervals (the best in colour,
    the allocation as given and the strategy presets labelled).

    Args:
        result: an :class:`~cxsim.experiments.optimize.OptimizeResult`.
        ax: axes to draw on; a new figure if ``None``. title: axes title.
    """
    trials = result.trials
    front = frontier_table(trials)
    conf = result.confirmed
    best_name = result.settings.get("best_candidate")
    with style():
        if ax is None:
            _, ax = plt.subplots(figsize=(7.2, 4.4), layout="constrained")
        ax.scatter(
            trials["acquisition_share"],
            trials["mean"],
            s=10,
            color=REFERENCE_COLOR,
            alpha=0.5,
            label="trials (search seeds)",
            zorder=1,
        )
        ax.plot(
            front["acquisition_share"],
            front["mean"],
            color=PALETTE[0],
            marker="o",
            markersize=3,
            label="frontier of the search",
            zorder=2,
        )
        if front["ci_low"].notna().any():
            ax.fill_between(
                front["acquisition_share"],
                front["ci_low"],
                front["ci_high"],
                color=PALETTE[0],
                alpha=0.15,
                linewidth=0,
            )
        others = conf[~conf["candidate"].str.startswith("trial ")]
        presets = 0
        for row in others.itertuples():
            given = row.candidate == "as given"
            color = AS_GIVEN_COLOR if given else PALETTE[2 + presets % (len(PALETTE) - 2)]
            presets += 0 if given else 1
            ax.errorbar(
                row.acquisition_share,
                row.mean,
                yerr=[[row.mean - row.ci_low], [row.ci_high - row.mean]],
                fmt="D" if given else "s",
                markersize=5 if given else 4,
                color=color,
                capsize=2,
                label=row.candidate.replace("preset ", ""),
                zorder=3,
            )
        best = conf[conf["candidate"] == best_name].iloc[0]
        ax.errorbar(
            best["acquisition_share"],
            best["mean"],
            yerr=[[best["mean"] - best["ci_low"]], [best["ci_high"] - best["mean"]]],
            fmt="*",
            markersize=12,
            color=PALETTE[1],
            capsize=3,
            label=f"best ({best_name}, fresh seeds)",
            zorder=4,
        )
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("share of the budget on acquisition (advertising + promotion)")
        ax.set_ylabel(VALUE_LABEL)
        ax.legend(loc="best", fontsize="small", ncols=2)
        ax.set_title(title or f"Firm {result.firm!r}: value against the acquisition share")
        return ax


def plot_best_responses(result: Any, *, ax: Axes | None = None) -> Axes:
    """Each firm's acquisition share round by round (round 0: as given) while the firms take
    turns best-responding; converged or not in the title.

    Args:
        result: an :class:`~cxsim.experiments.optimize.EquilibriumResult`.
        ax: axes to draw on; a new figure if ``None``.
    """
    table = result.allocations
    with style():
        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.0), layout="constrained")
        for i, (firm, rows) in enumerate(table.groupby("firm", sort=False)):
            ax.plot(
                rows["round"],
                rows["acquisition_share"],
                marker="o",
                color=series_color(i),
                label=str(firm),
            )
        ax.set_xticks(sorted(table["round"].unique()))
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("round of best responses (0: as given)")
        ax.set_ylabel("share of the budget on acquisition")
        state = "converged" if result.converged else "not converged"
        ax.set_title(f"Best responses: {state} after {result.rounds} round(s)")
        ax.legend(loc="best")
        return ax
