"""The loop: ``run`` (one start, a :class:`Trace`) and ``run_batch`` (many starts, a
:class:`BatchTrace`), both stepping by one rule, :func:`try_step`. ``check_landscape`` and
``check_run_arguments`` are shared with the experiments; ``descend``, the loop of one
start behind ``run``, is shared with ``labtools.nn.train`` and
``labtools.nn.bezier_curve_fit``.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

import numpy as np

from .._checks import check_int, check_number, check_points, check_seed, fmt, show
from ..optim import OPTIMIZERS, Optimizer, Schedule, current_lr
from ..optim.base import init_with_seed, row_norm

__all__ = [
    "Trace",
    "BatchTrace",
    "run",
    "run_batch",
]


STATUSES = ("converged", "diverged", "max_steps")


#: Most steps one run takes (a Trace keeps every point).
MAX_STEPS = 10_000_000


#: Most start points of one batch, and most numbers a kept batch path may hold.
MAX_STARTS = 10**7


MAX_PATH_VALUES = 10**8


def check_landscape(landscape):
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


def check_run_arguments(landscape, optimizer, steps, tol, seed, max_norm):
    check_landscape(landscape)
    _check_optimizer(optimizer)
    steps = check_int("steps", steps, low=0, high=MAX_STEPS)
    tol = check_number("tol", tol, nonnegative=True)
    seed = check_seed(seed)
    max_norm = check_number("max_norm", max_norm, positive=True)
    return steps, tol, seed, max_norm


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

    #: The words of :attr:`labtools.run.Trace.message` for a run that did not diverge, by status;
    #: ``{k}`` is the number of steps, ``{s}`` an "s" unless it is 1, ``{gn}``
    #: and ``{value}`` the last gradient norm and value. A record built on a
    #: Trace (``labtools.nn.TrainResult``) words them its own way.
    MESSAGES: ClassVar[dict[str, str]] = {
        "converged": "converged after {k} step{s} (gradient norm {gn})",
        "max_steps": "stopped after {k} steps without converging (gradient norm still {gn})",
    }

    @property
    def message(self) -> str:
        """What happened, in plain English."""
        if self.status == "diverged":
            return f"diverged at step {self.diverged_at} ({self.reason})"
        k = self.steps_taken
        return self.MESSAGES[self.status].format(
            k=k, s="s" if k != 1 else "", gn=fmt(self.grad_norms[-1]), value=self.f_final)

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
    steps, tol, seed, max_norm = check_run_arguments(
        landscape, optimizer, steps, tol, seed, max_norm
    )
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
    one formula (``labtools.optim.base.row_norm``) for one point and for
    a batch, so a batch row and a single run agree to the last bit. Call it
    under ``np.errstate(all="ignore")``.

    ``oracle`` is what the optimizer is handed (default: ``landscape``; a
    mini-batch trainer hands it the batch's loss). For one point, a landscape
    with ``value_and_grad(x)`` is evaluated in one pass instead of two.
    """
    step, new_state = optimizer.update(g, state, x, landscape if oracle is None else oracle)
    x_new = x + np.asarray(step, dtype=float)
    if x_new.ndim == 1:  # one point: the same rules and formulas, without the row masks
        return _try_one(landscape, x, x_new, new_state, max_norm)
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


def _try_one(landscape, x, x_new, new_state, max_norm) -> Step:
    """:func:`try_step`'s checks for one point ``(d,)``; equal to the batch rules row by row."""
    if not np.isfinite(x_new).all():
        problem, size = 1, np.float64(0.0)
    else:
        size = row_norm(x_new)
        problem = 2 if size > max_norm else 0
    f_new, g_new = value_and_grad(landscape, x_new if problem == 0 else x)
    f_new = np.asarray(f_new, dtype=float).reshape(())
    g_new = np.asarray(g_new, dtype=float).reshape(x.shape)
    gn_new = row_norm(g_new)
    if problem == 0 and not (np.isfinite(f_new) and np.isfinite(gn_new)):
        problem = 3
    return Step(x_new, f_new, g_new, gn_new, new_state, size, np.int64(problem))


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
    landscape, optimizer, x0s, steps=100, tol=1e-8, seed=None, keep_path=False, max_norm=1e6,
    *, until=None
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
    until : callable, optional
        ``until(x) -> bool array (n,)``, called on the current points after
        each step: the loop ends early once every row has either stopped or
        made ``until`` true (the steps left would change nothing a caller
        reads, e.g. an escape time that every row has already shown). Rows
        are not frozen by it; the trace simply ends at that step.

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
    steps, tol, seed, max_norm = check_run_arguments(
        landscape, optimizer, steps, tol, seed, max_norm
    )
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
            if until is not None and np.all(~active | np.asarray(until(x), dtype=bool)):
                break
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
