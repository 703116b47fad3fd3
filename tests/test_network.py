"""The social network: structure, generators' statistics, aggregation and word of mouth.

Every random check uses a fixed seed and states its tolerance; statistical tolerances are four
standard errors of the quantity tested (a false alarm about once in 16,000 runs, while a real
bug such as a wrong rate or a lost contact moves the statistic by far more).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.core.graphs import barabasi_albert_edges, csr_from_edges
from cxsim.core.network import NETWORK_KINDS, SocialNetwork, build_network

SPARSE_KINDS = tuple(kind for kind in NETWORK_KINDS if kind != "complete")
RANDOM_KINDS = ("watts_strogatz", "barabasi_albert", "erdos_renyi")


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def entries(net: SocialNetwork) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of every directed CSR entry."""
    rows = np.repeat(np.arange(net.n), np.diff(net.indptr))
    return rows, net.indices.astype(np.int64)


def dense(net: SocialNetwork) -> np.ndarray:
    """Brute-force n x n adjacency matrix."""
    if net.complete:
        return np.ones((net.n, net.n)) - np.eye(net.n)
    adjacency = np.zeros((net.n, net.n))
    adjacency[entries(net)] = 1.0
    return adjacency


def structural_problems(net: SocialNetwork) -> list[str]:
    """Everything that would make the CSR arrays something other than a simple undirected graph."""
    problems = []
    if net.indptr.dtype != np.int64 or net.indices.dtype != np.int32:
        problems.append(f"dtypes {net.indptr.dtype}, {net.indices.dtype}")
    if net.indptr.shape != (net.n + 1,) or net.indptr[0] != 0:
        problems.append("indptr shape/start")
    if net.indptr[-1] != net.indices.size or np.any(np.diff(net.indptr) < 0):
        problems.append("indptr end/monotonic")
    rows, cols = entries(net)
    if np.any((cols < 0) | (cols >= net.n)):
        problems.append("ids out of range")
    if np.any(rows == cols):
        problems.append("self-loop")
    same_row = rows[1:] == rows[:-1]
    if np.any(same_row & (cols[1:] <= cols[:-1])):
        problems.append("row not strictly increasing (unsorted or duplicate edge)")
    forward = np.sort(rows * net.n + cols)
    backward = np.sort(cols * net.n + rows)
    if not np.array_equal(forward, backward):
        problems.append("not symmetric")
    return problems


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_structural_check_can_fail() -> None:
    """The checker used below catches each defect it claims to."""
    good = SocialNetwork("ring_lattice", 4, np.array([0, 2, 4, 6, 8]), [1, 3, 0, 2, 1, 3, 0, 2])
    assert structural_problems(good) == []
    loop = SocialNetwork("ring_lattice", 2, np.array([0, 2, 3]), np.array([0, 1, 0]))
    assert "self-loop" in structural_problems(loop)
    duplicate = SocialNetwork("ring_lattice", 2, np.array([0, 2, 4]), np.array([1, 1, 0, 0]))
    assert any("duplicate" in p for p in structural_problems(duplicate))
    one_way = SocialNetwork("ring_lattice", 3, np.array([0, 1, 1, 1]), np.array([1]))
    assert "not symmetric" in structural_problems(one_way)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(SPARSE_KINDS),
    n=st.integers(2, 60),
    degree_share=st.floats(0.01, 1.0),
    rewire_prob=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_generator_gives_a_simple_undirected_graph(
    kind: str, n: int, degree_share: float, rewire_prob: float, seed: int
) -> None:
    mean_degree = max(degree_share * (n - 1), 1e-3)
    net = build_network(kind, n, rng(seed), mean_degree=mean_degree, rewire_prob=rewire_prob)
    assert structural_problems(net) == []
    assert net.degree().dtype == np.int64
    assert net.degree().sum() == 2 * net.n_edges
    assert net.mean_degree == pytest.approx(net.degree().mean())


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 40),
    pairs=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=120),
)
def testcsr_from_edges_symmetrizes_sorts_and_simplifies(n: int, pairs: list) -> None:
    pairs = [(a % n, b % n) for a, b in pairs]
    u = np.array([a for a, _ in pairs], dtype=np.int64)
    v = np.array([b for _, b in pairs], dtype=np.int64)
    indptr, indices = csr_from_edges(n, u, v)
    net = SocialNetwork("erdos_renyi", n, indptr, indices)
    assert structural_problems(net) == []
    expected = {frozenset(p) for p in pairs if p[0] != p[1]}
    rows, cols = entries(net)
    assert {frozenset((int(a), int(b))) for a, b in zip(rows, cols, strict=True)} == expected


