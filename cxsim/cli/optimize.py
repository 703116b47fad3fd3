"""``cxsim optimize SCENARIO``: how much a firm should move its budget, and what happens when
its rivals answer (``--equilibrium``).

Every input is checked before anything runs or is written: bad bounds, an unknown lever or
firm, zero trials, a bad ``--out`` are one line, ``cxsim: error: ...``, exit code 2, and nothing
is written. The work is :func:`cxsim.experiments.optimize` (or
:func:`cxsim.experiments.equilibrium`); with ``--out``, ``runs.csv`` (the value of every
finished run, so ``--resume`` picks a killed search up) is kept as the search goes, and the
results are written atomically at the end: ``best.toml``, ``trials.csv``, ``frontier.png`` and
``report.md`` (with ``--equilibrium``: ``equilibrium.toml``, ``allocations.csv``,
``values.csv``, ``best_responses.png``, ``report.md``).
"""

from __future__ import annotations

import argparse
from typing import Any

from cxsim.cli.errors import EXIT_OK, CLIError, checked

#: The scenario ``cxsim optimize`` searches when given none.
DEFAULT_SCENARIO = "default"


def add_parser(sub) -> None:
    """Register ``optimize`` with the command line's subparsers."""
    from cxsim.cli.options import MAX_SEED, int_range, scenario_options, where_options
    from cxsim.experiments.optimize import SPACES, SearchOptions

    d = SearchOptions()
    p = sub.add_parser(
        "optimize",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="how much to move: the firm's best budget split (and rivals that respond)",
        description="Search the firm's budget allocation for the largest NPV plus terminal "
        "customer equity: the share on acquisition (--space acquisition_share) or every "
        "lever's share (--space levers), optionally the budget too, with Optuna's TPE sampler "
        "on common random numbers; the best trials, the allocation as given and every preset "
        "are re-run on fresh seeds, and the marginal value of the next unit of budget is "
        "measured lever by lever. With --equilibrium the firms take turns best-responding "
        "until their allocations stop moving. With --out, writes best.toml, trials.csv, "
        "frontier.png and report.md there.",
        epilog="Example: cxsim optimize default --firm focal --trials 40 --out results/opt\n"
        "         cxsim optimize default --equilibrium --rounds 4 --out results/eq",
    )
    p.add_argument(
        "scenario",
        nargs="?",
        default=DEFAULT_SCENARIO,
        metavar="SCENARIO",
        help="a TOML file or a preset name (default: the default market)",
    )
    p.add_argument("--space", choices=SPACES, default=d.space, help="what is searched")
    p.add_argument(
        "--levers",
        metavar="L1,L2,...",
        help="levers of --space levers (default: the eight that act on customers)",
    )
    p.add_argument(
        "--bounds",
        metavar="LOW,HIGH",
        help="range of the acquisition share searched (default 0,1)",
    )
    p.add_argument(
        "--budget",
        metavar="LOW,HIGH",
        help="also search the budget in this range (currency per year, log scale)",
    )
    p.add_argument(
        "--trials", type=int_range(0), default=d.trials, metavar="N", help="allocations tried"
    )
    p.add_argument(
        "--replications",
        type=int_range(0),
        default=d.replications,
        metavar="R",
        help=f"seeds per trial, the same for every trial (default {d.replications})",
    )
    p.add_argument(
        "--confirm",
        type=int_range(0),
        default=d.confirm,
        metavar="C",
        help=f"fresh seeds re-running the best trials and the presets (default {d.confirm})",
    )
    p.add_argument(
        "--top", type=int_range(0), default=d.top, metavar="K", help="best trials re-run"
    )
    p.add_argument(
        "--batch",
        type=int_range(0),
        default=d.batch,
        metavar="B",
        help=f"trials asked of the sampler at a time (default {d.batch})",
    )
    p.add_argument(
        "--marginal-step",
        type=float,
        default=d.marginal_step,
        metavar="S",
        help="money added to one lever for its marginal value, as a share of the budget "
        f"(default {d.marginal_step:g}; 0 skips it)",
    )
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="root seed of the search, the fresh seeds and the sampler (default 0)",
    )
    p.add_argument(
        "--equilibrium",
        action="store_true",
        help="let every firm best-respond in turn until the allocations stop moving",
    )
    p.add_argument(
        "--rounds", type=int_range(0), default=4, metavar="N", help="most rounds (default 4)"
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=0.05,
        metavar="T",
        help="largest move of a lever's share that counts as standing still (default 0.05)",
    )
    scenario_options(p)
    p.add_argument("--out", metavar="DIR", help="write the results here")
    p.add_argument("--resume", action="store_true", help="reuse the finished runs in --out")
    where_options(p, firm="the firm whose allocation is searched (default focal)")


