"""What a reader does on the static site with no kernel and no internet:
answer the quiz, find the launch buttons, search.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from browserlib import BOOK, SITE, open_page, page_problems_summary, require_site, site_pages

pytestmark = pytest.mark.browser

QUIZ_PAGE = "exercises/saddle_quiz.html"
# The value a widget slider shows beside it (ipywidgets' readout), else aria-valuenow.
READOUT = """h => { const w = h.closest('.widget-slider, .jupyter-widgets');
    const r = w && w.querySelector('.widget-readout');
    return r ? (r.value || r.innerText || '').trim() : (h.getAttribute('aria-valuenow') || ''); }"""
FEEDBACK = "[role=status], [aria-live]"


def quiz_pages() -> list[str]:
    pages = [p for p in site_pages()
             if 'class="labtools-quiz"' in (SITE / p).read_text(encoding="utf-8")]
    return pages or [QUIZ_PAGE]


def _book_config() -> dict:
    return yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))


def _is_correct(feedback: str) -> bool:
    return bool(
        re.search(r"\bcorrect\b|well done", feedback, re.I)
        and not re.search(r"partly|\bnot\b", feedback, re.I)
    )


def _feedback(form) -> str:
    box = form.locator(FEEDBACK)
    return box.first.inner_text().strip() if box.count() else ""


def _check(form) -> str:
    """Click the form's Check button; return the feedback it shows."""
    box = form.locator(FEEDBACK).first
    if form.locator(FEEDBACK).count():
        box.evaluate("el => { el.textContent = ''; }")  # so that fresh feedback is seen at once
    form.get_by_role("button", name=re.compile(r"check|submit", re.I)).first.click()
    if form.locator(FEEDBACK).count():
        try:
            box.page.wait_for_function(
                "el => el.innerText.trim() !== ''", arg=box.element_handle(), timeout=5_000
            )
        except Exception:  # reported by the caller as "no feedback"
            pass
    return _feedback(form)


@pytest.mark.parametrize("page_path", quiz_pages(), ids=lambda p: p.removesuffix(".html"))
def test_quiz_answers_with_feedback_without_a_kernel(context, server, page_path):
    require_site()
    if not (SITE / page_path).is_file():
        pytest.fail(f"{page_path} is not in the built site: the saddle-point quiz page is missing")
    page, log = open_page(context, server + page_path)
    try:
        forms = page.locator(".labtools-quiz form")
        if forms.count() == 0:
            forms = page.locator("main form")
        n_forms = forms.count()
        assert n_forms > 0, (
            f"{page_path}: no quiz form on the page (looked for .labtools-quiz form)"
        )
        problems, checked, solved = [], 0, 0
        for i in range(n_forms):
            form = forms.nth(i)
            if not form.get_by_role("button", name=re.compile(r"check|submit", re.I)).count():
                continue  # a code question: checked in a live notebook only
            form.scroll_into_view_if_needed()
            label = f"question {i + 1}"
            empty = _check(form)
            if not empty:
                problems.append(f"{label}: Check with no answer shows no feedback")
            radios = form.locator("input[type=radio]")
            boxes = form.locator("input[type=checkbox]")
            texts = form.locator("input[type=text], input[type=number], input:not([type])")
            selects = form.locator("select")
            feedbacks = []
            if radios.count():
                for k in range(radios.count()):
                    radios.nth(k).check()
                    feedbacks.append(_check(form))
            elif boxes.count():
                n = min(boxes.count(), 6)
                for mask in range(1, 1 << n):
                    for k in range(n):
                        boxes.nth(k).set_checked(bool(mask >> k & 1))
                    feedbacks.append(_check(form))
                    if _is_correct(feedbacks[-1]):
                        break
            elif texts.count():
                texts.first.fill("0")
                feedbacks.append(_check(form))
                texts.first.fill("not a number")
                feedbacks.append(_check(form))
            elif selects.count():
                for k in range(selects.count()):
                    values = (
                        selects.nth(k)
                        .locator("option")
                        .evaluate_all("os => os.map(o => o.value).filter(v => v)")
                    )
                    if values:
                        selects.nth(k).select_option(values[0])
                feedbacks.append(_check(form))
            else:
                continue
            checked += 1
            if any(not f for f in feedbacks):
                problems.append(f"{label}: an answer got no feedback")
            if radios.count() or boxes.count():
                if any(_is_correct(f) for f in feedbacks):
                    solved += 1
                else:
                    problems.append(
                        f"{label}: no option was accepted as correct; feedback: {feedbacks[:3]}"
                    )
                if len(set(feedbacks)) < 2 and radios.count() > 1:
                    problems.append(
                        f"{label}: every option gets the same feedback: {feedbacks[0]!r}"
                    )
        assert checked > 0, f"{page_path}: found {n_forms} forms but none could be answered"
        problems += log.problems()
        assert not problems, page_problems_summary(page_path, problems)
    finally:
        page.close()


def _repo() -> tuple[str, str, str]:
    cfg = _book_config()
    url = cfg.get("repository", {}).get("url", "")
    m = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", url)
    assert m, f"_config.yml repository.url is not a GitHub repository: {url!r}"
    return m.group(1), m.group(2), cfg.get("repository", {}).get("branch", "main")


