"""Reference behaviours 1–7 of docs/ODD.md, measured on the real model.

Each function configures :class:`cxsim.Market` for one stylized fact, runs it with fixed seeds
and returns what was measured, with Monte-Carlo standard errors where replications are involved.
Nothing here feeds an outcome into the model: the functions only set parameters and watch.
The measurements of behaviours 2-7 run on the market's own customers (the default market's are
fitted to the CDNOW log); with ``mechanism=True`` on the customers of the market their mechanism
parameters were calibrated in (:func:`mechanism_market`), where the checks run.
Tests (tests/test_behaviours.py) and ``cxsim validate`` assert on what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cxsim.core import rules
from cxsim.core.model import Market
from cxsim.experiments import compare, replication_seeds
from cxsim.params import FirmSpec, Scenario, preset
from cxsim.validation import stats
from cxsim.validation.checks import CALIBRATION, HELD_OUT, CheckResult, check


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size)) if a.size > 1 else float("nan")


#: The customers of the market in which the mechanism parameters (expectations, trust, word of
#: mouth, complaints and recovery, the lever responses) were calibrated to reference behaviours
#: 2-7: frequent buyers (a need every four weeks, gamma shape 4), who seldom leave and are alike
#: in dropout and spend. Behaviours 2-7 are per-purchase mechanisms, and their checks run in this
#: market. The default market's customers, fitted to the CDNOW log, buy about once a year, so a
#: market of the same size gives about thirteen times fewer experiences; docs/validation.md
#: section 3 reports what the checks measure there.
MECHANISM_CUSTOMERS: dict[str, float] = {
    "need_rate": 0.25,
    "need_rate_shape": 4.0,
    "churn_base": 0.002,
    "leave_heterogeneity": float("inf"),
    "spend_shape": float("inf"),
    "spend_heterogeneity": float("inf"),
}

#: Each firm's yearly budget per market customer in that market (10,400 a year for 2,000
#: customers), the spend the mechanism parameters were calibrated with.
MECHANISM_BUDGET_PER_CUSTOMER = 10_400.0 / 2000


def mechanism_market(scenario: str | Scenario = "default") -> Scenario:
    """``scenario`` with the customers of :data:`MECHANISM_CUSTOMERS` and every firm's budget at
    :data:`MECHANISM_BUDGET_PER_CUSTOMER` per market customer: the market in which behaviours
    2-7 are checked."""
    sc = preset(scenario) if isinstance(scenario, str) else scenario
    overrides: dict[str, Any] = {f"customers.{k}": v for k, v in MECHANISM_CUSTOMERS.items()}
    budget = MECHANISM_BUDGET_PER_CUSTOMER * sc.customers.n_customers
    for f in sc.firms:
        overrides[f"firms.{f.name}.budget"] = budget
    return sc.with_overrides(overrides)


def _customers(mechanism: bool) -> dict[str, float]:
    """Market keywords: the mechanism market's customers, or none (the scenario's own)."""
    return dict(MECHANISM_CUSTOMERS) if mechanism else {}


# --------------------------------------------------------------------------------------------
# 1. Leaky bucket
# --------------------------------------------------------------------------------------------


def strategy_pair(
    first: str | Scenario = "acquisition_focus",
    second: str | Scenario = "retention_focus",
    *,
    replications: int = 10,
    weeks: int = 260,
    n_customers: int = 2000,
    seed: int = 0,
    firm: str = "focal",
    executor: Any = "serial",
) -> pd.DataFrame:
    """Run two scenarios on the same customers (common random numbers, through
    :func:`cxsim.experiments.compare`) and return, per replication, the focal firm's outcomes:
    customers at weeks 13, 52 and the end, mean weekly churn rate, NPV at the end. Columns are
    prefixed by the scenario name."""
    scenarios = {
        sc.name: sc.with_overrides(n_customers=n_customers)
        for sc in (preset(s) if isinstance(s, str) else s for s in (first, second))
    }
    runs = compare(
        scenarios,
        replications=replications,
        seed=seed,
        weeks=weeks,
        executor=executor,
        progress=False,
    )
    runs = runs[runs.firm == firm]
    rows = []
    for (i, s), frame in runs.groupby(["replication", "seed"], sort=True):
        row: dict[str, float] = {"replication": i, "seed": s}
        for name in scenarios:
            f = frame[frame.scenario == name].set_index("week")
            row[f"{name}:customers_13"] = f.customers.loc[13.0]
            row[f"{name}:customers_52"] = f.customers.loc[52.0]
            row[f"{name}:customers_end"] = f.customers.iloc[-1]
            row[f"{name}:churn_rate"] = f.churn_rate.iloc[1:].mean()
            row[f"{name}:npv"] = f.npv.iloc[-1]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2. Expectation treadmill
# --------------------------------------------------------------------------------------------


def expectation_treadmill(
    *,
    mechanism: bool = False,
    improvement: float = 0.0,
    weeks: int = 156,
    n_customers: int = 2000,
    rng: int = 0,
) -> pd.DataFrame:
    """One firm whose quality is constant (``improvement = 0``) or rises by ``improvement``
    quality units per week, facing customers whose expectations start one unit below what it
    delivers, with no market-wide inflation (so only adaptation moves expectations). Returns the
    firm's weekly frame: watch ``mean_disconfirmation``, ``delight_rate`` and ``wom_positive``.

    The firm spends nothing, so its service is constant; improvement is applied as innovation
    (``innovation_ceiling = improvement`` reached with a large budget share).
    """
    firm = FirmSpec(
        name="firm",
        strategy="custom",
        allocation={"innovation": 1.0},
        budget=52.0 * n_customers if improvement > 0 else 0.0,  # 1 per market customer per week
        quality=5.0,
        initial_customers=0.0,
        initial_awareness=1.0,
    )
    m = Market(
        rng=rng,
        n_customers=n_customers,
        customer_agents=False,
        firms=[firm],
        **_customers(mechanism),
        initial_expectation=4.0,
        expectation_inflation=0.0,
        innovation_ceiling=improvement,
        innovation_efficiency=50.0,
    )
    frame = m.run(weeks)
    return frame[frame.firm == "firm"].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 3. Trust asymmetry
# --------------------------------------------------------------------------------------------


def trust_asymmetry(start: float = 0.5, scenario: Scenario | None = None) -> pd.Series:
    """Trust after one miss and one hit, and the hits needed to recover from one miss, under the
    scenario's trust rule (defaults unless given). A description of the defaults, not a check:
    :func:`trust_asymmetry_draws` checks the mechanism on fresh parameter draws."""
    p = (scenario or Scenario()).customers
    miss = np.array([-(p.trust_tolerance + 1.0)])
    hit = np.array([0.0])
    after_miss = rules.update_trust(
        np.array([start]), miss, tolerance=p.trust_tolerance, gain=p.trust_gain, loss=p.trust_loss
    )
    after_both = rules.update_trust(
        after_miss, hit, tolerance=p.trust_tolerance, gain=p.trust_gain, loss=p.trust_loss
    )
    return pd.Series(
        {
            "start": start,
            "after_miss": float(after_miss[0]),
            "after_miss_and_hit": float(after_both[0]),
            "hits_to_recover": rules.hits_to_recover(start, p.trust_gain, p.trust_loss),
            "loss_to_gain": p.trust_loss / p.trust_gain,
        }
    )


def _steps_back(
    trust: np.ndarray,
    target: np.ndarray,
    disconf: np.ndarray,
    *,
    rising: bool,
    max_steps: int,
    **rule: np.ndarray,
) -> np.ndarray:
    """Steps of ``rules.update_trust`` with ``disconf`` until trust is back at ``target``
    (rising to it, or falling to it); ``max_steps`` where it never gets there."""
    steps = np.zeros(trust.size, dtype=np.int64)
    todo = (trust < target) if rising else (trust > target)
    k = 0
    while todo.any() and k < max_steps:
        k += 1
        trust = np.where(todo, rules.update_trust(trust, disconf, **rule), trust)
        steps[todo] = k
        todo &= (trust < target) if rising else (trust > target)
    steps[todo] = max_steps
    return steps


def trust_asymmetry_draws(
    draws: int = 2000, *, rng: int = 19_930_901, max_steps: int = 100_000
) -> pd.DataFrame:
    """The trust rule (``rules.update_trust``) on fresh parameter draws, not at the defaults.

    Draws ``draws`` parameter sets from the parameters' allowed ranges under the mechanism's
    premise, a miss weighs more than a hit (``trust_loss > trust_gain``, both in (0.01, 0.99)),
    with a starting trust ``s`` in (0.01, 0.99) and a ``trust_tolerance`` in [0, 10]. For each:

    * ``hits``: met expectations needed to climb back to ``s`` after one miss (counted by
      applying the rule);
    * ``mirror_misses``: misses needed to fall back to ``1 − s`` after one hit from ``1 − s``.
      A symmetric learner treats trust ``T`` and distrust ``1 − T`` alike, so for it the two
      counts are equal at every draw; the asymmetry principle (Slovic 1993) says winning trust
      back is the slower of the two;
    * ``closed_form``: :func:`cxsim.core.rules.hits_to_recover` for the same draw.
    """
    gen = np.random.default_rng(rng)
    pair = np.sort(gen.uniform(0.01, 0.99, size=(draws, 2)), axis=1)
    gain, loss = pair[:, 0], pair[:, 1]
    start = gen.uniform(0.01, 0.99, size=draws)
    tolerance = gen.uniform(0.0, 10.0, size=draws)
    rule = {"tolerance": tolerance, "gain": gain, "loss": loss}
    miss, hit = -(tolerance + 1.0), np.zeros(draws)
    after_miss = rules.update_trust(start, miss, **rule)
    hits = _steps_back(after_miss, start, hit, rising=True, max_steps=max_steps, **rule)
    mirror = 1.0 - start
    after_hit = rules.update_trust(mirror, hit, **rule)
    misses = _steps_back(after_hit, mirror, miss, rising=False, max_steps=max_steps, **rule)
    closed = [rules.hits_to_recover(s, g, lo) for s, g, lo in zip(start, gain, loss, strict=True)]
    return pd.DataFrame(
        {
            "gain": gain,
            "loss": loss,
            "start": start,
            "tolerance": tolerance,
            "hits": hits,
            "mirror_misses": misses,
            "closed_form": closed,
        }
    )


def trust_in_market(
    *, weeks: int = 104, n_customers: int = 2000, rng: int = 0, mechanism: bool = False
) -> pd.DataFrame:
    """Trust of one firm's customers around a one-week service failure (the firm's quality drops
    by 2 units in week 52, scheduled as a Mesa event), against a control run with no failure.
    Returns weekly mean trust for both: the fall is fast, the climb back slow."""
    out = {}
    for label, failure in (("failure", True), ("control", False)):
        firm = FirmSpec(
            name="firm",
            strategy="balanced",
            initial_customers=0.8,
            initial_awareness=1.0,
            **({"budget": MECHANISM_BUDGET_PER_CUSTOMER * n_customers} if mechanism else {}),
        )
        m = Market(
            rng=rng,
            n_customers=n_customers,
            customer_agents=False,
            firms=[firm],
            expectation_inflation=0.0,
            **_customers(mechanism),
        )
        if failure:
            f = m.firms[0]

            def fail(f=f):
                f.quality -= 2.0

            def restore(f=f):
                f.quality += 2.0

            m.schedule_event(fail, at=52.0)
            m.schedule_event(restore, at=53.0)
        frame = m.run(weeks)
        out[label] = frame.set_index("week").mean_trust
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------
# 4. Invisible complaints
# --------------------------------------------------------------------------------------------


def complaint_share(
    feedback_spend: Sequence[float] = (0.0, 0.01, 0.05),
    *,
    mechanism: bool = False,
    weeks: int = 104,
    n_customers: int = 3000,
    rng: int = 0,
) -> pd.DataFrame:
    """Share of dissatisfied experiences that reach the firm as complaints, for firms spending
    ``feedback_spend`` (currency per market customer per week) on asking customers' opinion and
    nothing else. Returns feedback_spend, solicitation, dissatisfied, complaints, share, se
    (binomial standard error of the share)."""
    rows = []
    for spend in feedback_spend:
        firm = FirmSpec(
            name="firm",
            strategy="custom",
            allocation={"feedback": 1.0},
            budget=spend * n_customers * 52.0,  # currency per year
            initial_customers=0.6,
            initial_awareness=1.0,
        )
        m = Market(
            rng=rng,
            n_customers=n_customers,
            customer_agents=False,
            firms=[firm],
            **_customers(mechanism),
        )
        frame = m.run(weeks)
        voiced = frame.complaints.sum()
        silent = frame.silent.sum()
        n = voiced + silent
        share = voiced / n if n else float("nan")
        rows.append(
            {
                "feedback_spend": spend,
                "solicitation": m.firms[0].effects.solicitation,
                "dissatisfied": n,
                "complaints": voiced,
                "share": share,
                "se": float(np.sqrt(share * (1 - share) / n)) if n else float("nan"),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 5. Service recovery
# --------------------------------------------------------------------------------------------

RECOVERY_GROUPS = ("resolved_fast", "resolved_slow", "unresolved", "silent")
#: Severity strata of a dissatisfying experience: felt satisfaction above / below
#: ``−serious_margin``, the cut at which complaints (and bad news) become far more likely.
SEVERITIES = ("minor", "serious")


@dataclass
class _Watch:
    firm: np.ndarray  # firm watched per customer, -1 none
    voiced: np.ndarray  # the dissatisfaction was voiced
    wait: np.ndarray  # weeks waited when resolved; nan while unresolved
    serious: np.ndarray  # the dissatisfaction was serious (felt < −serious_margin)


def service_recovery(
    *,
    mechanism: bool = False,
    weeks: int = 156,
    n_customers: int = 4000,
    rng: int = 0,
    fast_weeks: float = 1.0,
    scenario: Scenario | str | None = "retention_focus",
    firm: str = "focal",
    recovery_speed: float | None = None,
) -> pd.DataFrame:
    """Repurchase after a dissatisfying experience, by what happened to it.

    Follows every customer after a dissatisfying experience with a firm until the customer's next
    need: did they buy from that firm again? Groups, by the state at that moment: complained and
    resolved within ``fast_weeks`` (fast), complained and resolved later (slow), complained and
    still unresolved, never complained (silent). Only experiences with ``firm`` are followed, so
    the groups share one firm's service. ``recovery_speed`` (weekly chance a complaint within
    capacity is settled) overrides the scenario's when given. Returns one row per group with the
    number followed, the repurchase rate, its binomial standard error and the share of serious
    experiences among those followed; ``attrs["strata"]`` holds the same per group and severity
    (:data:`SEVERITIES`), for comparisons within severity: a serious disappointment is voiced far
    more often than a minor one, so the groups differ in severity as well as in what happened.
    """
    sc = scenario or Scenario()
    sc = preset(sc) if isinstance(sc, str) else sc
    sc = mechanism_market(sc) if mechanism else sc
    sc = sc.resized(n_customers) if n_customers else sc
    extra = {} if recovery_speed is None else {"recovery_speed": recovery_speed}
    m = Market(sc, rng=rng, customer_agents=False, **extra)
    target = m.firm_index(firm)
    n = m.customers.n
    watch = _Watch(np.full(n, -1), np.zeros(n, bool), np.full(n, np.nan), np.zeros(n, bool))
    # followed and bought again, per group and severity
    tally = np.zeros((len(RECOVERY_GROUPS), len(SEVERITIES), 2), dtype=np.int64)
    for _ in range(weeks):
        m.step()
        ev = m.events
        # 1) the next need of watched customers settles their record (before new watches start)
        if "choices" in ev:
            rows, chosen = ev["choices"]
            watched = watch.firm[rows] >= 0
            r, ch = rows[watched], chosen[watched]
            group = np.where(
                ~watch.voiced[r],
                3,
                np.where(np.isnan(watch.wait[r]), 2, np.where(watch.wait[r] <= fast_weeks, 0, 1)),
            )
            again = ch == watch.firm[r]
            cell = group * len(SEVERITIES) + watch.serious[r]
            size = len(RECOVERY_GROUPS) * len(SEVERITIES)
            tally[..., 0] += np.bincount(cell, minlength=size).reshape(tally.shape[:2])
            tally[..., 1] += np.bincount(cell[again], minlength=size).reshape(tally.shape[:2])
            watch.firm[r] = -1
        # 2) complaints resolved this week update the record of the watched
        if "resolved" in ev:
            rows, firm, waited = ev["resolved"]
            hit = watch.firm[rows] == firm
            watch.wait[rows[hit]] = waited[hit]
        # 3) new dissatisfying experiences start a watch
        if "dissatisfied" in ev:
            rows, firm, voiced, serious = ev["dissatisfied"][:4]
            mine = firm == target
            rows, firm, voiced, serious = rows[mine], firm[mine], voiced[mine], serious[mine]
            watch.firm[rows] = firm
            watch.voiced[rows] = voiced
            watch.serious[rows] = serious
            watch.wait[rows] = np.nan
            if "resolved" in ev:  # resolved in the same week it was lodged
                rr, rf, rw = ev["resolved"]
                same = np.isin(rows, rr)
                if same.any():
                    lookup = dict(
                        zip(zip(rr.tolist(), rf.tolist(), strict=True), rw.tolist(), strict=True)
                    )
                    for i in np.flatnonzero(same):
                        key = (int(rows[i]), int(firm[i]))
                        if key in lookup:
                            watch.wait[rows[i]] = lookup[key]

    def rate(k: int, again: int) -> dict[str, float]:
        p = again / k if k else float("nan")
        return {
            "followed": k,
            "repurchase": p,
            "se": float(np.sqrt(p * (1 - p) / k)) if k else float("nan"),
        }

    out, strata = [], []
    for g, name in enumerate(RECOVERY_GROUPS):
        k, again = (int(x) for x in tally[g].sum(axis=0))
        serious = int(tally[g, 1, 0]) / k if k else float("nan")
        out.append({"group": name, **rate(k, again), "serious": serious})
        for v, severity in enumerate(SEVERITIES):
            strata.append({"group": name, "severity": severity, **rate(*map(int, tally[g, v]))})
    frame = pd.DataFrame(out)
    frame.attrs["strata"] = pd.DataFrame(strata)
    return frame


# --------------------------------------------------------------------------------------------
# 6. Bad news travels
# --------------------------------------------------------------------------------------------


def bad_news(
    *,
    mechanism: bool = False,
    replications: int = 6,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
    scenario: str | Scenario = "default",
    firm: str = "focal",
) -> pd.DataFrame:
    """The value negative word of mouth destroys, against the share of customers who spread it.

    Paired runs (same seeds) with negative word of mouth on and off. Per replication: the share of
    the market that ever sent negative word of mouth about the firm, and the share of the firm's
    NPV lost to it, ``(NPV_off − NPV_on) / NPV_off``; their ratio is the leverage of bad news
    (Goldenberg, Libai, Moldovan & Muller 2007).
    """
    sc = preset(scenario) if isinstance(scenario, str) else scenario
    sc = mechanism_market(sc) if mechanism else sc
    sc = sc.resized(n_customers) if n_customers else sc
    rows = []
    for i, s in enumerate(replication_seeds(seed, replications)):
        on = Market(sc, rng=s, customer_agents=False)
        idx = on.firm_index(firm)
        spoke = np.zeros(on.customers.n, dtype=bool)
        for _ in range(weeks):
            on.step()
            for key in ("wom_negative", "wom_leavers"):
                senders, about = on.events.get(key, (np.empty(0, int), np.empty(0, int)))
                spoke[senders[about == idx]] = True
        off = Market(sc, rng=s, customer_agents=False, wom_negative_reach=0.0)
        off.run(weeks)
        npv_on, npv_off = on.npv[firm], off.npv[firm]
        lost = (npv_off - npv_on) / npv_off
        share = spoke.mean()
        rows.append(
            {
                "replication": i,
                "seed": s,
                "npv_on": npv_on,
                "npv_off": npv_off,
                "value_lost_share": lost,
                "speaker_share": share,
                "leverage": lost / share if share else float("nan"),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 7. Individual treatment
# --------------------------------------------------------------------------------------------


def individual_treatment(
    heterogeneity: Sequence[float] = (0.25, 1.0, 2.0),
    *,
    mechanism: bool = False,
    budget: float = 0.05,
    replications: int = 3,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Personalization against uniform treatment at equal spend, as needs grow more diverse.

    One firm against the outside option spends ``budget`` (currency per market customer per
    week) either all on personalization (learning each customer's need) or all on uniform service quality. For each level of
    ``need_heterogeneity`` (s.d. of ideal points) returns the mean NPV of each and the paired
    difference (personalized − uniform) with its standard error. The same seeds serve every level,
    so ``frame.attrs["differences"]`` (level → per-seed differences, in seed order) supports
    paired comparisons between levels too.
    """
    rows = []
    per_seed: dict[float, list[float]] = {}
    for h in heterogeneity:
        diffs, pers, unif = [], [], []
        for s in replication_seeds(seed, replications):
            npv = {}
            for label, lever in (("personalized", "personalization"), ("uniform", "service")):
                firm = FirmSpec(
                    name="firm",
                    strategy="custom",
                    allocation={lever: 1.0},
                    budget=budget * n_customers * 52.0,  # currency per year
                    initial_customers=0.5,
                    initial_awareness=1.0,
                )
                m = Market(
                    rng=s,
                    n_customers=n_customers,
                    customer_agents=False,
                    firms=[firm],
                    need_heterogeneity=h,
                    **_customers(mechanism),
                )
                m.run(weeks)
                npv[label] = m.npv["firm"]
            pers.append(npv["personalized"])
            unif.append(npv["uniform"])
            diffs.append(npv["personalized"] - npv["uniform"])
        per_seed[h] = diffs
        d, se = _mean_se(diffs)
        rows.append(
            {
                "need_heterogeneity": h,
                "npv_personalized": float(np.mean(pers)),
                "npv_uniform": float(np.mean(unif)),
                "difference": d,
                "se": se,
            }
        )
    frame = pd.DataFrame(rows)
    frame.attrs["differences"] = per_seed
    return frame


