"""A tiny neural network in NumPy: the course's non-convex landscape in many dimensions.

The network is a multilayer perceptron (MLP) for binary classification of 2-D
points. All its parameters live in **one flat vector** ``theta``, so the network
is just another function ``L(theta)`` that the optimizers of
:mod:`labtools.optim` and :func:`labtools.run.run` can descend, exactly like the
2-D test functions::

    model, X, y = course_network()
    landscape = model.as_landscape(X, y)
    trace = lt.run(landscape, lt.adam(lr=0.01), x0=model.init(seed=0), steps=500)

Derivatives are exact and written by hand: the gradient by backpropagation and
the Hessian-vector product by Pearlmutter's R-operator (a forward pass of
directional derivatives followed by a backward pass of the gradient's
directional derivative), so ``H v`` costs about two gradients and the Hessian
is never formed unless you ask for it (:meth:`MLP.hessian`).

The landscape tools reproduce the pictures of the deep-learning literature on
this small network: loss along a segment (Goodfellow et al. 2015), 2-D slices
along filter-normalized random directions and along the principal directions of
a training trajectory (Li et al. 2018), sharpness and the Hessian trace, a SAM
step (Foret et al. 2021), a trained quadratic Bezier path between two solutions
(Garipov et al. 2018) and hidden-unit permutation symmetry.

References: pearlmutter1994fast, glorot2010understanding,
goodfellow2015qualitatively, li2018visualizing, foret2021sharpness,
garipov2018loss, hutchinson1989stochastic, lanczos1950iteration.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ._checks import check_choice, check_int, check_number, show
from .curvature import lanczos
from .optim import EmptyState, Optimizer, chain, current_lr, scale_by_lr, trace
from .run import divergence_reason as _divergence

__all__ = [
    "two_moons",
    "xor",
    "spirals",
    "MLP",
    "NetworkLandscape",
    "course_network",
    "TrainResult",
    "train",
    "interpolate_loss",
    "random_direction",
    "random_directions",
    "loss_surface_2d",
    "PCADirections",
    "pca_directions",
    "sharpness",
    "hessian_trace",
    "sam_step",
    "scale_by_sam",
    "sam",
    "BezierCurve",
    "bezier_curve_fit",
    "permute_hidden_units",
    "ACTIVATIONS",
    "LOSSES",
]

#: Activation functions the network knows. ``"relu"`` is piecewise linear: its
#: Hessian exists only away from the kinks (see :meth:`MLP.hvp`).
ACTIVATIONS = ("tanh", "sigmoid", "softplus", "relu", "linear")

#: Losses: binary cross-entropy on the logit (``"bce"``) or mean squared error.
LOSSES = ("bce", "mse")

# largest network MLP.hessian forms densely (20000^2 doubles = 3.2 GB)
_MAX_DENSE = 20000


# ---------------------------------------------------------------------------
# small checks
# ---------------------------------------------------------------------------


def _check_seed(seed):
    if seed is None:
        return None
    return check_int("seed", seed, low=0)


def _check_noise(noise):
    return check_number("noise", noise, nonnegative=True)


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


def _as_float_array(name, value):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {show(value)}") from None
    return arr


def _sigmoid(z):
    # 0.5 (1 + tanh(z/2)) equals 1 / (1 + exp(-z)) but never overflows.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ---------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------


def _check_n(n, low=2):
    n = check_number("n", n, integer=True)
    if n < low:
        raise ValueError(
            f"n must be a whole number of points, at least {low} (one per class), got {n}"
        )
    return n


def _noisy_shuffled(X, y, noise, rng):
    """Add Gaussian noise of standard deviation ``noise`` to the points, then shuffle."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def two_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, the course's standard classification task.

    The upper moon (label 0) is the half circle ``(cos t, sin t)``, the lower moon
    (label 1) is ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in
    ``[0, pi]``; Gaussian noise of standard deviation ``noise`` is added and the
    points are shuffled. No straight line separates the classes, so the network
    needs its hidden layer.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (``n // 2`` in the upper moon).
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    seed : int
        Seed of the random generator (noise and shuffling).

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = two_moons(n=100, noise=0.1, seed=0)
    >>> X.shape, y.shape, np.unique(y)
    ((100, 2), (100,), array([0., 1.]))
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    t_up = np.linspace(0.0, np.pi, n_upper)
    t_lo = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_up), np.sin(t_up)])
    lower = np.column_stack([1.0 - np.cos(t_lo), 0.5 - np.sin(t_lo)])
    y = np.concatenate([np.zeros(n_upper), np.ones(n_lower)])
    return _noisy_shuffled(np.vstack([upper, lower]), y, noise, rng)


