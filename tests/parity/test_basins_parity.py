"""The basin map in the browser (labtools/widgets/js/basins.js) held to
labtools.run.basin_map: on an n x n grid of starts, the label of every cell (the
known minimizer its run reaches, -1 for none) is the same in JavaScript and in
Python, on three landscapes. A cell may differ only on a basin boundary: where a
neighbouring cell of Python's map has another label, or where Python's run ends
within a hair of the capture radius. How many did is reported.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from paritylib import decode

import labtools as lt
from labtools.landscapes import landscape_js
from labtools.widgets.basins import basin_radius
from labtools.widgets.inputs import optimizer_params

pytestmark = pytest.mark.browser

CASES = [
    ("himmelblau", "gd", {"lr": 0.01}, 40, 300),
    ("himmelblau", "momentum", {"lr": 0.01, "beta": 0.9}, 30, 300),
    ("six_hump_camel", "adam", {"lr": 0.05}, 30, 300),
    ("double_well", "gd", {"lr": 0.05}, 30, 200),
]

BASINS_JS = """
const B = await mod("basins.js");
const C = await mod("common.js");
const L = landscape(arg.src);
const make = () => C.makeOptimizer(arg.name, arg.params, arg.hyper);
const t0 = performance.now();
const rows = B.basinRows(L, make, arg.settings);
return {labels: rows.map((r) => Array.from(r)), ms: performance.now() - t0};
"""


def basins_js(js, f, name, hyper, n, steps):
    settings = {"window": [list(w) for w in f.window], "n": n, "steps": steps,
                "minimizers": np.asarray(f.minimizers).tolist(), "radius": basin_radius(f)}
    out = js.call(BASINS_JS, {"src": landscape_js(f), "name": name,
                              "params": sorted(optimizer_params(name)),
                              "hyper": {"beta": 0.9, "sigma": None, "seed": 0, **hyper},
                              "settings": settings})
    return np.asarray(decode(out["labels"]), dtype=int), out["ms"]


def on_boundary(f, opt, labels, steps, radius):
    """Cells next to another label, or whose Python run ends near the capture radius."""
    n = labels.shape[0]
    edge = np.zeros_like(labels, dtype=bool)
    padded = np.pad(labels, 1, mode="edge")
    for dj, di in ((0, 1), (1, 0), (1, 2), (2, 1)):
        edge |= padded[dj:dj + n, di:di + n] != labels
    (xl, xh), (yl, yh) = f.window
    X, Y = np.meshgrid(np.linspace(xl, xh, n), np.linspace(yl, yh, n))
    batch = lt.run_batch(f, opt, np.column_stack([X.ravel(), Y.ravel()]), steps=steps, seed=0)
    d = np.linalg.norm(batch.x_final[:, None, :] - np.asarray(f.minimizers)[None], axis=-1)
    near = np.abs(d.min(axis=1) - radius) <= 1e-6 * radius
    return edge | near.reshape(n, n)


@pytest.mark.parametrize("problem,name,hyper,n,steps", CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_basin_labels_match_basin_map(js, record_property, problem, name, hyper, n, steps):
    f = lt.landscape(problem)
    opt = lt.optimizer(name, **hyper)
    radius = basin_radius(f)
    py = lt.basin_map(f, opt, n=n, steps=steps, seed=0, radius=radius).labels
    got, _ = basins_js(js, f, name, hyper, n, steps)
    assert got.shape == py.shape
    differ = got != py
    allowed = on_boundary(f, opt, py, steps, radius)
    record_property("cells_differing", int(differ.sum()))
    print(f"{problem}/{name}: {int(differ.sum())} of {py.size} cells differ, all on boundaries")
    bad = np.argwhere(differ & ~allowed)
    assert not bad.size, (f"{problem}/{name}: cells {bad[:5].tolist()} differ inside a basin "
                          f"(JS {got[tuple(bad[0])]} vs Python {py[tuple(bad[0])]})")
    assert len(np.unique(py)) >= 2, "a map of one basin tests nothing"
    assert not js.errors


def test_the_check_catches_a_drifted_port(js):
    """Labels of runs stopped far too early (3 steps, not 300) differ inside basins."""
    f = lt.landscape("himmelblau")
    got, _ = basins_js(js, f, "gd", {"lr": 0.01}, 20, 3)
    py = lt.basin_map(f, lt.gd(lr=0.01), n=20, steps=300, seed=0,
                      radius=basin_radius(f)).labels
    allowed = on_boundary(f, lt.gd(lr=0.01), py, 300, basin_radius(f))
    assert np.any((got != py) & ~allowed)


def test_the_widget_grid_time_is_measured(js, record_property):
    """The default map of chapter 2 (100 x 100 starts, 300 steps of gd) in the browser:
    the time is reported (benchmarks hold the budget), the map must be complete."""
    f = lt.landscape("himmelblau")
    t0 = time.perf_counter()
    got, ms = basins_js(js, f, "gd", {"lr": 0.01}, 100, 300)
    record_property("js_ms_100x100x300", ms)
    print(f"basin map 100 x 100 x 300 steps of gd in Chromium: {ms:.0f} ms "
          f"(round trip {1000 * (time.perf_counter() - t0):.0f} ms)")
    assert got.shape == (100, 100) and set(np.unique(got)) <= {-1, 0, 1, 2, 3}
