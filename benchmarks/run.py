"""``make bench``: what learners and instructors feel, each against a baseline.

Every figure is measured in this run, next to a baseline measured in the same
run on the same machine, and reported beside its aim. Nothing here is a test:
the script fails (exit 1) only when it cannot measure something, never because
the machine is slow.

Writes ``benchmarks/results.json`` (everything, raw) and
``benchmarks/results.md`` (the table the book's Benchmarks page includes).

Usage::

    python benchmarks/run.py            # everything
    python benchmarks/run.py --only widget basin lanczos
    python benchmarks/run.py --quick    # fewer repetitions, smaller basin map
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT_JSON = ROOT / "benchmarks" / "results.json"
OUT_MD = ROOT / "benchmarks" / "results.md"

os.environ.setdefault("MPLBACKEND", "Agg")


def _percentile(samples, q):
    return float(np.percentile(np.asarray(samples) * 1e3, q))


def machine():
    """Describe the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


# --------------------------------------------------------------------------
# Widget update latency
# --------------------------------------------------------------------------

def bench_widget(quick=False):
    """Landscape explorer: in-place update against rebuilding the figure."""
    import labtools as lt

    reps = 30 if quick else 120
    results = {}
    # a small lr so that no run converges early: every update draws all 200 steps
    w = lt.widgets.landscape_explorer("himmelblau", optimizer="gd", lr=0.001, steps=200)
    rng = np.random.default_rng(0)
    starts = rng.uniform(-4.5, 4.5, size=(reps, 2))

    def timed(rebuild):
        samples = []
        for x0 in starts:
            # move the start point as the sliders would, then time one redraw:
            # run the optimizer, draw the trajectory and loss curve, encode the PNGs
            with w.hold():
                w.controls["x0"].value = float(x0[0])
                w.controls["y0"].value = float(x0[1])
            t0 = time.perf_counter()
            w.update(rebuild=rebuild)
            samples.append(time.perf_counter() - t0)
            lengths.append(len(w.trace.xs) - 1)
        return samples

    lengths = []
    fast = timed(rebuild=False)
    slow = timed(rebuild=True)
    results["landscape_explorer"] = {
        "median_ms": _percentile(fast, 50),
        "p95_ms": _percentile(fast, 95),
        "baseline_median_ms": _percentile(slow, 50),
        "baseline_p95_ms": _percentile(slow, 95),
        "speedup_median": _percentile(slow, 50) / _percentile(fast, 50),
        "aim": "median <= 25 ms, p95 <= 50 ms",
        "trajectory_steps": 200,
        "mean_steps_drawn": float(np.mean(lengths)),
        "repetitions": reps,
    }
    return results


# --------------------------------------------------------------------------
# Basin map: vectorized against a Python loop over the same starts
# --------------------------------------------------------------------------