def xor(n=200, noise=0.2, seed=0):
    """Four Gaussian blobs at ``(+-1, +-1)`` labelled by the XOR of their signs.

    Points near ``(1, 1)`` and ``(-1, -1)`` get label 0; points near ``(1, -1)`` and
    ``(-1, 1)`` get label 1. The smallest problem a linear model cannot solve.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (spread as evenly as possible over the blobs).
    noise : float
        Standard deviation of each blob, >= 0.
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = xor(n=8, noise=0.0, seed=0)
    >>> bool(np.all(y == (X[:, 0] * X[:, 1] < 0)))
    True
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    which = np.arange(n) % 4
    return _noisy_shuffled(centers[which], labels[which], noise, rng)


def spirals(n=200, noise=0.05, turns=1.0, seed=0):
    """Two interleaved spirals, a harder task that needs a wider network.

    Class ``k`` (0 or 1) is the spiral ``r (cos a, sin a)`` with radius ``r`` from
    0.1 to 1 and angle ``a = 2 pi turns r + k pi``, plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of points, at least 2.
    noise : float
        Standard deviation of the Gaussian noise, >= 0.
    turns : float
        Number of turns of each spiral, > 0.
    seed : int
        Seed of the random generator.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
        Labels 0.0 or 1.0.

    Examples
    --------
    >>> X, y = spirals(n=50, seed=1)
    >>> X.shape, float(y.mean())
    ((50, 2), 0.5)
    """
    n = _check_n(n)
    noise = _check_noise(noise)
    turns = check_number("turns", turns, positive=True)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    parts, labels = [], []
    for k, m in ((0, n0), (1, n - n0)):
        r = np.linspace(0.1, 1.0, m)
        a = 2.0 * np.pi * turns * r + k * np.pi
        parts.append(np.column_stack([r * np.cos(a), r * np.sin(a)]))
        labels.append(np.full(m, float(k)))
    return _noisy_shuffled(np.vstack(parts), np.concatenate(labels), noise, rng)


# ---------------------------------------------------------------------------
# the network
# ---------------------------------------------------------------------------


def _activation(name):
    """Return ``(sigma, d_sigma, d2_sigma)``, each taking ``(z, a=sigma(z))``."""
    if name == "tanh":
        return (np.tanh,
                lambda z, a: 1.0 - a * a,
                lambda z, a: -2.0 * a * (1.0 - a * a))
    if name == "sigmoid":
        return (_sigmoid,
                lambda z, a: a * (1.0 - a),
                lambda z, a: a * (1.0 - a) * (1.0 - 2.0 * a))
    if name == "softplus":
        def d1(z, a):
            return _sigmoid(z)

        def d2(z, a):
            s = _sigmoid(z)
            return s * (1.0 - s)

        return (lambda z: np.logaddexp(0.0, z), d1, d2)
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0),
                lambda z, a: (z > 0).astype(float),
                lambda z, a: np.zeros_like(z))
    # linear: a deep linear network, non-convex although every layer is linear
    return (lambda z: z,
            lambda z, a: np.ones_like(z),
            lambda z, a: np.zeros_like(z))


class MLP:
    """A multilayer perceptron for binary classification, parameters in one flat vector.

    Layer ``l`` computes ``z_l = a_{l-1} W_l + b_l`` and ``a_l = sigma(z_l)``; the
    last layer has one unit and no activation: its output ``z_L`` is the *logit*
    (``loss="bce"``) or the prediction itself (``loss="mse"``). The loss is the
    mean over the data of

    - ``"bce"``: binary cross-entropy on the logit,
      ``log(1 + exp(z)) - y z``, computed without overflow;
    - ``"mse"``: the squared error ``(z - y)^2``.

    ``theta`` stacks ``W_1`` (row-major, shape ``(n_0, n_1)``), ``b_1``, ``W_2``,
    ``b_2``, ... in that order; :meth:`unflatten` and :meth:`flatten` convert.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``(2, 16, 16, 1)``. At least two
        entries, all positive, and the last must be 1.
    activation : str
        Hidden activation, one of ``"tanh"``, ``"sigmoid"``, ``"softplus"``,
        ``"relu"``, ``"linear"``.
    loss : str
        ``"bce"`` (default) or ``"mse"``.
    seed : int
        Default seed of :meth:`init`.

    Attributes
    ----------
    n_params : int
        Length of ``theta``.
    shapes : list of tuple
        ``(W shape, b shape)`` per layer.

    References
    ----------
    glorot2010understanding (initialisation), pearlmutter1994fast (Hessian-vector products).

    Examples
    --------
    >>> model = MLP((2, 3, 1), activation="tanh")
    >>> model.n_params          # 2*3 + 3 + 3*1 + 1
    13
    >>> X, y = two_moons(n=20, seed=0)
    >>> theta = model.init(seed=0)
    >>> round(float(model.loss(np.zeros(13), X, y)), 6)   # log 2 at theta = 0
    0.693147
    """

    def __init__(self, sizes=(2, 16, 16, 1), activation="tanh", loss="bce", seed=0):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(
                f"sizes must be a sequence of layer widths such as (2, 16, 16, 1), "
                f"got {show(sizes)}"
            )
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must list at least an input and an output width, e.g. (2, 1), "
                f"got {show(sizes)}"
            )
        checked = []
        for s in sizes:
            if (isinstance(s, bool) or not isinstance(s, numbers.Integral)) or s < 1:
                raise ValueError(
                    f"sizes must contain positive whole numbers (layer widths), "
                    f"got {show(tuple(sizes))}"
                )
            checked.append(int(s))
        if checked[-1] != 1:
            raise ValueError(
                f"sizes must end with 1 (one output unit for binary classification), "
                f"got {show(tuple(checked))}"
            )
        self.sizes = tuple(checked)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        self.loss_name = check_choice("loss", loss, LOSSES)
        self.seed = _check_seed(seed) if seed is not None else 0
        self._sigma, self._dsigma, self._d2sigma = _activation(self.activation)
        self.shapes = []
        self._slices = []
        offset = 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            w = slice(offset, offset + n_in * n_out)
            offset += n_in * n_out
            b = slice(offset, offset + n_out)
            offset += n_out
            self.shapes.append(((n_in, n_out), (n_out,)))
            self._slices.append((w, b))
        self.n_params = offset

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, "
                f"loss={self.loss_name!r})  # {self.n_params} parameters")

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + 1)."""
        return len(self.shapes)

    # -- parameter vector ------------------------------------------------

    def _check_theta(self, theta, name="theta", batch=False, finite=True, batch_letter="n"):
        arr = _as_float_array(name, theta)
        ok_ndim = (1, 2) if batch else (1,)
        if arr.ndim not in ok_ndim or arr.shape[-1] != self.n_params:
            allowed = f"({self.n_params},)" + (
                f" or ({batch_letter}, {self.n_params})" if batch else "")
            raise ValueError(
                f"{name} must have shape {allowed} for this network "
                f"({self.n_params} parameters, sizes={self.sizes}), got shape {arr.shape}"
            )
        if finite and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must contain only finite numbers, got {show(theta)}")
        return arr

    def unflatten(self, theta):
        """Split ``theta`` into a list of ``(W, b)`` pairs (views, no copy).

        Examples
        --------
        >>> model = MLP((2, 3, 1))
        >>> [(W.shape, b.shape) for W, b in model.unflatten(np.arange(13.0))]
        [((2, 3), (3,)), ((3, 1), (1,))]
        """
        return self._params(self._check_theta(theta, finite=False))

    def flatten(self, params):
        """Stack a list of ``(W, b)`` pairs into one parameter vector.

        Examples
        --------
        >>> model = MLP((2, 3, 1))
        >>> theta = np.arange(13.0)
        >>> bool(np.array_equal(model.flatten(model.unflatten(theta)), theta))
        True
        """
        if not isinstance(params, (list, tuple)) or len(params) != self.n_layers:
            raise ValueError(
                f"params must be a list of {self.n_layers} (W, b) pairs, got {show(params)}"
            )
        parts = []
        for i, (pair, (ws, bs)) in enumerate(zip(params, self.shapes, strict=True)):
            W, b = (np.asarray(p, dtype=float) for p in pair)
            if W.shape != ws or b.shape != bs:
                raise ValueError(
                    f"params[{i}] must be (W, b) with shapes {ws} and {bs}, "
                    f"got {W.shape} and {b.shape}"
                )
            parts += [W.ravel(), b]
        return np.concatenate(parts)

    def init(self, seed=None, scale=1.0):
        """Glorot-uniform initial parameters, multiplied by ``scale``; biases zero.

        Each ``W_l`` is drawn uniformly from ``[-a, a]`` with
        ``a = scale * sqrt(6 / (n_in + n_out))`` (Glorot & Bengio's "normalized
        initialization"), so activations neither explode nor vanish at ``scale=1``.
        Large ``scale`` saturates tanh/sigmoid units; small ``scale`` starts near
        the saddle point ``theta = 0``.

        Parameters
        ----------
        seed : int, optional
            Seed of the random generator; defaults to the model's ``seed``.
        scale : float
            Multiplier of the Glorot bound, >= 0.

        Returns
        -------
        theta : ndarray, shape (n_params,)

        References
        ----------
        glorot2010understanding

        Examples
        --------
        >>> model = MLP((2, 4, 1))
        >>> theta = model.init(seed=0)
        >>> W1, b1 = model.unflatten(theta)[0]
        >>> bool(np.all(np.abs(W1) <= np.sqrt(6 / 6))), bool(np.all(b1 == 0))
        (True, True)
        """
        seed = self.seed if seed is None else _check_seed(seed)
        scale = check_number("scale", scale, nonnegative=True)
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.n_params)
        for (w, _), ((n_in, n_out), _) in zip(self._slices, self.shapes, strict=True):
            bound = scale * np.sqrt(6.0 / (n_in + n_out))
            theta[w] = rng.uniform(-bound, bound, size=n_in * n_out)
        return theta

    # -- data ------------------------------------------------------------

    def _check_X(self, X, name="X"):
        arr = _as_float_array(name, X)
        d = self.sizes[0]
        if arr.ndim == 1 and d == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != d or arr.shape[0] < 1:
            raise ValueError(
                f"{name} must have shape (n, {d}): n >= 1 points with {d} features each "
                f"(the network's input width), got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must contain only finite numbers, got {show(X)}")
        return arr

    def _check_data(self, X, y):
        X = self._check_X(X)
        yy = _as_float_array("y", y)
        if yy.ndim == 2 and yy.shape[1] == 1:
            yy = yy[:, 0]
        if yy.ndim != 1 or yy.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must have shape ({X.shape[0]},), one label per row of X, "
                f"got shape {yy.shape}"
            )
        if not np.all(np.isfinite(yy)):
            raise ValueError(f"y must contain only finite numbers, got {show(y)}")
        if self.loss_name == "bce" and (np.any(yy < 0) or np.any(yy > 1)):
            raise ValueError(
                f"y must hold labels in [0, 1] (0 or 1, or a probability) for "
                f"loss='bce', got values from {yy.min():g} to {yy.max():g}"
            )
        return X, yy

    # -- kernels (no checks; callers have checked) -------------------------

    def _params(self, theta):
        """``(W, b)`` views of ``theta``, one pair per layer."""
        return [(theta[w].reshape(ws), theta[b])
                for (w, b), (ws, _) in zip(self._slices, self.shapes, strict=True)]

    def _forward(self, theta, X):
        """Pre-activations ``zs`` and activations ``acts`` (``acts[0] = X``)."""
        acts, zs = [X], []
        params = self._params(theta)
        a = X
        for i, (W, b) in enumerate(params):
            z = a @ W + b
            zs.append(z)
            if i < len(params) - 1:
                a = self._sigma(z)
                acts.append(a)
        return params, zs, acts

    def _loss_terms(self, out, y):
        """Per-sample loss and its first two derivatives w.r.t. the output."""
        if self.loss_name == "bce":
            s = _sigmoid(out)
            return np.logaddexp(0.0, out) - y * out, s - y, s * (1.0 - s)
        r = out - y
        return r * r, 2.0 * r, np.full_like(r, 2.0)

    def _value_and_grad(self, theta, X, y, need_grad=True):
        with np.errstate(all="ignore"):
            params, zs, acts = self._forward(theta, X)
            out = zs[-1][:, 0]
            ell, d1, _ = self._loss_terms(out, y)
            N = X.shape[0]
            value = float(np.mean(ell))
            if not need_grad:
                return value, None
            g = np.empty(self.n_params)
            delta = (d1 / N)[:, None]
            for i in range(self.n_layers - 1, -1, -1):
                w, b = self._slices[i]
                g[w] = (acts[i].T @ delta).ravel()
                g[b] = delta.sum(axis=0)
                if i > 0:
                    delta = (delta @ params[i][0].T) * self._dsigma(zs[i - 1], acts[i])
            return value, g

    def _hvp_kernel(self, theta, V, X, y):
        """Exact ``H v`` for a stack of directions ``V`` of shape ``(k, P)``.

        Pearlmutter's R-operator ``R{.} = d/dr (.)(theta + r v) at r = 0``, applied
        to every line of the forward and backward pass.
        """
        with np.errstate(all="ignore"):
            params, zs, acts = self._forward(theta, X)
            k, N = V.shape[0], X.shape[0]
            dirs = [(V[:, w].reshape(k, *ws), V[:, b])
                    for (w, b), (ws, _) in zip(self._slices, self.shapes, strict=True)]
            # forward R-pass: R{z_l} = R{a_{l-1}} W_l + a_{l-1} V_l + c_l
            Rzs = []
            Ra = None
            for i, ((W, _), (Vw, c)) in enumerate(zip(params, dirs, strict=True)):
                Rz = np.matmul(acts[i], Vw) + c[:, None, :]
                if Ra is not None:
                    Rz += Ra @ W
                Rzs.append(Rz)
                if i < self.n_layers - 1:
                    Ra = self._dsigma(zs[i], acts[i + 1]) * Rz
            # backward pass with its R-twin
            out = zs[-1][:, 0]
            _, d1, d2 = self._loss_terms(out, y)
            delta = (d1 / N)[:, None]                       # (N, 1)
            Rdelta = (d2 / N)[None, :, None] * Rzs[-1]      # (k, N, 1)
            HV = np.empty((k, self.n_params))
            for i in range(self.n_layers - 1, -1, -1):
                w, b = self._slices[i]
                RgW = np.matmul(acts[i].T, Rdelta)
                if i > 0:
                    Ra_prev = self._dsigma(zs[i - 1], acts[i]) * Rzs[i - 1]
                    RgW += np.matmul(Ra_prev.transpose(0, 2, 1), delta)
                HV[:, w] = RgW.reshape(k, -1)
                HV[:, b] = Rdelta.sum(axis=1)
                if i > 0:
                    W, Vw = params[i][0], dirs[i][0]
                    pre = delta @ W.T                                   # (N, n)
                    Rpre = Rdelta @ W.T + np.matmul(delta, Vw.transpose(0, 2, 1))
                    ds = self._dsigma(zs[i - 1], acts[i])
                    d2s = self._d2sigma(zs[i - 1], acts[i])
                    Rdelta = Rpre * ds + (pre * d2s)[None] * Rzs[i - 1]
                    delta = pre * ds
            return HV

    # -- public evaluation -------------------------------------------------

    def forward(self, theta, X):
        """Raw network output ``(n,)``: the logit for ``"bce"``, the prediction for ``"mse"``.

        Examples
        --------
        >>> model = MLP((2, 3, 1))
        >>> model.forward(np.zeros(13), np.ones((4, 2)))
        array([0., 0., 0., 0.])
        """
        theta = self._check_theta(theta)
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            return self._forward(theta, X)[1][-1][:, 0]

    def predict_proba(self, theta, X):
        """Estimated probability of label 1: ``sigmoid(logit)`` for ``"bce"``.

        For ``"mse"`` the least-squares output itself estimates ``P(y = 1)``; it
        is clipped to ``[0, 1]``.

        Examples
        --------
        >>> model = MLP((2, 3, 1))
        >>> model.predict_proba(np.zeros(13), np.ones((2, 2)))
        array([0.5, 0.5])
        """
        out = self.forward(theta, X)
        if self.loss_name == "bce":
            return _sigmoid(out)
        return np.clip(out, 0.0, 1.0)

    def predict(self, theta, X):
        """Predicted labels (0.0 or 1.0), thresholding the probability at 1/2.

        Examples
        --------
        >>> model = MLP((2, 1))                    # logistic regression
        >>> model.predict(np.array([1.0, 0.0, 0.0]), np.array([[2.0, 0.0], [-1.0, 0.0]]))
        array([1., 0.])
        """
        return (self.predict_proba(theta, X) > 0.5).astype(float)

    def accuracy(self, theta, X, y):
        """Fraction of points whose predicted label equals ``y``.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=40)
        >>> 0.0 <= model.accuracy(model.init(), X, y) <= 1.0
        True
        """
        X, y = self._check_data(X, y)
        return float(np.mean(self.predict(theta, X) == np.round(y)))

    def loss(self, theta, X, y):
        """Mean loss over the data; ``theta`` of shape ``(P,)`` or a batch ``(n, P)``.

        Returns
        -------
        float, or ndarray of shape (n,) for a batch of parameter vectors.

        Examples
        --------
        >>> model = MLP((2, 3, 1), loss="mse")
        >>> float(model.loss(np.zeros(13), [[0.0, 0.0]], [1.0]))   # (0 - 1)^2
        1.0
        """
        theta = self._check_theta(theta, batch=True)
        X, y = self._check_data(X, y)
        if theta.ndim == 2:
            return np.array([self._value_and_grad(t, X, y, need_grad=False)[0] for t in theta])
        return self._value_and_grad(theta, X, y, need_grad=False)[0]

    def grad(self, theta, X, y):
        """Exact gradient of :meth:`loss` by backpropagation; shape like ``theta``.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=20)
        >>> theta = model.init()
        >>> e = np.zeros(model.n_params); e[0] = 1e-6
        >>> fd = (model.loss(theta + e, X, y) - model.loss(theta - e, X, y)) / 2e-6
        >>> bool(abs(fd - model.grad(theta, X, y)[0]) < 1e-8)
        True
        """
        theta = self._check_theta(theta, batch=True)
        X, y = self._check_data(X, y)
        if theta.ndim == 2:
            return np.array([self._value_and_grad(t, X, y)[1] for t in theta])
        return self._value_and_grad(theta, X, y)[1]

    def loss_and_grad(self, theta, X, y):
        """``(loss, grad)`` from one forward and one backward pass.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=20)
        >>> value, g = model.loss_and_grad(model.init(), X, y)
        >>> g.shape
        (17,)
        """
        theta = self._check_theta(theta)
        X, y = self._check_data(X, y)
        return self._value_and_grad(theta, X, y)

    def hvp(self, theta, v, X, y):
        """Exact Hessian-vector product ``H(theta) v`` by Pearlmutter's R-operator.

        One forward pass carries the directional derivatives ``R{z}``, ``R{a}`` of
        every pre-activation and activation along ``v``; one backward pass carries
        ``R{delta}``, the directional derivative of backpropagation's error
        signal. Cost: about two gradients, no Hessian formed, no finite-difference
        step. ``v`` may be one direction ``(P,)`` or a stack ``(k, P)``, handled
        in one vectorized pass.

        With ``activation="relu"`` (or ``"linear"``) ``sigma'' = 0``; the result is
        the exact Hessian of the loss wherever it is twice differentiable, i.e.
        when no pre-activation is exactly 0. At a kink the Hessian does not exist
        and the formula returns that of one of the adjoining linear pieces.

        Parameters
        ----------
        theta : array_like, shape (P,)
        v : array_like, shape (P,) or (k, P)
        X, y : array_like
            Data, shapes ``(n, d)`` and ``(n,)``.

        Returns
        -------
        ndarray, same shape as ``v``.

        References
        ----------
        pearlmutter1994fast

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=20)
        >>> theta, v = model.init(seed=0), model.init(seed=1)
        >>> eps = 1e-5
        >>> fd = (model.grad(theta + eps * v, X, y) - model.grad(theta - eps * v, X, y)) / (2 * eps)
        >>> bool(np.allclose(model.hvp(theta, v, X, y), fd, atol=1e-8))
        True
        """
        theta = self._check_theta(theta)
        V = self._check_theta(v, name="v", batch=True, batch_letter="k")
        X, y = self._check_data(X, y)
        HV = self._hvp_kernel(theta, np.atleast_2d(V), X, y)
        return HV[0] if V.ndim == 1 else HV

    def hessian(self, theta, X, y, chunk=None):
        """Dense Hessian, shape ``(P, P)``, from Hessian-vector products on the basis.

        ``H e_j`` for all ``j`` at once, in chunks of basis vectors to bound
        memory; the result is symmetrized (its asymmetry is round-off, ~1e-16).
        Meant for small networks and as the baseline the matrix-free methods
        (:func:`sharpness`, :func:`hessian_trace`) are measured against.

        Parameters
        ----------
        theta : array_like, shape (P,)
        X, y : array_like
        chunk : int, optional
            Basis vectors per vectorized pass; by default chosen to keep each
            pass near 8 MB.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(3,), n=20)
        >>> H = model.hessian(model.init(), X, y)
        >>> H.shape, bool(np.allclose(H, H.T))
        ((13, 13), True)
        """
        theta = self._check_theta(theta)
        X, y = self._check_data(X, y)
        P = self.n_params
        if P > _MAX_DENSE:
            raise ValueError(
                f"hessian: a dense Hessian of this network ({P} parameters) would need "
                f"{P * P * 8 / 1e9:.1f} GB; at most {_MAX_DENSE} parameters are allowed. "
                f"Use hvp, sharpness or hessian_trace, which never form it"
            )
        if chunk is None:
            width = max(self.sizes)
            chunk = max(1, min(P, int(1e6 // (X.shape[0] * width))))
        else:
            chunk = check_int("chunk", chunk, low=1)
        H = np.empty((P, P))
        for start in range(0, P, chunk):
            stop = min(P, start + chunk)
            E = np.zeros((stop - start, P))
            E[np.arange(stop - start), np.arange(start, stop)] = 1.0
            H[start:stop] = self._hvp_kernel(theta, E, X, y)
        return 0.5 * (H + H.T)

    def as_landscape(self, X, y, name=None):
        """The training loss on ``(X, y)`` as a landscape that :func:`labtools.run.run` descends.

        Returns
        -------
        NetworkLandscape
            With ``dim``, ``name``, ``window``, ``f``, ``grad``, ``hess``, ``hvp``
            like every landscape of :mod:`labtools.landscapes`.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=20)
        >>> land = model.as_landscape(X, y)
        >>> land.dim, bool(land.f(model.init()) == model.loss(model.init(), X, y))
        (17, True)
        """
        X, y = self._check_data(X, y)
        return NetworkLandscape(self, X, y, name=name)


class NetworkLandscape:
    """The loss of an :class:`MLP` on fixed data, with the interface of a landscape.

    Attributes
    ----------
    model : MLP
    X, y : ndarray
        The (checked) data the loss is averaged over.
    name : str
    dim : int
        Number of parameters ``P``.
    window : tuple of (float, float)
        A nominal box ``[-2, 2]`` per parameter (there is no natural plot window
        in ``P`` dimensions; use :func:`loss_surface_2d` for pictures).
    minimizers, global_min : None
        Unknown for a network.
    expr, symbols : None, ()
        The loss is not a symbolic expression.

    Notes
    -----
    Unlike :class:`MLP` methods, these methods return NaN (no error, no warning)
    for a non-finite ``theta``, so that :func:`labtools.run.run` can report a
    diverging run instead of stopping with an exception.

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> land = model.as_landscape(X, y)
    >>> land.f(np.zeros((3, land.dim))).shape
    (3,)
    """

    citation = None
    minimizers = None
    global_min = None
    expr = None
    symbols = ()

    def __init__(self, model, X, y, name=None):
        self.model = model
        self.X = X
        self.y = y
        self.dim = model.n_params
        hidden = "-".join(str(s) for s in model.sizes)
        self.name = name or (f"MLP {hidden} ({model.activation}, {model.loss_name}) "
                             f"on {X.shape[0]} points")
        self.window = ((-2.0, 2.0),) * self.dim
        self.latex = (r"L(\theta) = \frac{1}{N}\sum_{i=1}^{N} \ell\big(f_\theta(x_i), y_i\big)")
        self.description = (f"Training loss of a {hidden} network with {self.dim} "
                            f"parameters ({model.activation} units, {model.loss_name} loss).")

    def __repr__(self):
        return f"NetworkLandscape({self.name!r}, dim={self.dim})"

    def _theta(self, theta, name="theta"):
        return self.model._check_theta(theta, name=name, batch=True, finite=False)

    def f(self, theta):
        """Loss at ``theta`` (``(P,)`` -> float, ``(n, P)`` -> ``(n,)``)."""
        theta = self._theta(theta)
        if theta.ndim == 2:
            return np.array([self.f(t) for t in theta])
        if not np.all(np.isfinite(theta)):
            return float("nan")
        return self.model._value_and_grad(theta, self.X, self.y, need_grad=False)[0]

    def grad(self, theta):
        """Gradient at ``theta``, same shape as ``theta``."""
        theta = self._theta(theta)
        if theta.ndim == 2:
            return np.array([self.grad(t) for t in theta])
        if not np.all(np.isfinite(theta)):
            return np.full(self.dim, np.nan)
        return self.model._value_and_grad(theta, self.X, self.y)[1]

    def hvp(self, theta, v):
        """Exact Hessian-vector product; ``theta`` ``(P,)`` with ``v`` ``(P,)`` or ``(k, P)``,
        or matching batches ``(n, P)``."""
        theta = self._theta(theta)
        v = self._theta(v, name="v")
        if theta.ndim == 2:
            if v.shape != theta.shape:
                raise ValueError(
                    f"v must have the same shape as the batch theta {theta.shape}, "
                    f"got {v.shape}"
                )
            return np.array([self.hvp(t, w) for t, w in zip(theta, v, strict=True)])
        if not (np.all(np.isfinite(theta)) and np.all(np.isfinite(v))):
            return np.full(v.shape, np.nan)
        HV = self.model._hvp_kernel(theta, np.atleast_2d(v), self.X, self.y)
        return HV[0] if v.ndim == 1 else HV

    def hess(self, theta):
        """Dense Hessian ``(P, P)`` (or ``(n, P, P)`` for a batch): small networks only."""
        theta = self._theta(theta)
        if theta.ndim == 2:
            return np.array([self.hess(t) for t in theta])
        if not np.all(np.isfinite(theta)):
            return np.full((self.dim, self.dim), np.nan)
        return self.model.hessian(theta, self.X, self.y)

    def grid(self, n=200):
        """Not available: a network landscape has ``dim`` > 2 axes."""
        raise ValueError(
            f"grid() needs a 2-D landscape, but this network has {self.dim} parameters; "
            f"use loss_surface_2d(model, theta, d1, d2, X, y) for a 2-D slice"
        )


def course_network(hidden=(16, 16), n=200, noise=0.1, activation="tanh", loss="bce", seed=0):
    """The course's standard problem: an MLP on two moons. ``(model, X, y)``.

    Every chapter takes its network from here, so the numbers they quote agree.
    ``hidden=(16, 16)`` (337 parameters) is the course network; ``hidden=(64, 64)``
    (4417 parameters) is the size of the Lanczos benchmark.

    Parameters
    ----------
    hidden : sequence of int
        Hidden layer widths (may be empty: logistic regression).
    n : int
        Number of training points.
    noise : float
        Noise of :func:`two_moons`.
    activation, loss : str
        See :class:`MLP`.
    seed : int
        Seed of the data and the model's default initialisation.

    Returns
    -------
    model : MLP
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)

    Examples
    --------
    >>> model, X, y = course_network()
    >>> model.sizes, model.n_params, X.shape
    ((2, 16, 16, 1), 337, (200, 2))
    >>> course_network(hidden=(64, 64))[0].n_params
    4417
    """
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__len__"):
        raise TypeError(
            f"hidden must be a sequence of hidden-layer widths such as (16, 16), "
            f"got {show(hidden)}"
        )
    for h in hidden:
        if isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1:
            raise ValueError(
                f"hidden must contain positive whole numbers (layer widths), got {show(hidden)}"
            )
    X, y = two_moons(n=n, noise=noise, seed=seed)
    model = MLP((2, *hidden, 1), activation=activation, loss=loss, seed=seed)
    return model, X, y


# ---------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------


@dataclass
class TrainResult:
    """What :func:`train` recorded.

    Attributes
    ----------
    theta : ndarray (P,)
        Final parameters (the last finite ones if the run diverged).
    thetas : ndarray (steps_taken + 1, P) or None
        Parameters after every step (``None`` with ``keep_path=False``).
    losses : ndarray (steps_taken + 1,)
        Loss on the full training set at every recorded ``theta``.
    batch_losses : ndarray (steps_taken,)
        Loss on the mini-batch each step descended (equals ``losses[:-1]`` in
        full-batch mode).
    grad_norms : ndarray (steps_taken,)
        Norm of the (mini-batch) gradient each step used.
    lrs : ndarray (steps_taken,)
        Learning rate of each step (:func:`labtools.optim.current_lr`; NaN for
        optimizers without one).
    status : str
        ``"converged"`` (full-batch gradient norm below ``tol``), ``"diverged"``
        (the loss or the parameters became non-finite, or ``|theta|`` exceeded
        ``max_norm``) or ``"max_steps"``.
    diverged_at : int or None
        The step (1, 2, ...) that failed, as in :class:`labtools.run.Trace`; its
        point is not stored (0 if the loss at ``theta0`` is not finite).
    steps_taken : int
    reason : str
        Why the run was stopped as diverged, else ``""``.
    state : object
        The optimizer state after the last recorded step.

    Examples
    --------
    >>> import labtools as lt
    >>> model, X, y = course_network(hidden=(4,), n=40, loss="mse")
    >>> result = train(model, model.init(), X, y, lt.gd(lr=50.0), steps=100)
    >>> result.status, result.message.startswith(f"diverged at step {result.diverged_at}")
    ('diverged', True)
    """

    theta: np.ndarray
    thetas: np.ndarray | None
    losses: np.ndarray
    batch_losses: np.ndarray
    grad_norms: np.ndarray
    lrs: np.ndarray
    status: str
    diverged_at: int | None
    steps_taken: int
    reason: str = ""
    state: object = field(default=None, repr=False)

    @property
    def message(self):
        """Plain-English summary, e.g. ``"diverged at step 12 (loss is inf)"``."""
        if self.status == "diverged":
            return f"diverged at step {self.diverged_at} ({self.reason})"
        if self.status == "converged":
            return f"converged after {self.steps_taken} steps (loss {self.losses[-1]:.4g})"
        return f"ran {self.steps_taken} steps (loss {self.losses[-1]:.4g})"

    def __repr__(self):
        return f"TrainResult({self.message}, {len(self.losses)} points)"


def _check_optimizer(optimizer):
    if not (callable(getattr(optimizer, "init", None))
            and callable(getattr(optimizer, "update", None))):
        if callable(optimizer) and hasattr(optimizer, "__name__"):
            raise TypeError(
                f"optimizer must be an optimizer object, got the function "
                f"{optimizer.__name__}; call it with its hyperparameters, "
                f"e.g. {optimizer.__name__}(lr=0.1)"
            )
        raise TypeError(
            "optimizer must be an optimizer object with init and update, such as "
            f"lt.gd(lr=0.1) or lt.adam(lr=0.01), got {show(optimizer)}"
        )
    return optimizer


def train(model, theta0, X, y, optimizer, steps=500, batch_size=None, seed=0,
          tol=None, keep_path=True, max_norm=1e6):
    """Train ``model`` from ``theta0`` with any optimizer of :mod:`labtools.optim`.

    Each step takes a mini-batch (or the whole data when ``batch_size`` is
    None), computes the exact loss gradient on it, and applies
    ``step, state = optimizer.update(g, state, theta, oracle)`` where ``oracle``
    is the mini-batch loss as a :class:`NetworkLandscape` (so second-order
    optimizers see the same batch). Mini-batches run through a fresh random
    permutation of the data each epoch (incomplete last batches are dropped).
    A non-finite loss, gradient or parameter, or ``|theta| > max_norm``, stops
    the run with status ``"diverged"``; no floating-point warning is emitted.
    The optimizer's own randomness (e.g. ``noisy_gd``) comes from its own seed.

    Parameters
    ----------
    model : MLP
    theta0 : array_like, shape (P,)
    X, y : array_like
        Training data.
    optimizer : Optimizer
        Anything with ``init(x) -> state`` and ``update(g, state, x, oracle)``.
    steps : int
        Number of optimizer steps, >= 0.
    batch_size : int, optional
        Mini-batch size in ``[1, n]``; None for full batch.
    seed : int
        Seed of the mini-batch order.
    tol : float, optional
        Full-batch only: stop with status ``"converged"`` once the gradient norm
        is below ``tol``.
    keep_path : bool
        Record every ``theta`` (needed by :func:`pca_directions`).
    max_norm : float
        A step to ``|theta| > max_norm`` means ``"diverged"`` (as in
        :func:`labtools.run.run`).

    Returns
    -------
    TrainResult

    Examples
    --------
    >>> import labtools as lt
    >>> model, X, y = course_network(hidden=(8,), n=100)
    >>> result = train(model, model.init(), X, y, lt.momentum(lr=0.1), steps=300)
    >>> result.status, model.accuracy(result.theta, X, y) > 0.95
    ('max_steps', True)
    >>> train(model, model.init(), X, y, lt.adam(lr=0.01), steps=100, batch_size=20).message
    'ran 100 steps (loss 0.285)'
    """
    _check_model(model)
    theta = model._check_theta(theta0, name="theta0").copy()
    X, y = model._check_data(X, y)
    _check_optimizer(optimizer)
    steps = check_int("steps", steps, low=0)
    N = X.shape[0]
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, integer=True)
        if not 1 <= batch_size <= N:
            raise ValueError(
                f"batch_size must be a whole number from 1 to the number of points ({N}), "
                f"or None for full batch, got {batch_size}"
            )
    seed = _check_seed(seed)
    if tol is not None:
        tol = check_number("tol", tol, nonnegative=True)
        if batch_size is not None:
            raise ValueError(
                f"tol applies to full-batch training only (a mini-batch gradient is "
                f"never zero at the minimum); got tol={tol:g} with batch_size={batch_size}"
            )
    max_norm = check_number("max_norm", max_norm, positive=True)
    rng = np.random.default_rng(seed)
    full = NetworkLandscape(model, X, y)

    def value(t):
        return model._value_and_grad(t, X, y, need_grad=False)[0]

    thetas = [theta.copy()] if keep_path else None
    losses = [value(theta)]
    batch_losses, grad_norms, lrs = [], [], []
    status, diverged_at, reason = "max_steps", None, ""
    state = optimizer.init(theta)
    order, pos = None, N
    cached = None  # full batch: loss and gradient at the new point, reused next step
    if not np.isfinite(losses[0]):
        status, diverged_at, reason = "diverged", 0, f"the loss at theta0 is {losses[0]}"
        steps = 0
    for t in range(steps):
        if batch_size is None:
            Xb, yb, oracle = X, y, full
        else:
            if pos + batch_size > N:
                order, pos = rng.permutation(N), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
            Xb, yb = X[idx], y[idx]
            oracle = NetworkLandscape(model, Xb, yb)
        lb, g = cached if cached is not None else model._value_and_grad(theta, Xb, yb)
        gnorm = float(np.linalg.norm(g))
        if not (np.isfinite(lb) and np.isfinite(gnorm)):
            status, diverged_at = "diverged", t + 1
            reason = (f"the batch loss became {lb}" if not np.isfinite(lb)
                      else "the gradient is not finite") + "; try a smaller lr"
            break
        if tol is not None and batch_size is None and gnorm < tol:
            status = "converged"
            break
        with np.errstate(all="ignore"):
            step, new_state = optimizer.update(g, state, theta, oracle)
            new = theta + np.asarray(step, dtype=float)
            problem = _divergence(new, max_norm, name="theta")
        if not problem:
            if batch_size is None:
                cached = model._value_and_grad(new, X, y)
                new_loss = cached[0]
            else:
                new_loss = value(new)
            if not np.isfinite(new_loss):
                problem = f"the loss became {new_loss}"
        if problem:
            status, diverged_at, reason = "diverged", t + 1, problem + "; try a smaller lr"
            break
        theta, state = new, new_state
        losses.append(new_loss)
        batch_losses.append(lb)
        grad_norms.append(gnorm)
        lrs.append(current_lr(state))
        if keep_path:
            thetas.append(theta.copy())
    return TrainResult(
        theta=theta,
        thetas=np.array(thetas) if keep_path else None,
        losses=np.array(losses),
        batch_losses=np.array(batch_losses),
        grad_norms=np.array(grad_norms),
        lrs=np.array(lrs, dtype=float),
        status=status,
        diverged_at=diverged_at,
        steps_taken=len(losses) - 1,
        reason=reason,
        state=state,
    )


# ---------------------------------------------------------------------------
# landscape tools
# ---------------------------------------------------------------------------


def _check_model(model):
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {show(model)}")
    return model


def interpolate_loss(model, theta_a, theta_b, X, y, n=51, span=(0.0, 1.0)):
    """Loss along the straight line ``(1 - alpha) theta_a + alpha theta_b``.

    Goodfellow et al. (2015) found that, from initialisation to solution, this
    1-D slice is often smooth and monotone: the non-convexity is hard to see on
    that path. Between two *different* solutions the same slice shows a barrier.

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    X, y : array_like
    n : int
        Number of values of ``alpha``, >= 2.
    span : (float, float)
        Range of ``alpha``; ``(0, 1)`` is the segment, e.g. ``(-0.5, 1.5)``
        extends it beyond both ends.

    Returns
    -------
    alphas : ndarray (n,)
    losses : ndarray (n,)

    References
    ----------
    goodfellow2015qualitatively

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> alphas, losses = interpolate_loss(model, a, b, X, y, n=11)
    >>> bool(np.isclose(losses[0], model.loss(a, X, y)))
    True
    """
    _check_model(model)
    a = model._check_theta(theta_a, name="theta_a")
    b = model._check_theta(theta_b, name="theta_b")
    X, y = model._check_data(X, y)
    n = check_int("n", n, low=2)
    lo, hi = _check_pair("span", span)
    alphas = np.linspace(lo, hi, n)
    losses = np.array([model._value_and_grad((1 - t) * a + t * b, X, y, need_grad=False)[0]
                       for t in alphas])
    return alphas, losses


def _check_pair(name, value):
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high) of numbers, got {show(value)}") \
            from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a pair of finite numbers low < high, got {show(value)}")
    return lo, hi


