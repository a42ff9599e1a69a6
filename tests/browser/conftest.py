"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) over the built site.

The site (``_build/html``, or ``COURSE_SITE_DIR``) is served by Python's http.server
on a free localhost port. Every request to any other host is aborted at the
Playwright route level, as if there were no internet; the tests fail when a page
even tries. Results of every page (console errors, axe findings, weight) are
written to ``_build/browser-report/`` and summarised at the end of the run;
screenshots go to ``_build/screenshots/``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from browserlib import REPORTS, SCREENSHOTS, SITE, require_site
from localsite import Offline, serve


def _is_controller(config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session):
    # Reports feed this run's summary only; screenshots are overwritten page by page.
    if _is_controller(session.config) and SITE.is_dir():
        shutil.rmtree(REPORTS, ignore_errors=True)
        for folder in (SCREENSHOTS, REPORTS):
            folder.mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def server() -> str:
    """Base URL of the built site served on a free localhost port."""
    require_site()
    with serve(SITE) as base:
        yield base


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser(chromium_browser):
    yield chromium_browser


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    ctx.set_default_timeout(30_000)
    offline = Offline()
    ctx.route("**/*", offline)
    ctx.offline_log = offline  # type: ignore[attr-defined]
    try:
        yield ctx
    finally:
        ctx.close()


# --------------------------------------------------------------------------- report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _is_controller(config) or not REPORTS.is_dir():
        return
    rows = []
    for path in sorted(REPORTS.glob("*.json")):
        try:
            rows.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    if not rows:
        return
    tr = terminalreporter
    tr.section("page weight in the browser (bytes fetched from the site, largest first)")
    heads = ("total", "html", "images", "scripts", "css+fonts", "requests")
    tr.write_line(f"{'page':<46} " + " ".join(f"{h:>9}" for h in heads))
    for r in sorted(rows, key=lambda r: -r["weight"]["total"]):
        w = r["weight"]
        sizes = [w[k] / 1024 for k in ("total", "document", "img", "script", "css")]
        tr.write_line(
            f"{r['page']:<46} " + " ".join(f"{s:>6.0f} kB" for s in sizes) + f" {w['requests']:>9}"
        )
    tr.section(
        "accessibility (axe-core): violations of minor/moderate impact, reported, not failed"
    )
    seen = False
    for r in rows:
        for v in r.get("axe_other", []):
            seen = True
            tr.write_line(f"{r['page']}: [{v['impact']}] {v['id']} x{v['nodes']}: {v['help']}")
    if not seen:
        tr.write_line("none")
    tr.write_line(f"screenshots: {SCREENSHOTS}")
