"""Interactive figures for the course, built on ipywidgets 8 and Matplotlib's Agg.

Each widget is one line in a notebook and returns an object that displays
itself, exposes its controls (``w.controls["lr"]``) and its current result
(``w.trace`` or ``w.result``)::

    import labtools as lt
    w = lt.widgets.landscape_explorer("himmelblau", optimizer="momentum", lr=0.01)
    w                      # shows the controls and the figure
    w.set(lr=0.02)         # the same as moving the slider
    w.trace.message        # 'converged after ...'

How the figures are drawn
    Figures are drawn off screen with Agg and shown as a PNG inside an
    ``ipywidgets.HTML`` widget, as ``<img alt="...">`` with a description of
    what the figure shows. Only core ipywidgets models are used, so when the
    book is executed at build time the stored widget state carries every
    figure into the static page, where the widget HTML manager renders it
    without a kernel.

Why they are fast
    The static part of a figure (the contour map, the axes) is drawn once per
    landscape and cached as a bitmap; an update restores that bitmap, draws
    only the artists that moved (``set_data`` then ``draw_artist``) and
    encodes the PNG with Pillow at a low compression level. Nothing is
    rebuilt on a slider move. ``LandscapeExplorer.update(rebuild=True)`` runs
    the same update by building a fresh figure, the baseline ``make bench``
    compares against.

Bad values
    A value a learner types or sets that cannot be used (an expression that
    does not parse, ``lr=0``, a start outside the window) is reported in the
    widget in plain words; the widget keeps the last good figure and goes on
    working.

Static site
    When ``LABTOOLS_BUILD=1`` (set by the book's Sphinx extension while it
    executes the notebooks) no front-end-only extras are attached (the
    mouse-click events of ``ipyevents``), compression is stronger, and a
    short note says the controls come alive in Binder or Live Code.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import math
import os
import struct
import zlib

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import landscapes as _landscapes
from . import nn as _nn
from . import optim as _optim
from . import plots
from ._checks import check_choice, check_int, check_number, check_points, fmt
from .curvature import classify, critical_points, hessian_eigs
from .run import predicted_escape_steps, run_batch, saddle_escape_steps
from .run import run as _run

__all__ = [
    "landscape_explorer",
    "optimizer_race",
    "saddle_escape_explorer",
    "hessian_inspector",
    "basin_map_explorer",
    "explorer_1d",
    "chord_explorer",
    "network_explorer",
    "LandscapeExplorer",
    "OptimizerRace",
    "SaddleEscapeExplorer",
    "HessianInspector",
    "BasinMapExplorer",
    "Explorer1D",
    "ChordExplorer",
    "NetworkExplorer",
    "building_site",
]

CUSTOM = "your own expression"
_DPI = 100
_CONTROL_WIDTH = "390px"
_STYLE = {"description_width": "125px"}
_START_HINTS = {
    "himmelblau": (0.0, 0.0),
    "rosenbrock": (-1.2, 1.0),
    "saddle": (1.8, 0.05),
    "saddle_5": (1.0, 0.05),
    "escapable_saddle": (1.6, 0.05),
    "monkey_saddle": (1.0, 0.4),
    "double_well": (0.3, 1.0),
    "six_hump_camel": (-1.5, 0.8),
    "ackley": (3.3, 2.7),
    "rastrigin": (3.3, 2.7),
    "quadratic": (1.5, 1.5),
    "xcos": (0.3,),
    "two_minima_1d": (0.2,),
    "sine_tilt": (2.0,),
}


def building_site() -> bool:
    """True while the book is being built for the static site (``LABTOOLS_BUILD=1``).

    Examples
    --------
    >>> isinstance(building_site(), bool)
    True
    """
    return os.environ.get("LABTOOLS_BUILD", "") not in ("", "0")


# ----------------------------------------------------------------- helpers

_LANDSCAPES: dict = {}


def _catalog(name):
    if name not in _LANDSCAPES:
        _LANDSCAPES[name] = _landscapes.landscape(name)
    return _LANDSCAPES[name]


def _catalog_names(dim, need_minimizers=False):
    names = []
    for name in _landscapes.CATALOG:
        try:
            f = _catalog(name)
        except Exception:  # a catalog entry that needs parameters
            continue
        if f.dim != dim:
            continue
        if need_minimizers and (f.minimizers is None or len(f.minimizers) == 0):
            continue
        names.append(name)
    return names


def _resolve_landscape(name_or_expr, dim):
    """Return a Landscape of dimension ``dim`` or raise ValueError in plain words."""
    if not isinstance(name_or_expr, str):
        f = name_or_expr  # a Landscape object
    elif name_or_expr in _landscapes.CATALOG:
        f = _catalog(name_or_expr)
    else:
        text = name_or_expr.strip()
        if not text:
            raise ValueError(
                "the expression is empty; type a function of "
                + ("x and y, e.g. x**2 + 3*sin(y)" if dim == 2 else "x, e.g. x**4 - 2*x**2")
            )
        f = _landscapes.landscape(text)
    if getattr(f, "dim", None) != dim:
        want = "x and y" if dim == 2 else "x alone"
        raise ValueError(
            f"this widget needs a function of {want}; {getattr(f, 'name', f)!r} "
            f"is {getattr(f, 'dim', '?')}-D"
        )
    return f


def _default_start(f):
    hint = _START_HINTS.get(getattr(f, "name", None))
    if hint is not None and len(hint) == f.dim:
        return np.array(hint, dtype=float)
    return np.array([lo + 0.2 * (hi - lo) for lo, hi in f.window])


def _optimizer_params(name):
    factory = getattr(_optim, name, None)
    if factory is None:
        return set()
    return set(inspect.signature(factory).parameters)


def _make_optimizer(name, lr, beta=0.9, sigma=0.0, seed=0):
    """Build a named optimizer from the explorer's controls.

    Only the hyperparameters the optimizer takes are passed; noise is added
    to the gradient (``chain(add_noise(sigma), optimizer)``) for optimizers
    that have no ``sigma`` of their own.
    """
    params = _optimizer_params(name)
    hyper = {}
    if "lr" in params:
        hyper["lr"] = lr
    if "beta" in params:
        hyper["beta"] = beta
    if "sigma" in params:
        hyper["sigma"] = sigma
    if "seed" in params:
        hyper["seed"] = seed
    opt = _optim.optimizer(name, **hyper)
    if sigma > 0 and "sigma" not in params:
        opt = _optim.chain(_optim.add_noise(sigma, seed), opt)
    return opt


def _point(x, digits=3):
    x = np.atleast_1d(x)
    if x.size == 1:
        return fmt(x[0], digits)
    return "(" + ", ".join(fmt(v, digits) for v in x) + ")"


def _nice_limits(lo, hi, nbins=5):
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (0.0, 1.0)
    if hi - lo <= 1e-12 * (abs(lo) + abs(hi) + 1.0):
        pad = 0.5 * (abs(lo) + 1.0)
        lo, hi = lo - pad, hi + pad
    ticks = MaxNLocator(nbins=nbins).tick_values(lo, hi)
    return (float(ticks[0]), float(ticks[-1]))


def _log_limits(values, floor=1e-12, ceil=1e12):
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (1e-3, 1.0)
    lo = 10.0 ** math.floor(math.log10(max(v.min(), floor)))
    hi = 10.0 ** math.ceil(math.log10(min(max(v.max(), floor * 10), ceil)))
    if hi <= lo:
        hi = lo * 10
    return (lo, hi)


def _png_chunk(tag, data):
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def _encode_png(rgba, for_site=False):
    """Encode an (h, w, 4) uint8 Agg buffer as an RGB PNG.

    The PNG is written directly with zlib and no row filter: on the flat
    colors of a contour map this is about four times faster than Pillow's
    adaptive filtering (about 2 ms for a 430 x 390 figure) at a similar
    size. For the static site (``for_site``) zlib works harder instead, since
    there the page weight matters and the time does not.
    """
    h, w = rgba.shape[:2]
    rows = np.empty((h, 3 * w + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None for every row
    # the RGB bytes of each row, written in one copy straight from the RGBA buffer
    pixels = np.ndarray((h, w, 3), dtype=np.uint8, buffer=rows, offset=1,
                        strides=(3 * w + 1, 3, 1))
    pixels[...] = rgba[:, :, :3]
    data = zlib.compress(rows.tobytes(), 9 if for_site else 2)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data)
            + _png_chunk(b"IEND", b""))


class _Panel:
    """One Agg figure whose static part is cached and moving artists blitted.

    ``render(key)`` draws the whole figure when ``key`` changed since the
    last full draw (new landscape, new axis limits), otherwise restores the
    cached background and draws only ``self.animated``.
    """

    def __init__(self, figsize, *, layout=None):
        self.fig = Figure(figsize=figsize, dpi=_DPI, layout=layout)
        self.canvas = FigureCanvasAgg(self.fig)
        self.animated: list = []
        self._background = None
        self._key = None
        self.full_draws = 0

    @property
    def size(self):
        w, h = self.fig.canvas.get_width_height()
        return w, h

    def invalidate(self):
        self._background = None

    def add(self, *artists):
        for a in artists:
            a.set_animated(True)
            self.animated.append(a)
        return artists

    def remove(self, artist):
        if artist in self.animated:
            self.animated.remove(artist)
        with contextlib.suppress(ValueError, AttributeError, NotImplementedError):
            artist.remove()

    def render(self, key=None):
        if self._background is None or key != self._key:
            self.canvas.draw()  # animated artists are left out of this draw
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._key = key
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        for a in self.animated:
            if a.get_visible():
                self.fig.draw_artist(a)
        return _encode_png(np.asarray(self.canvas.buffer_rgba()), building_site())

    def to_data(self, ax, px, py):
        """Map a pixel of the PNG (from its top-left corner) to data coordinates of ``ax``."""
        _, h = self.size
        disp = (float(px), float(h - py))
        if not ax.bbox.contains(*disp):
            return None
        return ax.transData.inverted().transform(disp)


def _img(png, alt, width):
    return plots.png_img_tag(png, alt, width=width,
                             style="display:block; max-width:100%; height:auto;")


def _image_box(width):
    """An HTML widget for a figure: its natural width, narrower if the page is."""
    return W.HTML(layout=W.Layout(width=f"{width}px", max_width="100%"))


def _row(children):
    """Side by side while there is room, one under the other on a narrow page."""
    return W.HBox(children, layout=W.Layout(flex_flow="row wrap"))


def _slider_float(description, value, lo, hi, step, *, continuous=True, fmt=".3g"):
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         continuous_update=continuous, readout_format=fmt, style=_STYLE,
                         layout=W.Layout(width=_CONTROL_WIDTH))


def _slider_log(description, value, lo_exp, hi_exp, *, continuous=True):
    return W.FloatLogSlider(value=value, base=10, min=lo_exp, max=hi_exp, step=0.05,
                            description=description, continuous_update=continuous,
                            readout_format=".2g", style=_STYLE,
                            layout=W.Layout(width=_CONTROL_WIDTH))


def _slider_int(description, value, lo, hi, *, continuous=False, step=1):
    return W.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=continuous, style=_STYLE,
                       layout=W.Layout(width=_CONTROL_WIDTH))


def _dropdown(description, options, value):
    return W.Dropdown(options=options, value=value, description=description, style=_STYLE,
                      layout=W.Layout(width=_CONTROL_WIDTH))


def _expression_box(dim):
    label = "f(x, y) =" if dim == 2 else "f(x) ="
    hint = "e.g. x**2 + 3*sin(y), then Enter" if dim == 2 else "e.g. x**4 - 2*x**2, then Enter"
    return W.Text(value="", placeholder=hint, description=label, continuous_update=False,
                  style=_STYLE, layout=W.Layout(width=_CONTROL_WIDTH))


class _Widget:
    """What every widget of the course shares: controls, a message line, set().

    Attributes every widget has: ``widget`` (the ipywidgets box that is
    displayed), ``controls`` (name -> control), ``message`` (the text under
    the figure), ``error`` (the problem in plain words, or None),
    ``exception`` (the exception behind it, with its traceback, or None) and
    ``updates`` (how many times the figure was redrawn).
    """

    def __init__(self):
        self.controls: dict = {}
        self.status = W.HTML(layout=W.Layout(width="100%"))
        self.message = ""
        self.error = None
        self.exception = None
        self._holding = 0
        self._pending: list = []
        self.widget = None
        self.updates = 0

    # -- display -------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"<{type(self).__name__}: {self.message}>"

    def _note(self):
        if not building_site():
            return W.HTML("")
        return W.HTML(
            '<p style="font-size:90%; color:#444; margin:2px 0">'
            "This is a snapshot for the default settings. The controls come alive "
            "in a running notebook: open this page in Binder or with Live Code "
            "(the rocket icon at the top of the page).</p>"
        )

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
            self.controls[name].observe(lambda change, h=handler: self._call(h), names="value")

    def _defer(self, handler):
        if handler not in self._pending:
            self._pending.append(handler)

    def _call(self, handler):
        if self._holding:
            self._defer(handler)
            return
        try:
            handler()
        except Exception as exc:  # shown in the widget, never lost
            self._complain(exc)

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
            for value in vars(self).values():
                if isinstance(value, _Panel):
                    value.invalidate()

    # -- clicks ----------------------------------------------------------------

    def _attach_clicks(self, image_widget, on_pixel):
        """Let a click on the figure call ``on_pixel(px, py)`` in a live kernel.

        Uses ``ipyevents`` when it is installed; never while building the
        static site, whose pages cannot load its JavaScript.
        """
        self.click_events = None
        self._on_pixel = on_pixel
        if building_site():
            return
        try:
            from ipyevents import Event
        except ImportError:
            return
        event = Event(source=image_widget, watched_events=["click"])
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


def _check_x0(f, x0):
    x0 = check_points("x0", x0, dim=f.dim)
    if x0.ndim != 1:
        raise ValueError(f"x0 must be one point of shape ({f.dim},), got shape {x0.shape}")
    for v, (lo, hi), name in zip(x0, f.window, "xy", strict=False):
        if not lo <= v <= hi:
            window = " x ".join(f"[{fmt(a)}, {fmt(b)}]" for a, b in f.window)
            raise ValueError(
                f"x0 must lie inside the plot window {window}; its {name} is {fmt(v)}"
            )
    return x0


def _start_sliders(f, x0, names=("x0", "y0"), continuous=True):
    out = {}
    for name, (lo, hi), v in zip(names, f.window, x0, strict=False):
        out[name] = _slider_float(f"start {name[0]}", float(v), lo, hi, (hi - lo) / 400,
                                  continuous=continuous)
    return out


def _retarget_sliders(sliders, f, x0):
    for s, (lo, hi), v in zip(sliders, f.window, x0, strict=False):
        # widen first so that neither bound rejects the other
        s.min, s.max = min(s.min, lo), max(s.max, hi)
        s.value = float(v)
        s.min, s.max, s.step = lo, hi, (hi - lo) / 400


def _window_text(f):
    names = [str(s) for s in getattr(f, "symbols", ())] or ["x", "y"]
    return " and ".join(f"{n} from {fmt(lo)} to {fmt(hi)}"
                        for n, (lo, hi) in zip(names, f.window, strict=False))


class _ChoosesLandscape(_Widget):
    """A widget with a landscape dropdown and a box for the learner's own expression."""

    dim = 2

    def _on_landscape(self):
        c = self.controls
        choice = c["landscape"].value
        c["expression"].disabled = choice != CUSTOM
        if choice == CUSTOM:
            if not c["expression"].value.strip():
                self._say(f"Type a function of {'x and y' if self.dim == 2 else 'x'} in "
                          f"the box {c['expression'].description} and press Enter.")
                return
            f = _resolve_landscape(c["expression"].value, self.dim)
        else:
            f = _resolve_landscape(choice, self.dim)
        if f is self.landscape:
            return self.update()
        self.landscape = f
        self._draw_background()
        with self.hold():
            self._retarget(f)
            self._defer(self.update)

    def _check_value(self, name, value):
        if name == "x0" and np.ndim(value) == 1:  # set(x0=(x, y)) is allowed too
            raise ValueError("give the start as x0=... and y0=... (one number each)")
        if name == "expression":
            if not isinstance(value, str):
                raise TypeError(f"expression must be text such as 'x**2 + y**2', got {value!r}")
            return value
        return super()._check_value(name, value)

    def set(self, **values):
        """Set controls by name and update once; an expression also selects it.

        Examples
        --------
        >>> w = landscape_explorer("himmelblau", steps=20)
        >>> w.set(lr=0.02, x0=1.0).trace.xs[0].tolist()
        [1.0, 0.0]
        """
        if "expression" in values and "landscape" not in values:
            values = {"landscape": CUSTOM, **values}
        if "landscape" in values and values["landscape"] not in self.controls["landscape"].options:
            values = {**values, "expression": values["landscape"], "landscape": CUSTOM}
        return super().set(**values)

    def _draw_background(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _retarget(self, f):  # pragma: no cover - overridden
        raise NotImplementedError


# ============================================================ landscape explorer


class LandscapeExplorer(_ChoosesLandscape):
    """Run an optimizer on a 2-D landscape and watch its path and loss.

    Build it with :func:`landscape_explorer`. Attributes: ``controls``
    (``landscape``, ``expression``, ``optimizer``, ``lr``, ``beta``, ``sigma``,
    ``steps``, ``x0``, ``y0``), ``trace`` (the current :class:`~labtools.run.Trace`),
    ``landscape``, ``message``, ``image`` and ``loss_image`` (the HTML
    widgets holding the figures), ``alt`` (their alt texts).
    """

    def __init__(self, landscape="himmelblau", optimizer="gd", lr=0.01, beta=0.9,
                 steps=100, sigma=0.0, x0=None, seed=0, n=200):
        super().__init__()
        self.seed = seed
        self.n = check_int("n", n, low=10)
        self.trace = None
        self.alt = ("", "")
        problems = []
        try:
            f = _resolve_landscape(landscape, 2)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("himmelblau")
        self.landscape = f
        start = _default_start(f)
        if x0 is not None:
            try:
                start = _check_x0(f, x0)
            except (ValueError, TypeError) as exc:
                problems.append(str(exc))
        names = _catalog_names(2)
        custom = not (isinstance(landscape, str) and landscape in names)
        c = self.controls
        c["landscape"] = _dropdown("landscape", [*names, CUSTOM],
                                   CUSTOM if custom else landscape)
        c["expression"] = _expression_box(2)
        if custom:
            c["expression"].value = getattr(f, "name", "") if not problems else str(landscape)
        c["optimizer"] = _dropdown("optimizer", list(_optim.OPTIMIZERS), "gd")
        c["lr"] = _slider_log("learning rate lr", 0.01, -4, 0)
        c["beta"] = _slider_float("momentum beta", 0.9, 0.0, 0.99, 0.01, fmt=".2f")
        c["sigma"] = _slider_float("noise sigma", 0.0, 0.0, 2.0, 0.01, fmt=".2f")
        c["steps"] = _slider_int("steps", 100, 1, 1000)
        c.update(_start_sliders(f, start))

        # figures: the landscape (blitted path) and the loss curves
        self.panel = _Panel((4.3, 3.9), layout="constrained")
        self.ax = self.panel.fig.add_subplot()
        self.loss_panel = _Panel((3.6, 3.9), layout="constrained")
        self.loss_ax, self.grad_ax = self.loss_panel.fig.subplots(2, 1, sharex=True)
        self._draw_background()
        blank = np.zeros((1, 2))
        self.path = plots.plot_trajectory(self.ax, blank, animated=True)
        self.panel.add(*self.path)
        (self.loss_line,) = self.loss_ax.plot([], [], color="#0072B2", linewidth=1.5)
        (self.grad_line,) = self.grad_ax.plot([], [], color="#D55E00", linewidth=1.5)
        self.loss_panel.add(self.loss_line, self.grad_line)
        self.loss_ax.set_title("Loss and gradient norm")
        self.loss_ax.set_yscale("log")
        self.grad_ax.set_yscale("log")
        self.grad_ax.set_ylabel("‖∇f(x_k)‖")
        self.grad_ax.set_xlabel("step k")
        for ax in (self.loss_ax, self.grad_ax):
            ax.grid(True, alpha=0.3)

        w1, h1 = self.panel.size
        w2, _ = self.loss_panel.size
        self._click_size = (w1, h1)
        self.image = _image_box(w1)
        self.loss_image = _image_box(w2)
        left = W.VBox([c["landscape"], c["expression"], c["optimizer"], c["lr"], c["beta"]])
        right = W.VBox([c["sigma"], c["steps"], c["x0"], c["y0"]])
        self.widget = W.VBox([_row([left, right]), _row([self.image, self.loss_image]),
                              self.status, self._note()],
                             layout=W.Layout(max_width="820px"))
        self._watch(["landscape", "expression"], self._on_landscape)
        self._watch(["optimizer", "lr", "beta", "sigma", "steps", "x0", "y0"], self.update)
        c["expression"].disabled = c["landscape"].value != CUSTOM
        self._attach_clicks(self.image, self.click)
        self._start(dict(optimizer=optimizer, lr=lr, beta=beta, sigma=sigma, steps=steps),
                    problems)

    # -- landscape ------------------------------------------------------------

    def _draw_background(self):
        ax = self.ax
        for coll in list(ax.collections):
            coll.remove()
        plots.contour_plot(self.landscape, ax=ax, n=self.n, lines=False, colorbar=False)
        self.panel.invalidate()

    def _retarget(self, f):
        c = self.controls
        _retarget_sliders([c["x0"], c["y0"]], f, _default_start(f))

    def click(self, px, py):
        """Move the start to the pixel ``(px, py)`` of the landscape image (from its top left)."""
        xy = self.panel.to_data(self.ax, px, py)
        if xy is None:
            self._complain("that click was outside the map; click inside the axes")
            return
        self.set(x0=float(np.clip(xy[0], *self.landscape.window[0])),
                 y0=float(np.clip(xy[1], *self.landscape.window[1])))

    # -- the update -------------------------------------------------------------

    def _compute(self):
        c = self.controls
        opt_name = c["optimizer"].value
        params = _optimizer_params(opt_name)
        c["lr"].disabled = "lr" not in params
        c["beta"].disabled = "beta" not in params
        opt = _make_optimizer(opt_name, c["lr"].value, c["beta"].value, c["sigma"].value,
                              self.seed)
        x0 = np.array([c["x0"].value, c["y0"].value])
        with np.errstate(all="ignore"):
            return _run(self.landscape, opt, x0, steps=c["steps"].value, seed=self.seed)

    def _describe(self, trace):
        c = self.controls
        f = self.landscape
        name = c["optimizer"].value
        params = _optimizer_params(name)
        hyper = []
        if "lr" in params:
            hyper.append(f"lr {fmt(c['lr'].value, 2)}")
        if "beta" in params:
            hyper.append(f"beta {c['beta'].value:.2f}")
        if c["sigma"].value > 0:
            hyper.append(f"noise sigma {c['sigma'].value:.2f}")
        setting = f"{name} ({', '.join(hyper)})" if hyper else name
        end = trace.xs[-1]
        return setting, (
            f"Contour map of {f.name} for {_window_text(f)}, with the path of {setting} "
            f"from {_point(trace.xs[0])}: {trace.message}; the last point is "
            f"{_point(end)} where f = {fmt(trace.values[-1])}."
        ), (
            f"Two curves against step k for the same run: f(x_k) goes from "
            f"{fmt(trace.values[0])} to {fmt(trace.values[-1])}, and the gradient "
            f"norm (log scale) from {fmt(trace.grad_norms[0])} to "
            f"{fmt(trace.grad_norms[-1])}."
        )

    def _scales(self):
        """Per landscape: the reference value f_min and the axis ranges of the loss plot.

        The loss is drawn as ``f(x_k) - f_min`` and the gradient norm as it
        is, both on log axes whose ranges come from the landscape (its
        values and gradients on the grid), not from the run: moving a slider
        then never changes the axes, and the update only redraws two lines.
        """
        f = self.landscape
        key = (id(f), self.n)
        if getattr(self, "_scales_key", None) != key:
            X, Y, Z = plots.landscape_grid(f, self.n)
            f_min = getattr(f, "global_min", None)
            label = "f(x_k) − f*"
            if f_min is None:
                f_min = float(np.nanmin(Z))
                label = "f(x_k) − min f on map"
            span = float(np.nanmax(Z)) - f_min
            coarse = np.stack([X[::5, ::5], Y[::5, ::5]], axis=-1).reshape(-1, 2)
            with np.errstate(all="ignore"):
                g = np.linalg.norm(np.asarray(f.grad(coarse), dtype=float), axis=-1)
            g_hi = float(np.nanmax(g)) if np.any(np.isfinite(g)) else 1.0
            self._scale_values = (
                float(f_min), label,
                (1e-10, 10.0 ** math.ceil(math.log10(max(span, 1e-9)))),
                (1e-8, 10.0 ** math.ceil(math.log10(max(g_hi, 1e-7)))),
            )
            self._scales_key = key
        return self._scale_values

    def _loss_limits(self):
        steps = self.controls["steps"].value
        f_min, label, loss_lim, grad_lim = self._scales()
        return ((0, max(steps, 1)), loss_lim, grad_lim, label)

    def update(self, rebuild=False):
        """Run the optimizer with the current controls and redraw.

        Parameters
        ----------
        rebuild : bool, default False
            Draw by building a new figure from scratch instead of updating
            the artists in place (the baseline of ``make bench``).

        Returns
        -------
        Trace
        """
        trace = self._compute()
        setting, alt_map, alt_loss = self._describe(trace)
        if rebuild:
            self._render_baseline(trace, alt_map)
        else:
            plots.set_trajectory(self.path, trace)
            png = self.panel.render(key=id(self.landscape))
            k = np.arange(len(trace.values))
            limits = self._loss_limits()
            gap = np.asarray(trace.values, dtype=float) - self._scales()[0]
            self.loss_line.set_data(k, np.where(gap > 0, gap, np.nan))
            self.grad_line.set_data(k, np.where(trace.grad_norms > 0, trace.grad_norms, np.nan))
            if limits != self.loss_panel._key:
                self.loss_ax.set_xlim(*limits[0])
                self.loss_ax.set_ylim(*limits[1])
                self.grad_ax.set_ylim(*limits[2])
                self.loss_ax.set_ylabel(limits[3], fontsize="small")
            loss_png = self.loss_panel.render(key=limits)
            self.image.value = _img(png, alt_map, self.panel.size[0])
            self.loss_image.value = _img(loss_png, alt_loss, self.loss_panel.size[0])
        self.alt = (alt_map, alt_loss)
        self.trace = trace
        self.updates += 1
        self._say(f"{setting} from {_point(trace.xs[0])}: {trace.message}. "
                  f"Last point {_point(trace.xs[-1])}, f = {fmt(trace.values[-1])}.")
        return trace

    def _render_baseline(self, trace, alt):
        fig = Figure(figsize=(7.9, 3.9), dpi=_DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax, lax = fig.subplots(1, 2)
        plots.contour_plot(self.landscape, ax=ax, n=self.n, lines=False, colorbar=False)
        plots.plot_trajectory(ax, trace)
        plots.plot_loss(lax, trace)
        fig.canvas.draw()
        png = _encode_png(np.asarray(fig.canvas.buffer_rgba()), building_site())
        self.image.value = _img(png, alt, fig.canvas.get_width_height()[0])
        self.loss_image.value = ""


def landscape_explorer(landscape="himmelblau", optimizer="gd", lr=0.01, beta=0.9, steps=100,
                       sigma=0.0, x0=None, seed=0, n=200):
    """Explore an optimizer on a 2-D landscape: its path on the contour map and its loss.

    Controls: the landscape (or the learner's own expression in ``x`` and
    ``y``), the optimizer, the learning rate ``lr``, the momentum ``beta``,
    gradient noise ``sigma``, ``steps`` and the start point. In a running
    notebook a click on the map moves the start (with ``ipyevents``); the
    sliders do the same from the keyboard.

    Parameters
    ----------
    landscape : str or Landscape, default "himmelblau"
        A catalog name, an expression such as ``"x**2 + 3*sin(y)"``, or a
        2-D :class:`~labtools.landscapes.Landscape`.
    optimizer : str, default "gd"
        One of :data:`~labtools.optim.OPTIMIZERS`.
    lr : float, default 0.01
        Learning rate, between 1e-4 and 1.
    beta : float, default 0.9
        Momentum (used by ``momentum`` and ``nesterov``).
    steps : int, default 100
        Largest number of steps (1 to 1000).
    sigma : float, default 0.0
        Standard deviation of Gaussian noise added to every gradient.
    x0 : array_like, shape (2,), optional
        Start point inside the window; a landscape-specific default if omitted.
    seed : int, default 0
        Seed of the noise, so a figure is reproducible.
    n : int, default 200
        Grid points per axis of the contour map.

    Returns
    -------
    LandscapeExplorer
        Displays itself; ``.trace`` is the current run, ``.controls`` the
        controls, ``.set(...)`` changes several at once.

    Examples
    --------
    >>> w = landscape_explorer("himmelblau", optimizer="momentum", lr=0.01, steps=50)
    >>> w.trace.status in {"converged", "max_steps", "diverged"}
    True
    >>> w.set(lr=0).message
    'Problem: lr must be positive, got 0'
    >>> w.set(lr=0.02).trace is not None
    True
    """
    return LandscapeExplorer(landscape, optimizer, lr, beta, steps, sigma, x0, seed, n)


# ============================================================ 1-D explorer


class Explorer1D(_ChoosesLandscape):
    """Gradient descent (or any optimizer) on a 1-D function, stepped with a Play control.

    Build it with :func:`explorer_1d`. Controls: ``landscape``,
    ``expression``, ``optimizer``, ``lr``, ``x0``, ``steps`` and ``k`` (the
    step shown; ``play`` moves it). ``trace`` is the run.
    """

    dim = 1

    def __init__(self, landscape="xcos", optimizer="gd", lr=0.05, x0=None, steps=30):
        super().__init__()
        problems = []
        try:
            f = _resolve_landscape(landscape, 1)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("xcos")
        self.landscape = f
        self.trace = None
        start = _default_start(f)
        if x0 is not None:
            try:
                start = _check_x0(f, np.atleast_1d(np.asarray(x0, dtype=float)))
            except (ValueError, TypeError) as exc:
                problems.append(str(exc))
        names = _catalog_names(1)
        custom = not (isinstance(landscape, str) and landscape in names)
        c = self.controls
        c["landscape"] = _dropdown("function", [*names, CUSTOM], CUSTOM if custom else landscape)
        c["expression"] = _expression_box(1)
        if custom and not problems:
            c["expression"].value = getattr(f, "name", "")
        c["optimizer"] = _dropdown("optimizer", list(_optim.OPTIMIZERS), "gd")
        c["lr"] = _slider_log("learning rate lr", 0.05, -3, 0.5)
        c["x0"] = _start_sliders(f, start, names=("x0",))["x0"]
        c["steps"] = _slider_int("steps", 30, 1, 200)
        c["k"] = _slider_int("show step k", 30, 0, 30, continuous=True)
        self.play = W.Play(value=30, min=0, max=30, step=1, interval=400,
                           description="play the steps")
        W.jslink((self.play, "value"), (c["k"], "value"))

        self.panel = _Panel((7.8, 3.6), layout="constrained")
        self.ax = self.panel.fig.add_subplot()
        self._draw_background()
        self.full_path = self.ax.plot([], [], color="#D55E00", alpha=0.25, linewidth=1,
                                      marker=".", markersize=3)[0]
        self.path = self.ax.plot([], [], color="#D55E00", linewidth=1.5, marker="o",
                                 markersize=4)[0]
        self.point = self.ax.plot([], [], linestyle="none", marker="o", markersize=10,
                                  markerfacecolor="#D55E00", markeredgecolor="black")[0]
        self.tangent = self.ax.plot([], [], color="black", linestyle="--", linewidth=1)[0]
        self.label = self.ax.text(0.02, 0.96, "", transform=self.ax.transAxes, va="top",
                                  fontsize=9, bbox={"facecolor": "white", "alpha": 0.8,
                                                    "edgecolor": "none"})
        self.panel.add(self.full_path, self.path, self.point, self.tangent, self.label)
        self.image = _image_box(self.panel.size[0])
        self._click_size = self.panel.size
        left = W.VBox([c["landscape"], c["expression"], c["optimizer"]])
        right = W.VBox([c["lr"], c["x0"], c["steps"]])
        self.widget = W.VBox([_row([left, right]), _row([self.play, c["k"]]), self.image,
                              self.status, self._note()], layout=W.Layout(max_width="820px"))
        self._watch(["landscape", "expression"], self._on_landscape)
        self._watch(["optimizer", "lr", "x0", "steps"], self.update)
        self._watch(["k"], self.redraw)
        c["expression"].disabled = c["landscape"].value != CUSTOM
        self._attach_clicks(self.image, self.click)
        self._start(dict(optimizer=optimizer, lr=lr, steps=steps), problems)

    def _draw_background(self):
        ax = self.ax
        for line in list(ax.lines):
            if not line.get_animated():
                line.remove()
        (lo, hi), = self.landscape.window
        xs = np.linspace(lo, hi, 600)
        with np.errstate(all="ignore"):
            ys = np.asarray(self.landscape.f(xs[:, None]), dtype=float)
        ys = np.where(np.isfinite(ys), ys, np.nan)
        ax.plot(xs, ys, color="#0072B2", linewidth=2)
        ax.set_xlim(lo, hi)
        pad = 0.08 * (np.nanmax(ys) - np.nanmin(ys) + 1e-12)
        ax.set_ylim(np.nanmin(ys) - pad, np.nanmax(ys) + pad)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.set_title(f"{self.landscape.name}: the path of the optimizer on the graph")
        ax.grid(True, alpha=0.3)
        self.panel.invalidate()

    def _retarget(self, f):
        _retarget_sliders([self.controls["x0"]], f, _default_start(f))

    def click(self, px, py):
        """Move the start to the x of the pixel ``(px, py)`` of the image."""
        xy = self.panel.to_data(self.ax, px, py)
        if xy is None:
            self._complain("that click was outside the graph; click inside the axes")
            return
        self.set(x0=float(np.clip(xy[0], *self.landscape.window[0])))

    def update(self, rebuild=False):
        """Run with the current controls, show every step, return the Trace."""
        self._full_redraw(rebuild)
        c = self.controls
        opt = _make_optimizer(c["optimizer"].value, c["lr"].value)
        with np.errstate(all="ignore"):
            trace = _run(self.landscape, opt, np.array([c["x0"].value]), steps=c["steps"].value)
        self.trace = trace
        n = trace.steps_taken
        k = c["k"]
        with self.hold():
            k.max = self.play.max = max(n, 1)
            k.value = self.play.value = n
            self._pending.clear()
        self.full_path.set_data(trace.xs[:, 0], trace.values)
        self.redraw()
        return trace

    def redraw(self):
        """Draw the path up to the step ``k`` chosen by the slider or Play."""
        trace = self.trace
        if trace is None:
            return
        c = self.controls
        k = min(c["k"].value, trace.steps_taken)
        xs, vs = trace.xs[: k + 1, 0], trace.values[: k + 1]
        self.path.set_data(xs, vs)
        self.point.set_data(xs[-1:], vs[-1:])
        with np.errstate(all="ignore"):
            slope = float(np.asarray(self.landscape.grad(trace.xs[k])).ravel()[0])
        (lo, hi), = self.landscape.window
        half = 0.12 * (hi - lo)
        tx = np.array([xs[-1] - half, xs[-1] + half])
        self.tangent.set_data(tx, vs[-1] + slope * (tx - xs[-1]))
        self.label.set_text(f"step {k} of {trace.steps_taken}: x = {fmt(xs[-1], 4)}, "
                            f"f(x) = {fmt(vs[-1], 4)}, f'(x) = {fmt(slope, 3)}")
        png = self.panel.render(key=id(self.landscape))
        name = c["optimizer"].value
        alt = (f"Graph of {self.landscape.name} for {_window_text(self.landscape)}, with the "
               f"first {k} steps of {name} (lr {fmt(c['lr'].value, 2)}) from x = "
               f"{fmt(xs[0])}; step {k} is at x = {fmt(xs[-1])}, where the dashed tangent "
               f"has slope {fmt(slope)}. The whole run {trace.message}.")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.alt = alt
        self.updates += 1
        self._say(f"{name} from x = {fmt(xs[0])}: {trace.message}. Showing step {k}.")


def explorer_1d(landscape="xcos", optimizer="gd", lr=0.05, x0=None, steps=30):
    """Step an optimizer along a 1-D function; a Play control walks through the steps.

    Parameters
    ----------
    landscape : str or Landscape, default "xcos"
        A 1-D catalog name, an expression in ``x`` or a 1-D Landscape.
    optimizer : str, default "gd"
    lr : float, default 0.05
        Learning rate, between 1e-3 and about 3.
    x0 : float, optional
        Start inside the window.
    steps : int, default 30
        Steps to run (1 to 200).

    Returns
    -------
    Explorer1D

    Examples
    --------
    >>> w = explorer_1d("xcos", lr=0.05, x0=0.3, steps=10)
    >>> w.set(k=3).trace.steps_taken <= 10
    True
    """
    return Explorer1D(landscape, optimizer, lr, x0, steps)


# ============================================================ chord explorer


class ChordExplorer(_Widget):
    """Two points on a function (or a 2-D slice) and the chord between them.

    Build it with :func:`chord_explorer`. For a 1-D function the controls
    are ``a`` and ``b``; for a 2-D function ``ax, ay, bx, by`` place the two
    ends of a segment and the right panel shows ``f`` along it. ``result``
    holds the fraction of the interval where the chord lies below the graph.
    """

    def __init__(self, landscape="xcos", a=None, b=None):
        super().__init__()
        problems = []
        try:
            f = landscape if not isinstance(landscape, str) else (
                _catalog(landscape) if landscape in _landscapes.CATALOG
                else _landscapes.landscape(landscape))
            if f.dim not in (1, 2):
                raise ValueError(f"landscape must be 1-D or 2-D, got {f.dim}-D")
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("xcos")
        self.landscape = f
        self.dim = f.dim
        self.result = None
        c = self.controls
        win = f.window
        if self.dim == 1:
            (lo, hi), = win
            a_default, b_default = lo + 0.2 * (hi - lo), lo + 0.75 * (hi - lo)
            c["a"] = _slider_float("point a", a_default, lo, hi, (hi - lo) / 400)
            c["b"] = _slider_float("point b", b_default, lo, hi, (hi - lo) / 400)
            self.panel = _Panel((7.8, 3.6), layout="constrained")
            self.ax_graph = self.panel.fig.add_subplot()
            self.ax_map = None
        else:
            (x_lo, x_hi), (y_lo, y_hi) = win
            for name, v, (lo, hi) in [("ax", 0.2, win[0]), ("ay", 0.3, win[1]),
                                      ("bx", 0.8, win[0]), ("by", 0.7, win[1])]:
                c[name] = _slider_float(f"point {name[0]}: {name[1]}", lo + v * (hi - lo),
                                        lo, hi, (hi - lo) / 400)
            self.panel = _Panel((7.8, 3.6), layout="constrained")
            self.ax_map, self.ax_graph = self.panel.fig.subplots(1, 2)
            plots.contour_plot(f, ax=self.ax_map, n=120, lines=False, colorbar=False,
                               title=f"{f.name}: the segment from a to b")
            (self.segment,) = self.ax_map.plot([], [], color="white", linewidth=2.5,
                                               marker="o", markersize=7,
                                               markeredgecolor="black")
            self.panel.add(self.segment)
        g = self.ax_graph
        g.set_xlabel("x" if self.dim == 1 else "t (position from a to b)")
        g.set_ylabel("f(x)" if self.dim == 1 else "f(a + t (b - a))")
        g.set_title(f"{f.name}: graph and chord" if self.dim == 1
                    else "f along the segment, and the chord")
        g.grid(True, alpha=0.3)
        (self.graph,) = g.plot([], [], color="#0072B2", linewidth=2, label="graph of f")
        (self.chord,) = g.plot([], [], color="black", linewidth=1.5, marker="o",
                               label="chord")
        self.fills = []
        self.panel.add(self.graph, self.chord)
        from matplotlib.patches import Patch
        g.legend(handles=[self.graph, self.chord,
                          Patch(color="#009E73", alpha=0.5, label="chord above graph"),
                          Patch(color="#D55E00", alpha=0.5, label="chord below graph")],
                 loc="upper left", fontsize="small", framealpha=0.85)
        self.image = _image_box(self.panel.size[0])
        names = list(c)
        half = (len(names) + 1) // 2
        self.widget = W.VBox([_row([W.VBox([c[n] for n in names[:half]]),
                                      W.VBox([c[n] for n in names[half:]])]),
                              self.image, self.status, self._note()],
                             layout=W.Layout(max_width="820px"))
        self._watch(names, self.update)
        initial = {}
        if self.dim == 1:
            initial = {k: v for k, v in (("a", a), ("b", b)) if v is not None}
        else:
            for key, p in (("a", a), ("b", b)):
                if p is not None:
                    try:
                        p = check_points(key, p, dim=2)
                        initial[key + "x"], initial[key + "y"] = float(p[0]), float(p[1])
                    except (ValueError, TypeError) as exc:
                        problems.append(str(exc))
        self._start(initial, problems)

    def _ends(self):
        c = self.controls
        if self.dim == 1:
            return np.array([c["a"].value]), np.array([c["b"].value])
        return (np.array([c["ax"].value, c["ay"].value]),
                np.array([c["bx"].value, c["by"].value]))

    def update(self, rebuild=False):
        """Redraw the chord for the current points; return the fraction below the graph."""
        self._full_redraw(rebuild)
        a, b = self._ends()
        f = self.landscape
        if np.allclose(a, b):
            raise ValueError("a and b are the same point; move one of them to make a chord")
        t = np.linspace(0.0, 1.0, 301)
        pts = a[None, :] + t[:, None] * (b - a)[None, :]
        with np.errstate(all="ignore"):
            fv = np.asarray(f.f(pts), dtype=float)
        if not np.all(np.isfinite(fv)):
            bad = pts[~np.isfinite(fv)][0]
            raise ValueError(f"f is not defined (or not finite) at {_point(bad)} between a "
                             "and b; move the points to where f is defined")
        fa, fb = fv[0], fv[-1]
        chord = (1 - t) * fa + t * fb
        if self.dim == 1:
            (lo, hi), = f.window
            xs = np.linspace(lo, hi, 500)
            with np.errstate(all="ignore"):
                graph = np.asarray(f.f(xs[:, None]), dtype=float)
            u = pts[:, 0]
            self.graph.set_data(xs, graph)
            self.chord.set_data([a[0], b[0]], [fa, fb])
            x_lim = (lo, hi)
            y_all = np.concatenate([graph[np.isfinite(graph)], [fa, fb]])
        else:
            u = t
            self.graph.set_data(t, fv)
            self.chord.set_data([0, 1], [fa, fb])
            self.segment.set_data([a[0], b[0]], [a[1], b[1]])
            x_lim = (0.0, 1.0)
            y_all = np.concatenate([fv[np.isfinite(fv)], [fa, fb]])
        for p in self.fills:
            self.panel.remove(p)
        g = self.ax_graph
        above = chord >= fv - 1e-12 * (1 + np.abs(fv))
        self.fills = [
            g.fill_between(u, fv, chord, where=above, color="#009E73", alpha=0.45,
                           interpolate=True),
            g.fill_between(u, fv, chord, where=~above, color="#D55E00", alpha=0.45,
                           interpolate=True),
        ]
        self.panel.add(*self.fills)
        y_lim = _nice_limits(float(y_all.min()), float(y_all.max()))
        key = (x_lim, y_lim)
        if key != self.panel._key:
            g.set_xlim(*x_lim)
            g.set_ylim(*y_lim)
        png = self.panel.render(key=key)
        below = float(np.mean(~above))
        self.result = below
        where_a, where_b = _point(a), _point(b)
        if below == 0:
            verdict = ("the chord lies on or above the graph everywhere between them, "
                       "as it must for a convex function")
        else:
            verdict = (f"the chord dips below the graph on {below:.0%} of the way, so f "
                       "is not convex on this stretch")
        what = "the graph" if self.dim == 1 else "the slice of the landscape"
        alt = (f"{f.name}: {what} between a = {where_a} (f = {fmt(fa)}) and b = {where_b} "
               f"(f = {fmt(fb)}) with the chord joining them; {verdict}. Green marks "
               "where the chord is above the graph, vermillion where it is below.")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.alt = alt
        self.updates += 1
        self._say(f"From a = {where_a} to b = {where_b}: {verdict}.")
        return below


def chord_explorer(landscape="xcos", a=None, b=None):
    """Place two points on a function and see where the chord lies against the graph.

    A function is convex exactly when every chord lies on or above its
    graph. For a 2-D landscape the two points are ends of a segment in the
    plane and the graph is ``f`` along that segment (a 1-D slice).

    Parameters
    ----------
    landscape : str or Landscape, default "xcos"
        A catalog name, an expression in ``x`` (or ``x`` and ``y``) or a
        Landscape, 1-D or 2-D.
    a, b : float or array_like of 2 floats, optional
        The two points (inside the window).

    Returns
    -------
    ChordExplorer
        ``.result`` is the fraction of the way where the chord is below
        the graph (0 on a convex stretch).

    Examples
    --------
    >>> w = chord_explorer("xcos", a=-0.5, b=0.5)
    >>> 0.0 <= w.result <= 1.0
    True
    >>> chord_explorer("x**2", a=-1, b=2).result
    0.0
    """
    return ChordExplorer(landscape, a, b)


# ============================================================ Hessian inspector


_SHAPES = {
    "minimum": "positive definite: the quadratic model is a bowl",
    "maximum": "negative definite: the quadratic model is a dome",
    "saddle": "indefinite: the quadratic model is a saddle",
    "degenerate": "singular: the quadratic model is flat along one direction",
}


class HessianInspector(_ChoosesLandscape):
    """A point on a 2-D landscape: gradient, Hessian, eigenpairs, kind and Taylor model.

    Build it with :func:`hessian_inspector`. Controls ``landscape``,
    ``expression``, ``x``, ``y``; ``result`` is a dict with ``x``, ``value``,
    ``gradient``, ``hessian``, ``eigenvalues``, ``eigenvectors`` and
    ``kind``.
    """

    def __init__(self, landscape="himmelblau", x=None, n=160):
        super().__init__()
        problems = []
        try:
            f = _resolve_landscape(landscape, 2)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("himmelblau")
        self.landscape = f
        self.n = n
        self.result = None
        start = np.array([np.mean(w) + 0.13 * (w[1] - w[0]) for w in f.window])
        if x is not None:
            try:
                start = _check_x0(f, x)
            except (ValueError, TypeError) as exc:
                problems.append(str(exc).replace("x0", "x"))
        names = _catalog_names(2)
        custom = not (isinstance(landscape, str) and landscape in names)
        c = self.controls
        c["landscape"] = _dropdown("landscape", [*names, CUSTOM], CUSTOM if custom else landscape)
        c["expression"] = _expression_box(2)
        if custom and not problems:
            c["expression"].value = getattr(f, "name", "")
        c.update(_start_sliders(f, start, names=("x", "y")))
        c["x"].description, c["y"].description = "point x", "point y"
        c["taylor"] = W.Checkbox(value=True, description="show the Taylor model",
                                 style=_STYLE, layout=W.Layout(width=_CONTROL_WIDTH))

        self.panel = _Panel((4.6, 4.1), layout="constrained")
        self.ax = self.panel.fig.add_subplot()
        self._draw_background()
        (self.point,) = self.ax.plot([], [], linestyle="none", marker="o", markersize=9,
                                     markerfacecolor="white", markeredgecolor="black",
                                     zorder=9)
        self.arrows = plots.plot_hessian_arrows(self.ax, start, [1.0, 1.0], np.eye(2))
        self.panel.add(self.point, *self.arrows)
        self.model = []
        self.info = W.HTML(layout=W.Layout(width="340px"))
        self.image = _image_box(self.panel.size[0])
        self._click_size = self.panel.size
        self.widget = W.VBox([_row([W.VBox([c["landscape"], c["expression"]]),
                                      W.VBox([c["x"], c["y"], c["taylor"]])]),
                              _row([self.image, self.info]), self.status, self._note()],
                             layout=W.Layout(max_width="820px"))
        self._watch(["landscape", "expression"], self._on_landscape)
        self._watch(["x", "y", "taylor"], self.update)
        c["expression"].disabled = c["landscape"].value != CUSTOM
        self._attach_clicks(self.image, self.click)
        self._start({}, problems)

    def _draw_background(self):
        for artist in [*self.ax.collections, *self.ax.lines]:
            if not artist.get_animated():
                artist.remove()
        legend = self.ax.get_legend()
        if legend is not None:
            legend.remove()
        f = self.landscape
        plots.contour_plot(f, ax=self.ax, n=self.n, lines=False, colorbar=False,
                           title=f"{f.name}: curvature at a point")
        self.critical = []
        # Mark the critical points to click on, unless there are dozens of them
        # (Ackley, Rastrigin), where they would hide the map and take seconds.
        if f.minimizers is None or len(f.minimizers) <= len(plots.OKABE_ITO):
            with contextlib.suppress(ValueError, np.linalg.LinAlgError):
                self.critical = critical_points(f)
            if 0 < len(self.critical) <= 30:
                plots.plot_critical_points(self.ax, self.critical)
                self.ax.get_legend().set(loc="lower right")
        self.panel.invalidate()

    def _retarget(self, f):
        c = self.controls
        start = np.array([np.mean(w) + 0.13 * (w[1] - w[0]) for w in f.window])
        _retarget_sliders([c["x"], c["y"]], f, start)

    def click(self, px, py):
        """Inspect the point at pixel ``(px, py)`` of the image (from its top left)."""
        xy = self.panel.to_data(self.ax, px, py)
        if xy is None:
            self._complain("that click was outside the map; click inside the axes")
            return
        self.set(x=float(xy[0]), y=float(xy[1]))

    def update(self, rebuild=False):
        """Recompute everything at the current point and redraw; return the result dict."""
        self._full_redraw(rebuild)
        c = self.controls
        f = self.landscape
        x = np.array([c["x"].value, c["y"].value])
        with np.errstate(all="ignore"):
            value = float(f.f(x))
            g = np.asarray(f.grad(x), dtype=float)
            H = np.asarray(f.hess(x), dtype=float)
        if not (np.isfinite(value) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            raise ValueError(f"f or its derivatives are not finite at {_point(x)}; "
                             "pick another point")
        vals, vecs = hessian_eigs(f, x)
        kind = classify(H)
        gnorm = float(np.linalg.norm(g))
        critical = gnorm <= 1e-6 * (1.0 + abs(value))
        self.result = {"x": x, "value": value, "gradient": g, "hessian": H,
                       "eigenvalues": vals, "eigenvectors": vecs, "kind": kind,
                       "critical": critical}
        # moving artists
        self.point.set_data([x[0]], [x[1]])
        x_lo, x_hi = f.window[0]
        y_lo, y_hi = f.window[1]
        scale = 0.2 * min(x_hi - x_lo, y_hi - y_lo)
        lengths = plots._arrow_lengths(vals, scale)
        for i, q in enumerate(self.arrows):
            u, v = vecs[:, i] * lengths[i]
            q.set_offsets([x, x])
            q.set_UVC([u, -u], [v, -v])
            q.set_color(plots._curvature_color(vals[i]))
        for art in self.model:
            self.panel.remove(art)
        self.model = []
        if c["taylor"].value:
            r = 0.18 * min(x_hi - x_lo, y_hi - y_lo)
            s = np.linspace(-r, r, 41)
            DX, DY = np.meshgrid(s, s)
            D = np.stack([DX, DY], axis=-1)
            q = value + D @ g + 0.5 * np.einsum("...i,ij,...j->...", D, H, D)
            # The model's contours at eight values of f seen in the square, so
            # they can be compared with the bands of the map underneath.
            with np.errstate(all="ignore"):
                pts = np.column_stack([x[0] + DX.ravel(), x[1] + DY.ravel()])
                fq = np.asarray(f.f(pts), dtype=float)
            fq = fq[np.isfinite(fq)]
            lv = np.unique(np.quantile(fq, np.linspace(0.05, 0.95, 8))) if fq.size else []
            lv = [v for v in lv if q.min() < v < q.max()]
            if len(lv) >= 1:
                cs = self.ax.contour(x[0] + DX, x[1] + DY, q, levels=lv, colors="white",
                                     linestyles="dashed", linewidths=1.2)
                self.model.append(cs)
            from matplotlib.patches import Rectangle

            box = Rectangle((x[0] - r, x[1] - r), 2 * r, 2 * r, fill=False,
                            edgecolor="white", linewidth=0.8, linestyle=":")
            self.ax.add_patch(box)
            self.model.append(box)
            self.panel.add(*self.model)
        png = self.panel.render(key=id(f))
        where = _point(x)
        if critical:
            verdict = f"a critical point: a {kind}" if kind != "degenerate" else (
                "a critical point whose Hessian is singular (second-order test is silent)")
        else:
            verdict = (f"not a critical point (gradient norm {fmt(gnorm)}); the Hessian "
                       f"is {_SHAPES[kind]}")
        alt = (f"Contour map of {f.name} with the point {where} marked and the Hessian's "
               f"eigenvectors drawn as arrows, lengths proportional to the eigenvalues "
               f"{fmt(vals[0])} and {fmt(vals[1])} (blue curves up, vermillion curves "
               f"down)" + ("; dashed white lines are contours of the second-order Taylor "
                           "model in a small square around the point" if c["taylor"].value
                           else "") + f". The point is {verdict}.")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.alt = alt
        self.info.value = self._table(x, value, g, H, vals, vecs, verdict)
        self.updates += 1
        self._say(f"At {where}: {verdict}.")
        return self.result

    @staticmethod
    def _table(x, value, g, H, vals, vecs, verdict):
        def num(v):
            return f"{float(v):.4g}"

        rows = [
            ("point", f"({num(x[0])}, {num(x[1])})"),
            ("f", num(value)),
            ("gradient", f"({num(g[0])}, {num(g[1])})"),
            ("Hessian", f"[[{num(H[0, 0])}, {num(H[0, 1])}],<br>[{num(H[1, 0])}, "
                        f"{num(H[1, 1])}]]"),
        ]
        for i in range(2):
            rows.append((f"λ{i + 1}, v{i + 1}",
                         f"{num(vals[i])}, ({num(vecs[0, i])}, {num(vecs[1, i])})"))
        rows.append(("verdict", html.escape(verdict)))
        body = "".join(f'<tr><th scope="row" style="text-align:left; padding-right:8px">{k}'
                       f"</th><td>{v}</td></tr>" for k, v in rows)
        return ('<table style="font-size:90%"><caption style="text-align:left">'
                "Derivatives at the point</caption>" + body + "</table>")


def hessian_inspector(landscape="himmelblau", x=None, n=160):
    """Inspect the curvature of a 2-D landscape at a point.

    Shows the gradient, the Hessian, its eigenvalues and eigenvectors (as
    arrows scaled by curvature), the classification of the point and the
    second-order Taylor model ``f(x) + g·d + ½ dᵀ H d`` as dashed contours
    over the landscape near the point.

    Parameters
    ----------
    landscape : str or Landscape, default "himmelblau"
    x : array_like, shape (2,), optional
        The point (inside the window).
    n : int, default 160
        Grid points per axis of the contour map.

    Returns
    -------
    HessianInspector
        ``.result`` holds the numbers shown.

    Examples
    --------
    >>> w = hessian_inspector("saddle", x=[0.0, 0.0])
    >>> w.result["kind"], bool(w.result["critical"])
    ('saddle', True)
    """
    return HessianInspector(landscape, x, n)


# ============================================================ optimizer race

_DEFAULT_LR = {"gd": 0.001, "momentum": 0.001, "nesterov": 0.001, "adagrad": 0.5,
               "rmsprop": 0.01, "adam": 0.05, "noisy_gd": 0.001, "perturbed_gd": 0.001,
               "damped_newton": 0.5, "saddle_free_newton": 1.0}


class OptimizerRace(_Widget):
    """Several optimizers from one start, side by side, with a results table.

    Build it with :func:`optimizer_race`. Controls: ``landscape``, ``x0``,
    ``y0``, ``steps`` and one ``lr <name>`` per optimizer that takes a
    learning rate. ``result`` maps each optimizer to its Trace.
    """

    def __init__(self, landscape="rosenbrock", optimizers=("gd", "momentum", "adam"),
                 x0=None, steps=300, lr=None):
        super().__init__()
        problems = []
        try:
            f = _resolve_landscape(landscape, 2)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("rosenbrock")
        self.landscape = f
        if isinstance(optimizers, str):
            optimizers = (optimizers,)
        self.names = []
        for name in optimizers:
            try:
                name = check_choice("optimizers", name, _optim.OPTIMIZERS)
            except ValueError as exc:
                problems.append(f"{exc}; it was left out of the race")
                continue
            if name not in self.names:
                self.names.append(name)
        if len(self.names) > 4:
            problems.append(f"a race has at most 4 optimizers; racing the first 4 of "
                            f"{len(self.names)}")
            self.names = self.names[:4]
        if not self.names:
            self.names = ["gd", "momentum", "adam"]
        lrs = dict(_DEFAULT_LR)
        if isinstance(lr, dict):
            lrs.update(lr)
        elif lr is not None:
            lrs.update({name: lr for name in self.names})
        start = _default_start(f)
        if x0 is not None:
            try:
                start = _check_x0(f, x0)
            except (ValueError, TypeError) as exc:
                problems.append(str(exc))
        names = _catalog_names(2)
        c = self.controls
        c["landscape"] = _dropdown("landscape", names, f.name if f.name in names else names[0])
        c.update(_start_sliders(f, start, continuous=False))
        c["steps"] = _slider_int("steps", 300, 1, 2000)
        for name in self.names:
            if "lr" in _optimizer_params(name):
                c[f"lr {name}"] = _slider_log(f"lr ({name})", 0.01, -4, 0.5, continuous=False)
        self.result = {}

        k = len(self.names)
        self.panel = _Panel((7.9, 3.0), layout="constrained")
        self.axes = list(np.atleast_1d(self.panel.fig.subplots(1, k, sharex=True,
                                                               sharey=True)))
        self.loss_panel = _Panel((7.9, 2.4), layout="constrained")
        self.loss_ax = self.loss_panel.fig.add_subplot()
        self.colors = plots.OKABE_ITO[: k] if k < 4 else plots.OKABE_ITO[:3] + ("#CC79A7",)
        self._draw_background()
        blank = np.zeros((1, 2))
        self.paths = []
        self.loss_lines = []
        for ax, name, color in zip(self.axes, self.names, self.colors, strict=True):
            art = plots.plot_trajectory(ax, blank, color=color, label=name, animated=True)
            self.panel.add(*art)
            self.paths.append(art)
            (line,) = self.loss_ax.plot([], [], color=color, linewidth=1.8, label=name)
            self.loss_panel.add(line)
            self.loss_lines.append(line)
        self.loss_ax.set_xlabel("step k")
        self.loss_ax.grid(True, alpha=0.3)
        from matplotlib.lines import Line2D

        legend = self.loss_ax.legend(handles=[Line2D([], [], color=col, label=nm)
                                              for nm, col in zip(self.names, self.colors,
                                                                 strict=True)],
                                     loc="upper right", fontsize="small", framealpha=0.85)
        # animated after the loss lines, so it is drawn over them (not struck through)
        self.loss_panel.add(legend)
        self.image = _image_box(self.panel.size[0])
        self.loss_image = _image_box(self.loss_panel.size[0])
        self.table = W.HTML()
        names_c = list(c)
        half = (len(names_c) + 1) // 2
        self.widget = W.VBox([_row([W.VBox([c[n] for n in names_c[:half]]),
                                      W.VBox([c[n] for n in names_c[half:]])]),
                              self.image, self.loss_image, self.table, self.status,
                              self._note()], layout=W.Layout(max_width="820px"))
        self._watch(["landscape"], self._on_landscape)
        self._watch([n for n in names_c if n != "landscape"], self.update)
        self._start(dict(steps=steps, **{f"lr {n}": lrs[n] for n in self.names
                                         if f"lr {n}" in c}), problems)

    def _draw_background(self):
        f = self.landscape
        for ax, name in zip(self.axes, self.names, strict=True):
            for coll in list(ax.collections):
                coll.remove()
            plots.contour_plot(f, ax=ax, n=120, levels=20, filled=False, colorbar=False,
                               title=name)
            if ax is not self.axes[0]:
                ax.set_ylabel("")
        self.panel.fig.suptitle(f"{f.name}: each optimizer from the same start",
                                fontsize="medium")
        self.panel.invalidate()

    def _on_landscape(self):
        f = _resolve_landscape(self.controls["landscape"].value, 2)
        self.landscape = f
        self._draw_background()
        with self.hold():
            _retarget_sliders([self.controls["x0"], self.controls["y0"]], f, _default_start(f))
            self._defer(self.update)

    def update(self, rebuild=False):
        """Run every optimizer from the start, redraw, refresh the table; return the traces."""
        self._full_redraw(rebuild)
        c = self.controls
        f = self.landscape
        x0 = np.array([c["x0"].value, c["y0"].value])
        traces = {}
        for name in self.names:
            lr = c[f"lr {name}"].value if f"lr {name}" in c else None
            opt = _make_optimizer(name, lr if lr is not None else 1.0)
            with np.errstate(all="ignore"):
                traces[name] = _run(f, opt, x0, steps=c["steps"].value, seed=0)
        for art, name in zip(self.paths, self.names, strict=True):
            plots.set_trajectory(art, traces[name])
        png = self.panel.render(key=id(f))
        fstar = getattr(f, "global_min", None)
        gap = fstar is not None
        all_v = []
        for line, name in zip(self.loss_lines, self.names, strict=True):
            v = np.asarray(traces[name].values, dtype=float)
            v = v - fstar if gap else v
            if gap:
                v = np.where(v > 0, v, np.nan)
            line.set_data(np.arange(v.size), v)
            all_v.append(v[np.isfinite(v)])
        all_v = np.concatenate(all_v) if all_v else np.array([1.0])
        x_lim = (0, c["steps"].value)
        y_lim = _log_limits(all_v) if gap else _nice_limits(float(all_v.min()),
                                                            float(all_v.max()))
        key = (x_lim, y_lim, gap)
        if key != self.loss_panel._key:
            self.loss_ax.set_yscale("log" if gap else "linear")
            self.loss_ax.set_xlim(*x_lim)
            self.loss_ax.set_ylim(*y_lim)
            self.loss_ax.set_ylabel("f(x_k) − f*" if gap else "f(x_k)")
            self.loss_ax.set_title("Distance to the global minimum value" if gap
                                   else "Loss along each path")
        loss_png = self.loss_panel.render(key=key)
        self.result = traces
        summary = "; ".join(f"{n} {t.message}" for n, t in traces.items())
        alt = (f"Contour maps of {f.name}, one per optimizer ({', '.join(self.names)}), each "
               f"with its path from {_point(x0)}: {summary}.")
        alt_loss = ("Loss against step for each optimizer: "
                    + "; ".join(f"{n} ends at f = {fmt(t.values[-1])}"
                                for n, t in traces.items()) + ".")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.loss_image.value = _img(loss_png, alt_loss, self.loss_panel.size[0])
        self.alt = (alt, alt_loss)
        self.table.value = self._table(traces)
        self.updates += 1
        best = min(traces, key=lambda n: traces[n].values[-1])
        self._say(f"From {_point(x0)}: lowest final value by {best} "
                  f"(f = {fmt(traces[best].values[-1])}).")
        return traces

    def _table(self, traces):
        c = self.controls
        head = ("<tr><th scope='col'>optimizer</th><th scope='col'>lr</th>"
                "<th scope='col'>outcome</th><th scope='col'>steps</th>"
                "<th scope='col'>last point</th><th scope='col'>f there</th>"
                "<th scope='col'>‖∇f‖ there</th></tr>")
        outcome = {"converged": "converged", "diverged": "diverged",
                   "max_steps": "still moving"}
        rows = []
        for name, t in traces.items():
            lr = fmt(c[f"lr {name}"].value, 2) if f"lr {name}" in c else "–"
            rows.append(f"<tr><td>{name}</td><td>{lr}</td>"
                        f"<td>{outcome.get(t.status, t.status)}</td>"
                        f"<td>{t.steps_taken}</td><td>{_point(t.xs[-1])}</td>"
                        f"<td>{fmt(t.values[-1])}</td><td>{fmt(t.grad_norms[-1])}</td></tr>")
        return ("<table style='font-size:90%; border-collapse:collapse' cellpadding='3'>"
                "<caption style='text-align:left'>Results of the race</caption>"
                + head + "".join(rows) + "</table>")


def optimizer_race(landscape="rosenbrock", optimizers=("gd", "momentum", "adam"), x0=None,
                   steps=300, lr=None):
    """Race several optimizers from one start: paths side by side and a results table.

    Parameters
    ----------
    landscape : str or Landscape, default "rosenbrock"
        A 2-D catalog name, expression or Landscape.
    optimizers : sequence of str, default ("gd", "momentum", "adam")
        One to four names from :data:`~labtools.optim.OPTIMIZERS`.
    x0 : array_like, shape (2,), optional
        The common start.
    steps : int, default 300
    lr : float or dict, optional
        One learning rate for all, or ``{name: lr}``; sensible defaults per
        optimizer otherwise.

    Returns
    -------
    OptimizerRace
        ``.result`` maps each optimizer name to its Trace.

    Examples
    --------
    >>> w = optimizer_race("himmelblau", ["gd", "adam"], x0=[0.0, 0.0], steps=50,
    ...                    lr={"gd": 0.01, "adam": 0.1})
    >>> sorted(w.result)
    ['adam', 'gd']
    """
    return OptimizerRace(landscape, optimizers, x0, steps, lr)


# ============================================================ basin map explorer


class BasinMapExplorer(_Widget):
    """Which minimum each start reaches, for a chosen optimizer and learning rate.

    Build it with :func:`basin_map_explorer`. Controls: ``landscape``,
    ``optimizer``, ``lr``, ``beta``, ``n`` (grid points per axis) and
    ``steps``. ``result`` is the :class:`~labtools.run.BasinMap`; ``progress`` the bar shown
    while it is computed.
    """

    def __init__(self, landscape="himmelblau", optimizer="gd", lr=0.01, beta=0.9, n=100,
                 steps=300):
        super().__init__()
        problems = []
        names = [nm for nm in _catalog_names(2, need_minimizers=True)
                 if len(_catalog(nm).minimizers) <= len(plots.OKABE_ITO)]
        try:
            f = _resolve_landscape(landscape, 2)
            if f.minimizers is None or len(f.minimizers) == 0:
                raise ValueError(f"{f.name!r} has no known minimizers to color basins by; "
                                 "pick one of " + ", ".join(names))
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            f = _catalog("himmelblau")
        self.landscape = f
        self.result = None
        c = self.controls
        if f.name not in names:
            names = [*names, f.name]
            _LANDSCAPES.setdefault(f.name, f)
        c["landscape"] = _dropdown("landscape", names, f.name)
        c["optimizer"] = _dropdown("optimizer", list(_optim.OPTIMIZERS), "gd")
        c["lr"] = _slider_log("learning rate lr", 0.01, -4, 0, continuous=False)
        c["beta"] = _slider_float("momentum beta", 0.9, 0.0, 0.99, 0.01, continuous=False,
                                  fmt=".2f")
        c["n"] = _slider_int("grid n x n", 100, 10, 300, step=10)
        c["steps"] = _slider_int("steps", 300, 10, 2000, step=10)
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress",
                                        style=_STYLE, layout=W.Layout(width=_CONTROL_WIDTH))
        self.panel = _Panel((6.4, 4.3), layout="constrained")
        self.ax = self.panel.fig.add_subplot()
        self.image = _image_box(self.panel.size[0])
        self.table = W.HTML()
        self.widget = W.VBox([_row([W.VBox([c["landscape"], c["optimizer"], c["lr"]]),
                                      W.VBox([c["beta"], c["n"], c["steps"]])]),
                              self.progress, self.image, self.table, self.status,
                              self._note()], layout=W.Layout(max_width="820px"))
        self._watch(list(c), self.update)
        self._start(dict(optimizer=optimizer, lr=lr, beta=beta, n=n, steps=steps), problems)

    def _compute(self, f, opt, n, steps):
        """The basin map, run in slices of rows so the progress bar can move."""
        from .run import BasinMap

        mins = np.asarray(f.minimizers, dtype=float).reshape(-1, 2)
        (x_lo, x_hi), (y_lo, y_hi) = f.window
        xs, ys = np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n)
        X, Y = np.meshgrid(xs, ys)
        starts = np.column_stack([X.ravel(), Y.ravel()])
        radius = 0.01 * math.hypot(x_hi - x_lo, y_hi - y_lo)  # as labtools.basin_map
        chunks = np.array_split(np.arange(len(starts)), min(10, n))
        finals, status, taken = [], [], []
        self.progress.value = 0.0
        for i, idx in enumerate(chunks):
            with np.errstate(all="ignore"):
                b = run_batch(f, opt, starts[idx], steps=steps, seed=0)
            finals.append(b.x_final)
            status.append(b.status)
            taken.append(b.steps_taken)
            self.progress.value = (i + 1) / len(chunks)
        x_final = np.concatenate(finals)
        status = np.concatenate(status)
        d = np.linalg.norm(x_final[:, None, :] - mins[None, :, :], axis=-1)
        nearest = np.argmin(d, axis=1)
        ok = (d[np.arange(len(d)), nearest] <= radius) & (status != "diverged")
        labels = np.where(ok, nearest, -1)
        counts = np.bincount(labels[labels >= 0], minlength=len(mins))
        return BasinMap(xs=xs, ys=ys, labels=labels.reshape(n, n), minimizers=mins,
                        counts=counts, unlabeled=int(np.sum(labels < 0)),
                        status=status.reshape(n, n),
                        steps_taken=np.concatenate(taken).reshape(n, n), radius=radius)

    def update(self, rebuild=False):
        """Compute the basin map for the current controls and redraw; return it.

        The map is drawn in full every time (``rebuild`` changes nothing): a new
        map changes every pixel.
        """
        c = self.controls
        name = c["landscape"].value
        f = _catalog(name) if name in _landscapes.CATALOG else _LANDSCAPES[name]
        self.landscape = f
        params = _optimizer_params(c["optimizer"].value)
        c["lr"].disabled = "lr" not in params
        c["beta"].disabled = "beta" not in params
        opt = _make_optimizer(c["optimizer"].value, c["lr"].value, c["beta"].value)
        bm = self._compute(f, opt, c["n"].value, c["steps"].value)
        self.ax.clear()
        setting = f"{c['optimizer'].value}" + (f", lr {fmt(c['lr'].value, 2)}"
                                              if "lr" in params else "")
        plots.plot_basins(self.ax, bm, title=f"{f.name}: basins of {setting}")
        self.panel.invalidate()
        png = self.panel.render(key=None)
        self.result = bm
        parts = ", ".join(f"{_point(m, 3)} {fr:.0%}" for m, fr in
                          zip(bm.minimizers, bm.fraction, strict=True))
        none = bm.unlabeled / bm.labels.size
        alt = (f"Basin map of {f.name} on a {bm.labels.shape[0]} by {bm.labels.shape[1]} grid "
               f"of starts for {_window_text(f)}, colored by the minimizer that {setting} "
               f"reaches in {c['steps'].value} steps: {parts}; {none:.0%} reach none.")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.alt = alt
        rows = "".join(
            f"<tr><td><span style='color:{plots.basin_colors(len(bm.minimizers))[i]}'>■</span>"
            f" {_point(m)}</td><td>{fr:.1%}</td></tr>"
            for i, (m, fr) in enumerate(zip(bm.minimizers, bm.fraction, strict=True)))
        rows += f"<tr><td>no minimum</td><td>{none:.1%}</td></tr>"
        self.table.value = ("<table style='font-size:90%'><caption style='text-align:left'>"
                            "Share of starts in each basin</caption><tr><th scope='col'>"
                            "minimizer</th><th scope='col'>share</th></tr>" + rows + "</table>")
        self.updates += 1
        self._say(f"{setting} on {f.name}: " + parts + f"; none {none:.0%}.")
        return bm


def basin_map_explorer(landscape="himmelblau", optimizer="gd", lr=0.01, beta=0.9, n=100,
                       steps=300):
    """See how the optimizer and learning rate reshape the basins of attraction.

    Every start on an ``n x n`` grid of the window is run for ``steps`` steps
    (vectorized) and colored by the minimizer it ends at; a progress bar
    moves while this is computed. Sliders update on release.

    Parameters
    ----------
    landscape : str or Landscape, default "himmelblau"
        A 2-D landscape with known minimizers.
    optimizer : str, default "gd"
    lr : float, default 0.01
    beta : float, default 0.9
    n : int, default 100
        Grid points per axis (10 to 300).
    steps : int, default 300

    Returns
    -------
    BasinMapExplorer
        ``.result`` is the :class:`~labtools.run.BasinMap`.

    Examples
    --------
    >>> w = basin_map_explorer("himmelblau", n=20, steps=100)
    >>> w.result.labels.shape
    (20, 20)
    """
    return BasinMapExplorer(landscape, optimizer, lr, beta, n, steps)


# ============================================================ saddle escape


class SaddleEscapeExplorer(_Widget):
    """Steps to escape a saddle against the start's distance from its stable manifold.

    Build it with :func:`saddle_escape_explorer`. Starts are placed at
    ``radius * (a v_s + e v_u)`` where ``v_s``, ``v_u`` are the Hessian's
    eigenvectors at the saddle (stable, unstable) and ``e`` runs over
    decades; each run counts the steps until it is farther than ``radius``
    from the saddle. The theoretical line is
    ``ln(1/e) / ln(1 + lr |lambda_min|)``. Controls: ``landscape``,
    ``optimizer``, ``lr``, ``a``. ``result`` is a dict with ``e``, ``steps``,
    ``predicted`` and ``lambda_min``.
    """

    _SADDLES = ("saddle", "saddle_5", "escapable_saddle", "monkey_saddle")

    def __init__(self, landscape="saddle", optimizer="gd", lr=0.1, a=0.5, max_steps=3000):
        super().__init__()
        names = [n for n in self._SADDLES if n in _landscapes.CATALOG]
        problems = []
        if landscape not in names:
            problems.append(f"landscape must be one of {', '.join(names)}; got {landscape!r}")
            landscape = names[0]
        self.max_steps = check_int("max_steps", max_steps, low=10)
        self.result = None
        c = self.controls
        c["landscape"] = _dropdown("saddle", names, landscape)
        c["optimizer"] = _dropdown("optimizer", ["gd", "momentum", "nesterov", "noisy_gd",
                                                 "perturbed_gd", "adam"], "gd")
        c["lr"] = _slider_log("learning rate lr", 0.1, -3, 0, continuous=False)
        c["a"] = _slider_float("start along stable", 0.5, 0.0, 0.95, 0.05, continuous=False,
                               fmt=".2f")
        self.e = np.logspace(-10, -1, 19)
        self.shown_e = (1e-1, 1e-4, 1e-8)

        self.panel = _Panel((7.9, 3.8), layout="constrained")
        self.ax_map, self.ax_steps = self.panel.fig.subplots(1, 2)
        self.paths = []
        for color in plots.OKABE_ITO[:3]:
            art = plots.plot_trajectory(self.ax_map, np.zeros((1, 2)), color=color,
                                        markers=False, animated=True)
            self.panel.add(*art)
            self.paths.append(art)
        ax = self.ax_steps
        ax.set_xscale("log")
        ax.set_xlabel("e: distance from the stable manifold (× radius)")
        ax.set_ylabel("steps to escape")
        ax.set_title("Escape time")
        ax.grid(True, which="both", alpha=0.3)
        (self.measured,) = ax.plot([], [], linestyle="none", marker="o", color="#0072B2",
                                   label="measured")
        (self.theory,) = ax.plot([], [], color="black", linestyle="--",
                                 label="ln(1/e) / ln(1 + lr |λmin|)")
        self.panel.add(self.measured, self.theory)
        ax.legend(loc="upper right", fontsize="small")
        self.image = _image_box(self.panel.size[0])
        self.widget = W.VBox([_row([W.VBox([c["landscape"], c["optimizer"]]),
                                      W.VBox([c["lr"], c["a"]])]),
                              self.image, self.status, self._note()],
                             layout=W.Layout(max_width="820px"))
        self._watch(["landscape"], self._on_landscape)
        self._watch(["optimizer", "lr", "a"], self.update)
        self.landscape = None
        self._start(dict(optimizer=optimizer, lr=lr, a=a), problems, first=self._on_landscape)

    def _on_landscape(self):
        f = _catalog(self.controls["landscape"].value)
        self.landscape = f
        for coll in list(self.ax_map.collections):
            coll.remove()
        plots.contour_plot(f, ax=self.ax_map, n=120, lines=False, colorbar=False,
                           title=f"{f.name}: paths near the saddle")
        self.ax_map.plot([0], [0], marker="X", markersize=10, linestyle="none",
                         markerfacecolor="#E69F00", markeredgecolor="black")
        vals, vecs = hessian_eigs(f, np.zeros(2))
        self.lambdas, self.vecs = vals, vecs
        self.radius = 0.2 * min(hi - lo for lo, hi in f.window)
        self.panel.invalidate()
        self.update()

    def update(self, rebuild=False):
        """Measure the escape steps for every e, redraw, return the result dict."""
        self._full_redraw(rebuild)
        c = self.controls
        f = self.landscape
        vals, vecs = self.lambdas, self.vecs
        lam_min = float(vals.min())
        i_u, i_s = int(np.argmin(vals)), int(np.argmax(vals))
        v_u, v_s = vecs[:, i_u], vecs[:, i_s]
        r = self.radius
        a = c["a"].value
        starts = r * (a * v_s[None, :] + self.e[:, None] * v_u[None, :])
        name = c["optimizer"].value
        lr = c["lr"].value
        opt = _make_optimizer(name, lr)
        with np.errstate(all="ignore"):
            steps = saddle_escape_steps(f, opt, starts, radius=r, steps=self.max_steps, seed=0)
        steps = np.asarray(steps)
        predicted = None
        if lam_min < 0:
            predicted = predicted_escape_steps(self.e, lr, lam_min)
        self.result = {"e": self.e, "steps": steps, "predicted": predicted,
                       "lambda_min": lam_min, "radius": r}
        for art, e in zip(self.paths, self.shown_e, strict=True):
            x0 = r * (a * v_s + e * v_u)
            with np.errstate(all="ignore"):
                t = _run(f, opt, x0, steps=int(min(self.max_steps, 400)), tol=0.0, seed=0)
            plots.set_trajectory(art, t)
        ok = steps >= 0
        self.measured.set_data(self.e[ok], steps[ok])
        if predicted is not None:
            self.theory.set_data(self.e, predicted)
        else:
            self.theory.set_data([], [])
        top = max([1.0, *steps[ok].tolist(),
                   *(predicted.tolist() if predicted is not None else [])])
        y_lim = _nice_limits(0.0, float(top))
        key = (id(f), y_lim)
        if key != self.panel._key:
            self.ax_steps.set_xlim(self.e[0] / 2, self.e[-1] * 2)
            self.ax_steps.set_ylim(*y_lim)
        png = self.panel.render(key=key)
        never = int(np.sum(~ok))
        if predicted is None:
            theory = ("the Hessian at this saddle has no negative eigenvalue (λmin = "
                      f"{fmt(lam_min)}), so the linear theory predicts no escape")
        else:
            theory = (f"the theory line ln(1/e)/ln(1 + lr·{fmt(abs(lam_min))}) goes from "
                      f"{fmt(predicted[-1])} to {fmt(predicted[0])} steps")
        alt = (f"Left: contour map of {f.name} with paths of {name} (lr {fmt(lr, 2)}) from "
               f"starts at e = 1e-1, 1e-4 and 1e-8 off the stable manifold. Right: steps to "
               f"get farther than {fmt(r)} from the saddle against e on a log scale, from "
               f"{steps[ok].min() if ok.any() else 'none'} to "
               f"{steps[ok].max() if ok.any() else 'none'} steps; {theory}.")
        self.image.value = _img(png, alt, self.panel.size[0])
        self.alt = alt
        self.updates += 1
        extra = f" {never} of {len(steps)} starts never escaped within {self.max_steps} steps." \
            if never else ""
        self._say(f"{name}, lr {fmt(lr, 2)}: {theory}.{extra}")
        return self.result


def saddle_escape_explorer(landscape="saddle", optimizer="gd", lr=0.1, a=0.5, max_steps=3000):
    """How long does an optimizer take to leave a saddle? Measured against theory.

    Starts sit a fraction ``a`` of the escape radius along the stable
    direction and ``e`` (in units of the radius, 1e-10 to 1e-1) along the
    unstable one. The steps each needs to get beyond the radius are plotted
    against ``e`` on a log scale with the prediction for gradient descent,
    ``ln(1/e) / ln(1 + lr |lambda_min|)``.

    Parameters
    ----------
    landscape : str, default "saddle"
        One of the catalog's saddles.
    optimizer : str, default "gd"
    lr : float, default 0.1
    a : float, default 0.5
        Start offset along the stable direction, in units of the radius.
    max_steps : int, default 3000
        Runs that have not escaped by then are reported as never escaping.

    Returns
    -------
    SaddleEscapeExplorer
        ``.result`` holds ``e``, measured ``steps``, ``predicted`` and
        ``lambda_min``.

    Examples
    --------
    >>> w = saddle_escape_explorer("saddle", lr=0.1)
    >>> bool(abs(w.result["steps"][-1] - w.result["predicted"][-1]) < 3)
    True
    """
    return SaddleEscapeExplorer(landscape, optimizer, lr, a, max_steps)


# ============================================================ network explorer


class NetworkExplorer(_Widget):
    """Train the course network and watch its loss curve and decision boundary.

    Build it with :func:`network_explorer`. Controls: ``optimizer``, ``lr``,
    ``batch_size`` (``"full"`` or a mini-batch size), ``scale`` (the
    initialization scale of :meth:`labtools.nn.MLP.init`), ``activation`` and
    ``steps``. ``result`` is the :class:`~labtools.nn.TrainResult`;
    ``accuracy`` the training accuracy of its final parameters and
    ``sharpness`` the top eigenvalue of the training loss's Hessian there
    (None after a divergence). ``image`` and ``loss_image`` hold the figures.
    """

    OPTIMIZERS = ("gd", "momentum", "adam", "sam")
    BATCH_SIZES = (("full batch", "full"), ("100", 100), ("50", 50), ("20", 20), ("10", 10))

    def __init__(self, optimizer="gd", lr=0.5, batch_size=None, scale=1.0, activation="tanh",
                 steps=300, hidden=(16, 16), seed=0):
        super().__init__()
        problems = []
        self.seed = check_int("seed", seed, low=0)
        try:
            model, X, y = _nn.course_network(hidden=hidden, seed=self.seed)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            hidden = (16, 16)
            model, X, y = _nn.course_network(hidden=hidden, seed=self.seed)
        self.hidden = tuple(model.sizes[1:-1])
        self.X, self.y = X, y
        self._models = {model.activation: model}
        self.model = model
        self.result = None
        self.accuracy = None
        self.sharpness = None
        c = self.controls
        c["optimizer"] = _dropdown("optimizer", list(self.OPTIMIZERS), "gd")
        c["lr"] = _slider_log("learning rate lr", 0.5, -3, 1, continuous=False)
        c["batch_size"] = _dropdown("batch size", list(self.BATCH_SIZES), "full")
        c["scale"] = _slider_log("init scale", 1.0, -2, 1, continuous=False)
        c["activation"] = _dropdown("activation", ["tanh", "sigmoid"], "tanh")
        c["steps"] = _slider_int("steps", 300, 10, 1000, step=10)

        # figures: the decision map (data and boundary blitted over the axes) and the loss
        self.panel = _Panel((4.3, 3.6), layout="constrained")
        self.ax = self.panel.fig.add_subplot()
        self.loss_panel = _Panel((3.6, 3.6), layout="constrained")
        self.loss_ax = self.loss_panel.fig.add_subplot()
        pad = 0.4
        (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0) - pad, X.max(axis=0) + pad
        self.extent = (float(x_lo), float(x_hi), float(y_lo), float(y_hi))
        gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, 120), np.linspace(y_lo, y_hi, 90))
        self._grid = (gx, gy, np.column_stack([gx.ravel(), gy.ravel()]))
        ax = self.ax
        self.proba = ax.imshow(np.full(gx.shape, 0.5), extent=self.extent, origin="lower",
                               cmap="cividis", vmin=0.0, vmax=1.0, alpha=0.85, aspect="auto",
                               interpolation="bilinear")
        self.panel.add(self.proba)
        self.panel.fig.colorbar(self.proba, ax=ax, label="predicted probability of class 1",
                                shrink=0.9)
        self.points = []
        for label, color, marker in [(0, plots.OKABE_ITO[0], "o"), (1, plots.OKABE_ITO[1], "s")]:
            (pts,) = ax.plot(*X[y == label].T, linestyle="none", marker=marker, markersize=4,
                             color=color, markeredgecolor="black", markeredgewidth=0.3,
                             label=f"class {label}")
            self.points.append(pts)
        self.panel.add(*self.points)
        self.boundary = []
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        ax.set_xlabel("first input")
        ax.set_ylabel("second input")
        ax.set_title("Decision boundary after training", fontsize="medium")
        self.legend = None
        lax = self.loss_ax
        (self.batch_line,) = lax.plot([], [], color="#56B4E9", linewidth=0.8, alpha=0.7,
                                      label="mini-batch loss")
        (self.loss_line,) = lax.plot([], [], color="#0072B2", linewidth=1.8,
                                     label="training loss")
        self.diverged_line = lax.axvline(0.0, color="#D55E00", linestyle="--", linewidth=1.5,
                                         label="diverged")
        self.loss_panel.add(self.batch_line, self.loss_line, self.diverged_line)
        lax.set_yscale("log")
        lax.set_xlabel("step")
        lax.set_ylabel("loss (log scale)")
        lax.set_title("Training loss", fontsize="medium")
        lax.grid(True, which="both", alpha=0.3)
        self.loss_legend = None

        self.image = _image_box(self.panel.size[0])
        self.loss_image = _image_box(self.loss_panel.size[0])
        self.widget = W.VBox([_row([W.VBox([c["optimizer"], c["lr"], c["batch_size"]]),
                                    W.VBox([c["scale"], c["activation"], c["steps"]])]),
                              _row([self.image, self.loss_image]), self.status, self._note()],
                             layout=W.Layout(max_width="820px"))
        self._watch(list(c), self.update)
        self._start(dict(optimizer=optimizer, lr=lr, batch_size=batch_size, scale=scale,
                         activation=activation, steps=steps), problems)

    def _check_value(self, name, value):
        if name == "batch_size":
            if value is None or value == "full":
                return "full"
            sizes = [v for _, v in self.BATCH_SIZES if v != "full"]
            value = check_number("batch_size", value, integer=True)
            if value not in sizes:
                raise ValueError(
                    "batch_size must be None (full batch) or one of "
                    + ", ".join(str(s) for s in sizes) + f", got {value!r}"
                )
            return int(value)
        return super()._check_value(name, value)

    def _optimizer(self):
        c = self.controls
        name, lr = c["optimizer"].value, c["lr"].value
        if name == "sam":
            return _nn.sam(lr=lr, rho=0.05)
        return _make_optimizer(name, lr)

    def _setting(self):
        c = self.controls
        batch = c["batch_size"].value
        return (f"{c['optimizer'].value} (lr {fmt(c['lr'].value, 2)}), "
                + ("full batch" if batch == "full" else f"batches of {batch}")
                + f", {c['activation'].value} units, init scale {fmt(c['scale'].value, 2)}")

    def _sharpness(self, model, theta):
        import warnings

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = _nn.sharpness(model, theta, self.X, self.y, iters=100, tol=1e-6)
        return float(value) if math.isfinite(value) else None

    @staticmethod
    def _legend(panel, ax, old, handles, loc):
        if old is not None:
            panel.remove(old)
        legend = ax.legend(handles=handles, loc=loc, fontsize="small", framealpha=0.85)
        panel.add(legend)
        return legend

    def update(self, rebuild=False):
        """Train with the current controls, redraw both figures; return the TrainResult.

        Parameters
        ----------
        rebuild : bool, default False
            Draw both figures in full instead of blitting the moving artists.

        Returns
        -------
        TrainResult
        """
        self._full_redraw(rebuild)
        c = self.controls
        activation = c["activation"].value
        if activation not in self._models:
            self._models[activation] = _nn.course_network(hidden=self.hidden,
                                                          activation=activation,
                                                          seed=self.seed)[0]
        model = self._models[activation]
        X, y = self.X, self.y
        batch = c["batch_size"].value
        steps = c["steps"].value
        theta0 = model.init(seed=self.seed, scale=c["scale"].value)
        result = _nn.train(model, theta0, X, y, self._optimizer(), steps=steps,
                           batch_size=None if batch == "full" else batch, seed=self.seed,
                           keep_path=False)
        diverged = result.status == "diverged"
        accuracy = model.accuracy(result.theta, X, y)
        sharp = None if diverged else self._sharpness(model, result.theta)

        # the decision map: probability image and the boundary P = 1/2
        gx, gy, pts = self._grid
        with np.errstate(all="ignore"):
            P = model.predict_proba(result.theta, pts).reshape(gx.shape)
        P = np.nan_to_num(P, nan=0.5)
        self.proba.set_data(P)
        for artist in self.boundary:
            self.panel.remove(artist)
        self.boundary = []
        if P.min() < 0.5 < P.max():
            cs = self.ax.contour(gx, gy, P, levels=[0.5], colors="black", linewidths=1.8)
            self.boundary = [cs]
            self.panel.add(cs)
        # legends are redrawn last, over the image and the lines
        from matplotlib.lines import Line2D

        self.legend = self._legend(self.panel, self.ax, self.legend, [*self.points, *(
            [Line2D([], [], color="black", linewidth=1.8, label="boundary")]
            if self.boundary else [])], "lower left")
        png = self.panel.render(key=None)

        # the loss curve
        k = np.arange(len(result.losses))
        self.loss_line.set_data(k, np.where(result.losses > 0, result.losses, np.nan))
        if batch != "full" and len(result.batch_losses):
            kb = np.arange(len(result.batch_losses))
            bl = result.batch_losses
            self.batch_line.set_data(kb, np.where(bl > 0, bl, np.nan))
            self.batch_line.set_visible(True)
        else:
            self.batch_line.set_data([], [])
            self.batch_line.set_visible(False)
        self.diverged_line.set_visible(diverged)
        if diverged:
            self.diverged_line.set_xdata([result.diverged_at, result.diverged_at])
        self.loss_legend = self._legend(
            self.loss_panel, self.loss_ax, self.loss_legend,
            [a for a in (self.loss_line, self.batch_line, self.diverged_line) if a.get_visible()],
            "upper right")
        shown = [result.losses, [1e-2, 1.0]]
        if self.batch_line.get_visible():
            shown.append(result.batch_losses)
        x_lim = (0, max(steps, 1))
        y_lim = _log_limits(np.concatenate([np.asarray(v, dtype=float) for v in shown]),
                            floor=1e-8)
        key = (x_lim, y_lim)
        if key != self.loss_panel._key:
            self.loss_ax.set_xlim(*x_lim)
            self.loss_ax.set_ylim(*y_lim)
        loss_png = self.loss_panel.render(key=key)

        setting = self._setting()
        end = (f"diverged at step {result.diverged_at}; the map shows the last finite "
               "parameters" if diverged else
               f"the loss went from {fmt(result.losses[0])} to {fmt(result.losses[-1])}")
        where = ("the boundary (probability 1/2, black line) separates the two classes"
                 if self.boundary else "the network predicts one class everywhere")
        alt_map = (f"The two-moons training points, class 0 as orange circles and class 1 as "
                   f"sky-blue squares, over the probability of class 1 predicted by the "
                   f"network after {result.steps_taken} steps of {setting}, shaded with "
                   f"the cividis colormap; {where}, and {accuracy:.0%} of the points are "
                   f"classified correctly.")
        alt_loss = (f"Training loss on a log scale against step for {setting}: {end}."
                    + (" A lighter line shows the loss of each mini-batch."
                       if self.batch_line.get_visible() else ""))
        self.image.value = _img(png, alt_map, self.panel.size[0])
        self.loss_image.value = _img(loss_png, alt_loss, self.loss_panel.size[0])
        self.alt = (alt_map, alt_loss)
        self.model = model
        self.result, self.accuracy, self.sharpness = result, accuracy, sharp
        self.updates += 1
        if diverged:
            text = f"{setting}: {result.message}. Training accuracy {accuracy:.0%}."
        else:
            curvature = f"sharpness {fmt(sharp)}" if sharp is not None else "sharpness n/a"
            if c["optimizer"].value == "gd" and sharp is not None:
                curvature += f" (gd's stability limit 2/lr is {fmt(2 / c['lr'].value)})"
            text = (f"{setting}: {result.message}, no divergence. Training accuracy "
                    f"{accuracy:.0%}, {curvature}.")
        self._say(text)
        return result


