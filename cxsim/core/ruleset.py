"""The rules in force: :mod:`cxsim.core.rules` by default, any of them swapped for another theory.

A researcher tests a theory by replacing one rule and keeping the rest of the model as it is::

    from cxsim import Market

    def symmetric_trust(trust, disconf, *, tolerance, gain, loss):
        ...  # same arguments as cxsim.core.rules.update_trust

    Market(rules={"update_trust": symmetric_trust})
    Market(rules={"update_trust": "mypkg.theories:symmetric_trust"})  # the same, by name

A swapped rule takes the arguments of the rule it replaces (checked when the rules are made) and
must stay a pure function of them. To run on worker processes or a Dask cluster it must be a
module-level function of an importable module (workers import it by its qualified name); a rule
defined in a notebook runs with ``executor="serial"``. The identity of every swapped rule (its
qualified name and a hash of its source) enters the run key of :mod:`cxsim.experiments`, so a
resumed sweep never mixes runs of two theories.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import inspect
import pickle
import sys
from collections.abc import Callable, Mapping
from typing import Any

from cxsim.core import rules as _default
from cxsim.params import ScenarioError

#: The rules the weekly cycle calls, each swappable by name. Constants and helpers of
#: :mod:`cxsim.core.rules` that the model does not call (``hits_to_recover``) are not listed:
#: swapping them would change nothing.
RULE_NAMES: tuple[str, ...] = (
    "hazard_to_probability",
    "needs_in_step",
    "choice_utility",
    "logit_choice",
    "experienced_quality",
    "experience_spread",
    "disconfirmation",
    "basket_size",
    "satisfaction",
    "adapt_expectation",
    "raise_standard",
    "update_trust",
    "word_of_mouth_senders",
    "bad_news_senders",
    "hear_word_of_mouth",
    "awareness_probability",
    "complaint_probability",
    "resolution_probability",
    "recovery_share",
    "apply_recovery",
    "repair_satisfaction",
    "fade_grudge",
    "add_grudge",
    "churn_probability",
    "ladder_after_purchase",
    "ladder_after_switch",
    "learn_customer",
    "inflate_expectations",
    "imitate",
    "adapt_split",
    "diminishing_returns",
    "discount_depth",
)

RuleLike = Callable[..., Any] | str


class RuleError(ScenarioError):
    """A swapped rule is unknown, cannot be imported, or does not take the rule's arguments.
    The message is one line naming the rule, the value and what is allowed."""


class Rules:
    """The behavioural rules a :class:`~cxsim.core.model.Market` calls, as attributes.

    Args:
        swaps: rule name → replacement, a function or its qualified name
            (``"package.module:function"`` or ``"package.module.function"``). Names are those of
            :data:`RULE_NAMES`; every rule not named stays as in :mod:`cxsim.core.rules`.

    Raises:
        RuleError: an unknown name, a replacement that is not callable or cannot be imported, or
            one that cannot be called with the arguments of the rule it replaces.
    """

    def __init__(self, swaps: Mapping[str, RuleLike] | Rules | None = None) -> None:
        if isinstance(swaps, Rules):
            swaps = swaps.swapped
        self._swapped: dict[str, Callable[..., Any]] = {}
        for name in RULE_NAMES:
            setattr(self, name, getattr(_default, name))
        for name, rule in dict(swaps or {}).items():
            if name not in RULE_NAMES:
                close = difflib.get_close_matches(str(name), RULE_NAMES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise RuleError(
                    f"rules: {name!r} is not a rule of the model{hint}; "
                    f"allowed: {', '.join(RULE_NAMES)}"
                )
            fn = load_rule(name, rule) if isinstance(rule, str) else rule
            if not callable(fn):
                raise RuleError(f"rules.{name}: {rule!r} is not a function")
            _check_signature(name, fn)
            if fn is not getattr(_default, name):
                self._swapped[name] = fn
                setattr(self, name, fn)

    @property
    def swapped(self) -> dict[str, Callable[..., Any]]:
        """The rules that differ from :mod:`cxsim.core.rules`, by name."""
        return dict(self._swapped)

    def identity(self) -> dict[str, str]:
        """``{rule name: "module:qualname@source-hash"}`` for every swapped rule (empty for the
        default theory): what the run keys of :mod:`cxsim.experiments` include."""
        return {name: rule_identity(fn) for name, fn in sorted(self._swapped.items())}

    def check_portable(self) -> None:
        """Raise :class:`RuleError` unless every swapped rule can reach worker processes, which
        import it by its qualified name (a lambda, a nested function or a function defined in a
        notebook cannot be imported; run those with ``executor="serial"``)."""
        for name, fn in self._swapped.items():
            module = getattr(fn, "__module__", None)
            qualname = getattr(fn, "__qualname__", "")
            main = sys.modules.get("__main__")
            interactive = module == "__main__" and not getattr(main, "__file__", None)
            if "<" in qualname or interactive:
                raise RuleError(
                    f"rules.{name}: {module}.{qualname} cannot be imported by worker processes; "
                    "define it at module level in an importable module, or use executor='serial'"
                )
            try:
                pickle.dumps(fn)
            except Exception as exc:  # noqa: BLE001 - any pickling failure means the same
                raise RuleError(
                    f"rules.{name}: {module}.{qualname} cannot be sent to worker processes ({exc})"
                ) from None

    def __reduce__(self) -> tuple[Any, ...]:
        # functions travel by reference (module and name), as pickle sends any function
        return (Rules, (self._swapped,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rules) and self._swapped == other._swapped

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.identity().items())))

    def __repr__(self) -> str:
        if not self._swapped:
            return "Rules(default)"
        inner = ", ".join(f"{k}={_qualified(v)}" for k, v in sorted(self._swapped.items()))
        return f"Rules({inner})"


def load_rule(name: str, reference: str) -> Callable[..., Any]:
    """Import the function ``reference`` (``"pkg.mod:func"`` or ``"pkg.mod.func"``) meant to
    replace rule ``name``; :class:`RuleError` in one line when it cannot be found."""
    text = reference.strip()
    if ":" in text:
        module_name, _, attr = text.partition(":")
    else:
        module_name, _, attr = text.rpartition(".")
    if not module_name or not attr:
        raise RuleError(
            f"rules.{name}: {reference!r} is not a qualified name; write 'package.module:function'"
        )
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - an import can fail in many ways; one line for all
        raise RuleError(f"rules.{name}: cannot import module {module_name!r} ({exc})") from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise RuleError(f"rules.{name}: module {module_name!r} has no {attr!r}")
        obj = getattr(obj, part)
    return obj


def rule_identity(fn: Callable[..., Any]) -> str:
    """``"module:qualname@hash"``: the hash is of the function's source (of its compiled code
    when the source cannot be read), so editing a rule changes its identity."""
    try:
        body = inspect.getsource(fn).encode()
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        body = (
            code.co_code + repr(code.co_consts).encode() if code is not None else repr(fn).encode()
        )
    return f"{_qualified(fn)}@{hashlib.sha256(body).hexdigest()[:12]}"


def _qualified(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}"


def _check_signature(name: str, fn: Callable[..., Any]) -> None:
    """The replacement must accept the call the model makes to the default rule: its positional
    parameters by position and its keyword-only parameters by name."""
    default = inspect.signature(getattr(_default, name))
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # a builtin or extension function: nothing to check
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in default.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(None)
        elif p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = None
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise RuleError(
            f"rules.{name}: {_qualified(fn)}{signature} cannot replace {name}{default} ({exc})"
        ) from None
