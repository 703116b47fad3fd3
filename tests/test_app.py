"""The dashboard (cxsim/viz/app.py) without a browser: the model behind it, its data, its charts
and network view, play pacing, and the page rendered with ``solara.render`` (the same widgets a
browser or a notebook shows)."""

from __future__ import annotations

import inspect
import io
import re
import time

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import reacton.core
import solara
from matplotlib.text import Text
from mesa.visualization.solara_viz import _check_model_params
from PIL import Image

from cxsim import Market, Scenario
from cxsim.core.network import NETWORK_KINDS
from cxsim.core.rules import STAGES
from cxsim.params import STRATEGIES
from cxsim.viz import app
from cxsim.viz.app import (
    CHARTS,
    NETWORKS,
    PAGE_NAME,
    DashboardMarket,
    cached_layout,
    dashboard_data,
    make_page,
    model_params,
    network_layout,
    render_all,
    render_chart,
)
from cxsim.viz.dashboard import charts, controls, network_view, play
from cxsim.viz.dashboard.charts import DPI, MIN_FONT_PX, chart, nice_limits

PNG = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------------------
# The model behind the page
# --------------------------------------------------------------------------------------------


def test_flat_keywords_reach_the_market():
    m = DashboardMarket(
        n_customers=300,
        focal_strategy="customer_intimacy",
        rival_strategy="none",
        budget=20800.0,
        expectation_inflation=0.01,
        trust_loss=0.3,
        voice_minor=0.1,
        network="erdos_renyi",
        seed="7",
    )
    cfg = m.config
    assert [f.name for f in m.firms] == ["focal", "rival"]
    assert [f.spec.strategy for f in m.firms] == ["customer_intimacy", "none"]
    assert [f.spec.budget for f in m.firms] == [20800.0, 20800.0]
    assert cfg.customers.n_customers == 300 and m.customers.n == 300
    assert cfg.market.expectation_inflation == 0.01
    assert cfg.customers.trust_loss == 0.3
    assert cfg.customers.voice_minor == 0.1
    assert cfg.network.network == "erdos_renyi" and m.network.kind == "erdos_renyi"


def test_settings_override_the_keywords():
    # what SolaraViz's Reset passes: the sidebar's values as one mapping
    m = DashboardMarket(n_customers=200, settings={"n_customers": 300, "seed": "5", "dt": 0.5})
    assert m.customers.n == 300 and m.config.market.dt == 0.5
    assert m.settings["n_customers"] == 300 and m.settings["seed"] == "5"


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
    with pytest.raises(ValueError, match="negative") as info:
        app.parse_seed("-5")
    assert "\n" not in str(info.value)
    DashboardMarket(n_customers=200, seed="")  # a fresh random market


def test_defaults_are_the_default_market_and_the_command_lines():
    # the page starts where `cxsim run default --seed S` and the notebooks start
    m = DashboardMarket(**controls.defaults())
    assert m.config.to_dict() == Scenario().to_dict()
    small = DashboardMarket(n_customers=300, seed=11)
    small.run_for(6)
    cli = Market(Scenario().with_overrides(n_customers=300), rng=11, customer_agents=False)
    cli.run_for(6)
    assert small.npv == cli.npv


def test_the_market_stops_at_its_horizon():
    m = DashboardMarket(n_customers=200, seed=1, weeks=5)
    assert m.horizon == 5 and m.running
    m.run_for(8)  # Play may ask for more: none goes past the horizon
    assert m.week == 5 and not m.running and m.steps == 8


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
    assert (b["min"], b["max"]) == (0.0, 1_605.0)
    for spec in params.values():  # every default is inside its range
        if "min" in spec:
            assert spec["min"] <= spec["value"] <= spec["max"]
    model = DashboardMarket(n_customers=200)
    # what SolaraViz checks: the page hands it one fixed parameter, the sidebar's values
    _check_model_params(model, {"settings": controls.defaults()})
    DashboardMarket(settings={**controls.defaults(), "n_customers": 200})


