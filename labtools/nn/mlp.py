"""The course network: a multilayer perceptron whose parameters are one flat vector.

:class:`MLP` computes the loss, its exact gradient (backpropagation), exact
Hessian-vector products (Pearlmutter's R-operator) and, for small networks,
the dense Hessian. :meth:`MLP.as_landscape` wraps the loss on fixed data as a
:class:`NetworkLandscape`, which :func:`labtools.run.run` and every optimizer
of :mod:`labtools.optim` descend like the 2-D test functions.
:func:`course_network` is the model and data every chapter uses.

References: pearlmutter1994fast, glorot2010understanding.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_choice, check_finite, check_int, check_number, check_seed, show
from .activations import ACTIVATIONS, activation_functions, sigmoid
from .checks import MAX_PARAMS, as_float_array
from .data import two_moons

__all__ = ["MLP", "NetworkLandscape", "course_network", "LOSSES"]

#: Losses: binary cross-entropy on the logit (``"bce"``) or mean squared error.
LOSSES = ("bce", "mse")

# largest network MLP.hessian forms densely (20000^2 doubles = 3.2 GB)
_MAX_DENSE = 20000


def check_model(model):
    """``model`` if it is an :class:`MLP`, else a ``TypeError`` naming ``model``."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP, got {show(model)}")
    return model


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
        self.seed = check_seed(seed) if seed is not None else 0
        self._sigma, self._dsigma, self._d2sigma = activation_functions(self.activation)
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
        # (W slice, b slice, W shape) per layer: what every pass reads, in one list
        self._layout = [(w, b, ws) for (w, b), (ws, _) in zip(self._slices, self.shapes,
                                                               strict=True)]
        if offset > MAX_PARAMS:
            raise ValueError(
                f"sizes must give a network of at most {MAX_PARAMS} parameters, got "
                f"{show(self.sizes)} with {offset} parameters"
            )
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
        arr = as_float_array(name, theta)
        ok_ndim = (1, 2) if batch else (1,)
        if arr.ndim not in ok_ndim or arr.shape[-1] != self.n_params:
            allowed = f"({self.n_params},)" + (
                f" or ({batch_letter}, {self.n_params})" if batch else "")
            raise ValueError(
                f"{name} must have shape {allowed} for this network "
                f"({self.n_params} parameters, sizes={self.sizes}), got shape {arr.shape}"
            )
        return check_finite(name, arr, theta) if finite else arr

    def check_theta(self, theta, name="theta"):
        """``theta`` as a float vector of shape ``(n_params,)`` with finite entries.

        Examples
        --------
        >>> MLP((2, 1)).check_theta([1, 0, 0])
        array([1., 0., 0.])
        """
        return self._check_theta(theta, name=name)

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
        >>> model.flatten([1, 2])
        Traceback (most recent call last):
        ...
        TypeError: params[0] must be a pair (W, b) of arrays with shapes (2, 3) and (3,), got 1
        """
        if not isinstance(params, (list, tuple)) or len(params) != self.n_layers:
            raise ValueError(
                f"params must be a list of {self.n_layers} (W, b) pairs, got {show(params)}"
            )
        parts = []
        for i, (pair, (ws, bs)) in enumerate(zip(params, self.shapes, strict=True)):
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise TypeError(
                    f"params[{i}] must be a pair (W, b) of arrays with shapes {ws} and "
                    f"{bs}, got {show(pair)}"
                )
            W, b = (as_float_array(f"params[{i}]", p) for p in pair)
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
            Multiplier of the Glorot bound, in [0, 1e6].

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
        seed = self.seed if seed is None else check_seed(seed)
        scale = check_number("scale", scale, nonnegative=True, high=1e6)
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.n_params)
        for (w, _), ((n_in, n_out), _) in zip(self._slices, self.shapes, strict=True):
            bound = scale * np.sqrt(6.0 / (n_in + n_out))
            theta[w] = rng.uniform(-bound, bound, size=n_in * n_out)
        return theta

    # -- data ------------------------------------------------------------

    def _check_X(self, X, name="X"):
        arr = as_float_array(name, X)
        d = self.sizes[0]
        if arr.ndim == 1 and d == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != d or arr.shape[0] < 1:
            raise ValueError(
                f"{name} must have shape (n, {d}): n >= 1 points with {d} features each "
                f"(the network's input width), got shape {arr.shape}"
            )
        return check_finite(name, arr, X)

    def check_data(self, X, y):
        """``(X, y)`` as float arrays after checking them against this network.

        ``X`` must have shape ``(n, d)`` with ``d`` the input width (a 1-D ``X``
        is one feature per point when ``d = 1``) and ``y`` one finite label per
        row, in ``[0, 1]`` for ``loss="bce"``; the error names what is wrong.

        Examples
        --------
        >>> X, y = MLP((2, 1)).check_data([[0, 1], [2, 3]], [[1], [0]])
        >>> X.shape, y.tolist()
        ((2, 2), [1.0, 0.0])
        """
        X = self._check_X(X)
        yy = as_float_array("y", y)
        if yy.ndim == 2 and yy.shape[1] == 1:
            yy = yy[:, 0]
        if yy.ndim != 1 or yy.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must have shape ({X.shape[0]},), one label per row of X, "
                f"got shape {yy.shape}"
            )
        check_finite("y", yy, y)
        if self.loss_name == "bce" and (np.any(yy < 0) or np.any(yy > 1)):
            raise ValueError(
                f"y must hold labels in [0, 1] (0 or 1, or a probability) for "
                f"loss='bce', got values from {yy.min():g} to {yy.max():g}"
            )
        return X, yy

    # -- kernels (no checks; callers have checked) -------------------------

    def _params(self, theta):
        """``(W, b)`` views of ``theta``, one pair per layer."""
        return [(theta[w].reshape(ws), theta[b]) for w, b, ws in self._layout]

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

    def _loss_value(self, out, y):
        """Per-sample loss."""
        if self.loss_name == "bce":
            return np.logaddexp(0.0, out) - y * out
        r = out - y
        return r * r

    def _loss_slopes(self, out, y, second=True):
        """The per-sample loss's first derivative w.r.t. the output, and its second
        (None when ``second`` is False: the gradient needs only the first)."""
        if self.loss_name == "bce":
            s = sigmoid(out)
            return s - y, (s * (1.0 - s) if second else None)
        r = out - y
        return 2.0 * r, (np.full_like(r, 2.0) if second else None)

    def _value_and_grad(self, theta, X, y, need_grad=True):
        # The loss is computed first and its derivative only when needed;
        # np.add.reduce(ell) / N is np.mean(ell) without its Python overhead.
        with np.errstate(all="ignore"):
            params, zs, acts = self._forward(theta, X)
            out = zs[-1][:, 0]
            ell = self._loss_value(out, y)
            N = X.shape[0]
            value = float(np.add.reduce(ell) / N)
            if not need_grad:
                return value, None
            d1, _ = self._loss_slopes(out, y, second=False)
            g = np.empty(self.n_params)
            delta = (d1 / N)[:, None]
            for i in range(self.n_layers - 1, -1, -1):
                w, b = self._slices[i]
                g[w] = (acts[i].T @ delta).ravel()
                g[b] = np.add.reduce(delta, axis=0)    # delta.sum(axis=0), without its wrapper
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
            d1, d2 = self._loss_slopes(out, y)
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
            return sigmoid(out)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        X, y = self.check_data(X, y)
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
        if not np.isfinite(theta).all():
            return float("nan")
        return self.model._value_and_grad(theta, self.X, self.y, need_grad=False)[0]

    def grad(self, theta):
        """Gradient at ``theta``, same shape as ``theta``."""
        theta = self._theta(theta)
        if theta.ndim == 2:
            return np.array([self.grad(t) for t in theta])
        if not np.isfinite(theta).all():
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
        if not np.isfinite(theta).all():
            return np.full((self.dim, self.dim), np.nan)
        return self.model.hessian(theta, self.X, self.y)

    def value_and_grad(self, theta):
        """``(f(theta), grad(theta))`` from one forward and one backward pass.

        ``theta`` has shape ``(P,)``; a non-finite ``theta`` gives
        ``(nan, nan-vector)``, as :meth:`f` and :meth:`grad` do.

        Examples
        --------
        >>> model, X, y = course_network(hidden=(4,), n=20)
        >>> land = model.as_landscape(X, y)
        >>> value, g = land.value_and_grad(model.init())
        >>> bool(value == land.f(model.init())), g.shape
        (True, (17,))
        """
        theta = self.model._check_theta(theta, finite=False)
        if not np.isfinite(theta).all():
            return float("nan"), np.full(self.dim, np.nan)
        return self.model._value_and_grad(theta, self.X, self.y)

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
