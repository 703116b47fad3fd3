"""Every parameter once: default, unit, range and source; strategies; scenarios from TOML.

A scenario is data, never code. The presets ship inside the package (``cxsim/params/presets``)
and load with :func:`preset`, from a source checkout and from an installed wheel alike.
"""

from cxsim.params.scenarios import *  # noqa: F403
from cxsim.params.scenarios import __all__  # noqa: F401
