"""Customer-base data and models: the data side of calibrating cxsim to a transaction log.

The data side touches no simulation model: it turns a log of purchases into the facts a model
must reproduce and fits the standard buy-till-you-die benchmarks to it. :func:`calibrate` then
fits cxsim's customers to those facts.

* :mod:`cxsim.calibration.logs` — :func:`read_transaction_log`: read and validate a CSV/Parquet
  file or a DataFrame into one canonical form (same-day purchases merged, time in weeks).
* :mod:`cxsim.calibration.data` — :func:`load_cdnow`, :func:`load_cdnow_log`: the CDNOW
  reference data in ``data/reference/`` (source checkouts only).
* :mod:`cxsim.calibration.summary` — :func:`cohort_summary` (transactions per customer, share
  buying once / 11+ times, early and late repeat rates, spend CV), :func:`rfm` (frequency,
  recency, T, monetary), :func:`cumulative_repeats` (tracking curves).
* :mod:`cxsim.calibration.bgnbd` — :func:`fit_bgnbd` (BG/NBD, Fader, Hardie & Lee 2005) and
  :func:`fit_gamma_gamma` (spend), maximum likelihood with standard errors; :func:`simulate_bgnbd`.
* :mod:`cxsim.calibration.figures` — :func:`tracking_plot`, :func:`forecast_plot` (import
  matplotlib when called).
* :mod:`cxsim.calibration.smm` — :func:`calibrate`: cxsim's customer parameters fitted to a log
  by indirect inference (BG/NBD auxiliary model, common random numbers, surrogate standard
  errors) and gamma–gamma spend; the result is a :class:`Calibration` (scenario, parameters,
  forecast, report, figure, files). The engine is :mod:`cxsim.calibration.indirect`.
* :mod:`cxsim.calibration.simulate` — :func:`simulate_log`: a cxsim firm's new customers'
  purchases as a transaction log (to check that a calibration recovers known parameters).

Errors are :class:`CalibrationError` (a :class:`cxsim.params.ScenarioError`) with one-line
messages. Units: time in weeks, amounts in the log's currency.
"""

from cxsim.calibration.bgnbd import (
    BGNBD,
    GammaGamma,
    bgnbd_loglik,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_loglik,
    simulate_bgnbd,
)
from cxsim.calibration.data import (
    CDNOW_START,
    CDNOW_WEEKS,
    REFERENCE_DIR,
    cdnow_path,
    load_cdnow,
    load_cdnow_log,
)
from cxsim.calibration.errors import CalibrationError, ReferenceDataError, TransactionLogError
from cxsim.calibration.figures import forecast_plot, tracking_plot
from cxsim.calibration.logs import LOG_COLUMNS, read_transaction_log
from cxsim.calibration.simulate import simulate_log
from cxsim.calibration.smm import Calibration, calibrate
from cxsim.calibration.summary import (
    CohortSummary,
    calibration_end_date,
    cohort_customers,
    cohort_summary,
    cumulative_repeats,
    log_span_weeks,
    rfm,
)

__all__ = [
    "BGNBD",
    "CDNOW_START",
    "Calibration",
    "CDNOW_WEEKS",
    "CalibrationError",
    "CohortSummary",
    "GammaGamma",
    "LOG_COLUMNS",
    "REFERENCE_DIR",
    "ReferenceDataError",
    "TransactionLogError",
    "bgnbd_loglik",
    "calibrate",
    "calibration_end_date",
    "cdnow_path",
    "cohort_customers",
    "cohort_summary",
    "cumulative_repeats",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "forecast_plot",
    "gamma_gamma_loglik",
    "load_cdnow",
    "load_cdnow_log",
    "log_span_weeks",
    "read_transaction_log",
    "rfm",
    "simulate_bgnbd",
    "simulate_log",
    "tracking_plot",
]