# --------------------------------------------------------------------------------------------
# Checks for ``cxsim validate`` and tests/test_behaviours.py
# --------------------------------------------------------------------------------------------
#
# Every stochastic comparison is a test from cxsim.validation.stats at its level ALPHA (0.5 % one
# sided per comparison): paired t over replications that share seeds, with n − 1 degrees of
# freedom and the threshold from the t distribution; large-sample tests for binomial shares; two
# one-sided tests (TOST) where the claim is that two things are equal. No claim passes without
# a statistic: values worth reading but not tested are reported in the text, not as claims.
#
# Roles: a check that depends on default values tuned so that it passes (docs/validation.md,
# section 5) is a calibration target; passing it is not evidence for the model.

ALPHA = stats.ALPHA

#: Equivalence margin for "unresolved ≈ silent" (repurchase shares; stated before the test).
RECOVERY_MARGIN = 0.05


def _result(
    claims: dict[str, tuple[float, bool]], reported: dict[str, float] | None = None
) -> CheckResult:
    """One check result from named test statistics and whether each clears its threshold;
    ``reported`` values are shown but decide nothing."""
    text = "; ".join(f"{k} {v:.3g}" for k, (v, _) in claims.items())
    if reported:
        text += "; reported: " + "; ".join(f"{k} {v:.3g}" for k, v in reported.items())
    failed = [k for k, (_, ok) in claims.items() if not ok]
    return CheckResult(text, not failed, "failed: " + ", ".join(failed) if failed else "")


