"""What every widget of the course shares: controls, figures, a message line, ``set()``.

A widget is a Python object that builds everything once (controls, one
:class:`~labtools.widgets.panel.Panel` per figure, the displayed
``ipywidgets`` box) and then answers every change of a control with
``update()``: a thin adapter that runs the numerics of ``labtools`` and
redraws the moving artists. Errors are shown in the widget, never lost.

To write a new widget, subclass :class:`Widget` (or :class:`LandscapeChooser`
for one with a landscape dropdown and an expression box), fill
``self.controls``, make figures with :meth:`Widget.new_panel`, assemble the
view with :meth:`Widget.assemble`, and implement ``update``. A front end that
computes in the browser can replace ``self.widget`` (the view) while keeping
the controls, the checks of :meth:`Widget.set` and the numbers a widget
reports, which tests read.
"""

from __future__ import annotations

import contextlib
import html

import ipywidgets as W
import numpy as np

from .._checks import check_choice, check_number
from . import controls as ctl
from .inputs import (
    CUSTOM,
    catalog_names,
    default_start,
    landscape_or_default,
    resolve_landscape,
)
from .panel import Panel
from .site import building_site, snapshot_note

__all__ = ["LandscapeChooser", "Widget", "moved_in_page", "retarget_sliders", "start_sliders"]


