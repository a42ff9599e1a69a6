"""Finite-sum landscapes: ``f(x) = (1/n) sum_i f_i(x)``, where mini-batch gradients are exact.

A training loss is a mean over examples. :class:`FiniteSum` gives a 2-D (or
1-D) landscape the same shape: example ``i`` contributes the base landscape
shifted by ``s_i``, ``f_i(x) = g(x - s_i)``, so each example "sees" the
landscape a little displaced, as data points see a model's loss. The
gradient of a mini-batch ``S`` is then the exact mean of ``|S|`` per-example
gradients, and its noise grows where the landscape is curved (to first order
``grad f_i - grad f = -H s_i + ...``), as a network's gradient noise does.

:func:`finite_sum` builds one from a catalog name, a formula or a
:class:`Landscape`, with symmetric Gaussian shifts (so their mean and every
odd moment vanish and a saddle of ``g`` at a point of symmetry stays a
critical point of ``f``).
"""

from __future__ import annotations

import numpy as np
import sympy

from .._checks import check_int, check_number, check_points, check_seed, check_window, show
from .base import Landscape, window_grid

__all__ = [
    "FiniteSum",
    "finite_sum",
]


#: Most examples a finite sum may hold (each evaluation costs ``n`` base evaluations).
MAX_EXAMPLES = 10_000


class FiniteSum:
    """The mean of ``n`` shifted copies of a landscape, ``f(x) = mean_i g(x - s_i)``.

    It has the attributes and methods of a :class:`Landscape` (``name``,
    ``dim``, ``window``, ``f``, ``grad``, ``hess``, ``hvp``, ``grid``), so
    :func:`labtools.run.run` descends it with the full gradient, and
    :func:`labtools.run.run_sgd` with mini-batch gradients
    (:meth:`batch_grad`). All methods accept one point ``(d,)`` or a batch
    ``(m, d)``.

    Parameters
    ----------
    base : Landscape
        The landscape ``g`` every example shifts.
    shifts : array_like, shape (n, d)
        One shift per example, ``n >= 1``, all finite.
    name : str, optional
        Default ``"<base name> (n examples)"``.
    window : sequence, optional
        Plot window; default the base's.

    Examples
    --------
    >>> import labtools as lt
    >>> f = FiniteSum(lt.landscape("quadratic"), [[0.1, 0.0], [-0.1, 0.0]])
    >>> f.n, f.dim
    (2, 2)
    >>> f.term_grads([1.0, 0.0]).shape
    (2, 2)
    >>> bool(np.allclose(f.grad([1.0, 0.0]), f.term_grads([1.0, 0.0]).mean(axis=0)))
    True
    """

    def __init__(self, base, shifts, *, name=None, window=None):
        if not isinstance(base, Landscape):
            raise TypeError(
                f"base must be a Landscape such as lt.landscape('escapable_saddle'), "
                f"got {show(base)}"
            )
        s = check_points("shifts", shifts, dim=base.dim)
        if s.ndim != 2 or len(s) < 1 or len(s) > MAX_EXAMPLES:
            raise ValueError(
                f"shifts must have shape (n, {base.dim}) with 1 <= n <= {MAX_EXAMPLES}, "
                f"got shape {s.shape}"
            )
        s = s.copy()
        s.setflags(write=False)
        self.base = base
        self.shifts = s
        self.n = len(s)
        self.dim = base.dim
        self.symbols = base.symbols
        self.name = name if name is not None else f"{base.name} ({self.n} examples)"
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, got {show(name)}")
        self.window = base.window if window is None else check_window("window", window, base.dim)
        self.minimizers = None
        self.global_min = None
        self.citation = None
        self.latex = (
            r"f(x) = \frac{1}{" + str(self.n) + r"}\sum_{i=1}^{" + str(self.n)
            + r"} g(x - s_i),\quad " + base.latex.replace("f(", "g(", 1)
        )
        self.description = f"mean of {self.n} shifted copies of {base.name}"

    def __repr__(self):
        return f"FiniteSum({self.base.name!r}, n={self.n}, dim={self.dim})"

    @property
    def expr(self):
        """The full objective as a SymPy expression (built on first use)."""
        subs = [
            self.base.expr.subs({v: v - c for v, c in zip(self.symbols, s, strict=True)},
                                simultaneous=True)
            for s in self.shifts
        ]
        return sympy.Add(*subs) / self.n

    # --- evaluation -----------------------------------------------------------

    def _points(self, x, name="x"):
        arr = check_points(name, x, dim=self.dim)
        return arr, arr.ndim == 1

    def _shifted(self, arr):
        # (m, d) points -> (m * n, d) arguments of the base, example index fastest
        return (arr[:, None, :] - self.shifts[None, :, :]).reshape(-1, self.dim)

    def term_values(self, x):
        """Each example's value ``f_i(x)``: shape ``(n,)``, or ``(m, n)`` for ``m`` points."""
        arr, single = self._points(x)
        pts = arr[None, :] if single else arr
        vals = np.asarray(self.base.f(self._shifted(pts)), float).reshape(len(pts), self.n)
        return vals[0] if single else vals

    def term_grads(self, x):
        """Each example's gradient: shape ``(n, d)``, or ``(m, n, d)`` for ``m`` points."""
        arr, single = self._points(x)
        pts = arr[None, :] if single else arr
        g = np.asarray(self.base.grad(self._shifted(pts)), float)
        g = g.reshape(len(pts), self.n, self.dim)
        return g[0] if single else g

    def f(self, x):
        """The mean of the example values."""
        return self.term_values(x).mean(axis=-1)

    def grad(self, x):
        """The full gradient, the mean of the example gradients."""
        return self.term_grads(x).mean(axis=-2)

    def hess(self, x):
        """The full Hessian, the mean of the example Hessians."""
        arr, single = self._points(x)
        pts = arr[None, :] if single else arr
        H = np.asarray(self.base.hess(self._shifted(pts)), float)
        H = H.reshape(len(pts), self.n, self.dim, self.dim).mean(axis=1)
        return H[0] if single else H

    def hvp(self, x, v):
        """Hessian-vector product ``H(x) v``."""
        arr, single = self._points(x)
        vec = check_points("v", v, dim=self.dim)
        if vec.shape != arr.shape:
            raise ValueError(f"v must have the shape of x, {arr.shape}, got {vec.shape}")
        return np.einsum("...ij,...j->...i", self.hess(arr), vec)

    def batch_grad(self, x, batch):
        """The mini-batch gradient: the mean gradient of the examples in ``batch``.

        Parameters
        ----------
        x : array_like, shape (d,) or (m, d)
        batch : array_like of int
            Example indices, shape ``(B,)`` (for one point, or the same batch
            for every point) or ``(m, B)`` (one batch per point).

        Returns
        -------
        ndarray, shape (d,) or (m, d)
        """
        arr, single = self._points(x)
        idx = self._batch(batch)
        pts = arr[None, :] if single else arr
        if idx.ndim == 2 and (single or len(idx) != len(pts)):
            raise ValueError(
                f"batch must have shape (B,) or one row per point ({len(pts)}, B), "
                f"got shape {idx.shape}"
            )
        rows = np.broadcast_to(idx, (len(pts), idx.shape[-1]))
        shifted = pts[:, None, :] - self.shifts[rows]             # (m, B, d)
        g = np.asarray(self.base.grad(shifted.reshape(-1, self.dim)), float)
        g = g.reshape(shifted.shape).mean(axis=1)
        return g[0] if single else g

    def subset(self, batch):
        """The finite sum of the examples in ``batch`` (a mini-batch's own loss)."""
        idx = self._batch(batch)
        if idx.ndim != 1:
            raise ValueError(f"batch must have shape (B,), got shape {idx.shape}")
        return FiniteSum(self.base, self.shifts[idx], name=f"{self.name} [batch of {len(idx)}]",
                         window=self.window)

    def _batch(self, batch):
        idx = np.asarray(batch)
        if idx.ndim not in (1, 2) or idx.shape[-1] < 1 or not (
            np.issubdtype(idx.dtype, np.integer)
        ):
            raise ValueError(
                f"batch must be a non-empty array of example indices (integers), "
                f"got {show(batch)}"
            )
        if idx.min() < 0 or idx.max() >= self.n:
            raise ValueError(
                f"batch indices must be from 0 to n - 1 = {self.n - 1}, got {show(batch)}"
            )
        return idx

    def grid(self, n=200):
        """``(X, Y, Z)`` over the window (2-D) or ``(xs, fs)`` (1-D), as :meth:`Landscape.grid`."""
        return window_grid(self.window, self.f, n)


