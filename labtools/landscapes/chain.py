"""Landscapes for the guarantees of chapter 8: a chain of saddles and a non-convex PL function.

:func:`saddle_chain` is a smooth function of ``d`` variables whose strict
saddles gradient descent visits one after the other, arriving at each one
exponentially closer to its stable manifold than at the one before, so that
the total time grows exponentially with ``d``. It follows the mechanism of
the construction of Du et al. (2017): near the ``i``-th saddle the
coordinates already visited sit in a minimum, coordinate ``i`` is an escape
direction of curvature ``-gamma`` and every later coordinate is held in a
bowl of curvature ``L``, which shrinks it geometrically for as long as the
escape from the saddles before it lasts. Du et al. glue quadratic pieces
with splines; here a smooth gate switches each coordinate from its bowl to a
double well once the coordinate before it has left its own saddle, so the
function is one formula with a continuous, piecewise-polynomial Hessian.

:func:`pl_example` is ``x^2 + 3 sin^2 x``, the non-convex function Karimi,
Nutini and Schmidt (2016) give as an example of the Polyak-Lojasiewicz
inequality.

References: du2017gradient, karimi2016linear.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int, check_number, check_points
from .formulas import landscape

__all__ = ["SaddleChain", "saddle_chain", "pl_example"]

#: The gate of coordinate ``i + 1`` opens while ``(x_i / a)^2`` runs over this interval.
GATE = (0.25, 0.81)

#: Most coordinates of a chain (its gradient is O(d) per point, its Hessian O(d^2)).
MAX_CHAIN_DIM = 1000


def _smoothstep(u, order=2):
    """Quintic smoothstep of ``u`` on ``GATE`` and its derivatives in ``u`` up to ``order``."""
    lo, hi = GATE
    width = hi - lo
    t = (u - lo) / width
    t = np.minimum(np.maximum(t, 0.0), 1.0)  # np.clip is slow on small arrays
    s = t * t * t * (10.0 - 15.0 * t + 6.0 * t * t)
    if order == 0:
        return (s,)
    tt = t * (1.0 - t)  # zero outside the gate, so the derivatives vanish there
    ds = 30.0 * tt * tt / width
    if order == 1:
        return s, ds
    return s, ds, 60.0 * tt * (1.0 - 2.0 * t) / (width * width)


class SaddleChain:
    """A chain of ``d`` strict saddles that gradient descent visits in turn.

    Build it with :func:`saddle_chain`.

    ``f(x) = sum_i [w_i h(x_i) + (1 - w_i) b(x_i)]`` with the double well
    ``h(t) = gamma (t^2 - a^2)^2 / (4 a^2)`` (``h''(0) = -gamma``, minima at
    ``+-a``), the bowl ``b(t) = gamma a^2 / 4 + L t^2 / 2`` (``b(0) = h(0)``)
    and the gates ``w_1 = 1``, ``w_i = s((x_{i-1} / a)^2)``, ``s`` a quintic
    smoothstep that rises from 0 to 1 while ``|x_{i-1}|`` goes from ``a/2`` to
    ``0.9 a``. Its saddles are ``(+-a, ..., +-a, 0, ..., 0)`` (``i - 1``
    coordinates at a minimum of the well), each with one negative Hessian
    eigenvalue ``-gamma``; its global minima are ``(+-a, ..., +-a)``, where
    ``f = 0``.

    Attributes
    ----------
    name : str
    dim : int
    gamma, L, a : float
    global_min : float
        0.
    citation : str

    Methods ``f``, ``grad``, ``hess`` and ``hvp`` take one point ``(d,)`` or a
    batch ``(n, d)``, like :class:`~labtools.landscapes.Landscape`.

    Examples
    --------
    >>> chain = saddle_chain(3)
    >>> float(chain.f(np.ones(3)))
    0.0
    >>> np.linalg.eigvalsh(chain.hess(np.array([1.0, 0.0, 0.0])))
    array([-1.,  1.,  2.])
    """

    def __init__(self, d, gamma, L, a):
        self.dim = d
        self.gamma, self.L, self.a = gamma, L, a
        self.name = f"saddle_chain({d})"
        self.global_min = 0.0
        self.minimizers = None
        self.citation = "du2017gradient"
        self.window = tuple((-1.5 * a, 1.5 * a) for _ in range(d))

    def __repr__(self):
        return (f"saddle_chain(d={self.dim}, gamma={self.gamma:g}, L={self.L:g}, "
                f"a={self.a:g})")

    def _points(self, x):
        if isinstance(x, np.ndarray) and x.dtype == float and x.shape[-1:] == (self.dim,) \
                and x.ndim <= 2 and np.isfinite(x).all():
            arr = x  # the fast path of the optimizers' loop
        else:
            arr = check_points("x", x, self.dim)
        return np.atleast_2d(arr), arr.ndim == 1

    def _gates(self, x, order):
        """``w_i`` for every coordinate (``w_1 = 1``) and the gate of ``i + 1`` in ``x_i``."""
        a = self.a
        pieces = _smoothstep((x / a) ** 2, order)
        w = np.empty_like(x)
        w[:, 0] = 1.0
        w[:, 1:] = pieces[0][:, :-1]
        return w, pieces

    def _well_minus_bowl(self, x):
        """``h - b``, the change a gate makes, at ``x``."""
        g, L, a = self.gamma, self.L, self.a
        xx = x * x
        return g / (4 * a * a) * (xx - a * a) ** 2 - g * a * a / 4 - 0.5 * L * xx

    def f(self, x):
        """Value at ``x`` (d,) or ``(n, d)``."""
        pts, single = self._points(x)
        w, _ = self._gates(pts, 0)
        bowl = self.gamma * self.a ** 2 / 4 + 0.5 * self.L * pts * pts
        out = np.sum(bowl + w * self._well_minus_bowl(pts), axis=1)
        return float(out[0]) if single else out

    def grad(self, x):
        """Gradient at ``x`` (d,) or ``(n, d)``."""
        pts, single = self._points(x)
        g, L, a = self.gamma, self.L, self.a
        w, (_, ds) = self._gates(pts, 1)
        d_well_minus_bowl = g / (a * a) * pts * (pts * pts - a * a) - L * pts
        out = L * pts + w * d_well_minus_bowl
        # x_j also moves the gate of coordinate j + 1
        out[:, :-1] += (ds * 2 * pts / a ** 2)[:, :-1] * self._well_minus_bowl(pts)[:, 1:]
        return out[0] if single else out

    def hess(self, x):
        """Hessian at ``x``: ``(d, d)`` or ``(n, d, d)`` (tridiagonal)."""
        pts, single = self._points(x)
        g, L, a = self.gamma, self.L, self.a
        w, (_, ds, d2s) = self._gates(pts, 2)
        dwb = g / (a * a) * pts * (pts * pts - a * a) - L * pts
        d2wb = g / (4 * a * a) * (12 * pts * pts - 4 * a * a) - L
        wb = self._well_minus_bowl(pts)
        dw_next = ds * 2 * pts / a ** 2
        d2w_next = d2s * (2 * pts / a ** 2) ** 2 + ds * 2 / a ** 2
        n, d = pts.shape
        H = np.zeros((n, d, d))
        diag = L + w * d2wb
        diag[:, :-1] += d2w_next[:, :-1] * wb[:, 1:]
        idx = np.arange(d)
        H[:, idx, idx] = diag
        off = dw_next[:, :-1] * dwb[:, 1:]
        H[:, idx[:-1], idx[1:]] = off
        H[:, idx[1:], idx[:-1]] = off
        return H[0] if single else H

    def hvp(self, x, v):
        """Hessian-vector product ``H(x) v`` (shapes as ``grad``)."""
        H = self.hess(x)
        v = np.asarray(v, dtype=float)
        if v.shape[-1:] != (self.dim,):
            raise ValueError(f"v must have {self.dim} entries in its last axis, got shape "
                             f"{v.shape}")
        return np.einsum("...ij,...j->...i", H, v)

    def saddle(self, i, signs=None):
        """The ``i``-th saddle (``i`` from 1 to ``d``): ``a`` in coordinates before ``i``, 0 after.

        ``signs`` (length ``i - 1``, entries +-1) chooses the well of each
        visited coordinate; default all ``+1``.
        """
        i = check_int("i", i, low=1, high=self.dim)
        point = np.zeros(self.dim)
        s = np.ones(i - 1) if signs is None else np.sign(np.asarray(signs, dtype=float))
        if s.shape != (i - 1,) or np.any(s == 0):
            raise ValueError(f"signs must hold {i - 1} entries of +1 or -1 for saddle {i}, "
                             f"got {signs!r}")
        point[:i - 1] = self.a * s
        return point


def saddle_chain(d, gamma=1.0, L=1.0, a=1.0):
    """A smooth chain of ``d`` strict saddles on which gradient descent takes exponential time.

    Started near the origin (the first saddle), gradient descent with step
    ``lr`` leaves saddle ``i`` along coordinate ``i`` at the rate
    ``1 + lr gamma`` per step while every later coordinate shrinks by
    ``1 - lr L`` per step. So it reaches saddle ``i + 1`` closer to its stable
    manifold by a factor that is exponential in the time spent so far, and the
    time per saddle grows geometrically (by about ``1 + L / gamma``): the
    mechanism of the construction of Du et al. (2017), in a simpler smooth
    form (see :class:`SaddleChain`). Perturbed gradient descent, kicked at
    each saddle, needs about the same time at every saddle.

    Parameters
    ----------
    d : int
        Number of coordinates and of saddles, from 1 to 1000.
    gamma : float
        Magnitude of the negative curvature at each saddle, > 0.
    L : float
        Curvature of the bowls holding the coordinates not yet visited, > 0.
    a : float
        Position of the minima of each well, > 0.

    Returns
    -------
    SaddleChain

    References
    ----------
    du2017gradient

    Examples
    --------
    >>> chain = saddle_chain(2, gamma=1.0, L=2.0)
    >>> chain.grad(chain.saddle(2))
    array([0., 0.])
    >>> np.linalg.eigvalsh(chain.hess(chain.saddle(1)))
    array([-1.,  2.])
    >>> saddle_chain(0)
    Traceback (most recent call last):
    ...
    ValueError: d must be at least 1, got 0
    """
    d = check_int("d", d, low=1, high=MAX_CHAIN_DIM)
    gamma = check_number("gamma", gamma, positive=True)
    L = check_number("L", L, positive=True)
    a = check_number("a", a, positive=True)
    return SaddleChain(d, gamma, L, a)


def pl_example():
    """``f(x) = x^2 + 3 sin^2 x``: non-convex, yet it satisfies the Polyak-Lojasiewicz inequality.

    ``f'' = 2 + 6 cos 2x`` ranges over ``[-4, 8]``, so ``f`` is not convex and
    its gradient is 8-Lipschitz; its only critical point is the global
    minimizer ``x = 0`` (``f = 0``), and ``|f'(x)|^2 >= 2 mu f(x)`` holds for
    a constant ``mu > 0`` (Karimi et al. 2016 quote ``mu = 1/32``).

    Returns
    -------
    Landscape
        The catalog's ``"pl_sine"``: 1-D, window ``(-6, 6)``.

    References
    ----------
    karimi2016linear

    Examples
    --------
    >>> f = pl_example()
    >>> f.dim, float(f.f([0.0])), float(f.hess([np.pi / 2])[0, 0])
    (1, 0.0, -4.0)
    """
    return landscape("pl_sine")
