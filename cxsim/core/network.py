"""Customers' social network: who can hear whose word of mouth.

Why CSR arrays and not a networkx graph
---------------------------------------
Researchers run the market with up to a million customers. A networkx graph stores every node
and edge as Python dictionaries (hundreds of bytes per edge, a Python-level loop per visit), so a
million customers with ten contacts each would take gigabytes and seconds per week just to walk.
Mesa's own advice to users with millions of agents is to vectorize, and the rest of the engine keeps
customers as columns of NumPy arrays; the network follows suit. Contacts are stored in compressed
sparse row (CSR) form:

* ``indptr`` (int64, length ``n + 1``): customer ``i``'s contacts are
  ``indices[indptr[i]:indptr[i + 1]]``;
* ``indices`` (int32, sorted within each row): the contacts' ids.

That is 12 bytes per contact (each undirected edge is stored in both rows), so ``n = 10**6``
customers with mean degree 10 need about 130 MB, and a week's word of mouth is a handful of
vectorized gathers. :meth:`SocialNetwork.to_networkx` converts to a networkx graph at teaching
sizes (for plots and ``mesa.discrete_space.Network``).

The complete network (everyone hears everyone, as in the Bass-model docking test) stores no arrays
at all: every method is answered in O(n) from totals.

The generators (:mod:`cxsim.core.graphs`) are vectorized NumPy (no Python loop over nodes or
edges), take their randomness from a ``numpy.random.Generator`` (same generator state, same network), and never use O(n^2) time or
memory. Graphs are simple: undirected, no self-loops, no duplicate edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np

from cxsim.core.graphs import (
    barabasi_albert_edges,
    csr_from_edges,
    erdos_renyi_edges,
    lattice_degree,
    round_half_up,
    sorted_unique,
    watts_strogatz_edges,
)
from cxsim.params import NETWORK_KINDS  # declared with the parameters

if TYPE_CHECKING:
    import networkx

#: Largest number of customers: contact ids are stored as int32.
MAX_NODES: int = int(np.iinfo(np.int32).max)

_EMPTY = np.empty(0, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SocialNetwork:
    """Undirected, no self-loops, no duplicate edges.

    Attributes:
        kind: one of :data:`NETWORK_KINDS` (how it was generated).
        n: number of customers (nodes ``0 .. n-1``).
        indptr: int64, length ``n + 1``; ``None`` when complete.
        indices: int32, contacts' ids, sorted within each row; ``None`` when complete.

    The arrays are made read-only, so a network can be shared between runs safely.
    Equality is identity (``eq=False``): comparing two million-node networks element by element
    is never what ``==`` should silently do.
    """

    kind: str
    n: int
    indptr: np.ndarray | None
    indices: np.ndarray | None

    def __post_init__(self) -> None:
        if self.kind not in NETWORK_KINDS:
            raise ValueError(_kind_message(self.kind))
        n = _check_n(self.n)
        object.__setattr__(self, "n", n)
        if self.kind == "complete":
            if self.indptr is not None or self.indices is not None:
                raise ValueError(
                    "a complete network stores no arrays: indptr and indices must be None"
                )
            return
        if self.indptr is None or self.indices is None:
            raise ValueError(f"a {self.kind} network needs indptr and indices arrays, got None")
        indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        indices = np.ascontiguousarray(self.indices, dtype=np.int32)
        if indptr.shape != (n + 1,):
            raise ValueError(f"indptr has shape {indptr.shape}; must be (n + 1,) = ({n + 1},)")
        if indices.ndim != 1 or indptr[0] != 0 or indptr[-1] != indices.size:
            raise ValueError(
                f"indptr must start at 0 and end at len(indices) = {indices.size}, "
                f"got {indptr[0]} .. {indptr[-1]}"
            )
        indptr.flags.writeable = False
        indices.flags.writeable = False
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", indices)

    def __repr__(self) -> str:
        return (
            f"SocialNetwork(kind={self.kind!r}, n={self.n}, edges={self.n_edges}, "
            f"mean_degree={self.mean_degree:.3f})"
        )

    # ---- size -------------------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        """True when everyone is a contact of everyone else (no arrays stored)."""
        return self.indptr is None

    def degree(self) -> np.ndarray:
        """Number of contacts of each customer: int64 array of shape ``(n,)``."""
        if self.complete:
            return np.full(self.n, self.n - 1, dtype=np.int64)
        return np.diff(self.indptr)

    @property
    def mean_degree(self) -> float:
        """Average number of contacts per customer (= 2 x edges / n)."""
        if self.complete:
            return float(self.n - 1)
        return float(self.indptr[-1]) / self.n

    @property
    def n_edges(self) -> int:
        """Number of undirected edges (each counted once)."""
        if self.complete:
            return self.n * (self.n - 1) // 2
        return int(self.indptr[-1]) // 2

    def neighbors(self, i: int) -> np.ndarray:
        """Contacts of customer ``i``: sorted node ids (a read-only view for sparse networks)."""
        if isinstance(i, bool) or not isinstance(i, Integral) or not 0 <= i < self.n:
            raise ValueError(f"node i={i!r} must be an integer in [0, n) = [0, {self.n})")
        i = int(i)
        if self.complete:
            return np.concatenate((np.arange(i), np.arange(i + 1, self.n)))
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    # ---- aggregation over contacts ----------------------------------------------------------

    def neighbor_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of ``x`` over each customer's contacts (the customer itself excluded).

        Args:
            x: per-customer values, shape ``(n,)`` or ``(n, k)``; numeric or bool (bool counts
                contacts for which ``x`` is true).

        Returns:
            float64 array of the same shape. Cost O(n + edges); O(n) when complete.
        """
        values = self._check_x(x)
        if self.complete:
            values = values.astype(np.float64, copy=False)
            return values.sum(axis=0) - values
        if values.ndim == 1:
            return _csr_row_sums(self.indptr, self.indices, values)
        out = np.empty(values.shape, dtype=np.float64)
        for j in range(values.shape[1]):  # column by column: bounded temporary memory
            out[:, j] = _csr_row_sums(self.indptr, self.indices, values[:, j])
        return out

    def neighbor_share(self, x: np.ndarray) -> np.ndarray:
        """Mean of ``x`` over each customer's contacts; 0 for customers with no contacts.

        With a bool ``x`` this is the share of contacts for which ``x`` holds, e.g. the share of
        adopted contacts in the Bass hazard ``p + q * share``. Same shapes as
        :meth:`neighbor_sum`.
        """
        sums = self.neighbor_sum(x)
        deg = self.degree().astype(np.float64)
        if sums.ndim == 2:
            deg = deg[:, None]
        return np.divide(sums, deg, out=np.zeros_like(sums), where=deg > 0)

    def _check_x(self, x: np.ndarray) -> np.ndarray:
        values = np.asarray(x)
        if values.ndim not in (1, 2) or values.shape[0] != self.n:
            raise ValueError(
                f"x has shape {values.shape}; must be (n,) or (n, k) with n = {self.n}"
            )
        kind = values.dtype.kind
        if kind not in "biuf":
            raise ValueError(f"x has dtype {values.dtype}; must be bool, integer or float")
        return values

    # ---- word of mouth ----------------------------------------------------------------------

    def sample_contacts(
        self,
        senders: np.ndarray,
        prob: float | np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Word of mouth: each sender reaches each of its contacts independently with ``prob``.

        Args:
            senders: node ids of the customers who talk (int array, repeats allowed: each entry
                talks independently).
            prob: probability in [0, 1] that one sender reaches one given contact in this call;
                a scalar, or an array aligned with ``senders``.
            rng: the only source of randomness; the same state gives the same messages.

        Returns:
            ``(which, receivers)``, int64 arrays of equal length, one entry per message:
            ``which`` is the position in ``senders`` of the message's sender (not its node id),
            ``receivers`` the receiving node id. Sorted by ``which``, then by receiver.

        Cost is proportional to the senders' total degree (plus ``len(senders)``), never to
        ``n``, for sparse networks: their CSR rows are gathered and one uniform draw decides each
        contact. On the complete network each sender draws ``k ~ Binomial(n - 1, prob)`` and then
        ``k`` *distinct* uniform other nodes (never itself), which has exactly the distribution
        of independent per-contact draws; cost O(len(senders) + messages).
        """
        sender_ids = self._check_senders(senders)
        p = _check_prob(prob, sender_ids.size)
        if sender_ids.size == 0:
            return _EMPTY.copy(), _EMPTY.copy()
        if self.complete:
            return _sample_complete(self.n, sender_ids, p, rng)
        return _sample_csr(self.indptr, self.indices, sender_ids, p, rng)

    def _check_senders(self, senders: np.ndarray) -> np.ndarray:
        ids = np.asarray(senders)
        if ids.ndim != 1:
            raise ValueError(f"senders has shape {ids.shape}; must be one-dimensional")
        if ids.size == 0:
            return _EMPTY
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"senders has dtype {ids.dtype}; must be integer node ids")
        lo, hi = int(ids.min()), int(ids.max())
        if lo < 0 or hi >= self.n:
            raise ValueError(f"senders range over [{lo}, {hi}]; node ids must be in [0, {self.n})")
        return ids.astype(np.int64, copy=False)

    # ---- conversion -------------------------------------------------------------------------

    def to_networkx(self) -> networkx.Graph:
        """The same network as a ``networkx.Graph`` with nodes ``0 .. n-1`` (isolated ones too).

        Meant for teaching sizes (plots, ``mesa.discrete_space.Network``): networkx needs a few
        hundred bytes per edge.
        """
        import networkx as nx

        if self.complete:
            graph = nx.complete_graph(self.n)
        else:
            graph = nx.Graph()
            graph.add_nodes_from(range(self.n))
            rows = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))
            upper = rows < self.indices
            graph.add_edges_from(
                zip(rows[upper].tolist(), self.indices[upper].tolist(), strict=True)
            )
        graph.graph["kind"] = self.kind
        return graph

    def contact_counts(self, x: np.ndarray) -> ContactCounts:
        """A running count of each customer's contacts for which ``x`` holds (see
        :class:`ContactCounts`), starting from ``x``."""
        return ContactCounts(self, x)


class ContactCounts:
    """Running count, per customer and column, of the customer's contacts for which a boolean
    ``(n, k)`` table holds: what :meth:`SocialNetwork.neighbor_share` gives, kept up to date.

    The Bass hazard needs, every week, the share of each customer's contacts who are customers
    of each firm. Recounting it walks every edge (ten million gathers at a million customers, the
    costliest line of a week), yet only the customers who joined or left a firm that week change
    anyone's count. :meth:`update` compares the table with the one it saw last and, for each
    entry that changed, adds ±1 to the counts of that customer's contacts: the network is
    undirected, so a customer's contacts are exactly the customers who count it. Counts are
    integers, so they always equal a full recount exactly. Cost per update: one pass over the
    table plus O(changed entries × their degree).
    """

    def __init__(self, network: SocialNetwork, x: np.ndarray) -> None:
        table = self._check(network, x)
        self.network = network
        self._seen = table.copy()
        if network.complete:
            self._total = np.count_nonzero(table, axis=0).astype(np.int64)
            self.counts = None
        else:
            self.counts = np.empty(table.shape, dtype=np.int32)
            for j in range(table.shape[1]):
                self.counts[:, j] = _csr_row_sums(network.indptr, network.indices, table[:, j])
        self._degree = network.degree().astype(np.float64)

    @staticmethod
    def _check(network: SocialNetwork, x: np.ndarray) -> np.ndarray:
        table = np.asarray(x)
        if table.ndim != 2 or table.shape[0] != network.n or table.dtype != np.bool_:
            raise ValueError(
                f"x has shape {table.shape} and dtype {table.dtype}; must be bool (n, k) with "
                f"n = {network.n}"
            )
        return np.ascontiguousarray(table)

    def update(self, x: np.ndarray) -> None:
        """Bring the counts up to date with table ``x`` (same shape as the first one)."""
        table = self._check(self.network, x)
        if table.shape != self._seen.shape:
            raise ValueError(f"x has shape {table.shape}; the counts are for {self._seen.shape}")
        changed = np.flatnonzero(table != self._seen)
        if changed.size == 0:
            return
        k = table.shape[1]
        rows = changed // k
        cols = changed - rows * k
        now = table.ravel()[changed]
        self._seen.ravel()[changed] = now
        sign = np.where(now, 1, -1).astype(np.int32)
        if self.counts is None:
            np.add.at(self._total, cols, sign.astype(np.int64))
            return
        indptr, indices = self.network.indptr, self.network.indices
        starts = np.take(indptr, rows)
        deg = np.take(indptr, rows + 1) - starts
        first_out = np.cumsum(deg) - deg
        pos = np.arange(int(deg.sum()), dtype=np.int64) + np.repeat(starts - first_out, deg)
        target = np.take(indices, pos).astype(np.int64)  # the changed customers' contacts
        target *= k
        target += np.repeat(cols, deg)
        # values of the counts' own dtype keep np.add.at on its fast path
        np.add.at(self.counts.reshape(-1), target, np.repeat(sign, deg))

    def count(self, rows: np.ndarray, col: int) -> np.ndarray:
        """Number of contacts of customers ``rows`` for which column ``col`` holds."""
        k = self._seen.shape[1]
        if self.counts is None:
            return self._total[col] - np.take(self._seen, rows * k + col)
        return np.take(self.counts, rows * k + col)

    def share(self, rows: np.ndarray, col: int) -> np.ndarray:
        """Share (float64) of the contacts of customers ``rows`` for which column ``col`` holds;
        0 for customers with no contacts. Equal to ``neighbor_share(x)[rows, col]``."""
        sums = self.count(rows, col).astype(np.float64)  # exact: counts are small integers
        deg = self._degree[rows]
        return np.divide(sums, deg, out=np.zeros_like(sums), where=deg > 0)


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


def build_network(
    kind: str,
    n: int,
    rng: np.random.Generator,
    *,
    mean_degree: float = 10,
    rewire_prob: float = 0.1,
) -> SocialNetwork:
    """Generate a social network of ``n`` customers.

    Args:
        kind: one of :data:`NETWORK_KINDS`.
        n: number of customers, at least 2.
        rng: source of randomness (same state, same network).
        mean_degree: target average number of contacts per customer, in (0, n - 1]; ignored by
            ``"complete"`` (whose degree is n - 1). Each generator documents how it rounds it.
        rewire_prob: Watts-Strogatz probability in [0, 1] that a lattice edge is rewired;
            validated for every kind, used only by ``"watts_strogatz"``.

    Raises:
        ValueError: naming the parameter, its value and what is allowed.
        TypeError: if ``rng`` is not a ``numpy.random.Generator``.
    """
    if not isinstance(kind, str) or kind not in NETWORK_KINDS:
        raise ValueError(_kind_message(kind))
    n = _check_n(n)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    rewire_prob = _check_unit_interval("rewire_prob", rewire_prob)
    if kind == "complete":
        return SocialNetwork(kind, n, None, None)
    mean_degree = _check_mean_degree(mean_degree, n)
    if kind == "watts_strogatz":
        u, v = watts_strogatz_edges(n, lattice_degree(mean_degree), rewire_prob, rng)
    elif kind == "ring_lattice":
        u, v = watts_strogatz_edges(n, lattice_degree(mean_degree), 0.0, rng)
    elif kind == "barabasi_albert":
        u, v = barabasi_albert_edges(n, max(1, round_half_up(mean_degree / 2)), rng)
    else:  # erdos_renyi
        u, v = erdos_renyi_edges(n, min(1.0, mean_degree / (n - 1)), rng)
    indptr, indices = csr_from_edges(n, u, v)
    return SocialNetwork(kind, n, indptr, indices)


# --------------------------------------------------------------------------------------------
# CSR helpers (pure functions)
# --------------------------------------------------------------------------------------------


def _csr_row_sums(indptr: np.ndarray, indices: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``out[i] = sum(x[indices[indptr[i]:indptr[i + 1]]])`` as float64 for 1-D ``x``; 0 for
    empty rows.

    ``np.add.reduceat`` is given only the starts of non-empty rows: those are strictly increasing
    and in range, and each segment between them is exactly one row (empty rows contribute none).
    Values are gathered in their own dtype (bool as one byte: the gather is the costly,
    cache-missing step, and a small source array stays in cache) and summed in float64.
    """
    out = np.zeros(indptr.size - 1, dtype=np.float64)
    if indices.size == 0:
        return out
    if x.dtype == np.bool_:
        x = x.view(np.uint8)
    starts = indptr[:-1]
    nonempty = starts < indptr[1:]
    out[nonempty] = np.add.reduceat(x[indices], starts[nonempty], dtype=np.float64)
    return out