def test_sidebar_values_are_shown_with_their_units_and_checked():
    shown = {c.keyword: c.show(c.default) for c in controls.CONTROLS}
    assert shown["n_customers"] == "Customers: 2,000"
    assert shown["budget"] == "Budget per firm: 535 currency per year"
    assert shown["trust_loss"] == "Trust loss: 0.20 per miss"
    assert shown["voice_minor"].startswith("Complaint voice rate: 0.0385")
    assert controls.check("seed", "-5")[1].startswith("seed -5 is negative")
    assert controls.check("seed", "class 3B") == ("class 3B", None)
    assert controls.check("n_customers", 500.0) == (500, None)
    assert "not one of" in controls.check("network", "complete")[1]
    assert "not a number" in controls.check("budget", "lots")[1]


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
    view = network_view.view_layout(m, "sample")
    assert network_view.view_layout(m, "sample") is view
    assert m.rng.bit_generator.state == state  # the model's random numbers are untouched
    np.testing.assert_array_equal(network_layout(m.network), pos)  # deterministic


# --------------------------------------------------------------------------------------------
# The network view: a readable piece of the network
# --------------------------------------------------------------------------------------------


def _connected(network, rows) -> bool:
    members = set(rows.tolist())
    start = int(rows[0])
    seen, todo = {start}, [start]
    while todo:
        row = todo.pop()
        for other in network.indices[network.indptr[row] : network.indptr[row + 1]].tolist():
            if other in members and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen == members


@pytest.mark.parametrize("network", ["watts_strogatz", "barabasi_albert", "erdos_renyi"])
def test_sample_is_a_connected_piece_of_the_network(network):
    m = DashboardMarket(n_customers=2000, network=network, seed=3)
    lay = network_view.view_layout(m, "sample")
    assert lay.rows.size == network_view.SAMPLE_SIZE
    assert _connected(m.network, lay.rows)
    # the contacts drawn are exactly the contacts among the drawn customers
    ids = lay.rows
    drawn = {(int(ids[a]), int(ids[b])) for a, b in zip(lay.u, lay.v, strict=True)}
    among = {
        (int(r), int(o))
        for r in ids
        for o in m.network.indices[m.network.indptr[r] : m.network.indptr[r + 1]]
        if r < o and o in set(ids.tolist())
    }
    assert drawn == among
    assert "300 of 2,000 customers" in lay.description


def test_neighbourhood_has_the_customer_their_contacts_and_theirs():
    m = DashboardMarket(n_customers=2000, seed=3)
    lay = network_view.view_layout(m, "neighbourhood", 17)
    net = m.network
    first = set(net.indices[net.indptr[17] : net.indptr[18]].tolist())
    assert lay.rows[0] == 17 and lay.ring[0] == 0
    assert set(lay.rows[lay.ring == 1].tolist()) == first
    for row in lay.rows[lay.ring == 2]:
        contacts = set(net.indices[net.indptr[row] : net.indptr[row + 1]].tolist())
        assert contacts & first and row not in first
    assert lay.rows.size <= network_view.SAMPLE_SIZE
    assert network_view.describe_focus(m, 17) is None
    assert "does not exist" in network_view.describe_focus(m, 5000)
    assert "customer number" in network_view.describe_focus(m, "x")


def test_big_market_draws_a_sample():
    m = DashboardMarket(n_customers=2500, seed=1)
    picture = render_chart(m, "network")
    assert picture.startswith(PNG)
    assert network_view.view_layout(m, "sample").rows.size == network_view.SAMPLE_SIZE


def test_network_is_redrawn_only_when_a_drawn_customer_changes_stage():
    m = DashboardMarket(n_customers=300, seed=2)
    net = network_view.NetworkChart(m, dashboard_data(m))
    assert net.update(dashboard_data(m)) is True
    assert net.update(dashboard_data(m)) is False  # same week: nothing to redraw
    m.step()
    changed = not np.array_equal(net.stages(), net._codes)
    assert net.update(dashboard_data(m)) is changed


