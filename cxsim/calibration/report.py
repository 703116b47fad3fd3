"""The result of a calibration: :class:`Calibration`, its report, figure and files.

:meth:`Calibration.write` writes four files to a folder, each atomically (a temporary file
renamed into place, :func:`cxsim.experiments.outputs.atomic_write`), all of them prepared in
memory first so that nothing is half-written:

* ``calibrated.toml`` — the calibrated scenario, which every command and
  :func:`cxsim.load_scenario` accept;
* ``forecast.csv`` — columns ``week``, ``actual``, ``cxsim``, ``bgnbd``: cumulative repeat
  transactions of the cohort by the end of each week of the log;
* ``report.md`` — the fitted parameters with standard errors, the moments matched, the holdout
  errors and how it was done;
* ``tracking.png`` — the tracking plot: actual vs cxsim vs BG/NBD, the calibration end marked.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FILES", "Calibration"]

#: The files :meth:`Calibration.write` writes.
FILES = ("calibrated.toml", "forecast.csv", "report.md", "tracking.png")


def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if abs(float(value)) >= 10**digits:
        return f"{float(value):,.0f}"
    return f"{float(value):.{digits}g}"


def _table(frame: pd.DataFrame) -> str:
    """A Markdown table of a small DataFrame."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


@dataclass
class Calibration:
    """What :func:`cxsim.calibration.calibrate` found.

    Attributes
    ----------
    scenario: the base scenario with the fitted customer parameters (a :class:`cxsim.Scenario`).
    parameters: one row per customer parameter: ``parameter``, ``value``, ``se`` (standard
        error), ``low``/``high`` (95% interval, computed on the log scale), ``how`` (simulated
        moments, gamma–gamma, or not identified: the base scenario's value).
    forecast: ``week``, ``actual``, ``cxsim``, ``bgnbd``: the cohort's cumulative repeat
        transactions by the end of each week of the log.
    moments: the auxiliary statistics (BG/NBD r, α, a, b): ``data``, ``data_se``, ``cxsim``
        (simulated at θ̂, from the final surrogate) and ``z`` (their difference in standard
        errors of the difference, on the log scale).
    info: the log's and the run's facts (sizes, periods, J statistic, evaluations, seconds...).
    bgnbd, gamma_gamma: the models fitted to the data's cohort (calibration period).
    jacobian: ∂β_sim/∂ln θ from the final surrogate (4 × 4).
    """

    scenario: Any
    parameters: pd.DataFrame
    forecast: pd.DataFrame
    moments: pd.DataFrame
    info: dict[str, Any]
    bgnbd: Any = None
    gamma_gamma: Any = None
    jacobian: np.ndarray | None = field(default=None, repr=False)

    @property
    def calibration_weeks(self) -> float:
        """Length of the calibration period, weeks."""
        return float(self.info["cal_weeks"])

    def holdout(self) -> pd.DataFrame:
        """Cumulative repeat transactions at the end of the calibration period and of the log,
        with each model's error relative to the actual (a fraction; −0.06 is 6% under)."""
        f = self.forecast
        cal = int(round(self.calibration_weeks))
        rows = []
        for label, week in (("calibration end", cal), ("end of log", int(f["week"].max()))):
            at = f[f["week"] == week].iloc[0]
            rows.append(
                {
                    "when": label,
                    "week": week,
                    "actual": at["actual"],
                    "cxsim": at["cxsim"],
                    "bgnbd": at["bgnbd"],
                    "cxsim_error": at["cxsim"] / at["actual"] - 1 if at["actual"] else math.nan,
                    "bgnbd_error": at["bgnbd"] / at["actual"] - 1 if at["actual"] else math.nan,
                }
            )
        return pd.DataFrame(rows)

    def figure(self):
        """The tracking plot (a matplotlib Figure): actual, cxsim and BG/NBD cumulative repeat
        transactions by week, the end of the calibration period marked."""
        from cxsim.calibration.figures import forecast_plot

        ax = forecast_plot(self.forecast, calibration_weeks=self.calibration_weeks)
        ax.set_title(f"Cohort of {self.info['n_cohort']:,} customers: calibrated cxsim vs BG/NBD")
        return ax.figure

    def to_toml(self) -> str:
        """The calibrated scenario as TOML text, with a header saying where it comes from."""
        import tomli_w

        i = self.info
        header = (
            f"# Calibrated by cxsim calibrate on {i['source']} ({i['n_cohort']:,} customers in the\n"
            f"# cohort, calibration period {i['start'].date()} to {i['end'].date()}). Customer\n"
            "# parameters fitted to the log: need_rate, need_rate_shape, churn_base,\n"
            "# leave_heterogeneity (simulated moments), spend_shape, spend_heterogeneity\n"
            "# (gamma-gamma); everything else is the base scenario's. See report.md.\n"
        )
        return header + tomli_w.dumps(self.scenario.to_dict())

    def report(self) -> str:
        """The calibration report as Markdown."""
        i = self.info
        hold = self.holdout()
        last = hold.iloc[-1]
        params = self.parameters.copy()
        moments = self.moments.copy()
        moments["z"] = moments["z"].round(2)
        hold_table = hold.assign(
            cxsim_error=[f"{v:+.1%}" for v in hold["cxsim_error"]],
            bgnbd_error=[f"{v:+.1%}" for v in hold["bgnbd_error"]],
        )
        lines = [
            f"# cxsim calibration: {i['source']}",
            "",
            f"* Log: {i['n_log_customers']:,} customers, {i['n_transactions']:,} transactions "
            f"(same-day purchases merged), {i['start'].date()} to {i['last'].date()} "
            f"({i['span_weeks']} weeks).",
            f"* Cohort: the {i['n_cohort']:,} customers whose first purchase is in weeks "
            f"1–{i['cohort_weeks']:g}; {i['repeat_purchases_calibration']:,} repeat purchases "
            "in the calibration period.",
            f"* Calibration period: {i['start'].date()} to {i['end'].date()} "
            f"({i['cal_weeks']:.4g} weeks); holdout: the rest of the log.",
            f"* Base scenario: {i['base']!r}, firm {i['firm']!r}; calibrated scenario: "
            f"{self.scenario.name!r} (calibrated.toml).",
            "",
            f"**Holdout**: at week {int(last['week'])} the cohort had made "
            f"{last['actual']:,.0f} repeat purchases; calibrated cxsim predicts "
            f"{last['cxsim']:,.0f} ({last['cxsim_error']:+.1%}), the BG/NBD model "
            f"{last['bgnbd']:,.0f} ({last['bgnbd_error']:+.1%}).",
            "",
            "## Fitted parameters",
            "",
            "Standard errors by the delta method from the log scale; low–high is a 95% interval "
            "computed on the log scale.",
            "",
            _table(params),
            "",
            "## Moments matched",
            "",
            "Auxiliary statistics: the BG/NBD model (Fader, Hardie & Lee 2005) fitted to the "
            "cohort's calibration period, in the data and in the simulated cohort at the "
            "estimate (from the final surrogate). z: the difference on the log scale in standard "
            "errors of the difference, (1 + 1/S′) times the data's.",
            "",
            _table(moments),
            "",
            f"J = {i['j_stat']:.2f} with 0 degrees of freedom (4 statistics, 4 parameters: "
            "exactly identified). Near 0, cxsim reproduces the cohort's BG/NBD parameters; a "
            "large J says it cannot within the search bounds, and the fit is the closest it gets "
            "in the data's own metric.",
            "",
            "## Tracking",
            "",
            "Cumulative repeat transactions of the cohort (forecast.csv): actual, cxsim at the "
            f"estimate (mean of {i['forecast_replications']} markets with fresh seeds, per cohort "
            "member × the real cohort's size) and the BG/NBD model fitted on the calibration "
            "period.",
            "",
            _table(hold_table),
            "",
            "![tracking plot](tracking.png)",
            "",
            "## How",
            "",
            "Indirect inference (Gourieroux, Monfort & Renault 1993), a simulated method of "
            "moments (McFadden 1989; Pakes & Pollard 1989): the base scenario runs with the four "
            "customer parameters, the firm's new customers who first buy in the same weeks form "
            "the simulated cohort, and the BG/NBD fitted to them is matched to the data's, "
            "weighted by the inverse of the data's covariance. Common random numbers: the same "
            f"{i['replications']} seeds at every parameter value. Search: Gauss–Newton on local "
            "linear surrogates with a trust radius (cxsim.calibration.indirect); final surrogate "
            "step: a 17-point design around the last centre, whose Jacobian G gives "
            "Var(ln θ̂) = (1 + 1/S′)(GᵀWG)⁻¹.",
            "",
            f"* Simulated market: {i['n_customers_simulated']:,} customers; simulated cohort "
            f"{i['n_cohort_simulated']:,} over {i['replications']} replications "
            f"(S′ = {i['sim_ratio']:.2f}); forecast cohorts "
            f"{', '.join(f'{n:,}' for n in i['forecast_cohort_sizes'])}.",
            f"* {i['iterations']} iterations, {i['evaluations']} simulated evaluations, seed "
            f"{i['seed']}, {i['seconds']:.0f} s. Accepted centres of the search and their "
            "simulated Q: "
            + "; ".join(
                "(" + ", ".join(_fmt(v, 3) for v in theta.values()) + f") Q = {_fmt(q, 4)}"
                for theta, q in i.get("path", [])
            )
            + ".",
            "* Start: "
            + ", ".join(f"{k} = {_fmt(v)}" for k, v in i["start_theta"].items())
            + "; bounds: "
            + ", ".join(f"{k} ∈ [{lo:g}, {hi:g}]" for k, (lo, hi) in i["bounds"].items())
            + ".",
            "* Spend: spend_shape and spend_heterogeneity are the gamma–gamma p and q fitted to "
            "the cohort's repeat purchases in the calibration period (customers whose repeat "
            "purchases average more than 0); its scale γ belongs to the firms' prices, left as "
            "the scenario sets them"
            + (
                f" (γ = {self.gamma_gamma.gamma:.4g}: mean spend {self.gamma_gamma.mean_spend:.4g}"
                " per repeat purchase in the log's currency)."
                if self.gamma_gamma is not None
                else "."
            ),
            "* Not identified by one firm's log, left at the base scenario's values: "
            "trial_probability, winback_reach, and everything about trust, word of mouth, "
            "complaints and the firms.",
            "",
        ]
        return "\n".join(lines)

    def write(self, out_dir: str | PathLike[str]) -> list[Path]:
        """Write :data:`FILES` to ``out_dir`` (created if needed); returns their paths.

        Every file's content is made first, then each is written atomically; a failure raises
        :class:`cxsim.experiments.OutputError` (one line) and leaves no partial file.
        """
        import matplotlib.pyplot as plt

        from cxsim.experiments.outputs import atomic_write, make_dir

        fig = self.figure()
        try:
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=120, bbox_inches="tight")
        finally:
            plt.close(fig)
        payloads = {
            "calibrated.toml": self.to_toml().encode("utf-8"),
            "forecast.csv": self.forecast.to_csv(index=False).encode("utf-8"),
            "report.md": self.report().encode("utf-8"),
            "tracking.png": png.getvalue(),
        }
        out = Path(out_dir)
        make_dir(out)
        paths = []
        for name in FILES:
            path = out / name
            atomic_write(path, lambda tmp, data=payloads[name]: Path(tmp).write_bytes(data))
            paths.append(path)
        return paths
