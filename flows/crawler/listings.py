"""Listing pages: their article links, the feeds they announce, and their next page.

The next page of a listing, in this order (the first that gives a page wins):

1. the source's ``pagination`` template, when the page is page N of one of its start
   URLs (a configured pattern wins over what the page says);
2. ``rel="next"`` (``<link>`` or ``<a>``), what the site states;
3. an anchor saying "next" the way Vietnamese CMSs do: "Trang sau", "Trang tiếp",
   "Tiếp", "Sau", "Next" (its text, ``title`` or ``aria-label``), or a class ``next``
   (``a.next``, ``.next-page``, ``.pagination__next``);
4. a numbered link of a pagination block (an element whose class or id holds "pag":
   ``.pagination``, ``.paging``, ``.box-page``...): the number after the current one
   (marked ``active``/``current``/``aria-current``, else this page's own link, else 1
   on a start page);
5. an arrow alone ("›", "❯", "→", ">", then "»", ">>"), unless it says first/last/previous;
6. "Xem thêm" / "Xem tiếp" (load more), when it leads to a real URL.

From 3 on, a candidate must stay in the listing's section: on the same host, not an
article link, and its path the start URL's path or under its stem
(``/kinh-doanh.htm`` → ``/kinh-doanh/trang-2.htm``, ``/kinh-doanh-p2``, ``?page=2``), so
a "Xem thêm" box that leads to another section is not taken for page 2.

Pagination templates take ``{url}`` (the listing URL without a trailing ``.htm``/
``.html`` or slash), ``{page}`` (2, 3, ...) and ``{index}`` (page - 1, for sites
counting from 0): ``{url}/trang-{page}.htm`` (dantri, tuoitre), ``{url}-p{page}``
(vnexpress), ``{url}-page{index}`` (vietnamnet).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from errors import ConfigError
from extractors.normalize import fold
from extractors.urls import canonicalize_url, host_of, is_http_url
from flows.config import Source
from flows.crawler.feeds import announced_feeds

__all__ = ["ListingPage", "article_pattern", "links_from_listing", "listing_page_url", "read_listing"]

_STEM = re.compile(r"(\.html?|/)$", re.IGNORECASE)
_SKIP_HREF = ("#", "javascript:", "mailto:", "tel:")
_NEXT_WORDS = frozenset(
    {"trang sau", "trang tiep", "trang tiep theo", "tiep", "tiep theo", "sau", "next", "next page", "ke tiep"}
)
_MORE_WORDS = frozenset({"xem them", "xem tiep", "tai them", "load more"})
_ARROWS = ("›", "❯", "→", ">", "⟩", "▶", "»", ">>")
_NOT_NEXT = re.compile(r"\b(cuoi|last|dau|first|truoc|prev|previous)\b")
_NEXT_CLASS = re.compile(r"(^|[-_])next($|[-_]|page)|^nextpage$")
_CURRENT_CLASS = frozenset({"active", "current", "selected", "is-active", "is-current"})
_PAGE_TOKEN = re.compile(r"(page|trang|p)[-/=_]?\d+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListingPage:
    """What one listing page gives discovery."""

    links: list[str] = field(default_factory=list)  # article links, canonical, in page order
    unmatched: list[str] = field(default_factory=list)  # links on its host the article_pattern left out
    next_url: str | None = None
    next_via: str = ""  # how the next page was found: "pagination pattern", "rel=next", "'Trang sau'"...
    feeds: list[str] = field(default_factory=list)  # feeds it announces (<link rel="alternate">)


def article_pattern(source: Source) -> re.Pattern[str] | None:
    """The source's compiled ``article_pattern`` (None when unset); ConfigError when it is not a regex."""
    if not source.article_pattern:
        return None
    try:
        return re.compile(source.article_pattern)
    except re.error as exc:
        raise ConfigError(
            f"source {source.name}: article_pattern is not a regular expression ({exc})"
        ) from None


def listing_page_url(listing_url: str, template: str, page: int) -> str:
    """Page ``page`` (1-based) of a listing: the listing itself for 1, else the template filled."""
    if page <= 1:
        return canonicalize_url(listing_url)
    stem = _STEM.sub("", canonicalize_url(listing_url))
    return canonicalize_url(template.format(url=stem, page=page, index=page - 1))


def links_from_listing(html: str, url: str, source: Source) -> tuple[list[str], str | None]:
    """Article links of the listing page at ``url`` (filtered, canonical, in page order) and its next page."""
    page = read_listing(html, url, source)
    return page.links, page.next_url


def read_listing(html: str, url: str, source: Source, *, start: str | None = None) -> ListingPage:
    """Everything discovery reads on the listing page at ``url`` (``start``: the start URL it
    was reached from, the section its next page must stay in)."""
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = canonicalize_url(base_node.attributes.get("href") or "", url) if base_node else url
    pattern = article_pattern(source)
    here = canonicalize_url(url)
    links: dict[str, None] = {}
    unmatched: dict[str, None] = {}
    anchors = [(node, _target(node, base)) for node in tree.css("a[href]")]  # each resolved once
    host = host_of(here)
    for _, link in anchors:
        if link is None or link == here:
            continue
        on_host = host_of(link) == host
        if pattern.search(link) if pattern else on_host:
            links.setdefault(link)
        elif on_host:
            unmatched.setdefault(link)
    section = canonicalize_url(start) if start else here

    def acceptable(link: str | None) -> bool:
        return bool(
            link
            and link != here
            and link != section
            and not (pattern and pattern.search(link))
            and _in_section(link, section)
        )

    starts = list(dict.fromkeys([*([section] if start else []), *map(canonicalize_url, source.start_urls)]))
    nxt, via = _next_page(tree, base, anchors, here, source, starts or [here], acceptable)
    return ListingPage(list(links), list(unmatched), nxt, via, announced_feeds(tree, base))


