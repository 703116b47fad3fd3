"""The dashboard as a class sees it: Step latency and Play speed in a real browser.

Serves ``cxsim/viz/app.py`` with ``solara run --production`` (offline: solara-assets ships the
page's JavaScript), opens it in Debian's headless Chromium through playwright, and measures on
the default market (2,000 customers):

* **Step → next week** (target: median ≤ 250 ms): the time from a click on **Step** to the page
  showing the next week, i.e. the caption says ``Week N+1`` *and* every line chart shows its
  new lines (the SVG drawn over its picture changed; its pictures are decoded), then one
  painted frame. Timed inside the page (``performance.now()``), so playwright's own round trips
  do not count.
* **Play** (target: ≥ 10 weeks per second): press ▶ at the chosen speed, read the week the
  caption shows every 50 ms for ``--play-seconds``, and divide the weeks shown by the time
  taken (first to last change); ❚❚ then stops it.

    .venv/bin/python benchmarks/bench_browser.py [--steps 25] [--play-seconds 6] [--no-header]

Prints one Markdown table row (date, machine and load, then the numbers) and exits 1 when a
target is missed. Needs ``/usr/bin/chromium`` and the ``dashboard`` extra.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import machine  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_TARGET_MS = 250.0
PLAY_TARGET = 10.0

HEADER = (
    "| date | machine | customers | Step → next week, median ms (target ≤ 250) | p90 ms "
    "| Play, weeks per second (target ≥ 10) | pictures per second | play speed setting |\n"
    "|---|---|---|---|---|---|---|---|"
)

#: In the page: click Step and resolve with the milliseconds until the caption shows the next
#: week and every line chart shows its new lines (its SVG overlay changed; a background picture
#: that changed too is decoded), then one painted frame.
STEP_JS = """
async ([selector, plots]) => {
  const caption = document.querySelector(selector);
  const week = parseFloat(caption.textContent.match(/Week (\\d+(?:\\.\\d+)?)/)[1]);
  const layers = Array.from(document.querySelectorAll(plots));
  const before = layers.map(e => e.innerHTML);
  const button = Array.from(document.querySelectorAll('button'))
    .find(b => b.textContent.trim() === 'Step');
  const t0 = performance.now();
  button.click();
  const shown = () => {
    const m = caption.textContent.match(/Week (\\d+(?:\\.\\d+)?)/);
    return m && parseFloat(m[1]) > week && layers.every((e, k) => e.innerHTML !== before[k]);
  };
  while (!shown()) {
    if (performance.now() - t0 > 30000) throw new Error('the next week never showed');
    await new Promise(r => setTimeout(r, 2));
  }
  const imgs = Array.from(document.querySelectorAll('img.cxsim-plot'));
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  await new Promise(r => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``solara run cxsim/viz/app.py --production`` on a free port, stopped on exit."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = Path(tempfile.mkstemp(prefix="cxsim-bench-", suffix=".log")[1])

    def __enter__(self) -> Server:
        cmd = [sys.executable, "-m", "solara", "run", str(ROOT / "cxsim" / "viz" / "app.py")]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--production"]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"solara exited:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"solara did not answer:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.25)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.unlink(missing_ok=True)


def caption_week(page, selector: str) -> float:
    import re

    match = re.search(r"Week (\d+(?:\.\d+)?)", page.locator(selector).first.inner_text())
    return float(match.group(1)) if match else float("nan")


def measure(
    url: str,
    *,
    steps: int,
    warmup: int,
    play_seconds: float,
    speed: str | None,
    caption: str = ".cxsim-caption",
    plots: str = ".cxsim-lines:not(.cxsim-lines-network)",
) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            expect(page.locator(caption).first).to_contain_text("Week 0", timeout=60_000)
            page.wait_for_timeout(1000)
            times = []
            for i in range(warmup + steps):
                ms = page.evaluate(STEP_JS, [caption, plots])
                if i >= warmup:
                    times.append(ms)
            if speed is not None:
                page.locator(".cxsim-speed").get_by_text(speed, exact=True).click()
                page.wait_for_timeout(300)
            start_week = caption_week(page, caption)
            page.get_by_role("button", name="▶").click()
            samples: list[tuple[float, float]] = []
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < play_seconds:
                samples.append((time.perf_counter(), caption_week(page, caption)))
                page.wait_for_timeout(50)
            pause = page.get_by_role("button", name="❚❚")
            if pause.is_enabled():  # not stopped at the horizon already
                pause.click()
        finally:
            browser.close()
    changes = [(t, w) for k, (t, w) in enumerate(samples) if k == 0 or w != samples[k - 1][1]]
    moved = [(t, w) for t, w in changes if w > start_week]
    if len(moved) >= 2:
        span = moved[-1][0] - moved[0][0]
        rate = (moved[-1][1] - moved[0][1]) / span
        frames = (len(moved) - 1) / span
    else:
        rate = frames = 0.0
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[min(len(times) - 1, int(0.9 * len(times)))],
        "play": rate,
        "frames": frames,
        "weeks_played": (samples[-1][1] - start_week) if samples else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=25, help="measured Step clicks (default 25)")
    parser.add_argument("--warmup", type=int, default=3, help="Step clicks before measuring")
    parser.add_argument("--play-seconds", type=float, default=6.0, help="how long to watch Play")
    parser.add_argument(
        "--speed",
        default="10 weeks/s",
        help="the page's play-speed button to press before Play ('none': leave it)",
    )
    parser.add_argument("--url", help="measure a page already served here instead")
    parser.add_argument("--no-header", action="store_true", help="print the row only")
    args = parser.parse_args(argv)
    speed = None if args.speed == "none" else args.speed
    options = {
        "steps": args.steps,
        "warmup": args.warmup,
        "play_seconds": args.play_seconds,
        "speed": speed,
    }
    if args.url:
        r = measure(args.url, **options)
    else:
        with Server() as server:
            r = measure(server.url, **options)
    row = (
        f"| {dt.date.today().isoformat()} | {machine()} | 2,000 | **{r['median']:.0f}** "
        f"| {r['p90']:.0f} | **{r['play']:.1f}** | {r['frames']:.1f} | {speed or '(page default)'} |"
    )
    if not args.no_header:
        print(HEADER)
    print(row)
    ok = r["median"] <= STEP_TARGET_MS and r["play"] >= PLAY_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
