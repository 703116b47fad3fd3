"""How much to move: the budget split that maximises a firm's value, and what rivals answer.

:func:`optimize` searches one firm's allocation, every other firm held as it is, for the largest
expected value at the horizon, NPV plus terminal customer equity
(:func:`~cxsim.experiments.economics.horizon_value`). The search space is either

* ``"acquisition_share"``: one number, the share of the budget on advertising and promotion,
  the rest split as the firm's strategy splits it (:attr:`cxsim.params.FirmSpec.acquisition_share`),
  or
* ``"levers"``: every share of a set of levers on the simplex (shares ≥ 0 summing to 1). Optuna
  samples one number per lever in (0, 1]; the shares are their normalised negative logarithms
  (the exponential spacings of a uniform point on the simplex, Devroye 1986 ch. V.2), so a
  uniform draw in the sampler's box is a uniform draw on the simplex;

optionally with the budget level too (currency per year, searched on a log scale).

How, and why so:

1. **Search on common random numbers.** Every trial runs the same ``replications`` seeds, so two
   allocations are compared on the same customers, needs and draws, and the noise in their
   *difference* is far smaller than in each value. The first trials are the allocation as given
   and points covering the space (five acquisition shares from the lower to the upper bound; the
   even split of the levers); then Optuna's TPE sampler (Bergstra et al. 2011; Akiba et al.
   2019) takes over, seeded, asked for ``batch`` trials at a time (all their runs go to the
   executor together) and told their values in trial order, so the search is the same on every
   executor.
2. **Re-evaluate on fresh seeds.** The best of many noisy means is biased upwards (the winner's
   curse; Smith & Winkler 2006 call it the optimizer's curse). The ``top`` best trials, the
   firm's allocation as given and every strategy preset are therefore run again on
   ``confirm`` new seeds, none of them used by the search; the best allocation is the best of
   these, and its value, interval and gain over each preset (paired by seed, t interval) come
   from the fresh runs only.
3. **The next unit of budget.** At the best allocation, each lever in turn gets ``step`` (a
   share of the budget, default 10%) more money a year, the other levers keeping their spend;
   the paired difference in value per currency unit of extra budget over the horizon is that
   lever's marginal value (a finite difference, with its interval), the "where should the next
   currency unit go" of budget optimisers for marketing mixes. Value is net of spend, so 0 is
   the break-even: above it the extra money pays for itself within the horizon.

:func:`cxsim.experiments.equilibrium.equilibrium` lets the rivals answer.

Runs are cached by their content (scenario, seed, weeks, rules: the run key of
:mod:`cxsim.experiments.run`) in ``out/runs.csv`` after every batch, so a killed search resumed
with ``resume=True`` replays the sampler, finds the finished runs and goes on where it stopped,
with the same result as an uninterrupted search.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.ruleset import Rules
from cxsim.experiments.designs import ScenarioLike, _check_weeks
from cxsim.experiments.economics import horizon_value
from cxsim.experiments.executors import make_executor
from cxsim.experiments.failures import RunsFailedError
from cxsim.experiments.resources import check_resources, check_runs
from cxsim.experiments.run import RulesLike, _ruleset, run_key
from cxsim.experiments.seeds import _check_int, replication_seeds
from cxsim.params import (
    ACQUISITION_LEVERS,
    LEVERS,
    RETENTION_LEVERS,
    STRATEGIES,
    Scenario,
    ScenarioError,
    resolve_scenario,
)
from cxsim.params.declare import show, suggest

__all__ = [
    "SPACES",
    "OptimizeResult",
    "SearchOptions",
    "best_toml",
    "check_search",
    "optimize",
    "simplex_shares",
]

#: The search spaces of :func:`optimize`.
SPACES: tuple[str, ...] = ("acquisition_share", "levers")

#: Levers searched by ``space="levers"`` unless told otherwise: those that act on customers.
CUSTOMER_LEVERS: tuple[str, ...] = ACQUISITION_LEVERS + RETENTION_LEVERS

#: Lowest number Optuna may draw for a lever weight (a share of exactly zero needs −log(0)).
_TINY = 1e-9


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


@dataclass
class OptimizeResult:
    """What :func:`optimize` found for one firm.

    Attributes:
        firm: the firm whose allocation was searched.
        space: ``"acquisition_share"`` or ``"levers"``.
        best_allocation: lever → share of the budget at the best allocation (every lever).
        best_budget: the best budget (currency per year; the firm's own unless searched).
        best_value: its value, NPV plus terminal customer equity (currency, week 0), mean over
            the fresh confirmation seeds.
        best_interval: 95% t interval of that mean.
        trials: one row per search trial: ``trial``, ``batch``, the searched parameters
            (``acquisition_share`` and/or ``share.<lever>``, ``budget``), the resulting
            ``acquisition_share`` of the budget, ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``
            (over the search seeds).
        confirmed: the re-evaluated candidates on fresh seeds: ``candidate`` (``trial <i>``, ``as
            given``, ``preset <name>``), ``acquisition_share``, ``n``, ``mean``, ``ci_low``,
            ``ci_high``, and the paired ``gain`` of the best over it with ``gain_low``,
            ``gain_high``.
        marginal: per lever, ``marginal``: the value added per currency unit of extra budget
            over the horizon (``step`` a year more for ``weeks``/52 years; net of that spend, so
            a lever with no effect scores minus its discount factor, just above −1), ``low``,
            ``high``, and ``step``, the budget added (currency per year); empty when
            ``marginal_step`` is 0.
        scenario: the scenario with the best allocation (and budget) in place.
        settings: what was run (seeds, replications, weeks, horizon), for reports.
    """

    firm: str
    space: str
    best_allocation: dict[str, float]
    best_budget: float
    best_value: float
    best_interval: tuple[float, float]
    trials: pd.DataFrame
    confirmed: pd.DataFrame
    marginal: pd.DataFrame
    scenario: Scenario
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def best_acquisition_share(self) -> float:
        """Share of the budget on the acquisition levers at the best allocation."""
        return float(sum(self.best_allocation[lv] for lv in ACQUISITION_LEVERS))


# --------------------------------------------------------------------------------------------
# the search space
# --------------------------------------------------------------------------------------------


def simplex_shares(weights: Mapping[str, float]) -> dict[str, float]:
    """Shares on the simplex from numbers in (0, 1]: ``−log(u_i) / Σ −log(u_j)``.

    With every ``u_i`` uniform on (0, 1] the result is uniform on the simplex (normalised
    exponential spacings, Devroye 1986), so a sampler exploring its box explores every split
    alike. A ``u_i`` of 1 gives that lever nothing; all of them 1 is refused.
    """
    e = {k: -math.log(min(max(float(u), _TINY), 1.0)) for k, u in weights.items()}
    total = sum(e.values())
    if total <= 0:
        raise ValueError("simplex_shares: every weight is 1, so no lever gets a share")
    return {k: v / total for k, v in e.items()}


@dataclass(frozen=True)
class _Space:
    """A firm's search space: how a trial's numbers become a scenario."""

    firm: str
    kind: str
    levers: tuple[str, ...]
    bounds: tuple[float, float]
    budget: tuple[float, float] | None

    def suggest(self, trial: Any) -> dict[str, float]:
        params: dict[str, float] = {}
        if self.kind == "acquisition_share":
            params["acquisition_share"] = trial.suggest_float("acquisition_share", *self.bounds)
        else:
            for lv in self.levers:
                params[f"w.{lv}"] = trial.suggest_float(f"w.{lv}", _TINY, 1.0)
        if self.budget is not None:
            params["budget"] = trial.suggest_float("budget", *self.budget, log=True)
        return params

    def starts(self, split: Mapping[str, float], budget: float) -> list[dict[str, float]]:
        """The first trials, before the sampler's own: the allocation as given, then points
        that cover the space (five evenly spaced acquisition shares; the even split over the
        levers searched), so a search of a few trials still sees the whole range and never
        ends below the allocation it started from on its own seeds."""
        starts: list[dict[str, float]] = []
        if self.kind == "acquisition_share":
            low, high = self.bounds
            given = min(max(sum(split.get(lv, 0.0) for lv in ACQUISITION_LEVERS), low), high)
            points = [given] + [low + (high - low) * k / 4 for k in range(5)]
            for x in dict.fromkeys(round(v, 12) for v in points):
                starts.append({"acquisition_share": x})
        else:
            mass = sum(split.get(lv, 0.0) for lv in self.levers)
            if mass > 0:  # u = exp(−share) gives back the shares (see simplex_shares)
                starts.append(
                    {f"w.{lv}": math.exp(-split.get(lv, 0.0) / mass) for lv in self.levers}
                )
            starts.append({f"w.{lv}": math.exp(-1.0 / len(self.levers)) for lv in self.levers})
        if self.budget is not None:
            b = min(max(budget, self.budget[0]), self.budget[1])
            starts = [{**p, "budget": b} for p in starts]
        return starts

    def overrides(self, params: Mapping[str, float]) -> dict[str, Any]:
        """Scenario overrides of one trial's numbers."""
        key = f"firms.{self.firm}"
        out: dict[str, Any] = {}
        if self.kind == "acquisition_share":
            out[f"{key}.acquisition_share"] = float(params["acquisition_share"])
        else:
            shares = simplex_shares({lv: params[f"w.{lv}"] for lv in self.levers})
            out[f"{key}.allocation"] = {lv: s for lv, s in shares.items() if s > 0}
            out[f"{key}.acquisition_share"] = None
        if "budget" in params:
            out[f"{key}.budget"] = float(params["budget"])
        return out


def _firm_position(scenario: Scenario, firm: str) -> int:
    names = [f.name for f in scenario.firms]
    if firm not in names:
        raise ScenarioError(
            f"firm: {show(firm)} is not a firm of the scenario{suggest(str(firm), names)}; "
            f"firms are {', '.join(names)}"
        )
    return names.index(firm)


def _with(scenario: Scenario, firm: str, overrides: Mapping[str, Any]) -> Scenario:
    """``scenario`` with firm-level overrides that may unset ``acquisition_share`` (None)."""
    idx = _firm_position(scenario, firm)
    spec = scenario.firms[idx]
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        changes[key.split(".", 2)[2]] = value
    if changes.get("allocation") is not None and "strategy" not in changes:
        changes["strategy"] = "custom"
    firms = list(scenario.firms)
    firms[idx] = replace(spec, adaptive=False, **changes)
    return replace(scenario, firms=tuple(firms))


def _check_space(
    scenario: Scenario,
    firm: str,
    space: str,
    levers: Sequence[str] | None,
    bounds: Sequence[float],
    budget: Sequence[float] | None,
) -> _Space:
    _firm_position(scenario, firm)
    if space not in SPACES:
        raise ScenarioError(
            f"space: {show(space)} is not a search space{suggest(str(space), list(SPACES))}; "
            f"give {' or '.join(SPACES)}"
        )
    chosen: tuple[str, ...] = ()
    if space == "levers":
        chosen = tuple(levers) if levers is not None else CUSTOMER_LEVERS
        for lv in chosen:
            if lv not in LEVERS:
                raise ScenarioError(
                    f"levers: {show(lv)} is not a lever{suggest(str(lv), list(LEVERS))}; "
                    f"levers are {', '.join(LEVERS)}"
                )
        if len(set(chosen)) != len(chosen) or len(chosen) < 2:
            raise ScenarioError(
                f"levers: {show(list(chosen))} must name at least two different levers"
            )
    elif levers is not None:
        raise ScenarioError("levers: only with space='levers'")
    low, high = _pair("bounds", bounds)
    if not 0.0 <= low < high <= 1.0:
        raise ScenarioError(
            f"bounds: ({low:g}, {high:g}) is not a range of acquisition shares; give LOW < "
            "HIGH within [0, 1]"
        )
    budget_range = None
    if budget is not None:
        b_low, b_high = _pair("budget", budget)
        if not 0.0 < b_low < b_high <= 1e12:
            raise ScenarioError(
                f"budget: ({b_low:g}, {b_high:g}) is not a range of budgets; give 0 < LOW < "
                "HIGH (currency per year)"
            )
        budget_range = (b_low, b_high)
    return _Space(firm, space, chosen, (low, high), budget_range)


def _pair(name: str, value: Any) -> tuple[float, float]:
    ok = (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(float(v)) for v in value)
    )
    if not ok:
        raise ScenarioError(f"{name}: {show(value)} is not a range (LOW, HIGH) of two numbers")
    return float(value[0]), float(value[1])


