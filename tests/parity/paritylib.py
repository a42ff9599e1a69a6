"""Helpers of tests/parity: a page in headless Chromium that imports
the ES modules of ``labtools/widgets/js/`` straight from the source tree.

The folder is served by Python's http.server on a free localhost port (module
imports need http, not file://); every other host is refused, as offline.
Tests call :meth:`JS.call` with the body of an async function that may
``await mod("optim.js")``; arguments and results cross as JSON (NaN and
infinities as strings, see :func:`encode`).
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

from localsite import Offline, serve

JS_DIR = Path(__file__).resolve().parents[2] / "labtools" / "widgets" / "js"


def encode(value):
    """JSON-safe: floats that JSON cannot carry become the strings 'nan', 'inf', '-inf'."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


# Inverse of encode, in the page: results come back with the same convention.
_PRELUDE = """
const base = %s;
const mods = {};
const mod = async (name) => (mods[name] ||= await import(base + name));
const landscape = (src) => new Function("return " + src)();
const num = (v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
const clean = (v) => (typeof v === "number" && !Number.isFinite(v)
  ? (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf")
  : Array.isArray(v) ? v.map(clean)
  : v && typeof v === "object" && !(v.uniform)
    ? Object.fromEntries(Object.entries(v).map(([k, w]) => [k, clean(w)]))
  : v);
"""


class JS:
    """One Chromium page with the front-end modules importable."""

    def __init__(self, page, base):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def call(self, body: str, arg=None):
        """Run ``async (arg) => { body }`` in the page and return its result."""
        script = (
            "async (arg) => {" + _PRELUDE % json.dumps(self.base)
            + "const result = await (async () => {" + body + "})();"
            + "return clean(result); }"
        )
        return self.page.evaluate(script, encode(arg))


@contextlib.contextmanager
def served_page(browser, folder, path=""):
    """A :class:`JS` page at ``path`` of ``folder``, served on localhost and offline
    (see ``tests/localsite.py``); its ``root`` is the URL of ``folder``."""
    with serve(folder) as root:
        page = browser.new_page()
        page.route("**/*", Offline())
        page.goto(root + path)
        js = JS(page, root + path)
        js.root = root
        yield js
        page.close()


def decode(value):
    """Inverse of :func:`encode` for results coming back from the page."""
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return value
