"""One IPython kernel that runs a submission's cells, sandboxed or not.

The grader drives the kernel with ``jupyter_client`` over its message
channels. Outputs are read and thrown away as they arrive (only our own
requests' stdout is kept, up to a bound), so a notebook that prints gigabytes
costs nothing. With a :class:`~labtools.grading.sandbox.Sandbox` the kernel runs
inside it and talks over ``ipc`` sockets in the box's private folder; interrupts
are sent as messages, since a signal to the box would end it.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import KernelManager

__all__ = ["Kernel", "KernelDied", "CellOutcome"]


class KernelDied(Exception):
    """The kernel process exited (``os._exit``, a crash) or stopped answering."""


@dataclass
class CellOutcome:
    """What running one piece of code gave: ``status`` is "ok", "error" or "timeout"."""

    status: str
    error: str = ""
    stdout: str = ""


def _is_idle(msg) -> bool:
    """Whether an iopub message says the kernel finished the request it answers."""
    return msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"


class _BoxedKernelManager(KernelManager):
    """A kernel manager whose kernel command runs inside a sandbox."""

    sandbox = None

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox is not None and self.sandbox.root:
            os.chown(self.connection_file, 65534, 65534)  # written 0600 root

    def format_kernel_cmd(self, extra_arguments=None):
        argv = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                "-f", self.connection_file]
        if self.sandbox is None:
            return argv
        return self.sandbox.argv(argv)


class Kernel:
    """A fresh IPython kernel that reads and discards output.

    Parameters
    ----------
    cwd : str
        The working folder (unsandboxed) or ignored (the sandbox's home is used).
    sandbox : Sandbox or None
        Run the kernel inside this box; None runs it as a plain child process
        (``--unsafe-no-sandbox``).
    startup_timeout : float
        Seconds to wait for the kernel to answer.
    """

    STDOUT_KEEP = 1_000_000  # characters of our own requests' output we keep

    def __init__(self, cwd: str, sandbox=None, startup_timeout: float = 60):
        km = _BoxedKernelManager(kernel_name="python3")
        km.sandbox = sandbox
        if sandbox is not None:
            km.transport = "ipc"
            km.ip = str(sandbox.run_dir / "kernel-ipc")
            km.connection_file = str(sandbox.run_dir / "kernel.json")
            km.kernel_spec.interrupt_mode = "message"
            kwargs = {"cwd": str(sandbox.home)}
        else:
            env = dict(os.environ)
            # The kernel imports the same labtools as the grader, installed or not.
            root = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (root, env.get("PYTHONPATH", "")) if p)
            env.update(HOME=cwd, MPLBACKEND="Agg", LABTOOLS_GRADING="1",
                       PYTHONDONTWRITEBYTECODE="1")
            env.pop("JPY_PARENT_PID", None)
            for name in list(env):  # the instructor's secrets stay with the grader
                if any(w in name.upper() for w in ("SECRET", "TOKEN", "PASSWORD")):
                    del env[name]
            kwargs = {"cwd": cwd, "env": env}
        self.km = km
        self.kc = None
        # The kernel's own stdout/stderr (not the cells' output, which travels
        # over the message channels) go nowhere: a submission writing to file
        # descriptor 2 cannot flood the grader's terminal.
        km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        try:
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=startup_timeout)
        except (RuntimeError, TimeoutError) as err:
            self.shutdown()
            raise KernelDied(f"the kernel did not start ({err})") from None
        self.kc = kc
        if sandbox is not None:
            sandbox.lock_run_dir()

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def run(self, code: str, timeout: float) -> CellOutcome:
        if not self.alive():
            raise KernelDied("the kernel is not running")
        msg_id = self.kc.execute(code, silent=False, store_history=False,
                                 allow_stdin=False, stop_on_error=False)
        out, kept, error = [], 0, ""
        for msg in self._replies(msg_id, time.monotonic() + timeout):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout" and kept < self.STDOUT_KEEP:
                out.append(content.get("text", "")[: self.STDOUT_KEEP - kept])
                kept += len(out[-1])
            elif kind == "error":
                error = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:300]
            elif _is_idle(msg):
                return CellOutcome("error" if error else "ok", error, "".join(out))
        self._interrupt(msg_id)
        return CellOutcome("timeout", f"took longer than {timeout:.3g} s")

    def _replies(self, msg_id, deadline):
        """Yield the iopub messages answering request ``msg_id`` until ``deadline``.

        ``deadline`` is a ``time.monotonic()`` time. Messages of other requests,
        and messages the kernel could not serialize properly (a submission that
        replaced ``json.dumps``, say), are skipped; the deadline still holds.
        Raises :class:`KernelDied` if the kernel exits while we wait.
        """
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = self.kc.get_iopub_msg(timeout=min(left, 0.5))
            except queue.Empty:
                if not self.alive():
                    raise KernelDied("the kernel exited") from None
                continue
            except Exception:
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    def _interrupt(self, msg_id):
        """Interrupt a runaway request; if the kernel stays busy, declare it dead."""
        try:
            self.km.interrupt_kernel()
        except Exception:
            raise KernelDied("the kernel could not be interrupted") from None
        if not any(_is_idle(msg) for msg in self._replies(msg_id, time.monotonic() + 5)):
            raise KernelDied("the kernel did not stop after an interrupt")

    def kill(self):
        """SIGKILL the kernel's process (the sandbox's outermost process) at once."""
        try:
            self.km.provisioner.process.kill()
        except Exception:
            pass

    def shutdown(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass
