"""Reference transaction logs shipped in the source tree (``data/reference/``).

The CDNOW data set (Fader & Hardie; used in Fader, Hardie & Lee 2005, "Counting your customers
the easy way: an alternative to the Pareto/NBD model", *Marketing Science* 24(2), 275–284) is
the standard benchmark of buy-till-you-die models: every purchase, from 1 January 1997 to
30 June 1998 (78 weeks), of the 23,570 customers who made their first purchase at the online
music retailer CDNOW in the first quarter of 1997 (weeks 1–12). The files are stored gzipped,
byte for byte as redistributed in the ``lifetimes`` 0.11.3 wheel (MIT licence); see
``data/reference/README.md`` for their provenance and terms.

They live in the repository, not in the installed package: :func:`load_cdnow` finds them relative
to this file, so it works in a source checkout (including an editable install) and raises a
one-line :class:`ReferenceDataError` naming the path it looked for anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from cxsim.calibration.errors import ReferenceDataError
from cxsim.calibration.logs import read_transaction_log

__all__ = [
    "CDNOW_START",
    "CDNOW_WEEKS",
    "REFERENCE_DIR",
    "ReferenceDataError",
    "cdnow_path",
    "load_cdnow",
    "load_cdnow_log",
]

#: ``data/reference`` of the source checkout this module belongs to.
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"

#: The first day of the CDNOW observation window (week 0.0 in a transaction log).
CDNOW_START = pd.Timestamp("1997-01-01")

#: Length of the CDNOW observation window, weeks (1997-01-01 to 1998-06-30 inclusive is 546 days).
CDNOW_WEEKS = 78

_FILES = {"master": "cdnow_master.txt.gz", "sample": "cdnow_sample.txt.gz"}


def cdnow_path(kind: Literal["master", "sample"] = "master") -> Path:
    """The path of a CDNOW file; raises :class:`ReferenceDataError` if it is not there."""
    if kind not in _FILES:
        raise ReferenceDataError(f"unknown CDNOW file {kind!r}; choose 'master' or 'sample'")
    path = REFERENCE_DIR / _FILES[kind]
    if not path.is_file():
        raise ReferenceDataError(
            f"CDNOW reference data not found at {path}: it ships in data/reference/ of the cxsim "
            "source repository, not in the installed package; run from a source checkout"
        )
    return path


def load_cdnow(kind: Literal["master", "sample"] = "master") -> pd.DataFrame:
    """The raw CDNOW purchase records, one row per order line as in the original file.

    ``kind="master"``: all 23,570 customers, 69,659 rows. ``kind="sample"``: the 1/10 systematic
    sample of 2,357 customers (6,919 rows) analysed in Fader, Hardie & Lee (2005).

    Returns a DataFrame with columns ``customer`` (int, the master file's id 1..23,570),
    ``sample_id`` (int, 1..2,357; sample only), ``date`` (datetime64, the purchase day),
    ``cds`` (int, number of CDs bought) and ``amount`` (float, US dollars). Same-day rows are not
    merged here: pass the result to :func:`cxsim.calibration.read_transaction_log` (or call
    :func:`load_cdnow_log`) for the canonical, merged log.
    """
    path = cdnow_path(kind)
    if kind == "master":
        names = ["customer", "date", "cds", "amount"]
        skip = 1  # the master file has a header line
    else:
        names = ["customer", "sample_id", "date", "cds", "amount"]
        skip = 0
    raw = pd.read_csv(path, sep=r"\s+", header=None, names=names, skiprows=skip, dtype=str)
    frame = raw.astype({name: "int64" for name in names if name not in ("date", "amount")})
    frame["amount"] = frame["amount"].astype(float)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def load_cdnow_log(kind: Literal["master", "sample"] = "master") -> pd.DataFrame:
    """The CDNOW data as a canonical transaction log (same-day purchases merged, amounts summed,
    ``week`` counted from 1997-01-01); see :func:`cxsim.calibration.read_transaction_log`."""
    return read_transaction_log(load_cdnow(kind), start=CDNOW_START)
