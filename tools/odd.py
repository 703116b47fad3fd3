"""Generated documentation: the tables of docs/ODD.md, built from the code itself.

docs/ODD.md describes the model with the ODD protocol (Grimm et al. 2006, 2020). Its prose is
written by hand; every table that restates something the code defines (parameter defaults, units
and ranges, strategy budget splits, lever targets, output formulas, the weekly schedule, the
customer columns) is generated here and pasted between markers::

    <!-- params:customers -->
    ... generated, never edited by hand ...
    <!-- /params -->

so the document cannot drift from the code: ``python -m tools.odd`` rewrites docs/ODD.md in
place, and ``tests/test_docs.py`` fails, asking for that command, whenever a default, a unit, a
strategy or a formula changes without the document following.

What cannot be read from the code is kept here as data, next to the generators, and checked by
the tests: :data:`SOURCES` (where each parameter's form or value comes from; most values are
calibration choices and say so), :data:`DESIGN_IDEAS` and :data:`SEED_IDEAS` (which rule or
parameter carries each idea of the design brief and of the seed articles), and short meanings of
outputs, stages and network kinds.

Markers understood by :func:`render_odd` (``name`` or ``name:argument``):

``params:<section>``  parameter table of ``market``, ``customers``, ``network``, ``levers`` or ``firms``
``strategies``        budget split of every strategy preset
``effects``           what each strategy's default budget buys (lever effects, price)
``levers``            every lever, the effect it targets and its response parameters
``economics``         economic measures with the formulas of :mod:`cxsim.core.metrics`' docstring
``metrics``           every weekly output column
``schedule``          the weekly cycle, read from :meth:`cxsim.core.model.Market.step`
``rules``             index of the rules in :mod:`cxsim.core.rules` and the steps that call them
``columns``           customer state columns and the ``Customer`` agent's views on them
``stages``            loyalty ladder stages
``networks``          social network generators
``firms``             the default market's firms
``presets``           bundled scenario presets and how they differ from the defaults
``derived``           quantities implied by the defaults (half-lives, ratios, hits to recover)
``ideas:design``      the design brief's ideas mapped to code
``ideas:seeds``       the seed articles' ideas mapped to code
"""

from __future__ import annotations

import argparse
import ast
import difflib
import inspect
import math
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import MISSING, Field, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from cxsim.core import metrics, rules
from cxsim.core.customers import Customer, CustomerTable
from cxsim.core.firms import Firm, LeverEffects, lever_effects
from cxsim.core.model import Market
from cxsim.core.network import NETWORK_KINDS
from cxsim.params import (
    ACQUISITION_LEVERS,
    DEFAULT_FIRMS,
    LEVERS,
    RETENTION_LEVERS,
    SECTIONS,
    STRATEGIES,
    CustomerParams,
    FirmSpec,
    LeverParams,
    MarketParams,
    NetworkParams,
    Scenario,
    preset_dir,
)

#: The document this module keeps up to date.
ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"

#: Parameter tables: the scenario sections plus the per-firm fields.
PARAM_SECTIONS: dict[str, type] = {**SECTIONS, "firms": FirmSpec}

# --------------------------------------------------------------------------------------------
# Ideas → code
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idea:
    """One idea and the code names that carry it.

    ``carriers`` are typed names, checked against the code by :func:`resolve`:
    ``rule:<function in cxsim.core.rules>``, ``param:<parameter>``, ``lever:<lever>``,
    ``strategy:<preset>``, ``metric:<output column>``, ``step:<Market method>``,
    ``effect:<LeverEffects field>``, ``column:<CustomerTable column>``, ``stage:<ladder stage>``.
    """

    idea: str
    seed: str
    carriers: tuple[str, ...]
    how: str
    key: str = ""
    """For the design brief's rows: the first words of the row in DESIGN.md (to match it)."""


