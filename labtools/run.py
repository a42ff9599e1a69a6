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
from typing import NamedTuple

import numpy as np

from ._checks import check_int, check_number, check_points, check_seed, fmt, show
from .landscapes import window_bounds
from .optim import OPTIMIZERS, Optimizer, Schedule, current_lr
from .optim.base import init_with_seed, row_norm

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

#: Most steps one run takes (a Trace keeps every point).
MAX_STEPS = 10_000_000

#: Most start points of one batch, and most numbers a kept batch path may hold.
MAX_STARTS = 10**7
MAX_PATH_VALUES = 10**8


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
    if inspect.isfunction(opt) and opt.__module__.startswith("labtools.optim"):
        example = (
            f"{opt.__name__}(lr=0.1)" if opt.__name__ in OPTIMIZERS else (f"{opt.__name__}(...)")
        )
        raise TypeError(
            f"optimizer must be an Optimizer, got the function {opt.__name__}; "
            f"call it with its hyperparameters, e.g. {example}"
        )
    if isinstance(opt, Schedule):
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
    steps = check_int("steps", steps, low=0, high=MAX_STEPS)
    tol = check_number("tol", tol, nonnegative=True)
    seed = check_seed(seed)
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
    state = init_with_seed(optimizer.init, x, seed)
    return descend(landscape, optimizer, x, state, steps=steps, tol=tol, max_norm=max_norm)


class Step(NamedTuple):
    """One attempted step of the loop, for one point ``(d,)`` or a batch ``(n, d)``.

    ``x`` is the candidate point, ``f``, ``g`` and ``grad_norm`` the landscape
    there (at the old point for a row whose candidate is unusable), ``state``
    the optimizer state after the step, ``size`` the candidate's norm (0 if
    not finite), and ``problem`` per row: 0 (fine), 1 (NaN or inf in the
    step), 2 (``|x| > max_norm``) or 3 (``f`` or its gradient NaN or inf at
    the candidate): the keys of the loop's divergence reasons.
    """

    x: np.ndarray
    f: np.ndarray
    g: np.ndarray
    grad_norm: np.ndarray
    state: object
    size: np.ndarray
    problem: np.ndarray


_REASONS = {
    1: "the step produced NaN or inf",
    2: "|{name}| = {norm:.3g} exceeded max_norm = {max_norm:.3g}",
    3: "f or its gradient is NaN or inf there",
}


def try_step(landscape, optimizer, x, g, state, max_norm, oracle=None) -> Step:
    """Take one optimizer step from ``x`` and check the point it produces.

    The one stepping rule behind :func:`run` and :func:`run_batch` (and the
    loops built on them): a candidate is accepted only if it is finite, lies
    within ``|x| <= max_norm`` and has a finite ``f`` and gradient. Norms use
    one formula (:func:`~labtools.optim.base.row_norm`) for one point and for
    a batch, so a batch row and a single run agree to the last bit. Call it
    under ``np.errstate(all="ignore")``.

    ``oracle`` is what the optimizer is handed (default: ``landscape``; a
    mini-batch trainer hands it the batch's loss). For one point, a landscape
    with ``value_and_grad(x)`` is evaluated in one pass instead of two.
    """
    step, new_state = optimizer.update(g, state, x, landscape if oracle is None else oracle)
    x_new = x + np.asarray(step, dtype=float)
    finite = np.all(np.isfinite(x_new), axis=-1)
    size = row_norm(np.where(finite[..., None], x_new, 0.0))
    problem = np.where(finite, np.where(size > max_norm, 2, 0), 1)
    x_eval = np.where((problem == 0)[..., None], x_new, x)
    f_new, g_new = value_and_grad(landscape, x_eval)
    f_new = np.asarray(f_new, dtype=float).reshape(problem.shape)
    g_new = np.asarray(g_new, dtype=float).reshape(np.shape(x))
    gn_new = row_norm(g_new)
    bad = (problem == 0) & ~(np.isfinite(f_new) & np.isfinite(gn_new))
    problem = np.where(bad, 3, problem)
    return Step(x_new, f_new, g_new, gn_new, new_state, size, problem)


def divergence_reason(x_new, max_norm, name="x") -> str:
    """Why a point means divergence (NaN/inf, or ``|x| > max_norm``), or ``""``.

    The words :func:`run` uses, for loops that check their own iterate
    (``name`` is how the message calls the point, e.g. ``"theta"``).

    Examples
    --------
    >>> divergence_reason(np.array([3e6, 4e6]), 1e6)
    '|x| = 5e+06 exceeded max_norm = 1e+06'
    """
    x_new = np.asarray(x_new, dtype=float)
    if not np.all(np.isfinite(x_new)):
        return _REASONS[1]
    norm = float(row_norm(x_new.reshape(-1)))
    if norm > max_norm:
        return _REASONS[2].format(name=name, norm=norm, max_norm=max_norm)
    return ""


