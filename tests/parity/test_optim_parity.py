"""The JavaScript optimizers and loop (labtools/widgets/js/optim.js) held to
labtools.optim and labtools.run: same landscape, start and settings, run in
headless Chromium and in Python.

- Deterministic methods: every iterate agrees to 1e-10 over 200 steps on five
  2-D landscapes and a 1-D one; status, divergence step and learning rates too.
- Noisy methods (their generators differ): the distributions of saddle-escape
  steps agree (two-sample Kolmogorov-Smirnov test and means).
- The tests can fail: a port with a drifted constant is caught.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from paritylib import decode

import labtools as lt
from labtools.landscapes import landscape_js
from labtools.run import Trace

pytestmark = pytest.mark.browser

STEPS = 200
TOL_X = 1e-10

# (landscape, start) pairs: curved valley, four minima, six minima, a strict
# saddle, a double well, and a 1-D quartic.
PROBLEMS = [
    ("rosenbrock", [-1.2, 1.0]),
    ("himmelblau", [0.3, -0.4]),
    ("six_hump_camel", [1.2, -0.3]),
    ("escapable_saddle", [0.8, 0.05]),
    ("double_well", [0.2, 1.1]),
    ("two_minima_1d", [1.7]),
]

# Settings that make each method do something worth comparing on all of the above.
METHODS = {
    "gd": {"lr": 0.002},
    "momentum": {"lr": 0.002, "beta": 0.9},
    "nesterov": {"lr": 0.002, "beta": 0.8},
    "adagrad": {"lr": 0.3},
    "rmsprop": {"lr": 0.01, "decay": 0.9},
    "adam": {"lr": 0.05},
    "newton": {},
    "damped_newton": {"lr": 0.3},
    "saddle_free_newton": {"lr": 0.2},
    "cubic_newton": {"M": 5.0},
    "trust_region": {"radius0": 0.3},
}

RUN_JS = """
const O = await mod("optim.js");
const L = landscape(arg.src);
const opt = arg.schedule
  ? O.optimizer(arg.name, {...arg.hyper, lr: O.SCHEDULES[arg.schedule[0]](...arg.schedule[1])})
  : O.optimizer(arg.name, arg.hyper);
const t = O.run(L, opt, arg.x0, {steps: arg.steps, tol: arg.tol});
return {xs: t.xs, values: t.values, grad_norms: t.grad_norms, lrs: t.lrs, status: t.status,
        diverged_at: t.diverged_at, steps_taken: t.steps_taken, reason: t.reason,
        message: t.message};
