"""When every run of an experiment fails, there is nothing to return: the Python API raises
:class:`~cxsim.experiments.RunsFailedError` with a one-line message, and the command line prints
that line as ``cxsim: error: ...`` and exits with code 1. When only some runs fail, the others are
returned with a :class:`~cxsim.experiments.RunFailedWarning`, as before.
"""

from __future__ import annotations

import json
import warnings

import pytest

import cxsim.experiments.run as ex
from cxsim.cli import main
from cxsim.experiments import RunFailedWarning, RunsFailedError, compare, replicate, sweep

PAIR = ["acquisition_focus", "retention_focus"]
CRASH = "simulated crash in the model"


@pytest.fixture
def crashing(monkeypatch):
    """Every run raises (runs go through ``run_one``; tests use the serial executor)."""

    def boom(*args, **kwargs):
        raise RuntimeError(CRASH)

    monkeypatch.setattr(ex, "run_one", boom)


EXPERIMENTS = {
    "compare": (lambda **kw: compare(PAIR, replications=2, **kw), 4),
    "replicate": (lambda **kw: replicate("retention_focus", replications=3, **kw), 3),
    "sweep": (
        lambda **kw: sweep({"customers.wom_negative_reach": [0.1, 0.3]}, "retention_focus", **kw),
        2,
    ),
}


@pytest.mark.parametrize("run, n", EXPERIMENTS.values(), ids=EXPERIMENTS.keys())
def test_every_run_failing_raises_one_line(run, n, crashing):
    with pytest.raises(RunsFailedError) as info:
        run(weeks=2, executor="serial", progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"all {n} runs failed")
    assert f"RuntimeError: {CRASH}" in message
    assert isinstance(info.value, RuntimeError)


def test_every_run_failing_still_writes_the_manifest(tmp_path, crashing):
    out = tmp_path / "out"
    with pytest.raises(RunsFailedError, match="all 4 runs failed.*manifest.json"):
        compare(PAIR, replications=2, weeks=2, executor="serial", out=out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_error"] == 4 and manifest["n_ok"] == 0


def test_some_runs_failing_still_warns(monkeypatch):
    real = ex.run_one

    def flaky(scenario, seed, *args, **kwargs):
        if scenario.name == "retention_focus":
            raise RuntimeError(CRASH)
        return real(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(ex, "run_one", flaky)
    with pytest.warns(RunFailedWarning, match=f"2 of 4 runs failed.*{CRASH}"):
        df = compare(PAIR, replications=2, weeks=2, executor="serial", progress=False)
    assert set(df["scenario"].astype(str)) == {"acquisition_focus"}


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "--replications", "2"],
        ["sweep", "retention_focus", "--grid", "customers.wom_negative_reach=0.1,0.3"],
    ],
    ids=["compare", "sweep"],
)
def test_cli_every_run_failing_is_one_error_line_and_exit_1(argv, tmp_path, capsys, crashing):
    out = tmp_path / "out"
    argv = [*argv, "--weeks", "2", "--n-customers", "100", "--serial", "--no-progress"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing else is printed as a warning either
        code = main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cxsim: error: all ")
    assert CRASH in lines[0] and "Traceback" not in captured.err
    assert (out / "manifest.json").is_file()
