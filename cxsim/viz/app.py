"""The interactive dashboard: a Mesa SolaraViz page over :class:`cxsim.Market`, made to teach with.

Serve it in a browser (127.0.0.1 only)::

    solara run cxsim/viz/app.py --host 127.0.0.1 --port 8765 --production
    python -c "from cxsim.viz.app import serve; serve(port=8765)"    # the same, blocking

or show it in a notebook cell (JupyterLab, classic notebook or VS Code)::

    from cxsim.viz.app import page
    page

``make_page(model)`` shows the same page over a market you built yourself, e.g.
``make_page(DashboardMarket(n_customers=500, network="barabasi_albert"))``.

What is on the page (its name: :data:`PAGE_NAME`):

* SolaraViz's controls (**Reset**, **▶**/**❚❚**, **Step**, its play and render intervals) in the
  sidebar; **Play speed** sets the play interval for you, in weeks per second, from what it
  measures on the computer it runs on (:mod:`cxsim.viz.dashboard.play`). Play stops at the
  scenario's horizon (``market.weeks``, 260 weeks = five years by default).
* **Next market**: the parameters of the next market, generated from the parameter registry
  with the default market's values (the parameters ``cxsim run default`` and the notebooks
  start from: at seed S the page shows the market of ``cxsim run default --seed S``), each
  slider showing its value and unit. They apply when you press **Apply
  and restart** (or Reset); until then a note says which changed. A bad seed is a message beside
  its box; the market on show keeps running.
* The main area: the week and the market on show, the network view (a connected sample of
  customers, or one customer's neighbourhood, coloured by ladder stage) and six line charts.

Performance (``benchmarks/bench_browser.py`` measures it in Chromium): a Step costs the model's
step, the data work of :func:`dashboard_data` (the new DataCollector rows only) and, per chart,
its lines (or the network's dots) as a few kilobytes of SVG drawn over a background picture
that is made and sent again only when the axes move (:func:`chart_layers`); what did not
change is not re-sent. Every plot is a matplotlib figure: with ``solara-assets`` (which ships the page's
JavaScript) the page works offline, which Altair components would not.

This module is the page (Solara components, :func:`make_page`, :func:`serve`); its parts live in
:mod:`cxsim.viz.dashboard` and are re-exported here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import ipyvuetify as v
import reacton.core
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from cxsim.core.model import Market
from cxsim.viz.dashboard.charts import CHARTS, chart_layers, render_all, render_chart
from cxsim.viz.dashboard.controls import CONTROLS, NETWORKS, check, defaults, model_params
from cxsim.viz.dashboard.data import MAX_NETWORK_NODES, DashboardData, dashboard_data
from cxsim.viz.dashboard.market import DashboardMarket, parse_seed, settings_problem
from cxsim.viz.dashboard.network_view import (
    MODES,
    cached_layout,
    describe_focus,
    network_layout,
    view_layout,
)
from cxsim.viz.dashboard.play import DEFAULT_SPEED, SPEEDS, Pacer
from cxsim.viz.style import fmt

__all__ = [
    "CHARTS",
    "DashboardData",
    "DashboardMarket",
    "MAX_NETWORK_NODES",
    "NETWORKS",
    "PAGE_NAME",
    "Dashboard",
    "Page",
    "cached_layout",
    "chart_layers",
    "dashboard_data",
    "describe",
    "make_page",
    "model_params",
    "network_layout",
    "page",
    "parse_seed",
    "render_all",
    "render_chart",
    "serve",
]

#: The page's name: the app bar, the browser tab and the heading.
PAGE_NAME = "cxsim · customer-centric market"

#: Page style: projector-sized text, the charts in a grid at their drawn size, slider labels on
#: their own line above the track, and room at the bottom for solara's corner badge.
CSS = """
.cxsim-main { padding: 4px 8px 64px 8px; }
.cxsim-caption { font-size: 18px; font-weight: 500; }
.cxsim-caption-levers { font-size: 15px; color: #444; }
.cxsim-grid { display: grid; gap: 18px 22px; align-items: start;
    grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); margin-top: 10px; }
