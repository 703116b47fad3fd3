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

The tables read the code's own declarations: every parameter's default, unit, range, meaning and
source (:func:`cxsim.params.declare.P`), every output's unit and meaning
(:data:`cxsim.core.metrics.METRIC_INFO`), the rules and the weekly cycle (read from their
source). What cannot be read from the code is kept as data in :mod:`tools.odd_data` and checked by
the tests: which rule or parameter carries each idea of the design brief and of the seed articles,
and short meanings of stages, network kinds and where each lever effect acts.

The generators, by concept: :mod:`tools.odd_params` (parameters, strategies, levers, firms,
presets), :mod:`tools.odd_model` (weekly cycle, rules, outputs, customer state, ideas → code),
:mod:`tools.odd_derived` (quantities implied by the defaults), :mod:`tools.odd_md` (Markdown
cells and numbers); this module renders the document and is the command line.

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
import difflib
import re
import sys
from collections.abc import Callable
from pathlib import Path

from tools.odd_derived import derived_table
from tools.odd_model import (
    columns_table,
    economics_table,
    ideas_table,
    metrics_table,
    networks_table,
    rules_table,
    schedule_table,
    stages_table,
)
from tools.odd_params import (
    effects_table,
    firms_table,
    levers_table,
    parameter_table,
    presets_table,
    strategy_table,
)

#: The document this module keeps up to date.
ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


#: Marker name → the function that generates its block (given the argument after the colon).
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
