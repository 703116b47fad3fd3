"""Swappable rules: a researcher replaces one rule and the model honours it everywhere.

A swapped rule must be honoured serially, on the local process pool and on Dask (workers import
it by its qualified name), must change the run key (so ``--resume`` never mixes theories), and a
bad swap must be refused in one line before anything runs.
"""

from __future__ import annotations

import inspect
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim import Market, Scenario
from cxsim.core import rules, theories
from cxsim.core.ruleset import RULE_NAMES, RuleError, Rules, rule_identity
from cxsim.experiments import compare, run_key
from cxsim.params import ScenarioError
from cxsim.validation.behaviours import MECHANISM_CUSTOMERS

SMALL = {"n_customers": 300}
PAIR = ["acquisition_focus", "retention_focus"]
SYMMETRIC = "cxsim.core.theories:symmetric_trust"


def test_every_listed_rule_is_a_rule_and_every_rule_the_model_calls_is_listed():
    for name in RULE_NAMES:
        assert inspect.isfunction(getattr(rules, name)), name
    # the model and the firms call rules only through the rules in force (self.rules / rules=)
    core = Path(rules.__file__).parent
    called: set[str] = set()
    for module in ("model.py", "firms.py"):
        text = (core / module).read_text()
        called |= set(re.findall(r"\.rules\.([a-z_]+)\(", text))
        direct = re.findall(r"(?<![\w.])rules\.([a-z_]+)\(", text)
        assert not direct, f"{module} calls cxsim.core.rules directly: {direct}"
    assert called <= set(RULE_NAMES)
    # every listed rule is reached: called by the model or firms, or handed to lever_effects
    # (diminishing_returns as the response curve, discount_depth as the discounts' depth)
    assert set(RULE_NAMES) - called <= {"diminishing_returns", "discount_depth"}


def test_default_rules_are_the_module_functions():
    r = Rules()
    assert r.swapped == {} and r.identity() == {}
    for name in RULE_NAMES:
        assert getattr(r, name) is getattr(rules, name)


def test_swap_by_function_or_by_name_gives_the_same_rules():
    a = Rules({"update_trust": theories.symmetric_trust})
    b = Rules({"update_trust": SYMMETRIC})
    c = Rules({"update_trust": "cxsim.core.theories.symmetric_trust"})
    assert a == b == c
    assert a.update_trust is theories.symmetric_trust
    assert a.identity() == b.identity()
    assert a.identity()["update_trust"].startswith("cxsim.core.theories:symmetric_trust@")
    # the other rules stay
    assert a.adapt_expectation is rules.adapt_expectation


def test_swapping_in_the_default_is_no_swap():
    assert Rules({"update_trust": rules.update_trust}).swapped == {}


@pytest.mark.parametrize(
    ("swaps", "pattern"),
    [
        (
            {"update_trusts": SYMMETRIC},
            r"rules: 'update_trusts' is not a rule.*did you mean 'update_trust'",
        ),
        ({"hits_to_recover": SYMMETRIC}, r"'hits_to_recover' is not a rule of the model"),
        ({"update_trust": "no_such_module_xyz:f"}, r"rules.update_trust: cannot import module"),
        ({"update_trust": "cxsim.core.theories:nope"}, r"has no 'nope'"),
        ({"update_trust": "justaname"}, r"is not a qualified name"),
        ({"update_trust": 3}, r"rules.update_trust: 3 is not a function"),
        ({"update_trust": "math:sqrt"}, r"rules.update_trust: .*cannot replace update_trust"),
        ({"update_trust": lambda trust: trust}, r"cannot replace update_trust"),
    ],
)
def test_bad_swaps_are_refused_in_one_line(swaps, pattern):
    with pytest.raises(RuleError, match=pattern) as info:
        Rules(swaps)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ScenarioError)  # the CLI's one-line, exit-2 path


