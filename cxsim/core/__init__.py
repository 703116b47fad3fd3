"""The model itself: customers as columns, firms as Mesa agents, rules as pure functions.

This layer imports NumPy, pandas, Mesa and :mod:`cxsim.params` only; experiments, plots, the
dashboard, validation and the command line build on it and are never imported from here.

* :mod:`cxsim.core.rules`: every behavioural rule as a pure function of arrays;
* :mod:`cxsim.core.ruleset`: the rules in force, any of them swappable for another theory;
* :mod:`cxsim.core.theories`: alternative rules to swap in (examples for researchers);
* :mod:`cxsim.core.customers`: the customer columns and the ``Customer`` agent view of a row;
* :mod:`cxsim.core.firms`: firms, their levers and what spend buys;
* :mod:`cxsim.core.network` and :mod:`cxsim.core.graphs`: the social network as CSR arrays;
* :mod:`cxsim.core.complaints`: the queue of open complaints;
* :mod:`cxsim.core.books`: each firm's weekly counters and running totals;
* :mod:`cxsim.core.streams`: one independent random stream per mechanism;
* :mod:`cxsim.core.transactions`: the market's transaction log, when asked for;
* :mod:`cxsim.core.metrics`: the metric registry, the week's metrics, Mesa's DataCollector;
* :mod:`cxsim.core.model`: the ``Market``, whose weekly cycle is a story told in calls to rules.
"""

from cxsim.core import rules
from cxsim.core.customers import Customer, CustomerTable
from cxsim.core.firms import Firm
from cxsim.core.model import Market
from cxsim.core.rules import STAGES
from cxsim.core.ruleset import RULE_NAMES, RuleError, Rules

__all__ = [
    "RULE_NAMES",
    "STAGES",
    "Customer",
    "CustomerTable",
    "Firm",
    "Market",
    "RuleError",
    "Rules",
    "rules",
]
