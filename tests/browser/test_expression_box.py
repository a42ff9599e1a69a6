"""The expression box in the static page (no kernel): a learner's own f(x, y) or f(x)
is read in the browser (js/formula.js with the vendored math.js and d3-contour) and
the figure is redrawn for it; a formula that Python refuses is refused with a
visible message, and the figure keeps the last one that worked. Offline, in
headless Chromium, with no console error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from browserlib import open_page, page_problems_summary
from dragging import widget_box
from PIL import Image

pytestmark = pytest.mark.browser

# view -> (page, a good formula, the alt text it gives, a refused formula and the words,
#          another good formula)
CASES = {
    "landscape": ("intro.html", "x^2 + 3*sin(y) - x y/2", "Contour map of ",
                  "x^2 + foo(y)", "unknown name 'foo'", "(x - 1)^2 + 2 (y + 1)^2"),
    "explorer1d": ("chapters/02_local_minima.html", "x^4 - 2x^2 + 0.5x", "Graph of ",
                   "x*y", "needs a function of x alone; 'x*y' is 2-D", "sin(3x) + 0.2 x"),
}


def _pixels(locator):
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB")).astype(int)


def _type(box, text):
    field = box.locator(".widget-text input").first
    field.fill(text)
    field.press("Enter")


def _drawn(page, front, alt):
    page.wait_for_function(
        "([el, alt]) => (el.querySelector('img') || {}).alt?.startsWith(alt)",
        arg=[front.element_handle(), alt], timeout=60_000)
    page.wait_for_timeout(300)  # the next frame painted


@pytest.mark.parametrize("view", list(CASES))
def test_typing_a_formula_redraws_the_figure(server, context, view):
    path, good, alt, bad, words, other = CASES[view]
    page, log = open_page(context, server + path)
    front = page.locator(f"[data-view={view}]").first
    front.wait_for(state="attached", timeout=60_000)
    box = widget_box(front)
    front.scroll_into_view_if_needed()
    field = box.locator(".widget-text input").first
    assert field.is_disabled(), "the box is off until 'your own expression' is chosen"
    before = _pixels(front)

    box.locator("select").first.select_option("your own expression")
    page.wait_for_function("el => !el.disabled", arg=field.element_handle())
    _type(box, good)
    _drawn(page, front, alt + good)
    after = _pixels(front)
    changed = np.mean(np.any(after != before, axis=-1))
    assert changed > 0.05, f"only {changed:.1%} of the figure's pixels changed"
    alert = front.locator("[role=alert]")
    assert alert.is_hidden()
    assert "from" in front.locator("[role=status]").inner_text()
    if view == "landscape":  # the new map has the colours of many bands (d3-contour)
        colours = np.unique(_pixels(front.locator("img").first).reshape(-1, 3), axis=0)
        assert len(colours) > 20

    # a formula Python refuses: a visible message, the figure of the last good one
    _type(box, bad)
    alert.wait_for(state="visible", timeout=30_000)
    assert words in alert.inner_text()
    assert "figure still shows the last settings" in alert.inner_text()
    assert front.locator("img").first.get_attribute("alt").startswith(alt + good)

    # and another good formula redraws again
    _type(box, other)
    _drawn(page, front, alt + other)
    assert alert.is_hidden()
    assert np.mean(np.any(_pixels(front) != after, axis=-1)) > 0.05
    problems = log.problems()
    assert not problems, page_problems_summary(path, problems)
