"""Questions with immediate feedback, in the notebook and in the static page.

An exercise notebook loads its questions from a compiled *question bank*
(``exercises/questions/<exercise>.json``, written by ``python -m labtools.assign``
from the instructor's ``exercises/source/questions/<exercise>.toml``) and shows
them one by one::

    from labtools.quiz import load_questions
    questions = load_questions("saddle_quiz")
    questions["q1"]                 # the question, as a self-checking HTML form
    answer_q1 = "b"
    questions["q1"].check(answer_q1)  # prints feedback and counts the attempt

Four kinds of question share one interface (``evaluate`` returns a
``Result``, ``check`` prints it):

* ``ChoiceQuestion``: one or several of the options (a), (b), ...;
  a specific hint for every option chosen wrongly, partial credit when several
  options are right;
* ``NumericQuestion``: a number within a tolerance; hints for known
  mistakes (a forgotten sign, the wrong logarithm) and half credit for a
  near miss;
* ``ClassifyQuestion``: a label (``"minimum"``, ``"saddle"``, ...) for each
  of several points; credit per point;
* ``CodeQuestion``: a function, run on random cases against a reference
  kept in :mod:`labtools.grade`.

Answer keys are never stored in plain text. For choice, numeric and classify
questions the bank holds ``sha256(salt | question id | normalized answer)``;
numbers are normalized to a bucket ``floor(x / tol + 0.5)`` and an answer is
accepted when its bucket or a neighbouring one matches, so it is always
accepted within ``tol`` of the key and never beyond ``2 tol``. The HTML form
computes the same hashes in JavaScript (a small SHA-256 is inlined, so the
check works on ``file://`` pages and with no kernel). The hashes keep the key
out of sight; they do not stop someone from trying every option of a
four-option question, which is why the instructor's grader
(``python -m labtools.grade``) decides the marks, not this page.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import numbers
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._checks import check_choice, fmt, show

__all__ = ["load_questions", "QuestionSet"]

KINDS = ("choice", "numeric", "classify", "code")
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


def _choice_norm(indices) -> str:
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


def _result(status, fraction, points, message):
    fraction = min(1.0, max(0.0, float(fraction)))
    return Result(status, round(fraction * points, 4), float(points), message)


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------

class Question:
    """Common behaviour: identity, display, attempts, ``check``."""

    kind = ""

    def __init__(self, data: Mapping, salt: str):
        self.key = data["key"]
        self.qid = data["qid"]
        self.name = data["name"]
        self.prompt = data["prompt"]
        self.points = float(data.get("points", 1))
        self.salt = salt
        self.data = dict(data)
        self.attempts = 0

    def __repr__(self):
        return f"<{type(self).__name__} {self.qid}: {self.prompt[:50]!r}>"

    def evaluate(self, answer) -> Result:  # pragma: no cover - overridden
        raise NotImplementedError

    def check(self, answer) -> None:
        """Print feedback on ``answer`` and count the attempt.

        ``None`` (the value of an answer not given yet) is reported as not
        answered and is not counted as an attempt.
        """
        result = self.evaluate(answer)
        if result.status != "unanswered":
            self.attempts += 1
        tries = f" (attempt {self.attempts})" if self.attempts else ""
        score = f"{fmt(result.score, 6)}/{fmt(result.points, 6)}"
        print(f"{self.key}: {_STATUS_WORDS[result.status]} [{score}]{tries}\n"
              f"{result.message}")

    # Plain-text view: what a terminal or an output-less renderer shows.
    def __str__(self):
        return f"{self.key}. {self.prompt}"

    def _repr_html_(self) -> str:
        return render_html(self)


_STATUS_WORDS = {"correct": "correct", "partial": "partly right", "wrong": "not yet",
                 "unanswered": "not answered yet", "invalid": "cannot read this answer"}


class ChoiceQuestion(Question):
    """A question answered by one option (``multiple=False``) or several."""

    kind = "choice"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.options = list(data["options"])
        self.hints = list(data["hints"])
        self.multiple = bool(data.get("multiple", False))
        self.answer_hash = data["answer_hash"]

    def __str__(self):
        lines = [super().__str__()]
        lines += [f"  ({LETTERS[i]}) {opt}" for i, opt in enumerate(self.options)]
        how = ("a list of letters, e.g. ['a', 'c']" if self.multiple
               else "one letter, e.g. 'b'")
        lines.append(f"Answer with {how}.")
        return "\n".join(lines)

    def _key(self) -> set[int]:
        # The answer space is small (at most 2**10 subsets), so the key is found
        # by hashing every candidate: the bank never has to store it.
        n = len(self.options)
        if self.multiple:
            candidates = (
                {i for i in range(n) if mask >> i & 1} for mask in range(1, 2 ** n)
            )
        else:
            candidates = ({i} for i in range(n))
        for cand in candidates:
            if digest(self.salt, self.qid, _choice_norm(cand)) == self.answer_hash:
                return cand
        raise ValueError(f"question {self.qid}: no option set matches the stored key; "
                         "the question bank is corrupt or out of date")

    def _parse(self, answer) -> set[int]:
        if isinstance(answer, str):
            parts = [p for p in answer.replace(",", " ").split()]
        elif isinstance(answer, (list, tuple, set, frozenset)):
            parts = list(answer)
        else:
            raise ValueError(f"answer must be a letter such as 'b' or a list of letters, "
                             f"got {show(answer)}")
        letters = LETTERS[: len(self.options)]
        chosen = set()
        for p in parts:
            if not isinstance(p, str) or p.strip().lower().strip("()") not in letters:
                raise ValueError(f"each choice must be one of the letters "
                                 f"{', '.join(letters)}; got {show(p)}")
            chosen.add(letters.index(p.strip().lower().strip("()")))
        if not chosen:
            raise ValueError("the answer names no option")
        if not self.multiple and len(chosen) > 1:
            raise ValueError("this question has exactly one right option; "
                             f"choose one letter, got {show(answer)}")
        return chosen

    def evaluate(self, answer) -> Result:
        if answer is None:
            return _result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        try:
            chosen = self._parse(answer)
        except ValueError as err:
            return _result("invalid", 0, self.points, str(err))
        key = self._key()
        if chosen == key:
            return _result("correct", 1, self.points, "Well done.")
        notes = [f"({LETTERS[i]}) {self.hints[i]}" for i in sorted(chosen - key)]
        missed = key - chosen
        if self.multiple:
            hits = len(chosen & key)
            frac = max(0.0, (hits - len(chosen - key)) / len(key))
            if missed:
                notes.append(f"{len(missed)} more true statement"
                             f"{'s' if len(missed) > 1 else ''} to find: "
                             "look again at the options you left out.")
            status = "partial" if frac > 0 else "wrong"
            return _result(status, frac, self.points, "\n".join(notes))
        return _result("wrong", 0, self.points, "\n".join(notes))


class NumericQuestion(Question):
    """A question answered by a number, accepted within a tolerance."""

    kind = "numeric"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.tol = float(data["tol"])
        self.answer_hash = data["answer_hash"]
        self.mistakes = list(data.get("mistakes", []))
        self.wrong_hint = data.get("hint", "Not this value. Redo the computation step by step.")

    def __str__(self):
        return f"{super().__str__()}\nAnswer with a number (tolerance {self.tol:g})."

    def _matches(self, b: int, tag: str, target: str) -> int | None:
        for d in (0, -1, 1):
            if digest(self.salt, self.qid, f"{tag}{b + d}") == target:
                return d
        return None

    def evaluate(self, answer) -> Result:
        if answer is None:
            return _result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        if isinstance(answer, np.ndarray) and answer.size == 1:
            answer = answer.reshape(()).item()
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return _result("invalid", 0, self.points,
                           f"{self.name} must be a number, got {show(answer)}")
        x = float(answer)
        if not math.isfinite(x) or abs(x / self.tol) > 1e15:
            return _result("invalid", 0, self.points,
                           f"{self.name} must be a finite number of sensible size, "
                           f"got {show(answer)}")
        b = bucket(x, self.tol)
        if self._matches(b, "", self.answer_hash) is not None:
            return _result("correct", 1, self.points, "Well done.")
        for m in self.mistakes:
            if self._matches(b, "m", m["hash"]) is not None:
                return _result("wrong", 0, self.points, m["hint"])
        for d in range(2, NEAR_MISS_BUCKETS + 1):
            for s in (-d, d):
                if digest(self.salt, self.qid, str(b + s)) == self.answer_hash:
                    return _result("partial", 0.5, self.points,
                                   "Close, but outside the tolerance "
                                   f"({self.tol:g}): half credit. Check your rounding "
                                   "and carry more digits.")
        return _result("wrong", 0, self.points, self.wrong_hint)


class ClassifyQuestion(Question):
    """Give each of several points one label from ``labels``."""

    kind = "classify"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.items = list(data["items"])
        self.labels = list(data["labels"])
        self.item_hashes = list(data["item_hashes"])

    def __str__(self):
        lines = [super().__str__()]
        lines += [f"  {i + 1}. {item}" for i, item in enumerate(self.items)]
        lines.append("Answer with a list of labels, one per item, from: "
                     + ", ".join(repr(lab) for lab in self.labels))
        return "\n".join(lines)

    def _label_of(self, i: int) -> str:
        for lab in self.labels:
            if digest(self.salt, self.qid, f"{i}|{lab}") == self.item_hashes[i]:
                return lab
        raise ValueError(f"question {self.qid}: no label matches item {i + 1}")

    def evaluate(self, answer) -> Result:
        if answer is None:
            return _result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        if isinstance(answer, Mapping):
            answer = [answer.get(i + 1) for i in range(len(self.items))]
        if not isinstance(answer, (list, tuple)) or len(answer) != len(self.items):
            return _result("invalid", 0, self.points,
                           f"{self.name} must be a list of {len(self.items)} labels, "
                           f"got {show(answer)}")
        right, notes = 0, []
        for i, given in enumerate(answer):
            if given is None:
                notes.append(f"{i + 1}: no label yet.")
                continue
            given_norm = str(given).strip().lower()
            if given_norm not in self.labels:
                notes.append(f"{i + 1}: {show(given)} is not one of "
                             + ", ".join(repr(lab) for lab in self.labels) + ".")
            elif given_norm == self._label_of(i):
                right += 1
            else:
                notes.append(f"{i + 1}: not a {given_norm}. "
                             f"{LABEL_HINTS.get(given_norm, '')}".rstrip())
        if all(g is None for g in answer):
            return _result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        frac = right / len(self.items)
        status = "correct" if right == len(self.items) else ("partial" if right else "wrong")
        message = "Well done." if status == "correct" else (
            f"{right} of {len(self.items)} right.\n" + "\n".join(notes))
        return _result(status, frac, self.points, message)


class CodeQuestion(Question):
    """Write a function; it is run on random cases against a reference.

    The reference and the case generator live in :mod:`labtools.grade`
    (``CODE_CHECKS``); the bank only names them. This in-notebook check is a
    convenience for the learner; the grader recomputes everything in its own
    process.
    """

    kind = "code"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.reference = data["reference"]
        self.signature = data.get("signature", self.name)

    def __str__(self):
        return f"{super().__str__()}\nWrite: {self.signature}"

    def evaluate(self, answer, seed=None) -> Result:
        from .grade import CODE_CHECKS, run_cases

        spec = CODE_CHECKS[self.reference]
        if answer is None:
            return _result("unanswered", 0, self.points,
                           f"Write {self.signature} and run the cell.")
        if not callable(answer):
            return _result("invalid", 0, self.points,
                           f"{self.name} must be a function, got {show(answer)}")
        rng = np.random.default_rng(seed)
        cases = spec.make_cases(rng)
        outputs = run_cases(answer, cases, spec.array_args)
        return spec.judge(cases, outputs, self.points, self.signature)


_CLASSES = {"choice": ChoiceQuestion, "numeric": NumericQuestion,
            "classify": ClassifyQuestion, "code": CodeQuestion}


def make_question(data: Mapping, salt: str) -> Question:
    """Build a question object from one compiled bank entry."""
    kind = check_choice("kind", data.get("kind"), KINDS)
    return _CLASSES[kind](data, salt)


# --------------------------------------------------------------------------
# Banks
# --------------------------------------------------------------------------

class QuestionSet(Mapping):
    """The questions of one exercise, by key (``"q1"``, ``"q2"``, ...).

    Made by :func:`load_questions` from a compiled bank (a dict as stored in
    ``exercises/questions/<exercise>.json``).

    Examples
    --------
    >>> qs = load_questions("ex03_saddle_points")
    >>> list(qs)[:3], qs.max_score
    (['q1', 'q2', 'q3'], 6.0)
    """

    def __init__(self, bank: Mapping):
        self.exercise = bank["exercise"]
        self.salt = bank["salt"]
        self._questions = {q["key"]: make_question(q, self.salt) for q in bank["questions"]}

    def __getitem__(self, key):
        try:
            return self._questions[key]
        except KeyError:
            raise KeyError(f"exercise {self.exercise!r} has no question {key!r}; "
                           f"it has {', '.join(self._questions)}") from None

    def __iter__(self):
        return iter(self._questions)

    def __len__(self):
        return len(self._questions)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self._questions.values())

    def __repr__(self):
        return f"<QuestionSet {self.exercise}: {len(self)} questions>"


def question_dirs() -> list[Path]:
    """Folders searched for compiled banks, in order.

    ``$LABTOOLS_QUESTIONS`` if set, then ``./questions`` (a notebook run from
    ``exercises/``), then ``exercises/questions`` beside the labtools package.
    """
    dirs = []
    if os.environ.get("LABTOOLS_QUESTIONS"):
        dirs.append(Path(os.environ["LABTOOLS_QUESTIONS"]))
    dirs.append(Path.cwd() / "questions")
    dirs.append(Path(__file__).resolve().parent.parent / "exercises" / "questions")
    return dirs


def read_bank(exercise: str, path=None) -> dict:
    """Return the compiled bank of ``exercise`` as a dict (see :func:`load_questions`)."""
    if not isinstance(exercise, str) or not exercise.replace("_", "").isalnum():
        raise ValueError(f"exercise must be an exercise name such as 'saddle_quiz', "
                         f"got {show(exercise)}")
    candidates = [Path(path)] if path is not None else [
        d / f"{exercise}.json" for d in question_dirs()]
    for c in candidates:
        if c.is_file():
            return json.loads(c.read_text(encoding="utf-8"))
    raise FileNotFoundError(
        f"no question bank for exercise {exercise!r}; looked in "
        + ", ".join(str(c) for c in candidates)
        + ". Run `make exercises` to compile the banks.")


def load_questions(exercise: str, path=None) -> QuestionSet:
    """Load the questions of one exercise notebook.

    Parameters
    ----------
    exercise : str
        The exercise's name, e.g. ``"saddle_quiz"`` or ``"ex03_saddle_points"``.
    path : str, optional
        The path of a compiled bank file; by default the bank is looked up in
        the folders ``question_dirs()`` lists.

    Returns
    -------
    QuestionSet
        A mapping from question key to question; show a question to see it as a
        form, call its ``check(answer)`` for feedback.

    Examples
    --------
    >>> qs = load_questions("saddle_quiz")
    >>> qs["q1"].evaluate(None).status
    'unanswered'
    """
    return QuestionSet(read_bank(exercise, path))


# --------------------------------------------------------------------------
# HTML + JavaScript
# --------------------------------------------------------------------------

_BOX = ("border:1px solid #6b6b6b;border-radius:6px;padding:0.8em 1em;margin:0.6em 0;"
        "background:#fafafa;color:#1a1a1a;")
_FEEDBACK = "margin-top:0.5em;white-space:pre-line;min-height:1.2em;"
_BUTTON = ("margin-top:0.5em;padding:0.25em 1em;border:1px solid #1a4f8a;border-radius:4px;"
           "background:#1a4f8a;color:#ffffff;cursor:pointer;")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def js_payload(q: Question) -> dict:
    """The data the page's script needs to check ``q``: hashes and hints, no key."""
    data = {"kind": q.kind, "qid": q.qid, "salt": q.salt, "points": q.points}
    if isinstance(q, ChoiceQuestion):
        data.update(multiple=q.multiple, n=len(q.options), hints=q.hints,
                    hash=q.answer_hash)
    elif isinstance(q, NumericQuestion):
        data.update(tol=q.tol, hash=q.answer_hash, mistakes=q.mistakes,
                    near=NEAR_MISS_BUCKETS, hint=q.wrong_hint)
    elif isinstance(q, ClassifyQuestion):
        data.update(n=len(q.items), labels=q.labels, hashes=q.item_hashes,
                    labelHints=LABEL_HINTS)
    return data


