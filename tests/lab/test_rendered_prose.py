"""The prose of every chapter and of the quiz reads in JupyterLab as in the book.

With jupyterlab-myst (pinned in requirements.txt) a learner who opens a chapter
from Binder must see rendered text, not MyST source: no roles, no directive
fences, no labels; solutions folded until clicked; citations as author-year
text; and, once the notebook has run, the computed numbers in the sentences
(the ``{eval}`` roles), not the expressions that compute them.

Chapter 1 is photographed before and after Run All:
``_build/screenshots/lab/ch1-before.png`` and ``ch1-after.png``.

Run: ``make test-lab`` (or ``pytest tests/lab -m browser``).
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest
from lablib import REPO
from test_binder_path import _errors, _open_notebook, _run_all

pytestmark = pytest.mark.browser

SHOTS = REPO / "_build" / "screenshots" / "lab"
NOTEBOOKS = sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("chapters/*.ipynb")) + [
    "exercises/saddle_quiz.ipynb"
]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
EVAL_TIMEOUT = 120  # seconds for the last {eval} values to arrive after Run All
# The rendered text of a Markdown cell: jupyterlab-myst's renderer, or JupyterLab's
# own if the extension is missing (then the raw markup shows and the test fails).
# Not the whole cell: its hidden editor holds the source.
MARKDOWN = ", ".join(
    f"{PANEL} .jp-MarkdownCell .jp-Cell-inputArea > {r}" for r in (".myst", ".jp-RenderedMarkdown")
)

# MyST source that must never reach the reader: roles, directive fences, targets.
RAW_MARKUP = {
    "a {glue} role": re.compile(r"\{glue"),
    "a {cite} role": re.compile(r"\{cite"),
    "an {eq} role": re.compile(r"\{eq\}"),
    "an {eval} role": re.compile(r"\{eval\}"),
    "a {doc} role": re.compile(r"\{doc\}"),
    "a ::: directive fence": re.compile(r":::\{"),
    "a ``` directive fence": re.compile(r"```\{"),
    "a (label)= target": re.compile(r"^\s*\([A-Za-z][\w-]*\)=\s*$", re.M),
    "a directive option line": re.compile(r"^\s*:(label|class):", re.M),
}

# One sentence per chapter whose computed number is known, to see it arrive.
NUMBERS = {"chapters/01_nonconvexity.ipynb": "Out of 20000 random chords"}


def _within(inner: str) -> str:
    """A selector for ``inner`` inside any rendered Markdown cell."""
    return ", ".join(f"{part.strip()} {inner}" for part in MARKDOWN.split(","))


def _sources(path: str) -> list[str]:
    nb = nbformat.read(REPO / path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _expressions(path: str) -> list[str]:
    """The {eval} expressions of a notebook's Markdown cells."""
    return [m for src in _sources(path) for m in re.findall(r"\{eval\}`([^`]+)`", src)]


def _not_converted(path: str) -> str | None:
    text = "\n".join(_sources(path))
    if "{glue" in text or "{cite" in text:
        return f"{path} still uses {{glue}} or {{cite}} roles, which JupyterLab cannot show"
    return None


def _rendered(page) -> list[str]:
    """The text of every rendered Markdown cell, folded parts included."""
    return page.locator(MARKDOWN).evaluate_all("els => els.map(e => e.textContent)")


def _raw_markup(texts: list[str]) -> list[str]:
    found = []
    for i, text in enumerate(texts):
        for what, pattern in RAW_MARKUP.items():
            m = pattern.search(text)
            if m:
                found.append(f"cell {i}: {what}: ...{text[max(0, m.start() - 40):m.end() + 40]}...")
    return found


def _check_citations(page, path: str) -> None:
    """Citations show as author-year text, never as a key flagged as missing."""
    missing = page.locator(_within("[title*='Citation Not Found' i]")).count()
    assert missing == 0, f"{path}: {missing} citations shown as bare keys (Citation Not Found)"
    links = page.locator(_within("a[href^='cite:']"))
    texts = links.evaluate_all("els => els.map(e => e.textContent.trim())")
    cited = sum(len(re.findall(r"\]\(cite:[tp]:", s)) for s in _sources(path))
    assert len(texts) == cited, f"{path}: {cited} citation links in the source, {len(texts)} shown"
    bad = [t for t in texts if not re.search(r"[A-Z][\w'-]+.*\b(19|20)\d\d\b", t)]
    assert not bad, f"{path}: citations not shown as author-year text: {bad[:5]}"


