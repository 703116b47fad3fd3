"""Who has a need this step, and how many: :func:`cxsim.core.rules.needs_in_step` fused with the
test that picks the customers in need."""

from __future__ import annotations

import math

import numpy as np

from cxsim.core.kernels.jit import jit


@jit
def draw_needs(
    u: np.ndarray, no_need: np.ndarray, mass0: np.ndarray, need_rate: np.ndarray, dt: float
) -> tuple[np.ndarray, np.ndarray]:
    """Customers in need this step and their number of needs.

    Args:
        u: (n,) one uniform draw per customer (the ``needs`` stream).
        no_need: (n,) probability of no need in a step (``1 − hazard_to_probability(rate, dt)``).
        mass0: (n,) ``exp(−need_rate·dt)`` (:func:`cxsim.core.compiled.no_need_mass`).
        need_rate: (n,) needs per week.
        dt: step length (weeks).

    Returns:
        ``(rows, count)``: the rows with ``u ≥ no_need``, in order, and each one's Poisson count
        at ``u`` (inverse transform, as :func:`cxsim.core.rules.needs_in_step`; an infinite or
        undefined mean gives one need). A row can have count 0 where ``no_need`` and
        ``exp(−rate·dt)`` round differently; the model still serves it once, as the NumPy path.
    """
    n = u.size
    m = 0
    for i in range(n):  # vectorised by the compiler
        m += u[i] >= no_need[i]
    rows = np.empty(m + 1, dtype=np.int64)
    k = 0
    for i in range(n):  # compaction without a branch: 1 row in 4 or 5 is in need
        rows[k] = i
        k += u[i] >= no_need[i]
    rows = rows[:m]
    count = np.empty(m, dtype=np.int64)
    for k in range(m):
        i = rows[k]
        ui = u[i]
        mean = need_rate[i] * dt
        if not math.isfinite(mean):
            count[k] = 1
            continue
        mass = mass0[i]  # P(K = 0)
        cdf = mass
        c = 0
        if ui >= cdf:
            while True:  # one step per count: rarely more than two or three
                c += 1
                mass *= mean / c
                cdf += mass
                if not (ui >= cdf and mass > 0.0):
                    break
        count[k] = c
    return rows, count
