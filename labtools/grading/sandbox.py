"""A sealed box per submission: namespaces (bubblewrap), cgroups and rlimits on Linux.

Each kernel the grader starts runs inside the command line of :meth:`Sandbox.argv`:

* its own PID, IPC, UTS, network and cgroup namespaces (``bwrap --unshare-*``):
  every process it starts, detached or not, dies with the box
  (``--die-with-parent``), it sees only its own processes in ``/proc``, and it
  has no network but its own loopback;
* a filesystem holding only the Python environment and a filtered copy of
  ``labtools`` (read-only), the compiled question banks (read-only, they hold
  only hashes), and one private writable folder with a copy of that one
  notebook; no other submission, no gradebook, no grader checkout, no
  ``$HOME``, no instructor file (``exercises/source`` and the code-question
  references of :mod:`labtools.grading.code_checks` are simply not there);
* as root, the kernel runs as the unprivileged host user 65534 with no
  capabilities, inside a memory cgroup (``memory.limit_in_bytes``) and a pids
  cgroup (``pids.max``), so a memory bomb is killed and a fork bomb stops at
  the limit without touching the rest of the machine;
* rlimits on CPU seconds per process, file size and open files;
* an environment holding only what the kernel needs (no secret of the
  grader's environment reaches it).

The grader talks to the kernel only over its ZeroMQ channels (``ipc`` sockets
in the private folder); the kernel cannot see or signal the grader, since the
grader is outside its PID namespace and runs as another user.

The recipe follows the probe in the course notes (``kernel-sandbox.md``): a
root grader on a cgroup-v1 host. A grader that is not root gets the namespaces
and rlimits without cgroups and without the user switch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "Sandbox", "sandbox_problem", "prepare_environment"]

NOBODY = 65534
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PARENT = "labtools-grade"
# instructor-side modules a kernel never sees: the code questions' references and
# the variant generators (the same list the learners' repository leaves out)
MASKED = ("grading/code_checks.py", "grading/variants.py")
MASK_TEXT = ('raise ImportError("the code-question references and the variant keys are '
             'instructor-side; they are not available inside the grading sandbox")\n')


@dataclass(frozen=True)
class Limits:
    """What one sandboxed kernel may use.

    Attributes
    ----------
    memory_mb : int
        Memory of the whole box (every process in it, files in its tmpfs too).
    pids : int
        Processes and threads in the box at once (an idle kernel uses about 12).
    cpu_seconds : int
        CPU time of each process (``RLIMIT_CPU``).
    file_mb : int
        Largest file a process may write (``RLIMIT_FSIZE``).
    tmp_mb : int
        Size of the box's ``/tmp``.
    """

    memory_mb: int = 1024
    pids: int = 64
    cpu_seconds: int = 600
    file_mb: int = 64
    tmp_mb: int = 256


_PROBE: dict = {}

# One guardian per grading process. bwrap's --die-with-parent does not survive
# the credential changes of a root sandbox, so when the grader is SIGKILLed a
# box could outlive it. The guardian is a small process in a session of its own
# that waits for the grader's end of a pipe to close (however the grader ends)
# and then kills every process left in this run's cgroups and removes them.
# A box the grader was starting when it died may join its cgroup after the
# guardian found the cgroups empty (the box's shell writes its pid there before
# it execs bwrap): so the guardian stops only once every cgroup of the run is
# removed. A removed cgroup can be joined by no one, and a cgroup that a late box
# joined cannot be removed: its processes are killed in the next round. (Before,
# it stopped at the first empty round, and a box that joined just then lived on.)
_RUN = {"id": f"{os.getpid()}-{uuid.uuid4().hex[:8]}", "guardian": None}
_RUN_LOCK = threading.Lock()
GUARDIAN = r"""
import os, sys, time
from pathlib import Path
tops = [Path(p) for p in sys.argv[1:]]
sys.stdin.buffer.read()  # returns when the grader has exited, however it ended
def groups():
    return [g for top in tops for g in sorted(top.glob("*/"), reverse=True) + [top]]
for _ in range(1200):  # about a minute at most
    left = 0
    for g in groups():
        try:
            pids = [int(x) for x in (g / "cgroup.procs").read_text().split()]
        except OSError:
            continue
        for pid in pids:
            left += 1
            try:
                os.kill(pid, 9)
            except OSError:
                pass
    if not left:
        for g in groups():  # the deepest first; fails for a group someone just joined
            try:
                g.rmdir()
            except OSError:
                pass
        if not any(top.exists() for top in tops):
            break
    time.sleep(0.05)
