"""``python -m labtools.assign``: student and solution versions (:mod:`labtools.grading.assign`)."""

import sys

from .grading.assign import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
