"""Chapter 7's widgets in Python: the mini-batch explorer (labtools.widgets.minibatch)
and the escape-time histogram (labtools.widgets.escape). Their page front ends are
held to these in tests/parity/test_sgd_widgets_parity.py."""

from __future__ import annotations

import numpy as np
import pytest

import labtools as lt
from labtools.widgets import escape as esc
from labtools.widgets import minibatch as mb


def test_page_batches_are_uniform_subsets():
    b = mb.page_batches(3, 32, 4, 4000)
    assert b.shape == (4000, 4) and b.min() >= 0 and b.max() < 32
    assert all(len(set(row)) == 4 for row in b.tolist())
    counts = np.bincount(b.ravel(), minlength=32)   # each index in B/n of the batches
    expected = 4000 * 4 / 32
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 70, chi2                          # 31 degrees of freedom, p ~ 1e-4
    assert not np.array_equal(b, mb.page_batches(4, 32, 4, 4000))
    np.testing.assert_array_equal(b, mb.page_batches(3, 32, 4, 4000))
    np.testing.assert_array_equal(mb.page_batches(0, 5, 5, 3), np.tile(np.arange(5), (3, 1)))


def test_page_rng_draws_in_the_unit_interval_with_the_right_mean():
    r = mb.PageRng(11)
    u = np.array([r.uniform() for _ in range(20000)])
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01


@pytest.mark.parametrize("args,name", [((0, 32, 0, 5), "batch_size"),
                                       ((0, 32, 40, 5), "batch_size"),
                                       ((-1, 32, 4, 5), "seed"), ((0, 32, 4, -2), "steps")])
def test_page_batches_reject_bad_values_by_name(args, name):
    with pytest.raises((ValueError, TypeError), match=name):
        mb.page_batches(*args)


def test_sgd_path_takes_run_sgds_steps():
    f = mb.saddle_sum()
    t = lt.run_sgd(f, lt.gd(lr=0.2), x0=[1.0, 0.0], batch_size=3, steps=150, seed=2)
    xs, gb, gf = mb.sgd_path(f, [1.0, 0.0], 0.2, t.batches)
    np.testing.assert_allclose(xs, t.xs, rtol=0, atol=1e-13)
    np.testing.assert_allclose(gb, t.batch_grads, rtol=0, atol=1e-13)
    np.testing.assert_allclose(gf, t.full_grads, rtol=0, atol=1e-13)


def test_sgd_path_stops_where_the_run_diverges():
    f = mb.saddle_sum()
    xs, gb, _ = mb.sgd_path(f, [0.0, 3.0], 5.0, mb.page_batches(0, f.n, 2, 50))
    assert len(xs) < 51 and len(gb) == len(xs) - 1
    assert not np.all(np.isfinite(xs[-1])) or np.abs(xs[-1]).max() > 1e6


@pytest.mark.slow
def test_minibatch_explorer_runs_sgd_on_the_page_batches():
    w = lt.widgets.minibatch_explorer(batch=2, lr=0.2, seed=5, steps=40)
    r = w.result
    f = mb.saddle_sum()
    xs, gb, gf = mb.sgd_path(f, mb.START, 0.2, mb.page_batches(5, f.n, 2, 40))
    np.testing.assert_array_equal(r["xs"], xs)
    assert r["noise"] == pytest.approx(np.linalg.norm(gb - gf, axis=1).mean())
    assert "B = 2" in w.message and w.error is None and w.alt
    full = w.set(batch=32).result                      # full batch: no noise, on the axis
    assert full["noise"] == 0.0 and np.abs(full["xs"][:, 1]).max() < 1e-15
    np.testing.assert_array_equal(full["xs"], full["gd_xs"])
    assert w.set(batch=1, seed=1, steps=100).result["escaped"]


@pytest.mark.slow
def test_minibatch_explorer_front_end_carries_the_finite_sum():
    w = lt.widgets.minibatch_explorer(steps=10)
    s = w.front.spec
    f = mb.saddle_sum()
    assert w.front.view == "minibatch"
    assert set(w.front.controls) == {"batch", "lr", "seed", "steps"}
    np.testing.assert_array_equal(np.array(s["shifts"]), f.shifts)
    assert s["src"] == lt.landscapes.landscape_js(f.base) and s["start"] == list(mb.START)
    assert s["bg"]["src"].startswith("data:image/png") and s["noise_bg"]["box"]
    code = w.front._esm
    assert "minibatchView" in code and "networkView" not in code and "makeRng" in code


@pytest.mark.slow
def test_minibatch_explorer_reports_bad_values_by_name():
    w = lt.widgets.minibatch_explorer(steps=10)
    before = w.result
    for values, name in [({"batch": 40}, "batch"), ({"batch": 0}, "batch"), ({"lr": 0.0}, "lr"),
                         ({"seed": -1}, "seed"), ({"steps": 1000}, "steps"),
                         ({"noise": 1}, "noise")]:
        assert name in w.set(**values).error, values
        assert w.result is before                      # nothing changed


@pytest.mark.slow
def test_escape_histogram_counts_lt_sgd_escape_steps():
    w = lt.widgets.escape_histogram(lr=0.2, batch=2, runs=50, seed=3, max_steps=500)
    f = mb.saddle_sum()
    want = lt.sgd_escape_steps(f, 0.2, [0.0, 0.0], batch_size=2, n_runs=50, steps=500,
                               radius=esc.RADIUS, seed=3)
    np.testing.assert_array_equal(w.result["steps"], want)
    assert w.result["escaped"] == 50 and w.result["median"] == np.median(want)
    gd = lt.sgd_escape_steps(f, 0.2, [0.0, 0.0], batch_size=f.n, n_runs=1, steps=500,
                             radius=esc.RADIUS)
    assert w.result["gd_step"] == gd[0] > 5 * w.result["median"]
    assert f"median step {np.median(want):g}" in w.message and "Full-batch" in w.message
    w.set(lr=0.04)                                     # too slow for 500 steps of full batch
    assert w.result["gd_step"] == -1 and "still at the saddle after 500" in w.message
    assert w.front.view == "escape" and set(w.front.controls) == {"lr", "batch", "runs", "seed"}
    assert w.front.spec["radius"] == esc.RADIUS and w.front.spec["max_steps"] == 500
    assert "escapeView" in w.front._esm and "chordView" not in w.front._esm


@pytest.mark.slow
def test_escape_histogram_full_batch_is_one_run():
    w = lt.widgets.escape_histogram(batch=32, runs=50, max_steps=1000)
    assert len(set(w.result["steps"].tolist())) == 1
    assert w.result["median"] == w.result["gd_step"] and "every run is the same run" in w.message


@pytest.mark.slow
def test_escape_histogram_reports_bad_values_by_name():
    w = lt.widgets.escape_histogram(runs=50, max_steps=200)
    for values, name in [({"runs": 1000}, "runs"), ({"batch": 0}, "batch"), ({"lr": -1}, "lr"),
                         ({"seed": 2.5}, "seed")]:
        assert name in w.set(**values).error, values


@pytest.mark.slow
def test_escape_histogram_rejects_a_bad_max_steps():
    with pytest.raises(ValueError, match="max_steps"):
        lt.widgets.escape_histogram(max_steps=3)


def test_escape_bins():
    edges = esc.escape_bins(np.array([3, 10, 61]))
    assert edges[0] == 0 and edges[-1] > 61 and np.all(np.diff(edges) == 3)
    assert len(esc.escape_bins(np.arange(1, 1001))) <= 32
    assert esc.escape_bins(np.array([], dtype=int)).tolist() == [0, 1, 2]

