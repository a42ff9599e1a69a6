"""Sharpness-aware minimization (SAM): descend with the gradient at the worst nearby point.

Foret et al. (2021) minimize ``max_{|e| <= rho} L(x + e)`` instead of
``L(x)``. To first order the worst ``e`` is the normalized gradient scaled to
length ``rho``, so a SAM step takes the gradient once at ``x`` and once at
``x + rho g / |g|`` and descends with the second. Near a sharp minimum the
second gradient is large, so SAM drifts towards flatter regions.

The piece :func:`scale_by_sam` needs the landscape (the ``oracle`` that
:func:`labtools.run.run` and :func:`labtools.nn.train` pass to ``update``);
:func:`sam` is the named optimizer built from it.

References: foret2021sharpness.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_fraction, check_number, show
from .base import EmptyState, Optimizer, chain, scale_by_lr
from .first_order import trace

__all__ = ["scale_by_sam", "sam"]


def sam_perturbation(g, rho):
    """The SAM ascent step ``e = rho g / |g|`` (per row of a batch); 0 where ``g = 0``.

    Shared with :func:`labtools.nn.sam_step`, the one-step version for the
    network.

    Examples
    --------
    >>> sam_perturbation(np.array([3.0, 4.0]), 0.5)
    array([0.3, 0.4])
    >>> sam_perturbation(np.zeros((2, 2)), 0.5)
    array([[0., 0.],
           [0., 0.]])
    """
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    safe = np.where(norm > 0, norm, 1.0)
    return np.where(norm > 0, rho * g / safe, 0.0)


def scale_by_sam(rho=0.05):
    """Optimizer piece: replace the gradient by the gradient at the SAM point.

    ``u -> oracle.grad(x + rho u / |u|)``: placed first in a :func:`chain`,
    where ``u`` is the gradient, it turns any optimizer into its
    sharpness-aware version, e.g. SAM with momentum
    ``chain(scale_by_sam(0.05), trace(0.9), scale_by_lr(0.1))``. ``oracle`` must be
    the loss being minimized (:func:`labtools.run.run` and
    :func:`labtools.nn.train` pass it).

    Parameters
    ----------
    rho : float
        Radius of the ascent step, >= 0.

    Returns
    -------
    Optimizer

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic", kappa=4.0)
    >>> x = np.array([1.0, 1.0]); g = f.grad(x)
    >>> u, _ = scale_by_sam(0.1).update(g, (), x, f)
    >>> bool(np.allclose(u, f.grad(x + 0.1 * g / np.linalg.norm(g))))
    True
    """
    rho = check_number("rho", rho, nonnegative=True)

    def init(x, seed=None):
        return EmptyState()

    def update(u, state, x, oracle=None):
        if oracle is None or not hasattr(oracle, "grad"):
            raise TypeError(
                "scale_by_sam needs the landscape as oracle (it takes a gradient at the "
                f"perturbed point), got oracle={show(oracle)}"
            )
        u = np.asarray(u, dtype=float)
        x = np.asarray(x, dtype=float)
        return np.asarray(oracle.grad(x + sam_perturbation(u, rho)), dtype=float), state

    return Optimizer(init, update)


def sam(lr, rho=0.05, beta=0.0):
    """Sharpness-aware minimization as an optimizer, for :func:`labtools.run.run` and training.

    Each step evaluates the gradient at ``x + rho g / |g|`` (``g`` the gradient
    at ``x``) and descends with it: ``x_new = x - lr * grad L(x + rho g / |g|)``
    (for the network, exactly :func:`labtools.nn.sam_step`). With ``beta > 0``
    the SAM gradient drives heavy-ball momentum instead, as in Foret et al.'s
    experiments. With :func:`labtools.nn.train` the oracle is the current
    mini-batch's loss, so both gradients of a step use the same batch. Built
    as ``chain(scale_by_sam(rho), [trace(beta),] scale_by_lr(lr))``, so
    :func:`current_lr` reads its learning rate.

    Parameters
    ----------
    lr : float or callable
        Learning rate > 0, or a schedule ``step -> lr``.
    rho : float
        Radius of the ascent step, >= 0 (0 is plain gradient descent).
    beta : float
        Momentum in ``[0, 1)``; 0 for none.

    Returns
    -------
    Optimizer

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic", kappa=4.0)
    >>> x0 = np.array([1.0, 1.0])
    >>> t = lt.run(f, sam(lr=0.1, rho=0.05), x0=x0, steps=2)
    >>> g = f.grad(x0)
    >>> bool(np.allclose(t.xs[1], x0 - 0.1 * f.grad(x0 + 0.05 * g / np.linalg.norm(g))))
    True
    """
    beta = check_fraction("beta", beta)
    pieces = [scale_by_sam(rho)]
    if beta > 0:
        pieces.append(trace(beta))
    pieces.append(scale_by_lr(lr))
    return chain(*pieces)
