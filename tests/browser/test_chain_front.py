"""Chapter 8's saddle-chain explorer in the static page (js/chain.js): moving its
"saddles d" slider through every value, the message the browser writes about plain
gradient descent is the one labtools writes for the same settings (the same step
of arrival, or the same stall), and the figure and its alt text follow; no console
error on the way.
"""

from __future__ import annotations

import re

import pytest
from browserlib import SITE, open_page, page_problems_summary
from dragging import FRAME, widget_box
from test_widgets_respond import FRONT

import labtools as lt

pytestmark = pytest.mark.browser

CHAIN_PAGE = "chapters/08_guarantees.html"


def _chain_front(page):
    fronts = page.locator(FRONT)
    for i in range(fronts.count()):
        labels = widget_box(fronts.nth(i)).locator(".widget-label").all_inner_texts()
        if any(text.strip() == "saddles d" for text in labels):
            return fronts.nth(i)
    return None


def _gd_words(message):
    """The part of a chain-explorer message about plain gradient descent."""
    return message.split("; perturbed")[0]


def test_chain_explorer_reports_plain_gd_as_labtools_does(context, server):
    if not (SITE / CHAIN_PAGE).is_file():
        pytest.fail(f"{CHAIN_PAGE} is not in the built site")
    page, log = open_page(context, server + CHAIN_PAGE)
    problems, seen = [], set()
    try:
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        front = _chain_front(page)
        assert front is not None, "no saddle-chain explorer front end on the page"
        front.scroll_into_view_if_needed()
        handle = widget_box(front).locator(".widget-slider").first.locator("[role=slider]")
        handle.focus()
        for key in ["Home", *["ArrowRight"] * 5]:  # d = 1, 2, ..., 6
            handle.press(key)
            page.evaluate(FRAME)
            status = front.locator("[role=status]").inner_text().strip()
            m = re.match(r"d = (\d+), lr ([\d.]+):", status)
            assert m, f"unexpected message {status!r}"
            d, lr = int(m.group(1)), float(m.group(2))
            seen.add(d)
            want = lt.widgets.saddle_chain_explorer(d=d, lr=lr).message
            if _gd_words(status) != _gd_words(want):
                problems.append(f"d = {d}, lr {lr}: the page says {status!r}, labtools {want!r}")
            alt = front.locator("img").first.get_attribute("alt") or ""
            if f"chain of {d} saddles" not in alt:
                problems.append(f"d = {d}: the alt text does not follow: {alt!r}")
        assert seen == set(range(1, 7)), f"the slider went through d = {sorted(seen)}"
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(CHAIN_PAGE, problems)
