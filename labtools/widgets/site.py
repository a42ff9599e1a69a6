"""Where a widget is shown: a live kernel, or the static site being built.

While the book's Sphinx extension executes the notebooks it sets
``LABTOOLS_BUILD=1``. Widgets then attach no front-end-only extras, compress
their figures harder and say under the figure how to bring the controls to
life.
"""

from __future__ import annotations

import os

import ipywidgets as W

__all__ = ["building_site", "snapshot_note"]


def building_site() -> bool:
    """True while the book is being built for the static site (``LABTOOLS_BUILD=1``).

    Examples
    --------
    >>> isinstance(building_site(), bool)
    True
    """
    return os.environ.get("LABTOOLS_BUILD", "") not in ("", "0")


def snapshot_note() -> W.HTML:
    """The line under a widget on the static site that says the figure is a snapshot.

    Empty in a live kernel.

    Examples
    --------
    >>> snapshot_note().value == "" or "Binder" in snapshot_note().value
    True
    """
    if not building_site():
        return W.HTML("")
    return W.HTML(
        '<p class="labtools-note" style="font-size:90%; color:#444; margin:2px 0">'
        "This is a snapshot for the default settings. The controls come alive "
        "in a running notebook: open this page in Binder "
        "(the rocket icon at the top of the page).</p>"
    )
