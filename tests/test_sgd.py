"""Finite-sum landscapes and mini-batch runs: labtools.landscapes.finite_sum, labtools.run.sgd."""

import itertools

import numpy as np
import pytest

import labtools as lt
from labtools.run.sgd import draw_batches

BOWL = lt.landscape("x**2/2 + 2*y**2")


def fd_grad(fn, x, h=1e-6):
    x = np.asarray(x, float)
    cols = []
    for j in range(len(x)):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((fn(x + e) - fn(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.fixture(scope="module")
def saddle_sum():
    return lt.finite_sum("escapable_saddle", n=12, spread=0.2, seed=3)


def test_finite_sum_shifts_are_symmetric_and_seeded(saddle_sum):
    s = saddle_sum.shifts
    assert s.shape == (12, 2)
    assert np.allclose(s[:6], -s[6:])
    assert np.allclose(s.mean(axis=0), 0.0) and np.allclose((s ** 3).mean(axis=0), 0.0)
    again = lt.finite_sum("escapable_saddle", n=12, spread=0.2, seed=3)
    assert np.array_equal(again.shifts, s)
    assert not np.array_equal(lt.finite_sum("escapable_saddle", n=12, spread=0.2, seed=4).shifts, s)
    # the saddle of the base stays a critical point of the mean
    assert np.allclose(saddle_sum.grad([0.0, 0.0]), 0.0, atol=1e-14)


def test_per_example_and_full_derivatives_match_finite_differences(saddle_sum):
    for x in ([0.3, -0.7], [1.1, 0.4]):
        fd_terms = fd_grad(saddle_sum.term_values, x)          # (n, d)
        assert np.allclose(saddle_sum.term_grads(x), fd_terms, atol=1e-7)
        assert np.allclose(saddle_sum.grad(x), fd_grad(saddle_sum.f, x), atol=1e-7)
        assert np.allclose(saddle_sum.hess(x), fd_grad(saddle_sum.grad, x), atol=1e-6)
        v = np.array([0.2, -1.0])
        assert np.allclose(saddle_sum.hvp(x, v), saddle_sum.hess(x) @ v)


def test_values_are_the_mean_of_shifted_copies(saddle_sum):
    x = np.array([0.5, 0.25])
    by_hand = np.mean([saddle_sum.base.f(x - s) for s in saddle_sum.shifts])
    assert saddle_sum.f(x) == pytest.approx(by_hand, rel=1e-14)
    expr = saddle_sum.expr
    assert float(expr.subs({saddle_sum.symbols[0]: 0.5, saddle_sum.symbols[1]: 0.25})) == \
        pytest.approx(by_hand, rel=1e-12)
    pts = np.array([[0.5, 0.25], [-1.0, 2.0]])
    assert saddle_sum.f(pts).shape == (2,) and saddle_sum.grad(pts).shape == (2, 2)
    assert saddle_sum.term_grads(pts).shape == (2, 12, 2)
    X, Y, Z = saddle_sum.grid(n=7)
    assert Z.shape == (7, 7) and Z[3, 3] == pytest.approx(float(saddle_sum.f([X[3, 3], Y[3, 3]])))


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5])
def test_minibatch_gradient_is_unbiased_with_the_exact_covariance(batch_size):
    # exact expectation over all C(n, B) batches: mean = full gradient and
    # covariance = (n - B) / (B (n - 1)) * Sigma, Sigma the per-example covariance
    f = lt.finite_sum("escapable_saddle", n=6, spread=0.5, seed=1)
    x = np.array([0.4, -0.3])
    grads = np.array([f.batch_grad(x, np.array(b))
                      for b in itertools.combinations(range(f.n), batch_size)])
    assert np.allclose(grads.mean(axis=0), f.grad(x), atol=1e-14)
    dev = f.term_grads(x) - f.grad(x)
    sigma = dev.T @ dev / f.n
    cov = (grads - f.grad(x)).T @ (grads - f.grad(x)) / len(grads)
    expected = (f.n - batch_size) / (batch_size * (f.n - 1)) * sigma
    assert np.allclose(cov, expected, atol=1e-14)


def test_draw_batches_picks_every_subset_equally_often():
    rng = np.random.default_rng(0)
    b = draw_batches(rng, 4, 2, 60_000)
    assert b.shape == (60_000, 2) and np.all(b[:, 0] != b[:, 1])
    keys = np.sort(b, axis=1) @ np.array([4, 1])
    counts = np.bincount(keys, minlength=16)[[1, 2, 3, 6, 7, 11]]
    assert counts.sum() == 60_000
    assert np.all(np.abs(counts / 60_000 - 1 / 6) < 0.01), counts
    full = draw_batches(rng, 4, 4, 3)
    assert full.tolist() == [[0, 1, 2, 3]] * 3


def test_run_sgd_steps_by_hand_on_a_shifted_bowl():
    # f_i(x) = g(x - s_i) with g = x^2/2 + 2 y^2: the batch gradient is H (x - mean s_batch)
    shifts = np.array([[1.0, 0.0], [-1.0, 0.5], [0.0, -0.5], [2.0, 1.0]])
    f = lt.FiniteSum(BOWL, shifts)
    t = lt.run_sgd(f, lt.gd(lr=0.1), x0=[1.0, 1.0], batch_size=2, steps=5, seed=7)
    H = np.diag([1.0, 4.0])
    x = np.array([1.0, 1.0])
    for k in range(5):
        g = H @ (x - shifts[t.batches[k]].mean(axis=0))
        assert np.allclose(t.batch_grads[k], g, atol=1e-14)
        assert np.allclose(t.full_grads[k], H @ (x - shifts.mean(axis=0)), atol=1e-14)
        x = x - 0.1 * g
        assert np.allclose(t.xs[k + 1], x, atol=1e-14)
        assert t.values[k + 1] == pytest.approx(float(f.f(x)))
    assert t.lrs.tolist() == [0.1] * 5 and t.status == "max_steps"


def test_second_order_optimizers_see_the_batch():
    # Newton on a batch of the shifted bowl jumps to the mean shift of that batch
    shifts = np.array([[1.0, 0.0], [-1.0, 0.5], [0.0, -0.5], [2.0, 1.0]])
    f = lt.FiniteSum(BOWL, shifts)
    t = lt.run_sgd(f, lt.newton(), x0=[3.0, 3.0], batch_size=3, steps=2, seed=0)
    for k in range(2):
        assert np.allclose(t.xs[k + 1], shifts[t.batches[k]].mean(axis=0), atol=1e-12)


def test_run_sgd_is_reproducible_and_full_batch_equals_run(saddle_sum):
    kw = dict(x0=[1.0, 0.2], batch_size=3, steps=50)
    a = lt.run_sgd(saddle_sum, lt.gd(lr=0.1), seed=11, **kw)
    b = lt.run_sgd(saddle_sum, lt.gd(lr=0.1), seed=11, **kw)
    c = lt.run_sgd(saddle_sum, lt.gd(lr=0.1), seed=12, **kw)
    assert np.array_equal(a.xs, b.xs) and np.array_equal(a.batches, b.batches)
    assert not np.allclose(a.xs, c.xs)
    full = lt.run_sgd(saddle_sum, lt.momentum(lr=0.1), x0=[1.0, 0.2], batch_size=12,
                      steps=50, seed=0)
    ref = lt.run(saddle_sum, lt.momentum(lr=0.1), x0=[1.0, 0.2], steps=50, tol=0)
    assert np.allclose(full.xs, ref.xs, atol=1e-13)


def test_full_batch_gd_stays_on_the_saddle_axis_and_sgd_leaves(saddle_sum):
    gd = lt.run(saddle_sum, lt.gd(lr=0.1), x0=[1.0, 0.0], steps=300, tol=0)
    assert np.abs(gd.x_final).max() < 1e-6
    sgd = lt.run_sgd(saddle_sum, lt.gd(lr=0.1), x0=[1.0, 0.0], batch_size=2, steps=300, seed=0)
    assert abs(sgd.x_final[1]) > 0.5


def test_run_sgd_reports_divergence():
    f = lt.FiniteSum(BOWL, [[0.5, 0.5], [-0.5, -0.5]])
    t = lt.run_sgd(f, lt.gd(lr=1.0), x0=[1.0, 1.0], batch_size=1, steps=100, seed=0)
    assert t.status == "diverged" and "try a smaller lr" in t.message
    assert len(t.batches) == t.steps_taken == len(t.xs) - 1


def test_escape_steps_match_single_runs(saddle_sum):
    k = lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=2, n_runs=1, steps=400,
                            radius=0.5, seed=5)
    t = lt.run_sgd(saddle_sum, lt.gd(lr=0.1), x0=[0.0, 0.0], batch_size=2, steps=400, seed=5)
    dist = np.linalg.norm(t.xs, axis=1)
    assert k.tolist() == [int(np.argmax(dist > 0.5))]


