"""The compiled kernels (:mod:`cxsim.core.kernels`) compute what the NumPy rules compute.

Two levels: each kernel against the rules of :mod:`cxsim.core.rules` (or the NumPy code it
replaces) on random inputs, including the awkward ones (infinite rates, ``nan`` satisfaction, an
outside option switched off, one to eight firms); and whole markets run with the kernels and
with ``CXSIM_JIT=0`` (NumPy only), which must give identical frames, customer tables, events and
transaction logs. A swapped rule sends its phase back to NumPy. Where no folder can hold Numba's
cache the kernels still compile, with a warning. No test here measures time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from cxsim import Market
from cxsim.core import compiled, kernels, rules
from cxsim.core.metrics import ACTIVE_WINDOW_WEEKS, _active_averages, active_mask
from cxsim.core.network import build_network
from cxsim.core.ruleset import Rules

pytest.importorskip("numba")

# --------------------------------------------------------------------------------------------
# whole markets: kernels on and off give the same results
# --------------------------------------------------------------------------------------------

CONFIGS = {
    "default": ({"rng": 1, "n_customers": 1500}, 40),
    "complete_half_week": (
        {"rng": 2, "n_customers": 800, "network": "complete", "dt": 0.5},
        30,
    ),
    "barabasi_albert": ({"rng": 3, "n_customers": 1200, "network": "barabasi_albert"}, 30),
    "bass_trials_heterogeneous": (
        {
            "rng": 4,
            "n_customers": 1500,
            "influence": "bass",
            "trial_probability": 0.2,
            "winback_reach": 0.5,
            "spend_shape": 5.0,
            "spend_heterogeneity": 4.0,
            "leave_heterogeneity": 2.0,
            "need_rate_shape": 0.5,
            "record_transactions": True,
        },
        30,
    ),
    "word_of_mouth_trials": (
        {"rng": 5, "n_customers": 1500, "trial_probability": 0.3, "need_rate": 1.5},
        25,
    ),
    "adaptive": ({"scenario": "adaptive", "rng": 6, "n_customers": 1000}, 40),
    "one_firm": ({"rng": 7, "n_customers": 1000, "firms": [{"name": "solo"}]}, 30),
    "three_firms": (
        {
            "rng": 8,
            "n_customers": 1200,
            "firms": [{"name": f"f{i}", "initial_customers": 0.2} for i in range(3)],
        },
        30,
    ),
    "no_outside_option": (
        {
            "rng": 9,
            "n_customers": 800,
            "outside_utility": float("-inf"),
            "satisfaction_weight": 0.0,
        },
        20,
    ),
    "a_need_every_step": ({"rng": 10, "n_customers": 600, "need_rate": float("inf")}, 15),
}


def _run(monkeypatch, jit: bool, kwargs: dict, weeks: int) -> Market:
    monkeypatch.setenv("CXSIM_JIT", "1" if jit else "0")
    market = Market(customer_agents=False, **kwargs)
    market.run(weeks)
    return market


def assert_same_market(a: Market, b: Market) -> None:
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    for name in a.customers.__dataclass_fields__:
        x, y = getattr(a.customers, name), getattr(b.customers, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)
    assert a.events.keys() == b.events.keys()
    for name, arrays in a.events.items():
        for x, y in zip(arrays, b.events[name], strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)
    if a.transaction_log is not None:
        pd.testing.assert_frame_equal(a.transactions(), b.transactions(), check_exact=True)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_markets_are_identical_with_and_without_kernels(monkeypatch, name):
    kwargs, weeks = CONFIGS[name]
    fast = _run(monkeypatch, True, kwargs, weeks)
    slow = _run(monkeypatch, False, kwargs, weeks)
    assert slow._compiled == frozenset()
    assert {"needs", "experience", "churn", "metrics"} <= fast._compiled
    assert_same_market(fast, slow)


def symmetric_trust(trust, disconf, *, tolerance, gain, loss):
    """A swapped rule (module level, as any swap must be): trust moves as much both ways."""
    return np.clip(trust + gain * np.sign(disconf + tolerance), 0.0, 1.0)


def test_a_swapped_rule_sends_its_phase_back_to_numpy(monkeypatch):
    kwargs = {"rng": 11, "n_customers": 1000, "rules": {"update_trust": symmetric_trust}}
    fast = _run(monkeypatch, True, kwargs, 20)
    assert "experience" not in fast._compiled
    assert {"needs", "choice", "churn"} <= fast._compiled
    assert_same_market(fast, _run(monkeypatch, False, kwargs, 20))


def test_phases_follow_the_switch_the_rules_and_the_network(monkeypatch):
    r = Rules
    monkeypatch.setenv("CXSIM_JIT", "0")
    assert not kernels.enabled()
    assert compiled.phases(r(), 2, True) == frozenset()
    monkeypatch.setenv("CXSIM_JIT", "1")
    assert kernels.enabled()
    everything = compiled.phases(r(), 2, True)
    assert everything == frozenset(compiled.PHASE_RULES)
    assert "choice" not in compiled.phases(r(), 9, True)  # the rules' own logit beyond 8 firms
    assert "word_of_mouth" not in compiled.phases(r(), 2, False)  # complete network
    swapped = compiled.phases(Rules({"churn_probability": rules.churn_probability}), 2, True)
    assert swapped == everything  # "swapping" a rule for itself swaps nothing


# --------------------------------------------------------------------------------------------
# each kernel against the rules on random inputs
# --------------------------------------------------------------------------------------------


def test_need_draw_equals_the_rule():
    from cxsim.core.kernels.needs import draw_needs

    rng = np.random.default_rng(0)
    n = 20_000
    rate = rng.gamma(0.5, 2.0, size=n)
    rate[:50] = np.inf
    rate[50:100] = 0.0
    for dt in (1.0, 0.25, 3.0):
        u = rng.random(n)
        no_need = 1.0 - rules.hazard_to_probability(rate, dt)
        rows, count = draw_needs(u, no_need, compiled.no_need_mass(rate, dt), rate, dt)
        expected = np.flatnonzero(u >= no_need)
        np.testing.assert_array_equal(rows, expected)
        np.testing.assert_array_equal(count, rules.needs_in_step(rate[rows], dt, u[rows]))
        assert count.max() >= 3  # the loop over counts ran


@pytest.mark.parametrize("n_firms", [1, 2, 3, 8])
@pytest.mark.parametrize("outside", [1.5, float("-inf")])
def test_choice_equals_the_rules(n_firms, outside):
    from cxsim.core.kernels.choice import pick, utilities

    rng = np.random.default_rng(n_firms)
    n, m = 3000, 1200
    stage = rng.integers(0, 6, size=(n, n_firms)).astype(np.int8)
    considers = rng.random((n, n_firms)) < 0.7
    expectation = rng.normal(5.0, 1.0, (n, n_firms))
    trust = rng.random((n, n_firms))
    grudge = np.where(rng.random((n, n_firms)) < 0.3, rng.exponential(1.0, (n, n_firms)), 0.0)
    satisfaction = np.where(rng.random((n, n_firms)) < 0.4, np.nan, rng.normal(0, 1, (n, n_firms)))
    last_firm = rng.integers(-1, n_firms, size=n).astype(np.int16)
    streak = rng.integers(0, 6, size=(n, n_firms)).astype(np.int32)
    price = rng.uniform(5, 15, n_firms)
    loyalty, promotion = rng.uniform(0, 0.2, n_firms), rng.uniform(0, 0.3, n_firms)
    ps, habit, gw, qw, tw, sw = 0.3, 0.5, 0.3, 1.0, 2.0, 0.3
    need = np.sort(rng.choice(n, m, replace=False)).astype(np.int64)
    u = rng.random(m)

    # the NumPy path (Market._serve_once with the default rules)
    s = stage[need]
    active = (s >= rules.BUYER) & (s <= rules.ADVOCATE)
    bonus = ps * np.where(active, loyalty, promotion) * price[np.newaxis, :]
    last = last_firm[need].astype(np.int64)
    had = np.flatnonzero(last >= 0)
    bonus.reshape(-1)[had * n_firms + last[had]] += habit
    utility = rules.choice_utility(
        expectation[need],
        trust[need],
        price,
        bonus - gw * grudge[need],
        satisfaction[need],
        quality_weight=qw,
        trust_weight=tw,
        satisfaction_weight=sw,
        price_sensitivity=ps,
    )
    expected = rules.logit_choice(utility, considers[need], outside, u)
    elsewhere = active & (expected[:, None] != np.arange(n_firms)[None, :])
    streak_expected, stage_expected = streak.copy(), stage.copy()
    rr, jj = np.nonzero(elsewhere)
    streak_expected[need[rr], jj] = 0
    stage_expected[need[rr], jj] = rules.ladder_after_switch(stage[need[rr], jj])

    firm = np.array([price, loyalty, promotion])
    params = np.array([ps, habit, gw, qw, tw, sw, outside])
    shifted, out = utilities(
        need, stage, considers, expectation, trust, grudge, satisfaction, last_firm, firm, params
    )
    w0 = np.exp(out) if np.isfinite(outside) else np.zeros(m)
    chosen = pick(need, u, np.exp(shifted), w0, stage, streak)
    np.testing.assert_array_equal(chosen, expected)
    np.testing.assert_array_equal(streak, streak_expected)
    np.testing.assert_array_equal(stage, stage_expected)


def test_churn_equals_the_rule():
    from cxsim.core.kernels.churn import candidates, count_active

    rng = np.random.default_rng(5)
    n, n_firms = 50_000, 2
    stage = rng.integers(0, 6, size=(n, n_firms)).astype(np.int8)
    trust = rng.random((n, n_firms))
    grudge = np.where(rng.random((n, n_firms)) < 0.2, rng.exponential(5.0, (n, n_firms)), 0.0)
    propensity = rng.gamma(0.5, 2.0, n)
    active = (stage >= rules.BUYER) & (stage <= rules.ADVOCATE)
    at = np.flatnonzero(active)
    assert count_active(stage) == at.size
    for dt in (1.0, 0.5):
        u = rng.random(at.size)
        prob = rules.churn_probability(
            trust.ravel()[at],
            grudge.ravel()[at],
            base_per_week=0.02,
            trust_floor=0.5,
            trust_sensitivity=0.4,
            grudge_sensitivity=0.1,
            dt=dt,
            propensity=propensity[at // n_firms],
        )
        params = np.array([0.02, 0.5, 0.4, 0.1, dt])
        position, draw, x = candidates(stage, trust, grudge, propensity, u, params)
        assert position.size < at.size / 2  # only a few entries are candidates
        gone = position[draw < -np.expm1(-x)]
        np.testing.assert_array_equal(gone, at[u < prob])
        assert gone.size > 100


def test_week_table_equals_the_numpy_metrics():
    from cxsim.core.kernels.metrics import table_pass

    rng = np.random.default_rng(6)
    n, n_firms = 20_000, 3
    stage = rng.integers(0, 6, size=(n, n_firms)).astype(np.int8)
    trust = rng.random((n, n_firms))
    expectation = rng.normal(5.0, 1.0, (n, n_firms))
    last_purchase = np.where(
        rng.random((n, n_firms)) < 0.3, np.nan, rng.uniform(0, 100, (n, n_firms))
    ).astype(np.float32)
    week = 90.0
    cutoff = np.float32(week - ACTIVE_WINDOW_WEEKS)
    stages, active, trust_sum, expectation_sum, recent = table_pass(
        stage, trust, expectation, last_purchase, cutoff
    )
    np.testing.assert_array_equal(
        stages, np.stack([np.bincount(stage[:, f], minlength=6) for f in range(n_firms)])
    )
    mask = active_mask(last_purchase, week, ACTIVE_WINDOW_WEEKS)
    np.testing.assert_array_equal(active, mask.sum(axis=0))
    for f in range(n_firms):
        np.testing.assert_array_equal(recent[f, : active[f]], np.flatnonzero(mask[:, f]))

    class Table:  # what _active_averages reads
        pass

    t = Table()
    t.stage, t.trust, t.expectation = stage, trust, expectation
    mean_trust, mean_expectation = _active_averages(t)
    alive = stages[:, rules.BUYER : rules.ADVOCATE + 1].sum(axis=1)
    np.testing.assert_array_equal(trust_sum / alive, mean_trust)
    np.testing.assert_array_equal(expectation_sum / alive, mean_expectation)


def test_word_of_mouth_equals_the_network_sampler():
    from cxsim.core.kernels.contacts import deliver, mailed, total_degree

    n, n_firms = 5000, 2
    net = build_network("watts_strogatz", n, np.random.default_rng(7), mean_degree=10)
    rng = np.random.default_rng(8)
    senders = np.sort(rng.choice(n, 400, replace=False)).astype(np.int64)
    about = rng.integers(0, n_firms, senders.size).astype(np.int64)
    delight = rng.random(senders.size) < 0.5
    reach = 0.3

    expected = np.zeros((n, n_firms), dtype=np.int32)
    which, receivers = net.sample_contacts(senders, reach, np.random.default_rng(9))
    np.add.at(expected, (receivers, about[which]), 1)

    inbox = np.zeros((n, n_firms), dtype=np.int32)
    u = np.random.default_rng(9).random(total_degree(net.indptr, senders))
    messages, delighted = deliver(
        net.indptr, net.indices, senders, about, delight, u, reach, inbox.reshape(-1)
    )
    np.testing.assert_array_equal(inbox, expected)
    np.testing.assert_array_equal(messages, np.bincount(about[which], minlength=n_firms))
    np.testing.assert_array_equal(
        delighted, np.bincount(about[which][delight[which]], minlength=n_firms)
    )
    negative = np.zeros_like(inbox)
    negative[::7] = 1
    np.testing.assert_array_equal(
        mailed(inbox, negative), np.flatnonzero((inbox > 0) | (negative > 0))
    )


# --------------------------------------------------------------------------------------------
# compiling and caching
# --------------------------------------------------------------------------------------------


def test_kernels_still_run_where_nothing_can_hold_their_cache(tmp_path):
    """With no cache locator left (as on a read-only installation with a read-only home), the
    kernels compile in the process, with a warning, and the market runs as usual."""
    code = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("always")
        from cxsim import Market
        m = Market(rng=1, n_customers=300)
        m.run(3)
        assert "needs" in m._compiled
        print("ran", len(m.to_frame()))
        """
    )
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "ZipCacheLocator", "CXSIM_JIT": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ran" in proc.stdout
    assert "cannot be cached on disk" in proc.stderr


def learn_nothing(knowledge, learning):
    """A firm that learns nothing about its customers (same arguments as learn_customer)."""
    return knowledge


def test_a_rule_replaced_in_the_rules_module_or_on_the_market_runs_in_numpy(monkeypatch):
    """The validation tests replace a rule in cxsim.core.rules itself, and a rule can be set on
    ``market.rules`` after the market is made: either way the phase must run the rule."""
    kwargs = {"rng": 12, "n_customers": 800}
    monkeypatch.setattr(rules, "learn_customer", learn_nothing)
    fast = _run(monkeypatch, True, kwargs, 10)
    assert "experience" not in fast._compiled
    assert np.all(fast.customers.knowledge == 0.0)
    assert_same_market(fast, _run(monkeypatch, False, kwargs, 10))
    monkeypatch.undo()

    monkeypatch.setenv("CXSIM_JIT", "1")
    market = Market(customer_agents=False, **kwargs)
    assert "experience" in market._compiled
    market.run(3)
    known = market.customers.knowledge.copy()
    market.rules.learn_customer = learn_nothing
    market.run(5)
    np.testing.assert_array_equal(market.customers.knowledge, known)
