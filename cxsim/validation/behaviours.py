"""Reference behaviours 1–7 of docs/ODD.md, measured on the real model.

Each function configures :class:`cxsim.Market` for one stylized fact, runs it with fixed seeds
and returns what was measured, with Monte-Carlo standard errors where replications are involved.
Nothing here feeds an outcome into the model: the functions only set parameters and watch.
Tests (tests/test_behaviours.py) and ``cxsim validate`` assert on what they return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim import rules
from cxsim.model import Market
from cxsim.scenarios import FirmSpec, Scenario, preset


def seeds(seed: int, replications: int) -> list[int]:
    """Independent, reproducible seeds for replications (numpy SeedSequence spawning)."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def _mean_se(values: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(values, dtype=float)
    return float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size)) if a.size > 1 else float("nan")


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
) -> pd.DataFrame:
    """Run two scenarios on the same customers (common random numbers) and return, per
    replication, the focal firm's outcomes: customers at weeks 13, 52 and the end, mean weekly
    churn rate, NPV at the end. Columns are prefixed by the scenario name."""
    scenarios = [preset(s) if isinstance(s, str) else s for s in (first, second)]
    rows = []
    for i, s in enumerate(seeds(seed, replications)):
        row: dict[str, float] = {"replication": i, "seed": s}
        for sc in scenarios:
            frame = Market(sc, rng=s, n_customers=n_customers, customer_agents=False).run(weeks)
            f = frame[frame.firm == firm].set_index("week")
            row[f"{sc.name}:customers_13"] = f.customers.loc[13.0]
            row[f"{sc.name}:customers_52"] = f.customers.loc[52.0]
            row[f"{sc.name}:customers_end"] = f.customers.iloc[-1]
            row[f"{sc.name}:churn_rate"] = f.churn_rate.iloc[1:].mean()
            row[f"{sc.name}:npv"] = f.npv.iloc[-1]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2. Expectation treadmill
# --------------------------------------------------------------------------------------------


def expectation_treadmill(
    *,
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
        name="firm", strategy="custom", allocation={"innovation": 1.0},
        budget=1.0 if improvement > 0 else 0.0, quality=5.0,
        initial_customers=0.0, initial_awareness=1.0)
    m = Market(
        rng=rng, n_customers=n_customers, customer_agents=False, firms=[firm],
        initial_expectation=4.0, expectation_inflation=0.0,
        innovation_ceiling=improvement, innovation_efficiency=50.0)
    frame = m.run(weeks)
    return frame[frame.firm == "firm"].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 3. Trust asymmetry
# --------------------------------------------------------------------------------------------


def trust_asymmetry(start: float = 0.5, scenario: Scenario | None = None) -> pd.Series:
    """Trust after one miss and one hit, and the hits needed to recover from one miss, under the
    scenario's trust rule (defaults unless given)."""
    p = (scenario or Scenario()).customers
    miss = np.array([-(p.trust_tolerance + 1.0)])
    hit = np.array([0.0])
    after_miss = rules.update_trust(np.array([start]), miss, tolerance=p.trust_tolerance,
                                    gain=p.trust_gain, loss=p.trust_loss)
    after_both = rules.update_trust(after_miss, hit, tolerance=p.trust_tolerance,
                                    gain=p.trust_gain, loss=p.trust_loss)
    return pd.Series({
        "start": start,
        "after_miss": float(after_miss[0]),
        "after_miss_and_hit": float(after_both[0]),
        "hits_to_recover": rules.hits_to_recover(start, p.trust_gain, p.trust_loss),
        "loss_to_gain": p.trust_loss / p.trust_gain,
    })


