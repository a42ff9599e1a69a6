"""Build the learner-facing repository (the *release*) from the course's source repository.

The course lives in two repositories, as nbgrader's source/release split and
otter-grader's autograder split have it:

* the **source** repository (private, instructors only) holds everything:
  ``exercises/source`` (notebooks with ``### BEGIN SOLUTION`` blocks, question
  banks with plain answers), ``exercises/solutions``, the code questions'
  reference implementations (:mod:`labtools.grading.code_checks`), the
  variant generators that compute each learner's key
  (:mod:`labtools.grading.variants`), the grader, the tests;
* the **release** repository (public; Binder and the learners' ``git clone``
  point at it) is built from the source by one command::

      python -m labtools.assign release --out _build/release     # or: make release

  It holds the chapters, the student notebooks and compiled banks (hashes of
  practice answers only), the book's configuration, and ``labtools`` without
  its instructor modules (``INSTRUCTOR_MODULES``). Nothing under
  ``exercises/source`` or ``exercises/solutions`` is copied.

The release is checked before the command returns: ``find_leaks`` scans
every file for each plain answer of each bank (numbers in answer position,
choice letters, classify lists), for each line of every solution block, and
for the source of every code-question reference; a release with a leak is
refused. The built-site test runs the same scan over ``_build/html``.
"""

from __future__ import annotations

import html
import inspect
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from .assign import BEGIN, END, plan
from .code_checks import CODE_CHECKS
from .sandbox import MASKED

__all__: list[str] = []  # an instructor tool; nothing re-exported

ROOT = Path(__file__).resolve().parents[2]

# Paths (relative to labtools/) that hold keys or the grading tool chain. The
# release leaves them out; the grading sandbox masks the key modules as well.
INSTRUCTOR_MODULES = MASKED + (
    "grading/grader.py", "grading/cli.py", "grading/gradescope.py", "grading/assign.py",
    "grading/gradebook.py", "grading/sandbox.py", "grading/kernel.py", "grading/release.py",
    "grade.py", "assign.py")

# What of the source's tracked files goes into the release. Exercises are not
# copied: the student notebooks and banks are generated afresh from the source.
RELEASE_FILES = ("intro.ipynb", "_config.yml", "_toc.yml", "references.bib",
                 "requirements.txt", "pyproject.toml", ".gitignore")
RELEASE_DIRS = ("_ext/", "_static/", "_vendor/", "chapters/", "labtools/", "reference/")
LEFT_OUT = ("reference/instructor_guide.md",)
OVERRIDES = ROOT / "release"  # files that replace their source counterpart (README.md)

# Files a release or a site must never hold, by path.
FORBIDDEN_PARTS = ("exercises/source", "exercises/solutions")


class LeakError(RuntimeError):
    """The release (or a built site) holds something a learner must not read."""


