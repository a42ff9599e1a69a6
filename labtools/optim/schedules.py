"""Learning-rate schedules: callables ``step -> lr`` that any ``lr=`` accepts.

Each is a :class:`Schedule` (a callable with a readable ``repr``), built by
:func:`constant`, :func:`step_decay`, :func:`exponential_decay`,
:func:`cosine_decay`, :func:`warm_restarts` (SGDR) or :func:`one_cycle`;
:func:`warmup` puts a linear warm-up in front of any of them.
"""

from __future__ import annotations

import math

from .._checks import check_int, check_number, show

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "exponential_decay",
    "cosine_decay",
    "warm_restarts",
    "one_cycle",
    "warmup",
]


class Schedule:
    """A learning-rate schedule: call it with a step (0, 1, 2, ...) to get an lr."""

    def __init__(self, name, fn, **params):
        self._name = name
        self._fn = fn
        self.params = params

    def __call__(self, step):
        step = check_int("step", step, low=0)
        return float(self._fn(step))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self._name}({args})"


def _check_lr_min(lr_min, lr):
    lr_min = check_number("lr_min", lr_min, nonnegative=True)
    if lr_min > lr:
        raise ValueError(f"lr_min must be at most lr = {lr}, got {show(lr_min)}")
    return lr_min


def _cosine(lr, lr_min, t, length):
    """Cosine annealing from ``lr`` (``t = 0``) to ``lr_min`` (``t = length``)."""
    value = lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * t / length))
    return round(value, 15)


def constant(lr: float) -> Schedule:
    """The same lr at every step.

    Examples
    --------
    >>> constant(0.1)(7)
    0.1
    """
    lr = check_number("lr", lr, positive=True)
    return Schedule("constant", lambda t: lr, lr=lr)


