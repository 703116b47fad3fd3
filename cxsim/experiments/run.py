"""Experiments: replications on common random numbers, comparisons, sweeps; running their tasks.

A single run of a stochastic model answers nothing; this module runs many, in parallel, and keeps
them. Every experiment returns the tidy frame of :mod:`cxsim.experiments.frames`, one row per
run × firm × week.

Why these live together: an experiment is a list of tasks (labels, scenario, seed, weeks, rules);
:func:`compare`, :func:`replicate` and :func:`sweep` differ only in how they build that list, and
running it is one function, ``_execute``, that they share. It stands on one module per concept:
:mod:`~cxsim.experiments.seeds` (common random numbers), :mod:`~cxsim.experiments.designs`
(scenarios and parameter points), :mod:`~cxsim.experiments.executors` (where runs go),
:mod:`~cxsim.experiments.store` (the Parquet run store behind ``out=`` and ``resume=``),
:mod:`~cxsim.experiments.failures` (runs that raise), :mod:`~cxsim.experiments.frames` (the
result frame) and :mod:`~cxsim.experiments.summary` (means, intervals, paired differences).

Every run goes through :func:`run_one`, looked up in this module when it is called, so a run can
be replaced here (the tests make runs fail this way). Its files are named by :func:`run_key`, a
content hash that includes :func:`model_digest`, so a store never mixes model versions.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.core.ruleset import RuleLike, Rules
from cxsim.experiments.designs import (
    ScenarioLike,
    _check_weeks,
    _label_scenarios,
    _param_columns,
    sweep_points,
)
from cxsim.experiments.executors import make_executor
from cxsim.experiments.failures import (
    RunFailedWarning,
    RunsFailedError,
    _format_error,
    _report,
)
from cxsim.experiments.frames import _assemble, _finish
from cxsim.experiments.resources import check_resources, check_runs
from cxsim.experiments.seeds import _check_int, replication_seeds
from cxsim.experiments.store import _json_default, _Store
from cxsim.params import Scenario, typed_overrides

__all__ = [
    "RunFailedWarning",
    "RunsFailedError",
    "compare",
    "model_digest",
    "replicate",
    "run_key",
    "run_one",
    "sweep",
]

RulesLike = Rules | Mapping[str, RuleLike] | None


# --------------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------------


def run_one(
    scenario: Scenario, seed: int, weeks: int | None = None, rules: Rules | None = None
) -> pd.DataFrame:
    """Run one market and return its tidy frame (one row per week × firm).

    A top-level function so any executor can pickle it. Customers stay columns only
    (``customer_agents=False``): no Mesa agent per customer, which only teaching needs.
    ``rules`` swaps behavioural rules (:mod:`cxsim.core.ruleset`); they travel to workers by
    their qualified names.
    """
    from cxsim.core.model import Market  # imported here so worker start-up stays light

    market = Market(scenario, rng=int(seed), customer_agents=False, rules=rules)
    return market.run(_check_weeks(weeks))


@functools.cache
def model_digest() -> str:
    """Hash of the model's source code (:mod:`cxsim.core` and :mod:`cxsim.params`), so that
    ``resume`` never reuses runs made by a different version of the model. The tooling around
    the model (experiments, plots, dashboard, command line) does not enter it."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for layer in ("core", "params"):
        for path in sorted((package / layer).glob("*.py")):
            h.update(f"{layer}/{path.name}".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def run_key(scenario: Scenario, seed: int, weeks: int, rules: RulesLike = None) -> str:
    """Content hash naming a run's files: same model code, scenario dict, seed, weeks and rules
    in force → same key. A swapped rule enters by its qualified name and a hash of its source
    (:meth:`cxsim.core.ruleset.Rules.identity`), so runs of two theories never share a key."""
    content: dict[str, Any] = {
        "scenario": scenario.to_dict(),
        "seed": int(seed),
        "weeks": int(weeks),
        "model": model_digest(),
    }
    swapped = Rules(rules).identity()
    if swapped:
        content["rules"] = swapped
    payload = json.dumps(content, sort_keys=True, default=_json_default)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


# --------------------------------------------------------------------------------------------
# the public experiments
# --------------------------------------------------------------------------------------------


def compare(
    scenarios: Iterable[ScenarioLike] | Mapping[str, ScenarioLike],
    *,
    replications: int = 30,
    seed: int = 0,
    weeks: int | None = None,
    executor: Any = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    rules: RulesLike = None,
    force: bool = False,
) -> pd.DataFrame:
    """Run every scenario ``replications`` times on common random numbers.

    Args:
        scenarios: :class:`Scenario` objects, TOML paths or preset names; or a mapping from a label
            to one of those (labels name the ``scenario`` column; by default the scenario's name).
        replications: runs per scenario; replication ``i`` uses the same seed in every scenario.
        seed: master seed (see :func:`replication_seeds`).
        weeks: run length; default each scenario's ``market.weeks``.
        executor: ``None`` (local processes, one per core), ``"serial"``, a Dask address, a
            ``distributed.Client`` or any :class:`concurrent.futures.Executor`; see
            :func:`~cxsim.experiments.make_executor` (whose result may be passed here, e.g. to
            cap the workers of the local pool).
        out: folder for the fault-tolerant run store (:mod:`cxsim.experiments.store`).
        resume: skip runs already stored under ``out``.
        progress: show a tqdm progress bar.
        rules: behavioural rules to swap, by name (``{"update_trust": "pkg.mod:func"}`` or
            functions; see :mod:`cxsim.core.ruleset`), in every run. On worker processes or
            Dask they must be importable module-level functions.
        force: run even when the resource estimate is over a limit of
            :mod:`cxsim.params.limits` (replications, runs, steps, memory).

    Returns:
        One row per scenario × replication × firm × week: ``scenario, replication, seed, firm,
        week`` and every metric. ``scenario`` is categorical in the order given.

    Raises:
        ResourceError: (one line, before anything runs or is written) when the estimate is
            over a limit and not ``force``.
    """
    labelled = _label_scenarios(scenarios)
    weeks = _check_weeks(weeks)
    replications = _check_int("replications", replications, low=1)
    check_runs(len(labelled) * replications, replications, force=force)
    seeds = replication_seeds(seed, replications)
    check_resources(
        [(sc, weeks, replications) for sc in labelled.values()], executor=executor, force=force
    )
    ruleset = _ruleset(rules)
    tasks = [
        _Task(
            labels={"scenario": label, "replication": i, "seed": s},
            scenario=sc,
            seed=s,
            weeks=weeks if weeks is not None else sc.market.weeks,
            rules=ruleset,
        )
        for label, sc in labelled.items()
        for i, s in enumerate(seeds)
    ]
    frame = _execute(tasks, executor=executor, out=out, resume=resume, progress=progress)
    return _finish(frame, {"scenario": list(labelled)})


def replicate(
    scenario: ScenarioLike,
    *,
    replications: int = 30,
    seed: int = 0,
    weeks: int | None = None,
    executor: Any = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    rules: RulesLike = None,
    force: bool = False,
) -> pd.DataFrame:
    """:func:`compare` with one scenario."""
    return compare(
        [scenario],
        replications=replications,
        seed=seed,
        weeks=weeks,
        executor=executor,
        out=out,
        resume=resume,
        progress=progress,
        rules=rules,
        force=force,
    )


def sweep(
    design: Any,
    scenarios: ScenarioLike | Iterable[ScenarioLike] | Mapping[str, ScenarioLike] | None = None,
    *,
    names: Sequence[str] | None = None,
    replications: int = 1,
    seed: int = 0,
    weeks: int | None = None,
    executor: Any = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    rules: RulesLike = None,
    force: bool = False,
) -> pd.DataFrame:
    """Run a design of parameter points on one or more base scenarios, like :func:`compare`
    (``rules`` and ``force`` as there; ``force`` also allows more than
    :data:`~cxsim.params.limits.MAX_POINTS` points).

    ``design`` is one of:

    * a grid, ``{"customers.wom_negative_reach": [0.1, 0.3], "firms.focal.budget": [10400, 20800]}``
      (every combination, the last key varying fastest);
    * a list of override dicts, one per point;
    * a SALib sample: ``(X, names)`` with ``X`` an ``(n_points, n_params)`` array, or ``X`` with
      ``names=``; or a DataFrame whose columns are parameter names.

    Parameter names are those of :meth:`Scenario.with_overrides` (``customers.n_customers``,
    ``n_customers``, ``firms.focal.budget``). Values for whole-number parameters are rounded.
    Every point is applied to every base scenario (default: the default market) and validated
    before anything runs. Replication ``i`` of every point and scenario uses the same seed.

    Returns:
        The :func:`compare` frame with a ``point`` column (0-based, design order) and one column
        per swept parameter in front.
    """
    bases = _label_scenarios(scenarios if scenarios is not None else [Scenario()])
    points = sweep_points(design, names=names, force=force)
    weeks = _check_weeks(weeks)
    replications = _check_int("replications", replications, low=1)
    check_runs(len(points) * len(bases) * replications, replications, force=force)
    seeds = replication_seeds(seed, replications)
    param_cols = _param_columns(points)
    ruleset = _ruleset(rules)
    runs: list[tuple[int, str, dict[str, Any], Scenario]] = []
    for p, overrides in enumerate(points):
        for label, base in bases.items():
            typed = typed_overrides(base, overrides)
            runs.append((p, label, typed, base.with_overrides(typed)))
    check_resources([(sc, weeks, replications) for *_, sc in runs], executor=executor, force=force)
    tasks: list[_Task] = []
    for p, label, typed, sc in runs:
        for i, s in enumerate(seeds):
            labels: dict[str, Any] = {"point": p}
            labels.update({param_cols[k]: v for k, v in typed.items()})
            labels.update({"scenario": label, "replication": i, "seed": s})
            tasks.append(
                _Task(
                    labels=labels,
                    scenario=sc,
                    seed=s,
                    weeks=weeks if weeks is not None else sc.market.weeks,
                    rules=ruleset,
                )
            )
    frame = _execute(tasks, executor=executor, out=out, resume=resume, progress=progress)
    return _finish(frame, {"scenario": list(bases)})


# --------------------------------------------------------------------------------------------
# running the tasks
# --------------------------------------------------------------------------------------------


@dataclass
class _Task:
    labels: dict[str, Any]
    scenario: Scenario
    seed: int
    weeks: int
    rules: Rules | None = None
    key: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self.key = run_key(self.scenario, self.seed, self.weeks, self.rules)


def _execute(
    tasks: list[_Task],
    *,
    executor: Any,
    out: str | os.PathLike | None,
    resume: bool,
    progress: bool,
) -> pd.DataFrame:
    """Run the tasks (once per distinct key), store them, and return the frames in task order."""
    store = _Store(Path(out)) if out is not None else None
    if resume and store is None:
        raise ValueError("resume: needs an output folder (out=...)")
    unique: dict[str, _Task] = {}
    for t in tasks:
        unique.setdefault(t.key, t)
    results: dict[str, pd.DataFrame] = {}
    errors: dict[str, str] = {}
    todo: list[_Task] = []
    if store is not None:
        store.prepare(resume)
    for key, t in unique.items():
        stored = store.read_intact(key) if store is not None and resume else None
        if stored is not None:
            results[key] = stored
            store.ensure_manifest(t)
        else:  # not stored, or damaged (truncated, empty, wrong checksum): run it (again)
            todo.append(t)
    if store is not None:
        store.warn_damaged(stacklevel=3)

    bar = _progress_bar(len(unique), len(unique) - len(todo), progress)

    def done(task: _Task, frame: pd.DataFrame | None, error: str | None) -> None:
        if error is None:
            results[task.key] = frame
            if store is not None:
                store.write(task, frame)
        else:
            errors[task.key] = error
            if store is not None:
                store.record_error(task, error)
        bar.update(1)

    try:
        if todo:
            ex, close = make_executor(executor)
            try:
                if ex == "serial":
                    for t in todo:
                        frame, error = _call(t)
                        done(t, frame, error)
                else:
                    for rules in {id(t.rules): t.rules for t in todo if t.rules}.values():
                        rules.check_portable()  # workers import swapped rules by name
                    _run_on(ex, todo, done)
            finally:
                close()
    finally:
        bar.close()
        if store is not None:
            store.write_manifest(tasks, results, errors)

    manifest = store.root / "manifest.json" if store is not None else None
    _report(tasks, errors, len(unique), manifest, stacklevel=3)
    return _assemble(tasks, results)


def _run_on(ex: Any, todo: list[_Task], done: Callable) -> None:
    """Submit to an executor and collect as results arrive; cancel the rest on interruption."""
    futures: dict[cf.Future, _Task] = {}
    try:
        for t in todo:
            futures[ex.submit(run_one, t.scenario, t.seed, t.weeks, t.rules)] = t
        for fut in cf.as_completed(futures):
            t = futures[fut]
            try:
                frame = fut.result()
            except Exception as exc:  # noqa: BLE001 - any failure of a run is recorded
                done(t, None, _format_error(exc))
            else:
                done(t, frame, None)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _call(t: _Task) -> tuple[pd.DataFrame | None, str | None]:
    try:
        return run_one(t.scenario, t.seed, t.weeks, t.rules), None
    except Exception as exc:  # noqa: BLE001 - any failure of a run is recorded
        return None, _format_error(exc)


def _ruleset(rules: RulesLike) -> Rules | None:
    """The rules in force for every run (validated once, here), or ``None`` for the default."""
    ruleset = Rules(rules)
    return ruleset if ruleset.swapped else None


def _progress_bar(total: int, initial: int, enabled: bool):
    if enabled:
        from tqdm.auto import tqdm

        return tqdm(total=total, initial=initial, desc="runs", unit="run", smoothing=0.1)
    return _NoBar()


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass
