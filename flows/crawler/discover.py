"""Discovery: article URLs from a source's listing pages, RSS/Atom feeds and (news) sitemaps.

``discover`` fetches, through the polite ``Fetcher``, each listing URL and its next
pages (up to ``crawl.listing_depth`` pages; the page's ``rel=next`` link, else the
source's pagination template), each feed and each sitemap (child sitemaps of an
index up to ``listing_depth`` files), conditionally when validators are given. It
keeps links that match the source's ``article_pattern`` (when set; else links on
the listing's own host), canonical and deduplicated in discovery order. A pattern
that is not a regular expression raises ``ConfigError`` before anything is fetched.

Pagination templates take ``{url}`` (the listing URL without a trailing ``.htm``/
``.html`` or slash), ``{page}`` (2, 3, ...) and ``{index}`` (page - 1, for sites
counting from 0): ``{url}/trang-{page}.htm`` (dantri, tuoitre), ``{url}-p{page}``
(vnexpress), ``{url}-page{index}`` (vietnamnet).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from errors import ConfigError
from extractors.decode import decode_text
from extractors.normalize import fold
from extractors.urls import canonicalize_url, host_of, is_http_url
from flows.config import CrawlSettings, Source
from flows.crawler.fetch import Fetcher, FetchResult

__all__ = [
    "Discovery",
    "discover",
    "entry_urls",
    "links_from_feed",
    "links_from_listing",
    "links_from_sitemap",
    "listing_page_url",
    "matches_keywords",
]

_SITEMAP_MAX_BYTES = 64 * 1024 * 1024  # the protocol allows 50 MB uncompressed
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_XML_LINK = re.compile(rb"<(?:\w+:)?(?:link|loc|guid)[^>]*>\s*(?:<!\[CDATA\[)?\s*(https?://[^<\s\]]+)", re.I)
_ATOM_HREF = re.compile(rb"<(?:\w+:)?link[^>]*\shref=[\"'](https?://[^\"']+)[\"']", re.IGNORECASE)
_STEM = re.compile(r"(\.html?|/)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one source's discovery found, and every page fetched to find it."""

    article_urls: list[str] = field(default_factory=list)
    results: list[FetchResult] = field(default_factory=list)


def entry_urls(source: Source) -> list[str]:
    """The canonical listing, feed and sitemap URLs of a source (to look up validators)."""
    return list(
        dict.fromkeys(canonicalize_url(u) for u in (*source.start_urls, *source.feeds, *source.sitemaps))
    )


def listing_page_url(listing_url: str, template: str, page: int) -> str:
    """Page ``page`` (1-based) of a listing: the listing itself for 1, else the template filled."""
    if page <= 1:
        return canonicalize_url(listing_url)
    stem = _STEM.sub("", canonicalize_url(listing_url))
    return canonicalize_url(template.format(url=stem, page=page, index=page - 1))


def links_from_listing(html: str, url: str, source: Source) -> tuple[list[str], str | None]:
    """Article links of the listing page at ``url`` (filtered, canonical, in page order) and its next page."""
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = canonicalize_url(base_node.attributes.get("href") or "", url) if base_node else url
    pattern = _pattern(source)
    here = canonicalize_url(url)
    links: dict[str, None] = {}
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        link = canonicalize_url(href, base)
        if link == here or not is_http_url(link):
            continue
        if pattern.search(link) if pattern else host_of(link) == host_of(here):
            links.setdefault(link)
    return list(links), _next_page(tree, base, here, source)


