"""Landscapes, paths, curvature marks and curves along a run, drawn on Matplotlib axes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from .._checks import check_int, check_points
from ..landscapes import MAX_GRID

__all__ = [
    "OKABE_ITO",
    "NO_BASIN_COLOR",
    "KIND_STYLES",
    "TrajectoryArtists",
    "landscape_grid",
    "contour_plot",
    "surface_plot",
    "plot_trajectory",
    "set_trajectory",
    "plot_critical_points",
    "plot_hessian_arrows",
    "set_hessian_arrows",
    "plot_loss",
    "plot_grad_norm",
    "plot_1d",
]


#: The eight colors of Okabe & Ito (2008), distinguishable under the common
#: forms of color blindness. Used, in this order, for categories.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)


#: Color of starts that reach no known minimizer (or diverge) in a basin map.
NO_BASIN_COLOR = "#BBBBBB"


#: Marker and color for each kind of critical point.
KIND_STYLES = {
    "minimum": {"marker": "o", "color": "#009E73"},
    "maximum": {"marker": "^", "color": "#D55E00"},
    "saddle": {"marker": "X", "color": "#E69F00"},
    "degenerate": {"marker": "s", "color": "#CC79A7"},
}


_PATH_COLOR = "#D55E00"


class TrajectoryArtists(NamedTuple):
    """The artists :func:`plot_trajectory` draws, for updating in place."""

    line: object  # the path with a marker at every step
    start: object  # the start point
    end: object  # the last point

_GRID_CACHE: OrderedDict = OrderedDict()


_GRID_CACHE_SIZE = 32


def _require_2d(landscape, what):
    dim = getattr(landscape, "dim", None)
    if dim != 2:
        raise ValueError(
            f"{what} needs a 2-D landscape (a function of x and y), got "
            f"{getattr(landscape, 'name', landscape)!r} with dim={dim}; "
            "use plot_1d for a function of x alone"
        )


def landscape_grid(landscape, n=200):
    """Return ``(X, Y, Z)`` on an ``n`` x ``n`` grid of the landscape's window.

    Grids are cached per landscape object and ``n``, so a widget that redraws
    the same landscape never evaluates it twice. Values that overflow are
    returned as ``nan`` (they are left blank in contour plots).

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape (``landscape.dim == 2``).
    n : int, default 200
        Grid points per axis, at least 2.

    Returns
    -------
    X, Y, Z : ndarray, shape (n, n)
        The meshgrid of ``landscape.window`` and the function values on it.

    Examples
    --------
    >>> import labtools as lt
    >>> X, Y, Z = lt.landscape_grid(lt.landscape("himmelblau"), n=50)
    >>> Z.shape
    (50, 50)
    """
    _require_2d(landscape, "landscape_grid")
    n = check_int("n", n, low=2, high=MAX_GRID)
    key = (id(landscape), n)
    hit = _GRID_CACHE.get(key)
    if hit is not None and hit[0] is landscape:
        _GRID_CACHE.move_to_end(key)
        return hit[1]
    with np.errstate(all="ignore"):
        X, Y, Z = landscape.grid(n)
        Z = np.asarray(Z, dtype=float)
        Z = np.where(np.isfinite(Z), Z, np.nan)
    grid = (np.asarray(X, dtype=float), np.asarray(Y, dtype=float), Z)
    # Keeping the landscape in the value keeps its id from being reused while
    # the entry lives.
    _GRID_CACHE[key] = (landscape, grid)
    if len(_GRID_CACHE) > _GRID_CACHE_SIZE:
        _GRID_CACHE.popitem(last=False)
    return grid


def _contour_levels(Z, levels):
    # Levels at quantiles of the values give every band a similar area, so a
    # narrow valley (Rosenbrock) or a flat basin is as visible as a steep wall.
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("the landscape has no finite values in its window")
    if np.ndim(levels) > 0:
        return np.asarray(levels, dtype=float)
    n = check_int("levels", levels, low=2, high=1000)
    lv = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, n)))
    if lv.size < 2:  # a constant function
        lv = np.array([finite.min() - 0.5, finite.min() + 0.5])
    return lv


def _new_axes(projection=None):
    import matplotlib.pyplot as plt

    if projection is None:
        fig, ax = plt.subplots(figsize=(5.2, 4.4), layout="constrained")
    else:
        fig = plt.figure(figsize=(6.0, 4.8), layout="constrained")
        ax = fig.add_subplot(projection=projection)
    return ax


def _symbol_names(landscape):
    syms = getattr(landscape, "symbols", None)
    if syms:
        return [str(s) for s in syms]
    return ["x", "y"][: getattr(landscape, "dim", 2)]


def _name(landscape):
    return str(getattr(landscape, "name", "f"))


def contour_plot(landscape, ax=None, levels=30, n=200, *, cmap="viridis",
                 filled=True, lines=True, colorbar=True, title=None):
    """Draw a contour map of a 2-D landscape over its window.

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape; the plotted region is ``landscape.window``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made if omitted.
    levels : int or sequence of float, default 30
        Number of contour levels (placed at quantiles of the values, so
        steep walls do not take all the levels) or the levels themselves.
    n : int, default 200
        Grid points per axis (the grid is cached, see :func:`landscape_grid`).
    cmap : str, default "viridis"
        A colorblind-safe colormap (``"viridis"`` or ``"cividis"``).
    filled : bool, default True
        Filled bands, or contour lines only.
    lines : bool, default True
        Thin white lines between filled bands (widgets leave them out: flat
        bands encode to PNG several times faster).
    colorbar : bool, default True
        Add a colorbar labelled with the function's values.
    title : str, optional
        Defaults to the landscape's name.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import labtools as lt
    >>> ax = lt.contour_plot(lt.landscape("himmelblau"), n=60)
    >>> ax.get_title()
    'himmelblau'
    """
    _require_2d(landscape, "contour_plot")
    if ax is None:
        ax = _new_axes()
    X, Y, Z = landscape_grid(landscape, n)
    lv = _contour_levels(Z, levels)
    if filled:
        # Spread the colormap over the bands, not over the values, so that each
        # quantile band gets its own shade.
        from matplotlib.colors import BoundaryNorm

        cs = ax.contourf(X, Y, Z, levels=lv, cmap=cmap,
                         norm=BoundaryNorm(lv, ncolors=256, clip=True))
        if lines:
            ax.contour(X, Y, Z, levels=lv, colors="white", linewidths=0.3, alpha=0.5)
    else:
        cs = ax.contour(X, Y, Z, levels=lv, cmap=cmap, linewidths=0.8)
    (x_lo, x_hi), (y_lo, y_hi) = landscape.window
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    names = _symbol_names(landscape)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(_name(landscape) if title is None else title)
    if colorbar:
        cb = ax.figure.colorbar(cs, ax=ax, shrink=0.9)
        cb.set_label(f"f({', '.join(names)})")
        if filled:  # one band per shade; label every few band edges
            cb.set_ticks(lv[:: max(1, len(lv) // 6)])
            cb.ax.yaxis.set_major_formatter(_format_3g())
    return ax


def _format_3g():
    from matplotlib.ticker import FormatStrFormatter

    return FormatStrFormatter("%.3g")


def surface_plot(landscape, ax=None, n=80, *, cmap="viridis", trace=None, title=None):
    """Draw a landscape as a 3-D surface over its window.

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D, optional
        A 3-D axes (``fig.add_subplot(projection="3d")``); made if omitted.
    n : int, default 80
        Grid points per axis (a 3-D surface needs fewer than a contour map).
    cmap : str, default "viridis"
        A colorblind-safe colormap.
    trace : Trace, optional
        A run to draw on the surface (points lifted to their values).
    title : str, optional
        Defaults to the landscape's name.

    Returns
    -------
    Axes3D

    Examples
    --------
    >>> import labtools as lt
    >>> ax = lt.surface_plot(lt.landscape("himmelblau"), n=30)
    >>> ax.get_zlabel()
    'f(x, y)'
    """
    _require_2d(landscape, "surface_plot")
    if ax is None:
        ax = _new_axes(projection="3d")
    if getattr(ax, "name", "") != "3d":
        raise ValueError(
            "ax must be a 3-D axes for surface_plot, made with "
            "fig.add_subplot(projection='3d'); got a 2-D axes"
        )
    X, Y, Z = landscape_grid(landscape, n)
    ax.plot_surface(X, Y, Z, cmap=cmap, linewidth=0, antialiased=True, alpha=0.9)
    names = _symbol_names(landscape)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_zlabel(f"f({', '.join(names)})")
    ax.set_title(_name(landscape) if title is None else title)
    if trace is not None:
        xs = _trace_points(trace)
        ax.plot(xs[:, 0], xs[:, 1], np.asarray(trace.values, dtype=float),
                color=_PATH_COLOR, marker=".", markersize=3, linewidth=1.2,
                label="path", zorder=10)
    return ax


def _trace_points(trace):
    xs = np.asarray(getattr(trace, "xs", trace), dtype=float)
    if xs.ndim == 1:
        xs = xs[:, None]
    if xs.ndim != 2 or xs.shape[0] == 0:
        raise ValueError(
            f"trace must hold points of shape (steps+1, d), got shape {xs.shape}"
        )
    return xs


def _path_xy(trace, xs):
    # A 1-D run is drawn on the graph of f: (x_k, f(x_k)).
    if xs.shape[1] == 1:
        values = getattr(trace, "values", None)
        if values is None:
            raise ValueError("a 1-D trace needs its values to be drawn on the graph")
        return xs[:, 0], np.asarray(values, dtype=float)
    return xs[:, 0], xs[:, 1]


def plot_trajectory(ax, trace, *, color=_PATH_COLOR, label="path", markers=True,
                    linewidth=1.5, animated=False):
    """Draw an optimizer's path: a marker at every step, the start and end marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Usually a :func:`contour_plot` (2-D) or :func:`plot_1d` (1-D) axes.
    trace : Trace or array_like
        The run (``trace.xs`` of shape ``(steps+1, d)``), or the points alone
        for a 2-D path. A 1-D run is drawn on the graph, at ``(x_k, f(x_k))``.
    color : str, default vermillion
        Line color; pick from ``OKABE_ITO`` to compare several runs.
    label : str, default "path"
        Legend label of the path.
    markers : bool, default True
        Mark every step (small dots), so the step length is visible.
    linewidth : float, default 1.5
    animated : bool, default False
        Leave the artists out of a normal draw (for blitting in widgets).

    Returns
    -------
    TrajectoryArtists
        ``(line, start, end)``; move them with :func:`set_trajectory`.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> trace = lt.run(f, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=50)
    >>> ax = lt.contour_plot(f, n=60)
    >>> art = lt.plot_trajectory(ax, trace)
    >>> len(art.line.get_xdata()) == len(trace.xs)
    True
    """
    xs = _trace_points(trace)
    px, py = _path_xy(trace, xs)
    (line,) = ax.plot(px, py, color=color, linewidth=linewidth,
                      marker="." if markers else None, markersize=4,
                      label=label, zorder=5, animated=animated)
    (start,) = ax.plot(px[:1], py[:1], linestyle="none", marker="o", markersize=8,
                       markerfacecolor="white", markeredgecolor="black",
                       label="start", zorder=6, animated=animated)
    (end,) = ax.plot(px[-1:], py[-1:], linestyle="none", marker="*", markersize=13,
                     markerfacecolor=color, markeredgecolor="black",
                     label="end", zorder=6, animated=animated)
    return TrajectoryArtists(line, start, end)


def set_trajectory(artists, trace):
    """Move the artists of :func:`plot_trajectory` to a new run, in place.

    Parameters
    ----------
    artists : TrajectoryArtists
        What :func:`plot_trajectory` returned.
    trace : Trace or array_like
        The new run (or its points, for 2-D).

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> ax = lt.contour_plot(f, n=60)
    >>> art = lt.plot_trajectory(ax, lt.run(f, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=5))
    >>> lt.set_trajectory(art, lt.run(f, lt.gd(lr=0.01), x0=[1.0, 1.0], steps=5))
    >>> art.start.get_xdata()[0]
    np.float64(1.0)
    """
    xs = _trace_points(trace)
    px, py = _path_xy(trace, xs)
    artists.line.set_data(px, py)
    artists.start.set_data(px[:1], py[:1])
    artists.end.set_data(px[-1:], py[-1:])


def attr_or_key(p, name, default=None):
    """``p[name]`` for a dict, else ``p.name`` (results may be objects or dicts)."""
    if isinstance(p, dict):
        return p.get(name, default)
    return getattr(p, name, default)


def plot_critical_points(ax, points, *, legend=True):
    """Mark critical points by kind: minimum, maximum, saddle or degenerate.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A 2-D contour axes, or a 1-D graph (points drawn at ``(x, value)``).
    points : sequence of CriticalPoint
        Objects (or dicts) with ``x`` and ``kind``; 1-D points also need
        ``value``. :func:`~labtools.curvature.critical_points` returns such a list.
    legend : bool, default True
        Add a legend with one entry per kind present.

    Returns
    -------
    dict
        ``kind -> Line2D`` for the kinds drawn.

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> ax = lt.contour_plot(f, n=60)
    >>> drawn = lt.plot_critical_points(ax, lt.critical_points(f))
    >>> sorted(drawn)
    ['maximum', 'minimum', 'saddle']
    """
    groups: dict[str, list] = {}
    for p in points:
        kind = attr_or_key(p, "kind")
        if kind not in KIND_STYLES:
            allowed = ", ".join(repr(k) for k in KIND_STYLES)
            raise ValueError(f"critical point kind must be one of {allowed}; got {kind!r}")
        x = np.atleast_1d(np.asarray(attr_or_key(p, "x"), dtype=float))
        if x.size == 1:
            value = attr_or_key(p, "value")
            if value is None:
                raise ValueError("a 1-D critical point needs its value to be drawn")
            x = np.array([x[0], float(value)])
        groups.setdefault(kind, []).append(x[:2])
    drawn = {}
    for kind, style in KIND_STYLES.items():
        if kind not in groups:
            continue
        pts = np.array(groups[kind])
        (art,) = ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker=style["marker"],
                         markersize=10, markerfacecolor=style["color"],
                         markeredgecolor="black", label=kind, zorder=7)
        drawn[kind] = art
    if legend and drawn:
        ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return drawn


def plot_hessian_arrows(ax, x, eigvals, eigvecs, *, scale=None):
    """Draw the Hessian's eigenvectors at ``x`` as arrows scaled by curvature.

    Each eigenvector ``v_i`` is drawn both ways from ``x`` with a length
    proportional to ``|lambda_i|``: blue where the landscape curves up
    (``lambda_i > 0``), vermillion where it curves down (``lambda_i < 0``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        A 2-D axes (usually a :func:`contour_plot`).
    x : array_like, shape (2,)
        The point.
    eigvals : array_like, shape (2,)
        Eigenvalues of the Hessian at ``x``.
    eigvecs : array_like, shape (2, 2)
        Eigenvectors as columns (the convention of ``numpy.linalg.eigh``).
    scale : float, optional
        Length of the arrow of the largest ``|lambda|``; defaults to a fifth
        of the shorter side of the axes' view.

    Returns
    -------
    list of matplotlib.quiver.Quiver
        One arrow pair per eigenvector.

    Examples
    --------
    >>> import numpy as np
    >>> import labtools as lt
    >>> f = lt.landscape("saddle")
    >>> ax = lt.contour_plot(f, n=40)
    >>> vals, vecs = np.linalg.eigh(f.hess(np.array([0.0, 0.0])))
    >>> arrows = lt.plot_hessian_arrows(ax, [0.0, 0.0], vals, vecs)
    >>> len(arrows)
    2
    """
    x = check_points("x", x, dim=2)
    vals = np.asarray(eigvals, dtype=float).reshape(-1)
    vecs = np.asarray(eigvecs, dtype=float)
    if vals.shape != (2,) or vecs.shape != (2, 2):
        raise ValueError(
            "eigvals must have shape (2,) and eigvecs shape (2, 2) (columns are "
            f"eigenvectors), got {vals.shape} and {vecs.shape}"
        )
    if scale is None:
        x_lo, x_hi = ax.get_xlim()
        y_lo, y_hi = ax.get_ylim()
        scale = 0.2 * min(abs(x_hi - x_lo), abs(y_hi - y_lo))
    arrows = [ax.quiver([x[0], x[0]], [x[1], x[1]], [0.0, 0.0], [0.0, 0.0],
                        angles="xy", scale_units="xy", scale=1, width=0.008, zorder=8)
              for _ in range(2)]
    set_hessian_arrows(arrows, x, vals, vecs, scale=scale)
    return arrows


def set_hessian_arrows(arrows, x, eigvals, eigvecs, *, scale):
    """Move the arrows of :func:`plot_hessian_arrows` to a new point and Hessian, in place.

    Lengths, colors and legend labels (``"λ1 = -2"``) all follow the new
    eigenvalues.

    Parameters
    ----------
    arrows : list of matplotlib.quiver.Quiver
        What :func:`plot_hessian_arrows` returned.
    x : array_like, shape (2,)
        The new point.
    eigvals : array_like, shape (2,)
    eigvecs : array_like, shape (2, 2)
        Eigenvectors as columns.
    scale : float
        Length of the arrow of the largest ``|lambda|``.

    Examples
    --------
    >>> import numpy as np
    >>> import labtools as lt
    >>> ax = lt.contour_plot(lt.landscape("saddle"), n=40)
    >>> arrows = lt.plot_hessian_arrows(ax, [0.0, 0.0], [1.0, 1.0], np.eye(2))
    >>> lt.set_hessian_arrows(arrows, [0.5, 0.5], [-2.0, 2.0], np.eye(2), scale=0.8)
    >>> [a.get_label() for a in arrows]
    ['λ1 = -2', 'λ2 = 2']
    """
    x = check_points("x", x, dim=2)
    vals = np.asarray(eigvals, dtype=float).reshape(-1)
    vecs = np.asarray(eigvecs, dtype=float)
    lengths = arrow_lengths(vals, scale)
    for i, q in enumerate(arrows):
        u, v = vecs[:, i] * lengths[i]
        q.set_offsets([x, x])
        q.set_UVC([u, -u], [v, -v])
        q.set_color(curvature_color(vals[i]))
        q.set_label(f"λ{i + 1} = {vals[i]:.3g}")


def arrow_lengths(vals, scale):
    """Arrow lengths proportional to ``|vals|``, the largest ``scale`` (zeros if all 0)."""
    top = np.max(np.abs(vals))
    if not np.isfinite(top) or top == 0:
        return np.zeros_like(vals)
    return scale * np.abs(vals) / top


def curvature_color(value):
    """Okabe-Ito blue for positive curvature, vermillion for negative, grey for zero."""
    if value > 0:
        return "#0072B2"
    if value < 0:
        return "#D55E00"
    return "#555555"


def _finite(values):
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan)


def plot_loss(ax, trace, *, label=None, color=None, log=None, title="Loss along the path"):
    """Plot ``f(x_k)`` against the step ``k``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    trace : Trace
        A run; ``trace.values`` is plotted.
    label : str, optional
        Legend label (for comparing runs on one axes).
    color : str, optional
    log : bool, optional
        Logarithmic y-axis; by default when every value is positive.
    title : str, default "Loss along the path"

    Returns
    -------
    matplotlib.lines.Line2D

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> line = lt.plot_loss(ax, lt.run(f, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=30))
    >>> line.axes.get_yscale()
    'log'
    """
    values = _finite(trace.values)
    steps = np.arange(values.size)
    (line,) = ax.plot(steps, values, color=color, label=label, linewidth=1.5)
    if log is None:
        finite = values[np.isfinite(values)]
        log = finite.size > 0 and bool(np.all(finite > 0))
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("f(x_k)")
    ax.set_title(title)
    return line


def plot_grad_norm(ax, trace, *, label=None, color=None, title="Gradient norm along the path"):
    """Plot ``||grad f(x_k)||`` against the step ``k`` on a log scale.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    trace : Trace
        A run; ``trace.grad_norms`` is plotted.
    label : str, optional
    color : str, optional
    title : str, default "Gradient norm along the path"

    Returns
    -------
    matplotlib.lines.Line2D

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("himmelblau")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> line = lt.plot_grad_norm(ax, lt.run(f, lt.gd(lr=0.01), x0=[0.0, 0.0], steps=30))
    >>> line.axes.get_yscale()
    'log'
    """
    norms = _finite(trace.grad_norms)
    norms = np.where(norms > 0, norms, np.nan)  # a log axis cannot show 0
    (line,) = ax.plot(np.arange(norms.size), norms, color=color, label=label, linewidth=1.5)
    ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("‖∇f(x_k)‖")
    ax.set_title(title)
    return line


def plot_1d(ax, landscape, trace=None, *, n=400, title=None):
    """Draw a 1-D function over its window, with a run on the graph if given.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or None
        Where to draw; a new figure is made if None.
    landscape : Landscape
        A 1-D landscape (``landscape.dim == 1``).
    trace : Trace, optional
        A run, drawn at ``(x_k, f(x_k))`` with :func:`plot_trajectory`.
    n : int, default 400
        Points on the curve.
    title : str, optional
        Defaults to the landscape's name.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import labtools as lt
    >>> f = lt.landscape("xcos")
    >>> ax = lt.plot_1d(None, f, lt.run(f, lt.gd(lr=0.05), x0=[0.3], steps=20))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('x', 'f(x)')
    """
    if getattr(landscape, "dim", None) != 1:
        raise ValueError(
            f"plot_1d needs a 1-D landscape (a function of x alone), got "
            f"{_name(landscape)!r} with dim={getattr(landscape, 'dim', None)}"
        )
    n = check_int("n", n, low=2, high=10**6)
    if ax is None:
        ax = _new_axes()
    (lo, hi), = landscape.window
    xs = np.linspace(lo, hi, n)
    with np.errstate(all="ignore"):
        ys = _finite(landscape.f(xs[:, None]))
    ax.plot(xs, ys, color="#0072B2", linewidth=2, label="f", zorder=2)
    ax.set_xlim(lo, hi)
    name = _symbol_names(landscape)[0]
    ax.set_xlabel(name)
    ax.set_ylabel(f"f({name})")
    ax.set_title(_name(landscape) if title is None else title)
    if trace is not None:
        plot_trajectory(ax, trace)
    return ax
