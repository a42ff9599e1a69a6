"""Graded questions whose keys are stored nowhere: one variant per learner.

A *variant* question (``kind = "variant"`` in a bank) names a generator below.
Each learner gets their own parameters, drawn from a seed that only the
instructor can compute::

    seed = HMAC-SHA256(secret, "learner id | question id")

The secret lives outside the repository, in a file (``--secret-file``) or the
environment variable ``LABTOOLS_GRADING_SECRET``, and is given to
``python -m labtools.assign`` (which writes each learner's parameters, never a
key) and to ``python -m labtools.grade`` (which recomputes each learner's
parameters from their id, and the key from the parameters with ``labtools``,
at grading time). The compiled bank holds no hash for these questions, so
there is nothing to brute-force; another learner's parameters cannot be
derived without the secret, and an answer copied from a classmate answers a
different question. The idea follows PrairieLearn's question variants.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..curvature import classify

__all__ = ["Variant", "GENERATORS", "read_secret", "variant_seed", "make_variant",
           "practice_variant", "critical_label", "power_of_ten", "himmelblau_formula",
           "himmelblau_saddles", "SECRET_ENV"]

SECRET_ENV = "LABTOOLS_GRADING_SECRET"
MIN_SECRET = 16


@dataclass(frozen=True)
class Variant:
    """One learner's version of a question: what they are shown, and its key.

    ``key`` is a number (checked within ``tol``), a label, or a list of labels
    (one per item, credit per item; ``labels`` lists the labels allowed).
    ``mistakes`` are ``(value, hint)`` pairs for known wrong numbers.
    """

    params: dict
    key: float | str | list
    tol: float | None = None  # None for a label
    labels: tuple | None = None
    mistakes: tuple = ()

    def score(self, answer) -> float:
        """The fraction of this variant's credit that ``answer`` earns (0 to 1)."""
        from .base import as_number, normalize_answer

        if isinstance(self.key, list):
            value = normalize_answer(answer)
            if isinstance(value, str) and len(self.key) == 1:
                value = [value]  # one item: its label alone is an answer too
            if not isinstance(value, list) or len(value) != len(self.key):
                return 0.0
            right = sum(isinstance(v, str) and v.strip().lower() == k
                        for v, k in zip(value, self.key, strict=True))
            return right / len(self.key)
        if self.tol is None:
            value = normalize_answer(answer)
            return float(isinstance(value, str) and value.strip().lower() == self.key)
        x = as_number(answer)
        return float(x is not None and math.isfinite(x)
                     and abs(x - float(self.key)) <= self.tol)

    def check(self, answer) -> bool:
        return self.score(answer) == 1.0


def read_secret(path=None) -> bytes:
    """The instructor's secret: the file ``path``, else ``$LABTOOLS_GRADING_SECRET``.

    Raises
    ------
    ValueError
        When neither is given, or the secret is shorter than 16 characters.
    """
    if path is not None:
        text = Path(path).read_text(encoding="utf-8").strip()
        where = f"secret file {path}"
    else:
        text = os.environ.get(SECRET_ENV, "").strip()
        where = f"${SECRET_ENV}"
        if not text:
            raise ValueError(f"variant questions need the instructor's secret: pass "
                             f"--secret-file FILE or set {SECRET_ENV}")
    if len(text) < MIN_SECRET:
        raise ValueError(f"the {where} must hold at least {MIN_SECRET} characters, "
                         f"got {len(text)}")
    return text.encode()


def variant_seed(secret: bytes, learner: str, qid: str) -> int:
    """The seed of ``learner``'s variant of question ``qid`` (a 64-bit integer).

    Examples
    --------
    >>> variant_seed(b"0123456789abcdef", "alice", "ex/q1") == variant_seed(
    ...     b"0123456789abcdef", "alice", "ex/q1")
    True
    >>> variant_seed(b"0123456789abcdef", "alice", "ex/q1") != variant_seed(
    ...     b"0123456789abcdef", "bob", "ex/q1")
    True
    """
    mac = hmac.new(secret, f"{learner}|{qid}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big")


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(k: int) -> str:
    """``10`` to the power ``k`` as a learner reads it: ``power_of_ten(-6) == '10⁻⁶'``."""
    return "10" + str(k).translate(SUPERSCRIPT)


