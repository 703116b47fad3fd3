"""The levers a firm spends on, their groups, and the ``levers`` section (how spend works).

Each lever turns spend into one or more effects with the same concave response,
``ceiling·(1 − exp(−efficiency·x))`` (Blattberg & Deighton 1996); the ``levers`` section
declares every ceiling and efficiency once. As in Blattberg & Deighton, the response argument
``x`` is the spend per person the lever works on (:data:`LEVER_AUDIENCE`): advertising per
prospect reached, retention levers per own customer, promotions and loyalty rewards per customer
eligible for them; the two value disciplines (efficiency, innovation) act on the firm as a whole
and take its weekly spend. A market ten times larger therefore needs ten times the budget for the
same effect per customer.

The efficiencies were converted from the earlier unit (currency per *market* customer per week)
at the default market's week-1 state: 2000 customers, each firm with 600 own customers (30%),
1400 non-customers and 280 prospects who do not consider it (86% consider it: its own
customers plus 80% of the others), list price 10 and price sensitivity 0.3. So the default
market gets the same effects in week 1 as before; only the units changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cxsim.params.declare import CAL, CALIBRATED, CONCAVE, P, concave

#: Every lever a firm can spend on, grouped: acquisition, retention, then the two value
#: disciplines that do not act on customers directly.
LEVERS: tuple[str, ...] = (
    "advertising",
    "promotion",  # acquisition
    "service",
    "complaint_handling",
    "personalization",
    "feedback",
    "access",
    "loyalty",  # retention
    "efficiency",  # operational excellence
    "innovation",  # product leadership
)


ACQUISITION_LEVERS: tuple[str, ...] = ("advertising", "promotion")


RETENTION_LEVERS: tuple[str, ...] = (
    "service",
    "complaint_handling",
    "personalization",
    "feedback",
    "access",
    "loyalty",
)


#: Who each lever's weekly spend is spread over (the denominator of its response argument,
#: counted at the start of the week and at least 1): ``prospects``, the customers who do not
#: consider the firm; ``non_customers``, those who are not its active customers (prospects and
#: lost customers: who a first-purchase promotion is for); ``customers``, its active customers
#: (buyer to advocate); ``firm``, nobody (the argument is the weekly spend itself).
LEVER_AUDIENCE: dict[str, str] = {
    "advertising": "prospects",
    "promotion": "non_customers",
    "service": "customers",
    "complaint_handling": "customers",
    "personalization": "customers",
    "feedback": "customers",
    "access": "customers",
    "loyalty": "customers",
    "efficiency": "firm",
    "innovation": "firm",
}

#: Levers paid on redemption: their budget sets a discount depth, and only the discounts
#: customers actually take are spent (an unredeemed promotion budget is not spent).
DISCOUNT_LEVERS: tuple[str, ...] = ("promotion", "loyalty")

#: Source of a converted efficiency (see the module docstring).
CONVERTED = (
    "converted from the per-market-customer unit at the default market's week-1 state "
    "(same effect in week 1); form: Blattberg & Deighton 1996 concave response"
)


def converted(old: str) -> str:
    """Source of an efficiency converted from the old unit (``old``: the old value and factor)."""
    return f"{CONVERTED}; earlier value {CALIBRATED}: {old}"


@dataclass(frozen=True)
class LeverParams:
    """How spend turns into effect: ``ceiling·(1 − exp(−efficiency·x))`` per lever.

    ``x`` is the lever's weekly spend per person of its audience (:data:`LEVER_AUDIENCE`):
    currency per prospect per week (advertising), per non-customer per week (promotion), per own
    customer per week (service, complaint handling, personalization, feedback, access, loyalty),
    or currency per week for the firm (efficiency, innovation); each efficiency is per that unit.
    Promotion and loyalty buy a discount depth (share of price), paid only on redemption.
    """

    advertising_ceiling: float = P(
        4.0,
        "per year",
        0.0,
        100.0,
        "maximum external consideration hazard (Bass p)",
        source=concave("advertising as external influence, Bass 1969 p (per year)"),
    )
    advertising_efficiency: float = P(
        10.0 * 280 / 2000,
        "per currency per prospect per week",
        0.0,
        1e6,
        "advertising reach per unit of spend per prospect (a customer not considering the firm): "
        "how fast spend approaches the ceiling",
        source=converted("10 per currency per market customer per week × 280 prospects / 2000"),
    )
    promotion_ceiling: float = P(
        2.5 / (0.3 * 10.0),
        "share of price",
        0.0,
        1.0,
        "maximum first-purchase discount (prospects and lost customers), paid on redemption",
        source="form: Blattberg & Deighton 1996 concave response; converted from the earlier "
        "2.5 utility bonus through the price it saves (utility = price_sensitivity 0.3 × "
        "discount × list price 10); earlier value " + CALIBRATED,
    )
    promotion_efficiency: float = P(
        15.0 * 1400 / 2000,
        "per currency per non-customer per week",
        0.0,
        1e6,
        "discount depth per unit of planned spend per non-customer (prospect or lost customer): "
        "how fast spend approaches the ceiling",
        source=converted("15 per currency per market customer per week × 1400 / 2000"),
    )
    service_ceiling: float = P(
        1.2, "quality units", 0.0, 100.0, "maximum service added to each experience", source=CONCAVE
    )
    service_efficiency: float = P(
        15.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "service quality (and consistency) per unit of spend per own customer: how fast spend "
        "approaches the ceiling",
        source=converted("15 per currency per market customer per week × 600 / 2000"),
    )
    consistency_ceiling: float = P(
        0.6,
        "share",
        0.0,
        1.0,
        "maximum share of experience variation removed by service (same spend, same efficiency)",
        source=concave("constancy of delivery (seed 000)"),
    )
    complaint_handling_ceiling: float = P(
        0.02 * 2000 / 600,
        "resolutions per own customer per week",
        0.0,
        1.0,
        "maximum capacity (scales with the firm's own customers)",
        source="form: Blattberg & Deighton 1996 concave response; converted from the earlier "
        "0.02 resolutions per market customer per week × 2000 / 600 own customers; earlier value "
        + CALIBRATED,
    )
    complaint_handling_efficiency: float = P(
        60.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "complaint capacity per unit of spend per own customer: how fast spend approaches the "
        "ceiling",
        source=converted("60 per currency per market customer per week × 600 / 2000"),
    )
    personalization_ceiling: float = P(
        0.3,
        "per purchase",
        0.0,
        1.0,
        "maximum share of the unknown learned per purchase",
        source=concave("knowledge of the individual customer (Peppers & Rogers 1993; seed 002)"),
    )
    personalization_efficiency: float = P(
        30.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "learning per unit of spend per own customer: how fast spend approaches the ceiling",
        source=converted("30 per currency per market customer per week × 600 / 2000"),
    )
    feedback_ceiling: float = P(
        0.5,
        "probability",
        0.0,
        1.0,
        "maximum share of silent customers asked and heard",
        source=concave("soliciting opinions turns silence into voice (TARP 1986; seed 003)"),
    )
    feedback_efficiency: float = P(
        60.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "solicitation per unit of spend per own customer: how fast spend approaches the ceiling",
        source=converted("60 per currency per market customer per week × 600 / 2000"),
    )
    access_ceiling: float = P(
        0.6,
        "quality units",
        0.0,
        100.0,
        "maximum access and response quality added",
        source=concave("easy access and fast personal response (seed 003)"),
    )
    access_efficiency: float = P(
        30.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "access quality per unit of spend per own customer: how fast spend approaches the ceiling",
        source=converted("30 per currency per market customer per week × 600 / 2000"),
    )
    loyalty_ceiling: float = P(
        0.8 / (0.3 * 10.0),
        "share of price",
        0.0,
        1.0,
        "maximum reward (discount) on purchases by active customers, paid on redemption",
        source="form: Blattberg & Deighton 1996 concave response; converted from the earlier "
        "0.8 utility bonus through the price it saves (utility = price_sensitivity 0.3 × "
        "discount × list price 10); earlier value " + CALIBRATED,
    )
    loyalty_efficiency: float = P(
        20.0 * 600 / 2000,
        "per currency per own customer per week",
        0.0,
        1e6,
        "reward depth per unit of planned spend per own customer: how fast spend approaches the "
        "ceiling",
        source=converted("20 per currency per market customer per week × 600 / 2000"),
    )
    efficiency_ceiling: float = P(
        0.25,
        "share of unit cost",
        0.0,
        0.9,
        "maximum unit-cost saving",
        source=concave(
            "operational excellence funds lower prices (Treacy & Wiersema 1993; seed 000 'indirect way')"
        ),
    )
    efficiency_efficiency: float = P(
        10.0 / 2000,
        "per currency per week",
        0.0,
        1e6,
        "cost saving per unit of the firm's weekly spend: how fast spend approaches the ceiling",
        source=converted("10 per currency per market customer per week / 2000"),
    )
    innovation_ceiling: float = P(
        0.02,
        "quality units per week",
        0.0,
        10.0,
        "maximum weekly quality gain",
        source=concave("product leadership (Treacy & Wiersema 1993)"),
    )
    innovation_efficiency: float = P(
        10.0 / 2000,
        "per currency per week",
        0.0,
        1e6,
        "quality growth per unit of the firm's weekly spend: how fast spend approaches the ceiling",
        source=converted("10 per currency per market customer per week / 2000"),
    )
    serve_cost: float = P(
        0.5,
        "currency per purchase per quality unit",
        0.0,
        1e6,
        "cost to serve: what each purchase costs the firm per quality unit of service and access "
        "it delivers (booked per purchase, in the books' serve_cost)",
        source="form: activity-based cost to serve rises with the service level delivered "
        "(Kaplan & Narayanan 2001, Measuring and managing customer profitability); value a "
        "modelling choice (a quality unit of service costs 5% of the default list price per "
        "purchase)",
    )
    recovery_speed: float = P(
        0.8,
        "per week",
        0.0,
        1.0,
        "chance a complaint within capacity is settled that week",
        source="form: speed of recovery matters (Smith & Bolton 1998); " + CAL,
    )
    cost_pass_through: float = P(
        0.8, "share", 0.0, 1.0, "share of a unit-cost saving passed on in price", source=CALIBRATED
    )
