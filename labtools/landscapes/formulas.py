"""A learner's own function: ``landscape(...)`` from a catalog name, a formula string
(checked token by token and bounded in size before SymPy parses it) or a callable.
"""

from __future__ import annotations

import difflib
import inspect
import io
import math
import tokenize

import numpy as np
import sympy

from .._checks import check_choice, check_number, check_window, show
from .base import SYMBOL_X, SYMBOL_Y, Landscape, window_bounds
from .catalog import CATALOG

__all__ = [
    "landscape",
    "ALLOWED_FUNCTIONS",
]


#: Names a learner's expression may use besides ``x`` and ``y``.
ALLOWED_FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign,
    "pi": sympy.pi, "E": sympy.E, "e": sympy.E,
}


_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")"}


#: Bounds on a learner's expression, so that SymPy and Python's parser never
#: recurse past their limits: characters, parenthesis depth, powers nested in
#: powers (a tower ``x**x**...``, with or without parentheses), and signs in a
#: row (``- - - x`` nests too).
MAX_EXPRESSION_CHARS = 1000


MAX_EXPRESSION_DEPTH = 30


MAX_POWER_NESTING = 12


MAX_SIGNS_IN_A_ROW = 10


_DEFAULT_WINDOW = (-3.0, 3.0)

_CACHE: dict = {}


def _parse_expression(text):
    """Turn a learner's string into a SymPy expression, checking every token.

    Only numbers, the variables ``x`` and ``y``, the names in
    ``ALLOWED_FUNCTIONS`` and arithmetic operators may appear; everything
    is checked before SymPy evaluates anything.
    """
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    def fail(reason):
        return ValueError(f"could not understand the expression {text!r}: {reason}")

    if not text.strip():
        raise fail("it is empty; write a formula in x and y such as 'x**2 + y**2'")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"name_or_expression must be at most {MAX_EXPRESSION_CHARS} characters long, got "
            f"{len(text)} ({text[:40]!r}...)"
        )
    allowed_names = {"x", "y", *ALLOWED_FUNCTIONS}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        raise fail("unbalanced parentheses or an unfinished line") from None
    depth = signs = 0
    chains = [0]  # powers chained at each open parenthesis level
    previous = None
    for tok in tokens:
        kind, s = tok.type, tok.string
        signs = signs + 1 if s in ("+", "-") else 0
        if s == "(":
            chains.append(0)
        elif s == ")" and len(chains) > 1:
            chains.pop()
        elif s in ("**", "^"):
            chains[-1] += 1
        elif s in ("+", "-", "*", "/") and previous not in _OPERATORS - {")"}:
            chains[-1] = 0  # a binary operator ends the tower at this level
        previous = s
        if len(chains) - 1 > MAX_EXPRESSION_DEPTH or sum(chains) > MAX_POWER_NESTING or (
                signs > MAX_SIGNS_IN_A_ROW):
            raise ValueError(
                f"name_or_expression is nested too deeply to parse safely: at most "
                f"{MAX_EXPRESSION_DEPTH} levels of parentheses, {MAX_POWER_NESTING} powers "
                f"inside powers and {MAX_SIGNS_IN_A_ROW} signs in a row, in {text[:40]!r}..."
            )
        if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                    tokenize.INDENT, tokenize.DEDENT):
            continue
        if kind == tokenize.NAME:
            if s not in allowed_names and set(s) <= {"x", "y"}:
                raise ValueError(
                    f"unknown name {s!r} in expression {text!r}: use x and y; "
                    f"for a product write {'*'.join(s)}"
                )
            if s not in allowed_names:
                funcs = ", ".join(sorted(k for k in ALLOWED_FUNCTIONS if k.islower()))
                raise ValueError(
                    f"unknown name {s!r} in expression {text!r}: use x and y "
                    f"(x alone for 1-D), numbers, + - * / ** ^ and the names "
                    f"{funcs}"
                )
        elif kind == tokenize.NUMBER:
            if s[-1] in "jJ":
                raise fail(f"complex number {s!r}; landscapes are real-valued")
        elif kind == tokenize.OP:
            if s not in _OPERATORS:
                raise fail(f"the symbol {s!r} is not allowed; use numbers, x, y, "
                           f"+ - * / ** ^ ( ) and function calls like sin(x)")
            depth += {"(": 1, ")": -1}.get(s, 0)
            if depth < 0:
                raise fail("a ')' has no matching '('")
        else:
            raise fail(f"{s!r} is not allowed; use numbers, x, y, + - * / ** ^ "
                       f"( ) and function calls like sin(x)")
    _check_number_sizes(tokens, fail)
    local = {"x": SYMBOL_X, "y": SYMBOL_Y, **ALLOWED_FUNCTIONS}
    transformations = standard_transformations + (
        implicit_multiplication_application, convert_xor)
    try:
        expr = parse_expr(text, local_dict=local, transformations=transformations)
    except RecursionError:  # the bounds above should make this unreachable
        raise ValueError(
            f"name_or_expression is nested too deeply to parse: {text[:40]!r}..."
        ) from None
    except (SyntaxError, tokenize.TokenError):
        raise fail("it is incomplete or has an operator in the wrong place; "
                   "check for a missing number, variable or parenthesis") from None
    except (TypeError, ValueError, AttributeError) as err:
        raise fail(f"{type(err).__name__}: {err}") from None
    # (a Symbol is also a sympy Boolean, so test for Expr, then rule out relations)
    if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.core.relational.Relational):
        raise fail("it is not a formula with a number value")
    if expr.has(sympy.I) or expr.has(sympy.zoo) or expr.has(sympy.nan) or expr.has(
            sympy.oo):
        raise fail("it is not real and finite (it contains i, infinity or 0/0)")
    return expr


