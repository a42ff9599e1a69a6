"""Tests of the tools behind chapter 8: the saddle chain, the PL example, weight matching."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import labtools as lt
from labtools.landscapes.chain import GATE


def central_differences(fn, X, h=1e-6):
    """Columns of d fn / d x_i at every row of X, by central differences."""
    E = np.eye(X.shape[1])
    return np.stack([(fn(X + h * e) - fn(X - h * e)) / (2 * h) for e in E], axis=-1)


def chain_points(chain, n=200, seed=0):
    """Random points, half of them with a coordinate inside a gate (where coupling acts)."""
    rng = np.random.default_rng(seed)
    a = chain.a
    X = rng.uniform(-1.4 * a, 1.4 * a, size=(n, chain.dim))
    lo, hi = np.sqrt(GATE)
    X[: n // 2, 0] = rng.uniform(lo * a, hi * a, n // 2) * rng.choice([-1, 1], n // 2)
    return X


@pytest.mark.parametrize("d, gamma, L, a", [(1, 1.0, 1.0, 1.0), (3, 1.0, 2.0, 1.5),
                                            (5, 0.5, 0.3, 0.7)])
def test_saddle_chain_derivatives_match_finite_differences(d, gamma, L, a):
    chain = lt.saddle_chain(d, gamma=gamma, L=L, a=a)
    X = chain_points(chain)
    g = chain.grad(X)
    assert np.allclose(g, central_differences(chain.f, X), atol=1e-7)
    H = chain.hess(X)
    assert np.allclose(H, np.swapaxes(H, 1, 2))
    assert np.allclose(H, central_differences(chain.grad, X), atol=1e-6)
    v = np.random.default_rng(1).normal(size=X.shape)
    assert np.allclose(chain.hvp(X, v), np.einsum("nij,nj->ni", H, v))
    # one point gives the shapes of one point
    assert chain.grad(X[0]).shape == (d,) and chain.hess(X[0]).shape == (d, d)
    assert np.isclose(chain.f(X[0]), chain.f(X[:1])[0])


def test_saddle_chain_saddles_and_minimum():
    chain = lt.saddle_chain(4, gamma=1.0, L=2.0)
    for i in range(1, 5):
        s = chain.saddle(i)
        assert np.allclose(chain.grad(s), 0.0)
        eig = np.linalg.eigvalsh(chain.hess(s))
        assert np.isclose(eig.min(), -1.0) and np.sum(eig < 0) == 1   # strict saddle, index 1
    flipped = chain.saddle(3, signs=[-1, 1])
    assert np.allclose(chain.grad(flipped), 0.0) and flipped[0] == -1.0
    assert chain.f(np.ones(4)) == 0.0 and np.allclose(chain.grad(np.ones(4)), 0)
    assert np.all(np.linalg.eigvalsh(chain.hess(np.ones(4))) > 0)
    X = chain_points(chain, n=500)
    assert np.all(chain.f(X) >= 0.0)


def test_gradient_descent_time_on_the_chain_grows_geometrically():
    lr = 0.5
    times = []
    for d in (1, 2, 3, 4):
        chain = lt.saddle_chain(d, gamma=1.0, L=1.0)
        x, k = np.full(d, 1e-3), 0
        while chain.f(x) >= 1e-4 and k < 20_000:
            x, k = x - lr * chain.grad(x), k + 1
        times.append(k)
    ratios = np.diff(times) / np.array(times[:-1])
    # time added per saddle grows: each saddle takes longer than the one before
    increments = np.diff([0, *times])
    assert np.all(np.diff(increments) > 0), times
    assert ratios[-1] > 1.0, times


def test_saddle_chain_bad_inputs():
    with pytest.raises(ValueError, match="d must be at least 1, got 0"):
        lt.saddle_chain(0)
    with pytest.raises(ValueError, match="gamma"):
        lt.saddle_chain(2, gamma=-1.0)
    with pytest.raises(ValueError, match="L"):
        lt.saddle_chain(2, L=0.0)
    chain = lt.saddle_chain(2)
    with pytest.raises(ValueError, match="x"):
        chain.grad([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="signs"):
        chain.saddle(2, signs=[1, 1])
    with pytest.raises(ValueError, match="v must have 2 entries"):
        chain.hvp([0.0, 0.0], [1.0])


def test_pl_example_is_nonconvex_and_satisfies_pl():
    f = lt.pl_example()
    x = np.linspace(-6, 6, 4001)[:, None]
    assert np.allclose(f.grad(x), central_differences(f.f, x), atol=1e-7)
    curv = f.hess(x)[:, 0, 0]
    assert curv.min() < -3.9 and curv.max() <= 8.0 + 1e-12        # non-convex, L = 8
    ratio = f.grad(x)[:, 0] ** 2 / (2 * np.maximum(f.f(x), 1e-300))
    mask = np.abs(x[:, 0]) > 1e-3
    assert ratio[mask].min() > 1 / 32                               # Karimi et al.'s mu


def test_linear_assignment_is_optimal():
    rng = np.random.default_rng(0)
    for n in (1, 2, 4, 6):
        for trial in range(15):
            C = rng.normal(size=(n, n))
            if trial % 3 == 0:
                C = np.round(C)          # ties
            p = lt.linear_assignment(C)
            assert sorted(p.tolist()) == list(range(n))
            best = min(C[np.arange(n), list(q)].sum()
                       for q in itertools.permutations(range(n)))
            assert np.isclose(C[np.arange(n), p].sum(), best)


@pytest.mark.parametrize("bad, words", [([[1.0, 2.0]], "shape (1, 2)"),
                                        ([[1.0, np.nan], [0.0, 1.0]], "non-finite"),
                                        ("abc", "a string")])
def test_linear_assignment_bad_inputs(bad, words):
    with pytest.raises(ValueError, match="cost must be a square matrix") as err:
        lt.linear_assignment(bad)
    assert words in str(err.value)


@pytest.mark.parametrize("hidden", [(6,), (5, 4), (4, 3, 5)])
def test_matching_only_relabels_units(hidden):
    model, X, y = lt.course_network(hidden=hidden, n=50)
    a, b = model.init(seed=0), model.init(seed=1)
    aligned, perms = lt.match_hidden_units(model, a, b, return_perms=True)
    # the same function, to rounding
    assert np.abs(model.forward(aligned, X) - model.forward(b, X)).max() < 1e-12
    assert abs(model.loss(aligned, X, y) - model.loss(b, X, y)) < 1e-12
    assert sorted(np.round(aligned, 14).tolist()) == sorted(np.round(b, 14).tolist())
    assert [len(p) for p in perms] == list(hidden)
    # and closer to a: matching maximizes the inner product with a
    assert a @ aligned >= a @ b - 1e-12
    assert np.linalg.norm(a - aligned) <= np.linalg.norm(a - b) + 1e-12


def test_matching_undoes_a_shuffle():
    # one hidden layer: one assignment problem, solved exactly
    model, _, _ = lt.course_network(hidden=(7,), n=20)
    theta = model.init(seed=3)
    shuffled = lt.permute_hidden_units(model, theta, 0, [6, 2, 0, 5, 1, 3, 4])
    assert np.array_equal(lt.match_hidden_units(model, theta, shuffled), theta)
    # several layers: coordinate ascent, which may stop short of the best matching,
    # but never ends below where it started
    model, _, _ = lt.course_network(hidden=(7, 5), n=20)
    theta, other = model.init(seed=3), model.init(seed=4)
    assert theta @ lt.match_hidden_units(model, theta, other) >= theta @ other


def test_matching_bad_inputs():
    model, _, _ = lt.course_network(hidden=(4,), n=20)
    a = model.init(seed=0)
    with pytest.raises(ValueError, match="theta_b"):
        lt.match_hidden_units(model, a, a[:-1])
    with pytest.raises(ValueError, match="max_iter"):
        lt.match_hidden_units(model, a, a, max_iter=0)
    linear = lt.MLP((2, 1))
    with pytest.raises(ValueError, match="no hidden layer"):
        lt.match_hidden_units(linear, linear.init(), linear.init())


@pytest.mark.slow  # several thousand chain steps: a few seconds of CPU
def test_saddle_chain_explorer_measures_both_methods():
    from labtools.widgets.chain import gd_chain_run, pgd_chain_run

    w = lt.widgets.saddle_chain_explorer(d=3, lr=0.5, radius=1e-2)
    r = w.result
    assert w.error is None and r["gd_reason"] == "arrived"
    # the plain run is the loop written out here
    chain, x, k = lt.saddle_chain(3), np.full(3, 1e-3), 0
    while chain.f(x) >= 1e-3:
        x, k = x - 0.5 * chain.grad(x), k + 1
    assert r["gd_steps"] == k and r["pgd_steps"] < k
    assert f"arrives after {k} steps" in w.message and 'alt="' in w.image.value
    # more saddles: plain gradient descent takes longer, perturbed GD hardly
    w.set(d=5)
    assert w.result["gd_steps"] > 2 * k and w.result["pgd_steps"] < 200
    # six saddles: the last offset underflows and plain gradient descent is stuck
    w.set(d=6)
    assert w.result["gd_reason"] == "stuck" and w.result["gd_steps"] is None
    assert "stuck at saddle 6" in w.message
    values, why = gd_chain_run(lt.saddle_chain(6), np.full(6, 1e-3), 0.5, 5000)
    assert why == "stuck" and len(values) < 5000
    # perturbed GD stepped through its own init/update is lt.run's path, cut short
    pgd = lt.perturbed_gd(lr=0.5, radius=1e-2, g_thresh=1e-2, t_thresh=5, seed=0)
    values, steps = pgd_chain_run(lt.saddle_chain(3), pgd, np.full(3, 1e-3), 400)
    path = lt.run(lt.saddle_chain(3), pgd, x0=np.full(3, 1e-3), steps=steps, tol=0.0)
    assert np.allclose(values, lt.saddle_chain(3).f(path.xs), rtol=0, atol=1e-15)
    # a larger kick radius: perturbed GD leaves each saddle sooner
    w.set(d=4, radius=1e-6)
    slow = w.result["pgd_steps"]
    w.set(radius=1e-1)
    assert w.result["pgd_steps"] < slow


@pytest.mark.slow  # make unit: saddle_chain_explorer's doctest (d=9 is refused)
def test_saddle_chain_explorer_reports_bad_values():
    w = lt.widgets.saddle_chain_explorer(d=2, max_steps=300)
    good = dict(w.result)
    w.set(d=0)
    assert "d must be between 1 and 6" in w.message and w.result == good
    w.set(radius=-1.0)
    assert "radius must be positive" in w.message
    w.set(lr=0.3)
    assert w.error is None and w.result["lr"] == 0.3
    bad = lt.widgets.saddle_chain_explorer(d=12)
    assert "d must be between 1 and 6" in bad.message
    with pytest.raises(ValueError, match="max_steps"):
        lt.widgets.saddle_chain_explorer(max_steps=5)
