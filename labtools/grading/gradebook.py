"""The gradebook: who handed in what, one row per submission, written so nothing is lost.

* **Identity.** A submission's student comes from a roster or from the file's
  place (``alice/ex03_saddle_points.ipynb`` or ``alice__ex03_saddle_points.ipynb``),
  never from anything inside the notebook.
* **Durability.** Each submission's report is written the moment it is graded,
  as ``reports/<key>.json`` through a temporary file and a rename, and
  ``gradebook.csv`` and ``summary.md`` are rebuilt the same way; killing the
  grader at any instant leaves every finished row on disk and no half-written
  file. Running the grader again over the same folder skips every submission
  whose report matches the file's SHA-256, so it resumes where it stopped.
* **Flags.** Two files from one student for one exercise are both flagged, as is
  a student not on the roster.
* **Safe to open.** Text fields of the CSV that a spreadsheet would read as a
  formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``) get a leading apostrophe;
  Markdown table cells have ``|``, ``<`` and line breaks escaped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

from .grader import Report

__all__ = ["Submission", "find_submissions", "read_roster", "Gradebook",
           "csv_safe", "md_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class Submission:
    """One notebook to grade: its path, its student and a stable report key."""

    def __init__(self, path: Path, student: str, key: str):
        self.path = Path(path)
        self.student = student
        self.key = key

    def __repr__(self):
        return f"Submission({str(self.path)!r}, student={self.student!r})"


def safe_name(name: str) -> str:
    """A file-name-safe version of ``name`` (letters, digits, ``-_.``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80] or "unnamed"


