"""Limits: how much one request may ask of the machine, declared once.

Why a module of its own: a typo (``--replications 100000``, ``--n-customers 100000000``,
``dt = 0.01`` with ``--weeks 5200``) should fail in one line before anything runs, not with a
``MemoryError`` an hour later. The command line and the Python API
(:func:`cxsim.experiments.compare`, :func:`~cxsim.experiments.replicate`,
:func:`~cxsim.experiments.sweep`, :func:`~cxsim.experiments.sensitivity.morris`,
:func:`~cxsim.experiments.sensitivity.sobol`, :func:`~cxsim.experiments.make_executor`) check the
same limits, from here.

Two kinds:

* **Resource limits** (:data:`MAX_REPLICATIONS`, :data:`MAX_POINTS`, :data:`MAX_RUNS`,
  :data:`MAX_STEPS_PER_RUN`, :data:`MAX_TOTAL_STEPS`, :func:`max_workers` and the memory estimate
  of :class:`Estimate` against :func:`available_memory`): exceeding one raises
  :class:`ResourceError`, a one-line :class:`~cxsim.params.ScenarioError` that states the estimate;
  ``--force`` on the command line, ``force=True`` in Python, runs anyway.
* **Validation limits** (:data:`MAX_NAME_LENGTH`, :data:`MAX_DESCRIPTION_LENGTH`,
  :data:`MAX_SCENARIO_FILE_BYTES`, :data:`MAX_DESIGN_FILE_BYTES`): part of what a valid input is;
  nothing overrides them.

Nothing here imports the model: the estimate reads scenarios by their attributes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxsim.params.declare import ScenarioError

__all__ = [
    "MAX_DESCRIPTION_LENGTH",
    "MAX_DESIGN_FILE_BYTES",
    "MAX_NAME_LENGTH",
    "MAX_POINTS",
    "MAX_REPLICATIONS",
    "MAX_RUNS",
    "MAX_SCENARIO_FILE_BYTES",
    "MAX_STEPS_PER_RUN",
    "MAX_TOTAL_STEPS",
    "MEMORY_FRACTION",
    "Estimate",
    "ResourceError",
    "available_memory",
    "check_count",
    "check_workers",
    "estimate",
    "max_workers",
    "read_limited",
]

# --------------------------------------------------------------------------------------------
# resource limits (--force / force=True overrides them)
# --------------------------------------------------------------------------------------------

#: Paired replications of one experiment. 30 are usual for publication, a few hundred for
#: tight intervals; 10,000 is far beyond any of that, so more is taken for a typo.
MAX_REPLICATIONS = 10_000

#: Parameter points of one design: a ``--grid`` (the product of its value lists, counted before
#: it is built), a ``--design`` CSV, a list of points, a Morris sample
#: (``trajectories × (k + 1)``) or a Sobol sample (``samples × (k + 2)``, or ``× (2k + 2)``
#: with second-order indices), counted before SALib draws it.
MAX_POINTS = 100_000

#: Runs of one experiment: scenarios × points × replications.
MAX_RUNS = 1_000_000

#: Steps of one run: ``ceil(weeks / dt)``. The default market takes 260; the longest run at
#: ``dt = 1`` takes 5,200. Each step adds a row per firm to the run's frame.
MAX_STEPS_PER_RUN = 100_000

#: Steps of one experiment, summed over its runs.
MAX_TOTAL_STEPS = 1_000_000_000

#: Share of :func:`available_memory` an experiment's estimate may use.
MEMORY_FRACTION = 0.8

# --------------------------------------------------------------------------------------------
# validation limits (nothing overrides them)
# --------------------------------------------------------------------------------------------

#: Characters of a scenario's ``name`` (a label in tables, figures and the run manifest; output
#: file names use a slug of it).
MAX_NAME_LENGTH = 64

#: Characters of a scenario's ``description``.
MAX_DESCRIPTION_LENGTH = 10_000

#: Bytes of a scenario TOML file (the presets take about 1 KB). Checked before it is read.
MAX_SCENARIO_FILE_BYTES = 1 << 20

#: Bytes of a ``--design`` CSV file (100,000 points of a dozen parameters fit). Checked before
#: it is read.
MAX_DESIGN_FILE_BYTES = 64 << 20

# --------------------------------------------------------------------------------------------
# the memory model (measured on the default market; see Estimate)
# --------------------------------------------------------------------------------------------

#: Bytes per customer whatever the firms and network (need rates, last firm, scratch arrays).
_PER_CUSTOMER = 96
#: Bytes per customer and firm (trust, expectation, knowledge, grudge, stage, counters...).
_PER_CUSTOMER_FIRM = 64
#: Bytes per customer and contact (the network's CSR arrays and contact counts).
_PER_CONTACT = 16
#: Bytes per pair of customers on the complete network (word of mouth draws its receivers
#: from everyone, so a step's scratch arrays grow with the square of the population).
_PER_PAIR_COMPLETE = 2
#: Bytes per row (week × firm) of a run's frame, held by the parent once it comes back,
#: doubled for the copy that assembles the experiment's frame.
_PER_FRAME_ROW = 800
#: Bytes of a worker process that has imported the model (Python, NumPy, pandas, Mesa).
_WORKER_BYTES = 160 << 20
#: Headroom on the model's arrays for what the measurements did not see.
_SAFETY = 1.25


class ResourceError(ScenarioError):
    """A request over a resource limit: one line with the estimate and the override
    (``--force`` / ``force=True``). A :class:`~cxsim.params.ScenarioError`, so the command line
    prints it as bad input (exit 2)."""


#: How a message says what overrides a resource limit.
OVERRIDE = "pass --force (force=True in Python) to run anyway"


def check_count(name: str, value: int, limit: int, *, force: bool = False) -> None:
    """``value`` (replications, points, runs...) must be at most ``limit`` unless ``force``."""
    if not force and value > limit:
        raise ResourceError(f"{name}: {_n(value)} is over the limit of {_n(limit)}; {OVERRIDE}")


def max_workers() -> int:
    """Most worker processes of a local pool: the machine's cores (at least 2, so a pool can
    be tried anywhere). More processes than cores only share the cores and add memory."""
    return max(2, os.cpu_count() or 1)


def check_workers(workers: int, *, force: bool = False) -> None:
    """``workers`` must be at most :func:`max_workers` unless ``force``."""
    limit = max_workers()
    if not force and workers > limit:
        raise ResourceError(
            f"workers: {_n(workers)} is more than this machine's {limit} cores; {OVERRIDE}"
        )


def available_memory() -> int | None:
    """Bytes of memory this process may still use: the system's available memory, or the
    container's (cgroup) limit less its usage when that is smaller; ``None`` when unknown."""
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
                break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            limit_text = Path(limit_file).read_text().strip()
            if limit_text == "max":
                continue
            limit = int(limit_text)
            if limit >= 1 << 60:  # "no limit" in cgroup v1
                continue
            found.append(max(0, limit - int(Path(usage_file).read_text().strip())))
        except (OSError, ValueError):
            continue
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, AttributeError):
            return None
    return min(found)


