"""The links of a site's pages: every relative link names a file of the site, and its fragment an id
of that file (query strings, the matrix's filters, are left to the browser tests)."""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class LinkCollector(HTMLParser):
    """Every href and src, and every id, of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src") and value is not None:
                self.links.append(value)
            elif key == "id" and value:
                self.ids.add(value)


def parse(text: str) -> LinkCollector:
    parser = LinkCollector()
    parser.feed(text)
    return parser


@cache
def ids_of(path: Path) -> frozenset[str]:
    return frozenset(parse(path.read_text(encoding="utf-8")).ids)


def broken_links(page: Path, root: Path, text: str | None = None) -> list[str]:
    """The links of `page` (its text, or `text`: e.g. its DOM after its script ran) that do not
    resolve inside the site at `root`; links to other sites are not followed."""
    found = parse(text if text is not None else page.read_text(encoding="utf-8"))
    broken = []
    for link in found.links:
        parts = urlsplit(link)
        if parts.scheme in ("http", "https", "mailto"):
            continue
        if parts.scheme or parts.netloc:
            broken.append(f"{link}: not a relative link")
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            broken.append(f"{link}: no such file")
        elif parts.fragment and unquote(parts.fragment) not in (
                found.ids if target == page.resolve() else ids_of(target)):
            broken.append(f"{link}: no id {parts.fragment!r} in {target.name}")
    return broken
