"""Negative-curvature descent: look for a downhill direction of the Hessian when
the gradient is small (Neon-style; Xu, Jin & Yang 2018; Allen-Zhu & Li 2018).

Where the gradient is large, take a gradient step. Where it is small, run a
few Lanczos iterations with Hessian-vector products only (the Hessian is
never formed) to estimate the lowest eigenvalue ``lambda`` and its
eigenvector ``v``; if ``lambda < -curv_thresh``, step along ``v`` by
``|lambda| / rho`` (``rho`` an estimate of the Hessian's Lipschitz constant),
in the direction that does not go uphill. This replaces perturbed GD's
random kick by one computed direction.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_int, check_number, check_seed, show
from .base import Optimizer, ScaleByLrState, advance_rng, check_lr, make_rng, row_norm, scale_by_lr

__all__ = ["NeonState", "lanczos_min_eig", "neon_gd"]


class NeonState(NamedTuple):
    """``rng``: the generator of Lanczos start vectors; ``lam``: the latest
    lowest-eigenvalue estimate per point (NaN where none was computed);
    ``nc_steps``: negative-curvature steps taken per point; ``lr_state``: the
    gradient steps' learning rate."""

    rng: np.random.Generator
    lam: np.ndarray
    nc_steps: np.ndarray
    lr_state: ScaleByLrState


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def lanczos_min_eig(hvp, x, v0, k):
    """Lowest Ritz pair of ``k`` Lanczos iterations from ``v0`` (batched).

    ``hvp(x, V)`` returns Hessian-vector products, one per row. Full
    reorthogonalization keeps the basis orthonormal; an invariant subspace
    reached early (``beta = 0``) ends the recursion for that row.

    Returns ``(lam, v)``: the lowest eigenvalue of the tridiagonal matrix,
    shape ``(...)``, and its Ritz vector, unit norm, shape of ``x``.

    References
    ----------
    lanczos1950iteration; allenzhu2018neon2 (a few Lanczos steps find a
    negative-curvature direction).

    Examples
    --------
    >>> import numpy as np
    >>> H = np.diag([3.0, -2.0, 1.0])
    >>> lam, v = lanczos_min_eig(lambda x, V: V @ H, np.zeros(3), np.ones(3), 3)
    >>> round(float(lam), 10), np.round(np.abs(v), 10).tolist()
    (-2.0, [0.0, 1.0, 0.0])
    """
    x = np.asarray(x, dtype=float)
    q = np.asarray(v0, dtype=float)
    q = q / row_norm(q, keepdims=True)
    batch = x.shape[:-1]
    Q = [q]
    alphas, betas = [], []
    alive = np.ones(batch, dtype=bool)
    for j in range(k):
        w = np.asarray(hvp(x, Q[-1]), dtype=float)
        a = _dot(w, Q[-1])
        alphas.append(np.where(alive, a, 0.0))
        if j == k - 1:
            break
        for qi in Q:  # full reorthogonalization
            w = w - _dot(w, qi)[..., None] * qi
        b = row_norm(w)
        alive = alive & (b > 1e-12 * np.maximum(np.abs(a), 1.0))
        betas.append(np.where(alive, b, 0.0))
        Q.append(np.where(alive[..., None], w / np.where(alive, b, 1.0)[..., None], 0.0))
    n = len(alphas)
    T = np.zeros(batch + (n, n))
    for i in range(n):
        T[..., i, i] = alphas[i]
        if i < n - 1:
            T[..., i, i + 1] = betas[i]
            T[..., i + 1, i] = betas[i]
    lam, Y = np.linalg.eigh(T)
    v = sum(Y[..., i, 0][..., None] * Q[i] for i in range(n))
    v = v / row_norm(v, keepdims=True)
    return lam[..., 0], v


