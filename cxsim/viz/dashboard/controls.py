"""The dashboard's sidebar, generated from the parameter registry.

The sidebar sets the *next* market: its values apply when the page's **Apply and restart**
button (or SolaraViz's **Reset**) builds a new market with them. Each slider shows its value
with its unit (:meth:`Control.show`); free text (the seed) is checked as it is typed
(:func:`check`), and a bad value is a one-line message beside the box, never a traceback.

Each input is bound to a declared parameter (a field of :class:`~cxsim.params.MarketParams`,
:class:`~cxsim.params.CustomerParams`, :class:`~cxsim.params.NetworkParams` or
:class:`~cxsim.params.FirmSpec`): its default is the default market's value
(``cxsim.Scenario()``), its range the declared ``[low, high]`` and its label carries the declared
unit. Where the declared range is unbounded or far wider than a slider can usefully span, the
slider's range is a *teaching range*, defined once below, inside the declared one.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cxsim.params import SECTIONS, CustomerParams, FirmSpec, MarketParams, NetworkParams
from cxsim.viz.dashboard.data import MAX_NETWORK_NODES
from cxsim.viz.dashboard.market import DEFAULT, DEFAULT_SEED, parse_seed
from cxsim.viz.style import fmt

__all__ = [
    "BUDGET_RANGE",
    "CONTROLS",
    "CUSTOMERS_RANGE",
    "INFLATION_RANGE",
    "WEEKS_RANGE",
    "NETWORKS",
    "Control",
    "check",
    "control",
    "declared",
    "defaults",
    "model_params",
    "show_value",
    "snap",
]

# Teaching ranges ----------------------------------------------------------------------------

#: Customers: up to the population whose every customer the network view draws (declared: 2 to
#: 100 million).
CUSTOMERS_RANGE: tuple[int, int] = (200, MAX_NETWORK_NODES)
#: Budget per firm: none to three times the default, 1,605 currency per year (declared: up to
#: 10^12). The budget is the firm's, not per customer: a smaller market gets more per customer.
BUDGET_RANGE: tuple[float, float] = (0.0, 1_605.0)
#: Horizon: a quarter to five years, in quarters (declared: 1 to 5,200 weeks).
WEEKS_RANGE: tuple[int, int] = (13, 260)
#: Expectation inflation: up to 0.02 quality units per week, about one unit a year (declared: up
#: to 1 per week, a rise that outruns every firm within weeks).
INFLATION_RANGE: tuple[float, float] = (0.0, 0.02)

# Slider steps --------------------------------------------------------------------------------
# The browser rounds a slider's value to its grid (``min + k·step``, written with as many
# decimals as the step) as soon as the slider shows, so each grid must pass through the default:
# otherwise Reset would build a market with the rounded value. ``Control.spec`` checks it.

#: Complaint voice rate: a tenth of the default 1/26 (TARP's "1 in 26"), which no decimal step
#: reaches.
VOICE_STEP = 1 / 260

#: Declared choices the sidebar does not offer, and why.
_NOT_OFFERED: dict[str, str] = {
    "custom": "a custom strategy needs a budget split the sidebar cannot set",
    "complete": "a complete graph is not a social network to draw",
}


#: Network kinds offered by the dashboard.
def declared(owner: type, name: str) -> dataclasses.Field:
    """The declaration of parameter ``name`` of ``owner`` (metadata: unit, low, high, doc,
    choices)."""
    for f in dataclasses.fields(owner):
        if f.name == name:
            return f
    raise KeyError(f"{owner.__name__} declares no parameter {name!r}")


NETWORKS: tuple[str, ...] = tuple(
    k for k in declared(NetworkParams, "network").metadata["choices"] if k not in _NOT_OFFERED
)


def _section(owner: type, firm: int) -> Any:
    """The default market's object that holds ``owner``'s parameters."""
    if owner is FirmSpec:
        return DEFAULT.firms[firm]
    for name, cls in SECTIONS.items():
        if cls is owner:
            return getattr(DEFAULT, name)
    raise TypeError(f"{owner.__name__} is not a section of the default market")


@dataclass(frozen=True)
class Control:
    """One sidebar input, bound to a declared parameter.

    Attributes:
        keyword: the :class:`~cxsim.viz.app.DashboardMarket` keyword it sets.
        owner, name: the dataclass that declares the parameter, and its field there.
        title: the short name shown before the unit.
        step: a slider's step; ``None`` for a select (a parameter with declared choices).
        teaching: a slider range narrower than the declared one (one of the teaching ranges).
        firm: for a firm's parameter, which of the default market's firms gives the default.
    """

    keyword: str
    owner: type
    name: str
    title: str
    step: float | None = None
    teaching: tuple[float, float] | None = None
    firm: int = 0

    @property
    def field(self) -> dataclasses.Field:
        """The parameter's declaration (metadata: unit, low, high, doc, choices)."""
        return declared(self.owner, self.name)

    @property
    def default(self) -> Any:
        """The parameter's value in the default market."""
        return getattr(_section(self.owner, self.firm), self.name)

    @property
    def label(self) -> str:
        """The title, with the declared unit unless it says nothing more."""
        unit = self.field.metadata.get("unit") or "-"
        return self.title if unit in ("-", self.title.lower()) else f"{self.title} ({unit})"

    @property
    def unit(self) -> str:
        """The declared unit, or ``""`` when it says nothing more than the title."""
        unit = self.field.metadata.get("unit") or "-"
        return "" if unit in ("-", self.title.lower()) else unit

    def show(self, value: Any) -> str:
        """The title, the value and the unit, as the sidebar shows them:
        ``"Budget per firm: 0.10 currency per market customer per week"``."""
        text = show_value(value, self.step)
        return f"{self.title}: {text} {self.unit}".rstrip()

    def bounds(self) -> tuple[float, float]:
        """The slider's range: the teaching range, else the declared range (which must then be
        bounded)."""
        meta = self.field.metadata
        low, high = meta.get("low"), meta.get("high")
        declared = (-math.inf if low is None else low, math.inf if high is None else high)
        span = self.teaching or declared
        if not all(math.isfinite(b) for b in span):
            raise ValueError(f"{self.keyword}: unbounded declared range; give a teaching range")
        if not declared[0] <= span[0] < span[1] <= declared[1]:
            raise ValueError(f"{self.keyword}: range {span} is not inside declared {declared}")
        return span

    def spec(self) -> dict[str, Any]:
        """The SolaraViz ``model_params`` entry (a slider's default must lie on its grid)."""
        meta = self.field.metadata
        if self.step is None:
            values = [c for c in meta["choices"] if c not in _NOT_OFFERED]
            return {"type": "Select", "label": self.label, "value": self.default, "values": values}
        low, high = self.bounds()
        whole = isinstance(self.default, int)
        cast = int if whole else float
        if snap(self.default, low, high, self.step) != self.default:
            raise ValueError(
                f"{self.keyword}: default {self.default!r} is off the slider's grid "
                f"({low!r} + k·{self.step!r}); the browser would round it"
            )
        return {
            "type": "SliderInt" if whole else "SliderFloat",
            "label": self.label,
            "value": cast(self.default),
            "min": cast(low),
            "max": cast(high),
            "step": cast(self.step),
        }


