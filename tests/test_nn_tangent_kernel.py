"""The tangent kernel ``J J^T`` and the Polyak-Lojasiewicz quotient of the course network.

The kernel is held to a central-difference Jacobian and to a linear model
worked by hand; the PL quotient to a central-difference gradient, to a hand
case, and to the identity that ties it to the kernel for the squared error
(Liu, Zhu & Belkin 2022): ``|grad L|^2 / (2 L) = 2 r^T K r / (N |r|^2)``.
Their bad inputs are in tests/test_gauss_newton.py, with the rest of their module's.
"""

from __future__ import annotations

import numpy as np
import pytest

import labtools as lt


@pytest.fixture(scope="module")
def mse_net():
    model, X, y = lt.course_network(hidden=(6, 3), n=12, loss="mse")
    return model, X, y, model.init(seed=2, scale=2.0)


def test_tangent_kernel_is_the_gram_matrix_of_a_finite_difference_jacobian(mse_net):
    model, X, _, theta = mse_net
    h = 1e-6
    J_fd = np.array([(model.forward(theta + h * e, X) - model.forward(theta - h * e, X))
                     / (2 * h) for e in np.eye(model.n_params)]).T
    K = lt.tangent_kernel(model, theta, X)
    assert K.shape == (len(X), len(X))
    np.testing.assert_allclose(K, J_fd @ J_fd.T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(K, K.T, atol=1e-12)
    assert np.linalg.eigvalsh(K).min() > -1e-10


def test_tangent_kernel_of_a_linear_model_by_hand():
    # z = x . w + b: grad z_n = (x_n, 1), so K[n, m] = x_n . x_m + 1 at any theta
    X = np.array([[1.0, -2.0], [0.5, 3.0], [0.0, 0.0]])
    model = lt.MLP((2, 1), loss="mse")
    K = lt.tangent_kernel(model, [0.3, -0.7, 2.0], X)
    np.testing.assert_allclose(K, [[6.0, -4.5, 1.0], [-4.5, 10.25, 1.0], [1.0, 1.0, 1.0]])


def test_pl_ratio_matches_a_finite_difference_gradient(mse_net):
    model, X, y, theta = mse_net
    h = 1e-6
    g_fd = np.array([(model.loss(theta + h * e, X, y) - model.loss(theta - h * e, X, y))
                     / (2 * h) for e in np.eye(model.n_params)])
    for f_star in (0.0, -0.5):
        expected = g_fd @ g_fd / (2 * (model.loss(theta, X, y) - f_star))
        assert lt.pl_ratio(model, theta, X, y, f_star=f_star) == pytest.approx(expected,
                                                                              rel=1e-6)


def test_pl_ratio_by_hand_on_one_weight_and_one_bias():
    # L = (w + b - 1)^2 on x = 1, y = 1; grad = 2 (w + b - 1) (1, 1): quotient 4 for any theta
    model = lt.MLP((1, 1), loss="mse")
    for theta in ([0.0, 0.0], [2.5, -0.2], [-3.0, 1.0]):
        assert lt.pl_ratio(model, theta, [[1.0]], [1.0]) == pytest.approx(4.0, rel=1e-12)
    # with f_star = L / 2 the quotient doubles
    assert lt.pl_ratio(model, [0.0, 0.0], [[1.0]], [1.0], f_star=0.5) == pytest.approx(8.0)


def test_pl_ratio_of_the_squared_error_is_the_kernel_quotient_and_above_its_bound(mse_net):
    model, X, y, theta = mse_net
    N = len(X)
    for seed in range(3):
        theta = model.init(seed=seed, scale=2.0)
        K = lt.tangent_kernel(model, theta, X)
        r = model.forward(theta, X) - y
        ratio = lt.pl_ratio(model, theta, X, y)
        assert ratio == pytest.approx(2 * (r @ K @ r) / (N * (r @ r)), rel=1e-10)
        lam = np.linalg.eigvalsh(K)
        assert 2 * lam[0] / N <= ratio <= 2 * lam[-1] / N
        assert lam[0] > 0                    # 33 parameters, 12 points: PL* holds here


def test_a_network_narrower_than_the_data_has_a_singular_kernel():
    # P = 9 parameters < N = 12 points: rank K <= 9, so lambda_min(K) = 0
    model, X, _ = lt.course_network(hidden=(2,), n=12, loss="mse")
    lam = np.linalg.eigvalsh(lt.tangent_kernel(model, model.init(seed=0), X))
    assert abs(lam[0]) < 1e-10 * lam[-1] and np.sum(lam > 1e-10 * lam[-1]) <= 9

