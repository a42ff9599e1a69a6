"""Grade a folder of exercise notebooks without trusting them.

Usage::

    python -m labtools.grade SUBMISSION.ipynb [MORE.ipynb | FOLDER ...] --out DIR

Each submission runs cell by cell in a fresh IPython kernel (started with
``jupyter_client``, the library under ``nbclient``) inside an empty temporary
folder, with a time limit per cell and for the whole notebook. Outputs are read
and thrown away as they arrive, so a notebook that prints gigabytes costs
nothing. A cell that kills or hangs the kernel is skipped on a fresh kernel.

Then the grader asks the kernel what the student defined, one question at a
time, with code of its own run in a clean namespace and a random tag (a nonce)
on the reply. Nothing the kernel says is trusted beyond being the student's
claim: values are checked against the hashed keys of the instructor's question
bank, and functions are called on random inputs chosen here, their outputs
compared with reference implementations (``CODE_CHECKS`` below) computed in
this process. Printing a fake score, monkeypatching ``labtools`` or the check
functions in the kernel, or redefining builtins can therefore only make the
student's own answers unreadable, never make a wrong answer count.

For each submission the grader writes ``DIR/<student>__<exercise>.json``; for all
of them ``DIR/gradebook.csv`` and ``DIR/summary.md``. The exit status is 0 unless
the grader itself failed (bad arguments, an internal error).

This module must not import ``labtools.widgets`` (nor anything that draws), so
it also serves :mod:`labtools.quiz` the reference implementations for the
in-notebook self-checks.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__: list[str] = []  # a command-line tool; nothing re-exported

# --------------------------------------------------------------------------
# Code that runs in the student's kernel (and, for self-checks, here).
# Kept as source so that the kernel gets a pristine copy with every request.
# --------------------------------------------------------------------------

HARNESS = r'''
def _plain(value, depth=0):
    """Convert a student's value to JSON-ready data, with size limits."""
    import numbers as _numbers
    import numpy as _np
    if depth > 4:
        return {"__repr__": "(nested too deeply)"}
    if value is None or isinstance(value, (bool, str)):
        return value[:500] if isinstance(value, str) else value
    if isinstance(value, _np.ndarray):
        if value.size > 100000:
            return {"__repr__": f"array of {value.size} elements (too large)"}
        if value.dtype.kind in "biuf":
            return _plain(value.astype(float).tolist(), depth + 1)
        return _plain(value.tolist(), depth + 1)
    if isinstance(value, _np.generic):
        return _plain(value.item(), depth + 1)
    if isinstance(value, _numbers.Integral):
        return int(value)
    if isinstance(value, _numbers.Real):
        x = float(value)
        return x if x == x and abs(x) != float("inf") else {"__float__": repr(x)}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        if len(items) > 100000:
            return {"__repr__": "sequence too long"}
        return [_plain(v, depth + 1) for v in items]
    if isinstance(value, dict):
        return {"__dict__": [[_plain(k, depth + 1), _plain(v, depth + 1)]
                             for k, v in list(value.items())[:1000]]}
    if callable(value):
        return {"__callable__": True}
    return {"__repr__": repr(value)[:200]}


def run_cases(fn, cases, array_args):
    """Call fn on every case; return [{"ok": value} | {"error": text}]."""
    import numpy as _np
    outputs = []
    for args in cases:
        call = [_np.array(a, dtype=float) if i in array_args else a
                for i, a in enumerate(args)]
        try:
            outputs.append({"ok": _plain(fn(*call))})
        except (Exception, SystemExit) as err:
            outputs.append({"error": f"{type(err).__name__}: {err}"[:300]})
    return outputs
'''

_harness_ns: dict = {}
exec(compile(HARNESS, "<labtools.grade harness>", "exec"), _harness_ns)
plain = _harness_ns["_plain"]
run_cases = _harness_ns["run_cases"]

_REQUEST = r'''
import json as _json, sys as _sys
from IPython import get_ipython as _gi
_REQ = _json.loads(%r)
_ns = _gi().user_ns
if _REQ["name"] not in _ns:
    _out = {"missing": True}
