"""The dashboard's parts, by concept; the page itself is :mod:`cxsim.viz.app`.

* :mod:`~cxsim.viz.dashboard.market`: the model behind the page (:class:`DashboardMarket`) and its
  seed box;
* :mod:`~cxsim.viz.dashboard.controls`: the sidebar, generated from the parameter registry;
* :mod:`~cxsim.viz.dashboard.data`: what the components compute from the model, once per step;
* :mod:`~cxsim.viz.dashboard.network_view`: the network's layout and picture;
* :mod:`~cxsim.viz.dashboard.charts`: the line charts and the chart registry (:data:`CHARTS`).

None of these imports solara: only :mod:`cxsim.viz.app` does.
"""
