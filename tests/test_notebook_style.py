"""The code a reader sees in a chapter fits the code cell and is not plumbing.

Issue 12: no visible code line over 88 characters (the page would scroll
sideways), and at most 5% of the visible code lines call ``glue(``; the glue
plumbing lives in the hidden cells. A cell is hidden when it is tagged
``remove-input`` (the hidden assert cells); a ``hide-input`` cell counts as
visible, since one click shows it. Reads the notebooks; runs nothing.
"""

import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("chapters/*.ipynb"))
PAGES.append("intro.ipynb")
MAX_LINE = 88
MAX_GLUE_SHARE = 0.05


def visible_code_lines(nb) -> list[tuple[int, str]]:
    """``(cell index, line)`` for every non-blank code line a reader can see."""
    lines = []
    for i, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or "remove-input" in tags or "remove-cell" in tags:
            continue
        lines += [(i, line) for line in cell.source.splitlines() if line.strip()]
    return lines


def style_problems(nb) -> list[str]:
    """What breaks the two rules, one line each (empty when the notebook keeps them)."""
    lines = visible_code_lines(nb)
    problems = [f"cell {i}: {len(line)} characters: {line}"
                for i, line in lines if len(line) > MAX_LINE]
    glued = sum("glue(" in line for _, line in lines)
    if lines and glued / len(lines) > MAX_GLUE_SHARE:
        problems.append(f"{glued} of {len(lines)} visible code lines call glue( "
                        f"(at most {MAX_GLUE_SHARE:.0%})")
    return problems


@pytest.mark.parametrize("path", PAGES)
def test_visible_code_fits_the_cell_and_is_not_glue(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    assert visible_code_lines(nb), f"{path}: no visible code found (tags misread?)"
    assert style_problems(nb) == []


def test_the_style_check_sees_long_lines_and_glue_only_where_a_reader_does():
    long_line = "x = " + "1 + " * 30 + "1"
    shown = nbformat.v4.new_code_cell(long_line + "\nglue('a', 1)\n\ny = 2")
    folded = nbformat.v4.new_code_cell(long_line, metadata={"tags": ["hide-input"]})
    hidden = nbformat.v4.new_code_cell(long_line + "\n" + "glue('b', 2)\n" * 40,
                                       metadata={"tags": ["remove-input", "remove-output"]})
    nb = nbformat.v4.new_notebook(cells=[shown, folded, hidden,
                                         nbformat.v4.new_markdown_cell(long_line)])
    problems = style_problems(nb)
    assert [p.split(":")[0] for p in problems] == [
        "cell 0", "cell 1", "1 of 4 visible code lines call glue( (at most 5%)"]
    nb.cells[0].source = "glue('a', 1)\n" + "y = 2\n" * 19
    nb.cells[1].source = "z = 3"
    assert style_problems(nb) == []  # 1 of 21 lines: under 5%


# Issue 13: every widget of the chapters answers its controls in the page itself
# (its browser front end), so the prose never tells a reader that they work only
# in a kernel, or that the page shows them frozen.
KERNEL_ONLY = re.compile(r"\b(?:in|with)\s+a\s+(?:live|running)\s+(?:kernel|notebook)\b"
                         r"|\bon\s+this\s+page\s+you\s+see\b", re.IGNORECASE)


def kernel_only_sentences(nb) -> list[str]:
    """The markdown cells' phrases that send a reader to a kernel to move a widget."""
    return [f"cell {i}: {m.group(0)!r}" for i, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" for m in KERNEL_ONLY.finditer(cell.source)]


@pytest.mark.parametrize("path", PAGES)
def test_the_prose_does_not_send_a_reader_to_a_kernel_to_move_a_widget(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    assert not kernel_only_sentences(nb), kernel_only_sentences(nb)


def test_the_kernel_only_check_sees_the_phrasings_it_is_for():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("In a live\nkernel, move it; on this page you see it."),
        nbformat.v4.new_markdown_cell("To run the code cells you need a kernel (Binder)."),
        nbformat.v4.new_code_cell("# in a running notebook"),
    ])
    assert kernel_only_sentences(nb) == ["cell 0: 'In a live\\nkernel'",
                                         "cell 0: 'on this page you see'"]
