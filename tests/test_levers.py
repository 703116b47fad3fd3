"""Every lever: more spend moves its target the right way, with diminishing returns.

First on the lever's effect itself (cxsim.core.firms.lever_effects: exact, no randomness), then in the
market: a firm spending on one lever only, at a low and a high budget, on the same seeds (common
random numbers), moves the outcome that lever aims at in the right direction.
"""

from __future__ import annotations

import numpy as np
import pytest

from cxsim import FirmSpec, Market
from cxsim.core.firms import lever_effects
from cxsim.params import LEVERS, LeverParams

#: lever -> the LeverEffects fields it raises
TARGETS = {
    "advertising": ("reach_per_year",),
    "promotion": ("promotion",),
    "service": ("service", "consistency"),
    "complaint_handling": ("complaint_capacity",),
    "personalization": ("learning",),
    "feedback": ("solicitation",),
    "access": ("access",),
    "loyalty": ("loyalty",),
    "efficiency": ("cost_saving",),
    "innovation": ("innovation",),
}


def test_every_lever_has_a_target():
    assert set(TARGETS) == set(LEVERS)


@pytest.mark.parametrize("lever", LEVERS)
def test_more_spend_raises_the_target_with_diminishing_returns(lever):
    params = LeverParams()
    spends = np.linspace(0.0, 0.3, 7)  # currency per market customer per week
    for target in TARGETS[lever]:
        effect = np.array([getattr(lever_effects({lever: s}, params), target) for s in spends])
        assert effect[0] == 0.0
        assert np.all(np.diff(effect) > 0), f"{lever}: {target} does not rise with spend"
        assert np.all(np.diff(effect, 2) < 0), f"{lever}: {target} has no diminishing returns"
        # spend on other levers leaves this target alone
        others = {k: 0.1 for k in LEVERS if k != lever}
        assert getattr(lever_effects(others, params), target) == 0.0


def _run(lever: str, budget: float, seed: int, **params) -> Market:
    firm = FirmSpec(
        name="firm",
        strategy="custom",
        allocation={lever: 1.0},
        budget=budget,
        initial_customers=0.4,
        initial_awareness=0.3,
    )
    m = Market(rng=seed, n_customers=600, customer_agents=False, firms=[firm], **params)
    m.run(26)
    return m


#: lever -> (what it should move in the market, +1 up / -1 down)
OUTCOMES = {
    "advertising": (lambda m, f: m.customers.considers[:, 0].mean(), +1),
    "promotion": (lambda m, f: f.new.sum(), +1),
    "service": (lambda m, f: f.mean_experienced.iloc[1:].mean(), +1),
    "complaint_handling": (lambda m, f: f.recoveries.sum(), +1),
    "personalization": (lambda m, f: m.customers.knowledge[:, 0].mean(), +1),
    "feedback": (lambda m, f: f.complaints.sum() / (f.complaints + f.silent).sum(), +1),
    "access": (lambda m, f: f.mean_experienced.iloc[1:].mean(), +1),
    "loyalty": (lambda m, f: f.purchases.sum(), +1),
    "efficiency": (lambda m, f: f.price.iloc[-1], -1),
    "innovation": (lambda m, f: f.quality.iloc[-1], +1),
}


@pytest.mark.parametrize("lever", LEVERS)
def test_more_spend_moves_the_market_outcome(lever):
    outcome, sign = OUTCOMES[lever]
    # complaint handling needs complaints to handle: ask for them with a high voice rate
    extra = {"voice_minor": 0.5} if lever == "complaint_handling" else {}
    low = high = 0.0
    for seed in range(3):  # common random numbers: the same customers at both budgets
        lo, hi = _run(lever, 0.005, seed, **extra), _run(lever, 0.1, seed, **extra)
        low += outcome(lo, lo.to_frame())
        high += outcome(hi, hi.to_frame())
    assert sign * (high - low) > 0, f"{lever}: {low / 3:.4g} -> {high / 3:.4g}"
