"""Compiled kernels for the hot loops of the weekly cycle (Numba, compiled on first use).

Why: at a million customers a week is a few dozen passes over arrays of a million entries or
more (who has a need, what each buyer experiences, who leaves). Written as NumPy rules, every step
of every rule is its own pass with its own temporary array, and the Python between them costs
more than the arithmetic at small sizes. Each kernel here does one mechanism in one pass over
the entries it concerns, with no temporaries.

What they compute: exactly what the NumPy path of :class:`cxsim.core.model.Market` computes with
the default rules of :mod:`cxsim.core.rules`, operation for operation (same order of additions,
no fused multiply-add, no fast-math), from the same random draws of the same streams
(:mod:`cxsim.core.streams`): a market gives the same frames with or without them
(tests/test_kernels.py checks both ways on every mechanism). One caveat, by design harmless:
``exp`` and ``expm1`` come from the C library here and from NumPy's SIMD code on the NumPy path,
which may round the last bit differently; those values are only ever compared with a uniform
draw (a need count, a choice, a departure), so a decision could differ only for a draw within one
unit in the last place of its probability (about 1 chance in 10^16 per draw).

When they are used: a Market uses a kernel only while the rules it replaces are the defaults
(a swapped rule runs through NumPy as before), and only when :func:`enabled` says so: Numba is
installed and the environment variable ``CXSIM_JIT`` is not ``0``. Compiled code is cached on
disk next to these files (``cache=True``), so only the first process on a machine pays for
compiling (see benchmarks/RESULTS.md for the times); where no cache folder is writable the
kernels still compile, in every process, with a warning (:func:`cxsim.core.kernels.jit.jit`).
"""

from __future__ import annotations

import importlib.util
import os

#: Values of ``CXSIM_JIT`` that switch the compiled kernels off (case-insensitive).
OFF_VALUES = ("0", "false", "no", "off")


def enabled() -> bool:
    """True when the compiled kernels are to be used: Numba can be imported and ``CXSIM_JIT``
    (read at each call: a Market decides when it is made) is not one of :data:`OFF_VALUES`."""
    if os.environ.get("CXSIM_JIT", "1").strip().lower() in OFF_VALUES:
        return False
    return importlib.util.find_spec("numba") is not None
