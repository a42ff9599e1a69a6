"""One verdict for one answer: the notebook's check and the grader agree (issue 15, item 4).

The notebook checks the live object; the grader receives the same value as
JSON data made by the harness it runs in the kernel (``harness.plain``) and
unwrapped by ``grader.unplain``. Both pass through ``base.normalize_answer``,
so every answer below must get the same status and score on both paths.
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from labtools.grading.base import as_number, normalize_answer
from labtools.grading.grader import unplain
from labtools.grading.harness import plain
from labtools.grading.questions import load_questions
from labtools.grading.variants import LABELS_2D as LABELS
from labtools.grading.variants import practice_variant

EX03 = load_questions("ex03_saddle_points", variants=None)  # the practice numbers
SADDLE = load_questions("saddle_quiz")
SAD, DEG = "saddle (eigenvalues of both signs)", "degenerate (test inconclusive)"
# ex03 q2 and q4 are per-learner variants; without the learner's file they check
# their public practice version, whose keys the instructor-side generator gives
KEY4 = practice_variant("classify_2d", "ex03_saddle_points/q4").key
X = round(practice_variant("saddle_escape", "ex03_saddle_points/q2").key, 7)
NEAR = X + 0.12  # 2.4 tol away: half credit

TRICKY = [
    # numeric (ex03 q2, practice key X, tol 0.05)
    ("q2", X, "correct"), ("q2", np.float64(X), "correct"), ("q2", np.float32(X), "correct"),
    ("q2", np.array([X]), "correct"), ("q2", np.array([[X]]), "correct"),
    ("q2", np.array(X), "correct"), ("q2", [X], "correct"), ("q2", (X,), "correct"),
    ("q2", [np.float64(X)], "correct"), ("q2", Fraction(round(X * 10000), 10000), "correct"),
    ("q2", np.float64(NEAR), "partial"), ("q2", NEAR, "partial"),
    ("q2", True, "invalid"), ("q2", f"{X:.4f}", "invalid"), ("q2", None, "unanswered"),
    ("q2", float("nan"), "invalid"), ("q2", float("inf"), "invalid"),
    ("q2", [X, 1.0], "invalid"), ("q2", np.array([]), "invalid"), ("q2", 10 ** 400, "invalid"),
    ("q2", complex(X, 0), "invalid"), ("q2", Decimal(f"{X:.4f}"), "invalid"),
    ("q2", np.array([X, X]), "invalid"), ("q2", 2 * X, "wrong"),
    # one choice (ex03 q5, key "a")
    ("q5", "a", "correct"), ("q5", np.str_("a"), "correct"), ("q5", ["a"], "correct"),
    ("q5", ("a",), "correct"), ("q5", np.array(["a"]), "correct"), ("q5", {"a"}, "correct"),
    ("q5", "A", "correct"), ("q5", "(a)", "correct"), ("q5", "b", "wrong"),
    ("q5", 1, "invalid"), ("q5", ["a", "b"], "invalid"),
    # classify (ex03 q4, practice key KEY4)
    ("q4", KEY4, "correct"), ("q4", tuple(KEY4), "correct"), ("q4", np.array(KEY4), "correct"),
    ("q4", [np.str_(k) for k in KEY4], "correct"),
    ("q4", {i + 1: k for i, k in enumerate(KEY4)}, "correct"),
    ("q4", KEY4[:3] + [x for x in LABELS if x not in KEY4[3:4]][:1] * 3, "partial"),
    ("q4", KEY4[:5], "invalid"),
    ("q4", [None] * 6, "unanswered"),
]


@pytest.mark.parametrize("key, answer, status", TRICKY,
                         ids=[f"{k}-{type(a).__name__}-{i}" for i, (k, a, _) in enumerate(TRICKY)])
def test_notebook_and_grader_agree(key, answer, status):
    q = EX03[key]
    in_notebook = q.evaluate(answer)
    in_grader = q.evaluate(unplain(plain(answer)))
    assert (in_notebook.status, in_notebook.score) == (in_grader.status, in_grader.score)
    assert in_notebook.status == status, in_notebook


@pytest.mark.parametrize("answer", [["a", "c"], ("a", "c"), np.array(["a", "c"]), {"a", "c"},
                                    "a, c", ["c", "a"]])
def test_multiple_choice_agrees_too(answer):
    q = next(q for q in SADDLE.values() if q.kind == "choice" and q.multiple)
    assert q.evaluate(answer) == q.evaluate(unplain(plain(answer)))


def test_normalize_answer_is_what_the_grader_receives():
    for value in (np.array([1, 2]), (np.int64(3), 2.5), {np.float32(0.5)}, np.bool_(True)):
        assert normalize_answer(value) == plain(value)


def test_as_number():
    assert as_number([[2.5]]) == 2.5 and as_number(np.array([3])) == 3.0
    assert as_number(True) is None and as_number([1, 2]) is None and as_number("1") is None
