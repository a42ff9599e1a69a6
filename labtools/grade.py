"""``python -m labtools.grade``: the grader's command line.

``python -m labtools.grade SUBMISSIONS --out DIR`` grades (:mod:`labtools.grading.cli`);
``python -m labtools.grade export-gradescope --out autograder.zip`` builds a Gradescope
autograder (:mod:`labtools.grading.gradescope`).
"""

import sys

__all__: list[str] = []


def main(argv=None) -> int:
    """Dispatch to the grader or to the Gradescope export."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export-gradescope"]:
        from .grading.gradescope import main as export

        return export(argv[1:])
    from .grading.cli import main as grade

    return grade(argv)


if __name__ == "__main__":
    sys.exit(main())
