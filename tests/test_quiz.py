"""Questions, feedback, hashing, and the in-page JavaScript check (labtools.quiz)."""

import json
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from labtools.grading import base, forms
from labtools.grading import questions as quiz
from labtools.grading.assign import compile_bank
from labtools.grading.variants import practice_variant

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "exercises" / "source" / "questions").glob("*.toml"))


def practice_spec(name, q):
    """A variant question's public practice version, as an authored numeric or classify
    question with its plain answer (computed here, on the instructor's side)."""
    if q["kind"] != "variant":
        return q
    v = practice_variant(q["generator"], f"{name}/{q['key']}")
    if isinstance(v.key, list):
        return dict(q, kind="classify", answer=v.key, items=v.params["items"],
                    labels=list(v.labels))
    return dict(q, kind="numeric", answer=float(v.key), tol=v.tol,
                mistakes=[{"value": a, "hint": h} for a, h in v.mistakes])


def authored(name):
    """The authored bank (with plain answers; a variant question as its practice
    version) and its compiled question set."""
    path = ROOT / "exercises" / "source" / "questions" / f"{name}.toml"
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    spec["questions"] = [practice_spec(name, q) for q in spec["questions"]]
    return spec, quiz.QuestionSet(compile_bank(path.read_text(encoding="utf-8"), name))


def all_authored():
    """``(exercise, authored spec, question)``; a variant's practice question."""
    for path in SOURCES:
        spec, qs = authored(path.stem)
        for q in spec["questions"]:
            question = qs[q["key"]]
            yield path.stem, q, getattr(question, "practice", None) or question


# ----------------------------------------------------------------- hashing --

def test_digest_is_sha256_of_salt_qid_answer():
    import hashlib

    assert base.digest("s", "quiz/q1", "0,2") == hashlib.sha256(b"s|quiz/q1|0,2").hexdigest()


def test_bucket_rounds_halves_up_like_javascript():
    assert base.bucket(0.5, 1.0) == 1
    assert base.bucket(-0.5, 1.0) == 0
    assert base.bucket(2.5, 1.0) == 3  # Python's round(2.5) would give 2


# ------------------------------------------------------ authored questions --

@pytest.mark.parametrize("name,spec,q", [pytest.param(n, s, q, id=f"{n}-{s['key']}")
                                         for n, s, q in all_authored() if s["kind"] != "code"])
def test_authored_answer_is_correct(name, spec, q):
    assert q.evaluate(spec["answer"]).status == "correct"
    assert q.evaluate(spec["answer"]).score == q.points


@pytest.mark.parametrize("name,spec,q", [pytest.param(n, s, q, id=f"{n}-{s['key']}")
                                         for n, s, q in all_authored() if s["kind"] == "choice"])
def test_every_wrong_option_gets_its_own_hint(name, spec, q):
    key = spec["answer"] if isinstance(spec["answer"], list) else [spec["answer"]]
    for i, hint in enumerate(spec["hints"]):
        letter = "abcdefghij"[i]
        if letter in key:
            continue
        answer = key + [letter] if q.multiple else letter
        res = q.evaluate(answer)
        assert res.status in ("wrong", "partial")
        assert hint in res.message
        assert res.score < q.points


@pytest.mark.parametrize("name,spec,q", [pytest.param(n, s, q, id=f"{n}-{s['key']}")
                                         for n, s, q in all_authored() if s["kind"] == "numeric"])
def test_numeric_tolerance_mistakes_and_near_misses(name, spec, q):
    a, tol = spec["answer"], spec["tol"]
    for x in (a - 0.99 * tol, a + 0.99 * tol, a + 0.3 * tol):
        assert q.evaluate(x).status == "correct", x
    for x in (a - 2.01 * tol, a + 2.01 * tol):
        assert q.evaluate(x).status != "correct", x
    assert q.evaluate(a + 3 * tol).status == "partial"
    assert q.evaluate(a + 3 * tol).score == q.points / 2
    assert q.evaluate(a + 50 * tol).score == 0
    for m in spec.get("mistakes", []):
        res = q.evaluate(m["value"])
        assert res.status == "wrong" and res.message == m["hint"]


