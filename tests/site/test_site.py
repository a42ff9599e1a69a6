"""Checks over the built HTML in _build/html, without a browser.

What a learner with no internet and no kernel gets: links that lead somewhere,
no script, stylesheet or font from another host (Binder and Thebe aside), launch
buttons for the configured repository, alt text on every image, math left for
MathJax, and pages light enough to load on a slow connection.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from sitelib import REPO, Site, site_dir

#: <link rel=...> values that make the browser fetch something
FETCHING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "prerender",
}
#: attributes that load a resource, by tag
RESOURCE_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "track": ("src",),
}
CORE_WIDGET_MODULES = {
    "@jupyter-widgets/base",
    "@jupyter-widgets/controls",
    "@jupyter-widgets/output",
}
# Widget modules outside the bundle that the site serves itself (scripts/vendor_js.sh;
# _vendor/_static/offline/widgets-setup.js tells RequireJS where they are).
VENDORED_WIDGET_MODULES = {"anywidget": "_static/vendor/anywidget/index.js"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
ASSET_IN_JS = re.compile(r"""['"`](https?://[^'"`\s]+?\.(?:js|mjs|css|woff2?|ttf|otf|eot))['"`?]""")
CHAPTER_PAGE_LIMIT = 3 * 1024 * 1024

WEIGHTS: list[tuple[str, int, int, int]] = []  # (page, own, with shared assets, gzip of that)


# --------------------------------------------------------------------------- helpers


def is_external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def allowed_external(url: str, site: Site) -> bool:
    """Binder and Thebe may use the network (they only act on a click); nothing else."""
    host = urlsplit(url if not url.startswith("//") else "https:" + url).hostname or ""
    binder = urlsplit(site.config.get("launch_buttons", {}).get("binderhub_url", "")).hostname
    return "thebe" in url.lower() or "binder" in host or (binder is not None and host == binder)


def resolve(site: Site, page: str, url: str) -> tuple[Path, str]:
    """A relative URL on `page` -> (file in the site, fragment)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        target = site.root / page
    elif path.startswith("/"):
        target = site.root / path.lstrip("/")
    else:
        target = site.root / PurePosixPath(page).parent / path
    target = Path(*target.parts).resolve()  # normalise ".."
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)


def _rel(site: Site, path: Path) -> str:
    return path.relative_to(site.root).as_posix() if path.is_relative_to(site.root) else str(path)


def resource_urls(site: Site, page: str) -> list[tuple[str, str]]:
    """(what, url) for everything the page makes the browser fetch, from the HTML alone."""
    soup = site.soup(page)
    urls: list[tuple[str, str]] = []
    for link in soup.find_all("link", href=True):
        rels = {r.lower() for r in (link.get("rel") or [])}
        if rels & FETCHING_RELS:
            urls.append((f"<link rel={'/'.join(sorted(rels))}>", link["href"]))
    for tag, attrs in RESOURCE_ATTRS.items():
        for el in soup.find_all(tag):
            for attr in attrs:
                value = el.get(attr)
                if not value:
                    continue
                if attr == "srcset":
                    for item in value.split(","):
                        if item.strip():
                            urls.append((f"<{tag} srcset>", item.strip().split()[0]))
                else:
                    urls.append((f"<{tag} {attr}>", value))
    styles = [s.get_text() for s in soup.find_all("style")]
    styles += [el["style"] for el in soup.find_all(style=True)]
    for css in styles:
        for m in CSS_URL.finditer(css):
            urls.append(("inline CSS", m.group(1) or m.group(2)))
    return [(what, u.strip()) for what, u in urls if not u.strip().startswith(("data:", "blob:"))]


def widget_states(site: Site, page: str) -> list[dict]:
    states = []
    for script in site.soup(page).find_all(
        "script", type="application/vnd.jupyter.widget-state+json"
    ):
        states.append(json.loads(script.string or "{}"))
    return states


def visible_text_outside_math(site: Site, page: str) -> str:
    soup = site.soup(page)
    body = soup.find("main") or soup.body or soup
    chunks = []
    for node in body.find_all(string=True):
        skip = False
        for parent in node.parents:
            classes = parent.get("class") or []
            if parent.name in ("script", "style", "pre", "code", "textarea") or "math" in classes:
                skip = True
                break
        if not skip:
            chunks.append(str(node))
    return re.sub(r"\s+", " ", " ".join(chunks))


MATH_IN_SOURCE = re.compile(
    r"\$\$|\\begin\{(?:equation|align|gather|multline)|(?<![\\$\w])\$(?=[^\s$])[^$\n]+?(?<=[^\s\\])\$(?!\w)"
)


def source_has_math(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.name.endswith((".ipynb", ".ipynb.txt")):
        try:
            nb = json.loads(text)
        except json.JSONDecodeError:
            return bool(MATH_IN_SOURCE.search(text))
        text = "\n".join(
            "".join(c.get("source", ""))
            for c in nb.get("cells", [])
            if c.get("cell_type") == "markdown"
        )
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code fences may hold dollars
    text = re.sub(r"`[^`\n]*`", "", text)
    return bool(MATH_IN_SOURCE.search(text))


# --------------------------------------------------------------------------- tests


def test_site_has_the_pages_of_the_toc(site: Site):
    toc = (REPO / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", toc, flags=re.M)
    missing = [f for f in files if f"{f}.html" not in site.pages]
    assert not missing, f"pages in _toc.yml that the build did not produce: {missing}"


def test_internal_links_and_anchors_resolve(site: Site):
    broken = []
    for page in site.pages:
        soup = site.soup(page)
        refs = [("<a href>", a["href"]) for a in soup.find_all("a", href=True)]
        refs += resource_urls(site, page)
        for what, url in refs:
            if (
                not url
                or url == "#"
                or ":" in url.split("/", 1)[0].split("#", 1)[0].split("?", 1)[0]
            ):
                continue  # "#" alone, or a scheme (http:, mailto:, javascript:, data:)
            if is_external(url):
                continue
            target, fragment = resolve(site, page, url)
            if not target.exists():
                broken.append(f"{page}: {what} {url!r} -> missing file {_rel(site, target)}")
                continue
            if fragment and target.suffix == ".html" and target.is_relative_to(site.root):
                target_page = target.relative_to(site.root).as_posix()
                if fragment not in site.ids(target_page):
                    broken.append(f"{page}: {what} {url!r} -> no id {fragment!r} in {target_page}")
    assert not broken, f"{len(broken)} broken internal links or anchors:\n" + "\n".join(broken)


def test_cross_references_and_citations_resolved(site: Site):
    unresolved = []
    for page in site.pages:
        if page in ("genindex.html", "py-modindex.html"):
            continue  # index pages show group headings (a package with no page) as xref text
        for el in site.soup(page).select(".xref"):
            if el.find_parent("a") is None and el.name != "a":
                unresolved.append(
                    f"{page}: {el.get_text(strip=True)!r} ({' '.join(el.get('class', []))})"
                )
        main = site.soup(page).find("main")
        if main is not None and re.search(r"\[\?\]|\?\?", main.get_text()):
            text = main.get_text()
            for m in re.finditer(r".{0,40}(?:\[\?\]|\?\?).{0,40}", text):
                unresolved.append(f"{page}: unresolved citation/reference marker: {m.group(0)!r}")
    assert not unresolved, "cross-references or citations that did not resolve:\n" + "\n".join(
        unresolved
    )


def test_no_external_scripts_styles_or_fonts(site: Site):
    offenders = []
    css_files: set[Path] = set()
    for page in site.pages:
        for what, url in resource_urls(site, page):
            if is_external(url):
                if not allowed_external(url, site):
                    offenders.append(f"{page}: {what} {url}")
            elif what.startswith("<link") and urlsplit(url).path.endswith(".css"):
                target, _ = resolve(site, page, url)
                if target.is_file():
                    css_files.add(target)
        for script in site.soup(page).find_all("script", src=False):
            if script.get("type", "text/javascript") not in ("text/javascript", "module", ""):
                continue
            for m in ASSET_IN_JS.finditer(script.string or ""):
                if not allowed_external(m.group(1), site):
                    offenders.append(f"{page}: inline script loads {m.group(1)}")
        for state in widget_states(site, page):
            for model_id, model in state.get("state", {}).items():
                module = model.get("model_module", "")
                vendored = VENDORED_WIDGET_MODULES.get(module)
                if vendored and (site.root / vendored).is_file():
                    pinned = (site.root / "_static/vendor/VERSIONS.txt").read_text()
                    wanted = model.get("model_module_version", "").strip("~^*.")
                    if f"{module}@{wanted}" not in pinned:
                        offenders.append(
                            f"{page}: widget model {model_id} wants {module} "
                            f"{model.get('model_module_version')}, the site vendors another "
                            "version (scripts/vendor_js.sh and requirements.txt must agree)"
                        )
                elif module not in CORE_WIDGET_MODULES:
                    offenders.append(
                        f"{page}: widget model {model_id} needs module {module!r}, which the "
                        "offline widget bundle lacks (it would be fetched from a CDN)"
                    )
            for m in re.finditer(r"""(?:src|href)=\\?["'](https?://[^"'\\]+)""", json.dumps(state)):
                if not allowed_external(m.group(1), site):
                    offenders.append(f"{page}: widget state references {m.group(1)}")
    for css in sorted(css_files):
        for m in CSS_URL.finditer(css.read_text(encoding="utf-8", errors="replace")):
            url = (m.group(1) or m.group(2)).strip()
            if is_external(url) and not allowed_external(url, site):
                offenders.append(f"{css.relative_to(site.root)}: CSS loads {url}")
    assert not offenders, (
        "pages would need the internet (serve these from the site, see scripts/vendor_js.sh):\n"
        + "\n".join(sorted(set(offenders)))
    )


def test_widget_pages_load_the_vendored_widget_manager(site: Site):
    """Pages with widget state load RequireJS and the html-manager from _static/vendor/."""
    problems = []
    for page in site.pages:
        if not widget_states(site, page):
            continue
        srcs = [s["src"] for s in site.soup(page).find_all("script", src=True)]
        req = [i for i, s in enumerate(srcs) if "vendor/requirejs/require" in s]
        emb = [i for i, s in enumerate(srcs) if "vendor/jupyter-widgets/embed-amd" in s]
        if not req or not emb:
            problems.append(f"{page}: widget state but no vendored require.js/embed-amd.js: {srcs}")
        elif req[0] > emb[0]:
            problems.append(f"{page}: embed-amd.js is loaded before require.js")
        setup = [i for i, s in enumerate(srcs) if "offline/widgets-setup" in s]
        if req and emb and not (setup and req[0] < setup[0] < emb[0]):
            problems.append(
                f"{page}: offline/widgets-setup.js must load between require.js and "
                "embed-amd.js (Font Awesome paths, MathJax 3 bridge)"
            )
        start = [i for i, s in enumerate(srcs) if "offline/widgets-start" in s]
        if emb and not (start and start[0] > emb[0]):
            problems.append(
                f"{page}: offline/widgets-start.js must load after embed-amd.js (it starts "
                "the widget manager: the bundle's own start-up is cut by scripts/vendor_js.sh)"
            )
        # deferred, so that 3.7 MB of widget code does not hold up the parsing of the page
        for tag in site.soup(page).find_all("script", src=True):
            if any(k in tag["src"] for k in ("vendor/requirejs/", "vendor/jupyter-widgets/",
                                               "offline/widgets-")):
                if not tag.has_attr("defer"):
                    problems.append(f"{page}: {tag['src']} is not deferred")
        for name in ("require.js", "embed-amd.js", "widgets-setup.js", "widgets-start.js"):
            for src in srcs:
                if src.split("?")[0].endswith(name) and not _local_file(site, page, src):
                    problems.append(f"{page}: {src} is not in the built site")
    assert not problems, "\n".join(problems)


def _repo_parts(site: Site) -> tuple[str, str, str, str]:
    repo = site.config.get("repository", {})
    url = repo.get("url", "")
    m = re.match(r"https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", url)
    assert m, f"_config.yml repository.url is not a GitHub repository URL: {url!r}"
    return (
        m.group(1),
        m.group(2),
        repo.get("branch", "main"),
        (repo.get("path_to_book") or "").strip("/"),
    )


def test_launch_buttons_point_at_the_configured_repository(site: Site):
    org, name, branch, book_path = _repo_parts(site)
    launch = site.config.get("launch_buttons", {})
    binder = launch.get("binderhub_url", "").rstrip("/")
    interface = launch.get("notebook_interface", "classic")
    pages = site.notebook_pages()
    assert pages, "no page of the site was built from a notebook in the repository"
    problems = []
    for page in pages:
        soup = site.soup(page)
        nb_path = "/".join(p for p in (book_path, page[: -len(".html")] + ".ipynb") if p)
        if binder:
            links = [
                a["href"]
                for a in soup.find_all("a", href=True)
                if a["href"].startswith(binder + "/")
            ]
            expected = f"{binder}/v2/gh/{org}/{name}/{branch}?"
            if not links:
                problems.append(f"{page}: no Binder launch button (a link to {binder})")
            elif not any(link.startswith(expected) for link in links):
                problems.append(f"{page}: Binder link {links[0]} does not start with {expected}")
            else:
                link = next(link for link in links if link.startswith(expected))
                if nb_path not in unquote(link):
                    problems.append(f"{page}: Binder link {link} does not open {nb_path}")
                if interface == "jupyterlab" and "urlpath=lab" not in unquote(link):
                    problems.append(f"{page}: Binder link {link} does not open JupyterLab")
        if launch.get("thebe"):
            if not soup.select(".btn-launch-thebe, [onclick*=initThebe]"):
                problems.append(f"{page}: no Live Code (Thebe) button")
            configs = soup.find_all("script", type="text/x-thebe-config")
            text = " ".join(c.get_text() for c in configs)
            if f'"{org}/{name}"' not in text or f'"{branch}"' not in text:
                problems.append(
                    f"{page}: Thebe config does not name {org}/{name}@{branch}: "
                    f"{text.strip()[:150]}"
                )
    assert not problems, "\n".join(problems)


def test_front_page_starts_with_how_to_start_and_clones_the_configured_repository(
        site: Site):
    """How to start is the first section of the front page (before the first widget),
    and its set-up block clones the repository that _config.yml names, not a placeholder."""
    soup = site.soup("intro.html")  # index.html only redirects to it
    main = soup.find("article") or soup  # the page itself, not the side bars
    sections = [h for h in main.find_all("h2") if h.find_parent("section")]
    headings = [h.get_text(" ", strip=True).rstrip("#").strip() for h in sections]
    assert headings and headings[0].startswith("How to start"), headings
    first_widget = main.find(class_=re.compile("jupyter-widgets|cell_output"))
    start = sections[0]
    if first_widget is not None:
        assert start.sourceline < first_widget.sourceline or (
            start.sourceline == first_widget.sourceline and start.sourcepos < first_widget.sourcepos
        ), "the first widget comes before how to start"
    org, name, _, _ = _repo_parts(site)
    code = " ".join(pre.get_text() for pre in main.find_all("pre"))
    clone = re.search(r"git clone (\S+)", code)
    assert clone, "the front page has no git clone line"
    url = site.config["repository"]["url"].rstrip("/")
    assert clone.group(1).rstrip("/") == url, (clone.group(1), url)
    assert f"cd {name}" in code, f"the set-up block does not enter the clone ({name})"
    assert "<the repository>" not in code


def test_every_image_has_alt_text(site: Site):
    missing = []
    for page in site.pages:
        for img in site.soup(page).find_all("img"):
            if not (img.get("alt") or "").strip():
                src = img.get("src", "")
                missing.append(f"{page}: <img src={src[:80]!r}{'...' if len(src) > 80 else ''}>")
        for state in widget_states(site, page):
            for m in re.finditer(r"<img\b[^>]*>", json.dumps(state)):
                tag = m.group(0).replace('\\"', '"')
                alt = re.search(r"""\balt=["']([^"']*)["']""", tag)
                if not alt or not alt.group(1).strip():
                    missing.append(f"{page}: widget state <img> without alt: {tag[:100]}...")
    assert not missing, f"{len(missing)} images without alt text:\n" + "\n".join(missing)


def test_math_is_left_for_mathjax(site: Site):
    problems = []
    mathjax = site.config.get("sphinx", {}).get("config", {}).get("mathjax_path", "")
    for page in site.pages:
        soup = site.soup(page)
        maths = soup.select("span.math, div.math")
        source = site.source_of(page)
        has_math_source = source is not None and source_has_math(source)
        if has_math_source and not maths:
            problems.append(f"{page}: its source has $...$ math but the page has no math elements")
        if maths:
            srcs = [s["src"] for s in soup.find_all("script", src=True)]
            if not any("mathjax" in s.lower() and (not mathjax or mathjax in s) for s in srcs):
                problems.append(
                    f"{page}: has math but does not load MathJax ({mathjax or 'default'})"
                )
            for el in maths:
                # equation numbers (span.eqno) sit inside div.math, beside the TeX
                text = "".join(
                    str(t) for t in el.find_all(string=True) if not t.find_parent(class_="eqno")
                ).strip()
                if not (
                    text.startswith(("\\(", "\\[", "\\begin")) and text.endswith((")", "]", "}"))
                ):
                    problems.append(
                        f"{page}: math element not in MathJax delimiters: {text[:60]!r}"
                    )
                    break
        leftover = visible_text_outside_math(site, page)
        if "$$" in leftover:
            i = leftover.index("$$")
            problems.append(f"{page}: raw '$$' outside math: {leftover[max(0, i - 40) : i + 40]!r}")
    assert not problems, "\n".join(problems)


def _local_file(site: Site, page: str, url: str) -> Path | None:
    if is_external(url) or url.startswith(("data:", "blob:")):
        return None
    target, _ = resolve(site, page, url.split("?", 1)[0])
    return target if target.is_file() else None


def test_page_weight(site: Site):
    """Own weight (HTML + its images) < 3 MB for chapter pages; every page reported."""
    heavy = []
    for page in site.pages:
        html = site.root / page
        own_files = {html}
        shared_files: set[Path] = set()
        for what, url in resource_urls(site, page):
            f = _local_file(site, page, url)
            if f is None:
                continue
            (
                own_files
                if what.startswith(("<img", "<source", "<video", "<audio"))
                else shared_files
            ).add(f)
        shared_files -= own_files
        own = sum(f.stat().st_size for f in own_files)
        total = own + sum(f.stat().st_size for f in shared_files)
        gz = sum(len(gzip.compress(f.read_bytes(), 6)) for f in own_files | shared_files)
        WEIGHTS.append((page, own, total, gz))
        if page.startswith("chapters/") and own > CHAPTER_PAGE_LIMIT:
            heavy.append(f"{page}: {own / 1e6:.2f} MB of HTML and images (limit 3 MB)")
    assert not heavy, "chapter pages too heavy:\n" + "\n".join(heavy)


@pytest.fixture(scope="session", autouse=True)
def _print_weights(request):
    yield
    if WEIGHTS:
        lines = [f"{'page':<46} {'own (HTML+img)':>15} {'with scripts/css':>17} {'gzipped':>9}"]
        for page, own, total, gz in sorted(WEIGHTS, key=lambda w: -w[1]):
            lines.append(
                f"{page:<46} {own / 1024:>12.0f} kB {total / 1024:>14.0f} kB {gz / 1024:>6.0f} kB"
            )
        report = "\n".join(lines)
        out = site_report_path()
        if out is not None:
            out.write_text(report + "\n", encoding="utf-8")
        request.config._course_weight_report = report  # printed by conftest's terminal summary


def site_report_path() -> Path | None:
    root = site_dir()
    return root.parent / "page-weight.txt" if root.parent.is_dir() else None
