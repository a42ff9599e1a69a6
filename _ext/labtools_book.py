"""Sphinx extension local to this book.

Sets ``LABTOOLS_BUILD=1`` in the environment while the book builds. The kernels
that execute the notebooks inherit it, so ``labtools.widgets`` knows it is being
rendered for the static site: it then leaves out front-end-only pieces (mouse
events) whose JavaScript a page without a kernel could not load, and adds a note
that the controls come alive in Binder or Live Code.
"""

import os


def setup(app):
    os.environ["LABTOOLS_BUILD"] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