#: The nine rows of the design brief's ideas table (DESIGN.md), in its order.
DESIGN_IDEAS: tuple[Idea, ...] = (
    Idea(
        "Expectations rise; meeting them is taken for granted; only exceeding them ('WoW') earns trust and word of mouth",
        "000",
        (
            "rule:adapt_expectation",
            "param:expectation_up",
            "param:expectation_down",
            "param:expectation_inflation",
            "rule:word_of_mouth_senders",
            "param:delight_margin",
        ),
        "Each purchase pulls the expectation toward the experience, faster upward than downward, and "
        "every week the whole market's expectations drift up. Delight, and the positive word of mouth "
        "it starts, needs a surplus beyond the expectation by a margin; meeting it earns nothing to talk about.",
        key="Expectations rise over time",
    ),
    Idea(
        "Trust takes effort, constancy and time to win and is lost in a minute",
        "000, 003",
        (
            "rule:update_trust",
            "param:trust_gain",
            "param:trust_loss",
            "param:trust_tolerance",
            "param:consistency_ceiling",
        ),
        "A met expectation closes a small share of the distance to full trust; a miss removes a "
        "large share of trust. Service spend also removes part of the random variation of "
        "experiences (constancy).",
        key="Trust takes effort",
    ),
    Idea(
        "Two ways to reach the customer: direct (products and services they love) and indirect (savings that fund better prices, service, promotions)",
        "000",
        (
            "lever:service",
            "lever:innovation",
            "lever:efficiency",
            "param:cost_pass_through",
            "metric:spend",
        ),
        "Direct levers add quality to every experience; the efficiency lever lowers unit cost, and "
        "a share of the saving is passed on in price. Every currency unit spent is booked whether "
        "or not it reaches a customer, so spend that reaches nobody shows as cost.",
        key="Two ways to impact",
    ),
    Idea(
        "Loyalty ladder: prospects, buyers, repeat customers, clients; lost customers can be won back",
        "001",
        (
            "rule:ladder_after_purchase",
            "rule:ladder_after_switch",
            "stage:lost",
            "param:client_streak",
            "param:advocate_trust",
            "metric:won_back",
        ),
        "Each customer holds one stage with each firm; stage counts are weekly outputs. Churn "
        "moves a customer to 'lost'; a lost customer can come back into consideration and buy again.",
        key="Loyalty ladder",
    ),
    Idea(
        "Firms pour resources into turning prospects into buyers; the base leaks; invisible complaints defeat the value proposition",
        "001",
        (
            "strategy:acquisition_focus",
            "strategy:retention_focus",
            "rule:complaint_probability",
            "param:voice_minor",
            "rule:churn_probability",
            "rule:recovery_share",
            "metric:silent",
        ),
        "Budgets split between acquisition and retention levers; most disappointed customers never "
        "complain and carry a grudge that raises their hazard of leaving; voiced complaints can be "
        "resolved and repaired.",
        key="Firms pour resources",
    ),
    Idea(
        "Treat each customer as that customer expects, not uniformly",
        "002",
        (
            "rule:experienced_quality",
            "param:need_heterogeneity",
            "param:mismatch_weight",
            "lever:personalization",
            "column:knowledge",
        ),
        "Customers differ in their ideal point; a uniform offer loses quality with distance from "
        "it; what the firm learns about each customer (personalization spend) removes a growing "
        "share of that mismatch.",
        key="Treat each customer",
    ),
    Idea(
        "Keep customers with easy access, fast personal response and by asking their opinion",
        "003",
        (
            "lever:access",
            "lever:feedback",
            "effect:solicitation",
            "rule:complaint_probability",
            "lever:complaint_handling",
        ),
        "Access spend adds to every experience; feedback solicitation turns part of the silent "
        "dissatisfaction into voiced complaints, which complaint handling can then resolve.",
        key="Keep customers with easy access",
    ),
    Idea(
        "Three value disciplines: operational excellence, product leadership, customer intimacy",
        "003",
        (
            "strategy:operational_excellence",
            "strategy:product_leadership",
            "strategy:customer_intimacy",
        ),
        "Presets of budget splits over the same levers; any number of firms, each with its own "
        "strategy, compete for the same customers.",
        key="Three value disciplines",
    ),
    Idea(
        "Product advantages are quickly imitated and erode",
        "004",
        ("param:imitation_rate", "step:market_moves", "lever:innovation"),
        "Every week each rival closes a share of its quality gap to the leader; a lead lasts only "
        "as long as innovation keeps renewing it.",
        key="Product advantages",
    ),
)

#: The ideas of the five seed articles, one by one.
SEED_IDEAS: tuple[Idea, ...] = (
    Idea(
        "Expectations rise over time, so a firm must keep improving",
        "000",
        ("param:expectation_inflation", "rule:adapt_expectation", "param:expectation_up"),
        "Market-wide drift plus adaptation to experience: yesterday's surplus is today's norm.",
    ),
    Idea(
        "Only exceeding expectations ('WoW') triggers word of mouth",
        "000",
        ("rule:word_of_mouth_senders", "param:delight_margin", "param:wom_positive_reach"),
        "Met expectations are silent; delight beyond a margin makes a customer talk.",
    ),
    Idea(
        "Trust: slow to win, lost in a minute",
        "000, 003",
        ("rule:update_trust", "param:trust_gain", "param:trust_loss"),
        "Small proportional gains on hits, large proportional losses on misses.",
    ),
    Idea(
        "Two ways to reach the customer, direct and indirect",
        "000",
        ("lever:service", "lever:innovation", "lever:efficiency", "param:cost_pass_through"),
        "Quality and service directly; cost savings passed on in price indirectly.",
    ),
    Idea(
        "Whatever does not reach the customer is an invisible cost",
        "000",
        ("metric:spend", "metric:profit", "param:budget"),
        "The books charge every lever's spend, used or not (advertising to people who already "
        "know the firm, idle complaint capacity), so the cost is made visible in profit.",
    ),
    Idea(
        "Loyalty ladder: prospect, buyer, repeat customer, client",
        "001",
        ("rule:ladder_after_purchase", "param:client_streak", "stage:client"),
        "Stages follow purchases: first purchase, second purchase, a streak of needs all served.",
    ),
    Idea(
        "Acquisition focus and the leaky bucket",
        "001",
        (
            "strategy:acquisition_focus",
            "lever:advertising",
            "lever:promotion",
            "rule:churn_probability",
            "metric:churn_rate",
        ),
        "Acquisition spend fills the base; churn driven by trust and grudges drains it.",
    ),
    Idea(
        "Invisible complaints (never voiced) defeat the value proposition",
        "001",
        ("rule:complaint_probability", "param:voice_minor", "rule:add_grudge", "metric:silent"),
        "Most disappointed customers stay silent; their grudge is never repaired and weighs on "
        "choice and churn until it fades.",
    ),
    Idea(
        "Complaints heard, understood and compensated",
        "001",
        (
            "rule:resolution_probability",
            "rule:recovery_share",
            "rule:apply_recovery",
            "lever:complaint_handling",
            "param:recovery_max",
        ),
        "A voiced complaint enters a queue; resolved within capacity, it restores trust and "
        "dissolves the grudge, more so when fast.",
    ),
    Idea(
        "Treat each customer as that customer expects (individual, not collective, treatment)",
        "002",
        (
            "rule:experienced_quality",
            "lever:personalization",
            "column:knowledge",
            "param:need_heterogeneity",
        ),
        "Knowledge of a customer, learned purchase by purchase, tailors the offer to its need.",
    ),
    Idea(
        "Easy access, fast personal response, asking for opinions",
        "003",
        ("lever:access", "lever:feedback", "effect:solicitation"),
        "Access adds to every experience; asking for opinions raises the share of problems voiced.",
    ),
    Idea(
        "Three value disciplines (Treacy & Wiersema)",
        "003",
        (
            "strategy:operational_excellence",
            "strategy:product_leadership",
            "strategy:customer_intimacy",
        ),
        "Budget-split presets on the common levers.",
    ),
    Idea(
        "Product advantages are imitated and erode",
        "004",
        ("param:imitation_rate", "lever:innovation"),
        "Rivals close part of the quality gap every week.",
    ),
)