# --------------------------------------------------------------------------------------------
# running and caching values
# --------------------------------------------------------------------------------------------


def run_value(scenario: Scenario, seed: int, weeks: int, rules: Rules | None, firm: str) -> float:
    """One run's value for ``firm``: NPV plus terminal customer equity at ``weeks`` (a
    top-level function, so any executor can pickle it)."""
    from cxsim.core.model import Market

    market = Market(scenario, rng=int(seed), customer_agents=False, rules=rules)
    frame = market.run(weeks)
    return horizon_value(frame, scenario.market.discount_rate, firm)


class _Values:
    """Run values by run key, kept in ``out/runs.csv`` (rewritten atomically after each batch)."""

    COLUMNS = ("key", "firm", "seed", "weeks", "value")

    def __init__(self, out: Path | None, resume: bool) -> None:
        self.out = out
        self.values: dict[tuple[str, str], float] = {}
        self.rows: list[dict[str, Any]] = []
        if out is not None and resume and (out / "runs.csv").is_file():
            try:
                stored = pd.read_csv(out / "runs.csv")
                for row in stored.to_dict("records"):
                    self._keep(row)
            except (OSError, ValueError, KeyError, pd.errors.ParserError):
                self.values, self.rows = {}, []  # damaged: run everything again

    def _keep(self, row: Mapping[str, Any]) -> None:
        self.values[(str(row["key"]), str(row["firm"]))] = float(row["value"])
        self.rows.append({c: row[c] for c in self.COLUMNS})

    def get(self, key: str, firm: str) -> float | None:
        return self.values.get((key, firm))

    def add(self, key: str, firm: str, seed: int, weeks: int, value: float) -> None:
        self._keep({"key": key, "firm": firm, "seed": seed, "weeks": weeks, "value": value})

    def save(self) -> None:
        if self.out is None:
            return
        from cxsim.experiments.outputs import write_csv

        write_csv(
            pd.DataFrame(self.rows, columns=list(self.COLUMNS)), self.out / "runs.csv", index=False
        )


