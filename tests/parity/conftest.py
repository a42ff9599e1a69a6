"""The browser front ends held to labtools (see paritylib): one Chromium page per session."""

from __future__ import annotations

import functools
import threading
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from paritylib import JS, JS_DIR, _Quiet


@pytest.fixture(scope="session")
def js(chromium_browser):
    handler = functools.partial(_Quiet, directory=str(JS_DIR))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        page = chromium_browser.new_page()

        def offline(route):
            host = urlsplit(route.request.url).hostname or ""
            if host in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                route.abort("internetdisconnected")

        page.route("**/*", offline)
        page.goto(base)
        yield JS(page, base)
        page.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