elif _REQ["what"] == "value":
    _out = {"value": _plain(_ns[_REQ["name"]])}
elif not callable(_ns[_REQ["name"]]):
    _out = {"value": _plain(_ns[_REQ["name"]]), "not_callable": True}
else:
    _out = {"outputs": run_cases(_ns[_REQ["name"]], _REQ["cases"], _REQ["array_args"])}
_sys.stdout.write("\n" + _REQ["nonce"] + _json.dumps(_out) + "\n")
_sys.stdout.flush()
'''

# Run with fresh globals so a student's `list = [...]`, `json = 3` or even
# `exec = print` cannot break the request: the import statement reaches the
# builtins module through the interpreter, not through the student's names.
# Only deliberate sabotage of the interpreter itself can interfere, and that
# can do no more than make the grader read a different claimed answer.
_WRAPPER = ("import builtins as _labtools_grader_builtins\n"
            "_labtools_grader_builtins.exec(_labtools_grader_builtins.compile("
            "%r, '<labtools-grader>', 'exec'), "
            "{'__builtins__': _labtools_grader_builtins, '__name__': 'labtools_grader'})")


# --------------------------------------------------------------------------
# Reference implementations for the write-a-function questions
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeCheck:
    """A write-a-function question's cases, reference and comparison.

    Attributes
    ----------
    make_cases : callable
        ``rng -> list of argument tuples`` (JSON-ready: numbers and lists).
    reference : callable
        The grader's own implementation, called with the same (converted) arguments.
    array_args : tuple of int
        Positions of arguments passed to the student's function as float arrays.
    rtol, atol : float
        Tolerances of the numeric comparison.
    """

    make_cases: Callable
    reference: Callable
    array_args: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9

    def expected(self, cases):
        out = []
        for args in cases:
            call = [np.array(a, dtype=float) if i in self.array_args else a
                    for i, a in enumerate(args)]
            out.append(plain(self.reference(*call)))
        return out

    def judge(self, cases, outputs, points, signature):
        """Compare ``outputs`` (from :func:`run_cases`) with the reference."""
        from .quiz import _result

        if len(outputs) != len(cases):
            return _result("invalid", 0, points, "the function's results could not be read")
        if all("ok" in o and o["ok"] is None for o in outputs):
            return _result("unanswered", 0, points,
                           f"Write {signature} and run the cell (it returns None so far).")
        for args, out, want in zip(cases, outputs, self.expected(cases), strict=True):
            shown = ", ".join(_short(a) for a in args)
            if "error" in out:
                return _result("wrong", 0, points,
                               f"On input ({shown}) your function raised {out['error']}")
            if not _close(out.get("ok"), want, self.rtol, self.atol):
                return _result("wrong", 0, points,
                               f"On input ({shown}) it returned {_short(out.get('ok'))}; "
                               f"expected {_short(want)}.")
        return _result("correct", 1, points, f"Well done: right on all {len(cases)} "
                       "random cases.")


def _short(value) -> str:
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


def _close(got, want, rtol, atol) -> bool:
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want
    if isinstance(want, list) and want and isinstance(want[0], list) and isinstance(got, list) \
            and len(got) == len(want) and not _rectangular(want):
        return all(_close(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
    try:
        g = np.asarray(got, dtype=float)
        w = np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != w.shape:
        return False
    return bool(np.all(np.isfinite(g)) and np.allclose(g, w, rtol=rtol, atol=atol))


def _rectangular(value) -> bool:
    try:
        np.asarray(value, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _u(rng, lo, hi, size=None):
    return np.round(rng.uniform(lo, hi, size), 6).tolist()


def _quartic(x):
    return x ** 4 - 2 * x ** 2


def _chord_gap(a, b, t):
    return t * _quartic(a) + (1 - t) * _quartic(b) - _quartic(t * a + (1 - t) * b)


def _gd_run(x0, lr, steps):
    x = float(x0)
    for _ in range(int(steps)):
        x = x - lr * (math.cos(x) + 0.2)
    return x


def _grad_escapable(p):
    x, y = p
    return np.array([x, -y + y ** 3])


def _escape_steps(e, lr, lam):
    return math.log(1 / e) / math.log(1 + lr * abs(lam))


def _classify_hessian(H, tol=1e-8):
    eig = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    if np.any(eig > tol) and np.any(eig < -tol):
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig[0] > 0 else "maximum"


def _symmetric_with(rng, eigs):
    q, _ = np.linalg.qr(rng.normal(size=(len(eigs), len(eigs))))
    return np.round(q @ np.diag(eigs) @ q.T, 12)


def _hessian_cases(rng):
    cases = []
    for kind in ("minimum", "maximum", "saddle", "degenerate") * 2:
        d = int(rng.integers(2, 5))
        mags = rng.uniform(0.5, 4.0, d)
        if kind == "minimum":
            eigs = mags
        elif kind == "maximum":
            eigs = -mags
        elif kind == "saddle":
            eigs = mags * np.where(np.arange(d) < rng.integers(1, d), -1, 1)
        else:
            eigs = mags.copy()
            eigs[0] = 0.0
            if rng.random() < 0.5:
                eigs = -eigs
        if kind == "degenerate" and d == 2 and rng.random() < 0.5:
            # an exactly diagonal case, so the zero eigenvalue is exactly zero
            cases.append(([[float(eigs[0]), 0.0], [0.0, float(eigs[1])]],))
        else:
            cases.append((_symmetric_with(rng, rng.permutation(eigs)).tolist(),))
    order = rng.permutation(len(cases))
    return [cases[i] for i in order]


def _hvp_cubic(p, v):
    x, y = p
    H = np.array([[2 * y, 2 * x], [2 * x, 6 * y]])
    return H @ v


def _momentum_step(x, v, g, lr, beta):
    v_new = beta * v + g
    return (x - lr * v_new, v_new)


def _sfn_step(H, g):
    lam, V = np.linalg.eigh(H)
    return -(V @ ((V.T @ g) / np.abs(lam)))


def _sfn_cases(rng):
    cases = []
    for _ in range(6):
        d = int(rng.integers(2, 4))
        eigs = rng.uniform(0.5, 3.0, d) * rng.choice([-1.0, 1.0], d)
        cases.append((_symmetric_with(rng, eigs).tolist(), _u(rng, -2, 2, d)))
    return cases


def _interpolate(theta0, theta1, alphas):
    return (1 - alphas)[:, None] * theta0[None, :] + alphas[:, None] * theta1[None, :]


def _interp_cases(rng):
    cases = []
    for _ in range(5):
        d, n = int(rng.integers(2, 7)), int(rng.integers(3, 9))
        cases.append((_u(rng, -2, 2, d), _u(rng, -2, 2, d),
                      np.round(np.linspace(-0.5, 1.5, n), 6).tolist()))
    return cases


def _barrier(losses):
    losses = np.asarray(losses, dtype=float)
    return float(losses.max() - max(losses[0], losses[-1]))


CODE_CHECKS: dict[str, CodeCheck] = {
    "chord_gap": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2), _u(rng, -2, 2), _u(rng, 0, 1))
                                for _ in range(8)],
        reference=_chord_gap),
    "gd_run": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -6, 6), _u(rng, 0.05, 0.5), int(rng.integers(1, 40)))
                                for _ in range(8)],
        reference=_gd_run),
    "grad_escapable": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, 2),) for _ in range(8)],
        reference=_grad_escapable, array_args=(0,)),
    "escape_steps": CodeCheck(
        make_cases=lambda rng: [(float(10.0 ** rng.uniform(-9, -1)), _u(rng, 0.01, 0.5),
                                 _u(rng, -5, -0.1)) for _ in range(8)],
        reference=_escape_steps),
    "classify_hessian": CodeCheck(
        make_cases=_hessian_cases, reference=_classify_hessian, array_args=(0,)),
    "hvp_cubic": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, 2), _u(rng, -2, 2, 2)) for _ in range(8)],
        reference=_hvp_cubic, array_args=(0, 1)),
    "momentum_step": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, d), _u(rng, -1, 1, d), _u(rng, -3, 3, d),
                                 _u(rng, 0.01, 0.3), _u(rng, 0.5, 0.99))
                                for d in rng.integers(1, 4, 6).tolist()],
        reference=_momentum_step, array_args=(0, 1, 2)),
    "saddle_free_newton_step": CodeCheck(
        make_cases=_sfn_cases, reference=_sfn_step, array_args=(0, 1)),
    "interpolate": CodeCheck(
        make_cases=_interp_cases, reference=_interpolate, array_args=(0, 1, 2)),
    "barrier_height": CodeCheck(
        make_cases=lambda rng: [(_u(rng, 0, 3, int(rng.integers(3, 12))),) for _ in range(8)],
        reference=_barrier, array_args=(0,)),
}


# --------------------------------------------------------------------------
# Running a notebook in a kernel
# --------------------------------------------------------------------------

class KernelDied(Exception):
    """The kernel process exited (``os._exit``, a crash) or stopped answering."""


@dataclass
class CellOutcome:
    status: str  # "ok", "error", "timeout", "died"
    error: str = ""
    stdout: str = ""


class Kernel:
    """A fresh IPython kernel in ``cwd`` that reads and discards output."""

    STDOUT_KEEP = 1_000_000  # characters of our own requests' output we keep

    def __init__(self, cwd: str):
        from jupyter_client.manager import start_new_kernel

        env = dict(os.environ)
        # The kernel imports the same labtools as the grader, installed or not.
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, env.get("PYTHONPATH", "")) if p)
        env.update(HOME=cwd, MPLBACKEND="Agg", LABTOOLS_GRADING="1",
                   PYTHONDONTWRITEBYTECODE="1")
        # The kernel's own stdout/stderr (not the cells' output, which travels
        # over the message channels) go nowhere: a submission writing to file
        # descriptor 2 cannot flood the grader's terminal.
        self.km, self.kc = start_new_kernel(
            startup_timeout=60, kernel_name="python3", cwd=cwd, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def run(self, code: str, timeout: float) -> CellOutcome:
        if not self.alive():
            raise KernelDied("the kernel is not running")
        msg_id = self.kc.execute(code, silent=False, store_history=False,
                                 allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        out, kept, error = [], 0, ""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._interrupt(msg_id)
                return CellOutcome("timeout", f"took longer than {timeout:g} s")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(left, 0.5))
            except queue.Empty:
                if not self.alive():
                    raise KernelDied("the kernel exited") from None
                continue
            except Exception:
                # a message the kernel could not serialize properly (a submission
                # that replaced json.dumps, say): skip it; the deadline still holds
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout" and kept < self.STDOUT_KEEP:
                out.append(content.get("text", "")[: self.STDOUT_KEEP - kept])
                kept += len(out[-1])
            elif kind == "error":
                error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:300]
            elif kind == "status" and content.get("execution_state") == "idle":
                return CellOutcome("error" if error else "ok", error, "".join(out))

    def _interrupt(self, msg_id):
        """Interrupt a runaway request; if the kernel stays busy, declare it dead."""
        try:
            self.km.interrupt_kernel()
        except Exception:
            raise KernelDied("the kernel could not be interrupted") from None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                if not self.alive():
                    raise KernelDied("the kernel exited") from None
                continue
            except Exception:
                continue
            if (msg.get("parent_header", {}).get("msg_id") == msg_id
                    and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                return
        raise KernelDied("the kernel did not stop after an interrupt")

    def shutdown(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass


# --------------------------------------------------------------------------
# Grading one submission
# --------------------------------------------------------------------------

@dataclass
class Settings:
    cell_timeout: float = 30.0
    total_timeout: float = 300.0
    question_timeout: float = 20.0
    max_restarts: int = 2
    seed: int | None = None


@dataclass
class Report:
    submission: str
    student: str
    exercise: str = ""
    status: str = "graded"  # "graded" or "error"
    score: float = 0.0
    max_score: float = 0.0
    questions: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seed: int | None = None

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0

    def as_dict(self):
        return {"submission": self.submission, "student": self.student,
                "exercise": self.exercise, "status": self.status,
                "score": self.score, "max_score": self.max_score, "percent": self.percent,
                "questions": self.questions, "notes": self.notes, "seed": self.seed}


def load_banks(folder: Path) -> dict:
    """Read every compiled bank in ``folder`` into memory (before any student runs)."""
    from .quiz import make_question

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


def _which_exercise(nb, path: Path, banks: dict, forced: str | None) -> str | None:
    if forced:
        return forced
    meta = nb.get("metadata", {}).get("labtools", {})
    name = meta.get("exercise") if isinstance(meta, dict) else None
    if isinstance(name, str) and name in banks:
        return name
    for name in sorted(banks, key=len, reverse=True):
        if name in path.stem:
            return name
    return None


def _code_cells(nb) -> list[str]:
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            cells.append("".join(src) if isinstance(src, list) else str(src))
    return cells


def grade_submission(path: Path, student: str, banks: dict, settings: Settings,
                     forced_exercise: str | None = None) -> Report:
    """Run one notebook and grade it; never raises for anything the notebook does."""
    import nbformat

    report = Report(submission=str(path), student=student)
    try:
        if path.stat().st_size > 50_000_000:
            raise ValueError("file larger than 50 MB")
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        cells = _code_cells(nb)
    except Exception as err:  # anything unreadable is the submission's problem
        report.status = "error"
        report.notes.append(f"not a readable notebook: {type(err).__name__}: {err}"[:300])
        return report
    exercise = _which_exercise(nb, path, banks, forced_exercise)
    if exercise is None or exercise not in banks:
        report.status = "error"
        report.notes.append("cannot tell which exercise this is (no labtools.exercise "
                            "metadata and no exercise name in the file name)")
        return report
    bank = banks[exercise]
    report.exercise = exercise
    report.max_score = float(sum(q.get("points", 1) for q in bank["questions"]))
    seed = settings.seed if settings.seed is not None else secrets.randbits(48)
    report.seed = seed
    answers = _collect(cells, bank, settings, np.random.default_rng(seed), report.notes)
    _score(report, bank, answers)
    return report


def _collect(cells, bank, settings, rng, notes) -> dict:
    """Execute the cells, then read each question's answer out of the kernel.

    When a cell kills the kernel, a fresh kernel reruns the notebook without
    that cell; when checking a question kills it, that question scores 0 and
    the rest are read from a fresh run. At most ``settings.max_restarts`` times.
    """
    questions = list(bank["questions"])
    cases = {q["key"]: CODE_CHECKS[q["reference"]].make_cases(rng)
             for q in questions if q["kind"] == "code"}
    answers: dict = {}
    skip: set[int] = set()
    pending = list(questions)
    start = time.monotonic()
    restarts = 0
    workdir = tempfile.mkdtemp(prefix="labtools-grade-")
    try:
        while pending:
            kernel = None
            try:
                kernel = Kernel(workdir)
                _run_cells(kernel, cells, skip, settings, start, notes)
                while pending:
                    key = pending[0]["key"]
                    try:
                        reply = _ask(kernel, pending[0], cases.get(key), settings)
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
            finally:
                if kernel is not None:
                    kernel.shutdown()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return answers


def _run_cells(kernel, cells, skip, settings, start, notes):
    for i, code in enumerate(cells):
        if i in skip or not code.strip():
            continue
        left = settings.total_timeout - (time.monotonic() - start)
        if left <= 0:
            notes.append(f"total time limit ({settings.total_timeout:g} s) reached; "
                         f"cells from {i + 1} on were not run")
            return
        try:
            outcome = kernel.run(code, min(settings.cell_timeout, left))
        except KernelDied as err:
            skip.add(i)
            notes.append(f"code cell {i + 1} killed the kernel ({err}); "
                         "rerunning the notebook without it")
            raise
        if outcome.status == "timeout":
            skip.add(i)
            notes.append(f"code cell {i + 1} was stopped: {outcome.error}")
        elif outcome.status == "error":
            notes.append(f"code cell {i + 1} raised {outcome.error}")


def _ask(kernel, q, cases, settings) -> dict:
    """One request for one question's answer; returns the parsed reply."""
    nonce = "LABTOOLS-" + secrets.token_hex(16) + ":"
    request = {"nonce": nonce, "name": q["name"],
               "what": "cases" if q["kind"] == "code" else "value"}
    if q["kind"] == "code":
        request.update(cases=cases, array_args=list(CODE_CHECKS[q["reference"]].array_args))
    code = _WRAPPER % (HARNESS + _REQUEST % json.dumps(request))
    outcome = kernel.run(code, settings.question_timeout)
    if outcome.status == "timeout":
        return {"failed": f"reading the answer {outcome.error}"}
    for line in outcome.stdout.splitlines():
        if line.startswith(nonce):
            try:
                reply = json.loads(line[len(nonce):])
            except ValueError:
                break
            if isinstance(reply, dict):
                return reply
            break
    if outcome.status == "error":
        return {"failed": f"the answer could not be read ({outcome.error})"}
    return {"failed": "the answer could not be read"}


def _score(report: Report, bank: dict, answers: dict) -> None:
    from .quiz import _result, make_question

    total = 0.0
    for data in bank["questions"]:
        q = make_question(data, bank["salt"])
        reply = answers.get(q.key, {"failed": "not checked"})
        if "failed" in reply:
            res = _result("invalid", 0, q.points, reply["failed"])
        elif reply.get("missing"):
            res = _result("unanswered", 0, q.points, f"{q.name} is not defined")
        elif q.kind == "code":
            if reply.get("not_callable") or not isinstance(reply.get("outputs"), list):
                value = reply.get("value")
                res = (_result("unanswered", 0, q.points, f"{q.name} is not written yet")
                       if value is None else
                       _result("invalid", 0, q.points, f"{q.name} is not a function"))
            else:
                outputs = [o if isinstance(o, dict) else {"error": "unreadable"}
                           for o in reply["outputs"]]
                res = CODE_CHECKS[q.reference].judge(reply["_cases"], outputs, q.points,
                                                     q.signature)
        else:
            try:
                res = q.evaluate(_unplain(reply.get("value")))
            except Exception as err:  # a value of a shape nobody foresaw
                res = _result("invalid", 0, q.points, f"unreadable answer ({err})"[:200])
        score = min(max(float(res.score), 0.0), q.points)
        total += score
        report.questions.append({"key": q.key, "kind": q.kind, "status": res.status,
                                 "score": score, "points": q.points,
                                 "message": res.message})
    report.score = round(min(total, report.max_score), 4)


def _unplain(value):
    # Values that _plain wrapped ({"__repr__": ...}) are not valid answers.
    if isinstance(value, dict):
        return {"__unreadable__": True} if "__dict__" not in value else {
            k if not isinstance(k, list) else tuple(k): v for k, v in value["__dict__"]
            if isinstance(k, (str, int, float, list))}
    return value


# --------------------------------------------------------------------------
# Folders, the gradebook and the command line
# --------------------------------------------------------------------------

def find_submissions(paths) -> list[tuple[Path, str]]:
    """Return ``(notebook, student)`` pairs from files and folders.

    A file named on the command line is graded whatever it contains. In a
    folder, every ``*.ipynb`` below it is a submission; the student is the name
    of its sub-folder (``alice/ex03_saddle_points.ipynb``) or, for a file
    directly in the folder, the file's name without ``.ipynb``.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            for nb in sorted(p.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in nb.parts:
                    continue
                rel = nb.relative_to(p)
                found.append((nb, rel.parts[0] if len(rel.parts) > 1 else nb.stem))
        elif p.exists():
            found.append((p, p.stem))
        else:
            raise FileNotFoundError(f"submission {p} does not exist")
    return found


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "unnamed"


def write_reports(reports: list[Report], out: Path) -> None:
    """Write one JSON per submission, ``gradebook.csv`` and ``summary.md``."""
    out.mkdir(parents=True, exist_ok=True)
    used = set()
    for r in reports:
        stem = _safe(f"{r.student}__{r.exercise or 'unknown'}")
        name, k = stem, 1
        while name in used:
            k += 1
            name = f"{stem}_{k}"
        used.add(name)
        (out / f"{name}.json").write_text(json.dumps(r.as_dict(), indent=2) + "\n",
                                          encoding="utf-8")
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "exercise", "score", "max_score", "percent", "status",
                    "submission", "notes"])
        for r in reports:
            w.writerow([r.student, r.exercise, f"{r.score:g}", f"{r.max_score:g}",
                        f"{r.percent:g}", r.status, r.submission, " | ".join(r.notes)])
    lines = ["# Grading summary", "",
             f"{len(reports)} submission{'s' if len(reports) != 1 else ''} graded on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.", "",
             "| student | exercise | score | % | status | notes |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in reports:
        note = "; ".join(r.notes)[:200].replace("|", "/")
        lines.append(f"| {r.student} | {r.exercise or '?'} | {r.score:g} / {r.max_score:g} "
                     f"| {r.percent:g} | {r.status} | {note} |")
    by_ex: dict[str, dict[str, list]] = {}
    for r in reports:
        for q in r.questions:
            by_ex.setdefault(r.exercise, {}).setdefault(q["key"], []).append(
                q["score"] / q["points"] if q["points"] else 0.0)
    for ex, qs in by_ex.items():
        lines += ["", f"## {ex}: mean credit per question", "",
                  "| question | mean credit | submissions |", "| --- | --- | --- |"]
        for key, vals in qs.items():
            lines.append(f"| {key} | {100 * sum(vals) / len(vals):.0f}% | {len(vals)} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def default_questions_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "exercises" / "questions"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labtools.grade",
        description="Grade exercise notebooks in fresh kernels, trusting nothing they claim.")
    parser.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--out", required=True, help="folder for the reports")
    parser.add_argument("--questions", default=None,
                        help="folder of compiled question banks (default: exercises/questions "
                             "of this repository)")
    parser.add_argument("--exercise", default=None,
                        help="grade every submission as this exercise (default: read the "
                             "notebook's metadata, then its file name)")
    parser.add_argument("--cell-timeout", type=float, default=30.0)
    parser.add_argument("--total-timeout", type=float, default=300.0)
    parser.add_argument("--question-timeout", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random test cases (default: fresh per submission)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    for name in ("cell_timeout", "total_timeout", "question_timeout"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, "
                         f"got {getattr(args, name)}")
    try:
        banks = load_banks(Path(args.questions) if args.questions else default_questions_dir())
        if args.exercise is not None and args.exercise not in banks:
            parser.error(f"--exercise must be one of {', '.join(sorted(banks))}; "
                         f"got {args.exercise!r}")
        subs = find_submissions(args.submissions)
        if not subs:
            parser.error("no notebooks found in " + ", ".join(args.submissions))
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as err:
        print(f"labtools.grade: {err}", file=sys.stderr)
        return 2
    settings = Settings(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                        question_timeout=args.question_timeout, seed=args.seed)
    reports, failed = [], False
    for path, student in subs:
        try:
            r = grade_submission(path, student, banks, settings, args.exercise)
        except Exception as err:  # a bug or an environment problem in the grader
            failed = True
            r = Report(submission=str(path), student=student, status="error",
                       notes=[f"grader error: {type(err).__name__}: {err}"[:300]])
        reports.append(r)
        if not args.quiet:
            print(f"{student:>20}  {r.exercise or '?':<24} {r.score:g}/{r.max_score:g}  "
                  f"{r.status}", flush=True)
    write_reports(reports, Path(args.out))
    if not args.quiet:
        print(f"reports written to {Path(args.out).resolve()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
