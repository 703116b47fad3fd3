"""Customer-base data and models: the data side of calibrating cxsim to a transaction log.

What is here touches no simulation model; it turns a log of purchases into the facts a model
must reproduce and fits the standard buy-till-you-die benchmarks to it.

* :mod:`cxsim.calibration.logs` — :func:`read_transaction_log`: read and validate a CSV/Parquet
  file or a DataFrame into one canonical form (same-day purchases merged, time in weeks).
* :mod:`cxsim.calibration.data` — :func:`load_cdnow`, :func:`load_cdnow_log`: the CDNOW
  reference data in ``data/reference/`` (source checkouts only).
* :mod:`cxsim.calibration.summary` — :func:`cohort_summary` (transactions per customer, share
  buying once / 11+ times, early and late repeat rates, spend CV), :func:`rfm` (frequency,
  recency, T, monetary), :func:`cumulative_repeats` (tracking curves).

Errors are :class:`CalibrationError` (a :class:`cxsim.params.ScenarioError`) with one-line
messages. Units: time in weeks, amounts in the log's currency.
"""

from cxsim.calibration.data import (
    CDNOW_START,
    CDNOW_WEEKS,
    REFERENCE_DIR,
    cdnow_path,
    load_cdnow,
    load_cdnow_log,
)
from cxsim.calibration.errors import CalibrationError, ReferenceDataError, TransactionLogError
from cxsim.calibration.logs import LOG_COLUMNS, read_transaction_log
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
    "CDNOW_START",
    "CDNOW_WEEKS",
    "CalibrationError",
    "CohortSummary",
    "LOG_COLUMNS",
    "REFERENCE_DIR",
    "ReferenceDataError",
    "TransactionLogError",
    "calibration_end_date",
    "cdnow_path",
    "cohort_customers",
    "cohort_summary",
    "cumulative_repeats",
    "load_cdnow",
    "load_cdnow_log",
    "log_span_weeks",
    "read_transaction_log",
    "rfm",
]