def bench_basin(quick=False):
    import labtools as lt

    f = lt.landscape("himmelblau")
    opt = lt.gd(lr=0.01)
    n = 100 if quick else 200  # n*n starts
    steps = 500
    t0 = time.perf_counter()
    bmap = lt.basin_map(f, opt, n=n, steps=steps)
    t_vec = time.perf_counter() - t0

    # The loop baseline runs the same starts one at a time through lt.run. It is
    # too slow to run all n*n of them, so it runs an evenly spaced subset and
    # the per-start time is scaled to n*n (stated in the table).
    xs = np.linspace(*f.window[0], n)
    ys = np.linspace(*f.window[1], n)
    X, Y = np.meshgrid(xs, ys)
    starts = np.column_stack([X.ravel(), Y.ravel()])
    subset = starts[:: max(1, len(starts) // (100 if quick else 400))]
    t0 = time.perf_counter()
    for x0 in subset:
        lt.run(f, opt, x0, steps=steps, tol=0.0)
    t_loop_each = (time.perf_counter() - t0) / len(subset)
    t_loop = t_loop_each * len(starts)
    return {
        "basin_map": {
            "starts": int(len(starts)),
            "steps": steps,
            "vectorized_s": t_vec,
            "loop_s_extrapolated": t_loop,
            "loop_starts_timed": int(len(subset)),
            "speedup": t_loop / t_vec,
            "aim": "speedup > 100x",
            "labels_found": int(len(set(np.unique(bmap.labels)) - {-1})),
        }
    }


# --------------------------------------------------------------------------
# Top Hessian eigenvalue of the course network: Lanczos against dense eigh
# --------------------------------------------------------------------------

def bench_lanczos(quick=False):
    import labtools as lt

    model, X, y = lt.course_network(hidden=(64, 64))
    theta = model.init(seed=0)
    P = model.n_params
    hvp = lambda v: model.hvp(theta, v, X, y)  # noqa: E731

    t0 = time.perf_counter()
    ritz = lt.lanczos(hvp, P, k=30, seed=0)
    t_lanczos = time.perf_counter() - t0
    top_lanczos = float(np.max(ritz[0] if isinstance(ritz, tuple) else ritz))

    t0 = time.perf_counter()
    H = model.hessian(theta, X, y)
    top_dense = float(np.linalg.eigvalsh(H)[-1])
    t_dense = time.perf_counter() - t0
    return {
        "lanczos": {
            "n_params": int(P),
            "lanczos_s": t_lanczos,
            "dense_eigh_s": t_dense,
            "speedup": t_dense / t_lanczos,
            "top_eigenvalue": top_dense,
            "relative_agreement": abs(top_lanczos - top_dense) / abs(top_dense),
            "aim": "speedup > 10x, agreement <= 1e-8",
        }
    }


# --------------------------------------------------------------------------
# Notebooks, the book, the Binder environment, page weight
# --------------------------------------------------------------------------

def bench_notebooks(quick=False):
    import nbformat
    from nbclient import NotebookClient

    out = {}
    paths = [*sorted((ROOT / "chapters").glob("*.ipynb")),
             *sorted((ROOT / "exercises").glob("*.ipynb"))]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        out[str(path.relative_to(ROOT))] = {
            "seconds": time.perf_counter() - t0,
            "aim": "<= 20 s" if path.parent.name == "chapters" else "-",
        }
    return {"notebooks": out}


def bench_book(quick=False):
    """A clean build of the book, into ``_build`` (what ``make book`` builds): the
    front-end benchmarks that follow measure this site."""
    out = ROOT / "_build"
    shutil.rmtree(out, ignore_errors=True)
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    t0 = time.perf_counter()
    proc = subprocess.run([str(jb), "build", str(ROOT), "--builder", "html", "-W", "-n",
                           "--keep-going"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError("book build failed:\n" + proc.stdout[-3000:] + proc.stderr[-3000:])
    html = out / "html"
    weights = {
        str(p.relative_to(html)): p.stat().st_size
        for p in sorted(html.rglob("*.html"))
        if "_static" not in p.parts and "_sources" not in p.parts
    }
    return {
        "book_build": {"seconds": elapsed, "aim": "<= 120 s"},
        "page_weight_bytes": weights,
    }


def bench_env(quick=False):
    """A fresh environment as Binder builds it: requirements.txt alone."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-env-"))
    venv = tmp / "venv"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-cache-dir",
         "-r", str(ROOT / "requirements.txt")],
        cwd=ROOT, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError("pip install -r requirements.txt failed:\n" + proc.stderr[-3000:])
    size = sum(p.stat().st_size for p in venv.rglob("*") if p.is_file() and not p.is_symlink())
    shutil.rmtree(tmp, ignore_errors=True)
    return {"binder_env": {"install_s": elapsed, "size_mb": size / 1e6, "aim": "<= 600 MB"}}


# --------------------------------------------------------------------------
# Browser front ends: response time in the static page and in JupyterLab,
# first answer, first-load bytes (benchmarks/frontend_bench.py)
# --------------------------------------------------------------------------

sys.path.insert(0, str(ROOT / "benchmarks"))
import frontend_bench  # noqa: E402


def bench_frontend(quick=False, browser=None):
    """Every widget type on the built site's pages, static page (no kernel), offline."""
    return frontend_bench.bench_static(quick=quick, browser=browser)


def bench_frontend_lab(quick=False, browser=None):
    """Every widget type of the pages with widgets, in JupyterLab with a live kernel."""
    return frontend_bench.bench_lab(quick=quick, browser=browser)


# The book first: the front-end benchmarks measure the site it builds.
BENCHES = {
    "book": bench_book,
    "frontend": bench_frontend,
    "frontend_lab": bench_frontend_lab,
    "widget": bench_widget,
    "basin": bench_basin,
    "lanczos": bench_lanczos,
    "notebooks": bench_notebooks,
    "env": bench_env,
}


def _fmt(x, unit="", digits=1):
    return f"{x:.{digits}f}{unit}"


def to_markdown(res):
    m = res["machine"]
    lines = [
        "Measured by `make bench` (last run "
        f"{m['date']}): {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
        f"Python {m['python']}, NumPy {m['numpy']}. Each figure is set beside a "
        "baseline measured in the same run; the machine is shared, so expect "
        "some noise.",
    ]
    if res.get("load_average"):
        # ``--only`` keeps the other benchmarks' earlier results: each says when it ran
        when = res.get("measured_at", {})
        lines += ["", "The machine's 1-minute load average (2 cores, shared) before and after "
                  "each benchmark, and when it ran: " + ", ".join(
                      f"{k} {a} -> {b} ({when.get(k, 'date not recorded')})"
                      for k, (a, b) in res["load_average"].items()) + "."]
    lines += [
        "",
        "| what | measured | baseline (same run) | ratio | aim |",
        "| --- | --- | --- | --- | --- |",
    ]
    if "landscape_explorer" in res:
        w = res["landscape_explorer"]
        lines.append(
            f"| landscape explorer update, 200-step trajectory (median / p95) | "
            f"{_fmt(w['median_ms'], ' ms')} / {_fmt(w['p95_ms'], ' ms')} | "
            f"rebuild the figure: {_fmt(w['baseline_median_ms'], ' ms')} / "
            f"{_fmt(w['baseline_p95_ms'], ' ms')} | {_fmt(w['speedup_median'], 'x')} | {w['aim']} |"
        )
    if "basin_map" in res:
        b = res["basin_map"]
        lines.append(
            f"| basin map, {b['starts']:,} starts x {b['steps']} steps, vectorized | "
            f"{_fmt(b['vectorized_s'], ' s', 2)} | Python loop over the starts: "
            f"{_fmt(b['loop_s_extrapolated'], ' s')} (timed on {b['loop_starts_timed']} starts, "
            f"scaled) | {_fmt(b['speedup'], 'x', 0)} | {b['aim']} |"
        )
    if "lanczos" in res:
        z = res["lanczos"]
        lines.append(
            f"| top Hessian eigenvalue, course network ({z['n_params']:,} parameters), Lanczos | "
            f"{_fmt(z['lanczos_s'], ' s', 3)} | "
            f"dense Hessian + eigh: {_fmt(z['dense_eigh_s'], ' s', 2)} | "
            f"{_fmt(z['speedup'], 'x', 0)}; agreement {z['relative_agreement']:.1e} | {z['aim']} |"
        )
    if "book_build" in res:
        lines.append(
            f"| clean full book build | {_fmt(res['book_build']['seconds'], ' s')} | - | - | "
            f"{res['book_build']['aim']} |"
        )
    if "binder_env" in res:
        e = res["binder_env"]
        lines.append(
            f"| fresh environment from requirements.txt (no pip cache) | "
            f"{_fmt(e['install_s'], ' s')} install, "
            f"{_fmt(e['size_mb'], ' MB', 0)} on disk | - | - | "
            f"{e['aim']} |"
        )
    lines += frontend_bench.to_markdown(res)
    if "notebooks" in res:
        lines += ["", "Notebook execution time (fresh kernel each):", "",
                  "| notebook | seconds | aim |", "| --- | --- | --- |"]
        for name, v in res["notebooks"].items():
            lines.append(f"| `{name}` | {_fmt(v['seconds'])} | {v['aim']} |")
    if "page_weight_bytes" in res:
        lines += ["", "Page weight of the built site (HTML, embedded figures, widget state):",
                  "", "| page | size |", "| --- | --- |"]
        for name, size in res["page_weight_bytes"].items():
            lines.append(f"| `{name}` | {size / 1e6:.2f} MB |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", choices=list(BENCHES), help="run only these")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = ap.parse_args(argv)
    names = args.only or list(BENCHES)
    previous = json.loads(OUT_JSON.read_text()) if OUT_JSON.exists() and args.only else {}
    results = {**previous, "machine": machine()}
    load = results.setdefault("load_average", {})
    failures = []
    for name in names:
        print(f"[bench] {name} ...", flush=True)
        before = os.getloadavg()[0]
        try:
            results.update(BENCHES[name](quick=args.quick))
        except Exception as exc:  # report every failure to measure, then exit 1
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            print(f"[bench] {name} could not be measured: {exc}", file=sys.stderr)
        # the machine's 1-minute load average before and after: on a shared machine
        # it says how much of a time is the machine's rather than the code's
        load[name] = [round(before, 1), round(os.getloadavg()[0], 1)]
        results.setdefault("measured_at", {})[name] = results["machine"]["date"]
        # written after each benchmark: a run stopped halfway keeps what it measured
        OUT_JSON.write_text(json.dumps(results, indent=2) + "\n")
        OUT_MD.write_text(to_markdown(results))
    print(OUT_MD.read_text())
    if failures:
        print("could not measure:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
