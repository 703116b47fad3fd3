"""Experiments: replications with common random numbers, comparisons, sweeps, summaries.

A single run of a stochastic model answers nothing; this module runs many, in parallel, and keeps
them. Every function returns a tidy :class:`pandas.DataFrame` with one row per run × firm × week:

``[point, <swept parameters>,] scenario, replication, seed, firm, week`` and one column per metric
of :data:`cxsim.core.metrics.METRICS`.

**Common random numbers.** Replication ``i`` of *every* scenario (and every sweep point) runs with
the same seed, so strategies are compared on the same customers, the same network and the same
draws wherever the model consumes them in the same order. The seeds are derived from the master
``seed`` with NumPy's :class:`~numpy.random.SeedSequence`::

    seeds[i] = SeedSequence(seed).spawn(n)[i].generate_state(1, dtype=uint32)[0]

(:func:`replication_seeds`). Child ``i`` of a ``SeedSequence`` does not depend on how many
children are spawned, so asking for 30 replications repeats the first 10 of a 10-replication run
exactly; and the derivation is the one :mod:`cxsim.validation` uses.

**Executors.** Runs go to any :class:`concurrent.futures.Executor`: local processes by default
(``ProcessPoolExecutor`` with one worker per CPU, started from a fork server that has imported
the model once; scripts that call these functions need the usual ``if __name__ == "__main__":``
guard, as with any process pool that does not plain-fork), ``"serial"`` to run in this
process (debugging, profiling), a Dask scheduler address such as ``"tcp://host:8786"`` (a
``distributed.Client`` is opened and its ``get_executor()`` used), or a ``distributed.Client``.
A run depends only on its scenario, seed and length, so the numbers are identical whichever
executor runs it; rows always come back in task order, not completion order.

**Fault tolerance.** With ``out=DIR`` each finished run is written atomically (a temporary file
in ``DIR/runs`` then :func:`os.replace`) as ``DIR/runs/<key>.parquet``, where ``<key>`` is a hash
of (scenario dict, seed, weeks), next to ``DIR/runs/<key>.json``: its manifest (cxsim, mesa,
numpy and Python versions, scenario dict, seed, weeks, status, error text if it raised). At the
end ``DIR/manifest.json`` lists every task. ``resume=True`` skips runs whose Parquet file exists,
so a killed sweep loses at most the runs in flight and repeats none. A run that raises is recorded
(status ``"error"`` with its traceback) and the others go on; the returned frame omits it and a
:class:`RunFailedWarning` lists the failures. When every run fails there is nothing to return:
:class:`RunsFailedError` is raised instead, naming how many failed and the first error.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import functools
import hashlib
import itertools
import json
import multiprocessing
import os
import platform
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.metrics import METRICS
from cxsim.core.ruleset import RuleLike, Rules
from cxsim.params import Scenario, ScenarioError, resolve_scenario, typed_overrides

__all__ = [
    "ID_COLUMNS",
    "DEFAULT_SUMMARY_METRICS",
    "RunFailedWarning",
    "RunsFailedError",
    "compare",
    "make_executor",
    "replicate",
    "replication_seeds",
    "resolve_scenario",
    "run_key",
    "run_one",
    "summarize",
    "sweep",
    "sweep_points",
]

#: Identifying columns of a result frame, before the metric columns.
ID_COLUMNS: tuple[str, ...] = ("scenario", "replication", "seed", "firm", "week")
#: Metrics :func:`summarize` reports unless told otherwise.
DEFAULT_SUMMARY_METRICS: tuple[str, ...] = ("customers", "churn_rate", "cac", "clv", "npv", "nps")

ScenarioLike = Scenario | str | os.PathLike
RulesLike = Rules | Mapping[str, RuleLike] | None


class RunFailedWarning(UserWarning):
    """Some runs raised; they are recorded in the output manifest and left out of the frame."""


class RunsFailedError(RuntimeError):
    """Every run raised, so there are no results; the message is one line: how many runs
    failed and the first failure's error (all of them are in the output manifest, if any)."""


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
    return market.run(weeks)