def _times(coef, var: str) -> str:
    """``coef·var`` as written by hand: ``_times(1, 'y²') == 'y²'``."""
    return var if coef == 1 else f"{coef}{var}"


def _pick(rng, values):
    """One of ``values`` (a Python number or string, never a NumPy scalar)."""
    return values[int(rng.integers(len(values)))]


def _mistakes(key: float, tol: float, pairs) -> tuple:
    """The ``(value, hint)`` pairs whose value is clearly not the key (over 3 tol away)."""
    kept: list[tuple[float, str]] = []
    for v, h in pairs:
        if math.isfinite(v) and all(abs(v - w) > 3 * tol for w in [key] + [w for w, _ in kept]):
            kept.append((float(v), h))
    return tuple(kept)


def _rel(key: float, rel: float, floor: float) -> float:
    """A tolerance of ``rel`` times the key, at least ``floor``."""
    return float(f"{max(floor, rel * abs(key)):.2g}")


@lru_cache(maxsize=256)
def _surface(formula: str):
    from ..landscapes import landscape

    return landscape(formula)


def critical_label(formula: str, point, labels) -> str:
    """The second-derivative verdict on ``formula`` at ``point``, in the words of ``labels``.

    ``'not critical'`` when the gradient does not vanish there; otherwise
    :func:`labtools.curvature.classify` of the Hessian, named with the first
    label of ``labels`` that starts with its word (``'saddle'`` becomes
    ``'saddle (eigenvalues of both signs)'`` when that is the label offered).
    """
    surf = _surface(formula)
    x = np.asarray(point, dtype=float)
    if np.linalg.norm(surf.grad(x)) > 1e-9:
        word = "not critical"
    else:
        word = classify(np.atleast_2d(surf.hess(x)))
    return next(lab for lab in labels if lab.startswith(word))


# --- generators: one per graded value question of the exercise banks -------------
# Each draws the learner's numbers from ``rng`` and computes the key from them.

def _escape_steps(rng) -> Variant:
    lr = float(rng.choice([0.02, 0.05, 0.1, 0.2]))
    lam = -round(float(rng.uniform(0.5, 4.0)), 2)
    k = int(rng.integers(3, 10))
    key = math.log(10.0 ** k) / math.log(1 + lr * abs(lam))
    return Variant({"lr": lr, "lam": lam, "eps": f"1e-{k}"}, key, tol=0.05)


def _step_size_limit(rng) -> Variant:
    a, b = (round(float(v), 1) for v in rng.uniform(0.5, 20.0, 2))
    key = 2.0 / max(a, b)
    return Variant({"a": a, "b": b}, key, tol=max(1e-4, 1e-3 * key))


def _classify_point(rng) -> Variant:
    kind = str(rng.choice(["minimum", "maximum", "saddle"]))
    signs = {"minimum": (1, 1), "maximum": (-1, -1), "saddle": (1, -1)}[kind]
    eigs = np.array(signs) * rng.integers(1, 6, 2)
    angle = float(rng.choice([0.0, np.pi / 4, np.pi / 3, np.pi / 6]))
    q = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    h = np.round(q @ np.diag(eigs) @ q.T, 3)
    return Variant({"h11": float(h[0, 0]), "h12": float(h[0, 1]), "h22": float(h[1, 1]),
                    "items": ["the critical point"]}, [classify(h)], labels=LABELS_POINT)


