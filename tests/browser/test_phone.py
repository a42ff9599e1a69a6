"""The widgets on a phone: every control fits its column at 390 CSS pixels, nothing is cut
off, and a screen reader hears a slider's value as the readout shows it.

Opens the built site in headless Chromium with a 390 x 844 viewport (a phone held
upright), offline. Screenshots of every widget go to ``_build/screenshots/phone/``.
"""

from __future__ import annotations

import pytest
from browserlib import SCREENSHOTS, SITE, open_page, require_site, site_pages
from localsite import Offline

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def widget_pages(model: str = "application/vnd.jupyter.widget-view+json") -> list[str]:
    return [p for p in site_pages() if model in (SITE / p).read_text(encoding="utf-8")]


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1)
    ctx.set_default_timeout(30_000)
    ctx.route("**/*", Offline())
    try:
        yield ctx
    finally:
        ctx.close()


# Every control, readout, figure and table box of every widget, against the widget's
# own area. (ipywidgets' boxes all have overflow: auto, so a control past its column
# would only be reached by scrolling the box sideways: that counts as not fitting.)
# What sits inside an HTML box made to scroll (a wide table) is that box's business.
OVERFLOWS = """() => {
  const found = [];
  const parts = '.widget-inline-hbox, .widget-readout, select, input, .widget-play, img, '
              + '.widget-html, .widget-button';
  document.querySelectorAll('.widget-subarea').forEach((area, i) => {
    const box = area.getBoundingClientRect();
    area.querySelectorAll(parts).forEach(el => {
      // a table inside an HTML box that scrolls sideways is reachable: not cut off
      const html = el.parentElement && el.parentElement.closest('.widget-html');
      if (html && area.contains(html) && /auto|scroll/.test(getComputedStyle(html).overflowX)) {
        return;
      }
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return;  // not shown
      const text = (el.innerText || el.value || el.getAttribute('alt') || '').trim();
      const what = `widget ${i + 1}: ${el.tagName.toLowerCase()}.`
                 + `${(el.className || '').toString().split(' ').pop()} "${text.slice(0, 30)}"`;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
        found.push(`${what} spans ${Math.round(r.left)}-${Math.round(r.right)} px, `
                   + `its widget ${Math.round(box.left)}-${Math.round(box.right)} px`);
      }
      if (el.classList.contains('widget-readout') && el.scrollWidth > el.clientWidth + 1) {
        found.push(`${what}: the readout is cut off (${el.scrollWidth} px of text in `
                   + `${el.clientWidth} px)`);
      }
    });
  });
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth) found.push(`the page scrolls sideways: ${page} px wide`);
  return found;
}"""


@pytest.mark.parametrize("page_path", widget_pages() or ["chapters/04_hessian.html"],
                         ids=lambda p: p.removesuffix(".html"))
def test_widget_controls_fit_a_phone(phone, server, page_path):
    require_site()
    page, _ = open_page(phone, server + page_path)
    try:
        areas = page.locator(".widget-subarea")
        assert areas.count() > 0, f"{page_path}: no widget was rendered"
        problems = page.evaluate(OVERFLOWS)
        folder = SCREENSHOTS / "phone"
        folder.mkdir(parents=True, exist_ok=True)
        page.add_style_tag(
            content=".bd-header, .bd-header-article, #pst-skip-link { display: none !important }")
        for i in range(areas.count()):
            areas.nth(i).screenshot(
                path=str(folder / f"{page_path.replace('/', '__')}-{i + 1}.png"))
        assert not problems, (f"{page_path} at 390 px: {len(problems)} widget part(s) do "
                              "not fit:\n  " + "\n  ".join(problems[:20]))
    finally:
        page.close()


READOUT_AND_VALUETEXT = """() => Array.from(document.querySelectorAll(
    '.widget-subarea [role=slider]')).map(h => {
  const w = h.closest('.widget-slider, .jupyter-widgets');
  const r = w && w.querySelector('.widget-readout');
  return {readout: r ? r.innerText.trim() : null, valuetext: h.getAttribute('aria-valuetext'),
          valuenow: h.getAttribute('aria-valuenow'),
          label: h.getAttribute('aria-label')};
})"""


@pytest.mark.parametrize("page_path", widget_pages("FloatLogSliderModel")[:2]
                         or ["chapters/03_saddle_points.html"],
                         ids=lambda p: p.removesuffix(".html"))
def test_a_log_scale_slider_is_heard_as_its_value(phone, server, page_path):
    require_site()
    page, _ = open_page(phone, server + page_path)
    try:
        sliders = page.evaluate(READOUT_AND_VALUETEXT)
        assert sliders, f"{page_path}: no slider handle on the page"
        wrong = [s for s in sliders if s["readout"] and s["valuetext"] != s["readout"]]
        assert not wrong, f"{page_path}: aria-valuetext is not the value shown: {wrong[:5]}"
        # a log slider: the handle moves over the exponent, the reader hears the value
        logs = [i for i, s in enumerate(sliders)
                if s["readout"] and s["valuenow"]
                and abs(float(s["readout"].replace("−", "-")) - float(s["valuenow"])) > 1e-9
                and float(s["valuenow"]) < 0]
        assert logs, f"{page_path}: no log-scale slider found ({sliders[:5]})"
        handle = page.locator(".widget-subarea [role=slider]").nth(logs[0])
        before = sliders[logs[0]]
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_timeout(300)
        after = page.evaluate(READOUT_AND_VALUETEXT)[logs[0]]
        assert after["readout"] != before["readout"], "the slider did not move"
        assert after["valuetext"] == after["readout"], (
            f"after a key press the screen reader hears {after['valuetext']!r}, the readout "
            f"shows {after['readout']!r} (aria-valuenow {after['valuenow']})")
    finally:
        page.close()
