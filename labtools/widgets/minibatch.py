"""The mini-batch explorer: each SGD step's mini-batch gradient beside the full gradient.

On a finite-sum landscape (:class:`labtools.landscapes.FiniteSum`) every step
of SGD descends the mean gradient of a random mini-batch. The explorer draws,
at every point of the path, the step the mini-batch took and the step the full
gradient would have taken, so the noise is the gap between two arrows.

The batches are drawn by a small generator that Python (:class:`PageRng`) and
the page (``makeRng`` of ``js/optim.js``) share bit for bit, so the page's
path and this module's path are the same path (``tests/parity``).
"""

from __future__ import annotations

import numpy as np

from .. import plots
from .._checks import check_int, check_number, check_seed, fmt
from ..landscapes import finite_sum, landscape_js
from ..run.sgd import check_batch_size
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background

__all__ = ["MiniBatchExplorer", "PageRng", "minibatch_explorer", "page_batches",
           "saddle_sum", "sgd_path"]

_M = 0xFFFFFFFF

#: The side panel's log axis starts here (a zero noise, the full batch's, sits on it).
FLOOR = 1e-6

#: The map's window: the start, the saddle and both minima, large enough to see the steps.
WINDOW = ((-0.6, 1.4), (-1.3, 1.3))

#: Where the explorer's runs start: on the saddle's stable axis, as in chapter 7.
START = (1.0, 0.0)


def saddle_sum():
    """The finite sum both chapter 7 widgets use: 32 shifted copies of the escapable saddle."""
    return finite_sum("escapable_saddle", n=32, spread=0.2, seed=0, window=WINDOW)


class PageRng:
    """The seeded generator of the browser front ends (``makeRng`` in ``js/optim.js``).

    sfc32 (Doty-Humphrey's small fast counter) seeded through splitmix32, all in
    32-bit unsigned arithmetic; :meth:`uniform` returns the same doubles in
    ``[0, 1)`` as the JavaScript, in the same order, for the same whole-number
    seed. NumPy's generators cannot be reproduced in the page; this one can be
    reproduced here.

    Examples
    --------
    >>> r = PageRng(0)
    >>> u = [r.uniform() for _ in range(3)]
    >>> all(0 <= v < 1 for v in u), len(set(u))
    (True, 3)
    """

    def __init__(self, seed):
        seed = check_seed(seed)
        if seed is None or seed >= 2 ** 32:
            raise ValueError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
        self._h = 0x9E3779B9
        self._h = (self._h ^ ((seed * 0x27D4EB2D) & _M)) & _M
        self._a, self._b, self._c, self._d = (self._mix() for _ in range(4))
        for _ in range(12):
            self.uniform()

    def _mix(self):
        self._h = (self._h + 0x9E3779B9) & _M
        z = self._h
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & _M
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & _M
        return z ^ (z >> 16)

    def uniform(self):
        """The next double in ``[0, 1)`` (a 32-bit draw divided by 2**32)."""
        a, b, c, d = self._a, self._b, self._c, self._d
        t = (a + b + d) & _M
        self._d = (d + 1) & _M
        self._a = b ^ (b >> 9)
        self._b = (c + (c << 3)) & _M
        c = ((c << 21) & _M) | (c >> 11)
        self._c = (c + t) & _M
        return t / 4294967296.0


def page_batches(seed, n, batch_size, steps):
    """``steps`` batches of ``batch_size`` distinct indices of ``range(n)``, drawn as the page does.

    Each batch is the first ``batch_size`` entries of a partial Fisher-Yates
    shuffle of ``0, ..., n - 1`` driven by :class:`PageRng` (a uniformly random
    subset); with ``batch_size == n`` every index in order, with no draw.
    Returns an int array of shape ``(steps, batch_size)``.

    Examples
    --------
    >>> b = page_batches(0, 8, 3, 5)
    >>> b.shape, all(len(set(row)) == 3 for row in b.tolist())
    ((5, 3), True)
    """
    n = check_int("n", n, low=1)
    batch_size = check_batch_size(batch_size, n)
    steps = check_int("steps", steps, low=0)
    if batch_size == n:
        return np.tile(np.arange(n), (steps, 1))
    rng = PageRng(seed)
    out = np.empty((steps, batch_size), dtype=int)
    for k in range(steps):
        perm = list(range(n))
        for j in range(batch_size):
            r = j + int(rng.uniform() * (n - j))
            perm[j], perm[r] = perm[r], perm[j]
        out[k] = perm[:batch_size]
    return out


