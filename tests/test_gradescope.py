"""The Gradescope bundle: built by `python -m labtools.grade export-gradescope`, run locally.

Gradescope's layout is imitated in a temporary folder (``source/`` from the
zip, ``submission/``, ``results/``); ``run_autograder`` is run with the
course's Python instead of the venv ``setup.sh`` would build.
"""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from labtools.grading.gradescope import learner_id, results_json
from labtools.quiz import load_questions

ROOT = Path(__file__).resolve().parent.parent
SECRET = "gradescope-test-secret-0123456789"


def test_results_json_follows_gradescopes_format():
    report = {"exercise": "ex03_saddle_points", "score": 1.5, "max_score": 2,
              "notes": ["cell 3 (`x = 1/0`) raised ZeroDivisionError: division by zero"],
              "questions": [{"key": "q1", "kind": "numeric", "score": 1.0, "points": 1.0,
                             "message": "Well done."},
                            {"key": "q2", "kind": "choice", "score": 0.5, "points": 1.0,
                             "message": "partly"}]}
    data = results_json([report], 3.21)
    assert data["score"] == 1.5 and data["execution_time"] == 3.2
    assert [t["name"] for t in data["tests"]] == ["ex03_saddle_points q1 (numeric)",
                                                  "ex03_saddle_points q2 (choice)"]
    for t in data["tests"]:
        assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
    assert "cell 3" in data["output"]
    assert results_json([], 0.0)["tests"] == [] and "No notebook" in results_json([], 0)["output"]


@pytest.mark.slow
def test_bundle_runs_in_an_autograder_layout(tmp_path):
    bundle = tmp_path / "autograder.zip"
    cmd = [sys.executable, "-m", "labtools.grade", "export-gradescope", "--out", str(bundle)]
    no_secret = {k: v for k, v in os.environ.items() if k != "LABTOOLS_GRADING_SECRET"}
    refused = subprocess.run(cmd, cwd=ROOT, env=no_secret, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 2 and "--secret-file" in refused.stderr  # variants
    made = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=dict(no_secret, LABTOOLS_GRADING_SECRET=SECRET))
    assert made.returncode == 0, made.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        assert {"setup.sh", "run_autograder", "requirements.txt"} <= set(names)
        assert "exercises/questions/ex03_saddle_points.json" in names
        assert not any("source/questions" in n or n.endswith(".toml") for n in names)
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(root / "source" / script)]).returncode == 0
    (root / "submission").mkdir()
    # Gradescope says who submitted; the grader draws that learner's numbers
    (root / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"email": "ann@example.edu", "name": "Ann", "sid": "17"}]}))
    shutil.copy(ROOT / "exercises" / "solutions" / "ex03_saddle_points.ipynb",
                root / "submission" / "ex03_saddle_points.ipynb")
    env = dict(no_secret, AUTOGRADER_ROOT=str(root), LABTOOLS_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)  # the bundle's own labtools, nothing else
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == load_questions("ex03_saddle_points").max_score
    assert len(data["tests"]) == len(load_questions("ex03_saddle_points"))
    assert all(t["score"] == t["max_score"] for t in data["tests"])
    assert SECRET not in (root / "results" / "results.json").read_text()
    # the variant answers were checked against ann's own numbers, not another's
    assert learner_id(root) == "ann@example.edu"