def read_roster(path) -> list[str]:
    """Read student ids from a roster: a CSV whose first column (or ``student``/``id``
    column, when there is a header naming one) holds the ids.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"roster {path} lists no students")
    header = [c.strip().lower() for c in rows[0]]
    col = 0
    for name in ("student", "id", "student_id", "login"):
        if name in header:
            col = header.index(name)
            rows = rows[1:]
            break
    ids = [r[col].strip() for r in rows if len(r) > col and r[col].strip()]
    if len(set(ids)) != len(ids):
        raise ValueError(f"roster {path} lists a student twice")
    return ids


def _student_from_place(rel: Path, roster: list[str] | None) -> str:
    """Student of a file at ``rel`` (relative to the folder given)."""
    if len(rel.parts) > 1:
        return rel.parts[0]
    stem = rel.stem
    if roster:
        # the longest roster id the file name starts with, followed by a separator
        for sid in sorted(roster, key=len, reverse=True):
            if stem == sid or (stem.startswith(sid) and stem[len(sid)] in "_-. "):
                return sid
    if "__" in stem:
        return stem.split("__", 1)[0]
    return stem


def find_submissions(paths, roster: list[str] | None = None) -> list[Submission]:
    """Return the submissions in files and folders.

    A file named on the command line is graded whatever it contains. In a
    folder, every ``*.ipynb`` below it is a submission; the student is the name
    of its sub-folder (``alice/ex03_saddle_points.ipynb``) or, for a file
    directly in the folder, the roster id its name starts with, else the part of
    its name before ``__``, else its whole name without ``.ipynb``.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            for nb in sorted(p.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in nb.parts:
                    continue
                rel = nb.relative_to(p)
                found.append((nb, _student_from_place(rel, roster), rel.as_posix()))
        elif p.exists():
            found.append((p, _student_from_place(Path(p.name), roster), p.name))
        else:
            raise FileNotFoundError(f"submission {p} does not exist")
    subs = []
    for nb, student, rel in found:
        tag = hashlib.sha256(str(nb.resolve()).encode()).hexdigest()[:8]
        subs.append(Submission(nb, student, f"{safe_name(student)}__{safe_name(Path(rel).stem)}"
                                            f"__{tag}"))
    return subs


def csv_safe(value) -> str:
    """Neutralise a text field against spreadsheet formula injection.

    Examples
    --------
    >>> csv_safe('=HYPERLINK("http://x", "y")')
    '\\'=HYPERLINK("http://x", "y")'
    >>> csv_safe("alice")
    'alice'
    """
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def md_cell(value) -> str:
    """Escape text for one cell of a Markdown table.

    Examples
    --------
    >>> md_cell("a|b")
    'a\\\\|b'
    """
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("`", "\\`")
    return " ".join(text.split())


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class Gradebook:
    """The reports folder of one grading run: ``reports/*.json``, CSV and summary.

    Parameters
    ----------
    out : Path
        The folder (created if needed).
    roster : list of str or None
        Student ids; a student not on it is flagged.
    """

    COLUMNS = ["student", "exercise", "score", "max_score", "percent", "status",
               "submission", "flags", "notes"]

    def __init__(self, out: Path, roster: list[str] | None = None):
        self.out = Path(out)
        self.reports_dir = self.out / "reports"
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        self.roster = roster
        # temporary files of a grader killed between writing and renaming
        for folder in (self.out, self.reports_dir):
            for stale in folder.glob(".*.*"):
                if stale.is_file() and stale.name.count(".") >= 2:
                    stale.unlink(missing_ok=True)

    def path_of(self, sub: Submission) -> Path:
        return self.reports_dir / f"{sub.key}.json"

    def done(self, sub: Submission) -> Report | None:
        """The saved report of ``sub`` if the file has not changed since; else None."""
        path = self.path_of(sub)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            digest = hashlib.sha256(sub.path.read_bytes()).hexdigest()
        except (OSError, ValueError):
            return None
        if data.get("sha256") != digest or data.get("grader_error"):
            return None
        return Report.from_dict(data)

    def save(self, sub: Submission, report: Report, grader_error: bool = False) -> None:
        data = report.as_dict()
        data["grader_error"] = grader_error
        write_atomic(self.path_of(sub), json.dumps(data, indent=2) + "\n")

    def flags(self, rows: list[tuple[Submission, Report]]) -> dict[str, list[str]]:
        """Flags per submission key: duplicates and students not on the roster."""
        flags: dict[str, list[str]] = {sub.key: [] for sub, _ in rows}
        groups: dict[tuple, list] = {}
        for sub, rep in rows:
            groups.setdefault((sub.student, rep.exercise or "?"), []).append(sub)
        for (student, exercise), subs in groups.items():
            if len(subs) > 1:
                names = ", ".join(s.path.name for s in subs)
                for s in subs:
                    flags[s.key].append(f"{len(subs)} files from {student} for {exercise}: "
                                        f"{names}")
        if self.roster is not None:
            for sub, _ in rows:
                if sub.student not in self.roster:
                    flags[sub.key].append(f"{sub.student} is not on the roster")
        return flags

    def write(self, rows: list[tuple[Submission, Report]]) -> None:
        """Rebuild ``gradebook.csv`` and ``summary.md`` (atomically) from ``rows``."""
        flags = self.flags(rows)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(self.COLUMNS)
        for sub, r in rows:
            w.writerow([csv_safe(r.student), csv_safe(r.exercise), f"{r.score:g}",
                        f"{r.max_score:g}", f"{r.percent:g}", csv_safe(r.status),
                        csv_safe(r.submission), csv_safe(" | ".join(flags[sub.key])),
                        csv_safe(" | ".join(r.notes))])
        write_atomic(self.out / "gradebook.csv", buf.getvalue())
        write_atomic(self.out / "summary.md", self._summary(rows, flags))

    def _summary(self, rows, flags) -> str:
        n = len(rows)
        lines = ["# Grading summary", "",
                 f"{n} submission{'s' if n != 1 else ''} graded; written "
                 f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
                 "| student | exercise | score | % | status | flags | notes |",
                 "| --- | --- | --- | --- | --- | --- | --- |"]
        for sub, r in rows:
            note = "; ".join(r.notes)
            note = note if len(note) <= 200 else note[:197] + "..."
            lines.append(f"| {md_cell(r.student)} | {md_cell(r.exercise or '?')} "
                         f"| {r.score:g} / {r.max_score:g} | {r.percent:g} "
                         f"| {md_cell(r.status)} | {md_cell('; '.join(flags[sub.key]))} "
                         f"| {md_cell(note)} |")
        by_ex: dict[str, dict[str, list]] = {}
        for _, r in rows:
            for q in r.questions:
                # a question weighted as practice (its key is guessable) says so
                key = (f"{q['key']} (practice, {q['points']:g} pt)" if q.get("practice")
                       else q["key"])
                by_ex.setdefault(r.exercise, {}).setdefault(key, []).append(
                    q["score"] / q["points"] if q["points"] else 0.0)
        for ex, qs in by_ex.items():
            lines += ["", f"## {md_cell(ex)}: mean credit per question", "",
                      "| question | mean credit | submissions |", "| --- | --- | --- |"]
            for key, vals in qs.items():
                lines.append(f"| {md_cell(key)} | {100 * sum(vals) / len(vals):.0f}% "
                             f"| {len(vals)} |")
        return "\n".join(lines) + "\n"
