"""Matrix-free Hessian tools: Lanczos, spectral density and Hutchinson's trace estimate,
working from a Hessian-vector product ``v -> H v`` alone.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, check_number, check_seed, show

__all__ = [
    "lanczos",
    "spectral_density",
    "hutchinson_trace",
]


#: Largest ``dim`` of the matrix-free tools (Lanczos keeps ``k`` vectors of this size).
MAX_HVP_DIM = 10**8


def _check_hvp(hvp, dim):
    if not callable(hvp):
        raise TypeError(f"hvp must be a function v -> H v, got {show(hvp)}")
    return check_int("dim", dim, low=1, high=MAX_HVP_DIM)


def _apply(hvp, v, dim):
    w = np.asarray(hvp(v), dtype=float)
    if w.shape != (dim,):
        raise ValueError(
            f"hvp must return a vector of shape ({dim},) for a vector of shape "
            f"({dim},), got shape {w.shape}"
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("hvp returned non-finite numbers (NaN or infinity)")
    return w


def _lanczos_tridiagonal(hvp, v0, k, dim, tol=None):
    """k Lanczos steps with full reorthogonalization from v0.

    Returns the diagonal ``alpha``, off-diagonal ``beta``, basis ``Q``
    (columns) and whether the largest Ritz value is converged. Stops early
    when the Krylov space is invariant (then every Ritz value is exact) or,
    with ``tol``, as soon as the largest Ritz pair ``(theta, u)`` has residual
    ``|H u - theta u| = beta_j |s_j| <= tol * max(1, |theta|)`` (``s_j`` the
    last entry of its eigenvector of ``T``: no extra product needed).
    """
    Q = np.zeros((dim, k))
    alpha = np.zeros(k)
    beta = np.zeros(k)
    q = v0 / np.linalg.norm(v0)
    m = k
    converged = k == dim
    for j in range(k):
        Q[:, j] = q
        w = _apply(hvp, q, dim)
        alpha[j] = q @ w
        # Full reorthogonalization (twice is enough, Parlett's rule): keeps the
        # basis orthogonal so no spurious copies of converged Ritz values.
        for _ in range(2):
            w = w - Q[:, : j + 1] @ (Q[:, : j + 1].T @ w)
        b = np.linalg.norm(w)
        if tol is not None:
            theta, S = _ritz(alpha[: j + 1], beta[:j])
            if b * abs(S[-1, -1]) <= tol * max(1.0, abs(theta[-1])):
                m, converged = j + 1, True
                break
        if j == k - 1:
            break
        # ||H|| is at least every |alpha| and beta seen so far.
        scale = max(np.abs(alpha[: j + 1]).max(), beta[:j].max() if j else 0.0)
        if b <= 1e-12 * scale:
            m, converged = j + 1, True
            break
        beta[j] = b
        q = w / b
    return alpha[:m], beta[: m - 1], Q[:, :m], converged


def _ritz(alpha, beta):
    """Eigenvalues (ascending) and eigenvectors of the tridiagonal Lanczos matrix."""
    T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return np.linalg.eigh(T)


def lanczos(hvp, dim, k=None, seed=0, tol=None, return_converged=False):
    """Extreme eigenvalues of a symmetric operator known only through ``v -> H v``.

    Runs ``k`` steps of the Lanczos iteration with full reorthogonalization
    from a random start and returns the Ritz values and vectors. The largest
    and smallest Ritz values converge first and fastest to the extreme
    eigenvalues; with ``k = dim`` all eigenvalues are recovered (in exact
    arithmetic). With ``tol`` the iteration stops as soon as the *largest*
    Ritz value has converged (this is how :func:`labtools.nn.sharpness` finds
    the top eigenvalue of the network's Hessian).

    Parameters
    ----------
    hvp : callable
        ``hvp(v)`` returns ``H @ v`` for a vector ``v`` of shape ``(dim,)``.
    dim : int
        Size of ``H``.
    k : int, optional
        Number of Lanczos steps (size of the Krylov space), ``1 <= k <= dim``;
        default ``min(dim, 40)``. With ``tol``, the most steps to take.
    seed : int or None, default 0
        Seed of the random start vector.
    tol : float, optional
        Stop early once the largest Ritz pair ``(theta, u)`` has residual
        ``|H u - theta u| <= tol * max(1, |theta|)``, > 0. The residual is
        known from the tridiagonal matrix, so this costs no extra product.
    return_converged : bool, default False
        Also return whether the largest Ritz value is converged: it met
        ``tol``, or the Krylov space became invariant or reached ``k = dim``
        (where the Ritz values are exact).

    Returns
    -------
    values : ndarray
        Shape ``(m,)``.
        Ritz values, ascending (``m <= k``: fewer if the start vector lies in
        an invariant subspace, or if ``tol`` was met early).
    vectors : ndarray
        Shape ``(dim, m)``.
        Ritz vectors as columns, unit length.
    converged : bool
        Only with ``return_converged=True``.

    References
    ----------
    lanczos1950iteration

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag([-1.0, 0.5, 2.0, 3.0])
    >>> values, vectors = lanczos(lambda v: H @ v, dim=4, k=4)
    >>> values.round(10)
    array([-1. ,  0.5,  2. ,  3. ])
    >>> H = np.diag(np.r_[np.linspace(0.0, 1.0, 99), 5.0])
    >>> values, _, ok = lanczos(lambda v: H @ v, 100, k=50, tol=1e-10, return_converged=True)
    >>> round(float(values[-1]), 10), len(values) < 50, ok
    (5.0, True, True)
    """
    dim = _check_hvp(hvp, dim)
    k = min(dim, 40) if k is None else check_int("k", k, low=1, high=dim)
    seed = check_seed(seed)
    if tol is not None:
        tol = check_number("tol", tol, positive=True)
    v0 = np.random.default_rng(seed).standard_normal(dim)
    alpha, beta, Q, converged = _lanczos_tridiagonal(hvp, v0, k, dim, tol)
    theta, S = _ritz(alpha, beta)
    if return_converged:
        return theta, Q @ S, converged
    return theta, Q @ S


def spectral_density(hvp, dim, n_probes=10, k=None, seed=0, grid=400, sigma=None):
    """Smoothed eigenvalue density of ``H`` by stochastic Lanczos quadrature.

    For each of ``n_probes`` random unit vectors ``v``, ``k`` Lanczos steps
    give nodes ``theta_j`` (Ritz values) and weights ``tau_j`` (squared first
    components of the eigenvectors of the tridiagonal matrix) such that
    ``v^T g(H) v ~ sum_j tau_j g(theta_j)``. Averaging over probes with a
    Gaussian ``g`` of width ``sigma`` gives the density.

    Parameters
    ----------
    hvp : callable
        ``hvp(v)`` returns ``H @ v``.
    dim : int
        Size of ``H``.
    n_probes : int, default 10
        Number of random probe vectors.
    k : int, optional
        Lanczos steps per probe; default ``min(dim, 40)``.
    seed : int or None, default 0
    grid : int or array_like, default 400
        Points at which to evaluate the density: a number of points spread
        over the Ritz values' range (padded by ``3 sigma``), or the points
        themselves (a 1-D increasing array).
    sigma : float, optional
        Gaussian smoothing width; default 2% of the range of the Ritz values
        (or 0.01 if that range is zero).

    Returns
    -------
    grid : ndarray
        Shape ``(g,)``.
    density : ndarray
        Shape ``(g,)``.
        Nonnegative, integrating to about 1 over a wide enough grid (multiply
        by ``dim`` to count eigenvalues per unit).

    References
    ----------
    ghorbani2019investigation, lanczos1950iteration

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag(np.r_[np.zeros(50), np.ones(50)])
    >>> xs, dens = spectral_density(lambda v: H @ v, 100, n_probes=5, k=10,
    ...                             sigma=0.05)
    >>> round(float(np.trapezoid(dens, xs)), 2)
    1.0
    """
    dim = _check_hvp(hvp, dim)
    n_probes = check_int("n_probes", n_probes, low=1, high=10**5)
    k = min(dim, 40) if k is None else check_int("k", k, low=1, high=dim)
    seed = check_seed(seed)
    if sigma is not None:
        sigma = check_number("sigma", sigma, positive=True)
    rng = np.random.default_rng(seed)
    nodes, weights = [], []
    for _ in range(n_probes):
        v0 = rng.choice([-1.0, 1.0], size=dim)
        alpha, beta, _, _ = _lanczos_tridiagonal(hvp, v0, k, dim)
        theta, S = _ritz(alpha, beta)
        nodes.append(theta)
        weights.append(S[0] ** 2 / n_probes)
    nodes, weights = np.concatenate(nodes), np.concatenate(weights)
    spread = float(nodes.max() - nodes.min())
    if sigma is None:
        sigma = 0.02 * spread if spread > 0 else 0.01
    if np.ndim(grid) == 0:
        n = check_int("grid", grid, low=2, high=10**6)
        xs = np.linspace(nodes.min() - 3 * sigma, nodes.max() + 3 * sigma, n)
    else:
        xs = np.asarray(grid, dtype=float)
        if xs.ndim != 1 or len(xs) < 2 or not np.all(np.isfinite(xs)) or np.any(
                np.diff(xs) <= 0):
            raise ValueError(f"grid must be a number of points or an increasing 1-D "
                             f"array of finite numbers, got {show(grid)}")
    z = (xs[:, None] - nodes[None, :]) / sigma
    density = (np.exp(-0.5 * z**2) @ weights) / (sigma * math.sqrt(2 * math.pi))
    return xs, density


def hutchinson_trace(hvp, dim, n_samples=100, seed=0, return_stderr=False):
    """Estimate ``trace(H)`` from Hessian-vector products with Rademacher probes.

    For random vectors ``z`` with independent entries ``+1`` or ``-1``,
    ``E[z^T H z] = trace(H)``; the estimate is the sample mean over
    ``n_samples`` probes.

    Parameters
    ----------
    hvp : callable
        ``hvp(v)`` returns ``H @ v``.
    dim : int
        Size of ``H``.
    n_samples : int, default 100
        Number of probes (at least 2 when ``return_stderr`` is set).
    seed : int or None, default 0
    return_stderr : bool, default False
        Also return the standard error of the estimate (sample standard
        deviation over ``sqrt(n_samples)``).

    Returns
    -------
    float, or (float, float) with ``return_stderr=True``

    References
    ----------
    hutchinson1989stochastic

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag([1.0, 2.0, 3.0])
    >>> hutchinson_trace(lambda v: H @ v, 3, n_samples=10)  # exact for diagonal H
    6.0
    """
    dim = _check_hvp(hvp, dim)
    n_samples = check_int("n_samples", n_samples, low=2 if return_stderr else 1, high=10**7)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    samples = np.empty(n_samples)
    for i in range(n_samples):
        z = rng.choice([-1.0, 1.0], size=dim)
        samples[i] = z @ _apply(hvp, z, dim)
    estimate = float(samples.mean())
    if return_stderr:
        return estimate, float(samples.std(ddof=1) / math.sqrt(n_samples))
    return estimate
