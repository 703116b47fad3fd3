"""Docking with closed forms (issue 4): the real Market against Bass, CLV and friends.

The acceptance checks of issue 4 at the corners of their parameter boxes, plus the machinery
behind ``cxsim validate``. Every tolerance is a multiple of a Monte-Carlo standard error (or
exact, where the model is deterministic); each comment says which and why. ``cxsim validate``
runs the full set (docs/validation.md lists it). Sizes follow the acceptance criteria: 10,000
customers, 15 years, 20 replications at dt = 0.1 and 10 at dt = 0.01.

Replications run on a process pool shared by this module (two workers on a two-core machine);
the seeds are fixed per replication, so results do not depend on the pool.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from cxsim.validation import bass, checks, docking
from cxsim.validation.bass import (
    bass_closed_form,
    bass_docking,
    bass_errors,
    bass_market,
    bass_recursion,
)
from cxsim.validation.checks import Check, CheckResult
from cxsim.validation.clv import clv_closed_form, clv_docking
from cxsim.validation.half_life import expectation_half_life, half_life_closed_form, rule_half_life

N = 10_000
YEARS = 15
CORNERS = [(0.003, 0.1), (0.003, 0.7), (0.05, 0.1), (0.05, 0.7)]


@pytest.fixture(scope="module")
def pool():
    """Process pool for replications (None on a one-core machine: run in this process)."""
    import multiprocessing

    workers = checks.default_workers()
    if workers < 2:
        yield None
        return
    ex = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    yield ex
    ex.shutdown()


def seed(*key: float) -> np.random.SeedSequence:
    """Fixed seed per test case."""
    return np.random.SeedSequence([20110401, *(int(round(k * 1000)) for k in key)])


# --------------------------------------------------------------------------------------------
# Closed forms themselves (no simulation)
# --------------------------------------------------------------------------------------------


def test_bass_closed_form_known_values():
    # F(0) = 0; F -> 1; the peak of adoption f = F' is at t* = ln(q/p)/(p+q) with F(t*) = 1/2 - p/(2q).
    p, q = 0.03, 0.38
    t_star = math.log(q / p) / (p + q)
    assert bass_closed_form(0.0, p, q) == 0.0
    assert bass_closed_form(500.0, p, q) == pytest.approx(1.0)
    assert bass_closed_form(t_star, p, q) == pytest.approx(0.5 - p / (2 * q), rel=1e-12)
    assert np.all(bass_closed_form(np.linspace(0, 30, 50), 0.0, q) == 0.0)


@pytest.mark.parametrize("p, q", CORNERS)
def test_recursion_converges_to_closed_form(p, q):
    # The discrete recursion is a first-order scheme: its gap to the closed form shrinks about
    # tenfold when dt does; at dt = 0.1 it reaches 0.04 for (0.003, 0.7) (discretisation, no noise).
    gaps = []
    for dt in (0.1, 0.01, 0.001):
        steps = round(YEARS / dt)
        t = np.arange(steps + 1) * dt
        gaps.append(np.abs(bass_recursion(p, q, dt, steps) - bass_closed_form(t, p, q)).max())
    assert gaps[0] < 0.05
    assert gaps[1] < gaps[0] / 5 and gaps[2] < gaps[1] / 5
    assert gaps[2] < 1e-3


# --------------------------------------------------------------------------------------------
# Bass docking on the model
# --------------------------------------------------------------------------------------------


def test_bass_market_is_configured_as_specified():
    m = bass_market(0.03, 0.38, n_customers=1_000, dt=0.1, rng=1)
    cfg = m.config
    firm = cfg.firms[0]
    assert len(cfg.firms) == 1 and firm.strategy == "none" and firm.budget == 0.0
    assert firm.base_reach == 0.03 and firm.initial_customers == 0 and firm.initial_awareness == 0
    assert cfg.customers.social_influence == 0.38
    assert cfg.market.dt == pytest.approx(5.2)
    assert math.isinf(cfg.customers.need_rate) and cfg.market.outside_utility == -math.inf
    assert cfg.customers.churn_base == 0 and cfg.customers.wom_positive_reach == 0
    assert cfg.network.network == "complete"
    assert np.all(np.isinf(m.customers.need_rate))  # CustomerTable's branch for inf
    assert m.to_frame()["alive"].iloc[0] == 0
    # whoever considers the firm buys in the same step and stays: customers == considerers
    m.run_for(10)
    assert m.to_frame()["alive"].iloc[-1] == m.customers.considers[:, 0].sum() > 0


def test_bass_docking_frame_and_reproducibility(pool):
    f = bass_docking(0.05, 0.5, n_customers=500, years=2, dt=0.1, replications=3, rng=7)
    assert list(f.columns) == ["t", "adopted_share", "se", "recursion", "closed_form"]
    assert len(f) == 21 and f["t"].iloc[-1] == pytest.approx(2.0)
    assert f["adopted_share"].iloc[0] == 0 and f["adopted_share"].is_monotonic_increasing
    # same seed, same numbers, whether replications run here or on worker processes
    g = bass_docking(
        0.05, 0.5, n_customers=500, years=2, dt=0.1, replications=3, rng=7, executor=pool
    )
    pd.testing.assert_frame_equal(f, g)
    h = bass_docking(0.05, 0.5, n_customers=500, years=2, dt=0.1, replications=3, rng=8)
    assert not np.array_equal(f["adopted_share"], h["adopted_share"])


@pytest.mark.slow
@pytest.mark.parametrize("p, q", CORNERS)
def test_bass_dt_0_1_matches_recursion(p, q, pool):
    # Acceptance: at dt = 0.1 the mean of 20 runs of 10,000 is within 4 SE of the discrete
    # recursion at every t. The SE is the between-run standard error at that t (19 degrees of
    # freedom): P(|t_19| > 4) = 8e-4 per point, and the 151 points of a path are strongly
    # correlated, so a correct model fails this about 1 time in 100 per seed. Where every run
    # agrees (0 at t = 0, 1 at saturation) the SE is floored at one customer, 1/(n sqrt(20)).
    # The test has teeth: a one-step lag in the social share moves the path by 0.002 to 0.08,
    # a linear instead of exponential hazard by up to 0.01, against SEs of 0.001 to 0.005.
    f = bass_docking(
        p,
        q,
        n_customers=N,
        years=YEARS,
        dt=0.1,
        replications=20,
        rng=seed(p, q, 0.1),
        executor=pool,
    )
    e = bass_errors(f)
    assert e["max_z"] <= 4.0, e
    # and the recursion, not the closed form, is what dt = 0.1 reproduces (up to 0.04 apart)
    assert e["max_recursion"] <= e["max_discretisation"] + 0.01


@pytest.mark.slow
@pytest.mark.parametrize("p, q", [(0.05, 0.7)])
def test_bass_dt_0_01_matches_closed_form(p, q, pool):
    # Acceptance: at dt = 0.01 the mean of 10 runs is within 0.025 of the closed form at every t.
    # Error budget at this corner (the largest p + q, hence the largest discretisation error):
    # recursion vs closed form <= 0.0021, SE of the mean of 10 runs <= 0.005, so 0.025 is more
    # than 4 SE beyond the discretisation everywhere. At (0.003, 0.7), where take-off timing is
    # random, the SE reaches 0.014 and 0.025 is only ~1.5 SE: a correct model fails there about
    # one seed in ten. That corner and (0.03, 0.38) run in `cxsim validate` with fixed seeds;
    # 1,500 steps a run make each dt = 0.01 case 33–41 s of CPU, so CI tests one.
    f = bass_docking(
        p,
        q,
        n_customers=N,
        years=YEARS,
        dt=0.01,
        replications=10,
        rng=seed(p, q, 0.01),
        executor=pool,
    )
    e = bass_errors(f)
    assert e["max_closed_form"] <= 0.025, e
    assert e["max_discretisation"] <= 0.0025


# --------------------------------------------------------------------------------------------
# Fibich & Gibori (2010): sparse networks stay below the Bass curve
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["watts_strogatz", "ring_lattice"])
def test_sparse_networks_stay_below_bass(kind, pool):
    # Upper bound: one-sided, (sim - recursion)/SE <= 4 at every t (10 runs; same reasoning as
    # above). With q applied to the share of a customer's *own* contacts, clustered networks
    # adopt more slowly: neighbours of an adopter are already adopters and pass nothing on.
    # Were q applied to the whole population's share, the network would not matter and the
    # lag would be zero: the lag must be far beyond noise (more than 10 SE at its largest).
    p, q = bass.NETWORK_PAIR
    f = bass_docking(
        p,
        q,
        n_customers=N,
        years=YEARS,
        dt=0.1,
        replications=10,
        network=kind,
        mean_degree=10.0,
        rng=seed(p, q, len(kind)),
        executor=pool,
    )
    e = bass_errors(f)
    assert e["excess_over_recursion"] <= 4.0, e
    lag = (f["recursion"] - f["adopted_share"]) / f["se"].clip(lower=bass.se_floor(N, 10))
    assert lag.max() > 10.0


# --------------------------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------------------------


def test_clv_closed_form_is_the_geometric_sum():
    m, r, d = 4.0, 0.8, 0.1
    direct = sum(m * r**k / (1 + d) ** k for k in range(2000))
    assert clv_closed_form(m, r, d) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("r, d", [(0.5, 0.0), (0.5, 0.2), (0.95, 0.0), (0.95, 0.2)])
def test_clv_docking_corners(r, d):
    # Acceptance: within 3 SE of m(1+d)/(1+d-r). Customers' values are independent, so the SE is
    # the sample s.d. over 50,000 customers / sqrt(50,000) and the CLT is excellent at this size:
    # a correct model fails one corner in 370. The value is also rebuilt from the firm's books
    # (weekly profit, discounted), which must agree to rounding: the accounting is docked too.
    s = clv_docking(4.0, r, d, n_customers=50_000, rng=seed(r, d))
    assert s["closed_form"] == pytest.approx(clv_closed_form(4.0, r, d))
    assert abs(s["z"]) <= 3.0, s.to_dict()
    assert s["mean_books"] == pytest.approx(s["mean"], rel=1e-9)
    # the churn hazard -ln(r)/dt gives retention r per period: binomial SE over the exposures
    exposures = 50_000 / (1 - s["retention_observed"])
    se_r = math.sqrt(r * (1 - r) / exposures)
    assert abs(s["retention_observed"] - r) <= 4 * se_r


def test_clv_docking_weekly_periods_and_negative_margin():
    # one period may be a week instead of a year; a negative margin is a cost per period
    s = clv_docking(-1.0, 0.7, 0.05, n_customers=20_000, rng=3, period_weeks=1.0)
    assert abs(s["z"]) <= 3.0
    assert s["mean"] < 0


# --------------------------------------------------------------------------------------------
# Expectation half-life (exact: no randomness involved)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.05, 0.15, 0.25, 0.5, 0.9])
def test_rule_half_life(alpha):
    assert rule_half_life(alpha) == pytest.approx(half_life_closed_form(alpha), rel=1e-9)


@pytest.mark.parametrize("gap, param", [(1.0, "expectation_up"), (-2.0, "expectation_down")])
@pytest.mark.parametrize("alpha", [0.1, 0.3])
def test_market_half_life(gap, param, alpha):
    # In a run at constant quality (no noise, no mismatch) every customer's gap is the same
    # deterministic sequence, so the fitted half-life equals the closed form to rounding.
    s = expectation_half_life(gap, n_customers=200, purchases=25, **{param: alpha})
    assert s["alpha"] == alpha
    assert s["first_gap"] == pytest.approx(gap)
    assert s["half_life"] == pytest.approx(half_life_closed_form(alpha), rel=1e-6)


# --------------------------------------------------------------------------------------------
# The registry and `cxsim validate`
# --------------------------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the duration of a test."""
    monkeypatch.setattr(checks, "CHECKS", [])
    return checks.CHECKS