def _normalize_direction(model, d, theta, normalize, include_bias):
    d = d.copy()
    if normalize == "none":
        return d
    for (w, b), ((n_in, n_out), _) in zip(model._slices, model.shapes, strict=True):
        dW = d[w].reshape(n_in, n_out)
        tW = theta[w].reshape(n_in, n_out)
        if normalize == "filter":
            # one filter = the incoming weights of one unit (a column of W)
            if include_bias:
                dn = np.sqrt((dW ** 2).sum(axis=0) + d[b] ** 2)
                tn = np.sqrt((tW ** 2).sum(axis=0) + theta[b] ** 2)
            else:
                dn = np.sqrt((dW ** 2).sum(axis=0))
                tn = np.sqrt((tW ** 2).sum(axis=0))
            factor = np.divide(tn, dn, out=np.zeros_like(tn), where=dn > 0)
            d[w] = (dW * factor).ravel()
            d[b] = d[b] * factor if include_bias else 0.0
        else:  # layer
            if include_bias:
                dn = np.sqrt(np.sum(dW ** 2) + np.sum(d[b] ** 2))
                tn = np.sqrt(np.sum(tW ** 2) + np.sum(theta[b] ** 2))
            else:
                dn, tn = np.linalg.norm(dW), np.linalg.norm(tW)
            factor = tn / dn if dn > 0 else 0.0
            d[w] = d[w] * factor
            d[b] = d[b] * factor if include_bias else 0.0
    return d


