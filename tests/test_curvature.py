"""Tests for labtools.curvature: critical points, Hessian tools, GOE experiment."""

import math
from collections import Counter

import numpy as np
import pytest
import sympy

import labtools as lt
from labtools.curvature import (
    GOE_THETA,
    CriticalPoint,
    classify,
    critical_points,
    goe_all_positive_asymptotic,
    goe_all_positive_exact,
    goe_all_positive_fraction,
    hessian_eigs,
    hutchinson_trace,
    lanczos,
    spectral_density,
)


def kinds(points):
    return Counter(p.kind for p in points)


def random_symmetric(dim, seed):
    A = np.random.default_rng(seed).standard_normal((dim, dim))
    return (A + A.T) / 2


# --- classify ------------------------------------------------------------------


@pytest.mark.parametrize("hessian, kind", [
    ([[2.0, 0.0], [0.0, 3.0]], "minimum"),
    ([[-2.0, 0.0], [0.0, -3.0]], "maximum"),
    ([[2.0, 0.0], [0.0, -3.0]], "saddle"),
    ([[0.0, 1.0], [1.0, 0.0]], "saddle"),
    ([[1.0, 0.0], [0.0, 0.0]], "degenerate"),
    ([[-1.0, 0.0], [0.0, 1e-12]], "degenerate"),
    ([[0.0, 0.0], [0.0, 0.0]], "degenerate"),
    ([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]], "saddle"),
    ([[5.0]], "minimum"),
])
def test_classify(hessian, kind):
    assert classify(hessian) == kind


def test_classify_tolerance_and_batches():
    assert classify([[1.0, 0.0], [0.0, 1e-6]]) == "minimum"
    assert classify([[1.0, 0.0], [0.0, 1e-6]], tol=1e-4) == "degenerate"
    batch = np.array([np.eye(2), -np.eye(2), np.diag([1.0, -1.0])])
    assert classify(batch).tolist() == ["minimum", "maximum", "saddle"]


# --- critical points -------------------------------------------------------------


def check_points_are_critical(f, points):
    lo = np.array([w[0] for w in f.window])
    hi = np.array([w[1] for w in f.window])
    for p in points:
        assert isinstance(p, CriticalPoint)
        assert np.linalg.norm(f.grad(p.x)) < 1e-8
        assert np.all((p.x >= lo) & (p.x <= hi))
        assert p.value == pytest.approx(f.f(p.x), abs=1e-12)
        assert np.allclose(p.eigenvalues, np.linalg.eigvalsh(f.hess(p.x)))
        assert p.kind == classify(f.hess(p.x))
    xs = np.array([p.x for p in points])
    dist = np.linalg.norm(xs[:, None] - xs[None], axis=-1) + np.eye(len(xs))
    assert dist.min() > 1e-4  # no duplicates


def test_himmelblau_has_four_minima_one_maximum_four_saddles():
    f = lt.landscape("himmelblau")
    points = critical_points(f)
    assert kinds(points) == {"minimum": 4, "maximum": 1, "saddle": 4}
    check_points_are_critical(f, points)
    minima = np.array([p.x for p in points if p.kind == "minimum"])
    for m in f.minimizers:
        assert np.min(np.linalg.norm(minima - m, axis=1)) < 1e-10
    maximum = next(p for p in points if p.kind == "maximum")
    assert np.allclose(maximum.x, [-0.270845, -0.923039], atol=1e-6)
    assert maximum.value == pytest.approx(181.616522, abs=1e-6)
    # sorted by value (ties to 12 decimals broken by coordinates)
    values = np.round([p.value for p in points], 12)
    assert values.tolist() == sorted(values) and points[-1].kind == "maximum"
    ties = [p.x.tolist() for p in points[:4]]
    assert ties == sorted(ties)


def test_six_hump_camel_critical_points():
    f = lt.landscape("six_hump_camel")
    points = critical_points(f)
    # 6 minima, 7 saddles (one at the origin), 2 maxima; Morse check:
    # minima - saddles + maxima = 1 on a disc-like window.
    assert kinds(points) == {"minimum": 6, "saddle": 7, "maximum": 2}
    check_points_are_critical(f, points)
    min_values = sorted(p.value for p in points if p.kind == "minimum")
    assert np.allclose(min_values, [-1.0316284535] * 2 + [-0.2154638244] * 2
                       + [2.1042503103] * 2, atol=1e-10)
    origin = [p for p in points if np.allclose(p.x, 0.0)]
    assert len(origin) == 1 and origin[0].kind == "saddle"


