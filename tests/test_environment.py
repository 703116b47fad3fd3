"""The install recipes agree with one another.

pyproject.toml is the source of truth for what cxsim needs.  Three other files restate parts of
it and can drift: environment.yml (conda users), requirements/constraints.txt (the tested
versions that `make venv` installs) and .python-version (the interpreter pyenv picks here).
Each check below is a function that returns a list of problems, so the same function is run on
the real files (expecting none) and on deliberately broken copies (expecting some): every check
is shown to be able to fail.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PYTHON_VERSION = ROOT / ".python-version"
MAKEFILE = ROOT / "Makefile"
CI_RUN = ROOT / ".ci" / "run"

PINNED_PYTHON = "3.12"
#: Core dependencies declared as a range with an upper bound below their next major version
#: (pyproject.toml), never an exact pin: users get bug-fix releases, not breaking ones; the exact
#: tested version lives in requirements/constraints.txt.
CAPPED = ("mesa",)
MAKE_VERBS = ("help", "venv", "run", "test", "lab", "app", "bench", "lint", "format", "clean")


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse_environment_yml(text: str) -> dict:
    """Read the small subset of YAML that a conda environment file uses.

    Top-level ``key: value`` and ``key:`` followed by ``- item`` lists, where one item may be
    ``- pip:`` with its own nested list.  Returns the same shape as ``yaml.safe_load`` would.
    Anything outside that subset raises ``ValueError`` rather than being misread.
    """
    data: dict = {}
    key = None
    nested: list | None = None
    nested_indent = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip().startswith("#"):
            continue
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip():
            continue
        if "\t" in line:
            raise ValueError(f"environment.yml:{number}: tabs are not YAML indentation")
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            name, colon, value = body.partition(":")
            if not colon:
                raise ValueError(f"environment.yml:{number}: expected 'key: value', got {raw!r}")
            key = name.strip()
            data[key] = _scalar(value) if value.strip() else []
            nested = None
            continue
        if key is None or not isinstance(data[key], list) or not body.startswith("- "):
            raise ValueError(f"environment.yml:{number}: unsupported line {raw!r}")
        item = body[2:].strip()
        if nested is not None and indent > nested_indent:
            nested.append(_scalar(item))
            continue
        nested = None
        if item.endswith(":"):
            nested, nested_indent = [], indent
            data[key].append({item[:-1].strip(): nested})
        else:
            data[key].append(_scalar(item))
    return data


def parse_pyproject(text: str) -> dict:
    return tomllib.loads(text)


def _pip_section(env: dict) -> list[str]:
    for item in env.get("dependencies", []):
        if isinstance(item, dict) and "pip" in item:
            return list(item["pip"])
    return []


def _is_self_install(line: str) -> bool:
    target = line[2:].strip() if line.startswith("-e") else line
    return target == "." or target.startswith(".[") or target.startswith("./")


def _core(pyproject: dict) -> dict[str, Requirement]:
    return {
        canonicalize_name(req.name): req
        for req in map(Requirement, pyproject["project"]["dependencies"])
    }


def _optional(pyproject: dict) -> dict[str, list[Requirement]]:
    found: dict[str, list[Requirement]] = {}
    for lines in pyproject["project"].get("optional-dependencies", {}).values():
        for req in map(Requirement, lines):
            found.setdefault(canonicalize_name(req.name), []).append(req)
    return found


# --------------------------------------------------------------------------------------------
# Checks: each returns a list of problems (empty when all is well)
# --------------------------------------------------------------------------------------------


def python_pin_problems(env: dict, pyproject: dict) -> list[str]:
    """environment.yml pins python=3.12, and 3.12 satisfies requires-python."""
    pins = [
        dep
        for dep in env.get("dependencies", [])
        if isinstance(dep, str) and re.match(r"^python\s*([=<>!~ ]|$)", dep)
    ]
    if len(pins) != 1:
        return [f"expected exactly one python entry in dependencies, found {pins}"]
    match = re.fullmatch(r"python\s*=\s*(\d+\.\d+)(?:\.\*)?", pins[0])
    if not match:
        return [f"python entry {pins[0]!r} is not of the form python=X.Y"]
    problems = []
    pin = match.group(1)
    if pin != PINNED_PYTHON:
        problems.append(f"environment.yml pins python={pin}, expected {PINNED_PYTHON}")
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    if not requires.contains(Version(f"{pin}.0")):
        problems.append(f"python={pin} does not satisfy requires-python {requires}")
    return problems


def core_dependency_problems(env: dict, pyproject: dict) -> list[str]:
    """The pip section lists every core dependency with pyproject's exact specifier."""
    listed: dict[str, Requirement] = {}
    problems = []
    for line in _pip_section(env):
        if line.startswith("-") or _is_self_install(line):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            problems.append(f"pip entry {line!r} is not a requirement: {err}")
            continue
        listed[canonicalize_name(req.name)] = req
    core = _core(pyproject)
    for name, want in core.items():
        got = listed.get(name)
        if got is None:
            problems.append(f"core dependency {want} is missing from environment.yml's pip section")
        elif (got.specifier, got.extras, got.marker) != (want.specifier, want.extras, want.marker):
            problems.append(f"environment.yml has {got}, pyproject.toml has {want}")
    for name, req in listed.items():
        if name not in core:
            problems.append(f"environment.yml lists {req}, which is not a core dependency")
    return problems


