"""A move made in the page, answered by a running kernel, of a widget whose browser
front end draws its figures: the kernel keeps its state in step but does not
render the Agg figures again (issue 13). A value set from Python still renders.

A page move is simulated exactly as ipywidgets applies one: ``set_state`` on the
control's model with the synced name (``value`` for sliders, ``index`` for
dropdowns).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import labtools as lt  # noqa: E402
from labtools.widgets import controls as ctl  # noqa: E402
from labtools.widgets import panel as panel_module  # noqa: E402
from labtools.widgets.base import Widget  # noqa: E402
from labtools.widgets.front import LiveFigure  # noqa: E402

W = lt.widgets


@pytest.fixture(autouse=True)
def _live_kernel(monkeypatch):
    monkeypatch.delenv("LABTOOLS_BUILD", raising=False)


@pytest.fixture
def renders(monkeypatch):
    """Counts every Agg render of any widget figure (Panel.render)."""
    calls = []
    original = panel_module.Panel.render

    def counted(self, key=None):
        calls.append(self)
        return original(self, key)

    monkeypatch.setattr(panel_module.Panel, "render", counted)
    return calls


def _page_move(control, **state):
    control.set_state(state)


def _index_of(dropdown, label):
    return list(dropdown._options_labels).index(label)


# (factory, a slider moved in the page, its new value, a dropdown, the option chosen,
#  what must follow the move in Python)
LIVE = {
    "landscape explorer": (lambda: W.landscape_explorer("himmelblau", steps=30, n=30),
                           "x0", 1.25, "optimizer", "momentum", lambda w: w.trace.xs[0][0]),
    "1-D explorer": (lambda: W.explorer_1d("xcos", steps=20), "lr", 0.1, "optimizer",
                     "momentum", lambda w: w.trace.xs[1][0]),
    "chord explorer": (lambda: W.chord_explorer("xcos"), "a", 0.5, None, None,
                       lambda w: w.message),
    "saddle-escape explorer": (lambda: W.saddle_escape_explorer("saddle", max_steps=300), "lr",
                               0.2, "optimizer", "momentum",
                               lambda w: w.result["steps"].tolist()),
}


# make unit: every explorer but the saddle-escape one, whose runs take two seconds of CPU
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow)
                                  if n == "saddle-escape explorer" else n for n in LIVE])
def test_a_page_move_updates_the_state_without_rendering(name, renders):
    make, slider, value, dropdown, option, follows = LIVE[name]
    w = make()
    assert isinstance(w, LiveFigure)
    assert renders, f"{name}: the first figure is rendered in Python (the static fallback)"
    before_updates, before, start = w.updates, follows(w), w.controls[slider].value
    del renders[:]

    _page_move(w.controls[slider], value=value)
    assert w.controls[slider].value == pytest.approx(value)
    assert w.updates == before_updates + 1, f"{name}: the kernel did not follow the move"
    assert follows(w) != before, f"{name}: the kernel's state did not follow the move"
    if dropdown is not None:
        _page_move(w.controls[dropdown], index=_index_of(w.controls[dropdown], option))
        assert w.controls[dropdown].value == option
        assert w.updates == before_updates + 2
    assert renders == [], f"{name}: a move made in the page rendered {len(renders)} figure(s)"
    assert any(p.stale for p in w.panels) and w.error is None

    # Python setting a control itself still draws (tests, notebooks, the snapshot)
    w.set(**{slider: start})
    assert w.error is None
    assert renders and not any(p.stale for p in renders)


@pytest.mark.slow
def test_a_page_move_of_the_basin_map_sends_no_progress_from_the_kernel():
    w = W.basin_map_explorer("himmelblau", n=20, steps=30)
    seen = []
    w.progress.observe(lambda change: seen.append(change["new"]), names="value")
    _page_move(w.controls["lr"], value=0.02)
    assert w.updates == 2 and w.error is None and seen == []  # the page shows its own
    w.set(lr=0.01)  # set from Python: the bar moves
    assert seen and seen[-1] == pytest.approx(1.0)


class _KernelDrawn(Widget):
    """A widget with no browser front end (every course explorer has one now):
    its one figure is drawn by Python on each move of its slider."""

    def __init__(self):
        super().__init__()
        self.controls["lr"] = ctl.slider_log("lr", 0.01, -4, 0)
        self.panel = self.new_panel((3, 2))
        self.ax = self.panel.fig.add_subplot()
        self.assemble([["lr"]], self.panel.image)
        self._watch(["lr"], self.update)
        self.update()

    def update(self):
        self.ax.clear()
        self.ax.plot([0, 1], [0, self.controls["lr"].value])
        self.panel.show(f"a line of slope {self.controls['lr'].value}")


def test_a_widget_without_a_front_end_still_renders_every_page_move(renders):
    w = _KernelDrawn()
    assert not isinstance(w, LiveFigure)
    del renders[:]
    _page_move(w.controls["lr"], value=0.02)
    assert renders, "a widget drawn by Python must redraw on a move made in the page"