def test_monkey_saddle_is_one_degenerate_point_at_the_origin():
    f = lt.landscape("monkey_saddle")
    points = critical_points(f)
    assert len(points) == 1
    assert points[0].kind == "degenerate"
    assert np.allclose(points[0].x, 0.0, atol=1e-10)
    assert np.allclose(points[0].eigenvalues, 0.0, atol=1e-8)


@pytest.mark.parametrize("name, expected", [
    ("double_well", {"minimum": 2, "saddle": 1}),
    ("escapable_saddle", {"minimum": 2, "saddle": 1}),
    ("saddle", {"saddle": 1}),
    ("rosenbrock", {"minimum": 1}),
    ("quadratic", {"minimum": 1}),
    ("two_minima_1d", {"minimum": 2, "maximum": 1}),
    ("sine_tilt", {"minimum": 4, "maximum": 4}),
])
def test_critical_points_of_small_landscapes(name, expected):
    f = lt.landscape(name)
    points = critical_points(f)
    assert kinds(points) == expected
    check_points_are_critical(f, points)


def test_a_ring_of_minima_is_sampled_not_flooded():
    f = lt.landscape("(x^2 + y^2 - 1)^2", window=[(-1.5, 1.5), (-1.5, 1.5)])
    points = critical_points(f, n_seeds=30)
    ring = [p for p in points if p.kind == "degenerate"]
    assert kinds(points)["maximum"] == 1  # the origin
    assert 20 <= len(ring) <= 400
    radii = np.array([np.linalg.norm(p.x) for p in ring])
    assert np.allclose(radii, 1.0, atol=1e-6)
    xs = np.array([p.x for p in ring])
    gaps = np.linalg.norm(xs[:, None] - xs[None], axis=-1) + np.eye(len(xs))
    assert gaps.min() >= 0.01 * np.linalg.norm([3.0, 3.0])


def test_double_well_points_exact():
    points = critical_points(lt.landscape("double_well"))
    assert [p.x.tolist() for p in points] == [[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0]]
    assert [p.kind for p in points] == ["minimum", "minimum", "saddle"]


def test_ackley_origin_is_found_as_the_global_minimum():
    f = lt.landscape("ackley", window=[(-1.5, 1.5), (-1.5, 1.5)])
    points = critical_points(f, n_seeds=30)
    best = points[0]
    assert best.kind == "minimum" and np.array_equal(best.x, [0.0, 0.0])
    assert best.value == pytest.approx(0.0, abs=1e-14)


# --- Hessian eigendecomposition ----------------------------------------------------


def test_hessian_eigs_matches_numpy_and_is_an_eigenbasis():
    f = lt.landscape("six_hump_camel")
    x = np.array([0.3, -0.4])
    vals, vecs = hessian_eigs(f, x)
    H = f.hess(x)
    assert np.all(np.diff(vals) >= 0)
    assert np.allclose(vals, np.linalg.eigvalsh(H))
    assert np.allclose(H @ vecs, vecs * vals)
    assert np.allclose(vecs.T @ vecs, np.eye(2))
    batch_vals, batch_vecs = hessian_eigs(f, np.array([x, -x]))
    assert batch_vals.shape == (2, 2) and batch_vecs.shape == (2, 2, 2)


# --- Lanczos, spectral density, Hutchinson ------------------------------------------


def test_lanczos_full_krylov_space_recovers_the_spectrum():
    H = random_symmetric(60, seed=1)
    values, vectors = lanczos(lambda v: H @ v, 60, k=60, seed=0)
    exact = np.linalg.eigvalsh(H)
    assert np.allclose(values, exact, atol=1e-8)
    assert np.allclose(H @ vectors, vectors * values, atol=1e-7)


