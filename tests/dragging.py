"""A slider dragged with the mouse, as a reader does it: the figure of the widget's
front end must follow the drag while the button is held, in the static page
(``tests/browser``) and in JupyterLab (``tests/lab``)."""

from __future__ import annotations

import hashlib

# two animation frames: a move's redraw (one per frame at most) has happened
FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

# The figure as the front end has drawn it: its canvases' pixels and its images,
# read in the page (no screenshot: nothing scrolls while the mouse button is held).
DRAWN = """el => [...el.querySelectorAll('canvas')].map(c => c.toDataURL())
  .concat([...el.querySelectorAll('img')].map(i => i.src)).join('|')"""


# The box of one course widget around a front end's element: its controls and figure.
BOX = "xpath=ancestor::div[contains(@class, 'widget-vbox')][last()]"


def widget_box(front):
    """The course widget (controls and figure) around ``front``, a front end's element
    (a Playwright locator), in the static page and in JupyterLab alike."""
    return front.locator(BOX)


def drawn(front) -> str:
    """A digest of what the front end ``front`` (a Playwright locator) shows now."""
    front.page.evaluate(FRAME)
    return hashlib.sha1(front.evaluate(DRAWN).encode()).hexdigest()


def draggable(box) -> list:
    """The sliders of a widget's ``box`` (a Playwright locator) that a reader can drag:
    those with a handle and not greyed out (the keyboard test checks that a greyed-out
    one shows its reason)."""
    sliders = box.locator(".widget-slider")
    out = []
    for j in range(sliders.count()):
        slider = sliders.nth(j)
        if slider.locator("[role=slider]").count() and not slider.locator("[disabled]").count():
            out.append(slider)
    return out


def drag(front, slider, where: str) -> list[str]:
    """Press the handle of ``slider`` (an ipywidgets ``.widget-slider``) and drag it
    30 px towards its far end, then 30 px more; return what went wrong, each problem
    starting with ``where``: the figure of ``front`` did not change while the button
    was held, or did not follow the second 30 px, or the slider did not move."""
    page = front.page
    handle = slider.locator("[role=slider]").first
    handle.scroll_into_view_if_needed()
    now, lo, hi = (float(handle.get_attribute(a)) for a in
                   ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    leg = 30 if now - lo <= hi - now else -30
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = drawn(front)
    page.mouse.move(x, y)
    page.mouse.down()
    try:
        page.mouse.move(x + leg, y, steps=5)
        half = drawn(front)
        page.mouse.move(x + 2 * leg, y, steps=5)
        full = drawn(front)
    finally:
        page.mouse.up()
    problems = []
    if half == before:
        problems.append(f"{where}: dragged {leg} px with the button held, "
                        "the figure did not change")
    elif full == half:
        problems.append(f"{where}: the figure changed once, then did not follow "
                        f"the drag for another {leg} px")
    if float(handle.get_attribute("aria-valuenow")) == now:
        problems.append(f"{where}: the drag did not move the slider")
    return problems
