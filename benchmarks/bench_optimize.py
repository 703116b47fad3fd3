"""Benchmark: how much to move, at the acceptance size (issue 14).

Two measurements on the default market (2 firms, 2,000 customers, 260 weeks), local processes
(one per CPU), and a Markdown section printed for benchmarks/RESULTS.md:

1. **Six levers.** :func:`cxsim.experiments.optimize` of the focal firm's shares of advertising,
   promotion, service, complaint handling, personalization and loyalty on the simplex (the rival
   keeps its balanced split): wall time against the target of 10 minutes, and what it found.
2. **One number against a dense grid.** The acquisition share searched by ``optimize``, then a
   grid of 21 shares (0, 0.05, ..., 1) run on the *same* fresh seeds the search's best was
   confirmed on; the paired difference between the best found and the grid's best with its 95%
   t interval (target: the interval reaches 0, i.e. the optimum is within the grid's noise).

    python benchmarks/bench_optimize.py [--n-customers 2000] [--weeks 260] [--trials 48]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from bench_compare import machine

    from cxsim import Scenario
    from cxsim.experiments import make_executor, optimize
    from cxsim.experiments.optimize import _with, run_value

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--trials", type=int, default=48)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--confirm", type=int, default=12)
    parser.add_argument("--grid-points", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    sc = Scenario().resized(args.n_customers)
    load = os.getloadavg()[0]
    ex, close = make_executor()
    common = dict(
        weeks=args.weeks,
        replications=args.replications,
        confirm=args.confirm,
        seed=args.seed,
        executor=ex,
        progress=False,
    )
    try:
        levers = [
            "advertising",
            "promotion",
            "service",
            "complaint_handling",
            "personalization",
            "loyalty",
        ]
        t0 = time.perf_counter()
        six = optimize(sc, "focal", space="levers", levers=levers, trials=args.trials, **common)
        t_six = time.perf_counter() - t0

        t0 = time.perf_counter()
        one = optimize(sc, "focal", trials=args.trials // 2, marginal_step=0.0, **common)
        t_one = time.perf_counter() - t0
        fresh = one.settings["fresh_seeds"]
        t0 = time.perf_counter()
        grid = {}
        futures = {}
        for share in np.linspace(0.0, 1.0, args.grid_points):
            cand = _with(sc, "focal", {"firms.focal.acquisition_share": float(share)})
            futures[float(share)] = [
                ex.submit(run_value, cand, s, args.weeks, None, "focal") for s in fresh
            ]
        for share, futs in futures.items():
            grid[share] = np.array([f.result() for f in futs])
        best_runs = np.array(
            [
                f.result()
                for f in [
                    ex.submit(run_value, one.scenario, s, args.weeks, None, "focal") for s in fresh
                ]
            ]
        )
        t_grid = time.perf_counter() - t0
    finally:
        close()

    from scipy import stats

    g_best = max(grid, key=lambda k: grid[k].mean())
    diff = best_runs - grid[g_best]
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / math.sqrt(len(diff))
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    shares = ", ".join(f"{k} {v:.0%}" for k, v in six.best_allocation.items() if v > 0.005)
    lines = [
        f"## How much to move: optimize at {args.n_customers:,} customers × {args.weeks} weeks "
        f"({now}; {machine()}; {os.cpu_count()} CPUs; load {load:.2f} at start)",
        "",
        "| measurement | wall s | result |",
        "|---|---|---|",
        f"| six levers on the simplex, {args.trials} trials × {args.replications} seeds, top 3 + "
        f"as given + 6 presets + 6 marginal values × {args.confirm} fresh seeds | {t_six:.0f} "
        f"(target ≤ 600) | best: {shares}; value {six.best_value:,.0f} "
        f"[{six.best_interval[0]:,.0f}, {six.best_interval[1]:,.0f}] |",
        f"| acquisition share, {args.trials // 2} trials × {args.replications} seeds | "
        f"{t_one:.0f} | best share {one.best_acquisition_share:.3f}, value "
        f"{one.best_value:,.0f} [{one.best_interval[0]:,.0f}, {one.best_interval[1]:,.0f}] |",
        f"| dense grid, {args.grid_points} shares × the same {len(fresh)} fresh seeds | "
        f"{t_grid:.0f} | grid best share {g_best:.2f}, value {grid[g_best].mean():,.0f}; "
        f"found − grid best = {diff.mean():,.0f} ± {half:,.0f} (95% t, {len(diff) - 1} df): "
        f"{'within' if diff.mean() + half >= 0 else 'NOT within'} the grid's noise |",
        "",
        "Grid (acquisition share: mean value over the fresh seeds): "
        + ", ".join(f"{k:.2f}: {v.mean():,.0f}" for k, v in grid.items()),
        "",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main())
