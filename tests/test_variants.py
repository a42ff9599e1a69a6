"""Graded variant questions: one set of numbers per learner, keys stored nowhere (15.2)."""

import itertools
import json
import math
import os
import shutil
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import nbformat
import numpy as np
import pytest

import labtools as lt
from labtools.curvature import classify
from labtools.grading.assign import AuthoringError, compile_bank, write_variants
from labtools.grading.questions import QuestionSet, load_questions
from labtools.grading.sandbox import sandbox_problem
from labtools.grading.variants import (
    GENERATORS,
    LABELS_1D,
    LABELS_2D,
    make_variant,
    practice_variant,
    read_secret,
    variant_seed,
)

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


@pytest.mark.slow  # test_bank_variant checks every bank generator's variety in make unit
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
    assert "graded by your instructor" in qs["q1"].page_form()


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


# ------------------------------------------------ the exercise banks' generators --

BANKS = {p.stem: json.loads(p.read_text(encoding="utf-8"))
         for p in sorted((ROOT / "exercises" / "questions").glob("*.json"))}
BANK_VARIANTS = [(name, q) for name, bank in BANKS.items() for q in bank["questions"]
                 if q["kind"] == "variant"]
LEARNERS = ["alice", "bob", "carol", "dan", "erin", "farid"]


def fd_hessian(formula, x, h=1e-4):
    """A central-difference Hessian of a course formula (independent of its sympy one)."""
    f = lt.landscape(formula).f
    x = np.asarray(x, dtype=float)
    d = len(x)
    hess = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            ei, ej = np.eye(d)[i] * h, np.eye(d)[j] * h
            hess[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej)
                          + f(x - ei - ej)) / (4 * h * h)
    return hess


def label_by_hand(formula, point, labels):
    """Finite differences and eigenvalue signs: the second-derivative test, by hand."""
    surf = lt.landscape(formula)
    x = np.asarray(point, dtype=float)
    step = 1e-6 * np.eye(len(x))
    grad = [(surf.f(x + e) - surf.f(x - e)) / 2e-6 for e in step]
    if np.linalg.norm(grad) > 1e-4:
        return "not critical"
    eig = np.linalg.eigvalsh(fd_hessian(formula, x))
    small = np.abs(eig) < 1e-3
    word = ("saddle" if (eig > 1e-3).any() and (eig < -1e-3).any() else
            "degenerate" if small.any() else "minimum" if (eig > 0).all() else "maximum")
    return next(lab for lab in labels if lab.startswith(word))


def _heavy_ball_rate(p):
    # the spectral radius of tuned heavy-ball momentum on diag(1, κ) (Polyak 1964)
    mu, big = 1.0, float(p["kappa"])
    alpha = 4 / (math.sqrt(big) + math.sqrt(mu)) ** 2
    beta = ((math.sqrt(big) - 1) / (math.sqrt(big) + 1)) ** 2
    h = np.diag([mu, big])
    m = np.block([[(1 + beta) * np.eye(2) - alpha * h, -beta * np.eye(2)],
                  [np.eye(2), np.zeros((2, 2))]])
    return max(abs(np.linalg.eigvals(m)))


def _gd_steps(p):
    surf, x, steps = lt.landscape("x**2 - y**2"), np.array([p["x0"], 0.0]), 0
    while abs(x[0]) >= p["eps_value"]:
        x, steps = x - p["lr"] * surf.grad(x), steps + 1
    return steps


def _himmelblau(p):
    from scipy.optimize import root

    surf = lt.landscape(f"(x**2 + y - {p['a']})**2 + (x + y**2 - {p['b']})**2")
    sol = root(surf.grad, [p["sx"], p["sy"]], jac=surf.hess, tol=1e-12)
    formula = f"(x**2 + y - {p['a']})**2 + (x + y**2 - {p['b']})**2"
    return np.linalg.eigvalsh(fd_hessian(formula, sol.x, h=1e-3))[0]


def _sine_minimizer(p):
    from scipy.optimize import minimize_scalar

    return minimize_scalar(lambda x: math.sin(x) + p["c"] * x, bounds=(math.pi, 2 * math.pi),
                           method="bounded", options={"xatol": 1e-10}).x


