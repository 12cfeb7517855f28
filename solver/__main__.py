"""``python -m solver``: see ``solver.cli``."""

import os
import sys

from solver.cli import main

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave without freeing the solver's millions of small objects one by one (seconds on 10,000
    # cohorts): --time-limit counts to the end of the process, and the output is written already.
    os._exit(code)
