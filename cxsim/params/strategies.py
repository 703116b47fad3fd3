"""Firms: the strategy presets (budget splits over the levers) and the per-firm parameters.

:data:`STRATEGIES` are the value disciplines (Treacy & Wiersema 1993) and acquisition/retention
splits (Blattberg & Deighton 1996) as shares of a firm's budget; :class:`FirmSpec` declares one
firm; the functions below check firms and build them from data (a TOML ``[[firms]]`` table, an
override ``firms.<name>.<field>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from cxsim.params.declare import (
    CAL,
    CALIBRATED,
    P,
    ScenarioError,
    coerce,
    field_of,
    show,
    suggest,
)
from cxsim.params.levers import ACQUISITION_LEVERS, LEVERS

#: Budget share per lever of every strategy preset (levers not named get nothing).
STRATEGIES: dict[str, dict[str, float]] = {
    "acquisition_focus": {
        "advertising": 0.55,
        "promotion": 0.35,
        "service": 0.05,
        "complaint_handling": 0.05,
    },
    "retention_focus": {
        "advertising": 0.10,
        "service": 0.30,
        "complaint_handling": 0.15,
        "personalization": 0.15,
        "feedback": 0.10,
        "access": 0.10,
        "loyalty": 0.10,
    },
    "balanced": {
        "advertising": 0.30,
        "promotion": 0.10,
        "service": 0.20,
        "complaint_handling": 0.10,
        "personalization": 0.10,
        "feedback": 0.05,
        "access": 0.10,
        "loyalty": 0.05,
    },
    "operational_excellence": {
        "efficiency": 0.50,
        "advertising": 0.20,
        "service": 0.10,
        "complaint_handling": 0.10,
        "access": 0.10,
    },
    "product_leadership": {
        "innovation": 0.50,
        "advertising": 0.25,
        "service": 0.15,
        "complaint_handling": 0.10,
    },
    "customer_intimacy": {
        "personalization": 0.35,
        "feedback": 0.15,
        "service": 0.20,
        "complaint_handling": 0.10,
        "access": 0.10,
        "advertising": 0.10,
    },
    "none": {},
}


@dataclass(frozen=True)
class FirmSpec:
    """One firm: its economics, starting position and how it splits its budget."""

    name: str = P("firm", "-", doc="label used in outputs", source="label")
    strategy: str = P(
        "balanced",
        "-",
        doc="budget split preset",
        choices=tuple(STRATEGIES) + ("custom",),
        source="value disciplines (Treacy & Wiersema 1993) and acquisition/retention splits (Blattberg & Deighton 1996); splits are modelling choices",
    )
    allocation: Mapping[str, float] | None = field(
        default=None,
        metadata={
            "unit": "shares summing to 1",
            "doc": "custom budget split over levers (strategy='custom')",
            "source": "user input",
        },
    )
    acquisition_share: float | None = P(
        None,
        "share of budget",
        0.0,
        1.0,
        "share of the budget on the acquisition levers (advertising, promotion); unset: as the "
        "strategy splits it. The acquisition levers share it, and the other levers share the "
        "rest, in the strategy's proportions (evenly where the strategy gives a group nothing)",
        source="user input: the acquisition/retention split of Blattberg & Deighton 1996 as one "
        "knob",
    )
    budget: float = P(
        535.0,
        "currency per year",
        0.0,
        1e12,
        "marketing and service budget of the firm (spent at budget/52 per week); a market ten "
        "times larger needs ten times the budget for the same effect per customer",
        source="literature: about 10% of revenue, the average marketing budget share of US firms "
        "(The CMO Survey, Moorman, 2019-2024: 8-13% of firm revenue); value: 10% of a balanced "
        "firm's first-year revenue in the default market (a test keeps the two within 10%); the "
        "same budget for every strategy, so splits are compared at equal spend",
    )
    budget_revenue_share: float = P(
        0.0,
        "share of last week's revenue",
        0.0,
        1.0,
        "budget added in proportion to revenue",
        source="modelling choice",
    )
    price: float = P(10.0, "currency per purchase", 0.0, 1e9, "list price", source=CALIBRATED)
    unit_cost: float = P(
        6.0, "currency per purchase", 0.0, 1e9, "cost of goods per purchase", source=CALIBRATED
    )
    quality: float = P(
        5.0,
        "quality units",
        -100.0,
        100.0,
        "core product quality at start",
        source="scale anchor (the quality scale is arbitrary); " + CAL,
    )
    position: float = P(
        0.0,
        "needs units",
        -100.0,
        100.0,
        "where the standard offer sits among needs",
        source="modelling choice (offer at the centre of the needs distribution)",
    )
    initial_customers: float = P(
        0.3,
        "share of market",
        0.0,
        1.0,
        "customers (repeat stage) at start",
        source="scenario choice (a mature market at t = 0)",
    )
    initial_awareness: float = P(
        0.8,
        "share of market",
        0.0,
        1.0,
        "customers considering the firm at start",
        source="scenario choice (a mature market at t = 0)",
    )
    base_reach: float = P(
        0.03,
        "per year",
        0.0,
        100.0,
        "consideration hazard without advertising (Bass p)",
        source="Bass 1969 coefficient of innovation p (per year); meta-analytic average p = 0.03/yr (Sultan, Farley & Lehmann 1990)",
    )
    adaptive: bool = P(
        False,
        "-",
        doc="shift budget between acquisition and retention by observed CLV/CAC (rules.adapt_split)",
        source="modelling choice: a thermostat on CLV/CAC (Reichheld & Sasser 1990; Gupta & Lehmann 2005)",
    )
    adapt_step: float = P(
        0.01,
        "share of budget per week",
        0.0,
        1.0,
        "how fast an adaptive firm shifts its split",
        source="modelling choice",
    )
    adapt_target: float = P(
        3.0,
        "CLV / CAC",
        0.0,
        1000.0,
        "value-to-cost ratio an adaptive firm steers to",
        source="modelling choice: practitioners' rule of thumb that a customer should be worth about 3x its acquisition cost",
    )

    def split(self) -> dict[str, float]:
        """Budget share per lever as the strategy (or the custom allocation) gives it, before
        ``acquisition_share`` (all levers, zeros included)."""
        split = self.allocation if self.strategy == "custom" else STRATEGIES[self.strategy]
        return {lever: float((split or {}).get(lever, 0.0)) for lever in LEVERS}

    def shares(self) -> dict[str, float]:
        """Budget share per lever (all levers, zeros included): the split, with the acquisition
        levers' total set to ``acquisition_share`` where it is given."""
        split = self.split()
        if self.acquisition_share is None:
            return split
        return with_acquisition_share(split, self.acquisition_share)


