"""The reports of ``cxsim optimize``: what a search found, as Markdown a manager can read.

:func:`optimize_report` turns an :class:`~cxsim.experiments.optimize.OptimizeResult` into the
text of ``report.md`` (also what the command prints); :func:`equilibrium_report` does the same
for an :class:`~cxsim.experiments.equilibrium.EquilibriumResult`. Numbers go through the one
formatter, :func:`cxsim.viz.style.fmt`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxsim.params import LEVERS
from cxsim.viz.style import fmt

__all__ = ["allocation_table", "equilibrium_report", "gains_table", "optimize_report"]


def _money(x: Any) -> str:
    return fmt(x, 3)


def _share(x: Any) -> str:
    return f"{100 * float(x):.1f}%"


def _interval(low: Any, high: Any) -> str:
    return f"[{_money(low)}, {_money(high)}]"


def _gain(x: Any, scale: Any) -> str:
    """A paired gain; 0 where it is rounding noise (below 1e-9 of the value it compares)."""
    return "0" if abs(float(x)) <= 1e-9 * max(abs(float(scale)), 1.0) else _money(x)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def allocation_table(result: Any) -> pd.DataFrame:
    """The best allocation: one row per lever with a share, ``share`` (of the budget, %) and
    ``per year`` (currency)."""
    best = result.best_allocation
    rows = [
        {"lever": lv, "share": _share(best[lv]), "per year": _money(best[lv] * result.best_budget)}
        for lv in LEVERS
        if best[lv] > 0
    ]
    return pd.DataFrame(rows).set_index("lever")


def gains_table(result: Any) -> pd.DataFrame:
    """The candidates re-run on fresh seeds, formatted: ``acquisition share``, ``value`` and the
    best allocation's paired ``gain of the best`` with its 95% interval, by candidate."""
    rows = []
    for r in result.confirmed.itertuples():
        rows.append(
            {
                "candidate": str(r.candidate),
                "acquisition share": _share(r.acquisition_share),
                "value": _money(r.mean),
                "gain of the best": _gain(r.gain, r.mean),
                "interval": f"[{_gain(r.gain_low, r.mean)}, {_gain(r.gain_high, r.mean)}]",
            }
        )
    return pd.DataFrame(rows).set_index("candidate")


def _markdown(frame: pd.DataFrame) -> str:
    """A formatted table (index first) as Markdown."""
    header = [frame.index.name or "", *map(str, frame.columns)]
    return _table(
        header,
        [[str(i), *map(str, row)] for i, row in zip(frame.index, frame.to_numpy(), strict=True)],
    )


