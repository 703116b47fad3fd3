"""Docking: the real model, configured for cases with a known answer (Rand & Rust 2011).

Docking ("alignment", Axtell et al. 1996) runs a simulation in a configuration where another
model's answer is known and checks that both agree. cxsim docks with three closed forms and one
published finding; every function here configures :class:`cxsim.Market` itself (no separate toy
code path) and only reads what the model produces:

* **Bass (1969) diffusion.** One firm, no churn, no word of mouth, every customer who starts to
  consider the firm buys at once (``need_rate = inf``, no outside option), consideration hazard
  ``p + q·(share of the customer's own contacts who are customers)`` per year. On a complete
  network the expected adoption follows the discrete recursion
  ``F[k+1] = F[k] + (1 − F[k])(1 − exp(−(p + q F[k]) dt))`` exactly, and the Bass curve
  ``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t})`` as ``dt → 0``.
* **Customer lifetime value.** A cohort of existing customers who buy once a period with margin
  ``m`` and stay with constant probability ``r``: discounted at ``d`` per period, with the first
  margin now, ``CLV = m(1+d)/(1+d−r)`` (Gupta & Lehmann 2003).
* **Expectation half-life.** At constant quality the expectation gap shrinks by ``(1 − α)`` per
  purchase, so it halves every ``ln 2 / −ln(1 − α)`` purchases (:func:`cxsim.core.rules.adapt_expectation`).
* **Networks (Fibich & Gibori 2010).** With ``q`` applied to the share of each customer's own
  contacts, adoption on sparse networks (Watts–Strogatz, ring lattice) stays below the
  complete-network Bass curve.

The checks registered at the bottom of this module are what ``cxsim validate`` runs; sizes are
chosen so the whole docking set runs in about two and a half minutes on two cores (docs/validation.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core import rules
from cxsim.core.model import Market
from cxsim.params import FirmSpec
from cxsim.validation.checks import Check, CheckResult, default_workers, executor, register

WEEKS_PER_YEAR = 52.0

#: Quiet settings for everything the docking cases do not involve: no churn, no word of mouth,
#: no rising bar, every need served at once, no outside option.
_QUIET: dict[str, Any] = {
    "need_rate": math.inf,
    "outside_utility": -math.inf,
    "churn_base": 0.0,
    "churn_trust_sensitivity": 0.0,
    "churn_grudge_sensitivity": 0.0,
    "wom_positive_reach": 0.0,
    "wom_negative_reach": 0.0,
    "expectation_inflation": 0.0,
}


def _seed_sequence(rng: Any) -> np.random.SeedSequence:
    """A SeedSequence from ``None``, an int, a SeedSequence or a Generator (which is advanced)."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(rng.integers(0, 2**63, size=4).tolist())
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.SeedSequence(None if rng is None else int(rng))
    raise TypeError(
        f"rng must be None, an int, a SeedSequence or a Generator, not {type(rng).__name__}"
    )


def _map(fn: Any, jobs: Sequence[Any], pool: Executor | None) -> list[Any]:
    if pool is None or len(jobs) < 2:
        return [fn(job) for job in jobs]
    return list(pool.map(fn, jobs))


# --------------------------------------------------------------------------------------------
# Bass diffusion
# --------------------------------------------------------------------------------------------


