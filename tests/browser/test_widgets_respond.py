"""Every widget whose figure runs in the browser (an anywidget front end, see
labtools/widgets/front.py) responds in the static page, with no kernel and no
internet: every enabled control of it, changed as a reader would (arrow keys on a
slider, another choice in a dropdown, a click on a checkbox), changes the figure's
pixels, and no console error or page error occurs on the way. A click on a map
moves the start. A control that stays disabled (a formula box, which needs a
kernel) has its reason shown, visibly, in the widget.

Two sets of pages: every chapter page of the built site (skipped when it is not
built), and one page per widget built here in seconds (``widget_page.py``, the
same vendored widget manager), so the front ends are checked without the book.
"""

from __future__ import annotations

import hashlib

import pytest
from browserlib import SCREENSHOTS, SITE, open_page, page_problems_summary, site_pages
from dragging import FRAME, drag, draggable, widget_box
from localsite import serve
from widget_page import build_widget, write_page

import labtools as lt

pytestmark = pytest.mark.browser

FRONT = ".labtools-front"


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


def _reason_shown(box) -> bool:
    """The widget says, visibly, why a control is off (labtools.widgets.front.KERNEL_NOTE)."""
    notes = box.locator(".labtools-note")
    return any(notes.nth(i).is_visible() and "notebook" in notes.nth(i).inner_text()
               for i in range(notes.count()))


def _enabled(items, problems, where, what):
    """The enabled elements of the locator ``items``; a disabled one is a problem."""
    for i in range(items.count()):
        item = items.nth(i)
        if item.is_disabled():
            problems.append(f"{where}: {what} is disabled")
        else:
            yield item


def _exercise(front, problems, where):
    """Change every enabled control of the widget holding ``front``; record silences."""
    box = widget_box(front)
    changed = 0
    # dropdowns first: another optimizer may enable a slider the first one greys out
    selects = box.locator(".widget-dropdown select")
    for select in _enabled(selects, problems, where, "a dropdown"):
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
    sliders = box.locator(".widget-slider")
    for i in range(sliders.count()):
        slider = sliders.nth(i)
        handle = slider.locator("[role=slider]").first
        if not handle.count():
            continue
        if slider.locator("[disabled]").count():
            # greyed out for a method that does not take it (lr of Newton): checked
            # to come alive with another choice above; else its reason must show
            if not _reason_shown(box):
                problems.append(f"{where}: the slider {_describe(slider)!r} is disabled "
                                "with no reason shown")
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
    checks = box.locator(".widget-checkbox input[type=checkbox]")
    for check in _enabled(checks, problems, where, "a checkbox"):
        before = _figure(front)
        check.click()
        if _figure(front) == before:
            label = _describe(check.locator("xpath=../.."))
            problems.append(f"{where}: the checkbox {label!r} did not change the figure")
        changed += 1
    buttons = front.locator("button")  # the front end's own (the 1-D explorer's Play)
    for i in range(buttons.count()):
        button = buttons.nth(i)
        before = _figure(front)
        button.click()
        front.page.wait_for_timeout(1200)  # a few frames of the animation
        if _figure(front) == before:
            problems.append(f"{where}: the button {button.inner_text()!r} did not change "
                            "the figure")
        button.click()  # and stop it again
        changed += 1
    texts = box.locator(".widget-text input")
    for i in range(texts.count()):
        # the formula box: alive in a kernel (and where the page can parse a
        # formula); where it is off, the reason must be in view
        text = texts.nth(i)
        if not text.is_disabled() or _reason_shown(box):
            continue
        # off until "your own f" is chosen in the dropdown (it reads the formula then)
        own = [(selects.nth(j), o) for j in range(selects.count())
               for o in selects.nth(j).locator("option").all_inner_texts()
               if "your own" in o.replace("\xa0", " ")]
        if not own:
            problems.append(f"{where}: the formula box is disabled with no reason shown")
            continue
        select, label = own[0]
        previous = select.input_value()
        select.select_option(label=label)
        for _ in range(20):  # the front end switches it on at its next redraw
            if not text.is_disabled():
                break
            front.page.wait_for_timeout(100)
        if text.is_disabled():
            problems.append(f"{where}: choosing {label!r} did not switch the formula box on")
        select.select_option(value=previous)
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
            widget_box(front).screenshot(
                path=str(SCREENSHOTS / f"{page_path.replace('/', '__')}-live{i + 1}.png"))
        assert total > 0, f"{page_path}: no enabled control found next to a front end"
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(page_path, problems)


