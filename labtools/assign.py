"""``python -m labtools.assign``: student and solution versions (:mod:`labtools.grading.assign`).

``python -m labtools.assign release --out DIR`` builds the learners' repository
instead (:mod:`labtools.grading.release`).
"""

import sys

__all__: list[str] = []


def main(argv=None) -> int:
    """Dispatch to the release builder or to the student/solution versions."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["release"]:
        from .grading.release import main as release

        return release(argv[1:])
    from .grading.assign import main as assign

    return assign(argv)


if __name__ == "__main__":
    sys.exit(main())