def random_direction(model, theta, seed=0, normalize="filter", include_bias=False):
    """A Gaussian random direction in parameter space, filter-normalized at ``theta``.

    A raw random direction is meaningless for comparing slices: rescaling the
    incoming weights of a ReLU unit leaves the function unchanged but shrinks or
    stretches the slice. Li et al. (2018) therefore rescale the direction
    *filter by filter*: in a convolutional net a filter is one output channel's
    kernel; in an MLP it is the **incoming weights of one unit**, i.e. one column
    of ``W_l``. With ``normalize="filter"`` each column of every ``W_l`` in the
    direction gets the norm of the same column of ``theta``.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
        The point the slice is centred on.
    seed : int
        Seed of the Gaussian draw.
    normalize : str
        ``"filter"`` (per unit, default), ``"layer"`` (per weight matrix) or
        ``"none"`` (raw Gaussian).
    include_bias : bool
        If False (the choice of Li et al.'s released code), bias entries of the
        direction are 0; if True, unit ``j``'s bias is part of its filter and is
        rescaled with it.

    Returns
    -------
    ndarray, shape (P,)

    Notes
    -----
    A unit whose incoming weights in ``theta`` are all zero gets a zero block in
    the direction (its norm is matched). The output unit counts as a filter
    too: the last layer's single column is rescaled like the others.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init(seed=0)
    >>> d = random_direction(model, theta, seed=1)
    >>> W_d, W_t = model.unflatten(d)[0][0], model.unflatten(theta)[0][0]
    >>> bool(np.allclose(np.linalg.norm(W_d, axis=0), np.linalg.norm(W_t, axis=0)))
    True
    """
    _check_model(model)
    theta = model._check_theta(theta)
    seed = _check_seed(seed)
    normalize = check_choice("normalize", normalize, ("filter", "layer", "none"))
    include_bias = _check_bool("include_bias", include_bias)
    d = np.random.default_rng(seed).standard_normal(model.n_params)
    return _normalize_direction(model, d, theta, normalize, include_bias)


