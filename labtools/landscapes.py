"""Landscapes: the functions the course optimizes, with exact derivatives.

A :class:`Landscape` is built from a SymPy expression. Its gradient and
Hessian are derived symbolically (``sympy.diff``) and compiled once with
``sympy.lambdify`` to NumPy, so every quantity is exact up to floating point
and evaluates on one point (shape ``(d,)``) or on a batch of points (shape
``(n, d)``) in a single vectorized call.

Use :func:`landscape` to get one: a name from :data:`CATALOG`, a learner's
expression string such as ``"x**2 + 3*sin(y)"``, or a Python callable written
with SymPy functions.

Examples
--------
>>> import labtools as lt
>>> f = lt.landscape("himmelblau")
>>> f.dim, f.window
(2, ((-5.0, 5.0), (-5.0, 5.0)))
>>> float(f.f([3.0, 2.0]))
0.0
>>> f.grad([[3.0, 2.0], [0.0, 0.0]]).shape
(2, 2)
>>> g = lt.landscape("x^4 - x^2")
>>> g.dim, round(float(g.f(1.0)), 12)
(1, 0.0)
"""

from __future__ import annotations

import difflib
import inspect
import io
import math
import tokenize
import types

import numpy as np
import sympy

from ._checks import check_choice, check_number, check_points, check_window, show

__all__ = ["Landscape", "landscape", "CATALOG", "ALLOWED_FUNCTIONS"]

# The two coordinates every landscape is written in. Declaring them real lets
# SymPy differentiate |x| as sign(x) instead of a complex-analytic expression.
_X, _Y = sympy.symbols("x y", real=True)

#: Names a learner's expression may use besides ``x`` and ``y``.
ALLOWED_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign,
    "pi": sympy.pi, "E": sympy.E, "e": sympy.E,
}

_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")"}
_DEFAULT_WINDOW = (-3.0, 3.0)


# ----------------------------------------------------------------------------
# The Landscape object
# ----------------------------------------------------------------------------


def _lambdify(symbols, expr):
    # DiracDelta appears when differentiating sign(x) (from |x|); it is zero
    # everywhere except a set of measure zero, and NumPy cannot evaluate it.
    def clean(e):
        if isinstance(e, (list, tuple)):
            return [clean(item) for item in e]
        return sympy.sympify(e).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)

    return sympy.lambdify(symbols, clean(expr), modules="numpy")


def _as_real(value, shape):
    """Return ``value`` as a float array broadcast to ``shape``."""
    arr = np.asarray(value)
    if np.iscomplexobj(arr):
        arr = np.where(np.abs(arr.imag) > 0, np.nan, arr.real)
    return np.broadcast_to(arr.astype(float, copy=False), shape)


