"""The expression box without a kernel (``labtools/widgets/js/formula.js``): math.js's
symbolic derivatives of a learner's formula agree with SymPy's (``labtools.landscapes``)
to 1e-9, and the page accepts and refuses the same formulas as
``labtools.landscapes.landscape``. Runs in headless Chromium with the vendored
math.js and d3-contour (``_vendor/_static/vendor/formula/``), offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from paritylib import decode, served_page

import labtools as lt
from labtools.landscapes import CATALOG

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# 2-D and 1-D formulas as a learner types them: every allowed function, implicit
# multiplication and application, ^ and **, constants, nested powers.
EXPRESSIONS = [
    "x**2 + 3*sin(y)",
    "x^2 - y^2",
    "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "2x^2 + 3x y - y^3",
    "sin x y + cos(x) cos(y)",
    "exp(-(x^2 + y^2)) * (x - y)",
    "log(1 + x^2 + y^2)",
    "ln(x^2 + 4) - tanh(x y)",
    "sqrt(x^2 + y^2 + 1)",
    "atan(x) + arctan(y/2) + asin(x/4) + acos(y/5)",
    "arcsin(x/5) * arccos(y/5)",
    "sinh(x/2) + cosh(y/3)",
    "tan(x/3) * y",
    "x^y^2 + 1",
    "e^(x/2) + E*y + pi*x*y",
    "abs(x) + Abs(y)^3",
    "x*(x - 1)*(x + 1) + y**4 / 4 - y**2 / 2",
    "1/(1 + x^2 + y^2)",
    "-x^2 + 2**-y",
    "(x - 1)^3 - 3*(x - 1) + y^2",
    "sin(3x) + 0.2x",
    "x^4 - 3x^2 + x",
    "x cos(pi x)",
    "exp(x) / (1 + exp(x))",
    "1.5e-1 x^2 + .5 x + 2",
]

# Formulas that landscape() accepts (dimension) or refuses, and the page must agree.
CORPUS = EXPRESSIONS + [
    "", "   ", "xy", "foo", "sinx", "sin", "x y y", "x.5 y", "2 3 x", "x(y)", "(x)(y)",
    "2(x+1) + y", "sin 2x", "sin x + y", "2 sin x", "sin sin x", "1_000x", "e", "x",
    "sin x**2", "sin -x", "sin^2(x)", "exp()", "x+", "*x", "x ** ** 2", "x(", ")x(", "x,y",
    "sin(x,y)", "3!", "x%2", "x//2", "x==y", "x = 1", "x[0]", "'x'", "2j + x", "1/0",
    "0/0", "log(0)", "sqrt(-1)", "x/0", "log(-1)", "2^1000", "9^9^9", "10**309", "1e309",
    "y - y + x", "x - x + y", "x" * 1001, "(" * 31 + "x" + ")" * 31, "-" * 11 + "x",
    "x" + "**x" * 13, "x $ y", "x ? y",
]


@pytest.fixture(scope="module")
def page(chromium_browser):
    """A page that imports the front end's modules and the vendored libraries."""
    with served_page(chromium_browser, ROOT, "labtools/widgets/js/") as js:
        js.vendor = js.root + "_vendor/_static/vendor/"
        yield js


