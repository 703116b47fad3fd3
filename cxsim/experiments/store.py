"""The fault-tolerant run store: one Parquet file per finished run, written atomically.

Why a module of its own: long sweeps get killed (a laptop lid, a cluster's wall-clock limit, a
crash in one run), and the runs done by then must neither be lost nor be run again. With
``out=DIR`` each finished run is written atomically (a temporary file in ``DIR/runs`` then
:func:`os.replace`) as ``DIR/runs/<key>.parquet``, where ``<key>`` is
:func:`~cxsim.experiments.run_key` (a hash of the model code, scenario dict, seed, weeks and rules
in force), next to ``DIR/runs/<key>.json``: its manifest (cxsim, mesa, numpy, pandas and Python
versions, scenario dict, seed, weeks, status, error text if it raised). At the end
``DIR/manifest.json`` lists every task. ``resume=True`` skips runs whose Parquet file exists, so a
killed sweep loses at most the runs in flight and repeats none; temporary files left by a writer
that died are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxsim.experiments.designs import _plain

if TYPE_CHECKING:
    from cxsim.experiments.run import _Task


class _Store:
    """The run store under ``root``: ``runs/<key>.parquet`` + ``runs/<key>.json``, manifest.json."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs = root / "runs"
        self.versions = _versions()

    def prepare(self, resume: bool) -> None:
        self.runs.mkdir(parents=True, exist_ok=True)
        if resume:
            self._remove_orphans()

    def _remove_orphans(self) -> None:
        """Temporary files left by a writer that died (its pid is gone)."""
        for tmp in self.runs.glob(".*.tmp"):
            try:
                pid = int(tmp.name.rsplit(".", 2)[-2])
            except (ValueError, IndexError):
                continue
            if not _pid_alive(pid):
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def has(self, key: str) -> bool:
        return (self.runs / f"{key}.parquet").is_file()

    def read(self, key: str) -> pd.DataFrame:
        return pd.read_parquet(self.runs / f"{key}.parquet")

    def write(self, task: _Task, frame: pd.DataFrame) -> None:
        path = self.runs / f"{task.key}.parquet"
        _atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
        self._write_json(task, "ok", None)

    def record_error(self, task: _Task, error: str) -> None:
        self._write_json(task, "error", error)

    def ensure_manifest(self, task: _Task) -> None:
        if not (self.runs / f"{task.key}.json").is_file():
            self._write_json(task, "ok", None)

    def _write_json(self, task: _Task, status: str, error: str | None) -> None:
        record = {
            "key": task.key,
            "status": status,
            "error": error,
            "seed": task.seed,
            "weeks": task.weeks,
            "file": f"{task.key}.parquet" if status == "ok" else None,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "versions": self.versions,
            "scenario": task.scenario.to_dict(),
        }
        text = json.dumps(record, indent=1, default=_json_default, allow_nan=True)
        _atomic(self.runs / f"{task.key}.json", lambda tmp: Path(tmp).write_text(text))

    def write_manifest(
        self, tasks: list[_Task], results: Mapping[str, Any], errors: Mapping[str, str]
    ) -> None:
        entries = []
        scenarios: dict[str, Any] = {}
        for t in tasks:
            status = "ok" if t.key in results else "error" if t.key in errors else "not run"
            data = t.scenario.to_dict()
            skey = hashlib.sha256(
                json.dumps(data, sort_keys=True, default=_json_default).encode()
            ).hexdigest()[:16]
            scenarios.setdefault(skey, data)
            entries.append(
                {
                    **{k: _plain(v) for k, v in t.labels.items()},
                    "key": t.key,
                    "scenario_key": skey,
                    "weeks": t.weeks,
                    "status": status,
                    "file": f"runs/{t.key}.parquet" if status == "ok" else None,
                    "error": errors.get(t.key),
                }
            )
        manifest = {
            "versions": self.versions,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "n_tasks": len(tasks),
            "n_ok": sum(e["status"] == "ok" for e in entries),
            "n_error": sum(e["status"] == "error" for e in entries),
            "scenarios": scenarios,
            "runs": entries,
        }
        text = json.dumps(manifest, indent=1, default=_json_default, allow_nan=True)
        _atomic(self.root / "manifest.json", lambda tmp: Path(tmp).write_text(text))


def _json_default(value: Any) -> Any:
    """JSON for what ``json`` cannot write itself: NumPy scalars, mappings, tuples, sets, and
    anything else as its ``str`` (also used to hash scenarios into run keys)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("cxsim", "mesa", "numpy", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def _atomic(path: Path, write: Callable[[str], Any]) -> None:
    """Write via a temporary file in the same folder, then rename over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
