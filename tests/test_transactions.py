"""A market keeps a transaction log like a real firm's, consistent with its weekly books."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim import Market


@pytest.fixture(scope="module")
def market():
    m = Market(rng=8, n_customers=400, record_transactions=True)
    m.run(30)
    return m


def test_log_columns_and_types(market):
    log = market.transactions()
    assert list(log.columns) == ["customer", "week", "firm", "amount"]
    assert log["customer"].dtype == np.int64 and log["amount"].dtype == float
    assert list(log["firm"].cat.categories) == [f.name for f in market.firms]
    assert log["customer"].between(0, market.customers.n - 1).all()
    assert log["week"].between(0, 30).all() and (log["amount"] > 0).all()


def test_log_agrees_with_the_books(market):
    log = market.transactions()
    frame = market.to_frame()
    per_firm = log.groupby("firm", observed=False).agg(n=("amount", "size"), paid=("amount", "sum"))
    books = frame.groupby("firm", observed=False)[["purchases", "revenue"]].sum()
    np.testing.assert_array_equal(per_firm["n"].to_numpy(), books["purchases"].to_numpy())
    np.testing.assert_allclose(per_firm["paid"].to_numpy(), books["revenue"].to_numpy())
    # purchases in the step starting at week w are dated w, and reported in the row of week w+1
    weekly = log.groupby([log["week"] + 1.0, "firm"], observed=False).size()
    shown = frame.set_index(["week", "firm"])["purchases"]
    assert (weekly.reindex(shown.index, fill_value=0).to_numpy() == shown.to_numpy()).all()


def test_recording_changes_no_number():
    plain = Market(rng=8, n_customers=400).run(30)
    recorded = Market(rng=8, n_customers=400, record_transactions=True).run(30)
    pd.testing.assert_frame_equal(plain, recorded)


def test_log_needs_recording():
    with pytest.raises(RuntimeError, match="record_transactions=True"):
        Market(rng=1, n_customers=50).transactions()
