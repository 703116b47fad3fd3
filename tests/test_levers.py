"""Every lever: more spend moves its target the right way, with diminishing returns; and each
lever is priced in its own unit (Blattberg & Deighton 1996).

First on the lever's effect itself (cxsim.core.firms.lever_effects: exact, no randomness), then in the
market: a firm spending on one lever only, at a low and a high budget, on the same seeds (common
random numbers), moves the outcome that lever aims at in the right direction. Then hand values of
the units: advertising per prospect, retention levers and loyalty per expected purchase from own
customers, promotion per expected first purchase, discounts paid only on redemption, the cost to
serve per purchase, and the weekly accounting identity; and the transport of the units to a
market whose customers buy less often.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from cxsim import FirmSpec, Market
from cxsim.core import rules
from cxsim.core.firms import MIN_PURCHASE_RATE, Firm, expected_purchase_rate, lever_effects
from cxsim.core.rules import ADVOCATE, BUYER
from cxsim.core.ruleset import Rules
from cxsim.params import DISCOUNT_LEVERS, LEVER_AUDIENCE, LEVERS, LeverParams
from cxsim.validation.behaviours import MECHANISM_CUSTOMERS, mechanism_market

#: lever -> the LeverEffects fields it raises
TARGETS = {
    "advertising": ("reach_per_year",),
    "promotion": ("promotion",),
    "service": ("service", "consistency"),
    "complaint_handling": ("complaint_capacity",),
    "personalization": ("learning",),
    "feedback": ("solicitation",),
    "access": ("access",),
    "loyalty": ("loyalty",),
    "efficiency": ("cost_saving",),
    "innovation": ("innovation",),
}


def test_every_lever_has_a_target():
    assert set(TARGETS) == set(LEVERS)


@pytest.mark.parametrize("lever", [k for k in LEVERS if k not in DISCOUNT_LEVERS])
def test_more_spend_raises_the_target_with_diminishing_returns(lever):
    params = LeverParams()
    # spend per head of the lever's audience (or per week for the firm-level levers), up to
    # three times the spend that reaches 63% of the ceiling
    spends = np.linspace(0.0, 3.0 / getattr(params, f"{lever}_efficiency"), 7)
    for target in TARGETS[lever]:
        effect = np.array([getattr(lever_effects({lever: s}, params), target) for s in spends])
        assert effect[0] == 0.0
        assert np.all(np.diff(effect) > 0), f"{lever}: {target} does not rise with spend"
        assert np.all(np.diff(effect, 2) < 0), f"{lever}: {target} has no diminishing returns"
        # spend on other levers leaves this target alone
        others = {k: 0.1 for k in LEVERS if k != lever}
        assert getattr(lever_effects(others, params), target) == 0.0


@pytest.mark.parametrize("lever", DISCOUNT_LEVERS)
def test_discount_depth_rises_in_proportion_to_spend_up_to_its_ceiling(lever):
    params = LeverParams()
    ceiling = getattr(params, f"{lever}_ceiling")
    price = 10.0
    spends = np.linspace(0.0, 2.0 * ceiling * price, 9)  # per redemption
    depth = np.array(
        [getattr(lever_effects({lever: s}, params, price=price), lever) for s in spends]
    )
    np.testing.assert_allclose(depth, np.minimum(spends / price, ceiling), rtol=1e-12)
    others = {k: 0.1 for k in LEVERS if k != lever}
    assert getattr(lever_effects(others, params, price=price), lever) == 0.0


def _run(lever: str, budget: float, seed: int, **params) -> Market:
    firm = FirmSpec(
        name="firm",
        strategy="custom",
        allocation={lever: 1.0},
        budget=budget,
        initial_customers=0.4,
        initial_awareness=0.3,
    )
    # frequent buyers (the mechanism market's customers): enough purchases in 26 weeks of 600
    # customers for every lever's effect to show
    params = {**MECHANISM_CUSTOMERS, **params}
    m = Market(rng=seed, n_customers=600, customer_agents=False, firms=[firm], **params)
    m.run(26)
    return m


#: lever -> (what it should move in the market, +1 up / -1 down)
OUTCOMES = {
    "advertising": (lambda m, f: m.customers.considers[:, 0].mean(), +1),
    "promotion": (lambda m, f: f.new.sum(), +1),
    "service": (lambda m, f: f.mean_experienced.iloc[1:].mean(), +1),
    "complaint_handling": (lambda m, f: f.recoveries.sum(), +1),
    "personalization": (lambda m, f: m.customers.knowledge[:, 0].mean(), +1),
    "feedback": (lambda m, f: f.complaints.sum() / (f.complaints + f.silent).sum(), +1),
    "access": (lambda m, f: f.mean_experienced.iloc[1:].mean(), +1),
    "loyalty": (lambda m, f: f.purchases.sum(), +1),
    "efficiency": (lambda m, f: f.price.iloc[-1], -1),
    "innovation": (lambda m, f: f.quality.iloc[-1], +1),
}


@pytest.mark.parametrize("lever", LEVERS)
def test_more_spend_moves_the_market_outcome(lever):
    outcome, sign = OUTCOMES[lever]
    # complaint handling needs complaints to handle: ask for them with a high voice rate
    extra = {"voice_minor": 0.5} if lever == "complaint_handling" else {}
    low = high = 0.0
    for seed in range(3):  # common random numbers: the same customers at both budgets
        # 0.005 and 0.1 per market customer per week, as a yearly budget of the firm
        lo = _run(lever, 0.005 * 600 * 52, seed, **extra)
        hi = _run(lever, 0.1 * 600 * 52, seed, **extra)
        low += outcome(lo, lo.to_frame())
        high += outcome(hi, hi.to_frame())
    assert sign * (high - low) > 0, f"{lever}: {low / 3:.4g} -> {high / 3:.4g}"


# --------------------------------------------------------------------------------------------
# units: what each lever's spend is divided by
# --------------------------------------------------------------------------------------------


def _firm(allocation: dict[str, float], budget: float, params: LeverParams | None = None) -> Firm:
    model = mesa.Model(rng=0)
    model.rules = Rules()
    spec = FirmSpec(name="firm", strategy="custom", allocation=allocation, budget=budget)
    return Firm(model, 0, spec, params or LeverParams())


def _plan(
    firm: Firm, *, market_size=2000, customers=600.0, prospects=280.0, purchase_rate=0.25
) -> Firm:
    firm.plan_week(
        market_size=market_size,
        customers=customers,
        prospects=prospects,
        purchase_rate=purchase_rate,
    )
    return firm


def test_every_lever_has_an_audience():
    assert set(LEVER_AUDIENCE) == set(LEVERS)


def test_the_budget_is_per_year():
    firm = _plan(_firm({"service": 1.0}, 52_000.0))
    assert firm.budget() == pytest.approx(1000.0)  # currency per week
    assert firm.spend["service"] == pytest.approx(1000.0)


def test_advertising_hazard_from_spend_per_prospect():
    p = LeverParams()
    firm = _plan(_firm({"advertising": 1.0}, 52 * 56.0), prospects=280.0)
    # 56 a week over 280 prospects: 0.2 per prospect
    assert firm.effects.reach_per_year == pytest.approx(
        p.advertising_ceiling * (1 - np.exp(-p.advertising_efficiency * 0.2)), rel=1e-12
    )
    # twice the prospects, half the spend per prospect: a lower hazard
    wider = _plan(_firm({"advertising": 1.0}, 52 * 56.0), prospects=560.0)
    assert wider.effects.reach_per_year == pytest.approx(
        p.advertising_ceiling * (1 - np.exp(-p.advertising_efficiency * 0.1)), rel=1e-12
    )
    # nobody left to reach: the spend is divided by at least 1
    none = _plan(_firm({"advertising": 1.0}, 52 * 56.0), prospects=0.0)
    assert none.audience["advertising"] == 1.0
    # how often customers buy does not matter: attention is bought per person reached
    rarely = _plan(_firm({"advertising": 1.0}, 52 * 56.0), purchase_rate=0.025)
    assert rarely.effects.reach_per_year == firm.effects.reach_per_year


def test_service_per_expected_purchase():
    p = LeverParams()
    firm = _plan(_firm({"service": 1.0}, 52 * 30.0), customers=600.0)
    # 30 a week over 600 own customers buying 0.25 times a week: 0.2 per expected purchase
    x = 30.0 / (600.0 * 0.25)
    assert firm.audience["service"] == pytest.approx(150.0, rel=1e-12)
    assert firm.effects.service == pytest.approx(
        p.service_ceiling * (1 - np.exp(-p.service_efficiency * x)), rel=1e-12
    )
    assert firm.effects.consistency == pytest.approx(
        p.consistency_ceiling * (1 - np.exp(-p.service_efficiency * x)), rel=1e-12
    )
    # the market's size does not matter, the firm's own customers do
    bigger = _plan(_firm({"service": 1.0}, 52 * 30.0), market_size=20_000, customers=600.0)
    assert bigger.effects.service == firm.effects.service
    more = _plan(_firm({"service": 1.0}, 52 * 30.0), customers=1200.0)
    assert more.effects.service < firm.effects.service
    # and so does how often they buy: twice the purchases, half the spend per purchase
    often = _plan(_firm({"service": 1.0}, 52 * 30.0), purchase_rate=0.5)
    assert often.effects.service == pytest.approx(
        p.service_ceiling * (1 - np.exp(-p.service_efficiency * x / 2)), rel=1e-12
    )
    # ten times rarer purchases and a tenth of the spend: the same service per purchase
    rarely = _plan(_firm({"service": 1.0}, 52 * 3.0), purchase_rate=0.025)
    assert rarely.effects.service == pytest.approx(firm.effects.service, rel=1e-12)


def test_promotion_per_expected_first_purchase():
    p = LeverParams()
    firm = _plan(_firm({"promotion": 1.0}, 52 * 70.0), market_size=2000, customers=600.0)
    # before any week is seen, 70 a week over the 1120 non-customers who consider the firm
    # (2000 - 600 customers - 280 who do not) buying 0.25 times a week: 0.25 per expected first
    # purchase, a discount of 0.25 / price 10 = 2.5% (under the ceiling)
    assert firm.audience["promotion"] == pytest.approx(280.0, rel=1e-12)
    assert firm.effects.promotion == pytest.approx(0.25 / 10.0, rel=1e-12)
    assert firm.effects.promotion < p.promotion_ceiling


def test_discount_depth_is_budget_per_redemption_over_price_up_to_the_ceiling():
    assert rules.discount_depth(2.0, 10.0, 0.5) == pytest.approx(0.2)
    assert rules.discount_depth(20.0, 10.0, 0.5) == 0.5  # capped at the deepest discount
    assert rules.discount_depth(0.0, 10.0, 0.5) == 0.0
    assert rules.discount_depth(2.0, 0.0, 0.5) == 0.0  # nothing to discount
    np.testing.assert_allclose(
        rules.discount_depth(np.array([1.0, 3.0]), np.array([10.0, 5.0]), 0.5), [0.1, 0.5]
    )


def test_discount_forecast_follows_redemptions():
    firm = _plan(_firm({"promotion": 0.5, "loyalty": 0.5}, 52 * 40.0), customers=600.0)
    first = firm.audience["promotion"]
    # a week with 10 first purchases and 60 repeat purchases: a quarter of the way there
    firm.observe_redemptions(10.0, 60.0, 1.0)
    assert firm.redemptions["promotion"] == pytest.approx(first + 0.25 * (10.0 - first))
    # a week of daily steps moves the forecast as much as one weekly step
    daily = _plan(_firm({"promotion": 0.5, "loyalty": 0.5}, 52 * 40.0), customers=600.0)
    for _ in range(7):
        daily.observe_redemptions(10.0 / 7, 60.0 / 7, 1.0 / 7)
    assert daily.redemptions["promotion"] == pytest.approx(
        10.0 + (first - 10.0) * (1 - 0.25) ** 1.0, rel=1e-9
    )
    # the next plan spreads the budget over the forecast
    _plan(firm, customers=600.0)
    assert firm.audience["loyalty"] == pytest.approx(firm.redemptions["loyalty"])
    assert firm.effects.loyalty == pytest.approx(
        min(LeverParams().loyalty_ceiling, 20.0 / firm.redemptions["loyalty"] / 10.0)
    )


@pytest.mark.parametrize("strategy", ["retention_focus", "acquisition_focus"])
def test_discounts_cost_their_budget_on_average(strategy):
    # what customers redeem costs the discount budget, over five years, within 5%: the depth is
    # set from the redemptions the firm has been seeing (before, the depth came from a response
    # curve and loyalty rewards cost about 2.5 times their budget)
    # frequent buyers, so that the ceilings do not bind (a discount whose budget per redemption
    # exceeds ceiling x price cannot be spent in full, and with customers who buy about once a
    # year it often does)
    sc = mechanism_market(strategy).resized(1000)
    m = Market(sc, rng=3, customer_agents=False)
    redeemed = {"promotion_cost": 0.0, "loyalty_cost": 0.0}
    weeks = 260
    for _ in range(weeks):
        m.step()
        for cost in redeemed:
            redeemed[cost] += m.book.values[cost][0]
    shares = sc.firms[0].shares()
    weekly = sc.firms[0].budget / 52.0
    for lever, cost in (("promotion", "promotion_cost"), ("loyalty", "loyalty_cost")):
        budget = weekly * shares[lever]
        if budget > 0:
            assert redeemed[cost] / weeks == pytest.approx(budget, rel=0.05), lever


def test_purchase_audiences_count_at_least_one_customer():
    # no own customers: the retention spend is spread over one customer's expected purchases
    # (the old floor of one customer), not over one purchase a week
    for rate in (0.25, 0.015):
        none = _plan(
            _firm({"service": 0.5, "loyalty": 0.5}, 52 * 30.0), customers=0.0, purchase_rate=rate
        )
        assert none.audience["service"] == none.audience["loyalty"] == rate
        assert none.audience["promotion"] == pytest.approx((2000 - 280) * rate, rel=1e-12)
    # everybody a customer: promotion is spread over one customer's expected first purchases
    full = _plan(_firm({"promotion": 1.0}, 52 * 30.0), customers=2000.0, prospects=0.0)
    assert full.audience["promotion"] == 0.25


def test_expected_purchase_rate():
    assert expected_purchase_rate(0.25, 1.0) == 0.25
    assert expected_purchase_rate(0.01492, 0.5) == 0.01492
    # a need at every step: one purchase per step of dt weeks
    assert expected_purchase_rate(np.inf, 1.0) == 1.0
    assert expected_purchase_rate(np.inf, 0.5) == 2.0
    # nobody ever buys: a small positive floor, so spend per purchase stays finite
    assert expected_purchase_rate(0.0, 1.0) == MIN_PURCHASE_RATE > 0
    firm = _plan(_firm({"service": 1.0}, 52 * 30.0), purchase_rate=expected_purchase_rate(0, 1))
    assert np.isfinite(firm.effects.service)


def test_a_market_ten_times_larger_needs_ten_times_the_budget():
    shares = {"advertising": 0.3, "promotion": 0.1, "service": 0.3, "complaint_handling": 0.1}
    shares |= {"feedback": 0.1, "loyalty": 0.1}
    small = _plan(_firm(shares, 10_400.0))
    large = _plan(_firm(shares, 104_000.0), market_size=20_000, customers=6000.0, prospects=2800.0)
    for name, value in vars(small.effects).items():
        assert getattr(large.effects, name) == pytest.approx(value, rel=1e-12), name


#: The efficiencies (and ceilings) before the conversions, per currency per market customer per
#: week, and the default market's expected week-1 state: 2000 customers, 600 own customers,
#: 1400 non-customers, 280 prospects who do not consider the firm (complaint handling: its
#: ceiling per own customer per week).
OLD = {
    "advertising": (4.0, 10.0, "reach_per_year"),
    "service": (1.2, 15.0, "service"),
    "complaint_handling": (0.02 * 2000 / 600, 60.0, "complaint_capacity"),
    "personalization": (0.3, 30.0, "learning"),
    "feedback": (0.5, 60.0, "solicitation"),
    "access": (0.6, 30.0, "access"),
    "efficiency": (0.25, 10.0, "cost_saving"),
    "innovation": (0.02, 10.0, "innovation"),
}


@pytest.mark.parametrize("strategy", ["balanced", "retention_focus", "acquisition_focus"])
def test_the_default_market_gets_the_same_effects_in_week_one(strategy):
    # a units conversion: at the default market's week-1 state (need rate 0.25) the new
    # efficiencies buy what the old ones bought for the same money (0.10 per market customer per
    # week). The two discounts are not in it: their depth is now the budget per redemption
    # (rules.discount_depth), a change of mechanism, not of units
    firm = Firm(mesa.Model(rng=0), 0, FirmSpec(strategy=strategy, budget=10_400.0), LeverParams())
    firm.model.rules = Rules()
    _plan(firm, purchase_rate=0.25)
    # complaint capacity, now per expected purchase: × 0.25 purchases a week per own customer
    per_own_customer = {"complaint_capacity": 0.25}
    for lever, (ceiling, efficiency, effect) in OLD.items():
        per_market_customer = 0.10 * firm.shares[lever]
        old = ceiling * (1 - np.exp(-efficiency * per_market_customer))
        new = getattr(firm.effects, effect) * per_own_customer.get(effect, 1.0)
        assert new == pytest.approx(old, rel=1e-12), lever


# --------------------------------------------------------------------------------------------
# transport: a market whose customers buy ten times less often
# --------------------------------------------------------------------------------------------


def _transport_market(need_rate: float, budget_factor: float, seed: int) -> Market:
    firms = [
        FirmSpec(name="focal", strategy="balanced", budget=10_400.0 * budget_factor),
        FirmSpec(name="rival", strategy="retention_focus", budget=10_400.0 * budget_factor),
    ]
    return Market(
        rng=seed, n_customers=1000, customer_agents=False, firms=firms, need_rate=need_rate
    )


RETENTION_EFFECTS = ("service", "consistency", "access", "learning", "solicitation")


@pytest.mark.parametrize("seed", [1, 2])
def test_retention_effects_travel_to_a_market_that_buys_less_often(seed):
    # ten times rarer purchases, ten times less revenue per customer: a budget at the same share
    # of revenue (× 0.1) buys the same effect per purchase, week after week as planned; reach,
    # bought per person, falls with the budget
    often = _transport_market(0.25, 1.0, seed)
    rarely = _transport_market(0.025, 0.1, seed)
    p = often.config.levers
    for week in range(2):  # as the firms start, and as they plan week 1
        if week:
            often.step()
            rarely.step()
            np.testing.assert_array_equal(often.book.active_at_start, rarely.book.active_at_start)
        for f_often, f_rarely in zip(often.firms, rarely.firms, strict=True):
            a, b = f_often.effects, f_rarely.effects
            # the discounts, before any redemption is seen (later they follow what each
            # market's customers redeemed, which differ by chance)
            discounts = ("loyalty", "promotion") if week == 0 else ()
            for name in (*RETENTION_EFFECTS, "complaint_capacity", *discounts):
                assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-12), name
            assert a.service > 0 and a.complaint_capacity > 0 and a.loyalty > 0
            # advertising is per prospect: a tenth of the spend per prospect
            assert f_rarely.audience["advertising"] == f_often.audience["advertising"]
            x = f_often.spend["advertising"] / f_often.audience["advertising"]
            assert a.reach_per_year == pytest.approx(
                p.advertising_ceiling * -np.expm1(-p.advertising_efficiency * x), rel=1e-12
            )
            assert b.reach_per_year == pytest.approx(
                p.advertising_ceiling * -np.expm1(-p.advertising_efficiency * x * 0.1), rel=1e-12
            )
            assert b.reach_per_year < a.reach_per_year
            # in resolutions a week, the rarer buyers need (and get) a tenth of the capacity
            assert f_rarely.audience["complaint_handling"] == pytest.approx(
                0.1 * f_often.audience["complaint_handling"], rel=1e-12
            )


# --------------------------------------------------------------------------------------------
# discounts paid on redemption; cost to serve; the books balance every week
# --------------------------------------------------------------------------------------------


def _market(allocation: dict[str, float], budget: float = 10_400.0, **params) -> Market:
    firm = FirmSpec(
        name="firm",
        strategy="custom",
        allocation=allocation,
        budget=budget,
        initial_customers=params.pop("initial_customers", 0.3),
        initial_awareness=0.8,
    )
    params.setdefault("n_customers", 1000)
    return Market(rng=params.pop("rng", 1), customer_agents=False, firms=[firm], **params)


def test_promotion_cost_is_the_discount_on_first_purchases():
    m = _market({"promotion": 1.0}, need_rate=0.5, record_transactions=True)
    start = m.customers.stage[:, 0].copy()
    m.step()
    firm, v = m.firms[0], m.book.values
    log = m.transactions()
    assert len(log) > 0
    # the first purchase this week of each customer who was not a customer at its start
    newcomers = ~((start[log.customer] >= BUYER) & (start[log.customer] <= ADVOCATE))
    first = log[newcomers].drop_duplicates("customer")
    assert len(first) == v["new"][0] > 0
    expected = firm.effects.promotion * first.amount.sum()  # discount × price × basket
    assert v["promotion_cost"][0] == pytest.approx(expected, rel=1e-9)
    # the books spend what was redeemed, not the promotion budget
    assert v["spend"][0] == pytest.approx(expected, rel=1e-9)
    assert v["acquisition_spend"][0] == pytest.approx(expected, rel=1e-9)
    assert v["loyalty_cost"][0] == 0.0


def test_no_promotion_cost_when_nobody_redeems():
    # everybody is already a customer in week 1: nobody makes a first purchase
    m = _market({"promotion": 1.0}, initial_customers=1.0)
    m.step()
    v = m.book.values
    assert m.firms[0].spend["promotion"] > 0  # the budget was there
    assert v["new"][0] == 0
    assert v["promotion_cost"][0] == 0.0 and v["spend"][0] == 0.0


def test_loyalty_rewards_are_paid_on_purchases_by_active_customers():
    m = _market({"loyalty": 1.0}, initial_customers=1.0, need_rate=0.5)
    m.step()
    v, firm = m.book.values, m.firms[0]
    assert v["purchases"][0] > 0
    assert v["loyalty_cost"][0] == pytest.approx(firm.effects.loyalty * v["revenue"][0], rel=1e-9)
    assert v["retention_spend"][0] == pytest.approx(v["loyalty_cost"][0], rel=1e-12)


def test_cost_to_serve_per_purchase_rises_with_service_spend():
    costs = []
    for budget in (2_000.0, 20_000.0):
        m = _market({"service": 0.5, "access": 0.5}, budget=budget, need_rate=0.5)
        m.step()
        v, firm = m.book.values, m.firms[0]
        quality = firm.effects.service + firm.effects.access
        per_purchase = m.config.levers.serve_cost * quality
        assert v["serve_cost"][0] == pytest.approx(v["purchases"][0] * per_purchase, rel=1e-9)
        costs.append(v["serve_cost"][0] / v["purchases"][0])
    assert costs[1] > costs[0] > 0
    # no service, no cost to serve
    m = _market({"advertising": 1.0}, need_rate=0.5)
    m.step()
    assert m.book.values["serve_cost"][0] == 0.0


def test_complaint_capacity_scales_with_expected_purchases():
    p = LeverParams()
    firm = _plan(_firm({"complaint_handling": 1.0}, 52 * 60.0), customers=600.0)
    more = _plan(_firm({"complaint_handling": 1.0}, 52 * 120.0), customers=1200.0)
    # per expected purchase the same; in resolutions a week, twice as many for twice the
    # customers
    assert firm.effects.complaint_capacity == pytest.approx(more.effects.complaint_capacity)
    # 60 a week over 600 own customers × 0.25 purchases a week: 0.4 per expected purchase
    assert firm.effects.complaint_capacity == pytest.approx(
        p.complaint_handling_ceiling * (1 - np.exp(-p.complaint_handling_efficiency * 0.4))
    )


def test_complaint_capacity_in_the_market_is_per_expected_purchase(monkeypatch):
    # the market settles at most complaint_capacity × own customers × need rate × dt a step
    seen = {}

    def record(pending, capacity, speed, dt):
        seen["capacity"] = np.array(capacity, dtype=float)
        return np.zeros_like(pending)

    m = _market({"complaint_handling": 1.0}, need_rate=0.5, voice_minor=0.5, dt=0.5)
    monkeypatch.setattr(m.rules, "resolution_probability", record, raising=False)
    for _ in range(6):
        m.step()
        if "capacity" in seen:
            break
    assert "capacity" in seen, "no complaint to handle"
    firm = m.firms[0]
    expected = firm.effects.complaint_capacity * m.book.active_at_start[0] * 0.5 * 0.5
    assert seen["capacity"][0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_the_books_balance_every_week(dt):
    firms = [
        FirmSpec(name="a", strategy="balanced"),
        FirmSpec(name="b", strategy="acquisition_focus", budget_revenue_share=0.02),
        FirmSpec(name="c", strategy="operational_excellence"),
    ]
    # frequent buyers: every firm sells (and serves) every week
    m = Market(
        rng=3, n_customers=800, customer_agents=False, firms=firms, dt=dt, **MECHANISM_CUSTOMERS
    )
    for _ in range(12):
        m.step()
        v = m.book.values
        fixed = np.array([f.fixed_spend for f in m.firms]) * dt
        np.testing.assert_allclose(
            v["spend"], fixed + v["promotion_cost"] + v["loyalty_cost"], rtol=1e-12
        )
        np.testing.assert_allclose(
            v["profit"], v["revenue"] - v["cogs"] - v["serve_cost"] - v["spend"], rtol=1e-12
        )
        assert (v["promotion_cost"] <= v["revenue"]).all()
        assert (v["serve_cost"] > 0).all()
    frame = m.to_frame()
    np.testing.assert_allclose(
        frame.profit, frame.revenue - frame.cogs - frame.serve_cost - frame.spend, rtol=1e-12
    )