def test_rules_pickle_by_reference():
    r = Rules({"update_trust": SYMMETRIC})
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.update_trust is theories.symmetric_trust


def test_identity_changes_when_the_source_changes():
    def one(trust, disconf, *, tolerance, gain, loss):
        return trust

    def two(trust, disconf, *, tolerance, gain, loss):
        return trust * 1.0

    two.__qualname__ = one.__qualname__
    assert rule_identity(one) != rule_identity(two)


def _trust(frame: pd.DataFrame) -> np.ndarray:
    return frame["mean_trust"].to_numpy()


def test_swapped_rule_is_honoured_by_the_market():
    # frequent buyers: trust moves every week
    kw = {**SMALL, **MECHANISM_CUSTOMERS}
    base = Market(rng=5, **kw).run(26)
    swapped = Market(rng=5, rules={"update_trust": SYMMETRIC}, **kw).run(26)
    assert not np.allclose(_trust(base), _trust(swapped), equal_nan=True)
    # with losses as small as gains, trust ends higher on average
    assert np.nanmean(_trust(swapped)[-20:]) > np.nanmean(_trust(base)[-20:])
    again = Market(rng=5, rules={"update_trust": theories.symmetric_trust}, **kw).run(26)
    pd.testing.assert_frame_equal(swapped, again)


def test_swapped_response_curve_reaches_the_firms():
    def flat(spend, ceiling, efficiency):
        return np.zeros_like(np.asarray(spend, dtype=float))

    market = Market(rng=1, rules={"diminishing_returns": flat}, **SMALL)
    market.step()
    assert all(f.effects.reach_per_year == 0.0 and f.effects.service == 0.0 for f in market.firms)


def test_swap_changes_the_run_key():
    sc = Scenario()
    plain = run_key(sc, 1, 10)
    swapped = run_key(sc, 1, 10, {"update_trust": SYMMETRIC})
    other = run_key(sc, 1, 10, {"adapt_expectation": "cxsim.core.theories:fixed_expectations"})
    assert len({plain, swapped, other}) == 3
    assert run_key(sc, 1, 10, Rules({"update_trust": theories.symmetric_trust})) == swapped
    assert run_key(sc, 1, 10, {}) == plain


@pytest.fixture(scope="module")
def serial_swapped():
    return compare(
        PAIR,
        replications=2,
        weeks=8,
        executor="serial",
        progress=False,
        rules={"update_trust": SYMMETRIC},
    )


def test_swapped_rule_differs_from_default(serial_swapped):
    plain = compare(PAIR, replications=2, weeks=8, executor="serial", progress=False)
    assert not np.allclose(
        plain["mean_trust"].to_numpy(), serial_swapped["mean_trust"].to_numpy(), equal_nan=True
    )


def test_swapped_rule_is_honoured_on_the_process_pool(serial_swapped):
    pooled = compare(
        PAIR,
        replications=2,
        weeks=8,
        progress=False,
        rules={"update_trust": SYMMETRIC},
    )
    pd.testing.assert_frame_equal(serial_swapped, pooled)


@pytest.mark.slow
def test_swapped_rule_is_honoured_on_dask(serial_swapped):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = compare(
            PAIR,
            replications=2,
            weeks=8,
            executor=client,
            progress=False,
            rules={"update_trust": SYMMETRIC},
        )
    pd.testing.assert_frame_equal(serial_swapped, on_dask)


def test_unimportable_rule_is_refused_before_the_pool_starts():
    def local_rule(trust, disconf, *, tolerance, gain, loss):
        return trust

    with pytest.raises(RuleError, match="cannot be imported by worker processes.*serial"):
        compare(PAIR, replications=1, weeks=2, progress=False, rules={"update_trust": local_rule})
    # serially it runs
    frame = compare(
        PAIR,
        replications=1,
        weeks=2,
        executor="serial",
        progress=False,
        rules={"update_trust": local_rule},
    )
    assert len(frame) > 0
