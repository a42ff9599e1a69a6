"""The Binder path, as near as this machine allows.

Binder builds an environment from ``requirements.txt`` alone and starts JupyterLab
in a clone of the repository. Here:

- ``binder_venv``: ``python3.11 -m venv`` + ``pip install -r requirements.txt`` run
  from the repository root (``-e .`` installs labtools). It is cached under
  ``~/.cache/course-binder-venv/<key>`` (or ``COURSE_BINDER_VENV_CACHE``), the key
  being a hash of requirements.txt, pyproject.toml, the Python version and the
  repository's path, so an unchanged environment is reused and a fresh machine
  builds it from scratch. ``COURSE_BINDER_FRESH=1`` builds a throw-away one in a
  temporary folder instead.
- ``lab``: JupyterLab from that environment on a free localhost port with a
  token, serving a copy of the repository (so running notebooks never writes
  outputs into the working tree), with its own Jupyter config, data, runtime,
  settings and workspace folders. Always shut down: the server, its kernels and
  its process group.
- ``lab_page``: a Chromium page (Debian's /usr/bin/chromium via Playwright) in
  which every request that leaves localhost is aborted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chromium import launch_chromium
from lablib import REPO, jupyterlab, tail
from localsite import Offline

PIP_TIMEOUT = 40 * 60
LAB_START_TIMEOUT = 180


def _python() -> str:
    """The interpreter Binder's image would have: python3.11 (or COURSE_PYTHON)."""
    for cand in (os.environ.get("COURSE_PYTHON"), "python3.11"):
        if cand and shutil.which(cand):
            return shutil.which(cand)
    return getattr(sys, "_base_executable", sys.executable)


def _env_key(python: str) -> str:
    h = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        path = REPO / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.exists() else b""))
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
    ).stdout
    h.update(version.encode())
    h.update(str(REPO).encode())  # `-e .` points the environment at this checkout
    return h.hexdigest()[:16]


def _build_venv(dest: Path, python: str, log: Path) -> None:
    with open(log, "w") as out:
        out.write(f"$ {python} -m venv {dest}\n")
        out.flush()
        subprocess.run(
            [python, "-m", "venv", str(dest)], check=True, stdout=out, stderr=subprocess.STDOUT
        )
        cmd = [
            str(dest / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-r",
            "requirements.txt",
        ]
        out.write(f"$ (cd {REPO} && {' '.join(cmd)})\n")
        out.flush()
        proc = subprocess.run(
            cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, timeout=PIP_TIMEOUT
        )
    if proc.returncode != 0:
        raise RuntimeError(
            f"pip install -r requirements.txt failed in a fresh environment (what Binder runs); "
            f"log {log}:\n{tail(log)}"
        )


@pytest.fixture(scope="session")
def binder_venv(tmp_path_factory) -> Path:
    python = _python()
    if os.environ.get("COURSE_BINDER_FRESH"):
        dest = tmp_path_factory.mktemp("binder") / "venv"
        _build_venv(dest, python, dest.parent / "pip.log")
        return dest
    cache = Path(
        os.environ.get("COURSE_BINDER_VENV_CACHE", Path.home() / ".cache" / "course-binder-venv")
    )
    cache.mkdir(parents=True, exist_ok=True)
    key = _env_key(python)
    dest, done, log = cache / key, cache / key / ".complete", cache / f"{key}.log"
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; the others then reuse it
        if not done.exists():
            shutil.rmtree(dest, ignore_errors=True)  # a half-built one from an interrupted run
            start = time.monotonic()
            _build_venv(dest, python, log)
            done.write_text(
                f"built in {time.monotonic() - start:.0f} s from {REPO}/requirements.txt\n"
            )
            for old in cache.iterdir():  # keep the cache to this environment
                if old.is_dir() and old.name != key and (old / ".complete").exists():
                    shutil.rmtree(old, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------- JupyterLab


@pytest.fixture(scope="session")
def lab(binder_venv, tmp_path_factory):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LABTOOLS_BUILD", "PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONHOME")
    }
    env.update(
        PATH=f"{binder_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    work = tmp_path_factory.mktemp("binder-lab")
    try:
        with jupyterlab(binder_venv / "bin" / "jupyter", work, env, LAB_START_TIMEOUT) as server:
            yield server
    except RuntimeError as err:
        pytest.fail(str(err))


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def lab_browser():
    yield from launch_chromium()


@pytest.fixture
def lab_page(lab_browser, lab):
    ctx = lab_browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(60_000)
    offline = Offline()
    ctx.route("**/*", offline)
    page = ctx.new_page()
    page.blocked = offline.blocked  # type: ignore[attr-defined]
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        yield page
    finally:
        ctx.close()
