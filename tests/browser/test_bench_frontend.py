"""``make bench`` measures the browser front ends in the static page (response time
of every widget type found, first answer after navigation, first-load bytes); this
proves the measurements run, on two pages so the suite stays short."""

from __future__ import annotations

import importlib.util

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
    res = fb.bench_static(quick=True, browser=chromium_browser, site=SITE, pages=pages)
    fronts = res["front_ends"]
    assert {"landscape", "chord"} <= set(fronts), fronts  # found on the pages, not listed
    for view in ("landscape", "chord"):
        out = fronts[view]
        assert "error" not in out, out
        assert out["moves"] >= 30
        assert 0 < out["median_ms"] <= out["p95_ms"] < 5_000
    assert 0 < res["first_answer_s"]["intro.html"] < 120
    load = res["first_load"]
    assert load["heaviest"] == "chapters/01_nonconvexity.html"
    weight = load["pages"][load["heaviest"]]
    assert 0 < weight["gzip_bytes"] < weight["raw_bytes"]
    table = bench.to_markdown({"machine": bench.machine(), **res})
    assert "| landscape explorer | " in table and "First-load bytes" in table
