"""The course's experiments built on ``run_batch``: basin maps, random restarts and
saddle-escape times (with the theoretical prediction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_number, check_points, show
from ..landscapes import window_bounds
from .loop import MAX_STARTS, check_landscape, check_run_arguments, run_batch

__all__ = [
    "BasinMap",
    "RestartResult",
    "basin_map",
    "random_restarts",
    "saddle_escape_steps",
    "predicted_escape_steps",
]


def _default_radius(landscape) -> float:
    widths = [hi - lo for lo, hi in landscape.window]
    return 0.01 * float(np.hypot.reduce(widths)) if len(widths) > 1 else 0.01 * widths[0]


def _label(x_final, minimizers, radius, status):
    d = np.linalg.norm(x_final[:, None, :] - minimizers[None, :, :], axis=-1)
    nearest = np.argmin(d, axis=1)
    within = d[np.arange(len(x_final)), nearest] <= radius
    return np.where(within & (status != "diverged"), nearest, -1)


@dataclass(eq=False)
class BasinMap:
    """Which known minimizer each start of an ``n x n`` grid reaches.

    Attributes
    ----------
    xs, ys : ndarray
        Grid coordinates along x and y, shape ``(n,)`` each.
    labels : ndarray
        Integers, shape ``(n, n)``: ``labels[i, j]`` is the index (into
        ``minimizers``) of the minimizer reached from ``(xs[j], ys[i])``, or
        -1 (none within ``radius`` or diverged). Ready for
        ``imshow(labels, origin="lower", extent=extent)``.
    minimizers : ndarray
        The landscape's known minimizers, shape ``(m, 2)``.
    counts : ndarray
        Starts per minimizer (ints, shape ``(m,)``).
    unlabeled : int
        Starts that reached no known minimizer.
    status, steps_taken : ndarray
        Each start's status and step count on the grid, shape ``(n, n)``.
    radius : float
        Distance within which a run counts as reaching a minimizer.

    Examples
    --------
    >>> import labtools as lt
    >>> bm = lt.basin_map(lt.landscape("himmelblau"), lt.gd(lr=0.01), n=40, steps=500)
    >>> bm.labels.shape, int(bm.counts.sum()) + bm.unlabeled
    ((40, 40), 1600)
    >>> [round(float(v), 2) for v in bm.fraction]
    [0.25, 0.26, 0.24, 0.25]
    """

    xs: np.ndarray
    ys: np.ndarray
    labels: np.ndarray
    minimizers: np.ndarray
    counts: np.ndarray
    unlabeled: int
    status: np.ndarray
    steps_taken: np.ndarray
    radius: float

    @property
    def fraction(self) -> np.ndarray:
        """Fraction of the grid in each minimizer's basin, shape (m,)."""
        return self.counts / self.labels.size

    @property
    def extent(self) -> tuple:
        """``(xmin, xmax, ymin, ymax)`` for ``imshow``."""
        return (self.xs[0], self.xs[-1], self.ys[0], self.ys[-1])

    def __repr__(self) -> str:
        parts = ", ".join(f"{f:.1%}" for f in self.fraction)
        return (
            f"BasinMap({self.labels.shape[0]}x{self.labels.shape[1]} grid; "
            f"fractions per minimizer: {parts}; "
            f"{self.unlabeled / self.labels.size:.1%} reached none)"
        )


