"""The same landscape in JavaScript, for the widgets' browser front ends.

:func:`landscape_js` prints a :class:`~labtools.landscapes.Landscape`'s value,
gradient and Hessian as a JavaScript object, from the same SymPy expressions
that the landscape compiles to NumPy.
"""

from __future__ import annotations

import json

import numpy as np
import sympy
from sympy.printing.jscode import JavascriptCodePrinter

from .._checks import show
from .base import Landscape

__all__ = [
    "landscape_js",
]


def landscape_js(landscape):
    """JavaScript source for the value, gradient and Hessian of a landscape.

    The widgets' front ends (ES modules run by anywidget, in the static page
    and in JupyterLab) step optimizers in the browser; they get the landscape
    from here, printed from the same SymPy expressions that
    :class:`Landscape` compiles to NumPy, so Python stays the source of truth.
    Each formula is printed as it stands, term for term in the order
    ``sympy.lambdify`` prints it (no common-subexpression rewriting, which
    reorders sums), so the browser rounds as NumPy does and an optimizer's path
    stays within 1e-10 of Python's over hundreds of steps. Points where a
    derivative is not defined (Ackley's cone point) get the same stand-in
    values as :meth:`Landscape.grad` and :meth:`Landscape.hess`; where NumPy
    gives NaN (``log`` of a negative number, a fractional power of one) so
    does the JavaScript.

    Parameters
    ----------
    landscape : Landscape
        The landscape to print.

    Returns
    -------
    str
        A JavaScript expression (no statements around it) for an object
        ``{name, dim, f, grad, hess}``; ``f(p)``, ``grad(p)`` and ``hess(p)``
        take one point as an array ``[x]`` or ``[x, y]`` and return a number,
        an array of ``dim`` numbers and ``dim`` rows of ``dim`` numbers.
        Evaluate it with ``new Function("return " + source)()``.

    Examples
    --------
    >>> import labtools as lt
    >>> from labtools.landscapes import landscape_js
    >>> src = landscape_js(lt.landscape("x**2 - y**2"))
    >>> src.startswith("(() =>") and "grad(p)" in src
    True
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {show(landscape)}")

    class _Printer(JavascriptCodePrinter):
        # NumPy's x**p is NaN for a negative x and non-integer p; SymPy's printer
        # would use Math.cbrt for p = 1/3, which is real there. Squares are x*x,
        # as NumPy computes them; other whole powers go through powi (below).
        def _print_Pow(self, expr):
            base, exp = expr.args
            if exp == 2:
                b = self.parenthesize(base, 1000)  # 1000: above any operator
                return f"({b}*{b})"
            if exp == sympy.S.Half:
                return f"Math.sqrt({self._print(base)})"
            if exp == -1:
                return f"(1/{self.parenthesize(base, 1000)})"
            if exp.is_Integer and abs(int(exp)) <= 64:
                return f"powi({self._print(base)}, {int(exp)})"
            return f"Math.pow({self._print(base)}, {self._print(exp)})"

    def clean(e):  # as the NumPy compilation: DiracDelta (from d|x|/dx) is 0 almost everywhere
        return sympy.sympify(e).replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)

    dim = landscape.dim
    f = clean(landscape.expr)
    grad_s = [clean(g) for g in landscape.grad_expr]
    hess_s = [clean(h) for h in landscape.hess_expr]
    printer = _Printer({"strict": True})
    unpack = "const " + ", ".join(
        f"{s.name} = p[{i}]" for i, s in enumerate(landscape.symbols)) + ";"

    def patch(kind):
        # Same rule as Landscape.grad and Landscape.hess use: exactly at the point, or so close that
        # the formula is no longer finite.
        out = []
        for point, grad_value, hess_value in landscape.singular:
            value = grad_value if kind == "g" else hess_value
            dist = "Math.sqrt(" + " + ".join(
                f"(p[{i}] - ({float(c)!r}))**2" for i, c in enumerate(point)) + ")"
            bad = f"!{kind}.flat().every(Number.isFinite)"
            out.append(f"{{ const d = {dist}; if (d < 1e-100 || ({bad} && d < 1e-8)) "
                       f"{kind} = {json.dumps(np.asarray(value).tolist())}; }}")
        return "".join("\n    " + line for line in out)

    p = printer.doprint
    grad_code = "[" + ", ".join(p(g) for g in grad_s) + "]"
    hess_code = "[" + ", ".join(
        "[" + ", ".join(p(hess_s[i * dim + j]) for j in range(dim)) + "]"
        for i in range(dim)) + "]"
    return (
        "(() => {\n"
        f"{POWI_JS}"
        "return {\n"
        f"  name: {json.dumps(landscape.name)},\n"
        f"  dim: {dim},\n"
        f"  f(p) {{\n    {unpack}\n    return {p(f)};\n  }},\n"
        f"  grad(p) {{\n    {unpack}\n    let g = {grad_code};{patch('g')}\n"
        f"    return g;\n  }},\n"
        f"  hess(p) {{\n    {unpack}\n    let h = {hess_code};{patch('h')}\n"
        f"    return h;\n  }},\n"
        "};\n})()"
    )


# x**n for whole n as NumPy gets it from the C library's pow (correctly rounded
# nearly always). V8's Math.pow(x, 3) differs from it in the last bit for about
# one x in ten, which an optimizer's path amplifies over hundreds of steps;
# multiplying in double-double (Dekker's exact product) and rounding once
# matches it for all but about one x in a thousand.
POWI_JS = """\
const split = (a) => { const c = 134217729 * a; const h = c - (c - a); return [h, a - h]; };
const powi = (x, n) => {
  if (n === 0) return 1;
  const m = Math.abs(n);
  let hi = x, lo = 0;
  for (let i = 1; i < m; i++) {
    const p = hi * x, [ah, al] = split(hi), [bh, bl] = split(x);
    const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    const s = p + (e + lo * x);
    lo = (e + lo * x) - (s - p);
    hi = s;
  }
  if (n > 0) return hi + lo;
  const q = 1 / hi, [qh, ql] = split(q), [hh, hl] = split(hi);
  const r = 1 - qh * hh - (qh * hl + ql * hh) - ql * hl - q * lo;
  return q + q * r;
};
"""
