"""Browser front ends: the figure of a widget computed and drawn in JavaScript.

Python decides, the browser moves. A widget builds everything once in Python
(the landscape and its derivatives printed as JavaScript by
:func:`~labtools.landscapes.landscape_js`, the Matplotlib background of each
figure, the axes it will need, the optimizer settings) and hands it to a
:class:`FrontEnd`, an `anywidget <https://anywidget.dev>`_ whose ES module
(``js/``: the port of ``labtools.optim`` and ``labtools.run``, drawing helpers
and one view per widget) reruns the optimizer and redraws on every move of a
control. The controls stay the Python widget's ipywidgets; the front end
listens to their models. So the same front end runs in the static page (the
widget HTML manager restores the controls and the front end from the stored
state, with no kernel) and in JupyterLab, and a move never waits for a kernel.

``tests/parity`` holds the JavaScript to the Python it mirrors.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import anywidget
import ipywidgets as W
import matplotlib
import numpy as np
import traitlets

from ..landscapes import CATALOG
from .inputs import CUSTOM, catalog_names, default_start, resolve_landscape
from .panel import encode_png
from .site import building_site

__all__ = ["FrontEnd", "JS_DIR", "LiveChooser", "LiveFigure", "background", "bundle",
           "pixel_box"]

#: Under a disabled formula box on the static site: why it is off.
KERNEL_NOTE = ("Your own {what} needs a running notebook: open this page in Binder "
               "(the rocket icon at the top of the page).")

#: The front ends' ES modules.
JS_DIR = Path(__file__).resolve().parent / "js"

# Dependencies first: each file imports only from files before it.
_FILES = ("optim.js", "plot.js", "common.js", "formula.js", "landscape.js", "chord.js",
          "explorer1d.js", "saddle.js", "chain.js", "mlp.js", "network.js", "hessian.js",
           "race.js", "basins.js", "minibatch.js", "escape.js", "aria.js", "main.js")
_IMPORT = re.compile(r'^import\s[^;]*?from\s+"\./[\w.]+";\s*$', re.MULTILINE | re.DOTALL)


_FROM = re.compile(r'^import\s*\{([^}]*)\}\s*from\s+"\./([\w.]+)";', re.MULTILINE)
_VIEWS = re.compile(r"^const VIEWS = \{(.*?)\};", re.MULTILINE | re.DOTALL)


def _imports(name):
    """``{imported name: file}`` of the ``import {...} from "./file.js"`` lines of ``js/name``."""
    text = (JS_DIR / name).read_text(encoding="utf-8")
    return {n.strip(): f for names, f in _FROM.findall(text) for n in names.split(",")
            if n.strip()}


def bundle(view=None) -> str:
    """The one ES module a :class:`FrontEnd` runs: the files of ``js/`` joined.

    The files import each other (``import {run} from "./optim.js"``) so that
    tests and browsers can load them one by one; joined, those imports are
    dropped and every name is defined once, in dependency order. With a
    ``view``, only the files that view needs are joined and ``main.js`` knows
    only that view: every widget of a page carries its module in the widget
    state, so a chapter with many widgets would otherwise repeat every view.

    Examples
    --------
    >>> src = bundle()
    >>> "export default" in src and 'from "./' not in src
    True
    >>> small = bundle("chord")
    >>> "chordView" in small and "networkView" not in small and len(small) < len(src)
    True
    """
    files, main = list(_FILES), (JS_DIR / "main.js").read_text(encoding="utf-8")
    if view is not None:
        views = dict(re.findall(r"(\w+):\s*(\w+)", _VIEWS.search(main).group(1)))
        if view not in views:
            raise ValueError(f"view must be one of {sorted(views)}, got {view!r}")
        imports = _imports("main.js")  # the view's file, and what main.js needs besides views
        shared = [f for f in imports.values() if f not in {imports[v] for v in views.values()}]
        need, todo = {"main.js"}, [imports[views[view]], *shared]
        while todo:
            name = todo.pop()
            if name not in need:
                need.add(name)
                todo.extend(_imports(name).values())
        files = [f for f in _FILES if f in need]
        main = _VIEWS.sub(f"const VIEWS = {{ {view}: {views[view]} }};", main)
    parts = []
    for name in files:
        text = main if name == "main.js" else (JS_DIR / name).read_text(encoding="utf-8")
        parts.append(f"// ---- {name}\n" + _IMPORT.sub("", text))
    return "\n".join(parts)


def pixel_box(panel, ax, tight=False) -> list:
    """``[left, top, right, bottom]`` of ``ax`` in pixels of ``panel``'s PNG, from its top left.

    ``tight=True`` includes the axes' title, labels and tick labels.

    Examples
    --------
    >>> from labtools.widgets.panel import Panel
    >>> panel = Panel((2.0, 1.5))
    >>> l, t, r, b = pixel_box(panel, panel.fig.add_subplot())
    >>> 0 <= l < r <= 200 and 0 <= t < b <= 150
    True
    """
    if tight:
        bbox = ax.get_tightbbox(panel.canvas.get_renderer())
    else:
        bbox = ax.get_window_extent()
    _, h = panel.size
    x0, y0, x1, y1 = bbox.extents
    return [float(x0), float(h - y1), float(x1), float(h - y0)]


def background(panel, ax) -> dict:
    """The static part of ``panel``'s figure as a PNG data URL, and where ``ax`` sits on it.

    Moving artists (those added with ``panel.add``) are left out. Returns
    ``{"src", "width", "height", "box", "xlim", "ylim"}`` where ``box`` is the
    axes' ``[left, top, right, bottom]`` in pixels from the image's top left,
    what the front end needs to draw in data coordinates over the image.

    Examples
    --------
    >>> from labtools.widgets.panel import Panel
    >>> panel = Panel((2.0, 1.5))
    >>> ax = panel.fig.add_subplot()
    >>> bg = background(panel, ax)
    >>> bg["width"], bg["height"], bg["src"][:22]
    (200, 150, 'data:image/png;base64,')
    """
    png = encode_png(panel.static_rgba(), building_site())
    w, h = panel.size
    return {
        "src": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "width": int(w),
        "height": int(h),
        "box": pixel_box(panel, ax),
        "xlim": [float(v) for v in ax.get_xlim()],
        "ylim": [float(v) for v in ax.get_ylim()],
    }


class FrontEnd(anywidget.AnyWidget):
    """The browser side of a course widget.

    Parameters (traits)
    -------------------
    view : str
        Which view of ``js/main.js`` draws it (``"landscape"``, ...).
    spec : dict
        What Python decided: landscapes as JavaScript, backgrounds, settings.
    controls : dict
        Control name -> ipywidgets control whose value the front end reads.

    Examples
    --------
    >>> fe = FrontEnd(view="landscape", spec={}, controls={"lr": W.FloatSlider()})
    >>> fe._model_module
    'anywidget'
    """

    _esm = bundle()
    view = traitlets.Unicode("").tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    controls = traitlets.Dict().tag(sync=True, **W.widget_serialization)

    def __init__(self, **kwargs):
        # only the files this view needs (see bundle), set before the widget's comm
        # opens: set after, it reached a running notebook as a change of `_esm`, on
        # which anywidget loads the module again and renders the view a second time,
        # while the first view still listened to the controls (two draws a move)
        if kwargs.get("view"):
            kwargs.setdefault("_esm", bundle(kwargs["view"]))
        super().__init__(**kwargs)


class LiveFigure:
    """Mixin for a widget whose figure and message line its :class:`FrontEnd` draws.

    The front end writes the message under the figure as the controls move;
    the Python status line is then kept for problems only (``self.message``
    still holds the text, for tests and notebooks). A move made in the page
    reaches a running kernel too (a slider's once its drag rests: see
    ``sendWhenRested`` in ``js/common.js``), which keeps its state in step (the
    run, the message, the alt texts) but skips the Agg render of the figures
    (:meth:`~labtools.widgets.panel.Panel.show`): the page already drew them.
    Python still draws them when it sets a control itself (``set()``, tests,
    the stored snapshot).
    """

    def new_panel(self, figsize):
        panel = super().new_panel(figsize)
        panel.drawn_in_page = lambda: self.moved_in_page
        return panel

    def _say(self, text):
        super()._say(text)
        self.status.value = ""


class LiveChooser(LiveFigure):
    """Mixin for a :class:`~labtools.widgets.base.LandscapeChooser` with a front end.

    The front end draws over one background per landscape. In a running
    notebook only the current landscape is sent, and another one when it is
    chosen (``_draw_background`` calls :meth:`_send_landscape`); the static
    page has no kernel to ask, so it carries every catalog landscape of the
    widget's dimension, and the formula box is off there, with the reason
    shown under the figure. Subclasses implement ``_front_entry()``: what the
    front end needs of ``self.landscape``.
    """

    def _front_key(self):
        choice = self.controls["landscape"].value
        return choice if choice != CUSTOM else self.landscape.name

    def _front_landscapes(self):
        current = self.landscape
        entries = {self._front_key(): self._front_entry()}
        if building_site():
            for name in catalog_names(self.dim):
                if name not in entries:
                    self.landscape = resolve_landscape(name, self.dim)
                    self._draw_background()
                    entries[name] = self._front_entry()
            self.landscape = current
            self._draw_background()
            if not self.formula_in_page:
                box = self.controls["expression"]
                box.disabled = True
                box.placeholder = "needs a running notebook (Binder)"
        return entries

    def _front_common(self):
        what = "f(x, y)" if self.dim == 2 else "f(x)"
        common = {"custom": CUSTOM, "current": self._front_key(), "kernel_note": ""}
        if building_site():
            if self.formula_in_page:
                common["formula"] = self._formula_spec()
            else:
                common["kernel_note"] = KERNEL_NOTE.format(what=what)
        return common

    #: True when the front end reads the learner's own function itself in a page
    #: without a kernel (``js/formula.js``); else the box is off there, with the reason.
    formula_in_page = False

    def _formula_spec(self):
        """What the page needs to read a formula without a kernel: the formula window,
        the start, the empty frame of the figure and the colormap (for ``js/formula.js``)."""
        # a formula gets the default window
        f = resolve_landscape("x + y" if self.dim == 2 else "x", self.dim)
        current = self.landscape
        self.landscape = f
        self._draw_background()
        frame = self._formula_frame()
        self.landscape = current
        self._draw_background()
        colors = matplotlib.colormaps["viridis"](np.linspace(0.0, 1.0, 256))
        return {"window": [list(w) for w in f.window],
                "start": [float(v) for v in default_start(f)], "frame": frame,
                "n": int(getattr(self, "n", 200)), "catalog": list(CATALOG),
                "colors": [matplotlib.colors.to_hex(c) for c in colors]}

    def _formula_frame(self):  # pragma: no cover - the widgets with formula_in_page define it
        raise NotImplementedError

    def _send_landscape(self):
        front = getattr(self, "front", None)
        if front is not None:  # a new landscape in a running notebook: send it over
            spec = dict(front.spec)
            key = self._front_key()
            spec["landscapes"] = {**spec["landscapes"], key: self._front_entry()}
            spec["current"] = key
            front.spec = spec
