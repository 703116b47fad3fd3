"""Tables of what the scenario declares: parameters, strategies, levers, firms and presets.

Each parameter row is read from the parameter's declaration (:func:`cxsim.params.declare.P`):
default, unit, range, meaning and source. Lever targets and response parameters are found by
spending on each lever and perturbing each parameter, not listed by hand.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import MISSING, Field, fields

from cxsim.core.firms import Firm, LeverEffects, expected_purchase_rate, lever_effects
from cxsim.params import (
    ACQUISITION_LEVERS,
    DEFAULT_FIRMS,
    DISCOUNT_LEVERS,
    LEVER_AUDIENCE,
    LEVERS,
    RETENTION_LEVERS,
    SECTIONS,
    STRATEGIES,
    CustomerParams,
    FirmSpec,
    LeverParams,
    MarketParams,
    Scenario,
    preset_dir,
)
from tools.odd_data import (
    EFFECT_USE,
    LEVER_GROUPS,
)
from tools.odd_md import fmt, rst_to_md, table

#: What each audience of :data:`cxsim.params.LEVER_AUDIENCE` means, as the unit of spend.
AUDIENCE_UNITS: dict[str, str] = {
    "prospects": "currency per prospect (customer not considering the firm) per week",
    "first_purchases": "currency per forecast first purchase (recent weeks' redemptions); depth = x / price up to the ceiling",
    "purchases": "currency per expected purchase (own active customers × need rate)",
    "repeat_purchases": "currency per forecast purchase by active customers (recent weeks' redemptions); depth = x / price up to the ceiling",
    "firm": "currency per week (the firm's spend)",
}

#: Parameter tables: the scenario sections plus the per-firm fields.
PARAM_SECTIONS: dict[str, type] = {**SECTIONS, "firms": FirmSpec}


def parameter_fields(section: str) -> list[Field]:
    """The declared fields of one parameter section (``firms``: the per-firm fields)."""
    if section not in PARAM_SECTIONS:
        raise KeyError(
            f"no parameter section {section!r}; sections are {', '.join(PARAM_SECTIONS)}"
        )
    return list(fields(PARAM_SECTIONS[section]))


def all_parameters() -> dict[str, str]:
    """Every parameter name → its section."""
    return {f.name: s for s in PARAM_SECTIONS for f in parameter_fields(s)}


def _meaning(f: Field) -> str:
    doc = f.metadata.get("doc") or ""
    if not doc and f.name.endswith("_efficiency"):
        lever = f.name[: -len("_efficiency")]
        doc = (
            f"response rate k of the {lever} lever: spending 1/k reaches 63% of the ceiling "
            "(no meaning declared in cxsim.params)"
        )
    return doc


def _range(f: Field) -> str:
    meta = f.metadata
    if meta.get("choices"):
        return "one of " + ", ".join(f"`{c}`" for c in meta["choices"])
    low, high = meta.get("low"), meta.get("high")
    if low is None and high is None:
        return "—"
    return f"[{fmt(low)}, {fmt(high)}]"


def source_of(f: Field) -> str:
    """The declared source of a parameter (a marked gap when none is declared)."""
    return f.metadata.get("source") or "**no source declared: add source=... to its P(...)**"


def sources() -> dict[str, str]:
    """Every parameter name → its declared source (empty when none is declared)."""
    return {
        f.name: f.metadata.get("source", "") for s in PARAM_SECTIONS for f in parameter_fields(s)
    }


def parameter_table(section: str) -> str:
    """Markdown table of one section's parameters: name, default, unit, range, meaning, source."""
    rows = []
    for f in parameter_fields(section):
        default = f.default if f.default is not MISSING else None
        rows.append(
            (
                f"`{f.name}`",
                fmt(default),
                f.metadata.get("unit", ""),
                _range(f),
                _meaning(f),
                source_of(f),
            )
        )
    return table(("parameter", "default", "unit", "range", "meaning", "source"), rows, "lrllll")


def strategy_shares() -> dict[str, dict[str, float]]:
    """Budget share per lever of every preset, as the firms compute it."""
    return {name: FirmSpec(strategy=name).shares() for name in STRATEGIES}


def lever_group(lever: str) -> str:
    if lever in ACQUISITION_LEVERS:
        return "acquisition"
    if lever in RETENTION_LEVERS:
        return "retention"
    return LEVER_GROUPS.get(lever, "other")


