"""Values written on the command line: ``--set KEY=VALUE``, ``--grid KEY=V1,V2``,
``--param KEY=LOW,HIGH`` and ``--rule NAME=MODULE:ATTR``, parsed into Python values.

Parsing only: whether a key is a parameter, or a rule can be imported, is checked by
:mod:`cxsim.cli.inputs`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from typing import Any

from cxsim.cli.errors import CLIError

#: The rule swap shown in messages and help.
RULE_EXAMPLE = "update_trust=cxsim.core.theories:symmetric_trust"


def parse_value(text: str, option: str = "--set") -> Any:
    """A ``--set`` value: a TOML value (``0.3``, ``true``, ``"x"``, ``[1, 2]``), else a string.

    A value TOML cannot hold (a whole number of more than 4,300 digits) is a
    :class:`CLIError` naming ``option``."""
    try:
        data = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string ..."
        reason = " ".join(str(exc).split()).split(";")[0]
        raise CLIError(
            f"{option}: {_short(text)} is not a value cxsim can read: {reason}"
        ) from None
    if set(data) != {"v"}:
        return text
    return data["v"]


def _short(text: str, width: int = 40) -> str:
    """``repr(text)`` cut to ``width`` characters (messages stay one short line)."""
    shown = repr(text)
    return shown if len(shown) <= width else shown[: width - 4] + "...'"


def parse_assignment(
    option: str, text: str, example: str = "customers.n_customers=5000"
) -> tuple[str, str]:
    """``KEY=VALUE`` → ``(key, value)``, both stripped and non-empty."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise CLIError(f"{option}: {_short(text)} is not KEY=VALUE (e.g. {example})")
    if not value.strip():
        raise CLIError(f"{option} {key}: missing value after '='")
    return key, value.strip()


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """Every ``--set KEY=VALUE`` → ``{key: value}``."""
    out: dict[str, Any] = {}
    for item in items or ():
        key, value = parse_assignment("--set", item)
        out[key] = parse_value(value, f"--set {key}")
    return out


def parse_list(option: str, key: str, text: str) -> list[Any]:
    """``a,b,c`` or a TOML array ``[a, b, c]``."""
    if text.startswith("["):
        value = parse_value(text, f"{option} {key}")
        if not isinstance(value, list):
            raise CLIError(f"{option} {key}: {_short(text)} is not a valid list")
        items = value
    else:
        items = [parse_value(v.strip(), f"{option} {key}") for v in text.split(",")]
        if any(v == "" for v in items):
            raise CLIError(f"{option} {key}: {_short(text)} has an empty value")
    if not items:
        raise CLIError(f"{option} {key}: needs at least one value")
    return items


def parse_ranges(items: Sequence[str] | None) -> dict[str, tuple[float, float]]:
    """Every ``--param KEY=LOW,HIGH`` → ``{key: (low, high)}`` (order checked later)."""
    ranges: dict[str, tuple[float, float]] = {}
    for item in items or ():
        key, value = parse_assignment("--param", item, "customers.churn_base=0.001,0.01")
        bounds = parse_list("--param", key, value)
        if len(bounds) != 2 or not all(
            isinstance(b, int | float) and not isinstance(b, bool) for b in bounds
        ):
            raise CLIError(f"--param {key}: {_short(value)} is not a range LOW,HIGH of two numbers")
        try:
            ranges[key] = (float(bounds[0]), float(bounds[1]))
        except OverflowError:
            raise CLIError(f"--param {key}: {_short(value)} is too large to be a number") from None
    return ranges


def parse_rules(items: Sequence[str] | None) -> dict[str, str]:
    """Every ``--rule NAME=MODULE:ATTR`` → ``{name: "module:attr"}`` (each rule at most once)."""
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, reference = item.partition("=")
        name, reference = name.strip(), reference.strip()
        if not sep or not name:
            raise CLIError(f"--rule: {item!r} is not NAME=MODULE:ATTR (e.g. {RULE_EXAMPLE})")
        if not reference:
            raise CLIError(f"rules.{name}: missing MODULE:ATTR after '=' (e.g. {RULE_EXAMPLE})")
        if name in out and out[name] != reference:
            raise CLIError(
                f"rules.{name}: given twice ({out[name]!r} and {reference!r}); give each rule once"
            )
        out[name] = reference
    return out
