"""One loop for every optimizer: ``run`` returns a :class:`Trace`.

``run`` drives any :class:`~labtools.optim.Optimizer` on a landscape from one
start point and records the points, values, gradient norms and learning rates;
it stops when the gradient is small (``"converged"``), when the iterate
overflows, turns NaN or leaves the ball ``|x| <= max_norm`` (``"diverged"``,
with no floating-point warning reaching the notebook), or when the steps run
out (``"max_steps"``).

``run_batch`` runs the same optimizer from many starts at once, one vectorized
update per step; ``basin_map``, ``random_restarts`` and
``saddle_escape_steps`` are the course's experiments built on it.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_int, check_number, check_points, fmt, show
from .landscapes import _window_bounds
from .optim import OPTIMIZERS, Optimizer, _check_seed, _init_with_seed, _Schedule, current_lr

__all__ = [
    "Trace",
    "BatchTrace",
    "BasinMap",
    "RestartResult",
    "run",
    "run_batch",
    "basin_map",
    "random_restarts",
    "saddle_escape_steps",
    "predicted_escape_steps",
]

STATUSES = ("converged", "diverged", "max_steps")


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------


def _check_landscape(landscape):
    needed = ("dim", "f", "grad")
    if not all(hasattr(landscape, a) for a in needed):
        raise TypeError(
            "landscape must be a Landscape such as lt.landscape('himmelblau') "
            f"(with dim, f and grad), got {show(landscape)}"
        )
    return landscape


def _check_optimizer(opt):
    if isinstance(opt, Optimizer):
        return opt
    if inspect.isfunction(opt) and opt.__module__.endswith("optim"):
        example = (
            f"{opt.__name__}(lr=0.1)" if opt.__name__ in OPTIMIZERS else (f"{opt.__name__}(...)")
        )
        raise TypeError(
            f"optimizer must be an Optimizer, got the function {opt.__name__}; "
            f"call it with its hyperparameters, e.g. {example}"
        )
    if isinstance(opt, _Schedule):
        raise TypeError(
            f"optimizer must be an Optimizer, got the learning-rate schedule {opt!r}; "
            "pass it as an lr instead, e.g. lt.gd(lr=schedule)"
        )
    if isinstance(opt, str):
        raise TypeError(
            f"optimizer must be an Optimizer, got the string {opt!r}; "
            f"build one with lt.optimizer({opt!r}, lr=0.1)"
        )
    raise TypeError(
        f"optimizer must be an Optimizer such as lt.gd(lr=0.1) or lt.chain(...), got {show(opt)}"
    )


def _check_common(landscape, optimizer, steps, tol, seed, max_norm):
    _check_landscape(landscape)
    _check_optimizer(optimizer)
    steps = check_int("steps", steps, low=0)
    tol = check_number("tol", tol, nonnegative=True)
    seed = _check_seed(seed)
    max_norm = check_number("max_norm", max_norm, positive=True)
    return steps, tol, seed, max_norm


# --------------------------------------------------------------------------
# one start
# --------------------------------------------------------------------------


@dataclass(eq=False)
class Trace:
    """The record of one run.

    Attributes
    ----------
    xs : ndarray
        Shape ``(k+1, d)``: the start point and every accepted iterate (all
        finite).
    values : ndarray
        Shape ``(k+1,)``: ``f`` at each point.
    grad_norms : ndarray
        Shape ``(k+1,)``: the gradient norm at each point.
    lrs : ndarray
        Shape ``(k,)``: the learning rate used by each step (NaN for methods
        without one).
    status : str
        ``"converged"``, ``"diverged"`` or ``"max_steps"``.
    diverged_at : int or None
        The step (1, 2, ...) that produced a non-finite or too-large point;
        that point is not stored, so ``xs`` ends just before it.
    steps_taken : int
        ``k``, the number of steps recorded.
    reason : str
        Why a diverged run was stopped.
    state : object
        The optimizer state after the last recorded step.

    Examples
    --------
    >>> import labtools as lt
    >>> t = lt.run(lt.landscape("quadratic"), lt.gd(lr=0.1), x0=[1.0, 1.0], steps=3, tol=0)
    >>> t.xs.shape, t.lrs.tolist(), t.status
    ((4, 2), [0.1, 0.1, 0.1], 'max_steps')
    >>> t.message
    'stopped after 3 steps without converging (gradient norm still 0.729)'
    """

    xs: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    lrs: np.ndarray
    status: str
    diverged_at: int | None
    steps_taken: int
    reason: str = ""
    state: object = field(default=None, repr=False)

    @property
    def x_final(self) -> np.ndarray:
        """The last recorded point."""
        return self.xs[-1]

    @property
    def f_final(self) -> float:
        """``f`` at the last recorded point."""
        return float(self.values[-1])

    @property
    def message(self) -> str:
        """What happened, in plain English."""
        k = self.steps_taken
        if self.status == "converged":
            return (
                f"converged after {k} step{'s' if k != 1 else ''} "
                f"(gradient norm {fmt(self.grad_norms[-1])})"
            )
        if self.status == "diverged":
            return f"diverged at step {self.diverged_at} ({self.reason})"
        return (
            f"stopped after {k} steps without converging "
            f"(gradient norm still {fmt(self.grad_norms[-1])})"
        )

    def __repr__(self) -> str:
        x = np.array2string(self.x_final, precision=4, separator=", ")
        return (
            f"Trace({self.message}; x_final={x}, f_final={self.f_final:.6g}, {len(self.xs)} points)"
        )


def run(landscape, optimizer, x0, steps=100, tol=1e-8, seed=None, max_norm=1e6) -> Trace:
    """Run ``optimizer`` on ``landscape`` from ``x0``.

    Parameters
    ----------
    landscape : Landscape
        What to minimize (from ``lt.landscape(...)``).
    optimizer : Optimizer
        For example ``lt.adam(lr=0.05)``.
    x0 : array_like
        Start point, shape ``(d,)``; ``d`` must equal ``landscape.dim``.
    steps : int
        Largest number of steps, >= 0.
    tol : float
        Stop (``"converged"``) once the gradient norm is below ``tol``.
    seed : int, optional
        Overrides the optimizer's own seed for its random pieces.
    max_norm : float
        A point with ``|x| > max_norm`` (or NaN/inf anywhere) means
        ``"diverged"``.

    Returns
    -------
    Trace

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> t = lt.run(f, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=1000)
    >>> t.status, [round(float(v), 4) for v in t.x_final]
    ('converged', [3.0, 2.0])
    >>> lt.run(f, lt.gd(lr=1.0), x0=[0.0, 0.0]).message
    'diverged at step 3 (|x| = 3.32e+14 exceeded max_norm = 1e+06; try a smaller lr)'
    """
    steps, tol, seed, max_norm = _check_common(landscape, optimizer, steps, tol, seed, max_norm)
    x = check_points("x0", x0, dim=landscape.dim)
    if x.ndim != 1:
        raise ValueError(
            f"x0 must be one point of shape ({landscape.dim},), got shape {x.shape}; "
            "use run_batch for many start points"
        )
    xs, values, gnorms, lrs = [x], [], [], []
    status, diverged_at, reason = "max_steps", None, ""
    with np.errstate(all="ignore"):
        f0 = float(landscape.f(x))
        g = np.asarray(landscape.grad(x), dtype=float)
        gn = float(np.linalg.norm(g))
        values.append(f0)
        gnorms.append(gn)
        state = _init_with_seed(optimizer.init, x, seed)
        if not (np.isfinite(f0) and np.isfinite(gn)):
            status, diverged_at = "diverged", 0
            reason = "f or its gradient is not finite at x0"
        elif gn < tol:
            status = "converged"
        else:
            for k in range(1, steps + 1):
                step, new_state = optimizer.update(g, state, x, landscape)
                x_new = x + np.asarray(step, dtype=float)
                problem = _divergence(x_new, max_norm)
                if not problem:
                    f_new = float(landscape.f(x_new))
                    g_new = np.asarray(landscape.grad(x_new), dtype=float)
                    gn = float(np.linalg.norm(g_new))
                    if not (np.isfinite(f_new) and np.isfinite(gn)):
                        problem = "f or its gradient overflowed"
                if problem:
                    hint = "" if math.isnan(current_lr(new_state)) else "; try a smaller lr"
                    status, diverged_at, reason = "diverged", k, problem + hint
                    break
                state, x, g = new_state, x_new, g_new
                xs.append(x)
                values.append(f_new)
                gnorms.append(gn)
                lrs.append(current_lr(state))
                if gn < tol:
                    status = "converged"
                    break
    return Trace(
        xs=np.array(xs),
        values=np.array(values),
        grad_norms=np.array(gnorms),
        lrs=np.array(lrs, dtype=float),
        status=status,
        diverged_at=diverged_at,
        steps_taken=len(xs) - 1,
        reason=reason,
        state=state,
    )


def _divergence(x_new, max_norm, name="x") -> str:
    """Why the point a step produced means divergence, or ``""`` if it does not.

    Shared by :func:`run` and :func:`labtools.nn.train` (which calls the point
    ``theta``).
    """
    if not np.all(np.isfinite(x_new)):
        return "the step produced NaN or inf"
    norm = float(np.linalg.norm(x_new))
    if norm > max_norm:
        return f"|{name}| = {norm:.3g} exceeded max_norm = {max_norm:.3g}"
    return ""


# --------------------------------------------------------------------------
# many starts
# --------------------------------------------------------------------------


@dataclass(eq=False)
class BatchTrace:
    """The record of a batched run from ``n`` starts.

    Attributes
    ----------
    x0s : ndarray
        Start points, shape ``(n, d)``.
    x_final : ndarray
        Last finite point of each run, shape ``(n, d)`` (frozen where it
        converged or diverged).
    f_final, grad_norm_final : ndarray
        ``f`` and the gradient norm at ``x_final``, shape ``(n,)``.
    status : ndarray
        ``"converged"``, ``"diverged"`` or ``"max_steps"`` per start.
    steps_taken : ndarray
        Steps each start took (ints, shape ``(n,)``).
    diverged_at : ndarray
        Step that diverged, -1 where none did (ints, shape ``(n,)``).
    path : ndarray or None
        Every iterate, shape ``(k+1, n, d)`` (rows frozen after they stop),
        if ``keep_path``.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> b = lt.run_batch(f, lt.gd(lr=0.3), [[1.0, 0.0], [0.0, 1.0]], steps=100)
    >>> b
    BatchTrace(2 starts: 1 converged, 1 diverged, 0 ran out of steps)
    >>> b.diverged_at.tolist()
    [-1, 20]
    """

    x0s: np.ndarray
    x_final: np.ndarray
    f_final: np.ndarray
    grad_norm_final: np.ndarray
    status: np.ndarray
    steps_taken: np.ndarray
    diverged_at: np.ndarray
    path: np.ndarray | None = None

    @property
    def counts(self) -> dict:
        """How many starts ended in each status."""
        return {s: int(np.sum(self.status == s)) for s in STATUSES}

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"BatchTrace({len(self.x0s)} starts: {c['converged']} converged, "
            f"{c['diverged']} diverged, {c['max_steps']} ran out of steps)"
        )


def run_batch(
    landscape, optimizer, x0s, steps=100, tol=1e-8, seed=None, keep_path=False, max_norm=1e6
) -> BatchTrace:
    """Run ``optimizer`` from every row of ``x0s`` at once (one vectorized update per step).

    Rows stop exactly as :func:`run` would stop them: a row whose gradient
    norm drops below ``tol`` or whose step is non-finite or leaves
    ``|x| <= max_norm`` is frozen (its later steps are masked out), so for a
    deterministic optimizer each row equals ``run`` from that start. Random
    optimizers draw one ``(n, d)`` sample per step, so their rows differ from
    single runs but are reproducible with ``seed``.

    Parameters
    ----------
    landscape : Landscape
    optimizer : Optimizer
    x0s : array_like
        Start points, shape ``(n, d)``.
    steps : int
    tol : float
    seed : int, optional
    keep_path : bool
        Also return every iterate, shape ``(steps+1, n, d)`` (memory grows
        with ``steps * n``).
    max_norm : float

    Returns
    -------
    BatchTrace

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> b = lt.run_batch(f, lt.gd(lr=0.01), [[0, 0], [-1, 1], [1, -2]], steps=2000)
    >>> b.status.tolist()
    ['converged', 'converged', 'converged']
    """
    steps, tol, seed, max_norm = _check_common(landscape, optimizer, steps, tol, seed, max_norm)
    x = check_points("x0s", x0s, dim=landscape.dim)
    if x.ndim == 1:
        x = x[None, :]
    n = x.shape[0]
    x0s_arr = x.copy()
    status = np.full(n, "max_steps", dtype=object)
    steps_taken = np.zeros(n, dtype=np.int64)
    diverged_at = np.full(n, -1, dtype=np.int64)
    path = [x.copy()] if keep_path else None
    with np.errstate(all="ignore"):
        f0 = np.asarray(landscape.f(x), dtype=float).reshape(n)
        g = np.asarray(landscape.grad(x), dtype=float).reshape(n, -1)
        gn = np.linalg.norm(g, axis=-1)
        bad0 = ~(np.isfinite(f0) & np.isfinite(gn))
        status[bad0] = "diverged"
        diverged_at[bad0] = 0
        conv0 = ~bad0 & (gn < tol)
        status[conv0] = "converged"
        active = ~(bad0 | conv0)
        state = _init_with_seed(optimizer.init, x, seed)
        for k in range(1, steps + 1):
            if not active.any():
                break
            step, state = optimizer.update(g, state, x, landscape)
            x_new = x + np.asarray(step, dtype=float)
            finite = np.all(np.isfinite(x_new), axis=-1)
            size = np.linalg.norm(np.where(finite[:, None], x_new, 0.0), axis=-1)
            ok = finite & (size <= max_norm)
            x_eval = np.where(ok[:, None], x_new, x)
            g_new = np.asarray(landscape.grad(x_eval), dtype=float).reshape(n, -1)
            gn_new = np.linalg.norm(g_new, axis=-1)
            ok &= np.isfinite(gn_new)
            newly_bad = active & ~ok
            status[newly_bad] = "diverged"
            diverged_at[newly_bad] = k
            moving = active & ok
            x = np.where(moving[:, None], x_new, x)
            g = np.where(moving[:, None], g_new, g)
            gn = np.where(moving, gn_new, gn)
            steps_taken[moving] = k
            conv = moving & (gn_new < tol)
            status[conv] = "converged"
            active = moving & ~conv
            if keep_path:
                path.append(x.copy())
        f_final = np.asarray(landscape.f(x), dtype=float).reshape(n)
    # f may overflow where the gradient did not: report such rows as diverged
    late = np.isin(status, ["converged", "max_steps"]) & ~np.isfinite(f_final)
    status[late] = "diverged"
    diverged_at[late] = steps_taken[late]
    return BatchTrace(
        x0s=x0s_arr,
        x_final=x,
        f_final=f_final,
        grad_norm_final=gn,
        status=status.astype(str),
        steps_taken=steps_taken,
        diverged_at=diverged_at,
        path=np.array(path) if keep_path else None,
    )


# --------------------------------------------------------------------------
# experiments
# --------------------------------------------------------------------------


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
    steps, tol, seed, max_norm = _check_common(landscape, optimizer, steps, tol, seed, max_norm)
    n = check_int("n", n, low=2)
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
    steps, tol, seed, max_norm = _check_common(landscape, optimizer, steps, tol, seed, max_norm)
    n_starts = check_int("n_starts", n_starts, low=1)
    success_tol = check_number("success_tol", success_tol, nonnegative=True)
    rng = np.random.default_rng(seed)
    lo, hi = _window_bounds(landscape.window)
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
    _check_landscape(landscape)
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
    b = run_batch(
        landscape, optimizer, x, steps=steps, tol=0.0, seed=seed, keep_path=True, max_norm=max_norm
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