def neon_gd(lr=0.1, g_thresh=1e-3, lanczos_steps=5, curv_thresh=1e-3, rho=1.0,
            seed=0) -> Optimizer:
    """Gradient descent with negative-curvature steps (Neon-style).

    At each step, per point: if ``|g| > g_thresh``, ``x <- x - lr g``.
    Otherwise ``lanczos_steps`` Lanczos iterations (capped at the dimension)
    from a random start vector, using ``oracle.hvp`` only, estimate the
    lowest eigenpair ``(lambda, v)`` of the Hessian; if
    ``lambda < -curv_thresh``, the step is ``-sign(v . g) (|lambda| / rho) v``
    (the negative-curvature descent step: along ``v`` the quadratic model
    drops by at least ``|lambda|^3 / (2 rho^2)``); when ``v . g = 0`` (at the
    saddle itself) the sign with the lower ``f`` is taken. Else (no negative
    curvature found: a minimum, to this accuracy) a gradient step.

    Xu, Jin & Yang (2018) extract this direction with first-order
    operations only (a noisy power method on gradient differences); Allen-Zhu
    & Li (2018) do it with Lanczos (Neon2). Here the Hessian-vector products
    are the landscape's own (exact), which is what those methods approximate.

    Parameters
    ----------
    lr : float or callable
        Learning rate of the gradient steps, or a schedule.
    g_thresh : float
        Gradient norm below which negative curvature is sought, > 0.
    lanczos_steps : int
        Lanczos iterations (Hessian-vector products) per search, 1 to 100.
    curv_thresh : float
        Only an eigenvalue below ``-curv_thresh`` counts as negative, > 0.
    rho : float
        Hessian Lipschitz estimate; the step length is ``|lambda| / rho``.
    seed : int or None
        Seed of the Lanczos start vectors.

    References
    ----------
    xu2018first (Neon: negative curvature from first-order oracles);
    allenzhu2018neon2 (Neon2, Lanczos); carmon2018accelerated (the
    ``|lambda| / rho`` negative-curvature step).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("escapable_saddle")
    >>> t = lt.run(f, neon_gd(lr=0.1), x0=[1.0, 0.0], steps=500)  # on the stable manifold
    >>> t.status, [round(abs(float(v)), 6) for v in t.x_final]
    ('converged', [0.0, 1.0])
    """
    lr = check_lr(lr)
    g_thresh = check_number("g_thresh", g_thresh, positive=True)
    lanczos_steps = check_int("lanczos_steps", lanczos_steps, low=1, high=100)
    curv_thresh = check_number("curv_thresh", curv_thresh, positive=True)
    rho = check_number("rho", rho, positive=True)
    seed = check_seed(seed)
    lr_piece = scale_by_lr(lr)
    default_seed = seed

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch = x.shape[:-1]
        return NeonState(make_rng(seed if seed is not None else default_seed),
                         np.full(batch, np.nan), np.zeros(batch, dtype=np.int64),
                         lr_piece.init(x))

    def update(g, state, x, oracle):
        if oracle is None or not all(hasattr(oracle, a) for a in ("f", "hvp")):
            raise TypeError(
                "neon_gd needs Hessian-vector products: pass a Landscape as the oracle "
                f"(one with .f and .hvp), got {show(oracle)}"
            )
        x = np.asarray(x, dtype=float)
        g = np.asarray(g, dtype=float)
        step, lr_state = lr_piece.update(g, state.lr_state, x, oracle)
        small = row_norm(g) <= g_thresh
        rng, lam, nc_steps = state.rng, np.full(small.shape, np.nan), state.nc_steps
        if np.any(small):
            rng = advance_rng(rng)
            v0 = rng.standard_normal(x.shape)
            k = min(lanczos_steps, x.shape[-1])
            with np.errstate(all="ignore"):
                lam_k, v = lanczos_min_eig(oracle.hvp, x, v0, k)
                neg = small & (lam_k < -curv_thresh)
                length = np.abs(lam_k) / rho
                vg = _dot(v, g)
                sign = -np.sign(vg)
                plus = np.asarray(oracle.f(x + length[..., None] * v), dtype=float)
                minus = np.asarray(oracle.f(x - length[..., None] * v), dtype=float)
                sign = np.where(vg == 0, np.where(minus < plus, -1.0, 1.0), sign)
            nc = (sign * length)[..., None] * v
            step = np.where(neg[..., None], nc, step)
            lam = np.where(small, lam_k, np.nan)
            nc_steps = nc_steps + neg
        return step, NeonState(rng, lam, nc_steps, lr_state)

    return Optimizer(init, update)
