"""The command line: bad input gives one line and exit code 2 with nothing written; happy paths
at tiny sizes print the tables and write the files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxsim.cli import main
from cxsim.cli.main import _parse_value
from cxsim.params import preset_dir

TINY = ["--set", "customers.n_customers=200", "--weeks", "10"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('name = "bad"\n[market\nweeks = 3\n')
    bad_value = tmp_path / "bad_value.toml"
    bad_value.write_text("[customers]\nwom_negative_reach = 1.5\n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[customers]\nn_customerz = 5\n")
    shares = tmp_path / "shares.toml"
    shares.write_text(
        '[[firms]]\nname = "focal"\nstrategy = "custom"\n'
        "allocation = { advertising = 0.5, service = 0.2 }\n"
    )
    not_utf8 = tmp_path / "latin1.toml"
    not_utf8.write_bytes(b'name = "caf\xe9"\n')
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    design = tmp_path / "design.csv"
    design.write_text("customers.wom_negative_reach\n3.0\n")
    return {
        "bad_toml": bad_toml,
        "bad_value": bad_value,
        "unknown": unknown,
        "shares": shares,
        "not_utf8": not_utf8,
        "a_file": a_file,
        "design": design,
    }


# (arguments, text the one-line message must contain). {name} is replaced by files[name].
BAD_INPUT = [
    (["compare", "no_such_file.toml"], "no_such_file.toml"),
    (["compare", "no_such_preset"], "no_such_preset"),
    (["compare", "{bad_toml}"], "not valid TOML"),
    (["compare", "{bad_value}"], "customers.wom_negative_reach"),
    (["compare", "{unknown}"], "n_customerz"),
    (["compare", "{shares}"], "allocation"),
    (["compare", "{not_utf8}"], "UTF-8"),
    (["compare", "--weeks", "-3"], "--weeks"),
    (["compare", "--weeks", "0"], "--weeks"),
    (["compare", "--weeks", "ten"], "--weeks"),
    (["compare", "--weeks", "999999"], "--weeks"),
    (["compare", "--replications", "0"], "--replications"),
    (["compare", "--replications", "2.5"], "--replications"),
    (["compare", "--seed", "-1"], "--seed"),
    (["compare", "--n-customers", "1"], "--n-customers"),
    (["compare", "--set", "customers.n_customers=abc"], "customers.n_customers"),
    (["compare", "--set", "customers.n_customers=1"], "customers.n_customers"),
    (["compare", "--set", "customers.n_customerz=500"], "n_customerz"),
    (["compare", "--set", "custmers.n_customers=500"], "custmers"),
    (["compare", "--set", "no_equals_sign"], "no_equals_sign"),
    (["compare", "--set", "customers.wom_negative_reach="], "customers.wom_negative_reach"),
    (["compare", "--set", "customers.wom_negative_reach=2"], "customers.wom_negative_reach"),
    (["compare", "--set", "network.network=ring"], "ring"),
    (["compare", "--set", "firms.nobody.budget=1"], "nobody"),
    (["compare", "--set", "firms.focal.strategy=magic"], "magic"),
    (["compare", "--set", "market.discount_rate=true"], "market.discount_rate"),
    (["compare", "--firm", "nobody"], "nobody"),
    (["compare", "--resume"], "--resume"),
    (["compare", "--dask", "not-an-address"], "--dask"),
    (["compare", "--serial", "--dask", "tcp://127.0.0.1:8786"], "--serial"),
    (["compare", "--bogus-option"], "--bogus-option"),
    (["compare", "--out", "{a_file}"], "a_file"),
    (["compare", "retention_focus", "retention_focus"], "retention_focus"),
    (["run"], "SCENARIO"),
    (["run", "default", "--weeks", "-1"], "--weeks"),
    (["run", "default", "--set", "market.dt=0"], "market.dt"),
    (["sweep"], "--grid"),
    (["sweep", "--grid", "customers.wom_negative_reach=0.1,7"], "customers.wom_negative_reach"),
    (["sweep", "--grid", "not_a_param=1,2"], "not_a_param"),
    (["sweep", "--grid", "customers.wom_negative_reach=[0.1,"], "customers.wom_negative_reach"),
    (["sweep", "--design", "missing.csv"], "missing.csv"),
    (["sweep", "--design", "{design}"], "customers.wom_negative_reach"),
    (["sweep", "--grid", "customers.churn_base=0.1", "--metric", "npvv"], "npvv"),
    (["sensitivity", "--param", "customers.churn_base=0.5,0.1"], "customers.churn_base"),
    (["sensitivity", "--param", "customers.churn_base=0.1"], "customers.churn_base"),
    (["sensitivity", "--param", "customers.nope=0.1,0.2"], "nope"),
    (["sensitivity", "--param", "customers.churn_base=0.1,5"], "customers.churn_base"),
    (["sensitivity", "--method", "fast"], "fast"),
    (["sensitivity", "--method", "sobol", "--samples", "10"], "--samples"),
    (["sensitivity", "--metric", "profitt"], "profitt"),
    (["sensitivity", "default", "balanced", "retention_focus"], "two scenarios"),
    (["app", "--port", "0"], "--port"),
    (["app", "--port", "http"], "--port"),
    (["nonsense"], "nonsense"),
    ([], "command"),
]


@pytest.mark.parametrize(
    ("argv", "needle"), BAD_INPUT, ids=[" ".join(a) or "(none)" for a, _ in BAD_INPUT]
)
def test_bad_input_one_line_exit_2_nothing_written(
    argv, needle, files, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in argv]
    needle = needle.format(**{k: str(v) for k, v in files.items()})
    if (
        argv
        and argv[0] in ("compare", "sweep", "sensitivity", "run")
        and "--out" not in argv
        and "--resume" not in argv
    ):
        argv = [*argv, "--out", str(out)]
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cxsim: error: ")
    assert needle in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_at_least_25_bad_input_cases():
    assert len(BAD_INPUT) >= 25


def test_set_values_parse_as_toml_else_string():
    assert _parse_value("0.3") == 0.3
    assert _parse_value("5000") == 5000
    assert _parse_value("true") is True
    assert _parse_value('"quoted"') == "quoted"
    assert _parse_value("[1, 2]") == [1, 2]
    assert _parse_value("complete") == "complete"
    assert _parse_value("1\nx = 2") == "1\nx = 2"


def test_subprocess_error_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cxsim", "compare", "--weeks", "-3", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "cxsim: error: argument --weeks: -3 is not allowed; must be between 1 and 5200"
    ]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity", "validate", "app"])
def test_every_command_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cxsim {command}")


def test_top_level_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "compare", "sweep", "sensitivity", "validate", "app"):
        assert command in out


# --------------------------------------------------------------------------------------------
# happy paths, tiny
# --------------------------------------------------------------------------------------------


def test_run_prints_outcomes_and_writes_parquet(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "retention_focus", *TINY, "--seed", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "retention_focus" in text and "npv" in text
    frame = pd.read_parquet(out / "retention_focus_seed3.parquet")
    assert frame["week"].max() == 10 and set(frame["firm"]) == {"focal", "rival"}


def test_compare_headline_table_and_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(preset_dir()).parent.parent)  # the default scenario paths
    out = tmp_path / "results"
    code = main(["compare", *TINY, "--replications", "3", "--serial", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    for metric in ("customers", "churn_rate", "cac", "clv", "npv", "nps"):
        assert metric in text
    assert "acquisition_focus" in text and "retention_focus − acquisition_focus" in text
    assert "[" in text  # intervals
    assert (out / "headline.png").stat().st_size > 10_000
    summary = pd.read_csv(out / "summary.csv")
    assert {"scenario", "firm", "week", "metric", "mean", "ci_low", "ci_high", "diff_mean"} <= set(
        summary.columns
    )
    assert set(summary["week"]) == {10.0}
    assert len(list((out / "runs").glob("*.parquet"))) == 6
    assert (out / "manifest.json").is_file()

    # --resume reuses every run and prints the same table
    assert (
        main(["compare", *TINY, "--replications", "3", "--serial", "--out", str(out), "--resume"])
        == 0
    )
    assert capsys.readouterr().out == text


def test_sweep_grid(tmp_path, capsys):
    out = tmp_path / "sw"
    code = main(
        [
            "sweep",
            *TINY,
            "--grid",
            "customers.wom_negative_reach=0.1,0.4",
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "customers.wom_negative_reach" in text and "npv" in text
    assert (out / "sweep_summary.csv").is_file()
    assert len(list((out / "runs").glob("*.parquet"))) == 2


def test_sensitivity_morris_tiny(tmp_path, capsys):
    out = tmp_path / "sens"
    code = main(
        [
            "sensitivity",
            "retention_focus",
            "acquisition_focus",
            *TINY,
            "--param",
            "customers.churn_base=0.001,0.05",
            "--param",
            "levers.innovation_ceiling=0,1",
            "--trajectories",
            "2",
            "--serial",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "mu_star" in text and "customers.churn_base" in text
    assert (out / "sensitivity.csv").is_file() and (out / "sensitivity.png").is_file()


def test_validate_forwards_arguments(monkeypatch):
    import cxsim.validation as validation

    seen = []
    monkeypatch.setattr(validation, "main", lambda argv: seen.append(argv) or 0)
    assert main(["validate", "--", "--list", "bass-*"]) == 0
    assert main(["validate", "--quiet"]) == 0
    assert seen == [["--list", "bass-*"], ["--quiet"]]


def test_app_calls_serve_lazily(monkeypatch):
    """The dashboard module is imported only by ``cxsim app`` (a stand-in here: the real one
    pulls in Solara)."""
    import importlib.machinery
    import types

    fake = types.ModuleType("cxsim.viz.app")
    fake.__spec__ = importlib.machinery.ModuleSpec("cxsim.viz.app", None)
    seen = []
    fake.serve = lambda host, port: seen.append((host, port)) or 0
    monkeypatch.setitem(sys.modules, "cxsim.viz.app", fake)
    assert main(["app", "--port", "9999"]) == 0
    assert main(["app", "--host", "0.0.0.0"]) == 0
    assert seen == [("127.0.0.1", 9999), ("0.0.0.0", 8765)]
