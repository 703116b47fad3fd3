"""The week's population-wide metrics (:func:`cxsim.core.metrics.weekly_metrics`) in one pass
over the (customer, firm) tables: ladder stages, recency-active customers, the alive customers'
trust and expectation sums, and the rows the NPS survey samples from."""

from __future__ import annotations

import numpy as np

from cxsim.core.kernels.jit import jit
from cxsim.core.rules import ADVOCATE, BUYER, STAGES

N_STAGES = len(STAGES)


@jit
def table_pass(
    stage: np.ndarray,
    trust: np.ndarray,
    expectation: np.ndarray,
    last_purchase: np.ndarray,
    cutoff: np.float32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per firm (column), what the week's report counts and averages.

    Args:
        stage, trust, expectation: (n, F) tables.
        last_purchase: (n, F) float32 week of the last purchase (nan: never).
        cutoff: float32 week from which a purchase makes a customer active
            (:func:`cxsim.core.metrics.active_mask`: ``last_purchase ≥ cutoff``).

    Returns:
        ``(stages, active, trust_sum, expectation_sum, recent)``: (F, len(STAGES)) customers at
        each ladder stage; (F,) recency-active customers; (F,) sums of trust and of expectation
        over the alive customers (buyer to advocate), added one after the other in row order
        (as the NumPy path's running sum); (F, n) int32 whose row ``f`` starts with the
        recency-active rows of firm ``f`` in order (``active[f]`` of them; the rest is
        undefined).

    A column at a time: lists of rows are built without branches (each row is written, and
    the list grows only where it belongs), then the alive rows' values are summed from the
    list; a conditional add in the first loop would be a branch taken at random.
    """
    n, n_firms = stage.shape
    stages = np.zeros((n_firms, N_STAGES), dtype=np.int64)
    active = np.zeros(n_firms, dtype=np.int64)
    trust_sum = np.zeros(n_firms)
    expectation_sum = np.zeros(n_firms)
    recent = np.empty((n_firms, n + 1), dtype=np.int32)
    alive_rows = np.empty(n + 1, dtype=np.int32)
    for j in range(n_firms):
        hist = np.zeros(N_STAGES, dtype=np.int64)
        listed = np.int64(0)
        alive = np.int64(0)
        for r in range(n):
            s = stage[r, j]
            hist[s] += 1
            alive_rows[alive] = r
            alive += (s >= BUYER) & (s <= ADVOCATE)
            recent[j, listed] = r
            listed += last_purchase[r, j] >= cutoff
        t = 0.0
        e = 0.0
        for k in range(alive):
            r = alive_rows[k]
            t += trust[r, j]
            e += expectation[r, j]
        stages[j] = hist
        active[j] = listed
        trust_sum[j] = t
        expectation_sum[j] = e
    return stages, active, trust_sum, expectation_sum, recent[:, :n]


@jit
def wallet(
    rows: np.ndarray, firm_of: np.ndarray, last_purchase: np.ndarray, cutoff: np.float32
) -> tuple[np.ndarray, np.ndarray]:
    """Per firm: this week's purchases by its recency-active customers (from any firm), and of
    them those it served (:func:`cxsim.core.metrics.share_of_wallet`).

    Args:
        rows, firm_of: (k,) the week's purchases (buyer, firm).
        last_purchase: (n, F) float32 week of the last purchase.
        cutoff: float32 week from which a purchase makes a customer active.
    """
    n_firms = last_purchase.shape[1]
    theirs = np.zeros(n_firms, dtype=np.int64)
    served = np.zeros(n_firms, dtype=np.int64)
    for i in range(rows.size):
        r = rows[i]
        f = firm_of[i]
        for j in range(n_firms):
            active = last_purchase[r, j] >= cutoff
            theirs[j] += active
            served[j] += active & (f == j)
    return theirs, served
