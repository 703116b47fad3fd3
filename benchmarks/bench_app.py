"""Time of one dashboard step at 2,000 customers (target: ≤ 100 ms).

A dashboard step is what pressing **Step** costs before any drawing: the model's step plus the
components' data work (:func:`cxsim.viz.app.dashboard_data`: the new DataCollector row into the
plots' series, and every customer's ladder stage for the network colours). The drawing (all
seven matplotlib figures updated and encoded as PNG) is measured too and reported beside it.

    .venv/bin/python benchmarks/bench_app.py [--customers 2000] [--steps 52] [--warmup 5]

Prints one Markdown table row: date, machine, customers, then medians in milliseconds of the
model step, the data work, their sum (the target), and the drawing; ``wall`` is elapsed time
and ``cpu`` this process's CPU time (smaller than wall when the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

TARGET_MS = 100.0

HEADER = (
    "| date | machine | customers | weeks | step ms | data ms | step+data ms (target ≤ 100) "
    "| step+data cpu ms | drawing ms | drawing cpu ms |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def machine() -> str:
    """CPU model, cores and Python version, in a few words."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load {os.getloadavg()[0]:.1f}"
    return f"{cpu}, {os.cpu_count()} cores{load}, Python {platform.python_version()}"


def measure(customers: int, steps: int, warmup: int, seed: int = 1) -> dict[str, float]:
    from cxsim.viz.app import DashboardMarket, dashboard_data, render_all

    model = DashboardMarket(n_customers=customers, seed=seed)
    render_all(model)  # layout, edge raster and figures: once per market, not per step
    for _ in range(warmup):
        model.step()
        dashboard_data(model)
    wall = {"step": [], "data": [], "draw": []}
    cpu = {"step": [], "data": [], "draw": []}

    def timed(kind, fn):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall[kind].append(time.perf_counter() - w)
        cpu[kind].append(time.process_time() - c)

    for _ in range(steps):
        timed("step", model.step)
        timed("data", lambda: dashboard_data(model))
        timed("draw", lambda: render_all(model))
    ms = {k: 1000 * statistics.median(v) for k, v in wall.items()}
    ms_cpu = {k: 1000 * statistics.median(v) for k, v in cpu.items()}
    both = [a + b for a, b in zip(wall["step"], wall["data"], strict=True)]
    both_cpu = [a + b for a, b in zip(cpu["step"], cpu["data"], strict=True)]
    return {
        "step": ms["step"],
        "data": ms["data"],
        "step_data": 1000 * statistics.median(both),
        "step_data_cpu": 1000 * statistics.median(both_cpu),
        "draw": ms["draw"],
        "draw_cpu": ms_cpu["draw"],
        "weeks": float(model.week),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=52, help="measured steps (default 52)")
    parser.add_argument("--warmup", type=int, default=5, help="steps before measuring")
    parser.add_argument("--no-header", action="store_true", help="print the row only")
    args = parser.parse_args(argv)
    r = measure(args.customers, args.steps, args.warmup)
    row = (
        f"| {dt.date.today().isoformat()} | {machine()} | {args.customers:,} "
        f"| {r['weeks']:g} | {r['step']:.1f} | {r['data']:.2f} | **{r['step_data']:.1f}** "
        f"| {r['step_data_cpu']:.1f} | {r['draw']:.0f} | {r['draw_cpu']:.0f} |"
    )
    if not args.no_header:
        print(HEADER)
    print(row)
    return 0 if r["step_data"] <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
