"""Tests of labtools.widgets, driven as a learner would: set controls, read the result.

Each test changes controls programmatically (``w.controls[name].value = ...``
fires the same callback a slider move does, or ``w.set(...)``), then checks
that the result changed, that the drawn artists moved and that the image in
the widget changed; bad values must give a message in the widget, and the
widget must keep working afterwards. No test measures time.
"""

from __future__ import annotations

import base64
import io
import re

import ipywidgets
import matplotlib
import matplotlib.backends.backend_agg

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import labtools as lt  # noqa: E402
from labtools import plots  # noqa: E402
from labtools.widgets import controls as ctl  # noqa: E402
from labtools.widgets import landscape as landscape_module  # noqa: E402
from labtools.widgets import network as network_module  # noqa: E402
from labtools.widgets.base import Widget  # noqa: E402
from labtools.widgets.inputs import catalog_names  # noqa: E402
from labtools.widgets.panel import encode_png  # noqa: E402

W = lt.widgets

# make unit keeps one case of each check; the cases that repeat it on another
# explorer or value (each builds a widget: a second of CPU or more) run in
# make unit-slow, which make test runs too.
slow = pytest.mark.slow


@pytest.fixture(autouse=True)
def _live_kernel(monkeypatch):
    """Run as in a live notebook unless a test says otherwise."""
    monkeypatch.delenv("LABTOOLS_BUILD", raising=False)


def png_of(html_value):
    """The PNG inside an HTML widget's <img>, decoded, and the img's alt text."""
    m = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', html_value)
    assert m, f"no embedded PNG with alt text in {html_value[:120]!r}"
    png = base64.b64decode(m.group(1))
    image = Image.open(io.BytesIO(png))
    image.load()
    return image, m.group(2)


def pixels(html_value):
    image, _ = png_of(html_value)
    return np.asarray(image.convert("RGB"))


# ================================================================ landscape explorer


@pytest.fixture
def explorer():
    return W.landscape_explorer("himmelblau", optimizer="gd", lr=0.01, steps=40, n=40)


def test_explorer_shows_a_run_with_a_described_figure(explorer):
    t = explorer.trace
    assert t is not None and len(t.xs) >= 2
    image, alt = png_of(explorer.image.value)
    assert image.size == explorer.panel.size
    assert "himmelblau" in alt and t.message in alt.replace("&#x27;", "'")
    _, loss_alt = png_of(explorer.loss_image.value)
    assert "step" in loss_alt
    assert t.message in explorer.message
    np.testing.assert_array_equal(explorer.path.line.get_xdata(), t.xs[:, 0])
    assert explorer.widget is not None
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_every_control_is_labelled(explorer):
    for name, control in explorer.controls.items():
        assert control.description, f"control {name} has no label"


def test_moving_a_slider_reruns_and_redraws_in_place(explorer):
    before_trace = explorer.trace
    before = pixels(explorer.image.value)
    fig, line = explorer.panel.fig, explorer.path.line
    full_draws = explorer.panel.full_draws
    explorer.controls["x0"].value = -2.0
    assert explorer.trace is not before_trace
    assert explorer.trace.xs[0, 0] == -2.0
    np.testing.assert_array_equal(line.get_xdata(), explorer.trace.xs[:, 0])
    assert not np.array_equal(pixels(explorer.image.value), before)
    # the same figure and artists, updated by blitting: no full redraw
    assert explorer.panel.fig is fig and explorer.path.line is line
    assert explorer.panel.full_draws == full_draws


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_lr_and_optimizer_change_the_trace(explorer):
    explorer.set(lr=0.02)
    t1 = explorer.trace
    explorer.set(optimizer="momentum", beta=0.5)
    t2 = explorer.trace
    assert not np.array_equal(t1.xs, t2.xs)
    assert "momentum" in explorer.message
    assert not explorer.controls["beta"].disabled
    explorer.set(optimizer="adam")
    assert explorer.controls["beta"].disabled  # adam takes no beta


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_noise_changes_the_path_reproducibly(explorer):
    explorer.set(sigma=0.5)
    noisy = explorer.trace.xs.copy()
    explorer.set(sigma=0.0)
    explorer.set(sigma=0.5)
    np.testing.assert_array_equal(explorer.trace.xs, noisy)


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_set_changes_several_controls_with_one_update(explorer):
    n = explorer.updates
    explorer.set(x0=1.0, y0=-1.0, lr=0.005, steps=30)
    assert explorer.updates == n + 1
    assert explorer.trace.xs[0].tolist() == [1.0, -1.0]


