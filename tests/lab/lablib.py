"""Shared by tests/lab/conftest.py and the tests: where things are, reading logs."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tail(path: Path, n: int = 40) -> str:
    """The last lines of a log file, for a failure message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"
