"""Printing results for people: stable, rounded numbers and summary lines.

Notebooks and the command line print seeded results that readers compare and that nbval checks,
so numbers are rounded to a few significant figures (floating-point noise in the last digits
must not change what is printed) and shown with thousands separators.
"""

from __future__ import annotations

import pandas as pd

from cxsim.viz import style


def fmt(x: float, digits: int = 3) -> str:
    """``x`` rounded to ``digits`` significant figures, with thousands separators: the one
    formatter, :func:`cxsim.viz.style.fmt`, except that a missing number prints as ``nan`` (as in
    the notebooks' checked outputs).

    >>> fmt(154877.06), fmt(0.013812), fmt(-2.0), fmt(float("nan"))
    ('155,000', '0.0138', '-2.00', 'nan')
    """
    return style.fmt(x, digits, missing="nan")


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
