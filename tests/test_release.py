"""The learners' repository (``python -m labtools.assign release``) holds no answer.

The release is what Binder and the learners' ``git clone`` open. These tests
build it, scan every file of it for every plain answer of every bank, every
solution line and every code-question reference (and prove that the scan
finds each kind of leak when one is planted), check that nothing in the
release's ``labtools`` imports a reference or a key, act out the attacks a
learner would try from a Binder session, and run the release's student
notebooks with the release's own ``labtools``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

from labtools.grading import release
from labtools.grading.code_checks import CODE_CHECKS

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "nonconvex-landscapes"
    # without the scan (seconds of CPU): test_release_scan_is_clean scans this tree,
    # and test_release_command_line builds with the scan, as make release does
    release.build_release(out, check=False)
    return out


# The test environment has the *source* installed in editable mode; a learner's has
# the release's own labtools. Drop the source from the import machinery so that the
# probes see only what a learner's environment holds.
ONLY_RELEASE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path
                    if "editable" not in getattr(f, "__module__", "")]
sys.path[:] = [p for p in sys.path if p.rstrip("/") != %r]
"""


def run_in_release(built: Path, code: str, cwd: Path | None = None):
    env = {k: v for k, v in os.environ.items() if k != "LABTOOLS_QUESTIONS"}
    env["PYTHONPATH"] = str(built)
    code = ONLY_RELEASE % str(ROOT) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", code], cwd=cwd or built,
                          env=env, capture_output=True, text=True, timeout=300)


def test_release_has_the_course_and_nothing_of_the_instructor(built):
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    for name in ("intro.ipynb", "_config.yml", "_toc.yml", "requirements.txt",
                 "pyproject.toml", "README.md", "chapters/03_saddle_points.ipynb",
                 "exercises/saddle_quiz.ipynb", "exercises/questions/ex03_saddle_points.json",
                 "labtools/grading/questions.py"):
        assert name in files, name
    assert not [f for f in files if f.startswith(("exercises/source", "exercises/solutions",
                                                  "tests/", "benchmarks/", "scripts/"))]
    assert not [f for f in files if f.endswith(".toml") and f != "pyproject.toml"]
    assert "reference/instructor_guide.md" not in files
    assert "instructor_guide" not in (built / "_toc.yml").read_text(encoding="utf-8")
    for module in release.INSTRUCTOR_MODULES:
        assert f"labtools/{module}" not in files, module
    # the learners' README names the public repository that Binder opens (_config.yml's)
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    readme = (built / "README.md").read_text(encoding="utf-8")
    assert f"git clone {url}\n" in readme and f"mybinder.org/v2/gh/{url[19:]}/main" in readme
    assert "-src" not in readme


@pytest.mark.slow  # make unit: the planted leaks below, each in a small tree
def test_release_scan_is_clean(built):
    assert release.find_leaks(built) == []


def test_the_scan_knows_every_plain_answer():
    """Every numeric, choice and classify key of every bank, every solution block and
    every code reference is among the patterns the scan looks for."""
    import tomllib

    whats = " ".join(n.what for n in release.answer_patterns(SOURCE))
    for toml_path in sorted((SOURCE / "questions").glob("*.toml")):
        for q in tomllib.loads(toml_path.read_text(encoding="utf-8"))["questions"]:
            if "answer" in q:
                assert f"{toml_path.stem}/{q['key']} key" in whats, (toml_path.stem, q["key"])
    for name in CODE_CHECKS:
        assert f"code reference {name}" in whats, name
    for nb_path in SOURCE.glob("*.ipynb"):
        if "### BEGIN SOLUTION" in nb_path.read_text(encoding="utf-8"):
            assert f"{nb_path.stem} solution line" in whats or nb_path.stem == "saddle_quiz"


@pytest.mark.parametrize("plant,expected", [
    # a solution notebook copied in
    (lambda t: shutil.copyfile(ROOT / "exercises/solutions/ex03_saddle_points.ipynb",
                               t / "exercises/ex03_copy.ipynb"), "solution line"),
    # a bank with plain answers
    (lambda t: shutil.copyfile(SOURCE / "questions/ex02_local_minima.toml",
                               t / "exercises/questions/x.toml"), "instructor file"),
    # a choice key in answer position, written as a learner would (the value
    # questions are per-learner variants: no bank holds their keys)
    (lambda t: (t / "hint.py").write_text("answer_q5 = 'a'\n"), "ex03_saddle_points/q5 key"),
    # a choice key in a JSON bank
    (lambda t: (t / "bank.json").write_text(json.dumps({"key": "q7", "answer": ["a", "d"]})),
     "ex03_saddle_points/q7 key"),
    # a choice key in HTML, split by syntax highlighting, quotes escaped
    (lambda t: (t / "guide.html").write_text(
        '<span class="n">answer_q7</span> <span class="o">=</span> '
        '<span class="p">[</span><span class="s1">&#39;a&#39;</span><span class="p">,'
        '</span> <span class="s1">&#39;d&#39;</span><span class="p">]</span>'),
     "ex03_saddle_points/q7 key"),
    # the code-question references
    (lambda t: shutil.copyfile(ROOT / "labtools/grading/code_checks.py",
                               t / "labtools/grading/code_checks.py"), "instructor module"),
    (lambda t: (t / "ref.py").write_text("def f(p):\n    x, y = p\n    H = np.array("
                                         "[[2 * y, 2 * x], [2 * x, 6 * y]])\n"),
     "code reference hvp_cubic"),
])
def test_the_scan_finds_each_kind_of_planted_leak(tmp_path, plant, expected):
    tree = tmp_path / "tree"  # only the planted file: a whole release is scanned in make unit-slow
    (tree / "exercises/questions").mkdir(parents=True)
    (tree / "labtools/grading").mkdir(parents=True)
    plant(tree)
    leaks = release.find_leaks(tree)
    assert any(expected in leak for leak in leaks), leaks


