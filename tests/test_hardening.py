"""Hardening: every break an adversarial review found is a case here.

Bad input (a scenario name that is a path, NUL, 300 characters or TeX; a list for a name; an
infinite outside utility; a 5,000-digit number; an output folder in the way; a resource request
over the limits...) gives exactly one line ``cxsim: error: ...``, exit code 2, no traceback and
nothing written. Output files are written atomically and named by a slug, never by scenario
text; a damaged stored run is detected and run again on ``--resume``; the Python API enforces
the limits the command line does (:mod:`cxsim.params.limits`).
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import cxsim.experiments.run as ex
import cxsim.params.limits as limits
from cxsim import Market, Scenario, ScenarioError, preset
from cxsim.cli import main
from cxsim.experiments import (
    OutputError,
    ResourceError,
    StoreWarning,
    compare,
    make_executor,
    summarize,
    sweep,
    sweep_points,
)
from cxsim.experiments.outputs import atomic_write, slug
from cxsim.experiments.sensitivity import DEFAULT_RANGES, morris, sobol
from cxsim.params import load_scenario, scenario_from_dict, scenario_from_toml

TINY = ["--n-customers", "100", "--weeks", "3", "--no-progress"]
BIG = "9" * 5000
GIB = 1 << 30


@pytest.fixture(autouse=True)
def known_memory(monkeypatch):
    """8 GiB available, whatever the machine: the memory cases do not depend on it (and a
    large machine never starts a 10⁸-customer run here)."""
    monkeypatch.setattr(limits, "available_memory", lambda: 8 * GIB)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Inputs for the table below, in their own folder (the test checks that nothing else
    appears in ``tmp_path``)."""
    d = tmp_path / "inputs"
    d.mkdir()

    def toml(name: str, text: str) -> Path:
        path = d / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    paths = {
        "nul_name": toml("nul_name", 'name = "a\\u0000b"\n'),
        "list_name": toml("list_name", "name = [1, 2]\n"),
        "table_name": toml("table_name", "name = { a = 1 }\n"),
        "tex_name": toml("tex_name", 'name = "$\\\\frac{1}{2}$"\n'),
        "inf_utility": toml("inf_utility", "[market]\noutside_utility = inf\n"),
        "big_int": toml("big_int", f"[customers]\nn_customers = {BIG}\n"),
        "big_float": toml("big_float", f"[market]\ndt = {BIG[:400]}\n"),
        "a_file": d / "a_file",
        "huge_toml": d / "huge.toml",
        "huge_csv": d / "huge.csv",
    }
    paths["a_file"].write_text("x")
    for name in ("huge_toml", "huge_csv"):  # 3 GB, sparse: refused before a byte is read
        with open(paths[name], "wb") as fh:
            fh.truncate(3 * GIB)
    (tmp_path / "runs_is_a_file").mkdir()
    (tmp_path / "runs_is_a_file" / "runs").write_text("not a folder")
    (tmp_path / "manifest_is_a_folder").mkdir()
    (tmp_path / "manifest_is_a_folder" / "manifest.json").mkdir()
    return paths


def _dask_installed() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


DASK = pytest.mark.skipif(not _dask_installed(), reason="needs dask[distributed]")