def test_lanczos_extreme_eigenvalues_with_few_steps():
    rng = np.random.default_rng(2)
    dim = 300
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    spectrum = np.r_[-8.0, rng.uniform(-1.0, 1.0, dim - 2), 10.0]
    H = (Q * spectrum) @ Q.T
    calls = []

    def hvp(v):
        calls.append(1)
        return H @ v

    values, vectors = lanczos(hvp, dim, k=60, seed=3)
    exact = np.linalg.eigvalsh(H)
    assert len(calls) == 60  # matrix-free: one product per step
    assert values[-1] == pytest.approx(exact[-1], abs=1e-8)
    assert values[0] == pytest.approx(exact[0], abs=1e-8)
    top = vectors[:, -1]
    assert np.linalg.norm(H @ top - values[-1] * top) < 1e-6


def test_lanczos_uses_landscape_hvp():
    f = lt.landscape("quadratic", kappa=50)
    values, _ = lanczos(lambda v: f.hvp([0.2, 0.1], v), 2, k=2)
    assert np.allclose(values, [1.0, 50.0])


def test_lanczos_stops_early_in_an_invariant_subspace():
    H = np.eye(5) * 3.0
    values, vectors = lanczos(lambda v: H @ v, 5, k=5)
    assert values.tolist() == pytest.approx([3.0])
    assert vectors.shape == (5, 1)


def test_lanczos_is_scale_free():
    H = np.diag([1e-14, 2e-14, 3e-14])
    values, _ = lanczos(lambda v: H @ v, 3, k=3)
    assert np.allclose(values, [1e-14, 2e-14, 3e-14], rtol=1e-8, atol=0)
    values, _ = lanczos(lambda v: 0.0 * v, 3, k=3)
    assert values.tolist() == [0.0]


def test_lanczos_with_tol_stops_once_the_top_ritz_value_converges():
    rng = np.random.default_rng(4)
    dim = 300
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    spectrum = np.r_[rng.uniform(-1.0, 1.0, dim - 1), 10.0]
    H = (Q * spectrum) @ Q.T
    calls = []

    def hvp(v):
        calls.append(1)
        return H @ v

    values, vectors, converged = lanczos(hvp, dim, k=100, seed=0, tol=1e-10,
                                         return_converged=True)
    assert converged and len(calls) == len(values) < 100  # stopped early, no extra product
    assert values[-1] == pytest.approx(10.0, rel=1e-10)
    top = vectors[:, -1]
    assert np.linalg.norm(H @ top - values[-1] * top) <= 1e-10 * 10.0 * 1.01
    # the same steps as without tol, only fewer of them
    plain, _ = lanczos(lambda v: H @ v, dim, k=len(values), seed=0)
    np.testing.assert_allclose(values, plain, rtol=0, atol=1e-12)
    # too few steps: the flag says so
    *_, converged = lanczos(hvp, dim, k=3, seed=0, tol=1e-10, return_converged=True)
    assert not converged
    # the full Krylov space or an invariant one is exact, tol or not
    assert lanczos(lambda v: H[:5, :5] @ v, 5, k=5, return_converged=True)[2]
    assert lanczos(lambda v: 3.0 * v, 5, k=2, return_converged=True)[2]


def test_spectral_density_puts_mass_at_the_eigenvalues():
    dim = 200
    spectrum = np.r_[np.full(100, -1.0), np.full(60, 2.0), np.full(40, 5.0)]
    H = np.diag(spectrum)
    xs, density = spectral_density(lambda v: H @ v, dim, n_probes=20, k=10,
                                   seed=1, sigma=0.1, grid=2000)
    assert np.all(density >= 0)
    assert np.trapezoid(density, xs) == pytest.approx(1.0, abs=1e-3)

    def mass(lo, hi):
        keep = (xs > lo) & (xs < hi)
        return np.trapezoid(density[keep], xs[keep])

    assert mass(-1.5, -0.5) == pytest.approx(0.5, abs=0.1)
    assert mass(1.5, 2.5) == pytest.approx(0.3, abs=0.1)
    assert mass(4.5, 5.5) == pytest.approx(0.2, abs=0.1)
    assert mass(0.0, 1.0) < 1e-6


