"""The Hessian inspector's numbers in the browser (labtools/widgets/js/hessian.js,
with optim.js's port of numpy.linalg.eigh) held to labtools.curvature: at a grid
of points and at every critical point of several landscapes, the eigenvalues
agree to 1e-10, the eigenvectors up to sign, and the kind (``classify``) and the
critical-point verdict (``is_critical_point``) are the same.
"""

from __future__ import annotations

import numpy as np
import pytest
from paritylib import decode

import labtools as lt
from labtools.curvature import critical_scale
from labtools.landscapes import landscape_js

pytestmark = pytest.mark.browser

LANDSCAPES = ["himmelblau", "rosenbrock", "six_hump_camel", "monkey_saddle", "saddle_5",
              "double_well", "escapable_saddle"]

INSPECT_JS = """
const H = await mod("hessian.js");
const L = landscape(arg.src);
return arg.pts.map((x) => H.inspect(L, x, {scale: arg.scale}));
"""


def _points(f):
    axes = [np.linspace(lo, hi, 13) for lo, hi in f.window]
    pts = np.stack(np.meshgrid(*axes), -1).reshape(-1, 2)
    crit = [p.x for p in lt.critical_points(f)]
    return np.vstack([pts, *crit]) if crit else pts


def _inspect_js(js, f, pts):
    return decode(js.call(INSPECT_JS, {"src": landscape_js(f), "pts": pts.tolist(),
                                       "scale": critical_scale(f)}))


@pytest.mark.parametrize("name", LANDSCAPES)
def test_eigenpairs_kind_and_verdict_match_curvature(js, name):
    f = lt.landscape(name)
    pts = _points(f)
    got = _inspect_js(js, f, pts)
    vals, vecs = lt.hessian_eigs(f, pts)
    kinds = lt.classify(f.hess(pts))
    critical = lt.is_critical_point(f, pts)
    assert len(got) == len(pts)
    n_critical = 0
    for i, res in enumerate(got):
        where = f"{name} at {pts[i].tolist()}"
        assert res is not None, f"{where}: the browser refused a finite point"
        lam = np.asarray(res["eigenvalues"])
        scale = max(1.0, float(np.abs(vals[i]).max()))
        assert np.abs(lam - vals[i]).max() <= 1e-10 * scale, f"{where}: {lam} vs {vals[i]}"
        V = np.asarray(res["eigenvectors"])
        if abs(vals[i][0] - vals[i][1]) > 1e-6 * scale:  # a repeated eigenvalue has no axis
            dots = np.abs(np.sum(V * vecs[i], axis=0))
            assert np.allclose(dots, 1.0, atol=1e-10), f"{where}: eigenvectors {V} vs {vecs[i]}"
        assert res["kind"] == kinds[i], f"{where}: {res['kind']} vs {kinds[i]}"
        assert res["critical"] == bool(critical[i]), f"{where}: critical differs"
        n_critical += res["critical"]
    assert n_critical >= 1, f"{name}: no critical point among the points checked"
    assert not js.errors


def test_every_kind_is_met(js):
    """Minimum, maximum, saddle and degenerate all occur among the points above."""
    kinds = set()
    for name in ("himmelblau", "monkey_saddle"):
        f = lt.landscape(name)
        kinds |= {r["kind"] for r in _inspect_js(js, f, _points(f))}
    assert kinds == {"minimum", "maximum", "saddle", "degenerate"}


def test_the_check_catches_a_wrong_classification(js):
    """A drifted tolerance classifies a nearly flat Hessian differently."""
    got = js.call("""const H = await mod("hessian.js");
                     return [H.classifyEigs([1e-9, 2.0]), H.classifyEigs([1e-9, 2.0], 1e-12)];""")
    assert got == [lt.classify([[1e-9, 0.0], [0.0, 2.0]]), "minimum"]
    assert got[0] == "degenerate"


def test_a_point_where_f_is_not_finite_is_refused(js):
    f = lt.landscape("log(x) + y**2")
    out = _inspect_js(js, f, np.array([[-1.0, 0.0], [1.0, 0.0]]))
    assert out[0] is None and out[1]["kind"] == lt.classify(f.hess([1.0, 0.0])) == "saddle"
