"""One figure of a widget: drawn off screen with Agg, shown as a PNG with alt text.

A :class:`Panel` is a Matplotlib figure whose static part (contour map,
axes, labels) is drawn once and cached as a bitmap; an update restores that
bitmap, draws only the artists that moved and encodes the result as a PNG
(:func:`encode_png`, written with zlib; a palette PNG for the static site). The PNG goes into an
``ipywidgets.HTML`` image box (``panel.image``) as ``<img alt="...">``, a
core widget model, so the stored widget state carries every figure into the
static page.
"""

from __future__ import annotations

import contextlib
import struct
import zlib

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plots
from .controls import fit_layout
from .site import building_site

__all__ = ["DPI", "Panel", "encode_png", "figure_html", "image_box"]

#: Pixels per inch of every widget figure: a figure of 4.3 inches is 430 pixels wide.
DPI = 100


def _png_chunk(tag, data):
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def encode_png(rgba, for_site=False):
    """Encode an (h, w, 4) uint8 Agg buffer as an RGB PNG.

    The PNG is written directly with zlib and no row filter: on the flat
    colors of a contour map this is about four times faster than Pillow's
    adaptive filtering (about 2 ms for a 430 x 390 figure) at a similar
    size. For the static site (``for_site``) the page weight matters and the
    time does not: the figure is reduced to a palette of 256 colors (Pillow's
    median cut, no dithering: a contour map has few colors, so pixels move by
    about 1/255 on average) and written as a palette PNG, about a third of the
    size (issue 13: first-load bytes of the chapters).

    Examples
    --------
    >>> import numpy as np
    >>> png = encode_png(np.zeros((3, 4, 4), dtype=np.uint8))
    >>> png[:8], png[12:16], png[25]  # color type 2: RGB
    (b'\\x89PNG\\r\\n\\x1a\\n', b'IHDR', 2)
    >>> encode_png(np.zeros((3, 4, 4), dtype=np.uint8), for_site=True)[25]  # 3: palette
    3
    """
    h, w = rgba.shape[:2]
    if for_site:
        import io

        from PIL import Image  # Matplotlib's own dependency

        image = Image.fromarray(np.ascontiguousarray(rgba[:, :, :3])).quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=9)
        return out.getvalue()
    rows = np.empty((h, 3 * w + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None for every row
    # the RGB bytes of each row, written in one copy straight from the RGBA buffer
    pixels = np.ndarray((h, w, 3), dtype=np.uint8, buffer=rows, offset=1,
                        strides=(3 * w + 1, 3, 1))
    pixels[...] = rgba[:, :, :3]
    data = zlib.compress(rows.tobytes(), 2)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data)
            + _png_chunk(b"IEND", b""))


def figure_html(png, alt, width):
    """The ``<img>`` of a figure: ``width`` pixels wide, narrower if the page is.

    Examples
    --------
    >>> figure_html(b"", "a blank figure", 200)[-64:]
    'width="200" style="display:block; max-width:100%; height:auto;">'
    """
    return plots.png_img_tag(png, alt, width=width,
                             style="display:block; max-width:100%; height:auto;")


def image_box(width):
    """An HTML widget for a figure: its natural width, narrower if the page is.

    Examples
    --------
    >>> image_box(430).layout.max_width
    '100%'
    """
    return W.HTML(layout=fit_layout(f"{width}px"))


_UNKEYED = object()  # the key of a background static_rgba() drew