"""


def run_both(js, name, hyper, problem, x0, *, schedule=None, steps=STEPS, tol=0.0):
    f = lt.landscape(problem)
    py_hyper = dict(hyper)
    if schedule is not None:
        py_hyper["lr"] = getattr(lt, schedule[0])(*schedule[1])
    py = lt.run(f, lt.optimizer(name, **py_hyper), x0, steps=steps, tol=tol)
    out = decode(js.call(RUN_JS, {"src": landscape_js(f), "name": name, "hyper": hyper,
                                  "x0": x0, "steps": steps, "tol": tol,
                                  "schedule": schedule}))
    return py, out


def compare(py, out, label):
    """Raise AssertionError naming the first difference; return the largest |dx|."""
    xs = np.asarray(out["xs"], dtype=float)
    assert out["status"] == py.status, f"{label}: status {out['status']} vs {py.status}"
    assert out["diverged_at"] == py.diverged_at, f"{label}: diverged_at differs"
    assert xs.shape == py.xs.shape, f"{label}: {xs.shape[0] - 1} steps vs {py.steps_taken}"
    err = np.abs(xs - py.xs).max(axis=1)
    worst = float(err.max())
    if worst > TOL_X:
        k = int(np.argmax(err > TOL_X))
        raise AssertionError(f"{label}: iterate {k} differs by {err[k]:.3g} (> {TOL_X:g})")
    np.testing.assert_allclose(out["values"], py.values, rtol=1e-9, atol=1e-10, err_msg=label)
    lrs = np.asarray(out["lrs"], dtype=float)
    np.testing.assert_allclose(lrs, py.lrs, rtol=1e-13, atol=0, equal_nan=True, err_msg=label)
    assert out["reason"] == py.reason, f"{label}: reason {out['reason']!r} vs {py.reason!r}"
    # The message is Python's rule applied to the JS numbers (a gradient norm of
    # 1e-15 against 0 at an exact minimum would otherwise differ in print only).
    mine = Trace(xs=xs, values=np.asarray(out["values"]), grad_norms=np.asarray(out["grad_norms"]),
                 lrs=lrs, status=out["status"], diverged_at=out["diverged_at"],
                 steps_taken=out["steps_taken"], reason=out["reason"])
    assert out["message"] == mine.message, label
    return worst


WORST: dict[str, float] = {}


@pytest.mark.parametrize("problem,x0", PROBLEMS, ids=[p for p, _ in PROBLEMS])
@pytest.mark.parametrize("name", list(METHODS))
def test_deterministic_methods_agree_over_200_steps(js, name, problem, x0):
    py, out = run_both(js, name, METHODS[name], problem, x0)
    worst = compare(py, out, f"{name} on {problem} from {x0}")
    WORST[f"{name}/{problem}"] = worst
    assert not js.errors


SCHEDULES = [
    ("constant", [0.002]),
    ("step_decay", [0.003, 0.5, 40]),
    ("exponential_decay", [0.003, 0.99]),
    ("cosine_decay", [0.003, 150, 0.0005]),
    ("warm_restarts", [0.003, 30, 2, 0.0]),
    ("one_cycle", [0.004, 200]),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedules_agree(js, schedule):
    name, args = schedule
    values = decode(js.call(
        """const O = await mod("optim.js");
           const s = O.SCHEDULES[arg.name](...arg.args);
           return Array.from({length: 401}, (_, t) => s(t));""",
        {"name": name, "args": args}))
    sched = getattr(lt, name)(*args)
    np.testing.assert_allclose(values, [sched(t) for t in range(401)], rtol=1e-14, atol=0)
    py, out = run_both(js, "momentum", {"beta": 0.9}, "rosenbrock", [-1.2, 1.0],
                       schedule=schedule)
    compare(py, out, f"momentum with {name}")


@pytest.mark.parametrize(
    "problem,name,hyper,x0",
    [
        ("rosenbrock", "gd", {"lr": 0.01}, [-1.2, 1.0]),       # |x| past max_norm
        ("saddle", "gd", {"lr": 0.6}, [0.1, 0.1]),              # unbounded below
        ("himmelblau", "newton", {}, [-0.270845, -0.923039]),   # lands on the maximum
        ("quadratic", "adam", {"lr": 0.1}, [1.0, 1.0]),         # converges (tol 1e-8)
    ],
)
def test_the_loop_stops_as_run_does(js, problem, name, hyper, x0):
    py, out = run_both(js, name, hyper, problem, x0, steps=500, tol=1e-8)
    compare(py, out, f"{name} on {problem}")
    assert out["message"] == py.message


def test_number_format_matches_python(js):
    values = [0.0, 1.0, 3.14159, 2 / 3, 1e6, 999.5, 1234.5678, 1e-5, 1.23456e-5,
              0.0001, 3.32e14, -2.5e-7, 100.0, 99.95, 1e21, 5e-324, -1.0]
    got = js.call("""const O = await mod("optim.js"); return arg.map((v) => O.fmtG(v));""",
                  values)
    assert got == [format(v, ".3g") for v in values]


# ------------------------------------------------------------------ noisy methods

N_RUNS = 300


def _ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic."""
    a, b = np.sort(a), np.sort(b)
    grid = np.union1d(a, b)
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def same_distribution(py_steps, js_steps):
    """KS at the 0.1% level, and means within 4 standard errors of each other."""
    py_steps, js_steps = np.asarray(py_steps, float), np.asarray(js_steps, float)
    n, m = len(py_steps), len(js_steps)
    d = _ks(py_steps, js_steps)
    crit = 1.95 * math.sqrt((n + m) / (n * m))
    se = math.sqrt(py_steps.var(ddof=1) / n + js_steps.var(ddof=1) / m)
    gap = abs(py_steps.mean() - js_steps.mean())
    return d <= crit and gap <= 4 * se, (d, crit, gap, se)


