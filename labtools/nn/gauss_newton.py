"""Curvature matrices of the course network that are positive semidefinite by
construction: the generalized Gauss-Newton matrix, and K-FAC's Kronecker-factored
approximation of it.

The loss is ``L(theta) = (1/N) sum_n l(z_n(theta), y_n)`` with one network
output ``z_n`` per example. Differentiating twice,

    H = J^T D J / N + (1/N) sum_n l'(z_n) Hess_theta z_n,     D = diag(l''(z_n)),

where ``J`` (``N x P``) is the Jacobian of the outputs. The first term is the
**generalized Gauss-Newton matrix** (GGN; Schraudolph 2002). The loss is convex
in the output (``l'' >= 0`` for cross-entropy and squared error), so
``v^T GGN v = |D^(1/2) J v|^2 / N >= 0``: the GGN is positive semidefinite, of
rank at most ``N``. All the Hessian's negative curvature sits in the second,
*residual* term, weighted by the residuals ``l'(z_n)``. For cross-entropy the
GGN equals the Fisher information matrix, the metric of the natural gradient
(Amari 1998; Martens & Grosse 2015).

**K-FAC** (Martens & Grosse 2015) approximates the layer-``l`` block of the
GGN/Fisher by a Kronecker product ``A_{l-1} (x) G_l`` with ``A = E[a a^T]``
(the layer's inputs, with a 1 appended for the bias) and ``G = E[g g^T]`` (the
gradients of the output, scaled by ``sqrt(l'')``, with respect to the
layer's pre-activations), and inverts it factor by factor:
``(A (x) G)^{-1} vec(V) = vec(A^{-1} V G^{-1})``.

The same Jacobian, multiplied the other way round, gives the **tangent kernel**
``K = J J^T`` (``N x N``), the Gram matrix of the per-example output gradients.
For the squared error ``L = |z - y|^2 / N`` the gradient is ``2 J^T (z - y) / N``,
so ``|grad L|^2 / 2 >= (2 lambda_min(K) / N) L``: the loss satisfies the
Polyak-Lojasiewicz inequality with ``mu = 2 lambda_min(K) / N`` wherever ``K``
is well-conditioned, the PL* condition of Liu, Zhu & Belkin (2022).
:func:`pl_ratio` measures the PL quotient itself at one point.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_number, show
from ..optim import Optimizer
from ..optim.base import ScaleByLrState, check_lr, lr_value
from .activations import activation_functions, sigmoid
from .mlp import MLP, course_network  # noqa: F401  (course_network: doctests)

__all__ = [
    "output_jacobian",
    "tangent_kernel",
    "pl_ratio",
    "loss_output_derivatives",
    "ggn_matrix",
    "ggn_vp",
    "kfac_factors",
    "kfac_direction",
    "kfac",
]


def _check(model, theta, X, y=None):
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP such as lt.MLP((2, 16, 1)), got {show(model)}")
    theta = model.check_theta(theta)
    if y is None:
        return theta, np.asarray(model.check_data(X, np.zeros(len(np.asarray(X))))[0])
    X, y = model.check_data(X, y)
    return theta, X, y


def _forward(model, theta, X):
    sigma, dsigma, _ = activation_functions(model.activation)
    params = model.unflatten(theta)
    acts, zs = [X], []
    a = X
    for i, (W, b) in enumerate(params):
        z = a @ W + b
        zs.append(z)
        if i < len(params) - 1:
            a = sigma(z)
            acts.append(a)
    return params, zs, acts, dsigma


def _backprop_rows(model, params, zs, acts, dsigma, out_scale):
    """Per-example gradients of ``out_scale_n * z_n`` w.r.t. every pre-activation,
    last layer first: a list of ``(N, n_l)`` arrays in layer order."""
    delta = np.asarray(out_scale, dtype=float)[:, None]
    deltas = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        deltas[i] = delta
        if i > 0:
            delta = (delta @ params[i][0].T) * dsigma(zs[i - 1], acts[i])
    return deltas


def output_jacobian(model, theta, X):
    """The Jacobian ``J`` of the network's outputs, ``J[n, p] = d z_n / d theta_p``.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X : array_like, shape (N, n_0)

    Returns
    -------
    ndarray, shape (N, P)

    Examples
    --------
    >>> model = MLP((2, 1))                      # z = x . w + b
    >>> output_jacobian(model, np.zeros(3), np.array([[1.0, 2.0]]))
    array([[1., 2., 1.]])
    """
    theta, X = _check(model, theta, X)
    params, zs, acts, dsigma = _forward(model, theta, X)
    deltas = _backprop_rows(model, params, zs, acts, dsigma, np.ones(X.shape[0]))
    N = X.shape[0]
    J = np.empty((N, model.n_params))
    offset = 0
    for a, delta in zip(acts, deltas, strict=True):
        n_in, n_out = a.shape[1], delta.shape[1]
        J[:, offset:offset + n_in * n_out] = (a[:, :, None] * delta[:, None, :]).reshape(N, -1)
        offset += n_in * n_out
        J[:, offset:offset + n_out] = delta
        offset += n_out
    return J


def tangent_kernel(model, theta, X):
    """The tangent kernel ``K = J J^T``, ``K[n, m] = grad z_n . grad z_m``.

    ``J`` is :func:`output_jacobian`; ``K`` is symmetric positive semidefinite,
    of rank at most ``min(N, P)``. Gradient descent with a small ``lr`` moves
    the outputs by ``z <- z - lr K dL/dz``, so ``K`` sets the speed of every
    output direction, and its smallest eigenvalue the speed of the slowest.
    For the squared error ``mean((z - y)^2)`` it gives the PL constant
    ``mu = 2 lambda_min(K) / N`` at ``theta`` (Liu, Zhu & Belkin 2022).

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X : array_like, shape (N, n_0)

    Returns
    -------
    ndarray, shape (N, N)

    References
    ----------
    jacot2018neural (the neural tangent kernel); liu2022loss (PL*).

    Examples
    --------
    >>> model = MLP((2, 1))                      # z = x . w + b: K = X X^T + 1
    >>> tangent_kernel(model, np.zeros(3), np.array([[1.0, 2.0], [0.0, 1.0]]))
    array([[6., 3.],
           [3., 2.]])
    """
    J = output_jacobian(model, theta, X)
    return J @ J.T


def pl_ratio(model, theta, X, y, f_star=0.0):
    """The Polyak-Lojasiewicz quotient ``|grad L(theta)|^2 / (2 (L(theta) - f_star))``.

    A loss satisfies the PL inequality with constant ``mu`` on a set exactly
    when this quotient is at least ``mu`` everywhere on it (Karimi et al.
    2016); measured along a training run, its smallest value bounds the
    linear rate gradient descent can be promised there.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
        The data, as for :meth:`MLP.loss`.
    f_star : float
        The minimum value of the loss, or a lower bound on it: ``0`` for a
        squared error that the network can interpolate. Must be below
        ``L(theta)``.

    Returns
    -------
    float

    References
    ----------
    polyak1963gradient; karimi2016linear; liu2022loss.

    Examples
    --------
    >>> model = MLP((1, 1), loss="mse")          # L = (w + b)^2 on x = 1, y = 0
    >>> pl_ratio(model, [0.5, 1.0], [[1.0]], [0.0])   # |grad|^2 = 8 (w + b)^2
    4.0
    """
    theta, X, y = _check(model, theta, X, y)
    f_star = check_number("f_star", f_star)
    value, g = model.loss_and_grad(theta, X, y)
    if not np.isfinite(value):
        raise ValueError(f"the loss at theta is not finite ({value}): the run has diverged")
    if not value > f_star:
        raise ValueError(
            f"f_star must be below the loss at theta, {value:.6g}, got {f_star}: the PL "
            "quotient is only defined where L(theta) > f_star"
        )
    return float(g @ g / (2.0 * (value - f_star)))


def loss_output_derivatives(model, z, y):
    """``(l'(z), l''(z))`` of the per-example loss w.r.t. the output ``z``.

    Cross-entropy on a logit: ``l' = s - y``, ``l'' = s (1 - s)`` with
    ``s = sigmoid(z)``; squared error ``(z - y)^2``: ``l' = 2 (z - y)``,
    ``l'' = 2``. Both ``l''`` are >= 0: the loss is convex in the output.

    Examples
    --------
    >>> model = MLP((2, 1))
    >>> loss_output_derivatives(model, np.array([0.0]), np.array([1.0]))
    (array([-0.5]), array([0.25]))
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP such as lt.MLP((2, 16, 1)), got {show(model)}")
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    if model.loss_name == "bce":
        s = sigmoid(z)
        return s - y, s * (1.0 - s)
    return 2.0 * (z - y), np.full_like(z, 2.0)


def ggn_matrix(model, theta, X, y):
    """The generalized Gauss-Newton matrix ``J^T diag(l'') J / N`` (Schraudolph 2002).

    Positive semidefinite (``l'' >= 0``) and of rank at most ``N``; it equals
    the Hessian :meth:`MLP.hessian` minus the residual term
    ``(1/N) sum_n l'(z_n) Hess z_n``.

    Returns
    -------
    ndarray, shape (P, P)

    References
    ----------
    schraudolph2002fast; martens2015optimizing (the GGN as the Fisher).

    Examples
    --------
    >>> model, X, y = course_network(hidden=(3,), n=10)
    >>> G = ggn_matrix(model, model.init(seed=0), X, y)
    >>> G.shape, bool(np.linalg.eigvalsh(G).min() > -1e-12)
    ((13, 13), True)
    """
    theta, X, y = _check(model, theta, X, y)
    J = output_jacobian(model, theta, X)
    _, h = loss_output_derivatives(model, model.forward(theta, X), y)
    return J.T @ (J * (h / X.shape[0])[:, None])


def ggn_vp(model, theta, v, X, y):
    """GGN-vector product ``J^T diag(l'') J v / N`` without forming the GGN.

    ``v`` has shape ``(P,)`` or ``(k, P)`` (several directions at once).

    Examples
    --------
    >>> model, X, y = course_network(hidden=(3,), n=10)
    >>> theta = model.init(seed=0); v = np.ones(model.n_params)
    >>> bool(np.allclose(ggn_vp(model, theta, v, X, y), ggn_matrix(model, theta, X, y) @ v))
    True
    """
    theta, X, y = _check(model, theta, X, y)
    v = np.asarray(v, dtype=float)
    if v.shape[-1:] != (model.n_params,) or v.ndim > 2:
        raise ValueError(f"v must have shape ({model.n_params},) or (k, {model.n_params}), "
                         f"got {v.shape}")
    J = output_jacobian(model, theta, X)
    _, h = loss_output_derivatives(model, model.forward(theta, X), y)
    Jv = v @ J.T                                     # (N,) or (k, N)
    return (Jv * (h / X.shape[0])) @ J


class KFACFactors(NamedTuple):
    """Per layer: ``A`` (inputs with a bias 1, ``(n_in + 1)^2``) and ``G``
    (``sqrt(l'')``-scaled output gradients w.r.t. the pre-activations, ``n_out^2``)."""

    A: list
    G: list


def kfac_factors(model, theta, X, y):
    """K-FAC's Kronecker factors ``A_l = E[a a^T]`` and ``G_l = E[g g^T]`` per layer.

    ``a`` is the layer's input with a 1 appended (the bias); ``g`` is the
    gradient of ``sqrt(l''(z_n)) z_n`` with respect to the layer's
    pre-activations, so ``E[(a a^T) (x) (g g^T)]`` is exactly the layer's
    block of the GGN (the Fisher, for cross-entropy), and K-FAC replaces it
    by ``A (x) G`` (Martens & Grosse 2015, Sec. 3). Expectations are means
    over the data.

    References
    ----------
    martens2015optimizing (Sec. 3, eq. for the Kronecker-factored blocks).

    Examples
    --------
    >>> model, X, y = course_network(hidden=(3,), n=10)
    >>> A, G = kfac_factors(model, model.init(seed=0), X, y)
    >>> [a.shape for a in A], [g.shape for g in G]
    ([(3, 3), (4, 4)], [(3, 3), (1, 1)])
    """
    theta, X, y = _check(model, theta, X, y)
    params, zs, acts, dsigma = _forward(model, theta, X)
    _, h = loss_output_derivatives(model, zs[-1][:, 0], y)
    deltas = _backprop_rows(model, params, zs, acts, dsigma, np.sqrt(h))
    N = X.shape[0]
    A, G = [], []
    for a, g in zip(acts, deltas, strict=True):
        abar = np.hstack([a, np.ones((N, 1))])
        A.append(abar.T @ abar / N)
        G.append(g.T @ g / N)
    return KFACFactors(A, G)


def kfac_direction(model, theta, grad, X, y, damping=1e-3):
    """The K-FAC preconditioned direction ``(A (x) G + damping)^{-1} grad``, layer by layer.

    For layer ``l`` with gradient ``V = [dW; db]`` (shape ``(n_in + 1, n_out)``),
    the direction is ``(A + sqrt(damping) I)^{-1} V (G + sqrt(damping) I)^{-1}``:
    each factor is damped by ``sqrt(damping)`` (factored Tikhonov damping,
    Martens & Grosse 2015, Sec. 6.3, with pi = 1).

    References
    ----------
    martens2015optimizing (Sec. 4 and 6.3).

    Examples
    --------
    >>> model, X, y = course_network(hidden=(3,), n=10)
    >>> theta = model.init(seed=0)
    >>> d = kfac_direction(model, theta, model.grad(theta, X, y), X, y)
    >>> d.shape, bool(d @ model.grad(theta, X, y) > 0)        # a descent direction
    ((13,), True)
    """
    theta, X, y = _check(model, theta, X, y)
    damping = check_number("damping", damping, positive=True)
    grad = model.check_theta(grad, name="grad")
    A, G = kfac_factors(model, theta, X, y)
    out = np.empty_like(grad)
    root = np.sqrt(damping)
    offset = 0
    for (ws, _), Al, Gl in zip(model.shapes, A, G, strict=True):
        n_in, n_out = ws
        size = n_in * n_out
        V = np.vstack([grad[offset:offset + size].reshape(n_in, n_out),
                       grad[offset + size:offset + size + n_out][None, :]])
        left = np.linalg.solve(Al + root * np.eye(n_in + 1), V)
        D = np.linalg.solve(Gl + root * np.eye(n_out), left.T).T
        out[offset:offset + size] = D[:-1].ravel()
        out[offset + size:offset + size + n_out] = D[-1]
        offset += size + n_out
    return out


def kfac(lr=0.1, damping=1e-3) -> Optimizer:
    """K-FAC for the course network: ``theta <- theta - lr (A (x) G + damping)^{-1} g``.

    An :class:`~labtools.optim.Optimizer` whose oracle must be the network's
    landscape (``model.as_landscape(X, y)``): each step recomputes the
    Kronecker factors on the full data (:func:`kfac_factors`) and
    preconditions the gradient layer by layer (:func:`kfac_direction`). It
    is not in the optimizer registry: it needs a network, not a formula.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    damping : float
        Tikhonov damping lambda > 0 (each factor gets ``sqrt(lambda)``).

    References
    ----------
    martens2015optimizing.

    Examples
    --------
    >>> import labtools as lt
    >>> model, X, y = lt.course_network(hidden=(4,), n=40)
    >>> land = model.as_landscape(X, y)
    >>> t = lt.run(land, kfac(lr=0.5), model.init(seed=0), steps=30)
    >>> bool(t.values[-1] < 0.5 * t.values[0])
    True
    """
    lr = check_lr(lr)
    damping = check_number("damping", damping, positive=True)

    def init(x, seed=None):
        return ScaleByLrState(0, float("nan"))

    def update(g, state, x, oracle):
        if not all(hasattr(oracle, a) for a in ("model", "X", "y")):
            raise TypeError(
                "kfac needs the network: pass model.as_landscape(X, y) as the oracle, "
                f"got {show(oracle)}"
            )
        x = np.asarray(x, dtype=float)
        if x.ndim != 1:
            raise ValueError(f"kfac steps one network at a time: x must have shape (P,), "
                             f"got {x.shape}")
        value = lr_value(lr, state.count)
        with np.errstate(all="ignore"):
            if not (np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
                return np.full_like(x, np.nan), ScaleByLrState(state.count + 1, value)
            d = kfac_direction(oracle.model, x, g, oracle.X, oracle.y, damping)
        return -value * d, ScaleByLrState(state.count + 1, value)

    return Optimizer(init, update)
