"""The random-Hessian experiment: how often is a random symmetric (GOE) matrix positive
definite?
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, check_number, check_seed, show

__all__ = [
    "goe_all_positive_fraction",
    "goe_all_positive_exact",
    "goe_all_positive_asymptotic",
    "GOE_THETA",
]


#: Largest matrix size :func:`goe_all_positive_fraction` samples (one d x d matrix at
#: a time takes 8 d^2 bytes; the fraction is below 1e-100 from d = 30 on).
GOE_MAX_D = 1000


#: Decay rate of P(all d eigenvalues of a GOE matrix are positive) ~ exp(-theta d^2)
#: (Dean & Majumdar 2006): theta = ln(3) / 4.
GOE_THETA = math.log(3.0) / 4.0


def goe_all_positive_fraction(d, n_samples=10000, seed=0):
    """Fraction of random GOE matrices of size ``d`` that are positive definite.

    Each sample is ``(A + A^T) / 2`` with ``A`` a ``d x d`` matrix of standard
    normal entries (the Gaussian Orthogonal Ensemble, up to a scale that does
    not change signs). Eigenvalues are computed in batches with
    ``np.linalg.eigvalsh``.

    Parameters
    ----------
    d : int
        Matrix size, 1 to ``GOE_MAX_D`` (1000).
    n_samples : int, default 10000
    seed : int or None, default 0

    Returns
    -------
    float
        Fraction of samples whose eigenvalues are all positive: the chance
        that a critical point with a "random" Hessian is a minimum.

    References
    ----------
    dean2006large

    Examples
    --------
    >>> round(goe_all_positive_fraction(1, n_samples=20000), 1)
    0.5
    """
    given = d
    d = check_int("d", d, low=1)
    if d > GOE_MAX_D:
        raise ValueError(
            f"d must be at most {GOE_MAX_D} (each sample is a d x d matrix; the fraction "
            f"is below 1e-100 from d = 30 on), got {show(given)}; use "
            "goe_all_positive_asymptotic(d) for large d"
        )
    n_samples = check_int("n_samples", n_samples, low=1, high=10**8)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // (d * d))  # bound memory to ~16 MB per batch
    hits = 0
    done = 0
    while done < n_samples:
        m = min(chunk, n_samples - done)
        A = rng.standard_normal((m, d, d))
        lowest = np.linalg.eigvalsh((A + np.swapaxes(A, 1, 2)) / 2)[:, 0]
        hits += int(np.count_nonzero(lowest > 0))
        done += m
    return hits / n_samples


def goe_all_positive_exact(d):
    """Exact probability that a ``d x d`` GOE matrix is positive definite.

    Known in closed form for small ``d``: ``1/2`` for ``d = 1`` (the sign of
    one Gaussian), ``(2 - sqrt(2)) / 4 ~ 0.1464`` for ``d = 2`` and
    ``(pi - 2 sqrt(2)) / (4 pi) ~ 0.0249`` for ``d = 3``. Each is the integral
    of the GOE joint eigenvalue density
    ``prod_{i<j} |l_i - l_j| exp(-sum_i l_i^2 / 2)`` over the positive orthant
    divided by its integral over all of ``R^d`` (Mehta's integral).
    ``tests/test_curvature.py`` redoes the ``d = 2`` integral with SymPy and
    checks ``d = 3`` by numerical integration and by sampling.

    Parameters
    ----------
    d : int
        1, 2 or 3.

    Returns
    -------
    float

    References
    ----------
    dean2006large

    Examples
    --------
    >>> goe_all_positive_exact(1)
    0.5
    >>> round(goe_all_positive_exact(2), 6)
    0.146447
    """
    d = check_int("d", d, low=1)
    exact = {1: 0.5, 2: (2.0 - math.sqrt(2.0)) / 4.0,
             3: (math.pi - 2.0 * math.sqrt(2.0)) / (4.0 * math.pi)}
    if d not in exact:
        raise ValueError(
            f"d must be one of {sorted(exact)} for an exact value, got {d}; use "
            f"goe_all_positive_fraction(d) to estimate it or "
            f"goe_all_positive_asymptotic(d) for the large-d decay"
        )
    return exact[d]


def goe_all_positive_asymptotic(d):
    """Leading large-``d`` behaviour ``exp(-theta d^2)``, ``theta = ln(3)/4``.

    Dean & Majumdar (2006) showed that the probability that all ``d``
    eigenvalues of a GOE matrix are positive decays like
    ``exp(-theta d^2)`` with ``theta = ln(3) / 4 ~ 0.2747``. This function
    returns that leading term only: the prefactor and lower-order terms in
    the exponent are dropped, so it describes the *rate* of decay (compare
    logarithms divided by ``d^2``), not the value at small ``d``.

    Parameters
    ----------
    d : int or float
        Matrix size (positive).

    Returns
    -------
    float

    References
    ----------
    dean2006large

    Examples
    --------
    >>> round(goe_all_positive_asymptotic(10), 14)
    1.18e-12
    """
    d = check_number("d", d, positive=True)
    return math.exp(-GOE_THETA * d * d)
