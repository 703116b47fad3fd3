"""Printing results for people: stable, rounded numbers and summary lines.

Notebooks and the command line print seeded results that readers compare and that nbval checks,
so numbers are rounded to a few significant figures (floating-point noise in the last digits
must not change what is printed) and shown with thousands separators.
"""

from __future__ import annotations

import math

import pandas as pd


def fmt(x: float, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant figures, with thousands separators.

    >>> fmt(154877.06), fmt(0.013812), fmt(-2.0)
    ('155,000', '0.0138', '-2.00')
    """
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    r = float(f"{x:.{digits}g}")
    decimals = max(digits - 1 - math.floor(math.log10(abs(r))), 0)
    return f"{r:,.{decimals}f}"


def show(summary: pd.DataFrame, metrics: list[str] | tuple[str, ...], width: int = 20) -> None:
    """Print mean [95% interval] per scenario and horizon from a
    :func:`cxsim.experiments.summarize` table, and the paired difference where there is one."""
    for metric in metrics:
        print(metric)
        for r in summary[summary["metric"] == metric].itertuples():
            when = f"year {r.year:g}" if float(r.year).is_integer() else f"week {r.week:g}"
            line = (
                f"  {r.scenario:<{width}} {when}: {fmt(r.mean)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
            )
            if "diff_mean" in summary.columns and r.diff_sd > 0:
                line += (
                    f"   difference {fmt(r.diff_mean)} "
                    f"[{fmt(r.diff_ci_low)}, {fmt(r.diff_ci_high)}]"
                )
            print(line)
