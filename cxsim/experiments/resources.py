"""The resource estimate of an experiment, checked before its first run.

Why a module of its own: :func:`~cxsim.experiments.compare`, :func:`~cxsim.experiments.sweep`,
the sensitivity analyses and ``cxsim run`` all check what they are about to ask of the machine
the same way, against the limits of :mod:`cxsim.params.limits`: the runs, the steps, and the
memory of the runs in flight at once (customers × firms × bytes per entry, per worker process)
plus the frames gathered here, against the memory available. Over a limit is one line naming the
estimate and the override, :class:`~cxsim.params.ResourceError`, before anything runs or is
written; ``force=True`` (``--force``) runs anyway.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterable
from typing import Any

from cxsim.experiments.executors import LOCAL, default_workers
from cxsim.params.limits import (
    MAX_REPLICATIONS,
    MAX_RUNS,
    Estimate,
    check_count,
    estimate,
)

__all__ = ["check_resources", "check_runs", "workers_of"]


def workers_of(executor: Any, workers: int | None = None) -> int | None:
    """Runs in flight at once on this machine for ``executor`` (as
    :func:`~cxsim.experiments.make_executor` takes it): 0 for ``"serial"`` (in this process),
    ``workers`` or one per core for a local pool, a pool's own size, ``None`` for Dask (its
    workers' memory is not this machine's)."""
    if executor is None or (isinstance(executor, str) and executor in LOCAL):
        return workers if workers is not None else default_workers()
    if executor == "serial":
        return 0
    if isinstance(executor, cf.Executor):
        size = getattr(executor, "_max_workers", None)
        return int(size) if isinstance(size, int) else 1
    return None


def check_runs(n_runs: int, replications: int, *, force: bool = False) -> None:
    """Counts first, before a single task is built: replications and runs."""
    check_count("replications", replications, MAX_REPLICATIONS, force=force)
    check_count("runs", n_runs, MAX_RUNS, force=force)


def check_resources(
    plan: Iterable[tuple[Any, int | None, int]],
    *,
    executor: Any = None,
    workers: int | None = None,
    force: bool = False,
) -> Estimate:
    """Estimate ``plan`` (``(scenario, weeks or None, runs)`` triples) on ``executor`` and
    raise :class:`~cxsim.params.ResourceError` when it is over a limit, unless ``force``;
    returns the estimate."""
    est = estimate(plan, workers=workers_of(executor, workers))
    est.check(force=force)
    return est
