"""Classroom worksheets: answer checks that never raise, and the learners' copy of a notebook.

**Checks.** Every check prints one line, ``✓`` with an explanation when the answer is right, or
``✗`` with a hint, and returns whether it was right. It never raises: a blank answer
(``None`` or ``...``), an answer of the wrong type (text where a number is asked), a wrong
answer, even a bug in the check itself, is a ``✗`` line telling the learner what to do. The
building blocks are :func:`check_number`, :func:`check_choice` and :func:`check_split` (a
budget split over the levers); the checks of notebook 09 (:func:`check_trust`,
:func:`check_churn`, :func:`check_treadmill`, :func:`check_silent`, :func:`check_beats_balanced`)
compute what they compare with from the model, so the notebook's text never shows an answer.

**The learners' copy** (:func:`student_copy`, :func:`export_student_copy`; ``cxsim classroom
export`` and ``make student-notebooks`` on the command line) is made from the teacher's notebook
by three conventions:

* in a code cell, everything from a line ``# ANSWER`` on is the teacher's answer and is left out
  (the lines above it, e.g. ``answer_1 = ...``, are what the learner starts from);
* a cell tagged ``teacher-only`` (cell metadata ``tags``) is left out entirely, and so is a
  markdown passage between ``<!-- teacher-only -->`` and ``<!-- /teacher-only -->``;
* outputs and execution counts are cleared, and ``# NBVAL_...`` markers dropped.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import numbers
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "ANSWER_MARK",
    "TEACHER_TAG",
    "check_answer",
    "check_beats_balanced",
    "check_choice",
    "check_churn",
    "check_number",
    "check_silent",
    "check_split",
    "check_treadmill",
    "check_trust",
    "export_student_copy",
    "load_worksheet",
    "student_copy",
    "valid_split",
]

#: The line that starts the teacher's answer in a code cell.
ANSWER_MARK = "# ANSWER"
#: The tag of cells (and the marker of markdown passages) the learners' copy leaves out.
TEACHER_TAG = "teacher-only"

_RIGHT, _WRONG = "✓", "✗"


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------


def _say(right: bool, text: str) -> bool:
    print(f"{_RIGHT if right else _WRONG} {' '.join(str(text).split())}")
    return right


def _right(explanation: str = "") -> bool:
    return _say(True, "Correct." + (f" {explanation}" if explanation else ""))


def _wrong(what: str, hint: str) -> bool:
    return _say(False, f"{what} Hint: {hint}" if hint else what)


def _blank(value: Any) -> bool:
    return value is None or value is Ellipsis or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"text ({_shown(value)})"
    if isinstance(value, Mapping):
        return "a dictionary"
    if isinstance(value, list | tuple | set):
        return f"a {type(value).__name__}"
    return f"a {type(value).__name__} ({_shown(value)})"


def _guarded(check: Callable[..., bool]) -> Callable[..., bool]:
    """A check that prints ✗ instead of raising, whatever happens inside it."""

    def run(*args: Any, **kwargs: Any) -> bool:
        try:
            return bool(check(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - a worksheet never shows a traceback
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return _say(
                False,
                f"Could not check this answer ({reason}). Hint: re-run the cells above this "
                "one from the top, then this cell.",
            )

    run.__name__ = check.__name__
    run.__doc__ = check.__doc__
    run.__wrapped__ = check  # type: ignore[attr-defined]
    return run


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


@_guarded
def check_answer(correct: Any, hint: str, explanation: str = "") -> bool:
    """``✓`` and ``explanation`` if ``correct`` is true, else ``✗`` and ``hint`` (the simplest
    check: the notebook decides)."""
    if correct is None or correct is Ellipsis:
        return _wrong("Not answered yet.", hint)
    return _right(explanation) if bool(correct) else _wrong("Not yet.", hint)


def _number(value: Any) -> float | None:
    """``value`` as a float if it is a real number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # NumPy scalars and 0-d arrays
            import numpy as np

            if isinstance(value, np.ndarray) and value.ndim == 0:
                value = value.item()
            elif isinstance(value, np.generic):
                value = value.item()
        except ImportError:  # pragma: no cover - numpy is a dependency
            pass
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


