"""Defection: the hazard of :func:`cxsim.core.rules.churn_probability` for every active
(customer, firm) entry and the draw that decides it, in one pass over the stage table without
branches, keeping only the entries whose draw could fall under their probability."""

from __future__ import annotations

import numpy as np

from cxsim.core.kernels.jit import jit
from cxsim.core.rules import ADVOCATE, BUYER

#: Entries of the ``params`` vector :func:`candidates` takes.
PARAMS: tuple[str, ...] = (
    "churn_base",  # per week
    "churn_trust_floor",
    "churn_trust_sensitivity",
    "churn_grudge_sensitivity",
    "dt",  # weeks
)
#: Relative margin on the bound ``1 − exp(−x) ≤ x``: covers any rounding of ``expm1`` (NumPy's
#: SIMD ``expm1`` is within a few units in the last place, 2⁻⁵⁰ relative; this is 10⁻¹²).
BOUND_MARGIN = 1.0 + 1e-12


@jit
def count_active(stage: np.ndarray) -> int:
    """Number of active (buyer to advocate) entries of an (n, F) stage table."""
    flat = stage.ravel()
    total = 0
    for p in range(flat.size):  # vectorised by the compiler
        s = flat[p]
        total += (s >= BUYER) & (s <= ADVOCATE)
    return total


@jit
def candidates(
    stage: np.ndarray,
    trust: np.ndarray,
    grudge: np.ndarray,
    propensity: np.ndarray,
    u: np.ndarray,
    params: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active entries whose draw falls under the bound of their probability of leaving.

    The k-th active entry in row-major order gets draw ``u[k]`` (the ``churn`` stream, one draw
    per active entry, as on the NumPy path), and the weekly hazard ``h = (base +
    trust_sensitivity·max(0, floor − trust) + grudge_sensitivity·grudge)·propensity``
    (:func:`cxsim.core.rules.churn_probability`). The entry leaves when ``u < 1 − exp(−h·dt)``;
    since ``1 − exp(−x) ≤ x``, a draw ``u ≥ x·BOUND_MARGIN`` cannot, so only the entries with
    ``u`` below that bound (a few per cent) are returned, for the caller to compare with NumPy's
    ``−expm1(−x)`` exactly as the rule does.

    Args:
        stage, trust, grudge: (n, F) tables.
        propensity: (n,) each customer's multiplier of the hazard.
        u: (count_active(stage),) uniform draws, at least one.
        params: the scalars of :data:`PARAMS`.

    Returns:
        ``(position, draw, x)``: row-major positions, their draws and ``h·dt``.
    """
    base, floor, ts, gs, dt = params[0], params[1], params[2], params[3], params[4]
    n, n_firms = stage.shape
    last = u.size - 1
    position = np.empty(u.size + 1, dtype=np.int64)
    draw = np.empty(u.size + 1)
    bound = np.empty(u.size + 1)
    k = 0  # draws used
    c = 0  # candidates kept
    for r in range(n):
        scale = propensity[r]
        for j in range(n_firms):
            s = stage[r, j]
            active = (s >= BUYER) & (s <= ADVOCATE)
            d = u[min(k, last)]
            short = floor - trust[r, j]
            lack = short if (short > 0.0 or short != short) else 0.0  # np.maximum(0.0, short)
            x = (base + ts * lack + gs * grudge[r, j]) * scale * dt
            # written every time, kept (c advances) only for a candidate: no branch to mispredict
            position[c] = r * n_firms + j
            draw[c] = d
            bound[c] = x
            c += active & (d < x * BOUND_MARGIN)
            k += active
    return position[:c], draw[:c], bound[:c]
