"""The network view: customers on their social network, coloured by ladder stage, drawn so that a
class can read it.

A thousand dots and their ten thousand contacts are a hairball; the view draws at most
:data:`SAMPLE_SIZE` customers, in one of two modes (:data:`MODES`):

* ``"sample"``: a connected piece of the network: the customers reached from one customer by
  following contacts (breadth first) until :data:`SAMPLE_SIZE` are found, with the contacts
  among them, in a force layout. Word of mouth travels along exactly these lines. A market of
  up to :data:`SAMPLE_SIZE` customers is drawn whole.
* ``"neighbourhood"``: one customer (the ``focus``, drawn large, outlined) in the centre, their
  contacts on an inner ring and their contacts' contacts on an outer ring (capped at
  :data:`SAMPLE_SIZE` in all): who can talk to whom, at a glance.

The layout is computed once per market and view (:func:`view_layout`, cached) with its own random
numbers; the edges and the legend are rasterized once per figure; each week only the dots are
recoloured, and when none of the drawn customers changed stage nothing is redrawn at all
(:meth:`NetworkChart.update` returns ``False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cxsim.core.customers import summary_stages
from cxsim.core.model import Market
from cxsim.core.network import SocialNetwork
from cxsim.core.rules import STAGES
from cxsim.viz.dashboard.data import DashboardData, view
from cxsim.viz.style import STAGE_COLORS, fmt, stage_rgba

__all__ = [
    "MAX_DRAWN_EDGES",
    "MODES",
    "SAMPLE_SIZE",
    "NetworkChart",
    "ViewLayout",
    "cached_layout",
    "neighbourhood_rows",
    "network_layout",
    "sample_rows",
    "view_layout",
]

#: The network view draws at most this many customers.
SAMPLE_SIZE = 300
#: View modes: a connected sample, or one customer's neighbourhood.
MODES: dict[str, str] = {
    "sample": f"a connected sample of {SAMPLE_SIZE} customers",
    "neighbourhood": "one customer's neighbourhood",
}
#: The whole-network layout (:func:`cached_layout`) draws contacts up to this many edges.
MAX_DRAWN_EDGES = 200_000

#: Node colours by stage code (:data:`cxsim.viz.style.STAGE_COLORS`).
_STAGE_RGBA = stage_rgba()
_STAGE_HEX = [STAGE_COLORS[s] for s in STAGES]
_EDGE_COLOR = "#666666"
# the figure: same size and resolution as the line charts (cxsim.viz.dashboard.charts)
_DPI = 100
_WIDTH_PX, _HEIGHT_PX = 440, 330
_LEGEND_PX = 15


def _pt(px: float) -> float:
    return px * 72.0 / _DPI


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


def _force_layout(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    rng: np.random.Generator,
    *,
    iterations: int = 30,
    sample: int = 48,
) -> np.ndarray:
    """Fruchterman-Reingold positions in [-1, 1]², repulsion estimated from ``sample`` nodes
    per iteration (``O(n·sample)`` instead of ``O(n²)``)."""
    pos = rng.uniform(-1.0, 1.0, size=(n, 2)).astype(np.float32)
    k = np.float32(2.0 / np.sqrt(max(n, 1)))  # ideal edge length
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
    out = pos.astype(float)
    out -= out.mean(axis=0)
    return out / max(np.abs(out).max(), 1e-12)


def network_layout(
    network: SocialNetwork, *, seed: int = 0, iterations: int = 30, sample: int = 48
) -> np.ndarray:
    """(n, 2) positions of the whole network in [-1, 1]², fast enough to compute once per
    market.

    Ring lattices and Watts-Strogatz small worlds sit on a ring in id order (their lattice is
    that ring; above 100 nodes the ring is a band of random width so that nodes do not
    overlap); other networks get a Fruchterman-Reingold force layout whose repulsion is
    estimated from a random sample of ``sample`` nodes per iteration. Uses its own random
    numbers: the market's stream is untouched.
    """
    n = network.n
    rng = np.random.default_rng(seed)
    if network.kind in ("watts_strogatz", "ring_lattice", "complete") or n < 3:
        theta = 2.0 * np.pi * np.arange(n) / max(n, 1)
        radius = 1.0 - 0.35 * rng.random(n) if n > 100 else np.ones(n)
        return np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    u, v = _edge_list(network)
    return _force_layout(n, u, v, rng, iterations=iterations, sample=sample)


def cached_layout(model: Market) -> np.ndarray:
    """The whole network's layout, computed on first use and kept for the market's lifetime."""
    cache = view(model)
    with cache.lock:
        if cache.layout is None:
            cache.layout = network_layout(model.network)
        return cache.layout


def _neighbours(network: SocialNetwork, row: int) -> np.ndarray:
    return np.asarray(network.indices[network.indptr[row] : network.indptr[row + 1]], np.int64)


def sample_rows(network: SocialNetwork, start: int, size: int = SAMPLE_SIZE) -> np.ndarray:
    """Up to ``size`` customers reached from ``start`` by following contacts breadth first
    (then from the next customers in id order if ``start``'s component is smaller), sorted.
    Every customer when the market has at most ``size``."""
    n = network.n
    if n <= size:
        return np.arange(n, dtype=np.int64)
    if network.complete:  # everyone knows everyone: any customers will do
        return np.sort((start + np.arange(size, dtype=np.int64)) % n)
    seen = np.zeros(n, dtype=bool)
    found: list[int] = []
    for origin in ((start + i) % n for i in range(n)):
        if seen[origin]:
            continue
        seen[origin] = True
        queue = [origin]
        found.append(origin)
        while queue and len(found) < size:
            nxt: list[int] = []
            for row in queue:
                for other in _neighbours(network, row).tolist():
                    if not seen[other]:
                        seen[other] = True
                        found.append(other)
                        nxt.append(other)
                        if len(found) >= size:
                            break
                if len(found) >= size:
                    break
            queue = nxt
        if len(found) >= size:
            break
    return np.sort(np.asarray(found[:size], dtype=np.int64))


def neighbourhood_rows(
    network: SocialNetwork, focus: int, size: int = SAMPLE_SIZE
) -> tuple[np.ndarray, np.ndarray]:
    """``focus``, their contacts and their contacts' contacts (``size`` at most, nearest first):
    ``(rows, ring)`` with ring 0, 1 or 2 per row."""
    if network.complete:
        others = np.array([r for r in range(min(network.n, size + 1)) if r != focus][: size - 1])
        rows = np.concatenate([[focus], others]).astype(np.int64)
        return rows, np.r_[0, np.ones(others.size, dtype=np.int64)]
    first = [int(r) for r in _neighbours(network, focus) if r != focus][: size - 1]
    known = {focus, *first}
    second: list[int] = []
    for row in first:
        for other in _neighbours(network, row).tolist():
            if other not in known and len(first) + len(second) + 1 < size:
                known.add(other)
                second.append(other)
    rows = np.array([focus, *first, *second], dtype=np.int64)
    ring = np.array([0] + [1] * len(first) + [2] * len(second), dtype=np.int64)
    return rows, ring


def _induced_edges(network: SocialNetwork, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The contacts among ``rows``, as local indices (u < v)."""
    if network.complete:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    local = np.full(network.n, -1, dtype=np.int64)
    local[rows] = np.arange(rows.size)
    starts, ends = network.indptr[rows], network.indptr[rows + 1]
    src = np.repeat(np.arange(rows.size), ends - starts)
    dst = (
        local[np.concatenate([network.indices[s:e] for s, e in zip(starts, ends, strict=True)])]
        if rows.size
        else np.empty(0, np.int64)
    )
    keep = (dst >= 0) & (src < dst)
    return src[keep], dst[keep]


@dataclass(frozen=True)
class ViewLayout:
    """What a network view draws: customers (``rows``), their positions, the contacts among
    them (local indices ``u``, ``v``), each one's ring (neighbourhood mode) and a description."""

    mode: str
    focus: int
    rows: np.ndarray
    pos: np.ndarray
    u: np.ndarray
    v: np.ndarray
    ring: np.ndarray
    description: str


def default_focus(model: Market) -> int:
    """The customer a sample starts from: drawn once per market size from the view's own random
    numbers (never the market's)."""
    return int(np.random.default_rng(0).integers(model.customers.n))


def _radial(rows: np.ndarray, ring: np.ndarray, network: SocialNetwork) -> np.ndarray:
    pos = np.zeros((rows.size, 2))
    first = np.flatnonzero(ring == 1)
    angle = np.zeros(rows.size)
    angle[first] = 2 * np.pi * np.arange(first.size) / max(first.size, 1)
    pos[first] = 0.42 * np.column_stack([np.cos(angle[first]), np.sin(angle[first])])
    second = np.flatnonzero(ring == 2)
    if second.size:
        # each outer customer near the first inner contact that links to them
        where = {int(r): i for i, r in enumerate(rows)}
        parent_angle = np.zeros(second.size)
        for j, i in enumerate(second):
            links = [where[o] for o in _neighbours(network, int(rows[i])).tolist() if o in where]
            inner = [k for k in links if ring[k] == 1]
            parent_angle[j] = angle[inner[0]] if inner else 0.0
        order = second[np.argsort(parent_angle, kind="stable")]
        theta = 2 * np.pi * np.arange(order.size) / order.size + np.pi / max(first.size, 1)
        band = 0.86 + 0.12 * (np.arange(order.size) % 2)
        pos[order] = band[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return pos


def view_layout(model: Market, mode: str = "sample", focus: int | None = None) -> ViewLayout:
    """The customers a view draws and where, computed once per market, mode and focus."""
    if mode not in MODES:
        raise ValueError(f"network view: mode {mode!r} is not one of {', '.join(MODES)}")
    n = model.customers.n
    if focus is None:
        focus = default_focus(model) if mode == "sample" else 0
    focus = int(focus)
    if not 0 <= focus < n:
        raise ValueError(f"customer {focus} does not exist: customers are 0 to {n - 1:,}")
    key = (mode, focus if (mode == "neighbourhood" or n > SAMPLE_SIZE) else None)
    cache = view(model)
    with cache.lock:
        done = cache.layouts.get(key)
        if done is not None:
            return done
        net = model.network
        if mode == "sample":
            rows = sample_rows(net, focus)
            ring = np.zeros(rows.size, dtype=np.int64)
            if rows.size == n:
                pos = cached_layout(model)
                drawable = not net.complete and net.indices.size <= 2 * MAX_DRAWN_EDGES
                u, v = _edge_list(net) if drawable else (np.empty(0, np.int64),) * 2
                what = f"all {fmt(n)} customers"
            else:
                u, v = _induced_edges(net, rows)
                pos = _force_layout(
                    rows.size, u, v, np.random.default_rng(focus), iterations=60, sample=rows.size
                )
                what = f"{fmt(rows.size)} of {fmt(n)} customers, linked through customer {focus:,}"
        else:
            rows, ring = neighbourhood_rows(net, focus)
            u, v = _induced_edges(net, rows)
            pos = _radial(rows, ring, net)
            near = int((ring == 1).sum())
            what = (
                f"customer {focus:,} (centre), their {near} contacts (inner ring) and "
                f"{int((ring == 2).sum())} of their contacts' contacts"
            )
        done = ViewLayout(mode, focus, rows, pos, u, v, ring, what)
        cache.layouts[key] = done
        return done


class NetworkChart:
    """Customers on the network coloured by highest ladder stage; contacts and legend drawn
    once, dots recoloured each week.

    Attributes:
        layout: the :class:`ViewLayout` drawn.
        nodes: the dots (a matplotlib scatter, one per drawn customer, in ``layout.rows`` order).
        description: one line on what is drawn.
    """

    def __init__(
        self, model: Market, data: DashboardData, *, mode: str = "sample", focus: int | None = None
    ) -> None:
        self.model = model
        self.layout = lay = view_layout(model, mode, focus)
        self.description = lay.description
        pos = lay.pos
        fig = Figure(figsize=(_WIDTH_PX / _DPI, _HEIGHT_PX / _DPI), dpi=_DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.02, 0.17, 0.96, 0.81))
        ax.set_xlim(-1.06, 1.06)
        ax.set_ylim(-1.06, 1.06)
        ax.set_aspect("equal")
        ax.axis("off")
        if lay.u.size:
            alpha = float(np.clip(900 / lay.u.size, 0.12, 0.5))
            ax.add_collection(
                LineCollection(
                    np.stack([pos[lay.u], pos[lay.v]], axis=1),
                    colors=_EDGE_COLOR,
                    linewidths=0.7,
                    alpha=alpha,
                    zorder=1,
                )
            )
        n = lay.rows.size
        if mode == "neighbourhood":
            size = np.where(lay.ring == 0, 220.0, np.where(lay.ring == 1, 90.0, 40.0))
            edge = np.where(lay.ring == 0, 2.0, 0.0)
        else:
            size = np.full(n, float(np.clip(16_000 / max(n, 1), 12.0, 90.0)))
            edge = np.zeros(n)
        self.nodes = ax.scatter(
            pos[:, 0],
            pos[:, 1],
            s=size,
            linewidths=edge,
            edgecolors="#000000",
            zorder=2,
            animated=True,
        )
        handles = [
            Line2D([], [], ls="", marker="o", ms=_pt(12), color=STAGE_COLORS[s]) for s in STAGES
        ]
        fig.legend(
            handles,
            list(STAGES),
            loc="lower center",
            ncol=3,
            fontsize=_pt(_LEGEND_PX),
            frameon=False,
            handletextpad=0.2,
            columnspacing=1.0,
            borderaxespad=0.2,
        )
        self.ax = ax
        self.fig = fig
        fig.canvas.draw()  # contacts and legend once, kept as the background
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        from cxsim.viz.dashboard.charts import png

        #: The contacts and the legend, without the dots, as a PNG (made once).
        self.background: bytes = png(fig)
        # the dots in the figure's pixels (SVG: y down), and their radii
        width, height = fig.canvas.get_width_height()
        centres = ax.transData.transform(pos)
        self._svg_xy = np.column_stack([centres[:, 0], height - centres[:, 1]])
        self._svg_r = np.sqrt(np.broadcast_to(self.nodes.get_sizes(), (n,))) * _DPI / 72 / 2
        self._svg_edge = edge * _DPI / 72
        self._size = (width, height)
        self._codes: np.ndarray | None = None
        self.updates = 0

    def stages(self) -> np.ndarray:
        """Highest ladder stage code of each drawn customer, now."""
        return summary_stages(self.model.customers.stage[self.layout.rows])

    def update(self, data: DashboardData | None = None) -> bool:
        """Recolour the dots; ``False`` (nothing redrawn) when no drawn customer changed stage."""
        rows = self.layout.rows
        if data is not None and data.node_stage is not None and data.node_stage.size > rows.max():
            codes = data.node_stage[rows]
        else:
            codes = self.stages()
        if self._codes is not None and np.array_equal(codes, self._codes):
            return False
        self._codes = codes.copy()
        self.nodes.set_facecolor(_STAGE_RGBA[codes])
        self.updates += 1
        return True

    def picture(self) -> bytes:
        """The whole view as a PNG: the kept background and the dots drawn on it."""
        from cxsim.viz.dashboard.charts import png

        self.fig.canvas.restore_region(self._background)
        self.ax.draw_artist(self.nodes)
        return png(self.fig)

    def svg(self) -> str:
        """The dots alone, as an SVG the size of the figure in pixels (drawn over
        :attr:`background` on the page), one circle per drawn customer in its stage's colour."""
        width, height = self._size
        codes = self._codes if self._codes is not None else self.stages()
        fills = [_STAGE_HEX[c] for c in codes.tolist()]
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" preserveAspectRatio="none">'
        ]
        for (x, y), r, e, fill in zip(
            self._svg_xy.tolist(), self._svg_r.tolist(), self._svg_edge.tolist(), fills, strict=True
        ):
            stroke = f' stroke="#000000" stroke-width="{e:.1f}"' if e > 0 else ""
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}"{stroke}/>')
        parts.append("</svg>")
        return "".join(parts)

    def counts(self) -> dict[str, int]:
        """Drawn customers per stage (as last drawn)."""
        codes = self._codes if self._codes is not None else self.stages()
        return dict(zip(STAGES, np.bincount(codes, minlength=len(STAGES)).tolist(), strict=True))


def describe_focus(model: Market, focus: Any) -> str | None:
    """``None`` if ``focus`` names a customer of ``model``, else a one-line message."""
    n = model.customers.n
    if isinstance(focus, bool) or not isinstance(focus, int | np.integer):
        return f"a customer number, 0 to {n - 1:,}"
    if not 0 <= int(focus) < n:
        return f"customer {int(focus):,} does not exist: customers are 0 to {n - 1:,}"
    return None
