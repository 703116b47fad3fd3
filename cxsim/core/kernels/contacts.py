"""Word of mouth on a sparse network: :meth:`cxsim.core.network.SocialNetwork.sample_contacts`
and the delivery of the messages to the inboxes, in one pass over the senders' contacts."""

from __future__ import annotations

import numpy as np

from cxsim.core.kernels.jit import jit


@jit
def total_degree(indptr: np.ndarray, senders: np.ndarray) -> int:
    """Number of contacts of ``senders`` together (one uniform draw each)."""
    total = 0
    for s in senders:
        total += indptr[s + 1] - indptr[s]
    return total


@jit
def deliver(
    indptr: np.ndarray,
    indices: np.ndarray,
    senders: np.ndarray,
    about: np.ndarray,
    delight: np.ndarray,
    u: np.ndarray,
    reach: float,
    inbox: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each sender reaches each contact with probability ``reach``; every message is counted in
    ``inbox`` (the flat row-major (n, F) table of messages heard next week) under its firm.

    Draws are used as the NumPy path uses them (``_sample_csr``): one per contact, senders in
    order, each sender's contacts in CSR order, a message where ``u < reach``.

    Senders are scattered over the population, so nearly every read here misses the cache. The
    work is done in passes, as NumPy's gathers do it: first every sender's row bounds, then the
    draws (which touch no network memory), then the receivers of the messages kept, then the
    inboxes. In each pass the reads do not depend on one another, so the processor keeps many
    misses in flight; one pass per sender, following row bounds to contacts to inboxes, would
    wait for each miss in turn (about four times slower at a million customers).

    Args:
        indptr, indices: the network's CSR arrays.
        senders: (s,) node ids of the senders; ``about``: (s,) the firm each talks about.
        delight: (s,) bool, senders talking because they were delighted (empty: none).
        u: (total_degree(senders),) uniform draws (the ``word_of_mouth`` stream).
        reach: probability that a sender reaches one contact.
        inbox: flat int32 (n·F,) message counts, updated in place.

    Returns:
        ``(messages, delighted)``: messages per firm, and of them those from delighted senders.
    """
    n_firms = inbox.size // (indptr.size - 1)
    m = senders.size
    start = np.empty(m, dtype=np.int64)
    degree = np.empty(m, dtype=np.int64)
    for i in range(m):
        s = senders[i]
        start[i] = indptr[s]
        degree[i] = indptr[s + 1] - start[i]
    position = np.empty(u.size + 1, dtype=np.int64)
    sender = np.empty(u.size + 1, dtype=np.int64)
    kept = 0
    t = 0
    for i in range(m):
        first = start[i]
        for e in range(degree[i]):
            position[kept] = first + e  # kept only where the draw says so
            sender[kept] = i
            kept += u[t] < reach
            t += 1
    receiver = np.empty(kept, dtype=np.int64)
    for c in range(kept):
        receiver[c] = indices[position[c]]
    messages = np.zeros(n_firms, dtype=np.int64)
    delighted = np.zeros(n_firms, dtype=np.int64)
    flagged = delight.size > 0
    for c in range(kept):
        i = sender[c]
        f = about[i]
        inbox[receiver[c] * n_firms + f] += 1
        messages[f] += 1
        if flagged:
            delighted[f] += delight[i]
    return messages, delighted


@jit
def mailed(positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """Positions (row-major, in order) of the (customer, firm) entries with a message waiting:
    ``np.flatnonzero((positive > 0) | (negative > 0))`` in one pass without branches."""
    pos = positive.ravel()
    neg = negative.ravel()
    out = np.empty(pos.size + 1, dtype=np.int64)
    k = 0
    for p in range(pos.size):
        out[k] = p
        k += (pos[p] > 0) | (neg[p] > 0)
    return out[:k]
