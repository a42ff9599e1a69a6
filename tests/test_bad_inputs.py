"""Bad inputs found by a fuzz pass: each gets a clear error that names the parameter.

Huge whole numbers (``1e308``, ``10**20``) reach the ordinary range checks of
``labtools._checks`` instead of failing inside NumPy, parameters whose memory
or running time grows with their value are capped, and a learner's formula is
bounded in size and nesting instead of exhausting Python's recursion limit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import labtools as lt
from labtools._checks import check_int, check_number

HUGE = [1e308, 10**20, 10**400]


@pytest.fixture(scope="module")
def himmelblau():
    return lt.landscape("himmelblau")


@pytest.mark.parametrize("value", HUGE)
def test_check_int_takes_any_size_of_whole_number_to_its_range_test(value):
    with pytest.raises(ValueError, match=r"^steps must be at most 100, got "):
        check_int("steps", value, high=100)
    # without a cap the number comes back exact, as an int
    assert check_int("steps", value) == int(value)


@pytest.mark.parametrize("value, error, message", [
    (float("inf"), ValueError, r"^n must be a finite number, got inf$"),
    (float("nan"), ValueError, r"^n must be a finite number, got nan$"),
    (2.5, ValueError, r"^n must be a whole number, got 2\.5$"),
    (True, TypeError, r"^n must be a whole number, got True$"),
    ("3", TypeError, r"^n must be a whole number, got '3'$"),
])
def test_check_int_refuses_what_is_not_a_whole_number(value, error, message):
    with pytest.raises(error, match=message):
        check_int("n", value)


def test_check_number_refuses_an_int_beyond_the_float_range():
    with pytest.raises(ValueError, match=r"^x must be a finite number, got 1000"):
        check_number("x", 10**400)
    assert check_number("x", 10**20) == 1e20


def _calls(f):
    gd = lt.gd(lr=0.01)
    return {
        "run steps": (lambda v: lt.run(f, gd, [0.0, 0.0], steps=v), "steps"),
        "run_batch steps": (lambda v: lt.run_batch(f, gd, [[0.0, 0.0]], steps=v), "steps"),
        "basin_map n": (lambda v: lt.basin_map(f, gd, n=v), "n"),
        "random_restarts n_starts": (lambda v: lt.random_restarts(f, gd, n_starts=v),
                                     "n_starts"),
        "grid n": (lambda v: f.grid(n=v), "n"),
        "landscape_grid n": (lambda v: lt.landscape_grid(f, n=v), "n"),
        "contour levels": (lambda v: lt.contour_plot(f, levels=v), "levels"),
        "critical_points n_seeds": (lambda v: lt.critical_points(f, n_seeds=v), "n_seeds"),
        "goe d": (lambda v: lt.goe_all_positive_fraction(d=v), "d"),
        "goe n_samples": (lambda v: lt.goe_all_positive_fraction(2, n_samples=v), "n_samples"),
        "lanczos dim": (lambda v: lt.lanczos(lambda u: u, v), "dim"),
        "hutchinson n_samples": (lambda v: lt.hutchinson_trace(lambda u: u, 2, n_samples=v),
                                 "n_samples"),
        "spectral_density n_probes": (lambda v: lt.spectral_density(lambda u: u, 2, n_probes=v),
                                      "n_probes"),
        "basin_colors n": (lambda v: lt.basin_colors(v), "n"),
        "lbfgs memory": (lambda v: lt.lbfgs(memory=v), "memory"),
        "lbfgs max_ls": (lambda v: lt.lbfgs(max_ls=v), "max_ls"),
        "neon_gd lanczos_steps": (lambda v: lt.neon_gd(lanczos_steps=v), "lanczos_steps"),
        "armijo max_iter": (lambda v: lt.armijo_backtracking(
            f.f, np.zeros(2), np.ones(2), 0.0, -1.0, max_iter=v), "max_iter"),
        "wolfe max_iter": (lambda v: lt.wolfe_line_search(
            f.f, f.grad, np.zeros(2), np.ones(2), 0.0, -np.ones(2), max_iter=v), "max_iter"),
    }


CALL_NAMES = list(_calls(None))


@pytest.mark.parametrize("value", HUGE[:2], ids=["1e308", "10**20"])
@pytest.mark.parametrize("name", CALL_NAMES)
def test_huge_whole_numbers_get_a_clear_error_naming_the_parameter(himmelblau, name, value):
    call, param = _calls(himmelblau)[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"^{param} must be at most \d+"):
            call(value)


def test_keeping_a_huge_path_is_refused_up_front(himmelblau):
    starts = np.zeros((1000, 2))
    with pytest.raises(ValueError, match=r"^steps = 100000 is too many to keep the path of "
                                         r"1000 starts"):
        lt.run_batch(himmelblau, lt.gd(lr=0.01), starts, steps=100_000, keep_path=True)


def test_schedules_take_huge_steps_without_overflow():
    # step counts are only compared and divided: no cap needed, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lt.cosine_decay(0.1, steps=10**20)(10**20) == 0.0
        assert lt.step_decay(1.0, every=10**20)(5) == 1.0


@pytest.mark.parametrize("text, message", [
    ("(" * 1000 + "x" + ")" * 1000, r"^name_or_expression must be at most 1000 characters long, "
                                    r"got 2001"),
    ("x+" * 3000 + "x", r"^name_or_expression must be at most 1000 characters long, got 6001"),
    ("(" * 31 + "x" + ")" * 31, r"^name_or_expression is nested too deeply .* 30 levels of "
                                r"parentheses"),
    ("x**" * 13 + "x", r"^name_or_expression is nested too deeply .* 12 powers inside powers"),
    ("x**(" * 13 + "x" + ")" * 13, r"^name_or_expression is nested too deeply"),
    ("-" * 11 + "x", r"^name_or_expression is nested too deeply .* 10 signs in a row"),
])
def test_formula_size_and_nesting_are_bounded(text, message):
    with pytest.raises(ValueError, match=message):
        lt.landscape(text)


@pytest.mark.parametrize("text", ["x", "(x)", "x**x**x", "+".join(["x"] * 400),
                                  "(" * 30 + "x" + ")" * 30, "-" * 10 + "x"])
def test_formulas_within_the_bounds_still_parse(text):
    f = lt.landscape(text)
    assert f.dim == 1 and np.isfinite(f.f([0.5]))
