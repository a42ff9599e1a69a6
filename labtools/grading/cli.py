"""``python -m labtools.grade``: grade a folder of exercise notebooks without trusting them.

Usage::

    python -m labtools.grade SUBMISSION.ipynb [MORE.ipynb | FOLDER ...] --out DIR
        [--roster roster.csv] [--jobs N] [--memory-mb 1024] [--unsafe-no-sandbox]
    python -m labtools.grade export-gradescope --out bundle.zip

Every submission runs in its own sandbox (:mod:`labtools.grading.sandbox`).
Where no sandbox can be made, the grader refuses to run unless
``--unsafe-no-sandbox`` is given, and says why. Reports go to ``DIR/reports``
as each submission finishes, with ``DIR/gradebook.csv`` and ``DIR/summary.md``
rebuilt each time (:mod:`labtools.grading.gradebook`); running again over the
same folders resumes. The exit status is 0 unless the grader itself failed (bad
arguments, an internal error).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .gradebook import Gradebook, find_submissions, read_roster
from .grader import Report, Settings, grade_submission, load_banks
from .questions import default_questions_dir
from .sandbox import Limits, prepare_environment, sandbox_problem
from .variants import read_secret

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m labtools.grade",
        description="Grade exercise notebooks in sandboxed kernels, trusting nothing "
                    "they claim. (`python -m labtools.grade export-gradescope --help` "
                    "builds a Gradescope autograder instead.)")
    parser.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--out", required=True, help="folder for the reports")
    parser.add_argument("--questions", default=None,
                        help="folder of compiled question banks (default: exercises/questions "
                             "of this repository)")
    parser.add_argument("--exercise", default=None,
                        help="grade every submission as this exercise (default: the "
                             "exercise its file name names)")
    parser.add_argument("--roster", default=None,
                        help="CSV of student ids (first column, or a 'student'/'id' column)")
    parser.add_argument("--cell-timeout", type=float, default=30.0)
    parser.add_argument("--total-timeout", type=float, default=300.0,
                        help="hard bound per notebook, restarts and answer reads included")
    parser.add_argument("--question-timeout", type=float, default=20.0)
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb,
                        help="memory of each sandbox")
    parser.add_argument("--max-processes", type=int, default=Limits.pids,
                        help="processes and threads in each sandbox")
    parser.add_argument("--jobs", type=int, default=1,
                        help="submissions graded at once, each in its own sandbox")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the random test cases (default: fresh per submission)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run kernels as plain child processes of the grader, with the "
                             "grader's rights: only for notebooks you trust")
    parser.add_argument("--secret-file", default=None,
                        help="the instructor's secret for variant questions (default: "
                             "$LABTOOLS_GRADING_SECRET); never inside the repository")
    parser.add_argument("--quiet", action="store_true")
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    for name in ("cell_timeout", "total_timeout", "question_timeout"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, "
                         f"got {getattr(args, name)}")
    for name, low in (("jobs", 1), ("memory_mb", 256), ("max_processes", 16)):
        if getattr(args, name) < low:
            parser.error(f"--{name.replace('_', '-')} must be at least {low}, "
                         f"got {getattr(args, name)}")
    if not args.unsafe_no_sandbox:
        problem = sandbox_problem()
        if problem:
            print("labtools.grade: refusing to grade untrusted notebooks without a sandbox: "
                  f"{problem}. Pass --unsafe-no-sandbox to run them with your own rights "
                  "(only for notebooks you trust).", file=sys.stderr)
            return 2
    try:
        qdir = Path(args.questions) if args.questions else default_questions_dir()
        banks = load_banks(qdir)
        if args.exercise is not None and args.exercise not in banks:
            parser.error(f"--exercise must be one of {', '.join(sorted(banks))}; "
                         f"got {args.exercise!r}")
        roster = read_roster(args.roster) if args.roster else None
        secret = None
        if any(q["kind"] == "variant" for b in banks.values() for q in b["questions"]):
            secret = read_secret(args.secret_file)
        subs = find_submissions(args.submissions, roster)
        if not subs:
            parser.error("no notebooks found in " + ", ".join(args.submissions))
        book = Gradebook(Path(args.out), roster)
    except (OSError, ValueError) as err:
        print(f"labtools.grade: {err}", file=sys.stderr)
        return 2
    limits = Limits(memory_mb=args.memory_mb, pids=args.max_processes,
                    cpu_seconds=int(args.total_timeout) + 30)
    with tempfile.TemporaryDirectory(prefix="labtools-env-") as env:
        env_dir = None if args.unsafe_no_sandbox else prepare_environment(Path(env), qdir)
        settings = Settings(cell_timeout=args.cell_timeout, total_timeout=args.total_timeout,
                            question_timeout=args.question_timeout, seed=args.seed,
                            env_dir=env_dir, limits=limits, secret=secret)
        failed = _grade_all(subs, banks, settings, book, args)
    if not args.quiet:
        print(f"reports written to {Path(args.out).resolve()}")
    return 1 if failed else 0


def _grade_all(subs, banks, settings, book: Gradebook, args) -> bool:
    results: dict[str, Report] = {}
    lock = threading.Lock()
    failed = False
    for sub in subs:
        done = book.done(sub)
        if done is not None:
            results[sub.key] = done

    def publish():
        book.write([(s, results[s.key]) for s in subs if s.key in results])

    def one(sub):
        nonlocal failed
        grader_error = False
        try:
            r = grade_submission(sub.path, sub.student, banks, settings, args.exercise)
        except Exception as err:  # a bug or an environment problem in the grader
            grader_error = True
            r = Report(submission=str(sub.path), student=sub.student, status="error",
                       notes=[f"grader error: {type(err).__name__}: {err}"[:300]])
        with lock:
            failed = failed or grader_error
            book.save(sub, r, grader_error)
            results[sub.key] = r
            publish()
            if not args.quiet:
                print(f"{sub.student:>20}  {r.exercise or '?':<24} {r.score:g}/{r.max_score:g}"
                      f"  {r.status}", flush=True)

    todo = [s for s in subs if s.key not in results]
    if not args.quiet and len(todo) < len(subs):
        print(f"resuming: {len(subs) - len(todo)} of {len(subs)} already graded", flush=True)
    if args.jobs == 1:
        for sub in todo:
            one(sub)
    else:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(one, todo))
    publish()
    return failed
