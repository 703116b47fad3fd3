"""Open complaints: who complained to which firm, how long they have waited, and what it cost.

Most dissatisfied customers never complain (TARP); the few who do wait in a firm's queue until it
resolves their complaint within its capacity, or until their patience runs out. The rules that
decide both are in :mod:`cxsim.core.rules` (``resolution_probability``, ``recovery_share``,
``apply_recovery``). Each complaint keeps the trust its customer had in the firm just before the
purchase complained about, and the trust that purchase cost: a resolution repairs a share of that
loss, not of the distance to full trust.
"""

from __future__ import annotations

import numpy as np


class ComplaintBook:
    """Open complaints as parallel arrays: customer row, firm, weeks waited, trust before the
    incident and trust lost by it."""

    def __init__(self) -> None:
        self.rows = np.empty(0, dtype=np.int64)
        self.firm = np.empty(0, dtype=np.int64)
        self.age = np.empty(0, dtype=float)
        self.trust_before = np.empty(0, dtype=float)
        self.trust_lost = np.empty(0, dtype=float)

    @property
    def size(self) -> int:
        return self.rows.size

    def add(
        self,
        rows: np.ndarray,
        firm: np.ndarray,
        trust_before: np.ndarray,
        trust_lost: np.ndarray,
        *,
        waited: float = 0.0,
    ) -> None:
        """Open complaints that have waited ``waited`` weeks already (the market passes half a
        step: lodged at some moment of the step, a complaint has waited dt/2 on average by its
        end)."""
        self.rows = np.concatenate([self.rows, rows])
        self.firm = np.concatenate([self.firm, firm.astype(np.int64)])
        self.age = np.concatenate([self.age, np.full(rows.size, float(waited))])
        self.trust_before = np.concatenate([self.trust_before, trust_before])
        self.trust_lost = np.concatenate([self.trust_lost, trust_lost])

    def keep(self, mask: np.ndarray) -> None:
        self.rows, self.firm, self.age = self.rows[mask], self.firm[mask], self.age[mask]
        self.trust_before, self.trust_lost = self.trust_before[mask], self.trust_lost[mask]
