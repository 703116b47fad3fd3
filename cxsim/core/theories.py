"""Alternative theories: rules a researcher can swap in for the defaults of :mod:`cxsim.core.rules`.

Each function here takes exactly the arguments of the rule it can replace, so a market runs with
it unchanged otherwise::

    Market(rules={"update_trust": "cxsim.core.theories:symmetric_trust"})
    compare(["acquisition_focus", "retention_focus"],
            rules={"update_trust": "cxsim.core.theories:symmetric_trust"})
    # command line: cxsim compare --rule update_trust=cxsim.core.theories:symmetric_trust

They are module-level functions of an importable module, so they reach worker processes and Dask
workers by name. A theory of one's own goes in a module of one's own, written the same way.
"""

from __future__ import annotations

import numpy as np


def symmetric_trust(
    trust: np.ndarray, disconf: np.ndarray, *, tolerance: float, gain: float, loss: float
) -> np.ndarray:
    """Trust as a symmetric learner: hits and misses move it by the same share.

    Replaces :func:`cxsim.core.rules.update_trust`. A met expectation moves trust ``gain`` of the
    way to 1 and a miss moves it ``gain`` of the way to 0 (``loss`` is ignored): the null
    hypothesis against the trust asymmetry principle (Slovic 1993), for testing how much of a
    result the asymmetry carries.
    """
    met = disconf >= -tolerance
    return np.where(met, trust + gain * (1.0 - trust), trust * (1.0 - gain))


def fixed_expectations(
    expectation: np.ndarray, experienced: np.ndarray, rate_up: float, rate_down: float
) -> np.ndarray:
    """Expectations that never adapt to experience (no treadmill).

    Replaces :func:`cxsim.core.rules.adapt_expectation`: the expectation stays where it was
    (market-wide inflation and word of mouth still move it). The counterfactual to the
    expectation treadmill: with it, constant quality keeps delighting whoever it delighted once.
    """
    return np.asarray(expectation, dtype=float).copy()
