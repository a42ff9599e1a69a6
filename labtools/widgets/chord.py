"""The chord explorer: two points on a function and the chord between them (convexity)."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch

from .. import plots
from .._checks import check_points, fmt
from ..landscapes import landscape_js
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background, pixel_box
from .inputs import landscape_or_default, nice_limits, point

__all__ = ["ChordExplorer", "chord_explorer"]


class ChordExplorer(LiveFigure, Widget):
    """Two points on a function (or a 2-D slice) and the chord between them.

    Build it with :func:`chord_explorer`. For a 1-D function the controls
    are ``a`` and ``b``; for a 2-D function ``ax, ay, bx, by`` place the two
    ends of a segment and the right panel shows ``f`` along it. ``result``
    holds the fraction of the interval where the chord lies below the graph.
    """

    def __init__(self, landscape="xcos", a=None, b=None):
        super().__init__()
        problems = []
        f = landscape_or_default(landscape, (1, 2), "xcos", problems)
        self.landscape = f
        self.dim = f.dim
        self.result = None
        c = self.controls
        win = f.window
        self.map_panel = None
        if self.dim == 1:
            (lo, hi), = win
            a_default, b_default = lo + 0.2 * (hi - lo), lo + 0.75 * (hi - lo)
            c["a"] = ctl.slider_float("point a", a_default, lo, hi, (hi - lo) / 400)
            c["b"] = ctl.slider_float("point b", b_default, lo, hi, (hi - lo) / 400)
            self.panel = self.new_panel((5.0, 3.4))
            self.ax_graph = self.panel.fig.add_subplot()
            self.ax_map = None
        else:
            for name, v, (lo, hi) in [("ax", 0.2, win[0]), ("ay", 0.3, win[1]),
                                      ("bx", 0.8, win[0]), ("by", 0.7, win[1])]:
                c[name] = ctl.slider_float(f"point {name[0]}: {name[1]}", lo + v * (hi - lo),
                                           lo, hi, (hi - lo) / 400)
            # the map and the slice side by side on a wide page, one under the other
            # on a phone
            self.map_panel = self.new_panel((3.9, 3.6))
            self.ax_map = self.map_panel.fig.add_subplot()
            self.panel = self.new_panel((3.9, 3.6))
            self.ax_graph = self.panel.fig.add_subplot()
            plots.contour_plot(f, ax=self.ax_map, n=120, lines=False, colorbar=False,
                               title=f"{f.name}: the segment from a to b")
            (self.segment,) = self.ax_map.plot([], [], color="white", linewidth=2.5,
                                               marker="o", markersize=7,
                                               markeredgecolor="black")
            self.map_panel.add(self.segment)
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
        # drawn over the curves and the shading, so no line crosses an entry
        self.legend = self.panel.moving_legend(g, [
            self.graph, self.chord,
            Patch(color="#009E73", alpha=0.5, label="chord above graph"),
            Patch(color="#D55E00", alpha=0.5, label="chord below graph")], "upper left")
        self.image = self.panel.image
        # The page shows the browser front end (js/chord.js), which redraws
        # the chord as the points move, with or without a kernel, over the
        # figures as they stand: the graph (1-D), or the map and the slice
        # side by side (2-D), one under the other on a phone.
        self.front = FrontEnd(view="chord", controls=dict(c), spec={
            "src": landscape_js(f), "dim": f.dim, "name": f.name,
            "window": [list(w) for w in f.window],
            "map_bg": (background(self.map_panel, self.ax_map)
                       if self.map_panel is not None else None),
            "graph_bg": background(self.panel, g),
            "graph_box": pixel_box(self.panel, g),
            "graph_clear": pixel_box(self.panel, g, tight=True),
            "graph_title": g.get_title(), "xlabel": g.get_xlabel(), "ylabel": g.get_ylabel(),
        })
        self.assemble(self.split_controls(), self.front, note=False)
        self._watch(list(c), self.update)
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
            raise ValueError(f"f is not defined (or not finite) at {point(bad)} between a "
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
        self.panel.add(*self.fills, self.legend)  # the legend stays on top
        y_lim = nice_limits(float(y_all.min()), float(y_all.max()))
        key = (x_lim, y_lim)
        if self.panel.redraws(key):
            g.set_xlim(*x_lim)
            g.set_ylim(*y_lim)
        below = float(np.mean(~above))
        self.result = below
        where_a, where_b = point(a), point(b)
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
        self.panel.show(alt, key=key)
        if self.map_panel is not None:
            self.map_panel.show(f"Contour map of {f.name} with the segment from a = {where_a} "
                                f"to b = {where_b}, along which the other figure shows f.")
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
