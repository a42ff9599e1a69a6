"""``make bench`` measures the browser front ends in the static page (response time
of every widget type found, first answer after navigation, first-load bytes); this
proves the measurements run, on two pages so the suite stays short: every widget
type the pages' state holds is measured (found, not listed), with the parts of its
response time, the first answer with the page's milestones, and the bytes."""

from __future__ import annotations

import importlib.util
import re

import pytest
from browserlib import BOOK, SITE, require_site

pytestmark = pytest.mark.browser


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", BOOK / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_front_end_response_time_is_measured(chromium_browser):
    require_site()
    bench = _bench()
    fb = bench.frontend_bench
    pages = ["intro.html", "chapters/01_nonconvexity.html"]
    assert set(pages) <= set(fb.widget_pages(SITE))
    # every page of the site is weighed, widget pages first
    every = fb.site_pages(SITE)
    assert every[:len(fb.widget_pages(SITE))] == fb.widget_pages(SITE)
    assert {"index.html", "reference/api.html"} <= set(every)
    found = set().union(*(fb.views_on_page((SITE / p).read_text()) for p in pages))
    assert {"landscape", "chord"} <= found
    res = fb.bench_static(quick=True, browser=chromium_browser, site=SITE, pages=pages)
    fronts = res["front_ends"]
    assert set(fronts) == found, fronts  # every type found in the pages, none listed by hand
    for view in found:
        out = fronts[view]
        assert "error" not in out, out
        assert out["moves"] >= 30
        assert 0 < out["median_ms"] <= out["p95_ms"] < 5_000
        # the parts of a response: the front end's own JavaScript ends before the frame
        assert 0 <= out["js_median_ms"] <= out["draw_median_ms"] <= out["p95_ms"]
        # the wait for the next frame and the frame's own work split each response
        # time, move by move: neither part exceeds the whole
        assert 0 <= out["wait_median_ms"] <= out["wait_p95_ms"] <= out["p95_ms"]
        assert 0 < out["frame_work_median_ms"] <= out["frame_work_p95_ms"] <= out["p95_ms"]
        assert out["wait_median_ms"] <= out["median_ms"]
        assert out["frame_work_median_ms"] <= out["median_ms"]
        assert out["js_median_ms"] <= out["frame_work_median_ms"]
        # the page's floor beside it, from as many moves of a bare control
        assert out["floor_moves"] >= 30, out
        assert 0 < out["floor_work_median_ms"] <= out["floor_work_p95_ms"] < 5_000
    assert 0 < res["first_answer_s"]["intro.html"] < 120
    parts = res["first_answer_parts"]["chapters/01_nonconvexity.html"]
    assert parts["widgets"] >= 1
    # the manager starts once the HTML is parsed: the first view follows it, and need
    # not wait for ``load`` (which waits for every image and font)
    assert 0 < parts["html"] <= parts["first_view"]
    assert parts["html"] <= parts["load_event"]
    load = res["first_load"]
    assert set(load["pages"]) == set(pages)
    # the heaviest is the page that fetched the most bytes (chapter 1 and the intro
    # are within 1% of each other: which one it is depends on what is in view)
    assert load["heaviest"] == max(load["pages"], key=lambda p: load["pages"][p]["raw_bytes"])
    weight = load["pages"][load["heaviest"]]
    assert 0 < weight["gzip_bytes"] < weight["raw_bytes"]
    table = bench.to_markdown({"machine": bench.machine(), **res})
    assert "| landscape explorer | " in table and "| chord explorer | " in table
    assert "| frame work, static |" in table and "(floor " in table and "; wait " in table
    assert "First-load bytes" in table and "manager fetched" in table


def test_where_a_move_goes_is_traced(chromium_browser, capsys):
    """``benchmarks/frontend_trace.py``: the phases of the frames of a widget's moves,
    from a Chromium trace of the same moves as the bench."""
    require_site()
    _bench()  # puts benchmarks/ on the path
    import frontend_trace as ft

    raw = ft.trace_moves("chord", SITE, moves=6, browser=chromium_browser)
    keys = [e for e in ft.main_thread(raw)
            if e["name"] == "EventDispatch" and ft._detail(e).get("type") == "keydown"]
    assert len(keys) == 6  # the traced moves, not the warm-up before them
    ft.report(raw)
    out = capsys.readouterr().out
    for phase in ("FireAnimationFrame", "Layout", "Paint", "Commit"):
        assert re.search(rf"^  {phase} +\d+\.\d\d \(\d+\)$", out, re.M), out
    # one move's timeline starts at its key, with the front end's frame after it
    assert re.search(r"^one move \(key 3 of 6\)", out, re.M), out
    assert re.search(r"^ +0\.00 +\d+\.\d\d +EventDispatch \{'type': 'keydown'\}", out, re.M), out
    with pytest.raises(ValueError, match="view must be a front end"):
        ft.trace_moves("no-such-view", SITE, browser=chromium_browser)
