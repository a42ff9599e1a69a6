"""The landscape explorer: an optimizer's path on a 2-D contour map, with its loss curves."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import optim, plots
from .._checks import check_int, fmt
from ..landscapes import landscape_js
from ..run import run
from . import controls as ctl
from .base import LandscapeChooser, start_sliders
from .front import FrontEnd, LiveChooser, background
from .inputs import (
    default_start,
    make_optimizer,
    optimizer_params,
    point,
    start_or_default,
    window_text,
)
from .panel import DPI, encode_png, figure_html
from .site import building_site

__all__ = ["LandscapeExplorer", "landscape_explorer"]


class LandscapeExplorer(LiveChooser, LandscapeChooser):
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
        f = self.choose_landscape(landscape, "himmelblau", problems)
        start = start_or_default(f, x0, default_start(f), problems)
        c = self.controls
        c["optimizer"] = ctl.dropdown("optimizer", list(optim.OPTIMIZERS), "gd")
        c["lr"] = ctl.slider_log("learning rate lr", 0.01, -4, 0)
        c["beta"] = ctl.slider_float("momentum beta", 0.9, 0.0, 0.99, 0.01, fmt=".2f")
        c["sigma"] = ctl.slider_float("noise sigma", 0.0, 0.0, 2.0, 0.01, fmt=".2f")
        c["steps"] = ctl.slider_int("steps", 100, 1, 1000)
        c.update(start_sliders(f, start))

        # figures: the landscape (blitted path) and the loss curves
        self.panel = self.new_panel((4.3, 3.9))
        self.ax = self.panel.fig.add_subplot()
        self.loss_panel = self.new_panel((3.6, 3.9))
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

        self.image, self.loss_image = self.panel.image, self.loss_panel.image
        # The figure the page shows is the browser front end (front.py,
        # js/landscape.js): it reruns the optimizer on every move, with or
        # without a kernel. The Python figures above stay the reference that
        # tests and `update(rebuild=True)` read.
        self.front = FrontEnd(view="landscape", spec=self._front_spec(),
                              controls={k: c[k] for k in ("landscape", "expression",
                                                          "optimizer", "lr",
                                                          "beta", "sigma", "steps", "x0",
                                                          "y0")})
        self.assemble([["landscape", "expression", "optimizer", "lr", "beta"],
                       ["sigma", "steps", "x0", "y0"]],
                      self.front, note=False)
        self._watch(["optimizer", "lr", "beta", "sigma", "steps", "x0", "y0"], self.update)
        self._attach_clicks(self.panel, self.click)
        self._start(dict(optimizer=optimizer, lr=lr, beta=beta, sigma=sigma, steps=steps),
                    problems)

    # -- landscape ------------------------------------------------------------

    def _draw_background(self):
        ax = self.ax
        for coll in list(ax.collections):
            coll.remove()
        plots.contour_plot(self.landscape, ax=ax, n=self.n, lines=False, colorbar=False)
        self.panel.invalidate()
        self._send_landscape()

    # -- the browser front end ----------------------------------------------------

    formula_in_page = True

    def _formula_frame(self):
        """The map's frame for a formula typed in the page: axes and labels, no
        contours and no title (``js/formula.js`` draws those with d3-contour)."""
        for coll in list(self.ax.collections):
            coll.remove()
        self.ax.title.set_alpha(0.0)  # kept, invisible, so that the layout keeps its room
        frame = background(self.panel, self.ax)
        self.ax.title.set_alpha(None)
        return frame

    def _front_entry(self):
        """What the front end needs of ``self.landscape``: its JavaScript, map and axes."""
        f = self.landscape
        f_min, label, loss_lim, grad_lim = self._scales()
        return {
            "src": landscape_js(f), "name": f.name, "window": [list(w) for w in f.window],
            "window_text": window_text(f), "start": [float(v) for v in default_start(f)],
            "bg": background(self.panel, self.ax),
            "scales": [f_min, label, list(loss_lim), list(grad_lim)],
        }

    def _front_spec(self):
        return {
            **self._front_common(), "seed": self.seed, "landscapes": self._front_landscapes(),
            "params": {name: sorted(optimizer_params(name)) for name in optim.OPTIMIZERS},
        }

    # -- the update -------------------------------------------------------------

    def _compute(self):
        c = self.controls
        opt_name = c["optimizer"].value
        params = optimizer_params(opt_name)
        c["lr"].disabled = "lr" not in params
        c["beta"].disabled = "beta" not in params
        opt = make_optimizer(opt_name, c["lr"].value, c["beta"].value, c["sigma"].value,
                             self.seed)
        x0 = np.array([c["x0"].value, c["y0"].value])
        with np.errstate(all="ignore"):
            return run(self.landscape, opt, x0, steps=c["steps"].value, seed=self.seed)

    def _describe(self, trace):
        c = self.controls
        f = self.landscape
        name = c["optimizer"].value
        params = optimizer_params(name)
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
            f"Contour map of {f.name} for {window_text(f)}, with the path of {setting} "
            f"from {point(trace.xs[0])}: {trace.message}; the last point is "
            f"{point(end)} where f = {fmt(trace.values[-1])}."
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
            self.panel.show(alt_map, key=id(self.landscape))
            k = np.arange(len(trace.values))
            limits = self._loss_limits()
            gap = np.asarray(trace.values, dtype=float) - self._scales()[0]
            self.loss_line.set_data(k, np.where(gap > 0, gap, np.nan))
            self.grad_line.set_data(k, np.where(trace.grad_norms > 0, trace.grad_norms, np.nan))
            if self.loss_panel.redraws(limits):
                self.loss_ax.set_xlim(*limits[0])
                self.loss_ax.set_ylim(*limits[1])
                self.grad_ax.set_ylim(*limits[2])
                self.loss_ax.set_ylabel(limits[3], fontsize="small")
            self.loss_panel.show(alt_loss, key=limits)
        self.alt = (alt_map, alt_loss)
        self.trace = trace
        self.updates += 1
        self._say(f"{setting} from {point(trace.xs[0])}: {trace.message}. "
                  f"Last point {point(trace.xs[-1])}, f = {fmt(trace.values[-1])}.")
        return trace

    def _render_baseline(self, trace, alt):
        fig = Figure(figsize=(7.9, 3.9), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        ax, lax = fig.subplots(1, 2)
        plots.contour_plot(self.landscape, ax=ax, n=self.n, lines=False, colorbar=False)
        plots.plot_trajectory(ax, trace)
        plots.plot_loss(lax, trace)
        fig.canvas.draw()
        png = encode_png(np.asarray(fig.canvas.buffer_rgba()), building_site())
        self.image.value = figure_html(png, alt, fig.canvas.get_width_height()[0])
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
        One of ``labtools.optim.OPTIMIZERS``.
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
    >>> w = landscape_explorer("himmelblau", optimizer="momentum", lr=0.01, steps=50, n=40)
    >>> w.trace.status in {"converged", "max_steps", "diverged"}
    True
    >>> w.set(lr=0).message
    'Problem: lr must be positive, got 0'
    >>> w.set(lr=0.02).trace is not None
    True
    """
    return LandscapeExplorer(landscape, optimizer, lr, beta, steps, sigma, x0, seed, n)