@_guarded
def check_number(
    answer: Any,
    expected: float,
    *,
    hint: str,
    explanation: str = "",
    rtol: float = 0.01,
    atol: float = 0.0,
    whole: bool = False,
    name: str = "your answer",
) -> bool:
    """A number within ``rtol`` (relative) or ``atol`` of ``expected``; ``whole``: a whole
    number equal to it."""
    if _blank(answer):
        return _wrong(f"Not answered yet: replace the ... after {name} with a number.", hint)
    value = _number(answer)
    if value is None:
        return _wrong(f"{name} should be a number, like 3 or 4.5, not {_kind(answer)}.", hint)
    if not math.isfinite(value):
        return _wrong(f"{name} should be a finite number, not {_shown(answer)}.", hint)
    if whole:
        if value != int(value):
            return _wrong(f"{name} should be a whole number, not {_shown(answer)}.", hint)
        right = int(value) == int(round(expected))
    else:
        right = math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol)
    return _right(explanation) if right else _wrong("Not yet.", hint)


@_guarded
def check_choice(
    answer: Any,
    choices: Iterable[str],
    *,
    correct: str | None = None,
    digest: str | None = None,
    hint: str,
    explanation: str = "",
    name: str = "your answer",
) -> bool:
    """One of ``choices`` (text, compared without case or surrounding spaces): ``correct``, or
    the choice whose :func:`_digest` is ``digest`` (so that a notebook need not show it)."""
    options = [str(c) for c in choices]
    listed = ", ".join(f'"{c}"' for c in options)
    if _blank(answer):
        return _wrong(f"Not answered yet: set {name} to one of {listed}.", hint)
    if not isinstance(answer, str):
        return _wrong(
            f"{name} should be text, one of {listed} (with quotes), not {_kind(answer)}.", hint
        )
    given = answer.strip().lower()
    if given not in [c.lower() for c in options]:
        return _wrong(f"{_shown(answer)} is not one of the choices {listed}.", hint)
    if correct is not None:
        right = given == correct.strip().lower()
    else:
        right = _digest(given) == digest
    return _right(explanation) if right else _wrong("Not yet.", hint)


def _digest(text: str) -> str:
    """A short fingerprint of an answer: a check can hold it without the notebook showing it."""
    return hashlib.sha256(f"cxsim:{text.strip().lower()}".encode()).hexdigest()[:12]


def valid_split(split: Any, *, name: str = "my_split", quiet: bool = False) -> dict | None:
    """A budget split as ``{lever: share}`` if it is one (known levers, shares in [0, 1] that
    sum to 1); else ``None``, after a ``✗`` line saying what to fix (unless ``quiet``).
    Never raises."""
    try:
        from cxsim.params import LEVERS

        levers = list(LEVERS)
        problem = _split_problem(split, levers, name)
    except Exception as exc:  # noqa: BLE001
        problem = f"could not read {name} ({' '.join(str(exc).split())})."
    if problem is None:
        return {k: float(v) for k, v in split.items() if float(v) > 0}
    if not quiet:
        _wrong(
            problem,
            f"{name} is a dictionary of shares over the levers, e.g. "
            '{"service": 0.5, "advertising": 0.5}; the shares sum to 1.',
        )
    return None


def _split_problem(split: Any, levers: list[str], name: str) -> str | None:
    if _blank(split):
        return f"Not answered yet: {name} is still blank."
    if not isinstance(split, Mapping):
        return f"{name} should be a dictionary of lever shares, not {_kind(split)}."
    if not split:
        return f"{name} is empty: give at least one lever a share."
    for lever, share in split.items():
        if lever not in levers:
            import difflib

            close = difflib.get_close_matches(str(lever), levers, n=1)
            mean = f" (did you mean {close[0]!r}?)" if close else ""
            return f"{_shown(lever)} is not a lever{mean}; the levers are {', '.join(levers)}."
        value = _number(share)
        if value is None:
            return f"the share of {lever} should be a number, not {_kind(share)}."
        if not 0.0 <= value <= 1.0:
            return f"the share of {lever} is {value:g}; shares are between 0 and 1."
    total = sum(_number(v) or 0.0 for v in split.values())
    if abs(total - 1.0) > 1e-6:
        return f"the shares sum to {total:.4g}; they must sum to 1."
    return None