def _numbers(option: str, text: str | None, count: int) -> list[float] | None:
    """``LOW,HIGH`` → two numbers (or ``None``), one-line error otherwise."""
    if text is None:
        return None
    parts = [t.strip() for t in text.split(",")]
    try:
        values = [float(t) for t in parts]
    except ValueError:
        values = []
    if len(values) != count:
        raise CLIError(f"{option}: {text!r} is not LOW,HIGH (two numbers, e.g. 0.1,0.6)")
    return values


def optimize(args: argparse.Namespace, extra: list[str]) -> int:
    """Run the search and print (and with ``--out`` write) its report."""
    from cxsim.cli import inputs
    from cxsim.cli.running import executor, progress
    from cxsim.experiments.outputs import check_out_dir

    scenarios = inputs.scenarios([args.scenario], args, (DEFAULT_SCENARIO,))
    ((name, scenario),) = scenarios.items()
    inputs.check_firm(args.firm, scenarios)
    levers = None
    if args.levers is not None:
        levers = [v.strip() for v in args.levers.split(",") if v.strip()]
    search: dict[str, Any] = {
        "space": args.space,
        "levers": levers,
        "bounds": _numbers("--bounds", args.bounds, 2) or (0.0, 1.0),
        "budget": _numbers("--budget", args.budget, 2),
        "trials": args.trials,
        "replications": args.replications,
        "batch": args.batch,
        "top": args.top,
        "confirm": args.confirm,
        "marginal_step": args.marginal_step,
        "weeks": args.weeks,
        "seed": args.seed,
        "force": args.force,
    }
    _check(scenario, args, search)
    if args.resume and not args.out:
        raise CLIError("--resume: needs --out DIR (the folder holding the finished runs)")
    out = checked(check_out_dir, args.out, option="--out") if args.out is not None else None
    rules = inputs.rules(args)
    ex, close = executor(args)
    try:
        if args.equilibrium:
            from cxsim.experiments import equilibrium

            search.pop("marginal_step")
            result = checked(
                equilibrium,
                scenario,
                rounds=args.rounds,
                tolerance=args.tolerance,
                out=out,
                resume=args.resume,
                progress=progress(args),
                executor=ex,
                rules=rules,
                **search,
            )
        else:
            from cxsim.experiments import optimize as search_allocation

            result = checked(
                search_allocation,
                scenario,
                args.firm,
                out=out,
                resume=args.resume,
                progress=progress(args),
                executor=ex,
                rules=rules,
                **search,
            )
    finally:
        close()
    return _report(result, name, out, equilibrium=args.equilibrium)


def _check(scenario: Any, args: argparse.Namespace, search: dict[str, Any]) -> None:
    """Every search option checked (one line, exit 2) before the output folder is touched."""
    from cxsim.experiments.optimize import SearchOptions, check_search

    opts = SearchOptions(**search)
    if args.equilibrium:
        if args.rounds < 1:
            raise CLIError(f"--rounds: {args.rounds} is not allowed; must be at least 1")
        if not 0.0 < args.tolerance <= 1.0:
            raise CLIError(f"--tolerance: {args.tolerance:g} is not a share in (0, 1]")
        for firm in scenario.firms:
            checked(check_search, scenario, firm.name, opts)
    else:
        checked(check_search, scenario, args.firm, opts)


def _report(result: Any, name: str, out: Any, *, equilibrium: bool) -> int:
    import matplotlib.pyplot as plt

    from cxsim.viz.allocation_report import equilibrium_report, optimize_report

    text = equilibrium_report(result) if equilibrium else optimize_report(result)
    print(f"Scenario {name!r}.")
    print(text, end="")
    if out is None:
        return EXIT_OK
    from cxsim.experiments.outputs import save_figure, write_csv, write_text

    if equilibrium:
        import tomli_w

        from cxsim.viz.frontier import plot_best_responses

        write_csv(result.allocations, out / "allocations.csv", index=False)
        write_csv(result.values, out / "values.csv", index=False)
        write_text(out / "equilibrium.toml", tomli_w.dumps(result.scenario.to_dict()))
        ax = plot_best_responses(result)
        files = ["allocations.csv", "values.csv", "equilibrium.toml", "best_responses.png"]
        figure = "best_responses.png"
    else:
        from cxsim.experiments.optimize import best_toml
        from cxsim.viz.frontier import plot_frontier

        write_csv(result.trials, out / "trials.csv", index=False)
        write_csv(result.confirmed, out / "confirmed.csv", index=False)
        write_csv(result.marginal, out / "marginal.csv", index=False)
        write_text(out / "best.toml", best_toml(result))
        ax = plot_frontier(result)
        files = ["best.toml", "trials.csv", "confirmed.csv", "marginal.csv", "frontier.png"]
        figure = "frontier.png"
    try:
        save_figure(ax.figure, out / figure)
    finally:
        plt.close(ax.figure)
    write_text(out / "report.md", text)
    print(f"wrote {', '.join(str(out / f) for f in [*files, 'report.md'])}")
    return EXIT_OK
