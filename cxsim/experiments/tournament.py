"""A round-robin tournament of strategies on the same markets, in the spirit of Axelrod's.

Each entrant is a firm's strategy: its budget split over the levers (``allocation``, or a preset
``strategy`` name) and its ``budget``, one TOML file per entrant (the file's name is the
entrant's name)::

    # alice.toml
    budget = 535  # currency per year
    [allocation]
    advertising = 0.15
    service = 0.35
    personalization = 0.25
    complaint_handling = 0.15
    feedback = 0.10

Every entrant meets every other head to head in a market scenario (default: the default market,
at a class-sized 1,000 customers and 156 weeks): in one match A takes the market's first firm's
place and B the second's, in the return match the other way round, both on the same replication
seeds as every other match (common random numbers, :mod:`cxsim.experiments.seeds`). Everything
else about the firms (price, quality, starting customers...) is the market's.

The score of a firm in a run is its **NPV plus terminal customer equity**: cumulative
discounted profit at the horizon plus the registry's ``customer_equity`` (customers × CLV) at
the horizon, so a firm that bought profit by burning its customer base does not win. An
entrant's value is its mean score over its matches; the head-to-head winner of a pair is the one
with the higher mean score over their two matches.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.experiments.executors import make_executor
from cxsim.experiments.run import compare
from cxsim.experiments.seeds import _check_int
from cxsim.params import FirmSpec, Scenario, ScenarioError, resolve_scenario

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_WEEKS",
    "STRATEGY_KEYS",
    "TournamentResult",
    "load_strategies",
    "load_strategy",
    "tournament",
]

#: What a class-sized tournament runs by default: small markets, three years, five seeds.
DEFAULT_CUSTOMERS = 1_000
DEFAULT_WEEKS = 156
DEFAULT_REPLICATIONS = 5
#: The keys a strategy file may hold.
STRATEGY_KEYS = ("allocation", "budget", "description", "strategy")
#: Relative difference below which two values tie (floating-point noise).
_TIE = 1e-9
#: Leaderboard columns, in order.
LEADERBOARD_COLUMNS = ("rank", "strategy", "value", "low", "high", "wins")

StrategyLike = FirmSpec | Mapping[str, Any] | str | os.PathLike


def _fail(source: str, message: str) -> ScenarioError:
    return ScenarioError(f"{source}: {' '.join(str(message).split())}")


def _entry(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The firm parameters a strategy table sets (checked for unknown keys)."""
    if not isinstance(data, Mapping):
        raise _fail(source, f"{data!r} is not a table of strategy keys")
    unknown = [k for k in data if k not in STRATEGY_KEYS]
    if unknown:
        raise _fail(
            source,
            f"unknown key {unknown[0]!r}; a strategy file sets {', '.join(STRATEGY_KEYS)}",
        )
    entry = {k: v for k, v in data.items() if k != "description"}
    if "allocation" not in entry and "strategy" not in entry:
        raise _fail(
            source,
            "needs an [allocation] table of lever shares (or a strategy = preset name)",
        )
    if "allocation" in entry:
        if not isinstance(entry["allocation"], Mapping):
            raise _fail(source, f"allocation: {entry['allocation']!r} is not a table of shares")
        entry["allocation"] = dict(entry["allocation"])
        entry.setdefault("strategy", "custom")
    return entry


def _seat(template: FirmSpec, name: str, entry: Mapping[str, Any]) -> FirmSpec:
    """``template`` (a market's firm) run by the strategy ``entry`` under ``name``."""
    changes: dict[str, Any] = {"name": name, "allocation": None, **entry}
    return replace(template, **changes)


def _check(name: str, entry: Mapping[str, Any], market: Scenario, source: str) -> None:
    """Validate an entry by seating it in ``market``; errors name ``source``, not firms[0]."""
    try:
        firm = _seat(market.firms[0], name, entry)
        other = replace(market.firms[1], name="b" if name == "a" else "a")
        market.with_overrides(firms=[firm, other, *market.firms[2:]])
    except ScenarioError as exc:
        text = str(exc)
        for prefix in ("firms[0].", "firms[0]"):
            if text.startswith(prefix):
                text = text[len(prefix) :].lstrip(": ")
                break
        raise _fail(source, text) from None
    except (TypeError, ValueError) as exc:
        raise _fail(source, str(exc)) from None


