"""Questions with immediate feedback, in the notebook and in the static page.

An exercise notebook loads its questions from a compiled *question bank*
(``exercises/questions/<exercise>.json``, written by ``python -m labtools.assign``
from the instructor's ``exercises/source/questions/<exercise>.toml``) and shows
them one by one::

    from labtools.grading import load_questions
    questions = load_questions("saddle_quiz")
    questions["q1"]                 # the question's prompt, as Markdown
    answer_q1 = "b"
    questions["q1"].check(answer_q1)  # prints feedback and counts the attempt

A notebook answers only this way: its prompts are Markdown cells and its
answers the variables the grader reads. The self-checking HTML form
(:mod:`labtools.grading.forms`) is for the static page alone, where no kernel
runs; the book puts it in place of each prompt.

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
* ``CodeQuestion``: a function, run on the bank's public examples here; the
  grader runs it on hidden random cases against a reference kept on the
  instructor's side (:mod:`labtools.grading.code_checks`).

Answer keys are never stored in plain text. For choice, numeric and classify
questions the bank holds ``sha256(salt | question id | normalized answer)``;
numbers are normalized to a bucket ``floor(x / tol + 0.5)`` and an answer is
accepted when its bucket or a neighbouring one matches, so it is always
accepted within ``tol`` of the key and never beyond ``2 tol``. The page's form
(:mod:`labtools.grading.forms`) computes the same hashes in JavaScript. The
hashes keep the key out of sight; they do not stop someone from trying every
option of a four-option question, which is why the instructor's grader
(``python -m labtools.grade``) decides the marks, not this page.

Every ``evaluate`` first passes the answer through
:func:`labtools.grading.base.normalize_answer`, the same function whose output
the grader receives, so the notebook and the grader give one verdict.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from .._checks import check_choice, fmt, show
from .base import (
    KINDS,
    LABEL_HINTS,
    LETTERS,
    NEAR_MISS_BUCKETS,
    STATUS_WORDS,
    Result,
    as_number,
    bucket,
    choice_norm,
    digest,
    judge_outputs,
    normalize_answer,
    result,
)
from .forms import markdown_text, prompt_markdown, render_html

__all__ = ["load_questions", "QuestionSet"]

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
        print(f"{self.key}: {STATUS_WORDS[result.status]} [{score}]{tries}\n"
              f"{result.message}")

    # Plain-text view: what a terminal or an output-less renderer shows.
    def __str__(self):
        return f"{self.key}. {self.prompt}"

    # A notebook shows the prompt, never a form: its one way to answer is the
    # answer variable (see labtools.grading.forms).
    def _repr_markdown_(self) -> str:
        return prompt_markdown(self.data)

    def page_form(self) -> str:
        """The static page's self-checking form (:func:`labtools.grading.forms.render_html`),
        which the book puts in place of the question's prompt."""
        return render_html(self)


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
            if digest(self.salt, self.qid, choice_norm(cand)) == self.answer_hash:
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
            return result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        answer = normalize_answer(answer)
        try:
            chosen = self._parse(answer)
        except ValueError as err:
            return result("invalid", 0, self.points, str(err))
        key = self._key()
        if chosen == key:
            return result("correct", 1, self.points, "Well done.")
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
            return result(status, frac, self.points, "\n".join(notes))
        return result("wrong", 0, self.points, "\n".join(notes))


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
            return result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        x = as_number(answer)
        if x is None:
            return result("invalid", 0, self.points,
                          f"{self.name} must be a number, got {show(answer)}")
        if not math.isfinite(x) or abs(x / self.tol) > 1e15:
            return result("invalid", 0, self.points,
                          f"{self.name} must be a finite number of sensible size, "
                          f"got {show(answer)}")
        b = bucket(x, self.tol)
        if self._matches(b, "", self.answer_hash) is not None:
            return result("correct", 1, self.points, "Well done.")
        for m in self.mistakes:
            if self._matches(b, "m", m["hash"]) is not None:
                return result("wrong", 0, self.points, m["hint"])
        for d in range(2, NEAR_MISS_BUCKETS + 1):
            for s in (-d, d):
                if digest(self.salt, self.qid, str(b + s)) == self.answer_hash:
                    return result("partial", 0.5, self.points,
                                   "Close, but outside the tolerance "
                                  f"({self.tol:g}): half credit. Check your rounding "
                                   "and carry more digits.")
        return result("wrong", 0, self.points, self.wrong_hint)


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
            return result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        answer = normalize_answer(answer)
        if isinstance(answer, Mapping):
            answer = [answer.get(i + 1) for i in range(len(self.items))]
        if not isinstance(answer, (list, tuple)) or len(answer) != len(self.items):
            return result("invalid", 0, self.points,
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
            return result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        frac = right / len(self.items)
        status = "correct" if right == len(self.items) else ("partial" if right else "wrong")
        message = "Well done." if status == "correct" else (
            f"{right} of {len(self.items)} right.\n" + "\n".join(notes))
        return result(status, frac, self.points, message)


class CodeQuestion(Question):
    """Write a function; it is checked on the bank's public examples.

    The bank holds a few example inputs with their expected outputs
    (``examples``), for feedback while working. The grader checks the function
    on hidden random inputs against a reference that lives only on the
    instructor's side (:mod:`labtools.grading.code_checks`, absent from the
    learners' repository and from the grading sandbox).
    """

    kind = "code"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.reference = data["reference"]
        self.signature = data.get("signature", self.name)
        self.examples = list(data.get("examples", []))
        self.array_args = tuple(data.get("array_args", ()))
        self.rtol = float(data.get("rtol", 1e-6))
        self.atol = float(data.get("atol", 1e-9))

    def __str__(self):
        return f"{super().__str__()}\nWrite: {self.signature}"

    def evaluate(self, answer) -> Result:
        if answer is None:
            return result("unanswered", 0, self.points,
                          f"Write {self.signature} and run the cell.")
        if not callable(answer):
            return result("invalid", 0, self.points,
                          f"{self.name} must be a function, got {show(answer)}")
        if not self.examples:
            return result("unanswered", 0, self.points,
                          "This question has no public examples; the grader checks it.")
        from .harness import run_cases

        cases = [tuple(e["args"]) for e in self.examples]
        outputs = run_cases(answer, cases, self.array_args)
        res = judge_outputs(cases, outputs, [e["expected"] for e in self.examples],
                            self.points, self.signature, self.rtol, self.atol,
                            "public examples")
        if res.status == "correct":
            res = result("correct", 1, self.points, res.message + " The grader also "
                         "checks it on hidden random inputs.")
        return res


class VariantQuestion(Question):
    """A graded question with the learner's own numbers and no stored key.

    Its prompt is a template filled with the learner's parameters (from the
    file their instructor gives them, ``my_variants.json``, see
    :mod:`labtools.grading.variants`). Nothing in the notebook or the bank can
    check those: the grader recomputes the key from the learner's id and the
    instructor's secret.

    Without the learner's file the question is its public *practice* version
    (``practice``, a numeric or classify question with numbers that are the
    same for everyone and a hashed key): it checks itself, here and in the
    static page, and says that it is practice.
    """

    kind = "variant"

    def __init__(self, data, salt):
        super().__init__(data, salt)
        self.generator = data["generator"]
        self.own_params = None
        practice = data.get("practice")
        self.practice = make_question(practice, salt) if practice else None
        self.practice_params = dict(practice["params"]) if practice else None

    @property
    def params(self) -> dict | None:
        """The numbers to work with: the learner's own if loaded, else the practice ones."""
        return self.own_params if self.own_params is not None else self.practice_params

    @property
    def labels(self) -> list | None:
        """The labels a label question accepts (None for a number question)."""
        return getattr(self.practice, "labels", None)

    @property
    def graded(self) -> bool:
        """True when the learner's own (graded) numbers are loaded."""
        return self.own_params is not None

    def own_text(self) -> str:
        """The prompt with the learner's own numbers (and own items, for a label question)."""
        text = self.prompt.format(**self.own_params)
        items = self.own_params.get("items")
        if isinstance(items, list) and self.labels:
            text += "".join(f"\n  {i + 1}. {item}" for i, item in enumerate(items))
            text += "\nAnswer with a list of labels, one per item, from: " + ", ".join(
                repr(lab) for lab in self.labels)
        return text

    def __str__(self):
        if self.graded:
            return f"{self.key}. {self.own_text()}"
        if self.practice is not None:
            return str(self.practice)
        return (f"{self.key}. {self.prompt}\n(Your own numbers come from your "
                "instructor: put my_variants.json beside this notebook.)")

    def evaluate(self, answer) -> Result:
        if answer is None:
            return result("unanswered", 0, self.points, f"Set {self.name} and run the cell.")
        if self.graded or self.practice is None:
            return result("unanswered", 0, self.points,
                          "Recorded. This question is graded by your instructor: its answer "
                          "is stored nowhere, so it cannot be checked here.")
        res = self.practice.evaluate(answer)
        return replace(res, message="Practice numbers (not graded): " + res.message)

    def _repr_markdown_(self) -> str:
        """In a notebook: the learner's own numbers as Markdown, never a second answer box
        (the answer is the code cell below); the practice prompt without them."""
        if self.graded:
            return f"**{self.key}.** " + markdown_text(self.own_text()).replace("\n", "  \n")
        if self.practice is not None:
            return prompt_markdown(self.data)
        return f"**{self.key}.** " + markdown_text(str(self))

    def page_form(self) -> str:
        """The static page's self-check: the practice version's form (no key is public
        for the graded one)."""
        if self.practice is not None and not self.graded:
            return render_html(self.practice)
        text = (self.own_text() if self.graded else self.prompt)
        return render_html(SimpleNamespace(kind="variant", key=self.key,
                                           prompt=text.replace("{", "{{").replace("}", "}}"),
                                           params={}))


_CLASSES = {"choice": ChoiceQuestion, "numeric": NumericQuestion,
            "classify": ClassifyQuestion, "code": CodeQuestion, "variant": VariantQuestion}


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
    (['q1', 'q2', 'q3'], 6.5)
    """

    def __init__(self, bank: Mapping, variants: Mapping | None = None):
        self.exercise = bank["exercise"]
        self.salt = bank["salt"]
        self._questions = {q["key"]: make_question(q, self.salt) for q in bank["questions"]}
        for q in self._questions.values():
            if isinstance(q, VariantQuestion) and variants and q.qid in variants:
                q.own_params = dict(variants[q.qid])

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
    dirs.append(default_questions_dir())
    return dirs


def default_questions_dir() -> Path:
    """``exercises/questions`` of the repository this labtools belongs to."""
    return Path(__file__).resolve().parents[2] / "exercises" / "questions"


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


VARIANTS_FILE = "my_variants.json"
VARIANTS_ENV = "LABTOOLS_VARIANTS"


def find_variants() -> Path | None:
    """The learner's variants file: ``$LABTOOLS_VARIANTS``, else ``./my_variants.json``."""
    env = os.environ.get(VARIANTS_ENV)
    for candidate in ([Path(env)] if env else []) + [Path.cwd() / VARIANTS_FILE]:
        if candidate.is_file():
            return candidate
    return None


def load_questions(exercise: str, path=None, variants="auto") -> QuestionSet:
    """Load the questions of one exercise notebook.

    Parameters
    ----------
    exercise : str
        The exercise's name, e.g. ``"saddle_quiz"`` or ``"ex03_saddle_points"``.
    path : str, optional
        The path of a compiled bank file; by default the bank is looked up in
        the folders ``question_dirs()`` lists.
    variants : str, dict or None, optional
        The learner's own numbers for the graded variant questions: the JSON
        file ``python -m labtools.assign --variants`` wrote for them, or its
        content. By default (``"auto"``) the file ``find_variants()`` finds
        (``my_variants.json`` beside the notebook); without one, and with
        ``None``, the variant questions show their public practice numbers.

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
    if isinstance(variants, str) and variants == "auto":
        variants = find_variants()
    if variants is not None and not isinstance(variants, Mapping):
        variants = json.loads(Path(variants).read_text(encoding="utf-8"))
    return QuestionSet(read_bank(exercise, path), variants)

