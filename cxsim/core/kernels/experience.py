"""A purchase and its consequences: the rules of :meth:`cxsim.core.model.Market._experience`
(experience, disconfirmation, felt satisfaction, trust, expectations, the standard, what the
firm learns, the basket, the ladder, who talks and who is disappointed) in one pass over the
purchases, with the week's books added up on the way."""

from __future__ import annotations

import math

import numpy as np

from cxsim.core.kernels.jit import jit
from cxsim.core.rules import ADVOCATE, BUYER, CLIENT, LOST, PROSPECT, REPEAT

#: Rows of the ``firm`` table :func:`experience` takes (one column per firm).
FIRM_ROWS: tuple[str, ...] = (
    "quality",
    "service",  # service + access, quality units
    "position",
    "learning",
    "consistency",
    "price",
    "unit_cost",
    "promotion",
    "loyalty",
)
#: Entries of the ``params`` vector :func:`experience` takes.
PARAMS: tuple[str, ...] = (
    "experience_noise",
    "mismatch_noise",
    "mismatch_weight",
    "loss_aversion",
    "trust_tolerance",
    "trust_gain",
    "trust_loss",
    "expectation_up",
    "expectation_down",
    "week",
    "spend_shape",
    "serve_cost",  # the lever parameter: cost per quality unit of service delivered
    "delight_margin",
    "disappointment_margin",
    "client_streak",
    "advocate_trust",
    "serious_margin",
)
#: Money and quality sums of the week's books, rows of the ``sums`` output (per firm).
SUMS: tuple[str, ...] = (
    "revenue",
    "cogs",
    "promotion_cost",
    "loyalty_cost",
    "serve_cost",
    "satisfaction_sum",
    "expectation_sum",
    "experienced_sum",
)
#: Event counts of the week's books, rows of the ``counts`` output (per firm).
COUNTS: tuple[str, ...] = (
    "purchases",
    "new",
    "first_purchases",
    "won_back",
    "delighted",
    "disappointed",
)
#: Bits of the ``flags`` output, one byte per purchase.
DELIGHTED, DISAPPOINTED, PRAISING, SERIOUS = 1, 2, 4, 8


