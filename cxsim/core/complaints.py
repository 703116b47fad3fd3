"""Open complaints: who complained to which firm, and how long they have waited.

Most dissatisfied customers never complain (TARP); the few who do wait in a firm's queue until it
resolves their complaint within its capacity, or until their patience runs out. The rules that
decide both are in :mod:`cxsim.core.rules` (``resolution_probability``, ``recovery_share``).
"""

from __future__ import annotations

import numpy as np


class ComplaintBook:
    """Open complaints as parallel arrays: customer row, firm, weeks waited."""

    def __init__(self) -> None:
        self.rows = np.empty(0, dtype=np.int64)
        self.firm = np.empty(0, dtype=np.int64)
        self.age = np.empty(0, dtype=float)

    @property
    def size(self) -> int:
        return self.rows.size

    def add(self, rows: np.ndarray, firm: np.ndarray) -> None:
        self.rows = np.concatenate([self.rows, rows])
        self.firm = np.concatenate([self.firm, firm.astype(np.int64)])
        self.age = np.concatenate([self.age, np.zeros(rows.size)])

    def keep(self, mask: np.ndarray) -> None:
        self.rows, self.firm, self.age = self.rows[mask], self.firm[mask], self.age[mask]