def _check_number_sizes(tokens, fail):
    """Refuse numbers too large for floating point before SymPy computes them.

    SymPy evaluates ``9^9^9`` exactly, which takes minutes and gigabytes; a
    run of numbers joined by powers is estimated in floating point first.
    """
    sig = [t.string for t in tokens if t.type in (tokenize.NUMBER, tokenize.OP)
           or t.type == tokenize.NAME]
    i = 0
    while i < len(sig):
        if not sig[i][:1].isdigit() and sig[i][:1] != ".":
            i += 1
            continue
        run = [sig[i]]
        j = i + 1
        while (j + 1 < len(sig) and sig[j] in ("**", "^")
               and (sig[j + 1][:1].isdigit() or sig[j + 1][:1] == ".")):
            run.append(sig[j + 1])
            j += 2
        value = float(run[-1])
        try:
            for base in reversed(run[:-1]):
                value = float(base) ** value
        except OverflowError:
            value = math.inf
        if not value < 1e300:
            raise fail(f"the number {'^'.join(run)} is too large to compute with")
        i = j
    return None


def _from_expr(expr, source, dim, window, name, citation=None):
    free = expr.free_symbols
    if dim is None:
        dim = 2 if SYMBOL_Y in free else 1
    else:
        dim = check_choice("dim", check_number("dim", dim, integer=True), [1, 2])
        if dim == 1 and SYMBOL_Y in free:
            raise ValueError(
                f"dim=1 but the expression {source!r} uses y; drop y or use dim=2"
            )
    symbols = (SYMBOL_X,) if dim == 1 else (SYMBOL_X, SYMBOL_Y)
    if window is None:
        window = [_DEFAULT_WINDOW] * dim
    window = check_window("window", window, dim)
    if name is None:
        name = source
    elif not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {show(name)}")
    return Landscape(
        name, expr, symbols, window, latex=None, citation=citation,
        description=f"A learner's landscape f = {sympy.sstr(expr)}.",
    )


