"""Experiments on the model: replications on common random numbers, comparisons, sweeps,
sensitivity analyses, on any ``concurrent.futures`` executor, stored so they resume.

>>> from cxsim.experiments import compare, summarize

One module per concept: :mod:`~cxsim.experiments.run` (the experiments and running their
tasks), :mod:`~cxsim.experiments.seeds`, :mod:`~cxsim.experiments.designs`,
:mod:`~cxsim.experiments.executors`, :mod:`~cxsim.experiments.store`,
:mod:`~cxsim.experiments.outputs` (atomic files, slugs, output folders),
:mod:`~cxsim.experiments.resources` (the estimate checked before the first run, against
:mod:`cxsim.params.limits`), :mod:`~cxsim.experiments.failures`,
:mod:`~cxsim.experiments.frames`, :mod:`~cxsim.experiments.summary`,
:mod:`~cxsim.experiments.sensitivity`, :mod:`~cxsim.experiments.economics` (incremental CAC,
break-even horizons, the value at a horizon), :mod:`~cxsim.experiments.explain` (why one
strategy beats another: a Shapley decomposition of the gap over mechanisms),
:mod:`~cxsim.experiments.optimize` (how much to move: the best budget split of a firm) and
:mod:`~cxsim.experiments.equilibrium` (rivals that respond: iterated best response). Import
the public names from here.
"""

from cxsim.experiments.designs import sweep_points
from cxsim.experiments.economics import break_even_week, horizon_value, incremental_cac
from cxsim.experiments.equilibrium import EquilibriumResult
from cxsim.experiments.equilibrium import equilibrium as equilibrium  # best responses
from cxsim.experiments.executors import default_workers, make_executor
from cxsim.experiments.explain import explain as explain  # Shapley decomposition
from cxsim.experiments.failures import RunFailedWarning, RunsFailedError
from cxsim.experiments.frames import ID_COLUMNS
from cxsim.experiments.optimize import OptimizeResult
from cxsim.experiments.optimize import optimize as optimize  # the best budget split
from cxsim.experiments.outputs import OutputError
from cxsim.experiments.resources import check_resources
from cxsim.experiments.run import compare, model_digest, replicate, run_key, run_one, sweep
from cxsim.experiments.seeds import replication_seeds
from cxsim.experiments.store import StoreWarning
from cxsim.experiments.summary import DEFAULT_SUMMARY_METRICS, summarize, swept_parameters
from cxsim.experiments.tournament import tournament as tournament  # round robin
from cxsim.params import ResourceError, resolve_scenario

__all__ = [
    "DEFAULT_SUMMARY_METRICS",
    "EquilibriumResult",
    "ID_COLUMNS",
    "OptimizeResult",
    "OutputError",
    "ResourceError",
    "RunFailedWarning",
    "RunsFailedError",
    "StoreWarning",
    "break_even_week",
    "check_resources",
    "compare",
    "equilibrium",
    "explain",
    "default_workers",
    "horizon_value",
    "incremental_cac",
    "make_executor",
    "model_digest",
    "optimize",
    "replicate",
    "replication_seeds",
    "resolve_scenario",
    "run_key",
    "run_one",
    "summarize",
    "swept_parameters",
    "sweep",
    "sweep_points",
]