def self_install_problems(env: dict) -> list[str]:
    """The pip section installs the package itself, editable, with the notebooks extra."""
    selves = [
        line for line in _pip_section(env) if _is_self_install(line.removeprefix("-e ").strip())
    ]
    if len(selves) != 1:
        return [f"expected one line installing the package ('-e .[notebooks]'), found {selves}"]
    line = selves[0]
    problems = []
    if not line.startswith("-e "):
        problems.append(f"{line!r} is not an editable install (-e)")
    match = re.search(r"\[([^\]]*)\]", line)
    extras = {e.strip() for e in match.group(1).split(",")} if match else set()
    if "notebooks" not in extras:
        problems.append(f"{line!r} does not install the notebooks extra")
    return problems


def constraint_pins(text: str) -> tuple[dict[str, Version], list[str]]:
    """Read a pip constraints file: name -> pinned version, plus format problems."""
    pins: dict[str, Version] = {}
    problems = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            problems.append(f"{line!r}: options and editable lines are not allowed in constraints")
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement as err:
            problems.append(f"{line!r} is not a requirement: {err}")
            continue
        name = canonicalize_name(req.name)
        if req.extras:
            problems.append(f"{line!r}: constraints files cannot contain extras")
        if req.url:
            problems.append(f"{line!r}: constraints must be versions, not URLs")
        if name == "cxsim":
            problems.append("constraints must not pin cxsim itself")
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator not in ("==", "==="):
            problems.append(f"{line!r} is not an exact pin (==)")
            continue
        if name in pins:
            problems.append(f"{req.name} is pinned twice")
        pins[name] = Version(specs[0].version)
    return pins, problems


def constraints_problems(
    text: str, pyproject: dict, *, include_optional: bool = False
) -> list[str]:
    """Every core (optionally: every extra's) dependency is pinned, inside pyproject's range."""
    pins, problems = constraint_pins(text)
    wanted: dict[str, list[Requirement]] = {name: [req] for name, req in _core(pyproject).items()}
    if include_optional:
        for name, reqs in _optional(pyproject).items():
            wanted.setdefault(name, []).extend(reqs)
    for name, reqs in wanted.items():
        if name not in pins:
            problems.append(f"{reqs[0].name} is not pinned in requirements/constraints.txt")
            continue
        for req in reqs:
            if not req.specifier.contains(pins[name], prereleases=True):
                problems.append(f"pinned {req.name}=={pins[name]} does not satisfy {req}")
    return problems