def bass_closed_form(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Bass (1969) cumulative adoption share ``F(t) = (1 − e^{−(p+q)t}) / (1 + (q/p) e^{−(p+q)t})``.

    ``t`` in years, ``p`` and ``q`` per year. ``p = 0`` gives no adoption at all.
    """
    t = np.asarray(t, dtype=float)
    if p <= 0:
        return np.zeros_like(t)
    e = np.exp(-(p + q) * t)
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_recursion(p: float, q: float, dt: float, steps: int) -> np.ndarray:
    """Discrete-time Bass: ``F[k+1] = F[k] + (1 − F[k])(1 − exp(−(p + q F[k]) dt))``, ``F[0] = 0``.

    The exact expected path of the model's weekly cycle on a complete network in the large-``n``
    limit (consideration uses the share of customers at the start of the step). Returns
    ``steps + 1`` values.
    """
    f = np.zeros(steps + 1)
    for k in range(steps):
        f[k + 1] = f[k] + (1.0 - f[k]) * -math.expm1(-(p + q * f[k]) * dt)
    return f


def bass_market(
    p: float,
    q: float,
    *,
    n_customers: int = 10_000,
    dt: float = 0.1,
    network: str = "complete",
    mean_degree: float = 10.0,
    rewire_prob: float = 0.1,
    rng: Any = None,
) -> Market:
    """The real :class:`~cxsim.Market` configured as a Bass diffusion.

    One firm that spends nothing (strategy ``"none"``, budget 0) with external reach ``p`` per
    year (``base_reach``) and nobody aware of it at start; ``social_influence = q`` per year on
    the share of each customer's own contacts who are customers; ``need_rate = inf`` and no
    outside option, so whoever starts to consider the firm buys in the same step and becomes a
    customer; no churn, no word of mouth, no expectation inflation. ``dt`` is in years (the
    model's step is ``dt·52`` weeks).
    """
    firm = FirmSpec(
        name="bass",
        strategy="none",
        budget=0.0,
        budget_revenue_share=0.0,
        base_reach=p,
        initial_customers=0.0,
        initial_awareness=0.0,
    )
    return Market(
        rng=rng,
        customer_agents=False,
        firms=[firm],
        n_customers=n_customers,
        network=network,
        mean_degree=min(mean_degree, n_customers - 1),
        rewire_prob=rewire_prob,
        social_influence=q,
        dt=dt * WEEKS_PER_YEAR,
        **_QUIET,
    )


def _bass_path(
    job: tuple[float, float, int, int, float, str, float, float, np.random.SeedSequence],
) -> np.ndarray:
    """One replication: adopted share after each step (``steps + 1`` values). Runs in workers."""
    p, q, n, steps, dt, network, mean_degree, rewire_prob, seed = job
    market = bass_market(
        p,
        q,
        n_customers=n,
        dt=dt,
        network=network,
        mean_degree=mean_degree,
        rewire_prob=rewire_prob,
        rng=np.random.default_rng(seed),
    )
    market.run_for(steps)
    frame = market.to_frame()
    return frame["customers"].to_numpy(dtype=float) / n


def bass_docking(
    p: float,
    q: float,
    *,
    n_customers: int = 10_000,
    years: float = 15,
    dt: float = 0.1,
    replications: int = 10,
    network: str = "complete",
    rng: Any = None,
    mean_degree: float = 10.0,
    rewire_prob: float = 0.1,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Simulated Bass diffusion against the discrete recursion and the closed form.

    Args:
        p: external influence per year (the firm's ``base_reach``).
        q: internal influence per year (``customers.social_influence``).
        n_customers: market size.
        years: length of each run.
        dt: step length in years (``market.dt = dt·52`` weeks).
        replications: independent runs, seeded from one ``numpy.random.SeedSequence``.
        network: network kind (``complete`` for the Bass model itself).
        rng: seed (int), SeedSequence or Generator for the replications' seeds.
        mean_degree: contacts per customer on sparse networks.
        rewire_prob: Watts–Strogatz rewiring probability.
        executor: a ``concurrent.futures.Executor`` to run replications on (default: here).

    Returns:
        One row per step: ``t`` (years), ``adopted_share`` (mean over replications of active
        customers / n), ``se`` (its Monte-Carlo standard error, between replications),
        ``recursion`` (discrete Bass for this ``dt``) and ``closed_form`` (Bass 1969).
        ``frame.attrs`` holds the parameters.
    """
    steps = int(round(years / dt))
    if steps < 1:
        raise ValueError(f"years={years} and dt={dt} give no step")
    children = _seed_sequence(rng).spawn(replications)
    jobs = [(p, q, n_customers, steps, dt, network, mean_degree, rewire_prob, s) for s in children]
    paths = np.vstack(_map(_bass_path, jobs, executor))
    t = np.arange(steps + 1) * dt
    se = paths.std(axis=0, ddof=1) / math.sqrt(replications) if replications > 1 else np.nan
    frame = pd.DataFrame(
        {
            "t": t,
            "adopted_share": paths.mean(axis=0),
            "se": se,
            "recursion": bass_recursion(p, q, dt, steps),
            "closed_form": bass_closed_form(t, p, q),
        }
    )
    frame.attrs.update(
        p=p,
        q=q,
        dt=dt,
        n_customers=n_customers,
        replications=replications,
        network=network,
        mean_degree=mean_degree,
        rewire_prob=rewire_prob,
    )
    return frame


def se_floor(n_customers: int, replications: int) -> float:
    """Smallest standard error used in z-scores: one customer in one replication's mean.

    Where every replication gives the same share (0 at the start, 1 at saturation) the sample
    standard error is 0; differences smaller than one customer are then not evidence of anything.
    """
    return 1.0 / (n_customers * math.sqrt(replications))


def bass_errors(frame: pd.DataFrame) -> dict[str, float]:
    """Docking errors of a :func:`bass_docking` frame.

    Returns:
        ``max_z``: max over t of |simulated − recursion| / se (se floored by :func:`se_floor`);
        ``max_recursion``: max |simulated − recursion|; ``max_closed_form``: max |simulated −
        closed form|; ``max_discretisation``: max |recursion − closed form| (no noise in it);
        ``t_max_z``: where ``max_z`` occurs; ``excess_over_recursion``: max of (simulated −
        recursion) / se, the one-sided statistic for an upper bound.
    """
    a = frame.attrs
    floor = se_floor(a.get("n_customers", 10_000), a.get("replications", 1))
    se = np.maximum(frame["se"].fillna(0.0).to_numpy(), floor)
    diff = (frame["adopted_share"] - frame["recursion"]).to_numpy()
    z = np.abs(diff) / se
    return {
        "max_z": float(z.max()),
        "t_max_z": float(frame["t"].to_numpy()[z.argmax()]),
        "excess_over_recursion": float((diff / se).max()),
        "max_recursion": float(np.abs(diff).max()),
        "max_closed_form": float((frame["adopted_share"] - frame["closed_form"]).abs().max()),
        "max_discretisation": float((frame["recursion"] - frame["closed_form"]).abs().max()),
    }


# --------------------------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------------------------


def clv_closed_form(margin: float, retention: float, discount: float) -> float:
    """``m(1+d)/(1+d−r)``: expected discounted margin of a customer retained with probability
    ``r`` per period, margins at the start of each period, the first one now (Gupta & Lehmann 2003)."""
    return margin * (1.0 + discount) / (1.0 + discount - retention)


def clv_market(
    margin: float,
    retention: float,
    *,
    n_customers: int = 50_000,
    period_weeks: float = WEEKS_PER_YEAR,
    rng: Any = None,
) -> Market:
    """The real :class:`~cxsim.Market` configured as a CLV cohort.

    One firm whose customers are the whole market at t = 0 (``initial_customers = 1``,
    ``initial_awareness = 1``), ``need_rate = inf`` (one purchase per step), ``price − unit_cost
    = margin``, no spend; a constant churn hazard ``−ln(r)/dt`` per week (trust and grudge do
    not matter), so each step a customer stays with probability ``r``; no way back (no reach,
    no social influence, no word of mouth). One period = one step = ``period_weeks`` weeks.
    """
    if not 0.0 < retention < 1.0:
        raise ValueError(
            f"retention={retention} must be in (0, 1): a cohort that never leaves has no end"
        )
    price, cost = (margin, 0.0) if margin >= 0 else (0.0, -margin)
    firm = FirmSpec(
        name="cohort",
        strategy="none",
        budget=0.0,
        budget_revenue_share=0.0,
        price=price,
        unit_cost=cost,
        base_reach=0.0,
        initial_customers=1.0,
        initial_awareness=1.0,
    )
    params = dict(_QUIET, churn_base=-math.log(retention) / period_weeks)
    return Market(
        rng=rng,
        customer_agents=False,
        firms=[firm],
        n_customers=n_customers,
        network="complete",
        social_influence=0.0,
        dt=period_weeks,
        **params,
    )


def clv_docking(
    margin: float,
    retention: float,
    discount: float,
    *,
    n_customers: int = 50_000,
    rng: Any = None,
    period_weeks: float = WEEKS_PER_YEAR,
    max_periods: int = 100_000,
) -> pd.Series:
    """Simulated customer lifetime value of a cohort against ``m(1+d)/(1+d−r)``.

    The cohort is run until every customer has left. Each customer's lifetime ``L`` (purchases)
    is read from the model's ``purchases`` column (nobody rejoins); the customer's value is
    ``Σ_{k<L} m/(1+d)^k``, with ``d`` per period (computed here, not via ``market.discount_rate``,
    which is per year and continuous in weeks).

    Returns:
        Series with ``mean`` (simulated CLV per customer), ``se`` (standard error over customers),
        ``closed_form``, ``z`` = (mean − closed form)/se, ``n``, ``periods`` (steps run),
        ``mean_books`` (the same value from the firm's own weekly profit, discounted: a check on
        the books) and ``retention_observed`` (stays / exposures).
    """
    market = clv_market(
        margin, retention, n_customers=n_customers, period_weeks=period_weeks, rng=rng
    )
    c = market.customers
    start = c.purchases[:, 0].astype(np.int64)
    active = np.isin(c.stage[:, 0], rules.ACTIVE_STAGES)
    periods = 0
    while active.any():
        if periods >= max_periods:
            raise RuntimeError(f"{active.sum()} customers still active after {max_periods} periods")
        market.step()
        periods += 1
        active = np.isin(c.stage[:, 0], rules.ACTIVE_STAGES)
    lifetime = c.purchases[:, 0].astype(np.int64) - start
    if lifetime.min() < 1:
        raise RuntimeError(
            "a customer of the cohort never bought: the model no longer serves "
            "every need of an active customer when need_rate = inf"
        )
    factor = np.concatenate(([0.0], np.cumsum((1.0 + discount) ** -np.arange(lifetime.max()))))
    value = margin * factor[lifetime]
    profit = market.to_frame()["profit"].to_numpy()[1:]  # row 0 is the state before any step
    books = float(np.sum(profit * (1.0 + discount) ** -np.arange(profit.size))) / n_customers
    cf = clv_closed_form(margin, retention, discount)
    mean = float(value.mean())
    se = float(value.std(ddof=1) / math.sqrt(n_customers))
    return pd.Series(
        {
            "mean": mean,
            "se": se,
            "closed_form": cf,
            "z": (mean - cf) / se if se > 0 else (0.0 if mean == cf else math.inf),
            "n": n_customers,
            "periods": periods,
            "mean_books": books,
            "retention_observed": 1.0 - n_customers / float(lifetime.sum()),
        },
        name=f"clv(m={margin:g}, r={retention:g}, d={discount:g})",
    )


# --------------------------------------------------------------------------------------------
# Expectation half-life
# --------------------------------------------------------------------------------------------


def half_life_closed_form(alpha: float) -> float:
    """Purchases for the expectation gap to halve at constant quality: ``ln 2 / −ln(1 − α)``."""
    return math.log(2.0) / -math.log1p(-alpha)


def _fitted_half_life(gaps: np.ndarray) -> float:
    """Half-life (steps) of a geometric sequence of gaps, from a log-linear least-squares fit."""
    gaps = np.abs(np.asarray(gaps, dtype=float))
    keep = gaps > 1e-6 * gaps[0]  # below that, rounding of E near X dominates
    k = np.arange(gaps.size)[keep]
    slope = np.polyfit(k, np.log(gaps[keep]), 1)[0]
    return math.log(2.0) / -slope


def rule_half_life(alpha: float, *, gap: float = 1.0, purchases: int = 20) -> float:
    """Half-life measured on the rule itself: ``adapt_expectation`` applied ``purchases`` times
    at constant experienced quality, starting ``gap`` below (``gap > 0``, rate ``α`` up) or above it."""
    quality = 5.0
    e = np.array([quality - gap])
    gaps = [gap]
    for _ in range(purchases):
        e = rules.adapt_expectation(e, np.array([quality]), alpha, alpha)
        gaps.append(float(quality - e[0]))
    return _fitted_half_life(np.array(gaps))


def expectation_half_life(
    gap: float = 1.0,
    *,
    n_customers: int = 1_000,
    purchases: int = 20,
    rng: Any = 0,
    **params: Any,
) -> pd.Series:
    """Half-life of the expectation gap in a :class:`~cxsim.Market` run at constant quality.

    One firm of quality 5 that spends nothing, known to everyone and chosen by everyone at every
    step (``need_rate = inf``, no outside option); experiences without noise or mismatch (every
    customer's need sits at the firm's position), so each customer experiences exactly 5;
    every customer starts expecting ``5 − gap``. The mean disconfirmation of step ``k`` is
    then ``gap·(1 − α)^(k−1)`` with ``α`` the model's
    ``expectation_up`` (``gap > 0``) or ``expectation_down`` (``gap < 0``). ``params`` override
    model parameters (e.g. ``expectation_up=0.4``).

    Returns:
        Series: ``half_life`` (purchases, fitted to the model's ``mean_disconfirmation``),
        ``closed_form``, ``alpha``, ``first_gap`` (step 1's mean disconfirmation).
    """
    quality = 5.0
    firm = FirmSpec(
        name="steady",
        strategy="none",
        budget=0.0,
        budget_revenue_share=0.0,
        quality=quality,
        base_reach=0.0,
        initial_customers=0.0,
        initial_awareness=1.0,
    )
    settings = dict(
        _QUIET,
        experience_noise=0.0,
        mismatch_weight=0.0,
        need_heterogeneity=0.0,  # every need at the offer's position: no mismatch of any kind
        initial_expectation=quality - gap,
        initial_expectation_sd=0.0,
        social_influence=0.0,
        network="complete",
    )
    settings.update(params)
    market = Market(
        rng=rng, customer_agents=False, firms=[firm], n_customers=n_customers, **settings
    )
    market.run_for(purchases)
    d = market.to_frame()["mean_disconfirmation"].to_numpy()[1:]
    cfg = market.config.customers
    alpha = cfg.expectation_up if gap > 0 else cfg.expectation_down
    return pd.Series(
        {
            "half_life": _fitted_half_life(d),
            "closed_form": half_life_closed_form(alpha),
            "alpha": alpha,
            "first_gap": float(d[0]),
        }
    )


# --------------------------------------------------------------------------------------------
# Figures for docs/validation.md
# --------------------------------------------------------------------------------------------


def make_figures(
    outdir: str | Path = "docs/figures",
    *,
    rng: int = 2026,
    workers: int | None = None,
    pool: Executor | None = None,
) -> list[Path]:
    """Draw the docking figures of docs/validation.md into ``outdir``; return their paths.

    * ``bass_docking.png``: simulated vs recursion vs closed-form Bass curves for four (p, q),
      at dt = 0.1 (the discretisation gap) and dt = 0.01;
    * ``clv_docking.png``: simulated CLV (± 2 SE) across retention rates, three discount rates;
    * ``bass_networks.png``: adoption on complete, Watts–Strogatz and ring-lattice networks.

    Replications run on ``pool`` if given, else on a process pool of ``workers`` processes
    (default: one per core; 1 runs everything here). About 3 minutes of CPU in all.
    ``cxsim validate --figures OUTDIR`` does the same from a shell.
    """
    if pool is None and (workers or default_workers()) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers or default_workers(), mp_context=ctx) as own:
            return make_figures(outdir, rng=rng, workers=1, pool=own)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(rng).spawn(3)
    paths: list[Path] = []

    # 1. Bass curves
    pairs = [(0.003, 0.7), (0.01, 0.4), (0.03, 0.38), (0.05, 0.1)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, dt, reps in ((axes[0], 0.1, 20), (axes[1], 0.01, 4)):
        for (p, q), seed, colour in zip(
            pairs, seeds[0].spawn(len(pairs)), plt.cm.tab10.colors, strict=False
        ):
            f = bass_docking(p, q, dt=dt, replications=reps, rng=seed, executor=pool)
            ax.plot(
                f["t"],
                f["closed_form"],
                color=colour,
                lw=2.5,
                alpha=0.35,
                label=f"p={p:g}, q={q:g}",
            )
            ax.plot(f["t"], f["recursion"], color=colour, lw=1, ls="--")
            ax.plot(
                f["t"][:: 5 if dt == 0.1 else 50],
                f["adopted_share"][:: 5 if dt == 0.1 else 50],
                "o",
                ms=3,
                color=colour,
            )
        ax.set_title(f"dt = {dt:g} year ({reps} runs of 10,000)")
        ax.set_xlabel("years")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("adopted share")
    axes[0].legend(
        loc="lower right",
        fontsize=8,
        title="thick: Bass closed form\ndashed: recursion, dots: cxsim",
        title_fontsize=8,
    )
    fig.tight_layout()
    paths.append(out / "bass_docking.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    # 2. CLV across retention
    retention = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    grid = np.linspace(0.45, 0.96, 200)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    cells = seeds[1].spawn(3 * retention.size)
    margin = 4.0
    for j, (d, colour) in enumerate(zip((0.0, 0.1, 0.2), plt.cm.tab10.colors, strict=False)):
        sims = [
            clv_docking(margin, r, d, n_customers=20_000, rng=cells[j * retention.size + i])
            for i, r in enumerate(retention)
        ]
        ax.plot(
            grid,
            [clv_closed_form(margin, r, d) for r in grid],
            color=colour,
            label=f"closed form, d = {d:g}",
        )
        ax.errorbar(
            retention,
            [s["mean"] for s in sims],
            yerr=[2 * s["se"] for s in sims],
            fmt="o",
            ms=4,
            color=colour,
            capsize=3,
        )
    ax.set_xlabel("retention per period r")
    ax.set_ylabel(f"CLV (margin m = {margin:g} per period)")
    ax.set_title("CLV = m(1+d)/(1+d−r): cxsim cohorts of 20,000 (± 2 SE)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    paths.append(out / "clv_docking.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)

    # 3. Networks
    p, q = NETWORK_PAIR
    labels = {
        "complete": "complete network",
        "watts_strogatz": "Watts–Strogatz (rewiring 0.1)",
        "ring_lattice": "ring lattice",
    }
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for net, seed, colour in zip(
        ("complete", "watts_strogatz", "ring_lattice"),
        seeds[2].spawn(3),
        plt.cm.tab10.colors,
        strict=False,
    ):
        f = bass_docking(p, q, dt=0.1, replications=10, network=net, rng=seed, executor=pool)
        ax.plot(
            f["t"],
            f["adopted_share"],
            color=colour,
            label=labels[net],
        )
        ax.fill_between(
            f["t"],
            f["adopted_share"] - 2 * f["se"],
            f["adopted_share"] + 2 * f["se"],
            color=colour,
            alpha=0.25,
        )
    ax.plot(f["t"], f["recursion"], "k--", lw=1, label="Bass recursion (dt = 0.1)")
    ax.set_xlabel("years")
    ax.set_ylabel("adopted share")
    ax.set_title(f"Fibich & Gibori (2010): p = {p:g}, q = {q:g}, mean degree 10", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    paths.append(out / "bass_networks.png")
    fig.savefig(paths[-1], dpi=90)
    plt.close(fig)
    return paths


# --------------------------------------------------------------------------------------------
# Checks for `cxsim validate` (sizes: docs/validation.md, "Run time")
# --------------------------------------------------------------------------------------------

#: (p, q) per year docked at dt = 0.1 against the recursion: the corners of the acceptance box
#: p in [0.003, 0.05], q in [0.1, 0.7], and the meta-analysis average (Sultan, Farley &
#: Lehmann 1990: p = 0.03, q = 0.38).
BASS_COARSE_PAIRS: tuple[tuple[float, float], ...] = (
    (0.003, 0.1),
    (0.003, 0.7),
    (0.05, 0.1),
    (0.05, 0.7),
    (0.03, 0.38),
)
#: (p, q) docked at dt = 0.01 against the closed form (1,500 steps a run: the costly part, about
#: 80 s of CPU per pair). The corner with the most Monte-Carlo noise (small p, large q: a late,
#: random take-off) and the meta-analysis average. tests/test_validation.py adds the corner with
#: the largest discretisation error, (0.05, 0.7).
BASS_FINE_PAIRS: tuple[tuple[float, float], ...] = ((0.003, 0.7), (0.03, 0.38))
BASS_N = 10_000
BASS_YEARS = 15
BASS_COARSE_REPS = 20
BASS_FINE_REPS = 10
#: |z| limit at dt = 0.1 and absolute limit at dt = 0.01 (issue 4 acceptance).
BASS_Z_LIMIT = 4.0
BASS_CLOSED_FORM_LIMIT = 0.025

#: (retention, discount) per period for the CLV cohort: the corners of r in [0.5, 0.95],
#: d in [0, 0.2], and a middle point.
CLV_POINTS: tuple[tuple[float, float], ...] = (
    (0.5, 0.0),
    (0.5, 0.2),
    (0.95, 0.0),
    (0.95, 0.2),
    (0.8, 0.1),
)
CLV_MARGIN = 4.0
CLV_N = 50_000
CLV_Z_LIMIT = 3.0

#: Sparse networks against the complete-network Bass curve (Fibich & Gibori 2010).
NETWORK_PAIR: tuple[float, float] = (0.01, 0.7)
NETWORK_KINDS_CHECKED: tuple[str, ...] = ("watts_strogatz", "ring_lattice")
NETWORK_REPS = 10

_BASE_SEED = 20_110_401  # Rand & Rust (2011) appeared in April 2011


def check_seed(name: str) -> np.random.SeedSequence:
    """Fixed seed of a check, from its name (adding a check does not reseed the others)."""
    import zlib

    return np.random.SeedSequence([_BASE_SEED, zlib.crc32(name.encode())])


def _fmt_t(t: float) -> str:
    return f"t = {t:.2f} y"


def _bass_coarse_check(p: float, q: float) -> Check:
    name = f"bass-dt0.1-p{p:g}-q{q:g}"

    def run() -> CheckResult:
        f = bass_docking(
            p,
            q,
            n_customers=BASS_N,
            years=BASS_YEARS,
            dt=0.1,
            replications=BASS_COARSE_REPS,
            rng=check_seed(name),
            executor=executor(),
        )
        e = bass_errors(f)
        return CheckResult(
            simulated=f"max |z| = {e['max_z']:.2f} ({_fmt_t(e['t_max_z'])})",
            passed=e["max_z"] <= BASS_Z_LIMIT,
            details=(
                f"max |sim - recursion| = {e['max_recursion']:.4f}; recursion vs closed "
                f"form (discretisation, not noise) up to {e['max_discretisation']:.4f}; "
                f"sim vs closed form up to {e['max_closed_form']:.4f}"
            ),
        )

    return Check(
        name=name,
        group="docking",
        source="Bass (1969), discrete-time recursion",
        expected=(
            f"mean of {BASS_COARSE_REPS} runs x {BASS_N:,} = discrete Bass recursion at every t"
        ),
        tolerance=f"<= {BASS_Z_LIMIT:g} SE at every t",
        run=run,
    )


def _bass_fine_check(p: float, q: float) -> Check:
    name = f"bass-dt0.01-p{p:g}-q{q:g}"

    def run() -> CheckResult:
        f = bass_docking(
            p,
            q,
            n_customers=BASS_N,
            years=BASS_YEARS,
            dt=0.01,
            replications=BASS_FINE_REPS,
            rng=check_seed(name),
            executor=executor(),
        )
        e = bass_errors(f)
        worst = (f["adopted_share"] - f["closed_form"]).abs()
        return CheckResult(
            simulated=f"max |sim - F(t)| = {e['max_closed_form']:.4f} "
            f"({_fmt_t(float(f['t'][worst.idxmax()]))})",
            passed=e["max_closed_form"] <= BASS_CLOSED_FORM_LIMIT,
            details=(
                f"max SE = {f['se'].max():.4f}; recursion vs closed form up to "
                f"{e['max_discretisation']:.4f} (discretisation); max |sim - recursion| = "
                f"{e['max_recursion']:.4f}"
            ),
        )

    return Check(
        name=name,
        group="docking",
        source="Bass (1969) closed form",
        expected=(f"mean of {BASS_FINE_REPS} runs x {BASS_N:,} = Bass closed form F(t) at every t"),
        tolerance=f"<= {BASS_CLOSED_FORM_LIMIT:g} at every t",
        run=run,
    )


def _clv_check(r: float, d: float) -> Check:
    name = f"clv-r{r:g}-d{d:g}"
    cf = clv_closed_form(CLV_MARGIN, r, d)

    def run() -> CheckResult:
        s = clv_docking(CLV_MARGIN, r, d, n_customers=CLV_N, rng=check_seed(name))
        books_ok = math.isclose(s["mean_books"], s["mean"], rel_tol=1e-9)
        return CheckResult(
            simulated=f"{s['mean']:.3f} +/- {s['se']:.3f} (z = {s['z']:+.2f})",
            passed=abs(s["z"]) <= CLV_Z_LIMIT and books_ok,
            details=(
                f"periods run: {s['periods']:.0f}; observed retention "
                f"{s['retention_observed']:.4f}; value from the firm's books "
                f"{s['mean_books']:.6f} ({'agrees' if books_ok else 'DISAGREES'})"
            ),
        )

    return Check(
        name=name,
        group="docking",
        source="CLV closed form (Gupta & Lehmann 2003)",
        expected=f"CLV = m(1+d)/(1+d-r) = {cf:.3f} (m = {CLV_MARGIN:g}, {CLV_N:,} customers)",
        tolerance=f"|z| <= {CLV_Z_LIMIT:g}",
        run=run,
    )


def _network_check(kind: str) -> Check:
    p, q = NETWORK_PAIR
    name = f"bass-network-{kind}"

    def run() -> CheckResult:
        f = bass_docking(
            p,
            q,
            n_customers=BASS_N,
            years=BASS_YEARS,
            dt=0.1,
            replications=NETWORK_REPS,
            network=kind,
            mean_degree=10.0,
            rng=check_seed(name),
            executor=executor(),
        )
        e = bass_errors(f)
        gap = f["recursion"] - f["adopted_share"]
        k = int(gap.idxmax())
        return CheckResult(
            simulated=(
                f"max z = {e['excess_over_recursion']:+.2f}; "
                f"lag up to {gap[k]:.3f} ({_fmt_t(float(f['t'][k]))})"
            ),
            passed=e["excess_over_recursion"] <= BASS_Z_LIMIT,
            details=(
                f"{kind}, mean degree 10, p = {p:g}, q = {q:g}, dt = 0.1, "
                f"{NETWORK_REPS} runs x {BASS_N:,}; at {_fmt_t(float(f['t'][k]))}: "
                f"{f['adopted_share'][k]:.3f} vs complete-network Bass {f['recursion'][k]:.3f}"
            ),
        )

    return Check(
        name=name,
        group="docking",
        source="Fibich & Gibori (2010)",
        expected=(
            f"{kind.replace('_', ' ')} (degree 10) adoption <= complete-network Bass at every t"
        ),
        tolerance=f"z = (sim - Bass)/SE <= {BASS_Z_LIMIT:g} (one-sided)",
        run=run,
    )


def _half_life_rule() -> CheckResult:
    from cxsim.params import CustomerParams

    defaults = CustomerParams()
    alphas = sorted({defaults.expectation_up, defaults.expectation_down, 0.5})
    measured = [(a, rule_half_life(a), half_life_closed_form(a)) for a in alphas]
    ok = all(math.isclose(m, c, rel_tol=1e-6) for _, m, c in measured)
    return CheckResult(
        simulated="; ".join(f"{m:.4f}" for _, m, _ in measured),
        passed=ok,
        details="; ".join(f"alpha = {a:g}: {m:.6f} vs {c:.6f}" for a, m, c in measured),
    )


def _half_life_market() -> CheckResult:
    up = expectation_half_life(1.0)
    down = expectation_half_life(-1.0)
    ok = all(math.isclose(s["half_life"], s["closed_form"], rel_tol=1e-6) for s in (up, down))
    return CheckResult(
        simulated=f"up {up['half_life']:.4f}; down {down['half_life']:.4f}",
        passed=ok,
        details=(
            f"gap below expectation: alpha = {up['alpha']:g}, closed form "
            f"{up['closed_form']:.6f}; above: alpha = {down['alpha']:g}, closed form "
            f"{down['closed_form']:.6f}"
        ),
    )


def _half_life_expected() -> str:
    from cxsim.params import CustomerParams

    c = CustomerParams()
    return (
        f"ln2/-ln(1-a) = {half_life_closed_form(c.expectation_up):.4f} purchases up "
        f"(a = {c.expectation_up:g}), {half_life_closed_form(c.expectation_down):.4f} down "
        f"(a = {c.expectation_down:g})"
    )


def docking_checks() -> list[Check]:
    """The docking checks, in the order ``cxsim validate`` runs them."""
    out = [_bass_coarse_check(p, q) for p, q in BASS_COARSE_PAIRS]
    out += [_bass_fine_check(p, q) for p, q in BASS_FINE_PAIRS]
    out += [_clv_check(r, d) for r, d in CLV_POINTS]
    out += [_network_check(kind) for kind in NETWORK_KINDS_CHECKED]
    out.append(
        Check(
            name="half-life-rule",
            group="docking",
            source="rules.adapt_expectation (closed form)",
            expected="half-life ln2/-ln(1-a) purchases, a = defaults and 0.5",
            tolerance="1e-6 relative",
            run=_half_life_rule,
        )
    )
    out.append(
        Check(
            name="half-life-market",
            group="docking",
            source="Market run at constant quality",
            expected=_half_life_expected(),
            tolerance="1e-6 relative",
            run=_half_life_market,
        )
    )
    return out


for _check in docking_checks():
    register(_check)
