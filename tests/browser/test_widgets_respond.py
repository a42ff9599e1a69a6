"""Every widget whose figure runs in the browser (an anywidget front end, see
labtools/widgets/front.py) responds in the static page, with no kernel and no
internet: every enabled control of it, changed as a reader would (arrow keys on a
slider, another choice in a dropdown), changes the figure's pixels, and no
console error or page error occurs on the way. A click on a map moves the start.
"""

from __future__ import annotations

import hashlib

import pytest
from browserlib import SCREENSHOTS, SITE, open_page, page_problems_summary, site_pages

pytestmark = pytest.mark.browser

FRONT = ".labtools-front"
# The box of one course widget: its controls and its front end.
BOX = "xpath=ancestor::div[contains(@class, 'widget-vbox')][last()]"
FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def live_pages() -> list[str]:
    """Pages whose stored widget state holds a browser front end."""
    return [p for p in site_pages()
            if '"_model_module": "anywidget"' in (SITE / p).read_text(encoding="utf-8")]


def _figure(front) -> str:
    front.page.evaluate(FRAME)
    return hashlib.sha1(front.screenshot(animations="disabled")).hexdigest()


def _describe(control) -> str:
    label = control.locator(".widget-label").first
    return (label.inner_text().strip() if label.count() else "") or "a control"


def _exercise(front, problems, where):
    """Change every enabled control of the widget holding ``front``; record silences."""
    box = front.locator(BOX)
    changed = 0
    sliders = box.locator(".widget-slider")
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        handle = slider.locator("[role=slider]").first
        if slider.locator("[disabled]").count() or not handle.count():
            continue
        before = _figure(front)
        handle.focus()
        handle.press("ArrowRight")
        after = _figure(front)
        if after == before:  # at its maximum, or a step too small to see: go the other way
            handle.press("ArrowLeft")
            handle.press("ArrowLeft")
            after = _figure(front)
        if after == before:
            problems.append(f"{where}: moving the slider {_describe(slider)!r} "
                            "did not change the figure")
        changed += 1
    selects = box.locator(".widget-dropdown select")
    for i in range(selects.count()):
        select = selects.nth(i)
        if select.is_disabled():
            continue
        options = select.locator("option").all_inner_texts()
        # ipywidgets shows a label's spaces as no-break spaces; the value keeps plain ones
        current = select.input_value().replace(" ", "\xa0")
        choices = [o for o in options if o != current and "your own" not in o]
        if not choices:
            continue
        before = _figure(front)
        select.select_option(label=choices[0])
        if _figure(front) == before:
            problems.append(f"{where}: choosing {choices[0]!r} in "
                            f"{_describe(select.locator('xpath=..'))!r} did not change the figure")
        changed += 1
    # where the figure takes clicks, a click moves the start point (its sliders follow)
    canvas = front.locator("canvas[data-click=start]").first
    if not canvas.count():
        return changed
    readouts = box.locator(".widget-readout").all_inner_texts()
    size = canvas.bounding_box()
    before = _figure(front)
    canvas.click(position={"x": size["width"] * 0.37, "y": size["height"] * 0.41})
    if _figure(front) == before or box.locator(".widget-readout").all_inner_texts() == readouts:
        problems.append(f"{where}: a click on the figure did not move the start point")
    return changed


@pytest.mark.parametrize("page_path", live_pages() or ["(no page)"],
                         ids=lambda p: p.removesuffix(".html"))
def test_every_control_of_a_live_widget_changes_its_figure(context, server, page_path):
    if page_path == "(no page)":
        pytest.fail("no page of the built site holds a browser front end (anywidget)")
    page, log = open_page(context, server + page_path)
    problems = []
    try:
        fronts = page.locator(FRONT)
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        assert fronts.count() > 0, f"{page_path}: the front end did not render"
        total = 0
        for i in range(fronts.count()):
            front = fronts.nth(i)
            front.scroll_into_view_if_needed()
            total += _exercise(front, problems, f"{page_path}, live widget {i + 1}")
            front.locator(BOX).screenshot(
                path=str(SCREENSHOTS / f"{page_path.replace('/', '__')}-live{i + 1}.png"))
        assert total > 0, f"{page_path}: no enabled control found next to a front end"
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(page_path, problems)


# ------------------------------------------------------------- the network explorer

NETWORK_PAGE = "chapters/06_neural_landscapes.html"
IDLE = "(el) => !el.dataset.busy"


def _network_front(page):
    """The network explorer's front end: the one whose controls include "batch size"."""
    fronts = page.locator(FRONT)
    for i in range(fronts.count()):
        front = fronts.nth(i)
        labels = front.locator(BOX).locator(".widget-label").all_inner_texts()
        if any(text.strip() == "batch size" for text in labels):
            return front
    return None


def _settled(front):
    """Screenshot, status and alt texts once the retrain, map and sharpness are done."""
    front.page.wait_for_function(IDLE, arg=front.element_handle(), timeout=120_000)
    return (_figure(front), front.locator("[role=status]").inner_text(),
            tuple(front.locator("img").evaluate_all("els => els.map(e => e.alt)")))


def test_every_control_of_the_network_explorer_retrains_it_in_the_page(context, server):
    """Chapter 6's network explorer trains in the browser: each of its six controls,
    changed as a reader would, retrains the network, and once the run is done the
    figures, the message and the alt texts all differ from before; no console error."""
    if not (SITE / NETWORK_PAGE).is_file():
        pytest.fail(f"{NETWORK_PAGE} is not in the built site")
    page, log = open_page(context, server + NETWORK_PAGE)
    problems = []
    try:
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        front = _network_front(page)
        assert front is not None, "no network explorer front end on the page"
        front.scroll_into_view_if_needed()
        box = front.locator(BOX)
        before = _settled(front)
        assert "Training accuracy" in before[1] and all(before[2]), before
        moved = []
        sliders = box.locator(".widget-slider")
        for i in range(sliders.count()):
            slider = sliders.nth(i)
            handle = slider.locator("[role=slider]").first
            handle.focus()
            handle.press("ArrowLeft")  # lr, init scale, steps: all at their defaults
            moved.append((_describe(slider), _settled(front)))
        selects = box.locator(".widget-dropdown select")
        for i in range(selects.count()):
            select = selects.nth(i)
            options = select.locator("option").all_inner_texts()
            choice = [o for o in options if o != select.input_value()][-1]
            select.select_option(label=choice)
            moved.append((_describe(select.locator("xpath=..")), _settled(front)))
        names = [name for name, _ in moved]
        assert sorted(names) == sorted(["learning rate lr", "init scale", "steps", "optimizer",
                                        "batch size", "activation"]), names
        for (name, now), (_, earlier) in zip(moved, [(None, before), *moved[:-1]],
                                             strict=True):
            for part, what in zip(range(3), ("the figure", "the message", "the alt texts"),
                                  strict=True):
                if now[part] == earlier[part]:
                    problems.append(f"changing {name!r} did not change {what}")
            if "Problem" in now[1]:
                problems.append(f"after changing {name!r}: {now[1]}")
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(NETWORK_PAGE, problems)