def with_acquisition_share(split: Mapping[str, float], share: float) -> dict[str, float]:
    """``split`` (lever → share of budget) with ``share`` of the budget on the acquisition levers.

    Within each group, acquisition (:data:`~cxsim.params.levers.ACQUISITION_LEVERS`) and the
    rest, the levers keep the proportions ``split`` gives them; a group that ``split`` gives
    nothing is shared evenly among the acquisition levers, or among the retention levers
    (:data:`~cxsim.params.levers.RETENTION_LEVERS`) for the rest. The result sums to 1.
    """
    from cxsim.params.levers import RETENTION_LEVERS

    acq = sum(split.get(lv, 0.0) for lv in ACQUISITION_LEVERS)
    others = [lv for lv in LEVERS if lv not in ACQUISITION_LEVERS]
    rest = sum(split.get(lv, 0.0) for lv in others)
    out = {lv: 0.0 for lv in LEVERS}
    for lv in ACQUISITION_LEVERS:
        out[lv] = share * (split.get(lv, 0.0) / acq if acq > 0 else 1 / len(ACQUISITION_LEVERS))
    for lv in others:
        if rest > 0:
            out[lv] = (1 - share) * split.get(lv, 0.0) / rest
        elif lv in RETENTION_LEVERS:
            out[lv] = (1 - share) / len(RETENTION_LEVERS)
    return out


