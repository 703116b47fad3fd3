"""The default market's grounding: the values the docs say were fitted or derived are the ones
that fit and derive.

* the customer parameters are the ones ``cxsim calibrate`` found on the CDNOW log (the
  ``cdnow_calibrated`` preset states them explicitly, the default market inherits them);
* the budget is about 10% of a firm's revenue (The CMO Survey), checked on the default market
  itself;
* the default market's customers buy like CDNOW's (the issue's targets: a first-quarter cohort's
  transactions per customer and share of one-time buyers within 25% of CDNOW's, BG/NBD r < 1).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import cxsim
from cxsim.calibration import (
    cohort_customers,
    cohort_summary,
    fit_bgnbd,
    read_transaction_log,
    rfm,
)
from cxsim.calibration.simulate import simulate_log
from cxsim.experiments.run import run_one

#: The customer parameters cxsim calibrate fits (cxsim.calibration.indirect.NAMES and the
#: gamma-gamma pair).
FITTED = (
    "need_rate",
    "need_rate_shape",
    "churn_base",
    "leave_heterogeneity",
    "spend_shape",
    "spend_heterogeneity",
)


def test_default_customers_are_the_cdnow_calibration():
    default, cdnow = cxsim.preset("default"), cxsim.preset("cdnow_calibrated")
    for name in FITTED:
        assert getattr(default.customers, name) == getattr(cdnow.customers, name), name


def test_budget_is_a_tenth_of_first_year_revenue():
    # 8 seeds × 2 balanced firms of the default market, first year; the budget should be 10% of
    # the mean revenue within 10%, plus 3 Monte-Carlo standard errors of that mean (t, 7 df,
    # over the seeds' two-firm averages)
    sc = cxsim.preset("default")
    per_seed = []
    for seed in range(8):
        frame = run_one(sc, seed, 52)
        per_seed.append(frame.groupby("firm", observed=True)["revenue"].sum().mean())
    revenue = np.asarray(per_seed)
    se = revenue.std(ddof=1) / np.sqrt(revenue.size)
    t = stats.t.ppf(0.995, revenue.size - 1)
    budget = sc.firms[0].budget
    assert abs(0.10 * revenue.mean() - budget) < 0.10 * budget + 0.10 * t * se


@pytest.mark.slow
def test_default_market_buys_like_cdnow():
    # the focal firm's first-quarter cohort over 78 weeks, at 20,000 customers (budgets scaled)
    sc = cxsim.preset("default").resized(20_000)
    log = simulate_log(sc, seed=1, weeks=78, start="1997-01-01")
    log = read_transaction_log(log, start="1997-01-01")
    facts = cohort_summary(log, cohort_weeks=12, horizon_weeks=78)
    # CDNOW's (cxsim.calibration.summary, the module docstring)
    cdnow = {"transactions_per_customer": 2.868, "share_once": 0.511}
    for name, value in cdnow.items():
        assert getattr(facts, name) == pytest.approx(value, rel=0.25), name
    cohort = rfm(log, 39).loc[cohort_customers(log, 12)]
    assert fit_bgnbd(cohort["frequency"], cohort["recency"], cohort["T"]).r < 1.0
