"""The indirect-inference engine behind :func:`cxsim.calibration.calibrate`.

:class:`Problem` holds the data's auxiliary statistics β_data (the cohort's BG/NBD ln r, ln α,
ln a, ln b), their covariance and how to simulate β_sim(θ) (the base scenario with θ, the same
seeds at every θ: common random numbers). :func:`estimate` minimises

    Q(θ) = (β_sim(θ) − β_data)ᵀ W (β_sim(θ) − β_data),   W = Cov(β_data)⁻¹,

over θ on the log scale within :data:`CALIBRATED`'s bounds (Gourieroux, Monfort & Renault 1993,
"Indirect inference", *Journal of Applied Econometrics* 8, S85–S118).

**The search.** A simulated objective is a step function of θ (customers are discrete), and in
cxsim a change of θ shifts which draw of a stream goes to which customer once the number of needs
or buyers changes, so finite differences of Q with small steps measure noise. The search is
therefore a Gauss–Newton iteration on *local linear surrogates* (response-surface methodology,
Box & Wilson 1951): at the current θ, β_sim is simulated at the centre and ±h along each axis
(h = :data:`STEP` on the log scale), a linear model β ≈ β₀ + G Δln θ is fitted by least squares,
and the step minimises the surrogate's Q within the bounds and a trust radius
(:func:`scipy.optimize.lsq_linear`); a step that makes the simulated Q worse is taken back and the
radius halved. Nelder–Mead on the raw simulated Q would need hundreds of evaluations and chase
the noise.

**The final surrogate step** fits the linear model again on a 17-point design around the last
centre (centre, axial points, a 2⁴⁻¹ fraction); θ̂ is its minimiser (a step of at most h), and G
gives the standard errors

    Var(ln θ̂) = (1 + 1/S′) (Gᵀ W G)⁻¹,   S′ = (simulated cohort size) / (real cohort size)

(Gourieroux, Monfort & Renault 1993, prop. 4; McFadden 1989; Pakes & Pollard 1989), mapped to θ
by the delta method. With as many auxiliary statistics as parameters the model is exactly
identified: J = Q(θ̂)/(1 + 1/S′) is near 0 when cxsim can reproduce the cohort's BG/NBD
parameters, and large when it cannot.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from cxsim.calibration.bgnbd import fit_bgnbd
from cxsim.calibration.errors import CalibrationError
from cxsim.calibration.simulate import cohort_rfm, simulate_purchases

__all__ = ["CALIBRATED", "Problem", "estimate"]

#: The parameters fitted by simulated moments: name, search bounds (natural scale).
CALIBRATED: tuple[tuple[str, float, float], ...] = (
    ("need_rate", 1e-3, 5.0),
    ("need_rate_shape", 0.1, 100.0),
    ("churn_base", 1e-4, 1.0),
    ("leave_heterogeneity", 0.05, 100.0),
)
NAMES = tuple(name for name, _, _ in CALIBRATED)
LOW = np.log([low for _, low, _ in CALIBRATED])
HIGH = np.log([high for _, _, high in CALIBRATED])

#: Half-width of a surrogate's design on the log scale (±22% in θ).
STEP = 0.2
#: Half-width of the final surrogate's design (±35% in θ): wider than the search's, so that the
#: Jacobian behind the standard errors is less noisy.
FINAL_STEP = 0.3
#: Largest step of one iteration on the log scale, at the start (a factor e).
RADIUS = 1.0


def _fractional_factorial() -> np.ndarray:
    """The 2⁴⁻¹ design (D = ABC): 8 corners of the 4-cube, balanced and orthogonal."""
    abc = np.array([[a, b, c] for a in (-1, 1) for b in (-1, 1) for c in (-1, 1)], dtype=float)
    return np.column_stack([abc, abc.prod(axis=1)])


_AXIAL = np.vstack([np.zeros((1, 4)), np.eye(4), -np.eye(4)])
_FINAL = np.vstack([_AXIAL, _fractional_factorial()])


@dataclass
class Problem:
    """One indirect-inference problem: the data's auxiliary statistics and how to simulate them.

    Attributes
    ----------
    scenario: the base scenario (any ``n_customers``: :attr:`n_customers` replaces it).
    beta_data: (4,) ln r, ln α, ln a, ln b of the data's cohort.
    cov_data: (4, 4) their covariance.
    n_data: the data's cohort size.
    weeks: weeks to simulate (the calibration period, rounded up).
    cohort_days: the cohort is first purchases before this day.
    end_day: the calibration period's last day.
    seeds: one seed per replication, the same at every θ.
    firm: the firm whose log it is.
    n_customers: the simulated market's population (set by :meth:`size`).
    raw_rate: the data cohort's repeat purchases per week observed, Σx / ΣT (the pilot's is
        matched to it in :func:`starting_values`).
    """

    scenario: object
    beta_data: np.ndarray
    cov_data: np.ndarray
    n_data: int
    weeks: float
    cohort_days: int
    end_day: int
    seeds: list[int]
    firm: str = "focal"
    n_customers: int = 20_000
    raw_rate: float = math.nan
    on_eval: Callable[[], None] | None = None
    evaluations: int = 0
    n_sim: int = 0

    def scenario_at(self, log_theta: np.ndarray, n_customers: int | None = None):
        """The base scenario with θ = exp(log_theta) and the simulated population."""
        values = {f"customers.{k}": float(v) for k, v in zip(NAMES, np.exp(log_theta), strict=True)}
        # the base market, larger (budgets scaled with it: same spend per customer)
        return self.scenario.resized(int(n_customers or self.n_customers)).with_overrides(values)

    def cohort(self, log_theta: np.ndarray, seeds: list[int], n_customers: int | None = None):
        """The simulated cohort's (frequency, recency, T) pooled over ``seeds``."""
        scenario = self.scenario_at(log_theta, n_customers)
        frames = []
        for seed in seeds:
            purchases = simulate_purchases(scenario, seed=seed, weeks=self.weeks, firm=self.firm)
            frames.append(cohort_rfm(purchases, cohort_days=self.cohort_days, end_day=self.end_day))
        self.evaluations += 1
        if self.on_eval is not None:
            self.on_eval()
        return pd.concat(frames, ignore_index=True)

    def beta(self, log_theta: np.ndarray) -> np.ndarray:
        """β_sim(θ): the BG/NBD fitted to the pooled simulated cohort (NaN where it cannot be)."""
        pooled = self.cohort(log_theta, self.seeds)
        self.n_sim = len(pooled)
        try:
            fit = fit_bgnbd(pooled["frequency"], pooled["recency"], pooled["T"])
        except CalibrationError:  # too few customers or no repeat purchase at all
            return np.full(4, np.nan)
        return np.log([fit.r, fit.alpha, fit.a, fit.b])

    @property
    def sim_ratio(self) -> float:
        """S′: simulated over real cohort size (over every replication)."""
        return max(self.n_sim, 1) / self.n_data

    def objective(self, beta: np.ndarray) -> float:
        """Q = (β − β_data)ᵀ W (β − β_data); inf if β could not be simulated."""
        if not np.all(np.isfinite(beta)):
            return math.inf
        d = beta - self.beta_data
        return float(d @ np.linalg.solve(self.cov_data, d))

    def size(self, log_theta: np.ndarray, target: int, pilot: int = 20_000) -> None:
        """Set :attr:`n_customers` so one replication's cohort has about ``target`` members
        (a pilot run of ``pilot`` customers with the first seed), within [1,000, 500,000]."""
        n = len(self.cohort(log_theta, self.seeds[:1], pilot))
        per_customer = max(n, 10) / pilot
        self.n_customers = int(min(max(target / per_customer, 1_000), 500_000))