@dataclass
class _Runner:
    """Evaluates scenarios on seeds, through the executor, with the value cache."""

    executor: Any
    weeks: int
    rules: Rules | None
    values: _Values
    bar: Any

    def evaluate(self, jobs: Sequence[tuple[Scenario, str, Sequence[int]]]) -> list[np.ndarray]:
        """Each job ``(scenario, firm, seeds)`` → the values of its runs, in seed order."""
        keys = [[run_key(sc, s, self.weeks, self.rules) for s in seeds] for sc, _, seeds in jobs]
        todo: dict[tuple[str, str], tuple[Scenario, int, str]] = {}
        for (sc, firm, seeds), ks in zip(jobs, keys, strict=True):
            for s, k in zip(seeds, ks, strict=True):
                if self.values.get(k, firm) is None:
                    todo.setdefault((k, firm), (sc, int(s), firm))
        errors: list[str] = []
        if todo:
            if self.executor == "serial":
                for (k, firm), (sc, s, _) in todo.items():
                    self._record(
                        k,
                        firm,
                        s,
                        lambda sc=sc, s=s, f=firm: run_value(sc, s, self.weeks, self.rules, f),
                        errors,
                    )
            else:
                futures = {
                    self.executor.submit(run_value, sc, s, self.weeks, self.rules, firm): (
                        k,
                        firm,
                        s,
                    )
                    for (k, firm), (sc, s, _) in todo.items()
                }
                try:
                    for fut in cf.as_completed(futures):
                        k, firm, s = futures[fut]
                        self._record(k, firm, s, fut.result, errors)
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
            self.values.save()
        if errors:
            raise RunsFailedError(
                f"optimize: {len(errors)} of {len(todo)} runs failed; first: {errors[0]}"
            )
        return [
            np.array([self.values.get(k, firm) for k in ks], dtype=float)
            for (_, firm, _), ks in zip(jobs, keys, strict=True)
        ]

    def _record(
        self, key: str, firm: str, seed: int, get: Callable[[], float], errors: list[str]
    ) -> None:
        try:
            value = float(get())
        except Exception as exc:  # noqa: BLE001 - a failed run is reported once, in one line
            errors.append(" ".join(f"{type(exc).__name__}: {exc}".split()))
        else:
            self.values.add(key, firm, seed, self.weeks, value)
        self.bar.update(1)