@pytest.mark.parametrize("values, words", [
    ({"lr": 0}, "lr must be positive"),
    pytest.param({"lr": -0.1}, "lr must be positive", marks=slow),
    pytest.param({"steps": -1}, "steps must be between 1 and 1000", marks=slow),
    pytest.param({"x0": 99.0}, "x0 must be between -5 and 5", marks=slow),  # the tour
    pytest.param({"lr": "fast"}, "lr must be a number", marks=slow),
    pytest.param({"optimizer": "sgd"}, "optimizer must be one of", marks=slow),
    pytest.param({"speed": 3}, "'speed' is not a control", marks=slow),  # the tour
])
def test_bad_values_get_a_message_and_the_widget_goes_on(explorer, values, words):
    trace, image = explorer.trace, explorer.image.value
    explorer.set(**values)
    assert words in explorer.message
    assert explorer.message.startswith("Problem:")
    assert "role=\"alert\"" in explorer.status.value
    assert explorer.trace is trace and explorer.image.value == image  # nothing changed
    explorer.set(lr=0.03)
    assert explorer.error is None and explorer.trace is not trace


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_a_bad_expression_is_reported_then_a_good_one_works(explorer):
    before = explorer.landscape
    explorer.set(expression="x**2 + ((")
    assert explorer.message.startswith("Problem:")
    assert explorer.landscape is before
    explorer.set(expression="z**2 + y")  # an unknown variable
    assert explorer.message.startswith("Problem:")
    explorer.set(expression="x**2 + 3*sin(y)")
    assert explorer.error is None
    assert explorer.landscape.name.replace(" ", "") == "x**2+3*sin(y)"
    (x_lo, x_hi), _ = explorer.landscape.window
    assert explorer.controls["x0"].min == x_lo and explorer.controls["x0"].max == x_hi
    assert explorer.ax.get_xlim() == (x_lo, x_hi)


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_a_1d_expression_is_refused_in_plain_words(explorer):
    explorer.set(expression="x**4 - x")
    assert "function of x and y" in explorer.message


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_switching_landscape_redraws_the_background_once(explorer):
    draws = explorer.panel.full_draws
    explorer.controls["landscape"].value = "rosenbrock"
    assert explorer.landscape.name == "rosenbrock"
    assert explorer.ax.get_ylim() == explorer.landscape.window[1]
    assert explorer.panel.full_draws == draws + 1
    assert "rosenbrock" in png_of(explorer.image.value)[1]


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_an_error_inside_the_computation_is_shown(explorer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the optimizer exploded")

    monkeypatch.setattr(landscape_module, "run", broken)
    explorer.set(lr=0.02)
    assert "something went wrong" in explorer.message and "exploded" in explorer.message
    assert isinstance(explorer.exception, RuntimeError)  # kept, with its traceback
    monkeypatch.undo()
    explorer.set(lr=0.03)
    assert explorer.error is None


def test_diverging_run_is_reported(explorer):
    explorer.set(lr=1.0, x0=4.0, y0=4.0)
    assert explorer.trace.status == "diverged"
    assert "diverged" in explorer.message


def test_click_moves_the_start(explorer):
    target = (2.0, -3.0)
    px, py = explorer.ax.transData.transform(target)
    height = explorer.panel.size[1]
    explorer.click(px, height - py)
    np.testing.assert_allclose(explorer.trace.xs[0], target, atol=0.05)
    explorer.click(2, 2)  # the figure's corner, outside the axes
    assert "outside the map" in explorer.message


@slow  # make unit: test_updates_blit_and_the_rebuild_baseline_redraws[landscape]
def test_rebuild_baseline_draws_the_same_run(explorer):
    trace = explorer.update(rebuild=True)
    image, alt = png_of(explorer.image.value)
    assert image.size[0] > explorer.panel.size[0]  # one wide figure with both panels
    assert trace.message in alt
    explorer.update()
    assert png_of(explorer.image.value)[0].size == explorer.panel.size


def test_the_explorer_checks_on_one_widget(explorer, monkeypatch):
    """make unit runs the explorer's checks one after another on one explorer (building
    one costs about a second of CPU); make unit-slow runs each on an explorer of its own."""
    # in an order where each check changes lr from what the one before left
    test_every_control_is_labelled(explorer)
    test_noise_changes_the_path_reproducibly(explorer)
    test_set_changes_several_controls_with_one_update(explorer)
    test_bad_values_get_a_message_and_the_widget_goes_on(
        explorer, {"x0": 99.0}, "x0 must be between -5 and 5")
    test_lr_and_optimizer_change_the_trace(explorer)
    test_bad_values_get_a_message_and_the_widget_goes_on(
        explorer, {"speed": 3}, "'speed' is not a control")
    test_a_click_event_from_a_narrower_image_is_scaled(explorer)
    test_live_kernel_attaches_click_events_when_ipyevents_is_there(explorer)
    test_an_error_inside_the_computation_is_shown(explorer, monkeypatch)
    test_a_1d_expression_is_refused_in_plain_words(explorer)
    test_a_bad_expression_is_reported_then_a_good_one_works(explorer)
    test_switching_landscape_redraws_the_background_once(explorer)


def test_bad_constructor_values_are_shown_not_raised():
    w = W.landscape_explorer("no such function ((", lr=0, steps=5, n=30)
    assert w.message.startswith("Problem:")
    assert w.trace is not None  # falls back to a working landscape


def test_static_build_adds_the_note_under_a_kernel_drawn_figure(monkeypatch):
    """A widget whose figure Python draws says under it, on the site, that it is a snapshot."""
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    w = Widget()
    w.controls["lr"] = ctl.slider_log("lr", 0.01, -4, 0)
    w.assemble([["lr"]])
    assert "Binder" in w.widget.children[-1].value


def test_not_shown_builds_a_widget_as_in_a_live_kernel(monkeypatch):
    """A widget a hidden cell only reads skips the page extras, with the same result."""
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    shown = W.basin_map_explorer("himmelblau", n=10, steps=10)
    with W.not_shown():
        assert not W.building_site()
        with W.not_shown():
            pass
        assert not W.building_site()  # nested blocks: still off until the outer one ends
        read = W.basin_map_explorer("himmelblau", n=10, steps=10)
    assert W.building_site()
    assert len(shown.front.spec["landscapes"]) > 1 and list(read.front.spec["landscapes"]) == [
        "himmelblau"]
    assert np.array_equal(shown.result.labels, read.result.labels)


@pytest.mark.parametrize("make,view,points", [
    # make unit: the basins case, and the race's map in the test after the next one
    pytest.param(lambda: W.hessian_inspector("saddle", n=30), "hessian", ("x", "y"),
                 marks=slow),
    pytest.param(lambda: W.optimizer_race("himmelblau", ["gd", "newton"], steps=20), "race",
                 ("x0", "y0", "lr gd"), marks=slow),
    (lambda: W.basin_map_explorer("himmelblau", n=10, steps=10), "basins",
     ("optimizer", "lr", "n", "steps", "progress")),
])
def test_static_build_of_the_2d_front_ends(monkeypatch, make, view, points):
    """Hessian inspector, race and basin map run in the browser on the site: no
    snapshot note, the front end among the children, its controls wired."""
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    w = make()
    assert w.front.view == view and w.front in w.widget.children
    assert w.widget.children[-1] is w.status
    assert not any("snapshot" in getattr(x, "value", "") for x in _all_html(w.widget))
    assert all(w.front.controls[k] is w.controls.get(k, getattr(w, k, None))
               for k in w.front.controls)
    assert getattr(w, "click_events", None) is None
    assert set(points) <= set(w.front.controls)


@slow
def test_static_build_of_a_live_widget(monkeypatch):
    """The landscape explorer's figure runs in the browser: no snapshot note, every
    2-D catalog map in its front end, and what the page needs to read a formula itself
    (js/formula.js): no kernel note, the formula window, start, frame and colormap."""
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    w = W.landscape_explorer("himmelblau", steps=10, n=30)
    assert w.click_events is None  # the front end handles clicks itself
    assert w.widget.children[-1] is w.status and w.front in w.widget.children
    assert not any("snapshot" in getattr(x, "value", "") for x in _all_html(w.widget))
    spec = w.front.spec
    assert set(spec["landscapes"]) == set(catalog_names(2))
    assert w.controls["expression"].disabled  # until "your own expression" is chosen
    assert not spec["kernel_note"]
    formula = spec["formula"]
    assert formula["window"] == [[-3.0, 3.0], [-3.0, 3.0]] and len(formula["colors"]) == 256
    assert formula["frame"]["src"].startswith("data:image/png;base64,")
    assert formula["start"] == pytest.approx([-1.8, -1.8]) and "himmelblau" in formula["catalog"]
    png_of(w.image.value)  # the Python figure is still made (tests, benchmarks)


def test_the_front_end_bundle_declares_each_top_level_name_once():
    """front.bundle() joins the files of js/ into one module: a name declared at
    the top of two files would be a SyntaxError that stops every front end."""
    from labtools.widgets.front import bundle

    names = re.findall(r"^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+"
                       r"([A-Za-z_$][\w$]*)", bundle(), flags=re.MULTILINE)
    assert len(names) > 50
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"declared at the top of more than one file of js/: {twice}"


def test_a_front_end_opens_with_its_own_bundle_and_sends_no_other(monkeypatch):
    """The widget's comm opens carrying the module of its view, and no ``_esm`` change
    follows: in a running notebook anywidget loads the module again on such a change
    and renders the view a second time, while the first view still listens to the
    controls (JupyterLab drew the race twice a move)."""
    from ipywidgets.widgets import widget as widget_module

    from labtools.widgets.front import FrontEnd, bundle

    opened, sent = [], []

    class Comm:  # what ipywidgets sends, recorded
        comm_id, kernel = "recorded", None

        def __init__(self, **kwargs):
            opened.append(kwargs.get("data", {}).get("state", {}))

        def send(self, data=None, buffers=None):
            sent.append((data or {}).get("state", {}))

        def on_msg(self, callback):
            pass

        def close(self, *args, **kwargs):
            pass

    monkeypatch.setattr(widget_module.comm, "create_comm", lambda **kw: Comm(**kw))
    fe = FrontEnd(view="race", spec={}, controls={"lr": ipywidgets.FloatSlider()})
    assert opened[-1]["_esm"] == bundle("race") == fe._esm
    assert len(bundle("race")) < len(bundle()) / 2  # only the files the view needs
    assert not any("_esm" in state for state in sent), [sorted(s) for s in sent]


def test_the_race_sends_a_new_map_to_its_front_end_in_a_running_notebook():
    w = W.optimizer_race("himmelblau", ["gd", "adam"], steps=20)
    assert list(w.front.spec["landscapes"]) == ["himmelblau"]  # one map, not all
    w.set(landscape="rosenbrock")
    assert set(w.front.spec["landscapes"]) == {"himmelblau", "rosenbrock"}
    entry = w.front.spec["landscapes"]["rosenbrock"]
    assert entry["global_min"] == 0.0 and entry["src"].startswith("(() =>")


def test_saddle_chain_explorer_is_live_on_the_static_site(monkeypatch):
    """The chain explorer's figure runs in the browser (js/chain.js): on the static
    site every control is on, the front end listens to all of them, no snapshot note,
    and the spec carries the chain's parameters and the settings of both runs."""
    from labtools.landscapes.chain import GATE
    from labtools.widgets import chain as chain_module

    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    w = W.saddle_chain_explorer(d=2, max_steps=200)
    assert not any(c.disabled for c in w.controls.values())
    assert w.widget.children[-1] is w.status and w.front in w.widget.children
    assert w.front.view == "chain" and set(w.front.controls) == {"d", "lr", "radius"}
    assert not any("snapshot" in getattr(x, "value", "") for x in _all_html(w.widget))
    s = w.front.spec
    chain = lt.saddle_chain(1)
    assert (s["gamma"], s["L"], s["a"], tuple(s["gate"])) == (chain.gamma, chain.L, chain.a,
                                                              GATE)
    assert (s["start"], s["target"], s["max_steps"]) == (chain_module.START,
                                                          chain_module.TARGET, 200)
    assert (s["g_thresh"], s["t_thresh"], s["seed"]) == (chain_module.G_THRESH,
                                                         chain_module.T_THRESH, 0)
    assert s["bg"]["src"].startswith("data:image/png;base64,") and len(s["box"]) == 4


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_live_kernel_attaches_click_events_when_ipyevents_is_there(explorer):
    pytest.importorskip("ipyevents")
    assert explorer.click_events is not None
    assert explorer.click_events.source is explorer.image


@slow  # builds all eight explorers for the site
def test_only_core_widget_models_are_shown_on_the_site(monkeypatch):
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    makers = [
        lambda: W.landscape_explorer(steps=5, n=30),
        lambda: W.explorer_1d(steps=5),
        lambda: W.chord_explorer(),
        lambda: W.hessian_inspector(n=30),
        lambda: W.optimizer_race(steps=5),
        lambda: W.basin_map_explorer(n=10, steps=10),
        lambda: W.saddle_escape_explorer(max_steps=50),
        lambda: W.network_explorer(steps=20),
        lambda: W.saddle_chain_explorer(d=2, max_steps=200),
        lambda: W.minibatch_explorer(steps=10),
        lambda: W.escape_histogram(runs=50, max_steps=200),
    ]
    for make in makers:
        w = make()
        seen, stack = set(), [w.widget]
        while stack:
            widget = stack.pop()
            if id(widget) in seen:
                continue
            seen.add(id(widget))
            # anywidget: the browser front ends, whose AMD module the site vendors
            assert widget._model_module in {"@jupyter-widgets/controls",
                                             "@jupyter-widgets/base",
                                             "@jupyter-widgets/output",
                                             "anywidget"}, widget
            stack.extend(getattr(widget, "children", ()))
        images = re.findall(r"<img [^>]*>", str([getattr(x, "value", "") for x in
                                                  _all_html(w.widget)]))
        front = getattr(w, "front", None)
        if front is not None:  # the figure is drawn in the browser over these backgrounds
            assert "data:image/png;base64," in str(front.spec)
            images += re.findall(r"<img [^>]*>", str([getattr(p.image, "value", "")
                                                      for p in w.panels]))
        assert images, f"{type(w).__name__} shows no figure"
        assert all('alt="' in tag and 'alt=""' not in tag for tag in images)


def _all_html(widget):
    out, stack = [], [widget]
    while stack:
        x = stack.pop()
        if type(x).__name__ == "HTML":
            out.append(x)
        stack.extend(getattr(x, "children", ()))
    return out


# ================================================================ 1-D explorer


def test_explorer_1d_steps_through_the_run():
    w = W.explorer_1d("xcos", lr=0.05, x0=0.3, steps=12)
    n = w.trace.steps_taken
    assert w.controls["k"].max == n and w.play.max == n
    assert len(w.path.get_xdata()) == n + 1
    first = pixels(w.image.value)
    w.controls["k"].value = 3
    assert len(w.path.get_xdata()) == 4
    assert w.point.get_xdata()[0] == pytest.approx(w.trace.xs[3, 0])
    assert not np.array_equal(pixels(w.image.value), first)
    assert "step 3" in png_of(w.image.value)[1]
    # the Play and the step slider move each other in Python (linked there, not in
    # the page, whose link would message the kernel at every move of a drag)
    w.play.value = 5
    assert w.controls["k"].value == 5 and len(w.path.get_xdata()) == 6
    w.controls["k"].value = 2
    assert w.play.value == 2
    from ipywidgets.widgets.widget import _instances
    assert not [m for m in _instances.values() if isinstance(m, ipywidgets.widgets.widget_link.Link)
                and w.play in (m.source[0], m.target[0])]


def test_explorer_1d_reruns_on_lr_and_reports_bad_values():
    w = W.explorer_1d("xcos", lr=0.05, x0=0.3, steps=12)
    t = w.trace
    w.set(lr=0.2)
    assert w.trace is not t
    w.set(lr=0)
    assert "lr must be positive" in w.message
    w.set(steps=-1)
    assert "steps must be between" in w.message
    w.set(expression="x**4 - 2*x**2")
    assert w.error is None and w.landscape.dim == 1
    w.set(expression="x*y")
    assert "function of x alone" in w.message
    w.set(x0=0.5)
    assert w.error is None and w.trace.xs[0, 0] == 0.5


# ================================================================ chord explorer


def test_chord_of_a_convex_function_never_dips_below():
    w = W.chord_explorer("x**2", a=-1.0, b=2.0)
    assert w.result == 0.0
    assert "convex" in w.message


def test_chord_explorer_follows_the_points():
    w = W.chord_explorer("xcos", a=-0.5, b=0.5)
    assert 0 < w.result < 1
    before = pixels(w.image.value)
    chord = w.chord.get_xydata().copy()
    w.controls["b"].value = 1.5
    assert not np.array_equal(w.chord.get_xydata(), chord)
    assert not np.array_equal(pixels(w.image.value), before)
    w.set(b=-0.5)
    assert "same point" in w.message
    w.set(b=1.0)
    assert w.error is None


def test_chord_on_a_slice_of_a_2d_landscape():
    w = W.chord_explorer("himmelblau", a=[-3.0, -2.0], b=[3.0, 2.0])
    assert set(w.controls) == {"ax", "ay", "bx", "by"}
    np.testing.assert_allclose(w.segment.get_xydata(), [[-3.0, -2.0], [3.0, 2.0]])
    assert w.result > 0.5  # over the central hump the chord lies below
    w.set(ax=3.0, ay=2.0, bx=3.5, by=2.0)  # a short chord in a basin
    assert w.result == 0.0


# ================================================================ Hessian inspector


def test_hessian_inspector_classifies_a_saddle():
    w = W.hessian_inspector("saddle", x=[0.0, 0.0], n=30)
    r = w.result
    assert r["kind"] == "saddle" and r["critical"]
    np.testing.assert_allclose(sorted(r["eigenvalues"]), [-2.0, 2.0])
    colors = sorted(str(q.get_facecolor()[0].round(3)) for q in w.arrows)
    assert len(set(colors)) == 2  # one arrow pair curves up, one down
    assert "saddle" in w.info.value and "saddle" in png_of(w.image.value)[1]


def test_hessian_inspector_moves_the_point_and_the_model():
    w = W.hessian_inspector("himmelblau", x=[3.0, 2.0], n=30)
    assert w.result["kind"] == "minimum" and w.result["critical"]
    model = list(w.model)
    offsets = w.arrows[0].get_offsets().copy()
    w.set(x=-0.27, y=-0.92)
    assert not w.result["critical"]
    assert w.model and w.model[0] is not model[0]
    assert not np.array_equal(w.arrows[0].get_offsets(), offsets)
    w.controls["taylor"].value = False
    assert w.model == []
    assert "Taylor" not in png_of(w.image.value)[1]


def test_hessian_inspector_reports_bad_input():
    w = W.hessian_inspector("himmelblau", n=30)
    w.set(expression="sin(")
    assert w.message.startswith("Problem:")
    w.set(x=50.0)
    assert "x must be between" in w.message
    w.set(x=1.0)
    assert w.error is None


# ================================================================ optimizer race


def test_race_runs_every_optimizer_and_fills_the_table():
    w = W.optimizer_race("himmelblau", ["gd", "momentum", "adam"], x0=[0.0, 0.0], steps=30,
                         lr={"gd": 0.01, "momentum": 0.005, "adam": 0.1})
    assert sorted(w.result) == ["adam", "gd", "momentum"]
    assert w.table.value.count("<tr>") == 4  # a header and three rows
    gd_before = w.result["gd"]
    adam_before = w.result["adam"]
    w.controls["lr adam"].value = 0.2
    assert not np.array_equal(w.result["adam"].xs, adam_before.xs)
    np.testing.assert_array_equal(w.result["gd"].xs, gd_before.xs)
    for art, name in zip(w.paths, w.names, strict=True):
        np.testing.assert_array_equal(art.line.get_xdata(), w.result[name].xs[:, 0])
    w.set(x0=1.0)
    assert all(t.xs[0, 0] == 1.0 for t in w.result.values())
    w.set(**{"lr gd": 0})
    assert "lr gd must be positive" in w.message


def test_race_never_names_a_run_that_diverged_as_the_lowest():
    # on the saddle x^2 - y^2, unbounded below, momentum at this lr leaves the map
    # (diverged) with the lowest f of all; the lowest of the runs that did not is gd's
    w = W.optimizer_race("saddle", ["gd", "momentum"], x0=(-0.95, 0.37), steps=300,
                         lr={"gd": 0.011, "momentum": 0.011})
    status = {n: t.status for n, t in w.result.items()}
    assert status == {"gd": "max_steps", "momentum": "diverged"}
    assert w.result["momentum"].values[-1] < w.result["gd"].values[-1]
    assert w.message.startswith("From (-0.95, 0.37): lowest final value by gd (f = ")
    assert w.message.endswith("; momentum diverged.")
    w.set(**{"lr gd": 0.2})
    assert w.result["gd"].status == "diverged"
    assert w.message == "From (-0.95, 0.37): every run diverged (see the table)."


@slow  # make unit: test_race_runs_every_optimizer_and_fills_the_table (a bad lr)
def test_race_leaves_out_unknown_optimizers_with_a_message():
    w = W.optimizer_race("himmelblau", optimizers=["gd", "sgd"], steps=10)
    assert w.names == ["gd"] and sorted(w.result) == ["gd"]
    assert "optimizers must be one of" in w.message and "'sgd'" in w.message


# ================================================================ basin map explorer


def test_basin_map_explorer_recomputes_with_progress():
    w = W.basin_map_explorer("himmelblau", lr=0.01, n=16, steps=100)
    bm = w.result
    assert bm.labels.shape == (16, 16)
    assert w.progress.value == 1.0
    before = pixels(w.image.value)
    w.set(lr=0.03)
    assert w.result is not bm
    assert not np.array_equal(pixels(w.image.value), before)
    image = w.ax.images[0]
    colors = [c.upper() for c in map(matplotlib.colors.to_hex, image.get_cmap().colors)]
    assert set(colors[1:]) <= set(plots.OKABE_ITO)
    assert "Share of starts" in w.table.value


def test_basin_map_explorer_refuses_a_landscape_without_minima():
    w = W.basin_map_explorer("saddle", n=10, steps=20)
    assert "no known minimizers" in w.message
    assert w.result is not None  # it shows the default landscape instead


# ================================================================ saddle escape


def test_saddle_escape_matches_the_theory_for_gd():
    w = W.saddle_escape_explorer("saddle", lr=0.1, max_steps=400)
    r = w.result
    ok = r["steps"] >= 0
    assert ok.all()
    assert np.max(np.abs(r["steps"] - r["predicted"])) <= 2
    measured = w.measured.get_ydata().copy()
    w.set(lr=0.05)
    assert w.result["predicted"][0] > r["predicted"][0]
    assert not np.array_equal(w.measured.get_ydata(), measured)


def degenerate_saddle_explorer():
    w = W.saddle_escape_explorer("monkey_saddle", lr=0.1, max_steps=100)
    assert w.error is None and w.result["predicted"] is None
    assert "no negative eigenvalue (λmin = 0): a degenerate saddle" in w.message  # not -0
    assert len(w.theory.get_xdata()) == 0
    # e and a run along two different directions (the zero Hessian ties its eigenvalues)
    r, a = w.result["radius"], w.controls["a"].value
    starts = [art.line.get_xydata()[0] for art in w.paths]
    np.testing.assert_allclose(starts, [[r * e, r * a] for e in w.shown_e])
    return w


def test_saddle_without_negative_curvature_has_no_theory_line():
    degenerate_saddle_explorer()  # with gd; each optimizer below, in make unit-slow


@slow
def test_every_optimizer_says_a_degenerate_saddle_has_no_theory_line():
    w = degenerate_saddle_explorer()
    for name in W.SaddleEscapeExplorer.OPTIMIZERS:  # every optimizer says so, none crashes
        w.set(optimizer=name)
        assert w.error is None and "no negative eigenvalue" in w.message, name
        assert w.result["predicted"] is None and not _legend_texts(w.legend)[1:]


@slow
def test_saddle_explorer_reports_an_unknown_saddle():
    w = W.saddle_escape_explorer("himmelblau", max_steps=50)
    assert "landscape must be one of" in w.message
    assert w.result is not None


@slow  # make unit: test_the_explorer_checks_on_one_widget
def test_a_click_event_from_a_narrower_image_is_scaled(explorer):
    target = (-3.0, 1.0)
    px, py = explorer.ax.transData.transform(target)
    width, height = explorer.panel.size
    shown = 0.8  # the page shows the image at 80 % of its pixel width
    explorer._handle_click({"relativeX": px * shown, "relativeY": (height - py) * shown,
                            "boundingRectWidth": width * shown,
                            "boundingRectHeight": 999})
    np.testing.assert_allclose(explorer.trace.xs[0], target, atol=0.05)
    explorer._handle_click({"type": "click"})  # a malformed event: a message, no traceback
    assert explorer.message.startswith("Problem:")


def test_png_encoder_round_trips_the_pixels():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    image = Image.open(io.BytesIO(encode_png(rgba, False)))
    assert image.mode == "RGB" and image.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(image), rgba[:, :, :3])
    # the static site's palette PNG: 35 pixels fit a 256-colour palette exactly
    image = Image.open(io.BytesIO(encode_png(rgba, True)))
    assert image.mode == "P" and image.size == (5, 7)
    np.testing.assert_array_equal(np.asarray(image.convert("RGB")), rgba[:, :, :3])


