"""Critical points and their kinds: classify, the critical-point test, the search in any
dimension, and the Taylor model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import (
    check_finite,
    check_int,
    check_number,
    check_points,
    check_seed,
    check_window,
    show,
)
from ..landscapes import newton_step, window_bounds

__all__ = [
    "CriticalPoint",
    "classify",
    "critical_points",
    "hessian_eigs",
    "is_critical_point",
    "find_critical_points",
    "gradient_scale",
    "taylor_model",
    "CRITICAL_TOL",
]


#: The one tolerance behind "is a critical point" in labtools: a point is critical
#: when ``|grad f| <= CRITICAL_TOL * max(1, g_scale)`` (``g_scale`` the landscape's
#: typical gradient norm, :func:`gradient_scale`), and an eigenvalue counts as zero
#: in :func:`classify` when ``|lambda| <= CRITICAL_TOL * max(1, max|lambda|)``.
CRITICAL_TOL = 1e-8


#: Most start points one critical-point search takes (memory grows with d^2 per start).
MAX_STARTS = 1_000_000


class CriticalPoint(NamedTuple):
    """A point where the gradient vanishes, with its Hessian eigenvalues and kind.

    Examples
    --------
    >>> import labtools as lt
    >>> p = lt.critical_points(lt.landscape("saddle"))[0]
    >>> p.x, p.value, p.eigenvalues, p.kind
    (array([0., 0.]), 0.0, array([-2.,  2.]), 'saddle')
    """

    #: Location, shape ``(d,)``.
    x: np.ndarray
    #: Landscape value at ``x``.
    value: float
    #: Hessian eigenvalues at ``x``, ascending, shape ``(d,)``.
    eigenvalues: np.ndarray
    #: ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"degenerate"`` (see :func:`classify`).
    kind: str

    @property
    def index(self) -> int:
        """Number of negative Hessian eigenvalues (descent directions): 0 at a minimum."""
        return int(np.count_nonzero(self.eigenvalues < 0))


def _classify_eigs(eigs, tol):
    eigs = np.asarray(eigs, dtype=float)
    scale = np.maximum(1.0, np.max(np.abs(eigs), axis=-1, keepdims=True))
    zero = np.abs(eigs) <= tol * scale
    pos = np.any((eigs > 0) & ~zero, axis=-1)
    neg = np.any((eigs < 0) & ~zero, axis=-1)
    # A Hessian that could not be evaluated (NaN) decides nothing.
    anyzero = np.any(zero | ~np.isfinite(eigs), axis=-1)
    kind = np.where(pos & neg, "saddle",
                    np.where(anyzero, "degenerate",
                             np.where(pos, "minimum", "maximum")))
    return kind.astype(object)


def classify(hessian, tol=CRITICAL_TOL):
    """Name a critical point from its Hessian.

    The rule, in order: eigenvalues of both signs make a **saddle** (even if
    some are zero: there is a descent direction either way); otherwise any
    eigenvalue that counts as zero makes it **degenerate** (second-order
    information cannot decide); otherwise all positive is a **minimum** and
    all negative a **maximum**. An eigenvalue counts as zero when
    ``|lambda| <= tol * max(1, max|lambda|)``.

    Parameters
    ----------
    hessian : array_like
        Shape ``(d, d)`` or ``(n, d, d)``.
        Symmetric matrix (or a batch of them).
    tol : float, default ``CRITICAL_TOL``
        Relative threshold below which an eigenvalue counts as zero.

    Returns
    -------
    str or ndarray of str
        One of ``"minimum"``, ``"maximum"``, ``"saddle"``, ``"degenerate"``
        (an object array of them for a batch).

    Examples
    --------
    >>> classify([[2.0, 0.0], [0.0, 3.0]])
    'minimum'
    >>> classify([[0.0, 0.0], [0.0, 0.0]])
    'degenerate'
    >>> classify([[1.0, 0.0], [0.0, 0.0]])
    'degenerate'
    >>> classify([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]])
    'saddle'
    """
    H = _check_square("hessian", hessian)
    tol = check_number("tol", tol, nonnegative=True)
    kinds = _classify_eigs(np.linalg.eigvalsh(H), tol)
    return str(kinds) if H.ndim == 2 else kinds


def _check_square(name, value):
    try:
        H = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a square matrix of numbers, got "
                        f"{show(value)}") from None
    if H.ndim not in (2, 3) or H.shape[-1] != H.shape[-2] or H.shape[-1] == 0:
        raise ValueError(f"{name} must be a square matrix of shape (d, d) or a batch "
                         f"(n, d, d), got shape {H.shape}")
    check_finite(name, H, value)
    if not np.allclose(H, np.swapaxes(H, -1, -2), rtol=1e-8, atol=1e-12):
        raise ValueError(f"{name} must be symmetric (a Hessian), got {show(value)}")
    return H


def _check_landscape(landscape):
    needed = ("grad", "hess", "f", "window", "dim")
    if not all(hasattr(landscape, a) for a in needed):
        raise TypeError(
            f"landscape must be a Landscape (from lt.landscape(...)), got "
            f"{show(landscape)}"
        )
    return landscape


def hessian_eigs(landscape, x):
    """Eigenvalues (ascending) and eigenvectors (columns) of the Hessian at ``x``.

    Parameters
    ----------
    landscape : Landscape
    x : array_like
        Shape ``(d,)`` or ``(n, d)``.

    Returns
    -------
    eigenvalues : ndarray
        Shape ``(d,)`` or ``(n, d)``.
    eigenvectors : ndarray
        Shape ``(d, d)`` or ``(n, d, d)``.
        Column ``i`` belongs to eigenvalue ``i``.

    Examples
    --------
    >>> import labtools as lt
    >>> vals, vecs = hessian_eigs(lt.landscape("saddle_5"), [0.0, 0.0])
    >>> vals
    array([-2., 10.])
    >>> abs(vecs[:, 0])
    array([0., 1.])
    """
    landscape = _check_landscape(landscape)
    x = check_points("x", x, dim=landscape.dim)
    return np.linalg.eigh(landscape.hess(x))


def taylor_model(landscape, x0, order=2):
    """The Taylor model of ``f`` at ``x0``, as a function of points.

    ``m(x) = f(x0) + g.(x - x0) + (x - x0).H.(x - x0) / 2`` with ``g`` and
    ``H`` the gradient and Hessian at ``x0`` (``order=2``, the quadratic every
    second-order method trusts); ``order=1`` drops the curvature term and
    ``order=0`` keeps the constant.

    Parameters
    ----------
    landscape : Landscape
    x0 : array_like
        Where to expand, shape ``(d,)``.
    order : int, default 2
        0, 1 or 2.

    Returns
    -------
    callable
        ``m(x)`` for points whose last axis has length ``d``, any leading
        shape (one point ``(d,)``, a batch ``(n, d)``, a grid ``(ny, nx, d)``);
        it returns a float for one point, else an array of the leading shape.

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> m = taylor_model(f, [1.0, 1.0])
    >>> float(m([1.0, 1.0])) == float(f.f([1.0, 1.0]))
    True
    >>> x0, u = np.array([1.0, 1.0]), np.array([0.6, 0.8])
    >>> err = [abs(f.f(x0 + h * u) - m(x0 + h * u)) for h in (0.02, 0.01)]
    >>> round(err[0] / err[1])                     # halving the step: error / 8
    8
    >>> m(np.zeros((4, 3, 2))).shape               # a grid of points
    (4, 3)
    """
    landscape = _check_landscape(landscape)
    x0 = check_points("x0", x0, dim=landscape.dim)
    if x0.ndim != 1:
        raise ValueError(f"x0 must be one point of shape ({landscape.dim},), got shape {x0.shape}")
    order = check_int("order", order, low=0, high=2)
    d = landscape.dim
    with np.errstate(all="ignore"):
        f0 = float(landscape.f(x0))
        g = np.asarray(landscape.grad(x0), dtype=float).reshape(d) if order >= 1 else None
        H = np.asarray(landscape.hess(x0), dtype=float).reshape(d, d) if order == 2 else None
    if not (np.isfinite(f0) and (g is None or np.all(np.isfinite(g)))
            and (H is None or np.all(np.isfinite(H)))):
        raise ValueError(f"f or its derivatives are not finite at x0 = {show(x0.tolist())}")

    def model(x):
        try:
            p = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"x must be points with {d} coordinates, got {show(x)}") from None
        if p.ndim == 0 or p.shape[-1] != d:
            raise ValueError(f"x must have last axis of length {d}, got shape {p.shape}")
        p = p - x0
        value = np.full(p.shape[:-1], f0)
        if g is not None:
            value = value + p @ g
        if H is not None:
            value = value + 0.5 * np.einsum("...i,ij,...j->...", p, H, p)
        return float(value) if p.ndim == 1 else value

    return model


def _newton_solve(grad, hess, seeds, max_iter, limit, lo=None, hi=None):
    """Vectorized Newton iteration on grad = 0 from every seed; returns final points.

    Steps longer than ``limit`` are shortened to it; a row stops when its step
    is negligible, when it leaves the window by more than the window's size
    (if ``lo``/``hi`` are given) or when it turns non-finite.
    """
    x = seeds.copy()
    alive = np.ones(len(x), dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if not np.any(alive):
                break
            xa = x[alive]
            # a (near-)zero eigenvalue gets no step along its eigenvector
            # instead of a division by zero (this happens at degenerate points)
            step = newton_step(np.asarray(grad(xa), dtype=float).reshape(xa.shape),
                               np.asarray(hess(xa), dtype=float).reshape(xa.shape + xa.shape[-1:]))
            norm = _length(step)[:, None]
            step = np.where(norm > limit, step * (limit / np.maximum(norm, 1e-300)), step)
            new = xa - step
            done = np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(new)), axis=1)
            bad = ~np.all(np.isfinite(new), axis=1)
            outside = np.zeros_like(bad)
            if lo is not None:
                span = hi - lo
                outside = np.any((new < lo - span) | (new > hi + span), axis=1)
            new[bad] = xa[bad]
            x[alive] = new
            idx = np.nonzero(alive)[0]
            alive[idx[done | outside | bad]] = False
    return x


def gradient_scale(grad, points) -> float:
    """The typical gradient norm, median over ``points``: what "small" is relative to.

    Non-finite norms are ignored; 1.0 if none is finite. Critical-point tests
    compare ``|grad f|`` with ``CRITICAL_TOL * max(1, gradient_scale)``, so a
    steep landscape is not held to a stricter standard than a flat one.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")            # grad = (x, 10 y)
    >>> gradient_scale(f.grad, [[1.0, 0.0], [0.0, 1.0], [3.0, 0.0]])
    3.0
    """
    with np.errstate(all="ignore"):
        pts = np.asarray(points, dtype=float)
        norms = np.linalg.norm(np.asarray(grad(pts), dtype=float).reshape(pts.shape), axis=-1)
    norms = norms[np.isfinite(norms)]
    return float(np.median(norms)) if norms.size else 1.0


def _window_grid(window, n):
    axes = [np.linspace(lo, hi, n) for lo, hi in window]
    return np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, len(window))


def _window_samples(landscape, n_seeds=None, n_starts=None, seed=0):
    """Seeds over the window: a regular grid in 1-D and 2-D, uniform draws beyond."""
    dim = landscape.dim
    if dim <= 2:
        if n_seeds is None:
            n_seeds = 60 if dim == 2 else 400
        return _window_grid(landscape.window, check_int("n_seeds", n_seeds, low=2, high=1000))
    n_starts = 2000 if n_starts is None else check_int("n_starts", n_starts, low=1,
                                                         high=MAX_STARTS)
    lo, hi = window_bounds(landscape.window)
    return lo + (hi - lo) * np.random.default_rng(check_seed(seed)).uniform(size=(n_starts, dim))


def _seeds(landscape, n_seeds=None, n_starts=None, seed=0):
    """Window samples plus the landscape's known minimizers."""
    seeds = _window_samples(landscape, n_seeds, n_starts, seed)
    mins = getattr(landscape, "minimizers", None)
    if mins is not None and len(mins):
        seeds = np.vstack([seeds, np.reshape(mins, (-1, landscape.dim))])
    return seeds


