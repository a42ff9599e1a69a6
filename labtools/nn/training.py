"""Training the course network with any optimizer, full batch or mini-batch."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import check_int, check_number
from ..optim import current_lr
from ..run import _divergence
from .checks import check_optimizer, check_seed
from .mlp import NetworkLandscape, check_model

__all__ = ["TrainResult", "train"]


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
    >>> from labtools.nn import course_network
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
    >>> from labtools.nn import course_network
    >>> import labtools as lt
    >>> model, X, y = course_network(hidden=(8,), n=100)
    >>> result = train(model, model.init(), X, y, lt.momentum(lr=0.1), steps=300)
    >>> result.status, model.accuracy(result.theta, X, y) > 0.95
    ('max_steps', True)
    >>> train(model, model.init(), X, y, lt.adam(lr=0.01), steps=100, batch_size=20).message
    'ran 100 steps (loss 0.285)'
    """
    check_model(model)
    theta = model.check_theta(theta0, name="theta0").copy()
    X, y = model.check_data(X, y)
    check_optimizer(optimizer)
    steps = check_int("steps", steps, low=0)
    N = X.shape[0]
    if batch_size is not None:
        batch_size = check_number("batch_size", batch_size, integer=True)
        if not 1 <= batch_size <= N:
            raise ValueError(
                f"batch_size must be a whole number from 1 to the number of points ({N}), "
                f"or None for full batch, got {batch_size}"
            )
    seed = check_seed(seed)
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
    value = full.f

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
        lb, g = cached if cached is not None else oracle.value_and_grad(theta)
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
                cached = full.value_and_grad(new)
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
