"""Where a widget is shown: a live kernel, or the static site being built.

While the book's Sphinx extension executes the notebooks it sets
``LABTOOLS_BUILD=1``. Widgets then attach no front-end-only extras, compress
their figures harder and say under the figure how to bring the controls to
life.
"""

from __future__ import annotations

import contextlib
import os

import ipywidgets as W

__all__ = ["building_site", "not_shown", "snapshot_note"]

#: How many :func:`not_shown` blocks are open (widgets built there are only read).
_UNSHOWN = [0]


def building_site() -> bool:
    """True while the book is being built for the static site (``LABTOOLS_BUILD=1``).

    Examples
    --------
    >>> isinstance(building_site(), bool)
    True
    """
    if _UNSHOWN[0]:
        return False
    return os.environ.get("LABTOOLS_BUILD", "") not in ("", "0")


@contextlib.contextmanager
def not_shown():
    """Build widgets that are read, not shown: what a hidden cell uses to check a number.

    While the site is built, a shown widget carries what its page needs without
    a kernel (every landscape of its dropdown drawn as a static map, the
    snapshot note). A widget a hidden cell builds only to read ``.result`` is
    never on the page (the book drops its models), so inside this block it is
    built as in a live kernel: :func:`building_site` is False. Its results are
    the same either way; only the page extras are skipped.

    Examples
    --------
    >>> with not_shown():
    ...     building_site()
    False
    """
    _UNSHOWN[0] += 1
    try:
        yield
    finally:
        _UNSHOWN[0] -= 1


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