# --------------------------------------------------------------------------------------------
# Charts: legible on a projector, redrawn only where they changed
# --------------------------------------------------------------------------------------------


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_every_text_on_a_chart_is_projector_sized():
    m = DashboardMarket(n_customers=300, seed=1)
    m.run_for(30)
    render_all(m)
    for name in CHARTS:
        fig = chart(m, name).fig
        fig.canvas.draw()
        texts = _texts(fig)
        assert texts, name
        for t in texts:
            px = t.get_fontsize() * DPI / 72
            assert px >= MIN_FONT_PX - 1e-9, (name, t.get_text(), px)
    width, height = Image.open(io.BytesIO(render_chart(m, "profit"))).size
    assert (width, height) == (charts.WIDTH_PX, charts.HEIGHT_PX)


def test_lines_are_drawn_on_a_kept_background():
    # the default market at 300 customers: budgets scaled with it (same spend per customer)
    default = DashboardMarket(seed=4)
    budget = default.firms[0].spec.budget * 300 / default.customers.n
    m = DashboardMarket(n_customers=300, budget=budget, seed=4)
    for _ in range(60):
        render_all(m)
        m.step()
    render_all(m)
    for name in CHARTS:
        if name == "network":
            continue
        c = chart(m, name)
        assert c.updates == 61
        assert c.redraws <= 10, (name, c.redraws)  # the axes moved a few times, not each week
    # what the kept background and the lines give is what a full drawing gives
    kept = charts.png(chart(m, "profit").fig)
    fresh = CHARTS["profit"].build(m, dashboard_data(m))
    fresh.ylim = chart(m, "profit").ylim
    fresh.update(dashboard_data(m))
    fresh.fig.canvas.draw()  # everything, lines included, from scratch
    for line, spec in zip(fresh.lines, fresh.specs, strict=True):
        fresh.axes[spec.axis].draw_artist(line)
    assert charts.png(fresh.fig) == kept


def test_the_page_draws_lines_over_a_kept_background():
    # a market whose profit stays within the axes' headroom from week 30 to 31 (a step that
    # crosses it redraws the background, as it should; that is tested elsewhere)
    m = DashboardMarket(n_customers=1000, seed=4)
    m.run_for(30)
    background, svg = charts.chart_layers(m, "profit")
    assert background.startswith(PNG) and svg.startswith("<svg")
    assert charts.chart_layers(m, "profit")[1] is svg  # once per week
    m.step()
    background2, svg2 = charts.chart_layers(m, "profit")
    assert background2 is background and svg2 != svg  # the axes held: only the lines move
    c = chart(m, "profit")
    assert svg2.count("<polyline") == len(c.lines)
    # the SVG's last point of each line is where matplotlib puts it
    width, height = c.fig.canvas.get_width_height()
    for line, spec in zip(c.lines, c.specs, strict=True):
        x, y = line.get_data()
        px, py = c.axes[spec.axis].transData.transform((x[-1], y[-1]))
        assert f"{px:.1f} {height - py:.1f}" in svg2
    # the network view: one dot per drawn customer, in its stage's colour
    net_background, dots = charts.chart_layers(m, "network")
    assert dots.count("<circle") == network_view.view_layout(m, "sample").rows.size
    assert net_background.startswith(PNG)


def test_pictures_are_made_once_per_week():
    m = DashboardMarket(n_customers=300, seed=4)
    first = render_chart(m, "trust")
    assert render_chart(m, "trust") is first
    m.step()
    assert render_chart(m, "trust") is not first


