"""Shared by tests/lab/conftest.py, the tests and ``benchmarks/frontend_bench.py``:
where things are, reading logs, and JupyterLab started and stopped on localhost."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def tail(path: Path, n: int = 40) -> str:
    """The last lines of a log file, for a failure message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


# What a copy of the repository for JupyterLab leaves out.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "_build", ".jupyter_cache", "__pycache__", ".pytest_cache", ".ruff_cache",
    "node_modules", ".ipynb_checkpoints")


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(folder: Path, windowing: str | None = "none") -> None:
    """User settings: no news fetching (no internet), every cell kept in the DOM
    and rendered (``windowing``: the notebook's windowing mode; None keeps
    JupyterLab's default, ``contentVisibility``, which skips rendering the cells
    out of view, as a reader's JupyterLab does)."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    if windowing is not None:
        files["@jupyterlab/notebook-extension/tracker.jupyterlab-settings"] = {
            "windowingMode": windowing}
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))


def kill_our_kernels(runtime: Path) -> None:
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


@contextlib.contextmanager
def jupyterlab(jupyter: Path, work: Path, env: dict, timeout: float = 180,
               windowing: str | None = "none"):
    """JupyterLab (the ``jupyter`` command given) on a free localhost port with a
    token, over a copy of the repository in ``work/repo``, with its own config,
    data, runtime, settings, workspace, IPython and Matplotlib folders in ``work``;
    ``env`` is the rest of its environment. Yields a :class:`Lab` once the server
    answers (``windowing``: see :func:`write_settings`); a server that exits or
    stays silent for ``timeout`` seconds raises a
    ``RuntimeError`` with the end of its log. Always shut down afterwards: the
    server, its process group and its kernels."""
    root = work / "repo"
    shutil.copytree(REPO, root, symlinks=True, ignore=COPY_IGNORE)
    dirs = {name: work / name
            for name in ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl")}
    for d in dirs.values():
        d.mkdir()
    write_settings(dirs["settings"], windowing)
    env = {
        **env,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "MPLCONFIGDIR": str(dirs["mpl"]),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port, token = free_port(), secrets.token_hex(16)
    log = work / "jupyterlab.log"
    cmd = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--port-retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # this machine runs everything as root; Binder does not
        cmd.append("--allow-root")
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        server = Lab(f"http://127.0.0.1:{port}", token, root, log)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"JupyterLab exited with {proc.returncode} while "
                                       f"starting; {log}:\n{tail(log)}")
                try:
                    server.api("/api/status", timeout=3)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"JupyterLab silent for {timeout} s; "
                                           f"{log}:\n{tail(log)}") from None
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
            kill_our_kernels(dirs["runtime"])
