"""Every parameter once: default, unit, range and source; strategies; scenarios from TOML.

A scenario is data, never code. The package is laid out by concept, lowest first:

* :mod:`cxsim.params.declare`: :func:`P` (how a parameter is declared), :class:`ScenarioError`,
  the vocabulary of sources, and the check of a value against its declaration;
* :mod:`cxsim.params.customers`, :mod:`cxsim.params.levers`, :mod:`cxsim.params.sections`: the
  scalar sections ``customers``, ``levers`` (with the levers and their groups), ``market`` and
  ``network``, and the lookup of a parameter by flat or dotted name;
* :mod:`cxsim.params.strategies`: strategy presets, :class:`FirmSpec` and the default firms;
* :mod:`cxsim.params.scenario`: :class:`Scenario`, overrides and :func:`typed_overrides`;
* :mod:`cxsim.params.files`: TOML files, the bundled presets (package data under
  ``cxsim/params/presets``, loaded by :func:`preset` from a checkout and a wheel alike) and
  :func:`resolve_scenario`;
* :mod:`cxsim.params.limits`: how much one request may ask of the machine (replications, points,
  runs, steps, workers, memory, file sizes), declared once for the command line and the API.

Nothing here imports :mod:`cxsim.core` or any layer above it.
"""

from cxsim.params.customers import CustomerParams
from cxsim.params.declare import P, ScenarioError
from cxsim.params.files import (
    load_scenario,
    preset,
    preset_dir,
    preset_names,
    resolve_scenario,
    scenario_from_toml,
)
from cxsim.params.levers import (
    ACQUISITION_LEVERS,
    DISCOUNT_LEVERS,
    LEVER_AUDIENCE,
    LEVERS,
    RETENTION_LEVERS,
    LeverParams,
)
from cxsim.params.limits import ResourceError
from cxsim.params.scenario import Scenario, scenario_from_dict, typed_overrides
from cxsim.params.sections import (
    NETWORK_KINDS,
    SECTIONS,
    MarketParams,
    NetworkParams,
    parameter_names,
)
from cxsim.params.strategies import DEFAULT_FIRMS, STRATEGIES, FirmSpec

__all__ = [
    "ACQUISITION_LEVERS",
    "DISCOUNT_LEVERS",
    "DEFAULT_FIRMS",
    "LEVER_AUDIENCE",
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
    "ResourceError",
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