def capped_range_problems(pyproject: dict, names: Sequence[str] = CAPPED) -> list[str]:
    """Each named core dependency is a range ``>=X,<Y``: a lower bound, an upper bound that
    excludes the next major version, and no exact pin (that belongs in the constraints)."""
    core = _core(pyproject)
    problems = []
    for name in names:
        req = core.get(canonicalize_name(name))
        if req is None:
            problems.append(f"{name} is not a core dependency")
            continue
        specs = list(req.specifier)
        ops = {s.operator for s in specs}
        if ops & {"==", "===", "~="}:
            problems.append(f"{req} pins a version; declare a range >=X,<Y and pin in constraints")
        lower = [Version(s.version) for s in specs if s.operator in (">=", ">")]
        upper = [Version(s.version) for s in specs if s.operator in ("<", "<=")]
        if not lower:
            problems.append(f"{req} has no lower bound (>=)")
        if not upper:
            problems.append(f"{req} has no upper bound (<): the next major version may break it")
        elif lower and min(upper).major > max(lower).major + 1:
            problems.append(f"{req} admits more than one major version above its lower bound")
    return problems


def build_requirements_problems(pyproject: dict, constraints: str) -> list[str]:
    """What [build-system] requires is also in the dev extra and pinned within range, so a
    wheel builds offline with ``pip wheel --no-build-isolation`` in the dev environment."""
    pins, _ = constraint_pins(constraints)
    dev = {
        canonicalize_name(r.name)
        for r in map(
            Requirement, pyproject["project"].get("optional-dependencies", {}).get("dev", [])
        )
    }
    problems = []
    for req in map(Requirement, pyproject.get("build-system", {}).get("requires", [])):
        name = canonicalize_name(req.name)
        if name not in dev:
            problems.append(f"build requirement {req} is not in the dev extra")
        if name not in pins:
            problems.append(f"build requirement {req} is not pinned in constraints")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(
                f"pinned {req.name}=={pins[name]} does not satisfy build requirement {req}"
            )
    return problems


def python_version_file_problems(text: str, pyproject: dict) -> list[str]:
    """.python-version names a 3.12.x release that satisfies requires-python."""
    version = text.strip()
    if not re.fullmatch(r"3\.12\.\d+", version):
        return [f".python-version says {version!r}, expected 3.12.x"]
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    if not requires.contains(Version(version)):
        return [f".python-version {version} does not satisfy requires-python {requires}"]
    return []


def makefile_extras_problems(makefile: str, pyproject: dict) -> list[str]:
    """`make venv` installs every extra that pyproject defines, with the constraints file."""
    match = re.search(r"^EXTRAS\s*:?=\s*(\S+)\s*$", makefile, re.MULTILINE)
    if not match:
        return ["Makefile defines no EXTRAS variable"]
    extras = set(match.group(1).split(","))
    defined = set(pyproject["project"].get("optional-dependencies", {}))
    problems = []
    if extras != defined:
        problems.append(
            f"Makefile installs extras {sorted(extras)}, pyproject defines {sorted(defined)}"
        )
    if "-c $(CONSTRAINTS)" not in makefile:
        problems.append("Makefile's pip install does not use -c $(CONSTRAINTS)")
    return problems


# --------------------------------------------------------------------------------------------
# The real files
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return parse_pyproject(PYPROJECT.read_text())


@pytest.fixture(scope="module")
def env() -> dict:
    return parse_environment_yml(ENVIRONMENT.read_text())


def test_environment_yml_shape(env):
    assert env["name"] == "cxsim"
    assert env["channels"] == ["conda-forge"]
    assert "pip" in env["dependencies"]
    assert _pip_section(env), "environment.yml has no pip: section"


def test_environment_yml_parser_agrees_with_pyyaml():
    yaml = pytest.importorskip("yaml")
    assert parse_environment_yml(ENVIRONMENT.read_text()) == yaml.safe_load(ENVIRONMENT.read_text())


def test_environment_pins_python_312(env, pyproject):
    assert python_pin_problems(env, pyproject) == []


def test_environment_lists_core_dependencies_like_pyproject(env, pyproject):
    assert core_dependency_problems(env, pyproject) == []


def test_environment_installs_package_with_notebooks(env):
    assert self_install_problems(env) == []