def optimize_report(result: Any) -> str:
    """``report.md`` of an optimize search: the best split, its value with interval, its gain
    over the allocation as given and every preset, the marginal value of the next unit of
    budget per lever, and how the search was run."""
    st = result.settings
    low, high = result.best_interval
    parts = [
        f"# How much to move: firm {result.firm!r}",
        "",
        f"Objective: NPV plus terminal customer equity at week {st['weeks']} (currency, "
        "discounted to week 0), the mean over fresh seeds that the search never used.",
        "",
        f"**Best allocation** ({st['best_candidate']}): {_share(result.best_acquisition_share)} "
        f"of a budget of {_money(result.best_budget)} a year on acquisition; value "
        f"**{_money(result.best_value)}** {_interval(low, high)} (95% t interval over "
        f"{st['confirm']} fresh seeds).",
        "",
        _markdown(allocation_table(result)),
        "",
        "## Gain over the alternatives",
        "",
        "Each alternative re-run on the same fresh seeds; the gain is the best allocation's value "
        "minus the alternative's, paired by seed (95% t interval).",
        "",
        _markdown(gains_table(result).drop(index=st["best_candidate"])),
    ]
    beaten = result.confirmed[
        (result.confirmed["gain_high"] < 0)
        & (result.confirmed["candidate"] != st["best_candidate"])
    ]
    if not beaten.empty:
        parts += [
            "",
            f"**Beyond the space searched:** {', '.join(beaten['candidate'])} did better than "
            "the best allocation found (the whole interval of the gain below 0). "
            + (
                "With one number searched, the levers within each group keep the firm's own "
                "proportions; a split of different proportions lies outside that space: search "
                "every lever's share (space 'levers') to compare with it."
                if result.space == "acquisition_share"
                else "The search did not find it: try more trials."
            ),
        ]
    if not result.marginal.empty:
        step = float(result.marginal["step"].iloc[0])
        parts += [
            "",
            "## Where the next unit of budget should go",
            "",
            f"Value added per currency unit of extra budget when {_money(step)} a year more "
            f"goes to one lever for the {st['weeks']} weeks, the others keeping their spend "
            "(paired by seed). The value is net of the extra "
            "spend, so above 0 the money pays for itself within the horizon, counting the "
            "customer equity it leaves; below 0 it costs more than it brings.",
            "",
            _table(
                ["lever", "value per currency unit", "interval"],
                [
                    [str(r.lever), fmt(r.marginal, 3), f"[{fmt(r.low, 3)}, {fmt(r.high, 3)}]"]
                    for r in result.marginal.sort_values("marginal", ascending=False).itertuples()
                ],
            ),
        ]
    parts += [
        "",
        "## How it was searched",
        "",
        f"- Space: {result.space}"
        + (f" over {', '.join(st['levers'])}" if st.get("levers") else "")
        + (f"; budget searched in {st['budget']}" if st.get("budget") else "")
        + ".",
        f"- {st['trials']} trials (Optuna TPE, seed {st['seed']}, {st['batch']} at a time), each "
        f"on the same {st['replications']} seeds (common random numbers).",
        f"- The {len([c for c in result.confirmed['candidate'] if c.startswith('trial ')])} "
        f"best trials, the allocation as given and the presets re-run on {st['confirm']} fresh "
        "seeds; the best of those is reported (no winner's curse from the search's own noise).",
        f"- Search trials' best mean: {_money(result.trials['mean'].max())} (on the search "
        "seeds; compare with the fresh value above).",
    ]
    return "\n".join(parts) + "\n"


def equilibrium_report(result: Any) -> str:
    """``report.md`` of an equilibrium search: the allocations round by round, whether they
    converged, and each firm's value there against its one-sided optimum."""
    st = result.settings
    alloc: pd.DataFrame = result.allocations
    state = "converged" if result.converged else "did **not** converge"
    parts = [
        "# Rivals that respond: iterated best response",
        "",
        f"The firms ({', '.join(st['firms'])}) took turns choosing their best {st['space']} "
        f"against the others' current allocations; the search {state} after {result.rounds} "
        f"round(s) (tolerance {_share(st['tolerance'])} of the budget on any lever).",
        "",
        _table(
            ["round", "firm", "acquisition share", "budget", "largest move"],
            [
                [
                    str(r.round),
                    str(r.firm),
                    _share(r.acquisition_share),
                    _money(r.budget),
                    "—" if pd.isna(r.moved) else _share(r.moved),
                ]
                for r in alloc.itertuples()
            ],
        ),
        "",
        "## Value at the end against the one-sided optimum",
        "",
        "One-sided: the firm's best response when every other firm keeps its allocation as "
        f"given. Values: NPV plus terminal customer equity at week {st['weeks']}, mean over "
        f"{st['confirm']} fresh seeds [95% t interval].",
        "",
        _table(
            ["firm", "acquisition share", "value", "one-sided share", "one-sided value"],
            [
                [
                    str(r.firm),
                    _share(r.acquisition_share),
                    f"{_money(r.value)} {_interval(r.low, r.high)}",
                    _share(r.one_sided_acquisition_share),
                    f"{_money(r.one_sided)} {_interval(r.one_sided_low, r.one_sided_high)}",
                ]
                for r in result.values.itertuples()
            ],
        ),
    ]
    return "\n".join(parts) + "\n"