def _t(test: stats.Test) -> tuple[float, bool]:
    return test.stat, test.passed


#: Horizons (weeks) at which the leaky-bucket question is asked: one year and five.
QUESTION_HORIZONS: tuple[int, ...] = (52, 260)


def young_market(scenario: str | Scenario = "default") -> Scenario:
    """``scenario`` as a young market: nobody buys from any firm yet and nobody knows them
    (every firm's ``initial_customers`` and ``initial_awareness`` 0). Nothing else changes, so
    the market's age is the only difference from ``scenario``."""
    sc = preset(scenario) if isinstance(scenario, str) else scenario
    overrides: dict[str, Any] = {}
    for f in sc.firms:
        overrides[f"firms.{f.name}.initial_customers"] = 0.0
        overrides[f"firms.{f.name}.initial_awareness"] = 0.0
    return sc.with_overrides(overrides)


def leaky_bucket_question(
    *,
    replications: int = 10,
    horizons: Sequence[int] = QUESTION_HORIZONS,
    n_customers: int = 2000,
    seed: int = 0,
    executor: Any = "serial",
) -> pd.DataFrame:
    """Acquisition focus against retention focus, in the default (mature) market and in the same
    market young (:func:`young_market`), valued at each horizon.

    The focal firm's value is its NPV plus its terminal customer equity at the horizon, both
    discounted to week 0 (:func:`cxsim.experiments.economics.horizon_value`), from runs on the
    same seeds (common random numbers). Returns one row per market, horizon and replication with
    ``acquisition``, ``retention`` and ``gap`` (retention − acquisition, currency).
    """
    from cxsim.experiments.economics import horizon_value

    mature = preset("default")
    rate = mature.market.discount_rate
    rows = []
    for market, base in (("mature", mature), ("young", young_market(mature))):
        scenarios = {
            name: base.with_overrides(
                {"firms.focal.strategy": name, "customers.n_customers": n_customers}
            )
            for name in ("acquisition_focus", "retention_focus")
        }
        runs = compare(
            scenarios,
            replications=replications,
            seed=seed,
            weeks=max(horizons),
            executor=executor,
            progress=False,
        )
        runs = runs[runs.firm == "focal"]
        for (i, s), frame in runs.groupby(["replication", "seed"], sort=True):
            for h in horizons:
                upto = frame[frame.week <= h]
                value = {
                    name: horizon_value(upto[upto.scenario == name], rate) for name in scenarios
                }
                rows.append(
                    {
                        "market": market,
                        "horizon": h,
                        "replication": i,
                        "seed": s,
                        "acquisition": value["acquisition_focus"],
                        "retention": value["retention_focus"],
                        "gap": value["retention_focus"] - value["acquisition_focus"],
                    }
                )
    return pd.DataFrame(rows)


