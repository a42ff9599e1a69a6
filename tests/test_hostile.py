"""The sandboxed grader against hostile submissions (tests/fixtures/hostile).

One grading run (two jobs) covers every attack notebook beside a classmate's
solution, a solution, a blank notebook, a solution handed in under another
exercise's name, two files from one student and student names built to break
a spreadsheet or a Markdown table. Each attack must score what it earned and
never more, finish within its bound, change nothing outside its sandbox and
leave no process behind. The grader runs with a secret in its environment, a
throw-away $HOME and a TCP listener on the host's loopback.
"""

import contextlib
import csv
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from labtools.grading import sandbox
from labtools.grading.sandbox import sandbox_problem
from labtools.quiz import load_questions

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
SOLUTION = ROOT / "exercises" / "solutions" / "ex03_saddle_points.ipynb"
BLANK = ROOT / "exercises" / "ex03_saddle_points.ipynb"
TOTAL, CELL, QUESTION = 90, 30, 10  # generous: the machine may be busy
EX03_MAX = load_questions("ex03_saddle_points").max_score
INJECTION = '=HYPERLINK("evil.example","click")'

# make unit-slow runs this module in one process (no xdist): its fixture grades
# every attack once (with --jobs 2) and listens on a fixed loopback port.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}")]

ATTACKS = {p.stem: json.loads(p.read_text())["metadata"]["hostile"]
           for p in sorted(HOSTILE.glob("*.ipynb"))}


def tree_digest(folder: Path) -> dict:
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def survivors(before: set[int]) -> list[str]:
    """Processes that look like they came from a sandbox or an attack."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in before:
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
            uid = int(next(line.split()[1] for line in open(f"/proc/{pid}/status")
                           if line.startswith("Uid:")))
        except (OSError, StopIteration, ValueError):
            continue
        if "labtools-hostile" in cmd or "labtools-box" in cmd or (
                uid == 65534 and "ipykernel" in cmd):
            found.append(f"{pid}: {cmd[:120]}")
    return found


class Listener(threading.Thread):
    """A TCP server on the host's loopback that counts connections."""

    def __init__(self, port=47813):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.connections = 0
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue


# the instructor's secret for the variant questions, as the grader receives it
GRADING_SECRET = "variant-secret-" + secrets.token_hex(8)


