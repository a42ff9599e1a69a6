"""The course network in the browser (labtools/widgets/js/mlp.js) held to labtools.nn.

- Initial parameters: the same bits as ``MLP.init(seed, scale)`` from the
  uniforms Python sends.
- Loss, gradient and Hessian-vector product: equal to ``MLP.loss_and_grad`` and
  ``MLP.hvp`` (to 1e-12 relative), and the JS gradient and H v agree with
  central finite differences of the JS loss and gradient.
- Training: every recorded full-batch loss, mini-batch loss and gradient norm
  of the JS loop equals ``labtools.nn.train``'s to 1e-8, measured as
  ``|js - py| <= 1e-8 * max(1, |py|)`` (absolute for losses below 1, which
  they all are after the first steps), for each optimizer the network explorer
  offers (gd, momentum, adam, sam), full batch and mini-batches, two widths
  and two seeds, tanh and sigmoid; status, divergence step and message too.
- The widget's own spec (what the page embeds) trains in JS as the widget
  trains in Python.
- Sharpness: the JS Lanczos estimate equals ``labtools.nn.sharpness``.
- The tolerance can fail: a learning rate off by one part in a million is caught.
"""

from __future__ import annotations

import numpy as np
import pytest
from paritylib import decode

import labtools as lt
from labtools.nn import course_network, sharpness, train
from labtools.widgets.network import batch_order, init_uniforms

pytestmark = pytest.mark.browser

TOL = 1e-8

# the optimizers of labtools.widgets.network.NetworkExplorer._optimizer
PY_OPT = {
    "gd": lambda lr: lt.gd(lr=lr),
    "momentum": lambda lr: lt.momentum(lr=lr, beta=0.9),
    "adam": lambda lr: lt.adam(lr=lr),
    "sam": lambda lr: lt.sam(lr=lr, rho=0.05),
}

# (optimizer, lr, batch_size, hidden, seed, activation, scale, steps)
SETTINGS = [
    ("gd", 0.5, None, (16, 16), 0, "tanh", 1.0, 150),
    ("momentum", 0.1, None, (8,), 3, "tanh", 1.0, 150),
    ("adam", 0.01, None, (16, 16), 3, "sigmoid", 1.0, 150),
    ("sam", 0.5, None, (8,), 0, "tanh", 1.0, 150),
    ("gd", 0.5, 20, (16, 16), 0, "tanh", 1.0, 120),
    ("momentum", 0.05, 50, (8,), 3, "sigmoid", 1.0, 120),
    ("adam", 0.01, 10, (8,), 0, "tanh", 0.3, 120),
    ("sam", 0.3, 20, (16, 16), 3, "tanh", 1.0, 120),
]

SETUP_JS = """
const M = await mod("mlp.js");
const net = M.network(arg.sizes, arg.activation);
const X = Float64Array.from(arg.X), y = Float64Array.from(arg.y);
"""

TRAIN_JS = SETUP_JS + """
const theta0 = M.initTheta(net, arg.uniforms, arg.scale);
const permutations = arg.order === null ? null
  : Array.from({length: arg.order.length / y.length},
               (_, e) => Uint8Array.from(arg.order.slice(e * y.length, (e + 1) * y.length)));
const t = M.train(net, theta0, X, y, M.networkOptimizer(arg.name, arg.lr), {
  steps: arg.steps, batchSize: arg.batch, permutations, maxNorm: arg.max_norm});
return {theta0: Array.from(theta0), theta: Array.from(t.theta), losses: t.losses,
        batch_losses: t.batch_losses, grad_norms: t.grad_norms, status: t.status,
        diverged_at: t.diverged_at, steps_taken: t.steps_taken, message: t.message};
"""


def _problem(hidden, seed, activation="tanh"):
    model, X, y = course_network(hidden=hidden, activation=activation, seed=seed)
    return model, X, y


def _close(js, py, what):
    js, py = np.asarray(js, dtype=float), np.asarray(py, dtype=float)
    assert js.shape == py.shape, f"{what}: {js.shape} values in JS, {py.shape} in Python"
    gap = np.abs(js - py) / np.maximum(1.0, np.abs(py))
    assert np.all(gap <= TOL), f"{what}: worst gap {gap.max():.3g} at {int(gap.argmax())}"


