"""The optimizer race: several optimizers from one start, side by side, with a results table."""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import optim, plots
from .._checks import check_choice, fmt
from ..landscapes import landscape_js
from ..run import run
from . import controls as ctl
from .base import Widget, retarget_sliders, start_sliders
from .front import FrontEnd, LiveFigure, background
from .inputs import (
    catalog_names,
    default_start,
    landscape_or_default,
    log_limits,
    make_optimizer,
    nice_limits,
    optimizer_params,
    point,
    resolve_landscape,
    start_or_default,
)
from .panel import Panel
from .site import building_site

__all__ = ["OptimizerRace", "optimizer_race"]

_DEFAULT_LR = {"gd": 0.001, "momentum": 0.001, "nesterov": 0.001, "adagrad": 0.5,
               "rmsprop": 0.01, "adam": 0.05, "noisy_gd": 0.001, "perturbed_gd": 0.001,
               "damped_newton": 0.5, "saddle_free_newton": 1.0}


def _racers(optimizers, problems):
    """One to four known optimizer names, in order, without repeats."""
    if isinstance(optimizers, str):
        optimizers = (optimizers,)
    names = []
    for name in optimizers:
        try:
            name = check_choice("optimizers", name, optim.OPTIMIZERS)
        except ValueError as exc:
            problems.append(f"{exc}; it was left out of the race")
            continue
        if name not in names:
            names.append(name)
    if len(names) > 4:
        problems.append(f"a race has at most 4 optimizers; racing the first 4 of {len(names)}")
        names = names[:4]
    return names or ["gd", "momentum", "adam"]