@check(
    "behaviour-leaky-bucket",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 1 (a question, not a target); Raphel & Raphel 1995; "
    "Reichheld & Sasser 1990",
    expected="the answer is not the same everywhere: in the default market and in the same market "
    "young, at 1 and 5 years (value = NPV + discounted terminal equity, 10 paired seeds), "
    "retention focus is significantly ahead somewhere and acquisition focus somewhere",
    tolerance=f"the largest one-sided paired t each way > t(1 - {ALPHA:g}, 9 df)",
)
def check_leaky_bucket() -> CheckResult:
    r = leaky_bucket_question(replications=10)
    cells = {}
    for (market, h), g in r.groupby(["market", "horizon"], sort=True):
        cells[f"{market} {h // 52}y"] = (
            stats.paired_greater(g["retention"], g["acquisition"]),
            stats.paired_greater(g["acquisition"], g["retention"]),
        )
    ret_cell = max(cells, key=lambda k: cells[k][0].stat)
    acq_cell = max(cells, key=lambda k: cells[k][1].stat)
    gaps = r.groupby(["market", "horizon"])["gap"].mean()
    reported = {f"gap {m} {h // 52}y": float(v) for (m, h), v in gaps.items()}
    reported["limit"] = cells[ret_cell][0].threshold
    return _result(
        {
            f"t(retention ahead, best: {ret_cell})": _t(cells[ret_cell][0]),
            f"t(acquisition ahead, best: {acq_cell})": _t(cells[acq_cell][1]),
        },
        reported,
    )