def random_directions(model, theta, k=2, seed=0, normalize="filter", include_bias=False):
    """``k`` independent filter-normalized random directions, shape ``(k, P)``.

    See :func:`random_direction`; direction ``i`` uses seed ``(seed, i)``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> d1, d2 = random_directions(model, model.init(), seed=0)
    >>> d1.shape
    (17,)
    """
    _check_model(model)
    theta = model._check_theta(theta)
    k = check_int("k", k, low=1)
    seed = _check_seed(seed)
    normalize = check_choice("normalize", normalize, ("filter", "layer", "none"))
    include_bias = _check_bool("include_bias", include_bias)
    out = np.empty((k, model.n_params))
    for i in range(k):
        d = np.random.default_rng([seed, i]).standard_normal(model.n_params)
        out[i] = _normalize_direction(model, d, theta, normalize, include_bias)
    return out


def _check_span(span):
    if isinstance(span, numbers.Real) and not isinstance(span, bool):
        s = check_number("span", span, positive=True)
        return (-s, s), (-s, s)
    try:
        first, second = span
        return _check_pair("span[0]", first), _check_pair("span[1]", second)
    except (TypeError, ValueError):
        raise ValueError(
            f"span must be a positive number s (the square [-s, s]^2) or two pairs "
            f"((a_lo, a_hi), (b_lo, b_hi)), got {show(span)}"
        ) from None


