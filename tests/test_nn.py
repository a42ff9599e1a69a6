"""Tests of labtools.nn: exact derivatives, training, landscape tools, bad input.

Derivatives are checked against central finite differences in float64; the
optimizers used here are written inline (plain gradient descent and heavy-ball
momentum) so these tests depend on labtools.nn alone.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pytest

import labtools as lt
from labtools import nn


class GD(NamedTuple):
    """x_new = x - lr g."""

    lr: float

    def init(self, x):
        return ()

    def update(self, g, state, x, oracle=None):
        return -self.lr * g, state


class Momentum(NamedTuple):
    """Heavy ball: v = beta v + g, x_new = x - lr v."""

    lr: float
    beta: float = 0.9

    def init(self, x):
        return np.zeros_like(x)

    def update(self, g, state, x, oracle=None):
        v = self.beta * state + g
        return -self.lr * v, v


class OracleProbe(NamedTuple):
    """Gradient descent that records what the oracle it is handed looks like."""

    lr: float
    seen: list

    def init(self, x):
        return 0

    def update(self, g, state, x, oracle):
        self.seen.append((oracle.X.shape, float(oracle.f(x)),
                          np.allclose(oracle.grad(x), g), oracle.hvp(x, g).shape))
        return -self.lr * g, state + 1


ACTS = nn.ACTIVATIONS
LOSS_NAMES = nn.LOSSES


def small_problem(activation="tanh", loss="bce", seed=0):
    X, y = nn.two_moons(n=30, noise=0.2, seed=seed)
    model = nn.MLP((2, 5, 4, 1), activation=activation, loss=loss)
    rng = np.random.default_rng(seed + 100)
    # nonzero biases and weights, so every term of the derivatives is exercised
    theta = model.init(seed=seed) + 0.3 * rng.standard_normal(model.n_params)
    return model, X, y, theta


def fd_grad(model, theta, X, y, eps=1e-6):
    g = np.empty_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = eps
        g[i] = (model.loss(theta + e, X, y) - model.loss(theta - e, X, y)) / (2 * eps)
    return g


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


@pytest.fixture(scope="module")
def trained():
    """The course network (hidden 16) trained to a good minimum, full batch."""
    model, X, y = nn.course_network(hidden=(16,), n=100)
    result = nn.train(model, model.init(seed=1), X, y, Momentum(lr=0.1), steps=300)
    return model, X, y, result


# ---------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [nn.two_moons, nn.xor, nn.spirals])
def test_datasets_shapes_balance_and_seed(make):
    X, y = make(n=101, seed=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.sum() - 50.5) <= 1.5
    X2, y2 = make(n=101, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n=101, seed=4)
    assert not np.allclose(X, X3)


def test_two_moons_without_noise_lies_on_the_half_circles():
    X, y = nn.two_moons(n=40, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)


# ---------------------------------------------------------------------------
# parameters and forward pass
# ---------------------------------------------------------------------------


def test_flatten_unflatten_round_trip_and_layout():
    model = nn.MLP((2, 3, 1))
    theta = np.arange(13.0)
    (W1, b1), (W2, b2) = model.unflatten(theta)
    np.testing.assert_array_equal(W1, [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(b1, [6, 7, 8])
    np.testing.assert_array_equal(W2.ravel(), [9, 10, 11])
    np.testing.assert_array_equal(model.flatten(model.unflatten(theta)), theta)


def test_forward_matches_a_hand_computation():
    model = nn.MLP((2, 2, 1), activation="tanh")
    W1 = np.array([[0.5, -1.0], [2.0, 0.3]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[1.5], [-0.7]])
    b2 = np.array([0.05])
    theta = model.flatten([(W1, b1), (W2, b2)])
    X = np.array([[1.0, 2.0], [-0.5, 0.25]])
    y = np.array([1.0, 0.0])
    z = np.tanh(X @ W1 + b1) @ W2[:, 0] + b2[0]
    np.testing.assert_allclose(model.forward(theta, X), z, rtol=1e-14)
    bce = np.mean(np.log1p(np.exp(z)) - y * z)
    assert model.loss(theta, X, y) == pytest.approx(bce, rel=1e-14)
    mse = nn.MLP((2, 2, 1), activation="tanh", loss="mse")
    assert mse.loss(theta, X, y) == pytest.approx(np.mean((z - y) ** 2), rel=1e-14)


def test_bce_is_stable_for_huge_logits():
    model = nn.MLP((2, 1))
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array([0.0, 1.0])
    theta = np.array([1000.0, 0.0, 0.0])  # logits +-1000, both wrong
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = model.loss(theta, X, y)
        g = model.grad(theta, X, y)
    assert value == pytest.approx(1000.0, rel=1e-12)
    assert np.all(np.isfinite(g))


def test_predictions_and_accuracy():
    model = nn.MLP((2, 1))  # logistic regression on x_1
    theta = np.array([3.0, 0.0, 0.0])
    X = np.array([[1.0, 5.0], [-2.0, 5.0], [0.5, -1.0]])
    np.testing.assert_allclose(model.predict_proba(theta, X), 1 / (1 + np.exp(-3 * X[:, 0])))
    np.testing.assert_array_equal(model.predict(theta, X), [1.0, 0.0, 1.0])
    assert model.accuracy(theta, X, [1.0, 1.0, 1.0]) == pytest.approx(2 / 3)
    mse = nn.MLP((2, 1), loss="mse")
    np.testing.assert_array_equal(mse.predict_proba(theta, X), [1.0, 0.0, 1.0])  # clipped


def test_xor_and_spirals_are_learnable():
    X, y = nn.xor(n=100, seed=0)
    model = nn.MLP((2, 8, 1))
    assert model.accuracy(model.init(seed=0), X, y) < 0.9
    result = nn.train(model, model.init(seed=0), X, y, Momentum(lr=0.1), steps=300)
    assert model.accuracy(result.theta, X, y) > 0.95
    X, y = nn.spirals(n=100, seed=0)
    model = nn.MLP((2, 32, 32, 1))
    result = nn.train(model, model.init(seed=0), X, y, lt.adam(lr=0.02), steps=600)
    assert model.accuracy(result.theta, X, y) > 0.9


def test_glorot_init_bounds_scale_and_seed():
    model = nn.MLP((2, 16, 16, 1))
    theta = model.init(seed=0)
    for (W, b), ((n_in, n_out), _) in zip(model.unflatten(theta), model.shapes, strict=True):
        bound = np.sqrt(6 / (n_in + n_out))
        assert np.all(np.abs(W) <= bound) and np.abs(W).max() > 0.5 * bound
        assert np.all(b == 0)
    np.testing.assert_allclose(model.init(seed=0, scale=3.0), 3.0 * theta)
    np.testing.assert_array_equal(model.init(), model.init(seed=0))
    assert not np.allclose(model.init(seed=1), theta)


# ---------------------------------------------------------------------------
# exact derivatives
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTS)
def test_gradient_matches_central_differences(activation, loss):
    model, X, y, theta = small_problem(activation, loss)
    g = model.grad(theta, X, y)
    assert rel_err(g, fd_grad(model, theta, X, y)) < 1e-6
    value, g2 = model.loss_and_grad(theta, X, y)
    assert value == model.loss(theta, X, y)
    np.testing.assert_array_equal(g, g2)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTS)
def test_hvp_matches_differences_of_the_gradient(activation, loss):
    model, X, y, theta = small_problem(activation, loss)
    rng = np.random.default_rng(7)
    for v in rng.standard_normal((3, model.n_params)):
        eps = 1e-5
        fd = (model.grad(theta + eps * v, X, y) - model.grad(theta - eps * v, X, y)) / (2 * eps)
        assert rel_err(model.hvp(theta, v, X, y), fd) < 1e-6


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus"])
def test_dense_hessian_is_symmetric_and_matches_stacked_hvp(activation):
    model, X, y, theta = small_problem(activation)
    raw = model.hvp(theta, np.eye(model.n_params), X, y)  # rows H e_j, not symmetrized
    scale = np.abs(raw).max()
    assert np.abs(raw - raw.T).max() < 1e-12 * scale
    H = model.hessian(theta, X, y)
    np.testing.assert_allclose(H, raw, atol=1e-13 * scale)
    np.testing.assert_allclose(model.hessian(theta, X, y, chunk=3), H, atol=1e-13 * scale)
    v = np.random.default_rng(0).standard_normal(model.n_params)
    np.testing.assert_allclose(model.hvp(theta, v, X, y), H @ v, atol=1e-12 * scale)


def test_hessian_has_a_negative_eigenvalue_at_initialisation():
    # the landscape is not convex: near theta = 0 the Hessian is indefinite
    model, X, y = nn.course_network(hidden=(4,), n=50)
    H = model.hessian(model.init(scale=0.1), X, y)
    ev = np.linalg.eigvalsh(H)
    assert ev[0] < -1e-4 < 1e-4 < ev[-1]


def test_batched_evaluation_matches_single_points():
    model, X, y, theta = small_problem()
    thetas = np.stack([theta, 0.5 * theta, -theta])
    np.testing.assert_allclose(model.loss(thetas, X, y),
                               [model.loss(t, X, y) for t in thetas], rtol=1e-15)
    np.testing.assert_allclose(model.grad(thetas, X, y),
                               [model.grad(t, X, y) for t in thetas], rtol=1e-15)
    V = np.random.default_rng(1).standard_normal((4, model.n_params))
    np.testing.assert_allclose(model.hvp(theta, V, X, y),
                               [model.hvp(theta, v, X, y) for v in V], rtol=1e-12, atol=1e-14)


def test_landscape_adapter_matches_the_model():
    model, X, y, theta = small_problem()
    land = model.as_landscape(X, y)
    assert land.dim == model.n_params and land.minimizers is None and land.global_min is None
    assert len(land.window) == land.dim and isinstance(land.name, str)
    assert land.f(theta) == model.loss(theta, X, y)
    np.testing.assert_array_equal(land.grad(theta), model.grad(theta, X, y))
    v = np.ones(model.n_params)
    np.testing.assert_allclose(land.hvp(theta, v), model.hvp(theta, v, X, y))
    np.testing.assert_allclose(land.hess(theta), model.hessian(theta, X, y))
    batch = np.stack([theta, 2 * theta])
    assert land.f(batch).shape == (2,)
    assert land.grad(batch).shape == (2, model.n_params)
    assert land.hvp(batch, batch).shape == (2, model.n_params)
    assert land.hess(batch).shape == (2, model.n_params, model.n_params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(land.f(np.full(model.n_params, np.inf)))
        assert np.all(np.isnan(land.grad(np.full(model.n_params, np.nan))))
    with pytest.raises(ValueError, match="grid.*loss_surface_2d"):
        land.grid()


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------


def test_full_batch_training_fits_two_moons():
    model, X, y = nn.course_network()
    result = nn.train(model, model.init(seed=0), X, y, Momentum(lr=0.1), steps=400)
    assert result.status == "max_steps" and result.diverged_at is None
    assert result.steps_taken == 400
    assert result.losses.shape == (401,) and result.thetas.shape == (401, model.n_params)
    assert result.losses[-1] < 0.05 * result.losses[0]
    assert model.accuracy(result.theta, X, y) > 0.95
    np.testing.assert_allclose(result.batch_losses, result.losses[:-1], rtol=1e-15)
    assert result.losses[-1] == pytest.approx(model.loss(result.theta, X, y), rel=1e-15)


def test_train_passes_the_batch_landscape_to_the_optimizer():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    probe = OracleProbe(lr=0.5, seen=[])
    result = nn.train(model, model.init(), X, y, probe, steps=5, batch_size=10)
    assert result.steps_taken == 5 and len(probe.seen) == 5
    for (shape, value, same_grad, hvp_shape), batch_loss in zip(
            probe.seen, result.batch_losses, strict=True):
        assert shape == (10, 2) and same_grad and hvp_shape == (model.n_params,)
        assert value == batch_loss


def test_full_batch_training_stops_when_converged():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    result = nn.train(model, model.init(), X, y, Momentum(lr=0.1), steps=5000, tol=1e-3)
    assert result.status == "converged" and result.steps_taken < 5000
    assert np.linalg.norm(model.grad(result.theta, X, y)) < 1e-3
    assert result.message.startswith("converged after")


def test_minibatch_training_is_reproducible_and_reduces_the_loss():
    model, X, y = nn.course_network(hidden=(8,), n=100)
    theta0 = model.init(seed=0)
    r1 = nn.train(model, theta0, X, y, GD(lr=0.5), steps=200, batch_size=16, seed=3)
    r2 = nn.train(model, theta0, X, y, GD(lr=0.5), steps=200, batch_size=16, seed=3)
    r3 = nn.train(model, theta0, X, y, GD(lr=0.5), steps=200, batch_size=16, seed=4)
    np.testing.assert_array_equal(r1.theta, r2.theta)
    np.testing.assert_array_equal(r1.batch_losses, r2.batch_losses)
    assert not np.allclose(r1.theta, r3.theta)
    assert r1.batch_losses.shape == (200,) and r1.losses.shape == (201,)
    assert r1.losses[-1] < 0.5 * r1.losses[0]
    # mini-batch losses differ from the full-batch loss at the same point
    assert not np.allclose(r1.batch_losses, r1.losses[:-1])


def test_diverging_run_reports_the_step_without_warnings():
    model, X, y = nn.course_network(hidden=(8,), n=50, loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = nn.train(model, model.init(scale=3.0), X, y, GD(lr=50.0), steps=200)
    assert result.status == "diverged"
    assert 0 < result.diverged_at <= 200
    assert result.message.startswith(f"diverged at step {result.diverged_at}")
    assert np.all(np.isfinite(result.losses)) and np.all(np.isfinite(result.theta))
    assert result.losses.shape == (result.steps_taken + 1,)


def test_course_optimizers_train_the_network_through_run_and_train():
    model, X, y = nn.course_network()
    land = model.as_landscape(X, y)
    trace = lt.run(land, lt.adam(lr=0.01), x0=model.init(seed=0), steps=300)
    assert trace.status == "max_steps" and trace.values[-1] < 0.05
    assert model.accuracy(trace.x_final, X, y) > 0.95
    result = nn.train(model, model.init(seed=0), X, y, lt.adam(lr=0.01), steps=300)
    np.testing.assert_allclose(result.thetas, trace.xs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.losses, trace.values, rtol=1e-12)
    np.testing.assert_array_equal(result.lrs, trace.lrs)
    sched = nn.train(model, model.init(), X, y, lt.gd(lr=lt.step_decay(0.5, drop=0.1, every=5)),
                     steps=10, batch_size=50)
    np.testing.assert_allclose(sched.lrs, [0.5] * 5 + [0.05] * 5)


def test_second_order_optimizers_see_the_network_hessian():
    model, X, y = nn.course_network(hidden=(3,), n=40)
    result = nn.train(model, model.init(seed=0), X, y, Momentum(lr=0.1), steps=100)
    # one damped Newton step is -lr H^{-1} g with the dense network Hessian
    theta = result.theta
    g, H = model.grad(theta, X, y), model.hessian(theta, X, y)
    assert np.linalg.cond(H) < 1e6
    step = lt.run(model.as_landscape(X, y), lt.damped_newton(lr=0.5), x0=theta, steps=1)
    np.testing.assert_allclose(step.xs[1], theta - 0.5 * np.linalg.solve(H, g), rtol=1e-8)


def test_max_norm_stops_a_run_whose_loss_stays_finite():
    # tanh saturates, so the bce loss stays finite while the weights run away
    model, X, y = nn.course_network(hidden=(4,), n=40)
    result = nn.train(model, model.init(), X, y, GD(lr=1e4), steps=50, max_norm=1e3)
    assert result.status == "diverged"
    assert "exceeded max_norm" in result.message
    assert np.linalg.norm(result.theta) <= 1e3


def _full_grad_norms(model, thetas, X, y):
    return np.array([np.linalg.norm(model.grad(t, X, y)) for t in thetas])


@pytest.mark.parametrize("batch_size", [None, 8])
def test_every_train_result_follows_the_trace_rules(batch_size):
    # one loss and one full-gradient norm per recorded theta, whatever the outcome
    model, X, y = nn.course_network(hidden=(4,), n=40)
    finished = nn.train(model, model.init(), X, y, lt.gd(lr=0.5), steps=20,
                        batch_size=batch_size)
    converged = nn.train(model, model.init(), X, y, lt.gd(lr=0.5), steps=5000,
                         batch_size=batch_size, tol=0.05)
    diverged = nn.train(model, model.init(), X, y, lt.gd(lr=1e4), steps=50,
                        batch_size=batch_size, max_norm=1e3)
    assert (finished.status, converged.status, diverged.status) == (
        "max_steps", "converged", "diverged")
    for r in (finished, converged, diverged):
        k = r.steps_taken
        assert r.losses.shape == r.grad_norms.shape == (k + 1,)
        assert r.lrs.shape == r.batch_losses.shape == (k,)
        assert r.thetas.shape == (k + 1, model.n_params)
        np.testing.assert_allclose(r.grad_norms, _full_grad_norms(model, r.thetas, X, y),
                                   rtol=1e-12)
    assert converged.grad_norms[-1] < 0.05 <= converged.grad_norms[:-1].min()
    assert diverged.diverged_at == diverged.steps_taken + 1


def test_train_and_run_report_divergence_alike():
    # the same loop: same status, step, reason and hint for the full-batch loss
    model, X, y = nn.course_network(hidden=(4,), n=40)
    opt = lt.gd(lr=1e4)
    result = nn.train(model, model.init(), X, y, opt, steps=50, max_norm=1e3)
    trace = lt.run(model.as_landscape(X, y), opt, x0=model.init(), steps=50, tol=0,
                   max_norm=1e3)
    assert (result.status, result.diverged_at) == (trace.status, trace.diverged_at)
    assert result.reason == trace.reason.replace("|x|", "|theta|")
    assert result.message.endswith("; try a smaller lr)")
    np.testing.assert_array_equal(result.grad_norms, trace.grad_norms)


def test_a_start_with_a_non_finite_loss_diverges_at_step_0():
    model, X, y = nn.course_network(hidden=(3,), n=20, loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = nn.train(model, np.full(model.n_params, 1e200), X, y, lt.gd(lr=0.1), steps=3)
    assert (r.status, r.diverged_at, r.steps_taken) == ("diverged", 0, 0)
    assert r.message == "diverged at step 0 (f or its gradient is not finite at theta0)"
    assert r.losses.shape == r.grad_norms.shape == (1,) and r.lrs.shape == (0,)


def test_try_a_smaller_lr_only_when_a_run_with_an_lr_diverged():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    ok = nn.train(model, model.init(), X, y, lt.gd(lr=0.5), steps=10)
    assert ok.reason == "" and "smaller lr" not in ok.message
    no_lr = nn.train(model, model.init(), X, y, GD(lr=1e4), steps=50, max_norm=1e3)
    assert no_lr.status == "diverged" and "smaller lr" not in no_lr.message
    with_lr = nn.train(model, model.init(), X, y, lt.gd(lr=1e4), steps=50, max_norm=1e3)
    assert with_lr.message.endswith("try a smaller lr)")


def test_minibatch_steps_descend_the_batch_but_record_the_full_loss():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    probe = OracleProbe(lr=0.5, seen=[])
    r = nn.train(model, model.init(), X, y, probe, steps=4, batch_size=10, seed=1)
    np.testing.assert_allclose(r.losses, [model.loss(t, X, y) for t in r.thetas], rtol=1e-14)
    assert [v for _, v, _, _ in probe.seen] == r.batch_losses.tolist()
    # the batches of one epoch are disjoint: their losses are 4 different numbers
    assert len(set(r.batch_losses.tolist())) == 4


def test_a_batch_of_every_point_is_the_full_batch():
    # one pass per step, not a second over reordered data: the same numbers to the bit
    model, X, y = nn.course_network(hidden=(4,), n=40)
    full = nn.train(model, model.init(), X, y, GD(lr=0.5), steps=20)
    every = nn.train(model, model.init(), X, y, GD(lr=0.5), steps=20, batch_size=40, seed=3)
    assert np.array_equal(every.thetas, full.thetas)
    assert np.array_equal(every.batch_losses, full.losses[:-1])


def test_train_accepts_keep_path_false():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    result = nn.train(model, model.init(), X, y, GD(lr=0.5), steps=10, keep_path=False)
    assert result.thetas is None and result.losses.shape == (11,)


# ---------------------------------------------------------------------------
# landscape tools
# ---------------------------------------------------------------------------


def test_permutation_keeps_the_loss_and_changes_theta(trained):
    model, X, y, result = trained
    theta = result.theta
    perm = np.roll(np.arange(16), 5)
    swapped = nn.permute_hidden_units(model, theta, 0, perm)
    assert not np.allclose(swapped, theta)
    assert abs(model.loss(swapped, X, y) - model.loss(theta, X, y)) < 1e-12
    np.testing.assert_allclose(model.forward(swapped, X), model.forward(theta, X), atol=1e-12)
    # the midpoint of two equivalent minima is not a minimum: non-convexity
    middle = 0.5 * (theta + swapped)
    assert model.loss(middle, X, y) > model.loss(theta, X, y) + 0.1


def test_permutation_of_a_deeper_layer():
    model, X, y, theta = small_problem()
    swapped = nn.permute_hidden_units(model, theta, 1, [3, 2, 1, 0])
    assert not np.allclose(swapped, theta)
    assert abs(model.loss(swapped, X, y) - model.loss(theta, X, y)) < 1e-12
    back = nn.permute_hidden_units(model, swapped, 1, [3, 2, 1, 0])
    np.testing.assert_array_equal(back, theta)


def test_interpolation_endpoints_are_the_end_losses(trained):
    model, X, y, result = trained
    a, b = result.thetas[0], result.theta
    alphas, losses = nn.interpolate_loss(model, a, b, X, y, n=11)
    assert alphas[0] == 0.0 and alphas[-1] == 1.0 and losses.shape == (11,)
    assert losses[0] == pytest.approx(model.loss(a, X, y), rel=1e-14)
    assert losses[-1] == pytest.approx(model.loss(b, X, y), rel=1e-14)
    alphas, _ = nn.interpolate_loss(model, a, b, X, y, n=5, span=(-0.5, 1.5))
    np.testing.assert_allclose(alphas, [-0.5, 0, 0.5, 1, 1.5])


@pytest.mark.parametrize("include_bias", [False, True])
def test_filter_normalized_directions_have_the_block_norms(include_bias):
    model, X, y, theta = small_problem()
    d = nn.random_direction(model, theta, seed=2, include_bias=include_bias)
    for (Wd, bd), (Wt, bt) in zip(model.unflatten(d), model.unflatten(theta), strict=True):
        if include_bias:
            np.testing.assert_allclose(np.sqrt((Wd ** 2).sum(0) + bd ** 2),
                                       np.sqrt((Wt ** 2).sum(0) + bt ** 2), rtol=1e-12)
        else:
            np.testing.assert_allclose(np.linalg.norm(Wd, axis=0),
                                       np.linalg.norm(Wt, axis=0), rtol=1e-12)
            assert np.all(bd == 0)
    layer = nn.random_direction(model, theta, seed=2, normalize="layer")
    for (Wd, _), (Wt, _) in zip(model.unflatten(layer), model.unflatten(theta), strict=True):
        assert np.linalg.norm(Wd) == pytest.approx(np.linalg.norm(Wt), rel=1e-12)
    d1, d2 = nn.random_directions(model, theta, k=2, seed=2)
    assert not np.allclose(d1, d2)
    np.testing.assert_array_equal(nn.random_directions(model, theta, k=2, seed=2)[1], d2)


def test_loss_surface_2d_centre_and_axes():
    model, X, y, theta = small_problem()
    d1, d2 = nn.random_directions(model, theta, seed=0)
    A, B, Z = nn.loss_surface_2d(model, theta, d1, d2, X, y, span=0.5, n=5)
    assert A.shape == B.shape == Z.shape == (5, 5)
    assert Z[2, 2] == pytest.approx(model.loss(theta, X, y), rel=1e-14)
    assert Z[2, 4] == pytest.approx(model.loss(theta + 0.5 * d1, X, y), rel=1e-14)
    assert Z[0, 2] == pytest.approx(model.loss(theta - 0.5 * d2, X, y), rel=1e-14)
    A, B, _ = nn.loss_surface_2d(model, theta, d1, d2, X, y, span=((0, 1), (-2, 0)), n=3)
    np.testing.assert_allclose(A[0], [0, 0.5, 1])
    np.testing.assert_allclose(B[:, 0], [-2, -1, 0])


def test_pca_directions_of_a_training_path(trained):
    model, X, y, result = trained
    pca = nn.pca_directions(result.thetas)
    D = pca.directions
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    r = pca.explained_variance_ratio
    assert 1.0 >= r[0] >= r[1] >= 0 and r.sum() <= 1 + 1e-12
    assert r.sum() > 0.5  # a smooth training path is nearly planar
    np.testing.assert_allclose(pca.origin, result.theta)
    np.testing.assert_allclose(pca.coords, (result.thetas - result.theta) @ D.T, atol=1e-12)
    np.testing.assert_allclose(pca.coords[-1], 0, atol=1e-12)


def test_pca_directions_recover_a_planar_path_exactly():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((10, 2)))[0].T
    coeffs = np.column_stack([np.linspace(-3, 0, 20), np.sin(np.linspace(0, 3, 20))])
    coeffs[-1] = 0.0
    path = coeffs @ basis + 1.0
    pca = nn.pca_directions(path)
    assert pca.explained_variance_ratio.sum() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(pca.coords @ pca.directions + pca.origin, path, atol=1e-12)


def test_sharpness_matches_the_dense_hessian(trained):
    model, X, y, result = trained
    theta = result.theta
    top = np.linalg.eigvalsh(model.hessian(theta, X, y))[-1]
    assert nn.sharpness(model, theta, X, y) == pytest.approx(top, rel=1e-8)
    lam, vec = nn.sharpness(model, theta, X, y, return_vector=True)
    np.testing.assert_allclose(model.hvp(theta, vec, X, y), lam * vec, atol=1e-6 * lam)
    power = nn.sharpness(model, theta, X, y, method="power", iters=2000, tol=1e-8)
    assert power == pytest.approx(top, rel=1e-5)
    # and agrees with the course's general-purpose Lanczos in labtools.curvature
    values, _ = lt.lanczos(lambda v: model.hvp(theta, v, X, y), model.n_params, k=40, seed=1)
    assert values[-1] == pytest.approx(top, rel=1e-8)


def test_sharpness_is_the_top_not_the_largest_magnitude_eigenvalue(trained):
    # with the labels flipped, a trained network sits where the most negative
    # eigenvalue dominates: Lanczos still returns the top one, power iteration
    # (as documented) returns the one of largest magnitude
    model, X, y, result = trained
    ev = np.linalg.eigvalsh(model.hessian(result.theta, X, 1 - y))
    assert -ev[0] > ev[-1] > 0
    assert nn.sharpness(model, result.theta, X, 1 - y) == pytest.approx(ev[-1], rel=1e-8)
    power = nn.sharpness(model, result.theta, X, 1 - y, method="power", iters=3000)
    assert power == pytest.approx(ev[0], rel=1e-5)


def test_sharpness_warns_when_it_runs_out_of_iterations(trained):
    model, X, y, result = trained
    with pytest.warns(UserWarning, match="lanczos did not reach tol=1e-10 in iters=2"):
        nn.sharpness(model, result.theta, X, y, iters=2)
    with pytest.warns(UserWarning, match="power did not reach.*use method='lanczos'"):
        nn.sharpness(model, result.theta, X, y, method="power", iters=2)


def test_hutchinson_trace_is_close_to_the_trace(trained):
    model, X, y, result = trained
    exact = np.trace(model.hessian(result.theta, X, y))
    est, se = nn.hessian_trace(model, result.theta, X, y, n_samples=400, seed=0,
                               return_stderr=True)
    assert abs(est - exact) < 5 * se
    assert se < 0.2 * abs(exact)


def test_sam_step_matches_its_formula(trained):
    model, X, y, result = trained
    theta = result.thetas[20]
    lr, rho = 0.3, 0.05
    g = model.grad(theta, X, y)
    expected = theta - lr * model.grad(theta + rho * g / np.linalg.norm(g), X, y)
    np.testing.assert_allclose(nn.sam_step(model, theta, X, y, lr=lr, rho=rho), expected,
                               rtol=1e-14, atol=1e-15)
    plain = theta - lr * g
    np.testing.assert_allclose(nn.sam_step(model, theta, X, y, lr=lr, rho=0.0), plain)


def test_sam_optimizer_repeats_sam_step(trained):
    model, X, y, result = trained
    theta = result.thetas[0]
    run = nn.train(model, theta, X, y, lt.sam(lr=0.2, rho=0.05), steps=3)
    manual = theta
    for _ in range(3):
        manual = nn.sam_step(model, manual, X, y, lr=0.2, rho=0.05)
    np.testing.assert_allclose(run.theta, manual, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(run.lrs, [0.2, 0.2, 0.2])
    # through lt.run as well: the same three points
    trace = lt.run(model.as_landscape(X, y), lt.sam(lr=0.2, rho=0.05), x0=theta, steps=3)
    np.testing.assert_allclose(trace.xs, run.thetas, rtol=1e-13, atol=1e-15)


def test_sam_with_momentum_matches_its_recursion(trained):
    model, X, y, result = trained
    theta = result.thetas[0]
    run = nn.train(model, theta, X, y, lt.sam(lr=0.1, rho=0.05, beta=0.9), steps=3)
    x, v = theta, np.zeros_like(theta)
    for _ in range(3):
        g = model.grad(x, X, y)
        v = 0.9 * v + model.grad(x + 0.05 * g / np.linalg.norm(g), X, y)
        x = x - 0.1 * v
    np.testing.assert_allclose(run.theta, x, rtol=1e-12, atol=1e-15)


def test_sam_is_an_optimizer_of_labtools_optim():
    from labtools.optim import sharpness_aware as sam_module

    assert lt.sam is lt.optim.sam is sam_module.sam and lt.scale_by_sam is lt.optim.scale_by_sam
    assert {"sam", "scale_by_sam"} <= set(lt.optim.__all__)
    assert not {"sam", "scale_by_sam"} & set(nn.__all__)
    # SAM on a plain landscape, batched starts included (the perturbation is per row)
    f = lt.landscape("quadratic", kappa=4.0)
    x = np.array([[1.0, 1.0], [0.0, 0.0]])
    step, _ = lt.sam(lr=0.1, rho=0.05).update(f.grad(x), lt.sam(lr=0.1).init(x), x, f)
    g = f.grad(x[0])
    np.testing.assert_allclose(step[0], -0.1 * f.grad(x[0] + 0.05 * g / np.linalg.norm(g)))
    np.testing.assert_array_equal(step[1], [0.0, 0.0])


def test_scale_by_sam_needs_an_oracle():
    piece = lt.scale_by_sam(0.05)
    with pytest.raises(TypeError, match="scale_by_sam needs the landscape as oracle"):
        piece.update(np.ones(3), piece.init(np.zeros(3)), np.zeros(3), None)


def test_bezier_path_lowers_the_barrier_between_two_solutions():
    model, X, y = nn.course_network(hidden=(8,), n=100)
    a = nn.train(model, model.init(seed=1), X, y, Momentum(lr=0.1), steps=300).theta
    b = nn.train(model, model.init(seed=2), X, y, Momentum(lr=0.1), steps=300).theta
    curve = nn.bezier_curve_fit(model, a, b, X, y, steps=200, lr=0.5, seed=0)
    np.testing.assert_allclose(curve.point(0.0), a)
    np.testing.assert_allclose(curve.point(1.0), b)
    np.testing.assert_allclose(curve.point(0.5), 0.25 * a + 0.5 * curve.middle + 0.25 * b)
    assert curve.point([0.0, 0.5, 1.0]).shape == (3, model.n_params)
    ts, along_curve = curve.loss_along_curve(21)
    _, along_line = curve.loss_along_line(21)
    assert along_curve[0] == pytest.approx(along_line[0], rel=1e-14)
    assert along_curve.max() < along_line.max()
    curve_barrier, line_barrier = curve.barrier(21)
    assert line_barrier > 0.2 and curve_barrier < 0.5 * line_barrier
    assert curve.history.shape == curve.grad_norms.shape == (201,)
    assert curve.status == "max_steps" and curve.steps_taken == 200
    assert curve.message.startswith("ran 200 steps")


def test_a_diverging_bezier_fit_returns_a_status_instead_of_raising():
    model, X, y = nn.course_network(hidden=(4,), n=40)
    a, b = model.init(seed=0), model.init(seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curve = nn.bezier_curve_fit(model, a, b, X, y, steps=50, lr=1e3, seed=0, max_norm=100.0)
    assert curve.status == "diverged" and curve.diverged_at == curve.steps_taken + 1
    assert curve.history.shape == curve.grad_norms.shape == (curve.steps_taken + 1,)
    assert np.all(np.isfinite(curve.middle)) and np.linalg.norm(curve.middle) <= 100.0
    assert curve.message == (f"diverged at step {curve.diverged_at} (|middle| = "
                             f"{curve.reason.split(' = ')[1].split(' ')[0]} exceeded "
                             "max_norm = 100; try a smaller lr)")
    # an optimizer without a learning rate diverges without the lr hint
    no_lr = nn.bezier_curve_fit(model, a, b, X, y, steps=50, seed=0, optimizer=GD(1e3),
                                max_norm=100.0)
    assert no_lr.status == "diverged" and "smaller lr" not in no_lr.message


def test_docstring_examples_run():
    import doctest
    import importlib
    import pkgutil

    tried = 0
    for info in pkgutil.iter_modules(nn.__path__):
        module = importlib.import_module(f"labtools.nn.{info.name}")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__
        tried += result.attempted
    assert tried > 40


def test_course_network_sizes():
    model, X, y = nn.course_network()
    assert model.sizes == (2, 16, 16, 1) and X.shape == (200, 2)
    assert nn.course_network(hidden=(64, 64))[0].n_params > 4000
    np.testing.assert_array_equal(X, nn.course_network()[1])


# ---------------------------------------------------------------------------
# bad input: every message names the parameter, the value and what is allowed
# ---------------------------------------------------------------------------


def _model():
    return nn.MLP((2, 3, 1))


def _data():
    return nn.two_moons(n=10)


BAD_INPUTS = [
    ("sizes too short", lambda: nn.MLP((2,)), ValueError, r"sizes must list at least.*\(2,\)"),
    ("zero width", lambda: nn.MLP((2, 0, 1)), ValueError, r"sizes must contain positive"),
    ("output width", lambda: nn.MLP((2, 4, 3)), ValueError, r"sizes must end with 1.*\(2, 4, 3\)"),
    ("sizes string", lambda: nn.MLP("2,4,1"), TypeError, r"sizes must be a sequence"),
    ("activation", lambda: nn.MLP(activation="sigmod"), ValueError,
     r"activation must be one of 'tanh'.*'sigmod'"),
    ("loss", lambda: nn.MLP(loss="hinge"), ValueError,
     r"loss must be one of 'bce', 'mse'.*'hinge'"),
    ("theta length", lambda: _model().loss(np.zeros(12), *_data()), ValueError,
     r"theta must have shape \(13,\).*got shape \(12,\)"),
    ("theta nan", lambda: _model().grad(np.full(13, np.nan), *_data()), ValueError,
     r"theta must contain only finite"),
    ("v length", lambda: _model().hvp(np.zeros(13), np.zeros(5), *_data()), ValueError,
     r"v must have shape \(13,\) or \(k, 13\)"),
    ("X features", lambda: _model().loss(np.zeros(13), np.zeros((10, 3)), np.zeros(10)),
     ValueError, r"X must have shape \(n, 2\).*got shape \(10, 3\)"),
    ("X/y mismatch", lambda: _model().loss(np.zeros(13), np.zeros((10, 2)), np.zeros(9)),
     ValueError, r"y must have shape \(10,\).*got shape \(9,\)"),
    ("X nan", lambda: _model().loss(np.zeros(13), np.full((4, 2), np.nan), np.zeros(4)),
     ValueError, r"X must contain only finite"),
    ("y inf", lambda: _model().loss(np.zeros(13), np.zeros((2, 2)), [0.0, np.inf]),
     ValueError, r"y must contain only finite"),
    ("bce labels", lambda: _model().loss(np.zeros(13), np.zeros((2, 2)), [0.0, 2.0]),
     ValueError, r"y must hold labels in \[0, 1\].*to 2"),
    ("X text", lambda: _model().loss(np.zeros(13), "abc", [0.0]), TypeError,
     r"X must be an array of numbers"),
    ("n zero", lambda: nn.two_moons(n=0), ValueError, r"n must be a whole number.*got 0"),
    ("n float", lambda: nn.spirals(n=10.5), ValueError, r"n must be a whole number.*10.5"),
    ("noise", lambda: nn.xor(noise=-1), ValueError, r"noise must be zero or positive, got -1"),
    ("seed", lambda: nn.two_moons(seed=-3), ValueError,
     r"seed must be a whole number >= 0 or None, got -3"),
    ("seed text", lambda: nn.xor(seed="1"), TypeError,
     r"seed must be a whole number >= 0 or None, got '1'"),
    ("flatten ints", lambda: _model().flatten([1, 2]), TypeError,
     r"params\[0\] must be a pair \(W, b\) of arrays with shapes \(2, 3\) and \(3,\), got 1"),
    ("flatten text", lambda: _model().flatten([("ab", "cd"), (np.zeros((3, 1)), np.zeros(1))]),
     TypeError, r"params\[0\] must be an array of numbers, got 'ab'"),
    ("flatten shapes", lambda: _model().flatten([(np.zeros((3, 2)), np.zeros(3)),
                                                 (np.zeros((3, 1)), np.zeros(1))]),
     ValueError, r"params\[0\] must be \(W, b\) with shapes \(2, 3\) and \(3,\), got \(3, 2\)"),
    ("return_stderr", lambda: nn.hessian_trace(_model(), np.zeros(13), *_data(),
                                               return_stderr="yes"),
     TypeError, r"return_stderr must be True or False, got 'yes'"),
    ("stderr of one sample", lambda: nn.hessian_trace(_model(), np.zeros(13), *_data(),
                                                      n_samples=1, return_stderr=True),
     ValueError, r"n_samples must be at least 2, got 1"),
    ("too many points", lambda: nn.two_moons(n=10**8), ValueError,
     r"n must be at most 10000000, got 100000000"),
    ("spiral turns", lambda: nn.spirals(turns=1e308), ValueError,
     r"turns must be at most 1000.0, got 1e\+308"),
    ("network too big", lambda: nn.MLP((2, 10**6, 10**6, 1)), ValueError,
     r"sizes must give a network of at most 10000000 parameters.*1000005000001 parameters"),
    ("init scale", lambda: _model().init(scale=1e308), ValueError,
     r"scale must be at most 1000000.0, got 1e\+308"),
    ("interp n huge", lambda: nn.interpolate_loss(_model(), np.zeros(13), np.ones(13),
                                                  *_data(), n=10**12),
     ValueError, r"n must be at most 100000, got 1000000000000"),
    ("surface n huge", lambda: nn.loss_surface_2d(_model(), np.zeros(13), np.ones(13),
                                                  np.ones(13), *_data(), n=10**6),
     ValueError, r"n must be at most 1000, got 1000000"),
    ("directions k huge", lambda: nn.random_directions(_model(), np.ones(13), k=10**12),
     ValueError, r"k must be at most 100000"),
    ("probes huge", lambda: nn.hessian_trace(_model(), np.zeros(13), *_data(),
                                             n_samples=10**12),
     ValueError, r"n_samples must be at most 100000"),
    ("bezier n_t huge", lambda: nn.bezier_curve_fit(_model(), np.zeros(13), np.ones(13),
                                                    *_data(), n_t=10**12),
     ValueError, r"n_t must be at most 100000"),
    ("steps huge", lambda: nn.train(_model(), np.zeros(13), *_data(), GD(0.1), steps=1e308),
     ValueError, r"steps must be at most 10000000, got 1e\+308"),
    ("path too long", lambda: nn.train(nn.MLP((2, 1000, 1)), np.zeros(4001), *_data(), GD(0.1),
                                       steps=10**6),
     ValueError, r"steps must be at most 24992 with keep_path=True for this network \(4001 "
                 r"parameters.*got 1000000; pass keep_path=False"),
    ("bezier steps huge", lambda: nn.bezier_curve_fit(_model(), np.zeros(13), np.ones(13),
                                                      *_data(), steps=10**20),
     ValueError, r"steps must be at most 10000000"),
    ("keep_path", lambda: nn.train(_model(), np.zeros(13), *_data(), GD(0.1), steps=1,
                                   keep_path="no"),
     TypeError, r"keep_path must be True or False, got 'no'"),
    ("bezier max_norm", lambda: nn.bezier_curve_fit(_model(), np.zeros(13), np.ones(13),
                                                    *_data(), max_norm=0),
     ValueError, r"max_norm must be positive, got 0"),
    ("scale", lambda: _model().init(scale=-1.0), ValueError, r"scale must be zero or positive"),
    ("perm not a permutation", lambda: nn.permute_hidden_units(_model(), np.zeros(13), 0,
                                                               [0, 0, 1]),
     ValueError, r"perm must be a permutation of 0..2.*\[0, 0, 1\]"),
    ("perm length", lambda: nn.permute_hidden_units(_model(), np.zeros(13), 0, [1, 0]),
     ValueError, r"perm must be a permutation of 0..2 \(hidden layer 0 has 3 units\)"),
    ("layer index", lambda: nn.permute_hidden_units(_model(), np.zeros(13), 1, [0, 1, 2]),
     ValueError, r"layer must be a hidden layer index from 0 to 0.*got 1"),
    ("batch_size", lambda: nn.train(_model(), np.zeros(13), *_data(), GD(0.1), steps=1,
                                    batch_size=11),
     ValueError, r"batch_size must be a whole number from 1 to the number of points \(10\)"),
    ("optimizer", lambda: nn.train(_model(), np.zeros(13), *_data(), "adam"), TypeError,
     r"optimizer must be an optimizer object.*'adam'"),
    ("optimizer function", lambda: nn.train(_model(), np.zeros(13), *_data(), lt.adam),
     TypeError, r"got the function adam; call it with its hyperparameters, e.g. adam\(lr=0.1\)"),
    ("tol negative", lambda: nn.train(_model(), np.zeros(13), *_data(), GD(0.1),
                                      batch_size=5, tol=-1e-3),
     ValueError, r"tol must be zero or positive, got -0.001"),
    ("steps", lambda: nn.train(_model(), np.zeros(13), *_data(), GD(0.1), steps=-1),
     ValueError, r"steps must be at least 0, got -1"),
    ("interp n", lambda: nn.interpolate_loss(_model(), np.zeros(13), np.ones(13), *_data(),
                                             n=1),
     ValueError, r"n must be at least 2, got 1"),
    ("span", lambda: nn.loss_surface_2d(_model(), np.zeros(13), np.ones(13), np.ones(13),
                                        *_data(), span=-1.0),
     ValueError, r"span must be positive, got -1.0"),
    ("normalize", lambda: nn.random_direction(_model(), np.zeros(13), normalize="unit"),
     ValueError, r"normalize must be one of 'filter', 'layer', 'none'; got 'unit'"),
    ("pca shape", lambda: nn.pca_directions(np.zeros(5)), ValueError,
     r"thetas must have shape \(T, P\).*got shape \(5,\)"),
    ("sharpness method", lambda: nn.sharpness(_model(), np.zeros(13), *_data(),
                                              method="qr"),
     ValueError, r"method must be one of 'lanczos', 'power'; got 'qr'"),
    ("sam lr", lambda: nn.sam_step(_model(), np.zeros(13), *_data(), lr=0.0, rho=0.1),
     ValueError, r"lr must be positive, got 0.0"),
    ("sam beta", lambda: lt.sam(lr=0.1, beta=1.0), ValueError,
     r"beta must be in \[0, 1\), got 1.0"),
    ("sam rho", lambda: lt.sam(lr=0.1, rho=-0.5), ValueError,
     r"rho must be zero or positive, got -0.5"),
    ("hidden", lambda: nn.course_network(hidden=(16, 0)), ValueError,
     r"hidden must contain positive whole numbers.*\(16, 0\)"),
    ("model", lambda: nn.interpolate_loss("net", np.zeros(13), np.zeros(13), *_data()),
     TypeError, r"model must be an MLP, got 'net'"),
    ("dense hessian too big", lambda: nn.MLP((2, 200, 100, 1)).hessian(
        np.zeros(20801), *_data()), ValueError,
     r"hessian: a dense Hessian of this network \(20801 parameters\).*Use hvp"),
    ("include_bias", lambda: nn.random_directions(_model(), np.zeros(13), include_bias="no"),
     TypeError, r"include_bias must be True or False, got 'no'"),
    ("hutchinson samples", lambda: nn.hessian_trace(_model(), np.zeros(13), *_data(),
                                                    n_samples=0),
     ValueError, r"n_samples must be at least 1, got 0"),
]


SEEDED = {
    "two_moons": lambda seed: nn.two_moons(n=10, seed=seed),
    "MLP": lambda seed: nn.MLP((2, 3, 1), seed=seed),
    "init": lambda seed: _model().init(seed=seed),
    "train": lambda seed: nn.train(_model(), np.zeros(13), *_data(), GD(0.1), steps=2,
                                   batch_size=5, seed=seed),
    "random_directions": lambda seed: nn.random_directions(_model(), np.ones(13), seed=seed),
    "sharpness": lambda seed: nn.sharpness(_model(), np.ones(13), *_data(), seed=seed),
    "hessian_trace": lambda seed: nn.hessian_trace(_model(), np.ones(13), *_data(), seed=seed),
    "bezier_curve_fit": lambda seed: nn.bezier_curve_fit(_model(), np.zeros(13), np.ones(13),
                                                         *_data(), steps=2, seed=seed),
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_one_seed_rule_none_or_a_whole_number(name):
    # the rule of labtools._checks.check_seed, as in labtools.optim and labtools.run
    call = SEEDED[name]
    call(None)
    call(np.int64(3))
    call(3.0)
    for bad in (3.5, -1, True, "1"):
        with pytest.raises((TypeError, ValueError), match=r"seed must be a whole number >= 0 or "
                                                          r"None, got"):
            call(bad)


@pytest.mark.parametrize("call, error, message", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
