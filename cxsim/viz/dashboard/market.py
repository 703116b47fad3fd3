"""The model behind the dashboard: a two-firm :class:`~cxsim.Market` built from the flat keywords
of the sidebar, with the default market (:class:`cxsim.Scenario`) as every default, that stops at
the scenario's horizon (``market.weeks``)."""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from cxsim.core.model import Market
from cxsim.params import Scenario, ScenarioError

__all__ = [
    "DEFAULT",
    "DEFAULT_SEED",
    "MAX_WAIT",
    "DashboardMarket",
    "parse_seed",
    "settings_problem",
]

#: The default market: every default of the dashboard is taken from it.
DEFAULT = Scenario()
#: The two firms the dashboard compares: the default market's first two (focal, rival).
_FOCAL, _RIVAL = DEFAULT.firms[:2]
#: The seed box's initial text: a fixed seed, so that the first market on the page is
#: reproducible.
DEFAULT_SEED = "42"
#: The sidebar's keywords and their defaults (the default market's values).
_KEYWORDS: dict[str, Any] = {
    "n_customers": DEFAULT.customers.n_customers,
    "focal_strategy": _FOCAL.strategy,
    "rival_strategy": _RIVAL.strategy,
    "budget": _FOCAL.budget,
    "expectation_inflation": DEFAULT.market.expectation_inflation,
    "trust_loss": DEFAULT.customers.trust_loss,
    "voice_minor": DEFAULT.customers.voice_minor,
    "network": DEFAULT.network.network,
    "weeks": DEFAULT.market.weeks,
    "seed": DEFAULT_SEED,
}
#: The longest a step waits for the page to show the one before (seconds).
MAX_WAIT = 1.0


def parse_seed(seed: Any) -> int | None:
    """A seed from the page's text box: a whole number ≥ 0, blank for a random one, any other
    text (a word, a class name) hashed to a number, so that it is a reproducible seed too.

    Raises :class:`ValueError` with a one-line message for a negative number (NumPy's seeds are
    never negative), :class:`TypeError` for a bool.
    """
    if seed is None:
        return None
    if isinstance(seed, bool):
        raise TypeError("seed must be an integer or text, not a bool")
    if isinstance(seed, int | np.integer):
        value = int(seed)
    else:
        text = str(seed).strip()
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            return zlib.crc32(text.encode("utf-8"))
    if value < 0:
        raise ValueError(f"seed {value} is negative: use a whole number from 0 up, or a word")
    return value


def settings_problem(settings: Mapping[str, Any]) -> str | None:
    """``None`` if :class:`DashboardMarket` can be built from ``settings`` (the sidebar's values),
    else a one-line message saying why; checks the scenario without building the market."""
    values = {**_KEYWORDS, **settings}
    try:
        parse_seed(values["seed"])
        firms = [
            replace(_FOCAL, strategy=values["focal_strategy"], budget=float(values["budget"])),
            replace(_RIVAL, strategy=values["rival_strategy"], budget=float(values["budget"])),
        ]
        DEFAULT.with_overrides(
            firms=firms,
            n_customers=int(values["n_customers"]),
            expectation_inflation=float(values["expectation_inflation"]),
            trust_loss=float(values["trust_loss"]),
            voice_minor=float(values["voice_minor"]),
            network=values["network"],
            weeks=int(values["weeks"]),
        )
    except (ScenarioError, TypeError, ValueError) as exc:
        return " ".join(str(exc).split()) or type(exc).__name__
    return None


