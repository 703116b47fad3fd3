"""The scalar sections of a scenario and the lookup of a parameter by name.

A scenario has four sections of scalar parameters (``market``, ``customers``, ``network``,
``levers``; :data:`SECTIONS`) and a list of firms. Field names are unique across sections, so
``Market(n_customers=500)`` and ``--set customers.n_customers=500`` name the same thing
(:func:`locate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from cxsim.params.customers import CustomerParams
from cxsim.params.declare import CAL, P, ScenarioError, show, suggest
from cxsim.params.levers import LeverParams

#: Kinds of social network the market can be built on (see :mod:`cxsim.core.network`).
NETWORK_KINDS: tuple[str, ...] = (
    "watts_strogatz",
    "barabasi_albert",
    "erdos_renyi",
    "complete",
    "ring_lattice",
)


@dataclass(frozen=True)
class MarketParams:
    """The market as a whole: time, money and what happens to everyone at once."""

    weeks: int = P(
        260, "weeks", 1, 5200, "default run length", source="modelling choice (run length)"
    )
    dt: float = P(
        1.0,
        "weeks per step",
        0.01,
        52.0,
        "step length; rates are per week and scale with it",
        source="modelling choice; rates are hazards discretised exactly, so results converge as dt shrinks (Rand & Rust 2011)",
    )
    discount_rate: float = P(
        0.10,
        "per year",
        0.0,
        1.0,
        "discount rate for NPV and CLV",
        source="modelling choice (a cost of capital); discounting as in CLV, Gupta & Lehmann 2003",
    )
    expectation_inflation: float = P(
        0.002,
        "quality units per week",
        0.0,
        1.0,
        "market-wide rise of every standard ('should' expectation) experiences are judged "
        "against (competitors and other industries raise the bar)",
        source="form: rising expectations (seed 000; Oliver 1980 expectations as comparison "
        "standard; normative 'should' expectations, Boulding, Kalra, Staelin & Zeithaml 1993); "
        + CAL,
    )
    imitation_rate: float = P(
        0.02,
        "per week",
        0.0,
        1.0,
        "share of a rival's quality lead that imitation closes each week",
        source="form: rivals imitate and erode a product lead (seed 004), partial adjustment toward the leader; "
        + CAL,
    )
    outside_utility: float = P(
        1.5,
        "utility",
        -math.inf,
        math.inf,
        "utility of buying from no modelled firm (the rest of the market); -inf switches it off",
        source="form: outside option of the multinomial logit (McFadden 1974); " + CAL,
        infinite=(-math.inf,),
    )


@dataclass(frozen=True)
class NetworkParams:
    """Who talks to whom."""

    network: str = P(
        "watts_strogatz",
        "-",
        doc="social network generator",
        choices=NETWORK_KINDS,
        source="Watts & Strogatz 1998 small world by default; Barabási & Albert 1999; Erdős & Rényi 1959; complete network for Bass docking (Bass 1969)",
    )
    mean_degree: float = P(
        10.0,
        "contacts",
        1.0,
        1000.0,
        "mean number of contacts",
        source="modelling choice (design brief: mean degree 10)",
    )
    rewire_prob: float = P(
        0.1,
        "probability",
        0.0,
        1.0,
        "Watts–Strogatz rewiring probability",
        source="Watts & Strogatz 1998 (small-world regime); value modelling choice",
    )


#: The scalar sections of a scenario, by name (the TOML tables and the dotted-name prefixes).
SECTIONS: dict[str, type] = {
    "market": MarketParams,
    "customers": CustomerParams,
    "network": NetworkParams,
    "levers": LeverParams,
}


_FLAT: dict[str, str] = {f.name: s for s, cls in SECTIONS.items() for f in fields(cls)}


def parameter_names() -> list[str]:
    """All dotted scalar parameter names."""
    return [f"{s}.{n}" for n, s in _FLAT.items()]


def locate(key: str) -> tuple[str, str]:
    """``(section, name)`` of a flat (``n_customers``) or dotted (``customers.n_customers``) name."""
    if "." in key:
        section, name = key.split(".", 1)
        if section not in SECTIONS:
            raise ScenarioError(
                f"{key}: unknown section {show(section)}{suggest(section, list(SECTIONS) + ['firms'])}; "
                f"sections are {', '.join(list(SECTIONS) + ['firms'])}"
            )
        if name not in {f.name for f in fields(SECTIONS[section])}:
            options = [f.name for f in fields(SECTIONS[section])]
            raise ScenarioError(f"{key}: unknown parameter {show(name)}{suggest(name, options)}")
        return section, name
    if key not in _FLAT:
        raise ScenarioError(f"{key}: unknown parameter{suggest(key, list(_FLAT))}")
    return _FLAT[key], key
