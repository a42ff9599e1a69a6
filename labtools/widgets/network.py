"""The network explorer: train the course network, watch its loss and decision boundary."""

from __future__ import annotations

import base64
import math
import warnings

import matplotlib as mpl
import numpy as np
from matplotlib.lines import Line2D

from .. import plots
from .._checks import check_int, check_number, fmt
from ..nn import course_network, sharpness, train
from ..optim import sam
from . import controls as ctl
from .base import Widget
from .front import FrontEnd, LiveFigure, background, pixel_box
from .inputs import log_limits, make_optimizer

__all__ = ["NetworkExplorer", "network_explorer"]


def init_uniforms(model, seed):
    """The uniform draws in [0, 1) behind ``model.init(seed, scale)``, for the browser.

    :meth:`~labtools.nn.MLP.init` draws each weight as ``-a + 2a u`` with
    ``a = scale sqrt(6 / (n_in + n_out))``; from these ``u`` (weights of all
    layers in ``theta``'s order) the browser computes the same bits for any
    ``scale``.

    Examples
    --------
    >>> from labtools.nn import MLP
    >>> model = MLP((2, 3, 1))
    >>> u = init_uniforms(model, 0)
    >>> a = np.sqrt(6 / 5)
    >>> bool(np.array_equal(-a + 2 * a * u[:6], model.init(seed=0)[:6]))
    True
    """
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.random(n_in * n_out) for (n_in, n_out), _ in model.shapes])


def batch_order(n, seed, epochs):
    """The mini-batch order of :func:`labtools.nn.train`: ``epochs`` permutations of ``n`` points.

    ``train`` draws one ``permutation(n)`` per epoch from
    ``default_rng(seed)``; these are the same, joined into one array.

    Examples
    --------
    >>> batch_order(4, 0, 2).reshape(2, 4).tolist()
    [[2, 0, 1, 3], [3, 2, 1, 0]]
    """
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(n) for _ in range(epochs)])