#: Where each lever effect acts in the weekly cycle (the code says what; this says where).
EFFECT_USE: dict[str, str] = {
    "reach_per_year": "adds to the firm's base_reach as the external hazard p of `awareness_probability` (step `consider_firms`)",
    "promotion": "utility bonus in `choice_utility` for prospects and lost customers (step `serve_needs`)",
    "service": "added to every experience in `experienced_quality`",
    "consistency": "experience noise is scaled by (1 − consistency)",
    "complaint_capacity": "capacity of `resolution_probability` (× n_customers × dt) (step `handle_complaints`)",
    "learning": "knowledge += learning·(1 − knowledge) after each purchase, used by `experienced_quality`",
    "solicitation": "raises `complaint_probability`",
    "access": "added to every experience in `experienced_quality`, with service",
    "loyalty": "utility bonus in `choice_utility` for active customers",
    "cost_saving": "unit cost × (1 − saving); price lowered by cost_pass_through × the saving (`Firm.plan_week`)",
    "innovation": "quality grows by this much per week (`Firm.innovate`, step `market_moves`)",
}

LEVER_GROUPS: dict[str, str] = {
    "efficiency": "operational excellence",
    "innovation": "product leadership",
}

STAGE_DOCS: dict[str, str] = {
    "prospect": "has not bought from the firm (may or may not consider it)",
    "buyer": "bought once",
    "repeat": "bought again; also a client or advocate who took a need elsewhere",
    "client": "comes back whenever the need arises: the last `client_streak` needs all served by the firm",
    "advocate": "a client whose trust is at least `advocate_trust`; praises the firm after every experience that meets expectations",
    "lost": "defected (churned); can be won back",
}

NETWORK_DOCS: dict[str, str] = {
    "watts_strogatz": "small world: ring lattice of degree ≈ mean_degree, each edge's far end rewired with probability rewire_prob (Watts & Strogatz 1998)",
    "barabasi_albert": "preferential attachment, each newcomer brings mean_degree/2 edges; heavy-tailed degrees (Barabási & Albert 1999)",
    "erdos_renyi": "G(n, p) random graph with p = mean_degree/(n − 1) (Erdős & Rényi 1959)",
    "complete": "everyone hears everyone; stores no arrays; used to dock with the Bass (1969) curve",
    "ring_lattice": "Watts–Strogatz with no rewiring: clustered, long paths",
}

