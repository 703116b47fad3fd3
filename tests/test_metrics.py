"""Metrics that mean what the industry means (issue 13): active customers by recency, purchase
share, NPS from a simulated 0–10 survey with its sampling error, CAC per customer won from
prospects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxsim import Market
from cxsim.core import metrics
from cxsim.core.metrics import (
    ACTIVE_WINDOW_WEEKS,
    METRIC_INFO,
    active_mask,
    likelihood_to_recommend,
    nps_from_scores,
    nps_survey,
)
from cxsim.core.rules import ADVOCATE, BUYER
from cxsim.core.streams import MECHANISMS

NEW = (
    "alive",
    "active",
    "first_purchases",
    "purchase_share",
    "share_of_wallet",
    "nps",
    "nps_se",
)


@pytest.fixture(scope="module")
def run():
    market = Market(rng=11, n_customers=600)
    frame = market.run(80)
    return market, frame


def test_new_metrics_are_declared_once_with_unit_and_meaning():
    for name in NEW:
        m = METRIC_INFO[name]
        assert m.label and m.unit and m.meaning
    assert METRIC_INFO["nps"].unit == "points in [−100, 100]"


def test_alive_is_the_ladder_count_and_customers_its_alias(run):
    market, frame = run
    stages = frame[["buyer", "repeat", "client", "advocate"]].sum(axis=1)
    assert (frame["alive"] == stages).all()
    assert (frame["customers"] == frame["alive"]).all()


def test_active_counts_purchases_within_the_window(run):
    market, frame = run
    c = market.customers
    last = frame[frame["week"] == frame["week"].max()]
    age = market.week - c.last_purchase.astype(float)
    expected = ((age <= ACTIVE_WINDOW_WEEKS) & ~np.isnan(age)).sum(axis=0)
    assert last["active"].tolist() == expected.tolist()
    # everyone active bought at least once; nobody who never bought is active
    assert not (
        active_mask(c.last_purchase, market.week, ACTIVE_WINDOW_WEEKS) & np.isnan(c.last_purchase)
    ).any()


def test_active_excludes_customers_who_stopped_buying_and_alive_does_not():
    """A customer who has not bought for longer than the window is not active, even while the
    ladder still counts it alive (it has not formally left)."""
    lp = np.array([[0.0, np.nan], [60.0, 10.0], [np.nan, 70.0]], dtype=np.float32)
    mask = active_mask(lp, 100.0, 52.0)
    assert mask.tolist() == [[False, False], [True, False], [False, True]]
    assert metrics.active_counts(lp, 100.0, 52.0).tolist() == [1.0, 1.0]
    # the boundary: a purchase exactly ``window`` weeks old still counts
    assert active_mask(np.array([[48.0]], dtype=np.float32), 100.0, 52.0).all()


def test_active_is_at_most_everyone_who_ever_bought(run):
    market, frame = run
    ever = (~np.isnan(market.customers.last_purchase)).sum(axis=0)
    last = frame[frame["week"] == frame["week"].max()]
    assert (last["active"].to_numpy() <= ever).all()


def test_purchase_share_sums_to_one_each_week(run):
    _, frame = run
    weeks = frame[frame["purchases"].groupby(frame["week"]).transform("sum") > 0]
    total = weeks.groupby("week")["purchase_share"].sum()
    assert np.allclose(total, 1.0)
    shares = weeks["purchases"] / weeks.groupby("week")["purchases"].transform("sum")
    assert np.allclose(weeks["purchase_share"], shares)


def test_share_of_wallet_is_the_firms_share_of_its_active_customers_purchases(run):
    market, frame = run
    c = market.customers
    rows, firm = market.events["purchases"]
    last = frame[frame["week"] == frame["week"].max()]
    for f in range(c.n_firms):
        theirs = (market.week - c.last_purchase[rows, f].astype(float)) <= ACTIVE_WINDOW_WEEKS
        assert last["share_of_wallet"].iloc[f] == pytest.approx(np.mean(firm[theirs] == f))
    assert frame["share_of_wallet"].dropna().between(0, 1).all()
    # with one firm, its active customers buy only from it
    alone = Market(rng=4, n_customers=300, firms=[{"name": "only"}]).run(5)
    assert (alone["share_of_wallet"].dropna() == 1.0).all() and alone[
        "share_of_wallet"
    ].notna().any()


def test_cac_counts_only_customers_won_from_prospects(run):
    _, frame = run
    assert (frame["new"] == frame["first_purchases"] + frame["won_back"]).all()
    won = frame[frame["first_purchases"] > 0]
    assert np.allclose(won["cac"], won["acquisition_spend"] / won["first_purchases"])
    assert frame.loc[frame["first_purchases"] == 0, "cac"].isna().all()


# --------------------------------------------------------------------------------------------
# NPS
# --------------------------------------------------------------------------------------------


def test_nps_of_customers_whose_expectations_were_met_is_positive():
    rng = np.random.default_rng(1)
    n = 5000
    trust = rng.uniform(0.75, 1.0, n)
    satisfaction = rng.uniform(0.0, 1.0, n)  # met or exceeded
    nps, se = nps_survey(trust, satisfaction, 400, rng)
    assert nps - 2 * se > 0


def test_nps_of_disappointed_customers_is_negative():
    rng = np.random.default_rng(2)
    n = 5000
    trust = rng.uniform(0.1, 0.5, n)
    satisfaction = rng.uniform(-3.0, -1.2, n)  # felt short by more than disappointment_margin
    nps, se = nps_survey(trust, satisfaction, 400, rng)
    assert nps + 2 * se < 0


def test_nps_interval_shrinks_with_sample_size():
    rng = np.random.default_rng(3)
    n = 20_000
    trust = rng.uniform(0.0, 1.0, n)
    satisfaction = rng.normal(-0.5, 1.0, n)
    ses = [nps_survey(trust, satisfaction, k, np.random.default_rng(4))[1] for k in (50, 200, 800)]
    assert ses[0] > ses[1] > ses[2] > 0
    # the standard error falls as 1/sqrt(n): 4x the sample, about half the error
    assert ses[1] / ses[2] == pytest.approx(2.0, rel=0.2)


def test_nps_formula_and_scale():
    scores = np.array([10, 9, 9, 8, 7, 6, 0, 3, 10, 10], dtype=float)  # 5 promoters, 3 detractors
    nps, se = nps_from_scores(scores)
    p, q = 0.5, 0.3
    assert nps == pytest.approx(20.0)
    assert se == pytest.approx(100 * np.sqrt((p + q - (p - q) ** 2) / 10))
    assert np.isnan(nps_from_scores(np.array([]))[0])
    assert nps_from_scores(np.full(7, 10.0)) == (100.0, 0.0)
    assert nps_from_scores(np.full(7, 2.0)) == (-100.0, 0.0)


def test_likelihood_to_recommend_is_a_0_to_10_whole_number():
    z = np.array([0.0, 0.0, 0.0, 5.0, -5.0])
    trust = np.array([0.0, 0.4, 1.0, 1.0, 0.0])
    sat = np.array([0.0, np.nan, 0.0, 3.0, -4.0])
    out = likelihood_to_recommend(trust, sat, z)
    assert out.tolist() == [5.0, 7.0, 10.0, 10.0, 0.0]
    # an untried firm's trust (0.4) and a met expectation: a passive, not a detractor
    assert 7 <= out[1] <= 8


def test_nps_survey_samples_only_active_customers_and_reports_points(run):
    market, frame = run
    assert frame["nps"].dropna().between(-100, 100).all()
    assert (frame["nps_se"].dropna() >= 0).all()
    # a firm without active customers has no NPS
    young = Market(
        rng=5, n_customers=300, firms=[{"name": "a", "initial_customers": 0.0}]
    ).to_frame()
    assert young["active"].iloc[0] == 0 and np.isnan(young["nps"].iloc[0])


def test_the_survey_has_its_own_stream_and_reshuffles_no_other_draw():
    assert MECHANISMS[-1] == "survey"
    a = Market(rng=9, n_customers=400)
    fa = a.run(20)
    b = Market(rng=9, n_customers=400)
    b.streams.survey = np.random.default_rng(12345)  # a different survey, same market
    fb = b.run(20)
    same = [c for c in fa.columns if c not in ("nps", "nps_se")]
    assert fa[same].equals(fb[same])
    assert not fa["nps"].equals(fb["nps"])
    # same seed, same numbers
    assert Market(rng=9, n_customers=400).run(20).equals(fa)


def test_mean_trust_is_over_alive_customers(run):
    market, frame = run
    c = market.customers
    alive = (c.stage >= BUYER) & (c.stage <= ADVOCATE)
    last = frame[frame["week"] == frame["week"].max()]
    for f in range(c.n_firms):
        if alive[:, f].any():
            got = last["mean_trust"].iloc[f]
            assert got == pytest.approx(c.trust[alive[:, f], f].mean())


# --------------------------------------------------------------------------------------------
# incremental CAC and break-even (cxsim.experiments.economics)
# --------------------------------------------------------------------------------------------


def test_without_acquisition_removes_the_acquisition_money_and_keeps_the_rest():
    from cxsim.experiments.economics import without_acquisition
    from cxsim.params import ACQUISITION_LEVERS, resolve_scenario

    base = resolve_scenario("retention_focus")
    cut = without_acquisition(base, "focal")
    before, after = base.firms[0], cut.firms[0]
    shares = before.shares()
    acq = sum(shares[k] for k in ACQUISITION_LEVERS)
    assert after.budget == pytest.approx(before.budget * (1 - acq))
    for lever, share in after.shares().items():
        if lever in ACQUISITION_LEVERS:
            assert share == 0
        else:  # same money on every other lever
            assert share * after.budget == pytest.approx(shares[lever] * before.budget)
    assert cut.firms[1] == base.firms[1]


def test_incremental_cac_of_acquisition_levers_that_do_nothing_gains_nobody():
    """Known answer: with zero ceilings on advertising and promotion the spend buys nothing, so
    the paired runs (same seed) win exactly the same customers; the spend was all wasted."""
    from cxsim.experiments.economics import incremental_cac, incremental_cac_runs

    kw: dict = dict(replications=2, seed=3, weeks=30)
    kw.update(advertising_ceiling=0.0, promotion_ceiling=0.0)
    runs = incremental_cac_runs("acquisition_focus", "focal", **kw)
    assert (runs["incremental_won"] == 0).all() and (runs["incremental_active"] == 0).all()
    assert (runs["incremental_spend"] > 0).all()
    assert (runs["acquisition_spend_without"] == 0).all()
    row = incremental_cac("acquisition_focus", "focal", **kw).iloc[0]
    assert row["incremental_cac"] == np.inf and np.isfinite(row["cac"])


def test_incremental_cac_is_above_the_average_cac_when_others_bring_customers_too():
    from cxsim.experiments.economics import incremental_cac

    row = incremental_cac("acquisition_focus", "focal", replications=3, seed=1, weeks=52).iloc[0]
    assert row["incremental_won"] > 0
    assert row["incremental_cac"] > row["cac"]
    assert row["ci_low"] <= row["incremental_cac"] <= row["ci_high"]


def _npv_frame(values, equity=None):
    import pandas as pd

    weeks = np.arange(len(values), dtype=float)
    frame = pd.DataFrame({"week": weeks, "firm": "focal", "npv": np.asarray(values, float)})
    if equity is not None:
        frame["customer_equity"] = np.asarray(equity, float)
    return frame


def test_break_even_week_on_hand_made_frames():
    from cxsim.experiments.economics import break_even_week

    a = _npv_frame([0, 10, 20, 30, 40, 50])
    b = _npv_frame([0, 5, 21, 29, 45, 60])  # ahead in week 2, behind in 3, ahead from week 4
    assert break_even_week(a, b) == 4.0
    assert np.isnan(break_even_week(b, a))  # A never stays above B
    assert break_even_week(a, _npv_frame([1, 11, 21, 31, 41, 51])) == 0.0
    # B behind on NPV, but the customers it holds at the horizon are worth more
    b_eq = _npv_frame([0, 8, 16, 24, 32, 40], equity=[0, 0, 0, 0, 100, 100])
    a_eq = a.assign(customer_equity=0.0)
    assert np.isnan(break_even_week(a_eq, b_eq))
    assert break_even_week(a_eq, b_eq, with_equity=True, discount_rate=0.0) == 4.0
    with pytest.raises(ValueError, match="discount_rate"):
        break_even_week(a_eq, b_eq, with_equity=True)


def test_break_even_week_averages_replications_and_picks_the_firm():
    import pandas as pd

    from cxsim.experiments.economics import break_even_week

    a = _npv_frame([0, 10, 20])
    b = pd.concat([_npv_frame([0, 0, 30]), _npv_frame([0, 30, 30])])  # mean 0, 15, 30
    other = _npv_frame([0, -100, -100]).assign(firm="rival")
    assert break_even_week(a, pd.concat([b, other]), firm="focal") == 1.0
    with pytest.raises(ValueError, match="several firms"):
        break_even_week(a, pd.concat([b, other]))


# --------------------------------------------------------------------------------------------
# cohort CLV, realised and predicted (cxsim.experiments.clv)
# --------------------------------------------------------------------------------------------


def test_cohort_values_discount_margins_from_each_first_purchase():
    from cxsim.calibration.simulate import SimulatedPurchases
    from cxsim.experiments.clv import cohort_values

    # customer 1 born on day 7 (week 1, in the cohort), buys again on days 14 and 7 + 7*60;
    # customer 2 born on day 0 (before the cohort); customer 3 born on day 21, never again
    purchases = SimulatedPurchases(
        customer=np.array([1, 1, 1, 2, 2, 3]),
        day=np.array([7, 14, 7 + 7 * 60, 0, 10, 21]),
        amount=np.array([10.0, 10.0, 10.0, 10.0, 10.0, 20.0]),
        n_customers=4,
        days=7 * 100,
    )
    rate = 0.1
    d = (1 + rate) ** (1 / 52) - 1
    out, margin = cohort_values(
        purchases,
        margin_share=0.4,
        discount_rate=rate,
        cohort_start=1,
        cohort_weeks=4,
        calibration_weeks=10,
        horizon_weeks=52,
    )
    assert out.index.tolist() == [1, 3]
    one = out.loc[1]
    # the purchase at week 60 after birth is past the 52-week horizon
    assert one["realised"] == pytest.approx(4.0 + 4.0 / (1 + d))
    assert one["observed"] == pytest.approx(one["realised"])
    assert (one["frequency"], one["recency"]) == (1, 1.0)
    assert one["T"] == pytest.approx((7 * 15 - 1 - 7) / 7)
    assert out.loc[3, "realised"] == pytest.approx(8.0) and out.loc[3, "frequency"] == 0
    assert margin == pytest.approx(4.0)  # the one repeat purchase in the calibration period


def test_cohort_clv_predicts_what_a_stationary_cohort_realises():
    """A smaller version of the clv-cohort-bgnbd docking check: the BG/NBD prediction from the
    calibration period is within a few Monte-Carlo errors of what the cohort realises."""
    from cxsim.experiments.clv import cohort_clv
    from cxsim.validation.docking import clv_cohort_market

    kw = clv_cohort_market()
    n = 8000
    # customers alike in spend, so that the margin per purchase is known: price 10 - cost 6
    kw.update(
        n_customers=n,
        firms=[{"name": "focal", "budget": 0.1 * n * 52}],
        spend_shape=math.inf,
        spend_heterogeneity=math.inf,
    )
    r = cohort_clv(
        None,
        "focal",
        seed=2,
        cohort_start=104,
        cohort_weeks=26,
        calibration_weeks=52,
        horizon_weeks=156,
        **kw,
    )
    assert r.n > 50 and r.customers["realised"].ge(r.customers["observed"] - 1e-9).all()
    assert r.observed < r.predicted and r.observed < r.realised
    assert abs(r.z) < 4
    assert r.margin == pytest.approx(4.0, rel=0.05)  # price 10 − unit cost 6, baskets of 1


def test_clv_cohort_check_is_registered_held_out():
    import cxsim.validation  # noqa: F401
    from cxsim.validation import checks

    chk = next(c for c in checks.CHECKS if c.name == "clv-cohort-bgnbd")
    assert chk.role == checks.HELD_OUT