def test_escape_steps_depend_on_noise(saddle_sum):
    kw = dict(n_runs=200, steps=2000, radius=0.5, seed=0)
    small = lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=1, **kw)
    large = lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=10, **kw)
    assert (small > 0).all() and (large > 0).all()
    assert np.median(small) < np.median(large)
    # the full batch never leaves the saddle it starts on
    full = lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=12, n_runs=3,
                               steps=200, radius=0.5, seed=0)
    assert full.tolist() == [-1, -1, -1]
    outside = lt.sgd_escape_steps(saddle_sum, 0.1, [1.0, 0.0], batch_size=2, n_runs=2,
                                  center=[0.0, 0.0], radius=0.5, seed=0)
    assert outside.tolist() == [0, 0]


@pytest.mark.parametrize("bad, err, words", [
    (0, ValueError,
     "batch_size must be a whole number from 1 to the number of examples (n = 12), got 0"),
    (13, ValueError, "got 13"),
    (2.5, ValueError, "got 2.5"),
    ("3", TypeError, "batch_size must be a whole number"),
    (True, TypeError, "batch_size must be a whole number"),
    (None, TypeError, "batch_size must be a whole number"),
])
def test_bad_batch_sizes(saddle_sum, bad, err, words):
    with pytest.raises(err, match=words.replace("(", r"\(").replace(")", r"\)")):
        lt.run_sgd(saddle_sum, lt.gd(lr=0.1), x0=[0.0, 0.0], batch_size=bad)
    with pytest.raises(err, match="batch_size"):
        lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=bad)