.cxsim-panel { min-width: 0; }
.cxsim-chart-title { font-size: 18px; font-weight: 600; display: block; margin-bottom: 2px; }
.cxsim-note { font-size: 14px; color: #444; line-height: 1.35; display: block; }
.cxsim-figure { position: relative; width: 100%; max-width: 440px; }
img.cxsim-plot { width: 100%; height: auto; display: block; }
.cxsim-lines { position: absolute; left: 0; top: 0; width: 100%; height: 100%;
    pointer-events: none; }
.cxsim-lines svg { width: 100%; height: 100%; display: block; }
.cxsim-card .v-input__slider .v-input__slot { flex-wrap: wrap; }
.cxsim-card .v-input__slider .v-input__slot > .v-label {
    flex: 1 0 100%; max-width: 100%; height: auto; white-space: normal; line-height: 1.3;
    margin: 0 0 2px 0; font-size: 15px; color: rgba(0, 0, 0, 0.87);
}
.cxsim-network-mode { flex-wrap: wrap; }
.cxsim-speed { display: flex; width: 100%; }
.cxsim-speed .v-btn { flex: 1 1 0; }
.cxsim-speed .v-btn, .cxsim-network-mode .v-btn {
    text-transform: none; font-size: 14px; letter-spacing: 0;
    min-width: 0 !important; padding: 0 4px !important; }
/* SolaraViz's "Model Parameters" card stays empty: this page's sidebar is its own */
.v-card:has(> .v-card__text > .v-sheet:empty) { display: none; }
.cxsim-apply { margin-top: 6px; }
"""


def describe(model: Market) -> str:
    """Two lines on the market on show: the week (of the horizon) and the market's inputs."""
    cfg = model.config
    firms = " vs ".join(f"{f.name} {f.spec.strategy}" for f in model.firms)
    budgets = "/".join(fmt(f.spec.budget, trim=True) for f in model.firms)
    horizon = getattr(model, "horizon", float(cfg.market.weeks))
    return (
        f"Week {model.week:g} of {horizon:g} · {fmt(model.customers.n)} customers · "
        f"{model.network.kind}\n"
        f"{firms} · budget {budgets} · "
        f"inflation {fmt(cfg.market.expectation_inflation, trim=True)} · "
        f"trust loss {fmt(cfg.customers.trust_loss, trim=True)} · "
        f"voice {fmt(cfg.customers.voice_minor)}"
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# --------------------------------------------------------------------------------------------
# The main area
# --------------------------------------------------------------------------------------------


@solara.component
def Status(model: Market, tick: int):
    """The week and the market on show; at the horizon, what to do next."""
    first, second = describe(model).split("\n")
    with solara.Column(gap="0px") as column:
        solara.Text(first, classes=["cxsim-caption"])
        solara.Text(second, classes=["cxsim-caption-levers"])
        if not model.running:
            solara.Info(
                f"Week {model.week:g} is this market's horizon: Play has stopped. "
                "Press Apply and restart (or Reset) for a new market.",
                classes=["cxsim-horizon"],
            )
    return column


@solara.component
def ChartPanel(model: Market, name: str, tick: int):
    """One line chart: its title and its picture (re-sent only when it changed)."""
    with solara.Column(gap="0px", classes=["cxsim-panel"]) as column:
        solara.Text(CHARTS[name].title, classes=["cxsim-chart-title"])
        try:
            background, lines = chart_layers(model, name)
        except Exception as exc:  # noqa: BLE001 - a chart that fails must not take the page
            solara.Error(f"{CHARTS[name].title}: {_one_line(exc)}")
        else:
            Figure(name, background, lines)
    return column


def Figure(name: str, background: bytes, overlay: str) -> None:
    """A chart on the page: its background picture with its lines (SVG) drawn over it; each
    re-sent only when it changed."""
    with solara.Div(classes=["cxsim-figure"]):
        solara.Image(background, format="png", classes=["cxsim-plot", f"cxsim-plot-{name}"])
        solara.HTML(
            tag="div", unsafe_innerHTML=overlay, classes=["cxsim-lines", f"cxsim-lines-{name}"]
        )


@solara.component
def NetworkPanel(model: Market, tick: int):
    """The network view with its own controls: which customers to draw."""
    mode = solara.use_reactive("sample")
    text = solara.use_reactive("")
    message = describe_focus(model, _as_int(text.value)) if text.value.strip() else None
    focus = _as_int(text.value) if text.value.strip() and message is None else None
    if mode.value == "neighbourhood" and focus is None:
        focus = 0
    with solara.Column(gap="0px", classes=["cxsim-panel"]) as column:
        solara.Text(CHARTS["network"].title, classes=["cxsim-chart-title"])
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "8px"}):
            solara.ToggleButtonsSingle(
                value=mode,
                values=list(MODES),
                dense=True,
                classes=["cxsim-network-mode"],
            )
            solara.InputText(
                "Customer number",
                value=text,
                error=message or False,
                message="blank: a customer chosen for you" if mode.value == "sample" else None,
                classes=["cxsim-focus"],
                style={"max-width": "230px"},
                dense=True,
            )
        try:
            background, dots = chart_layers(model, "network", mode=mode.value, focus=focus)
            what = view_layout(model, mode.value, focus).description
        except Exception as exc:  # noqa: BLE001
            solara.Error(f"network view: {_one_line(exc)}")
        else:
            Figure("network", background, dots)
            solara.Text(what, classes=["cxsim-note"])
    return column


