"""Checking a command's inputs before anything runs or is written: scenarios with their
overrides, swapped rules, the firm, metrics, a design file, parameter ranges and the output folder.

Every check raises :class:`cxsim.cli.errors.CLIError` with a one-line message naming the option,
the value and what is allowed.
"""

from __future__ import annotations

import argparse
import difflib
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cxsim.cli.errors import CLIError, checked
from cxsim.cli.values import parse_rules, parse_sets


def scenarios(
    names: Sequence[str], args: argparse.Namespace, default: Sequence[str]
) -> dict[str, Any]:
    """Resolve, override and validate the scenarios (nothing is written)."""
    from cxsim.params import resolve_scenario

    names = list(names) or list(default)
    sets = parse_sets(getattr(args, "sets", None))
    flags: dict[str, Any] = {}
    if getattr(args, "weeks", None) is not None:
        flags["market.weeks"] = ("--weeks", args.weeks)
    if getattr(args, "n_customers", None) is not None:
        flags["customers.n_customers"] = ("--n-customers", args.n_customers)
    out: dict[str, Any] = {}
    for name in names:
        sc = checked(resolve_scenario, name)
        sc = checked(sc.with_overrides, sets)  # every --set is checked, flags or not
        for key, (option, value) in flags.items():
            if sc.get(key) != value and any(_same_parameter(k, key) for k in sets):
                raise CLIError(
                    f"{key}: given by --set ({sc.get(key)!r}) and by {option} ({value!r}); "
                    "give it once"
                )
        if "market.weeks" in flags:
            sc = checked(sc.with_overrides, {"market.weeks": flags["market.weeks"][1]})
        if "customers.n_customers" in flags:
            # the same market at another size: budgets scale with it (Scenario.resized)
            sc = checked(sc.resized, flags["customers.n_customers"][1])
        if sc.name in out:
            raise CLIError(f"scenarios: {name!r} repeats scenario {sc.name!r}; give each once")
        out[sc.name] = sc
    return out


def rules(args: argparse.Namespace) -> dict[str, str] | None:
    """The ``--rule`` swaps as ``{name: "module:attr"}``, or ``None`` when there are none.

    Each is imported and its signature checked here (by :class:`cxsim.core.ruleset.Rules`), so
    an unknown rule, a module that cannot be imported, a missing attribute or a function that
    cannot take the rule's arguments is one line of bad input before anything runs; so is, when
    runs go to worker processes (not ``--serial``), a rule they cannot import by name (a
    lambda). The names (not the functions) are passed on: workers import the rules themselves.
    """
    from cxsim.core.ruleset import Rules

    swaps = parse_rules(getattr(args, "rules", None))
    if not swaps:
        return None
    ruleset = checked(Rules, swaps)
    if not getattr(args, "serial", True):  # runs go to worker processes or Dask
        checked(ruleset.check_portable)
    return swaps


def check_firm(firm: str, scenarios: Mapping[str, Any]) -> None:
    """``firm`` must be a firm of every scenario."""
    for label, sc in scenarios.items():
        names = [f.name for f in sc.firms]
        if firm not in names:
            raise CLIError(
                f"--firm: {firm!r} is not a firm of scenario {label!r}; firms are "
                f"{', '.join(names)}"
            )


def check_metric(option: str, metric: str, allowed: Sequence[str]) -> None:
    """``metric`` must be one of ``allowed`` (with a did-you-mean)."""
    if metric not in allowed:
        close = difflib.get_close_matches(metric, list(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CLIError(
            f"{option}: {metric!r} is not a metric{hint}; metrics are {', '.join(allowed)}"
        )


def check_points(points: Sequence[Mapping[str, Any]], scenarios: Mapping[str, Any]) -> list[Any]:
    """Every design point must be a valid override of every scenario; returns the scenarios
    of every point (for the resource estimate)."""
    from cxsim.params import typed_overrides

    return [
        checked(sc.with_overrides, checked(typed_overrides, sc, point))
        for point in points
        for sc in scenarios.values()
    ]


def check_ranges(ranges: Mapping[str, tuple[float, float]], scenarios: Mapping[str, Any]) -> None:
    """Every parameter must be valid at both ends of its range in every scenario."""
    for name, (low, high) in ranges.items():
        check_points([{name: low}, {name: high}], scenarios)


def read_design(path_text: str) -> Any:
    """A CSV design: one column per parameter, one row per point."""
    import pandas as pd

    from cxsim.params.limits import MAX_DESIGN_FILE_BYTES, read_limited

    path = Path(path_text)
    if not path.is_file():
        raise CLIError(f"--design: file {path_text!r} does not exist")
    data = checked(read_limited, path, MAX_DESIGN_FILE_BYTES, "--design")
    try:
        design = pd.read_csv(io.BytesIO(data))
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise CLIError(
            f"--design: cannot read {path_text!r} as CSV: {' '.join(str(exc).split())}"
        ) from None
    if design.empty or not len(design.columns):
        raise CLIError(
            f"--design: {path_text!r} has no points (one column per parameter, one row per point)"
        )
    return design


def check_out(args: argparse.Namespace) -> Path | None:
    """The ``--out`` folder (not created yet), or ``None``: it must be a folder or creatable,
    writable, and hold nothing in the way of what cxsim writes there (``runs`` a file,
    ``manifest.json`` a folder); an empty ``--out ""`` is bad input, not "no output"."""
    from cxsim.experiments.outputs import check_out_dir

    out = getattr(args, "out", None)
    if getattr(args, "resume", False) and not out:
        raise CLIError("--resume: needs --out DIR (the folder holding the finished runs)")
    if out is None:
        return None
    return checked(check_out_dir, out, option="--out")


def make_out(path: Path | None) -> None:
    """Create the output folder (once every input has been checked)."""
    if path is None:
        return
    from cxsim.experiments.outputs import make_dir

    make_dir(path)


def check_host(host: str, *, allow_remote: bool) -> None:
    """``cxsim app --host``: a loopback address serves this machine only; any other address
    (``""`` and ``0.0.0.0`` mean every interface) needs ``--allow-remote`` and gets a warning
    naming it."""
    import ipaddress

    from cxsim.cli.errors import warn

    if host and (len(host) > 255 or not all(c.isalnum() or c in ".:-_[]%" for c in host)):
        raise CLIError(f"--host: {host[:60]!r} is not a host name or an IP address")
    bare = host.strip("[]")
    try:
        loopback = ipaddress.ip_address(bare.split("%")[0]).is_loopback
    except ValueError:
        loopback = bare.lower() == "localhost" or bare.lower().endswith(".localhost")
    if loopback:
        return
    unspecified = bare in ("", "0.0.0.0", "::")
    where = f"every network interface (--host {host!r})" if unspecified else repr(host)
    if not allow_remote:
        raise CLIError(
            f"--host: {host!r} is not a loopback address: the dashboard would be reachable from "
            f"other machines on {where}; add --allow-remote to serve it there"
        )
    warn(f"serving the dashboard on {where}: anyone who can reach this machine can use it")


def _same_parameter(a: str, b: str) -> bool:
    """Whether override keys ``a`` and ``b`` name the same parameter (flat or dotted)."""
    return a == b or a == b.split(".", 1)[-1]
