"""Chapter 7's widgets in the page (js/minibatch.js, js/escape.js) held to labtools,
in headless Chromium and in Python.

- The page's seeded generator (optim.js makeRng) and its Python twin
  (labtools.widgets.minibatch.PageRng) give the same doubles, and the page draws
  the same mini-batches as ``page_batches``: identical integers.
- The finite sum's f, full and mini-batch gradients agree with
  labtools.landscapes.FiniteSum to 1e-13 on several landscapes.
- Fed the batches ``lt.run_sgd`` drew, the page's SGD loop visits the same
  points over 200 steps to 1e-10; and the explorer's own path (page batches)
  is the Python widget's path to 1e-10.
- The escape-time histogram: full-batch gradient descent leaves at the very
  step ``lt.sgd_escape_steps`` finds; SGD's escape steps (the page's batches
  are not NumPy's) agree in distribution (KS test and means).
- The checks can fail: a drifted shift, or another learning rate, is caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_optim_parity import same_distribution

import labtools as lt
from labtools.widgets import escape as escape_module
from labtools.widgets import minibatch as mb

pytestmark = pytest.mark.browser

SUMS = {
    "escapable_saddle": lambda: mb.saddle_sum(),
    "himmelblau": lambda: lt.finite_sum("himmelblau", n=16, spread=0.3, seed=1),
    "rosenbrock": lambda: lt.finite_sum("rosenbrock", n=10, spread=0.05, seed=2),
    "six_hump_camel": lambda: lt.finite_sum("six_hump_camel", n=24, spread=0.1, seed=3),
}


def spec(f, shifts=None):
    return {"src": lt.landscapes.landscape_js(f.base),
            "shifts": (f.shifts if shifts is None else shifts).tolist()}


def test_page_generator_is_pagerng(js):
    out = js.call("""const O = await mod("optim.js");
        return arg.seeds.map((s) => { const r = O.makeRng(s);
          return Array.from({length: 500}, () => r.uniform()); });""",
                  {"seeds": list(range(21)) + [2 ** 31 + 5]})
    for seed, row in zip(list(range(21)) + [2 ** 31 + 5], out, strict=True):
        r = mb.PageRng(seed)
        assert row == [r.uniform() for _ in range(500)], seed


@pytest.mark.parametrize("B", [1, 2, 7, 31, 32])
def test_page_draws_the_batches_of_page_batches(js, B):
    out = js.call("""const M = await mod("minibatch.js");
        return arg.seeds.map((s) => { const next = M.batchDrawer(s, 32, arg.B);
          return Array.from({length: 200}, () => next()); });""",
                  {"seeds": [0, 3, 20], "B": B})
    for seed, rows in zip([0, 3, 20], out, strict=True):
        np.testing.assert_array_equal(np.array(rows), mb.page_batches(seed, 32, B, 200))


FGRAD_JS = """
const M = await mod("minibatch.js");
const fs = M.finiteSum(landscape(arg.spec.src), arg.spec.shifts);
return arg.X.map((x) => [fs.f(x), fs.grad(x), fs.batchGrad(x, arg.batch)]);
"""


@pytest.mark.parametrize("name", list(SUMS))
def test_finite_sum_agrees(js, name):
    f = SUMS[name]()
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = f.window
    X = np.column_stack([rng.uniform(x0, x1, 40), rng.uniform(y0, y1, 40)])
    batch = [3, 0, 5]
    out = js.call(FGRAD_JS, {"spec": spec(f), "X": X.tolist(), "batch": batch})
    for x, (v, g, gb) in zip(X, out, strict=True):
        np.testing.assert_allclose(v, f.f(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(g, f.grad(x), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(gb, f.batch_grad(x, np.array(batch)), rtol=1e-13, atol=1e-13)


TABLE_JS = """
const M = await mod("minibatch.js");
const fs = M.finiteSum(landscape(arg.spec.src), arg.spec.shifts);
return M.sgdPath(fs, arg.x0, arg.lr, arg.batches.length, (k) => arg.batches[k]).xs;
"""

RUNS = [("escapable_saddle", [1.0, 0.0], 0.1, 4), ("escapable_saddle", [0.3, 0.01], 0.3, 1),
        ("himmelblau", [0.0, 0.0], 0.01, 3), ("rosenbrock", [-1.0, 1.0], 0.001, 5),
        ("six_hump_camel", [0.5, -0.5], 0.05, 8)]


@pytest.mark.parametrize("name,x0,lr,B", RUNS)
def test_page_sgd_takes_run_sgd_steps(js, name, x0, lr, B):
    f = SUMS[name]()
    t = lt.run_sgd(f, lt.gd(lr=lr), x0=x0, batch_size=B, steps=200, seed=5)
    assert t.steps_taken == 200
    xs = js.call(TABLE_JS, {"spec": spec(f), "x0": x0, "lr": lr,
                            "batches": t.batches.tolist()})
    np.testing.assert_allclose(np.array(xs), t.xs, rtol=0, atol=1e-10)


WIDGET_JS = """
const M = await mod("minibatch.js");
const fs = M.finiteSum(landscape(arg.spec.src), arg.spec.shifts);
const out = M.sgdPath(fs, arg.x0, arg.lr, arg.steps, M.batchDrawer(arg.seed, fs.n, arg.B));
return [out.xs, out.batchGrads, out.fullGrads];
"""


@pytest.mark.parametrize("B,lr,seed", [(1, 0.1, 0), (4, 0.2, 7), (16, 0.5, 20), (32, 0.1, 3)])
def test_explorer_path_is_the_python_widgets_path(js, B, lr, seed):
    f = mb.saddle_sum()
    xs, gb, gf = js.call(WIDGET_JS, {"spec": spec(f), "x0": list(mb.START), "lr": lr,
                                     "steps": 200, "seed": seed, "B": B})
    py_xs, py_gb, py_gf = mb.sgd_path(f, mb.START, lr, mb.page_batches(seed, f.n, B, 200))
    assert len(xs) == len(py_xs) == 201
    np.testing.assert_allclose(np.array(xs), py_xs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.array(gb), py_gb, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.array(gf), py_gf, rtol=0, atol=1e-10)
    w = lt.widgets.minibatch_explorer(batch=B, lr=lr, seed=seed, steps=200)
    np.testing.assert_array_equal(w.result["xs"], py_xs)


ESCAPE_JS = """
const E = await mod("escape.js");
const M = await mod("minibatch.js");
const fs = M.finiteSum(landscape(arg.spec.src), arg.spec.shifts);
return E.escapeSteps(fs, [0, 0], arg.lr, arg.B, arg.runs, 1000, arg.radius, arg.seed);
"""


def escape_js(js, lr, B, runs=300, seed=1, shifts=None):
    f = mb.saddle_sum()
    return js.call(ESCAPE_JS, {"spec": spec(f, shifts), "lr": lr, "B": B, "runs": runs,
                               "radius": escape_module.RADIUS, "seed": seed})


@pytest.mark.parametrize("lr", [0.1, 0.3])
def test_full_batch_leaves_at_the_same_step(js, lr):
    f = mb.saddle_sum()
    py = lt.sgd_escape_steps(f, lr, [0.0, 0.0], batch_size=f.n, n_runs=1, steps=1000,
                             radius=escape_module.RADIUS, seed=0)
    assert escape_js(js, lr, f.n, runs=1) == py.tolist()


@pytest.mark.parametrize("lr,B", [(0.1, 4), (0.2, 1), (0.06, 16)])
def test_escape_steps_agree_in_distribution(js, lr, B):
    f = mb.saddle_sum()
    py = lt.sgd_escape_steps(f, lr, [0.0, 0.0], batch_size=B, n_runs=300, steps=1000,
                             radius=escape_module.RADIUS, seed=0)
    page = escape_js(js, lr, B)
    assert min(py) > 0 and min(page) > 0, "every run must leave"
    assert len(set(page)) > 3, "the batches must make the escape steps vary"
    ok, (dist, crit, gap, se) = same_distribution(py, page)
    assert ok, (f"escape steps differ: KS {dist:.3f} (limit {crit:.3f}), "
                f"mean gap {gap:.2f} (4 s.e. = {4 * se:.2f})")


def test_the_sgd_parity_checks_catch_drift(js):
    f = mb.saddle_sum()
    drifted = f.shifts.copy()
    drifted[3, 1] += 1e-9
    t = lt.run_sgd(f, lt.gd(lr=0.1), x0=[1.0, 0.0], batch_size=4, steps=200, seed=5)
    xs = js.call(TABLE_JS, {"spec": spec(f, drifted), "x0": [1.0, 0.0], "lr": 0.1,
                            "batches": t.batches.tolist()})
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(np.array(xs), t.xs, rtol=0, atol=1e-10)
    py = lt.sgd_escape_steps(f, 0.1, [0.0, 0.0], batch_size=4, n_runs=300, steps=1000,
                             radius=escape_module.RADIUS, seed=0)
    assert not same_distribution(py, escape_js(js, 0.13, 4))[0]
    assert not same_distribution(py, escape_js(js, 0.1, 8))[0]