def step_decay(lr: float, drop: float = 0.5, every: int = 100) -> Schedule:
    """``lr * drop ** floor(step / every)``: multiply by ``drop`` every ``every`` steps.

    Examples
    --------
    >>> s = step_decay(1.0, drop=0.5, every=10)
    >>> s(0), s(9), s(10), s(25)
    (1.0, 1.0, 0.5, 0.25)
    """
    lr = check_number("lr", lr, positive=True)
    drop = check_number("drop", drop, positive=True, high=1.0)
    every = check_int("every", every, low=1)
    return Schedule(
        "step_decay", lambda t: lr * drop ** (t // every), lr=lr, drop=drop, every=every
    )


def exponential_decay(lr: float, rate: float = 0.99) -> Schedule:
    """``lr * rate ** step``.

    Examples
    --------
    >>> exponential_decay(1.0, rate=0.5)(3)
    0.125
    """
    lr = check_number("lr", lr, positive=True)
    rate = check_number("rate", rate, positive=True, high=1.0)
    return Schedule("exponential_decay", lambda t: lr * rate**t, lr=lr, rate=rate)


def cosine_decay(lr: float, steps: int, lr_min: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` at step 0 to ``lr_min`` at ``steps`` (then flat).

    ``lr_min + (lr - lr_min) (1 + cos(pi min(t, steps) / steps)) / 2``.

    References
    ----------
    loshchilov2017sgdr (cosine annealing, one cycle without restart).

    Examples
    --------
    >>> s = cosine_decay(1.0, steps=10)
    >>> s(0), s(5), s(10), s(20)
    (1.0, 0.5, 0.0, 0.0)
    """
    lr = check_number("lr", lr, positive=True)
    steps = check_int("steps", steps, low=1)
    lr_min = _check_lr_min(lr_min, lr)

    def fn(t):
        return _cosine(lr, lr_min, min(t, steps), steps)

    return Schedule("cosine_decay", fn, lr=lr, steps=steps, lr_min=lr_min)


def warm_restarts(lr: float, period: int, mult: float = 1, lr_min: float = 0.0) -> Schedule:
    """SGDR: cosine annealing restarted every cycle (Loshchilov & Hutter 2017).

    ``lr_min + (lr - lr_min) (1 + cos(pi T_cur / T_i)) / 2`` where ``T_cur``
    counts steps since the last restart and the cycle length ``T_i`` starts
    at ``period`` and is multiplied by ``mult`` after every restart.

    References
    ----------
    loshchilov2017sgdr (cosine annealing with warm restarts, T_0 and T_mult).

    Examples
    --------
    >>> s = warm_restarts(1.0, period=4, mult=2)
    >>> [round(s(t), 3) for t in (0, 2, 4, 8, 12)]
    [1.0, 0.5, 1.0, 0.5, 1.0]
    """
    lr = check_number("lr", lr, positive=True)
    period = check_int("period", period, low=1)
    mult = check_number("mult", mult, low=1.0)
    lr_min = _check_lr_min(lr_min, lr)

    def fn(t):
        if mult == 1.0:
            length, t_cur = float(period), float(t % period)
        else:  # cycles grow geometrically, so this loop is short
            length, start = float(period), 0.0
            while t >= start + length:
                start += length
                length *= mult
            t_cur = t - start
        return _cosine(lr, lr_min, t_cur, length)

    return Schedule("warm_restarts", fn, lr=lr, period=period, mult=mult, lr_min=lr_min)


def one_cycle(
    lr_max: float,
    steps: int,
    div: float = 25.0,
    final_div: float = 1e4,
    pct_start: float = 0.45,
) -> Schedule:
    """The one-cycle policy (Smith & Topin 2019).

    Linear rise from ``lr_max / div`` to ``lr_max`` over the first
    ``pct_start * steps`` steps, linear fall back to ``lr_max / div`` over the
    same number of steps, then a linear "annihilation" to
    ``lr_max / final_div`` at ``steps`` (flat afterwards).

    References
    ----------
    smith2019super (the 1cycle policy).

    Examples
    --------
    >>> s = one_cycle(1.0, steps=100, div=10, final_div=100, pct_start=0.4)
    >>> [round(s(t), 4) for t in (0, 40, 80, 100)]
    [0.1, 1.0, 0.1, 0.01]
    """
    lr_max = check_number("lr_max", lr_max, positive=True)
    steps = check_int("steps", steps, low=2)
    div = check_number("div", div, low=1.0)
    final_div = check_number("final_div", final_div, low=1.0)
    pct_start = check_number("pct_start", pct_start, positive=True, high=0.5)
    lo, end = lr_max / div, lr_max / final_div
    up = pct_start * steps

    def fn(t):
        t = min(t, steps)
        if t <= up:
            return lo + (lr_max - lo) * t / up
        if t <= 2 * up:
            return lr_max - (lr_max - lo) * (t - up) / up
        rest = steps - 2 * up
        return lo + (end - lo) * (t - 2 * up) / rest if rest > 0 else end

    return Schedule(
        "one_cycle",
        fn,
        lr_max=lr_max,
        steps=steps,
        div=div,
        final_div=final_div,
        pct_start=pct_start,
    )


def warmup(lr, steps: int) -> Schedule:
    """Linear warm-up: ``lr(t) * min(1, (t + 1) / steps)`` (Goyal et al. 2017).

    The first ``steps`` steps ramp the learning rate linearly up to the
    schedule it wraps (``lr``, a number or a schedule, evaluated at the same
    step), so the first steps are small while the curvature may still be
    high; afterwards it is ``lr`` unchanged.

    References
    ----------
    goyal2017accurate (gradual warmup, section 2.2).

    Examples
    --------
    >>> s = warmup(0.8, steps=4)
    >>> [s(t) for t in range(6)]
    [0.2, 0.4, 0.6, 0.8, 0.8, 0.8]
    >>> c = warmup(cosine_decay(1.0, steps=10), steps=2)
    >>> c(0), c(5), c(10)
    (0.5, 0.5, 0.0)
    """
    if callable(lr):
        base = lr
        base(0)
    else:
        base = constant(check_number("lr", lr, positive=True))
    steps = check_int("steps", steps, low=1)

    def fn(t):
        return round(base(t) * min(1.0, (t + 1) / steps), 15)

    return Schedule("warmup", fn, lr=lr, steps=steps)