# (arguments, text the one line must contain). {name}: files[name]; {out}: the output folder;
# {tmp}: the test's folder. "--out {out}" is added to commands that take it unless given.
BAD_INPUT = [
    # 1. a scenario's name never decides where files go; names are validated labels
    (["run", "default", "--set", 'name="../../x"'], "name: '../../x'"),
    (["run", "default", "--set", 'name="/tmp/cxsim_abs"'], "name: '/tmp/cxsim_abs'"),
    (["compare", "--set", 'name="../../x"'], "name:"),
    (["run", "default", "--set", 'name="a/b"'], "'/'"),
    (["run", "{nul_name}"], "'\\x00'"),
    (["run", "default", "--set", f'name="{"x" * 300}"'], "300 characters"),
    (["run", "default", "--set", 'name="$\\\\frac{1}{2}$"'], "'$'"),
    (["compare", "{tex_name}", "retention_focus"], "'$'"),
    # firm names name the firm in overrides and figures: no dots, no markup
    (["run", "default", "--set", 'firms.focal.name="a.b"'], "firms[0].name: 'a.b'"),
    (["run", "default", "--set", 'firms.rival.name="$x$"'], "firms[1].name:"),
    # 4. silently wrong before
    (["run", "default", "--set", "market.outside_utility=inf"], "market.outside_utility"),
    (["run", "{inf_utility}"], "market.outside_utility"),
    (
        ["run", "default", "--set", "customers.n_customers=abc", "--n-customers", "100"],
        "customers.n_customers: 'abc'",
    ),
    (
        ["run", "default", "--set", "n_customers=200", "--n-customers", "100"],
        "given by --set",
    ),
    (["run", "default", "--out", ""], "--out: an empty path"),
    (["compare", "--out", ""], "--out: an empty path"),
    (["run", "default", "--set", "name=5"], "name: 5 is not a string"),
    # 5. one line instead of a traceback
    (["run", "default", "--set", "name=[1, 2]"], "name: [1, 2] is not a string"),
    (["run", "default", "--set", "name={a = 1}"], "is not a string"),
    (["run", "{list_name}"], "name: [1, 2] is not a string"),
    (["run", "{table_name}"], "is not a string"),
    (["run", "default", "--set", f"customers.n_customers={BIG}"], "4300 digits"),
    (["run", "{big_int}"], "4300 digits"),
    (["run", "{big_float}"], "market.dt"),
    (["sweep", "--grid", f"customers.n_customers=100,{BIG}"], "--grid customers.n_customers"),
    (["compare", "--seed", BIG], "--seed"),
    (["compare", "--replications", BIG], "--replications"),
    (["run", "default", "--seed", str(2**64)], "--seed"),
    (["compare", "--out", "{tmp}/runs_is_a_file"], "runs' exists and is not a folder"),
    (
        ["compare", "--out", "{tmp}/manifest_is_a_folder"],
        "manifest.json' exists and is not a file",
    ),
    (["run", "default", "--out", "{a_file}/sub"], "is not a folder"),
    pytest.param(["compare", "--dask", "ucx://127.0.0.1:1"], "--dask", marks=DASK),
    pytest.param(["compare", "--dask", "tls://127.0.0.1:1"], "--dask", marks=DASK),
    (["validate", "--figures", "{a_file}"], "--figures"),
    # 6. resource requests fail fast, with the estimate and the override
    (["compare", "--n-customers", "100000000"], "of memory needed"),
    (["run", "default", "--n-customers", "100000000"], "--force"),
    (["compare", "--replications", "20000"], "replications: 20,000"),
    (["compare", "--workers", "4096"], "workers: 4,096"),
    (["run", "default", "--weeks", "5200", "--set", "market.dt=0.01"], "520,000 steps"),
    (
        [
            "sweep",
            *(
                f"--grid=customers.{p}=" + ",".join(str(i / 1000) for i in range(1, 101))
                for p in (
                    "wom_negative_reach",
                    "wom_positive_reach",
                    "social_influence",
                )
            ),
        ],
        "grid points: 1,000,000",
    ),
    (["sensitivity", "--method", "sobol", "--samples", str(1 << 20)], "design:"),
    (
        ["sensitivity", "--trajectories", "100000"],
        f"design: {100_000 * (len(DEFAULT_RANGES) + 1):,}",  # a Morris trajectory: k + 1 runs
    ),
    (["run", "{huge_toml}"], "over the limit of 1.0 MiB"),
    (["sweep", "--design", "{huge_csv}"], "over the limit of 64.0 MiB"),
    # 7. binding
    (["app", "--host", ""], "every network interface"),
    (["app", "--host", "0.0.0.0"], "--allow-remote"),
    (["app", "--host", "192.168.1.7"], "'192.168.1.7' is not a loopback address"),
    (["app", "--host", "evil host"], "is not a host name"),
]


def _ids(case) -> str:
    argv = case.values[0] if hasattr(case, "values") else case[0]
    return " ".join(a if len(a) < 30 else a[:27] + "..." for a in argv) or "(none)"


