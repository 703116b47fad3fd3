"""``explain``: the gap between two scenarios split over mechanisms by Shapley values.

The hybrid markets reproduce A and B number for number; the contributions add up to the gap on
every replication seed; a scenario against itself has nothing to explain; a gap made by one
channel lands on that channel; the command line refuses bad input in one line.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from cxsim import Market, ScenarioError, preset
from cxsim.cli import main
from cxsim.experiments import explain
from cxsim.experiments.explain import CHANNELS, active_channels, hybrid_market, shapley
from cxsim.validation.behaviours import mechanism_market

SMALL = {"customers.n_customers": 200, "market.weeks": 26}
ALL = [c.name for c in CHANNELS]
MECHANISMS = ALL


@pytest.fixture(scope="module")
def pair():
    a = preset("retention_focus").with_overrides(SMALL)
    b = preset("acquisition_focus").with_overrides(SMALL)
    return a, b


@pytest.fixture(scope="module")
def table(pair):
    a, b = pair
    return explain(a, b, replications=3, seed=11, executor="serial", progress=False)


def test_hybrids_reproduce_a_and_b_exactly(pair):
    a, b = pair
    for seed in (3, 4):
        plain_a = Market(a, rng=seed, customer_agents=False).run()
        plain_b = Market(b, rng=seed, customer_agents=False).run()
        none = hybrid_market(a, b, (), rng=seed, customer_agents=False).run()
        every = hybrid_market(a, b, ALL, rng=seed, customer_agents=False).run()
        pd.testing.assert_frame_equal(none, plain_a)
        pd.testing.assert_frame_equal(every, plain_b)
        assert not plain_a.equals(plain_b)


def test_hybrids_reproduce_scenarios_that_differ_in_everything():
    # the market, customers, network, word of mouth, the rival and every firm setting
    a = preset("default").with_overrides(SMALL)
    b = a.with_overrides(
        {
            "customers.wom_positive_reach": 0.3,
            "customers.churn_base": 0.002,
            "customers.need_rate": 0.4,
            "network.mean_degree": 6,
            "market.imitation_rate": 0.05,
            "market.discount_rate": 0.05,
            "levers.serve_cost": 0.2,
            "firms.focal.strategy": "product_leadership",
            "firms.focal.price": 11.0,
            "firms.focal.unit_cost": 5.5,
            "firms.focal.quality": 5.5,
            "firms.focal.base_reach": 0.05,
            "firms.focal.initial_customers": 0.2,
            "firms.rival.strategy": "acquisition_focus",
        }
    )
    assert set(active_channels(a, b)) == set(ALL)
    plain_a = Market(a, rng=5, customer_agents=False).run()
    plain_b = Market(b, rng=5, customer_agents=False).run()
    pd.testing.assert_frame_equal(hybrid_market(a, b, (), rng=5).run(), plain_a)
    pd.testing.assert_frame_equal(hybrid_market(a, b, ALL, rng=5).run(), plain_b)
    # and each single switch is a market of its own, neither A nor B
    one = hybrid_market(a, b, ["price_cost"], rng=5).run()
    assert not one.equals(plain_a) and not one.equals(plain_b)


def test_contributions_add_up_to_the_total_on_every_replication(table, pair):
    reps = table.attrs["replications"]
    assert len(reps) == 3
    parts = reps[MECHANISMS].sum(axis=1)
    np.testing.assert_allclose(parts, reps["total"], rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(reps["total"], reps["b"] - reps["a"], rtol=0, atol=0)
    rows = table.set_index("mechanism")
    assert rows.loc[MECHANISMS, "contribution"].sum() == pytest.approx(
        rows.loc["total", "contribution"], rel=1e-12, abs=1e-6
    )
    # the total is metric(B) − metric(A) of plain runs on the replication seeds
    a, b = pair
    seed = int(reps["seed"].iloc[0])
    fa = Market(a, rng=seed, customer_agents=False).run()
    fb = Market(b, rng=seed, customer_agents=False).run()

    def score(frame):  # NPV plus the terminal equity discounted to week 0
        last = frame[frame["firm"] == "focal"].iloc[-1]
        equity = 0.0 if math.isnan(last["customer_equity"]) else last["customer_equity"]
        return last["npv"] + equity / (1 + a.market.discount_rate) ** (last["week"] / 52)

    assert reps["total"].iloc[0] == pytest.approx(score(fb) - score(fa), rel=1e-12)


def test_table_shape_intervals_and_interactions(table):
    assert list(table["mechanism"]) == [*MECHANISMS, "total"]
    assert {"mechanism", "contribution", "low", "high", "one_at_a_time", "interaction"} <= set(
        table.columns
    )
    active = table[table["active"] & (table["mechanism"] != "total")]
    assert set(active["mechanism"]) == {"reach", "discounts", "experience", "leaving"}
    assert (active["low"] <= active["contribution"]).all()
    assert (active["contribution"] <= active["high"]).all()
    np.testing.assert_allclose(
        active["interaction"], active["contribution"] - active["one_at_a_time"]
    )
    quiet = table[~table["active"]]
    assert (quiet[["contribution", "low", "high", "interaction"]] == 0).all().all()
    assert table.attrs["runs"] == 16 * 3 and table.attrs["coalitions"] == 16


def test_a_scenario_against_itself_explains_nothing(pair):
    a, _ = pair
    t = explain(a, a, replications=2, executor="serial", progress=False)
    assert (t["contribution"] == 0).all()
    assert (t[["low", "high"]].fillna(0) == 0).all().all()
    assert t.attrs["runs"] == 2  # one coalition (the empty one) per replication


@pytest.mark.parametrize("factor", [2.0, 1.3])
def test_one_channel_carries_a_gap_made_by_one_channel(factor):
    # B spends more on advertising only: the same spend on service, a larger budget (with
    # factor 1.3 the service spend may differ in its last bit, so the experience channel may
    # be switched too, and must then carry (almost) nothing). Frequent buyers and a budget of
    # 10,400 a year (the mechanism market), so that advertising makes a gap worth splitting in
    # 26 weeks of 200 customers
    base = mechanism_market("default").with_overrides(SMALL)
    budget = base.firms[0].budget
    extra = (factor - 1.0) * budget
    a = base.with_overrides(
        {
            "firms.focal.strategy": "custom",
            "firms.focal.allocation": {"advertising": 0.25, "service": 0.75},
        }
    )
    b = base.with_overrides(
        {
            "firms.focal.strategy": "custom",
            "firms.focal.budget": factor * budget,
            "firms.focal.allocation": {
                "advertising": (0.25 * budget + extra) / (factor * budget),
                "service": 0.75 * budget / (factor * budget),
            },
        }
    )
    t = explain(a, b, replications=2, executor="serial", progress=False).set_index("mechanism")
    total = t.loc["total", "contribution"]
    assert abs(total) > 100
    assert t.loc["reach", "contribution"] == pytest.approx(total, rel=0.02)
    others = t.drop(index=["reach", "total"])["contribution"]
    assert others.abs().max() <= 0.02 * abs(total)


def test_shapley_values_of_known_games():
    players = ["x", "y", "z"]
    coalitions = [frozenset(c) for r in range(4) for c in itertools.combinations(players, r)]
    # additive: each player's own effect, no interaction
    own = {"x": 1.0, "y": -2.0, "z": 5.0}
    additive = {s: sum(own[p] for p in s) for s in coalitions}
    assert shapley(additive, players) == pytest.approx(own)
    # x and y only together (a pure interaction) split it; z is a null player
    together = {s: 6.0 if {"x", "y"} <= s else 0.0 for s in coalitions}
    assert shapley(together, players) == pytest.approx({"x": 3.0, "y": 3.0, "z": 0.0})


def test_bad_input_of_the_python_api(pair):
    a, b = pair
    with pytest.raises(ScenarioError, match="replications"):
        explain(a, b, replications=0, executor="serial", progress=False)
    with pytest.raises(ScenarioError, match="firm"):
        explain(a, b, firm="nobody", executor="serial", progress=False)
    with pytest.raises(ScenarioError, match="metric"):
        explain(a, b, metric="happiness", executor="serial", progress=False)
    with pytest.raises(ScenarioError, match="not a channel"):
        hybrid_market(a, b, ["charisma"])


def test_cli_explain_writes_table_and_waterfall(tmp_path, capsys):
    out = tmp_path / "why"
    argv = ["explain", "retention_focus", "acquisition_focus", "--n-customers", "200"]
    argv += ["--weeks", "13", "--replications", "2", "--serial", "--no-progress"]
    code = main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "total" in captured.out and "reach" in captured.out
    assert "Exactly 0" in captured.out
    table = pd.read_csv(out / "explain.csv")
    assert list(table["mechanism"])[-1] == "total"
    assert (out / "explain.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["explain", "no_such_preset", "acquisition_focus"], "no_such_preset"),
        (["explain", "retention_focus", "acquisition_focus", "--replications", "0"], "0"),
        (["explain", "retention_focus"], "two scenarios"),
        (["explain", "--firm", "nobody"], "nobody"),
        (["explain", "--metric", "happiness"], "happiness"),
        (["explain", "--weeks", "-1"], "-1"),
    ],
)
def test_cli_bad_input_one_line_exit_2_nothing_written(argv, needle, tmp_path, capsys):
    out = tmp_path / "why"
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main([*argv, "--out", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), captured.err
    assert needle in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