def sgd_path(f, x0, lr, batches):
    """Plain SGD on the finite sum ``f`` with the given ``batches``; also each step's gradients.

    ``x_{k+1} = x_k - lr * g_{S_k}(x_k)`` (Robbins & Monro 1951), the step of
    :func:`labtools.run.run_sgd` with ``lt.gd(lr)``. Returns ``(xs, batch_grads,
    full_grads)`` of shapes ``(K + 1, d)``, ``(K, d)``, ``(K, d)``; a run that
    leaves ``|x| <= 1e6`` or turns NaN stops there (fewer rows).
    """
    x = np.asarray(x0, dtype=float)
    xs, gb, gf = [x], [], []
    for idx in batches:
        g = f.batch_grad(x, np.asarray(idx))
        gb.append(g)
        gf.append(f.grad(x))
        x = x - lr * g
        xs.append(x)
        if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e6:
            break
    d = len(x)
    return np.array(xs), np.array(gb).reshape(-1, d), np.array(gf).reshape(-1, d)


class MiniBatchExplorer(LiveFigure, Widget):
    """SGD on a finite sum, each step's mini-batch gradient drawn beside the full gradient.

    Build it with :func:`minibatch_explorer`. Left: the contour map of
    ``saddle_sum()`` with the SGD path from ``(1, 0)``, at each point a
    blue arrow for the full-batch step ``-lr * grad f`` (the orange segment is
    the step the mini-batch took), and the full-batch path for comparison.
    Right: ``|grad f|`` and the noise ``|g_S - grad f|`` along the path.
    Controls: ``batch`` (1 to n), ``lr``, ``seed`` and ``steps``. ``result``
    holds ``xs`` (the path), ``batches``, ``batch_grads``, ``full_grads``,
    ``noise`` (mean ``|g_S - grad f|``), ``escaped`` (``|y| > 0.5`` at the end).
    """

    def __init__(self, batch=4, lr=0.1, seed=0, steps=60):
        super().__init__()
        self.f = saddle_sum()
        self.result = None
        n = self.f.n
        c = self.controls
        c["batch"] = ctl.slider_int("batch size B", 4, 1, n)
        c["lr"] = ctl.slider_float("learning rate lr", 0.1, 0.02, 0.5, 0.02, fmt=".2f")
        c["seed"] = ctl.slider_int("seed", 0, 0, 20)
        c["steps"] = ctl.slider_int("steps", 60, 5, 200, step=5)
        self.panel = self.new_panel((4.3, 3.9))
        self.ax = self.panel.fig.add_subplot()
        plots.contour_plot(self.f, ax=self.ax, n=160, lines=False, colorbar=False,
                           title=f"escapable saddle, mean of {n} examples")
        self.ax.plot([0.0], [0.0], "x", color="k", ms=8)
        self.ax.set_aspect("equal")
        self.gd_line, = self.ax.plot([], [], "--", color="#56B4E9", lw=1.5)
        self.sgd_line, = self.ax.plot([], [], ".-", color="#D55E00", lw=1.2, ms=3)
        self.quiver = None
        self.panel.add(self.gd_line, self.sgd_line)
        self.noise_panel = self.new_panel((3.6, 3.9))
        self.noise_ax = ax = self.noise_panel.fig.add_subplot()
        ax.set(title="Along the SGD path", xlabel="step k", ylabel="size (log)", yscale="log",
               ylim=(FLOOR, 10.0))
        self.size_line, = ax.plot([], [], color="#0072B2", label="full gradient |∇f|")
        self.noise_line, = ax.plot([], [], color="#D55E00", label="noise |g_S − ∇f|")
        ax.legend(fontsize="small", loc="lower left")
        self.noise_panel.add(self.size_line, self.noise_line)
        self.image = self.panel.image
        self._watch(list(c), self.update)
        self._start(dict(batch=batch, lr=lr, seed=seed, steps=steps))
        self._attach_front()

    def _attach_front(self):
        """The figure the page shows: js/minibatch.js draws the batches with the shared
        generator and reruns SGD on the finite sum, whose examples it gets from here."""
        f = self.f
        self.front = FrontEnd(view="minibatch", controls=dict(self.controls), spec={
            "src": landscape_js(f.base), "shifts": f.shifts.tolist(), "start": list(START),
            "bg": background(self.panel, self.ax),
            "noise_bg": background(self.noise_panel, self.noise_ax), "floor": FLOOR,
        })
        self.assemble([["batch", "lr"], ["seed", "steps"]], self.front, note=False)

    def _check_value(self, name, value):
        if name == "seed":
            check_seed(value)
        if name == "lr":
            check_number("lr", value, positive=True)
        return super()._check_value(name, value)

    def update(self, rebuild=False):
        """Rerun SGD and full-batch GD for the current controls, redraw, return ``result``."""
        c = self.controls
        B, lr = int(c["batch"].value), float(c["lr"].value)
        seed, steps = int(c["seed"].value), int(c["steps"].value)
        f = self.f
        batches = page_batches(seed, f.n, B, steps)
        xs, gb, gf = sgd_path(f, START, lr, batches)
        gd_xs, _, _ = sgd_path(f, START, lr, np.tile(np.arange(f.n), (steps, 1)))
        noise = np.linalg.norm(gb - gf, axis=1)
        escaped = bool(abs(xs[-1, 1]) > 0.5)
        self.result = {"xs": xs, "batches": batches, "batch_grads": gb, "full_grads": gf,
                       "gd_xs": gd_xs, "noise": float(noise.mean()) if len(noise) else 0.0,
                       "escaped": escaped, "batch": B, "lr": lr, "seed": seed,
                       "steps": steps}

        self.gd_line.set_data(gd_xs[:, 0], gd_xs[:, 1])
        self.sgd_line.set_data(xs[:, 0], xs[:, 1])
        if self.quiver is not None:
            self.panel.remove(self.quiver)
        k = len(gf)
        self.quiver = self.ax.quiver(xs[:k, 0], xs[:k, 1], -lr * gf[:, 0], -lr * gf[:, 1],
                                     color="#0072B2", angles="xy", scale_units="xy", scale=1,
                                     width=0.004)
        self.panel.add(self.quiver, self.sgd_line)

        steps_axis = np.arange(k)
        self.size_line.set_data(steps_axis, np.maximum(np.linalg.norm(gf, axis=1), FLOOR))
        self.noise_line.set_data(steps_axis, np.maximum(noise, FLOOR))
        self.noise_ax.set_xlim(-0.05 * k, 1.05 * k)
        self.noise_panel.invalidate()

        where = "has left the saddle" if escaped else "is still near the x axis"
        text = (f"B = {B}, lr {fmt(lr, 2)}, seed {seed}: after {k} steps SGD is at "
                f"({fmt(xs[-1, 0], 2)}, {fmt(xs[-1, 1], 2)}) and {where}; full-batch GD "
                f"is at ({fmt(gd_xs[-1, 0], 2)}, {fmt(gd_xs[-1, 1], 2)}). Mean noise "
                f"|g_S - grad f| {fmt(self.result['noise'], 2)}.")
        alt = ("Contour map of a saddle at the origin with two paths from (1, 0): full-batch "
               "gradient descent runs along the x axis into the saddle; the mini-batch path "
               f"(B = {B}, lr {fmt(lr, 2)}) {where}. At each of its points an arrow shows "
               "the full-batch step.")
        self.panel.show(alt)
        self.noise_panel.show(f"Full gradient size and mini-batch noise along {k} SGD steps "
                              "on log scale: the gradient shrinks near the saddle while the "
                              "noise does not.")
        self.alt = alt
        self.updates += 1
        self._say(text)
        return self.result


def minibatch_explorer(batch=4, lr=0.1, seed=0, steps=60):
    """SGD on a finite-sum saddle: each step's mini-batch gradient beside the full one.

    On ``saddle_sum()`` (32 shifted copies of the escapable saddle), SGD and
    full-batch gradient descent start at ``(1, 0)`` on the saddle's stable
    axis. Full-batch descent slides into the saddle; the mini-batch steps
    scatter around the full-batch arrows, and that noise pushes SGD off the axis.

    Parameters
    ----------
    batch : int, default 4
        Batch size, 1 to 32 (32: the full batch).
    lr : float, default 0.1
        Learning rate, 0.02 to 0.5.
    seed : int, default 0
        Seed of the batches, 0 to 20.
    steps : int, default 60
        Steps of each run, 5 to 200.

    Returns
    -------
    MiniBatchExplorer

    References
    ----------
    robbins1951stochastic

    Examples
    --------
    >>> w = minibatch_explorer(batch=32, steps=20)
    >>> bool(abs(w.result["xs"][-1, 1]) < 1e-12)      # full batch: stays on the axis
    True
    >>> w.set(batch=40).error
    'batch must be between 1 and 32 here, got 40'
    """
    return MiniBatchExplorer(batch, lr, seed, steps)
