"""Behavioural rules: pure functions of arrays.

Every rule of the weekly cycle lives here as a function of NumPy arrays and scalars. None of them
reads the model, draws random numbers on its own or keeps state: random draws come in as uniform
numbers ``u`` in [0, 1), so a rule can be tested alone, swapped for another theory, or read in a
class. Arrays are usually shaped ``(n,)`` (one row per customer) or ``(n, F)`` (customer × firm).

Units used throughout
---------------------
* **quality** is a perceived-value scale on which one unit is roughly one step on a 10-point
  satisfaction rating; expectations, experiences and disconfirmation share it;
* **trust** is a probability-like belief in [0, 1] that the firm will deliver;
* **rates** are per week unless the name says ``per_year``; ``dt`` is the step length in weeks;
* **money** is in currency units.
"""

from __future__ import annotations

import numpy as np

# Loyalty ladder stages (Raphel & Raphel 1995, "Up the Loyalty Ladder"), per customer and firm.
PROSPECT, BUYER, REPEAT, CLIENT, ADVOCATE, LOST = 0, 1, 2, 3, 4, 5
STAGES: tuple[str, ...] = ("prospect", "buyer", "repeat", "client", "advocate", "lost")
ACTIVE_STAGES: tuple[int, ...] = (BUYER, REPEAT, CLIENT, ADVOCATE)


def hazard_to_probability(rate: np.ndarray | float, dt: float) -> np.ndarray | float:
    """Probability that an event with constant hazard ``rate`` (per unit time) occurs within ``dt``.

    ``1 - exp(-rate * dt)``: the exact discretisation of a Poisson process, so results converge as
    the step shrinks instead of depending on it (Rand & Rust 2011 ask for step-size robustness).
    An infinite rate gives probability 1.
    """
    return -np.expm1(-np.asarray(rate, dtype=float) * dt)


# --------------------------------------------------------------------------------------------
# Needs and choice
# --------------------------------------------------------------------------------------------


def needs_in_step(need_rate: np.ndarray, dt: float, u: np.ndarray) -> np.ndarray:
    """How many needs (purchase occasions) each customer has this step.

    Needs arrive as a Poisson process at the customer's own rate (the NBD model of purchase
    frequency, Ehrenberg 1959; the purchase side of the Pareto/NBD and BG/NBD, Schmittlein,
    Morrison & Colombo 1987, Fader, Hardie & Lee 2005), so the count in a step of ``dt`` weeks is
    Poisson with mean ``need_rate·dt``: several needs can fall in one step, and the number of needs
    over a period does not depend on the step length.

    Args:
        need_rate: needs per week per customer.
        dt: step length in weeks.
        u: one uniform draw in [0, 1) per customer: the count is the Poisson quantile at ``u``
            (inverse transform), so ``u < exp(−need_rate·dt)`` means no need.

    Returns:
        Integer counts, same shape as ``need_rate``.
    """
    mean, u = np.broadcast_arrays(np.asarray(need_rate, dtype=float) * dt, np.asarray(u, float))
    shape, mean, u = mean.shape, mean.ravel(), u.ravel()
    count = np.zeros(mean.size, dtype=np.int64)
    infinite = ~np.isfinite(mean)
    count[infinite] = 1  # an infinite rate: a need at every step (the docking configurations)
    mass = np.exp(-np.where(infinite, 0.0, mean))  # P(K = k), from k = 0
    cdf = mass.copy()  # P(K <= k)
    more = np.flatnonzero((u >= cdf) & ~infinite)
    k = 0
    while more.size:  # one pass per possible count: rarely more than two or three
        k += 1
        count[more] = k
        mass[more] *= mean[more] / k
        cdf[more] += mass[more]
        # done where the quantile is reached (or where the tail underflows)
        more = more[(u[more] >= cdf[more]) & (mass[more] > 0.0)]
    return count.reshape(shape)


