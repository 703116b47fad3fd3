"""How much to move: the allocation search, its re-evaluation on fresh seeds, marginal values,
iterated best response, resuming, and bad input.

Sizes are small (300-400 customers, 26-52 weeks). Stochastic checks use fixed seeds, and their
tolerances come from the replications actually run (t intervals over the fresh seeds), as the
results themselves report them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxsim import Scenario, ScenarioError
from cxsim.cli import main
from cxsim.experiments import equilibrium, horizon_value, optimize
from cxsim.experiments.optimize import _bump, best_toml, simplex_shares
from cxsim.experiments.seeds import replication_seeds
from cxsim.params import load_scenario
from cxsim.validation.behaviours import mechanism_market

SMALL = dict(replications=3, confirm=6, weeks=40, progress=False, executor="serial")


def small_market(n: int = 400, **overrides) -> Scenario:
    return Scenario().resized(n).with_overrides(overrides)


# -- pieces -----------------------------------------------------------------------------------


def test_simplex_shares_sum_to_one_and_cover_the_simplex():
    shares = simplex_shares({"a": 0.2, "b": 0.5, "c": 1.0})
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["c"] == 0.0  # a weight of 1 gives nothing
    assert shares["a"] > shares["b"]
    with pytest.raises(ValueError, match="no lever"):
        simplex_shares({"a": 1.0, "b": 1.0})
    # uniform weights → uniform on the simplex: each share's mean is 1/k (k = 3); the
    # standard error of a mean of 20,000 Beta(1, 2) draws is 0.236/sqrt(20,000) = 0.0017
    rng = np.random.default_rng(0)
    draws = [simplex_shares(dict(zip("abc", rng.random(3), strict=True))) for _ in range(20_000)]
    means = pd.DataFrame(draws).mean()
    assert np.all(np.abs(means - 1 / 3) < 4 * 0.236 / math.sqrt(20_000))


def test_horizon_value_discounts_the_terminal_equity():
    frame = pd.DataFrame(
        {
            "week": [51.0, 52.0, 52.0],
            "firm": ["a", "a", "b"],
            "npv": [90.0, 100.0, 7.0],
            "customer_equity": [500.0, 550.0, float("nan")],
        }
    )
    assert horizon_value(frame, 0.10, "a") == pytest.approx(100.0 + 550.0 / 1.1)
    assert horizon_value(frame, 0.10, "b") == pytest.approx(7.0)  # no estimate: equity 0
    with pytest.raises(ValueError, match="several firms"):
        horizon_value(frame, 0.10)


def test_bump_adds_money_to_one_lever_and_keeps_the_others_spend():
    sc = small_market()
    more = _bump(sc, "focal", "service", 1000.0)
    before, after = sc.firms[0], more.firms[0]
    assert after.budget == pytest.approx(before.budget + 1000.0)
    for lever, share in before.shares().items():
        extra = 1000.0 if lever == "service" else 0.0
        assert after.shares()[lever] * after.budget == pytest.approx(share * before.budget + extra)


# -- the search ---------------------------------------------------------------------------------


def test_a_lever_with_no_effect_gets_almost_nothing():
    # frequent buyers and their budget (the mechanism market), where advertising and service
    # are clearly worth something in 40 weeks of 400 customers
    sc = mechanism_market(small_market(**{"levers.personalization_ceiling": 0.0}))
    result = optimize(
        sc,
        "focal",
        space="levers",
        levers=["advertising", "service", "personalization"],
        trials=16,
        marginal_step=0.0,
        presets=False,
        **SMALL,
    )
    best = result.best_allocation
    assert best["personalization"] < 0.05
    assert best["personalization"] < min(best["advertising"], best["service"])
    assert sum(best.values()) == pytest.approx(1.0)
    assert set(result.trials["trial"]) == set(range(16))


def test_marginal_value_of_a_lever_with_no_effect_is_its_discounted_cost():
    """Advertising with a zero ceiling changes nothing but the spend (acquisition spend does
    not enter CLV), so on common seeds the extra money's value is exactly minus its discounted
    cost: between −1 and −(1.1)^(−weeks/52) per currency unit, with no noise at all."""
    sc = small_market(**{"levers.advertising_ceiling": 0.0})
    result = optimize(sc, "focal", trials=4, presets=False, **SMALL)
    row = result.marginal.set_index("lever").loc["advertising"]
    assert -1.0 <= row["marginal"] <= -(1.1 ** (-40 / 52))
    assert row["high"] - row["low"] < 1e-6


def test_one_number_search_agrees_with_a_grid():
    """The acquisition share found is not worse than the best of an 11-point grid run on the
    same fresh seeds: the paired difference's 95% t interval (6 seeds, 5 df) reaches 0."""
    from cxsim.experiments.optimize import _with, run_value

    sc = small_market()
    result = optimize(sc, "focal", trials=12, marginal_step=0.0, presets=False, **SMALL)
    fresh = result.settings["fresh_seeds"]
    assert len(fresh) == 6
    assert not set(fresh) & set(result.settings["search_seeds"])
    grid = {}
    for share in np.linspace(0.0, 1.0, 11):
        cand = _with(sc, "focal", {"firms.focal.acquisition_share": float(share)})
        grid[share] = np.array([run_value(cand, s, 40, None, "focal") for s in fresh])
    best_share = max(grid, key=lambda k: grid[k].mean())
    best_found = result.confirmed.set_index("candidate").loc[result.settings["best_candidate"]]
    diff = (
        np.array([run_value(result.scenario, s, 40, None, "focal") for s in fresh], dtype=float)
        - grid[best_share]
    )
    assert best_found["mean"] == pytest.approx(
        np.mean([run_value(result.scenario, s, 40, None, "focal") for s in fresh])
    )
    from scipy import stats

    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    assert diff.mean() + half >= 0.0


