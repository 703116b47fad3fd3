"""One style for every picture and number: the stage colours and palette shared by the plots and
the dashboard, the one number formatter, metric labels from the metric registry, and a sidebar
generated from the parameter registry."""

from __future__ import annotations

import dataclasses
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from matplotlib.colors import to_hex, to_rgba  # noqa: E402

from cxsim import Scenario  # noqa: E402
from cxsim.core.metrics import METRIC_INFO  # noqa: E402
from cxsim.core.rules import STAGES  # noqa: E402
from cxsim.params import SECTIONS, FirmSpec  # noqa: E402
from cxsim.viz import plots, style  # noqa: E402
from cxsim.viz.app import CHARTS, DashboardMarket, dashboard_data, model_params  # noqa: E402
from cxsim.viz.dashboard import charts, controls, network_view  # noqa: E402

# --------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------


def test_one_colour_per_stage_in_stage_order():
    assert tuple(style.STAGE_COLORS) == STAGES
    colours = [to_hex(c) for c in style.STAGE_COLORS.values()]
    assert len(set(colours)) == len(STAGES)
    rgba = style.stage_rgba()
    assert rgba.shape == (len(STAGES), 4)
    for code, stage in enumerate(STAGES):
        assert tuple(rgba[code]) == to_rgba(style.STAGE_COLORS[stage])


def test_plots_and_dashboard_share_the_stage_colours_and_palette():
    assert plots.STAGE_COLORS is style.STAGE_COLORS
    assert network_view.STAGE_COLORS is style.STAGE_COLORS
    assert charts.STAGE_COLORS is style.STAGE_COLORS
    assert plots.PALETTE is style.PALETTE and plots.style is style.style
    assert plots.STYLE is style.STYLE
    np.testing.assert_array_equal(network_view._STAGE_RGBA, style.stage_rgba())
    assert set(plots.STAGE_ORDER) == set(STAGES)


def test_dashboard_draws_with_the_shared_colours():
    m = DashboardMarket(n_customers=200, seed=1)
    m.step()
    data = dashboard_data(m)
    ladder = CHARTS["ladder"][0](m, data)
    drawn = {ln.get_label(): to_hex(ln.get_color()) for ln in ladder.lines[: len(STAGES)]}
    assert drawn == {s: to_hex(style.STAGE_COLORS[s]) for s in STAGES}
    profit = CHARTS["profit"][0](m, data)
    assert [to_hex(ln.get_color()) for ln in profit.lines] == [
        to_hex(style.PALETTE[i]) for i in range(len(data.firms))
    ]
    net = CHARTS["network"][0](m, data)
    net.update(data)
    faces = net.nodes.get_facecolors()
    np.testing.assert_allclose(faces, style.stage_rgba()[data.node_stage])
    matplotlib.pyplot.close("all")


def test_series_colours_cycle_the_palette():
    n = len(style.PALETTE)
    assert [style.series_color(i) for i in range(n)] == list(style.PALETTE)
    assert style.series_color(n + 1) == style.PALETTE[1]


def test_style_context_applies_the_house_style_and_restores():
    before = matplotlib.rcParams["axes.spines.top"]
    with style.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["grid.color"] == style.GRID_COLOR
    assert matplotlib.rcParams["axes.spines.top"] == before


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (math.nan, "—"),
        (np.nan, "—"),
        (None, "—"),
        (pd.NA, "—"),
        (1234567, "1,234,567"),
        (np.int64(-98765432), "-98,765,432"),
        (0, "0"),
        (154877.06, "155,000"),
        (2000.0, "2,000"),
        (0.013812, "0.0138"),
        (0.000123456, "0.000123"),
        (1.23456e-7, "1.23e-07"),
        (6.02e23, "6.02e+23"),
        (-2.0, "-2.00"),
        (-0.013812, "-0.0138"),
        (-1234.5, "-1,230"),
        (0.0, "0"),
        (-0.0, "0"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (np.float32(0.5), "0.500"),
        (True, "true"),
        ("balanced", "balanced"),
    ],
)
def test_fmt(x, text):
    assert style.fmt(x) == text