def _as_int(text: str) -> Any:
    try:
        return int(str(text).strip())
    except ValueError:
        return text


@solara.component
def Pace(
    model: Market,
    tick: int,
    pacer: Pacer,
    play_interval: solara.Reactive,
    render_interval: solara.Reactive,
):
    """Invisible: measures each redraw while playing and keeps the play speed on target."""

    def measure():
        new = pacer.frame(
            time.perf_counter(),
            model.steps,
            play_interval.value,
            render_interval.value,
            getattr(model, "step_ms", 0.0),
        )
        if new is not None:
            play_interval.value = new

    solara.use_effect(measure)  # after every render
    return solara.Div(style={"display": "none"})


@solara.component
def Live(
    model: Market, pacer: Pacer, play_interval: solara.Reactive, render_interval: solara.Reactive
):
    """Everything that changes with the week. The one component of the page that listens to
    SolaraViz's step counter: it hands the count down, so that one Step is one render pass
    (each listener would be a pass of its own) and only the parts below are redone."""
    tick = update_counter.get()  # SolaraViz bumps it after every Step, Play frame and Reset

    def shown() -> None:
        # after the pass: the market may step again (DashboardMarket.step waits for this, so a
        # Play never runs ahead of the pictures, whichever thread draws them)
        if isinstance(model, DashboardMarket):
            model.max_lag = max(int(render_interval.value), 1)
            model.shown = model.week

    solara.use_effect(shown)  # after every render
    with solara.Column(gap="0px") as column:
        Status(model, tick)
        with solara.Div(classes=["cxsim-grid"]):
            NetworkPanel(model, tick)
            for name in CHARTS:
                if name != "network":
                    ChartPanel(model, name, tick)
        Pace(model, tick, pacer, play_interval, render_interval)
    return column


# --------------------------------------------------------------------------------------------
# The sidebar
# --------------------------------------------------------------------------------------------