def test_gains_are_paired_and_the_best_is_confirmed_on_fresh_seeds():
    result = optimize(small_market(), "focal", trials=6, marginal_step=0.0, **SMALL)
    conf = result.confirmed.set_index("candidate")
    assert {"as given", "preset acquisition_focus", "preset retention_focus"} <= set(conf.index)
    best = conf.loc[result.settings["best_candidate"]]
    assert result.best_value == pytest.approx(best["mean"])
    assert best["gain"] == 0.0
    for name, row in conf.iterrows():
        assert row["gain"] == pytest.approx(best["mean"] - row["mean"])
        if name != result.settings["best_candidate"]:
            assert row["gain_low"] <= row["gain"] <= row["gain_high"]
    # the best is the best re-evaluated *trial*
    trials = [c for c in conf.index if c.startswith("trial ")]
    assert conf.loc[trials, "mean"].max() == pytest.approx(result.best_value)


def test_same_seed_same_search_on_any_executor():
    kwargs = dict(trials=6, replications=2, confirm=3, weeks=20, progress=False)
    a = optimize(small_market(300), "focal", executor="serial", **kwargs)
    b = optimize(small_market(300), "focal", executor=None, workers=2, **kwargs)
    pd.testing.assert_frame_equal(a.trials, b.trials)
    pd.testing.assert_frame_equal(a.confirmed, b.confirmed)
    assert a.best_allocation == b.best_allocation
    import warnings

    from distributed import LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            c = optimize(small_market(300), "focal", executor=cluster.scheduler_address, **kwargs)
    pd.testing.assert_frame_equal(a.trials, c.trials)
    pd.testing.assert_frame_equal(a.marginal, c.marginal)


