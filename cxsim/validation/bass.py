"""Docking with the Bass (1969) diffusion model: closed form, discrete recursion, the market.

One firm that spends nothing, external reach ``p`` and social influence ``q`` per year, nobody
aware of it at start, every customer who starts to consider it buys at once: on a complete
network the expected adoption follows the discrete recursion :func:`bass_recursion` exactly,
and the Bass curve :func:`bass_closed_form` as the step shrinks. On sparse networks adoption
lags the complete-network curve (Fibich & Gibori 2010), shown at :data:`NETWORK_PAIR`.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core.model import Market
from cxsim.params import FirmSpec
from cxsim.validation.quiet import QUIET, WEEKS_PER_YEAR, map_jobs, seed_sequence


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
        influence="bass",
        social_influence=q,
        dt=dt * WEEKS_PER_YEAR,
        **QUIET,
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
    return frame["alive"].to_numpy(dtype=float) / n


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
    children = seed_sequence(rng).spawn(replications)
    jobs = [(p, q, n_customers, steps, dt, network, mean_degree, rewire_prob, s) for s in children]
    paths = np.vstack(map_jobs(_bass_path, jobs, executor))
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


#: (p, q) per year at which sparse networks are compared with the complete-network Bass curve
#: (Fibich & Gibori 2010): the check of :mod:`cxsim.validation.docking` and the figure.
NETWORK_PAIR: tuple[float, float] = (0.01, 0.7)