# --------------------------------------------------------------------------
# the loop of one start: run, labtools.nn.train and labtools.nn.bezier_curve_fit
# (one loop on try_step, so every trace follows the same rules)
# --------------------------------------------------------------------------


def value_and_grad(landscape, x):
    """``(f(x), grad f(x))``, in one pass when ``landscape`` has ``value_and_grad``.

    ``value_and_grad`` is used for one point ``(d,)`` only (the network's
    landscape offers it; symbolic landscapes do not need it).
    """
    both = getattr(landscape, "value_and_grad", None)
    if callable(both) and np.ndim(x) == 1:
        return both(x)
    return landscape.f(x), landscape.grad(x)


def descend(landscape, optimizer, x0, state, steps, tol=0.0, max_norm=1e6, *,
            step_gradient=None, keep_path=True, name="x") -> Trace:
    """The loop of one start; :func:`run` is this plus its argument checks.

    Steps with :func:`try_step` from ``x0`` and the optimizer state ``state``
    and records, at every accepted point, the value and gradient norm of
    ``landscape`` there. The rules, the same for every caller:

    - ``values`` and ``grad_norms`` have ``steps_taken + 1`` entries (one per
      recorded point, ``x0`` included) and ``lrs`` has ``steps_taken``;
    - ``"converged"`` as soon as a recorded gradient norm is below ``tol``
      (never when ``tol`` is 0);
    - ``"diverged"`` at step ``k`` when :func:`try_step` rejects the point,
      with its reason; the message suggests a smaller lr only when the
      optimizer has one (step 0 if ``f`` or its gradient is not finite at
      ``x0``);
    - ``"max_steps"`` otherwise. No floating-point warning escapes.

    Arguments are not checked: callers (``run``, ``labtools.nn.train``,
    ``labtools.nn.bezier_curve_fit``) check them.

    Parameters
    ----------
    landscape : object
        Has ``f`` and ``grad`` (and optionally ``value_and_grad``).
    optimizer : Optimizer
        Anything with ``update(g, state, x, oracle)``.
    x0 : ndarray, shape (d,)
    state : object
        The optimizer's initial state.
    steps : int
    tol : float
    max_norm : float
    step_gradient : callable, optional
        ``(k, x, g) -> (g_step, oracle)``: the gradient step ``k`` (1, 2, ...)
        descends and the oracle the optimizer is handed. By default ``g``, the
        landscape's gradient at ``x``, and the landscape itself; a mini-batch
        trainer returns one batch's gradient and loss, while the trace still
        records ``landscape`` (the full loss).
    keep_path : bool
        If False, ``xs`` holds only the last point, shape ``(1, d)``.
    name : str
        What messages call the point (``"theta"`` for a network; the start
        point is then ``theta0``).

    Returns
    -------
    Trace

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> opt = lt.gd(lr=0.1)
    >>> x0 = np.array([1.0, 1.0])
    >>> t = descend(f, opt, x0, opt.init(x0), steps=3)
    >>> t.grad_norms.shape, t.lrs.shape, t.status
    ((4,), (3,), 'max_steps')
    """
    x = x0
    xs, values, gnorms, lrs = [x], [], [], []
    status, diverged_at, reason = "max_steps", None, ""
    with np.errstate(all="ignore"):
        f0, g = value_and_grad(landscape, x)
        f0, g = float(f0), np.asarray(g, dtype=float)
        gn = float(row_norm(g))
        values.append(f0)
        gnorms.append(gn)
        if not (np.isfinite(f0) and np.isfinite(gn)):
            status, diverged_at = "diverged", 0
            reason = f"f or its gradient is not finite at {name}0"
        elif gn < tol:
            status = "converged"
        else:
            for k in range(1, steps + 1):
                g_step, oracle = (g, None) if step_gradient is None else step_gradient(k, x, g)
                s = try_step(landscape, optimizer, x, g_step, state, max_norm, oracle=oracle)
                if s.problem:
                    hint = "" if math.isnan(current_lr(s.state)) else "; try a smaller lr"
                    reason = _REASONS[int(s.problem)].format(
                        name=name, norm=float(s.size), max_norm=max_norm
                    )
                    status, diverged_at, reason = "diverged", k, reason + hint
                    break
                state, x, g, gn = s.state, s.x, s.g, float(s.grad_norm)
                if keep_path:
                    xs.append(x)
                else:
                    xs[0] = x
                values.append(float(s.f))
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
        steps_taken=len(values) - 1,
        reason=reason,
        state=state,
    )


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
    if n > MAX_STARTS:
        raise ValueError(f"x0s must hold at most {MAX_STARTS} start points, got {n}")
    if keep_path and (steps + 1) * n * x.shape[1] > MAX_PATH_VALUES:
        raise ValueError(
            f"steps = {steps} is too many to keep the path of {n} starts: it would hold "
            f"{(steps + 1) * n * x.shape[1]:.3g} numbers (at most {MAX_PATH_VALUES:.0e}); "
            "use fewer steps or starts, or keep_path=False"
        )
    x0s_arr = x.copy()
    if n == 0:  # nothing to run: an empty record of the right shapes
        empty = np.empty(0)
        none = np.empty(0, dtype=np.int64)
        return BatchTrace(x0s_arr, x0s_arr.copy(), empty, empty.copy(), np.empty(0, dtype=str),
                          none, none.copy(), x0s_arr[None] if keep_path else None)
    status = np.full(n, "max_steps", dtype=object)
    steps_taken = np.zeros(n, dtype=np.int64)
    diverged_at = np.full(n, -1, dtype=np.int64)
    path = [x.copy()] if keep_path else None
    with np.errstate(all="ignore"):
        f = np.asarray(landscape.f(x), dtype=float).reshape(n)
        g = np.asarray(landscape.grad(x), dtype=float).reshape(n, -1)
        gn = row_norm(g)
        bad0 = ~(np.isfinite(f) & np.isfinite(gn))
        status[bad0] = "diverged"
        diverged_at[bad0] = 0
        conv0 = ~bad0 & (gn < tol)
        status[conv0] = "converged"
        active = ~(bad0 | conv0)
        state = init_with_seed(optimizer.init, x, seed)
        for k in range(1, steps + 1):
            if not active.any():
                break
            s = try_step(landscape, optimizer, x, g, state, max_norm)
            state = s.state
            ok = s.problem == 0
            newly_bad = active & ~ok
            status[newly_bad] = "diverged"
            diverged_at[newly_bad] = k
            moving = active & ok
            x = np.where(moving[:, None], s.x, x)
            g = np.where(moving[:, None], s.g, g)
            f = np.where(moving, s.f, f)
            gn = np.where(moving, s.grad_norm, gn)
            steps_taken[moving] = k
            conv = moving & (s.grad_norm < tol)
            status[conv] = "converged"
            active = moving & ~conv
            if keep_path:
                path.append(x.copy())
    return BatchTrace(
        x0s=x0s_arr,
        x_final=x,
        f_final=f,
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
    landscape, optimizer, n=200, steps=500, tol=1e-8, radius=None, seed=None, max_norm=1e6
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
    b = run_batch(landscape, optimizer, starts, steps=steps, tol=tol, seed=seed, max_norm=max_norm)
    labels = _label(b.x_final, mins, radius, b.status)
    counts = np.bincount(labels[labels >= 0], minlength=len(mins))
    return BasinMap(
        xs=xs,
        ys=ys,
        labels=labels.reshape(n, n),
        minimizers=mins,
        counts=counts,
        unlabeled=int(np.sum(labels < 0)),
        status=b.status.reshape(n, n),
        steps_taken=b.steps_taken.reshape(n, n),
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


def predicted_escape_steps(e, lr, lam):
    """Predicted steps for gradient descent to escape a saddle: ``ln(1/e) / ln(1 + lr |lam|)``.

    Derivation: near a saddle, write ``x`` in the Hessian's eigenbasis. Along
    an eigenvector with eigenvalue ``lam < 0`` gradient descent gives
    ``y_{k+1} = y_k - lr * lam * y_k = (1 + lr |lam|) y_k``, so
    ``y_k = (1 + lr |lam|)^k y_0``. Starting a distance ``e`` (measured in
    units of the escape radius) from the saddle along that direction, the
    distance reaches 1 when ``(1 + lr |lam|)^k e = 1``, i.e. after
    ``k = ln(1/e) / ln(1 + lr |lam|)`` steps. (The positive-curvature
    directions shrink meanwhile; the count is exact for a quadratic saddle
    started on the unstable direction.)

    Parameters
    ----------
    e : float or array_like
        Initial offset relative to the escape radius, in (0, 1].
    lr : float
        Learning rate, > 0.
    lam : float
        The negative (or any nonzero) eigenvalue; its magnitude is used.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(predicted_escape_steps(1e-3, lr=0.1, lam=-2.0), 3)
    37.888
    """
    e_arr = np.asarray(e, dtype=float) if not isinstance(e, str) else None
    if e_arr is None or not np.all(np.isfinite(e_arr)) or np.any(e_arr <= 0) or np.any(e_arr > 1):
        raise ValueError(f"e must be in (0, 1] (offset relative to the radius), got {show(e)}")
    lr = check_number("lr", lr, positive=True)
    lam = check_number("lam", lam)
    if lam == 0:
        raise ValueError("lam must be a nonzero eigenvalue, got 0.0 (no escape direction)")
    out = np.log(1.0 / e_arr) / math.log1p(lr * abs(lam))
    return float(out) if out.ndim == 0 else out
