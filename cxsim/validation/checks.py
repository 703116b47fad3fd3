"""The registry of validation checks behind ``cxsim validate``.

A :class:`Check` is one claim the model must reproduce (a closed form, a published finding, a
reference behaviour), with where the claim comes from, what is expected, the tolerance and a
``run`` function that configures the real model, measures and says whether the claim holds.
Modules add their checks to :data:`CHECKS` with :func:`register` (or the :func:`check`
decorator) when they are imported; :func:`run_checks` runs them and returns one table;
:func:`main` is the command line (``cxsim validate``).

Checks that run many replications may map them over :func:`executor`, a process pool shared by
the whole ``cxsim validate`` run (``None`` when running on one worker), so replications run in
parallel on every core without each check paying for its own pool.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import pandas as pd

from cxsim.experiments.executors import default_workers, make_executor

COLUMNS: tuple[str, ...] = ("check", "role", "expected", "simulated", "tolerance", "pass")

#: A check the defaults were tuned to pass (parameters whose source says "calibrated (see
#: docs/validation.md)" were chosen with it in view): passing it is not evidence for the model.
CALIBRATION = "calibration"
#: A check no default was tuned to: passing it is validation.
HELD_OUT = "held-out"
ROLES: tuple[str, ...] = (CALIBRATION, HELD_OUT)


@dataclass(frozen=True)
class CheckResult:
    """What a check measured.

    Attributes:
        simulated: the measured value, as text for the table (e.g. ``"max |z| = 2.1"``).
        passed: whether the claim holds within the tolerance.
        details: anything worth reading when it fails (worst point, seeds, sizes).
    """

    simulated: str
    passed: bool
    details: str = ""


@dataclass(frozen=True)
class Check:
    """One validation claim.

    Attributes:
        name: unique, short, shell-friendly (``bass-dt0.1-p0.03-q0.38``); ``cxsim validate NAME``
            and glob patterns (``'bass-*'``) select by it.
        source: where the claim comes from (a paper, a closed form, a section of docs/ODD.md).
        expected: what should be seen, as text.
        tolerance: how close is close enough, and why (usually a multiple of the Monte-Carlo
            standard error), as text.
        run: configures the real model, runs it, returns a :class:`CheckResult`.
        role: :data:`CALIBRATION` (the defaults were tuned so that it passes: not evidence) or
            :data:`HELD_OUT` (nothing was tuned to it: validation). docs/validation.md lists both.
        group: a label for grouping in docs and tables (``docking``, ``behaviour`` ...).
    """

    name: str
    source: str
    expected: str
    tolerance: str
    run: Callable[[], CheckResult]
    role: str
    group: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"check {self.name!r}: role must be one of {ROLES}, not {self.role!r}")


#: Every registered check, in registration order.
CHECKS: list[Check] = []


def register(check: Check, *, replace: bool = False) -> Check:
    """Add ``check`` to :data:`CHECKS` and return it.

    A second check with the same name raises ``ValueError`` (two modules claiming one name is a
    bug), unless ``replace=True``, which swaps it in place (e.g. after reloading a module).
    """
    if not isinstance(check, Check):
        raise TypeError(f"register() takes a Check, got {type(check).__name__}")
    for i, existing in enumerate(CHECKS):
        if existing.name == check.name:
            if not replace:
                raise ValueError(f"a check named {check.name!r} is already registered")
            CHECKS[i] = check
            return check
    CHECKS.append(check)
    return check


def check(
    name: str, *, source: str, expected: str, tolerance: str, role: str, group: str = ""
) -> Callable[[Callable[[], CheckResult]], Callable[[], CheckResult]]:
    """Decorator form of :func:`register` for a ``run`` function::

    @check("trust-asymmetry", source="Slovic 1993", expected="...", tolerance="exact",
           role=HELD_OUT)
    def _trust() -> CheckResult: ...
    """

    def wrap(run: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        register(
            Check(
                name=name,
                source=source,
                expected=expected,
                tolerance=tolerance,
                run=run,
                role=role,
                group=group,
            )
        )
        return run

    return wrap


def select(names: Iterable[str] | None = None, role: str | None = None) -> list[Check]:
    """Registered checks whose name matches any of ``names`` (exact or glob), in order, and whose
    role is ``role`` (any role when ``None``).

    ``None`` or empty ``names`` selects all. A name or pattern that matches nothing raises
    ``KeyError``; so does an unknown role.
    """
    if role is not None:
        if role not in ROLES:
            raise KeyError(f"no role {role!r}; roles are {', '.join(ROLES)}")
        return [c for c in select(names) if c.role == role]
    if not names:
        return list(CHECKS)
    names = list(names)
    chosen = [c for c in CHECKS if any(fnmatch.fnmatchcase(c.name, pat) for pat in names)]
    for pat in names:
        if not any(fnmatch.fnmatchcase(c.name, pat) for c in CHECKS):
            raise KeyError(f"no check matches {pat!r}; `cxsim validate --list` lists them")
    return chosen


# --------------------------------------------------------------------------------------------
# Shared process pool
# --------------------------------------------------------------------------------------------

_POOL: Executor | None = None
_CLOSE: Callable[[], None] | None = None
_WORKERS: int | None = None


def set_workers(workers: int | None) -> None:
    """Use ``workers`` processes for checks' replications (``None``: all cores; 1: in-process)."""
    global _WORKERS
    shutdown_executor()
    _WORKERS = workers


