"""What the demo news sites serve (see :mod:`flows.demo.site`): their layouts, pages, feeds, robots.txt.

Two listing layouts, each modelled on a real family of Vietnamese news CMS
(studied in ``../shared/realpages``; no text copied):

- ``mcms``: the mcms.one platform (tienphong, nhandan; anninhthudo.vn's family):
  ``article.story`` > ``figure.story__thumb`` + ``h2.story__heading`` > ``a.cms-link``,
  pages as ``?page=N``.
- ``box-category``: the VCCorp-style boxes (tuoitre, baochinhphu): ``div.box-category-item``
  > ``a.box-category-link-with-avatar`` + ``h3 > a.box-category-link-title``,
  ``span.box-category-time``, ``p.box-category-sapo``, pages as ``/trang-N.htm``.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "DEMO_SITES",
    "DemoArticle",
    "DemoPage",
    "ListingItem",
    "SiteLayout",
    "build_pages",
    "listing_html",
    "load_articles",
    "robots_txt",
    "rss_xml",
]


@dataclass(frozen=True, slots=True)
class ListingItem:
    """One article as a listing or a feed shows it."""

    path: str
    title: str
    published: datetime
    sapo: str = ""


def _a(text: str) -> str:
    return escape(text, quote=True)


def _mcms_item(item: ListingItem) -> str:
    t = _a(item.title)
    return (
        f'<article class="story" data-id="{zlib.crc32(item.path.encode()) % 10_000_000}">'
        f'<figure class="story__thumb"><a class="cms-link" href="{_a(item.path)}" title="{t}">'
        f'<img class="lazyload" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="{t}"></a></figure>'
        f'<h2 class="story__heading"><a class="cms-link " href="{_a(item.path)}" title="{t}"> {t} </a></h2>'
        f'<div class="story__meta"><time class="time" datetime="{item.published.isoformat()}">'
        f"{item.published:%d/%m/%Y %H:%M}</time></div>"
        f'<div class="story__summary">{_a(item.sapo)}</div>'
        "</article>\n"
    )


def _box_item(item: ListingItem) -> str:
    t = _a(item.title)
    return (
        '<div class="box-category-item">'
        f'<a class="box-category-link-with-avatar img-resize" href="{_a(item.path)}" title="{t}">'
        f'<img data-type="avatar" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="{t}"'
        ' class="box-category-avatar"></a>'
        '<div class="box-category-content"><h3 class="box-title-text">'
        f'<a class="box-category-link-title" data-type="title" href="{_a(item.path)}" title="{t}">{t}</a>'
        f'</h3><span class="box-category-time time-ago" title="{item.published.isoformat()}">'
        f"{item.published:%d/%m/%Y %H:%M}</span>"
        f'<p data-type="sapo" class="box-category-sapo">{_a(item.sapo)}</p></div>'
        "</div>\n"
    )


def _pager(layout: str, links: Sequence[tuple[int, str]], current: int) -> str:
    if layout == "mcms":
        cells = "".join(
            f'<li class="pagination__item{" active" if n == current else ""}">'
            f'<a class="pagination__link" href="{_a(href)}">{n}</a></li>'
            for n, href in links
        )
        return f'<nav class="pagination"><ul class="pagination__list">{cells}</ul></nav>'
    cells = "".join(
        f'<a class="btn-page{" active" if n == current else ""}" href="{_a(href)}">{n}</a>'
        for n, href in links
    )
    return f'<div class="list__pagination"><div class="box-page">{cells}</div></div>'


def listing_html(
    *,
    layout: str,
    site_title: str,
    section_title: str,
    items: Sequence[ListingItem],
    pages: Sequence[tuple[int, str]],
    current: int,
    feed_path: str,
) -> str:
    """One page of a section listing, with the site's furniture (menu, search, admin link, footer)."""
    render = _mcms_item if layout == "mcms" else _box_item
    wrap = "content-list" if layout == "mcms" else "list__listing-main box-category"
    body = "".join(render(i) for i in items)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="vi"><head><meta charset="utf-8"><title>{_a(section_title)} - {_a(site_title)}</title>'
        f'<link rel="alternate" type="application/rss+xml" title="{_a(section_title)}" href="{_a(feed_path)}">'
        "</head><body>\n"
        f'<header class="site-header"><a class="logo" href="/">{_a(site_title)}</a>'
        '<ul class="menu"><li><a href="/">Trang chủ</a></li>'
        f'<li><a href="{_a(pages[0][1])}">{_a(section_title)}</a></li>'
        '<li><a href="/tim-kiem?q=hien+mau">Tìm kiếm</a></li>'
        '<li><a href="/admin/">Quản trị</a></li></ul></header>\n'
        f'<main><h1 class="cate-title">{_a(section_title)}</h1>\n'
        f'<div class="{wrap}">\n{body}</div>\n'
        f"{_pager(layout, pages, current)}</main>\n"
        f'<footer class="site-footer">© {_a(site_title)} (bản trình diễn cục bộ)</footer>\n'
        "</body></html>\n"
    )


def rss_xml(
    *, site_title: str, section_title: str, base_url: str, section_url: str, items: Sequence[ListingItem]
) -> str:
    """An RSS 2.0 channel of ``items`` with absolute links on ``base_url``."""
    entries = "".join(
        "<item>"
        f"<title><![CDATA[{i.title}]]></title>"
        f"<link>{_a(base_url + i.path)}</link>"
        f'<guid isPermaLink="true">{_a(base_url + i.path)}</guid>'
        f"<pubDate>{format_datetime(i.published)}</pubDate>"
        f"<description><![CDATA[{i.sapo}]]></description>"
        "</item>\n"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0"><channel>'
        f"<title>{_a(section_title)} - {_a(site_title)}</title>"
        f"<link>{_a(section_url)}</link><description>{_a(section_title)}</description><language>vi</language>\n"
        f"{entries}</channel></rss>\n"
    )