def _sfn_y(p):
    surf = lt.landscape(f"{p['a']}*x**2 - {p['b']}*y**2")
    start = np.array([p["x0"], p["y0"]])
    lam, vecs = np.linalg.eigh(surf.hess(start))
    return (start - p["lr"] * vecs @ ((vecs.T @ surf.grad(start)) / np.abs(lam)))[1]


def _restart_exact(p):
    k, q = p["k"], p["p"]
    return sum(math.comb(k, j) * q ** j * (1 - q) ** (k - j) for j in range(1, k + 1))


def _restarts_needed(p):
    k = 1
    while _restart_exact({"k": k, "p": p["p"]}) < p["target"]:
        k += 1
    return k


#: an independent computation of each generator's key from the learner's numbers
INDEPENDENT = {
    "chord_gap": lambda p: (lambda f: p["t"] * f(p["a"]) + (1 - p["t"]) * f(p["b"])
                            - f(p["t"] * p["a"] + (1 - p["t"]) * p["b"]))(
        lambda x: float(lt.landscape(f"x**4 - {p['c']}*x**2").f(np.array([x])))),
    "classify_1d": lambda p: [label_by_hand(f, x, LABELS_1D)
                              for f, x in zip(p["formulas"], p["points"], strict=True)],
    "classify_2d": lambda p: [label_by_hand(f, x, LABELS_2D)
                              for f, x in zip(p["formulas"], p["points"], strict=True)],
    "restart_success": _restart_exact,
    "restarts_needed": _restarts_needed,
    "tilted_sine_minimizer": _sine_minimizer,
    "tilted_sine_limit": lambda p: 2 / fd_hessian(f"sin(x) + {p['c']}*x",
                                                  [_sine_minimizer(p)], h=1e-3)[0, 0],
    "saddle_escape": lambda p: math.log(1 / p["eps_value"]) / math.log(
        1 + p["lr"] * abs(np.linalg.eigvalsh(fd_hessian(f"x**2 - {p['b']}*y**2",
                                                        [0, 0], h=1e-2))[0])),
    "contraction_steps": _gd_steps,
    "monkey_eigenvalue": lambda p: np.linalg.eigvalsh(
        fd_hessian("x**3 - 3*x*y**2", [p["px"], p["py"]], h=1e-3))[-1],
    "condition_number": lambda p: (lambda e: max(e) / min(e))(np.abs(np.linalg.eigvals(
        [[p["a"], p["b"]], [p["b"], p["d"]]]))),
    "quadratic_threshold": lambda p: 2 / max(np.abs(np.linalg.eigvals(
        [[p["a"], p["b"]], [p["b"], p["d"]]]))),
    "himmelblau_saddle": _himmelblau,
    "momentum_rate": _heavy_ball_rate,
    "saddle_free_newton": _sfn_y,
    "permutation_count": lambda p: len(list(itertools.permutations(range(p["n1"])))) * len(
        list(itertools.permutations(range(p["n2"])))),
    "sampling_factor": lambda p: 1 - (p["B"] - 1) / (p["n"] - 1),
    "sgd_extra_steps": lambda p: (math.log(p["root"] / 1e-6) - math.log(1 / 1e-6))
    / math.log(1 + p["lr"] * abs(p["lam"])),
    "reparam_curvature": lambda p: fd_hessian(f"{p['c']}*({p['s']}*x)**2/2", [0.3],
                                              h=1e-3)[0, 0],
    "descent_lemma_bound": lambda p: (2 * p["L"] * p["gap"] / p["T"]) ** 0.5,
    "pl_bound": lambda p: p["gap"] * math.exp(p["k"] * math.log1p(-p["mu"] / p["L"])),
    "eos_sharpness": lambda p: 2 / p["lr"],
}


def test_every_bank_generator_has_an_independent_check():
    assert {q["generator"] for _, q in BANK_VARIANTS} == set(INDEPENDENT)
    assert len(BANK_VARIANTS) == 22  # 20 number and 2 label questions of ex01..ex08


def _public_text():
    """What a learner can read: the banks, the student notebooks, the built site."""
    paths = list((ROOT / "exercises" / "questions").glob("*.json"))
    paths += list((ROOT / "exercises").glob("*.ipynb"))
    paths += list((ROOT / "_build" / "html" / "exercises").glob("*.html"))
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