def test_arrays_are_read_only() -> None:
    net = build_network("watts_strogatz", 50, rng(), mean_degree=4)
    with pytest.raises(ValueError):
        net.indices[0] = 3


@pytest.mark.parametrize("kind", RANDOM_KINDS)
def test_same_seed_same_network_other_seed_other_network(kind: str) -> None:
    a = build_network(kind, 500, rng(7), mean_degree=6)
    b = build_network(kind, 500, rng(7), mean_degree=6)
    c = build_network(kind, 500, rng(8), mean_degree=6)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert not (np.array_equal(a.indptr, c.indptr) and np.array_equal(a.indices, c.indices))


# --------------------------------------------------------------------------------------------
# Generators: degrees
# --------------------------------------------------------------------------------------------


def test_ring_lattice_has_exact_degrees_and_nearest_neighbours() -> None:
    net = build_network("ring_lattice", 100, rng(), mean_degree=10)
    assert np.all(net.degree() == 10)
    assert net.neighbors(0).tolist() == [1, 2, 3, 4, 5, 95, 96, 97, 98, 99]
    # mean_degree is rounded to an even k, halves up: 3 -> 4, 1 -> 2, 0.4 -> 2 (at least 2)
    for asked, k in ((3, 4), (1, 2), (0.4, 2), (7.9, 8)):
        assert np.all(build_network("ring_lattice", 30, rng(), mean_degree=asked).degree() == k)


def test_ring_lattice_at_full_degree_is_complete() -> None:
    for n in (5, 6):
        net = build_network("ring_lattice", n, rng(), mean_degree=n - 1)
        assert np.all(net.degree() == n - 1)


def test_watts_strogatz_mean_degree_within_one_percent() -> None:
    # Dropped self-loops and duplicates cost about rewire_prob * (k + 1) / n of the edges
    # (0.02% here), far inside the 1% the brief asks for.
    for rewire_prob in (0.1, 1.0):
        net = build_network("watts_strogatz", 5000, rng(1), mean_degree=10, rewire_prob=rewire_prob)
        assert abs(net.mean_degree - 10) < 0.1


def test_watts_strogatz_rewires_the_stated_share_of_edges() -> None:
    n, k, p = 5000, 10, 0.1
    net = build_network("watts_strogatz", n, rng(2), mean_degree=k, rewire_prob=p)
    rows, cols = entries(net)
    gap = np.abs(rows - cols)
    on_lattice = np.minimum(gap, n - gap) <= k // 2
    n_edges = n * k // 2
    off_share = np.count_nonzero(~on_lattice) / 2 / n_edges
    # A rewired edge lands back on the lattice with chance ~ k / n (0.2%): negligible here.
    assert abs(off_share - p) < 4 * math.sqrt(p * (1 - p) / n_edges)
    lattice = build_network("watts_strogatz", n, rng(2), mean_degree=k, rewire_prob=0.0)
    ring = build_network("ring_lattice", n, rng(3), mean_degree=k)
    assert np.array_equal(lattice.indices, ring.indices)