@_guarded
def check_split(split: Any, *, name: str = "my_split") -> bool:
    """``✓`` if ``split`` is a valid budget split (see :func:`valid_split`), else ``✗``."""
    if valid_split(split, name=name) is None:
        return False
    return _right(f"{name} is a budget split over {len([v for v in split.values() if v])} levers.")


# --------------------------------------------------------------------------------------------
# The checks of notebook 09
# --------------------------------------------------------------------------------------------


@_guarded
def check_trust(answer: Any, start: float = 0.5) -> bool:
    """Exercise 1: how many good experiences undo one bad one (from ``start`` trust)."""
    from cxsim.validation.behaviours import trust_asymmetry

    trust = trust_asymmetry(start=start)
    return check_number.__wrapped__(
        answer,
        trust.hits_to_recover,
        whole=True,
        name="answer_1",
        hint="one miss costs 0.5 × 20% = 0.10; each hit gains 6% of the *remaining* distance "
        "to 1 (about 0.03 at first). Count the hits.",
        explanation=f"It takes {trust.hits_to_recover:.0f} hits to undo one miss: losses weigh "
        f"{trust.loss_to_gain:.1f} times gains (the literature says 2–5 times).",
    )


_DIRECTIONS = ("up", "down", "no change")


@_guarded
def check_churn(answer: Any, diff: Any) -> bool:
    """Exercise 2: the predicted direction of churn against the paired differences ``diff``
    (one per replication): "up" or "down" when the 95% interval excludes zero."""
    import numpy as np
    from scipy import stats

    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else 0
    mean = float(d.mean())
    observed = "up" if mean - half > 0 else "down" if mean + half < 0 else "no change"
    return check_choice.__wrapped__(
        answer,
        _DIRECTIONS,
        correct=observed,
        name="answer_2",
        hint="a miss now costs more trust, and customers below the trust floor leave more "
        "often; whether that shows in churn depends on how many fall below the floor. Read "
        "the paired difference and its interval above.",
        explanation="The same service failures now push more customers below the trust floor."
        if observed == "up"
        else f"The runs say {observed!r}.",
    )


#: Exercise 3's answer, as a fingerprint (the notebook does not show it).
_TREADMILL = "6ec59d92f850"


@_guarded
def check_treadmill(answer: Any) -> bool:
    """Exercise 3: why delight fades at constant quality."""
    return check_choice.__wrapped__(
        answer,
        ("a", "b", "c", "d"),
        digest=_TREADMILL,
        name="answer_3",
        hint="look at the right-hand panel: which line moves, and which stays flat? There are "
        "no rivals in this market, and the firm's quality line is flat.",
        explanation="Expectations adapt to experience (cxsim.core.rules.adapt_expectation): "
        "what delighted yesterday is taken for granted tomorrow. Only continuing improvement "
        "keeps delighting — the expectation treadmill.",
    )


@_guarded
def check_silent(answer: Any, weeks: Any, firm: str = "focal") -> bool:
    """Exercise 4: silent dissatisfied experiences per complaint, over the frame ``weeks``."""
    mine = weeks[weeks["firm"] == firm]
    ratio = float(mine["silent"].sum()) / float(mine["complaints"].sum())
    return check_number.__wrapped__(
        answer,
        ratio,
        rtol=0.01,
        name="answer_4",
        hint="sum the `silent` column and the `complaints` column over all weeks of the "
        f"{firm} firm's rows, then divide.",
        explanation=f"About {ratio:.1f} silent experiences stand behind each complaint.",
    )


