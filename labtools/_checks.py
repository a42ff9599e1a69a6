"""Argument checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` whose message names the
parameter, shows the value it got and says what is allowed, so a learner who
passes something wrong reads a sentence, not a traceback from inside NumPy.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__: list[str] = []  # private helpers; nothing re-exported


def show(value) -> str:
    """A short ``repr`` of ``value`` for an error message (at most 60 characters)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fmt(value, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, for readouts and messages.

    Examples
    --------
    >>> fmt(3.14159), fmt(2 / 3, 6), fmt(float("inf"))
    ('3.14', '0.666667', 'inf')
    """
    value = float(value)
    return f"{value:.{digits}g}" if np.isfinite(value) else str(value)


def check_number(name: str, value, *, positive=False, nonnegative=False,
                 low=None, high=None, integer=False):
    """Return ``value`` as a float (or, with ``integer=True``, an int) after checking it.

    With ``integer=True`` a whole float such as ``100.0`` is accepted and
    returned as ``100``; any size of whole number is checked without
    overflow (``10**20`` and ``1e308`` reach the ``high`` test and its
    message, not an error from inside NumPy). Messages show the value as
    given.

    Examples
    --------
    >>> check_number("lr", 0.1, positive=True)
    0.1
    >>> check_number("steps", 1e308, integer=True, high=10**7)
    Traceback (most recent call last):
    ...
    ValueError: steps must be at most 10000000, got 1e+308
    """
    given = value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and not value.dtype == bool:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            kind = "a whole number" if integer else "a number"
            raise TypeError(f"{name} must be {kind}, got {show(given)}")
    if isinstance(value, numbers.Integral):
        value = int(value)  # exact at any size; never handed to a NumPy ufunc
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {show(given)}")
        if integer:
            if not value.is_integer():
                raise ValueError(f"{name} must be a whole number, got {show(given)}")
            value = int(value)
    if positive and not value > 0:
        raise ValueError(f"{name} must be positive, got {show(given)}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be zero or positive, got {show(given)}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {show(given)}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be at most {high}, got {show(given)}")
    if integer:
        return value
    try:
        return float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400
        raise ValueError(f"{name} must be a finite number, got {show(given)}") from None


def check_int(name: str, value, *, low=None, high=None):
    """Return ``value`` as an ``int`` in ``[low, high]``.

    Examples
    --------
    >>> check_int("steps", 10, low=0)
    10
    """
    return check_number(name, value, integer=True, low=low, high=high)


def check_seed(seed):
    """Return ``seed`` as an ``int`` >= 0, or ``None`` (fresh entropy each time).

    The one rule for ``seed`` everywhere in labtools (optimizers, runs,
    curvature, the network): ``None`` or a whole number >= 0, accepted in any
    form :func:`check_int` accepts (``3``, ``np.int64(3)``, ``3.0``); ``3.5``,
    ``-1``, ``True`` and strings are refused.

    Examples
    --------
    >>> check_seed(7), check_seed(7.0), check_seed(None)
    (7, 7, None)
    """
    if seed is None:
        return None
    allowed = f"seed must be a whole number >= 0 or None, got {show(seed)}"
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Real, np.ndarray)):
        raise TypeError(allowed)
    try:
        return check_int("seed", seed, low=0)
    except (TypeError, ValueError):
        raise ValueError(allowed) from None


def check_fraction(name: str, value, *, closed_high=False) -> float:
    """Return ``value`` as a float in [0, 1) (or [0, 1] when ``closed_high``).

    Examples
    --------
    >>> check_fraction("beta", 0.9)
    0.9
    """
    value = check_number(name, value)
    ok = 0.0 <= value <= 1.0 if closed_high else 0.0 <= value < 1.0
    if not ok:
        interval = "[0, 1]" if closed_high else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {show(value)}")
    return value


def check_points(name: str, value, dim: int | None = None) -> np.ndarray:
    """Return ``value`` as a float array of shape ``(d,)`` or ``(n, d)``.

    Examples
    --------
    >>> check_points("x0", [1, 2], dim=2)
    array([1., 2.])
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a point (a list or array of numbers), got {show(value)}"
        ) from None
    if dim == 1 and arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must have shape (d,) for one point or (n, d) for many, "
            f"got shape {arr.shape}"
        )
    if dim is not None and arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have {dim} coordinate{'s' if dim != 1 else ''} "
            f"for a {dim}-D landscape, got {arr.shape[-1]} ({show(value)})"
        )
    return check_finite(name, arr, value)


def check_finite(name: str, arr, value=None):
    """Return the array ``arr`` if every entry is finite; the error shows ``value``
    (what the caller was given, ``arr`` by default).

    Examples
    --------
    >>> check_finite("x", np.array([1.0, 2.0]))
    array([1., 2.])
    >>> check_finite("x", np.array([1.0, np.nan]), [1, "nan"])
    Traceback (most recent call last):
    ...
    ValueError: x must contain only finite numbers, got [1, 'nan']
    """
    if not np.all(np.isfinite(arr)):
        shown = arr if value is None else value
        raise ValueError(f"{name} must contain only finite numbers, got {show(shown)}")
    return arr


def check_choice(name: str, value, allowed):
    """Return ``value`` if it is one of ``allowed``.

    Examples
    --------
    >>> check_choice("kind", "gd", ["gd", "adam"])
    'gd'
    """
    allowed = list(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {show(value)}")
    return value


def check_window(name: str, value, dim: int):
    """Return a tuple of ``dim`` ``(lo, hi)`` pairs with ``lo < hi``."""
    try:
        pairs = tuple((float(lo), float(hi)) for lo, hi in value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be {dim} (low, high) pair{'s' if dim > 1 else ''}, "
            f"got {show(value)}"
        ) from None
    if len(pairs) != dim:
        raise ValueError(f"{name} must have {dim} (low, high) pairs, got {len(pairs)}")
    for lo, hi in pairs:
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(
                f"{name} must have finite low < high in each pair, got {show(value)}"
            )
    return pairs
