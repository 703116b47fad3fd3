"""Reference behaviours 1–7 of docs/ODD.md (DESIGN.md), emerging from the model's mechanisms.

Each test runs the real model through :mod:`cxsim.validation.behaviours` with fixed seeds.
Stochastic comparisons use z-scores: a difference must exceed ``Z`` of its Monte-Carlo standard
error (paired across replications where the runs share seeds; binomial for shares). ``Z = 3``
keeps the chance of a false failure from noise alone below about 0.3% per comparison, while the
measured effects are many standard errors wide (the figures are in docs/validation.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.validation import behaviours as b

Z = 3.0


def paired_z(a, b_) -> float:
    """z-score of the mean paired difference a − b over replications."""
    d = np.asarray(a, float) - np.asarray(b_, float)
    return float(d.mean() / (d.std(ddof=1) / np.sqrt(d.size)))


def two_share_z(p1, n1, p2, n2) -> float:
    """z-score of p1 − p2 for two independent binomial shares."""
    return float((p1 - p2) / np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2))


# 1. Leaky bucket -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_pair():
    return b.strategy_pair("acquisition_focus", "retention_focus", replications=10, weeks=260)


def test_leaky_bucket_acquisition_grows_faster_early(default_pair):
    r = default_pair
    assert paired_z(r["acquisition_focus:customers_13"], r["retention_focus:customers_13"]) > Z


def test_leaky_bucket_acquisition_churns_more_and_earns_less(default_pair):
    r = default_pair
    assert paired_z(r["acquisition_focus:churn_rate"], r["retention_focus:churn_rate"]) > Z
    assert paired_z(r["retention_focus:npv"], r["acquisition_focus:npv"]) > Z
    assert paired_z(r["retention_focus:customers_end"], r["acquisition_focus:customers_end"]) > Z


def test_in_a_young_market_with_weak_word_of_mouth_acquisition_wins():
    r = b.strategy_pair("new_market_acquisition", "new_market_retention", replications=10,
                        weeks=260)
    assert paired_z(r["new_market_acquisition:npv"], r["new_market_retention:npv"]) > Z


# 2. Expectation treadmill ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def treadmill():
    return b.expectation_treadmill(improvement=0.0), b.expectation_treadmill(improvement=0.03)


def test_at_constant_quality_disconfirmation_decays_and_delight_fades(treadmill):
    flat, _ = treadmill
    early = flat[(flat.week >= 1) & (flat.week <= 8)]
    late = flat[flat.week > flat.week.max() - 26]
    early_delight = early.delighted.sum() / early.purchases.sum()
    late_delight = late.delighted.sum() / late.purchases.sum()
    assert two_share_z(early_delight, early.purchases.sum(), late_delight,
                       late.purchases.sum()) > Z
    # what remains is the delight that chance alone gives (upside noise), a small fraction
    assert late_delight < 0.25 * early_delight
    # disconfirmation: clearly positive at first, no longer positive once expectations caught up
    assert early.mean_disconfirmation.mean() > 0.15
    assert late.mean_disconfirmation.mean() < 0.02
    # praise sent per purchase fades with the delight that drives it
    assert (late.wom_positive.sum() / late.purchases.sum()
            < 0.5 * early.wom_positive.sum() / early.purchases.sum())


def test_only_continuing_improvement_keeps_delighting(treadmill):
    flat, rising = treadmill
    late_flat = flat[flat.week > flat.week.max() - 26]
    late_rise = rising[rising.week > rising.week.max() - 26]
    p_flat = late_flat.delighted.sum() / late_flat.purchases.sum()
    p_rise = late_rise.delighted.sum() / late_rise.purchases.sum()
    assert two_share_z(p_rise, late_rise.purchases.sum(), p_flat, late_flat.purchases.sum()) > Z
    assert late_rise.mean_disconfirmation.mean() > 0.2


# 3. Trust asymmetry ---------------------------------------------------------------------------

def test_one_miss_and_one_hit_leave_trust_below_start():
    t = b.trust_asymmetry(start=0.5)
    assert t.after_miss_and_hit < t.start
    assert t.hits_to_recover >= 2  # recovering takes several hits
    assert 2.0 <= t.loss_to_gain <= 5.0  # negative learning 2–5× positive (literature)


def test_trust_is_lost_fast_and_won_back_slowly_in_the_market():
    tm = b.trust_in_market()
    gap = tm.control - tm.failure
    drop_week = gap.idxmax()
    # the fall happens within a few weeks of the one-week failure at week 52
    assert 52 < drop_week <= 56
    worst = gap.max()
    assert worst > 0.03
    # the climb back takes many times longer than the fall
    recovered = gap[gap.index > drop_week]
    weeks_to_halve = (recovered < worst / 2).idxmax() - drop_week
    assert weeks_to_halve > 3 * (drop_week - 52)


# 4. Invisible complaints ----------------------------------------------------------------------

def test_most_dissatisfied_customers_never_complain_unless_asked():
    c = b.complaint_share((0.0, 0.01, 0.05))
    silent_firm = c.iloc[0]
    # a few percent by default: TARP's 1 in 26 for small problems, about half for serious ones
    assert 0.02 < silent_firm.share < 0.12
    for lo, hi in zip(c.itertuples(), c.iloc[1:].itertuples(), strict=False):
        assert two_share_z(hi.share, hi.dissatisfied, lo.share, lo.dissatisfied) > Z


# 5. Service recovery --------------------------------------------------------------------------

def test_recovery_ordering_fast_resolved_unresolved_silent():
    r = b.service_recovery(n_customers=12_000).set_index("group")
    assert (r.followed > 30).all(), r
    fast, slow, unres, silent = (r.loc[g] for g in b.RECOVERY_GROUPS)
    assert two_share_z(fast.repurchase, fast.followed, slow.repurchase, slow.followed) > Z
    assert two_share_z(slow.repurchase, slow.followed, unres.repurchase, unres.followed) > 2.0
    # unresolved ≈ silent: no difference beyond the noise
    assert abs(two_share_z(unres.repurchase, unres.followed,
                           silent.repurchase, silent.followed)) < Z


# 6. Bad news travels --------------------------------------------------------------------------

def test_bad_news_from_a_few_costs_a_disproportionate_share_of_value():
    r = b.bad_news(replications=10, scenario="word_of_mouth_market", n_customers=4000)
    lev = r.leverage
    assert r.speaker_share.mean() < 0.2  # a small share of customers spread bad news …
    assert (lev.mean() - 1.0) / (lev.std(ddof=1) / np.sqrt(lev.size)) > Z  # … costing more


# 7. Individual treatment ----------------------------------------------------------------------

def test_personalization_beats_uniform_treatment_and_more_so_with_diverse_needs():
    r = b.individual_treatment((0.25, 1.0, 2.0), replications=3)
    # at the default heterogeneity (1.0) and above, personalization wins at equal spend
    for row in r[r.need_heterogeneity >= 1.0].itertuples():
        assert row.difference / row.se > Z
    # and the advantage grows with heterogeneity
    diffs = r.difference.to_numpy()
    ses = r.se.to_numpy()
    for i in range(len(diffs) - 1):
        assert (diffs[i + 1] - diffs[i]) / np.hypot(ses[i], ses[i + 1]) > Z
