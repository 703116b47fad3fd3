"""The hand-written part of docs/ODD.md's generated tables: what cannot be read from the code.

Which rule, parameter, lever or output carries each idea of the design brief
(:data:`DESIGN_IDEAS`) and of the seed articles (:data:`SEED_IDEAS`), and short meanings of the
ladder stages, network kinds and where each lever effect acts. Every name here is checked against
the code by ``tests/test_docs.py``; parameter sources and output meanings are not here: they are
declared with the parameters (:mod:`cxsim.params`) and the outputs
(:data:`cxsim.core.metrics.METRIC_INFO`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Idea:
    """One idea and the code names that carry it.

    ``carriers`` are typed names, checked against the code by :func:`tools.odd_model.resolve`:
    ``rule:<function in cxsim.core.rules>``, ``param:<parameter>``, ``lever:<lever>``,
    ``strategy:<preset>``, ``metric:<output column>``, ``step:<Market method>``,
    ``effect:<LeverEffects field>``, ``column:<CustomerTable column>``, ``stage:<ladder stage>``.
    """

    idea: str
    seed: str
    carriers: tuple[str, ...]
    how: str
    key: str = ""
    """For the design brief's rows: the first words of the row in DESIGN.md (to match it)."""


#: The nine rows of the design brief's ideas table (DESIGN.md), in its order.
DESIGN_IDEAS: tuple[Idea, ...] = (
    Idea(
        "Expectations rise; meeting them is taken for granted; only exceeding them ('WoW') earns trust and word of mouth",
        "000",
        (
            "rule:adapt_expectation",
            "param:expectation_up",
            "param:expectation_down",
            "param:expectation_inflation",
            "rule:word_of_mouth_senders",
            "param:delight_margin",
        ),
        "Each purchase pulls the expectation toward the experience, faster upward than downward, and "
        "every week the whole market's expectations drift up. Delight, and the positive word of mouth "
        "it starts, needs a surplus beyond the expectation by a margin; meeting it earns nothing to talk about.",
        key="Expectations rise over time",
    ),
    Idea(
        "Trust takes effort, constancy and time to win and is lost in a minute",
        "000, 003",
        (
            "rule:update_trust",
            "param:trust_gain",
            "param:trust_loss",
            "param:trust_tolerance",
            "param:consistency_ceiling",
        ),
        "A met expectation closes a small share of the distance to full trust; a miss removes a "
        "large share of trust. Service spend also removes part of the random variation of "
        "experiences (constancy).",
        key="Trust takes effort",
    ),
    Idea(
        "Two ways to reach the customer: direct (products and services they love) and indirect (savings that fund better prices, service, promotions)",
        "000",
        (
            "lever:service",
            "lever:innovation",
            "lever:efficiency",
            "param:cost_pass_through",
            "metric:spend",
        ),
        "Direct levers add quality to every experience; the efficiency lever lowers unit cost, and "
        "a share of the saving is passed on in price. Every currency unit spent is booked whether "
        "or not it reaches a customer, so spend that reaches nobody shows as cost.",
        key="Two ways to impact",
    ),
    Idea(
        "Loyalty ladder: prospects, buyers, repeat customers, clients; lost customers can be won back",
        "001",
        (
            "rule:ladder_after_purchase",
            "rule:ladder_after_switch",
            "stage:lost",
            "param:client_streak",
            "param:advocate_trust",
            "metric:won_back",
        ),
        "Each customer holds one stage with each firm; stage counts are weekly outputs. Churn "
        "moves a customer to 'lost'; a lost customer can come back into consideration and buy again.",
        key="Loyalty ladder",
    ),
    Idea(
        "Firms pour resources into turning prospects into buyers; the base leaks; invisible complaints defeat the value proposition",
        "001",
        (
            "strategy:acquisition_focus",
            "strategy:retention_focus",
            "rule:complaint_probability",
            "param:voice_minor",
            "rule:churn_probability",
            "rule:recovery_share",
            "metric:silent",
        ),
        "Budgets split between acquisition and retention levers; most disappointed customers never "
        "complain and carry a grudge that raises their hazard of leaving; voiced complaints can be "
        "resolved and repaired.",
        key="Firms pour resources",
    ),
    Idea(
        "Treat each customer as that customer expects, not uniformly",
        "002",
        (
            "rule:experienced_quality",
            "param:need_heterogeneity",
            "param:mismatch_weight",
            "lever:personalization",
            "column:knowledge",
        ),
        "Customers differ in their ideal point; a uniform offer loses quality with distance from "
        "it; what the firm learns about each customer (personalization spend) removes a growing "
        "share of that mismatch.",
        key="Treat each customer",
    ),
    Idea(
        "Keep customers with easy access, fast personal response and by asking their opinion",
        "003",
        (
            "lever:access",
            "lever:feedback",
            "effect:solicitation",
            "rule:complaint_probability",
            "lever:complaint_handling",
        ),
        "Access spend adds to every experience; feedback solicitation turns part of the silent "
        "dissatisfaction into voiced complaints, which complaint handling can then resolve.",
        key="Keep customers with easy access",
    ),
    Idea(
        "Three value disciplines: operational excellence, product leadership, customer intimacy",
        "003",
        (
            "strategy:operational_excellence",
            "strategy:product_leadership",
            "strategy:customer_intimacy",
        ),
        "Presets of budget splits over the same levers; any number of firms, each with its own "
        "strategy, compete for the same customers.",
        key="Three value disciplines",
    ),
    Idea(
        "Product advantages are quickly imitated and erode",
        "004",
        ("param:imitation_rate", "step:market_moves", "lever:innovation"),
        "Every week each rival closes a share of its quality gap to the leader; a lead lasts only "
        "as long as innovation keeps renewing it.",
        key="Product advantages",
    ),
)