def choice_utility(
    expectation: np.ndarray,
    trust: np.ndarray,
    price: np.ndarray,
    bonus: np.ndarray,
    satisfaction: np.ndarray,
    *,
    quality_weight: float,
    trust_weight: float,
    satisfaction_weight: float,
    price_sensitivity: np.ndarray | float,
) -> np.ndarray:
    """Deterministic utility of buying from each firm (random-utility choice, McFadden 1974).

    ``V = quality_weight·predicted quality + trust_weight·trust
    + satisfaction_weight·last felt satisfaction − price_sensitivity·price + bonus``.
    The predicted quality is the customer's "will" expectation of that firm (Boulding, Kalra,
    Staelin & Zeithaml 1993): what it thinks the firm will deliver, not the standard it judges
    the firm by; trust weighs the belief that the firm will deliver it; ``bonus`` carries
    promotions, loyalty rewards and habit. The last felt satisfaction with the firm
    (:func:`satisfaction`, loss-averse: a shortfall counts ``loss_aversion`` times an equal
    surplus) enters repurchase directly, so a loss moves the odds of coming back more than a gain
    of the same size (Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998). ``nan`` (no
    experience with the firm yet) counts as zero.

    Args:
        expectation: (m, F) predicted ("will") quality per customer and firm.
        trust: (m, F) trust in [0, 1].
        price: (F,) price per purchase (currency).
        bonus: (m, F) additive utility from firm actions.
        satisfaction: (m, F) felt satisfaction of the last experience with each firm (quality
            units, ``nan``: none yet).
        quality_weight: utility per quality unit.
        trust_weight: utility of full trust over none.
        satisfaction_weight: utility per quality unit of felt satisfaction.
        price_sensitivity: utility per currency unit, scalar or (m, 1).
    """
    utility = (
        quality_weight * expectation
        + trust_weight * trust
        - np.asarray(price_sensitivity) * price[np.newaxis, :]
        + bonus
    )
    if satisfaction_weight:
        utility = utility + satisfaction_weight * np.where(
            np.isnan(satisfaction), 0.0, satisfaction
        )
    return utility


def logit_choice(
    utility: np.ndarray, available: np.ndarray, outside_utility: float, u: np.ndarray
) -> np.ndarray:
    """Multinomial-logit choice among the firms a customer considers, or the outside option.

    Probabilities are ``exp(V_f) / (exp(V_0) + Σ_available exp(V_g))`` (McFadden 1974); the outside
    option (buy nothing, or from the unmodelled rest of the market) has utility ``outside_utility``
    (``-inf`` switches it off). Firms the customer does not consider have probability zero.

    Args:
        utility: (m, F) deterministic utilities.
        available: (m, F) bool, firms in each customer's consideration set.
        outside_utility: utility of not buying from any modelled firm.
        u: (m,) uniform draws.

    Returns:
        (m,) int index of the chosen firm, ``-1`` for the outside option.
    """
    m, n_firms = utility.shape
    if m == 0:
        return np.empty(0, dtype=np.int64)
    v = np.where(available, utility, -np.inf)
    if n_firms > 8:  # the column loop below sums in NumPy's row order only up to 8 columns
        top = np.maximum(v.max(axis=1), outside_utility)
        top = np.where(np.isfinite(top), top, 0.0)
        w = np.exp(v - top[:, None])
        w0 = np.exp(outside_utility - top) if np.isfinite(outside_utility) else np.zeros(m)
        total = w0 + w.sum(axis=1)
        cum = np.cumsum(w, axis=1)
        # first firm whose cumulative weight passes the threshold; none: the outside option
        chosen = (cum <= (u * total)[:, None]).sum(axis=1)
        return np.where((chosen >= n_firms) | (total <= 0), -1, chosen).astype(np.int64)
    # the same, column by column: several times faster on the usual few-firm tables
    cols = [v[:, j] for j in range(n_firms)]
    top = cols[0]
    for col in cols[1:]:
        top = np.maximum(top, col)
    top = np.maximum(top, outside_utility)
    top = np.where(np.isfinite(top), top, 0.0)
    w = [np.exp(col - top) for col in cols]
    w0 = np.exp(outside_utility - top) if np.isfinite(outside_utility) else np.zeros(m)
    rest = w[1] if n_firms > 1 else 0.0
    for col in w[2:]:
        rest = rest + col
    total = w0 + (w[0] + rest)
    threshold = u * total
    chosen = np.zeros(m, dtype=np.int64)
    cum = w[0]
    for j in range(n_firms):
        if j:
            cum = cum + w[j]
        chosen += cum <= threshold
    return np.where((chosen >= n_firms) | (total <= 0), -1, chosen)