def test_resume_replays_the_search_without_running_again(tmp_path, monkeypatch):
    import sys

    module = sys.modules["cxsim.experiments.optimize"]  # the name is the function

    kwargs = dict(trials=6, replications=2, confirm=3, weeks=20, progress=False)
    first = optimize(small_market(300), "focal", executor="serial", out=tmp_path, **kwargs)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert len(runs) == len(runs["key"].unique()) > 0
    # drop the last half: a search killed half-way
    runs.head(len(runs) // 2).to_csv(tmp_path / "runs.csv", index=False)
    calls = []
    real = module.run_value

    def counted(*args):
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(module, "run_value", counted)
    again = optimize(
        small_market(300), "focal", executor="serial", out=tmp_path, resume=True, **kwargs
    )
    assert 0 < len(calls) <= len(runs) - len(runs) // 2
    pd.testing.assert_frame_equal(first.trials, again.trials)
    assert first.best_value == again.best_value
    calls.clear()
    optimize(small_market(300), "focal", executor="serial", out=tmp_path, resume=True, **kwargs)
    assert calls == []


def test_best_toml_is_a_scenario(tmp_path):
    result = optimize(
        small_market(300),
        "focal",
        trials=3,
        confirm=2,
        replications=1,
        weeks=10,
        progress=False,
        executor="serial",
        marginal_step=0.0,
    )
    path = tmp_path / "best.toml"
    path.write_text(best_toml(result))
    again = load_scenario(path)
    assert again.firms[0].shares() == pytest.approx(result.best_allocation)


def test_searching_the_budget_too():
    result = optimize(
        small_market(300),
        "focal",
        budget=(500.0, 5000.0),
        trials=4,
        replications=1,
        confirm=2,
        weeks=10,
        progress=False,
        executor="serial",
        marginal_step=0.0,
        presets=False,
    )
    assert 500.0 <= result.best_budget <= 5000.0
    assert result.trials["budget"].between(500.0, 5000.0).all()


# -- rivals that respond --------------------------------------------------------------------


def test_equilibrium_on_a_symmetric_market_is_symmetric():
    """Both firms start balanced (acquisition share 0.4) in a symmetric market where no lever
    has any effect (every ceiling 0): the runs then differ only in what is spent, so the value
    is a deterministic function of the split (acquisition spend costs its money; retention
    spend costs its money *and* lowers the margin behind customer equity) and rises with the
    acquisition share. Both firms must move to the same share near 1."""
    from cxsim.params import LEVERS

    dead = {f"levers.{lv}_ceiling": 0.0 for lv in LEVERS}
    dead["levers.consistency_ceiling"] = 0.0
    result = equilibrium(small_market(300, **dead), trials=8, rounds=3, tolerance=0.05, **SMALL)
    final = result.allocations[result.allocations["round"] == result.rounds].set_index("firm")
    start = result.allocations[result.allocations["round"] == 0].set_index("firm")
    shares = final["acquisition_share"]
    assert shares["focal"] == pytest.approx(shares["rival"], abs=1e-12)
    assert (shares > 0.8).all() and (start["acquisition_share"] == 0.4).all()
    assert result.converged
    assert len(result.steps) == 2 * result.rounds
    assert set(result.values["firm"]) == {"focal", "rival"}


def test_equilibrium_allocations_are_best_responses_within_the_noise():
    """In the default market (small), neither firm does significantly better, on fresh seeds,
    by copying the other's final allocation: the paired difference's 95% t interval (6 seeds,
    5 df) reaches 0 or favours its own."""
    from scipy import stats

    from cxsim.experiments.optimize import _with, run_value

    opts = dict(SMALL, weeks=26)
    result = equilibrium(small_market(300), trials=6, rounds=2, tolerance=0.05, **opts)
    final = result.scenario
    fresh = replication_seeds(0, 3 + 6)[3:]
    share = {
        f.name: sum(f.shares()[lv] for lv in ("advertising", "promotion")) for f in final.firms
    }
    for me, other in (("focal", "rival"), ("rival", "focal")):
        mine = np.array([run_value(final, s, 26, None, me) for s in fresh])
        copied = _with(final, me, {f"firms.{me}.acquisition_share": share[other]})
        theirs = np.array([run_value(copied, s, 26, None, me) for s in fresh])
        d = mine - theirs
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
        assert d.mean() + half >= 0.0, (me, d.mean(), half)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"bounds": (0.6, 0.2)}, ("bounds", "0.6")),
        ({"bounds": (0.0, 1.5)}, ("bounds", "1.5")),
        ({"bounds": "low"}, ("bounds",)),
        ({"space": "levers", "levers": ["advertising", "servce"]}, ("servce", "'service'")),
        ({"space": "levers", "levers": ["advertising"]}, ("levers", "two")),
        ({"levers": ["advertising", "service"]}, ("levers", "space='levers'")),
        ({"space": "lever"}, ("space", "'levers'")),
        ({"trials": 0}, ("trials", "0")),
        ({"confirm": 1}, ("confirm", "1")),
        ({"budget": (0.0, 10.0)}, ("budget",)),
        ({"marginal_step": 2.0}, ("marginal_step", "2.0")),
    ],
)
def test_bad_options_are_one_line(kwargs, fragments):
    with pytest.raises(ScenarioError) as info:
        optimize(small_market(300), "focal", progress=False, executor="serial", **kwargs)
    text = str(info.value)
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text