#: The ideas of the five seed articles, one by one.
SEED_IDEAS: tuple[Idea, ...] = (
    Idea(
        "Expectations rise over time, so a firm must keep improving",
        "000",
        ("param:expectation_inflation", "rule:adapt_expectation", "param:expectation_up"),
        "Market-wide drift plus adaptation to experience: yesterday's surplus is today's norm.",
    ),
    Idea(
        "Only exceeding expectations ('WoW') triggers word of mouth",
        "000",
        ("rule:word_of_mouth_senders", "param:delight_margin", "param:wom_positive_reach"),
        "Met expectations are silent; delight beyond a margin makes a customer talk.",
    ),
    Idea(
        "Trust: slow to win, lost in a minute",
        "000, 003",
        ("rule:update_trust", "param:trust_gain", "param:trust_loss"),
        "Small proportional gains on hits, large proportional losses on misses.",
    ),
    Idea(
        "Two ways to reach the customer, direct and indirect",
        "000",
        ("lever:service", "lever:innovation", "lever:efficiency", "param:cost_pass_through"),
        "Quality and service directly; cost savings passed on in price indirectly.",
    ),
    Idea(
        "Whatever does not reach the customer is an invisible cost",
        "000",
        ("metric:spend", "metric:profit", "param:budget"),
        "The books charge every up-front lever's spend, used or not (advertising to people who "
        "already know the firm, idle complaint capacity), so the cost is made visible in profit; "
        "promotions and loyalty rewards cost what customers redeem.",
    ),
    Idea(
        "Loyalty ladder: prospect, buyer, repeat customer, client",
        "001",
        ("rule:ladder_after_purchase", "param:client_streak", "stage:client"),
        "Stages follow purchases: first purchase, second purchase, a streak of needs all served.",
    ),
    Idea(
        "Acquisition focus and the leaky bucket",
        "001",
        (
            "strategy:acquisition_focus",
            "lever:advertising",
            "lever:promotion",
            "rule:churn_probability",
            "metric:churn_rate",
        ),
        "Acquisition spend fills the base; churn driven by trust and grudges drains it.",
    ),
    Idea(
        "Invisible complaints (never voiced) defeat the value proposition",
        "001",
        ("rule:complaint_probability", "param:voice_minor", "rule:add_grudge", "metric:silent"),
        "Most disappointed customers stay silent; their grudge is never repaired and weighs on "
        "choice and churn until it fades.",
    ),
    Idea(
        "Complaints heard, understood and compensated",
        "001",
        (
            "rule:resolution_probability",
            "rule:recovery_share",
            "rule:apply_recovery",
            "rule:repair_satisfaction",
            "lever:complaint_handling",
            "param:recovery_max",
        ),
        "A voiced complaint enters a queue; resolved within capacity, it gives back a share of "
        "the trust its incident cost, dissolves the grudge and repairs the felt shortfall carried "
        "into the next choice, more so when fast.",
    ),
    Idea(
        "Treat each customer as that customer expects (individual, not collective, treatment)",
        "002",
        (
            "rule:experienced_quality",
            "lever:personalization",
            "column:knowledge",
            "param:need_heterogeneity",
        ),
        "Knowledge of a customer, learned purchase by purchase, tailors the offer to its need.",
    ),
    Idea(
        "Easy access, fast personal response, asking for opinions",
        "003",
        ("lever:access", "lever:feedback", "effect:solicitation"),
        "Access adds to every experience; asking for opinions raises the share of problems voiced.",
    ),
    Idea(
        "Three value disciplines (Treacy & Wiersema)",
        "003",
        (
            "strategy:operational_excellence",
            "strategy:product_leadership",
            "strategy:customer_intimacy",
        ),
        "Budget-split presets on the common levers.",
    ),
    Idea(
        "Product advantages are imitated and erode",
        "004",
        ("param:imitation_rate", "lever:innovation"),
        "Rivals close part of the quality gap every week.",
    ),
)


