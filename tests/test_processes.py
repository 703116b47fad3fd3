"""Processes: nothing cxsim starts outlives it.

``cxsim compare`` runs on a local process pool (a fork server, multiprocessing's resource tracker
and the workers). Killed with SIGKILL (no clean-up possible), SIGTERM or SIGINT, none of them may
stay behind: each test marks the command's environment, kills it mid-run, and looks for any
process with the mark for 10 s. ``cxsim app`` forwards SIGTERM to its server: terminated, its
port closes and no process of it is left.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups and /proc")

MARK = "CXSIM_PROCESS_TEST"


def _marked(mark: str) -> list:
    """Live (not zombie) processes whose environment carries ``mark``."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get(MARK) == mark and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _start(argv: list[str], tmp_path: Path) -> tuple[subprocess.Popen, str]:
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK: mark}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cxsim", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, mark


def _wait_gone(mark: str, seconds: float) -> tuple[list, float]:
    started = time.monotonic()
    left = _marked(mark)
    while left and time.monotonic() - started < seconds:
        time.sleep(0.1)
        left = _marked(mark)
    return left, time.monotonic() - started


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_compare_leaves_no_process(sig, tmp_path):
    argv = ["compare", "--n-customers", "20000", "--weeks", "200", "--replications", "4"]
    argv += ["--workers", "2", "--no-progress", "--out", str(tmp_path / "out")]
    proc, mark = _start(argv, tmp_path)
    try:
        deadline = time.monotonic() + 60
        # the command, the fork server, the resource tracker and both workers
        while len(_marked(mark)) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
        started = {p.pid for p in _marked(mark)}
        assert len(started) >= 5, f"pool not started: {len(started)} processes"
        time.sleep(0.5)  # mid-run: the workers are computing
        proc.send_signal(sig)
        proc.wait(timeout=30)
        left, waited = _wait_gone(mark, 10.0)
        assert left == [], [(p.pid, p.name(), p.cmdline()[:4]) for p in left]
        print(f"{signal.Signals(sig).name}: no process left after {waited:.1f} s")
    finally:
        for p in _marked(mark):
            p.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_listening(proc: subprocess.Popen, port: int, seconds: float = 90.0) -> None:
    """Until the dashboard answers on ``port`` (Solara takes 5-20 s to start here)."""
    deadline = time.monotonic() + seconds
    while not _answers(port) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, f"app exited: {proc.stderr.read()}"
    assert _answers(port), f"the dashboard did not answer within {seconds:.0f} s"


def _closes(port: int, seconds: float) -> bool:
    started = time.monotonic()
    while _answers(port):
        if time.monotonic() - started > seconds:
            return False
        time.sleep(0.1)
    return True


def _has_dashboard() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("solara", "cxsim.viz.app"))


@pytest.mark.skipif(not _has_dashboard(), reason="needs the dashboard extra (solara)")
def test_terminated_app_closes_its_port_and_leaves_no_process(tmp_path):
    port = _free_port()
    proc, mark = _start(["app", "--port", str(port)], tmp_path)
    try:
        _wait_listening(proc, port)
        assert len(_marked(mark)) >= 2  # cxsim app and its server
        proc.send_signal(signal.SIGTERM)
        assert _closes(port, 10.0), "the port still answers 10 s after SIGTERM"
        proc.wait(timeout=20)
        left, _ = _wait_gone(mark, 10.0)
        assert left == [], [(p.pid, p.cmdline()[:4]) for p in left]
    finally:
        for p in _marked(mark):
            p.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@pytest.mark.skipif(not _has_dashboard(), reason="needs the dashboard extra (solara)")
def test_killed_app_takes_its_server_along(tmp_path):
    """SIGKILL cannot be forwarded: the server dies with its parent (PR_SET_PDEATHSIG)."""
    port = _free_port()
    proc, mark = _start(["app", "--port", str(port)], tmp_path)
    try:
        _wait_listening(proc, port)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        left, _ = _wait_gone(mark, 10.0)
        assert left == [], [(p.pid, p.cmdline()[:4]) for p in left]
        assert _closes(port, 10.0), "the port still answers 10 s after SIGKILL"
    finally:
        for p in _marked(mark):
            p.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