@check(
    "behaviour-expectation-treadmill",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 2; Oliver 1980; Helson 1964",
    expected="constant quality: delight and the praise it drives fade per purchase, "
    "disconfirmation decays to <= 0; rising quality keeps delighting",
    tolerance=f"one-sided share tests at {ALPHA:g}; fade to < 1/4 (delight) and < 1/2 (praise)",
)
def check_treadmill() -> CheckResult:
    flat = expectation_treadmill(improvement=0.0, mechanism=True)
    rising = expectation_treadmill(improvement=0.03, mechanism=True)

    def window(f: pd.DataFrame, first: float, last: float) -> pd.DataFrame:
        return f[(f.week >= first) & (f.week <= last)]

    end = flat.week.max()
    early, late = window(flat, 1, 8), window(flat, end - 25, end)
    late_rise = window(rising, end - 25, end)

    def share(f: pd.DataFrame, col: str) -> tuple[float, float]:
        n = f.purchases.sum()
        return f[col].sum() / n, n

    (d0, n0), (d1, n1), (d2, n2) = (
        share(early, "delighted"),
        share(late, "delighted"),
        share(late_rise, "delighted"),
    )
    # word of mouth driven by delight (reference behaviour 2), and all praise for the record:
    # advocates also praise after any met expectation, and that praise does not fade with delight
    praise0 = early.wom_delighted.sum() / n0
    praise1 = late.wom_delighted.sum() / n1
    all_praise = (late.wom_positive.sum() / n1) / (early.wom_positive.sum() / n0)
    fade = stats.shares_greater(d0, n0, d1, n1)
    keep = stats.shares_greater(d2, n2, d1, n1)
    return _result(
        {
            "z(delight fades)": (fade.stat, fade.passed and d1 < 0.25 * d0),
            "late/early delight-driven praise per purchase": (
                praise1 / praise0,
                praise1 < 0.5 * praise0,
            ),
            "early disconfirmation": (
                early.mean_disconfirmation.mean(),
                early.mean_disconfirmation.mean() > 0.15,
            ),
            "late disconfirmation": (
                late.mean_disconfirmation.mean(),
                late.mean_disconfirmation.mean() < 0.02,
            ),
            "z(improving keeps delighting)": _t(keep),
        },
        {"late/early all praise per purchase": all_praise, "limit": fade.threshold},
    )