def _interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, sd and the t interval of the mean over ``len(x)`` replications (NaN below 2)."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    n = x.size
    mean = float(x.mean())
    if n < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


# --------------------------------------------------------------------------------------------
# optimize
# --------------------------------------------------------------------------------------------


def optimize(
    scenario: ScenarioLike = None,
    firm: str = "focal",
    *,
    space: str = "acquisition_share",
    levers: Sequence[str] | None = None,
    bounds: Sequence[float] = (0.0, 1.0),
    budget: Sequence[float] | None = None,
    trials: int = 24,
    replications: int = 4,
    batch: int = 4,
    top: int = 3,
    confirm: int = 12,
    marginal_step: float = 0.1,
    presets: bool = True,
    weeks: int | None = None,
    seed: int = 0,
    executor: Any = None,
    workers: int | None = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    rules: RulesLike = None,
    force: bool = False,
) -> OptimizeResult:
    """Search ``firm``'s budget allocation for the largest NPV plus terminal customer equity.

    The method (common random numbers, Optuna's TPE sampler, re-evaluation of the best on fresh
    seeds, marginal value per lever) is in the module docstring. Every other firm keeps its
    allocation; an adaptive firm searched is made non-adaptive.

    Args:
        scenario: a :class:`Scenario`, a TOML path or a preset name (default: the default market).
        firm: the firm whose allocation is searched.
        space: ``"acquisition_share"`` (one number, the rest split as the firm's strategy says)
            or ``"levers"`` (every share of ``levers`` on the simplex).
        levers: the levers of ``space="levers"`` (default: the eight that act on customers);
            levers not named get nothing.
        bounds: range of the acquisition share searched (``space="acquisition_share"``).
        budget: ``(low, high)`` to search the budget level too (currency per year, log scale);
            ``None`` keeps the firm's budget.
        trials: allocations tried by the search (≥ 1).
        replications: seeds per trial (common to every trial).
        batch: trials asked of the sampler at a time (their runs go to the executor together);
            it changes the search, not whether it is reproducible.
        top: best trials re-evaluated on fresh seeds.
        confirm: fresh seeds for the re-evaluation (≥ 2, for intervals).
        marginal_step: money added to one lever to measure its marginal value, as a share of the
            best budget (0: skip).
        presets: also re-evaluate the firm with every strategy preset, for the gains.
        weeks: horizon (default: the scenario's ``market.weeks``).
        seed: root seed; the search seeds are ``replication_seeds(seed, replications)`` and the
            confirmation seeds the next ``confirm`` of the same sequence.
        executor, workers: where the runs go (:func:`cxsim.experiments.executors.make_executor`).
        out: folder for ``runs.csv`` (the value of every finished run), kept after every batch.
        resume: reuse the finished runs in ``out`` (the same search is replayed).
        progress: show a progress bar.
        rules: swapped behavioural rules for every run (:mod:`cxsim.core.ruleset`).
        force: allow more runs than :data:`~cxsim.params.limits.MAX_RUNS`.

    Returns:
        An :class:`OptimizeResult`.
    """
    cfg = resolve_scenario(scenario)
    opts = SearchOptions(
        space,
        levers,
        bounds,
        budget,
        trials,
        replications,
        batch,
        top,
        confirm,
        marginal_step,
        weeks,
        seed,
        force,
    )
    settings = _settings(cfg, firm, opts)
    ruleset = _ruleset(rules)
    out_dir = _prepare_out(out, resume)
    ex, close = make_executor(executor, workers=workers, force=force)
    bar = _bar(settings["runs"], progress, f"optimize {firm}")
    try:
        runner = _Runner(ex, settings["weeks"], ruleset, _Values(out_dir, resume), bar)
        return _optimize(cfg, settings, runner, presets=presets)
    finally:
        bar.close()
        close()


