"""The BG/NBD model of repeat buying and the gamma–gamma model of spend, fitted by maximum likelihood.

BG/NBD (Fader, Hardie & Lee 2005, "'Counting your customers' the easy way: an alternative to the
Pareto/NBD model", *Marketing Science* 24(2), 275–284): while alive, a customer makes repeat
purchases as a Poisson process with rate λ (per week); after each repeat purchase they drop out
for good with probability p. Across customers λ ~ Gamma(shape r, rate α) and p ~ Beta(a, b).
Time is in weeks (α is in weeks, r, a, b are dimensionless); a customer is summarised by
``frequency`` x (repeat purchases in (0, T]), ``recency`` t_x (time of the last one, 0 if none)
and ``T`` (time observed since the first purchase) — see :func:`cxsim.calibration.rfm`.

Gamma–gamma (Colombo & Jiang 1999, "A stochastic RFM model", *Journal of Interactive Marketing*
13(3); Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer base
analysis", *Journal of Marketing Research* 42(4), 415–430; Fader & Hardie 2013, "The gamma-gamma
model of monetary value"): a customer's spend per transaction is Gamma(shape p, rate ν), with ν
~ Gamma(shape q, rate γ) across customers; fitted to the mean spend z̄ of each customer's x ≥ 1
repeat transactions. Amounts are in the log's currency (γ too).

Parameters are estimated on the log scale with :func:`scipy.optimize.minimize` (the
log-likelihood is vectorised, written with ``gammaln``/``betaln``); standard errors come from the
inverse of a numerical Hessian of the log-likelihood on the log scale, mapped to the natural
scale by the delta method (``se(θ) = θ · se(log θ)``).

Reference fits (tests/test_calibration_bgnbd.py): on the CDNOW 2,357-customer sample, 39-week
calibration, r = 0.243, α = 4.414, a = 0.793, b = 2.426, log-likelihood −9582.4 (as published);
gamma–gamma on its 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from cxsim.calibration.errors import CalibrationError

__all__ = [
    "BGNBD",
    "GammaGamma",
    "bgnbd_loglik",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_loglik",
    "simulate_bgnbd",
]

_ArrayLike = float | Sequence[float] | np.ndarray | pd.Series


def _array(values: _ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim > 1:
        raise CalibrationError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise CalibrationError(f"{name} has missing or infinite values")
    return arr


def _rft(frequency: _ArrayLike, recency: _ArrayLike, T: _ArrayLike) -> tuple[np.ndarray, ...]:
    """Validated (x, t_x, T) arrays of one length."""
    x = np.atleast_1d(_array(frequency, "frequency"))
    tx = np.atleast_1d(_array(recency, "recency"))
    t_obs = np.atleast_1d(_array(T, "T"))
    x, tx, t_obs = np.broadcast_arrays(x, tx, t_obs)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise CalibrationError("frequency must hold non-negative whole numbers (repeat purchases)")
    if np.any(t_obs <= 0):
        raise CalibrationError("T (weeks observed since the first purchase) must be positive")
    if np.any(tx < 0) or np.any(tx > t_obs * (1 + 1e-9) + 1e-9):
        raise CalibrationError("recency must lie between 0 and T")
    if np.any((x == 0) & (tx != 0)):
        raise CalibrationError("recency must be 0 for customers with frequency 0")
    return x, tx, t_obs


def _numerical_hessian(grad: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, h: float = 1e-5):
    """Hessian by central differences of an analytic gradient, symmetrised."""
    k = len(x0)
    hess = np.empty((k, k))
    for i in range(k):
        step = np.zeros(k)
        step[i] = h
        hess[i] = (grad(x0 + step) - grad(x0 - step)) / (2 * h)
    return 0.5 * (hess + hess.T)


def _log_covariance(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """Inverse Hessian of the negative log-likelihood on the log scale (NaN if not invertible
    or not positive definite)."""
    hess = _numerical_hessian(grad, theta)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full_like(hess, np.nan)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return np.full_like(hess, np.nan)
    return cov


def _minimise(
    fun_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], theta0: np.ndarray
) -> optimize.OptimizeResult:
    """BFGS with an analytic gradient on the log-parameters (objective: mean negative
    log-likelihood per customer, so the tolerances do not depend on the sample size).

    A stop for precision loss (status 2: the line search cannot improve in floating point)
    with the gradient below :data:`CONVERGED_GRADIENT` counts as converged: at the optimum the
    last digits decide whether BFGS reaches its tolerance of 1e-9 or loses precision first,
    and which happens depends on the processor's floating-point paths, not on the fit."""
    result = optimize.minimize(
        fun_and_grad, theta0, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000}
    )
    if (
        not result.success
        and result.status == 2
        and np.max(np.abs(result.jac)) < CONVERGED_GRADIENT
    ):
        result.success = True
    return result


