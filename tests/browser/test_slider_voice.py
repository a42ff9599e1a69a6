"""A log-scale slider is heard as its value (issue 14), on a page without the site's
``_static/a11y.js``: the widget's own front end (``labtools/widgets/js/aria.js``) gives
each slider handle its readout as ``aria-valuetext``. ipywidgets' FloatLogSlider moves
over the exponent, and left alone a screen reader says "-2" for lr = 0.01.
The same check in JupyterLab is in ``tests/lab/test_lab_widgets.py``.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browserlib import open_page
from widget_page import build_widget, write_page

import labtools as lt

pytestmark = pytest.mark.browser

#: The handle, the readout and the slider's label of every slider on the page.
SLIDERS = """() => Array.from(document.querySelectorAll('[role=slider]')).map(h => {
  const w = h.closest('.widget-slider');
  const r = w && w.querySelector('.widget-readout');
  const l = w && w.querySelector('.widget-label');
  return {label: l ? l.innerText.trim() : '', readout: r ? r.innerText.trim() : null,
          valuetext: h.getAttribute('aria-valuetext'), valuenow: h.getAttribute('aria-valuenow')};
})"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voice")
    name = write_page(folder, "landscape_explorer", [build_widget(
        lambda: lt.widgets.landscape_explorer("himmelblau", optimizer="gd", lr=0.01))])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_Quiet, directory=str(folder)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{name}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_log_slider_is_heard_as_its_value_without_the_site_script(context, explorer_page):
    page, _ = open_page(context, explorer_page)
    try:
        page.wait_for_selector(".labtools-front canvas", timeout=30_000)
        lr = "learning rate lr"
        page.wait_for_timeout(300)  # the front end finds its widget's box a frame later
        sliders = page.evaluate(SLIDERS)
        index = next(i for i, s in enumerate(sliders) if s["label"].startswith(lr))
        before = sliders[index]
        assert float(before["readout"]) == 0.01, before
        assert float(before["valuenow"]) == pytest.approx(-2), before  # the exponent
        assert before["valuetext"] == before["readout"], (
            f"a screen reader hears {before['valuetext']!r} for lr = {before['readout']}")
        handle = page.locator("[role=slider]").nth(index)
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_timeout(300)
        after = page.evaluate(SLIDERS)[index]
        assert after["readout"] != before["readout"], "the slider did not move"
        assert after["valuetext"] == after["readout"], after
        # the value, not the exponent (aria-valuenow, rounded to one decimal)
        assert float(after["valuetext"]) > 0 > float(after["valuenow"]), after
    finally:
        page.close()
