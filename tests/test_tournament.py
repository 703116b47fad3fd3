"""The round-robin tournament: strategy files, the leaderboard and its intervals, head to head,
common random numbers, and ``cxsim tournament DIR`` (one-line errors naming the file, exit 2,
nothing written)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim import FirmSpec
from cxsim.cli import classroom as cli_classroom
from cxsim.cli.main import main
from cxsim.experiments import replication_seeds, tournament
from cxsim.experiments import tournament as tournament_module  # the function
from cxsim.experiments.tournament import (
    DEFAULT_CUSTOMERS,
    DEFAULT_REPLICATIONS,
    DEFAULT_WEEKS,
    LEADERBOARD_COLUMNS,
    load_strategies,
    load_strategy,
)
from cxsim.params import ScenarioError

SMALL = {"n_customers": 300, "weeks": 13, "replications": 3, "executor": "serial"}
CLI_SMALL = ["--n-customers", "300", "--weeks", "13", "--replications", "3", "--serial"]

# every entrant spends the market's own budget (at the tournament's size: the default market's
# 10,400 a year scaled to its customers), so the matches compare splits at equal spend
RETENTION = """\
# a team that keeps its customers
description = "keep them happy"
[allocation]
service = 0.4
personalization = 0.3
complaint_handling = 0.2
advertising = 0.1
"""
ACQUISITION = 'strategy = "acquisition_focus"\n'
BALANCED = 'strategy = "balanced"\n'


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three")
    for name, text in {"ana.toml": RETENTION, "ben.toml": ACQUISITION, "cy.toml": BALANCED}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder, tournament(folder, **SMALL)


def test_three_files_give_three_ranked_rows(three):
    folder, result = three
    board = result.leaderboard
    assert list(board.columns) == list(LEADERBOARD_COLUMNS)
    assert sorted(board["strategy"]) == ["ana", "ben", "cy"]
    assert board["rank"].tolist() == [1, 2, 3]
    assert board["value"].is_monotonic_decreasing
    assert (board["low"] <= board["value"]).all() and (board["value"] <= board["high"]).all()
    assert board["wins"].sum() == 3  # three pairings, no tie
    assert board.iloc[0]["wins"] == 2


def test_every_pair_meets_in_both_seats_on_the_same_seeds(three):
    _, result = three
    scores = result.scores
    assert set(scores["match"]) == {
        f"{a} vs {b}" for a in ("ana", "ben", "cy") for b in ("ana", "ben", "cy") if a != b
    }
    seeds = replication_seeds(0, 3)
    for _, match in scores.groupby("match"):
        assert sorted(set(match["seed"])) == sorted(seeds)  # common random numbers
        assert sorted(match["seat"].unique()) == [0, 1]
    # a strategy's value: its mean NPV plus terminal customer equity over its matches
    np.testing.assert_allclose(scores["value"], scores["npv"] + scores["customer_equity"])
    means = scores.groupby("strategy")["value"].mean()
    board = result.leaderboard.set_index("strategy")
    np.testing.assert_allclose(board.loc[means.index, "value"], means)


def test_head_to_head_is_antisymmetric_and_gives_the_wins(three):
    _, result = three
    head = result.head_to_head
    values = head.to_numpy()
    assert np.isnan(np.diag(values)).all()
    off = ~np.eye(len(head), dtype=bool)
    np.testing.assert_allclose(values[off], -values.T[off])
    wins = (head.fillna(0) > 0).sum(axis=1)
    board = result.leaderboard.set_index("strategy")
    assert wins.to_dict() == board["wins"].to_dict()


def test_identical_strategies_tie_within_their_interval(tmp_path):
    folder = _folder(
        tmp_path, {"twin_a.toml": BALANCED, "twin_b.toml": BALANCED, "other.toml": RETENTION}
    )
    board = tournament(folder, **SMALL).leaderboard.set_index("strategy")
    a, b = board.loc["twin_a"], board.loc["twin_b"]
    assert a["value"] == pytest.approx(b["value"], rel=1e-12)
    assert a["low"] <= b["value"] <= a["high"] and b["low"] <= a["value"] <= b["high"]
    assert a["rank"] == b["rank"]
    result = tournament(folder, **SMALL)
    assert result.head_to_head.loc["twin_a", "twin_b"] == pytest.approx(0.0, abs=1e-9)


def test_a_mapping_of_tables_and_firmspecs_works_too():
    result = tournament(
        {
            "keep": {"allocation": {"service": 0.6, "personalization": 0.4}},
            "preset": FirmSpec(strategy="retention_focus"),
        },
        **SMALL,
    )
    assert sorted(result.leaderboard["strategy"]) == ["keep", "preset"]
    assert result.settings["n_customers"] == 300 and result.settings["weeks"] == 13


def test_the_function_is_exported_and_the_command_line_defaults_match():
    assert tournament is tournament_module
    assert (DEFAULT_CUSTOMERS, DEFAULT_WEEKS, DEFAULT_REPLICATIONS) == (1_000, 156, 5)
    assert (
        cli_classroom.DEFAULT_CUSTOMERS,
        cli_classroom.DEFAULT_WEEKS,
        cli_classroom.DEFAULT_REPLICATIONS,
    ) == (DEFAULT_CUSTOMERS, DEFAULT_WEEKS, DEFAULT_REPLICATIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[allocation\nservice = 1\n", "bob.toml: is not valid TOML"),
        ("[allocation]\nservce = 1.0\n", "bob.toml: allocation.servce: unknown lever"),
        ("[allocation]\nservice = 0.5\nadvertising = 0.4\n", "bob.toml: allocation: shares sum"),
        ("[allocation]\nservice = 1.5\n", "bob.toml: allocation.service: 1.5 must be a share"),
        ('strategy = "winning"\n', "bob.toml: strategy:"),
        ('strategy = "balanced"\nbudget = "lots"\n', "bob.toml: budget:"),
        ('strategy = "balanced"\ncolour = "red"\n', "bob.toml: unknown key 'colour'"),
        ("budget = 10400\n", "bob.toml: needs an [allocation] table"),
        ("allocation = 3\n", "bob.toml: allocation: 3 is not a table"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path, text, expected):
    folder = _folder(tmp_path, {"ana.toml": RETENTION, "bob.toml": text})
    with pytest.raises(ScenarioError, match="^" + expected.split(":")[0]) as info:
        load_strategies(folder)
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_loading_checks_the_folder_and_a_file(tmp_path):
    with pytest.raises(ScenarioError, match="not a folder"):
        load_strategies(tmp_path / "missing")
    folder = _folder(tmp_path, {"ana.toml": "budget = 10400\n" + RETENTION})
    with pytest.raises(ScenarioError, match="at least two strategy files"):
        load_strategies(folder)
    entry = load_strategy(folder / "ana.toml")
    assert entry["strategy"] == "custom" and entry["budget"] == 10400
    assert "description" not in entry
    (folder / "bad.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="^bad.toml: is not UTF-8"):
        load_strategy(folder / "bad.toml")


def test_cxsim_tournament_prints_and_writes_the_leaderboard(tmp_path, capsys):
    folder = _folder(
        tmp_path, {"ana.toml": RETENTION, "ben.toml": ACQUISITION, "cy.toml": BALANCED}
    )
    out = tmp_path / "board"
    assert main(["tournament", str(folder), *CLI_SMALL, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rank" in text and "Head to head" in text
    for name in ("ana", "ben", "cy"):
        assert name in text
    board = pd.read_csv(out / "leaderboard.csv")
    assert list(board.columns) == list(LEADERBOARD_COLUMNS)
    assert board["rank"].tolist() == [1, 2, 3]
    assert (out / "leaderboard.png").stat().st_size > 5_000


def test_cxsim_tournament_writes_beside_the_files_by_default(tmp_path, capsys):
    folder = _folder(tmp_path, {"ana.toml": RETENTION, "ben.toml": ACQUISITION})
    assert main(["tournament", str(folder), *CLI_SMALL]) == 0
    assert (folder / "leaderboard.csv").is_file() and (folder / "leaderboard.png").is_file()


def test_cxsim_tournament_with_a_malformed_file_is_one_line_exit_2_nothing_written(
    tmp_path, capsys
):
    folder = _folder(
        tmp_path,
        {"ana.toml": RETENTION, "ben.toml": ACQUISITION, "bob.toml": "[allocation\nx = 1\n"},
    )
    out = tmp_path / "board"
    assert main(["tournament", str(folder), *CLI_SMALL, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: bob.toml: ")
    assert "Traceback" not in captured.err and not captured.out
    assert not out.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["ana.toml", "ben.toml", "bob.toml"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--market", "no_such_market"], "preset: 'no_such_market' is not one of"),
        (["--replications", "0"], "--replications"),
        (["--weeks", "-3"], "--weeks"),
    ],
)
def test_cxsim_tournament_bad_options_are_one_line(tmp_path, capsys, args, expected):
    folder = _folder(tmp_path, {"ana.toml": RETENTION, "ben.toml": ACQUISITION})
    assert main(["tournament", str(folder), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]
    assert sorted(p.name for p in folder.iterdir()) == ["ana.toml", "ben.toml"]