def _target(node: LexborNode, base: str) -> str | None:
    href = (node.attributes.get("href") or "").strip()
    if not href or href.lower().startswith(_SKIP_HREF):
        return None
    link = canonicalize_url(href, base)
    return link if is_http_url(link) else None


def _next_page(
    tree: LexborHTMLParser,
    base: str,
    all_anchors: list[tuple[LexborNode, str | None]],
    here: str,
    source: Source,
    starts: list[str],
    acceptable: Callable[[str | None], bool],
) -> tuple[str | None, str]:
    if source.pagination:
        for start in starts:
            number = _page_number(here, start, source.pagination)
            if number is not None:
                return listing_page_url(start, source.pagination, number + 1), "pagination pattern"
    for node in tree.css("link[rel~=next][href], a[rel~=next][href]"):
        nxt = _target(node, base)
        if nxt and nxt != here:
            return nxt, "rel=next"
    anchors = [(node, link) for node, link in all_anchors if link and acceptable(link)]
    for node, link in anchors:
        label = _label(node, _NEXT_WORDS)
        if label:
            return link, f"'{label}'"
    for node, link in anchors:
        classes = (node.attributes.get("class") or "").lower().split()
        if any(_NEXT_CLASS.search(c) for c in classes) and not _NOT_NEXT.search(_folded(node)):
            return link, "a.next"
    numbered = _numbered_next(all_anchors, here, starts[0], acceptable)
    if numbered:
        return numbered
    for arrow in _ARROWS:
        for node, link in anchors:
            if _folded(node.text(deep=True)) == arrow and not _NOT_NEXT.search(_folded(node)):
                return link, f"'{arrow}'"
    for node, link in anchors:
        label = _label(node, _MORE_WORDS)
        if label:
            return link, f"'{label}'"
    return None, ""


def _label(node: LexborNode, words: frozenset[str]) -> str | None:
    """The text (or title, aria-label) of ``node`` when it is one of ``words``, arrows and dots aside."""
    for raw in (node.text(deep=True), node.attributes.get("title"), node.attributes.get("aria-label")):
        text = " ".join((raw or "").split())
        if text and _folded(text).strip("".join(_ARROWS) + " .…") in words:
            return text
    return None


def _folded(node_or_text: LexborNode | str) -> str:
    if isinstance(node_or_text, LexborNode):
        attrs = node_or_text.attributes
        node_or_text = " ".join(
            v or ""
            for v in (attrs.get("title"), attrs.get("aria-label"), attrs.get("class"), attrs.get("rel"))
        )
    return " ".join(fold(node_or_text).lower().split())


def _numbered_next(
    anchors: list[tuple[LexborNode, str | None]],
    here: str,
    section: str,
    acceptable: Callable[[str | None], bool],
) -> tuple[str, str] | None:
    by_number: dict[int, str] = {}
    blocks: dict[int, LexborNode] = {}
    for node, link in anchors:
        text = node.text(deep=True).strip()
        block = _pagination_block(node) if text.isdigit() else None
        if block is None:
            continue
        blocks[block.mem_id] = block
        if link == here:
            by_number.setdefault(int(text), here)
        elif link and acceptable(link):
            by_number.setdefault(int(text), link)
    if not blocks:
        return None
    current = None
    for block in blocks.values():
        for node in block.css("[aria-current], [class]"):
            classes = set((node.attributes.get("class") or "").lower().split())
            text = node.text(deep=True).strip()
            if text.isdigit() and ("aria-current" in node.attributes or classes & _CURRENT_CLASS):
                current = int(text)
                break
        if current is not None:
            break
    if current is None:
        current = next((n for n, link in by_number.items() if link == here), 1 if here == section else None)
    if current is None or current + 1 not in by_number or by_number[current + 1] == here:
        return None
    return by_number[current + 1], f"page {current + 1} of the pagination"


def _pagination_block(node: LexborNode) -> LexborNode | None:
    """The outermost of the 4 ancestors of ``node`` whose class or id holds "pag", if any."""
    block, parent = None, node.parent
    for _ in range(4):
        if parent is None:
            break
        marks = f"{parent.attributes.get('class') or ''} {parent.attributes.get('id') or ''}".lower()
        if "pag" in marks:
            block = parent
        parent = parent.parent
    return block


def _in_section(link: str, section: str) -> bool:
    """``link`` stays in the listing at ``section``: same host and port, and the section's path,
    a path under its stem, or (for a listing at the site root) a path that names a page."""
    a, b = urlsplit(link), urlsplit(section)
    if a.netloc.lower() != b.netloc.lower():
        return False
    path, start = a.path.lower(), b.path.lower()
    stem = _STEM.sub("", start)
    if path == start:
        return True
    if stem:
        return path.startswith(stem)
    return bool(_PAGE_TOKEN.search(f"{a.path}?{a.query}"))


def _page_number(url: str, start: str, template: str) -> int | None:
    if url == canonicalize_url(start):
        return 1
    stem = _STEM.sub("", canonicalize_url(start))
    probe = canonicalize_url(template.format(url=stem, page=987654, index=987653))
    regex = re.escape(probe).replace("987654", r"(?P<page>\d+)").replace("987653", r"(?P<index>\d+)")
    m = re.fullmatch(regex, url)
    if m is None:
        return None
    if m.groupdict().get("page"):
        return int(m.group("page"))
    return int(m.group("index")) + 1