#: Unit and meaning of every weekly output column of :func:`cxsim.core.metrics.tidy_frame`.
METRIC_DOCS: dict[str, tuple[str, str]] = {
    "customers": (
        "customers",
        "active customers (buyer, repeat, client or advocate) at the end of the week",
    ),
    "new": (
        "customers per week",
        "first purchases by prospects and by lost customers (won back ones included)",
    ),
    "won_back": ("customers per week", "purchases by customers who had been lost"),
    "churned": ("customers per week", "active customers who defected"),
    "churn_rate": ("per week", "churned / active customers at the start of the week"),
    "retention_rate": ("per week", "1 − churn_rate"),
    "purchases": ("purchases per week", "needs served by the firm"),
    "delighted": (
        "purchases per week",
        "experiences beyond expectation by more than delight_margin",
    ),
    "disappointed": (
        "purchases per week",
        "experiences short of expectation by more than disappointment_margin",
    ),
    "delight_rate": ("share", "delighted / purchases"),
    "complaints": ("per week", "disappointed experiences voiced to the firm"),
    "silent": ("per week", "disappointed experiences never voiced (invisible complaints)"),
    "recoveries": ("per week", "complaints resolved"),
    "unresolved": (
        "per week",
        "complaints that waited complaint_patience weeks without resolution",
    ),
    "wom_positive": (
        "messages per week",
        "positive word-of-mouth messages about the firm sent this week",
    ),
    "wom_negative": (
        "messages per week",
        "negative word-of-mouth messages about the firm sent this week",
    ),
    "mean_expectation": (
        "quality units",
        "mean expectation of the firm among its active customers",
    ),
    "mean_experienced": ("quality units", "mean experienced quality of this week's purchases"),
    "mean_disconfirmation": (
        "quality units",
        "mean experienced − expected of this week's purchases",
    ),
    "mean_satisfaction": (
        "quality units",
        "mean felt satisfaction (loss-averse) of this week's purchases",
    ),
    "mean_trust": ("trust [0,1]", "mean trust among the firm's active customers"),
    "nps": (
        "share in [−1, 1]",
        "promoters − detractors among active customers who have bought (see economics)",
    ),
    "revenue": ("currency per week", "purchases × price"),
    "cogs": ("currency per week", "purchases × unit cost"),
    "spend": ("currency per week", "the week's budget over all levers"),
    "acquisition_spend": ("currency per week", "spend on the acquisition levers"),
    "retention_spend": ("currency per week", "spend on the retention levers"),
    "profit": ("currency per week", "revenue − cogs − spend"),
    "npv": ("currency", "cumulative discounted profit"),
    "cac": ("currency per new customer", "acquisition spend / new customers"),
    "clv": (
        "currency per customer",
        "estimated customer lifetime value (closed form, smoothed inputs)",
    ),
    "customer_equity": ("currency", "customers × clv"),
    "value_per_customer": (
        "currency per customer",
        "npv / first purchases so far (prospects and lost customers who bought; the initial "
        "customers are not counted, a customer won back counts again)",
    ),
    "quality": ("quality units", "the firm's core product quality"),
    "price": ("currency per purchase", "the firm's price"),
    "unit_cost": ("currency per purchase", "the firm's unit cost"),
}

#: Economic measures issue 3 asks for, each of which must have a formula in the metrics docstring.
ECONOMIC_MEASURES: tuple[str, ...] = (
    "revenue",
    "cogs",
    "spend",
    "profit",
    "npv",
    "cac",
    "churn_rate",
    "retention_rate",
    "clv",
    "customer_equity",
    "value_per_customer",
    "nps",
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    """A default value as shown in the tables."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | np.integer):
        return f"{int(value):,}".replace("-", "−")
    if isinstance(value, float | np.floating):
        value = float(value)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        text = f"{value:.4g}"
        if "e" in text:
            mantissa, exp = text.split("e")
            text = f"{mantissa}·10^{int(exp)}"
        return text.replace("-", "−")
    if isinstance(value, str):
        return f"`{value}`"
    return str(value)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]], align: str | None = None) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |"]
    spec = align or "l" * len(header)
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in spec) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)


def rst_to_md(text: str) -> str:
    """Docstring markup to Markdown: ``code`` → `code`, and whitespace collapsed."""
    text = re.sub(r"``(.+?)``", r"`\1`", text)
    text = re.sub(
        r":(?:func|class|meth|data|mod):`~?([^`]+)`",
        lambda m: "`" + re.sub(r"\s+", "", m.group(1)) + "`",  # a name never holds a space
        text,
    )
    return re.sub(r"\s+", " ", text).strip()


def _first_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    para = doc.split("\n\n", 1)[0]
    return rst_to_md(para)


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


# --------------------------------------------------------------------------------------------
# Generated tables
# --------------------------------------------------------------------------------------------


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
    return _table(("parameter", "default", "unit", "range", "meaning", "source"), rows, "lrllll")


def strategy_shares() -> dict[str, dict[str, float]]:
    """Budget share per lever of every preset, as the firms compute it."""
    return {name: FirmSpec(strategy=name).shares() for name in STRATEGIES}


def _group(lever: str) -> str:
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
            f"{g}: " + ", ".join(f"`{k}`" for k in LEVERS if _group(k) == g)
            for g in dict.fromkeys(_group(k) for k in LEVERS)
        )
        + "."
    )
    return _table(header, rows, "l" + "r" * (len(header) - 1)) + "\n\n" + groups


def _default_firm(strategy: str) -> Firm:
    """A firm with the default spec and the given strategy, its first week planned."""
    import mesa

    from cxsim.core.ruleset import Rules

    spec = FirmSpec(name=strategy, strategy=strategy)
    model = mesa.Model(rng=0)
    model.rules = Rules()  # the default rules, as a Market has them
    firm = Firm(model, 0, spec, LeverParams())
    firm.plan_week(CustomerParams().n_customers)
    return firm


def effects_table() -> str:
    """What each strategy's default budget buys: every lever effect, and the resulting price."""
    names = [f.name for f in fields(LeverEffects)]
    rows = []
    for strategy in STRATEGIES:
        firm = _default_firm(strategy)
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
        f"(no revenue-linked budget) and default lever parameters; list price "
        f"{fmt(spec.price)}, unit cost {fmt(spec.unit_cost)}."
    )
    return note + "\n\n" + _table(header, rows, "l" + "r" * (len(header) - 1))


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
    spend = dict.fromkeys(LEVERS, 0.01)
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
            rows.append(
                [
                    f"`{lever}`",
                    _group(lever),
                    f"`{effect}`",
                    docs.get(effect, ""),
                    ", ".join(f"`{n}`" for n in ceiling) + (f" ({unit})" if unit else ""),
                    ", ".join(f"`{n}`" for n in efficiency),
                    EFFECT_USE.get(effect, "see cxsim.core.model"),
                ]
            )
    return _table(
        ("lever", "group", "effect", "what it is", "ceiling (unit)", "efficiency", "where it acts"),
        rows,
    )


