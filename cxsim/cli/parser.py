"""The argument parser: the commands and their own options (the option groups they share, and
the bounds of numeric options, are in :mod:`cxsim.cli.options`)."""

from __future__ import annotations

import argparse

from cxsim.cli.calibrate import add_parser as _add_calibrate
from cxsim.cli.classroom import add_parsers as _add_classroom
from cxsim.cli.errors import PROG, Parser
from cxsim.cli.optimize import add_parser as _add_optimize
from cxsim.cli.options import (
    MAX_SEED,
    experiment_options,
    field_bounds,
    force_option,
    int_range,
    progress_option,
    scenario_options,
    where_options,
)
from cxsim.cli.values import RULE_EXAMPLE

COMMANDS = ("run", "compare", "sweep", "sensitivity", "calibrate", "validate", "app")
COMMANDS += ("tournament", "classroom")  # cxsim.cli.classroom
COMMANDS += ("explain", "optimize")
#: Presets ``cxsim compare`` compares when given none.
DEFAULT_COMPARE = ("acquisition_focus", "retention_focus")
#: Presets ``cxsim sensitivity`` uses when given none (output: their paired difference).
DEFAULT_SENSITIVITY = ("retention_focus", "acquisition_focus")
#: Presets ``cxsim explain`` decomposes when given none: the gap from the first to the second.
DEFAULT_EXPLAIN = ("retention_focus", "acquisition_focus")
#: Replications of ``cxsim compare`` unless told otherwise: modest, so ``make run`` at the
#: default 2,000 customers takes well under a minute on two cores. Use 30 or more for results.
COMPARE_REPLICATIONS = 10

