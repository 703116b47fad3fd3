"""The one executor factory, :func:`cxsim.experiments.make_executor`: what each kind of argument
gives, that a local pool honours ``workers``, that bad arguments fail in one line before anything
runs, that ``cxsim validate`` builds its pool with it, and that the numbers do not depend on where
the runs go.
"""

from __future__ import annotations

import concurrent.futures as cf
import os

import pandas as pd
import pytest

from cxsim import ScenarioError, preset
from cxsim.experiments import compare, default_workers, make_executor
from cxsim.experiments.executors import _mp_context
from cxsim.validation import checks

PAIR = ["acquisition_focus", "retention_focus"]


def tiny(name: str):
    return preset(name).with_overrides({"customers.n_customers": 200})


def test_serial_is_serial():
    ex, close = make_executor("serial")
    assert ex == "serial"
    assert close() is None


def test_local_pool_honours_workers():
    ex, close = make_executor(None, workers=1)
    try:
        assert isinstance(ex, cf.ProcessPoolExecutor)
        assert ex._max_workers == 1
        pids = {f.result() for f in [ex.submit(os.getpid) for _ in range(4)]}
        assert len(pids) == 1 and os.getpid() not in pids  # one worker, not this process
    finally:
        close()
    with pytest.raises(RuntimeError):  # closed by its close function
        ex.submit(os.getpid)

    ex, close = make_executor("processes", workers=2)
    assert isinstance(ex, cf.ProcessPoolExecutor) and ex._max_workers == 2
    close()
    ex, close = make_executor()
    assert ex._max_workers == default_workers() >= 1
    assert ex._mp_context.get_start_method() == _mp_context().get_start_method()
    close()


def test_executor_passed_in_is_used_and_left_open():
    own = cf.ThreadPoolExecutor(max_workers=1)
    try:
        ex, close = make_executor(own, workers=3)  # workers only sizes a pool made here
        assert ex is own
        close()
        assert own.submit(lambda: 1).result() == 1
    finally:
        own.shutdown()


@pytest.mark.parametrize(
    "executor, workers, match",
    [
        (42, None, "executor: 42 is not None, 'serial'"),
        (object(), None, "executor: <object object at"),
        ("serail", None, "executor: 'serail' is not 'serial'"),
        (None, 0, "workers: 0 must be at least 1"),
        (None, 1.5, "workers: 1.5 is not a whole number"),
        ("serial", True, "workers: True is not a whole number"),
    ],
)
def test_invalid_arguments_fail_in_one_line(executor, workers, match):
    with pytest.raises(ScenarioError, match=match) as info:
        make_executor(executor, workers=workers)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_an_experiment_refuses_an_invalid_executor_in_one_line():
    with pytest.raises(ScenarioError, match="executor: 'nowhere' is not") as info:
        compare(PAIR, replications=1, weeks=1, executor="nowhere", progress=False)
    assert "\n" not in str(info.value)


def test_same_seed_same_frames_serially_and_on_the_process_pool():
    pair = [tiny(n) for n in PAIR]
    kw = dict(replications=2, seed=42, weeks=3, progress=False)
    serial = compare(pair, executor="serial", **kw)
    pool, close = make_executor(None, workers=2)
    try:
        pooled = compare(pair, executor=pool, **kw)
        assert pool.submit(os.getpid).result() != os.getpid()  # left open by compare
    finally:
        close()
    assert len(serial) == 2 * 2 * 2 * 4  # scenarios × replications × firms × weeks 0..3
    pd.testing.assert_frame_equal(serial, pooled, check_exact=True)


def test_validation_pool_comes_from_the_factory():
    previous = checks._WORKERS
    try:
        checks.set_workers(1)
        assert checks.executor() is None  # one worker: replications run in this process
        checks.set_workers(2)
        pool = checks.executor()
        assert isinstance(pool, cf.ProcessPoolExecutor) and pool._max_workers == 2
        assert pool._mp_context.get_start_method() == _mp_context().get_start_method()
        assert checks.executor() is pool  # shared by every check of the run
        checks.shutdown_executor()
        with pytest.raises(RuntimeError):
            pool.submit(os.getpid)
    finally:
        checks.set_workers(previous)
    assert checks.default_workers is default_workers