def test_unknown_firm():
    with pytest.raises(ScenarioError, match="nobody.*focal, rival"):
        optimize(small_market(300), "nobody", progress=False, executor="serial")
    with pytest.raises(ScenarioError, match="nobody"):
        equilibrium(small_market(300), ["focal", "nobody"], progress=False, executor="serial")
    with pytest.raises(ScenarioError, match="trial"):
        equilibrium(small_market(300), progress=False, executor="serial", trails=3)


# -- command line -----------------------------------------------------------------------------

TINY = ["--n-customers", "300", "--weeks", "12", "--serial"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--bounds", "0.8,0.2"], "bounds"),
        (["--bounds", "zero,one"], "--bounds"),
        (["--space", "levers", "--levers", "advertising,servic"], "servic"),
        (["--firm", "nobody"], "nobody"),
        (["--trials", "0"], "trials"),
        (["--replications", "0"], "replications"),
        (["--equilibrium", "--tolerance", "0"], "--tolerance"),
        (["--equilibrium", "--rounds", "0"], "rounds"),
        (["--space", "everything"], "--space"),
        (["no_such_preset"], "no_such_preset"),
    ],
)
def test_cli_bad_input_one_line_exit_2_nothing_written(argv, needle, tmp_path, capsys):
    out = tmp_path / "o"
    code = main(["optimize", *TINY, *argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists()


def test_cli_optimize_writes_its_files(tmp_path, capsys):
    out = tmp_path / "o"
    code = main(
        [
            "optimize",
            *TINY,
            "--trials",
            "4",
            "--replications",
            "2",
            "--confirm",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "Best allocation" in text and "Gain over the alternatives" in text
    for name in (
        "best.toml",
        "trials.csv",
        "confirmed.csv",
        "marginal.csv",
        "frontier.png",
        "report.md",
        "runs.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    assert len(pd.read_csv(out / "trials.csv")) == 4
    load_scenario(out / "best.toml")


def test_cli_equilibrium_writes_its_files(tmp_path, capsys):
    out = tmp_path / "e"
    code = main(
        [
            "optimize",
            *TINY,
            "--equilibrium",
            "--rounds",
            "1",
            "--trials",
            "3",
            "--replications",
            "1",
            "--confirm",
            "2",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "best response" in capsys.readouterr().out
    for name in (
        "allocations.csv",
        "values.csv",
        "equilibrium.toml",
        "best_responses.png",
        "report.md",
    ):
        assert (out / name).stat().st_size > 0, name


def test_search_and_fresh_seeds_come_from_one_sequence():
    result = optimize(
        small_market(300),
        "focal",
        trials=2,
        replications=2,
        confirm=3,
        weeks=8,
        progress=False,
        executor="serial",
        marginal_step=0.0,
        presets=False,
        seed=11,
    )
    seeds = replication_seeds(11, 5)
    assert result.settings["search_seeds"] == seeds[:2]
    assert result.settings["fresh_seeds"] == seeds[2:]