class Widget:
    """What every widget of the course shares: controls, a message line, set().

    Attributes every widget has: ``widget`` (the ipywidgets box that is
    displayed), ``controls`` (name -> control), ``panels`` (its figures),
    ``message`` (the text under the figure), ``error`` (the problem in plain
    words, or None), ``exception`` (the exception behind it, with its
    traceback, or None) and ``updates`` (how many times the figure was
    redrawn).
    """

    def __init__(self):
        self.controls: dict = {}
        self.panels: list = []
        self.status = W.HTML(layout=ctl.fit_layout())
        self.message = ""
        self.error = None
        self.exception = None
        self._holding = 0
        self._pending: list = []
        self.widget = None
        self.updates = 0
        # True while a handler answers a control that the page moved (see _call)
        self.moved_in_page = False

    # -- display -------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"<{type(self).__name__}: {self.message}>"

    def new_panel(self, figsize):
        """A new figure of this widget (a :class:`Panel`), redrawn by ``update(rebuild=True)``."""
        panel = Panel(figsize)
        self.panels.append(panel)
        return panel

    def assemble(self, columns, *body, note=True):
        """Build the displayed box: the control ``columns`` side by side, then ``body``.

        Each entry of ``columns`` is a list of control names (or widgets);
        ``body`` holds figures and tables, each a widget or a list of widgets
        to place side by side. The message line and, on the static site, the
        snapshot note end the box (``note=False`` for a widget whose figure
        follows its controls in the page, see :mod:`~labtools.widgets.front`).
        """
        def get(item):
            return self.controls[item] if isinstance(item, str) else item

        parts = [ctl.row([ctl.column([get(i) for i in col]) for col in columns])]
        for item in body:
            parts.append(ctl.row(list(item)) if isinstance(item, (list, tuple)) else item)
        tail = [self.status, snapshot_note()] if note else [self.status]
        self.widget = W.VBox([*parts, *tail],
                             layout=W.Layout(width="100%", max_width="820px"))
        return self.widget

    def split_controls(self, names=None):
        """The control names in two columns of (nearly) equal length."""
        names = list(self.controls) if names is None else list(names)
        half = (len(names) + 1) // 2
        return [names[:half], names[half:]]

    # -- messages --------------------------------------------------------------

    def _say(self, text):
        self.message = text
        self.error = self.exception = None
        self.status.value = (
            f'<div role="status" style="padding:2px 4px">{html.escape(text)}</div>'
        )

    def _complain(self, exc_or_text):
        # The exception itself is kept in ``self.exception`` for whoever wants
        # the traceback; the learner reads a sentence.
        self.exception = None if isinstance(exc_or_text, str) else exc_or_text
        if isinstance(exc_or_text, str):
            text = exc_or_text
        elif isinstance(exc_or_text, (ValueError, TypeError)):
            text = str(exc_or_text)
        else:
            text = f"something went wrong ({type(exc_or_text).__name__}: {exc_or_text})"
        self.error = text
        self.message = f"Problem: {text}"
        self.status.value = (
            '<div role="alert" style="border-left:4px solid #D55E00; padding:2px 8px">'
            f"<b>Problem:</b> {html.escape(text)}. The figure still shows the last "
            "settings that worked; change a value to go on.</div>"
        )

    # -- callbacks ---------------------------------------------------------------

    def _watch(self, names, handler):
        for name in names:
            self.controls[name].observe(lambda change, h=handler: self._call(h, change),
                                        names="value")

    def _defer(self, handler):
        if handler not in self._pending:
            self._pending.append(handler)

    def _call(self, handler, change=None):
        if self._holding:
            self._defer(handler)
            return
        outer = self.moved_in_page
        if change is not None:
            self.moved_in_page = moved_in_page(change)
        try:
            handler()
        except Exception as exc:  # shown in the widget, never lost
            self._complain(exc)
        finally:
            self.moved_in_page = outer

    @contextlib.contextmanager
    def hold(self):
        """Change several controls at once and update once at the end."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                pending, self._pending = self._pending, []
                # a landscape change ends in an update of its own
                others = [h for h in pending if h != self.update]
                for handler in others or [self.update]:
                    self._call(handler)

    def _start(self, values, problems=(), first=None):
        """Apply the constructor's values: the good ones, then one update; report the bad."""
        problems = list(problems)
        good = {}
        for name, value in values.items():
            if value is None:
                continue
            try:
                good[name] = self._check_value(name, value)
            except (ValueError, TypeError) as exc:
                problems.append(str(exc))
        with self.hold():
            self._defer(first or self.update)
            for name, value in good.items():
                self.controls[name].value = value
        if problems:
            self._complain(problems[0])

    def _check_value(self, name, value):
        """Return a usable value for control ``name`` or raise ValueError."""
        control = self.controls[name]
        if isinstance(control, (W.FloatSlider, W.FloatLogSlider, W.IntSlider)):
            integer = isinstance(control, W.IntSlider)
            raw, value = value, check_number(name, value, integer=integer)
            if isinstance(control, W.FloatLogSlider):
                lo, hi = control.base ** control.min, control.base ** control.max
                if value <= 0:
                    raise ValueError(f"{name} must be positive, got {raw!r}")
            else:
                lo, hi = control.min, control.max
            if not lo - 1e-12 <= value <= hi + 1e-12:
                raise ValueError(
                    f"{name} must be between {lo:g} and {hi:g} here, got {raw!r}"
                )
            return value
        if isinstance(control, W.Dropdown):
            return check_choice(name, value, [o[1] if isinstance(o, tuple) else o
                                              for o in control.options])
        return value

    def set(self, **values):
        """Set controls by name, as a learner would, and update once.

        A value that cannot be used is reported in the widget's message and
        nothing is changed.

        Parameters
        ----------
        **values
            Control names (see ``self.controls``) and their new values.

        Returns
        -------
        self
        """
        try:
            unknown = [k for k in values if k not in self.controls]
            if unknown:
                raise ValueError(
                    f"{unknown[0]!r} is not a control of this widget; the controls are "
                    + ", ".join(self.controls)
                )
            checked = {k: self._check_value(k, v) for k, v in values.items()}
        except (ValueError, TypeError) as exc:
            self._complain(exc)
            return self
        with self.hold():
            for k, v in checked.items():
                self.controls[k].value = v
        return self

    def update(self, rebuild=False):  # pragma: no cover - every widget overrides it
        """Recompute and redraw; ``rebuild=True`` redraws every figure in full."""
        raise NotImplementedError

    def _full_redraw(self, rebuild):
        # The baseline that benchmarks compare with: no cached background, so
        # each figure is drawn completely, as a figure rebuilt on every change
        # would be.
        if rebuild:
            for panel in self.panels:
                panel.invalidate()

    # -- clicks ----------------------------------------------------------------

    def _attach_clicks(self, panel, on_pixel):
        """Let a click on the figure of ``panel`` call ``on_pixel(px, py)`` in a live kernel.

        Uses ``ipyevents`` when it is installed; never while building the
        static site, whose pages cannot load its JavaScript.
        """
        self.click_events = None
        self._on_pixel = on_pixel
        self._click_size = panel.size
        if building_site():
            return
        try:
            from ipyevents import Event
        except ImportError:
            return
        event = Event(source=panel.image, watched_events=["click"])
        event.on_dom_event(self._handle_click)
        self.click_events = event

    def _handle_click(self, event):
        """Turn an ipyevents click (position in CSS pixels of the image) into a pixel."""
        try:
            # The image may be shown narrower than its pixels (a narrow page):
            # it keeps its aspect ratio and its top-left corner.
            pw, _ = self._click_size
            scale = pw / (event.get("boundingRectWidth") or pw)
            self._on_pixel(event["relativeX"] * scale, event["relativeY"] * scale)
        except Exception as exc:
            self._complain(exc)


def moved_in_page(change) -> bool:
    """True when a control's ``change`` came from the page (a learner moved it there).

    ipywidgets applies a message from the front end inside
    ``Widget.set_state``, which locks the synced names it received while the
    observers run; a value set from Python (``w.set(...)``, a test) takes no
    lock.

    Examples
    --------
    >>> s = ctl.slider_float("a", 0.0, -1.0, 1.0, 0.1)
    >>> seen = []
    >>> s.observe(lambda change: seen.append(moved_in_page(change)), names="value")
    >>> s.value = 0.5
    >>> s.set_state({"value": 0.2})
    >>> seen
    [False, True]
    """
    return bool(getattr(change.get("owner"), "_property_lock", None))