def critical_scale(landscape) -> float:
    """The gradient norm :func:`is_critical_point` measures against by default.

    :func:`gradient_scale` over the seeds :func:`critical_points` starts from
    (a grid of the window and the known minimizers). The Hessian inspector's
    browser front end gets this number from Python, so that it calls a point
    critical exactly when :func:`is_critical_point` does.

    Examples
    --------
    >>> import labtools as lt
    >>> critical_scale(lt.landscape("saddle")) > 0
    True
    """
    return gradient_scale(landscape.grad, _seeds(landscape))


def is_critical_point(landscape, x, tol=CRITICAL_TOL, scale=None):
    """Whether the gradient vanishes at ``x``: ``|grad f(x)| <= tol * max(1, scale)``.

    The one test of "is a critical point" in labtools (:func:`critical_points`
    and :func:`find_critical_points` keep exactly the points that pass it).

    Parameters
    ----------
    landscape : Landscape
    x : array_like
        One point ``(d,)`` or a batch ``(n, d)``.
    tol : float, default ``CRITICAL_TOL``
        Relative threshold, > 0.
    scale : float, optional
        The gradient norm ``tol`` is relative to; default the landscape's
        :func:`gradient_scale` over the seeds :func:`critical_points` uses.

    Returns
    -------
    bool or ndarray of bool

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> is_critical_point(f, [3.0, 2.0]), is_critical_point(f, [3.0, 2.001])
    (True, False)
    """
    landscape = _check_landscape(landscape)
    x = check_points("x", x, dim=landscape.dim)
    tol = check_number("tol", tol, positive=True)
    if scale is None:
        scale = critical_scale(landscape)
    scale = check_number("scale", scale, nonnegative=True)
    with np.errstate(all="ignore"):
        g = np.asarray(landscape.grad(x), dtype=float).reshape(x.shape)
    ok = np.linalg.norm(g, axis=-1) <= tol * max(1.0, scale)
    return bool(ok) if x.ndim == 1 else ok


