"""Step-size robustness: the market's answers do not depend on how finely time is cut.

Needs arrive as a Poisson process and every other rate is a hazard (``1 − exp(−h·dt)``), so the
model is written in continuous time and the step ``dt`` only discretises it. Rand & Rust (2011)
ask agent-based models to show such robustness. The check runs the default market for three
years at the default step (one week) and at one day (``dt = 1/7``) and compares the focal firm's
NPV: the difference must be within the Monte-Carlo error of the replications actually run
(Welch's t, two-sided 99%, with the Welch–Satterthwaite degrees of freedom).
"""

from __future__ import annotations

import numpy as np

from cxsim.core.model import Market
from cxsim.validation.checks import HELD_OUT, CheckResult, check
from cxsim.validation.stats import t_threshold

#: Replications per step length, customers, and horizon of the check.
REPLICATIONS = 8
N_CUSTOMERS = 1_000
WEEKS = 156
#: Two-sided level of the t test.
LEVEL = 0.99


def three_year_npv(dt: float, seeds: list[int]) -> np.ndarray:
    """The focal firm's NPV after :data:`WEEKS` weeks of the default market, one per seed."""
    out = []
    for seed in seeds:
        market = Market(rng=seed, n_customers=N_CUSTOMERS, dt=dt, customer_agents=False)
        market.run(WEEKS)
        out.append(market.npv["focal"])
    return np.array(out)


def welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Difference of means, its standard error and the Welch–Satterthwaite degrees of freedom."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = float(np.sqrt(va + vb))
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return float(a.mean() - b.mean()), se, float(df)


@check(
    "step-size-convergence",
    group="docking",
    role=HELD_OUT,
    source="Rand & Rust 2011 (robustness to the time step); Poisson needs, hazard rates",
    expected=f"focal 3-year NPV at dt = 1 week equals that at dt = 1/7 week within Monte-Carlo "
    f"error ({REPLICATIONS} replications each, {N_CUSTOMERS:,} customers)",
    tolerance=f"|difference| < t(0.995, Welch df)·SE ({LEVEL:.0%} two-sided)",
)
def check_step_size() -> CheckResult:
    weekly = three_year_npv(1.0, list(range(100, 100 + REPLICATIONS)))
    daily = three_year_npv(1.0 / 7.0, list(range(200, 200 + REPLICATIONS)))
    diff, se, df = welch(weekly, daily)
    limit = t_threshold(df, 1.0 - LEVEL, two_sided=True) * se
    text = (
        f"NPV weekly {weekly.mean():,.0f}, daily {daily.mean():,.0f}; difference {diff:,.0f} "
        f"(limit {limit:,.0f}, {abs(diff) / weekly.mean():.1%} of NPV)"
    )
    return CheckResult(text, abs(diff) < limit, "" if abs(diff) < limit else "beyond MC error")
