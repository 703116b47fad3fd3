"""Option groups the commands share, and the bounds of numeric options.

Bounds of options that set a parameter (``--weeks``, ``--n-customers``, ``--week``) are those the
parameter registry declares (the ``low``/``high`` metadata of the :mod:`cxsim.params` dataclass
fields), so the command line and a scenario file accept the same values.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import fields

from cxsim.cli.values import RULE_EXAMPLE

#: Largest ``--seed``: a seed fits NumPy's 64-bit integers and a file name.
MAX_SEED = 2**63 - 1


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number in ``[low, high]`` (``high`` None: no upper bound)."""

    def parse(text: str) -> int:
        shown = repr(text) if len(text) <= 40 else repr(text[:30]) + f" (+{len(text) - 30:,} chars)"
        if len(text.strip().lstrip("+-")) > 30:  # also spares int() a 5,000-digit string
            raise argparse.ArgumentTypeError(f"{shown} is too long to be a count or seed")
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown} is not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is not allowed; must be {allowed}")
        return value

    return parse


def field_bounds(section: str, name: str) -> tuple[int, int]:
    """``(low, high)`` of parameter ``section.name`` in the parameter registry."""
    from cxsim.params import SECTIONS

    for f in fields(SECTIONS[section]):
        if f.name == name:
            return int(f.metadata["low"]), int(f.metadata["high"])
    raise KeyError(f"{section}.{name}")  # pragma: no cover - the registry declares both


def scenario_options(p: argparse.ArgumentParser, *, rules: bool = True) -> None:
    weeks_low, weeks_high = field_bounds("market", "weeks")
    n_low, n_high = field_bounds("customers", "n_customers")
    p.add_argument(
        "--weeks",
        type=int_range(weeks_low, weeks_high),
        metavar="N",
        help="weeks to simulate (default: the scenario's market.weeks, 260)",
    )
    p.add_argument(
        "--n-customers",
        type=int_range(n_low, n_high),
        metavar="N",
        help="population size: the same market, larger or smaller, every firm's budget scaled "
        "with it (default: the scenario's, 2000; --set customers.n_customers=N keeps budgets)",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        dest="sets",
        help="override a parameter, e.g. customers.wom_negative_reach=0.4 or "
        "firms.focal.budget=20800 (TOML value; repeatable)",
    )
    if not rules:
        return
    p.add_argument(
        "--rule",
        action="append",
        metavar="NAME=MODULE:ATTR",
        dest="rules",
        help=f"swap a behavioural rule for another theory, e.g. {RULE_EXAMPLE} (repeatable)",
    )


def experiment_options(p: argparse.ArgumentParser, replications: int) -> None:
    p.add_argument(
        "--replications",
        type=int_range(1),
        default=replications,
        metavar="R",
        help=f"paired replications per scenario (default {replications})",
    )
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="master seed; replication i uses the same derived seed in every scenario (default 0)",
    )
    scenario_options(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write every run (Parquet + manifest) and the summaries here",
    )
    p.add_argument("--resume", action="store_true", help="skip runs already stored under --out")
    where_options(p, firm="firm whose outcomes are reported (default focal)")


def where_options(p: argparse.ArgumentParser, *, firm: str) -> None:
    """Where runs go (--dask, --serial, --workers), --force, --progress and --firm."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--dask", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786"
    )
    where.add_argument("--serial", action="store_true", help="run in this process (debugging)")
    where.add_argument(
        "--workers",
        type=int_range(1),
        metavar="N",
        help="local worker processes (default: one per CPU; at most the machine's cores "
        "without --force)",
    )
    force_option(p)
    progress_option(p)
    p.add_argument("--firm", default="focal", help=firm)


def force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        action="store_true",
        help="run even when the resource estimate (memory, runs, steps, workers, points) is "
        "over the limits of cxsim.params.limits",
    )


def progress_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: when stderr is a terminal)",
    )
