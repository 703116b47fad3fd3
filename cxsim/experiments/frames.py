"""The tidy result frame: its layout, and how many runs become one frame.

Why a module of its own: every experiment returns the same shape, one row per run × firm × week::

    [point, <swept parameters>,] scenario, replication, seed, firm, week, <metrics...>

with one column per metric of :data:`cxsim.core.metrics.METRICS`, whichever executor ran the runs
and whether they came from the run store or were just computed. Keeping the assembly in one place
is what makes frames from the serial, process-pool and Dask executors identical: rows always come
back in task order (not completion order) and categorical columns get the same categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsim.core.metrics import METRICS

if TYPE_CHECKING:
    from cxsim.experiments.run import _Task

__all__ = ["ID_COLUMNS"]

#: Identifying columns of a result frame, before the metric columns.
ID_COLUMNS: tuple[str, ...] = ("scenario", "replication", "seed", "firm", "week")


def _assemble(tasks: Sequence[_Task], results: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame of every task's run in task order, its labels in front (a run shared by
    several tasks is repeated under each); tasks without a result are left out."""
    frames = []
    for t in tasks:
        frame = results.get(t.key)
        if frame is None:
            continue
        ids = pd.DataFrame({k: [v] * len(frame) for k, v in t.labels.items()})
        frames.append(pd.concat([ids, frame.reset_index(drop=True)], axis=1))
    if not frames:
        cols = list(dict.fromkeys(k for t in tasks for k in t.labels)) + ["firm", "week", *METRICS]
        return pd.DataFrame(columns=cols)
    return _concat(frames)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate run frames with one ``firm`` categorical (firms in order of appearance)."""
    firms = list(
        dict.fromkeys(
            f
            for fr in frames
            for f in (
                fr["firm"].cat.categories
                if isinstance(fr["firm"].dtype, pd.CategoricalDtype)
                else pd.unique(fr["firm"])
            )
        )
    )
    for fr in frames:
        fr["firm"] = pd.Categorical(fr["firm"].astype(object), categories=firms)
    return pd.concat(frames, ignore_index=True)


def _finish(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Categorical label columns in the order given, integer ids, identifying columns first."""
    for col, cats in categories.items():
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col].astype(object), categories=cats)
    for col in ("replication", "point"):
        if col in frame.columns:
            frame[col] = frame[col].astype(np.int64)
    if "seed" in frame.columns:
        frame["seed"] = frame["seed"].astype(np.int64)
    first = [c for c in frame.columns if c not in ("firm", "week") and c not in METRICS]
    rest = [c for c in frame.columns if c not in first and c not in ("firm", "week")]
    return frame[[*first, "firm", "week", *rest]]