@dataclass(frozen=True)
class SearchOptions:
    """The options of one allocation search (:func:`optimize`; :func:`equilibrium` runs one per
    best response), with their defaults. Checked by :func:`_settings`."""

    space: str = "acquisition_share"
    levers: Sequence[str] | None = None
    bounds: Sequence[float] = (0.0, 1.0)
    budget: Sequence[float] | None = None
    trials: int = 24
    replications: int = 4
    batch: int = 4
    top: int = 3
    confirm: int = 12
    marginal_step: float = 0.1
    weeks: int | None = None
    seed: int = 0
    force: bool = False

    @classmethod
    def from_kwargs(cls, options: Mapping[str, Any], where: str) -> SearchOptions:
        """Options by name; an unknown one is a one-line error naming ``where``."""
        names = [f.name for f in fields(cls)]
        for key in options:
            if key not in names:
                raise ScenarioError(
                    f"{key}: not an option of {where}{suggest(key, names)}; options are "
                    f"{', '.join(names)}"
                )
        return cls(**options)


def check_search(scenario: Scenario, firm: str, options: SearchOptions) -> dict[str, Any]:
    """Check a search before anything runs or is written: every option (a one-line
    :class:`~cxsim.params.ScenarioError` naming it), and the runs and memory it needs against
    :mod:`cxsim.params.limits`. Returns the checked settings."""
    return _settings(scenario, firm, options)