def train_both(js, name, lr, batch, hidden, seed, activation, scale, steps, max_norm=1e6):
    model, X, y = _problem(hidden, seed, activation)
    theta0 = model.init(seed=seed, scale=scale)
    py = train(model, theta0, X, y, PY_OPT[name](lr), steps=steps, batch_size=batch,
               seed=seed, keep_path=False, max_norm=max_norm)
    order = None
    if batch is not None:
        epochs = -(-steps * batch // len(y)) + 1
        order = batch_order(len(y), seed, epochs).tolist()
    out = decode(js.call(TRAIN_JS, {
        "sizes": list(model.sizes), "activation": activation, "X": X.ravel().tolist(),
        "y": y.tolist(), "uniforms": init_uniforms(model, seed).tolist(), "scale": scale,
        "name": name, "lr": lr, "batch": batch, "steps": steps, "order": order,
        "max_norm": max_norm}))
    assert np.array_equal(np.array(out["theta0"]), theta0), "initial parameters differ"
    return py, out


@pytest.mark.parametrize("setting", SETTINGS,
                         ids=[f"{s[0]}-b{s[2] or 'full'}-{'x'.join(map(str, s[3]))}-seed{s[4]}"
                              f"-{s[5]}" for s in SETTINGS])
def test_js_training_matches_labtools_nn(js, setting):
    py, out = train_both(js, *setting)
    label = f"{setting[0]} {setting[1:]}"
    _close(out["losses"], py.losses, f"{label}: training loss")
    _close(out["batch_losses"], py.batch_losses, f"{label}: mini-batch loss")
    _close(out["grad_norms"], py.grad_norms, f"{label}: gradient norm")
    _close(out["theta"], py.theta, f"{label}: final theta")
    assert (out["status"], out["steps_taken"], out["message"]) == (
        py.status, py.steps_taken, py.message)
    assert py.losses[-1] < py.losses[0], f"{label}: the setting trains nothing worth comparing"


def test_js_training_diverges_as_labtools_nn(js):
    py, out = train_both(js, "gd", 1e4, None, (16, 16), 0, "tanh", 1.0, 100, max_norm=1e4)
    assert py.status == "diverged"
    assert (out["status"], out["diverged_at"], out["steps_taken"], out["message"]) == (
        py.status, py.diverged_at, py.steps_taken, py.message)
    _close(out["losses"], py.losses, "losses before the divergence")


def test_a_drifted_learning_rate_is_caught(js):
    model, X, y = _problem((16, 16), 0)
    py = train(model, model.init(seed=0), X, y, lt.gd(lr=0.5 * (1 + 1e-6)), steps=150,
               keep_path=False)
    _, out = train_both(js, "gd", 0.5, None, (16, 16), 0, "tanh", 1.0, 150)
    with pytest.raises(AssertionError):
        _close(out["losses"], py.losses, "drifted lr")


GRAD_JS = SETUP_JS + """
const theta = Float64Array.from(arg.theta), v = Float64Array.from(arg.v);
const [value, g] = M.lossAndGrad(net, theta, X, y);
const Hv = M.hvp(net, theta, v, X, y);
const h = 1e-6, fd = [], fdH = [];
for (const i of arg.coords) {  // central differences of the JS loss and gradient
  const up = Float64Array.from(theta), down = Float64Array.from(theta);
  up[i] += h; down[i] -= h;
  fd.push((M.lossAndGrad(net, up, X, y)[0] - M.lossAndGrad(net, down, X, y)[0]) / (2 * h));
}
const up = theta.map((t, i) => t + h * v[i]), down = theta.map((t, i) => t - h * v[i]);
const gu = M.lossAndGrad(net, up, X, y)[1], gd = M.lossAndGrad(net, down, X, y)[1];
for (let i = 0; i < gu.length; i++) fdH.push((gu[i] - gd[i]) / (2 * h));
return {value, g: Array.from(g), Hv: Array.from(Hv), fd, fdH,
        sharpness: M.sharpness(net, theta, X, y, {iters: 100, tol: 1e-10})};
"""


@pytest.mark.parametrize("hidden,seed,activation,trained", [
    ((16, 16), 0, "tanh", False), ((16, 16), 0, "tanh", True),
    ((8,), 3, "sigmoid", False), ((4, 4), 1, "tanh", True),
])
def test_js_gradient_and_hvp_match_labtools_nn_and_finite_differences(js, hidden, seed,
                                                                      activation, trained):
    model, X, y = _problem(hidden, seed, activation)
    theta = model.init(seed=seed)
    if trained:
        theta = train(model, theta, X, y, lt.adam(lr=0.01), steps=200, keep_path=False).theta
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(model.n_params)
    coords = sorted(rng.choice(model.n_params, size=25, replace=False).tolist())
    out = decode(js.call(GRAD_JS, {
        "sizes": list(model.sizes), "activation": activation, "X": X.ravel().tolist(),
        "y": y.tolist(), "theta": theta.tolist(), "v": v.tolist(), "coords": coords}))
    value, g = model.loss_and_grad(theta, X, y)
    Hv = model.hvp(theta, v, X, y)
    assert abs(out["value"] - value) <= 1e-12 * max(1.0, abs(value))
    g_js, Hv_js = np.array(out["g"]), np.array(out["Hv"])
    assert np.max(np.abs(g_js - g)) <= 1e-12 * max(1.0, np.max(np.abs(g)))
    assert np.max(np.abs(Hv_js - Hv)) <= 1e-12 * max(1.0, np.max(np.abs(Hv)))
    # finite differences of the JS loss / gradient: O(h^2) truncation plus rounding
    fd, fdH = np.array(out["fd"]), np.array(out["fdH"])
    assert np.max(np.abs(fd - g_js[coords])) <= 1e-6 * max(1.0, np.max(np.abs(g_js)))
    assert np.max(np.abs(fdH - Hv_js)) <= 1e-5 * max(1.0, np.max(np.abs(Hv_js)))
    lam = sharpness(model, theta, X, y, iters=model.n_params, tol=1e-10)
    assert abs(out["sharpness"] - lam) <= 1e-6 * max(1.0, abs(lam))


SPEC_JS = """
const M = await mod("mlp.js");
const s = arg.spec;
const net = M.network(s.sizes, arg.activation);
const X = Float64Array.from(s.X), y = Float64Array.from(s.y);
const permutations = M.decodePermutations(s.permutations, s.index_bytes, y.length, s.epochs);
const batch = s.batch_sizes[arg.batch_label];
const t = M.train(net, M.initTheta(net, s.uniforms, arg.scale), X, y,
  M.networkOptimizer(arg.name, arg.lr),
  {steps: arg.steps, batchSize: batch === "full" ? null : batch, permutations,
   maxNorm: s.max_norm});
return {losses: t.losses, batch_losses: t.batch_losses, message: t.message};
"""


@pytest.mark.parametrize("settings", [
    {"optimizer": "adam", "lr": 0.02, "batch_size": 100, "steps": 1000},
    {"optimizer": "momentum", "lr": 0.2, "batch_size": 10, "steps": 200,
     "activation": "sigmoid", "scale": 2.0},
])
def test_the_widget_spec_trains_in_js_as_the_widget_in_python(js, settings):
    """What the page embeds (uniforms, batch order) reproduces the kernel's run,
    up to the longest run the steps slider allows for batches of 100."""
    w = lt.widgets.network_explorer(steps=10)
    w.set(**settings)
    label = next(lab for lab, v in w.BATCH_SIZES if v == settings["batch_size"])
    out = decode(js.call(SPEC_JS, {
        "spec": w.front.spec, "activation": w.controls["activation"].value,
        "batch_label": label, "scale": w.controls["scale"].value,
        "name": settings["optimizer"], "lr": w.controls["lr"].value,
        "steps": settings["steps"]}))
    _close(out["losses"], w.result.losses, "widget run: training loss")
    _close(out["batch_losses"], w.result.batch_losses, "widget run: mini-batch loss")
    assert out["message"] == w.result.message
