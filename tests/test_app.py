"""The dashboard (cxsim/viz/app.py) without a browser: the model behind it, its data, and the page
rendered with ``solara.render`` (the same widgets a browser or a notebook shows)."""

from __future__ import annotations

import inspect

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import reacton.core
import solara
from mesa.visualization.solara_viz import _check_model_params

from cxsim.core.network import NETWORK_KINDS
from cxsim.core.rules import STAGES
from cxsim.params import STRATEGIES
from cxsim.viz import app
from cxsim.viz.app import (
    CHARTS,
    NETWORKS,
    DashboardMarket,
    cached_layout,
    dashboard_data,
    make_page,
    model_params,
    network_layout,
    render_all,
)

PNG = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------------------
# The model behind the page
# --------------------------------------------------------------------------------------------


def test_flat_keywords_reach_the_market():
    m = DashboardMarket(
        n_customers=300,
        focal_strategy="customer_intimacy",
        rival_strategy="none",
        budget=0.2,
        expectation_inflation=0.01,
        trust_loss=0.3,
        voice_minor=0.1,
        network="erdos_renyi",
        seed="7",
    )
    cfg = m.config
    assert [f.name for f in m.firms] == ["focal", "rival"]
    assert [f.spec.strategy for f in m.firms] == ["customer_intimacy", "none"]
    assert [f.spec.budget for f in m.firms] == [0.2, 0.2]
    assert cfg.customers.n_customers == 300 and m.customers.n == 300
    assert cfg.market.expectation_inflation == 0.01
    assert cfg.customers.trust_loss == 0.3
    assert cfg.customers.voice_minor == 0.1
    assert cfg.network.network == "erdos_renyi" and m.network.kind == "erdos_renyi"


def test_other_parameters_pass_through():
    m = DashboardMarket(n_customers=200, seed=1, wom_negative_reach=0.5, dt=0.5)
    assert m.config.customers.wom_negative_reach == 0.5
    assert m.config.market.dt == 0.5


@pytest.mark.parametrize("seed", [3, "3", " 3 ", "class of 2026"])
def test_same_seed_same_market(seed):
    a, b = DashboardMarket(n_customers=200, seed=seed), DashboardMarket(n_customers=200, seed=seed)
    a.run_for(5)
    b.run_for(5)
    assert a.npv == b.npv


def test_seed_parsing():
    assert app.parse_seed("42") == 42 == app.parse_seed(42)
    assert app.parse_seed("") is None and app.parse_seed(None) is None
    assert app.parse_seed("abc") == app.parse_seed("abc") != app.parse_seed("abd")
    with pytest.raises(TypeError):
        app.parse_seed(True)
    DashboardMarket(n_customers=200, seed="")  # a fresh random market


def test_model_params_fit_the_model():
    params = model_params()
    keywords = inspect.signature(DashboardMarket.__init__).parameters
    assert set(params) <= set(keywords)
    assert params["focal_strategy"]["values"] == list(STRATEGIES)
    assert params["rival_strategy"]["values"] == list(STRATEGIES)
    assert (
        params["network"]["values"]
        == list(NETWORKS)
        == [k for k in NETWORK_KINDS if k != "complete"]
    )
    n = params["n_customers"]
    assert (n["min"], n["max"]) == (200, 2000)
    b = params["budget"]
    assert (b["min"], b["max"]) == (0.0, 0.3)
    for spec in params.values():  # every default is inside its range
        if "min" in spec:
            assert spec["min"] <= spec["value"] <= spec["max"]
    model = DashboardMarket(n_customers=200)
    _check_model_params(model, params)  # what SolaraViz checks
    # SolaraViz's Reset builds type(model)(**values): the sidebar's defaults must do
    DashboardMarket(**{**{k: s["value"] for k, s in params.items()}, "n_customers": 200})


@pytest.mark.parametrize("network", NETWORKS)
def test_every_network_draws(network):
    m = DashboardMarket(n_customers=200, network=network, seed=5)
    m.run_for(2)
    pngs = render_all(m)
    assert list(pngs) == list(CHARTS)
    assert all(p.startswith(PNG) for p in pngs.values())


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_every_strategy_builds(strategy):
    m = DashboardMarket(n_customers=200, focal_strategy=strategy, rival_strategy=strategy)
    m.step()
    assert dashboard_data(m).week.size == 2


# --------------------------------------------------------------------------------------------
# Data work and layout
# --------------------------------------------------------------------------------------------


def test_data_follows_the_model():
    m = DashboardMarket(n_customers=300, seed=2)
    d0 = dashboard_data(m)
    assert dashboard_data(m) is d0  # computed once per step
    assert d0.week.tolist() == [0.0]
    m.run_for(3)
    d = dashboard_data(m)
    assert d is not d0 and d.steps == 3
    assert d.week.tolist() == [0.0, 1.0, 2.0, 3.0]
    frame = m.to_frame()
    for name in ("npv", "mean_trust", "complaints", "silent", *STAGES):
        expected = frame.pivot(index="week", columns="firm", values=name)[d.firms].to_numpy()
        np.testing.assert_array_equal(d.series[name], expected)
    np.testing.assert_array_equal(d.series["cum_silent"], np.cumsum(d.series["silent"], axis=0))
    # node colours are the customers' ladder stages, as the Customer agents report them
    for row in (0, 17, 150, 299):
        assert STAGES[d.node_stage[row]] == m.customer(row).ladder_stage