class Landscape:
    """A function of one or two variables with exact symbolic derivatives.

    Objects are immutable: build them with :func:`landscape` (or directly, for
    a new catalog entry). All methods accept one point of shape ``(d,)`` or a
    batch of shape ``(n, d)``; a 1-D landscape also accepts a bare number.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"himmelblau"``.
    expr : sympy.Expr
        The formula, written in ``symbols``.
    symbols : tuple of sympy.Symbol
        The coordinates, ``(x,)`` or ``(x, y)``.
    window : sequence
        A sequence of ``(low, high)``.
        The plot window, one pair per coordinate.
    minimizers : array_like, optional
        Shape ``(m, d)``.
        Known minimizers (local and global). Polished to machine precision by
        Newton's method on the gradient unless ``polish=False``.
    global_min : float, optional
        The global minimum value, or None when the function is unbounded
        below or the value is not known.
    latex : str, optional
        LaTeX for the formula; defaults to ``"f(x, y) = "`` plus SymPy's LaTeX.
    citation : str, optional
        BibTeX key in ``references.bib``.
    description : str, optional
        One sentence saying what the landscape shows.
    singular : sequence, optional
        A sequence of ``(point, gradient, hessian)``.
        Points where the derivatives are not defined and the value to return
        there (a subgradient, and a documented stand-in for the Hessian).
    polish : bool, default True
        Refine ``minimizers`` with Newton steps.
    params : dict, optional
        The parameters the landscape was built with (shown in the repr).

    Attributes
    ----------
    name, dim, expr, symbols, window, minimizers, global_min, latex, citation,
    description, params
        As the parameters (``window`` as a tuple of float pairs,
        ``minimizers`` as a read-only array of shape ``(m, d)``).
    grad_expr, hess_expr
        The symbolic gradient (tuple) and Hessian (``sympy.Matrix``) that the
        numerical methods were compiled from.

    Examples
    --------
    >>> import sympy
    >>> x, y = sympy.symbols("x y", real=True)
    >>> bowl = Landscape("bowl", x**2 + 2*y**2, (x, y), [(-1, 1), (-1, 1)],
    ...                  minimizers=[[0.0, 0.0]], global_min=0.0)
    >>> bowl.grad([1.0, 1.0])
    array([2., 4.])
    >>> bowl.hess([[0.0, 0.0], [1.0, 1.0]]).shape
    (2, 2, 2)
    """

    __slots__ = (
        "name", "dim", "expr", "symbols", "window", "minimizers", "global_min",
        "latex", "citation", "description", "params",
        "_f", "_grad", "_hess", "_grad_exprs", "_hess_exprs", "_singular",
    )

    def __init__(self, name, expr, symbols, window, *, minimizers=None,
                 global_min=None, latex=None, citation=None, description="",
                 singular=(), polish=True, params=None):
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {show(name)}")
        symbols = tuple(symbols)
        dim = len(symbols)
        if dim not in (1, 2) or not all(isinstance(s, sympy.Symbol) for s in symbols):
            raise ValueError(f"symbols must be 1 or 2 SymPy symbols, got {show(symbols)}")
        try:
            expr = sympy.sympify(expr, strict=True)
        except sympy.SympifyError:
            raise TypeError(f"expr must be a SymPy expression, got {show(expr)}") from None
        extra = expr.free_symbols - set(symbols)
        if extra:
            raise ValueError(
                f"expr uses {sorted(map(str, extra))}, which are not among the "
                f"symbols {[str(s) for s in symbols]}"
            )
        window = check_window("window", window, dim)
        set_ = object.__setattr__
        set_(self, "name", name)
        set_(self, "dim", dim)
        set_(self, "expr", expr)
        set_(self, "symbols", symbols)
        set_(self, "window", window)
        set_(self, "global_min", None if global_min is None else float(global_min))
        set_(self, "latex", latex or _default_latex(expr, dim))
        set_(self, "citation", citation)
        set_(self, "description", description)
        set_(self, "params", types.MappingProxyType(dict(params or {})))
        grad_exprs = [sympy.diff(expr, s) for s in symbols]
        hess_exprs = [[sympy.diff(g, s) for s in symbols] for g in grad_exprs]
        set_(self, "_grad_exprs", tuple(grad_exprs))
        set_(self, "_hess_exprs", tuple(tuple(row) for row in hess_exprs))
        set_(self, "_f", _lambdify(symbols, expr))
        set_(self, "_grad", _lambdify(symbols, grad_exprs))
        set_(self, "_hess", _lambdify(symbols, hess_exprs))
        set_(self, "_singular", tuple(
            (np.asarray(p, float), np.asarray(g, float), np.asarray(h, float))
            for p, g, h in singular))
        if minimizers is not None:
            mins = np.asarray(minimizers, dtype=float).reshape(-1, dim)
            if polish and len(mins):
                start = mins
                mins = _newton_polish(self._grad_raw, self._hess_raw, mins)
                lo, hi = _window_bounds(window)
                span = hi - lo
                gnorm = np.linalg.norm(self._grad_raw(mins), axis=1)
                moved = np.any(np.abs(mins - start) > 0.1 * span, axis=1)
                bad = moved | ~(gnorm <= 1e-6 * (1.0 + np.abs(self._f_raw(mins))))
                if np.any(bad):
                    i = int(np.argmax(bad))
                    raise ValueError(
                        f"minimizers[{i}] = {start[i].tolist()} is not close to a "
                        f"point where the gradient of {name!r} vanishes; give the "
                        f"minimizers to about 3 digits or pass minimizers=None"
                    )
            mins = mins.copy()
            mins.setflags(write=False)
        else:
            mins = None
        set_(self, "minimizers", mins)

    @property
    def grad_expr(self):
        """The gradient as a tuple of SymPy expressions (one per coordinate)."""
        return self._grad_exprs

    @property
    def hess_expr(self):
        """The Hessian as a SymPy ``Matrix``."""
        return sympy.Matrix(self._hess_exprs)

    def __setattr__(self, key, value):
        raise AttributeError(
            f"Landscape objects are read-only; build a new one with "
            f"landscape(...) instead of setting {key!r}"
        )

    # --- evaluation ---------------------------------------------------------

    def _points(self, x, name="x"):
        try:
            return check_points(name, x, dim=self.dim)
        except ValueError as err:
            if self.dim == 1 and "coordinate" in str(err):
                raise ValueError(
                    f"{err}; for many points of a 1-D landscape pass shape (n, 1), "
                    f"e.g. xs[:, None]"
                ) from None
            raise

    def _columns(self, arr):
        return [arr[..., i] for i in range(self.dim)]

    def _f_raw(self, arr):
        with np.errstate(all="ignore"):
            out = self._f(*self._columns(arr))
            return np.array(_as_real(out, arr.shape[:-1]))

    def _grad_raw(self, arr):
        batch = arr.shape[:-1]
        with np.errstate(all="ignore"):
            parts = self._grad(*self._columns(arr))
            out = np.stack([_as_real(p, batch) for p in parts], axis=-1)
        return self._patch(arr, out, 1)

    def _hess_raw(self, arr):
        batch = arr.shape[:-1]
        with np.errstate(all="ignore"):
            rows = self._hess(*self._columns(arr))
            flat = [_as_real(entry, batch) for row in rows for entry in row]
            out = np.stack(flat, axis=-1).reshape(batch + (self.dim, self.dim))
        return self._patch(arr, out, 2)

    def _patch(self, arr, out, which):
        """Replace derivatives at (or numerically at) a singular point."""
        if not self._singular:
            return out
        out = np.array(out)
        extra = tuple(range(-which, 0))
        for point, grad_value, hess_value in self._singular:
            with np.errstate(all="ignore"):
                dist = np.linalg.norm(arr - point, axis=-1)
            bad = ~np.all(np.isfinite(out), axis=extra)
            # Exactly at the point, or so close that the formula overflows.
            mask = (dist < 1e-100) | (bad & (dist < 1e-8))
            if np.any(mask):
                out[mask] = grad_value if which == 1 else hess_value
        return out

    def f(self, x):
        """Value of the landscape.

        Parameters
        ----------
        x : array_like
            Shape ``(d,)`` or ``(n, d)``.
            One point or a batch of points (a number for a 1-D landscape).

        Returns
        -------
        float or ndarray
            A float for one point, shape ``(n,)`` for a batch.

        Examples
        --------
        >>> import labtools as lt
        >>> lt.landscape("saddle").f([[1.0, 2.0], [2.0, 1.0]])
        array([-3.,  3.])
        """
        arr = self._points(x)
        out = self._f_raw(arr)
        return float(out) if arr.ndim == 1 else out

    def grad(self, x):
        """Gradient, shape ``(d,)`` for one point or ``(n, d)`` for a batch.

        Where the gradient is not defined (Ackley's origin) the landscape's
        declared subgradient is returned (zero for Ackley), never NaN.

        Examples
        --------
        >>> import labtools as lt
        >>> lt.landscape("saddle").grad([1.0, 2.0])
        array([ 2., -4.])
        """
        return self._grad_raw(self._points(x))

    def hess(self, x):
        """Hessian, shape ``(d, d)`` for one point or ``(n, d, d)`` for a batch.

        Examples
        --------
        >>> import labtools as lt
        >>> lt.landscape("saddle").hess([0.0, 0.0])
        array([[ 2.,  0.],
               [ 0., -2.]])
        """
        return self._hess_raw(self._points(x))

    def hvp(self, x, v):
        """Hessian-vector product ``H(x) @ v``.

        Parameters
        ----------
        x : array_like
            Shape ``(d,)`` or ``(n, d)``.
        v : array_like
            Shape ``(d,)``: one direction for every point; or ``(n, d)``: one
            direction per point (or many directions at a single point ``x``).

        Returns
        -------
        ndarray
            Shape ``(d,)`` or ``(n, d)``.

        Examples
        --------
        >>> import labtools as lt
        >>> lt.landscape("saddle_5").hvp([0.0, 0.0], [1.0, 1.0])
        array([10., -2.])
        """
        arr = self._points(x)
        vec = self._points(v, name="v")
        if arr.ndim == 2 and vec.ndim == 2 and len(arr) != len(vec):
            raise ValueError(
                f"v must have one direction per point ({len(arr)}), got {len(vec)}"
            )
        return np.einsum("...ij,...j->...i", self._hess_raw(arr), vec)

    def grid(self, n=200):
        """Sample the window on a regular grid.

        Parameters
        ----------
        n : int, default 200
            Points per axis (at least 2).

        Returns
        -------
        (X, Y, Z) : ndarray
            For a 2-D landscape: ``np.meshgrid`` of the window and the values
            on it, each of shape ``(n, n)``.
        (xs, fs) : ndarray
            For a 1-D landscape: ``n`` points spanning the window and the
            values there, each of shape ``(n,)``.

        Examples
        --------
        >>> import labtools as lt
        >>> X, Y, Z = lt.landscape("himmelblau").grid(n=50)
        >>> Z.shape
        (50, 50)
        """
        n = check_number("n", n, integer=True, low=2)
        axes = [np.linspace(lo, hi, n) for lo, hi in self.window]
        if self.dim == 1:
            return axes[0], self._f_raw(axes[0][:, None])
        X, Y = np.meshgrid(*axes)
        Z = self._f_raw(np.stack([X, Y], axis=-1))
        return X, Y, Z

    # --- display ------------------------------------------------------------

    def __repr__(self):
        parts = [repr(self.name), f"dim={self.dim}"]
        parts += [f"{k}={v!r}" for k, v in self.params.items()]
        parts.append(f"window={self.window}")
        if self.minimizers is not None:
            parts.append(f"minimizers={len(self.minimizers)}")
        if self.global_min is not None:
            parts.append(f"global_min={self.global_min:.10g}")
        return f"Landscape({', '.join(parts)})"

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex}$"


