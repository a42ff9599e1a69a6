"""Named optimizers looked up by string (used by widgets and exercises)."""

from __future__ import annotations

import inspect

from .._checks import check_choice, show
from .base import Optimizer
from .first_order import adagrad, adam, gd, momentum, nesterov, rmsprop
from .line_search import line_search_gd
from .negative_curvature import neon_gd
from .perturbed import noisy_gd, perturbed_gd
from .quasi_newton import lbfgs
from .second_order import cubic_newton, damped_newton, newton, saddle_free_newton, trust_region

__all__ = [
    "OPTIMIZERS",
    "KERNEL_OPTIMIZERS",
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


#: The names of the optimizers the browser front ends also run (each has a
#: JavaScript port in ``labtools/widgets/js/optim.js``), in teaching order;
#: the widgets' optimizer menus list these.
OPTIMIZERS: tuple[str, ...] = tuple(_NAMED)

# Optimizers that run in a Python kernel only (no JavaScript port): the
# widgets' menus, built from OPTIMIZERS, do not offer them.
_KERNEL_ONLY = {
    "line_search_gd": line_search_gd,
    "lbfgs": lbfgs,
    "neon_gd": neon_gd,
}

#: Names :func:`optimizer` also accepts that have no browser port (kernel only).
KERNEL_OPTIMIZERS: tuple[str, ...] = tuple(_KERNEL_ONLY)


def optimizer(name: str, **hyper) -> Optimizer:
    """Build a named optimizer from its name and hyperparameters.

    Parameters
    ----------
    name : str
        One of ``OPTIMIZERS`` or ``KERNEL_OPTIMIZERS``.
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
    named = {**_NAMED, **_KERNEL_ONLY}
    if key not in named:
        check_choice("name", name, OPTIMIZERS + KERNEL_OPTIMIZERS)
    factory = named[key]
    allowed = list(inspect.signature(factory).parameters)
    unknown = [k for k in hyper if k not in allowed]
    if unknown:
        raise ValueError(
            f"{key} got unknown hyperparameter {unknown[0]!r}; allowed: "
            + (", ".join(allowed) if allowed else "none")
        )
    return factory(**hyper)