def with_lever_shares(
    split: Mapping[str, float], fixed: Mapping[str, float], key: str
) -> dict[str, float]:
    """``split`` with the levers of ``fixed`` set to their shares and every other lever scaled
    so that the split still sums to 1 (``key`` names the override in errors).

    This is what ``firms.<name>.allocation.<lever> = share`` means: "put this share on this
    lever, and take the difference from the others in proportion".
    """
    for lever, share in fixed.items():
        if lever not in LEVERS:
            raise ScenarioError(
                f"{key}.{lever}: unknown lever{suggest(lever, list(LEVERS))}; levers are "
                f"{', '.join(LEVERS)}"
            )
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ScenarioError(f"{key}.{lever}: {show(share)} must be a share in [0, 1]")
    total = float(sum(fixed.values()))
    if total > 1 + 1e-9:
        raise ScenarioError(
            f"{key}: the lever shares set sum to {total:g}, more than the whole budget (1)"
        )
    others = {lv: s for lv, s in split.items() if lv not in fixed and s > 0}
    left = sum(others.values())
    if not others and total < 1 - 1e-9:
        raise ScenarioError(
            f"{key}: the lever shares set sum to {total:g} and no other lever has a share to "
            "take the rest; set the shares of the levers that should"
        )
    out = {lv: float(fixed.get(lv, 0.0)) for lv in LEVERS}
    for lv, s in others.items():
        out[lv] = (1 - total) * s / left
    return {lv: s for lv, s in out.items() if s > 0 or lv in fixed}


#: The default market: two firms with the same balanced strategy.
DEFAULT_FIRMS: tuple[FirmSpec, ...] = (
    FirmSpec(name="focal", strategy="balanced"),
    FirmSpec(name="rival", strategy="balanced"),
)


#: A firm's name: letters, digits, ``_``, ``-`` and inner spaces, up to 64 characters. No dot
#: (it names the firm in overrides ``firms.<name>.<parameter>``) and nothing a file name or a
#: figure could misread.
_FIRM_NAME = re.compile(r"[\w\-]([\w\- ]{0,62}[\w\-])?")


def validate_firm(i: int, firm: FirmSpec) -> None:
    """Check firm ``i`` against its declarations and its allocation against the levers."""
    for f in fields(firm):
        if f.name == "allocation":
            continue
        _coerce_firm(f"firms[{i}].{f.name}", getattr(firm, f.name), f)
    if not _FIRM_NAME.fullmatch(firm.name):
        raise ScenarioError(
            f"firms[{i}].name: {show(firm.name, 40)} is not a firm name; use 1 to 64 letters, "
            "digits, _ or - (inner spaces allowed, no dots)"
        )
    if firm.strategy == "custom":
        alloc = firm.allocation
        if not alloc:
            raise ScenarioError(
                f"firms[{i}].allocation: strategy 'custom' needs an allocation over {', '.join(LEVERS)}"
            )
        for lever, share in alloc.items():
            if lever not in LEVERS:
                raise ScenarioError(
                    f"firms[{i}].allocation.{lever}: unknown lever{suggest(lever, list(LEVERS))}; levers are {', '.join(LEVERS)}"
                )
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                raise ScenarioError(
                    f"firms[{i}].allocation.{lever}: {show(share)} must be a share in [0, 1]"
                )
        total = sum(alloc.values())
        if abs(total - 1.0) > 1e-6:
            raise ScenarioError(f"firms[{i}].allocation: shares sum to {total:g}, must sum to 1")
    elif firm.allocation is not None:
        raise ScenarioError(
            f"firms[{i}].allocation: only allowed with strategy = 'custom' (strategy is {show(firm.strategy)})"
        )


