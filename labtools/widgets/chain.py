"""The saddle-chain explorer: plain and perturbed gradient descent on a chain of d saddles."""

from __future__ import annotations

import numpy as np

from .. import plots
from .._checks import check_int, fmt
from ..landscapes import saddle_chain
from ..landscapes.chain import GATE
from ..optim import perturbed_gd
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background, pixel_box

__all__ = ["SaddleChainExplorer", "saddle_chain_explorer"]

#: A run counts as arrived once f falls below this (every coordinate near a well).
TARGET = 1e-3

#: Both runs start at (START, ..., START), next to the first saddle.
START = 1e-3

#: Perturbed gradient descent's gradient threshold and steps between kicks.
G_THRESH, T_THRESH = 1e-2, 5

#: The smallest positive double: an offset this small can no longer move.
TINY = float(np.nextafter(0.0, 1.0))


def gd_chain_run(chain, x0, lr, max_steps, target=TARGET):
    """Values of plain gradient descent on ``chain``, and why it stopped.

    Stops once ``f < target`` (``"arrived"``), once the last coordinate is at
    most the smallest positive double, from where every step on it rounds to
    no change (``"stuck"``), or after ``max_steps`` steps (``"max_steps"``).
    Returns ``(values, reason)``.
    """
    x = np.asarray(x0, dtype=float)
    values = []
    for _ in range(max_steps + 1):
        value = chain.f(x)
        values.append(value)
        if value < target:
            return np.array(values), "arrived"
        if abs(x[-1]) <= TINY:
            return np.array(values), "stuck"
        x = x - lr * chain.grad(x)
    return np.array(values[:max_steps + 1]), "max_steps"


def pgd_chain_run(chain, optimizer, x0, max_steps, target=TARGET):
    """Values of ``optimizer`` on ``chain`` until ``f < target``, and the steps that took.

    The optimizer is stepped through its own ``init``/``update``, as
    :func:`labtools.run.run` steps it, but the loop stops as soon as the run
    arrives. Returns ``(values, steps)``, ``steps`` None if it never arrived
    within ``max_steps``.
    """
    x = np.asarray(x0, dtype=float)
    state = optimizer.init(x)
    values = []
    for k in range(max_steps + 1):
        value = chain.f(x)
        values.append(value)
        if value < target:
            return np.array(values), k
        step, state = optimizer.update(chain.grad(x), state, x, chain)
        x = x + step
    return np.array(values), None


