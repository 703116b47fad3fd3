"""Summaries of result frames: means, confidence intervals over replications, paired differences.

Why a module of its own: summarizing is statistics on a finished frame, with no knowledge of how
the runs were made; it works the same on frames from :func:`~cxsim.experiments.compare`,
:func:`~cxsim.experiments.replicate`, :func:`~cxsim.experiments.sweep`, a Parquet run store or a
frame rebuilt by hand. Differences are *paired* by replication (and by point in a sweep): the
runs share their seeds (common random numbers, :mod:`cxsim.experiments.seeds`), so the paired
interval is much narrower than the difference of two independent means.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxsim.params.declare import show

__all__ = ["DEFAULT_SUMMARY_METRICS", "swept_parameters", "summarize"]

#: Metrics :func:`summarize` reports unless told otherwise.
DEFAULT_SUMMARY_METRICS: tuple[str, ...] = (
    "active",
    "alive",
    "churn_rate",
    "cac",
    "clv",
    "npv",
    "nps",
)


def swept_parameters(df: pd.DataFrame) -> list[str]:
    """The swept-parameter columns of a :func:`~cxsim.experiments.sweep` frame (or summary), in
    design order: every column that is neither an identifying column, ``point``, a metric nor a
    column :func:`summarize` adds. Empty for a frame that is not a sweep's."""
    from cxsim.core.metrics import METRICS
    from cxsim.experiments.frames import ID_COLUMNS

    if "point" not in df.columns:
        return []
    added = {"year", "metric", "n", "mean", "sd", "ci_low", "ci_high", "value"}
    return [
        c
        for c in df.columns
        if c not in ("point", *ID_COLUMNS)
        and c not in METRICS
        and c not in added
        and not c.startswith("diff_")
    ]


def summarize(
    df: pd.DataFrame,
    weeks: Sequence[float] | None = (52, 156, 260),
    metrics: Sequence[str] = DEFAULT_SUMMARY_METRICS,
    baseline: str | None = None,
    *,
    firm: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Means, t-based confidence intervals over replications, and paired differences.

    Args:
        df: a frame from :func:`compare`, :func:`replicate` or :func:`sweep`.
        weeks: weeks to report. Weeks the runs did not reach are dropped; if none is left, the
            last week is used. ``None``: every week.
        metrics: metric columns to summarize.
        baseline: a scenario label; adds the paired difference ``scenario − baseline`` (paired by
            replication, and by point in a sweep) with its interval.
        firm: keep only this firm (or these firms).
        level: confidence level of the intervals, in (0, 1) (anything else raises a
            one-line ``ValueError``).

    Returns:
        One row per [point,] scenario × firm × week × metric (a sweep's rows also carry its
        swept-parameter columns, after ``point``) with ``year``, ``n`` (replications
        with a value), ``mean``, ``sd``, ``ci_low``, ``ci_high`` and, with a baseline,
        ``diff_n``, ``diff_mean``, ``diff_sd``, ``diff_ci_low``, ``diff_ci_high``. The interval is
        ``mean ± t(level, n−1)·sd/√n`` (NaN when n < 2). Missing values (e.g. CAC in a week with
        no new customer) are left out of both.
    """
    from scipy import stats

    if (
        isinstance(level, bool)
        or not isinstance(level, int | float | np.floating)
        or not 0 < float(level) < 1
    ):
        raise ValueError(f"level: {show(level)} is not a confidence level in (0, 1), e.g. 0.95")
    missing = [m for m in metrics if m not in df.columns]
    if missing:
        raise KeyError(f"metrics not in the frame: {', '.join(missing)}")
    if firm is not None:
        firms = [firm] if isinstance(firm, str) else list(firm)
        df = df[df["firm"].isin(firms)]
    df = df.assign(week=df["week"].astype(float).round(6))
    if weeks is not None:
        wanted = [round(float(w), 6) for w in weeks]
        present = set(df["week"].unique())
        keep = [w for w in wanted if w in present]
        if not keep and len(df):
            keep = [float(df["week"].max())]
        df = df[df["week"].isin(keep)]
    keys = [c for c in ("point", "scenario", "firm", "week") if c in df.columns]
    # melted under a private name, so a metric may itself be called "value"
    long = (
        df[[*keys, "replication", *metrics]]
        .melt(id_vars=[*keys, "replication"], var_name="metric", value_name="_melted")
        .rename(columns={"_melted": "value"})
    )
    group = [*keys, "metric"]
    alpha = 1.0 - level

    def interval(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        g = frame.dropna(subset=["value"]).groupby(group, observed=True, sort=False)["value"]
        res = g.agg(n="count", mean="mean", sd="std").reset_index()
        t = stats.t.ppf(1.0 - alpha / 2.0, np.maximum(res["n"] - 1, 1))
        half = np.where(res["n"] >= 2, t * res["sd"] / np.sqrt(res["n"]), np.nan)
        res["ci_low"] = res["mean"] - half
        res["ci_high"] = res["mean"] + half
        return res.rename(columns={c: prefix + c for c in ("n", "mean", "sd", "ci_low", "ci_high")})

    out = interval(long, "")
    if baseline is not None:
        labels = list(pd.unique(df["scenario"]))
        if baseline not in labels:
            raise KeyError(f"baseline: {baseline!r} is not one of the scenarios {labels}")
        pair = [k for k in keys if k != "scenario"] + ["replication", "metric"]
        base = long[long["scenario"] == baseline][[*pair, "value"]].rename(
            columns={"value": "base"}
        )
        merged = long.merge(base, on=pair, how="left")
        merged["value"] = merged["value"] - merged["base"]
        diff = interval(merged.drop(columns="base"), "diff_")
        out = out.merge(diff, on=group, how="left")
    out.insert(out.columns.get_loc("week") + 1, "year", out["week"] / 52.0)
    order = {m: i for i, m in enumerate(metrics)}
    sort = [*(k for k in keys if k != "week"), "week"]
    out = out.sort_values(
        sort + ["metric"], key=lambda s: s.map(order) if s.name == "metric" else s, kind="stable"
    ).reset_index(drop=True)
    params = swept_parameters(df)
    if params:  # one value per point: carry them next to the point, for tidy tables and plots
        values = df[["point", *params]].drop_duplicates("point")
        out = out.merge(values, on="point", how="left")
        out = out[["point", *params, *(c for c in out.columns if c not in ("point", *params))]]
    return out
