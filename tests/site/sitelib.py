"""The built site, as the checks in tests/site read it (imported by conftest.py)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

#: the book's source folder (_config.yml, _toc.yml, the notebooks): this repository,
#: or COURSE_BOOK_DIR (to run the checks on a scratch book)
REPO = Path(os.environ.get("COURSE_BOOK_DIR", Path(__file__).resolve().parents[2])).resolve()


def site_dir() -> Path:
    """The built HTML: COURSE_SITE_DIR, else the book's _build/html."""
    return Path(os.environ.get("COURSE_SITE_DIR", REPO / "_build" / "html")).resolve()


class Site:
    """The built HTML: its pages, parsed once, and the book's configuration."""

    #: folders of the build that hold assets, not pages
    ASSET_DIRS = ("_static", "_sources", "_images", "_downloads", "_sphinx_design_static")

    def __init__(self, root: Path):
        self.root = root
        self._soups: dict[str, BeautifulSoup] = {}
        self._ids: dict[str, set[str]] = {}

    @cached_property
    def pages(self) -> list[str]:
        """Every HTML page, as a path relative to the site root ("chapters/x.html")."""
        out = []
        for path in sorted(self.root.rglob("*.html")):
            rel = path.relative_to(self.root).as_posix()
            if rel.split("/", 1)[0] in self.ASSET_DIRS:
                continue
            out.append(rel)
        return out

    def soup(self, page: str) -> BeautifulSoup:
        if page not in self._soups:
            text = (self.root / page).read_text(encoding="utf-8")
            self._soups[page] = BeautifulSoup(text, "html.parser")
        return self._soups[page]

    def ids(self, page: str) -> set[str]:
        """Every anchor target a fragment can name on a page (id= and <a name=>)."""
        if page not in self._ids:
            soup = self.soup(page)
            ids = {tag["id"] for tag in soup.find_all(id=True)}
            ids |= {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
            self._ids[page] = ids
        return self._ids[page]

    def source_of(self, page: str) -> Path | None:
        """The page's source as copied into _sources/ (.ipynb or .md), if any."""
        stem = page[: -len(".html")]
        for suffix in (".ipynb", ".md", ".rst"):
            for cand in (
                self.root / "_sources" / f"{stem}{suffix}",
                self.root / "_sources" / f"{stem}{suffix}.txt",
            ):
                if cand.is_file():
                    return cand
        return None

    def notebook_pages(self) -> list[str]:
        """Pages built from a notebook in the repository (these get launch buttons)."""
        return [p for p in self.pages if (REPO / (p[: -len(".html")] + ".ipynb")).is_file()]

    def chapter_pages(self) -> list[str]:
        return [p for p in self.pages if p.startswith("chapters/")]

    @cached_property
    def config(self) -> dict:
        return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
