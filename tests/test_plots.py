"""Figures: every axis labelled with its unit, nothing shown, Figure/Axes returned."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cxsim import preset  # noqa: E402
from cxsim.experiments import compare  # noqa: E402
from cxsim.viz.plots import (  # noqa: E402
    METRIC_LABELS,
    plot_cumulative_profit,
    plot_headline,
    plot_ladder,
    plot_metric_bands,
)


@pytest.fixture(scope="module")
def frame():
    pair = [
        preset(n).with_overrides({"customers.n_customers": 200})
        for n in ("acquisition_focus", "retention_focus")
    ]
    return compare(pair, replications=3, weeks=12, executor="serial", progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def title(ax: Axes) -> str:
    return " ".join(ax.get_title(loc=loc) for loc in ("left", "center", "right"))


def labelled(ax: Axes) -> bool:
    return bool(ax.get_xlabel().strip()) and bool(ax.get_ylabel().strip())


def test_ladder(frame):
    ax = plot_ladder(frame)
    assert isinstance(ax, Axes) and labelled(ax)
    assert "years" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Prospect", "Buyer", "Repeat", "Client", "Advocate", "Lost"} == set(labels)
    # the stack adds up to the market: every customer has a stage with each firm
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(200)


def test_ladder_on_given_axes_and_firm(frame):
    fig, ax = plt.subplots()
    assert plot_ladder(frame, firm="rival", ax=ax, scenario="retention_focus") is ax
    assert "rival" in title(ax) and "retention_focus" in title(ax)
    with pytest.raises(KeyError):
        plot_ladder(frame, firm="nobody")


@pytest.mark.parametrize(
    "metric", ["active", "alive", "customers", "churn_rate", "npv", "nps", "clv"]
)
def test_metric_bands(frame, metric):
    ax = plot_metric_bands(frame, metric)
    assert labelled(ax) and ax.get_ylabel() == METRIC_LABELS[metric]
    assert "(" in ax.get_ylabel()  # a unit
    assert len(ax.get_lines()) == 2  # one mean per scenario
    assert len(ax.collections) == 2  # and its band
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["acquisition_focus", "retention_focus"]


def test_metric_bands_by_firm(frame):
    ax = plot_metric_bands(frame, "customers", by="firm", scenario="retention_focus")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["focal", "rival"]


def test_cumulative_profit(frame):
    ax = plot_cumulative_profit(frame)
    assert labelled(ax) and "NPV" in ax.get_ylabel() and "currency" in ax.get_ylabel()


def test_headline_figure(frame, tmp_path):
    fig = plot_headline(frame)
    assert isinstance(fig, Figure)
    axes = fig.get_axes()
    assert len(axes) == 3
    assert all(labelled(ax) for ax in axes)
    assert "acquisition_focus" in title(axes[0])
    assert "retention_focus" in title(axes[1])
    assert axes[0].get_ylim() == axes[1].get_ylim()
    fig.savefig(tmp_path / "headline.png")
    assert (tmp_path / "headline.png").stat().st_size > 10_000


def test_no_show(frame, monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show was called"))
    plot_headline(frame)
    plot_ladder(frame)


def test_plot_intervals_draws_one_range_per_scenario_and_year(frame):
    from cxsim.experiments import summarize
    from cxsim.viz.plots import plot_intervals

    summary = summarize(frame, weeks=(4, 12), metrics=("customers",), baseline="acquisition_focus")
    ax = plot_intervals(summary, "customers")
    assert ax.get_ylabel() and ax.get_xlabel()
    ax2 = plot_intervals(summary, "customers", diff=True)
    assert ax2.get_ylabel() != ax.get_ylabel()  # a difference is labelled as one
    with pytest.raises(KeyError):
        plot_intervals(summary, "not_a_metric")


def test_plot_sweep_map_labels_its_axes_and_colour_bar():
    import pandas as pd

    from cxsim.viz.plots import plot_sweep_map

    grid = pd.DataFrame(
        {"a": [0.1, 0.1, 0.2, 0.2], "b": [1.0, 2.0, 1.0, 2.0], "diff_mean": [-1.0, 2.0, 3.0, 4.0]}
    )
    ax = plot_sweep_map(
        grid, "a", "b", xlabel="a (per week)", ylabel="b (per year)", clabel="NPV gap (currency)"
    )
    assert ax.get_xlabel() == "a (per week)" and ax.get_ylabel() == "b (per year)"
    assert any(
        c.get_label() == "<colorbar>" or c.get_ylabel() for c in ax.figure.axes if c is not ax
    )