def _fixed(passed: bool) -> Check:
    return Check(
        name=f"fixed-{'pass' if passed else 'fail'}",
        source="test",
        expected="42",
        tolerance="none",
        run=lambda: CheckResult(str(passed), passed, "why"),
        role=checks.HELD_OUT if passed else checks.CALIBRATION,
    )


def test_docking_checks_are_registered():
    import cxsim.validation  # noqa: F401

    names = [c.name for c in checks.CHECKS]
    expected = [c.name for c in docking.docking_checks()]
    assert set(expected) <= set(names)
    assert len(names) == len(set(names))
    for c in checks.CHECKS:
        assert c.name and c.source and c.expected and c.tolerance and callable(c.run)


def test_register_select_and_run(registry):
    checks.register(_fixed(True))
    checks.register(_fixed(False))
    with pytest.raises(ValueError, match="already registered"):
        checks.register(_fixed(True))
    checks.register(_fixed(True), replace=True)
    assert [c.name for c in checks.select(["fixed-p*"])] == ["fixed-pass"]
    with pytest.raises(KeyError):
        checks.select(["nope"])

    @checks.check("boom", source="test", expected="no crash", tolerance="-", role="held-out")
    def _boom() -> CheckResult:
        raise RuntimeError("broken")

    frame = checks.run_checks(progress=False, workers=1)
    assert list(frame.columns) == ["check", "role", "expected", "simulated", "tolerance", "pass"]
    assert frame["pass"].tolist() == [True, False, False]
    assert frame["simulated"].iloc[2].startswith("error: RuntimeError")
    assert "broken" in frame.attrs["details"]["boom"]


