"""The tables the commands print: outcomes of one run, the headline comparison with intervals
and paired differences, and any frame (a sweep, sensitivity indices), every number written by
:func:`cxsim.viz.style.fmt`, as in the figures and reports."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from cxsim.viz.style import MISSING, fmt

#: The outcomes ``cxsim run`` and ``cxsim compare`` (``make run``) show, each explained under
#: the table by :func:`metric_notes`: customers by recency and in the model's relationships,
#: the firm's share of purchases, churn, what a customer costs and is worth, the value of the
#: relationships held (terminal value at the horizon), profit, and NPS with its sampling error.
HEADLINE_METRICS = (
    "active",
    "alive",
    "purchase_share",
    "share_of_wallet",
    "churn_rate",
    "cac",
    "clv",
    "customer_equity",
    "npv",
    "nps",
    "nps_se",
)
#: 1, 3 and 5 years.
HEADLINE_WEEKS = (52, 156, 260)


def frame_table(frame: Any) -> str:
    """A frame as plain text, numbers formatted as in every table of the command line."""
    return frame.to_string(index=False, float_format=fmt)


def run_table(frame: Any) -> str:
    """One run's outcomes of every firm at 1, 3 and 5 years (or the last week)."""
    weeks = sorted(set(frame["week"]))
    wanted = [w for w in HEADLINE_WEEKS if w in weeks] or [weeks[-1]]
    part = frame[frame["week"].isin(wanted)].sort_values(["firm", "week"])
    part.insert(0, "year", [_year(w) for w in part["week"]])
    return (
        frame_table(part[["firm", "year", *HEADLINE_METRICS]])
        + "\n\n"
        + metric_notes(HEADLINE_METRICS)
    )


def compare_table(summary: Any, labels: list[str]) -> str:
    """Rows metric × year; a column per scenario (mean [95% interval]) and one per paired
    difference against the first scenario; under the table, what each metric shown means
    (:func:`metric_notes`)."""
    base = labels[0]
    header = ["metric", "year", *labels, *(f"{lab} − {base}" for lab in labels[1:])]
    rows = [header]
    metrics = list(dict.fromkeys(summary["metric"]))
    for metric in metrics:
        part = summary[summary["metric"] == metric]
        for week in sorted(part["week"].unique()):
            at = part[part["week"] == week].set_index("scenario")
            row = [metric, _year(week)]
            for lab in labels:
                r = at.loc[lab] if lab in at.index else None
                row.append(MISSING if r is None else _cell(r["mean"], r["ci_low"], r["ci_high"]))
            for lab in labels[1:]:
                r = at.loc[lab] if lab in at.index else None
                row.append(
                    MISSING
                    if r is None
                    else _cell(r["diff_mean"], r["diff_ci_low"], r["diff_ci_high"])
                )
            rows.append(row)
    return _align(rows, left=2) + "\n\n" + metric_notes(metrics)


def metric_notes(names: Iterable[str], width: int = 100) -> str:
    """One plain-language line per metric, in the order given: its name, what it says and its
    unit, as declared in :data:`cxsim.core.metrics.METRIC_INFO` (the note, or the meaning where
    a metric has no note), wrapped to ``width`` characters under a hanging indent."""
    from cxsim.core.metrics import METRIC_INFO

    infos = [METRIC_INFO[name] for name in names]
    pad = max((len(m.name) for m in infos), default=0) + 2
    lines = ["What the metrics mean:"]
    for m in infos:
        lines.append(
            textwrap.fill(
                f"{m.note or m.meaning}; unit: {m.unit}",
                width=width,
                initial_indent=f"  {m.name:<{pad}}",
                subsequent_indent=" " * (pad + 2),
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def _year(week: Any) -> str:
    return fmt(float(week) / 52, trim=True)


def _cell(mean: Any, low: Any, high: Any) -> str:
    if low != low or high != high:  # NaN interval
        return fmt(mean)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def _align(rows: list[list[str]], left: int) -> str:
    """Columns padded to their widest cell: the first ``left`` to the left, the others to the
    right; a rule under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        cells = (
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
