"""A learner who presses "Binder": JupyterLab from requirements.txt alone, a chapter
run top to bottom, a slider moved from the keyboard, the quiz answered.

Run: ``make test-lab`` (or ``pytest tests/lab -m browser``). The first run builds
the environment (a few minutes, from PyPI); later runs reuse it while
requirements.txt is unchanged. Screenshots: ``_build/screenshots/lab__*.png``.
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest
from lablib import REPO, tail

pytestmark = pytest.mark.browser

SHOTS = REPO / "_build" / "screenshots"
RUN_ALL_TIMEOUT = 15 * 60  # seconds: a chapter may compute for a while on 2 cores

# Fingerprint of the figures in a cell's output: changes when any image changes.
FIGURES = """el => Array.from(el.querySelectorAll('img')).map(img => {
    const s = img.getAttribute('src') || '';
    let h = 0;
    for (let i = 0; i < s.length; i += 7) h = (h * 31 + s.charCodeAt(i)) | 0;
    return s.length + ':' + h;
}).join(',')"""


# The value a slider shows next to it (ipywidgets' readout).
READOUT = """h => { const w = h.closest('.widget-slider, .jupyter-widgets');
    const r = w && w.querySelector('.widget-readout');
    return r ? (r.value || r.innerText || '').trim() : (h.getAttribute('aria-valuenow') || ''); }"""


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"lab__{name}.png"))


def _chapter() -> str:
    wanted = os.environ.get("COURSE_LAB_NOTEBOOK", "chapters/03_saddle_points.ipynb")
    if (REPO / wanted).is_file():
        return wanted
    for nb in sorted(REPO.glob("chapters/*.ipynb")):
        if "widgets." in nb.read_text(encoding="utf-8"):
            return nb.relative_to(REPO).as_posix()
    pytest.skip("no chapter notebook with a widget in chapters/")


def _dismiss_dialogs(page) -> None:
    """Accept a kernel-selection or similar dialog if JupyterLab shows one."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        page.locator(".jp-Dialog .jp-mod-accept").first.click()


def _open_notebook(page, lab, path: str) -> None:
    page.goto(lab.url(f"/lab/tree/{path}"), wait_until="domcontentloaded", timeout=120_000)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.locator(".jp-Cell").first.wait_for(state="visible", timeout=120_000)
    _wait_kernel_idle(page, lab, path, timeout=180)


def _session_state(lab, path: str) -> str | None:
    for sess in lab.api("/api/sessions"):
        if sess.get("path", "").endswith(path) and sess.get("kernel"):
            return sess["kernel"].get("execution_state")
    return None


