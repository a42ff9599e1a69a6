"""A Gradescope autograder running the same grader (`python -m labtools.grade export-gradescope`).

Gradescope's autograder specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications") asks for a zip whose root holds ``setup.sh`` (run
once, as root, when the image is built) and ``run_autograder`` (run for every
submission, in ``/autograder``, with the learner's files in
``/autograder/submission``); it must leave ``/autograder/results/results.json``
with a ``score`` and a list of ``tests`` (``name``, ``score``, ``max_score``,
``output``, ``visibility``).

The bundle built here holds this ``labtools`` and the compiled question banks
under ``source/``. ``setup.sh`` installs Python, the course's requirements and
bubblewrap; ``run_autograder`` grades every notebook of the submission with
:mod:`labtools.grading.cli`, in the sandbox when the container allows
namespaces, and turns the reports into ``results.json``, one test per
question. The grader's results are written only after every kernel is gone,
through a temporary file and a rename.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from .questions import default_questions_dir
from .variants import read_secret

__all__ = ["build_bundle", "results_json", "main"]

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip bubblewrap \\
    util-linux >/dev/null
PY=python3
if apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv >/dev/null 2>&1; then
  PY=python3.11
fi
$PY -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -r /autograder/source/requirements.txt
/autograder/venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (working folder /autograder).
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PY="${LABTOOLS_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT/source"
PYTHONPATH="$ROOT/source" exec "$PY" -m labtools.grading.gradescope run --root "$ROOT"
"""


SECRET_NAME = "variant_secret.txt"  # in the bundle, which only instructors can read
METADATA = "submission_metadata.json"  # Gradescope's: who submitted


def build_bundle(out: Path, questions: Path, secret: bytes | None = None) -> Path:
    """Write the autograder zip to ``out`` and return its path.

    When a bank has variant questions the instructor's ``secret`` goes into the
    bundle (``variant_secret.txt``): the zip is uploaded to Gradescope's
    instructor side only, and the grader needs it to recompute each learner's
    key. Without it such banks are refused.
    """
    pkg = Path(__file__).resolve().parents[1]  # the labtools package
    repo = pkg.parent
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            z.writestr(info, text)
        req = repo / "requirements.txt"
        if req.is_file():
            z.write(req, "requirements.txt")
        for path in sorted(pkg.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, str(Path("labtools") / path.relative_to(pkg)))
        banks = sorted(Path(questions).glob("*.json"))
        if not banks:
            raise FileNotFoundError(f"no compiled question banks (*.json) in {questions}")
        for bank in banks:
            z.write(bank, f"exercises/questions/{bank.name}")
        if secret is not None:
            info = zipfile.ZipInfo(SECRET_NAME)
            info.external_attr = 0o600 << 16
            z.writestr(info, secret.decode() + "\n")
    return out


def _has_variants(questions: Path) -> bool:
    return any(q.get("kind") == "variant"
               for bank in sorted(Path(questions).glob("*.json"))
               for q in json.loads(bank.read_text(encoding="utf-8")).get("questions", []))


def learner_id(root: Path) -> str:
    """The submitting learner's id from Gradescope's ``submission_metadata.json``.

    The first user's ``email`` (else ``sid``, else ``name``): the id the
    instructor's roster used for ``python -m labtools.assign --variants``.
    ``"submission"`` when there is no metadata (a local test run).
    """
    try:
        users = json.loads((root / METADATA).read_text(encoding="utf-8")).get("users") or []
    except (OSError, ValueError):
        users = []
    for field in ("email", "sid", "name"):
        value = str(users[0].get(field) or "").strip() if users else ""
        if value and "/" not in value and not value.startswith("."):
            return value
    return "submission"


