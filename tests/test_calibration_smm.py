"""Calibrating cxsim's customers to a transaction log (cxsim.calibration.calibrate).

The central check is parameter recovery: a log simulated by cxsim with known customer parameters
is calibrated back, and each fitted parameter lies within 3 of its reported standard errors of
the truth (a modest market: 5,000 customers, 52 weeks, a cohort of about 1,250).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.calibration import (
    Calibration,
    CalibrationError,
    calibrate,
    cohort_customers,
    cumulative_repeats,
    read_transaction_log,
    simulate_log,
)
from cxsim.calibration.indirect import CALIBRATED, seeds_from
from cxsim.calibration.report import FILES
from cxsim.calibration.simulate import _uniform, cohort_rfm, simulate_purchases

TRUTH = {
    "need_rate": 0.15,
    "need_rate_shape": 1.0,
    "churn_base": 0.02,
    "leave_heterogeneity": 1.0,
    "spend_shape": 4.0,
    "spend_heterogeneity": 3.0,
}


def _scenario(n_customers: int) -> cxsim.Scenario:
    values = {f"customers.{k}": v for k, v in TRUTH.items()}
    return cxsim.Scenario().with_overrides({**values, "customers.n_customers": n_customers})


@pytest.fixture(scope="module")
def small_log() -> pd.DataFrame:
    """A canonical log of a 3,000-customer market's focal firm over 30 weeks."""
    return read_transaction_log(simulate_log(_scenario(3000), seed=7, weeks=30))


@pytest.fixture(scope="module")
def quick(small_log) -> Calibration:
    """A calibration with no search iterations and small simulated cohorts (for the shape of
    the result, not its accuracy)."""
    return calibrate(
        small_log,
        calibration_end=20,
        max_iterations=0,
        cohort_size=400,
        forecast_replications=1,
        progress=False,
    )


@pytest.fixture(scope="module")
def recovered() -> tuple[pd.DataFrame, Calibration]:
    log = read_transaction_log(simulate_log(_scenario(5000), seed=1, weeks=52))
    return log, calibrate(log, calibration_end=26, forecast_replications=2, progress=False)


# --------------------------------------------------------------------------- simulated logs


def test_simulated_log_holds_the_firms_new_customers_by_day():
    sc = _scenario(1000)
    raw = simulate_log(sc, seed=3, weeks=20, start="2001-01-01")
    assert list(raw.columns) == ["customer", "date", "amount"]
    assert raw["date"].min() >= pd.Timestamp("2001-01-01")
    assert raw["date"].max() < pd.Timestamp("2001-01-01") + pd.Timedelta(weeks=20)
    assert not raw.duplicated(["customer", "date"]).any()  # same-day purchases merged
    assert (raw["amount"] > 0).all()
    # the focal firm's existing customers at t = 0 are not in it
    market = cxsim.Market(sc, rng=3, customer_agents=False)
    stage = market.customers.stage[:, market.firm_index("focal")]
    initial = np.flatnonzero((stage >= 1) & (stage <= 4))
    assert not np.isin(raw["customer"].unique(), initial).any()


def test_days_within_a_step_depend_only_on_the_purchase():
    keys = (np.arange(50), np.arange(50) % 7, np.zeros(50, dtype=int))
    assert np.array_equal(_uniform(11, *keys), _uniform(11, *keys))
    assert not np.array_equal(_uniform(11, *keys), _uniform(12, *keys))
    u = _uniform(11, np.arange(100_000), np.zeros(100_000, dtype=int))
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01


def test_cohort_rfm_follows_the_btyd_conventions():
    purchases = simulate_purchases(_scenario(2000), seed=2, weeks=20, firm="focal")
    data = cohort_rfm(purchases, cohort_days=42, end_day=139)
    assert (data["birth_week"] < 6).all()
    assert np.allclose(data["T"], (139 - data["birth_week"] * 7) / 7)
    assert (data["recency"] <= data["T"] + 1e-12).all()
    assert ((data["frequency"] == 0) == (data["recency"] == 0)).all()


def test_seeds_for_search_and_forecast_differ():
    search, forecast = seeds_from(0, 3, 0), seeds_from(0, 3, 1)
    assert len(set(search) | set(forecast)) == 6
    assert search == seeds_from(0, 3, 0)


# ---------------------------------------------------------------------------- the result


