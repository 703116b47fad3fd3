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
* ``cac = acquisition spend / new customers`` (currency per new customer; NaN in a week with none),
  acquisition spend being advertising plus the promotions redeemed;
* ``churn_rate``: of the active customers at the start of the week, the share who left during it
  (customers won and lost within the week count in ``churned``, not here);
  ``retention_rate = 1 − churn_rate``;
* ``clv``: ``m·(1+d)/(1+d−r)`` per customer (first margin now; Gupta & Lehmann 2003), with weekly
  contribution margin per customer ``m = (revenue − cogs − serve_cost − retention spend)/customers``
  (retention spend: the retention levers' up-front spend plus the loyalty rewards redeemed), weekly
  retention ``r`` and weekly discount ``d``, both smoothed over about a quarter (exponential
  average, 13 weeks) because a single week is noisy;
* ``customer_equity = customers·clv`` (Blattberg & Deighton 1996);
* ``value_per_customer = npv / customers acquired`` (the realised average value), counting every
  first purchase after being a prospect or lost since the start (a won-back customer counts
  again; the customers a firm starts with do not); ``new`` and so ``cac`` count won-back
  customers too (``won_back`` says how many);
* ``nps``: share of promoters minus share of detractors among the firm's customers who have
  bought (Reichheld 2003). Promoters trust the firm at least ``advocate_trust`` and were not
  disappointed last time; detractors were disappointed last time or trust it less than
  ``churn_trust_floor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from cxsim.core.books import smooth
from cxsim.core.firms import Firm
from cxsim.core.rules import ADVOCATE, BUYER, STAGES

if TYPE_CHECKING:
    from cxsim.core.customers import CustomerTable
    from cxsim.core.model import Market


def weekly_metrics(model: Market) -> dict[str, np.ndarray]:
    """All metrics of the week just ended, one array entry per firm.

    Cost: the stage table is counted once per firm column, and the population-wide averages
    (trust, expectation, NPS) are taken over each firm's active rows only
    (:func:`_active_averages`); no sum over axis 0 of an ``(n, F)`` table (slow on a narrow
    table). Sums still run in row order, so the figures are exactly those of a column sum.
    """
    c = model.customers
    book = model.book
    v = book.values
    firms = model.firms
    n_firms = len(firms)
    dt = model.dt
    out: dict[str, np.ndarray] = {}

    counts = c.stage_counts()
    for k, stage in enumerate(STAGES):
        out[stage] = counts[:, k].astype(float)
    n_active = counts[:, BUYER : ADVOCATE + 1].sum(axis=1)
    customers = n_active.astype(float)
    out["customers"] = customers
    for name in (
        "purchases",
        "new",
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

    p = model.config.customers
    mean_trust, mean_expectation, nps = _active_averages(
        c,
        missed_below=-p.disappointment_margin,  # felt units, as word_of_mouth_senders
        promoter_trust=p.advocate_trust,
        detractor_trust=p.churn_trust_floor,
    )

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
        out["cac"] = np.where(v["new"] > 0, acq / v["new"], np.nan)

        contribution = v["revenue"] - v["cogs"] - v["serve_cost"] - ret
        margin = np.where(start > 0, contribution / start / dt, np.nan)
        retention_week = np.where(start > 0, (1.0 - churn) ** (1.0 / dt), np.nan)
        book.margin = smooth(book.margin, margin)
        book.retention = smooth(book.retention, retention_week)
        d_week = (1.0 + model.config.market.discount_rate) ** (1.0 / 52.0) - 1.0
        r = np.minimum(book.retention, 1.0 - 1e-9)
        out["clv"] = book.margin * (1.0 + d_week) / (1.0 + d_week - r)
        out["customer_equity"] = customers * out["clv"]
        out["npv"] = book.npv.copy()
        out["value_per_customer"] = np.where(book.acquired > 0, book.npv / book.acquired, np.nan)
        out["nps"] = nps

    out["quality"] = np.array([f.quality for f in firms])
    out["price"] = np.array([f.price for f in firms])
    out["unit_cost"] = np.array([f.unit_cost for f in firms])
    assert all(a.shape == (n_firms,) for a in out.values())
    return out


def _active_averages(
    c: CustomerTable, *, missed_below: float, promoter_trust: float, detractor_trust: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per firm, over its active customers (buyer to advocate): mean trust, mean expectation
    (NaN without customers) and NPS (NaN when none has bought yet).

    One firm column at a time, on the active rows only: no full ``(n, F)`` temporaries. Sums run
    in row order, one value after the other (``cumsum``), exactly as a sum over axis 0 of the
    masked table does, so the figures do not depend on how they are computed.
    """
    n_firms = c.stage.shape[1]
    mean_trust = np.full(n_firms, np.nan)
    mean_expectation = np.full(n_firms, np.nan)
    nps = np.full(n_firms, np.nan)
    stage = c.stage
    active = (stage >= BUYER) & (stage <= ADVOCATE)  # whole table: faster than column by column
    for f in range(n_firms):
        rows = np.flatnonzero(active[:, f])
        if rows.size == 0:
            continue
        at = rows * n_firms + f  # positions in the row-major table (take copies a strided view)
        trust = np.take(c.trust, at)
        mean_trust[f] = np.cumsum(trust)[-1] / rows.size
        mean_expectation[f] = np.cumsum(np.take(c.expectation, at))[-1] / rows.size
        sat = np.take(c.satisfaction, at)
        known = ~np.isnan(sat)
        n_known = np.count_nonzero(known)
        if n_known == 0:
            continue
        missed = sat < missed_below
        promoters = np.count_nonzero(known & ~missed & (trust >= promoter_trust))
        detractors = np.count_nonzero(known & (missed | (trust < detractor_trust)))
        nps[f] = (promoters - detractors) / n_known
    return mean_trust, mean_expectation, nps


@dataclass(frozen=True)
class Metric:
    """One weekly output column: its name, plot label, unit and meaning (one source of truth for
    the frame's columns, the axis labels of :mod:`cxsim.viz` and the tables of docs/ODD.md)."""

    name: str
    label: str
    unit: str
    meaning: str


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
            "customers",
            "customers (buyer to advocate)",
            "customers",
            "active customers (buyer, repeat, client or advocate) at the end of the week",
        ),
        Metric(
            "new",
            "new customers (per week)",
            "customers per week",
            "first purchases by prospects and by lost customers (won back ones included)",
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
            "active customers who defected",
        ),
        Metric(
            "churn_rate",
            "churn rate (share per week)",
            "per week",
            "share of the active customers at the start of the week who defected during it",
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
            "mean predicted ('will') quality of the firm among its active customers",
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
            "mean trust among the firm's active customers",
        ),
        Metric(
            "nps",
            "NPS (promoters − detractors, share)",
            "share in [−1, 1]",
            "promoters − detractors among active customers who have bought (see economics)",
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
        ),
        Metric(
            "cac",
            "CAC (currency per new customer)",
            "currency per new customer",
            "acquisition spend / new customers",
        ),
        Metric(
            "clv",
            "CLV (currency per customer)",
            "currency per customer",
            "estimated customer lifetime value (closed form, smoothed inputs)",
        ),
        Metric(
            "customer_equity",
            "customer equity (currency)",
            "currency",
            "customers × clv",
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
