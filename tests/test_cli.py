"""The command line: bad input gives one line and exit code 2 with nothing written; happy paths
at tiny sizes print the tables and write the files."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxsim.cli import main
from cxsim.cli.tables import HEADLINE_METRICS, metric_notes
from cxsim.cli.values import parse_value
from cxsim.core.metrics import METRIC_INFO
from cxsim.params import preset_dir

TINY = ["--set", "customers.n_customers=200", "--weeks", "10"]
SYMMETRIC = "update_trust=cxsim.core.theories:symmetric_trust"
CLI_DIR = Path(__file__).resolve().parents[1] / "cxsim" / "cli"


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
    # --rule: parsed, imported and its signature checked before anything runs
    (["run", "default", "--rule", "update_trust"], "'update_trust' is not NAME=MODULE:ATTR"),
    (["compare", "--rule", "=cxsim.core.theories:symmetric_trust"], "--rule"),
    (["compare", "--rule", "update_trust="], "rules.update_trust:"),
    (["compare", "--rule", "updat_trust=cxsim.core.theories:symmetric_trust"], "'updat_trust'"),
    (["compare", "--rule", "update_trust=no_such_module_xyz:f"], "rules.update_trust:"),
    (["run", "default", "--rule", "update_trust=cxsim.core.theories:nope"], "rules.update_trust:"),
    (["run", "default", "--rule", "update_trust=math:sqrt"], "rules.update_trust:"),
    (
        ["sweep", "--grid", "customers.churn_base=0.001", "--rule", "update_trust=math:sqrt"],
        "rules.update_trust:",
    ),
    (["sensitivity", "--rule", "update_trust=math:sqrt"], "rules.update_trust:"),
    (
        ["compare", "--rule", SYMMETRIC, "--rule", "update_trust=math:sqrt"],
        "rules.update_trust:",
    ),
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
    assert parse_value("0.3") == 0.3
    assert parse_value("5000") == 5000
    assert parse_value("true") is True
    assert parse_value('"quoted"') == "quoted"
    assert parse_value("[1, 2]") == [1, 2]
    assert parse_value("complete") == "complete"
    assert parse_value("1\nx = 2") == "1\nx = 2"


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


@pytest.mark.parametrize(
    "command", ["run", "compare", "sweep", "sensitivity", "explain", "optimize", "validate", "app"]
)
def test_every_command_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: cxsim {command}")


def test_top_level_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in (
        "run",
        "compare",
        "sweep",
        "sensitivity",
        "explain",
        "optimize",
        "validate",
        "app",
    ):
        assert command in out


# --------------------------------------------------------------------------------------------
# happy paths, tiny
# --------------------------------------------------------------------------------------------


NOTES_HEADING = "What the metrics mean:"


def printed_notes(text: str) -> dict[str, str]:
    """The notes under a table: metric name → its note, wrapped lines joined."""
    notes: dict[str, str] = {}
    name = None
    for line in text.split(NOTES_HEADING, 1)[1].splitlines()[1:]:
        if not line.startswith("  "):
            break
        if line[2] != " ":  # a new metric: "  name  note"
            name, note = line.split(maxsplit=1)
            notes[name] = note
        else:  # a wrapped line of the previous note
            notes[name] += " " + line.strip()
    return notes


def assert_notes_match(shown: list[str], text: str) -> None:
    """One note per metric shown, in the table's order, each the registry's own text."""
    notes = printed_notes(text)
    assert list(notes) == shown
    for name, note in notes.items():
        m = METRIC_INFO[name]
        assert m.note, f"{name} is shown in a table but has no plain-language note"
        assert note == f"{m.note}; unit: {m.unit}"


def test_run_prints_outcomes_and_writes_parquet(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "retention_focus", *TINY, "--seed", "3", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "retention_focus" in text and "npv" in text
    header = next(line for line in text.splitlines() if line.split()[:2] == ["firm", "year"])
    shown = header.split()[2:]
    assert shown == list(HEADLINE_METRICS)
    assert_notes_match(shown, text)
    frame = pd.read_parquet(out / "retention_focus_seed3.parquet")
    assert frame["week"].max() == 10 and set(frame["firm"]) == {"focal", "rival"}


def test_compare_headline_table_and_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(preset_dir()).parent.parent)  # the default scenario paths
    out = tmp_path / "results"
    code = main(["compare", *TINY, "--replications", "3", "--serial", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    table = text.split(NOTES_HEADING)[0].splitlines()
    rule = next(i for i, line in enumerate(table) if line.startswith("---"))
    shown = list(dict.fromkeys(line.split()[0] for line in table[rule + 1 :] if line.strip()))
    assert shown == list(HEADLINE_METRICS)
    for metric in ("active", "alive", "purchase_share", "churn_rate", "cac", "clv", "npv", "nps"):
        assert metric in shown
    assert_notes_match(shown, text)
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


def test_metric_notes_fall_back_to_the_meaning_and_wrap():
    assert not METRIC_INFO["revenue"].note  # short and plain already: its meaning serves
    text = metric_notes(["revenue", "nps"], width=60)
    notes = printed_notes(text)
    assert list(notes) == ["revenue", "nps"]
    assert notes["revenue"] == f"{METRIC_INFO['revenue'].meaning}; unit: currency per week"
    assert notes["nps"] == f"{METRIC_INFO['nps'].note}; unit: {METRIC_INFO['nps'].unit}"
    assert max(len(line) for line in text.splitlines()) <= 60


def test_sensitivity_help_lists_the_default_ranges_levers_included(capsys):
    from cxsim.experiments.sensitivity import DEFAULT_RANGES

    assert main(["sensitivity", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for key, (low, high) in DEFAULT_RANGES.items():
        assert f"{key}={low:g},{high:g}" in text
    assert "levers.service_efficiency" in text and "×0.5 to ×2" in text


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
    assert main(["app", "--host", "0.0.0.0", "--allow-remote"]) == 0  # not loopback: opt in
    assert seen == [("127.0.0.1", 9999), ("0.0.0.0", 8765)]


# --------------------------------------------------------------------------------------------
# --rule: swapping a behavioural rule for another theory
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity"])
def test_rule_option_in_help_with_an_example(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--rule NAME=MODULE:ATTR" in out
    assert "cxsim.core.theories:symmetric_trust" in out


def _table(text: str) -> list[str]:
    """The printed table of ``cxsim run`` (the lines after the header line)."""
    return text.splitlines()[1:]


def test_run_with_a_swapped_rule_changes_the_outcomes(capsys):
    # the default market's own size: at 200 customers its yearly budgets are ten times the
    # spend per customer, and both theories' tables agreed to the digits shown after 10 weeks
    small = ["run", "default", "--weeks", "10", "--no-progress"]
    assert main(small) == 0
    default = capsys.readouterr().out
    assert main([*small, "--rule", SYMMETRIC]) == 0
    swapped = capsys.readouterr().out
    assert SYMMETRIC in swapped.splitlines()[0]  # the header names the theory
    assert _table(swapped) != _table(default)
    assert main([*small, "--rule", SYMMETRIC]) == 0  # and is reproducible
    assert capsys.readouterr().out == swapped


def test_compare_with_a_swapped_rule_on_the_default_process_pool(tmp_path, capsys):
    small = ["compare", "--n-customers", "200", "--weeks", "10", "--replications", "2"]
    small += ["--no-progress"]
    out = tmp_path / "pool"
    code = main([*small, "--rule", SYMMETRIC, "--out", str(out)])  # no --serial: processes
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "rules: " + SYMMETRIC in captured.out
    assert (out / "summary.csv").is_file() and len(list((out / "runs").glob("*.parquet"))) == 4
    pooled = pd.read_csv(out / "summary.csv")

    assert main([*small, "--rule", SYMMETRIC, "--serial", "--out", str(tmp_path / "ser")]) == 0
    assert main([*small, "--serial", "--out", str(tmp_path / "default")]) == 0
    capsys.readouterr()
    serial = pd.read_csv(tmp_path / "ser" / "summary.csv")
    default = pd.read_csv(tmp_path / "default" / "summary.csv")
    pd.testing.assert_frame_equal(pooled, serial)  # same numbers whichever executor
    assert not pooled["mean"].equals(default["mean"])  # and not those of the default theory


def test_bad_rule_names_the_rule_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "default", "--rule", "update_trust=math:sqrt", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("cxsim: error: rules.update_trust: math:sqrt")
    assert "cannot replace update_trust" in line
    assert not out.exists()


def test_rule_workers_cannot_import_is_bad_input_unless_serial(tmp_path, capsys, monkeypatch):
    (tmp_path / "probe_theories.py").write_text(
        "from cxsim.core.theories import symmetric_trust\n"
        "lam = lambda trust, disconf, *, tolerance, gain, loss: symmetric_trust(\n"
        "    trust, disconf, tolerance=tolerance, gain=gain, loss=loss)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "out"
    argv = ["compare", "--rule", "update_trust=probe_theories:lam", *TINY, "--replications", "1"]
    assert main([*argv, "--no-progress", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cxsim: error: rules.update_trust: ") and "worker" in line
    assert not out.exists()
    assert main([*argv, "--serial", "--no-progress"]) == 0


# --------------------------------------------------------------------------------------------
# the package's shape
# --------------------------------------------------------------------------------------------


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(path: Path) -> list[str]:
    """Underscore names that ``path`` takes from cxsim modules (its own are fine)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.level or (node.module or "").split(".")[0] == "cxsim"
        ):
            parts = (node.module or "").split(".")
            found += [f"from {node.module} import" for p in parts if _is_private(p)]
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"from {node.module} import {alias.name}")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] != "cxsim":
                    continue
                found += [f"import {alias.name}" for p in alias.name.split(".") if _is_private(p)]
                modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return [f"{path.name}:{use}" for use in found]


