"""A market's transaction log: every purchase, as a real firm's books would list it.

Real and simulated customer bases go through the same analyses (BG/NBD, gamma–gamma, cohort
facts in :mod:`cxsim.calibration`) only if the simulation writes the same kind of log a retailer
keeps: who bought, when, from whom, for how much. The log is kept only when asked for
(``Market(record_transactions=True)``): at a million customers it grows by about a quarter of a
million rows a week.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


class TransactionLog:
    """Purchases appended step by step, turned into a frame on demand.

    Args:
        firms: the firms' names, in column order (the ``firm`` column's categories).
    """

    def __init__(self, firms: Sequence[str]) -> None:
        self.firms = list(firms)
        self._parts: list[tuple[np.ndarray, np.ndarray, float, np.ndarray]] = []

    def record(self, rows: np.ndarray, firm: np.ndarray, week: float, amount: np.ndarray) -> None:
        """Customers ``rows`` bought from firms ``firm`` (column indices) in the step starting at
        ``week``, paying ``amount`` (currency) each."""
        self._parts.append((rows.copy(), firm.copy(), float(week), np.asarray(amount, float)))

    def frame(self) -> pd.DataFrame:
        """``customer`` (row, int), ``week`` (float: weeks since the start; purchases in a step
        are dated at the step's start), ``firm`` (name, categorical), ``amount`` (currency)."""
        parts = self._parts
        if not parts:
            customer, firm = np.empty(0, np.int64), np.empty(0, np.int64)
            week, amount = np.empty(0), np.empty(0)
        else:
            customer = np.concatenate([r for r, *_ in parts])
            firm = np.concatenate([f for _, f, *_ in parts])
            week = np.concatenate([np.full(r.size, w) for r, _, w, _ in parts])
            amount = np.concatenate([a for *_, a in parts])
        return pd.DataFrame(
            {
                "customer": customer.astype(np.int64),
                "week": week.astype(float),
                "firm": pd.Categorical.from_codes(firm.astype(np.int64), categories=self.firms),
                "amount": amount.astype(float),
            }
        )