@_guarded
def check_beats_balanced(result: Any) -> bool:
    """Exercise 5: the split's five-year NPV beats "balanced" with a 95% interval above zero.
    ``result`` is the summary the notebook made (``None`` when the split could not run)."""
    hint = (
        "in a mature market most customers already know the firm: advertising and promotions "
        "mostly reach people who know it already. Move budget to the levers that keep and "
        "delight customers (service, personalization, complaint handling)."
    )
    if result is None:
        return _wrong("No run yet: fix my_split above (see its ✗), then run the cells again.", hint)
    npv = result.loc[("my_split", "npv")]
    if float(npv["diff_ci_low"]) > 0:
        return _right(
            "Spending on existing customers pays: they buy again, praise the firm, and leave "
            "less often."
        )
    if float(npv["diff_mean"]) > 0:
        return _wrong("Better on average, but the interval includes zero: not yet sure.", hint)
    return _wrong("Not yet: your split earns less than balanced.", hint)


# --------------------------------------------------------------------------------------------
# The learners' copy
# --------------------------------------------------------------------------------------------

_TEACHER_PASSAGE = re.compile(
    rf"<!--\s*{TEACHER_TAG}\s*-->.*?<!--\s*/{TEACHER_TAG}\s*-->\n?", re.DOTALL
)


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _student_code(text: str) -> str:
    lines = text.split("\n")
    keep: list[str] = []
    for line in lines:
        if line.strip() == ANSWER_MARK or line.strip().startswith(ANSWER_MARK + " "):
            break
        if line.strip().startswith("# NBVAL_"):
            continue
        keep.append(line)
    while keep and not keep[-1].strip():
        keep.pop()
    return "\n".join(keep)


def student_copy(notebook: Mapping[str, Any]) -> dict[str, Any]:
    """The learners' copy of a notebook (as a dict in the ``.ipynb`` JSON form): teacher-only
    cells and passages and the answers left out, outputs cleared."""
    nb = copy.deepcopy(dict(notebook))
    cells = []
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", []) or []
        if TEACHER_TAG in tags:
            continue
        text = _source(cell)
        if cell.get("cell_type") == "code":
            text = _student_code(text)
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.setdefault("metadata", {}).pop("execution", None)
        elif cell.get("cell_type") == "markdown":
            text = _TEACHER_PASSAGE.sub("", text).rstrip("\n")
            if not text.strip():
                continue
        cell["source"] = text
        cells.append(cell)
    nb["cells"] = cells
    nb.setdefault("metadata", {})["cxsim"] = {"student_copy": True}
    return nb


def load_worksheet(notebook: str | os.PathLike) -> dict[str, Any]:
    """A teacher's worksheet as a notebook dict, checked: JSON with cells, and some answer to
    hide (a ``# ANSWER`` line or a ``teacher-only`` cell).

    Raises:
        ValueError: one line naming the file.
    """
    path = Path(notebook)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such notebook") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = " ".join(str(exc).split())
        raise ValueError(f"{path.name}: is not a notebook (.ipynb JSON): {reason}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(f"{path.name}: is not a notebook (.ipynb JSON): it has no cells")
    marked = any(
        TEACHER_TAG in (c.get("metadata", {}).get("tags", []) or [])
        or any(line.strip() == ANSWER_MARK for line in _source(c).split("\n"))
        for c in data["cells"]
        if isinstance(c, dict)
    )
    if not marked:
        raise ValueError(
            f"{path.name}: has no answers to hide (no '{ANSWER_MARK}' line and no "
            f"'{TEACHER_TAG}' cell): it is not a teacher's worksheet"
        )
    return data


def export_student_copy(
    notebook: str | os.PathLike, out: str | os.PathLike = "results/student"
) -> Path:
    """Write the learners' copy of the notebook file ``notebook`` into the folder ``out`` (made
    if needed) as ``<name>_student.ipynb``, atomically; returns its path.

    Raises:
        ValueError: (one line) see :func:`load_worksheet`.
    """
    from cxsim.experiments.outputs import make_dir, write_text

    path = Path(notebook)
    student = student_copy(load_worksheet(path))
    target = Path(out) / f"{path.stem}_student.ipynb"
    make_dir(target.parent)
    write_text(target, json.dumps(student, indent=1, ensure_ascii=False) + "\n")
    return target
