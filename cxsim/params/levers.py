"""The levers a firm spends on, their groups, and the ``levers`` section (how spend works).

Each lever turns spend into one or more effects with the same concave response,
``ceiling·(1 − exp(−efficiency·spend))`` (Blattberg & Deighton 1996); the ``levers`` section
declares every ceiling and efficiency once.
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


@dataclass(frozen=True)
class LeverParams:
    """How spend turns into effect: ``ceiling·(1 − exp(−efficiency·spend))`` per lever.

    Spend is currency per market customer per week; efficiencies are per that unit.
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
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "advertising reach per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
    )
    promotion_ceiling: float = P(
        2.5, "utility", 0.0, 100.0, "maximum first-purchase bonus", source=CONCAVE
    )
    promotion_efficiency: float = P(
        15.0,
        "per spend unit",
        0.0,
        1e6,
        "promotion bonus per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
    )
    service_ceiling: float = P(
        1.2, "quality units", 0.0, 100.0, "maximum service added to each experience", source=CONCAVE
    )
    service_efficiency: float = P(
        15.0,
        "per spend unit",
        0.0,
        1e6,
        "service quality (and consistency) per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        0.02,
        "resolutions per market customer per week",
        0.0,
        1.0,
        "maximum capacity",
        source=CONCAVE,
    )
    complaint_handling_efficiency: float = P(
        60.0,
        "per spend unit",
        0.0,
        1e6,
        "complaint capacity per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        30.0,
        "per spend unit",
        0.0,
        1e6,
        "learning per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        60.0,
        "per spend unit",
        0.0,
        1e6,
        "solicitation per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        30.0,
        "per spend unit",
        0.0,
        1e6,
        "access quality per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
    )
    loyalty_ceiling: float = P(
        0.8, "utility", 0.0, 100.0, "maximum reward bonus for active customers", source=CONCAVE
    )
    loyalty_efficiency: float = P(
        20.0,
        "per spend unit",
        0.0,
        1e6,
        "reward bonus per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "cost saving per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
        10.0,
        "per spend unit",
        0.0,
        1e6,
        "quality growth per unit of spend: how fast spend approaches the ceiling",
        source=CONCAVE,
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