def test_spectral_density_mean_is_the_normalized_trace():
    H = random_symmetric(150, seed=4) + 2 * np.eye(150)
    xs = np.linspace(-15, 20, 3000)
    _, density = spectral_density(lambda v: H @ v, 150, n_probes=30, k=30,
                                  seed=0, grid=xs, sigma=0.2)
    mean = np.trapezoid(xs * density, xs)
    assert mean == pytest.approx(np.trace(H) / 150, abs=0.3)


def test_hutchinson_trace_within_standard_errors():
    H = random_symmetric(80, seed=5) + np.diag(np.linspace(0, 3, 80))
    estimate, stderr = hutchinson_trace(lambda v: H @ v, 80, n_samples=400, seed=1,
                                        return_stderr=True)
    assert stderr > 0
    assert abs(estimate - np.trace(H)) < 4 * stderr
    # Rademacher probes are exact for a diagonal matrix: z_i^2 = 1.
    D = np.diag(np.arange(1.0, 11.0))
    assert hutchinson_trace(lambda v: D @ v, 10, n_samples=3) == pytest.approx(55.0)
    f = lt.landscape("quadratic", kappa=10)
    assert hutchinson_trace(lambda v: f.hvp([0.0, 0.0], v), 2, n_samples=5) == 11.0


# --- random Hessians (GOE) -----------------------------------------------------------


def test_goe_exact_values():
    assert goe_all_positive_exact(1) == 0.5
    assert goe_all_positive_exact(2) == pytest.approx((2 - math.sqrt(2)) / 4, rel=1e-15)
    assert goe_all_positive_exact(3) == pytest.approx(
        (math.pi - 2 * math.sqrt(2)) / (4 * math.pi), rel=1e-15)


@pytest.mark.slow  # symbolic integration, ~10 s of CPU
def test_goe_exact_d2_from_the_joint_eigenvalue_density():
    # integrate |l1 - l2| exp(-(l1^2 + l2^2)/2) over the ordered region l1 < l2
    a, b = sympy.symbols("a b", real=True)
    w = (b - a) * sympy.exp(-(a**2 + b**2) / 2)

    def ordered(lo):
        return sympy.integrate(sympy.integrate(w, (a, lo, b)), (b, lo, sympy.oo))

    p = sympy.nsimplify(sympy.simplify(ordered(0) / ordered(-sympy.oo)))
    assert float(p) == pytest.approx(goe_all_positive_exact(2), rel=1e-14)


