"""What _ext/lean_site.py does to the built site: Font Awesome holds every icon the pages
show, and the pages' large figures are files loaded lazily.

Every page loads ``_static/scripts/fontawesome.js``, which swaps each
``<i class="fa-solid fa-NAME">`` for that icon's SVG. The build keeps in that file
only the icons the site names; an icon a page names but the file lacks would show
as nothing at all (no box, no error). Checked against the theme's full file: every
``fa-NAME`` a page names that Font Awesome has, the site's file must have too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitelib import Site

FA = "_static/scripts/fontawesome.js"
#: the prefixes of an icon's style, and the pack each one draws from
STYLE = {"fa": "fas", "fas": "fas", "fa-solid": "fas", "far": "far", "fa-regular": "far",
         "fab": "fab", "fa-brands": "fab"}
#: the icons ipywidgets' Play view creates (``<i class="fa fa-play">`` and so on)
PLAY_ICONS = ("play", "pause", "stop", "retweet")


def packs(text: str) -> dict[str, str]:
    """The icon table text of each pack (``fab``, ``far``, ``fas``) of an FA ``all.js``."""
    out, last = {}, 0
    for m in re.finditer(r'd\("(fab|far|fas)",p\)', text):
        table = text.rfind("var p={", last, m.start())
        assert table >= 0, f"no icon table before the registration of {m.group(1)}"
        out[m.group(1)] = text[table:m.start()]
        last = m.end()
    return out


def has_icon(table: str, name: str) -> bool:
    """Whether an icon table defines ``name``, as an icon or as an alias of one."""
    q = re.escape(name)
    return bool(re.search(rf'[{{,]"?{q}"?:\[\d+,\d+,\[', table)
                or re.search(rf'\[\d+,\d+,\[[^\]]*"{q}"', table))


@pytest.fixture(scope="module")
def full_fontawesome() -> dict[str, str]:
    import pydata_sphinx_theme

    path = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
            / "static" / "scripts" / "fontawesome.js")
    return packs(path.read_text(encoding="utf-8"))


def named_icons(site: Site, page: str) -> set[tuple[str, str]]:
    """``(pack, name)`` of every Font Awesome icon element of a page, and of the Play
    widgets its widget state holds."""
    out = set()
    for el in site.soup(page).select('[class*="fa-"]'):
        classes = el.get("class", [])
        pack = next((STYLE[c] for c in classes if c in STYLE), None)
        if pack is None:
            continue
        out |= {(pack, c[3:]) for c in classes if c.startswith("fa-") and c not in STYLE}
    if '"PlayModel"' in (site.root / page).read_text(encoding="utf-8"):
        out |= {("fas", name) for name in PLAY_ICONS}
    return out


def test_every_icon_a_page_shows_is_in_the_sites_font_awesome(site: Site, full_fontawesome):
    served = site.root / FA
    assert served.is_file(), f"{FA} is not in the built site"
    text = served.read_text(encoding="utf-8")
    ours = packs(text)
    assert set(ours) == {"fab", "far", "fas"}, f"{FA}: icon packs found: {sorted(ours)}"
    missing, seen = [], set()
    for page in site.pages:
        for pack, name in named_icons(site, page):
            seen.add(name)
            # modifiers (fa-lg, fa-fw, ...) name no icon of the full set: not icons
            if has_icon(full_fontawesome[pack], name) and not has_icon(ours[pack], name):
                missing.append(f"{page}: fa-{name} ({pack})")
    assert seen, "no page names a Font Awesome icon: the check found nothing to check"
    assert not missing, (f"icons the pages show that {FA} lacks (_ext/lean_site.py keeps the "
                         "icons named by the built pages and the site's scripts):\n"
                         + "\n".join(sorted(set(missing))))


def test_font_awesome_is_cut_to_the_icons_the_site_uses(site: Site, full_fontawesome):
    ours = packs((site.root / FA).read_text(encoding="utf-8"))
    for pack, table in ours.items():
        ours_n, full_n = len(table), len(full_fontawesome[pack])
        assert ours_n < full_n / 4, (
            f"{FA}: the {pack} pack is {ours_n} characters of the theme's {full_n}: "
            "the build did not cut it (_ext/lean_site.py, build-finished)")


INLINE_PNG = re.compile(r'<img\b[^>]*\ssrc="data:image/png;base64,([^"]{8000,})"')


def test_large_figures_load_from_files_lazily(site: Site):
    """A page's own large figures are files loaded lazily, with their size (not base64 in
    the HTML): _ext/lean_site.py, ``lazy_images``. Widget state is not looked at."""
    problems, moved = [], 0
    for page in site.pages:
        text = (site.root / page).read_text(encoding="utf-8")
        body = re.sub(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>',
                      "", text, flags=re.DOTALL)
        for m in INLINE_PNG.finditer(body):
            problems.append(f"{page}: a {len(m.group(1)) // 1000} kB base64 PNG in the HTML")
        for img in site.soup(page).select('img[src*="_images/inline-"]'):
            moved += 1
            src = img["src"]
            if not (site.root / page).parent.joinpath(src).resolve().is_file():
                problems.append(f"{page}: {src} is not in the site")
            if img.get("loading") != "lazy" or not img.get("width") or not img.get("height"):
                problems.append(f"{page}: {src} without loading=lazy, width and height")
            if not (img.get("alt") or "").strip():
                problems.append(f"{page}: {src} lost its alt text")
    assert moved, "no page has a figure moved to _images/inline-*: the hook did not run"
    assert not problems, "\n".join(problems)
