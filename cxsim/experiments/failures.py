"""Runs that raise: how a failure is recorded and reported.

Why a module of its own: in a sweep of thousands of runs, one parameter point may crash the model
(a bug, an extreme value); the others must still come back, and the failure must be visible
without reading a traceback per run. A run that raises is recorded (its formatted traceback, in
the run store's manifest if there is one) and the others go on; the returned frame omits it and a
:class:`RunFailedWarning` lists the failures, one short clause each. When every run fails there
is nothing to return: :class:`RunsFailedError` is raised instead, its message one line naming how
many failed and the first error (the command line prints it as ``cxsim: error: ...``).
"""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxsim.experiments.run import _Task

__all__ = ["RunFailedWarning", "RunsFailedError"]


class RunFailedWarning(UserWarning):
    """Some runs raised; they are recorded in the output manifest and left out of the frame."""


class RunsFailedError(RuntimeError):
    """Every run raised, so there are no results; the message is one line: how many runs
    failed and the first failure's error (all of them are in the output manifest, if any)."""


def _report(
    tasks: Sequence[_Task],
    errors: Mapping[str, str],
    n_unique: int,
    manifest: Path | None,
    *,
    stacklevel: int,
) -> None:
    """Raise :class:`RunsFailedError` when all ``n_unique`` distinct runs failed, else warn
    :class:`RunFailedWarning` naming the failed tasks (the first ten); nothing when none did."""
    if not errors:
        return
    failed = [t for t in tasks if t.key in errors]
    where = f"; details in {manifest}" if manifest is not None else ""
    if len(errors) == n_unique:
        first = failed[0]
        raise RunsFailedError(
            f"all {len(failed)} runs failed; the first ({_describe(first)}): "
            f"{_last_line(errors[first.key])}{where}"
        )
    lines = "; ".join(f"{_describe(t)}: {_last_line(errors[t.key])}" for t in failed[:10])
    more = f" (and {len(failed) - 10} more)" if len(failed) > 10 else ""
    warnings.warn(
        f"{len(failed)} of {len(tasks)} runs failed and are left out: {lines}{more}{where}",
        RunFailedWarning,
        stacklevel=stacklevel + 1,
    )


def _format_error(exc: BaseException) -> str:
    """The full traceback of a failed run, as recorded."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text if text.strip() else f"{type(exc).__name__}: {exc}"


def _last_line(error: str) -> str:
    """The ``Type: message`` line of a formatted traceback, whitespace collapsed."""
    lines = error.strip().splitlines()
    return " ".join(lines[-1].split()) if lines else "unknown error"


def _describe(t: _Task) -> str:
    return ", ".join(f"{k}={v}" for k, v in t.labels.items() if k != "seed") + f", seed={t.seed}"