def strategy_table() -> str:
    """Markdown table of the budget split (percent of budget) of every strategy preset."""
    header = ["strategy", *[f"`{lever}`" for lever in LEVERS], "acquisition", "retention", "total"]
    rows = []
    for name, shares in strategy_shares().items():
        acq = sum(shares[k] for k in ACQUISITION_LEVERS)
        ret = sum(shares[k] for k in RETENTION_LEVERS)
        cells = [f"{100 * shares[k]:.0f}%" if shares[k] else "·" for k in LEVERS]
        rows.append(
            [
                f"`{name}`",
                *cells,
                f"{100 * acq:.0f}%",
                f"{100 * ret:.0f}%",
                f"{100 * sum(shares.values()):.0f}%",
            ]
        )
    groups = (
        "Lever groups: "
        + "; ".join(
            f"{g}: " + ", ".join(f"`{k}`" for k in LEVERS if lever_group(k) == g)
            for g in dict.fromkeys(lever_group(k) for k in LEVERS)
        )
        + "."
    )
    return table(header, rows, "l" + "r" * (len(header) - 1)) + "\n\n" + groups


def default_firm(strategy: str) -> Firm:
    """A firm with the default spec and the given strategy, its first week planned."""
    import mesa

    from cxsim.core.ruleset import Rules

    spec = FirmSpec(name=strategy, strategy=strategy)
    model = mesa.Model(rng=0)
    model.rules = Rules()  # the default rules, as a Market has them
    firm = Firm(model, 0, spec, LeverParams())
    # the default market's expected state in week 1 (per firm): 30% its customers, 86% consider
    # it (its customers and 80% of the others)
    cp = CustomerParams()
    n, own, aware = cp.n_customers, spec.initial_customers, spec.initial_awareness
    firm.plan_week(
        market_size=n,
        customers=own * n,
        prospects=(1.0 - own) * (1.0 - aware) * n,
        purchase_rate=expected_purchase_rate(cp.need_rate, MarketParams().dt),
    )
    return firm


def effects_table() -> str:
    """What each strategy's default budget buys: every lever effect, and the resulting price."""
    names = [f.name for f in fields(LeverEffects)]
    rows = []
    for strategy in STRATEGIES:
        firm = default_firm(strategy)
        rows.append(
            [
                f"`{strategy}`",
                *[fmt(getattr(firm.effects, k)) for k in names],
                fmt(firm.unit_cost),
                fmt(firm.price),
            ]
        )
    header = ["strategy", *[f"`{k}`" for k in names], "unit cost", "price"]
    spec = FirmSpec()
    note = (
        f"At the default budget of {fmt(spec.budget)} {_unit(FirmSpec, 'budget')} "
        f"(no revenue-linked budget) and default lever parameters, in the default market's "
        f"expected first week (each firm: 30% of {fmt(CustomerParams().n_customers)} customers "
        f"its own, 86% considering it, {fmt(CustomerParams().need_rate)} needs per customer "
        f"per week); list price {fmt(spec.price)}, unit cost {fmt(spec.unit_cost)}. "
        "`promotion` and `loyalty` are discounts (share of price); `complaint_capacity` is in "
        "resolutions per expected purchase."
    )
    return note + "\n\n" + table(header, rows, "l" + "r" * (len(header) - 1))


def _unit(cls: type, name: str) -> str:
    for f in fields(cls):
        if f.name == name:
            return f.metadata.get("unit", "")
    raise KeyError(name)


def lever_effect_docs() -> dict[str, str]:
    """The attribute docstrings of :class:`cxsim.core.firms.LeverEffects`, read from its source."""
    import cxsim.core.firms as firms_module

    tree = ast.parse(inspect.getsource(firms_module))
    docs: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "LeverEffects":
            body = node.body
            for a, b in zip(body, body[1:], strict=False):
                if (
                    isinstance(a, ast.AnnAssign)
                    and isinstance(a.target, ast.Name)
                    and isinstance(b, ast.Expr)
                    and isinstance(b.value, ast.Constant)
                    and isinstance(b.value.value, str)
                ):
                    docs[a.target.id] = rst_to_md(b.value.value)
    return docs