def _chord_gap(rng) -> Variant:  # ex01 q2
    c = _pick(rng, [1, 2, 3, 4])
    a, b = _pick(rng, [-2.0, -1.5, -1.0, -0.5]), _pick(rng, [0.5, 1.0, 1.5, 2.0])
    t = _pick(rng, [0.25, 0.5, 0.75])

    def f(x):
        return x ** 4 - c * x ** 2

    key = t * f(a) + (1 - t) * f(b) - f(t * a + (1 - t) * b)
    return Variant({"c": c, "a": a, "b": b, "t": t}, key, tol=0.01, mistakes=_mistakes(
        key, 0.01, [(-key, "Check the sign: the gap is the chord's height minus the graph's "
                           "height."),
                    (t * f(a) + (1 - t) * f(b), "Subtract the graph's height at the mixed "
                                                "point t·a + (1 − t)·b.")]))


LABELS_POINT = ("minimum", "maximum", "saddle", "degenerate")
LABELS_1D = ("minimum", "maximum", "saddle", "degenerate (test inconclusive)",
             "not critical")
LABELS_2D = ("minimum", "maximum", "saddle (eigenvalues of both signs)",
             "degenerate (test inconclusive)")


def _items_variant(rng, items, labels) -> Variant:
    """A label question on ``items`` = ``[(shown text, formula, point)]``, in a drawn order."""
    order = rng.permutation(len(items))
    items = [items[i] for i in order]
    key = [critical_label(formula, point, labels) for _, formula, point in items]
    return Variant({"items": [text for text, _, _ in items],
                    "formulas": [formula for _, formula, _ in items],
                    "points": [list(point) for _, _, point in items]}, key, labels=labels)


def _classify_1d(rng) -> Variant:  # ex01 q5
    m = _pick(rng, [1, 2, 3])
    c = 2 * m * m  # f(x) = x⁴ − c x² has minimizers ±m and a maximum at 0
    side = _pick(rng, [-1, 1])
    k = _pick(rng, [3, 5])
    p, q = _pick(rng, [1, 2, 3]), _pick(rng, [1, 2, 3])
    off = _pick(rng, [0.5, m + 0.5])
    f_text, f_formula = f"f(x) = x⁴ − {c}x²", f"x**4 - {c}*x**2"
    items = [(f"{f_text} at x = {side * m}", f_formula, (float(side * m),)),
             (f"{f_text} at x = 0", f_formula, (0.0,)),
             (f"g(x) = x{str(k).translate(SUPERSCRIPT)} at x = 0", f"x**{k}", (0.0,)),
             (f"h(x, y) = {_times(p, 'x²')} − {_times(q, 'y²')} at (0, 0)",
              f"{p}*x**2 - {q}*y**2", (0.0, 0.0)),
             (f"{f_text} at x = {off}", f_formula, (float(off),))]
    return _items_variant(rng, items, LABELS_1D)


def _restart_success(rng) -> Variant:  # ex02 q1
    p = _pick(rng, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4])
    k = int(rng.integers(3, 21))
    key = 1 - (1 - p) ** k
    return Variant({"p": p, "k": k}, key, tol=0.002, mistakes=_mistakes(key, 0.002, [
        ((1 - p) ** k, "That is the probability that every restart misses; the question "
                       "asks for its complement."),
        (k * p, "Probabilities of separate restarts do not add up (k·p can exceed 1). "
                "Compute the chance that every restart misses first."),
        (p, "That is one restart. With k of them, at least one has to succeed.")]))


def _restarts_needed(rng) -> Variant:  # ex02 q2
    p = _pick(rng, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4])
    target = _pick(rng, [0.9, 0.95, 0.99, 0.999])
    exact = math.log(1 - target) / math.log(1 - p)
    key = math.ceil(exact - 1e-9)
    return Variant({"p": p, "target": target}, key, tol=0.1, mistakes=_mistakes(key, 0.1, [
        (exact, "k must be a whole number of restarts: round up."),
        (key - 1, f"With {key - 1} restarts the probability is just short of {target}."),
        (1 / p, "1/p restarts are not enough; solve 1 − (1 − p)ᵏ ≥ target for k.")]))


