"""The errors of :mod:`cxsim.calibration`: bad input, reported as one line.

All derive from :class:`cxsim.params.ScenarioError` (a :class:`ValueError`), so the command line
prints them as ``cxsim: error: <message>`` and exits with status 2.
"""

from __future__ import annotations

from cxsim.params import ScenarioError

__all__ = ["CalibrationError", "ReferenceDataError", "TransactionLogError"]


class CalibrationError(ScenarioError):
    """Bad input to a calibration function (data or model arguments). The message is one line."""


class TransactionLogError(CalibrationError):
    """A transaction log cannot be read or fails validation. The message is one line."""


class ReferenceDataError(CalibrationError):
    """A reference data file is missing (outside a source checkout). The message is one line."""
