"""Step-size robustness: the market's answers do not depend on how finely time is cut.

Needs arrive as a Poisson process and every other rate is a hazard (``1 − exp(−h·dt)``), so the
model is written in continuous time and the step ``dt`` only discretises it. Rand & Rust (2011)
ask agent-based models to show such robustness. The check runs the default market for three
years at the default step (one week) and at one day (``dt = 1/7``) and compares the focal firm's
NPV. The claim is one of equivalence, so it is *shown* by two one-sided tests (Schuirmann 1987):
the difference lies within ±:data:`MARGIN` of the daily NPV, with the Welch standard error and
the Welch–Satterthwaite degrees of freedom of the replications actually run. A test that only
failed to find a difference would pass whenever the replications were too few.
"""

from __future__ import annotations

import numpy as np

from cxsim.core.model import Market
from cxsim.validation.checks import HELD_OUT, CheckResult, check
from cxsim.validation.stats import ALPHA, tost

#: Replications per step length, customers (the default market's own size), and horizon.
REPLICATIONS = 12
N_CUSTOMERS = 2_000
WEEKS = 156
#: Equivalence margin, as a share of the daily NPV: stated before looking at the data (a step
#: that moved a three-year NPV by less than 5% would not change any answer cxsim gives).
MARGIN = 0.05


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
    expected=f"focal 3-year NPV at dt = 1 week equivalent to that at dt = 1/7 week within "
    f"±{MARGIN:.0%} ({REPLICATIONS} replications each, {N_CUSTOMERS:,} customers)",
    tolerance=f"TOST at {ALPHA} (Welch SE and df; Schuirmann 1987), margin ±{MARGIN:.0%} of NPV",
)
def check_step_size() -> CheckResult:
    weekly = three_year_npv(1.0, list(range(100, 100 + REPLICATIONS)))
    daily = three_year_npv(1.0 / 7.0, list(range(200, 200 + REPLICATIONS)))
    diff, se, df = welch(weekly, daily)
    result = tost(diff, se, MARGIN * abs(daily.mean()), df)
    text = (
        f"NPV weekly {weekly.mean():,.0f}, daily {daily.mean():,.0f}; difference {diff:,.0f} "
        f"({diff / daily.mean():+.1%} of NPV, SE {se:,.0f}, Welch df {df:.1f}); "
        f"TOST p {result.p:.2g} (margin ±{result.margin:,.0f})"
    )
    return CheckResult(
        text, result.equivalent, "" if result.equivalent else "equivalence not shown"
    )
