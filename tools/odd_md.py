"""Markdown for the generated tables: cells, tables, numbers and docstring markup."""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from cxsim.viz import style


def fmt(value: Any) -> str:
    """A value as shown in the tables: :func:`cxsim.viz.style.fmt` to four significant figures
    (trailing zeros dropped), in the document's typography: names in backticks, a true minus
    sign, ∞, and powers of ten as ``·10^k``."""
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, float | np.floating) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = style.fmt(value, 4, trim=True)
    power = re.fullmatch(r"(-?[\d.]+)e([+-]\d+)", text)
    if power:
        text = f"{power.group(1)}·10^{int(power.group(2))}"
    return text.replace("-", "−")


def cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: Iterable[str], rows: Iterable[Iterable[Any]], align: str | None = None) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |"]
    spec = align or "l" * len(header)
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in spec) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines)


def rst_to_md(text: str) -> str:
    """Docstring markup to Markdown: ``code`` → `code`, and whitespace collapsed."""
    text = re.sub(r"``(.+?)``", r"`\1`", text)
    text = re.sub(
        r":(?:func|class|meth|data|mod):`~?([^`]+)`",
        lambda m: "`" + re.sub(r"\s+", "", m.group(1)) + "`",  # a name never holds a space
        text,
    )
    return re.sub(r"\s+", " ", text).strip()


def first_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    para = doc.split("\n\n", 1)[0]
    return rst_to_md(para)
