"""Customers who buy like real customers: Poisson needs, heterogeneous leaving and spend, trial
purchases and the effort it takes to win lost customers back.

Stochastic checks use fixed seeds; each tolerance is derived from the Monte-Carlo error of what
it compares (stated at the check).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxsim import FirmSpec, Market
from cxsim.calibration import fit_gamma_gamma
from cxsim.core.rules import ADVOCATE, BUYER, LOST


def test_several_needs_can_fall_in_one_step():
    # need rate 2 a week at a one-week step: Poisson(2) needs, so most buyers buy more than once
    m = Market(rng=3, n_customers=500, need_rate=2.0, need_rate_shape=1000.0)
    m.step()
    need, chosen = m.events["choices"]
    per_customer = np.bincount(need, minlength=500)
    assert per_customer.max() >= 4
    # mean needs per customer: 2 with SE sqrt(2/500) = 0.063; allow 4 SE
    assert abs(per_customer.mean() - 2.0) < 4 * math.sqrt(2.0 / 500)


def test_needs_per_week_do_not_depend_on_the_step():
    # 20,000 customers, 4 weeks at rate 0.25/week: expected 20,000 needs, Poisson SE 141;
    # two independent runs differ by at most 4·sqrt(2)·141
    totals = []
    for dt in (1.0, 0.25):
        m = Market(rng=5, n_customers=20_000, need_rate=0.25, dt=dt, customer_agents=False)
        needs = 0
        for _ in range(int(4 / dt)):
            m.step()
            needs += m.events["choices"][0].size if "choices" in m.events else 0
        totals.append(needs)
    assert abs(totals[0] - totals[1]) < 4 * math.sqrt(2) * math.sqrt(20_000)
    assert abs(totals[0] - 20_000) < 4 * math.sqrt(20_000)


def test_spend_follows_the_gamma_gamma_model():
    # a market whose customers spend as the gamma-gamma model says: fitting that model to the
    # market's own transaction log recovers the shapes within 3 standard errors
    m = Market(
        rng=11,
        n_customers=3_000,
        need_rate=1.0,
        spend_shape=6.0,
        spend_heterogeneity=4.0,
        record_transactions=True,
        customer_agents=False,
    )
    m.run(26)
    log = m.transactions()
    log = log[log["firm"] == "focal"]
    per = log.groupby("customer")["amount"].agg(["size", "mean"])
    repeat = per[per["size"] >= 2]
    # the gamma-gamma model conditions on repeat transactions: use all purchases after the first
    fit = fit_gamma_gamma(repeat["size"].to_numpy(), repeat["mean"].to_numpy())
    se = fit.se
    assert abs(fit.p - 6.0) < 3 * se["p"], (fit.p, se)
    assert abs(fit.q - 4.0) < 3 * se["q"], (fit.q, se)


def test_usual_baskets_average_one_unit_and_revenue_is_what_was_spent():
    m = Market(rng=2, n_customers=20_000, spend_heterogeneity=3.0, customer_agents=False)
    usual = m.customers.usual_basket
    # inverse-gamma with mean 1 and variance 1/(q - 2) = 1: SE of the mean sqrt(1/20,000)
    assert abs(usual.mean() - 1.0) < 4 * math.sqrt(1.0 / 20_000)
    m2 = Market(rng=2, n_customers=400, spend_shape=2.0, record_transactions=True)
    frame = m2.run(8)
    log = m2.transactions()
    assert log["amount"].std() > 0
    np.testing.assert_allclose(
        log.groupby("firm", observed=False)["amount"].sum().to_numpy(),
        frame.groupby("firm", observed=False)["revenue"].sum().to_numpy(),
    )


def test_customers_differ_in_how_readily_they_leave():
    m = Market(
        rng=4,
        n_customers=20_000,
        leave_heterogeneity=0.5,
        initial_tenure=0.0,
        customer_agents=False,
    )
    pi = m.customers.leave_propensity
    # gamma(0.5) scaled to mean 1: variance 2, SE of the mean 0.01; allow 4 SE
    assert abs(pi.mean() - 1.0) < 0.04
    assert abs(pi.var() - 2.0) < 0.3
    # the ones with a high propensity leave more often
    m.run(26)
    lost = (m.customers.stage == LOST).any(axis=1)
    high, low = pi > np.quantile(pi, 0.8), pi < np.quantile(pi, 0.2)
    assert lost[high].mean() > 2 * lost[low].mean()


def _one_firm(**spec):
    return [FirmSpec(name="firm", initial_customers=0.0, initial_awareness=0.0, **spec)]


def test_trial_purchase_without_a_need():
    # needs never arrive; advertising brings prospects into consideration; with trial they buy
    kw = dict(rng=6, n_customers=1_000, need_rate=0.0, social_influence=0.0, firms=_one_firm())
    no_trial = Market(**kw).run(10)
    trial = Market(trial_probability=1.0, **kw).run(10)
    assert no_trial["purchases"].sum() == 0
    assert trial["purchases"].sum() > 0
    assert trial["purchases"].sum() == trial["new"].sum()  # each trial is a first purchase


def test_lost_customers_need_winning_back():
    kw = dict(rng=7, n_customers=1_000, churn_base=0.2, firms=_one_firm(base_reach=5.0))
    easy = Market(**kw).run(30)
    hard = Market(winback_reach=0.0, **kw).run(30)
    assert easy["won_back"].sum() > 0
    assert hard["won_back"].sum() == 0


@pytest.mark.parametrize(
    ("name", "column"),
    [("spend_heterogeneity", "usual_basket"), ("leave_heterogeneity", "leave_propensity")],
)
def test_infinite_shapes_mean_everyone_alike(name, column):
    m = Market(rng=1, n_customers=200, **{name: math.inf})
    assert np.all(getattr(m.customers, column) == 1.0)
    # and a finite shape makes them differ
    assert getattr(Market(rng=1, n_customers=200, **{name: 2.0}).customers, column).std() > 0


def test_existing_customers_are_the_ones_who_stayed():
    # Gamma(s, rate s) propensities, hazard churn_base × propensity: after T weeks the
    # survivors' propensities are Gamma(s, rate s + churn_base·T), mean s / (s + churn_base·T)
    s, base, tenure = 0.5, 0.1, 52.0
    kw = dict(rng=9, n_customers=20_000, leave_heterogeneity=s, churn_base=base)
    m = Market(initial_tenure=tenure, customer_agents=False, **kw)
    existing = (m.customers.stage >= BUYER).any(axis=1)
    pi = m.customers.leave_propensity
    expected = s / (s + base * tenure)  # 0.0877
    # sd of Gamma(s, rate) = sqrt(s) / rate; SE of the mean over about 12,000 customers: 4 SE
    n = existing.sum()
    se = np.sqrt(s) / (s + base * tenure) / np.sqrt(n)
    assert abs(pi[existing].mean() - expected) < 4 * se
    # everyone else is drawn like anyone (mean 1), and tenure 0 conditions nobody
    assert abs(pi[~existing].mean() - 1.0) < 4 * np.sqrt(1 / s) / np.sqrt((~existing).sum())
    fresh = Market(initial_tenure=0.0, customer_agents=False, **kw)
    assert abs(fresh.customers.leave_propensity[existing].mean() - 1.0) < 0.1
    # and the survivors stay: after half a year, most existing customers are still customers
    m.run(26)
    still = (m.customers.stage[existing] >= BUYER) & (m.customers.stage[existing] <= ADVOCATE)
    fresh.run(26)
    gone_fresh = (fresh.customers.stage[existing] == LOST).any(axis=1).mean()
    gone = (m.customers.stage[existing] == LOST).any(axis=1).mean()
    assert still.any(axis=1).mean() > 0.5
    assert gone < gone_fresh / 2