def test_cli_uses_no_private_names_of_other_modules():
    paths = sorted(CLI_DIR.glob("*.py"))
    assert len(paths) >= 6  # the command line is a package of small modules
    assert [p.name for p in paths if len(p.read_text().splitlines()) > 400] == []
    assert [use for p in paths for use in _private_uses(p)] == []


def test_private_name_check_catches_them(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from cxsim.experiments.executors import _mp_context\n"
        "from cxsim.experiments import sensitivity as sa\n"
        "import cxsim.viz._hidden\n"
        "sa._prepare(None, None)\n"
        "from os import _exit\n"
    )
    assert _private_uses(probe) == [
        "probe.py:from cxsim.experiments.executors import _mp_context",
        "probe.py:import cxsim.viz._hidden",
        "probe.py:sa._prepare",
    ]


def test_python_dash_m_runs_the_command_line(tmp_path):
    for module in ("cxsim", "cxsim.cli"):
        proc = subprocess.run(
            [sys.executable, "-m", module, "run", "--help"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("usage: cxsim run")


def test_n_customers_is_the_same_market_resized():
    import argparse

    from cxsim.cli import inputs
    from cxsim.params import preset

    args = argparse.Namespace(sets=None, weeks=None, n_customers=500)
    (sc,) = inputs.scenarios(["retention_focus"], args, ()).values()
    assert sc == preset("retention_focus").resized(500)
    assert sc.firms[0].budget == preset("retention_focus").firms[0].budget / 4
    # --set keeps budgets as they are: the same firms in a smaller market
    args = argparse.Namespace(sets=["customers.n_customers=500"], weeks=None, n_customers=None)
    (kept,) = inputs.scenarios(["retention_focus"], args, ()).values()
    assert kept.customers.n_customers == 500
    assert kept.firms[0].budget == preset("retention_focus").firms[0].budget
