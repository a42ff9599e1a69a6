"""The basin map explorer: which minimum each start reaches, for an optimizer and lr."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import optim, plots
from .._checks import fmt
from ..landscapes import landscape_js
from ..run import basin_map
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background
from .inputs import (
    catalog,
    catalog_names,
    landscape_or_default,
    make_optimizer,
    optimizer_params,
    point,
    window_text,
)
from .panel import Panel
from .site import building_site

__all__ = ["BasinMapExplorer", "basin_map_explorer"]


def basin_radius(f) -> float:
    """How close a run must end to a minimizer to count as reaching it: 1% of the
    window's diagonal (the default of :func:`labtools.run.basin_map`, passed on
    explicitly so that Python and the browser use one number)."""
    return 0.01 * float(np.hypot(*[hi - lo for lo, hi in f.window]))


class BasinMapExplorer(LiveFigure, Widget):
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
        names = [nm for nm in catalog_names(2, need_minimizers=True)
                 if len(catalog(nm).minimizers) <= len(plots.OKABE_ITO)]
        f = landscape_or_default(landscape, 2, "himmelblau", problems)
        if f.minimizers is None or len(f.minimizers) == 0:
            problems.append(f"{f.name!r} has no known minimizers to color basins by; "
                            "pick one of " + ", ".join(names))
            f = catalog("himmelblau")
        self.landscape = f
        self.result = None
        c = self.controls
        if f.name not in names:
            names = [*names, f.name]
            catalog(f.name, f)
        c["landscape"] = ctl.dropdown("landscape", names, f.name)
        c["optimizer"] = ctl.dropdown("optimizer", list(optim.OPTIMIZERS), "gd")
        c["lr"] = ctl.slider_log("learning rate lr", 0.01, -4, 0, continuous=False)
        c["beta"] = ctl.slider_float("momentum beta", 0.9, 0.0, 0.99, 0.01, continuous=False,
                                     fmt=".2f")
        c["n"] = ctl.slider_int("grid n x n", 100, 10, 300, step=10)
        c["steps"] = ctl.slider_int("steps", 300, 10, 2000, step=10)
        self.progress = ctl.progress_bar("progress")
        self.panel = self.new_panel((5.2, 3.8))
        self.ax = self.panel.fig.add_subplot()
        self.image = self.panel.image
        self.table = W.HTML(layout=ctl.fit_layout(None, overflow="auto"))
        # The page shows the browser front end (js/basins.js): it runs the grid
        # of starts again on each move, row by row, with or without a kernel, and
        # draws the map over an empty frame per landscape. The Python figure and
        # table stay the reference that tests read.
        self._bg_panel = Panel((5.2, 3.8), layout=None)
        self._bg_ax = self._bg_panel.fig.add_axes((0.1, 0.12, 0.54, 0.8))
        self.front = FrontEnd(view="basins", spec=self._front_spec(names),
                              controls={**c, "progress": self.progress})
        self.assemble([["landscape", "optimizer", "lr"], ["beta", "n", "steps"]],
                      self.progress, self.front, note=False)
        self._watch(list(c), self.update)
        self._start(dict(optimizer=optimizer, lr=lr, beta=beta, n=n, steps=steps), problems)

    # -- the browser front end ----------------------------------------------------

    def _front_entry(self, f):
        """What the front end needs of ``f``: its JavaScript, minimizers and frame."""
        ax = self._bg_ax
        ax.set_xlim(*f.window[0])
        ax.set_ylim(*f.window[1])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        return {"src": landscape_js(f), "name": f.name, "window": [list(w) for w in f.window],
                "window_text": window_text(f), "radius": basin_radius(f),
                "minimizers": np.asarray(f.minimizers, dtype=float).tolist(),
                "bg": background(self._bg_panel, ax)}

    def _front_spec(self, names):
        # The static page carries every landscape of the dropdown (no kernel to ask);
        # a running notebook computes the map in Python too, so one is enough there.
        shown = names if building_site() else [self.landscape.name]
        return {"landscapes": {name: self._front_entry(catalog(name)) for name in shown},
                "params": {name: sorted(optimizer_params(name)) for name in optim.OPTIMIZERS}}

    def _show_progress(self, done):
        self.progress.value = done

    def update(self, rebuild=False):
        """Compute the basin map for the current controls and redraw; return it.

        The map is drawn in full every time (``rebuild`` changes nothing): a new
        map changes every pixel.
        """
        c = self.controls
        f = catalog(c["landscape"].value)
        self.landscape = f
        spec = self.front.spec
        if f.name not in spec["landscapes"]:  # a running notebook: send the new one over
            self.front.spec = {**spec, "landscapes": {**spec["landscapes"],
                                                      f.name: self._front_entry(f)}}
        params = optimizer_params(c["optimizer"].value)
        c["lr"].disabled = "lr" not in params
        c["beta"].disabled = "beta" not in params
        opt = make_optimizer(c["optimizer"].value, c["lr"].value, c["beta"].value)
        # a move made in the page: the page shows its own progress while it computes
        # the map; a bar moved from here too would send the page a message per row
        # while it draws (issue 13: a move in JupyterLab must not wait on the kernel)
        progress = None if self.moved_in_page else self._show_progress
        if progress:
            self.progress.value = 0.0
        bm = basin_map(f, opt, n=c["n"].value, steps=c["steps"].value, seed=0,
                       radius=basin_radius(f), progress=progress)
        self.ax.clear()
        setting = f"{c['optimizer'].value}" + (f", lr {fmt(c['lr'].value, 2)}"
                                              if "lr" in params else "")
        plots.plot_basins(self.ax, bm, title=f"{f.name}: basins of {setting} "
                                             f"({c['steps'].value} steps)")
        self.panel.invalidate()
        self.result = bm
        parts = ", ".join(f"{point(m, 3)} {fr:.0%}" for m, fr in
                          zip(bm.minimizers, bm.fraction, strict=True))
        none = bm.unlabeled / bm.labels.size
        alt = (f"Basin map of {f.name} on a {bm.labels.shape[0]} by {bm.labels.shape[1]} grid "
               f"of starts for {window_text(f)}, colored by the minimizer that {setting} "
               f"reaches in {c['steps'].value} steps: {parts}; {none:.0%} reach none.")
        self.panel.show(alt)
        self.alt = alt
        colors = plots.basin_colors(len(bm.minimizers))
        rows = "".join(
            f"<tr><td><span style='color:{colors[i]}'>■</span>"
            f" {point(m)}</td><td>{fr:.1%}</td></tr>"
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
    (vectorized, by :func:`labtools.run.basin_map`) and colored by the
    minimizer it ends at; a progress bar moves while this is computed.
    Sliders update on release.

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
    >>> w.result.labels.shape, w.progress.value
    ((20, 20), 1.0)
    """
    return BasinMapExplorer(landscape, optimizer, lr, beta, n, steps)
