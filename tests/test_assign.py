"""One source, two versions (labtools.assign), and what the exercises promise."""

import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from labtools.grading import assign
from labtools.grading.forms import PROMPT_TAG, page_with_forms

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "exercises"
SOURCE = EX / "source"
NAMES = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
TOC_EXERCISES = ["saddle_quiz", "ex01_nonconvexity", "ex02_local_minima",
                 "ex03_saddle_points", "ex04_hessian", "ex05_escape_methods",
                 "ex06_neural_landscapes", "ex07_stochastic_gradients",
                 "ex08_guarantees"]


def test_every_exercise_in_the_toc_has_a_source_and_a_bank():
    assert NAMES == sorted(TOC_EXERCISES)
    for name in TOC_EXERCISES:
        assert (SOURCE / "questions" / f"{name}.toml").exists()


def test_committed_versions_and_banks_are_up_to_date():
    """Fails when someone edits a source without running `make exercises`."""
    files = assign.plan(SOURCE, EX, EX / "solutions")
    assert len(files) == 3 * len(NAMES)
    stale = [str(p.relative_to(ROOT)) for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `make exercises`; out of date: {stale}"


def test_check_flag_reports_staleness(tmp_path):
    student, solution = tmp_path / "student", tmp_path / "solution"
    args = [str(SOURCE), "--student", str(student), "--solution", str(solution)]
    assert assign.main(args + ["--check"]) == 1  # nothing generated yet
    assert assign.main(args) == 0
    assert assign.main(args + ["--check"]) == 0
    (student / "saddle_quiz.ipynb").write_text("{}", encoding="utf-8")
    assert assign.main(args + ["--check"]) == 1


def test_split_source_replaces_blocks_in_functions_with_return_none():
    src = ("def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    y = 2 * x\n"
           "    return y\n    ### END SOLUTION\n\ncheck(f)")
    student, solution = assign.split_source(src)
    assert student == ("def f(x):\n    '''doc'''\n    # YOUR CODE HERE\n    return None\n"
                       "\ncheck(f)")
    assert solution == "def f(x):\n    '''doc'''\n    y = 2 * x\n    return y\n\ncheck(f)"
    ns = {}
    exec(student.replace("check(f)", ""), ns)
    assert ns["f"](3) is None


@pytest.mark.parametrize("src,message", [
    ("### BEGIN SOLUTION\nx = 1", "without ### END"),
    ("x = 1\n### END SOLUTION", "without ### BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_authoring_errors(src, message):
    with pytest.raises(assign.AuthoringError, match=message):
        assign.split_source(src, "nb cell 3")


def test_solution_only_cells_are_dropped_from_the_student_version():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("secret = 2", metadata={"tags": ["solution-only"]}),
    ])
    student, solution = assign.make_versions(nb, "demo")
    assert [c.source for c in student.cells] == ["x = 1"]
    assert len(solution.cells) == 2
    assert student.metadata["labtools"] == {"exercise": "demo"}


@pytest.mark.parametrize("name", NAMES)
def test_student_version_has_no_solutions_and_no_outputs(name):
    nb = nbformat.read(EX / f"{name}.ipynb", as_version=4)
    text = (EX / f"{name}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert nb.metadata["labtools"]["exercise"] == name
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    sol = (EX / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in sol


@pytest.mark.parametrize("name", NAMES)
def test_no_plain_answer_in_student_version_or_bank(name):
    """The authored answers appear only in the source and the solution version."""
    spec = tomllib.loads((SOURCE / "questions" / f"{name}.toml").read_text(encoding="utf-8"))
    bank_text = (EX / "questions" / f"{name}.json").read_text(encoding="utf-8")
    bank = json.loads(bank_text)
    student = (EX / f"{name}.ipynb").read_text(encoding="utf-8")
    solution = (EX / "solutions" / f"{name}.ipynb").read_text(encoding="utf-8")
    for q in bank["questions"]:
        assert "answer" not in q and "value" not in q
    for q in spec["questions"]:
        if q["kind"] in ("code", "variant"):  # variants: see tests/test_variants.py
            continue
        line = f'{q["name"]} = {q["answer"]!r}'
        assert line in solution
        assert line not in student
        if q["kind"] == "numeric" and len(f"{abs(q['answer']):.4g}") >= 4:
            # short answers such as 21 occur in any text; the hash is their guard
            shown = f"{q['answer']:.4g}"
            assert shown not in bank_text and shown not in student, shown


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_has_title_scope_chapter_link_and_binder_hint(name):
    nb = nbformat.read(EX / f"{name}.ipynb", as_version=4)
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and intro.source.startswith("# ")
    links = re.findall(r"\]\(\.\./chapters/(0[1-9]_\w+)\.ipynb\)", intro.source)
    assert links and all((ROOT / "_toc.yml").read_text().count(f"chapters/{lk}") for lk in links)
    assert "Binder" in intro.source


def test_at_least_25_graded_questions_of_every_kind():
    banks = [json.loads(p.read_text(encoding="utf-8")) for p in (EX / "questions").glob("*.json")]
    questions = [q for b in banks for q in b["questions"]]
    assert len(questions) >= 25
    kinds = {q["kind"] for q in questions}
    # every value question is a per-learner variant (its practice version is a
    # numeric or classify question); choice questions cannot vary
    assert kinds == {"choice", "variant", "code"}
    assert {q["practice"]["kind"] for q in questions if q["kind"] == "variant"} == {
        "numeric", "classify"}
    assert any(q["kind"] == "choice" and q["multiple"] for q in questions)
    assert any(q["kind"] == "choice" and not q["multiple"] for q in questions)


def test_saddle_quiz_covers_the_commissioned_topics():
    bank = json.loads((EX / "questions" / "saddle_quiz.json").read_text(encoding="utf-8"))
    text = " ".join(q["prompt"] + " ".join(q["options"]) for q in bank["questions"]).lower()
    for topic in ("gradient", "eigenvalues", "high dimension", "slow down", "newton",
                  "noise"):
        assert topic in text, topic
    assert all(q["kind"] == "choice" for q in bank["questions"])


@pytest.mark.parametrize("field,value,message", [
    ("answer", "z", "answer must be a letter"),
    ("kind", "essay", "kind must be one of"),
    ("points", 0, "points must be positive"),
])
def test_compile_question_rejects_bad_authoring(field, value, message):
    q = {"key": "q1", "kind": "choice", "name": "a", "prompt": "p", "practice": True,
         "options": ["x", "y"], "hints": ["h", "i"], "answer": "a"}
    q[field] = value
    with pytest.raises(assign.AuthoringError, match=message):
        assign.compile_question(q, "demo", "salt")


def test_numeric_mistake_too_close_to_the_answer_is_rejected():
    q = {"key": "q1", "kind": "numeric", "name": "a", "prompt": "p", "answer": 1.0,
         "tol": 0.1, "mistakes": [{"value": 1.15, "hint": "h"}]}
    with pytest.raises(assign.AuthoringError, match="within 2 tol"):
        assign.compile_question(q, "demo", "salt")


def test_multiple_choice_prompts_do_not_repeat_the_forms_instruction():
    """The form adds "Select every true statement." to every multiple-answer question;
    a prompt that says it too reads it twice (issue 14)."""
    for path in sorted((SOURCE / "questions").glob("*.toml")):
        for q in tomllib.loads(path.read_text(encoding="utf-8"))["questions"]:
            if q["kind"] == "choice":
                assert "select every true statement" not in q["prompt"].lower(), \
                    f"{path.stem}/{q['key']}"


def _answer_cell(cells, q):
    """The index of the one code cell that answers ``q`` (sets its variable or defines
    its function, then calls its check)."""
    check = re.compile(r"""questions\[["']""" + q["key"] + r"""["']\]\.check\(""")
    found = [i for i, c in enumerate(cells) if c.cell_type == "code" and check.search(c.source)]
    assert len(found) == 1, (q["key"], found)
    return found[0]


@pytest.mark.parametrize("name", NAMES)
def test_prompts_are_readable_before_the_notebook_runs(name):
    """assign writes each question's prompt into a Markdown cell just before the cell
    that answers it, so an unexecuted notebook reads as a question sheet (issue 14)."""
    bank = json.loads((EX / "questions" / f"{name}.json").read_text(encoding="utf-8"))
    for version in (EX / f"{name}.ipynb", EX / "solutions" / f"{name}.ipynb"):
        cells = nbformat.read(version, as_version=4).cells
        for q in bank["questions"]:
            prompts = [i for i, c in enumerate(cells) if c.get("id") == f"prompt-{q['key']}"]
            assert len(prompts) == 1, (version.name, q["key"], prompts)
            md = cells[prompts[0]]
            assert md.cell_type == "markdown"
            assert PROMPT_TAG in md.metadata["tags"], (version.name, q["key"])
            assert "remove-cell" not in md.metadata["tags"]  # the book swaps it for the form
            assert md.metadata["labtools"]["question"] == q["key"]
            assert prompts[0] < _answer_cell(cells, q)
            plain = md.source.replace("\\", "")
            shown = q["practice"] if q["kind"] == "variant" else q
            assert shown["prompt"] in plain, (name, q["key"])
            for option in shown.get("options", []) + shown.get("items", []):
                assert option in plain
            assert f"`{q['name']}`" in md.source or q["kind"] == "code"


def test_choice_questions_must_be_weighted_as_practice():
    q = {"key": "q1", "kind": "choice", "name": "a", "prompt": "p",
         "options": ["x", "y"], "hints": ["h", "i"], "answer": "a"}
    with pytest.raises(assign.AuthoringError, match="practice = true"):
        assign.compile_question(q, "demo", "salt")
    out = assign.compile_question(dict(q, practice=True), "demo", "salt")
    assert out["practice"] is True and out["points"] == assign.PRACTICE_POINTS < 1
    assert assign.compile_question(dict(q, practice=True, points=0.5), "demo",
                                   "salt")["points"] == 0.5


@pytest.mark.parametrize("name", NAMES)
def test_a_notebook_has_one_way_to_answer(name):
    """In a notebook a question is answered only in its code cell, whose variable the
    grader reads: no cell shows a question's self-checking form, and a question
    displayed in a notebook is its Markdown prompt, with no form and no second attempt
    counter (issue 14). The form is the static page's (test_forms_only_on_the_page)."""
    from IPython.core.formatters import DisplayFormatter

    from labtools.grading import load_questions

    bank = json.loads((EX / "questions" / f"{name}.json").read_text(encoding="utf-8"))
    qs = load_questions(name)
    show = DisplayFormatter()
    for version in (EX / f"{name}.ipynb", EX / "solutions" / f"{name}.ipynb"):
        cells = nbformat.read(version, as_version=4).cells
        variants = {q["key"] for q in bank["questions"] if q["kind"] == "variant"}
        shown = [c.source for c in cells if c.cell_type == "code"
                 and (m := assign.SHOW_CELL.match(c.source.strip()))
                 and m.group(1) not in variants]
        assert not shown, f"{version.name}: cells that display a question: {shown}"
        assert not any("labtools-quiz" in c.source or "<form" in c.source for c in cells)
        for q in bank["questions"]:
            _answer_cell(cells, q)
            prompt = next(c for c in cells if c.get("id") == f"prompt-{q['key']}")
            data, _ = show.format(qs[q["key"]])
            assert "text/html" not in data, (name, q["key"])
            assert data["text/markdown"] == prompt.source
            if q["kind"] == "variant":  # a learner's own numbers show as text, no form
                own = load_questions(name, variants=None)[q["key"]]
                own.own_params = own.practice_params
                text = show.format(own)[0]
                assert "text/html" not in text and "<form" not in text["text/markdown"]


def test_forms_only_on_the_page():
    """The book turns each prompt cell into the question's form: one form per question,
    in the prompt's place, and nothing else of the notebook changes."""
    from labtools.grading import load_questions

    nb = json.loads((EX / "saddle_quiz.ipynb").read_text(encoding="utf-8"))
    before = json.loads(json.dumps(nb))
    qs = load_questions("saddle_quiz")
    assert page_with_forms(nb, qs) == len(qs)
    for old, new in zip(before["cells"], nb["cells"], strict=True):
        if PROMPT_TAG not in old["metadata"].get("tags", []):
            assert new == old
            continue
        key = old["metadata"]["labtools"]["question"]
        assert new["source"].startswith("```{raw} html\n<div class=\"labtools-quiz\"")
        assert f"{key}. " in new["source"] and "<form" in new["source"]
    prompt = next(c for c in before["cells"] if PROMPT_TAG in c["metadata"].get("tags", []))
    prompt["metadata"]["labtools"]["question"] = "q99"
    nb = {"cells": [prompt]}
    with pytest.raises(ValueError, match="q99"):
        page_with_forms(nb, qs)