@pytest.fixture(scope="module")
def public_text():
    return _public_text()


# Generators that solve for a critical point per learner take seconds each: they run
# with the slow tests; the fast path keeps every other bank generator.
SLOW_GENERATORS = {"himmelblau_saddle", "saddle_escape"}


@pytest.mark.parametrize("name,q", [
    pytest.param(name, q, id=q["qid"],
                 marks=[pytest.mark.slow] if q["generator"] in SLOW_GENERATORS else [])
    for name, q in BANK_VARIANTS])
def test_bank_variant(name, q, public_text):
    """One learner always gets the same numbers; learners get different numbers; the
    key matches an independent computation; the graded key is nowhere public."""
    gen, qid = q["generator"], q["qid"]
    variants = {who: make_variant(gen, SECRET, who, qid) for who in LEARNERS}
    again = make_variant(gen, SECRET, "alice", qid)
    assert again.params == variants["alice"].params and again.key == variants["alice"].key
    assert len({json.dumps(v.params, sort_keys=True) for v in variants.values()}) >= 3
    practice = practice_variant(gen, qid)
    for who, v in variants.items():
        q["prompt"].format(**v.params)  # every placeholder is filled
        want = INDEPENDENT[gen](v.params)
        if isinstance(v.key, list):
            assert v.key == want, (who, v.params)
        else:
            assert abs(float(v.key) - float(want)) <= v.tol / 2, (who, v.params, v.key, want)
            assert v.check(want) and not v.check(float(v.key) + 3 * v.tol)
            assert not practice.check(v.key)  # the practice hash never gives a graded key
            form = f"{float(v.key):.6g}"
            if len(form.replace(".", "").replace("-", "").lstrip("0")) >= 5:
                assert form not in public_text, (who, form)
        assert v.params != practice.params


def test_no_public_bank_holds_a_graded_value_key():
    """The value questions of every bank are variants: their entries hold a generator
    name and a practice version (own id, own numbers), never a hash of a graded key."""
    for name, bank in BANKS.items():
        for q in bank["questions"]:
            assert q["kind"] in ("choice", "code", "variant"), (name, q["key"])
            if q["kind"] != "variant":
                continue
            assert set(q) == {"key", "qid", "kind", "name", "points", "prompt", "generator",
                              "practice"}, (name, q["key"])
            pq = q["practice"]
            assert pq["qid"] == f"{name}/practice/{q['key']}" != q["qid"]
            assert pq["prompt"].startswith("Practice version")
            assert pq["params"] == practice_variant(q["generator"], q["qid"]).params
        for q in bank["questions"]:
            assert q["kind"] != "choice" or (q["practice"] and q["points"] < 1)


def test_practice_checks_itself_and_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no my_variants.json here
    monkeypatch.delenv("LABTOOLS_VARIANTS", raising=False)
    qs = load_questions("ex02_local_minima")
    q = qs["q1"]
    assert not q.graded and q.params == q.practice_params
    key = practice_variant("restart_success", "ex02_local_minima/q1").key
    res = q.evaluate(key)
    assert res.status == "correct" and res.message.startswith("Practice numbers (not graded)")
    assert "Practice version" in q.page_form() and "<script" in q.page_form()
    # with the learner's file beside the notebook: their numbers, no self-check
    own = make_variant("restart_success", SECRET, "alice", "ex02_local_minima/q1")
    (tmp_path / "my_variants.json").write_text(json.dumps({q.qid: own.params}))
    q = load_questions("ex02_local_minima")["q1"]
    assert q.graded and q.params == own.params
    assert f"p = {own.params['p']}" in str(q)
    assert "graded by your instructor" in q.evaluate(own.key).message
    assert "graded by your instructor" in q.page_form()
    assert f"p = {own.params['p']}" in q.page_form()
    # a label question lists the learner's own items, in the page and in text
    own = make_variant("classify_2d", SECRET, "alice", "ex03_saddle_points/q4")
    (tmp_path / "my_variants.json").write_text(json.dumps({"ex03_saddle_points/q4":
                                                           own.params}))
    q = load_questions("ex03_saddle_points")["q4"]
    html = q.page_form()
    for item in own.params["items"]:
        assert item in str(q) and html_escape(item) in html
    assert "degenerate (test inconclusive)" in str(q)
