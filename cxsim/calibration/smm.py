"""Calibrating cxsim's customers to a transaction log: :func:`calibrate`.

A strategist who asks cxsim whether to move budget from acquisition to retention needs customers
who buy like the firm's own. :func:`calibrate` takes a log of purchases and fits the customer
parameters of cxsim that such a log identifies:

=========================== ===================================================== ============
parameter                   meaning (unit)                                        how
=========================== ===================================================== ============
``need_rate``               mean needs per customer per week                      simulated
``need_rate_shape``         gamma shape of customers' need rates (-)              simulated
``churn_base``              weekly defection hazard of a content customer         simulated
``leave_heterogeneity``     gamma shape of customers' propensity to leave (-)     simulated
``spend_shape``             gamma–gamma p: a customer's basket, visit to visit    gamma–gamma
``spend_heterogeneity``     gamma–gamma q: usual baskets across customers         gamma–gamma
=========================== ===================================================== ============

**Simulated** (indirect inference, Gourieroux, Monfort & Renault 1993, a simulated method of
moments, McFadden 1989; Pakes & Pollard 1989): the auxiliary statistics are the BG/NBD model's
(ln r, ln α, ln a, ln b) (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
*Marketing Science* 24(2)) fitted to the calibration period of the *cohort*, the customers whose
first purchase falls in the log's first ``cohort_weeks`` weeks. The same model is fitted to the
simulated cohort: the base scenario's firm (``"focal"``) runs with θ, and its new customers whose
first purchase falls in the same weeks are the cohort (:mod:`cxsim.calibration.simulate`);
``replications`` markets with the same seeds at every θ (common random numbers). The search, the
final surrogate step and the standard errors are described in :mod:`cxsim.calibration.indirect`.

**Gamma–gamma**: cxsim's purchase amount is the firm's price × a gamma–gamma basket, so p and q
of the gamma–gamma model fitted to the cohort's repeat purchases in the calibration period
(Colombo & Jiang 1999; Fader, Hardie & Lee 2005, "RFM and CLV", *JMR* 42(4)) carry over directly
(customers whose repeat purchases average 0 are left out; its scale γ is the price's, which
stays as the scenario sets it).

**Not identified** by one firm's log, and left at the base scenario's values:
``trial_probability``, ``winback_reach``, and everything about trust, word of mouth, complaints
and the firms.

**Forecast** (the tracking plot of Fader, Hardie & Lee 2005, fig. 3): cumulative repeat
transactions of the cohort for every week of the log, calibration and holdout alike: as observed;
as cxsim at θ̂ predicts (fresh seeds, ``forecast_replications`` markets: the cohort's mean
cumulative repeat purchases per member × the real cohort's size); and as the BG/NBD fitted on the
calibration period predicts (:meth:`cxsim.calibration.BGNBD.cohort_forecast`).
"""

from __future__ import annotations

import math
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from cxsim.calibration.bgnbd import GammaGamma, fit_bgnbd, fit_gamma_gamma
from cxsim.calibration.errors import CalibrationError
from cxsim.calibration.indirect import (
    CALIBRATED,
    NAMES,
    Problem,
    estimate,
    seeds_from,
    starting_values,
    timer,
)
from cxsim.calibration.logs import LOG_COLUMNS, read_transaction_log
from cxsim.calibration.report import Calibration
from cxsim.calibration.simulate import cohort_curve, simulate_purchases
from cxsim.calibration.summary import (
    calibration_end_date,
    cohort_customers,
    cumulative_repeats,
    log_span_weeks,
    rfm,
)

__all__ = ["NOT_IDENTIFIED", "Calibration", "calibrate"]

#: Customer parameters a log cannot identify: kept at the base scenario's values.
NOT_IDENTIFIED = ("trial_probability", "winback_reach")
_Z95 = 1.959964


def _as_log(log: Any, customer_col: str, date_col: str, amount_col: str) -> pd.DataFrame:
    """A canonical log as is; anything else through :func:`read_transaction_log`."""
    if (
        isinstance(log, pd.DataFrame)
        and all(c in log.columns for c in LOG_COLUMNS)
        and "start" in log.attrs
    ):
        return log
    if not isinstance(log, pd.DataFrame | str | PathLike):
        raise CalibrationError(
            f"a transaction log is a CSV/Parquet path or a DataFrame, not {type(log).__name__}"
        )
    return read_transaction_log(
        log, customer_col=customer_col, date_col=date_col, amount_col=amount_col
    )


