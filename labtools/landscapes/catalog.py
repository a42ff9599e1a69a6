"""The catalog: the course's named test functions, each with its window, known minimizers,
minimum value, LaTeX formula and citation.
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from .._checks import check_number
from .base import SYMBOL_X as X
from .base import SYMBOL_Y as Y
from .base import Landscape, as_real, lambdify_real, newton_polish

__all__ = [
    "CATALOG",
]


def _one_d_minima(expr, window, n=4001):
    """Local minima of a 1-D expression in ``window`` (bracket, then Newton)."""
    g = lambdify_real((X,), sympy.diff(expr, X))
    h = lambdify_real((X,), sympy.diff(expr, X, 2))
    xs = np.linspace(window[0], window[1], n)
    with np.errstate(all="ignore"):
        gs = as_real(g(xs), xs.shape)
    idx = np.nonzero((gs[:-1] < 0) & (gs[1:] >= 0))[0]
    if not len(idx):
        return np.empty(0)
    lo, hi = xs[idx], xs[idx + 1]
    for _ in range(60):  # bisection keeps each root inside its bracket
        mid = 0.5 * (lo + hi)
        neg = as_real(g(mid), mid.shape) < 0
        lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
    x = 0.5 * (lo + hi)
    for _ in range(3):
        x = x - as_real(g(x), x.shape) / as_real(h(x), x.shape)
    return x[(x > window[0]) & (x < window[1])]


def _saddle():
    return Landscape(
        "saddle", X**2 - Y**2, (X, Y), [(-2, 2), (-2, 2)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = x^2 - y^2",
        description="The simplest saddle: a minimum along x, a maximum along y, "
                    "unbounded below.",
    )


def _saddle_5():
    return Landscape(
        "saddle_5", 5 * X**2 - Y**2, (X, Y), [(-2, 2), (-2, 2)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = 5x^2 - y^2",
        citation="dauphin2014identifying",
        description="A saddle with unequal curvatures (10 and -2), the example "
                    "Dauphin et al. use for saddle-free Newton.",
    )


def _escapable_saddle():
    return Landscape(
        "escapable_saddle", X**2 / 2 - Y**2 / 2 + Y**4 / 4, (X, Y),
        [(-2, 2), (-2, 2)], minimizers=[[0.0, -1.0], [0.0, 1.0]], global_min=-0.25,
        latex=r"f(x, y) = \tfrac{1}{2}x^2 - \tfrac{1}{2}y^2 + \tfrac{1}{4}y^4",
        description="A strict saddle at the origin between two minima at (0, -1) "
                    "and (0, 1), both with value -1/4.",
    )


def _monkey_saddle():
    return Landscape(
        "monkey_saddle", X**3 - 3 * X * Y**2, (X, Y), [(-1.5, 1.5), (-1.5, 1.5)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = x^3 - 3xy^2",
        description="A degenerate saddle: gradient and Hessian both vanish at the "
                    "origin, with three descending valleys.",
    )


def _sine_tilt():
    expr = sympy.sin(X) + sympy.Rational(1, 5) * X
    window = (-4 * math.pi, 4 * math.pi)
    return Landscape(
        "sine_tilt", expr, (X,), [window],
        minimizers=_one_d_minima(expr, window)[:, None],
        latex=r"f(x) = \sin x + 0.2\,x",
        description="A tilted sine: a row of local minima at cos x = -0.2, "
                    "unbounded below.",
    )


def _two_minima_1d():
    # f'(x) = 4x^3 - 6x + 1 has three real roots: a global minimum near -1.30,
    # a local maximum near 0.17 and a local minimum near 1.13.
    expr = X**4 - 3 * X**2 + X
    window = (-2.0, 2.0)
    mins = _one_d_minima(expr, window)
    return Landscape(
        "two_minima_1d", expr, (X,), [window], minimizers=mins[:, None],
        global_min=float(min(expr.subs(X, m) for m in mins)),
        latex="f(x) = x^4 - 3x^2 + x",
        description="A quartic with a global minimum near x = -1.30 and a worse "
                    "local minimum near x = 1.13, separated by a hump.",
    )


def _xcos():
    expr = X * sympy.cos(sympy.pi * X)
    window = (-3.0, 3.0)
    return Landscape(
        "xcos", expr, (X,), [window],
        minimizers=_one_d_minima(expr, window)[:, None],
        latex=r"f(x) = x\cos(\pi x)",
        description="An oscillation whose amplitude grows with |x|: local minima "
                    "get deeper away from 0.",
    )


def _pl_sine():
    # f'' = 2 + 6 cos 2x takes values in [-4, 8]: not convex, yet the only critical
    # point is the global minimizer 0 and |f'|^2 >= 2 mu f (Karimi et al. 2016)
    expr = X**2 + 3 * sympy.sin(X) ** 2
    return Landscape(
        "pl_sine", expr, (X,), [(-6.0, 6.0)], minimizers=[[0.0]], global_min=0.0,
        latex=r"f(x) = x^2 + 3\sin^2 x", citation="karimi2016linear",
        description="Non-convex (f'' dips to -4) but with one critical point, its "
                    "global minimum: it satisfies the Polyak-Lojasiewicz inequality.",
    )


def _double_well():
    return Landscape(
        "double_well", (X**2 - 1) ** 2 + Y**2, (X, Y), [(-2, 2), (-1.5, 1.5)],
        minimizers=[[-1.0, 0.0], [1.0, 0.0]], global_min=0.0,
        latex="f(x, y) = (x^2 - 1)^2 + y^2",
        description="Two equal minima at (-1, 0) and (1, 0) with a saddle at the "
                    "origin between them.",
    )


def _rosenbrock(a=1.0, b=100.0):
    a = check_number("a", a)
    b = check_number("b", b, positive=True)
    a_s, b_s = sympy.nsimplify(a), sympy.nsimplify(b)
    return Landscape(
        "rosenbrock", (a_s - X) ** 2 + b_s * (Y - X**2) ** 2, (X, Y),
        [(-2, 2), (-1, 3)], minimizers=[[a, a * a]], global_min=0.0,
        latex=f"f(x, y) = ({a:g} - x)^2 + {b:g}\\,(y - x^2)^2",
        citation="rosenbrock1960automatic", params={"a": a, "b": b},
        description="A curved, narrow valley: easy to reach, slow to follow to "
                    "the minimum at (a, a^2).",
    )


def _himmelblau():
    approx = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
              [3.584428, -1.848126]]
    return Landscape(
        "himmelblau", (X**2 + Y - 11) ** 2 + (X + Y**2 - 7) ** 2, (X, Y),
        [(-5, 5), (-5, 5)], minimizers=approx, global_min=0.0,
        latex="f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        citation="himmelblau1972applied",
        description="Four global minima of value 0, one maximum and four saddles "
                    "in [-5, 5]^2.",
    )


def _six_hump_camel():
    expr = ((4 - sympy.Rational(21, 10) * X**2 + X**4 / 3) * X**2 + X * Y
            + (-4 + 4 * Y**2) * Y**2)
    approx = [[0.0898, -0.7126], [-0.0898, 0.7126],      # global, -1.0316
              [1.7036, -0.7961], [-1.7036, 0.7961],      # local, -0.2155
              [1.6071, 0.5687], [-1.6071, -0.5687]]      # local, 2.1043
    return Landscape(
        "six_hump_camel", expr, (X, Y), [(-2, 2), (-1, 1)], minimizers=approx,
        global_min=-1.0316284534898774,
        latex=(r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy "
               r"+ (4y^2 - 4)y^2"),
        citation="jamil2013literature",
        description="Six minima: two global (-1.0316), two at -0.2155 and two "
                    "at 2.1043.",
    )


def _ackley():
    r = sympy.sqrt((X**2 + Y**2) / 2)
    cone = -20 * sympy.exp(-r / 5)
    smooth = (-sympy.exp((sympy.cos(2 * sympy.pi * X) + sympy.cos(2 * sympy.pi * Y)) / 2)
              + sympy.E + 20)
    origin = {X: 0, Y: 0}
    hess0 = [[float(sympy.diff(smooth, a, b).subs(origin)) for b in (X, Y)]
             for a in (X, Y)]
    window = ((-5.0, 5.0), (-5.0, 5.0))
    f = Landscape("ackley", cone + smooth, (X, Y), window)
    # Local minima sit near the integer lattice; the origin is the global one.
    ij = np.stack(np.meshgrid(np.arange(-5, 6), np.arange(-5, 6)), -1).reshape(-1, 2)
    ij = ij[np.any(ij != 0, axis=1)].astype(float)
    mins = newton_polish(f._grad_raw, f._hess_raw, ij)
    ok = (np.linalg.norm(f._grad_raw(mins), axis=1) < 1e-9) & np.all(
        np.linalg.eigvalsh(f._hess_raw(mins)) > 0, axis=1)
    ok &= (np.linalg.norm(mins - ij, axis=1) < 0.5) & np.all(np.abs(mins) < 5, axis=1)
    mins = np.vstack([[0.0, 0.0], mins[ok]])
    return Landscape(
        "ackley", cone + smooth, (X, Y), window, minimizers=mins, global_min=0.0,
        polish=False, singular=[((0.0, 0.0), (0.0, 0.0), hess0)],
        latex=(r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} "
               r"- e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"),
        citation="ackley1987connectionist",
        description="A nearly flat, egg-crate surface with a sharp funnel to the "
                    "global minimum 0 at the origin.",
    )


def _rastrigin():
    A = 10
    expr = 2 * A + X**2 - A * sympy.cos(2 * sympy.pi * X) + Y**2 - A * sympy.cos(
        2 * sympy.pi * Y)
    window = (-5.12, 5.12)
    # The function is a sum of one 1-D function per coordinate, so its minima
    # are all pairs of the 1-D minima.
    one = _one_d_minima(X**2 - A * sympy.cos(2 * sympy.pi * X), window)
    one[np.argmin(np.abs(one))] = 0.0
    mins = np.stack(np.meshgrid(one, one), -1).reshape(-1, 2)
    return Landscape(
        "rastrigin", expr, (X, Y), [window, window], minimizers=mins,
        global_min=0.0, polish=False,
        latex=(r"f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y"),
        citation="rastrigin1974systems",
        description="A bowl covered in a regular grid of local minima; the "
                    "global minimum 0 is at the origin.",
    )


def _quadratic(kappa=10.0):
    kappa = check_number("kappa", kappa, low=1)
    k = sympy.nsimplify(kappa)
    return Landscape(
        "quadratic", (X**2 + k * Y**2) / 2, (X, Y), [(-2, 2), (-2, 2)],
        minimizers=[[0.0, 0.0]], global_min=0.0, polish=False,
        latex=f"f(x, y) = \\tfrac{{1}}{{2}}(x^2 + {kappa:g}\\,y^2)",
        params={"kappa": kappa},
        description=f"A convex quadratic bowl with condition number {kappa:g} "
                    "(curvatures 1 and kappa).",
    )


#: Catalog names mapped to the factories that build them.
CATALOG = {
    "saddle": _saddle,
    "saddle_5": _saddle_5,
    "escapable_saddle": _escapable_saddle,
    "monkey_saddle": _monkey_saddle,
    "sine_tilt": _sine_tilt,
    "two_minima_1d": _two_minima_1d,
    "xcos": _xcos,
    "pl_sine": _pl_sine,
    "double_well": _double_well,
    "rosenbrock": _rosenbrock,
    "himmelblau": _himmelblau,
    "six_hump_camel": _six_hump_camel,
    "ackley": _ackley,
    "rastrigin": _rastrigin,
    "quadratic": _quadratic,
}