@pytest.mark.parametrize(("argv", "needle"), BAD_INPUT, ids=[_ids(c) for c in BAD_INPUT])
def test_bad_input_one_line_exit_2_nothing_written(
    argv, needle, files, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    names = {k: str(v) for k, v in files.items()} | {"out": str(out), "tmp": str(tmp_path)}
    argv = [re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(0)), a) for a in argv]
    if argv[0] in ("compare", "sweep", "sensitivity", "run") and not any(
        a.startswith("--out") for a in argv
    ):
        argv = [*argv, "--out", str(out)]
    before = _tree(tmp_path)
    started = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cxsim: error: "), lines[0]
    assert needle in lines[0], lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()
    assert _tree(tmp_path) == before  # nothing written anywhere, no temporary file left
    assert not Path("/tmp/cxsim_abs_seed0.parquet").exists()
    if "--dask" not in argv:
        assert elapsed < 5, f"took {elapsed:.1f} s to refuse"


def test_at_least_40_bad_input_cases():
    assert len(BAD_INPUT) >= 40


def _tree(root: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(p.relative_to(root)), p.stat().st_size if p.is_file() else -1) for p in root.rglob("*")
    )


# --------------------------------------------------------------------------------------------
# 1. file names come from a slug, inside --out; the name is kept as data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("retention_focus", "retention_focus"),
        ("../../x", "x"),
        ("/etc/passwd", "etc_passwd"),
        ("..", "scenario"),
        ("", "scenario"),
        ("a\x00b", "a_b"),
        ("café (v2)", "cafe_v2"),
        ("$\\frac{1}{2}$", "frac_1_2"),
        ("x" * 300, "x" * 64),
    ],
)
def test_slug_is_a_safe_file_name_part(text, expected):
    assert slug(text) == expected
    assert "/" not in slug(text) and slug(text) not in (".", "..")


def test_run_writes_a_slug_inside_out_and_keeps_the_name(tmp_path, capsys):
    out = tmp_path / "out"
    name = "My run (v2), 50% off"
    code = main(["run", "default", *TINY, "--set", f'name="{name}"', "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    (path,) = out.iterdir()
    assert path.name == "My_run_v2_50_off_seed0.parquet"
    frame = pd.read_parquet(path)
    assert frame.columns[0] == "scenario" and {"firm", "week", "npv"} <= set(frame.columns)
    assert set(frame["scenario"]) == {name}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../x", "'/'"),
        ("/abs", "'/'"),
        ("a\x00b", "'\\x00'"),
        ("x" * 65, "65 characters"),
        ("$x$", "'$'"),
        ("a\\b", "'\\\\'"),
        ("tab\there", "'\\t'"),
        ("", "empty"),
        (" padded", "space"),
        ([1], "is not a string"),
        ({"a": 1}, "is not a string"),
        (5, "is not a string"),
        (None, "is not a string"),
    ],
)
def test_scenario_names_are_validated_everywhere(name, message):
    for make in (
        lambda: Scenario(name=name),
        lambda: Scenario().with_overrides({"name": name}),
        lambda: scenario_from_dict({"name": name}),
    ):
        with pytest.raises(ScenarioError, match="name") as info:
            make()
        assert message in str(info.value) and "\n" not in str(info.value)


def test_valid_names_keep_their_text():
    for name in ("retention_focus", "clv(m=1, r=0.9)", "café 1", "A & B #2", "x" * 64):
        assert Scenario(name=name).name == name


# --------------------------------------------------------------------------------------------
# 2. atomic writes; damaged stored runs are run again
# --------------------------------------------------------------------------------------------


