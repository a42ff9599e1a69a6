"""Fixtures for the checks over the built site (plain HTML, no browser).

The site is read from ``_build/html`` (``make book``), or from the folder named by
the environment variable ``COURSE_SITE_DIR``. When it is not built, every test
here is skipped with a reason that says how to build it.
"""

from __future__ import annotations

import pytest
from sitelib import Site, site_dir


@pytest.fixture(scope="session")
def site() -> Site:
    root = site_dir()
    if not (root / "index.html").is_file():
        pytest.skip(
            f"the site is not built: {root / 'index.html'} is missing "
            "(run `make book`, or point COURSE_SITE_DIR at a built _build/html)"
        )
    return Site(root)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report = getattr(config, "_course_weight_report", None)
    if report:
        terminalreporter.section("page weight (largest first)")
        terminalreporter.write_line(report)
