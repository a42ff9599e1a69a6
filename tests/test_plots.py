"""Tests of labtools.plots: every helper draws what it says, titled and labelled."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from PIL import Image  # noqa: E402

import labtools as lt  # noqa: E402
from labtools import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def himmelblau():
    return lt.landscape("himmelblau")


@pytest.fixture(scope="module")
def trace(himmelblau):
    return lt.run(himmelblau, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=40)


def _axes():
    fig, ax = plt.subplots()
    return ax


def test_plots_and_the_front_door_do_not_import_ipywidgets():
    code = ("import sys, labtools, labtools.plots; "
            "assert 'ipywidgets' not in sys.modules, 'ipywidgets was imported'; "
            "labtools.widgets; assert 'ipywidgets' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr


def test_public_names_are_exported():
    for name in plots.__all__:
        assert getattr(lt, name) is getattr(plots, name)


# -------------------------------------------------------------- contour / surface


def test_contour_plot_reads_the_window_and_is_titled(himmelblau):
    ax = lt.contour_plot(himmelblau, n=40)
    (x_lo, x_hi), (y_lo, y_hi) = himmelblau.window
    assert ax.get_xlim() == (x_lo, x_hi)
    assert ax.get_ylim() == (y_lo, y_hi)
    assert ax.get_title() == "himmelblau"
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert ax.collections, "no contour was drawn"
    assert ax.collections[0].get_cmap().name == "viridis"


def test_contour_plot_follows_a_different_window():
    f = lt.landscape("rosenbrock")
    ax = lt.contour_plot(f, n=30, colorbar=False, title="valley")
    assert ax.get_xlim() == f.window[0] and ax.get_ylim() == f.window[1]
    assert ax.get_title() == "valley"


def test_grid_is_computed_once_per_landscape(monkeypatch):
    f = lt.landscape("x**2 + y**2")
    calls = []
    original = type(f).grid

    def counting(self, n=200):
        calls.append(n)
        return original(self, n)

    monkeypatch.setattr(type(f), "grid", counting)
    g1 = lt.landscape_grid(f, n=25)
    g2 = lt.landscape_grid(f, n=25)
    lt.contour_plot(f, n=25)
    assert calls == [25]
    assert g1[2] is g2[2]


def test_contour_plot_rejects_a_1d_landscape():
    with pytest.raises(ValueError, match="2-D landscape.*dim=1"):
        lt.contour_plot(lt.landscape("xcos"))


def test_contour_levels_cover_the_values_evenly(himmelblau):
    Z = lt.landscape_grid(himmelblau, 60)[2]
    levels = plots.figures._contour_levels(Z, 10)
    counts = np.histogram(Z[np.isfinite(Z)], bins=levels)[0]
    # quantile levels: every band holds a similar share of the window
    assert counts.min() > 0.5 * counts.mean()


def test_surface_plot_is_3d_and_labelled(himmelblau, trace):
    ax = lt.surface_plot(himmelblau, n=20, trace=trace)
    assert ax.name == "3d"
    assert ax.get_title() == "himmelblau"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("x", "y", "f(x, y)")
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == len(trace.xs)


def test_surface_plot_needs_a_3d_axes(himmelblau):
    with pytest.raises(ValueError, match="3-D axes"):
        lt.surface_plot(himmelblau, ax=_axes(), n=10)


# -------------------------------------------------------------- trajectories


def test_plot_trajectory_marks_every_step_and_both_ends(himmelblau, trace):
    ax = lt.contour_plot(himmelblau, n=30)
    art = lt.plot_trajectory(ax, trace)
    np.testing.assert_array_equal(art.line.get_xdata(), trace.xs[:, 0])
    np.testing.assert_array_equal(art.line.get_ydata(), trace.xs[:, 1])
    assert art.line.get_marker() == "."
    assert tuple(art.start.get_xdata()) == (trace.xs[0, 0],)
    assert tuple(art.end.get_ydata()) == (trace.xs[-1, 1],)
    labels = {h.get_label() for h in (art.line, art.start, art.end)}
    assert labels == {"path", "start", "end"}


def test_set_trajectory_moves_the_artists_in_place(himmelblau, trace):
    ax = lt.contour_plot(himmelblau, n=30)
    art = lt.plot_trajectory(ax, trace)
    n_lines = len(ax.lines)
    other = lt.run(himmelblau, lt.gd(lr=0.01), x0=[-1.0, 1.0], steps=7)
    lt.set_trajectory(art, other)
    assert len(ax.lines) == n_lines
    np.testing.assert_array_equal(art.line.get_xdata(), other.xs[:, 0])
    assert art.start.get_xdata()[0] == -1.0


def test_plot_trajectory_of_a_1d_run_lies_on_the_graph():
    f = lt.landscape("xcos")
    t = lt.run(f, lt.gd(lr=0.05), x0=[0.3], steps=10)
    ax = lt.plot_1d(None, f, t)
    path = ax.lines[1]
    np.testing.assert_allclose(path.get_ydata(), t.values)
    assert ax.get_title() == "xcos"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "f(x)")
    assert ax.get_xlim() == f.window[0]


def test_plot_1d_rejects_a_2d_landscape(himmelblau):
    with pytest.raises(ValueError, match="1-D landscape"):
        lt.plot_1d(None, himmelblau)


def test_bad_trace_shape_is_named():
    with pytest.raises(ValueError, match="shape"):
        lt.plot_trajectory(_axes(), np.zeros((0, 2)))


# -------------------------------------------------------------- curvature


def _points():
    return [
        {"x": [3.0, 2.0], "kind": "minimum"},
        {"x": [-0.27, -0.92], "kind": "maximum"},
        {"x": [0.09, 2.88], "kind": "saddle"},
        {"x": [-3.07, -0.08], "kind": "saddle"},
    ]


def test_critical_points_are_marked_by_kind_with_a_legend(himmelblau):
    ax = lt.contour_plot(himmelblau, n=30)
    drawn = lt.plot_critical_points(ax, _points())
    assert sorted(drawn) == ["maximum", "minimum", "saddle"]
    assert len(drawn["saddle"].get_xdata()) == 2
    assert drawn["minimum"].get_marker() == plots.KIND_STYLES["minimum"]["marker"]
    assert to_hex(drawn["maximum"].get_markerfacecolor()) == plots.KIND_STYLES["maximum"][
        "color"
    ].lower()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"minimum", "maximum", "saddle"} <= set(legend)


def test_critical_points_from_curvature_if_available(himmelblau):
    if not hasattr(lt, "critical_points"):
        pytest.skip("labtools.critical_points is not there yet")
    ax = lt.contour_plot(himmelblau, n=30)
    drawn = lt.plot_critical_points(ax, lt.critical_points(himmelblau))
    assert len(drawn["minimum"].get_xdata()) == 4


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="kind must be one of.*'ridge'"):
        lt.plot_critical_points(_axes(), [{"x": [0, 0], "kind": "ridge"}])


def test_hessian_arrows_scale_with_curvature_and_color_by_sign():
    f = lt.landscape("saddle_5")  # 5x^2 - y^2: eigenvalues 10 and -2 at the origin
    ax = lt.contour_plot(f, n=30)
    vals, vecs = np.linalg.eigh(f.hess(np.zeros(2)))
    arrows = lt.plot_hessian_arrows(ax, [0.0, 0.0], vals, vecs, scale=1.0)
    lengths = [float(np.hypot(q.U[0], q.V[0])) for q in arrows]
    by_value = dict(zip(vals.round(6).tolist(), lengths, strict=True))
    assert by_value[10.0] == pytest.approx(1.0)
    assert by_value[-2.0] == pytest.approx(0.2)
    colors = {float(v): to_hex(q.get_facecolor()[0]) for v, q in zip(vals, arrows, strict=True)}
    assert colors[10.0] == "#0072b2" and colors[-2.0] == "#d55e00"


def test_hessian_arrows_check_shapes():
    with pytest.raises(ValueError, match="eigvecs shape"):
        lt.plot_hessian_arrows(_axes(), [0, 0], [1, 2], np.eye(3))


# -------------------------------------------------------------- basins


def test_basins_use_the_okabe_ito_palette(himmelblau):
    bm = lt.basin_map(himmelblau, lt.gd(lr=0.01), n=16, steps=200)
    ax = _axes()
    image = lt.plot_basins(ax, bm)
    assert image.get_array().shape == (16, 16)
    colors = [to_hex(c).upper() for c in image.get_cmap().colors]
    assert colors[0] == plots.NO_BASIN_COLOR
    assert colors[1:] == list(plots.OKABE_ITO[: len(bm.minimizers)])
    for patch in ax.get_legend().get_patches():
        hexcolor = to_hex(patch.get_facecolor()).upper()
        assert hexcolor in plots.OKABE_ITO or hexcolor == plots.NO_BASIN_COLOR
    assert ax.get_title() == "Basins of attraction"
    assert ax.get_xlabel() and ax.get_ylabel()
    x_lo, x_hi, y_lo, y_hi = image.get_extent()
    assert (x_lo, x_hi) == himmelblau.window[0] and (y_lo, y_hi) == himmelblau.window[1]


def test_basin_colors_map_label_to_palette():
    labels = np.array([[0, 1], [-1, 2]])
    bm = {"labels": labels, "xs": np.array([0.0, 1.0]), "ys": np.array([0.0, 1.0]),
          "minimizers": np.zeros((3, 2))}
    image = lt.plot_basins(_axes(), bm, legend=False)
    rgba = image.to_rgba(labels)
    assert to_hex(rgba[0, 0]).upper() == plots.OKABE_ITO[0]
    assert to_hex(rgba[1, 1]).upper() == plots.OKABE_ITO[2]
    assert to_hex(rgba[1, 0]).upper() == plots.NO_BASIN_COLOR


# -------------------------------------------------------------- curves


def test_loss_and_grad_norm_are_log_scaled_titled_and_labelled(trace):
    ax1, ax2 = _axes(), _axes()
    l1 = lt.plot_loss(ax1, trace)
    l2 = lt.plot_grad_norm(ax2, trace)
    assert len(l1.get_xdata()) == len(trace.values)
    np.testing.assert_allclose(l2.get_ydata(), trace.grad_norms)
    for ax in (ax1, ax2):
        assert ax.get_yscale() == "log"
        assert ax.get_title() and ax.get_xlabel() == "step k" and ax.get_ylabel()


def test_loss_goes_linear_for_negative_values():
    f = lt.landscape("six_hump_camel")
    t = lt.run(f, lt.gd(lr=0.01), x0=[0.5, 0.5], steps=50)
    ax = _axes()
    lt.plot_loss(ax, t)
    assert ax.get_yscale() == "linear"


# -------------------------------------------------------------- output and alt text


def test_figure_png_is_a_png(himmelblau):
    ax = lt.contour_plot(himmelblau, n=20)
    png = lt.figure_png(ax.figure, dpi=50)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] > 50


def _figure(kind, himmelblau):
    if kind == "constrained, colour bar, title":
        fig = plt.figure(figsize=(6, 3.5), layout="constrained")
        lt.contour_plot(himmelblau, ax=fig.add_subplot(), n=20)
        fig.suptitle("a title over the figure")
    elif kind == "two panels, legend":
        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        for k in range(3):
            axes[1].semilogy(np.exp(-np.linspace(0, 5, 200) * (k + 1)) + 1e-3, label=f"run {k}")
        axes[1].legend()
        axes[0].plot([0, 1], [1, 0])
        fig.tight_layout()
    else:  # "legend outside the figure": the tight box grows beyond it
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1], label="a line")
        ax.legend(loc="upper left", bbox_to_anchor=(1.05, 1.0))
    return fig


@pytest.mark.parametrize("kind", [
    "constrained, colour bar, title",
    pytest.param("two panels, legend", marks=pytest.mark.slow),  # cut exactly: slow
    "legend outside the figure",
])
def test_figure_png_is_the_picture_savefig_gives(himmelblau, kind):
    # one draw cut to the tight box, or savefig itself: the same size, and the same
    # picture but for a shift of less than half a pixel (savefig moves the figure
    # by a fraction of a pixel; a crop one pixel off differs in ~10% of pixels)
    png = lt.figure_png(_figure(kind, himmelblau))
    buf = io.BytesIO()
    _figure(kind, himmelblau).savefig(buf, format="png", bbox_inches="tight")
    ours, theirs = (np.asarray(Image.open(io.BytesIO(b)).convert("RGBA")).astype(int)
                    for b in (png, buf.getvalue()))
    assert ours.shape == theirs.shape
    diff = np.abs(ours - theirs).max(axis=2)
    assert (diff > 32).mean() < 0.03 and diff.mean() < 4


def test_figure_png_draws_once_when_the_tight_box_is_inside(himmelblau, monkeypatch):
    fig = _figure("two panels, legend", himmelblau)
    monkeypatch.setattr(fig, "savefig", lambda *a, **k: pytest.fail("savefig was called"))
    draws = []
    real = fig.canvas.draw
    monkeypatch.setattr(fig.canvas, "draw", lambda: (draws.append(1), real())[1])
    assert lt.figure_png(fig)[:4] == b"\x89PNG" and draws == [1]


def test_img_tag_embeds_and_escapes_alt():
    tag = lt.png_img_tag(b"\x89PNG", alt='a <b> "c"', width=300)
    assert tag.startswith('<img src="data:image/png;base64,')
    assert 'alt="a &lt;b&gt; &quot;c&quot;"' in tag
    assert 'width="300"' in tag
    assert base64.b64decode(tag.split("base64,")[1].split('"')[0]) == b"\x89PNG"


@pytest.mark.parametrize("alt", ["", "   ", None, 3])
def test_alt_text_is_required(alt):
    with pytest.raises(ValueError, match="alt must be a sentence"):
        lt.png_img_tag(b"", alt=alt)


def test_show_displays_html_with_alt_and_closes(monkeypatch, himmelblau):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False, metadata=None: shown.append((obj, metadata)))
    fig, ax = plt.subplots()
    lt.contour_plot(himmelblau, ax=ax, n=20)
    lt.show(fig, alt="Contour map of Himmelblau's function")
    (bundle, metadata), = shown
    assert 'alt="Contour map of Himmelblau&#x27;s function"' in bundle["text/html"]
    assert bundle["text/html"].startswith("<img ")
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert metadata["image/png"]["alt"].startswith("Contour map")
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("draw", [
    lambda f, t: lt.contour_plot(f, n=20),
    lambda f, t: lt.surface_plot(f, n=10),
    lambda f, t: lt.plot_loss(_axes(), t).axes,
    lambda f, t: lt.plot_grad_norm(_axes(), t).axes,
    lambda f, t: lt.plot_basins(_axes(), lt.basin_map(f, lt.gd(lr=0.01), n=8, steps=50)).axes,
    lambda f, t: lt.plot_1d(None, lt.landscape("xcos")),
])
def test_every_helper_titles_and_labels(himmelblau, trace, draw):
    ax = draw(himmelblau, trace)
    assert ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()


# --------------------------------------------------------------------------- tables


def test_markdown_table_formats_aligns_and_marks_missing_cells():
    text = lt.markdown_table(
        [("gradient descent", 1234, None, 0.5), ("a | b", None, 7, 0.125)],
        ["optimizer", "steps", "escape", "success"],
        formats=[None, None, None, ".1%"],
        missing=[None, "> 3000", "> 200", None],
    )
    assert text.splitlines() == [
        "| optimizer | steps | escape | success |",
        "| :--- | ---: | ---: | ---: |",
        "| gradient descent | 1234 | > 200 | 50.0% |",
        "| a \\| b | > 3000 | 7 | 12.5% |",
    ]
    # default number format: 3 significant digits; callables and center alignment
    text = lt.markdown_table([[3.14159, 2]], ["pi", "n"], formats=[None, lambda v: f"#{v}"],
                             align="center")
    assert text.splitlines()[1:] == ["| :---: | :---: |", "| 3.14 | #2 |"]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(rows=[(1, 2)], headers=["a"]), ValueError, r"rows\[0\] must have 1 cells"),
    (dict(rows=[1], headers=["a"]), TypeError, r"rows\[0\] must be a sequence of cells"),
    (dict(rows="ab", headers=["a"]), TypeError, r"rows must be a sequence of rows"),
    (dict(rows=[], headers="a"), TypeError, r"headers must be a sequence of column titles"),
    (dict(rows=[], headers=[]), ValueError, r"headers must name at least one column"),
    (dict(rows=[(1,)], headers=["a"], align="up"), ValueError, r"align must be 'left'"),
    (dict(rows=[(1,)], headers=["a"], formats=[None, None]), ValueError,
     r"formats must have one entry per column \(1\), got 2"),
])
def test_markdown_table_rejects_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        lt.markdown_table(**kwargs)