def _from_callable(fn, dim, window, name):
    try:
        n_args = len([p for p in inspect.signature(fn).parameters.values()
                      if p.default is p.empty
                      and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        n_args = None
    if dim is None:
        dim = n_args if n_args in (1, 2) else 2
    dim = check_choice("dim", check_number("dim", dim, integer=True), [1, 2])
    symbols = (SYMBOL_X,) if dim == 1 else (SYMBOL_X, SYMBOL_Y)
    label = getattr(fn, "__name__", "the function")
    if n_args is not None and n_args != dim and not (dim == 2 and n_args == 1):
        raise ValueError(
            f"dim={dim} but {label} takes {n_args} argument"
            f"{'s' if n_args != 1 else ''}; write it as f(x) for 1-D or f(x, y) "
            f"for 2-D"
        )
    hint = (f"write {label} with sympy functions (sympy.sin, sympy.exp, ...) "
            f"instead of numpy ones, or pass the formula as a string such as "
            f"'x**2 + sin(y)'")
    try:
        if dim == 2 and n_args == 1:
            result = fn(symbols)  # fn(p) written with p[0], p[1]
        else:
            result = fn(*symbols)
        expr = sympy.sympify(result, strict=True)
    except Exception as err:  # any failure means fn cannot take symbols
        raise TypeError(
            f"could not differentiate {label}: calling it with SymPy symbols "
            f"failed ({type(err).__name__}: {err}); {hint}"
        ) from None
    if not isinstance(expr, sympy.Expr):
        raise TypeError(f"{label} must return a number-valued formula, got "
                        f"{show(result)}; {hint}")
    extra = expr.free_symbols - set(symbols)
    if extra:
        raise ValueError(
            f"{label} returned an expression with unknown symbols "
            f"{sorted(map(str, extra))}; use only {', '.join(map(str, symbols))}"
        )
    if expr.has(sympy.I):
        raise ValueError(f"{label} returned a complex expression; landscapes are "
                         f"real-valued")
    return _from_expr(expr, name or label, dim, window, name or label)


def landscape(name_or_expression, **params):
    """Get a landscape: a catalog entry, a learner's formula or a callable.

    Parameters
    ----------
    name_or_expression : str or callable
        One of the names in ``CATALOG``; or a formula in ``x`` (1-D) or
        ``x`` and ``y`` (2-D), e.g. ``"x**2 + 3*sin(y)"`` (``^`` means power,
        ``2x`` means ``2*x``; the functions in ``ALLOWED_FUNCTIONS`` may be
        used); or a Python function of ``x`` (and ``y``) written with SymPy
        functions, e.g. ``lambda x, y: x**2 + sympy.sin(y)``.
    **params
        Catalog parameters (``kappa`` for ``"quadratic"``, ``a`` and ``b`` for
        ``"rosenbrock"``). For every kind: ``window`` (one ``(low, high)``
        pair per coordinate; default ``(-3, 3)`` for formulas) and ``name``.
        For formulas and callables: ``dim`` (1 or 2; inferred by default).

    Returns
    -------
    Landscape

    Raises
    ------
    ValueError
        For an unknown catalog name or parameter, or a formula that does not
        parse or uses names other than x, y and the allowed functions.
    TypeError
        For a callable that cannot be called with SymPy symbols.

    Notes
    -----
    Catalog entries: ``saddle`` (x^2 - y^2), ``saddle_5`` (5x^2 - y^2, Dauphin
    et al. 2014), ``escapable_saddle`` (x^2/2 - y^2/2 + y^4/4, minima at
    (0, +-1)), ``monkey_saddle`` (x^3 - 3xy^2, degenerate), ``sine_tilt``
    (sin x + 0.2x, 1-D), ``two_minima_1d`` (x^4 - 3x^2 + x, 1-D: global minimum
    near -1.30, local minimum near 1.13), ``xcos`` (x cos(pi x), 1-D),
    ``double_well`` ((x^2 - 1)^2 + y^2), ``rosenbrock``, ``himmelblau``,
    ``six_hump_camel``, ``ackley`` (the gradient is not defined at the origin,
    a cone point: we return the subgradient 0 there, and as Hessian the
    Hessian of the smooth cosine part, 2 pi^2 e I; never NaN), ``rastrigin``
    (A = 10) and ``quadratic`` ((x^2 + kappa y^2)/2, kappa >= 1, default 10).

    Catalog landscapes are cached: asking twice for the same name and
    parameters returns the same (immutable) object.

    References
    ----------
    dauphin2014identifying, rosenbrock1960automatic, himmelblau1972applied,
    jamil2013literature, ackley1987connectionist, rastrigin1974systems

    Examples
    --------
    >>> import labtools as lt
    >>> lt.landscape("quadratic", kappa=4).hess([0.0, 0.0])
    array([[1., 0.],
           [0., 4.]])
    >>> f = lt.landscape("x^2 + 3*sin(y)", window=[(-2, 2), (-4, 4)])
    >>> f.grad([1.0, 0.0])
    array([2., 3.])
    >>> import sympy
    >>> lt.landscape(lambda x, y: x**2 + sympy.cos(y)).dim
    2
    """
    window = params.pop("window", None)
    name = params.pop("name", None)
    if callable(name_or_expression) and not isinstance(name_or_expression, str):
        _no_extra(params, ["dim", "window", "name"], "a callable")
        return _from_callable(name_or_expression, params.get("dim"), window, name)
    if not isinstance(name_or_expression, str):
        raise TypeError(
            f"name_or_expression must be a catalog name, a formula string or a "
            f"function, got {show(name_or_expression)}"
        )
    text = name_or_expression
    key = text.strip()
    if key in CATALOG:
        factory = CATALOG[key]
        allowed = [p for p in inspect.signature(factory).parameters]
        _no_extra(params, allowed + ["window", "name"], f"landscape {key!r}")
        cache_key = (key, tuple(sorted(params.items())),
                     None if window is None else repr(window), name)
        try:
            hit = _CACHE.get(cache_key)
        except TypeError:  # unhashable parameter values: no caching
            hit, cache_key = None, None
        if hit is not None:
            return hit
        made = factory(**params)
        if window is not None or name is not None:
            made = _rebuild(made, window=window, name=name)
        if cache_key is not None:
            if len(_CACHE) >= 256:  # a slider over kappa should not grow it forever
                _CACHE.clear()
            _CACHE[cache_key] = made
        return made
    if key.isidentifier() and key not in ("x", "y") and key not in ALLOWED_FUNCTIONS:
        close = difflib.get_close_matches(key, CATALOG, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        names = ", ".join(repr(k) for k in CATALOG)
        raise ValueError(
            f"unknown landscape {key!r}{hint}: use one of {names}, or a formula "
            f"in x and y such as 'x**2 + y**2'"
        )
    _no_extra(params, ["dim", "window", "name"], "a formula")
    expr = _parse_expression(text)
    return _from_expr(expr, text, params.get("dim"), window, name)


def _no_extra(params, allowed, what):
    extra = [k for k in params if k not in allowed]
    if extra:
        raise ValueError(
            f"unknown parameter {extra[0]!r} for {what}: allowed are "
            f"{', '.join(allowed)}"
        )


def _rebuild(base, *, window=None, name=None):
    """Copy a catalog landscape with another window or name."""
    window = base.window if window is None else check_window("window", window, base.dim)
    mins = base.minimizers
    if mins is not None and window != base.window:
        lo, hi = window_bounds(window)
        mins = mins[np.all((mins >= lo) & (mins <= hi), axis=1)]
    return Landscape(
        base.name if name is None else name, base.expr, base.symbols, window,
        minimizers=mins, global_min=base.global_min, latex=base.latex,
        citation=base.citation, description=base.description, polish=False,
        singular=base.singular, params=dict(base.params),
    )
