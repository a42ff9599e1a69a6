"""The saddle-chain explorer's JavaScript (labtools/widgets/js/chain.js) held to
labtools: the chain's f and gradient (labtools.landscapes.saddle_chain), the plain
gradient-descent run (labtools.run.run and the widget's gd_chain_run) and the
arrival times of perturbed gradient descent (the widget's pgd_chain_run), in
headless Chromium and in Python.

- f and gradient agree to 1e-12 at random points for d = 1 to 6, also in the gates.
- Plain gradient descent: every iterate agrees to 1e-10 over the whole run, and
  the run stops at the same step for the same reason.
- Perturbed gradient descent (the generators differ): the distributions of the
  steps to arrive agree (two-sample Kolmogorov-Smirnov test and means).
- The checks can fail: a drifted constant or kick radius is caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from paritylib import decode
from test_optim_parity import same_distribution

import labtools as lt
from labtools.landscapes.chain import GATE
from labtools.widgets import chain as chain_module

pytestmark = pytest.mark.browser

DIMS = range(1, 7)


def spec(d, **drift):
    chain = lt.saddle_chain(d)
    out = {"d": d, "gamma": chain.gamma, "L": chain.L, "a": chain.a, "gate": list(GATE)}
    return {**out, **drift}


def points(d, n=60, seed=0):
    """Random points over the chain's window, and points whose coordinates sit in a gate."""
    rng = np.random.default_rng(seed + d)
    wide = rng.uniform(-1.4, 1.4, size=(n, d))
    lo, hi = GATE
    in_gate = rng.choice([-1.0, 1.0], size=(n, d)) * np.sqrt(rng.uniform(lo, hi, size=(n, d)))
    return np.vstack([wide, in_gate])


FGRAD_JS = """
const C = await mod("chain.js");
const chain = C.chainLandscape(arg.spec);
return arg.X.map((x) => [chain.f(x), chain.grad(x)]);
"""


def js_f_grad(js, d, X, **drift):
    out = js.call(FGRAD_JS, {"spec": spec(d, **drift), "X": X.tolist()})
    return np.array([v for v, _ in out]), np.array([g for _, g in out])


@pytest.mark.parametrize("d", DIMS)
def test_chain_f_and_gradient_agree(js, d):
    chain = lt.saddle_chain(d)
    X = points(d)
    f, g = js_f_grad(js, d, X)
    np.testing.assert_allclose(f, chain.f(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, chain.grad(X), rtol=1e-12, atol=1e-12)
    assert not js.errors, js.errors


GD_JS = """
const C = await mod("chain.js");
const chain = C.chainLandscape(arg.spec);
const x0 = Array.from({length: arg.spec.d}, () => arg.start);
return C.chainGdRun(chain, x0, arg.lr, arg.max_steps, arg.target);
"""


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("lr", [0.5, 0.2, 0.9])
def test_plain_gd_run_agrees_with_lt_run(js, d, lr):
    chain = lt.saddle_chain(d)
    x0 = np.full(d, chain_module.START)
    max_steps = 3000
    out = decode(js.call(GD_JS, {"spec": spec(d), "start": chain_module.START, "lr": lr,
                                 "max_steps": max_steps, "target": chain_module.TARGET}))
    values, reason = chain_module.gd_chain_run(chain, x0, lr, max_steps)
    assert out["reason"] == reason and len(out["values"]) == len(values), (d, lr, reason)
    steps = len(values) - 1
    t = lt.run(chain, lt.gd(lr=lr), x0, steps=steps, tol=0.0)
    assert t.steps_taken == steps
    np.testing.assert_allclose(np.array(out["xs"]), t.xs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(out["values"], values, rtol=1e-10, atol=1e-12)


N_RUNS = 300

PGD_JS = """
const C = await mod("chain.js");
const O = await mod("optim.js");
const chain = C.chainLandscape(arg.spec);
const x0 = Array.from({length: arg.spec.d}, () => arg.start);
return Array.from({length: arg.n}, (_, s) => C.chainPgdRun(chain,
  O.perturbed_gd(arg.lr, arg.radius, arg.g_thresh, arg.t_thresh, 1000 + s),
  x0, arg.max_steps, arg.target).steps);
"""


def pgd_steps_js(js, d, lr, radius):
    return js.call(PGD_JS, {"spec": spec(d), "start": chain_module.START, "lr": lr,
                            "radius": radius, "g_thresh": chain_module.G_THRESH,
                            "t_thresh": chain_module.T_THRESH, "max_steps": 3000,
                            "target": chain_module.TARGET, "n": N_RUNS})


def pgd_steps_py(d, lr, radius):
    chain = lt.saddle_chain(d)
    x0 = np.full(d, chain_module.START)
    out = []
    for s in range(N_RUNS):
        opt = lt.perturbed_gd(lr=lr, radius=radius, g_thresh=chain_module.G_THRESH,
                              t_thresh=chain_module.T_THRESH, seed=7 + s)
        out.append(chain_module.pgd_chain_run(chain, opt, x0, 3000)[1])
    return out


@pytest.mark.parametrize("d,lr,radius", [(3, 0.5, 1e-2), (5, 0.3, 1e-3)])
def test_perturbed_gd_arrives_like_python(js, d, lr, radius):
    py_steps = pgd_steps_py(d, lr, radius)
    js_steps = pgd_steps_js(js, d, lr, radius)
    assert None not in py_steps and None not in js_steps, "every run must arrive"
    assert len(set(js_steps)) > 3, "the kicks must make the arrival times vary"
    ok, (dist, crit, gap, se) = same_distribution(py_steps, js_steps)
    assert ok, (f"arrival steps differ: KS {dist:.3f} (limit {crit:.3f}), "
                f"mean gap {gap:.2f} (4 s.e. = {4 * se:.2f})")


def test_the_chain_parity_checks_catch_drift(js):
    """A port with a drifted constant or kick radius fails the checks above."""
    d = 4
    X = points(d)
    f, g = js_f_grad(js, d, X, gamma=1.0 + 1e-9)
    chain = lt.saddle_chain(d)
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(g, chain.grad(X), rtol=1e-12, atol=1e-12)
    py_steps = pgd_steps_py(3, 0.5, 1e-2)
    assert not same_distribution(py_steps, pgd_steps_js(js, 3, 0.5, 1e-5))[0]