def test_a_background_is_drawn_once_while_the_figure_is_unchanged(monkeypatch):
    from labtools.widgets.panel import Panel

    panel = Panel((2.0, 1.5))
    ax = panel.fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    (dot,) = ax.plot([0.5], [0.5], "o")
    panel.add(dot)
    panel.render("k")
    draws = []
    real_draw = panel.canvas.draw
    monkeypatch.setattr(panel.canvas, "draw", lambda: (draws.append(1), real_draw())[1])
    first = panel.static_rgba().copy()
    dot.set_data([0.2], [0.8])          # a moving artist: the background still holds
    assert np.array_equal(panel.static_rgba(), first) and draws == []
    ax.set_xlim(-1, 2)                  # the static part changed: drawn again
    again = panel.static_rgba()
    assert draws == [1] and not np.array_equal(again, first)
    assert panel.redraws("k")           # and the next render draws in full too


@pytest.mark.parametrize("make", [
    lambda: W.explorer_1d(steps=10),  # make unit: one figure, its background reused
    pytest.param(lambda: W.network_explorer(steps=20), marks=slow),
    pytest.param(lambda: W.landscape_explorer(steps=20), marks=slow),
    pytest.param(lambda: W.chord_explorer(), marks=slow),
    pytest.param(lambda: W.minibatch_explorer(), marks=slow),
    pytest.param(lambda: W.escape_histogram(), marks=slow),
    pytest.param(lambda: W.hessian_inspector(n=30), marks=slow),
    pytest.param(lambda: W.saddle_chain_explorer(), marks=slow),
    pytest.param(lambda: W.optimizer_race(steps=20), marks=slow),
], ids=["1d", "network", "landscape", "chord", "minibatch", "escape", "hessian", "chain",
        "race"])