@pytest.mark.parametrize("page_path", live_pages() or ["(no page)"],
                         ids=lambda p: p.removesuffix(".html"))
def test_a_dragged_slider_moves_the_figure_while_it_is_dragged(context, server, page_path):
    """As a reader does it with the mouse: on each chapter page, every enabled slider
    of every live widget is pressed and dragged, and the figure changes while the
    button is still held, then again as the drag goes on: it follows the drag, it
    does not wait for the release."""
    if page_path == "(no page)":
        pytest.fail("no page of the built site holds a browser front end (anywidget)")
    page, log = open_page(context, server + page_path)
    problems, dragged = [], 0
    try:
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        fronts = page.locator(FRONT)
        for i in range(fronts.count()):
            front = fronts.nth(i)
            for slider in draggable(widget_box(front)):
                where = f"{page_path}, live widget {i + 1}, slider {_describe(slider)!r}"
                problems += drag(front, slider, where)
                dragged += 1
        assert dragged > 0, f"{page_path}: no enabled slider next to a front end"
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(page_path, problems)


@pytest.mark.parametrize("page_path", live_pages() or ["(no page)"],
                         ids=lambda p: p.removesuffix(".html"))
def test_a_move_repaints_the_widgets_block_not_the_whole_chapter(context, server, page_path):
    """The two rules that keep a move's repaint local (issue 13, response time, measured
    in ``make bench``): the site's CSS makes every block of a chapter a paint group of
    its own (``isolation``), and a front end's status line keeps its paint in its box
    (``contain: paint``). The CSS selector follows the theme's markup: if the theme's
    markup changes under it, the rule stops matching, silently, and this test says so."""
    if page_path == "(no page)":
        pytest.fail("no page of the built site holds a browser front end (anywidget)")
    page, log = open_page(context, server + page_path)
    try:
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        found = page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel)).map(f => {
            let block = f;  // the block of the chapter's text that holds the widget
            while (block && !(block.parentElement && block.parentElement.tagName === 'SECTION'))
              block = block.parentElement;
            const lines = Array.from(f.querySelectorAll('[role=status]'));
            return {grouped: !!block && getComputedStyle(block).isolation === 'isolate',
                    lines: lines.length,
                    loose: lines.filter(l => !/paint|strict|content/
                                        .test(getComputedStyle(l).contain)).length};
          })""", FRONT)
        assert found, f"{page_path}: no front end rendered"
        problems = [f"{page_path}, live widget {i + 1}: its block of the chapter is not a paint "
                    f"group of its own (isolation: isolate, _static/course.css)"
                    for i, f in enumerate(found) if not f["grouped"]]
        problems += [f"{page_path}, live widget {i + 1}: {f['loose']} status line(s) without "
                     f"contain: paint (statusLine, common.js)"
                     for i, f in enumerate(found) if f["loose"]]
        assert sum(f["lines"] for f in found) > 0, f"{page_path}: no status line found"
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
        labels = widget_box(front).locator(".widget-label").all_inner_texts()
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
        box = widget_box(front)
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


def widget_pages() -> list[str]:
    """Pages that show a widget (a stored widget view)."""
    return [p for p in site_pages()
            if "application/vnd.jupyter.widget-view+json" in (SITE / p).read_text("utf-8")]


@pytest.mark.parametrize("page_path", widget_pages() or ["(no page)"],
                         ids=lambda p: p.removesuffix(".html"))
def test_no_widget_is_silently_dead(context, server, page_path):
    """Every widget shown on a page either runs in the browser (the test above
    changes each of its controls) or says, visibly, that its figure is a snapshot
    and where the controls come alive."""
    if page_path == "(no page)":
        pytest.fail("no page of the built site shows a widget")
    page, log = open_page(context, server + page_path)
    problems = []
    try:
        areas = page.locator(".widget-subarea")
        for i in range(areas.count()):
            area = areas.nth(i)
            if area.locator(FRONT).count():
                continue
            if not _reason_shown(area) and area.locator(".widget-slider, select").count():
                problems.append(f"widget {i + 1} has controls, no browser front end and "
                                "no visible note saying they need a running notebook")
        problems += log.problems()
    finally:
        page.close()
    assert not problems, page_problems_summary(page_path, problems)


# ------------------------------------------- one widget per page, without the book

#: The widgets as the chapters show them.
WIDGETS = {
    "landscape_explorer": lambda: lt.widgets.landscape_explorer(
        "ackley", optimizer="gd", lr=0.01, x0=(2.0, 1.0)),
    "explorer_1d": lambda: lt.widgets.explorer_1d("sine_tilt", x0=2.0, lr=0.5, steps=200),
    "hessian_inspector": lambda: lt.widgets.hessian_inspector("saddle", x=(0.5, 0.5)),
    "optimizer_race": lambda: lt.widgets.optimizer_race(
        "himmelblau", ["gd", "momentum", "adam", "newton"], x0=(1.0, -1.5), steps=300,
        lr={"gd": 0.01, "momentum": 0.01, "adam": 0.05}),
    "basin_map_explorer": lambda: lt.widgets.basin_map_explorer("himmelblau", lr=0.01),
    "saddle_escape_explorer": lambda: lt.widgets.saddle_escape_explorer("saddle", lr=0.1),
    "minibatch_explorer": lambda: lt.widgets.minibatch_explorer(batch=4, lr=0.1, seed=0,
                                                                steps=60),
    "escape_histogram": lambda: lt.widgets.escape_histogram(lr=0.1, batch=4, runs=200),
}


@pytest.fixture(scope="module")
def widget_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("widgets")
    for name, make in WIDGETS.items():
        write_page(folder, name, [build_widget(make)])
    with serve(folder) as base:
        yield base


@pytest.mark.parametrize("name", list(WIDGETS))
def test_every_control_changes_the_figure_in_a_page_of_its_own(context, widget_server, name):
    page, log = open_page(context, widget_server + f"{name}.html")
    problems = []
    try:
        page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
        front = page.locator(FRONT).first
        changed = _exercise(front, problems, name)
        assert changed >= 2, f"{name}: only {changed} control(s) found next to the front end"
        problems += [p for p in log.problems() if "favicon" not in p]
    finally:
        page.close()
    assert not problems, page_problems_summary(name, problems)


def test_the_race_in_the_page_names_no_diverged_run_as_the_lowest(context, tmp_path):
    """race.js's status line says what labtools says (``OptimizerRace._verdict``): the
    lowest final value among the runs that did not diverge, then the runs that did. On
    the saddle, unbounded below, momentum at this lr diverges with the lowest f of all."""
    settings = {"momentum diverged": {"gd": 0.011, "momentum": 0.011},
                "every run diverged": {"gd": 0.2, "momentum": 0.011}}
    widgets = [build_widget(lambda lr=lr: lt.widgets.optimizer_race(
        "saddle", ["gd", "momentum"], x0=(-0.95, 0.37), steps=300, lr=lr))
        for lr in settings.values()]
    for case, w in zip(settings, widgets, strict=True):
        assert case in w.message, w.message
    write_page(tmp_path, "race", widgets)
    with serve(tmp_path) as base:
        page, log = open_page(context, base + "race.html")
        try:
            page.wait_for_selector(f"{FRONT} canvas", timeout=30_000)
            lines = page.locator(f"{FRONT} [role=status]")
            assert lines.count() == len(widgets)
            said = [lines.nth(i).inner_text().strip() for i in range(len(widgets))]
            problems = [p for p in log.problems() if "favicon" not in p]
        finally:
            page.close()
    assert said == [w.message for w in widgets]
    assert not problems, page_problems_summary("race.html", problems)
