"""The books a market keeps per firm: this week's counters, and the running totals (NPV,
customers acquired, smoothed retention and margin) that the weekly metrics are computed from.

Everything here is per firm (one array entry per firm, in column order). The model adds events
to the counters as they happen during the week (:meth:`WeekBook.add`) and closes the books at
the end of it; :mod:`cxsim.core.metrics` reads them.
"""

from __future__ import annotations

import numpy as np

#: Weekly counters, zeroed at the start of each week (purchases, events, money: currency per
#: step). ``serve_cost``: cost to serve, per purchase; ``promotion_cost`` / ``loyalty_cost``:
#: discounts redeemed; ``acquisition_spend`` / ``retention_spend``: what the lever groups cost
#: (up-front spend plus redeemed discounts); ``spend``: all levers' cost;
#: ``profit = revenue − cogs − serve_cost − spend``.
COUNTERS: tuple[str, ...] = (
    "purchases",
    "new",
    "first_purchases",
    "won_back",
    "churned",
    "churned_of_start",
    "delighted",
    "disappointed",
    "complaints",
    "silent",
    "recoveries",
    "unresolved",
    "wom_positive",
    "wom_delighted",
    "wom_negative",
    "satisfaction_sum",
    "expectation_sum",
    "experienced_sum",
    "revenue",
    "cogs",
    "serve_cost",
    "promotion_cost",
    "loyalty_cost",
    "acquisition_spend",
    "retention_spend",
    "spend",
    "profit",
)

#: Smoothing weight of the exponential averages behind ``clv`` (about one quarter).
SMOOTHING = 1.0 / 13.0


class WeekBook:
    """A market's books, one entry per firm.

    Attributes:
        values: this week's counters by name (:data:`COUNTERS`), zeroed at the start of a week.
        active_at_start: active customers (buyer to advocate) at the start of this week.
        npv: cumulative discounted profit so far (currency).
        acquired: first purchases by prospects and lost customers since the start (customers).
        retention, margin: smoothed weekly retention and margin per customer, for CLV (NaN
            until first observed).
    """

    def __init__(self, n_firms: int) -> None:
        self.n_firms = n_firms
        self.values: dict[str, np.ndarray] = {}
        self.active_at_start = np.zeros(n_firms, dtype=np.int64)
        self.npv = np.zeros(n_firms)
        self.acquired = np.zeros(n_firms, dtype=np.int64)
        self.retention = np.full(n_firms, np.nan)
        self.margin = np.full(n_firms, np.nan)
        self.reset()

    def reset(self) -> None:
        """Zero the counters at the start of a week."""
        self.values = {name: np.zeros(self.n_firms) for name in COUNTERS}

    def add(self, name: str, firm: np.ndarray, weights: np.ndarray | float) -> None:
        """Add ``weights`` (one per event, or a scalar per event) to counter ``name`` by firm."""
        firm = np.asarray(firm)
        if firm.size == 0:
            return
        # counting events (weight 1, or a true/false flag) needs no float weights: the counts
        # are exact integers either way
        if isinstance(weights, np.ndarray) and weights.dtype == np.bool_:
            self.values[name] += np.bincount(firm[weights], minlength=self.n_firms)
            return
        if isinstance(weights, float | int) and weights == 1:
            self.values[name] += np.bincount(firm, minlength=self.n_firms)
            return
        w = np.broadcast_to(np.asarray(weights, dtype=float), firm.shape)
        self.values[name] += np.bincount(firm, weights=w, minlength=self.n_firms)


def smooth(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Exponential average that starts at the first finite observation."""
    out = np.where(np.isnan(old), new, (1.0 - SMOOTHING) * old + SMOOTHING * new)
    return np.where(np.isnan(new), old, out)
