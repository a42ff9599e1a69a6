"""The browser front ends held to labtools (see paritylib): one Chromium page per session."""

from __future__ import annotations

import pytest
from paritylib import JS_DIR, served_page


@pytest.fixture(scope="session")
def js(chromium_browser):
    with served_page(chromium_browser, JS_DIR) as page:
        yield page
