"""Notebook 09 as a worksheet: checks that print ✓ or ✗ and never raise, the learners' copy
without answers, and that copy run by a kernel with blank, wrong-typed and wrong answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from cxsim.cli.main import main
from cxsim.viz import classroom
from cxsim.viz.classroom import (
    check_answer,
    check_beats_balanced,
    check_choice,
    check_number,
    check_silent,
    check_split,
    check_treadmill,
    check_trust,
    export_student_copy,
    student_copy,
    valid_split,
)

ROOT = Path(__file__).resolve().parents[1]
TEACHER = ROOT / "notebooks" / "09_classroom.ipynb"


def _said(capsys) -> list[str]:
    return capsys.readouterr().out.strip().splitlines()


def _one_line(capsys, mark: str) -> str:
    lines = _said(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(mark + " "), lines
    return lines[0]


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", [None, ..., "", "   "])
def test_blank_answers_are_a_cross_with_a_hint(capsys, blank):
    assert check_number(blank, 3, whole=True, hint="count them") is False
    line = _one_line(capsys, "✗")
    assert "Not answered yet" in line and "Hint: count them" in line
    assert check_choice(blank, ["up", "down"], correct="up", hint="look up") is False
    assert "Not answered yet" in _one_line(capsys, "✗")


@pytest.mark.parametrize("answer", ["three", [3], {"n": 3}, True, float("nan")])
def test_wrong_types_are_a_cross_saying_what_is_expected(capsys, answer):
    assert check_number(answer, 3, whole=True, hint="count them") is False
    line = _one_line(capsys, "✗")
    assert "number" in line and "Hint: count them" in line


def test_numbers_whole_and_close(capsys):
    assert check_number(3, 3.0, whole=True, hint="h", explanation="Three.") is True
    assert _one_line(capsys, "✓") == "✓ Correct. Three."
    assert check_number(np.int64(3), 3.0, whole=True, hint="h") is True
    _said(capsys)
    assert check_number(2.5, 3.0, whole=True, hint="h") is False
    assert "whole number" in _one_line(capsys, "✗")
    assert check_number(4, 3, whole=True, hint="h") is False
    assert "Not yet" in _one_line(capsys, "✗")
    assert check_number(4.62, 4.6, rtol=0.01, hint="h") is True
    _said(capsys)
    assert check_number(4.8, 4.6, rtol=0.01, hint="h") is False
    _said(capsys)


def test_choices_ignore_case_and_spaces_and_reject_others(capsys):
    assert check_choice(" UP ", ["up", "down", "no change"], correct="up", hint="h") is True
    _said(capsys)
    assert check_choice("sideways", ["up", "down"], correct="up", hint="h") is False
    assert "not one of the choices" in _one_line(capsys, "✗")
    assert check_choice(2, ["a", "b"], correct="b", hint="h") is False
    assert "should be text" in _one_line(capsys, "✗")
    assert check_choice("b", "abcd", digest=classroom._digest("b"), hint="h") is True
    _said(capsys)


def test_splits(capsys):
    assert valid_split({"service": 0.5, "advertising": 0.5}) == {"service": 0.5, "advertising": 0.5}
    assert _said(capsys) == []
    for bad, words in [
        (..., "blank"),
        ([0.5, 0.5], "dictionary"),
        ({}, "empty"),
        ({"servce": 1.0}, "did you mean 'service'"),
        ({"service": "half", "advertising": 0.5}, "should be a number"),
        ({"service": 1.5}, "between 0 and 1"),
        ({"service": 0.5, "advertising": 0.4}, "sum to 0.9"),
    ]:
        assert valid_split(bad) is None
        line = _one_line(capsys, "✗")
        assert words in line and "Hint:" in line
    assert check_split({"service": 1.0}) is True
    _one_line(capsys, "✓")


def test_a_check_that_breaks_is_a_cross_not_a_traceback(capsys):
    assert check_silent(4.6, weeks="not a frame") is False
    line = _one_line(capsys, "✗")
    assert "Could not check" in line
    assert check_answer(None, "h") is False
    assert "Not answered" in _one_line(capsys, "✗")


def test_notebook_checks_compute_their_own_answers(capsys):
    assert check_trust(3) is True and check_trust(4) is False
    _said(capsys)
    assert check_treadmill("b") is True and check_treadmill("a") is False
    _said(capsys)
    weeks = pd.DataFrame(
        {"firm": ["focal", "focal", "rival"], "silent": [4, 5, 9], "complaints": [1, 2, 1]}
    )
    assert check_silent(3.0, weeks) is True and check_silent(9.0, weeks) is False
    _said(capsys)
    assert check_beats_balanced(None) is False
    assert "No run yet" in _one_line(capsys, "✗")


# --------------------------------------------------------------------------------------------
# The learners' copy
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def teacher() -> dict:
    return json.loads(TEACHER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    return export_student_copy(TEACHER, tmp_path_factory.mktemp("student"))


def _text(nb: dict) -> str:
    return "\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]
    )


def test_teacher_notebook_marks_its_answers_and_checks(teacher):
    tags = [c.get("metadata", {}).get("tags", []) for c in teacher["cells"]]
    answers = [c for c, t in zip(teacher["cells"], tags, strict=True) if "answer" in t]
    checks = [c for c, t in zip(teacher["cells"], tags, strict=True) if "check" in t]
    assert len(answers) == len(checks) == 5
    for cell in answers:
        assert classroom.ANSWER_MARK in "".join(cell["source"])
    assert any(classroom.TEACHER_TAG in t for t in tags)


def test_student_copy_has_no_answers(student, teacher):
    nb = json.loads(student.read_text(encoding="utf-8"))
    nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
    assert student.name == "09_classroom_student.ipynb"
    text = _text(nb)
    assert classroom.ANSWER_MARK not in text and "teacher-only" not in text
    assert "NBVAL" not in text
    for answer in (
        "answer_1 = 3",
        'answer_2 = "up"',
        'answer_3 = "b"',
        "focal.silent.sum()",
        '"personalization": 0.25',
        "What the class finds",
        "Teacher's note",
        "Takeaways",
        "3.3 times",
        "0.85%",
        "4.6",
        "18,600",
        "Churn rises",
        "ratio is lower",
    ):
        assert answer not in text, answer
    for name in ("answer_1", "answer_2", "answer_3", "answer_4", "my_split"):
        assert re.search(rf"^{name} = \.\.\.$", text, re.MULTILINE), name
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert len(nb["cells"]) < len(teacher["cells"])
    # the copy of the copy is the copy: nothing left to strip
    assert _text(student_copy(nb)) == text


# answers a learner might give: wrong types (and a split that does not sum to 1), and wrong
# values of the right type (a valid split that loses, so its run goes ahead)
WRONG_TYPES = {
    "answer_1": '"three"',
    "answer_2": "1",
    "answer_3": "2",
    "answer_4": '"lots"',
    "my_split": '{"advertising": 0.6, "promotion": 0.3}',  # sums to 0.9
}
WRONG_VALUES = {
    "answer_1": "7",
    "answer_2": '"down"',
    "answer_3": '"a"',
    "answer_4": "26.0",
    "my_split": '{"promotion": 1.0}',
}


def _answer(nb, answers: dict[str, str]) -> None:
    for cell in nb.cells:
        if "answer" in cell.metadata.get("tags", []):
            for name, value in answers.items():
                cell.source = re.sub(
                    rf"^{name} = \.\.\.$", f"{name} = {value}", cell.source, flags=re.MULTILINE
                )


def _run(path: Path, answers: dict[str, str] | None) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if answers:
        _answer(nb, answers)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


@pytest.mark.parametrize(
    "answers", [None, WRONG_TYPES, WRONG_VALUES], ids=["blank", "types", "wrong"]
)
def test_student_copy_runs_and_every_check_prints_a_cross(student, answers):
    nb = _run(student, answers)
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) == 5
    for cell in checks:
        printed = "".join(
            o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
        )
        marks = [line for line in printed.splitlines() if line.startswith(("✓ ", "✗ "))]
        assert marks, (cell.source, printed)
        assert all(m.startswith("✗ ") for m in marks), marks  # nothing right yet
        assert "Hint:" in marks[-1]


# --------------------------------------------------------------------------------------------
# The command line and make
# --------------------------------------------------------------------------------------------


def test_cxsim_classroom_export_writes_the_copy(tmp_path, capsys):
    out = tmp_path / "copies"
    assert main(["classroom", "export", str(TEACHER), "--out", str(out)]) == 0
    written = out / "09_classroom_student.ipynb"
    assert written.is_file() and str(written) in capsys.readouterr().out
    assert classroom.ANSWER_MARK not in written.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "is not a notebook"),
        ('{"cells": []}', "has no answers to hide"),
    ],
)
def test_cxsim_classroom_export_bad_notebook_is_one_line(tmp_path, capsys, content, expected):
    bad = tmp_path / "bad.ipynb"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "copies"
    assert main(["classroom", "export", str(TEACHER), str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cxsim: error: bad.ipynb: " + expected)
    assert not out.exists()  # nothing written, not even the good notebook's copy


def test_make_has_a_student_notebooks_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^student-notebooks:", makefile, re.MULTILINE)
    assert "cxsim classroom export" in makefile