def render_html(q: Question) -> str:
    """Return a self-contained HTML form (with inline script) for ``q``."""
    uid = "lq-" + uuid.uuid4().hex[:10]
    head = (f'<div class="labtools-quiz" style="{_BOX}">'
            f'<form id="{uid}" novalidate>'
            f'<fieldset style="border:0;padding:0;margin:0;">'
            f'<legend style="font-weight:bold;padding:0;">'
            f'{_esc(q.key)}. {_esc(q.prompt)}</legend>')
    body = []
    if isinstance(q, ChoiceQuestion):
        typ = "checkbox" if q.multiple else "radio"
        if q.multiple:
            body.append('<p style="margin:0.3em 0;font-style:italic;">'
                        'Select every true statement.</p>')
        for i, opt in enumerate(q.options):
            oid = f"{uid}-o{i}"
            body.append(f'<div><input type="{typ}" id="{oid}" name="{uid}-opt" value="{i}">'
                        f' <label for="{oid}">({LETTERS[i]}) {_esc(opt)}</label></div>')
    elif isinstance(q, NumericQuestion):
        iid = f"{uid}-x"
        body.append(f'<label for="{iid}">Your answer (a number; tolerance {q.tol:g}): </label>'
                    f'<input type="text" inputmode="decimal" id="{iid}" '
                    f'autocomplete="off" size="14">')
    elif isinstance(q, ClassifyQuestion):
        for i, item in enumerate(q.items):
            sid = f"{uid}-s{i}"
            opts = '<option value="">(choose)</option>' + "".join(
                f'<option value="{_esc(lab)}">{_esc(lab)}</option>' for lab in q.labels)
            body.append(f'<div style="margin:0.2em 0;"><label for="{sid}">{i + 1}. '
                        f'{_esc(item)}</label> <select id="{sid}">{opts}</select></div>')
    else:  # code: no in-page check is possible without a kernel
        body.append(f'<p style="margin:0.3em 0;"><code>{_esc(q.signature)}</code></p>'
                    '<p style="margin:0.3em 0;">This question runs your code, so it is '
                    'checked in a live notebook: launch this page in Binder or Live Code '
                    '(the rocket icon at the top), write the function in the cell below and '
                    'run the check cell.</p>')
        return head + "".join(body) + "</fieldset></form></div>"
    body.append(f'</fieldset><button type="submit" style="{_BUTTON}">Check</button>'
                f' <span id="{uid}-n" style="margin-left:0.8em;">Attempts: 0</span>'
                f'<div id="{uid}-fb" role="status" aria-live="polite" '
                f'style="{_FEEDBACK}"></div></form>')
    data = json.dumps(js_payload(q)).replace("</", "<\\/")
    script = f"<script>{_SCRIPT}\nlabtoolsQuiz.attach({json.dumps(uid)}, {data});</script>"
    return head + "".join(body) + "</div>" + script


