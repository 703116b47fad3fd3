"""Reading and validating a transaction log: one row per purchase.

A transaction log is the raw material of customer-base analysis: who bought, when, and for how
much. :func:`read_transaction_log` accepts a CSV or Parquet file or a :class:`pandas.DataFrame`,
checks it, and returns it in one canonical form that the rest of :mod:`cxsim.calibration` uses:

=========== ====================================================================================
column      meaning
=========== ====================================================================================
customer    the customer's id: integers are kept as ``int64``; anything else becomes a
            ``category`` (its categories sorted)
date        the purchase day, ``datetime64[ns]`` at midnight (times of day are dropped)
amount      the spend on that day, ``float64``, in the log's currency; a customer's purchases on
            the same day are merged into one transaction and their amounts summed
week        weeks since the log's start, ``(date - start) / 7 days`` (float); a purchase on the
            first day has week 0, one on day 7 week 1.0. ``week < w`` means "in weeks 1..w".
=========== ====================================================================================

Rows are sorted by customer, then date. The start date is kept in ``log.attrs["start"]``
(a :class:`pandas.Timestamp`); it is the first date in the log unless ``start=`` says otherwise.

Merging same-day purchases is the convention of the BTYD literature (Fader, Hardie & Lee 2005,
"Counting your customers the easy way", *Marketing Science* 24(2)): a day's several orders are one
shopping occasion, and models of purchase timing count occasions, not order lines.

Bad input raises :class:`TransactionLogError` whose message is one line naming the problem.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.calibration.errors import TransactionLogError

__all__ = ["LOG_COLUMNS", "TransactionLogError", "read_transaction_log"]

#: The columns of a canonical transaction log, in order.
LOG_COLUMNS = ("customer", "date", "amount", "week")

_PARQUET_SUFFIXES = {".parquet", ".pq"}
_YYYYMMDD = re.compile(r"^\d{8}$")
_MAX_SHOWN_COLUMNS = 12


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _shown(value: object, limit: int = 40) -> str:
    """A value as a user typed it: strings quoted, numbers plain (no ``np.float64(...)``)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = _one_line(repr(value) if isinstance(value, str) else str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read_file(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise TransactionLogError(f"transaction log not found: {path}")
    if path.is_dir():
        raise TransactionLogError(f"transaction log is a directory, not a file: {path}")
    if path.stat().st_size == 0:
        raise TransactionLogError(f"transaction log is empty (0 bytes): {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in _PARQUET_SUFFIXES:
            return pd.read_parquet(path)
        # Everything else is read as CSV; pandas infers compression from the suffix (.gz, .zip...).
        frame = pd.read_csv(path, skipinitialspace=True)
        if len(frame.columns) == 1 and len(str(frame.columns[0]).split()) > 1:
            # one column whose name holds spaces: whitespace-separated text (the CDNOW files)
            frame = pd.read_csv(path, sep=r"\s+")
        return frame
    except pd.errors.EmptyDataError:
        raise TransactionLogError(
            f"transaction log is empty (no header, no rows): {path}"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        kind = "Parquet" if suffix in _PARQUET_SUFFIXES else "CSV"
        raise TransactionLogError(
            f"cannot read transaction log {path} as {kind}: {_one_line(exc)}"
        ) from None


def _row_label(position: int) -> str:
    """How to point a user at a row: data rows are numbered from 1 (a file's header excluded)."""
    return f"row {position + 1}"


def _parse_dates(values: pd.Series, column: str) -> pd.Series:
    """Dates as datetime64 at midnight: datetimes, YYYYMMDD integers or strings, ISO strings."""
    missing = values.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise TransactionLogError(f"missing date in column {column!r} at {_row_label(pos)}")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_localize(None)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        if pd.api.types.is_bool_dtype(values.dtype):
            raise TransactionLogError(f"column {column!r} holds booleans, not dates")
        if pd.api.types.is_float_dtype(values.dtype):
            whole = np.isfinite(values) & (values == np.round(values))
            if not whole.all():
                pos = int(np.flatnonzero(~whole.to_numpy())[0])
                raise TransactionLogError(
                    f"unparseable date {_shown(values.iloc[pos])} in column {column!r} at "
                    f"{_row_label(pos)} (expected YYYYMMDD or an ISO date like 1997-01-31)"
                )
            values = values.astype(np.int64)
        text = values.astype(str).str.strip()
        if text.str.fullmatch(_YYYYMMDD).all():
            parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        else:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise TransactionLogError(
                f"unparseable date {_shown(values.iloc[pos])} in column {column!r} at "
                f"{_row_label(pos)} (expected YYYYMMDD or an ISO date like 1997-01-31)"
            )
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize().astype("datetime64[ns]")


def _parse_amounts(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        raise TransactionLogError(f"column {column!r} holds booleans, not amounts")
    missing = values.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise TransactionLogError(f"missing amount in column {column!r} at {_row_label(pos)}")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy() | ~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise TransactionLogError(
            f"non-numeric amount {_shown(values.iloc[pos])} in column {column!r} at "
            f"{_row_label(pos)}"
        )
    numbers = numbers.astype(float)
    negative = (numbers < 0).to_numpy()
    if negative.any():
        pos = int(np.flatnonzero(negative)[0])
        raise TransactionLogError(
            f"negative amount {numbers.iloc[pos]:g} in column {column!r} at "
            f"{_row_label(pos)} (returns and refunds are not supported: net or drop them)"
        )
    return numbers


def _parse_customers(values: pd.Series, column: str) -> pd.Series:
    missing = values.isna().to_numpy()
    if missing.any():
        pos = int(np.flatnonzero(missing)[0])
        raise TransactionLogError(f"missing customer id in column {column!r} at {_row_label(pos)}")
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(np.int64)
    if pd.api.types.is_float_dtype(values.dtype) and (values == np.round(values)).all():
        return values.astype(np.int64)
    text = values.astype(str).str.strip()
    return text.astype(pd.CategoricalDtype(sorted(text.unique())))


def read_transaction_log(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    customer_col: str = "customer",
    date_col: str = "date",
    amount_col: str = "amount",
    start: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read, validate and canonicalise a transaction log (see the module docstring for the output).

    Parameters
    ----------
    source:
        A path to a CSV file (any suffix but ``.parquet``/``.pq``; ``.gz`` and ``.zip`` are
        decompressed; whitespace-separated text with a header line, like the CDNOW files, is
        read too) or a Parquet file, or a DataFrame (not modified).
    customer_col, date_col, amount_col:
        The names of the customer-id, purchase-date and amount columns in ``source``. Dates may
        be datetimes, ``YYYYMMDD`` integers or strings (``19970101``), or ISO 8601 strings
        (``1997-01-01``, ``1997-01-01T10:30``); the time of day is dropped. Amounts are spend per
        row in the log's currency, non-negative. Other columns are ignored.
    start:
        The date that ``week`` counts from (default: the first date in the log). It must not be
        after the first purchase.

    Returns
    -------
    DataFrame with columns ``customer``, ``date``, ``amount``, ``week`` (one row per customer and
    purchase day; same-day purchases merged, amounts summed), sorted by customer and date, and
    ``attrs["start"]`` (the date ``week`` counts from).

    Raises
    ------
    TransactionLogError
        One line naming the problem: missing or empty file, unreadable file, a missing column
        (listing the columns found), a missing or unparseable date (the first bad value and its
        row, counting data rows from 1), a missing, non-numeric or negative amount, a missing
        customer id, or fewer than 2 customers.
    """
    if isinstance(source, pd.DataFrame):
        frame = source
        where = "transaction log"
    elif isinstance(source, (str, PathLike)):
        path = Path(source).expanduser()
        frame = _read_file(path)
        where = f"transaction log {path}"
    else:
        raise TransactionLogError(
            f"a transaction log is a CSV/Parquet path or a DataFrame, not {type(source).__name__}"
        )

    found = [str(c) for c in frame.columns]
    for role, column in (("customer", customer_col), ("date", date_col), ("amount", amount_col)):
        if column not in frame.columns:
            shown = ", ".join(found[:_MAX_SHOWN_COLUMNS]) or "none"
            if len(found) > _MAX_SHOWN_COLUMNS:
                shown += f", ... ({len(found)} in all)"
            raise TransactionLogError(
                f"{where} has no {role} column {column!r} (columns found: {shown}); "
                f"name it with {role}_col="
            )
    if len({customer_col, date_col, amount_col}) < 3:
        raise TransactionLogError(
            f"customer, date and amount columns must differ (got {customer_col!r}, "
            f"{date_col!r}, {amount_col!r})"
        )
    if len(frame) == 0:
        raise TransactionLogError(f"{where} has a header but no rows")

    sub = frame[[customer_col, date_col, amount_col]].reset_index(drop=True)
    customers = _parse_customers(sub[customer_col], customer_col)
    dates = _parse_dates(sub[date_col], date_col)
    amounts = _parse_amounts(sub[amount_col], amount_col)

    n_customers = customers.nunique()
    if n_customers < 2:
        raise TransactionLogError(
            f"{where} has {n_customers} customer; at least 2 are needed to fit a customer-base model"
        )

    tidy = pd.DataFrame({"customer": customers, "date": dates, "amount": amounts})
    log = tidy.groupby(["customer", "date"], observed=True, sort=True)["amount"].sum().reset_index()
    first = log["date"].min()
    origin = first if start is None else pd.Timestamp(start).normalize()
    if origin > first:
        raise TransactionLogError(
            f"start {origin.date()} is after the log's first purchase ({first.date()})"
        )
    log["week"] = (log["date"] - origin) / pd.Timedelta(days=7)
    log.attrs["start"] = origin
    return log
