"""Debian's Chromium driven by Playwright: the one launch both browser suites use.

``tests/browser`` (the built site) and ``tests/lab`` (JupyterLab) launch the same
browser the same way: Debian's ``/usr/bin/chromium`` (Playwright's own browser
download does not work on these machines), headless, with the background
networking that this machine's closed network refuses switched off.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium():
    """Yield a launched Playwright browser; close it afterwards (for fixtures).

    Skips when Chromium or Playwright is missing, or fails when
    ``COURSE_REQUIRE_BROWSER`` is set (``make browser`` and ``make test-lab``).
    """
    if not Path(CHROMIUM).exists():
        msg = f"{CHROMIUM} is missing: run `bash scripts/ensure-chromium.sh` (apt-get chromium)"
        if os.environ.get("COURSE_REQUIRE_BROWSER"):
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as pw:
        # launch() gives Chromium a fresh temporary --user-data-dir of its own.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
