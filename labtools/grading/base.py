"""What every part of the grading machinery shares: answer keys, results, normalisation.

The hashing scheme (the Python half; ``labtools.grading.forms.SCRIPT``
mirrors it in JavaScript), the :class:`Result` of checking one answer, and
:func:`normalize_answer`, the one place where a learner's value is put in
canonical form, used by the in-notebook check and by the grader alike.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Result", "digest", "bucket", "normalize_answer"]  # judge_outputs: shared, unlisted

KINDS = ("choice", "numeric", "classify", "code", "variant")
LETTERS = "abcdefghij"
NEAR_MISS_BUCKETS = 4  # buckets 2..4 away from the key earn half credit

# Shown when a point is given a label it does not have. They explain the
# label that was chosen, so they help without naming the right one.
LABEL_HINTS = {
    "minimum": "A (strict) local minimum needs every Hessian eigenvalue positive: "
               "the function must curve upward in every direction.",
    "maximum": "A local maximum needs every Hessian eigenvalue negative: "
               "the function must curve downward in every direction.",
    "saddle": "A saddle needs curvature of both signs: at least one positive and one "
              "negative Hessian eigenvalue.",
    "degenerate": "Degenerate means the second-derivative test is inconclusive: some "
                  "eigenvalue is zero and none has the opposite sign of another.",
    "not critical": "Check the gradient first: a critical point is one where every "
                    "partial derivative vanishes.",
}
# The banks name the second-derivative test's outcomes so that they exclude each
# other (a monkey saddle is a saddle in shape, but the test is inconclusive there).
LABEL_HINTS["saddle (eigenvalues of both signs)"] = LABEL_HINTS["saddle"]
LABEL_HINTS["degenerate (test inconclusive)"] = LABEL_HINTS["degenerate"]


# --------------------------------------------------------------------------
# Hashing (the Python half; the JavaScript in _SCRIPT mirrors it exactly)
# --------------------------------------------------------------------------

def digest(salt: str, qid: str, answer: str) -> str:
    """Return ``sha256(salt | qid | answer)`` as 64 hex digits.

    Examples
    --------
    >>> digest("s", "quiz/q1", "0")[:12]
    'ead6d5b28a46'
    """
    return hashlib.sha256(f"{salt}|{qid}|{answer}".encode()).hexdigest()


def bucket(x: float, tol: float) -> int:
    """Return the tolerance bucket ``floor(x / tol + 0.5)`` of a number.

    Python's ``round`` rounds halves to even and JavaScript's ``Math.round``
    rounds them up, so both sides use this floor form instead.

    Examples
    --------
    >>> bucket(0.8926, 0.005), bucket(0.8951, 0.005)
    (179, 179)
    """
    return math.floor(x / tol + 0.5)


def choice_norm(indices) -> str:
    """Return the canonical text of a set of option indices, e.g. ``"0,2"``."""
    return ",".join(str(i) for i in sorted(set(indices)))

# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """The outcome of checking one answer.

    Attributes
    ----------
    status : str
        ``"correct"``, ``"partial"``, ``"wrong"``, ``"unanswered"`` or ``"invalid"``.
    score, points : float
        Points earned and points available (``0 <= score <= points``).
    message : str
        Feedback for the learner.
    """

    status: str
    score: float
    points: float
    message: str

    def as_dict(self) -> dict:
        return {"status": self.status, "score": self.score, "points": self.points,
                "message": self.message}


def result(status, fraction, points, message) -> Result:
    """Return a :class:`Result` worth ``fraction`` (clipped to [0, 1]) of ``points``."""
    fraction = min(1.0, max(0.0, float(fraction)))
    return Result(status, round(fraction * points, 4), float(points), message)


STATUS_WORDS = {"correct": "correct", "partial": "partly right", "wrong": "not yet",
                "unanswered": "not answered yet", "invalid": "cannot read this answer"}


def normalize_answer(value):
    """Return ``value`` in the canonical form both the notebook and the grader check.

    NumPy scalars become Python numbers, arrays and tuples become (nested)
    lists, sets become sorted lists and mappings keep their keys with
    normalised values. The grader receives a learner's value as JSON data
    (``labtools.grading.harness.plain``), which already has this form;
    passing the live object of the notebook through this function gives the
    same thing, so an answer earns the same verdict on both sides.

    Examples
    --------
    >>> normalize_answer(np.array([4.5]))
    [4.5]
    >>> normalize_answer((np.int64(2), np.float32(0.5)))
    [2, 0.5]
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return value.astype(float).tolist()
        return normalize_answer(value.tolist())
    if isinstance(value, np.generic):
        return normalize_answer(value.item())
    if isinstance(value, (list, tuple)):
        return [normalize_answer(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return [normalize_answer(v) for v in sorted(value, key=repr)]
    if isinstance(value, dict):
        return {k: normalize_answer(v) for k, v in value.items()}
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def as_number(value) -> float | None:
    """Return the one number a (normalised) answer holds, or None.

    A number, or a list holding exactly one number (at any depth: ``[4.5]``,
    ``[[4.5]]``), is read as that number; anything else, booleans included, is
    not a number.

    Examples
    --------
    >>> as_number([[4.5]]), as_number(True), as_number([1.0, 2.0])
    (4.5, None, None)
    """
    value = normalize_answer(value)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


# --------------------------------------------------------------------------
# Code questions: comparing a learner's outputs with expected ones
# --------------------------------------------------------------------------

def judge_outputs(cases, outputs, expected, points, signature, rtol=1e-6, atol=1e-9,
                  what="random cases") -> Result:
    """Compare a function's ``outputs`` (from ``harness.run_cases``) with ``expected``.

    Used by the grader (hidden random cases, expected values from the
    instructor's reference) and by the notebook's self-check (the bank's public
    examples, expected values stored with them).
    """
    if len(outputs) != len(cases):
        return result("invalid", 0, points, "the function's results could not be read")
    if all("ok" in o and o["ok"] is None for o in outputs):
        return result("unanswered", 0, points,
                      f"Write {signature} and run the cell (it returns None so far).")
    for args, out, want in zip(cases, outputs, expected, strict=True):
        shown = ", ".join(short_repr(a) for a in args)
        if "error" in out:
            return result("wrong", 0, points,
                          f"On input ({shown}) your function raised {out['error']}")
        if not close_enough(out.get("ok"), want, rtol, atol):
            return result("wrong", 0, points,
                          f"On input ({shown}) it returned {short_repr(out.get('ok'))}; "
                          f"expected {short_repr(want)}.")
    return result("correct", 1, points, f"Well done: right on all {len(cases)} {what}.")


def short_repr(value) -> str:
    if isinstance(value, list):
        arr = np.asarray(value, dtype=object)
        try:
            return np.array2string(np.asarray(value, dtype=float), precision=4,
                                   separator=", ", threshold=12)
        except (TypeError, ValueError):
            return repr(arr.tolist())[:80]
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)[:80]


def close_enough(got, want, rtol, atol) -> bool:
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want
    if isinstance(want, list) and want and isinstance(want[0], list) and isinstance(got, list) \
            and len(got) == len(want) and not is_rectangular(want):
        return all(close_enough(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
    try:
        g = np.asarray(got, dtype=float)
        w = np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != w.shape:
        return False
    return bool(np.all(np.isfinite(g)) and np.allclose(g, w, rtol=rtol, atol=atol))


def is_rectangular(value) -> bool:
    try:
        np.asarray(value, dtype=float)
        return True
    except (TypeError, ValueError):
        return False