class NetworkExplorer(LiveFigure, Widget):
    """Train the course network and watch its loss curve and decision boundary.

    Build it with :func:`network_explorer`. Controls: ``optimizer``, ``lr``,
    ``batch_size`` (``"full"`` or a mini-batch size), ``scale`` (the
    initialization scale of :meth:`labtools.nn.MLP.init`), ``activation`` and
    ``steps``. ``result`` is the :class:`~labtools.nn.TrainResult`;
    ``accuracy`` the training accuracy of its final parameters and
    ``sharpness`` the top eigenvalue of the training loss's Hessian there
    (None after a divergence). ``image`` and ``loss_image`` hold the figures
    Python draws; the page shows ``front``, the browser front end
    (``js/network.js`` on the port of the network in ``js/mlp.js``), which
    trains again and redraws both figures as the controls move, with or
    without a kernel.
    """

    OPTIMIZERS = ("gd", "momentum", "adam", "sam")
    BATCH_SIZES = (("full batch", "full"), ("100", 100), ("50", 50), ("20", 20), ("10", 10))

    def __init__(self, optimizer="gd", lr=0.5, batch_size=None, scale=1.0, activation="tanh",
                 steps=300, hidden=(16, 16), seed=0):
        super().__init__()
        problems = []
        self.seed = check_int("seed", seed, low=0)
        try:
            model, X, y = course_network(hidden=hidden, seed=self.seed)
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
            hidden = (16, 16)
            model, X, y = course_network(hidden=hidden, seed=self.seed)
        self.hidden = tuple(model.sizes[1:-1])
        self.X, self.y = X, y
        self._models = {model.activation: model}
        self.model = model
        self.result = None
        self.accuracy = None
        self.sharpness = None
        c = self.controls
        c["optimizer"] = ctl.dropdown("optimizer", list(self.OPTIMIZERS), "gd")
        c["lr"] = ctl.slider_log("learning rate lr", 0.5, -3, 1, continuous=False)
        c["batch_size"] = ctl.dropdown("batch size", list(self.BATCH_SIZES), "full")
        c["scale"] = ctl.slider_log("init scale", 1.0, -2, 1, continuous=False)
        c["activation"] = ctl.dropdown("activation", ["tanh", "sigmoid"], "tanh")
        c["steps"] = ctl.slider_int("steps", 300, 10, 1000, step=10)

        # figures: the decision map (data and boundary blitted over the axes) and the loss
        self.panel = self.new_panel((4.3, 3.6))
        self.ax = self.panel.fig.add_subplot()
        self.loss_panel = self.new_panel((3.6, 3.6))
        self.loss_ax = self.loss_panel.fig.add_subplot()
        self._draw_map_axes()
        self._draw_loss_axes()
        self.image, self.loss_image = self.panel.image, self.loss_panel.image
        self._watch(list(c), self.update)
        self._start(dict(optimizer=optimizer, lr=lr, batch_size=batch_size, scale=scale,
                         activation=activation, steps=steps), problems)
        self._attach_front()

    def _attach_front(self):
        """The figures the page shows: the browser front end (js/network.js).

        Python sends what needs NumPy's generator, so that the browser trains
        exactly as :func:`labtools.nn.train` does without a port of it: the
        uniform draws behind :meth:`~labtools.nn.MLP.init` for this seed (the
        initial parameters of every ``scale`` follow from them bit for bit) and
        the mini-batch order, one permutation per epoch, as many as the longest
        run of the smallest number of batches per epoch needs. Both figures'
        static parts (axes, colour bar) are Matplotlib backgrounds; the loss
        axes, whose limits follow the run, are drawn in the browser.
        """
        model, N = self.model, len(self.y)
        sizes = [v for _, v in self.BATCH_SIZES if v != "full"]
        steps_max = int(self.controls["steps"].max)
        epochs = max(-(-steps_max // (N // b)) for b in sizes)
        perms = batch_order(N, self.seed, epochs)
        dtype = np.uint8 if N <= 256 else np.uint16
        cividis = mpl.colormaps["cividis"](np.linspace(0.0, 1.0, 256))[:, :3]
        gx, gy, _ = self._grid
        self.front = FrontEnd(view="network", controls=dict(self.controls), spec={
            "X": self.X.ravel().tolist(), "y": self.y.tolist(), "sizes": list(model.sizes),
            "uniforms": init_uniforms(model, self.seed).tolist(),
            "permutations": base64.b64encode(perms.astype(dtype).tobytes()).decode("ascii"),
            "index_bytes": int(np.dtype(dtype).itemsize), "epochs": int(epochs),
            "batch_sizes": {label: value for label, value in self.BATCH_SIZES},
            "grid": [int(gx.shape[1]), int(gx.shape[0])], "extent": list(self.extent),
            "cividis": "".join(f"{round(255 * v):02x}" for v in cividis.ravel()),
            "map_bg": background(self.panel, self.ax),
            "loss_bg": background(self.loss_panel, self.loss_ax),
            "loss_box": pixel_box(self.loss_panel, self.loss_ax),
            "rho": 0.05, "max_norm": 1e6, "seed": self.seed,
        })
        self.assemble([["optimizer", "lr", "batch_size"], ["scale", "activation", "steps"]],
                      self.front, note=False)

    def _draw_map_axes(self):
        X, y = self.X, self.y
        pad = 0.4
        (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0) - pad, X.max(axis=0) + pad
        self.extent = (float(x_lo), float(x_hi), float(y_lo), float(y_hi))
        gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, 120), np.linspace(y_lo, y_hi, 90))
        self._grid = (gx, gy, np.column_stack([gx.ravel(), gy.ravel()]))
        ax = self.ax
        self.proba = ax.imshow(np.full(gx.shape, 0.5), extent=self.extent, origin="lower",
                               cmap="cividis", vmin=0.0, vmax=1.0, alpha=0.85, aspect="auto",
                               interpolation="bilinear")
        self.panel.add(self.proba)
        self.panel.fig.colorbar(self.proba, ax=ax, label="predicted probability of class 1",
                                shrink=0.9)
        self.points = []
        for label, color, marker in [(0, plots.OKABE_ITO[0], "o"), (1, plots.OKABE_ITO[1], "s")]:
            (pts,) = ax.plot(*X[y == label].T, linestyle="none", marker=marker, markersize=4,
                             color=color, markeredgecolor="black", markeredgewidth=0.3,
                             label=f"class {label}")
            self.points.append(pts)
        self.panel.add(*self.points)
        self.boundary = []
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        ax.set_xlabel("first input")
        ax.set_ylabel("second input")
        ax.set_title("Decision boundary after training", fontsize="medium")

    def _draw_loss_axes(self):
        lax = self.loss_ax
        (self.batch_line,) = lax.plot([], [], color="#56B4E9", linewidth=0.8, alpha=0.7,
                                      label="mini-batch loss")
        (self.loss_line,) = lax.plot([], [], color="#0072B2", linewidth=1.8,
                                     label="training loss")
        self.diverged_line = lax.axvline(0.0, color="#D55E00", linestyle="--", linewidth=1.5,
                                         label="diverged")
        self.loss_panel.add(self.batch_line, self.loss_line, self.diverged_line)
        lax.set_yscale("log")
        lax.set_xlabel("step")
        lax.set_ylabel("loss (log scale)")
        lax.set_title("Training loss", fontsize="medium")
        lax.grid(True, which="both", alpha=0.3)

    def _check_value(self, name, value):
        if name == "batch_size":
            if value is None or value == "full":
                return "full"
            sizes = [v for _, v in self.BATCH_SIZES if v != "full"]
            value = check_number("batch_size", value, integer=True)
            if value not in sizes:
                raise ValueError(
                    "batch_size must be None (full batch) or one of "
                    + ", ".join(str(s) for s in sizes) + f", got {value!r}"
                )
            return int(value)
        return super()._check_value(name, value)

    def _optimizer(self):
        c = self.controls
        name, lr = c["optimizer"].value, c["lr"].value
        if name == "sam":
            return sam(lr=lr, rho=0.05)
        return make_optimizer(name, lr)

    def _setting(self):
        c = self.controls
        batch = c["batch_size"].value
        return (f"{c['optimizer'].value} (lr {fmt(c['lr'].value, 2)}), "
                + ("full batch" if batch == "full" else f"batches of {batch}")
                + f", {c['activation'].value} units, init scale {fmt(c['scale'].value, 2)}")

    def _sharpness(self, model, theta):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = sharpness(model, theta, self.X, self.y, iters=100, tol=1e-6)
        return float(value) if math.isfinite(value) else None

    def _model(self, activation):
        if activation not in self._models:
            self._models[activation] = course_network(hidden=self.hidden,
                                                      activation=activation,
                                                      seed=self.seed)[0]
        return self._models[activation]

    def _show_map(self, model, result):
        """The decision map: probability image and the boundary P = 1/2."""
        gx, gy, pts = self._grid
        with np.errstate(all="ignore"):
            P = model.predict_proba(result.theta, pts).reshape(gx.shape)
        P = np.nan_to_num(P, nan=0.5)
        self.proba.set_data(P)
        for artist in self.boundary:
            self.panel.remove(artist)
        self.boundary = []
        if P.min() < 0.5 < P.max():
            cs = self.ax.contour(gx, gy, P, levels=[0.5], colors="black", linewidths=1.8)
            self.boundary = [cs]
            self.panel.add(cs)
        # the legend comes last, over the image and the lines
        boundary = [Line2D([], [], color="black", linewidth=1.8, label="boundary")]
        self.legend = self.panel.moving_legend(
            self.ax, [*self.points, *(boundary if self.boundary else [])], "lower left")

    def _show_loss(self, result, batch, steps, diverged):
        k = np.arange(len(result.losses))
        self.loss_line.set_data(k, np.where(result.losses > 0, result.losses, np.nan))
        if batch != "full" and len(result.batch_losses):
            kb = np.arange(len(result.batch_losses))
            bl = result.batch_losses
            self.batch_line.set_data(kb, np.where(bl > 0, bl, np.nan))
            self.batch_line.set_visible(True)
        else:
            self.batch_line.set_data([], [])
            self.batch_line.set_visible(False)
        self.diverged_line.set_visible(diverged)
        if diverged:
            self.diverged_line.set_xdata([result.diverged_at, result.diverged_at])
        self.loss_legend = self.loss_panel.moving_legend(
            self.loss_ax,
            [a for a in (self.loss_line, self.batch_line, self.diverged_line) if a.get_visible()],
            "upper right")
        shown = [result.losses, [1e-2, 1.0]]
        if self.batch_line.get_visible():
            shown.append(result.batch_losses)
        x_lim = (0, max(steps, 1))
        y_lim = log_limits(np.concatenate([np.asarray(v, dtype=float) for v in shown]),
                           floor=1e-8)
        key = (x_lim, y_lim)
        if self.loss_panel.redraws(key):
            self.loss_ax.set_xlim(*x_lim)
            self.loss_ax.set_ylim(*y_lim)
        return key

    def update(self, rebuild=False):
        """Train with the current controls, redraw both figures; return the TrainResult.

        Parameters
        ----------
        rebuild : bool, default False
            Draw both figures in full instead of blitting the moving artists.

        Returns
        -------
        TrainResult
        """
        self._full_redraw(rebuild)
        c = self.controls
        model = self._model(c["activation"].value)
        X, y = self.X, self.y
        batch = c["batch_size"].value
        steps = c["steps"].value
        theta0 = model.init(seed=self.seed, scale=c["scale"].value)
        result = train(model, theta0, X, y, self._optimizer(), steps=steps,
                       batch_size=None if batch == "full" else batch, seed=self.seed,
                       keep_path=False)
        diverged = result.status == "diverged"
        accuracy = model.accuracy(result.theta, X, y)
        sharp = None if diverged else self._sharpness(model, result.theta)
        self._show_map(model, result)
        loss_key = self._show_loss(result, batch, steps, diverged)

        setting = self._setting()
        end = (f"diverged at step {result.diverged_at}; the map shows the last finite "
               "parameters" if diverged else
               f"the loss went from {fmt(result.losses[0])} to {fmt(result.losses[-1])}")
        where = ("the boundary (probability 1/2, black line) separates the two classes"
                 if self.boundary else "the network predicts one class everywhere")
        alt_map = (f"The two-moons training points, class 0 as orange circles and class 1 as "
                   f"sky-blue squares, over the probability of class 1 predicted by the "
                   f"network after {result.steps_taken} steps of {setting}, shaded with "
                   f"the cividis colormap; {where}, and {accuracy:.0%} of the points are "
                   f"classified correctly.")
        alt_loss = (f"Training loss on a log scale against step for {setting}: {end}."
                    + (" A lighter line shows the loss of each mini-batch."
                       if self.batch_line.get_visible() else ""))
        self.panel.show(alt_map)
        self.loss_panel.show(alt_loss, key=loss_key)
        self.alt = (alt_map, alt_loss)
        self.model = model
        self.result, self.accuracy, self.sharpness = result, accuracy, sharp
        self.updates += 1
        if diverged:
            text = f"{setting}: {result.message}. Training accuracy {accuracy:.0%}."
        else:
            curvature = f"sharpness {fmt(sharp)}" if sharp is not None else "sharpness n/a"
            if c["optimizer"].value == "gd" and sharp is not None:
                curvature += f" (gd's stability limit 2/lr is {fmt(2 / c['lr'].value)})"
            text = (f"{setting}: {result.message}, no divergence. Training accuracy "
                    f"{accuracy:.0%}, {curvature}.")
        self._say(text)
        return result


