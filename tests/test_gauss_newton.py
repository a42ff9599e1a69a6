"""The generalized Gauss-Newton matrix and K-FAC of the course network.

Derivatives are held to central finite differences; the GGN to its
definition (Schraudolph 2002) and to the Hessian minus the residual term;
K-FAC to the case where its Kronecker factorization is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

import labtools as lt


@pytest.fixture(scope="module")
def net():
    model, X, y = lt.course_network(hidden=(5, 4), n=30)
    return model, X, y, model.init(seed=1)


def _fd_jacobian(model, theta, X, h=1e-6):
    cols = []
    for p in range(model.n_params):
        e = np.zeros(model.n_params)
        e[p] = h
        cols.append((model.forward(theta + e, X) - model.forward(theta - e, X)) / (2 * h))
    return np.array(cols).T


def test_output_jacobian_matches_finite_differences(net):
    model, X, _, theta = net
    J = lt.output_jacobian(model, theta, X)
    np.testing.assert_allclose(J, _fd_jacobian(model, theta, X), rtol=1e-6, atol=1e-8)


def test_loss_output_derivatives_match_finite_differences():
    z = np.array([-2.0, 0.3, 1.5])
    y = np.array([1.0, 0.0, 1.0])
    h = 1e-5
    for loss in ("bce", "mse"):
        model = lt.MLP((2, 1), loss=loss)
        ell = {"bce": lambda z: np.logaddexp(0.0, z) - y * z, "mse": lambda z: (z - y) ** 2}[loss]
        d1, d2 = lt.loss_output_derivatives(model, z, y)
        np.testing.assert_allclose(d1, (ell(z + h) - ell(z - h)) / (2 * h), rtol=1e-7)
        np.testing.assert_allclose(d2, (ell(z + h) - 2 * ell(z) + ell(z - h)) / h**2, rtol=1e-4)


def test_ggn_products_match_the_definition_with_a_finite_difference_jacobian(net):
    model, X, y, theta = net
    J = _fd_jacobian(model, theta, X)
    _, d2 = lt.loss_output_derivatives(model, model.forward(theta, X), y)
    G_fd = J.T @ np.diag(d2 / len(X)) @ J
    G = lt.ggn_matrix(model, theta, X, y)
    np.testing.assert_allclose(G, G_fd, rtol=1e-6, atol=1e-9)
    V = np.random.default_rng(0).standard_normal((3, model.n_params))
    np.testing.assert_allclose(lt.ggn_vp(model, theta, V, X, y), V @ G, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lt.ggn_vp(model, theta, V[0], X, y), G @ V[0], rtol=1e-10)


def test_ggn_is_positive_semidefinite_where_the_hessian_is_not(net):
    model, X, y, theta = net
    G = lt.ggn_matrix(model, theta, X, y)
    H = model.hessian(theta, X, y)
    assert np.linalg.eigvalsh(G).min() >= -1e-10
    assert np.linalg.eigvalsh(H).min() < -1e-4
    assert np.linalg.matrix_rank(G, tol=1e-10) <= len(X)


def test_ggn_is_the_hessian_minus_the_residual_term(net):
    # residual term R = (1/N) sum_n l'(z_n) Hess z_n = d/dtheta [J(theta)^T c] with
    # c = l'(z(theta0)) / N held fixed, by central differences of J^T c
    model, X, y, theta = net
    d1, _ = lt.loss_output_derivatives(model, model.forward(theta, X), y)
    c = d1 / len(X)
    h = 1e-5
    R = np.empty((model.n_params, model.n_params))
    for p in range(model.n_params):
        e = np.zeros(model.n_params)
        e[p] = h
        R[:, p] = (lt.output_jacobian(model, theta + e, X).T @ c
                   - lt.output_jacobian(model, theta - e, X).T @ c) / (2 * h)
    H = model.hessian(theta, X, y)
    np.testing.assert_allclose(lt.ggn_matrix(model, theta, X, y), H - R, atol=1e-7)


def test_with_zero_residuals_the_ggn_is_the_hessian():
    model = lt.MLP((2, 3, 1), loss="mse")
    X = np.random.default_rng(3).standard_normal((8, 2))
    theta = model.init(seed=2)
    y = model.forward(theta, X)                 # a perfect fit: l'(z) = 0
    np.testing.assert_allclose(lt.ggn_matrix(model, theta, X, y), model.hessian(theta, X, y),
                               atol=1e-12)


def test_kfac_factors_by_hand_for_logistic_regression():
    # one layer z = x . w + b: A = E[(x, 1)(x, 1)^T], G = E[l''(z)] (g = sqrt(l''))
    model = lt.MLP((2, 1))
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([1.0, 0.0])
    A, G = lt.kfac_factors(model, np.zeros(3), X, y)   # z = 0: l'' = 1/4
    np.testing.assert_allclose(A[0], [[0.5, 0.0, 0.5], [0.0, 2.0, 1.0], [0.5, 1.0, 1.0]])
    np.testing.assert_allclose(G[0], [[0.25]])


def test_kfac_is_exact_natural_gradient_when_the_factorization_is():
    # squared error on one layer: g = sqrt(2) for every example, so the GGN block
    # E[(a a^T) (x) (g g^T)] factorizes exactly as A (x) G and K-FAC = GGN^{-1} g
    model = lt.MLP((3, 1), loss="mse")
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    theta = rng.standard_normal(model.n_params)
    g = model.grad(theta, X, y)
    G = lt.ggn_matrix(model, theta, X, y)
    d = lt.kfac_direction(model, theta, g, X, y, damping=1e-16)
    np.testing.assert_allclose(d, np.linalg.solve(G, g), rtol=1e-6)


def test_kfac_direction_on_a_deep_net_is_a_descent_direction_and_trains(net):
    model, X, y, theta = net
    g = model.grad(theta, X, y)
    assert lt.kfac_direction(model, theta, g, X, y) @ g > 0
    land = model.as_landscape(X, y)
    t = lt.run(land, lt.kfac(lr=0.5, damping=1e-3), theta, steps=20, tol=0)
    gd = lt.run(land, lt.gd(lr=0.5), theta, steps=20, tol=0)
    assert t.status == "max_steps" and t.values[-1] < 0.5 * gd.values[-1]


def test_kfac_hand_step_is_lr_times_the_direction(net):
    model, X, y, theta = net
    land = model.as_landscape(X, y)
    opt = lt.kfac(lr=0.3, damping=1e-2)
    g = land.grad(theta)
    step, state = opt.update(g, opt.init(theta), theta, land)
    np.testing.assert_allclose(step, -0.3 * lt.kfac_direction(model, theta, g, X, y, 1e-2))
    assert lt.current_lr(state) == 0.3


# every public function of labtools/nn/gauss_newton.py refuses bad input by name
BAD = [
    ("kfac damping", lambda m, X, y, t: lt.kfac(damping=0), ValueError,
     "damping must be positive, got 0"),
    ("kfac lr", lambda m, X, y, t: lt.kfac(lr=-1), ValueError, "lr must be positive, got -1"),
    ("ggn_matrix model", lambda m, X, y, t: lt.ggn_matrix("net", t, X, y), TypeError,
     "model must be an MLP"),
    ("ggn_vp v", lambda m, X, y, t: lt.ggn_vp(m, t, np.ones(3), X, y), ValueError,
     "v must have shape"),
    ("ggn_matrix theta", lambda m, X, y, t: lt.ggn_matrix(m, t[:-1], X, y), ValueError,
     "theta must"),
    ("kfac_direction damping", lambda m, X, y, t: lt.kfac_direction(m, t, t, X, y, damping=-1),
     ValueError, "damping must be positive, got -1"),
    ("kfac without the network",
     lambda m, X, y, t: lt.run(lt.landscape("himmelblau"), lt.kfac(), [0.0, 0.0]), TypeError,
     "kfac needs the network: pass model.as_landscape(X, y)"),
    ("tangent_kernel model", lambda m, X, y, t: lt.tangent_kernel("net", t, X), TypeError,
     "model must be an MLP"),
    ("tangent_kernel theta", lambda m, X, y, t: lt.tangent_kernel(m, t[:-1], X), ValueError,
     "theta must"),
    ("tangent_kernel X", lambda m, X, y, t: lt.tangent_kernel(m, t, X[:, :1]), ValueError,
     "X must"),
    ("pl_ratio y", lambda m, X, y, t: lt.pl_ratio(m, t, X, y[:-1]), ValueError, "y must"),
    ("pl_ratio f_star type", lambda m, X, y, t: lt.pl_ratio(m, t, X, y, f_star="0"), TypeError,
     "f_star must be a number, got '0'"),
    ("pl_ratio f_star nan", lambda m, X, y, t: lt.pl_ratio(m, t, X, y, f_star=float("nan")),
     ValueError, "f_star must be"),
    ("pl_ratio f_star above the loss", lambda m, X, y, t: lt.pl_ratio(m, t, X, y, f_star=1e6),
     ValueError, "f_star must be below the loss at theta"),
    ("pl_ratio diverged",
     lambda m, X, y, t: lt.pl_ratio(lt.MLP((1, 1), loss="mse"), [1e200, 0.0], [[1.0]], [0.0]),
     ValueError, "the loss at theta is not finite (inf): the run has diverged"),
]


@pytest.mark.parametrize("call, error, text", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_gives_a_clear_error(net, call, error, text):
    model, X, y, theta = net
    with pytest.raises(error) as info:
        call(model, X, y, theta)
    assert text in str(info.value)
