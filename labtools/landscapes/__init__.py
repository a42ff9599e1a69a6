"""Landscapes: the functions the course optimizes, with exact derivatives.

A :class:`Landscape` is built from a SymPy expression. Its gradient and
Hessian are derived symbolically (``sympy.diff``) and compiled once with
``sympy.lambdify`` to NumPy, so every quantity is exact up to floating point
and evaluates on one point (shape ``(d,)``) or on a batch of points (shape
``(n, d)``) in a single vectorized call.

Use :func:`landscape` to get one: a name from ``CATALOG``, a learner's
expression string such as ``"x**2 + 3*sin(y)"``, or a Python callable written
with SymPy functions.

Examples
--------
>>> import labtools as lt
>>> f = lt.landscape("himmelblau")
>>> f.dim, f.window
(2, ((-5.0, 5.0), (-5.0, 5.0)))
>>> float(f.f([3.0, 2.0]))
0.0
>>> f.grad([[3.0, 2.0], [0.0, 0.0]]).shape
(2, 2)
>>> g = lt.landscape("x^4 - x^2")
>>> g.dim, round(float(g.f(1.0)), 12)
(1, 0.0)
"""

# shared with curvature, run and plots; lt does not re-export them
from .base import MAX_GRID, Landscape, newton_step, window_bounds
from .catalog import CATALOG
from .chain import SaddleChain, pl_example, saddle_chain
from .finite_sum import FiniteSum, finite_sum
from .formulas import ALLOWED_FUNCTIONS, landscape

# for the widgets' browser front ends; lt does not re-export it
from .js import landscape_js

__all__ = [
    "Landscape",
    "landscape",
    "CATALOG",
    "FiniteSum",
    "finite_sum",
    "ALLOWED_FUNCTIONS",
    "SaddleChain",
    "saddle_chain",
    "pl_example",
]
