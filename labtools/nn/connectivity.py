"""Connectivity of the network's minima: trained Bezier paths and permuted copies.

Two independently trained networks are separated by a loss barrier on the
straight segment between them, yet joined by a simple curve of low loss
(Garipov et al. 2018). Permuting the hidden units of a layer gives another
parameter vector computing the same function: each minimum has many copies.

References: garipov2018loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_number, show
from .checks import as_float_array, check_optimizer, check_seed
from .mlp import MLP, check_model
from .slices import interpolate_loss

__all__ = ["BezierCurve", "bezier_curve_fit", "permute_hidden_units"]


@dataclass
class BezierCurve:
    """A quadratic Bezier curve between two parameter vectors (see :func:`bezier_curve_fit`).

    ``phi(t) = (1 - t)^2 theta_a + 2 t (1 - t) middle + t^2 theta_b``.

    Attributes
    ----------
    model : MLP
    theta_a, theta_b, middle : ndarray (P,)
    X, y : ndarray
        Data the curve was fitted on.
    history : ndarray (steps,)
        Loss at the sampled curve point at each training step.

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=40)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> curve = BezierCurve(model, a, b, 0.5 * (a + b), X, y, np.zeros(0))
    >>> bool(np.allclose(curve.point(0.5), 0.5 * (a + b)))   # untrained: the straight line
    True
    >>> ts, losses = curve.loss_along_curve(n=5)
    >>> bool(np.allclose(losses, curve.loss_along_line(n=5)[1]))
    True
    """

    model: MLP
    theta_a: np.ndarray
    theta_b: np.ndarray
    middle: np.ndarray
    X: np.ndarray
    y: np.ndarray
    history: np.ndarray

    def point(self, t):
        """The curve point(s) ``phi(t)``: ``(P,)`` for a number, ``(k, P)`` for an array."""
        t_arr = as_float_array("t", t)
        if not np.all(np.isfinite(t_arr)):
            raise ValueError(f"t must contain only finite numbers, got {show(t)}")
        tt = np.atleast_1d(t_arr)[:, None]
        pts = ((1 - tt) ** 2 * self.theta_a + 2 * tt * (1 - tt) * self.middle
               + tt ** 2 * self.theta_b)
        return pts[0] if t_arr.ndim == 0 else pts

    def loss_along_curve(self, n=51):
        """``(ts, losses)`` at ``n`` evenly spaced ``t`` in [0, 1] along the curve."""
        n = check_int("n", n, low=2)
        ts = np.linspace(0.0, 1.0, n)
        land = self.model.as_landscape(self.X, self.y)
        losses = np.array([land.f(p) for p in self.point(ts)])
        return ts, losses

    def loss_along_line(self, n=51):
        """``(ts, losses)`` along the straight segment, for comparison."""
        return interpolate_loss(self.model, self.theta_a, self.theta_b, self.X, self.y, n=n)

    def barrier(self, n=51):
        """Loss barrier ``(curve, line)``: max loss on the path minus the larger endpoint loss."""
        _, lc = self.loss_along_curve(n)
        _, ll = self.loss_along_line(n)
        ends = max(lc[0], lc[-1])
        return float(lc.max() - ends), float(ll.max() - ends)


def bezier_curve_fit(model, theta_a, theta_b, X, y, steps=300, lr=0.5, seed=0,
                     n_t=4, optimizer=None):
    """Train a low-loss quadratic Bezier path between two solutions (mode connectivity).

    The ends ``theta_a``, ``theta_b`` stay fixed; the middle control point
    starts at their average and descends the expected loss over the curve,
    ``E_{t ~ U[0, 1]} L(phi(t))``: each step samples ``n_t`` values of ``t`` and
    takes a stochastic gradient step with
    ``d L(phi(t)) / d middle = 2 t (1 - t) grad L(phi(t))``. Garipov et al. (2018)
    found that independently trained networks are joined by such simple curves
    of nearly constant low loss, although the straight segment between them
    crosses a barrier.

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    X, y : array_like
    steps : int
        Training steps, >= 0.
    lr : float
        Learning rate of plain SGD on the middle point, > 0 (ignored when
        ``optimizer`` is given).
    seed : int
        Seed of the sampled ``t``.
    n_t : int
        Values of ``t`` per step, >= 1.
    optimizer : Optimizer, optional
        A first-order :mod:`labtools.optim` optimizer (e.g. ``adam``) to use
        instead of plain SGD; it gets no oracle, so second-order methods and
        :func:`sam` do not apply.

    Returns
    -------
    BezierCurve
        With ``middle``, ``point(t)``, ``loss_along_curve(n)``,
        ``loss_along_line(n)`` and ``barrier(n)``.

    References
    ----------
    garipov2018loss

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=40)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> curve = bezier_curve_fit(model, a, b, X, y, steps=20, lr=0.1)
    >>> bool(np.allclose(curve.point(0.0), a)), bool(np.allclose(curve.point(1.0), b))
    (True, True)
    """
    check_model(model)
    a = model.check_theta(theta_a, name="theta_a")
    b = model.check_theta(theta_b, name="theta_b")
    land = model.as_landscape(X, y)
    X, y = land.X, land.y
    steps = check_int("steps", steps, low=0)
    lr = check_number("lr", lr, positive=True)
    seed = check_seed(seed)
    n_t = check_int("n_t", n_t, low=1)
    if optimizer is not None:
        check_optimizer(optimizer)
    rng = np.random.default_rng(seed)
    middle = 0.5 * (a + b)
    state = optimizer.init(middle) if optimizer is not None else None
    history = []
    for step_i in range(steps):
        ts = rng.uniform(0.0, 1.0, size=n_t)
        g = np.zeros(model.n_params)
        total = 0.0
        for t in ts:
            point = (1 - t) ** 2 * a + 2 * t * (1 - t) * middle + t ** 2 * b
            value, gp = land.value_and_grad(point)
            g += 2.0 * t * (1.0 - t) * gp / n_t
            total += value / n_t
        if not (np.isfinite(total) and np.all(np.isfinite(g))):
            raise FloatingPointError(
                f"bezier_curve_fit diverged at step {step_i} (loss {total}); "
                f"lower lr (got {lr})"
            )
        history.append(total)
        if optimizer is None:
            middle = middle - lr * g
        else:
            with np.errstate(all="ignore"):
                step, state = optimizer.update(g, state, middle, None)
            middle = middle + np.asarray(step, dtype=float)
    return BezierCurve(model, a, b, middle, X, y, np.array(history))


def permute_hidden_units(model, theta, layer, perm):
    """Reorder the units of one hidden layer: same function, different ``theta``.

    Permuting the columns of ``W_l`` and the entries of ``b_l`` by ``perm``, and
    the rows of ``W_{l+1}`` the same way, relabels hidden units without changing
    what the network computes, so the loss is identical. A network with hidden
    widths ``h_1, ..., h_k`` therefore has ``h_1! ... h_k!`` copies of every
    minimum, and the average of two copies is generally *not* a minimum: the
    loss is not convex.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    layer : int
        Hidden layer index, 0 for the first hidden layer, up to
        ``len(model.sizes) - 3``.
    perm : array_like of int
        A permutation of ``0, ..., width - 1`` where width is the layer's size:
        new unit ``i`` is old unit ``perm[i]``.

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init(seed=0)
    >>> swapped = permute_hidden_units(model, theta, layer=0, perm=[1, 0, 2, 3])
    >>> bool(np.array_equal(swapped, theta)), bool(np.isclose(
    ...     model.loss(swapped, X, y), model.loss(theta, X, y), rtol=1e-14))
    (False, True)
    """
    check_model(model)
    theta = model.check_theta(theta)
    n_hidden = model.n_layers - 1
    if n_hidden == 0:
        raise ValueError("model has no hidden layer to permute (sizes="
                         f"{model.sizes}); permutation symmetry needs one")
    layer = check_number("layer", layer, integer=True)
    if not 0 <= layer < n_hidden:
        raise ValueError(
            f"layer must be a hidden layer index from 0 to {n_hidden - 1} "
            f"(this network has {n_hidden} hidden layer{'s' if n_hidden > 1 else ''}), "
            f"got {layer}"
        )
    width = model.sizes[layer + 1]
    p = np.asarray(perm)
    if (p.ndim != 1 or p.shape[0] != width or not np.issubdtype(p.dtype, np.integer)
            or not np.array_equal(np.sort(p), np.arange(width))):
        raise ValueError(
            f"perm must be a permutation of 0..{width - 1} (hidden layer {layer} has "
            f"{width} units), got {show(perm)}"
        )
    out = theta.copy()
    (W, b), (W_next, _) = model.unflatten(out)[layer:layer + 2]  # views into out
    W[...] = W[:, p]
    b[...] = b[p]
    W_next[...] = W_next[p, :]
    return out
