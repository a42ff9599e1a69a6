"""Where a move's time goes: a Chromium performance trace of one widget type's moves.

``make bench`` (``frontend_bench.py``) says how long a move takes; this says why.
It opens the first page of the built site that shows the front end ``VIEW``, makes
the same moves as the bench (arrow keys on the first enabled slider) under Chromium's
tracing, and prints, for the page's main thread:

- the median time and count of each phase of the frames (the front ends' and the
  page's animation-frame callbacks, style, layout, pre-paint, paint, layerize,
  commit) and of the key's own handlers;
- the timeline of one move, from its key to the next key: which tasks ran, how long,
  and in which script.

Usage::

    python benchmarks/frontend_trace.py race [--site _build/html] [--moves 20] [--lab]

``--lab`` traces the same moves in JupyterLab, in the notebook of that page, run
against its kernel.

The trace itself (open it in Chrome's DevTools, Performance panel) is written to
``_build/trace-VIEW.json``. Tracing slows the page: compare its phases with each
other, and times with ``make bench``.

What the traces of issue 13 showed (basins, network, race; static page): the front
ends' own frame callbacks are a few ms, except where a move reruns a whole
computation (the escape histogram's 200 SGD runs, made allocation-free) or a map
is computed in slices between frames (basins, network: a key waits for the slice
and frame in progress, so the slices now stop at pending input). The rest is the
page: every frame that changes anything paints, layerizes and commits the whole
chapter (Commit and Layerize are often the largest phases), and page scripts react
to every mutation of a front end: the site's a11y.js rescanned the page in a frame
callback, the front end's slider voicing rescanned its box, and the theme's
fontawesome.js watches the whole document (its observer is left to the page's
owner). Containing each front end's box (``contain: content``) keeps its changes'
style and layout local.

Later traces (issue 13, the rendering part of a move): on a chapter page every
frame that changes text or layout lays out, pre-paints, paints and layerizes the
whole article, whatever changed (chapter 5: 19,543 layout objects; a front end's
status line rewritten alone costs 9-11 ms a frame, its canvases redrawn alone 3 ms).
Skipping the blocks out of view (``content-visibility: auto``) cut this to about
3000 objects, but was taken out of the site's CSS again: a block not yet drawn stands
in at a guessed height, so a widget's place in the page jumped while the browser
tests scrolled and took screenshots (flaky). Containing each block (``contain:
layout paint style``) cut Paint and PrePaint but changed the pages' heights (margins
no longer collapse through a block). Most of Commit is
``LayerTreeHost::DoUpdateLayers`` rasterizing the canvases' recorded operations:
Chromium here runs without a GPU, so a 2-D canvas is a software bitmap redrawn on
the main thread. With Skia's own categories added to the trace, the optimizer race's
commit showed some 700 ``drawArc`` calls a frame, one per dot of four paths that had
converged: ``drawPath`` (plot.js) now leaves out the steps within half a pixel of
the last one drawn and fills all its dots at once (8 ``drawArc`` calls a frame
remain). Tracing Skia inflates each call's cost; untraced, the gain is about a
millisecond. A browser with GPU
rasterization keeps canvases on the GPU and does not pay this.
In JupyterLab (``--lab``, the race in chapter 5) a move ran the front end's frame
callback twice, from two copies of its module: ``FrontEnd`` set its view's ``_esm``
after its comm had opened, anywidget loaded the module again on that change and
rendered the view a second time, and the first view kept listening to the
controls. The module is now set before the comm opens, and a removed view lets go
of its controls (common.js, ``release``): one callback a move, the race's frame work
median 27-29 -> 18-20 ms untraced. What follows the frame there is JupyterLab's
own: its React and FAST components answer each message sent to the kernel
(5-8 ms of script and a layout, in a task after the frame).
In JupyterLab the bench ran with every cell rendered (``windowingMode: none``, as
the tests need); JupyterLab's default (``contentVisibility``) skips the cells out
of view as the site's CSS once did, and is what the bench now measures.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import statistics

import frontend_bench as fb
from localsite import Offline, serve

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel",
              "disabled-by-default-devtools.timeline.frame"]
PHASES = ("EventDispatch", "FireAnimationFrame", "UpdateLayoutTree", "Layout", "PrePaint",
          "Paint", "Layerize", "Commit")
SHOWN = {*PHASES, "FunctionCall", "RunTask", "ParseHTML", "MinorGC", "MajorGC", "TimerFire"}


def page_showing(view, site=fb.SITE):
    """The first page of the built ``site`` that shows the front end ``view``."""
    page_path = next((p for p in fb.widget_pages(site)
                      if view in fb.views_on_page((site / p).read_text(errors="replace"))), None)
    if page_path is None:
        raise ValueError(f"view must be a front end shown on a page of {site}, got {view!r}")
    return page_path


def trace_moves(view, site=fb.SITE, moves=20, browser=None):
    """The trace (bytes) of ``moves`` moves of the first front end ``view`` of the site
    (in ``browser``, a Playwright browser, else Debian's Chromium)."""
    page_path = page_showing(view, site)
    with serve(site) as base, fb.chromium(browser) as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", Offline())
        page.goto(base + page_path, wait_until="load")
        page.wait_for_selector(f"[data-view={view}]", state="attached", timeout=120_000)
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=20_000)
        front = page.locator(f"[data-view={view}]").first
        fb.measure_moves(page, front, 5)  # compiled and warm, as in the bench's later moves
        b.start_tracing(page=page, categories=CATEGORIES)
        fb.measure_moves(page, front, moves)
        return b.stop_tracing()


