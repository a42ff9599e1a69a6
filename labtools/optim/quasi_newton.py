"""L-BFGS: a quasi-Newton method that remembers the last few steps.

Newton's method needs the Hessian; BFGS builds an approximation of its
inverse from how the gradient changed along the steps taken; limited-memory
BFGS keeps only the last ``m`` pairs ``s_k = x_{k+1} - x_k``,
``y_k = g_{k+1} - g_k`` and applies the approximation with the two-loop
recursion (Nocedal & Wright 2006, Algorithm 7.4), at ``O(m d)`` per step.
The step length comes from the strong Wolfe line search of
:mod:`labtools.optim.line_search` (Algorithm 7.5).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_int
from .base import Optimizer, row_norm
from .line_search import check_line_search_constants, check_search_oracle, wolfe_line_search

__all__ = ["LBFGSState", "two_loop_recursion", "lbfgs"]


class LBFGSState(NamedTuple):
    """L-BFGS memory, per point.

    ``S``, ``Y``: the stored pairs, newest first, shape ``(..., m, d)``;
    ``n_pairs``: how many of the ``m`` slots hold a pair; ``x_prev``,
    ``g_prev``: the point and gradient of the previous step (to form the next
    pair); ``started``: whether there was a previous step; ``skipped``: how
    many pairs were dropped because ``s . y > 0`` failed; ``alpha``: the
    latest line-search step length; ``evals``: evaluations it took;
    ``ls_failed``: whether that search failed (the memory is then cleared).
    """

    S: np.ndarray
    Y: np.ndarray
    n_pairs: np.ndarray
    x_prev: np.ndarray
    g_prev: np.ndarray
    started: np.ndarray
    skipped: np.ndarray
    alpha: np.ndarray
    evals: np.ndarray
    ls_failed: np.ndarray


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def two_loop_recursion(g, S, Y, n_pairs):
    """``H_k g`` for the L-BFGS inverse-Hessian approximation (N&W Alg. 7.4).

    ``S``, ``Y`` hold the pairs newest first, shape ``(..., m, d)``; only the
    first ``n_pairs`` (per row) are used. The initial matrix is
    ``H_0 = gamma I`` with ``gamma = s.y / y.y`` of the newest pair (N&W eq.
    7.20), or the identity when there is no pair.

    References
    ----------
    nocedal2006numerical (Algorithm 7.4, eq. 7.20).

    Examples
    --------
    >>> import numpy as np
    >>> # one pair from f = x^2 + 5 y^2 (H = diag(2, 10)): s = (1, 1), y = (2, 10)
    >>> S = np.array([[1.0, 1.0]]); Y = np.array([[2.0, 10.0]])
    >>> r = two_loop_recursion(np.array([2.0, 10.0]), S, Y, np.array(1))
    >>> np.allclose(r, [1.0, 1.0])                  # the secant equation H y = s
    True
    """
    g = np.asarray(g, dtype=float)
    n_pairs = np.asarray(n_pairs)
    m = S.shape[-2]
    q = g
    a = []
    rho = []
    for i in range(m):
        valid = n_pairs > i
        s, y = S[..., i, :], Y[..., i, :]
        r = np.where(valid, 1.0 / np.where(valid, _dot(s, y), 1.0), 0.0)
        ai = r * _dot(s, q)
        q = np.where(valid[..., None], q - ai[..., None] * y, q)
        a.append(ai)
        rho.append(r)
    s0, y0 = S[..., 0, :], Y[..., 0, :]
    has = n_pairs > 0
    gamma = np.where(has, _dot(s0, y0) / np.where(has, _dot(y0, y0), 1.0), 1.0)
    out = gamma[..., None] * q
    for i in range(m - 1, -1, -1):
        valid = n_pairs > i
        beta = rho[i] * _dot(Y[..., i, :], out)
        out = np.where(valid[..., None], out + S[..., i, :] * (a[i] - beta)[..., None], out)
    return out


def lbfgs(memory: int = 10, c1: float = 1e-4, c2: float = 0.9, max_ls: int = 40) -> Optimizer:
    """L-BFGS with a strong Wolfe line search (Nocedal & Wright Alg. 7.4 and 7.5).

    At each step:

    1. form the pair ``s = x_k - x_{k-1}``, ``y = g_k - g_{k-1}`` and store it
       (newest first, at most ``memory`` pairs) only if the curvature condition
       ``s . y > 1e-10 |s| |y|`` holds: otherwise the pair would make the
       inverse-Hessian approximation indefinite, so it is **skipped** and the
       state's ``skipped`` counter says so;
    2. direction ``p = -H_k g`` by the two-loop recursion
       (:func:`two_loop_recursion`); if it is not a descent direction, the
       memory is cleared and ``p = -g``;
    3. step length ``alpha`` from :func:`wolfe_line_search`,
       first trial 1 (``min(1, 1/|g|)`` with an empty memory, so the first
       step has length at most 1);
    4. ``x_{k+1} = x_k + alpha p``. A failed search clears the memory.

    With the strong Wolfe conditions and ``c2 < 1``, a successful search
    guarantees ``s . y > 0``, so pairs are skipped only after a failed
    search. The approximation is positive definite, so L-BFGS never climbs:
    at a saddle it cannot see the negative curvature, but it does not stop
    there unless the gradient has no component along the escape direction.
    The run records NaN as the lr.

    Parameters
    ----------
    memory : int
        Number of pairs kept, ``m`` (1 to 100).
    c1, c2 : float
        Wolfe constants, ``0 < c1 < c2 < 1``.
    max_ls : int
        Most trials per line search.

    References
    ----------
    nocedal2006numerical (Algorithms 7.4 and 7.5; Algorithms 3.5 and 3.6).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("rosenbrock")
    >>> t = lt.run(f, lbfgs(), x0=[-1.2, 1.0], steps=200)
    >>> t.status, [round(float(v), 6) for v in t.x_final]
    ('converged', [1.0, 1.0])
    """
    memory = check_int("memory", memory, low=1, high=100)
    c1, c2 = check_line_search_constants(c1, c2)
    max_ls = check_int("max_ls", max_ls, low=1, high=1000)

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch, d = x.shape[:-1], x.shape[-1]
        zeros = np.zeros(batch)
        return LBFGSState(
            S=np.zeros(batch + (memory, d)),
            Y=np.zeros(batch + (memory, d)),
            n_pairs=np.zeros(batch, dtype=np.int64),
            x_prev=np.zeros_like(x),
            g_prev=np.zeros_like(x),
            started=np.zeros(batch, dtype=bool),
            skipped=np.zeros(batch, dtype=np.int64),
            alpha=zeros + np.nan,
            evals=np.zeros(batch, dtype=np.int64),
            ls_failed=np.zeros(batch, dtype=bool),
        )

    def update(g, state, x, oracle):
        check_search_oracle(oracle, "lbfgs")
        x = np.asarray(x, dtype=float)
        g = np.asarray(g, dtype=float)
        with np.errstate(all="ignore"):
            s = x - state.x_prev
            y = g - state.g_prev
            sy = _dot(s, y)
            moved = state.started & (row_norm(s) > 0)
            ok = moved & (sy > 1e-10 * row_norm(s) * row_norm(y)) & np.isfinite(sy)
            skipped = state.skipped + (moved & ~ok)
            S = np.where(ok[..., None, None],
                         np.concatenate([s[..., None, :], state.S[..., :-1, :]], axis=-2),
                         state.S)
            Y = np.where(ok[..., None, None],
                         np.concatenate([y[..., None, :], state.Y[..., :-1, :]], axis=-2),
                         state.Y)
            n_pairs = np.where(ok, np.minimum(state.n_pairs + 1, memory), state.n_pairs)
            n_pairs = np.where(state.ls_failed, 0, n_pairs)
            p = -two_loop_recursion(g, S, Y, n_pairs)
            slope = _dot(g, p)
            reset = ~(slope < 0)
            p = np.where(reset[..., None], -g, p)
            n_pairs = np.where(reset, 0, n_pairs)
            gnorm = row_norm(g)
            alpha0 = np.where(n_pairs == 0, np.minimum(1.0, 1.0 / np.maximum(gnorm, 1e-300)), 1.0)
        f0 = np.asarray(oracle.f(x), dtype=float)
        r = wolfe_line_search(oracle.f, oracle.grad, x, p, f0, g, alpha0, c1, c2,
                              max_iter=max_ls)
        failed = ~r.success & (gnorm > 0)
        step = r.alpha[..., None] * p
        new = LBFGSState(S, Y, n_pairs, x, g, np.ones_like(state.started), skipped,
                         r.alpha, r.evals, failed)
        return step, new

    return Optimizer(init, update)