def test_a_reused_background_is_the_figure_as_it_stands(make, monkeypatch):
    # Panel.render and Panel.static_rgba reuse the background of an earlier full
    # draw when Matplotlib says nothing changed since: each time one does, the
    # background must be what drawing the figure's static part now gives
    from labtools.widgets.panel import Panel

    draws, checked = [0], []
    canvas_draw = matplotlib.backends.backend_agg.FigureCanvasAgg.draw

    def counting(canvas):
        draws[0] += 1
        return canvas_draw(canvas)

    def check(panel):
        # drawn again where the last layout put everything (the layout of a
        # figure's first draw can differ by a pixel from later ones; the front
        # end places its drawing with the axes' box of that same layout)
        cached = panel._static.copy()
        with monkeypatch.context() as mp:
            mp.setattr(panel.fig.get_layout_engine(), "execute", lambda fig: None)
            canvas_draw(panel.canvas)
        checked.append(np.array_equal(cached, np.asarray(panel.canvas.buffer_rgba())))

    def watching(method):
        def wrapped(panel, *args):
            before = draws[0]
            out = method(panel, *args)
            if draws[0] == before and panel._background is not None:
                check(panel)
            return out
        return wrapped

    monkeypatch.setattr(matplotlib.backends.backend_agg.FigureCanvasAgg, "draw", counting)
    monkeypatch.setattr(Panel, "render", watching(Panel.render))
    monkeypatch.setattr(Panel, "static_rgba", watching(Panel.static_rgba))
    w = make()
    w.update()  # a move: the moving artists only
    assert checked and all(checked), checked