def test_forecast_covers_every_week_of_the_log(quick, small_log):
    f = quick.forecast
    assert list(f.columns) == ["week", "actual", "cxsim", "bgnbd"]
    assert f["week"].tolist() == list(range(1, 31))
    members = cohort_customers(small_log, 12)
    expected = cumulative_repeats(small_log, members, range(1, 31)).to_numpy()
    assert np.array_equal(f["actual"].to_numpy(), expected)
    for column in ("actual", "cxsim", "bgnbd"):
        assert (np.diff(f[column].to_numpy()) >= -1e-9).all()


def test_parameters_table(quick):
    p = quick.parameters.set_index("parameter")
    assert list(quick.parameters.columns) == ["parameter", "value", "se", "low", "high", "how"]
    for name, low, high in CALIBRATED:
        assert low <= p.loc[name, "value"] <= high
        assert p.loc[name, "how"].startswith("simulated moments")
    assert p.loc["spend_shape", "how"].startswith("gamma-gamma")
    assert p.loc["trial_probability", "how"].startswith("not identified")
    assert math.isnan(p.loc["winback_reach", "se"])
    sc = quick.scenario
    for name in TRUTH:
        assert sc.get(f"customers.{name}") == pytest.approx(p.loc[name, "value"])
    assert sc.customers.n_customers == cxsim.Scenario().customers.n_customers


def test_report_and_moments(quick):
    text = quick.report()
    assert text.startswith("# cxsim calibration")
    for part in ("need_rate_shape", "J =", "not identified", "tracking.png", "Holdout"):
        assert part in text
    assert list(quick.moments["statistic"]) == ["r", "alpha", "a", "b"]
    hold = quick.holdout()
    assert list(hold["when"]) == ["calibration end", "end of log"]
    assert hold["week"].tolist() == [20, 30]


def test_write_writes_exactly_the_four_files(quick, tmp_path):
    out = tmp_path / "cal"
    paths = quick.write(out)
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert [p.name for p in paths] == list(FILES)
    sc = cxsim.load_scenario(out / "calibrated.toml")
    assert sc.customers.need_rate == pytest.approx(quick.scenario.customers.need_rate)
    market = cxsim.Market(sc, rng=0, n_customers=300, customer_agents=False)
    market.run(3)
    forecast = pd.read_csv(out / "forecast.csv")
    pd.testing.assert_frame_equal(forecast, quick.forecast, check_dtype=False)
    assert (out / "tracking.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"calibration_end": 40}, "leaves no holdout period"),
        ({"calibration_end": 5}, "within the cohort's first 12 weeks"),
        ({"calibration_end": "not a date"}, "is not a date"),
        ({"firm": "nobody"}, "firm 'nobody' is not in the base scenario"),
        ({"replications": 0}, "replications=0"),
        ({"scenario": "no_such_preset"}, "no_such_preset"),
    ],
)
def test_bad_arguments_are_one_line(small_log, kwargs, message):
    with pytest.raises(CalibrationError, match=message) as info:
        calibrate(small_log, progress=False, **kwargs)
    assert "\n" not in str(info.value)


def test_a_cohort_without_repeat_purchases_is_one_line():
    log = pd.DataFrame(
        {
            "customer": [1, 2, 3],
            "date": ["2000-01-01", "2000-01-05", "2000-02-01"],
            "amount": [1.0, 2.0, 3.0],
        }
    )
    log = pd.concat([log, pd.DataFrame({"customer": [4], "date": ["2000-12-01"], "amount": [1]})])
    with pytest.raises(CalibrationError, match="repeat purchase"):
        calibrate(log, progress=False)


# ------------------------------------------------------------------------ parameter recovery


@pytest.mark.slow
def test_parameters_are_recovered_within_their_standard_errors(recovered):
    _, cal = recovered
    p = cal.parameters.set_index("parameter")
    for name, true in TRUTH.items():
        value, se = p.loc[name, "value"], p.loc[name, "se"]
        assert np.isfinite(se) and se > 0, name
        assert abs(value - true) <= 3 * se, f"{name}: {value:.4g} ± {se:.3g}, true {true}"
    assert cal.info["j_stat"] < 10  # the model reproduces its own cohort's BG/NBD


@pytest.mark.slow
def test_recovered_model_tracks_its_own_holdout(recovered):
    _, cal = recovered
    last = cal.holdout().iloc[-1]
    assert last["week"] == 52
    assert abs(last["cxsim_error"]) < 0.10