"""


def _run_groups() -> list[Path]:
    """This grading process's cgroup folders (one per controller), guarded."""
    tops = []
    for controller in ("memory", "pids"):
        base = CGROUP_ROOT / controller
        if (base / "cgroup.procs").exists():
            tops.append(base / CGROUP_PARENT / _RUN["id"])
    with _RUN_LOCK:
        if _RUN["guardian"] is None:
            for top in tops:
                top.mkdir(parents=True, exist_ok=True)
            _RUN["guardian"] = subprocess.Popen(
                [sys.executable, "-c", GUARDIAN, *map(str, tops)], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return tops


def sandbox_problem() -> str | None:
    """Return why kernels cannot be sandboxed here, or None when they can.

    Checked once per process: the platform, ``bwrap`` on the PATH, and a trial
    run of ``bwrap`` with every namespace the grader uses.
    """
    if "problem" in _PROBE:
        return _PROBE["problem"]
    problem = None
    if not sys.platform.startswith("linux"):
        problem = (f"the sandbox needs Linux namespaces; this is {sys.platform}. "
                   "Grade on a Linux machine (or on Gradescope: "
                   "`python -m labtools.grade export-gradescope`)")
    elif shutil.which("bwrap") is None:
        problem = ("bubblewrap (bwrap) is not installed; run `bash scripts/ensure-bwrap.sh` "
                   "or `apt-get install bubblewrap`")
    else:
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                "--proc", "/proc"]
        if os.geteuid() != 0:
            argv += ["--unshare-user", "--disable-userns"]
        try:
            run = subprocess.run([*argv, "true"], capture_output=True, text=True, timeout=20)
            if run.returncode != 0:
                problem = ("bwrap cannot create namespaces here (a locked-down container?): "
                           + (run.stderr.strip() or f"exit status {run.returncode}"))
        except (OSError, subprocess.SubprocessError) as err:
            problem = f"bwrap failed to start: {err}"
    _PROBE["problem"] = problem
    return problem