@check(
    "behaviour-trust-asymmetry",
    group="behaviour",
    role=HELD_OUT,
    source="reference behaviour 3; Slovic 1993; Baumeister et al. 2001",
    expected="the trust rule on 2,000 fresh parameter draws with trust_loss > trust_gain (not the "
    "defaults): winning trust back after a miss never takes fewer hits than a symmetric learner "
    "would (misses to undo a hit from the mirror level 1 - s), and on average takes more",
    tolerance=f"every draw; one-sided paired t > t(1 - {ALPHA:g}, 1999 df)",
)
def check_trust_asymmetry() -> CheckResult:
    d = trust_asymmetry_draws()
    never_fewer = float((d.hits >= d.mirror_misses).mean())
    more = stats.paired_greater(d.hits, d.mirror_misses)
    return CheckResult(
        simulated=(
            f"hits >= mirror misses in {never_fewer:.1%} of draws; mean hits "
            f"{d.hits.mean():.3g} vs mirror misses {d.mirror_misses.mean():.3g} ({more}); "
            f"reported: more than one hit needed in {(d.hits > 1).mean():.1%} of draws"
        ),
        passed=bool(never_fewer == 1.0 and more.passed),
        details=(
            f"{len(d)} draws (gain < loss in (0.01, 0.99), start in (0.01, 0.99), tolerance in "
            f"[0, 10]); hits equal rules.hits_to_recover in {(d.hits == d.closed_form).mean():.1%}"
            f" of draws; a symmetric learner (cxsim.core.theories.symmetric_trust) gives hits = "
            f"mirror misses everywhere"
        ),
    )


