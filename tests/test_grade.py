"""The grader: honest scores for honest notebooks, no inflation from hostile ones.

Two grader runs are shared by the tests of this module: one over every solution
and student version of the exercises, one over the hostile fixtures in
``tests/fixtures/submissions`` (each fixture's first cell says what it does and
what it should score).
"""

import csv
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from labtools.grading import code_checks, harness

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))

pytestmark = pytest.mark.slow


# the instructor's secret for the variant questions (a test value)
ENV = dict(os.environ, LABTOOLS_GRADING_SECRET="test-grading-secret-0123456789")


def run_grader(args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "labtools.grade", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=900, env=ENV)


def reports(out: Path) -> dict:
    return {json.loads(p.read_text())["student"]: json.loads(p.read_text())
            for p in (out / "reports").glob("*.json")}


def once(tmp_path_factory, name, produce):
    """Run ``produce(folder)`` once per test session, even under pytest-xdist.

    Grading runs real kernels; with ``-n 2`` each worker would otherwise repeat
    it. The first worker to get here runs it and leaves the result (JSON) in the
    session's shared temporary folder for the others.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return produce(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.json"
        if not done.exists():
            folder = shared / name
            folder.mkdir()
            done.write_text(json.dumps(produce(folder)))
        return json.loads(done.read_text())


def _grade_versions(folder: Path) -> dict:
    # one sub-folder per "student": the grader names rows after the sub-folder
    subs = folder / "submissions"
    for nb in EXERCISES:
        (subs / "solution").mkdir(parents=True, exist_ok=True)
        (subs / "student").mkdir(exist_ok=True)
        shutil.copy(ROOT / "exercises" / "solutions" / nb.name, subs / "solution" / nb.name)
        shutil.copy(nb, subs / "student" / nb.name)
    out = folder / "out"
    result = run_grader([subs, "--out", out, "--cell-timeout", "60", "--quiet"])
    return {"returncode": result.returncode, "stderr": result.stderr, "out": str(out)}


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Grade every solution version and every student version in one call."""
    run = once(tmp_path_factory, "versions", _grade_versions)
    assert run["returncode"] == 0, run["stderr"]
    out = Path(run["out"])
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    return rows, out


