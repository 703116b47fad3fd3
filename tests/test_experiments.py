"""Experiments: common random numbers, executors, the fault-tolerant run store, summaries.

Every run here is tiny (a few hundred customers, a few weeks): these tests check the machinery,
not the model's behaviour.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxsim.experiments.run as ex
import cxsim.experiments.store as store
from cxsim import Market, ScenarioError, preset
from cxsim.core.metrics import METRICS
from cxsim.core.rules import STAGES
from cxsim.experiments import (
    ID_COLUMNS,
    RunFailedWarning,
    compare,
    replicate,
    replication_seeds,
    resolve_scenario,
    summarize,
    sweep,
    sweep_points,
)
from cxsim.params import preset_dir

N = 200
WEEKS = 8


def tiny(name: str, n: int = N):
    return preset(name).with_overrides({"customers.n_customers": n})


@pytest.fixture(scope="module")
def pair():
    return [tiny("acquisition_focus"), tiny("retention_focus")]


@pytest.fixture(scope="module")
def serial_frame(pair):
    return compare(pair, replications=3, seed=7, weeks=WEEKS, executor="serial", progress=False)


# --------------------------------------------------------------------------------------------
# seeds and common random numbers
# --------------------------------------------------------------------------------------------


def test_replication_seeds_come_from_seedsequence_spawn():
    seeds = replication_seeds(123, 5)
    expected = [
        int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(123).spawn(5)
    ]
    assert seeds == expected
    assert replication_seeds(123, 2) == seeds[:2]  # child i does not depend on the count
    assert len(set(seeds)) == 5
    assert replication_seeds(124, 5) != seeds
    with pytest.raises(ScenarioError):
        replication_seeds(-1, 3)
    with pytest.raises(ScenarioError):
        replication_seeds(0, 0)


def test_frame_layout(serial_frame, pair):
    df = serial_frame
    assert list(df.columns[:5]) == list(ID_COLUMNS)
    assert set(METRICS) <= set(df.columns)
    assert list(df["scenario"].cat.categories) == [s.name for s in pair]
    # scenario × replication × firm × week
    assert len(df) == 2 * 3 * 2 * (WEEKS + 1)
    assert df.groupby(["scenario", "replication", "firm"], observed=True).size().eq(WEEKS + 1).all()


def test_common_random_numbers(serial_frame, pair):
    df = serial_frame
    seeds = replication_seeds(7, 3)
    by = df.groupby(["scenario", "replication"], observed=True)["seed"].unique()
    for (_, rep), s in by.items():
        assert list(s) == [seeds[rep]]  # replication i has the same seed in every scenario
    start = df[df["week"] == 0].set_index(["replication", "firm", "scenario"])[list(STAGES)]
    a, b = (start.xs(s.name, level="scenario") for s in pair)
    pd.testing.assert_frame_equal(a, b)  # same starting ladder in both scenarios
    # ... because the customers and the network are the same draws
    ma = Market(pair[0], rng=seeds[1], customer_agents=False)
    mb = Market(pair[1], rng=seeds[1], customer_agents=False)
    np.testing.assert_array_equal(ma.customers.need, mb.customers.need)
    np.testing.assert_array_equal(ma.network.indices, mb.network.indices)
    np.testing.assert_array_equal(ma.customers.stage, mb.customers.stage)
    # and different replications are different markets
    mc = Market(pair[0], rng=seeds[2], customer_agents=False)
    assert not np.array_equal(ma.customers.need, mc.customers.need)


def test_replicate_is_compare_with_one_scenario(serial_frame, pair):
    one = replicate(pair[1], replications=2, seed=7, weeks=WEEKS, executor="serial", progress=False)
    ref = serial_frame[
        (serial_frame["scenario"] == pair[1].name) & (serial_frame["replication"] < 2)
    ].reset_index(drop=True)
    ref["scenario"] = ref["scenario"].cat.remove_unused_categories()
    pd.testing.assert_frame_equal(one, ref)


def test_results_identical_on_every_executor(serial_frame, pair):
    from distributed import Client, LocalCluster

    kw = dict(replications=3, seed=7, weeks=WEEKS, progress=False)
    pool = compare(pair, **kw)  # default: local process pool
    pd.testing.assert_frame_equal(pool, serial_frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            by_address = compare(pair, executor=cluster.scheduler_address, **kw)
            with Client(cluster) as client:
                by_client = compare(pair, executor=client.get_executor(), **kw)
    pd.testing.assert_frame_equal(by_address, serial_frame)
    pd.testing.assert_frame_equal(by_client, serial_frame)


# --------------------------------------------------------------------------------------------
# scenarios and designs
# --------------------------------------------------------------------------------------------


def test_resolve_scenario_accepts_objects_paths_and_presets(tmp_path):
    s = preset("retention_focus")
    assert resolve_scenario(s) is s
    assert resolve_scenario("retention_focus") == s
    assert resolve_scenario(preset_dir() / "retention_focus.toml") == s
    with pytest.raises(ScenarioError, match="does not exist"):
        resolve_scenario(tmp_path / "missing.toml")
    with pytest.raises(ScenarioError, match="not one of"):
        resolve_scenario("no_such_preset")
    with pytest.raises(ScenarioError, match="distinct names"):
        compare([s, s], replications=1, executor="serial", progress=False)


def test_compare_accepts_labels(pair):
    df = compare(
        {"A": pair[0], "B": pair[0]}, replications=1, weeks=2, executor="serial", progress=False
    )
    assert list(df["scenario"].cat.categories) == ["A", "B"]
    a, b = (df[df.scenario == k].drop(columns="scenario").reset_index(drop=True) for k in "AB")
    pd.testing.assert_frame_equal(a, b)


def test_sweep_points_forms():
    grid = sweep_points({"a.x": [1, 2], "b.y": [0.1, 0.2, 0.3]})
    assert len(grid) == 6 and grid[1] == {"a.x": 1, "b.y": 0.2}
    assert sweep_points([{"k": 1}, {"k": 2}]) == [{"k": 1}, {"k": 2}]
    x = np.array([[0.1, 5.0], [0.2, 6.0]])
    assert sweep_points((x, ["p", "q"])) == [{"p": 0.1, "q": 5.0}, {"p": 0.2, "q": 6.0}]
    assert sweep_points(x, names=["p", "q"]) == sweep_points((x, ["p", "q"]))
    assert sweep_points(pd.DataFrame({"p": [0.1]})) == [{"p": 0.1}]
    with pytest.raises(ScenarioError):
        sweep_points(x)
    with pytest.raises(ScenarioError):
        sweep_points({"a": 3})
    with pytest.raises(ScenarioError):
        sweep_points([1, 2])


def test_sweep_runs_points_on_common_random_numbers(pair):
    x = np.array([[0.1, 150.4], [0.4, 149.6]])  # SALib-like floats; n_customers is rounded
    df = sweep(
        (x, ["customers.wom_negative_reach", "customers.n_customers"]),
        pair,
        replications=2,
        weeks=3,
        executor="serial",
        progress=False,
    )
    assert list(df.columns[:3]) == [
        "point",
        "customers.wom_negative_reach",
        "customers.n_customers",
    ]
    assert sorted(df["point"].unique()) == [0, 1]
    assert set(df["customers.n_customers"]) == {150}
    start = df[(df.week == 0) & (df.firm == "focal")]
    assert set(start["prospect"] + start["repeat"]) == {150}
    seeds = df.groupby(["point", "scenario", "replication"], observed=True)["seed"].first()
    assert seeds.unstack("replication").nunique().eq(1).all()  # same seed for every point
    with pytest.raises(ScenarioError, match="wom_negative_reach"):
        sweep({"customers.wom_negative_reach": [2.0]}, pair, executor="serial", progress=False)


# --------------------------------------------------------------------------------------------
# the run store: atomic writes, manifest, resume, failures
# --------------------------------------------------------------------------------------------


def test_runs_written_atomically_with_manifest(tmp_path, pair, monkeypatch):
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        renames.append((Path(src), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", spy)  # the run store writes every file
    out = tmp_path / "out"
    df = compare(pair, replications=2, seed=3, weeks=4, executor="serial", out=out, progress=False)
    parquet = sorted((out / "runs").glob("*.parquet"))
    assert len(parquet) == 4
    for src, dst in renames:  # every file appeared by a rename from a temp file beside it
        assert src.parent == dst.parent and src.name.startswith(".") and src.suffix == ".tmp"
    assert {d for _, d in renames} >= set(parquet)
    assert not list((out / "runs").glob(".*.tmp"))

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["versions"]["mesa"] and manifest["versions"]["cxsim"]
    assert manifest["n_ok"] == 4 and manifest["n_error"] == 0
    for entry in manifest["runs"]:
        assert entry["status"] == "ok" and (out / entry["file"]).is_file()
        run = json.loads((out / "runs" / f"{entry['key']}.json").read_text())
        assert run["status"] == "ok" and run["error"] is None
        assert run["seed"] == entry["seed"] and run["weeks"] == 4
        assert run["versions"]["mesa"] == manifest["versions"]["mesa"]
        assert run["scenario"]["name"] == entry["scenario"]
        stored = pd.read_parquet(out / entry["file"])
        mine = df[(df.scenario == entry["scenario"]) & (df.replication == entry["replication"])]
        np.testing.assert_array_equal(stored["npv"].to_numpy(), mine["npv"].to_numpy())
    # the key is a content hash of (scenario, seed, weeks)
    key = ex.run_key(pair[0], manifest["runs"][0]["seed"], 4)
    assert key == manifest["runs"][0]["key"]
    assert ex.run_key(pair[0], manifest["runs"][0]["seed"], 5) != key


def test_resume_skips_finished_runs(tmp_path, pair, monkeypatch):
    out = tmp_path / "out"
    first = compare(pair, replications=2, weeks=3, executor="serial", out=out, progress=False)

    def boom(*args, **kwargs):
        raise AssertionError("a finished run was run again")

    monkeypatch.setattr(ex, "run_one", boom)
    again = compare(
        pair, replications=2, weeks=3, executor="serial", out=out, resume=True, progress=False
    )
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(ValueError, match="out"):
        compare(pair, replications=1, executor="serial", resume=True, progress=False)


def test_failing_run_is_recorded_and_the_rest_go_on(tmp_path, pair, monkeypatch):
    out = tmp_path / "out"
    bad_seed = replication_seeds(0, 3)[1]
    real = ex.run_one

    def flaky(scenario, seed, weeks=None, rules=None):
        if seed == bad_seed and scenario.name == "retention_focus":
            raise RuntimeError("simulated crash in the model")
        return real(scenario, seed, weeks, rules)

    monkeypatch.setattr(ex, "run_one", flaky)
    with pytest.warns(RunFailedWarning, match="1 of 6 runs failed.*simulated crash"):
        df = compare(pair, replications=3, weeks=3, executor="serial", out=out, progress=False)
    got = set(df.groupby(["scenario", "replication"], observed=True).size().index)
    assert got == {
        ("acquisition_focus", 0),
        ("acquisition_focus", 1),
        ("acquisition_focus", 2),
        ("retention_focus", 0),
        ("retention_focus", 2),
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_error"] == 1 and manifest["n_ok"] == 5
    (failed,) = [e for e in manifest["runs"] if e["status"] == "error"]
    assert "simulated crash" in failed["error"] and failed["file"] is None
    run = json.loads((out / "runs" / f"{failed['key']}.json").read_text())
    assert run["status"] == "error" and "RuntimeError: simulated crash" in run["error"]
    assert len(list((out / "runs").glob("*.parquet"))) == 5

    # resuming retries only the failed run
    calls = []
    monkeypatch.setattr(ex, "run_one", lambda *a: calls.append(a) or real(*a))
    full = compare(
        pair, replications=3, weeks=3, executor="serial", out=out, resume=True, progress=False
    )
    assert len(calls) == 1 and len(full) == 6 * 2 * 4


KILL_SCRIPT = textwrap.dedent("""
    import sys
    import time

    import cxsim.experiments.run as ex
    from cxsim import preset

    def run(out, resume=False):
        bases = [preset(n).with_overrides({"customers.n_customers": 200})
                 for n in ("acquisition_focus", "retention_focus")]
        design = {"customers.wom_negative_reach": [0.1, 0.2, 0.3, 0.4, 0.5]}
        return ex.sweep(design, bases, replications=2, seed=5, weeks=20, executor="serial",
                        out=out, resume=resume, progress=False)

    if __name__ == "__main__":
        real = ex.run_one

        def slow(*args):  # widen the window in which the test kills this process
            time.sleep(0.1)
            return real(*args)

        ex.run_one = slow
        run(sys.argv[1])