def find_critical_points(grad, hess, starts, *, f=None, window=None, tol=CRITICAL_TOL,
                         max_iter=100, max_step=None):
    """Critical points in any dimension: Newton on ``grad = 0`` from many starts.

    Newton's method (through the Hessian's pseudo-inverse, so a singular
    Hessian never divides by zero) runs from every row of ``starts`` at once.
    Points where :func:`is_critical_point`'s test passes (relative to the
    median gradient norm over the starts) and that lie inside ``window`` are
    deduplicated (points closer than a millionth of the starts' spread are
    one), classified with :func:`classify` and sorted by value, then by
    coordinates. :func:`critical_points` is this search with seeds spread over
    a landscape's window.

    Parameters
    ----------
    grad, hess : callable
        ``grad(X) -> (n, d)`` and ``hess(X) -> (n, d, d)`` for points ``X`` of
        shape ``(n, d)``.
    starts : array_like
        Start points, shape ``(n, d)``.
    f : callable, optional
        ``f(X) -> (n,)``, for the ``value`` of each point (NaN without it).
    window : sequence of (low, high), optional
        Keep only points inside this box (and stop a start that wanders
        farther than the box's size outside it).
    tol : float, default ``CRITICAL_TOL``
        Relative threshold of the critical-point test and of :func:`classify`.
    max_iter : int, default 100
        Newton iterations.
    max_step : float, optional
        Longest Newton step (longer ones are shortened, which keeps a start
        from jumping across the domain); default the diagonal of ``window``,
        or of the box the starts span.

    Returns
    -------
    list of CriticalPoint

    Examples
    --------
    >>> import numpy as np
    >>> def grad(X):                      # f = sum_i (x_i^2 - 1)^2 in 3-D
    ...     return 4 * X * (X**2 - 1)
    >>> def hess(X):
    ...     return np.einsum("ni,ij->nij", 12 * X**2 - 4, np.eye(3))
    >>> starts = np.random.default_rng(0).uniform(-2, 2, size=(500, 3))
    >>> points = find_critical_points(grad, hess, starts, window=[(-2, 2)] * 3)
    >>> len(points), sorted({p.kind for p in points})
    (27, ['maximum', 'minimum', 'saddle'])
    >>> sorted({p.index for p in points})     # number of descent directions
    [0, 1, 2, 3]
    """
    for name, fn in (("grad", grad), ("hess", hess)):
        if not callable(fn):
            raise TypeError(f"{name} must be a function of points (n, d), got {show(fn)}")
    if f is not None and not callable(f):
        raise TypeError(f"f must be a function of points (n, d) or None, got {show(f)}")
    starts = check_points("starts", starts)
    if starts.ndim == 1:
        starts = starts[None, :]
    if len(starts) > MAX_STARTS:
        raise ValueError(f"starts must hold at most {MAX_STARTS} points, got {len(starts)}")
    dim = starts.shape[1]
    lo = hi = None
    if window is not None:
        lo, hi = window_bounds(check_window("window", window, dim))
    tol = check_number("tol", tol, positive=True)
    max_iter = check_int("max_iter", max_iter, low=1, high=100_000)
    box_lo, box_hi = (lo, hi) if lo is not None else (starts.min(axis=0), starts.max(axis=0))
    with np.errstate(all="ignore"):
        diagonal = max(_length(box_hi - box_lo), 1e-300)
    max_step = diagonal if max_step is None else check_number("max_step", max_step,
                                                              positive=True)
    if not len(starts):
        return []
    # a window near the float limits (+-1e300) overflows f and its derivatives
    # far from the critical points: those starts fail quietly, never with a warning
    with np.errstate(all="ignore"):
        return _search(grad, hess, f, starts, lo, hi, box_lo, box_hi, diagonal, tol, max_iter,
                       max_step)