_FMT = argparse.RawDescriptionHelpFormatter
_RULE_EPILOG = (
    "Swap a behavioural rule for another theory with --rule NAME=MODULE:ATTR, e.g.\n"
    f"  --rule {RULE_EXAMPLE}\n"
    "(the rules are listed in cxsim.core.ruleset.RULE_NAMES; a replacement takes the\n"
    "arguments of the rule it replaces)."
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        formatter_class=_FMT,
        description="cxsim: an agent-based model of customer-centric strategy. "
        "Acquisition versus retention, with uncertainty bands.",
        epilog="Run `cxsim <command> --help` for each command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _add_run(sub)
    _add_compare(sub)
    _add_sweep(sub)
    _add_sensitivity(sub)
    _add_explain(sub)
    _add_optimize(sub)
    _add_calibrate(sub)
    _add_classroom(sub)
    sub.add_parser(
        "validate",
        formatter_class=_FMT,
        help="check the model's reference behaviours",
        description="Run cxsim.validation (docking with closed forms, reference behaviours). "
        "Other arguments are passed on to it; `cxsim validate -- --help` shows them.",
    )
    p = sub.add_parser(
        "app",
        formatter_class=_FMT,
        help="serve the dashboard (SolaraViz)",
        description="Serve the interactive dashboard in a browser.",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface (default 127.0.0.1, this machine only); any other needs --allow-remote",
    )
    p.add_argument("--port", type=int_range(1, 65535), default=8765, help="port (default 8765)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not a loopback address (the dashboard is then reachable "
        "from other machines; a warning names the address)",
    )
    return parser


# --------------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------------


def _add_run(sub) -> None:
    p = sub.add_parser(
        "run",
        help="run one scenario once and print its outcomes",
        description="Run one scenario once; print the outcomes of every firm at "
        "1, 3 and 5 years (or the last week).",
        epilog=_RULE_EPILOG,
        formatter_class=_FMT,
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a TOML file or a preset name")
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="seed of the market's random numbers (default 0)",
    )
    scenario_options(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write the weekly frame here as Parquet (file named by the scenario, slugged)",
    )
    p.add_argument(
        "--transactions",
        metavar="FILE.parquet",
        help="write the market's transaction log here (customer, week, firm, amount)",
    )
    force_option(p)
    progress_option(p)


def _add_compare(sub) -> None:
    p = sub.add_parser(
        "compare",
        formatter_class=_FMT,
        help="compare strategies on the same customers (the headline)",
        description="Run scenarios on common random numbers and print, for the focal firm at "
        "1, 3 and 5 years, customers, churn rate, CAC, CLV, NPV and NPS: means, 95% "
        "intervals and paired differences against the first scenario. With --out, "
        "writes every run, summary.csv and headline.png there.",
        epilog=f"Default scenarios: {' '.join(DEFAULT_COMPARE)}. Default replications: "
        f"{COMPARE_REPLICATIONS} (quick; use 30+ for publication).\n\n{_RULE_EPILOG}",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="TOML files or preset names (default: acquisition vs retention focus)",
    )
    experiment_options(p, COMPARE_REPLICATIONS)


def _add_sweep(sub) -> None:
    p = sub.add_parser(
        "sweep",
        formatter_class=_FMT,
        help="run a grid or a design of parameter points",
        description="Run every point of a grid (--grid, repeatable: every combination) or of a "
        "CSV design (--design: one column per parameter) on each scenario, with "
        "paired replications; print the firm's outcomes at the last week.",
        epilog=_RULE_EPILOG,
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
        help="metric to report (repeatable; default active, npv)",
    )
    experiment_options(p, 1)


def _add_sensitivity(sub) -> None:
    weeks_high = field_bounds("market", "weeks")[1]
    p = sub.add_parser(
        "sensitivity",
        formatter_class=_FMT,
        help="Morris screening or Sobol indices",
        description="Global sensitivity of an output to parameters over ranges (SALib). With "
        "two scenarios the output is the paired difference of --metric (first − "
        "second) for the firm at --week; with one, the metric itself.",
        epilog=f"Default scenarios: {' '.join(DEFAULT_SENSITIVITY)} (output: NPV difference). "
        "Default parameters: "
        + ", ".join(_default_ranges_text())
        + f" (the levers': {_lever_range_text()}).\n\n{_RULE_EPILOG}",
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
        "--week",
        type=int_range(0, weeks_high),
        metavar="W",
        help="week of the output (default: the last)",
    )
    p.add_argument(
        "--trajectories",
        type=int_range(2, 100_000),
        default=10,
        metavar="N",
        help="Morris trajectories (default 10)",
    )
    p.add_argument(
        "--levels",
        type=int_range(2, 100),
        default=4,
        metavar="L",
        help="Morris grid levels (default 4)",
    )
    p.add_argument(
        "--samples",
        type=int_range(2, 1 << 20),
        default=64,
        metavar="N",
        help="Sobol base samples, a power of 2 (default 64)",
    )
    p.add_argument("--second-order", action="store_true", help="Sobol second-order indices")
    experiment_options(p, 1)


def _add_explain(sub) -> None:
    p = sub.add_parser(
        "explain",
        formatter_class=_FMT,
        help="why one strategy beats another: the gap split over mechanisms (Shapley)",
        description="Decompose the gap in the firm's NPV plus terminal customer equity (or "
        "--metric) from scenario A to scenario B into mechanisms (reach, discounts, "
        "experience, leaving, word of mouth, price and cost, innovation, context): every "
        "coalition of the mechanisms on which A and B differ is run as a hybrid market on "
        "the same seeds, and each mechanism gets its Shapley value (Shorrocks 2013), so the "
        "contributions add up exactly to the gap. Prints contributions with 95% intervals "
        "over replications, one-at-a-time effects and interactions; with --out, writes "
        "explain.csv and explain.png (a waterfall) there.",
        epilog=f"Default scenarios: {' '.join(DEFAULT_EXPLAIN)}. Default replications: as "
        "many as fit 256 runs (2^k coalitions each for k mechanisms that differ), 2 to 30.",
    )
    p.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help="A and B: TOML files or preset names (default: retention focus, acquisition focus)",
    )
    p.add_argument(
        "--replications",
        type=int_range(1),
        default=None,
        metavar="R",
        help="replication seeds; each gives its own exact decomposition (default: 256 runs' "
        "worth, 2 to 30)",
    )
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="master seed; replication i uses the same derived seed in every coalition (default 0)",
    )
    scenario_options(p, rules=False)
    p.add_argument(
        "--metric",
        default="npv_plus_equity",
        help="npv_plus_equity (default), npv, or another metric at the horizon",
    )
    p.add_argument("--out", metavar="DIR", help="write explain.csv and explain.png here")
    where_options(p, firm="firm whose outcome is explained (default focal)")


# --------------------------------------------------------------------------------------------
# help texts
# --------------------------------------------------------------------------------------------


def _default_ranges_text() -> list[str]:
    from cxsim.experiments.sensitivity import DEFAULT_RANGES

    return [f"{k}={lo:g},{hi:g}" for k, (lo, hi) in DEFAULT_RANGES.items()]


def _lever_range_text() -> str:
    from cxsim.experiments.sensitivity import LEVER_RANGE_FACTOR

    return (
        f"the declared default ×{1 / LEVER_RANGE_FACTOR:g} to ×{LEVER_RANGE_FACTOR:g}, within "
        "the declared range"
    )


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("cxsim")
    except Exception:  # noqa: BLE001
        return "unknown"