@dataclass(frozen=True)
class Estimate:
    """What an experiment will ask of the machine, before it starts.

    Memory is the larger run's arrays (``customers × (96 + 64·firms + 16·contacts)`` bytes, plus
    ``2·customers²`` on the complete network; measured on the default market, with 25%
    headroom) plus a worker process, times the runs in flight at once, plus every run's frame
    (``800`` bytes per row of week × firm) gathered in this process.
    """

    #: Runs in all.
    runs: int
    #: Steps in all (summed over the runs).
    steps: int
    #: Steps of the longest run.
    longest: int
    #: The largest population of a run.
    customers: int
    #: The most firms of a run.
    firms: int
    #: Runs at once in worker processes of this machine (0: in this process; ``None``:
    #: elsewhere, e.g. on Dask).
    workers: int | None
    #: Bytes of memory needed on this machine.
    memory: int
    #: Bytes of memory available (``None``: unknown, not checked).
    available: int | None

    def problems(self) -> list[str]:
        """The limits this estimate exceeds, one clause each."""
        found = []
        if self.runs > MAX_RUNS:
            found.append(f"{_n(self.runs)} runs (limit {_n(MAX_RUNS)})")
        if self.longest > MAX_STEPS_PER_RUN:
            found.append(
                f"{_n(self.longest)} steps in one run (weeks / dt; limit {_n(MAX_STEPS_PER_RUN)})"
            )
        if self.steps > MAX_TOTAL_STEPS:
            found.append(f"{_n(self.steps)} steps in all (limit {_n(MAX_TOTAL_STEPS)})")
        if self.available is not None and self.memory > MEMORY_FRACTION * self.available:
            found.append(
                f"{_bytes(self.memory)} of memory needed, {_bytes(self.available)} available "
                f"(limit: {MEMORY_FRACTION:.0%} of it)"
            )
        return found

    def describe(self, memory: bool = True) -> str:
        """The estimate in words (``memory``: with the memory it needs)."""
        if self.workers is None:
            at_once = ""
        elif self.workers == 0:
            at_once = " in this process"
        else:
            at_once = f" on {self.workers} worker(s) at once"
        need = f", about {_bytes(self.memory)} of memory" if memory else ""
        return (
            f"{_n(self.runs)} run(s) of up to {_n(self.customers)} customers × {self.firms} "
            f"firm(s){at_once}, {_n(self.steps)} steps in all{need}"
        )

    def check(self, *, force: bool = False) -> None:
        """Raise :class:`ResourceError` naming the estimate when it is over a limit, unless
        ``force``."""
        problems = self.problems()
        if problems and not force:
            memory = not any("of memory" in p for p in problems)
            raise ResourceError(
                f"resources: {'; '.join(problems)}; estimate: {self.describe(memory)}; {OVERRIDE}"
            )