#: The sidebar's inputs, in order.
CONTROLS: tuple[Control, ...] = (
    Control("n_customers", CustomerParams, "n_customers", "Customers", 100, CUSTOMERS_RANGE),
    Control("focal_strategy", FirmSpec, "strategy", "Focal firm's strategy", firm=0),
    Control("rival_strategy", FirmSpec, "strategy", "Rival's strategy", firm=1),
    Control("budget", FirmSpec, "budget", "Budget per firm", 5, BUDGET_RANGE),
    Control(
        "expectation_inflation",
        MarketParams,
        "expectation_inflation",
        "Expectation inflation",
        0.001,
        INFLATION_RANGE,
    ),
    Control("trust_loss", CustomerParams, "trust_loss", "Trust loss", 0.02),
    Control("voice_minor", CustomerParams, "voice_minor", "Complaint voice rate", VOICE_STEP),
    Control("network", NetworkParams, "network", "Social network"),
    Control("weeks", MarketParams, "weeks", "Horizon", 13, WEEKS_RANGE),
)


def snap(value: float, low: float, high: float, step: float) -> float:
    """``value`` as the browser's slider rounds it (Vuetify 2's ``VSlider.roundValue``): to the
    nearest ``low + k·step``, then to as many decimals as ``step`` is written with."""
    decimals = max(-Decimal(repr(float(step))).normalize().as_tuple().exponent, 0)
    offset = math.fmod(low, step)
    rounded = math.floor((value - offset) / step + 0.5) * step + offset  # JavaScript's round
    return float(f"{min(rounded, high):.{decimals}f}")


def show_value(value: Any, step: float | None = None) -> str:
    """A sidebar value as text: whole numbers with thousands separators, other numbers with as
    many decimals as the slider's step is written with (three significant figures when the
    step is no round decimal), text as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return fmt(value)
    if step is not None:
        decimals = max(-Decimal(repr(float(step))).normalize().as_tuple().exponent, 0)
        if decimals <= 4:
            return f"{value:,.{decimals}f}"
    return fmt(value)


def control(keyword: str) -> Control:
    """The sidebar input that sets ``keyword``."""
    for c in CONTROLS:
        if c.keyword == keyword:
            return c
    raise KeyError(f"the sidebar has no input {keyword!r}")


def check(keyword: str, value: Any) -> tuple[Any, str | None]:
    """A sidebar value as the market takes it, and ``None``; or the value as given and a
    one-line message saying what is allowed. Never raises."""
    if keyword == "seed":
        try:
            parse_seed(value)
        except (TypeError, ValueError) as exc:
            return value, str(exc)
        return ("" if value is None else str(value)), None
    try:
        spec = control(keyword).spec()
    except KeyError as exc:
        return value, str(exc.args[0])
    if spec["type"] == "Select":
        if value not in spec["values"]:
            return value, f"{value!r} is not one of {', '.join(map(str, spec['values']))}"
        return value, None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value, f"{value!r} is not a number"
    if not spec["min"] <= number <= spec["max"]:
        return value, f"{show_value(value)} is outside {spec['min']} to {spec['max']}"
    return (int(round(number)) if spec["type"] == "SliderInt" else number), None


def model_params() -> dict[str, Any]:
    """SolaraViz ``model_params``: the sidebar's inputs, one per keyword of DashboardMarket."""
    params = {c.keyword: c.spec() for c in CONTROLS}
    params["seed"] = {
        "type": "InputText",
        "label": "Seed (a number from 0, or a word; blank: random)",
        "value": DEFAULT_SEED,
    }
    return params


def defaults() -> dict[str, Any]:
    """The sidebar's initial values, by keyword."""
    return {name: spec["value"] for name, spec in model_params().items()}