class Panel:
    """One Agg figure whose static part is cached and moving artists blitted.

    ``render(key)`` draws the whole figure when ``key`` changed since the
    last full draw (new landscape, new axis limits), otherwise restores the
    cached background and draws only the artists registered with
    :meth:`add`. ``show(alt, key)`` renders and puts the PNG, with its alt
    text, into ``self.image``, the HTML widget a widget displays.

    Examples
    --------
    >>> panel = Panel((2.0, 1.5))
    >>> ax = panel.fig.add_subplot()
    >>> (dot,) = panel.add(*ax.plot([0.5], [0.5], "o"))
    >>> panel.size, panel.redraws("map")
    ((200, 150), True)
    >>> panel.show("a dot", key="map")[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> dot.set_data([0.2], [0.8])
    >>> _ = panel.show("the dot moved", key="map")
    >>> panel.full_draws, panel.redraws("map"), "the dot moved" in panel.image.value
    (1, False, True)
    """

    def __init__(self, figsize, *, layout="constrained"):
        self.fig = Figure(figsize=figsize, dpi=DPI, layout=layout)
        self.canvas = FigureCanvasAgg(self.fig)
        self.animated: list = []
        self._background = None
        self._static = None
        self._key = None
        self.full_draws = 0
        self.image = image_box(self.size[0])
        self.alt = ""
        self._legends: dict = {}
        # A widget whose browser front end draws this figure sets `drawn_in_page`
        # (a function -> bool): while it says True, show() keeps the alt text and
        # skips the Agg render nobody would see. `renders` counts real renders.
        self.drawn_in_page = None
        self.renders = 0
        self.stale = False

    @property
    def size(self):
        """``(width, height)`` of the PNG in pixels."""
        w, h = self.fig.canvas.get_width_height()
        return w, h

    def invalidate(self):
        """Forget the cached background: the next render draws everything."""
        self._background = None

    def redraws(self, key):
        """True when ``render(key)`` may draw the whole figure.

        A widget changes what belongs to the background (axis limits,
        labels) only then, so a blitted update never shows a stale axis.
        """
        return self._background is None or key != self._key

    def add(self, *artists):
        """Mark ``artists`` as moving: left out of the background, drawn on every render.

        Moving artists are drawn in the order they were added; adding one
        again brings it to the top.
        """
        for a in artists:
            a.set_animated(True)
            if a in self.animated:
                self.animated.remove(a)
            self.animated.append(a)
        return artists

    def remove(self, artist):
        """Take a moving artist off the figure."""
        if artist in self.animated:
            self.animated.remove(artist)
        with contextlib.suppress(ValueError, AttributeError, NotImplementedError):
            artist.remove()

    def moving_legend(self, ax, handles, loc):
        """(Re)draw the legend of ``ax`` as a moving artist; return it.

        For a legend whose entries change with the controls (an eigenvalue,
        an optimizer's name): it is drawn over the cached background on
        every render, so it never shows the entries of an earlier update.
        """
        old = self._legends.get(ax)
        if old is not None:
            self.remove(old)
        legend = ax.legend(handles=handles, loc=loc, fontsize="small", framealpha=0.85)
        self.add(legend)
        self._legends[ax] = legend
        return legend

    def render(self, key=None):
        """Draw (in full if :meth:`redraws`, else by blitting) and return the PNG bytes."""
        if self.redraws(key) and (self._key is not _UNKEYED or self.fig.stale):
            self._draw_static()
        else:
            # the cached background; one drawn by static_rgba() with nothing
            # changed since is the figure as it stands, whatever its key
            self.canvas.restore_region(self._background)
        self._key = key
        unchanged = not self.fig.stale
        for a in self.animated:
            if a.get_visible():
                self.fig.draw_artist(a)
        if unchanged:
            # Drawing a moving legend places its boxes, which marks its axes and
            # the figure stale although the static part did not change: undo
            # that, so that static_rgba() can tell real changes (which mark them
            # stale again).
            for ax in self.fig.axes:
                ax.stale = False
            self.fig.stale = False
        return encode_png(np.asarray(self.canvas.buffer_rgba()), building_site())

    def static_rgba(self):
        """The figure without its moving artists, as an RGBA array (height, width, 4).

        The background cached by the last full draw when nothing has changed
        since (Matplotlib marks the figure stale on any change to what a full
        draw shows; moving artists do not count), else a new full draw: a
        widget that draws its figure and then hands the background to its
        front end lays the figure out once, not twice.
        """
        if self._background is None or self.fig.stale:
            self._draw_static()
            self._key = _UNKEYED  # drawn outside render(): no key vouches for it
        return self._static

    def _draw_static(self):
        """Draw the figure without its moving artists and keep the result: the
        region blits restore, and the whole image for static_rgba()."""
        self.canvas.draw()  # animated artists are left out of this draw
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._static = np.asarray(self.canvas.buffer_rgba()).copy()
        self.full_draws += 1

    def show(self, alt, key=None):
        """Render, put the PNG with ``alt`` into ``self.image``; return the PNG bytes.

        When ``drawn_in_page()`` says the page's front end draws this figure
        (a move made in the page, answered by the kernel), only ``alt`` is
        kept, the image is marked ``stale`` and None is returned: the next
        show() from Python draws it again.
        """
        self.alt = alt
        if self.drawn_in_page is not None and self.drawn_in_page():
            self.stale = True
            return None
        png = self.render(key)
        self.renders += 1
        self.stale = False
        self.image.value = figure_html(png, alt, self.size[0])
        return png

    def to_data(self, ax, px, py):
        """Map a pixel of the PNG (from its top-left corner) to data coordinates of ``ax``."""
        _, h = self.size
        disp = (float(px), float(h - py))
        if not ax.bbox.contains(*disp):
            return None
        return ax.transData.inverted().transform(disp)
