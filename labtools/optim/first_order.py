"""First-order pieces and the named first-order optimizers.

Momentum buffers, adaptive denominators and clipping transform the update
direction; :func:`gd`, :func:`momentum`, :func:`nesterov`, :func:`adagrad`,
:func:`rmsprop` and :func:`adam` chain them with
``scale_by_lr``.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction, check_number, show
from .base import (
    AdagradState,
    AdamState,
    EmptyState,
    Optimizer,
    RmsState,
    TraceState,
    chain,
    row_norm,
    scale_by_lr,
)

__all__ = [
    "trace",
    "scale_by_adagrad",
    "scale_by_rms",
    "scale_by_adam",
    "clip_by_norm",
    "gd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
]


# --------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------


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
    beta = check_fraction("beta", beta)
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
    decay = check_fraction("decay", decay)
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
    b1 = check_fraction("b1", b1)
    b2 = check_fraction("b2", b2)
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
        norm = row_norm(u, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(norm > max_norm, max_norm / norm, 1.0)
        return u * factor, state

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
