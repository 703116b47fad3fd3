"""Printed numbers: rounded to significant figures, stable, with separators."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxsim.viz.report import fmt, show


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (154877.06, "155,000"),
        (0.013812, "0.0138"),
        (-2.0, "-2.00"),
        (9.5, "9.50"),
        (0.0, "0"),
        (math.nan, "nan"),
        (math.inf, "inf"),
    ],
)
def test_fmt_rounds_to_significant_figures(x, text):
    assert fmt(x) == text


def test_fmt_hides_floating_point_noise():
    assert fmt(0.1 + 0.2) == fmt(0.3)


def test_show_prints_mean_interval_and_difference(capsys):
    summary = pd.DataFrame(
        {
            "metric": ["npv", "npv"],
            "scenario": ["a", "b"],
            "year": [1.0, 1.0],
            "week": [52, 52],
            "mean": [100.0, 150.0],
            "ci_low": [90.0, 140.0],
            "ci_high": [110.0, 160.0],
            "diff_mean": [0.0, 50.0],
            "diff_sd": [0.0, 5.0],
            "diff_ci_low": [0.0, 45.0],
            "diff_ci_high": [0.0, 55.0],
        }
    )
    show(summary, ["npv"], width=3)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "npv"
    assert out[1] == "  a   year 1: 100 [90.0, 110]"
    assert out[2] == "  b   year 1: 150 [140, 160]   difference 50.0 [45.0, 55.0]"