def trust_in_market(*, weeks: int = 104, n_customers: int = 2000, rng: int = 0) -> pd.DataFrame:
    """Trust of one firm's customers around a one-week service failure (the firm's quality drops
    by 2 units in week 52, scheduled as a Mesa event), against a control run with no failure.
    Returns weekly mean trust for both: the fall is fast, the climb back slow."""
    out = {}
    for label, failure in (("failure", True), ("control", False)):
        firm = FirmSpec(name="firm", strategy="balanced", initial_customers=0.8,
                        initial_awareness=1.0)
        m = Market(rng=rng, n_customers=n_customers, customer_agents=False, firms=[firm],
                   expectation_inflation=0.0)
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
        firm = FirmSpec(name="firm", strategy="custom", allocation={"feedback": 1.0},
                        budget=spend, initial_customers=0.6, initial_awareness=1.0)
        m = Market(rng=rng, n_customers=n_customers, customer_agents=False, firms=[firm])
        frame = m.run(weeks)
        voiced = frame.complaints.sum()
        silent = frame.silent.sum()
        n = voiced + silent
        share = voiced / n if n else float("nan")
        rows.append({
            "feedback_spend": spend,
            "solicitation": m.firms[0].effects.solicitation,
            "dissatisfied": n,
            "complaints": voiced,
            "share": share,
            "se": float(np.sqrt(share * (1 - share) / n)) if n else float("nan"),
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 5. Service recovery
# --------------------------------------------------------------------------------------------

RECOVERY_GROUPS = ("resolved_fast", "resolved_slow", "unresolved", "silent")


@dataclass
class _Watch:
    firm: np.ndarray      # firm watched per customer, -1 none
    voiced: np.ndarray    # the dissatisfaction was voiced
    wait: np.ndarray      # weeks waited when resolved; nan while unresolved


def service_recovery(
    *,
    weeks: int = 156,
    n_customers: int = 4000,
    rng: int = 0,
    fast_weeks: float = 1.0,
    scenario: Scenario | str | None = "retention_focus",
    firm: str = "focal",
    recovery_speed: float = 0.35,
) -> pd.DataFrame:
    """Repurchase after a dissatisfying experience, by what happened to it.

    Follows every customer after a dissatisfying experience with a firm until the customer's next
    need: did they buy from that firm again? Groups, by the state at that moment: complained and
    resolved within ``fast_weeks`` (fast), complained and resolved later (slow), complained and
    still unresolved, never complained (silent). Only experiences with ``firm`` are followed, so
    the groups share one firm's service. ``recovery_speed`` (weekly chance a complaint within
    capacity is settled) is lowered from its default so that waits vary and every group is
    populated. Returns one row per group with the number followed, the repurchase rate and its
    binomial standard error.
    """
    sc = preset(scenario) if isinstance(scenario, str) else (scenario or Scenario())
    m = Market(sc, rng=rng, n_customers=n_customers, customer_agents=False,
               recovery_speed=recovery_speed)
    target = m.firm_index(firm)
    n = m.customers.n
    watch = _Watch(np.full(n, -1), np.zeros(n, bool), np.full(n, np.nan))
    tally = {g: [0, 0] for g in RECOVERY_GROUPS}
    for _ in range(weeks):
        m.step()
        ev = m.events
        # 1) the next need of watched customers settles their record (before new watches start)
        if "choices" in ev:
            rows, chosen = ev["choices"]
            watched = watch.firm[rows] >= 0
            r, ch = rows[watched], chosen[watched]
            group = np.where(
                ~watch.voiced[r], 3,
                np.where(np.isnan(watch.wait[r]), 2, np.where(watch.wait[r] <= fast_weeks, 0, 1)))
            again = ch == watch.firm[r]
            for g, name in enumerate(RECOVERY_GROUPS):
                sel = group == g
                tally[name][0] += int(sel.sum())
                tally[name][1] += int(again[sel].sum())
            watch.firm[r] = -1
        # 2) complaints resolved this week update the record of the watched
        if "resolved" in ev:
            rows, firm, waited = ev["resolved"]
            hit = watch.firm[rows] == firm
            watch.wait[rows[hit]] = waited[hit]
        # 3) new dissatisfying experiences start a watch
        if "dissatisfied" in ev:
            rows, firm, voiced = ev["dissatisfied"]
            mine = firm == target
            rows, firm, voiced = rows[mine], firm[mine], voiced[mine]
            watch.firm[rows] = firm
            watch.voiced[rows] = voiced
            watch.wait[rows] = np.nan
            if "resolved" in ev:  # resolved in the same week it was lodged
                rr, rf, rw = ev["resolved"]
                same = np.isin(rows, rr)
                if same.any():
                    lookup = dict(zip(zip(rr.tolist(), rf.tolist(), strict=True), rw.tolist(),
                                      strict=True))
                    for i in np.flatnonzero(same):
                        key = (int(rows[i]), int(firm[i]))
                        if key in lookup:
                            watch.wait[rows[i]] = lookup[key]
    out = []
    for name in RECOVERY_GROUPS:
        k, again = tally[name]
        rate = again / k if k else float("nan")
        out.append({"group": name, "followed": k, "repurchase": rate,
                    "se": float(np.sqrt(rate * (1 - rate) / k)) if k else float("nan")})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------
# 6. Bad news travels
# --------------------------------------------------------------------------------------------


def bad_news(
    *,
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
    rows = []
    for i, s in enumerate(seeds(seed, replications)):
        on = Market(sc, rng=s, n_customers=n_customers, customer_agents=False)
        idx = on.firm_index(firm)
        spoke = np.zeros(on.customers.n, dtype=bool)
        for _ in range(weeks):
            on.step()
            for key in ("wom_negative", "wom_leavers"):
                senders, about = on.events.get(key, (np.empty(0, int), np.empty(0, int)))
                spoke[senders[about == idx]] = True
        off = Market(sc, rng=s, n_customers=n_customers, customer_agents=False,
                     wom_negative_reach=0.0)
        off.run(weeks)
        npv_on, npv_off = on.npv[firm], off.npv[firm]
        lost = (npv_off - npv_on) / npv_off
        share = spoke.mean()
        rows.append({"replication": i, "seed": s, "npv_on": npv_on, "npv_off": npv_off,
                     "value_lost_share": lost, "speaker_share": share,
                     "leverage": lost / share if share else float("nan")})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 7. Individual treatment
# --------------------------------------------------------------------------------------------


def individual_treatment(
    heterogeneity: Sequence[float] = (0.25, 1.0, 2.0),
    *,
    budget: float = 0.05,
    replications: int = 3,
    weeks: int = 156,
    n_customers: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Personalization against uniform treatment at equal spend, as needs grow more diverse.

    One firm against the outside option spends ``budget`` either all on personalization
    (learning each customer's need) or all on uniform service quality. For each level of
    ``need_heterogeneity`` (s.d. of ideal points) returns the mean NPV of each and the paired
    difference (personalized − uniform) with its standard error.
    """
    rows = []
    for h in heterogeneity:
        diffs, pers, unif = [], [], []
        for s in seeds(seed, replications):
            npv = {}
            for label, lever in (("personalized", "personalization"), ("uniform", "service")):
                firm = FirmSpec(name="firm", strategy="custom", allocation={lever: 1.0},
                                budget=budget, initial_customers=0.5, initial_awareness=1.0)
                m = Market(rng=s, n_customers=n_customers, customer_agents=False, firms=[firm],
                           need_heterogeneity=h)
                m.run(weeks)
                npv[label] = m.npv["firm"]
            pers.append(npv["personalized"])
            unif.append(npv["uniform"])
            diffs.append(npv["personalized"] - npv["uniform"])
        d, se = _mean_se(diffs)
        rows.append({"need_heterogeneity": h, "npv_personalized": float(np.mean(pers)),
                     "npv_uniform": float(np.mean(unif)), "difference": d, "se": se})
    return pd.DataFrame(rows)
