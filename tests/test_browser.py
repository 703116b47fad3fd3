"""The dashboard in a real browser: Debian's Chromium driven by playwright, against
``solara run cxsim/viz/app.py --production`` (fully offline: solara-assets serves the page's
JavaScript). Saves results/dashboard.png."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "results" / "dashboard.png"
N_PLOTS = 7  # cxsim.viz.app.CHARTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The dashboard served on a free port; always terminated."""
    port = _free_port()
    log = tmp_path / "solara.log"
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(ROOT / "cxsim" / "viz" / "app.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--production",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 45
        while True:
            if proc.poll() is not None:
                pytest.fail(f"solara exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"solara did not answer within 45 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _plot_pixels(page) -> list[bytes]:
    plots = page.locator("img.cxsim-plot")
    assert plots.count() == N_PLOTS
    return [plots.nth(i).screenshot() for i in range(N_PLOTS)]


def _wait_for_change(page, before: list[bytes], at_least: int, timeout: float = 15.0):
    """Screenshots of the plots once at least ``at_least`` of them differ from ``before``
    (images arrive as widget updates shortly after the caption)."""
    deadline = time.monotonic() + timeout
    while True:
        after = _plot_pixels(page)
        changed = sum(a != b for a, b in zip(before, after, strict=True))
        if changed >= at_least or time.monotonic() > deadline:
            return after, changed
        time.sleep(0.3)


def test_dashboard_in_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    messages: list[tuple[str, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
            page.goto(server)
            caption = page.locator(".cxsim-caption")
            expect(caption).to_contain_text("Week 0 · 2,000 customers", timeout=40_000)
            expect(page.locator("img.cxsim-plot")).to_have_count(N_PLOTS)
            start = _plot_pixels(page)

            # move the Customers slider (2,000 → 500, fifteen steps of 100) and build that market
            slider = page.locator('[role="slider"][aria-valuemax="2000"]')
            slider.focus()
            for _ in range(15):
                slider.press("ArrowLeft")
            expect(slider).to_have_attribute("aria-valuenow", "500")
            page.get_by_role("button", name="Reset").click()
            expect(caption).to_contain_text("Week 0 · 500 customers", timeout=20_000)
            # the sliders left alone keep the default market's values (voice_minor = 1/26)
            expect(page.locator(".cxsim-caption-levers")).to_contain_text("voice 0.0385")
            reset, changed = _wait_for_change(page, start, at_least=1)
            assert changed >= 1, "the network plot did not change with the number of customers"

            step = page.get_by_role("button", name="Step")
            for week in (1, 2, 3):
                step.click()
                expect(caption).to_contain_text(f"Week {week} · 500 customers", timeout=20_000)
            stepped, changed = _wait_for_change(page, reset, at_least=N_PLOTS - 1)
            assert changed >= N_PLOTS - 1, f"only {changed} of {N_PLOTS} plots changed"

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.set_viewport_size({"width": 1400, "height": 1900})
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()

    errors = [m for m in messages if m[0] in ("error", "pageerror")]
    assert not errors, errors
    assert SCREENSHOT.stat().st_size > 10_000