def replication_seeds(seed: int, replications: int) -> list[int]:
    """The seed of each replication, derived from ``seed`` with NumPy's ``SeedSequence``.

    ``replication_seeds(s, n)[i]`` does not depend on ``n``.
    """
    seed = _check_int("seed", seed, low=0)
    replications = _check_int("replications", replications, low=1)
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


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
    payload = json.dumps(
        content,
        sort_keys=True,
        default=_json_default,
    )
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
) -> pd.DataFrame:
    """Run every scenario ``replications`` times on common random numbers.

    Args:
        scenarios: :class:`Scenario` objects, TOML paths or preset names; or a mapping from a label
            to one of those (labels name the ``scenario`` column; by default the scenario's name).
        replications: runs per scenario; replication ``i`` uses the same seed in every scenario.
        seed: master seed (see :func:`replication_seeds`).
        weeks: run length; default each scenario's ``market.weeks``.
        executor: ``None`` (local processes), ``"serial"``, a Dask address, a
            ``distributed.Client`` or any :class:`concurrent.futures.Executor`.
        out: folder for the fault-tolerant run store (see the module docstring).
        resume: skip runs already stored under ``out``.
        progress: show a tqdm progress bar.
        rules: behavioural rules to swap, by name (``{"update_trust": "pkg.mod:func"}`` or
            functions; see :mod:`cxsim.core.ruleset`), in every run. On worker processes or
            Dask they must be importable module-level functions.

    Returns:
        One row per scenario × replication × firm × week: ``scenario, replication, seed, firm,
        week`` and every metric. ``scenario`` is categorical in the order given.
    """
    labelled = _label_scenarios(scenarios)
    seeds = replication_seeds(seed, replications)
    weeks = _check_weeks(weeks)
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
) -> pd.DataFrame:
    """Run a design of parameter points on one or more base scenarios, like :func:`compare`
    (``rules`` as there).

    ``design`` is one of:

    * a grid, ``{"customers.wom_negative_reach": [0.1, 0.3], "firms.focal.budget": [0.1, 0.2]}``
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
    points = sweep_points(design, names=names)
    seeds = replication_seeds(seed, replications)
    weeks = _check_weeks(weeks)
    param_cols = _param_columns(points)
    ruleset = _ruleset(rules)
    tasks: list[_Task] = []
    for p, overrides in enumerate(points):
        for label, base in bases.items():
            typed = typed_overrides(base, overrides)
            sc = base.with_overrides(typed)
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


def sweep_points(design: Any, *, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The design as a list of override dicts (see :func:`sweep`)."""
    if isinstance(design, pd.DataFrame):
        return [{k: _plain(v) for k, v in row.items()} for row in design.to_dict("records")]
    if isinstance(design, Mapping):
        keys = list(design)
        values = []
        for k in keys:
            v = design[k]
            if isinstance(v, str | bytes) or not isinstance(v, Iterable):
                raise ScenarioError(f"{k}: grid values must be a list, got {v!r}")
            v = [_plain(x) for x in v]
            if not v:
                raise ScenarioError(f"{k}: grid needs at least one value")
            values.append(v)
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
        names = [str(n) for n in names]
        if x.shape[1] != len(names):
            raise ScenarioError(
                f"design: sample has {x.shape[1]} columns but {len(names)} names were given"
            )
        return [{n: float(v) for n, v in zip(names, row, strict=True)} for row in x]
    if isinstance(design, Iterable) and not isinstance(design, str | bytes):
        points = list(design)
        for i, p in enumerate(points):
            if not isinstance(p, Mapping):
                raise ScenarioError(f"design[{i}]: {p!r} is not a dict of parameter overrides")
        return [{k: _plain(v) for k, v in p.items()} for p in points]
    raise ScenarioError(
        f"design: {type(design).__name__} is not a grid dict, a list of dicts or a sample array"
    )


# --------------------------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------------------------


