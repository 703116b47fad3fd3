"""The model behind the dashboard: a two-firm :class:`~cxsim.Market` built from the flat keywords
SolaraViz sets, with the default market (:class:`cxsim.Scenario`) as every default."""

from __future__ import annotations

import zlib
from dataclasses import replace
from typing import Any

import numpy as np

from cxsim.core.model import Market
from cxsim.params import Scenario

__all__ = ["DEFAULT", "DEFAULT_SEED", "DashboardMarket", "parse_seed"]

#: The default market: every default of the dashboard is taken from it.
DEFAULT = Scenario()
#: The two firms the dashboard compares: the default market's first two (focal, rival).
_FOCAL, _RIVAL = DEFAULT.firms[:2]
#: The seed box's initial text: a fixed seed, so that the first market on the page is
#: reproducible.
DEFAULT_SEED = "42"


def parse_seed(seed: Any) -> int | None:
    """A seed from the page's text box: an integer, blank for a random one, any other text
    hashed to a number (so every input is a valid, reproducible seed)."""
    if seed is None:
        return None
    if isinstance(seed, bool):
        raise TypeError("seed must be an integer or text, not a bool")
    if isinstance(seed, int | np.integer):
        return int(seed)
    text = str(seed).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return zlib.crc32(text.encode("utf-8"))


class DashboardMarket(Market):
    """A :class:`~cxsim.Market` with two firms, built from flat keywords (what SolaraViz sets).

    Every default is the default market's (:data:`DEFAULT`, i.e. ``cxsim.Scenario()``).

    Args:
        n_customers: population size.
        focal_strategy, rival_strategy: budget split presets (keys of
            :data:`cxsim.params.STRATEGIES`) of the default market's two firms (``"focal"`` and
            ``"rival"``); their other parameters are the default market's.
        budget: each firm's budget, currency per market customer per week.
        expectation_inflation: market-wide rise of expectations, quality units per week.
        trust_loss: share of trust lost on a miss (trust is won at ``trust_gain`` per met
            expectation: the asymmetry).
        voice_minor: probability that a small problem is voiced as a complaint.
        network: social network kind (one of :data:`cxsim.viz.app.NETWORKS`, or ``"complete"``).
        seed: integer seed; text is hashed, blank or ``None`` draws a fresh one.
        **params: any other scalar parameter of :mod:`cxsim.params` by its flat name; also
            ``scenario`` (a cxsim Scenario to start from) and ``rng`` (overrides ``seed``).
    """

    def __init__(
        self,
        n_customers: int = DEFAULT.customers.n_customers,
        focal_strategy: str = _FOCAL.strategy,
        rival_strategy: str = _RIVAL.strategy,
        budget: float = _FOCAL.budget,
        expectation_inflation: float = DEFAULT.market.expectation_inflation,
        trust_loss: float = DEFAULT.customers.trust_loss,
        voice_minor: float = DEFAULT.customers.voice_minor,
        network: str = DEFAULT.network.network,
        seed: Any = DEFAULT_SEED,
        **params: Any,
    ) -> None:
        rng = params.pop("rng", None)
        # SolaraViz's Reset passes Mesa's own Scenario as ``scenario=``; Market accepts it and
        # takes its rng when it carries one, otherwise the dashboard's seed decides
        scenario = params.pop("scenario", None)
        if rng is None and getattr(scenario, "rng", None) is None:
            rng = parse_seed(seed)
        firms = [
            replace(_FOCAL, strategy=focal_strategy, budget=float(budget)),
            replace(_RIVAL, strategy=rival_strategy, budget=float(budget)),
        ]
        super().__init__(
            scenario,
            rng=rng,
            firms=firms,
            n_customers=int(n_customers),
            expectation_inflation=float(expectation_inflation),
            trust_loss=float(trust_loss),
            voice_minor=float(voice_minor),
            network=network,
            **params,
        )