@dataclass
class Surrogate:
    """A local linear model β ≈ β₀ + G (ln θ − centre), fitted by least squares."""

    centre: np.ndarray
    beta0: np.ndarray
    jacobian: np.ndarray
    points: np.ndarray
    betas: np.ndarray

    def predict(self, log_theta: np.ndarray) -> np.ndarray:
        return self.beta0 + self.jacobian @ (log_theta - self.centre)


def _design_points(centre: np.ndarray, design: np.ndarray, h: float) -> np.ndarray:
    """Design points around ``centre`` (±h), mirrored inwards where a bound is in the way."""
    points = centre + h * design
    over, under = points > HIGH, points < LOW
    points = np.where(over, centre - h * np.abs(design), points)
    points = np.where(under, centre + h * np.abs(design), points)
    return np.clip(points, LOW, HIGH)


def fit_surrogate(problem: Problem, centre: np.ndarray, design: np.ndarray, h: float) -> Surrogate:
    """Simulate β at the design's points and fit the linear surrogate (rows that could not be
    simulated are dropped; a singular design leaves NaNs in G)."""
    points = _design_points(centre, design, h)
    betas = np.array([problem.beta(p) for p in points])
    ok = np.all(np.isfinite(betas), axis=1)
    x = np.column_stack([np.ones(ok.sum()), points[ok] - centre])
    if ok.sum() < x.shape[1]:
        raise CalibrationError(
            "the simulated cohort is too small to fit a BG/NBD model near "
            + ", ".join(f"{k}={v:.4g}" for k, v in zip(NAMES, np.exp(centre), strict=True))
            + "; the log may hold too few repeat purchases"
        )
    coef, *_ = np.linalg.lstsq(x, betas[ok], rcond=None)
    return Surrogate(centre, coef[0], coef[1:].T, points, betas)