NOISY = [
    ("noisy_gd", "saddle", {"lr": 0.05, "sigma": 0.05}, [0.0, 0.0], 1.0),
    ("perturbed_gd", "escapable_saddle",
     {"lr": 0.05, "radius": 0.05, "g_thresh": 1e-3, "t_thresh": 10}, [0.0, 0.0], 0.5),
]


def escape_steps_js(js, problem, name, hyper, x0, radius):
    f = lt.landscape(problem)
    return js.call(
        """const O = await mod("optim.js");
           const L = landscape(arg.src);
           return Array.from({length: arg.n}, (_, s) => O.saddle_escape_steps(
             L, O.optimizer(arg.name, {...arg.hyper, seed: 1000 + s}), arg.x0,
             {radius: arg.radius, steps: 2000}));""",
        {"src": landscape_js(f), "name": name, "hyper": hyper, "x0": x0,
         "radius": radius, "n": N_RUNS})


def escape_steps_py(problem, name, hyper, x0, radius):
    f = lt.landscape(problem)
    starts = np.tile(np.asarray(x0, float), (N_RUNS, 1))
    return lt.saddle_escape_steps(f, lt.optimizer(name, **hyper, seed=7), starts,
                                  radius=radius, steps=2000)


@pytest.mark.parametrize("name,problem,hyper,x0,radius", NOISY, ids=[n[0] for n in NOISY])
def test_noisy_methods_escape_like_python(js, name, problem, hyper, x0, radius):
    py_steps = escape_steps_py(problem, name, hyper, x0, radius)
    js_steps = escape_steps_js(js, problem, name, hyper, x0, radius)
    assert min(js_steps) > 0 and min(py_steps) > 0, "every run must escape"
    ok, (d, crit, gap, se) = same_distribution(py_steps, js_steps)
    assert ok, (f"{name}: escape steps differ: KS {d:.3f} (limit {crit:.3f}), "
                f"mean gap {gap:.2f} (4 s.e. = {4 * se:.2f})")


def test_the_parity_checks_catch_drift(js):
    """A port with a drifted constant fails both kinds of check."""
    f = lt.landscape("rosenbrock")
    py = lt.run(f, lt.momentum(lr=0.002, beta=0.9), [-1.2, 1.0], steps=STEPS, tol=0.0)
    drifted = decode(js.call(RUN_JS, {"src": landscape_js(f), "name": "momentum",
                                      "hyper": {"lr": 0.002, "beta": 0.9 + 1e-9},
                                      "x0": [-1.2, 1.0], "steps": STEPS, "tol": 0.0,
                                      "schedule": None}))
    with pytest.raises(AssertionError, match="differs by"):
        compare(py, drifted, "drifted momentum")
    name, problem, hyper, x0, radius = NOISY[0]
    py_steps = escape_steps_py(problem, name, hyper, x0, radius)
    louder = escape_steps_js(js, problem, name, {**hyper, "sigma": 2 * hyper["sigma"]}, x0, radius)
    assert not same_distribution(py_steps, louder)[0]


@pytest.mark.parametrize("beta,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_predicted_escape_steps_agree(js, beta, nesterov):
    e = np.logspace(-10, -1, 19)
    got = js.call(
        """const S = await mod("saddle.js");
           return S.predicted_escape_steps(arg.e, 0.1, -2.0, arg.beta, arg.nesterov);""",
        {"e": e.tolist(), "beta": beta, "nesterov": nesterov})
    want = lt.predicted_escape_steps(e, 0.1, -2.0, beta=beta, nesterov=nesterov)
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adam"])
def test_saddle_escape_steps_agree(js, name):
    """The count the saddle-escape explorer plots, for the deterministic methods."""
    f = lt.landscape("saddle")
    starts = [[0.4 * 0.5, 0.4 * e] for e in np.logspace(-10, -1, 10)]
    want = lt.saddle_escape_steps(f, lt.optimizer(name, lr=0.1), starts, radius=0.8,
                                  steps=3000).tolist()
    got = js.call(
        """const O = await mod("optim.js");
           const L = landscape(arg.src);
           return arg.starts.map((x0) => O.saddle_escape_steps(
             L, O.optimizer(arg.name, {lr: 0.1}), x0, {radius: 0.8, steps: 3000}));""",
        {"src": landscape_js(f), "name": name, "starts": starts})
    assert got == want
