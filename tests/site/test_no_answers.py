"""The built site publishes no plain answer, no solution and no question bank.

The same scan the release command runs (``labtools.grading.release.find_leaks``)
over every file of the built site: paths under ``exercises/source`` or
``exercises/solutions``, ``*.toml`` banks, the instructor modules of
``labtools``, every answer of every bank in answer position (``answer = ...``,
``answer_q2 = ...``, ``"answer": ...``, through syntax-highlighting markup too),
long numeric keys anywhere, every solution line and every code reference.
"""

from __future__ import annotations

from labtools.grading.release import find_leaks


def test_site_publishes_no_plain_answer_or_solution(site):
    leaks = find_leaks(site.root)
    assert leaks == [], "\n".join(leaks[:20])


def test_site_has_no_solution_notebook_or_bank(site):
    files = [p.relative_to(site.root).as_posix() for p in site.root.rglob("*") if p.is_file()]
    assert not [f for f in files if "solutions/" in f or f.endswith(".toml")]
    # the exercise pages are the student versions: their answer cells are empty
    sources = [f for f in files if f.startswith("_sources/exercises/") and f.endswith(".ipynb")]
    assert sources, "the site should offer the exercises' notebooks for download"
    for rel in sources:
        assert "### BEGIN SOLUTION" not in (site.root / rel).read_text(encoding="utf-8")