def test_fmt_digits_missing_and_trim():
    assert style.fmt(154877.06, 5) == "154,880"
    assert style.fmt(1 / 26, 4) == "0.03846"
    assert style.fmt(0.5, trim=True) == "0.5"
    assert style.fmt(2000.0, trim=True) == "2,000"
    assert style.fmt(1.5e-7, trim=True) == "1.5e-07"
    assert style.fmt(math.nan, missing="–") == "–"
    assert style.fmt(0.1 + 0.2) == style.fmt(0.3)  # floating-point noise does not show


def test_report_fmt_is_the_style_formatter():
    from cxsim.viz.report import fmt

    for x in (154877.06, 0.013812, -2.0, 9.5, 1e-9, 12.0):
        assert fmt(x) == style.fmt(x)
        assert fmt(x, 2) == style.fmt(x, 2)
    assert fmt(math.nan) == "nan"


# --------------------------------------------------------------------------------------------
# Registries
# --------------------------------------------------------------------------------------------


def test_every_metric_has_its_registry_label():
    assert set(plots.METRIC_LABELS) == set(METRIC_INFO)
    for name, metric in METRIC_INFO.items():
        assert plots.METRIC_LABELS[name] == metric.label


def _declaration(keyword: str) -> tuple[dataclasses.Field, object]:
    """The field that declares a sidebar keyword's parameter, and its default-market value."""
    scenario = Scenario()
    name = {"focal_strategy": "strategy", "rival_strategy": "strategy"}.get(keyword, keyword)
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            if f.name == name:
                return f, getattr(getattr(scenario, section), name)
    firm = 1 if keyword == "rival_strategy" else 0
    for f in dataclasses.fields(FirmSpec):
        if f.name == name:
            return f, getattr(scenario.firms[firm], name)
    raise KeyError(keyword)


def test_sidebar_defaults_and_ranges_come_from_the_parameter_registry():
    params = model_params()
    sliders = {k: s for k, s in params.items() if s["type"].startswith("Slider")}
    assert {"n_customers", "budget", "expectation_inflation", "trust_loss", "voice_minor"} <= set(
        sliders
    )
    for keyword, spec in sliders.items():
        f, default = _declaration(keyword)
        assert spec["value"] == default, keyword
        low, high = f.metadata["low"], f.metadata["high"]
        assert low <= spec["min"] < spec["max"] <= high, keyword
        assert spec["min"] <= spec["value"] <= spec["max"], keyword
        assert f.metadata["unit"] in spec["label"] or f.metadata["unit"] == spec["label"].lower()
    for keyword in ("focal_strategy", "rival_strategy", "network"):
        f, default = _declaration(keyword)
        assert params[keyword]["value"] == default
        assert set(params[keyword]["values"]) <= set(f.metadata["choices"])


def test_dashboard_market_defaults_are_the_default_market():
    scenario = Scenario()
    m = DashboardMarket()
    assert m.config.customers == scenario.customers
    assert m.config.market == scenario.market
    assert m.config.network == scenario.network
    assert m.config.firms == scenario.firms


def test_teaching_ranges_lie_inside_the_declared_ranges():
    for control in controls.CONTROLS:
        if control.step is not None:
            meta = control.field.metadata
            low, high = control.bounds()
            assert meta["low"] <= low < high <= meta["high"]
    with pytest.raises(ValueError, match="teaching range"):
        controls.Control("outside_utility", SECTIONS["market"], "outside_utility", "x", 0.1).spec()
    with pytest.raises(ValueError, match="not inside"):
        controls.Control(
            "trust_loss", SECTIONS["customers"], "trust_loss", "x", 0.1, (0.0, 2.0)
        ).spec()


def test_slider_defaults_lie_on_their_grids():
    # the browser rounds a slider's value to min + k·step with the step's decimals when it shows
    for keyword, spec in model_params().items():
        if spec["type"].startswith("Slider"):
            snapped = controls.snap(spec["value"], spec["min"], spec["max"], spec["step"])
            assert snapped == spec["value"], keyword
    assert controls.snap(1 / 26, 0.0, 1.0, 0.01) == 0.04  # what a 0.01 step would have done
    with pytest.raises(ValueError, match="off the slider's grid"):
        controls.Control("voice_minor", SECTIONS["customers"], "voice_minor", "x", 0.01).spec()
