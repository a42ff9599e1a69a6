"""``make bench``, the browser front ends: how fast a widget answers a learner.

- **Response time**: from the input event (a key press on a slider) to the end of
  the animation frame in which the front end redrew its figure (the browser paints
  right after it), median and p95 of at least 30 moves, for every widget type found
  on the pages: in the static page (no kernel) and in JupyterLab (the same front end
  against a live kernel, with JupyterLab's default windowing of notebooks: the
  cells out of view are not rendered). Widget types are found, not listed: every front end marks
  its element with ``data-view`` (``labtools/widgets/js/main.js``), so a widget made
  live later is measured as soon as a page shows it.
- **The page's floor**, the baseline of each response time, measured in the same run
  beside the same widget: a bare control placed right after it, whose keys rewrite a
  short readout in the next frame (``FLOOR``). Its frame work is what the page itself
  (the chapter, or JupyterLab and the notebook) costs for the smallest change there;
  the widget's frame work is reported beside it and as a multiple of it.
- **First answer**: from navigation to the first widget of a page that has drawn
  its figure, in the static page.
- **First-load bytes** of every chapter page (everything the browser fetches while
  loading it, raw and gzip-compressed) and the heaviest of them.

Nothing here asserts a time; ``tests/browser/test_bench_frontend.py`` and
``tests/lab/test_lab_widgets.py`` prove that each measurement runs.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
# the localhost server, the offline rule and JupyterLab's start-up of the browser tests
for _folder in (ROOT / "tests", ROOT / "tests" / "lab"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
import lablib  # noqa: E402
from dragging import widget_box  # noqa: E402
from localsite import Offline, serve  # noqa: E402

SITE = ROOT / "_build" / "html"
AIM = "p95 <= 16 ms (one frame at 60 Hz)"
# Moves per widget type (and as many for its floor): the p95 of 100 moves is the
# fifth-worst, so one or two stalls of a shared machine no longer decide it.
MOVES = 100
# Fewer moves drawn than this (issue 13 asks for at least 30) is reported as an error.
MIN_MOVES = 30

# Time a move. Three instants after the key's event time (``ev.timeStamp``):
# - ``start``: the animation frame that follows the key begins (a callback asked
#   for in the key's own handler, which runs before the front end's, queued later);
# - ``draw``: the front end has changed its own part of the page (canvases, message,
#   alt text: written in that frame), seen by a MutationObserver;
# - ``frame``: that frame has been laid out, painted and handed to the compositor:
#   a task posted from the observer runs once the frame's task is over, unless the
#   next frame runs first (a front end that computes in slices, one per frame: its
#   slice would be counted), so ``frame`` is the earlier of that task and the
#   start of the next frame's callbacks (the key's handler asks for one, first in
#   that frame).
# ``frame`` is the response time reported (from the input event to the painted
# frame, as issue 13 defines it); ``draw - start`` is the front end's own
# JavaScript, ``frame - draw`` the browser's rendering, and ``start`` the wait for
# the next frame, which no front end can shorten: a key lands anywhere in a vsync
# interval, so the wait is spread about uniformly over 0-16.7 ms (measured in the
# static pages, front ends with no work between frames: median 5-11 ms, p95 9-19
# ms; more where a slice of work or a long frame is in progress when the key
# comes). Total p95 <= 16 ms would then need frame work near 0; the criterion a
# front end can meet is "frame work" = ``frame - start`` (all a move does once its
# frame begins: the front end's JavaScript, style, layout, paint, commit) with
# p95 <= 16 ms, so that every move shows in the very next frame.
# One probe is active at a time.
PROBE = """(el) => {
  const probe = { t0: null, start: null, next: null, samples: [], draw: [], js: [], wait: [] };
  window.__probe = probe;
  if (!window.__probeListening) {
    window.__probeListening = true;
    document.addEventListener('keydown', (ev) => {
      const p = window.__probe;
      if (!p) return;
      p.t0 = ev.timeStamp; p.start = null; p.next = null;
      const key = p.key = (p.key || 0) + 1;  // a later key's frames are its own
      requestAnimationFrame(() => {
        if (p.t0 === null || p.key !== key) return;
        p.start = performance.now();
        // first in the next frame's callbacks: that frame has begun
        requestAnimationFrame(() => { if (p.key === key) p.next = performance.now(); });
      });
    }, true);
  }
  const front = el.querySelector('.labtools-front') || el;
  const channel = new MessageChannel();
  new MutationObserver(() => {
    if (window.__probe !== probe || probe.t0 === null) return;
    const t0 = probe.t0, now = performance.now();
    probe.t0 = null;
    probe.draw.push(now - t0);
    const start = probe.start === null ? now : probe.start;
    probe.js.push(now - start);
    const done = () => {
      const end = performance.now(), next = probe.next;
      // the frame ended before the next one began (if the next ran first)
      const frame = next !== null && next > now ? Math.min(end, next) : end;
      probe.samples.push(frame - t0); probe.wait.push(start - t0);
    };
    // a task of the highest priority, run once the frame's task ends
    if (window.scheduler && scheduler.postTask) {
      scheduler.postTask(done, {priority: 'user-blocking'});
    } else { channel.port1.onmessage = done; channel.port2.postMessage(0); }
  }).observe(front, {childList: true, characterData: true, subtree: true, attributes: true});
}"""

# The probe's end of a frame is a task, and Chromium (since about version 130, on by
# default: feature DeferRendererTasksAfterInput, policy "all types") holds back
# every task of a page after a key until a frame that began after the key has been
# committed. A key that lands just before a frame begins is answered in that frame,
# yet the browser counts the frame after it as the key's: the probe's task then
# runs only after that second frame, and capped at its start, the move reads 16.7
# ms whatever its own frame cost. Measured (chapter 2, the basin map, 100 moves):
# 36-49 of 100 moves read so, p95 16.7 ms; the trace of the same moves, where each
# key's frame is timed by Chromium itself, gives a p95 of 6.7 ms for the whole frame
# task. The flag lets the probe's task run when the frame is over; what a frame
# draws and costs is the same with it (tasks held back after a key run between
# frames, not in them).
PROBE_FLAGS = ["--disable-features=DeferRendererTasksAfterInput"]

# The enabled slider handles of a widget's box, in page order.
SLIDERS = """box => Array.from(box.querySelectorAll('[role=slider]')).map((h, i) => {
    const w = h.closest('.widget-slider, .jupyter-widgets');
    const off = h.getAttribute('aria-disabled') === 'true' || h.hasAttribute('disabled')
      || (w && w.classList.contains('mod-disabled'));
    return off ? -1 : i; }).filter(i => i >= 0)"""


def _press(page, moves):
    """Press arrow keys on the focused control, one move at a time; return the probe's
    samples and parts (see ``PROBE``)."""
    done = 0
    for k in range(moves):
        # one move at a time: the next key once this one has been drawn
        # (two keys within one frame would be drawn once)
        page.keyboard.press("ArrowRight" if (k // 5) % 2 == 0 else "ArrowLeft")
        with contextlib.suppress(Exception):  # not redrawn: counted below
            page.wait_for_function("(n) => window.__probe.samples.length > n", arg=done,
                                   timeout=5_000)
        done = page.evaluate("() => window.__probe.samples.length")
    probe = page.evaluate("() => window.__probe")
    return probe["samples"], {k: probe[k] for k in ("draw", "js", "wait")}


def frame_work(samples, parts):
    """Each move's frame work, ms: from the start of its frame to its end (``PROBE``)."""
    return np.asarray(samples) - np.asarray(parts["wait"])


