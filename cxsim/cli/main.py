"""The ``cxsim`` command line: run, compare, sweep, sensitivity, explain, calibrate, tournament,
classroom, validate, app.

``cxsim compare`` is the headline: the acquisition-focused and the retention-focused firm on the
same market and the same seeds, a table of outcomes at 1, 3 and 5 years with 95% intervals and
paired differences, and a figure. ``cxsim explain A B`` says why one beats the other: the gap
split over mechanisms by Shapley values (:mod:`cxsim.experiments.explain`).
``cxsim <command> --help`` documents each command.

Every input is checked before anything runs or is written. Bad input (an unknown scenario file,
malformed TOML, a bad ``--set`` key or value, a ``--rule`` that cannot be imported or does not
take the rule's arguments, a negative ``--weeks``...) prints exactly one line,
``cxsim: error: <message naming the key, the value and what is allowed>``, on stderr and exits
with code 2, with no traceback and no output folder created. So does a request over a resource
limit of :mod:`cxsim.params.limits` (the line gives the estimate: runs, steps, memory against the
memory available; ``--force`` runs anyway), and a file that cannot be written (a full disk:
every file is written atomically, so nothing partial is left). Runs that raise are reported as a
one-line warning and give exit code 1 (their errors are in ``OUT/manifest.json``); when every
run raises, one line ``cxsim: error: all N runs failed; the first ...`` and exit code 1.

The modules: :mod:`~cxsim.cli.parser` (commands, options, bounds), :mod:`~cxsim.cli.values`
(parsing ``KEY=VALUE`` text), :mod:`~cxsim.cli.inputs` (checking scenarios, rules, files),
:mod:`~cxsim.cli.running` (executors, run failures), :mod:`~cxsim.cli.commands`,
:mod:`~cxsim.cli.tables` and :mod:`~cxsim.cli.errors` (the one-line error policy).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from cxsim.cli.commands import HANDLERS
from cxsim.cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_RUNS_FAILED,
    PROG,
    CLIError,
    fail,
)
from cxsim.cli.parser import COMMANDS, build_parser
from cxsim.experiments import OutputError, RunsFailedError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runs failed, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        _check_double_dash_values(argv)
        parser = build_parser()
        try:
            args, extra = parser.parse_known_args(argv)
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        if args.command is None:
            raise CLIError(f"a command is required: {', '.join(COMMANDS)} (see {PROG} --help)")
        if extra and args.command != "validate":
            raise CLIError(f"{args.command}: unrecognized arguments: {' '.join(extra)}")
        return HANDLERS[args.command](args, extra)
    except CLIError as exc:
        return fail(str(exc))
    except OutputError as exc:  # a file could not be written (full disk, permissions...)
        return fail(exc.strerror or str(exc))
    except RunsFailedError as exc:
        return fail(str(exc), EXIT_RUNS_FAILED)
    except MemoryError:
        return fail(
            "out of memory; use fewer customers, workers or replications (the resource "
            "estimate was overridden with --force, or underestimated)",
            EXIT_RUNS_FAILED,
        )
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _check_double_dash_values(argv: Sequence[str]) -> None:
    """``--option=--`` (before any bare ``--``): argparse drops the value ``--`` and stores an
    empty list instead of calling the option's type, so refuse it here, in one line."""
    for arg in argv:
        if arg == "--":
            return
        if arg.startswith("--") and arg.partition("=")[2] == "--":
            option = arg.partition("=")[0]
            raise CLIError(f"{option}: '--' is not a value (write {option} VALUE)")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