@pytest.mark.parametrize("make", [
    pytest.param(lambda: W.landscape_explorer(steps=20, n=30), marks=slow),
    lambda: W.explorer_1d(steps=10),  # make unit: the 1-D case (one Panel does the blits)
    pytest.param(lambda: W.chord_explorer(), marks=slow),
    pytest.param(lambda: W.hessian_inspector(n=30), marks=slow),
    pytest.param(lambda: W.optimizer_race(steps=20), marks=slow),
    pytest.param(lambda: W.saddle_escape_explorer(max_steps=200), marks=slow),
    pytest.param(lambda: W.network_explorer(steps=20), marks=slow),
], ids=["landscape", "1d", "chord", "hessian", "race", "saddle", "network"])
def test_updates_blit_and_the_rebuild_baseline_redraws(make):
    w = make()
    panel = w.panel
    draws = panel.full_draws
    before = w.image.value
    w.update()
    assert panel.full_draws == draws  # moving artists only
    assert png_of(w.image.value)[0].size == png_of(before)[0].size
    w.update(rebuild=True)
    if isinstance(w, W.LandscapeExplorer):
        assert png_of(w.image.value)[0].size[0] > panel.size[0]  # a fresh two-panel figure
    else:
        assert panel.full_draws == draws + 1


def test_chord_where_f_is_undefined_gets_a_message():
    w = W.chord_explorer("log(x)", a=0.5, b=2.0)
    assert w.error is None
    w.set(a=-1.0)
    assert "not defined" in w.message
    w.set(a=1.0)
    assert w.error is None and w.result > 0.95  # log is concave: the chord lies below


