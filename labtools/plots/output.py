"""Figures out of Matplotlib: PNG bytes, an ``<img>`` tag with alt text, and :func:`show`
for notebooks.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .._checks import check_int

__all__ = [
    "figure_png",
    "png_img_tag",
    "show",
]


def figure_png(fig, *, dpi=None, tight=True, compress_level=6):
    """Render a figure to PNG bytes with the Agg renderer.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float, optional
        Defaults to the figure's dpi.
    tight : bool, default True
        Trim the white margin (``bbox_inches="tight"``).
    compress_level : int, default 6
        zlib level 0-9 for Pillow, which writes Matplotlib's PNGs: 1 is fastest,
        9 smallest.

    Returns
    -------
    bytes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> figure_png(fig)[:4]
    b'\\x89PNG'
    """
    compress_level = check_int("compress_level", compress_level, low=0, high=9)
    if tight and dpi is None:
        png = _tight_png_of_one_draw(fig, compress_level)
        if png is not None:
            return png
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None,
                pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


def _tight_png_of_one_draw(fig, compress_level):
    """``savefig(bbox_inches="tight")`` from a single draw, or None where it differs.

    ``savefig`` lays the figure out and measures it in a first pass, then draws
    it again moved to the tight box. When the tight box lies inside the figure,
    cutting it (with ``savefig.pad_inches`` around it, in the figure's face
    colour) out of one ordinary draw gives the same picture, shifted by less
    than half a pixel, in about 40% of the time. Anything else that saving
    would change (another dpi or face colour for saving, a high-density canvas,
    a canvas that is not Agg, artists outside the figure, which the box would
    grow to) is left to ``savefig``.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    rc = matplotlib.rcParams
    canvas = fig.canvas
    if (not isinstance(canvas, FigureCanvasAgg) or canvas.device_pixel_ratio != 1
            or rc["savefig.dpi"] != "figure" or rc["savefig.transparent"]
            or getattr(fig, "_original_dpi", fig.dpi) != fig.dpi
            or any(rc[f"savefig.{p}"] != "auto" for p in ("facecolor", "edgecolor"))
            or not isinstance(rc["savefig.pad_inches"], (int, float))):
        return None
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer())
    pad = box.padded(rc["savefig.pad_inches"])
    width, height = fig.get_size_inches()
    tol = 1e-6
    buf = io.BytesIO()
    if box.x0 < -tol or box.y0 < -tol or box.x1 > width + tol or box.y1 > height + tol:
        # Something (an axis label's descent, a legend placed outside) lies
        # beyond the figure: savefig draws the figure moved into the box just
        # measured, without measuring it again (no layout engine: no first pass).
        if fig.get_layout_engine() is not None:
            return None
        fig.savefig(buf, format="png", bbox_inches=pad,
                    pil_kwargs={"compress_level": compress_level})
        return buf.getvalue()
    rgba = np.asarray(canvas.buffer_rgba())
    rows, cols = rgba.shape[:2]
    # the padded box in pixels, rows counted from the top as in the buffer
    # (savefig's size: the box's, truncated to whole pixels, counted from its
    # bottom left corner, here at the nearest pixel: within half a pixel of
    # where savefig moves it)
    w, h = int(pad.width * fig.dpi), int(pad.height * fig.dpi)
    x0, top = round(pad.x0 * fig.dpi), round(rows - pad.y0 * fig.dpi) - h
    out = np.empty((h, w, 4), dtype=np.uint8)
    out[...] = np.round(np.asarray(matplotlib.colors.to_rgba(fig.get_facecolor())) * 255)
    src = rgba[max(top, 0):min(top + h, rows), max(x0, 0):min(x0 + w, cols)]
    out[max(-top, 0):max(-top, 0) + src.shape[0], max(-x0, 0):max(-x0, 0) + src.shape[1]] = src
    Image.fromarray(out, "RGBA").save(buf, format="png", compress_level=compress_level)
    return buf.getvalue()


def png_img_tag(png, alt, *, width=None, style=None):
    """Return an ``<img>`` tag that embeds PNG bytes, with alt text.

    Parameters
    ----------
    png : bytes
        PNG data (from :func:`figure_png`).
    alt : str
        What the figure shows, for readers who cannot see it. Required.
    width : int, optional
        Display width in CSS pixels.
    style : str, optional
        Inline CSS.

    Returns
    -------
    str

    Examples
    --------
    >>> png_img_tag(b"\\x89PNG", alt='a "quoted" figure')[:33]
    '<img src="data:image/png;base64,i'
    >>> 'alt="a &quot;quoted&quot; figure"' in png_img_tag(b"", alt='a "quoted" figure')
    True
    """
    alt = _check_alt(alt)
    data = base64.b64encode(png).decode("ascii")
    attrs = [f'src="data:image/png;base64,{data}"', f'alt="{html.escape(alt, quote=True)}"']
    if width is not None:
        attrs.append(f'width="{int(width)}"')
    if style:
        attrs.append(f'style="{html.escape(style, quote=True)}"')
    return f"<img {' '.join(attrs)}>"


def _check_alt(alt):
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(
            "alt must be a sentence describing the figure for readers who cannot "
            f"see it (screen readers, the accessibility checks), got {alt!r}"
        )
    return alt.strip()


def show(fig, alt, *, dpi=None, close=True):
    """Display a figure in a notebook with alt text the built site keeps.

    Use this instead of ``plt.show()`` in chapters. It displays an HTML
    ``<img alt="...">`` (which MyST-NB copies into the page as it is; a
    plain ``image/png`` output would reach the page without a description)
    together with the PNG itself for other front ends.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        One or two sentences saying what the figure shows, e.g. "Contour
        map of Himmelblau's function; the gradient descent path from (0, 0)
        curves into the minimum at (3, 2)".
    dpi : float, optional
        Resolution; defaults to the figure's.
    close : bool, default True
        Close the figure in pyplot afterwards, so that the inline backend
        does not display it a second time without alt text.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import labtools as lt
    >>> fig, ax = plt.subplots()
    >>> ax = lt.contour_plot(lt.landscape("himmelblau"), ax=ax, n=40)
    >>> lt.show(fig, alt="Contour map of Himmelblau's function")  # doctest: +SKIP
    """
    from IPython.display import display

    alt = _check_alt(alt)
    png = figure_png(fig, dpi=dpi)
    bundle = {
        "text/html": png_img_tag(png, alt, style="max-width: 100%; height: auto;"),
        "image/png": base64.b64encode(png).decode("ascii"),
        "text/plain": f"<Figure: {alt}>",
    }
    display(bundle, raw=True, metadata={"image/png": {"alt": alt}})
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