def run_memory(scenario: Any, steps: int) -> int:
    """Bytes one run of ``scenario`` over ``steps`` steps needs in its process (the frame
    excluded)."""
    n = int(scenario.customers.n_customers)
    firms = len(scenario.firms)
    contacts = min(float(scenario.network.mean_degree), n - 1)
    per_customer = _PER_CUSTOMER + _PER_CUSTOMER_FIRM * firms + _PER_CONTACT * contacts
    if scenario.network.network == "complete":
        per_customer += _PER_PAIR_COMPLETE * n
    return int(_SAFETY * n * per_customer)


def steps_of(scenario: Any, weeks: int | None = None) -> int:
    """Steps of one run of ``scenario`` over ``weeks`` (default: its ``market.weeks``)."""
    weeks = scenario.market.weeks if weeks is None else weeks
    return int(math.ceil(weeks / scenario.market.dt))


def estimate(plan: Iterable[tuple[Any, int | None, int]], *, workers: int | None) -> Estimate:
    """The estimate for ``plan``: ``(scenario, weeks or None, runs)`` triples; ``workers`` runs
    at once in this machine's worker processes (``None``: elsewhere, e.g. on Dask, whose memory
    is not this machine's; 0: in this process)."""
    runs = steps = longest = customers = firms = 0
    peak = frames = 0
    for scenario, weeks, count in plan:
        s = steps_of(scenario, weeks)
        runs += count
        steps += s * count
        longest = max(longest, s)
        customers = max(customers, int(scenario.customers.n_customers))
        firms = max(firms, len(scenario.firms))
        peak = max(peak, run_memory(scenario, s))
        frames += count * (s + 1) * len(scenario.firms) * _PER_FRAME_ROW
    if workers is None:
        memory = frames
    elif workers == 0:
        memory = peak + frames
    else:
        memory = min(workers, max(runs, 1)) * (peak + _WORKER_BYTES) + frames
    return Estimate(
        runs=runs,
        steps=steps,
        longest=longest,
        customers=customers,
        firms=firms,
        workers=None if workers is None else min(max(workers, 0), max(runs, 1)),
        memory=memory,
        available=available_memory(),
    )


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of file ``path``, refusing (one line, before reading) a file over ``limit``
    bytes: a :class:`~cxsim.params.ScenarioError` naming ``what`` (e.g. ``"scenario"``)."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise ScenarioError(
                    f"{what}: {str(path)!r} is {_bytes(size)}, over the limit of {_bytes(limit)}"
                )
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(f"{what}: cannot read {str(path)!r}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ScenarioError(f"{what}: {str(path)!r} is over the limit of {_bytes(limit)}")
    return data


def _n(value: int) -> str:
    try:
        return f"{value:,}"
    except ValueError:  # more digits than Python prints (sys.get_int_max_str_digits)
        return f"about 10^{int(value.bit_length() * 0.30103):,}"


def _bytes(value: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"  # pragma: no cover