def _default_latex(expr, dim):
    head = "f(x)" if dim == 1 else "f(x, y)"
    return f"{head} = {sympy.latex(expr)}"


def _window_bounds(window):
    """The lower and upper edges of a window, as two arrays of shape ``(d,)``."""
    return np.array([w[0] for w in window]), np.array([w[1] for w in window])


def _newton_step(g, H):
    """Batched Newton step ``H^+ g`` on ``grad = 0``, through the eigendecomposition.

    ``g`` has shape ``(n, d)`` and ``H`` ``(n, d, d)``. No step is taken along
    (near-)flat directions, where Newton would divide by zero (a degenerate
    critical point such as x^4 at 0). Callers silence floating-point warnings.
    """
    vals, vecs = np.linalg.eigh(H)
    small = np.abs(vals) <= 1e-14 * np.maximum(1.0, np.abs(vals).max(axis=-1, keepdims=True))
    inv = np.where(small, 0.0, 1.0 / np.where(small, 1.0, vals))
    return np.einsum("nij,nj->ni", vecs, inv * np.einsum("nji,nj->ni", vecs, g))


def _newton_polish(grad, hess, points, steps=50):
    """Newton's method on ``grad = 0`` from each row of ``points``."""
    x = np.array(points, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            step = _newton_step(grad(x), hess(x))
            step = np.where(np.isfinite(step), step, 0.0)
            x = x - step
            if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(x))):
                break
    return x


# ----------------------------------------------------------------------------
# The catalog
# ----------------------------------------------------------------------------


