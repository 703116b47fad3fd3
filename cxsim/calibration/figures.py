"""Figures for calibration: the cumulative tracking plot of repeat purchases (one model, or
actual vs calibrated cxsim vs BG/NBD).

matplotlib is imported when a figure is drawn, not when :mod:`cxsim.calibration` is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["forecast_plot", "tracking_plot"]


def tracking_plot(
    actual: pd.Series,
    forecast: pd.Series,
    *,
    calibration_weeks: float | None = None,
    ax: Axes | None = None,
    **line_kwargs: Any,
) -> Axes:
    """Actual vs expected cumulative repeat purchases by week (Fader, Hardie & Lee 2005, fig. 3).

    ``actual`` is :func:`cxsim.calibration.cumulative_repeats`, ``forecast`` is
    :meth:`cxsim.calibration.BGNBD.cohort_forecast` (both indexed by week). A dashed vertical
    line marks the end of the calibration period when ``calibration_weeks`` is given. Returns the
    axes drawn on (a new figure's if ``ax`` is None).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(actual.index, actual.to_numpy(), color="black", label="actual", **line_kwargs)
    ax.plot(
        forecast.index,
        forecast.to_numpy(),
        color="tab:blue",
        linestyle="--",
        label="model",
        **line_kwargs,
    )
    if calibration_weeks is not None:
        ax.axvline(calibration_weeks, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("week")
    ax.set_ylabel("cumulative repeat purchases")
    ax.legend(frameon=False)
    return ax


def forecast_plot(
    forecast: pd.DataFrame,
    *,
    calibration_weeks: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The tracking plot of a calibration: actual, cxsim and BG/NBD cumulative repeat purchases.

    ``forecast`` has columns ``week``, ``actual``, ``cxsim`` and ``bgnbd``
    (:attr:`cxsim.calibration.Calibration.forecast`); a dotted vertical line marks the end of
    the calibration period when ``calibration_weeks`` is given. Returns the axes drawn on.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    week = forecast["week"].to_numpy()
    ax.plot(week, forecast["actual"].to_numpy(), color="black", label="actual")
    ax.plot(week, forecast["cxsim"].to_numpy(), color="tab:orange", label="cxsim (calibrated)")
    ax.plot(week, forecast["bgnbd"].to_numpy(), color="tab:blue", linestyle="--", label="BG/NBD")
    if calibration_weeks is not None:
        ax.axvline(calibration_weeks, color="grey", linestyle=":", linewidth=1)
        ax.annotate(
            "calibration end",
            (calibration_weeks, 0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 4),
            textcoords="offset points",
            fontsize=8,
            color="grey",
        )
    ax.set_xlabel("week")
    ax.set_ylabel("cumulative repeat purchases")
    ax.legend(frameon=False)
    return ax
