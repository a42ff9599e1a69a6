"""A folder served on localhost, and pages that stay offline: shared by the
browser suites (``tests/browser``, ``tests/parity``, ``tests/lab``) and
``benchmarks/frontend_bench.py``.

:func:`serve` serves a folder with Python's http.server on a free localhost port
(ES modules need http, not file://). :class:`Offline` is the Playwright route
handler that lets localhost through and aborts every other request, as if there
were no internet, remembering what it blocked.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class QuietHandler(SimpleHTTPRequestHandler):
    """http.server's handler without a log line per request; ``.js`` as JavaScript."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextlib.contextmanager
def serve(folder):
    """Serve ``folder`` on a free localhost port; yield its base URL (ending in ``/``)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="localsite", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Offline:
    """Route handler (``page.route("**/*", Offline())``): localhost, ``data:``,
    ``blob:`` and ``about:`` go through; anything else is aborted and kept in
    ``blocked``."""

    def __init__(self):
        self.blocked: list[str] = []

    def __call__(self, route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")
