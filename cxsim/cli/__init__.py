"""The ``cxsim`` command: run, compare, sweep, sensitivity, validate, app."""

from cxsim.cli.main import main

__all__ = ["main"]
