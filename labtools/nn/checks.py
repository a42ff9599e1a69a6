"""Argument checks shared by the modules of :mod:`labtools.nn`.

Like :mod:`labtools._checks` (which holds the checks every module shares,
``check_seed`` among them), every check raises a ``ValueError`` or
``TypeError`` that names the parameter, shows the value and says what is
allowed. Nothing here is re-exported by ``labtools``.
"""

from __future__ import annotations

import numpy as np

from .._checks import show

__all__: list[str] = []  # shared within labtools.nn; nothing re-exported

# Upper bounds on sizes, so that a typo such as n=10**12 gets a sentence naming
# the parameter instead of a MemoryError (or minutes of computing).
MAX_POINTS = 10_000_000       # data points of a data set
MAX_SAMPLES = 100_000         # values along a line, probes, directions, t samples
MAX_GRID = 1_000              # grid points per axis of a 2-D slice
MAX_PARAMS = 10_000_000       # parameters of a network (80 MB per vector)


def check_bool(name, value):
    """``True`` or ``False`` (NumPy booleans too), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


def as_float_array(name, value):
    """``value`` as a float array, or a ``TypeError`` naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {show(value)}") from None
    return arr


def check_optimizer(optimizer):
    """Anything with ``init`` and ``update``, such as ``lt.adam(lr=0.01)``."""
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