def economic_formulas() -> list[tuple[list[str], str]]:
    """The bullet list of formulas in :mod:`cxsim.core.metrics`' docstring: (measures, text)."""
    doc = inspect.getdoc(metrics) or ""
    bullets: list[str] = []
    for line in doc.splitlines():
        if line.startswith("* "):
            bullets.append(line[2:])
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1] += " " + line.strip()
        elif bullets and not line.strip():
            break
    out = []
    for bullet in bullets:
        names = []
        for span in re.findall(r"``(.+?)``", bullet):
            m = re.match(r"\s*([a-z_]+)\b", span)
            if m and m.group(1) in metrics.METRICS and m.group(1) not in names:
                names.append(m.group(1))
        out.append((names, rst_to_md(bullet)))
    return out


def economics_table() -> str:
    """Economic measures with their formulas, as stated in :mod:`cxsim.core.metrics`' docstring."""
    rows = [(", ".join(f"`{n}`" for n in names), text) for names, text in economic_formulas()]
    return _table(("measures", "definition (from the `cxsim.core.metrics` docstring)"), rows)


def metrics_table() -> str:
    """Every weekly output column of ``Market.to_frame()`` with its unit and meaning."""
    rows = []
    for name in metrics.METRICS:
        if name in rules.STAGES:
            unit, meaning = "customers", f"customers at ladder stage '{name}' with the firm"
        else:
            unit, meaning = METRIC_DOCS.get(
                name, ("", "**undocumented: add to tools.odd.METRIC_DOCS**")
            )
        rows.append((f"`{name}`", unit, meaning))
    return "One row per week and firm (columns `week`, `firm`), then:\n\n" + _table(
        ("column", "unit", "meaning"), rows
    )


