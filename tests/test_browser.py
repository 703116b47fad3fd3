"""The dashboard in a real browser: Debian's Chromium driven by playwright, against
``solara run cxsim/viz/app.py --production`` (fully offline: solara-assets serves the page's
JavaScript). Covers what a class sees: slider values, Apply and restart, Step updating the
charts, Play stopping at the horizon, a negative seed as a message while the page keeps working.
Saves results/dashboard.png."""

from __future__ import annotations

import os
import re
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
PAGE_NAME = "cxsim · customer-centric market"  # cxsim.viz.app.PAGE_NAME

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard served on a free port; always terminated."""
    port = _free_port()
    log = tmp_path_factory.mktemp("solara") / "solara.log"
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


@pytest.fixture
def page(server):
    """A fresh browser page on the dashboard (its own session, its own market); fails the test
    on any JavaScript error."""
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
            expect(page.locator(".cxsim-caption")).to_contain_text(
                "Week 0 of 260 · 2,000 customers", timeout=60_000
            )
            expect(page.locator("img.cxsim-plot")).to_have_count(N_PLOTS)
            yield page
        finally:
            browser.close()
    errors = [m for m in messages if m[0] in ("error", "pageerror")]
    assert not errors, errors


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


def _slider(page, label: str):
    """The slider whose label starts with ``label``, and its label."""
    box = page.locator(".cxsim-card .v-input__slider").filter(
        has=page.locator("label", has_text=re.compile("^" + re.escape(label)))
    )
    return box.locator('[role="slider"]'), box.locator("label")


def test_page_is_named_and_sliders_show_values_with_units(page):
    from playwright.sync_api import expect

    assert page.title() == PAGE_NAME
    expect(page.locator(".v-toolbar__title")).to_contain_text(PAGE_NAME)
    expect(page.get_by_text("Page 0", exact=True)).to_have_count(0)
    customers, label = _slider(page, "Customers")
    expect(label).to_have_text("Customers: 2,000")
    expect(_slider(page, "Budget per firm")[1]).to_have_text(
        re.compile(r"^Budget per firm: [\d,]+ currency per year$")
    )
    expect(_slider(page, "Trust loss")[1]).to_have_text("Trust loss: 0.20 per miss")
    expect(_slider(page, "Horizon")[1]).to_have_text("Horizon: 260 weeks")
    # move the Customers slider (2,000 → 500, fifteen steps of 100): the value shows at once,
    # and the page says the change waits for Apply and restart
    customers.focus()
    for _ in range(15):
        customers.press("ArrowLeft")
    expect(customers).to_have_attribute("aria-valuenow", "500")
    expect(label).to_have_text("Customers: 500")
    expect(page.locator(".cxsim-pending")).to_contain_text("Customers")
    expect(page.locator(".cxsim-caption")).to_contain_text("2,000 customers")  # not yet
    page.get_by_role("button", name="Apply and restart").click()
    expect(page.locator(".cxsim-caption")).to_contain_text(
        "Week 0 of 260 · 500 customers", timeout=20_000
    )
    expect(page.locator(".cxsim-pending")).to_have_count(0)
    # the sliders left alone keep the default market's values (voice_minor = 1/26)
    expect(page.locator(".cxsim-caption-levers")).to_contain_text("voice 0.0385")


def test_step_updates_the_charts(page):
    from playwright.sync_api import expect

    caption = page.locator(".cxsim-caption")
    start = _plot_pixels(page)
    step = page.get_by_role("button", name="Step")
    for week in (1, 2, 3):
        step.click()
        expect(caption).to_contain_text(f"Week {week} of 260", timeout=20_000)
    stepped, changed = _wait_for_change(page, start, at_least=N_PLOTS - 1)
    assert changed >= N_PLOTS - 1, f"only {changed} of {N_PLOTS} plots changed"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1900})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def test_play_stops_at_the_horizon(page):
    from playwright.sync_api import expect

    caption = page.locator(".cxsim-caption")
    horizon, label = _slider(page, "Horizon")
    horizon.focus()
    horizon.press("Home")  # the shortest horizon: a quarter (13 weeks)
    expect(label).to_have_text("Horizon: 13 weeks")
    page.get_by_role("button", name="Apply and restart").click()
    expect(caption).to_contain_text("Week 0 of 13", timeout=20_000)
    page.locator(".cxsim-speed").get_by_text("20 weeks/s", exact=True).click()
    page.get_by_role("button", name="▶").click()
    expect(caption).to_contain_text("Week 13 of 13", timeout=60_000)
    expect(page.locator(".cxsim-horizon")).to_be_visible()
    expect(page.get_by_role("button", name="Step")).to_be_disabled()
    page.wait_for_timeout(1500)  # Play has stopped: the week stays at the horizon
    expect(caption).to_contain_text("Week 13 of 13")
    # Apply and restart starts a new market that steps again
    page.get_by_role("button", name="Apply and restart").click()
    expect(caption).to_contain_text("Week 0 of 13", timeout=20_000)
    page.get_by_role("button", name="Step").click()
    expect(caption).to_contain_text("Week 1 of 13", timeout=20_000)


def test_negative_seed_shows_a_message_and_the_page_keeps_working(page):
    from playwright.sync_api import expect

    caption = page.locator(".cxsim-caption")
    seed = page.locator(".cxsim-seed input")
    seed.fill("-5")
    seed.press("Enter")
    expect(page.locator(".cxsim-seed")).to_contain_text("seed -5 is negative")
    expect(page.get_by_role("button", name="Apply and restart")).to_be_disabled()
    page.get_by_role("button", name="Step").click()  # the market on show runs on
    expect(caption).to_contain_text("Week 1 of 260", timeout=20_000)
    seed.fill("7")
    seed.press("Enter")
    expect(page.locator(".cxsim-seed")).not_to_contain_text("negative")
    page.get_by_role("button", name="Apply and restart").click()
    expect(caption).to_contain_text("Week 0 of 260", timeout=20_000)