def _check_solutions(page, path: str) -> None:
    """Every solution is folded until its summary is clicked."""
    n_solutions = sum(s.count(":::{solution}") for s in _sources(path))
    details = page.locator(_within("details"))
    assert details.count() >= n_solutions, (
        f"{path}: {n_solutions} solutions in the source, {details.count()} folded blocks shown"
    )
    if not n_solutions:
        return
    states = details.evaluate_all("els => els.map(d => d.open)")
    assert not any(states), f"{path}: a solution is open before anyone clicked it"
    first = details.first
    body = first.evaluate(
        "d => Array.from(d.children).filter(c => c.tagName !== 'SUMMARY')"
        ".map(c => c.textContent).join(' ').trim()"
    )
    assert body, f"{path}: the first solution has no text"
    # checkVisibility() is false for content a closed <details> does not render
    seen = "d => Array.from(d.children).filter(c => c.tagName !== 'SUMMARY')" \
        ".some(c => c.checkVisibility())"
    assert not first.evaluate(seen), f"{path}: the first solution's text shows while folded"
    summary = first.locator("summary").first
    summary.scroll_into_view_if_needed()
    summary.click()
    page.wait_for_function("d => d.open", arg=first.element_handle(), timeout=10_000)
    assert first.evaluate(seen), f"{path}: clicking the solution's summary did not show it"
    summary.click()  # fold it again


def _unevaluated(texts: list[str], expressions: list[str]) -> list[str]:
    """Expressions still shown as code (an {eval} role JupyterLab did not evaluate)."""
    whole = "\n".join(texts)
    return [e for e in expressions if e in whole]


def _inline_errors(page) -> list[str]:
    errs = page.locator(_within("[class*='error' i]"))
    texts = errs.evaluate_all("els => els.map(e => e.textContent.trim())")
    return [t for t in texts if re.search(r"Error\b", t)]


def _shot_at(page, name: str, text: str) -> None:
    """Screenshot with the Markdown cell that contains ``text`` in view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    cell = page.locator(f"{PANEL} .jp-MarkdownCell").filter(has_text=text).first
    if cell.count():
        cell.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_prose_renders_as_in_the_book(lab, lab_page, path):
    if not (REPO / path).is_file():
        pytest.fail(f"{path} is missing")
    reason = _not_converted(path)
    if reason:
        pytest.skip(reason)
    page = lab_page
    _open_notebook(page, lab, path)
    n_markdown = len(_sources(path))
    page.wait_for_function(  # the cells arrive after the panel and the kernel
        "([sel, n]) => document.querySelectorAll(sel).length >= n",
        arg=[MARKDOWN, n_markdown],
        timeout=120_000,
    )
    expressions = [e for e in _expressions(path) if not re.fullmatch(r"\w+", e)]
    chapter1 = path.startswith("chapters/01_")
    if chapter1:
        _shot_at(page, "ch1-before", "random chords")

    before = _rendered(page)
    raw = _raw_markup(before)
    assert not raw, f"{path}: raw MyST markup in rendered Markdown:\n" + "\n".join(raw[:10])
    _check_citations(page, path)
    _check_solutions(page, path)

    _run_all(page, lab, path)
    errors = _errors(page)
    assert not errors, f"{path}: cells raised errors in JupyterLab:\n" + "\n---\n".join(errors)
    # jupyterlab-myst evaluates each Markdown cell's expressions as Run All reaches
    # it; on a busy machine the last replies can land after the kernel goes idle
    deadline = time.monotonic() + EVAL_TIMEOUT
    while _unevaluated(_rendered(page), expressions) and time.monotonic() < deadline:
        time.sleep(2)
    after = _rendered(page)
    if chapter1:
        _shot_at(page, "ch1-after", "random chords")
    raw = _raw_markup(after)
    assert not raw, f"{path}: raw MyST markup after Run All:\n" + "\n".join(raw[:10])
    left = _unevaluated(after, expressions)
    assert not left, (
        f"{path}: {len(left)} of {len(expressions)} computed numbers still show their "
        f"expression after Run All: {left[:5]}"
    )
    inline = _inline_errors(page)
    assert not inline, f"{path}: inline expressions raised errors: {inline[:5]}"
    if path in NUMBERS:
        assert NUMBERS[path] in " ".join(" ".join(t.split()) for t in after), (
            f"{path}: the sentence {NUMBERS[path]!r} does not appear after Run All"
        )
    assert not page.js_errors, f"JavaScript errors in JupyterLab: {page.js_errors[:5]}"
