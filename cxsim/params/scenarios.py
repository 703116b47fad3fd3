"""Scenarios: typed, validated parameter sets, loaded from TOML.

A scenario is data, never code. It has four sections of scalar parameters (``market``,
``customers``, ``network``, ``levers``) and a list of ``firms``. Every parameter is declared once,
here, with its default, unit, allowed range and a one-line meaning; docs/ODD.md lists them with
their sources. Field names are unique across sections, so ``Market(n_customers=500)`` and
``--set customers.n_customers=500`` name the same thing.

Bad input raises :class:`ScenarioError` whose message is one line naming the key, the value and
what is allowed; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

#: Kinds of social network the market can be built on (see :mod:`cxsim.core.network`).
NETWORK_KINDS: tuple[str, ...] = (
    "watts_strogatz",
    "barabasi_albert",
    "erdos_renyi",
    "complete",
    "ring_lattice",
)


class ScenarioError(ValueError):
    """A scenario, parameter or override is invalid. The message is one line."""


def P(
    default: Any,
    unit: str,
    low: float | None = None,
    high: float | None = None,
    doc: str = "",
    choices: tuple[str, ...] | None = None,
) -> Any:  # noqa: N802
    """Declare a parameter with its default, unit, closed range [low, high] and meaning."""
    meta = {"unit": unit, "low": low, "high": high, "doc": doc, "choices": choices}
    return field(default=default, metadata=meta)


# --------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketParams:
    """The market as a whole: time, money and what happens to everyone at once."""

    weeks: int = P(260, "weeks", 1, 5200, "default run length")
    dt: float = P(
        1.0, "weeks per step", 0.01, 52.0, "step length; rates are per week and scale with it"
    )
    discount_rate: float = P(0.10, "per year", 0.0, 1.0, "discount rate for NPV and CLV")
    expectation_inflation: float = P(
        0.002,
        "quality units per week",
        0.0,
        1.0,
        "market-wide rise of every expectation (competitors and other industries raise the bar)",
    )
    imitation_rate: float = P(
        0.02,
        "per week",
        0.0,
        1.0,
        "share of a rival's quality lead that imitation closes each week",
    )
    outside_utility: float = P(
        1.5,
        "utility",
        -math.inf,
        math.inf,
        "utility of buying from no modelled firm (the rest of the market); -inf switches it off",
    )


@dataclass(frozen=True)
class CustomerParams:
    """Customers: needs, expectations, trust, talk, voice and exit."""

    n_customers: int = P(2000, "customers", 2, 100_000_000, "population size")
    need_rate: float = P(
        0.25, "needs per week", 0.0, math.inf, "mean purchase occasions per customer"
    )
    need_rate_shape: float = P(
        4.0, "-", 0.1, 1000.0, "gamma shape of need rates (lower = more varied)"
    )
    need_heterogeneity: float = P(1.0, "needs units", 0.0, 10.0, "s.d. of customers' ideal points")
    mismatch_weight: float = P(
        0.8, "quality per needs unit", 0.0, 10.0, "cost of a uniform offer far from one's need"
    )
    mismatch_noise: float = P(
        0.25,
        "quality units per needs unit",
        0.0,
        10.0,
        "extra experience s.d. per unit of unlearned mismatch",
    )
    experience_noise: float = P(
        0.3,
        "quality units",
        0.0,
        10.0,
        "s.d. of experience around its mean, before service consistency",
    )
    initial_expectation: float = P(5.0, "quality units", -100.0, 100.0, "mean expectation at start")
    initial_expectation_sd: float = P(
        0.5, "quality units", 0.0, 10.0, "s.d. of expectations at start"
    )
    initial_trust: float = P(0.4, "trust [0,1]", 0.0, 1.0, "trust in a firm not yet tried")
    initial_customer_trust: float = P(
        0.6, "trust [0,1]", 0.0, 1.0, "trust of a firm's existing customers at start"
    )
    quality_weight: float = P(
        1.0, "utility per quality unit", 0.0, 100.0, "weight of expected quality in choice"
    )
    trust_weight: float = P(2.0, "utility", 0.0, 100.0, "utility of full trust over none")
    price_sensitivity: float = P(
        0.3, "utility per currency unit", 0.0, 100.0, "weight of price in choice"
    )
    habit: float = P(0.5, "utility", 0.0, 100.0, "bonus for the firm that served the last need")
    grudge_weight: float = P(
        0.3,
        "utility per quality unit",
        0.0,
        100.0,
        "penalty of unresolved dissatisfaction in choice",
    )
    loss_aversion: float = P(
        2.25, "-", 1.0, 10.0, "weight of a shortfall relative to an equal surplus"
    )
    expectation_up: float = P(
        0.25, "per purchase", 0.0, 1.0, "adaptation toward a better experience"
    )
    expectation_down: float = P(
        0.15, "per purchase", 0.0, 1.0, "adaptation toward a worse experience"
    )
    trust_gain: float = P(
        0.06, "per met expectation", 0.0, 1.0, "share of the distance to full trust won"
    )
    trust_loss: float = P(0.20, "per miss", 0.0, 1.0, "share of trust lost on a miss")
    trust_tolerance: float = P(0.5, "quality units", 0.0, 10.0, "shortfall still felt as 'met'")
    delight_margin: float = P(
        0.8, "quality units", 0.0, 10.0, "surplus over expectation that delights"
    )
    disappointment_margin: float = P(0.5, "quality units", 0.0, 10.0, "shortfall that disappoints")
    wom_positive_reach: float = P(
        0.10, "per contact", 0.0, 1.0, "chance a delighted customer tells each contact"
    )
    wom_negative_reach: float = P(
        0.50, "per contact", 0.0, 1.0, "chance a seriously disappointed customer tells each contact"
    )
    wom_trust_gain: float = P(0.05, "per message", 0.0, 1.0, "trust won from a positive message")
    wom_trust_loss: float = P(0.30, "per message", 0.0, 1.0, "trust lost from a negative message")
    wom_hype: float = P(
        0.05, "quality units per message", 0.0, 10.0, "expectation raised by praise"
    )
    social_influence: float = P(
        0.38,
        "per year",
        0.0,
        100.0,
        "Bass q: consideration hazard per share of contacts who are customers",
    )
    voice_minor: float = P(
        1 / 26, "probability", 0.0, 1.0, "complaint rate for small problems (TARP)"
    )
    voice_serious: float = P(
        0.5, "probability", 0.0, 1.0, "complaint rate for serious problems (TARP)"
    )
    serious_margin: float = P(
        1.5, "quality units", 0.0, 100.0, "shortfall that counts as a serious problem"
    )
    recovery_max: float = P(
        0.8, "share", 0.0, 1.0, "trust and grudge repaired by an immediate resolution"
    )
    recovery_half_life: float = P(2.0, "weeks", 0.01, 1000.0, "wait that halves the repair")
    complaint_patience: int = P(
        8, "weeks", 1, 1000, "wait after which an open complaint counts as unresolved"
    )
    grudge_decay: float = P(0.05, "per week", 0.0, 1.0, "fading of unresolved dissatisfaction")
    churn_base: float = P(0.002, "per week", 0.0, 1.0, "defection hazard of a content customer")
    churn_trust_floor: float = P(0.5, "trust", 0.0, 1.0, "trust below which defection rises")
    churn_trust_sensitivity: float = P(
        0.04, "per week per trust unit", 0.0, 100.0, "defection per unit of trust below the floor"
    )
    churn_grudge_sensitivity: float = P(
        0.01, "per week per quality unit", 0.0, 100.0, "defection per unit of grudge"
    )
    client_streak: int = P(3, "purchases", 2, 1000, "consecutive needs served that make a client")
    advocate_trust: float = P(0.75, "trust", 0.0, 1.0, "trust that makes a client an advocate")


@dataclass(frozen=True)
class NetworkParams:
    """Who talks to whom."""

    network: str = P("watts_strogatz", "-", doc="social network generator", choices=NETWORK_KINDS)
    mean_degree: float = P(10.0, "contacts", 1.0, 1000.0, "mean number of contacts")
    rewire_prob: float = P(0.1, "probability", 0.0, 1.0, "Watts–Strogatz rewiring probability")


@dataclass(frozen=True)
class LeverParams:
    """How spend turns into effect: ``ceiling·(1 − exp(−efficiency·spend))`` per lever.

    Spend is currency per market customer per week; efficiencies are per that unit.
    """

    advertising_ceiling: float = P(
        4.0, "per year", 0.0, 100.0, "maximum external consideration hazard (Bass p)"
    )
    advertising_efficiency: float = P(
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "advertising reach per unit of spend: how fast spend approaches the ceiling",
    )
    promotion_ceiling: float = P(2.5, "utility", 0.0, 100.0, "maximum first-purchase bonus")
    promotion_efficiency: float = P(
        15.0,
        "per spend unit",
        0.0,
        1e6,
        "promotion bonus per unit of spend: how fast spend approaches the ceiling",
    )
    service_ceiling: float = P(
        1.2, "quality units", 0.0, 100.0, "maximum service added to each experience"
    )
    service_efficiency: float = P(
        15.0,
        "per spend unit",
        0.0,
        1e6,
        "service quality (and consistency) per unit of spend: how fast spend approaches the ceiling",
    )
    consistency_ceiling: float = P(
        0.6,
        "share",
        0.0,
        1.0,
        "maximum share of experience variation removed by service (same spend, same efficiency)",
    )
    complaint_handling_ceiling: float = P(
        0.02, "resolutions per market customer per week", 0.0, 1.0, "maximum capacity"
    )
    complaint_handling_efficiency: float = P(
        60.0,
        "per spend unit",
        0.0,
        1e6,
        "complaint capacity per unit of spend: how fast spend approaches the ceiling",
    )
    personalization_ceiling: float = P(
        0.3, "per purchase", 0.0, 1.0, "maximum share of the unknown learned per purchase"
    )
    personalization_efficiency: float = P(
        30.0,
        "per spend unit",
        0.0,
        1e6,
        "learning per unit of spend: how fast spend approaches the ceiling",
    )
    feedback_ceiling: float = P(
        0.5, "probability", 0.0, 1.0, "maximum share of silent customers asked and heard"
    )
    feedback_efficiency: float = P(
        60.0,
        "per spend unit",
        0.0,
        1e6,
        "solicitation per unit of spend: how fast spend approaches the ceiling",
    )
    access_ceiling: float = P(
        0.6, "quality units", 0.0, 100.0, "maximum access and response quality added"
    )
    access_efficiency: float = P(
        30.0,
        "per spend unit",
        0.0,
        1e6,
        "access quality per unit of spend: how fast spend approaches the ceiling",
    )
    loyalty_ceiling: float = P(
        0.8, "utility", 0.0, 100.0, "maximum reward bonus for active customers"
    )
    loyalty_efficiency: float = P(
        20.0,
        "per spend unit",
        0.0,
        1e6,
        "reward bonus per unit of spend: how fast spend approaches the ceiling",
    )
    efficiency_ceiling: float = P(0.25, "share of unit cost", 0.0, 0.9, "maximum unit-cost saving")
    efficiency_efficiency: float = P(
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "cost saving per unit of spend: how fast spend approaches the ceiling",
    )
    innovation_ceiling: float = P(
        0.02, "quality units per week", 0.0, 10.0, "maximum weekly quality gain"
    )
    innovation_efficiency: float = P(
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "quality growth per unit of spend: how fast spend approaches the ceiling",
    )
    recovery_speed: float = P(
        0.8, "per week", 0.0, 1.0, "chance a complaint within capacity is settled that week"
    )
    cost_pass_through: float = P(
        0.8, "share", 0.0, 1.0, "share of a unit-cost saving passed on in price"
    )


LEVERS: tuple[str, ...] = (
    "advertising",
    "promotion",  # acquisition
    "service",
    "complaint_handling",
    "personalization",
    "feedback",
    "access",
    "loyalty",  # retention
    "efficiency",  # operational excellence
    "innovation",  # product leadership
)
ACQUISITION_LEVERS: tuple[str, ...] = ("advertising", "promotion")
RETENTION_LEVERS: tuple[str, ...] = (
    "service",
    "complaint_handling",
    "personalization",
    "feedback",
    "access",
    "loyalty",
)

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

    name: str = P("firm", "-", doc="label used in outputs")
    strategy: str = P(
        "balanced", "-", doc="budget split preset", choices=tuple(STRATEGIES) + ("custom",)
    )
    allocation: Mapping[str, float] | None = field(
        default=None,
        metadata={
            "unit": "shares summing to 1",
            "doc": "custom budget split over levers (strategy='custom')",
        },
    )
    budget: float = P(
        0.10, "currency per market customer per week", 0.0, 1e6, "marketing and service budget"
    )
    budget_revenue_share: float = P(
        0.0, "share of last week's revenue", 0.0, 1.0, "budget added in proportion to revenue"
    )
    price: float = P(10.0, "currency per purchase", 0.0, 1e9, "list price")
    unit_cost: float = P(6.0, "currency per purchase", 0.0, 1e9, "cost of goods per purchase")
    quality: float = P(5.0, "quality units", -100.0, 100.0, "core product quality at start")
    position: float = P(
        0.0, "needs units", -100.0, 100.0, "where the standard offer sits among needs"
    )
    initial_customers: float = P(
        0.3, "share of market", 0.0, 1.0, "customers (repeat stage) at start"
    )
    initial_awareness: float = P(
        0.8, "share of market", 0.0, 1.0, "customers considering the firm at start"
    )
    base_reach: float = P(
        0.03, "per year", 0.0, 100.0, "consideration hazard without advertising (Bass p)"
    )
    adaptive: bool = P(
        False,
        "-",
        doc="shift budget between acquisition and retention by observed CLV/CAC (rules.adapt_split)",
    )
    adapt_step: float = P(
        0.01, "share of budget per week", 0.0, 1.0, "how fast an adaptive firm shifts its split"
    )
    adapt_target: float = P(
        3.0, "CLV / CAC", 0.0, 1000.0, "value-to-cost ratio an adaptive firm steers to"
    )

    def shares(self) -> dict[str, float]:
        """Budget share per lever (all levers, zeros included)."""
        split = self.allocation if self.strategy == "custom" else STRATEGIES[self.strategy]
        return {lever: float((split or {}).get(lever, 0.0)) for lever in LEVERS}


DEFAULT_FIRMS: tuple[FirmSpec, ...] = (
    FirmSpec(name="focal", strategy="balanced"),
    FirmSpec(name="rival", strategy="balanced"),
)

SECTIONS: dict[str, type] = {
    "market": MarketParams,
    "customers": CustomerParams,
    "network": NetworkParams,
    "levers": LeverParams,
}


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
        for section in SECTIONS:
            _validate_section(section, getattr(self, section))
        if not self.firms:
            raise ScenarioError("firms: a scenario needs at least one firm")
        if len(self.firms) > 100:
            raise ScenarioError(f"firms: {len(self.firms)} firms given, at most 100 allowed")
        names = [f.name for f in self.firms]
        for i, firm in enumerate(self.firms):
            _validate_firm(i, firm)
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ScenarioError(
                f"firms.name: duplicate firm name {sorted(dup)[0]!r}; names must be unique"
            )
        share = sum(f.initial_customers for f in self.firms)
        if share > 1.0 + 1e-9:
            raise ScenarioError(
                f"firms.initial_customers: shares sum to {share:g}, must be at most 1"
            )
        if self.customers.trust_loss < self.customers.trust_gain:
            pass  # allowed (a researcher may test symmetric or reversed trust), documented in ODD

    # -- flat access ---------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """Value of a parameter by flat name (``n_customers``) or dotted name (``customers.n_customers``)."""
        section, name = _locate(key)
        return getattr(getattr(self, section), name)

    def with_overrides(self, overrides: Mapping[str, Any] | None = None, **flat: Any) -> Scenario:
        """A copy with parameters replaced, by flat or dotted names, validated.

        ``firms.<name>.<field>`` (or ``firms.<index>.<field>``) changes one firm.
        """
        items = dict(overrides or {})
        items.update(flat)
        if not items:
            return self
        per_section: dict[str, dict[str, Any]] = {}
        firms = list(self.firms)
        top: dict[str, Any] = {}
        for key, value in items.items():
            if key in ("name", "description"):
                top[key] = value
                continue
            if key == "firms":
                firms = list(_firms_from_data(value))
                continue
            if key.startswith("firms."):
                firms = _override_firm(firms, key, value)
                continue
            section, name = _locate(key)
            per_section.setdefault(section, {})[name] = value
        changes: dict[str, Any] = dict(top)
        for section, values in per_section.items():
            current = getattr(self, section)
            changes[section] = replace(
                current,
                **{
                    k: _coerce(f"{section}.{k}", v, _field(type(current), k))
                    for k, v in values.items()
                },
            )
        changes["firms"] = tuple(firms)
        return replace(self, **changes)

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


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------

_FLAT: dict[str, str] = {f.name: s for s, cls in SECTIONS.items() for f in fields(cls)}


def parameter_names() -> list[str]:
    """All dotted scalar parameter names."""
    return [f"{s}.{n}" for n, s in _FLAT.items()]


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _locate(key: str) -> tuple[str, str]:
    if "." in key:
        section, name = key.split(".", 1)
        if section not in SECTIONS:
            raise ScenarioError(
                f"{key}: unknown section {section!r}{_suggest(section, list(SECTIONS) + ['firms'])}; "
                f"sections are {', '.join(list(SECTIONS) + ['firms'])}"
            )
        if name not in {f.name for f in fields(SECTIONS[section])}:
            options = [f.name for f in fields(SECTIONS[section])]
            raise ScenarioError(f"{key}: unknown parameter {name!r}{_suggest(name, options)}")
        return section, name
    if key not in _FLAT:
        raise ScenarioError(f"{key}: unknown parameter{_suggest(key, list(_FLAT))}")
    return _FLAT[key], key


def _field(cls: type, name: str):
    for f in fields(cls):
        if f.name == name:
            return f
    raise ScenarioError(f"{cls.__name__}.{name}: unknown parameter")


def _coerce(key: str, value: Any, f) -> Any:
    """Check type and range of one value against its declaration; return it typed."""
    default = f.default if f.default is not MISSING else None
    meta = f.metadata
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(f"{key}: {value!r} is not true/false")
        return value
    is_bool = isinstance(value, bool | np.bool_)
    if isinstance(default, int) and not isinstance(default, bool):
        if is_bool or not isinstance(value, numbers.Real):
            raise ScenarioError(f"{key}: {value!r} is not a whole number")
        if not isinstance(value, numbers.Integral) and not float(value).is_integer():
            raise ScenarioError(f"{key}: {value!r} is not a whole number")
        value = int(value)
    elif isinstance(default, float):
        if is_bool or not isinstance(value, numbers.Real):
            raise ScenarioError(f"{key}: {value!r} is not a number")
        value = float(value)
        if math.isnan(value):
            raise ScenarioError(f"{key}: nan is not a number")
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(f"{key}: {value!r} is not a string")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                f"{key}: {value!r} is not one of {', '.join(choices)}{_suggest(value, list(choices))}"
            )
        return value
    low, high = meta.get("low"), meta.get("high")
    if low is not None and value < low or high is not None and value > high:
        raise ScenarioError(
            f"{key}: {value!r} is outside the allowed range [{low:g}, {high:g}] ({meta.get('unit')})"
        )
    return value


def _validate_section(section: str, obj: Any) -> None:
    for f in fields(obj):
        _coerce(f"{section}.{f.name}", getattr(obj, f.name), f)


def _validate_firm(i: int, firm: FirmSpec) -> None:
    for f in fields(firm):
        if f.name == "allocation":
            continue
        _coerce(f"firms[{i}].{f.name}", getattr(firm, f.name), f)
    if firm.strategy == "custom":
        alloc = firm.allocation
        if not alloc:
            raise ScenarioError(
                f"firms[{i}].allocation: strategy 'custom' needs an allocation over {', '.join(LEVERS)}"
            )
        for lever, share in alloc.items():
            if lever not in LEVERS:
                raise ScenarioError(
                    f"firms[{i}].allocation.{lever}: unknown lever{_suggest(lever, list(LEVERS))}; levers are {', '.join(LEVERS)}"
                )
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                raise ScenarioError(
                    f"firms[{i}].allocation.{lever}: {share!r} must be a share in [0, 1]"
                )
        total = sum(alloc.values())
        if abs(total - 1.0) > 1e-6:
            raise ScenarioError(f"firms[{i}].allocation: shares sum to {total:g}, must sum to 1")
    elif firm.allocation is not None:
        raise ScenarioError(
            f"firms[{i}].allocation: only allowed with strategy = 'custom' (strategy is {firm.strategy!r})"
        )


def _firm_from_mapping(i: int, data: Mapping[str, Any]) -> FirmSpec:
    if not isinstance(data, Mapping):
        raise ScenarioError(f"firms[{i}]: {data!r} is not a table of firm parameters")
    names = [f.name for f in fields(FirmSpec)]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in names:
            raise ScenarioError(f"firms[{i}].{key}: unknown firm parameter{_suggest(key, names)}")
        if key == "allocation":
            if not isinstance(value, Mapping):
                raise ScenarioError(
                    f"firms[{i}].allocation: {value!r} is not a table of lever shares"
                )
            kwargs[key] = dict(value)
            if "strategy" not in data:
                kwargs["strategy"] = "custom"
        else:
            kwargs[key] = _coerce(f"firms[{i}].{key}", value, _field(FirmSpec, key))
    return FirmSpec(**kwargs)


def _firms_from_data(data: Any) -> tuple[FirmSpec, ...]:
    if isinstance(data, FirmSpec):
        return (data,)
    if not isinstance(data, list | tuple):
        raise ScenarioError(f"firms: {data!r} is not a list of firms")
    return tuple(
        d if isinstance(d, FirmSpec) else _firm_from_mapping(i, d) for i, d in enumerate(data)
    )


def _override_firm(firms: list[FirmSpec], key: str, value: Any) -> list[FirmSpec]:
    parts = key.split(".")
    if len(parts) != 3:
        raise ScenarioError(
            f"{key}: firm overrides take the form firms.<name or index>.<parameter>"
        )
    _, which, name = parts
    names = [f.name for f in firms]
    if which.isdigit() and int(which) < len(firms):
        idx = int(which)
    elif which in names:
        idx = names.index(which)
    else:
        raise ScenarioError(f"{key}: no firm {which!r}; firms are {', '.join(names)}")
    merged = {f.name: getattr(firms[idx], f.name) for f in fields(FirmSpec)}
    if merged.get("allocation") is None or (name == "strategy" and value != "custom"):
        merged.pop("allocation")
    merged[name] = value
    firms = list(firms)
    firms[idx] = _firm_from_mapping(idx, merged)
    return firms


def scenario_from_dict(data: Mapping[str, Any], *, base: Scenario | None = None) -> Scenario:
    """Build a validated scenario from nested data (as parsed from TOML)."""
    base = base or Scenario()
    known = set(SECTIONS) | {"firms", "name", "description"}
    overrides: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ScenarioError(
                f"{key}: unknown section{_suggest(key, sorted(known))}; allowed: {', '.join(sorted(known))}"
            )
        if key in SECTIONS:
            if not isinstance(value, Mapping):
                raise ScenarioError(f"{key}: {value!r} is not a table")
            for name, v in value.items():
                overrides[f"{key}.{name}"] = v
        elif key in ("name", "description"):
            if not isinstance(value, str):
                raise ScenarioError(f"{key}: {value!r} is not a string")
            overrides[key] = value
        else:
            overrides["firms"] = value
    return base.with_overrides(overrides)


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a scenario TOML file (the bundled presets are in ``cxsim/params/presets/``).

    Missing keys take their defaults. Raises :class:`ScenarioError` for a missing file,
    malformed TOML (with line and column), or any invalid value.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"scenario: file {str(path)!r} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"scenario: {path.name} is not UTF-8 text") from None
    scenario = scenario_from_toml(text, name=path.stem, source=path.name)
    return scenario.with_overrides(overrides) if overrides else scenario


def scenario_from_toml(text: str, *, name: str, source: str | None = None) -> Scenario:
    """A scenario from TOML text; ``name`` is used when the text names none, ``source`` (a file
    name) in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario: {source or name} is not valid TOML: {exc}") from None
    data.setdefault("name", name)
    return scenario_from_dict(data)


