"""Mini-batch runs on a finite-sum landscape: ``run_sgd`` (one run, an :class:`SGDTrace`)
and ``sgd_escape_steps`` (many seeded runs at once, the step each leaves a ball).

Every step draws a fresh mini-batch: ``batch_size`` distinct examples chosen
uniformly at random (without replacement within the batch, independently
from step to step), so each step's gradient is an unbiased estimate of the
full gradient. Both functions draw their batches by one rule,
:func:`draw_batches`, so one run of ``sgd_escape_steps`` and ``run_sgd`` with
the same seed visit the same points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_number, check_points, check_seed, show
from ..landscapes import FiniteSum
from ..optim.base import check_lr, lr_value
from .loop import MAX_STARTS, MAX_STEPS, Trace, check_run_arguments, descend

__all__ = [
    "SGDTrace",
    "run_sgd",
    "sgd_escape_steps",
]


def check_finite_sum(landscape):
    if not isinstance(landscape, FiniteSum):
        raise TypeError(
            "landscape must be a finite sum such as lt.finite_sum('escapable_saddle') "
            f"(mini-batches need examples), got {show(landscape)}"
        )
    return landscape


def check_batch_size(batch_size, n):
    """``batch_size`` as an int in ``[1, n]``, or a clear error."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, float, np.number)):
        raise TypeError(f"batch_size must be a whole number from 1 to n = {n}, "
                        f"got {show(batch_size)}")
    b = check_number("batch_size", batch_size)
    if not float(b).is_integer() or not 1 <= b <= n:
        raise ValueError(
            f"batch_size must be a whole number from 1 to the number of examples "
            f"(n = {n}), got {show(batch_size)}"
        )
    return int(b)


def draw_batches(rng, n, batch_size, rows):
    """``rows`` mini-batches of ``batch_size`` distinct indices of ``range(n)``: ``(rows, B)``.

    Each row is a uniformly random subset (the indices of the ``batch_size``
    smallest of ``n`` uniform numbers; one uniform index when ``batch_size``
    is 1; every index, with no draw, when it is ``n``), the one rule of :func:`run_sgd` and
    :func:`sgd_escape_steps`.
    """
    if batch_size == n:
        return np.broadcast_to(np.arange(n), (rows, n))
    if batch_size == 1:
        return rng.integers(n, size=(rows, 1))
    keys = rng.random((rows, n))
    return np.argpartition(keys, batch_size - 1, axis=1)[:, :batch_size]


@dataclass(eq=False)
class SGDTrace(Trace):
    """A :class:`Trace` of a mini-batch run, with the batches it drew.

    ``values`` and ``grad_norms`` are those of the full objective at every
    recorded point, as in any Trace; the attributes below are added.

    Attributes
    ----------
    batches : ndarray, shape (steps_taken, B)
        The example indices of each step's mini-batch.
    batch_grads : ndarray, shape (steps_taken, d)
        The mini-batch gradient each step descended.
    full_grads : ndarray, shape (steps_taken, d)
        The full gradient at the point each step started from.
    """

    batches: np.ndarray = None
    batch_grads: np.ndarray = None
    full_grads: np.ndarray = None


def run_sgd(landscape, optimizer, x0, batch_size, steps=100, seed=None, tol=0.0,
            max_norm=1e6) -> SGDTrace:
    """Run ``optimizer`` on a finite sum with a fresh mini-batch gradient at every step.

    The loop is :func:`labtools.run.run`'s: the trace records the full
    objective, stops as ``"converged"`` when the full gradient norm is below
    ``tol`` (default 0: never) and as ``"diverged"`` on NaN/inf or
    ``|x| > max_norm``. Only the gradient each step descends changes: the
    mean gradient of ``batch_size`` examples drawn by ``draw_batches``.
    Second-order optimizers are handed the mini-batch's own loss as the oracle.
    With ``batch_size = n`` the run equals ``lt.run`` (full batch).

    Parameters
    ----------
    landscape : FiniteSum
        From :func:`labtools.landscapes.finite_sum`.
    optimizer : Optimizer
        For example ``lt.gd(lr=0.1)`` (plain SGD).
    x0 : array_like, shape (d,)
    batch_size : int
        Examples per mini-batch, from 1 to ``landscape.n``.
    steps : int
        Number of steps, >= 0.
    seed : int or None
        Seed of the mini-batch draws (the optimizer's own randomness keeps its seed).
    tol, max_norm : float
        As in :func:`labtools.run.run`.

    Returns
    -------
    SGDTrace

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.finite_sum("escapable_saddle", n=16, spread=0.3, seed=0)
    >>> t = lt.run_sgd(f, lt.gd(lr=0.1), x0=[1.0, 0.0], batch_size=4, steps=200, seed=0)
    >>> t.batches.shape, bool(abs(t.x_final[1]) > 0.5)      # left the saddle along y
    ((200, 4), True)
    >>> full = lt.run(f, lt.gd(lr=0.1), x0=[1.0, 0.0], steps=200, tol=0)
    >>> bool(np.abs(full.x_final).max() < 1e-6)                # full batch: onto the saddle
    True
    """
    check_finite_sum(landscape)
    steps, tol, seed, max_norm = check_run_arguments(
        landscape, optimizer, steps, tol, seed, max_norm
    )
    batch_size = check_batch_size(batch_size, landscape.n)
    x = check_points("x0", x0, dim=landscape.dim)
    if x.ndim != 1:
        raise ValueError(
            f"x0 must be one point of shape ({landscape.dim},), got shape {x.shape}; "
            "use sgd_escape_steps for many runs"
        )
    rng = np.random.default_rng(seed)
    batches, batch_grads, full_grads = [], [], []

    def step_gradient(k, x, g_full):
        idx = draw_batches(rng, landscape.n, batch_size, 1)[0]
        g = landscape.batch_grad(x, idx)
        batches.append(idx)
        batch_grads.append(g)
        full_grads.append(g_full)
        oracle = landscape if batch_size == landscape.n else landscape.subset(idx)
        return g, oracle

    t = descend(landscape, optimizer, x, optimizer.init(x), steps, tol=tol, max_norm=max_norm,
                step_gradient=step_gradient)
    k, d = t.steps_taken, landscape.dim
    return SGDTrace(
        xs=t.xs, values=t.values, grad_norms=t.grad_norms, lrs=t.lrs, status=t.status,
        diverged_at=t.diverged_at, steps_taken=k, reason=t.reason, state=t.state,
        batches=np.array(batches[:k], dtype=int).reshape(k, batch_size),
        batch_grads=np.array(batch_grads[:k], dtype=float).reshape(k, d),
        full_grads=np.array(full_grads[:k], dtype=float).reshape(k, d),
    )


