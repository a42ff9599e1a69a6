"""Hidden-unit activations of the course network and their first two derivatives.

The second derivative is what the exact Hessian-vector product
(:meth:`labtools.nn.MLP.hvp`) needs besides the first.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_choice

__all__ = ["ACTIVATIONS"]

#: Activation functions the network knows. ``"relu"`` is piecewise linear: its
#: Hessian exists only away from the kinks (see :meth:`MLP.hvp`).
ACTIVATIONS = ("tanh", "sigmoid", "softplus", "relu", "linear")


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, without overflow.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    # 0.5 (1 + tanh(z/2)) equals 1 / (1 + exp(-z)) but never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def activation_functions(name):
    """``(sigma, d_sigma, d2_sigma)`` of a hidden activation.

    The derivatives take ``(z, a)`` with ``a = sigma(z)`` already computed, so
    the forward pass's activations are reused instead of recomputed.

    Examples
    --------
    >>> sigma, d1, d2 = activation_functions("tanh")
    >>> z = np.array([0.0, 1.0]); a = sigma(z)
    >>> bool(np.allclose(d1(z, a), 1 / np.cosh(z) ** 2))
    True
    """
    check_choice("activation", name, ACTIVATIONS)
    if name == "tanh":
        return (np.tanh,
                lambda z, a: 1.0 - a * a,
                lambda z, a: -2.0 * a * (1.0 - a * a))
    if name == "sigmoid":
        return (sigmoid,
                lambda z, a: a * (1.0 - a),
                lambda z, a: a * (1.0 - a) * (1.0 - 2.0 * a))
    if name == "softplus":
        def d1(z, a):
            return sigmoid(z)

        def d2(z, a):
            s = sigmoid(z)
            return s * (1.0 - s)

        return (lambda z: np.logaddexp(0.0, z), d1, d2)
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0),
                lambda z, a: (z > 0).astype(float),
                lambda z, a: np.zeros_like(z))
    # linear: a deep linear network, non-convex although every layer is linear
    return (lambda z: z,
            lambda z, a: np.ones_like(z),
            lambda z, a: np.zeros_like(z))
