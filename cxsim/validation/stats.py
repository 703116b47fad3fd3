"""The statistics behind the checks' verdicts: t thresholds, paired t, two shares, TOST, strata.

Every stochastic check of ``cxsim validate`` decides with one of these, at a stated level
:data:`ALPHA` (the chance that a correct model fails one comparison by noise alone), and every
threshold comes from the t distribution with the degrees of freedom of the replications actually
run (``scipy.stats.t.ppf``). A fixed ``z > 3`` would not do: with 3 paired replications (2
degrees of freedom) ``P(t₂ > 3) = 4.8 %``, not the 0.13 % of the normal distribution.
Comparisons of binomial shares over thousands of experiences use the normal limit
(``df = inf``); where the groups compared differ in a confounder, within its strata
(Mantel–Haenszel risk difference).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Level of every one-sided comparison (two-sided tests split it): a correct model fails a given
#: comparison by Monte-Carlo noise alone with probability at most 0.5 %.
ALPHA = 0.005


def t_threshold(df: float, alpha: float = ALPHA, *, two_sided: bool = False) -> float:
    """Critical value of Student's t with ``df`` degrees of freedom at level ``alpha``.

    One-sided: ``P(T > c) = alpha``; two-sided: ``P(|T| > c) = alpha``. ``df = inf`` gives the
    normal quantile (large-sample tests of shares).

    >>> round(t_threshold(2, 0.05), 3)          # 3 paired replications, 5 % one-sided
    2.92
    >>> round(t_threshold(math.inf, 0.05, two_sided=True), 3)
    1.96
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha={alpha} must be in (0, 1)")
    if not df > 0:
        raise ValueError(f"df={df} must be positive")
    q = 1.0 - (alpha / 2.0 if two_sided else alpha)
    return float(stats.norm.ppf(q) if math.isinf(df) else stats.t.ppf(q, df))


@dataclass(frozen=True)
class Test:
    """A test statistic, its degrees of freedom and the verdict at a level.

    Attributes:
        stat: the statistic (t, or z where ``df`` is infinite).
        df: degrees of freedom (``inf`` for the normal limit).
        threshold: the critical value at ``alpha``.
        alpha: the level.
        passed: whether the statistic clears the threshold (``stat > threshold``).
        estimate: the estimated difference the statistic is about.
        se: its standard error.
    """

    stat: float
    df: float
    threshold: float
    alpha: float
    passed: bool
    estimate: float = float("nan")
    se: float = float("nan")

    def __str__(self) -> str:
        df = "inf" if math.isinf(self.df) else f"{self.df:.3g}"
        return f"t = {self.stat:.3g} (df {df}, limit {self.threshold:.3g})"


def _greater(estimate: float, se: float, df: float, alpha: float) -> Test:
    stat = estimate / se if se > 0 else (math.inf if estimate > 0 else -math.inf)
    c = t_threshold(df, alpha)
    return Test(float(stat), float(df), c, alpha, bool(stat > c), float(estimate), float(se))


def paired_greater(
    a: Sequence[float], b: Sequence[float], alpha: float = ALPHA, *, margin: float = 0.0
) -> Test:
    """One-sided paired t test that ``mean(a − b) > margin`` (replications share seeds).

    ``n`` pairs give ``n − 1`` degrees of freedom.
    """
    d = np.asarray(a, float) - np.asarray(b, float)
    if d.size < 2:
        raise ValueError("a paired t test needs at least two pairs")
    se = float(d.std(ddof=1) / math.sqrt(d.size))
    return _greater(float(d.mean()) - margin, se, d.size - 1, alpha)


def mean_greater(values: Sequence[float], value: float, alpha: float = ALPHA) -> Test:
    """One-sided one-sample t test that ``mean(values) > value`` (``n − 1`` df)."""
    return paired_greater(values, np.full(len(values), value, dtype=float), alpha)


def shares_greater(p1: float, n1: float, p2: float, n2: float, alpha: float = ALPHA) -> Test:
    """One-sided large-sample test that share ``p1`` (of ``n1``) exceeds ``p2`` (of ``n2``),
    independent binomial samples, unpooled standard error, normal limit."""
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return _greater(p1 - p2, se, math.inf, alpha)


@dataclass(frozen=True)
class Equivalence:
    """Result of :func:`tost`.

    Attributes:
        estimate: the estimated difference.
        se: its standard error.
        df: degrees of freedom.
        margin: the equivalence margin ``δ`` (equivalent means ``|difference| < δ``).
        t_lower: ``(estimate + δ)/se``, tests ``difference > −δ``.
        t_upper: ``(estimate − δ)/se``, tests ``difference < δ``.
        p: the TOST p-value, the larger of the two one-sided p-values.
        alpha: the level.
        equivalent: ``p < alpha``: both one-sided nulls rejected.
    """

    estimate: float
    se: float
    df: float
    margin: float
    t_lower: float
    t_upper: float
    p: float
    alpha: float
    equivalent: bool

    def __str__(self) -> str:
        return (
            f"{self.estimate:+.3g} ± {self.se:.2g} within ±{self.margin:g}: TOST p = {self.p:.2g}"
        )