def test_main_exit_status_and_table(registry, capsys):
    checks.register(_fixed(True))
    assert checks.main(["--quiet", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["check", "role", "expected", "simulated", "tolerance", "pass"]
    assert lines[2].split()[1] == "held-out"
    assert lines[2].split()[-1] == "PASS"
    # columns are aligned: every header word starts where its column starts
    assert lines[2].index("42") == lines[0].index("expected")

    checks.register(_fixed(False))
    assert checks.main(["--quiet", "--workers", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "why" in out  # details of failures are printed
    assert checks.main(["--quiet", "fixed-pass"]) == 0
    assert checks.main(["--quiet", "missing-check"]) == 2
    capsys.readouterr()
    assert checks.main(["--list"]) == 0
    listed = {line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()}
    assert listed == {"fixed-pass": "held-out", "fixed-fail": "calibration"}
    assert checks.main(["--quiet", "--role", "held-out"]) == 0  # only the passing one runs
    out = capsys.readouterr().out
    assert "fixed-pass" in out and "fixed-fail" not in out
    assert checks.main(["--list", "--role", "calibration"]) == 0
    assert capsys.readouterr().out.split()[0] == "fixed-fail"


def test_validate_runs_cheap_real_checks():
    frame = checks.run_checks(["half-life-*", "clv-r0.5-d0"], progress=False, workers=1)
    assert frame["pass"].all(), frame.to_string()


def test_validate_refuses_more_workers_than_cores_in_one_line(capsys):
    from cxsim.validation.checks import main

    assert main(["--workers", "100000", "half-life-rule"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cxsim: error: workers") and "--force" in err[0]


# --------------------------------------------------------------------------------------------
# Roles, statistics, and checks that can fail
# --------------------------------------------------------------------------------------------


def test_every_registered_check_has_a_role():
    import cxsim.validation  # noqa: F401

    assert checks.CHECKS
    for c in checks.CHECKS:
        assert c.role in checks.ROLES, c.name
    roles = {c.name: c.role for c in checks.CHECKS}
    # strategy and lever rankings were tuned into the defaults: they cannot count as validation
    assert roles["behaviour-leaky-bucket"] == checks.CALIBRATION
    assert roles["behaviour-individual-treatment"] == checks.CALIBRATION
    # the dt-convergence check and the mechanism on fresh draws are held out
    assert roles["step-size-convergence"] == checks.HELD_OUT
    assert roles["behaviour-trust-asymmetry"] == checks.HELD_OUT
    with pytest.raises(ValueError, match="role"):
        Check("x", "s", "e", "t", lambda: CheckResult("", True), role="validated")


def test_list_shows_every_role(capsys):
    assert checks.main(["--list"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert {r[0]: r[1] for r in rows} == {c.name: c.role for c in checks.CHECKS}
    assert checks.main(["--list", "--role", "held-out"]) == 0
    held = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert held == {c.name for c in checks.CHECKS if c.role == checks.HELD_OUT}


def test_no_check_passes_by_construction():
    # a claim's pass must come from a statistic: no literal True among a check's verdicts
    import ast
    import inspect

    from cxsim.validation import behaviours, step_size

    for module in (behaviours, step_size, docking, checks):
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "passed":
                assert not (isinstance(node.value, ast.Constant) and node.value.value is True)
            if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                first, second = node.elts  # a claim is (statistic, verdict); skip (label, flag)
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    continue
                assert not (isinstance(second, ast.Constant) and second.value is True), (
                    f"{module.__name__}: a claim hard-coded to pass"
                )


def test_t_threshold_known_values():
    from cxsim.validation.stats import t_threshold

    # tables of Student's t: t(0.95, 2) = 2.920, t(0.975, 9) = 2.262, t(0.995, 19) = 2.861
    assert t_threshold(2, 0.05) == pytest.approx(2.919986, abs=1e-6)
    assert t_threshold(9, 0.05, two_sided=True) == pytest.approx(2.262157, abs=1e-6)
    assert t_threshold(19, 0.01, two_sided=True) == pytest.approx(2.860935, abs=1e-6)
    assert t_threshold(math.inf, 0.05, two_sided=True) == pytest.approx(1.959964, abs=1e-6)
    # z > 3 with 3 replications is a 4.8 % one-sided false failure, not 0.13 %
    from scipy import stats as st

    assert st.t.sf(3.0, 2) == pytest.approx(0.0477, abs=1e-4)
    assert t_threshold(2, st.t.sf(3.0, 2)) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        t_threshold(0, 0.05)
    with pytest.raises(ValueError):
        t_threshold(5, 1.5)


def test_paired_greater_known_answer():
    from cxsim.validation.stats import paired_greater

    # differences 1, 2, 3: mean 2, s.d. 1, SE 1/sqrt(3): t = 2 sqrt(3) = 3.464 with 2 df
    t = paired_greater([11.0, 12.0, 13.0], [10.0, 10.0, 10.0], alpha=0.05)
    assert t.stat == pytest.approx(2 * math.sqrt(3)) and t.df == 2
    assert t.threshold == pytest.approx(2.919986, abs=1e-6) and t.passed
    assert not paired_greater([11.0, 12.0, 13.0], [10.0, 10.0, 10.0], alpha=0.01).passed
    # no difference at all is no evidence of one
    assert not paired_greater([1.0, 2.0], [1.0, 2.0]).passed


def test_tost_known_answers():
    from scipy import stats as st

    from cxsim.validation.stats import shares_tost, tost

    # estimate 0, SE 1, margin 3, 10 df: both one-sided p = P(t10 > 3) = 0.00667
    r = tost(0.0, 1.0, 3.0, 10, alpha=0.05)
    assert r.p == pytest.approx(st.t.sf(3.0, 10)) and r.equivalent
    assert r.t_lower == pytest.approx(3.0) and r.t_upper == pytest.approx(-3.0)
    # equivalent iff the 1 - 2 alpha interval lies inside the margin (normal: 0.5 +- 1.645)
    assert tost(0.5, 1.0, 2.2, math.inf, alpha=0.05).equivalent  # 0.5 + 1.645 = 2.145 < 2.2
    assert not tost(0.5, 1.0, 2.1, math.inf, alpha=0.05).equivalent  # 2.145 > 2.1
    # too little data: not equivalent, although no difference is rejected either
    assert not tost(0.0, 10.0, 1.0, 5).equivalent
    # two shares: 0.50 of 10,000 against 0.51 of 10,000 within 0.03
    s = shares_tost(0.50, 10_000, 0.51, 10_000, 0.03)
    assert s.se == pytest.approx(math.sqrt(0.25 / 1e4 + 0.51 * 0.49 / 1e4))
    assert s.p == pytest.approx(st.norm.sf((0.03 - 0.01) / s.se), rel=1e-9)
    assert s.equivalent
    with pytest.raises(ValueError):
        tost(0.0, 1.0, 0.0, 5)


def test_mh_risk_difference_known_answers():
    from cxsim.validation.stats import (
        mh_risk_difference,
        shares_greater,
        shares_tost,
        stratified_shares_greater,
        stratified_shares_tost,
    )

    # one stratum: the plain difference and its unpooled SE
    one = mh_risk_difference([0.6], [400], [0.5], [900])
    plain = shares_greater(0.6, 400, 0.5, 900)
    assert one.estimate == pytest.approx(0.1) and one.se == pytest.approx(plain.se)
    # confounding: equal shares within each stratum, different mixes; pooled they differ by 0.3
    p1, n1, p2, n2 = [0.7, 0.2], [100, 900], [0.7, 0.2], [900, 100]
    pooled = (0.7 * 100 + 0.2 * 900) / 1000 - (0.7 * 900 + 0.2 * 100) / 1000
    assert pooled == pytest.approx(-0.4)
    r = mh_risk_difference(p1, n1, p2, n2)
    assert r.estimate == pytest.approx(0.0, abs=1e-12) and r.strata == 2
    # weights n1 n2 / (n1 + n2) = 90 each: the mean of the stratum differences, and its variance
    r = mh_risk_difference([0.5, 0.3], [100, 900], [0.4, 0.3], [900, 100])
    assert r.estimate == pytest.approx(0.05)
    v1, v2 = 0.25 / 100 + 0.24 / 900, 0.21 / 900 + 0.21 / 100
    assert r.se == pytest.approx(math.sqrt(90**2 * (v1 + v2)) / 180)
    # a stratum missing a group carries no weight
    assert mh_risk_difference([0.5, 0.9], [100, 50], [0.4, 0.1], [900, 0]).estimate == (
        pytest.approx(0.1)
    )
    # the confounded example, 100 times larger: equivalent within strata, not pooled
    big1, big2 = [100 * n for n in n1], [100 * n for n in n2]
    assert stratified_shares_tost(p1, big1, p2, big2, 0.05).equivalent
    assert not shares_tost(0.25, 1e5, 0.65, 1e5, 0.05).equivalent
    assert stratified_shares_tost([0.5] * 2, [1e4] * 2, [0.5] * 2, [1e4] * 2, 0.03).equivalent
    assert stratified_shares_greater([0.6] * 2, [1e4] * 2, [0.5] * 2, [1e4] * 2).passed
    with pytest.raises(ValueError):
        mh_risk_difference([0.5], [0], [0.5], [10])


def test_trust_asymmetry_check_fails_for_a_symmetric_learner(monkeypatch):
    from cxsim.core import rules, theories
    from cxsim.validation import behaviours

    assert behaviours.check_trust_asymmetry().passed
    monkeypatch.setattr(rules, "update_trust", theories.symmetric_trust)
    result = behaviours.check_trust_asymmetry()
    assert not result.passed, result.simulated

    # and a rule that learns faster from hits than from misses fails it too
    def reversed_trust(trust, disconf, *, tolerance, gain, loss):
        return np.where(disconf >= -tolerance, trust + loss * (1 - trust), trust * (1 - gain))

    monkeypatch.setattr(rules, "update_trust", reversed_trust)
    assert not behaviours.check_trust_asymmetry().passed


def test_paired_comparison_fails_when_personalization_learns_nothing(monkeypatch):
    # individual treatment: with a firm that learns nothing about its customers, personalization
    # buys nothing, so it cannot beat uniform service: the paired t tests must fail
    from cxsim.core import rules
    from cxsim.validation import behaviours

    def learn_nothing(knowledge, *args, **kwargs):
        return knowledge

    monkeypatch.setattr(rules, "learn_customer", learn_nothing)
    result = behaviours.check_individual_treatment()
    assert not result.passed, result.simulated
    assert "personalized wins" in result.details