def _sample_csr(
    indptr: np.ndarray,
    indices: np.ndarray,
    senders: np.ndarray,
    prob: float | np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Sparse word of mouth: gather the senders' rows, keep each entry with its probability."""
    starts = np.take(indptr, senders)
    deg = np.take(indptr, senders + 1) - starts
    total = int(deg.sum())
    which = np.repeat(np.arange(senders.size, dtype=np.int64), deg)
    threshold = np.take(prob, which) if isinstance(prob, np.ndarray) else prob
    kept = np.flatnonzero(rng.random(total) < threshold)
    which = np.take(which, kept)
    # Position in `indices` of kept contact j: its sender's row start + its rank within that
    # row, where the rank is j minus the number of contacts of the senders before it.
    first_out = np.cumsum(deg) - deg
    pos = kept + np.take(starts - first_out, which)
    return which, np.take(indices, pos).astype(np.int64)


def _sample_complete(
    n: int, senders: np.ndarray, prob: float | np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Complete-network word of mouth: Binomial count, then that many distinct other nodes."""
    counts = rng.binomial(n - 1, prob, size=senders.size).astype(np.int64)
    which, offset = _distinct_draws(counts, n - 1, rng)
    # Offsets 0 .. n-2 skip the sender: offset o maps to node o, or o + 1 from the sender on.
    receivers = offset + (offset >= senders[which])
    return which, receivers


def _distinct_draws(
    counts: np.ndarray, space: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """For each ``j``, a uniform random subset of ``counts[j]`` distinct values of ``range(space)``.

    Owners asking for at most half the space use rejection (draw, drop repeats, redraw the
    shortfall: at least half of the draws succeed, so few rounds); larger requests draw the
    complement instead and list what is left. Cost O(sum(counts) log), never O(len * space).

    Returns:
        ``(owner, value)`` int64 arrays sorted by owner, then value.
    """
    owners = np.arange(counts.size, dtype=np.int64)
    big = 2 * counts > space
    small_owner, small_value = _distinct_by_rejection(counts[~big], space, rng)
    small_owner = owners[~big][small_owner]
    big_ids = owners[big]
    if big_ids.size == 0:
        return small_owner, small_value
    excl_owner, excl_value = _distinct_by_rejection(space - counts[big], space, rng)
    keep = np.ones(big_ids.size * space, dtype=bool)
    keep[excl_owner * space + excl_value] = False
    flat = np.flatnonzero(keep)
    big_owner = big_ids[flat // space]
    big_value = flat % space
    owner = np.concatenate((small_owner, big_owner))
    order = np.argsort(owner, kind="stable")  # each part is already sorted within owners
    return owner[order], np.concatenate((small_value, big_value))[order]


def _distinct_by_rejection(
    counts: np.ndarray, space: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct uniform draws by rejection; ``counts[j] <= space / 2`` keeps it fast.

    The procedure treats every value alike, so each owner's set is a uniform random subset.
    Returns ``(owner, value)`` with owners ``0 .. len(counts)-1``, sorted.
    """
    local = np.arange(counts.size, dtype=np.int64)
    keys = _EMPTY
    need = counts
    while (total := int(need.sum())) > 0:
        owner = np.repeat(local, need)
        drawn = owner * space + rng.integers(0, space, size=total)
        keys = sorted_unique(np.concatenate((keys, drawn)))
        need = counts - np.bincount(keys // space, minlength=counts.size)
    return keys // space, keys % space


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _kind_message(kind: object) -> str:
    return f"network kind {kind!r} is not one of {', '.join(NETWORK_KINDS)}"


def _check_n(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, Real) or not float(n).is_integer():
        raise ValueError(f"n={n!r} must be an integer >= 2 (number of customers)")
    if not 2 <= n <= MAX_NODES:
        raise ValueError(
            f"n={n!r} must be an integer >= 2 and <= {MAX_NODES} (number of customers)"
        )
    return int(n)


def _check_mean_degree(mean_degree: object, n: int) -> float:
    ok = isinstance(mean_degree, Real) and not isinstance(mean_degree, bool)
    if not ok or not (math.isfinite(mean_degree) and 0 < mean_degree <= n - 1):
        raise ValueError(
            f"mean_degree={mean_degree!r} must be > 0 and < n, i.e. at most n - 1 = {n - 1} "
            "(average contacts per customer)"
        )
    return float(mean_degree)


def _check_unit_interval(name: str, value: object) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if not ok or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name}={value!r} must be a probability in [0, 1]")
    return float(value)


def _check_prob(prob: float | np.ndarray, size: int) -> float | np.ndarray:
    """Scalar probability as float, or an array of per-sender probabilities of length ``size``."""
    arr = np.asarray(prob, dtype=np.float64)
    if arr.ndim == 0:
        return _check_unit_interval("prob", float(arr))
    if arr.shape != (size,):
        raise ValueError(f"prob has shape {arr.shape}; must be a scalar or ({size},) like senders")
    if not np.all((arr >= 0.0) & (arr <= 1.0)):  # also rejects NaN
        raise ValueError("prob values must be probabilities in [0, 1]")
    return arr