def _presets() -> Traversable:
    """The bundled presets, as package data (works from a wheel as from a source tree)."""
    return files("cxsim.params") / "presets"


def preset_names() -> list[str]:
    """Names of the bundled presets, sorted."""
    return sorted(
        p.name.removesuffix(".toml") for p in _presets().iterdir() if p.name.endswith(".toml")
    )


def preset_dir() -> Path:
    """Folder of the bundled presets on disk (inside the installed package)."""
    return Path(str(_presets()))


def preset(name: str) -> Scenario:
    """Load a bundled preset by name, e.g. ``preset("retention_focus")``."""
    options = preset_names()
    if name not in options:
        raise ScenarioError(
            f"preset: {name!r} is not one of {', '.join(options)}{_suggest(name, options)}"
        )
    text = (_presets() / f"{name}.toml").read_text(encoding="utf-8")
    return scenario_from_toml(text, name=name, source=f"{name}.toml")


def resolve_scenario(scenario: Scenario | str | os.PathLike | Mapping | None) -> Scenario:
    """The one way to turn what a user gives into a :class:`Scenario`: a scenario (as is), a
    TOML path, a preset name (``"retention_focus"``), a mapping (as in a TOML file), or ``None``
    (the default market)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, os.PathLike | str):
        text = os.fspath(scenario)
        path = Path(text)
        if path.suffix.lower() == ".toml" or path.exists() or os.sep in text or "/" in text:
            return load_scenario(path)
        return preset(text)
    if isinstance(scenario, Mapping):
        return scenario_from_dict(scenario)
    raise ScenarioError(
        f"scenario: {type(scenario).__name__} is not a Scenario, a TOML path, a preset name or a mapping"
    )


def _current(scenario: Scenario, key: str) -> Any:
    """The value of override key ``key`` in ``scenario`` (``None`` when it names nothing)."""
    if key.startswith("firms."):
        parts = key.split(".")
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


__all__ = [
    "ACQUISITION_LEVERS",
    "DEFAULT_FIRMS",
    "LEVERS",
    "NETWORK_KINDS",
    "RETENTION_LEVERS",
    "SECTIONS",
    "STRATEGIES",
    "CustomerParams",
    "FirmSpec",
    "LeverParams",
    "MarketParams",
    "NetworkParams",
    "P",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parameter_names",
    "preset",
    "preset_dir",
    "preset_names",
    "resolve_scenario",
    "scenario_from_dict",
    "scenario_from_toml",
    "typed_overrides",
]