def prepare_environment(folder: Path, questions: Path) -> Path:
    """Build the read-only tree every kernel of one grading run sees.

    ``folder/labtools`` is a copy of the package's ``.py`` files without the
    instructor-side modules (``MASKED`` become a module that refuses to
    import) and without ``__pycache__``; ``folder/questions`` holds the
    compiled banks. Returns ``folder``.
    """
    src = Path(__file__).resolve().parents[1]  # the labtools package
    dst = folder / "labtools"
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if "__pycache__" in rel.parts or not path.is_file():
            continue
        if path.suffix not in (".py", ".js", ".css", ".json"):
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.as_posix() in MASKED:
            target.write_text(MASK_TEXT, encoding="utf-8")
        else:
            shutil.copyfile(path, target)
    qdst = folder / "questions"
    qdst.mkdir(parents=True, exist_ok=True)
    for bank in sorted(Path(questions).glob("*.json")):
        shutil.copyfile(bank, qdst / bank.name)
    for p in [folder, *folder.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return folder


def _scratch_root() -> str:
    # /dev/shm is a tmpfs: what the kernel writes in its folder is charged to its
    # memory cgroup instead of filling the host's disk.
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return str(shm)
    return tempfile.gettempdir()


class Sandbox:
    """The private folder, cgroups and command line of one sandboxed kernel.

    Parameters
    ----------
    notebook : Path
        The submission; a copy goes into the box's home folder.
    env_dir : Path
        The read-only tree from :func:`prepare_environment`.
    limits : Limits
    files : dict, optional
        ``{name: text}`` of extra files for the home folder (the learner's own
        variant numbers).
    """

    def __init__(self, notebook: Path, env_dir: Path, limits: Limits,
                 files: dict | None = None):
        self.limits = limits
        self.env_dir = Path(env_dir)
        self.root = os.geteuid() == 0
        self.priv = Path(tempfile.mkdtemp(prefix="lt-", dir=_scratch_root()))
        os.chmod(self.priv, 0o711)
        self.home = self.priv / "home"
        self.run_dir = self.priv / "run"
        for d in (self.home, self.run_dir, self.priv / "etc"):
            d.mkdir()
        shutil.copyfile(notebook, self.home / "submission.ipynb")
        for name, text in (files or {}).items():
            (self.home / name).write_text(text, encoding="utf-8")
            if os.geteuid() == 0:
                os.chown(self.home / name, NOBODY, NOBODY)
        (self.priv / "etc" / "passwd").write_text(
            f"nobody:x:{NOBODY}:{NOBODY}:nobody:{self.home}:/usr/sbin/nologin\n")
        (self.priv / "etc" / "group").write_text(f"nogroup:x:{NOBODY}:\n")
        for p in (self.priv / "etc", self.priv / "etc" / "passwd", self.priv / "etc" / "group"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        if self.root:
            for p in (self.home, self.run_dir, self.home / "submission.ipynb"):
                os.chown(p, NOBODY, NOBODY)
        self.cgroups = self._make_cgroups() if self.root else []

    # -- cgroups -------------------------------------------------------------
    def _make_cgroups(self) -> list[Path]:
        name = uuid.uuid4().hex[:12]
        made = []
        tops = {t.parent.parent.name: t for t in _run_groups()}
        settings = {
            "memory": {"memory.limit_in_bytes": self.limits.memory_mb << 20,
                       "memory.memsw.limit_in_bytes": self.limits.memory_mb << 20},
            "pids": {"pids.max": self.limits.pids},
        }
        for controller, values in settings.items():
            if controller not in tops:
                continue
            group = tops[controller] / name
            try:
                group.mkdir(parents=True)
            except OSError:
                continue
            made.append(group)
            for key, value in values.items():
                try:
                    (group / key).write_text(str(value))
                except OSError:
                    if key != "memory.memsw.limit_in_bytes":  # absent without swap accounting
                        raise
        return made

    def kill_all(self) -> None:
        """SIGKILL every process left in the box's cgroups."""
        for group in self.cgroups:
            procs = group / "cgroup.procs"
            for _ in range(50):
                try:
                    pids = [int(p) for p in procs.read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                import time

                time.sleep(0.02)

    def processes_left(self) -> int:
        """How many processes the box's cgroups still hold (0 when none are used)."""
        total = 0
        for group in self.cgroups:
            try:
                total += len((group / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return total

    def memory_failures(self) -> int:
        for group in self.cgroups:
            if (group / "memory.oom_control").exists():
                try:
                    for line in (group / "memory.oom_control").read_text().splitlines():
                        if line.startswith("oom_kill "):
                            return int(line.split()[1])
                except OSError:
                    return 0
        return 0

    def cleanup(self) -> None:
        self.kill_all()
        for group in self.cgroups:
            try:
                group.rmdir()
            except OSError:
                pass
        shutil.rmtree(self.priv, ignore_errors=True)

    # -- the command line ----------------------------------------------------
    def argv(self, kernel_argv: list[str]) -> list[str]:
        """The full command that starts ``kernel_argv`` inside the box."""
        lim = self.limits
        venv = Path(sys.prefix)
        binds = [venv, Path(sys.base_prefix), self.env_dir]
        path = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
        env = {
            "HOME": str(self.home), "PATH": path, "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(self.home / ".mpl"), "IPYTHONDIR": str(self.home / ".ipython"),
            "PYTHONPATH": str(self.env_dir), "PYTHONDONTWRITEBYTECODE": "1",
            "LABTOOLS_GRADING": "1", "LABTOOLS_QUESTIONS": str(self.env_dir / "questions"),
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "LANG": "C.UTF-8", "TMPDIR": "/tmp",
        }
        cmd: list[str] = []
        if self.cgroups:
            joins = " && ".join(f"echo $$ > {g / 'cgroup.procs'}" for g in self.cgroups)
            cmd += ["sh", "-c", joins + ' && exec "$@"', "labtools-box"]
        cmd += ["prlimit", f"--cpu={lim.cpu_seconds}", f"--fsize={lim.file_mb << 20}",
                "--nofile=256", "--core=0", "--"]
        cmd += ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session",
                "--hostname", "sandbox",
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(lim.tmp_mb << 20), "--tmpfs", "/tmp",
                "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/dev/shm",
                "--perms", "0755", "--dir", "/etc",
                "--ro-bind-try", "/etc/fonts", "/etc/fonts",
                "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                "--ro-bind", str(self.priv / "etc" / "passwd"), "/etc/passwd",
                "--ro-bind", str(self.priv / "etc" / "group"), "/etc/group"]
        for parent in _parents([*binds, self.priv]):
            cmd += ["--perms", "0755", "--dir", str(parent)]
        for b in binds:
            cmd += ["--ro-bind", str(b), str(b)]
        cmd += ["--bind", str(self.priv), str(self.priv), "--chdir", str(self.home),
                "--clearenv"]
        for key, value in env.items():
            cmd += ["--setenv", key, value]
        if self.root:
            cmd += ["--", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                    "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                    "--no-new-privs",
                    "--", "bwrap", "--unshare-user", "--disable-userns", "--bind", "/", "/"]
        else:
            cmd[cmd.index("bwrap") + 1:cmd.index("bwrap") + 1] = ["--unshare-user",
                                                                  "--disable-userns"]
        return cmd + ["--", *kernel_argv]

    def lock_run_dir(self) -> None:
        """After the kernel bound its sockets: it may no longer swap or remove them."""
        if self.root:
            os.chown(self.run_dir, 0, 0)
        os.chmod(self.run_dir, 0o755)


def _parents(paths) -> list[Path]:
    """Every directory above ``paths`` that bwrap must create traversable, top first."""
    out: list[Path] = []
    for p in paths:
        for parent in reversed(Path(p).parents):
            if str(parent) in ("/", "/usr", "/etc", "/tmp", "/proc", "/dev"):
                continue
            if parent not in out:
                out.append(parent)
    covered = {Path(p) for p in paths}
    return [p for p in out if p not in covered and not any(
        c != p and str(p).startswith(str(c) + "/") for c in covered)]