def _settings(cfg: Scenario, firm: str, opts: SearchOptions) -> dict[str, Any]:
    """Every option checked (one-line errors) and the run count checked against the limits,
    before anything runs or is written."""
    spc = _check_space(cfg, firm, opts.space, opts.levers, opts.bounds, opts.budget)
    trials = _check_int("trials", opts.trials, low=1)
    replications = _check_int("replications", opts.replications, low=1)
    batch = _check_int("batch", opts.batch, low=1)
    top = _check_int("top", opts.top, low=1)
    confirm = _check_int("confirm", opts.confirm, low=2)
    seed = _check_int("seed", opts.seed, low=0)
    step = opts.marginal_step
    if isinstance(step, bool) or not isinstance(step, int | float) or not 0.0 <= float(step) <= 1.0:
        raise ScenarioError(f"marginal_step: {show(step)} is not a share of the budget in [0, 1]")
    weeks = _check_weeks(opts.weeks)
    weeks = weeks if weeks is not None else cfg.market.weeks
    n_marginal = len(spc.levers or CUSTOMER_LEVERS) if step > 0 else 0
    candidates = min(top, trials) + 1 + (len(STRATEGIES) - 1)
    runs = trials * replications + (candidates + n_marginal) * confirm
    check_runs(runs, replications, force=opts.force)
    check_resources([(cfg, weeks, 1)], force=opts.force)
    return {
        "space": spc,
        "trials": trials,
        "replications": replications,
        "batch": batch,
        "top": top,
        "confirm": confirm,
        "marginal_step": float(step),
        "weeks": weeks,
        "seed": seed,
        "runs": runs,
        "force": opts.force,
    }


def _prepare_out(out: str | os.PathLike | None, resume: bool) -> Path | None:
    if resume and out is None:
        raise ValueError("resume: needs an output folder (out=...)")
    if out is None:
        return None
    from cxsim.experiments.outputs import check_out_dir, make_dir

    path = check_out_dir(out)
    make_dir(path)
    return path