@check(
    "behaviour-trust-in-market",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 3",
    expected="a one-week failure at week 52: the trust gap to a control run peaks within 4 "
    "weeks and takes > 3x as long to halve",
    tolerance="fixed seed; the gap is > 0.03 trust",
)
def check_trust_in_market() -> CheckResult:
    tm = trust_in_market(mechanism=True)
    gap = tm.control - tm.failure
    drop_week = float(gap.idxmax())
    worst = float(gap.max())
    after = gap[gap.index > drop_week]
    halved = after[after < worst / 2]
    # not halved by the end of the run: at least the weeks left (inf)
    weeks_to_halve = float(halved.index[0] - drop_week) if len(halved) else float("inf")
    return _result(
        {
            "weeks to fall": (drop_week - 52, 0 < drop_week - 52 <= 4),
            "gap": (worst, worst > 0.03),
            "weeks to halve": (weeks_to_halve, weeks_to_halve > 3 * (drop_week - 52)),
        }
    )


@check(
    "behaviour-invisible-complaints",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 4; TARP 1986",
    expected="a firm that does not ask hears a few percent of dissatisfied experiences "
    "(2-12%); asking for feedback raises the share",
    tolerance=f"one-sided share tests at {ALPHA:g} between feedback levels",
)
def check_invisible_complaints() -> CheckResult:
    c = complaint_share((0.0, 0.01, 0.05), mechanism=True)
    claims = {"share without asking": (c.share.iloc[0], 0.02 < c.share.iloc[0] < 0.12)}
    for lo, hi in zip(c.itertuples(), c.iloc[1:].itertuples(), strict=False):
        test = stats.shares_greater(hi.share, hi.dissatisfied, lo.share, lo.dissatisfied)
        claims[f"z(spend {hi.feedback_spend:g} vs {lo.feedback_spend:g})"] = _t(test)
    return _result(claims, {"limit": stats.t_threshold(np.inf)})