def loss_surface_2d(model, theta, d1, d2, X, y, span=1.0, n=25):
    """Loss on the plane ``theta + a d1 + b d2``: a 2-D slice of the landscape.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
        Centre of the slice (``a = b = 0``).
    d1, d2 : array_like, shape (P,)
        Directions, e.g. from :func:`random_directions` or :func:`pca_directions`.
    X, y : array_like
    span : float or ((float, float), (float, float))
        ``s`` for the square ``[-s, s]^2``, or the ranges of ``a`` and ``b``.
    n : int
        Grid points per axis, >= 2.

    Returns
    -------
    A, B, Z : ndarray, shape (n, n)
        Meshgrid of the coefficients (``A`` varies along columns) and the loss,
        ready for ``plt.contour(A, B, Z)``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> d1, d2 = random_directions(model, theta)
    >>> A, B, Z = loss_surface_2d(model, theta, d1, d2, X, y, span=1.0, n=5)
    >>> bool(np.isclose(Z[2, 2], model.loss(theta, X, y)))
    True
    """
    _check_model(model)
    theta = model._check_theta(theta)
    d1 = model._check_theta(d1, name="d1")
    d2 = model._check_theta(d2, name="d2")
    X, y = model._check_data(X, y)
    (a0, a1), (b0, b1) = _check_span(span)
    n = check_int("n", n, low=2)
    A, B = np.meshgrid(np.linspace(a0, a1, n), np.linspace(b0, b1, n))
    Z = np.empty_like(A)
    for idx in np.ndindex(A.shape):
        t = theta + A[idx] * d1 + B[idx] * d2
        Z[idx] = model._value_and_grad(t, X, y, need_grad=False)[0]
    return A, B, Z


class PCADirections(NamedTuple):
    """Principal directions of a training trajectory (see :func:`pca_directions`)."""

    directions: np.ndarray
    """``(2, P)`` orthonormal directions."""
    explained_variance_ratio: np.ndarray
    """``(2,)`` share of the trajectory's spread along each direction."""
    coords: np.ndarray
    """``(T, 2)`` the trajectory projected: ``(thetas - origin) @ directions.T``."""
    origin: np.ndarray
    """``(P,)`` the point the directions are centred on."""


def pca_directions(thetas, center="final"):
    """Top-2 principal directions of a training trajectory, and its projection.

    Random directions in thousands of dimensions are nearly orthogonal to the
    path an optimizer takes, so a trajectory drawn on a random slice looks like
    noise. Li et al. (2018) instead take the principal directions of the
    matrix whose rows are ``theta_i - theta_final``: they capture most of the
    path (often > 90 % of its spread in the first two).

    Parameters
    ----------
    thetas : array_like, shape (T, P)
        The trajectory, e.g. ``train(...).thetas``; ``T >= 2``.
    center : str
        ``"final"`` (default, as Li et al.: the last point is the origin) or
        ``"mean"`` (ordinary PCA).

    Returns
    -------
    PCADirections
        ``directions`` (2, P), ``explained_variance_ratio`` (2,), ``coords``
        (T, 2), ``origin`` (P,). Plot the slice with
        ``loss_surface_2d(model, origin, *directions, X, y, span=...)`` and the
        path with ``coords``.

    References
    ----------
    li2018visualizing

    Examples
    --------
    >>> path = np.outer(np.linspace(0, 1, 5), [3.0, 4.0, 0.0])   # a straight path
    >>> pca = pca_directions(path)
    >>> np.round(np.abs(pca.directions[0]), 6), round(float(pca.explained_variance_ratio[0]), 6)
    (array([0.6, 0.8, 0. ]), 1.0)
    """
    T = _as_float_array("thetas", thetas)
    if T.ndim != 2 or T.shape[0] < 2 or T.shape[1] < 2:
        raise ValueError(
            f"thetas must have shape (T, P) with at least 2 points of at least 2 "
            f"parameters (a training trajectory), got shape {T.shape}"
        )
    if not np.all(np.isfinite(T)):
        raise ValueError(f"thetas must contain only finite numbers, got {show(thetas)}")
    center = check_choice("center", center, ("final", "mean"))
    origin = T[-1].copy() if center == "final" else T.mean(axis=0)
    M = T - origin
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    total = float(np.sum(s ** 2))
    if total == 0.0:
        raise ValueError("thetas must not all be equal: the trajectory has no spread")
    dirs = np.zeros((2, T.shape[1]))
    k = min(2, Vt.shape[0])
    dirs[:k] = Vt[:k]
    ratio = np.zeros(2)
    ratio[:k] = s[:k] ** 2 / total
    # orient each direction so that the path starts at negative coordinates
    coords = M @ dirs.T
    for j in range(2):
        if coords[0, j] > 0:
            dirs[j] *= -1
            coords[:, j] *= -1
    return PCADirections(dirs, ratio, coords, origin)