# SHA-256 (FIPS 180-4) over UTF-8, and the same checks as the Python classes.
_SCRIPT = r"""
var labtoolsQuiz = window.labtoolsQuiz || (function () {
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,
    0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,
    0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,
    0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,
    0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,
    0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,
    0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,
    0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,
    0xc67178f2];
  function sha256(text) {
    var bytes = unescape(encodeURIComponent(text)), n = bytes.length, i, j;
    var words = [], len = ((n + 9 + 63) >> 6) << 4;
    for (i = 0; i < len; i++) words[i] = 0;
    for (i = 0; i < n; i++) words[i >> 2] |= bytes.charCodeAt(i) << (24 - 8 * (i & 3));
    words[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
    words[len - 1] = n * 8;
    var H = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,
      0x5be0cd19], W = [];
    function r(x, k) { return (x >>> k) | (x << (32 - k)); }
    for (i = 0; i < len; i += 16) {
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (j = 0; j < 64; j++) {
        if (j < 16) W[j] = words[i + j] | 0;
        else W[j] = (r(W[j-2],17) ^ r(W[j-2],19) ^ (W[j-2] >>> 10)) + W[j-7] +
                    (r(W[j-15],7) ^ r(W[j-15],18) ^ (W[j-15] >>> 3)) + W[j-16] | 0;
        var t1 = h + (r(e,6) ^ r(e,11) ^ r(e,25)) + ((e & f) ^ (~e & g)) + K[j] + W[j] | 0;
        var t2 = (r(a,2) ^ r(a,13) ^ r(a,22)) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
      }
      H[0] = H[0] + a | 0; H[1] = H[1] + b | 0; H[2] = H[2] + c | 0; H[3] = H[3] + d | 0;
      H[4] = H[4] + e | 0; H[5] = H[5] + f | 0; H[6] = H[6] + g | 0; H[7] = H[7] + h | 0;
    }
    var out = "";
    for (i = 0; i < 8; i++) out += ("00000000" + (H[i] >>> 0).toString(16)).slice(-8);
    return out;
  }
  function digest(q, answer) { return sha256(q.salt + "|" + q.qid + "|" + answer); }
  var L = "abcdefghij";
  function choice(q, chosen) {
    var i;
    if (!chosen.length) return {status: "invalid", frac: 0, msg: "Choose an option first."};
    var key = null, cand, mask;
    for (mask = 1; mask < (1 << q.n) && key === null; mask++) {
      cand = [];
      for (i = 0; i < q.n; i++) if (mask >> i & 1) cand.push(i);
      if ((q.multiple || cand.length === 1) && digest(q, cand.join(",")) === q.hash) key = cand;
    }
    if (key === null) return {status: "invalid", frac: 0, msg: "This question's key is damaged."};
    var wrong = chosen.filter(function (c) { return key.indexOf(c) < 0; });
    var hits = chosen.length - wrong.length, missed = key.length - hits;
    if (!wrong.length && !missed) return {status: "correct", frac: 1, msg: "Well done."};
    var notes = wrong.map(function (c) { return "(" + L[c] + ") " + q.hints[c]; });
    if (!q.multiple) return {status: "wrong", frac: 0, msg: notes.join("\n")};
    if (missed) notes.push(missed + " more true statement" + (missed > 1 ? "s" : "") +
      " to find: look again at the options you left out.");
    var frac = Math.max(0, (hits - wrong.length) / key.length);
    return {status: frac > 0 ? "partial" : "wrong", frac: frac, msg: notes.join("\n")};
  }
  function numeric(q, text) {
    text = text.trim();
    var x = Number(text);
    if (!text || !isFinite(x) || Math.abs(x / q.tol) > 1e15)
      return {status: "invalid", frac: 0, msg: "Type a number, e.g. 0.25 or 1e-3."};
    var b = Math.floor(x / q.tol + 0.5), d, s, m;
    function near(tag, target) {
      for (var k = -1; k <= 1; k++) if (digest(q, tag + (b + k)) === target) return true;
      return false;
    }
    if (near("", q.hash)) return {status: "correct", frac: 1, msg: "Well done."};
    for (m = 0; m < q.mistakes.length; m++)
      if (near("m", q.mistakes[m].hash)) return {status: "wrong", frac: 0, msg: q.mistakes[m].hint};
    for (d = 2; d <= q.near; d++) for (s = -1; s <= 1; s += 2)
      if (digest(q, String(b + s * d)) === q.hash)
        return {status: "partial", frac: 0.5, msg: "Close, but outside the tolerance (" +
          q.tol + "): half credit. Check your rounding and carry more digits."};
    return {status: "wrong", frac: 0, msg: q.hint};
  }
  function classify(q, chosen) {
    var right = 0, notes = [], given = 0, i, lab;
    for (i = 0; i < q.n; i++) {
      lab = chosen[i];
      if (!lab) { notes.push((i + 1) + ": no label yet."); continue; }
      given++;
      if (digest(q, i + "|" + lab) === q.hashes[i]) right++;
      else notes.push((i + 1) + ": not a " + lab + ". " + (q.labelHints[lab] || ""));
    }
    if (!given) return {status: "invalid", frac: 0, msg: "Choose a label for each item first."};
    if (right === q.n) return {status: "correct", frac: 1, msg: "Well done."};
    return {status: right ? "partial" : "wrong", frac: right / q.n,
            msg: right + " of " + q.n + " right.\n" + notes.join("\n")};
  }
  var words = {correct: "Correct", partial: "Partly right", wrong: "Not yet",
               invalid: "Cannot check yet"};
  function attach(uid, q) {
    var form = document.getElementById(uid), tries = 0;
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var res, i, picked = [], els;
      if (q.kind === "choice") {
        els = form.querySelectorAll("input[type=radio],input[type=checkbox]");
        for (i = 0; i < els.length; i++) if (els[i].checked) picked.push(+els[i].value);
        res = choice(q, picked);
      } else if (q.kind === "numeric") {
        res = numeric(q, form.querySelector("input").value);
      } else {
        els = form.querySelectorAll("select");
        for (i = 0; i < els.length; i++) picked.push(els[i].value);
        res = classify(q, picked);
      }
      if (res.status !== "invalid") tries++;
      document.getElementById(uid + "-n").textContent = "Attempts: " + tries;
      var pts = Math.round(res.frac * q.points * 100) / 100;
      document.getElementById(uid + "-fb").textContent = words[res.status] +
        (res.status === "invalid" ? "" : " (" + pts + "/" + q.points + " points)") +
        ". " + res.msg;
    });
  }
  var api = {sha256: sha256, attach: attach, choice: choice, numeric: numeric,
             classify: classify};
  window.labtoolsQuiz = api;
  return api;
})();
"""
