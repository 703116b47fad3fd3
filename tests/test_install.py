"""cxsim installs anywhere: the wheel built from this tree works in a fresh environment.

The wheel is built offline (``pip wheel --no-deps --no-build-isolation``, with the setuptools and
wheel that the ``dev`` extra installs) and installed, without its dependencies, into a new virtual
environment in a temporary folder outside the repository. The dependencies come from this test's
own environment through a ``.pth`` file that names its site-packages: a plain path line does not
run the ``.pth`` files of that folder (among them the editable install of cxsim), so ``import
cxsim`` must find the installed wheel, and the test checks that it does. Everything then runs
with that folder as working directory and no ``PYTHONPATH``: a preset by name (package data), the
README's Python example (read from README.md, so the test breaks when the example does), and the
``cxsim`` console script.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

pytestmark = pytest.mark.slow

pytest.importorskip("setuptools", reason="building a wheel offline needs the dev extra")
pytest.importorskip("wheel", reason="building a wheel offline needs the dev extra")


def readme_python_example(text: str) -> str:
    """The first ```python block after the README's Python usage heading (``**Python**``)."""
    start = re.search(r"^\*\*Python\*\*|^#+\s*Python\b", text, re.MULTILINE)
    assert start, "README.md has no **Python** usage section"
    block = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL).search(text, start.end())
    assert block, "README.md's Python section has no ```python example"
    return block.group(1)


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 120):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
        f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    )
    return proc


def _files(folder: Path, skip: Path) -> set[Path]:
    return {
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file() and skip not in p.parents and "__pycache__" not in p.parts
    }


@dataclass(frozen=True)
class Installed:
    folder: Path  # the temporary working directory
    venv: Path
    python: Path
    env: dict[str, str]
    wheel: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(folder, python, environment): a fresh venv holding only the cxsim wheel."""
    tmp = tmp_path_factory.mktemp("install")
    assert ROOT not in tmp.parents, "the fresh environment must live outside the repository"
    # Build artefacts go to the temporary folder, not to build/ and *.egg-info in the checkout
    # (a stale build/lib there would slip deleted modules into the wheel).
    extra_cfg = tmp / "setuptools.cfg"
    extra_cfg.write_text(
        f"[build]\nbuild_base = {tmp / 'build'}\n[egg_info]\negg_base = {tmp}\n", encoding="utf-8"
    )
    build_env = {**os.environ, "DIST_EXTRA_CONFIG": str(extra_cfg), "PIP_NO_INDEX": "1"}
    wheels = tmp / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        cwd=tmp, env=build_env, timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("cxsim-*.whl")

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp, env=build_env)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        cwd=tmp, env=build_env,
    )  # fmt: skip
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.defpath}"
    env["MPLBACKEND"] = "Agg"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=tmp, env=env,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "cxsim_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return Installed(tmp, venv, python, env, wheel)


def test_wheel_holds_every_module_and_the_presets(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cxsim").rglob("*.py")}
    assert {n for n in names if n.endswith(".py")} == modules
    presets = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cxsim").rglob("presets/*.toml")}
    assert presets and presets <= names
    assert "cxsim/py.typed" in names


def test_import_resolves_to_the_wheel_and_loads_a_preset(installed):
    out = _run(
        [str(installed.python), "-c",
         "import cxsim; print(cxsim.preset('retention_focus').name); print(cxsim.__file__)"],
        cwd=installed.folder, env=installed.env,
    ).stdout.splitlines()  # fmt: skip
    assert out[0] == "retention_focus"
    where = Path(out[1]).resolve()
    assert installed.venv.resolve() in where.parents, f"cxsim imported from {where}, not the wheel"
    assert ROOT not in where.parents


def test_readme_python_example_runs_as_a_script(installed):
    example = readme_python_example(README.read_text(encoding="utf-8"))
    assert 'if __name__ == "__main__":' in example, "the README example must be script-safe"
    script = installed.folder / "readme_example.py"
    script.write_text(example, encoding="utf-8")
    _run([str(installed.python), script.name], cwd=installed.folder, env=installed.env)


def test_console_script_run_writes_only_under_out(installed):
    folder = installed.folder
    before = _files(folder, installed.venv)
    out = folder / "OUT"
    cmd = [str(installed.venv / "bin" / "cxsim"), "run", "retention_focus", "--weeks", "4",
           "--n-customers", "200", "--out", "OUT"]  # fmt: skip
    proc = _run(cmd, cwd=folder, env=installed.env)
    assert "retention_focus" in proc.stdout
    written = _files(folder, installed.venv) - before
    assert written, "cxsim run --out wrote nothing"
    assert all(p.parts[0] == "OUT" for p in written), f"written outside OUT: {sorted(written)}"
    assert list(out.glob("*.parquet"))


def test_readme_example_extraction():
    text = "intro\n```python\nno\n```\n**Python**:\n\n```bash\nx\n```\n```python\nyes\n```\n"
    assert readme_python_example(text) == "yes\n"
