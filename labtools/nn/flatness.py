"""How flat a minimum of the network is: sharpness, the Hessian trace, and a SAM step.

Both measures are matrix-free, built on exact Hessian-vector products
(:meth:`labtools.nn.MLP.hvp`): the top eigenvalue by Lanczos or power
iteration, the trace by Hutchinson's estimator. :func:`sam_step` is one step
of sharpness-aware minimization (Foret et al. 2021) written out for the
network; the optimizer itself is :func:`labtools.optim.sam`.

References: lanczos1950iteration, hutchinson1989stochastic, foret2021sharpness.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._checks import check_choice, check_int, check_number, check_seed
from ..curvature import lanczos
from ..optim.sharpness_aware import sam_perturbation
from .checks import MAX_SAMPLES, check_bool
from .mlp import check_model

__all__ = ["sharpness", "hessian_trace", "sam_step"]


def sharpness(model, theta, X, y, method="lanczos", iters=200, tol=1e-10, seed=0,
              return_vector=False):
    """Sharpness: the largest eigenvalue of the loss Hessian at ``theta``.

    Computed matrix-free from exact Hessian-vector products (:meth:`MLP.hvp`).
    ``method="lanczos"`` (default) runs :func:`labtools.curvature.lanczos` (full
    reorthogonalization) until the Ritz residual ``|H u - lambda u|`` falls below
    ``tol * max(1, |lambda|)``: it returns the largest *algebraic* eigenvalue.
    ``method="power"`` is plain power iteration: it converges to the eigenvalue
    of largest *magnitude*, which is the top one whenever
    ``lambda_max >= |lambda_min|`` (true near a minimum), and more slowly.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    method : str
        ``"lanczos"`` or ``"power"``.
    iters : int
        Maximum Hessian-vector products, >= 1; a warning says so if the
        tolerance was not reached.
    tol : float
        Relative tolerance, > 0.
    seed : int
        Seed of the start vector.
    return_vector : bool
        Also return the unit eigenvector.

    Returns
    -------
    float, or (float, ndarray (P,)) with ``return_vector=True``.

    References
    ----------
    lanczos1950iteration, pearlmutter1994fast

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> lam = sharpness(model, theta, X, y)
    >>> bool(np.isclose(lam, np.linalg.eigvalsh(model.hessian(theta, X, y))[-1]))
    True
    """
    check_model(model)
    theta = model.check_theta(theta)
    land = model.as_landscape(X, y)
    method = check_choice("method", method, ("lanczos", "power"))
    iters = check_int("iters", iters, low=1)
    tol = check_number("tol", tol, positive=True)
    seed = check_seed(seed)

    def matvec(v):
        return land.hvp(theta, v)

    if method == "lanczos":
        if seed is None:  # lanczos wants a whole number: draw one from fresh entropy
            seed = int(np.random.default_rng().integers(2**63))
        values, vectors, converged = lanczos(
            matvec, model.n_params, k=min(iters, model.n_params), seed=seed, tol=tol,
            return_converged=True)
        lam, vec = float(values[-1]), vectors[:, -1]
    else:
        v = np.random.default_rng(seed).standard_normal(model.n_params)
        v /= np.linalg.norm(v)
        lam, converged = 0.0, False
        for _ in range(iters):
            w = matvec(v)
            lam = float(v @ w)
            nw = np.linalg.norm(w)
            if nw == 0.0 or np.linalg.norm(w - lam * v) <= tol * max(1.0, abs(lam)):
                converged = True
                break
            v = w / nw
        vec = v
    if not converged:
        warnings.warn(
            f"sharpness: {method} did not reach tol={tol:g} in iters={iters} "
            f"Hessian-vector products; the value {lam:.6g} may be inaccurate "
            f"(raise iters{' or use method=' + repr('lanczos') if method == 'power' else ''})",
            stacklevel=2,
        )
    vec = vec / np.linalg.norm(vec)
    return (lam, vec) if return_vector else lam


def hessian_trace(model, theta, X, y, n_samples=100, seed=0, return_stderr=False):
    """Hutchinson's estimate of the Hessian trace, ``mean(z^T H z)`` over random signs ``z``.

    With Rademacher ``z`` (entries +-1) the estimate is unbiased; its variance
    comes only from the off-diagonal of ``H``. All ``n_samples`` products run in
    one vectorized Hessian-vector pass.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    n_samples : int
        Number of random probe vectors, from 1 (2 with ``return_stderr``) to 100000.
    seed : int or None
        Seed of the probes (a whole number >= 0, or None).
    return_stderr : bool
        Also return the standard error of the estimate (sample standard
        deviation over ``sqrt(n_samples)``), as
        :func:`labtools.curvature.hutchinson_trace` does.

    Returns
    -------
    float, or (float, float) with ``return_stderr=True``.

    References
    ----------
    hutchinson1989stochastic

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> est, se = hessian_trace(model, theta, X, y, n_samples=2000, return_stderr=True)
    >>> bool(abs(est - np.trace(model.hessian(theta, X, y))) < 5 * se)
    True
    """
    check_model(model)
    theta = model.check_theta(theta)
    land = model.as_landscape(X, y)
    return_stderr = check_bool("return_stderr", return_stderr)
    n_samples = check_int("n_samples", n_samples, low=2 if return_stderr else 1,
                          high=MAX_SAMPLES)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    Z = rng.choice([-1.0, 1.0], size=(n_samples, model.n_params))
    vals = []
    chunk = max(1, int(2e6 // (land.X.shape[0] * max(model.sizes))))
    for start in range(0, n_samples, chunk):
        Zc = Z[start:start + chunk]
        vals.append(np.einsum("kp,kp->k", Zc, land.hvp(theta, Zc)))
    vals = np.concatenate(vals)
    est = float(vals.mean())
    if return_stderr:
        return est, float(vals.std(ddof=1) / np.sqrt(n_samples))
    return est



def sam_step(model, theta, X, y, lr, rho):
    """One step of sharpness-aware minimization (SAM).

    ``e = rho g / |g|`` with ``g = grad L(theta)`` is the steepest ascent step of
    length ``rho``; SAM descends with the gradient found there:
    ``theta_new = theta - lr * grad L(theta + e)``. At a sharp minimum the
    gradient at ``theta + e`` is large, so SAM is pushed towards flatter regions.
    When ``g = 0`` exactly, ``e = 0``.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    lr : float
        Learning rate, > 0.
    rho : float
        Radius of the ascent step, >= 0 (0 gives plain gradient descent).

    Returns
    -------
    ndarray, shape (P,)

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> g = model.grad(theta, X, y)
    >>> manual = theta - 0.1 * model.grad(theta + 0.05 * g / np.linalg.norm(g), X, y)
    >>> bool(np.allclose(sam_step(model, theta, X, y, lr=0.1, rho=0.05), manual))
    True
    """
    check_model(model)
    theta = model.check_theta(theta)
    land = model.as_landscape(X, y)
    lr = check_number("lr", lr, positive=True)
    rho = check_number("rho", rho, nonnegative=True)
    g = land.grad(theta)
    g_sam = land.grad(theta + sam_perturbation(g, rho))
    return theta - lr * g_sam
