"""One look for every picture and printed number: the palette, the ladder-stage colours, the
matplotlib house style and the number formatter.

:mod:`cxsim.viz.plots`, the dashboard (:mod:`cxsim.viz.app`) and the printed reports
(:mod:`cxsim.viz.report`) take their colours and numbers from here, so a firm, a ladder stage or
a value looks the same in a notebook figure, in the browser and in a table.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np

from cxsim.core.rules import STAGES

__all__ = [
    "GRID_COLOR",
    "MISSING",
    "PALETTE",
    "REFERENCE_COLOR",
    "STAGE_COLORS",
    "STYLE",
    "fmt",
    "series_color",
    "stage_rgba",
    "style",
]

#: Colours of series (firms, scenarios, groups), in order: the Okabe–Ito colour-blind-safe
#: palette (Okabe & Ito 2008), black last.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: One colour per ladder stage, keyed in the order of :data:`cxsim.core.rules.STAGES`: the firm's
#: customers from buyer to advocate in greens that darken up the ladder, the lost in red, the
#: not-yet-won prospects in light grey.
STAGE_COLORS: dict[str, str] = {
    "prospect": "#d9d9d9",
    "buyer": "#a6dba0",
    "repeat": "#5aae61",
    "client": "#1b7837",
    "advocate": "#00441b",
    "lost": "#b2182b",
}

#: Light grid lines and thin reference lines (e.g. y = 0).
GRID_COLOR = "#dddddd"
REFERENCE_COLOR = "#888888"

#: Matplotlib rc settings of the house style: white background, no top or right spines, a light
#: horizontal grid, left-aligned bold titles, frameless legends, :data:`PALETTE` as the cycle.
STYLE: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": GRID_COLOR,
    "grid.linewidth": 0.6,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "font.family": "sans-serif",
}


def series_color(i: int) -> str:
    """The colour of the ``i``-th series (firm, scenario, group): :data:`PALETTE`, cycled."""
    return PALETTE[i % len(PALETTE)]


def stage_rgba() -> np.ndarray:
    """(len(STAGES), 4) RGBA rows of :data:`STAGE_COLORS`, indexed by stage code."""
    return np.array([mpl.colors.to_rgba(STAGE_COLORS[s]) for s in STAGES])


@contextmanager
def style() -> Iterator[None]:
    """Apply the house style inside a ``with`` block (the functions of :mod:`cxsim.viz.plots` do
    it themselves).

    Matplotlib's ``rc_context`` restores every setting on exit, including interactive mode; a
    first figure made inside the block (Jupyter's inline backend switches interactive mode on
    then) would otherwise leave later figures undisplayed. The interactive state set inside the
    block is kept.
    """
    inside = mpl.is_interactive()
    try:
        with mpl.rc_context(STYLE):
            try:
                yield
            finally:
                inside = mpl.is_interactive()
    finally:
        if mpl.is_interactive() != inside:
            mpl.interactive(inside)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

#: What :func:`fmt` prints for a missing number (``None``, NaN, pandas' NA).
MISSING = "—"

# below this size, or at and above the large one, a rounded float is written as m.mme±xx
_SMALL, _LARGE = 1e-4, 1e15


def fmt(x: Any, digits: int = 3, *, missing: str = MISSING, trim: bool = False) -> str:
    """A number as people read it: stable, rounded, with thousands separators.

    * ``None``, NaN and pandas' NA print as ``missing`` (an em dash);
    * integers (Python or NumPy) print exactly, with thousands separators: ``12,345``;
    * other real numbers are rounded to ``digits`` significant figures, so floating-point noise
      in the last digits never changes what is printed, and keep the zeros that show that
      precision: ``155,000``, ``0.0138``, ``-2.00``; very small (below 1e-4) or very large
      (1e15 and up) ones in e-notation: ``1.23e-07``; zero prints as ``0``; ``trim=True`` drops
      trailing zeros after the decimal point (``0.5`` instead of ``0.500``);
    * infinities print as ``inf`` and ``-inf`` (as Python and the ``--set`` option spell them);
    * booleans as ``true`` and ``false`` (as in scenario files); text as it is, anything else
      with ``str``.

    >>> fmt(154877.06), fmt(0.013812), fmt(-2.0), fmt(1234567), fmt(float("nan"))
    ('155,000', '0.0138', '-2.00', '1,234,567', '—')
    """
    if x is None:
        return missing
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    if isinstance(x, str):
        return x
    if not isinstance(x, numbers.Real):
        if _is_na(x):
            return missing
        try:
            x = float(x)
        except (TypeError, ValueError):
            return str(x)
    x = float(x)
    if math.isnan(x):
        return missing
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    digits = max(int(digits), 1)
    r = float(f"{x:.{digits}g}")
    if abs(r) < _SMALL or abs(r) >= _LARGE:
        text = f"{r:.{digits - 1}e}"
        if trim:
            mantissa, exp = text.split("e")
            text = f"{_trim(mantissa)}e{exp}"
        return text
    decimals = max(digits - 1 - math.floor(math.log10(abs(r))), 0)
    text = f"{r:,.{decimals}f}"
    return _trim(text) if trim else text


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _is_na(x: Any) -> bool:
    try:
        import pandas as pd

        return x is pd.NA or x is pd.NaT
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
