"""The :class:`Landscape` object: a SymPy expression with its gradient and Hessian derived
symbolically and compiled to NumPy, and the numerical helpers other modules share
(``window_bounds``, ``newton_step``).
"""

from __future__ import annotations

import types

import numpy as np
import sympy

from .._checks import check_number, check_points, check_window, show

__all__ = [
    "Landscape",
]


#: Most grid points per axis :meth:`Landscape.grid` evaluates (n^2 values in 2-D).
MAX_GRID = 5000

SYMBOL_X, SYMBOL_Y = sympy.symbols("x y", real=True)


def lambdify_real(symbols, expr):
    # DiracDelta appears when differentiating sign(x) (from |x|); it is zero
    # everywhere except a set of measure zero, and NumPy cannot evaluate it.
    def clean(e):
        if isinstance(e, (list, tuple)):
            return [clean(item) for item in e]
        return sympy.sympify(e).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)

    return sympy.lambdify(symbols, clean(expr), modules="numpy")


def as_real(value, shape):
    """Return ``value`` as a float array broadcast to ``shape``."""
    # the common cases, checked cheaply: already real and of the shape
    if type(value) is np.float64 and shape == ():
        return value
    if type(value) is np.ndarray and value.dtype == np.float64 and value.shape == shape:
        return value
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
        set_(self, "_f", lambdify_real(symbols, expr))
        set_(self, "_grad", lambdify_real(symbols, grad_exprs))
        set_(self, "_hess", lambdify_real(symbols, hess_exprs))
        set_(self, "_singular", tuple(
            (np.asarray(p, float), np.asarray(g, float), np.asarray(h, float))
            for p, g, h in singular))
        if minimizers is not None:
            mins = np.asarray(minimizers, dtype=float).reshape(-1, dim)
            if polish and len(mins):
                start = mins
                mins = newton_polish(self._grad_raw, self._hess_raw, mins)
                lo, hi = window_bounds(window)
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

    @property
    def singular(self):
        """The points where the derivatives are not defined, with their stand-ins.

        A tuple of ``(point, gradient, hessian)`` float arrays, one per point
        given as ``singular`` when the landscape was built (empty when there
        are none); :meth:`grad` and :meth:`hess` return these values there.
        """
        return self._singular

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
            return np.array(as_real(out, arr.shape[:-1]))

    def _grad_raw(self, arr):
        batch = arr.shape[:-1]
        with np.errstate(all="ignore"):
            parts = self._grad(*self._columns(arr))
            out = np.stack([as_real(p, batch) for p in parts], axis=-1)
        return self._patch(arr, out, 1)

    def _hess_raw(self, arr):
        batch = arr.shape[:-1]
        with np.errstate(all="ignore"):
            rows = self._hess(*self._columns(arr))
            flat = [as_real(entry, batch) for row in rows for entry in row]
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

    def value_and_grad(self, x):
        """Value and gradient together, the point checked once (what the run loop calls).

        Examples
        --------
        >>> import labtools as lt
        >>> lt.landscape("saddle").value_and_grad([1.0, 2.0])
        (-3.0, array([ 2., -4.]))
        """
        arr = self._points(x)
        out = self._f_raw(arr)
        return (float(out) if arr.ndim == 1 else out), self._grad_raw(arr)

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
        return window_grid(self.window, self._f_raw, n)

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


def window_bounds(window):
    """The lower and upper edges of a window, as two arrays of shape ``(d,)``."""
    return np.array([w[0] for w in window]), np.array([w[1] for w in window])


def window_grid(window, f, n=200):
    """``f`` on a regular grid of ``n`` points per axis over a 1-D or 2-D ``window``:
    ``(xs, fs)`` or ``(X, Y, Z)``, as :meth:`Landscape.grid` describes them. ``f``
    takes a batch of points, shape ``(m, d)``.

    Examples
    --------
    >>> xs, fs = window_grid([(0.0, 1.0)], lambda p: p[..., 0] ** 2, n=3)
    >>> xs.tolist(), fs.tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0])
    """
    n = check_number("n", n, integer=True, low=2, high=MAX_GRID)
    axes = [np.linspace(lo, hi, n) for lo, hi in window]
    if len(axes) == 1:
        return axes[0], f(axes[0][:, None])
    X, Y = np.meshgrid(*axes)
    return X, Y, f(np.stack([X.ravel(), Y.ravel()], axis=-1)).reshape(X.shape)


def newton_step(g, H):
    """Batched Newton step ``H^+ g`` on ``grad = 0``, through the eigendecomposition.

    ``g`` has shape ``(n, d)`` and ``H`` ``(n, d, d)``. No step is taken along
    (near-)flat directions, where Newton would divide by zero (a degenerate
    critical point such as x^4 at 0). Callers silence floating-point warnings.
    """
    vals, vecs = np.linalg.eigh(H)
    small = np.abs(vals) <= 1e-14 * np.maximum(1.0, np.abs(vals).max(axis=-1, keepdims=True))
    inv = np.where(small, 0.0, 1.0 / np.where(small, 1.0, vals))
    return np.einsum("nij,nj->ni", vecs, inv * np.einsum("nji,nj->ni", vecs, g))


def newton_polish(grad, hess, points, steps=50):
    """Newton's method on ``grad = 0`` from each row of ``points``."""
    x = np.array(points, dtype=float)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            step = newton_step(grad(x), hess(x))
            step = np.where(np.isfinite(step), step, 0.0)
            x = x - step
            if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(x))):
                break
    return x
