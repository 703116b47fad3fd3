"""Each behavioural rule of cxsim.core.rules, alone: hand-computed values, limits and properties.

The rules are pure functions of arrays, so every check here feeds numbers in and compares
numbers out. Statistical checks use a fixed seed and state how their tolerance follows from
the Monte-Carlo standard error; property checks use hypothesis over finite inputs in the
documented ranges.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cxsim.core import rules
from cxsim.core.rules import ADVOCATE, BUYER, CLIENT, LOST, PROSPECT, REPEAT

SEED = 20240611
#: Property tests: deterministic (derandomized) and small enough to keep the file fast.
PROPS = settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

unit = st.floats(0.0, 1.0, allow_nan=False)
open_unit = st.floats(1e-6, 1.0 - 1e-6, allow_nan=False)
quality = st.floats(-50.0, 50.0, allow_nan=False)
nonneg = st.floats(0.0, 100.0, allow_nan=False)
small_n = st.integers(1, 30)


def vec(elements, n=None):
    """Hypothesis strategy: 1-d float arrays of ``elements``."""
    shape = st.integers(1, 30) if n is None else n
    return arrays(np.float64, shape, elements=elements)


# --------------------------------------------------------------------------------------------
# hazard_to_probability, need_arrives
# --------------------------------------------------------------------------------------------


def test_hazard_to_probability_hand_values():
    assert rules.hazard_to_probability(0.0, 1.0) == 0.0
    assert rules.hazard_to_probability(np.inf, 1.0) == 1.0
    assert rules.hazard_to_probability(1.0, 1.0) == pytest.approx(1.0 - math.exp(-1.0), rel=1e-15)
    assert rules.hazard_to_probability(0.5, 2.0) == pytest.approx(1.0 - math.exp(-1.0), rel=1e-15)
    out = rules.hazard_to_probability(np.array([0.0, 0.1, np.inf]), 3.0)
    np.testing.assert_allclose(out, [0.0, 1.0 - math.exp(-0.3), 1.0], rtol=1e-15)


@pytest.mark.parametrize("rate", [0.01, 0.3, 2.0, 40.0])
def test_hazard_to_probability_small_dt_limit(rate):
    # P(event in dt) / dt -> rate as dt -> 0, with error rate^2·dt/2 to first order
    for dt in (1e-3, 1e-5, 1e-7):
        p = rules.hazard_to_probability(rate, dt)
        assert p / dt == pytest.approx(rate, rel=rate * dt)  # |p/dt - r| ≈ r²dt/2 < r·(r·dt)
    # and the discretisation is exact: two half steps compose to one full step
    half = rules.hazard_to_probability(rate, 0.5)
    assert 1.0 - (1.0 - half) ** 2 == pytest.approx(rules.hazard_to_probability(rate, 1.0))


@PROPS
@given(rate=vec(st.floats(0.0, 1e6)), dt=st.floats(0.0, 52.0))
def test_hazard_to_probability_in_unit_interval(rate, dt):
    p = rules.hazard_to_probability(rate, dt)
    assert np.all((p >= 0.0) & (p <= 1.0))
    assert not np.isnan(p).any()


def test_needs_in_step_hand_values():
    rate = np.array([0.0, 1.0, 1.0, np.inf, 0.5, 1.0])
    u = np.array([0.0, 0.0, 0.99, 0.999999, 0.3, 0.5])
    # Poisson(1) CDF: 0.368, 0.736, 0.920, 0.981, 0.996; Poisson(0.5): P(0) = 0.607
    expected = np.array([0, 0, 4, 1, 0, 1])
    np.testing.assert_array_equal(rules.needs_in_step(rate, 1.0, u), expected)
    assert rules.needs_in_step(rate, 1.0, u).dtype == np.int64
    # no need exactly when u < exp(-rate * dt), as hazard_to_probability says
    r = np.array([0.25, 0.25])
    p0 = math.exp(-0.25)
    np.testing.assert_array_equal(rules.needs_in_step(r, 1.0, np.array([p0 - 1e-9, p0])), [0, 1])


def test_needs_in_step_is_poisson():
    # N = 200,000 draws at mean 0.7: each cell's share has SE sqrt(p(1-p)/N) <= 1.2e-3; allow 4 SE
    rng = np.random.default_rng(SEED)
    n = 200_000
    k = rules.needs_in_step(np.full(n, 0.35), 2.0, rng.random(n))
    for j in range(5):
        p = math.exp(-0.7) * 0.7**j / math.factorial(j)
        assert abs((k == j).mean() - p) < 4 * math.sqrt(p * (1 - p) / n), j


def test_needs_in_step_count_does_not_depend_on_the_step():
    # needs over one week: one step of a week, or seven steps of a day (Poisson is additive).
    # 100,000 customers at 0.25 a week: the mean's SE is sqrt(0.25 / N) = 1.6e-3; allow 4 SE
    rng = np.random.default_rng(SEED + 1)
    n = 100_000
    rate = np.full(n, 0.25)
    week = rules.needs_in_step(rate, 1.0, rng.random(n)).mean()
    days = sum(rules.needs_in_step(rate, 1 / 7, rng.random(n)) for _ in range(7)).mean()
    se = math.sqrt(0.25 / n)
    assert abs(week - 0.25) < 4 * se and abs(days - 0.25) < 4 * se


def test_basket_size():
    usual = np.array([1.0, 2.0])
    np.testing.assert_array_equal(rules.basket_size(usual, math.inf, None), usual)
    np.testing.assert_allclose(rules.basket_size(usual, 4.0, np.array([4.0, 2.0])), [1.0, 1.0])


# --------------------------------------------------------------------------------------------
# choice
# --------------------------------------------------------------------------------------------


def test_choice_utility_hand_values():
    expectation = np.array([[5.0, 6.0], [4.0, 4.0]])
    trust = np.array([[0.5, 1.0], [0.0, 0.25]])
    price = np.array([10.0, 12.0])
    bonus = np.array([[0.0, 0.5], [1.0, 0.0]])
    satisfaction = np.array([[np.nan, -2.0], [1.0, np.nan]])  # nan: no experience yet
    v = rules.choice_utility(
        expectation,
        trust,
        price,
        bonus,
        satisfaction,
        quality_weight=2.0,
        trust_weight=3.0,
        satisfaction_weight=0.5,
        price_sensitivity=0.1,
    )
    # row 0: 2·5 + 3·0.5 − 1 + 0 + 0 = 10.5 ; 2·6 + 3·1 − 1.2 + 0.5 + 0.5·(−2) = 13.3
    # row 1: 2·4 + 0 − 1 + 1 + 0.5·1 = 8.5 ; 8 + 0.75 − 1.2 + 0 = 7.55
    np.testing.assert_allclose(v, [[10.5, 13.3], [8.5, 7.55]], rtol=1e-14)


def _choice_probability(utility: np.ndarray, outside: float) -> np.ndarray:
    """Logit probability of each firm (all considered) against the outside option."""
    w = np.exp(utility)
    return w / (np.exp(outside) + w.sum(axis=-1, keepdims=True))


@PROPS
@given(
    x=st.floats(0.01, 3.0),
    lam=st.floats(1.01, 5.0),
    base=st.floats(-3.0, 3.0),
    weight=st.floats(0.05, 2.0),
)
def test_loss_moves_repurchase_more_than_an_equal_gain(x, lam, base, weight):
    # Anderson & Sullivan 1993: a loss of the same size as a gain moves repurchase more. Felt
    # satisfaction (loss-averse) enters the utility of the firm last bought from; the log-odds
    # of buying it again move λ times as much for the loss, and its choice probability moves
    # more for the loss whenever coming back was at least even odds.
    felt = rules.satisfaction(np.array([x, -x, 0.0]), lam)
    v = rules.choice_utility(
        np.full((3, 1), base),
        np.full((3, 1), 0.5),
        np.array([1.0]),
        np.zeros((3, 1)),
        felt[:, None],
        quality_weight=1.0,
        trust_weight=1.0,
        satisfaction_weight=weight,
        price_sensitivity=0.0,
    )[:, 0]
    gain, loss, neutral = v
    assert neutral - loss == pytest.approx(lam * (gain - neutral), rel=1e-9)
    assert neutral - loss > gain - neutral
    outside = float(neutral)  # the outside option at even odds: P(neutral) = 1/2
    for out in (outside, outside - abs(base)):  # at even odds and above
        p_gain, p_loss, p_neutral = _choice_probability(v[:, None], out)[:, 0]
        assert p_neutral - p_loss > p_gain - p_neutral > 0


def test_choice_utility_per_customer_price_sensitivity():
    z = np.zeros((2, 2))
    v = rules.choice_utility(
        z,
        z,
        np.array([10.0, 20.0]),
        z,
        z,
        quality_weight=1.0,
        trust_weight=1.0,
        satisfaction_weight=1.0,
        price_sensitivity=np.array([[0.1], [1.0]]),
    )
    np.testing.assert_allclose(v, [[-1.0, -2.0], [-10.0, -20.0]])


def _logit_probs(v, available, outside):
    w = np.where(available, np.exp(v), 0.0)
    w0 = 0.0 if outside == -np.inf else math.exp(outside)
    return w / (w.sum() + w0), w0 / (w.sum() + w0)


@pytest.mark.parametrize(
    ("v", "available", "outside"),
    [
        ([1.0, 0.0, -1.0], [True, True, True], 0.5),
        ([2.0, 2.0, 0.0], [True, False, True], -np.inf),
        ([0.0, 3.0, 1.0], [False, True, True], 2.0),
        ([400.0, 401.0, 399.0], [True, True, True], 400.0),  # large utilities: no overflow
    ],
)
def test_logit_choice_frequencies_match_closed_form(v, available, outside):
    # N = 200_000 customers with the same utilities; each choice share has standard error
    # sqrt(p(1-p)/N) <= 1.1e-3; we allow 4 SE per share (a false alarm about once in 16_000).
    n = 200_000
    v = np.asarray(v)
    avail = np.asarray(available)
    rng = np.random.default_rng(SEED)
    chosen = rules.logit_choice(np.tile(v, (n, 1)), np.tile(avail, (n, 1)), outside, rng.random(n))
    probs, p0 = _logit_probs(v - v.max(), avail, outside - v.max())
    for f, p in enumerate(probs):
        share = (chosen == f).mean()
        se = math.sqrt(p * (1 - p) / n)
        if p == 0.0:
            assert share == 0.0
        else:
            assert abs(share - p) < 4 * se, (f, share, p)
    share0 = (chosen == -1).mean()
    if p0 == 0.0:
        assert share0 == 0.0
    else:
        assert abs(share0 - p0) < 4 * math.sqrt(p0 * (1 - p0) / n)


def test_logit_choice_hand_thresholds():
    # weights e^0 = 1 for both firms and the outside option: thirds of [0, 1)
    v = np.zeros((4, 2))
    avail = np.ones((4, 2), dtype=bool)
    u = np.array([0.0, 0.34, 0.67, 0.999])
    np.testing.assert_array_equal(rules.logit_choice(v, avail, 0.0, u), [0, 1, -1, -1])


def test_logit_choice_unavailable_never_chosen():
    rng = np.random.default_rng(SEED)
    n, f = 20_000, 4
    v = rng.normal(0, 3, size=(n, f))
    avail = rng.random((n, f)) < 0.5
    chosen = rules.logit_choice(v, avail, 0.0, rng.random(n))
    picked = chosen >= 0
    assert picked.any() and (~picked).any()
    assert avail[np.flatnonzero(picked), chosen[picked]].all()
    # rows where nothing is available always take the outside option
    none = ~avail.any(axis=1)
    assert none.any()
    assert (chosen[none] == -1).all()


def test_logit_choice_single_firm_no_outside_always_chosen():
    rng = np.random.default_rng(SEED)
    n = 10_000
    v = rng.normal(0, 50, size=(n, 3))
    avail = np.zeros((n, 3), dtype=bool)
    which = rng.integers(0, 3, size=n)
    avail[np.arange(n), which] = True
    u = np.concatenate([rng.random(n - 2), [0.0, np.nextafter(1.0, 0.0)]])
    chosen = rules.logit_choice(v, avail, -np.inf, u)
    np.testing.assert_array_equal(chosen, which)


def test_logit_choice_nothing_available_no_outside():
    chosen = rules.logit_choice(
        np.zeros((2, 2)), np.zeros((2, 2), dtype=bool), -np.inf, np.array([0.0, 0.5])
    )
    np.testing.assert_array_equal(chosen, [-1, -1])


def test_logit_choice_empty_input():
    out = rules.logit_choice(np.empty((0, 3)), np.empty((0, 3), dtype=bool), 0.0, np.empty(0))
    assert out.shape == (0,)
    assert out.dtype == np.int64


@PROPS
@given(
    data=st.data(),
    n=small_n,
    f=st.integers(1, 5),
    outside=st.one_of(st.just(-np.inf), st.floats(-30, 30)),
)
def test_logit_choice_property(data, n, f, outside):
    v = data.draw(arrays(np.float64, (n, f), elements=st.floats(-300, 300)))
    avail = data.draw(arrays(np.bool_, (n, f)))
    u = data.draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0, exclude_max=True)))
    chosen = rules.logit_choice(v, avail, outside, u)
    assert chosen.shape == (n,)
    assert ((chosen >= -1) & (chosen < f)).all()
    picked = chosen >= 0
    assert avail[np.flatnonzero(picked), chosen[picked]].all()
    if outside == -np.inf:
        # with no outside option, anyone who has a firm available buys
        np.testing.assert_array_equal(picked, avail.any(axis=1))


# --------------------------------------------------------------------------------------------
# experience, disconfirmation, satisfaction, expectations
# --------------------------------------------------------------------------------------------


def test_experienced_quality_hand_values():
    need = np.array([2.0, -1.0, 0.5])
    knowledge = np.array([0.0, 0.5, 1.0])
    noise = np.array([0.1, 0.0, -0.2])
    x = rules.experienced_quality(5.0, 1.0, need, 0.5, knowledge, mismatch_weight=2.0, noise=noise)
    # 6 − 2·1·1.5 + 0.1 = 3.1 ; 6 − 2·0.5·1.5 = 4.5 ; 6 − 0 − 0.2 = 5.8
    np.testing.assert_allclose(x, [3.1, 4.5, 5.8])


@PROPS
@given(need=vec(quality, 10), position=quality, weight=st.floats(0.0, 10.0))
def test_experienced_quality_knowledge_limits(need, position, weight):
    zero = np.zeros(10)
    full = rules.experienced_quality(
        5.0, 0.5, need, position, np.ones(10), mismatch_weight=weight, noise=zero
    )
    np.testing.assert_allclose(full, 5.5)  # knowledge 1: no mismatch whatever the distance
    none = rules.experienced_quality(
        5.0, 0.5, need, position, zero, mismatch_weight=weight, noise=zero
    )
    np.testing.assert_allclose(none, 5.5 - weight * np.abs(need - position), atol=1e-9)


def test_disconfirmation_and_satisfaction_hand_values():
    d = rules.disconfirmation(np.array([6.0, 5.0, 4.0]), np.array([5.0, 5.0, 5.0]))
    np.testing.assert_array_equal(d, [1.0, 0.0, -1.0])
    s = rules.satisfaction(d, 2.25)
    np.testing.assert_array_equal(s, [1.0, 0.0, -2.25])


@PROPS
@given(d=vec(quality), lam=st.floats(1.0, 10.0))
def test_satisfaction_loss_aversion_only_negative(d, lam):
    s = rules.satisfaction(d, lam)
    pos = d >= 0
    np.testing.assert_array_equal(s[pos], d[pos])
    np.testing.assert_allclose(s[~pos], lam * d[~pos])
    assert (np.sign(s) == np.sign(d)).all()
    # a shortfall hurts at least as much as an equal surplus pleases
    np.testing.assert_allclose(-rules.satisfaction(-np.abs(d), lam), lam * np.abs(d))


def test_adapt_expectation_hand_values_and_asymmetry():
    e = np.array([5.0, 5.0, 5.0])
    x = np.array([7.0, 3.0, 5.0])
    out = rules.adapt_expectation(e, x, rate_up=0.25, rate_down=0.1)
    np.testing.assert_allclose(out, [5.5, 4.8, 5.0])
    # faster up than down: the same gap moves expectations further when experience is better
    assert out[0] - 5.0 > 5.0 - out[1]


@pytest.mark.parametrize("alpha", [0.05, 0.15, 0.25, 0.5, 0.9])
def test_adapt_expectation_half_life(alpha):
    half_life = math.log(2.0) / -math.log(1.0 - alpha)
    e, x = np.array([5.0]), np.array([7.0])
    purchases = 0
    while x[0] - e[0] > 1.0:  # until the initial gap of 2 has halved
        e = rules.adapt_expectation(e, x, rate_up=alpha, rate_down=alpha)
        purchases += 1
    assert abs(purchases - half_life) <= 1.0
    # and downward with the same rate
    e, x = np.array([7.0]), np.array([5.0])
    purchases = 0
    while e[0] - x[0] > 1.0:
        e = rules.adapt_expectation(e, x, rate_up=0.99, rate_down=alpha)
        purchases += 1
    assert abs(purchases - half_life) <= 1.0


@PROPS
@given(e=vec(quality, 8), x=vec(quality, 8), up=unit, down=unit)
def test_adapt_expectation_moves_toward_experience(e, x, up, down):
    out = rules.adapt_expectation(e, x, up, down)
    lo, hi = np.minimum(e, x), np.maximum(e, x)
    assert np.all((out >= lo - 1e-9) & (out <= hi + 1e-9))


def test_raise_standard_hand_values():
    # Boulding et al. 1993: the 'should' standard rises to a prediction that exceeds it and does
    # not fall with a worse one
    s = rules.raise_standard(np.array([5.0, 5.0, 5.0]), np.array([5.5, 5.0, 4.0]))
    np.testing.assert_array_equal(s, [5.5, 5.0, 5.0])


@PROPS
@given(s=vec(quality, 8), w=vec(quality, 8))
def test_raise_standard_never_falls(s, w):
    out = rules.raise_standard(s, w)
    assert np.all(out >= s)
    assert np.all(out >= w)
    assert np.all((out == s) | (out == w))


def test_inflated_standard_disconfirms_more_and_leaves_choice_alone():
    # the bar (standard) rises; the prediction used in choice does not
    standard = np.array([5.0, 5.0])
    higher = rules.inflate_expectations(standard, 0.1, 2.0)
    x = np.array([5.1, 4.9])
    assert np.all(rules.disconfirmation(x, higher) < rules.disconfirmation(x, standard))
    np.testing.assert_allclose(
        rules.disconfirmation(x, standard) - rules.disconfirmation(x, higher), 0.2
    )


# --------------------------------------------------------------------------------------------
# trust
# --------------------------------------------------------------------------------------------


def test_update_trust_hand_values():
    t = np.array([0.5, 0.5, 0.5, 0.5])
    d = np.array([1.0, -0.5, -0.51, -3.0])  # exceeded; met within tolerance; two misses
    out = rules.update_trust(t, d, tolerance=0.5, gain=0.1, loss=0.3)
    np.testing.assert_allclose(out, [0.55, 0.55, 0.35, 0.35])


@pytest.mark.parametrize("start", [0.3, 0.4, 0.6, 0.9])
@pytest.mark.parametrize(("gain", "loss"), [(0.06, 0.2), (0.1, 0.3), (0.05, 0.25)])
def test_one_miss_plus_one_hit_below_start(start, gain, loss):
    kw = dict(tolerance=0.5, gain=gain, loss=loss)
    t = rules.update_trust(np.array([start]), np.array([-2.0]), **kw)
    t = rules.update_trust(t, np.array([1.0]), **kw)
    assert t[0] < start
    # in either order
    t = rules.update_trust(np.array([start]), np.array([1.0]), **kw)
    t = rules.update_trust(t, np.array([-2.0]), **kw)
    assert t[0] < start


@PROPS
@given(start=unit, gain=open_unit, loss=open_unit)
def test_miss_then_hit_threshold(start, gain, loss):
    # Miss then hit: s(1-l)(1-g) + g < s  <=>  s > g / (g + l - g·l). Below that trust level a
    # hit from a low base adds more than a miss takes: the asymmetry holds for trust that matters.
    kw = dict(tolerance=0.0, gain=gain, loss=loss)
    t = rules.update_trust(np.array([start]), np.array([-1.0]), **kw)
    t = rules.update_trust(t, np.array([0.0]), **kw)
    threshold = gain / (gain + loss - gain * loss)
    if start > threshold * (1 + 1e-9) + 1e-12:
        assert t[0] < start
    elif start < threshold * (1 - 1e-9) - 1e-12:
        assert t[0] > start


def _iterate_hits(start, gain, loss):
    kw = dict(tolerance=0.0, gain=gain, loss=loss)
    t = rules.update_trust(np.array([start]), np.array([-1.0]), **kw)
    k = 0
    while t[0] < start * (1.0 - 1e-12) and k < 100_000:
        t = rules.update_trust(t, np.array([0.0]), **kw)
        k += 1
    return k


@pytest.mark.parametrize(
    ("start", "gain", "loss", "expected"),
    [
        (0.5, 0.1, 0.2, 2),  # after miss 0.4; 0.46, 0.514
        (0.6, 0.06, 0.2, 5),  # after miss 0.48; distance 0.52·0.94^k <= 0.4 at k = 5
        (0.5, 0.1, 0.0, 0),  # no loss, nothing to recover
        (0.0, 0.1, 0.5, 0),  # nothing to lose
    ],
)
def test_hits_to_recover_hand_values(start, gain, loss, expected):
    assert rules.hits_to_recover(start, gain, loss) == expected
    assert _iterate_hits(start, gain, loss) == expected


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(start=st.floats(0.01, 0.99), gain=st.floats(0.01, 0.5), loss=st.floats(0.0, 1.0))
def test_hits_to_recover_matches_iteration(start, gain, loss):
    k = rules.hits_to_recover(start, gain, loss)
    kw = dict(tolerance=0.0, gain=gain, loss=loss)
    t = rules.update_trust(np.array([start]), np.array([-1.0]), **kw)
    for _ in range(k):
        t = rules.update_trust(t, np.array([0.0]), **kw)
    assert t[0] >= start - 1e-9  # k hits are enough ...
    if k > 0:  # ... and k − 1 are not
        t = rules.update_trust(np.array([start]), np.array([-1.0]), **kw)
        for _ in range(k - 1):
            t = rules.update_trust(t, np.array([0.0]), **kw)
        assert t[0] < start + 1e-9


@pytest.mark.parametrize("ratio", [2, 3, 5])
def test_loss_several_times_gain_needs_several_hits(ratio):
    gain = 0.06
    k = rules.hits_to_recover(0.6, gain, ratio * gain)
    assert k >= ratio  # one miss undoes at least `ratio` hits
    assert k == _iterate_hits(0.6, gain, ratio * gain)
    assert rules.hits_to_recover(0.6, gain, gain) < k


@pytest.mark.parametrize("gain", [0.0, 1.0, -0.1, 1.5])
def test_hits_to_recover_rejects_bad_gain(gain):
    with pytest.raises(ValueError, match="gain"):
        rules.hits_to_recover(0.5, gain, 0.2)


def test_hits_to_recover_full_trust_start_is_a_value_error():
    # From full trust, one miss can never be fully recovered (trust only approaches 1).
    with pytest.raises(ValueError, match="start"):
        rules.hits_to_recover(1.0, 0.06, 0.2)


@PROPS
@given(t=vec(unit), d=vec(quality, None), tol=st.floats(0, 10), gain=unit, loss=unit)
def test_update_trust_stays_in_unit_interval(t, d, tol, gain, loss):
    d = np.resize(d, t.shape)
    out = rules.update_trust(t, d, tolerance=tol, gain=gain, loss=loss)
    assert not np.isnan(out).any()
    assert np.all((out >= 0.0) & (out <= 1.0))
    met = d >= -tol
    assert np.all(out[met] >= t[met]) and np.all(out[~met] <= t[~met])


# --------------------------------------------------------------------------------------------
# word of mouth and awareness
# --------------------------------------------------------------------------------------------


def test_word_of_mouth_senders_margins():
    d = np.array([1.0, 0.8, 0.0, -0.5, -0.6])
    delighted, disappointed = rules.word_of_mouth_senders(d, 0.8, 0.5)
    np.testing.assert_array_equal(delighted, [True, False, False, False, False])
    np.testing.assert_array_equal(disappointed, [False, False, False, False, True])
    # judged on felt satisfaction: with λ = 2.25 a shortfall of 0.3 feels like 0.675, beyond a
    # felt margin of 0.5, and is told as bad news beyond a felt serious margin of 0.6 too
    felt = rules.satisfaction(np.array([0.3, -0.3, -0.2]), 2.25)
    delighted, disappointed = rules.word_of_mouth_senders(felt, 0.8, 0.5)
    np.testing.assert_array_equal(disappointed, [False, True, False])
    np.testing.assert_array_equal(rules.bad_news_senders(felt, 0.6), [False, True, False])


def test_hear_word_of_mouth_hand_values():
    t, e = rules.hear_word_of_mouth(
        np.array([0.5, 0.5, 0.5]),
        np.array([5.0, 5.0, 5.0]),
        np.array([1, 0, 2]),
        np.array([0, 1, 1]),
        trust_gain=0.1,
        trust_loss=0.2,
        hype=0.05,
    )
    # 1 − 0.5·0.9 = 0.55 ; 0.5·0.8 = 0.4 ; (1 − 0.5·0.81)·0.8 = 0.476
    np.testing.assert_allclose(t, [0.55, 0.4, 0.476])
    np.testing.assert_allclose(e, [5.05, 5.0, 5.1])


@PROPS
@given(
    t0=unit,
    e0=quality,
    k=st.integers(0, 12),
    gain=unit,
    loss=unit,
    hype=st.floats(0, 10),
    negative=st.booleans(),
)
def test_hear_word_of_mouth_k_messages_equal_k_single(t0, e0, k, gain, loss, hype, negative):
    kw = dict(trust_gain=gain, trust_loss=loss, hype=hype)
    one, zero, kk = np.array([1]), np.array([0]), np.array([k])
    pos_k, neg_k = (zero, kk) if negative else (kk, zero)
    pos_1, neg_1 = (zero, one) if negative else (one, zero)
    t_all, e_all = rules.hear_word_of_mouth(np.array([t0]), np.array([e0]), pos_k, neg_k, **kw)
    t, e = np.array([t0]), np.array([e0])
    for _ in range(k):
        t, e = rules.hear_word_of_mouth(t, e, pos_1, neg_1, **kw)
    np.testing.assert_allclose(t_all, t, atol=1e-12)
    np.testing.assert_allclose(e_all, e, rtol=1e-12, atol=1e-9)
    assert 0.0 <= t_all[0] <= 1.0


def test_awareness_probability_bass_form():
    share = np.array([0.0, 0.5, 1.0])
    p = rules.awareness_probability(0.03, 0.38, share, 1.0 / 52.0)
    expected = 1.0 - np.exp(-(0.03 + 0.38 * share) / 52.0)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    # share 0: the external influence p alone
    assert p[0] == pytest.approx(1.0 - math.exp(-0.03 / 52.0), rel=1e-12)
    # small-step limit: per-year hazard recovered from the per-step probability
    dt = 1e-6
    p_small = rules.awareness_probability(0.03, 0.38, share, dt)
    np.testing.assert_allclose(p_small / dt, 0.03 + 0.38 * share, rtol=1e-5)


@PROPS
@given(p=st.floats(0, 100), q=st.floats(0, 100), share=vec(unit), dt=st.floats(0, 52))
def test_awareness_probability_in_unit_interval_and_monotone(p, q, share, dt):
    prob = rules.awareness_probability(p, q, share, dt)
    assert not np.isnan(prob).any()
    assert np.all((prob >= 0.0) & (prob <= 1.0))
    order = np.argsort(share)
    assert np.all(np.diff(prob[order]) >= -1e-15)


# --------------------------------------------------------------------------------------------
# complaints and recovery
# --------------------------------------------------------------------------------------------

TARP = dict(voice_minor=1 / 26, voice_serious=0.5, serious_margin=2.0)


def test_complaint_probability_tarp_defaults():
    d = np.array([-0.6, -1.9, -2.1, -5.0])
    p = rules.complaint_probability(d, solicitation=0.0, **TARP)
    np.testing.assert_allclose(p, [1 / 26, 1 / 26, 0.5, 0.5])
    # the package defaults are TARP-like: about 1 in 26 for small problems, half for serious
    from cxsim.params import CustomerParams

    c = CustomerParams()
    assert c.voice_minor == pytest.approx(1 / 26, rel=0.05)
    assert c.voice_serious == pytest.approx(0.5, rel=0.05)


def test_complaint_probability_solicitation_monotone_to_one():
    d = np.array([-1.0, -3.0])
    levels = np.linspace(0.0, 1.0, 11)
    probs = np.array([rules.complaint_probability(d, solicitation=s, **TARP) for s in levels])
    assert np.all(np.diff(probs, axis=0) > 0)
    np.testing.assert_allclose(probs[-1], 1.0)
    # half solicitation closes half the silence: 1/26 + (25/26)/2
    np.testing.assert_allclose(probs[5], [1 / 26 + 25 / 52, 0.75])


@PROPS
@given(d=vec(quality), vm=unit, vs=unit, margin=st.floats(0, 10), s=unit)
def test_complaint_probability_in_unit_interval(d, vm, vs, margin, s):
    p = rules.complaint_probability(
        d, voice_minor=vm, voice_serious=vs, serious_margin=margin, solicitation=s
    )
    assert not np.isnan(p).any()
    assert np.all((p >= 0.0) & (p <= 1.0 + 1e-15))


def test_resolution_probability_capacity_bound():
    pending = np.array([0.0, 5.0, 10.0, 12.5, 40.0])
    p = rules.resolution_probability(pending, 10.0, 0.8)
    # room to spare: each complaint at the speed; capacity binding: capacity / pending
    np.testing.assert_allclose(p, [0.8, 0.8, 0.8, 0.8, 0.25])
    # expected resolutions never exceed the capacity, and reach it when it binds
    assert np.all(pending * p <= 10.0 + 1e-12)
    assert pending[-1] * p[-1] == pytest.approx(10.0)


def test_resolution_throughput_does_not_depend_on_the_step():
    # a backlog far above capacity: a week of daily steps (capacity/7 each) settles what one
    # weekly step settles, the capacity of a week
    weekly_capacity, backlog = 10.0, 1000.0
    weekly = backlog * rules.resolution_probability(backlog, weekly_capacity, 0.8, 1.0)
    daily = sum(
        backlog * rules.resolution_probability(backlog, weekly_capacity / 7, 0.8, 1 / 7)
        for _ in range(7)
    )
    assert weekly == pytest.approx(weekly_capacity)
    assert daily == pytest.approx(weekly_capacity)
    # ample capacity: the weekly chance of being settled is the speed at any step
    one_day = rules.resolution_probability(1.0, 1e9, 0.8, 1 / 7)
    assert 1 - (1 - one_day) ** 7 == pytest.approx(0.8)


@PROPS
@given(
    pending=arrays(np.float64, st.integers(1, 30), elements=st.integers(0, 10**6)),
    capacity=st.floats(0, 1e6),
    speed=unit,
)
def test_resolution_probability_properties(pending, capacity, speed):
    p = rules.resolution_probability(pending, capacity, speed)
    assert not np.isnan(p).any()
    assert np.all((p >= 0.0) & (p <= speed + 1e-15))
    assert np.all(pending * p <= capacity * (1 + 1e-12) + 1e-9)


def test_recovery_share_halves_per_half_life():
    waited = np.array([0.0, 2.0, 4.0, 6.0, 1.0])
    s = rules.recovery_share(waited, 0.8, 2.0)
    np.testing.assert_allclose(s, [0.8, 0.4, 0.2, 0.1, 0.8 / math.sqrt(2)])
    assert np.all(np.diff(s[:4]) < 0)  # fast beats slow


def test_apply_recovery_hand_values():
    # the review's case: trust 0.4 before a miss that cut it by 20 % to 0.32; a quick
    # resolution (share 0.8) gives back 0.8 of the 0.08 lost, not 0.8 of the way to 1 (0.864)
    t, g = rules.apply_recovery(
        np.array([0.32, 0.5, 0.32, 0.45]),
        np.array([2.0, 1.0, 2.0, 1.0]),
        np.array([0.8, 0.0, 1.0, 0.8]),
        np.array([0.4, 0.6, 0.4, 0.4]),
        np.array([0.08, 0.1, 0.08, 0.08]),
        paradox=0.0,
    )
    # 0.32 + 0.8·0.08 = 0.384; share 0: unchanged; share 1: back to 0.4 exactly; trust that
    # climbed back above its level before the incident since (0.45) is kept, not lowered
    np.testing.assert_allclose(t, [0.384, 0.5, 0.4, 0.45])
    np.testing.assert_allclose(g, [0.4, 1.0, 0.0, 0.2])
    # a recovery paradox of 0.5: a full repair ends 0.5·0.08 above the level before
    t, _ = rules.apply_recovery(
        np.array([0.32, 0.32]),
        np.zeros(2),
        np.array([1.0, 0.5]),
        np.array([0.4, 0.4]),
        np.array([0.08, 0.08]),
        paradox=0.5,
    )
    np.testing.assert_allclose(t, [0.44, 0.32 + 0.5 * 1.5 * 0.08])


@PROPS
@given(
    before=vec(unit, 6),
    cut=vec(unit, 6),
    regained=vec(unit, 6),
    g=vec(nonneg, 6),
    s=vec(unit, 6),
    paradox=unit,
)
def test_apply_recovery_properties(before, cut, regained, g, s, paradox):
    lost = before * cut  # the incident cut trust by a share (update_trust's miss)
    after = before - lost
    t = after + regained * (1.0 - after)  # anything may have happened since the incident
    t2, g2 = rules.apply_recovery(t, g, s, before, lost, paradox=paradox)
    # never lowers trust, never above 1, never above its level before the incident plus the
    # paradox allowance (unless it was already there)
    assert np.all((t2 >= t - 1e-15) & (t2 <= 1.0))
    assert np.all(t2 <= np.maximum(t, np.minimum(1.0, before + paradox * lost)) + 1e-12)
    # repairs at most share·(1 + paradox) of the loss
    assert np.all(t2 - t <= s * (1.0 + paradox) * lost + 1e-12)
    assert np.all((g2 >= 0.0) & (g2 <= g + 1e-12))
    # no paradox, straight after the incident: repairs exactly share of the loss
    t3, _ = rules.apply_recovery(after, g, s, before, lost, paradox=0.0)
    np.testing.assert_allclose(t3, after + s * lost, atol=1e-12)


def test_grudge_add_and_fade():
    g = rules.add_grudge(np.array([0.0, 1.0, 1.0]), np.array([-2.0, 3.0, 0.0]))
    np.testing.assert_array_equal(g, [2.0, 1.0, 1.0])  # only shortfalls add
    faded = rules.fade_grudge(np.array([1.0, 4.0]), 0.1, 1.0)
    np.testing.assert_allclose(faded, [0.9, 3.6])
    # fading over two half-steps equals one full step
    twice = rules.fade_grudge(rules.fade_grudge(np.array([1.0]), 0.1, 0.5), 0.1, 0.5)
    np.testing.assert_allclose(twice, [0.9])


# --------------------------------------------------------------------------------------------
# churn, ladder, response curves
# --------------------------------------------------------------------------------------------

CHURN = dict(
    base_per_week=0.002, trust_floor=0.5, trust_sensitivity=0.04, grudge_sensitivity=0.01, dt=1.0
)


def test_churn_probability_hand_values():
    p = rules.churn_probability(np.array([0.8, 0.3, 0.8]), np.array([0.0, 0.0, 2.0]), **CHURN)
    expected = 1.0 - np.exp(-np.array([0.002, 0.002 + 0.04 * 0.2, 0.002 + 0.02]))
    np.testing.assert_allclose(p, expected, rtol=1e-12)


def test_churn_probability_monotone():
    trust = np.linspace(0.0, 1.0, 21)
    p = rules.churn_probability(trust, np.zeros_like(trust), **CHURN)
    assert np.all(np.diff(p) <= 0)  # lower trust -> more churn ...
    assert p[0] > p[-1]
    grudge = np.linspace(0.0, 5.0, 21)
    p = rules.churn_probability(np.full(21, 0.8), grudge, **CHURN)
    assert np.all(np.diff(p) > 0)  # ... and more grudge -> more churn


@PROPS
@given(
    t=vec(unit, 8),
    g=vec(nonneg, 8),
    base=unit,
    floor=unit,
    ts=st.floats(0, 100),
    gs=st.floats(0, 100),
    dt=st.floats(0.01, 52),
)
def test_churn_probability_in_unit_interval(t, g, base, floor, ts, gs, dt):
    p = rules.churn_probability(
        t,
        g,
        base_per_week=base,
        trust_floor=floor,
        trust_sensitivity=ts,
        grudge_sensitivity=gs,
        dt=dt,
    )
    assert not np.isnan(p).any()
    assert np.all((p >= 0.0) & (p <= 1.0))


def _ladder(stage, streak, trust):
    s = np.array(stage, dtype=np.int8)
    out = rules.ladder_after_purchase(
        s, np.array(streak), np.array(trust), client_streak=3, advocate_trust=0.75
    )
    assert out.dtype == s.dtype
    return out.tolist()


def test_ladder_after_purchase_transitions():
    assert _ladder([PROSPECT], [1], [0.9]) == [BUYER]
    assert _ladder([LOST], [1], [0.9]) == [BUYER]
    assert _ladder([BUYER], [2], [0.9]) == [REPEAT]
    assert _ladder([REPEAT], [2], [0.5]) == [REPEAT]
    assert _ladder([REPEAT], [3], [0.5]) == [CLIENT]  # at client_streak
    assert _ladder([CLIENT], [4], [0.75]) == [ADVOCATE]  # at advocate_trust
    assert _ladder([CLIENT], [4], [0.74]) == [CLIENT]
    assert _ladder([ADVOCATE], [9], [0.8]) == [ADVOCATE]
    assert _ladder([ADVOCATE], [9], [0.7]) == [CLIENT]  # trust fell


def test_ladder_after_purchase_does_not_mutate_input():
    stage = np.array([PROSPECT, BUYER, REPEAT], dtype=np.int8)
    before = stage.copy()
    rules.ladder_after_purchase(
        stage, np.array([1, 2, 3]), np.array([0.5, 0.5, 0.5]), client_streak=3, advocate_trust=0.75
    )
    np.testing.assert_array_equal(stage, before)


def test_ladder_after_switch():
    stage = np.array([PROSPECT, BUYER, REPEAT, CLIENT, ADVOCATE, LOST], dtype=np.int8)
    out = rules.ladder_after_switch(stage)
    np.testing.assert_array_equal(out, [PROSPECT, BUYER, REPEAT, REPEAT, REPEAT, LOST])
    assert out.dtype == np.int8


@PROPS
@given(
    stage=arrays(np.int8, 12, elements=st.integers(0, 5)),
    streak=arrays(np.int64, 12, elements=st.integers(1, 50)),
    trust=vec(unit, 12),
    client_streak=st.integers(2, 10),
)
def test_ladder_after_purchase_property(stage, streak, trust, client_streak):
    new = rules.ladder_after_purchase(
        stage, streak, trust, client_streak=client_streak, advocate_trust=0.75
    )
    assert np.all((new >= BUYER) & (new <= ADVOCATE))  # a buyer is an active customer
    newcomer = (stage == PROSPECT) | (stage == LOST)
    assert np.all(new[newcomer] == BUYER)
    assert np.all(new[stage == BUYER] == REPEAT)
    assert np.all(trust[new == ADVOCATE] >= 0.75)
    assert np.all(streak[(new == CLIENT) | (new == ADVOCATE)] >= client_streak)


def test_diminishing_returns_shape():
    spend = np.linspace(0.0, 2.0, 41)
    r = rules.diminishing_returns(spend, 4.0, 3.0)
    assert r[0] == 0.0
    assert np.all(np.diff(r) > 0)  # increasing
    assert np.all(np.diff(r, 2) < 0)  # concave: negative second differences
    assert rules.diminishing_returns(1e3, 4.0, 3.0) == pytest.approx(4.0)  # -> ceiling
    assert np.all(r < 4.0)
    assert rules.diminishing_returns(0.1, 4.0, 3.0) == pytest.approx(4 * (1 - math.exp(-0.3)))


# --------------------------------------------------------------------------------------------
# finite random inputs: no rule produces NaN
# --------------------------------------------------------------------------------------------


@PROPS
@given(n=small_n, data=st.data())
def test_rules_no_nan_for_finite_inputs(n, data):
    q = data.draw(vec(quality, n))
    e = data.draw(vec(quality, n))
    t = data.draw(vec(unit, n))
    k = data.draw(vec(unit, n))
    noise = data.draw(vec(st.floats(-5, 5), n))
    x = rules.experienced_quality(5.0, 0.5, q, 0.0, k, mismatch_weight=0.8, noise=noise)
    d = rules.disconfirmation(x, e)
    outs = [
        x,
        d,
        rules.satisfaction(d, 2.25),
        rules.adapt_expectation(e, x, 0.25, 0.15),
        rules.update_trust(t, d, tolerance=0.5, gain=0.06, loss=0.2),
        *rules.hear_word_of_mouth(
            t, e, np.ones(n, int), np.ones(n, int), trust_gain=0.05, trust_loss=0.1, hype=0.05
        ),
        rules.complaint_probability(d, solicitation=0.3, **TARP),
        rules.recovery_share(np.abs(noise), 0.8, 2.0),
        rules.churn_probability(t, np.abs(d), **CHURN),
        rules.diminishing_returns(np.abs(noise), 1.0, 3.0),
    ]
    for out in outs:
        assert np.isfinite(out).all()


def test_experience_spread_grows_with_unlearned_mismatch_and_falls_with_consistency():
    need = np.array([0.0, 1.0, 2.0, 2.0])
    knowledge = np.array([0.0, 0.0, 0.0, 1.0])
    sd = rules.experience_spread(0.3, 0.5, need, 0.0, knowledge, mismatch_noise=0.2)
    # 0.3·0.5 + 0.2·(1 − K)·|need|
    np.testing.assert_allclose(sd, [0.15, 0.35, 0.55, 0.15])
    assert (
        rules.experience_spread(0.3, 1.0, np.zeros(1), 0.0, np.zeros(1), mismatch_noise=0.2)[0]
        == 0.0
    )


def test_repair_satisfaction_hand_values():
    # a felt shortfall of -2 repaired by share 0.8 -> -0.4; share 0 leaves it; share 1 reaches
    # indifference (0) and no further; a satisfied customer (+1) is not touched
    s = rules.repair_satisfaction(np.array([-2.0, -2.0, -2.0, 1.0]), np.array([0.8, 0.0, 1.0, 0.8]))
    np.testing.assert_allclose(s, [-0.4, -2.0, 0.0, 1.0])


def test_repair_satisfaction_never_overshoots():
    rng = np.random.default_rng(7)
    felt = rng.normal(0.0, 3.0, 1000)
    share = rng.uniform(0.0, 1.0, 1000)
    repaired = rules.repair_satisfaction(felt, share)
    assert np.all(repaired >= felt)
    assert np.all(repaired <= np.maximum(felt, 0.0) + 1e-12)
