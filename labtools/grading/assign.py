"""Make the student and solution versions of the exercises from one source.

Usage::

    python -m labtools.assign exercises/source --student exercises --solution exercises/solutions
    python -m labtools.assign release --out _build/release   # see labtools.grading.release

The source folder holds

* notebooks ``NAME.ipynb`` whose code cells mark solutions nbgrader-style::

      answer_q1 = None
      ### BEGIN SOLUTION
      answer_q1 = "b"
      ### END SOLUTION
      questions["q1"].check(answer_q1)

  In the student version each marked block becomes ``# YOUR CODE HERE`` (plus
  ``return None`` when the block returns something, so a function body stays
  valid and reports "not answered yet"); the solution version keeps the code
  and drops the marker lines. A code cell tagged ``solution-only`` is left out
  of the student version. Both versions lose their outputs and carry
  ``metadata.labtools.exercise = NAME`` so the grader knows what they are.
* question banks ``questions/NAME.toml`` with plain-text answers; they are
  compiled to ``<student>/questions/NAME.json`` with salted SHA-256 hashes in
  place of the answers (see :mod:`labtools.grading.questions`).

``--check`` writes nothing and exits with status 1 if any generated file
differs from the committed one.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tomllib
from pathlib import Path

import nbformat

from .base import KINDS, LABEL_HINTS, LETTERS, bucket, choice_norm, digest
from .code_checks import CODE_CHECKS
from .forms import PROMPT_TAG, prompt_markdown
from .gradebook import read_roster
from .questions import VARIANTS_FILE
from .variants import GENERATORS, make_variant, practice_variant, read_secret

__all__: list[str] = []  # a command-line tool; nothing re-exported

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "# YOUR CODE HERE"


class AuthoringError(ValueError):
    """A source notebook or question bank is malformed."""


# --------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------

def split_source(source: str, where: str = "cell") -> tuple[str, str]:
    """Return ``(student, solution)`` versions of one cell's source.

    Examples
    --------
    >>> src = "x = None\\n### BEGIN SOLUTION\\nx = 3\\n### END SOLUTION\\ncheck(x)"
    >>> student, solution = split_source(src)
    >>> print(student)
    x = None
    # YOUR CODE HERE
    check(x)
    >>> print(solution)
    x = None
    x = 3
    check(x)
    """
    student, solution, block = [], [], None
    indent = ""
    for n, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise AuthoringError(f"{where}, line {n}: {BEGIN} inside another solution")
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if block is None:
                raise AuthoringError(f"{where}, line {n}: {END} without {BEGIN}")
            student.append(indent + PLACEHOLDER)
            # a block that returns from its function (a return at the block's own
            # indent, not one inside a def of the block) keeps a valid body
            if any(b.startswith(indent + "return") for b in block):
                student.append(indent + "return None")
            solution.extend(block)
            block = None
        elif block is not None:
            block.append(line)
        else:
            student.append(line)
            solution.append(line)
    if block is not None:
        raise AuthoringError(f"{where}: {BEGIN} without {END}")
    return "\n".join(student), "\n".join(solution)


def _clean(nb, exercise: str):
    nb.metadata.pop("widgets", None)
    nb.metadata["labtools"] = {"exercise": exercise}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


SHOW_CELL = re.compile(r"""^questions\[["'](\w+)["']\]\s*$""")


def _with_prompts(nb, bank: dict | None):
    """Put each question's prompt in a Markdown cell where the source shows the question.

    A source notebook marks where a question goes with a cell ``questions["q1"]``.
    The generated notebook has a Markdown cell there instead, made from the bank
    (so it reads as a question sheet before anything runs), tagged ``PROMPT_TAG``:
    the learner answers in the code cell after it, and the book swaps it for the
    question's self-checking form (:func:`~labtools.grading.forms.page_with_forms`).
    So a notebook has one way to answer and shows each prompt once. A variant
    question keeps its cell (running it shows the learner's own numbers), hidden
    on the page, where the form stands in for it.
    """
    if bank is None:
        return nb
    by_key = {q["key"]: q for q in bank["questions"]}
    cells = []
    for cell in nb.cells:
        m = SHOW_CELL.match(cell.source.strip()) if cell.cell_type == "code" else None
        if not (m and m.group(1) in by_key):
            cells.append(cell)
            continue
        q = by_key[m.group(1)]
        md = nbformat.v4.new_markdown_cell(prompt_markdown(q))
        md.metadata["tags"] = [PROMPT_TAG]
        md.metadata["labtools"] = {"question": q["key"]}
        md["id"] = f"prompt-{q['key']}"  # stable, so --check stays quiet
        cells.append(md)
        if q["kind"] == "variant":
            cell.metadata["tags"] = ["remove-cell"]
            cells.append(cell)
    nb.cells = cells
    return nb


def make_versions(nb, exercise: str, bank: dict | None = None):
    """Return ``(student, solution)`` notebooks made from a source notebook.

    With the exercise's compiled ``bank``, each cell that shows a question becomes a
    Markdown cell holding its prompt (see ``_with_prompts``).
    """
    student, solution = copy.deepcopy(nb), copy.deepcopy(nb)
    keep = []
    for i, (s_cell, a_cell) in enumerate(zip(student.cells, solution.cells, strict=True)):
        where = f"{exercise}.ipynb cell {i + 1}"
        if s_cell.cell_type == "code":
            s_cell.source, a_cell.source = split_source(s_cell.source, where)
        elif BEGIN in s_cell.source or END in s_cell.source:
            raise AuthoringError(f"{where}: solution markers belong in code cells")
        tags = s_cell.get("metadata", {}).get("tags", [])
        if "solution-only" not in tags:
            keep.append(s_cell)
    student.cells = keep
    return (_with_prompts(_clean(student, exercise), bank),
            _with_prompts(_clean(solution, exercise), bank))


def render_versions(source_path: Path) -> tuple[str, str]:
    """Return the exact text of the student and solution versions of a source."""
    nb = nbformat.read(source_path, as_version=4)
    toml_path = source_path.parent / "questions" / f"{source_path.stem}.toml"
    bank = (compile_bank(toml_path.read_text(encoding="utf-8"), source_path.stem)
            if toml_path.is_file() else None)
    student, solution = make_versions(nb, source_path.stem, bank)
    return nbformat.writes(student) + "\n", nbformat.writes(solution) + "\n"


# --------------------------------------------------------------------------
# Question banks
# --------------------------------------------------------------------------

def _need(q: dict, field: str, kind, where: str):
    if field not in q:
        raise AuthoringError(f"{where}: missing {field!r}")
    if not isinstance(q[field], kind):
        raise AuthoringError(f"{where}: {field} must be {kind}, got {q[field]!r}")
    return q[field]


def compile_question(q: dict, exercise: str, salt: str, avoid=()) -> dict:
    """Return a bank entry for one authored question, with hashes for answers.

    ``avoid`` holds the bank's numeric keys as ``(value, tol)``: a code
    question's public examples never output one of them.
    """
    where = f"{exercise}: question {q.get('key', '?')}"
    key = _need(q, "key", str, where)
    kind = _need(q, "kind", str, where)
    if kind not in KINDS:
        raise AuthoringError(f"{where}: kind must be one of {', '.join(KINDS)}; got {kind!r}")
    qid = f"{exercise}/{key}"
    out = {"key": key, "qid": qid, "kind": kind, "name": _need(q, "name", str, where),
           "points": float(q.get("points", 1)), "prompt": _need(q, "prompt", str, where).strip()}
    if out["points"] <= 0:
        raise AuthoringError(f"{where}: points must be positive, got {out['points']}")
    if kind == "choice":
        options = _need(q, "options", list, where)
        hints = _need(q, "hints", list, where)
        if not 2 <= len(options) <= len(LETTERS) or len(hints) != len(options):
            raise AuthoringError(f"{where}: needs 2 to {len(LETTERS)} options and one hint "
                                 f"per option; got {len(options)} options, {len(hints)} hints")
        if q.get("practice", False) is not True:
            raise AuthoringError(f"{where}: a choice question cannot vary per learner, so it "
                                 "is weighted as practice: add `practice = true` (its points "
                                 f"default to {PRACTICE_POINTS:g})")
        out["practice"] = True
        if "points" not in q:
            out["points"] = PRACTICE_POINTS
        answer = q.get("answer")
        letters = [answer] if isinstance(answer, str) else answer
        if not isinstance(letters, list) or not letters or any(
                not isinstance(a, str) or a not in LETTERS[: len(options)] for a in letters):
            raise AuthoringError(f"{where}: answer must be a letter or a list of letters "
                                 f"among {LETTERS[: len(options)]}; got {answer!r}")
        multiple = bool(q.get("multiple", isinstance(answer, list)))
        if not multiple and len(letters) != 1:
            raise AuthoringError(f"{where}: a single-answer question needs one letter")
        out.update(multiple=multiple, options=options, hints=hints,
                   answer_hash=digest(salt, qid, choice_norm(LETTERS.index(a)
                                                              for a in letters)))
    elif kind == "numeric":
        tol = float(_need(q, "tol", (int, float), where))
        value = float(_need(q, "answer", (int, float), where))
        if tol <= 0:
            raise AuthoringError(f"{where}: tol must be positive, got {tol}")
        mistakes = []
        for m in q.get("mistakes", []):
            mv = float(_need(m, "value", (int, float), where + " mistake"))
            if abs(bucket(mv, tol) - bucket(value, tol)) <= 2:
                raise AuthoringError(f"{where}: mistake {mv} is within 2 tol of the answer")
            mistakes.append({"hash": digest(salt, qid, f"m{bucket(mv, tol)}"),
                             "hint": _need(m, "hint", str, where + " mistake")})
        out.update(tol=tol, answer_hash=digest(salt, qid, str(bucket(value, tol))),
                   mistakes=mistakes)
        if "hint" in q:
            out["hint"] = q["hint"]
    elif kind == "classify":
        items = _need(q, "items", list, where)
        labels = q.get("labels", list(LABEL_HINTS)[:4])
        answer = _need(q, "answer", list, where)
        if len(answer) != len(items) or any(a not in labels for a in answer):
            raise AuthoringError(f"{where}: answer must give one of {labels} per item")
        out.update(items=items, labels=labels,
                   item_hashes=[digest(salt, qid, f"{i}|{a}") for i, a in enumerate(answer)])
    elif kind == "variant":
        generator = _need(q, "generator", str, where)
        if generator not in GENERATORS:
            raise AuthoringError(f"{where}: generator must be one of "
                                 f"{', '.join(GENERATORS)}; got {generator!r}")
        practice = practice_variant(generator, qid)
        try:
            out["prompt"].format(**practice.params)
        except (KeyError, IndexError, ValueError) as err:
            raise AuthoringError(f"{where}: the prompt may use only the placeholders "
                                 f"{', '.join('{' + k + '}' for k in practice.params)}; "
                                 f"{err}") from None
        if "answer" in q:
            raise AuthoringError(f"{where}: a variant question has no answer: the grader "
                                 "computes each learner's key")
        out.update(generator=generator,
                   practice=_practice_entry(out, practice, exercise, salt))
    else:
        out.update(reference=_need(q, "reference", str, where),
                   signature=_need(q, "signature", str, where))
        if out["reference"] not in CODE_CHECKS:
            raise AuthoringError(f"{where}: reference must be one of "
                                 f"{', '.join(CODE_CHECKS)}; got {out['reference']!r}")
        spec = CODE_CHECKS[out["reference"]]
        # public examples for the learner's self-check; the grader draws hidden cases
        out.update(array_args=list(spec.array_args), rtol=spec.rtol, atol=spec.atol,
                   examples=spec.examples(avoid=avoid))
    return out


PRACTICE_POINTS = 0.25  # the weight of a question whose key the bank's hash gives away
PRACTICE_PREFIX = "Practice version (public numbers, not graded): "


def _practice_entry(out: dict, practice, exercise: str, salt: str) -> dict:
    """The public practice version of variant question ``out``: a hashed numeric or
    classify entry with the practice numbers (its own id, so its hashes differ)."""
    authored = {"key": out["key"], "name": out["name"], "points": out["points"],
                "prompt": PRACTICE_PREFIX + out["prompt"].format(**practice.params)}
    if isinstance(practice.key, list):
        authored.update(kind="classify", items=practice.params["items"],
                        labels=list(practice.labels), answer=practice.key)
    else:
        authored.update(kind="numeric", answer=float(practice.key), tol=practice.tol,
                        mistakes=[{"value": v, "hint": h} for v, h in practice.mistakes])
    entry = compile_question(authored, f"{exercise}/practice", salt)
    entry["params"] = practice.params
    return entry


def compile_bank(text: str, exercise: str) -> dict:
    """Compile a TOML question bank (with answers) into its hashed JSON form."""
    try:
        spec = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise AuthoringError(f"{exercise}.toml: {err}") from None
    salt = _need(spec, "salt", str, f"{exercise}.toml")
    avoid = [(float(q["answer"]), float(q.get("tol", 1e-6))) for q in spec.get("questions", [])
             if q.get("kind") == "numeric" and isinstance(q.get("answer"), (int, float))]
    questions = [compile_question(q, exercise, salt, avoid) for q in spec.get("questions", [])]
    keys = [q["key"] for q in questions]
    if len(set(keys)) != len(keys):
        raise AuthoringError(f"{exercise}.toml: question keys repeat: {keys}")
    return {"exercise": exercise, "title": spec.get("title", exercise), "salt": salt,
            "scheme": "sha256(salt|qid|answer); numbers as floor(x/tol + 0.5)",
            "questions": questions}


def render_bank(path: Path) -> str:
    """Return the exact text of the compiled bank for a ``.toml`` source."""
    bank = compile_bank(path.read_text(encoding="utf-8"), path.stem)
    return json.dumps(bank, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------

def plan(source: Path, student: Path, solution: Path, questions: Path | None = None):
    """Return ``{output path: text}`` for everything generated from ``source``."""
    questions = questions if questions is not None else student / "questions"
    files = {}
    for nb_path in sorted(source.glob("*.ipynb")):
        s_text, a_text = render_versions(nb_path)
        files[student / nb_path.name] = s_text
        files[solution / nb_path.name] = a_text
    for toml_path in sorted((source / "questions").glob("*.toml")):
        files[questions / f"{toml_path.stem}.json"] = render_bank(toml_path)
    return files


def write_variants(banks: dict, roster: list[str], secret: bytes, folder: Path) -> list[Path]:
    """Write ``folder/<learner>/my_variants.json``: each learner's numbers, never a key.

    One file per learner holds their numbers for every variant question of
    every exercise (keyed by question id). It goes beside the learner's
    notebooks, where :func:`labtools.grading.load_questions` finds it. Returns
    the paths written (none when no bank has a variant question).
    """
    qs = [q for _, bank in sorted(banks.items()) for q in bank["questions"]
          if q["kind"] == "variant"]
    written = []
    if not qs:
        return written
    for learner in roster:
        data = {q["qid"]: make_variant(q["generator"], secret, learner, q["qid"]).params
                for q in qs}
        path = folder / learner / VARIANTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labtools.assign", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("source", help="folder of source notebooks and questions/*.toml")
    parser.add_argument("--student", required=True, help="folder for student versions")
    parser.add_argument("--solution", required=True, help="folder for solution versions")
    parser.add_argument("--questions", default=None,
                        help="folder for compiled banks (default: STUDENT/questions)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file is out of date")
    parser.add_argument("--variants", default=None,
                        help="write each learner's numbers for the variant questions here "
                             "(needs --roster and the secret)")
    parser.add_argument("--roster", default=None, help="CSV of learner ids (for --variants)")
    parser.add_argument("--secret-file", default=None,
                        help="the instructor's secret (default: $LABTOOLS_GRADING_SECRET)")
    args = parser.parse_args(argv)
    if args.variants and not args.roster:
        parser.error("--variants needs --roster")
    source = Path(args.source)
    if not source.is_dir():
        parser.error(f"source must be a folder, got {args.source!r}")
    try:
        files = plan(source, Path(args.student), Path(args.solution),
                     Path(args.questions) if args.questions else None)
    except AuthoringError as err:
        print(f"labtools.assign: {err}", file=sys.stderr)
        return 2
    stale = []
    for path, text in files.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.variants:
        try:
            secret = read_secret(args.secret_file)
            banks = {p.stem: json.loads(t) for p, t in files.items() if p.suffix == ".json"}
            paths = write_variants(banks, read_roster(args.roster), secret, Path(args.variants))
        except (OSError, ValueError) as err:
            print(f"labtools.assign: {err}", file=sys.stderr)
            return 2
        print(f"{len(paths)} variant files written to {args.variants}")
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print(f"{len(files)} generated files up to date")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
