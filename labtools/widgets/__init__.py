"""Interactive figures for the course, built on ipywidgets 8 and Matplotlib's Agg.

Each widget is one line in a notebook and returns an object that displays
itself, exposes its controls (``w.controls["lr"]``) and its current result
(``w.trace`` or ``w.result``)::

    import labtools as lt
    w = lt.widgets.landscape_explorer("himmelblau", optimizer="momentum", lr=0.01)
    w                      # shows the controls and the figure
    w.set(lr=0.02)         # the same as moving the slider
    w.trace.message        # 'converged after ...'

Where things are
    ``base`` (the ``Widget`` class: controls, messages,
    ``set()``, the layout), ``panel`` (one cached Agg figure and its PNG),
    ``controls`` (sliders, dropdowns and their flexible layout), ``inputs``
    (landscapes, start points and optimizers from what a learner passes),
    ``site`` (live kernel or static build), ``front`` (the browser front
    ends, with their ES modules in ``js/``), then one module per explorer:
    ``landscape``, ``explorer1d``, ``chord``, ``hessian``, ``race``,
    ``basins``, ``saddle``, ``network``, ``chain``, ``minibatch``,
    ``escape``.

How the figures are drawn
    Figures are drawn off screen with Agg and shown as a PNG inside an
    ``ipywidgets.HTML`` widget, as ``<img alt="...">`` with a description of
    what the figure shows. When the book is executed at build time the
    stored widget state carries every figure into the static page, where
    the widget HTML manager renders it without a kernel.

Live in the page
    The landscape, 1-D, chord and saddle explorers also carry a browser
    front end (``front.FrontEnd``, an anywidget): a JavaScript port of the
    optimizers that reruns them and redraws over the Matplotlib backgrounds
    as the controls move, on the static page as in a running notebook.
    Their Python figures stay the reference that ``tests/parity`` holds the
    port to. The network explorer's front end trains the course network
    again in the page, on a port of :mod:`labtools.nn` (``js/mlp.js``).
    Chapter 7's mini-batch explorer and escape-time histogram run SGD on a
    finite sum in the page (``js/minibatch.js``, ``js/escape.js``); their
    batches come from a seeded generator that Python reproduces bit for bit
    (``minibatch.PageRng``), so the explorer's page path is its Python path.
    The other widgets use core ipywidgets models only.

Why they are fast
    The static part of a figure (the contour map, the axes) is drawn once per
    landscape and cached as a bitmap; an update restores that bitmap, draws
    only the artists that moved (``set_data`` then ``draw_artist``) and
    encodes the PNG itself with zlib at a low compression level
    (``labtools.widgets.panel.encode_png``; Pillow only makes the static
    site's palette PNGs).
    Nothing is rebuilt on a slider move. ``LandscapeExplorer.update(rebuild=True)``
    runs the same update by building a fresh figure, the baseline ``make bench``
    compares against.

Bad values
    A value a learner types or sets that cannot be used (an expression that
    does not parse, ``lr=0``, a start outside the window) is reported in the
    widget in plain words; the widget keeps the last good figure and goes on
    working.

Static site
    When ``LABTOOLS_BUILD=1`` (set by the book's Sphinx extension while it
    executes the notebooks) no front-end-only extras are attached (the
    mouse-click events of ``ipyevents``), compression is stronger, and a
    short note under a widget without a front end says its controls come
    alive in Binder.
"""

from __future__ import annotations

from .basins import BasinMapExplorer, basin_map_explorer
from .chain import SaddleChainExplorer, saddle_chain_explorer
from .chord import ChordExplorer, chord_explorer
from .escape import EscapeHistogram, escape_histogram
from .explorer1d import Explorer1D, explorer_1d
from .hessian import HessianInspector, hessian_inspector
from .landscape import LandscapeExplorer, landscape_explorer
from .minibatch import MiniBatchExplorer, minibatch_explorer
from .network import NetworkExplorer, network_explorer
from .race import OptimizerRace, optimizer_race
from .saddle import SaddleEscapeExplorer, saddle_escape_explorer
from .site import building_site, not_shown

__all__ = [
    "landscape_explorer",
    "optimizer_race",
    "saddle_escape_explorer",
    "saddle_chain_explorer",
    "hessian_inspector",
    "basin_map_explorer",
    "explorer_1d",
    "chord_explorer",
    "network_explorer",
    "minibatch_explorer",
    "escape_histogram",
    "LandscapeExplorer",
    "OptimizerRace",
    "SaddleEscapeExplorer",
    "SaddleChainExplorer",
    "HessianInspector",
    "BasinMapExplorer",
    "Explorer1D",
    "ChordExplorer",
    "NetworkExplorer",
    "MiniBatchExplorer",
    "EscapeHistogram",
    "building_site",
    "not_shown",
]
