"""Tables read from the model's code: the weekly cycle, the rules, outputs and customer state.

The schedule and the rules index are read from the source of :meth:`cxsim.core.model.Market.step`
and the methods it calls (rules are called as ``self.rules.x``, the rules in force); outputs from
:data:`cxsim.core.metrics.METRIC_INFO` and the formulas of :mod:`cxsim.core.metrics`' docstring;
customer columns from :class:`cxsim.core.customers.CustomerTable`'s docstring. The ideas tables
map the ideas of :mod:`tools.odd_data` to code names, each checked to exist (:func:`resolve`).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import fields

import numpy as np

from cxsim.core import metrics, rules
from cxsim.core.customers import Customer, CustomerTable
from cxsim.core.firms import Firm, LeverEffects
from cxsim.core.model import Market
from cxsim.core.network import NETWORK_KINDS
from cxsim.params import (
    LEVERS,
    STRATEGIES,
    CustomerParams,
)
from tools.odd_data import (
    DESIGN_IDEAS,
    NETWORK_DOCS,
    SEED_IDEAS,
    STAGE_DOCS,
)
from tools.odd_md import first_line, rst_to_md, table
from tools.odd_params import all_parameters


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
    return table(("measures", "definition (from the `cxsim.core.metrics` docstring)"), rows)


def metrics_table() -> str:
    """Every weekly output column of ``Market.to_frame()`` with its unit and meaning, as declared
    in :data:`cxsim.core.metrics.METRIC_INFO` (the one registry of outputs)."""
    rows = [(f"`{m.name}`", m.unit, m.meaning) for m in metrics.METRIC_INFO.values()]
    return "One row per week and firm (columns `week`, `firm`), then:\n\n" + table(
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
        rows.append((str(i), f"`Market.{name}`", first_line(method), ", ".join(calls) or "—"))
    rows.append(
        (
            str(len(rows) + 1),
            "`datacollector.collect`",
            "Record the week's outputs: Mesa's DataCollector reads each firm's `report`, one row "
            "per firm (`cxsim.core.metrics.make_datacollector`).",
            "—",
        )
    )
    return table(("#", "sub-process", "what happens", "rules and other calls"), rows, "rlll")


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
        rows.append((f"`cxsim.core.rules.{name}`", first_line(fn), used))
    return table(("rule", "summary", "called by"), rows)


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
    state = CustomerTable.create(
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
        arr = getattr(state, name)
        shape = "(n,)" if arr.ndim == 1 else "(n, F)"
        view = f"`Customer.{name}`" if name in Customer.__dict__ else "—"
        rows.append((f"`{name}`", shape, str(arr.dtype), docs.get(name, ""), view))
    return table(("column", "shape", "dtype", "meaning", "agent view"), rows)


def stages_table() -> str:
    """The loyalty ladder's stages with their codes."""
    rows = []
    for code, name in enumerate(rules.STAGES):
        active = "yes" if code in rules.ACTIVE_STAGES else "no"
        rows.append((str(code), f"`{name}`", active, STAGE_DOCS.get(name, "")))
    return table(("code", "stage", "active customer", "meaning"), rows, "rlll")


def networks_table() -> str:
    """The social network generators."""
    rows = [
        (
            f"`{k}`",
            NETWORK_DOCS.get(k, "**undocumented: add to NETWORK_DOCS in tools/odd_data.py**"),
        )
        for k in NETWORK_KINDS
    ]
    return table(("network", "structure"), rows)


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
    return table(("idea", "seed", "carried by", "how"), rows)