# --------------------------------------------------------------------------------------------
# Experience, disconfirmation, expectations and trust
# --------------------------------------------------------------------------------------------


def experienced_quality(
    quality: np.ndarray | float,
    service: np.ndarray | float,
    need: np.ndarray,
    position: np.ndarray | float,
    knowledge: np.ndarray,
    *,
    mismatch_weight: float,
    noise: np.ndarray,
) -> np.ndarray:
    """Quality a customer experiences in one purchase.

    ``X = quality + service − mismatch_weight·(1 − knowledge)·|need − position| + noise``.

    The firm's offer sits at ``position`` in the space of needs; a customer whose need is far from
    it gets less from a uniform offer. What the firm knows about that customer (``knowledge`` in
    [0, 1]) tailors the offer toward the customer's own need: treating each customer as *that*
    customer expects (Peppers & Rogers 1993, one-to-one marketing), so personalization removes a
    share of the mismatch while uniform treatment leaves all of it.

    Args:
        quality: firm's core product quality (quality units).
        service: service, access and response level added to every experience (quality units).
        need: customer's ideal point in the needs space.
        position: firm's standard offer in the same space.
        knowledge: [0, 1] how well the firm knows this customer.
        mismatch_weight: quality units lost per unit distance between need and offer.
        noise: per-experience variation (quality units), already scaled.
    """
    mismatch = mismatch_weight * (1.0 - knowledge) * np.abs(need - position)
    return quality + service - mismatch + noise


def experience_spread(
    base_sd: float,
    consistency: np.ndarray | float,
    need: np.ndarray,
    position: np.ndarray | float,
    knowledge: np.ndarray,
    *,
    mismatch_noise: float,
) -> np.ndarray:
    """Standard deviation of one experience (quality units).

    ``sd = base_sd·(1 − consistency) + mismatch_noise·(1 − knowledge)·|need − position|``.
    Service processes make delivery constant (``consistency`` in [0, 1], trust needs constancy);
    a standard offer far from what a customer needs is hit and miss — sometimes it fits the
    occasion, often it does not — so the spread grows with the mismatch the firm has not yet
    learned away. Treating each customer as that customer expects makes experiences both better
    and more reliable for customers unlike the average (Peppers & Rogers 1993).
    """
    mismatch = (1.0 - knowledge) * np.abs(need - position)
    return base_sd * (1.0 - np.asarray(consistency)) + mismatch_noise * mismatch


def basket_size(usual: np.ndarray, shape: float, gamma_draws: np.ndarray | None) -> np.ndarray:
    """Units bought in a purchase: around the customer's usual basket, varying from visit to visit.

    The gamma–gamma spend model (Colombo & Jiang 1999; Fader, Hardie & Lee 2005, "RFM and CLV"):
    a customer's spend per transaction is gamma with shape ``shape`` (p) around the customer's own
    mean ``usual``; customers' means differ (drawn once, :meth:`cxsim.core.customers.CustomerTable
    .create`). With ``shape`` infinite every purchase is the usual basket.

    Args:
        usual: the customers' usual baskets (units; they average 1 over customers).
        shape: gamma shape p of the visit-to-visit variation (``inf``: none).
        gamma_draws: standard gamma draws with shape ``shape``, one per purchase (unused, and may
            be ``None``, when ``shape`` is infinite).
    """
    usual = np.asarray(usual, dtype=float)
    if not np.isfinite(shape):
        return usual
    return usual * np.asarray(gamma_draws, dtype=float) / shape


def disconfirmation(experienced: np.ndarray, standard: np.ndarray) -> np.ndarray:
    """Expectation–disconfirmation (Oliver 1980): experienced quality minus the standard.

    The standard is the customer's normative "should" expectation of the firm (Boulding, Kalra,
    Staelin & Zeithaml 1993), not its prediction: what the firm ought to deliver. Positive:
    the standard exceeded; zero: met (taken for granted); negative: missed.
    """
    return experienced - standard