def tracked_files(root: Path = ROOT) -> list[str]:
    """The files git tracks in ``root`` (so that nothing untracked can slip in)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True,
                             capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise RuntimeError(f"the release is built from a git checkout; git ls-files "
                           f"failed in {root}: {err}") from None
    return [p for p in out.decode().split("\0") if p]


def in_release(rel: str) -> bool:
    """Whether the tracked file ``rel`` (a posix path) is copied into the release."""
    if rel in LEFT_OUT:
        return False
    if rel.startswith("labtools/") and rel[len("labtools/"):] in INSTRUCTOR_MODULES:
        return False
    return rel in RELEASE_FILES or rel.startswith(RELEASE_DIRS)


def build_release(out: Path, root: Path = ROOT, check: bool = True) -> list[Path]:
    """Write the release tree into ``out`` (emptied first); return the files written.

    Raises
    ------
    LeakError
        When ``check`` is true and :func:`find_leaks` finds anything.
    """
    out = Path(out).resolve()
    if out == root.resolve() or root.resolve().is_relative_to(out):
        raise ValueError(f"out must be a folder outside the source tree's root, got {out}")
    if out.exists():
        shutil.rmtree(out)
    written = []
    for rel in tracked_files(root):
        src = root / rel
        if not in_release(rel) or not src.is_file() or "__pycache__" in rel:
            continue
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel == "_toc.yml":
            text = src.read_text(encoding="utf-8")
            dst.write_text("".join(line for line in text.splitlines(keepends=True)
                                   if not any(Path(p).stem in line for p in LEFT_OUT)),
                           encoding="utf-8")
        else:
            shutil.copyfile(src, dst)
        written.append(dst)
    source = root / "exercises" / "source"
    files = plan(source, out / "exercises", out / "_unused_solutions")
    for path, text in files.items():
        if "_unused_solutions" in path.parts:
            continue  # solution versions are never written into a release
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if OVERRIDES.is_dir() and root == ROOT:
        for src in sorted(OVERRIDES.rglob("*")):
            if src.is_file():
                dst = out / src.relative_to(OVERRIDES)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                written.append(dst)
    if check:
        leaks = find_leaks(out, source)
        if leaks:
            raise LeakError("the release would publish answers:\n" + "\n".join(leaks[:20]))
    return written


# --------------------------------------------------------------------------
# The scan
# --------------------------------------------------------------------------

def _number_forms(value: float, tol: float) -> list[str]:
    """The ways a numeric key is likely written: its repr, and rounded to ``tol``."""
    forms = {repr(float(value))}
    if float(value).is_integer():
        forms.add(str(int(value)))
    digits = max(0, -int(f"{tol:e}".split("e")[1]))
    for d in range(digits, digits + 4):
        forms.add(f"{value:.{d}f}")
    return sorted(forms)


def _quoted(word: str) -> str:
    return "[\"']" + re.escape(word) + "[\"']"


class Needle:
    """One thing that must not be published: a literal to look for, then a regex."""

    def __init__(self, what: str, literal: str, regex: str | None = None):
        self.what, self.literal = what, literal
        self.regex = re.compile(regex) if regex is not None else None

    def search(self, text: str):
        """``(start, end)`` of the first finding in ``text``, or None.

        The regex runs only in a window around each occurrence of the literal,
        which keeps a scan of megabytes of vendored JavaScript fast.
        """
        at = text.find(self.literal)
        if self.regex is None:
            return (at, at + len(self.literal)) if at >= 0 else None
        while at >= 0:
            # one window over every occurrence that overlaps it, so that no stretch
            # of text is searched twice (a notebook says "answer" many times)
            lo, hi = max(0, at - self.WINDOW), at + self.WINDOW
            at = text.find(self.literal, at + 1)
            while 0 <= at <= hi + self.WINDOW:
                hi = at + self.WINDOW
                at = text.find(self.literal, at + 1)
            m = self.regex.search(text, lo, hi)
            if m:
                return m.start(), m.end()
        return None

    WINDOW = 600


def _answer_at(name: str) -> str:
    # the bank's own field (TOML ``answer =``, JSON ``"answer":``) or the learner's variable
    return (r"(?:\banswer\s*=|[\"']answer[\"']\s*:|\b" + re.escape(name) + r"\s*=)\s*")


def answer_patterns(source: Path) -> list[Needle]:
    """Every plain answer the source's banks, notebooks and references hold.

    * numeric keys in answer position (``answer = 64``, ``"answer": 64``,
      ``answer_q6 = 64``) in any of their written forms, and anywhere when the
      form has seven or more significant digits;
    * choice letters and classify lists in answer position, classify lists
      anywhere;
    * every line of a solution block (``### BEGIN SOLUTION`` in
      ``exercises/source/*.ipynb``) 30 characters or longer;
    * the source lines (30 characters or longer) of every code-question
      reference, and each reference's whole body.
    """
    pats: list[Needle] = []
    for toml_path in sorted((source / "questions").glob("*.toml")):
        bank = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        for q in bank.get("questions", []):
            if "answer" not in q:
                continue
            where = f"{toml_path.stem}/{q.get('key')}"
            answer, at = q["answer"], _answer_at(str(q.get("name", "answer")))
            if q.get("kind") == "numeric":
                for form in _number_forms(float(answer), float(q.get("tol", 1e-6))):
                    pats.append(Needle(f"{where} key {form}", "answer",
                                       at + re.escape(form) + r"(?![\d])"))
                    if len(form.replace(".", "").replace("-", "").lstrip("0")) >= 7:
                        pats.append(Needle(f"{where} key {form}", form,
                                           r"(?<![\d.])" + re.escape(form) + r"(?!\d)"))
            elif q.get("kind") in ("choice", "classify"):
                items = [answer] if isinstance(answer, str) else list(answer)
                body = r"\s*,\s*".join(_quoted(a) for a in items)
                if not isinstance(answer, str):
                    body = r"\[\s*" + body + r"\s*,?\s*\]"
                if q.get("kind") == "classify":
                    pats.append(Needle(f"{where} key {answer}", items[0], body))
                pats.append(Needle(f"{where} key {answer}", "answer", at + body))
    for nb_path in sorted(source.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            inside = False
            for line in src.splitlines():
                if line.strip() == BEGIN:
                    inside = True
                elif line.strip() == END:
                    inside = False
                elif inside and len(line.strip()) >= 30:
                    pats.append(Needle(f"{nb_path.stem} solution line {line.strip()!r}",
                                       line.strip()))
    for name, spec in sorted(CODE_CHECKS.items()):
        body = [ln.strip() for ln in inspect.getsource(spec.reference).splitlines()[1:]
                if ln.strip() and not ln.strip().startswith(("#", '"""'))]
        for line in body:
            if len(line) >= 30:
                pats.append(Needle(f"code reference {name}: {line!r}", line))
        if body:
            pats.append(Needle(f"code reference {name} (whole body)", body[0],
                               r"\s*".join(re.escape(ln) for ln in body)))
    return pats


def readable_text(path: Path) -> str | None:
    """The text a reader of ``path`` sees: HTML unescaped, notebook/JSON strings joined."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix in (".ipynb", ".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return text
        strings: list[str] = []

        def walk(x):
            if isinstance(x, str):
                strings.append(x)
            elif isinstance(x, list):
                if x and all(isinstance(s, str) for s in x):
                    strings.append("".join(x))
                else:
                    for v in x:
                        walk(v)
            elif isinstance(x, dict):
                for k, v in x.items():
                    strings.append(f'"{k}": ' + (json.dumps(v) if not isinstance(
                        v, (dict, list)) else ""))
                    walk(v)
        walk(data)
        return text + "\n" + "\n".join(strings)
    if path.name == "searchindex.js":
        # Sphinx's search index maps each indexed word to the numbers of the
        # pages holding it ("answer": 21 is the word "answer" on page 21): read
        # its words, titles and names, not those page numbers
        try:
            data = json.loads(text[text.index("(") + 1:text.rindex(")")])
        except ValueError:
            return text
        words = [w for key in ("terms", "titleterms") for w in data.pop(key, {})]
        return json.dumps(data, ensure_ascii=False) + "\n" + " ".join(words)
    if path.suffix in (".html", ".htm"):
        # highlighted code splits `answer = 64` into spans: read it without tags too
        return html.unescape(text) + "\n" + html.unescape(re.sub(r"<[^>]*>", "", text))
    return text


def find_leaks(tree: Path, source: Path = ROOT / "exercises" / "source") -> list[str]:
    """Everything in ``tree`` from which a graded or plain answer can be read.

    Returns one line per finding (empty when clean): forbidden paths
    (``exercises/source``, ``exercises/solutions``, ``*.toml`` banks, the
    instructor modules of ``labtools``) and every match of
    :func:`answer_patterns`.
    """
    tree = Path(tree)
    found = []
    pats = answer_patterns(source)
    for path in sorted(tree.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(tree).as_posix()
        if any(part in rel for part in FORBIDDEN_PARTS) or (
                path.suffix == ".toml" and "exercises" in rel):
            found.append(f"{rel}: instructor file")
            continue
        if any(rel.endswith("labtools/" + m) for m in INSTRUCTOR_MODULES):
            found.append(f"{rel}: instructor module")
            continue
        text = readable_text(path)
        if text is None:
            continue
        for needle in pats:
            span = needle.search(text)
            if span:
                found.append(f"{rel}: {needle.what} "
                             f"(…{text[max(0, span[0] - 30):span[1] + 10]!r}…)")
    return found


def main(argv) -> int:
    """``python -m labtools.assign release --out DIR``: build and check the release."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m labtools.assign release",
                                     description="Build the learner-facing repository "
                                     "(no solutions, no keys, no references) into OUT.")
    parser.add_argument("--out", required=True, help="folder for the release (emptied)")
    args = parser.parse_args(argv)
    try:
        written = build_release(Path(args.out))
    except (LeakError, RuntimeError, ValueError) as err:
        print(f"labtools.assign release: {err}", file=sys.stderr)
        return 2
    print(f"release: {len(written)} files in {args.out}, scanned: no plain answer, "
          "no solution, no reference")
    return 0
