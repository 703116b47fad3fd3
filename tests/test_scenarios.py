"""Scenarios: defaults validate, overrides by flat and dotted names, one-line errors for every
kind of bad input, and the bundled presets say what their file names say.

Files are only ever written under pytest's ``tmp_path``.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsim import FirmSpec, Market, Scenario, ScenarioError, load_scenario, preset
from cxsim.core.network import NETWORK_KINDS
from cxsim.params import (
    LEVERS,
    SECTIONS,
    STRATEGIES,
    parameter_names,
    preset_dir,
    scenario_from_dict,
)

ROOT = Path(__file__).resolve().parents[1]
PRESET_DIR = ROOT / "cxsim" / "params" / "presets"
PRESETS = sorted(PRESET_DIR.glob("*.toml"))


def raises_one_line(fn, *fragments: str) -> str:
    """Call ``fn``; it must raise ScenarioError with a one-line message containing each fragment."""
    with pytest.raises(ScenarioError) as info:
        fn()
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


# --------------------------------------------------------------------------------------------
# defaults and overrides
# --------------------------------------------------------------------------------------------


def test_defaults_validate_and_match_declarations():
    s = Scenario()
    for section, cls in SECTIONS.items():
        obj = getattr(s, section)
        for f in fields(cls):
            assert getattr(obj, f.name) == f.default
            assert s.get(f.name) == f.default
            assert s.get(f"{section}.{f.name}") == f.default
    assert [f.name for f in s.firms] == ["focal", "rival"]
    assert len(parameter_names()) == sum(len(fields(cls)) for cls in SECTIONS.values())
    # to_dict round-trips
    assert scenario_from_dict(s.to_dict()) == s


def test_flat_override_through_market():
    m = Market(n_customers=300, network="complete", trust_gain=0.1, rng=1)
    assert m.config.customers.n_customers == 300
    assert m.customers.n == 300
    assert m.network.kind == "complete"
    assert m.config.customers.trust_gain == 0.1
    # every other parameter keeps its default
    assert m.config.customers.trust_loss == Scenario().customers.trust_loss


def test_dotted_and_flat_overrides_agree():
    s = Scenario()
    dotted = s.with_overrides({"customers.n_customers": 300, "market.discount_rate": 0.05})
    flat = s.with_overrides(n_customers=300, discount_rate=0.05)
    assert dotted == flat
    assert dotted.customers.n_customers == 300
    assert dotted.market.discount_rate == 0.05
    assert s.customers.n_customers == 2000  # the original is unchanged (frozen copy)
    assert s.with_overrides({}) is s


def test_firm_overrides_by_name_and_index():
    s = Scenario().with_overrides(
        {"firms.focal.strategy": "retention_focus", "firms.1.price": 12.5}
    )
    assert s.firms[0].strategy == "retention_focus"
    assert s.firms[0].shares() == {lv: STRATEGIES["retention_focus"].get(lv, 0.0) for lv in LEVERS}
    assert s.firms[1].price == 12.5
    assert s.firms[1].strategy == "balanced"
    m = Market(s, n_customers=300, rng=1)
    assert m.firms[0].spec.strategy == "retention_focus"
    assert m.firms[1].price == pytest.approx(
        12.5
        - m.config.levers.cost_pass_through * (m.firms[1].spec.unit_cost - m.firms[1].unit_cost)
    )


def test_firms_replaced_wholesale_and_custom_allocation():
    alloc = {"advertising": 0.25, "service": 0.75}
    s = Scenario().with_overrides(firms=[{"name": "solo", "allocation": alloc}])
    assert len(s.firms) == 1
    assert s.firms[0].strategy == "custom"  # an allocation alone means a custom split
    assert s.firms[0].shares()["service"] == 0.75
    assert sum(s.firms[0].shares().values()) == pytest.approx(1.0)
    m = Market(
        firms=[FirmSpec(name="a"), FirmSpec(name="b", strategy="none")], n_customers=300, rng=1
    )
    assert [f.name for f in m.firms] == ["a", "b"]
    assert m.firms[1].total_spend == 0.0


@settings(
    max_examples=30, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    n=st.integers(2, 10**6),
    gain=st.floats(0.0, 1.0),
    kind=st.sampled_from(NETWORK_KINDS),
    strategy=st.sampled_from(sorted(STRATEGIES)),
    dotted=st.booleans(),
)
def test_valid_overrides_are_accepted(n, gain, kind, strategy, dotted):
    values = {"customers.n_customers": n, "customers.trust_gain": gain, "network.network": kind}
    if not dotted:
        values = {k.split(".")[1]: v for k, v in values.items()}
    values["firms.rival.strategy"] = strategy
    s = Scenario().with_overrides(values)
    assert s.get("n_customers") == n
    assert s.get("customers.trust_gain") == gain
    assert s.get("network") == kind
    assert s.firms[1].strategy == strategy
    assert scenario_from_dict(s.to_dict()) == s


# --------------------------------------------------------------------------------------------
# bad input: one-line ScenarioError naming the key and the value
# --------------------------------------------------------------------------------------------


def test_unknown_key_with_suggestion():
    raises_one_line(
        lambda: Scenario().with_overrides({"n_custmers": 5}),
        "n_custmers",
        "did you mean 'n_customers'",
    )
    raises_one_line(
        lambda: Scenario().with_overrides({"customers.trust_gian": 0.1}),
        "customers.trust_gian",
        "did you mean 'trust_gain'",
    )
    raises_one_line(
        lambda: Scenario().with_overrides({"custmers.n_customers": 5}),
        "custmers",
        "did you mean 'customers'",
    )
    raises_one_line(lambda: Market(n_custmers=300), "n_custmers", "'n_customers'")
    raises_one_line(
        lambda: Scenario().with_overrides({"firms.focal.prize": 3.0}),
        "prize",
        "did you mean 'price'",
    )
    raises_one_line(
        lambda: Scenario().with_overrides({"firms.nobody.price": 3.0}), "nobody", "focal"
    )


@pytest.mark.parametrize(
    ("key", "value", "fragments"),
    [
        ("n_customers", "many", ("customers.n_customers", "'many'", "whole number")),
        ("n_customers", 12.5, ("customers.n_customers", "12.5", "whole number")),
        ("n_customers", True, ("customers.n_customers", "True")),
        ("trust_gain", "high", ("customers.trust_gain", "'high'", "not a number")),
        ("trust_gain", math.nan, ("customers.trust_gain", "nan")),
        ("network", 3, ("network.network", "3", "not a string")),
        ("outside_utility", None, ("market.outside_utility", "None")),
    ],
)
def test_wrong_type(key, value, fragments):
    raises_one_line(lambda: Scenario().with_overrides({key: value}), *fragments)


def _field_of(name: str):
    section, short = name.split(".")
    return next(f for f in fields(SECTIONS[section]) if f.name == short)


RANGED = [name for name in parameter_names() if not _field_of(name).metadata.get("choices")]


@pytest.mark.parametrize("name", RANGED)
def test_every_range_is_enforced(name):
    f = _field_of(name)
    low, high = f.metadata.get("low"), f.metadata.get("high")
    assert low is not None and high is not None and low < high
    is_int = isinstance(f.default, int)
    s = Scenario()
    for bound in (low, high):  # closed range: both bounds are allowed
        if bound is not None and math.isfinite(bound):
            value = int(bound) if is_int else float(bound)
            assert s.with_overrides({name: value}).get(name) == value
    for bound, step in ((low, -1), (high, +1)):
        if bound is None or not math.isfinite(bound):
            continue
        bad = int(bound) + step if is_int else float(bound) + step * max(1.0, abs(bound))
        raises_one_line(
            lambda b=bad: s.with_overrides({name: b}), name, repr(bad), "outside the allowed range"
        )


def test_unknown_network_kind():
    raises_one_line(
        lambda: Scenario().with_overrides(network="smallworld"),
        "network.network",
        "'smallworld'",
        "watts_strogatz",
    )
    raises_one_line(lambda: Market(network="small_world", n_customers=300), "'small_world'")


def test_unknown_strategy():
    raises_one_line(
        lambda: Scenario().with_overrides({"firms.focal.strategy": "growth"}),
        "strategy",
        "'growth'",
        "retention_focus",
    )
    raises_one_line(
        lambda: Scenario().with_overrides({"firms.focal.strategy": "retention"}),
        "'retention'",
        "did you mean 'retention_focus'",
    )


def test_custom_allocation_must_sum_to_one():
    raises_one_line(
        lambda: Scenario().with_overrides(
            firms=[{"name": "a", "allocation": {"advertising": 0.5, "service": 0.3}}]
        ),
        "allocation",
        "0.8",
        "sum to 1",
    )
    raises_one_line(
        lambda: Scenario().with_overrides(
            firms=[{"name": "a", "allocation": {"advertising": 1.5, "service": -0.5}}]
        ),
        "allocation.advertising",
        "1.5",
    )
    raises_one_line(
        lambda: Scenario().with_overrides({"firms.focal.strategy": "custom"}),
        "allocation",
        "custom",
    )
    raises_one_line(
        lambda: Scenario().with_overrides(
            firms=[{"name": "a", "strategy": "balanced", "allocation": {"advertising": 1.0}}]
        ),
        "allocation",
        "'balanced'",
    )


def test_unknown_lever():
    raises_one_line(
        lambda: Scenario().with_overrides(firms=[{"name": "a", "allocation": {"adverts": 1.0}}]),
        "allocation.adverts",
        "did you mean 'advertising'",
    )


def test_duplicate_firm_names():
    raises_one_line(
        lambda: Scenario().with_overrides(firms=[{"name": "a"}, {"name": "a"}]),
        "firms.name",
        "'a'",
        "duplicate",
    )
    raises_one_line(lambda: Scenario(firms=(FirmSpec(name="x"), FirmSpec(name="x"))), "'x'")


def test_initial_customers_over_one():
    raises_one_line(
        lambda: Scenario().with_overrides(
            firms=[{"name": "a", "initial_customers": 0.7}, {"name": "b", "initial_customers": 0.5}]
        ),
        "initial_customers",
        "1.2",
        "at most 1",
    )
    # exactly 1 is allowed
    s = Scenario().with_overrides(
        firms=[{"name": "a", "initial_customers": 0.6}, {"name": "b", "initial_customers": 0.4}]
    )
    assert sum(f.initial_customers for f in s.firms) == pytest.approx(1.0)


def test_bad_structure():
    raises_one_line(lambda: scenario_from_dict({"customers": 5}), "customers", "5", "table")
    raises_one_line(lambda: scenario_from_dict({"firms": 5}), "firms", "5", "list")
    raises_one_line(lambda: scenario_from_dict({"firms": [5]}), "firms[0]", "5")
    raises_one_line(lambda: scenario_from_dict({"firms": []}), "firms", "at least one")
    raises_one_line(lambda: scenario_from_dict({"markets": {}}), "markets", "'market'")
    raises_one_line(lambda: scenario_from_dict({"name": 5}), "name", "5")
    raises_one_line(lambda: preset("retention_focs"), "'retention_focs'", "'retention_focus'")


def test_numpy_integers_are_whole_numbers():
    s = Scenario().with_overrides(n_customers=np.int64(300), weeks=np.int32(30))
    assert s.customers.n_customers == 300 and s.market.weeks == 30


def test_switch_custom_firm_to_preset_strategy():
    custom = Scenario().with_overrides(
        firms=[{"name": "focal", "allocation": {"advertising": 1.0}}, {"name": "rival"}]
    )
    s = custom.with_overrides({"firms.focal.strategy": "retention_focus"})
    assert s.firms[0].strategy == "retention_focus"


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


def test_load_toml_from_tmp_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        "[customers]\nn_customers = 300\ntrust_loss = 0.3\n\n"
        '[network]\nnetwork = "ring_lattice"\n\n'
        '[[firms]]\nname = "solo"\nallocation = { advertising = 0.4, service = 0.6 }\n',
        encoding="utf-8",
    )
    s = load_scenario(path)
    assert s.name == "mine"  # the file stem when the file has no name
    assert s.customers.n_customers == 300 and s.customers.trust_loss == 0.3
    assert s.network.network == "ring_lattice"
    assert [f.name for f in s.firms] == ["solo"] and s.firms[0].strategy == "custom"
    s2 = load_scenario(path, overrides={"firms.solo.price": 11.0})
    assert s2.firms[0].price == 11.0
    m = Market(str(path), rng=1)
    assert m.customers.n == 300 and m.network.kind == "ring_lattice"


def test_bad_values_in_toml(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[customers]\nn_custmers = 300\n", encoding="utf-8")
    raises_one_line(lambda: load_scenario(path), "n_custmers", "'n_customers'")
    path.write_text("[customers]\ntrust_gain = 2.0\n", encoding="utf-8")
    raises_one_line(lambda: load_scenario(path), "customers.trust_gain", "2.0")
    path.write_text('[[firms]]\nname = "a"\nstrategy = "growth"\n', encoding="utf-8")
    raises_one_line(lambda: load_scenario(path), "strategy", "'growth'")


def test_malformed_toml_reports_line_and_column(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[customers\nn_customers = 300\n', encoding="utf-8")
    message = raises_one_line(lambda: load_scenario(path), "broken.toml", "line 2", "column")
    assert "TOML" in message
    path.write_text("[customers]\nn_customers = = 3\n", encoding="utf-8")
    raises_one_line(lambda: load_scenario(path), "line 2", "column")
    path.write_bytes(b'name = "\xff\xfe"\n')
    raises_one_line(lambda: load_scenario(path), "broken.toml", "UTF-8")


def test_missing_file(tmp_path):
    missing = tmp_path / "nowhere" / "missing.toml"
    raises_one_line(lambda: load_scenario(missing), "missing.toml", "does not exist")
    raises_one_line(lambda: Market(str(missing)), "missing.toml")
    raises_one_line(lambda: load_scenario(tmp_path), "does not exist")  # a folder is not a file
    assert not missing.exists()


# --------------------------------------------------------------------------------------------
# bundled presets
# --------------------------------------------------------------------------------------------


def _without(d: dict, focal_strategy: bool = True) -> dict:
    out = {k: v for k, v in d.items() if k not in ("name", "description")}
    out["firms"] = [dict(f) for f in out["firms"]]
    if focal_strategy:
        for f in out["firms"]:
            if f["name"] == "focal":
                f.pop("strategy")
    return out


def test_preset_folder_is_the_data_folder():
    assert preset_dir().resolve() == PRESET_DIR.resolve()
    assert {p.stem for p in PRESETS} >= {
        "default",
        "acquisition_focus",
        "retention_focus",
        "new_market_acquisition",
        "new_market_retention",
    }


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_every_preset_loads(path):
    s = load_scenario(path)
    assert s.name == path.stem
    assert s.description
    assert preset(path.stem) == s
    focal = [f for f in s.firms if f.name == "focal"]
    assert len(focal) == 1
    if path.stem in STRATEGIES:
        assert focal[0].strategy == path.stem
    if path.stem.startswith("new_market_"):
        assert focal[0].strategy == path.stem.removeprefix("new_market_") + "_focus"
        assert all(f.initial_customers == 0.0 for f in s.firms)


def test_strategy_presets_differ_only_in_focal_strategy():
    acq, ret = preset("acquisition_focus"), preset("retention_focus")
    assert acq.firms[0].strategy == "acquisition_focus"
    assert ret.firms[0].strategy == "retention_focus"
    assert _without(acq.to_dict()) == _without(ret.to_dict())
    assert _without(acq.to_dict(), focal_strategy=False) != _without(
        ret.to_dict(), focal_strategy=False
    )
    # and every default-market preset is the default market but for the focal strategy
    default = _without(preset("default").to_dict())
    assert default == _without(Scenario().to_dict())
    for stem in STRATEGIES:
        if (PRESET_DIR / f"{stem}.toml").exists():
            assert _without(preset(stem).to_dict()) == default, stem


def test_new_market_presets_differ_only_in_focal_strategy():
    a, r = preset("new_market_acquisition"), preset("new_market_retention")
    assert _without(a.to_dict()) == _without(r.to_dict())
    assert a.firms[0].strategy != r.firms[0].strategy
    assert all(f.initial_awareness == 0.0 for f in a.firms)


def test_resized_is_the_same_market_larger():
    base = preset("retention_focus")
    big = base.resized(20_000)
    assert big.customers.n_customers == 20_000
    for small_firm, big_firm in zip(base.firms, big.firms, strict=True):
        assert big_firm.budget == pytest.approx(10 * small_firm.budget)
    # the same spend per customer buys the same week-1 lever effects (up to the seeding's
    # rounding of customers and prospects)
    a, b = Market(base, rng=1), Market(big, rng=1)
    for fa, fb in zip(a.firms, b.firms, strict=True):
        assert fb.effects.service == pytest.approx(fa.effects.service, rel=0.02)
        assert fb.effects.reach_per_year == pytest.approx(fa.effects.reach_per_year, rel=0.1)
    # n_customers alone keeps the budget: a tenth of the spend per customer
    assert base.with_overrides({"customers.n_customers": 20_000}).firms[0].budget == (
        base.firms[0].budget
    )
    assert base.resized(base.customers.n_customers) == base