def test_history_grows_past_its_first_capacity():
    m = DashboardMarket(n_customers=200, seed=2)
    dashboard_data(m)
    m.run_for(70)
    d = dashboard_data(m)
    assert d.week.size == 71 and d.series["npv"].shape == (71, 2)
    np.testing.assert_array_equal(d.series["npv"][-1], [m.npv["focal"], m.npv["rival"]])


@pytest.mark.parametrize("network", NETWORKS)
def test_layout_is_cached_and_leaves_the_market_alone(network):
    m = DashboardMarket(n_customers=400, network=network, seed=4)
    state = m.rng.bit_generator.state
    pos = cached_layout(m)
    assert cached_layout(m) is pos  # once per market
    assert pos.shape == (400, 2) and np.isfinite(pos).all() and np.abs(pos).max() <= 1.0 + 1e-9
    assert m.rng.bit_generator.state == state  # the model's random numbers are untouched
    np.testing.assert_array_equal(network_layout(m.network), pos)  # deterministic


def test_big_market_skips_the_network_view():
    m = DashboardMarket(n_customers=2500, seed=1)
    assert dashboard_data(m).node_stage is None
    box, rc = solara.render(_in_app_layout(make_page(m)), handle_error=False)
    try:
        assert len(_images(rc)) == len(CHARTS) - 1
        assert any("2,000" in str(w.children) for w in rc.find(v.Alert).widgets)
    finally:
        rc.close()


# --------------------------------------------------------------------------------------------
# The page, rendered
# --------------------------------------------------------------------------------------------


@solara.component
def _AppLayout(children):
    # `solara run` and Jupyter put a page into an AppLayout (it hosts the sidebar's controls)
    with solara.AppLayout():
        solara.Column(children=children)


def _in_app_layout(element):
    return _AppLayout(children=[element])


def _images(rc) -> list[bytes]:
    return [
        bytes(w.value) for w in rc.find(widgets.Image).widgets if "cxsim-plot" in w._dom_classes
    ]


def _caption(rc) -> str:
    spans = rc.find(v.Html, tag="span").widgets
    texts = [w.children[0] for w in spans if "cxsim-caption" in (w.class_ or "").split()]
    assert len(texts) == 1
    return texts[0]


def test_page_renders_and_a_step_changes_the_plots():
    m = DashboardMarket(n_customers=300, seed=3)
    box, rc = solara.render(_in_app_layout(make_page(m)), handle_error=False)
    try:
        before = _images(rc)
        assert len(before) == len(CHARTS) and all(p.startswith(PNG) for p in before)
        assert _caption(rc).startswith("Week 0 · 300 customers")
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert m.steps == 1
        after = _images(rc)
        changed = [name for name, a, b in zip(CHARTS, before, after, strict=True) if a != b]
        assert "profit" in changed and len(changed) >= len(CHARTS) - 1, changed
        assert _caption(rc).startswith("Week 1 ·")
    finally:
        rc.close()


def test_slider_then_reset_builds_a_new_market():
    m = DashboardMarket(n_customers=300, seed=3)
    box, rc = solara.render(_in_app_layout(make_page(m)), handle_error=False)
    try:
        customers = [s for s in rc.find(v.Slider).widgets if s.label == "Customers"]
        assert len(customers) == 1
        customers[0].v_model = 500  # what moving the slider does
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert _caption(rc).startswith("Week 0 · 500 customers")
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert _caption(rc).startswith("Week 1 · 500 customers")
        assert m.steps == 0  # the old market is left alone
    finally:
        rc.close()


def test_module_page_displays_as_in_a_notebook():
    # what `from cxsim.viz.app import page; page` does in a Jupyter cell: the element is wrapped
    # in solara's embedded AppLayout and rendered
    element = reacton.core._wrap(app.page, reacton.core.jupyter_decorator_components)
    box, rc = solara.render(element, handle_error=False)
    try:
        assert len(_images(rc)) == len(CHARTS)
        assert _caption(rc).startswith("Week 0 · 2,000 customers")
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert _caption(rc).startswith("Week 1 ·")
    finally:
        rc.close()


def test_serve_runs_solara(monkeypatch):
    calls = []
    monkeypatch.setattr(app.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert app.serve(host="127.0.0.1", port=9123) == 0
    (cmd,) = calls
    assert cmd[1:4] == ["-m", "solara", "run"]
    assert cmd[4].endswith("app.py")
    assert cmd[5:] == ["--host", "127.0.0.1", "--port", "9123", "--production"]


def test_reset_scenario_from_mesa_is_accepted():
    # SolaraViz's Reset passes scenario=<mesa Scenario>; a cxsim Scenario still works
    from mesa.experimental.scenarios import Scenario as MesaScenario

    from cxsim import Scenario

    assert DashboardMarket(n_customers=200, scenario=MesaScenario()).customers.n == 200
    base = Scenario().with_overrides(churn_base=0.01)
    assert DashboardMarket(n_customers=200, scenario=base).config.customers.churn_base == 0.01