def measure_moves(page, front, moves):
    """Press arrow keys on the first enabled slider of the widget of ``front`` (an
    element with ``data-view``); return the response times in ms (one per move that
    redrew), the slider's label and the parts of each time (``{"draw", "js", "wait"}``,
    ms, one per response time: see ``PROBE``)."""
    box = widget_box(front)
    handles = box.locator("[role=slider]")
    usable = box.evaluate(SLIDERS)
    if not usable:
        raise RuntimeError(f"{front.get_attribute('data-view')}: no enabled slider to move")
    handle = handles.nth(usable[0])
    label = handle.evaluate(
        "h => { const w = h.closest('.widget-slider, .jupyter-widgets');"
        " const l = w && w.querySelector('label'); return l ? l.innerText : ''; }")
    handle.scroll_into_view_if_needed()
    page.evaluate(PROBE, front.element_handle())
    handle.focus()
    samples, parts = _press(page, moves)
    return samples, label, parts


# The baseline of a widget's moves, measured in the same run, page and place: the
# page's floor. A bare control is put right after the widget's box (in the same
# block of the chapter, or the same output of the notebook): a focusable handle
# whose arrow keys rewrite a short readout in the next animation frame, as a front
# end redraws in the frame after a key. Its frame work is what the page itself
# costs for the smallest visible change there (style, layout, paint, layerize and
# commit of the document around it); what a widget's frame work adds to it is the
# widget's: its controls, its front end and its canvases (a drag sends the kernel
# nothing until it rests: sendWhenRested in labtools/widgets/js/common.js).
FLOOR = """box => {
  const floor = document.createElement('div');
  floor.className = 'bench-floor';
  const handle = document.createElement('div'), readout = document.createElement('span');
  handle.tabIndex = 0;
  handle.setAttribute('role', 'slider');
  handle.setAttribute('aria-label', 'floor');
  handle.style.cssText = 'display:inline-block; width:120px; height:10px; background:#ccc;';
  readout.textContent = '50';
  let value = 50;
  handle.addEventListener('keydown', (ev) => {
    value += ev.key === 'ArrowRight' ? 1 : -1;
    ev.preventDefault();
    requestAnimationFrame(() => { readout.textContent = String(value); });
  });
  floor.append(handle, readout);
  box.after(floor);
}"""


