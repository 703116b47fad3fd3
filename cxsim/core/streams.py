"""Random streams: one independent generator per mechanism of the market.

Every mechanism draws its random numbers from its own stream, spawned from the market's seed
(``numpy.random.SeedSequence`` spawning, the NumPy way to make independent streams). Two markets
with the same seed therefore share every stream, and a change in one mechanism does not reshuffle
the draws of the others: a different spend parameter changes nothing about who has a need this
week or whom word of mouth reaches. This is what makes common random numbers work for
calibration and comparisons (Rand & Rust 2011 on controlling stochasticity; Kleijnen 2008 on
common random numbers).
"""

from __future__ import annotations

import numpy as np

#: The market's mechanisms that draw random numbers, in the (fixed) order their streams are
#: spawned. New mechanisms are appended, so existing streams keep their numbers.
MECHANISMS: tuple[str, ...] = (
    "network",
    "population",
    "seeding",
    "awareness",
    "needs",
    "choice",
    "experience",
    "word_of_mouth",
    "complaints",
    "recovery",
    "churn",
    "spend",
    "trial",
    "survey",
)


class Streams:
    """One ``numpy.random.Generator`` per mechanism, as attributes (``streams.needs``).

    Args:
        rng: the market's generator; its seed sequence is spawned (its own state is not used),
            so the streams depend only on how the generator was seeded.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        children = rng.spawn(len(MECHANISMS))
        for name, child in zip(MECHANISMS, children, strict=True):
            setattr(self, name, child)

    def __getattr__(self, name: str) -> np.random.Generator:  # for type checkers
        raise AttributeError(f"no random stream named {name!r}; streams: {', '.join(MECHANISMS)}")
