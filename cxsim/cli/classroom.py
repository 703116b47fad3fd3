"""Commands for a class: ``cxsim tournament DIR`` and ``cxsim classroom export``.

``cxsim tournament DIR`` plays every strategy file in ``DIR`` against every other on the same
markets (:func:`cxsim.experiments.tournament`), prints the leaderboard and the head-to-head
table, and writes ``leaderboard.csv`` and ``leaderboard.png`` (to ``--out``, default ``DIR``).
``cxsim classroom export [NOTEBOOK]`` writes the learners' copy of a teacher's worksheet
(:func:`cxsim.viz.classroom.export_student_copy`), answers left out.

Every input is checked before anything runs or is written: a strategy file that cannot be read
or is wrong (malformed TOML, an unknown lever, shares that do not sum to 1, an unknown key) is
one line naming the file, ``cxsim: error: bob.toml: ...``, exit code 2, and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cxsim.cli.errors import EXIT_OK, CLIError, checked

__all__ = ["DEFAULT_NOTEBOOK", "DEFAULT_STUDENT_DIR", "HANDLERS", "add_parsers"]

#: The teacher's worksheet ``cxsim classroom export`` copies by default.
DEFAULT_NOTEBOOK = "notebooks/09_classroom.ipynb"
#: Where the learners' copies go by default (ignored by git: generated, never committed).
DEFAULT_STUDENT_DIR = "results/student"

_FMT = argparse.RawDescriptionHelpFormatter
#: The class-sized defaults of :func:`cxsim.experiments.tournament` (repeated here so that
#: ``cxsim --help`` does not load the experiments; a test keeps them equal).
DEFAULT_CUSTOMERS, DEFAULT_WEEKS, DEFAULT_REPLICATIONS = 1_000, 156, 5


def add_parsers(sub: Any) -> None:
    """Register ``tournament`` and ``classroom`` with the command line's subparsers."""
    from cxsim.cli.options import MAX_SEED, field_bounds, int_range

    p = sub.add_parser(
        "tournament",
        formatter_class=_FMT,
        help="play the strategy files in a folder against each other (round robin)",
        description="Every strategy file in DIR (one TOML file per team: an [allocation] table "
        "of lever shares summing to 1, or strategy = a preset name, and a budget) meets every "
        "other head to head on the same markets, in both seats, on common random numbers. "
        "Prints the leaderboard (mean NPV plus terminal customer equity with its interval, "
        "head-to-head wins) and the head-to-head table; writes leaderboard.csv and "
        "leaderboard.png.",
        epilog="Example file (alice.toml):\n  budget = 535\n  [allocation]\n  service = 0.4\n"
        "  personalization = 0.3\n  advertising = 0.3\n\nSee the classroom page of the docs.",
    )
    p.add_argument("folder", metavar="DIR", help="folder of strategy files (*.toml)")
    p.add_argument(
        "--market",
        default="default",
        metavar="SCENARIO",
        help="the market the matches are played in: a TOML file or a preset (default: the "
        "default market)",
    )
    n_low, n_high = field_bounds("customers", "n_customers")
    w_low, w_high = field_bounds("market", "weeks")
    p.add_argument(
        "--replications",
        type=int_range(1, 1000),
        default=DEFAULT_REPLICATIONS,
        metavar="R",
        help=f"seeds per match, the same in every match (default {DEFAULT_REPLICATIONS})",
    )
    p.add_argument(
        "--n-customers",
        type=int_range(n_low, n_high),
        default=DEFAULT_CUSTOMERS,
        metavar="N",
        help=f"customers in each market (default {DEFAULT_CUSTOMERS:,})",
    )
    p.add_argument(
        "--weeks",
        type=int_range(w_low, w_high),
        default=DEFAULT_WEEKS,
        metavar="W",
        help=f"weeks each match runs (default {DEFAULT_WEEKS})",
    )
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="master seed of the replications (default 0)",
    )
    p.add_argument(
        "--out", metavar="DIR", help="write leaderboard.csv and leaderboard.png here (default DIR)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--serial", action="store_true", help="run in this process")
    where.add_argument(
        "--workers", type=int_range(1, 4096), metavar="N", help="local worker processes"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: when stderr is a terminal)",
    )

    c = sub.add_parser(
        "classroom",
        formatter_class=_FMT,
        help="classroom tools: export a worksheet's learners' copy",
        description="Classroom tools. `cxsim classroom export [NOTEBOOK]` writes the learners' "
        "copy of a teacher's worksheet: answers (code after a '# ANSWER' line) and cells "
        "tagged teacher-only left out, outputs cleared.",
    )
    tools = c.add_subparsers(dest="tool", metavar="TOOL", parser_class=type(c))
    e = tools.add_parser(
        "export",
        formatter_class=_FMT,
        help="write the learners' copy of a worksheet",
        description="Write the learners' copy of a teacher's notebook as "
        "<name>_student.ipynb in --out.",
    )
    e.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help=f"teacher's notebooks (default {DEFAULT_NOTEBOOK})",
    )
    e.add_argument(
        "--out",
        default=DEFAULT_STUDENT_DIR,
        metavar="DIR",
        help=f"folder for the copies (default {DEFAULT_STUDENT_DIR})",
    )