def _points(f, k=6, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([w[0] for w in f.window])
    hi = np.array([w[1] for w in f.window])
    return lo + (hi - lo) * rng.uniform(0.05, 0.95, size=(k, f.dim))


def _rel(js_values, py_values):
    a = np.asarray(decode(js_values), dtype=float)
    b = np.asarray(py_values, dtype=float)
    assert a.shape == b.shape
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    ok = np.isfinite(b)
    return float((np.abs(a[ok] - b[ok]) / (1.0 + np.abs(b[ok]))).max(initial=0.0))


def test_mathjs_derivatives_match_sympy(page):
    assert len(EXPRESSIONS) >= 20
    cases = []
    for text in EXPRESSIONS:
        f = lt.landscape(text)
        cases.append({"text": text, "dim": f.dim, "window": [list(w) for w in f.window],
                      "pts": _points(f).tolist()})
    out = page.call(
        """const F = await mod("formula.js");
           const lib = await F.loadLibraries(arg.vendor);
           return arg.cases.map((c) => {
             const L = F.formulaLandscape(lib.math, c.text, c.dim, c.window);
             return {f: c.pts.map((p) => L.f(p)), g: c.pts.map((p) => L.grad(p)),
                     h: c.pts.map((p) => L.hess(p))};
           });""",
        {"vendor": page.vendor, "cases": cases},
    )
    worst = {}
    for case, got in zip(cases, out, strict=True):
        f = lt.landscape(case["text"])
        pts = np.asarray(case["pts"])
        for what, js_v, py_v in (("f", got["f"], f.f(pts)), ("gradient", got["g"], f.grad(pts)),
                                 ("Hessian", got["h"], f.hess(pts))):
            err = _rel(js_v, py_v)
            worst[(case["text"], what)] = err
            assert err <= 1e-9, f"{case['text']!r}: {what} differs from SymPy by {err:.2e}"
    assert len(worst) == 3 * len(EXPRESSIONS)
    assert not page.errors


def _python_verdict(text):
    try:
        return {"ok": True, "dim": lt.landscape(text).dim}
    except (ValueError, TypeError) as exc:
        return {"ok": False, "message": str(exc)}


def test_the_page_accepts_and_refuses_what_python_does(page):
    out = page.call(
        """const F = await mod("formula.js");
           const lib = await F.loadLibraries(arg.vendor);
           return arg.texts.map((t) => {
             try {
               const L = F.formulaLandscape(lib.math, t, null, [[-3, 3], [-3, 3]], arg.catalog);
               const p = L.dim === 1 ? [0.3] : [0.3, 0.7];
               L.f(p); L.grad(p); L.hess(p);
               return {ok: true, dim: L.dim};
             } catch (err) { return {ok: false, message: err.message}; }
           });""",
        {"vendor": page.vendor, "texts": CORPUS, "catalog": list(CATALOG)},
    )
    same_words, disagree = 0, []
    for text, js in zip(CORPUS, out, strict=True):
        py = _python_verdict(text)
        if text in CATALOG:
            continue
        if js["ok"] != py["ok"] or (py["ok"] and js["dim"] != py["dim"]):
            disagree.append(f"{text[:60]!r}: Python {py}, the page {js}")
        elif not py["ok"]:
            assert js["message"], f"{text!r}: refused without a message"
            same_words += js["message"] == py["message"]
    assert not disagree, "\n".join(disagree)
    # the page's words are Python's for the refusals its checks mirror (bounds,
    # names, symbols, numbers, empty, unbalanced); SymPy's own errors are reworded
    refused = sum(not _python_verdict(t)["ok"] for t in CORPUS)
    assert same_words >= 0.75 * refused, f"only {same_words} of {refused} messages match Python's"
    assert not page.errors


def test_contours_of_a_formula_follow_the_levels(page):
    """d3-contour's bands: a point's band is the one whose levels bracket its value."""
    out = page.call(
        """const F = await mod("formula.js");
           const lib = await F.loadLibraries(arg.vendor);
           const L = F.formulaLandscape(lib.math, "x^2 + 2y^2", 2, [[-3, 3], [-3, 3]]);
           const n = 60, values = F.gridValues(L, n), lv = F.contourLevels(Array.from(values));
           const canvas = document.createElement("canvas");
           canvas.width = 200; canvas.height = 200;
           const ctx = canvas.getContext("2d");
           const colors = Array.from({length: 256}, (_, i) =>
             `rgb(${i}, ${255 - i}, 128)`);
           F.drawContours(ctx, lib.contours, values, n, lv,
                          {box: [0, 0, 200, 200], xlim: [-3, 3], ylim: [-3, 3]}, colors);
           const px = (x, y) => Array.from(ctx.getImageData(
             Math.round((x + 3) / 6 * 200), Math.round((3 - y) / 6 * 200), 1, 1).data);
           return {levels: lv.length, centre: px(0, 0), corner: px(2.8, 2.8),
                   mid: px(1.5, 0)};""",
        {"vendor": page.vendor},
    )
    assert out["levels"] == 30
    assert out["centre"][0] < 20 and out["corner"][0] > 235  # lowest band, highest band
    assert 20 < out["mid"][0] < 235