def test_basin_map_explorer_agrees_with_labtools_basin_map():
    w = W.basin_map_explorer("himmelblau", optimizer="momentum", lr=0.005, beta=0.8, n=12,
                             steps=150)
    reference = lt.basin_map(w.landscape, lt.momentum(lr=0.005, beta=0.8), n=12, steps=150)
    np.testing.assert_array_equal(w.result.labels, reference.labels)
    np.testing.assert_array_equal(w.result.counts, reference.counts)


# ================================================================ network explorer


@pytest.fixture
def network():
    return W.network_explorer(optimizer="gd", lr=0.5, steps=60)


@slow  # make unit: test_the_network_checks_on_one_widget
def test_network_explorer_trains_the_course_network(network):
    r = network.result
    assert r.steps_taken == 60 and r.status == "max_steps"
    assert network.model.n_params == 337 and network.model.activation == "tanh"
    np.testing.assert_array_equal(network.loss_line.get_ydata(), r.losses)
    assert network.accuracy == network.model.accuracy(r.theta, network.X, network.y)
    assert network.sharpness == pytest.approx(
        lt.sharpness(network.model, r.theta, network.X, network.y), rel=1e-4)
    assert "no divergence" in network.message and "sharpness" in network.message
    image, alt = png_of(network.image.value)
    assert image.size == network.panel.size
    assert "two-moons" in alt and "boundary" in alt
    _, loss_alt = png_of(network.loss_image.value)
    assert "log scale" in loss_alt
    assert network.boundary and not network.diverged_line.get_visible()


@slow  # make unit: test_the_network_checks_on_one_widget
def test_network_explorer_lr_and_scale_retrain_and_redraw(network):
    r, picture, curve = network.result, pixels(network.image.value), \
        pixels(network.loss_image.value)
    network.set(lr=0.1)
    assert network.result is not r
    assert network.result.losses[-1] > r.losses[-1]  # a smaller step gets less far
    assert not np.array_equal(pixels(network.image.value), picture)
    assert not np.array_equal(pixels(network.loss_image.value), curve)
    assert "lr 0.1" in network.message
    r, n, proba = network.result, network.updates, network.proba.get_array().copy()
    network.controls["scale"].value = 3.0  # as a slider release
    assert network.updates == n + 1
    assert network.result.losses[0] != r.losses[0]  # another initialization
    assert not np.array_equal(network.proba.get_array(), proba)
    assert "init scale 3" in network.message


@slow  # make unit: test_the_network_checks_on_one_widget
def test_network_explorer_minibatches_activation_and_optimizers(network):
    network.set(batch_size=20)
    r = network.result
    assert len(r.batch_losses) == 60 and network.batch_line.get_visible()
    assert not np.array_equal(r.batch_losses, r.losses[:-1])
    assert "batches of 20" in network.message
    assert "mini-batch" in png_of(network.loss_image.value)[1]
    network.set(batch_size=None, activation="sigmoid")
    assert network.model.activation == "sigmoid" and not network.batch_line.get_visible()
    np.testing.assert_array_equal(network.result.batch_losses, network.result.losses[:-1])
    for name, lr in [("momentum", 0.05), ("adam", 0.01), ("sam", 0.5)]:
        network.set(optimizer=name, lr=lr)
        assert network.error is None and name in network.message
        assert network.result.steps_taken == 60


