"""Experimental designs: which scenarios and which parameter points an experiment runs.

Why a module of its own: everything that decides *what* runs (not how or where) is checked here,
before a single run starts, so that a typo in a grid or two scenarios with the same name fail in
one line instead of after an hour of computing. A design is one of:

* a grid, ``{"customers.wom_negative_reach": [0.1, 0.3], "firms.focal.budget": [10400, 20800]}``
  (every combination, the last key varying fastest);
* a list of override dicts, one per point;
* a SALib sample: ``(X, names)`` with ``X`` an ``(n_points, n_params)`` array, or ``X`` with
  ``names=``; or a DataFrame whose columns are parameter names.

Parameter names are those of :meth:`cxsim.params.Scenario.with_overrides`.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.metrics import METRICS
from cxsim.experiments.frames import ID_COLUMNS
from cxsim.experiments.seeds import _check_int
from cxsim.params import MarketParams, Scenario, ScenarioError, resolve_scenario
from cxsim.params.declare import field_of
from cxsim.params.limits import MAX_POINTS, check_count

__all__ = ["ScenarioLike", "sweep_points"]

#: What an experiment accepts as a scenario: an object, a TOML path or a preset name.
ScenarioLike = Scenario | str | os.PathLike


def sweep_points(
    design: Any, *, names: Sequence[str] | None = None, force: bool = False
) -> list[dict[str, Any]]:
    """The design as a list of override dicts (see :func:`cxsim.experiments.sweep`).

    More than :data:`~cxsim.params.limits.MAX_POINTS` points raise a one-line
    :class:`~cxsim.params.ResourceError` (a grid is counted before it is built) unless
    ``force``.
    """
    if isinstance(design, pd.DataFrame):
        check_count("design", len(design), MAX_POINTS, force=force)
        return [{k: _plain(v) for k, v in row.items()} for row in design.to_dict("records")]
    if isinstance(design, Mapping):
        keys = list(design)
        values = []
        for k in keys:
            v = design[k]
            if isinstance(v, str | bytes) or not isinstance(v, Iterable):
                raise ScenarioError(f"{k}: grid values must be a list, got {_short(v)}")
            v = [_plain(x) for x in v]
            if not v:
                raise ScenarioError(f"{k}: grid needs at least one value")
            values.append(v)
        check_count("grid points", math.prod(len(v) for v in values), MAX_POINTS, force=force)
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
    if (
        isinstance(design, tuple | list)
        and len(design) == 2
        and isinstance(design[0], np.ndarray)
        and names is None
    ):
        design, names = design
    if isinstance(design, np.ndarray):
        if names is None:
            raise ScenarioError("design: a sample array needs parameter names (names=[...])")
        x = np.atleast_2d(np.asarray(design, dtype=float))
        check_count("design", x.shape[0], MAX_POINTS, force=force)
        names = [str(n) for n in names]
        if x.shape[1] != len(names):
            raise ScenarioError(
                f"design: sample has {x.shape[1]} columns but {len(names)} names were given"
            )
        return [{n: float(v) for n, v in zip(names, row, strict=True)} for row in x]
    if isinstance(design, Iterable) and not isinstance(design, str | bytes):
        points = list(design)
        check_count("design", len(points), MAX_POINTS, force=force)
        for i, p in enumerate(points):
            if not isinstance(p, Mapping):
                raise ScenarioError(
                    f"design[{i}]: {_short(p)} is not a dict of parameter overrides"
                )
        return [{k: _plain(v) for k, v in p.items()} for p in points]
    raise ScenarioError(
        f"design: {type(design).__name__} is not a grid dict, a list of dicts or a sample array"
    )


def _label_scenarios(scenarios: Any) -> dict[str, Scenario]:
    """``{label: Scenario}`` from one scenario, a list (labelled by name) or a mapping."""
    if isinstance(scenarios, Scenario | str | os.PathLike):
        scenarios = [scenarios]
    if isinstance(scenarios, Mapping):
        labelled = {str(k): resolve_scenario(v) for k, v in scenarios.items()}
    else:
        labelled = {}
        for item in scenarios:
            sc = resolve_scenario(item)
            if sc.name in labelled:
                raise ScenarioError(
                    f"scenarios: two scenarios are named {sc.name!r}; give them distinct names "
                    "or pass a dict {label: scenario}"
                )
            labelled[sc.name] = sc
    if not labelled:
        raise ScenarioError("scenarios: at least one scenario is needed")
    return labelled


def _check_weeks(weeks: Any) -> int | None:
    """``weeks`` of an experiment: ``None`` (each scenario's own) or a whole number in the
    range the parameter registry declares for ``market.weeks`` (as on the command line)."""
    if weeks is None:
        return None
    meta = field_of(MarketParams, "weeks").metadata
    return _check_int("weeks", weeks, low=int(meta["low"]), high=int(meta["high"]))


def _param_columns(points: list[dict[str, Any]]) -> dict[str, str]:
    """Column name of each swept parameter; ``param.`` in front of one that would clash with an
    identifying or metric column."""
    reserved = {"point", *ID_COLUMNS, *METRICS}
    keys = list(dict.fromkeys(k for p in points for k in p))
    return {k: (f"param.{k}" if k in reserved else k) for k in keys}


def _short(value: Any) -> str:
    from cxsim.params.declare import show

    return show(value)


def _plain(value: Any) -> Any:
    """NumPy scalars to Python scalars (TOML-like values the scenario validator understands)."""
    if isinstance(value, np.generic):
        return value.item()
    return value