def _wait_kernel_idle(page, lab, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        _dismiss_dialogs(page)  # e.g. "Select Kernel", if the notebook's kernel is unknown
        state = _session_state(lab, path)
        if state == "idle":
            return
        time.sleep(1)
    _shot(page, "kernel-not-idle")
    pytest.fail(
        f"the kernel for {path} is not idle after {timeout:.0f} s (state {state!r}; screenshot "
        f"{SHOTS / 'lab__kernel-not-idle.png'}); JupyterLab log:\n{tail(lab.log)}"
    )


def _run_all(page, lab, path: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.monotonic() + RUN_ALL_TIMEOUT
    time.sleep(2)
    while True:
        prompts = page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt"
        ).all_inner_texts()
        busy = any("*" in p for p in prompts)
        if not busy and _session_state(lab, path) == "idle":
            break
        if time.monotonic() > deadline:
            _shot(page, "run-all-timeout")
            pytest.fail(f"{path}: cells still running after {RUN_ALL_TIMEOUT} s")
        time.sleep(2)


def _errors(page) -> list[str]:
    outs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
    texts = outs.evaluate_all("els => els.map(e => e.innerText)")
    return [
        t[:800]
        for t in texts
        if "Traceback (most recent call last)" in t or re.search(r"^\w+Error: ", t, re.M)
    ]


def _unexecuted(page) -> list[str]:
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    info = cells.evaluate_all("""cs => cs.map(c => ({
        prompt: (c.querySelector('.jp-InputPrompt') || {}).innerText || '',
        source: (c.querySelector('.cm-content') || {}).innerText || ''}))""")
    return [
        c["source"][:60]
        for c in info
        if c["source"].strip() and not re.search(r"\[\d+\]", c["prompt"])
    ]


def test_chapter_runs_in_jupyterlab_and_a_slider_changes_the_figure(lab, lab_page):
    page, path = lab_page, _chapter()
    _open_notebook(page, lab, path)
    _run_all(page, lab, path)
    _shot(page, "chapter-after-run-all")
    errors = _errors(page)
    assert not errors, f"{path}: cells raised errors when run in JupyterLab:\n" + "\n---\n".join(
        errors
    )
    missing = _unexecuted(page)
    assert not missing, f"{path}: code cells not executed by Run All: {missing[:5]}"

    # A slider (keyboard) in a cell whose output holds a figure.
    sliders = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea [role=slider]")
    n = sliders.count()
    assert n > 0, f"{path}: no widget slider rendered in JupyterLab (ipywidgets front end missing?)"
    tried = []
    for i in range(n):
        handle = sliders.nth(i)
        area = handle.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea')][1]")
        before = area.evaluate(FIGURES)
        if not before:
            continue
        for _ in range(10):  # let any update still in flight land first
            time.sleep(1)
            now = area.evaluate(FIGURES)
            if now == before:
                break
            before = now
        label = handle.evaluate(
            "h => { const w = h.closest('.widget-slider, .jupyter-widgets');"
            " const l = w && w.querySelector('label'); return l ? l.innerText : ''; }"
        )
        value, vmax = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        key = "ArrowLeft" if value is not None and value == vmax else "ArrowRight"
        shown = handle.evaluate(READOUT)
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(3):
            page.keyboard.press(key)
        try:
            page.wait_for_function(
                "([el, before]) => (" + FIGURES + ")(el) !== before",
                arg=[area.element_handle(), before],
                timeout=60_000,
            )
        except Exception:
            tried.append(f"{label or f'slider {i + 1}'} ({shown} -> {handle.evaluate(READOUT)})")
            if len(tried) >= 3:
                break
            continue
        _shot(page, "chapter-after-slider")
        moved_to = handle.evaluate(READOUT)
        assert moved_to != shown, f"the figure changed but the slider still reads {shown}"
        break
    else:
        _shot(page, "chapter-slider-failed")
        pytest.fail(
            f"{path}: moving a slider from the keyboard did not change its figure; tried {tried}"
        )
    assert not page.js_errors, f"JavaScript errors in JupyterLab: {page.js_errors[:5]}"
    assert not page.blocked, f"JupyterLab's page tried to reach the internet: {page.blocked[:5]}"


def test_quiz_answered_in_the_notebook(lab, lab_page):
    page, path = lab_page, "exercises/saddle_quiz.ipynb"
    if not (REPO / path).is_file():
        pytest.fail(f"{path} is missing")
    _open_notebook(page, lab, path)
    _run_all(page, lab, path)
    errors = _errors(page)
    assert not errors, f"{path}: the student version raised errors:\n" + "\n---\n".join(errors)

    # 1. The rendered quiz (HTML + script in the output, trusted because we ran it).
    form = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .labtools-quiz form").first
    form.wait_for(state="visible", timeout=30_000)
    form.scroll_into_view_if_needed()
    radios = form.locator("input[type=radio], input[type=checkbox]")
    feedback = form.locator("[role=status], [aria-live]").first
    seen = []
    for k in reversed(range(radios.count())):  # from the last option: see wrong-answer hints too
        if radios.nth(k).get_attribute("type") == "checkbox":
            radios.nth(k).set_checked(True)
        else:
            radios.nth(k).check()
        form.get_by_role("button", name=re.compile("check", re.I)).click()
        page.wait_for_function(
            "el => el.innerText.trim() !== ''", arg=feedback.element_handle(), timeout=10_000
        )
        seen.append(feedback.inner_text().strip())
        if re.match(r"correct", seen[-1], re.I):
            break
    assert seen and all(seen), "the quiz in the notebook gave no feedback"
    assert any(re.match(r"correct", s, re.I) for s in seen), (
        f"no option accepted as correct: {seen}"
    )
    if len(seen) > 1:
        assert len(set(seen)) > 1, f"wrong and right answers got the same feedback: {seen}"

    # 2. An answer cell: set answer_q1, run it, read the printed feedback.
    cell = (
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
        .filter(has=page.locator(".cm-content", has_text=re.compile(r"answer_q1\s*=")))
        .first
    )
    cell.scroll_into_view_if_needed()
    outputs = []
    for letter in "dcbaef":  # "d" first, so a wrong answer and its hint are seen too
        editor = cell.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+Home")
        page.keyboard.press("Shift+End")
        page.keyboard.insert_text(f'answer_q1 = "{letter}"')
        before = cell.locator(".jp-OutputArea").inner_text()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function(
                "([el, before]) => el.innerText.trim() !== '' && el.innerText !== before",
                arg=[cell.locator(".jp-OutputArea").element_handle(), before],
                timeout=60_000,
            )
        except Exception:
            pass
        text = cell.locator(".jp-OutputArea").inner_text().strip()
        outputs.append(f"{letter}: {text[:200]}")
        if re.search(r":\s*correct\b", text):
            break
    _shot(page, "quiz-answered")
    assert outputs and all(o.split(": ", 1)[1] for o in outputs), (
        f"answer cell printed nothing: {outputs}"
    )
    assert any(re.search(r":\s*correct\b", o) for o in outputs), (
        f"no answer to q1 was reported correct by check(): {json.dumps(outputs, indent=1)}"
    )
    assert not page.js_errors, f"JavaScript errors in JupyterLab: {page.js_errors[:5]}"
    assert not page.blocked, f"JupyterLab's page tried to reach the internet: {page.blocked[:5]}"