def trace_moves_lab(view, site=fb.SITE, moves=20, browser=None):
    """As :func:`trace_moves`, in JupyterLab against a kernel: the notebook of the
    first page of the site that shows ``view``, run as ``make bench`` runs it."""
    page_path = page_showing(view, site)
    scope = ".jp-NotebookPanel:not(.lm-mod-hidden)"
    with fb.jupyterlab() as lab, fb.chromium(browser) as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 1000})
        ctx.set_default_timeout(60_000)
        ctx.route("**/*", Offline())
        page = ctx.new_page()
        fb.run_notebook_in_lab(page, lab, fb.notebook_of(page_path))
        if fb.await_views(page, scope, {view}):
            raise RuntimeError(f"{view} never drew in JupyterLab")
        front = page.locator(f"{scope} [data-view={view}]").first
        fb.measure_moves(page, front, 5)
        b.start_tracing(page=page, categories=CATEGORIES)
        fb.measure_moves(page, front, moves)
        return b.stop_tracing()


def main_thread(raw):
    """The complete events of the page's main thread (the renderer that got the keys)."""
    events = json.loads(raw)
    events = events["traceEvents"] if isinstance(events, dict) else events
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    main = [e for e in events if e.get("ph") == "X" and "dur" in e
            and threads.get((e["pid"], e["tid"])) == "CrRendererMain"]
    keys = collections.Counter(e["pid"] for e in main if e["name"] == "EventDispatch")
    if not keys:
        raise RuntimeError("no input event in the trace")
    pid = keys.most_common(1)[0][0]
    return sorted((e for e in main if e["pid"] == pid), key=lambda e: (e["ts"], -e["dur"]))


def _detail(e):
    data = e.get("args", {}).get("data") or e.get("args", {}).get("beginData") or {}
    keep = ("type", "functionName", "url", "lineNumber", "dirtyObjects", "totalObjects",
            "nodeName")
    return {k: data[k] for k in keep if k in data} if isinstance(data, dict) else {}


def report(raw, move=None):
    main = main_thread(raw)
    phases = collections.defaultdict(list)
    for e in main:
        if e["name"] in PHASES and not (e["name"] == "Paint"
                                        and _detail(e).get("nodeName") != "#document"):
            phases[e["name"]].append(e["dur"] / 1e3)
    print("phase: median ms (count)")
    for name in PHASES:
        if phases[name]:
            print(f"  {name:20s} {statistics.median(phases[name]):7.2f} ({len(phases[name])})")
    keys = [e for e in main if e["name"] == "EventDispatch"
            and _detail(e).get("type") == "keydown"]
    k = keys[len(keys) // 2 if move is None else move]
    t0, i = k["ts"], keys.index(k)
    t1 = keys[i + 1]["ts"] if i + 1 < len(keys) else t0 + 200e3
    print(f"one move (key {i} of {len(keys)}): ms from the key, duration, event")
    ends = []
    for e in main:
        if not t0 - 2e3 <= e["ts"] < t1:
            continue
        while ends and ends[-1] <= e["ts"]:
            ends.pop()
        depth = len(ends)
        ends.append(e["ts"] + e["dur"])
        if e["name"] in SHOWN and e["dur"] >= 200 and depth < 12:
            print(f"{(e['ts'] - t0) / 1e3:8.2f} {e['dur'] / 1e3:7.2f} {'  ' * depth}"
                  f"{e['name']} {_detail(e) or ''}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("view", help="a front end's name (landscape, race, basins, ...)")
    ap.add_argument("--site", default=str(fb.SITE))
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--lab", action="store_true",
                    help="in JupyterLab, against a kernel (the page's notebook)")
    args = ap.parse_args()
    site = fb.pathlib.Path(args.site)
    raw = (trace_moves_lab if args.lab else trace_moves)(args.view, site, args.moves)
    out = fb.ROOT / "_build" / f"trace-{args.view}{'-lab' if args.lab else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(raw)
    report(raw)
    print(f"trace: {out}")


if __name__ == "__main__":
    main()