def satisfaction(disconf: np.ndarray, loss_aversion: float) -> np.ndarray:
    """Felt (dis)satisfaction from a disconfirmation, with losses weighted more than gains.

    ``s = d`` for ``d ≥ 0`` and ``s = loss_aversion·d`` for ``d < 0``: prospect theory's loss
    aversion (Kahneman & Tversky 1979; the estimate λ ≈ 2.25 is Tversky & Kahneman 1992), found in
    satisfaction and repurchase by Anderson & Sullivan (1993) and Mittal, Ross & Baldasare (1998):
    a shortfall hurts more than an equal surplus pleases. The felt value is what acts: it enters
    repurchase utility (:func:`choice_utility`), decides who is delighted or disappointed and who
    tells others (:func:`word_of_mouth_senders`, :func:`bad_news_senders`), and its shortfall is
    the grudge (:func:`add_grudge`).
    """
    return np.where(disconf >= 0.0, disconf, loss_aversion * disconf)


def adapt_expectation(
    expectation: np.ndarray, experienced: np.ndarray, rate_up: float, rate_down: float
) -> np.ndarray:
    """The predicted ("will") quality moves toward experience, up faster than it comes down.

    ``E' = E + α·(X − E)`` with ``α = rate_up`` when ``X > E`` and ``rate_down`` otherwise (adaptive
    expectations; Helson 1964 adaptation level; asymmetric updating as in Kopalle & Lehmann 2001).
    At constant quality the gap closes geometrically with half-life ``ln 2 / −ln(1 − α)``
    purchases. This is the customer's prediction, used in choice (Boulding, Kalra, Staelin &
    Zeithaml 1993, "will" expectations); the standard experience is judged against follows it
    upward (:func:`raise_standard`).
    """
    gap = experienced - expectation
    return expectation + np.where(gap > 0.0, rate_up, rate_down) * gap


