"""Classification data sets made in code: two moons, XOR blobs and two spirals.

Each returns ``(X, y)`` with ``X`` of shape ``(n, 2)`` and labels ``y`` in
``{0.0, 1.0}``, reproducible from ``seed``; no file is read.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_number, check_seed
from .checks import MAX_POINTS

__all__ = ["two_moons", "xor", "spirals"]


def _check_noise(noise):
    return check_number("noise", noise, nonnegative=True)


def _check_n(n, low=2):
    n = check_number("n", n, integer=True, high=MAX_POINTS)
    if n < low:
        raise ValueError(
            f"n must be a whole number of points, at least {low} (one per class), got {n}"
        )
    return n


def _noisy_shuffled(X, y, noise, rng):
    """Add Gaussian noise of standard deviation ``noise`` to the points, then shuffle."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def two_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, the course's standard classification task.

    The upper moon (label 0) is the half circle ``(cos t, sin t)``, the lower moon
    (label 1) is ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in
    ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added and the
    points are shuffled. No straight line separates the classes, so the network
    needs its hidden layer.

    Parameters
    ----------
    n : int
        Number of points, from 2 to 10 million (``n // 2`` in the upper moon).
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int
        Seed of the random generator (noise and shuffling).

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = two_moons(n=100, noise=0.1, seed=0)
    >>> X.shape, y.shape, np.unique(y)
    ((100, 2), (100,), array([0., 1.]))
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_up = np.linspace(0.0, np.pi, n_upper)
    t_lo = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_up), np.sin(t_up)])
    lower = np.column_stack([1.0 - np.cos(t_lo), 0.5 - np.sin(t_lo)])
    y = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])
    return _noisy_shuffled(np.vstack([upper, lower]), y, noise, rng)


def xor(n=200, noise=0.2, seed=0):
    """Four Gaussian blobs at ``(+-1, +-1)`` labelled by the XOR of their signs.

    Points near ``(1, 1)`` and ``(-1, -1)`` get label 0; points near ``(1, -1)`` and
    ``(-1, 1)`` get label 1. The smallest problem a linear model cannot solve.

    Parameters
    ----------
    n : int
        Number of points, from 2 to 10 million (spread evenly over the blobs).
    noise : float
        Standard deviation of each blob, >= 0.
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = xor(n=8, noise=0.0, seed=0)
    >>> bool(np.all(y == (X[:, 0] * X[:, 1] < 0)))
    True
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    which = np.arange(n) % 4
    return _noisy_shuffled(centers[which], labels[which], noise, rng)


def spirals(n=200, noise=0.05, turns=1.0, seed=0):
    """Two interleaved spirals, a harder task that needs a wider network.

    Class ``k`` (0 or 1) is the spiral ``r (cos a, sin a)`` with radius ``r`` from
    0.1 to 1 and angle ``a = 2 pi turns r + k pi``, plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of points, from 2 to 10 million.
    noise : float
        Standard deviation of the Gaussian noise, >= 0.
    turns : float
        Number of turns of each spiral, in (0, 1000].
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = spirals(n=50, seed=1)
    >>> X.shape, float(y.mean())
    ((50, 2), 0.5)
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    turns = check_number("turns", turns, positive=True, high=1000.0)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    parts, labels = [], []
    for k, m in ((0, n0), (1, n - n0)):
        r = np.linspace(0.1, 1.0, m)
        a = 2.0 * np.pi * turns * r + k * np.pi
        parts.append(np.column_stack([r * np.cos(a), r * np.sin(a)]))
        labels.append(np.full(m, float(k)))
    return _noisy_shuffled(np.vstack(parts), np.concatenate(labels), noise, rng)
