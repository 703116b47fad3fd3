"""What the docking cases share: a quiet market, seeds for replications, and a pool map.

Each docking case (:mod:`cxsim.validation.bass`, :mod:`cxsim.validation.clv`,
:mod:`cxsim.validation.half_life`) configures the real :class:`~cxsim.Market` so that only the
mechanism under test is at work; :data:`QUIET` switches off the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

#: The cases speak in years and periods; the model's step is in weeks.
WEEKS_PER_YEAR = 52.0

#: Quiet settings for everything the docking cases do not involve: no churn, no word of mouth,
#: no rising bar, every need served at once, no outside option, customers alike in how readily
#: they leave and in what they spend (each purchase one basket at the price).
QUIET: dict[str, Any] = {
    "need_rate": math.inf,
    "outside_utility": -math.inf,
    "churn_base": 0.0,
    "leave_heterogeneity": math.inf,
    "spend_shape": math.inf,
    "spend_heterogeneity": math.inf,
    "churn_trust_sensitivity": 0.0,
    "churn_grudge_sensitivity": 0.0,
    "wom_positive_reach": 0.0,
    "wom_negative_reach": 0.0,
    "expectation_inflation": 0.0,
}


def seed_sequence(rng: Any) -> np.random.SeedSequence:
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


def map_jobs(fn: Any, jobs: Sequence[Any], pool: Executor | None) -> list[Any]:
    """``fn`` over ``jobs``, on ``pool`` when given and worth it (two jobs or more), else here."""
    if pool is None or len(jobs) < 2:
        return [fn(job) for job in jobs]
    return list(pool.map(fn, jobs))