def _one_d_minima(expr, window, n=4001):
    """Local minima of a 1-D expression in ``window`` (bracket, then Newton)."""
    g = _lambdify((_X,), sympy.diff(expr, _X))
    h = _lambdify((_X,), sympy.diff(expr, _X, 2))
    xs = np.linspace(window[0], window[1], n)
    with np.errstate(all="ignore"):
        gs = _as_real(g(xs), xs.shape)
    idx = np.nonzero((gs[:-1] < 0) & (gs[1:] >= 0))[0]
    if not len(idx):
        return np.empty(0)
    lo, hi = xs[idx], xs[idx + 1]
    for _ in range(60):  # bisection keeps each root inside its bracket
        mid = 0.5 * (lo + hi)
        neg = _as_real(g(mid), mid.shape) < 0
        lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
    x = 0.5 * (lo + hi)
    for _ in range(3):
        x = x - _as_real(g(x), x.shape) / _as_real(h(x), x.shape)
    return x[(x > window[0]) & (x < window[1])]


def _saddle():
    return Landscape(
        "saddle", _X**2 - _Y**2, (_X, _Y), [(-2, 2), (-2, 2)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = x^2 - y^2",
        description="The simplest saddle: a minimum along x, a maximum along y, "
                    "unbounded below.",
    )


def _saddle_5():
    return Landscape(
        "saddle_5", 5 * _X**2 - _Y**2, (_X, _Y), [(-2, 2), (-2, 2)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = 5x^2 - y^2",
        citation="dauphin2014identifying",
        description="A saddle with unequal curvatures (10 and -2), the example "
                    "Dauphin et al. use for saddle-free Newton.",
    )


def _escapable_saddle():
    return Landscape(
        "escapable_saddle", _X**2 / 2 - _Y**2 / 2 + _Y**4 / 4, (_X, _Y),
        [(-2, 2), (-2, 2)], minimizers=[[0.0, -1.0], [0.0, 1.0]], global_min=-0.25,
        latex=r"f(x, y) = \tfrac{1}{2}x^2 - \tfrac{1}{2}y^2 + \tfrac{1}{4}y^4",
        description="A strict saddle at the origin between two minima at (0, -1) "
                    "and (0, 1), both with value -1/4.",
    )


def _monkey_saddle():
    return Landscape(
        "monkey_saddle", _X**3 - 3 * _X * _Y**2, (_X, _Y), [(-1.5, 1.5), (-1.5, 1.5)],
        minimizers=np.empty((0, 2)), latex="f(x, y) = x^3 - 3xy^2",
        description="A degenerate saddle: gradient and Hessian both vanish at the "
                    "origin, with three descending valleys.",
    )


def _sine_tilt():
    expr = sympy.sin(_X) + sympy.Rational(1, 5) * _X
    window = (-4 * math.pi, 4 * math.pi)
    return Landscape(
        "sine_tilt", expr, (_X,), [window],
        minimizers=_one_d_minima(expr, window)[:, None],
        latex=r"f(x) = \sin x + 0.2\,x",
        description="A tilted sine: a row of local minima at cos x = -0.2, "
                    "unbounded below.",
    )


def _two_minima_1d():
    # f'(x) = 4x^3 - 6x + 1 has three real roots: a global minimum near -1.30,
    # a local maximum near 0.17 and a local minimum near 1.13.
    expr = _X**4 - 3 * _X**2 + _X
    window = (-2.0, 2.0)
    mins = _one_d_minima(expr, window)
    return Landscape(
        "two_minima_1d", expr, (_X,), [window], minimizers=mins[:, None],
        global_min=float(min(expr.subs(_X, m) for m in mins)),
        latex="f(x) = x^4 - 3x^2 + x",
        description="A quartic with a global minimum near x = -1.30 and a worse "
                    "local minimum near x = 1.13, separated by a hump.",
    )


def _xcos():
    expr = _X * sympy.cos(sympy.pi * _X)
    window = (-3.0, 3.0)
    return Landscape(
        "xcos", expr, (_X,), [window],
        minimizers=_one_d_minima(expr, window)[:, None],
        latex=r"f(x) = x\cos(\pi x)",
        description="An oscillation whose amplitude grows with |x|: local minima "
                    "get deeper away from 0.",
    )


def _double_well():
    return Landscape(
        "double_well", (_X**2 - 1) ** 2 + _Y**2, (_X, _Y), [(-2, 2), (-1.5, 1.5)],
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
        "rosenbrock", (a_s - _X) ** 2 + b_s * (_Y - _X**2) ** 2, (_X, _Y),
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
        "himmelblau", (_X**2 + _Y - 11) ** 2 + (_X + _Y**2 - 7) ** 2, (_X, _Y),
        [(-5, 5), (-5, 5)], minimizers=approx, global_min=0.0,
        latex="f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        citation="himmelblau1972applied",
        description="Four global minima of value 0, one maximum and four saddles "
                    "in [-5, 5]^2.",
    )


def _six_hump_camel():
    expr = ((4 - sympy.Rational(21, 10) * _X**2 + _X**4 / 3) * _X**2 + _X * _Y
            + (-4 + 4 * _Y**2) * _Y**2)
    approx = [[0.0898, -0.7126], [-0.0898, 0.7126],      # global, -1.0316
              [1.7036, -0.7961], [-1.7036, 0.7961],      # local, -0.2155
              [1.6071, 0.5687], [-1.6071, -0.5687]]      # local, 2.1043
    return Landscape(
        "six_hump_camel", expr, (_X, _Y), [(-2, 2), (-1, 1)], minimizers=approx,
        global_min=-1.0316284534898774,
        latex=(r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy "
               r"+ (4y^2 - 4)y^2"),
        citation="jamil2013literature",
        description="Six minima: two global (-1.0316), two at -0.2155 and two "
                    "at 2.1043.",
    )


def _ackley():
    r = sympy.sqrt((_X**2 + _Y**2) / 2)
    cone = -20 * sympy.exp(-r / 5)
    smooth = (-sympy.exp((sympy.cos(2 * sympy.pi * _X) + sympy.cos(2 * sympy.pi * _Y)) / 2)
              + sympy.E + 20)
    origin = {_X: 0, _Y: 0}
    hess0 = [[float(sympy.diff(smooth, a, b).subs(origin)) for b in (_X, _Y)]
             for a in (_X, _Y)]
    window = ((-5.0, 5.0), (-5.0, 5.0))
    f = Landscape("ackley", cone + smooth, (_X, _Y), window)
    # Local minima sit near the integer lattice; the origin is the global one.
    ij = np.stack(np.meshgrid(np.arange(-5, 6), np.arange(-5, 6)), -1).reshape(-1, 2)
    ij = ij[np.any(ij != 0, axis=1)].astype(float)
    mins = _newton_polish(f._grad_raw, f._hess_raw, ij)
    ok = (np.linalg.norm(f._grad_raw(mins), axis=1) < 1e-9) & np.all(
        np.linalg.eigvalsh(f._hess_raw(mins)) > 0, axis=1)
    ok &= (np.linalg.norm(mins - ij, axis=1) < 0.5) & np.all(np.abs(mins) < 5, axis=1)
    mins = np.vstack([[0.0, 0.0], mins[ok]])
    return Landscape(
        "ackley", cone + smooth, (_X, _Y), window, minimizers=mins, global_min=0.0,
        polish=False, singular=[((0.0, 0.0), (0.0, 0.0), hess0)],
        latex=(r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} "
               r"- e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"),
        citation="ackley1987connectionist",
        description="A nearly flat, egg-crate surface with a sharp funnel to the "
                    "global minimum 0 at the origin.",
    )


def _rastrigin():
    A = 10
    expr = 2 * A + _X**2 - A * sympy.cos(2 * sympy.pi * _X) + _Y**2 - A * sympy.cos(
        2 * sympy.pi * _Y)
    window = (-5.12, 5.12)
    # The function is a sum of one 1-D function per coordinate, so its minima
    # are all pairs of the 1-D minima.
    one = _one_d_minima(_X**2 - A * sympy.cos(2 * sympy.pi * _X), window)
    one[np.argmin(np.abs(one))] = 0.0
    mins = np.stack(np.meshgrid(one, one), -1).reshape(-1, 2)
    return Landscape(
        "rastrigin", expr, (_X, _Y), [window, window], minimizers=mins,
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
        "quadratic", (_X**2 + k * _Y**2) / 2, (_X, _Y), [(-2, 2), (-2, 2)],
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
    "double_well": _double_well,
    "rosenbrock": _rosenbrock,
    "himmelblau": _himmelblau,
    "six_hump_camel": _six_hump_camel,
    "ackley": _ackley,
    "rastrigin": _rastrigin,
    "quadratic": _quadratic,
}

_CACHE: dict = {}


# ----------------------------------------------------------------------------
# A learner's own function
# ----------------------------------------------------------------------------


def _parse_expression(text):
    """Turn a learner's string into a SymPy expression, checking every token.

    Only numbers, the variables ``x`` and ``y``, the names in
    :data:`ALLOWED_FUNCTIONS` and arithmetic operators may appear; everything
    is checked before SymPy evaluates anything.
    """
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    def fail(reason):
        return ValueError(f"could not understand the expression {text!r}: {reason}")

    if not text.strip():
        raise fail("it is empty; write a formula in x and y such as 'x**2 + y**2'")
    allowed_names = {"x", "y", *ALLOWED_FUNCTIONS}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        raise fail("unbalanced parentheses or an unfinished line") from None
    depth = 0
    for tok in tokens:
        kind, s = tok.type, tok.string
        if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                    tokenize.INDENT, tokenize.DEDENT):
            continue
        if kind == tokenize.NAME:
            if s not in allowed_names and set(s) <= {"x", "y"}:
                raise ValueError(
                    f"unknown name {s!r} in expression {text!r}: use x and y; "
                    f"for a product write {'*'.join(s)}"
                )
            if s not in allowed_names:
                funcs = ", ".join(sorted(k for k in ALLOWED_FUNCTIONS if k.islower()))
                raise ValueError(
                    f"unknown name {s!r} in expression {text!r}: use x and y "
                    f"(x alone for 1-D), numbers, + - * / ** ^ and the names "
                    f"{funcs}"
                )
        elif kind == tokenize.NUMBER:
            if s[-1] in "jJ":
                raise fail(f"complex number {s!r}; landscapes are real-valued")
        elif kind == tokenize.OP:
            if s not in _OPERATORS:
                raise fail(f"the symbol {s!r} is not allowed; use numbers, x, y, "
                           f"+ - * / ** ^ ( ) and function calls like sin(x)")
            depth += {"(": 1, ")": -1}.get(s, 0)
            if depth < 0:
                raise fail("a ')' has no matching '('")
        else:
            raise fail(f"{s!r} is not allowed; use numbers, x, y, + - * / ** ^ "
                       f"( ) and function calls like sin(x)")
    _check_number_sizes(tokens, fail)
    local = {"x": _X, "y": _Y, **ALLOWED_FUNCTIONS}
    transformations = standard_transformations + (
        implicit_multiplication_application, convert_xor)
    try:
        expr = parse_expr(text, local_dict=local, transformations=transformations)
    except (SyntaxError, tokenize.TokenError):
        raise fail("it is incomplete or has an operator in the wrong place; "
                   "check for a missing number, variable or parenthesis") from None
    except (TypeError, ValueError, AttributeError) as err:
        raise fail(f"{type(err).__name__}: {err}") from None
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.logic.boolalg.Boolean):
        raise fail("it is not a formula with a number value")
    if expr.has(sympy.I) or expr.has(sympy.zoo) or expr.has(sympy.nan) or expr.has(
            sympy.oo):
        raise fail("it is not real and finite (it contains i, infinity or 0/0)")
    return expr