def executor() -> Executor | None:
    """The shared process pool, started on first use; ``None`` when one worker is configured.

    Built by :func:`cxsim.experiments.make_executor`, the one process-pool factory of cxsim
    (workers from a fork server that has imported the model, where there is one).
    """
    global _POOL, _CLOSE
    workers = _WORKERS if _WORKERS is not None else default_workers()
    if workers <= 1:
        return None
    if _POOL is None:
        _POOL, _CLOSE = make_executor(None, workers=workers)
    return _POOL


def shutdown_executor() -> None:
    """Stop the shared pool, if one was started."""
    global _POOL, _CLOSE
    if _CLOSE is not None:
        close, _POOL, _CLOSE = _CLOSE, None, None
        close()


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A check together with its result and run time (seconds)."""

    check: Check
    result: CheckResult
    seconds: float


def run_one(chk: Check) -> Outcome:
    """Run one check; an exception is a failed check whose details hold the traceback."""
    t0 = time.perf_counter()
    try:
        result = chk.run()
        if not isinstance(result, CheckResult):
            raise TypeError(f"check {chk.name!r} returned {type(result).__name__}, not CheckResult")
    except Exception as exc:  # a crashing check fails; the others still run
        result = CheckResult(
            simulated=f"error: {type(exc).__name__}: {exc}",
            passed=False,
            details=traceback.format_exc(),
        )
    return Outcome(chk, result, time.perf_counter() - t0)


def _run(checks: Sequence[Check], progress: bool) -> list[Outcome]:
    outcomes = []
    width = max((len(c.name) for c in checks), default=0)
    total = time.perf_counter()
    try:
        for i, chk in enumerate(checks, 1):
            if progress:
                print(
                    f"[{i:>2}/{len(checks)}] {chk.name:<{width}} ...",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
            out = run_one(chk)
            outcomes.append(out)
            if progress:
                verdict = "ok" if out.result.passed else "FAIL"
                print(f" {verdict} ({out.seconds:.1f} s)", file=sys.stderr, flush=True)
    finally:
        shutdown_executor()
    if progress:
        print(f"{len(checks)} checks in {time.perf_counter() - total:.1f} s", file=sys.stderr)
    return outcomes


def _frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            (
                o.check.name,
                o.check.role,
                o.check.expected,
                o.result.simulated,
                o.check.tolerance,
                o.result.passed,
            )
            for o in outcomes
        ],
        columns=list(COLUMNS),
    )
    frame["pass"] = frame["pass"].astype(bool)
    frame.attrs["seconds"] = {o.check.name: o.seconds for o in outcomes}
    frame.attrs["details"] = {o.check.name: o.result.details for o in outcomes}
    frame.attrs["source"] = {o.check.name: o.check.source for o in outcomes}
    return frame


def run_checks(
    names: Iterable[str] | None = None,
    progress: bool = True,
    *,
    workers: int | None = None,
    role: str | None = None,
) -> pd.DataFrame:
    """Run the selected checks (all by default) and return one row per check.

    Args:
        names: check names or glob patterns (``"bass-*"``); ``None`` runs every check.
        progress: print one line per check to stderr as it runs.
        workers: processes for replications (``None``: every core, 1: all in this process).
        role: only checks of this role (``"calibration"`` or ``"held-out"``).

    Returns:
        DataFrame with columns ``check, role, expected, simulated, tolerance, pass``; run times,
        sources and failure details are in ``frame.attrs["seconds" | "source" | "details"]``.
    """
    _load_all()
    chosen = select(names, role)
    previous = _WORKERS
    if workers is not None:
        set_workers(workers)
    try:
        return _frame(_run(chosen, progress))
    finally:
        set_workers(previous)


def format_table(frame: pd.DataFrame) -> str:
    """The results as a plain-text table, columns aligned, ``PASS``/``FAIL`` spelled out."""
    rows = [[str(v) for v in r] for r in frame[list(COLUMNS)].itertuples(index=False)]
    for r in rows:
        r[-1] = "PASS" if r[-1] == "True" else "FAIL"
    header = list(COLUMNS)
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    widths[-1] = max(widths[-1], 4)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _load_all() -> None:
    """Import the modules that register checks (idempotent)."""
    import cxsim.validation  # noqa: F401  (its __init__ imports every check module)


def main(argv: Sequence[str] | None = None) -> int:
    """``cxsim validate``: run the checks, print the table, exit 1 if any fails."""
    parser = argparse.ArgumentParser(
        prog="cxsim validate",
        description="Run cxsim's validation checks (docking with closed forms, published "
        "findings, reference behaviours) and print one table. Exit status 1 when "
        "any check fails. See docs/validation.md.",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="checks to run, by name or glob pattern (default: all)",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the checks (name, role, source) and exit"
    )
    parser.add_argument(
        "--role",
        choices=ROLES,
        default=None,
        help="only calibration targets (the defaults were tuned to pass them) or only held-out "
        "checks (default: both)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes for replications (default: every core)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--details",
        action="store_true",
        help="print each check's details (always printed for failures)",
    )
    parser.add_argument("--csv", metavar="PATH", help="also write the table as CSV")
    parser.add_argument(
        "--figures",
        metavar="DIR",
        help="draw the docking figures of docs/validation.md into DIR and exit",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers is not None:
        from cxsim.params import ScenarioError
        from cxsim.params.limits import check_workers

        try:
            check_workers(args.workers)
        except ScenarioError as exc:
            print(f"cxsim: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2

    if args.figures:
        from cxsim.experiments.outputs import check_out_dir
        from cxsim.params import ScenarioError
        from cxsim.validation.docking import make_figures

        try:
            check_out_dir(args.figures, option="--figures")
        except ScenarioError as exc:
            print(f"cxsim: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2

        for path in make_figures(args.figures, workers=args.workers):
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
        return 0

    _load_all()
    try:
        chosen = select(args.names, args.role)
    except KeyError as exc:
        print(f"cxsim validate: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.list:
        width = max((len(c.name) for c in chosen), default=0)
        for c in chosen:
            print(f"{c.name:<{width}}  {c.role:<{len(CALIBRATION)}}  {c.source}")
        return 0

    previous = _WORKERS
    if args.workers is not None:
        set_workers(args.workers)
    started = time.perf_counter()
    try:
        outcomes = _run(chosen, progress=not args.quiet)
    finally:
        set_workers(previous)
    frame = _frame(outcomes)
    print(format_table(frame))
    failed = [o for o in outcomes if not o.result.passed]
    held_out = [o for o in outcomes if o.check.role == HELD_OUT]
    for o in outcomes:
        if (args.details or not o.result.passed) and o.result.details:
            print(f"\n{o.check.name} ({o.check.source}):\n{o.result.details.rstrip()}")
    print(
        f"\n{len(outcomes) - len(failed)}/{len(outcomes)} checks passed in "
        f"{time.perf_counter() - started:.0f} s; held-out (validation): "
        f"{sum(o.result.passed for o in held_out)}/{len(held_out)} passed; calibration targets "
        "(the defaults were tuned to pass them, not evidence): "
        f"{sum(o.result.passed for o in outcomes if o.check.role == CALIBRATION)}/"
        f"{len(outcomes) - len(held_out)} passed"
    )
    if args.csv:
        from cxsim.experiments.outputs import write_csv

        write_csv(frame, args.csv, index=False)
    return 1 if failed else 0
