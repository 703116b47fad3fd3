"""The levers a firm spends on, their groups, and the ``levers`` section (how spend works).

Each lever but the two discounts turns spend into one or more effects with the same concave
response, ``ceiling·(1 − exp(−efficiency·x))`` (Blattberg & Deighton 1996); the ``levers``
section declares every ceiling and efficiency once. As in Blattberg & Deighton, the response
argument ``x`` is the spend per unit the lever works on (:data:`LEVER_AUDIENCE`), each lever in
its natural unit:

* advertising buys attention per person reached (CPM pricing): spend per *prospect*;
* service, complaint handling, personalization, feedback and access act on purchases (service
  encounters): spend per *expected purchase* from the firm's own customers (retention spend per
  customer per purchase occasion, Blattberg & Deighton 1996; the cost-to-serve view of Kaplan &
  Narayanan 2001);
* the two value disciplines (efficiency, innovation) act on the firm as a whole and take its
  weekly spend.

First-purchase promotions and loyalty rewards are discounts, paid per redemption. A discount is a
transfer, not an effect bought with diminishing returns: the budget per *forecast redemption*
(first purchases, or purchases by the firm's active customers, forecast from the recent weeks'
redemptions) pays the depth ``min(ceiling, x / price)`` (:func:`cxsim.core.rules.discount_depth`),
so what customers redeem costs, on average, the budget. Their diminishing returns lie in the
customers' response to price.

Expected purchases are customers × the customers' mean purchase rate, the declared
``customers.need_rate`` (:func:`cxsim.core.firms.expected_purchase_rate`). So a market ten times
larger needs ten times the budget for the same effect per customer, and a market whose customers
buy ten times less often needs ten times less retention budget for the same effect per purchase
(advertising, per person reached, does not).

The efficiencies have been converted twice, each time so that the default market of the time
got exactly the effects it got before (a change of units, not a recalibration): first from
currency per *market* customer per week at the week-1 state of the default market of the time
(2000 customers, each firm with 600 own customers (30%), 1400 non-customers and 280 prospects
who do not consider it (86% consider it: its own customers plus 80% of the others), list price
10 and price sensitivity 0.3); then, for the levers acting on purchases, from currency per own
customer per week to currency per expected purchase at the need rate of the time
(:data:`CONVERSION_NEED_RATE`, 0.25 needs per customer per week): ``efficiency × 0.25``, and the
complaint-handling ceiling (resolutions per expected purchase) ``ceiling / 0.25``.
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


#: What each lever's weekly spend is spread over (the denominator of its response argument,
#: counted at the start of the week; :meth:`cxsim.core.firms.Firm.plan_week`): ``prospects``, the
#: customers who do not consider the firm (at least 1); ``purchases``, the expected purchases per
#: week from the firm's own active customers (buyer to advocate) × the mean purchase rate (at
#: least one customer's); ``first_purchases`` and ``repeat_purchases``, the redemptions of the two
#: discounts per week, first purchases (by prospects and lost customers: who a first-purchase
#: promotion is for) and purchases by the firm's active customers (who earn the loyalty reward),
#: each forecast from the recent weeks (:meth:`cxsim.core.firms.Firm.observe_redemptions`);
#: before the first week, the expected purchases of the non-customers who consider the firm and
#: of its active customers (× the mean purchase rate, at least one customer's);
#: ``firm``, nobody (the argument is the weekly spend itself).
LEVER_AUDIENCE: dict[str, str] = {
    "advertising": "prospects",
    "promotion": "first_purchases",
    "service": "purchases",
    "complaint_handling": "purchases",
    "personalization": "purchases",
    "feedback": "purchases",
    "access": "purchases",
    "loyalty": "repeat_purchases",
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

#: The mean purchase rate (``customers.need_rate``, needs per customer per week) of the default
#: market, at which the efficiencies of the levers acting on purchases were converted from spend
#: per customer to spend per expected purchase (the same effects in the default market).
CONVERSION_NEED_RATE = 0.25


def converted(old: str) -> str:
    """Source of an efficiency converted from the old unit (``old``: the old value and factor)."""
    return f"{CONVERTED}; earlier value {CALIBRATED}: {old}"


def per_purchase(
    old: str, first: str, per: str = "own customer", to: str = "expected purchase"
) -> str:
    """Source of an efficiency converted to spend per expected purchase: ``old``, its value per
    ``per`` per week; ``first``, the per-market-customer value it was converted from; ``to``, the
    new unit (an expected purchase, or an expected first purchase)."""
    return (
        f"converted from {old} per currency per {per} per week to currency per {to} "
        f"at the default need_rate {CONVERSION_NEED_RATE} (× {CONVERSION_NEED_RATE}: the default "
        f"market's effects unchanged), itself converted from the per-market-customer unit at the "
        f"default market's week-1 state ({first}); form: Blattberg & Deighton 1996 concave "
        f"response; earlier value {CALIBRATED}"
    )


@dataclass(frozen=True)
class LeverParams:
    """How spend turns into effect: ``ceiling·(1 − exp(−efficiency·x))`` per lever.

    ``x`` is the lever's weekly spend per unit of its audience (:data:`LEVER_AUDIENCE`):
    currency per prospect (advertising, per week), per expected purchase from the firm's own
    customers (service, complaint handling, personalization, feedback, access), or currency per
    week for the firm (efficiency, innovation); each efficiency is per that unit. Promotion and
    loyalty pay a discount depth (share of price) of ``min(ceiling, x / price)`` with ``x`` the
    spend per forecast redemption, paid only on redemption
    (:func:`cxsim.core.rules.discount_depth`).
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
        "deepest first-purchase discount (prospects and lost customers), paid on redemption",
        source="form: a discount's depth is its budget per redemption, up to the deepest the "
        "firm gives (rules.discount_depth); value converted from the earlier "
        "2.5 utility bonus through the price it saves (utility = price_sensitivity 0.3 × "
        "discount × list price 10); earlier value " + CALIBRATED,
    )
    service_ceiling: float = P(
        1.2, "quality units", 0.0, 100.0, "maximum service added to each experience", source=CONCAVE
    )
    service_efficiency: float = P(
        15.0 * 600 / 2000 * CONVERSION_NEED_RATE,
        "per currency per expected purchase",
        0.0,
        1e6,
        "service quality (and consistency) per unit of spend per expected purchase from the "
        "firm's own customers: how fast spend approaches the ceiling",
        source=per_purchase("4.5", "15 per currency per market customer per week × 600 / 2000"),
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
        0.02 * 2000 / 600 / CONVERSION_NEED_RATE,
        "resolutions per expected purchase",
        0.0,
        1.0,
        "maximum capacity, per expected purchase from the firm's own customers (capacity in a "
        "step: complaint capacity × own active customers × need rate × dt)",
        source="form: Blattberg & Deighton 1996 concave response; converted from 0.0667 "
        "resolutions per own customer per week to resolutions per expected purchase at the "
        f"default need_rate {CONVERSION_NEED_RATE} (÷ {CONVERSION_NEED_RATE}: the default "
        "market's capacity unchanged), itself converted from the earlier 0.02 resolutions per "
        "market customer per week × 2000 / 600 own customers; earlier value " + CALIBRATED,
    )
    complaint_handling_efficiency: float = P(
        60.0 * 600 / 2000 * CONVERSION_NEED_RATE,
        "per currency per expected purchase",
        0.0,
        1e6,
        "complaint capacity per unit of spend per expected purchase from the firm's own "
        "customers: how fast spend approaches the ceiling",
        source=per_purchase("18", "60 per currency per market customer per week × 600 / 2000"),
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
        30.0 * 600 / 2000 * CONVERSION_NEED_RATE,
        "per currency per expected purchase",
        0.0,
        1e6,
        "learning per unit of spend per expected purchase from the firm's own "
        "customers: how fast spend approaches the ceiling",
        source=per_purchase("9", "30 per currency per market customer per week × 600 / 2000"),
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
        60.0 * 600 / 2000 * CONVERSION_NEED_RATE,
        "per currency per expected purchase",
        0.0,
        1e6,
        "solicitation per unit of spend per expected purchase from the firm's own "
        "customers: how fast spend approaches the ceiling",
        source=per_purchase("18", "60 per currency per market customer per week × 600 / 2000"),
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
        30.0 * 600 / 2000 * CONVERSION_NEED_RATE,
        "per currency per expected purchase",
        0.0,
        1e6,
        "access quality per unit of spend per expected purchase from the firm's own "
        "customers: how fast spend approaches the ceiling",
        source=per_purchase("9", "30 per currency per market customer per week × 600 / 2000"),
    )
    loyalty_ceiling: float = P(
        0.8 / (0.3 * 10.0),
        "share of price",
        0.0,
        1.0,
        "deepest reward (discount) on purchases by active customers, paid on redemption",
        source="form: a discount's depth is its budget per redemption, up to the deepest the "
        "firm gives (rules.discount_depth); value converted from the earlier "
        "0.8 utility bonus through the price it saves (utility = price_sensitivity 0.3 × "
        "discount × list price 10); earlier value " + CALIBRATED,
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
