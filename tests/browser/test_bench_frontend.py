"""``make bench`` measures the browser front ends' response time in the static page;
this proves the measurement runs (on one widget, so the suite stays short)."""

from __future__ import annotations

import importlib.util

import pytest
from browserlib import BOOK, require_site

pytestmark = pytest.mark.browser


def test_front_end_response_time_is_measured(monkeypatch, chromium_browser):
    require_site()
    spec = importlib.util.spec_from_file_location("bench_run", BOOK / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "FRONT_ENDS",
                        {"landscape explorer": bench.FRONT_ENDS["landscape explorer"]})
    out = bench.bench_frontend(quick=True, browser=chromium_browser)["front_ends"][
        "landscape explorer"]
    assert out["moves"] >= 30
    assert 0 < out["median_ms"] <= out["p95_ms"] < 5_000
    assert "landscape explorer in the static page" in bench.to_markdown(
        {"machine": bench.machine(), "front_ends": {"landscape explorer": out}})
