"""``python -m cxsim``: the command line (see :mod:`cxsim.cli`)."""

import sys

from cxsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