def network_explorer(optimizer="gd", lr=0.5, batch_size=None, scale=1.0, activation="tanh",
                     steps=300, hidden=(16, 16), seed=0):
    """Train the course network on two moons and see its loss curve and decision boundary.

    Every change of a control trains the network of
    :func:`labtools.nn.course_network` afresh from ``model.init(seed,
    scale)`` with :func:`labtools.nn.train` (a fraction of a second for a few
    hundred steps) and redraws the training loss on a log scale, the
    predicted probability of class 1 over the data with the decision
    boundary, and a status line with the final loss, the training accuracy,
    whether the run diverged and its sharpness (the top Hessian eigenvalue,
    :func:`labtools.nn.sharpness`). Sliders update on release.

    Parameters
    ----------
    optimizer : str, default "gd"
        ``"gd"``, ``"momentum"`` (beta 0.9), ``"adam"`` or ``"sam"``
        (:func:`labtools.optim.sam`, rho 0.05).
    lr : float, default 0.5
        Learning rate, between 1e-3 and 10.
    batch_size : int, optional
        Mini-batch size (100, 50, 20 or 10); None (or ``"full"``) for full batch.
    scale : float, default 1.0
        Initialization scale (multiplier of Glorot's bound), between 0.01 and 10.
    activation : str, default "tanh"
        ``"tanh"`` or ``"sigmoid"``.
    steps : int, default 300
        Training steps (10 to 1000).
    hidden : sequence of int, default (16, 16)
        Hidden layer widths; (16, 16) is the course network.
    seed : int, default 0
        Seed of the data, the initialization and the mini-batch order.

    Returns
    -------
    NetworkExplorer
        ``.result`` is the :class:`~labtools.nn.TrainResult`, ``.accuracy`` and
        ``.sharpness`` the final training accuracy and sharpness.

    Examples
    --------
    >>> w = network_explorer(steps=100)
    >>> w.result.steps_taken, w.result.status
    (100, 'max_steps')
    >>> w.set(lr=0).message
    'Problem: lr must be positive, got 0'
    >>> w.set(activation="sigmoid", scale=3.0).result.steps_taken
    100
    """
    return NetworkExplorer(optimizer, lr, batch_size, scale, activation, steps, hidden, seed)
