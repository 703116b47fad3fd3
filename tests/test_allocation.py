"""Budget knobs a manager thinks in: a firm's ``acquisition_share`` and one lever's share
(``firms.<name>.allocation.<lever>``), through the API, a TOML file, the CLI and a sweep."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxsim import Market, Scenario, ScenarioError, preset
from cxsim.cli import main
from cxsim.experiments import summarize, sweep, swept_parameters
from cxsim.params import STRATEGIES, scenario_from_dict
from cxsim.params.levers import ACQUISITION_LEVERS, LEVERS, RETENTION_LEVERS
from cxsim.params.strategies import with_acquisition_share, with_lever_shares


def _acq(shares: dict[str, float]) -> float:
    return sum(shares[lv] for lv in ACQUISITION_LEVERS)


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s != "none"])
@pytest.mark.parametrize("share", [0.0, 0.25, 0.6, 1.0])
def test_acquisition_share_sets_the_group_total_and_keeps_proportions(strategy, share):
    sc = Scenario().with_overrides(
        {"firms.focal.strategy": strategy, "firms.focal.acquisition_share": share}
    )
    firm = sc.firms[0]
    split, shares = firm.split(), firm.shares()
    assert math.isclose(sum(shares.values()), 1.0)
    assert math.isclose(_acq(shares), share, abs_tol=1e-12)
    # within each group the strategy's proportions are kept
    for group in (ACQUISITION_LEVERS, [lv for lv in LEVERS if lv not in ACQUISITION_LEVERS]):
        total = sum(split[lv] for lv in group)
        new_total = sum(shares[lv] for lv in group)
        if total > 0 and new_total > 0:
            for lv in group:
                assert math.isclose(shares[lv] / new_total, split[lv] / total, abs_tol=1e-12)


def test_acquisition_share_splits_evenly_where_the_strategy_gives_a_group_nothing():
    shares = with_acquisition_share({"service": 1.0}, 0.4)
    assert shares["advertising"] == shares["promotion"] == pytest.approx(0.2)
    assert shares["service"] == pytest.approx(0.6)
    shares = with_acquisition_share({}, 0.4)  # strategy 'none'
    assert all(shares[lv] == pytest.approx(0.6 / len(RETENTION_LEVERS)) for lv in RETENTION_LEVERS)
    assert shares["efficiency"] == shares["innovation"] == 0.0


def test_restating_the_strategys_own_acquisition_share_changes_nothing():
    """balanced puts 0.30 + 0.10 on acquisition: saying so again gives the same runs."""
    base = Scenario().resized(300)
    same = base.with_overrides({"firms.focal.acquisition_share": 0.4})
    a = Market(base, rng=3).run(20)
    b = Market(same, rng=3).run(20)
    pd.testing.assert_frame_equal(a, b)
    moved = base.with_overrides({"firms.focal.acquisition_share": 0.9})
    c = Market(moved, rng=3).run(20)
    assert not a.equals(c)


def test_one_lever_share_takes_the_rest_from_the_others_in_proportion():
    sc = Scenario().with_overrides({"firms.focal.allocation.service": 0.5})
    firm = sc.firms[0]
    assert firm.strategy == "custom"
    shares = firm.shares()
    assert shares["service"] == pytest.approx(0.5)
    balanced = STRATEGIES["balanced"]
    rest = 1 - balanced["service"]
    for lever, share in balanced.items():
        if lever != "service":
            assert shares[lever] == pytest.approx(share * 0.5 / rest)
    assert sum(shares.values()) == pytest.approx(1.0)
    # the rival is untouched
    assert sc.firms[1].strategy == "balanced"


def test_several_lever_shares_of_one_firm_apply_together():
    sc = Scenario().with_overrides(
        {"firms.focal.allocation.service": 0.3, "firms.focal.allocation.advertising": 0.5}
    )
    shares = sc.firms[0].shares()
    assert shares["service"] == pytest.approx(0.3)
    assert shares["advertising"] == pytest.approx(0.5)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_lever_share_and_acquisition_share_combine():
    sc = Scenario().with_overrides(
        {"firms.focal.allocation.service": 0.5, "firms.focal.acquisition_share": 0.2}
    )
    shares = sc.firms[0].shares()
    assert _acq(shares) == pytest.approx(0.2)
    assert sum(shares.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"firms.focal.allocation.servce": 0.3}, ("servce", "did you mean 'service'")),
        ({"firms.focal.allocation.service": 1.3}, ("service", "1.3", "[0, 1]")),
        ({"firms.focal.allocation.service": "lots"}, ("service", "lots")),
        ({"firms.nobody.allocation.service": 0.3}, ("nobody", "focal, rival")),
        (
            {"firms.focal.allocation.service": 0.7, "firms.focal.allocation.advertising": 0.5},
            ("firms.focal.allocation", "1.2"),
        ),
        ({"firms.focal.acquisition_share": 1.5}, ("acquisition_share", "1.5", "[0, 1]")),
        ({"firms.focal.acquisition_share": "half"}, ("acquisition_share", "half")),
        ({"firms.focal.acquisition_share": True}, ("acquisition_share", "True")),
    ],
)
def test_bad_knobs_are_one_line(overrides, fragments):
    with pytest.raises(ScenarioError) as info:
        Scenario().with_overrides(overrides)
    text = str(info.value)
    assert "\n" not in text
    for fragment in fragments:
        assert fragment in text


def test_lever_share_with_no_lever_left_to_take_the_rest():
    one = Scenario().with_overrides({"firms.focal.allocation": {"service": 1.0}})
    with pytest.raises(ScenarioError, match="no other lever"):
        one.with_overrides({"firms.focal.allocation.service": 0.4})
    # setting the whole budget on other levers is fine
    two = one.with_overrides(
        {"firms.focal.allocation.service": 0.4, "firms.focal.allocation.advertising": 0.6}
    )
    assert two.firms[0].shares()["advertising"] == pytest.approx(0.6)


def test_knobs_round_trip_through_a_table():
    sc = preset("retention_focus").with_overrides(
        {"firms.focal.acquisition_share": 0.35, "firms.rival.allocation.loyalty": 0.2}
    )
    again = scenario_from_dict(sc.to_dict())
    assert again == sc
    assert again.firms[0].acquisition_share == 0.35
    assert again.firms[1].shares()["loyalty"] == pytest.approx(0.2)


def test_with_lever_shares_is_a_pure_function():
    split = {"advertising": 0.5, "service": 0.5}
    out = with_lever_shares(split, {"service": 0.8}, "x")
    assert out == pytest.approx({"advertising": 0.2, "service": 0.8})
    assert split == {"advertising": 0.5, "service": 0.5}


def test_sweep_frame_and_summary_carry_the_swept_knobs():
    df = sweep(
        {"firms.focal.acquisition_share": [0.1, 0.7], "firms.focal.allocation.service": [0.2]},
        Scenario().resized(200),
        replications=2,
        weeks=6,
        executor="serial",
        progress=False,
    )
    params = ["firms.focal.acquisition_share", "firms.focal.allocation.service"]
    assert swept_parameters(df) == params
    summary = summarize(df, weeks=None, metrics=["npv"], firm="focal")
    assert list(summary.columns[:3]) == ["point", *params]
    by_point = summary.groupby("point")[params].nunique()
    assert (by_point == 1).all().all()
    assert sorted(summary["firms.focal.acquisition_share"].unique()) == [0.1, 0.7]
    assert swept_parameters(summarize(df.drop(columns=params + ["point"]), metrics=["npv"])) == []


def test_cli_set_and_grid_take_lever_shares(tmp_path, capsys):
    code = main(
        [
            "run",
            "default",
            "--n-customers",
            "200",
            "--weeks",
            "4",
            "--set",
            "firms.focal.allocation.advertising=0.3",
            "--set",
            "firms.rival.acquisition_share=0.8",
        ]
    )
    assert code == 0
    capsys.readouterr()
    out = tmp_path / "sw"
    code = main(
        [
            "sweep",
            "--n-customers",
            "200",
            "--weeks",
            "6",
            "--grid",
            "firms.focal.acquisition_share=0.1,0.5,0.9",
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "firms.focal.acquisition_share" in capsys.readouterr().out
    table = pd.read_csv(out / "sweep_summary.csv")
    assert "firms.focal.acquisition_share" in table.columns
    assert sorted(table["firms.focal.acquisition_share"].unique()) == [0.1, 0.5, 0.9]
    assert (out / "sweep.png").stat().st_size > 0


def test_cli_design_csv_takes_lever_shares(tmp_path, capsys):
    design = tmp_path / "design.csv"
    design.write_text(
        "firms.focal.allocation.service,firms.focal.acquisition_share\n0.2,0.3\n0.6,0.3\n"
    )
    out = tmp_path / "d"
    code = main(
        [
            "sweep",
            "--n-customers",
            "200",
            "--weeks",
            "4",
            "--design",
            str(design),
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "sweep_summary.csv")
    assert sorted(table["firms.focal.allocation.service"].unique()) == [0.2, 0.6]
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--set", "firms.focal.allocation.servic=0.3"], "servic"),
        (["--set", "firms.focal.acquisition_share=2"], "acquisition_share"),
        (["--grid", "firms.focal.allocation.service=0.2,1.4"], "service"),
    ],
)
def test_cli_bad_knobs_exit_2_nothing_written(argv, needle, tmp_path, capsys):
    out = tmp_path / "o"
    command = "sweep" if argv[0] == "--grid" else "compare"
    code = main([command, "--n-customers", "200", "--weeks", "4", *argv, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