class SaddleChainExplorer(LiveFigure, Widget):
    """Gradient descent against perturbed gradient descent on a chain of ``d`` saddles.

    Build it with :func:`saddle_chain_explorer`. Both start at
    ``(1e-3, ..., 1e-3)`` on :func:`labtools.landscapes.saddle_chain` (``gamma
    = L = a = 1``); the figure shows ``f`` along both runs on a log scale.
    Controls: ``d`` (1 to 6), ``lr`` and ``radius`` (the radius of perturbed
    gradient descent's kicks, with ``g_thresh = 0.01`` and ``t_thresh = 5``).
    ``result`` is a dict with ``gd_steps`` (None if it never arrived),
    ``gd_reason`` (``"arrived"``, ``"stuck"`` or ``"max_steps"``), ``pgd_steps``
    (None if it never arrived), ``d``, ``lr`` and ``radius``.
    """

    def __init__(self, d=4, lr=0.5, radius=1e-2, max_steps=3000):
        super().__init__()
        self.max_steps = check_int("max_steps", max_steps, low=10, high=20_000)
        self.result = None
        c = self.controls
        c["d"] = ctl.slider_int("saddles d", 4, 1, 6)
        c["lr"] = ctl.slider_float("learning rate lr", 0.5, 0.1, 0.9, 0.05, continuous=False,
                                   fmt=".2f")
        c["radius"] = ctl.slider_log("kick radius r", 1e-2, -6, -1, continuous=False)
        self.panel = self.new_panel((5.6, 3.6))
        self.ax = self.panel.fig.add_subplot()
        self.image = self.panel.image
        self._watch(list(c), self.update)
        self._start(dict(d=d, lr=lr, radius=radius))
        self._attach_front()

    def _attach_front(self):
        """The figure the page shows: the browser front end (js/chain.js) computes the
        chain's f and gradient from its parameters and reruns both methods."""
        chain = saddle_chain(1)
        self.front = FrontEnd(view="chain", controls=dict(self.controls), spec={
            "gamma": chain.gamma, "L": chain.L, "a": chain.a, "gate": list(GATE),
            "start": START, "target": TARGET, "max_steps": self.max_steps,
            "g_thresh": G_THRESH, "t_thresh": T_THRESH, "seed": 0,
            "bg": background(self.panel, self.ax), "box": pixel_box(self.panel, self.ax),
        })
        self.assemble([["d"], ["lr"], ["radius"]], self.front, note=False)

    def update(self, rebuild=False):
        """Run both methods for the current controls, redraw, return the result dict."""
        c = self.controls
        d, lr, radius = int(c["d"].value), float(c["lr"].value), float(c["radius"].value)
        chain = saddle_chain(d)
        x0 = np.full(d, START)
        gd_values, reason = gd_chain_run(chain, x0, lr, self.max_steps)
        pgd = perturbed_gd(lr=lr, radius=radius, g_thresh=G_THRESH, t_thresh=T_THRESH, seed=0)
        pgd_values, pgd_steps = pgd_chain_run(chain, pgd, x0, self.max_steps)
        gd_steps = len(gd_values) - 1 if reason == "arrived" else None
        self.result = {"gd_steps": gd_steps, "gd_reason": reason, "pgd_steps": pgd_steps,
                       "d": d, "lr": lr, "radius": radius}

        ax = self.ax
        ax.clear()
        ax.semilogy(gd_values, color=plots.OKABE_ITO[0], label="gradient descent")
        ax.semilogy(pgd_values, color=plots.OKABE_ITO[1],
                    label=f"perturbed GD (r = {fmt(radius, 2)})")
        ax.axhline(TARGET, color="gray", ls=":", lw=1, label="arrived: f < 0.001")
        ax.set(title=f"A chain of {d} saddles, lr = {fmt(lr, 2)}", xlabel="step",
               ylabel="f (log scale)")
        ax.legend(fontsize="small", loc="lower left")
        self.panel.invalidate()

        def words(steps, why):
            if steps is not None:
                return f"arrives after {steps} steps"
            if why == "stuck":
                return (f"is stuck at saddle {d} after {len(gd_values) - 1} steps (its last "
                        "offset underflowed to the smallest double)")
            return f"has not arrived after {self.max_steps} steps"

        gd_text = words(gd_steps, reason)
        pgd_text = words(pgd_steps, "max_steps")
        alt = (f"f on a log scale against step on a chain of {d} saddles with lr "
               f"{fmt(lr, 2)}: gradient descent {gd_text}, showing one plateau per "
               f"saddle; perturbed gradient descent with kick radius {fmt(radius, 2)} "
               f"{pgd_text}.")
        self.panel.show(alt)
        self.alt = alt
        self.updates += 1
        self._say(f"d = {d}, lr {fmt(lr, 2)}: gradient descent {gd_text}; perturbed "
                  f"gradient descent {pgd_text}.")
        return self.result


def saddle_chain_explorer(d=4, lr=0.5, radius=1e-2, max_steps=3000):
    """Watch gradient descent crawl along a chain of saddles that perturbed GD hops along.

    On :func:`labtools.landscapes.saddle_chain` (Du et al. 2017's mechanism),
    plain gradient descent's time grows geometrically with the number of
    saddles ``d``; perturbed gradient descent (Jin et al. 2017) is kicked off
    each saddle and needs about the same time at each. Sliders update on
    release.

    Parameters
    ----------
    d : int, default 4
        Number of saddles, 1 to 6.
    lr : float, default 0.5
        Learning rate of both methods, 0.1 to 0.9.
    radius : float, default 0.01
        Radius of perturbed gradient descent's kicks, 1e-6 to 0.1.
    max_steps : int, default 3000
        Most steps of each run (10 to 20000).

    Returns
    -------
    SaddleChainExplorer

    References
    ----------
    du2017gradient, jin2017escape

    Examples
    --------
    >>> w = saddle_chain_explorer(d=3, lr=0.5)
    >>> w.result["gd_steps"] > w.result["pgd_steps"]
    True
    >>> w.set(d=9).error
    'd must be between 1 and 6 here, got 9'
    """
    return SaddleChainExplorer(d, lr, radius, max_steps)
