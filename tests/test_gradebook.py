"""The gradebook (identity, flags, escaping, atomic writes) and the sandbox refusal, no kernels."""

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from labtools.grading.gradebook import (
    Gradebook,
    csv_safe,
    find_submissions,
    md_cell,
    read_roster,
    write_atomic,
)
from labtools.grading.grader import Report

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_formulas_are_neutralised(text):
    assert csv_safe(text) == "'" + text


def test_plain_text_is_left_alone():
    assert csv_safe("alice") == "alice" and csv_safe("6") == "6"


def test_markdown_cells_are_escaped():
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert md_cell("two\nlines") == "two lines"


def test_identity_comes_from_folder_roster_or_file_name(tmp_path):
    (tmp_path / "alice").mkdir()
    for name in ("alice/ex03_saddle_points.ipynb", "bob__ex03_saddle_points.ipynb",
                 "carol-ex03_saddle_points.ipynb", "stranger.ipynb"):
        (tmp_path / name).write_text("{}")
    roster = ["alice", "bob", "carol"]
    subs = {s.path.name: s.student for s in find_submissions([tmp_path], roster)}
    assert subs == {"ex03_saddle_points.ipynb": "alice", "bob__ex03_saddle_points.ipynb": "bob",
                    "carol-ex03_saddle_points.ipynb": "carol", "stranger.ipynb": "stranger"}


def test_roster_reads_a_student_column(tmp_path):
    (tmp_path / "r.csv").write_text("name,student\nAnn,ann1\nBo,bo2\n")
    assert read_roster(tmp_path / "r.csv") == ["ann1", "bo2"]
    (tmp_path / "d.csv").write_text("x\nx\n")
    with pytest.raises(ValueError, match="twice"):
        read_roster(tmp_path / "d.csv")


def test_flags_duplicates_and_strangers_and_writes_atomically(tmp_path):
    for name in ("a/ex03_saddle_points.ipynb", "a/ex03_saddle_points (1).ipynb",
                 "z/ex03_saddle_points.ipynb"):
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "in" / name).write_text("{}")
    subs = find_submissions([tmp_path / "in"])
    book = Gradebook(tmp_path / "out", roster=["a"])
    rows = [(s, Report(submission=str(s.path), student=s.student,
                       exercise="ex03_saddle_points", score=1, max_score=6,
                       sha256=hashlib.sha256(s.path.read_bytes()).hexdigest()))
            for s in subs]
    for s, r in rows:
        book.save(s, r)
    book.write(rows)
    got = list(csv.DictReader(open(tmp_path / "out" / "gradebook.csv", encoding="utf-8")))
    assert [r["flags"].count("2 files from a") for r in got] == [1, 1, 0]
    assert "z is not on the roster" in got[2]["flags"]
    assert not [p for p in (tmp_path / "out").rglob(".*")]
    assert book.done(subs[0]).score == 1
    (tmp_path / "in" / "z" / "ex03_saddle_points.ipynb").write_text('{"changed": 1}')
    assert book.done(subs[2]) is None  # changed since: graded again


def test_write_atomic_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "f.txt"
    write_atomic(target, "old")


    with pytest.raises(TypeError):
        write_atomic(target, 3)  # not text: fails before the rename
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_grader_refuses_without_a_sandbox_and_says_why(tmp_path):
    nb = ROOT / "exercises" / "ex03_saddle_points.ipynb"
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap to be found
    run = subprocess.run([sys.executable, "-m", "labtools.grade", str(nb), "--out",
                          str(tmp_path / "o")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2
    assert "refusing to grade untrusted notebooks without a sandbox" in run.stderr
    assert "bubblewrap (bwrap) is not installed" in run.stderr
    assert "--unsafe-no-sandbox" in run.stderr