def tost(estimate: float, se: float, margin: float, df: float, alpha: float = ALPHA) -> Equivalence:
    """Two one-sided tests of equivalence (Schuirmann 1987).

    Equivalence within ``margin`` (``|true difference| < δ``) is *shown*, not merely not
    rejected: both null hypotheses ``difference ≤ −δ`` and ``difference ≥ δ`` must be rejected
    at ``alpha``, each by a one-sided t test with ``df`` degrees of freedom (``inf``: normal).
    Equivalently, the ``1 − 2α`` confidence interval lies inside ``(−δ, δ)``. A test that merely
    fails to reject a difference passes whenever the data are too few; this one fails then.

    Schuirmann, D. J. (1987). A comparison of the two one-sided tests procedure and the power
    approach for assessing the equivalence of average bioavailability. *Journal of
    Pharmacokinetics and Biopharmaceutics*, 15(6), 657–680.

    Args:
        estimate: the estimated difference.
        se: its standard error (> 0).
        margin: the equivalence margin ``δ > 0``, stated before looking at the data.
        df: degrees of freedom of ``se``.
        alpha: level of each one-sided test.
    """
    if not margin > 0:
        raise ValueError(f"margin={margin} must be positive")
    if not se > 0:
        raise ValueError(f"se={se} must be positive")
    dist = stats.norm if math.isinf(df) else stats.t(df)
    t_lower = (estimate + margin) / se
    t_upper = (estimate - margin) / se
    p = float(max(dist.sf(t_lower), dist.cdf(t_upper)))
    return Equivalence(
        float(estimate),
        float(se),
        float(df),
        float(margin),
        float(t_lower),
        float(t_upper),
        p,
        alpha,
        bool(p < alpha),
    )


def shares_tost(
    p1: float, n1: float, p2: float, n2: float, margin: float, alpha: float = ALPHA
) -> Equivalence:
    """:func:`tost` for the difference of two independent binomial shares (normal limit)."""
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return tost(p1 - p2, se, margin, math.inf, alpha)


@dataclass(frozen=True)
class Stratified:
    """A risk difference combined over strata by :func:`mh_risk_difference`.

    Attributes:
        estimate: the Mantel–Haenszel risk difference.
        se: its standard error (Greenland & Robins 1985).
        strata: strata that entered (both groups followed at least once).
    """

    estimate: float
    se: float
    strata: int


def mh_risk_difference(
    p1: Sequence[float], n1: Sequence[float], p2: Sequence[float], n2: Sequence[float]
) -> Stratified:
    """Mantel–Haenszel risk difference of share ``p1`` (of ``n1``) over ``p2`` (of ``n2``), one
    entry per stratum, with the Greenland–Robins variance.

    Compares like with like when the groups differ in their mix of a factor that moves the share
    (a confounder): each stratum gives ``d_k = p1_k − p2_k``, combined with weights
    ``w_k = n1_k·n2_k / (n1_k + n2_k)``: ``d = Σ w_k d_k / Σ w_k`` (Mantel & Haenszel 1959;
    weights that do not depend on the estimated shares, so a stratum's share near 0 or 1 does not
    capture the estimate as inverse-variance weights would). Variance
    ``Σ w_k² (p1_k(1 − p1_k)/n1_k + p2_k(1 − p2_k)/n2_k) / (Σ w_k)²``, Greenland & Robins (1985),
    consistent when the strata are few and large (here); a stratum missing either group carries no
    weight. One stratum gives the plain difference and its unpooled SE (:func:`shares_greater`).

    Mantel, N. & Haenszel, W. (1959). Statistical aspects of the analysis of data from
    retrospective studies of disease. *Journal of the National Cancer Institute*, 22(4), 719–748.
    Greenland, S. & Robins, J. M. (1985). Estimation of a common effect parameter from sparse
    follow-up data. *Biometrics*, 41(1), 55–68.
    """
    p1, n1, p2, n2 = (np.asarray(x, float) for x in (p1, n1, p2, n2))
    ok = (n1 > 0) & (n2 > 0)
    if not ok.any():
        raise ValueError("no stratum has both groups")
    p1, n1, p2, n2 = p1[ok], n1[ok], p2[ok], n2[ok]
    w = n1 * n2 / (n1 + n2)
    d = float(np.sum(w * (p1 - p2)) / w.sum())
    var = float(np.sum(w**2 * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)) / w.sum() ** 2)
    return Stratified(d, math.sqrt(var), int(ok.sum()))


def stratified_shares_greater(
    p1: Sequence[float],
    n1: Sequence[float],
    p2: Sequence[float],
    n2: Sequence[float],
    alpha: float = ALPHA,
) -> Test:
    """:func:`shares_greater` within strata: one-sided test that the Mantel–Haenszel risk
    difference (:func:`mh_risk_difference`) is positive (normal limit)."""
    r = mh_risk_difference(p1, n1, p2, n2)
    return _greater(r.estimate, r.se, math.inf, alpha)


def stratified_shares_tost(
    p1: Sequence[float],
    n1: Sequence[float],
    p2: Sequence[float],
    n2: Sequence[float],
    margin: float,
    alpha: float = ALPHA,
) -> Equivalence:
    """:func:`shares_tost` within strata: TOST on the Mantel–Haenszel risk difference
    (:func:`mh_risk_difference`, normal limit)."""
    r = mh_risk_difference(p1, n1, p2, n2)
    return tost(r.estimate, r.se, margin, math.inf, alpha)
