"""The Hessian inspector: gradient, Hessian, eigenpairs, kind and Taylor model at a point."""

from __future__ import annotations

import contextlib
import html

import ipywidgets as W
import numpy as np
from matplotlib.patches import Rectangle

from .. import plots
from .._checks import fmt
from ..curvature import (
    CRITICAL_TOL,
    classify,
    critical_points,
    critical_scale,
    hessian_eigs,
    is_critical_point,
    taylor_model,
)
from ..landscapes import landscape_js
from . import controls as ctl
from .base import LandscapeChooser, start_sliders
from .front import FrontEnd, LiveChooser, background
from .inputs import point, start_or_default

__all__ = ["HessianInspector", "hessian_inspector"]

_SHAPES = {
    "minimum": "positive definite: the quadratic model is a bowl",
    "maximum": "negative definite: the quadratic model is a dome",
    "saddle": "indefinite: the quadratic model is a saddle",
    "degenerate": "singular: the quadratic model is flat along one direction",
}


class HessianInspector(LiveChooser, LandscapeChooser):
    """A point on a 2-D landscape: gradient, Hessian, eigenpairs, kind and Taylor model.

    Build it with :func:`hessian_inspector`. Controls ``landscape``,
    ``expression``, ``x``, ``y``, ``taylor``; ``result`` is a dict with ``x``,
    ``value``, ``gradient``, ``hessian``, ``eigenvalues``, ``eigenvectors``,
    ``kind`` and ``critical``. The figure's legend names the critical points
    and the two eigenvalues at the point (``legend``).
    """

    point_controls = ("x", "y")

    def __init__(self, landscape="himmelblau", x=None, n=160):
        super().__init__()
        problems = []
        self.n = n
        self.result = None
        f = self.choose_landscape(landscape, "himmelblau", problems)
        start = start_or_default(f, x, self.default_point(f), problems, name="x")
        c = self.controls
        c.update(start_sliders(f, start, names=("x", "y")))
        c["x"].description, c["y"].description = "point x", "point y"
        c["taylor"] = ctl.checkbox("show the Taylor model", True)

        self.panel = self.new_panel((4.6, 4.1))
        self.ax = self.panel.fig.add_subplot()
        self._draw_background()
        (self.point,) = self.ax.plot([], [], linestyle="none", marker="o", markersize=9,
                                     markerfacecolor="white", markeredgecolor="black",
                                     zorder=9)
        # Placeholder eigenvalues: update() sets the real ones (and their labels)
        # before anything is drawn.
        self.arrows = plots.plot_hessian_arrows(self.ax, start, [1.0, 1.0], np.eye(2))
        self.panel.add(self.point, *self.arrows)
        self.model = []
        self.info = W.HTML(layout=ctl.fit_layout("340px", overflow="auto"))
        self.image = self.panel.image
        # The page shows the browser front end (js/hessian.js): it recomputes
        # the derivatives, eigenpairs, kind, table and Taylor model as the point
        # moves, with or without a kernel. The Python figure and table above
        # stay the reference that tests and `update(rebuild=True)` read.
        self.front = FrontEnd(view="hessian", spec=self._front_spec(),
                              controls={k: c[k] for k in ("landscape", "x", "y", "taylor")})
        self.assemble([["landscape", "expression"], ["x", "y", "taylor"]], self.front,
                      note=False)
        self._watch(["x", "y", "taylor"], self.update)
        self._attach_clicks(self.panel, self.click)
        self._start({}, problems)

    def default_point(self, f):
        """A little off the centre of the window, where a catalog landscape is rarely
        critical."""
        return np.array([np.mean(w) + 0.13 * (w[1] - w[0]) for w in f.window])

    def _draw_background(self):
        for artist in [*self.ax.collections, *self.ax.lines]:
            if not artist.get_animated():
                artist.remove()
        f = self.landscape
        plots.contour_plot(f, ax=self.ax, n=self.n, lines=False, colorbar=False,
                           title=f"{f.name}: curvature at a point")
        self.critical = []
        self.critical_marks = {}
        # Mark the critical points to click on, unless there are dozens of them
        # (Ackley, Rastrigin), where they would hide the map and take seconds.
        if f.minimizers is None or len(f.minimizers) <= len(plots.OKABE_ITO):
            with contextlib.suppress(ValueError, np.linalg.LinAlgError):
                self.critical = critical_points(f)
            if 0 < len(self.critical) <= 30:
                self.critical_marks = plots.plot_critical_points(self.ax, self.critical,
                                                                 legend=False)
        self.panel.invalidate()
        self._send_landscape()

    # -- the browser front end ----------------------------------------------------

    def _front_entry(self):
        """What the front end needs of ``self.landscape``: its JavaScript, map and scale."""
        f = self.landscape
        return {
            "src": landscape_js(f), "name": f.name, "window": [list(w) for w in f.window],
            "start": [float(v) for v in self.default_point(f)],
            "bg": background(self.panel, self.ax), "kinds": list(self.critical_marks),
            "scale": float(critical_scale(f)),
        }

    def _front_spec(self):
        return {**self._front_common(), "tol": CRITICAL_TOL,
                "landscapes": self._front_landscapes()}

    def _taylor_model(self, x):
        """Dashed contours of the second-order model in a small square around ``x``."""
        for art in self.model:
            self.panel.remove(art)
        self.model = []
        if not self.controls["taylor"].value:
            return
        f = self.landscape
        (x_lo, x_hi), (y_lo, y_hi) = f.window
        r = 0.18 * min(x_hi - x_lo, y_hi - y_lo)
        s = np.linspace(-r, r, 41)
        DX, DY = np.meshgrid(s, s)
        q = taylor_model(f, x)(np.stack([x[0] + DX, x[1] + DY], axis=-1))
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
        box = Rectangle((x[0] - r, x[1] - r), 2 * r, 2 * r, fill=False,
                        edgecolor="white", linewidth=0.8, linestyle=":")
        self.ax.add_patch(box)
        self.model.append(box)
        self.panel.add(*self.model)

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
            raise ValueError(f"f or its derivatives are not finite at {point(x)}; "
                             "pick another point")
        vals, vecs = hessian_eigs(f, x)
        kind = classify(H)
        gnorm = float(np.linalg.norm(g))
        critical = bool(is_critical_point(f, x))
        self.result = {"x": x, "value": value, "gradient": g, "hessian": H,
                       "eigenvalues": vals, "eigenvectors": vecs, "kind": kind,
                       "critical": critical}
        # moving artists
        self.point.set_data([x[0]], [x[1]])
        (x_lo, x_hi), (y_lo, y_hi) = f.window
        plots.set_hessian_arrows(self.arrows, x, vals, vecs,
                                 scale=0.2 * min(x_hi - x_lo, y_hi - y_lo))
        # The legend quotes the eigenvalues at the point, so it moves with them.
        self.legend = self.panel.moving_legend(
            self.ax, [*self.critical_marks.values(), *self.arrows], "lower right")
        self._taylor_model(x)
        where = point(x)
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
        self.panel.show(alt, key=id(f))
        self.alt = alt
        self.info.value = self._table(x, value, g, H, vals, vecs, verdict)
        self.updates += 1
        self._say(f"At {where}: {verdict}.")
        return self.result

    @staticmethod
    def _table(x, value, g, H, vals, vecs, verdict):
        def num(v):
            return fmt(v, 4)

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
    >>> w = hessian_inspector("saddle", x=[0.0, 0.0], n=40)
    >>> w.result["kind"], bool(w.result["critical"])
    ('saddle', True)
    >>> [t.get_text() for t in w.legend.get_texts()]
    ['saddle', 'λ1 = -2', 'λ2 = 2']
    """
    return HessianInspector(landscape, x, n)