#: Largest gradient of the mean log-likelihood per customer (per log-parameter) at which a
#: precision-loss stop of BFGS counts as converged (:func:`_minimise`).
CONVERGED_GRADIENT = 1e-6


def _table(names: Sequence[str], values: Sequence[float], log_cov: np.ndarray) -> pd.DataFrame:
    values = np.asarray(values, dtype=float)
    log_se = np.sqrt(np.diag(log_cov))
    return pd.DataFrame(
        {
            "estimate": values,
            "se": values * log_se,
            # 95% interval computed on the log scale (always positive).
            "lower95": values * np.exp(-1.959964 * log_se),
            "upper95": values * np.exp(1.959964 * log_se),
        },
        index=pd.Index(list(names), name="parameter"),
    )


# --------------------------------------------------------------------------------------- BG/NBD


def bgnbd_loglik(
    r: float,
    alpha: float,
    a: float,
    b: float,
    frequency: _ArrayLike,
    recency: _ArrayLike,
    T: _ArrayLike,
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood ln L(r, α, a, b | x, t_x, T) (FHL 2005, eq. 6).

    ``L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
    + [x > 0] B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))``, combined with
    ``logaddexp`` for numerical safety. Times in weeks.
    """
    x, tx, t_obs = _rft(frequency, recency, T)
    return _bgnbd_ll(r, alpha, a, b, x, tx, t_obs)


def _bgnbd_ll(r, alpha, a, b, x, tx, t_obs, *, grad: bool = False):
    """Per-customer log-likelihood and, with ``grad=True``, its gradient in (r, α, a, b)."""
    base = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    log_at = np.log(alpha + t_obs)
    alive = betaln(a, b + x) - (r + x) * log_at
    repeat = x > 0
    dead = np.full_like(alive, -np.inf)
    xr = x[repeat]
    log_atx = np.log(alpha + tx)
    dead[repeat] = betaln(a + 1, b + xr - 1) - (r + xr) * log_atx[repeat]
    total = np.logaddexp(alive, dead)
    ll = base + total
    if not grad:
        return ll
    w_alive = np.exp(alive - total)
    w_dead = np.exp(dead - total)
    psi_abx = digamma(a + b + x)
    psi_bx1 = np.zeros_like(x)
    psi_bx1[repeat] = digamma(b + xr - 1)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_at - w_dead * log_atx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + t_obs) + w_dead / (alpha + tx))
    d_a = (
        digamma(a + b)
        - digamma(a)
        + w_alive * (digamma(a) - psi_abx)
        + w_dead * (digamma(a + 1) - psi_abx)
    )
    d_b = (
        digamma(a + b)
        - digamma(b)
        + w_alive * (digamma(b + x) - psi_abx)
        + w_dead * (psi_bx1 - psi_abx)
    )
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


def _hyp2f1_expected(r, alpha, a, b, t):
    """E[X(t)] for arrays t >= 0 (FHL 2005, eq. 7); a == 1 handled by symmetric perturbation."""
    if abs(a - 1.0) < 1e-7:
        return 0.5 * (
            _hyp2f1_expected(r, alpha, 1.0 - 1e-6, b, t)
            + _hyp2f1_expected(r, alpha, 1.0 + 1e-6, b, t)
        )
    t = np.asarray(t, dtype=float)
    z = t / (alpha + t)
    value = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    return np.where(t > 0, value, 0.0)


@dataclass(frozen=True)
class BGNBD:
    """A fitted (or given) BG/NBD model; times in weeks.

    Attributes
    ----------
    r, alpha: shape and rate (per week: α is in weeks) of the gamma distribution of purchase
        rates λ; the mean rate while alive is r/α purchases per week.
    a, b: the beta distribution of the drop-out probability p after each repeat purchase; the
        mean is a/(a+b).
    loglik: maximised log-likelihood (NaN for a model built by hand).
    n: customers it was fitted to (0 for a model built by hand).
    log_cov: covariance of (ln r, ln α, ln a, ln b) from the inverse Hessian (``None`` if not
        fitted); see :attr:`se` and :meth:`table`.
    converged: whether the optimiser reported success.
    """

    r: float
    alpha: float
    a: float
    b: float
    loglik: float = float("nan")
    n: int = 0
    log_cov: np.ndarray | None = field(default=None, compare=False, repr=False)
    converged: bool = True

    PARAMS = ("r", "alpha", "a", "b")

    @property
    def params(self) -> dict[str, float]:
        """``{"r": ..., "alpha": ..., "a": ..., "b": ...}``."""
        return {name: float(getattr(self, name)) for name in self.PARAMS}

    def table(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals (log scale), one row per parameter."""
        cov = self.log_cov if self.log_cov is not None else np.full((4, 4), np.nan)
        return _table(self.PARAMS, list(self.params.values()), cov)

    @property
    def se(self) -> dict[str, float]:
        """Standard errors by the delta method, ``se(θ) = θ · se(ln θ)`` (NaN if not fitted)."""
        return self.table()["se"].to_dict()

    def loglik_of(self, frequency: _ArrayLike, recency: _ArrayLike, T: _ArrayLike) -> np.ndarray:
        """Per-customer log-likelihood of data under these parameters."""
        return bgnbd_loglik(self.r, self.alpha, self.a, self.b, frequency, recency, T)

    def expected_repeats(self, t: _ArrayLike) -> np.ndarray | float:
        """E[X(t)]: expected repeat purchases in (0, t] weeks of a customer who made their first
        purchase at 0 (FHL 2005, eq. 7). Zero for t <= 0."""
        tt = np.asarray(t, dtype=float)
        out = _hyp2f1_expected(self.r, self.alpha, self.a, self.b, np.maximum(tt, 0.0))
        return float(out) if out.ndim == 0 else out

    def cohort_forecast(
        self, birth_weeks: _ArrayLike, weeks: _ArrayLike, *, lag: float = 1 / 7
    ) -> pd.Series:
        """Expected cumulative repeat purchases of a cohort, by week: the tracking-plot forecast.

        Parameters
        ----------
        birth_weeks:
            The members' first-purchase times, weeks since the log's start (e.g.
            ``rfm(...)["birth_week"]``).
        weeks:
            Week numbers ``w``; the value at ``w`` is ``Σ_i E[X(w − lag − birth_i)]``, the
            expected repeat purchases made in weeks 1..``w`` (compare with
            :func:`cxsim.calibration.cumulative_repeats` at the same ``weeks``).
        lag:
            Weeks between the end of week ``w`` and the time the ages are taken at. The default,
            one day (1/7 week), puts week ``w`` on the clock of :func:`cxsim.calibration.rfm`,
            whose ``T`` runs to the *last day* of the period (day ``7w − 1`` since the start):
            at ``w`` = the calibration length each member's age equals the ``T`` the model was
            fitted to. Pass ``lag=0`` for continuous time.

        Returns
        -------
        Series indexed by ``weeks`` (name ``"week"``): expected cumulative repeat purchases.
        """
        births, counts = np.unique(np.asarray(birth_weeks, dtype=float), return_counts=True)
        grid = np.atleast_1d(np.asarray(weeks, dtype=float))
        ages = np.maximum(grid[:, None] - lag - births[None, :], 0.0)
        expected = _hyp2f1_expected(self.r, self.alpha, self.a, self.b, ages) @ counts
        return pd.Series(expected, index=pd.Index(grid, name="week"), name="forecast")

    def p_alive(
        self, frequency: _ArrayLike, recency: _ArrayLike, T: _ArrayLike
    ) -> np.ndarray | float:
        """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
        (Fader, Hardie & Lee 2008 note "Computing P(alive) using the BG/NBD model")."""
        x, tx, t_obs = _rft(frequency, recency, T)
        out = expit(-self._log_odds_dead(x, tx, t_obs))
        return float(out[0]) if np.ndim(frequency) == 0 else out

    def _log_odds_dead(self, x, tx, t_obs):
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        repeat = x > 0
        odds = np.full(x.shape, -np.inf)
        xr = x[repeat]
        odds[repeat] = (
            np.log(a)
            - np.log(b + xr - 1)
            + (r + xr) * (np.log(alpha + t_obs[repeat]) - np.log(alpha + tx[repeat]))
        )
        return odds

    def conditional_expected(
        self, t: float, frequency: _ArrayLike, recency: _ArrayLike, T: _ArrayLike
    ) -> np.ndarray | float:
        """E[Y(t) | x, t_x, T]: expected repeat purchases in the next t weeks after T of a
        customer with history (x, t_x, T) (FHL 2005, eq. 10)."""
        x, tx, t_obs = _rft(frequency, recency, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        t = float(t)
        if t <= 0:
            out = np.zeros_like(x)
        else:
            aa = a if abs(a - 1.0) >= 1e-7 else 1.0 + 1e-6
            c = aa + b + x - 1
            z = t / (alpha + t_obs + t)
            ratio = (r + x) * (np.log(alpha + t_obs) - np.log(alpha + t_obs + t))
            num = c / (aa - 1) * (1 - np.exp(ratio) * hyp2f1(r + x, b + x, c, z))
            out = num * expit(-self._log_odds_dead(x, tx, t_obs))
        return float(out[0]) if np.ndim(frequency) == 0 else out


def fit_bgnbd(
    frequency: _ArrayLike,
    recency: _ArrayLike,
    T: _ArrayLike,
    *,
    start: Sequence[float] = (1.0, 1.0, 1.0, 1.0),
) -> BGNBD:
    """Fit a BG/NBD model by maximum likelihood.

    Parameters
    ----------
    frequency, recency, T:
        Per customer: repeat purchases x, weeks from the first to the last purchase t_x, weeks
        from the first purchase to the end of the calibration period T (see
        :func:`cxsim.calibration.rfm`).
    start:
        Starting values of (r, α, a, b).

    Returns
    -------
    :class:`BGNBD` with the estimates, the maximised log-likelihood, the number of customers and
    the log-scale covariance (standard errors via :attr:`BGNBD.se`).

    Identical (x, t_x, T) rows are pooled with weights, so large cohorts fit in about a second.
    """
    x, tx, t_obs = _rft(frequency, recency, T)
    if len(x) < 2:
        raise CalibrationError("fitting a BG/NBD model needs at least 2 customers")
    if not np.any(x > 0):
        raise CalibrationError("fitting a BG/NBD model needs at least one repeat purchase")
    rows, weights = np.unique(np.column_stack([x, tx, t_obs]), axis=0, return_counts=True)
    ux, utx, ut = rows.T
    weights = weights.astype(float)
    total = weights.sum()

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log-likelihood (summed) and its gradient in the log-parameters."""
        params = np.exp(theta)
        ll, jac = _bgnbd_ll(*params, ux, utx, ut, grad=True)
        value = -float(weights @ ll)
        gradient = -(jac @ weights) * params
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e300, np.zeros_like(theta)
        return value, gradient

    def scaled(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(theta)
        return value / total, gradient / total

    result = _minimise(scaled, np.log(np.asarray(start, dtype=float)))
    r, alpha, a, b = np.exp(result.x)
    return BGNBD(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        loglik=-objective(result.x)[0],
        n=len(x),
        log_cov=_log_covariance(lambda th: objective(th)[1], result.x),
        converged=bool(result.success),
    )


def simulate_bgnbd(
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: _ArrayLike,
    *,
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Draw (frequency, recency, T) for customers observed for ``T`` weeks after their first
    purchase under a BG/NBD model (exact, vectorised).

    For each customer: λ ~ Gamma(r, rate α), p ~ Beta(a, b); the repeat purchase at which they
    drop out is J ~ Geometric(p) on {1, 2, ...}; N ~ Poisson(λT) purchases would happen in
    (0, T] if they never dropped out; x = min(J, N), and the x-th purchase time is the x-th
    order statistic of N uniform times on (0, T], i.e. t_x = T · Beta(x, N − x + 1).
    """
    gen = np.random.default_rng(rng)
    t_obs = np.atleast_1d(_array(T, "T"))
    if np.any(t_obs <= 0):
        raise CalibrationError("T must be positive")
    n = len(t_obs)
    lam = gen.gamma(r, 1.0 / alpha, size=n)
    p = gen.beta(a, b, size=n)
    drop = gen.geometric(np.clip(p, 1e-300, 1.0))
    would = gen.poisson(lam * t_obs)
    x = np.minimum(drop, would)
    recency = np.zeros(n)
    some = x > 0
    recency[some] = t_obs[some] * gen.beta(x[some], would[some] - x[some] + 1)
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": t_obs})


# ---------------------------------------------------------------------------------- gamma–gamma


def _fm(frequency: _ArrayLike, monetary: _ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.atleast_1d(_array(frequency, "frequency"))
    m = np.atleast_1d(_array(monetary, "monetary"))
    x, m = np.broadcast_arrays(x, m)
    if np.any(x < 1) or np.any(x != np.round(x)):
        raise CalibrationError(
            "the gamma-gamma model needs customers with at least one repeat purchase "
            "(frequency >= 1): drop the others first"
        )
    if np.any(m <= 0):
        raise CalibrationError("monetary (mean spend per repeat purchase) must be positive")
    return x, m


def gamma_gamma_loglik(
    p: float, q: float, gamma: float, frequency: _ArrayLike, monetary: _ArrayLike
) -> np.ndarray:
    """Per-customer gamma–gamma log-likelihood of the mean repeat spend z̄ (Fader & Hardie 2013,
    eq. 4): ``Γ(px+q)/(Γ(px)Γ(q)) · γ^q z̄^(px−1) x^(px) / (γ + x z̄)^(px+q)``."""
    x, m = _fm(frequency, monetary)
    return _gg_ll(p, q, gamma, x, m)


def _gg_ll(p, q, gamma, x, m, *, grad: bool = False):
    """Per-customer log-likelihood and, with ``grad=True``, its gradient in (p, q, γ)."""
    px = p * x
    log_gxm = np.log(gamma + x * m)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_gxm
    )
    if not grad:
        return ll
    psi = digamma(px + q)
    d_p = x * (psi - digamma(px) + np.log(m) + np.log(x) - log_gxm)
    d_q = psi - digamma(q) + np.log(gamma) - log_gxm
    d_gamma = q / gamma - (px + q) / (gamma + x * m)
    return ll, np.stack([d_p, d_q, d_gamma])


@dataclass(frozen=True)
class GammaGamma:
    """A fitted gamma–gamma spend model (amounts in the log's currency).

    Attributes
    ----------
    p: shape of the gamma distribution of a transaction's spend.
    q, gamma: shape and rate (currency units) of the gamma distribution of its rate ν across
        customers. The population mean spend per transaction is p γ / (q − 1) (for q > 1).
    loglik, n, log_cov, converged: as in :class:`BGNBD`.
    """

    p: float
    q: float
    gamma: float
    loglik: float = float("nan")
    n: int = 0
    log_cov: np.ndarray | None = field(default=None, compare=False, repr=False)
    converged: bool = True

    PARAMS = ("p", "q", "gamma")

    @property
    def params(self) -> dict[str, float]:
        """``{"p": ..., "q": ..., "gamma": ...}``."""
        return {name: float(getattr(self, name)) for name in self.PARAMS}

    def table(self) -> pd.DataFrame:
        """Estimates with standard errors and 95% intervals (log scale), one row per parameter."""
        cov = self.log_cov if self.log_cov is not None else np.full((3, 3), np.nan)
        return _table(self.PARAMS, list(self.params.values()), cov)

    @property
    def se(self) -> dict[str, float]:
        """Standard errors by the delta method (NaN if not fitted)."""
        return self.table()["se"].to_dict()

    @property
    def mean_spend(self) -> float:
        """Population mean spend per transaction, p γ / (q − 1) (inf if q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")

    def conditional_expected_spend(
        self, frequency: _ArrayLike, monetary: _ArrayLike
    ) -> np.ndarray | float:
        """E[spend per transaction | x, z̄] = p (γ + x z̄) / (p x + q − 1): a weighted average of
        the population mean and the customer's own mean z̄ (Fader & Hardie 2013, eq. 5).

        Customers with no repeat purchase (frequency 0) get the population mean.
        """
        x = np.atleast_1d(_array(frequency, "frequency"))
        m = np.atleast_1d(np.asarray(monetary, dtype=float))
        x, m = np.broadcast_arrays(x, m)
        m = np.where(x > 0, m, 0.0)
        out = self.p * (self.gamma + x * m) / (self.p * x + self.q - 1)
        return float(out[0]) if np.ndim(frequency) == 0 else out


def fit_gamma_gamma(
    frequency: _ArrayLike,
    monetary: _ArrayLike,
    *,
    start: Sequence[float] = (1.0, 1.0, 1.0),
) -> GammaGamma:
    """Fit the gamma–gamma spend model by maximum likelihood.

    ``frequency`` (x >= 1) and ``monetary`` (z̄ > 0, mean spend of the x repeat purchases, in
    currency) per customer, e.g. ``rfm(...)`` restricted to ``frequency > 0``. The model assumes
    spend is independent of purchase frequency; check their correlation first.
    """
    x, m = _fm(frequency, monetary)
    if len(x) < 2:
        raise CalibrationError("fitting a gamma-gamma model needs at least 2 customers")

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(theta)
        ll, jac = _gg_ll(*params, x, m, grad=True)
        value = -float(ll.sum())
        gradient = -jac.sum(axis=1) * params
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e300, np.zeros_like(theta)
        return value, gradient

    total = float(len(x))

    def scaled(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(theta)
        return value / total, gradient / total

    result = _minimise(scaled, np.log(np.asarray(start, dtype=float)))
    p, q, gamma = np.exp(result.x)
    return GammaGamma(
        p=float(p),
        q=float(q),
        gamma=float(gamma),
        loglik=-objective(result.x)[0],
        n=len(x),
        log_cov=_log_covariance(lambda th: objective(th)[1], result.x),
        converged=bool(result.success),
    )
