"""The network view: customers on their social network, coloured by ladder stage.

The layout is computed once per market (:func:`cached_layout`) and the edges are rasterized once
per figure; each step only recolours the nodes.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cxsim.core.model import Market
from cxsim.core.network import SocialNetwork
from cxsim.core.rules import STAGES
from cxsim.viz.dashboard.data import DashboardData, last_week, view
from cxsim.viz.style import STAGE_COLORS, stage_rgba

__all__ = ["MAX_DRAWN_EDGES", "NetworkChart", "cached_layout", "network_layout"]

#: The network view draws the contacts up to this many edges (a complete graph is drawn without
#: them).
MAX_DRAWN_EDGES = 200_000

#: Node colours by stage code (:data:`cxsim.viz.style.STAGE_COLORS`).
_STAGE_RGBA = stage_rgba()
_EDGE_COLOR = "#555555"


def _edge_list(network: SocialNetwork) -> tuple[np.ndarray, np.ndarray]:
    """Each undirected edge once, as (u, v) with u < v."""
    n = network.n
    if network.complete:
        u, v = np.triu_indices(n, k=1)
        return u, v
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(network.indptr))
    cols = np.asarray(network.indices, dtype=np.int64)
    upper = rows < cols
    return rows[upper], cols[upper]


def network_layout(
    network: SocialNetwork, *, seed: int = 0, iterations: int = 30, sample: int = 48
) -> np.ndarray:
    """(n, 2) node positions in [-1, 1]², fast enough to compute once per market.

    Ring lattices and Watts-Strogatz small worlds sit on a ring in id order (their lattice is
    that ring, so the picture shows the local clustering and the rewired shortcuts crossing it;
    above 100 nodes the ring is a band of random width so that nodes do not overlap); other
    networks get a Fruchterman-Reingold force layout whose repulsion is estimated from a random
    sample of ``sample`` nodes per iteration (``O(n·sample)`` instead of ``O(n²)``), which takes
    a fraction of a second at 2,000 nodes where networkx's spring layout takes seconds. Uses its
    own random numbers: the market's stream is untouched.
    """
    n = network.n
    rng = np.random.default_rng(seed)
    if network.kind in ("watts_strogatz", "ring_lattice", "complete") or n < 3:
        theta = 2.0 * np.pi * np.arange(n) / max(n, 1)
        # a band rather than a thin circle, so that 2,000 nodes do not hide one another
        radius = 1.0 - 0.35 * rng.random(n) if n > 100 else np.ones(n)
        return np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    u, v = _edge_list(network)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)).astype(np.float32)
    k = np.float32(2.0 / np.sqrt(n))  # ideal edge length
    m = min(sample, n)
    temp = 0.2
    for _ in range(iterations):
        s = rng.choice(n, size=m, replace=False)
        delta = pos[:, None, :] - pos[None, s, :]
        d2 = np.einsum("ijk,ijk->ij", delta, delta) + np.float32(1e-6)
        disp = np.einsum("ijk,ij->ik", delta, (k * k) / d2) * np.float32(n / m)
        e = pos[u] - pos[v]
        f = e * (np.sqrt((e * e).sum(axis=1)) / k)[:, None]
        for dim in (0, 1):
            disp[:, dim] -= np.bincount(u, f[:, dim], n) - np.bincount(v, f[:, dim], n)
        disp -= np.float32(0.05 * n * k) * pos  # gravity keeps components together
        length = np.sqrt((disp * disp).sum(axis=1)) + np.float32(1e-9)
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp *= 0.92
    pos = pos.astype(float)
    pos -= pos.mean(axis=0)
    return pos / max(np.abs(pos).max(), 1e-12)


def cached_layout(model: Market) -> np.ndarray:
    """The market's layout, computed on first use and kept for the market's lifetime."""
    cache = view(model)
    with cache.lock:
        if cache.layout is None:
            cache.layout = network_layout(model.network)
        return cache.layout


class NetworkChart:
    """Customers on the network coloured by ladder stage; edges rasterized once."""

    def __init__(self, model: Market, data: DashboardData, *, dpi: int) -> None:
        pos = cached_layout(model)
        n = pos.shape[0]
        fig = Figure(figsize=(4.4, 4.1), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.02, 0.12, 0.96, 0.82))
        ax.set_xlim(-1.05, 1.05)
        ax.set_ylim(-1.05, 1.05)
        ax.set_aspect("equal")
        ax.axis("off")
        net = model.network
        drawable = not net.complete and net.indices.size <= 2 * MAX_DRAWN_EDGES
        u, v = _edge_list(net) if drawable else (np.empty(0, dtype=np.int64),) * 2
        if u.size:
            alpha = float(np.clip(1200 / u.size, 0.05, 0.4))
            edges = LineCollection(
                np.stack([pos[u], pos[v]], axis=1),
                colors=_EDGE_COLOR,
                linewidths=0.35,
                alpha=alpha,
                zorder=1,
            )
            ax.add_collection(edges)
            fig.canvas.draw()  # rasterize the edges once, keep them as a background image
            background = np.asarray(fig.canvas.buffer_rgba()).copy()
            edges.remove()
            fig.figimage(background, zorder=-1)
        size = float(np.clip(14_000 / n, 4.0, 40.0))
        self.nodes = ax.scatter(
            pos[:, 0], pos[:, 1], s=size, linewidths=0, zorder=2, c=_STAGE_RGBA[data.node_stage]
        )
        self.title = fig.suptitle("", fontsize=9, y=0.99)
        handles = [Line2D([], [], ls="", marker="o", ms=5, color=STAGE_COLORS[s]) for s in STAGES]
        self.legend = fig.legend(
            handles,
            list(STAGES),
            loc="lower center",
            ncol=3,
            fontsize=7,
            frameon=False,
            handletextpad=0.2,
            columnspacing=0.8,
        )
        self.fig = fig

    def update(self, data: DashboardData) -> None:
        codes = data.node_stage
        self.nodes.set_facecolor(_STAGE_RGBA[codes])
        counts = np.bincount(codes, minlength=len(STAGES))
        for text, stage, count in zip(self.legend.get_texts(), STAGES, counts, strict=True):
            text.set_text(f"{stage} {count:,}")
        self.title.set_text(f"Week {last_week(data):g}: customers by highest ladder stage")
