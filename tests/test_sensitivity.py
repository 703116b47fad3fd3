"""Sensitivity analysis: a tiny Morris screening ranks a parameter that matters above one that
cannot matter; Sobol and the outputs work on tiny runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cxsim.experiments.run as ex  # noqa: E402
from cxsim import Scenario, ScenarioError, preset  # noqa: E402
from cxsim.core.ruleset import Rules  # noqa: E402
from cxsim.experiments import compare  # noqa: E402
from cxsim.experiments.sensitivity import (  # noqa: E402
    DEFAULT_RANGES,
    GAP_LEVERS,
    LEVER_RANGE_FACTOR,
    lever_ranges,
    metric_output,
    morris,
    npv_difference,
    plot_sensitivity,
    problem,
    sobol,
)
from cxsim.params import STRATEGIES  # noqa: E402
from cxsim.params.declare import field_of  # noqa: E402
from cxsim.params.levers import DISCOUNT_LEVERS, LeverParams  # noqa: E402
from cxsim.validation.behaviours import mechanism_market  # noqa: E402

BASE = Scenario().with_overrides({"customers.n_customers": 200})
# churn_base drives defection directly; no firm spends on innovation in the default market, so
# its ceiling has no effect at all (a dummy parameter).
RANGES = {"customers.churn_base": (0.0, 0.05), "levers.innovation_ceiling": (0.0, 1.0)}


def title(ax) -> str:
    return " ".join(ax.get_title(loc=loc) for loc in ("left", "center", "right"))


def test_morris_ranks_a_parameter_that_matters_above_a_dummy():
    result = morris(
        metric_output("customers", week=20),
        RANGES,
        scenarios=BASE,
        trajectories=4,
        weeks=20,
        executor="serial",
        progress=False,
    )
    assert {"method", "output", "parameter", "index", "value", "conf", "rank"} <= set(result)
    mu_star = result[result["index"] == "mu_star"].set_index("parameter")["value"]
    assert mu_star["customers.churn_base"] > 0
    assert mu_star["levers.innovation_ceiling"] == 0
    assert result.iloc[0]["parameter"] == "customers.churn_base"  # most influential first
    assert result.attrs["X"].shape == (4 * 3, 2)
    assert len(result.attrs["Y"]) == 12
    ax = plot_sensitivity(result)
    assert ax.get_xlabel() and ax.get_ylabel() and title(ax)
    plt.close(ax.figure)


def test_sobol_indices_of_a_paired_difference():
    pair = [
        preset(n).with_overrides({"customers.n_customers": 200})
        for n in ("retention_focus", "acquisition_focus")
    ]
    result = sobol(
        npv_difference(),
        RANGES,
        scenarios=pair,
        samples=4,
        weeks=6,
        executor="serial",
        progress=False,
    )
    st = result[result["index"] == "ST"].set_index("parameter")["value"]
    assert st["levers.innovation_ceiling"] == pytest.approx(0.0, abs=1e-12)
    assert set(result["index"]) == {"S1", "ST"}
    assert result.attrs["X"].shape == (4 * (2 + 2), 2)
    ax = plot_sensitivity(result)
    assert "sobol" in title(ax).lower()
    plt.close(ax.figure)


def test_npv_difference_is_paired_by_replication():
    pair = [
        preset(n).with_overrides({"customers.n_customers": 200})
        for n in ("retention_focus", "acquisition_focus")
    ]
    df = compare(pair, replications=3, weeks=5, executor="serial", progress=False)
    got = npv_difference()(df)  # week 260 is beyond the runs: the last week is used
    last = df[(df.week == 5) & (df.firm == "focal")]
    r = last[last.scenario == "retention_focus"].set_index("replication")["npv"]
    a = last[last.scenario == "acquisition_focus"].set_index("replication")["npv"]
    assert got == pytest.approx((r - a).mean())


def test_bad_ranges_are_refused_before_running():
    with pytest.raises(ScenarioError, match="low < high"):
        problem({"customers.churn_base": (0.5, 0.1)})
    with pytest.raises(ScenarioError, match="churn_bse"):
        morris(
            "npv",
            {"customers.churn_bse": (0.0, 0.1)},
            scenarios=BASE,
            executor="serial",
            progress=False,
        )
    with pytest.raises(ScenarioError, match="churn_base"):
        morris(
            "npv",
            {"customers.churn_base": (0.0, 5.0)},
            scenarios=BASE,
            executor="serial",
            progress=False,
        )
    with pytest.raises(ScenarioError, match="power of 2"):
        sobol("npv", RANGES, scenarios=BASE, samples=6, executor="serial", progress=False)


def test_tidy_result_is_sorted_and_numeric():
    result = morris(
        "npv", RANGES, scenarios=BASE, trajectories=2, weeks=4, executor="serial", progress=False
    )
    assert isinstance(result, pd.DataFrame)
    assert np.issubdtype(result["value"].dtype, np.floating)
    assert list(result["rank"]) == sorted(result["rank"])


def test_swapped_rules_reach_every_run(monkeypatch):
    symmetric = {"update_trust": "cxsim.core.theories:symmetric_trust"}
    seen = []
    real = ex.run_one

    def spy(scenario, seed, weeks=None, rules=None):
        seen.append(rules)
        return real(scenario, seed, weeks, rules)

    monkeypatch.setattr(ex, "run_one", spy)
    # frequent buyers: trust moves within four weeks
    kw = dict(scenarios=mechanism_market(BASE), weeks=4, executor="serial", progress=False)
    trust = metric_output("mean_trust", week=4)
    plain = morris(trust, RANGES, trajectories=2, **kw)
    assert seen and all(r is None for r in seen)
    seen.clear()
    swapped = morris(trust, RANGES, trajectories=2, rules=symmetric, **kw)
    assert len(seen) == 2 * 3 and all(r == Rules(symmetric) for r in seen)
    assert not np.allclose(plain.attrs["Y"], swapped.attrs["Y"])  # the swap changed the runs
    seen.clear()
    sobol(trust, RANGES, samples=2, rules=symmetric, **kw)
    assert len(seen) == 2 * (2 + 2) and all(r == Rules(symmetric) for r in seen)


def test_default_ranges_vary_the_response_of_every_lever_the_two_strategies_spend_on():
    spent = {
        lever
        for name in ("acquisition_focus", "retention_focus")
        for lever, share in STRATEGIES[name].items()
        if share > 0
    }
    assert set(GAP_LEVERS) == spent
    assert {"advertising", "promotion", "service", "personalization", "complaint_handling"} <= spent
    levers = lever_ranges()
    # a discount has a ceiling only (its depth is the budget per redemption)
    assert set(levers) == {
        f"levers.{lev}_{k}"
        for lev in spent
        for k in (("ceiling",) if lev in DISCOUNT_LEVERS else ("ceiling", "efficiency"))
    }
    assert levers.items() <= DEFAULT_RANGES.items()
    for key, (low, high) in levers.items():
        f = field_of(LeverParams, key.removeprefix("levers."))
        lo, hi, default = f.metadata["low"], f.metadata["high"], f.default
        # half to twice the declared default, cut only where the declared range ends
        assert low == pytest.approx(max(lo, default / LEVER_RANGE_FACTOR))
        assert high == pytest.approx(min(hi, default * LEVER_RANGE_FACTOR))
        assert lo <= low < default < high <= hi
    assert levers["levers.promotion_ceiling"][1] == 1.0  # a discount of at most the whole price
    # every default range is valid on both default presets, at both ends
    problem(DEFAULT_RANGES)
    for name in ("acquisition_focus", "retention_focus"):
        for key, ends in DEFAULT_RANGES.items():
            for value in ends:
                preset(name).with_overrides({key: value})


def test_lever_ranges_refuse_an_unknown_lever_or_a_factor_of_one():
    with pytest.raises(ScenarioError, match="advertizing"):
        lever_ranges(["advertizing"])
    with pytest.raises(ScenarioError, match="factor"):
        lever_ranges(factor=1.0)
    assert lever_ranges(["service"], factor=4.0)["levers.service_ceiling"] == pytest.approx(
        (0.3, 4.8)
    )


def test_a_lever_response_moves_the_retention_firm_npv():
    sc = preset("retention_focus").with_overrides({"customers.n_customers": 200})
    low, high = lever_ranges(["service"])["levers.service_efficiency"]
    runs = compare(
        {
            "low": sc.with_overrides({"levers.service_efficiency": low}),
            "high": sc.with_overrides({"levers.service_efficiency": high}),
        },
        replications=1,
        weeks=10,
        executor="serial",
        progress=False,
    )
    npv = runs[(runs.week == 10) & (runs.firm == "focal")].set_index("scenario")["npv"]
    assert npv["high"] != npv["low"]
