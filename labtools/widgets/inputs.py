"""What a learner passes to a widget, turned into landscapes, start points and optimizers.

A widget never raises on a bad argument: the ``*_or_default`` helpers
append the problem, in plain words, to a list the widget shows, and return
something that works instead.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import landscapes, optim
from .._checks import check_points, fmt

__all__ = [
    "CUSTOM",
    "catalog",
    "catalog_names",
    "check_x0",
    "default_start",
    "landscape_or_default",
    "log_limits",
    "make_optimizer",
    "nice_limits",
    "optimizer_params",
    "point",
    "resolve_landscape",
    "start_or_default",
    "window_text",
]

#: The entry of a landscape dropdown that selects the learner's own expression.
CUSTOM = "your own expression"

_START_HINTS = {
    "himmelblau": (0.0, 0.0),
    "rosenbrock": (-1.2, 1.0),
    "saddle": (1.8, 0.05),
    "saddle_5": (1.0, 0.05),
    "escapable_saddle": (1.6, 0.05),
    "monkey_saddle": (1.0, 0.4),
    "double_well": (0.3, 1.0),
    "six_hump_camel": (-1.5, 0.8),
    "ackley": (3.3, 2.7),
    "rastrigin": (3.3, 2.7),
    "quadratic": (1.5, 1.5),
    "xcos": (0.3,),
    "two_minima_1d": (0.2,),
    "sine_tilt": (2.0,),
}

_LANDSCAPES: dict = {}


def catalog(name, landscape=None):
    """The catalog landscape ``name``, built once and shared by every widget.

    ``landscape``, if given, is remembered under ``name`` (a landscape a
    widget was given as an object, so its dropdown can offer it again).

    Examples
    --------
    >>> catalog("himmelblau") is catalog("himmelblau")
    True
    """
    if landscape is not None:
        _LANDSCAPES.setdefault(name, landscape)
    if name not in _LANDSCAPES:
        _LANDSCAPES[name] = landscapes.landscape(name)
    return _LANDSCAPES[name]


def catalog_names(dim, need_minimizers=False):
    """Catalog names of the ``dim``-D landscapes (with known minimizers, if asked).

    Examples
    --------
    >>> catalog_names(1)
    ['sine_tilt', 'two_minima_1d', 'xcos', 'pl_sine']
    """
    names = []
    for name in landscapes.CATALOG:
        try:
            f = catalog(name)
        except Exception:  # a catalog entry that needs parameters
            continue
        if f.dim != dim:
            continue
        if need_minimizers and (f.minimizers is None or len(f.minimizers) == 0):
            continue
        names.append(name)
    return names


def resolve_landscape(name_or_expr, dim):
    """Return a Landscape of dimension ``dim`` (or of any of ``dim``), or raise in plain words.

    ``name_or_expr`` is a catalog name, an expression or a Landscape; ``dim``
    an int or a tuple of allowed dimensions.

    Examples
    --------
    >>> resolve_landscape("x**2 + y**2", 2).dim
    2
    >>> resolve_landscape("x*y", 1)
    Traceback (most recent call last):
    ...
    ValueError: this widget needs a function of x alone; 'x*y' is 2-D
    """
    dims = dim if isinstance(dim, tuple) else (dim,)
    if not isinstance(name_or_expr, str):
        f = name_or_expr  # a Landscape object
    elif name_or_expr in landscapes.CATALOG:
        f = catalog(name_or_expr)
    else:
        text = name_or_expr.strip()
        if not text:
            raise ValueError(
                "the expression is empty; type a function of "
                + ("x, e.g. x**4 - 2*x**2" if dims == (1,) else "x and y, e.g. x**2 + 3*sin(y)")
            )
        f = landscapes.landscape(text)
    if getattr(f, "dim", None) not in dims:
        want = " or ".join({1: "x alone", 2: "x and y"}[d] for d in dims)
        raise ValueError(
            f"this widget needs a function of {want}; {getattr(f, 'name', f)!r} "
            f"is {getattr(f, 'dim', '?')}-D"
        )
    return f


def landscape_or_default(value, dim, default, problems):
    """:func:`resolve_landscape`, or the catalog's ``default`` with the problem noted.

    Examples
    --------
    >>> problems = []
    >>> landscape_or_default("x*y", 1, "xcos", problems).name, problems
    ('xcos', ["this widget needs a function of x alone; 'x*y' is 2-D"])
    """
    try:
        return resolve_landscape(value, dim)
    except (ValueError, TypeError) as exc:
        problems.append(str(exc))
        return catalog(default)


def default_start(f):
    """A start point that shows something on ``f``: a hint per catalog landscape, else
    a fifth into the window.

    Examples
    --------
    >>> default_start(catalog("rosenbrock")).tolist()
    [-1.2, 1.0]
    """
    hint = _START_HINTS.get(getattr(f, "name", None))
    if hint is not None and len(hint) == f.dim:
        return np.array(hint, dtype=float)
    return np.array([lo + 0.2 * (hi - lo) for lo, hi in f.window])


def check_x0(f, x0, name="x0"):
    """Return ``x0`` as one point inside the window of ``f``, or raise in plain words.

    Examples
    --------
    >>> check_x0(catalog("himmelblau"), [9.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: x0 must lie inside the plot window [-5, 5] x [-5, 5]; its x is 9
    """
    x0 = check_points(name, np.atleast_1d(np.asarray(x0, dtype=float))
                      if np.ndim(x0) == 0 else x0, dim=f.dim)
    if x0.ndim != 1:
        raise ValueError(f"{name} must be one point of shape ({f.dim},), got shape {x0.shape}")
    for v, (lo, hi), axis in zip(x0, f.window, "xy", strict=False):
        if not lo <= v <= hi:
            window = " x ".join(f"[{fmt(a)}, {fmt(b)}]" for a, b in f.window)
            raise ValueError(
                f"{name} must lie inside the plot window {window}; its {axis} is {fmt(v)}"
            )
    return x0


def start_or_default(f, x0, default, problems, name="x0"):
    """``x0`` checked by :func:`check_x0`; ``default`` (with the problem noted) if it is
    bad or None.

    Examples
    --------
    >>> problems = []
    >>> start_or_default(catalog("xcos"), 0.3, None, problems).tolist(), problems
    ([0.3], [])
    """
    if x0 is None:
        return default
    try:
        return check_x0(f, x0, name)
    except (ValueError, TypeError) as exc:
        problems.append(str(exc))
        return default


def optimizer_params(name):
    """The hyperparameter names the optimizer ``name`` takes.

    Examples
    --------
    >>> sorted(optimizer_params("momentum"))
    ['beta', 'lr']
    """
    factory = getattr(optim, name, None)
    if factory is None:
        return set()
    return set(inspect.signature(factory).parameters)


def make_optimizer(name, lr, beta=0.9, sigma=None, seed=0):
    """Build a named optimizer from a widget's controls.

    Only the hyperparameters the optimizer takes are passed. ``sigma=None``
    leaves a noisy optimizer its own noise level; a ``sigma > 0`` is added to
    the gradient (``chain(add_noise(sigma), optimizer)``) of an optimizer
    that has no ``sigma`` of its own.

    Examples
    --------
    >>> import numpy as np
    >>> opt = make_optimizer("gd", lr=0.1)
    >>> step, _ = opt.update(np.array([1.0]), opt.init(np.zeros(1)), np.zeros(1), None)
    >>> step.tolist()
    [-0.1]
    """
    params = optimizer_params(name)
    hyper = {}
    if "lr" in params:
        hyper["lr"] = lr
    if "beta" in params:
        hyper["beta"] = beta
    if "sigma" in params and sigma is not None:
        hyper["sigma"] = sigma
    if "seed" in params:
        hyper["seed"] = seed
    opt = optim.optimizer(name, **hyper)
    if sigma and "sigma" not in params:
        opt = optim.chain(optim.add_noise(sigma, seed), opt)
    return opt


def point(x, digits=3):
    """A point as text: ``0.5`` for one coordinate, ``(1, -2.5)`` for two.

    Examples
    --------
    >>> point([1.0, -2.5]), point([0.5])
    ('(1, -2.5)', '0.5')
    """
    x = np.atleast_1d(x)
    if x.size == 1:
        return fmt(x[0], digits)
    return "(" + ", ".join(fmt(v, digits) for v in x) + ")"


def window_text(f):
    """The plot window of ``f`` in words, for alt texts.

    Examples
    --------
    >>> window_text(catalog("himmelblau"))
    'x from -5 to 5 and y from -5 to 5'
    """
    names = [str(s) for s in getattr(f, "symbols", ())] or ["x", "y"]
    return " and ".join(f"{n} from {fmt(lo)} to {fmt(hi)}"
                        for n, (lo, hi) in zip(names, f.window, strict=False))


def nice_limits(lo, hi, nbins=5):
    """Axis limits on round numbers around ``[lo, hi]``.

    Examples
    --------
    >>> nice_limits(0.13, 9.2)
    (0.0, 10.0)
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (0.0, 1.0)
    if hi - lo <= 1e-12 * (abs(lo) + abs(hi) + 1.0):
        pad = 0.5 * (abs(lo) + 1.0)
        lo, hi = lo - pad, hi + pad
    ticks = MaxNLocator(nbins=nbins).tick_values(lo, hi)
    return (float(ticks[0]), float(ticks[-1]))


def log_limits(values, floor=1e-12, ceil=1e12):
    """Log-axis limits on whole decades around the positive finite ``values``.

    Examples
    --------
    >>> log_limits([0.003, 0.5, -1.0])
    (0.001, 1.0)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (1e-3, 1.0)
    lo = 10.0 ** math.floor(math.log10(max(v.min(), floor)))
    hi = 10.0 ** math.ceil(math.log10(min(max(v.max(), floor * 10), ceil)))
    if hi <= lo:
        hi = lo * 10
    return (lo, hi)
