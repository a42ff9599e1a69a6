"""Tests for labtools.landscapes: exact derivatives, catalog facts, bad input."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy

import labtools as lt
from labtools.landscapes import CATALOG, Landscape, landscape

BIB = (Path(__file__).resolve().parents[1] / "references.bib").read_text()

# Every catalog entry, some with non-default parameters, and learners' formulas.
CASES = [(name, {}) for name in CATALOG] + [
    ("quadratic", {"kappa": 100.0}),
    ("rosenbrock", {"a": 2.0, "b": 50.0}),
    ("x**2 + 3*sin(y)", {}),
    ("x^4 - x^2", {}),
    ("exp(-x^2 - y^2)*cos(2x) + tanh(x*y)", {"window": [(-2, 2), (-2, 2)]}),
    ("sqrt(1 + x^2) + log(2 + cos(y)) + atan(x - y)", {}),
]
IDS = [name if not params else f"{name}-{params}" for name, params in CASES]


def random_points(f, n=200, seed=0):
    """Random points strictly inside the window (away from its edges)."""
    rng = np.random.default_rng(seed)
    lo = np.array([w[0] for w in f.window])
    hi = np.array([w[1] for w in f.window])
    return lo + (hi - lo) * rng.uniform(0.02, 0.98, size=(n, f.dim))


def fd_gradient(f, x, h=1e-6):
    out = np.empty_like(x)
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = h
        out[:, i] = (f.f(x + e) - f.f(x - e)) / (2 * h)
    return out


def fd_hessian(f, x, h=1e-6):
    out = np.empty(x.shape + (x.shape[1],))
    for i in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[i] = h
        out[:, :, i] = (f.grad(x + e) - f.grad(x - e)) / (2 * h)
    return out


# --- derivatives ---------------------------------------------------------------


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_gradient_matches_central_differences(name, params):
    f = landscape(name, **params)
    x = random_points(f)
    g = f.grad(x)
    fd = fd_gradient(f, x)
    scale = 1.0 + np.abs(g)
    assert np.all(np.abs(g - fd) <= 2e-5 * scale), np.max(np.abs(g - fd) / scale)


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_hessian_matches_central_differences_of_gradient(name, params):
    f = landscape(name, **params)
    x = random_points(f, seed=1)
    H = f.hess(x)
    fd = fd_hessian(f, x)
    scale = 1.0 + np.abs(H)
    assert np.all(np.abs(H - fd) <= 2e-5 * scale), np.max(np.abs(H - fd) / scale)
    assert np.allclose(H, np.swapaxes(H, 1, 2))


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_hvp_is_hessian_times_vector(name, params):
    f = landscape(name, **params)
    x = random_points(f, n=20, seed=2)
    v = np.random.default_rng(3).standard_normal((20, f.dim))
    H = f.hess(x)
    assert np.allclose(f.hvp(x, v), np.einsum("nij,nj->ni", H, v), rtol=1e-12, atol=1e-12)
    # one direction for every point
    assert np.allclose(f.hvp(x, v[0]), H @ v[0], rtol=1e-12, atol=1e-12)
    # one point
    assert np.allclose(f.hvp(x[0], v[0]), H[0] @ v[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, params", CASES, ids=IDS)
def test_batch_agrees_with_single_points_and_shapes(name, params):
    f = landscape(name, **params)
    x = random_points(f, n=7, seed=4)
    d = f.dim
    fb, gb, hb = f.f(x), f.grad(x), f.hess(x)
    assert fb.shape == (7,) and gb.shape == (7, d) and hb.shape == (7, d, d)
    for i in range(7):
        value = f.f(x[i])
        assert isinstance(value, float)
        assert value == pytest.approx(fb[i], rel=1e-14, abs=1e-14)
        assert f.grad(x[i]).shape == (d,)
        assert np.allclose(f.grad(x[i]), gb[i], rtol=1e-14, atol=1e-14)
        assert f.hess(x[i]).shape == (d, d)
        assert np.allclose(f.hess(x[i]), hb[i], rtol=1e-14, atol=1e-14)


def test_constant_derivatives_broadcast_to_the_batch():
    f = landscape("saddle")
    x = np.zeros((5, 2))
    H = f.hess(x)
    assert H.shape == (5, 2, 2)
    assert np.array_equal(H, np.broadcast_to(np.diag([2.0, -2.0]), (5, 2, 2)))
    lin = landscape("3*x - y + 2")
    assert lin.f(x).shape == (5,)
    assert np.array_equal(lin.grad(x), np.tile([3.0, -1.0], (5, 1)))
    assert np.array_equal(lin.hess(x), np.zeros((5, 2, 2)))
    const = landscape("7")
    assert const.f(np.ones((4, 1))).tolist() == [7.0] * 4


def test_forty_thousand_points_in_one_call():
    f = landscape("six_hump_camel")
    x = random_points(f, n=40_000, seed=5)
    assert f.f(x).shape == (40_000,)
    assert f.grad(x).shape == (40_000, 2)
    assert f.hess(x).shape == (40_000, 2, 2)
    # spot-check a few rows against single-point evaluation
    for i in (0, 12345, 39_999):
        assert np.allclose(f.grad(x)[i], f.grad(x[i]))


def test_one_d_landscape_accepts_a_bare_number():
    f = landscape("xcos")
    assert f.f(0.5) == pytest.approx(0.5 * np.cos(np.pi * 0.5), abs=1e-15)
    assert f.grad(1.0).shape == (1,)
    assert f.grad(1.0)[0] == pytest.approx(np.cos(np.pi) - np.pi * np.sin(np.pi))
    assert f.hess(np.float64(0.0)).shape == (1, 1)
    xs = np.linspace(-1, 1, 5)
    assert np.allclose(f.f(xs[:, None]), xs * np.cos(np.pi * xs))


# --- catalog facts --------------------------------------------------------------


@pytest.mark.parametrize("name", list(CATALOG))
def test_known_minimizers_are_strict_minima_with_stated_value(name):
    f = landscape(name)
    assert f.minimizers is not None
    if name in ("saddle", "saddle_5", "monkey_saddle"):
        assert f.minimizers.shape == (0, 2)
        assert f.global_min is None
        return
    m = f.minimizers
    assert m.ndim == 2 and m.shape[1] == f.dim and len(m) >= 1
    assert np.all(np.linalg.norm(f.grad(m), axis=1) < 1e-10)
    assert np.all(np.linalg.eigvalsh(f.hess(m)) > 0)
    lo = np.array([w[0] for w in f.window])
    hi = np.array([w[1] for w in f.window])
    assert np.all((m >= lo) & (m <= hi))
    if f.global_min is not None:
        values = f.f(m)
        assert values.min() == pytest.approx(f.global_min, abs=1e-12)
        assert np.all(values >= f.global_min - 1e-12)


def test_minimizers_are_read_only_and_landscape_is_immutable():
    f = landscape("himmelblau")
    with pytest.raises(ValueError):
        f.minimizers[0, 0] = 1.0
    with pytest.raises(AttributeError, match="read-only"):
        f.window = ((0, 1), (0, 1))


def test_six_hump_camel_published_values():
    f = landscape("six_hump_camel")
    values = np.sort(f.f(f.minimizers))
    published = [-1.0316284535, -1.0316284535, -0.2154638244, -0.2154638244,
                 2.1042503103, 2.1042503103]
    assert np.allclose(values, published, atol=1e-10)
    assert f.global_min == pytest.approx(-1.0316284535, abs=1e-10)
    glob = f.minimizers[np.isclose(f.f(f.minimizers), f.global_min)]
    assert np.allclose(np.abs(glob), [0.0898420131, 0.7126564030], atol=1e-9)


def test_himmelblau_minimizers():
    f = landscape("himmelblau")
    published = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186],
                 [3.584428, -1.848126]]
    assert np.allclose(f.minimizers, published, atol=1e-6)
    assert np.all(np.abs(f.f(f.minimizers)) < 1e-25)
    assert f.window == ((-5.0, 5.0), (-5.0, 5.0))


def test_small_catalog_facts():
    esc = landscape("escapable_saddle")
    assert np.array_equal(esc.minimizers, [[0.0, -1.0], [0.0, 1.0]])
    assert esc.global_min == -0.25
    assert esc.f([0.0, 1.0]) == -0.25
    assert landscape("double_well").f([[1.0, 0.0], [-1.0, 0.0]]).tolist() == [0.0, 0.0]
    assert landscape("rosenbrock").f([1.0, 1.0]) == 0.0
    assert landscape("rosenbrock", a=2, b=5).minimizers.tolist() == [[2.0, 4.0]]
    assert landscape("saddle_5").hess([0.3, -0.2]).tolist() == [[10.0, 0.0], [0.0, -2.0]]
    monkey = landscape("monkey_saddle")
    assert np.array_equal(monkey.grad([0.0, 0.0]), [0.0, 0.0])
    assert np.array_equal(monkey.hess([0.0, 0.0]), np.zeros((2, 2)))
    assert landscape("ackley").f([0.0, 0.0]) == pytest.approx(0.0, abs=1e-14)
    assert landscape("rastrigin").f([0.0, 0.0]) == 0.0
    assert landscape("rastrigin").window == ((-5.12, 5.12), (-5.12, 5.12))
    q = landscape("quadratic", kappa=25)
    vals = np.linalg.eigvalsh(q.hess([0.4, -1.0]))
    assert vals.max() / vals.min() == pytest.approx(25.0)
    assert landscape("quadratic").params == {"kappa": 10.0}


def test_one_d_catalog_minima():
    two = landscape("two_minima_1d")
    m = two.minimizers[:, 0]
    assert len(m) == 2
    # stationary points of x^4 - 3x^2 + x are the roots of 4x^3 - 6x + 1
    roots = np.sort(np.roots([4.0, 0.0, -6.0, 1.0]).real)
    assert np.allclose(np.sort(m), roots[[0, 2]], atol=1e-12)
    values = two.f(two.minimizers)
    assert two.global_min == pytest.approx(values.min()) and values.max() > values.min() + 1
    sine = landscape("sine_tilt")
    xs = sine.minimizers[:, 0]
    assert len(xs) >= 4
    assert np.allclose(np.cos(xs), -0.2, atol=1e-14) and np.all(np.sin(xs) < 0)
    assert sine.global_min is None
    xc = landscape("xcos")
    assert len(xc.minimizers) == 3 and xc.global_min is None


def test_ackley_subgradient_at_origin_without_nan_or_warnings():
    f = landscape("ackley")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(f.grad([0.0, 0.0]), [0.0, 0.0])
        near = np.array([[0.0, 0.0], [1e-200, 0.0], [0.0, -1e-170], [1e-5, 1e-5]])
        assert np.all(np.isfinite(f.grad(near)))
        H = f.hess(near)
    assert np.all(np.isfinite(H))
    assert np.allclose(H[0], 2 * np.pi**2 * np.e * np.eye(2))
    # away from the origin the gradient is the ordinary one (a cone of slope ~2.83)
    assert np.linalg.norm(f.grad([1e-5, 0.0])) == pytest.approx(
        20 * 0.2 / np.sqrt(2), rel=1e-3)


def test_learner_function_never_spills_floating_point_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = landscape("log(x) + 1/y")
        values = f.f([[-1.0, 1.0], [1.0, 0.0]])
        g = f.grad([[1.0, 0.0]])
    assert np.isnan(values[0]) and np.isinf(values[1])
    assert values.dtype == float and g.dtype == float


def test_citations_are_bibtex_keys():
    for name in CATALOG:
        f = landscape(name)
        if f.citation is not None:
            assert re.search(r"@\w+\{" + re.escape(f.citation) + ",", BIB), f.citation
        assert f.latex and f.description.endswith(".")
        assert f._repr_latex_().startswith("$")
        assert name in repr(f)
    assert landscape("himmelblau").citation == "himmelblau1972applied"
    assert landscape("saddle_5").citation == "dauphin2014identifying"


@pytest.mark.parametrize("name", ["himmelblau", "xcos"])
def test_grid_covers_the_window(name):
    f = landscape(name)
    if f.dim == 2:
        X, Y, Z = f.grid(n=31)
        assert X.shape == Y.shape == Z.shape == (31, 31)
        assert (X.min(), X.max()) == f.window[0] and (Y.min(), Y.max()) == f.window[1]
        assert np.allclose(Z, f.f(np.stack([X, Y], -1).reshape(-1, 2)).reshape(31, 31))
    else:
        xs, fs = f.grid(n=31)
        assert xs.shape == fs.shape == (31,)
        assert (xs[0], xs[-1]) == f.window[0]
        assert np.allclose(fs, f.f(xs[:, None]))


def test_catalog_objects_are_cached_and_window_can_be_changed():
    assert landscape("himmelblau") is landscape("himmelblau")
    small = landscape("rastrigin", window=[(-1, 1), (-1, 1)], name="rastrigin_small")
    assert small.name == "rastrigin_small" and small.window == ((-1.0, 1.0), (-1.0, 1.0))
    assert len(small.minimizers) == 9
    assert np.allclose(small.grad(small.minimizers), 0, atol=1e-10)


# --- a learner's own function -----------------------------------------------------


def test_learner_expression_matches_hand_derivatives():
    f = landscape("x^2 + 3*sin(y)")
    assert f.dim == 2 and f.window == ((-3.0, 3.0), (-3.0, 3.0))
    x = np.array([0.7, -1.2])
    assert f.f(x) == pytest.approx(0.49 + 3 * np.sin(-1.2))
    assert np.allclose(f.grad(x), [1.4, 3 * np.cos(-1.2)])
    assert np.allclose(f.hess(x), [[2.0, 0.0], [0.0, -3 * np.sin(-1.2)]])
    assert f.latex == r"f(x, y) = x^{2} + 3 \sin{\left(y \right)}"


FUNCTIONS = sorted(k for k, v in lt.ALLOWED_FUNCTIONS.items() if callable(v))


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_every_allowed_function_differentiates_correctly(fn):
    # 0.3x + 0.4 stays in (0.1, 0.7) on the window: inside every domain
    f = landscape(f"{fn}(0.3*x + 0.4) * y^2", window=[(-1, 1), (-1, 1)])
    x = random_points(f, n=50, seed=6)
    assert np.allclose(f.grad(x), fd_gradient(f, x), rtol=1e-6, atol=1e-8)
    assert np.allclose(f.hess(x), fd_hessian(f, x), rtol=1e-6, atol=1e-8)


def test_learner_expression_forms():
    one = landscape("x^4 - x^2")
    assert one.dim == 1 and one.f(2.0) == 12.0
    assert landscape("2x + 3x*y").f([1.0, 2.0]) == 8.0  # implicit multiplication
    assert landscape("2sin(x)cos(y)").f([np.pi / 2, 0.0]) == pytest.approx(2.0)
    assert landscape("x**2", dim=2).dim == 2
    assert landscape("abs(x)").grad([-2.0]).tolist() == [-1.0]
    assert landscape("exp(-x^2)", window=[(-1, 2)], name="bump").name == "bump"
    assert landscape("pi*x + E").f([1.0]) == pytest.approx(np.pi + np.e)


def test_callable_written_with_sympy():
    from_fn = landscape(lambda x, y: x**2 + 3 * sympy.sin(y))
    from_str = landscape("x**2 + 3*sin(y)")
    x = random_points(from_str, n=10)
    assert from_fn.dim == 2
    assert np.allclose(from_fn.hess(x), from_str.hess(x))

    def bowl(p):
        return p[0] ** 2 + 2 * p[1] ** 2

    vec = landscape(bowl, dim=2, window=[(-1, 1), (-1, 1)])
    assert vec.name == "bowl" and np.allclose(vec.grad([1.0, 1.0]), [2.0, 4.0])
    assert landscape(lambda x: x**3).dim == 1


def test_symbolic_derivatives_are_exposed():
    f = landscape("e^x - x")
    x = sympy.Symbol("x", real=True)
    assert f.expr == sympy.exp(x) - x
    assert f.grad_expr == (sympy.exp(x) - 1,)
    assert f.hess_expr == sympy.Matrix([[sympy.exp(x)]])
    h = landscape("himmelblau")
    assert h.hess_expr == sympy.hessian(h.expr, h.symbols)


def test_constructing_a_landscape_directly():
    x, y = sympy.symbols("x y", real=True)
    f = Landscape("bowl", x**2 + y**2, (x, y), [(-1, 1), (-1, 1)],
                  minimizers=[[0.1, -0.1]], global_min=0.0)
    assert np.allclose(f.minimizers, 0.0, atol=1e-15)  # polished by Newton
    assert lt.Landscape is Landscape
    with pytest.raises(ValueError, match=r"expr uses \['z'\], which are not among the symbols"):
        Landscape("bad", x + sympy.Symbol("z"), (x, y), [(-1, 1), (-1, 1)])
    with pytest.raises(ValueError, match=r"symbols must be 1 or 2 SymPy symbols"):
        Landscape("bad", x, ("x", "y"), [(-1, 1), (-1, 1)])
    with pytest.raises(TypeError, match=r"expr must be a SymPy expression"):
        Landscape("bad", object(), (x,), [(-1, 1)])
    with pytest.raises(ValueError, match=r"minimizers\[0\] = \[0\.5, 0\.5\] is not close to"):
        Landscape("bowl", x**2 + y**2, (x, y), [(-1, 1), (-1, 1)], minimizers=[[0.5, 0.5]])


# --- bad input --------------------------------------------------------------------


BAD_LANDSCAPE_CALLS = [
    (("himmelbau",), {}, ValueError,
     r"unknown landscape 'himmelbau' \(did you mean 'himmelblau'\?\)"),
    (("quadratic",), {"kappa": 0.5}, ValueError, r"kappa must be at least 1, got 0\.5"),
    (("quadratic",), {"kappa": "big"}, TypeError, r"kappa must be a number, got 'big'"),
    (("quadratic",), {"kapa": 3}, ValueError,
     r"unknown parameter 'kapa' for landscape 'quadratic': allowed are kappa"),
    (("himmelblau",), {"kappa": 3}, ValueError,
     r"unknown parameter 'kappa' for landscape 'himmelblau'"),
    (("rosenbrock",), {"b": -1}, ValueError, r"b must be positive, got -1"),
    (("x**2 +",), {}, ValueError, r"could not understand the expression 'x\*\*2 \+'"),
    (("x**2 + z",), {}, ValueError, r"unknown name 'z' in expression 'x\*\*2 \+ z': use x and y"),
    (("3xy",), {}, ValueError, r"unknown name 'xy'.*write x\*y"),
    (("__import__('os').system('ls')",), {}, ValueError, r"unknown name '__import__'"),
    (("x.real",), {}, ValueError, r"the symbol '\.' is not allowed"),
    (("x[0]",), {}, ValueError, r"the symbol '\[' is not allowed"),
    (("(x + 1",), {}, ValueError, r"unbalanced parentheses"),
    (("",), {}, ValueError, r"it is empty"),
    (("1j*x",), {}, ValueError, r"complex number '1j'"),
    (("1/0 + x",), {}, ValueError, r"not real and finite"),
    (("sin",), {}, ValueError, r"not a formula with a number value"),
    (("y**2",), {"dim": 1}, ValueError, r"dim=1 but the expression 'y\*\*2' uses y"),
    (("x**2",), {"dim": 3}, ValueError, r"dim must be one of 1, 2; got 3"),
    (("x**2",), {"window": [(1, -1)]}, ValueError, r"window must have finite low < high"),
    (("x**2 + y",), {"window": [(-1, 1)]}, ValueError,
     r"window must have 2 \(low, high\) pairs, got 1"),
    (("9^9^9 * x",), {}, ValueError, r"the number 9\^9\^9 is too large to compute with"),
    (("x**2",), {"color": "red"}, ValueError, r"unknown parameter 'color' for a formula"),
    ((42,), {}, TypeError,
     r"name_or_expression must be a catalog name, a formula string or a function, got 42"),
    ((lambda x, y: np.sin(x) + y,), {}, TypeError,
     r"could not differentiate <lambda>.*sympy functions"),
    ((lambda x, y: "hello",), {}, TypeError, r"could not differentiate"),
    ((lambda x, y: x * y,), {"dim": 1}, ValueError,
     r"dim=1 but <lambda> takes 2 arguments"),
    ((lambda x, y: x + sympy.Symbol("z"),), {}, ValueError, r"unknown symbols \['z'\]"),
]


@pytest.mark.parametrize("args, kwargs, error, message", BAD_LANDSCAPE_CALLS,
                         ids=[str(i) for i in range(len(BAD_LANDSCAPE_CALLS))])
def test_bad_landscape_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        landscape(*args, **kwargs)


BAD_POINTS = [
    ("f", ([1.0, 2.0, 3.0],), ValueError, r"x must have 2 coordinates for a 2-D landscape, got 3"),
    ("grad", ([np.nan, 1.0],), ValueError, r"x must contain only finite numbers"),
    ("hess", ("ab",), TypeError, r"x must be a point \(a list or array of numbers\), got 'ab'"),
    ("f", (np.zeros((2, 2, 2)),), ValueError,
     r"x must have shape \(d,\) for one point or \(n, d\) for many"),
    ("hvp", ([0.0, 0.0], [1.0]), ValueError, r"v must have 2 coordinates"),
    ("hvp", (np.zeros((3, 2)), np.ones((2, 2))), ValueError,
     r"v must have one direction per point \(3\), got 2"),
    ("grid", (1,), ValueError, r"n must be at least 2, got 1"),
    ("grid", (2.5,), ValueError, r"n must be a whole number, got 2\.5"),
]


@pytest.mark.parametrize("method, args, error, message", BAD_POINTS,
                         ids=[m for m, *_ in BAD_POINTS])
def test_bad_points(method, args, error, message):
    f = landscape("himmelblau")
    with pytest.raises(error, match=message):
        getattr(f, method)(*args)


def test_bad_points_for_one_d_suggest_a_column():
    with pytest.raises(ValueError, match=r"1 coordinate.*pass shape \(n, 1\)"):
        landscape("xcos").f(np.ones(5))
