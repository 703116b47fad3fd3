"""Global sensitivity analysis: Morris screening and Sobol indices (SALib) of any output.

An *output* is any function of a result frame to one number, computed for each design point from
that point's runs (all its scenarios and replications), e.g. :func:`npv_difference`: the mean
over replications of the paired NPV difference between a retention-focused and an
acquisition-focused focal firm. Parameters are named as in :meth:`cxsim.Scenario.with_overrides`
and given ranges::

    from cxsim.experiments.sensitivity import morris, npv_difference, plot_sensitivity
    result = morris(npv_difference(), {"customers.wom_negative_reach": (0.05, 0.5),
                                       "customers.wom_positive_reach": (0.02, 0.3)},
                    scenarios=["retention_focus", "acquisition_focus"], trajectories=20)
    plot_sensitivity(result)

Samples come from SALib and run through :func:`cxsim.experiments.sweep`, so they use the same
executors, the same run store (``out=``, ``resume=``) and common random numbers: replication
``i`` of every design point uses the same seed, which removes most of the sampling noise from
differences between points (the elementary effects of Morris).

Methods: Morris (1991) with the μ* of Campolongo et al. (2007); Sobol (2001) first-order and
total indices with Saltelli's (2010) estimators (SALib ``sobol`` sample and analysis).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxsim.experiments import resolve_scenario, sweep
from cxsim.experiments.run import RulesLike
from cxsim.params import Scenario, ScenarioError
from cxsim.params.declare import field_of
from cxsim.params.levers import DISCOUNT_LEVERS, LEVERS, LeverParams
from cxsim.params.limits import MAX_POINTS, check_count
from cxsim.params.strategies import STRATEGIES

__all__ = [
    "DEFAULT_RANGES",
    "GAP_LEVERS",
    "LEVER_RANGE_FACTOR",
    "lever_ranges",
    "metric_output",
    "morris",
    "npv_difference",
    "paired_difference",
    "plot_sensitivity",
    "problem",
    "sobol",
]

Output = Callable[[pd.DataFrame], float]

#: The levers whose response parameters matter for the acquisition-versus-retention question:
#: every lever the ``acquisition_focus`` or ``retention_focus`` strategy spends on
#: (:data:`cxsim.params.STRATEGIES`), in the order of :data:`cxsim.params.levers.LEVERS`.
GAP_LEVERS: tuple[str, ...] = tuple(
    lever
    for lever in LEVERS
    if any(STRATEGIES[s].get(lever, 0.0) > 0.0 for s in ("acquisition_focus", "retention_focus"))
)

#: Lever-response ranges run from the declared default divided by this factor to the default
#: times it (×0.5 to ×2). The ceilings and efficiencies are calibrated, not measured, and were
#: converted between units (:mod:`cxsim.params.levers`), so a factor of two either way is a
#: judgement of how far off they may be, not an estimated interval. Uniform sampling of such a
#: range puts two thirds of it above the default.
LEVER_RANGE_FACTOR = 2.0


def lever_ranges(
    levers: Iterable[str] = GAP_LEVERS, factor: float = LEVER_RANGE_FACTOR
) -> dict[str, tuple[float, float]]:
    """Ranges of the response parameters of ``levers``: ``levers.<lever>_ceiling`` and
    ``levers.<lever>_efficiency`` (the discounts have a ceiling only: their depth is the budget
    per redemption) from ``default / factor`` to ``default · factor``, cut to the range each
    parameter declares (:class:`cxsim.params.levers.LeverParams`; e.g. a discount ceiling, a
    share of price, stops at 1). Defaults and bounds are read from the declarations, so the
    ranges follow them."""
    if not factor > 1.0:
        raise ScenarioError(f"factor: {factor!r} must be > 1")
    ranges: dict[str, tuple[float, float]] = {}
    for lever in levers:
        if lever not in LEVERS:
            raise ScenarioError(f"lever {lever!r} is not one of {', '.join(LEVERS)}")
        kinds = ("ceiling",) if lever in DISCOUNT_LEVERS else ("ceiling", "efficiency")
        for kind in kinds:
            f = field_of(LeverParams, f"{lever}_{kind}")
            low, high = f.metadata["low"], f.metadata["high"]
            ranges[f"levers.{f.name}"] = (
                max(low, f.default / factor),
                min(high, f.default * factor),
            )
    return ranges


#: A default set of uncertain parameters for the acquisition-versus-retention question: four of
#: the customers and the market, and the response of every lever either strategy spends on
#: (:func:`lever_ranges`; the levers' responses are market-wide, so the rival's change too).
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "customers.wom_negative_reach": (0.05, 0.5),
    "customers.wom_positive_reach": (0.02, 0.3),
    # the CDNOW fit's churn_base (0.2335 a week) within about two of its standard errors
    "customers.churn_base": (0.15, 0.32),
    "market.expectation_inflation": (0.0, 0.01),
    **lever_ranges(),
}


# --------------------------------------------------------------------------------------------
# outputs
# --------------------------------------------------------------------------------------------


def metric_output(
    metric: str, *, scenario: str | None = None, firm: str = "focal", week: float | None = None
) -> Output:
    """Output: mean over replications of ``metric`` for ``firm`` at ``week`` (default: last)."""

    def output(frame: pd.DataFrame) -> float:
        rows = _at(frame, firm=firm, week=week, scenario=scenario)
        return float(rows[metric].mean())

    output.__name__ = f"{metric}[{firm}{'@' + scenario if scenario else ''}]"
    return output


def paired_difference(
    metric: str, a: str, b: str, *, firm: str = "focal", week: float | None = None
) -> Output:
    """Output: mean over replications of ``metric(a) − metric(b)``, paired by replication."""

    def output(frame: pd.DataFrame) -> float:
        va = _at(frame, firm=firm, week=week, scenario=a).set_index("replication")[metric]
        vb = _at(frame, firm=firm, week=week, scenario=b).set_index("replication")[metric]
        diff = (va - vb).dropna()
        if diff.empty:
            raise ValueError(f"no paired replications of {a!r} and {b!r} in the frame")
        return float(diff.mean())

    output.__name__ = f"{metric}[{a}] − {metric}[{b}] ({firm})"
    return output


def npv_difference(
    a: str = "retention_focus",
    b: str = "acquisition_focus",
    *,
    firm: str = "focal",
    week: float | None = 260,
) -> Output:
    """Output: paired NPV difference ``a − b`` of ``firm`` at ``week`` (default 260, or the last
    week when the runs are shorter)."""
    return paired_difference("npv", a, b, firm=firm, week=week)


# --------------------------------------------------------------------------------------------
# methods
# --------------------------------------------------------------------------------------------


def problem(ranges: Mapping[str, Sequence[float]]) -> dict[str, Any]:
    """The SALib problem dict for ``{name: (low, high)}``, checked."""
    if not ranges:
        raise ScenarioError("ranges: give at least one parameter with its (low, high) range")
    names, bounds = [], []
    for name, rng in ranges.items():
        try:
            low, high = (float(v) for v in rng)
        except (TypeError, ValueError):
            raise ScenarioError(f"{name}: range {rng!r} is not a pair (low, high)") from None
        if not (np.isfinite(low) and np.isfinite(high)) or low >= high:
            raise ScenarioError(f"{name}: range ({low:g}, {high:g}) must have low < high, finite")
        names.append(str(name))
        bounds.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def morris(
    output: Output | str,
    ranges: Mapping[str, Sequence[float]] | None = None,
    *,
    scenarios: Any = None,
    trajectories: int = 10,
    levels: int = 4,
    replications: int = 1,
    seed: int = 0,
    weeks: int | None = None,
    executor: Any = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    conf_level: float = 0.95,
    rules: RulesLike = None,
    force: bool = False,
) -> pd.DataFrame:
    """Morris elementary-effects screening of ``output`` over ``ranges``.

    Runs ``trajectories·(k+1)`` design points (``k`` parameters), each on every scenario with
    ``replications`` paired runs.

    The runs go through :func:`cxsim.experiments.sweep`: ``scenarios`` (default: the default
    market), ``replications``, ``seed`` (also SALib's sampling and bootstrap seed), ``weeks``,
    ``executor``, ``out``, ``resume`` and ``progress`` as there. ``rules``: behavioural rules to
    swap, by name (``{"update_trust": "pkg.mod:func"}`` or functions; see
    :mod:`cxsim.core.ruleset`), in every run; on worker processes or Dask they must be importable
    module-level functions. ``force``: run even over the limits of :mod:`cxsim.params.limits`
    (design points, counted before SALib draws them; runs, steps, memory).

    Returns:
        A tidy frame: ``method, output, parameter, index, value, conf`` with indices ``mu``,
        ``mu_star``, ``sigma`` (``conf`` is the bootstrap half-width of ``mu_star``), sorted by
        ``mu_star`` (most influential first). ``result.attrs`` holds ``problem``, ``X``, ``Y``.
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    ranges = DEFAULT_RANGES if ranges is None else ranges
    prob = problem(ranges)
    fn = _output(output)
    _check_positive("trajectories", trajectories, 2)
    _check_positive("levels", levels, 2)
    check_count("design", trajectories * (prob["num_vars"] + 1), MAX_POINTS, force=force)
    bases = _prepare(scenarios, prob)
    x = sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    y = _evaluate(
        fn,
        x,
        prob,
        bases,
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
    res = analyze.analyze(
        prob, x, y, num_levels=levels, conf_level=conf_level, seed=seed, print_to_console=False
    )
    rows = []
    for i, name in enumerate(prob["names"]):
        rows.append(("mu", name, res["mu"][i], np.nan))
        rows.append(("mu_star", name, res["mu_star"][i], res["mu_star_conf"][i]))
        rows.append(("sigma", name, res["sigma"][i], np.nan))
    order = np.argsort(-np.asarray(res["mu_star"], dtype=float), kind="stable")
    rank = {prob["names"][j]: r for r, j in enumerate(order)}
    return _tidy("morris", fn, rows, rank, prob, x, y)


def sobol(
    output: Output | str,
    ranges: Mapping[str, Sequence[float]] | None = None,
    *,
    scenarios: Any = None,
    samples: int = 64,
    second_order: bool = False,
    replications: int = 1,
    seed: int = 0,
    weeks: int | None = None,
    executor: Any = None,
    out: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    conf_level: float = 0.95,
    rules: RulesLike = None,
    force: bool = False,
) -> pd.DataFrame:
    """Sobol first-order (``S1``) and total (``ST``) indices of ``output`` over ``ranges``.

    ``samples`` (a power of 2) base samples give ``samples·(k+2)`` design points
    (``samples·(2k+2)`` with ``second_order``, which adds ``S2`` rows named ``"a × b"``).

    ``scenarios``, ``replications``, ``seed``, ``weeks``, ``executor``, ``out``, ``resume``,
    ``progress``, ``rules`` (behavioural rules swapped in every run, see
    :mod:`cxsim.core.ruleset`) and ``force`` are as in :func:`morris`.

    Returns:
        The tidy frame of :func:`morris` with indices ``S1``, ``ST`` (and ``S2``) and their
        bootstrap half-widths in ``conf``, sorted by ``ST``.
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    ranges = DEFAULT_RANGES if ranges is None else ranges
    prob = problem(ranges)
    fn = _output(output)
    _check_positive("samples", samples, 2)
    if samples & (samples - 1):
        raise ScenarioError(f"samples: {samples} must be a power of 2 (e.g. 64, 128, 256)")
    k = prob["num_vars"]
    check_count("design", samples * (2 * k + 2 if second_order else k + 2), MAX_POINTS, force=force)
    bases = _prepare(scenarios, prob)
    x = sample.sample(prob, samples, calc_second_order=second_order, seed=seed)
    y = _evaluate(
        fn,
        x,
        prob,
        bases,
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
    res = analyze.analyze(
        prob,
        y,
        calc_second_order=second_order,
        conf_level=conf_level,
        seed=seed,
        print_to_console=False,
    )
    names = prob["names"]
    rows = []
    for i, name in enumerate(names):
        rows.append(("S1", name, res["S1"][i], res["S1_conf"][i]))
        rows.append(("ST", name, res["ST"][i], res["ST_conf"][i]))
    if second_order:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append(
                    ("S2", f"{names[i]} × {names[j]}", res["S2"][i][j], res["S2_conf"][i][j])
                )
    order = np.argsort(
        -np.nan_to_num(np.asarray(res["ST"], dtype=float), nan=-np.inf), kind="stable"
    )
    rank = {names[j]: r for r, j in enumerate(order)}
    return _tidy("sobol", fn, rows, rank, prob, x, y)


# --------------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------------


def plot_sensitivity(result: pd.DataFrame, ax: Any = None):
    """Bar chart of the indices, most influential parameter on top, with confidence whiskers.

    Morris: μ* (bars, with its interval) and σ (dots) per parameter. Sobol: first-order and total
    indices side by side. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from cxsim.viz.plots import PALETTE, style

    method = str(result["method"].iloc[0])
    out_name = str(result["output"].iloc[0])
    with style():
        if ax is None:
            params = result["parameter"].nunique()
            _, ax = plt.subplots(figsize=(6.4, 1.2 + 0.45 * params), layout="constrained")
        if method == "morris":
            shown = (
                ("mu_star", "μ* (mean |elementary effect|)"),
                ("sigma", "σ (interactions, non-linearity)"),
            )
        else:
            shown = (("S1", "first-order S1"), ("ST", "total ST"))
        main = result[result["index"] == shown[0][0]].sort_values("value", ascending=True)
        names = list(main["parameter"])
        pos = np.arange(len(names))
        height = 0.38
        for k, (index, label) in enumerate(shown):
            part = result[result["index"] == index].set_index("parameter").reindex(names)
            err = part["conf"].to_numpy(dtype=float)
            ax.barh(
                pos + (0.5 - k) * height,
                part["value"].to_numpy(dtype=float),
                height=height,
                xerr=None if np.isnan(err).all() else np.nan_to_num(err),
                label=label,
                color=PALETTE[k],
                error_kw={"elinewidth": 0.8, "capsize": 2},
            )
        ax.set_yticks(pos, names)
        ax.axvline(0.0, color="#888888", linewidth=0.8)
        unit = "output units" if method == "morris" else "share of output variance"
        ax.set_xlabel(f"sensitivity index ({unit})")
        ax.set_ylabel("parameter")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        ax.set_title(f"{method.capitalize()} sensitivity of {out_name}")
        return ax


# --------------------------------------------------------------------------------------------
# internals
# --------------------------------------------------------------------------------------------


def _output(output: Output | str) -> Output:
    if isinstance(output, str):
        return metric_output(output)
    if not callable(output):
        raise TypeError(f"output: {output!r} is not a function of a frame or a metric name")
    return output


def _check_positive(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ScenarioError(f"{name}: {value!r} must be a whole number ≥ {low}")


def _prepare(scenarios: Any, prob: Mapping[str, Any]) -> Any:
    """Resolve the base scenarios and check every parameter at both ends of its range."""
    if scenarios is None:
        bases: Any = [Scenario()]
    elif isinstance(scenarios, Mapping):
        bases = {k: resolve_scenario(v) for k, v in scenarios.items()}
    elif isinstance(scenarios, Scenario | str | os.PathLike):
        bases = [resolve_scenario(scenarios)]
    else:
        bases = [resolve_scenario(s) for s in scenarios]
    for base in bases.values() if isinstance(bases, Mapping) else bases:
        for name, (low, high) in zip(prob["names"], prob["bounds"], strict=True):
            for value in (low, high):
                base.with_overrides({name: _typed(base, name, value)})
    return bases


def _typed(base: Scenario, name: str, value: float) -> Any:
    from cxsim.params import typed_overrides

    return typed_overrides(base, {name: float(value)})[name]


def _evaluate(
    fn: Output, x: np.ndarray, prob: Mapping[str, Any], bases: Any, **kw: Any
) -> np.ndarray:
    """``fn`` at every design point of ``x``, from one :func:`sweep` of the design on ``bases``
    (``kw``: sweep's keyword arguments, ``rules`` included, passed on as they are)."""
    frame = sweep((x, prob["names"]), bases, **kw)
    y = np.full(x.shape[0], np.nan)
    reasons: dict[int, str] = {}
    for point, part in frame.groupby("point", sort=True):
        try:
            y[int(point)] = fn(part)
        except (ValueError, KeyError, TypeError) as exc:  # e.g. no paired replications left
            reasons[int(point)] = " ".join(str(exc.args[0] if exc.args else exc).split())
    missing = np.flatnonzero(np.isnan(y))
    if missing.size:
        first = int(missing[0])
        why = reasons.get(first, "a run failed or the output is NaN")
        raise RuntimeError(
            f"output is missing at {missing.size} of {y.size} design points, e.g. point "
            f"{first} ({why}): {dict(zip(prob['names'], x[first].tolist(), strict=True))}"
        )
    return y


def _tidy(
    method: str,
    fn: Output,
    rows: Iterable[tuple],
    rank: Mapping[str, int],
    prob: Mapping[str, Any],
    x: np.ndarray,
    y: np.ndarray,
) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=["index", "parameter", "value", "conf"])
    df.insert(0, "output", getattr(fn, "__name__", "output"))
    df.insert(0, "method", method)
    df["value"] = df["value"].astype(float)
    df["conf"] = df["conf"].astype(float)
    df["rank"] = df["parameter"].map(rank).astype("Int64")
    df = df.sort_values(["rank", "index"], kind="stable", na_position="last")
    df = df.reset_index(drop=True)
    df.attrs.update({"problem": dict(prob), "X": x, "Y": y})
    return df


def _at(
    frame: pd.DataFrame, *, firm: str, week: float | None, scenario: str | None
) -> pd.DataFrame:
    rows = frame[frame["firm"] == firm]
    if rows.empty:
        raise KeyError(f"firm {firm!r} is not in the frame")
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
        if rows.empty:
            raise KeyError(f"scenario {scenario!r} is not in the frame")
    weeks = rows["week"].to_numpy(dtype=float)
    if week is None or week >= weeks.max():
        target = weeks.max()
    else:
        target = weeks[np.argmin(np.abs(weeks - float(week)))]
    return rows[weeks == target]
