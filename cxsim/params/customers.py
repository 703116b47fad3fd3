"""The ``customers`` section: needs, expectations, trust, talk, voice and exit.

The largest section of a scenario: every behavioural parameter of the customers' rules
(:mod:`cxsim.core.rules`), each declared once with :func:`cxsim.params.declare.P`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cxsim.params.declare import CAL, CALIBRATED, FITTED, FITTED_SPEND, P


@dataclass(frozen=True)
class CustomerParams:
    """Customers: needs, expectations, trust, talk, voice and exit."""

    n_customers: int = P(
        2000,
        "customers",
        2,
        100_000_000,
        "population size",
        source="modelling choice (population size)",
    )
    need_rate: float = P(
        0.01928,
        "needs per week",
        0.0,
        math.inf,
        "mean purchase occasions per customer",
        source="form: Poisson purchase occasions (Ehrenberg 1959); " + FITTED,
        infinite=(math.inf,),  # a need at every step (the docking cases of cxsim.validation)
    )
    need_rate_shape: float = P(
        0.1418,
        "-",
        0.1,
        1000.0,
        "gamma shape of need rates (lower = more varied)",
        source="form: gamma-distributed purchase rates, the NBD model (Ehrenberg 1959); " + FITTED,
    )
    spend_shape: float = P(
        6.275,
        "-",
        0.1,
        math.inf,
        "gamma shape of one customer's basket from purchase to purchase (lower = more varied; "
        "inf: every purchase the customer's usual basket)",
        source="form: gamma-gamma spend model, p (Colombo & Jiang 1999; Fader, Hardie & Lee 2005); "
        + FITTED_SPEND,
        infinite=(math.inf,),
    )
    spend_heterogeneity: float = P(
        3.624,
        "-",
        1.01,
        math.inf,
        "gamma shape of customers' usual baskets (lower = more varied; inf: everyone alike); "
        "baskets average 1 unit, so spend averages the price",
        source="form: gamma-gamma spend model, q (Colombo & Jiang 1999; Fader, Hardie & Lee 2005); "
        + FITTED_SPEND,
        infinite=(math.inf,),
    )
    need_heterogeneity: float = P(
        1.0,
        "needs units",
        0.0,
        10.0,
        "s.d. of customers' ideal points",
        source="form: heterogeneous ideal points (seed 002; Peppers & Rogers 1993); " + CAL,
    )
    mismatch_weight: float = P(
        0.8,
        "quality per needs unit",
        0.0,
        10.0,
        "cost of a uniform offer far from one's need",
        source="form: one-to-one marketing removes mismatch (Peppers & Rogers 1993); " + CAL,
    )
    mismatch_noise: float = P(
        0.25,
        "quality units per needs unit",
        0.0,
        10.0,
        "extra experience s.d. per unit of unlearned mismatch",
        source="form: a standard offer far from a customer's need is hit and miss (Peppers & Rogers 1993); value calibrated (see docs/validation.md)",
    )
    experience_noise: float = P(
        0.3,
        "quality units",
        0.0,
        10.0,
        "s.d. of experience around its mean, before service consistency",
        source=CALIBRATED,
    )
    initial_expectation: float = P(
        5.0,
        "quality units",
        -100.0,
        100.0,
        "mean expectation at start",
        source="scale anchor: expectations share the arbitrary quality scale of the firms' quality; "
        + CAL,
    )
    initial_expectation_sd: float = P(
        0.5, "quality units", 0.0, 10.0, "s.d. of expectations at start", source=CALIBRATED
    )
    initial_trust: float = P(
        0.4, "trust [0,1]", 0.0, 1.0, "trust in a firm not yet tried", source=CALIBRATED
    )
    initial_customer_trust: float = P(
        0.6,
        "trust [0,1]",
        0.0,
        1.0,
        "trust of a firm's existing customers at start",
        source=CALIBRATED,
    )
    initial_tenure: float = P(
        0.0,
        "weeks",
        0.0,
        10_000.0,
        "how long the firms' existing customers have been their customers at the start: their "
        "propensities to leave are those of customers who stayed that long (0: drawn like "
        "anyone else's)",
        source="form: a mature customer base is the survivors of its past cohorts; their "
        "dropout rates are the gamma posterior given survival (the Pareto/NBD conditioning of "
        "Schmittlein, Morrison & Colombo 1987); value: 0, chosen by the CDNOW calibration's "
        "J statistic (0.00 at 0 weeks against 80-132 at 52; docs/ODD.md section 6)",
    )
    quality_weight: float = P(
        1.0,
        "utility per quality unit",
        0.0,
        100.0,
        "weight of expected quality in choice",
        source="form: random-utility choice (McFadden 1974); " + CAL,
    )
    trust_weight: float = P(
        2.0,
        "utility",
        0.0,
        100.0,
        "utility of full trust over none",
        source="form: random-utility choice (McFadden 1974); " + CAL,
    )
    price_sensitivity: float = P(
        0.3,
        "utility per currency unit",
        0.0,
        100.0,
        "weight of price in choice",
        source="form: random-utility choice (McFadden 1974); " + CAL,
    )
    habit: float = P(
        0.5,
        "utility",
        0.0,
        100.0,
        "bonus for the firm that served the last need",
        source="form: last-purchase loyalty term of logit brand choice (Guadagni & Little 1983); "
        + CAL,
    )
    grudge_weight: float = P(
        0.3,
        "utility per quality unit",
        0.0,
        100.0,
        "penalty of unresolved dissatisfaction in choice",
        source="form: unresolved dissatisfaction lowers repurchase (TARP 1986; Keaveney 1995); "
        + CAL,
    )
    satisfaction_weight: float = P(
        0.3,
        "utility per quality unit",
        0.0,
        100.0,
        "weight in choice of the felt satisfaction of the last experience with the firm "
        "(loss-averse: a shortfall counts loss_aversion times an equal surplus)",
        source="form: satisfaction asymmetrically drives repurchase, losses more than gains "
        "(Anderson & Sullivan 1993; Mittal, Ross & Baldasare 1998); value: modelling choice, "
        "equal to grudge_weight (one utility per unit of felt shortfall), not calibrated",
    )
    loss_aversion: float = P(
        2.25,
        "-",
        1.0,
        10.0,
        "weight of a shortfall relative to an equal surplus in felt satisfaction (acts on "
        "repurchase utility, who is disappointed or talks, complaints and grudges)",
        source="Kahneman & Tversky 1979 (loss aversion); literature estimate λ ≈ 2.25 "
        "(Tversky & Kahneman 1992); in satisfaction and repurchase: Anderson & Sullivan 1993, "
        "Mittal, Ross & Baldasare 1998",
    )
    expectation_up: float = P(
        0.25,
        "per purchase",
        0.0,
        1.0,
        "adaptation of the predicted ('will') quality toward a better experience",
        source="form: adaptive expectations (Helson 1964 adaptation level), faster up than down (seed 000); "
        + CAL,
    )
    expectation_down: float = P(
        0.15,
        "per purchase",
        0.0,
        1.0,
        "adaptation of the predicted ('will') quality toward a worse experience",
        source="form: adaptive expectations (Helson 1964 adaptation level); " + CAL,
    )
    trust_gain: float = P(
        0.06,
        "per met expectation",
        0.0,
        1.0,
        "share of the distance to full trust won",
        source="form: trust asymmetry (Slovic 1993); ratio trust_loss/trust_gain chosen so negative weighs more than positive (2–5×, Baumeister et al. 2001); "
        + CAL,
    )
    trust_loss: float = P(
        0.20,
        "per miss",
        0.0,
        1.0,
        "share of trust lost on a miss",
        source="form: trust asymmetry (Slovic 1993); ratio to trust_gain from Baumeister et al. 2001 (negative 2–5× positive); "
        + CAL,
    )
    trust_tolerance: float = P(
        0.5,
        "quality units",
        0.0,
        10.0,
        "shortfall still felt as 'met'",
        source="form: zone of tolerance (Zeithaml, Berry & Parasuraman 1993); " + CAL,
    )
    delight_margin: float = P(
        0.8,
        "quality units",
        0.0,
        10.0,
        "surplus over expectation that delights",
        source="form: customer delight needs a surplus beyond expectation (Oliver, Rust & Varki 1997; seed 000 'WoW'); "
        + CAL,
    )
    disappointment_margin: float = P(
        1.125,
        "felt quality units",
        0.0,
        10.0,
        "felt shortfall that disappoints (a disconfirmation below −margin / loss_aversion)",
        source="form: expectation–disconfirmation (Oliver 1980), judged on loss-averse felt "
        "satisfaction (Anderson & Sullivan 1993); value: the calibrated disconfirmation "
        "threshold 0.5 (see docs/validation.md) in felt units, × loss_aversion 2.25",
    )
    wom_positive_reach: float = P(
        0.10,
        "per contact",
        0.0,
        1.0,
        "chance a delighted customer tells each contact",
        source="form: word of mouth on a network (Goldenberg et al. 2007); " + CAL,
    )
    wom_negative_reach: float = P(
        0.50,
        "per contact",
        0.0,
        1.0,
        "chance a seriously disappointed customer tells each contact",
        source="form: dissatisfied customers talk more than satisfied ones (Anderson 1998; Goldenberg et al. 2007); "
        + CAL,
    )
    wom_trust_gain: float = P(
        0.05,
        "per message",
        0.0,
        1.0,
        "trust won from a positive message",
        source="form: trust asymmetry for hearsay (Slovic 1993); " + CAL,
    )
    wom_trust_loss: float = P(
        0.30,
        "per message",
        0.0,
        1.0,
        "trust lost from a negative message",
        source="form: negative information weighs more (Baumeister et al. 2001); " + CAL,
    )
    wom_hype: float = P(
        0.05,
        "quality units per message",
        0.0,
        10.0,
        "predicted ('will') quality raised by praise",
        source="form: praise raises the expectation to be met (seed 000); " + CAL,
    )
    influence: str = P(
        "word_of_mouth",
        "-",
        doc="how contacts bring a firm into consideration: 'word_of_mouth' (explicit praise "
        "messages; social_influence is not used) or 'bass' (the share of contacts who are "
        "customers, at rate social_influence; messages then move only trust and predicted "
        "quality)",
        choices=("word_of_mouth", "bass"),
        source="modelling choice: one account of interpersonal influence, since Bass's q already "
        "includes word of mouth (Bass 1969; Mahajan, Muller & Bass 1990); default word of mouth "
        "from delight (Oliver, Rust & Varki 1997; Goldenberg et al. 2007)",
    )
    social_influence: float = P(
        0.38,
        "per year",
        0.0,
        100.0,
        "Bass q: consideration hazard per share of contacts who are customers (used only "
        "when influence = 'bass')",
        source="Bass 1969 coefficient of imitation q (per year); literature: meta-analytic "
        "average q = 0.38/yr (Sultan, Farley & Lehmann 1990), applied here to the share of a "
        "customer's own contacts",
    )
    trial_probability: float = P(
        0.0,
        "probability",
        0.0,
        1.0,
        "chance that a prospect who starts considering a firm (its advertising, or contacts "
        "as the influence account says) buys once to try it, without waiting for a need",
        source="form: advertising- and word-of-mouth-prompted trial (Ehrenberg 1974, awareness–"
        "trial–reinforcement); value: modelling choice (0: first purchases only on a need)",
    )
    winback_reach: float = P(
        1.0,
        "-",
        0.0,
        1.0,
        "consideration hazard of a lost customer relative to a prospect's (lower: winning "
        "lost customers back takes more effort than reaching new ones)",
        source="form: lost-customer win-back is harder than acquisition (Thomas, Blattberg & "
        "Fox 2004); value: modelling choice (1: as easy as a new customer)",
    )
    voice_minor: float = P(
        1 / 26,
        "probability",
        0.0,
        1.0,
        "complaint rate for small problems (TARP)",
        source="TARP 1986: about 1 in 26 customers voice a small problem",
    )
    voice_serious: float = P(
        0.5,
        "probability",
        0.0,
        1.0,
        "complaint rate for serious problems (TARP)",
        source="TARP 1986: about half voice a serious problem to front-line staff",
    )
    serious_margin: float = P(
        3.375,
        "felt quality units",
        0.0,
        100.0,
        "felt shortfall that counts as a serious problem (a disconfirmation below "
        "−margin / loss_aversion)",
        source="form: judged on loss-averse felt satisfaction (Anderson & Sullivan 1993); value: "
        "the calibrated disconfirmation threshold 1.5 (see docs/validation.md) in felt units, "
        "× loss_aversion 2.25",
    )
    recovery_max: float = P(
        0.8,
        "share",
        0.0,
        1.0,
        "share of the trust lost by the incident, and of the grudge, repaired by an immediate "
        "resolution",
        source="form: service recovery (Hart, Heskett & Sasser 1990; Smith & Bolton 1998); " + CAL,
    )
    recovery_half_life: float = P(
        2.0,
        "weeks",
        0.01,
        1000.0,
        "wait that halves the repair",
        source="form: fast recovery repairs more (Hart, Heskett & Sasser 1990; Smith & Bolton 1998); "
        + CAL,
    )
    recovery_paradox: float = P(
        0.0,
        "share",
        0.0,
        1.0,
        "share of the trust lost by the incident that a full resolution may add on top of "
        "restoring it (the service recovery paradox)",
        source="form: recovery paradox (Hart, Heskett & Sasser 1990); value: meta-analysis of "
        "de Matos, Henrique & Rossi 2007 (J. Service Research): a paradox in satisfaction, none "
        "in repurchase intention, word of mouth or image, so 0 for trust, which drives "
        "repurchase here",
    )
    complaint_patience: int = P(
        8,
        "weeks",
        1,
        1000,
        "wait after which an open complaint counts as unresolved",
        source=CALIBRATED,
    )
    grudge_decay: float = P(
        0.05, "per week", 0.0, 1.0, "fading of unresolved dissatisfaction", source=CALIBRATED
    )
    churn_base: float = P(
        0.2335,
        "per week",
        0.0,
        1.0,
        "defection hazard of a content customer",
        source="form: switching after failures and unresolved complaints (Keaveney 1995); "
        + FITTED,
    )
    leave_heterogeneity: float = P(
        0.2438,
        "-",
        0.05,
        math.inf,
        "gamma shape of customers' propensity to leave (mean 1, multiplies the defection "
        "hazard; lower = more varied; inf: everyone alike)",
        source="form: heterogeneous dropout, the Pareto/NBD's gamma-distributed death rates (Schmittlein, Morrison & Colombo 1987); "
        + FITTED,
        infinite=(math.inf,),
    )
    churn_trust_floor: float = P(
        0.5,
        "trust",
        0.0,
        1.0,
        "trust below which defection rises",
        source="form: Keaveney 1995; " + CAL,
    )
    churn_trust_sensitivity: float = P(
        0.04,
        "per week per trust unit",
        0.0,
        100.0,
        "defection per unit of trust below the floor",
        source="form: Keaveney 1995; " + CAL,
    )
    churn_grudge_sensitivity: float = P(
        0.01,
        "per week per quality unit",
        0.0,
        100.0,
        "defection per unit of grudge",
        source="form: silent defection (TARP 1986; Keaveney 1995); " + CAL,
    )
    client_streak: int = P(
        3,
        "purchases",
        2,
        1000,
        "consecutive needs served that make a client",
        source="operational definition of Raphel & Raphel's (1995) 'client' (comes back whenever in need); "
        + CAL,
    )
    advocate_trust: float = P(
        0.75,
        "trust",
        0.0,
        1.0,
        "trust that makes a client an advocate",
        source="operational definition of Raphel & Raphel's (1995) 'advocate'; " + CAL,
    )