def _whitener(cov: np.ndarray) -> np.ndarray:
    """K⁻¹ with K Kᵀ = cov, so ‖K⁻¹ d‖² = dᵀ cov⁻¹ d."""
    chol = linalg.cholesky(cov, lower=True)
    return linalg.solve_triangular(chol, np.eye(len(cov)), lower=True)


def surrogate_step(surrogate: Surrogate, problem: Problem, radius: float) -> np.ndarray:
    """The step minimising the surrogate's Q within the bounds and ``radius`` (log scale)."""
    white = _whitener(problem.cov_data)
    a = white @ surrogate.jacobian
    b = white @ (problem.beta_data - surrogate.beta0)
    lower = np.maximum(LOW - surrogate.centre, -radius)
    upper = np.minimum(HIGH - surrogate.centre, radius)
    if not np.all(np.isfinite(a)):
        return np.zeros(len(surrogate.centre))
    return optimize.lsq_linear(a, b, bounds=(lower, upper)).x


@dataclass
class Estimate:
    """The result of :func:`estimate` (log-scale θ̂, its covariance, the final surrogate)."""

    log_theta: np.ndarray
    log_cov: np.ndarray
    surrogate: Surrogate
    beta_sim: np.ndarray
    j_stat: float
    iterations: int
    evaluations: int
    path: list[tuple[np.ndarray, float]]


