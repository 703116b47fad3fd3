"""The tournament's figure: the leaderboard as bars with their intervals.

:func:`plot_leaderboard` draws the result of :func:`cxsim.experiments.tournament` (its
``leaderboard`` frame: ``rank, strategy, value, low, high, wins``), best at the top, in the house
style of :mod:`cxsim.viz.style`: the leader in the first palette colour, the others in grey, so
that a projected figure says at a glance who won and whose intervals overlap the winner's.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cxsim.viz.style import GRID_COLOR, PALETTE, REFERENCE_COLOR, fmt, style

__all__ = ["plot_leaderboard"]

#: Bars of strategies other than the leader.
_OTHERS = "#9e9e9e"


def plot_leaderboard(
    leaderboard: pd.DataFrame,
    *,
    title: str = "Tournament: NPV plus terminal customer equity",
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of each strategy's value with its interval (``low`` to ``high``), best at
    the top, labelled with the value and the head-to-head wins; returns the figure."""
    board = leaderboard.sort_values(["rank", "strategy"], kind="stable").reset_index(drop=True)
    n = len(board)
    with style():
        if ax is None:
            fig = Figure(figsize=(8.0, max(2.4, 0.55 * n + 1.4)), layout="constrained")
            ax = fig.subplots()
        else:
            fig = ax.figure
        y = list(range(n))[::-1]
        leader = board["rank"] == board["rank"].min()
        colours = [PALETTE[0] if top else _OTHERS for top in leader]
        lower = (board["value"] - board["low"]).clip(lower=0)
        upper = (board["high"] - board["value"]).clip(lower=0)
        errors: Any = [lower.fillna(0).to_numpy(), upper.fillna(0).to_numpy()]
        ax.barh(y, board["value"], color=colours, height=0.62, zorder=2)
        ax.errorbar(
            board["value"], y, xerr=errors, fmt="none", ecolor="#333333", capsize=4, zorder=3
        )
        ax.set_yticks(y)
        ax.set_yticklabels(
            [f"{r}. {s}" for r, s in zip(board["rank"], board["strategy"], strict=True)]
        )
        ax.axvline(0, color=REFERENCE_COLOR, lw=0.8, zorder=1)
        ax.grid(True, axis="x", color=GRID_COLOR)
        ax.grid(False, axis="y")
        ax.set_xlabel("mean NPV plus terminal customer equity (currency), with interval")
        span = max(float(board["high"].max(skipna=True) or 0.0), float(board["value"].max()))
        for yi, (_, row) in zip(y, board.iterrows(), strict=True):
            end = row["high"] if math.isfinite(row["high"]) else row["value"]
            wins = f"{int(row['wins'])} win" + ("" if int(row["wins"]) == 1 else "s")
            ax.text(
                end + 0.01 * span,
                yi,
                f" {fmt(row['value'])} · {wins}",
                va="center",
                fontsize=9,
                color="#333333",
            )
        ax.set_xlim(right=span * 1.3 if span > 0 else None)
        ax.set_title(title)
    return fig