def start_sliders(f, x0, names=("x0", "y0"), continuous=True):
    """One slider per coordinate of the start ``x0``, over the window of ``f``."""
    out = {}
    for name, (lo, hi), v in zip(names, f.window, x0, strict=False):
        out[name] = ctl.slider_float(f"start {name[0]}", float(v), lo, hi, (hi - lo) / 400,
                                     continuous=continuous)
    return out


def retarget_sliders(sliders, f, x0):
    """Move coordinate sliders to the window of a new landscape ``f`` and to ``x0``."""
    for s, (lo, hi), v in zip(sliders, f.window, x0, strict=False):
        # widen first so that neither bound rejects the other
        s.min, s.max = min(s.min, lo), max(s.max, hi)
        s.value = float(v)
        s.min, s.max, s.step = lo, hi, (hi - lo) / 400


class LandscapeChooser(Widget):
    """A widget with a landscape dropdown, a box for the learner's own expression
    and a point on the landscape set by sliders or a click.

    Subclasses set ``dim``, ``point_controls`` (the names of the point's
    sliders) and ``figure_word`` (what a click lands on), call
    :meth:`choose_landscape` in their constructor, keep the clickable axes in
    ``self.ax`` on ``self.panel``, and implement ``_draw_background`` (the
    static part of the figure for ``self.landscape``).
    """

    dim = 2
    point_controls = ("x0", "y0")
    figure_word = "map"

    def default_point(self, f):
        """Where the point goes on a new landscape ``f``."""
        return default_start(f)

    def choose_landscape(self, requested, default, problems, label="landscape"):
        """Resolve the landscape ``requested``; add the dropdown and the expression box.

        ``requested`` is a catalog name, an expression or a Landscape. When
        it cannot be used, the catalog's ``default`` is shown and the problem
        appended to ``problems``. When it is not a catalog name, the dropdown
        shows the expression entry and the box the expression (or the request
        itself when it could not be used, so the learner can correct it).
        Returns the landscape, also kept as ``self.landscape``.
        """
        known = len(problems)
        f = landscape_or_default(requested, self.dim, default, problems)
        names = catalog_names(self.dim)
        custom = not (isinstance(requested, str) and requested in names)
        c = self.controls
        c["landscape"] = ctl.dropdown(label, [*names, CUSTOM], CUSTOM if custom else requested)
        c["expression"] = ctl.expression_box(self.dim)
        if custom:
            c["expression"].value = (str(requested) if len(problems) > known
                                     else getattr(f, "name", ""))
        c["expression"].disabled = not custom
        self.landscape = f
        self._watch(["landscape", "expression"], self._on_landscape)
        return f

    def _on_landscape(self):
        c = self.controls
        choice = c["landscape"].value
        c["expression"].disabled = choice != CUSTOM
        if choice == CUSTOM:
            if not c["expression"].value.strip():
                self._say(f"Type a function of {'x and y' if self.dim == 2 else 'x'} in "
                          f"the box {c['expression'].description} and press Enter.")
                return
            f = resolve_landscape(c["expression"].value, self.dim)
        else:
            f = resolve_landscape(choice, self.dim)
        if f is self.landscape:
            return self.update()
        self.landscape = f
        self._draw_background()
        with self.hold():
            self._retarget(f)
            self._defer(self.update)

    def _check_value(self, name, value):
        if name in ("x0", "x") and np.ndim(value) == 1:  # set(x0=(x, y)) is refused
            other = "y0" if name == "x0" else "y"
            raise ValueError(f"give the point as {name}=... and {other}=... (one number each)")
        if name == "expression":
            if not isinstance(value, str):
                raise TypeError(f"expression must be text such as 'x**2 + y**2', got {value!r}")
            return value
        return super()._check_value(name, value)

    def set(self, **values):
        """Set controls by name and update once; an expression also selects it.

        Examples
        --------
        >>> import labtools as lt
        >>> w = lt.widgets.landscape_explorer("himmelblau", steps=20, n=30)
        >>> w.set(lr=0.02, x0=1.0).trace.xs[0].tolist()
        [1.0, 0.0]
        >>> w.set(expression="x**2 + y**2").controls["landscape"].value
        'your own expression'
        """
        if "expression" in values and "landscape" not in values:
            values = {"landscape": CUSTOM, **values}
        if "landscape" in values and values["landscape"] not in self.controls["landscape"].options:
            values = {**values, "expression": values["landscape"], "landscape": CUSTOM}
        return super().set(**values)

    def _draw_background(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _retarget(self, f):
        retarget_sliders([self.controls[n] for n in self.point_controls], f,
                         self.default_point(f))

    def click(self, px, py):
        """Move the point to the pixel ``(px, py)`` of the figure (from its top left)."""
        xy = self.panel.to_data(self.ax, px, py)
        if xy is None:
            self._complain(f"that click was outside the {self.figure_word}; "
                           "click inside the axes")
            return
        self.set(**{name: float(np.clip(v, *window)) for name, v, window
                    in zip(self.point_controls, xy, self.landscape.window, strict=False)})
