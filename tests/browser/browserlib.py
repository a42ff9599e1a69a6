"""Opening a page of the built site and collecting what went wrong on the way."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BOOK = Path(os.environ.get("COURSE_BOOK_DIR", Path(__file__).resolve().parents[2])).resolve()
SITE = Path(os.environ.get("COURSE_SITE_DIR", BOOK / "_build" / "html")).resolve()
BUILD = SITE.parent
SCREENSHOTS = BUILD / "screenshots"
REPORTS = BUILD / "browser-report"
ASSET_DIRS = ("_static", "_sources", "_images", "_downloads")
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def site_pages() -> list[str]:
    """Every HTML page of the built site, relative to its root (sorted: same on every worker)."""
    if not (SITE / "index.html").is_file():
        return []
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE).as_posix()
        if rel.split("/", 1)[0] not in ASSET_DIRS:
            pages.append(rel)
    return pages


def require_site():
    if not (SITE / "index.html").is_file():
        pytest.skip(f"the site is not built: {SITE / 'index.html'} is missing (run `make book`)")


def write_report(page: str, data: dict) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / (page.replace("/", "__") + ".json")).write_text(json.dumps(data, indent=1))


WIDGET_VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGETS_SETTLED = """() => {
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    for (const v of views) {
        const area = v.previousElementSibling;
        if (!area || !area.classList.contains('widget-subarea')) return false;
        if (!area.firstElementChild) return false;
    }
    return Array.from(document.images).every(img => img.complete);
}"""


class PageLog:
    """Console errors, uncaught exceptions, failed and blocked requests of one page."""

    def __init__(self, page, offline):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.http_errors: list[str] = []
        self.failed: list[str] = []
        self.notes: list[str] = []
        self._offline = offline
        self._blocked_before = len(offline.blocked) if offline is not None else 0
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_failed)

    def _on_console(self, msg):
        if msg.type == "error":
            loc = msg.location or {}
            where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            self.console_errors.append(msg.text[:300] + where)

    def _on_response(self, response):
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def _on_failed(self, request):
        host = urlsplit(request.url).hostname or ""
        if host in ("127.0.0.1", "localhost"):
            self.failed.append(f"{request.failure} {request.url}")

    @property
    def blocked(self) -> list[str]:
        return [] if self._offline is None else self._offline.blocked[self._blocked_before :]

    def problems(self) -> list[str]:
        out = [f"JavaScript console error: {e}" for e in self.console_errors]
        out += [f"uncaught JavaScript exception: {e}" for e in self.page_errors]
        out += [f"HTTP error from the site: {e}" for e in self.http_errors]
        out += [f"request failed: {e}" for e in self.failed]
        out += [f"tried to reach the internet (blocked; fails offline): {u}" for u in self.blocked]
        return out


def open_page(context, url: str, *, timeout_ms: int = 60_000):
    """Open `url`, wait until math is typeset and widgets are rendered; return (page, log)."""
    from playwright.sync_api import TimeoutError as PWTimeout

    page = context.new_page()
    log = PageLog(page, getattr(context, "offline_log", None))
    page.goto(url, wait_until="load", timeout=timeout_ms)
    try:
        page.wait_for_load_state("networkidle", timeout=20_000)
    except PWTimeout:
        log.notes.append("the network did not go idle within 20 s")
    page.evaluate(
        """async () => {
             if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
               await MathJax.startup.promise;
             }
           }"""
    )
    page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    try:
        page.wait_for_function(WIDGETS_SETTLED, timeout=30_000)
    except PWTimeout:
        log.notes.append("widgets or images still loading after 30 s")
    return page, log


def page_problems_summary(page_path: str, problems: list[str]) -> str:
    lines = [f"{page_path}: {len(problems)} problem(s) a reader would meet:"]
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)
