"""The saddle-escape explorer: steps to leave a saddle against the start's offset, with theory."""

from __future__ import annotations

import numpy as np

from .. import landscapes, plots
from .._checks import check_int, fmt
from ..curvature import hessian_eigs
from ..landscapes import landscape_js
from ..run import predicted_escape_steps, run, saddle_escape_steps
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background, pixel_box
from .inputs import catalog, make_optimizer, nice_limits, optimizer_params

__all__ = ["SaddleEscapeExplorer", "saddle_escape_explorer"]

#: The theory line drawn for each optimizer: its label and its prediction
#: ``(e, lr, lam) -> steps``. Optimizers not listed have no line.
THEORY = {
    "gd": ("gd: ln(1/e) / ln(1 + lr |λmin|)",
           lambda e, lr, lam: predicted_escape_steps(e, lr, lam)),
    "momentum": ("momentum (β = 0.9): linear theory",
                 lambda e, lr, lam: predicted_escape_steps(e, lr, lam, beta=0.9)),
    "nesterov": ("nesterov (β = 0.9): linear theory",
                 lambda e, lr, lam: predicted_escape_steps(e, lr, lam, beta=0.9,
                                                           nesterov=True)),
}

#: Why there is no line, for the optimizers without one.
NO_THEORY = {
    "noisy_gd": "the noise added to each step has no simple closed-form escape time "
                "(near the stable manifold it, not e, sets where the run starts to leave)",
    "perturbed_gd": "its random kicks when the gradient is small have no simple "
                    "closed-form escape time",
    "adam": "Adam rescales each coordinate's step by its own gradient history, so "
            "there is no simple closed-form escape time",
}


