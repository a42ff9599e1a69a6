"""Sphinx extension local to this book: the weight every page carries (issue 13).

Every page of the site loads pydata-sphinx-theme's ``_static/scripts/fontawesome.js``:
Font Awesome's SVG framework with every free icon, 1.49 MB, of which the pages show a
few dozen. When the HTML build finishes, ``build-finished`` rewrites that file in the
site to hold only the icons the site can show:

- every ``fa-NAME`` named in a built page (the theme's navbar, search, theme switch,
  download and launch buttons; the widgets' own front ends, which ship in the page's
  widget state);
- every ``fa-NAME`` in the site's own scripts (``_static/*.js``, ``_static/scripts/``:
  icons a script adds to the page after it loads);
- the icons ipywidgets' views create (the Play widget's four buttons; a Button's
  ``icon``), when a page's widget state holds such a model.

An icon is kept under its name and its aliases (``fa-pencil-alt`` is ``pen-to-square``).
The framework code is left as it is; only the three icon packs (brands, regular, solid)
are cut. The source is always the theme's own file, so a rebuild starts from the full
set. If the file does not have the expected shape (a new theme version), the build
warns and leaves the full file in place. ``tests/site/test_lean_site.py`` fails if a page
names an icon the site's file lacks.

A page's own figures (Matplotlib PNGs a cell shows as ``<img src="data:...">``, with
their alt text) were written into the HTML as base64: a third larger than the PNG, and
fetched with the page even when they sit far below the first screen. In
``html-page-context`` each one of more than ``INLINE_LIMIT`` bytes becomes a file in
``_images/`` (named by its content) that the page loads lazily, with its width and
height so that the text does not move when it arrives. Widget state is left alone:
its images are the widgets' own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

FONTAWESOME = "_static/scripts/fontawesome.js"
_ICON_CLASS = re.compile(r"\bfa-([a-z0-9][a-z0-9-]*)")
_PACK = re.compile(r"var p=\{")
#: the packs, as the framework registers them right after each icon table
_PACK_CALL = re.compile(r'd\("(fab|far|fas)",p\)')
#: ipywidgets' views that draw Font Awesome icons: the model and the icons its view makes
_WIDGET_ICONS = {"PlayModel": ("play", "pause", "stop", "retweet")}
_ICON_STATE = re.compile(r'"icon":\s*"([a-z0-9-]+)"')


def _closing(text: str, start: int) -> int:
    """The index after the bracket that closes the one at ``text[start]``."""
    depth, i, in_str = 0, start, False
    while i < len(text):
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced brackets in the icon table")


def icon_tables(text: str) -> list[tuple[int, int, str]]:
    """The icon tables of a Font Awesome ``all.js`` build: ``(start, end, pack)`` of
    each ``{name: [width, height, aliases, unicode, path], ...}`` literal, ``pack``
    being ``fab``, ``far`` or ``fas``."""
    out = []
    for m in _PACK.finditer(text):
        start = m.end() - 1
        end = _closing(text, start)
        call = _PACK_CALL.search(text, end, end + 600)
        if call is None:
            raise ValueError(f"no pack registration after the icon table at {start}")
        out.append((start, end, call.group(1)))
    if {pack for *_, pack in out} != {"fab", "far", "fas"}:
        raise ValueError(f"expected the brands, regular and solid tables, found {out}")
    return out


def _entries(table: str):
    """``(name, value_text)`` of each icon of one table literal."""
    i = 1
    while i < len(table) - 1:
        colon = table.index(":", i)
        name = table[i:colon].strip('"')
        end = _closing(table, colon + 1)
        yield name, table[colon + 1:end]
        i = end + 1  # past the comma


def subset(text: str, keep: set[str]) -> tuple[str, dict[str, int]]:
    """``text`` (a Font Awesome ``all.js``) with only the icons named in ``keep``
    (by name or alias) in each pack; and how many icons each pack keeps."""
    pieces, last, kept = [], 0, {}
    for start, end, pack in icon_tables(text):
        chosen = []
        for name, value in _entries(text[start:end]):
            aliases = {a for a in json.loads(value)[2] if isinstance(a, str)}
            if name in keep or aliases & keep:
                key = name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else json.dumps(name)
                chosen.append(f"{key}:{value}")
        kept[pack] = len(chosen)
        pieces += [text[last:start], "{" + ",".join(chosen) + "}"]
        last = end
    pieces.append(text[last:])
    return "".join(pieces), kept


def icons_named(html: str) -> set[str]:
    """Every icon name a page (or script) may show: ``fa-NAME`` classes, and the
    icons of the ipywidgets views in its widget state."""
    names = set(_ICON_CLASS.findall(html))
    for model, icons in _WIDGET_ICONS.items():
        if f'"{model}"' in html:
            names.update(icons)
    if "jupyter.widget-state+json" in html:
        names.update(_ICON_STATE.findall(html))
    return names


def site_icons(outdir: Path) -> set[str]:
    """The icon names of every page and every script of the built site but Font
    Awesome itself and the vendored bundles (the widget bundle lists all of FA 5)."""
    names: set[str] = set()
    static = outdir / "_static"
    for path in outdir.rglob("*.html"):
        if path.relative_to(outdir).parts[0] not in ("_static", "_sources", "_images"):
            names |= icons_named(path.read_text(encoding="utf-8", errors="replace"))
    for path in [*static.glob("*.js"), *static.glob("scripts/*.js")]:
        if path.name != Path(FONTAWESOME).name:
            names |= icons_named(path.read_text(encoding="utf-8", errors="replace"))
    return names


def _theme_file(app, relpath: str) -> Path | None:
    """``relpath`` (under ``_static``) as the theme ships it."""
    theme = getattr(app.builder, "theme", None)
    for folder in theme.get_theme_dirs() if theme else []:
        path = Path(folder) / "static" / Path(relpath).relative_to("_static")
        if path.is_file():
            return path
    return None


def _subset_fontawesome(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source = _theme_file(app, FONTAWESOME)
    target = Path(app.outdir) / FONTAWESOME
    if source is None or not target.is_file():
        return
    keep = site_icons(Path(app.outdir))
    text = source.read_text(encoding="utf-8")
    try:
        small, kept = subset(text, keep)
    except ValueError as err:
        logger.warning(f"Font Awesome subset: {source} has an unexpected shape ({err}); "
                       "the site keeps every icon", type="labtools", subtype="icons")
        return
    # the source map describes the full file, not this one
    small = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", small)
    target.write_text(small, encoding="utf-8")
    logger.info(f"Font Awesome subset: {len(text) / 1e6:.2f} MB -> {len(small) / 1e3:.0f} kB "
                f"(icons kept per pack: {kept})")


INLINE_LIMIT = 8_000  # bytes of base64: a smaller image stays in the page
_INLINE_IMG = re.compile(r'<img\b([^>]*?)\ssrc="data:image/png;base64,([A-Za-z0-9+/=\s]+)"([^>]*)>')


def _png_size(data: bytes):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def lazy_images(body: str, write) -> tuple[str, int]:
    """``body`` with each large inline PNG ``<img>`` loading from a file instead:
    ``write(name, data)`` stores the PNG and returns the URL the page uses for it.
    Returns the new body and how many images moved."""
    moved = 0

    def swap(m):
        nonlocal moved
        before, data, after = m.group(1), m.group(2), m.group(3)
        if len(data) < INLINE_LIMIT:
            return m.group(0)
        png = base64.b64decode(data)
        size = _png_size(png)
        if size is None:
            return m.group(0)
        url = write(f"inline-{hashlib.sha1(png).hexdigest()[:16]}.png", png)
        attrs = before + after
        extra = ' loading="lazy" decoding="async"'
        if "width=" not in attrs and "height=" not in attrs:
            extra += f' width="{size[0]}" height="{size[1]}"'
        moved += 1
        return f'<img{before} src="{url}"{after.rstrip("/").rstrip()}{extra}>'

    return _INLINE_IMG.sub(swap, body), moved


def _lazy_page_images(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body or "data:image/png" not in body:
        return
    images = Path(app.outdir) / "_images"

    def write(name, data):
        images.mkdir(exist_ok=True)
        target = images / name
        if not target.is_file():
            target.write_bytes(data)
        return context["pathto"]("_images/" + name, 1)

    context["body"], moved = lazy_images(body, write)
    if moved:
        logger.info(f"{pagename}: {moved} inline figures now load from _images/, lazily")


def setup(app):
    app.connect("build-finished", _subset_fontawesome)
    app.connect("html-page-context", _lazy_page_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