def _check_number_sizes(tokens, fail):
    """Refuse numbers too large for floating point before SymPy computes them.

    SymPy evaluates ``9^9^9`` exactly, which takes minutes and gigabytes; a
    run of numbers joined by powers is estimated in floating point first.
    """
    sig = [t.string for t in tokens if t.type in (tokenize.NUMBER, tokenize.OP)
           or t.type == tokenize.NAME]
    i = 0
    while i < len(sig):
        if not sig[i][:1].isdigit() and sig[i][:1] != ".":
            i += 1
            continue
        run = [sig[i]]
        j = i + 1
        while (j + 1 < len(sig) and sig[j] in ("**", "^")
               and (sig[j + 1][:1].isdigit() or sig[j + 1][:1] == ".")):
            run.append(sig[j + 1])
            j += 2
        value = float(run[-1])
        try:
            for base in reversed(run[:-1]):
                value = float(base) ** value
        except OverflowError:
            value = math.inf
        if not value < 1e300:
            raise fail(f"the number {'^'.join(run)} is too large to compute with")
        i = j
    return None


def _from_expr(expr, source, dim, window, name, citation=None):
    free = expr.free_symbols
    if dim is None:
        dim = 2 if _Y in free else 1
    else:
        dim = check_choice("dim", check_number("dim", dim, integer=True), [1, 2])
        if dim == 1 and _Y in free:
            raise ValueError(
                f"dim=1 but the expression {source!r} uses y; drop y or use dim=2"
            )
    symbols = (_X,) if dim == 1 else (_X, _Y)
    if window is None:
        window = [_DEFAULT_WINDOW] * dim
    window = check_window("window", window, dim)
    if name is None:
        name = source
    elif not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {show(name)}")
    return Landscape(
        name, expr, symbols, window, latex=None, citation=citation,
        description=f"A learner's landscape f = {sympy.sstr(expr)}.",
    )