def _tilted_sine_minimizer(rng) -> Variant:  # ex02 q3
    c = _pick(rng, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7])
    key = math.pi + math.acos(c)  # cos x = −c with sin x < 0
    return Variant({"c": c}, key, tol=0.005, mistakes=_mistakes(key, 0.005, [
        (math.pi - math.acos(c), "There f′(x) = 0, but f″(x) = −sin x < 0: that point is a "
                                 "local maximum."),
        (2 * math.pi - math.acos(c), "Solve cos x = −c (so that f′(x) = cos x + c = 0), "
                                     "not cos x = c."),
        (1.5 * math.pi, "3π/2 is where sin x is smallest; the tilt moves the minimizer "
                        "away from it.")]))


def _tilted_sine_limit(rng) -> Variant:  # ex02 q6
    c = _pick(rng, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7])
    curv = math.sqrt(1 - c * c)  # f″(x*) = −sin x* at every minimizer
    key = 2 / curv
    return Variant({"c": c}, key, tol=0.005, mistakes=_mistakes(key, 0.005, [
        (2.0, "At a minimizer f″(x*) = −sin x* = √(1 − c²), not 1."),
        (1 / curv, "The limit is 2/λ_max, not 1/λ_max: the factor 1 − ηλ must stay above "
                   "−1."),
        (2 / c, "The tilt is the slope of the linear part; the curvature comes from sin x "
                "alone.")]))


def _saddle_escape(rng) -> Variant:  # ex03 q2
    lr = _pick(rng, [0.05, 0.1, 0.2])
    b = _pick(rng, [0.5, 1, 1.5, 2, 3])
    k = int(rng.integers(4, 10))
    grow = math.log(1 + lr * 2 * b)  # λ_min of x² − b·y² is −2b
    key = k * math.log(10) / grow
    return Variant({"lr": lr, "b": b, "k": k, "eps": power_of_ten(-k), "eps_value": 10.0 ** -k},
                   key, tol=0.05, mistakes=_mistakes(key, 0.05, [
                       (k * math.log(10) / (lr * 2 * b), "That uses ln(1 + z) ≈ z. The growth "
                        "factor per step is exactly 1 + lr·|λ_min|; use its logarithm."),
                       (k * math.log(10) / math.log(1 + lr * b), "λ_min of x² − b·y² is −2b: "
                        "the Hessian is diag(2, −2b)."),
                       (k / grow, "Use the same logarithm in the numerator and the "
                                  "denominator.")]))


def _classify_2d(rng) -> Variant:  # ex03 q4
    a, b = _pick(rng, [1, 2, 3]), _pick(rng, [1, 2, 3])
    d = _pick(rng, [1, 4, 9])
    r = int(round(math.sqrt(d)))
    c = _pick(rng, [0.5, 1.0, 1.5])
    s = _pick(rng, [1, -1])
    ey = _pick(rng, [-r, r])
    f_text = f"f(x, y) = x³ − {3 * a * a}x + {_times(b, 'y²')}"
    f_formula = f"x**3 - {3 * a * a}*x + {b}*y**2"
    e_text = f"e(x, y) = x²/2 − {_times(d, 'y²')}/2 + y⁴/4"
    e_formula = f"x**2/2 - {d}*y**2/2 + y**4/4"
    g_sign = "" if s > 0 else "−"
    g_text = f"g(x, y) = {g_sign}x² {'+' if s > 0 else '−'} y² + {c}xy"
    g_formula = f"{s}*(x**2 + y**2) + {c}*x*y"
    m_text, m_formula = _pick(rng, [("m(x, y) = x³ − 3xy²", "x**3 - 3*x*y**2"),
                                    ("m(x, y) = y³ − 3x²y", "y**3 - 3*x**2*y")])
    items = [(f"{f_text} at ({a}, 0)", f_formula, (float(a), 0.0)),
             (f"{f_text} at ({-a}, 0)", f_formula, (float(-a), 0.0)),
             (f"{m_text} at (0, 0)", m_formula, (0.0, 0.0)),
             (f"{g_text} at (0, 0)", g_formula, (0.0, 0.0)),
             (f"{e_text} at (0, {ey})", e_formula, (0.0, float(ey))),
             (f"{e_text} at (0, 0)", e_formula, (0.0, 0.0))]
    return _items_variant(rng, items, LABELS_2D)


