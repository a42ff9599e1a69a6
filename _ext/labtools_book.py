"""Sphinx extension local to this book.

1. Sets ``LABTOOLS_BUILD=1`` in the environment while the book builds. The
   kernels that execute the notebooks inherit it, so ``labtools.widgets`` knows
   it is being rendered for the static site: it then leaves out front-end-only
   pieces (mouse events) whose JavaScript a page without a kernel could not
   load, and (for widgets whose figure needs Python) adds a note that the
   controls come alive in Binder.
2. Drops inline scripts registered twice. sphinx-thebe and sphinx-togglebutton
   each add their inline set-up script twice (once with filename ``None``, once
   with ``''``), which Sphinx does not merge; a page then declares
   ``const THEBE_JS_URL`` twice and the browser reports a SyntaxError.
3. Runs the kernels with a single-threaded BLAS (see ``setup``).
"""

import os


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {}) or {}
        key = (
            getattr(js, "filename", str(js)) or "",
            tuple(sorted((k, str(v)) for k, v in attrs.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app):
    os.environ["LABTOOLS_BUILD"] = "1"
    # The notebooks do small eigen- and SVD problems; on a busy 2-core machine a
    # multi-threaded BLAS makes them seconds instead of milliseconds.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
