"""Transaction logs, the CDNOW reference data and their summaries (cxsim.calibration)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from cxsim.calibration import (
    CDNOW_START,
    CalibrationError,
    ReferenceDataError,
    TransactionLogError,
    cohort_customers,
    cohort_summary,
    cumulative_repeats,
    load_cdnow,
    load_cdnow_log,
    log_span_weeks,
    read_transaction_log,
    rfm,
)
from cxsim.calibration import data as data_module
from cxsim.params import ScenarioError


@pytest.fixture(scope="module")
def master():
    return load_cdnow_log("master")


@pytest.fixture(scope="module")
def sample():
    return load_cdnow_log("sample")


def _good() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": ["a", "a", "a", "b", "c"],
            "date": ["1997-01-01", "1997-01-01", "1997-01-15", "1997-01-02", "1997-02-01"],
            "amount": [10.0, 5.0, 7.5, 3.0, 0.0],
        }
    )


def _error(source, **kwargs) -> str:
    with pytest.raises(TransactionLogError) as info:
        read_transaction_log(source, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


# ------------------------------------------------------------------------------ reference data


def test_cdnow_files_have_the_published_size():
    raw = load_cdnow("master")
    assert raw.shape == (69_659, 4)
    assert list(raw.columns) == ["customer", "date", "cds", "amount"]
    assert raw["customer"].nunique() == 23_570
    assert raw["date"].min() == CDNOW_START
    assert raw["date"].max() == pd.Timestamp("1998-06-30")
    sample = load_cdnow("sample")
    assert list(sample.columns) == ["customer", "sample_id", "date", "cds", "amount"]
    assert sample["customer"].nunique() == 2_357
    assert sample["sample_id"].nunique() == 2_357
    assert set(sample["customer"]) <= set(raw["customer"])


def test_reference_files_are_gzipped_and_unchanged():
    # Byte counts of the files as shipped in the lifetimes 0.11.3 wheel (CRLF line ends).
    sizes = {"master": 1_950_500, "sample": 228_327}
    for kind, size in sizes.items():
        with gzip.open(data_module.cdnow_path(kind), "rb") as handle:
            assert len(handle.read()) == size


def test_missing_reference_data_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "REFERENCE_DIR", tmp_path / "nowhere")
    with pytest.raises(ReferenceDataError) as info:
        load_cdnow("sample")
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path / "nowhere" / "cdnow_sample.txt.gz") in message
    assert isinstance(info.value, ScenarioError)
    with pytest.raises(ReferenceDataError, match="choose 'master' or 'sample'"):
        data_module.cdnow_path("full")


def test_cdnow_log_merges_same_day_purchases(master, sample):
    assert len(master) == 67_591  # 69,659 order lines on 67,591 customer-days
    assert len(sample) == 6_696
    assert master.attrs["start"] == CDNOW_START
    assert log_span_weeks(master) == 78
    # Master customer 2 bought twice on 1997-01-12 (77.00 + 12.00 dollars).
    two = master[master["customer"] == 2]
    assert len(two) == 1 and two["amount"].iloc[0] == pytest.approx(89.0)


# ------------------------------------------------------------------------------ the log reader


def test_a_good_log_round_trips_through_csv_and_parquet(tmp_path):
    expected = read_transaction_log(_good())
    assert list(expected.columns) == ["customer", "date", "amount", "week"]
    assert expected["date"].dtype == "datetime64[ns]"
    assert expected["amount"].dtype == float
    assert isinstance(expected["customer"].dtype, pd.CategoricalDtype)
    # Same-day purchases merged (a on 1997-01-01: 10 + 5), zero amounts kept.
    assert expected["amount"].tolist() == [15.0, 7.5, 3.0, 0.0]
    assert expected["week"].tolist() == pytest.approx([0.0, 2.0, 1 / 7, 31 / 7])
    assert expected.attrs["start"] == pd.Timestamp("1997-01-01")

    csv = tmp_path / "log.csv"
    _good().to_csv(csv, index=False)
    parquet = tmp_path / "log.parquet"
    _good().to_parquet(parquet)
    gz = tmp_path / "log.csv.gz"
    _good().to_csv(gz, index=False)
    for path in (csv, parquet, gz, str(csv)):
        got = read_transaction_log(path)
        pd.testing.assert_frame_equal(got, expected)
        assert got.attrs == expected.attrs
    # Reading the canonical output again gives the same log.
    again = read_transaction_log(expected)
    pd.testing.assert_frame_equal(again, expected)


def test_other_column_names_date_formats_and_integer_ids():
    frame = pd.DataFrame(
        {
            "id": [7, 7, 3],
            "when": [19970101, 19970101, 19970108],
            "usd": ["1.5", "2", "3.25"],
            "extra": ["x", "y", "z"],
        }
    )
    log = read_transaction_log(frame, customer_col="id", date_col="when", amount_col="usd")
    assert log["customer"].dtype == np.int64
    assert log["customer"].tolist() == [3, 7]
    assert log["amount"].tolist() == [3.25, 3.5]
    assert log["week"].tolist() == [1.0, 0.0]
    for dates in (
        ["19970101", "19970101", "19970108"],
        ["1997-01-01", "1997-01-01T18:30:00", "1997-01-08 09:00"],
        pd.to_datetime(["1997-01-01", "1997-01-01", "1997-01-08"]),
        pd.to_datetime(["1997-01-01", "1997-01-01", "1997-01-08"]).tz_localize("UTC"),
    ):
        other = read_transaction_log(
            frame.assign(when=dates), customer_col="id", date_col="when", amount_col="usd"
        )
        pd.testing.assert_frame_equal(other, log)
    # A start before the first purchase shifts the week clock.
    early = read_transaction_log(
        frame, customer_col="id", date_col="when", amount_col="usd", start="1996-12-25"
    )
    assert early["week"].tolist() == [2.0, 1.0]


def test_missing_and_empty_files(tmp_path):
    missing = tmp_path / "nope.csv"
    assert _error(missing) == f"transaction log not found: {missing}"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty" in _error(empty) and str(empty) in _error(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    assert "empty" in _error(blank)
    header = tmp_path / "header.csv"
    header.write_text("customer,date,amount\n")
    assert "no rows" in _error(header)
    assert "directory" in _error(tmp_path)
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_text("not parquet at all")
    assert "as Parquet" in _error(bad_parquet)
    assert "not int" in _error(42)


def test_missing_column_names_it_and_lists_the_columns():
    message = _error(_good().rename(columns={"amount": "spend"}))
    assert "amount column 'amount'" in message
    assert "columns found: customer, date, spend" in message
    assert "amount_col=" in message
    message = _error(_good(), customer_col="client")
    assert "customer column 'client'" in message
    assert "must differ" in _error(_good(), amount_col="date")


def test_bad_dates_show_the_first_bad_value_and_its_row():
    frame = _good()
    frame.loc[3, "date"] = "1997-13-45"
    frame.loc[4, "date"] = "tomorrow"
    message = _error(frame)
    assert "unparseable date '1997-13-45'" in message and "row 4" in message
    frame = _good().assign(date=[19970101, 19970101, 19971399, 19970102, 19970201])
    message = _error(frame)
    assert "19971399" in message and "row 3" in message
    frame = _good()
    frame.loc[1, "date"] = None
    assert "missing date" in _error(frame) and "row 2" in _error(frame)
    assert "unparseable date" in _error(_good().assign(date=[1.5, 2.0, 3.0, 4.0, 5.0]))


def test_bad_amounts():
    frame = _good().astype({"amount": object})
    frame.loc[2, "amount"] = "12,50"
    message = _error(frame)
    assert "non-numeric amount '12,50'" in message and "row 3" in message
    frame = _good()
    frame.loc[4, "amount"] = -3.5
    message = _error(frame)
    assert "negative amount -3.5" in message and "row 5" in message
    frame = _good()
    frame.loc[0, "amount"] = np.nan
    assert "missing amount" in _error(frame) and "row 1" in _error(frame)
    frame = _good()
    frame.loc[0, "amount"] = np.inf
    assert "non-numeric amount inf" in _error(frame)
    frame = _good()
    frame.loc[0, "customer"] = None
    assert "missing customer id" in _error(frame)


def test_fewer_than_two_customers():
    frame = _good().assign(customer="a")
    message = _error(frame)
    assert "1 customer" in message and "at least 2" in message
    assert issubclass(TransactionLogError, CalibrationError)
    assert issubclass(TransactionLogError, ScenarioError)
    assert "after the log's first purchase" in _error(_good(), start="1997-02-01")


# ---------------------------------------------------------------------------------- summaries


def test_cohort_summary_reproduces_the_cdnow_facts(master):
    facts = cohort_summary(master)
    assert facts.n_customers == 23_570  # everyone was acquired in weeks 1-12
    assert facts.n_transactions == 67_591
    # The table: 2.87, 0.51, 0.04, 0.031 -> 0.019, CV 1.03.
    assert facts.transactions_per_customer == pytest.approx(2.868, abs=5e-4)
    assert facts.share_once == pytest.approx(0.511, abs=5e-4)
    assert facts.share_11_plus == pytest.approx(0.038, abs=5e-4)
    assert facts.spend_cv == pytest.approx(1.031, abs=5e-4)
    # 13-week windows (weeks 13-25 and 66-78): 0.0314 -> 0.0185; the late 0.019 is
    # matched by 14-week windows (0.0314 -> 0.0189).
    assert facts.repeat_rate_early == pytest.approx(0.0314, abs=5e-5)
    assert facts.repeat_rate_late == pytest.approx(0.0185, abs=5e-5)
    wider = cohort_summary(master, window_weeks=14)
    assert round(wider.repeat_rate_early, 3) == 0.031
    assert round(wider.repeat_rate_late, 3) == 0.019
    assert facts.mean_spend == pytest.approx(36.99, abs=0.01)
    assert set(facts.as_dict()) >= {"share_once", "repeat_rate_late", "window_weeks"}


def test_cohort_summary_options_and_errors(master):
    early = cohort_summary(master, cohort_weeks=4, horizon_weeks=52)
    assert early.n_customers == len(cohort_customers(master, 4))
    assert 0 < early.n_customers < 23_570
    assert cohort_summary(master, cohort_weeks=None, horizon_weeks=None).n_customers == 23_570
    with pytest.raises(TransactionLogError, match="covers 78 weeks"):
        cohort_summary(master, horizon_weeks=79)
    with pytest.raises(TransactionLogError, match="does not fit"):
        cohort_summary(master, horizon_weeks=20, window_weeks=13)
    with pytest.raises(TransactionLogError, match="no customer"):
        cohort_summary(master, cohort_weeks=0)


def test_rfm_matches_the_published_cdnow_summary(sample):
    summary = rfm(sample, 39)
    assert len(summary) == 2_357
    assert (summary["frequency"] > 0).sum() == 946
    # First three customers of Fader & Hardie's CDNOW sample summary (x, t_x, T, z-bar).
    first = summary.iloc[:3]
    assert first["frequency"].tolist() == [2, 0, 1]
    assert first["recency"].round(2).tolist() == [30.43, 0.0, 1.71]
    assert first["T"].round(2).tolist() == [38.86, 38.43, 38.86]
    assert first["monetary"].iloc[0] == pytest.approx(22.345)
    assert np.isnan(first["monetary"].iloc[1])
    assert first["birth_week"].tolist() == pytest.approx([0.0, 3 / 7, 0.0])
    assert (summary["recency"] <= summary["T"]).all()
    # A date gives the same period as a number of weeks.
    pd.testing.assert_frame_equal(rfm(sample, "1997-09-30"), summary)


def test_rfm_on_a_small_log():
    log = read_transaction_log(_good())
    summary = rfm(log, "1997-01-15")
    assert summary.index.tolist() == ["a", "b"]  # c's first purchase is after the end
    assert summary.loc["a"].tolist() == pytest.approx([1, 2.0, 2.0, 7.5, 0.0])
    assert summary.loc["b", "T"] == pytest.approx(13 / 7)
    with pytest.raises(TransactionLogError, match="no purchases"):
        rfm(log, "1996-01-01")


def test_cumulative_repeats(sample, master):
    curve = cumulative_repeats(sample, weeks=[1, 39, 78])
    assert curve.index.name == "week"
    assert curve.tolist() == [0.0, 2_457.0, 4_339.0]
    full = cumulative_repeats(sample)
    assert len(full) == 78 and full.is_monotonic_increasing
    cohort = cohort_customers(master, 12)
    assert cumulative_repeats(master, cohort, [78]).iloc[0] == 44_021
    none = cumulative_repeats(master, cohort[:0], [78])
    assert none.iloc[0] == 0
