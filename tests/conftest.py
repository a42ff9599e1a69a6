"""Shared by every test folder: loading this file puts ``tests/`` on ``sys.path``
(pytest's default import mode), so ``tests/browser`` and ``tests/lab`` both import
``chromium`` (the one Chromium launch) from here."""

import sys

import pytest  # noqa: E402

# nbformat imports jsonschema, whose format checker imports rfc3987_syntax when it is
# installed (JupyterLab's jupyter-events pulls it in); that import compiles 38 Lark
# grammars, 3 s of CPU in every test process, for the "iri" formats, which no notebook
# schema uses. Tests do without it (jsonschema skips those two formats when it is absent).
sys.modules.setdefault("rfc3987_syntax", None)


@pytest.fixture(scope="session")
def chromium_browser():
    """One launched Chromium for the whole session: Playwright's sync API allows one
    instance per process, so tests/browser and tests/parity share it when run together."""
    from chromium import launch_chromium

    yield from launch_chromium()
