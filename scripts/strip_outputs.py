"""Remove outputs, execution counts and stored {eval} values from notebooks, in place.

Usage: python scripts/strip_outputs.py NOTEBOOK.ipynb [...]

Notebooks are committed without outputs: the book and nbval execute them.
Widget state stored in the notebook metadata is removed as well.
"""

import sys

import nbformat


def strip(path: str) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        # jupyterlab-myst stores the values of a Markdown cell's {eval} roles
        if cell.metadata.pop("user_expressions", None) is not None:
            changed = True
        if cell.cell_type == "code":
            if cell.outputs or cell.execution_count is not None:
                changed = True
            cell.outputs = []
            cell.execution_count = None
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
        changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    for p in sys.argv[1:]:
        if strip(p):
            print(f"stripped {p}")
