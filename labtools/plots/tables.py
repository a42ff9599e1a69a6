"""Tables of computed results as Markdown text, for notebooks and the built site."""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import fmt, show

__all__ = ["markdown_table"]


_ALIGN = {"left": ":---", "right": "---:", "center": ":---:"}


def _cell(value, spec, missing):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return missing
    if callable(spec):
        text = spec(value)
    elif spec is not None:
        text = format(value, spec)
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Number):
        text = str(value)
    elif isinstance(value, numbers.Integral):
        text = str(int(value))
    else:
        text = fmt(value)
    # a pipe would end the cell, a newline the row
    return str(text).replace("|", "\\|").replace("\n", " ")


def _per_column(name, value, n, default):
    if value is None:
        return [default] * n
    if isinstance(value, str) or callable(value):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{name} must have one entry per column ({n}), got {len(values)}")
    return [default if v is None else v for v in values]


def markdown_table(rows, headers, *, formats=None, align=None, missing="–"):
    """A Markdown (MyST) table of ``rows`` under ``headers``, as text.

    Show it in a notebook with ``display(Markdown(lt.markdown_table(...)))``;
    the built site renders it as a table (the text is also readable as is).

    Parameters
    ----------
    rows : iterable of sequences
        One sequence of cells per row, as many as ``headers``. A cell may be
        text, a number or ``None`` (shown as ``missing``).
    headers : sequence of str
        Column titles.
    formats : str, callable or sequence, optional
        How to write numbers: one format spec (``".3g"``, ``".0%"``) or
        function ``value -> str`` for every column, or one per column
        (``None`` for the default). By default whole numbers are written in
        full and other numbers with 3 significant digits.
    align : str or sequence, optional
        ``"left"``, ``"right"`` or ``"center"``, for all columns or one per
        column; by default a column is right-aligned when its first non-empty
        cell is a number, else left-aligned.
    missing : str or sequence of str, default "–"
        Text for ``None`` (and NaN) cells, for all columns or one per column
        (e.g. ``"> 3000"`` for a run that never got there).

    Returns
    -------
    str

    Examples
    --------
    >>> print(markdown_table([("gd", 1234, 0.5), ("adam", None, 0.875)],
    ...                      ["optimizer", "steps", "success"],
    ...                      formats=[None, None, ".0%"], missing="> 3000"))
    | optimizer | steps | success |
    | :--- | ---: | ---: |
    | gd | 1234 | 50% |
    | adam | > 3000 | 88% |
    """
    if isinstance(headers, str) or not hasattr(headers, "__iter__"):
        raise TypeError(f"headers must be a sequence of column titles, got {show(headers)}")
    headers = [str(h) for h in headers]
    n = len(headers)
    if n == 0:
        raise ValueError("headers must name at least one column, got none")
    if isinstance(rows, str) or not hasattr(rows, "__iter__"):
        raise TypeError(f"rows must be a sequence of rows (sequences of cells), got {show(rows)}")
    table = []
    for i, row in enumerate(rows):
        if isinstance(row, str) or not hasattr(row, "__iter__"):
            raise TypeError(f"rows[{i}] must be a sequence of cells, got {show(row)}")
        row = list(row)
        if len(row) != n:
            raise ValueError(f"rows[{i}] must have {n} cells (one per header), got {len(row)}")
        table.append(row)
    formats = _per_column("formats", formats, n, None)
    missing = _per_column("missing", missing, n, "–")
    if align is None:
        align = []
        for j in range(n):
            first = next((r[j] for r in table if r[j] is not None), None)
            numeric = isinstance(first, numbers.Number) and not isinstance(first, (bool, np.bool_))
            align.append("right" if numeric else "left")
    align = _per_column("align", align, n, "left")
    for a in align:
        if a not in _ALIGN:
            raise ValueError(f"align must be 'left', 'right' or 'center', got {show(a)}")
    lines = ["| " + " | ".join(h.replace("|", "\\|") for h in headers) + " |",
             "| " + " | ".join(_ALIGN[a] for a in align) + " |"]
    for row in table:
        cells = [_cell(v, formats[j], missing[j]) for j, v in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