def test_multiple_answer_partial_credit():
    spec, qs = authored("saddle_quiz")
    q = qs["q3"]  # key a, b, d
    assert q.evaluate(["a", "b", "d"]).score == q.points
    assert q.evaluate(["a", "b"]).status == "partial"
    assert q.evaluate(["a", "b"]).score == pytest.approx(q.points * 2 / 3, abs=1e-3)
    assert "1 more true statement" in q.evaluate(["a", "b"]).message
    # a wrong pick cancels a right one; never below zero
    assert q.evaluate(["a", "c"]).score == 0
    assert q.evaluate(["c", "e"]).score == 0
    assert q.evaluate("a, b, d").status == "correct"
    assert q.evaluate(("D", "B", "A")).status == "correct"


def test_classify_gives_credit_per_item_and_label_hints():
    spec, qs = authored("ex03_saddle_points")
    q = qs["q4"]
    answer = list(spec["questions"][3]["answer"])
    wrong = list(answer)
    wrong[0] = next(lab for lab in q.labels if lab.startswith("saddle"))
    assert wrong[0] != answer[0]
    res = q.evaluate(wrong)
    assert res.status == "partial"
    assert res.score == pytest.approx(5 / 6, abs=1e-3)
    assert base.LABEL_HINTS[wrong[0]] in res.message
    assert q.evaluate({i + 1: lab for i, lab in enumerate(answer)}).status == "correct"


@pytest.mark.parametrize("bad", [42, "z", ["a", 3], "", {"a": 1}, ["a", "b"]])
def test_invalid_choice_answers_are_reported_not_raised(bad):
    _, qs = authored("saddle_quiz")
    res = qs["q1"].evaluate(bad)  # single answer: ["a", "b"] is invalid too
    assert res.status == "invalid" and res.score == 0 and res.message


@pytest.mark.parametrize("bad", ["1.5", True, float("nan"), [1.0, 2.0], 1e300])
def test_invalid_numbers_are_reported(bad):
    _, qs = authored("ex02_local_minima")
    assert qs["q1"].evaluate(bad).status == "invalid"


def test_unanswered_questions_print_not_answered_and_count_no_attempt(capsys):
    _, qs = authored("ex03_saddle_points")
    for key in qs:
        qs[key].check(None)
        assert qs[key].attempts == 0
    out = capsys.readouterr().out
    assert out.count("not answered yet") == len(qs)


def test_attempts_are_counted(capsys):
    _, qs = authored("saddle_quiz")
    q = qs["q1"]
    q.check("b")
    q.check("c")
    q.check("a")
    out = capsys.readouterr().out
    assert "(attempt 3)" in out and q.attempts == 3
    assert "correct [0.25/0.25] (attempt 3)" in out  # choice: weighted as practice


def test_code_question_self_check():
    _, qs = authored("ex03_saddle_points")
    q = qs["q3"]

    def right(e, lr, lam):
        return np.log(1 / e) / np.log(1 + lr * abs(lam))

    def linearized(e, lr, lam):
        return np.log(1 / e) / (lr * abs(lam))

    def broken(e, lr, lam):
        raise ZeroDivisionError("oops")

    assert q.evaluate(right).status == "correct"
    assert q.evaluate(linearized).status == "wrong"
    res = q.evaluate(broken)
    assert res.status == "wrong" and "ZeroDivisionError" in res.message
    assert q.evaluate(lambda e, lr, lam: None).status == "unanswered"
    assert q.evaluate(3.0).status == "invalid"


def test_load_questions_finds_the_compiled_bank():
    qs = quiz.load_questions("saddle_quiz")
    assert len(qs) == 9 and qs.max_score == 9 * 0.25  # choice: weighted as practice
    with pytest.raises(KeyError, match="has no question 'q99'"):
        qs["q99"]
    with pytest.raises(ValueError, match="exercise must be"):
        quiz.load_questions("../etc/passwd")


# ------------------------------------------------------------------- HTML --

class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.label_for, self.tags = [], [], []
        self.live = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in ("input", "select"):
            self.ids.append(a.get("id"))
        if tag == "label":
            self.label_for.append(a.get("for"))
        if a.get("aria-live") == "polite" and a.get("role") == "status":
            self.live = True


@pytest.mark.parametrize("key", ["q1", "q3"])
def test_choice_html_is_labelled_and_grouped(key):
    _, qs = authored("saddle_quiz")
    page = forms.render_html(qs[key])
    p = _Controls()
    p.feed(page)
    assert "fieldset" in p.tags and "legend" in p.tags and "button" in p.tags
    assert p.ids and set(p.ids) <= set(p.label_for)
    assert p.live
    kind = "checkbox" if qs[key].multiple else "radio"
    assert page.count(f'type="{kind}"') == len(qs[key].options)