class SaddleEscapeExplorer(LiveFigure, Widget):
    """Steps to escape a saddle against the start's distance from its stable manifold.

    Build it with :func:`saddle_escape_explorer`. Starts are placed at
    ``radius * (a v_s + e v_u)`` where ``v_s``, ``v_u`` are the Hessian's
    eigenvectors at the saddle (stable, unstable) and ``e`` runs over
    decades; each run counts the steps until it is farther than ``radius``
    from the saddle. The theory line is the linear prediction for the chosen
    optimizer (:func:`labtools.run.predicted_escape_steps`; for gradient
    descent ``ln(1/e) / ln(1 + lr |lambda_min|)``), drawn for ``gd``,
    ``momentum`` and ``nesterov``; the other optimizers have none, and the
    message says why. Controls: ``landscape``, ``optimizer``, ``lr``, ``a``.
    ``result`` is a dict with ``e``, ``steps``, ``predicted`` (None without a
    line), ``lambda_min``, ``radius`` and ``theory`` (the sentence shown).
    A saddle whose Hessian has no strictly negative eigenvalue (the monkey
    saddle's is zero) has no unstable direction: ``e`` then runs along one
    eigenvector and ``a`` along the other, the escapes are still measured,
    and the message says why there is no theory line (``predicted`` is None).
    """

    _SADDLES = ("saddle", "saddle_5", "escapable_saddle", "monkey_saddle")
    OPTIMIZERS = ("gd", "momentum", "nesterov", "noisy_gd", "perturbed_gd", "adam")

    def __init__(self, landscape="saddle", optimizer="gd", lr=0.1, a=0.5, max_steps=3000):
        super().__init__()
        names = [n for n in self._SADDLES if n in landscapes.CATALOG]
        problems = []
        if landscape not in names:
            problems.append(f"landscape must be one of {', '.join(names)}; got {landscape!r}")
            landscape = names[0]
        self.max_steps = check_int("max_steps", max_steps, low=10)
        self.result = None
        c = self.controls
        c["landscape"] = ctl.dropdown("saddle", names, landscape)
        c["optimizer"] = ctl.dropdown("optimizer", list(self.OPTIMIZERS), "gd")
        c["lr"] = ctl.slider_log("learning rate lr", 0.1, -3, 0, continuous=False)
        c["a"] = ctl.slider_float("start along stable", 0.5, 0.0, 0.95, 0.05,
                                  continuous=False, fmt=".2f")
        self.e = np.logspace(-10, -1, 19)
        self.shown_e = (1e-1, 1e-4, 1e-8)

        # two figures side by side on a wide page, one under the other on a phone
        self.panel = self.new_panel((3.9, 3.6))
        self.ax_map = self.panel.fig.add_subplot()
        self.steps_panel = self.new_panel((3.9, 3.6))
        self.ax_steps = self.steps_panel.fig.add_subplot()
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
        (self.theory,) = ax.plot([], [], color="black", linestyle="--", label="theory")
        self.steps_panel.add(self.measured, self.theory)
        self.image, self.steps_image = self.panel.image, self.steps_panel.image
        self.names = names
        self._watch(["landscape"], self._on_landscape)
        self._watch(["optimizer", "lr", "a"], self.update)
        self.landscape = None
        self._start(dict(optimizer=optimizer, lr=lr, a=a), problems, first=self._on_landscape)
        self._attach_front()

    def _attach_front(self):
        """The figures the page shows: the browser front end (js/saddle.js), which
        measures the escapes again as the controls move, with or without a kernel.

        It draws over two backgrounds, as the Python figures stand: the map of
        each saddle and the escape-time axes, side by side on a wide page and
        one under the other on a phone.
        """
        current = self.controls["landscape"].value
        entries = {}
        for name in self.names:  # four small maps: all go to the page
            f = self.landscape if name == current else catalog(name)
            if name != current:
                self._draw_map(f)
            entries[name] = {
                "src": landscape_js(f), "name": f.name,
                "lambdas": [float(v) for v in self.lambdas],
                "vecs": np.asarray(self.vecs, dtype=float).tolist(),
                "radius": float(self.radius), "bg": background(self.panel, self.ax_map),
            }
            if name != current:
                self._draw_map(self.landscape)
        self.front = FrontEnd(view="saddle", controls=dict(self.controls), spec={
            "landscapes": entries, "e": self.e.tolist(), "shown_e": list(self.shown_e),
            "max_steps": self.max_steps, "theory_labels": {k: v[0] for k, v in THEORY.items()},
            "no_theory": NO_THEORY,
            "params": {n: sorted(optimizer_params(n)) for n in self.OPTIMIZERS},
            "steps_bg": background(self.steps_panel, self.ax_steps),
            "graph_box": pixel_box(self.steps_panel, self.ax_steps),
            "graph_clear": pixel_box(self.steps_panel, self.ax_steps, tight=True),
        })
        self.assemble([["landscape", "optimizer"], ["lr", "a"]], self.front, note=False)
        self.panel.render(id(self.landscape))  # the maps drawn above replaced the cached one

    def _on_landscape(self):
        f = catalog(self.controls["landscape"].value)
        self.landscape = f
        self._draw_map(f)
        self.steps_panel.invalidate()
        self.update()

    def _draw_map(self, f):
        """The static map of ``f`` with its saddle; its eigenpairs and escape radius."""
        for coll in list(self.ax_map.collections):
            coll.remove()
        for line in list(self.ax_map.lines):
            if not line.get_animated():
                line.remove()
        plots.contour_plot(f, ax=self.ax_map, n=120, lines=False, colorbar=False,
                           title=f"{f.name}: paths near the saddle")
        self.ax_map.plot([0], [0], marker="X", markersize=10, linestyle="none",
                         markerfacecolor="#E69F00", markeredgecolor="black")
        vals, vecs = hessian_eigs(f, np.zeros(2))
        self.lambdas, self.vecs = vals + 0.0, vecs  # + 0.0: a zero eigenvalue reads 0, not -0
        self.radius = 0.2 * min(hi - lo for lo, hi in f.window)
        self.panel.invalidate()

    def _theory(self, name, lr, lam_min):
        """The predicted steps for every e (or None) and the sentence that explains them."""
        if lam_min >= 0:
            return None, ("the Hessian at this saddle has no negative eigenvalue (λmin = "
                          f"{fmt(lam_min)}): a degenerate saddle with no unstable direction, "
                          "so the linear theory predicts no escape time and no line is drawn")
        if name not in THEORY:
            return None, f"no theory line for {name}: {NO_THEORY[name]}"
        label, predict = THEORY[name]
        predicted = predict(self.e, lr, lam_min)
        formula = ("ln(1/e)/ln(1 + lr·|λmin|)" if name == "gd"
                   else f"the linear theory of {name} with β = 0.9")
        return predicted, (f"the {name} theory line, {formula} with |λmin| = "
                           f"{fmt(abs(lam_min))}, goes from {fmt(predicted[-1])} to "
                           f"{fmt(predicted[0])} steps")

    def update(self, rebuild=False):
        """Measure the escape steps for every e, redraw, return the result dict."""
        self._full_redraw(rebuild)
        c = self.controls
        f = self.landscape
        vals, vecs = self.lambdas, self.vecs
        lam_min = float(vals.min())
        # the unstable direction and the other one (distinct even when the two
        # eigenvalues are equal, as at the monkey saddle's zero Hessian)
        i_u = int(np.argmin(vals))
        i_s = 1 - i_u
        v_u, v_s = vecs[:, i_u], vecs[:, i_s]
        r = self.radius
        a = c["a"].value
        starts = r * (a * v_s[None, :] + self.e[:, None] * v_u[None, :])
        name = c["optimizer"].value
        lr = c["lr"].value
        opt = make_optimizer(name, lr)
        with np.errstate(all="ignore"):
            steps = saddle_escape_steps(f, opt, starts, radius=r, steps=self.max_steps, seed=0)
        steps = np.asarray(steps)
        predicted, theory = self._theory(name, lr, lam_min)
        self.result = {"e": self.e, "steps": steps, "predicted": predicted,
                       "lambda_min": lam_min, "radius": r, "theory": theory}
        for art, e in zip(self.paths, self.shown_e, strict=True):
            x0 = r * (a * v_s + e * v_u)
            with np.errstate(all="ignore"):
                t = run(f, opt, x0, steps=int(min(self.max_steps, 400)), tol=0.0, seed=0)
            plots.set_trajectory(art, t)
        ok = steps >= 0
        self.measured.set_data(self.e[ok], steps[ok])
        self.measured.set_label(f"measured ({name})")
        if predicted is not None:
            self.theory.set_data(self.e, predicted)
            self.theory.set_label(THEORY[name][0])
        else:
            self.theory.set_data([], [])
        # the legend names the optimizer, so it moves with it
        self.legend = self.steps_panel.moving_legend(
            self.ax_steps, [self.measured, *([self.theory] if predicted is not None else [])],
            "upper right")
        top = max([1.0, *steps[ok].tolist(),
                   *(predicted.tolist() if predicted is not None else [])])
        y_lim = nice_limits(0.0, float(top))
        key = (id(f), y_lim)
        if self.steps_panel.redraws(key):
            self.ax_steps.set_xlim(self.e[0] / 2, self.e[-1] * 2)
            self.ax_steps.set_ylim(*y_lim)
        never = int(np.sum(~ok))
        alt_map = (f"Contour map of {f.name} with paths of {name} (lr {fmt(lr, 2)}) from "
                   "starts at e = 1e-1, 1e-4 and 1e-8 off the stable manifold.")
        alt_steps = (f"Steps of {name} (lr {fmt(lr, 2)}) to get farther than {fmt(r)} from "
                     f"the saddle against e on a log scale, from "
                     f"{steps[ok].min() if ok.any() else 'none'} to "
                     f"{steps[ok].max() if ok.any() else 'none'} steps; {theory}.")
        self.panel.show(alt_map, key=id(f))
        self.steps_panel.show(alt_steps, key=key)
        self.alt = (alt_map, alt_steps)
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
    against ``e`` on a log scale, with the linear prediction of
    :func:`labtools.run.predicted_escape_steps` for the chosen optimizer:
    ``ln(1/e) / ln(1 + lr |lambda_min|)`` for gradient descent, the
    two-step recursion's rate for momentum and Nesterov (beta 0.9). Noisy
    GD, perturbed GD and Adam have no simple closed form; no line is drawn
    for them and the message says so.

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
        ``.result`` holds ``e``, measured ``steps``, ``predicted`` (None when no
        line is drawn: for Noisy GD, perturbed GD and Adam, and on a saddle
        without a strictly negative eigenvalue such as ``"monkey_saddle"``) and
        ``lambda_min``.

    Examples
    --------
    >>> w = saddle_escape_explorer("saddle", lr=0.1, max_steps=400)
    >>> bool(abs(w.result["steps"][-1] - w.result["predicted"][-1]) < 3)
    True
    >>> w.set(optimizer="adam").result["predicted"] is None
    True
    >>> "no simple closed-form" in w.message
    True
    """
    return SaddleEscapeExplorer(landscape, optimizer, lr, a, max_steps)