def test_erdos_renyi_mean_degree_within_sampling_error() -> None:
    # 2 * Binomial(n (n-1) / 2, p) / n has standard deviation sqrt(2 * mean_degree / n) (~0.03).
    n, target = 20_000, 10.0
    net = build_network("erdos_renyi", n, rng(3), mean_degree=target)
    assert abs(net.mean_degree - target) < 4 * math.sqrt(2 * target / n)
    # Poisson degrees: variance close to the mean (a pairing bug would narrow or widen it)
    assert net.degree().var() == pytest.approx(target, rel=0.05)


def test_erdos_renyi_tops_up_to_the_exact_edge_count() -> None:
    # p = 1 needs every pair: only possible if duplicate draws are replaced by fresh ones.
    net = build_network("erdos_renyi", 30, rng(4), mean_degree=29)
    assert net.n_edges == 30 * 29 // 2


def test_barabasi_albert_mean_degree_just_below_2m_and_heavy_tail() -> None:
    # Removing the multigraph's self-loops and repeated edges costs ~0.1% of 2m = 10; allow 2%.
    n = 20_000
    net = build_network("barabasi_albert", n, rng(5), mean_degree=10)
    assert 9.8 < net.mean_degree <= 10.0
    assert net.degree().max() > 5 * net.mean_degree
    assert net.degree().min() >= 1


def test_barabasi_albert_vectorized_equals_batagelj_brandes_loop() -> None:
    """The pointer-jumping resolution gives exactly the sequential algorithm's edge list."""
    n, m, seed = 300, 3, 11
    u, v = barabasi_albert_edges(n, m, rng(seed))
    draws = rng(seed).random(n * m)  # the same uniform draws, replayed
    slots = np.zeros(2 * n * m, dtype=np.int64)
    for node in range(n):
        for i in range(m):
            e = node * m + i
            slots[2 * e] = node
            r = min(int(draws[e] * (2 * e + 1)), 2 * e)
            slots[2 * e + 1] = slots[r]
    assert np.array_equal(u, slots[0::2]) and np.array_equal(v, slots[1::2])


def test_complete_network_has_no_arrays() -> None:
    net = build_network("complete", 7, rng())
    assert net.complete and net.indptr is None and net.indices is None
    assert net.mean_degree == 6 and np.all(net.degree() == 6) and net.n_edges == 21
    assert net.neighbors(3).tolist() == [0, 1, 2, 4, 5, 6]


# --------------------------------------------------------------------------------------------
# Aggregation over contacts
# --------------------------------------------------------------------------------------------


def isolated_network() -> SocialNetwork:
    """Nodes 0, 4 and 5 have no contacts (4 and 5 are trailing empty rows)."""
    return SocialNetwork("erdos_renyi", 6, *csr_from_edges(6, np.array([1, 2]), np.array([2, 3])))


NETWORKS = {
    "watts_strogatz": lambda: build_network("watts_strogatz", 40, rng(1), mean_degree=4),
    "barabasi_albert": lambda: build_network("barabasi_albert", 40, rng(1), mean_degree=4),
    "erdos_renyi": lambda: build_network("erdos_renyi", 40, rng(1), mean_degree=2),
    "ring_lattice": lambda: build_network("ring_lattice", 40, rng(1), mean_degree=6),
    "complete": lambda: build_network("complete", 40, rng(1)),
    "isolated": isolated_network,
}


@pytest.mark.parametrize("name", NETWORKS)
def test_neighbor_sum_and_share_match_dense_brute_force(name: str) -> None:
    net = NETWORKS[name]()
    adjacency = dense(net)
    degree = adjacency.sum(axis=1)
    g = rng(9)
    inputs = (
        g.random(net.n),
        g.random(net.n) < 0.4,
        g.integers(-5, 5, size=net.n),
        g.random((net.n, 3)),
        g.random((net.n, 2)) < 0.5,
    )
    for x in inputs:
        expected = adjacency @ x.astype(float)
        got = net.neighbor_sum(x)
        assert got.dtype == np.float64 and got.shape == x.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        scale = degree if x.ndim == 1 else degree[:, None]
        share = np.where(scale > 0, expected / np.where(scale > 0, scale, 1), 0.0)
        np.testing.assert_allclose(net.neighbor_share(x), share, rtol=1e-12, atol=1e-12)


