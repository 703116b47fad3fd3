"""The documentation site builds offline with ``mkdocs build --strict`` (what ``make docs`` runs),
and its API reference is made from the code's docstrings.

A strict build fails on any warning: a broken link or anchor, a page or notebook left out of the
navigation, a docstring the reference cannot read, a subpackage without an API page.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / "docs" / "api" / "hooks.py"

pytest.importorskip("mkdocs", reason="the docs extra is not installed")
pytest.importorskip("material", reason="the docs extra is not installed")


def _text(page: Path) -> str:
    """A built page as plain text: tags dropped, entities decoded, whitespace collapsed."""
    raw = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return " ".join(html.unescape(raw).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = "\n".join(
        line
        for line in (proc.stdout + proc.stderr).splitlines()
        if not re.search(r"Converting notebook|Copied jupyter file", line)
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    return out


@pytest.mark.slow
def test_strict_build_has_every_section(site: Path) -> None:
    for page in ("index.html", "ODD.html", "validation.html", "api/index.html"):
        assert (site / page).is_file(), f"{page} was not built"
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    built = sorted(p.stem for p in (site / "notebooks").glob("*.html"))
    assert built == notebooks


@pytest.mark.slow
def test_api_page_shows_the_docstring_of_update_trust(site: Path) -> None:
    from cxsim.core.rules import update_trust

    doc = inspect.getdoc(update_trust)
    assert doc, "update_trust has no docstring"
    page = _text(site / "api" / "core.html")
    summary = doc.splitlines()[0]
    assert summary in page
    # the body too, sentence by sentence: compared without whitespace (tags around inline code
    # leave spaces) and without the reST markup for code (``...``)
    squeezed = "".join(page.split())
    body = " ".join(doc.split("\n\n", 1)[1].split()).replace("``", "")
    for sentence in re.split(r"(?<=[.;:])\s+", body):
        assert "".join(sentence.split()) in squeezed, f"not on the API page: {sentence!r}"


@pytest.mark.slow
def test_site_requests_nothing_from_google_fonts(site: Path) -> None:
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_subpackage_module_is_on_an_api_page(site: Path) -> None:
    for package in sorted(p for p in (ROOT / "cxsim").iterdir() if (p / "__init__.py").is_file()):
        page = site / "api" / f"{package.name}.html"
        assert page.is_file(), f"no API page for cxsim.{package.name}"
        text = page.read_text(encoding="utf-8")
        for module in sorted(package.glob("*.py")):
            if module.stem.startswith("_"):
                continue
            anchor = f'id="cxsim.{package.name}.{module.stem}"'
            assert anchor in text, f"cxsim.{package.name}.{module.stem} missing from {page.name}"


# --------------------------------------------------------------------------------------------
# The hook that keeps the API pages complete (fast: no build)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks():
    spec = importlib.util.spec_from_file_location("cxsim_docs_hooks", HOOKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_package(tmp_path: Path) -> dict:
    pkg = tmp_path / "cxsim"
    for sub, modules in {"core": ["rules", "model", "_private"], "extra": ["thing"]}.items():
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
        for m in modules:
            (pkg / sub / f"{m}.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (tmp_path / "mkdocs.yml").write_text("")
    return {"config_file_path": str(tmp_path / "mkdocs.yml")}


def _page(src_uri: str):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri))


def test_hook_appends_unlisted_modules(hooks, tmp_path: Path) -> None:
    config = _fake_package(tmp_path)
    markdown = "# cxsim.core\n\n::: cxsim.core\n\n::: cxsim.core.rules\n"
    out = hooks.on_page_markdown(markdown, _page("api/core.md"), config, None)
    assert out.startswith(markdown.rstrip("\n"))
    assert re.findall(r"^::: (\S+)$", out, re.MULTILINE) == [
        "cxsim.core",
        "cxsim.core.rules",
        "cxsim.core.model",
    ]
    # pages outside api/ and the top-level page are left alone
    assert hooks.on_page_markdown(markdown, _page("index.md"), config, None) == markdown
    top = "# cxsim\n\n::: cxsim\n"
    assert hooks.on_page_markdown(top, _page("api/cxsim.md"), config, None) == top


def test_hook_warns_about_a_listed_module_that_is_gone(hooks, tmp_path: Path, caplog) -> None:
    config = _fake_package(tmp_path)
    markdown = (
        "# cxsim.core\n\n::: cxsim.core\n\n::: cxsim.core.moved\n    options:\n"
        "      show_source: true\n\n::: cxsim.core.rules\n\n::: cxsim.core.model\n"
    )
    with caplog.at_level("WARNING", logger="mkdocs.hooks.api_modules"):
        out = hooks.on_page_markdown(markdown, _page("api/core.md"), config, None)
    assert "moved" not in out and "show_source" not in out
    assert re.findall(r"^::: (\S+)$", out, re.MULTILINE) == [
        "cxsim.core",
        "cxsim.core.rules",
        "cxsim.core.model",
    ]
    (message,) = [r.getMessage() for r in caplog.records]
    assert "docs/api/core.md lists cxsim.core.moved, which does not exist" in message


def test_hook_warns_about_a_subpackage_without_a_page(hooks, tmp_path: Path, caplog) -> None:
    config = _fake_package(tmp_path)
    files = [SimpleNamespace(src_uri=u) for u in ("index.md", "api/core.md")]
    with caplog.at_level("WARNING", logger="mkdocs.hooks.api_modules"):
        assert hooks.on_files(files, config) is files
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "cxsim.extra has no API page" in warnings[0]
