"""Basins of attraction: which minimizer each start reaches, colored by basin.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_int
from .figures import NO_BASIN_COLOR, OKABE_ITO, attr_or_key

__all__ = [
    "plot_basins",
    "basin_colors",
]


def _basin_parts(basin_map):
    labels = np.asarray(attr_or_key(basin_map, "labels"), dtype=int)
    if labels.ndim != 2:
        raise ValueError(f"basin_map.labels must be a 2-D array, got shape {labels.shape}")
    extent = attr_or_key(basin_map, "extent")
    xs, ys = attr_or_key(basin_map, "xs"), attr_or_key(basin_map, "ys")
    if extent is not None:
        x_lo, x_hi, y_lo, y_hi = (float(v) for v in extent)
    elif xs is not None and ys is not None:
        x_lo, x_hi, y_lo, y_hi = float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])
    else:
        raise ValueError("basin_map needs its grid (xs and ys, or extent) to be placed")
    window = ((x_lo, x_hi), (y_lo, y_hi))
    minimizers = attr_or_key(basin_map, "minimizers")
    minimizers = (np.zeros((0, 2)) if minimizers is None
                  else np.asarray(minimizers, dtype=float).reshape(-1, 2))
    return labels, window, minimizers


def basin_colors(n):
    """Return the colors of the first ``n`` basins (Okabe-Ito, in order, cycled).

    Parameters
    ----------
    n : int
        Number of basins (minimizers).

    Returns
    -------
    list of str
        Hex colors; basin ``i`` gets ``OKABE_ITO[i % 8]``.

    Examples
    --------
    >>> basin_colors(3)
    ['#E69F00', '#56B4E9', '#009E73']
    """
    n = check_int("n", n, low=0, high=10_000)
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def plot_basins(ax, basin_map, *, legend=True, title=None):
    """Color every start point by the minimizer it reaches.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    basin_map : BasinMap
        From :func:`~labtools.run.basin_map`: ``labels`` (n x n, the index of the
        minimizer reached, -1 for none or diverged), the grid ``xs`` and
        ``ys`` (or ``extent``) and the ``minimizers``.
    legend : bool, default True
        One legend entry per minimizer (and one for "no minimum"), when
        there are at most eight minimizers (one color each).
    title : str, optional
        Defaults to "Basins of attraction".

    Returns
    -------
    matplotlib.image.AxesImage

    Notes
    -----
    Basin ``i`` gets ``OKABE_ITO[i % 8]`` (with more than eight minimizers,
    as on Rastrigin's function, colors repeat); starts that reach no known minimizer
    are light grey (``NO_BASIN_COLOR``). The minimizers are marked with
    black stars.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> bm = lt.basin_map(f, lt.gd(lr=0.01), n=20, steps=200)
    >>> ax = lt.contour_plot(f, n=40)
    >>> image = lt.plot_basins(ax, bm)
    >>> image.get_array().shape
    (20, 20)
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    labels, window, minimizers = _basin_parts(basin_map)
    m = max(len(minimizers), int(labels.max()) + 1 if labels.size else 0, 1)
    colors = [NO_BASIN_COLOR, *basin_colors(m)]
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(-1.5, m), cmap.N)
    (x_lo, x_hi), (y_lo, y_hi) = window
    image = ax.imshow(labels, origin="lower", extent=(x_lo, x_hi, y_lo, y_hi),
                      cmap=cmap, norm=norm, interpolation="nearest", aspect="auto")
    if len(minimizers):
        ax.plot(minimizers[:, 0], minimizers[:, 1], linestyle="none", marker="*",
                markersize=12, markerfacecolor="white", markeredgecolor="black", zorder=5)
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Basins of attraction" if title is None else title)
    if legend and m <= len(OKABE_ITO):
        handles = []
        for i in range(m):
            name = (f"({minimizers[i, 0]:.2f}, {minimizers[i, 1]:.2f})"
                    if i < len(minimizers) else f"minimum {i + 1}")
            handles.append(Patch(facecolor=colors[i + 1], edgecolor="black", label=name))
        if np.any(labels < 0):
            handles.append(Patch(facecolor=NO_BASIN_COLOR, edgecolor="black",
                                 label="no minimum"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", title="reaches", title_fontsize="small")
    return image