def _contraction_steps(rng) -> Variant:  # ex03 q6
    lr = _pick(rng, [0.05, 0.1, 0.15, 0.2, 0.3])
    x0 = _pick(rng, [1.5, 2.0, 2.5, 3.0])
    k = int(rng.integers(4, 9))
    x, steps = x0, 0
    while abs(x) >= 10.0 ** -k:
        x, steps = x - lr * 2 * x, steps + 1  # ∂f/∂x = 2x on x² − y²
    exact = math.log(10.0 ** -k / x0) / math.log(1 - 2 * lr)
    return Variant({"lr": lr, "x0": x0, "k": k, "eps": power_of_ten(-k),
                    "eps_value": 10.0 ** -k}, steps, tol=0.1, mistakes=_mistakes(steps, 0.1, [
                        (exact, "The number of steps is a whole number: round up."),
                        (steps - 1, f"After {steps - 1} steps |x| = {x0}·{1 - 2 * lr:g}^"
                                    f"{steps - 1} is still above {power_of_ten(-k)}.")]))


def _monkey_eigenvalue(rng) -> Variant:  # ex03 q8
    from ..curvature import hessian_eigs

    px = _pick(rng, [-1.0, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0])
    py = _pick(rng, [-1.0, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.0])
    key = float(hessian_eigs(_surface("x**3 - 3*x*y**2"), np.array([px, py])).eigenvalues[-1])
    return Variant({"px": px, "py": py}, key, tol=0.005, mistakes=_mistakes(key, 0.005, [
        (6 * max(px, -px), "The diagonal entries are the eigenvalues only when the "
                           "off-diagonal entries vanish."),
        (0.0, "The Hessian is zero only at the origin; its trace is 0 but its determinant "
              "is not."),
        (key * key, "That is minus the determinant, −λ₁·λ₂; with λ₁ + λ₂ = 0 take its "
                    "square root.")]))


def _draw_spd(rng) -> tuple[int, int, int]:
    while True:
        a, d = int(rng.integers(2, 10)), int(rng.integers(1, 10))
        b = int(rng.integers(1, 4))
        if a * d - b * b >= 4 and a != d:
            return a, b, d


def _eigs(a, b, d) -> np.ndarray:
    return np.linalg.eigvalsh(np.array([[a, b], [b, d]], dtype=float))


def _condition_number(rng) -> Variant:  # ex04 q2
    a, b, d = _draw_spd(rng)
    lo, hi = _eigs(a, b, d)
    key = float(hi / lo)
    return Variant({"a": a, "b": b, "d": d}, key, tol=0.01, mistakes=_mistakes(key, 0.01, [
        (1 / key, "κ is the largest eigenvalue over the smallest, not the other way round."),
        (max(a, d) / min(a, d), "The matrix is not diagonal: the condition number comes "
                                "from its eigenvalues, not from its diagonal entries.")]))


def _quadratic_threshold(rng) -> Variant:  # ex04 q3
    a, b, d = _draw_spd(rng)
    lo, hi = _eigs(a, b, d)
    key = float(2 / hi)
    return Variant({"a": a, "b": b, "d": d}, key, tol=0.002, mistakes=_mistakes(key, 0.002, [
        (2 / lo, "The limit is set by the steepest direction, λ_max, not the flattest."),
        (1 / hi, "1/λ_max reaches the minimum along the top eigenvector in one step; "
                 "gradient descent still converges up to twice that."),
        (2 / (hi + lo), "2/(λ_max + λ_min) is the learning rate with the fastest "
                        "convergence, not the largest stable one.")]))


def himmelblau_formula(a: int, b: int) -> str:
    return f"(x**2 + y - {a})**2 + (x + y**2 - {b})**2"


