"""Weekly outputs: the metric registry, the week's metrics from the books, Mesa's DataCollector.

Each week the model computes every metric once per firm from its books (:func:`weekly_metrics`,
stored in each firm's ``report``); Mesa's own ``DataCollector`` records them with one agent-type
reporter per metric over the firms, and :func:`tidy_frame` gives one row per week and firm with
one column per metric. :data:`METRIC_INFO` declares each metric once (label, unit, meaning).
Economic measures and their formulas:

* ``profit = revenue − cogs − serve_cost − spend`` (currency per week), with ``revenue`` = the sum
  over purchases of list price × basket (units bought), ``cogs`` = the sum of unit cost × basket,
  ``serve_cost`` = the sum over purchases of ``serve_cost`` × the service and access quality
  delivered, ``spend`` = the week's up-front budget on every lever but promotion and loyalty
  plus the discounts redeemed (discount × price × basket on each purchase that gets one: an
  unredeemed promotion budget is not spent);
* ``npv``: cumulative profit discounted at ``market.discount_rate`` per year;
* customer counts: ``alive`` = customers at the buyer, repeat, client or advocate stage (the
  model's latent "not yet lost" state, like the alive state of the Pareto/NBD, Schmittlein,
  Morrison & Colombo 1987: it includes customers now buying from the rival); ``active`` =
  customers whose last purchase from the firm is at most :data:`ACTIVE_WINDOW_WEEKS` (52) weeks
  old, the recency count firms report ("active buyers in the trailing 12 months", eBay, Etsy;
  the 12-month buyer of direct marketing, Hughes 1994 on recency); a customer can be active
  for both firms. ``customers`` is a deprecated alias of ``alive``;
* ``purchase_share = purchases / all purchases in the market`` (share, per week);
  ``share_of_wallet``: of this week's purchases by the firm's active customers, from any firm,
  the share the firm served (share, per week; the share of category requirements of panel data,
  Bhattacharya 1997; Keiningham et al. 2005 on share of wallet);
* ``cac = acquisition spend / first_purchases`` (currency per customer won; NaN in a week with
  none), acquisition spend being advertising plus the promotions redeemed and
  ``first_purchases`` the prospects who bought from the firm for the first time: won-back
  customers are not counted (``new = first_purchases + won_back``); the *incremental* CAC,
  from paired runs without the acquisition spend, is
  :func:`cxsim.experiments.economics.incremental_cac`;
* ``churn_rate``: of the alive customers at the start of the week, the share who left during it
  (customers won and lost within the week count in ``churned``, not here);
  ``retention_rate = 1 − churn_rate``;
* ``clv``: ``m·(1+d)/(1+d−r)`` per customer (first margin now; Gupta & Lehmann 2003), with weekly
  contribution margin per customer ``m = (revenue − cogs − serve_cost − retention spend)/alive``
  (alive at the start of the week; retention spend: the retention levers' up-front spend plus
  the loyalty rewards redeemed), weekly retention ``r`` and weekly discount ``d``, both smoothed
  over about a quarter (exponential average, 13 weeks) because a single week is noisy; cohort
  CLV, realised and predicted by BG/NBD from the transaction log, is in
  :mod:`cxsim.experiments.clv`;
* ``customer_equity = alive·clv`` (Blattberg & Deighton 1996): the value of the relationships
  the firm holds; at the horizon, its terminal value (break-even horizons with it:
  :func:`cxsim.experiments.economics.break_even_week`);
* ``value_per_customer = npv / customers acquired`` (the realised average value), counting every
  first purchase after being a prospect or lost since the start (a won-back customer counts
  again; the customers a firm starts with do not);
* ``nps``: Net Promoter Score of a simulated survey, in points on −100…100 (Reichheld 2003): each
  week :data:`NPS_SAMPLE` (200) of the firm's active customers, drawn from the market's own
  ``survey`` random stream (so asking reshuffles no other draw), answer the 0–10 likelihood to
  recommend, ``round(5 + 5·trust + 1·felt + z)`` clipped to 0…10 with ``felt`` the felt
  satisfaction of their last experience and ``z`` standard normal response error
  (:func:`likelihood_to_recommend`); ``nps = 100·(promoters − detractors)/respondents`` with
  promoters answering 9–10 and detractors 0–6; ``nps_se = 100·sqrt((p + q − (p − q)²)/n)`` its
  sampling standard error (shares ``p`` of promoters, ``q`` of detractors, ``n`` respondents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from cxsim.core import compiled
from cxsim.core.books import smooth
from cxsim.core.firms import Firm
from cxsim.core.rules import ADVOCATE, BUYER, STAGES

if TYPE_CHECKING:
    from cxsim.core.customers import CustomerTable
    from cxsim.core.model import Market

#: Recency window of an active customer (weeks): a customer is active for a firm while the last
#: purchase from it is at most this old. 52 weeks: the "12-month buyer" of direct marketing and
#: the active-customer count public retailers report (eBay, Etsy and PayPal count an active
#: buyer or account as one that transacted in the trailing 12 months; Amazon's "active customer
#: accounts" likewise).
ACTIVE_WINDOW_WEEKS = 52.0

#: Respondents per firm in the weekly NPS tracking survey (a continuous tracker; a sample of a
#: few hundred a wave is common practice). The survey is every week (no carried-forward values).
NPS_SAMPLE = 200

#: Likelihood to recommend (:func:`likelihood_to_recommend`): the answer of a customer with no
#: trust and a met expectation (the scale's midpoint, 5).
NPS_BASE = 5.0
#: Points added by full trust (trust 1 → 10, the top of the scale; an untried firm's trust 0.4
#: → 7, a passive).
NPS_TRUST = 5.0
#: Points per felt quality unit of the last experience's satisfaction (a disappointment,
#: felt < −disappointment_margin = −1.125, costs at least a point).
NPS_SATISFACTION = 1.0
#: Standard deviation of the response error (points): the same customer gives one of about
#: three neighbouring answers.
NPS_NOISE = 1.0


def weekly_metrics(model: Market) -> dict[str, np.ndarray]:
    """All metrics of the week just ended, one array entry per firm.

    Cost: the stage table is counted once per firm column, and the population-wide averages
    (trust, expectation, NPS) are taken over each firm's active rows only
    (:func:`_active_averages`); no sum over axis 0 of an ``(n, F)`` table (slow on a narrow
    table). Sums still run in row order, so the figures are exactly those of a column sum.
    With the compiled kernels (:mod:`cxsim.core.compiled`) all of it is one pass over the
    tables, with the same figures.
    """
    c = model.customers
    book = model.book
    v = book.values
    firms = model.firms
    n_firms = len(firms)
    dt = model.dt
    out: dict[str, np.ndarray] = {}

    table = compiled.week_table(model) if model._runs_compiled("metrics") else None
    counts = c.stage_counts() if table is None else table.stages
    for k, stage in enumerate(STAGES):
        out[stage] = counts[:, k].astype(float)
    alive = counts[:, BUYER : ADVOCATE + 1].sum(axis=1).astype(float)
    out["alive"] = alive
    out["active"] = (
        active_counts(c.last_purchase, model.week, ACTIVE_WINDOW_WEEKS)
        if table is None
        else table.active.astype(float)
    )
    out["customers"] = alive.copy()  # deprecated alias of ``alive``
    for name in (
        "purchases",
        "new",
        "first_purchases",
        "won_back",
        "churned",
        "complaints",
        "silent",
        "recoveries",
        "unresolved",
        "wom_positive",
        "wom_delighted",
        "wom_negative",
        "delighted",
        "disappointed",
        "revenue",
        "cogs",
        "serve_cost",
        "spend",
        "acquisition_spend",
        "retention_spend",
        "profit",
    ):
        out[name] = v[name].copy()

    if table is None:
        mean_trust, mean_expectation = _active_averages(c)
        out["nps"], out["nps_se"] = nps_tracking(model)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            have = counts[:, BUYER : ADVOCATE + 1].sum(axis=1)
            mean_trust = np.where(have > 0, table.trust_sum / have, np.nan)
            mean_expectation = np.where(have > 0, table.expectation_sum / have, np.nan)
        out["nps"], out["nps_se"] = nps_tracking(model, table.recent_rows)

    start = book.active_at_start.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        churn = np.where(start > 0, v["churned_of_start"] / start, np.nan)
        out["churn_rate"] = churn
        out["retention_rate"] = 1.0 - churn
        purchases = v["purchases"]
        out["mean_satisfaction"] = np.where(
            purchases > 0, v["satisfaction_sum"] / purchases, np.nan
        )
        out["mean_experienced"] = np.where(purchases > 0, v["experienced_sum"] / purchases, np.nan)
        out["mean_disconfirmation"] = np.where(
            purchases > 0, (v["experienced_sum"] - v["expectation_sum"]) / purchases, np.nan
        )
        out["delight_rate"] = np.where(purchases > 0, v["delighted"] / purchases, np.nan)
        out["mean_trust"] = mean_trust
        out["mean_expectation"] = mean_expectation

        acq, ret = v["acquisition_spend"], v["retention_spend"]
        won = v["first_purchases"]
        out["cac"] = np.where(won > 0, acq / won, np.nan)
        total = v["purchases"].sum()
        out["purchase_share"] = v["purchases"] / total if total > 0 else np.full(n_firms, np.nan)
        out["share_of_wallet"] = share_of_wallet(model, compiled=model._runs_compiled("metrics"))

        contribution = v["revenue"] - v["cogs"] - v["serve_cost"] - ret
        margin = np.where(start > 0, contribution / start / dt, np.nan)
        retention_week = np.where(start > 0, (1.0 - churn) ** (1.0 / dt), np.nan)
        book.margin = smooth(book.margin, margin)
        book.retention = smooth(book.retention, retention_week)
        d_week = (1.0 + model.config.market.discount_rate) ** (1.0 / 52.0) - 1.0
        r = np.minimum(book.retention, 1.0 - 1e-9)
        out["clv"] = book.margin * (1.0 + d_week) / (1.0 + d_week - r)
        out["customer_equity"] = alive * out["clv"]
        out["npv"] = book.npv.copy()
        out["value_per_customer"] = np.where(book.acquired > 0, book.npv / book.acquired, np.nan)

    out["quality"] = np.array([f.quality for f in firms])
    out["price"] = np.array([f.price for f in firms])
    out["unit_cost"] = np.array([f.unit_cost for f in firms])
    assert all(a.shape == (n_firms,) for a in out.values())
    return out


def _active_averages(c: CustomerTable) -> tuple[np.ndarray, np.ndarray]:
    """Per firm, over its alive customers (buyer to advocate): mean trust and mean expectation
    (NaN without customers).

    One firm column at a time, on the alive rows only: no full ``(n, F)`` temporaries. Sums run
    in row order, one value after the other (``cumsum``), exactly as a sum over axis 0 of the
    masked table does, so the figures do not depend on how they are computed.
    """
    n_firms = c.stage.shape[1]
    mean_trust = np.full(n_firms, np.nan)
    mean_expectation = np.full(n_firms, np.nan)
    stage = c.stage
    alive = (stage >= BUYER) & (stage <= ADVOCATE)  # whole table: faster than column by column
    for f in range(n_firms):
        rows = np.flatnonzero(alive[:, f])
        if rows.size == 0:
            continue
        at = rows * n_firms + f  # positions in the row-major table (take copies a strided view)
        mean_trust[f] = np.cumsum(np.take(c.trust, at))[-1] / rows.size
        mean_expectation[f] = np.cumsum(np.take(c.expectation, at))[-1] / rows.size
    return mean_trust, mean_expectation


def active_mask(last_purchase: np.ndarray, week: float, window: float) -> np.ndarray:
    """Bool mask of the same shape as ``last_purchase``: bought within the last ``window`` weeks
    at the end of week ``week`` (a purchase in the step that starts at week ``w`` is dated ``w``,
    so it counts through the report of week ``w + window``). Never bought (``nan``): not active."""
    return last_purchase >= np.float32(week - window)


def active_counts(last_purchase: np.ndarray, week: float, window: float) -> np.ndarray:
    """Per firm (column), the customers active by recency (:func:`active_mask`), as floats."""
    mask = active_mask(last_purchase, week, window)
    return np.array([np.count_nonzero(mask[:, j]) for j in range(mask.shape[1])], dtype=float)


def share_of_wallet(model: Market, *, compiled: bool = False) -> np.ndarray:
    """Per firm: of this week's purchases by its active customers (from any firm), the share
    it served (NaN if they bought nothing this week). The weekly share of category requirements
    of panel data (Bhattacharya 1997; share of wallet, Keiningham et al. 2005), counted from the
    week's purchases (``model.events["purchases"]``), so it costs a pass over them only
    (``compiled``: one compiled pass, the same counts)."""
    c = model.customers
    n_firms = c.n_firms
    out = np.full(n_firms, np.nan)
    rows, firm = model.events.get("purchases", (np.empty(0, np.int64), np.empty(0, np.int64)))
    if rows.size == 0:
        return out
    cutoff = np.float32(model.week - ACTIVE_WINDOW_WEEKS)
    if compiled:
        from cxsim.core.kernels.metrics import wallet

        theirs, served = wallet(rows, firm, c.last_purchase, cutoff)
        return np.where(theirs > 0, served / np.maximum(theirs, 1), np.nan)
    for f in range(n_firms):
        theirs = c.last_purchase[rows, f] >= cutoff
        n = np.count_nonzero(theirs)
        if n:
            out[f] = np.count_nonzero(theirs & (firm == f)) / n
    return out


def likelihood_to_recommend(
    trust: np.ndarray, satisfaction: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """Answers to "How likely is it that you would recommend us to a friend or colleague?" on
    the 0–10 scale (Reichheld 2003), whole points.

    A latent score ``NPS_BASE + NPS_TRUST·trust + NPS_SATISFACTION·felt + NPS_NOISE·z``, rounded
    and clipped to 0…10: trust in [0, 1] (a customer with no trust answers 5, full trust 10),
    felt satisfaction of the last experience in felt quality units (a disappointment lowers the
    answer; ``nan``, no experience in the model yet, counts as a met expectation, 0), and a
    standard normal response error ``z`` (``noise``). Form: satisfaction and trust are the main
    antecedents of recommendation intentions (meta-analysis of de Matos & Rossi 2008; Morgan &
    Hunt 1994 on trust); the coefficients are modelling choices, set from the scale's anchors,
    not fitted to any NPS target.
    """
    felt = np.nan_to_num(satisfaction, nan=0.0)
    latent = NPS_BASE + NPS_TRUST * trust + NPS_SATISFACTION * felt + NPS_NOISE * noise
    return np.clip(np.rint(latent), 0.0, 10.0)


def nps_from_scores(scores: np.ndarray) -> tuple[float, float]:
    """Net Promoter Score of 0–10 answers and its standard error, both in points on −100…100.

    ``NPS = 100·(p − q)`` with ``p`` the share of promoters (9–10) and ``q`` of detractors
    (0–6) (Reichheld 2003); ``se = 100·sqrt((p + q − (p − q)²)/n)``, the standard error of a
    difference of two shares of one multinomial sample of ``n`` answers. NaN without answers."""
    n = scores.size
    if n == 0:
        return float("nan"), float("nan")
    p = np.count_nonzero(scores >= 9) / n
    q = np.count_nonzero(scores <= 6) / n
    return 100.0 * (p - q), 100.0 * float(np.sqrt(max(p + q - (p - q) ** 2, 0.0) / n))


def nps_survey(
    trust: np.ndarray,
    satisfaction: np.ndarray,
    sample: int,
    rng: np.random.Generator,
) -> tuple[float, float]:
    """NPS survey of ``sample`` respondents drawn without replacement from a firm's active
    customers (``trust`` and ``satisfaction``: one entry per active customer); everyone if
    there are fewer. Returns ``(nps, se)`` in points on −100…100 (:func:`nps_from_scores`).
    Draws only from ``rng`` (the market's ``survey`` stream): asking changes nothing else."""
    n = trust.size
    if n == 0:
        return float("nan"), float("nan")
    if n > sample:
        pick = rng.choice(n, size=sample, replace=False)
        trust, satisfaction = trust[pick], satisfaction[pick]
    scores = likelihood_to_recommend(trust, satisfaction, rng.standard_normal(trust.size))
    return nps_from_scores(scores)


def nps_tracking(
    model: Market, active_rows: list[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """This week's tracking survey, firm by firm: ``NPS_SAMPLE`` of the firm's active customers
    (bought within ``ACTIVE_WINDOW_WEEKS``) answer the 0–10 question (:func:`nps_survey`);
    NPS and its standard error in points, NaN for a firm without active customers.
    ``active_rows``: each firm's active rows in order, when already known."""
    c = model.customers
    n_firms = c.n_firms
    nps = np.full(n_firms, np.nan)
    se = np.full(n_firms, np.nan)
    mask = (
        active_mask(c.last_purchase, model.week, ACTIVE_WINDOW_WEEKS)
        if active_rows is None
        else None
    )
    rng = model.streams.survey
    for f in range(n_firms):
        rows = np.flatnonzero(mask[:, f]) if active_rows is None else active_rows[f]
        at = rows.astype(np.int64) * n_firms + f
        n = at.size
        if n > NPS_SAMPLE:
            # the respondents first, then their answers: what nps_survey does with the same
            # draws, without gathering every active customer's trust
            at = at[rng.choice(n, size=NPS_SAMPLE, replace=False)]
        nps[f], se[f] = nps_survey(
            np.take(c.trust, at), np.take(c.satisfaction, at), NPS_SAMPLE, rng
        )
    return nps, se


@dataclass(frozen=True)
class Metric:
    """One weekly output column: its name, plot label, unit and meaning (one source of truth for
    the frame's columns, the axis labels of :mod:`cxsim.viz` and the tables of docs/ODD.md).

    ``note``: what the column says in plain words, short enough for a footnote under a table of
    the command line (:func:`cxsim.cli.tables.metric_notes`; the unit is printed after it);
    empty where ``meaning`` is short and plain enough to serve."""

    name: str
    label: str
    unit: str
    meaning: str
    note: str = ""


#: Every weekly output, in column order of :meth:`cxsim.core.model.Market.to_frame`.
METRIC_INFO: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "prospect",
            "prospects (customers)",
            "customers",
            "customers at the prospect stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "buyer",
            "buyers (customers)",
            "customers",
            "customers at the buyer stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "repeat",
            "repeat customers (customers)",
            "customers",
            "customers at the repeat stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "client",
            "clients (customers)",
            "customers",
            "customers at the client stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "advocate",
            "advocates (customers)",
            "customers",
            "customers at the advocate stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "lost",
            "lost customers (customers)",
            "customers",
            "customers at the lost stage of the loyalty ladder at the end of the week",
        ),
        Metric(
            "alive",
            "alive customers (buyer to advocate)",
            "customers",
            "the model's latent relationships: customers at the buyer, repeat, client or advocate "
            "stage (not lost) at the end of the week, whether or not they still buy from the firm",
            note="customers still in a relationship with the firm (not lost), even those now "
            "buying from the rival",
        ),
        Metric(
            "active",
            "active customers (bought in the last 52 weeks)",
            "customers",
            "customers whose last purchase from the firm is at most ACTIVE_WINDOW_WEEKS (52) weeks "
            "old at the end of the week: the 12-month active-buyer count retailers report",
            note=f"customers who bought from the firm in the last {ACTIVE_WINDOW_WEEKS:g} weeks",
        ),
        Metric(
            "customers",
            "customers (deprecated: same as alive)",
            "customers",
            "deprecated alias of alive, kept so that old analyses run; use active (by recency) or "
            "alive (not lost)",
        ),
        Metric(
            "new",
            "new customers (per week)",
            "customers per week",
            "first purchases by prospects and by lost customers (won back ones included)",
        ),
        Metric(
            "first_purchases",
            "customers won from prospects (per week)",
            "customers per week",
            "first-ever purchases from the firm (prospects who bought; won-back customers not "
            "included): new − won_back",
        ),
        Metric(
            "won_back",
            "customers won back (per week)",
            "customers per week",
            "purchases by customers who had been lost",
        ),
        Metric(
            "churned",
            "customers lost (per week)",
            "customers per week",
            "alive customers who defected (moved to the lost stage)",
        ),
        Metric(
            "churn_rate",
            "churn rate (share per week)",
            "per week",
            "share of the alive customers at the start of the week who defected during it",
            note="share of the firm's relationships (alive customers) that ended that week",
        ),
        Metric(
            "retention_rate",
            "retention rate (share per week)",
            "per week",
            "1 − churn_rate",
        ),
        Metric(
            "purchases",
            "purchases (per week)",
            "purchases per week",
            "needs served by the firm",
        ),
        Metric(
            "purchase_share",
            "purchase share (share of the market's purchases)",
            "share",
            "the firm's purchases / all purchases in the market this week (NaN if none)",
            note="the firm's share of all purchases in the market that week",
        ),
        Metric(
            "share_of_wallet",
            "share of wallet (share of its active customers' purchases)",
            "share",
            "of this week's purchases by the firm's active customers (from any firm), the share "
            "the firm served (NaN if they bought nothing)",
            note="of that week's purchases by the firm's active customers, the share made at the "
            "firm",
        ),
        Metric(
            "delighted",
            "delighted experiences (per week)",
            "purchases per week",
            "experiences beyond the standard by more than delight_margin",
        ),
        Metric(
            "disappointed",
            "disappointed experiences (per week)",
            "purchases per week",
            "experiences felt short of the standard by more than disappointment_margin (felt units)",
        ),
        Metric(
            "delight_rate",
            "delight rate (share of purchases)",
            "share",
            "delighted / purchases",
        ),
        Metric(
            "complaints",
            "complaints (per week)",
            "per week",
            "disappointed experiences voiced to the firm",
        ),
        Metric(
            "silent",
            "silent dissatisfaction (per week)",
            "per week",
            "disappointed experiences never voiced (invisible complaints)",
        ),
        Metric(
            "recoveries",
            "complaints resolved (per week)",
            "per week",
            "complaints resolved",
        ),
        Metric(
            "unresolved",
            "complaints unresolved (per week)",
            "per week",
            "complaints that waited complaint_patience weeks without resolution",
        ),
        Metric(
            "wom_positive",
            "positive word of mouth (messages per week)",
            "messages per week",
            "positive word-of-mouth messages about the firm sent this week",
        ),
        Metric(
            "wom_delighted",
            "word of mouth from delight (messages per week)",
            "messages per week",
            "of the positive messages, those sent by customers the firm delighted this week "
            "(the rest are advocates' praise after a met expectation)",
        ),
        Metric(
            "wom_negative",
            "negative word of mouth (messages per week)",
            "messages per week",
            "negative word-of-mouth messages about the firm sent this week",
        ),
        Metric(
            "mean_expectation",
            "mean expectation (quality units)",
            "quality units",
            "mean predicted ('will') quality of the firm among its alive customers",
        ),
        Metric(
            "mean_experienced",
            "mean experienced quality (quality units)",
            "quality units",
            "mean experienced quality of this week's purchases",
        ),
        Metric(
            "mean_disconfirmation",
            "mean disconfirmation (quality units)",
            "quality units",
            "mean experienced − standard ('should') of this week's purchases",
        ),
        Metric(
            "mean_satisfaction",
            "mean satisfaction (quality units)",
            "quality units",
            "mean felt satisfaction (loss-averse) of this week's purchases",
        ),
        Metric(
            "mean_trust",
            "mean trust (0–1)",
            "trust [0,1]",
            "mean trust among the firm's alive customers (buyer to advocate)",
        ),
        Metric(
            "nps",
            "NPS (points, −100 to 100)",
            "points in [−100, 100]",
            "Net Promoter Score of the week's survey of NPS_SAMPLE (200) active customers: "
            "% answering 9–10 − % answering 0–6 to the 0–10 likelihood to recommend",
            note=f"Net Promoter Score of that week's survey of {NPS_SAMPLE} active customers: "
            "% promoters (answer 9–10) − % detractors (0–6)",
        ),
        Metric(
            "nps_se",
            "NPS standard error (points)",
            "points",
            "sampling standard error of nps: 100·sqrt((p + q − (p − q)²)/n) for shares p of "
            "promoters and q of detractors among n respondents",
            note="standard error of that week's nps from sampling: the survey's 95% interval is "
            "about nps ± 2·nps_se",
        ),
        Metric(
            "revenue",
            "revenue (currency per week)",
            "currency per week",
            "purchases × price",
        ),
        Metric(
            "cogs",
            "cost of goods (currency per week)",
            "currency per week",
            "purchases × unit cost",
        ),
        Metric(
            "serve_cost",
            "cost to serve (currency per week)",
            "currency per week",
            "purchases × serve_cost × the service and access quality delivered",
        ),
        Metric(
            "spend",
            "spend (currency per week)",
            "currency per week",
            "the week's budget on the levers paid up front, plus the discounts redeemed",
        ),
        Metric(
            "acquisition_spend",
            "acquisition spend (currency per week)",
            "currency per week",
            "advertising budget plus the first-purchase discounts redeemed",
        ),
        Metric(
            "retention_spend",
            "retention spend (currency per week)",
            "currency per week",
            "budget on the retention levers paid up front plus the loyalty rewards redeemed",
        ),
        Metric(
            "profit",
            "profit (currency per week)",
            "currency per week",
            "revenue − cogs − serve_cost − spend",
        ),
        Metric(
            "npv",
            "cumulative discounted profit, NPV (currency)",
            "currency",
            "cumulative discounted profit",
            note="profit so far, discounted to week 0",
        ),
        Metric(
            "cac",
            "CAC (currency per customer won)",
            "currency per customer won",
            "acquisition spend / customers won from prospects (first_purchases; win-backs not "
            "counted; NaN in a week with none)",
            note="acquisition spend that week per customer won from prospects (win-backs not "
            "counted)",
        ),
        Metric(
            "clv",
            "CLV (currency per customer)",
            "currency per customer",
            "estimated customer lifetime value (closed form, smoothed inputs)",
            note="expected discounted margin of an alive customer over the rest of the "
            "relationship",
        ),
        Metric(
            "customer_equity",
            "customer equity (currency)",
            "currency",
            "alive × clv: the value of the relationships the firm holds (at the horizon: its "
            "terminal value)",
            note="alive × clv: what the relationships the firm holds are worth from here on (at "
            "the horizon: its terminal value)",
        ),
        Metric(
            "value_per_customer",
            "NPV per customer acquired (currency)",
            "currency per customer",
            "npv / first purchases so far (prospects and lost customers who bought; the initial customers are not counted, a customer won back counts again)",
        ),
        Metric(
            "quality",
            "product quality (quality units)",
            "quality units",
            "the firm's core product quality",
        ),
        Metric(
            "price",
            "price (currency per purchase)",
            "currency per purchase",
            "the firm's price",
        ),
        Metric(
            "unit_cost",
            "unit cost (currency per purchase)",
            "currency per purchase",
            "the firm's unit cost",
        ),
    )
}

