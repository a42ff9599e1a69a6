"""Pure, composable optimizers in the style of optax.

An :class:`Optimizer` is a pair of pure functions::

    state = opt.init(x)                       # x has shape (d,) or (n, d)
    step, state = opt.update(g, state, x, oracle)
    x = x + step

``g`` is the gradient at ``x`` and ``oracle`` is the landscape being
optimized; second-order methods ask it for ``oracle.hess(x)`` (and the trust
region for ``oracle.f``) through that same door, so one loop (``labtools.run``)
drives every method. States are NamedTuples; nothing is mutated in place, and
randomness comes from a ``numpy.random.Generator`` carried in the state, so a
run started from the same seed is repeated exactly.

Named optimizers are compositions of small pieces (``chain``), so an exercise
can swap one piece: ``adam(lr)`` is ``chain(scale_by_adam(...),
scale_by_lr(lr))``. Pieces transform the *update direction* (which starts as
the gradient); ``scale_by_lr`` comes last and turns the direction into a step
``-lr * direction``.

Every ``lr`` is a positive number or a schedule, a callable ``step -> lr``
such as ``cosine_decay(0.1, steps=200)``.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._checks import check_choice, check_int, check_number, show

__all__ = [
    "Optimizer",
    "OPTIMIZERS",
    "optimizer",
    "current_lr",
    # pieces
    "chain",
    "scale_by_lr",
    "trace",
    "scale_by_adagrad",
    "scale_by_rms",
    "scale_by_adam",
    "clip_by_norm",
    "add_noise",
    "scale_by_newton",
    "scale_by_saddle_free_newton",
    # named optimizers
    "gd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "noisy_gd",
    "perturbed_gd",
    "newton",
    "damped_newton",
    "saddle_free_newton",
    "cubic_newton",
    "trust_region",
    # schedules
    "constant",
    "step_decay",
    "exponential_decay",
    "cosine_decay",
    "warm_restarts",
    "one_cycle",
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
    >>> opt = gd(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> step, state = opt.update(2 * x, state, x, None)   # f = |x|^2
    >>> x + step
    array([ 0.8, -1.6])
    """

    init: Callable[..., Any]
    update: Callable[..., tuple]


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _rng(seed):
    return np.random.default_rng(seed)


def _advance(rng: np.random.Generator) -> np.random.Generator:
    """Return a copy of ``rng`` so drawing from it leaves the old state intact."""
    new = np.random.Generator(type(rng.bit_generator)())
    new.bit_generator.state = rng.bit_generator.state
    return new


def _row_norm(u, keepdims=False):
    return np.linalg.norm(u, axis=-1, keepdims=keepdims)


def _check_seed(seed):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Real):
        raise TypeError(f"seed must be a whole number >= 0 or None, got {show(seed)}")
    if not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 or None, got {show(seed)}")
    return int(seed)


def _check_fraction(name, value, *, closed_high=False):
    """A number in [0, 1) (or [0, 1] when ``closed_high``)."""
    value = check_number(name, value)
    ok = 0.0 <= value <= 1.0 if closed_high else 0.0 <= value < 1.0
    if not ok:
        rng = "[0, 1]" if closed_high else "[0, 1)"
        raise ValueError(f"{name} must be in {rng}, got {show(value)}")
    return value


def _check_lr(lr, name="lr"):
    """Accept a positive finite number or a schedule (validated at step 0)."""
    if callable(lr):
        _lr_value(lr, 0, name)
        return lr
    if isinstance(lr, (str, bytes)) or isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"{name} must be a positive number or a schedule such as "
            f"cosine_decay(0.1, steps=100), got {show(lr)}"
        )
    return check_number(name, lr, positive=True)


def _lr_value(lr, count, name="lr"):
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


def _hess(oracle, x):
    if oracle is None or not hasattr(oracle, "hess"):
        raise TypeError(
            "this optimizer needs second derivatives: pass a Landscape as the "
            f"oracle (one with a .hess method), got {show(oracle)}"
        )
    return np.asarray(oracle.hess(x), dtype=float)


def _eigh(H):
    """Eigendecomposition of symmetric H (batched); non-finite H gives NaN rows.

    A non-finite Hessian only happens once a run has already overflowed; the
    NaN step it produces is what the run loop reports as divergence, instead
    of LAPACK raising ``LinAlgError`` deep inside NumPy.
    """
    bad = ~np.all(np.isfinite(H), axis=(-2, -1))
    if np.any(bad):
        H = np.where(bad[..., None, None], 0.0, H)
    lam, V = np.linalg.eigh(H)
    if np.any(bad):
        lam = np.where(bad[..., None], np.nan, lam)
    return lam, V


def _to_eigbasis(V, u):
    return np.einsum("...ji,...j->...i", V, u)


def _from_eigbasis(V, c):
    return np.einsum("...ij,...j->...i", V, c)


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
    """Momentum buffer ``v``."""

    velocity: np.ndarray


class AdagradState(NamedTuple):
    """Running sum of squared gradients."""

    sum_sq: np.ndarray


class RmsState(NamedTuple):
    """Exponential moving average of squared gradients."""

    mean_sq: np.ndarray


class AdamState(NamedTuple):
    """First and second moment estimates and the step count ``t``."""

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


def _init_takes_seed(init) -> bool:
    try:
        params = inspect.signature(init).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return "seed" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _init_with_seed(init, x, seed):
    if seed is not None and _init_takes_seed(init):
        return init(x, seed=seed)
    return init(x)


