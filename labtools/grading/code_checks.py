"""Write-a-function questions: random cases, reference implementations, comparison.

This module is the instructor side of the code questions. The grader imports
it in its own process; the grading sandbox does not show it to a learner's
kernel (see :mod:`labtools.grading.sandbox`), and the learners' repository
leaves it out (:mod:`labtools.grading.release`), so ``CODE_CHECKS[...].reference``
cannot be borrowed. Learners get a few public examples with their expected
outputs in the compiled bank (``CodeCheck.examples``); the grader checks
hidden random cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .base import judge_outputs
from .harness import plain

__all__ = ["CodeCheck", "CODE_CHECKS"]

PUBLIC_SEED = 20260101  # the seed of the public example cases in the banks

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
        return judge_outputs(cases, outputs, self.expected(cases), points, signature,
                             self.rtol, self.atol, "random cases")

    def examples(self, n: int = 3, avoid=()) -> list[dict]:
        """``n`` public example cases with the reference's outputs (for the banks).

        They come from a fixed seed, so the compiled bank is reproducible; the
        grader draws its own hidden cases. A case whose output comes within
        ``10 tol`` of a key in ``avoid`` (``(value, tol)`` pairs: the bank's
        numeric keys) is skipped, so an example never gives a key away.
        """
        rng = np.random.default_rng(PUBLIC_SEED)
        chosen = []
        for _ in range(50):
            cases = self.make_cases(rng)
            for c, e in zip(cases, self.expected(cases), strict=True):
                nums = np.asarray(e, dtype=float).ravel() if not isinstance(e, str) else []
                if not any(abs(x - v) <= 10 * t for x in nums for v, t in avoid):
                    chosen.append({"args": list(c), "expected": e})
                if len(chosen) == n:
                    return chosen
        raise ValueError(f"no {n} public examples stay clear of the keys {avoid}")


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
