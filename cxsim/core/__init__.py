"""The model itself: customers as columns, firms as Mesa agents, rules as pure functions.

This layer imports NumPy, pandas, Mesa and :mod:`cxsim.params` only; experiments, plots, the
dashboard, validation and the command line build on it and are never imported from here.

* :mod:`cxsim.core.rules`: every behavioural rule as a pure function of arrays;
* :mod:`cxsim.core.customers`: the customer columns and the ``Customer`` agent view of a row;
* :mod:`cxsim.core.firms`: firms, their levers and what spend buys;
* :mod:`cxsim.core.network`: the social network as CSR arrays;
* :mod:`cxsim.core.metrics`: the weekly books and the metrics reported from them;
* :mod:`cxsim.core.model`: the ``Market``, whose weekly cycle is a story told in calls to rules.
"""

from cxsim.core import rules
from cxsim.core.customers import Customer, CustomerTable
from cxsim.core.firms import Firm
from cxsim.core.model import Market
from cxsim.core.rules import STAGES

__all__ = ["STAGES", "Customer", "CustomerTable", "Firm", "Market", "rules"]