@pytest.mark.parametrize("values, words", [
    pytest.param({"lr": 0}, "lr must be positive", marks=slow),  # the tour
    pytest.param({"scale": -1.0}, "scale must be positive", marks=slow),
    pytest.param({"steps": 5000}, "steps must be between 10 and 1000", marks=slow),
    pytest.param({"batch_size": 7}, "batch_size must be None (full batch) or one of",
                 marks=slow),  # the tour
    pytest.param({"optimizer": "newton"}, "optimizer must be one of", marks=slow),
    pytest.param({"activation": "relu"}, "activation must be one of", marks=slow),
])
def test_network_explorer_bad_values_get_a_message(network, values, words):
    r, image = network.result, network.image.value
    network.set(**values)
    assert words in network.message and network.message.startswith("Problem:")
    assert 'role="alert"' in network.status.value
    assert network.result is r and network.image.value == image
    network.set(lr=0.3)
    assert network.error is None and network.result is not r


@slow
def test_network_explorer_reports_a_divergence(network, monkeypatch):
    real = lt.nn.train

    def fragile(*args, **kwargs):  # a parameter norm limit the run soon exceeds
        return real(*args, **{**kwargs, "max_norm": 8.0})

    monkeypatch.setattr(network_module, "train", fragile)
    network.set(lr=3.0)
    r = network.result
    assert r.status == "diverged"
    assert "diverged at step" in network.message and network.sharpness is None
    assert network.diverged_line.get_visible()
    assert network.diverged_line.get_xdata()[0] == r.diverged_at
    assert "diverged" in png_of(network.loss_image.value)[1]
    monkeypatch.undo()
    network.set(lr=0.5)
    assert network.result.status == "max_steps" and not network.diverged_line.get_visible()


def test_the_network_checks_on_one_widget(network):
    """As for the landscape explorer: the network explorer's checks on one widget."""
    test_network_explorer_trains_the_course_network(network)
    test_network_explorer_lr_and_scale_retrain_and_redraw(network)
    test_network_explorer_bad_values_get_a_message(network, {"lr": 0}, "lr must be positive")
    test_network_explorer_minibatches_activation_and_optimizers(network)
    test_network_explorer_bad_values_get_a_message(
        network, {"batch_size": 7}, "batch_size must be None (full batch) or one of")


def test_network_explorer_bad_constructor_values_are_shown_not_raised():
    w = W.network_explorer(hidden=(16, 0), lr=0, steps=20)
    assert w.message.startswith("Problem:") and "hidden" in w.message
    assert w.result is not None and w.model.n_params == 337