def finite_sum(base, n=32, spread=0.3, seed=0, *, shifts=None, name=None, window=None):
    """A finite-sum landscape: ``n`` copies of ``base``, shifted by symmetric Gaussian offsets.

    Half of the shifts are drawn from ``N(0, spread^2 I)``, the other half are
    their negatives, so the shifts have mean zero and vanishing odd moments:
    the mini-batch gradient is an unbiased estimate of the full gradient, and
    a critical point of ``g`` at a centre of symmetry stays one of ``f``.

    Parameters
    ----------
    base : str or Landscape
        A catalog name or formula (as :func:`labtools.landscapes.landscape`
        accepts), or a Landscape.
    n : int
        Number of examples, an even whole number from 2 to 10000.
    spread : float
        Standard deviation of the shifts, >= 0.
    seed : int or None
        Seed of the shifts.
    shifts : array_like, shape (n, d), optional
        Give the shifts yourself instead (``n``, ``spread`` and ``seed`` are
        then ignored).
    name, window
        As in :class:`FiniteSum`.

    Returns
    -------
    FiniteSum

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.finite_sum("escapable_saddle", n=8, spread=0.2, seed=0)
    >>> f.n, bool(np.allclose(f.shifts.mean(axis=0), 0.0))
    (8, True)
    >>> bool(np.allclose(f.grad([0.0, 0.0]), 0.0))
    True
    """
    if isinstance(base, str):
        from .formulas import landscape

        base = landscape(base)
    if not isinstance(base, Landscape):
        raise TypeError(
            f"base must be a catalog name, a formula or a Landscape, got {show(base)}"
        )
    if shifts is None:
        n = check_int("n", n, low=2, high=MAX_EXAMPLES)
        if n % 2:
            raise ValueError(f"n must be even (shifts come in +/- pairs), got {n}")
        spread = check_number("spread", spread, nonnegative=True)
        rng = np.random.default_rng(check_seed(seed))
        half = spread * rng.standard_normal((n // 2, base.dim))
        shifts = np.concatenate([half, -half])
    return FiniteSum(base, shifts, name=name, window=window)
