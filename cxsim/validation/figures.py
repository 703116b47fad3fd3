"""The docking figures of docs/validation.md: Bass curves, CLV across retention, networks.

``cxsim validate --figures OUTDIR`` draws them from a shell.
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from cxsim.experiments.outputs import save_figure
from cxsim.validation.bass import NETWORK_PAIR, bass_docking
from cxsim.validation.checks import default_workers
from cxsim.validation.clv import clv_closed_form, clv_docking


def make_figures(
    outdir: str | Path = "docs/figures",
    *,
    rng: int = 2026,
    workers: int | None = None,
    pool: Executor | None = None,
) -> list[Path]:
    """Draw the docking figures of docs/validation.md into ``outdir``; return their paths.

    * ``bass_docking.png``: simulated vs recursion vs closed-form Bass curves for four (p, q),
      at dt = 0.1 (the discretisation gap) and dt = 0.01;
    * ``clv_docking.png``: simulated CLV (± 2 SE) across retention rates, three discount rates;
    * ``bass_networks.png``: adoption on complete, Watts–Strogatz and ring-lattice networks.

    Replications run on ``pool`` if given, else on a process pool of ``workers`` processes
    (default: one per core; 1 runs everything here). About 3 minutes of CPU in all.
    ``cxsim validate --figures OUTDIR`` does the same from a shell.
    """
    if pool is None and (workers or default_workers()) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers or default_workers(), mp_context=ctx) as own:
            return make_figures(outdir, rng=rng, workers=1, pool=own)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(rng).spawn(3)
    paths: list[Path] = []

    # 1. Bass curves
    pairs = [(0.003, 0.7), (0.01, 0.4), (0.03, 0.38), (0.05, 0.1)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, dt, reps in ((axes[0], 0.1, 20), (axes[1], 0.01, 4)):
        for (p, q), seed, colour in zip(
            pairs, seeds[0].spawn(len(pairs)), plt.cm.tab10.colors, strict=False
        ):
            f = bass_docking(p, q, dt=dt, replications=reps, rng=seed, executor=pool)
            ax.plot(
                f["t"],
                f["closed_form"],
                color=colour,
                lw=2.5,
                alpha=0.35,
                label=f"p={p:g}, q={q:g}",
            )
            ax.plot(f["t"], f["recursion"], color=colour, lw=1, ls="--")
            ax.plot(
                f["t"][:: 5 if dt == 0.1 else 50],
                f["adopted_share"][:: 5 if dt == 0.1 else 50],
                "o",
                ms=3,
                color=colour,
            )
        ax.set_title(f"dt = {dt:g} year ({reps} runs of 10,000)")
        ax.set_xlabel("years")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("adopted share")
    axes[0].legend(
        loc="lower right",
        fontsize=8,
        title="thick: Bass closed form\ndashed: recursion, dots: cxsim",
        title_fontsize=8,
    )
    fig.tight_layout()
    paths.append(out / "bass_docking.png")
    save_figure(fig, paths[-1], dpi=90)
    plt.close(fig)

    # 2. CLV across retention
    retention = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    grid = np.linspace(0.45, 0.96, 200)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    cells = seeds[1].spawn(3 * retention.size)
    margin = 4.0
    for j, (d, colour) in enumerate(zip((0.0, 0.1, 0.2), plt.cm.tab10.colors, strict=False)):
        sims = [
            clv_docking(margin, r, d, n_customers=20_000, rng=cells[j * retention.size + i])
            for i, r in enumerate(retention)
        ]
        ax.plot(
            grid,
            [clv_closed_form(margin, r, d) for r in grid],
            color=colour,
            label=f"closed form, d = {d:g}",
        )
        ax.errorbar(
            retention,
            [s["mean"] for s in sims],
            yerr=[2 * s["se"] for s in sims],
            fmt="o",
            ms=4,
            color=colour,
            capsize=3,
        )
    ax.set_xlabel("retention per period r")
    ax.set_ylabel(f"CLV (margin m = {margin:g} per period)")
    ax.set_title("CLV = m(1+d)/(1+d−r): cxsim cohorts of 20,000 (± 2 SE)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    paths.append(out / "clv_docking.png")
    save_figure(fig, paths[-1], dpi=90)
    plt.close(fig)

    # 3. Networks
    p, q = NETWORK_PAIR
    labels = {
        "complete": "complete network",
        "watts_strogatz": "Watts–Strogatz (rewiring 0.1)",
        "ring_lattice": "ring lattice",
    }
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for net, seed, colour in zip(
        ("complete", "watts_strogatz", "ring_lattice"),
        seeds[2].spawn(3),
        plt.cm.tab10.colors,
        strict=False,
    ):
        f = bass_docking(p, q, dt=0.1, replications=10, network=net, rng=seed, executor=pool)
        ax.plot(
            f["t"],
            f["adopted_share"],
            color=colour,
            label=labels[net],
        )
        ax.fill_between(
            f["t"],
            f["adopted_share"] - 2 * f["se"],
            f["adopted_share"] + 2 * f["se"],
            color=colour,
            alpha=0.25,
        )
    ax.plot(f["t"], f["recursion"], "k--", lw=1, label="Bass recursion (dt = 0.1)")
    ax.set_xlabel("years")
    ax.set_ylabel("adopted share")
    ax.set_title(f"Fibich & Gibori (2010): p = {p:g}, q = {q:g}, mean degree 10", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    paths.append(out / "bass_networks.png")
    save_figure(fig, paths[-1], dpi=90)
    plt.close(fig)
    return paths
