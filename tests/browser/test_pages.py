"""Every page of the built site in headless Chromium, with no internet.

One test per page opens it once and checks what a reader sees: no JavaScript
errors, no request leaving localhost, every image loaded, every widget showing
a figure from its stored state, math typeset, no serious accessibility
violation (axe-core); then it saves a full-page screenshot.

Run: ``make browser`` (or ``pytest tests/browser -m browser``).
"""

from __future__ import annotations

import pytest
from browserlib import (
    AXE_JS,
    SCREENSHOTS,
    open_page,
    page_problems_summary,
    require_site,
    site_pages,
    write_report,
)

pytestmark = pytest.mark.browser


def pytest_generate_tests(metafunc):
    if "page_path" in metafunc.fixturenames:
        pages = site_pages() or ["(site not built)"]
        metafunc.parametrize("page_path", pages, ids=[p.removesuffix(".html") for p in pages])


def test_page(context, server, page_path):
    if page_path == "(site not built)":
        require_site()
    page, log = open_page(context, server + page_path)
    problems: list[str] = []
    try:
        problems += log.problems()

        # -- images: loaded, with a size, and described
        bad_images = page.evaluate(
            """() => Array.from(document.images).filter(img => {
                   const svg = /\\.svg(\\?|#|$)/i.test(img.currentSrc || img.src);
                   return !img.complete || (img.naturalWidth === 0 && !svg);
               }).map(img => (img.currentSrc || img.src).slice(0, 100))"""
        )
        problems += [f"image did not load (or has zero size): {src}" for src in bad_images]
        no_alt = page.evaluate(
            """() => Array.from(document.images)
                   .filter(img => !(img.getAttribute('alt') || '').trim())
                   .map(img => (img.currentSrc || img.src).slice(0, 80))"""
        )
        problems += [f"image without alt text: {src}" for src in no_alt]

        # -- widgets: every widget cell shows a figure from its stored state
        widgets = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                      'script[type="application/vnd.jupyter.widget-view+json"]')).map((s, i) => {
                   const area = s.previousElementSibling;
                   const rendered = !!area && area.classList.contains('widget-subarea');
                   // an image counts by its own size (it may sit in a closed tab or a
                   // collapsed output); a drawn svg/canvas by its box on the page
                   const figs = rendered ? Array.from(area.querySelectorAll('img, svg, canvas'))
                        .filter(el => el.tagName === 'IMG'
                            ? el.naturalWidth >= 50 && el.naturalHeight >= 50
                            : el.getBoundingClientRect().width >= 50
                              && el.getBoundingClientRect().height >= 50) : [];
                   const text = rendered ? area.innerText.trim() : '';
                   return {index: i, rendered, figures: figs.length,
                           text: text.slice(0, 120),
                           loading: /Loading widget|Error displaying widget|Error rendering/i
                                    .test(text) || (!rendered)};
               })"""
        )
        for w in widgets:
            if not w["rendered"]:
                problems.append(f"widget #{w['index'] + 1} was not rendered from the stored state")
            elif w["loading"]:
                problems.append(f"widget #{w['index'] + 1} shows {w['text']!r} instead of a figure")
            elif w["figures"] == 0:
                problems.append(
                    f"widget #{w['index'] + 1} shows no figure (no image of at least 50x50 px); "
                    f"text: {w['text']!r}"
                )

        # -- math: typeset by MathJax, no TeX source left on the page
        math = page.evaluate(
            """() => {
                 const sources = document.querySelectorAll('span.math, div.math').length;
                 const typeset = document.querySelectorAll('mjx-container').length;
                 const errors = Array.from(document.querySelectorAll('mjx-merror'))
                                     .map(e => e.getAttribute('data-mjx-error') || e.textContent);
                 const main = document.querySelector('main') || document.body;
                 const clone = main.cloneNode(true);
                 clone.querySelectorAll('pre, code, script, style, textarea, mjx-container')
                      .forEach(e => e.remove());
                 const text = clone.textContent;
                 const tex = /.{0,30}(\\$\\$|\\\\\\(|\\\\\\[|\\\\begin\\{).{0,30}/g;
                 const raw = text.match(tex) || [];
                 return {sources, typeset, errors, raw: raw.slice(0, 3)};
               }"""
        )
        if math["sources"] and math["typeset"] < math["sources"]:
            problems.append(
                f"math not typeset: {math['typeset']} typeset of {math['sources']} formulas"
            )
        problems += [f"MathJax error: {e}" for e in math["errors"][:5]]
        problems += [f"raw TeX left on the page: {r!r}" for r in math["raw"]]

        # -- screenshot, before axe (which scrolls elements into view to test contrast)
        page.evaluate("() => window.scrollTo(0, 0)")
        shot = SCREENSHOTS / (page_path.removesuffix(".html").replace("/", "__") + ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        # the API reference is some 155,000 px tall: its PNG alone took over 30 s (the
        # default limit) while the other worker loaded the second core
        page.screenshot(path=str(shot), full_page=True, timeout=120_000)

        # -- accessibility: axe-core, zero critical or serious violations
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            """async () => {
                 const r = await axe.run(document, {resultTypes: ['violations']});
                 return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.length,
                     targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                     summary: (v.nodes[0] && v.nodes[0].failureSummary || '').slice(0, 200)}));
               }"""
        )
        serious = [v for v in violations if v["impact"] in ("critical", "serious")]
        for v in serious:
            problems.append(
                f"axe [{v['impact']}] {v['id']}: {v['help']} ({v['nodes']} elements, e.g. "
                f"{'; '.join(v['targets'])}) {v['summary']}"
            )

        # -- weight
        weight = page.evaluate(
            """() => {
                 const out = {document: 0, img: 0, script: 0, css: 0, other: 0, requests: 0};
                 const nav = performance.getEntriesByType('navigation')[0];
                 if (nav) { out.document = nav.decodedBodySize; out.requests += 1; }
                 for (const e of performance.getEntriesByType('resource')) {
                   const size = e.decodedBodySize || e.encodedBodySize || 0;
                   const kind = e.initiatorType === 'img' ? 'img'
                              : e.initiatorType === 'script' ? 'script'
                              : ['link', 'css'].includes(e.initiatorType) ? 'css' : 'other';
                   out[kind] += size; out.requests += 1;
                 }
                 out.total = out.document + out.img + out.script + out.css + out.other;
                 return out;
               }"""
        )
        write_report(
            page_path,
            {
                "page": page_path,
                "weight": weight,
                "problems": problems,
                "axe_other": [v for v in violations if v not in serious],
                "screenshot": str(shot),
            },
        )
    finally:
        page.close()
    assert not problems, page_problems_summary(page_path, problems)