def test_constraints_pin_core_dependencies_within_pyproject(pyproject):
    assert constraints_problems(CONSTRAINTS.read_text(), pyproject) == []


def test_constraints_pin_optional_dependencies_within_pyproject(pyproject):
    assert constraints_problems(CONSTRAINTS.read_text(), pyproject, include_optional=True) == []


def test_capped_core_dependencies_are_ranges(pyproject):
    assert capped_range_problems(pyproject) == []


def test_build_requirements_installable_offline(pyproject):
    assert build_requirements_problems(pyproject, CONSTRAINTS.read_text()) == []


def test_python_version_file(pyproject):
    assert python_version_file_problems(PYTHON_VERSION.read_text(), pyproject) == []


def test_makefile_installs_all_extras_with_constraints(pyproject):
    assert makefile_extras_problems(MAKEFILE.read_text(), pyproject) == []


def test_makefile_has_the_verbs():
    targets = set(re.findall(r"^([a-z-]+):", MAKEFILE.read_text(), re.MULTILINE))
    missing = set(MAKE_VERBS) - targets
    assert not missing, f"Makefile lacks verbs {sorted(missing)}"


def test_ci_script_is_executable():
    assert CI_RUN.is_file() and os.access(CI_RUN, os.X_OK), ".ci/run must exist and be executable"


# --------------------------------------------------------------------------------------------
# Every check can fail: run each on a deliberately broken copy of the real file
# --------------------------------------------------------------------------------------------


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, f"test fixture out of date: {old!r} not found"
    return text.replace(old, new, 1)


ENV_BREAKS = {
    "python pin is 3.11": ("python_pin", "- python=3.12", "- python=3.11"),
    "python pin is 3.13": ("python_pin", "- python=3.12", "- python=3.13"),
    "python pin missing": ("python_pin", "  - python=3.12\n", ""),
    "python pin not conda syntax": ("python_pin", "- python=3.12", "- python>=3.12"),
    "core specifier differs": ("core", "numpy>=2.1,<3", "numpy>=2.0,<3"),
    "core upper bound dropped": ("core", "mesa>=3.5,<4", "mesa>=3.5"),
    "core range replaced by a pin": ("core", "mesa>=3.5,<4", "mesa==3.5.1"),
    "core dependency missing": ("core", "      - pyarrow>=17\n", ""),
    "non-core dependency added": (
        "core",
        "      - pyarrow>=17\n",
        "      - pyarrow>=17\n      - seaborn\n",
    ),
    "package without extra": ("self", "-e .[notebooks]", "-e ."),
    "package with other extra": ("self", "-e .[notebooks]", "-e .[dev]"),
    "package not editable": ("self", "-e .[notebooks]", ".[notebooks]"),
    "package not installed": ("self", "      - -e .[notebooks]\n", ""),
}


@pytest.mark.parametrize("check, old, new", ENV_BREAKS.values(), ids=ENV_BREAKS.keys())
def test_environment_checks_catch_breakage(check, old, new, pyproject):
    env = parse_environment_yml(_edit(ENVIRONMENT.read_text(), old, new))
    run = {
        "python_pin": lambda: python_pin_problems(env, pyproject),
        "core": lambda: core_dependency_problems(env, pyproject),
        "self": lambda: self_install_problems(env),
    }[check]
    assert run()


def test_python_pin_check_uses_requires_python(env, pyproject):
    stricter = {"project": {**pyproject["project"], "requires-python": ">=3.13"}}
    assert any("requires-python" in p for p in python_pin_problems(env, stricter))


def test_core_check_follows_pyproject(env, pyproject):
    grown = {"project": {**pyproject["project"]}}
    grown["project"]["dependencies"] = [*pyproject["project"]["dependencies"], "attrs>=23"]
    assert core_dependency_problems(env, grown)