def _grade_hostile(folder: Path) -> dict:
    # The broken file is made here rather than committed, so that linting the
    # repository's notebooks does not trip over it.
    subs = folder / "submissions"
    subs.mkdir()
    for nb in FIXTURES.glob("*.ipynb"):
        shutil.copy(nb, subs / nb.name)
    (subs / "not_a_notebook.ipynb").write_bytes(b"%PDF-1.4 this is not a notebook {\x00")
    before = sorted(p.name for p in subs.iterdir())
    out = folder / "out"
    result = run_grader([subs, "--out", out, "--cell-timeout", "5",
                         "--question-timeout", "3", "--total-timeout", "60"])
    return {"returncode": result.returncode, "stderr": result.stderr, "out": str(out),
            "folder": str(subs), "before": before}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Grade a copy of the fixtures plus a file that is not a notebook at all."""
    run = once(tmp_path_factory, "hostile", _grade_hostile)
    out = Path(run["out"])
    return run, reports(out), out, (Path(run["folder"]), run["before"])


def test_solution_versions_score_full_marks(versions):
    rows, _ = versions
    sol = [r for r in rows if r["student"] == "solution"]
    assert len(sol) == len(EXERCISES)
    for r in sol:
        assert r["status"] == "graded" and float(r["score"]) == float(r["max_score"]) > 0, r
        assert r["notes"] == "", r  # no cell raised


def test_blank_student_versions_score_zero_and_run_cleanly(versions):
    rows, out = versions
    stu = [r for r in rows if r["student"] == "student"]
    assert {r["exercise"] for r in stu} == {nb.stem for nb in EXERCISES}
    for r in stu:
        assert r["status"] == "graded" and float(r["score"]) == 0.0, r
        assert r["notes"] == "", r
    for p in (out / "reports").glob("student__*.json"):
        for q in json.loads(p.read_text())["questions"]:
            assert q["status"] == "unanswered", (p.name, q)


def test_gradebook_and_summary_are_written(versions):
    rows, out = versions
    assert len(rows) == 2 * len(EXERCISES)
    assert set(rows[0]) >= {"student", "exercise", "score", "max_score", "percent", "status"}
    summary = (out / "summary.md").read_text()
    assert "| solution | saddle_quiz | 2.25 / 2.25 | 100 |" in summary
    assert "q1 (practice, 0.25 pt)" in summary  # choice questions weighted as practice
    assert "mean credit per question" in summary


# fixture -> score out of 6.5 (ex03_saddle_points: q1, q3 code and q2, q4, q6, q8
# variants 1 point each; q5, q7 choice weighted as practice, 0.25; q7, q8 left
# unanswered). The value answers are computed from the learner's own numbers.
EXPECTED = {
    "raises": 1.25, "infinite_loop": 1.25, "sys_exit": 1.25, "os_exit": 1.25,
    "kernel_crash": 1.25, "huge_output": 1.25, "files": 1.25, "code_hangs": 2.25,
    "code_exits": 2.25, "shadowing": 5.25,
    "monkeypatch": 0, "redefined_builtins": 0, "forged_builtins": 0, "fake_output": 0,
}


def test_grader_survives_every_hostile_fixture(hostile):
    run, got, _, _ = hostile
    assert run["returncode"] == 0, run["stderr"]
    assert set(got) == set(EXPECTED) | {"not_a_notebook"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_fixture_scores_exactly_what_it_earned(hostile, name):
    _, got, _, _ = hostile
    r = got[name]
    assert r["status"] == "graded", r
    assert r["exercise"] == "ex03_saddle_points"
    assert r["score"] == EXPECTED[name], r
    assert r["max_score"] == 6.5


def test_no_score_exceeds_its_maximum(hostile):
    _, got, _, _ = hostile
    for r in got.values():
        assert 0 <= r["score"] <= r["max_score"]
        for q in r["questions"]:
            assert 0 <= q["score"] <= q["points"]


def test_hostile_events_are_reported(hostile):
    _, got, _, _ = hostile
    assert any("killed the kernel" in n for n in got["os_exit"]["notes"])
    assert any("killed the kernel" in n for n in got["kernel_crash"]["notes"])
    assert any("was stopped" in n for n in got["infinite_loop"]["notes"])
    assert any("SystemExit" in n for n in got["sys_exit"]["notes"])
    q1 = {q["key"]: q for q in got["code_hangs"]["questions"]}["q1"]
    assert q1["score"] == 0 and "longer than" in q1["message"]
    q1 = {q["key"]: q for q in got["code_exits"]["questions"]}["q1"]
    assert q1["score"] == 0 and "killed the kernel" in q1["message"]


def test_not_a_notebook_is_an_error_row_not_a_crash(hostile):
    _, got, out, _ = hostile
    r = got["not_a_notebook"]
    assert r["status"] == "error" and r["score"] == 0
    assert "not a readable notebook" in r["notes"][0]
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert {row["student"] for row in rows} == set(got)


def test_file_writes_and_deletes_stay_in_the_scratch_folder(hostile):
    _, _, out, (folder, before) = hostile
    # the `files` fixture deletes every file in its working folder and writes junk
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not (folder / "junk.bin").exists() and not (ROOT / "junk.bin").exists()
    assert (out / "gradebook.csv").exists() and (out / "summary.md").exists()


def test_bad_arguments_exit_nonzero(tmp_path):
    result = run_grader([tmp_path / "missing.ipynb", "--out", tmp_path / "o"])
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = run_grader([tmp_path, "--out", tmp_path / "o"])  # an empty folder
    assert result.returncode == 2 and "no notebooks" in result.stderr


# ----------------------------------------------- the grader's own references --

@pytest.mark.parametrize("name", sorted(code_checks.CODE_CHECKS))
def test_reference_passes_its_own_check_and_a_wrong_answer_fails(name):
    spec = code_checks.CODE_CHECKS[name]
    cases = spec.make_cases(np.random.default_rng(7))
    assert len(cases) >= 5
    outputs = harness.run_cases(spec.reference, cases, spec.array_args)
    assert spec.judge(cases, outputs, 1.0, name).status == "correct"

    def off(*args):
        value = spec.reference(*args)
        if isinstance(value, str):
            return "saddle" if value != "saddle" else "minimum"
        if isinstance(value, tuple):
            return tuple(np.asarray(v) * 1.01 + 0.01 for v in value)
        return np.asarray(value) * 1.01 + 0.01

    outputs = harness.run_cases(off, cases, spec.array_args)
    assert spec.judge(cases, outputs, 1.0, name).status == "wrong"


def test_classify_hessian_cases_cover_every_kind():
    cases = code_checks.CODE_CHECKS["classify_hessian"].make_cases(np.random.default_rng(0))
    kinds = {code_checks._classify_hessian(np.array(c[0])) for c in cases}
    assert kinds == {"minimum", "maximum", "saddle", "degenerate"}


def test_plain_limits_what_a_kernel_can_send():
    assert harness.plain(np.float32(1.5)) == 1.5
    assert harness.plain(np.arange(3)) == [0.0, 1.0, 2.0]
    assert harness.plain(float("nan")) == {"__float__": "nan"}
    assert "too large" in harness.plain(np.zeros(200_000))["__repr__"]
    assert harness.plain(object())["__repr__"].startswith("<object")


def test_grading_never_imports_the_widgets():
    code = ("import sys, labtools.grade, labtools.assign, labtools.quiz\n"
            "bad = [m for m in sys.modules if 'widget' in m]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
