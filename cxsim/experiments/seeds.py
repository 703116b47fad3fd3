"""Seeds of replications: common random numbers from one master seed.

Why a module of its own: every experiment (:func:`~cxsim.experiments.compare`,
:func:`~cxsim.experiments.sweep`, the sensitivity analyses) and the validation checks must derive
replication seeds the *same* way, or "replication ``i``" would mean different markets in
different places and paired comparisons would silently stop being paired.

Replication ``i`` of *every* scenario (and every sweep point) runs with the same seed, so
strategies are compared on the same customers, the same network and the same draws wherever the
model consumes them in the same order. The seeds come from the master ``seed`` with NumPy's
:class:`~numpy.random.SeedSequence`::

    seeds[i] = SeedSequence(seed).spawn(n)[i].generate_state(1, dtype=uint32)[0]

Child ``i`` of a ``SeedSequence`` does not depend on how many children are spawned, so asking
for 30 replications repeats the first 10 of a 10-replication run exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxsim.params import ScenarioError
from cxsim.params.declare import show

__all__ = ["replication_seeds"]


def replication_seeds(seed: int, replications: int) -> list[int]:
    """The seed of each replication, derived from ``seed`` with NumPy's ``SeedSequence``.

    ``replication_seeds(s, n)[i]`` does not depend on ``n``.
    """
    seed = _check_int("seed", seed, low=0)
    replications = _check_int("replications", replications, low=1)
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def _check_int(name: str, value: Any, *, low: int, high: int | None = None) -> int:
    """``value`` as an ``int`` if it is a whole number in ``[low, high]``; else a one-line
    :class:`~cxsim.params.ScenarioError` naming the argument (shared by the other modules of
    :mod:`cxsim.experiments` for their counts)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ScenarioError(f"{name}: {show(value)} is not a whole number")
    if value < low:
        raise ScenarioError(f"{name}: {show(value)} must be at least {low}")
    if high is not None and value > high:
        raise ScenarioError(f"{name}: {show(value)} must be at most {high:,}")
    return int(value)