def sgd_escape_steps(landscape, lr, x0, batch_size, n_runs=100, steps=1000, radius=1.0,
                     center=None, seed=None) -> np.ndarray:
    """For many seeded runs of plain SGD, the first step at which each leaves a ball.

    All runs start at ``x0`` and step ``x <- x - lr * (mini-batch gradient)``,
    vectorized over runs (each run still inside the ball draws its own batch
    at every step, all from one generator seeded by ``seed``, by
    ``draw_batches``; so one run equals :func:`run_sgd` with ``lt.gd(lr)``). A
    run escapes at the first step ``k`` with ``|x_k - center| > radius``; a
    run whose point becomes NaN or inf counts as escaped at that step.

    Parameters
    ----------
    landscape : FiniteSum
    lr : float or schedule
        Learning rate (a schedule is called with the step 0, 1, ...).
    x0 : array_like, shape (d,)
        Common start point.
    batch_size : int
        From 1 to ``landscape.n``.
    n_runs : int
        Number of runs, >= 1.
    steps : int
        Most steps per run.
    radius : float
        Escape distance, > 0.
    center : array_like, shape (d,), optional
        Centre of the ball; default ``x0``.
    seed : int or None

    Returns
    -------
    ndarray of int, shape (n_runs,)
        The escape step of each run, 0 if ``x0`` is already outside, -1 if it
        stayed inside for all ``steps``.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.finite_sum("escapable_saddle", n=16, spread=0.3, seed=0)
    >>> k = lt.sgd_escape_steps(f, 0.1, [0.0, 0.0], batch_size=4, n_runs=50, radius=0.5, seed=0)
    >>> bool((k > 0).all()), int(np.median(k)) < 100
    (True, True)
    """
    check_finite_sum(landscape)
    lr = check_lr(lr)
    x = check_points("x0", x0, dim=landscape.dim)
    if x.ndim != 1:
        raise ValueError(f"x0 must be one point of shape ({landscape.dim},), got shape {x.shape}")
    batch_size = check_batch_size(batch_size, landscape.n)
    n_runs = check_int("n_runs", n_runs, low=1, high=MAX_STARTS)
    steps = check_int("steps", steps, low=0, high=MAX_STEPS)
    radius = check_number("radius", radius, positive=True)
    c = x if center is None else check_points("center", center, dim=landscape.dim)
    if c.ndim != 1:
        raise ValueError(f"center must be one point of shape ({landscape.dim},), "
                         f"got shape {c.shape}")
    rng = np.random.default_rng(check_seed(seed))
    out = np.full(n_runs, -1, dtype=int)
    pts = np.tile(x, (n_runs, 1))
    if np.linalg.norm(x - c) > radius:
        return np.zeros(n_runs, dtype=int)
    active = np.arange(n_runs)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            idx = draw_batches(rng, landscape.n, batch_size, len(active))
            rate = lr_value(lr, k - 1, "lr") if callable(lr) else lr
            g = landscape.batch_grad(pts[active], idx)
            pts[active] = pts[active] - rate * g
            left = ~(np.linalg.norm(pts[active] - c, axis=1) <= radius)
            out[active[left]] = k
            active = active[~left]
            if not len(active):
                break
    return out
