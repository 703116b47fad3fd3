"""The fault-tolerant run store: one Parquet file per finished run, written atomically.

Why a module of its own: long sweeps get killed (a laptop lid, a cluster's wall-clock limit, a
crash in one run), and the runs done by then must neither be lost nor be run again. With
``out=DIR`` each finished run is written atomically (:func:`cxsim.experiments.outputs.atomic_write`:
a temporary file in ``DIR/runs``, ``fsync``, then :func:`os.replace`) as
``DIR/runs/<key>.parquet``, where ``<key>`` is :func:`~cxsim.experiments.run_key` (a hash of the
model code, scenario dict, seed, weeks and rules in force), next to ``DIR/runs/<key>.json``: its
manifest (cxsim, mesa, numpy, pandas and Python versions, scenario dict, seed, weeks, status,
error text if it raised, and the Parquet file's size and SHA-256). At the end
``DIR/manifest.json`` lists every task (with the same size and checksum). ``resume=True`` skips
runs whose Parquet file is intact, so a killed sweep loses at most the runs in flight and repeats
none; a damaged file (truncated, empty, a size or checksum that differs from its manifest, no
Parquet footer) is run again, with a :class:`StoreWarning`. Temporary files left by a writer that
died are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cxsim.experiments.designs import _plain
from cxsim.experiments.outputs import (
    atomic_write,
    check_out_dir,
    file_digest,
    make_dir,
    remove_orphans,
    write_text,
)

if TYPE_CHECKING:
    from cxsim.experiments.run import _Task


class StoreWarning(UserWarning):
    """Stored runs were damaged (truncated, empty, not matching their checksum) and are run
    again."""


class _Store:
    """The run store under ``root``: ``runs/<key>.parquet`` + ``runs/<key>.json``, manifest.json."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(os.fspath(root))
        self.runs = self.root / "runs"
        self.versions = _versions()
        self.digests: dict[str, tuple[int, str]] = {}
        self.damaged: list[str] = []

    def prepare(self, resume: bool) -> None:
        check_out_dir(self.root)
        make_dir(self.runs)
        remove_orphans(self.root)
        remove_orphans(self.runs)

    def read_intact(self, key: str) -> pd.DataFrame | None:
        """The stored run ``key``, or ``None`` when there is none or it is damaged (then it is
        noted in :attr:`damaged`, to be run again)."""
        path = self.runs / f"{key}.parquet"
        if not path.is_file():
            return None
        record = self._record(key)
        try:
            size, digest = file_digest(path)
            if record is not None and record.get("sha256"):
                intact = size == record.get("bytes") and digest == record["sha256"]
            else:  # killed between the Parquet file and its record, or an older store
                intact = _parquet_footer_ok(path, size)
            frame = pd.read_parquet(path) if intact else None
        except Exception:  # noqa: BLE001 - any unreadable file is a damaged run
            frame = None
        if frame is None:
            self.damaged.append(key)
            return None
        self.digests[key] = (size, digest)
        return frame

    def warn_damaged(self, stacklevel: int) -> None:
        if self.damaged:
            warnings.warn(
                f"{len(self.damaged)} stored run(s) in {str(self.runs)!r} were damaged "
                "(truncated, empty or not matching their checksum) and were run again",
                StoreWarning,
                stacklevel=stacklevel + 1,
            )

    def write(self, task: _Task, frame: pd.DataFrame) -> None:
        path = self.runs / f"{task.key}.parquet"
        digest: list[tuple[int, str]] = []

        def write(tmp: str) -> None:
            frame.to_parquet(tmp, index=False)
            digest.append(file_digest(tmp))

        atomic_write(path, write)
        self.digests[task.key] = digest[0]
        self._write_json(task, "ok", None)

    def record_error(self, task: _Task, error: str) -> None:
        self._write_json(task, "error", error)

    def ensure_manifest(self, task: _Task) -> None:
        record = self._record(task.key)
        if record is None or record.get("status") != "ok" or not record.get("sha256"):
            self._write_json(task, "ok", None)

    def _record(self, key: str) -> dict[str, Any] | None:
        try:
            record = json.loads((self.runs / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _write_json(self, task: _Task, status: str, error: str | None) -> None:
        size, digest = self.digests.get(task.key, (None, None)) if status == "ok" else (None, None)
        record = {
            "key": task.key,
            "status": status,
            "error": error,
            "seed": task.seed,
            "weeks": task.weeks,
            "file": f"{task.key}.parquet" if status == "ok" else None,
            "bytes": size,
            "sha256": digest,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "versions": self.versions,
            "scenario": task.scenario.to_dict(),
        }
        text = json.dumps(record, indent=1, default=_json_default, allow_nan=True)
        write_text(self.runs / f"{task.key}.json", text)

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
            size, digest = self.digests.get(t.key, (None, None)) if status == "ok" else (None, None)
            entries.append(
                {
                    **{k: _plain(v) for k, v in t.labels.items()},
                    "key": t.key,
                    "scenario_key": skey,
                    "weeks": t.weeks,
                    "status": status,
                    "file": f"runs/{t.key}.parquet" if status == "ok" else None,
                    "bytes": size,
                    "sha256": digest,
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
        write_text(self.root / "manifest.json", text)


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


def _parquet_footer_ok(path: Path, size: int) -> bool:
    """A Parquet file starts and ends with ``PAR1`` and its footer fits in the file."""
    if size < 12:
        return False
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(size - 8)
        tail = fh.read(8)
    footer = int.from_bytes(tail[:4], "little")
    return head == b"PAR1" and tail[4:] == b"PAR1" and footer + 12 <= size