def results_json(reports: list[dict], seconds: float) -> dict:
    """Gradescope's ``results.json`` for the reports of one submission."""
    tests, output = [], []
    score = 0.0
    for r in reports:
        score += float(r.get("score", 0))
        label = r.get("exercise") or Path(r.get("submission", "?")).name
        for note in r.get("notes", []):
            output.append(f"{label}: {note}")
        if not r.get("questions"):
            tests.append({"name": f"{label}: not graded", "score": 0.0,
                          "max_score": float(r.get("max_score", 0)),
                          "output": "; ".join(r.get("notes", [])) or r.get("status", ""),
                          "visibility": "visible", "status": "failed"})
        for q in r.get("questions", []):
            tests.append({"name": f"{label} {q['key']} ({q['kind']})",
                          "score": float(q["score"]), "max_score": float(q["points"]),
                          "output": q.get("message", ""), "visibility": "visible",
                          "status": "passed" if q["score"] >= q["points"] else "failed"})
    if not reports:
        output.append("No notebook (.ipynb) was found in the submission.")
    return {"score": round(score, 4), "execution_time": round(seconds, 1),
            "output": "\n".join(output), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def run(root: Path) -> int:
    """Grade ``root/submission`` and write ``root/results/results.json``."""
    import time

    from .cli import main as grade_main
    from .sandbox import sandbox_problem

    root = Path(root)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    notebooks = sorted((root / "submission").rglob("*.ipynb"))
    notebooks = [p for p in notebooks if ".ipynb_checkpoints" not in p.parts]
    work = Path(tempfile.mkdtemp(prefix="labtools-gs-"))
    os.chmod(work, 0o700)
    reports: list[dict] = []
    if notebooks:
        # the grader names a learner after the folder their notebooks are in
        subs = work / "subs" / learner_id(root)
        subs.mkdir(parents=True)
        for nb in notebooks:
            shutil.copyfile(nb, subs / nb.name)
        args = [str(subs), "--out", str(work / "out"), "--quiet",
                "--questions", str(root / "source" / "exercises" / "questions")]
        if (root / "source" / SECRET_NAME).is_file():
            args += ["--secret-file", str(root / "source" / SECRET_NAME)]
        problem = sandbox_problem()
        if problem:
            # Gradescope's container is this submission's own; without namespaces
            # inside it, the kernel runs unsandboxed (see the instructor guide).
            print(f"labtools: no sandbox inside this container ({problem}); "
                  "grading with --unsafe-no-sandbox", file=sys.stderr)
            args.append("--unsafe-no-sandbox")
        grade_main(args)
        for p in sorted((work / "out" / "reports").glob("*.json")):
            reports.append(json.loads(p.read_text(encoding="utf-8")))
    data = results_json(reports, time.monotonic() - t0)
    tmp = results / ".results.json.tmp"
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, results / "results.json")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labtools.grade export-gradescope",
        description="Build a Gradescope autograder zip (setup.sh, run_autograder, "
                    "labtools and the compiled question banks).")
    parser.add_argument("--out", required=True, help="path of the zip to write")
    parser.add_argument("--questions", default=None,
                        help="folder of compiled question banks (default: exercises/questions)")
    parser.add_argument("--secret-file", default=None,
                        help="the instructor's secret for variant questions (default: "
                             "$LABTOOLS_GRADING_SECRET); it is put in the bundle")
    args = parser.parse_args(argv)
    questions = Path(args.questions) if args.questions else default_questions_dir()
    try:
        secret = read_secret(args.secret_file) if _has_variants(questions) else None
        path = build_bundle(Path(args.out), questions, secret)
    except (OSError, ValueError) as err:
        print(f"labtools.grade export-gradescope: {err}", file=sys.stderr)
        return 2
    print(f"Gradescope autograder written to {path}")
    return 0


def _entry(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labtools.grading.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade /autograder/submission (what run_autograder calls)")
    r.add_argument("--root", default="/autograder")
    args = parser.parse_args(argv)
    return run(Path(args.root))


if __name__ == "__main__":
    sys.exit(_entry())