def grade(subs: Path, out: Path, home: Path, secret: str, *extra):
    env = dict(os.environ, HOME=str(home), LABTOOLS_TEST_SECRET=secret,
               LABTOOLS_GRADING_SECRET=GRADING_SECRET)
    return subprocess.run(
        [sys.executable, "-m", "labtools.grade", str(subs), "--out", str(out),
         "--cell-timeout", str(CELL), "--question-timeout", str(QUESTION),
         "--total-timeout", str(TOTAL), *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)


# session scope: graded once per run even when other modules' tests run in between
@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    subs, out, home = base / "submissions", base / "out", base / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# the instructor's own\n")
    for name in ATTACKS:
        (subs / name).mkdir(parents=True)
        shutil.copy(HOSTILE / f"{name}.ipynb", subs / name / "ex03_saddle_points.ipynb")
    for student, src in (("zz_classmate", SOLUTION), ("solution", SOLUTION), ("blank", BLANK),
                         (INJECTION, BLANK), ("a|b", BLANK)):
        (subs / student).mkdir()
        shutil.copy(src, subs / student / "ex03_saddle_points.ipynb")
    (subs / "mislabeled").mkdir()
    shutil.copy(SOLUTION, subs / "mislabeled" / "ex04_hessian.ipynb")
    (subs / "twice").mkdir()
    shutil.copy(SOLUTION, subs / "twice" / "ex03_saddle_points.ipynb")
    shutil.copy(BLANK, subs / "twice" / "ex03_saddle_points (1).ipynb")
    secret = "hunter2-" + secrets.token_hex(8)
    snap = {"subs": tree_digest(subs), "home": tree_digest(home),
            "labtools": tree_digest(ROOT / "labtools"),
            "exercises": tree_digest(ROOT / "exercises")}
    pids_before = {int(p) for p in os.listdir("/proc") if p.isdigit()}
    listener = Listener()
    listener.start()
    t0 = time.monotonic()
    run = grade(subs, out, home, secret, "--jobs", "2")
    elapsed = time.monotonic() - t0
    at_exit = tree_digest(out)
    time.sleep(8)  # the detached rewriter wakes up 6 s after its kernel ends
    listener.stop = True
    listener.join()
    listener.sock.close()
    reports = {}
    for p in (out / "reports").glob("*.json"):
        r = json.loads(p.read_text())
        reports[(r["student"], Path(r["submission"]).name)] = r
    return {"run": run, "elapsed": elapsed, "out": out, "subs": subs, "home": home,
            "secret": secret, "snap": snap, "at_exit": at_exit, "reports": reports,
            "pids_before": pids_before, "listener": listener}


def report(h, student, name="ex03_saddle_points.ipynb"):
    return h["reports"][(student, name)]


def test_the_run_succeeds(hostile_run):
    run = hostile_run["run"]
    assert run.returncode == 0, run.stderr
    assert len(hostile_run["reports"]) == len(ATTACKS) + 8


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_scores_what_it_earned(hostile_run, attack):
    r = report(hostile_run, attack)
    assert r["status"] == "graded", r
    assert r["score"] == ATTACKS[attack]["expect"], (r["score"], r["questions"], r["notes"])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_finishes_within_its_bound(hostile_run, attack):
    r = report(hostile_run, attack)
    assert r["seconds"] <= TOTAL + 15, r["seconds"]


def test_solutions_full_marks_blank_zero(hostile_run):
    assert report(hostile_run, "solution")["score"] == EX03_MAX
    # graded after overwrite_classmate (names sort), and untouched by it
    assert report(hostile_run, "zz_classmate")["score"] == EX03_MAX
    blank = report(hostile_run, "blank")
    assert blank["score"] == 0 and blank["status"] == "graded"


def test_nothing_outside_the_sandbox_changed(hostile_run):
    h = hostile_run
    assert tree_digest(h["subs"]) == h["snap"]["subs"]
    assert tree_digest(h["home"]) == h["snap"]["home"]
    assert tree_digest(ROOT / "labtools") == h["snap"]["labtools"]
    assert tree_digest(ROOT / "exercises") == h["snap"]["exercises"]
    assert not list(Path("/tmp").glob("labtools-hostile*"))
    assert not Path("/autograder/results/results.json").exists()
    # the detached rewriter: the reports are what the grader left
    assert tree_digest(h["out"]) == h["at_exit"]
    assert h["listener"].connections == 0


def test_no_process_survives(hostile_run):
    assert survivors(hostile_run["pids_before"]) == []
    assert cgroup_processes() == []


def cgroup_processes() -> list[str]:
    """Processes still in any grading cgroup (every run and box below labtools-grade)."""
    found = []
    for controller in ("memory", "pids"):
        parent = Path("/sys/fs/cgroup") / controller / "labtools-grade"
        for procs in parent.glob("*/**/cgroup.procs"):
            found += [f"{procs.parent}: {pid}" for pid in procs.read_text().split()]
    return found


def test_no_secret_reaches_a_report(hostile_run):
    h = hostile_run
    for p in h["out"].rglob("*"):
        if p.is_file():
            assert h["secret"] not in p.read_text(errors="replace"), p
            assert GRADING_SECRET not in p.read_text(errors="replace"), p
    r = report(h, "proc_snoop")
    assert "labtools.grade" not in json.dumps(r["questions"])


def test_resource_bombs_hit_their_limits(hostile_run):
    mem = report(hostile_run, "memory_bomb")
    assert any("memory limit" in n or "killed the kernel" in n for n in mem["notes"]), mem
    fork = report(hostile_run, "fork_bomb")
    assert fork["score"] == 0.25  # q5, answered honestly


def test_tampered_answers_are_refused(hostile_run):
    hook = report(hostile_run, "nonce_hook")
    assert all("more than once" in q["message"] for q in hook["questions"]), hook
    slow = report(hostile_run, "slow_reads")
    assert all(q["score"] == 0 for q in slow["questions"])


def test_exercise_identity_is_checked(hostile_run):
    r = report(hostile_run, "mislabeled", "ex04_hessian.ipynb")
    assert r["status"] == "error" and r["score"] == 0
    assert "not graded as another exercise" in r["notes"][0]


def test_gradebook_flags_and_escapes(hostile_run):
    out = hostile_run["out"]
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    twice = [r for r in rows if r["student"] == "twice"]
    assert len(twice) == 2 and all("2 files from twice" in r["flags"] for r in twice)
    injected = [r for r in rows if "HYPERLINK" in r["student"]]
    assert injected and injected[0]["student"] == "'" + INJECTION
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
    summary = (out / "summary.md").read_text()
    assert "| a\\|b |" in summary
    for line in summary.splitlines():
        if line.startswith("| ") and "---" not in line:
            cells = line.replace("\\|", "").count("|")
            assert cells in (8, 4), line


def test_notes_name_cells_as_the_learner_sees_them(hostile_run):
    r = report(hostile_run, "sigstop_self")
    # cell 1 is Markdown, 2 the honest answers, 3 the helpers, 4 the attack
    assert any(n.startswith("cell 4 (`os.kill(os.getpid(), signal.SIGSTOP)`)")
               for n in r["notes"]), r["notes"]


def test_rerun_resumes_without_regrading(hostile_run):
    h = hostile_run
    t0 = time.monotonic()
    again = grade(h["subs"], h["out"], h["home"], h["secret"])
    assert again.returncode == 0, again.stderr
    n = len(ATTACKS) + 8
    assert f"resuming: {n} of {n} already graded" in again.stdout
    assert time.monotonic() - t0 < 30


def test_killing_the_grader_loses_nothing_graded(tmp_path):
    subs, out, home = tmp_path / "subs", tmp_path / "out", tmp_path / "home"
    home.mkdir()
    for student in ("ann", "bob", "cy"):
        (subs / student).mkdir(parents=True)
        shutil.copy(SOLUTION, subs / student / "ex03_saddle_points.ipynb")
    env = dict(os.environ, HOME=str(home), LABTOOLS_GRADING_SECRET=GRADING_SECRET)
    proc = subprocess.Popen([sys.executable, "-m", "labtools.grade", str(subs),
                             "--out", str(out), "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "reports").glob("*.json")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert 1 <= len(rows) < 3 and all(float(r["score"]) == EX03_MAX for r in rows)
    for p in (out / "reports").glob("*.json"):  # every file there is whole
        assert json.loads(p.read_text())["score"] == EX03_MAX
    # the guardian kills what the SIGKILLed grader left running; a box caught starting
    # (bwrap, a kernel forking) may take it a few rounds, and a loaded machine longer
    deadline = time.monotonic() + 30
    while (left := [line for line in cgroup_processes() if f"/{proc.pid}-" in line]) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"still running 30 s after the grader was killed: {left}"
    done = subprocess.run([sys.executable, "-m", "labtools.grade", str(subs), "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert f"resuming: {len(rows)} of 3 already graded" in done.stdout
    rows = list(csv.DictReader(open(out / "gradebook.csv", encoding="utf-8")))
    assert sorted(r["student"] for r in rows) == ["ann", "bob", "cy"]
    assert not [p for p in out.rglob(".*") if p.is_file()]  # stale temporaries removed


def test_brute_forcing_a_variant_earns_nothing(hostile_run):
    """Everything the brute-force notebook can reach yields at most the public practice
    keys; its graded value questions (its own numbers) all score 0."""
    r = report(hostile_run, "brute_force_variant")
    graded = {q["key"]: q for q in r["questions"] if q["kind"] == "variant"}
    assert sorted(graded) == ["q2", "q4", "q6", "q8"]
    assert all(q["score"] == 0 for q in graded.values()), graded
    # it handed in the practice keys it recovered for the number questions
    assert all(graded[k]["status"] == "wrong" for k in ("q2", "q6", "q8")), graded


def test_the_guardian_kills_a_box_that_joins_its_cgroup_late():
    """The grader SIGKILLed while it starts a box: the box's shell joins the run's
    cgroup just after the guardian found it empty. The guardian must not stop before
    every cgroup of the run is removed (then no box can join), or the box lives on.
    Measured with the guardian that stopped at its first empty round: 12 of 20 such
    boxes outlived it; 10 trials all pass by chance with probability about 1e-4."""
    groups = [sandbox.CGROUP_ROOT / c / sandbox.CGROUP_PARENT for c in ("memory", "pids")]
    if not all((g.parent / "cgroup.procs").exists() for g in groups):
        pytest.skip("no memory and pids cgroups here")
    lived = []
    for trial in range(10):
        tops = [g / f"guardian-test-{os.getpid()}-{trial}" for g in groups]
        for top in tops:
            (top / "box").mkdir(parents=True)
        guardian = subprocess.Popen([sys.executable, "-c", sandbox.GUARDIAN, *map(str, tops)],
                                    stdin=subprocess.PIPE)
        time.sleep(0.3)  # the guardian waits on its pipe, as during grading
        joins = " && ".join(f"echo $$ > {top / 'box' / 'cgroup.procs'}" for top in tops)
        guardian.stdin.close()  # the grader is gone ...
        box = subprocess.Popen(["sh", "-c", joins + " && exec sleep 60"],  # ... mid-start
                               stderr=subprocess.DEVNULL)
        guardian.wait(timeout=90)
        try:
            box.wait(timeout=5)  # killed by the guardian, or it could not join
        except subprocess.TimeoutExpired:
            lived.append(trial)
            box.kill()
            box.wait()
        for top in tops:  # whatever a failed trial left
            for g in [*sorted(top.glob("*/"), reverse=True), top]:
                with contextlib.suppress(OSError):
                    g.rmdir()
    assert not lived, f"a box that joined late outlived the guardian in trials {lived}"
