"""``cxsim calibrate LOG`` and ``cxsim run --transactions``: files written, and bad input as one
line with exit code 2 and nothing written."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.calibration import simulate_log
from cxsim.calibration.report import FILES
from cxsim.cli import main


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory):
    """A small synthetic log (a 3,000-customer market's focal firm, 30 weeks) as CSV."""
    sc = cxsim.Scenario().with_overrides(
        {
            "customers.n_customers": 3000,
            "customers.need_rate": 0.15,
            "customers.need_rate_shape": 1.0,
            "customers.churn_base": 0.05,
            "customers.spend_shape": 4.0,
            "customers.spend_heterogeneity": 3.0,
        }
    )
    path = tmp_path_factory.mktemp("logs") / "shop.csv"
    simulate_log(sc, seed=7, weeks=30).to_csv(path, index=False)
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("cxsim: error: ")
    return err[0]


def test_calibrate_writes_the_four_files(log_csv, tmp_path, capsys):
    out = tmp_path / "cal"
    args = [str(log_csv), "--out", str(out), "--max-iterations", "0", "--no-progress"]
    assert main(["calibrate", *args, "--calibration-end", "2000-05-20"]) == 0
    printed = capsys.readouterr().out
    assert "need_rate" in printed and "BG/NBD" in printed and "wrote" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    sc = cxsim.load_scenario(out / "calibrated.toml")
    assert sc.name == "shop_calibrated"
    cxsim.Market(sc, rng=1, n_customers=200, customer_agents=False).run(2)
    forecast = pd.read_csv(out / "forecast.csv")
    assert list(forecast.columns) == ["week", "actual", "cxsim", "bgnbd"]
    assert forecast["week"].tolist() == list(range(1, 31))
    report = (out / "report.md").read_text()
    assert "2000-05-20" in report and "Fitted parameters" in report


def test_calibrate_reads_parquet_with_named_columns(log_csv, tmp_path, capsys):
    renamed = pd.read_csv(log_csv).rename(
        columns={"customer": "id", "date": "day", "amount": "usd"}
    )
    path = tmp_path / "shop.parquet"
    renamed.to_parquet(path)
    args = ["--customer-col", "id", "--date-col", "day", "--amount-col", "usd"]
    args += ["--calibration-end", "20000520", "--max-iterations", "0", "--no-progress"]
    assert main(["calibrate", str(path), *args]) == 0
    assert "cohort" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.parquet"]  # no --out: no files


def test_whitespace_separated_logs_are_read(tmp_path):
    # the CDNOW files' format: a header line, columns separated by runs of spaces, CRLF
    from cxsim.calibration import read_transaction_log

    path = tmp_path / "log.txt"
    path.write_bytes(
        b" customer_id  date number_of_cds  dollar_value\r\n"
        b" 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n"
        b" 00002 19970112  2   17.00\r\n 00002 19970301  1   9.50\r\n"
    )
    log = read_transaction_log(path, customer_col="customer_id", amount_col="dollar_value")
    assert log["customer"].tolist() == [1, 2, 2]
    assert log["amount"].tolist() == [11.77, 29.0, 9.5]  # same-day purchases merged


MALFORMED = {
    "missing column": ("customer,when,amount\n1,2000-01-01,3\n2,2000-01-02,4\n", "--date-col"),
    "unparseable date": (
        "customer,date,amount\n1,2000-01-01,3\n2,1st of May,4\n",
        "unparseable date '1st of May'",
    ),
    "negative amount": (
        "customer,date,amount\n1,2000-01-01,3\n2,2000-01-02,-4\n",
        "negative amount -4",
    ),
    "empty file": ("", "empty"),
    "header only": ("customer,date,amount\n", "no rows"),
    "one customer": ("customer,date,amount\n1,2000-01-01,3\n1,2000-03-01,4\n", "1 customer"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_log_is_one_line_and_writes_nothing(case, tmp_path, capsys):
    text, expected = MALFORMED[case]
    path = tmp_path / "log.csv"
    path.write_text(text)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--no-progress"]) == 2
    assert expected in _one_error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--calibration-end", "soon"], "--calibration-end: 'soon' is not a date"),
        (["--calibration-end", "2003-01-01"], "leaves no holdout period"),
        (["--scenario", "no_such_preset"], "no_such_preset"),
        (["--firm", "nobody"], "firm 'nobody'"),
        (["--replications", "0"], "--replications"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(log_csv, tmp_path, capsys, args, expected):
    out = tmp_path / "out"
    assert main(["calibrate", str(log_csv), "--out", str(out), "--no-progress", *args]) == 2
    assert expected in _one_error_line(capsys)
    assert not out.exists()


def test_a_degenerate_cohort_model_is_one_line(tmp_path, capsys):
    # a log with no sign of dropout: 400 customers who all buy first on day 0 and then every
    # week like clockwork until the end, so the BG/NBD's dropout parameters a and b run off
    # and its covariance is not determined
    days = np.arange(0, 40 * 7, 7)
    log = pd.DataFrame(
        {
            "customer": np.repeat(np.arange(400), days.size),
            "date": np.tile(pd.Timestamp("2020-01-01") + pd.to_timedelta(days, "D"), 400),
            "amount": 10.0,
        }
    )
    path = tmp_path / "clockwork.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out), "--no-progress"]) == 2
    assert "longer calibration period" in _one_error_line(capsys)
    assert not out.exists()


def test_missing_log_file_is_one_line(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "nope.csv")]) == 2
    assert "not found" in _one_error_line(capsys)


def test_calibrate_help():
    proc = subprocess.run(
        [sys.executable, "-m", "cxsim", "calibrate", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: cxsim calibrate")
    for option in ("--calibration-end", "--customer-col", "--out", "--scenario"):
        assert option in proc.stdout


# ------------------------------------------------------------------ cxsim run --transactions


def test_run_writes_the_transaction_log(tmp_path, capsys):
    path = tmp_path / "tx.parquet"
    args = ["run", "default", "--weeks", "4", "--n-customers", "300", "--transactions", str(path)]
    assert main(args) == 0
    tx = pd.read_parquet(path)
    assert list(tx.columns) == ["customer", "week", "firm", "amount"]
    assert len(tx) > 0
    assert set(tx["firm"].astype(str)) <= {"focal", "rival"}
    assert tx["week"].between(0, 3).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tx.parquet"]  # no temporary file


@pytest.mark.parametrize(
    "target, expected",
    [
        ("missing/tx.parquet", "does not exist"),
        ("tx.csv", "must end in .parquet"),
        ("", "give a file name"),
    ],
)
def test_run_transactions_bad_path(tmp_path, capsys, monkeypatch, target, expected):
    monkeypatch.chdir(tmp_path)
    args = ["run", "default", "--weeks", "2", "--n-customers", "100", "--transactions", target]
    assert main(args) == 2
    assert expected in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []
