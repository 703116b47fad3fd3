"""The ``cxsim`` command line: run, compare, sweep, sensitivity, validate, app.

``cxsim compare`` is the headline: the acquisition-focused and the retention-focused firm on the
same market and the same seeds, a table of outcomes at 1, 3 and 5 years with 95% intervals and
paired differences, and a figure. ``cxsim <command> --help`` documents each command.

Every input is checked before anything runs or is written. Bad input (an unknown scenario file,
malformed TOML, a bad ``--set`` key or value, a negative ``--weeks``...) prints exactly one line,
``cxsim: error: <message naming the key, the value and what is allowed>``, on stderr and exits
with code 2, with no traceback and no output folder created. Runs that raise are reported as a
one-line warning and give exit code 1 (their errors are in ``OUT/manifest.json``); when every
run raises, one line ``cxsim: error: all N runs failed; the first ...`` and exit code 1.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import sys
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, NoReturn

from cxsim.experiments import RunsFailedError

PROG = "cxsim"
#: Presets ``cxsim compare`` compares when given none.
DEFAULT_COMPARE = ("acquisition_focus", "retention_focus")
#: Replications of ``cxsim compare`` unless told otherwise: modest, so ``make run`` at the
#: default 2,000 customers takes well under a minute on two cores. Use 30 or more for results.
COMPARE_REPLICATIONS = 10
HEADLINE_METRICS = ("customers", "churn_rate", "cac", "clv", "npv", "nps")
HEADLINE_WEEKS = (52, 156, 260)


class CLIError(Exception):
    """Bad input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and never exit by itself."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(message)


# --------------------------------------------------------------------------------------------
# argument types
# --------------------------------------------------------------------------------------------


