"""Rivals that respond: iterated best response over the firms' budget allocations.

A firm's best allocation (:func:`cxsim.experiments.optimize`) assumes its rivals stand still.
They need not: a rival that sees the focal firm move may move too. :func:`equilibrium` lets the
firms take turns, each choosing its best response to the others' current allocations (a
Gauss–Seidel round of best responses, each an :func:`~cxsim.experiments.optimize` search on the
same seeds), until a whole round moves no lever share by more than ``tolerance`` (the
allocations are then a Nash equilibrium of the simulated game, up to the tolerance and the
search's noise) or ``rounds`` is reached. Iterated best response is the standard way to compute
equilibria of simulated or estimated games when no closed form exists (Fudenberg & Levine 1998
on learning in games; Vorobeychik & Wellman 2008 on simulation-based games); it need not
converge, and the result says whether it did.

Each firm's *one-sided* optimum, its best response when every other firm keeps its allocation
as given, is reported next to its value at the end: the gap between the two is what a manager
who assumes the rival stands still gets wrong.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxsim.experiments.designs import ScenarioLike
from cxsim.experiments.executors import make_executor
from cxsim.experiments.optimize import (
    OptimizeResult,
    SearchOptions,
    _acq,
    _bar,
    _firm_position,
    _interval,
    _optimize,
    _prepare_out,
    _Runner,
    _settings,
    _shares,
    _spec,
    _Values,
    _with,
)
from cxsim.experiments.resources import check_runs
from cxsim.experiments.run import RulesLike, _ruleset
from cxsim.experiments.seeds import _check_int, replication_seeds
from cxsim.params import LEVERS, Scenario, ScenarioError, resolve_scenario
from cxsim.params.declare import show

__all__ = ["EquilibriumResult", "equilibrium"]


@dataclass
class EquilibriumResult:
    """What :func:`equilibrium` found.

    Attributes:
        allocations: one row per round and firm: ``round`` (0: as given), ``firm``,
            ``acquisition_share``, ``share.<lever>`` for every lever, ``budget`` (currency per
            year), ``moved`` (the largest change of one lever's share, or of the budget relative
            to the previous one, since the firm's previous allocation).
        converged: whether a whole round moved nothing by more than the tolerance.
        rounds: rounds run.
        values: one row per firm at the final allocations: ``firm``, ``value`` (NPV plus
            terminal customer equity, currency, mean over fresh seeds), ``low``, ``high`` (95% t
            interval), ``acquisition_share``, and the firm's one-sided optimum against the
            market as given: ``one_sided``, ``one_sided_low``, ``one_sided_high``,
            ``one_sided_acquisition_share``.
        scenario: the scenario at the final allocations.
        steps: the :class:`~cxsim.experiments.optimize.OptimizeResult` of every best response,
            in order.
        settings: what was run (seeds, replications, weeks, tolerance).
    """

    allocations: pd.DataFrame
    converged: bool
    rounds: int
    values: pd.DataFrame
    scenario: Scenario
    steps: list[OptimizeResult]
    settings: dict[str, Any]


def equilibrium(
    scenario: ScenarioLike = None,
    firms: Sequence[str] | None = None,
    *,
    rounds: int = 4,
    tolerance: float = 0.05,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    executor: Any = None,
    workers: int | None = None,
    rules: RulesLike = None,
    **search: Any,
) -> EquilibriumResult:
    """The firms take turns best-responding to each other's allocations until none moves.

    Args:
        scenario: the market (:class:`Scenario`, TOML path or preset name; default: the default
            market).
        firms: the firms that respond, in turn order (default: every firm).
        rounds: most rounds (each firm responds once per round).
        tolerance: largest change of one lever's share (a share of the budget; with a searched
            budget, also its relative change) that still counts as not moving.
        out: folder for the value of every run (``runs.csv``), shared by all the searches.
        resume, progress, executor, workers, rules: as in :func:`~cxsim.experiments.optimize`.
        **search: options of each best-response search (:class:`SearchOptions`: ``space``,
            ``levers``, ``trials``, ``replications``, ``confirm``, ``seed``, ``weeks``, ...);
            the marginal values are not computed (``marginal_step`` 0) unless asked for.

    Returns:
        An :class:`EquilibriumResult`.
    """
    cfg = resolve_scenario(scenario)
    order = list(firms) if firms is not None else [f.name for f in cfg.firms]
    if not order:
        raise ScenarioError("firms: give at least one firm")
    for name in order:
        _firm_position(cfg, name)
    if len(set(order)) != len(order):
        raise ScenarioError(f"firms: {show(order)} names a firm twice")
    rounds = _check_int("rounds", rounds, low=1)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not 0.0 < float(tolerance) <= 1.0
    ):
        raise ScenarioError(f"tolerance: {show(tolerance)} is not a share in (0, 1]")
    opts = SearchOptions.from_kwargs({"marginal_step": 0.0, **search}, "the best-response search")
    settings = {name: _settings(cfg, name, opts) for name in order}
    per_search = max(s["runs"] for s in settings.values())
    # at most: every firm in every round, the other firms' one-sided searches, the final values
    total = per_search * len(order) * (rounds + 1) + len(order) * opts.confirm
    check_runs(total, opts.replications, force=opts.force)
    out_dir = _prepare_out(out, resume)
    ex, close = make_executor(executor, workers=workers, force=opts.force)
    weeks = settings[order[0]]["weeks"]
    bar = _bar(total, progress, "equilibrium")
    try:
        runner = _Runner(ex, weeks, _ruleset(rules), _Values(out_dir, resume), bar)
        return _iterate(cfg, order, rounds, float(tolerance), opts, runner, weeks)
    finally:
        bar.close()
        close()


def _iterate(
    cfg: Scenario,
    order: list[str],
    rounds: int,
    tolerance: float,
    opts: SearchOptions,
    runner: _Runner,
    weeks: int,
) -> EquilibriumResult:
    steps: list[OptimizeResult] = []
    one_sided: dict[str, OptimizeResult] = {}
    rows = [_row(0, name, cfg, math.nan) for name in order]
    current = cfg
    converged = False
    done = 0
    for r in range(1, rounds + 1):
        largest = 0.0
        for name in order:
            before = _spec(current, name)
            result = _optimize(current, _settings(current, name, opts), runner, presets=False)
            steps.append(result)
            if r == 1 and name == order[0]:  # the first firm moves against the market as given
                one_sided[name] = result
            moved = max(abs(result.best_allocation[lv] - before.shares()[lv]) for lv in LEVERS)
            if before.budget > 0:
                moved = max(moved, abs(result.best_budget / before.budget - 1.0))
            largest = max(largest, moved)
            current = _adopt(current, name, result)
            rows.append(_row(r, name, current, moved))
        done = r
        if largest <= tolerance:
            converged = True
            break
    for name in order[1:]:  # the others' one-sided optima, also against the market as given
        one_sided[name] = _optimize(cfg, _settings(cfg, name, opts), runner, presets=False)

    fresh = replication_seeds(opts.seed, opts.replications + opts.confirm)[opts.replications :]
    final = runner.evaluate([(current, name, fresh) for name in order])
    values = []
    for name, v in zip(order, final, strict=True):
        mean, _, low, high = _interval(v)
        alone = one_sided[name]
        values.append(
            {
                "firm": name,
                "value": mean,
                "low": low,
                "high": high,
                "acquisition_share": _acq(current, name),
                "one_sided": alone.best_value,
                "one_sided_low": alone.best_interval[0],
                "one_sided_high": alone.best_interval[1],
                "one_sided_acquisition_share": alone.best_acquisition_share,
            }
        )
    return EquilibriumResult(
        allocations=pd.DataFrame(rows),
        converged=converged,
        rounds=done,
        values=pd.DataFrame(values),
        scenario=current,
        steps=steps,
        settings={
            "seed": opts.seed,
            "replications": opts.replications,
            "confirm": opts.confirm,
            "trials": opts.trials,
            "space": opts.space,
            "weeks": weeks,
            "tolerance": tolerance,
            "firms": order,
        },
    )


def _adopt(sc: Scenario, firm: str, result: OptimizeResult) -> Scenario:
    """``sc`` with ``firm`` at the allocation and budget ``result`` found."""
    spec = _spec(result.scenario, firm)
    return _with(
        sc,
        firm,
        {
            f"firms.{firm}.strategy": spec.strategy,
            f"firms.{firm}.allocation": spec.allocation,
            f"firms.{firm}.acquisition_share": spec.acquisition_share,
            f"firms.{firm}.budget": spec.budget,
        },
    )


def _row(r: int, firm: str, sc: Scenario, moved: float) -> dict[str, Any]:
    spec = _spec(sc, firm)
    return {
        "round": r,
        "firm": firm,
        "acquisition_share": _acq(sc, firm),
        **{f"share.{lv}": s for lv, s in _shares(sc, firm).items()},
        "budget": spec.budget,
        "moved": moved,
    }
