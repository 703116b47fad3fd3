"""Choice: :func:`cxsim.core.rules.choice_utility` and :func:`cxsim.core.rules.logit_choice` for
the customers in need, and :func:`cxsim.core.rules.ladder_after_switch` for the firms they did
not choose, in two passes over their rows with NumPy's ``exp`` between them (the rules' own:
a scalar ``exp`` in the loop would cost more than everything else together)."""

from __future__ import annotations

import math

import numpy as np

from cxsim.core.kernels.jit import jit
from cxsim.core.rules import ADVOCATE, BUYER, CLIENT, REPEAT

#: Rows of the ``firm`` table :func:`utilities` takes (one column per firm).
FIRM_ROWS: tuple[str, ...] = ("price", "loyalty", "promotion")
#: Entries of the ``params`` vector :func:`utilities` takes.
PARAMS: tuple[str, ...] = (
    "price_sensitivity",
    "habit",
    "grudge_weight",
    "quality_weight",
    "trust_weight",
    "satisfaction_weight",
    "outside_utility",
)


@jit
def nan_max(a: float, b: float) -> float:
    """``np.maximum`` of two floats: nan if either is nan."""
    if a != a or b != b:
        return math.nan
    return a if a >= b else b


@jit
def utilities(
    need: np.ndarray,
    stage: np.ndarray,
    considers: np.ndarray,
    expectation: np.ndarray,
    trust: np.ndarray,
    grudge: np.ndarray,
    satisfaction: np.ndarray,
    last_firm: np.ndarray,
    firm: np.ndarray,
    params: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Utilities of the firms for each customer in need, less the largest (the logit's shift).

    Args:
        need: (m,) rows in need.
        stage, considers, expectation, trust, grudge, satisfaction: (n, F) tables.
        last_firm: (n,) firm that served the last need (``-1``: none).
        firm: (3, F) price (currency), loyalty and promotion discounts (shares), rows as
            :data:`FIRM_ROWS`.
        params: the scalars of :data:`PARAMS` (utility per unit, as in the rules).

    Returns:
        ``(v − top, outside − top)``: (m, F) and (m,), ``−inf`` for firms not considered, with
        ``top`` the largest of the utilities and the outside option's (0 where not finite);
        their ``exp`` are the logit weights.
    """
    m = need.size
    n_firms = stage.shape[1]
    ps, habit, gw = params[0], params[1], params[2]
    qw, tw, sw, outside = params[3], params[4], params[5], params[6]
    shifted = np.empty((m, n_firms))
    out = np.empty(m)
    for i in range(m):
        r = need[i]
        last = last_firm[r]
        top = 0.0
        for j in range(n_firms):
            s = stage[r, j]
            discount = firm[1, j] if (s >= BUYER and s <= ADVOCATE) else firm[2, j]
            bonus = ps * discount * firm[0, j]
            bonus = bonus + habit if last == j else bonus
            bonus = bonus - gw * grudge[r, j]
            util = qw * expectation[r, j] + tw * trust[r, j] - ps * firm[0, j] + bonus
            if sw != 0.0:
                felt = satisfaction[r, j]
                util = util + sw * (0.0 if felt != felt else felt)
            v = util if considers[r, j] else -math.inf
            shifted[i, j] = v
            top = v if j == 0 else nan_max(top, v)
        top = nan_max(top, outside)
        if not math.isfinite(top):
            top = 0.0
        for j in range(n_firms):
            shifted[i, j] = shifted[i, j] - top
        out[i] = outside - top
    return shifted, out


@jit
def pick(
    need: np.ndarray,
    u: np.ndarray,
    w: np.ndarray,
    w0: np.ndarray,
    stage: np.ndarray,
    streak: np.ndarray,
) -> np.ndarray:
    """The firm each customer in need chooses (``-1``: the outside option), from the logit
    weights, as :func:`cxsim.core.rules.logit_choice` sums them (column by column, up to 8
    firms); a customer active with a firm it did not choose breaks its streak there, and a
    client or advocate of it becomes a repeat customer (``streak``, ``stage`` updated in place).

    Args:
        need: (m,) rows in need, each once.
        u: (m,) uniform draws (the ``choice`` stream).
        w: (m, F) weights ``exp(v − top)``; ``w0``: (m,) the outside option's (0 when its
            utility is ``−inf``).
        stage, streak: (n, F) tables.
    """
    m = need.size
    n_firms = w.shape[1]
    chosen = np.empty(m, dtype=np.int64)
    for i in range(m):
        rest = w[i, 1] if n_firms > 1 else 0.0
        for j in range(2, n_firms):
            rest = rest + w[i, j]
        total = w0[i] + (w[i, 0] + rest)
        threshold = u[i] * total
        count = 0
        cum = w[i, 0]
        for j in range(n_firms):
            if j:
                cum = cum + w[i, j]
            count += cum <= threshold
        best = -1 if (count >= n_firms or total <= 0.0) else count
        chosen[i] = best
        r = need[i]
        for j in range(n_firms):
            s = stage[r, j]
            elsewhere = s >= BUYER and s <= ADVOCATE and best != j
            streak[r, j] = 0 if elsewhere else streak[r, j]
            stage[r, j] = REPEAT if (elsewhere and (s == CLIENT or s == ADVOCATE)) else s
    return chosen