def measure_floor(page, front, moves):
    """The page's floor beside the widget of ``front`` (see ``FLOOR``): the frame work
    of each of ``moves`` moves of a bare control, in ms."""
    widget_box(front).evaluate(FLOOR)
    floor = page.locator(".bench-floor").last
    try:
        page.evaluate(PROBE, floor.locator("span").element_handle())
        handle = floor.locator("[role=slider]")
        handle.scroll_into_view_if_needed()
        handle.focus()
        samples, parts = _press(page, moves)
    finally:
        floor.evaluate("f => f.remove()")
    return frame_work(samples, parts)


def measure_all(tab, fronts, moves, out, **where):
    """Measure the first front end of each widget type among ``fronts`` not yet in ``out``."""
    for i in range(fronts.count()):
        front = fronts.nth(i)
        view = front.get_attribute("data-view")
        if view in out and "error" not in out[view]:
            continue  # measured; a type whose first widget could not be, tries the next
        try:
            samples, label, parts = measure_moves(tab, front, moves)
        except RuntimeError as exc:
            out[view] = {"error": str(exc), **where}
            continue
        if len(samples) < MIN_MOVES:
            out[view] = {"error": f"only {len(samples)} of {moves} moves redrew", **where}
            continue
        work = frame_work(samples, parts)
        out[view] = summary(samples, moves, slider=label, **where,
                            draw_median_ms=float(np.median(parts["draw"])),
                            js_median_ms=float(np.median(parts["js"])),
                            js_p95_ms=float(np.percentile(parts["js"], 95)),
                            wait_median_ms=float(np.median(parts["wait"])),
                            wait_p95_ms=float(np.percentile(parts["wait"], 95)),
                            frame_work_median_ms=float(np.median(work)),
                            frame_work_p95_ms=float(np.percentile(work, 95)))
        floor = measure_floor(tab, front, moves)
        if len(floor) < MIN_MOVES:
            out[view]["floor_error"] = f"only {len(floor)} of {moves} moves of the floor redrew"
        else:
            out[view].update(floor_moves=len(floor),
                             floor_work_median_ms=float(np.median(floor)),
                             floor_work_p95_ms=float(np.percentile(floor, 95)))
    return out


def summary(samples, moves, **extra):
    return {"median_ms": float(np.median(samples)), "p95_ms": float(np.percentile(samples, 95)),
            "moves": len(samples), "tried": moves, "aim": AIM, **extra}


# --------------------------------------------------------------------------- static page


@contextlib.contextmanager
def chromium(browser=None):
    """A Playwright browser: ``browser`` if given, else Debian's Chromium, headless."""
    if browser is not None:
        yield browser
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--disable-background-networking", "--disable-component-update",
                  *PROBE_FLAGS])
        try:
            yield b
        finally:
            b.close()


def widget_pages(site=SITE):
    """The site's pages that hold a widget, in the order of the book."""
    pages = [p for p in ["intro.html", *sorted(
        q.relative_to(site).as_posix() for q in (site / "chapters").glob("*.html"))]
        if (site / p).is_file()]
    return [p for p in pages if "widget-view+json" in (site / p).read_text(errors="replace")]


