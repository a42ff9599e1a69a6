"""Connectivity of the network's minima: trained Bezier paths, permuted and aligned copies.

Two independently trained networks are separated by a loss barrier on the
straight segment between them, yet joined by a simple curve of low loss
(Garipov et al. 2018). Permuting the hidden units of a layer gives another
parameter vector computing the same function: each minimum has many copies.
Aligning the units of one network with those of another by weight matching
(Ainsworth et al. 2023), an assignment problem per layer solved by the
Hungarian algorithm (Kuhn 1955), removes much of the barrier on the straight
segment between them (Entezari et al. 2022).

References: garipov2018loss, ainsworth2023git, entezari2022role, kuhn1955hungarian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_finite, check_int, check_number, check_seed, show
from ..optim import gd
from ..run import MAX_STEPS, descend
from .checks import MAX_SAMPLES, as_float_array, check_bool, check_optimizer
from .mlp import MLP, check_model
from .slices import interpolate_loss

__all__ = ["BezierCurve", "bezier_curve_fit", "permute_hidden_units", "linear_assignment",
           "match_hidden_units"]


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
    history : ndarray (steps_taken + 1,)
        The fitted objective at every recorded middle point (the start, the
        average of the ends, included): the loss averaged over that
        evaluation's ``n_t`` sampled curve points, a stochastic estimate.
    grad_norms : ndarray (steps_taken + 1,)
        Norm of the sampled gradient with respect to ``middle`` at the same
        points.
    status : str
        ``"diverged"`` (a step produced NaN/inf or left ``|middle| <=
        max_norm``, or the loss became non-finite) or ``"max_steps"``, as in
        :class:`labtools.run.Trace`.
    diverged_at : int or None
        The step (1, 2, ...) that failed; ``middle`` is the last point before it.
    steps_taken : int
    reason : str
        Why the fit was stopped as diverged, else ``""``.

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
    grad_norms: np.ndarray | None = None
    status: str = "max_steps"
    diverged_at: int | None = None
    steps_taken: int = 0
    reason: str = ""

    @property
    def message(self):
        """Plain-English summary, e.g. ``"diverged at step 3 (...; try a smaller lr)"``."""
        if self.status == "diverged":
            return f"diverged at step {self.diverged_at} ({self.reason})"
        last = f" (sampled loss {self.history[-1]:.4g})" if len(self.history) else ""
        return f"ran {self.steps_taken} steps{last}"

    def point(self, t):
        """The curve point(s) ``phi(t)``: ``(P,)`` for a number, ``(k, P)`` for an array."""
        t_arr = check_finite("t", as_float_array("t", t), t)
        tt = np.atleast_1d(t_arr)[:, None]
        pts = ((1 - tt) ** 2 * self.theta_a + 2 * tt * (1 - tt) * self.middle
               + tt ** 2 * self.theta_b)
        return pts[0] if t_arr.ndim == 0 else pts

    def loss_along_curve(self, n=51):
        """``(ts, losses)`` at ``n`` evenly spaced ``t`` in [0, 1] along the curve."""
        n = check_int("n", n, low=2, high=MAX_SAMPLES)
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


class _CurveLoss:
    """The objective of the middle point: ``E_t L(phi(t))``, estimated from ``n_t`` samples.

    Each evaluation draws fresh ``t`` values, so the value and gradient at a
    point are one stochastic estimate (the gradient of a sampled mean).
    """

    def __init__(self, land, a, b, n_t, rng):
        self.land, self.a, self.b, self.n_t, self.rng = land, a, b, n_t, rng
        self.dim = a.shape[0]

    def value_and_grad(self, middle):
        ts = self.rng.uniform(0.0, 1.0, size=self.n_t)
        g = np.zeros(self.dim)
        total = 0.0
        for t in ts:
            point = (1 - t) ** 2 * self.a + 2 * t * (1 - t) * middle + t ** 2 * self.b
            value, gp = self.land.value_and_grad(point)
            # d phi(t) / d middle = 2 t (1 - t)
            g += 2.0 * t * (1.0 - t) * gp / self.n_t
            total += value / self.n_t
        return total, g

    def f(self, middle):
        return self.value_and_grad(middle)[0]

    def grad(self, middle):
        return self.value_and_grad(middle)[1]


def bezier_curve_fit(model, theta_a, theta_b, X, y, steps=300, lr=0.5, seed=0,
                     n_t=4, optimizer=None, max_norm=1e6):
    """Train a low-loss quadratic Bezier path between two solutions (mode connectivity).

    The ends ``theta_a``, ``theta_b`` stay fixed; the middle control point
    starts at their average and descends the expected loss over the curve,
    ``E_{t ~ U[0, 1]} L(phi(t))``: each evaluation samples ``n_t`` values of
    ``t`` and estimates the gradient with
    ``d L(phi(t)) / d middle = 2 t (1 - t) grad L(phi(t))``. Garipov et al. (2018)
    found that independently trained networks are joined by such simple curves
    of nearly constant low loss, although the straight segment between them
    crosses a barrier.

    The steps run in the loop of :func:`labtools.run.run`
    (``labtools.run.descend``), so the fit follows its rules: a diverging fit
    does not raise, it returns the curve through the last finite middle point
    with ``status="diverged"``, ``diverged_at`` and a ``message`` such as
    ``"diverged at step 3 (the step produced NaN or inf; try a smaller lr)"``.

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    X, y : array_like
    steps : int
        Training steps, from 0 to ``labtools.run.MAX_STEPS``.
    lr : float
        Learning rate of plain SGD on the middle point, > 0 (ignored when
        ``optimizer`` is given).
    seed : int or None
        Seed of the sampled ``t`` (a whole number >= 0, or None).
    n_t : int
        Values of ``t`` per evaluation, from 1 to 100000.
    optimizer : Optimizer, optional
        A first-order :mod:`labtools.optim` optimizer (e.g. ``adam``) to use
        instead of plain SGD. Its oracle is the sampled objective (each call
        of its ``f`` or ``grad`` draws fresh ``t``), which has no Hessian, so
        second-order methods do not apply.
    max_norm : float
        A step to ``|middle| > max_norm`` means ``"diverged"``.

    Returns
    -------
    BezierCurve
        With ``middle``, ``point(t)``, ``loss_along_curve(n)``,
        ``loss_along_line(n)``, ``barrier(n)``, and the record of the fit:
        ``history``, ``grad_norms``, ``status``, ``diverged_at``, ``message``.

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
    >>> curve.status, curve.history.shape
    ('max_steps', (21,))
    >>> bezier_curve_fit(model, a, b, X, y, steps=20, lr=1e9).message
    'diverged at step 1 (|middle| = 7.8e+07 exceeded max_norm = 1e+06; try a smaller lr)'
    """
    check_model(model)
    a = model.check_theta(theta_a, name="theta_a")
    b = model.check_theta(theta_b, name="theta_b")
    land = model.as_landscape(X, y)
    steps = check_int("steps", steps, low=0, high=MAX_STEPS)
    lr = check_number("lr", lr, positive=True)
    seed = check_seed(seed)
    n_t = check_int("n_t", n_t, low=1, high=MAX_SAMPLES)
    if optimizer is None:
        optimizer = gd(lr)
    else:
        check_optimizer(optimizer)
    max_norm = check_number("max_norm", max_norm, positive=True)
    objective = _CurveLoss(land, a, b, n_t, np.random.default_rng(seed))
    middle = 0.5 * (a + b)
    fit = descend(objective, optimizer, middle, optimizer.init(middle), steps,
                  max_norm=max_norm, keep_path=False, name="middle")
    return BezierCurve(model, a, b, fit.x_final, land.X, land.y, fit.values,
                       grad_norms=fit.grad_norms, status=fit.status,
                       diverged_at=fit.diverged_at, steps_taken=fit.steps_taken,
                       reason=fit.reason)


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


def linear_assignment(cost):
    """The permutation ``p`` minimizing ``sum_i cost[i, p[i]]``: the Hungarian algorithm.

    The O(n^3) shortest-augmenting-path form of Kuhn's method with
    potentials: rows are assigned one at a time, each along a cheapest path of
    reduced costs, and the potentials keep every reduced cost >= 0. It solves
    the same problem as ``scipy.optimize.linear_sum_assignment`` for a square
    matrix (the course does not depend on SciPy). To maximize, pass ``-cost``.

    Parameters
    ----------
    cost : array_like, shape (n, n)
        Finite costs, ``n`` from 1 to 2000.

    Returns
    -------
    ndarray of int, shape (n,)
        Row ``i`` is assigned to column ``p[i]``.

    References
    ----------
    kuhn1955hungarian

    Examples
    --------
    >>> linear_assignment([[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]])
    array([1, 0, 2])
    >>> linear_assignment([[1.0, 2.0]])
    Traceback (most recent call last):
    ...
    ValueError: cost must be a square matrix of finite numbers, got shape (1, 2)
    """
    C = np.asarray(cost, dtype=float) if not isinstance(cost, str) else None
    if C is None or C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] == 0 \
            or C.shape[0] > 2000 or not np.all(np.isfinite(C)):
        shape = "a string" if C is None else f"shape {C.shape}"
        if C is not None and C.ndim == 2 and C.shape[0] == C.shape[1] and C.size:
            shape = ("non-finite entries" if C.shape[0] <= 2000
                     else f"shape {C.shape} (at most 2000 x 2000)")
        raise ValueError(f"cost must be a square matrix of finite numbers, got {shape}")
    n = C.shape[0]
    u = np.zeros(n + 1)            # row potentials (index 0 unused)
    v = np.zeros(n + 1)            # column potentials; column 0 is the virtual start
    match = np.zeros(n + 1, int)   # match[j] = row assigned to column j (0: none)
    way = np.zeros(n + 1, int)
    for i in range(1, n + 1):
        match[0] = i
        j0 = 0
        minv = np.full(n + 1, np.inf)
        used = np.zeros(n + 1, bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            free = ~used[1:]
            reduced = C[i0 - 1] - u[i0] - v[1:]
            better = free & (reduced < minv[1:])
            minv[1:][better] = reduced[better]
            way[1:][better] = j0
            candidates = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:  # flip the augmenting path
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    p = np.empty(n, int)
    p[match[1:] - 1] = np.arange(n)
    return p


def match_hidden_units(model, theta_a, theta_b, max_iter=100, seed=0, return_perms=False):
    """Permute the hidden units of ``theta_b`` to line them up with ``theta_a`` (weight matching).

    The method of Ainsworth et al. (2023): choose one permutation ``P_l`` per
    hidden layer to maximize the summed inner products of the two networks'
    weights, ``sum_l <W_l^A, P_{l-1}^T W_l^B P_l> + <b_l^A, P_l^T b_l^B>``.
    With the other layers' permutations fixed, the terms that involve ``P_l``
    (the layer's incoming weights and bias, and the next layer's outgoing
    weights) make a linear assignment problem, solved exactly by
    :func:`linear_assignment`; the layers are visited in random order until
    no permutation changes. The result computes exactly the same function as
    ``theta_b`` (it only relabels units), but sits closer to ``theta_a``, so
    the loss barrier on the segment between ``theta_a`` and it is usually far
    lower than between ``theta_a`` and ``theta_b`` (Entezari et al. 2022).

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    max_iter : int
        Most sweeps over the layers, from 1 to 10000.
    seed : int or None
        Seed of the order in which layers are visited.
    return_perms : bool
        Also return the list of permutations, one per hidden layer (new unit
        ``i`` of layer ``l`` is unit ``perms[l][i]`` of ``theta_b``).

    Returns
    -------
    ndarray (P,), or (ndarray, list of ndarray) with ``return_perms=True``.

    References
    ----------
    ainsworth2023git, entezari2022role

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(5,), n=20)
    >>> theta = model.init(seed=0)
    >>> shuffled = permute_hidden_units(model, theta, 0, [3, 0, 4, 1, 2])
    >>> aligned = match_hidden_units(model, theta, shuffled)
    >>> bool(np.array_equal(aligned, theta))          # the shuffle is undone
    True
    """
    check_model(model)
    a = model.check_theta(theta_a, name="theta_a")
    b = model.check_theta(theta_b, name="theta_b")
    max_iter = check_int("max_iter", max_iter, low=1, high=10_000)
    seed = check_seed(seed)
    return_perms = check_bool("return_perms", return_perms)
    n_hidden = model.n_layers - 1
    if n_hidden == 0:
        raise ValueError("model has no hidden layer to align (sizes="
                         f"{model.sizes}); weight matching needs one")
    pa, pb = model.unflatten(a), model.unflatten(b)
    perms = [np.arange(model.sizes[layer + 1]) for layer in range(n_hidden)]
    rng = np.random.default_rng(seed)
    for _ in range(max_iter):
        changed = False
        for layer in rng.permutation(n_hidden):
            (WA, bA), (WA_next, _) = pa[layer], pa[layer + 1]
            (WB, bB), (WB_next, _) = pb[layer], pb[layer + 1]
            if layer > 0:            # incoming rows follow the previous layer's units
                WB = WB[perms[layer - 1], :]
            if layer + 1 < n_hidden:  # outgoing columns follow the next layer's units
                WB_next = WB_next[:, perms[layer + 1]]
            similarity = WA.T @ WB + np.outer(bA, bB) + WA_next @ WB_next.T
            p = linear_assignment(-similarity)
            if not np.array_equal(p, perms[layer]):
                perms[layer], changed = p, True
        if not changed:
            break
    out = b
    for layer, p in enumerate(perms):
        out = permute_hidden_units(model, out, layer, p)
    return (out, perms) if return_perms else out