def test_network_explorer_front_end_carries_what_the_browser_trains_with(monkeypatch):
    """On the static site the figure is the browser's (js/network.js): no snapshot
    note, and the spec holds the data, the uniforms behind init and the batch order
    of labtools.nn.train, enough for the longest run of the smallest batches."""
    monkeypatch.setenv("LABTOOLS_BUILD", "1")
    w = W.network_explorer(steps=20, seed=2)
    assert w.widget.children[-1] is w.status and w.front in w.widget.children
    assert not any("snapshot" in getattr(x, "value", "") for x in _all_html(w.widget))
    assert set(w.front.controls) == set(w.controls)
    s = w.front.spec
    np.testing.assert_array_equal(np.reshape(s["X"], (-1, 2)), w.X)
    u, scale = np.array(s["uniforms"]), 0.37
    bounds = np.concatenate([np.full(a * b, scale * np.sqrt(6.0 / (a + b)))
                             for (a, b), _ in w.model.shapes])
    theta = w.model.init(seed=2, scale=scale)
    weights = np.concatenate([W_.ravel() for W_, _ in w.model.unflatten(theta)])
    np.testing.assert_array_equal(-bounds + 2 * bounds * u, weights)  # bit for bit
    order = np.frombuffer(base64.b64decode(s["permutations"]), dtype=np.uint8)
    N = len(w.y)
    assert s["index_bytes"] == 1 and order.size == N * s["epochs"]
    assert s["epochs"] * (N // 100) >= w.controls["steps"].max  # batches of 100, 1000 steps
    rng = np.random.default_rng(2)
    np.testing.assert_array_equal(order[:2 * N], np.concatenate([rng.permutation(N),
                                                                 rng.permutation(N)]))
    assert s["map_bg"]["src"].startswith("data:image/png;base64,") and s["loss_box"]

# ================================================================ defects of issue 14


def _legend_texts(legend):
    return [t.get_text() for t in legend.get_texts()]


@pytest.mark.parametrize("switch", [
    {"landscape": "saddle"},
    pytest.param({"expression": "x**2 - y**2"}, marks=slow),
], ids=["catalog", "expression"])
def test_hessian_legend_quotes_the_eigenvalues_after_a_change_of_landscape(switch):
    w = W.hessian_inspector("himmelblau", x=[3.0, 2.0], n=30)
    w.set(**switch)
    w.set(x=0.0, y=0.0)
    vals = w.result["eigenvalues"]
    np.testing.assert_allclose(sorted(vals), [-2.0, 2.0])
    texts = _legend_texts(w.legend)
    assert [t for t in texts if t.startswith("λ")] == [f"λ{i + 1} = {v:.3g}"
                                                      for i, v in enumerate(vals)]
    assert "λ1 = 1" not in texts and "λ2 = 1" not in texts
    # the legend is drawn on every update, over the cached map
    assert w.legend in w.panel.animated and w.legend.axes is w.ax
    # ... and moves with the point
    w.set(x=1.0)
    assert _legend_texts(w.legend)[-2:] == [f"λ{i + 1} = {v:.3g}"
                                            for i, v in enumerate(w.result["eigenvalues"])]


@slow  # make unit: the [catalog] case of the legend test above
def test_hessian_legend_names_the_critical_points_of_the_new_landscape():
    w = W.hessian_inspector("himmelblau", x=[3.0, 2.0], n=30)
    assert {"minimum", "saddle", "maximum"} <= set(_legend_texts(w.legend))
    w.set(landscape="saddle")
    assert _legend_texts(w.legend)[0] == "saddle"
    assert "minimum" not in _legend_texts(w.legend)


@pytest.mark.parametrize("name, beta, nesterov", [
    pytest.param("momentum", 0.9, False, marks=slow),  # make unit: the adam case below
    pytest.param("nesterov", 0.9, True, marks=slow),
])
def test_saddle_escape_shows_the_theory_of_the_chosen_optimizer(name, beta, nesterov):
    w = W.saddle_escape_explorer("saddle", lr=0.1, max_steps=400)
    gd_line = w.result["predicted"].copy()
    w.set(optimizer=name)
    r = w.result
    expected = lt.predicted_escape_steps(r["e"], 0.1, r["lambda_min"], beta=beta,
                                         nesterov=nesterov)
    np.testing.assert_allclose(r["predicted"], expected)
    assert not np.allclose(r["predicted"], gd_line)
    # the linear theory of the two-step recursion counts the measured steps
    assert np.max(np.abs(r["steps"] - r["predicted"])) <= 1
    np.testing.assert_allclose(w.theory.get_ydata(), expected)
    assert f"the {name} theory line" in w.message
    assert "ln(1/e)/ln(1 + lr" not in w.message
    assert _legend_texts(w.legend) == [f"measured ({name})", W.saddle.THEORY[name][0]]


# make unit: saddle_escape_explorer's doctest (adam: no closed-form line, gd's is back)
@pytest.mark.parametrize("name", [pytest.param("adam", marks=slow),
                                  pytest.param("noisy_gd", marks=slow),
                                  pytest.param("perturbed_gd", marks=slow)])
def test_saddle_escape_draws_no_gd_line_for_other_optimizers(name):
    w = W.saddle_escape_explorer("saddle", lr=0.1, max_steps=400)
    assert "ln(1/e)/ln(1 + lr" in w.message  # gd's own line, for gd
    w.set(optimizer=name)
    assert w.result["predicted"] is None
    assert len(w.theory.get_xdata()) == 0
    assert "no simple closed-form" in w.message and "ln(1/e)" not in w.message
    assert _legend_texts(w.legend) == [f"measured ({name})"]
    assert "no simple closed-form" in png_of(w.steps_image.value)[1]
    w.set(optimizer="gd")
    assert w.result["predicted"] is not None and "gd theory line" in w.message


@slow
def test_noisy_gd_in_the_saddle_explorer_is_noisy():
    w = W.saddle_escape_explorer("saddle", lr=0.1, max_steps=400)
    gd_steps = w.result["steps"].copy()
    w.set(optimizer="noisy_gd")
    # noise of the optimizer's own level (sigma 0.1) shortens the escape from tiny e
    assert w.result["steps"][0] < gd_steps[0]


def _widget_tree(widget):
    out, stack = [], [widget]
    while stack:
        x = stack.pop()
        out.append(x)
        stack.extend(getattr(x, "children", ()))
    return out


@pytest.mark.parametrize("make", [
    pytest.param(lambda: W.landscape_explorer(steps=5, n=30), marks=slow),
    lambda: W.explorer_1d(steps=5),
    pytest.param(lambda: W.chord_explorer("himmelblau"), marks=slow),
    lambda: W.hessian_inspector(n=30),
    pytest.param(lambda: W.optimizer_race(steps=5), marks=slow),
    lambda: W.basin_map_explorer(n=10, steps=10),
    pytest.param(lambda: W.saddle_escape_explorer(max_steps=50), marks=slow),
    pytest.param(lambda: W.network_explorer(steps=20), marks=slow),
], ids=["landscape", "1d", "chord", "hessian", "race", "basins", "saddle", "network"])
def test_widget_layouts_shrink_to_a_phone(make):
    w = make()
    for name, control in w.controls.items():
        assert control.layout.width == "100%", name
        assert control.layout.max_width == "390px" and control.layout.min_width == "0", name
        assert control.layout.margin == "2px 0px", name  # no side margin past the column
    for panel in w.panels:
        # shown at most ~1.45x smaller on a 358-px phone column: ticks stay readable
        assert panel.size[0] <= 520, (type(w).__name__, panel.size)
    for x in _widget_tree(w.widget):
        lay = getattr(x, "layout", None)
        if lay is not None and lay.width and lay.width.endswith("px"):
            # a fixed width is only a preferred one: the page may make it narrower
            assert lay.max_width == "100%", (type(x).__name__, lay.width)
        if (lay is not None and lay.width and lay.width.endswith(("px", "%"))
                and not isinstance(x, ipywidgets.Box)):
            # a side margin would push a box as wide as its column out of it
            assert lay.margin == "2px 0px", (type(x).__name__, lay.width, lay.margin)
        if isinstance(x, ipywidgets.HBox):
            assert lay.flex_flow == "row wrap"


@slow
def test_race_draws_one_readable_map_per_optimizer_and_its_legend_on_top():
    w = W.optimizer_race("rosenbrock", ["gd", "momentum", "adam", "newton"], steps=20)
    assert len(w.images) == 4 and len(w.map_panels) == 4
    for panel, name in zip(w.map_panels, w.names, strict=True):
        image, alt = png_of(panel.image.value)
        assert image.size == panel.size and image.size[0] <= 400  # no shrinking on a phone
        assert f"path of {name}" in alt
    # the loss legend is drawn after the curves, so no curve strikes a name through
    animated = w.loss_panel.animated
    assert animated.index(w.legend) > max(animated.index(line) for line in w.loss_lines)
    assert [t.get_text() for t in w.legend.get_texts()] == w.names


@pytest.mark.parametrize("landscape, a, b", [
    ("xcos", -0.5, 0.5),
    pytest.param("himmelblau", (-3.0, -3.0), (3.0, 2.0), marks=slow),
])
def test_chord_legend_is_drawn_over_the_curves_and_the_shading(landscape, a, b):
    w = W.chord_explorer(landscape, a=a, b=b)
    w.set(**({"a": 0.1} if w.dim == 1 else {"ax": 0.5}))
    animated = w.panel.animated
    assert animated[-1] is w.legend
    assert {t.get_text() for t in w.legend.get_texts()} >= {"graph of f", "chord"}
    if w.dim == 2:  # the map is a figure of its own, beside the slice
        assert w.map_panel is not None and png_of(w.map_panel.image.value)[0].size[0] <= 400
