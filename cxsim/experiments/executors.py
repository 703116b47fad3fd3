"""Executors: the one place in cxsim that turns "where should the runs go" into an executor.

Why a module of its own: experiments, the command line and ``cxsim validate`` all farm runs out
to worker processes. Each used to build its own process pool, with its own start method and its
own idea of "all cores"; a pool built here is the same everywhere, so a fix (a start method, a
worker count, a Dask option) is made once.

Runs go to any :class:`concurrent.futures.Executor`:

* ``None`` (or ``"processes"``): local processes, one per core this process may use, or
  ``workers`` of them. Workers start from a fork server that has imported the model once
  (:func:`_mp_context`); scripts that use a pool need the usual ``if __name__ == "__main__":``
  guard, as with any process pool that does not plain-fork;
* ``"serial"``: run in this process (debugging, profiling);
* a Dask scheduler address such as ``"tcp://host:8786"``: a ``distributed.Client`` is opened and
  its ``get_executor()`` used;
* a ``distributed.Client``, or any :class:`concurrent.futures.Executor`, used as it is.

A run depends only on its scenario, seed, length and rules, so the numbers are identical whichever
executor runs it.

Workers of a local pool die with the process that made the pool, however it ends (``kill -9``
included): each worker watches its parent's sentinel (a pipe that closes when the parent dies) in
a thread and exits at once, and on Linux also asks the kernel to kill it when the fork server
that forked it dies (``PR_SET_PDEATHSIG``). With no worker left, the fork server and
multiprocessing's resource tracker see their pipes close and exit too, so nothing is left
running.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import threading
from collections.abc import Callable
from typing import Any

from cxsim.experiments.processes import die_with_parent
from cxsim.experiments.seeds import _check_int
from cxsim.params import ScenarioError
from cxsim.params.limits import check_workers

__all__ = ["default_workers", "make_executor"]

#: Strings that ask for the local process pool (``None`` does too).
LOCAL = ("processes", "process", "local")


def default_workers() -> int:
    """Worker processes of a local pool by default: the cores this process may use (its CPU
    affinity, which a batch scheduler or ``taskset`` may restrict), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(
    executor: Any = None, *, workers: int | None = None, force: bool = False
) -> tuple[Any, Callable[[], None]]:
    """Turn the ``executor`` argument into an executor (or ``"serial"``) and a close function.

    Args:
        executor: ``None`` or ``"processes"`` (a local process pool), ``"serial"``, a Dask
            scheduler address (``"tcp://host:8786"``), a ``distributed.Client`` or any
            :class:`concurrent.futures.Executor`.
        workers: processes of a local pool (default: :func:`default_workers`); ignored by the
            other kinds, whose size is set where they are made. At most the machine's cores
            (:func:`cxsim.params.limits.max_workers`) unless ``force``.
        force: allow more ``workers`` than the machine has cores.

    Returns:
        ``(executor, close)``. Executors made here are closed (pending runs cancelled) by
        ``close()``; executors and clients passed in are left open.

    Raises:
        ScenarioError: (a ``ValueError``, one line) for an ``executor`` that is none of those,
            or ``workers`` that is not a whole number ≥ 1 (a
            :class:`~cxsim.params.ResourceError` for more workers than cores).
        ImportError: for a Dask address when ``dask[distributed]`` is not installed.
    """
    if workers is not None:
        workers = _check_int("workers", workers, low=1)
    if executor is None or (isinstance(executor, str) and executor in LOCAL):
        if workers is not None:
            check_workers(workers, force=force)
        ex = cf.ProcessPoolExecutor(
            max_workers=workers if workers is not None else default_workers(),
            mp_context=_mp_context(),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        )
        return ex, lambda: ex.shutdown(wait=True, cancel_futures=True)
    if isinstance(executor, str):
        if executor == "serial":
            return "serial", lambda: None
        if ":" not in executor:
            raise ScenarioError(
                f"executor: {executor!r} is not 'serial', 'processes' or a Dask scheduler "
                "address (e.g. 'tcp://host:8786')"
            )
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "executor: a Dask address needs dask[distributed] (pip install 'cxsim[cluster]')"
            ) from exc
        client = Client(executor, timeout="10s")
        return client.get_executor(), client.close
    if isinstance(executor, cf.Executor):
        return executor, lambda: None
    get = getattr(executor, "get_executor", None)
    if callable(get):  # a distributed.Client
        return get(), lambda: None
    raise ScenarioError(
        f"executor: {_short(executor)} is not None, 'serial', 'processes', a Dask address, "
        "a distributed.Client or a concurrent.futures.Executor"
    )


def _mp_context() -> multiprocessing.context.BaseContext:
    """Start workers from a fork server that has imported the model once ("forkserver", the
    default from Python 3.14): a worker starts in milliseconds instead of re-importing Mesa and
    pandas as under "spawn", and, unlike "fork", nothing is forked from a threaded process
    (Jupyter, Dask, tqdm). Falls back to "spawn" where there is no fork server (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["cxsim.experiments", "cxsim.core.model"])
        return ctx
    return multiprocessing.get_context("spawn")


def _die_with_parent(parent_pid: int) -> None:
    """Initializer of every worker of a local pool: exit as soon as the process that made the
    pool (``parent_pid``) is gone, even if it was killed with SIGKILL and could not shut the
    pool down. Never raises (a failing initializer would break the pool)."""
    try:
        die_with_parent()  # the fork server that forked this worker
        parent = multiprocessing.parent_process()
        sentinel = getattr(parent, "sentinel", None) if parent is not None else None
        watch = threading.Thread(
            target=_watch_parent,
            args=(parent_pid, sentinel),
            name="cxsim-parent-watch",
            daemon=True,
        )
        watch.start()
    except Exception:  # noqa: BLE001 - best effort; the pool must still work
        pass


def _watch_parent(parent_pid: int, sentinel: int | None) -> None:
    """Block until the parent is gone, then end this worker at once."""
    try:
        if sentinel is not None:
            from multiprocessing.connection import wait

            wait([sentinel])  # readable (end of file) once the parent's end is closed
        else:  # pragma: no cover - no sentinel: poll
            import time

            while _alive(parent_pid):
                time.sleep(0.5)
    except Exception:  # noqa: BLE001
        return
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _short(value: Any) -> str:
    """``repr`` on one line, cut to 60 characters (error messages stay one line)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."
