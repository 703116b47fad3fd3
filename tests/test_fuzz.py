"""Fuzzing the inputs: every scenario dictionary and every ``--set`` string either runs or is
refused in one line, never a traceback.

Hypothesis draws 500 examples per test, derandomized (the same examples on every run, so CI is
reproducible), from valid parameter names and values mixed with junk: wrong types, NaN and
infinities, 5,000-digit numbers, NUL and control characters, path-like and TeX names, nested
tables, firms with bad allocations. A valid scenario runs tiny (20 customers, 2 weeks).
"""

from __future__ import annotations

import contextlib
import io
import math
from dataclasses import fields

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cxsim.params.limits as limits  # noqa: E402
from cxsim.cli import main  # noqa: E402
from cxsim.experiments import run_one  # noqa: E402
from cxsim.params import (  # noqa: E402
    NETWORK_KINDS,
    SECTIONS,
    STRATEGIES,
    FirmSpec,
    ScenarioError,
    parameter_names,
    scenario_from_dict,
)
from cxsim.params.levers import LEVERS  # noqa: E402

FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # known_memory: the same for every example
    ],
)

BIG = "9" * 5000

# -- values -----------------------------------------------------------------------------------

special_numbers = st.sampled_from(
    [0, 1, 2, -1, 20, 0.5, 1e-9, 1e308, -1e308, 10**400, 10**5000, math.inf, -math.inf, math.nan]
)
numbers = st.one_of(
    special_numbers,
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0.0, max_value=1.0),
)
words = st.sampled_from(
    [*NETWORK_KINDS, *STRATEGIES, "custom", "focal", "rival", "", "../../x", "/etc/passwd",
     "a\x00b", "$\\frac{1}{2}$", "x" * 300, "retention focus (v2)", "é", "\n", "1e400"]
)  # fmt: skip
texts = st.one_of(words, st.text(max_size=40))
scalars = st.one_of(numbers, texts, st.booleans(), st.none())
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
)

# -- scenario dictionaries --------------------------------------------------------------------


def _section(name: str) -> st.SearchStrategy:
    keys = st.one_of(
        st.sampled_from([f.name for f in fields(SECTIONS[name])]), st.text(max_size=12)
    )
    table = st.dictionaries(keys, values, max_size=4)
    return st.one_of(table, table, values)


firm_keys = st.one_of(st.sampled_from([f.name for f in fields(FirmSpec)]), st.text(max_size=10))
allocations = st.one_of(
    st.dictionaries(st.sampled_from([*LEVERS, "adverts"]), numbers, max_size=4),
    st.just({"advertising": 0.5, "service": 0.5}),
    values,
)
firm_tables = st.dictionaries(
    firm_keys, st.one_of(values, allocations, st.sampled_from(["custom", *STRATEGIES])), max_size=5
)
firms = st.one_of(st.lists(firm_tables, max_size=3), values)


def _in_range(f) -> st.SearchStrategy:
    """Values a declared parameter accepts: inside its range, its choices, true/false."""
    meta, default = f.metadata, f.default
    if isinstance(default, bool):
        return st.booleans()
    if meta.get("choices"):
        return st.sampled_from(list(meta["choices"]))
    if isinstance(default, str):
        return st.text(max_size=12)
    low, high = meta.get("low"), meta.get("high")
    low = -1e3 if low is None or math.isinf(low) else low
    high = 1e3 if high is None or math.isinf(high) else high
    if isinstance(default, int):
        return st.integers(int(low), int(min(high, low + 1000)))
    inf = st.sampled_from(list(meta.get("infinite") or [default]))
    return st.one_of(st.floats(low, high), st.sampled_from([low, high, default]), inf)


def _valid_section(name: str) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {}, optional={f.name: _in_range(f) for f in fields(SECTIONS[name])}
    )


