"""labtools.landscapes.landscape_js: the JavaScript the front ends evaluate gives
the same f, gradient and Hessian as the Python Landscape, on every catalog entry
and on learner formulas, including the singular and NaN cases."""

from __future__ import annotations

import numpy as np
import pytest
from paritylib import decode

import labtools as lt
from labtools.landscapes import CATALOG, landscape_js

pytestmark = pytest.mark.browser

LEARNER = [
    "x**2 + 3*sin(y)",
    "abs(x) + y^2",            # sign(x) and DiracDelta (printed as 0)
    "sqrt(x) + y",             # NaN for x < 0, as NumPy
    "log(x**2 + y**2 + 1) - exp(-x*y)",
    "x^(1/3) + cosh(y)",       # NumPy's x**(1/3) is NaN for x < 0 (not Math.cbrt)
    "tanh(x)*atan(y) + 1/(1 + x^2)",
    "x**4 - x**2",             # 1-D
    "log(x) + sin(3x)",        # 1-D, NaN for x < 0 and -inf at 0
]


def _cases():
    for name in CATALOG:
        yield name, lt.landscape(name)
    yield "quadratic(kappa=25)", lt.landscape("quadratic", kappa=25)
    yield "rosenbrock(a=2, b=10)", lt.landscape("rosenbrock", a=2, b=10)
    for text in LEARNER:
        yield text, lt.landscape(text)


CASES = list(_cases())


def _points(f):
    axes = [np.linspace(lo, hi, 9) for lo, hi in f.window]
    pts = np.stack(np.meshgrid(*axes), -1).reshape(-1, f.dim)
    extra = [np.zeros(f.dim), np.full(f.dim, 1e-3)]
    if f.minimizers is not None and len(f.minimizers):
        extra += list(f.minimizers[:6])
    return np.vstack([pts, *extra])


def _close(js_values, py_values, what, label):
    js_arr = np.asarray(decode(js_values), dtype=float)
    py_arr = np.asarray(py_values, dtype=float)
    assert js_arr.shape == py_arr.shape, (label, what)
    fin_py, fin_js = np.isfinite(py_arr), np.isfinite(js_arr)
    assert np.array_equal(fin_py, fin_js), f"{label}: {what} not finite where Python is (or back)"
    # the same NaN and the same signed infinities
    assert np.array_equal(py_arr[~fin_py], js_arr[~fin_js], equal_nan=True), (label, what)
    ok = fin_py
    err = np.abs(js_arr[ok] - py_arr[ok]) / (1.0 + np.abs(py_arr[ok]))
    worst = float(err.max()) if err.size else 0.0
    assert worst <= 1e-12, f"{label}: {what} differs from Python by {worst:.3g} (relative)"
    return worst


@pytest.mark.parametrize("label,f", CASES, ids=[c[0] for c in CASES])
def test_landscape_js_matches_python(js, label, f):
    pts = _points(f)
    out = js.call(
        """const L = landscape(arg.src);
           return {dim: L.dim, name: L.name,
                   f: arg.pts.map((p) => L.f(p)),
                   g: arg.pts.map((p) => L.grad(p)),
                   h: arg.pts.map((p) => L.hess(p))};""",
        {"src": landscape_js(f), "pts": pts.tolist()},
    )
    assert out["dim"] == f.dim and out["name"] == f.name
    _close(out["f"], f.f(pts), "f", label)
    _close(out["g"], f.grad(pts), "gradient", label)
    _close(out["h"], f.hess(pts), "Hessian", label)
    assert not js.errors


def test_landscape_js_rejects_a_non_landscape():
    with pytest.raises(TypeError, match="landscape must be a Landscape"):
        landscape_js("himmelblau")