def lever_targets() -> dict[str, list[str]]:
    """Lever → the LeverEffects fields that its spend moves (found by spending on it alone)."""
    p = LeverParams()
    out: dict[str, list[str]] = {}
    for lever in LEVERS:
        e = lever_effects({lever: 0.01}, p)
        out[lever] = [f.name for f in fields(LeverEffects) if getattr(e, f.name) != 0.0]
    return out


def effect_parameters() -> dict[str, list[str]]:
    """LeverEffects field → the LeverParams fields that change it (found by perturbing each)."""
    from dataclasses import replace

    p = LeverParams()
    # a discount's depth reaches its ceiling only with a budget per redemption above it
    spend = {lever: 1e6 if lever in DISCOUNT_LEVERS else 0.01 for lever in LEVERS}
    base = lever_effects(spend, p)
    out: dict[str, list[str]] = {f.name: [] for f in fields(LeverEffects)}
    for f in fields(LeverParams):
        value = getattr(p, f.name)
        high = f.metadata.get("high")
        new = value * 0.5 if value else 0.5 * (high if high is not None else 1.0)
        moved = lever_effects(spend, replace(p, **{f.name: new}))
        for e in fields(LeverEffects):
            if getattr(moved, e.name) != getattr(base, e.name):
                out[e.name].append(f.name)
    return out


def levers_table() -> str:
    """Every lever: its group, the effect it targets, and the parameters of its response."""
    docs = lever_effect_docs()
    params = effect_parameters()
    rows = []
    for lever, targets in lever_targets().items():
        for effect in targets:
            names = params.get(effect, [])
            ceiling = [n for n in names if n.endswith("_ceiling")]
            efficiency = [n for n in names if n.endswith("_efficiency")]
            unit = _unit(LeverParams, ceiling[0]) if ceiling else ""
            cost = (
                "discount × price × basket per redemption"
                if lever in DISCOUNT_LEVERS
                else "its budget share, up front"
            )
            rows.append(
                [
                    f"`{lever}`",
                    lever_group(lever),
                    AUDIENCE_UNITS[LEVER_AUDIENCE[lever]],
                    cost,
                    f"`{effect}`",
                    docs.get(effect, ""),
                    ", ".join(f"`{n}`" for n in ceiling) + (f" ({unit})" if unit else ""),
                    ", ".join(f"`{n}`" for n in efficiency) or "– (a transfer)",
                    EFFECT_USE.get(effect, "see cxsim.core.model"),
                ]
            )
    return table(
        (
            "lever",
            "group",
            "spend x (unit)",
            "cost",
            "effect",
            "what it is",
            "ceiling (unit)",
            "efficiency",
            "where it acts",
        ),
        rows,
    )


def _firm_diff(spec: FirmSpec) -> str:
    base = FirmSpec()
    diffs = [
        f"{f.name} = {fmt(getattr(spec, f.name))}"
        for f in fields(FirmSpec)
        if f.name not in ("name", "strategy") and getattr(spec, f.name) != getattr(base, f.name)
    ]
    return "; ".join(diffs)


def firms_table() -> str:
    """The default market's firms (fields that differ from the per-firm defaults only)."""
    rows = [
        (f"`{f.name}`", f"`{f.strategy}`", _firm_diff(f) or "per-firm defaults")
        for f in DEFAULT_FIRMS
    ]
    return table(("firm", "strategy", "other settings"), rows)


def presets_table() -> str:
    """Bundled presets (cxsim/params/presets/*.toml): what each changes from the default scenario."""
    from cxsim.params import load_scenario

    base = Scenario()
    rows = []
    for path in sorted(preset_dir().glob("*.toml")):
        sc = load_scenario(path)
        changes = []
        for section in SECTIONS:
            new, old = getattr(sc, section), getattr(base, section)
            changes += [
                f"{section}.{f.name} = {fmt(getattr(new, f.name))}"
                for f in fields(new)
                if getattr(new, f.name) != getattr(old, f.name)
            ]
        firms = ", ".join(
            f"{f.name}: `{f.strategy}`" + (f" ({_firm_diff(f)})" if _firm_diff(f) else "")
            for f in sc.firms
        )
        rows.append((f"`{path.stem}`", sc.description, "; ".join(changes) or "—", firms))
    return table(("preset", "description", "market changes", "firms"), rows)