def basin_map(
    landscape, optimizer, n=200, steps=500, tol=1e-8, radius=None, seed=None, max_norm=1e6,
    progress=None,
) -> BasinMap:
    """Label each start on an ``n x n`` grid of the window by the minimizer it reaches.

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape with known ``minimizers``.
    optimizer : Optimizer
    n : int
        Grid points per axis (>= 2); ``n * n`` runs in one batch.
    steps, tol, seed, max_norm
        As in :func:`run_batch`.
    radius : float, optional
        A run counts as reaching a minimizer if it ends within ``radius`` of
        it; default 1% of the window's diagonal.
    progress : callable, optional
        Called with the fraction of the grid done (0 to 1) as the work goes
        on; the grid then runs in up to ten slices of rows (a widget's
        progress bar). A deterministic optimizer gives the same map either
        way; a noisy one draws its noise afresh (from ``seed``) in each slice.

    Returns
    -------
    BasinMap

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> bm = lt.basin_map(f, lt.gd(lr=0.01), n=20, steps=300)
    >>> int(bm.counts.sum() + bm.unlabeled)
    400
    """
    steps, tol, seed, max_norm = check_run_arguments(
        landscape, optimizer, steps, tol, seed, max_norm
    )
    n = check_int("n", n, low=2, high=2000)
    if landscape.dim != 2:
        raise ValueError(
            f"landscape must be 2-D for a basin map, got a {landscape.dim}-D landscape "
            f"({getattr(landscape, 'name', '?')})"
        )
    mins = getattr(landscape, "minimizers", None)
    if mins is None or len(mins) == 0:
        raise ValueError(
            f"landscape {getattr(landscape, 'name', '?')!r} has no known minimizers "
            "to label basins by"
        )
    mins = np.asarray(mins, dtype=float).reshape(-1, 2)
    radius = (
        _default_radius(landscape)
        if radius is None
        else check_number("radius", radius, positive=True)
    )
    (x_lo, x_hi), (y_lo, y_hi) = landscape.window
    xs = np.linspace(x_lo, x_hi, n)
    ys = np.linspace(y_lo, y_hi, n)
    X, Y = np.meshgrid(xs, ys)
    starts = np.column_stack([X.ravel(), Y.ravel()])
    slices = np.array_split(np.arange(len(starts)), min(10, n) if progress else 1)
    finals, status, taken = [], [], []
    for i, rows in enumerate(slices):
        b = run_batch(landscape, optimizer, starts[rows], steps=steps, tol=tol, seed=seed,
                      max_norm=max_norm)
        finals.append(b.x_final)
        status.append(b.status)
        taken.append(b.steps_taken)
        if progress:
            progress((i + 1) / len(slices))
    status = np.concatenate(status)
    labels = _label(np.concatenate(finals), mins, radius, status)
    counts = np.bincount(labels[labels >= 0], minlength=len(mins))
    return BasinMap(
        xs=xs,
        ys=ys,
        labels=labels.reshape(n, n),
        minimizers=mins,
        counts=counts,
        unlabeled=int(np.sum(labels < 0)),
        status=status.reshape(n, n),
        steps_taken=np.concatenate(taken).reshape(n, n),
        radius=radius,
    )


@dataclass(eq=False)
class RestartResult:
    """Random restarts: every start, where it ended, and the best of them.

    Attributes
    ----------
    starts, x_final : ndarray
        Where each restart began and ended, shape ``(n_starts, d)``.
    f_final : ndarray
        ``f`` at each end point, shape ``(n_starts,)``.
    status : ndarray
        Each restart's status (strings).
    best_x : ndarray
        The best end point, shape ``(d,)``.
    best_f : float
        ``f`` there.
    success : ndarray or None
        Booleans ``f_final <= global_min + success_tol`` (None when the landscape's
        global minimum is unknown).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("six_hump_camel")
    >>> r = lt.random_restarts(f, lt.gd(lr=0.01), n_starts=30, steps=2000, seed=0)
    >>> r
    RestartResult(30 restarts, best f = -1.03163, success rate 63%)
    >>> bool(r.best_so_far[-1] == r.best_f)
    True
    """

    starts: np.ndarray
    x_final: np.ndarray
    f_final: np.ndarray
    status: np.ndarray
    best_x: np.ndarray
    best_f: float
    success: np.ndarray | None

    @property
    def success_rate(self) -> float | None:
        """Fraction of restarts that found the global minimum."""
        return None if self.success is None else float(np.mean(self.success))

    @property
    def best_so_far(self) -> np.ndarray:
        """Best value after each restart (running minimum), NaN-safe."""
        vals = np.where(self.status == "diverged", np.inf, self.f_final)
        return np.minimum.accumulate(vals)

    def __repr__(self) -> str:
        rate = "" if self.success is None else f", success rate {self.success_rate:.0%}"
        return f"RestartResult({len(self.starts)} restarts, best f = {self.best_f:.6g}{rate})"


