"""Output files: written atomically, named by a slug, in a folder checked before anything runs.

Why a module of its own: every file cxsim writes (a stored run, its manifest, a summary CSV, a
figure, the Parquet file of ``cxsim run``) must either be complete or absent, whatever happens
while it is written (a kill, a full disk), and no file name may come from scenario text.

* :func:`atomic_write` writes through a temporary file beside the target
  (``.<name>.<pid>.tmp``), flushes it to disk (``fsync``), renames it over the target
  (:func:`os.replace`, atomic on POSIX) and flushes the folder, so a reader sees the old file or
  the new one, never a part. A failure (``ENOSPC``, ``EACCES``...) removes the temporary file
  and raises :class:`OutputError`, one line naming the file; temporary files of a writer that
  was killed are removed by :func:`remove_orphans`.
* :func:`slug` turns a label (a scenario name) into a safe file-name part; the label itself stays
  data (a column, a manifest field).
* :func:`check_out_dir` checks an output folder before anything runs or is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxsim.params import ScenarioError

__all__ = [
    "OutputError",
    "atomic_write",
    "check_out_dir",
    "file_digest",
    "make_dir",
    "remove_orphans",
    "save_figure",
    "slug",
    "write_csv",
    "write_parquet",
    "write_text",
]

#: Longest slug :func:`slug` makes (file names stay far below the usual 255-byte limit).
SLUG_LENGTH = 64


class OutputError(OSError):
    """A file could not be written (a full disk, no permission...): one line naming the file and
    the reason. What was being written has been removed; nothing partial is left."""


def atomic_write(path: str | os.PathLike, write: Callable[[str], Any]) -> None:
    """Call ``write(tmp)`` to write a temporary file beside ``path``, flush it to disk, then
    rename it to ``path``; on any failure remove the temporary file (an ``OSError`` becomes an
    :class:`OutputError`)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OutputError):
            raise
        reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
        raise OutputError(exc.errno, f"cannot write {str(path)!r}: {reason}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_csv(frame: Any, path: str | os.PathLike, **kwargs: Any) -> None:
    """Write a DataFrame as CSV atomically (``kwargs`` go to ``to_csv``)."""
    atomic_write(path, lambda tmp: frame.to_csv(tmp, **kwargs))


def write_parquet(frame: Any, path: str | os.PathLike) -> None:
    """Write a DataFrame as Parquet atomically (no index)."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def save_figure(fig: Any, path: str | os.PathLike, **kwargs: Any) -> None:
    """Save a matplotlib figure atomically, in the format of ``path``'s suffix."""
    fmt = Path(path).suffix.lstrip(".") or "png"
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, **kwargs))


def file_digest(path: str | os.PathLike) -> tuple[int, str]:
    """``(size in bytes, SHA-256 hex digest)`` of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def remove_orphans(folder: str | os.PathLike) -> None:
    """Remove the temporary files (``.<name>.<pid>.tmp``) of writers that are gone."""
    for tmp in Path(folder).glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        if not _pid_alive(pid):
            with contextlib.suppress(OSError):
                tmp.unlink()


def slug(text: str, default: str = "scenario") -> str:
    """A file-name part for ``text``: ASCII letters, digits, ``_`` and ``-`` only (anything
    else, accents folded first, becomes ``_``), at most :data:`SLUG_LENGTH` characters, never
    empty (``default``), never ``.`` or ``..``: it cannot name a path outside its folder."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    part = re.sub(r"[^A-Za-z0-9_-]+", "_", folded).strip("_-")[:SLUG_LENGTH].strip("_-")
    return part or default


def check_out_dir(path: str | os.PathLike, *, option: str = "out") -> Path:
    """Check an output folder before anything runs: it is a folder or can be created, it can
    be written, and what cxsim writes there (``runs/``, ``manifest.json``) is not in the way.
    Raises a one-line :class:`~cxsim.params.ScenarioError` naming ``option``."""
    text = os.fspath(path)
    if not str(text).strip():
        raise ScenarioError(f"{option}: an empty path is not a folder; give a folder name")
    if "\0" in str(text):
        raise ScenarioError(f"{option}: the path holds a NUL character")
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            raise ScenarioError(f"{option}: {text!r} exists and is not a folder")
        if not _writable(path):
            raise ScenarioError(f"{option}: {text!r} is not writable")
        runs, manifest = path / "runs", path / "manifest.json"
        if runs.exists() and not runs.is_dir():
            raise ScenarioError(f"{option}: {str(runs)!r} exists and is not a folder")
        if runs.is_dir() and not _writable(runs):
            raise ScenarioError(f"{option}: {str(runs)!r} is not writable")
        if manifest.exists() and not manifest.is_file():
            raise ScenarioError(f"{option}: {str(manifest)!r} exists and is not a file")
        return path
    try:
        parent = path.resolve().parent
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(f"{option}: cannot use {text!r}: {exc}") from None
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ScenarioError(f"{option}: cannot create {text!r}: {str(parent)!r} is not a folder")
    if not _writable(parent):
        raise ScenarioError(f"{option}: cannot create {text!r}: {str(parent)!r} is not writable")
    return path


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder``: permissions, then a real probe (an unnamed
    temporary file, gone when closed), which also catches a read-only mount or an immutable
    folder, where permissions say yes (to root, for one)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        return False
    return True


def make_dir(path: str | os.PathLike) -> None:
    """Create a folder (and its parents); an ``OSError`` becomes an :class:`OutputError`."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
        raise OutputError(exc.errno, f"cannot create {os.fspath(path)!r}: {reason}") from None


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