def sharpness(model, theta, X, y, method="lanczos", iters=200, tol=1e-10, seed=0,
              return_vector=False):
    """Sharpness: the largest eigenvalue of the loss Hessian at ``theta``.

    Computed matrix-free from exact Hessian-vector products (:meth:`MLP.hvp`).
    ``method="lanczos"`` (default) runs :func:`labtools.curvature.lanczos` (full
    reorthogonalization) until the Ritz residual ``|H u - lambda u|`` falls below
    ``tol * max(1, |lambda|)``: it returns the largest *algebraic* eigenvalue.
    ``method="power"`` is plain power iteration: it converges to the eigenvalue
    of largest *magnitude*, which is the top one whenever
    ``lambda_max >= |lambda_min|`` (true near a minimum), and more slowly.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    method : str
        ``"lanczos"`` or ``"power"``.
    iters : int
        Maximum Hessian-vector products, >= 1; a warning says so if the
        tolerance was not reached.
    tol : float
        Relative tolerance, > 0.
    seed : int
        Seed of the start vector.
    return_vector : bool
        Also return the unit eigenvector.

    Returns
    -------
    float, or (float, ndarray (P,)) with ``return_vector=True``.

    References
    ----------
    lanczos1950iteration, pearlmutter1994fast

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> lam = sharpness(model, theta, X, y)
    >>> bool(np.isclose(lam, np.linalg.eigvalsh(model.hessian(theta, X, y))[-1]))
    True
    """
    _check_model(model)
    theta = model._check_theta(theta)
    X, y = model._check_data(X, y)
    method = check_choice("method", method, ("lanczos", "power"))
    iters = check_int("iters", iters, low=1)
    tol = check_number("tol", tol, positive=True)
    seed = _check_seed(seed)

    def matvec(v):
        return model._hvp_kernel(theta, v[None], X, y)[0]

    if method == "lanczos":
        if seed is None:  # lanczos wants a whole number: draw one from fresh entropy
            seed = int(np.random.default_rng().integers(2**63))
        values, vectors, converged = lanczos(
            matvec, model.n_params, k=min(iters, model.n_params), seed=seed, tol=tol,
            return_converged=True)
        lam, vec = float(values[-1]), vectors[:, -1]
    else:
        v = np.random.default_rng(seed).standard_normal(model.n_params)
        v /= np.linalg.norm(v)
        lam, converged = 0.0, False
        for _ in range(iters):
            w = matvec(v)
            lam = float(v @ w)
            nw = np.linalg.norm(w)
            if nw == 0.0 or np.linalg.norm(w - lam * v) <= tol * max(1.0, abs(lam)):
                converged = True
                break
            v = w / nw
        vec = v
    if not converged:
        warnings.warn(
            f"sharpness: {method} did not reach tol={tol:g} in iters={iters} "
            f"Hessian-vector products; the value {lam:.6g} may be inaccurate "
            f"(raise iters{' or use method=' + repr('lanczos') if method == 'power' else ''})",
            stacklevel=2,
        )
    vec = vec / np.linalg.norm(vec)
    return (lam, vec) if return_vector else lam