def test_axes_grow_in_steps():
    assert nice_limits(0.0, 412.0) == (0.0, 600.0)
    assert nice_limits(0.0, 580.0, (0.0, 600.0)) == (0.0, 600.0)  # still fits: unchanged
    low, high = nice_limits(-3.0, 5.0)
    assert low <= -3.0 and high >= 5.0
    assert nice_limits(0.5, 0.6, (0.0, 1.0)) == (0.0, 1.0)  # never shrinks
    m = DashboardMarket(n_customers=200, seed=1)
    render_chart(m, "profit")
    assert chart(m, "profit").xlim == (0.0, 13.0)
    m.run_for(20)
    render_chart(m, "profit")
    assert chart(m, "profit").xlim == (0.0, 26.0)
    render_chart(m, "trust")
    assert chart(m, "trust").ylim == (0, 1)


# --------------------------------------------------------------------------------------------
# Play speed
# --------------------------------------------------------------------------------------------


def test_pace_fills_each_frame_to_the_speed():
    for speed in play.SPEEDS.values():
        for draw in (20.0, 60.0, 120.0):
            interval = play.pace(speed, draw, 5.0)
            assert (interval - 1) % 10 == 0 and 1 <= interval <= 491  # SolaraViz's grid
            frame = interval + 5.0 + draw
            if interval > 1:  # reachable: within one grid step of the target
                assert 1000 / speed - 10 <= frame <= 1000 / speed + 1e-9
    assert play.pace(20, 120, 5) == 1  # faster than this computer draws: as fast as it can


def test_pacer_learns_the_drawing_time():
    pacer = play.Pacer(speed=10.0)
    interval = pacer.target(step_ms=5.0)
    now, steps = 0.0, 0
    for _ in range(12):  # frames of a Play whose redraw takes 30 ms
        now += (interval + 5.0 + 30.0) / 1000
        steps += 1
        new = pacer.frame(now, steps, interval, 1, 5.0)
        interval = new if new is not None else interval
    assert abs(pacer.draw_ms - 30.0) < 5
    assert abs(interval - play.pace(10.0, 30.0, 5.0)) <= 15  # within the dead band
    # a Step a second later is not a frame of a Play
    assert pacer.frame(now + 1.5, steps + 1, interval, 1, 5.0) is None


# --------------------------------------------------------------------------------------------
# The page, rendered
# --------------------------------------------------------------------------------------------


@solara.component
def _AppLayout(children):
    # `solara run` and Jupyter put a page into an AppLayout (it hosts the sidebar's controls)
    with solara.AppLayout():
        solara.Column(children=children)


def _render(model):
    return solara.render(_AppLayout(children=[make_page(model)]), handle_error=False)


def _images(rc) -> list[bytes]:
    return [
        bytes(w.value) for w in rc.find(widgets.Image).widgets if "cxsim-plot" in w._dom_classes
    ]


def _overlays(rc) -> list[str]:
    """The SVG drawn over each chart's picture (its lines, or the network's dots)."""
    return [
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if "cxsim-lines" in str(w.attributes.get("class", ""))
    ]


def _caption(rc) -> str:
    spans = rc.find(v.Html, tag="span").widgets
    texts = [w.children[0] for w in spans if "cxsim-caption" in (w.class_ or "").split()]
    assert len(texts) == 1
    return texts[0]


def _classed(rc, cls) -> list:
    return [w for w in rc.find(v.Alert).widgets if cls in (w.class_ or "").split()]


def _button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def _slider(rc, start):
    (found,) = [s for s in rc.find(v.Slider).widgets if str(s.label).startswith(start)]
    return found


def test_page_renders_and_a_step_changes_the_plots():
    m = DashboardMarket(n_customers=300, seed=3)
    box, rc = _render(m)
    try:
        pictures = _images(rc)
        assert len(pictures) == len(CHARTS) and all(p.startswith(PNG) for p in pictures)
        before = _overlays(rc)
        assert len(before) == len(CHARTS) and all(o.startswith("<svg") for o in before)
        assert _caption(rc).startswith("Week 0 of 260 · 300 customers")
        _button(rc, "Step").click()
        assert m.steps == 1 and m.shown == 1.0
        after = _overlays(rc)
        changed = sum(a != b for a, b in zip(before, after, strict=True))
        assert changed >= len(CHARTS) - 1  # the network only if a drawn customer changed
        assert _caption(rc).startswith("Week 1 of 260 ·")
    finally:
        rc.close()