def _int_range(low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is not allowed; must be {allowed}")
        return value

    return parse


def _field_bounds(section: str, name: str) -> tuple[int, int]:
    from cxsim.params import SECTIONS

    for f in fields(SECTIONS[section]):
        if f.name == name:
            return int(f.metadata["low"]), int(f.metadata["high"])
    raise KeyError(name)  # pragma: no cover - the scenario module declares both


def _parse_value(text: str) -> Any:
    """A ``--set`` value: a TOML value (``0.3``, ``true``, ``"x"``, ``[1, 2]``), else a string."""
    try:
        data = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    if set(data) != {"v"}:
        return text
    return data["v"]


def _parse_assignment(option: str, text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CLIError(f"{option}: {text!r} is not KEY=VALUE (e.g. customers.n_customers=5000)")
    if not value.strip():
        raise CLIError(f"{option} {key}: missing value after '='")
    return key, value.strip()


def _parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or ():
        key, value = _parse_assignment("--set", item)
        out[key] = _parse_value(value)
    return out


def _parse_list(option: str, key: str, text: str) -> list[Any]:
    """``a,b,c`` or a TOML array ``[a, b, c]``."""
    if text.startswith("["):
        value = _parse_value(text)
        if not isinstance(value, list):
            raise CLIError(f"{option} {key}: {text!r} is not a valid list")
        items = value
    else:
        items = [_parse_value(v.strip()) for v in text.split(",")]
        if any(v == "" for v in items):
            raise CLIError(f"{option} {key}: {text!r} has an empty value")
    if not items:
        raise CLIError(f"{option} {key}: needs at least one value")
    return items


# --------------------------------------------------------------------------------------------
# the parser
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    weeks_low, weeks_high = _field_bounds("market", "weeks")
    n_low, n_high = _field_bounds("customers", "n_customers")
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        formatter_class=fmt,
        description="cxsim: an agent-based model of customer-centric strategy. "
        "Acquisition versus retention, with uncertainty bands.",
        epilog="Run `cxsim <command> --help` for each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def scenario_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--weeks",
            type=_int_range(weeks_low, weeks_high),
            metavar="N",
            help="weeks to simulate (default: the scenario's market.weeks, 260)",
        )
        p.add_argument(
            "--n-customers",
            type=_int_range(n_low, n_high),
            metavar="N",
            help="population size (default: the scenario's, 2000)",
        )
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            dest="sets",
            help="override a parameter, e.g. customers.wom_negative_reach=0.4 or "
            "firms.focal.budget=0.2 (TOML value; repeatable)",
        )

    def run_opts(p: argparse.ArgumentParser, replications: int) -> None:
        p.add_argument(
            "--replications",
            type=_int_range(1),
            default=replications,
            metavar="R",
            help=f"paired replications per scenario (default {replications})",
        )
        p.add_argument(
            "--seed",
            type=_int_range(0),
            default=0,
            metavar="S",
            help="master seed; replication i uses the same derived seed in every "
            "scenario (default 0)",
        )
        scenario_opts(p)
        p.add_argument(
            "--out",
            metavar="DIR",
            help="write every run (Parquet + manifest) and the summaries here",
        )
        p.add_argument("--resume", action="store_true", help="skip runs already stored under --out")
        where = p.add_mutually_exclusive_group()
        where.add_argument(
            "--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786"
        )
        where.add_argument("--serial", action="store_true", help="run in this process (debugging)")
        where.add_argument(
            "--workers",
            type=_int_range(1, 4096),
            metavar="N",
            help="local worker processes (default: one per CPU)",
        )
        p.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="progress bar (default: when stderr is a terminal)",
        )
        p.add_argument(
            "--firm", default="focal", help="firm whose outcomes are reported (default focal)"
        )

    p = sub.add_parser(
        "run",
        help="run one scenario once and print its outcomes",
        description="Run one scenario once; print the outcomes of every firm at "
        "1, 3 and 5 years (or the last week).",
        formatter_class=fmt,
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a TOML file or a preset name")
    p.add_argument(
        "--seed",
        type=_int_range(0),
        default=0,
        metavar="S",
        help="seed of the market's random numbers (default 0)",
    )
    scenario_opts(p)
    p.add_argument("--out", metavar="DIR", help="write the weekly frame here as Parquet")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: when stderr is a terminal)",
    )

    p = sub.add_parser(
        "compare",
        formatter_class=fmt,
        help="compare strategies on the same customers (the headline)",
        description="Run scenarios on common random numbers and print, for the focal firm at "
        "1, 3 and 5 years, customers, churn rate, CAC, CLV, NPV and NPS: means, 95% "
        "intervals and paired differences against the first scenario. With --out, "
        "writes every run, summary.csv and headline.png there.",
        epilog=f"Default scenarios: {' '.join(DEFAULT_COMPARE)}. Default replications: "
        f"{COMPARE_REPLICATIONS} (quick; use 30+ for publication).",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="TOML files or preset names (default: acquisition vs retention focus)",
    )
    run_opts(p, COMPARE_REPLICATIONS)

    p = sub.add_parser(
        "sweep",
        formatter_class=fmt,
        help="run a grid or a design of parameter points",
        description="Run every point of a grid (--grid, repeatable: every combination) or of a "
        "CSV design (--design: one column per parameter) on each scenario, with "
        "paired replications; print the firm's outcomes at the last week.",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="TOML files or preset names (default: the default market)",
    )
    p.add_argument(
        "--grid",
        action="append",
        metavar="KEY=V1,V2,...",
        help="parameter values, e.g. customers.wom_negative_reach=0.1,0.25,0.5",
    )
    p.add_argument("--design", metavar="FILE.csv", help="a CSV file of points")
    p.add_argument(
        "--metric",
        action="append",
        metavar="NAME",
        help="metric to report (repeatable; default customers, npv)",
    )
    run_opts(p, 1)

    p = sub.add_parser(
        "sensitivity",
        formatter_class=fmt,
        help="Morris screening or Sobol indices",
        description="Global sensitivity of an output to parameters over ranges (SALib). With "
        "two scenarios the output is the paired difference of --metric (first − "
        "second) for the firm at --week; with one, the metric itself.",
        epilog="Default scenarios: retention_focus acquisition_focus (output: NPV difference). "
        "Default parameters: " + ", ".join(_default_ranges_text()),
    )
    p.add_argument(
        "scenarios", nargs="*", metavar="SCENARIO", help="one or two TOML files or preset names"
    )
    p.add_argument("--method", choices=("morris", "sobol"), default="morris")
    p.add_argument(
        "--param",
        action="append",
        metavar="KEY=LOW,HIGH",
        help="a parameter and its range (repeatable)",
    )
    p.add_argument("--metric", default="npv", help="metric (default npv)")
    p.add_argument(
        "--week", type=_int_range(0), metavar="W", help="week of the output (default: the last)"
    )
    p.add_argument(
        "--trajectories",
        type=_int_range(2, 100_000),
        default=10,
        metavar="N",
        help="Morris trajectories (default 10)",
    )
    p.add_argument(
        "--levels",
        type=_int_range(2, 100),
        default=4,
        metavar="L",
        help="Morris grid levels (default 4)",
    )
    p.add_argument(
        "--samples",
        type=_int_range(2, 1 << 20),
        default=64,
        metavar="N",
        help="Sobol base samples, a power of 2 (default 64)",
    )
    p.add_argument("--second-order", action="store_true", help="Sobol second-order indices")
    run_opts(p, 1)

    p = sub.add_parser(
        "validate",
        formatter_class=fmt,
        help="check the model's reference behaviours",
        description="Run cxsim.validation (docking with closed forms, reference behaviours). "
        "Other arguments are passed on to it; `cxsim validate -- --help` shows them.",
    )

    p = sub.add_parser(
        "app",
        formatter_class=fmt,
        help="serve the dashboard (SolaraViz)",
        description="Serve the interactive dashboard in a browser.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    p.add_argument("--port", type=_int_range(1, 65535), default=8765, help="port (default 8765)")
    return parser


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 runs failed, 2 bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = build_parser()
    try:
        try:
            args, extra = parser.parse_known_args(argv)
        except SystemExit as exc:  # --help, --version
            return int(exc.code or 0)
        if args.command is None:
            raise CLIError(
                "a command is required: run, compare, sweep, sensitivity, validate, "
                "app (see cxsim --help)"
            )
        if extra and args.command != "validate":
            raise CLIError(f"{args.command}: unrecognized arguments: {' '.join(extra)}")
        handler = {
            "run": _cmd_run,
            "compare": _cmd_compare,
            "sweep": _cmd_sweep,
            "sensitivity": _cmd_sensitivity,
            "validate": _cmd_validate,
            "app": _cmd_app,
        }[args.command]
        return handler(args, extra)
    except CLIError as exc:
        return _fail(str(exc))
    except RunsFailedError as exc:
        return _fail(str(exc), code=1)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _fail(message: str, code: int = 2) -> int:
    line = " ".join(message.split())
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return code


def _checked(fn, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; turn a ScenarioError (bad input) into a CLIError."""
    from cxsim.params import ScenarioError

    try:
        return fn(*args, **kwargs)
    except ScenarioError as exc:
        raise CLIError(str(exc)) from None


# --------------------------------------------------------------------------------------------
# shared steps: scenarios, output folder, executor
# --------------------------------------------------------------------------------------------


def _scenarios(
    names: Sequence[str], args: argparse.Namespace, default: Sequence[str]
) -> dict[str, Any]:
    """Resolve, override and validate the scenarios (nothing is written)."""
    from cxsim.experiments import resolve_scenario

    names = list(names) or list(default)
    overrides = _parse_sets(getattr(args, "sets", None))
    if getattr(args, "weeks", None) is not None:
        overrides["market.weeks"] = args.weeks
    if getattr(args, "n_customers", None) is not None:
        overrides["customers.n_customers"] = args.n_customers
    out: dict[str, Any] = {}
    for name in names:
        sc = _checked(resolve_scenario, name)
        sc = _checked(sc.with_overrides, overrides)
        if sc.name in out:
            raise CLIError(f"scenarios: {name!r} repeats scenario {sc.name!r}; give each once")
        out[sc.name] = sc
    return out


def _check_firm(firm: str, scenarios: dict[str, Any]) -> None:
    for label, sc in scenarios.items():
        names = [f.name for f in sc.firms]
        if firm not in names:
            raise CLIError(
                f"--firm: {firm!r} is not a firm of scenario {label!r}; firms are "
                f"{', '.join(names)}"
            )


def _check_out(args: argparse.Namespace) -> Path | None:
    out = getattr(args, "out", None)
    if getattr(args, "resume", False) and not out:
        raise CLIError("--resume: needs --out DIR (the folder holding the finished runs)")
    if not out:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise CLIError(f"--out: {out!r} exists and is not a folder")
    parent = path.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise CLIError(f"--out: cannot create {out!r}: {str(parent)!r} is not writable")
    return path


def _make_out(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"--out: cannot create {str(path)!r}: {exc.strerror or exc}") from None


def _executor(args: argparse.Namespace):
    """The executor and its close function; connects to Dask (and fails) before any output."""
    from cxsim.experiments import make_executor

    if args.serial:
        return "serial", lambda: None
    if args.dask:
        address = args.dask
        if "://" not in address and ":" not in address:
            raise CLIError(f"--dask: {address!r} is not a scheduler address (e.g. tcp://host:8786)")
        try:
            return make_executor(address)
        except ImportError:
            raise CLIError(
                "--dask: needs dask[distributed] (pip install 'cxsim[cluster]')"
            ) from None
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise CLIError(f"--dask: cannot connect to {address!r}: {reason}") from None
    if args.workers:
        import concurrent.futures as cf

        from cxsim.experiments.run import _mp_context

        ex = cf.ProcessPoolExecutor(max_workers=args.workers, mp_context=_mp_context())
        return ex, lambda: ex.shutdown(wait=True, cancel_futures=True)
    return make_executor(None)


def _progress(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def _run_guarded(fn, *args: Any, **kwargs: Any) -> tuple[Any, list[str]]:
    """Call an experiment, collecting run-failure warnings as one line each."""
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
        print(f"{PROG}: warning: {line}", file=sys.stderr)
    return result, failures


def _run_experiment(args: argparse.Namespace, fn, *fn_args: Any, **fn_kwargs: Any):
    """Run an experiment with the options every experiment command shares: check the output
    folder, start the executor (connecting to Dask before anything is written), create the
    folder, run with run failures collected as warnings, close the executor.

    Returns ``(result, failures, out)``.
    """
    out = _check_out(args)
    executor, close = _executor(args)
    try:
        _make_out(out)
        result, failures = _run_guarded(
            fn,
            *fn_args,
            replications=args.replications,
            seed=args.seed,
            executor=executor,
            out=out,
            resume=args.resume,
            progress=_progress(args),
            **fn_kwargs,
        )
    finally:
        close()
    return result, failures, out


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------


def _cmd_run(args: argparse.Namespace, extra: list[str]) -> int:
    scenarios = _scenarios([args.scenario], args, ())
    ((name, scenario),) = scenarios.items()
    out = _check_out(args)
    from cxsim.core.model import Market

    market = Market(scenario, rng=args.seed, customer_agents=False)
    frame = market.run(None, progress=_progress(args))
    print(
        f"{name}: {scenario.customers.n_customers:,} customers, "
        f"{scenario.market.weeks} weeks, seed {args.seed}"
    )
    print(_run_table(frame))
    if out is not None:
        _make_out(out)
        path = out / f"{name}_seed{args.seed}.parquet"
        frame.to_parquet(path, index=False)
        print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.experiments import compare, summarize

    scenarios = _scenarios(args.scenarios, args, DEFAULT_COMPARE)
    _check_firm(args.firm, scenarios)
    df, failures, out = _run_experiment(args, compare, scenarios)
    if df.empty:
        print(
            f"{PROG}: error: every run failed" + (f"; see {out / 'manifest.json'}" if out else ""),
            file=sys.stderr,
        )
        return 1
    labels = list(scenarios)
    summary = summarize(df, weeks=HEADLINE_WEEKS, metrics=HEADLINE_METRICS, baseline=labels[0])
    n_cust = sorted({sc.customers.n_customers for sc in scenarios.values()})
    print(
        f"Firm {args.firm!r}: mean [95% interval] over {args.replications} paired "
        f"replications (seed {args.seed}, {', '.join(f'{n:,}' for n in n_cust)} customers); "
        f"differences paired by replication, against {labels[0]!r}."
    )
    print(_compare_table(summary[summary["firm"] == args.firm], labels))
    if out is not None:
        summary.to_csv(out / "summary.csv", index=False)
        import matplotlib.pyplot as plt

        from cxsim.viz.plots import plot_headline

        fig = plot_headline(df, firm=args.firm, scenarios=labels)
        fig.savefig(out / "headline.png")
        plt.close(fig)
        print(f"wrote {out / 'summary.csv'}, {out / 'headline.png'}, runs in {out / 'runs'}")
    return 1 if failures else 0


def _cmd_sweep(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.core.metrics import METRICS
    from cxsim.experiments import summarize, sweep, sweep_points
    from cxsim.params import typed_overrides

    scenarios = _scenarios(args.scenarios, args, ("default",))
    _check_firm(args.firm, scenarios)
    metrics = args.metric or ["customers", "npv"]
    for m in metrics:
        _check_metric("--metric", m, METRICS)
    if bool(args.grid) == bool(args.design):
        raise CLIError("sweep: give either --grid KEY=V1,V2,... (repeatable) or --design FILE.csv")
    if args.grid:
        design: Any = {}
        for item in args.grid:
            key, value = _parse_assignment("--grid", item)
            design[key] = _parse_list("--grid", key, value)
    else:
        design = _read_design(args.design)
    points = _checked(sweep_points, design)
    for point in points:
        for sc in scenarios.values():
            _checked(sc.with_overrides, typed_overrides(sc, point))
    df, failures, out = _run_experiment(args, sweep, points, scenarios)
    if df.empty:
        print(f"{PROG}: error: every run failed", file=sys.stderr)
        return 1
    summary = summarize(df, weeks=None, metrics=metrics, firm=args.firm)
    last = summary[summary["week"] == summary["week"].max()]
    params = [
        c
        for c in df.columns
        if c not in ("point", "scenario", "replication", "seed", "firm", "week")
        and c not in METRICS
    ]
    table = last.pivot_table(
        index=["point", "scenario"], columns="metric", values="mean", observed=True
    ).reset_index()
    keys = df[["point", *params]].drop_duplicates("point")
    table = keys.merge(table, on="point")
    print(
        f"Firm {args.firm!r} at week {last['week'].max():g}: mean over "
        f"{args.replications} replication(s) per point"
    )
    print(table.to_string(index=False, float_format=_fmt))
    if out is not None:
        summary.to_csv(out / "sweep_summary.csv", index=False)
        print(f"wrote {out / 'sweep_summary.csv'}, runs in {out / 'runs'}")
    return 1 if failures else 0


def _cmd_sensitivity(args: argparse.Namespace, extra: list[str]) -> int:
    from cxsim.core.metrics import METRICS
    from cxsim.experiments.sensitivity import (
        DEFAULT_RANGES,
        _prepare,
        metric_output,
        morris,
        paired_difference,
        plot_sensitivity,
        problem,
        sobol,
    )

    scenarios = _scenarios(args.scenarios, args, ("retention_focus", "acquisition_focus"))
    if len(scenarios) > 2:
        raise CLIError(f"sensitivity: give one or two scenarios, not {len(scenarios)}")
    _check_firm(args.firm, scenarios)
    _check_metric("--metric", args.metric, METRICS)
    ranges: dict[str, tuple[float, float]] = {}
    for item in args.param or ():
        key, value = _parse_assignment("--param", item)
        bounds = _parse_list("--param", key, value)
        if len(bounds) != 2 or not all(
            isinstance(b, int | float) and not isinstance(b, bool) for b in bounds
        ):
            raise CLIError(f"--param {key}: {value!r} is not a range LOW,HIGH of two numbers")
        ranges[key] = (float(bounds[0]), float(bounds[1]))
    ranges = ranges or dict(DEFAULT_RANGES)
    prob = _checked(problem, ranges)
    _checked(_prepare, scenarios, prob)
    if args.method == "sobol" and args.samples & (args.samples - 1):
        raise CLIError(f"--samples: {args.samples} is not allowed; must be a power of 2")
    labels = list(scenarios)
    if len(labels) == 2:
        output = paired_difference(
            args.metric, labels[0], labels[1], firm=args.firm, week=args.week
        )
    else:
        output = metric_output(args.metric, firm=args.firm, week=args.week)
    if args.method == "morris":
        method, options = morris, {"trajectories": args.trajectories, "levels": args.levels}
    else:
        method, options = sobol, {"samples": args.samples, "second_order": args.second_order}
    try:
        result, failures, out = _run_experiment(
            args, _checked, method, output, ranges, scenarios=scenarios, **options
        )
    except RuntimeError as exc:
        print(f"{PROG}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    print(f"{args.method.capitalize()} sensitivity of {result['output'].iloc[0]}")
    wide = result.pivot_table(
        index="parameter", columns="index", values="value", sort=False
    ).reset_index()
    print(wide.to_string(index=False, float_format=_fmt))
    if out is not None:
        import matplotlib.pyplot as plt

        result.to_csv(out / "sensitivity.csv", index=False)
        ax = plot_sensitivity(result)
        ax.figure.savefig(out / "sensitivity.png")
        plt.close(ax.figure)
        print(f"wrote {out / 'sensitivity.csv'}, {out / 'sensitivity.png'}")
    return 1 if failures else 0


def _cmd_validate(args: argparse.Namespace, extra: list[str]) -> int:
    if extra and extra[0] == "--":
        extra = extra[1:]
    if importlib.util.find_spec("cxsim.validation") is None:
        raise CLIError("validate: cxsim.validation is not part of this installation")
    import cxsim.validation as validation

    entry = getattr(validation, "main", None)
    if not callable(entry):
        raise CLIError("validate: cxsim.validation has no main(argv) entry point yet")
    code = entry(extra)
    return int(code or 0)


def _cmd_app(args: argparse.Namespace, extra: list[str]) -> int:
    if importlib.util.find_spec("cxsim.viz.app") is None:
        raise CLIError("app: the dashboard module cxsim.viz.app is not part of this installation")
    try:
        from cxsim.viz.app import serve
    except ImportError as exc:
        raise CLIError(
            f"app: cannot load the dashboard ({exc}); install it with "
            "pip install 'cxsim[dashboard]'"
        ) from None
    code = serve(args.host, args.port)
    return int(code or 0)


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------


def _fmt(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:  # NaN
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.3g}"


def _cell(mean: Any, low: Any, high: Any) -> str:
    if low != low or high != high:  # NaN interval
        return _fmt(mean)
    return f"{_fmt(mean)} [{_fmt(low)}, {_fmt(high)}]"


def _compare_table(summary: Any, labels: list[str]) -> str:
    base = labels[0]
    header = ["metric", "year", *labels, *(f"{lab} − {base}" for lab in labels[1:])]
    rows = [header]
    metrics = list(dict.fromkeys(summary["metric"]))
    for metric in metrics:
        part = summary[summary["metric"] == metric]
        for week in sorted(part["week"].unique()):
            at = part[part["week"] == week].set_index("scenario")
            row = [metric, f"{week / 52:g}"]
            for lab in labels:
                r = at.loc[lab] if lab in at.index else None
                row.append("–" if r is None else _cell(r["mean"], r["ci_low"], r["ci_high"]))
            for lab in labels[1:]:
                r = at.loc[lab] if lab in at.index else None
                row.append(
                    "–" if r is None else _cell(r["diff_mean"], r["diff_ci_low"], r["diff_ci_high"])
                )
            rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _run_table(frame: Any) -> str:
    weeks = sorted(set(frame["week"]))
    wanted = [w for w in HEADLINE_WEEKS if w in weeks] or [weeks[-1]]
    part = frame[frame["week"].isin(wanted)].copy()
    part.insert(0, "year", part["week"] / 52)
    cols = ["firm", "year", *HEADLINE_METRICS]
    return part[cols].sort_values(["firm", "year"]).to_string(index=False, float_format=_fmt)


def _check_metric(option: str, metric: str, allowed: Sequence[str]) -> None:
    if metric not in allowed:
        close = difflib.get_close_matches(metric, list(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CLIError(
            f"{option}: {metric!r} is not a metric{hint}; metrics are {', '.join(allowed)}"
        )


def _read_design(path_text: str) -> Any:
    import pandas as pd

    path = Path(path_text)
    if not path.is_file():
        raise CLIError(f"--design: file {path_text!r} does not exist")
    try:
        design = pd.read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise CLIError(
            f"--design: cannot read {path_text!r} as CSV: {' '.join(str(exc).split())}"
        ) from None
    if design.empty or not len(design.columns):
        raise CLIError(
            f"--design: {path_text!r} has no points (one column per parameter, one row per point)"
        )
    return design


def _default_ranges_text() -> list[str]:
    from cxsim.experiments.sensitivity import DEFAULT_RANGES

    return [f"{k}={lo:g},{hi:g}" for k, (lo, hi) in DEFAULT_RANGES.items()]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("cxsim")
    except Exception:  # noqa: BLE001
        return "unknown"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