#: Metric columns of :func:`tidy_frame`, in order.
METRICS: tuple[str, ...] = tuple(METRIC_INFO)


def _reported(firm: Firm, name: str) -> float:
    """Mesa agent-type reporter: the firm's value of metric ``name`` this week."""
    return firm.report[name]


def _week(firm: Firm) -> float:
    """Mesa agent-type reporter: the week the firm's record belongs to."""
    return float(firm.model.week)


def make_datacollector() -> mesa.DataCollector:
    """Mesa's own ``DataCollector``: the week as a model reporter, and one agent-type reporter per
    metric over the :class:`~cxsim.core.firms.Firm` agents (``agenttype_reporters``), so Mesa's
    tools (``get_agenttype_vars_dataframe(Firm)``, ``mesa.batch_run``) give one row per firm and
    week. The metrics are computed once a week by the model (:func:`weekly_metrics`, into each
    firm's ``report``); the reporters only read them."""
    reporters: dict[str, Any] = {"week": _week, "firm": "name"}
    reporters.update({name: [_reported, [name]] for name in METRICS})
    return mesa.DataCollector(
        model_reporters={"week": "week"}, agenttype_reporters={Firm: reporters}
    )


def tidy_frame(model: Market) -> pd.DataFrame:
    """One row per week and firm: ``week``, ``firm`` and one column per metric (from the
    collector's firm records, in the order they were collected)."""
    records = model.datacollector.get_agenttype_vars_dataframe(Firm)
    firms = [f.name for f in model.firms]
    data: dict[str, object] = {
        "week": records["week"].to_numpy(dtype=float),
        "firm": pd.Categorical(records["firm"].to_numpy(dtype=object), categories=firms),
    }
    for name in METRICS:
        data[name] = records[name].to_numpy(dtype=float)
    return pd.DataFrame(data)