def load_strategy(path: str | os.PathLike, market: Scenario | None = None) -> dict[str, Any]:
    """One strategy file as the firm parameters it sets (``strategy``, ``allocation``,
    ``budget``), checked against the levers and the parameter registry by seating it in
    ``market`` (default: the default market).

    Raises:
        ScenarioError: one line that starts with the file's name, e.g.
            ``"bob.toml: allocation: shares sum to 0.9, must sum to 1"``.
    """
    path = Path(path)
    source = path.name
    if not path.is_file():
        raise _fail(source, "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(source, "is not UTF-8 text") from None
    except OSError as exc:
        raise _fail(source, f"cannot be read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, f"is not valid TOML: {exc}") from None
    entry = _entry(data, source)
    _check(path.stem, entry, market or Scenario(), source)
    return entry


def load_strategies(
    folder: str | os.PathLike, market: Scenario | None = None
) -> dict[str, dict[str, Any]]:
    """Every ``*.toml`` file of ``folder`` (in name order) as ``{name: entry}``, each checked
    with :func:`load_strategy`; at least two."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: is not a folder of strategy files")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml" and p.is_file())
    if len(files) < 2:
        raise ScenarioError(
            f"{folder}: a tournament needs at least two strategy files (*.toml), found {len(files)}"
        )
    out: dict[str, dict[str, Any]] = {}
    for path in files:
        if path.stem in out:
            raise _fail(path.name, f"a second strategy named {path.stem!r}")
        out[path.stem] = load_strategy(path, market)
    return out


def _strategies(strategies: Any, market: Scenario) -> dict[str, dict[str, Any]]:
    """``strategies`` (a folder, or a mapping of name → file, table or FirmSpec) as entries."""
    if isinstance(strategies, str | os.PathLike):
        return load_strategies(strategies, market)
    if not isinstance(strategies, Mapping):
        raise ScenarioError(
            "strategies: give a folder of strategy files or a mapping of name to strategy"
        )
    out: dict[str, dict[str, Any]] = {}
    for name, item in strategies.items():
        source = str(name)
        if isinstance(item, str | os.PathLike):
            out[source] = load_strategy(item, market)
            continue
        if isinstance(item, FirmSpec):
            entry = {"strategy": item.strategy, "budget": item.budget}
            if item.allocation is not None:
                entry["allocation"] = dict(item.allocation)
        else:
            entry = _entry(item, source)
        _check(source, entry, market, source)
        out[source] = entry
    if len(out) < 2:
        raise ScenarioError(f"strategies: a tournament needs at least two, got {len(out)}")
    return out


@dataclass
class TournamentResult:
    """What a tournament found.

    Attributes:
        leaderboard: one row per strategy, best first: ``rank``, ``strategy``, ``value`` (mean
            NPV plus terminal customer equity over its matches), ``low``, ``high`` (its
            interval) and ``wins`` (head-to-head pairings won).
        head_to_head: strategies × opponents: the row's mean value minus the column's over
            their two matches (NaN on the diagonal).
        scores: one row per match × replication × seat: ``match``, ``replication``, ``seed``,
            ``strategy``, ``opponent``, ``seat`` (0 or 1), ``npv``, ``customer_equity``,
            ``value``.
        settings: replications, seed, customers, weeks, level and the market's name.
    """

    leaderboard: pd.DataFrame
    head_to_head: pd.DataFrame
    scores: pd.DataFrame
    settings: dict[str, Any]


def tournament(
    strategies: str | os.PathLike | Mapping[str, StrategyLike],
    *,
    market: Any = None,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = 0,
    n_customers: int | None = DEFAULT_CUSTOMERS,
    weeks: int | None = DEFAULT_WEEKS,
    level: float = 0.95,
    executor: Any = None,
    workers: int | None = None,
    progress: bool = False,
    force: bool = False,
) -> TournamentResult:
    """Round robin: every strategy meets every other on the same markets.

    Args:
        strategies: a folder of strategy files (``*.toml``, one per entrant, named by the
            file), or a mapping of name to a file, a table (``allocation``/``strategy``,
            ``budget``) or a :class:`~cxsim.params.FirmSpec`.
        market: the market scenario the matches are played in (a Scenario, preset name, TOML
            path or mapping; default the default market). Its first two firms' places are
            taken by the entrants; any further firms stay as they are.
        replications: seeds per match; every match runs on the same seeds (common random
            numbers).
        seed: master seed of the replications.
        n_customers, weeks: market size and horizon (``None``: the market's own). A size is
            the same market resized (:meth:`cxsim.params.Scenario.resized`): the market's firms'
            budgets scale with it; an entrant's own ``budget`` is its own.
        level: confidence level of the intervals.
        executor, workers: where runs go (see :func:`~cxsim.experiments.make_executor`).
        progress: a progress bar over the pairings.
        force: run even when a resource estimate is over a limit.

    Returns:
        A :class:`TournamentResult`. A strategy's ``value`` is its mean **NPV plus terminal
        customer equity** (NPV at the horizon plus the registry's ``customer_equity``,
        customers × CLV, at the horizon) over all its matches, both seats. ``low``/``high``
        are a t-interval over replications: for each replication the strategy's mean over
        its matches, then ``mean ± t(level, n−1)·sd/√n``. ``wins`` counts the opponents whose
        mean value over their two matches it beats; an exact tie (identical strategies) is
        nobody's win.

    Raises:
        ScenarioError: (one line) a bad strategy, naming its file; a bad market; fewer than
            two strategies.
    """
    from scipy import stats

    replications = _check_int("replications", replications, low=1)
    seed = _check_int("seed", seed, low=0)
    if not 0 < float(level) < 1:
        raise ScenarioError(f"level: {level!r} must be between 0 and 1")
    base = resolve_scenario(market)
    if n_customers is not None:  # the same market at the class's size (budgets scaled)
        base = base.resized(n_customers)
    if weeks is not None:
        base = base.with_overrides({"weeks": weeks})
    if len(base.firms) < 2:
        raise ScenarioError(
            f"market: {base.name!r} has {len(base.firms)} firm; a match needs two seats"
        )
    entries = _strategies(strategies, base)
    names = list(entries)
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]

    def match(first: str, second: str) -> Scenario:
        seats = [_seat(base.firms[0], first, entries[first])]
        seats.append(_seat(base.firms[1], second, entries[second]))
        return base.with_overrides(firms=[*seats, *base.firms[2:]])

    ex, close = make_executor(executor, workers=workers, force=force)
    rows: list[pd.DataFrame] = []
    try:
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(pairs), desc="pairings", unit="pair")
        for a, b in pairs:
            scenarios = {f"{a} vs {b}": match(a, b), f"{b} vs {a}": match(b, a)}
            frame = compare(
                scenarios,
                replications=replications,
                seed=seed,
                executor=ex,
                progress=False,
                force=force,
            )
            end = frame.groupby("scenario", observed=True)["week"].transform("max")
            last = frame[frame["week"] == end]
            rows.append(_scores(last, scenarios))
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
    finally:
        close()
    scores = pd.concat(rows, ignore_index=True)
    leaderboard, head = _tables(scores, names, level, stats)
    settings = {
        "replications": replications,
        "seed": seed,
        "n_customers": base.customers.n_customers,
        "weeks": base.market.weeks,
        "level": level,
        "market": base.name,
    }
    return TournamentResult(leaderboard, head, scores, settings)


def _scores(last: pd.DataFrame, scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row per match × replication × seat from the final week of each run."""
    out = []
    for label, sc in scenarios.items():
        seated = [sc.firms[0].name, sc.firms[1].name]
        part = last[(last["scenario"] == label) & last["firm"].isin(seated)]
        for seat, (me, them) in enumerate((seated, seated[::-1])):
            mine = part[part["firm"] == me]
            out.append(
                pd.DataFrame(
                    {
                        "match": label,
                        "replication": mine["replication"].to_numpy(),
                        "seed": mine["seed"].to_numpy(),
                        "strategy": me,
                        "opponent": them,
                        "seat": seat,
                        "npv": mine["npv"].to_numpy(dtype=float),
                        "customer_equity": mine["customer_equity"].to_numpy(dtype=float),
                    }
                )
            )
    scores = pd.concat(out, ignore_index=True)
    # NPV plus terminal customer equity (an equity the registry cannot compute counts as 0)
    scores["value"] = scores["npv"] + scores["customer_equity"].fillna(0.0)
    return scores


def _tables(
    scores: pd.DataFrame, names: list[str], level: float, stats: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    per_rep = scores.groupby(["strategy", "replication"])["value"].mean().unstack("strategy")
    rows = []
    for name in names:
        x = per_rep[name].dropna().to_numpy() if name in per_rep else np.empty(0)
        mean = float(x.mean()) if x.size else math.nan
        if x.size >= 2:
            half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
        else:
            half = math.nan
        rows.append({"strategy": name, "value": mean, "low": mean - half, "high": mean + half})
    board = pd.DataFrame(rows)
    pair_mean = scores.groupby(["strategy", "opponent"])["value"].mean()
    head = pd.DataFrame(np.nan, index=names, columns=names, dtype=float)
    for (me, them), value in pair_mean.items():
        head.loc[me, them] = value - pair_mean.get((them, me), np.nan)
    head.index.name, head.columns.name = "strategy", "opponent"
    # differences within floating-point noise (identical strategies average the same scores
    # in another order) are ties: nobody's win, the same rank
    scale = float(np.nanmax(np.abs(board["value"].to_numpy()))) if len(board) else 1.0
    tol = _TIE * max(scale, 1.0)
    board["wins"] = [int((head.loc[name].drop(name) > tol).sum()) for name in names]
    key = (board["value"] / tol).round()
    board = board.assign(_key=key).sort_values(["_key", "wins"], ascending=False, kind="stable")
    board.insert(0, "rank", board["_key"].rank(ascending=False, method="min").astype(int))
    board = board.drop(columns="_key")
    board = board.reset_index(drop=True)[list(LEADERBOARD_COLUMNS)]
    return board, head.loc[list(board["strategy"]), list(board["strategy"])]
