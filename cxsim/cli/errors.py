"""The command line's error policy.

Bad input (an unknown scenario, a bad ``--set`` key or value, a bad ``--rule``, a negative
``--weeks``...) raises :class:`CLIError` before anything runs or is written; :func:`fail` prints it
as exactly one line, ``cxsim: error: <message>``, on stderr, with no traceback, and the command
exits with :data:`EXIT_BAD_INPUT` (2). Runs that raise give :data:`EXIT_RUNS_FAILED` (1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

PROG = "cxsim"
EXIT_OK = 0
EXIT_RUNS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """Bad input: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and never exit by itself."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(message)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``cxsim: error: <message>`` as one line on stderr; return ``code``."""
    line = " ".join(message.split())
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return code


def warn(message: str) -> None:
    """Print ``cxsim: warning: <message>`` as one line on stderr."""
    print(f"{PROG}: warning: {' '.join(message.split())}", file=sys.stderr)


def checked(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; turn a :class:`cxsim.params.ScenarioError` (bad input, including a bad rule:
    :class:`cxsim.core.ruleset.RuleError`) into a :class:`CLIError`."""
    from cxsim.params import ScenarioError

    try:
        return fn(*args, **kwargs)
    except ScenarioError as exc:
        raise CLIError(str(exc)) from None