def _length(v):
    """Euclidean length over the last axis without overflow (+-1e300 windows).

    A float for one vector, an array for rows; NaN or inf entries give inf.
    """
    v = np.abs(np.asarray(v, dtype=float))
    top = np.max(v, axis=-1, initial=0.0)
    scaled = np.where((top > 0) & np.isfinite(top), top, 1.0)
    out = np.where(np.isfinite(top), scaled * np.linalg.norm(v / scaled[..., None], axis=-1),
                   np.inf)
    out = np.where(np.isnan(top) | (top == 0), np.where(np.isnan(top), np.inf, 0.0), out)
    return float(out) if out.ndim == 0 else out


def _search(grad, hess, f, starts, lo, hi, box_lo, box_hi, diagonal, tol, max_iter, max_step):
    dim = starts.shape[1]
    g_scale = gradient_scale(grad, starts)
    x = _newton_solve(grad, hess, starts, max_iter, max_step, lo, hi)
    keep = np.all(np.isfinite(x), axis=1)
    if lo is not None:
        span = hi - lo
        keep &= np.all((x >= lo - 1e-9 * span) & (x <= hi + 1e-9 * span), axis=1)
    x = x[keep]
    if not len(x):
        return []
    gnorm = np.linalg.norm(np.asarray(grad(x), dtype=float).reshape(x.shape), axis=1)
    crit = gnorm <= tol * max(1.0, g_scale)
    x, gnorm = x[crit], gnorm[crit]
    # Deduplicate: points closer than a millionth of the box are one point;
    # keep the member with the smallest gradient.
    pts = x[_thin(x, np.argsort(gnorm), 1e-6 * diagonal)]
    if not len(pts):
        return []
    # Newton reaches a critical point at 0 only up to rounding (1e-16, or
    # 1e-46 after a degenerate point's slow approach); report it as 0.
    pts = np.where(np.abs(pts) <= 1e-12 * (box_hi - box_lo), 0.0, pts)
    H = np.asarray(hess(pts), dtype=float).reshape(pts.shape + (dim,))
    finite = np.all(np.isfinite(H), axis=(1, 2))
    pts, eigs = pts[finite], np.linalg.eigvalsh(H[finite])
    kinds = _classify_eigs(eigs, tol)
    # A continuum of critical points (a ring, a line) would otherwise come
    # back as thousands of points: keep degenerate ones 1% of the box apart.
    degenerate = kinds == "degenerate"
    if np.count_nonzero(degenerate) > 1:
        idx = np.nonzero(degenerate)[0]
        keep = np.ones(len(pts), dtype=bool)
        keep[idx] = False
        keep[idx[_thin(pts[idx], np.arange(len(idx)), 0.01 * diagonal)]] = True
        pts, eigs, kinds = pts[keep], eigs[keep], kinds[keep]
    values = (np.full(len(pts), np.nan) if f is None
              else np.asarray(f(pts), dtype=float).reshape(len(pts)))
    order = np.lexsort(tuple(pts[:, k] for k in reversed(range(dim)))
                       + (np.round(values, 12),))
    return [CriticalPoint(pts[i].copy(), float(values[i]), eigs[i].copy(), str(kinds[i]))
            for i in order]


