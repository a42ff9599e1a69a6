"""Grade one notebook without trusting it.

The submission runs cell by cell in a fresh IPython kernel, inside its own
sandbox (:mod:`labtools.grading.sandbox`), with a time limit per cell and one
hard wall-clock bound for the whole notebook that covers kernel starts,
restarts and answer reads. A cell that kills or hangs the kernel is skipped
on a fresh kernel.

Then the grader asks the kernel what the learner defined, one question at a
time, with code of its own run in a clean namespace and a random tag (a nonce)
on the reply. Nothing the kernel says is trusted beyond being the learner's
claim: values are checked against the hashed keys of the question bank, after
the same normalisation the notebook's own check uses
(:func:`labtools.grading.base.normalize_answer`), and functions are called on
random inputs chosen here, their outputs compared with reference
implementations computed in this process (:mod:`labtools.grading.code_checks`).
A reply tagged with the nonce more than once (a hook that answers for the
grader) scores nothing.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .base import result
from .code_checks import CODE_CHECKS
from .harness import HARNESS, REQUEST, WRAPPER
from .kernel import Kernel, KernelDied
from .questions import VARIANTS_FILE, make_question
from .sandbox import Limits, Sandbox
from .variants import make_variant

__all__ = ["Settings", "Report", "grade_submission", "load_banks", "exercise_of",
           "VARIANTS_FILE"]



@dataclass
class Settings:
    """How one notebook is graded.

    ``total_timeout`` is a hard bound on the whole notebook: kernel starts,
    cells, restarts and answer reads all come out of it. ``env_dir`` is the
    read-only tree of :func:`~labtools.grading.sandbox.prepare_environment`;
    None runs kernels without a sandbox (``--unsafe-no-sandbox``).
    """

    cell_timeout: float = 30.0
    total_timeout: float = 300.0
    question_timeout: float = 20.0
    max_restarts: int = 2
    seed: int | None = None
    env_dir: Path | None = None
    limits: Limits = field(default_factory=Limits)
    secret: bytes | None = field(default=None, repr=False)


@dataclass
class Report:
    """The grade of one submission (one gradebook row, one JSON file)."""

    submission: str
    student: str
    exercise: str = ""
    status: str = "graded"  # "graded" or "error"
    score: float = 0.0
    max_score: float = 0.0
    questions: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seed: int | None = None
    seconds: float = 0.0
    sha256: str = ""

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0

    def as_dict(self):
        return {"submission": self.submission, "student": self.student,
                "exercise": self.exercise, "status": self.status,
                "score": self.score, "max_score": self.max_score, "percent": self.percent,
                "questions": self.questions, "notes": self.notes, "seed": self.seed,
                "seconds": self.seconds, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        keys = ("submission", "student", "exercise", "status", "score", "max_score",
                "questions", "notes", "seed", "seconds", "sha256")
        return cls(**{k: data[k] for k in keys if k in data})


def load_banks(folder: Path) -> dict:
    """Read every compiled bank in ``folder`` into memory (before any learner runs)."""
    banks = {}
    for path in sorted(Path(folder).glob("*.json")):
        bank = json.loads(path.read_text(encoding="utf-8"))
        for q in bank["questions"]:
            make_question(q, bank["salt"])  # fail now, not halfway through a class
            if q["kind"] == "code" and q["reference"] not in CODE_CHECKS:
                raise ValueError(f"{path}: question {q['key']} names an unknown reference "
                                 f"{q['reference']!r}")
        banks[bank["exercise"]] = bank
    if not banks:
        raise FileNotFoundError(f"no compiled question banks (*.json) in {folder}")
    return banks


def exercise_of(path: Path, banks: dict) -> str | None:
    """The exercise a file name (or its folder's name) names, the longest match first."""
    for part in (path.stem, path.parent.name):
        for name in sorted(banks, key=len, reverse=True):
            if name in part:
                return name
    return None


def _check_exercise(nb, cells, path: Path, banks: dict, forced: str | None):
    """Return ``(exercise, problem)``: which exercise to grade, or why not.

    The exercise comes from ``--exercise`` or the file name. The notebook must
    agree: its metadata may not name another exercise, and it must load the
    questions of this one (a solution handed in under another exercise's file
    name is not graded as that exercise). A file name that names no exercise
    falls back to the metadata, checked the same way.
    """
    meta = nb.get("metadata", {}).get("labtools", {})
    claimed = meta.get("exercise") if isinstance(meta, dict) else None
    named = forced or exercise_of(path, banks)
    exercise = named or (claimed if isinstance(claimed, str) and claimed in banks else None)
    if exercise is None:
        return None, ("cannot tell which exercise this is: the file name names none of "
                      + ", ".join(sorted(banks)))
    if isinstance(claimed, str) and claimed in banks and claimed != exercise:
        return exercise, (f"the notebook is exercise {claimed!r} handed in as {exercise!r}; "
                          "it is not graded as another exercise")
    loads = [name for name in banks
             if any(f'"{name}"' in src or f"'{name}'" in src for _, src in cells)]
    if loads and exercise not in loads:
        return exercise, (f"the notebook loads the questions of {loads[0]!r}, not "
                          f"{exercise!r}; it is not graded as another exercise")
    return exercise, None


def code_cells(nb) -> list[tuple[int, str]]:
    """``(cell number as the learner sees it, source)`` of every code cell.

    Numbers count every cell from 1, Markdown included, as Jupyter shows them.
    """
    cells = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            cells.append((i, "".join(src) if isinstance(src, list) else str(src)))
    return cells


def cell_name(number: int, source: str) -> str:
    """Name a cell as the learner sees it: ``cell 7 (`answer_q2 = 1.5`)``."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if len(first) > 40:
        first = first[:37] + "..."
    return f"cell {number} (`{first}`)" if first else f"cell {number}"


def grade_submission(path: Path, student: str, banks: dict, settings: Settings,
                     forced_exercise: str | None = None) -> Report:
    """Run one notebook and grade it; never raises for anything the notebook does."""
    import hashlib

    import nbformat

    started = time.monotonic()
    report = Report(submission=str(path), student=student)
    try:
        if path.stat().st_size > 50_000_000:
            raise ValueError("file larger than 50 MB")
        raw = path.read_bytes()
        report.sha256 = hashlib.sha256(raw).hexdigest()
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        cells = code_cells(nb)
    except Exception as err:  # anything unreadable is the submission's problem
        report.status = "error"
        report.notes.append(f"not a readable notebook: {type(err).__name__}: {err}"[:300])
        return report
    exercise, problem = _check_exercise(nb, cells, path, banks, forced_exercise)
    report.exercise = exercise or ""
    if exercise is not None:
        report.max_score = float(sum(q.get("points", 1) for q in banks[exercise]["questions"]))
    if problem:
        report.status = "error"
        report.notes.append(problem)
        return report
    bank = banks[exercise]
    seed = settings.seed if settings.seed is not None else secrets.randbits(48)
    report.seed = seed
    files = {}
    variant_qs = [q for q in bank["questions"] if q["kind"] == "variant"]
    if variant_qs and settings.secret is not None:
        # the learner's own numbers (never a key), where their notebook reads them
        files[VARIANTS_FILE] = json.dumps({q["qid"]: make_variant(
            q["generator"], settings.secret, student, q["qid"]).params for q in variant_qs})
    answers = _collect(path, cells, bank, settings, np.random.default_rng(seed), report.notes,
                       files)
    _score(report, bank, answers, student, settings.secret)
    report.seconds = round(time.monotonic() - started, 2)
    return report


class _Run:
    """One notebook's kernels, under one wall-clock deadline."""

    def __init__(self, path: Path, settings: Settings, files: dict):
        self.path = path
        self.files = files
        self.settings = settings
        self.deadline = time.monotonic() + settings.total_timeout
        # cells may use three quarters of the bound; the rest is kept for
        # reading the answers (and a restart) so a slow notebook still gets read
        self.reserve = 0.25 * settings.total_timeout
        self.sandbox = None
        self.workdir = None
        self.kernel = None
        self.timer = threading.Timer(settings.total_timeout + self.GRACE, self.watchdog)
        self.timer.daemon = True
        self.timer.start()

    GRACE = 10.0  # seconds past the bound before the watchdog kills the kernel

    def watchdog(self):
        """Kill whatever still runs at the bound plus GRACE, whatever the grader waits on."""
        if self.kernel is not None:
            self.kernel.kill()
        if self.sandbox is not None:
            self.sandbox.kill_all()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def start(self) -> Kernel:
        if self.left() <= 1:
            raise TimeoutError
        if self.settings.env_dir is not None:
            self.sandbox = Sandbox(self.path, self.settings.env_dir, self.settings.limits,
                                   self.files)
            self.kernel = Kernel("", sandbox=self.sandbox, startup_timeout=min(60, self.left()))
            return self.kernel
        self.workdir = tempfile.mkdtemp(prefix="labtools-grade-")
        for name, text in self.files.items():
            Path(self.workdir, name).write_text(text, encoding="utf-8")
        self.kernel = Kernel(self.workdir, startup_timeout=min(60, self.left()))
        return self.kernel

    def stop(self, kernel: Kernel | None) -> None:
        self.kernel = None
        if kernel is not None:
            kernel.shutdown()
        if self.sandbox is not None:
            self.sandbox.cleanup()
            self.sandbox = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def _collect(path, cells, bank, settings, rng, notes, files) -> dict:
    """Execute the cells, then read each question's answer out of the kernel.

    When a cell kills the kernel, a fresh kernel reruns the notebook without
    that cell; when checking a question kills it, that question scores 0 and
    the rest are read from a fresh run. At most ``settings.max_restarts`` times,
    and never past the notebook's deadline.
    """
    questions = list(bank["questions"])
    cases = {q["key"]: CODE_CHECKS[q["reference"]].make_cases(rng)
             for q in questions if q["kind"] == "code"}
    answers: dict = {}
    skip: set[int] = set()
    pending = list(questions)
    restarts = 0
    run = _Run(path, settings, files)
    while pending:
        kernel = None
        try:
            kernel = run.start()
            _run_cells(kernel, cells, skip, run, notes)
            while pending:
                key = pending[0]["key"]
                try:
                    reply = _ask(kernel, pending[0], cases.get(key), run)
                except KernelDied as err:
                    answers[key] = {"failed": f"checking it killed the kernel ({err})"}
                    notes.append(f"{key}: checking it killed the kernel")
                    pending.pop(0)
                    raise
                if key in cases:
                    # the grader's own record of what it sent, whatever came back
                    reply["_cases"] = cases[key]
                answers[key] = reply
                pending.pop(0)
        except KernelDied:
            restarts += 1
            if restarts > settings.max_restarts and pending:
                notes.append(f"gave up after {restarts} kernel deaths; "
                             "the remaining questions score 0")
                for q in pending:
                    answers[q["key"]] = {"failed": "the kernel kept dying"}
                pending = []
        except TimeoutError:
            notes.append(f"the notebook's time limit ({settings.total_timeout:g} s, "
                         "restarts and answer reads included) was reached; "
                         "unread questions score 0")
            for q in pending:
                answers[q["key"]] = {"failed": "the notebook's time limit was reached"}
            pending = []
        finally:
            oom = run.sandbox.memory_failures() if run.sandbox is not None else 0
            if oom:
                notes.append(f"the kernel was stopped at the memory limit "
                             f"({settings.limits.memory_mb} MB)")
            run.stop(kernel)
    run.timer.cancel()
    return answers


def _run_cells(kernel, cells, skip, run, notes):
    settings = run.settings
    for i, (number, code) in enumerate(cells):
        if i in skip or not code.strip():
            continue
        left = run.left() - run.reserve
        if left <= 1:
            notes.append(f"the time for running cells ({0.75 * settings.total_timeout:g} s "
                         f"of the {settings.total_timeout:g} s bound) ran out; "
                         f"{cell_name(number, code)} and the cells after it were not run")
            return
        try:
            outcome = kernel.run(code, min(settings.cell_timeout, left - 1))
        except KernelDied as err:
            skip.add(i)
            notes.append(f"{cell_name(number, code)} killed the kernel ({err}); "
                         "rerunning the notebook without it")
            raise
        if outcome.status == "timeout":
            skip.add(i)
            notes.append(f"{cell_name(number, code)} was stopped: {outcome.error}")
        elif outcome.status == "error":
            notes.append(f"{cell_name(number, code)} raised {outcome.error}")


def _ask(kernel, q, cases, run) -> dict:
    """One request for one question's answer; returns the parsed reply."""
    left = run.left()
    if left <= 1:
        raise TimeoutError
    nonce = "LABTOOLS-" + secrets.token_hex(16) + ":"
    request = {"nonce": nonce, "name": q["name"],
               "what": "cases" if q["kind"] == "code" else "value"}
    if q["kind"] == "code":
        request.update(cases=cases, array_args=list(CODE_CHECKS[q["reference"]].array_args))
    code = WRAPPER % (HARNESS + REQUEST % json.dumps(request))
    outcome = kernel.run(code, min(run.settings.question_timeout, left - 1))
    if outcome.status == "timeout":
        return {"failed": f"reading the answer {outcome.error}"}
    tagged = [line for line in outcome.stdout.splitlines() if line.startswith(nonce)]
    if len(tagged) > 1:
        return {"failed": "the answer was claimed more than once (code in the notebook "
                          "answered the grader's request itself)"}
    if tagged:
        try:
            reply = json.loads(tagged[0][len(nonce):])
        except ValueError:
            reply = None
        if isinstance(reply, dict):
            return reply
    if outcome.status == "error":
        return {"failed": f"the answer could not be read ({outcome.error})"}
    return {"failed": "the answer could not be read"}


def _score(report: Report, bank: dict, answers: dict, student: str,
           secret: bytes | None) -> None:
    total = 0.0
    for data in bank["questions"]:
        q = make_question(data, bank["salt"])
        reply = answers.get(q.key, {"failed": "not checked"})
        if "failed" in reply:
            res = result("invalid", 0, q.points, reply["failed"])
        elif reply.get("missing"):
            res = result("unanswered", 0, q.points, f"{q.name} is not defined")
        elif q.kind == "code":
            if reply.get("not_callable") or not isinstance(reply.get("outputs"), list):
                value = reply.get("value")
                res = (result("unanswered", 0, q.points, f"{q.name} is not written yet")
                       if value is None else
                       result("invalid", 0, q.points, f"{q.name} is not a function"))
            else:
                outputs = [o if isinstance(o, dict) else {"error": "unreadable"}
                           for o in reply["outputs"]]
                res = CODE_CHECKS[q.reference].judge(reply["_cases"], outputs, q.points,
                                                     q.signature)
        elif q.kind == "variant":
            res = _score_variant(q, unplain(reply.get("value")), student, secret)
        else:
            try:
                res = q.evaluate(unplain(reply.get("value")))
            except Exception as err:  # a value of a shape nobody foresaw
                res = result("invalid", 0, q.points, f"unreadable answer ({err})"[:200])
        score = min(max(float(res.score), 0.0), q.points)
        total += score
        report.questions.append({"key": q.key, "kind": q.kind, "status": res.status,
                                 "score": score, "points": q.points,
                                 "practice": data.get("practice") is True,
                                 "message": res.message})
    report.score = round(min(total, report.max_score), 4)


def _score_variant(q, value, student: str, secret: bytes | None):
    """Check ``value`` against the key of ``student``'s own variant, recomputed here."""
    if value is None:
        return result("unanswered", 0, q.points, f"Set {q.name} and run the cell.")
    if secret is None:
        return result("invalid", 0, q.points, "graded without the instructor's secret")
    variant = make_variant(q.generator, secret, student, q.qid)
    frac = variant.score(value)
    if frac == 1:
        return result("correct", 1, q.points, "Well done.")
    if frac > 0:
        return result("partial", frac, q.points,
                      f"{frac:.0%} of the labels right for your own numbers.")
    return result("wrong", 0, q.points, "Not the answer for your own numbers.")


def unplain(value):
    """Undo ``harness.plain``'s wrapping of a value read from a kernel.

    Values it could only describe (``{"__repr__": ...}``) are not valid answers.
    """
    if isinstance(value, dict):
        return {"__unreadable__": True} if "__dict__" not in value else {
            k if not isinstance(k, list) else tuple(k): v for k, v in value["__dict__"]
            if isinstance(k, (str, int, float, list))}
    return value