def test_neighbor_share_is_zero_for_isolated_nodes() -> None:
    net = isolated_network()
    share = net.neighbor_share(np.ones(6))
    assert share.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_neighbor_sum_rejects_wrong_shapes() -> None:
    net = build_network("ring_lattice", 10, rng(), mean_degree=2)
    for bad in (np.ones(9), np.ones((10, 2, 2)), np.array(["a"] * 10)):
        with pytest.raises(ValueError, match="x has"):
            net.neighbor_sum(bad)


# --------------------------------------------------------------------------------------------
# Word of mouth
# --------------------------------------------------------------------------------------------

WOM_NETWORKS = ("watts_strogatz", "barabasi_albert", "complete", "isolated")


def contact_keys(net: SocialNetwork) -> set[tuple[int, int]]:
    rows, cols = np.nonzero(dense(net))
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


@pytest.mark.parametrize("name", WOM_NETWORKS)
def test_every_message_goes_from_a_sender_to_one_of_its_contacts(name: str) -> None:
    net = NETWORKS[name]()
    contacts = contact_keys(net)
    senders = np.array([3, 0, 5, 3, net.n - 1, 1])  # unsorted, with a repeat
    which, receivers = net.sample_contacts(senders, 0.5, rng(2))
    assert which.dtype == np.int64 and receivers.dtype == np.int64
    assert which.shape == receivers.shape
    assert np.all(np.diff(which) >= 0)  # grouped by sender position
    pairs = list(zip(senders[which].tolist(), receivers.tolist(), strict=True))
    assert all(pair in contacts for pair in pairs)
    # a sender reaches a given contact at most once per call
    assert len(set(zip(which.tolist(), receivers.tolist(), strict=True))) == which.size


@pytest.mark.parametrize("name", WOM_NETWORKS)
def test_prob_zero_reaches_nobody_and_prob_one_reaches_every_contact(name: str) -> None:
    net = NETWORKS[name]()
    senders = np.array([2, 1, 2, 0])
    which, receivers = net.sample_contacts(senders, 0.0, rng(3))
    assert which.size == 0 and receivers.size == 0
    which, receivers = net.sample_contacts(senders, 1.0, rng(3))
    expected = np.concatenate([net.neighbors(int(s)) for s in senders]).astype(np.int64)
    assert np.array_equal(receivers, expected)
    assert np.array_equal(which, np.repeat(np.arange(4), [net.neighbors(s).size for s in senders]))


@pytest.mark.parametrize("name", WOM_NETWORKS)
def test_per_sender_probabilities(name: str) -> None:
    net = NETWORKS[name]()
    senders = np.array([1, 2, 3])
    which, receivers = net.sample_contacts(senders, np.array([0.0, 1.0, 0.0]), rng(4))
    assert set(which.tolist()) <= {1}
    assert np.array_equal(receivers, net.neighbors(2).astype(np.int64))


@pytest.mark.parametrize(
    ("name", "prob"),
    [
        ("watts_strogatz", 0.3),
        ("barabasi_albert", 0.3),
        ("complete", 0.05),
        ("complete", 0.8),  # above one half: the complete network samples the complement
    ],
)
def test_message_count_matches_prob_times_degree(name: str, prob: float) -> None:
    net = NETWORKS[name]()
    senders = np.arange(0, net.n, 3)
    total_degree = int(net.degree()[senders].sum())
    draws = 400
    g = rng(5)
    counts = np.array([net.sample_contacts(senders, prob, g)[0].size for _ in range(draws)])
    standard_error = math.sqrt(total_degree * prob * (1 - prob) / draws)
    assert abs(counts.mean() - prob * total_degree) < 4 * standard_error