def network_explorer(optimizer="gd", lr=0.5, batch_size=None, scale=1.0, activation="tanh",
                     steps=300, hidden=(16, 16), seed=0):
    """Train the course network on two moons and see its loss curve and decision boundary.

    Every change of a control trains the network of
    :func:`labtools.nn.course_network` afresh from ``model.init(seed,
    scale)`` with :func:`labtools.nn.train` (a fraction of a second for a few
    hundred steps) and redraws the training loss on a log scale, the
    predicted probability of class 1 over the data with the decision
    boundary, and a status line with the final loss, the training accuracy,
    whether the run diverged and its sharpness (the top Hessian eigenvalue,
    :func:`labtools.nn.sharpness`). Sliders update on release.

    Parameters
    ----------
    optimizer : str, default "gd"
        ``"gd"``, ``"momentum"`` (beta 0.9), ``"adam"`` or ``"sam"``
        (:func:`labtools.nn.sam`, rho 0.05).
    lr : float, default 0.5
        Learning rate, between 1e-3 and 10.
    batch_size : int, optional
        Mini-batch size (100, 50, 20 or 10); None (or ``"full"``) for full batch.
    scale : float, default 1.0
        Initialization scale (multiplier of Glorot's bound), between 0.01 and 10.
    activation : str, default "tanh"
        ``"tanh"`` or ``"sigmoid"``.
    steps : int, default 300
        Training steps (10 to 1000).
    hidden : sequence of int, default (16, 16)
        Hidden layer widths; (16, 16) is the course network.
    seed : int, default 0
        Seed of the data, the initialization and the mini-batch order.

    Returns
    -------
    NetworkExplorer
        ``.result`` is the :class:`~labtools.nn.TrainResult`, ``.accuracy`` and
        ``.sharpness`` the final training accuracy and sharpness.

    Examples
    --------
    >>> w = network_explorer(steps=100)
    >>> w.result.steps_taken, w.result.status
    (100, 'max_steps')
    >>> w.set(lr=0).message
    'Problem: lr must be positive, got 0'
    >>> w.set(activation="sigmoid", scale=3.0).result.steps_taken
    100
    """
    return NetworkExplorer(optimizer, lr, batch_size, scale, activation, steps, hidden, seed)
