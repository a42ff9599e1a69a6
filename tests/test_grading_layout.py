"""labtools.grading keeps the package rules (issue 12): small modules, no cycle, no
private name across modules, nothing from widgets or plots, and the old entry points."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import labtools
import labtools.grading

PKG = Path(labtools.grading.__file__).resolve().parent
ROOT = PKG.parent.parent


def imports(path: Path):
    """(module imported, names) for every relative import in a file, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = node.module or ""
            if node.level == 1:
                yield f"grading.{base}".rstrip("."), [a.name for a in node.names]
            else:
                yield base, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("labtools"):
                    yield a.name.removeprefix("labtools."), []


def test_no_module_over_800_lines():
    for path in PKG.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 800, path.name


def test_no_cycle_no_private_names_no_drawing():
    graph = {}
    for path in PKG.glob("*.py"):
        me = f"grading.{path.stem}" if path.stem != "__init__" else "grading"
        graph[me] = set()
        for module, names in imports(path):
            assert not module.startswith(("widgets", "plots")), (path.name, module)
            private = [n for n in names if n.startswith("_") and n != "__future__"]
            assert not private, f"{path.name} imports private {private} from {module}"
            if module.startswith("grading."):
                graph[me].add(module)

    def visit(node, stack):
        assert node not in stack, " -> ".join([*stack, node])
        for nxt in graph.get(node, ()):
            visit(nxt, [*stack, node])

    for node in graph:
        visit(node, [])


@pytest.mark.slow
def test_old_entry_points_and_front_door_names_still_work():
    assert labtools.load_questions is labtools.grading.load_questions
    assert labtools.QuestionSet is labtools.grading.QuestionSet
    from labtools.quiz import load_questions

    assert load_questions("saddle_quiz").max_score > 0
    for module in ("labtools.grade", "labtools.assign"):
        run = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and "usage:" in run.stdout, run.stderr
