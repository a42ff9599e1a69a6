"""The optimizer protocol and the pieces every named optimizer is built from.

An :class:`Optimizer` is a pair of pure functions ``init(x) -> state`` and
``update(g, state, x, oracle) -> (step, state)``; :func:`chain` composes
pieces and :func:`scale_by_lr` turns a direction into a step. The states of
every piece in :mod:`labtools.optim` live here too, so a piece written in an
exercise can reuse them. The helpers without a leading underscore
(``check_lr``, ``lr_value``, ``make_rng``, ``advance_rng``, ``row_norm``,
``init_with_seed``) are shared by the other modules of the package and by
the run loop; they are not part of the course's front door.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._checks import check_number, show

__all__ = [
    "Optimizer",
    "chain",
    "scale_by_lr",
    "current_lr",
    "EmptyState",
    "ScaleByLrState",
    "TraceState",
    "AdagradState",
    "RmsState",
    "AdamState",
    "NoiseState",
    "NewtonState",
    "ChainState",
    "PerturbedGDState",
    "CubicNewtonState",
    "TrustRegionState",
]


class Optimizer(NamedTuple):
    """A pure optimizer: ``init(x) -> state`` and ``update(g, state, x, oracle)``.

    ``update`` returns ``(step, new_state)``; the caller moves to
    ``x + step``. Both functions accept one point ``(d,)`` or a batch
    ``(n, d)``. ``init`` also accepts an optional ``seed=`` that overrides the
    seed given when the optimizer was built (``run(..., seed=3)`` uses it).

    Examples
    --------
    >>> import numpy as np
    >>> opt = chain(scale_by_lr(0.1))         # gradient descent, lt.gd(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> step, state = opt.update(2 * x, state, x, None)   # f = |x|^2
    >>> x + step
    array([ 0.8, -1.6])
    """

    init: Callable[..., Any]
    update: Callable[..., tuple]


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def make_rng(seed):
    return np.random.default_rng(seed)


def advance_rng(rng: np.random.Generator) -> np.random.Generator:
    """Return a copy of ``rng`` so drawing from it leaves the old state intact."""
    new = np.random.Generator(type(rng.bit_generator)())
    new.bit_generator.state = rng.bit_generator.state
    return new


def row_norm(u, keepdims=False):
    # np.linalg.norm(u, axis=-1) for real u, bit for bit, without its per-call overhead
    u = np.asarray(u)
    if u.dtype.kind != "f":
        return np.linalg.norm(u, axis=-1, keepdims=keepdims)
    return np.sqrt(np.add.reduce(u * u, axis=-1, keepdims=keepdims))


def check_lr(lr, name="lr"):
    """Accept a positive finite number or a schedule (validated at step 0)."""
    if callable(lr):
        lr_value(lr, 0, name)
        return lr
    if isinstance(lr, (str, bytes)) or isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"{name} must be a positive number or a schedule such as "
            f"cosine_decay(0.1, steps=100), got {show(lr)}"
        )
    return check_number(name, lr, positive=True)


def lr_value(lr, count, name="lr"):
    if not callable(lr):
        return lr
    value = lr(count)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} schedule must return a number, got {show(value)} at step {count}"
        ) from None
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(
            f"{name} schedule must return a finite number >= 0, got {show(value)} at step {count}"
        )
    return value


def _init_takes_seed(init) -> bool:
    try:
        params = inspect.signature(init).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return "seed" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def init_with_seed(init, x, seed):
    if seed is not None and _init_takes_seed(init):
        return init(x, seed=seed)
    return init(x)


# --------------------------------------------------------------------------
# states
# --------------------------------------------------------------------------


class EmptyState(NamedTuple):
    """State of a piece that keeps nothing."""


class ScaleByLrState(NamedTuple):
    """``count``: steps taken; ``lr``: the lr used by the latest step (NaN before)."""

    count: int
    lr: float


class TraceState(NamedTuple):
    """``velocity``: the momentum buffer (``v`` in the docstring of ``trace``)."""

    velocity: np.ndarray


class AdagradState(NamedTuple):
    """Running sum of squared gradients."""

    sum_sq: np.ndarray


class RmsState(NamedTuple):
    """Exponential moving average of squared gradients."""

    mean_sq: np.ndarray


class AdamState(NamedTuple):
    """Adam's ``count`` (the step number ``t``) and moment estimates ``mu`` (m) and ``nu`` (v)."""

    count: int
    mu: np.ndarray
    nu: np.ndarray


class NoiseState(NamedTuple):
    """The random generator the noise is drawn from."""

    rng: np.random.Generator


class NewtonState(NamedTuple):
    """``singular``: whether the latest Hessian was (numerically) singular."""

    singular: np.ndarray