def robots_txt(sitemap_url: str | None = None) -> str:
    """robots.txt of a demo site: the admin area and search are off limits."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /tim-kiem", "Allow: /", ""]
    if sitemap_url:
        lines.insert(-1, f"Sitemap: {sitemap_url}")
    return "\n".join(lines)


# -- the sites' content ---------------------------------------------------------------------

_VN = timezone(timedelta(hours=7))
_EPOCH = datetime(2020, 1, 1, tzinfo=_VN)


@dataclass(frozen=True, slots=True)
class SiteLayout:
    """How one demo site lays out its section: the data the server and the crawl config share."""

    name: str
    title: str
    layout: str  # "mcms" | "box-category"
    section_path: str
    section_title: str
    pagination: str  # Source.pagination template: {url} is the section URL, {page} the number
    article_pattern: str
    per_page: int = 4
    feed_path: str = "/rss/xa-hoi.rss"

    def page_path(self, page: int) -> str:
        if page <= 1:
            return self.section_path
        return self.pagination.format(url=self.section_path, page=page)


DEMO_SITES: tuple[SiteLayout, ...] = (
    SiteLayout(
        name="anninhthudo.vn",
        title="An ninh Thủ đô",
        layout="mcms",
        section_path="/xa-hoi",
        section_title="Xã hội",
        pagination="{url}?page={page}",
        article_pattern=r"-post\d+\.antd$",
    ),
    SiteLayout(
        name="cand.com.vn",
        title="Công an Nhân dân",
        layout="box-category",
        section_path="/xa-hoi",
        section_title="Xã hội",
        pagination="{url}/trang-{page}.htm",
        article_pattern=r"-i\d+/?$",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """An article page the site serves (and lists), with the status it answers with."""

    path: str
    title: str
    published: datetime
    html: bytes
    status: int = 200
    sapo: str = ""
    content_type: str | None = None  # None: text/html, with charset=utf-8 when the bytes are UTF-8


@dataclass(frozen=True, slots=True)
class DemoPage:
    """One response of a demo site."""

    body: bytes
    content_type: str
    last_modified: datetime
    status: int = 200
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "etag", '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"')


def _published(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        return _EPOCH
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_VN)


def _meta_description(html: bytes) -> str:
    tree = LexborHTMLParser(html)
    for sel in ('meta[name="description"]', 'meta[property="og:description"]'):
        node = tree.css_first(sel)
        if node is not None and node.attributes.get("content"):
            return str(node.attributes["content"]).strip()
    return ""


def load_articles(folder: Path) -> list[DemoArticle]:
    """The fixture pages of one site folder, each at the path of its expected canonical URL."""
    articles: dict[str, DemoArticle] = {}
    for html_path in sorted(folder.glob("*.html")):
        expected_path = html_path.with_suffix(".expected.json")
        if not expected_path.is_file():
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        url = expected.get("url")
        if not url:
            continue
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        html = html_path.read_bytes()
        articles.setdefault(
            path,
            DemoArticle(
                path=path,
                title=str(expected.get("title") or html_path.stem),
                published=_published(expected.get("published")),
                html=html,
                sapo=_meta_description(html),
            ),
        )
    return sorted(articles.values(), key=lambda a: (a.published, a.path), reverse=True)


def _html_type(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html"
    return "text/html; charset=utf-8"


def build_pages(layout: SiteLayout, articles: Sequence[DemoArticle], base_url: str) -> dict[str, DemoPage]:
    """Every response of one site, by request path (path + '?query')."""
    newest = max((a.published for a in articles), default=_EPOCH)
    items = [ListingItem(a.path, a.title, a.published, a.sapo) for a in articles]
    chunks = [items[i : i + layout.per_page] for i in range(0, len(items), layout.per_page)] or [[]]
    links = [(n, layout.page_path(n)) for n in range(1, len(chunks) + 1)]
    pages: dict[str, DemoPage] = {}
    for n, chunk in enumerate(chunks, start=1):
        html = listing_html(
            layout=layout.layout,
            site_title=layout.title,
            section_title=layout.section_title,
            items=chunk,
            pages=links,
            current=n,
            feed_path=layout.feed_path,
        )
        pages[layout.page_path(n)] = DemoPage(html.encode(), "text/html; charset=utf-8", newest)
    feed = rss_xml(
        site_title=layout.title,
        section_title=layout.section_title,
        base_url=base_url,
        section_url=base_url + layout.section_path,
        items=items[:10],
    )
    pages[layout.feed_path] = DemoPage(feed.encode(), "application/rss+xml; charset=utf-8", newest)
    pages["/robots.txt"] = DemoPage(robots_txt().encode(), "text/plain; charset=utf-8", _EPOCH)
    home = f'<!DOCTYPE html><html lang="vi"><body><a href="{layout.section_path}">{layout.section_title}</a>'
    pages["/"] = DemoPage(f"{home}</body></html>".encode(), "text/html; charset=utf-8", newest)
    for a in articles:
        pages[a.path] = DemoPage(a.html, a.content_type or _html_type(a.html), a.published, status=a.status)
    return pages
