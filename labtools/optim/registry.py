"""Named optimizers looked up by string (used by widgets and exercises)."""

from __future__ import annotations

import inspect

from .._checks import check_choice, show
from .base import Optimizer
from .first_order import adagrad, adam, gd, momentum, nesterov, rmsprop
from .perturbed import noisy_gd, perturbed_gd
from .second_order import cubic_newton, damped_newton, newton, saddle_free_newton, trust_region

__all__ = [
    "OPTIMIZERS",
    "optimizer",
]


_NAMED = {
    "gd": gd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "noisy_gd": noisy_gd,
    "perturbed_gd": perturbed_gd,
    "newton": newton,
    "damped_newton": damped_newton,
    "saddle_free_newton": saddle_free_newton,
    "cubic_newton": cubic_newton,
    "trust_region": trust_region,
}


#: The names :func:`optimizer` accepts, in teaching order.
OPTIMIZERS: tuple[str, ...] = tuple(_NAMED)


def optimizer(name: str, **hyper) -> Optimizer:
    """Build a named optimizer from its name and hyperparameters.

    Parameters
    ----------
    name : str
        One of ``OPTIMIZERS``.
    **hyper
        Keyword arguments of that optimizer (e.g. ``lr=0.1, beta=0.9``).

    Examples
    --------
    >>> opt = optimizer("momentum", lr=0.05, beta=0.9)
    >>> isinstance(opt, Optimizer)
    True
    >>> optimizer("sgd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: name must be one of 'gd', 'momentum', ...; got 'sgd'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an optimizer name (a string), got {show(name)}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _NAMED:
        check_choice("name", name, OPTIMIZERS)
    factory = _NAMED[key]
    allowed = list(inspect.signature(factory).parameters)
    unknown = [k for k in hyper if k not in allowed]
    if unknown:
        raise ValueError(
            f"{key} got unknown hyperparameter {unknown[0]!r}; allowed: "
            + (", ".join(allowed) if allowed else "none")
        )
    return factory(**hyper)