class OptimizerRace(LiveFigure, Widget):
    """Several optimizers from one start, side by side, with a results table.

    Build it with :func:`optimizer_race`. Controls: ``landscape``, ``x0``,
    ``y0``, ``steps`` and one ``lr <name>`` per optimizer that takes a
    learning rate. ``result`` maps each optimizer to its Trace.
    """

    def __init__(self, landscape="rosenbrock", optimizers=("gd", "momentum", "adam"),
                 x0=None, steps=300, lr=None):
        super().__init__()
        problems = []
        f = landscape_or_default(landscape, 2, "rosenbrock", problems)
        self.landscape = f
        self.names = _racers(optimizers, problems)
        lrs = dict(_DEFAULT_LR)
        if isinstance(lr, dict):
            lrs.update(lr)
        elif lr is not None:
            lrs.update({name: lr for name in self.names})
        start = start_or_default(f, x0, default_start(f), problems)
        names = catalog_names(2)
        c = self.controls
        c["landscape"] = ctl.dropdown("landscape", names,
                                      f.name if f.name in names else names[0])
        c.update(start_sliders(f, start, continuous=False))
        c["steps"] = ctl.slider_int("steps", 300, 1, 2000)
        for name in self.names:
            if "lr" in optimizer_params(name):
                c[f"lr {name}"] = ctl.slider_log(f"lr ({name})", 0.01, -4, 0.5,
                                                 continuous=False)
        self.result = {}

        # One map per optimizer, each its own image: two side by side on a wide
        # page, one under the other on a phone, every one readable.
        k = len(self.names)
        self.map_panels = [self.new_panel((3.9, 3.3)) for _ in self.names]
        self.axes = [p.fig.add_subplot() for p in self.map_panels]
        self.panel = self.map_panels[0]
        self.loss_panel = self.new_panel((5.2, 3.0))
        self.loss_ax = self.loss_panel.fig.add_subplot()
        self.colors = plots.OKABE_ITO[: k] if k < 4 else plots.OKABE_ITO[:3] + ("#CC79A7",)
        self._draw_background()
        blank = np.zeros((1, 2))
        self.paths = []
        self.loss_lines = []
        for panel, ax, name, color in zip(self.map_panels, self.axes, self.names, self.colors,
                                          strict=True):
            art = plots.plot_trajectory(ax, blank, color=color, label=name, animated=True)
            panel.add(*art)
            self.paths.append(art)
            (line,) = self.loss_ax.plot([], [], color=color, linewidth=1.8, label=name)
            self.loss_panel.add(line)
            self.loss_lines.append(line)
        self.loss_ax.set_xlabel("step k")
        self.loss_ax.grid(True, alpha=0.3)
        # drawn over the curves on every update, so no curve strikes a name through
        self.legend = self.loss_panel.moving_legend(self.loss_ax, self.loss_lines,
                                                    "upper right")
        self.images = [p.image for p in self.map_panels]
        self.image, self.loss_image = self.images[0], self.loss_panel.image
        # a wide table scrolls inside its own box on a phone instead of being cut off
        self.table = W.HTML(layout=ctl.fit_layout(None, overflow="auto"))
        # The page shows the browser front end (js/race.js): it reruns every
        # racer on each move of a control, with or without a kernel, over one
        # background per landscape (the maps differ only by their titles, which
        # it writes). The Python figures and table stay the reference for tests.
        self._bg_panel = Panel((3.9, 3.3), layout=None)
        self._bg_ax = self._bg_panel.fig.add_axes((0.16, 0.14, 0.8, 0.76))
        self.front = FrontEnd(view="race", controls=dict(c), spec=self._front_spec())
        self.assemble(self.split_controls(), self.front, note=False)
        self._watch(["landscape"], self._on_landscape)
        self._watch([n for n in c if n != "landscape"], self.update)
        self._start(dict(steps=steps, **{f"lr {n}": lrs[n] for n in self.names
                                         if f"lr {n}" in c}), problems)

    def _draw_background(self):
        f = self.landscape
        for panel, ax, name in zip(self.map_panels, self.axes, self.names, strict=True):
            for coll in list(ax.collections):
                coll.remove()
            plots.contour_plot(f, ax=ax, n=120, levels=20, filled=False, colorbar=False,
                               title=f"{name} on {f.name}")
            panel.invalidate()

    # -- the browser front end ----------------------------------------------------

    def _front_entry(self, f):
        """What the front end needs of landscape ``f``: its JavaScript, map and f*."""
        ax = self._bg_ax
        for coll in list(ax.collections):
            coll.remove()
        plots.contour_plot(f, ax=ax, n=120, levels=20, filled=False, colorbar=False, title="")
        fstar = getattr(f, "global_min", None)
        return {"src": landscape_js(f), "name": f.name, "window": [list(w) for w in f.window],
                "start": [float(v) for v in default_start(f)],
                "global_min": None if fstar is None else float(fstar),
                "bg": background(self._bg_panel, ax)}

    def _front_spec(self):
        # The static page has no kernel to ask for another map: it carries them all.
        names = (self.controls["landscape"].options if building_site()
                 else [self.controls["landscape"].value])
        entries = {name: self._front_entry(self.landscape if name == self.landscape.name
                                           else resolve_landscape(name, 2))
                   for name in names}
        return {"landscapes": entries, "colors": list(self.colors),
                "racers": [{"name": n, "params": sorted(optimizer_params(n))}
                           for n in self.names]}

    def _on_landscape(self):
        f = resolve_landscape(self.controls["landscape"].value, 2)
        self.landscape = f
        spec = self.front.spec
        if f.name not in spec["landscapes"]:  # a running notebook: send the new map over
            self.front.spec = {**spec, "landscapes": {**spec["landscapes"],
                                                      f.name: self._front_entry(f)}}
        self._draw_background()
        with self.hold():
            retarget_sliders([self.controls["x0"], self.controls["y0"]], f, default_start(f))
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
            opt = make_optimizer(name, lr if lr is not None else 1.0)
            with np.errstate(all="ignore"):
                traces[name] = run(f, opt, x0, steps=c["steps"].value, seed=0)
        for art, name in zip(self.paths, self.names, strict=True):
            plots.set_trajectory(art, traces[name])
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
        y_lim = log_limits(all_v) if gap else nice_limits(float(all_v.min()),
                                                          float(all_v.max()))
        key = (x_lim, y_lim, gap)
        if self.loss_panel.redraws(key):
            self.loss_ax.set_yscale("log" if gap else "linear")
            self.loss_ax.set_xlim(*x_lim)
            self.loss_ax.set_ylim(*y_lim)
            self.loss_ax.set_ylabel("f(x_k) − f*" if gap else "f(x_k)")
            self.loss_ax.set_title("Distance to the global minimum value" if gap
                                   else "Loss along each path")
        self.result = traces
        alts = [f"Contour map of {f.name} with the path of {n} from {point(x0)}: "
                f"{t.message}; it ends at {point(t.xs[-1])}, where f = {fmt(t.values[-1])}."
                for n, t in traces.items()]
        alt_loss = ("Loss against step for each optimizer: "
                    + "; ".join(f"{n} ends at f = {fmt(t.values[-1])}"
                                for n, t in traces.items()) + ".")
        for panel, alt in zip(self.map_panels, alts, strict=True):
            panel.show(alt, key=id(f))
        self.loss_panel.show(alt_loss, key=key)
        self.alt = (*alts, alt_loss)
        self.table.value = self._table(traces)
        self.updates += 1
        self._say(self._verdict(x0, traces))
        return traces

    @staticmethod
    def _verdict(x0, traces):
        """The status line: the lowest final value among the runs that did not diverge
        (on a landscape unbounded below, a run that diverged may end lowest of all, and
        that is no win); the runs that diverged are named. race.js says the same."""
        gone = [n for n, t in traces.items() if t.status == "diverged"]
        kept = [n for n in traces if n not in gone]
        if not kept:
            return f"From {point(x0)}: every run diverged (see the table)."
        best = min(kept, key=lambda n: traces[n].values[-1])
        text = (f"From {point(x0)}: lowest final value by {best} "
                f"(f = {fmt(traces[best].values[-1])})")
        return text + (f"; {', '.join(gone)} diverged." if gone else ".")

    def _table(self, traces):
        c = self.controls
        head = ("<tr><th scope='col'>optimizer</th><th scope='col'>lr</th>"
                "<th scope='col'>outcome</th><th scope='col'>steps</th>"
                "<th scope='col'>last point</th><th scope='col'>f</th>"
                "<th scope='col'>‖∇f‖</th></tr>")
        outcome = {"converged": "converged", "diverged": "diverged",
                   "max_steps": "still moving"}
        rows = []
        for name, t in traces.items():
            lr = fmt(c[f"lr {name}"].value, 2) if f"lr {name}" in c else "–"
            rows.append(f"<tr><td>{name}</td><td>{lr}</td>"
                        f"<td>{outcome.get(t.status, t.status)}</td>"
                        f"<td>{t.steps_taken}</td><td>{point(t.xs[-1])}</td>"
                        f"<td>{fmt(t.values[-1])}</td><td>{fmt(t.grad_norms[-1])}</td></tr>")
        return ("<table style='font-size:85%; border-collapse:collapse' cellpadding='2'>"
                "<caption style='text-align:left'>Results of the race (f and ‖∇f‖ at the "
                "last point)</caption>"
                + head + "".join(rows) + "</table>")


def optimizer_race(landscape="rosenbrock", optimizers=("gd", "momentum", "adam"), x0=None,
                   steps=300, lr=None):
    """Race several optimizers from one start: paths side by side and a results table.

    Parameters
    ----------
    landscape : str or Landscape, default "rosenbrock"
        A 2-D catalog name, expression or Landscape.
    optimizers : sequence of str, default ("gd", "momentum", "adam")
        One to four names from ``labtools.optim.OPTIMIZERS``.
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