class DashboardMarket(Market):
    """A :class:`~cxsim.Market` with two firms, built from flat keywords (what SolaraViz sets).

    Every default is the default market's (:data:`DEFAULT`, i.e. ``cxsim.Scenario()``).

    Args:
        n_customers: population size.
        focal_strategy, rival_strategy: budget split presets (keys of
            :data:`cxsim.params.STRATEGIES`) of the default market's two firms (``"focal"`` and
            ``"rival"``); their other parameters are the default market's.
        budget: each firm's budget, currency per year.
        expectation_inflation: market-wide rise of expectations, quality units per week.
        trust_loss: share of trust lost on a miss (trust is won at ``trust_gain`` per met
            expectation: the asymmetry).
        voice_minor: probability that a small problem is voiced as a complaint.
        network: social network kind (one of :data:`cxsim.viz.app.NETWORKS`, or ``"complete"``).
        weeks: the horizon: Play stops there (``market.weeks``).
        seed: integer seed ≥ 0; text is hashed, blank or ``None`` draws a fresh one.
        settings: a mapping of any of the keywords above, which override them: the sidebar's
            values (SolaraViz's Reset passes the page's own, so that it builds the market the
            sidebar shows).
        **params: any other scalar parameter of :mod:`cxsim.params` by its flat name; also
            ``scenario`` (a cxsim Scenario to start from) and ``rng`` (overrides ``seed``).

    Attributes:
        settings: the keywords this market was built with (the sidebar compares them with its
            own to say whether a change is waiting to be applied).
        horizon: the scenario's ``market.weeks``; :meth:`step` sets ``running`` to ``False``
            there, which stops SolaraViz's Play (and disables Step) at the horizon, and steps no
            further.
        step_ms: a running average of the time of one step, in milliseconds (the page's play
            speed is paced with it).
        shown, max_lag: set by the page: the week its pictures show, and how many steps it
            lets the market run ahead of them (the render interval). While a page shows the
            market, :meth:`step` waits (up to :data:`MAX_WAIT` seconds) until the pictures have
            caught up, so that Play never runs ahead of what the class sees. ``None``: no page,
            no waiting.
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
        weeks: int = DEFAULT.market.weeks,
        seed: Any = DEFAULT_SEED,
        settings: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> None:
        given: dict[str, Any] = {
            "n_customers": n_customers,
            "focal_strategy": focal_strategy,
            "rival_strategy": rival_strategy,
            "budget": budget,
            "expectation_inflation": expectation_inflation,
            "trust_loss": trust_loss,
            "voice_minor": voice_minor,
            "network": network,
            "weeks": weeks,
            "seed": seed,
        }
        for key, value in (settings or {}).items():
            if key in given:
                given[key] = value
            else:
                params.setdefault(key, value)
        self.settings: dict[str, Any] = dict(given)
        rng = params.pop("rng", None)
        # SolaraViz's Reset passes Mesa's own Scenario as ``scenario=``; Market accepts it and
        # takes its rng when it carries one, otherwise the dashboard's seed decides
        scenario = params.pop("scenario", None)
        if rng is None and getattr(scenario, "rng", None) is None:
            rng = parse_seed(given["seed"])
        firms = [
            replace(_FOCAL, strategy=given["focal_strategy"], budget=float(given["budget"])),
            replace(_RIVAL, strategy=given["rival_strategy"], budget=float(given["budget"])),
        ]
        super().__init__(
            scenario,
            rng=rng,
            firms=firms,
            n_customers=int(given["n_customers"]),
            expectation_inflation=float(given["expectation_inflation"]),
            trust_loss=float(given["trust_loss"]),
            voice_minor=float(given["voice_minor"]),
            network=given["network"],
            weeks=int(given["weeks"]),
            **params,
        )
        self.horizon = float(self.config.market.weeks)
        self.step_ms = 0.0
        self.running = self.week < self.horizon - 1e-9
        self.shown: float | None = None
        self.max_lag = 1

    def step(self) -> None:
        """One week; at the horizon (``market.weeks``) the market stops running, and a market
        that stopped does not step again (SolaraViz's Play may ask for a few weeks at once:
        none goes past the horizon). To run past it, build a :class:`cxsim.Market`."""
        if not self.running:
            return
        if self.shown is not None:
            deadline = time.monotonic() + MAX_WAIT
            while (self.week - self.shown) / self.dt > self.max_lag - 0.5:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.002)
        start = time.perf_counter()
        super().step()
        ms = 1000.0 * (time.perf_counter() - start)
        self.step_ms = ms if self.step_ms == 0.0 else 0.8 * self.step_ms + 0.2 * ms
        if self.week >= self.horizon - 1e-9:
            self.running = False
