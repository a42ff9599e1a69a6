"""``python -m labtools.grade``: the grader's command line (see :mod:`labtools.grading.cli`)."""

import sys

from .grading.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
