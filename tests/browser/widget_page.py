"""One course widget in a page of its own, as the built site would show it.

The book takes minutes to build; these pages take a second. A widget is built
as the site builds it (``LABTOOLS_BUILD=1``), its state is embedded with
``ipywidgets.embed`` and the page loads the same vendored RequireJS, set-up
script, widget manager and start-up script as a chapter page (``_vendor/_static``), served from
localhost with every other host refused. ``test_widgets_respond`` then changes
every control of it, as on the site.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

BOOK = Path(__file__).resolve().parents[2]
STATIC = BOOK / "_vendor" / "_static"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="_static/vendor/requirejs/require.js"></script>
<script src="_static/offline/widgets-setup.js"></script>
<script src="_static/vendor/jupyter-widgets/embed-amd.js"></script>
<script src="_static/offline/widgets-start.js" defer></script>
<script type="application/vnd.jupyter.widget-state+json">{state}</script>
</head><body><main><h1>{title}</h1>
<div class="cell_output">{views}</div></main></body></html>
"""


def build_widget(make):
    """Call ``make()`` (which returns a course widget) as the site build does."""
    old = os.environ.get("LABTOOLS_BUILD")
    os.environ["LABTOOLS_BUILD"] = "1"
    try:
        return make()
    finally:
        if old is None:
            del os.environ["LABTOOLS_BUILD"]
        else:
            os.environ["LABTOOLS_BUILD"] = old


def write_page(folder: Path, name: str, widgets) -> str:
    """Write ``folder/name.html`` showing ``widgets``; return its file name."""
    from ipywidgets.embed import embed_data

    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "_static").exists():
        shutil.copytree(STATIC, folder / "_static")
    views = [w.widget for w in widgets]
    data = embed_data(views=views, drop_defaults=False)  # anywidget's _esm is a default
    view_html = "".join(
        '<script type="application/vnd.jupyter.widget-view+json">'
        + json.dumps(spec) + "</script>" for spec in data["view_specs"])
    state = json.dumps(data["manager_state"]).replace("</", "<\\/")
    (folder / f"{name}.html").write_text(
        _PAGE.format(title=name, state=state, views=view_html), encoding="utf-8")
    return f"{name}.html"
