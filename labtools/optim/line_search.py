"""Line searches: how far to go along a descent direction.

Given a point ``x``, a direction ``p`` with ``g . p < 0`` and the function
along the ray, ``phi(alpha) = f(x + alpha p)``, a line search picks a step
length ``alpha > 0`` that satisfies

- the **Armijo** (sufficient decrease) condition
  ``phi(alpha) <= phi(0) + c1 alpha phi'(0)``, and, for the Wolfe searches,
- the **strong Wolfe curvature** condition
  ``|phi'(alpha)| <= c2 |phi'(0)|``, with ``0 < c1 < c2 < 1``.

:func:`armijo_backtracking` tries ``alpha0, shrink * alpha0, ...`` until the
Armijo condition holds (Nocedal & Wright 2006, Algorithm 3.1).
:func:`wolfe_line_search` brackets an interval that must contain strong
Wolfe points and then zooms into it with safeguarded cubic interpolation
(Algorithms 3.5 and 3.6 with eq. 3.59). Both are vectorized: ``x`` and ``p``
may carry a leading batch axis and every row is searched on its own, doing
exactly what a search of that row alone would do.

:func:`line_search_gd` is gradient descent whose step length comes from one
of these searches; :func:`labtools.optim.lbfgs` uses the Wolfe search.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_int, check_number, show
from .base import Optimizer, row_norm

__all__ = [
    "LineSearchResult",
    "LineSearchGDState",
    "armijo_backtracking",
    "wolfe_line_search",
    "line_search_gd",
]


class LineSearchResult(NamedTuple):
    """``alpha``: the step length per row; ``success``: whether it meets the
    conditions asked for; ``evals``: function evaluations the search used."""

    alpha: np.ndarray
    success: np.ndarray
    evals: np.ndarray


class LineSearchGDState(NamedTuple):
    """``alpha``: the latest step length per point; ``evals``: evaluations it took;
    ``failed``: points whose latest search found no acceptable step."""

    alpha: np.ndarray
    evals: np.ndarray
    failed: np.ndarray


def check_line_search_constants(c1, c2=None):
    """Check ``0 < c1 < 1`` (and ``c1 < c2 < 1`` when ``c2`` is given)."""
    c1 = check_number("c1", c1, positive=True)
    if not c1 < 1:
        raise ValueError(f"c1 must be in (0, 1), got {show(c1)}")
    if c2 is None:
        return c1, None
    c2 = check_number("c2", c2, positive=True)
    if not c1 < c2 < 1:
        raise ValueError(f"c2 must be in (c1, 1) = ({c1:g}, 1), got {show(c2)}")
    return c1, c2


def _dot(a, b):
    return np.sum(a * b, axis=-1)


def armijo_backtracking(f, x, p, f0, slope, alpha0=1.0, c1=1e-4, shrink=0.5, max_iter=60):
    """Backtracking until the Armijo condition holds (Nocedal & Wright, Alg. 3.1).

    Tries ``alpha = alpha0 * shrink**i`` for ``i = 0, 1, ...`` and stops at
    the first with ``f(x + alpha p) <= f0 + c1 alpha slope``. A NaN value
    counts as a failed trial (the search backs off from where ``f`` is not
    defined). Rows whose direction is not a descent direction (``slope >= 0``)
    get ``alpha = 0`` and ``success = False``, as do rows that run out of
    trials.

    Parameters
    ----------
    f : callable
        Points ``(..., d)`` to values ``(...)``.
    x, p : ndarray
        Point and direction, shape ``(d,)`` or ``(n, d)``.
    f0, slope : float or ndarray
        ``f(x)`` and the directional derivative ``grad f(x) . p``.
    alpha0 : float
        First trial, > 0.
    c1 : float
        Sufficient-decrease constant in (0, 1).
    shrink : float
        Factor in (0, 1) applied after each failed trial.
    max_iter : int
        Most trials.

    Returns
    -------
    LineSearchResult

    References
    ----------
    nocedal2006numerical (Algorithm 3.1; the Armijo condition, eq. 3.4).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.sum(x * x, axis=-1)             # f = |x|^2
    >>> x = np.array([1.0, 0.0]); g = 2 * x
    >>> r = armijo_backtracking(f, x, -g, f(x), -g @ g, alpha0=1.0)
    >>> float(r.alpha), bool(r.success), int(r.evals)    # 1 fails, 0.5 lands on 0
    (0.5, True, 2)
    """
    alpha0 = check_number("alpha0", alpha0, positive=True)
    c1, _ = check_line_search_constants(c1)
    shrink = check_number("shrink", shrink, positive=True)
    if not shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {show(shrink)}")
    max_iter = check_int("max_iter", max_iter, low=1, high=10_000)
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    batch = x.shape[:-1]
    f0 = np.broadcast_to(np.asarray(f0, dtype=float), batch)
    slope = np.broadcast_to(np.asarray(slope, dtype=float), batch)
    alpha = np.full(batch, alpha0)
    done = ~(slope < 0)
    success = np.zeros(batch, dtype=bool)
    evals = np.zeros(batch, dtype=np.int64)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if np.all(done):
                break
            ft = np.asarray(f(x + alpha[..., None] * p), dtype=float).reshape(batch)
            evals = evals + ~done
            ok = ~done & (ft <= f0 + c1 * alpha * slope)
            success = success | ok
            done = done | ok
            alpha = np.where(done, alpha, alpha * shrink)
    return LineSearchResult(np.where(success, alpha, 0.0), success, evals)


def _cubic_minimizer(a, fa, da, b, fb, db):
    """Minimizer of the cubic through (a, fa, da), (b, fb, db) (N&W eq. 3.59),
    or NaN where it does not exist."""
    d1 = da + db - 3.0 * (fa - fb) / (a - b)
    d2 = np.sign(b - a) * np.sqrt(d1 * d1 - da * db)
    return b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)


def wolfe_line_search(f, grad, x, p, f0, g0, alpha0=1.0, c1=1e-4, c2=0.9,
                      alpha_max=1e10, max_iter=40):
    """A step length satisfying the strong Wolfe conditions (N&W Alg. 3.5 and 3.6).

    Bracketing phase (Alg. 3.5): try ``alpha0, 2 alpha0, 4 alpha0, ...``
    (capped at ``alpha_max``) until a trial either violates the Armijo
    condition, does not lower ``f`` below the previous trial, meets the
    strong Wolfe conditions (done), or has ``phi' >= 0``; the interval
    between the last two trials then contains strong Wolfe points. Zoom phase
    (Alg. 3.6): the trial is the minimizer of the cubic interpolating ``phi``
    and ``phi'`` at the interval's ends (eq. 3.59), replaced by the midpoint
    when it falls outside the middle 80 % of the interval; the interval's
    ``lo`` end always keeps the lowest Armijo-satisfying value seen.

    A row that runs out of trials, or reaches ``alpha_max`` while ``f`` keeps
    falling, returns its best Armijo point (``lo``; 0 if none) with
    ``success = False``: the caller can tell a failed search from a good one.
    NaN values count as failures of the Armijo condition.

    Parameters
    ----------
    f, grad : callable
        Points ``(..., d)`` to values ``(...)`` and to gradients ``(..., d)``.
    x, p : ndarray
        Point and descent direction, shape ``(d,)`` or ``(n, d)``.
    f0 : float or ndarray
        ``f(x)``.
    g0 : ndarray
        ``grad f(x)``, shape of ``x``.
    alpha0 : float or ndarray
        First trial (per row), > 0.
    c1, c2 : float
        ``0 < c1 < c2 < 1``; ``c2 = 0.9`` suits quasi-Newton directions.
    alpha_max : float
        Largest step length tried.
    max_iter : int
        Most trials (each one ``f`` and one gradient evaluation).

    Returns
    -------
    LineSearchResult

    References
    ----------
    nocedal2006numerical (Algorithms 3.5 and 3.6, eq. 3.59; the strong Wolfe
    conditions, eq. 3.7).

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda x: np.sum(x**4, axis=-1) - np.sum(x * x, axis=-1)
    >>> grad = lambda x: 4 * x**3 - 2 * x
    >>> x = np.array([0.1]); g = grad(x)
    >>> r = wolfe_line_search(f, grad, x, -g, f(x), g)
    >>> bool(r.success)
    True
    >>> xa = x - float(r.alpha) * g                   # strong Wolfe holds there
    >>> bool(abs(grad(xa) @ -g) <= 0.9 * abs(g @ -g))
    True
    """
    c1, c2 = check_line_search_constants(c1, c2)
    alpha_max = check_number("alpha_max", alpha_max, positive=True)
    max_iter = check_int("max_iter", max_iter, low=1, high=10_000)
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    batch = x.shape[:-1]
    f0 = np.broadcast_to(np.asarray(f0, dtype=float), batch)
    slope = _dot(np.asarray(g0, dtype=float), p)
    a_cur = np.broadcast_to(np.asarray(alpha0, dtype=float), batch).copy()
    if not np.all(a_cur > 0):
        raise ValueError(f"alpha0 must be positive, got {show(alpha0)}")
    zeros = np.zeros(batch)
    phase = np.where(slope < 0, 0, 2)  # 0 bracketing, 1 zooming, 2 done
    first = np.ones(batch, dtype=bool)
    a_prev, f_prev, d_prev = zeros, f0, slope
    lo, f_lo, d_lo = zeros, f0, slope
    hi, f_hi, d_hi = zeros, f0, slope
    alpha = zeros
    success = np.zeros(batch, dtype=bool)
    evals = np.zeros(batch, dtype=np.int64)
    with np.errstate(all="ignore"):
        for _ in range(max_iter):
            if np.all(phase == 2):
                break
            width = hi - lo
            cubic = _cubic_minimizer(lo, f_lo, d_lo, hi, f_hi, d_hi)
            left = np.minimum(lo, hi) + 0.1 * np.abs(width)
            right = np.maximum(lo, hi) - 0.1 * np.abs(width)
            inside = (cubic >= left) & (cubic <= right)
            zoom_trial = np.where(inside, cubic, lo + 0.5 * width)
            a = np.where(phase == 0, a_cur, zoom_trial)
            xt = x + a[..., None] * p
            ft = np.asarray(f(xt), dtype=float).reshape(batch)
            dt = _dot(np.asarray(grad(xt), dtype=float), p)
            active = phase != 2
            evals = evals + active
            armijo_fails = ~(ft <= f0 + c1 * a * slope)
            wolfe = ~armijo_fails & (np.abs(dt) <= -c2 * slope)
            # --- bracketing rows (Alg. 3.5)
            br = phase == 0
            to_zoom_hi = br & (armijo_fails | (~first & (ft >= f_prev)))
            br_done = br & ~to_zoom_hi & wolfe
            to_zoom_lo = br & ~to_zoom_hi & ~br_done & ~(dt < 0)
            grow = br & ~to_zoom_hi & ~br_done & ~to_zoom_lo
            capped = grow & (a >= alpha_max)
            # zoom(a_prev, a): lo = previous trial, hi = this one
            lo_n = np.where(to_zoom_hi, a_prev, np.where(to_zoom_lo, a, lo))
            f_lo_n = np.where(to_zoom_hi, f_prev, np.where(to_zoom_lo, ft, f_lo))
            d_lo_n = np.where(to_zoom_hi, d_prev, np.where(to_zoom_lo, dt, d_lo))
            hi_n = np.where(to_zoom_hi, a, np.where(to_zoom_lo, a_prev, hi))
            f_hi_n = np.where(to_zoom_hi, ft, np.where(to_zoom_lo, f_prev, f_hi))
            d_hi_n = np.where(to_zoom_hi, dt, np.where(to_zoom_lo, d_prev, d_hi))
            # --- zooming rows (Alg. 3.6)
            zm = phase == 1
            shrink_hi = zm & (armijo_fails | (ft >= f_lo))
            zm_done = zm & ~shrink_hi & wolfe
            move_lo = zm & ~shrink_hi & ~zm_done
            flip = move_lo & (dt * (hi - lo) >= 0)
            hi_n = np.where(shrink_hi, a, np.where(flip, lo, hi_n))
            f_hi_n = np.where(shrink_hi, ft, np.where(flip, f_lo, f_hi_n))
            d_hi_n = np.where(shrink_hi, dt, np.where(flip, d_lo, d_hi_n))
            lo_n = np.where(move_lo, a, lo_n)
            f_lo_n = np.where(move_lo, ft, f_lo_n)
            d_lo_n = np.where(move_lo, dt, d_lo_n)
            lo, f_lo, d_lo, hi, f_hi, d_hi = lo_n, f_lo_n, d_lo_n, hi_n, f_hi_n, d_hi_n
            # the interval has shrunk to nothing: give up with the best point
            tiny = np.abs(hi - lo) <= 1e-14 * np.maximum(lo, 1e-300)
            collapsed = (phase == 1) & ~zm_done & tiny
            found = br_done | zm_done
            success = success | found
            alpha = np.where(found, a, np.where(capped, a, np.where(collapsed, lo, alpha)))
            a_prev = np.where(grow, a, a_prev)
            f_prev = np.where(grow, ft, f_prev)
            d_prev = np.where(grow, dt, d_prev)
            a_cur = np.where(grow, np.minimum(2.0 * a, alpha_max), a_cur)
            first = first & ~grow
            phase = np.where(found | capped | collapsed, 2,
                             np.where(to_zoom_hi | to_zoom_lo, 1, phase))
        # out of trials: the best Armijo point found so far
        left_over = phase != 2
        fallback = np.where(phase == 1, lo, a_prev)
        alpha = np.where(left_over, fallback, alpha)
    return LineSearchResult(alpha, success, evals)


def check_search_oracle(oracle, who):
    """Refuse an oracle without ``f`` and ``grad`` (what a line search evaluates)."""
    if oracle is None or not hasattr(oracle, "f") or not hasattr(oracle, "grad"):
        raise TypeError(
            f"{who} needs f and its gradient along the search line: pass a Landscape "
            f"as the oracle (one with .f and .grad), got {show(oracle)}"
        )


def line_search_gd(condition="armijo", alpha0=1.0, c1=1e-4, c2=0.9, shrink=0.5) -> Optimizer:
    """Gradient descent with a line search: ``x <- x - alpha_k grad f(x)``.

    ``alpha_k`` comes from :func:`armijo_backtracking` (``condition="armijo"``,
    first trial ``alpha0``, then ``shrink`` times smaller) or from
    :func:`wolfe_line_search` (``condition="wolfe"``, strong Wolfe with
    ``c1``, ``c2``). A point whose search fails takes the best Armijo step
    the search found (zero if none) and is flagged in the state's
    ``failed``. The run records NaN as the lr; the state holds the step
    lengths (``alpha``) and evaluation counts.

    Parameters
    ----------
    condition : str
        ``"armijo"`` or ``"wolfe"``.
    alpha0 : float
        First trial step length, > 0.
    c1, c2 : float
        Line-search constants, ``0 < c1 < c2 < 1`` (``c2`` is used by Wolfe only).
    shrink : float
        Backtracking factor in (0, 1) (Armijo only).

    References
    ----------
    nocedal2006numerical (Sec. 3.1; Algorithms 3.1, 3.5 and 3.6).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> t = lt.run(f, line_search_gd("armijo"), x0=[0.0, 0.0], steps=100)
    >>> t.message, [round(float(v), 6) for v in t.x_final]
    ('converged after 30 steps (gradient norm 4.15e-09)', [3.0, 2.0])
    """
    condition = check_choice("condition", condition, ("armijo", "wolfe"))
    alpha0 = check_number("alpha0", alpha0, positive=True)
    c1, c2 = check_line_search_constants(c1, c2)
    shrink = check_number("shrink", shrink, positive=True)
    if not shrink < 1:
        raise ValueError(f"shrink must be in (0, 1), got {show(shrink)}")

    def init(x, seed=None):
        batch = np.asarray(x, dtype=float).shape[:-1]
        return LineSearchGDState(np.full(batch, np.nan), np.zeros(batch, dtype=np.int64),
                                 np.zeros(batch, dtype=bool))

    def update(g, state, x, oracle):
        check_search_oracle(oracle, "line_search_gd")
        x = np.asarray(x, dtype=float)
        g = np.asarray(g, dtype=float)
        f0 = np.asarray(oracle.f(x), dtype=float)
        if condition == "armijo":
            slope = -_dot(g, g)
            r = armijo_backtracking(oracle.f, x, -g, f0, slope, alpha0, c1, shrink)
        else:
            r = wolfe_line_search(oracle.f, oracle.grad, x, -g, f0, g, alpha0, c1, c2)
        failed = ~r.success & (row_norm(g) > 0)
        return -r.alpha[..., None] * g, LineSearchGDState(r.alpha, r.evals, failed)

    return Optimizer(init, update)
