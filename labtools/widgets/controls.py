"""The controls of the widgets (sliders, dropdowns, text boxes) and how they are laid out.

Every control is as wide as its column and at most ``CONTROL_MAX_WIDTH``;
columns sit side by side while the page has room and wrap one under the
other on a narrow page (a phone is about 390 CSS pixels wide), so no control
is cut off. The site's ``_static/course.css`` narrows the labels on a phone.
"""

from __future__ import annotations

import ipywidgets as W

__all__ = [
    "CONTROL_MAX_WIDTH",
    "STYLE",
    "checkbox",
    "column",
    "control_layout",
    "dropdown",
    "expression_box",
    "fit_layout",
    "progress_bar",
    "row",
    "slider_float",
    "slider_int",
    "slider_log",
]

#: The widest a control grows; on a narrower page it takes the page's width.
CONTROL_MAX_WIDTH = "390px"
#: Room for the label left of a control.
STYLE = {"description_width": "125px"}


def control_layout():
    """A control's layout: the width of its column, never wider than 390 px.

    The margin is vertical only: a side margin would push a control that is
    100% wide out of its column.

    Examples
    --------
    >>> lay = control_layout()
    >>> lay.width, lay.max_width, lay.min_width, lay.margin
    ('100%', '390px', '0', '2px 0px')
    """
    return W.Layout(width="100%", max_width=CONTROL_MAX_WIDTH, min_width="0",
                    margin="2px 0px")


def fit_layout(width="100%", **more):
    """The layout of a figure, table or message: ``width`` at most, never past its container.

    ``width`` is the preferred width (``"430px"`` for a figure); the box
    shrinks on a narrower page, and its margin is vertical only.

    Examples
    --------
    >>> lay = fit_layout("430px", overflow="auto")
    >>> lay.width, lay.max_width, lay.margin, lay.overflow
    ('430px', '100%', '2px 0px', 'auto')
    """
    return W.Layout(width=width, max_width="100%", margin="2px 0px", **more)


def column(children):
    """Controls one under the other; a column is at least 260 px and at most 400 px wide.

    Examples
    --------
    >>> column([]).layout.flex
    '1 1 260px'
    """
    return W.VBox(children, layout=W.Layout(flex="1 1 260px", max_width="400px",
                                            min_width="0"))


def row(children):
    """Side by side while there is room, one under the other on a narrow page.

    Examples
    --------
    >>> row([]).layout.flex_flow
    'row wrap'
    """
    return W.HBox(children, layout=W.Layout(flex_flow="row wrap", width="100%",
                                            max_width="100%"))


def slider_float(description, value, lo, hi, step, *, continuous=True, fmt=".3g"):
    """A slider for a real number in ``[lo, hi]``.

    Examples
    --------
    >>> slider_float("momentum beta", 0.9, 0.0, 0.99, 0.01).value
    0.9
    """
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         continuous_update=continuous, readout_format=fmt, style=STYLE,
                         layout=control_layout())


def slider_log(description, value, lo_exp, hi_exp, *, continuous=True):
    """A slider for a positive number from ``10**lo_exp`` to ``10**hi_exp``, on a log scale.

    The handle moves over the exponent; the readout shows the value itself.
    ipywidgets' slider voices the exponent (its ``aria-valuetext`` reads "-2"
    for 0.01), so the widget's front end (``js/aria.js``, in JupyterLab and on
    the static page) and the site's ``_static/a11y.js`` give the handle the
    readout as its ``aria-valuetext``: a screen reader says "0.01".

    Examples
    --------
    >>> s = slider_log("learning rate lr", 0.01, -4, 0)
    >>> s.value, s.min, s.max
    (0.01, -4.0, 0.0)
    """
    return W.FloatLogSlider(value=value, base=10, min=lo_exp, max=hi_exp, step=0.05,
                            description=description, continuous_update=continuous,
                            readout_format=".2g", style=STYLE, layout=control_layout())


def slider_int(description, value, lo, hi, *, continuous=False, step=1):
    """A slider for a whole number in ``[lo, hi]``.

    Examples
    --------
    >>> slider_int("steps", 100, 1, 1000).value
    100
    """
    return W.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=continuous, style=STYLE, layout=control_layout())


def dropdown(description, options, value):
    """A dropdown of ``options`` (names, or ``(label, value)`` pairs).

    Examples
    --------
    >>> dropdown("optimizer", ["gd", "adam"], "adam").value
    'adam'
    """
    return W.Dropdown(options=options, value=value, description=description, style=STYLE,
                      layout=control_layout())


def checkbox(description, value):
    """A checkbox with its label.

    Examples
    --------
    >>> checkbox("show the Taylor model", True).value
    True
    """
    return W.Checkbox(value=value, description=description, style=STYLE,
                      layout=control_layout())


def progress_bar(description):
    """A progress bar from 0 to 1.

    Examples
    --------
    >>> progress_bar("progress").max
    1.0
    """
    return W.FloatProgress(value=0.0, min=0.0, max=1.0, description=description,
                           style=STYLE, layout=control_layout())


def expression_box(dim):
    """The text box for a learner's own function of ``x`` (``dim=1``) or ``x`` and ``y``.

    Examples
    --------
    >>> expression_box(2).description
    'f(x, y) ='
    """
    label = "f(x, y) =" if dim == 2 else "f(x) ="
    hint = "e.g. x**2 + 3*sin(y), then Enter" if dim == 2 else "e.g. x**4 - 2*x**2, then Enter"
    return W.Text(value="", placeholder=hint, description=label, continuous_update=False,
                  style=STYLE, layout=control_layout())
