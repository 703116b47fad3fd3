"""``cxsim calibrate LOG``: fit cxsim's customers to a transaction log, and ``cxsim run
--transactions``'s output check.

Every input is checked before anything runs or is written: a log that cannot be read or is
malformed (a missing column, an unparseable date, a negative amount, an empty file, a single
customer), a calibration end outside the log, a bad ``--scenario`` or ``--out`` is one line,
``cxsim: error: ...``, exit code 2, and nothing is written. The work is
:func:`cxsim.calibration.calibrate`; its four files are written atomically.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cxsim.cli.errors import EXIT_OK, CLIError, checked


def add_parser(sub) -> None:
    """Register ``calibrate`` with the command line's subparsers."""
    from cxsim.cli.options import MAX_SEED, int_range

    p = sub.add_parser(
        "calibrate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="fit the customers to a transaction log (CSV or Parquet)",
        description="Fit cxsim's customer parameters (need rate and its shape, churn and its "
        "heterogeneity, spend) to a transaction log by indirect inference with a BG/NBD "
        "auxiliary model, and compare cxsim's forecast of the holdout period with the BG/NBD "
        "model's. With --out, writes calibrated.toml (a scenario every command accepts), "
        "forecast.csv, report.md and tracking.png there.",
        epilog="Example: cxsim calibrate data/reference/cdnow_master.txt.gz --calibration-end "
        "1997-09-30 --out cdnow_cal\n(the log: one row per purchase; same-day purchases of a "
        "customer are merged).",
    )
    p.add_argument("log", metavar="LOG", help="transaction log: a CSV (.gz, .zip) or Parquet file")
    p.add_argument("--customer-col", default="customer", help="customer id column (customer)")
    p.add_argument("--date-col", default="date", help="purchase date column (date)")
    p.add_argument("--amount-col", default="amount", help="amount column (amount)")
    p.add_argument(
        "--calibration-end",
        metavar="DATE",
        help="last day of the calibration period, e.g. 1997-09-30 (default: the log's middle)",
    )
    p.add_argument(
        "--cohort-weeks",
        type=int_range(1, 520),
        default=12,
        metavar="W",
        help="the cohort: customers whose first purchase is in the first W weeks (default 12)",
    )
    p.add_argument(
        "--scenario",
        default="default",
        metavar="SCENARIO",
        help="base scenario: a TOML file or a preset name (default: the default market)",
    )
    p.add_argument("--firm", default="focal", help="the firm whose log it is (default focal)")
    p.add_argument(
        "--replications",
        type=int_range(1, 100),
        default=2,
        metavar="S",
        help="simulated markets per evaluation, same seeds at every value (default 2)",
    )
    p.add_argument(
        "--max-iterations",
        type=int_range(0, 100),
        default=8,
        metavar="N",
        help="search iterations at most, 9 simulated points each (default 8)",
    )
    p.add_argument(
        "--seed",
        type=int_range(0, MAX_SEED),
        default=0,
        metavar="S",
        help="master seed of the simulated markets (default 0)",
    )
    p.add_argument("--out", metavar="DIR", help="write the four files here")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: when stderr is a terminal)",
    )


def _calibration_end(text: str | None):
    import pandas as pd

    if text is None:
        return None
    shown = repr(text) if len(text) <= 40 else repr(text[:30]) + "..."
    try:
        value = pd.Timestamp(text.strip())
    except (ValueError, TypeError, OverflowError):
        value = None
    if value is None or pd.isna(value):
        raise CLIError(f"--calibration-end: {shown} is not a date (like 1997-09-30)")
    return value.normalize()


def calibrate(args: argparse.Namespace, extra: list[str]) -> int:
    """The ``calibrate`` command."""
    import sys

    from cxsim.calibration import TransactionLogError, read_transaction_log
    from cxsim.calibration import calibrate as fit
    from cxsim.experiments.outputs import check_out_dir
    from cxsim.params import resolve_scenario

    end = _calibration_end(args.calibration_end)
    out = checked(check_out_dir, args.out, option="--out") if args.out is not None else None
    base = checked(resolve_scenario, args.scenario)
    try:
        log = read_transaction_log(
            args.log,
            customer_col=args.customer_col,
            date_col=args.date_col,
            amount_col=args.amount_col,
        )
    except TransactionLogError as exc:  # the API's keyword names, as this command's options
        message = str(exc)
        for role in ("customer", "date", "amount"):
            message = message.replace(f"name it with {role}_col=", f"name it with --{role}-col")
        raise CLIError(message) from None
    log.attrs["source"] = args.log
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    result = checked(
        fit,
        log,
        calibration_end=end,
        scenario=base,
        firm=args.firm,
        cohort_weeks=args.cohort_weeks,
        replications=args.replications,
        max_iterations=args.max_iterations,
        seed=args.seed,
        name=_scenario_name(args.log),
        progress=progress,
    )
    hold = result.holdout().iloc[-1]
    table = result.parameters[["parameter", "value", "se", "how"]]
    print(f"Calibrated to {args.log}: {result.info['n_cohort']:,} customers in the cohort.")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(
        f"Week {int(hold['week'])}: actual {hold['actual']:,.0f} repeat purchases; cxsim "
        f"{hold['cxsim']:,.0f} ({hold['cxsim_error']:+.1%}), BG/NBD {hold['bgnbd']:,.0f} "
        f"({hold['bgnbd_error']:+.1%}); J = {result.info['j_stat']:.2f}."
    )
    if out is not None:
        paths = result.write(out)
        print("wrote " + ", ".join(str(p) for p in paths))
    return EXIT_OK


def _scenario_name(log: str) -> str:
    """``<log file stem>_calibrated``, slugged (a valid scenario name)."""
    from cxsim.experiments.outputs import slug

    stem = Path(log).name.split(".")[0]
    return slug(stem, default="log")[:40] + "_calibrated"


def check_transactions(path_text: str | None) -> Path | None:
    """``cxsim run --transactions FILE.parquet``: the file's folder must exist and be writable,
    and the path must not be a folder (checked before the run)."""
    if path_text is None:
        return None
    if not path_text.strip() or "\0" in path_text:
        raise CLIError("--transactions: give a file name, e.g. transactions.parquet")
    path = Path(path_text)
    if path.suffix.lower() not in (".parquet", ".pq"):
        raise CLIError(f"--transactions: {path_text!r} must end in .parquet")
    if path.is_dir():
        raise CLIError(f"--transactions: {path_text!r} is a folder, not a file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CLIError(f"--transactions: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CLIError(f"--transactions: folder {str(folder)!r} is not writable")
    return path


def write_transactions(market, path: Path | None) -> None:
    """Write the market's transaction log as Parquet, atomically (columns customer, week, firm,
    amount; see :meth:`cxsim.Market.transactions`)."""
    if path is None:
        return
    from cxsim.experiments.outputs import write_parquet

    write_parquet(market.transactions(), path)
    print(f"wrote {path}")
