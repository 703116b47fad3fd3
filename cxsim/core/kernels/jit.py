"""The one decorator every kernel is compiled with, and what happens when caching cannot work.

``numba.njit(cache=True)`` keeps the machine code of each kernel on disk, by default in the
``__pycache__`` folder next to the source, else in the user's cache folder; later processes load
it in milliseconds instead of compiling for seconds. Where neither is writable (a read-only
installation and home), Numba refuses to decorate with ``cache=True`` (a ``RuntimeError``);
the kernel is then compiled without a disk cache, once per process, and a warning says so.
``NUMBA_CACHE_DIR`` chooses another folder.

Numba keys a cached kernel on its own source file (time stamp and size), not on what the kernel
takes from other modules when it compiles: the ladder stage codes of :mod:`cxsim.core.rules` are
compiled in as constants. An installation rewrites every file, so an upgrade recompiles; in a
checkout, after changing those codes, delete ``cxsim/core/kernels/__pycache__``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numba

#: Compiler options of every kernel: no Python objects, the GIL released, and NumPy's rules for
#: division by zero (inf or nan, as on the NumPy path, instead of an exception). Not fastmath:
#: the kernels must round exactly as NumPy does.
OPTIONS: dict[str, Any] = {"nogil": True, "error_model": "numpy"}


def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``fn`` with Numba, cached on disk when a cache folder is writable."""
    try:
        return numba.njit(cache=True, **OPTIONS)(fn)
    except RuntimeError as exc:  # "cannot cache function ...: no locator available"
        warnings.warn(
            f"cxsim: compiled kernel {fn.__name__} cannot be cached on disk ({exc}); it is "
            "compiled in every process (set NUMBA_CACHE_DIR to a writable folder to avoid it)",
            RuntimeWarning,
            stacklevel=2,
        )
        return numba.njit(cache=False, **OPTIONS)(fn)
