"""``python -m cxsim.cli``: the command line, as ``python -m cxsim``."""

import sys

from cxsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
