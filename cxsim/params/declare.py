"""How a parameter is declared and checked: :func:`P`, :class:`ScenarioError`, sources.

Every parameter of a scenario is a dataclass field declared with :func:`P`, which stores its
unit, closed range, one-line meaning and source in the field's metadata; the scenario checks each
value against that declaration (:func:`coerce`), and docs/ODD.md's parameter tables are read from
it by ``tools/odd.py``. A source is one of: a literature reference for the parameter's form (and,
where one exists, its value), or a statement that the value is a modelling choice or
:data:`CALIBRATED`.
"""

from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import MISSING, Field, field, fields
from typing import Any

import numpy as np


class ScenarioError(ValueError):
    """A scenario, parameter or override is invalid. The message is one line (whitespace in
    the values it quotes, newlines included, is collapsed)."""

    def __str__(self) -> str:
        return " ".join(super().__str__().split())


# Sources: most defaults are calibration choices (the model's quality scale is arbitrary, and few
# of these quantities have been measured in the units the model uses), and they say so.

#: A default chosen to reproduce the stylised facts of docs/validation.md, not a measured value.
CALIBRATED = "calibrated (see docs/validation.md)"
#: The usual ending of a source whose form comes from the literature and whose value does not.
CAL = "value " + CALIBRATED
#: Source of a customer parameter fitted to the CDNOW log (the default market's customers).
FITTED = (
    "value fitted to the CDNOW log (weeks 1-39) by cxsim calibrate, indirect inference with a "
    "BG/NBD auxiliary model (docs/ODD.md section 6; cxsim.params.presets cdnow_calibrated)"
)
#: Source of a spend parameter fitted to the CDNOW log.
FITTED_SPEND = (
    "value fitted to the CDNOW log (weeks 1-39) by cxsim calibrate, the gamma-gamma model of "
    "the cohort's repeat purchases (docs/ODD.md section 6)"
)
#: Source of a lever's response parameters: the concave spend response every lever shares.
CONCAVE = "form: Blattberg & Deighton 1996 concave response; " + CAL


def concave(form: str) -> str:
    """A lever source: its own ``form``, plus the concave response all levers share."""
    return f"form: {form}, with the concave response of Blattberg & Deighton 1996; {CAL}"


def P(
    default: Any,
    unit: str,
    low: float | None = None,
    high: float | None = None,
    doc: str = "",
    choices: tuple[str, ...] | None = None,
    *,
    source: str,
    infinite: tuple[float, ...] = (),
) -> Any:  # noqa: N802
    """Declare a parameter: default, unit, closed range [low, high], meaning and source.

    ``source`` says where the parameter's form or value comes from: a literature reference, or
    that the value is a modelling choice or :data:`CALIBRATED`. docs/ODD.md shows it.
    ``infinite``: the infinities (``-math.inf``, ``math.inf``) that mean something for this
    parameter (its ``doc`` says what); any other infinite value is refused.
    """
    meta = {
        "unit": unit,
        "low": low,
        "high": high,
        "doc": doc,
        "choices": choices,
        "source": source,
        "infinite": tuple(infinite),
    }
    return field(default=default, metadata=meta)


def suggest(name: str, options: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or an empty string."""
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def show(value: Any, width: int = 60) -> str:
    """``repr(value)`` on one line, cut to ``width`` characters, for error messages (a value of
    thousands of digits or a long string stays readable)."""
    try:
        text = repr(value)
    except ValueError:  # holds an int too long to print (sys.get_int_max_str_digits)
        if isinstance(value, int):
            return f"<a whole number of about {value.bit_length() * 0.30103:,.0f} digits>"
        return f"<a {type(value).__name__} holding a number too long to print>"
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the message
        return f"<a {type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def field_of(cls: type, name: str) -> Field:
    """The declared field ``name`` of dataclass ``cls``."""
    for f in fields(cls):
        if f.name == name:
            return f
    raise ScenarioError(f"{cls.__name__}.{name}: unknown parameter")


def coerce(key: str, value: Any, f: Field) -> Any:
    """Check type and range of one value against its declaration; return it typed.

    An infinite value is refused unless the parameter declares it meaningful (``infinite=`` of
    :func:`P`: ``-inf`` switches the outside option off, ``+inf`` makes a need arise at every
    step)."""
    default = f.default if f.default is not MISSING else None
    meta = f.metadata
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(f"{key}: {show(value)} is not true/false")
        return value
    is_bool = isinstance(value, bool | np.bool_)
    if isinstance(default, int) and not isinstance(default, bool):
        if is_bool or not isinstance(value, numbers.Real):
            raise ScenarioError(f"{key}: {show(value)} is not a whole number")
        if not isinstance(value, numbers.Integral):
            try:
                whole = float(value).is_integer()
            except (OverflowError, ValueError):
                whole = False
            if not whole:
                raise ScenarioError(f"{key}: {show(value)} is not a whole number")
        value = int(value)
    elif isinstance(default, float):
        if is_bool or not isinstance(value, numbers.Real):
            raise ScenarioError(f"{key}: {show(value)} is not a number")
        try:
            value = float(value)
        except OverflowError:
            raise ScenarioError(f"{key}: {show(value)} is too large to be a number") from None
        if math.isnan(value):
            raise ScenarioError(f"{key}: nan is not a number")
        if math.isinf(value) and value not in (meta.get("infinite") or ()):
            raise ScenarioError(f"{key}: {value!r} has no meaning here; give a finite number")
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(f"{key}: {show(value)} is not a string")
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                f"{key}: {show(value)} is not one of {', '.join(choices)}{suggest(value, list(choices))}"
            )
        return value
    low, high = meta.get("low"), meta.get("high")
    if low is not None and value < low or high is not None and value > high:
        raise ScenarioError(
            f"{key}: {show(value)} is outside the allowed range [{low:g}, {high:g}] ({meta.get('unit')})"
        )
    return value
