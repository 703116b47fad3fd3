"""Random graphs as edge lists and compressed sparse rows, generated with NumPy alone.

Each generator is vectorized (no Python loop over nodes or edges), takes its randomness from a
``numpy.random.Generator`` (same state, same graph) and never uses O(n^2) time or memory:
Watts-Strogatz small worlds (and ring lattices), Barabási-Albert preferential attachment and
Erdős-Rényi random graphs. :func:`csr_from_edges` turns an edge list into the simple, undirected
CSR arrays of :class:`cxsim.core.network.SocialNetwork` (no self-loops, no duplicates).
"""

from __future__ import annotations

import math

import numpy as np

_EMPTY = np.empty(0, dtype=np.int64)
_BLOCK = 1 << 20  # directed entries per block when recovering CSR columns


def lattice_degree(mean_degree: float) -> int:
    """Ring-lattice degree ``k``: ``mean_degree`` rounded to the nearest even number, at least 2.

    Halves round up (``mean_degree = 3`` gives ``k = 4``), unlike Python's ``round``.
    """
    return 2 * max(1, round_half_up(mean_degree / 2))


def watts_strogatz_edges(
    n: int, k: int, rewire_prob: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Edge list of a Watts-Strogatz small world (Watts & Strogatz 1998, Nature 393:440).

    Start from a ring lattice in which each node links to its ``k / 2`` nearest neighbours on each
    side; then the far end of each lattice edge is moved, with probability ``rewire_prob``, to a
    node drawn uniformly from all ``n``. Unlike the original (and networkx), which redraws a new
    end that would make a self-loop or a duplicate, such edges are simply dropped later by
    :func:`csr_from_edges`; that loses about ``rewire_prob * (k + 1) / n`` of the edges (0.0001%
    at n = 10**6), so the mean degree stays within ~1% of ``k`` whenever ``n`` is well above ``k``.

    Args:
        n: number of nodes.
        k: lattice degree, even, >= 2; offsets beyond ``n // 2`` collapse onto shorter ones.
        rewire_prob: probability in [0, 1] that an edge's far end is rewired (0: ring lattice).
        rng: source of randomness; not touched when ``rewire_prob`` is 0.

    Returns:
        ``(u, v)`` endpoint arrays (may hold self-loops and duplicates), ``n * k / 2`` edges.
    """
    dtype = _index_dtype(n)
    half = min(k // 2, n // 2)
    u = np.repeat(np.arange(n, dtype=dtype), half)
    v = u + np.tile(np.arange(1, half + 1, dtype=dtype), n)
    v[v >= n] -= n
    if rewire_prob > 0:
        rewired = rng.random(u.size) < rewire_prob
        v[rewired] = rng.integers(0, n, size=int(rewired.sum()), dtype=dtype)
    return u, v


def barabasi_albert_edges(
    n: int, m: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Edge list of a preferential-attachment graph (Barabasi & Albert 1999, Science 286:509).

    Uses the linear-time edge-list method of Batagelj & Brandes (2005, Phys. Rev. E 71:036113,
    algorithm "preferential attachment"): nodes arrive one by one, each bringing ``m`` edges. Edge
    ``e`` occupies slots ``2e`` (its new node) and ``2e + 1`` (its target) of one long list, and
    its target copies the node in a slot drawn uniformly from ``0 .. 2e``, i.e. an existing node
    chosen with probability proportional to its current degree.

    Vectorized: all slot draws are made at once; a draw landing on an even slot is a new node
    (known directly), one landing on an odd slot points at an earlier edge's target, and those
    chains are resolved by pointer jumping (each round halves the unresolved draws; ~log2 rounds).

    The result is a multigraph: early nodes get self-loops and repeated edges. They are removed
    by :func:`csr_from_edges`, so the mean degree comes out slightly below ``2 m`` (about 0.1%
    below at n = 20,000, m = 5) while the degree distribution keeps its power-law tail
    (exponent 3): the largest degree grows like ``m * sqrt(n)``.

    Args:
        n: number of nodes.
        m: edges brought by each new node (>= 1).
        rng: source of randomness.

    Returns:
        ``(u, v)`` endpoint arrays, ``n * m`` edges (self-loops and duplicates included).
    """
    n_edges = n * m
    # Slot drawn by edge e: uniform on 0 .. 2e. Float scaling is ~2x faster than integers() with
    # an array bound; its bias (< 2**-53 per slot) is far below anything measurable.
    slot = np.arange(n_edges, dtype=np.int64)
    slot *= 2
    slot += 1
    draws = rng.random(n_edges)
    draws *= slot
    np.minimum(draws, slot - 1, out=draws)  # guard the rounding of draws * slot up to slot
    slot = draws.astype(np.int64)
    del draws
    # Pointer jumping: slot 2q + 1 holds edge q's target, so it may be replaced by edge q's slot.
    pending = np.flatnonzero(slot & 1)
    while pending.size:
        slot[pending] = slot[slot[pending] >> 1]
        pending = pending[(slot[pending] & 1).astype(bool)]
    dtype = _index_dtype(n)
    target = (slot >> 1) // m  # even slot 2e holds the new node of edge e, which is e // m
    return np.repeat(np.arange(n, dtype=dtype), m), target.astype(dtype)


def erdos_renyi_edges(n: int, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Edge list of an Erdos-Renyi random graph G(n, p) (Erdos & Renyi 1959; Gilbert 1959).

    Exact and O(edges): the number of edges is drawn from ``Binomial(n (n - 1) / 2, p)``, then that
    many distinct pairs are drawn uniformly. Pairs are drawn with replacement; duplicates are
    discarded and the shortfall topped up with fresh draws until the count is reached, which
    (by symmetry) gives a uniform set of pairs, hence exactly G(n, p).

    Args:
        n: number of nodes.
        p: probability in [0, 1] that a given pair is linked (``mean_degree / (n - 1)``).
        rng: source of randomness.

    Returns:
        ``(u, v)`` endpoint arrays with ``u < v``, no duplicates.
    """
    n_pairs = n * (n - 1) // 2
    target = int(rng.binomial(n_pairs, p))
    keys = _EMPTY  # sorted distinct pairs, encoded min * n + max
    while keys.size < target:
        short = target - keys.size
        # First round: exactly `target` draws, all distinct ones kept. Later rounds: enough draws
        # for `short` new pairs with a margin, keeping the first `short` new ones in draw order.
        draws = (
            short
            if keys.size == 0
            else math.ceil(short * n_pairs / (n_pairs - keys.size) * 1.1) + 16
        )
        u = rng.integers(0, n, size=draws, dtype=np.int64)
        v = u + rng.integers(1, n, size=draws, dtype=np.int64)  # a different node, uniformly
        v[v >= n] -= n
        candidates = np.minimum(u, v) * n + np.maximum(u, v)
        del u, v
        if keys.size == 0:
            keys = sorted_unique(candidates)
            continue
        order = np.argsort(candidates, kind="stable")
        ranked = candidates[order]
        first = np.ones(ranked.size, dtype=bool)
        first[1:] = ranked[1:] != ranked[:-1]
        fresh = first & ~_sorted_contains(keys, ranked)
        take = np.sort(order[fresh])[:short]
        added = np.sort(candidates[take])
        keys = np.insert(keys, np.searchsorted(keys, added), added)
    return _split_sorted_keys(keys, n)


def csr_from_edges(n: int, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays of the simple undirected graph on ``0 .. n-1`` with edges ``{u[i], v[i]}``.

    Symmetrizes (each edge goes into both endpoints' rows), sorts each row, and drops self-loops
    and duplicate edges. Sorting is one in-place ``np.sort`` of int64 keys ``row * n + col``
    (the same order as a stable sort by row then column, at a fraction of the time and memory);
    columns are then recovered row block by row block, so the peak stays near 16 bytes per
    directed entry on top of the inputs (about 160 MB for a million nodes of degree 10).

    Args:
        n: number of nodes.
        u, v: integer endpoint arrays of equal length, ids in ``[0, n)``.

    Returns:
        ``(indptr, indices)``: int64 of length ``n + 1``, int32 sorted within each row.
    """
    u = np.asarray(u).ravel()
    v = np.asarray(v).ravel()
    if u.shape != v.shape:
        raise ValueError(f"u and v must have the same length, got {u.size} and {v.size}")
    if u.size and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError(f"edge endpoints must be node ids in [0, n) = [0, {n})")
    m = u.size
    keys = np.empty(2 * m, dtype=np.int64)
    np.multiply(u, np.int64(n), out=keys[:m], dtype=np.int64)
    keys[:m] += v
    np.multiply(v, np.int64(n), out=keys[m:], dtype=np.int64)
    keys[m:] += u
    loops = u == v
    if loops.any():  # mark self-loops with -1: they sort first and are sliced off
        keys[:m][loops] = -1
        keys[m:][loops] = -1
    del loops
    keys.sort()
    keys = keys[np.searchsorted(keys, 0) :]
    bounds = _row_bounds(keys, n)
    repeats = np.flatnonzero(keys[1:] == keys[:-1]) + 1  # positions of duplicate entries
    indptr = bounds - np.searchsorted(repeats, bounds)
    indices = np.empty(int(indptr[-1]), dtype=np.int32)
    rows_per_block = max(1, (_BLOCK * n) // max(1, keys.size))
    for r0 in range(0, n, rows_per_block):
        r1 = min(n, r0 + rows_per_block)
        a, b = bounds[r0], bounds[r1]
        row_base = np.arange(r0, r1, dtype=np.int64) * n
        cols = keys[a:b] - np.repeat(row_base, np.diff(bounds[r0 : r1 + 1]))
        lo, hi = np.searchsorted(repeats, (a, b))
        if hi > lo:
            keep = np.ones(cols.size, dtype=bool)
            keep[repeats[lo:hi] - a] = False
            cols = cols[keep]
        indices[indptr[r0] : indptr[r1]] = cols
    return indptr, indices


def _row_bounds(keys: np.ndarray, n: int) -> np.ndarray:
    """For sorted keys ``row * n + col``: int64 positions where each row 0 .. n starts."""
    row_starts = np.arange(n + 1, dtype=np.int64)
    row_starts *= n
    return np.searchsorted(keys, row_starts).astype(np.int64, copy=False)


def _split_sorted_keys(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(keys // n, keys % n)`` for sorted non-negative keys, without slow integer division."""
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(_row_bounds(keys, n)))
    return rows, keys - rows * n


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of ``a`` (``np.unique`` without its slow hashing path)."""
    a = np.sort(a)
    if a.size < 2:
        return a
    new = np.empty(a.size, dtype=bool)
    new[0] = True
    np.not_equal(a[1:], a[:-1], out=new[1:])
    return a if new.all() else a[new]


def _sorted_contains(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Boolean mask: which ``needles`` occur in the sorted array ``haystack``."""
    if haystack.size == 0:
        return np.zeros(needles.size, dtype=bool)
    pos = np.searchsorted(haystack, needles)
    pos[pos == haystack.size] = haystack.size - 1
    return haystack[pos] == needles


def round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _index_dtype(n: int) -> type[np.signedinteger]:
    """int32 while ``2 n`` fits (room for ``u + offset`` before wrapping), else int64."""
    return np.int32 if 2 * n < 2**31 else np.int64