def _bar(total: int, enabled: bool, desc: str):
    from cxsim.experiments.run import _progress_bar

    bar = _progress_bar(total, 0, enabled)
    if enabled:
        bar.set_description(desc)
    return bar


def _optimize(
    cfg: Scenario, settings: Mapping[str, Any], runner: _Runner, *, presets: bool
) -> OptimizeResult:
    import optuna

    spc: _Space = settings["space"]
    firm = spc.firm
    n_rep, n_conf = settings["replications"], settings["confirm"]
    all_seeds = replication_seeds(settings["seed"], n_rep + n_conf)
    search_seeds, fresh_seeds = all_seeds[:n_rep], all_seeds[n_rep:]
    base = _with(cfg, firm, {})  # non-adaptive, as searched

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=settings["seed"],
        n_startup_trials=max(2, min(10, settings["trials"] // 3)),
        multivariate=True,
        constant_liar=True,
    )
    study = optuna.create_study(direction="maximize", sampler=sampler)
    given = _spec(base, firm)
    for start in spc.starts(given.shares(), given.budget)[: settings["trials"]]:
        study.enqueue_trial(start)
    rows: list[dict[str, Any]] = []
    scenarios: dict[int, Scenario] = {}
    for b, start in enumerate(range(0, settings["trials"], settings["batch"])):
        asked = [study.ask() for _ in range(min(settings["batch"], settings["trials"] - start))]
        params = [spc.suggest(t) for t in asked]
        jobs = [(_with(base, firm, spc.overrides(p)), firm, search_seeds) for p in params]
        values = runner.evaluate(jobs)
        for t, p, (sc, _, _), v in zip(asked, params, jobs, values, strict=True):
            study.tell(t, float(v.mean()))
            mean, sd, lo, hi = _interval(v)
            scenarios[t.number] = sc
            rows.append(
                {
                    "trial": t.number,
                    "batch": b,
                    **_shown_params(spc, p),
                    "acquisition_share": _acq(sc, firm),
                    **{f"share.{lv}": s for lv, s in _shares(sc, firm).items()},
                    "budget": _spec(sc, firm).budget,
                    "n": v.size,
                    "mean": mean,
                    "sd": sd,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
    trials = pd.DataFrame(rows)

    # re-evaluate the best trials, the allocation as given and the presets on fresh seeds
    best_trials = trials.sort_values(["mean", "trial"], ascending=[False, True]).head(
        settings["top"]
    )
    candidates: dict[str, Scenario] = {
        f"trial {int(t)}": scenarios[int(t)] for t in best_trials["trial"]
    }
    candidates["as given"] = base
    if presets:
        for name in STRATEGIES:
            if name != "none":
                candidates[f"preset {name}"] = _with(
                    base,
                    firm,
                    {
                        f"firms.{firm}.strategy": name,
                        f"firms.{firm}.allocation": None,
                        f"firms.{firm}.acquisition_share": None,
                    },
                )
    fresh = runner.evaluate([(sc, firm, fresh_seeds) for sc in candidates.values()])
    by_name = dict(zip(candidates, fresh, strict=True))
    searched = [c for c in candidates if c.startswith("trial ")]
    best_name = max(searched, key=lambda c: (by_name[c].mean(), -int(c.split()[1])))
    best = by_name[best_name]
    conf_rows = []
    for name, v in by_name.items():
        mean, _, lo, hi = _interval(v)
        g_mean, _, g_lo, g_hi = _interval(best - v)
        conf_rows.append(
            {
                "candidate": name,
                "acquisition_share": _acq(candidates[name], firm),
                "n": v.size,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "gain": g_mean,
                "gain_low": g_lo,
                "gain_high": g_hi,
            }
        )
    confirmed = pd.DataFrame(conf_rows)
    best_sc = candidates[best_name]
    best_spec = _spec(best_sc, firm)

    # the marginal value of the next unit of budget, lever by lever
    marginal = pd.DataFrame(columns=["lever", "marginal", "low", "high", "step"])
    if settings["marginal_step"] > 0:
        step = settings["marginal_step"] * best_spec.budget
        money = step * settings["weeks"] / 52.0  # extra budget over the horizon (currency)
        levers = spc.levers or CUSTOMER_LEVERS
        bumped = [_bump(best_sc, firm, lv, step) for lv in levers]
        extra = runner.evaluate([(sc, firm, fresh_seeds) for sc in bumped])
        m_rows = []
        for lv, v in zip(levers, extra, strict=True):
            mean, _, lo, hi = _interval((v - best) / money) if step > 0 else (math.nan,) * 4
            m_rows.append({"lever": lv, "marginal": mean, "low": lo, "high": hi, "step": step})
        marginal = pd.DataFrame(m_rows)

    b_mean, _, b_lo, b_hi = _interval(best)
    return OptimizeResult(
        firm=firm,
        space=spc.kind,
        best_allocation=_shares(best_sc, firm),
        best_budget=float(best_spec.budget),
        best_value=b_mean,
        best_interval=(b_lo, b_hi),
        trials=trials,
        confirmed=confirmed,
        marginal=marginal,
        scenario=best_sc,
        settings={
            "seed": settings["seed"],
            "replications": n_rep,
            "confirm": n_conf,
            "trials": settings["trials"],
            "batch": settings["batch"],
            "weeks": settings["weeks"],
            "levers": list(spc.levers),
            "bounds": list(spc.bounds),
            "budget": list(spc.budget) if spc.budget else None,
            "best_candidate": best_name,
            "search_seeds": search_seeds,
            "fresh_seeds": fresh_seeds,
        },
    )


def _spec(sc: Scenario, firm: str):
    return sc.firms[_firm_position(sc, firm)]


def _shares(sc: Scenario, firm: str) -> dict[str, float]:
    return _spec(sc, firm).shares()


def _acq(sc: Scenario, firm: str) -> float:
    shares = _shares(sc, firm)
    return float(sum(shares[lv] for lv in ACQUISITION_LEVERS))


def _shown_params(spc: _Space, params: Mapping[str, float]) -> dict[str, float]:
    """A trial's searched numbers as reported (lever weights as the shares they give)."""
    if spc.kind == "levers":
        shown = {
            f"searched.{lv}": s
            for lv, s in simplex_shares({lv: params[f"w.{lv}"] for lv in spc.levers}).items()
        }
    else:
        shown = {"searched.acquisition_share": float(params["acquisition_share"])}
    if "budget" in params:
        shown["searched.budget"] = float(params["budget"])
    return shown


def _bump(sc: Scenario, firm: str, lever: str, money: float) -> Scenario:
    """``sc`` with ``money`` (currency per year) more for ``firm``, all of it on ``lever``: the
    other levers keep their spend."""
    spec = _spec(sc, firm)
    spend = {lv: s * spec.budget for lv, s in spec.shares().items()}
    spend[lever] += money
    total = spec.budget + money
    alloc = {lv: v / total for lv, v in spend.items() if v > 0}
    return _with(
        sc,
        firm,
        {
            f"firms.{firm}.allocation": alloc,
            f"firms.{firm}.acquisition_share": None,
            f"firms.{firm}.budget": total,
        },
    )


def best_toml(result: OptimizeResult) -> str:
    """The best scenario as TOML text (what ``best.toml`` holds), with a header saying where it
    comes from; every cxsim command accepts it."""
    import tomli_w

    st = result.settings
    low, high = result.best_interval
    header = (
        f"# Firm {result.firm!r} at the allocation cxsim optimize found ({result.space} "
        f"searched,\n# {st['trials']} trials x {st['replications']} seeds; the best "
        f"re-evaluated on {st['confirm']} fresh seeds;\n# root seed {st['seed']}, "
        f"{st['weeks']} weeks): NPV plus terminal customer equity\n"
        f"# {result.best_value:,.0f} [{low:,.0f}, {high:,.0f}]. See report.md.\n"
    )
    return header + tomli_w.dumps(result.scenario.to_dict())
