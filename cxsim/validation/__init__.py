"""Validation: cxsim reproduces what is known before it says anything new.

Rand & Rust (2011) ask agent-based models in marketing for *verification* (documented,
unit-tested code; corner cases) and *validation* (stylized facts, real data, docking with other
models). This package holds the validation side as checks on the real model:

* :mod:`cxsim.validation.docking`: the docking checks, on the cases of
  :mod:`cxsim.validation.bass` (the Bass curve and the Fibich & Gibori network bound),
  :mod:`cxsim.validation.clv` (the CLV formula) and :mod:`cxsim.validation.half_life` (the
  expectation half-life), with the figures of :mod:`cxsim.validation.figures`;
* :mod:`cxsim.validation.behaviours`: the reference behaviours 1–7 (docs/validation.md);
* :mod:`cxsim.validation.checks`: the registry both add to, and ``cxsim validate``; every
  check is either a *calibration* target (the defaults were tuned so that it passes) or
  *held-out* (validation proper);
* :mod:`cxsim.validation.stats`: the tests every stochastic check decides with (t thresholds
  with the replications' degrees of freedom, paired t, shares, TOST equivalence).

>>> from cxsim.validation import run_checks
>>> table = run_checks(["half-life-*"], progress=False)
>>> bool(table["pass"].all())
True

docs/validation.md explains every check, its tolerance and the figures.
"""

from __future__ import annotations

import importlib.util
import traceback

from cxsim.validation import step_size  # noqa: F401  (registers the step-size check)
from cxsim.validation.checks import (
    CALIBRATION,
    CHECKS,
    HELD_OUT,
    Check,
    CheckResult,
    check,
    format_table,
    main,
    register,
    run_checks,
)
from cxsim.validation.docking import bass_docking, clv_docking, make_figures

# Reference behaviours 1-7 register their own checks when imported. A module that fails to
# import must not make `cxsim validate` silently pass with fewer checks: it becomes a failing one.
if importlib.util.find_spec("cxsim.validation.behaviours") is not None:
    try:
        import cxsim.validation.behaviours  # noqa: F401
    except Exception:
        _trace = traceback.format_exc()
        register(
            Check(
                name="behaviours-import",
                group="behaviour",
                role=HELD_OUT,
                source="cxsim/validation/behaviours.py",
                expected="module imports and registers its checks",
                tolerance="-",
                run=lambda: CheckResult("import failed", False, _trace),
            )
        )

__all__ = [
    "CALIBRATION",
    "CHECKS",
    "HELD_OUT",
    "Check",
    "CheckResult",
    "bass_docking",
    "check",
    "clv_docking",
    "format_table",
    "main",
    "make_figures",
    "register",
    "run_checks",
]