def site_pages(site=SITE):
    """Every page of the built site (not Sphinx's own folders), widget pages first."""
    first = widget_pages(site)
    rest = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not {"_static", "_sources", "_images"} & set(p.relative_to(site).parts))
    return first + [p for p in rest if p not in first]


_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>',
                    re.DOTALL)


def views_on_page(html):
    """The front ends (anywidget ``view`` names) in a built page's widget state."""
    m = _STATE.search(html)
    if not m:
        return set()
    state = json.loads(m.group(1).replace("<\\/script>", "</script>"))["state"]
    return {v["state"].get("view") for v in state.values()
            if v.get("model_name") == "AnyModel" and v["state"].get("view")}


# When the first front end of a page has drawn (its element gets ``data-view``), in
# ms from navigation, with the page's own milestones: the end of the HTML, the
# ``load`` event and the widget manager's script fetched. The manager renders the
# widgets once the HTML is parsed (_vendor/_static/offline/widgets-start.js), not
# after ``load``.
FIRST_VIEW = """(() => {
  new MutationObserver((_, obs) => {
    if (document.querySelector('[data-view]')) {
      window.__firstView = performance.now();
      obs.disconnect();
    }
  }).observe(document, {subtree: true, childList: true, attributes: true,
                        attributeFilter: ['data-view']});
})()"""

MILESTONES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const lib = performance.getEntriesByType('resource').find((r) => /embed-amd/.test(r.name));
  return {first_view: window.__firstView, html: nav.domContentLoadedEventEnd,
          load_event: nav.loadEventEnd, manager_fetched: lib ? lib.responseEnd : null,
          widgets: document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]').length};
}"""


def _open(browser, url, weigh=False):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", Offline())
    page.add_init_script(FIRST_VIEW)
    bodies = []
    if weigh:
        def on_response(resp):
            with contextlib.suppress(Exception):
                bodies.append(resp.body())
        page.on("response", on_response)
    t0 = time.perf_counter()
    page.goto(url, wait_until="load")
    return page, t0, bodies


def _weight(bodies):
    return {"raw_bytes": sum(len(x) for x in bodies),
            "gzip_bytes": sum(len(gzip.compress(x, 6)) for x in bodies), "requests": len(bodies)}


def bench_static(quick=False, browser=None, site=SITE, pages=None):
    """Every widget type on the site's pages, measured in the static page (no kernel);
    the first answer of each page with a front end; the first-load bytes of every page
    (``pages``: only these)."""
    if not (site / "index.html").is_file():
        raise RuntimeError(f"the site is not built ({site}); run `make book` first")
    moves = 30 if quick else MOVES
    out, first, parts, weight = {}, {}, {}, {}
    live = set(widget_pages(site))
    with serve(site) as base, chromium(browser) as b:
        for path in pages or site_pages(site):
            page, t0, bodies = _open(b, base + path, weigh=True)
            try:
                if path in live and '"AnyModel"' in (site / path).read_text(errors="replace"):
                    page.wait_for_selector("[data-view]", state="attached", timeout=120_000)
                    first[path] = time.perf_counter() - t0
                    parts[path] = {k: (v / 1e3 if k != "widgets" and v is not None else v)
                                   for k, v in page.evaluate(MILESTONES).items()}
                elif path.startswith("chapters/"):
                    first[path] = None  # a chapter without a widget: said in the table
                with contextlib.suppress(Exception):
                    page.wait_for_load_state("networkidle", timeout=20_000)
                weight[path] = _weight(bodies)
                if path in live:
                    measure_all(page, page.locator("[data-view]"), moves, out, page=path)
                    for view in views_on_page((site / path).read_text(errors="replace")):
                        # a front end in the page's state that never drew: said, not skipped
                        out.setdefault(view, {"error": "in the page's state, never drew",
                                              "page": path})
            finally:
                page.close()
    heaviest = max(weight, key=lambda p: weight[p]["raw_bytes"]) if weight else None
    return {"front_ends": out, "first_answer_s": first, "first_answer_parts": parts,
            "first_load": {"pages": weight, "heaviest": heaviest,
                           "aim": "under about 8 MB raw and 2.5 MB gzip"}}


# --------------------------------------------------------------------------- JupyterLab


def _lab_helpers():
    """The JupyterLab harness of tests/lab (open a notebook, Run All)."""
    import test_binder_path as harness  # tests/lab is on the path (see the top)

    return harness


@contextlib.contextmanager
def jupyterlab(windowing=None):
    """JupyterLab from this environment on a free port, over a copy of the course,
    with JupyterLab's own windowing of notebooks (``windowing``: a
    ``lablib.write_settings`` mode; None, JupyterLab's default, is what a reader's
    JupyterLab does: cells out of view are not rendered)."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-lab-"))
    env = {k: v for k, v in os.environ.items() if k not in ("LABTOOLS_BUILD", "JUPYTER_PATH")}
    env.update(PYTHONPATH=str(work / "repo"), OPENBLAS_NUM_THREADS="1")
    try:
        with lablib.jupyterlab(pathlib.Path(sys.executable).with_name("jupyter"), work,
                               env, windowing=windowing) as lab:
            yield lab
    finally:
        shutil.rmtree(work, ignore_errors=True)