@jit
def experience(
    rows: np.ndarray,
    firm_of: np.ndarray,
    z: np.ndarray,
    gamma: np.ndarray,
    need: np.ndarray,
    usual_basket: np.ndarray,
    last_firm: np.ndarray,
    knowledge: np.ndarray,
    standard: np.ndarray,
    trust: np.ndarray,
    expectation: np.ndarray,
    satisfaction: np.ndarray,
    last_purchase: np.ndarray,
    stage: np.ndarray,
    purchases: np.ndarray,
    streak: np.ndarray,
    firm: np.ndarray,
    params: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Purchases of customers ``rows`` from firms ``firm_of``: update their (n, F) entries in
    place and return what the rest of the week needs.

    Args:
        rows, firm_of: (k,) the buyers (each row at most once) and the firm each buys from.
        z: (k,) standard normal draws (the ``experience`` stream).
        gamma: (k,) standard gamma draws of shape ``spend_shape`` (the ``spend`` stream);
            unused (may be empty) when the shape is infinite.
        need, usual_basket, last_firm: (n,) customer columns.
        knowledge … streak: (n, F) tables, updated in place (``last_purchase`` is float32).
        firm: (len(FIRM_ROWS), F) firm values, rows as :data:`FIRM_ROWS`.
        params: the scalars of :data:`PARAMS`.

    Returns:
        ``(felt, trust_before, trust_after, amount, flags, sums, counts)``: per purchase the felt
        satisfaction (quality units), trust before and after, what was paid (currency) and the
        bits :data:`DELIGHTED`, :data:`DISAPPOINTED`, :data:`PRAISING` (talks: delighted, or an
        advocate whose expectation was met), :data:`SERIOUS` (tells bad news); per firm the
        sums of :data:`SUMS` (added in purchase order, as ``np.bincount`` adds its weights) and
        the counts of :data:`COUNTS`.
    """
    k = rows.size
    n_firms = stage.shape[1]
    base_sd, mismatch_noise, mismatch_weight = params[0], params[1], params[2]
    loss_aversion, tolerance, gain, loss = params[3], params[4], params[5], params[6]
    rate_up, rate_down, week, shape = params[7], params[8], params[9], params[10]
    serve_cost, delight, disappointment = params[11], params[12], params[13]
    client_streak, advocate_trust, serious = params[14], params[15], params[16]
    week32 = np.float32(week)
    varies = math.isfinite(shape)
    felt_out = np.empty(k)
    before_out = np.empty(k)
    after_out = np.empty(k)
    amount_out = np.empty(k)
    flags = np.empty(k, dtype=np.uint8)
    sums = np.zeros((len(SUMS), n_firms))
    counts = np.zeros((len(COUNTS), n_firms), dtype=np.int64)
    for i in range(k):
        r = rows[i]
        f = firm_of[i]
        quality, service, position = firm[0, f], firm[1, f], firm[2, f]
        learning, consistency = firm[3, f], firm[4, f]
        know = knowledge[r, f]
        distance = abs(need[r] - position)
        # experience_spread, experienced_quality
        spread = base_sd * (1.0 - consistency) + mismatch_noise * ((1.0 - know) * distance)
        experienced = quality + service - mismatch_weight * (1.0 - know) * distance + spread * z[i]
        expected = standard[r, f]
        d = experienced - expected  # disconfirmation
        felt = d if d >= 0.0 else loss_aversion * d  # satisfaction
        before = trust[r, f]
        after = before + gain * (1.0 - before) if d >= -tolerance else before * (1.0 - loss)
        trust[r, f] = after
        old = expectation[r, f]
        gap = experienced - old
        predicted = old + (rate_up if gap > 0.0 else rate_down) * gap  # adapt_expectation
        expectation[r, f] = predicted
        # raise_standard: np.maximum (nan if either is nan)
        if expected != expected or predicted != predicted:
            standard[r, f] = math.nan
        else:
            standard[r, f] = expected if expected >= predicted else predicted
        knowledge[r, f] = know + learning * (1.0 - know)  # learn_customer
        satisfaction[r, f] = felt
        last_purchase[r, f] = week32
        last_firm[r] = f
        basket = usual_basket[r] * gamma[i] / shape if varies else usual_basket[r]
        amount = firm[5, f] * basket
        old_stage = stage[r, f]
        newcomer = (old_stage == PROSPECT) | (old_stage == LOST)
        # below, flags and stages are computed as values, not branches: which way a purchase
        # goes is random, and a mispredicted branch costs more than the arithmetic of both ways
        sums[0, f] += amount
        sums[1, f] += firm[6, f] * basket
        sums[2, f] += firm[7, f] * amount if newcomer else 0.0
        sums[3, f] += 0.0 if newcomer else firm[8, f] * amount
        sums[4, f] += serve_cost * service
        sums[5, f] += felt
        sums[6, f] += expected
        sums[7, f] += experienced
        bought = 1 if newcomer else purchases[r, f] + 1
        run = 1 if newcomer else streak[r, f] + 1
        purchases[r, f] = bought
        streak[r, f] = run
        # ladder_after_purchase
        climbed = CLIENT if run >= client_streak else REPEAT
        loyal = (old_stage == REPEAT) | (old_stage == CLIENT) | (old_stage == ADVOCATE)
        new_stage = climbed if loyal else old_stage
        new_stage = REPEAT if old_stage == BUYER else new_stage
        new_stage = BUYER if newcomer else new_stage
        new_stage = ADVOCATE if (new_stage == CLIENT) & (after >= advocate_trust) else new_stage
        stage[r, f] = new_stage
        delighted = felt > delight
        disappointed = felt < -disappointment
        praising = delighted | ((new_stage == ADVOCATE) & (d >= -tolerance))
        flags[i] = (
            delighted * DELIGHTED
            + disappointed * DISAPPOINTED
            + praising * PRAISING
            + (felt < -serious) * SERIOUS
        )
        counts[0, f] += 1
        counts[1, f] += newcomer
        counts[2, f] += old_stage == PROSPECT
        counts[3, f] += old_stage == LOST
        counts[4, f] += delighted
        counts[5, f] += disappointed
        felt_out[i] = felt
        before_out[i] = before
        after_out[i] = after
        amount_out[i] = amount
    return felt_out, before_out, after_out, amount_out, flags, sums, counts