CONSTRAINT_BREAKS = {
    "range instead of pin": ("numpy==", "numpy>=", False),
    "pin outside pyproject range": ("pandas==3.1.1", "pandas==2.1.0", False),
    "core pin missing": ("scipy==", "# scipy==", False),
    "extra's pin missing": ("nbval==", "# nbval==", True),
    "extra's pin outside range": ("ipyvuetify==1.12.0", "ipyvuetify==3.0.0", True),
    "editable line": ("Mesa==3.5.1", "Mesa==3.5.1\n-e .", False),
    "extras in a constraint": ("dask==2026.8.0", "dask[distributed]==2026.8.0", False),
    "url constraint": ("tqdm==4.70.1", "tqdm @ https://example.org/tqdm.whl", False),
    "cxsim pinned": ("Mesa==3.5.1", "Mesa==3.5.1\ncxsim==0.1.0", False),
}


@pytest.mark.parametrize(
    "old, new, optional", CONSTRAINT_BREAKS.values(), ids=CONSTRAINT_BREAKS.keys()
)
def test_constraints_check_catches_breakage(old, new, optional, pyproject):
    broken = _edit(CONSTRAINTS.read_text(), old, new)
    assert constraints_problems(broken, pyproject, include_optional=optional)


def _with_core(pyproject: dict, old: str, new: str) -> dict:
    deps = list(pyproject["project"]["dependencies"])
    assert old in deps, f"test fixture out of date: {old!r} not a core dependency"
    deps[deps.index(old)] = new
    return {**pyproject, "project": {**pyproject["project"], "dependencies": deps}}


@pytest.mark.parametrize(
    "new",
    ["mesa>=3.5", "mesa==3.5.1", "mesa~=3.5", "mesa<4", "mesa>=3.5,<6", "mesa"],
    ids=[
        "no upper bound",
        "exact pin",
        "compatible release",
        "no lower bound",
        "two majors",
        "bare",
    ],
)
def test_capped_range_check_catches_breakage(new, pyproject):
    assert capped_range_problems(_with_core(pyproject, "mesa>=3.5,<4", new))


def test_capped_range_check_needs_the_dependency(pyproject):
    assert capped_range_problems(pyproject, ("no-such-package",))


@pytest.mark.parametrize(
    "where, old, new",
    [
        ("pyproject", '    "setuptools>=77",\n    "wheel",\n', ""),
        ("constraints", "setuptools==", "# setuptools=="),
        ("constraints", "wheel==", "# wheel=="),
        ("constraints", "setuptools==84.2.1", "setuptools==70.0.0"),
    ],
    ids=["not in dev extra", "setuptools not pinned", "wheel not pinned", "pin below build range"],
)
def test_build_requirements_check_catches_breakage(where, old, new):
    pyproject_text, constraints = PYPROJECT.read_text(), CONSTRAINTS.read_text()
    if where == "pyproject":
        pyproject_text = _edit(pyproject_text, old, new)
    else:
        constraints = _edit(constraints, old, new)
    assert build_requirements_problems(parse_pyproject(pyproject_text), constraints)


@pytest.mark.parametrize("text", ["3.11.7\n", "3.13.0\n", "3.12\n", "system\n", ""])
def test_python_version_check_catches_breakage(text, pyproject):
    assert python_version_file_problems(text, pyproject)


def test_python_version_check_uses_requires_python(pyproject):
    stricter = {"project": {**pyproject["project"], "requires-python": ">=3.12.5"}}
    assert python_version_file_problems("3.12.1\n", stricter)


@pytest.mark.parametrize(
    "old, new",
    [
        ("EXTRAS := notebooks,dashboard,cluster,dev,docs", "EXTRAS := notebooks,dev,docs"),
        (
            "EXTRAS := notebooks,dashboard,cluster,dev,docs",
            "EXTRAS := notebooks,dashboard,cluster,dev",
        ),
        ("-c $(CONSTRAINTS)", ""),
    ],
    ids=["extra missing", "docs extra missing", "no constraints"],
)
def test_makefile_check_catches_breakage(old, new, pyproject):
    assert makefile_extras_problems(_edit(MAKEFILE.read_text(), old, new), pyproject)


@pytest.mark.parametrize(
    "text", ["name cxsim\n", "dependencies:\n\t- pip\n", "name: x\n  - stray\n"]
)
def test_environment_parser_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_environment_yml(text)
