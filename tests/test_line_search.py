"""Line searches, L-BFGS and Neon-style negative-curvature descent.

Hand-computed numbers are worked out on paper from Nocedal & Wright (2006),
chapters 3 and 7, and from the negative-curvature step of Neon2 / Carmon et
al.; scipy's L-BFGS-B is the peer implementation L-BFGS is held to.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize as scipy_optimize  # a test dependency (requirements-dev.txt)

import labtools as lt

# x^2/2 + 5 y^2: gradient (x, 10 y), Hessian diag(1, 10)
QUAD = lt.landscape("quadratic")


# --------------------------------------------------------------------------
# line searches
# --------------------------------------------------------------------------


def test_armijo_hand_steps_on_the_quadratic():
    # from (1, 1): g = (1, 10), p = -g, slope -101, f0 = 5.5.
    # alpha = 1 -> f(0, -9) = 405; 0.5 -> f(0.5, -4) = 80.125;
    # 0.25 -> f(0.75, -1.5) = 11.53; 0.125 -> f(0.875, -0.25) = 0.695 <= 5.5 - 1.26e-3
    x = np.array([1.0, 1.0])
    g = QUAD.grad(x)
    r = lt.armijo_backtracking(QUAD.f, x, -g, QUAD.f(x), -g @ g)
    assert float(r.alpha) == 0.125
    assert int(r.evals) == 4 and bool(r.success)


def test_armijo_refuses_an_ascent_direction_and_backs_off_nan():
    x = np.array([1.0, 1.0])
    g = QUAD.grad(x)
    r = lt.armijo_backtracking(QUAD.f, x, g, QUAD.f(x), g @ g)
    assert float(r.alpha) == 0.0 and not bool(r.success) and int(r.evals) == 0
    f = lt.landscape("x**2 - log(x)")       # NaN for x < 0: the search backs off
    x = np.array([2.0])
    g = f.grad(x)                            # 4 - 1/2 = 3.5; x - 1 * 3.5 < 0
    r = lt.armijo_backtracking(f.f, x, -g, f.f(x), -g @ g)
    assert bool(r.success) and 0 < 2.0 - float(r.alpha) * 3.5


def test_wolfe_on_a_quadratic_zooms_to_the_exact_line_minimizer():
    # alpha = 1 fails Armijo, so zoom(0, 1); the cubic through phi(0), phi'(0),
    # phi(1), phi'(1) of a quadratic phi is phi itself: its minimizer is
    # alpha* = g.g / g.H.g = 101 / 1001, found on the second evaluation.
    x = np.array([1.0, 1.0])
    g = QUAD.grad(x)
    r = lt.wolfe_line_search(QUAD.f, QUAD.grad, x, -g, QUAD.f(x), g)
    assert float(r.alpha) == pytest.approx(101 / 1001, rel=1e-12)
    assert int(r.evals) == 2 and bool(r.success)


def test_wolfe_expands_when_the_first_trial_is_too_short():
    # phi(alpha) = f(x - alpha g) on x^2/2 + 5y^2 from (1, 0): minimizer alpha = 1;
    # from alpha0 = 0.1 the strong Wolfe test |phi'| <= 0.1 |phi'(0)| needs
    # alpha in [0.9, 1.1]: 0.1, 0.2, 0.4, 0.8 fail it, 1.6 overshoots (phi' > 0)
    x = np.array([1.0, 0.0])
    g = QUAD.grad(x)
    r = lt.wolfe_line_search(QUAD.f, QUAD.grad, x, -g, QUAD.f(x), g, alpha0=0.1, c2=0.1)
    assert float(r.alpha) == pytest.approx(1.0, rel=1e-12)
    assert int(r.evals) == 6


def test_wolfe_result_meets_the_strong_wolfe_conditions_on_a_batch():
    f = lt.landscape("himmelblau")
    rng = np.random.default_rng(0)
    x = rng.uniform(-4, 4, size=(50, 2))
    g = f.grad(x)
    p = -g
    c1, c2 = 1e-4, 0.5
    r = lt.wolfe_line_search(f.f, f.grad, x, p, f.f(x), g, c1=c1, c2=c2)
    assert r.success.all()
    xa = x + r.alpha[:, None] * p
    slope = np.sum(g * p, axis=1)
    assert np.all(f.f(xa) <= f.f(x) + c1 * r.alpha * slope)
    assert np.all(np.abs(np.sum(f.grad(xa) * p, axis=1)) <= c2 * np.abs(slope))
    for i in range(0, 50, 7):  # each row as if searched alone
        one = lt.wolfe_line_search(f.f, f.grad, x[i], p[i], f.f(x[i]), g[i], c1=c1, c2=c2)
        assert float(one.alpha) == r.alpha[i] and int(one.evals) == r.evals[i]


def test_wolfe_on_an_unbounded_direction_fails_and_says_so():
    f = lt.landscape("saddle")                 # x^2 - y^2: f -> -inf along y
    x = np.array([0.0, 1.0])
    g = f.grad(x)
    r = lt.wolfe_line_search(f.f, f.grad, x, -g, f.f(x), g, alpha_max=100.0)
    assert not bool(r.success) and float(r.alpha) == 100.0


def test_line_search_gd_steps_by_the_searched_length():
    x = np.array([1.0, 1.0])
    opt = lt.line_search_gd("armijo")
    step, state = opt.update(QUAD.grad(x), opt.init(x), x, QUAD)
    np.testing.assert_allclose(step, [-0.125, -1.25])
    assert float(state.alpha) == 0.125 and not bool(state.failed)
    opt = lt.line_search_gd("wolfe")
    step, state = opt.update(QUAD.grad(x), opt.init(x), x, QUAD)
    np.testing.assert_allclose(step, -101 / 1001 * np.array([1.0, 10.0]), rtol=1e-12)


# --------------------------------------------------------------------------
# L-BFGS
# --------------------------------------------------------------------------


def _bfgs_inverse(pairs, d):
    """Dense BFGS inverse-Hessian update (N&W eq. 6.17), oldest pair first,
    from H0 = gamma I with gamma from the newest pair (eq. 7.20)."""
    s_new, y_new = pairs[-1]
    H = (s_new @ y_new) / (y_new @ y_new) * np.eye(d)
    for s, y in pairs:
        rho = 1.0 / (s @ y)
        V = np.eye(d) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
    return H


def test_two_loop_recursion_equals_the_dense_bfgs_update():
    rng = np.random.default_rng(1)
    d, m = 5, 3
    A = rng.standard_normal((d, d))
    A = A @ A.T + d * np.eye(d)
    pairs = []
    for _ in range(m):
        s = rng.standard_normal(d)
        pairs.append((s, A @ s))
    S = np.array([s for s, _ in pairs][::-1])  # newest first
    Y = np.array([y for _, y in pairs][::-1])
    g = rng.standard_normal(d)
    got = lt.two_loop_recursion(g, S, Y, np.array(m))
    np.testing.assert_allclose(got, _bfgs_inverse(pairs, d) @ g, rtol=1e-10)
    # fewer valid pairs than slots: only the newest are used
    got2 = lt.two_loop_recursion(g, S, Y, np.array(2))
    np.testing.assert_allclose(got2, _bfgs_inverse(pairs[1:], d) @ g, rtol=1e-10)
    # no pair: the identity
    np.testing.assert_array_equal(lt.two_loop_recursion(g, S, Y, np.array(0)), g)


def test_lbfgs_first_step_is_a_gradient_step_of_length_at_most_one():
    # from (1, 1): |g| = sqrt(101), first trial 1/sqrt(101) meets strong Wolfe
    x = np.array([1.0, 1.0])
    opt = lt.lbfgs()
    step, state = opt.update(QUAD.grad(x), opt.init(x), x, QUAD)
    np.testing.assert_allclose(step, -np.array([1.0, 10.0]) / np.sqrt(101), rtol=1e-14)
    assert int(state.n_pairs) == 0 and bool(state.started)


def test_lbfgs_skips_a_pair_that_fails_the_curvature_condition():
    opt = lt.lbfgs(memory=2)
    x = np.array([0.5, 0.5])
    st = opt.init(x)._replace(x_prev=np.array([0.0, 0.0]), g_prev=np.array([2.0, 2.0]),
                              started=np.array(True))
    g = np.array([1.0, 1.0])                 # s = (.5, .5), y = (-1, -1): s.y < 0
    _, new = opt.update(g, st, x, QUAD)
    assert int(new.skipped) == 1 and int(new.n_pairs) == 0
    st = st._replace(g_prev=np.array([0.0, 0.0]))   # y = (1, 1): s.y = 1 > 0, kept
    _, new = opt.update(g, st, x, QUAD)
    assert int(new.skipped) == 0 and int(new.n_pairs) == 1
    np.testing.assert_array_equal(new.S[0], [0.5, 0.5])


# scipy's L-BFGS-B (unbounded) as a peer: same minimizer, iteration counts
# within a factor of 1.5 (plus 2) of each other.
PEER_CASES = [
    ("rosenbrock", [-1.2, 1.0]),
    ("himmelblau", [0.0, 0.0]),
    ("six_hump_camel", [1.0, 1.0]),
    ("quadratic", [1.5, -1.0]),
    ("double_well", [0.5, 0.5]),
    ("escapable_saddle", [1.0, 0.3]),
]


@pytest.mark.parametrize("name, x0", PEER_CASES, ids=[c[0] for c in PEER_CASES])
def test_lbfgs_matches_scipy_lbfgsb(name, x0):
    f = lt.landscape(name)
    t = lt.run(f, lt.lbfgs(), x0, steps=500, tol=1e-8)
    ref = scipy_optimize.minimize(f.f, np.array(x0, float), jac=f.grad, method="L-BFGS-B",
                                  options=dict(gtol=1e-8, ftol=0.0, maxiter=500))
    assert t.status == "converged", t.message
    np.testing.assert_allclose(t.x_final, ref.x, atol=1e-6)
    assert t.steps_taken <= 1.5 * ref.nit + 2 and ref.nit <= 1.5 * t.steps_taken + 2
    assert int(t.state.skipped) == 0


def test_lbfgs_stops_at_a_saddle_from_its_stable_manifold_and_leaves_it_otherwise():
    f = lt.landscape("escapable_saddle")     # saddle at 0, minima (0, +-1)
    on = lt.run(f, lt.lbfgs(), [1.0, 0.0], steps=100)
    assert on.status == "converged" and np.allclose(on.x_final, 0.0)
    off = lt.run(f, lt.lbfgs(), [1.0, 1e-6], steps=100)
    assert off.status == "converged" and np.allclose(off.x_final, [0.0, 1.0])
    gd = lt.run(f, lt.gd(lr=0.1), [1.0, 1e-6], steps=1000)
    assert off.steps_taken * 10 < gd.steps_taken


def test_lbfgs_on_a_surface_unbounded_below_reports_divergence():
    t = lt.run(lt.landscape("saddle"), lt.lbfgs(), [1.0, 0.1], steps=50)
    assert t.status == "diverged" and "max_norm" in t.message
    assert "smaller lr" not in t.message


# --------------------------------------------------------------------------
# Neon-style negative-curvature descent
# --------------------------------------------------------------------------


def test_lanczos_min_eig_finds_the_lowest_eigenpair():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((8, 8))
    A = (A + A.T) / 2
    lam_true, V = np.linalg.eigh(A)
    lam, v = lt.lanczos_min_eig(lambda x, u: u @ A, np.zeros(8), rng.standard_normal(8), 8)
    assert float(lam) == pytest.approx(lam_true[0], abs=1e-10)
    assert abs(v @ V[:, 0]) == pytest.approx(1.0, abs=1e-8)
    # a few steps already give a negative Ritz value above the true minimum
    lam3, _ = lt.lanczos_min_eig(lambda x, u: u @ A, np.zeros(8), np.ones(8), 3)
    assert lam_true[0] - 1e-12 <= float(lam3) < 0


def test_lanczos_uses_hessian_vector_products_that_match_finite_differences():
    f = lt.landscape("six_hump_camel")
    x = np.array([0.3, -0.2])
    v = np.array([0.6, 0.8])
    h = 1e-6
    fd = (f.grad(x + h * v) - f.grad(x - h * v)) / (2 * h)
    np.testing.assert_allclose(f.hvp(x, v), fd, rtol=1e-6, atol=1e-8)


def test_neon_hand_step_from_the_saddle_lands_on_a_minimum():
    # escapable saddle x^2/2 - y^2/2 + y^4/4 at 0: g = 0, H = diag(1, -1):
    # lambda = -1, v = +-e_y, step |lambda| / rho = 1 along v: (0, +-1), a minimizer
    f = lt.landscape("escapable_saddle")
    x = np.zeros(2)
    opt = lt.neon_gd(lr=0.1, rho=1.0)
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    np.testing.assert_allclose(np.abs(step), [0.0, 1.0], atol=1e-12)
    assert float(state.lam) == pytest.approx(-1.0) and int(state.nc_steps) == 1


def test_neon_steps_downhill_along_v_and_by_gradient_elsewhere():
    f = lt.landscape("saddle_5")              # 5x^2 - y^2, H = diag(10, -2)
    opt = lt.neon_gd(lr=0.05, g_thresh=0.1, rho=2.0)
    x = np.array([0.0, 0.01])                 # g = (0, -0.02): small
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    np.testing.assert_allclose(step, [0.0, 1.0], atol=1e-12)   # +e_y: v.g < 0 side
    x = np.array([1.0, 0.0])                  # g = (10, 0): a gradient step
    step, state = opt.update(f.grad(x), opt.init(x), x, f)
    np.testing.assert_allclose(step, [-0.5, 0.0])
    assert int(state.nc_steps) == 0 and np.isnan(state.lam)
    x = np.array([1e-5, 0.0])                 # at a minimum: no negative curvature
    step, _ = opt.update(QUAD.grad(x), opt.init(x), x, QUAD)
    np.testing.assert_allclose(step, -0.05 * QUAD.grad(x))


def test_neon_escapes_faster_than_perturbed_gd_but_not_from_a_flat_saddle():
    starts = np.array([[0.0, 0.0], [1e-6, 0.0]])
    for name in ("saddle_5", "escapable_saddle"):
        f = lt.landscape(name)
        neon = lt.saddle_escape_steps(f, lt.neon_gd(lr=0.1), starts, radius=0.9, steps=300)
        pgd = lt.saddle_escape_steps(f, lt.perturbed_gd(lr=0.1, radius=0.1, g_thresh=1e-3),
                                     starts, radius=0.9, steps=300)
        assert np.all(neon == 1) and np.all(pgd > 5)
    # the monkey saddle has a zero Hessian at 0: nothing negative for Lanczos to find
    f = lt.landscape("monkey_saddle")
    neon = lt.saddle_escape_steps(f, lt.neon_gd(lr=0.1), starts[:1], radius=0.9, steps=300)
    assert neon.tolist() == [-1]


def test_new_optimizers_raise_no_warnings_on_a_log_barrier():
    f = lt.landscape("x**2 - log(x)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for opt in (lt.lbfgs(), lt.line_search_gd("wolfe"), lt.neon_gd(g_thresh=10.0)):
            lt.run(f, opt, [3.0], steps=30)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------

BAD = [
    (lambda: lt.lbfgs(memory=0), ValueError, "memory must be at least 1, got 0"),
    (lambda: lt.lbfgs(c1=0.95, c2=0.9), ValueError, "c2 must be in (c1, 1)"),
    (lambda: lt.lbfgs(c1=-1), ValueError, "c1 must be positive, got -1"),
    (lambda: lt.line_search_gd("goldstein"), ValueError,
     "condition must be one of 'armijo', 'wolfe'; got 'goldstein'"),
    (lambda: lt.line_search_gd(shrink=1.5), ValueError, "shrink must be in (0, 1), got 1.5"),
    (lambda: lt.line_search_gd(alpha0=0), ValueError, "alpha0 must be positive, got 0"),
    (lambda: lt.neon_gd(lanczos_steps=0), ValueError, "lanczos_steps must be at least 1"),
    (lambda: lt.neon_gd(rho=-1), ValueError, "rho must be positive, got -1"),
    (lambda: lt.neon_gd(g_thresh=0), ValueError, "g_thresh must be positive, got 0"),
    (lambda: lt.neon_gd(seed=-1), ValueError, "seed must be a whole number >= 0 or None"),
    (lambda: lt.wolfe_line_search(QUAD.f, QUAD.grad, np.ones(2), -np.ones(2), 1.0,
                                  np.ones(2), alpha0=-1.0), ValueError,
     "alpha0 must be positive"),
    (lambda: lt.lbfgs().update(np.ones(2), lt.lbfgs().init(np.ones(2)), np.ones(2), None),
     TypeError, "lbfgs needs f and its gradient"),
    (lambda: lt.neon_gd().update(np.ones(2), lt.neon_gd().init(np.ones(2)), np.ones(2), None),
     TypeError, "neon_gd needs Hessian-vector products"),
    (lambda: lt.optimizer("lbfgs", lr=0.1), ValueError,
     "lbfgs got unknown hyperparameter 'lr'; allowed: memory, c1, c2, max_ls"),
]


@pytest.mark.parametrize("call, error, text", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input_gives_a_clear_error(call, error, text):
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)
