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
    connects to Dask (and fails as bad input) before anything is written."""
    from cxsim.experiments import make_executor

    if args.serial:
        return checked(make_executor, "serial")
    if not args.dask:
        return checked(make_executor, None, workers=args.workers)
    address = args.dask
    if "://" not in address and ":" not in address:
        raise CLIError(f"--dask: {address!r} is not a scheduler address (e.g. tcp://host:8786)")
    try:
        return checked(make_executor, address)
    except ImportError:
        raise CLIError("--dask: needs dask[distributed] (pip install 'cxsim[cluster]')") from None
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise CLIError(f"--dask: cannot connect to {address!r}: {reason}") from None


def progress(args: argparse.Namespace) -> bool:
    """``--progress``/``--no-progress``; by default, whether stderr is a terminal."""
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def run_guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call an experiment, printing each run-failure warning as one line; return the result and
    those lines."""
    from cxsim.experiments import RunFailedWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RunFailedWarning)
        result = fn(*args, **kwargs)
    failures = []
    for w in caught:
        if issubclass(w.category, RunFailedWarning):
            failures.append(" ".join(str(w.message).split()))
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for line in failures:
        warn(line)
    return result, failures


def run_experiment(
    args: argparse.Namespace, fn: Callable[..., Any], *fn_args: Any, **fn_kwargs: Any
):
    """Run an experiment with the options every experiment command shares: check the output
    folder, start the executor (connecting to Dask before anything is written), create the
    folder, run with run failures collected as warnings, close the executor.

    Returns ``(result, failures, out)``.
    """
    out = check_out(args)
    ex, close = executor(args)
    try:
        make_out(out)
        result, failures = run_guarded(
            fn,
            *fn_args,
            replications=args.replications,
            seed=args.seed,
            executor=ex,
            out=out,
            resume=args.resume,
            progress=progress(args),
            **fn_kwargs,
        )
    finally:
        close()
    return result, failures, out