class ChainState(NamedTuple):
    """One state per piece of a :func:`chain`."""

    states: tuple


class PerturbedGDState(NamedTuple):
    """Perturbed GD: step count, last perturbation step and point per point."""

    count: int
    t_noise: np.ndarray
    rng: np.random.Generator
    perturbed: np.ndarray
    lr_state: ScaleByLrState
    x_tilde: np.ndarray
    f_tilde: np.ndarray
    done: np.ndarray


class CubicNewtonState(NamedTuple):
    """``lam``: the multiplier M|s|/2 of the latest step; ``hard_case`` flags."""

    lam: np.ndarray
    hard_case: np.ndarray


class TrustRegionState(NamedTuple):
    """Current radius, latest ratio rho and whether that step was accepted."""

    radius: np.ndarray
    rho: np.ndarray
    accepted: np.ndarray


# --------------------------------------------------------------------------
# composition and the learning rate
# --------------------------------------------------------------------------


def chain(*pieces: Optimizer) -> Optimizer:
    """Apply pieces in order, each transforming the previous one's output.

    The first piece receives the gradient; the output of the last is the step.

    Parameters
    ----------
    *pieces : Optimizer
        Pieces such as ``clip_by_norm(1.0)``, ``scale_by_adam()``,
        ``scale_by_lr(0.1)``.

    Returns
    -------
    Optimizer
        Its state is a ``ChainState`` holding one state per piece. A ``seed``
        given to its ``init`` seeds piece ``i`` with ``[seed, i]``, so two
        random pieces never share a stream.

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> opt = chain(lt.clip_by_norm(1.0), scale_by_lr(0.5))
    >>> x = np.zeros(2)
    >>> step, _ = opt.update(np.array([3.0, 4.0]), opt.init(x), x, None)
    >>> step
    array([-0.3, -0.4])
    """
    if not pieces:
        raise ValueError("chain needs at least one piece, got none")
    for i, p in enumerate(pieces):
        if not isinstance(p, Optimizer):
            raise TypeError(
                f"chain piece {i} must be an Optimizer such as scale_by_lr(0.1), got {show(p)}"
            )

    def init(x, seed=None):
        states = []
        for i, p in enumerate(pieces):
            # distinct but reproducible streams for each random piece
            if seed is None:
                s = None
            else:  # nested chains extend the list: [seed, i, j, ...]
                s = [*seed, i] if isinstance(seed, list) else [seed, i]
            states.append(init_with_seed(p.init, x, s))
        return ChainState(tuple(states))

    def update(g, state, x, oracle=None):
        u = g
        new = []
        for p, s in zip(pieces, state.states, strict=True):
            u, s = p.update(u, s, x, oracle)
            new.append(s)
        return u, ChainState(tuple(new))

    return Optimizer(init, update)


def scale_by_lr(lr) -> Optimizer:
    """Turn a direction ``u`` into the step ``-lr_t * u``.

    Parameters
    ----------
    lr : float or callable
        A positive learning rate, or a schedule ``step -> lr`` (``step``
        counts from 0).

    Returns
    -------
    Optimizer
        State ``ScaleByLrState`` with the step count and the lr used by
        the latest step (read it with :func:`current_lr`).

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> opt = scale_by_lr(lt.exponential_decay(1.0, rate=0.5))
    >>> x = np.zeros(1); s = opt.init(x)
    >>> step, s = opt.update(np.ones(1), s, x, None); step
    array([-1.])
    >>> step, s = opt.update(np.ones(1), s, x, None); step
    array([-0.5])
    """
    lr = check_lr(lr)

    def init(x, seed=None):
        return ScaleByLrState(0, float("nan"))

    def update(u, state, x=None, oracle=None):
        value = lr_value(lr, state.count)
        return -value * u, ScaleByLrState(state.count + 1, value)

    return Optimizer(init, update)


def current_lr(state) -> float:
    """The learning rate used by the latest step, read from an optimizer state.

    Searches the (possibly nested) state for a ``ScaleByLrState``;
    returns NaN when the optimizer has no learning rate (cubic Newton, trust
    region) or before the first step.

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> opt = lt.gd(lr=lt.step_decay(1.0, drop=0.1, every=1))
    >>> x = np.zeros(1); s = opt.init(x)
    >>> _, s = opt.update(np.ones(1), s, x, None)
    >>> _, s = opt.update(np.ones(1), s, x, None)
    >>> round(current_lr(s), 12)
    0.1
    """
    if isinstance(state, ScaleByLrState):
        return float(state.lr)
    if isinstance(state, tuple):
        for part in state:
            if isinstance(part, tuple):
                value = current_lr(part)
                if not math.isnan(value):
                    return value
    return float("nan")
