"""Graded variant questions: one set of numbers per learner, keys stored nowhere (15.2)."""

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from labtools.curvature import classify
from labtools.grading.assign import AuthoringError, compile_bank, write_variants
from labtools.grading.questions import QuestionSet
from labtools.grading.sandbox import sandbox_problem
from labtools.grading.variants import GENERATORS, make_variant, read_secret, variant_seed

ROOT = Path(__file__).resolve().parent.parent
SECRET = b"course-secret-0123456789"
BANK = """
salt = "0f0f0f0f"
[[questions]]
key = "q1"
kind = "variant"
name = "answer_q1"
generator = "escape_steps"
prompt = "GD, lr = {lr}, λ_min = {lam}, start {eps} off the stable manifold: steps to escape?"
[[questions]]
key = "q2"
kind = "variant"
name = "answer_q2"
generator = "classify_point"
prompt = "A critical point has Hessian [[{h11}, {h12}], [{h12}, {h22}]]. Classify it."
"""


def test_secret_comes_from_a_file_or_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LABTOOLS_GRADING_SECRET", raising=False)
    with pytest.raises(ValueError, match="--secret-file"):
        read_secret()
    (tmp_path / "s").write_text("short")
    with pytest.raises(ValueError, match="at least 16"):
        read_secret(tmp_path / "s")
    monkeypatch.setenv("LABTOOLS_GRADING_SECRET", "x" * 20)
    assert read_secret() == b"x" * 20


def test_seeds_differ_per_learner_question_and_secret():
    seeds = {variant_seed(s, who, q) for s in (SECRET, SECRET + b"!")
             for who in ("alice", "bob") for q in ("e/q1", "e/q2")}
    assert len(seeds) == 8
    assert variant_seed(SECRET, "alice", "e/q1") == variant_seed(SECRET, "alice", "e/q1")


@pytest.mark.parametrize("learner", ["alice", "bob", "carol", "dan"])
def test_keys_are_recomputed_from_the_parameters(learner):
    v = make_variant("escape_steps", SECRET, learner, "e/q1")
    p = v.params
    want = math.log(1 / float(p["eps"])) / math.log(1 + p["lr"] * abs(p["lam"]))
    assert v.key == pytest.approx(want) and v.check(want) and v.check(np.array([want]))
    assert not v.check(want + 0.2)
    v = make_variant("classify_point", SECRET, learner, "e/q2")
    h = np.array([[v.params["h11"], v.params["h12"]], [v.params["h12"], v.params["h22"]]])
    assert v.key == [classify(h)] and v.check(v.key[0].upper()) and v.check(v.key)
    v = make_variant("step_size_limit", SECRET, learner, "e/q3")
    assert v.check(2 / max(v.params["a"], v.params["b"]))


def test_generators_vary():
    for name in GENERATORS:
        params = {json.dumps(make_variant(name, SECRET, f"s{i}", "e/q").params)
                  for i in range(20)}
        assert len(params) >= 10, name


def test_compiled_bank_and_learner_files_hold_no_key(tmp_path):
    bank = compile_bank(BANK, "vq_demo")
    assert all(set(q) == {"key", "qid", "kind", "name", "points", "prompt", "generator",
                          "practice"} for q in bank["questions"])
    paths = write_variants({"vq_demo": bank}, ["alice", "bob"], SECRET, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in paths) == [
        "alice/my_variants.json", "bob/my_variants.json"]
    data = json.loads((tmp_path / "alice" / "my_variants.json").read_text())
    key = make_variant("escape_steps", SECRET, "alice", "vq_demo/q1").key
    assert data["vq_demo/q1"] == make_variant("escape_steps", SECRET, "alice",
                                              "vq_demo/q1").params
    text = (tmp_path / "alice" / "my_variants.json").read_text()
    assert f"{key:.3f}"[:-1] not in text
    qs = QuestionSet(bank, data)
    assert f"lr = {data['vq_demo/q1']['lr']}" in str(qs["q1"])
    assert "graded by your instructor" in qs["q1"].evaluate(3.0).message
    assert "graded by your instructor" in qs["q1"]._repr_html_()


def test_authoring_errors_name_the_problem():
    with pytest.raises(AuthoringError, match="generator must be one of"):
        compile_bank(BANK.replace("escape_steps", "nope"), "vq_demo")
    with pytest.raises(AuthoringError, match="placeholders"):
        compile_bank(BANK.replace("{lr}", "{learning_rate}"), "vq_demo")


@pytest.mark.slow
@pytest.mark.skipif(sandbox_problem() is not None, reason="no sandbox here")
def test_grader_checks_each_learner_against_their_own_key(tmp_path):
    qdir = tmp_path / "questions"
    qdir.mkdir()
    (qdir / "vq_demo.json").write_text(json.dumps(compile_bank(BANK, "vq_demo")))
    k1 = make_variant("escape_steps", SECRET, "alice", "vq_demo/q1").key
    k2 = make_variant("classify_point", SECRET, "alice", "vq_demo/q2").key
    copied = nbformat.v4.new_notebook()  # alice's numbers, handed in by bob too
    copied.cells = [nbformat.v4.new_code_cell(f"answer_q1 = {k1!r}\nanswer_q2 = {k2!r}")]
    worked = nbformat.v4.new_notebook()  # computes from the learner's own numbers
    worked.cells = [nbformat.v4.new_code_cell(
        "import math\nimport labtools as lt\n"
        "qs = lt.load_questions('vq_demo', variants='my_variants.json')\n"
        "p = qs['q1'].params\n"
        "answer_q1 = math.log(1 / float(p['eps'])) / math.log(1 + p['lr'] * abs(p['lam']))\n"
        "h = qs['q2'].params\n"
        "answer_q2 = lt.classify([[h['h11'], h['h12']], [h['h12'], h['h22']]])")]
    for who, nb in (("alice", copied), ("bob", copied), ("carol", worked), ("dan", worked)):
        (tmp_path / "subs" / who).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "subs" / who / "vq_demo.ipynb")
    cmd = [sys.executable, "-m", "labtools.grade", str(tmp_path / "subs"), "--out",
           str(tmp_path / "out"), "--questions", str(qdir), "--quiet"]
    env = {k: v for k, v in os.environ.items() if k != "LABTOOLS_GRADING_SECRET"}
    refused = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 2 and "secret" in refused.stderr
    env["LABTOOLS_GRADING_SECRET"] = SECRET.decode()
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    got = {json.loads(p.read_text())["student"]: json.loads(p.read_text())
           for p in (tmp_path / "out" / "reports").glob("*.json")}
    assert got["alice"]["score"] == 2
    bob = [make_variant("escape_steps", SECRET, "bob", "vq_demo/q1").check(k1),
           make_variant("classify_point", SECRET, "bob", "vq_demo/q2").check(k2)]
    assert got["bob"]["score"] == sum(bob) < 2
    assert got["carol"]["score"] == got["dan"]["score"] == 2, got["carol"]
    for p in (tmp_path / "out").rglob("*"):
        if p.is_file():
            assert SECRET.decode() not in p.read_text()
    shutil.rmtree(tmp_path / "subs")
