"""Optimizers that add randomness: gradient noise and perturbed gradient descent.

Randomness comes from a ``numpy.random.Generator`` kept in the state (seeded
by ``seed=``; see ``labtools._checks.check_seed`` for the rule), so a run
started from the same seed is repeated exactly.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int, check_number, check_seed, show
from .base import (
    NoiseState,
    Optimizer,
    PerturbedGDState,
    advance_rng,
    chain,
    check_lr,
    make_rng,
    row_norm,
    scale_by_lr,
)

__all__ = [
    "add_noise",
    "noisy_gd",
    "perturbed_gd",
]


def add_noise(sigma: float, seed: int | None = 0) -> Optimizer:
    """Add isotropic Gaussian noise ``sigma * xi``, ``xi ~ N(0, I)``, to ``u``.

    Parameters
    ----------
    sigma : float
        Noise standard deviation, >= 0.
    seed : int or None
        Seed of the generator kept in the state (``None``: fresh entropy).

    Examples
    --------
    >>> import numpy as np
    >>> opt = add_noise(0.0)
    >>> x = np.zeros(2)
    >>> u, _ = opt.update(np.ones(2), opt.init(x), x, None); u
    array([1., 1.])
    """
    sigma = check_number("sigma", sigma, nonnegative=True)
    seed = check_seed(seed)

    default_seed = seed

    def init(x, seed=None):
        return NoiseState(make_rng(seed if seed is not None else default_seed))

    def update(u, state, x=None, oracle=None):
        rng = advance_rng(state.rng)
        noise = rng.standard_normal(np.shape(u))
        return u + sigma * noise, NoiseState(rng)

    return Optimizer(init, update)


def noisy_gd(lr=0.01, sigma: float = 0.1, seed: int | None = 0) -> Optimizer:
    """Gradient descent on a noisy gradient: ``x <- x - lr (g + sigma xi)``.

    ``xi ~ N(0, I)`` is drawn afresh each step (per point when batched), a
    simple model of the gradient noise of stochastic gradient descent.

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule.
    sigma : float
        Noise standard deviation, >= 0.
    seed : int or None
        Seed of the generator kept in the state.

    References
    ----------
    ge2015escaping (noisy gradient descent escapes strict saddles).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("saddle")
    >>> t = lt.run(f, noisy_gd(lr=0.1, sigma=0.01, seed=1), x0=[1.0, 0.0], steps=100)
    >>> bool(abs(t.x_final[1]) > 1.0)    # noise pushed it off the stable manifold
    True
    """
    return chain(add_noise(sigma, seed), scale_by_lr(lr))


def perturbed_gd(
    lr=0.01,
    radius: float = 0.01,
    g_thresh: float = 1e-3,
    t_thresh: int = 10,
    seed: int | None = 0,
    f_thresh: float | None = None,
) -> Optimizer:
    """Perturbed gradient descent (Jin et al. 2017, Algorithm 1).

    At step ``t``, if ``|g(x_t)| <= g_thresh`` and ``t - t_noise > t_thresh``,
    remember ``x_tilde <- x_t``, set ``t_noise <- t`` and
    ``x_t <- x_tilde + xi`` with ``xi`` uniform in the ball of the given
    ``radius``; then ``x_{t+1} = x_t - lr * grad f(x_t)`` (the gradient at the
    perturbed point, asked of the oracle). Per point when batched.

    With ``f_thresh`` set, the paper's stopping rule is applied too: if
    ``t - t_noise = t_thresh`` and ``f(x_t) - f(x_tilde) > -f_thresh`` (the
    last perturbation did not lower f by ``f_thresh``, so ``x_tilde`` was a
    minimum, not a saddle), the point returns to ``x_tilde`` and is never
    perturbed again; plain gradient descent then refines it until the run's
    gradient test stops it. Without ``f_thresh`` the method keeps perturbing
    wherever the gradient is small, so it ends within about ``radius`` of a
    minimizer. Choose ``g_thresh`` above the run's ``tol``: a run stops as
    soon as the gradient norm is below ``tol``.

    The state's ``perturbed`` flags mark the points perturbed in the latest
    step; ``done`` marks points that met the stopping rule.

    Parameters
    ----------
    lr : float or callable
        Learning rate (the paper's eta) or schedule.
    radius : float
        Perturbation radius r > 0.
    g_thresh : float
        Gradient-norm threshold g_thres > 0.
    t_thresh : int
        Minimum steps between perturbations, t_thres >= 1.
    seed : int or None
        Seed of the generator kept in the state.
    f_thresh : float or None
        Decrease f_thres > 0 a perturbation must achieve within ``t_thresh``
        steps; None (default) disables the stopping rule.

    References
    ----------
    jin2017escape (Algorithm 1).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("escapable_saddle")
    >>> opt = perturbed_gd(lr=0.1, radius=0.1, g_thresh=1e-3, f_thresh=1e-4)
    >>> t = lt.run(f, opt, x0=[1.0, 0.0], steps=1000)
    >>> t.status, [round(abs(float(v)), 6) for v in t.x_final]
    ('converged', [0.0, 1.0])
    """
    lr = check_lr(lr)
    radius = check_number("radius", radius, positive=True)
    g_thresh = check_number("g_thresh", g_thresh, positive=True)
    t_thresh = check_int("t_thresh", t_thresh, low=1)
    seed = check_seed(seed)
    if f_thresh is not None:
        f_thresh = check_number("f_thresh", f_thresh, positive=True)
    lr_piece = scale_by_lr(lr)
    default_seed = seed

    def init(x, seed=None):
        x = np.asarray(x, dtype=float)
        s = seed if seed is not None else default_seed
        batch = x.shape[:-1]
        return PerturbedGDState(
            count=0,
            t_noise=np.full(batch, -t_thresh - 1, dtype=np.int64),
            rng=make_rng(s),
            perturbed=np.zeros(batch, dtype=bool),
            lr_state=lr_piece.init(x),
            x_tilde=np.zeros_like(x),
            f_tilde=np.zeros(batch),
            done=np.zeros(batch, dtype=bool),
        )

    def update(g, state, x, oracle):
        if oracle is None or not hasattr(oracle, "grad") or not hasattr(oracle, "f"):
            raise TypeError(
                "perturbed_gd needs f and the gradient at perturbed points: pass a "
                f"Landscape as the oracle, got {show(oracle)}"
            )
        t = state.count
        x = np.asarray(x, dtype=float)
        rng, t_noise = state.rng, state.t_noise
        x_tilde, f_tilde, done = state.x_tilde, state.f_tilde, state.done
        fire = (row_norm(g) <= g_thresh) & (t - t_noise > t_thresh) & ~done
        xi = np.zeros_like(x)
        if np.any(fire):
            rng = advance_rng(rng)
            d = x.shape[-1]
            # uniform in the ball: uniform direction, radius r * U**(1/d)
            direction = rng.standard_normal(x.shape)
            direction /= row_norm(direction, keepdims=True)
            rad = radius * rng.uniform(size=x.shape[:-1] + (1,)) ** (1.0 / d)
            xi = np.where(fire[..., None], direction * rad, 0.0)
            t_noise = np.where(fire, t, t_noise)
            x_tilde = np.where(fire[..., None], x, x_tilde)
            f_tilde = np.where(fire, oracle.f(x), f_tilde)
            g = np.where(fire[..., None], oracle.grad(x + xi), g)
        back = np.zeros_like(fire)
        if f_thresh is not None:
            check = (t - t_noise == t_thresh) & ~done
            if np.any(check):
                back = check & (np.asarray(oracle.f(x)) - f_tilde > -f_thresh)
                done = done | back
        step, lr_state = lr_piece.update(g, state.lr_state, x, oracle)
        step = np.where(back[..., None], x_tilde - x, xi + step)
        new = PerturbedGDState(
            t + 1, t_noise, rng, np.asarray(fire), lr_state, x_tilde, f_tilde, done
        )
        return step, new

    return Optimizer(init, update)
