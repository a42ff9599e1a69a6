"""Write-a-function questions: random cases, reference implementations, comparison.

This module is the instructor side of the code questions. The grader imports
it in its own process; the grading sandbox does not show it to a learner's
kernel (see :mod:`labtools.grading.sandbox`), so ``CODE_CHECKS[...].reference``
cannot be borrowed from a submission being graded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .base import result
from .harness import plain

__all__ = ["CodeCheck", "CODE_CHECKS"]

@dataclass(frozen=True)
class CodeCheck:
    """A write-a-function question's cases, reference and comparison.

    Attributes
    ----------
    make_cases : callable
        ``rng -> list of argument tuples`` (JSON-ready: numbers and lists).
    reference : callable
        The grader's own implementation, called with the same (converted) arguments.
    array_args : tuple of int
        Positions of arguments passed to the student's function as float arrays.
    rtol, atol : float
        Tolerances of the numeric comparison.
    """

    make_cases: Callable
    reference: Callable
    array_args: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9

    def expected(self, cases):
        out = []
        for args in cases:
            call = [np.array(a, dtype=float) if i in self.array_args else a
                    for i, a in enumerate(args)]
            out.append(plain(self.reference(*call)))
        return out

    def judge(self, cases, outputs, points, signature):
        """Compare ``outputs`` (from ``harness.run_cases``) with the reference."""
        if len(outputs) != len(cases):
            return result("invalid", 0, points, "the function's results could not be read")
        if all("ok" in o and o["ok"] is None for o in outputs):
            return result("unanswered", 0, points,
                           f"Write {signature} and run the cell (it returns None so far).")
        for args, out, want in zip(cases, outputs, self.expected(cases), strict=True):
            shown = ", ".join(_short(a) for a in args)
            if "error" in out:
                return result("wrong", 0, points,
                               f"On input ({shown}) your function raised {out['error']}")
            if not _close(out.get("ok"), want, self.rtol, self.atol):
                return result("wrong", 0, points,
                               f"On input ({shown}) it returned {_short(out.get('ok'))}; "
                               f"expected {_short(want)}.")
        return result("correct", 1, points, f"Well done: right on all {len(cases)} "
                       "random cases.")


def _short(value) -> str:
    if isinstance(value, list):
        arr = np.asarray(value, dtype=object)
        try:
            return np.array2string(np.asarray(value, dtype=float), precision=4,
                                   separator=", ", threshold=12)
        except (TypeError, ValueError):
            return repr(arr.tolist())[:80]
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)[:80]


def _close(got, want, rtol, atol) -> bool:
    if isinstance(want, str):
        return isinstance(got, str) and got.strip().lower() == want
    if isinstance(want, list) and want and isinstance(want[0], list) and isinstance(got, list) \
            and len(got) == len(want) and not _rectangular(want):
        return all(_close(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
    try:
        g = np.asarray(got, dtype=float)
        w = np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    if g.shape != w.shape:
        return False
    return bool(np.all(np.isfinite(g)) and np.allclose(g, w, rtol=rtol, atol=atol))


def _rectangular(value) -> bool:
    try:
        np.asarray(value, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _u(rng, lo, hi, size=None):
    return np.round(rng.uniform(lo, hi, size), 6).tolist()


def _quartic(x):
    return x ** 4 - 2 * x ** 2


def _chord_gap(a, b, t):
    return t * _quartic(a) + (1 - t) * _quartic(b) - _quartic(t * a + (1 - t) * b)


def _gd_run(x0, lr, steps):
    x = float(x0)
    for _ in range(int(steps)):
        x = x - lr * (math.cos(x) + 0.2)
    return x


def _grad_escapable(p):
    x, y = p
    return np.array([x, -y + y ** 3])


def _escape_steps(e, lr, lam):
    return math.log(1 / e) / math.log(1 + lr * abs(lam))


def _classify_hessian(H, tol=1e-8):
    eig = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    if np.any(eig > tol) and np.any(eig < -tol):
        return "saddle"
    if np.any(np.abs(eig) <= tol):
        return "degenerate"
    return "minimum" if eig[0] > 0 else "maximum"


def _symmetric_with(rng, eigs):
    q, _ = np.linalg.qr(rng.normal(size=(len(eigs), len(eigs))))
    return np.round(q @ np.diag(eigs) @ q.T, 12)


def _hessian_cases(rng):
    cases = []
    for kind in ("minimum", "maximum", "saddle", "degenerate") * 2:
        d = int(rng.integers(2, 5))
        mags = rng.uniform(0.5, 4.0, d)
        if kind == "minimum":
            eigs = mags
        elif kind == "maximum":
            eigs = -mags
        elif kind == "saddle":
            eigs = mags * np.where(np.arange(d) < rng.integers(1, d), -1, 1)
        else:
            eigs = mags.copy()
            eigs[0] = 0.0
            if rng.random() < 0.5:
                eigs = -eigs
        if kind == "degenerate" and d == 2 and rng.random() < 0.5:
            # an exactly diagonal case, so the zero eigenvalue is exactly zero
            cases.append(([[float(eigs[0]), 0.0], [0.0, float(eigs[1])]],))
        else:
            cases.append((_symmetric_with(rng, rng.permutation(eigs)).tolist(),))
    order = rng.permutation(len(cases))
    return [cases[i] for i in order]


def _hvp_cubic(p, v):
    x, y = p
    H = np.array([[2 * y, 2 * x], [2 * x, 6 * y]])
    return H @ v


def _momentum_step(x, v, g, lr, beta):
    v_new = beta * v + g
    return (x - lr * v_new, v_new)


def _sfn_step(H, g):
    lam, V = np.linalg.eigh(H)
    return -(V @ ((V.T @ g) / np.abs(lam)))


def _sfn_cases(rng):
    cases = []
    for _ in range(6):
        d = int(rng.integers(2, 4))
        eigs = rng.uniform(0.5, 3.0, d) * rng.choice([-1.0, 1.0], d)
        cases.append((_symmetric_with(rng, eigs).tolist(), _u(rng, -2, 2, d)))
    return cases


def _interpolate(theta0, theta1, alphas):
    return (1 - alphas)[:, None] * theta0[None, :] + alphas[:, None] * theta1[None, :]


def _interp_cases(rng):
    cases = []
    for _ in range(5):
        d, n = int(rng.integers(2, 7)), int(rng.integers(3, 9))
        cases.append((_u(rng, -2, 2, d), _u(rng, -2, 2, d),
                      np.round(np.linspace(-0.5, 1.5, n), 6).tolist()))
    return cases


def _barrier(losses):
    losses = np.asarray(losses, dtype=float)
    return float(losses.max() - max(losses[0], losses[-1]))


def _minibatch_noise(per_example_grads, batch_size):
    G = np.asarray(per_example_grads, dtype=float)
    n = len(G)
    trace_sigma = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    return float((n - batch_size) / (n - 1) * trace_sigma / batch_size)


def _minibatch_cases(rng):
    cases = []
    for _ in range(6):
        n, d = int(rng.integers(2, 12)), int(rng.integers(1, 4))
        grads = np.round(rng.uniform(-2, 2, (n, d)), 6).tolist()
        cases.append((grads, int(rng.integers(1, n + 1))))
    return cases
def _gd_steps_bound(L, delta_f, eps):
    return 2.0 * L * delta_f / eps ** 2


CODE_CHECKS: dict[str, CodeCheck] = {
    "chord_gap": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2), _u(rng, -2, 2), _u(rng, 0, 1))
                                for _ in range(8)],
        reference=_chord_gap),
    "gd_run": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -6, 6), _u(rng, 0.05, 0.5), int(rng.integers(1, 40)))
                                for _ in range(8)],
        reference=_gd_run),
    "grad_escapable": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, 2),) for _ in range(8)],
        reference=_grad_escapable, array_args=(0,)),
    "escape_steps": CodeCheck(
        make_cases=lambda rng: [(float(10.0 ** rng.uniform(-9, -1)), _u(rng, 0.01, 0.5),
                                 _u(rng, -5, -0.1)) for _ in range(8)],
        reference=_escape_steps),
    "classify_hessian": CodeCheck(
        make_cases=_hessian_cases, reference=_classify_hessian, array_args=(0,)),
    "hvp_cubic": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, 2), _u(rng, -2, 2, 2)) for _ in range(8)],
        reference=_hvp_cubic, array_args=(0, 1)),
    "momentum_step": CodeCheck(
        make_cases=lambda rng: [(_u(rng, -2, 2, d), _u(rng, -1, 1, d), _u(rng, -3, 3, d),
                                 _u(rng, 0.01, 0.3), _u(rng, 0.5, 0.99))
                                for d in rng.integers(1, 4, 6).tolist()],
        reference=_momentum_step, array_args=(0, 1, 2)),
    "saddle_free_newton_step": CodeCheck(
        make_cases=_sfn_cases, reference=_sfn_step, array_args=(0, 1)),
    "interpolate": CodeCheck(
        make_cases=_interp_cases, reference=_interpolate, array_args=(0, 1, 2)),
    "barrier_height": CodeCheck(
        make_cases=lambda rng: [(_u(rng, 0, 3, int(rng.integers(3, 12))),) for _ in range(8)],
        reference=_barrier, array_args=(0,)),
    "minibatch_noise": CodeCheck(
        make_cases=_minibatch_cases, reference=_minibatch_noise, array_args=(0,)),
    "gd_steps_bound": CodeCheck(
        make_cases=lambda rng: [(_u(rng, 0.5, 50), _u(rng, 0.1, 10),
                                 float(10.0 ** rng.uniform(-4, -1))) for _ in range(8)],
        reference=_gd_steps_bound),
}