def test_page_is_named_and_has_no_numbered_tab():
    box, rc = _render(DashboardMarket(n_customers=200, seed=1))
    try:
        titles = [w.children for w in rc.find(v.ToolbarTitle).widgets]
        assert [PAGE_NAME] in titles
        assert not rc.find(v.Tab).widgets  # SolaraViz's "Page 0" tab is gone
    finally:
        rc.close()


def test_sliders_show_their_values_and_a_change_waits_for_apply():
    m = DashboardMarket(n_customers=300, seed=3)
    box, rc = _render(m)
    try:
        customers = _slider(rc, "Customers")
        assert customers.label == "Customers: 300"
        assert re.fullmatch(
            r"Budget per firm: [\d,]+ currency per year", _slider(rc, "Budget per firm").label
        )
        assert not _classed(rc, "cxsim-pending")
        customers.v_model = 500  # what moving the slider does
        assert _slider(rc, "Customers").label == "Customers: 500"
        (note,) = _classed(rc, "cxsim-pending")
        assert "Customers" in str(note.children) and "Apply and restart" in str(note.children)
        assert _caption(rc).startswith("Week 0 of 260 · 300 customers")  # not yet
        _button(rc, "Apply and restart").click()
        assert _caption(rc).startswith("Week 0 of 260 · 500 customers")
        assert not _classed(rc, "cxsim-pending")
        _button(rc, "Step").click()
        assert _caption(rc).startswith("Week 1 of 260 · 500 customers")
        assert m.steps == 0  # the old market is left alone
    finally:
        rc.close()


def test_solaraviz_reset_builds_the_market_the_sidebar_shows():
    box, rc = _render(DashboardMarket(n_customers=300, seed=3))
    try:
        _slider(rc, "Customers").v_model = 400
        _button(rc, "Reset").click()
        assert _caption(rc).startswith("Week 0 of 260 · 400 customers")
    finally:
        rc.close()


def _seed_box(rc):
    (box,) = [w for w in rc.find(v.TextField).widgets if str(w.label).startswith("Seed")]
    return box


def _choose(rc, cls: str, label: str) -> None:
    """What clicking the toggle button ``label`` of the toggle group ``cls`` does."""
    (group,) = [w for w in rc.find(v.BtnToggle).widgets if cls in (w.class_ or "").split()]
    group.v_model = [b.children for b in group.children].index([label])


def _type(box, text: str) -> None:
    """What typing ``text`` into a text box and leaving it does."""
    box.v_model = text
    box.fire_event("focusout", None)


def test_negative_seed_is_a_message_beside_its_box_and_the_page_keeps_working():
    m = DashboardMarket(n_customers=300, seed=3)
    box, rc = _render(m)
    try:
        _type(_seed_box(rc), "-5")
        assert _seed_box(rc).error and "negative" in str(_seed_box(rc).messages)
        assert _button(rc, "Apply and restart").disabled
        _button(rc, "Step").click()  # the market on show runs on
        assert _caption(rc).startswith("Week 1 of 260 · 300 customers")
        _button(rc, "Reset").click()  # SolaraViz's Reset builds from the last valid values
        assert _caption(rc).startswith("Week 0 of 260 · 300 customers")
        _type(_seed_box(rc), "7")
        assert not _seed_box(rc).error
        _button(rc, "Apply and restart").click()
        assert _caption(rc).startswith("Week 0 of 260 · 300 customers")
    finally:
        rc.close()


