"""Processes cxsim starts die with it.

Why a module of its own: a killed ``cxsim compare`` must not leave its pool behind, and a
terminated ``cxsim app`` must not leave its server serving. Two tools, used by
:mod:`cxsim.experiments.executors` (pool workers) and :func:`cxsim.viz.app.serve` (the dashboard
server):

* :func:`die_with_parent`: on Linux, ask the kernel to send SIGKILL to the calling process when
  its parent dies (``prctl(PR_SET_PDEATHSIG)``), which works even when the parent is killed
  with SIGKILL and can clean nothing up;
* :func:`child_options` and :func:`supervise`: start a command in its own process group, dying
  with this process, and wait for it while forwarding SIGTERM, SIGINT and SIGHUP to it (then
  SIGKILL if it has not stopped :data:`GRACE` seconds later).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

__all__ = ["GRACE", "FORWARDED", "child_options", "die_with_parent", "supervise"]

#: Seconds a child has to stop after a forwarded signal before it is killed.
GRACE = 10.0
#: Signals :func:`supervise` forwards to the child.
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Linux: have the kernel send SIGKILL to this process when its parent dies; returns
    whether that is arranged (``False`` elsewhere). Safe in a ``preexec_fn``."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def child_options() -> dict[str, Any]:
    """Keyword arguments for :class:`subprocess.Popen`: the child gets its own process group
    (so a terminal's Ctrl-C reaches it once, through :func:`supervise`, not twice) and, on
    Linux, dies with this process even if this process is killed with SIGKILL."""
    options: dict[str, Any] = {"process_group": 0}
    if sys.platform.startswith("linux"):
        options["preexec_fn"] = _child_setup(os.getpid())
    return options


def _child_setup(parent: int):
    def setup() -> None:  # runs in the child, between fork and exec
        die_with_parent()
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return setup


def supervise(proc: subprocess.Popen, *, grace: float = GRACE) -> int:
    """Wait for ``proc``, forwarding :data:`FORWARDED` signals to it; a child still running
    ``grace`` seconds after a forwarded signal is killed. Returns its exit status (``128 + n``
    for a child ended by signal ``n``, as a shell reports it). Signal handlers are installed
    only in the main thread (elsewhere the wait is plain) and restored afterwards."""
    asked: list[float] = []

    def forward(signum: int, frame: Any) -> None:
        asked.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError, OSError):
            proc.send_signal(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in FORWARDED:
            with contextlib.suppress(ValueError, OSError):
                previous[sig] = signal.signal(sig, forward)
    try:
        while True:
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if asked and time.monotonic() - asked[0] > grace:
                    proc.kill()
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, handler)
        if proc.poll() is None:  # leaving early (an exception): take the child along
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 128 - code if code < 0 else code
