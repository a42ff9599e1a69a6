"""The 1-D explorer: an optimizer stepping along the graph of a function, with Play."""

from __future__ import annotations

import ipywidgets as W
import matplotlib
import numpy as np

from .. import optim
from .._checks import fmt
from ..landscapes import landscape_js
from ..run import run
from . import controls as ctl
from .base import LandscapeChooser, start_sliders
from .front import FrontEnd, LiveChooser, background
from .inputs import (
    default_start,
    make_optimizer,
    optimizer_params,
    start_or_default,
    window_text,
)

__all__ = ["Explorer1D", "explorer_1d"]


class Explorer1D(LiveChooser, LandscapeChooser):
    """Gradient descent (or any optimizer) on a 1-D function, stepped with a Play control.

    Build it with :func:`explorer_1d`. Controls: ``landscape``,
    ``expression``, ``optimizer``, ``lr``, ``x0``, ``steps`` and ``k`` (the
    step shown; ``play`` moves it). ``trace`` is the run.
    """

    dim = 1
    point_controls = ("x0",)
    figure_word = "graph"

    def __init__(self, landscape="xcos", optimizer="gd", lr=0.05, x0=None, steps=30):
        super().__init__()
        problems = []
        f = self.choose_landscape(landscape, "xcos", problems, label="function")
        self.trace = None
        start = start_or_default(f, x0, default_start(f), problems)
        c = self.controls
        c["optimizer"] = ctl.dropdown("optimizer", list(optim.OPTIMIZERS), "gd")
        c["lr"] = ctl.slider_log("learning rate lr", 0.05, -3, 0.5)
        c["x0"] = start_sliders(f, start, names=("x0",))["x0"]
        c["steps"] = ctl.slider_int("steps", 30, 1, 200)
        c["k"] = ctl.slider_int("show step k", 30, 0, 30, continuous=True)
        self.play = W.Play(value=30, min=0, max=30, step=1, interval=400,
                           description="play the steps")
        # linked in Python, not in the page: a link in the page would send the
        # kernel the Play's value at every move of a drag that changes the run
        # (js/common.js holds the sliders' messages until the drag rests)
        W.link((self.play, "value"), (c["k"], "value"))

        self.panel = self.new_panel((5.0, 3.4))
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
        self.image = self.panel.image
        # The page shows the browser front end (js/explorer1d.js): it reruns
        # the optimizer as the controls move and plays the steps itself (its
        # own Play button; ``self.play`` stays for notebooks that use it).
        self.front = FrontEnd(view="explorer1d", controls={
            k: c[k] for k in ("landscape", "expression", "optimizer", "lr", "x0", "steps",
                              "k")},
            spec={**self._front_common(), "landscapes": self._front_landscapes(),
                  "params": {name: sorted(optimizer_params(name))
                             for name in optim.OPTIMIZERS}})
        self.assemble([["landscape", "expression", "optimizer"], ["lr", "x0", "steps"]],
                      [c["k"]], self.front, note=False)
        self._watch(["optimizer", "lr", "x0", "steps"], self.update)
        self._watch(["k"], self.redraw)
        self._attach_clicks(self.panel, self.click)
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
        ax.set_title(f"{self.landscape.name}: the path on the graph")
        ax.grid(True, alpha=0.3)
        self.panel.invalidate()
        self._send_landscape()

    formula_in_page = True

    def _formula_frame(self):
        """The graph's frame for a formula typed in the page: x axis, labels and grid,
        no curve, no y ticks and no title (``js/formula.js`` draws those)."""
        ax = self.ax
        for line in list(ax.lines):
            if not line.get_animated():
                line.remove()
        ax.title.set_alpha(0.0)  # kept, invisible, so that the layout keeps its room
        # the tick labels stay, invisible, so that the layout keeps room for the page's
        ax.tick_params(axis="y", length=0, labelcolor=(1.0, 1.0, 1.0, 0.0))
        ax.yaxis.grid(False)
        frame = background(self.panel, ax)
        ax.title.set_alpha(None)
        ax.tick_params(axis="y", length=matplotlib.rcParams["ytick.major.size"],
                       labelcolor=matplotlib.rcParams["ytick.color"])
        ax.yaxis.grid(True, alpha=0.3)
        return frame

    def _front_entry(self):
        f = self.landscape
        return {"src": landscape_js(f), "name": f.name, "window": [list(w) for w in f.window],
                "window_text": window_text(f), "start": [float(v) for v in default_start(f)],
                "bg": background(self.panel, self.ax)}

    def update(self, rebuild=False):
        """Run with the current controls, show every step, return the Trace."""
        self._full_redraw(rebuild)
        c = self.controls
        opt = make_optimizer(c["optimizer"].value, c["lr"].value)
        with np.errstate(all="ignore"):
            trace = run(self.landscape, opt, np.array([c["x0"].value]), steps=c["steps"].value)
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
        name = c["optimizer"].value
        alt = (f"Graph of {self.landscape.name} for {window_text(self.landscape)}, with the "
               f"first {k} steps of {name} (lr {fmt(c['lr'].value, 2)}) from x = "
               f"{fmt(xs[0])}; step {k} is at x = {fmt(xs[-1])}, where the dashed tangent "
               f"has slope {fmt(slope)}. The whole run {trace.message}.")
        self.panel.show(alt, key=id(self.landscape))
        self.alt = alt
        self.updates += 1
        budget = c["steps"].value
        early = (f" The run stopped before the {budget} steps allowed."
                 if trace.steps_taken < budget else "")
        self._say(f"{name} from x = {fmt(xs[0])}: {trace.message}. Showing step {k}.{early}")


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
