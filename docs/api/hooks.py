"""mkdocs hook: every module of a subpackage appears on that subpackage's API page.

Each page in ``docs/api/`` starts with a directive for its package (``::: cxsim.core``) and lists
its modules in reading order (``::: cxsim.core.rules`` ...). A module added to the package later
and not yet listed is appended to the page at build time, so the reference never silently lacks
one; list it on the page to choose its place. A listed module that no longer exists, and a
subpackage of ``cxsim`` with no page of its own, are warnings naming what to change, which
``mkdocs build --strict`` (``make docs``) turns into a failed build.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.api_modules")

PACKAGE = "cxsim"
DIRECTIVE = re.compile(r"^:::\s+([\w.]+)\s*$", re.MULTILINE)


def _root(config) -> Path:
    return Path(config["config_file_path"]).resolve().parent


def _modules(package_dir: Path, dotted: str) -> list[str]:
    """Public modules and subpackages directly inside a package, in file-name order."""
    names = [f"{dotted}.{p.stem}" for p in sorted(package_dir.glob("*.py"))]
    names += [
        f"{dotted}.{p.name}" for p in sorted(package_dir.iterdir()) if (p / "__init__.py").is_file()
    ]
    return [n for n in names if not n.rsplit(".", 1)[1].startswith("_")]


def on_files(files, config):
    pages = {f.src_uri for f in files}
    for sub in _modules(_root(config) / PACKAGE, PACKAGE):
        if (_root(config) / Path(*sub.split("."))).is_dir() and (
            f"api/{sub.split('.', 1)[1]}.md" not in pages
        ):
            log.warning(
                "%s has no API page: add docs/api/%s.md (starting with '::: %s') and list it "
                "under 'API reference' in mkdocs.yml",
                sub,
                sub.split(".", 1)[1],
                sub,
            )
    return files


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.startswith("api/"):
        return markdown
    listed = DIRECTIVE.findall(markdown)
    if not listed or listed[0] == PACKAGE:
        return markdown
    package = listed[0]
    package_dir = _root(config) / Path(*package.split("."))
    if not package_dir.is_dir():
        return markdown
    present = _modules(package_dir, package)
    for gone in [m for m in listed[1:] if m.startswith(f"{package}.") and m not in present]:
        log.warning(
            "docs/%s lists %s, which does not exist (moved or removed?): update the page",
            page.file.src_uri,
            gone,
        )
        # drop the directive and its indented options, so the message above is the one shown
        markdown = re.sub(
            rf"^:::\s+{re.escape(gone)}\s*\n(?:[ \t]+\S.*\n?)*", "", markdown, flags=re.MULTILINE
        )
    missing = [m for m in present if m not in listed]
    return markdown.rstrip("\n") + "\n" + "".join(f"\n::: {m}\n" for m in missing)
