"""cxsim: a research workbench around an agent-based model of customer-centric strategy.

Customers' expectations rise, trust is slow to win and quick to lose, delighted customers talk
and disappointed ones talk louder, most unhappy customers leave without a word, and firms split a
budget between winning new customers and keeping the ones they have.

>>> from cxsim import Market
>>> market = Market(rng=1)
>>> market.run_for(52)
>>> frame = market.to_frame()
"""

from importlib.metadata import PackageNotFoundError, version

from cxsim.core.customers import Customer, CustomerTable
from cxsim.core.firms import Firm
from cxsim.core.model import Market
from cxsim.core.rules import STAGES
from cxsim.params import FirmSpec, Scenario, ScenarioError, load_scenario, preset

try:
    __version__ = version("cxsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Customer",
    "CustomerTable",
    "Firm",
    "FirmSpec",
    "Market",
    "STAGES",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "preset",
    "__version__",
]