def summarize(
    df: pd.DataFrame,
    weeks: Sequence[float] | None = (52, 156, 260),
    metrics: Sequence[str] = DEFAULT_SUMMARY_METRICS,
    baseline: str | None = None,
    *,
    firm: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Means, t-based confidence intervals over replications, and paired differences.

    Args:
        df: a frame from :func:`compare`, :func:`replicate` or :func:`sweep`.
        weeks: weeks to report. Weeks the runs did not reach are dropped; if none is left, the
            last week is used. ``None``: every week.
        metrics: metric columns to summarize.
        baseline: a scenario label; adds the paired difference ``scenario − baseline`` (paired by
            replication, and by point in a sweep) with its interval.
        firm: keep only this firm (or these firms).
        level: confidence level of the intervals.

    Returns:
        One row per [point,] scenario × firm × week × metric with ``year``, ``n`` (replications
        with a value), ``mean``, ``sd``, ``ci_low``, ``ci_high`` and, with a baseline,
        ``diff_n``, ``diff_mean``, ``diff_sd``, ``diff_ci_low``, ``diff_ci_high``. The interval is
        ``mean ± t(level, n−1)·sd/√n`` (NaN when n < 2). Missing values (e.g. CAC in a week with
        no new customer) are left out of both.
    """
    from scipy import stats

    missing = [m for m in metrics if m not in df.columns]
    if missing:
        raise KeyError(f"metrics not in the frame: {', '.join(missing)}")
    if firm is not None:
        firms = [firm] if isinstance(firm, str) else list(firm)
        df = df[df["firm"].isin(firms)]
    df = df.assign(week=df["week"].astype(float).round(6))
    if weeks is not None:
        wanted = [round(float(w), 6) for w in weeks]
        present = set(df["week"].unique())
        keep = [w for w in wanted if w in present]
        if not keep and len(df):
            keep = [float(df["week"].max())]
        df = df[df["week"].isin(keep)]
    keys = [c for c in ("point", "scenario", "firm", "week") if c in df.columns]
    long = df.melt(id_vars=[*keys, "replication"], value_vars=list(metrics), var_name="metric")
    group = [*keys, "metric"]
    alpha = 1.0 - level

    def interval(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        g = frame.dropna(subset=["value"]).groupby(group, observed=True, sort=False)["value"]
        res = g.agg(n="count", mean="mean", sd="std").reset_index()
        t = stats.t.ppf(1.0 - alpha / 2.0, np.maximum(res["n"] - 1, 1))
        half = np.where(res["n"] >= 2, t * res["sd"] / np.sqrt(res["n"]), np.nan)
        res["ci_low"] = res["mean"] - half
        res["ci_high"] = res["mean"] + half
        return res.rename(columns={c: prefix + c for c in ("n", "mean", "sd", "ci_low", "ci_high")})

    out = interval(long, "")
    if baseline is not None:
        labels = list(pd.unique(df["scenario"]))
        if baseline not in labels:
            raise KeyError(f"baseline: {baseline!r} is not one of the scenarios {labels}")
        pair = [k for k in keys if k != "scenario"] + ["replication", "metric"]
        base = long[long["scenario"] == baseline][[*pair, "value"]].rename(
            columns={"value": "base"}
        )
        merged = long.merge(base, on=pair, how="left")
        merged["value"] = merged["value"] - merged["base"]
        diff = interval(merged.drop(columns="base"), "diff_")
        out = out.merge(diff, on=group, how="left")
    out.insert(out.columns.get_loc("week") + 1, "year", out["week"] / 52.0)
    order = {m: i for i, m in enumerate(metrics)}
    sort = [*(k for k in keys if k != "week"), "week"]
    out = out.sort_values(
        sort + ["metric"], key=lambda s: s.map(order) if s.name == "metric" else s, kind="stable"
    ).reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------------
# executors
# --------------------------------------------------------------------------------------------


def make_executor(executor: Any = None) -> tuple[Any, Callable[[], None]]:
    """Turn the ``executor`` argument into an executor (or ``"serial"``) and a close function.

    Executors made here are closed by the close function; executors passed in are left open.
    """
    if executor is None:
        ex = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=_mp_context())
        return ex, lambda: ex.shutdown(wait=True, cancel_futures=True)
    if isinstance(executor, str):
        if executor == "serial":
            return "serial", lambda: None
        if executor in ("process", "processes", "local"):
            return make_executor(None)
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "executor: a Dask address needs dask[distributed] (pip install 'cxsim[cluster]')"
            ) from exc
        client = Client(executor, timeout="10s")
        return client.get_executor(), client.close
    if isinstance(executor, cf.Executor):
        return executor, lambda: None
    get = getattr(executor, "get_executor", None)
    if callable(get):  # a distributed.Client
        return get(), lambda: None
    raise TypeError(
        f"executor: {executor!r} is not None, 'serial', a Dask address, a Client or an Executor"
    )


def _mp_context() -> multiprocessing.context.BaseContext:
    """Start workers from a fork server that has imported the model once ("forkserver", the
    default from Python 3.14): a worker starts in milliseconds instead of re-importing Mesa and
    pandas as under "spawn", and, unlike "fork", nothing is forked from a threaded process
    (Jupyter, Dask, tqdm). Falls back to "spawn" where there is no fork server (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["cxsim.experiments", "cxsim.core.model"])
        return ctx
    return multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------------------------
# internals
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
        if store is not None and resume and store.has(key):
            results[key] = store.read(key)
            store.ensure_manifest(t)
        else:
            todo.append(t)

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

    if errors:
        failed = [t for t in tasks if t.key in errors]
        where = f"; details in {store.root / 'manifest.json'}" if store is not None else ""
        if len(errors) == len(unique):
            first = failed[0]
            raise RunsFailedError(
                f"all {len(failed)} runs failed; the first ({_describe(first)}): "
                f"{_last_line(errors[first.key])}{where}"
            )
        lines = "; ".join(f"{_describe(t)}: {_last_line(errors[t.key])}" for t in failed[:10])
        more = f" (and {len(failed) - 10} more)" if len(failed) > 10 else ""
        warnings.warn(
            f"{len(failed)} of {len(tasks)} runs failed and are left out: {lines}{more}{where}",
            RunFailedWarning,
            stacklevel=3,
        )

    frames = []
    for t in tasks:
        frame = results.get(t.key)
        if frame is None:
            continue
        ids = pd.DataFrame({k: [v] * len(frame) for k, v in t.labels.items()})
        frames.append(pd.concat([ids, frame.reset_index(drop=True)], axis=1))
    if not frames:
        cols = list(dict.fromkeys(k for t in tasks for k in t.labels)) + ["firm", "week", *METRICS]
        return pd.DataFrame(columns=cols)
    return _concat(frames)


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


def _format_error(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text if text.strip() else f"{type(exc).__name__}: {exc}"


def _last_line(error: str) -> str:
    """The ``Type: message`` line of a formatted traceback, whitespace collapsed."""
    lines = error.strip().splitlines()
    return " ".join(lines[-1].split()) if lines else "unknown error"


def _describe(t: _Task) -> str:
    return ", ".join(f"{k}={v}" for k, v in t.labels.items() if k != "seed") + f", seed={t.seed}"


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    firms = list(
        dict.fromkeys(
            f
            for fr in frames
            for f in (
                fr["firm"].cat.categories
                if isinstance(fr["firm"].dtype, pd.CategoricalDtype)
                else pd.unique(fr["firm"])
            )
        )
    )
    for fr in frames:
        fr["firm"] = pd.Categorical(fr["firm"].astype(object), categories=firms)
    return pd.concat(frames, ignore_index=True)


def _finish(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    for col, cats in categories.items():
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col].astype(object), categories=cats)
    for col in ("replication", "point"):
        if col in frame.columns:
            frame[col] = frame[col].astype(np.int64)
    if "seed" in frame.columns:
        frame["seed"] = frame["seed"].astype(np.int64)
    first = [c for c in frame.columns if c not in ("firm", "week") and c not in METRICS]
    rest = [c for c in frame.columns if c not in first and c not in ("firm", "week")]
    return frame[[*first, "firm", "week", *rest]]


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


def _label_scenarios(scenarios: Any) -> dict[str, Scenario]:
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


def _check_int(name: str, value: Any, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ScenarioError(f"{name}: {value!r} is not a whole number")
    if value < low:
        raise ScenarioError(f"{name}: {value!r} must be at least {low}")
    return int(value)


def _check_weeks(weeks: Any) -> int | None:
    return None if weeks is None else _check_int("weeks", weeks, low=1)


def _plain(value: Any) -> Any:
    """NumPy scalars to Python scalars (TOML-like values the scenario validator understands)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _param_columns(points: list[dict[str, Any]]) -> dict[str, str]:
    reserved = {"point", *ID_COLUMNS, *METRICS}
    keys = list(dict.fromkeys(k for p in points for k in p))
    return {k: (f"param.{k}" if k in reserved else k) for k in keys}


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("cxsim", "mesa", "numpy", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out


class _Store:
    """The run store under ``root``: ``runs/<key>.parquet`` + ``runs/<key>.json``, manifest.json."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs = root / "runs"
        self.versions = _versions()

    def prepare(self, resume: bool) -> None:
        self.runs.mkdir(parents=True, exist_ok=True)
        if resume:
            self._remove_orphans()

    def _remove_orphans(self) -> None:
        """Temporary files left by a writer that died (its pid is gone)."""
        for tmp in self.runs.glob(".*.tmp"):
            try:
                pid = int(tmp.name.rsplit(".", 2)[-2])
            except (ValueError, IndexError):
                continue
            if not _pid_alive(pid):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def has(self, key: str) -> bool:
        return (self.runs / f"{key}.parquet").is_file()

    def read(self, key: str) -> pd.DataFrame:
        return pd.read_parquet(self.runs / f"{key}.parquet")

    def write(self, task: _Task, frame: pd.DataFrame) -> None:
        path = self.runs / f"{task.key}.parquet"
        _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
        self._write_json(task, "ok", None)

    def record_error(self, task: _Task, error: str) -> None:
        self._write_json(task, "error", error)

    def ensure_manifest(self, task: _Task) -> None:
        if not (self.runs / f"{task.key}.json").is_file():
            self._write_json(task, "ok", None)

    def _write_json(self, task: _Task, status: str, error: str | None) -> None:
        record = {
            "key": task.key,
            "status": status,
            "error": error,
            "seed": task.seed,
            "weeks": task.weeks,
            "file": f"{task.key}.parquet" if status == "ok" else None,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "versions": self.versions,
            "scenario": task.scenario.to_dict(),
        }
        text = json.dumps(record, indent=1, default=_json_default, allow_nan=True)
        _atomic(self.runs / f"{task.key}.json", lambda tmp: Path(tmp).write_text(text))

    def write_manifest(
        self, tasks: list[_Task], results: Mapping[str, Any], errors: Mapping[str, str]
    ) -> None:
        entries = []
        scenarios: dict[str, Any] = {}
        for t in tasks:
            status = "ok" if t.key in results else "error" if t.key in errors else "not run"
            data = t.scenario.to_dict()
            skey = hashlib.sha256(
                json.dumps(data, sort_keys=True, default=_json_default).encode()
            ).hexdigest()[:16]
            scenarios.setdefault(skey, data)
            entries.append(
                {
                    **{k: _plain(v) for k, v in t.labels.items()},
                    "key": t.key,
                    "scenario_key": skey,
                    "weeks": t.weeks,
                    "status": status,
                    "file": f"runs/{t.key}.parquet" if status == "ok" else None,
                    "error": errors.get(t.key),
                }
            )
        manifest = {
            "versions": self.versions,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "n_tasks": len(tasks),
            "n_ok": sum(e["status"] == "ok" for e in entries),
            "n_error": sum(e["status"] == "error" for e in entries),
            "scenarios": scenarios,
            "runs": entries,
        }
        text = json.dumps(manifest, indent=1, default=_json_default, allow_nan=True)
        _atomic(self.root / "manifest.json", lambda tmp: Path(tmp).write_text(text))


def _atomic(path: Path, write: Callable[[str], Any]) -> None:
    """Write via a temporary file in the same folder, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