def _from_callable(fn, dim, window, name):
    try:
        n_args = len([p for p in inspect.signature(fn).parameters.values()
                      if p.default is p.empty
                      and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        n_args = None
    if dim is None:
        dim = n_args if n_args in (1, 2) else 2
    dim = check_choice("dim", check_number("dim", dim, integer=True), [1, 2])
    symbols = (_X,) if dim == 1 else (_X, _Y)
    label = getattr(fn, "__name__", "the function")
    if n_args is not None and n_args != dim and not (dim == 2 and n_args == 1):
        raise ValueError(
            f"dim={dim} but {label} takes {n_args} argument"
            f"{'s' if n_args != 1 else ''}; write it as f(x) for 1-D or f(x, y) "
            f"for 2-D"
        )
    hint = (f"write {label} with sympy functions (sympy.sin, sympy.exp, ...) "
            f"instead of numpy ones, or pass the formula as a string such as "
            f"'x**2 + sin(y)'")
    try:
        if dim == 2 and n_args == 1:
            result = fn(symbols)  # fn(p) written with p[0], p[1]
        else:
            result = fn(*symbols)
        expr = sympy.sympify(result, strict=True)
    except Exception as err:  # any failure means fn cannot take symbols
        raise TypeError(
            f"could not differentiate {label}: calling it with SymPy symbols "
            f"failed ({type(err).__name__}: {err}); {hint}"
        ) from None
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"{label} must return a number-valued formula, got "
                        f"{show(result)}; {hint}")
    extra = expr.free_symbols - set(symbols)
    if extra:
        raise ValueError(
            f"{label} returned an expression with unknown symbols "
            f"{sorted(map(str, extra))}; use only {', '.join(map(str, symbols))}"
        )
    if expr.has(sympy.I):
        raise ValueError(f"{label} returned a complex expression; landscapes are "
                         f"real-valued")
    return _from_expr(expr, name or label, dim, window, name or label)


def landscape(name_or_expression, **params):
    """Get a landscape: a catalog entry, a learner's formula or a callable.

    Parameters
    ----------
    name_or_expression : str or callable
        One of the names in :data:`CATALOG`; or a formula in ``x`` (1-D) or
        ``x`` and ``y`` (2-D), e.g. ``"x**2 + 3*sin(y)"`` (``^`` means power,
        ``2x`` means ``2*x``; the functions in :data:`ALLOWED_FUNCTIONS` may be
        used); or a Python function of ``x`` (and ``y``) written with SymPy
        functions, e.g. ``lambda x, y: x**2 + sympy.sin(y)``.
    **params
        Catalog parameters (``kappa`` for ``"quadratic"``, ``a`` and ``b`` for
        ``"rosenbrock"``). For every kind: ``window`` (one ``(low, high)``
        pair per coordinate; default ``(-3, 3)`` for formulas) and ``name``.
        For formulas and callables: ``dim`` (1 or 2; inferred by default).

    Returns
    -------
    Landscape

    Raises
    ------
    ValueError
        For an unknown catalog name or parameter, or a formula that does not
        parse or uses names other than x, y and the allowed functions.
    TypeError
        For a callable that cannot be called with SymPy symbols.

    Notes
    -----
    Catalog entries: ``saddle`` (x^2 - y^2), ``saddle_5`` (5x^2 - y^2, Dauphin
    et al. 2014), ``escapable_saddle`` (x^2/2 - y^2/2 + y^4/4, minima at
    (0, +-1)), ``monkey_saddle`` (x^3 - 3xy^2, degenerate), ``sine_tilt``
    (sin x + 0.2x, 1-D), ``two_minima_1d`` (x^4 - 3x^2 + x, 1-D: global minimum
    near -1.30, local minimum near 1.13), ``xcos`` (x cos(pi x), 1-D),
    ``double_well`` ((x^2 - 1)^2 + y^2), ``rosenbrock``, ``himmelblau``,
    ``six_hump_camel``, ``ackley`` (the gradient is not defined at the origin,
    a cone point: we return the subgradient 0 there, and as Hessian the
    Hessian of the smooth cosine part, 2 pi^2 e I; never NaN), ``rastrigin``
    (A = 10) and ``quadratic`` ((x^2 + kappa y^2)/2, kappa >= 1, default 10).

    Catalog landscapes are cached: asking twice for the same name and
    parameters returns the same (immutable) object.

    References
    ----------
    dauphin2014identifying, rosenbrock1960automatic, himmelblau1972applied,
    jamil2013literature, ackley1987connectionist, rastrigin1974systems

    Examples
    --------
    >>> import labtools as lt
    >>> lt.landscape("quadratic", kappa=4).hess([0.0, 0.0])
    array([[1., 0.],
           [0., 4.]])
    >>> f = lt.landscape("x^2 + 3*sin(y)", window=[(-2, 2), (-4, 4)])
    >>> f.grad([1.0, 0.0])
    array([2., 3.])
    >>> import sympy
    >>> lt.landscape(lambda x, y: x**2 + sympy.cos(y)).dim
    2
    """
    window = params.pop("window", None)
    name = params.pop("name", None)
    if callable(name_or_expression) and not isinstance(name_or_expression, str):
        _no_extra(params, ["dim", "window", "name"], "a callable")
        return _from_callable(name_or_expression, params.get("dim"), window, name)
    if not isinstance(name_or_expression, str):
        raise TypeError(
            f"name_or_expression must be a catalog name, a formula string or a "
            f"function, got {show(name_or_expression)}"
        )
    text = name_or_expression
    key = text.strip()
    if key in CATALOG:
        factory = CATALOG[key]
        allowed = [p for p in inspect.signature(factory).parameters]
        _no_extra(params, allowed + ["window", "name"], f"landscape {key!r}")
        cache_key = (key, tuple(sorted(params.items())),
                     None if window is None else repr(window), name)
        try:
            hit = _CACHE.get(cache_key)
        except TypeError:  # unhashable parameter values: no caching
            hit, cache_key = None, None
        if hit is not None:
            return hit
        made = factory(**params)
        if window is not None or name is not None:
            made = _rebuild(made, window=window, name=name)
        if cache_key is not None:
            if len(_CACHE) >= 256:  # a slider over kappa should not grow it forever
                _CACHE.clear()
            _CACHE[cache_key] = made
        return made
    if key.isidentifier() and key not in ("x", "y") and key not in ALLOWED_FUNCTIONS:
        close = difflib.get_close_matches(key, CATALOG, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        names = ", ".join(repr(k) for k in CATALOG)
        raise ValueError(
            f"unknown landscape {key!r}{hint}: use one of {names}, or a formula "
            f"in x and y such as 'x**2 + y**2'"
        )
    _no_extra(params, ["dim", "window", "name"], "a formula")
    expr = _parse_expression(text)
    return _from_expr(expr, text, params.get("dim"), window, name)


def _no_extra(params, allowed, what):
    extra = [k for k in params if k not in allowed]
    if extra:
        raise ValueError(
            f"unknown parameter {extra[0]!r} for {what}: allowed are "
            f"{', '.join(allowed)}"
        )


def _rebuild(base, *, window=None, name=None):
    """Copy a catalog landscape with another window or name."""
    window = base.window if window is None else check_window("window", window, base.dim)
    mins = base.minimizers
    if mins is not None and window != base.window:
        lo, hi = _window_bounds(window)
        mins = mins[np.all((mins >= lo) & (mins <= hi), axis=1)]
    return Landscape(
        base.name if name is None else name, base.expr, base.symbols, window,
        minimizers=mins, global_min=base.global_min, latex=base.latex,
        citation=base.citation, description=base.description, polish=False,
        singular=base._singular, params=dict(base.params),
    )



# ----------------------------------------------------------------------------
# The same landscape in JavaScript, for the widgets' browser front ends
# ----------------------------------------------------------------------------


def landscape_js(landscape):
    """JavaScript source for the value, gradient and Hessian of a landscape.

    The widgets' front ends (ES modules run by anywidget, in the static page
    and in JupyterLab) step optimizers in the browser; they get the landscape
    from here, printed from the same SymPy expressions that
    :class:`Landscape` compiles to NumPy, so Python stays the source of truth.
    Each formula is printed as it stands, term for term in the order
    ``sympy.lambdify`` prints it (no common-subexpression rewriting, which
    reorders sums), so the browser rounds as NumPy does and an optimizer's path
    stays within 1e-10 of Python's over hundreds of steps. Points where a
    derivative is not defined (Ackley's cone point) get the same stand-in
    values as :meth:`Landscape.grad` and :meth:`Landscape.hess`; where NumPy
    gives NaN (``log`` of a negative number, a fractional power of one) so
    does the JavaScript.

    Parameters
    ----------
    landscape : Landscape
        The landscape to print.

    Returns
    -------
    str
        A JavaScript expression (no statements around it) for an object
        ``{name, dim, f, grad, hess}``; ``f(p)``, ``grad(p)`` and ``hess(p)``
        take one point as an array ``[x]`` or ``[x, y]`` and return a number,
        an array of ``dim`` numbers and ``dim`` rows of ``dim`` numbers.
        Evaluate it with ``new Function("return " + source)()``.

    Examples
    --------
    >>> import labtools as lt
    >>> from labtools.landscapes import landscape_js
    >>> src = landscape_js(lt.landscape("x**2 - y**2"))
    >>> src.startswith("(() =>") and "grad(p)" in src
    True
    """
    import json

    from sympy.printing.jscode import JavascriptCodePrinter

    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {show(landscape)}")

    class _Printer(JavascriptCodePrinter):
        # NumPy's x**p is NaN for a negative x and non-integer p; SymPy's printer
        # would use Math.cbrt for p = 1/3, which is real there. Squares are x*x,
        # as NumPy computes them; other whole powers go through powi (below).
        def _print_Pow(self, expr):
            base, exp = expr.args
            if exp == 2:
                b = self.parenthesize(base, 1000)  # 1000: above any operator
                return f"({b}*{b})"
            if exp == sympy.S.Half:
                return f"Math.sqrt({self._print(base)})"
            if exp == -1:
                return f"(1/{self.parenthesize(base, 1000)})"
            if exp.is_Integer and abs(int(exp)) <= 64:
                return f"powi({self._print(base)}, {int(exp)})"
            return f"Math.pow({self._print(base)}, {self._print(exp)})"

    def clean(e):  # as _lambdify: DiracDelta (from d|x|/dx) is 0 almost everywhere
        return sympy.sympify(e).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)

    dim = landscape.dim
    f = clean(landscape.expr)
    grad_s = [clean(g) for g in landscape._grad_exprs]
    hess_s = [clean(h) for row in landscape._hess_exprs for h in row]
    printer = _Printer({"strict": True})
    unpack = "const " + ", ".join(
        f"{s.name} = p[{i}]" for i, s in enumerate(landscape.symbols)) + ";"

    def patch(kind):
        # Same rule as Landscape._patch: exactly at the point, or so close that
        # the formula is no longer finite.
        out = []
        for point, grad_value, hess_value in landscape._singular:
            value = grad_value if kind == "g" else hess_value
            dist = "Math.sqrt(" + " + ".join(
                f"(p[{i}] - ({float(c)!r}))**2" for i, c in enumerate(point)) + ")"
            bad = f"!{kind}.flat().every(Number.isFinite)"
            out.append(f"{{ const d = {dist}; if (d < 1e-100 || ({bad} && d < 1e-8)) "
                       f"{kind} = {json.dumps(np.asarray(value).tolist())}; }}")
        return "".join("\n    " + line for line in out)

    p = printer.doprint
    grad_code = "[" + ", ".join(p(g) for g in grad_s) + "]"
    hess_code = "[" + ", ".join(
        "[" + ", ".join(p(hess_s[i * dim + j]) for j in range(dim)) + "]"
        for i in range(dim)) + "]"
    return (
        "(() => {\n"
        f"{_POWI_JS}"
        "return {\n"
        f"  name: {json.dumps(landscape.name)},\n"
        f"  dim: {dim},\n"
        f"  f(p) {{\n    {unpack}\n    return {p(f)};\n  }},\n"
        f"  grad(p) {{\n    {unpack}\n    let g = {grad_code};{patch('g')}\n"
        f"    return g;\n  }},\n"
        f"  hess(p) {{\n    {unpack}\n    let h = {hess_code};{patch('h')}\n"
        f"    return h;\n  }},\n"
        "};\n})()"
    )


# x**n for whole n as NumPy gets it from the C library's pow (correctly rounded
# nearly always). V8's Math.pow(x, 3) differs from it in the last bit for about
# one x in ten, which an optimizer's path amplifies over hundreds of steps;
# multiplying in double-double (Dekker's exact product) and rounding once
# matches it for all but about one x in a thousand.
_POWI_JS = """\
const split = (a) => { const c = 134217729 * a; const h = c - (c - a); return [h, a - h]; };
const powi = (x, n) => {
  if (n === 0) return 1;
  const m = Math.abs(n);
  let hi = x, lo = 0;
  for (let i = 1; i < m; i++) {
    const p = hi * x, [ah, al] = split(hi), [bh, bl] = split(x);
    const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    const s = p + (e + lo * x);
    lo = (e + lo * x) - (s - p);
    hi = s;
  }
  if (n > 0) return hi + lo;
  const q = 1 / hi, [qh, ql] = split(q), [hh, hl] = split(hi);
  const r = 1 - qh * hh - (qh * hl + ql * hh) - ql * hl - q * lo;
  return q + q * r;
};
"""