def critical_points(landscape, n_seeds=None, tol=CRITICAL_TOL, max_iter=100, *,
                    n_starts=None, seed=0):
    """Every critical point of a landscape inside its window, in any dimension.

    Newton's method on ``grad f = 0`` (:func:`find_critical_points`) is
    started from seeds over the window and from the landscape's known
    minimizers, all at once: a regular grid in 1-D and 2-D, ``n_starts``
    uniform random points in higher dimensions. Converged points inside the
    window are deduplicated, classified with :func:`classify` and sorted by
    value (then by coordinates).

    Parameters
    ----------
    landscape : Landscape
    n_seeds : int, optional
        Grid seeds per axis in 1-D and 2-D, 2 to 1000; default 60 for 2-D
        (3600 seeds) and 400 for 1-D.
    tol : float, default ``CRITICAL_TOL``
        A point counts as critical when its gradient norm is at most
        ``tol * max(1, g_scale)``, where ``g_scale`` is the median gradient
        norm over the seeds (:func:`is_critical_point`); also used by
        :func:`classify`.
    max_iter : int, default 100
        Newton iterations. Near a degenerate critical point Newton converges
        only linearly (the monkey saddle's distance to the origin halves per
        step), hence the generous default.
    n_starts : int, optional
        Random starts for a landscape of 3 or more dimensions (default 2000).
    seed : int or None, default 0
        Seeds those random starts.

    Returns
    -------
    list of CriticalPoint

    Notes
    -----
    A grid of seeds finds the critical points whose Newton basins contain a
    seed; with the default density this is every critical point of the
    catalog's smooth 2-D landscapes. Random starts in higher dimensions find
    the points with large enough basins; more starts find more. At a point
    where the gradient is not defined (Ackley's origin) the landscape returns
    a subgradient of zero, and the point is reported if it is a known
    minimizer.

    Critical points that are not isolated (a ring of minima such as
    ``(x^2 + y^2 - 1)^2``, or every point of a function that does not depend
    on ``y``) come back as many ``"degenerate"`` points sampled along the
    critical set, 1% of the window's diagonal apart.

    Examples
    --------
    >>> import labtools as lt
    >>> points = critical_points(lt.landscape("double_well"))
    >>> [(p.kind, p.x.round(6).tolist()) for p in points]
    [('minimum', [-1.0, 0.0]), ('minimum', [1.0, 0.0]), ('saddle', [0.0, 0.0])]
    >>> critical_points(lt.landscape("monkey_saddle"))[0].kind
    'degenerate'
    """
    landscape = _check_landscape(landscape)
    tol = check_number("tol", tol, positive=True)
    seeds = _seeds(landscape, n_seeds, n_starts, seed)
    return find_critical_points(landscape.grad, landscape.hess, seeds, f=landscape.f,
                                window=landscape.window, tol=tol, max_iter=max_iter)


def _thin(points, order, radius):
    """Indices (in ``order``'s preference) of points at least ``radius`` apart."""
    # Greedy, as "keep i if every kept point is farther than radius", but each kept
    # point marks the later ones within radius once (Newton sends thousands of
    # starts to a handful of points: one distance sweep per kept point, not per start).
    order = np.asarray(order, dtype=int)
    ordered = points[order]
    near = np.zeros(len(order), dtype=bool)
    kept = []
    for k in range(len(order)):
        if near[k]:
            continue
        kept.append(order[k])
        near[k:] |= np.linalg.norm(ordered[k:] - ordered[k], axis=1) <= radius
    return np.array(kept, dtype=int)
