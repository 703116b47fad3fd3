"""The house by concept: lower layers never import higher ones, and the model speaks Mesa.

``cxsim.params`` and ``cxsim.core`` are the lower layers; experiments, viz, validation and the
command line build on them. Firms report through Mesa's own DataCollector (agent-type reporters),
so Mesa's tools work on the market unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys

import mesa
import pandas as pd
import pytest

from cxsim import Firm, Market
from cxsim.core.metrics import METRICS

HIGHER = ("cxsim.experiments", "cxsim.viz", "cxsim.cli", "cxsim.validation")


@pytest.mark.parametrize("layer", ["cxsim", "cxsim.core", "cxsim.params"])
def test_lower_layers_import_no_higher_layer(layer):
    code = (
        f"import json, sys; import {layer}; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cxsim'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert not [m for m in loaded if m.startswith(HIGHER)], loaded


def test_params_import_nothing_of_core():
    # importing cxsim.params runs cxsim/__init__ (which exports Market), so read the imports of
    # its modules instead: none may reach cxsim.core or a higher layer
    probe = (
        "import ast, json, pathlib, cxsim.params as p; "
        "root = pathlib.Path(p.__file__).parent; "
        "names = [n.module for f in root.glob('*.py') for n in ast.walk(ast.parse(f.read_text())) "
        "if isinstance(n, ast.ImportFrom) and n.module]; "
        "print(json.dumps(names))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout)
    assert not [m for m in modules if m.startswith(("cxsim.core", *HIGHER))], modules


def test_firms_are_an_agentset_in_column_order():
    market = Market(rng=2, n_customers=200)
    by_type = market.agents_by_type[Firm]
    assert list(by_type) == market.firms
    assert [f.index for f in by_type] == list(range(len(market.firms)))


def test_datacollector_is_mesas_own_with_one_record_per_firm_and_week():
    market = Market(rng=3, n_customers=200)
    market.run_for(4)
    dc = market.datacollector
    assert type(dc) is mesa.DataCollector
    records = dc.get_agenttype_vars_dataframe(Firm)
    assert len(records) == 5 * len(market.firms)  # the start plus 4 weeks
    assert set(METRICS) <= set(records.columns)
    frame = market.to_frame()
    assert frame["npv"].tolist() == records["npv"].tolist()
    assert dc.get_model_vars_dataframe()["week"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_firm_report_is_the_market_report():
    market = Market(rng=4, n_customers=200)
    market.step()
    for firm in market.firms:
        for name in METRICS:
            a, b = firm.report[name], float(market.report[name][firm.index])
            assert a == b or (a != a and b != b), name


def test_mesa_batch_run_gives_tidy_rows_per_firm_and_step():
    rows = mesa.batch_run(
        Market,
        {"n_customers": 200, "network": "watts_strogatz"},
        rng=[1, 2],
        max_steps=5,
        data_collection_period=1,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    n_firms = len(Market(n_customers=200, rng=1).firms)
    # two runs × (initial record + 5 steps) × firms
    assert len(frame) == 2 * 6 * n_firms
    assert {"RunId", "Step", "AgentID", "firm", "week", *METRICS} <= set(frame.columns)
    per = frame.groupby(["RunId", "Step"]).size()
    assert (per == n_firms).all()
    # the rows are the model's own numbers
    first = Market(n_customers=200, network="watts_strogatz", rng=1)
    first.run_for(5)
    mine = first.to_frame()
    theirs = frame[frame["RunId"] == frame["RunId"].min()].sort_values(["Step", "AgentID"])
    assert theirs["npv"].tolist() == mine["npv"].tolist()
