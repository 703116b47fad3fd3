"""Quantities implied by the default parameters: ratios, half-lives, hits to recover trust.

Each is computed with the model's own rules (:mod:`cxsim.core.rules`), so the table shows what the
defaults mean in the model, not what a formula written beside it says.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cxsim.core import rules
from cxsim.params import (
    STRATEGIES,
    CustomerParams,
    FirmSpec,
    LeverParams,
    MarketParams,
    NetworkParams,
)
from tools.odd_md import fmt, table
from tools.odd_params import default_firm


def derived_quantities() -> list[tuple[str, str, str]]:
    """Quantities implied by the default parameters: (quantity, formula, value)."""
    m, c, n, lv, f = MarketParams(), CustomerParams(), NetworkParams(), LeverParams(), FirmSpec()
    out: list[tuple[str, str, str]] = []

    def add(q: str, formula: str, value: Any) -> None:
        out.append((q, formula, value if isinstance(value, str) else fmt(value)))

    add(
        "trust loss per miss ÷ trust gain per hit",
        "trust_loss / trust_gain",
        c.trust_loss / c.trust_gain,
    )
    t0 = c.initial_trust
    after = float(
        rules.update_trust(
            rules.update_trust(
                np.array([t0]),
                np.array([-10.0]),
                tolerance=c.trust_tolerance,
                gain=c.trust_gain,
                loss=c.trust_loss,
            ),
            np.array([0.0]),
            tolerance=c.trust_tolerance,
            gain=c.trust_gain,
            loss=c.trust_loss,
        )[0]
    )
    add(
        "trust after one miss then one hit, from initial_trust",
        "T0·(1 − loss), then + gain·(1 − T)",
        f"{fmt(after)} (from {fmt(t0)})",
    )
    for label, start in (
        ("initial_trust", c.initial_trust),
        ("initial_customer_trust", c.initial_customer_trust),
    ):
        add(
            f"hits needed to recover one miss, from {label}",
            "`rules.hits_to_recover`",
            rules.hits_to_recover(start, c.trust_gain, c.trust_loss),
        )
    for label, a in (("up", c.expectation_up), ("down", c.expectation_down)):
        add(
            f"half-life of an expectation gap, adapting {label} (purchases)",
            "ln 2 / −ln(1 − α)",
            math.log(2) / -math.log1p(-a) if 0 < a < 1 else math.inf,
        )
    add("mean weeks between needs", "1 / need_rate", 1 / c.need_rate)
    add(
        "coefficient of variation of need rates across customers",
        "1 / √need_rate_shape",
        1 / math.sqrt(c.need_rate_shape),
    )
    add(
        "minor problems voiced without solicitation",
        "voice_minor",
        f"{fmt(c.voice_minor)} (1 in {c.voice_minor**-1:.0f})",
    )
    for strategy in ("none", "balanced", "retention_focus", "customer_intimacy"):
        if strategy not in STRATEGIES:
            continue
        s = default_firm(strategy).effects.solicitation
        minor = float(
            rules.complaint_probability(
                np.array([-c.disappointment_margin - 1e-9]),
                voice_minor=c.voice_minor,
                voice_serious=c.voice_serious,
                serious_margin=c.serious_margin,
                solicitation=s,
            )[0]
        )
        serious = float(
            rules.complaint_probability(
                np.array([-c.serious_margin - 1.0]),
                voice_minor=c.voice_minor,
                voice_serious=c.voice_serious,
                serious_margin=c.serious_margin,
                solicitation=s,
            )[0]
        )
        add(
            f"complaint probability, minor / serious problem, firm with `{strategy}` split",
            "base + (1 − base)·solicitation",
            f"{fmt(minor)} / {fmt(serious)}",
        )
    for weeks in (0, 1, c.complaint_patience):
        add(
            f"share of damage repaired by a resolution after waiting {weeks} week"
            + ("" if weeks == 1 else "s"),
            "recovery_max · 0.5^(wait / recovery_half_life)",
            float(
                rules.recovery_share(
                    np.array([float(weeks)]), c.recovery_max, c.recovery_half_life
                )[0]
            ),
        )
    add(
        "yearly retention of a content customer (no trust or grudge penalty)",
        "exp(−52·churn_base)",
        math.exp(-52 * c.churn_base),
    )
    zero = c.churn_base + c.churn_trust_sensitivity * c.churn_trust_floor
    add(
        "yearly retention of a customer with zero trust and no grudge",
        "exp(−52·(churn_base + churn_trust_sensitivity·churn_trust_floor))",
        math.exp(-52 * zero),
    )
    add(
        "expected listeners per delighted sender",
        "wom_positive_reach · mean_degree",
        c.wom_positive_reach * n.mean_degree,
    )
    add(
        "expected listeners per seriously disappointed sender",
        "wom_negative_reach · mean_degree",
        c.wom_negative_reach * n.mean_degree,
    )
    add(
        "reach of bad news ÷ reach of good news",
        "wom_negative_reach / wom_positive_reach",
        c.wom_negative_reach / c.wom_positive_reach,
    )
    add(
        "weekly discount rate",
        "(1 + discount_rate)^(1/52) − 1",
        (1 + m.discount_rate) ** (1 / 52) - 1,
    )
    add("Bass p without advertising, per year", "base_reach", f.base_reach)
    add("Bass q, per year", "social_influence", c.social_influence)
    add("gross margin per purchase at list price", "price − unit_cost", f.price - f.unit_cost)
    add(
        "market-wide expectation rise per year",
        "52 · expectation_inflation",
        52 * m.expectation_inflation,
    )
    add(
        "share of a rival's quality gap closed in a year",
        "1 − (1 − imitation_rate)^52",
        1 - (1 - m.imitation_rate) ** 52,
    )
    add(
        "service spend per expected purchase that reaches 63% of the ceiling",
        "1 / service_efficiency",
        1 / lv.service_efficiency,
    )
    return out


def derived_table() -> str:
    """Markdown table of :func:`derived_quantities`."""
    return table(("quantity", "formula", "default"), derived_quantities(), "llr")
