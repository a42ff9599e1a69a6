"""Shared by every test folder: loading this file puts ``tests/`` on ``sys.path``
(pytest's default import mode), so ``tests/browser`` and ``tests/lab`` both import
``chromium`` (the one Chromium launch) from here."""

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def chromium_browser():
    """One launched Chromium for the whole session: Playwright's sync API allows one
    instance per process, so tests/browser and tests/parity share it when run together."""
    from chromium import launch_chromium

    yield from launch_chromium()