@lru_cache(maxsize=16)
def himmelblau_saddles(a: int, b: int) -> tuple:
    """The saddle points of ``(x² + y − a)² + (x + y² − b)²``, by Newton from a grid."""
    surf = _surface(himmelblau_formula(a, b))
    found: list[np.ndarray] = []
    for x0 in np.linspace(-5, 5, 11):
        for y0 in np.linspace(-5, 5, 11):
            x = _newton(surf, (x0, y0))
            if x is not None and classify(surf.hess(x)) == "saddle" and not any(
                    np.linalg.norm(x - f) < 1e-6 for f in found):
                found.append(x)
    return tuple(sorted(tuple(x) for x in found))


def _newton(surf, start, steps=60):
    x = np.array(start, dtype=float)
    for _ in range(steps):
        try:
            x = x - np.linalg.solve(surf.hess(x), surf.grad(x))
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(x)) or np.linalg.norm(x) > 1e3:
            return None
    return x if np.linalg.norm(surf.grad(x)) < 1e-8 else None


def _himmelblau_saddle(rng) -> Variant:  # ex04 q6
    a, b = _pick(rng, [10, 11, 12]), _pick(rng, [6, 7, 8])
    saddles = himmelblau_saddles(a, b)
    sx, sy = saddles[int(rng.integers(len(saddles)))]
    surf = _surface(himmelblau_formula(a, b))
    near = (round(sx, 1), round(sy, 1))
    x = _newton(surf, near)
    key = float(np.linalg.eigvalsh(surf.hess(x))[0])
    others = [float(np.linalg.eigvalsh(surf.hess(np.array(s)))[0]) for s in saddles
              if np.linalg.norm(np.array(s) - x) > 1e-6]
    return Variant({"a": a, "b": b, "sx": near[0], "sy": near[1]}, key, tol=0.2,
                   mistakes=_mistakes(key, 0.2, [
                       (float(np.linalg.eigvalsh(surf.hess(x))[1]), "That is the positive "
                        "eigenvalue, the curvature across the pass. The question asks for "
                        "the negative one.")] + [
                       (v, "That is another saddle of this function; start Newton's method "
                           "from the point given.") for v in others]))


def _momentum_rate(rng) -> Variant:  # ex05 q2
    kappa = _pick(rng, [16, 25, 36, 49, 64, 100, 144, 225, 400, 900, 50, 200, 500])
    r = math.sqrt(kappa)
    key = (r - 1) / (r + 1)
    return Variant({"kappa": kappa}, key, tol=0.001, mistakes=_mistakes(key, 0.001, [
        ((kappa - 1) / (kappa + 1), "(κ − 1)/(κ + 1) is the rate of tuned gradient descent; "
                                    "momentum replaces κ by √κ."),
        (key * key, "That is the tuned β = ((√κ − 1)/(√κ + 1))²; the rate is its square "
                    "root."),
        (0.9, "β = 0.9 is a common default for the momentum parameter, not the rate for "
              "this κ.")]))


def _saddle_free_newton(rng) -> Variant:  # ex05 q3
    a, b = _pick(rng, [1, 2, 3, 5]), _pick(rng, [1, 2, 3])
    lr = _pick(rng, [0.25, 0.5, 0.75, 1.0])
    x0, y0 = _pick(rng, [-2.0, -1.0, 1.0, 2.0]), _pick(rng, [-1.5, -1.0, -0.5, 0.5, 1.0, 1.5])
    # ∂f/∂y = −2b·y, |λ_y| = 2b: the y-step is +lr·y, away from the saddle
    key = y0 + lr * (2 * b * y0) / (2 * b)
    return Variant({"a": a, "b": b, "lr": lr, "x0": x0, "y0": y0}, key, tol=0.01,
                   mistakes=_mistakes(key, 0.01, [
                       (y0 * (1 - lr), "That is where pure Newton goes: dividing ∂f/∂y by "
                                       "the negative λ moves y towards the saddle."),
                       (y0 * lr, "That is the step; add it to the starting y.")]))