def _rule_calls(fn: Callable, seen: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Rules (``self.rules.x``, the rules in force, or ``rules.x``) and firm methods (``firm.x``)
    called by a Market method, following the private helpers it calls on ``self``."""
    seen = seen if seen is not None else set()
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    found_rules: list[str] = []
    found_firm: list[str] = []
    calls = sorted(
        (
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in calls:
        owner = node.func.value
        attr = node.func.attr
        if (
            isinstance(owner, ast.Attribute)
            and owner.attr == "network"
            and isinstance(owner.value, ast.Name)
            and owner.value.id == "self"
        ):
            if f"SocialNetwork.{attr}" not in found_firm:
                found_firm.append(f"SocialNetwork.{attr}")
            continue
        if _is_rules(owner):
            if attr not in found_rules:
                found_rules.append(attr)
            continue
        if not isinstance(owner, ast.Name):
            continue
        if owner.id == "rules" and attr not in found_rules:
            found_rules.append(attr)
        elif owner.id == "firm" and f"Firm.{attr}" not in found_firm and hasattr(Firm, attr):
            found_firm.append(f"Firm.{attr}")
        elif (
            owner.id == "self"
            and attr.startswith("_")
            and attr not in seen
            and callable(getattr(Market, attr, None))
            and attr != "_active"
        ):
            seen.add(attr)
            r, f = _rule_calls(getattr(Market, attr), seen)
            found_rules += [x for x in r if x not in found_rules]
            found_firm += [x for x in f if x not in found_firm]
    return found_rules, found_firm


def _is_rules(node: ast.expr) -> bool:
    """``self.rules`` or ``self.model.rules``: the rules in force (:mod:`cxsim.core.ruleset`)."""
    if not (isinstance(node, ast.Attribute) and node.attr == "rules"):
        return False
    owner = node.value
    if isinstance(owner, ast.Attribute) and owner.attr == "model":
        owner = owner.value
    return isinstance(owner, ast.Name) and owner.id == "self"


def _rules_named(fn: Callable) -> list[str]:
    """Rules a function names in its code (not its docstring): called, or passed on as a
    function (``response=rules.diminishing_returns``), from the module or the rules in force."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    names = set(rule_functions())
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (
            _is_rules(node.value) or isinstance(node.value, ast.Name) and node.value.id == "rules"
        ):
            name = node.attr
        elif isinstance(node, ast.Name):
            name = node.id
        else:
            continue
        if name in names and name not in found:
            found.append(name)
    return found


def schedule() -> list[str]:
    """The sub-processes of one week, in order, as called by :meth:`Market.step`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(Market.step)))
    steps = []
    for node in tree.body[0].body:
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "self"
        ):
            steps.append(node.value.func.attr)
    return steps


def schedule_table() -> str:
    """The weekly cycle: each sub-process, what it does, the rules and firm methods it calls."""
    rows = []
    for i, name in enumerate(schedule(), 1):
        method = getattr(Market, name)
        found_rules, found_firm = _rule_calls(method)
        calls = [f"`{r}`" for r in found_rules] + [f"`{f}`" for f in found_firm]
        rows.append((str(i), f"`Market.{name}`", _first_line(method), ", ".join(calls) or "—"))
    rows.append(
        (
            str(len(rows) + 1),
            "`datacollector.collect`",
            "Record the week's outputs: Mesa's DataCollector reads each firm's `report`, one row "
            "per firm (`cxsim.core.metrics.make_datacollector`).",
            "—",
        )
    )
    return _table(("#", "sub-process", "what happens", "rules and other calls"), rows, "rlll")


def rule_functions() -> list[str]:
    """Public functions defined in :mod:`cxsim.core.rules`, in source order."""
    members = [
        (fn.__code__.co_firstlineno, name)
        for name, fn in inspect.getmembers(rules, inspect.isfunction)
        if fn.__module__ == rules.__name__ and not name.startswith("_")
    ]
    return [name for _, name in sorted(members)]


def rules_table() -> str:
    """Index of every rule, its one-line summary and the weekly sub-processes that call it."""
    callers: dict[str, list[str]] = {}
    for step in schedule():
        for r in _rule_calls(getattr(Market, step))[0]:
            callers.setdefault(r, []).append(f"`{step}`")
    import cxsim.core.firms as firms_module

    for name, fn in inspect.getmembers(firms_module, inspect.isfunction):
        if fn.__module__ == firms_module.__name__:
            for r in _rules_named(fn):
                callers.setdefault(r, []).append(f"`firms.{name}`")
    for name, fn in inspect.getmembers(Firm, inspect.isfunction):
        if fn.__module__ == firms_module.__name__:
            for r in _rules_named(fn):
                callers.setdefault(r, []).append(f"`Firm.{name}`")
    for other in rule_functions():
        src = inspect.getsource(getattr(rules, other))
        body = src.split('"""', 2)[-1]  # skip the docstring
        for r in rule_functions():
            if r != other and re.search(rf"\b{r}\(", body):
                callers.setdefault(r, []).append(f"`rules.{other}`")
    rows = []
    for name in rule_functions():
        fn = getattr(rules, name)
        used = (
            ", ".join(callers.get(name, [])) or "not called by the model (a check or closed form)"
        )
        rows.append((f"`cxsim.core.rules.{name}`", _first_line(fn), used))
    return _table(("rule", "summary", "called by"), rows)


def customer_column_docs() -> dict[str, str]:
    """Column → meaning, parsed from :class:`cxsim.core.customers.CustomerTable`'s docstring."""
    doc = inspect.getdoc(CustomerTable) or ""
    out: dict[str, str] = {}
    current: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^ {4}([a-z_]+(?:, [a-z_]+)*): (.+)$", line)
        if m:
            current = m.group(1).split(", ")
            for name in current:
                out[name] = m.group(2)
        elif current and line.startswith("      ") and line.strip():
            for name in current:
                out[name] += " " + line.strip()
        else:
            current = []
    return {k: rst_to_md(v) for k, v in out.items()}


def columns_table() -> str:
    """Customer state: every column, its shape and type, meaning, and the agent attribute."""
    c = CustomerParams()
    table = CustomerTable.create(
        2,
        1,
        np.random.default_rng(0),
        need_rate=c.need_rate,
        need_rate_shape=c.need_rate_shape,
        need_heterogeneity=c.need_heterogeneity,
        initial_expectation=c.initial_expectation,
        initial_expectation_sd=c.initial_expectation_sd,
        initial_trust=c.initial_trust,
    )
    docs = customer_column_docs()
    rows = []
    for name in CustomerTable.__dataclass_fields__:
        arr = getattr(table, name)
        shape = "(n,)" if arr.ndim == 1 else "(n, F)"
        view = f"`Customer.{name}`" if name in Customer.__dict__ else "—"
        rows.append((f"`{name}`", shape, str(arr.dtype), docs.get(name, ""), view))
    return _table(("column", "shape", "dtype", "meaning", "agent view"), rows)


def stages_table() -> str:
    """The loyalty ladder's stages with their codes."""
    rows = []
    for code, name in enumerate(rules.STAGES):
        active = "yes" if code in rules.ACTIVE_STAGES else "no"
        rows.append((str(code), f"`{name}`", active, STAGE_DOCS.get(name, "")))
    return _table(("code", "stage", "active customer", "meaning"), rows, "rlll")


def networks_table() -> str:
    """The social network generators."""
    rows = [
        (f"`{k}`", NETWORK_DOCS.get(k, "**undocumented: add to tools.odd.NETWORK_DOCS**"))
        for k in NETWORK_KINDS
    ]
    return _table(("network", "structure"), rows)


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
    return _table(("firm", "strategy", "other settings"), rows)


def presets_table() -> str:
    """Bundled presets (data/scenarios/*.toml): what each changes from the default scenario."""
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
    return _table(("preset", "description", "market changes", "firms"), rows)


def derived_quantities() -> list[tuple[str, str, str]]:
    """Quantities implied by the default parameters: (quantity, formula, value)."""
    m, c, n, lv, f = MarketParams(), CustomerParams(), NetworkParams(), LeverParams(), FirmSpec()
    out: list[tuple[str, str, str]] = []

    def add(q: str, formula: str, value: Any) -> None:
        out.append((q, formula, value if isinstance(value, str) else fmt(value)))

    add(
        "trust loss per miss ÷ trust gain per hit",
        "trust_loss / trust_gain",
        c.trust_loss / c.trust_gain,
    )
    t0 = c.initial_trust
    after = float(
        rules.update_trust(
            rules.update_trust(
                np.array([t0]),
                np.array([-10.0]),
                tolerance=c.trust_tolerance,
                gain=c.trust_gain,
                loss=c.trust_loss,
            ),
            np.array([0.0]),
            tolerance=c.trust_tolerance,
            gain=c.trust_gain,
            loss=c.trust_loss,
        )[0]
    )
    add(
        "trust after one miss then one hit, from initial_trust",
        "T0·(1 − loss), then + gain·(1 − T)",
        f"{fmt(after)} (from {fmt(t0)})",
    )
    for label, start in (
        ("initial_trust", c.initial_trust),
        ("initial_customer_trust", c.initial_customer_trust),
    ):
        add(
            f"hits needed to recover one miss, from {label}",
            "`rules.hits_to_recover`",
            rules.hits_to_recover(start, c.trust_gain, c.trust_loss),
        )
    for label, a in (("up", c.expectation_up), ("down", c.expectation_down)):
        add(
            f"half-life of an expectation gap, adapting {label} (purchases)",
            "ln 2 / −ln(1 − α)",
            math.log(2) / -math.log1p(-a) if 0 < a < 1 else math.inf,
        )
    add("mean weeks between needs", "1 / need_rate", 1 / c.need_rate)
    add(
        "coefficient of variation of need rates across customers",
        "1 / √need_rate_shape",
        1 / math.sqrt(c.need_rate_shape),
    )
    add(
        "minor problems voiced without solicitation",
        "voice_minor",
        f"{fmt(c.voice_minor)} (1 in {c.voice_minor**-1:.0f})",
    )
    for strategy in ("none", "balanced", "retention_focus", "customer_intimacy"):
        if strategy not in STRATEGIES:
            continue
        s = _default_firm(strategy).effects.solicitation
        minor = float(
            rules.complaint_probability(
                np.array([-c.disappointment_margin - 1e-9]),
                voice_minor=c.voice_minor,
                voice_serious=c.voice_serious,
                serious_margin=c.serious_margin,
                solicitation=s,
            )[0]
        )
        serious = float(
            rules.complaint_probability(
                np.array([-c.serious_margin - 1.0]),
                voice_minor=c.voice_minor,
                voice_serious=c.voice_serious,
                serious_margin=c.serious_margin,
                solicitation=s,
            )[0]
        )
        add(
            f"complaint probability, minor / serious problem, firm with `{strategy}` split",
            "base + (1 − base)·solicitation",
            f"{fmt(minor)} / {fmt(serious)}",
        )
    for weeks in (0, 1, c.complaint_patience):
        add(
            f"share of damage repaired by a resolution after waiting {weeks} week"
            + ("" if weeks == 1 else "s"),
            "recovery_max · 0.5^(wait / recovery_half_life)",
            float(
                rules.recovery_share(
                    np.array([float(weeks)]), c.recovery_max, c.recovery_half_life
                )[0]
            ),
        )
    add(
        "yearly retention of a content customer (no trust or grudge penalty)",
        "exp(−52·churn_base)",
        math.exp(-52 * c.churn_base),
    )
    zero = c.churn_base + c.churn_trust_sensitivity * c.churn_trust_floor
    add(
        "yearly retention of a customer with zero trust and no grudge",
        "exp(−52·(churn_base + churn_trust_sensitivity·churn_trust_floor))",
        math.exp(-52 * zero),
    )
    add(
        "expected listeners per delighted sender",
        "wom_positive_reach · mean_degree",
        c.wom_positive_reach * n.mean_degree,
    )
    add(
        "expected listeners per seriously disappointed sender",
        "wom_negative_reach · mean_degree",
        c.wom_negative_reach * n.mean_degree,
    )
    add(
        "reach of bad news ÷ reach of good news",
        "wom_negative_reach / wom_positive_reach",
        c.wom_negative_reach / c.wom_positive_reach,
    )
    add(
        "weekly discount rate",
        "(1 + discount_rate)^(1/52) − 1",
        (1 + m.discount_rate) ** (1 / 52) - 1,
    )
    add("Bass p without advertising, per year", "base_reach", f.base_reach)
    add("Bass q, per year", "social_influence", c.social_influence)
    add("gross margin per purchase at list price", "price − unit_cost", f.price - f.unit_cost)
    add(
        "market-wide expectation rise per year",
        "52 · expectation_inflation",
        52 * m.expectation_inflation,
    )
    add(
        "share of a rival's quality gap closed in a year",
        "1 − (1 − imitation_rate)^52",
        1 - (1 - m.imitation_rate) ** 52,
    )
    add(
        "spend per customer per week that reaches 63% of a lever's ceiling",
        "1 / efficiency, e.g. 1 / service_efficiency",
        1 / lv.service_efficiency,
    )
    return out


def derived_table() -> str:
    """Markdown table of :func:`derived_quantities`."""
    return _table(("quantity", "formula", "default"), derived_quantities(), "llr")


# --------------------------------------------------------------------------------------------
# Ideas: resolution against the code
# --------------------------------------------------------------------------------------------


def resolve(carrier: str) -> str | None:
    """The code name a typed carrier refers to, or ``None`` if the code has no such thing."""
    kind, _, name = carrier.partition(":")
    if kind == "rule":
        return f"`cxsim.core.rules.{name}`" if name in rule_functions() else None
    if kind == "param":
        section = all_parameters().get(name)
        return f"`{section}.{name}`" if section else None
    if kind == "lever":
        return f"lever `{name}`" if name in LEVERS else None
    if kind == "strategy":
        return f"strategy `{name}`" if name in STRATEGIES else None
    if kind == "metric":
        return f"output `{name}`" if name in metrics.METRICS else None
    if kind == "step":
        return f"`Market.{name}`" if callable(getattr(Market, name, None)) else None
    if kind == "effect":
        return f"`LeverEffects.{name}`" if name in {f.name for f in fields(LeverEffects)} else None
    if kind == "column":
        return f"column `{name}`" if name in CustomerTable.__dataclass_fields__ else None
    if kind == "stage":
        return f"stage `{name}`" if name in rules.STAGES else None
    return None


def ideas_table(which: str) -> str:
    """The ideas of the design brief (``design``) or the seeds (``seeds``) mapped to code."""
    ideas = {"design": DESIGN_IDEAS, "seeds": SEED_IDEAS}[which]
    rows = []
    for idea in ideas:
        names = [resolve(c) or f"**{c} (not in the code)**" for c in idea.carriers]
        rows.append((idea.idea, idea.seed, ", ".join(names), idea.how))
    return _table(("idea", "seed", "carried by", "how"), rows)


# --------------------------------------------------------------------------------------------
# Rendering docs/ODD.md
# --------------------------------------------------------------------------------------------

GENERATORS: dict[str, Callable[..., str]] = {
    "params": parameter_table,
    "strategies": strategy_table,
    "effects": effects_table,
    "levers": levers_table,
    "economics": economics_table,
    "metrics": metrics_table,
    "schedule": schedule_table,
    "rules": rules_table,
    "columns": columns_table,
    "stages": stages_table,
    "networks": networks_table,
    "firms": firms_table,
    "presets": presets_table,
    "derived": derived_table,
    "ideas": ideas_table,
}

_MARKER = re.compile(
    r"<!-- (?P<name>[a-z_]+)(?::(?P<arg>[a-z_]+))? -->\n.*?<!-- /(?P=name) -->", re.DOTALL
)


def generate(name: str, arg: str | None = None) -> str:
    """The generated content for one marker."""
    if name not in GENERATORS:
        raise ValueError(f"unknown marker {name!r}; known: {', '.join(GENERATORS)}")
    fn = GENERATORS[name]
    return fn(arg) if arg is not None else fn()


def render_text(text: str) -> str:
    """``text`` with every marked block replaced by freshly generated content."""

    def fill(m: re.Match) -> str:
        name, arg = m.group("name"), m.group("arg")
        opening = f"<!-- {name}:{arg} -->" if arg else f"<!-- {name} -->"
        return f"{opening}\n{generate(name, arg).rstrip()}\n<!-- /{name} -->"

    return _MARKER.sub(fill, text)


def render_odd(template_path: str | Path = ODD_PATH) -> str:
    """Read ``template_path`` (docs/ODD.md) and return it with every generated table refreshed."""
    return render_text(Path(template_path).read_text(encoding="utf-8"))


def strip_generated(text: str) -> str:
    """``text`` without its generated blocks: the hand-written prose only."""
    return _MARKER.sub("", text)


def markers(text: str) -> list[str]:
    """The markers used in ``text`` (``name`` or ``name:arg``)."""
    return [
        m.group("name") + (f":{m.group('arg')}" if m.group("arg") else "")
        for m in _MARKER.finditer(text)
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.odd [--check] [PATH]``: rewrite docs/ODD.md (or check it is current)."""
    parser = argparse.ArgumentParser(prog="python -m tools.odd", description=__doc__.split("\n")[0])
    parser.add_argument(
        "path", nargs="?", default=str(ODD_PATH), help="the ODD file (default: docs/ODD.md)"
    )
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if out of date")
    args = parser.parse_args(argv)
    path = Path(args.path)
    old = path.read_text(encoding="utf-8")
    new = render_odd(path)
    if args.check:
        if new != old:
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), str(path), "regenerated"
                )
            )
            print(f"\n{path} is out of date: run `python -m tools.odd`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if new != old:
        path.write_text(new, encoding="utf-8")
        print(f"rewrote {path}")
    else:
        print(f"{path} already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