@check(
    "behaviour-service-recovery",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 5; TARP 1986; Hart, Heskett & Sasser 1990; Smith & Bolton 1998",
    expected="the mechanism market (behaviours.mechanism_market: frequent buyers), within the "
    "severity of the dissatisfaction (minor, serious): repurchase after a complaint resolved fast > resolved slowly > unresolved ~ silent",
    tolerance=f"one-sided tests of Mantel-Haenszel risk differences over the two severity strata "
    f"at {ALPHA:g}; unresolved ~ silent: TOST at {ALPHA:g}, margin +/-{RECOVERY_MARGIN:g} "
    f"(Schuirmann 1987)",
)
def check_service_recovery() -> CheckResult:
    r = service_recovery(n_customers=200_000, scenario="default", mechanism=True)
    # serious disappointments are voiced far more often (rules.complaint_probability) and are
    # followed by less repurchase: compare the groups within severity, as TARP compares
    # complainers and non-complainers with the same problem
    strata = r.attrs["strata"].set_index(["group", "severity"])

    def cells(g: str) -> tuple[np.ndarray, np.ndarray]:
        s = strata.loc[g].loc[list(SEVERITIES)]
        return s.repurchase.to_numpy(), s.followed.to_numpy()

    fast, slow, unres, silent = (cells(g) for g in RECOVERY_GROUPS)
    t1 = stats.stratified_shares_greater(*fast, *slow)
    t2 = stats.stratified_shares_greater(*slow, *unres)
    eq = stats.stratified_shares_tost(*unres, *silent, RECOVERY_MARGIN)
    counts = {
        f"n {g} {v}": float(strata.loc[(g, v), "followed"])
        for g in RECOVERY_GROUPS
        for v in SEVERITIES
    }
    by_stratum = {
        f"unresolved - silent {v}": float(
            strata.loc[("unresolved", v), "repurchase"] - strata.loc[("silent", v), "repurchase"]
        )
        for v in SEVERITIES
    }
    by_group = r.set_index("group")
    pooled = float(by_group.repurchase["unresolved"] - by_group.repurchase["silent"])
    return _result(
        {
            "z(fast - slow)": _t(t1),
            "z(slow - unresolved)": _t(t2),
            "TOST p(unresolved ~ silent)": (eq.p, eq.equivalent),
        },
        {
            "unresolved - silent (MH)": eq.estimate,
            "its SE": eq.se,
            **by_stratum,
            "unresolved - silent, pooled (confounded)": pooled,
            "serious share unresolved": float(by_group.serious["unresolved"]),
            "serious share silent": float(by_group.serious["silent"]),
            **counts,
            "limit": t1.threshold,
        },
    )


@check(
    "behaviour-bad-news",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 6; Goldenberg, Libai, Moldovan & Muller 2007",
    expected="in a market growing by word of mouth, the share of customers who spread bad "
    "news is small (< 20%) and the share of NPV it costs is larger (leverage > 1)",
    tolerance=f"one-sided t(leverage > 1) > t(1 - {ALPHA:g}, 9 df) over 10 paired seeds",
)
def check_bad_news() -> CheckResult:
    r = bad_news(replications=10, scenario="word_of_mouth_market", n_customers=4000, mechanism=True)
    lev = stats.mean_greater(r.leverage, 1.0)
    return _result(
        {
            "speaker share": (r.speaker_share.mean(), r.speaker_share.mean() < 0.2),
            "t(leverage - 1)": _t(lev),
        },
        {"leverage": float(r.leverage.mean()), "limit": lev.threshold},
    )


#: Paired replications of the individual-treatment check (seeds shared by every level).
TREATMENT_REPLICATIONS = 5


@check(
    "behaviour-individual-treatment",
    group="behaviour",
    role=CALIBRATION,
    source="reference behaviour 7; Peppers & Rogers 1993",
    expected="at equal spend personalization beats uniform service once needs are diverse "
    "(heterogeneity >= 1) and the gap grows with heterogeneity (0.25, 1, 2)",
    tolerance=f"one-sided paired t > t(1 - {ALPHA:g}, {TREATMENT_REPLICATIONS - 1} df)",
)
def check_individual_treatment() -> CheckResult:
    r = individual_treatment((0.25, 1.0, 2.0), replications=TREATMENT_REPLICATIONS, mechanism=True)
    diffs = r.attrs["differences"]
    levels = list(r.need_heterogeneity)
    zero = [0.0] * TREATMENT_REPLICATIONS
    claims: dict[str, tuple[float, bool]] = {}
    limit = float("nan")
    for h in levels:
        if h >= 1.0:
            test = stats.paired_greater(diffs[h], zero)
            claims[f"t(personalized wins, h={h:g})"] = _t(test)
            limit = test.threshold
    for lo, hi in zip(levels, levels[1:], strict=False):
        claims[f"t(gap grows {lo:g}->{hi:g})"] = _t(stats.paired_greater(diffs[hi], diffs[lo]))
    low = stats.paired_greater(diffs[levels[0]], zero)
    return _result(claims, {f"t(personalized wins, h={levels[0]:g})": low.stat, "limit": limit})
