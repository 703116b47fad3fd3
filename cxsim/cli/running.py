"""Running an experiment from the command line: the executor (``--serial``, ``--dask``,
``--workers``, else a local process pool), the progress bar, and run failures reported as one
warning line each."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import Any

from cxsim.cli.errors import CLIError, checked, warn
from cxsim.cli.inputs import check_out, make_out


def executor(args: argparse.Namespace) -> tuple[Any, Callable[[], None]]:
    """The executor and its close function, from :func:`cxsim.experiments.make_executor`;
    connects to Dask (and fails as bad input) before anything is written. A local pool has at
    most the machine's cores as ``--workers`` unless ``--force``."""
    from cxsim.experiments import make_executor

    force = bool(getattr(args, "force", False))
    if args.serial:
        return checked(make_executor, "serial")
    if not args.dask:
        return checked(make_executor, None, workers=args.workers, force=force)
    address = args.dask
    if "://" not in address and ":" not in address:
        raise CLIError(f"--dask: {address!r} is not a scheduler address (e.g. tcp://host:8786)")
    try:
        return checked(make_executor, address)
    except CLIError:
        raise
    except ImportError as exc:
        if "distributed" in str(exc) and "cxsim[cluster]" in str(exc):
            raise CLIError(
                "--dask: needs dask[distributed] (pip install 'cxsim[cluster]')"
            ) from None
        raise CLIError(f"--dask: cannot connect to {address!r}: {_reason(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - any failure to connect (ucx://, tls:// without
        # certificates, a refused or unknown address...) is bad input, in one line
        raise CLIError(f"--dask: cannot connect to {address!r}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    """An exception as one short clause."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def progress(args: argparse.Namespace) -> bool:
    """``--progress``/``--no-progress``; by default, whether stderr is a terminal."""
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def run_guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call an experiment, printing each run-failure warning (and each damaged stored run) as
    one line; return the result and the run failures."""
    from cxsim.experiments import RunFailedWarning, StoreWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RunFailedWarning)
        warnings.simplefilter("always", StoreWarning)
        result = fn(*args, **kwargs)
    failures = []
    for w in caught:
        if issubclass(w.category, RunFailedWarning):
            failures.append(" ".join(str(w.message).split()))
        elif issubclass(w.category, StoreWarning):
            warn(str(w.message))
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for line in failures:
        warn(line)
    return result, failures


def check_plan(
    args: argparse.Namespace, plan: list[tuple[Any, int | None, int]], where: Any = None
) -> None:
    """The resource estimate of ``plan`` (``(scenario, weeks, runs)``) on the executor the
    options ask for (or ``where``: ``"serial"`` for a run in this process), checked before anything starts: over a limit of
    :mod:`cxsim.params.limits` is one line (with the estimate and ``--force``), exit 2."""
    from cxsim.experiments import check_resources

    if where is not None:
        pass
    elif getattr(args, "serial", False):
        where = "serial"
    elif getattr(args, "dask", None):
        where = args.dask
    checked(
        check_resources,
        plan,
        executor=where,
        workers=getattr(args, "workers", None),
        force=bool(getattr(args, "force", False)),
    )


def run_experiment(
    args: argparse.Namespace, fn: Callable[..., Any], *fn_args: Any, **fn_kwargs: Any
):
    """Run an experiment with the options every experiment command shares: check the output
    folder, start the executor (connecting to Dask before anything is written), run with run
    failures collected as warnings (the experiment creates the folder once its own checks
    pass, so bad input leaves nothing behind), close the executor.

    Returns ``(result, failures, out)``.
    """
    out = check_out(args)
    ex, close = executor(args)
    try:
        result, failures = checked(
            run_guarded,
            fn,
            *fn_args,
            replications=args.replications,
            seed=args.seed,
            executor=ex,
            out=out,
            resume=args.resume,
            progress=progress(args),
            force=bool(getattr(args, "force", False)),
            **fn_kwargs,
        )
    finally:
        close()
    make_out(out)  # nothing ran (every run was resumed): the folder still holds the summaries
    return result, failures, out