def notebook_of(page_path):
    """chapters/02_local_minima.html -> chapters/02_local_minima.ipynb"""
    return re.sub(r"\.html$", ".ipynb", page_path)


def run_notebook_in_lab(page, lab, path):
    """Open ``path`` in JupyterLab, Run All, wait for the kernel; return the page."""
    harness = _lab_helpers()
    harness._open_notebook(page, lab, path)
    harness._run_all(page, lab, path)
    errors = harness._errors(page)
    if errors:
        raise RuntimeError(f"{path}: cells raised errors in JupyterLab: {errors[:2]}")


def views_of_notebook(path, site=SITE):
    """The front ends ``path``'s outputs hold: those in the widget state of its built
    page (empty when the site is not built)."""
    html = site / re.sub(r"\.ipynb$", ".html", path)
    return views_on_page(html.read_text(errors="replace")) if html.is_file() else set()


def await_views(page, scope, views, timeout_s=120):
    """Wait until a front end of each type in ``views`` has drawn inside ``scope`` (a
    CSS selector); return the types that did not within ``timeout_s``. After Run All,
    the kernel is idle before every output's front end has loaded its module and drawn:
    a type counted too early would be missing from the table."""
    deadline = time.monotonic() + timeout_s
    missing = set(views)
    while True:
        missing = {v for v in missing if not page.locator(f"{scope} [data-view={v}]").count()}
        if not missing or time.monotonic() > deadline:
            return missing
        page.wait_for_timeout(250)


def bench_lab(quick=False, browser=None, lab=None, notebooks=None, page=None, run=True):
    """Every widget type of ``notebooks`` (default: the pages with widgets, as notebooks),
    measured in JupyterLab against its kernel. ``run=False``: ``page`` already shows
    the one notebook, run."""
    moves = 30 if quick else MOVES
    if notebooks is None:  # the pages whose widgets have a browser front end (anywidget)
        notebooks = [notebook_of(p) for p in widget_pages() if '"AnyModel"' in (
            SITE / p).read_text(errors="replace")] if SITE.is_dir() else [
            "intro.ipynb", *sorted(p.relative_to(ROOT).as_posix()
                                   for p in (ROOT / "chapters").glob("*.ipynb"))]
    out = {}
    with contextlib.ExitStack() as stack:
        if lab is None:
            lab = stack.enter_context(jupyterlab())
        if page is None:
            b = stack.enter_context(chromium(browser))
            ctx = b.new_context(viewport={"width": 1400, "height": 1000})
            stack.callback(ctx.close)
            ctx.set_default_timeout(60_000)
            ctx.route("**/*", Offline())
            page = ctx.new_page()
        scope = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        for path in notebooks:
            if run:
                run_notebook_in_lab(page, lab, path)
            never = await_views(page, scope, views_of_notebook(path))
            measure_all(page, page.locator(f"{scope} [data-view]"), moves, out, notebook=path)
            for view in sorted(never):  # said in the table, not left out
                out.setdefault(view, {"error": "in the notebook's outputs, never drew in "
                                      "JupyterLab", "notebook": path})
            if run and notebooks[-1] != path:
                page.goto("about:blank")
    return {"front_ends_lab": out}


VIEW_NAMES = {"landscape": "landscape explorer", "chord": "chord explorer",
              "explorer1d": "1-D explorer", "saddle": "saddle-escape explorer",
              "hessian": "Hessian inspector", "race": "optimizer race", "basins": "basin map",
              "network": "network explorer", "chain": "saddle-chain explorer",
              "minibatch": "mini-batch explorer", "escape": "escape-time histogram"}


