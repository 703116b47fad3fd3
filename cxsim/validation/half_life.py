"""Docking with the half-life of the expectation gap, ``ln 2 / −ln(1 − α)`` purchases.

At constant quality the rule :func:`cxsim.core.rules.adapt_expectation` shrinks the gap between
expectation and experience by ``(1 − α)`` per purchase; measured on the rule itself
(:func:`rule_half_life`) and in a :class:`~cxsim.Market` run (:func:`expectation_half_life`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core import rules
from cxsim.core.model import Market
from cxsim.params import FirmSpec
from cxsim.validation.quiet import QUIET


def half_life_closed_form(alpha: float) -> float:
    """Purchases for the expectation gap to halve at constant quality: ``ln 2 / −ln(1 − α)``."""
    return math.log(2.0) / -math.log1p(-alpha)


def _fitted_half_life(gaps: np.ndarray) -> float:
    """Half-life (steps) of a geometric sequence of gaps, from a log-linear least-squares fit."""
    gaps = np.abs(np.asarray(gaps, dtype=float))
    keep = gaps > 1e-6 * gaps[0]  # below that, rounding of E near X dominates
    k = np.arange(gaps.size)[keep]
    slope = np.polyfit(k, np.log(gaps[keep]), 1)[0]
    return math.log(2.0) / -slope


def rule_half_life(alpha: float, *, gap: float = 1.0, purchases: int = 20) -> float:
    """Half-life measured on the rule itself: ``adapt_expectation`` applied ``purchases`` times
    at constant experienced quality, starting ``gap`` below (``gap > 0``, rate ``α`` up) or above it."""
    quality = 5.0
    e = np.array([quality - gap])
    gaps = [gap]
    for _ in range(purchases):
        e = rules.adapt_expectation(e, np.array([quality]), alpha, alpha)
        gaps.append(float(quality - e[0]))
    return _fitted_half_life(np.array(gaps))


def expectation_half_life(
    gap: float = 1.0,
    *,
    n_customers: int = 1_000,
    purchases: int = 20,
    rng: Any = 0,
    **params: Any,
) -> pd.Series:
    """Half-life of the expectation gap in a :class:`~cxsim.Market` run at constant quality.

    One firm of quality 5 that spends nothing, known to everyone and chosen by everyone at every
    step (``need_rate = inf``, no outside option); experiences without noise or mismatch (every
    customer's need sits at the firm's position), so each customer experiences exactly 5;
    every customer starts expecting ``5 − gap``. The mean gap between experience and prediction
    before purchase ``k`` is then ``gap·(1 − α)^(k−1)`` with ``α`` the model's
    ``expectation_up`` (``gap > 0``) or ``expectation_down`` (``gap < 0``). ``params`` override
    model parameters (e.g. ``expectation_up=0.4``).

    Returns:
        Series: ``half_life`` (purchases, fitted to the mean gap between experience and
        prediction), ``closed_form``, ``alpha``, ``first_gap`` (the gap before the first purchase).
    """
    quality = 5.0
    firm = FirmSpec(
        name="steady",
        strategy="none",
        budget=0.0,
        budget_revenue_share=0.0,
        quality=quality,
        base_reach=0.0,
        initial_customers=0.0,
        initial_awareness=1.0,
    )
    settings = dict(
        QUIET,
        experience_noise=0.0,
        mismatch_weight=0.0,
        need_heterogeneity=0.0,  # every need at the offer's position: no mismatch of any kind
        initial_expectation=quality - gap,
        initial_expectation_sd=0.0,
        social_influence=0.0,
        network="complete",
    )
    settings.update(params)
    market = Market(
        rng=rng, customer_agents=False, firms=[firm], n_customers=n_customers, **settings
    )
    # the gap between the experience and the customers' *prediction* ("will" expectation, the
    # one adapt_expectation moves) before each purchase; the "should" standard that experiences
    # are judged against only ratchets up (rules.raise_standard), so it has no downward half-life
    d = np.empty(purchases)
    for k in range(purchases):
        d[k] = quality - float(market.customers.expectation[:, 0].mean())
        market.step()
    cfg = market.config.customers
    alpha = cfg.expectation_up if gap > 0 else cfg.expectation_down
    return pd.Series(
        {
            "half_life": _fitted_half_life(d),
            "closed_form": half_life_closed_form(alpha),
            "alpha": alpha,
            "first_gap": float(d[0]),
        }
    )