@solara.component
def SpeedCard(
    model: Market, pacer: Pacer, play_interval: solara.Reactive, render_interval: solara.Reactive
):
    """Play speed in weeks per second (sets SolaraViz's play and render intervals)."""
    speed = solara.use_reactive(DEFAULT_SPEED)

    def choose(label: str) -> None:
        speed.value = label
        play_interval.value = pacer.set_speed(
            SPEEDS[label], getattr(model, "step_ms", 0.0), render_interval.value
        )

    horizon = getattr(model, "horizon", float(model.config.market.weeks))
    with solara.Card("Play speed", classes=["cxsim-card"]) as card:
        solara.ToggleButtonsSingle(
            value=speed.value, values=list(SPEEDS), on_value=choose, classes=["cxsim-speed"]
        )
        solara.Text(
            f"▶ plays at about this speed (it sets Play Interval, above, for this computer) and "
            f"stops at week {horizon:g}, the market's horizon. Faster than the computer can "
            "draw, raise Render Interval: it then draws every k-th week (and Step advances k).",
            classes=["cxsim-note"],
        )
    return card


def _press(rc: Any, label: str) -> bool:
    """Press SolaraViz's button ``label`` as a click would; whether it was found."""
    try:
        button = rc.find(v.Btn, children=[label]).widget
    except Exception:  # noqa: BLE001 - not found, or more than one
        return False
    button.click()
    return True


@solara.component
def NextMarketCard(current: solara.Reactive, settings: dict[str, Any], rc: Any):
    """The next market's parameters, their values shown, and the Apply and restart button."""
    specs = solara.use_memo(model_params, [])
    values = solara.use_reactive(dict(settings))
    texts = solara.use_reactive({"seed": str(settings.get("seed", ""))})
    errors = solara.use_reactive({})
    failure = solara.use_reactive(None)

    def set_value(key: str, value: Any) -> None:
        if key == "seed":
            texts.value = {**texts.value, key: "" if value is None else str(value)}
        checked, message = check(key, value)
        others = {k: v for k, v in errors.value.items() if k != key}
        errors.value = {**others, key: message} if message else others
        if message is None:
            settings[key] = checked  # what SolaraViz's Reset builds from, too
            values.value = {**values.value, key: checked}
        failure.value = None

    def apply() -> None:
        if errors.value:
            return
        problem = settings_problem(settings)
        if problem is not None:  # shown beside the button, never a traceback
            failure.value = problem
            return
        failure.value = None
        # SolaraViz's own Reset builds DashboardMarket(settings=<the sidebar's values>) and
        # starts its Play and Step afresh (they stop at the horizon); a page without it
        # (a notebook's own layout) gets the new market directly
        if not _press(rc, "Reset"):
            current.value = DashboardMarket(settings=dict(settings))

    on_show = getattr(current.value, "settings", {})
    changed = [c for c in CONTROLS if values.value.get(c.keyword) != on_show.get(c.keyword)]
    seed_changed = str(values.value.get("seed", "")) != str(on_show.get("seed", ""))
    with solara.Card("Next market", classes=["cxsim-card"]) as card:
        solara.Text(
            "These apply to the next market: set them, then press Apply and restart.",
            classes=["cxsim-note"],
        )
        for c in CONTROLS:
            spec = specs[c.keyword]
            value = values.value.get(c.keyword, spec["value"])
            on_value = lambda v, key=c.keyword: set_value(key, v)  # noqa: E731
            if spec["type"] == "Select":
                solara.Select(c.title, values=spec["values"], value=value, on_value=on_value)
            else:
                slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
                slider(
                    c.show(value),
                    value=value,
                    min=spec["min"],
                    max=spec["max"],
                    step=spec["step"],
                    on_value=on_value,
                )
        message = errors.value.get("seed")
        solara.InputText(
            specs["seed"]["label"],
            value=texts.value["seed"],
            on_value=lambda v: set_value("seed", v),
            error=message or False,
            classes=["cxsim-seed"],
        )
        if changed or seed_changed:
            names = [c.title for c in changed] + (["Seed"] if seed_changed else [])
            solara.Warning(
                f"Not applied yet: {', '.join(names)}. The market on show keeps its values "
                "until you press Apply and restart.",
                dense=True,
                classes=["cxsim-pending"],
            )
        if errors.value:
            solara.Error(
                "Fix the value marked in red to apply.", dense=True, classes=["cxsim-blocked"]
            )
        if failure.value:
            solara.Error(failure.value, dense=True, classes=["cxsim-failure"])
        solara.Button(
            "Apply and restart",
            color="primary",
            on_click=apply,
            disabled=bool(errors.value),
            classes=["cxsim-apply"],
            block=True,
        )
    return card