def test_a_write_that_fails_midway_leaves_nothing(tmp_path):
    target = tmp_path / "table.csv"

    def half_then_die(tmp: str) -> None:
        Path(tmp).write_text("half a ta")
        raise KeyboardInterrupt  # killed while writing

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_then_die)
    assert list(tmp_path.iterdir()) == []

    target.write_text("old")
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write(target, lambda tmp: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_run_out_killed_while_writing_leaves_no_truncated_parquet(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    real = pd.DataFrame.to_parquet

    def truncated(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        with open(path, "r+b") as fh:  # a writer stopped half-way...
            fh.truncate(os.path.getsize(path) // 2)
        raise KeyboardInterrupt  # ...by a signal

    monkeypatch.setattr(pd.DataFrame, "to_parquet", truncated)
    assert main(["run", "default", *TINY, "--out", str(out)]) == 130
    capsys.readouterr()
    assert not list(out.glob("*.parquet")) and not list(out.glob(".*"))


def test_disk_full_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("cxsim.experiments.outputs.os.fsync", full)
    out = tmp_path / "out"
    code = main(["run", "default", *TINY, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    (line,) = captured.err.splitlines()
    assert line.startswith("cxsim: error: cannot write") and "No space left on device" in line
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []  # the folder made for the file is gone too

    code = main(["compare", *TINY, "--replications", "1", "--serial", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and len(captured.err.splitlines()) == 1
    assert "No space left on device" in captured.err
    assert not [p for p in out.rglob("*") if p.is_file()]  # no run, no temporary file


def _immutable(folder: Path):
    """Make ``folder`` unwritable even for root (chattr +i), else by permissions."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if shutil.which("chattr") is None:
        pytest.skip("root without chattr: cannot make a folder read-only")
    proc = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"chattr +i not supported here: {proc.stderr.decode().strip()}")
    return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_read_only_out_is_one_line(command, tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    undo = _immutable(out)
    try:
        argv = [command, *(["default"] if command == "run" else []), *TINY, "--out", str(out)]
        code = main(argv)
    finally:
        undo()
    captured = capsys.readouterr()
    assert code == 2
    (line,) = captured.err.splitlines()
    assert line.startswith("cxsim: error: --out:") and "not writable" in line
    assert list(out.iterdir()) == []


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A finished compare with its run store."""
    out = tmp_path_factory.mktemp("stored") / "out"
    pair = [
        preset(n).with_overrides({"customers.n_customers": 100})
        for n in ("balanced", "retention_focus")
    ]
    kw = dict(replications=2, seed=4, weeks=3, executor="serial", progress=False)
    frame = compare(pair, out=out, **kw)
    return out, pair, kw, frame


@pytest.mark.parametrize(
    "damage", ["truncate", "empty", "flip a byte", "truncate, no record", "garbage, no record"]
)
def test_damaged_stored_run_is_detected_and_run_again(damage, stored, tmp_path, monkeypatch):
    source, pair, kw, expected = stored
    out = tmp_path / "out"
    shutil.copytree(source, out)
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    data = victim.read_bytes()
    if damage.startswith("truncate"):
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        victim.write_bytes(b"")
    elif damage == "flip a byte":
        middle = len(data) // 2
        victim.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    else:
        victim.write_bytes(b"PAR1" + b"\0" * 100)
    if "no record" in damage:  # killed between the Parquet file and its record
        victim.with_suffix(".json").unlink()
    manifest = json.loads((source / "manifest.json").read_text())
    entry = next(e for e in manifest["runs"] if e["key"] == victim.stem)
    assert entry["bytes"] == len(data) and len(entry["sha256"]) == 64

    calls = []
    real = ex.run_one
    monkeypatch.setattr(ex, "run_one", lambda *a: calls.append(a) or real(*a))
    with pytest.warns(StoreWarning, match="1 stored run"):
        again = compare(pair, out=out, resume=True, **kw)
    assert len(calls) == 1  # only the damaged run
    pd.testing.assert_frame_equal(again, expected)
    assert victim.read_bytes() == data  # the same numbers, the same file


def test_resume_over_an_empty_stored_run_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["compare", *TINY, "--replications", "1", "--serial", "--out", str(out)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    victim = sorted((out / "runs").glob("*.parquet"))[0]
    victim.write_bytes(b"")
    assert main([*argv, "--resume"]) == 0
    captured = capsys.readouterr()
    assert captured.out == first
    (line,) = captured.err.splitlines()
    assert line.startswith("cxsim: warning: 1 stored run(s)") and "run again" in line


# --------------------------------------------------------------------------------------------
# 5. one line from the Python API too
# --------------------------------------------------------------------------------------------

TINY_SC = Scenario().with_overrides({"customers.n_customers": 50})


def _frame():
    return compare([TINY_SC], replications=2, weeks=2, executor="serial", progress=False)


API_BAD = [
    (lambda: Market(rng=-1), ScenarioError, "rng: -1"),
    (lambda: Market(rng=1.5), ScenarioError, "rng: 1.5"),
    (lambda: Market(rng="seed"), ScenarioError, "rng: 'seed'"),
    (lambda: Market(rng=True), ScenarioError, "rng: True"),
    (lambda: summarize(_frame(), level=2), ValueError, "level: 2"),
    (lambda: summarize(_frame(), level=0), ValueError, "level: 0"),
    (lambda: summarize(_frame(), level=math.nan), ValueError, "level: nan"),
    (lambda: Scenario().with_overrides({"market.outside_utility": math.inf}), ScenarioError, "inf"),
    (lambda: Scenario().with_overrides({"market.dt": 10**400}), ScenarioError, "too large"),
    (
        lambda: Scenario().with_overrides({"customers.n_customers": 10**5000}),
        ScenarioError,
        "range",
    ),
    (lambda: scenario_from_toml(f"[market]\nweeks = {BIG}", name="x"), ScenarioError, "4300"),
    (lambda: compare([TINY_SC], weeks=10**6, executor="serial"), ScenarioError, "weeks"),
    (lambda: sweep({"market.weeks": [1]}, TINY_SC, weeks=5201), ScenarioError, "weeks"),
    (lambda: compare([TINY_SC], replications=20_000), ResourceError, "replications: 20,000"),
    (lambda: compare([TINY_SC], replications=10**5000), ResourceError, "replications: about"),
    (
        lambda: compare([TINY_SC.with_overrides({"customers.n_customers": 10**8})]),
        ResourceError,
        "of memory needed",
    ),
    (
        lambda: compare([TINY_SC.with_overrides({"market.dt": 0.01, "market.weeks": 5200})]),
        ResourceError,
        "520,000 steps in one run",
    ),
    (
        lambda: sweep(
            {f"customers.{p}": [0.1] * 100 for p in ("habit", "trust_gain", "trust_loss")}
        ),
        ResourceError,
        "grid points: 1,000,000",
    ),
    (lambda: sweep_points([{}] * 100_001), ResourceError, "design: 100,001"),
    (lambda: make_executor(None, workers=4096), ResourceError, "workers: 4,096"),
    (lambda: sobol("npv", samples=1 << 20), ResourceError, "design:"),
    (
        lambda: morris("npv", trajectories=10**6),
        ResourceError,
        f"design: {10**6 * (len(DEFAULT_RANGES) + 1):,}",
    ),
    (lambda: compare([TINY_SC], out=Path(__file__)), ScenarioError, "is not a folder"),
]


@pytest.mark.parametrize(("call", "error", "needle"), API_BAD)
def test_python_api_fails_in_one_line(call, error, needle):
    started = time.perf_counter()
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert needle in message and "\n" not in message, message
    assert time.perf_counter() - started < 5


def test_the_file_size_limit_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as fh:
        fh.truncate(3 * GIB)
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="over the limit of 1.0 MiB"):
        load_scenario(path)
    assert time.perf_counter() - started < 0.5


def test_sensitivity_without_paired_replications_is_one_line(tmp_path, capsys, monkeypatch):
    """Every run of one scenario fails: after all the runs, no output can be paired. One line,
    exit 1 (runs failed), no traceback."""
    real = ex.run_one

    def fail_retention(scenario, seed, weeks=None, rules=None):
        if scenario.name == "retention_focus":
            raise RuntimeError("simulated crash")
        return real(scenario, seed, weeks, rules)

    monkeypatch.setattr(ex, "run_one", fail_retention)
    argv = ["sensitivity", *TINY, "--trajectories", "2", "--serial"]
    argv += ["--param", "customers.churn_base=0.001,0.01"]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1
    errors = [line for line in captured.err.splitlines() if line.startswith("cxsim: error:")]
    assert len(errors) == 1 and "output is missing" in errors[0], captured.err
    assert "no paired replications" in errors[0] or "not in the frame" in errors[0]
    assert "Traceback" not in captured.err


# --------------------------------------------------------------------------------------------
# 6. resource estimates: fast, named, overridable
# --------------------------------------------------------------------------------------------


def test_memory_estimate_refuses_in_well_under_a_second(capsys):
    started = time.perf_counter()
    code = main(["compare", "--n-customers", "100000000", "--out", "never"])
    elapsed = time.perf_counter() - started
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2 and elapsed < 1.0, elapsed
    assert "of memory needed" in line and "8.0 GiB available" in line
    assert "100,000,000 customers" in line and "--force" in line
    assert not Path("never").exists()


def test_force_overrides_the_estimate_not_validation():
    est = limits.estimate(
        [(TINY_SC.with_overrides({"customers.n_customers": 10**8}), None, 2)], workers=2
    )
    with pytest.raises(ResourceError):
        est.check()
    est.check(force=True)
    ex_, close = make_executor(None, workers=64, force=True)
    close()
    assert len(sweep_points([{}] * 100_001, force=True)) == 100_001
    with pytest.raises(ScenarioError, match="whole number"):
        make_executor(None, workers=1.5, force=True)
    with pytest.raises(ScenarioError, match="market.outside_utility"):
        compare(
            [TINY_SC.with_overrides({"market.outside_utility": math.inf})],
            force=True,
            executor="serial",
        )


def test_estimate_grows_with_customers_firms_workers_and_steps():
    base = limits.estimate([(TINY_SC, None, 1)], workers=0)
    bigger = limits.estimate(
        [(TINY_SC.with_overrides({"customers.n_customers": 5000}), None, 1)], workers=0
    )
    four = Scenario(
        firms=[{"name": f"f{i}", "initial_customers": 0.2} for i in range(4)]
    ).with_overrides({"customers.n_customers": 50})
    firms = limits.estimate([(four, None, 1)], workers=0)
    pool = limits.estimate([(TINY_SC, None, 10)], workers=2)
    longer = limits.estimate([(TINY_SC, 5200, 1)], workers=0)
    assert bigger.memory > base.memory and firms.memory > base.memory
    assert pool.memory > base.memory and pool.runs == 10 and pool.workers == 2
    assert longer.steps == 5200 > base.steps == 260
    assert base.available == 8 * GIB


def test_cli_and_api_limits_come_from_one_module():
    from cxsim.cli import parser
    from cxsim.experiments import designs, resources

    assert resources.MAX_REPLICATIONS is limits.MAX_REPLICATIONS
    assert designs.MAX_POINTS is limits.MAX_POINTS
    assert "4096" not in Path(parser.__file__).read_text()  # no cap of its own any more
    assert limits.max_workers() >= 2


def test_workers_up_to_the_cores_are_accepted(capsys):
    n = limits.max_workers()
    assert main(["compare", *TINY, "--replications", "1", "--workers", str(n)]) == 0
    capsys.readouterr()


# --------------------------------------------------------------------------------------------
# 7. binding
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["", "0.0.0.0", "::", "10.1.2.3"])
def test_a_remote_host_needs_allow_remote_and_warns(host, capsys, monkeypatch):
    import importlib.machinery
    import types

    fake = types.ModuleType("cxsim.viz.app")
    fake.__spec__ = importlib.machinery.ModuleSpec("cxsim.viz.app", None)
    seen = []
    fake.serve = lambda host, port: seen.append(host) or 0
    monkeypatch.setitem(sys.modules, "cxsim.viz.app", fake)
    assert main(["app", "--host", host]) == 2 and seen == []
    capsys.readouterr()
    assert main(["app", "--host", host, "--allow-remote"]) == 0 and seen == [host]
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("cxsim: warning: serving the dashboard on") and repr(host) in line
    for loopback in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert main(["app", "--host", loopback]) == 0
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------------------------
# subprocess: no traceback on the real command line either
# --------------------------------------------------------------------------------------------


def test_subprocess_bad_name_and_no_file_outside_out(tmp_path):
    target = tmp_path / "escaped"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cxsim",
            "run",
            "default",
            "--n-customers",
            "50",
            "--weeks",
            "1",
            "--set",
            f'name="{target}"',
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("cxsim: error: name:")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