def _permutation_count(rng) -> Variant:  # ex06 q3
    n1, n2 = int(rng.integers(2, 8)), int(rng.integers(2, 8))
    key = math.factorial(n1) * math.factorial(n2)
    return Variant({"n1": n1, "n2": n2}, key, tol=0.4, mistakes=_mistakes(key, 0.4, [
        (n1 * n2, "That counts the units; the question counts the orders they can be put "
                  "in."),
        (math.factorial(n1 + n2), "A unit can only be swapped with a unit of its own layer: "
                                  "permute each layer separately."),
        (math.factorial(n1) + math.factorial(n2), "Every order of the first layer combines "
                                                  "with every order of the second: "
                                                  "multiply."),
        (key * 2 ** (n1 + n2), "That also counts sign flips (tanh is odd). The question asks "
                               "about permutations only.")]))


def _sampling_factor(rng) -> Variant:  # ex07 q2
    n = _pick(rng, [60, 100, 120, 200, 250, 400, 500, 800, 1000])
    batch = _pick(rng, [b for b in (8, 10, 16, 20, 25, 32, 40, 50, 64, 100, 128, 200, 250)
                        if b <= n // 2])
    key = (n - batch) / (n - 1)
    return Variant({"n": n, "B": batch}, key, tol=0.001, mistakes=_mistakes(key, 0.001, [
        ((n - batch) / n, "Close, but the denominator is n − 1, not n."),
        (batch / n, "That is B/n. The factor is the share of the data left out, corrected "
                    "by n − 1.")]))


def _sgd_extra_steps(rng) -> Variant:  # ex07 q3
    lam = _pick(rng, [-0.5, -1.0, -2.0])
    lr = _pick(rng, [0.05, 0.1, 0.2])
    m = _pick(rng, [4, 9, 16, 25, 100])
    root = int(round(math.sqrt(m)))
    grow = math.log(1 + lr * abs(lam))
    key = math.log(root) / grow
    return Variant({"lam": lam, "lr": lr, "m": m, "root": root}, key, tol=0.1,
                   mistakes=_mistakes(key, 0.1, [
                       (math.log(m) / grow, "Multiplying the batch by m divides the "
                        "variance by m but the standard deviation by only √m."),
                       (float(root), "The batch size enters through a logarithm of the "
                                     "noise's standard deviation.")]))


def _reparam_curvature(rng) -> Variant:  # ex07 q7
    c = _pick(rng, [2, 4, 5, 8, 10, 20, 25, 50])
    s = _pick(rng, [0.1, 0.2, 0.5, 2.0, 3.0])
    key = s * s * c
    tol = _rel(key, 0.005, 1e-4)
    return Variant({"c": c, "s": s}, key, tol=tol, mistakes=_mistakes(key, tol, [
        (s * c, "The second derivative picks up the factor dx/du twice."),
        (c / (s * s), "Here x = s·u, so dx/du = s, and the curvature is multiplied by s², "
                      "not divided.")]))


def _descent_lemma_bound(rng) -> Variant:  # ex08 q2
    lips, gap = _pick(rng, [1, 2, 4, 8]), _pick(rng, [0.5, 1, 2, 5])
    steps = _pick(rng, [25, 50, 100, 200, 400])
    key = math.sqrt(2 * lips * gap / steps)
    tol = _rel(key, 0.01, 0.002)
    return Variant({"L": lips, "gap": gap, "T": steps}, key, tol=tol,
                   mistakes=_mistakes(key, tol, [
                       (key * key, "That is the bound on the smallest squared gradient norm; "
                                   "take its square root."),
                       (math.sqrt(lips * gap / (2 * steps)), "The sum of the squared gradient "
                        "norms is at most 2 L Δf, not L Δf / 2; divide by the number of "
                        "steps.")]))


def _pl_bound(rng) -> Variant:  # ex08 q5
    mu, lips = _pick(rng, [0.25, 0.5, 1.0]), _pick(rng, [2, 4, 8])
    gap, k = _pick(rng, [1, 2, 5]), _pick(rng, [5, 10, 20])
    key = (1 - mu / lips) ** k * gap
    tol = _rel(key, 0.005, 0.001)
    return Variant({"mu": mu, "L": lips, "gap": gap, "k": k}, key, tol=tol,
                   mistakes=_mistakes(key, tol, [
                       ((1 - 2 * mu / lips) ** k * gap, "The contraction per step is "
                                                        "1 − μ/L, not 1 − 2μ/L."),
                       ((mu / lips) ** k * gap, "The contraction per step is 1 − μ/L, "
                                                "not μ/L.")]))


def _eos_sharpness(rng) -> Variant:  # ex08 q6
    lr = _pick(rng, [0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.012, 0.015, 0.016,
                     0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.125, 0.2])
    key = 2 / lr
    tol = _rel(key, 0.0125, 0.05)
    return Variant({"lr": lr}, key, tol=tol, mistakes=_mistakes(key, tol, [
        (1 / lr, "The stability limit of chapter 2 is 2/lr, not 1/lr."),
        (2 * lr, "That is 2·lr; the limit on the curvature is 2/lr.")]))


GENERATORS: dict[str, Callable] = {
    "escape_steps": _escape_steps,
    "step_size_limit": _step_size_limit,
    "classify_point": _classify_point,
    "chord_gap": _chord_gap,
    "classify_1d": _classify_1d,
    "restart_success": _restart_success,
    "restarts_needed": _restarts_needed,
    "tilted_sine_minimizer": _tilted_sine_minimizer,
    "tilted_sine_limit": _tilted_sine_limit,
    "saddle_escape": _saddle_escape,
    "classify_2d": _classify_2d,
    "contraction_steps": _contraction_steps,
    "monkey_eigenvalue": _monkey_eigenvalue,
    "condition_number": _condition_number,
    "quadratic_threshold": _quadratic_threshold,
    "himmelblau_saddle": _himmelblau_saddle,
    "momentum_rate": _momentum_rate,
    "saddle_free_newton": _saddle_free_newton,
    "permutation_count": _permutation_count,
    "sampling_factor": _sampling_factor,
    "sgd_extra_steps": _sgd_extra_steps,
    "reparam_curvature": _reparam_curvature,
    "descent_lemma_bound": _descent_lemma_bound,
    "pl_bound": _pl_bound,
    "eos_sharpness": _eos_sharpness,
}

PRACTICE_SEED = b"labtools-practice-variant-public"  # public on purpose: practice only


def _check_generator(generator: str) -> None:
    if generator not in GENERATORS:
        raise ValueError(f"generator must be one of {', '.join(GENERATORS)}; "
                         f"got {generator!r}")


@lru_cache(maxsize=512)
def practice_variant(generator: str, qid: str) -> Variant:
    """The public practice version of question ``qid``: the same for everyone.

    Its numbers and a salted hash of its key are in the compiled bank, so the
    notebook and the static page can check it; no learner is graded on it
    (:func:`make_variant` never hands these numbers out).
    """
    _check_generator(generator)
    rng = np.random.default_rng(variant_seed(PRACTICE_SEED, "practice", qid))
    return GENERATORS[generator](rng)


def make_variant(generator: str, secret: bytes, learner: str, qid: str) -> Variant:
    """``learner``'s variant of question ``qid`` (generator ``generator``).

    A draw whose numbers equal the public practice version is drawn again
    (from ``qid#1``, ``qid#2``, ...), so no learner is graded on the practice
    numbers (or numbers with the practice key), whose key the bank's hash gives away.
    """
    _check_generator(generator)
    practice = practice_variant(generator, qid)
    for n in range(100):
        tag = qid if n == 0 else f"{qid}#{n}"
        rng = np.random.default_rng(variant_seed(secret, learner, tag))
        variant = GENERATORS[generator](rng)
        if variant.params != practice.params and practice.score(variant.key) < 1:
            return variant
    raise ValueError(f"generator {generator!r} drew only the practice numbers for {qid}")