@solara.component
def SidebarCards(
    current: solara.Reactive,
    settings: dict[str, Any],
    rc: Any,
    pacer: Pacer,
    play_interval: solara.Reactive,
    render_interval: solara.Reactive,
):
    """Our cards, below SolaraViz's (a deeper component: the sidebar orders by depth)."""
    with solara.Sidebar():
        SpeedCard(current.value, pacer, play_interval, render_interval)
        NextMarketCard(current, settings, rc)


@solara.component
def _Below(children: list):
    """Puts its children one level deeper than its caller (see :func:`SidebarCards`)."""
    return solara.Div(children=children)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


@solara.component
def Dashboard(model: Market | None = None, params: dict[str, Any] | None = None):
    """The whole page over ``model`` (default: a DashboardMarket with the sidebar's defaults,
    overridden by ``params``): SolaraViz's controls, our sidebar cards and the main area."""
    first = solara.use_memo(
        lambda: model if model is not None else DashboardMarket(**{**defaults(), **(params or {})}),
        [],
    )
    current = solara.use_reactive(first)
    # the sidebar's values, also SolaraViz's one (fixed) model parameter: its Reset builds
    # DashboardMarket(settings=<this dict>), i.e. the market the sidebar shows
    settings = solara.use_memo(lambda: {**defaults(), **getattr(first, "settings", {})}, [])
    rc = reacton.core.get_render_context()  # to press SolaraViz's Reset for Apply
    pacer = solara.use_memo(Pacer, [])
    start = solara.use_memo(lambda: pacer.target(getattr(first, "step_ms", 0.0) or 5.0), [])
    play_interval = solara.use_reactive(start)
    render_interval = solara.use_reactive(1)
    model_now = current.value
    with solara.Column(gap="0px", classes=["cxsim-main"]) as main:
        solara.Title(PAGE_NAME)
        solara.Style(CSS)
        SolaraViz(
            current,
            components=[],
            model_params={"settings": settings},
            name=PAGE_NAME,
            play_interval=play_interval,
            render_interval=render_interval,
        )
        Live(model_now, pacer, play_interval, render_interval)
        _Below(
            children=[SidebarCards(current, settings, rc, pacer, play_interval, render_interval)]
        )
    return main


def make_page(model: Market | None = None, **params: Any):
    """The dashboard as an element over ``model`` (a :class:`DashboardMarket`; default: one
    with the sidebar's defaults, overridden by ``params``). Display it in a notebook cell."""
    return Dashboard(model=model, params=params or None)


@solara.component
def Page():
    """The page that ``solara run cxsim/viz/app.py`` serves: every browser session gets its own
    market, built with the sidebar's defaults."""
    return Dashboard()


#: The page as an element: ``from cxsim.viz.app import page; page`` shows it in a notebook.
page = Page()


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the dashboard (``solara run`` on this file, production mode); blocks until stopped.

    The server is a child process that gets this process's SIGTERM, SIGINT and SIGHUP (and is
    killed if it has not stopped 10 s later) and dies with it even on SIGKILL
    (:mod:`cxsim.experiments.processes`). Returns the server's exit status.
    """
    from cxsim.experiments.processes import child_options, supervise

    # NB: no ``if __name__ == "__main__"`` block in this file: solara runs it as __main__.
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(Path(__file__).resolve()),
        "--host",
        str(host),
        "--port",
        str(int(port)),
        "--production",
    ]
    return supervise(subprocess.Popen(cmd, **child_options()))