def random_restarts(
    landscape,
    optimizer,
    n_starts=20,
    steps=500,
    seed=0,
    tol=1e-8,
    success_tol=1e-4,
    max_norm=1e6,
) -> RestartResult:
    """Run from ``n_starts`` uniform random starts in the window; keep the best.

    Parameters
    ----------
    landscape : Landscape
    optimizer : Optimizer
    n_starts : int
        Number of restarts, >= 1.
    steps, tol, max_norm
        As in :func:`run_batch`.
    seed : int
        Seeds the start points (and the optimizer's random pieces).
    success_tol : float
        A restart succeeds if it ends within ``success_tol`` of the global
        minimum value.

    Returns
    -------
    RestartResult

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("six_hump_camel")
    >>> r = lt.random_restarts(f, lt.gd(lr=0.01), n_starts=30, steps=2000, seed=0)
    >>> round(r.best_f, 4)
    -1.0316
    """
    steps, tol, seed, max_norm = check_run_arguments(
        landscape, optimizer, steps, tol, seed, max_norm
    )
    n_starts = check_int("n_starts", n_starts, low=1, high=MAX_STARTS)
    success_tol = check_number("success_tol", success_tol, nonnegative=True)
    rng = np.random.default_rng(seed)
    lo, hi = window_bounds(landscape.window)
    starts = lo + (hi - lo) * rng.uniform(size=(n_starts, landscape.dim))
    b = run_batch(landscape, optimizer, starts, steps=steps, tol=tol, seed=seed, max_norm=max_norm)
    vals = np.where(b.status == "diverged", np.inf, b.f_final)
    best = int(np.argmin(vals))
    gmin = getattr(landscape, "global_min", None)
    success = None
    if gmin is not None:
        success = (b.status != "diverged") & (b.f_final <= gmin + success_tol)
    return RestartResult(
        starts=starts,
        x_final=b.x_final,
        f_final=b.f_final,
        status=b.status,
        best_x=b.x_final[best],
        best_f=float(b.f_final[best]),
        success=success,
    )


def saddle_escape_steps(
    landscape, optimizer, x0s, radius=1.0, steps=1000, saddle=None, seed=None, max_norm=1e6
) -> np.ndarray:
    """Steps each start needs to get farther than ``radius`` from a saddle.

    Runs without a convergence test (a start on the saddle's stable manifold
    must be allowed to sit there).

    Parameters
    ----------
    landscape : Landscape
    optimizer : Optimizer
    x0s : array_like
        Start points, shape ``(n, d)`` (or one point ``(d,)``).
    radius : float
        Escape distance, > 0.
    steps : int
        Most steps to try.
    saddle : array_like, optional
        Where the saddle is, shape ``(d,)``; default the origin (where the catalog's saddles
        sit).
    seed, max_norm
        As in :func:`run_batch`.

    Returns
    -------
    ndarray
        For each start (ints, shape ``(n,)``), the first ``k`` with
        ``|x_k - saddle| > radius``; 0 if the start is already outside, -1 if
        it never escaped within ``steps``.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("saddle")
    >>> lt.saddle_escape_steps(f, lt.gd(lr=0.1), [[1e-3, 1e-3]], radius=1.0).tolist()
    [38]
    """
    check_landscape(landscape)
    radius = check_number("radius", radius, positive=True)
    x = check_points("x0s", x0s, dim=landscape.dim)
    if x.ndim == 1:
        x = x[None, :]
    center = (
        np.zeros(landscape.dim)
        if saddle is None
        else check_points("saddle", saddle, dim=landscape.dim)
    )
    if center.ndim != 1:
        raise ValueError(
            f"saddle must be one point of shape ({landscape.dim},), got shape {center.shape}"
        )
    # the loop ends once every start has escaped (or diverged): later steps
    # cannot change a first escape
    b = run_batch(
        landscape, optimizer, x, steps=steps, tol=0.0, seed=seed, keep_path=True, max_norm=max_norm,
        until=lambda pts: np.linalg.norm(pts - center, axis=-1) > radius,
    )
    dist = np.linalg.norm(b.path - center, axis=-1)  # (k+1, n)
    out = dist > radius
    first = np.argmax(out, axis=0)
    return np.where(out.any(axis=0), first, -1)