def test_numeric_and_classify_html_are_labelled():
    _, qs = authored("ex03_saddle_points")
    for key in ("q2", "q4"):
        p = _Controls()
        p.feed(qs[key].page_form())
        assert p.ids and set(p.ids) <= set(p.label_for) and p.live


def test_code_question_html_points_to_binder_and_has_no_script():
    _, qs = authored("ex03_saddle_points")
    page = forms.render_html(qs["q1"])
    assert "Binder" in page and "<script" not in page


def test_rendered_quiz_holds_no_plain_answer():
    spec, qs = authored("ex02_local_minima")
    for q in spec["questions"]:
        if q["kind"] == "numeric":
            page = forms.render_html(qs[q["key"]])
            assert f"{q['answer']:.3f}" not in page
            assert '"answer"' not in page


# ------------------------------------------------ JavaScript = Python check --

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="needs node to run the page's JavaScript")
def test_javascript_check_agrees_with_python(tmp_path):
    """Run the inline script under node on many answers; compare with Python."""
    cases = []
    for _name, spec, q in all_authored():
        if spec["kind"] == "choice":
            n = len(q.options)
            answers = ([[i] for i in range(n)] if not q.multiple else
                       [[i for i in range(n) if m >> i & 1] for m in range(1, 2 ** n)])
            for ans in answers:
                cases.append((q, ans, q.evaluate(["abcdefghij"[i] for i in ans])))
        elif spec["kind"] == "numeric":
            a, tol = spec["answer"], spec["tol"]
            for x in [a, a + 0.7 * tol, a - 1.6 * tol, a + 3.1 * tol, a - 9 * tol,
                      *(m["value"] for m in spec.get("mistakes", []))]:
                text = repr(float(x))
                cases.append((q, text, q.evaluate(float(text))))
        elif spec["kind"] == "classify":
            key = spec["answer"]
            cases.append((q, key, q.evaluate(key)))
            for j, lab in enumerate(q.labels):
                guess = [lab] * len(key)
                guess[j % len(key)] = key[j % len(key)]
                cases.append((q, guess, q.evaluate(guess)))
    payload = [[forms.js_payload(q), ans] for q, ans, _ in cases]
    script = tmp_path / "check.js"
    script.write_text(
        "var window = {};\n" + forms.SCRIPT + "\n"
        "var cases = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));\n"
        "var out = cases.map(function (c) { return labtoolsQuiz[c[0].kind](c[0], c[1]); });\n"
        "out.push(labtoolsQuiz.sha256('s|saddle_quiz/q1|0,2 – λ²'));\n"
        "console.log(JSON.stringify(out));\n", encoding="utf-8")
    data_file = tmp_path / "cases.json"
    data_file.write_text(json.dumps(payload), encoding="utf-8")
    result = subprocess.run([NODE, str(script), str(data_file)], capture_output=True,
                            text=True, timeout=120, check=True)
    got = json.loads(result.stdout)
    import hashlib

    assert got.pop() == hashlib.sha256("s|saddle_quiz/q1|0,2 – λ²".encode()).hexdigest()
    assert len(got) == len(cases) > 100
    for (q, ans, py), js in zip(cases, got, strict=True):
        assert js["status"] == py.status, (q.qid, ans, js, py)
        assert js["frac"] * q.points == pytest.approx(py.score, abs=1e-3), (q.qid, ans)
        if py.status == "wrong" and q.kind != "classify":
            assert js["msg"] == py.message, (q.qid, ans)


@pytest.mark.skipif(NODE is None, reason="needs node to run the page's JavaScript")
def test_script_loads_twice_and_ignores_a_missing_form(tmp_path):
    """Every quiz output carries the script; a page runs it once per question."""
    script = tmp_path / "twice.js"
    script.write_text(
        "var window = {}; var document = {getElementById: function () { return null; }};\n"
        + forms.SCRIPT + "\n" + forms.SCRIPT + "\n"
        "labtoolsQuiz.attach('lq-missing', {kind: 'choice'});\n"
        "console.log(labtoolsQuiz === window.labtoolsQuiz ? 'same' : 'different');\n",
        encoding="utf-8")
    result = subprocess.run([NODE, str(script)], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == "same"