def firm_from_mapping(i: int, data: Mapping[str, Any]) -> FirmSpec:
    """Firm ``i`` from a table of its parameters (an allocation alone implies 'custom')."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"firms[{i}]: {show(data)} is not a table of firm parameters")
    names = [f.name for f in fields(FirmSpec)]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            raise ScenarioError(f"firms[{i}].{key}: unknown firm parameter{suggest(key, names)}")
        if key == "allocation":
            if not isinstance(value, Mapping):
                raise ScenarioError(
                    f"firms[{i}].allocation: {show(value)} is not a table of lever shares"
                )
            kwargs[key] = dict(value)
            if "strategy" not in data:
                kwargs["strategy"] = "custom"
        else:
            kwargs[key] = _coerce_firm(f"firms[{i}].{key}", value, field_of(FirmSpec, key))
    return FirmSpec(**kwargs)


def _coerce_firm(key: str, value: Any, f: Any) -> Any:
    """One firm parameter checked against its declaration; an optional one (default None, as
    ``acquisition_share``) may be None, else it is checked as a number in its range."""
    if f.default is None:
        if value is None:
            return None
        return coerce(key, value, replace_default(f, 0.0))
    return coerce(key, value, f)


def replace_default(f: Any, default: Any) -> Any:
    """A copy of dataclass field ``f`` with another default (its metadata kept): how an optional
    parameter is checked as the type of ``default``."""
    g = field(default=default, metadata=f.metadata)
    g.name = f.name
    return g


def firms_from_data(data: Any) -> tuple[FirmSpec, ...]:
    """Firms from a FirmSpec, or a list of FirmSpecs and tables."""
    if isinstance(data, FirmSpec):
        return (data,)
    if not isinstance(data, list | tuple):
        raise ScenarioError(f"firms: {show(data)} is not a list of firms")
    return tuple(
        d if isinstance(d, FirmSpec) else firm_from_mapping(i, d) for i, d in enumerate(data)
    )


def _firm_index(firms: list[FirmSpec], key: str, which: str) -> int:
    """Position of the firm named (or numbered) ``which`` in override ``key``."""
    names = [f.name for f in firms]
    if which.isdigit() and int(which) < len(firms):
        return int(which)
    if which in names:
        return names.index(which)
    raise ScenarioError(f"{key}: no firm {show(which)}; firms are {', '.join(names)}")


def is_lever_share(key: str) -> bool:
    """Whether override ``key`` sets one lever's share: ``firms.<name>.allocation.<lever>``."""
    parts = key.split(".")
    return len(parts) == 4 and parts[0] == "firms" and parts[2] == "allocation"


def override_lever_shares(
    firms: list[FirmSpec], which: str, fixed: Mapping[str, Any]
) -> list[FirmSpec]:
    """``firms`` with firm ``which``'s shares of the levers in ``fixed`` set (overrides
    ``firms.<which>.allocation.<lever> = share``, applied together): the firm's split becomes a
    custom allocation whose other levers keep their proportions and share the rest
    (:func:`with_lever_shares`). An ``acquisition_share`` the firm has still applies on top."""
    key = f"firms.{which}.allocation"
    idx = _firm_index(firms, key, which)
    firm = firms[idx]
    alloc = with_lever_shares(firm.split(), fixed, key)
    firms = list(firms)
    firms[idx] = replace(firm, strategy="custom", allocation=alloc)
    validate_firm(idx, firms[idx])
    return firms


def override_firm(firms: list[FirmSpec], key: str, value: Any) -> list[FirmSpec]:
    """``firms`` with override ``firms.<name or index>.<parameter> = value`` applied."""
    parts = key.split(".")
    if len(parts) != 3:
        raise ScenarioError(
            f"{key}: firm overrides take the form firms.<name or index>.<parameter> (or "
            "firms.<name>.allocation.<lever> for one lever's share)"
        )
    _, which, name = parts
    idx = _firm_index(firms, key, which)
    merged = {f.name: getattr(firms[idx], f.name) for f in fields(FirmSpec)}
    if merged.get("allocation") is None or (name == "strategy" and value != "custom"):
        merged.pop("allocation")
    merged[name] = value
    if name == "allocation" and value is not None:  # a split of one's own is a custom strategy
        merged["strategy"] = "custom"
    firms = list(firms)
    firms[idx] = firm_from_mapping(idx, merged)
    return firms
