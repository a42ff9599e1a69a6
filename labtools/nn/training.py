"""Training the course network with any optimizer, full batch or mini-batch.

:func:`train` is the run loop of :mod:`labtools.run` (``labtools.run.descend``,
the loop :func:`labtools.run.run` uses) with the network's loss as the
landscape, so a :class:`TrainResult` follows the rules of every
:class:`~labtools.run.Trace`: one loss and one gradient norm per recorded
point, a status in ``{"converged", "diverged", "max_steps"}``, and the same
divergence test and message. Mini-batches only change which gradient each
step descends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .._checks import check_int, check_number, check_seed
from ..run import MAX_PATH_VALUES, MAX_STEPS, Trace, descend
from .checks import check_bool, check_optimizer
from .mlp import NetworkLandscape, check_model

__all__ = ["TrainResult", "train"]


@dataclass(eq=False, repr=False)
class TrainResult(Trace):
    """What :func:`train` recorded: a :class:`labtools.run.Trace` of the full
    training loss, with the network's names for its fields.

    Every field of the trace is there (``xs``, ``values``, ``grad_norms``,
    ``lrs``, ``status``, ``diverged_at``, ``steps_taken``, ``reason``,
    ``state``, with the trace's rules), under the network's names too:
    :attr:`theta` is ``x_final``, :attr:`thetas` is ``xs`` and :attr:`losses`
    is ``values``; and:

    Attributes
    ----------
    batch_losses : ndarray (steps_taken,)
        Loss on the mini-batch each step descended (equals ``losses[:-1]`` in
        full-batch mode).
    keep_path : bool
        Whether every ``theta`` was kept.

    ``grad_norms`` is the norm of the full training-set gradient (in
    mini-batch mode not the gradient a step used); ``status`` is
    ``"converged"`` once it falls below ``tol``, ``"diverged"`` when a step
    produced NaN/inf, left ``|theta| <= max_norm`` or made the loss or its
    gradient non-finite (0 if the loss at ``theta0`` is not finite), else
    ``"max_steps"``; ``reason`` ends with ``"try a smaller lr"`` when the
    optimizer has a learning rate. The message quotes the loss.

    Examples
    --------
    >>> from labtools.nn import course_network
    >>> import labtools as lt
    >>> model, X, y = course_network(hidden=(4,), n=40, loss="mse")
    >>> result = train(model, model.init(), X, y, lt.gd(lr=50.0), steps=100)
    >>> result.status, result.message.startswith(f"diverged at step {result.diverged_at}")
    ('diverged', True)
    >>> result.losses.shape == result.grad_norms.shape == (result.steps_taken + 1,)
    True
    """

    batch_losses: np.ndarray = field(default_factory=lambda: np.empty(0))
    keep_path: bool = True

    MESSAGES: ClassVar[dict[str, str]] = {
        "converged": "converged after {k} steps (loss {value:.4g})",
        "max_steps": "ran {k} steps (loss {value:.4g})",
    }

    @property
    def theta(self) -> np.ndarray:
        """Final parameters (the last finite ones if the run diverged): ``x_final``."""
        return self.x_final

    @property
    def thetas(self) -> np.ndarray | None:
        """``theta0`` and the parameters after every step, shape (steps_taken + 1, P):
        ``xs`` (None with ``keep_path=False``, when ``xs`` holds only the last point)."""
        return self.xs if self.keep_path else None

    @property
    def losses(self) -> np.ndarray:
        """Loss on the full training set at every recorded ``theta``: ``values``."""
        return self.values

    def __repr__(self):
        return f"TrainResult({self.message}, {len(self.losses)} points)"


def train(model, theta0, X, y, optimizer, steps=500, batch_size=None, seed=0,
          tol=None, keep_path=True, max_norm=1e6):
    """Train ``model`` from ``theta0`` with any optimizer of :mod:`labtools.optim`.

    Each step takes a mini-batch (or the whole data when ``batch_size`` is
    None), computes the exact loss gradient on it, and applies
    ``step, state = optimizer.update(g, state, theta, oracle)`` where ``oracle``
    is the mini-batch loss as a :class:`NetworkLandscape` (so second-order
    optimizers see the same batch). Mini-batches run through a fresh random
    permutation of the data each epoch (incomplete last batches are dropped).
    The optimizer's own randomness (e.g. ``noisy_gd``) comes from its own seed.

    The loop is the one :func:`labtools.run.run` uses, on the full training
    loss: the result records the full loss and gradient norm at every
    recorded ``theta``, stops as ``"converged"`` once that gradient norm is
    below ``tol``, and stops as ``"diverged"`` (never with an exception or a
    floating-point warning) when a step produces NaN/inf, leaves
    ``|theta| <= max_norm``, or makes the loss or its gradient non-finite.
    Full batch, ``train`` and ``lt.run(model.as_landscape(X, y), ...)`` give
    the same points. In mini-batch mode the full gradient costs one extra
    pass over the data per step.

    Parameters
    ----------
    model : MLP
    theta0 : array_like, shape (P,)
    X, y : array_like
        Training data.
    optimizer : Optimizer
        Anything with ``init(x) -> state`` and ``update(g, state, x, oracle)``.
    steps : int
        Number of optimizer steps, from 0 to ``labtools.run.MAX_STEPS``; with
        ``keep_path=True`` also at most 100 million numbers in the path,
        ``(steps + 1) * P``.
    batch_size : int, optional
        Mini-batch size in ``[1, n]``; None (or ``n``) for full batch.
    seed : int or None
        Seed of the mini-batch order (a whole number >= 0, or None for fresh
        entropy).
    tol : float, optional
        Stop with status ``"converged"`` once the full training-set gradient
        norm is below ``tol``; None (default) runs all ``steps``.
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
    >>> from labtools.nn import course_network
    >>> import labtools as lt
    >>> model, X, y = course_network(hidden=(8,), n=100)
    >>> result = train(model, model.init(), X, y, lt.momentum(lr=0.1), steps=300)
    >>> result.status, model.accuracy(result.theta, X, y) > 0.95
    ('max_steps', True)
    >>> train(model, model.init(), X, y, lt.adam(lr=0.01), steps=100, batch_size=20).message
    'ran 100 steps (loss 0.285)'
    >>> train(model, model.init(), X, y, lt.gd(lr=1e4), steps=100, max_norm=1e4).message
    'diverged at step 2 (|theta| = 1.12e+05 exceeded max_norm = 1e+04; try a smaller lr)'
    """
    check_model(model)
    theta = model.check_theta(theta0, name="theta0").copy()
    full = model.as_landscape(X, y)
    X, y = full.X, full.y
    check_optimizer(optimizer)
    steps = check_int("steps", steps, low=0, high=MAX_STEPS)
    N = X.shape[0]
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, integer=True)
        if not 1 <= batch_size <= N:
            raise ValueError(
                f"batch_size must be a whole number from 1 to the number of points ({N}), "
                f"or None for full batch, got {batch_size}"
            )
        if batch_size == N:
            # one batch of every point is the full batch: descend the full gradient
            # the loop computes anyway, instead of a second pass over reordered data
            batch_size = None
    seed = check_seed(seed)
    tol = 0.0 if tol is None else check_number("tol", tol, nonnegative=True)
    max_norm = check_number("max_norm", max_norm, positive=True)
    keep_path = check_bool("keep_path", keep_path)
    if keep_path and (steps + 1) * model.n_params > MAX_PATH_VALUES:
        most = MAX_PATH_VALUES // model.n_params - 1
        raise ValueError(
            f"steps must be at most {most} with keep_path=True for this network "
            f"({model.n_params} parameters: the path would hold more than "
            f"{MAX_PATH_VALUES} numbers), got {steps}; pass keep_path=False to keep only the end"
        )

    step_gradient = None
    batch_losses = []
    if batch_size is not None:
        rng = np.random.default_rng(seed)
        order, pos = None, N

        def step_gradient(k, theta, g_full):
            # the gradient step k descends: the next mini-batch of the epoch
            nonlocal order, pos
            if pos + batch_size > N:
                order, pos = rng.permutation(N), 0
            idx = order[pos:pos + batch_size]
            pos += batch_size
            oracle = NetworkLandscape(model, X[idx], y[idx])
            value, g = oracle.value_and_grad(theta)
            batch_losses.append(value)
            return g, oracle

    trace = descend(full, optimizer, theta, optimizer.init(theta), steps, tol=tol,
                    max_norm=max_norm, step_gradient=step_gradient, keep_path=keep_path,
                    name="theta")
    k = trace.steps_taken
    return TrainResult(
        **vars(trace),
        batch_losses=(trace.values[:-1].copy() if batch_size is None
                      else np.array(batch_losses[:k], dtype=float)),
        keep_path=keep_path,
    )