def estimate(
    problem: Problem,
    start: np.ndarray,
    *,
    max_iterations: int = 8,
    final_target: int | None = None,
) -> Estimate:
    """Indirect inference from ``start`` (log θ): surrogate Gauss–Newton with a trust radius,
    then the final surrogate step (see the module docstring). With ``final_target``, the
    simulated market is sized again before the final step, at the last centre, so that each
    replication's cohort has about that many members (the search may have moved far from where
    the market was sized)."""
    centre = np.clip(np.asarray(start, dtype=float), LOW, HIGH)
    radius = RADIUS
    surrogate = fit_surrogate(problem, centre, _AXIAL, STEP)
    q_centre = problem.objective(surrogate.betas[0])
    path = [(centre.copy(), q_centre)]
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        step = surrogate_step(surrogate, problem, radius)
        if np.max(np.abs(step)) < STEP / 2:
            break  # within the surrogate's own design: the final step takes it from here
        trial = fit_surrogate(problem, centre + step, _AXIAL, STEP)
        q_trial = problem.objective(trial.betas[0])
        if q_trial <= q_centre or not math.isfinite(q_centre):
            centre, surrogate, q_centre = centre + step, trial, q_trial
            path.append((centre.copy(), q_centre))
        else:
            radius = max(radius / 2, STEP / 2)
    if final_target is not None:
        problem.size(centre, final_target)
    final = fit_surrogate(problem, centre, _FINAL, FINAL_STEP)
    log_theta = centre + surrogate_step(final, problem, FINAL_STEP)
    beta_sim = final.predict(log_theta)
    g, w = final.jacobian, np.linalg.inv(problem.cov_data)
    inflation = 1.0 + 1.0 / problem.sim_ratio
    try:
        log_cov = inflation * np.linalg.inv(g.T @ w @ g)
        if not np.all(np.isfinite(log_cov)) or np.any(np.diag(log_cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        log_cov = np.full((len(log_theta), len(log_theta)), np.nan)
    return Estimate(
        log_theta=log_theta,
        log_cov=log_cov,
        surrogate=final,
        beta_sim=beta_sim,
        j_stat=problem.objective(beta_sim) / inflation,
        iterations=iterations,
        evaluations=problem.evaluations,
        path=path,
    )


def starting_values(problem: Problem, target: int) -> np.ndarray:
    """A start (log θ) read off the data's BG/NBD, with the market sized for it.

    Need rate r/α per week (the cohort's purchase rate while alive), churn a/(a+b) · r/α (the
    dropout per repeat purchase as a weekly hazard), need-rate shape r, propensity shape a. A
    pilot run (20,000 customers) then rescales the need rate by the ratio of the data's r/α to
    the simulated one (customers buy from other firms too, and the cohort is selected by its
    needs): its repeat purchases per week observed, Σx / ΣT, are matched to the data's. A second
    pilot sizes the market (:meth:`Problem.size`). Last, the base scenario's own values of the
    four parameters (within the bounds) are tried too: the search starts from whichever of the
    two fits better (lower Q). The search is local, so where the base scenario was itself
    calibrated on the same log, starting there keeps the fit from wandering off to another of
    the objective's local minima; elsewhere the data's start usually wins.
    """
    r, alpha, a, b = np.exp(problem.beta_data)
    rate = r / alpha
    start = np.clip(np.log([rate, max(r, 0.1), a / (a + b) * rate, a]), LOW, HIGH)
    pilot = problem.cohort(start, problem.seeds[:1], 20_000)
    if len(pilot) >= 10 and pilot["frequency"].sum() > 0 and problem.raw_rate > 0:
        sim_rate = pilot["frequency"].sum() / pilot["T"].sum()
        start[0] += np.clip(np.log(problem.raw_rate / sim_rate), -np.log(10), np.log(10))
    start = np.clip(start, LOW, HIGH)
    problem.size(start, target)
    customers = getattr(problem.scenario, "customers", None)
    own = np.array([getattr(customers, name, math.nan) for name in NAMES], dtype=float)
    if np.all(np.isfinite(own)) and np.all(own > 0):
        own = np.clip(np.log(own), LOW, HIGH)
        if problem.objective(problem.beta(own)) < problem.objective(problem.beta(start)):
            return own
    return start


def seeds_from(seed: int, count: int, stream: int) -> list[int]:
    """``count`` seeds (63-bit whole numbers) from ``seed``: stream 0 for the search, 1 for the
    forecast, so the forecast's markets are fresh ones."""
    child = np.random.SeedSequence(seed).spawn(2)[stream]
    return [int(s.generate_state(1, np.uint64)[0] >> np.uint64(1)) for s in child.spawn(count)]


def timer() -> Callable[[], float]:
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
