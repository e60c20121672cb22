"""Feeds and sitemaps: the XML ways a site lists its articles, and where a page announces them.

RSS 2.0, RSS 1.0 and Atom feeds (:func:`links_from_feed`); sitemaps, sitemap indexes and
Google News sitemaps, gzip accepted, each entry with its date (``news:publication_date``,
else ``lastmod``) so a nightly run can read only what is new (:func:`sitemap_entries`);
the feeds a page announces with ``<link rel="alternate" type="application/rss+xml">``
(:func:`announced_feeds`). XML is parsed without a DTD (no entity expansion at all); a
malformed document still gives what looks like its links.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from extractors.urls import canonicalize_url, is_http_url

__all__ = [
    "FEED_TYPES",
    "SitemapEntry",
    "announced_feeds",
    "links_from_feed",
    "links_from_sitemap",
    "parse_w3c_date",
    "sitemap_entries",
]

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_SITEMAP_MAX_BYTES = 64 * 1024 * 1024  # the protocol allows 50 MB uncompressed
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_XML_LINK = re.compile(rb"<(?:\w+:)?(?:link|loc|guid)[^>]*>\s*(?:<!\[CDATA\[)?\s*(https?://[^<\s\]]+)", re.I)
_ATOM_HREF = re.compile(rb"<(?:\w+:)?link[^>]*\shref=[\"'](https?://[^\"']+)[\"']", re.IGNORECASE)
_W3C_DATE = re.compile(
    r"^\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)?)?\s*$"
)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>`` of a sitemap: its canonical URL and its date, if it has one."""

    url: str
    date: datetime | None = None


def announced_feeds(html: str | LexborHTMLParser, base: str) -> list[str]:
    """The RSS/Atom feeds a page announces in ``<link rel="alternate" type="...">``, canonical."""
    tree = html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html)
    found: list[str] = []
    for node in tree.css("link[rel~=alternate][href]"):
        kind = (node.attributes.get("type") or "").split(";", 1)[0].strip().lower()
        if kind in FEED_TYPES:
            found.append(node.attributes.get("href") or "")
    return _dedup(found, base, skip=base)


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


def sitemap_entries(xml: str | bytes, url: str) -> tuple[list[SitemapEntry], list[SitemapEntry]]:
    """``(pages, child sitemaps)`` of a sitemap or sitemap index (gzip accepted), with their dates:
    a Google News entry's ``news:publication_date``, else ``lastmod``."""
    if isinstance(xml, bytes) and xml[:2] == b"\x1f\x8b":
        try:
            xml = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(xml, _SITEMAP_MAX_BYTES)
        except zlib.error:
            return [], []
    root = _parse_xml(xml)
    if root is None:
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        locs = [m.decode("utf-8", "replace") for m in _XML_LINK.findall(data)]
        return [SitemapEntry(u) for u in _dedup(locs, url)], []
    pages: dict[str, SitemapEntry] = {}
    children: dict[str, SitemapEntry] = {}
    for node in root.iter():
        name = _local(node.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = _child_text(node, "loc")
        link = canonicalize_url(loc, url) if loc else ""
        if not is_http_url(link):
            continue
        date = parse_w3c_date(_news_date(node) or _child_text(node, "lastmod"))
        (children if name == "sitemap" else pages).setdefault(link, SitemapEntry(link, date))
    return list(pages.values()), list(children.values())


def links_from_sitemap(xml: str | bytes, url: str) -> tuple[list[str], list[str]]:
    """``(page URLs, child sitemap URLs)`` of a sitemap or sitemap index (gzip accepted)."""
    pages, children = sitemap_entries(xml, url)
    return [e.url for e in pages], [e.url for e in children]


def parse_w3c_date(value: str | None) -> datetime | None:
    """A sitemap date (W3C datetime: ``2026-03-08``, ``2026-03-08T10:00+07:00``) as an aware
    datetime (UTC when no offset is given); None when absent or unreadable."""
    m = _W3C_DATE.match(value or "")
    if m is None:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    text = f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    if zone and zone != "Z":
        text += zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _news_date(node: ET.Element) -> str | None:
    for child in node:
        if _local(child.tag) == "news":
            return _child_text(child, "publication_date")
    return None


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
