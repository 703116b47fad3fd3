"""The commands: each checks its inputs (:mod:`cxsim.cli.inputs`), runs, prints its table
(:mod:`cxsim.cli.tables`) and writes its files; each returns its exit code.

Heavy modules (the model, the experiments, matplotlib through the tables' number format) are
imported by the command that needs them, so ``cxsim --help`` is quick and ``MPLBACKEND`` (set by
:func:`cxsim.cli.main`) is in place before matplotlib loads."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
from typing import Any

from cxsim.cli import calibrate as calibration
from cxsim.cli import classroom, inputs
from cxsim.cli import optimize as optimization
from cxsim.cli.errors import EXIT_OK, EXIT_RUNS_FAILED, CLIError, checked, fail
from cxsim.cli.parser import DEFAULT_COMPARE, DEFAULT_EXPLAIN, DEFAULT_SENSITIVITY
from cxsim.cli.running import check_plan, executor, progress, run_experiment
from cxsim.cli.values import parse_assignment, parse_list, parse_ranges


def run(args: argparse.Namespace, extra: list[str]) -> int:
    ((name, scenario),) = inputs.scenarios([args.scenario], args, ()).items()
    rules = inputs.rules(args)
    out = inputs.check_out(args)
    transactions = calibration.check_transactions(args.transactions)
    check_plan(args, [(scenario, None, 1)], where="serial")
    from cxsim.cli.tables import run_table
    from cxsim.core.model import Market
    from cxsim.experiments.outputs import slug, write_parquet

    market = Market(
        scenario,
        rng=args.seed,
        customer_agents=False,
        rules=rules,
        record_transactions=transactions is not None,
    )
    frame = market.run(None, progress=progress(args))
    print(
        f"{name}: {scenario.customers.n_customers:,} customers, "
        f"{scenario.market.weeks} weeks, seed {args.seed}{_rules_note(rules)}"
    )
    print(run_table(frame))
    if out is not None:
        created = not out.exists()
        inputs.make_out(out)
        # the file is named by a slug of the scenario's name, never by the name itself; the
        # name is kept as data, in the first column
        path = out / f"{slug(name)}_seed{args.seed}.parquet"
        try:
            write_parquet(frame.assign(scenario=name)[["scenario", *frame.columns]], path)
        except OSError:
            if created:  # leave nothing behind: the folder was made for this file
                with contextlib.suppress(OSError):
                    out.rmdir()
            raise
        print(f"wrote {path}")
    calibration.write_transactions(market, transactions)
    return EXIT_OK


def compare(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.cli.tables import HEADLINE_METRICS, HEADLINE_WEEKS, compare_table
    from cxsim.experiments import compare, summarize
    from cxsim.experiments.resources import check_runs

    scenarios = inputs.scenarios(args.scenarios, args, DEFAULT_COMPARE)
    inputs.check_firm(args.firm, scenarios)
    rules = inputs.rules(args)
    inputs.check_out(args)
    checked(check_runs, len(scenarios) * args.replications, args.replications, force=args.force)
    check_plan(args, [(sc, None, args.replications) for sc in scenarios.values()])
    # every run failing raises RunsFailedError (one line, exit 1, in cxsim.cli.main)
    df, failures, out = run_experiment(args, compare, scenarios, rules=rules)
    labels = list(scenarios)
    summary = summarize(df, weeks=HEADLINE_WEEKS, metrics=HEADLINE_METRICS, baseline=labels[0])
    n_cust = sorted({sc.customers.n_customers for sc in scenarios.values()})
    print(
        f"Firm {args.firm!r}: mean [95% interval] over {args.replications} paired "
        f"replications (seed {args.seed}, {', '.join(f'{n:,}' for n in n_cust)} customers"
        f"{_rules_note(rules)}); differences paired by replication, against {labels[0]!r}."
    )
    print(compare_table(summary[summary["firm"] == args.firm], labels))
    if out is not None:
        import matplotlib.pyplot as plt

        from cxsim.experiments.outputs import save_figure, write_csv
        from cxsim.viz.plots import plot_headline

        write_csv(summary, out / "summary.csv", index=False)
        fig = plot_headline(df, firm=args.firm, scenarios=labels)
        try:
            save_figure(fig, out / "headline.png")
        finally:
            plt.close(fig)
        print(f"wrote {out / 'summary.csv'}, {out / 'headline.png'}, runs in {out / 'runs'}")
    return EXIT_RUNS_FAILED if failures else EXIT_OK


def sweep(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.cli.tables import frame_table
    from cxsim.core.metrics import METRICS
    from cxsim.experiments import summarize, sweep, sweep_points, swept_parameters
    from cxsim.experiments.resources import check_runs

    scenarios = inputs.scenarios(args.scenarios, args, ("default",))
    inputs.check_firm(args.firm, scenarios)
    metrics = args.metric or ["active", "npv"]
    for m in metrics:
        inputs.check_metric("--metric", m, METRICS)
    if bool(args.grid) == bool(args.design):
        raise CLIError("sweep: give either --grid KEY=V1,V2,... (repeatable) or --design FILE.csv")
    if args.grid:
        design: Any = {}
        for item in args.grid:
            key, value = parse_assignment("--grid", item)
            design[key] = parse_list("--grid", key, value)
    else:
        design = inputs.read_design(args.design)
    points = checked(sweep_points, design, force=args.force)
    checked(
        check_runs,
        len(points) * len(scenarios) * args.replications,
        args.replications,
        force=args.force,
    )
    plan = inputs.check_points(points, scenarios)
    rules = inputs.rules(args)
    inputs.check_out(args)
    check_plan(args, [(sc, None, args.replications) for sc in plan])
    df, failures, out = run_experiment(args, sweep, points, scenarios, rules=rules)
    summary = summarize(df, weeks=None, metrics=metrics, firm=args.firm)
    last = summary[summary["week"] == summary["week"].max()]
    params = swept_parameters(summary)
    table = last.pivot_table(
        index=["point", "scenario"], columns="metric", values="mean", observed=True
    ).reset_index()
    keys = last[["point", *params]].drop_duplicates("point")
    table = keys.merge(table, on="point")
    print(
        f"Firm {args.firm!r} at week {last['week'].max():g}: mean over "
        f"{args.replications} replication(s) per point{_rules_note(rules)}"
    )
    print(frame_table(table))
    if out is not None:
        import matplotlib.pyplot as plt

        from cxsim.experiments.outputs import save_figure, write_csv
        from cxsim.viz.plots import plot_sweep

        write_csv(summary, out / "sweep_summary.csv", index=False)
        written = [str(out / "sweep_summary.csv")]
        fig = plot_sweep(last, metrics)
        if fig is not None:
            try:
                save_figure(fig, out / "sweep.png")
            finally:
                plt.close(fig)
            written.append(str(out / "sweep.png"))
        print(f"wrote {', '.join(written)}, runs in {out / 'runs'}")
    return EXIT_RUNS_FAILED if failures else EXIT_OK


def sensitivity(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.cli.tables import frame_table
    from cxsim.core.metrics import METRICS
    from cxsim.experiments import sensitivity as sa

    scenarios = inputs.scenarios(args.scenarios, args, DEFAULT_SENSITIVITY)
    if len(scenarios) > 2:
        raise CLIError(f"sensitivity: give one or two scenarios, not {len(scenarios)}")
    inputs.check_firm(args.firm, scenarios)
    inputs.check_metric("--metric", args.metric, METRICS)
    ranges = parse_ranges(args.param) or dict(sa.DEFAULT_RANGES)
    checked(sa.problem, ranges)
    inputs.check_ranges(ranges, scenarios)
    if args.method == "sobol" and args.samples & (args.samples - 1):
        raise CLIError(f"--samples: {args.samples} is not allowed; must be a power of 2")
    labels = list(scenarios)
    if len(labels) == 2:
        output = sa.paired_difference(
            args.metric, labels[0], labels[1], firm=args.firm, week=args.week
        )
    else:
        output = sa.metric_output(args.metric, firm=args.firm, week=args.week)
    if args.method == "morris":
        method, options = sa.morris, {"trajectories": args.trajectories, "levels": args.levels}
    else:
        method, options = sa.sobol, {"samples": args.samples, "second_order": args.second_order}
    rules = inputs.rules(args)
    try:
        result, failures, out = run_experiment(
            args, checked, method, output, ranges, scenarios=scenarios, rules=rules, **options
        )
    except RuntimeError as exc:
        return fail(str(exc), EXIT_RUNS_FAILED)
    print(
        f"{args.method.capitalize()} sensitivity of {result['output'].iloc[0]}{_rules_note(rules)}"
    )
    wide = result.pivot_table(
        index="parameter", columns="index", values="value", sort=False
    ).reset_index()
    print(frame_table(wide))
    if out is not None:
        import matplotlib.pyplot as plt

        from cxsim.experiments.outputs import save_figure, write_csv

        write_csv(result, out / "sensitivity.csv", index=False)
        ax = sa.plot_sensitivity(result)
        try:
            save_figure(ax.figure, out / "sensitivity.png")
        finally:
            plt.close(ax.figure)
        print(f"wrote {out / 'sensitivity.csv'}, {out / 'sensitivity.png'}")
    return EXIT_RUNS_FAILED if failures else EXIT_OK


def explain(args: argparse.Namespace, extra: list[str]) -> int:
    """``cxsim explain A B``: the Shapley decomposition of :func:`cxsim.experiments.explain`,
    printed as a table; with ``--out``, ``explain.csv`` and ``explain.png`` (a waterfall)."""
    from cxsim.cli.tables import frame_table
    from cxsim.core.metrics import METRIC_INFO, METRICS
    from cxsim.experiments import explain as decompose
    from cxsim.experiments.explain import METRICS as NAMED
    from cxsim.experiments.explain import active_channels, default_replications
    from cxsim.experiments.resources import check_runs

    if len(args.scenarios) not in (0, 2):
        raise CLIError(
            f"explain: give two scenarios, A and B (got {len(args.scenarios)}); the gap "
            "explained is B − A"
        )
    scenarios = inputs.scenarios(args.scenarios, args, DEFAULT_EXPLAIN)
    if len(scenarios) != 2:  # pragma: no cover - inputs.scenarios refuses a repeated name
        raise CLIError("explain: give two different scenarios")
    inputs.check_firm(args.firm, scenarios)
    inputs.check_metric("--metric", args.metric, [*NAMED, *METRICS])
    (name_a, a), (name_b, b) = scenarios.items()
    k = len(active_channels(a, b, args.firm))
    replications = args.replications or default_replications(k)
    runs = (1 << k) * replications
    checked(check_runs, runs, replications, force=args.force)
    check_plan(args, [(a, None, runs)])
    out = inputs.check_out(args)
    ex, close = executor(args)
    try:
        table = checked(
            decompose,
            a,
            b,
            firm=args.firm,
            metric=args.metric,
            replications=replications,
            seed=args.seed,
            executor=ex,
            progress=progress(args),
            force=args.force,
        )
    finally:
        close()
    unit = "currency" if args.metric in NAMED else METRIC_INFO[args.metric].unit
    print(
        f"Firm {args.firm!r}: {args.metric} of {name_b!r} − {name_a!r}, split over mechanisms "
        f"(Shapley values on common random numbers; mean [95% interval] over {replications} "
        f"replications, seed {args.seed}; {runs:,} runs: {1 << k} coalitions of {k} "
        f"mechanisms that differ; {a.customers.n_customers:,} customers, "
        f"{table.attrs['weeks']} weeks)."
    )
    shown = table[table["active"] | (table["mechanism"] == "total")]
    print(frame_table(shown.drop(columns=["active", "switches"])))
    quiet = [m for m in table["mechanism"] if m != "total" and m not in set(shown["mechanism"])]
    if quiet:
        print(f"Exactly 0 (the scenarios do not differ on them): {', '.join(quiet)}.")
    if out is not None:
        import matplotlib.pyplot as plt

        from cxsim.experiments.outputs import save_figure, write_csv
        from cxsim.viz.plots import plot_waterfall

        inputs.make_out(out)
        write_csv(table, out / "explain.csv", index=False)
        ax = plot_waterfall(
            table,
            start=name_a,
            end=name_b,
            ylabel=f"B − A ({unit})" if unit else None,
            title=f"{args.metric}, firm {args.firm}: B = {name_b}, A = {name_a}",
        )
        try:
            save_figure(ax.figure, out / "explain.png")
        finally:
            plt.close(ax.figure)
        print(f"wrote {out / 'explain.csv'}, {out / 'explain.png'}")
    return EXIT_OK


def validate(args: argparse.Namespace, extra: list[str]) -> int:
    if extra and extra[0] == "--":
        extra = extra[1:]
    if importlib.util.find_spec("cxsim.validation") is None:
        raise CLIError("validate: cxsim.validation is not part of this installation")
    import cxsim.validation as validation

    entry = getattr(validation, "main", None)
    if not callable(entry):
        raise CLIError("validate: cxsim.validation has no main(argv) entry point yet")
    return int(entry(extra) or 0)


def app(args: argparse.Namespace, extra: list[str]) -> int:
    inputs.check_host(args.host, allow_remote=args.allow_remote)
    if importlib.util.find_spec("cxsim.viz.app") is None:
        raise CLIError("app: the dashboard module cxsim.viz.app is not part of this installation")
    try:
        from cxsim.viz.app import serve
    except ImportError as exc:
        raise CLIError(
            f"app: cannot load the dashboard ({exc}); install it with "
            "pip install 'cxsim[dashboard]'"
        ) from None
    return int(serve(args.host, args.port) or 0)


def _rules_note(rules: dict[str, str] | None) -> str:
    """``", rules: update_trust=pkg.mod:func"`` for the header line, or nothing."""
    if not rules:
        return ""
    return ", rules: " + ", ".join(f"{k}={v}" for k, v in rules.items())


#: Command name → handler.
HANDLERS = {
    "run": run,
    "compare": compare,
    "sweep": sweep,
    "sensitivity": sensitivity,
    "explain": explain,
    "optimize": optimization.optimize,
    "calibrate": calibration.calibrate,
    "validate": validate,
    "app": app,
}
HANDLERS.update(classroom.HANDLERS)  # tournament, classroom