def predicted_escape_steps(e, lr, lam, beta=0.0, nesterov=False):
    """Predicted steps to escape a saddle: ``ln(1/e) / ln(1 + lr |lam|)`` for gradient descent.

    Derivation: near a saddle, write ``x`` in the Hessian's eigenbasis. Along
    an eigenvector with eigenvalue ``lam < 0`` gradient descent gives
    ``y_{k+1} = y_k - lr * lam * y_k = (1 + lr |lam|) y_k``, so
    ``y_k = (1 + lr |lam|)^k y_0``. Starting a distance ``e`` (measured in
    units of the escape radius) from the saddle along that direction, the
    distance reaches 1 when ``(1 + lr |lam|)^k e = 1``, i.e. after
    ``k = ln(1/e) / ln(1 + lr |lam|)`` steps. (The positive-curvature
    directions shrink meanwhile; the count is exact for a quadratic saddle
    started on the unstable direction.)

    With momentum ``beta`` (heavy ball, :func:`~labtools.optim.momentum`,
    started from rest) the same coordinate follows the two-step recursion
    ``y_{k+1} = (1 + beta + h) y_k - beta y_{k-1}`` with ``h = lr |lam|`` and
    ``y_1 = (1 + h) y_0`` (polyak1964some; goh2017momentum analyses it on
    quadratics). Its solution is ``y_k = e (c r1^k + (1 - c) r2^k)``, where
    ``r1 > r2`` are the roots of ``z^2 - (1 + beta + h) z + beta`` and
    ``c = (1 + h - r2) / (r1 - r2)``; once ``r1^k`` dominates, the escape
    takes ``k = ln(1/(c e)) / ln r1`` steps. With ``nesterov=True``
    (:func:`~labtools.optim.nesterov`) the roots are those of
    ``z^2 - (1 + beta)(1 + h) z + beta (1 + h)`` and ``y_1 = (1 + h + beta h) y_0``.
    ``beta = 0`` gives back the gradient-descent formula.

    Parameters
    ----------
    e : float or array_like
        Initial offset relative to the escape radius, in (0, 1].
    lr : float
        Learning rate, > 0.
    lam : float
        The negative (or any nonzero) eigenvalue; its magnitude is used.
    beta : float, default 0.0
        Momentum, in [0, 1).
    nesterov : bool, default False
        Nesterov's momentum instead of the heavy ball.

    Returns
    -------
    float or ndarray

    References
    ----------
    polyak1964some, goh2017momentum

    Examples
    --------
    >>> round(predicted_escape_steps(1e-3, lr=0.1, lam=-2.0), 3)
    37.888
    >>> round(predicted_escape_steps(1e-3, lr=0.1, lam=-2.0, beta=0.9), 3)
    18.037
    >>> import labtools as lt
    >>> lt.saddle_escape_steps(lt.landscape("saddle"), lt.momentum(lr=0.1, beta=0.9),
    ...                        [[0.0, 1e-3]], radius=1.0).tolist()
    [19]
    """
    e_arr = np.asarray(e, dtype=float) if not isinstance(e, str) else None
    if e_arr is None or not np.all(np.isfinite(e_arr)) or np.any(e_arr <= 0) or np.any(e_arr > 1):
        raise ValueError(f"e must be in (0, 1] (offset relative to the radius), got {show(e)}")
    lr = check_number("lr", lr, positive=True)
    lam = check_number("lam", lam)
    beta = check_number("beta", beta, nonnegative=True)
    if beta >= 1:
        raise ValueError(f"beta must be below 1, got {show(beta)}")
    if lam == 0:
        raise ValueError("lam must be a nonzero eigenvalue, got 0.0 (no escape direction)")
    h = lr * abs(lam)
    if beta == 0:
        out = np.log(1.0 / e_arr) / math.log1p(h)
        return float(out) if out.ndim == 0 else out
    if nesterov:
        trace, det, first = (1 + beta) * (1 + h), beta * (1 + h), 1 + h + beta * h
    else:
        trace, det, first = 1 + beta + h, beta, 1 + h
    r1 = 0.5 * (trace + math.sqrt(trace * trace - 4 * det))
    r2 = det / r1
    c = (first - r2) / (r1 - r2)
    out = np.log(1.0 / (c * e_arr)) / math.log(r1)
    return float(out) if out.ndim == 0 else out
