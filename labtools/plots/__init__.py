"""Figures of landscapes, optimizer paths, curvature and basins of attraction.

Every helper draws on a Matplotlib ``Axes`` it is given (or makes one), reads
the plot window from the landscape (nothing here hard-codes a grid), gives
the axes a title and labelled axes, and uses colorblind-safe colors:
``viridis`` for landscapes and the Okabe-Ito palette (``OKABE_ITO``) for
categories such as basins, optimizers and kinds of critical points.

Figures in a notebook are shown with :func:`show`, which attaches alt text
that the built site keeps (a plain Matplotlib figure reaches the page as an
image without a description)::

    fig, ax = plt.subplots()
    lt.contour_plot(lt.landscape("himmelblau"), ax=ax)
    lt.show(fig, alt="Contour map of Himmelblau's function with four minima")

``labtools.widgets`` builds its interactive figures from the same helpers, and
:func:`markdown_table` writes a table of computed results for a notebook.

The package: ``labtools.plots.figures`` (landscapes, paths, curvature marks,
curves along a run), ``labtools.plots.basins``, ``labtools.plots.output``
(PNG bytes, ``<img>`` tags, :func:`show`) and ``labtools.plots.tables``.
This module needs only NumPy and Matplotlib (Pillow comes with Matplotlib).
"""

from . import basins, figures, output, tables
from .basins import basin_colors, plot_basins
from .figures import (
    KIND_STYLES,
    NO_BASIN_COLOR,
    OKABE_ITO,
    TrajectoryArtists,
    arrow_lengths,
    contour_plot,
    curvature_color,
    landscape_grid,
    plot_1d,
    plot_critical_points,
    plot_grad_norm,
    plot_hessian_arrows,
    plot_loss,
    plot_trajectory,
    set_hessian_arrows,
    set_trajectory,
    surface_plot,
)
from .output import figure_png, png_img_tag, show
from .tables import markdown_table

__all__ = [*figures.__all__, *basins.__all__, *output.__all__, *tables.__all__]