@pytest.mark.slow  # a 3-D quadrature, ~10 s of CPU
def test_goe_exact_d3_by_numerical_integration():
    import mpmath

    # ordered region 0 < a < b < c: the a-integral in closed form, then b and c
    # numerically (truncated at 12, where the Gaussian is negligible)
    a, b, c = sympy.symbols("a b c", real=True)
    inner = sympy.integrate((b - a) * (c - a) * sympy.exp(-a**2 / 2), (a, 0, b))
    g = sympy.lambdify((b, c), inner * (c - b) * sympy.exp(-(b**2 + c**2) / 2), "mpmath")
    mpmath.mp.dps = 15
    num = mpmath.quad(lambda cc: mpmath.quad(lambda bb: g(bb, cc), [0, cc]), [0, 12])
    # Mehta's integral of the density over all of R^3, divided by 3! orderings
    full = (2 * mpmath.pi) ** 1.5 * mpmath.fprod(
        mpmath.gamma(1 + mpmath.mpf(j) / 2) / mpmath.gamma(1.5) for j in (1, 2, 3))
    assert float(6 * num / full) == pytest.approx(goe_all_positive_exact(3), rel=1e-10)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_goe_fraction_matches_exact_within_sampling_error(d):
    n = 100_000
    p = goe_all_positive_exact(d)
    frac = goe_all_positive_fraction(d, n_samples=n, seed=d)
    assert abs(frac - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_goe_fraction_decays_with_dimension_and_is_reproducible():
    fractions = [goe_all_positive_fraction(d, n_samples=20_000, seed=0) for d in (1, 2, 4)]
    assert fractions[0] > fractions[1] > fractions[2] > 0
    assert goe_all_positive_fraction(4, n_samples=5000, seed=7) == \
        goe_all_positive_fraction(4, n_samples=5000, seed=7)


def test_goe_asymptotic_rate():
    assert GOE_THETA == pytest.approx(math.log(3) / 4)
    assert goe_all_positive_asymptotic(6) == pytest.approx(math.exp(-9 * math.log(3)))
    assert goe_all_positive_asymptotic(6) == pytest.approx(3.0 ** -9)


# --- bad input ---------------------------------------------------------------------


def good_hvp(v):
    return 2.0 * v


BAD_CALLS = [
    (classify, ([[1.0, 2.0]],), {}, ValueError,
     r"hessian must be a square matrix of shape \(d, d\)"),
    (classify, ([[1.0, 2.0], [0.0, 1.0]],), {}, ValueError, r"hessian must be symmetric"),
    (classify, ([[np.nan, 0.0], [0.0, 1.0]],), {}, ValueError,
     r"hessian must contain only finite numbers"),
    (classify, ("abc",), {}, TypeError, r"hessian must be a square matrix of numbers, got 'abc'"),
    (classify, (np.eye(2),), {"tol": -1}, ValueError, r"tol must be zero or positive, got -1"),
    (critical_points, ("himmelblau",), {}, TypeError,
     r"landscape must be a Landscape \(from lt\.landscape\(\.\.\.\)\), got 'himmelblau'"),
    (critical_points, (lt.landscape("himmelblau"),), {"n_seeds": 1}, ValueError,
     r"n_seeds must be at least 2, got 1"),
    (critical_points, (lt.landscape("himmelblau"),), {"tol": 0}, ValueError,
     r"tol must be positive, got 0"),
    (hessian_eigs, (lt.landscape("himmelblau"), [1.0]), {}, ValueError,
     r"x must have 2 coordinates"),
    (lanczos, (np.eye(3), 3), {}, TypeError, r"hvp must be a function v -> H v"),
    (lanczos, (good_hvp, 3), {"k": 4}, ValueError, r"k must be at most 3, got 4"),
    (lanczos, (good_hvp, 0), {}, ValueError, r"dim must be at least 1, got 0"),
    (lanczos, (lambda v: v[:2], 3), {}, ValueError,
     r"hvp must return a vector of shape \(3,\).*got shape \(2,\)"),
    (lanczos, (lambda v: v * np.nan, 3), {}, ValueError, r"hvp returned non-finite numbers"),
    (lanczos, (good_hvp, 3), {"seed": -1}, ValueError,
     r"seed must be a whole number >= 0 or None, got -1"),
    (lanczos, (good_hvp, 3), {"tol": 0}, ValueError, r"tol must be positive, got 0"),
    (spectral_density, (good_hvp, 3), {"sigma": 0}, ValueError, r"sigma must be positive, got 0"),
    (spectral_density, (good_hvp, 3), {"grid": [3.0, 1.0]}, ValueError,
     r"grid must be a number of points or an increasing 1-D array"),
    (spectral_density, (good_hvp, 3), {"n_probes": 0}, ValueError,
     r"n_probes must be at least 1, got 0"),
    (hutchinson_trace, (good_hvp, 3), {"n_samples": 2.5}, ValueError,
     r"n_samples must be a whole number, got 2\.5"),
    (hutchinson_trace, (good_hvp, 3), {"n_samples": 1, "return_stderr": True}, ValueError,
     r"n_samples must be at least 2, got 1"),
    (goe_all_positive_fraction, (0,), {}, ValueError, r"d must be at least 1, got 0"),
    (goe_all_positive_fraction, (2,), {"n_samples": "many"}, TypeError,
     r"n_samples must be a whole number, got 'many'"),
    (goe_all_positive_exact, (4,), {}, ValueError,
     r"d must be one of \[1, 2, 3\] for an exact value, got 4"),
    (goe_all_positive_asymptotic, (-1,), {}, ValueError, r"d must be positive, got -1"),
]


@pytest.mark.parametrize("fn, args, kwargs, error, message", BAD_CALLS,
                         ids=[f"{fn.__name__}-{i}" for i, (fn, *_) in enumerate(BAD_CALLS)])
def test_bad_arguments(fn, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        fn(*args, **kwargs)




# --- critical points in any dimension, the shared test, the Taylor model -----------


def _quartic_3d():
    # f = sum_i (x_i^2 - 1)^2: 27 critical points, coordinates in {-1, 0, 1};
    # the index (negative eigenvalues) is the number of zero coordinates
    def f(X):
        return np.sum((X**2 - 1) ** 2, axis=-1)

    def grad(X):
        return 4 * X * (X**2 - 1)

    def hess(X):
        return np.einsum("...i,ij->...ij", 12 * X**2 - 4, np.eye(3))

    return f, grad, hess


def test_find_critical_points_in_three_dimensions():
    f, grad, hess = _quartic_3d()
    starts = np.random.default_rng(0).uniform(-2, 2, size=(1500, 3))
    points = lt.find_critical_points(grad, hess, starts, f=f, window=[(-2, 2)] * 3)
    assert len(points) == 27
    for p in points:
        np.testing.assert_allclose(p.x, np.round(p.x), atol=1e-12)
        assert p.index == int(np.sum(np.round(p.x) == 0))
        assert p.value == pytest.approx(float(np.sum(np.round(p.x) == 0)), abs=1e-12)
    assert kinds(points) == {"minimum": 8, "saddle": 18, "maximum": 1}
    # sorted by value: the minima first, the maximum last
    assert [p.kind for p in points[:8]] == ["minimum"] * 8 and points[-1].kind == "maximum"


def test_find_critical_points_without_f_or_window():
    _, grad, hess = _quartic_3d()
    starts = np.random.default_rng(1).uniform(-1.5, 1.5, size=(400, 3))
    points = lt.find_critical_points(grad, hess, starts)
    assert len(points) == 27 and all(math.isnan(p.value) for p in points)


def test_critical_points_of_a_four_dimensional_duck_landscape():
    # anything with dim, window, f, grad and hess works; seeds are random starts
    f, grad, hess = _quartic_3d()
    from types import SimpleNamespace

    def f4(X):
        return f(X[..., :3]) + X[..., 3] ** 2

    def grad4(X):
        return np.concatenate([grad(X[..., :3]), 2 * X[..., 3:]], axis=-1)

    def hess4(X):
        H = np.zeros(X.shape[:-1] + (4, 4))
        H[..., :3, :3] = hess(X[..., :3])
        H[..., 3, 3] = 2.0
        return H

    land = SimpleNamespace(dim=4, window=((-2, 2),) * 4, f=f4, grad=grad4, hess=hess4,
                           minimizers=None)
    a = critical_points(land, n_starts=3000, seed=3)
    b = critical_points(land, n_starts=3000, seed=3)
    assert len(a) == 27 and [p.x.tolist() for p in a] == [p.x.tolist() for p in b]
    # the 3-D maximum gains an upward direction along x_4: a saddle of index 3
    assert kinds(a) == {"minimum": 8, "saddle": 19}
    assert sorted(p.index for p in a) == sorted(int(np.sum(p.x[:3] == 0)) for p in a)


def test_critical_points_and_is_critical_point_share_one_test():
    f = lt.landscape("himmelblau")
    points = critical_points(f)
    assert all(lt.is_critical_point(f, p.x) for p in points)
    assert lt.is_critical_point(f, np.array([p.x for p in points])).all()
    assert not lt.is_critical_point(f, [3.0, 2.0 + 1e-6])
    # the threshold is relative to the typical gradient norm (the scale)
    x = np.array([3.0, 2.0 + 1e-6])
    gnorm = float(np.linalg.norm(f.grad(x)))
    assert lt.is_critical_point(f, x, scale=2 * gnorm / lt.CRITICAL_TOL)
    assert not lt.is_critical_point(f, x, scale=0.5 * gnorm / lt.CRITICAL_TOL)
    assert lt.CRITICAL_TOL == 1e-8


def test_critical_points_on_a_huge_window_leak_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        points = critical_points(lt.landscape("x**2 - y**2",
                                              window=[(-1e300, 1e300), (-1e300, 1e300)]))
        critical_points(lt.landscape("himmelblau", window=[(-1e300, 1e300)] * 2))
    assert [(p.kind, p.x.tolist()) for p in points] == [("saddle", [0.0, 0.0])]


def test_taylor_model_is_exact_on_a_quadratic_and_has_the_right_orders():
    q = lt.landscape("quadratic", kappa=10)          # x^2/2 + 5 y^2
    m2 = lt.taylor_model(q, [1.0, -1.0])
    pts = np.random.default_rng(0).normal(size=(7, 2))
    np.testing.assert_allclose(m2(pts), q.f(pts), rtol=1e-12)
    m0 = lt.taylor_model(q, [1.0, -1.0], order=0)
    m1 = lt.taylor_model(q, [1.0, -1.0], order=1)
    assert m0([5.0, 5.0]) == pytest.approx(5.5)
    assert m1([2.0, -1.0]) == pytest.approx(5.5 + 1.0)   # gradient (1, -10)
    f = lt.landscape("himmelblau")
    x0, u = np.array([1.0, 1.0]), np.array([0.6, 0.8])
    for order, rate in [(1, 4), (2, 8)]:
        m = lt.taylor_model(f, x0, order=order)
        err = [abs(f.f(x0 + h * u) - m(x0 + h * u)) for h in (0.01, 0.005)]
        assert err[0] / err[1] == pytest.approx(rate, rel=0.05)
    grid = np.zeros((5, 4, 2))
    assert m2(grid).shape == (5, 4) and isinstance(m2([0.0, 0.0]), float)


@pytest.mark.parametrize("call, message", [
    (lambda: lt.taylor_model(lt.landscape("himmelblau"), [1.0, 1.0], order=3),
     r"order must be at most 2, got 3"),
    (lambda: lt.taylor_model(lt.landscape("himmelblau"), [[1.0, 1.0]]),
     r"x0 must be one point of shape \(2,\)"),
    (lambda: lt.taylor_model(lt.landscape("himmelblau"), [1.0, 1.0])([1.0]),
     r"x must have last axis of length 2"),
    (lambda: lt.taylor_model(lt.landscape("x**2 - log(x)"), [-1.0]),
     r"f or its derivatives are not finite at x0"),
    (lambda: lt.find_critical_points("grad", np.eye, [[0.0]]), r"grad must be a function"),
    (lambda: lt.find_critical_points(np.sin, np.cos, [[0.0]], max_iter=0),
     r"max_iter must be at least 1, got 0"),
    (lambda: lt.find_critical_points(np.sin, np.cos, [[0.0]], window=[(1, 0)]),
     r"window must have finite low < high"),
    (lambda: critical_points(lt.landscape("himmelblau"), n_seeds=1e308),
     r"n_seeds must be at most 1000, got 1e\+308"),
    (lambda: lt.is_critical_point(lt.landscape("himmelblau"), [0.0, 0.0], tol=0),
     r"tol must be positive, got 0"),
])
def test_new_curvature_functions_reject_bad_input(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


@pytest.mark.parametrize("seed", [None, 0, 3, 3.0, np.int64(3)])
def test_seed_rule_accepts_none_and_whole_numbers(seed):
    values, _ = lanczos(good_hvp, 3, k=2, seed=seed)
    np.testing.assert_allclose(values, 2.0)   # H = 2 I: one Ritz value suffices
    assert hutchinson_trace(good_hvp, 3, n_samples=2, seed=seed) == 6.0


@pytest.mark.parametrize("seed, error", [(3.5, ValueError), (-1, ValueError), (True, TypeError),
                                         ("3", TypeError), (1e308 * 10, ValueError)])
def test_seed_rule_refuses_the_rest_everywhere(seed, error):
    message = r"seed must be a whole number >= 0 or None"
    for call in (lambda: lanczos(good_hvp, 3, seed=seed),
                 lambda: goe_all_positive_fraction(2, seed=seed),
                 lambda: lt.noisy_gd(seed=seed),
                 lambda: lt.run(lt.landscape("saddle"), lt.gd(), [1.0, 0.0], seed=seed)):
        with pytest.raises(error, match=message):
            call()


def test_goe_fraction_caps_d_with_a_clear_message():
    with pytest.raises(ValueError, match=r"d must be at most 1000 .* got 100000; use "
                                         r"goe_all_positive_asymptotic"):
        goe_all_positive_fraction(d=10**5)
    with pytest.raises(ValueError, match=r"d must be at most 1000 .* got 1e\+308"):
        goe_all_positive_fraction(d=1e308)