valid_firm = st.fixed_dictionaries(
    {"name": st.sampled_from(["focal", "rival", "third"])},
    optional={
        "strategy": st.sampled_from(list(STRATEGIES)),
        "initial_customers": st.floats(0.0, 0.3),
        **{
            f.name: _in_range(f)
            for f in fields(FirmSpec)
            if f.name not in ("name", "strategy", "allocation", "initial_customers")
        },
    },
)
valid_dicts = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["a", "retention focus (v2)", "café", "x" * 64]),
        **{section: _valid_section(section) for section in SECTIONS},
        "firms": st.lists(valid_firm, min_size=1, max_size=3, unique_by=lambda f: f["name"]),
    },
)
junk_dicts = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(texts, values),
        "description": st.one_of(texts, values),
        "market": _section("market"),
        "customers": _section("customers"),
        "network": _section("network"),
        "levers": _section("levers"),
        "firms": firms,
        "rules": values,
        "customer": values,
    },
)
#: Half valid scenarios (which then run), half junk (which must be refused in one line).
scenario_dicts = st.one_of(valid_dicts, junk_dicts)


@pytest.fixture(autouse=True)
def known_memory(monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 8 << 30)


@FUZZ
@given(data=scenario_dicts)
def test_scenario_dicts_run_or_fail_in_one_line(data):
    try:
        scenario = scenario_from_dict(data)
    except ScenarioError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        event("refused in one line")
        return
    tiny = scenario.with_overrides({"customers.n_customers": 20, "market.weeks": 2})
    event("valid: ran")
    frame = run_one(tiny, seed=0)
    assert len(frame) > 0


def test_an_adaptive_firm_runs():
    # found by the fuzz test: the market planned an adaptive firm's first week before its
    # report existed
    data = {"firms": [{"name": "focal", "strategy": "acquisition_focus", "adaptive": True}]}
    tiny = scenario_from_dict(data).with_overrides({"customers.n_customers": 20})
    assert len(run_one(tiny, seed=0, weeks=2)) > 0


# -- --set strings ----------------------------------------------------------------------------

keys = st.one_of(
    st.sampled_from(
        [
            *parameter_names(),
            *(n.split(".", 1)[1] for n in parameter_names()),
            "name",
            "description",
            "firms",
            "firms.focal.budget",
            "firms.rival.strategy",
            "firms.0.price",
            "firms.focal.allocation",
            "firms.nobody.price",
            "market",
            "customers.",
            ".x",
        ]
    ),
    st.text(max_size=20),
)
value_texts = st.one_of(
    st.sampled_from(
        ["0", "1", "-1", "0.5", "2", "inf", "-inf", "nan", "true", '"x"', '"../../x"', "[1, 2]",
         "{a = 1}", BIG, "1e400", "", "complete", "custom", '"$x$"', "'a b'", "[", '"\\u0000"']
    ),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats().map(repr),
)  # fmt: skip
set_strings = st.one_of(st.builds(lambda k, v: f"{k}={v}", keys, value_texts), st.text(max_size=30))


def _toml(value) -> str:
    """A value as TOML text (as a user would write it after ``--set KEY=``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.isidentifier() else '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _valid_set(section: str, f) -> st.SearchStrategy:
    return _in_range(f).map(lambda v: f"{section}.{f.name}={_toml(v)}")


valid_set_strings = st.one_of(
    *(
        _valid_set(section, f)
        for section, cls in SECTIONS.items()
        for f in fields(cls)
        if f.name not in ("n_customers", "weeks")  # given by the flags below
    ),
    _in_range(next(f for f in fields(FirmSpec) if f.name == "budget")).map(
        lambda v: f"firms.focal.budget={v!r}"
    ),
    st.sampled_from(list(STRATEGIES)).map(lambda v: f"firms.rival.strategy={v}"),
)
TINY = ["run", "default", "--n-customers", "20", "--weeks", "2", "--no-progress"]


@FUZZ
@given(
    sets=st.lists(
        st.tuples(
            st.booleans(),
            st.booleans().flatmap(lambda ok: valid_set_strings if ok else set_strings),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_set_strings_run_or_fail_in_one_line(sets):
    argv = list(TINY)
    for joined, text in sets:
        argv += [f"--set={text}"] if joined else ["--set", text]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text
    assert code in (0, 2), (argv, code, err.getvalue())
    event(f"exit {code}")
    if code == 2:
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), (argv, lines)
