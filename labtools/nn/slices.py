"""Slices of the network's loss: along a line, on a plane, on a training path's plane.

Parameter space has hundreds of dimensions, so pictures show 1-D and 2-D
slices: the straight line between two parameter vectors (Goodfellow et al.
2015), planes through filter-normalized random directions and through the
principal directions of a training trajectory (Li et al. 2018).

References: goodfellow2015qualitatively, li2018visualizing.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_finite, check_int, check_number, check_seed, show
from .checks import MAX_GRID, MAX_SAMPLES, as_float_array, check_bool
from .mlp import check_model

__all__ = [
    "interpolate_loss",
    "random_direction",
    "random_directions",
    "loss_surface_2d",
    "PCADirections",
    "pca_directions",
]


def interpolate_loss(model, theta_a, theta_b, X, y, n=51, span=(0.0, 1.0)):
    """Loss along the straight line ``(1 - alpha) theta_a + alpha theta_b``.

    Goodfellow et al. (2015) found that, from initialisation to solution, this
    1-D slice is often smooth and monotone: the non-convexity is hard to see on
    that path. Between two *different* solutions the same slice shows a barrier.

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    X, y : array_like
    n : int
        Number of values of ``alpha``, from 2 to 100000.
    span : (float, float)
        Range of ``alpha``; ``(0, 1)`` is the segment, e.g. ``(-0.5, 1.5)``
        extends it beyond both ends.

    Returns
    -------
    alphas : ndarray (n,)
    losses : ndarray (n,)

    References
    ----------
    goodfellow2015qualitatively

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> alphas, losses = interpolate_loss(model, a, b, X, y, n=11)
    >>> bool(np.isclose(losses[0], model.loss(a, X, y)))
    True
    """
    check_model(model)
    a = model.check_theta(theta_a, name="theta_a")
    b = model.check_theta(theta_b, name="theta_b")
    land = model.as_landscape(X, y)
    n = check_int("n", n, low=2, high=MAX_SAMPLES)
    lo, hi = _check_pair("span", span)
    alphas = np.linspace(lo, hi, n)
    losses = np.array([land.f((1 - t) * a + t * b) for t in alphas])
    return alphas, losses


def _check_pair(name, value):
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {show(value)}") \
            from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a pair of finite numbers low < high, got {show(value)}")
    return lo, hi


def _normalize_direction(model, d, theta, normalize, include_bias):
    d = d.copy()
    if normalize == "none":
        return d
    # unflatten gives views, so scaling dW and db in place rescales d
    for (dW, db), (tW, tb) in zip(model.unflatten(d), model.unflatten(theta), strict=True):
        if normalize == "filter":
            # one filter = the incoming weights of one unit (a column of W)
            if include_bias:
                dn = np.sqrt((dW ** 2).sum(axis=0) + db ** 2)
                tn = np.sqrt((tW ** 2).sum(axis=0) + tb ** 2)
            else:
                dn = np.sqrt((dW ** 2).sum(axis=0))
                tn = np.sqrt((tW ** 2).sum(axis=0))
            factor = np.divide(tn, dn, out=np.zeros_like(tn), where=dn > 0)
        else:  # layer
            if include_bias:
                dn = np.sqrt(np.sum(dW ** 2) + np.sum(db ** 2))
                tn = np.sqrt(np.sum(tW ** 2) + np.sum(tb ** 2))
            else:
                dn, tn = np.linalg.norm(dW), np.linalg.norm(tW)
            factor = tn / dn if dn > 0 else 0.0
        dW *= factor
        db *= factor if include_bias else 0.0
    return d


def random_direction(model, theta, seed=0, normalize="filter", include_bias=False):
    """A Gaussian random direction in parameter space, filter-normalized at ``theta``.

    A raw random direction is meaningless for comparing slices: rescaling the
    incoming weights of a ReLU unit leaves the function unchanged but shrinks or
    stretches the slice. Li et al. (2018) therefore rescale the direction
    *filter by filter*: in a convolutional net a filter is one output channel's
    kernel; in an MLP it is the **incoming weights of one unit**, i.e. one column
    of ``W_l``. With ``normalize="filter"`` each column of every ``W_l`` in the
    direction gets the norm of the same column of ``theta``.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
        The point the slice is centred on.
    seed : int
        Seed of the Gaussian draw.
    normalize : str
        ``"filter"`` (per unit, default), ``"layer"`` (per weight matrix) or
        ``"none"`` (raw Gaussian).
    include_bias : bool
        If False (the choice of Li et al.'s released code), bias entries of the
        direction are 0; if True, unit ``j``'s bias is part of its filter and is
        rescaled with it.

    Returns
    -------
    ndarray, shape (P,)

    Notes
    -----
    A unit whose incoming weights in ``theta`` are all zero gets a zero block in
    the direction (its norm is matched). The output unit counts as a filter
    too: the last layer's single column is rescaled like the others.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init(seed=0)
    >>> d = random_direction(model, theta, seed=1)
    >>> W_d, W_t = model.unflatten(d)[0][0], model.unflatten(theta)[0][0]
    >>> bool(np.allclose(np.linalg.norm(W_d, axis=0), np.linalg.norm(W_t, axis=0)))
    True
    """
    check_model(model)
    theta = model.check_theta(theta)
    seed = check_seed(seed)
    normalize = check_choice("normalize", normalize, ("filter", "layer", "none"))
    include_bias = check_bool("include_bias", include_bias)
    d = np.random.default_rng(seed).standard_normal(model.n_params)
    return _normalize_direction(model, d, theta, normalize, include_bias)


def random_directions(model, theta, k=2, seed=0, normalize="filter", include_bias=False):
    """``k`` independent filter-normalized random directions, shape ``(k, P)``.

    See :func:`random_direction`; direction ``i`` uses seed ``(seed, i)``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> d1, d2 = random_directions(model, model.init(), seed=0)
    >>> d1.shape
    (17,)
    """
    check_model(model)
    theta = model.check_theta(theta)
    k = check_int("k", k, low=1, high=MAX_SAMPLES)
    seed = check_seed(seed)
    normalize = check_choice("normalize", normalize, ("filter", "layer", "none"))
    include_bias = check_bool("include_bias", include_bias)
    if seed is None:  # one fresh root, so the k directions still differ from each other
        seed = int(np.random.default_rng().integers(2**63))
    out = np.empty((k, model.n_params))
    for i in range(k):
        d = np.random.default_rng([seed, i]).standard_normal(model.n_params)
        out[i] = _normalize_direction(model, d, theta, normalize, include_bias)
    return out


def _check_span(span):
    if isinstance(span, numbers.Real) and not isinstance(span, bool):
        s = check_number("span", span, positive=True)
        return (-s, s), (-s, s)
    try:
        first, second = span
        return _check_pair("span[0]", first), _check_pair("span[1]", second)
    except (TypeError, ValueError):
        raise ValueError(
            f"span must be a positive number s (the square [-s, s]^2) or two pairs "
            f"((a_lo, a_hi), (b_lo, b_hi)), got {show(span)}"
        ) from None


def loss_surface_2d(model, theta, d1, d2, X, y, span=1.0, n=25):
    """Loss on the plane ``theta + a d1 + b d2``: a 2-D slice of the landscape.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
        Centre of the slice (``a = b = 0``).
    d1, d2 : array_like, shape (P,)
        Directions, e.g. from :func:`random_directions` or :func:`pca_directions`.
    X, y : array_like
    span : float or ((float, float), (float, float))
        ``s`` for the square ``[-s, s]^2``, or the ranges of ``a`` and ``b``.
    n : int
        Grid points per axis, from 2 to 1000.

    Returns
    -------
    A, B, Z : ndarray, shape (n, n)
        Meshgrid of the coefficients (``A`` varies along columns) and the loss,
        ready for ``plt.contour(A, B, Z)``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> d1, d2 = random_directions(model, theta)
    >>> A, B, Z = loss_surface_2d(model, theta, d1, d2, X, y, span=1.0, n=5)
    >>> bool(np.isclose(Z[2, 2], model.loss(theta, X, y)))
    True
    """
    check_model(model)
    theta = model.check_theta(theta)
    d1 = model.check_theta(d1, name="d1")
    d2 = model.check_theta(d2, name="d2")
    land = model.as_landscape(X, y)
    (a0, a1), (b0, b1) = _check_span(span)
    n = check_int("n", n, low=2, high=MAX_GRID)
    A, B = np.meshgrid(np.linspace(a0, a1, n), np.linspace(b0, b1, n))
    Z = np.empty_like(A)
    for idx in np.ndindex(A.shape):
        t = theta + A[idx] * d1 + B[idx] * d2
        Z[idx] = land.f(t)
    return A, B, Z


class PCADirections(NamedTuple):
    """Principal directions of a training trajectory (see :func:`pca_directions`)."""

    directions: np.ndarray
    """``(2, P)`` orthonormal directions."""
    explained_variance_ratio: np.ndarray
    """``(2,)`` share of the trajectory's spread along each direction."""
    coords: np.ndarray
    """``(T, 2)`` the trajectory projected: ``(thetas - origin) @ directions.T``."""
    origin: np.ndarray
    """``(P,)`` the point the directions are centred on."""


def pca_directions(thetas, center="final"):
    """Top-2 principal directions of a training trajectory, and its projection.

    Random directions in thousands of dimensions are nearly orthogonal to the
    path an optimizer takes, so a trajectory drawn on a random slice looks like
    noise. Li et al. (2018) instead take the principal directions of the
    matrix whose rows are ``theta_i - theta_final``: they capture most of the
    path (often > 90 % of its spread in the first two).

    Parameters
    ----------
    thetas : array_like, shape (T, P)
        The trajectory, e.g. ``train(...).thetas``; ``T >= 2``.
    center : str
        ``"final"`` (default, as Li et al.: the last point is the origin) or
        ``"mean"`` (ordinary PCA).

    Returns
    -------
    PCADirections
        ``directions`` (2, P), ``explained_variance_ratio`` (2,), ``coords``
        (T, 2), ``origin`` (P,). Plot the slice with
        ``loss_surface_2d(model, origin, *directions, X, y, span=...)`` and the
        path with ``coords``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> path = np.outer(np.linspace(0, 1, 5), [3.0, 4.0, 0.0])   # a straight path
    >>> pca = pca_directions(path)
    >>> np.round(np.abs(pca.directions[0]), 6), round(float(pca.explained_variance_ratio[0]), 6)
    (array([0.6, 0.8, 0. ]), 1.0)
    """
    T = as_float_array("thetas", thetas)
    if T.ndim != 2 or T.shape[0] < 2 or T.shape[1] < 2:
        raise ValueError(
            f"thetas must have shape (T, P) with at least 2 points of at least 2 "
            f"parameters (a training trajectory), got shape {T.shape}"
        )
    check_finite("thetas", T, thetas)
    center = check_choice("center", center, ("final", "mean"))
    origin = T[-1].copy() if center == "final" else T.mean(axis=0)
    M = T - origin
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s ** 2))
    if total == 0.0:
        raise ValueError("thetas must not all be equal: the trajectory has no spread")
    dirs = np.zeros((2, T.shape[1]))
    k = min(2, Vt.shape[0])
    dirs[:k] = Vt[:k]
    ratio = np.zeros(2)
    ratio[:k] = s[:k] ** 2 / total
    # orient each direction so that the path starts at negative coordinates
    coords = M @ dirs.T
    for j in range(2):
        if coords[0, j] > 0:
            dirs[j] *= -1
            coords[:, j] *= -1
    return PCADirections(dirs, ratio, coords, origin)