def _next_page(tree: LexborHTMLParser, base: str, here: str, source: Source) -> str | None:
    for node in tree.css("link[rel~=next], a[rel~=next]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            nxt = canonicalize_url(href, base)
            return nxt if nxt != here and is_http_url(nxt) else None
    if not source.pagination:
        return None
    for start in source.start_urls or (here,):
        number = _page_number(here, start, source.pagination)
        if number is not None:
            return listing_page_url(start, source.pagination, number + 1)
    return None


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


def links_from_feed(xml: str | bytes, feed_url: str) -> list[str]:
    """Item links of an RSS 2.0 / RSS 1.0 / Atom feed, canonical and deduplicated."""
    root = _parse_xml(xml)
    found: list[str] = []
    if root is None:  # malformed feed: take what looks like item links
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        found = [m.decode("utf-8", "replace") for m in _XML_LINK.findall(data) + _ATOM_HREF.findall(data)]
        return _dedup(found, feed_url, skip=feed_url)
    for item in root.iter():
        name = _local(item.tag)
        if name == "item":
            link = _child_text(item, "link") or _permalink_guid(item)
            if link:
                found.append(link)
        elif name == "entry":
            for link_node in item:
                if _local(link_node.tag) == "link" and link_node.get("rel", "alternate") == "alternate":
                    found.append(link_node.get("href") or (link_node.text or ""))
                    break
    return _dedup(found, feed_url)


def links_from_sitemap(xml: str | bytes, url: str) -> tuple[list[str], list[str]]:
    """``(page URLs, child sitemap URLs)`` of a sitemap or sitemap index (gzip accepted)."""
    if isinstance(xml, bytes) and xml[:2] == b"\x1f\x8b":
        xml = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(xml, _SITEMAP_MAX_BYTES)
    root = _parse_xml(xml)
    if root is None:
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        locs = [m.decode("utf-8", "replace") for m in _XML_LINK.findall(data)]
        return _dedup(locs, url), []
    pages: list[str] = []
    children: list[str] = []
    for node in root.iter():
        name = _local(node.tag)
        if name in ("url", "sitemap"):
            loc = _child_text(node, "loc")
            if loc:
                (children if name == "sitemap" else pages).append(loc)
    return _dedup(pages, url), _dedup(children, url)


def matches_keywords(text: str, keywords: Sequence[str]) -> bool:
    """True when ``text`` mentions one of ``keywords`` (case- and diacritics-insensitive,
    whole words); always True when there are no keywords."""
    if not keywords:
        return True
    hay = _fold(text)
    return any(re.search(rf"(?<!\w){re.escape(_fold(k))}(?!\w)", hay) for k in keywords if k.strip())


async def discover(
    source: Source,
    fetcher: Fetcher,
    crawl: CrawlSettings,
    validators: Mapping[str, tuple[str | None, str | None]] = {},
) -> Discovery:
    """Fetch a source's listings, feeds and sitemaps; return its article URLs and every fetch."""
    pattern = _pattern(source)
    found: dict[str, None] = {}
    results: list[FetchResult] = []

    async def get(url: str, kind: str, given: str = "") -> FetchResult | None:
        etag, last_modified = validators.get(url) or validators.get(given) or (None, None)
        result = await fetcher.fetch(url, kind=kind, etag=etag, last_modified=last_modified)
        results.append(result)
        return result if result.outcome == "fetched" and result.body else None

    def keep(urls: Iterable[str]) -> None:
        for u in urls:
            if pattern is None or pattern.search(u):
                found.setdefault(u)

    for start in source.start_urls:
        url: str | None = canonicalize_url(start)
        visited: set[str] = set()
        while url and url not in visited and len(visited) < crawl.listing_depth:
            visited.add(url)
            page = await get(url, "listing", start if len(visited) == 1 else "")
            if page is None or page.body is None:
                break  # unchanged (304), failed or deferred: its later pages are not reachable
            html = decode_text(page.body, page.content_type)[0]
            links, url = links_from_listing(html, page.final_url or url, source)
            found.update(dict.fromkeys(links))
    for feed in source.feeds:
        got = await get(canonicalize_url(feed), "feed", feed)
        if got is not None and got.body is not None:
            keep(links_from_feed(got.body, got.final_url or feed))
    for root in source.sitemaps:
        queue, fetched = [canonicalize_url(root)], 0
        while queue and fetched <= crawl.listing_depth:
            sitemap = queue.pop(0)
            got = await get(sitemap, "sitemap", root if not fetched else "")
            fetched += 1
            if got is not None and got.body is not None:
                pages, children = links_from_sitemap(got.body, got.final_url or sitemap)
                keep(pages)
                queue.extend(c for c in children if c not in queue)
    return Discovery(article_urls=list(found), results=results)


def _pattern(source: Source) -> re.Pattern[str] | None:
    if not source.article_pattern:
        return None
    try:
        return re.compile(source.article_pattern)
    except re.error as exc:
        raise ConfigError(
            f"source {source.name}: article_pattern is not a regular expression ({exc})"
        ) from None


def _parse_xml(xml: str | bytes) -> ET.Element | None:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    if isinstance(xml, str):  # the declaration would contradict the str we re-encoded
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
    data = _DOCTYPE.sub(b"", data, count=1)  # no DTD, so no entity expansion at all
    try:
        return ET.fromstring(data.lstrip())
    except ET.ParseError:
        return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(node: ET.Element, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _permalink_guid(item: ET.Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true").lower() != "false":
            text = (child.text or "").strip()
            return text if text.startswith("http") else None
    return None


def _dedup(urls: Iterable[str], base: str, *, skip: str | None = None) -> list[str]:
    out: dict[str, None] = {}
    skipped = canonicalize_url(skip) if skip else None
    for raw in urls:
        url = canonicalize_url(raw.strip(), base)
        if is_http_url(url) and url != skipped:
            out.setdefault(url)
    return list(out)


def _fold(text: str) -> str:
    return _SPACES.sub(" ", fold(text).lower())
