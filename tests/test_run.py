"""Tests for labtools.run: the run loop, batched runs and the experiments."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import labtools as lt


@pytest.fixture(scope="module")
def quad():
    return lt.landscape("quadratic")  # x^2/2 + 5 y^2


@pytest.fixture(scope="module")
def himmelblau():
    return lt.landscape("himmelblau")


# --------------------------------------------------------------------------
# run and Trace
# --------------------------------------------------------------------------


def test_trace_records_points_values_gradients_and_lrs(quad):
    t = lt.run(quad, lt.gd(lr=0.1), [1.0, 1.0], steps=3, tol=0)
    np.testing.assert_allclose(t.xs, [[1, 1], [0.9, 0], [0.81, 0], [0.729, 0]], atol=1e-15)
    np.testing.assert_allclose(t.values, quad.f(t.xs))
    np.testing.assert_allclose(t.grad_norms, np.linalg.norm(quad.grad(t.xs), axis=1))
    np.testing.assert_allclose(t.lrs, [0.1, 0.1, 0.1])
    assert t.status == "max_steps" and t.steps_taken == 3 and t.diverged_at is None
    np.testing.assert_array_equal(t.x_final, t.xs[-1])
    assert t.f_final == pytest.approx(0.729**2 / 2)
    assert t.message == "stopped after 3 steps without converging (gradient norm still 0.729)"
    assert repr(t).startswith("Trace(stopped after 3 steps")


def test_run_stops_when_the_gradient_is_below_tol(quad):
    t = lt.run(quad, lt.gd(lr=0.1), [1.0, 0.0], steps=1000, tol=1e-3)
    # x_k = 0.9^k, gradient x_k: first k with 0.9^k < 1e-3 is 66
    assert t.status == "converged"
    assert t.steps_taken == 66
    assert t.grad_norms[-1] < 1e-3 <= t.grad_norms[-2]
    assert t.message.startswith("converged after 66 steps")


def test_run_from_a_critical_point_converges_at_step_zero(quad):
    t = lt.run(quad, lt.adam(lr=0.1), [0.0, 0.0])
    assert t.status == "converged" and t.steps_taken == 0
    assert t.xs.shape == (1, 2) and t.lrs.shape == (0,)


def test_divergence_is_detected_without_warnings(quad):
    # along y the gd factor is 1 - 0.3 * 10 = -2: |y_k| = 2^k, passes 1e6 at k = 20
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = lt.run(quad, lt.gd(lr=0.3), [0.0, 1.0], steps=100)
    assert t.status == "diverged"
    assert t.diverged_at == 20
    assert t.steps_taken == 19 and len(t.xs) == 20
    assert np.all(np.isfinite(t.xs))
    assert t.message == (
        "diverged at step 20 (|x| = 1.05e+06 exceeded max_norm = 1e+06; try a smaller lr)"
    )


def test_overflow_is_divergence_not_a_warning(quad):
    # with a huge max_norm the iterates overflow to inf first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = lt.run(quad, lt.gd(lr=0.3), [0.0, 1.0], steps=5000, max_norm=1e300)
    assert t.status == "diverged"
    assert t.diverged_at is not None and t.diverged_at > 500
    assert np.all(np.isfinite(t.values))
    assert "overflowed" in t.message or "NaN or inf" in t.message


def test_newton_at_a_degenerate_critical_point_runs_cleanly():
    # f = x^3: Newton's step is -3x^2 / 6x = -x/2, approaching a zero Hessian
    f = lt.landscape("x**3")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = lt.run(f, lt.newton(), [1.0], steps=200, tol=0, max_norm=10.0)
    assert t.status == "max_steps"
    assert t.x_final[0] == pytest.approx(0.5**200)


def test_run_records_schedule_lrs_and_nan_for_methods_without_one(quad):
    sched = lt.cosine_decay(0.1, steps=4)
    t = lt.run(quad, lt.momentum(lr=sched, beta=0.5), [1.0, 1.0], steps=4, tol=0)
    np.testing.assert_allclose(t.lrs, [sched(k) for k in range(4)])
    t = lt.run(quad, lt.trust_region(), [1.0, 1.0], steps=2, tol=0)
    assert np.all(np.isnan(t.lrs))


def test_run_seed_makes_random_optimizers_reproducible(quad):
    opt = lt.noisy_gd(lr=0.05, sigma=1.0)
    a = lt.run(quad, opt, [1.0, 1.0], steps=20, seed=7)
    b = lt.run(quad, opt, [1.0, 1.0], steps=20, seed=7)
    c = lt.run(quad, opt, [1.0, 1.0], steps=20, seed=8)
    np.testing.assert_array_equal(a.xs, b.xs)
    assert not np.allclose(a.xs, c.xs)


def test_run_accepts_a_1d_start_as_a_number():
    f = lt.landscape("x**2")
    t = lt.run(f, lt.gd(lr=0.25), 1.0, steps=2, tol=0)
    np.testing.assert_allclose(t.xs.ravel(), [1.0, 0.5, 0.25])


def test_a_hand_written_optimizer_runs_through_the_same_loop(quad):
    # an exercise-style optimizer: plain NamedTuple-free state, no seed
    def init(x):
        return ()

    def update(g, state, x, oracle):
        return -0.1 * g, state

    t = lt.run(quad, lt.Optimizer(init, update), [1.0, 1.0], steps=2, tol=0, seed=3)
    np.testing.assert_allclose(t.xs[-1], [0.81, 0.0], atol=1e-15)
    assert np.all(np.isnan(t.lrs))


# --------------------------------------------------------------------------
# run_batch
# --------------------------------------------------------------------------

BATCH_OPTIMIZERS = [
    ("gd", dict(lr=0.01)),
    ("momentum", dict(lr=0.002, beta=0.9)),
    ("nesterov", dict(lr=0.002)),
    ("adam", dict(lr=0.05)),
    ("rmsprop", dict(lr=0.01)),
    ("adagrad", dict(lr=0.5)),
    ("newton", dict()),
    ("damped_newton", dict(lr=0.5)),
    ("saddle_free_newton", dict()),
    ("cubic_newton", dict(M=5.0)),
    ("trust_region", dict()),
    ("gd", dict(lr=0.02)),  # converges from half the starts, runs out from the rest
    ("gd", dict(lr=0.035)),  # diverges from half the starts
]


def test_batch_cases_cover_every_status(himmelblau):
    starts = np.random.default_rng(0).uniform(-5, 5, size=(12, 2))
    seen = set()
    for name, hyper in BATCH_OPTIMIZERS:
        b = lt.run_batch(himmelblau, lt.optimizer(name, **hyper), starts, steps=300)
        seen.update(b.status.tolist())
    assert seen == {"converged", "diverged", "max_steps"}


# (test_run_batch_stops_every_row_exactly_as_run below holds every row equal to run.)


# Every registry optimizer, with hyperparameters that make some starts
# converge and others diverge; random ones are compared on one-row batches
# (a batch draws one (n, d) sample per step, a single run one (d,) sample).
REGISTRY_CASES = {
    "gd": dict(lr=0.3),
    "momentum": dict(lr=0.1, beta=0.5),
    "nesterov": dict(lr=0.1, beta=0.5),
    "adagrad": dict(lr=1.0),
    "rmsprop": dict(lr=0.3),
    "adam": dict(lr=0.5),
    "noisy_gd": dict(lr=0.3, sigma=0.5, seed=1),
    "perturbed_gd": dict(lr=0.3, radius=0.5, g_thresh=0.5, seed=1),
    "newton": dict(),
    "damped_newton": dict(lr=0.9),
    "saddle_free_newton": dict(lr=1.5),
    "cubic_newton": dict(M=0.5),
    "trust_region": dict(radius0=2.0),
    "line_search_gd": dict(alpha0=4.0),
    "lbfgs": dict(memory=3),
    "neon_gd": dict(lr=0.3, g_thresh=0.5, rho=0.5, seed=1),
}
RANDOM = {"noisy_gd", "perturbed_gd", "neon_gd"}
LOG_STARTS = np.array([[2.0], [0.5], [0.6], [2 ** -0.5], [0.9], [3.0], [0.05], [1e-3]])
HIMMELBLAU_STARTS = np.random.default_rng(5).uniform(-6, 6, size=(10, 2))


def test_registry_cases_cover_every_optimizer():
    assert set(REGISTRY_CASES) == set(lt.OPTIMIZERS + lt.KERNEL_OPTIMIZERS)


def _assert_rows_equal(b, rows, landscape, opt, starts, steps):
    for i, x0 in zip(rows, starts, strict=True):
        t = lt.run(landscape, opt, x0, steps=steps)
        where = f"start {x0.tolist()}"
        assert b.status[i] == t.status, where
        assert b.steps_taken[i] == t.steps_taken, where
        assert b.diverged_at[i] == (-1 if t.diverged_at is None else t.diverged_at), where
        np.testing.assert_array_equal(b.x_final[i], t.x_final, err_msg=where)
        np.testing.assert_array_equal(b.f_final[i], t.f_final, err_msg=where)
        np.testing.assert_array_equal(b.grad_norm_final[i], t.grad_norms[-1], err_msg=where)
        np.testing.assert_array_equal(b.path[: t.steps_taken + 1, i], t.xs, err_msg=where)


@pytest.mark.parametrize("name", sorted(REGISTRY_CASES))
@pytest.mark.parametrize("which", ["log", "himmelblau"])
def test_run_batch_stops_every_row_exactly_as_run(name, which):
    if which == "log":
        landscape, starts, steps = lt.landscape("x**2 - log(x)"), LOG_STARTS, 60
    else:
        landscape, starts, steps = lt.landscape("himmelblau"), HIMMELBLAU_STARTS, 150
    opt = lt.optimizer(name, **REGISTRY_CASES[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if name in RANDOM:
            for x0 in starts:
                b = lt.run_batch(landscape, opt, x0[None], steps=steps, keep_path=True)
                _assert_rows_equal(b, [0], landscape, opt, [x0], steps)
        else:
            b = lt.run_batch(landscape, opt, starts, steps=steps, keep_path=True)
            _assert_rows_equal(b, range(len(starts)), landscape, opt, starts, steps)


def test_registry_cases_reach_every_status():
    seen = set()
    for name, hyper in REGISTRY_CASES.items():
        for landscape, starts in [(lt.landscape("x**2 - log(x)"), LOG_STARTS),
                                  (lt.landscape("himmelblau"), HIMMELBLAU_STARTS)]:
            b = lt.run_batch(landscape, lt.optimizer(name, **hyper), starts, steps=60)
            seen.update(b.status.tolist())
    assert seen == {"converged", "diverged", "max_steps"}


def test_run_batch_diverges_where_f_is_nan_like_run():
    # the example: gd(lr=1) on x^2 - log(x) from x = 2 lands on x = -1.5,
    # where the gradient is finite but log(x), hence f, is NaN
    f = lt.landscape("x**2 - log(x)")
    t = lt.run(f, lt.gd(lr=1), [2.0])
    b = lt.run_batch(f, lt.gd(lr=1), [[2.0]])
    assert t.message.startswith("diverged at step 1")
    assert b.status.tolist() == ["diverged"] and b.diverged_at.tolist() == [1]
    assert b.x_final.tolist() == [[2.0]] and np.all(np.isfinite(b.f_final))


def test_run_batch_of_no_starts_is_an_empty_result(himmelblau):
    b = lt.run_batch(himmelblau, lt.gd(lr=0.1), np.empty((0, 2)), keep_path=True)
    assert b.x_final.shape == (0, 2) and b.status.shape == (0,) and b.path.shape == (1, 0, 2)
    assert b.counts == {"converged": 0, "diverged": 0, "max_steps": 0}


def test_run_batch_reports_divergence_per_row_without_warnings(quad):
    starts = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = lt.run_batch(quad, lt.gd(lr=0.3), starts, steps=100)
    # along x the factor is 0.7 (converges); along y it is -2 (diverges at 20)
    assert b.status.tolist() == ["converged", "diverged", "converged"]
    assert b.diverged_at.tolist() == [-1, 20, -1]
    assert b.steps_taken[2] == 0
    assert np.all(np.isfinite(b.x_final))
    assert b.counts == {"converged": 2, "diverged": 1, "max_steps": 0}
    assert "2 converged, 1 diverged" in repr(b)


def test_run_batch_random_optimizer_is_reproducible(quad):
    starts = np.ones((5, 2))
    a = lt.run_batch(quad, lt.noisy_gd(lr=0.05, sigma=1.0), starts, steps=30, seed=2)
    b = lt.run_batch(quad, lt.noisy_gd(lr=0.05, sigma=1.0), starts, steps=30, seed=2)
    np.testing.assert_array_equal(a.x_final, b.x_final)
    # independent noise per start
    assert len({tuple(r) for r in a.x_final}) == 5


# --------------------------------------------------------------------------
# experiments
# --------------------------------------------------------------------------


def test_basin_map_labels_starts_by_the_minimizer_reached(himmelblau):
    bm = lt.basin_map(himmelblau, lt.gd(lr=0.01), n=21, steps=1000)
    assert bm.labels.shape == (21, 21)
    assert bm.xs[0] == -5 and bm.xs[-1] == 5 and bm.ys[0] == -5
    assert bm.counts.sum() + bm.unlabeled == 441
    np.testing.assert_allclose(bm.fraction, bm.counts / 441)
    # each label is what a single run from that grid point reaches
    for i, j in [(0, 0), (10, 10), (20, 3), (5, 17), (15, 15)]:
        t = lt.run(himmelblau, lt.gd(lr=0.01), [bm.xs[j], bm.ys[i]], steps=1000)
        d = np.linalg.norm(himmelblau.minimizers - t.x_final, axis=1)
        expect = int(np.argmin(d)) if d.min() <= bm.radius else -1
        assert bm.labels[i, j] == expect
    # gd from the centre (0, 0) goes to (3, 2), minimizer 0
    assert bm.labels[10, 10] == 0
    # all four basins appear
    assert np.all(bm.counts > 0)
    assert bm.extent == (-5.0, 5.0, -5.0, 5.0)


def test_basin_map_marks_diverged_starts_minus_one(himmelblau):
    bm = lt.basin_map(himmelblau, lt.gd(lr=0.05), n=15, steps=200)
    assert np.any(bm.status == "diverged")
    assert np.all(bm.labels[bm.status == "diverged"] == -1)


def test_random_restarts_find_the_six_hump_camel_global_minimum():
    f = lt.landscape("six_hump_camel")
    r = lt.random_restarts(f, lt.gd(lr=0.01), n_starts=30, steps=2000, seed=0)
    assert r.best_f == pytest.approx(-1.0316284535, abs=1e-8)
    assert r.success is not None
    np.testing.assert_array_equal(r.success, r.f_final <= f.global_min + 1e-4)
    assert 0 < r.success_rate < 1  # some restarts end in a local minimum
    assert np.all(np.diff(r.best_so_far) <= 0)
    again = lt.random_restarts(f, lt.gd(lr=0.01), n_starts=30, steps=2000, seed=0)
    np.testing.assert_array_equal(r.starts, again.starts)
    lo, hi = np.array(f.window).T
    assert np.all((r.starts >= lo) & (r.starts <= hi))


def test_run_batch_until_ends_the_loop_once_every_row_is_done():
    f = lt.landscape("saddle")
    starts = [[0.0, 1e-3], [0.0, 1e-5]]
    full = lt.run_batch(f, lt.momentum(lr=0.1, beta=0.9), starts, steps=300, tol=0.0,
                        keep_path=True)
    out = lambda pts: np.linalg.norm(pts, axis=-1) > 1.0  # noqa: E731
    short = lt.run_batch(f, lt.momentum(lr=0.1, beta=0.9), starts, steps=300, tol=0.0,
                         keep_path=True, until=out)
    k = short.path.shape[0] - 1
    # it stops at the first step where both rows are outside, and agrees up to there
    assert k < 300 and np.all(out(full.path[k])) and not np.all(out(full.path[k - 1]))
    assert np.array_equal(short.path, full.path[: k + 1])
    # a noisy optimizer draws the same numbers, so its escapes are unchanged too
    noisy = lt.noisy_gd(lr=0.1, sigma=1e-3, seed=0)
    many = np.tile([[0.3, 0.0]], (20, 1))
    cut = lt.saddle_escape_steps(f, noisy, many, radius=1.0, steps=400, seed=3)
    b = lt.run_batch(f, noisy, many, steps=400, tol=0.0, seed=3, keep_path=True)
    outside = np.linalg.norm(b.path, axis=-1) > 1.0
    expected = np.where(outside.any(axis=0), np.argmax(outside, axis=0), -1)
    assert np.array_equal(cut, expected) and np.all(cut > 0)


def test_saddle_escape_steps_match_the_prediction_on_a_quadratic_saddle():
    # x^2 - y^2, lambda_min = -2, gd lr = 0.1: y_k = 1.2^k y_0
    f = lt.landscape("saddle")
    e = np.array([1e-2, 1e-4, 1e-6])
    starts = np.column_stack([np.zeros(3), e])
    got = lt.saddle_escape_steps(f, lt.gd(lr=0.1), starts, radius=1.0, steps=200)
    pred = lt.predicted_escape_steps(e, lr=0.1, lam=-2.0)
    np.testing.assert_array_equal(got, np.ceil(pred).astype(int))
    # a start on the stable manifold never escapes; a start outside counts 0
    never = lt.saddle_escape_steps(f, lt.gd(lr=0.1), [[0.5, 0.0], [2.0, 0.0]], radius=1.0)
    assert never.tolist() == [-1, 0]


def test_predicted_escape_steps_formula():
    assert lt.predicted_escape_steps(1e-3, lr=0.1, lam=-2.0) == pytest.approx(
        math.log(1e3) / math.log(1.2)
    )
    out = lt.predicted_escape_steps([0.5, 0.25], lr=1.0, lam=-1.0)
    np.testing.assert_allclose(out, [1.0, 2.0])


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


def _bad_inputs():
    q = lt.landscape("quadratic")
    line = lt.landscape("x**2")
    g = lt.gd(lr=0.1)
    return [
        (
            lambda: lt.run(q, g, [1.0, 2.0, 3.0]),
            ValueError,
            "x0 must have 2 coordinates for a 2-D landscape, got 3",
        ),
        (lambda: lt.run(q, g, [1.0, float("nan")]), ValueError, "x0 must contain only finite"),
        (lambda: lt.run(q, g, "start"), TypeError, "x0 must be a point"),
        (
            lambda: lt.run(q, g, [[1.0, 2.0], [3.0, 4.0]]),
            ValueError,
            "x0 must be one point of shape (2,), got shape (2, 2); use run_batch",
        ),
        (lambda: lt.run(q, g, [1, 1], steps=-1), ValueError, "steps must be at least 0, got -1"),
        (lambda: lt.run(q, g, [1, 1], steps=2.5), ValueError, "steps must be a whole number"),
        (lambda: lt.run(q, g, [1, 1], tol=-1e-3), ValueError, "tol must be zero or positive"),
        (lambda: lt.run(q, g, [1, 1], seed=1.5), ValueError, "seed must be a whole number"),
        (lambda: lt.run(q, g, [1, 1], max_norm=0), ValueError, "max_norm must be positive"),
        (
            lambda: lt.run(q, lt.gd, [1, 1]),
            TypeError,
            "optimizer must be an Optimizer, got the function gd; call it",
        ),
        (
            lambda: lt.run(q, "adam", [1, 1]),
            TypeError,
            "got the string 'adam'; build one with lt.optimizer('adam', lr=0.1)",
        ),
        (lambda: lt.run(q, 0.1, [1, 1]), TypeError, "optimizer must be an Optimizer such as"),
        (
            lambda: lt.run(q, lt.cosine_decay(0.1, steps=10), [1, 1]),
            TypeError,
            "got the learning-rate schedule cosine_decay(lr=0.1, steps=10, lr_min=0.0); "
            "pass it as an lr instead",
        ),
        (lambda: lt.run("himmelblau", g, [1, 1]), TypeError, "landscape must be a Landscape"),
        (
            lambda: lt.run_batch(q, g, [[1.0, 2.0, 3.0]]),
            ValueError,
            "x0s must have 2 coordinates",
        ),
        (lambda: lt.basin_map(line, g, n=10), ValueError, "landscape must be 2-D for a basin map"),
        (lambda: lt.basin_map(q, g, n=1), ValueError, "n must be at least 2, got 1"),
        (lambda: lt.basin_map(q, g, n=5, radius=-1), ValueError, "radius must be positive"),
        (
            lambda: lt.random_restarts(q, g, n_starts=0),
            ValueError,
            "n_starts must be at least 1, got 0",
        ),
        (
            lambda: lt.saddle_escape_steps(q, g, [[0, 1e-3]], radius=0),
            ValueError,
            "radius must be positive, got 0",
        ),
        (
            lambda: lt.saddle_escape_steps(q, g, [[0, 1e-3]], saddle=[0, 0, 0]),
            ValueError,
            "saddle must have 2 coordinates",
        ),
        (lambda: lt.predicted_escape_steps(0, 0.1, -2), ValueError, "e must be in (0, 1]"),
        (lambda: lt.predicted_escape_steps(0.1, -0.1, -2), ValueError, "lr must be positive"),
        (
            lambda: lt.predicted_escape_steps(0.1, 0.1, 0),
            ValueError,
            "lam must be a nonzero eigenvalue",
        ),
    ]


BAD = _bad_inputs()


@pytest.mark.parametrize("i", range(len(BAD)), ids=[b[2][:40] for b in BAD])
def test_bad_input_gives_a_clear_error(i):
    call, error, text = BAD[i]
    with pytest.raises(error) as info:
        call()
    assert text in str(info.value)
