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
from pathlib import Path

import numpy as np

from ..curvature import classify

__all__ = ["Variant", "GENERATORS", "read_secret", "variant_seed", "make_variant",
           "SECRET_ENV"]

SECRET_ENV = "LABTOOLS_GRADING_SECRET"
MIN_SECRET = 16


@dataclass(frozen=True)
class Variant:
    """One learner's version of a question: what they are shown, and its key."""

    params: dict
    key: float | str
    tol: float | None = None  # None for a label

    def check(self, answer) -> bool:
        from .base import as_number, normalize_answer

        if self.tol is None:
            value = normalize_answer(answer)
            return isinstance(value, str) and value.strip().lower() == self.key
        x = as_number(answer)
        return x is not None and math.isfinite(x) and abs(x - float(self.key)) <= self.tol


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
    label = classify(h)
    return Variant({"h11": float(h[0, 0]), "h12": float(h[0, 1]), "h22": float(h[1, 1])},
                   label)


GENERATORS: dict[str, Callable] = {
    "escape_steps": _escape_steps,
    "step_size_limit": _step_size_limit,
    "classify_point": _classify_point,
}


def make_variant(generator: str, secret: bytes, learner: str, qid: str) -> Variant:
    """``learner``'s variant of question ``qid`` (generator ``generator``)."""
    if generator not in GENERATORS:
        raise ValueError(f"generator must be one of {', '.join(GENERATORS)}; "
                         f"got {generator!r}")
    rng = np.random.default_rng(variant_seed(secret, learner, qid))
    return GENERATORS[generator](rng)
