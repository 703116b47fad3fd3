"""BG/NBD and gamma–gamma maximum-likelihood fits against published CDNOW results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.calibration import (
    BGNBD,
    CalibrationError,
    GammaGamma,
    bgnbd_loglik,
    cohort_customers,
    cumulative_repeats,
    fit_bgnbd,
    fit_gamma_gamma,
    load_cdnow_log,
    rfm,
    simulate_bgnbd,
    tracking_plot,
)

# Fader, Hardie & Lee (2005), "Counting your customers the easy way", Marketing Science 24(2):
# the CDNOW 2,357-customer sample, 39-week calibration period.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LOGLIK = -9582.4
# Fader & Hardie (2013), "The gamma-gamma model of monetary value": its 946 repeat buyers.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def sample_rfm():
    return rfm(load_cdnow_log("sample"), 39)


@pytest.fixture(scope="module")
def sample_fit(sample_rfm):
    return fit_bgnbd(sample_rfm["frequency"], sample_rfm["recency"], sample_rfm["T"])


@pytest.fixture(scope="module")
def master():
    return load_cdnow_log("master")


def test_bgnbd_reproduces_the_published_cdnow_fit(sample_fit):
    assert sample_fit.converged
    assert sample_fit.n == 2_357
    for name, value in PUBLISHED_BGNBD.items():
        assert getattr(sample_fit, name) == pytest.approx(value, rel=2e-3, abs=5e-4), name
        assert round(getattr(sample_fit, name), 3) == value, name
    assert sample_fit.loglik == pytest.approx(PUBLISHED_LOGLIK, abs=0.05)
    per_customer = bgnbd_loglik(*sample_fit.params.values(), [2, 0], [30.43, 0.0], [38.86, 38.86])
    assert per_customer.shape == (2,) and np.all(per_customer < 0)


def test_bgnbd_standard_errors(sample_fit):
    # lifetimes 0.11.3 (BetaGeoFitter) on the same data: 0.0126, 0.378, 0.186, 0.705.
    se = sample_fit.se
    assert se["r"] == pytest.approx(0.01256, rel=0.01)
    assert se["alpha"] == pytest.approx(0.3782, rel=0.01)
    assert se["a"] == pytest.approx(0.1857, rel=0.01)
    assert se["b"] == pytest.approx(0.7054, rel=0.01)
    table = sample_fit.table()
    assert list(table.index) == ["r", "alpha", "a", "b"]
    assert (table["lower95"] < table["estimate"]).all()
    assert (table["estimate"] < table["upper95"]).all()
    by_hand = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert np.isnan(by_hand.se["r"]) and by_hand.n == 0


def test_bgnbd_predictions_match_the_published_worked_example(sample_fit):
    # Fader, Hardie & Lee's BG/NBD spreadsheet note: the customer with x = 2, t_x = 30.43,
    # T = 38.86 is expected to make 1.226 repeat purchases in the next 39 weeks.
    assert sample_fit.conditional_expected(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    assert sample_fit.p_alive(2, 30.43, 38.86) == pytest.approx(0.7266, abs=5e-4)
    assert sample_fit.p_alive(0, 0.0, 38.86) == 1.0
    # Vectorised forms agree with scalar calls.
    both = sample_fit.conditional_expected(39, [2, 0], [30.43, 0.0], [38.86, 38.86])
    assert both[0] == pytest.approx(sample_fit.conditional_expected(39, 2, 30.43, 38.86))
    assert sample_fit.conditional_expected(0, 2, 30.43, 38.86) == 0.0
    expected = sample_fit.expected_repeats(np.array([0.0, 1.0, 39.0, 78.0]))
    assert expected[0] == 0.0 and np.all(np.diff(expected) > 0)
    assert expected[2] == pytest.approx(1.195, abs=1e-3)
    # Early on, E[X(t)] ~ (r / alpha) t: the mean purchase rate while everyone is alive.
    small = sample_fit.expected_repeats(1e-4)
    assert small == pytest.approx(sample_fit.r / sample_fit.alpha * 1e-4, rel=1e-3)


def test_expected_repeats_is_continuous_at_a_equal_to_one():
    values = [
        BGNBD(r=0.3, alpha=4.0, a=a, b=2.0).expected_repeats(52.0) for a in (0.999, 1.0, 1.001)
    ]
    assert values[1] == pytest.approx(values[0], rel=1e-3)
    assert values[1] == pytest.approx(values[2], rel=1e-3)
    cond = BGNBD(r=0.3, alpha=4.0, a=1.0, b=2.0).conditional_expected(10, 3, 20.0, 30.0)
    assert np.isfinite(cond) and cond > 0


def test_sample_tracking_forecast(sample_fit, sample_rfm):
    sample = load_cdnow_log("sample")
    actual = cumulative_repeats(sample, weeks=[39, 78])
    forecast = sample_fit.cohort_forecast(sample_rfm["birth_week"], [39, 78])
    assert forecast.index.tolist() == [39.0, 78.0]
    # 2,494 expected vs 2,457 actual by week 39 (+1.5%); 4,161 vs 4,339 by week 78 (-4.1%).
    # lifetimes 0.11.3 gives the same expectations (2,493.96 and 4,160.61) on the same data.
    assert forecast.iloc[0] == pytest.approx(2_493.96, abs=0.05)
    assert forecast.iloc[1] == pytest.approx(4_160.61, abs=0.05)
    assert forecast.iloc[1] / actual.iloc[1] - 1 == pytest.approx(-0.041, abs=0.005)
    # At the calibration length each member's age is the T the model was fitted to.
    by_age = sample_fit.expected_repeats(sample_rfm["T"].to_numpy()).sum()
    assert forecast.iloc[0] == pytest.approx(by_age, rel=1e-12)


def test_full_cdnow_fit_and_holdout_forecast(master):
    full = rfm(master, 78)
    fit78 = fit_bgnbd(full["frequency"], full["recency"], full["T"])
    assert fit78.n == 23_570
    assert fit78.r == pytest.approx(0.267, abs=1e-3)
    assert fit78.alpha == pytest.approx(5.99, abs=0.01)
    assert fit78.a == pytest.approx(0.484, abs=1e-3)
    assert fit78.b == pytest.approx(2.11, abs=0.01)

    calibration = rfm(master, 39)
    fit39 = fit_bgnbd(calibration["frequency"], calibration["recency"], calibration["T"])
    cohort = cohort_customers(master, 12)
    actual = cumulative_repeats(master, cohort, [39, 78])
    forecast = fit39.cohort_forecast(calibration.loc[cohort, "birth_week"], [39, 78])
    shortfall = 1 - forecast.loc[78.0] / actual.loc[78.0]
    assert shortfall == pytest.approx(0.062, abs=0.01)  # measured: 41,301 vs 44,021, 6.18%


def test_bgnbd_recovers_known_parameters():
    rng = np.random.default_rng(20_260_101)
    truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    T = 39.0 - rng.integers(0, 84, size=20_000) / 7  # births in weeks 1-12, 39-week period
    draws = simulate_bgnbd(**truth, T=T, rng=rng)
    assert list(draws.columns) == ["frequency", "recency", "T"]
    assert (draws["recency"] <= draws["T"]).all()
    assert (draws.loc[draws["frequency"] == 0, "recency"] == 0).all()
    fit = fit_bgnbd(draws["frequency"], draws["recency"], draws["T"])
    assert fit.converged
    for name, value in truth.items():
        z = (getattr(fit, name) - value) / fit.se[name]
        assert abs(z) < 3, (name, getattr(fit, name), fit.se[name])


def test_simulation_matches_the_expected_number_of_repeats():
    model = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5)
    draws = simulate_bgnbd(*model.params.values(), T=np.full(40_000, 30.0), rng=7)
    mean = draws["frequency"].mean()
    se = draws["frequency"].std() / np.sqrt(len(draws))
    assert abs(mean - model.expected_repeats(30.0)) < 4 * se


def test_gamma_gamma_reproduces_the_published_fit(sample_rfm):
    repeaters = sample_rfm[sample_rfm["frequency"] > 0]
    fit = fit_gamma_gamma(repeaters["frequency"], repeaters["monetary"])
    assert fit.n == 946 and fit.converged
    for name, value in PUBLISHED_GAMMA_GAMMA.items():
        assert getattr(fit, name) == pytest.approx(value, rel=0.01), name
    assert fit.mean_spend == pytest.approx(fit.p * fit.gamma / (fit.q - 1))
    # Customer 1 of the sample (x = 2, z-bar = 22.35): shrunk towards the population mean.
    spend = fit.conditional_expected_spend(2, 22.345)
    assert spend == pytest.approx(24.65, abs=0.01)
    assert fit.conditional_expected_spend(0, np.nan) == pytest.approx(fit.mean_spend)
    assert set(fit.se) == {"p", "q", "gamma"} and all(v > 0 for v in fit.se.values())
    assert np.isnan(GammaGamma(p=6.25, q=3.74, gamma=15.44).se["p"])


def test_model_input_errors_are_one_line():
    cases = [
        lambda: fit_bgnbd([1, 2], [3.0, 4.0], [2.0, 10.0]),  # recency > T
        lambda: fit_bgnbd([-1, 2], [0.0, 4.0], [5.0, 10.0]),
        lambda: fit_bgnbd([0, 2], [1.0, 4.0], [5.0, 10.0]),  # recency without repeats
        lambda: fit_bgnbd([0, 0], [0.0, 0.0], [5.0, 10.0]),
        lambda: fit_bgnbd([1], [1.0], [5.0]),
        lambda: fit_bgnbd([1, np.nan], [1.0, 1.0], [5.0, 5.0]),
        lambda: fit_bgnbd([1, 1], [1.0, 1.0], [0.0, 5.0]),
        lambda: fit_gamma_gamma([0, 2], [5.0, 6.0]),
        lambda: fit_gamma_gamma([1, 2], [-5.0, 6.0]),
        lambda: simulate_bgnbd(0.2, 4.0, 0.8, 2.0, T=[0.0]),
    ]
    for case in cases:
        with pytest.raises(CalibrationError) as info:
            case()
        assert "\n" not in str(info.value)


def test_tracking_plot_draws_both_curves(sample_fit, sample_rfm):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weeks = np.arange(1, 79)
    actual = cumulative_repeats(load_cdnow_log("sample"), weeks=weeks)
    forecast = sample_fit.cohort_forecast(sample_rfm["birth_week"], weeks)
    ax = tracking_plot(actual, forecast, calibration_weeks=39)
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["actual", "model"]
    assert isinstance(forecast, pd.Series)
    plt.close(ax.figure)
