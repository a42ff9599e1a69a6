"""Tests for labtools.optim: published update rules, convergence, bad input.

The hand-computed steps below were worked out on paper from each method's
published equations (cited in the docstrings of labtools/optim.py); the
expected numbers are written out, not recomputed with the library's code.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import labtools as lt

# "quadratic" is x^2/2 + 5 y^2: gradient (x, 10 y), Hessian diag(1, 10).
QUAD = "quadratic"


@pytest.fixture(scope="module")
def quad():
    return lt.landscape(QUAD)


def steps_of(opt, landscape, x0, n):
    """Apply ``n`` raw updates (no run loop) and return the points visited."""
    x = np.asarray(x0, dtype=float)
    state = opt.init(x)
    xs = [x]
    for _ in range(n):
        step, state = opt.update(landscape.grad(x), state, x, landscape)
        x = x + step
        xs.append(x)
    return np.array(xs), state


# --------------------------------------------------------------------------
# one registry, one parametrized test (optax alias_test style)
# --------------------------------------------------------------------------

# (optimizer name, hyperparameters, landscape, start, steps, distance tolerance)
REGISTRY = [
    ("gd", dict(lr=0.1), QUAD, [1.5, -1.0], 500, 1e-7),
    ("momentum", dict(lr=0.05, beta=0.8), QUAD, [1.5, -1.0], 500, 1e-7),
    ("nesterov", dict(lr=0.05, beta=0.8), QUAD, [1.5, -1.0], 500, 1e-7),
    ("adagrad", dict(lr=0.5), QUAD, [1.5, -1.0], 3000, 1e-7),
    ("rmsprop", dict(lr=lt.cosine_decay(0.05, 3000)), QUAD, [1.5, -1.0], 3000, 1e-7),
    ("adam", dict(lr=lt.cosine_decay(0.05, 3000)), QUAD, [1.5, -1.0], 3000, 1e-7),
    (
        "noisy_gd",
        dict(lr=lt.exponential_decay(0.1, 0.995), sigma=0.1, seed=0),
        QUAD,
        [1.5, -1.0],
        3000,
        5e-3,
    ),
    (
        "perturbed_gd",
        dict(lr=0.1, radius=0.01, g_thresh=1e-4, f_thresh=1e-6),
        QUAD,
        [1.5, -1.0],
        3000,
        1e-7,
    ),
    ("newton", dict(), QUAD, [1.5, -1.0], 5, 1e-12),
    ("damped_newton", dict(lr=0.5), QUAD, [1.5, -1.0], 100, 1e-7),
    ("saddle_free_newton", dict(), QUAD, [1.5, -1.0], 5, 1e-12),
    ("cubic_newton", dict(M=1.0), QUAD, [1.5, -1.0], 100, 1e-7),
    ("trust_region", dict(), QUAD, [1.5, -1.0], 100, 1e-7),
    # Rosenbrock's curved valley: adaptive and Newton-like methods
    ("adam", dict(lr=lt.cosine_decay(0.02, 5000)), "rosenbrock", [-1.2, 1.0], 5000, 1e-2),
    ("newton", dict(), "rosenbrock", [-1.2, 1.0], 50, 1e-7),
    ("damped_newton", dict(lr=0.5), "rosenbrock", [-1.2, 1.0], 200, 1e-7),
    ("saddle_free_newton", dict(), "rosenbrock", [-1.2, 1.0], 200, 1e-7),
    ("cubic_newton", dict(M=10.0), "rosenbrock", [-1.2, 1.0], 500, 1e-7),
    ("trust_region", dict(), "rosenbrock", [-1.2, 1.0], 200, 1e-7),
    # Himmelblau: first-order methods from the origin reach one of 4 minima
    ("gd", dict(lr=0.01), "himmelblau", [0.0, 0.0], 2000, 1e-7),
    ("momentum", dict(lr=0.002, beta=0.9), "himmelblau", [0.0, 0.0], 2000, 1e-7),
    ("nesterov", dict(lr=0.002, beta=0.9), "himmelblau", [0.0, 0.0], 2000, 1e-7),
    ("adagrad", dict(lr=0.5), "himmelblau", [0.0, 0.0], 3000, 1e-7),
    ("rmsprop", dict(lr=lt.cosine_decay(0.05, 2000)), "himmelblau", [0.0, 0.0], 2000, 1e-7),
    ("adam", dict(lr=lt.cosine_decay(0.1, 3000)), "himmelblau", [0.0, 0.0], 3000, 1e-7),
    ("trust_region", dict(), "himmelblau", [0.0, 0.0], 200, 1e-7),
    # escapable saddle x^2/2 - y^2/2 + y^4/4: starts ON the stable manifold
    # (y = 0, where gradient descent would stop at the saddle), except
    # saddle-free Newton, whose step keeps y = 0 exactly and so needs y != 0
    (
        "perturbed_gd",
        dict(lr=0.1, radius=0.1, g_thresh=1e-3, f_thresh=1e-4),
        "escapable_saddle",
        [1.0, 0.0],
        1000,
        1e-7,
    ),
    ("saddle_free_newton", dict(), "escapable_saddle", [0.5, 0.1], 100, 1e-7),
    ("cubic_newton", dict(M=1.0), "escapable_saddle", [1.0, 0.0], 100, 1e-7),
    ("trust_region", dict(), "escapable_saddle", [1.0, 0.0], 100, 1e-7),
    # the line-search methods (Nocedal & Wright 2006, ch. 3 and 7) and Neon
    ("line_search_gd", dict(), QUAD, [1.5, -1.0], 500, 1e-7),
    ("line_search_gd", dict(condition="wolfe"), "himmelblau", [0.0, 0.0], 500, 1e-7),
    ("lbfgs", dict(), QUAD, [1.5, -1.0], 50, 1e-7),
    ("lbfgs", dict(), "rosenbrock", [-1.2, 1.0], 100, 1e-7),
    ("lbfgs", dict(memory=3), "himmelblau", [0.0, 0.0], 100, 1e-7),
    ("neon_gd", dict(lr=0.1), QUAD, [1.5, -1.0], 500, 1e-7),
    ("neon_gd", dict(lr=0.1), "escapable_saddle", [1.0, 0.0], 500, 1e-7),
    (
        "noisy_gd",
        dict(lr=lt.exponential_decay(0.1, 0.995), sigma=0.05),
        "escapable_saddle",
        [1.0, 0.0],
        3000,
        5e-3,
    ),
]


def _case_id(case):
    return f"{case[0]}-{case[2]}"


# a second of CPU each; make unit keeps adam-quadratic and noisy_gd-quadratic
SLOW_CASES = {"adam-rosenbrock", "noisy_gd-escapable_saddle"}


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.slow) if _case_id(c) in SLOW_CASES else c
    for c in REGISTRY], ids=[_case_id(c) for c in REGISTRY])
def test_optimizer_reaches_a_known_minimizer(case):
    name, hyper, land, x0, steps, atol = case
    f = lt.landscape(land)
    trace = lt.run(f, lt.optimizer(name, **hyper), x0, steps=steps)
    assert trace.status != "diverged", trace.message
    dist = np.min(np.linalg.norm(f.minimizers - trace.x_final, axis=1))
    assert dist <= atol, f"{name} on {land}: {trace.message}, distance {dist:.2e}"
    assert trace.f_final == pytest.approx(f.global_min, abs=max(atol, 1e-12) * 10)


def test_registry_covers_every_named_optimizer():
    assert {c[0] for c in REGISTRY} == set(lt.OPTIMIZERS + lt.KERNEL_OPTIMIZERS)


def test_kernel_only_optimizers_are_not_in_the_browser_list():
    # the widgets' menus (run in JavaScript) list OPTIMIZERS; these have no port
    assert not set(lt.KERNEL_OPTIMIZERS) & set(lt.OPTIMIZERS)
    assert {"lbfgs", "line_search_gd", "neon_gd"} <= set(lt.KERNEL_OPTIMIZERS)


@pytest.mark.parametrize("name", lt.OPTIMIZERS + lt.KERNEL_OPTIMIZERS)
def test_every_named_optimizer_builds_with_defaults_and_handles_batches(name):
    f = lt.landscape("himmelblau")
    opt = lt.optimizer(name)
    x = np.array([[0.5, 0.5], [-1.0, 2.0], [3.5, -1.5]])
    state = opt.init(x)
    step, state = opt.update(f.grad(x), state, x, f)
    assert step.shape == x.shape
    assert np.all(np.isfinite(step))


# --------------------------------------------------------------------------
# update rules against hand-computed steps
# --------------------------------------------------------------------------


def test_gd_hand_steps(quad):
    # x <- x - 0.1 (x, 10 y): (1, 1) -> (0.9, 0) -> (0.81, 0)
    xs, _ = steps_of(lt.gd(lr=0.1), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs, [[1, 1], [0.9, 0.0], [0.81, 0.0]], atol=1e-15)


def test_momentum_hand_steps(quad):
    # v1 = g0 = (1, 10);            x1 = (1, 1) - 0.1 (1, 10) = (0.9, 0)
    # v2 = 0.5 (1, 10) + (0.9, 0) = (1.4, 5);  x2 = (0.9, 0) - 0.1 (1.4, 5)
    xs, _ = steps_of(lt.momentum(lr=0.1, beta=0.5), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs[1:], [[0.9, 0.0], [0.76, -0.5]], atol=1e-15)


def test_nesterov_hand_steps(quad):
    # v1 = (1, 10); x1 = (1, 1) - 0.1 ((1, 10) + 0.5 (1, 10)) = (0.85, -0.5)
    # g1 = (0.85, -5); v2 = 0.5 (1, 10) + g1 = (1.35, 0)
    # x2 = x1 - 0.1 (g1 + 0.5 v2) = (0.85 - 0.1525, -0.5 + 0.5)
    xs, _ = steps_of(lt.nesterov(lr=0.1, beta=0.5), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs[1:], [[0.85, -0.5], [0.6975, 0.0]], atol=1e-15)


def test_momentum_is_polyaks_two_step_iteration(quad):
    # Polyak (1964): x_{k+1} = x_k - lr g(x_k) + beta (x_k - x_{k-1})
    lr, beta = 0.05, 0.7
    x = lt.run(quad, lt.momentum(lr=lr, beta=beta), [1.0, 1.0], steps=12, tol=0).xs
    rhs = x[1:-1] - lr * quad.grad(x[1:-1]) + beta * (x[1:-1] - x[:-2])
    np.testing.assert_allclose(x[2:], rhs, atol=1e-14)


def test_nesterov_is_nesterovs_extrapolation_scheme(quad):
    # Nesterov (1983), constant momentum: y_{k+1} = x_k - lr g(x_k),
    # x_{k+1} = y_{k+1} + beta (y_{k+1} - y_k)
    lr, beta = 0.05, 0.7
    x = lt.run(quad, lt.nesterov(lr=lr, beta=beta), [1.0, 1.0], steps=12, tol=0).xs
    y = x[:-1] - lr * quad.grad(x[:-1])
    np.testing.assert_allclose(x[2:], y[1:] + beta * (y[1:] - y[:-1]), atol=1e-14)


def test_adagrad_hand_steps(quad):
    # G1 = (1, 100): x1 = (1, 1) - 0.1 (1/1, 10/10) = (0.9, 0.9)
    # g1 = (0.9, 9): G2 = (1.81, 181): x2 = x1 - 0.1 (0.9/sqrt(1.81), 9/sqrt(181))
    xs, _ = steps_of(lt.adagrad(lr=0.1, eps=1e-12), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs[1], [0.9, 0.9], rtol=1e-10)
    expect = [0.9 - 0.09 / math.sqrt(1.81), 0.9 - 0.9 / math.sqrt(181)]
    np.testing.assert_allclose(xs[2], expect, rtol=1e-10)


def test_rmsprop_hand_steps(quad):
    # r1 = 0.1 g0^2 = (0.1, 10): x1 = 1 - 0.1 (1/sqrt(.1), 10/sqrt(10)) = 1 - 0.1 sqrt(10)
    a = 1 - 0.1 * math.sqrt(10)
    # g1 = (a, 10 a); r2 = 0.9 (0.1, 10) + 0.1 (a^2, 100 a^2)
    r2 = np.array([0.09 + 0.1 * a * a, 9.0 + 10.0 * a * a])
    x2 = np.array([a, a]) - 0.1 * np.array([a, 10 * a]) / np.sqrt(r2)
    xs, _ = steps_of(lt.rmsprop(lr=0.1, decay=0.9, eps=1e-12), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs[1], [a, a], rtol=1e-10)
    np.testing.assert_allclose(xs[2], x2, rtol=1e-10)


def test_adam_hand_steps_with_bias_correction(quad):
    # Kingma & Ba Algorithm 1, b1 = 0.9, b2 = 0.999, lr = 0.1, from (1, 1):
    # t=1: m = (0.1, 1), v = (0.001, 0.1), m_hat = g0, v_hat = g0^2 -> step -0.1 sign
    # t=2: g1 = (0.9, 9); m = (0.18, 1.8); v = (0.001809, 0.1809)
    #      m_hat = m / 0.19, v_hat = v / 0.001999
    xs, state = steps_of(lt.adam(lr=0.1, eps=1e-12), quad, [1.0, 1.0], 2)
    np.testing.assert_allclose(xs[1], [0.9, 0.9], rtol=1e-10)
    m_hat = np.array([0.18, 1.8]) / 0.19
    v_hat = np.array([0.001809, 0.1809]) / 0.001999
    np.testing.assert_allclose(xs[2], 0.9 - 0.1 * m_hat / np.sqrt(v_hat), rtol=1e-10)
    adam_state = state.states[0]
    assert adam_state.count == 2
    np.testing.assert_allclose(adam_state.nu, [0.001809, 0.1809], rtol=1e-12)


def test_eps_sits_where_each_paper_puts_it(quad):
    # with eps = 1 the placement shows; g0 = (1, 10) from (1, 1), lr = 0.1
    # Adagrad (Duchi et al.): g / (eps + sqrt(G)) = (1/2, 10/11)
    xs, _ = steps_of(lt.adagrad(lr=0.1, eps=1.0), quad, [1.0, 1.0], 1)
    np.testing.assert_allclose(xs[1], [1 - 0.1 / 2, 1 - 0.1 * 10 / 11], rtol=1e-12)
    # RMSProp: g / (sqrt(r) + eps), r = 0.1 g^2 = (0.1, 10)
    xs, _ = steps_of(lt.rmsprop(lr=0.1, decay=0.9, eps=1.0), quad, [1.0, 1.0], 1)
    expect = [1 - 0.1 / (math.sqrt(0.1) + 1), 1 - 0.1 * 10 / (math.sqrt(10) + 1)]
    np.testing.assert_allclose(xs[1], expect, rtol=1e-12)
    # Adam (Algorithm 1): m_hat / (sqrt(v_hat) + eps), m_hat = g, v_hat = g^2 at t = 1
    xs, _ = steps_of(lt.adam(lr=0.1, eps=1.0), quad, [1.0, 1.0], 1)
    np.testing.assert_allclose(xs[1], [1 - 0.1 / 2, 1 - 0.1 * 10 / 11], rtol=1e-12)


def test_newton_hand_steps_on_quartic():
    # f = x^4: g = 4 x^3, h = 12 x^2, Newton step -x/3: 1 -> 2/3 -> 4/9
    f = lt.landscape("x**4")
    xs, _ = steps_of(lt.newton(), f, [1.0], 2)
    np.testing.assert_allclose(xs.ravel(), [1.0, 2 / 3, 4 / 9], rtol=1e-12)


def test_damped_newton_takes_a_fraction_of_the_newton_step():
    f = lt.landscape("x**4")
    xs, _ = steps_of(lt.damped_newton(lr=0.5), f, [1.0], 1)
    np.testing.assert_allclose(xs.ravel(), [1.0, 1 - 1 / 6], rtol=1e-12)


def test_saddle_free_newton_hand_steps_on_5x2_minus_y2():
    # f = 5x^2 - y^2: g = (10x, -2y), |H| = diag(10, 2): |H|^{-1} g = (x, -y)
    # (0.3, 0.2) -> (0, 0.4) -> (0, 0.8): y doubles each step, away from the saddle
    f = lt.landscape("saddle_5")
    xs, _ = steps_of(lt.saddle_free_newton(), f, [0.3, 0.2], 2)
    np.testing.assert_allclose(xs, [[0.3, 0.2], [0.0, 0.4], [0.0, 0.8]], atol=1e-14)


def test_saddle_free_newton_floors_small_eigenvalues():
    # f = x^2/2 + 0 y: |lambda| = 0 floored at eps, step along y is -g_y / eps
    f = lt.landscape("x**2/2 + y")
    xs, _ = steps_of(lt.saddle_free_newton(eps=0.5), f, [1.0, 0.0], 1)
    np.testing.assert_allclose(xs[1], [0.0, -2.0], atol=1e-14)


def test_newton_lands_on_the_saddle_and_saddle_free_newton_leaves_it():
    f = lt.landscape("saddle_5")
    t_newton = lt.run(f, lt.newton(), [0.3, 0.2], steps=10)
    np.testing.assert_allclose(t_newton.xs[1], [0.0, 0.0], atol=1e-14)
    assert t_newton.status == "converged" and t_newton.steps_taken == 1
    t_free = lt.run(f, lt.saddle_free_newton(), [0.3, 0.2], steps=3)
    assert np.linalg.norm(t_free.xs[-1]) > np.linalg.norm(t_free.xs[0])


def test_cubic_newton_hand_step_1d():
    # f = x^2 (h = 2), M = 2, x = 1 (g = 2): minimise 2 s + s^2 + |s|^3 / 3
    # -> s < 0, 2 - 2|s| ... : |s| = (-h + sqrt(h^2 + 2 M |g|)) / M = sqrt(3) - 1
    f = lt.landscape("x**2")
    xs, state = steps_of(lt.cubic_newton(M=2.0), f, [1.0], 2)
    x1 = 2 - math.sqrt(3)
    r2 = (-2 + math.sqrt(4 + 2 * 2 * 2 * x1)) / 2
    np.testing.assert_allclose(xs.ravel(), [1.0, x1, x1 - r2], rtol=1e-12)
    # the multiplier is M |s| / 2
    assert float(state.lam) == pytest.approx(r2, rel=1e-12)


def test_cubic_newton_hard_case_at_a_1d_maximum():
    # f = x^4/4 - x^2/2 at x = 0: g = 0, h = -1. Model -s^2/2 + |s|^3/6 with
    # M = 1 is minimised at |s| = 2: the method leaves the maximum.
    f = lt.landscape("x**4/4 - x**2/2")
    opt = lt.cubic_newton(M=1.0)
    x = np.array([0.0])
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    assert abs(float(step[0])) == pytest.approx(2.0, rel=1e-12)
    assert bool(state.hard_case)


def test_cubic_newton_hard_case_goes_downhill_along_a_vanishing_gradient():
    # on the stable manifold of x^2/2 - y^2/2 + y^4/4, up to rounding: the step
    # leaves along -y when g_y = -y + y^3 is positive, along +y when negative
    f = lt.landscape("escapable_saddle")
    opt = lt.cubic_newton(M=1.0)
    x = np.array([[1.0, 1e-17], [1.0, -1e-17], [1.0, 0.0]])
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    assert state.hard_case.tolist() == [True, True, True]
    assert np.sign(step[:2, 1]).tolist() == [1.0, -1.0]
    # with g_y exactly 0 either direction is a global minimiser of the model
    assert abs(step[2, 1]) == pytest.approx(abs(step[0, 1]))


def test_cubic_newton_step_minimizes_the_cubic_model():
    f = lt.landscape("himmelblau")
    M = 5.0
    x = np.array([[0.3, -0.4], [-0.27, -0.92], [3.0, 2.0 + 1e-3]])
    opt = lt.cubic_newton(M=M)
    step, _ = opt.update(f.grad(x), opt.init(x), x, f)
    rng = np.random.default_rng(0)
    for i in range(len(x)):
        g, H = f.grad(x[i]), f.hess(x[i])

        def model(s, g=g, H=H):
            return g @ s + 0.5 * s @ H @ s + M / 6 * np.linalg.norm(s) ** 3

        best = model(step[i])
        trial = step[i] + 1e-2 * rng.standard_normal((2000, 2))
        assert all(model(s) >= best - 1e-12 for s in trial)


def test_trust_region_hand_steps_reject_then_accept():
    # f = sin x at 0: g = 1, H = 0, radius 10 -> p = -10, f(-10) = 0.544 > 0:
    # rho < 0 -> rejected (zero step), radius 10/4 = 2.5; then p = -2.5,
    # rho = (0 - sin(-2.5)) / 2.5 = 0.239 in (eta, 1/4): accepted, radius 0.625
    f = lt.landscape("sin(x)")
    xs, state = steps_of(lt.trust_region(radius0=10.0, max_radius=10.0, eta=0.1), f, [0.0], 2)
    np.testing.assert_allclose(xs.ravel(), [0.0, 0.0, -2.5], atol=1e-12)
    assert float(state.radius) == pytest.approx(0.625)
    assert float(state.rho) == pytest.approx(math.sin(2.5) / 2.5, rel=1e-9)


def test_trust_region_step_solves_the_subproblem():
    # compare each accepted step with a fine polar grid of the disk: the exact
    # subproblem solution must be at least as good as every grid point
    f = lt.landscape("himmelblau")
    radius = 0.3
    x = np.array([[0.3, -0.4], [-0.27, -0.92], [1.0, 1.0], [3.5, -1.0]])
    opt = lt.trust_region(radius0=radius, max_radius=1.0)
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    theta = np.linspace(0, 2 * np.pi, 721)
    rr = np.linspace(0, radius, 61)
    disk = np.stack(
        [np.outer(rr, np.cos(theta)).ravel(), np.outer(rr, np.sin(theta)).ravel()], axis=1
    )
    assert state.accepted.sum() >= 3
    assert np.linalg.eigvalsh(f.hess(x[1]))[-1] < 0  # a maximum: negative curvature
    for i in np.flatnonzero(state.accepted):
        g, H = f.grad(x[i]), f.hess(x[i])
        model = disk @ g + 0.5 * np.einsum("ni,ij,nj->n", disk, H, disk)
        p = step[i]
        assert np.linalg.norm(p) <= radius * (1 + 1e-9)
        assert g @ p + 0.5 * p @ H @ p <= model.min() + 1e-12


def test_perturbed_gd_escapes_the_stable_manifold_where_gd_stops():
    f = lt.landscape("saddle")  # x^2 - y^2; y = 0 is the stable manifold
    t_gd = lt.run(f, lt.gd(lr=0.1), [1.0, 0.0], steps=500)
    assert t_gd.status == "converged"
    np.testing.assert_allclose(t_gd.x_final, [0.0, 0.0], atol=1e-8)
    assert np.all(t_gd.xs[:, 1] == 0.0)
    opt = lt.perturbed_gd(lr=0.1, radius=1e-2, g_thresh=1e-3, t_thresh=10, seed=0)
    t_pgd = lt.run(f, opt, [1.0, 0.0], steps=500)
    assert np.max(np.abs(t_pgd.xs[:, 1])) > 1.0


def test_perturbed_gd_perturbs_only_below_the_gradient_threshold():
    f = lt.landscape("saddle")
    opt = lt.perturbed_gd(lr=0.1, radius=0.5, g_thresh=0.1, t_thresh=3, seed=1)
    x = np.array([[1.0, 0.0], [0.01, 0.0]])  # |g| = 2 and 0.02
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    assert state.perturbed.tolist() == [False, True]
    np.testing.assert_allclose(step[0], -0.1 * f.grad(x[0]))
    assert not np.allclose(step[1], -0.1 * f.grad(x[1]))
    # Jin et al.: perturb again only when t - t_noise > t_thresh (t_noise = 0)
    fired = []
    for _ in range(6):  # t = 1 .. 6 at the same small-gradient points
        step, state = opt.update(f.grad(x), state, x, f)
        fired.append(state.perturbed.tolist())
    assert [row[1] for row in fired] == [False, False, False, True, False, False]
    assert not any(row[0] for row in fired)


def test_perturbed_gd_steps_with_the_gradient_at_the_perturbed_point():
    # f = |x|^2 from 0: the step is xi - lr * 2 xi = (1 - 2 lr) xi (Jin et al.
    # take the gradient step from the perturbed point), with the same xi for
    # the same seed whatever lr is
    f = lt.landscape("x**2 + y**2")
    x = np.zeros((50, 2))
    steps = {}
    for lr in (0.25, 0.1):
        opt = lt.perturbed_gd(lr=lr, radius=1.0, g_thresh=1.0, seed=7)
        steps[lr], _ = opt.update(f.grad(x), opt.init(x), x, f)
    np.testing.assert_allclose(steps[0.25] / 0.5, steps[0.1] / 0.8, rtol=1e-12)
    assert np.all(np.linalg.norm(steps[0.25], axis=1) <= 0.5 + 1e-12)


def test_perturbation_is_uniform_in_the_ball():
    f = lt.landscape("x**2 + y**2")
    opt = lt.perturbed_gd(lr=1e-12, radius=2.0, g_thresh=1.0, seed=3)
    x = np.zeros((20000, 2))
    step, _ = opt.update(f.grad(x), opt.init(x), x, f)
    r = np.linalg.norm(step, axis=1)
    assert r.max() <= 2.0
    # uniform in a disk: P(|xi| <= r) = (r / R)^2
    assert np.mean(r <= 1.0) == pytest.approx(0.25, abs=0.02)


def test_newton_on_a_singular_hessian_is_finite_and_says_so():
    f = lt.landscape("x**2 + y")  # Hessian diag(2, 0)
    trace = lt.run(f, lt.newton(), [1.0, 2.0], steps=3)
    assert np.all(np.isfinite(trace.xs))
    np.testing.assert_allclose(trace.xs[1], [0.0, 2.0], atol=1e-15)
    assert bool(trace.state.states[0].singular)


def test_clip_by_norm_clips_each_point_separately():
    opt = lt.clip_by_norm(1.0)
    g = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    u, _ = opt.update(g, opt.init(g), g, None)
    np.testing.assert_allclose(u, [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])


def test_chain_composes_pieces_in_order():
    # clip then scale: |(3,4)| = 5 clipped to 1, then times -0.5
    opt = lt.chain(lt.clip_by_norm(1.0), lt.scale_by_lr(0.5))
    x = np.zeros(2)
    step, _ = opt.update(np.array([3.0, 4.0]), opt.init(x), x, None)
    np.testing.assert_allclose(step, [-0.3, -0.4])
    # the other order scales first (length 2.5), then clips to 1
    opt = lt.chain(lt.scale_by_lr(0.5), lt.clip_by_norm(1.0))
    step, _ = opt.update(np.array([3.0, 4.0]), opt.init(x), x, None)
    np.testing.assert_allclose(step, [-0.6, -0.8])


def test_add_noise_has_the_stated_spread_and_zero_sigma_is_plain_gd():
    opt = lt.add_noise(0.5, seed=0)
    g = np.zeros((50000, 2))
    u, _ = opt.update(g, opt.init(g), g, None)
    assert np.std(u) == pytest.approx(0.5, rel=0.02)
    quad = lt.landscape(QUAD)
    a = lt.run(quad, lt.noisy_gd(lr=0.1, sigma=0.0), [1.0, 1.0], steps=20)
    b = lt.run(quad, lt.gd(lr=0.1), [1.0, 1.0], steps=20)
    np.testing.assert_array_equal(a.xs, b.xs)


def test_updates_are_pure(quad):
    opt = lt.adam(lr=0.1)
    x = np.array([1.0, 1.0])
    state = opt.init(x)
    step1, _ = opt.update(quad.grad(x), state, x, quad)
    step2, _ = opt.update(quad.grad(x), state, x, quad)
    np.testing.assert_array_equal(step1, step2)
    noisy = lt.noisy_gd(lr=0.1, sigma=1.0, seed=0)
    s0 = noisy.init(x)
    a, _ = noisy.update(quad.grad(x), s0, x, quad)
    b, _ = noisy.update(quad.grad(x), s0, x, quad)
    np.testing.assert_array_equal(a, b)


def test_noise_is_reproducible_with_seeds_and_differs_between_seeds(quad):
    run = lambda opt, **kw: lt.run(quad, opt, [1.0, 1.0], steps=30, **kw)  # noqa: E731
    a = run(lt.noisy_gd(lr=0.05, sigma=1.0, seed=4))
    b = run(lt.noisy_gd(lr=0.05, sigma=1.0, seed=4))
    c = run(lt.noisy_gd(lr=0.05, sigma=1.0, seed=5))
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.allclose(a.xs, c.xs)
    # run(seed=) overrides the optimizer's own seed, reproducibly
    d = run(lt.noisy_gd(lr=0.05, sigma=1.0, seed=4), seed=5)
    e = run(lt.noisy_gd(lr=0.05, sigma=1.0, seed=99), seed=5)
    np.testing.assert_array_equal(d.xs, e.xs)
    assert not np.allclose(d.xs, a.xs)


def test_schedules_drive_the_recorded_learning_rates(quad):
    sched = lt.step_decay(0.1, drop=0.5, every=2)
    trace = lt.run(quad, lt.gd(lr=sched), [1.0, 1.0], steps=5, tol=0)
    np.testing.assert_allclose(trace.lrs, [0.1, 0.1, 0.05, 0.05, 0.025])
    assert lt.current_lr(trace.state) == pytest.approx(0.025)
    assert math.isnan(lt.current_lr(lt.cubic_newton().init(np.zeros(2))))


# --------------------------------------------------------------------------
# schedules
# --------------------------------------------------------------------------


def test_schedule_values_at_chosen_steps():
    assert [lt.constant(0.3)(t) for t in (0, 10)] == [0.3, 0.3]
    s = lt.step_decay(1.0, drop=0.1, every=10)
    assert [s(t) for t in (0, 9, 10, 25)] == pytest.approx([1.0, 1.0, 0.1, 0.01])
    s = lt.exponential_decay(2.0, rate=0.5)
    assert [s(t) for t in (0, 1, 4)] == pytest.approx([2.0, 1.0, 0.125])
    s = lt.cosine_decay(1.0, steps=100, lr_min=0.2)
    assert [s(t) for t in (0, 50, 100, 150)] == pytest.approx([1.0, 0.6, 0.2, 0.2])
    # SGDR with T_0 = 10, T_mult = 2: restarts at 10 and 30
    s = lt.warm_restarts(1.0, period=10, mult=2)
    got = [s(t) for t in (0, 5, 9, 10, 20, 29, 30)]
    half = 0.5 * (1 + math.cos(math.pi * 9 / 10))
    tail = 0.5 * (1 + math.cos(math.pi * 19 / 20))
    assert got == pytest.approx([1.0, 0.5, half, 1.0, 0.5, tail, 1.0])
    s = lt.warm_restarts(1.0, period=10, lr_min=0.5)  # T_mult = 1: equal cycles
    assert [s(t) for t in (0, 5, 10, 15, 1000)] == pytest.approx([1.0, 0.75, 1.0, 0.75, 1.0])
    s = lt.one_cycle(1.0, steps=100, div=10, final_div=1000, pct_start=0.4)
    assert [s(t) for t in (0, 20, 40, 60, 80, 90, 100, 120)] == pytest.approx(
        [0.1, 0.55, 1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    )


# --------------------------------------------------------------------------
# bad input: each error names the parameter, the value and what is allowed
# --------------------------------------------------------------------------

BAD_INPUTS = [
    (lambda: lt.gd(lr=-0.1), ValueError, "lr must be positive, got -0.1"),
    (lambda: lt.gd(lr=0), ValueError, "lr must be positive, got 0"),
    (lambda: lt.gd(lr=float("nan")), ValueError, "lr must be a finite number, got nan"),
    (lambda: lt.adam(lr="fast"), TypeError, "lr must be a positive number or a schedule"),
    (lambda: lt.momentum(lr=0.1, beta=1.0), ValueError, "beta must be in [0, 1), got 1.0"),
    (lambda: lt.nesterov(lr=0.1, beta=-0.1), ValueError, "beta must be in [0, 1), got -0.1"),
    (lambda: lt.adam(b2=1.5), ValueError, "b2 must be in [0, 1), got 1.5"),
    (lambda: lt.rmsprop(decay=2), ValueError, "decay must be in [0, 1), got 2.0"),
    (lambda: lt.noisy_gd(sigma=-1), ValueError, "sigma must be zero or positive, got -1"),
    (lambda: lt.noisy_gd(seed=-3), ValueError, "seed must be a whole number >= 0 or None"),
    (lambda: lt.adagrad(eps=0), ValueError, "eps must be positive, got 0"),
    (lambda: lt.perturbed_gd(t_thresh=0), ValueError, "t_thresh must be at least 1, got 0"),
    (lambda: lt.perturbed_gd(radius=-1), ValueError, "radius must be positive, got -1"),
    (lambda: lt.cubic_newton(M=0), ValueError, "M must be positive, got 0"),
    (
        lambda: lt.trust_region(radius0=5, max_radius=2),
        ValueError,
        "radius0 must be at most max_radius = 2.0, got 5.0",
    ),
    (lambda: lt.trust_region(eta=0.3), ValueError, "eta must be in [0, 0.25), got 0.3"),
    (lambda: lt.clip_by_norm(-1), ValueError, "max_norm must be positive, got -1"),
    (lambda: lt.trace(0.5, nesterov="yes"), TypeError, "nesterov must be True or False"),
    (lambda: lt.chain(), ValueError, "chain needs at least one piece"),
    (lambda: lt.chain(lt.gd), TypeError, "chain piece 0 must be an Optimizer"),
    (lambda: lt.optimizer("sgd"), ValueError, "name must be one of 'gd', 'momentum'"),
    (lambda: lt.optimizer(3), TypeError, "name must be an optimizer name (a string), got 3"),
    (
        lambda: lt.optimizer("gd", learning_rate=0.1),
        ValueError,
        "gd got unknown hyperparameter 'learning_rate'; allowed: lr",
    ),
    (lambda: lt.step_decay(0.1, drop=1.5), ValueError, "drop must be at most 1.0, got 1.5"),
    (lambda: lt.step_decay(0.1, every=0), ValueError, "every must be at least 1, got 0"),
    (lambda: lt.cosine_decay(0.1, steps=0), ValueError, "steps must be at least 1, got 0"),
    (
        lambda: lt.cosine_decay(0.1, steps=10, lr_min=0.5),
        ValueError,
        "lr_min must be at most lr = 0.1, got 0.5",
    ),
    (lambda: lt.warm_restarts(0.1, period=10, mult=0.5), ValueError, "mult must be at least 1"),
    (lambda: lt.exponential_decay(0.1, rate=0), ValueError, "rate must be positive, got 0"),
    (lambda: lt.one_cycle(0.1, steps=100, pct_start=0.7), ValueError, "pct_start must be at most"),
    (lambda: lt.cosine_decay(0.1, steps=10)(-1), ValueError, "step must be at least 0, got -1"),
    (
        lambda: lt.gd(lr=lambda t: -0.1),
        ValueError,
        "lr schedule must return a finite number >= 0, got -0.1 at step 0",
    ),
    (
        lambda: lt.newton().update(np.ones(2), lt.newton().init(np.ones(2)), np.ones(2), None),
        TypeError,
        "this optimizer needs second derivatives: pass a Landscape as the oracle",
    ),
]


@pytest.mark.parametrize("call, error, text", BAD_INPUTS, ids=[b[2][:40] for b in BAD_INPUTS])
def test_bad_input_gives_a_clear_error(call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)


def test_no_runtime_warnings_escape_second_order_methods_on_overflow():
    f = lt.landscape("x**4 - 3*x**2 + y**2")
    x = np.array([[1e200, 1.0], [1.0, 1.0]])
    for name in ("newton", "saddle_free_newton", "cubic_newton", "trust_region"):
        opt = lt.optimizer(name)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("error")
            step, _ = opt.update(f.grad(x), opt.init(x), x, f)
        assert np.all(np.isfinite(step[1]))