def tournament(args: argparse.Namespace, extra: list[str]) -> int:
    """The ``tournament`` command."""
    import sys

    from cxsim.experiments.outputs import check_out_dir, make_dir, save_figure, write_csv
    from cxsim.experiments.tournament import load_strategies
    from cxsim.experiments.tournament import tournament as play
    from cxsim.params import resolve_scenario

    market = checked(resolve_scenario, args.market)
    # the market at the tournament's size, budgets scaled with it (Scenario.resized)
    market = checked(market.resized, args.n_customers)
    market = checked(market.with_overrides, weeks=args.weeks)
    strategies = checked(load_strategies, args.folder, market)
    out = checked(check_out_dir, args.out or args.folder, option="--out")
    progress = sys.stderr.isatty() if args.progress is None else bool(args.progress)
    executor = "serial" if args.serial else None
    result = checked(
        play,
        strategies,
        market=market,
        replications=args.replications,
        seed=args.seed,
        n_customers=None,
        weeks=None,
        executor=executor,
        workers=args.workers,
        progress=progress,
    )
    from cxsim.viz.style import fmt

    n = len(strategies)
    print(
        f"Tournament: {n} strategies, {n * (n - 1)} matches (each pair in both seats) × "
        f"{args.replications} replications on the same seeds (seed {args.seed}); market "
        f"{market.name!r}, {args.n_customers:,} customers, {args.weeks} weeks."
    )
    print("Value: mean NPV plus terminal customer equity over a strategy's matches; 95% interval")
    print("over replications; wins: head-to-head pairings won.\n")
    print(_table(result.leaderboard, fmt))
    print("\nHead to head: the row's mean value minus the column's, over their two matches.\n")
    print(_head_to_head(result.head_to_head, fmt))
    make_dir(out)
    csv_path, png_path = Path(out) / "leaderboard.csv", Path(out) / "leaderboard.png"
    write_csv(result.leaderboard, csv_path, index=False)
    import matplotlib.pyplot as plt

    from cxsim.viz.tournament import plot_leaderboard

    fig = plot_leaderboard(result.leaderboard)
    save_figure(fig, png_path)
    plt.close("all")
    print(f"\nwrote {csv_path}, {png_path}")
    return EXIT_OK


def _table(board: Any, fmt: Any) -> str:
    rows = [("rank", "strategy", "value", "95% interval", "wins")]
    for _, r in board.iterrows():
        interval = f"[{fmt(r['low'])}, {fmt(r['high'])}]"
        rows.append((str(r["rank"]), str(r["strategy"]), fmt(r["value"]), interval, str(r["wins"])))
    return _align(rows, right={0, 2, 3, 4})


def _head_to_head(head: Any, fmt: Any) -> str:
    names = [str(c) for c in head.columns]
    rows = [("", *names)]
    for name in head.index:
        rows.append(
            (str(name), *("—" if a == name else fmt(head.loc[name, a]) for a in head.columns))
        )
    return _align(rows, right=set(range(1, len(names) + 1)))


def _align(rows: list[tuple[str, ...]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def classroom(args: argparse.Namespace, extra: list[str]) -> int:
    """The ``classroom`` command (``classroom export``)."""
    from cxsim.experiments.outputs import check_out_dir
    from cxsim.viz.classroom import export_student_copy, load_worksheet

    if getattr(args, "tool", None) != "export":
        raise CLIError("classroom: give a tool: export (see cxsim classroom --help)")
    notebooks = list(args.notebooks) or [DEFAULT_NOTEBOOK]
    for nb in notebooks:  # every notebook is checked before any copy is written
        path = Path(nb)
        if not path.is_file():
            raise CLIError(f"{nb}: no such notebook")
        if path.suffix != ".ipynb":
            raise CLIError(f"{nb}: is not a notebook (.ipynb)")
        try:
            load_worksheet(path)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
    out = checked(check_out_dir, args.out, option="--out")
    written = [export_student_copy(nb, out) for nb in notebooks]
    print("wrote " + ", ".join(str(p) for p in written))
    return EXIT_OK


#: Command name → handler.
HANDLERS = {"tournament": tournament, "classroom": classroom}
