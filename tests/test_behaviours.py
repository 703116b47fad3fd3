"""Reference behaviours 1–7 of DESIGN.md / docs/ODD.md, emerging from the model's mechanisms.

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
        "acquisition-wins-young-market",
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