#: Where each lever effect acts in the weekly cycle (the code says what; this says where).
EFFECT_USE: dict[str, str] = {
    "reach_per_year": "adds to the firm's base_reach as the external hazard p of `awareness_probability` (step `consider_firms`)",
    "promotion": "discount on the price a prospect or lost customer sees in `choice_utility` (+ price_sensitivity × discount × price; step `serve_needs`); the firm pays discount × price × basket on each first purchase",
    "service": "added to every experience in `experienced_quality`",
    "consistency": "experience noise is scaled by (1 − consistency)",
    "complaint_capacity": "capacity of `resolution_probability` (× own customers at the start of the week × need rate × dt: per expected purchase) (step `handle_complaints`)",
    "learning": "knowledge += learning·(1 − knowledge) after each purchase, used by `experienced_quality`",
    "solicitation": "raises `complaint_probability`",
    "access": "added to every experience in `experienced_quality`, with service",
    "loyalty": "discount on the price an active customer sees in `choice_utility` (+ price_sensitivity × discount × price); the firm pays discount × price × basket on each of their purchases",
    "cost_saving": "unit cost × (1 − saving); price lowered by cost_pass_through × the saving (`Firm.plan_week`)",
    "innovation": "quality grows by this much per week (`Firm.innovate`, step `market_moves`)",
}


LEVER_GROUPS: dict[str, str] = {
    "efficiency": "operational excellence",
    "innovation": "product leadership",
}


STAGE_DOCS: dict[str, str] = {
    "prospect": "has not bought from the firm (may or may not consider it)",
    "buyer": "bought once",
    "repeat": "bought again; also a client or advocate who took a need elsewhere",
    "client": "comes back whenever the need arises: the last `client_streak` needs all served by the firm",
    "advocate": "a client whose trust is at least `advocate_trust`; praises the firm after every experience that meets expectations",
    "lost": "defected (churned); can be won back",
}


NETWORK_DOCS: dict[str, str] = {
    "watts_strogatz": "small world: ring lattice of degree ≈ mean_degree, each edge's far end rewired with probability rewire_prob (Watts & Strogatz 1998)",
    "barabasi_albert": "preferential attachment, each newcomer brings mean_degree/2 edges; heavy-tailed degrees (Barabási & Albert 1999)",
    "erdos_renyi": "G(n, p) random graph with p = mean_degree/(n − 1) (Erdős & Rényi 1959)",
    "complete": "everyone hears everyone; stores no arrays; used to dock with the Bass (1969) curve",
    "ring_lattice": "Watts–Strogatz with no rewiring: clustered, long paths",
}


#: Economic measures issue 3 asks for, each of which must have a formula in the metrics docstring.
ECONOMIC_MEASURES: tuple[str, ...] = (
    "revenue",
    "cogs",
    "spend",
    "profit",
    "npv",
    "cac",
    "churn_rate",
    "retention_rate",
    "clv",
    "customer_equity",
    "value_per_customer",
    "nps",
    "nps_se",
    "alive",
    "active",
    "purchase_share",
    "share_of_wallet",
)
