"""Benchmark: the headline comparison at the acceptance size.

Times :func:`cxsim.experiments.compare` for two strategies (acquisition focus and retention
focus) × 30 paired replications × 10,000 customers × 260 weeks on the default executor (local
processes, one per CPU), and prints one Markdown table row::

    | date | machine | CPUs | runs | customers | weeks | seconds | runs/s |

Acceptance (issue 5): ≤ 60 s on the 2-core reference machine. Options shrink the job for a quick
look (``--replications 4 --n-customers 2000``) or pick the executor (``--serial``,
``--dask ADDRESS``).

    python benchmarks/bench_compare.py [--replications 30] [--n-customers 10000] [--weeks 260]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time


def machine() -> str:
    """A short description of this machine: OS, architecture, CPU model, CPU count."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [
        f"{platform.system()} {platform.machine()}",
        cpu,
        f"Python {platform.python_version()}",
    ]
    return ", ".join(p for p in parts if p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=30)
    parser.add_argument("--n-customers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--seed", type=int, default=0)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--serial", action="store_true")
    where.add_argument("--dask", metavar="ADDRESS")
    parser.add_argument("--header", action="store_true", help="print the table header too")
    args = parser.parse_args(argv)

    from cxsim import preset
    from cxsim.experiments import compare

    scenarios = [
        preset(name).with_overrides({"customers.n_customers": args.n_customers})
        for name in ("acquisition_focus", "retention_focus")
    ]
    executor = "serial" if args.serial else args.dask
    start = time.perf_counter()
    frame = compare(
        scenarios,
        replications=args.replications,
        seed=args.seed,
        weeks=args.weeks,
        executor=executor,
        progress=sys.stderr.isatty(),
    )
    seconds = time.perf_counter() - start
    runs = 2 * args.replications
    assert frame["replication"].nunique() == args.replications

    if args.header:
        print("| date | machine | CPUs | runs | customers | weeks | seconds | runs/s |")
        print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {dt.date.today().isoformat()} | {machine()} | {os.cpu_count()} | {runs} "
        f"| {args.n_customers:,} | {args.weeks} | {seconds:.1f} | {runs / seconds:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
