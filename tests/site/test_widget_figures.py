"""Every widget cell of the built site leaves a figure a reader without a kernel can see.

The book is executed at build time; nbclient stores the state of every widget
in the notebook and MyST-NB writes it into the page
(``<script type="application/vnd.jupyter.widget-state+json">``), next to one
``<script type="application/vnd.jupyter.widget-view+json">`` per widget cell.
The widget HTML manager renders the views from that state in the browser.
These checks read the same data without a browser: each view must have its
model in the page's state (else the reader sees "Loading widget..." forever),
and somewhere under it an HTML widget holding an ``<img>`` with an embedded
PNG of real size and non-empty alt text (``labtools.widgets`` draws every
figure that way), or, for a widget whose figure runs in the browser, a front end
(an anywidget, ``labtools/widgets/front.py``) carrying its background PNG.

Skipped, with the reason, when the site has not been built (``make book``).
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
import struct
from pathlib import Path

import pytest

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
MIN_SIDE = 50  # pixels: anything smaller is not a figure
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
SRC = re.compile(r'src\s*=\s*"data:image/png;base64,([^"]*)"', re.IGNORECASE)
ALT = re.compile(r'alt\s*=\s*"([^"]*)"', re.IGNORECASE)


def _book_extension():
    """The book's Sphinx extension (``_ext`` is not a package): its ``shown_models`` is
    the one rule for which models a page's widgets need, used by the build to prune
    the state and here to find each view's figures."""
    path = Path(__file__).resolve().parents[2] / "_ext" / "labtools_book.py"
    spec = importlib.util.spec_from_file_location("labtools_book", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shown_models = _book_extension().shown_models


def _views_and_state(soup):
    views = []
    for script in soup.find_all("script", type=VIEW):
        try:
            views.append(json.loads(script.string or "")["model_id"])
        except (ValueError, KeyError, TypeError):
            views.append(None)
    models = {}
    for script in soup.find_all("script", type=STATE):
        try:
            models.update(json.loads(script.string or "").get("state", {}))
        except ValueError:
            continue
    return views, models


def _png_size(data: bytes):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _figure_problems(html_value: str) -> tuple[int, list[str]]:
    """Count good figures in an HTML widget's value; describe the bad ones."""
    good, problems = 0, []
    for tag in IMG.findall(html_value):
        src, alt = SRC.search(tag), ALT.search(tag)
        if not src:
            problems.append("an <img> without an embedded PNG")
            continue
        try:
            size = _png_size(base64.b64decode(src.group(1)))
        except (binascii.Error, ValueError):
            size = None
        if size is None:
            problems.append("an <img> whose data is not a PNG")
        elif min(size) < MIN_SIDE:
            problems.append(f"an image of only {size[0]}x{size[1]} px")
        elif not alt or not alt.group(1).strip():
            problems.append("an image without alt text")
        else:
            good += 1
    return good, problems


def _front_figures(spec) -> int:
    """Backgrounds of real size in a front end's spec (``{"bg": {"src": ...}}`` entries)."""
    found = 0
    for m in re.finditer(r'"src": "data:image/png;base64,([^"]*)"', json.dumps(spec)):
        try:
            size = _png_size(base64.b64decode(m.group(1)))
        except (binascii.Error, ValueError):
            size = None
        found += size is not None and min(size) >= MIN_SIDE
    return found


def _is_live(models, model_id) -> bool:
    return any(models[m].get("model_name") == "AnyModel" for m in shown_models(models, [model_id]))


def _widget_pages(site):
    for page in site.pages:
        views, models = _views_and_state(site.soup(page))
        if views:
            yield page, views, models


def test_the_site_has_widget_cells(site):
    pages = [page for page, _, _ in _widget_pages(site)]
    assert pages, (
        "no page of the built site shows a widget: were the notebooks executed "
        "(execute_notebooks: force) and did they call labtools.widgets?"
    )


def test_every_widget_cell_shows_a_figure(site):
    problems = []
    for page, views, models in _widget_pages(site):
        for number, model_id in enumerate(views, start=1):
            where = f"{page}: widget #{number}"
            if model_id is None:
                problems.append(f"{where}: its view script is not valid JSON")
                continue
            if model_id not in models:
                problems.append(
                    f"{where}: model {model_id} is not in the page's widget state, so the "
                    "page would show 'Loading widget...' (was the state stored at build?)"
                )
                continue
            good, bad = 0, []
            for mid in shown_models(models, [model_id]):
                model = models[mid]
                if model.get("model_name") == "AnyModel":
                    good += _front_figures(model.get("state", {}).get("spec", {}))
                    continue
                if model.get("model_name") != "HTMLModel":
                    continue
                g, b = _figure_problems(model.get("state", {}).get("value", ""))
                good, bad = good + g, bad + b
            if bad:
                problems.append(f"{where}: " + "; ".join(sorted(set(bad))))
            if not good:
                problems.append(
                    f"{where}: no figure (no HTML widget with an embedded PNG "
                    f"of at least {MIN_SIDE}x{MIN_SIDE} px and alt text)"
                )
    assert not problems, "\n".join(problems)


def test_static_widgets_say_how_to_bring_them_alive(site):
    """Built with LABTOOLS_BUILD=1, every labtools widget whose figure needs a kernel
    carries the note that its controls work in Binder; one whose figure runs in the
    page (a front end) carries no such note."""
    missing = []
    for page, views, models in _widget_pages(site):
        for number, model_id in enumerate(views, start=1):
            if model_id not in models:
                continue  # reported by the test above
            texts = [
                models[m].get("state", {}).get("value", "")
                for m in shown_models(models, [model_id])
                if models[m].get("model_name") == "HTMLModel"
            ]
            if _is_live(models, model_id):
                if any("snapshot" in t for t in texts):
                    missing.append(f"{page}: widget #{number} is live but says it is a snapshot")
                continue
            if not any(IMG.search(t) for t in texts):
                continue  # not a figure widget of labtools
            if not any("Binder" in t for t in texts):
                missing.append(f"{page}: widget #{number}")
    if missing:
        pytest.fail(
            "widgets without the note that the controls work in Binder "
            "(was the book built with the labtools_book extension, LABTOOLS_BUILD=1?):\n"
            + "\n".join(missing)
        )