def test_bad_inputs_have_clear_errors(saddle_sum):
    with pytest.raises(TypeError, match="landscape must be a finite sum"):
        lt.run_sgd(lt.landscape("saddle"), lt.gd(lr=0.1), x0=[0.0, 0.0], batch_size=1)
    with pytest.raises(TypeError, match="landscape must be a finite sum"):
        lt.sgd_escape_steps(BOWL, 0.1, [0.0, 0.0], batch_size=1)
    with pytest.raises(ValueError, match="n must be even"):
        lt.finite_sum("saddle", n=5)
    with pytest.raises(ValueError, match="n must be at least 2"):
        lt.finite_sum("saddle", n=0)
    with pytest.raises(ValueError, match="spread must be zero or positive"):
        lt.finite_sum("saddle", spread=-0.1)
    with pytest.raises(ValueError, match=r"shifts must have shape \(n, 2\)"):
        lt.FiniteSum(BOWL, np.zeros((0, 2)))
    with pytest.raises(TypeError, match="base must be a Landscape"):
        lt.FiniteSum("saddle", [[0.0, 0.0]])
    with pytest.raises(ValueError, match=r"batch indices must be from 0 to n - 1 = 11"):
        saddle_sum.batch_grad([0.0, 0.0], np.array([0, 12]))
    with pytest.raises(ValueError, match="batch must be a non-empty array of example indices"):
        saddle_sum.batch_grad([0.0, 0.0], np.array([0.5]))
    with pytest.raises(ValueError, match="x0 must be one point"):
        lt.run_sgd(saddle_sum, lt.gd(lr=0.1), x0=[[0.0, 0.0]], batch_size=1)
    with pytest.raises(ValueError, match="lr must be positive"):
        lt.sgd_escape_steps(saddle_sum, -0.1, [0.0, 0.0], batch_size=1)
    with pytest.raises(ValueError, match="radius must be positive"):
        lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=1, radius=0)
    with pytest.raises(ValueError, match="n_runs must be at least 1"):
        lt.sgd_escape_steps(saddle_sum, 0.1, [0.0, 0.0], batch_size=1, n_runs=0)
    with pytest.raises(ValueError, match="seed must be a whole number >= 0 or None"):
        lt.run_sgd(saddle_sum, lt.gd(lr=0.1), x0=[0.0, 0.0], batch_size=1, seed=-1)


# --------------------------------------------------------------------------
# the warm-up schedule
# --------------------------------------------------------------------------


def test_warmup_ramps_linearly_then_follows_the_schedule():
    s = lt.warmup(1.0, steps=5)
    assert [s(t) for t in range(7)] == [0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0]
    c = lt.warmup(lt.step_decay(1.0, drop=0.5, every=10), steps=4)
    assert [c(t) for t in (0, 3, 9, 10, 25)] == [0.25, 1.0, 1.0, 0.5, 0.25]
    t = lt.run(BOWL, lt.gd(lr=lt.warmup(0.3, steps=3)), x0=[1.0, 1.0], steps=4, tol=0)
    assert np.allclose(t.lrs, [0.1, 0.2, 0.3, 0.3])
    assert repr(s) == "warmup(lr=1.0, steps=5)"


def test_warmup_bad_inputs():
    with pytest.raises(ValueError, match="steps must be at least 1, got 0"):
        lt.warmup(0.1, steps=0)
    with pytest.raises(ValueError, match="lr must be positive, got -1"):
        lt.warmup(-1, steps=3)
    with pytest.raises(TypeError, match="lr must be a number"):
        lt.warmup("fast", steps=3)
