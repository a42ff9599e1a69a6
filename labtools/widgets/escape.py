"""The escape-time histogram: how many steps SGD runs take to leave a saddle.

Many seeded runs of plain SGD start exactly at the saddle of
``labtools.widgets.minibatch.saddle_sum()``, where the full gradient is
zero, and each records the first step at which it is farther than
``RADIUS`` from it (:func:`labtools.run.sgd_escape_steps`). Full-batch
gradient descent started there moves only through the round-off in its
zero gradient, which the unstable direction amplifies until it too leaves,
far later. The histogram shows how the
learning rate and the batch size shift and spread the escape times.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int, check_seed, fmt
from ..landscapes import landscape_js
from ..run import sgd_escape_steps
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background
from .minibatch import saddle_sum

__all__ = ["EscapeHistogram", "escape_bins", "escape_histogram"]

#: A run has escaped once it is farther than this from the saddle.
RADIUS = 0.5


def escape_bins(steps):
    """Histogram edges for escape ``steps`` (the escaped runs' steps, all >= 1).

    About 30 bins of a whole-number width from 0 past the largest step, the
    rule ``js/escape.js`` uses too.

    Examples
    --------
    >>> escape_bins([3, 10, 61]).tolist()[:4], bool(escape_bins([3, 10, 61])[-1] > 61)
    ([0, 3, 6, 9], True)
    """
    top = int(max(steps, default=1))
    width = max(1, -(-top // 30))
    return np.arange(0, width * (top // width + 2), width)


class EscapeHistogram(LiveFigure, Widget):
    """A histogram of the steps SGD runs need to leave a saddle; full-batch GD never does.

    Build it with :func:`escape_histogram`. Controls: ``lr``, ``batch`` (1 to
    32), ``runs`` and ``seed``. ``result`` holds ``steps`` (each run's escape
    step, -1 if it stayed within ``max_steps``), ``escaped`` (how many left),
    ``median`` (of the escaped runs, None if none did), ``gd_step`` (full-batch
    gradient descent's escape step, -1 if it stayed) and the settings.
    """

    def __init__(self, lr=0.1, batch=4, runs=200, seed=0, max_steps=1000):
        super().__init__()
        self.f = saddle_sum()
        self.max_steps = check_int("max_steps", max_steps, low=10, high=5000)
        self.result = None
        c = self.controls
        c["lr"] = ctl.slider_float("learning rate lr", 0.1, 0.04, 0.4, 0.02, fmt=".2f")
        c["batch"] = ctl.slider_int("batch size B", 4, 1, self.f.n)
        c["runs"] = ctl.slider_int("runs", 200, 50, 400, step=50)
        c["seed"] = ctl.slider_int("seed", 0, 0, 20)
        self.panel = self.new_panel((6.2, 3.6))
        self.ax = self.panel.fig.add_subplot()
        self.image = self.panel.image
        self._watch(list(c), self.update)
        self._start(dict(lr=lr, batch=batch, runs=runs, seed=seed))
        self._attach_front()

    def _check_value(self, name, value):
        if name == "seed":
            check_seed(value)
        return super()._check_value(name, value)

    def _attach_front(self):
        """The figure the page shows: js/escape.js reruns the SGD runs (with the page's
        seeded generator, so its runs are not NumPy's: tests/parity compares the
        distributions) and draws the histogram."""
        f = self.f
        self.front = FrontEnd(view="escape", controls=dict(self.controls), spec={
            "src": landscape_js(f.base), "shifts": f.shifts.tolist(), "start": [0.0, 0.0],
            "radius": RADIUS, "max_steps": self.max_steps,
            "bg": background(self.panel, self.ax),
        })
        self.assemble([["lr", "batch"], ["runs", "seed"]], self.front, note=False)

    def update(self, rebuild=False):
        """Rerun the SGD runs for the current controls, redraw, return ``result``."""
        c = self.controls
        lr, B = float(c["lr"].value), int(c["batch"].value)
        runs, seed = int(c["runs"].value), int(c["seed"].value)
        steps = sgd_escape_steps(self.f, lr, [0.0, 0.0], batch_size=B, n_runs=runs,
                                 steps=self.max_steps, radius=RADIUS, seed=seed)
        gd_step = int(sgd_escape_steps(self.f, lr, [0.0, 0.0], batch_size=self.f.n, n_runs=1,
                                       steps=self.max_steps, radius=RADIUS, seed=0)[0])
        out = steps[steps > 0]
        median = float(np.median(out)) if len(out) else None
        self.result = {"steps": steps, "escaped": int(len(out)), "median": median,
                       "gd_step": gd_step, "lr": lr, "batch": B, "runs": runs, "seed": seed}

        ax = self.ax
        ax.clear()
        edges = escape_bins(out)
        ax.hist(out, bins=edges, color="#0072B2", alpha=0.85)
        if median is not None:
            ax.axvline(median, color="#D55E00", ls="--", lw=1.5, label=f"median {median:g}")
        if 0 < gd_step <= edges[-1] and B < self.f.n:
            ax.axvline(gd_step, color="k", ls=":", lw=1.5, label=f"full batch {gd_step}")
        if median is not None:
            ax.legend(fontsize="small", loc="upper right")
        ax.set(title=f"Steps to leave the saddle (|x| > {RADIUS}), lr = {fmt(lr, 2)}, B = {B}",
               xlabel="escape step", ylabel="runs", xlim=(edges[0], edges[-1]))
        self.panel.invalidate()
        text = escape_words(len(out), runs, median, self.max_steps, B == self.f.n, gd_step)
        alt = (f"Histogram of the escape steps of {runs} SGD runs started at the saddle, "
               f"lr {fmt(lr, 2)}, batch size {B}: {text}")
        self.panel.show(alt)
        self.alt = alt
        self.updates += 1
        self._say(f"lr {fmt(lr, 2)}, B = {B}: {text}")
        return self.result


def escape_words(escaped, runs, median, max_steps, full, gd_step):
    """The sentence under the histogram (``js/escape.js`` writes the same)."""
    if escaped:
        left = f"{escaped} of {runs} runs left within {max_steps} steps, median step {median:g}."
    else:
        left = f"no run left within {max_steps} steps."
    if full:
        return left + (" This is full-batch gradient descent: every run is the same run, "
                       "pushed off only by the round-off in its zero gradient.")
    gd = (f"leaves at step {gd_step}, pushed off only by the round-off in its zero gradient"
          if gd_step > 0 else f"is still at the saddle after {max_steps} steps")
    return left + f" Full-batch gradient descent {gd}."


def escape_histogram(lr=0.1, batch=4, runs=200, seed=0, max_steps=1000):
    """How long SGD takes to leave a saddle, as a histogram over many seeded runs.

    Runs of plain SGD start exactly at the saddle of
    ``labtools.widgets.minibatch.saddle_sum()`` and each counts the steps
    until it is farther than 0.5 from it (:func:`labtools.run.sgd_escape_steps`,
    Daneshmand et al. 2018 study this escape). Full-batch gradient descent
    (``batch=32``) is pushed off only by round-off, and leaves far later.

    Parameters
    ----------
    lr : float, default 0.1
        Learning rate, 0.04 to 0.4.
    batch : int, default 4
        Batch size, 1 to 32.
    runs : int, default 200
        Number of runs, 50 to 400.
    seed : int, default 0
        Seed of the batches, 0 to 20.
    max_steps : int, default 1000
        Most steps of each run (10 to 5000).

    Returns
    -------
    EscapeHistogram

    References
    ----------
    daneshmand2018escaping

    Examples
    --------
    >>> w = escape_histogram(lr=0.2, batch=4, runs=50)
    >>> w.result["escaped"]
    50
    >>> w.set(runs=1000).error
    'runs must be between 50 and 400 here, got 1000'
    """
    return EscapeHistogram(lr, batch, runs, seed, max_steps)
