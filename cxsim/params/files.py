"""Scenarios from files: TOML text and files, the bundled presets, and :func:`resolve_scenario`.

The presets ship inside the package (``cxsim/params/presets/*.toml``) and load with
:func:`preset`, from a source checkout and from an installed wheel alike.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from cxsim.params.declare import ScenarioError, suggest
from cxsim.params.limits import MAX_SCENARIO_FILE_BYTES, read_limited
from cxsim.params.scenario import Scenario, scenario_from_dict


def load_scenario(path: str | Path, *, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load a scenario TOML file (the bundled presets are in ``cxsim/params/presets/``).

    Missing keys take their defaults. Raises :class:`ScenarioError` for a missing file, a file
    over :data:`~cxsim.params.limits.MAX_SCENARIO_FILE_BYTES` (refused before it is read),
    malformed TOML (with line and column), or any invalid value.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"scenario: file {str(path)!r} does not exist")
    data = read_limited(path, MAX_SCENARIO_FILE_BYTES, "scenario")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"scenario: {path.name} is not UTF-8 text") from None
    scenario = scenario_from_toml(text, name=path.stem, source=path.name)
    return scenario.with_overrides(overrides) if overrides else scenario


def scenario_from_toml(text: str, *, name: str, source: str | None = None) -> Scenario:
    """A scenario from TOML text; ``name`` is used when the text names none, ``source`` (a file
    name) in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario: {source or name} is not valid TOML: {exc}") from None
    except ValueError as exc:  # e.g. a whole number of more than 4,300 digits
        reason = " ".join(str(exc).split())[:120]
        raise ScenarioError(f"scenario: {source or name} cannot be read: {reason}") from None
    data.setdefault("name", name)
    return scenario_from_dict(data)


def _presets() -> Traversable:
    """The bundled presets, as package data (works from a wheel as from a source tree)."""
    return files("cxsim.params") / "presets"


def preset_names() -> list[str]:
    """Names of the bundled presets, sorted."""
    return sorted(
        p.name.removesuffix(".toml") for p in _presets().iterdir() if p.name.endswith(".toml")
    )


def preset_dir() -> Path:
    """Folder of the bundled presets on disk (inside the installed package)."""
    return Path(str(_presets()))


def preset(name: str) -> Scenario:
    """Load a bundled preset by name, e.g. ``preset("retention_focus")``."""
    options = preset_names()
    if name not in options:
        raise ScenarioError(
            f"preset: {name!r} is not one of {', '.join(options)}{suggest(name, options)}"
        )
    text = (_presets() / f"{name}.toml").read_text(encoding="utf-8")
    return scenario_from_toml(text, name=name, source=f"{name}.toml")


def resolve_scenario(scenario: Scenario | str | os.PathLike | Mapping | None) -> Scenario:
    """The one way to turn what a user gives into a :class:`Scenario`: a scenario (as is), a
    TOML path, a preset name (``"retention_focus"``), a mapping (as in a TOML file), or ``None``
    (the default market)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, os.PathLike | str):
        text = os.fspath(scenario)
        path = Path(text)
        if path.suffix.lower() == ".toml" or path.exists() or os.sep in text or "/" in text:
            return load_scenario(path)
        return preset(text)
    if isinstance(scenario, Mapping):
        return scenario_from_dict(scenario)
    raise ScenarioError(
        f"scenario: {type(scenario).__name__} is not a Scenario, a TOML path, a preset name or a mapping"
    )
