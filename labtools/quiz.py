"""Kept so that ``from labtools.quiz import load_questions`` (in every exercise) works.

The questions live in :mod:`labtools.grading.questions`.
"""

from .grading.questions import QuestionSet, load_questions

__all__ = ["load_questions", "QuestionSet"]