""")


def test_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path, monkeypatch):
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT)
    out = tmp_path / "out"
    total = 5 * 2 * 2
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out)], cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if len(list((out / "runs").glob("*.parquet"))) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
    done_before = {p.stem for p in (out / "runs").glob("*.parquet")}
    assert proc.returncode == -signal.SIGKILL, err
    assert 3 <= len(done_before) < total, f"not killed mid-way: {len(done_before)} runs; {err}"
    assert not (out / "manifest.json").exists()  # it never got to finish

    monkeypatch.syspath_prepend(str(tmp_path))
    import kill_me

    calls = []
    real = ex.run_one
    monkeypatch.setattr(ex, "run_one", lambda *a: calls.append(a) or real(*a))
    result = kill_me.run(out, resume=True)
    assert len(calls) == total - len(done_before)  # nothing finished was repeated

    files = sorted((out / "runs").glob("*.parquet"))
    assert len(files) == total  # every run exactly once (names are content hashes)
    manifest = json.loads((out / "manifest.json").read_text())
    assert {e["key"] for e in manifest["runs"]} == {p.stem for p in files}
    assert manifest["n_ok"] == total
    assert not list((out / "runs").glob(".*.tmp"))

    monkeypatch.setattr(ex, "run_one", real)
    uninterrupted = kill_me.run(tmp_path / "clean")
    pd.testing.assert_frame_equal(result, uninterrupted)


# --------------------------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------------------------


def test_summarize_means_intervals_and_paired_differences(serial_frame):
    s = summarize(
        serial_frame,
        weeks=(4, 8),
        metrics=("customers", "npv", "cac"),
        baseline="acquisition_focus",
    )
    assert set(s["week"]) == {4.0, 8.0}
    assert {"mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"} <= set(s)
    ok = s.dropna(subset=["ci_low"])
    assert (ok["ci_low"] <= ok["mean"]).all() and (ok["mean"] <= ok["ci_high"]).all()
    okd = s.dropna(subset=["diff_ci_low"])
    assert (
        (okd["diff_ci_low"] <= okd["diff_mean"]) & (okd["diff_mean"] <= okd["diff_ci_high"])
    ).all()

    df = serial_frame
    at = df[(df.week == 8) & (df.firm == "focal")]
    a = at[at.scenario == "acquisition_focus"].set_index("replication")["npv"]
    r = at[at.scenario == "retention_focus"].set_index("replication")["npv"]
    row = s[
        (s.scenario == "retention_focus")
        & (s.firm == "focal")
        & (s.week == 8)
        & (s.metric == "npv")
    ].iloc[0]
    assert row["mean"] == pytest.approx(r.mean())
    half = stats.t.ppf(0.975, 2) * r.std(ddof=1) / np.sqrt(3)
    assert row["ci_high"] - row["mean"] == pytest.approx(half)
    assert row["diff_mean"] == pytest.approx((r - a).mean())
    assert row["diff_n"] == 3
    base = s[(s.scenario == "acquisition_focus") & (s.metric == "npv")]
    assert (base["diff_mean"] == 0).all()


def test_summarize_a_metric_called_value(serial_frame):
    # a column added by the user may be named "value" (e.g. NPV plus terminal equity)
    frame = serial_frame.assign(value=serial_frame["npv"] * 2.0)
    s = summarize(frame, weeks=(8,), metrics=("value", "npv"), baseline="acquisition_focus")
    value = s[s.metric == "value"].set_index(["scenario", "firm"])["mean"]
    npv = s[s.metric == "npv"].set_index(["scenario", "firm"])["mean"]
    np.testing.assert_allclose(value.to_numpy(), 2.0 * npv.loc[value.index].to_numpy())


def test_summarize_weeks_beyond_the_runs_fall_back_to_the_last(serial_frame):
    s = summarize(serial_frame, metrics=("customers",), firm="focal")  # 52, 156, 260 > 8 weeks
    assert set(s["week"]) == {float(WEEKS)} and set(s["firm"]) == {"focal"}
    with pytest.raises(KeyError):
        summarize(serial_frame, metrics=("nope",))
    with pytest.raises(KeyError):
        summarize(serial_frame, baseline="nope")
