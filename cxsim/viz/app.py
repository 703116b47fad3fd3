"""The interactive dashboard: a Mesa SolaraViz page over :class:`cxsim.Market`.

Serve it in a browser (127.0.0.1 only)::

    solara run cxsim/viz/app.py --host 127.0.0.1 --port 8765 --production
    python -c "from cxsim.viz.app import serve; serve(port=8765)"    # the same, blocking

or show it in a notebook cell (JupyterLab, classic notebook or VS Code)::

    from cxsim.viz.app import page
    page

``make_page(model)`` shows the same page over a model you built yourself, e.g.
``make_page(DashboardMarket(n_customers=500, network="barabasi_albert"))``.

The sidebar's sliders and selects are the parameters of the *next* market, generated from the
parameter registry (the default market's values, the declared ranges and units; see
:mod:`cxsim.viz.dashboard.controls`): set them, then press **Reset** to build it; **Step** advances one week, **▶** plays, and "Render Interval" draws only
every k-th week while playing. The caption under the network says which market is on show.
Every plot is a matplotlib figure: with ``solara-assets`` (which ships the page's JavaScript)
the page works offline, which Altair components would not.

Performance: a step at 2,000 customers costs the model step plus the *data work* of the
components (:func:`dashboard_data`: one pass over the DataCollector's new firm records and one vectorized
pass over the customer table), then the drawing. Figures are built once per market and updated
in place; the network's layout and its edges are computed and rasterized once per market.
``benchmarks/bench_app.py`` measures both.

This module is the page (Solara components, :func:`make_page`, :func:`serve`); its parts live in
:mod:`cxsim.viz.dashboard` (the model, the sidebar generated from the parameter registry, the
data work, the network view, the charts) and are re-exported here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from cxsim.core.model import Market
from cxsim.viz.dashboard.charts import CHARTS, render_all, render_chart
from cxsim.viz.dashboard.controls import NETWORKS, defaults, model_params
from cxsim.viz.dashboard.data import MAX_NETWORK_NODES, DashboardData, dashboard_data
from cxsim.viz.dashboard.market import DashboardMarket, parse_seed
from cxsim.viz.dashboard.network_view import cached_layout, network_layout
from cxsim.viz.style import fmt

__all__ = [
    "CHARTS",
    "COMPONENTS",
    "DashboardData",
    "DashboardMarket",
    "MAX_NETWORK_NODES",
    "NETWORKS",
    "Page",
    "cached_layout",
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


#: The sidebar's sliders carry their units in their labels: put each label on its own line above
#: the slider's track, so that a long label does not squeeze the track away.
SIDEBAR_CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
    flex: 1 0 100%; max-width: 100%; height: auto; white-space: normal; line-height: 1.3;
    margin: 0 0 2px 0;
}
"""


def _chart_component(name: str):
    caption = CHARTS[name][1]

    @solara.component
    def Chart(model: Market):
        update_counter.get()  # re-render when the controller steps or resets the model
        too_big = name == "network" and model.customers.n > MAX_NETWORK_NODES
        png = solara.use_memo(
            lambda: None if too_big else render_chart(model, name), [model, model.steps]
        )
        with solara.Column(gap="0px", style={"align-items": "center"}) as column:
            if name == "network":  # once per page: the first component
                solara.Style(SIDEBAR_CSS)
            if png is None:
                solara.Info(
                    f"The network view draws up to {fmt(MAX_NETWORK_NODES)} customers; "
                    f"this market has {fmt(model.customers.n)}."
                )
            else:
                solara.Image(png, format="png", classes=["cxsim-plot", f"cxsim-plot-{name}"])
            if name == "network" and png is not None:
                first, second = describe(model).split("\n")
                style = {"font-size": "0.8em", "text-align": "center", "line-height": "1.3"}
                solara.Text(first, classes=["cxsim-caption"], style=style)
                solara.Text(second, classes=["cxsim-caption-levers"], style=style)
        return column

    Chart.__name__ = f"{name.title().replace('_', '')}Chart"
    Chart.__doc__ = f"Dashboard component: {caption}."
    return Chart


def describe(model: Market) -> str:
    """Two lines on the market on show: the sidebar's inputs apply only after Reset."""
    cfg = model.config
    firms = " vs ".join(f"{f.name} {f.spec.strategy}" for f in model.firms)
    budgets = "/".join(fmt(f.spec.budget, trim=True) for f in model.firms)
    return (
        f"Week {model.week:g} · {fmt(model.customers.n)} customers · {model.network.kind}\n"
        f"{firms} · budget {budgets} · "
        f"inflation {fmt(cfg.market.expectation_inflation, trim=True)} · "
        f"trust loss {fmt(cfg.customers.trust_loss, trim=True)} · "
        f"voice {fmt(cfg.customers.voice_minor)}"
    )


#: SolaraViz components, all on the first page.
COMPONENTS: list[tuple[Any, int]] = [(_chart_component(name), 0) for name in CHARTS]


def make_page(model: Market | None = None, **params: Any):
    """The dashboard as a SolaraViz element over ``model`` (default: a DashboardMarket with the
    sidebar's defaults, overridden by ``params``). Display it in a notebook cell."""
    if model is None:
        model = DashboardMarket(**{**defaults(), **params})
    return SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(),
        name="cxsim: customer-centric strategy",
        play_interval=50,
    )


@solara.component
def Page():
    """The page that ``solara run cxsim/viz/app.py`` serves: every browser session gets its own
    market, built with the sidebar's defaults."""
    model = solara.use_memo(lambda: DashboardMarket(**defaults()), [])
    return make_page(model)


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
