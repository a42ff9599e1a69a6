"""The exercise machinery: questions, self-checks, the sandboxed grader, the gradebook.

What a notebook needs is re-exported here (and by ``labtools``)::

    from labtools.grading import load_questions

The rest is for instructors and is imported from its own module:

=========================  ================================================
``base``                   answer keys (hashing), ``Result``, ``normalize_answer``
``questions``              the four kinds of question, banks, ``load_questions``
``forms``                  a question as a self-checking HTML form
``harness``                the code the grader runs in a learner's kernel
``code_checks``            write-a-function cases and references (instructor side)
``variants``               graded per-learner variants: numbers from a secret, no stored key
``kernel``                 one kernel driven over its channels
``sandbox``                bubblewrap namespaces, cgroups and rlimits per kernel
``grader``                 grading one notebook
``gradebook``              submissions, identity, atomic reports, CSV/Markdown
``cli``                    ``python -m labtools.grade``
``gradescope``             ``python -m labtools.grade export-gradescope``
``assign``                 ``python -m labtools.assign``: student/solution versions, banks
=========================  ================================================

Nothing here imports ``labtools.widgets`` or ``labtools.plots``.
"""

from .questions import QuestionSet, load_questions

__all__ = ["load_questions", "QuestionSet"]