@pytest.mark.slow  # make unit: test_release_has_the_course_and_nothing_of_the_instructor
def test_no_reference_or_key_is_importable_from_the_release(built):
    probe = run_in_release(built, """
        import importlib, inspect, json, pkgutil
        import labtools
        found = {"file": labtools.__file__, "modules": [], "missing": []}
        for name in ("labtools.grading.code_checks", "labtools.grading.variants",
                     "labtools.grading.grader", "labtools.grade"):
            try:
                importlib.import_module(name)
                found["modules"].append(name)
            except ImportError:
                found["missing"].append(name)
        leaks = []
        for info in pkgutil.walk_packages(labtools.__path__, "labtools."):
            mod = importlib.import_module(info.name)
            for attr in ("CODE_CHECKS", "GENERATORS", "make_variant"):
                if hasattr(mod, attr):
                    leaks.append(f"{info.name}.{attr}")
        found["leaks"] = leaks
        print(json.dumps(found))
    """)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["file"] == str(built / "labtools" / "__init__.py")
    assert found["modules"] == [] and len(found["missing"]) == 4
    assert found["leaks"] == []


def test_hostile_learner_in_binder_reads_nothing_through_labtools_file(built):
    """The attack of issue 15 (walk from ``labtools.__file__`` to the keys), in the release."""
    probe = run_in_release(built, """
        import json, pathlib, re
        import labtools
        root = pathlib.Path(labtools.__file__).resolve().parents[1]
        banks = [str(p) for p in root.rglob("*.toml") if p.name != "pyproject.toml"]
        solutions = [str(p) for p in root.rglob("*") if "solution" in p.name.lower()
                     or "source" in p.parts]
        plain = []
        for p in (root / "exercises" / "questions").glob("*.json"):
            for q in json.loads(p.read_text())["questions"]:
                plain += [f"{p.stem}/{q['key']}" for k in ("answer", "reference_source")
                          if k in q]
        print(json.dumps({"banks": banks, "solutions": solutions, "plain": plain}))
    """, cwd=built / "exercises")
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout.strip().splitlines()[-1]) == {
        "banks": [], "solutions": [], "plain": []}


def test_release_command_line_never_writes_over_the_source(tmp_path, capsys):
    from labtools import assign

    assert assign.main(["release", "--out", str(ROOT)]) == 2
    assert "out must be a folder outside the source tree" in capsys.readouterr().err


@pytest.mark.slow  # builds and scans a whole release
def test_release_command_line(tmp_path):
    from labtools import assign

    out = tmp_path / "rel"
    assert assign.main(["release", "--out", str(out)]) == 0
    assert (out / "exercises" / "ex01_nonconvexity.ipynb").is_file()


@pytest.mark.slow
def test_release_student_notebooks_run_with_the_release_labtools(built, monkeypatch):
    """Every student notebook of the release runs top to bottom with the release's
    ``labtools`` (not the source's), and its self-checks answer; a correct function
    pasted into a code question passes the bank's public examples."""
    from nbclient import NotebookClient

    monkeypatch.setenv("PYTHONPATH", str(built))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.delenv("LABTOOLS_QUESTIONS", raising=False)
    solution = nbformat.read(ROOT / "exercises/solutions/ex03_saddle_points.ipynb", 4)
    grad_f = next(c.source for c in solution.cells if c.source.startswith("def grad_f"))
    # a variant question worked with the public practice numbers checks itself
    # without the instructor-side generator (which the release leaves out)
    q2 = next(c.source for c in solution.cells if c.source.startswith('p = questions["q2"]'))
    for nb_path in sorted((built / "exercises").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        if nb_path.stem == "ex03_saddle_points":
            cell = next(c for c in nb.cells if c.source.startswith("def grad_f"))
            cell.source = grad_f
            cell = next(c for c in nb.cells if c.source.startswith('p = questions["q2"]'))
            cell.source = q2
        nb.cells.insert(0, nbformat.v4.new_code_cell(
            ONLY_RELEASE % str(ROOT) + "import labtools\nprint('LABTOOLS', labtools.__file__)"))
        NotebookClient(nb, kernel_name="python3", timeout=300,
                       resources={"metadata": {"path": str(nb_path.parent)}}).execute()
        text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                         for o in c.get("outputs", []))
        assert f"LABTOOLS {built}/labtools/__init__.py" in text, nb_path.name
        assert "not answered yet" in text, nb_path.name
        if nb_path.stem == "ex03_saddle_points":
            assert "q1: correct [1/1]" in text and "public examples" in text
            assert "Practice numbers (not graded): Well done." in text


def test_the_scan_reads_sphinx_search_index_words_not_page_numbers(tmp_path):
    """searchindex.js maps words to page numbers ("answer": 21 is the word "answer"
    on page 21, not a key); a key among its words or titles is still found."""
    index = {"docnames": ["a"], "terms": {"answer": 21, "answer_q6": 3},
             "titles": ["Hessian"], "titleterms": {"hessian": 3}}
    (tmp_path / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    assert release.find_leaks(tmp_path) == []
    index["titles"].append("answer_q5 = 'a'")
    (tmp_path / "searchindex.js").write_text(f"Search.setIndex({json.dumps(index)})")
    assert any("ex03_saddle_points/q5 key" in leak for leak in release.find_leaks(tmp_path))
