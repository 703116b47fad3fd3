"""Customers: a struct of NumPy columns, and a Mesa agent that is a view on one row.

The engine keeps every customer's state in arrays, one row per customer (``(n,)``) or per
customer and firm (``(n, F)``), and applies each rule to the whole population at once. This is
what lets a notebook run a million customers: Mesa's own ecosystem does the same for speed
(mesa-frames), and Mesa's maintainers point users with millions of agents to vectorization.

A :class:`Customer` is still a proper Mesa agent, for teaching and inspection: its attributes
read and write the columns, and it sits on a cell of a ``mesa.discrete_space.Network``, so
``model.agents``, agent reporters and SolaraViz work as with any Mesa model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import FixedAgent

from cxsim.core.rules import LOST, PROSPECT, REPEAT, STAGES

NO_FIRM = -1


@dataclass
class CustomerTable:
    """State of all customers, column by column.

    Per customer ``(n,)``:
        need_rate: purchase occasions per week.
        need: ideal point in the needs space (needs units).
        last_firm: firm that served the last need, ``-1`` if none.
        usual_basket: units the customer usually buys per purchase (average 1 over customers).
        leave_propensity: how readily the customer leaves a firm (multiplies the defection
            hazard; average 1 over customers).

    Per customer and firm ``(n, F)``:
        considers: the firm is in the customer's consideration set.
        expectation: predicted ("will") quality from that firm, used in choice (quality units).
        standard: normative ("should") quality the firm's experiences are judged against
            (quality units): raised by market-wide inflation and by experiences that exceed it.
        trust: belief in [0, 1] that the firm delivers.
        knowledge: [0, 1] how well the firm knows the customer (personalization).
        grudge: unresolved dissatisfaction (quality units), fades slowly.
        stage: loyalty ladder stage (see :data:`cxsim.core.rules.STAGES`).
        streak: consecutive needs served by the firm.
        purchases: purchases from the firm since the customer (re)joined it.
        complaint_open: the customer has a complaint about the firm waiting to be resolved.
        satisfaction: felt satisfaction of the last experience with the firm (``nan`` if none).
        last_purchase: week of the last purchase from the firm (weeks since the start, float32;
            ``nan`` if never; a firm's initial customers count as having bought in week 0): the
            recency behind the ``active`` customer count.
        heard_positive, heard_negative: word-of-mouth messages received this week, heard next week.
    """

    need_rate: np.ndarray
    need: np.ndarray
    last_firm: np.ndarray
    usual_basket: np.ndarray
    leave_propensity: np.ndarray
    considers: np.ndarray
    expectation: np.ndarray
    standard: np.ndarray
    trust: np.ndarray
    knowledge: np.ndarray
    grudge: np.ndarray
    stage: np.ndarray
    streak: np.ndarray
    purchases: np.ndarray
    complaint_open: np.ndarray
    satisfaction: np.ndarray
    last_purchase: np.ndarray
    heard_positive: np.ndarray
    heard_negative: np.ndarray

    PER_CUSTOMER = ("need_rate", "need", "last_firm", "usual_basket", "leave_propensity")

    @property
    def n(self) -> int:
        """Number of customers."""
        return self.need.shape[0]

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return self.trust.shape[1]

    @classmethod
    def create(
        cls,
        n: int,
        n_firms: int,
        rng: np.random.Generator,
        *,
        need_rate: float,
        need_rate_shape: float,
        need_heterogeneity: float,
        initial_expectation: float,
        initial_expectation_sd: float,
        initial_trust: float,
        spend_heterogeneity: float = np.inf,
        leave_heterogeneity: float = np.inf,
    ) -> CustomerTable:
        """Draw a heterogeneous population.

        Need rates are gamma distributed with mean ``need_rate`` (per week) and shape
        ``need_rate_shape`` (the NBD purchase-frequency model, Ehrenberg 1959); ideal points are
        normal with s.d. ``need_heterogeneity``; initial expectations normal around
        ``initial_expectation``, the same for every firm (customers have heard of the category,
        not of each firm); the standard starts at the same value as the prediction. Usual baskets follow the gamma–gamma spend model's between-customer
        distribution with shape ``spend_heterogeneity`` (q), scaled to average one unit:
        ``(q − 1)/G`` with ``G`` standard gamma of shape q (Colombo & Jiang 1999); propensities to
        leave are gamma with shape ``leave_heterogeneity`` and mean 1 (the Pareto/NBD's dropout
        heterogeneity, Schmittlein, Morrison & Colombo 1987). An infinite shape makes everyone
        alike (and draws nothing).
        """
        shape = (n, n_firms)
        rate = (
            rng.gamma(need_rate_shape, need_rate / need_rate_shape, size=n)
            if np.isfinite(need_rate) and need_rate > 0
            else np.full(n, need_rate, dtype=float)
        )
        expectation = initial_expectation + initial_expectation_sd * rng.standard_normal(n)
        need = need_heterogeneity * rng.standard_normal(n)
        usual = (
            (spend_heterogeneity - 1.0) / rng.standard_gamma(spend_heterogeneity, size=n)
            if np.isfinite(spend_heterogeneity)
            else np.ones(n)
        )
        propensity = (
            rng.standard_gamma(leave_heterogeneity, size=n) / leave_heterogeneity
            if np.isfinite(leave_heterogeneity)
            else np.ones(n)
        )
        return cls(
            need_rate=rate,
            need=need,
            last_firm=np.full(n, NO_FIRM, dtype=np.int16),
            usual_basket=usual,
            leave_propensity=propensity,
            considers=np.zeros(shape, dtype=bool),
            expectation=np.repeat(expectation[:, None], n_firms, axis=1),
            standard=np.repeat(expectation[:, None], n_firms, axis=1),
            trust=np.full(shape, initial_trust, dtype=float),
            knowledge=np.zeros(shape, dtype=float),
            grudge=np.zeros(shape, dtype=float),
            stage=np.full(shape, PROSPECT, dtype=np.int8),
            streak=np.zeros(shape, dtype=np.int32),
            purchases=np.zeros(shape, dtype=np.int32),
            complaint_open=np.zeros(shape, dtype=bool),
            satisfaction=np.full(shape, np.nan, dtype=float),
            last_purchase=np.full(shape, np.nan, dtype=np.float32),
            heard_positive=np.zeros(shape, dtype=np.int32),
            heard_negative=np.zeros(shape, dtype=np.int32),
        )

    def seed_customers(self, firm: int, rows: np.ndarray, *, streak: int = 2) -> None:
        """Make ``rows`` existing repeat customers of ``firm`` (a mature market at t = 0)."""
        self.considers[rows, firm] = True
        self.stage[rows, firm] = REPEAT
        self.streak[rows, firm] = streak
        self.purchases[rows, firm] = streak
        self.last_purchase[rows, firm] = 0.0
        self.last_firm[rows] = firm

    def condition_on_tenure(
        self,
        rows: np.ndarray,
        rng: np.random.Generator,
        *,
        tenure: float,
        churn_base: float,
        leave_heterogeneity: float,
    ) -> None:
        """Redraw the propensities to leave of ``rows``, existing customers who have been
        customers for ``tenure`` weeks and did not leave, from their gamma posterior.

        A mature customer base is what its past cohorts left behind: the customers who leave
        readily are gone. With gamma propensities to leave (shape ``s``, mean 1) and a content
        customer's hazard ``churn_base × propensity`` per week, one who stayed ``T`` weeks has
        propensity Gamma(s, s + churn_base·T), the survivor conditioning of the Pareto/NBD model
        (Schmittlein, Morrison & Colombo 1987). Purchase rates are not conditioned: leaving does
        not depend on how often one buys here, and conditioning on a purchase history as well
        makes a rival's existing customers heavy buyers, who then fill a firm's cohort of new
        customers with switchers (the CDNOW fit of such a market fails, J = 459; docs/ODD.md
        section 6). Nothing is redrawn where customers are alike (an infinite shape), or for
        ``tenure = 0``.
        """
        if tenure <= 0 or rows.size == 0 or not np.isfinite(leave_heterogeneity):
            return
        self.leave_propensity[rows] = rng.standard_gamma(leave_heterogeneity, rows.size) / (
            leave_heterogeneity + churn_base * tenure
        )

    def stage_counts(self) -> np.ndarray:
        """(F, len(STAGES)) number of customers at each ladder stage for each firm."""
        # one bincount per firm column: no (n, F) int64 copy of the table (4x faster at 10**6)
        n_stages = len(STAGES)
        stage = self.stage
        return np.stack(
            [np.bincount(stage[:, f], minlength=n_stages) for f in range(stage.shape[1])]
        ).astype(np.int64, copy=False)

    def nbytes(self) -> int:
        """Memory held by the columns, in bytes."""
        return sum(getattr(self, name).nbytes for name in self.__dataclass_fields__)


class _Column:
    """Descriptor: an agent attribute that reads and writes one row of a table column."""

    def __init__(self, column: str, doc: str) -> None:
        self.column = column
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Customer | None, owner: type):
        if agent is None:
            return self
        value = getattr(agent.model.customers, self.column)[agent.row]
        return value.copy() if isinstance(value, np.ndarray) else value.item()

    def __set__(self, agent: Customer, value) -> None:
        getattr(agent.model.customers, self.column)[agent.row] = value


class Customer(FixedAgent):
    """One customer, as a Mesa agent: a live view on row ``row`` of ``model.customers``.

    Scalar attributes (``need``, ``need_rate``, ``last_firm``) are numbers; per-firm attributes
    (``trust``, ``expectation``, ``stage`` …) are small arrays with one entry per firm, in the
    order of ``model.firms``. Assigning to an attribute writes the column, so the engine sees it.
    """

    need_rate = _Column("need_rate", "Purchase occasions per week.")
    need = _Column("need", "Ideal point in the needs space (needs units).")
    last_firm = _Column("last_firm", "Index of the firm that served the last need (-1: none).")
    usual_basket = _Column("usual_basket", "Units usually bought per purchase (mean 1).")
    leave_propensity = _Column("leave_propensity", "Multiplier of the defection hazard (mean 1).")
    considers = _Column("considers", "Per firm: in the consideration set.")
    expectation = _Column("expectation", "Per firm: predicted ('will') quality (quality units).")
    standard = _Column(
        "standard", "Per firm: the 'should' standard experiences are judged against."
    )
    trust = _Column("trust", "Per firm: trust in [0, 1].")
    knowledge = _Column("knowledge", "Per firm: how well the firm knows this customer, [0, 1].")
    grudge = _Column("grudge", "Per firm: unresolved dissatisfaction (quality units).")
    stage = _Column("stage", "Per firm: loyalty ladder stage code (see cxsim.core.rules.STAGES).")
    streak = _Column("streak", "Per firm: consecutive needs served.")
    purchases = _Column("purchases", "Per firm: purchases since (re)joining.")
    satisfaction = _Column("satisfaction", "Per firm: satisfaction of the last experience.")
    last_purchase = _Column("last_purchase", "Per firm: week of the last purchase (nan: never).")

    def __init__(self, model, row: int, cell=None) -> None:
        super().__init__(model)
        self.row = int(row)
        if cell is not None:
            self.cell = cell

    @property
    def ladder_stage(self) -> str:
        """Highest ladder stage this customer holds with any firm, as a name ('lost' only if lost
        to every firm it has tried). Used to colour the network in the dashboard."""
        return STAGES[_summary_stage(self.model.customers.stage[self.row])]

    def stage_with(self, firm: int | str) -> str:
        """Ladder stage with one firm (by index or name)."""
        idx = self.model.firm_index(firm)
        return STAGES[int(self.model.customers.stage[self.row, idx])]

    def contacts(self) -> list[int]:
        """Rows of this customer's contacts in the social network."""
        return self.model.network.neighbors(self.row).tolist()

    def __repr__(self) -> str:
        return f"Customer(row={self.row}, stage={self.ladder_stage!r})"


def _summary_stage(stages: np.ndarray) -> int:
    """One stage for a customer across firms: the highest active one, else lost, else prospect."""
    active = stages[stages != LOST]
    if active.size and active.max() > PROSPECT:
        return int(active.max())
    return LOST if (stages == LOST).any() else PROSPECT


def summary_stages(stage: np.ndarray) -> np.ndarray:
    """Vectorized :func:`_summary_stage` for a whole ``(n, F)`` stage table."""
    active = np.where(stage == LOST, -1, stage).max(axis=1)
    any_lost = (stage == LOST).any(axis=1)
    return np.where(active > PROSPECT, active, np.where(any_lost, LOST, PROSPECT)).astype(np.int8)
