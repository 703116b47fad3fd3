"""Experiments on the model: replications on common random numbers, comparisons, sweeps,
sensitivity analyses, on any ``concurrent.futures`` executor, stored so they resume.

>>> from cxsim.experiments import compare, summarize
"""

from cxsim.experiments.run import (
    DEFAULT_SUMMARY_METRICS,
    ID_COLUMNS,
    RunFailedWarning,
    RunsFailedError,
    compare,
    make_executor,
    replicate,
    replication_seeds,
    resolve_scenario,
    run_key,
    run_one,
    summarize,
    sweep,
    sweep_points,
)

__all__ = [
    "DEFAULT_SUMMARY_METRICS",
    "ID_COLUMNS",
    "RunFailedWarning",
    "RunsFailedError",
    "compare",
    "make_executor",
    "replicate",
    "replication_seeds",
    "resolve_scenario",
    "run_key",
    "run_one",
    "summarize",
    "sweep",
    "sweep_points",
]
