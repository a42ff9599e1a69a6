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

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chromium import launch_chromium
from lablib import REPO, tail

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


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    log: Path

    def url(self, path: str) -> str:
        return f"{self.base}{path}{'&' if '?' in path else '?'}token={self.token}"

    def api(self, path: str, method: str = "GET", timeout: float = 10):
        req = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> None:
    """User settings: no news fetching (no internet), every cell kept in the DOM."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))


def _kill_our_kernels(runtime: Path) -> None:
    """Kernels run in sessions of their own; find the ones whose connection file is
    in this server's runtime folder and end them, by pid."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(runtime) in cmdline and "kernel" in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(proc.name), signal.SIGKILL)


@pytest.fixture(scope="session")
def lab(binder_venv, tmp_path_factory):
    work = tmp_path_factory.mktemp("binder-lab")
    root = work / "repo"
    shutil.copytree(
        REPO,
        root,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "_build",
            ".jupyter_cache",
            "__pycache__",
            ".pytest_cache",
            ".ruff_cache",
            "node_modules",
            ".ipynb_checkpoints",
        ),
    )
    dirs = {
        name: work / name
        for name in ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl")
    }
    for d in dirs.values():
        d.mkdir()
    _settings(dirs["settings"])
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LABTOOLS_BUILD", "PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONHOME")
    }
    env.update(
        PATH=f"{binder_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        MPLCONFIGDIR=str(dirs["mpl"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = work / "jupyterlab.log"
    cmd = [
        str(binder_venv / "bin" / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # this machine runs everything as root; Binder does not
        cmd.append("--allow-root")
    out = open(log, "w")
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + LAB_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with {proc.returncode} while starting; {log}:\n{tail(log)}"
                )
            try:
                server.api("/api/status", timeout=3)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab silent for {LAB_START_TIMEOUT} s; {log}:\n{tail(log)}")
                time.sleep(1)
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.api("/api/shutdown", method="POST", timeout=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        _kill_our_kernels(dirs["runtime"])
        out.close()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def lab_browser():
    yield from launch_chromium()


@pytest.fixture
def lab_page(lab_browser, lab):
    ctx = lab_browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(60_000)
    blocked: list[str] = []

    def offline(route):
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    ctx.route("**/*", offline)
    page = ctx.new_page()
    page.blocked = blocked  # type: ignore[attr-defined]
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        yield page
    finally:
        ctx.close()