def to_markdown(res):
    """The front-end rows and tables of results.md."""
    lines = []
    static, lab = res.get("front_ends", {}), res.get("front_ends_lab", {})
    if static or lab:
        lines += ["", "Response time of the browser front ends, in headless Chromium: from the "
                  "key press on a slider to the end of the frame that shows the new figure "
                  "(laid out, painted and handed to the compositor), median / p95 (ms) over "
                  "the moves shown, then in brackets the median of the front end's own "
                  "JavaScript in that frame; every widget type found on the pages (aim: "
                  f"{AIM}). Frame work is the part of a move from the start of the "
                  "next animation frame to its end (median / p95, ms), then in brackets "
                  "the page's floor measured beside the widget in the same run (median / p95 "
                  "of a bare control right after the widget that rewrites a short readout "
                  "in the frame after each key: what the page itself costs for the "
                  "smallest change there), the widget's median as a multiple of the "
                  "floor's, and the median wait from the key to that frame's start: the "
                  "wait is spread over one vsync interval whatever the front end does, so "
                  "a move shows in the next frame when its frame work fits in one 16.7 ms "
                  "frame (one-frame criterion: frame work p95 <= 16 ms):", "",
                  "| widget type | static page | frame work, static | JupyterLab (live kernel) "
                  "| frame work, JupyterLab |",
                  "| --- | --- | --- | --- | --- |"]

        def cell(v):
            if not v:
                return "not on the pages measured"
            if "error" in v:
                return f"could not measure: {v['error']}"
            js = f"; JS {v['js_median_ms']:.1f}" if "js_median_ms" in v else ""
            return f"{v['median_ms']:.1f} / {v['p95_ms']:.1f} ({v['moves']} moves{js})"

        def work(v):
            if not v or "frame_work_median_ms" not in v:
                return "-"
            if "floor_work_median_ms" in v:
                floor = (f"floor {v['floor_work_median_ms']:.1f} / "
                         f"{v['floor_work_p95_ms']:.1f}, "
                         f"{v['frame_work_median_ms'] / v['floor_work_median_ms']:.1f}x; ")
            else:
                floor = f"floor: {v.get('floor_error', 'not measured')}; "
            return (f"{v['frame_work_median_ms']:.1f} / {v['frame_work_p95_ms']:.1f} "
                    f"({floor}wait {v['wait_median_ms']:.1f})")

        for view in sorted(set(static) | set(lab), key=lambda v: VIEW_NAMES.get(v, v)):
            s_, l_ = static.get(view), lab.get(view)
            lines.append(f"| {VIEW_NAMES.get(view, view)} | {cell(s_)} | {work(s_)} | "
                         f"{cell(l_)} | {work(l_)} |")
    first = res.get("first_answer_s")
    if first:
        parts = res.get("first_answer_parts", {})
        lines += ["", "Time from navigation to the first widget that has drawn its figure, "
                  "static page, with the page's milestones (seconds from navigation: the "
                  "HTML parsed (the widget manager starts rendering then), the manager's script "
                  "fetched, the `load` event):", "",
                  "| page | widgets | first widget drawn | HTML | manager fetched | load |",
                  "| --- | --- | --- | --- | --- | --- |"]

        def sec(v):
            return "-" if v is None else f"{v:.2f}"

        for page, seconds in first.items():
            if seconds is None:
                lines.append(f"| `{page}` | 0 | no widget on this page | - | - | - |")
                continue
            m = parts.get(page, {})
            lines.append(f"| `{page}` | {m.get('widgets', '-')} | {seconds:.2f} | "
                         f"{sec(m.get('html'))} | {sec(m.get('manager_fetched'))} | "
                         f"{sec(m.get('load_event'))} |")
    load = res.get("first_load")
    if load and load.get("pages"):
        h = load["heaviest"]
        lines += ["", f"First-load bytes of every page (everything fetched while loading; "
                  f"gzip as a compressing server sends it); heaviest: `{h}`, "
                  f"{load['pages'][h]['raw_bytes'] / 1e6:.2f} MB raw, "
                  f"{load['pages'][h]['gzip_bytes'] / 1e6:.2f} MB gzip (aim: {load['aim']}):",
                  "", "| page | raw | gzip | requests |", "| --- | --- | --- | --- |"]
        lines += [f"| `{p}` | {v['raw_bytes'] / 1e6:.2f} MB | {v['gzip_bytes'] / 1e6:.2f} MB | "
                  f"{v['requests']} |" for p, v in load["pages"].items()]
    return lines