def hessian_trace(model, theta, X, y, n_samples=100, seed=0, return_std=False):
    """Hutchinson's estimate of the Hessian trace, ``mean(z^T H z)`` over random signs ``z``.

    With Rademacher ``z`` (entries +-1) the estimate is unbiased; its variance
    comes only from the off-diagonal of ``H``. All ``n_samples`` products run in
    one vectorized Hessian-vector pass.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    n_samples : int
        Number of random probe vectors, >= 1.
    seed : int
    return_std : bool
        Also return the standard error of the estimate.

    Returns
    -------
    float, or (float, float).

    References
    ----------
    hutchinson1989stochastic

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> est, se = hessian_trace(model, theta, X, y, n_samples=2000, return_std=True)
    >>> bool(abs(est - np.trace(model.hessian(theta, X, y))) < 5 * se)
    True
    """
    _check_model(model)
    theta = model._check_theta(theta)
    X, y = model._check_data(X, y)
    n_samples = check_int("n_samples", n_samples, low=1)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    Z = rng.choice([-1.0, 1.0], size=(n_samples, model.n_params))
    vals = []
    chunk = max(1, int(2e6 // (X.shape[0] * max(model.sizes))))
    for start in range(0, n_samples, chunk):
        Zc = Z[start:start + chunk]
        vals.append(np.einsum("kp,kp->k", Zc, model._hvp_kernel(theta, Zc, X, y)))
    vals = np.concatenate(vals)
    est = float(vals.mean())
    if return_std:
        se = float(vals.std(ddof=1) / np.sqrt(n_samples)) if n_samples > 1 else float("nan")
        return est, se
    return est


def _sam_perturbation(g, rho):
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    safe = np.where(norm > 0, norm, 1.0)
    return np.where(norm > 0, rho * g / safe, 0.0)


def sam_step(model, theta, X, y, lr, rho):
    """One step of sharpness-aware minimization (SAM).

    ``e = rho g / |g|`` with ``g = grad L(theta)`` is the steepest ascent step of
    length ``rho``; SAM descends with the gradient found there:
    ``theta_new = theta - lr * grad L(theta + e)``. At a sharp minimum the
    gradient at ``theta + e`` is large, so SAM is pushed towards flatter regions.
    When ``g = 0`` exactly, ``e = 0``.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    X, y : array_like
    lr : float
        Learning rate, > 0.
    rho : float
        Radius of the ascent step, >= 0 (0 gives plain gradient descent).

    Returns
    -------
    ndarray, shape (P,)

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init()
    >>> g = model.grad(theta, X, y)
    >>> manual = theta - 0.1 * model.grad(theta + 0.05 * g / np.linalg.norm(g), X, y)
    >>> bool(np.allclose(sam_step(model, theta, X, y, lr=0.1, rho=0.05), manual))
    True
    """
    _check_model(model)
    theta = model._check_theta(theta)
    X, y = model._check_data(X, y)
    lr = check_number("lr", lr, positive=True)
    rho = check_number("rho", rho, nonnegative=True)
    g = model._value_and_grad(theta, X, y)[1]
    g_sam = model._value_and_grad(theta + _sam_perturbation(g, rho), X, y)[1]
    return theta - lr * g_sam


def scale_by_sam(rho=0.05):
    """Optimizer piece: replace the gradient by the gradient at the SAM point.

    ``u -> oracle.grad(x + rho u / |u|)``: placed first in a :func:`labtools.optim.chain`,
    where ``u`` is the gradient, it turns any optimizer into its
    sharpness-aware version, e.g. SAM with momentum
    ``chain(scale_by_sam(0.05), trace(0.9), scale_by_lr(0.1))``. ``oracle`` must be
    the loss being minimized (``run`` and :func:`train` pass it).

    Parameters
    ----------
    rho : float
        Radius of the ascent step, >= 0.

    Returns
    -------
    Optimizer

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("quadratic", kappa=4.0)
    >>> x = np.array([1.0, 1.0]); g = f.grad(x)
    >>> u, _ = scale_by_sam(0.1).update(g, (), x, f)
    >>> bool(np.allclose(u, f.grad(x + 0.1 * g / np.linalg.norm(g))))
    True
    """
    rho = check_number("rho", rho, nonnegative=True)

    def init(x, seed=None):
        return EmptyState()

    def update(u, state, x, oracle=None):
        if oracle is None or not hasattr(oracle, "grad"):
            raise TypeError(
                "scale_by_sam needs the landscape as oracle (it takes a gradient at the "
                f"perturbed point), got oracle={show(oracle)}"
            )
        u = np.asarray(u, dtype=float)
        x = np.asarray(x, dtype=float)
        return np.asarray(oracle.grad(x + _sam_perturbation(u, rho)), dtype=float), state

    return Optimizer(init, update)


def sam(lr, rho=0.05, beta=0.0):
    """Sharpness-aware minimization as an optimizer, for :func:`train` and :func:`labtools.run.run`.

    Each step evaluates the gradient at ``x + rho g / |g|`` (``g`` the gradient
    at ``x``) and descends with it: ``x_new = x - lr * grad L(x + rho g / |g|)``,
    exactly :func:`sam_step`. With ``beta > 0`` the SAM gradient drives heavy-ball
    momentum instead, as in Foret et al.'s experiments. With :func:`train` the
    oracle is the current mini-batch's loss, so both gradients of a step use
    the same batch. Built as ``chain(scale_by_sam(rho), [trace(beta),]
    scale_by_lr(lr))``, so :func:`labtools.optim.current_lr` reads its learning rate.

    Parameters
    ----------
    lr : float or callable
        Learning rate > 0, or a schedule ``step -> lr``.
    rho : float
        Radius of the ascent step, >= 0 (0 is plain gradient descent).
    beta : float
        Momentum in ``[0, 1)``; 0 for none.

    Returns
    -------
    Optimizer

    References
    ----------
    foret2021sharpness

    Examples
    --------
    >>> model, X, y = course_network(hidden=(8,), n=100)
    >>> result = train(model, model.init(), X, y, sam(lr=1.0, rho=0.05), steps=200)
    >>> bool(result.losses[-1] < result.losses[0])
    True
    """
    beta = check_number("beta", beta, low=0.0)
    if beta >= 1.0:
        raise ValueError(f"beta must be in [0, 1), got {show(beta)}")
    pieces = [scale_by_sam(rho)]
    if beta > 0:
        pieces.append(trace(beta))
    pieces.append(scale_by_lr(lr))
    return chain(*pieces)


@dataclass
class BezierCurve:
    """A quadratic Bezier curve between two parameter vectors (see :func:`bezier_curve_fit`).

    ``phi(t) = (1 - t)^2 theta_a + 2 t (1 - t) middle + t^2 theta_b``.

    Attributes
    ----------
    model : MLP
    theta_a, theta_b, middle : ndarray (P,)
    X, y : ndarray
        Data the curve was fitted on.
    history : ndarray (steps,)
        Loss at the sampled curve point at each training step.

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=40)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> curve = BezierCurve(model, a, b, 0.5 * (a + b), X, y, np.zeros(0))
    >>> bool(np.allclose(curve.point(0.5), 0.5 * (a + b)))   # untrained: the straight line
    True
    >>> ts, losses = curve.loss_along_curve(n=5)
    >>> bool(np.allclose(losses, curve.loss_along_line(n=5)[1]))
    True
    """

    model: MLP
    theta_a: np.ndarray
    theta_b: np.ndarray
    middle: np.ndarray
    X: np.ndarray
    y: np.ndarray
    history: np.ndarray

    def point(self, t):
        """The curve point(s) ``phi(t)``: ``(P,)`` for a number, ``(k, P)`` for an array."""
        t_arr = _as_float_array("t", t)
        if not np.all(np.isfinite(t_arr)):
            raise ValueError(f"t must contain only finite numbers, got {show(t)}")
        tt = np.atleast_1d(t_arr)[:, None]
        pts = ((1 - tt) ** 2 * self.theta_a + 2 * tt * (1 - tt) * self.middle
               + tt ** 2 * self.theta_b)
        return pts[0] if t_arr.ndim == 0 else pts

    def loss_along_curve(self, n=51):
        """``(ts, losses)`` at ``n`` evenly spaced ``t`` in [0, 1] along the curve."""
        n = check_int("n", n, low=2)
        ts = np.linspace(0.0, 1.0, n)
        losses = np.array([self.model._value_and_grad(p, self.X, self.y, need_grad=False)[0]
                           for p in self.point(ts)])
        return ts, losses

    def loss_along_line(self, n=51):
        """``(ts, losses)`` along the straight segment, for comparison."""
        return interpolate_loss(self.model, self.theta_a, self.theta_b, self.X, self.y, n=n)

    def barrier(self, n=51):
        """Loss barrier ``(curve, line)``: max loss on the path minus the larger endpoint loss."""
        _, lc = self.loss_along_curve(n)
        _, ll = self.loss_along_line(n)
        ends = max(lc[0], lc[-1])
        return float(lc.max() - ends), float(ll.max() - ends)


def bezier_curve_fit(model, theta_a, theta_b, X, y, steps=300, lr=0.5, seed=0,
                     n_t=4, optimizer=None):
    """Train a low-loss quadratic Bezier path between two solutions (mode connectivity).

    The ends ``theta_a``, ``theta_b`` stay fixed; the middle control point
    starts at their average and descends the expected loss over the curve,
    ``E_{t ~ U[0, 1]} L(phi(t))``: each step samples ``n_t`` values of ``t`` and
    takes a stochastic gradient step with
    ``d L(phi(t)) / d middle = 2 t (1 - t) grad L(phi(t))``. Garipov et al. (2018)
    found that independently trained networks are joined by such simple curves
    of nearly constant low loss, although the straight segment between them
    crosses a barrier.

    Parameters
    ----------
    model : MLP
    theta_a, theta_b : array_like, shape (P,)
    X, y : array_like
    steps : int
        Training steps, >= 0.
    lr : float
        Learning rate of plain SGD on the middle point, > 0 (ignored when
        ``optimizer`` is given).
    seed : int
        Seed of the sampled ``t``.
    n_t : int
        Values of ``t`` per step, >= 1.
    optimizer : Optimizer, optional
        A first-order :mod:`labtools.optim` optimizer (e.g. ``adam``) to use
        instead of plain SGD; it gets no oracle, so second-order methods and
        :func:`sam` do not apply.

    Returns
    -------
    BezierCurve
        With ``middle``, ``point(t)``, ``loss_along_curve(n)``,
        ``loss_along_line(n)`` and ``barrier(n)``.

    References
    ----------
    garipov2018loss

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=40)
    >>> a, b = model.init(seed=0), model.init(seed=1)
    >>> curve = bezier_curve_fit(model, a, b, X, y, steps=20, lr=0.1)
    >>> bool(np.allclose(curve.point(0.0), a)), bool(np.allclose(curve.point(1.0), b))
    (True, True)
    """
    _check_model(model)
    a = model._check_theta(theta_a, name="theta_a")
    b = model._check_theta(theta_b, name="theta_b")
    X, y = model._check_data(X, y)
    steps = check_int("steps", steps, low=0)
    lr = check_number("lr", lr, positive=True)
    seed = _check_seed(seed)
    n_t = check_int("n_t", n_t, low=1)
    if optimizer is not None:
        _check_optimizer(optimizer)
    rng = np.random.default_rng(seed)
    middle = 0.5 * (a + b)
    state = optimizer.init(middle) if optimizer is not None else None
    history = []
    for step_i in range(steps):
        ts = rng.uniform(0.0, 1.0, size=n_t)
        g = np.zeros(model.n_params)
        total = 0.0
        for t in ts:
            point = (1 - t) ** 2 * a + 2 * t * (1 - t) * middle + t ** 2 * b
            value, gp = model._value_and_grad(point, X, y)
            g += 2.0 * t * (1.0 - t) * gp / n_t
            total += value / n_t
        if not (np.isfinite(total) and np.all(np.isfinite(g))):
            raise FloatingPointError(
                f"bezier_curve_fit diverged at step {step_i} (loss {total}); "
                f"lower lr (got {lr})"
            )
        history.append(total)
        if optimizer is None:
            middle = middle - lr * g
        else:
            with np.errstate(all="ignore"):
                step, state = optimizer.update(g, state, middle, None)
            middle = middle + np.asarray(step, dtype=float)
    return BezierCurve(model, a, b, middle, X, y, np.array(history))


def permute_hidden_units(model, theta, layer, perm):
    """Reorder the units of one hidden layer: same function, different ``theta``.

    Permuting the columns of ``W_l`` and the entries of ``b_l`` by ``perm``, and
    the rows of ``W_{l+1}`` the same way, relabels hidden units without changing
    what the network computes, so the loss is identical. A network with hidden
    widths ``h_1, ..., h_k`` therefore has ``h_1! ... h_k!`` copies of every
    minimum, and the average of two copies is generally *not* a minimum: the
    loss is not convex.

    Parameters
    ----------
    model : MLP
    theta : array_like, shape (P,)
    layer : int
        Hidden layer index, 0 for the first hidden layer, up to
        ``len(model.sizes) - 3``.
    perm : array_like of int
        A permutation of ``0, ..., width - 1`` where width is the layer's size:
        new unit ``i`` is old unit ``perm[i]``.

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    >>> model, X, y = course_network(hidden=(4,), n=20)
    >>> theta = model.init(seed=0)
    >>> swapped = permute_hidden_units(model, theta, layer=0, perm=[1, 0, 2, 3])
    >>> bool(np.array_equal(swapped, theta)), bool(np.isclose(
    ...     model.loss(swapped, X, y), model.loss(theta, X, y), rtol=1e-14))
    (False, True)
    """
    _check_model(model)
    theta = model._check_theta(theta)
    n_hidden = model.n_layers - 1
    if n_hidden == 0:
        raise ValueError("model has no hidden layer to permute (sizes="
                         f"{model.sizes}); permutation symmetry needs one")
    layer = check_number("layer", layer, integer=True)
    if not 0 <= layer < n_hidden:
        raise ValueError(
            f"layer must be a hidden layer index from 0 to {n_hidden - 1} "
            f"(this network has {n_hidden} hidden layer{'s' if n_hidden > 1 else ''}), "
            f"got {layer}"
        )
    width = model.sizes[layer + 1]
    p = np.asarray(perm)
    if (p.ndim != 1 or p.shape[0] != width or not np.issubdtype(p.dtype, np.integer)
            or not np.array_equal(np.sort(p), np.arange(width))):
        raise ValueError(
            f"perm must be a permutation of 0..{width - 1} (hidden layer {layer} has "
            f"{width} units), got {show(perm)}"
        )
    out = theta.copy()
    (w, b), ((n_in, n_out), _) = model._slices[layer], model.shapes[layer]
    out[w] = theta[w].reshape(n_in, n_out)[:, p].ravel()
    out[b] = theta[b][p]
    (w2, _), ((m_in, m_out), _) = model._slices[layer + 1], model.shapes[layer + 1]
    out[w2] = theta[w2].reshape(m_in, m_out)[p, :].ravel()
    return out