@pytest.mark.parametrize("prob", [0.2, 0.8])
def test_complete_network_reaches_other_nodes_uniformly(prob: float) -> None:
    net = build_network("complete", 15, rng())
    draws = 600
    g = rng(6)
    hits = np.zeros(net.n)
    for _ in range(draws):
        _, receivers = net.sample_contacts(np.array([4]), prob, g)
        hits += np.bincount(receivers, minlength=net.n)
    assert hits[4] == 0
    others = np.delete(hits, 4)
    # each other node is reached Binomial(draws, prob) times
    assert np.all(np.abs(others - draws * prob) < 4 * math.sqrt(draws * prob * (1 - prob)))


@pytest.mark.parametrize("name", WOM_NETWORKS)
def test_sample_contacts_is_deterministic_and_handles_no_senders(name: str) -> None:
    net = NETWORKS[name]()
    senders = np.arange(net.n)
    first = net.sample_contacts(senders, 0.4, rng(8))
    second = net.sample_contacts(senders, 0.4, rng(8))
    other = net.sample_contacts(senders, 0.4, rng(9))
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    if first[0].size > 3:
        assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
    which, receivers = net.sample_contacts(np.array([], dtype=np.int64), 0.4, rng(8))
    assert which.size == 0 and receivers.size == 0 and which.dtype == np.int64


def test_sample_contacts_rejects_bad_arguments() -> None:
    net = build_network("ring_lattice", 10, rng(), mean_degree=2)
    with pytest.raises(ValueError, match="senders"):
        net.sample_contacts(np.array([10]), 0.5, rng())
    with pytest.raises(ValueError, match="senders"):
        net.sample_contacts(np.array([-1]), 0.5, rng())
    with pytest.raises(ValueError, match="prob"):
        net.sample_contacts(np.array([1]), 1.5, rng())
    with pytest.raises(ValueError, match="prob"):
        net.sample_contacts(np.array([1, 2]), np.array([0.5]), rng())
    with pytest.raises(ValueError, match="prob"):
        net.sample_contacts(np.array([1]), np.array([np.nan]), rng())


# --------------------------------------------------------------------------------------------
# networkx round trip
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NETWORKS)
def test_to_networkx_round_trip(name: str) -> None:
    net = NETWORKS[name]()
    graph = net.to_networkx()
    assert sorted(graph.nodes) == list(range(net.n))  # isolated nodes included
    assert graph.number_of_edges() == net.n_edges
    assert np.array_equal(nx.to_numpy_array(graph, nodelist=range(net.n)), dense(net))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("foo", 10), {}, "network kind 'foo' is not one of watts_strogatz, barabasi_albert"),
        (("watts_strogatz", 1), {}, "n=1 must be an integer >= 2"),
        (("watts_strogatz", 10.5), {}, "n=10.5 must be an integer"),
        (("watts_strogatz", 10), {"mean_degree": 0}, "mean_degree=0 must be > 0 and < n"),
        (("erdos_renyi", 10), {"mean_degree": -2.0}, "mean_degree=-2.0 must be > 0"),
        (
            ("barabasi_albert", 10),
            {"mean_degree": 10},
            "mean_degree=10 must be .* at most n - 1 = 9",
        ),
        (("ring_lattice", 10), {"mean_degree": float("nan")}, "mean_degree=nan"),
        (
            ("watts_strogatz", 10),
            {"mean_degree": 2, "rewire_prob": -0.1},
            r"rewire_prob=-0.1 .*\[0, 1\]",
        ),
        (("watts_strogatz", 10), {"mean_degree": 2, "rewire_prob": 1.5}, "rewire_prob=1.5"),
    ],
)
def test_bad_inputs_raise_value_errors_naming_the_parameter(args, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_network(*args, rng(), **kwargs)


def test_complete_ignores_mean_degree_and_rng_must_be_a_generator() -> None:
    assert build_network("complete", 5, rng(), mean_degree=50).mean_degree == 4
    with pytest.raises(TypeError, match="rng"):
        build_network("ring_lattice", 10, 42, mean_degree=2)