def raise_standard(standard: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """The normative ("should") standard rises when experience exceeds it, and never falls.

    ``S' = max(S, W')`` with ``W'`` the predicted ("will") quality just updated by the experience
    (:func:`adapt_expectation`). Boulding, Kalra, Staelin & Zeithaml (1993): should expectations
    are raised by experiences that exceed them and are not lowered by worse ones, while will
    expectations follow experience both ways. Comparing with the updated prediction rather than
    one raw experience lets experiences that keep exceeding the standard raise it, without one
    lucky draw ratcheting it up. What delighted yesterday is taken for granted tomorrow; what
    disappointed stays a disappointment until the firm does better.
    """
    return np.maximum(standard, predicted)


def update_trust(
    trust: np.ndarray, disconf: np.ndarray, *, tolerance: float, gain: float, loss: float
) -> np.ndarray:
    """Trust is slow to win and quick to lose.

    A met or exceeded expectation (``d ≥ −tolerance``) moves trust a small step toward 1
    (``T + gain·(1 − T)``); a miss cuts it by a large share (``T − loss·T``). With ``loss`` several
    times ``gain`` one miss undoes several hits: the trust asymmetry principle (Slovic 1993);
    negative information weighs 2–5× positive (Baumeister et al. 2001).
    """
    met = disconf >= -tolerance
    return np.where(met, trust + gain * (1.0 - trust), trust * (1.0 - loss))


def hits_to_recover(start: float, gain: float, loss: float) -> int:
    """Number of met expectations needed to climb back to ``start`` after one miss.

    A closed form for the trust rule above, used to check it: after a miss trust is
    ``start·(1 − loss)``; each hit multiplies the distance to 1 by ``(1 − gain)``.
    """
    if not 0.0 < gain < 1.0:
        raise ValueError(f"gain={gain} must be in (0, 1)")
    if not 0.0 <= start < 1.0:
        raise ValueError(
            f"start={start} must be in [0, 1): from full trust a miss is never fully recovered"
        )
    distance_after = 1.0 - start * (1.0 - loss)
    target = 1.0 - start
    if distance_after <= target:
        return 0
    return int(np.ceil(np.log(target / distance_after) / np.log(1.0 - gain) - 1e-12))


# --------------------------------------------------------------------------------------------
# Word of mouth
# --------------------------------------------------------------------------------------------


def word_of_mouth_senders(
    felt: np.ndarray, delight_margin: float, disappointment_margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """Delighted (``s > delight_margin``, the "WoW") and disappointed (``s < −disappointment_margin``)
    experiences, judged on felt satisfaction ``s`` (:func:`satisfaction`).

    Meeting expectations earns no talk; only exceeding them by a margin does (Oliver, Rust &
    Varki 1997, customer delight): the delighted praise the firm to their contacts. The
    disappointed are the ones who may complain and who carry a grudge; of them, only the seriously
    disappointed (:func:`bad_news_senders`) tell their contacts. Judged on felt satisfaction, a
    shortfall counts ``loss_aversion`` times: the margins are in felt units (for a shortfall,
    ``disappointment_margin / loss_aversion`` of disconfirmation). Returns two boolean masks.
    """
    return felt > delight_margin, felt < -disappointment_margin


def bad_news_senders(felt: np.ndarray, serious_margin: float) -> np.ndarray:
    """Who spreads bad news: customers seriously let down (felt satisfaction ``s < −serious_margin``).

    Mild disappointments are felt (trust, grudge) but rarely broadcast; extreme dissatisfaction is
    what customers talk about (Anderson 1998), and it travels further than praise (the reach
    parameters), so a few such customers can cost a disproportionate share of value
    (Goldenberg, Libai, Moldovan & Muller 2007).
    """
    return felt < -serious_margin


def hear_word_of_mouth(
    trust: np.ndarray,
    expectation: np.ndarray,
    positive: np.ndarray,
    negative: np.ndarray,
    *,
    trust_gain: float,
    trust_loss: float,
    hype: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Update trust and the predicted quality from messages heard about a firm.

    Each positive message moves trust ``trust_gain`` of the way to 1 and raises the predicted
    ("will") quality by ``hype`` quality units (praise raises what the listener thinks the firm
    will deliver, Boulding, Kalra, Staelin & Zeithaml 1993; once a purchase confirms it, the
    standard follows, :func:`raise_standard`); each negative message cuts trust by a share
    ``trust_loss``. ``positive`` and ``negative`` are message counts. Whether messages also win
    or cost consideration depends on the model's account of influence (``customers.influence``).

    Returns:
        (trust, expectation) after hearing.
    """
    trust = 1.0 - (1.0 - trust) * (1.0 - trust_gain) ** positive
    trust = trust * (1.0 - trust_loss) ** negative
    return trust, expectation + hype * positive


def awareness_probability(
    external_per_year: np.ndarray | float,
    social_per_year: float,
    share_of_contacts: np.ndarray,
    dt_years: float,
    reach: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Probability that a customer who does not consider a firm starts to, this step.

    A Bass (1969) hazard: ``1 − exp(−(p + q·share)·dt)``, with ``p`` the external influence
    (advertising reach, per year), ``q`` the internal influence (per year) and ``share`` the share
    of the customer's *own* contacts who are customers of the firm. With a complete network and
    immediate purchase this reproduces the Bass curve as ``dt → 0``; on sparse networks adoption
    stays below it (Fibich & Gibori 2010). ``reach`` scales the hazard per customer: a lost
    customer is harder to win back than a prospect is to win (Thomas, Blattberg & Fox 2004).
    """
    rate = np.asarray(external_per_year) + social_per_year * share_of_contacts
    if not (np.isscalar(reach) and reach == 1.0):
        rate = rate * reach
    return hazard_to_probability(rate, dt_years)


# --------------------------------------------------------------------------------------------
# Complaints and recovery
# --------------------------------------------------------------------------------------------


def complaint_probability(
    felt: np.ndarray,
    *,
    voice_minor: float,
    voice_serious: float,
    serious_margin: float,
    solicitation: float | np.ndarray,
) -> np.ndarray:
    """Probability that a dissatisfied customer tells the firm.

    Most unhappy customers never complain: TARP (1986) found about 1 in 26 voice a small problem,
    about half a serious one to front-line staff. A firm that asks for feedback turns part of the
    silence into voice: ``p = base + (1 − base)·solicitation``, ``base = voice_serious`` when
    ``s < −serious_margin`` and ``voice_minor`` otherwise, ``s`` the felt satisfaction (the same
    test as :func:`bad_news_senders`). Only call it for dissatisfied customers.
    """
    base = np.where(felt < -serious_margin, voice_serious, voice_minor)
    return base + (1.0 - base) * solicitation


def resolution_probability(
    pending: np.ndarray | float,
    capacity: np.ndarray | float,
    speed: np.ndarray | float,
    dt: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Probability that a waiting complaint is resolved within a step of ``dt`` weeks (``dt``
    may be one value per complaint: the part of the step it has been open).

    Each waiting complaint is settled with weekly probability ``speed`` while the firm has
    room, and the firm settles at most ``capacity`` complaints in the step (``capacity`` is
    already per step: resolutions per week × dt): ``p = min(1 − (1 − speed)^dt, capacity /
    pending)``. So the expected number settled, ``pending·p``, never exceeds the capacity, and
    when capacity binds the firm settles ``capacity`` complaints per step, the same number per
    week at any step length. (A product of the two factors instead would settle ``speed·
    capacity`` when capacity binds at a weekly step but only ``(1 − (1 − speed)^dt)/dt·capacity``
    a week at a shorter step: a quarter as many at a daily step for speed 0.8.)
    """
    pending = np.asarray(pending, dtype=float)
    ratio = np.divide(capacity, pending, out=np.ones_like(pending), where=pending > 0)
    per_step = 1.0 - (1.0 - np.asarray(speed, dtype=float)) ** dt
    return np.minimum(per_step, ratio)


def recovery_share(
    weeks_waited: np.ndarray, max_share: float, half_life_weeks: float
) -> np.ndarray:
    """Share of the trust lost by the incident, and of the grudge, that a resolved complaint repairs.

    Service recovery works best when fast: customers who are heard, understood and compensated
    quickly come back more often than those left waiting (Hart, Heskett & Sasser 1990;
    Smith & Bolton 1998). The share halves every ``half_life_weeks`` of waiting.
    """
    return max_share * 0.5 ** (np.asarray(weeks_waited, dtype=float) / half_life_weeks)


def apply_recovery(
    trust: np.ndarray,
    grudge: np.ndarray,
    share: np.ndarray,
    before: np.ndarray,
    lost: np.ndarray,
    *,
    paradox: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A resolved complaint gives back ``share`` of the trust its incident cost, and dissolves
    ``share`` of the grudge.

    ``T' = max(T, min(T + share·(1 + paradox)·lost, before + paradox·lost, 1))``, ``G' = G·(1 −
    share)``: ``before`` is the trust just before the purchase that was complained about and
    ``lost`` what that purchase's experience took from it (both recorded when the complaint was
    lodged). ``paradox`` is the share of the lost trust a resolution may add on top of the
    repair: the service recovery paradox, in which a well-recovered customer ends up more loyal
    than before the failure (Hart, Heskett & Sasser 1990). Its meta-analysis (de Matos, Henrique &
    Rossi 2007, J. Service Research) finds the paradox in satisfaction but not in repurchase
    intention, word of mouth or image, so for trust (which drives repurchase here) the default is
    0. A repair never takes trust above its level before the incident plus ``paradox·lost`` (nor
    above 1), and never lowers it (trust regained since the incident is kept).
    """
    trust = np.asarray(trust, dtype=float)
    lost = np.maximum(0.0, np.asarray(lost, dtype=float))
    ceiling = np.minimum(1.0, np.asarray(before, dtype=float) + paradox * lost)
    repaired = np.minimum(trust + share * (1.0 + paradox) * lost, ceiling)
    return np.maximum(trust, repaired), grudge * (1.0 - share)


def repair_satisfaction(felt: np.ndarray, share: np.ndarray) -> np.ndarray:
    """A resolved complaint repairs ``share`` of the felt shortfall that the customer carries
    into the next choice: ``S' = S + share·max(0, −S)``.

    ``S`` is the felt satisfaction with the firm's last experience (the column that enters
    choice, Anderson & Sullivan 1993). Recovery raises satisfaction (de Matos, Henrique & Rossi
    2007, J. Service Research); since this satisfaction drives repurchase, for which the same
    meta-analysis finds no recovery paradox, the repair stops at indifference (0) and never
    touches a satisfied customer (``S ≥ 0`` is returned unchanged).
    """
    felt = np.asarray(felt, dtype=float)
    return felt + share * np.maximum(0.0, -felt)


def fade_grudge(grudge: np.ndarray, decay_per_week: float, dt: float) -> np.ndarray:
    """Unresolved dissatisfaction fades slowly: ``G·(1 − decay)^dt``."""
    return grudge * (1.0 - decay_per_week) ** dt


def add_grudge(grudge: np.ndarray, felt: np.ndarray) -> np.ndarray:
    """A disappointing experience adds its felt shortfall ``max(0, −felt)`` to the grudge (the
    model calls it for experiences beyond ``disappointment_margin``; milder shortfalls are only
    felt through trust and expectations).

    What is never voiced is never repaired: the invisible complaint keeps weighing on choice and
    on the hazard of leaving until it fades.
    """
    return grudge + np.maximum(0.0, -felt)


# --------------------------------------------------------------------------------------------
# Churn and the loyalty ladder
# --------------------------------------------------------------------------------------------


def churn_probability(
    trust: np.ndarray,
    grudge: np.ndarray,
    *,
    base_per_week: float,
    trust_floor: float,
    trust_sensitivity: float,
    grudge_sensitivity: float,
    dt: float,
    propensity: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Probability that an active customer quietly stops considering the firm this step.

    Weekly hazard ``h = base + trust_sensitivity·max(0, trust_floor − trust) + grudge_sensitivity·grudge``:
    customers leave because trust has fallen and dissatisfaction went unresolved, mostly without a
    word (Keaveney 1995 on switching; TARP 1986 on silent defection). ``propensity`` (mean 1 over
    customers) scales each customer's hazard: some customers leave far more readily than others,
    as the gamma-distributed dropout rates of the Pareto/NBD model say (Schmittlein, Morrison &
    Colombo 1987).
    """
    hazard = (
        base_per_week
        + trust_sensitivity * np.maximum(0.0, trust_floor - trust)
        + grudge_sensitivity * grudge
    )
    if not (np.isscalar(propensity) and propensity == 1.0):
        hazard = hazard * propensity
    return hazard_to_probability(hazard, dt)


def ladder_after_purchase(
    stage: np.ndarray,
    streak: np.ndarray,
    trust: np.ndarray,
    *,
    client_streak: int,
    advocate_trust: float,
) -> np.ndarray:
    """Next ladder stage of customers who just bought from the firm.

    Prospects and lost customers become buyers; a second purchase makes a repeat customer; one
    who keeps coming back whenever the need arises (``streak`` consecutive needs served, counting
    this one) is a client; a client who trusts the firm (``trust ≥ advocate_trust``) is an
    advocate, who recommends it after every experience that meets expectations; an advocate whose
    trust falls is a client again.

    Args:
        stage: current stage (before this purchase).
        streak: consecutive needs served by this firm, including this purchase.
        trust: trust after this experience.
    """
    new = stage.copy()
    new[(stage == PROSPECT) | (stage == LOST)] = BUYER
    new[stage == BUYER] = REPEAT
    climb = (stage == REPEAT) | (stage == CLIENT) | (stage == ADVOCATE)
    new[climb] = np.where(streak[climb] >= client_streak, CLIENT, REPEAT)
    new[(new == CLIENT) & (trust >= advocate_trust)] = ADVOCATE
    return new


def ladder_after_switch(stage: np.ndarray) -> np.ndarray:
    """A client or advocate who took a need elsewhere no longer 'comes back whenever': repeat."""
    return np.where((stage == CLIENT) | (stage == ADVOCATE), REPEAT, stage).astype(stage.dtype)


def learn_customer(knowledge: np.ndarray, learning: np.ndarray | float) -> np.ndarray:
    """What the firm knows about a customer after serving them once more.

    ``K' = K + learning·(1 − K)``: each purchase (and each opinion asked) reveals a share
    ``learning`` of what is still unknown, so personalization deepens with the relationship
    (Peppers & Rogers 1993; the "learning relationship" of Pine, Peppers & Rogers 1995).
    """
    return knowledge + learning * (1.0 - knowledge)


def inflate_expectations(
    expectation: np.ndarray, inflation_per_week: float, dt: float
) -> np.ndarray:
    """Market-wide rise of the standard (the "should" expectation): ``S + inflation·dt``.

    Customers compare every firm with the best experiences they have anywhere, so the bar rises
    for all firms at once, whatever each one does (expectations "rise over time"). It is the
    normative standard that rises, not the prediction of what each firm will deliver (Boulding,
    Kalra, Staelin & Zeithaml 1993): a higher bar makes the same experience disconfirm more, and
    no firm more attractive.
    """
    return expectation + inflation_per_week * dt


def imitate(quality: np.ndarray, rate_per_week: float, dt: float) -> np.ndarray:
    """Rivals close a share of the quality leader's lead: product advantages erode by imitation.

    ``q' = q + (1 − (1 − rate)^dt)·(max(q) − q)``; the leader is unchanged (Lieberman &
    Montgomery 1988 on first-mover advantages; Treacy & Wiersema 1993 on product leadership having
    to renew itself).
    """
    quality = np.asarray(quality, dtype=float)
    return quality + (1.0 - (1.0 - rate_per_week) ** dt) * (quality.max() - quality)


def adapt_split(
    acquisition_share: float,
    clv: float,
    cac: float,
    *,
    target_ratio: float,
    step: float,
    low: float = 0.1,
    high: float = 0.9,
) -> float:
    """Share of the budget an adaptive firm puts on acquisition next step.

    A thermostat on the leaky bucket, steering by the ratio of customer lifetime value to
    acquisition cost that managers watch (the rule of thumb that a new customer should be worth
    about three times what it cost to win): while ``clv / cac`` is below ``target_ratio``,
    customers are bought dearer than they are worth, so move ``step`` of the budget from
    acquisition to retention (keep the ones you have, and raise what each is worth); while it is
    above, move it back to acquisition. Stays within ``[low, high]``. ``cac = inf`` (spend but no
    new customers) counts as too dear; ``cac = 0`` as cheap.
    """
    ratio = clv / cac if cac > 0 else np.inf
    if ratio < target_ratio:
        acquisition_share -= step
    elif ratio > target_ratio:
        acquisition_share += step
    return float(min(high, max(low, acquisition_share)))


def diminishing_returns(spend: np.ndarray | float, ceiling: float, efficiency: float) -> np.ndarray:
    """Response to spend with diminishing returns: ``ceiling·(1 − exp(−efficiency·spend))``.

    The concave response of Blattberg & Deighton (1996, "Manage marketing by the customer equity
    test"), used for acquisition and retention rates as functions of spend per customer.
    ``spend`` is the lever's response argument: its weekly spend per unit of its audience
    (:data:`cxsim.params.LEVER_AUDIENCE`: per prospect, per expected purchase, or the firm's).
    """
    return ceiling * -np.expm1(-efficiency * np.asarray(spend, dtype=float))


def discount_depth(
    spend_per_redemption: np.ndarray | float, price: np.ndarray | float, ceiling: float
) -> np.ndarray:
    """Depth of a discount (share of price) that a budget pays for: ``min(ceiling, x / price)``.

    A discount is a transfer, not a service bought with diminishing returns: a weekly budget of
    ``B`` over ``R`` expected redemptions pays ``x = B / R`` per redemption, a depth of
    ``x / price`` on a purchase of one usual basket, so that what customers redeem costs the
    budget (Blattberg & Neslin 1990, *Sales Promotion*: a promotion's cost is the discount times
    the redemptions). ``ceiling`` is the deepest discount the firm gives; the response of demand
    to the discount lies in the customers' price sensitivity (:func:`choice_utility`), which is
    where its diminishing returns belong. A price of zero gives no discount.
    """
    x = np.asarray(spend_per_redemption, dtype=float)
    p = np.asarray(price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.where(p > 0, x / np.where(p > 0, p, 1.0), 0.0)
    return np.minimum(ceiling, np.maximum(depth, 0.0))
