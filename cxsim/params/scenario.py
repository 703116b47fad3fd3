"""Scenarios: typed, validated parameter sets, and overrides by name.

A scenario is data, never code: the four scalar sections and the firms. Bad input raises
:class:`~cxsim.params.declare.ScenarioError` whose message is one line naming the key, the value
and what is allowed; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from cxsim.params.customers import CustomerParams
from cxsim.params.declare import ScenarioError, coerce, field_of, show, suggest
from cxsim.params.levers import LeverParams
from cxsim.params.limits import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH
from cxsim.params.sections import SECTIONS, MarketParams, NetworkParams, locate
from cxsim.params.strategies import (
    DEFAULT_FIRMS,
    FirmSpec,
    firms_from_data,
    is_lever_share,
    override_firm,
    override_lever_shares,
    validate_firm,
)


@dataclass(frozen=True)
class Scenario:
    """A complete, validated parameter set for one :class:`cxsim.Market`."""

    name: str = "default"
    description: str = ""
    market: MarketParams = field(default_factory=MarketParams)
    customers: CustomerParams = field(default_factory=CustomerParams)
    network: NetworkParams = field(default_factory=NetworkParams)
    levers: LeverParams = field(default_factory=LeverParams)
    firms: tuple[FirmSpec, ...] = DEFAULT_FIRMS

    def __post_init__(self) -> None:
        check_name(self.name)
        if not isinstance(self.description, str):
            raise ScenarioError(f"description: {show(self.description)} is not a string")
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            raise ScenarioError(
                f"description: {len(self.description):,} characters, at most "
                f"{MAX_DESCRIPTION_LENGTH:,} allowed"
            )
        for section, cls in SECTIONS.items():
            if not isinstance(getattr(self, section), cls):
                raise ScenarioError(
                    f"{section}: {show(getattr(self, section))} is not a {cls.__name__}; give "
                    "parameters with Scenario().with_overrides(...) or scenario_from_dict(...)"
                )
            _validate_section(section, getattr(self, section))
        if not isinstance(self.firms, tuple) or not all(
            isinstance(f, FirmSpec) for f in self.firms
        ):  # a list, or tables of firm parameters (as with_overrides takes them)
            object.__setattr__(self, "firms", firms_from_data(self.firms))
        if not self.firms:
            raise ScenarioError("firms: a scenario needs at least one firm")
        if len(self.firms) > 100:
            raise ScenarioError(f"firms: {len(self.firms)} firms given, at most 100 allowed")
        names = [f.name for f in self.firms]
        for i, firm in enumerate(self.firms):
            validate_firm(i, firm)
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ScenarioError(
                f"firms.name: duplicate firm name {show(sorted(dup)[0])}; names must be unique"
            )
        share = sum(f.initial_customers for f in self.firms)
        if share > 1.0 + 1e-9:
            raise ScenarioError(
                f"firms.initial_customers: shares sum to {share:g}, must be at most 1"
            )
        # trust_loss below trust_gain is allowed: a researcher may test symmetric or reversed
        # trust (documented in ODD)

    # -- flat access ---------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """Value of a parameter by flat name (``n_customers``) or dotted name (``customers.n_customers``)."""
        section, name = locate(key)
        return getattr(getattr(self, section), name)

    def with_overrides(self, overrides: Mapping[str, Any] | None = None, **flat: Any) -> Scenario:
        """A copy with parameters replaced, by flat or dotted names, validated.

        ``firms.<name>.<field>`` (or ``firms.<index>.<field>``) changes one firm;
        ``firms.<name>.allocation.<lever>`` sets one lever's share of its budget, the firm's other
        levers keeping their proportions (all such keys of one firm are applied together, after
        its other overrides).
        """
        items = dict(overrides or {})
        items.update(flat)
        if not items:
            return self
        per_section: dict[str, dict[str, Any]] = {}
        firms = list(self.firms)
        top: dict[str, Any] = {}
        lever_shares: dict[str, dict[str, Any]] = {}
        for key, value in items.items():
            if key in ("name", "description"):
                top[key] = value
                continue
            if key == "firms":
                firms = list(firms_from_data(value))
                continue
            if is_lever_share(key):
                _, which, _, lever = key.split(".")
                lever_shares.setdefault(which, {})[lever] = value
                continue
            if key.startswith("firms."):
                firms = override_firm(firms, key, value)
                continue
            section, name = locate(key)
            per_section.setdefault(section, {})[name] = value
        for which, fixed in lever_shares.items():
            firms = override_lever_shares(firms, which, fixed)
        changes: dict[str, Any] = dict(top)
        for section, values in per_section.items():
            current = getattr(self, section)
            changes[section] = replace(
                current,
                **{
                    k: coerce(f"{section}.{k}", v, field_of(type(current), k))
                    for k, v in values.items()
                },
            )
        changes["firms"] = tuple(firms)
        return replace(self, **changes)

    def resized(self, n_customers: int) -> Scenario:
        """The same market with ``n_customers`` customers: every firm's budget scaled with them.

        Budgets are absolute (currency per year, :class:`cxsim.params.FirmSpec`), so changing
        ``customers.n_customers`` alone gives a market in which each firm spends less (or more)
        per customer. Where a larger population only stands for more precision (calibration's
        simulated cohorts, validation checks), the market meant is this one, larger: the same
        spend per customer, so the same lever effects.
        """
        changed = self.with_overrides({"customers.n_customers": n_customers})
        factor = changed.customers.n_customers / self.customers.n_customers
        if factor == 1.0:
            return changed
        return replace(
            changed, firms=tuple(replace(f, budget=f.budget * factor) for f in changed.firms)
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (TOML-ready: no None values)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        for section in SECTIONS:
            obj = getattr(self, section)
            out[section] = {f.name: getattr(obj, f.name) for f in fields(obj)}
        out["firms"] = [
            {
                k: (dict(v) if isinstance(v, Mapping) else v)
                for k, v in ((f.name, getattr(firm, f.name)) for f in fields(firm))
                if v is not None
            }
            for firm in self.firms
        ]
        return out


#: Characters a scenario name may hold besides letters, digits and ``_`` (any script).
NAME_PUNCTUATION = " .,;:+-=()[]'&#@%"
_NAME = re.compile(r"[\w" + re.escape(NAME_PUNCTUATION) + r"]*")


def check_name(name: Any) -> str:
    """A scenario's ``name``: a label in tables, figures and manifests, never a path.

    A string of 1 to :data:`~cxsim.params.limits.MAX_NAME_LENGTH` characters: letters, digits,
    ``_`` and :data:`NAME_PUNCTUATION`, with no space at either end. No ``/``, ``\\``, ``$``,
    control characters or NUL: output files are named by a slug of it
    (:func:`cxsim.experiments.outputs.slug`), and figures must be able to print it as text.
    """
    if not isinstance(name, str):
        raise ScenarioError(f"name: {show(name)} is not a string")
    if not name.strip():
        raise ScenarioError("name: an empty name; give a label such as 'retention_focus'")
    if len(name) > MAX_NAME_LENGTH:
        raise ScenarioError(
            f"name: {show(name, 40)} has {len(name):,} characters, at most {MAX_NAME_LENGTH} "
            "allowed"
        )
    if not _NAME.fullmatch(name):
        bad = sorted({c for c in name if not _NAME.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        raise ScenarioError(
            f"name: {show(name, 40)} holds characters that are not allowed ({shown}); use "
            f"letters, digits, _ and {NAME_PUNCTUATION.strip()} or spaces"
        )
    if name != name.strip():
        raise ScenarioError(f"name: {show(name, 40)} starts or ends with a space")
    return name


def _validate_section(section: str, obj: Any) -> None:
    """Check every value of one section against its declaration."""
    for f in fields(obj):
        coerce(f"{section}.{f.name}", getattr(obj, f.name), f)


def scenario_from_dict(data: Mapping[str, Any], *, base: Scenario | None = None) -> Scenario:
    """Build a validated scenario from nested data (as parsed from TOML)."""
    base = base or Scenario()
    known = set(SECTIONS) | {"firms", "name", "description"}
    overrides: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ScenarioError(
                f"{key}: unknown section{suggest(key, sorted(known))}; allowed: {', '.join(sorted(known))}"
            )
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                raise ScenarioError(f"{key}: {show(value)} is not a table")
            for name, v in value.items():
                overrides[f"{key}.{name}"] = v
        elif key in ("name", "description"):
            if not isinstance(value, str):
                raise ScenarioError(f"{key}: {show(value)} is not a string")
            overrides[key] = value
        else:
            overrides["firms"] = value
    return base.with_overrides(overrides)


def _current(scenario: Scenario, key: str) -> Any:
    """The value of override key ``key`` in ``scenario`` (``None`` when it names nothing)."""
    if key.startswith("firms."):
        parts = key.split(".")
        if is_lever_share(key):
            return None
        if len(parts) == 3:
            names = [f.name for f in scenario.firms]
            which = parts[1]
            idx = (
                int(which)
                if which.isdigit() and int(which) < len(names)
                else names.index(which)
                if which in names
                else None
            )
            if idx is not None:
                return getattr(scenario.firms[idx], parts[2], None)
        return None
    try:
        return scenario.get(key)
    except ScenarioError:
        return None


def typed_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``overrides`` with floats rounded for whole-number parameters (a sampled design gives
    floats: SALib samples, a design CSV), so they validate against ``scenario``."""
    typed = {}
    for k, v in overrides.items():
        cur = _current(scenario, k)
        if (
            isinstance(cur, int)
            and not isinstance(cur, bool)
            and isinstance(v, float)
            and math.isfinite(v)
        ):
            v = int(round(v))
        typed[k] = v
    return typed