def test_network_view_switches_and_checks_the_customer_number():
    box, rc = _render(DashboardMarket(n_customers=500, seed=3))
    try:
        before = _images(rc)[0]
        _choose(rc, "cxsim-network-mode", "neighbourhood")
        (focus,) = [w for w in rc.find(v.TextField).widgets if w.label == "Customer number"]
        _type(focus, "9999")
        assert focus.error and "does not exist" in str(focus.messages)
        _type(focus, "42")
        assert not focus.error
        notes = [
            w.children[0]
            for w in rc.find(v.Html, tag="span").widgets
            if "cxsim-note" in (w.class_ or "").split()
        ]
        assert any(n.startswith("customer 42 (centre)") for n in notes)
        assert _images(rc)[0] != before
    finally:
        rc.close()


def _wait(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_play_stops_at_the_horizon_and_apply_starts_again():
    m = DashboardMarket(n_customers=200, seed=3, weeks=6)
    box, rc = _render(m)
    try:
        _choose(rc, "cxsim-speed", "2 weeks/s")
        interval = _slider(rc, "Play Interval").v_model
        assert interval > 300  # slow: most of each half second is a pause
        _choose(rc, "cxsim-speed", "20 weeks/s")
        assert _slider(rc, "Play Interval").v_model < interval
        _button(rc, "▶").click()
        _wait(lambda: not m.running)
        _wait(lambda: _caption(rc).startswith("Week 6 of 6"))
        assert m.week == 6
        _wait(lambda: _button(rc, "❚❚").disabled)  # SolaraViz: still "playing", but stopped
        assert _button(rc, "Step").disabled
        # the horizon note is drawn by its own component, which may render a moment later
        _wait(lambda: _classed(rc, "cxsim-horizon"))
        _button(rc, "Apply and restart").click()  # a fresh market, and a fresh Play
        # (Play's own thread may be the one that draws it: wait for the picture)
        _wait(lambda: _caption(rc).startswith("Week 0 of"))
        _wait(lambda: not _button(rc, "▶").disabled and not _button(rc, "Step").disabled)
        _button(rc, "Step").click()
        _wait(lambda: _caption(rc).startswith("Week 1 of"))
    finally:
        rc.close()


def test_module_page_displays_as_in_a_notebook():
    # what `from cxsim.viz.app import page; page` does in a Jupyter cell: the element is wrapped
    # in solara's embedded AppLayout and rendered
    element = reacton.core._wrap(app.page, reacton.core.jupyter_decorator_components)
    box, rc = solara.render(element, handle_error=False)
    try:
        assert len(_images(rc)) == len(CHARTS)
        assert _caption(rc).startswith("Week 0 of 260 · 2,000 customers")
        _button(rc, "Step").click()
        assert _caption(rc).startswith("Week 1 of 260 ·")
    finally:
        rc.close()


def test_serve_runs_solara(monkeypatch):
    import cxsim.experiments.processes as processes

    calls = []
    monkeypatch.setattr(app.subprocess, "Popen", lambda cmd, **kw: calls.append(cmd) or "proc")
    monkeypatch.setattr(processes, "supervise", lambda proc: 0 if proc == "proc" else 1)
    assert app.serve(host="127.0.0.1", port=9123) == 0
    (cmd,) = calls
    assert cmd[1:4] == ["-m", "solara", "run"]
    assert cmd[4].endswith("app.py")
    assert cmd[5:] == ["--host", "127.0.0.1", "--port", "9123", "--production"]


def test_reset_scenario_from_mesa_is_accepted():
    # SolaraViz's Reset passes scenario=<mesa Scenario>; a cxsim Scenario still works
    from mesa.experimental.scenarios import Scenario as MesaScenario

    assert DashboardMarket(n_customers=200, scenario=MesaScenario()).customers.n == 200
    base = Scenario().with_overrides(churn_base=0.01)
    assert DashboardMarket(n_customers=200, scenario=base).config.customers.churn_base == 0.01