# --------------------------------------------------------------------------
# pieces
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
    >>> import numpy as np
    >>> opt = chain(clip_by_norm(1.0), scale_by_lr(0.5))
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
            states.append(_init_with_seed(p.init, x, s))
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
    >>> import numpy as np
    >>> opt = scale_by_lr(exponential_decay(1.0, rate=0.5))
    >>> x = np.zeros(1); s = opt.init(x)
    >>> step, s = opt.update(np.ones(1), s, x, None); step
    array([-1.])
    >>> step, s = opt.update(np.ones(1), s, x, None); step
    array([-0.5])
    """
    lr = _check_lr(lr)

    def init(x, seed=None):
        return ScaleByLrState(0, float("nan"))

    def update(u, state, x=None, oracle=None):
        value = _lr_value(lr, state.count)
        return -value * u, ScaleByLrState(state.count + 1, value)

    return Optimizer(init, update)


def trace(beta: float, nesterov: bool = False) -> Optimizer:
    """Momentum buffer ``v <- beta * v + u``.

    Outputs ``v`` (heavy ball) or, with ``nesterov=True``, ``u + beta * v``
    (the look-ahead form of Nesterov's method, see :func:`nesterov`).

    Parameters
    ----------
    beta : float
        Momentum coefficient in [0, 1).
    nesterov : bool
        Use the Nesterov look-ahead output.

    Examples
    --------
    >>> import numpy as np
    >>> opt = trace(0.5)
    >>> x = np.zeros(1); s = opt.init(x)
    >>> u, s = opt.update(np.ones(1), s, x, None); u
    array([1.])
    >>> u, s = opt.update(np.ones(1), s, x, None); u
    array([1.5])
    """
    beta = _check_fraction("beta", beta)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got {show(nesterov)}")

    def init(x, seed=None):
        return TraceState(np.zeros_like(np.asarray(x, dtype=float)))

    def update(u, state, x=None, oracle=None):
        v = beta * state.velocity + u
        out = u + beta * v if nesterov else v
        return out, TraceState(v)

    return Optimizer(init, update)


def scale_by_adagrad(eps: float = 1e-8) -> Optimizer:
    """Divide by the root of the summed squared gradients (Adagrad).

    ``G <- G + u**2``; output ``u / (eps + sqrt(G))``: the diagonal form of
    Duchi, Hazan & Singer (2011), with ``eps`` playing the role of their
    delta (added outside the square root).

    Parameters
    ----------
    eps : float
        Positive constant in the denominator.

    References
    ----------
    duchi2011adaptive (the diagonal update, with delta I added to diag(G_t)^(1/2)).

    Examples
    --------
    >>> import numpy as np
    >>> opt = scale_by_adagrad(eps=1e-12)
    >>> x = np.zeros(1); s = opt.init(x)
    >>> u, s = opt.update(np.array([2.0]), s, x, None); np.round(u, 6)
    array([1.])
    """
    eps = check_number("eps", eps, positive=True)

    def init(x, seed=None):
        return AdagradState(np.zeros_like(np.asarray(x, dtype=float)))

    def update(u, state, x=None, oracle=None):
        G = state.sum_sq + u * u
        return u / (eps + np.sqrt(G)), AdagradState(G)

    return Optimizer(init, update)


def scale_by_rms(decay: float = 0.9, eps: float = 1e-8) -> Optimizer:
    """Divide by a running root-mean-square of the gradient (RMSProp).

    ``r <- decay * r + (1 - decay) * u**2`` (``r`` starts at 0); output
    ``u / (sqrt(r) + eps)``.

    Parameters
    ----------
    decay : float
        Averaging coefficient in [0, 1).
    eps : float
        Positive constant in the denominator.

    References
    ----------
    tieleman2012rmsprop (Lecture 6.5: divide the gradient by a running average
    of its recent magnitude; the eps placement follows common practice).

    Examples
    --------
    >>> import numpy as np
    >>> opt = scale_by_rms(decay=0.75, eps=1e-12)
    >>> x = np.zeros(1); s = opt.init(x)
    >>> u, s = opt.update(np.array([3.0]), s, x, None); np.round(u, 6)
    array([2.])
    """
    decay = _check_fraction("decay", decay)
    eps = check_number("eps", eps, positive=True)

    def init(x, seed=None):
        return RmsState(np.zeros_like(np.asarray(x, dtype=float)))

    def update(u, state, x=None, oracle=None):
        r = decay * state.mean_sq + (1.0 - decay) * u * u
        return u / (np.sqrt(r) + eps), RmsState(r)

    return Optimizer(init, update)


def scale_by_adam(b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam's bias-corrected moment ratio (Kingma & Ba 2015, Algorithm 1).

    ``m <- b1 m + (1-b1) u``, ``v <- b2 v + (1-b2) u**2``,
    ``m_hat = m / (1 - b1**t)``, ``v_hat = v / (1 - b2**t)``; output
    ``m_hat / (sqrt(v_hat) + eps)``.

    Parameters
    ----------
    b1, b2 : float
        Decay rates of the first and second moment, in [0, 1).
    eps : float
        Positive constant in the denominator.

    References
    ----------
    kingma2015adam (Algorithm 1).

    Examples
    --------
    >>> import numpy as np
    >>> opt = scale_by_adam()
    >>> x = np.zeros(2); s = opt.init(x)
    >>> u, s = opt.update(np.array([0.3, -5.0]), s, x, None); np.round(u, 6)
    array([ 1., -1.])
    """
    b1 = _check_fraction("b1", b1)
    b2 = _check_fraction("b2", b2)
    eps = check_number("eps", eps, positive=True)

    def init(x, seed=None):
        z = np.zeros_like(np.asarray(x, dtype=float))
        return AdamState(0, z, z.copy())

    def update(u, state, x=None, oracle=None):
        t = state.count + 1
        mu = b1 * state.mu + (1.0 - b1) * u
        nu = b2 * state.nu + (1.0 - b2) * u * u
        m_hat = mu / (1.0 - b1**t)
        v_hat = nu / (1.0 - b2**t)
        return m_hat / (np.sqrt(v_hat) + eps), AdamState(t, mu, nu)

    return Optimizer(init, update)


def clip_by_norm(max_norm: float) -> Optimizer:
    """Rescale ``u`` to length ``max_norm`` when it is longer (per point).

    Parameters
    ----------
    max_norm : float
        Positive largest allowed length of each point's direction.

    References
    ----------
    pascanu2013difficulty (gradient norm clipping).

    Examples
    --------
    >>> import numpy as np
    >>> opt = clip_by_norm(1.0)
    >>> x = np.zeros((2, 2))
    >>> u, _ = opt.update(np.array([[3.0, 4.0], [0.3, 0.4]]), opt.init(x), x, None)
    >>> u
    array([[0.6, 0.8],
           [0.3, 0.4]])
    """
    max_norm = check_number("max_norm", max_norm, positive=True)

    def init(x, seed=None):
        return EmptyState()

    def update(u, state, x=None, oracle=None):
        norm = _row_norm(u, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(norm > max_norm, max_norm / norm, 1.0)
        return u * factor, state

    return Optimizer(init, update)


def add_noise(sigma: float, seed: int | None = 0) -> Optimizer:
    """Add isotropic Gaussian noise ``sigma * xi``, ``xi ~ N(0, I)``, to ``u``.

    Parameters
    ----------
    sigma : float
        Noise standard deviation, >= 0.
    seed : int or None
        Seed of the generator kept in the state (``None``: fresh entropy).

    Examples
    --------
    >>> import numpy as np
    >>> opt = add_noise(0.0)
    >>> x = np.zeros(2)
    >>> u, _ = opt.update(np.ones(2), opt.init(x), x, None); u
    array([1., 1.])
    """
    sigma = check_number("sigma", sigma, nonnegative=True)
    seed = _check_seed(seed)

    default_seed = seed

    def init(x, seed=None):
        return NoiseState(_rng(seed if seed is not None else default_seed))

    def update(u, state, x=None, oracle=None):
        rng = _advance(state.rng)
        noise = rng.standard_normal(np.shape(u))
        return u + sigma * noise, NoiseState(rng)

    return Optimizer(init, update)


def scale_by_newton(rcond: float | None = None) -> Optimizer:
    """Precondition by the inverse Hessian: output ``H^{-1} u``.

    ``H`` is ``oracle.hess(x)``. It is inverted in its eigenbasis; eigenvalues
    with ``|lambda| <= rcond * max|lambda|`` are treated as zero, i.e. a
    singular Hessian gives the minimum-norm least-squares step (the
    pseudo-inverse, as ``numpy.linalg.pinv``) instead of NaN, and the state's
    ``singular`` flag records that it happened. An all-zero Hessian gives a
    zero step.

    Parameters
    ----------
    rcond : float, optional
        Relative cut-off; default ``d * machine epsilon``.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> oracle = SimpleNamespace(hess=lambda x: np.diag([2.0, 0.0]))
    >>> opt = scale_by_newton()
    >>> x = np.zeros(2)
    >>> u, s = opt.update(np.array([4.0, 1.0]), opt.init(x), x, oracle)
    >>> u, bool(s.singular)
    (array([2., 0.]), True)
    """
    if rcond is not None:
        rcond = check_number("rcond", rcond, nonnegative=True)

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        return NewtonState(np.zeros(x.shape[:-1], dtype=bool))

    def update(u, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        d = lam.shape[-1]
        cut = rcond if rcond is not None else d * np.finfo(float).eps
        scale = np.max(np.abs(lam), axis=-1, keepdims=True)
        small = np.abs(lam) <= cut * scale
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(small, 0.0, 1.0 / lam)
        out = _from_eigbasis(V, inv * _to_eigbasis(V, u))
        return out, NewtonState(np.any(small, axis=-1))

    return Optimizer(init, update)


def scale_by_saddle_free_newton(eps: float = 1e-6) -> Optimizer:
    """Precondition by ``|H|^{-1}``, where ``|H| = V |Lambda| V^T``.

    Eigenvalue magnitudes are floored at ``eps`` before inverting. This is
    the saddle-free Newton direction of Dauphin et al. (2014): along a
    negative-curvature direction it points *away* from the saddle, where plain
    Newton points towards it.

    Parameters
    ----------
    eps : float
        Positive floor on ``|lambda|``.

    References
    ----------
    dauphin2014identifying (the saddle-free Newton step ``-|H|^{-1} g``).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> oracle = SimpleNamespace(hess=lambda x: np.diag([10.0, -2.0]))
    >>> opt = scale_by_saddle_free_newton()
    >>> x = np.array([1.0, 1.0])
    >>> u, _ = opt.update(np.array([10.0, -2.0]), opt.init(x), x, oracle); u
    array([ 1., -1.])
    """
    eps = check_number("eps", eps, positive=True)

    def init(x, seed=None):
        return EmptyState()

    def update(u, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        inv = 1.0 / np.maximum(np.abs(lam), eps)
        return _from_eigbasis(V, inv * _to_eigbasis(V, u)), state

    return Optimizer(init, update)


# --------------------------------------------------------------------------
# named first-order optimizers
# --------------------------------------------------------------------------


def gd(lr=0.01) -> Optimizer:
    """Gradient descent: ``x <- x - lr * g``.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.

    References
    ----------
    nocedal2006numerical (Ch. 3, steepest descent).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> lt.run(f, gd(lr=0.1), x0=[1.0, 1.0], steps=500).status
    'converged'
    """
    return chain(scale_by_lr(lr))


def momentum(lr=0.01, beta: float = 0.9) -> Optimizer:
    """Heavy-ball momentum (Polyak 1964).

    ``v <- beta * v + g``; ``x <- x - lr * v`` with ``v`` starting at 0. This
    is Polyak's ``x_{k+1} = x_k - alpha g_k + beta (x_k - x_{k-1})`` with
    ``alpha = lr`` (exactly so for a constant ``lr``).

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    beta : float
        Momentum coefficient in [0, 1).

    References
    ----------
    polyak1964some (the two-step "heavy ball" iteration).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> lt.run(f, momentum(lr=0.05, beta=0.8), x0=[1.0, 1.0], steps=500).status
    'converged'
    """
    return chain(trace(beta), scale_by_lr(lr))


def nesterov(lr=0.01, beta: float = 0.9) -> Optimizer:
    """Nesterov's accelerated gradient, in look-ahead ("momentum") form.

    ``v <- beta * v + g``; ``x <- x - lr * (g + beta * v)`` (``v`` starts at
    0; the new ``v`` is used). Writing ``y_{k+1} = x_k - lr grad f(x_k)`` (so
    ``y_{k+1} = x_{k+1} + lr * beta * v_{k+1}``), these iterates satisfy
    Nesterov's scheme ``x_{k+1} = y_{k+1} + beta (y_{k+1} - y_k)`` with a
    constant momentum coefficient ``beta``: the gradient is taken at the
    extrapolated points ``x`` (the form of Sutskever et al. 2013, used by
    optax and PyTorch).

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    beta : float
        Momentum coefficient in [0, 1).

    References
    ----------
    nesterov1983method (the accelerated scheme, here with constant momentum).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> lt.run(f, nesterov(lr=0.05, beta=0.8), x0=[1.0, 1.0], steps=500).status
    'converged'
    """
    return chain(trace(beta, nesterov=True), scale_by_lr(lr))


def adagrad(lr=0.1, eps: float = 1e-8) -> Optimizer:
    """Adagrad: ``G <- G + g**2``; ``x <- x - lr * g / (eps + sqrt(G))``.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    eps : float
        Positive constant (Duchi et al.'s delta).

    References
    ----------
    duchi2011adaptive (the diagonal Adagrad update).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic")
    >>> t = lt.run(f, adagrad(lr=0.5), x0=[1.0, 1.0], steps=2000, tol=1e-6)
    >>> t.status
    'converged'
    """
    return chain(scale_by_adagrad(eps), scale_by_lr(lr))


def rmsprop(lr=0.01, decay: float = 0.9, eps: float = 1e-8) -> Optimizer:
    """RMSProp: ``r <- decay r + (1-decay) g**2``; ``x <- x - lr g / (sqrt(r) + eps)``.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    decay : float
        Averaging coefficient in [0, 1).
    eps : float
        Positive constant in the denominator.

    References
    ----------
    tieleman2012rmsprop (Lecture 6.5).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> t = lt.run(f, rmsprop(lr=lt.cosine_decay(0.05, 2000)), x0=[0.0, 0.0], steps=2000)
    >>> float(t.f_final) < 1e-6
    True
    """
    return chain(scale_by_rms(decay, eps), scale_by_lr(lr))


def adam(lr=0.001, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adam with bias correction (Kingma & Ba 2015, Algorithm 1).

    ``m <- b1 m + (1-b1) g``; ``v <- b2 v + (1-b2) g**2``;
    ``x <- x - lr * m_hat / (sqrt(v_hat) + eps)`` with
    ``m_hat = m / (1 - b1**t)``, ``v_hat = v / (1 - b2**t)``.

    Parameters
    ----------
    lr : float or callable
        Learning rate (Kingma & Ba's alpha) or schedule.
    b1, b2 : float
        Moment decay rates in [0, 1).
    eps : float
        Positive constant in the denominator.

    References
    ----------
    kingma2015adam (Algorithm 1).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> t = lt.run(f, adam(lr=lt.cosine_decay(0.1, 3000)), x0=[0.0, 0.0], steps=3000)
    >>> float(t.f_final) < 1e-6
    True
    """
    return chain(scale_by_adam(b1, b2, eps), scale_by_lr(lr))


def noisy_gd(lr=0.01, sigma: float = 0.1, seed: int | None = 0) -> Optimizer:
    """Gradient descent on a noisy gradient: ``x <- x - lr (g + sigma xi)``.

    ``xi ~ N(0, I)`` is drawn afresh each step (per point when batched), a
    simple model of the gradient noise of stochastic gradient descent.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    sigma : float
        Noise standard deviation, >= 0.
    seed : int or None
        Seed of the generator kept in the state.

    References
    ----------
    ge2015escaping (noisy gradient descent escapes strict saddles).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("saddle")
    >>> t = lt.run(f, noisy_gd(lr=0.1, sigma=0.01, seed=1), x0=[1.0, 0.0], steps=100)
    >>> bool(abs(t.x_final[1]) > 1.0)    # noise pushed it off the stable manifold
    True
    """
    return chain(add_noise(sigma, seed), scale_by_lr(lr))


def perturbed_gd(
    lr=0.01,
    radius: float = 0.01,
    g_thresh: float = 1e-3,
    t_thresh: int = 10,
    seed: int | None = 0,
    f_thresh: float | None = None,
) -> Optimizer:
    """Perturbed gradient descent (Jin et al. 2017, Algorithm 1).

    At step ``t``, if ``|g(x_t)| <= g_thresh`` and ``t - t_noise > t_thresh``,
    remember ``x_tilde <- x_t``, set ``t_noise <- t`` and
    ``x_t <- x_tilde + xi`` with ``xi`` uniform in the ball of the given
    ``radius``; then ``x_{t+1} = x_t - lr * grad f(x_t)`` (the gradient at the
    perturbed point, asked of the oracle). Per point when batched.

    With ``f_thresh`` set, the paper's stopping rule is applied too: if
    ``t - t_noise = t_thresh`` and ``f(x_t) - f(x_tilde) > -f_thresh`` (the
    last perturbation did not lower f by ``f_thresh``, so ``x_tilde`` was a
    minimum, not a saddle), the point returns to ``x_tilde`` and is never
    perturbed again; plain gradient descent then refines it until the run's
    gradient test stops it. Without ``f_thresh`` the method keeps perturbing
    wherever the gradient is small, so it ends within about ``radius`` of a
    minimizer. Choose ``g_thresh`` above the run's ``tol``: a run stops as
    soon as the gradient norm is below ``tol``.

    The state's ``perturbed`` flags mark the points perturbed in the latest
    step; ``done`` marks points that met the stopping rule.

    Parameters
    ----------
    lr : float or callable
        Learning rate (the paper's eta) or schedule.
    radius : float
        Perturbation radius r > 0.
    g_thresh : float
        Gradient-norm threshold g_thres > 0.
    t_thresh : int
        Minimum steps between perturbations, t_thres >= 1.
    seed : int or None
        Seed of the generator kept in the state.
    f_thresh : float or None
        Decrease f_thres > 0 a perturbation must achieve within ``t_thresh``
        steps; None (default) disables the stopping rule.

    References
    ----------
    jin2017escape (Algorithm 1).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("escapable_saddle")
    >>> opt = perturbed_gd(lr=0.1, radius=0.1, g_thresh=1e-3, f_thresh=1e-4)
    >>> t = lt.run(f, opt, x0=[1.0, 0.0], steps=1000)
    >>> t.status, [round(abs(float(v)), 6) for v in t.x_final]
    ('converged', [0.0, 1.0])
    """
    lr = _check_lr(lr)
    radius = check_number("radius", radius, positive=True)
    g_thresh = check_number("g_thresh", g_thresh, positive=True)
    t_thresh = check_int("t_thresh", t_thresh, low=1)
    seed = _check_seed(seed)
    if f_thresh is not None:
        f_thresh = check_number("f_thresh", f_thresh, positive=True)
    lr_piece = scale_by_lr(lr)
    default_seed = seed

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        s = seed if seed is not None else default_seed
        batch = x.shape[:-1]
        return PerturbedGDState(
            count=0,
            t_noise=np.full(batch, -t_thresh - 1, dtype=np.int64),
            rng=_rng(s),
            perturbed=np.zeros(batch, dtype=bool),
            lr_state=lr_piece.init(x),
            x_tilde=np.zeros_like(x),
            f_tilde=np.zeros(batch),
            done=np.zeros(batch, dtype=bool),
        )

    def update(g, state, x, oracle):
        if oracle is None or not hasattr(oracle, "grad") or not hasattr(oracle, "f"):
            raise TypeError(
                "perturbed_gd needs f and the gradient at perturbed points: pass a "
                f"Landscape as the oracle, got {show(oracle)}"
            )
        t = state.count
        x = np.asarray(x, dtype=float)
        rng, t_noise = state.rng, state.t_noise
        x_tilde, f_tilde, done = state.x_tilde, state.f_tilde, state.done
        fire = (_row_norm(g) <= g_thresh) & (t - t_noise > t_thresh) & ~done
        xi = np.zeros_like(x)
        if np.any(fire):
            rng = _advance(rng)
            d = x.shape[-1]
            # uniform in the ball: uniform direction, radius r * U**(1/d)
            direction = rng.standard_normal(x.shape)
            direction /= _row_norm(direction, keepdims=True)
            rad = radius * rng.uniform(size=x.shape[:-1] + (1,)) ** (1.0 / d)
            xi = np.where(fire[..., None], direction * rad, 0.0)
            t_noise = np.where(fire, t, t_noise)
            x_tilde = np.where(fire[..., None], x, x_tilde)
            f_tilde = np.where(fire, oracle.f(x), f_tilde)
            g = np.where(fire[..., None], oracle.grad(x + xi), g)
        back = np.zeros_like(fire)
        if f_thresh is not None:
            check = (t - t_noise == t_thresh) & ~done
            if np.any(check):
                back = check & (np.asarray(oracle.f(x)) - f_tilde > -f_thresh)
                done = done | back
        step, lr_state = lr_piece.update(g, state.lr_state, x, oracle)
        step = np.where(back[..., None], x_tilde - x, xi + step)
        new = PerturbedGDState(
            t + 1, t_noise, rng, np.asarray(fire), lr_state, x_tilde, f_tilde, done
        )
        return step, new

    return Optimizer(init, update)


# --------------------------------------------------------------------------
# second-order optimizers
# --------------------------------------------------------------------------


def newton(rcond: float | None = None) -> Optimizer:
    """Newton's method: the full step ``-H^{-1} g``.

    Newton's step jumps to the critical point of the local quadratic model,
    whatever its kind: from near a saddle it lands on the saddle. A singular
    Hessian uses the pseudo-inverse (see :func:`scale_by_newton`), never NaN.

    Parameters
    ----------
    rcond : float, optional
        Relative eigenvalue cut-off for the pseudo-inverse.

    References
    ----------
    nocedal2006numerical (Ch. 3, the Newton direction).

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> f = lt.landscape("saddle_5")
    >>> t = lt.run(f, newton(), x0=[0.3, 0.2], steps=5)
    >>> np.round(t.xs[1], 12) + 0.0      # one step onto the saddle
    array([0., 0.])
    """
    return chain(scale_by_newton(rcond), scale_by_lr(1.0))


def damped_newton(lr=0.5, rcond: float | None = None) -> Optimizer:
    """Damped Newton: ``x <- x - lr * H^{-1} g``.

    Parameters
    ----------
    lr : float or callable
        Step fraction (1 is plain Newton) or schedule.
    rcond : float, optional
        Relative eigenvalue cut-off for the pseudo-inverse.

    References
    ----------
    boyd2004convex (Sec. 9.5, damped Newton method).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("rosenbrock")
    >>> t = lt.run(f, damped_newton(lr=0.5), x0=[-1.0, 1.0], steps=200)
    >>> t.status
    'converged'
    """
    return chain(scale_by_newton(rcond), scale_by_lr(lr))


def saddle_free_newton(lr=1.0, eps: float = 1e-6) -> Optimizer:
    """Saddle-free Newton: ``x <- x - lr |H|^{-1} g`` (Dauphin et al. 2014).

    ``|H| = V |Lambda| V^T`` from the eigendecomposition ``H = V Lambda V^T``,
    with ``|lambda|`` floored at ``eps``. Rescales each eigendirection by its
    curvature like Newton, but never reverses a descent direction, so it is
    repelled by saddles.

    Parameters
    ----------
    lr : float or callable
        Step fraction or schedule.
    eps : float
        Positive floor on the eigenvalue magnitudes.

    References
    ----------
    dauphin2014identifying (the saddle-free Newton method).

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> f = lt.landscape("saddle_5")
    >>> t = lt.run(f, saddle_free_newton(), x0=[0.3, 0.2], steps=1)
    >>> np.round(t.xs[1], 12) + 0.0      # x to 0, y doubled: away from the saddle
    array([0. , 0.4])
    """
    return chain(scale_by_saddle_free_newton(eps), scale_by_lr(lr))


def _secular_solve(lam, ghat, lo, hi, target, iters=200):
    """Bisection for ``|s(l)| = target(l)`` on ``[lo, hi]``, batched.

    ``s_i(l) = -ghat_i / (lam_i + l)``; ``|s(l)| - target(l)`` decreases on
    ``l > -lam_min``, is >= 0 at ``lo`` (or the caller handles the hard case)
    and <= 0 at ``hi``.
    """
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = ghat / (lam + mid[..., None])
        phi = _row_norm(s) - target(mid)
        pos = ~(phi <= 0)  # NaN (denominator 0) counts as "too small a lambda"
        lo = np.where(pos, mid, lo)
        hi = np.where(pos, hi, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(hi, 1e-300)):
            break
    return hi


def _regularized_step(lam, ghat, target, lo, hi, allow_interior):
    """Minimiser ``s = -(Lambda + l I)^{-1} ghat`` with ``|s| = target(l)``.

    Shared by the cubic and trust-region subproblems (Nesterov & Polyak 2006,
    Nocedal & Wright 2006, Sec. 4.3), including the hard case in
    which ``ghat`` has no component along the lowest eigenvector and
    ``|s(-lam_min)| < target``: then ``l = -lam_min`` and a multiple of that
    eigenvector is added to reach the required length.
    Returns the step in the eigenbasis, ``l`` and the hard-case flags.
    """
    scale = np.maximum(np.max(np.abs(lam), axis=-1), 1.0)
    gnorm = _row_norm(ghat)
    # eigen-directions whose shifted curvature vanishes at l = lo
    flat = (lam + lo[..., None]) <= 1e-12 * scale[..., None]
    tiny = np.abs(ghat) <= 1e-14 * np.maximum(gnorm, 1e-300)[..., None]
    degenerate = np.all(~flat | tiny, axis=-1) & np.any(flat, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_lo = np.where(flat, 0.0, -ghat / (lam + lo[..., None]))
    n_lo = _row_norm(s_lo)
    t_lo = target(lo)
    hard = degenerate & (n_lo <= t_lo)
    if allow_interior is not None:
        hard &= ~allow_interior
    lam_star = _secular_solve(lam, ghat, lo, hi, target)
    lam_star = np.where(hard, lo, lam_star)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = -ghat / (lam + lam_star[..., None])
    # hard case: fill the missing length along the lowest eigenvector
    # (only for negative curvature: with lam_min = 0 the model is flat along
    # that direction and the shorter step is kept)
    tau = np.where(lo > 0, np.sqrt(np.maximum(t_lo**2 - n_lo**2, 0.0)), 0.0)
    # downhill along a (numerically) vanishing gradient component, else +
    e0 = np.zeros_like(ghat)
    e0[..., 0] = np.where(ghat[..., 0] > 0, -1.0, 1.0)
    s = np.where(hard[..., None], s_lo + tau[..., None] * e0, s)
    return s, lam_star, hard


def cubic_newton(M: float = 1.0) -> Optimizer:
    """Cubic-regularized Newton (Nesterov & Polyak 2006).

    The step ``s`` is the global minimiser of the cubic model
    ``g.s + s.H.s / 2 + M |s|^3 / 6``. It satisfies
    ``(H + l I) s = -g`` with ``l = M |s| / 2 >= max(0, -lambda_min)``
    (the optimality conditions of the cubic step), so in the eigenbasis of ``H``,
    ``s_i = -g_i / (lambda_i + l)`` and ``l`` is found by bisection on
    ``|s(l)| = 2 l / M``, vectorized over the batch. In the hard case (no
    gradient along the most negative eigenvector, e.g. exactly at a saddle)
    ``l = -lambda_min`` and the step is completed along that eigenvector, so
    the method leaves a strict saddle even from a zero gradient.

    Parameters
    ----------
    M : float
        Positive regularization constant (an upper estimate of the Hessian's
        Lipschitz constant).

    References
    ----------
    nesterov2006cubic (the cubic-regularized Newton step and its optimality
    conditions; computing it from an eigendecomposition of H).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("escapable_saddle")
    >>> t = lt.run(f, cubic_newton(M=1.0), x0=[0.5, 0.0], steps=50)
    >>> t.status, [round(abs(float(v)), 6) for v in t.x_final]
    ('converged', [0.0, 1.0])
    """
    M = check_number("M", M, positive=True)

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch = x.shape[:-1]
        return CubicNewtonState(np.zeros(batch), np.zeros(batch, dtype=bool))

    def update(g, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        ghat = _to_eigbasis(V, g)
        lo = np.maximum(0.0, -lam[..., 0])
        hi = lo + np.sqrt(M * _row_norm(ghat) / 2.0) + 1e-300
        s, lam_star, hard = _regularized_step(lam, ghat, lambda l_: 2.0 * l_ / M, lo, hi, None)
        return _from_eigbasis(V, s), CubicNewtonState(lam_star, hard)

    return Optimizer(init, update)


def trust_region(radius0: float = 1.0, max_radius: float = 10.0, eta: float = 0.1) -> Optimizer:
    """Trust-region Newton with the exact subproblem (Nocedal & Wright Alg. 4.1).

    Each step solves ``min g.p + p.H.p / 2`` subject to ``|p| <= radius``
    exactly in the eigenbasis of ``H`` (Thm. 4.1: ``(H + l I) p = -g``,
    ``l >= 0``, ``H + l I`` positive semidefinite, ``l (radius - |p|) = 0``,
    with the hard case), then computes
    ``rho = (f(x) - f(x + p)) / (m(0) - m(p))`` from ``oracle.f``:
    ``rho < 1/4`` shrinks the radius to a quarter; ``rho > 3/4`` with
    ``|p| = radius`` doubles it (capped at ``max_radius``); the step is
    taken only if ``rho > eta``, otherwise it is a zero step. A zero predicted
    decrease (zero gradient at a minimum) gives a zero step and keeps the
    radius. The run records NaN as this method's learning rate.

    Parameters
    ----------
    radius0 : float
        Initial radius, in (0, max_radius].
    max_radius : float
        Largest radius, > 0.
    eta : float
        Acceptance threshold in [0, 1/4).

    References
    ----------
    nocedal2006numerical (Algorithm 4.1; Theorem 4.1 and Sec. 4.3).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("rosenbrock")
    >>> t = lt.run(f, trust_region(), x0=[-1.2, 1.0], steps=200)
    >>> t.status, [round(float(v), 6) for v in t.x_final]
    ('converged', [1.0, 1.0])
    """
    max_radius = check_number("max_radius", max_radius, positive=True)
    radius0 = check_number("radius0", radius0, positive=True)
    if radius0 > max_radius:
        raise ValueError(f"radius0 must be at most max_radius = {max_radius}, got {show(radius0)}")
    eta = check_number("eta", eta)
    if not 0.0 <= eta < 0.25:
        raise ValueError(f"eta must be in [0, 0.25), got {show(eta)}")

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch = x.shape[:-1]
        return TrustRegionState(
            np.full(batch, radius0), np.full(batch, np.nan), np.zeros(batch, dtype=bool)
        )

    def update(g, state, x, oracle):
        if oracle is None or not hasattr(oracle, "f"):
            raise TypeError(
                "trust_region needs function values: pass a Landscape as the "
                f"oracle (one with .f and .hess), got {show(oracle)}"
            )
        x = np.asarray(x, dtype=float)
        lam, V = _eigh(_hess(oracle, x))
        ghat = _to_eigbasis(V, g)
        radius = state.radius
        lo = np.maximum(0.0, -lam[..., 0])
        hi = lo + _row_norm(ghat) / radius + 1e-300
        # interior Newton step when H is positive definite and it fits
        with np.errstate(divide="ignore", invalid="ignore"):
            s_newton = -ghat / lam
        interior = (lam[..., 0] > 0) & (_row_norm(s_newton) <= radius)
        s, _, _ = _regularized_step(lam, ghat, lambda l_: radius + 0.0 * l_, lo, hi, interior)
        s = np.where(interior[..., None], s_newton, s)
        p = _from_eigbasis(V, s)
        with np.errstate(all="ignore"):
            predicted = -(np.sum(ghat * s, axis=-1) + 0.5 * np.sum(lam * s * s, axis=-1))
            # a non-finite trial point (the Hessian overflowed) is not
            # evaluated; its NaN step below is what the run reports as divergence
            bad = ~np.all(np.isfinite(p), axis=-1)
            trial = np.where(bad[..., None], x, x + p)
            f_trial = np.where(bad, np.nan, np.asarray(oracle.f(trial), dtype=float))
            actual = np.asarray(oracle.f(x), dtype=float) - f_trial
            rho = actual / predicted
        zero = ~(predicted > 0)
        rho = np.where(zero, np.nan, rho)
        pnorm = _row_norm(p)
        at_edge = np.abs(pnorm - radius) <= 1e-8 * radius
        new_radius = np.where(
            rho < 0.25,
            0.25 * radius,
            np.where((rho > 0.75) & at_edge, np.minimum(2 * radius, max_radius), radius),
        )
        # NaN rho: either zero predicted decrease (keep the radius) or f
        # overflowed at the trial point (treat as a failure: shrink)
        new_radius = np.where(zero, radius, np.where(np.isnan(rho), 0.25 * radius, new_radius))
        accepted = (rho > eta) & ~zero
        step = np.where(accepted[..., None], p, 0.0)
        step = np.where(bad[..., None], np.nan, step)
        return step, TrustRegionState(new_radius, rho, accepted)

    return Optimizer(init, update)


# --------------------------------------------------------------------------
# learning-rate schedules
# --------------------------------------------------------------------------


class _Schedule:
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


def constant(lr: float) -> _Schedule:
    """The same lr at every step.

    Examples
    --------
    >>> constant(0.1)(7)
    0.1
    """
    lr = check_number("lr", lr, positive=True)
    return _Schedule("constant", lambda t: lr, lr=lr)


def step_decay(lr: float, drop: float = 0.5, every: int = 100) -> _Schedule:
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
    return _Schedule(
        "step_decay", lambda t: lr * drop ** (t // every), lr=lr, drop=drop, every=every
    )


def exponential_decay(lr: float, rate: float = 0.99) -> _Schedule:
    """``lr * rate ** step``.

    Examples
    --------
    >>> exponential_decay(1.0, rate=0.5)(3)
    0.125
    """
    lr = check_number("lr", lr, positive=True)
    rate = check_number("rate", rate, positive=True, high=1.0)
    return _Schedule("exponential_decay", lambda t: lr * rate**t, lr=lr, rate=rate)


def cosine_decay(lr: float, steps: int, lr_min: float = 0.0) -> _Schedule:
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

    return _Schedule("cosine_decay", fn, lr=lr, steps=steps, lr_min=lr_min)


def warm_restarts(lr: float, period: int, mult: float = 1, lr_min: float = 0.0) -> _Schedule:
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

    return _Schedule("warm_restarts", fn, lr=lr, period=period, mult=mult, lr_min=lr_min)


def one_cycle(
    lr_max: float,
    steps: int,
    div: float = 25.0,
    final_div: float = 1e4,
    pct_start: float = 0.45,
) -> _Schedule:
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

    return _Schedule(
        "one_cycle",
        fn,
        lr_max=lr_max,
        steps=steps,
        div=div,
        final_div=final_div,
        pct_start=pct_start,
    )


# --------------------------------------------------------------------------
# lookup by name
# --------------------------------------------------------------------------

_NAMED = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "noisy_gd": noisy_gd,
    "perturbed_gd": perturbed_gd,
    "newton": newton,
    "damped_newton": damped_newton,
    "saddle_free_newton": saddle_free_newton,
    "cubic_newton": cubic_newton,
    "trust_region": trust_region,
}

#: The names :func:`optimizer` accepts, in teaching order.
OPTIMIZERS: tuple[str, ...] = tuple(_NAMED)


def optimizer(name: str, **hyper) -> Optimizer:
    """Build a named optimizer from its name and hyperparameters.

    Parameters
    ----------
    name : str
        One of ``OPTIMIZERS``.
    **hyper
        Keyword arguments of that optimizer (e.g. ``lr=0.1, beta=0.9``).

    Examples
    --------
    >>> opt = optimizer("momentum", lr=0.05, beta=0.9)
    >>> isinstance(opt, Optimizer)
    True
    >>> optimizer("sgd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name must be one of 'gd', 'momentum', ...; got 'sgd'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an optimizer name (a string), got {show(name)}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _NAMED:
        check_choice("name", name, OPTIMIZERS)
    factory = _NAMED[key]
    allowed = list(inspect.signature(factory).parameters)
    unknown = [k for k in hyper if k not in allowed]
    if unknown:
        raise ValueError(
            f"{key} got unknown hyperparameter {unknown[0]!r}; allowed: "
            + (", ".join(allowed) if allowed else "none")
        )
    return factory(**hyper)


def current_lr(state) -> float:
    """The learning rate used by the latest step, read from an optimizer state.

    Searches the (possibly nested) state for a ``ScaleByLrState``;
    returns NaN when the optimizer has no learning rate (cubic Newton, trust
    region) or before the first step.

    Examples
    --------
    >>> import numpy as np
    >>> opt = gd(lr=step_decay(1.0, drop=0.1, every=1))
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
