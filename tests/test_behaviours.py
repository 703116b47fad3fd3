"""Reference behaviours 1–7 (docs/validation.md, docs/ODD.md), emerging from the model's mechanisms.

Where acquisition beats retention (young markets, short horizons) is a question for sweeps, not a
check a preset is tuned to pass: docs/validation.md reports what the model shows there.

These are the same checks ``cxsim validate`` runs (registered in
:mod:`cxsim.validation.behaviours`): each configures the real model, runs it with fixed seeds
and compares with z-scores against the Monte-Carlo standard error (see that module).
"""

from __future__ import annotations

import pytest

from cxsim.validation.checks import select

BEHAVIOUR_CHECKS = select(["behaviour-*"])


def test_every_reference_behaviour_has_a_check():
    names = {c.name for c in BEHAVIOUR_CHECKS}
    for expected in (
        "leaky-bucket",
        "expectation-treadmill",
        "trust-asymmetry",
        "trust-in-market",
        "invisible-complaints",
        "service-recovery",
        "bad-news",
        "individual-treatment",
    ):
        assert f"behaviour-{expected}" in names


@pytest.mark.parametrize("chk", BEHAVIOUR_CHECKS, ids=lambda c: c.name)
def test_reference_behaviour(chk):
    result = chk.run()
    assert result.passed, (
        f"{chk.name}: {result.simulated} ({result.details}); expected {chk.expected}"
    )
