"""Second-order optimizers: Newton, saddle-free Newton, cubic Newton, trust region.

They get the Hessian through the same door as every other method, the
``oracle`` argument of ``update`` (``oracle.hess(x)``, and ``oracle.f`` for
the trust region), so one loop drives them all.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_number, show
from .base import (
    CubicNewtonState,
    EmptyState,
    NewtonState,
    Optimizer,
    TrustRegionState,
    chain,
    row_norm,
    scale_by_lr,
)

__all__ = [
    "scale_by_newton",
    "scale_by_saddle_free_newton",
    "newton",
    "damped_newton",
    "saddle_free_newton",
    "cubic_newton",
    "trust_region",
]


# --------------------------------------------------------------------------
# eigenbasis helpers
# --------------------------------------------------------------------------


def _hess(oracle, x):
    if oracle is None or not hasattr(oracle, "hess"):
        raise TypeError(
            "this optimizer needs second derivatives: pass a Landscape as the "
            f"oracle (one with a .hess method), got {show(oracle)}"
        )
    return np.asarray(oracle.hess(x), dtype=float)


def _eigh(H):
    """Eigendecomposition of symmetric H (batched); non-finite H gives NaN rows.

    A non-finite Hessian only happens once a run has already overflowed; the
    NaN step it produces is what the run loop reports as divergence, instead
    of LAPACK raising ``LinAlgError`` deep inside NumPy.
    """
    bad = ~np.all(np.isfinite(H), axis=(-2, -1))
    if np.any(bad):
        H = np.where(bad[..., None, None], 0.0, H)
    lam, V = np.linalg.eigh(H)
    if np.any(bad):
        lam = np.where(bad[..., None], np.nan, lam)
    return lam, V


def _to_eigbasis(V, u):
    return np.einsum("...ji,...j->...i", V, u)


def _from_eigbasis(V, c):
    return np.einsum("...ij,...j->...i", V, c)


# --------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------


def scale_by_newton(rcond: float | None = None) -> Optimizer:
    """Precondition by the inverse Hessian: output ``H^{-1} u``.

    ``H`` is ``oracle.hess(x)``. It is inverted in its eigenbasis; eigenvalues
    with ``|lambda| <= rcond * max|lambda|`` are treated as zero, i.e. a
    singular Hessian gives the minimum-norm least-squares step (the
    pseudo-inverse, as ``numpy.linalg.pinv``) instead of NaN, and the state's
    ``singular`` flag records that it happened. An all-zero Hessian gives a
    zero step.

    Parameters
    ----------
    rcond : float, optional
        Relative cut-off; default ``d * machine epsilon``.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> oracle = SimpleNamespace(hess=lambda x: np.diag([2.0, 0.0]))
    >>> opt = scale_by_newton()
    >>> x = np.zeros(2)
    >>> u, s = opt.update(np.array([4.0, 1.0]), opt.init(x), x, oracle)
    >>> u, bool(s.singular)
    (array([2., 0.]), True)
    """
    if rcond is not None:
        rcond = check_number("rcond", rcond, nonnegative=True)

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        return NewtonState(np.zeros(x.shape[:-1], dtype=bool))

    def update(u, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        d = lam.shape[-1]
        cut = rcond if rcond is not None else d * np.finfo(float).eps
        scale = np.max(np.abs(lam), axis=-1, keepdims=True)
        small = np.abs(lam) <= cut * scale
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(small, 0.0, 1.0 / lam)
        out = _from_eigbasis(V, inv * _to_eigbasis(V, u))
        return out, NewtonState(np.any(small, axis=-1))

    return Optimizer(init, update)


def scale_by_saddle_free_newton(eps: float = 1e-6) -> Optimizer:
    """Precondition by ``|H|^{-1}``, where ``|H| = V |Lambda| V^T``.

    Eigenvalue magnitudes are floored at ``eps`` before inverting. This is
    the saddle-free Newton direction of Dauphin et al. (2014): along a
    negative-curvature direction it points *away* from the saddle, where plain
    Newton points towards it.

    Parameters
    ----------
    eps : float
        Positive floor on ``|lambda|``.

    References
    ----------
    dauphin2014identifying (the saddle-free Newton step ``-|H|^{-1} g``).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> oracle = SimpleNamespace(hess=lambda x: np.diag([10.0, -2.0]))
    >>> opt = scale_by_saddle_free_newton()
    >>> x = np.array([1.0, 1.0])
    >>> u, _ = opt.update(np.array([10.0, -2.0]), opt.init(x), x, oracle); u
    array([ 1., -1.])
    """
    eps = check_number("eps", eps, positive=True)

    def init(x, seed=None):
        return EmptyState()

    def update(u, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        inv = 1.0 / np.maximum(np.abs(lam), eps)
        return _from_eigbasis(V, inv * _to_eigbasis(V, u)), state

    return Optimizer(init, update)


# --------------------------------------------------------------------------
# named second-order optimizers
# --------------------------------------------------------------------------


def newton(rcond: float | None = None) -> Optimizer:
    """Newton's method: the full step ``-H^{-1} g``.

    Newton's step jumps to the critical point of the local quadratic model,
    whatever its kind: from near a saddle it lands on the saddle. A singular
    Hessian uses the pseudo-inverse (see :func:`scale_by_newton`), never NaN.

    Parameters
    ----------
    rcond : float, optional
        Relative eigenvalue cut-off for the pseudo-inverse.

    References
    ----------
    nocedal2006numerical (Ch. 3, the Newton direction).

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> f = lt.landscape("saddle_5")
    >>> t = lt.run(f, newton(), x0=[0.3, 0.2], steps=5)
    >>> np.round(t.xs[1], 12) + 0.0      # one step onto the saddle
    array([0., 0.])
    """
    return chain(scale_by_newton(rcond), scale_by_lr(1.0))


def damped_newton(lr=0.5, rcond: float | None = None) -> Optimizer:
    """Damped Newton: ``x <- x - lr * H^{-1} g``.

    Parameters
    ----------
    lr : float or callable
        Step fraction (1 is plain Newton) or schedule.
    rcond : float, optional
        Relative eigenvalue cut-off for the pseudo-inverse.

    References
    ----------
    boyd2004convex (Sec. 9.5, damped Newton method).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("rosenbrock")
    >>> t = lt.run(f, damped_newton(lr=0.5), x0=[-1.0, 1.0], steps=200)
    >>> t.status
    'converged'
    """
    return chain(scale_by_newton(rcond), scale_by_lr(lr))


def saddle_free_newton(lr=1.0, eps: float = 1e-6) -> Optimizer:
    """Saddle-free Newton: ``x <- x - lr |H|^{-1} g`` (Dauphin et al. 2014).

    ``|H| = V |Lambda| V^T`` from the eigendecomposition ``H = V Lambda V^T``,
    with ``|lambda|`` floored at ``eps``. Rescales each eigendirection by its
    curvature like Newton, but never reverses a descent direction, so it is
    repelled by saddles.

    Parameters
    ----------
    lr : float or callable
        Step fraction or schedule.
    eps : float
        Positive floor on the eigenvalue magnitudes.

    References
    ----------
    dauphin2014identifying (the saddle-free Newton method).

    Examples
    --------
    >>> import numpy as np, labtools as lt
    >>> f = lt.landscape("saddle_5")
    >>> t = lt.run(f, saddle_free_newton(), x0=[0.3, 0.2], steps=1)
    >>> np.round(t.xs[1], 12) + 0.0      # x to 0, y doubled: away from the saddle
    array([0. , 0.4])
    """
    return chain(scale_by_saddle_free_newton(eps), scale_by_lr(lr))


def _secular_solve(lam, ghat, lo, hi, target, iters=200):
    """Bisection for ``|s(l)| = target(l)`` on ``[lo, hi]``, batched.

    ``s_i(l) = -ghat_i / (lam_i + l)``; ``|s(l)| - target(l)`` decreases on
    ``l > -lam_min``, is >= 0 at ``lo`` (or the caller handles the hard case)
    and <= 0 at ``hi``.
    """
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(iters):
        # each point stops on its own (not when the whole batch is done), so a
        # batch row takes exactly the bisection steps a single run takes
        done = hi - lo <= 4 * np.finfo(float).eps * np.maximum(hi, 1e-300)
        if np.all(done):
            break
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = ghat / (lam + mid[..., None])
        phi = row_norm(s) - target(mid)
        pos = ~(phi <= 0)  # NaN (denominator 0) counts as "too small a lambda"
        lo = np.where(pos & ~done, mid, lo)
        hi = np.where(pos | done, hi, mid)
    return hi


def _regularized_step(lam, ghat, target, lo, hi, allow_interior):
    """Minimiser ``s = -(Lambda + l I)^{-1} ghat`` with ``|s| = target(l)``.

    Shared by the cubic and trust-region subproblems (Nesterov & Polyak 2006,
    Nocedal & Wright 2006, Sec. 4.3), including the hard case in
    which ``ghat`` has no component along the lowest eigenvector and
    ``|s(-lam_min)| < target``: then ``l = -lam_min`` and a multiple of that
    eigenvector is added to reach the required length.
    Returns the step in the eigenbasis, ``l`` and the hard-case flags.
    """
    scale = np.maximum(np.max(np.abs(lam), axis=-1), 1.0)
    gnorm = row_norm(ghat)
    # eigen-directions whose shifted curvature vanishes at l = lo
    flat = (lam + lo[..., None]) <= 1e-12 * scale[..., None]
    tiny = np.abs(ghat) <= 1e-14 * np.maximum(gnorm, 1e-300)[..., None]
    degenerate = np.all(~flat | tiny, axis=-1) & np.any(flat, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_lo = np.where(flat, 0.0, -ghat / (lam + lo[..., None]))
    n_lo = row_norm(s_lo)
    t_lo = target(lo)
    hard = degenerate & (n_lo <= t_lo)
    if allow_interior is not None:
        hard &= ~allow_interior
    lam_star = _secular_solve(lam, ghat, lo, hi, target)
    lam_star = np.where(hard, lo, lam_star)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = -ghat / (lam + lam_star[..., None])
    # hard case: fill the missing length along the lowest eigenvector
    # (only for negative curvature: with lam_min = 0 the model is flat along
    # that direction and the shorter step is kept)
    tau = np.where(lo > 0, np.sqrt(np.maximum(t_lo**2 - n_lo**2, 0.0)), 0.0)
    # downhill along a (numerically) vanishing gradient component, else +
    e0 = np.zeros_like(ghat)
    e0[..., 0] = np.where(ghat[..., 0] > 0, -1.0, 1.0)
    s = np.where(hard[..., None], s_lo + tau[..., None] * e0, s)
    return s, lam_star, hard


def cubic_newton(M: float = 1.0) -> Optimizer:
    """Cubic-regularized Newton (Nesterov & Polyak 2006).

    The step ``s`` is the global minimiser of the cubic model
    ``g.s + s.H.s / 2 + M |s|^3 / 6``. It satisfies
    ``(H + l I) s = -g`` with ``l = M |s| / 2 >= max(0, -lambda_min)``
    (the optimality conditions of the cubic step), so in the eigenbasis of ``H``,
    ``s_i = -g_i / (lambda_i + l)`` and ``l`` is found by bisection on
    ``|s(l)| = 2 l / M``, vectorized over the batch. In the hard case (no
    gradient along the most negative eigenvector, e.g. exactly at a saddle)
    ``l = -lambda_min`` and the step is completed along that eigenvector, so
    the method leaves a strict saddle even from a zero gradient.

    Parameters
    ----------
    M : float
        Positive regularization constant (an upper estimate of the Hessian's
        Lipschitz constant).

    References
    ----------
    nesterov2006cubic (the cubic-regularized Newton step and its optimality
    conditions; computing it from an eigendecomposition of H).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("escapable_saddle")
    >>> t = lt.run(f, cubic_newton(M=1.0), x0=[0.5, 0.0], steps=50)
    >>> t.status, [round(abs(float(v)), 6) for v in t.x_final]
    ('converged', [0.0, 1.0])
    """
    M = check_number("M", M, positive=True)

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch = x.shape[:-1]
        return CubicNewtonState(np.zeros(batch), np.zeros(batch, dtype=bool))

    def update(g, state, x, oracle):
        lam, V = _eigh(_hess(oracle, x))
        ghat = _to_eigbasis(V, g)
        lo = np.maximum(0.0, -lam[..., 0])
        hi = lo + np.sqrt(M * row_norm(ghat) / 2.0) + 1e-300
        s, lam_star, hard = _regularized_step(lam, ghat, lambda l_: 2.0 * l_ / M, lo, hi, None)
        return _from_eigbasis(V, s), CubicNewtonState(lam_star, hard)

    return Optimizer(init, update)


def trust_region(radius0: float = 1.0, max_radius: float = 10.0, eta: float = 0.1) -> Optimizer:
    """Trust-region Newton with the exact subproblem (Nocedal & Wright Alg. 4.1).

    Each step solves ``min g.p + p.H.p / 2`` subject to ``|p| <= radius``
    exactly in the eigenbasis of ``H`` (Thm. 4.1: ``(H + l I) p = -g``,
    ``l >= 0``, ``H + l I`` positive semidefinite, ``l (radius - |p|) = 0``,
    with the hard case), then computes
    ``rho = (f(x) - f(x + p)) / (m(0) - m(p))`` from ``oracle.f``:
    ``rho < 1/4`` shrinks the radius to a quarter; ``rho > 3/4`` with
    ``|p| = radius`` doubles it (capped at ``max_radius``); the step is
    taken only if ``rho > eta``, otherwise it is a zero step. A zero predicted
    decrease (zero gradient at a minimum) gives a zero step and keeps the
    radius. The run records NaN as this method's learning rate.

    Parameters
    ----------
    radius0 : float
        Initial radius, in (0, max_radius].
    max_radius : float
        Largest radius, > 0.
    eta : float
        Acceptance threshold in [0, 1/4).

    References
    ----------
    nocedal2006numerical (Algorithm 4.1; Theorem 4.1 and Sec. 4.3).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("rosenbrock")
    >>> t = lt.run(f, trust_region(), x0=[-1.2, 1.0], steps=200)
    >>> t.status, [round(float(v), 6) for v in t.x_final]
    ('converged', [1.0, 1.0])
    """
    max_radius = check_number("max_radius", max_radius, positive=True)
    radius0 = check_number("radius0", radius0, positive=True)
    if radius0 > max_radius:
        raise ValueError(f"radius0 must be at most max_radius = {max_radius}, got {show(radius0)}")
    eta = check_number("eta", eta)
    if not 0.0 <= eta < 0.25:
        raise ValueError(f"eta must be in [0, 0.25), got {show(eta)}")

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        batch = x.shape[:-1]
        return TrustRegionState(
            np.full(batch, radius0), np.full(batch, np.nan), np.zeros(batch, dtype=bool)
        )

    def update(g, state, x, oracle):
        if oracle is None or not hasattr(oracle, "f"):
            raise TypeError(
                "trust_region needs function values: pass a Landscape as the "
                f"oracle (one with .f and .hess), got {show(oracle)}"
            )
        x = np.asarray(x, dtype=float)
        lam, V = _eigh(_hess(oracle, x))
        ghat = _to_eigbasis(V, g)
        radius = state.radius
        lo = np.maximum(0.0, -lam[..., 0])
        hi = lo + row_norm(ghat) / radius + 1e-300
        # interior Newton step when H is positive definite and it fits
        with np.errstate(divide="ignore", invalid="ignore"):
            s_newton = -ghat / lam
        interior = (lam[..., 0] > 0) & (row_norm(s_newton) <= radius)
        s, _, _ = _regularized_step(lam, ghat, lambda l_: radius + 0.0 * l_, lo, hi, interior)
        s = np.where(interior[..., None], s_newton, s)
        p = _from_eigbasis(V, s)
        with np.errstate(all="ignore"):
            predicted = -(np.sum(ghat * s, axis=-1) + 0.5 * np.sum(lam * s * s, axis=-1))
            # a non-finite trial point (the Hessian overflowed) is not
            # evaluated; its NaN step below is what the run reports as divergence
            bad = ~np.all(np.isfinite(p), axis=-1)
            trial = np.where(bad[..., None], x, x + p)
            f_trial = np.where(bad, np.nan, np.asarray(oracle.f(trial), dtype=float))
            actual = np.asarray(oracle.f(x), dtype=float) - f_trial
            rho = actual / predicted
        zero = ~(predicted > 0)
        rho = np.where(zero, np.nan, rho)
        pnorm = row_norm(p)
        at_edge = np.abs(pnorm - radius) <= 1e-8 * radius
        new_radius = np.where(
            rho < 0.25,
            0.25 * radius,
            np.where((rho > 0.75) & at_edge, np.minimum(2 * radius, max_radius), radius),
        )
        # NaN rho: either zero predicted decrease (keep the radius) or f
        # overflowed at the trial point (treat as a failure: shrink)
        new_radius = np.where(zero, radius, np.where(np.isnan(rho), 0.25 * radius, new_radius))
        accepted = (rho > eta) & ~zero
        step = np.where(accepted[..., None], p, 0.0)
        step = np.where(bad[..., None], np.nan, step)
        return step, TrustRegionState(new_radius, rho, accepted)

    return Optimizer(init, update)