def _chapter_page() -> str:
    pages = [p for p in site_pages() if p.startswith("chapters/")]
    pages = [p for p in pages if (BOOK / (p.removesuffix(".html") + ".ipynb")).is_file()] or pages
    if not pages:
        pytest.skip("no chapter page in the built site")
    preferred = [p for p in pages if "saddle" in p]
    return (preferred or pages)[0]


def test_launch_buttons_visible_and_point_at_the_configured_repository(context, server):
    require_site()
    org, name, branch = _repo()
    page_path = _chapter_page()
    page, log = open_page(context, server + page_path)
    try:
        toggle = page.locator(".dropdown-launch-buttons button.dropdown-toggle")
        assert toggle.count(), f"{page_path}: no launch-buttons menu (the rocket) in the header"
        toggle.first.click()
        binder = page.locator(".dropdown-launch-buttons a", has_text=re.compile("Binder", re.I))
        binder.first.wait_for(state="visible", timeout=5_000)
        href = unquote(binder.first.get_attribute("href") or "")
        expected = f"/v2/gh/{org}/{name}/{branch}?"
        assert expected in href, (
            f"{page_path}: Binder button goes to {href}, not the repository {org}/{name}@{branch}"
        )
        assert page_path.removesuffix(".html") + ".ipynb" in href, (
            f"Binder button does not open this notebook: {href}"
        )
        if _book_config().get("launch_buttons", {}).get("thebe"):
            live = page.locator(".dropdown-launch-buttons",
                                has_text=re.compile("Live Code", re.I))
            assert live.count() and page.locator(".btn-launch-thebe").first.is_visible(), (
                f"{page_path}: no visible Live Code (Thebe) button in the launch menu"
            )
            thebe = page.locator("script[type='text/x-thebe-config']")
            assert thebe.count() and f'"{org}/{name}"' in thebe.first.inner_text(), (
                f"{page_path}: the Thebe configuration does not name {org}/{name}"
            )
        else:  # switched off: no button that would spin forever
            assert not page.locator(".btn-launch-thebe").count(), (
                f"{page_path}: a Live Code (Thebe) button although launch_buttons.thebe is off"
            )
        # Opening the menu must not reach for Binder or Thebe: nothing left localhost.
        assert not log.blocked, f"the launch menu fetched {log.blocked}"
    finally:
        page.close()


def test_search_finds_saddle(context, server):
    require_site()
    page, log = open_page(context, server + "search.html?q=saddle")
    try:
        results = page.locator("#search-results ul.search li, #search-results li")
        try:
            results.first.wait_for(state="attached", timeout=30_000)
        except Exception:
            text = (
                page.locator("#search-results").inner_text()
                if page.locator("#search-results").count()
                else ""
            )
            pytest.fail(
                f"search.html?q=saddle returned no results within 30 s; page says: {text[:300]!r}"
            )
        n = results.count()
        first = results.first.locator("a").first.get_attribute("href")
        assert n > 0 and first, "search returned an empty list"
        assert not log.page_errors, f"JavaScript errors during search: {log.page_errors}"
        target = Path(SITE, unquote(first.split("#", 1)[0].split("?", 1)[0]))
        assert target.is_file(), f"first search result links to a missing page: {first}"
    finally:
        page.close()


def test_widget_sliders_are_named_and_keyboard_operable(context, server):
    """On the static site a slider has no kernel behind it, but a keyboard user can
    still reach it, hear its name, and move it (the figure only changes in Binder)."""
    require_site()
    pages = [p for p in site_pages() if "widget-view+json" in (SITE / p).read_text("utf-8")]
    if not pages:
        pytest.skip("no page with widgets in the built site")
    problems = []
    moved = False
    for page_path in pages:
        page, log = open_page(context, server + page_path)
        try:
            handles = page.locator(".widget-subarea [role=slider]")
            for i in range(handles.count()):
                h = handles.nth(i)
                name = h.get_attribute("aria-label") or h.get_attribute("aria-labelledby")
                tab = h.get_attribute("tabindex")
                if not name:
                    problems.append(f"{page_path}: slider {i + 1} has no accessible name")
                if tab is None or int(tab) < 0:
                    problems.append(f"{page_path}: slider {i + 1} is not reachable with Tab")
            if not moved and handles.count():
                h = handles.first
                h.scroll_into_view_if_needed()
                before = h.evaluate(READOUT)
                h.focus()
                page.keyboard.press("ArrowRight")
                if h.evaluate(READOUT) == before:  # already at its maximum
                    page.keyboard.press("ArrowLeft")
                    page.keyboard.press("ArrowLeft")
                if h.evaluate(READOUT) == before:
                    problems.append(f"{page_path}: arrow keys did not move the first slider")
                moved = True
            problems += [f"{page_path}: {p}" for p in log.page_errors]
        finally:
            page.close()
    assert moved, "no widget slider found on any widget page"
    assert not problems, "\n".join(problems)