def _periods(log: pd.DataFrame, calibration_end: Any, cohort_weeks: float) -> dict[str, Any]:
    """Start, calibration end, days and weeks of the log, checked."""
    start = pd.Timestamp(log.attrs["start"])
    last = pd.Timestamp(log["date"].max())
    span_days = (last - start).days + 1
    if calibration_end is None:
        end = start + pd.Timedelta(days=span_days // 2 - 1)
    else:
        try:
            end = calibration_end_date(log, calibration_end)
        except (ValueError, TypeError):
            raise CalibrationError(
                f"calibration end {calibration_end!r} is not a date (like 1997-09-30) or a "
                "number of weeks"
            ) from None
    cal_days = (end - start).days + 1
    cohort_days = int(round(cohort_weeks * 7))
    if not 0 < cohort_weeks <= 520:
        raise CalibrationError(f"cohort_weeks={cohort_weeks:g} must be in (0, 520] weeks")
    if end >= last:
        raise CalibrationError(
            f"calibration end {end.date()} leaves no holdout period: the log ends on {last.date()}"
        )
    if cal_days <= cohort_days:
        raise CalibrationError(
            f"calibration end {end.date()} is within the cohort's first {cohort_weeks:g} weeks "
            f"(until {(start + pd.Timedelta(days=cohort_days - 1)).date()}): the calibration "
            "period must be longer"
        )
    return {
        "start": start,
        "end": end,
        "last": last,
        "cal_days": cal_days,
        "cal_weeks": cal_days / 7,
        "cohort_days": cohort_days,
        "span_weeks": log_span_weeks(log),
    }


def _gamma_gamma(data: pd.DataFrame) -> GammaGamma | str:
    """Gamma–gamma on the cohort's repeat buyers with a positive mean repeat spend; or why it
    cannot be fitted ("flat": every amount the same, the model's p = q = ∞; "few": too few
    repeat buyers)."""
    buyers = data[(data["frequency"] > 0) & (data["monetary"] > 0)]
    if len(buyers) < 10:
        return "few"
    spend = buyers["monetary"].to_numpy(float)
    if np.ptp(spend) <= 1e-9 * spend.mean():
        return "flat"
    try:
        with np.errstate(all="ignore"):
            return fit_gamma_gamma(buyers["frequency"], buyers["monetary"])
    except CalibrationError:
        return "few"


def _spend_rows(gg: GammaGamma | str, base) -> list[dict[str, Any]]:
    """Rows of spend_shape (p) and spend_heterogeneity (q): the gamma–gamma fit within the
    parameters' ranges; a fit that runs off to very large values means no variation (∞)."""
    rows = []
    limits = {"spend_shape": (0.1, math.inf), "spend_heterogeneity": (1.01, math.inf)}
    for name, key in (("spend_shape", "p"), ("spend_heterogeneity", "q")):
        if gg == "flat":
            rows.append(_row(name, math.inf, math.nan, "gamma-gamma: every amount the same"))
            continue
        if isinstance(gg, str) or not math.isfinite(getattr(gg, key)):
            rows.append(_fixed_row(name, base, "not identified (too few repeat buyers)"))
            continue
        value = float(getattr(gg, key))
        log_se = float(gg.table().loc[key, "se"]) / value
        low_limit, high_limit = limits[name]
        how = f"gamma-gamma {key} (maximum likelihood)"
        if value > 1e4:  # ran off: no variation to speak of, the model's "none"
            value, log_se, how = math.inf, math.nan, f"gamma-gamma {key} (no variation)"
        elif value < low_limit:
            value, how = low_limit, how + ", at the parameter's bound"
        rows.append(_row(name, min(value, high_limit), log_se, how))
    return rows


def _row(name: str, value: float, log_se: float, how: str) -> dict[str, Any]:
    finite = math.isfinite(value) and math.isfinite(log_se)
    return {
        "parameter": name,
        "value": value,
        "se": value * log_se if finite else math.nan,
        "low": value * math.exp(-_Z95 * log_se) if finite else math.nan,
        "high": value * math.exp(_Z95 * log_se) if finite else math.nan,
        "how": how,
    }


def _fixed_row(name: str, base, how: str) -> dict[str, Any]:
    row = _row(name, float(base.get(f"customers.{name}")), math.nan, how)
    return row


def calibrate(
    log: pd.DataFrame | str | PathLike[str],
    *,
    calibration_end: str | pd.Timestamp | float | None = None,
    scenario: Any = None,
    firm: str = "focal",
    cohort_weeks: float = 12,
    replications: int = 2,
    forecast_replications: int = 4,
    cohort_size: int | None = None,
    max_iterations: int = 8,
    seed: int = 0,
    name: str = "calibrated",
    progress: bool = True,
    customer_col: str = "customer",
    date_col: str = "date",
    amount_col: str = "amount",
) -> Calibration:
    """Fit cxsim's customer parameters to a transaction log (see the module docstring).

    Parameters
    ----------
    log:
        A canonical log (:func:`cxsim.calibration.read_transaction_log`), or a CSV/Parquet path
        or a raw DataFrame read with ``customer_col``, ``date_col``, ``amount_col``.
    calibration_end:
        The calibration period's last day (a date) or its length in weeks; default: the middle
        of the log. The rest of the log is the holdout period.
    scenario:
        The base scenario (a Scenario, preset name or TOML path; default: the default market).
        Everything but the fitted customer parameters stays as it sets it.
    firm:
        The firm of the base scenario whose customers the log is about.
    cohort_weeks:
        The cohort: customers whose first purchase is in the log's first ``cohort_weeks`` weeks
        (12: CDNOW's whole log).
    replications, forecast_replications:
        Simulated markets per evaluation (the same seeds at every θ), and for the forecast
        (fresh seeds).
    cohort_size:
        Simulated cohort members per replication the market is sized for (default: the real
        cohort's size, within 2,000–10,000).
    max_iterations:
        Surrogate Gauss–Newton iterations at most (each simulates 9 points).
    seed:
        Master seed of every simulated market.
    name:
        The calibrated scenario's name.
    progress:
        Show a progress bar over simulated evaluations (tqdm, on stderr).

    Returns
    -------
    :class:`Calibration`: ``.scenario``, ``.parameters``, ``.moments``, ``.forecast``,
    ``.report()``, ``.figure()``, ``.write(out_dir)``.

    Raises
    ------
    CalibrationError
        One line: an unreadable or malformed log, a calibration end outside the log, a cohort
        without repeat purchases, a firm not in the scenario.
    """
    from cxsim.params import ScenarioError, resolve_scenario

    elapsed = timer()
    frame = _as_log(log, customer_col, date_col, amount_col)
    try:
        base = resolve_scenario(scenario)
    except ScenarioError as exc:
        raise CalibrationError(str(exc)) from None
    if firm not in [f.name for f in base.firms]:
        names = ", ".join(f.name for f in base.firms)
        raise CalibrationError(f"firm {firm!r} is not in the base scenario (firms: {names})")
    for label, value, low in (
        ("replications", replications, 1),
        ("forecast_replications", forecast_replications, 1),
        ("max_iterations", max_iterations, 0),
    ):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < low:
            raise CalibrationError(f"{label}={value!r} must be a whole number >= {low}")
    periods = _periods(frame, calibration_end, cohort_weeks)
    members = cohort_customers(frame, cohort_weeks)
    data = rfm(frame, periods["end"]).loc[members]
    bg = fit_bgnbd(data["frequency"], data["recency"], data["T"])
    if bg.log_cov is None or not np.all(np.isfinite(bg.log_cov)):
        raise CalibrationError(
            f"the BG/NBD model of the cohort's calibration period is not determined (r = "
            f"{bg.r:.3g}, alpha = {bg.alpha:.3g}, a = {bg.a:.3g}, b = {bg.b:.3g}; "
            f"{len(data)} customers, {int(data['frequency'].sum())} repeat purchases): give a "
            "longer calibration period (--calibration-end) or a larger log"
        )
    gg = _gamma_gamma(data)
    target = int(cohort_size or min(max(len(data), 2_000), 10_000))

    from tqdm.auto import tqdm

    evaluations = 5 + 9 * (max_iterations + 1) + 18 + forecast_replications
    bar = tqdm(total=evaluations, desc="calibrate", unit="run", disable=not progress)
    problem = Problem(
        scenario=base,
        beta_data=np.log([bg.r, bg.alpha, bg.a, bg.b]),
        cov_data=bg.log_cov,
        n_data=len(data),
        weeks=math.ceil(periods["cal_weeks"] - 1e-9),
        cohort_days=periods["cohort_days"],
        end_day=periods["cal_days"] - 1,
        seeds=seeds_from(seed, replications, 0),
        firm=firm,
        raw_rate=float(data["frequency"].sum() / data["T"].sum()),
        on_eval=lambda: bar.update(1),
    )
    try:
        start = starting_values(problem, target)
        bar.set_postfix_str(f"{problem.n_customers:,} customers")
        est = estimate(problem, start, max_iterations=max_iterations, final_target=target)
        weeks = np.arange(1, periods["span_weeks"] + 1, dtype=float)
        sim_scenario = problem.scenario_at(est.log_theta)
        curves, sizes = [], []
        for s in seeds_from(seed, forecast_replications, 1):
            purchases = simulate_purchases(
                sim_scenario, seed=s, weeks=periods["span_weeks"], firm=firm
            )
            curve, n = cohort_curve(purchases, cohort_days=periods["cohort_days"], weeks=weeks)
            curves.append(curve / max(n, 1))
            sizes.append(n)
            bar.update(1)
    finally:
        bar.close()

    forecast = pd.DataFrame(
        {
            "week": weeks.astype(int),
            "actual": cumulative_repeats(frame, members, weeks).to_numpy(),
            "cxsim": np.mean(curves, axis=0) * len(data),
            "bgnbd": bg.cohort_forecast(data["birth_week"], weeks).to_numpy(),
        }
    )
    theta = np.exp(est.log_theta)
    log_se = np.sqrt(np.diag(est.log_cov))
    rows = []
    for (k, low, high), v, s in zip(CALIBRATED, theta, log_se, strict=True):
        value = min(max(float(v), low), high)
        at_bound = math.isclose(value, low, rel_tol=1e-6) or math.isclose(value, high, rel_tol=1e-6)
        if at_bound:  # exactly the bound, not exp(log(bound))
            value = low if math.isclose(value, low, rel_tol=1e-6) else high
        how = "simulated moments (BG/NBD auxiliary)"
        rows.append(_row(k, value, float(s), how + (", at the search bound" if at_bound else "")))
    rows += _spend_rows(gg, base)
    rows += [_fixed_row(k, base, "not identified (base scenario)") for k in NOT_IDENTIFIED]
    parameters = pd.DataFrame(rows)
    overrides = {
        f"customers.{r['parameter']}": r["value"]
        for r in rows
        if not r["how"].startswith("not identified")
    }
    source = str(log) if isinstance(log, str | PathLike) else frame.attrs.get("source", "a log")
    calibrated = base.with_overrides(
        overrides,
        name=name,
        description=(
            f"The {base.name!r} market with customer parameters calibrated to {source} "
            f"(cohort: first purchase in weeks 1-{cohort_weeks:g}; calibration period "
            f"{periods['start'].date()} to {periods['end'].date()}) by cxsim calibrate"
        )[:1000],
    )
    se_data = np.sqrt(np.diag(problem.cov_data))
    inflation = 1.0 + 1.0 / problem.sim_ratio
    moments = pd.DataFrame(
        {
            "statistic": ["r", "alpha", "a", "b"],
            "data": np.exp(problem.beta_data),
            "data_se": np.exp(problem.beta_data) * se_data,
            "cxsim": np.exp(est.beta_sim),
            "z": (est.beta_sim - problem.beta_data) / (se_data * math.sqrt(inflation)),
        }
    )
    info = {
        "source": source,
        "base": base.name,
        "firm": firm,
        "n_log_customers": int(frame["customer"].nunique()),
        "n_transactions": len(frame),
        "n_cohort": len(data),
        "cohort_weeks": float(cohort_weeks),
        "repeat_purchases_calibration": int(data["frequency"].sum()),
        **{k: periods[k] for k in ("start", "end", "last", "cal_weeks", "span_weeks")},
        "replications": replications,
        "forecast_replications": forecast_replications,
        "n_customers_simulated": problem.n_customers,
        "n_cohort_simulated": problem.n_sim,
        "forecast_cohort_sizes": sizes,
        "sim_ratio": problem.sim_ratio,
        "j_stat": est.j_stat,
        "iterations": est.iterations,
        "evaluations": est.evaluations,
        "seed": seed,
        "seconds": elapsed(),
        "start_theta": dict(zip(NAMES, np.exp(start).tolist(), strict=True)),
        "path": [(dict(zip(NAMES, np.exp(c).tolist(), strict=True)), q) for c, q in est.path],
        "bounds": {k: (lo, hi) for k, lo, hi in CALIBRATED},
    }
    return Calibration(
        scenario=calibrated,
        parameters=parameters,
        forecast=forecast,
        moments=moments,
        info=info,
        bgnbd=bg,
        gamma_gamma=gg if isinstance(gg, GammaGamma) else None,
        jacobian=est.surrogate.jacobian,
    )
