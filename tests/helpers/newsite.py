"""A news site nobody configured (issue 15), on a real loopback socket, for discovery tests.

Its section pages link on only by a "Trang sau" anchor, then ``<link rel="next">``, then
"Trang tiếp" (page 4 repeats page 3: a crawler must stop there, page 5 is never asked
for); its feed is announced only in ``<link rel="alternate">`` on the section's first
page; its sitemap only in robots.txt (``Sitemap:``), a sitemap index whose news sitemap
dates its entries (``news:publication_date``) and whose 2019 child sitemap is old.

Article links (``ARTICLE_PATTERN``): nine campaign stories (``STORIES``) spread over the
pages, the feed and the sitemap, and three more that must not be stored, each for its
reason (``NOT_STORED``): a draft robots.txt disallows, a page over 256 KiB, an unrelated
story. The feed and the sitemap also hold entries the pattern leaves out, and the
sitemap one story too old to read. Pages carry an ETag and answer 304 while unchanged.
Everything is generated: no publisher text.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection

from tests.helpers.chaos import ChaosSite, Handler, Hit, Request, send
from tests.helpers.sites import article_html

__all__ = [
    "ARTICLE_PATTERN",
    "NOT_STORED",
    "SECTION",
    "SKIPPED",
    "STORIES",
    "RemoteSite",
    "install_unconfigured_site",
]

ARTICLE_PATTERN = r"/bai-viet/[a-z0-9-]+-\d+\.html$"
SECTION = "/chuyen-muc/xa-hoi"
_P = "/bai-viet/"
STORIES = {  # path → where the site links it
    f"{_P}hien-mau-mua-xuan-1.html": "page 1",
    f"{_P}ngay-hoi-giot-hong-2.html": "page 1",
    f"{_P}chu-nhat-do-3.html": "page 1",
    f"{_P}hanh-trinh-do-4.html": "page 2 (after 'Trang sau')",
    f"{_P}xuan-hong-5.html": "page 2",
    f"{_P}giot-mau-nghia-tinh-6.html": "page 3 (after rel=next)",
    f"{_P}trao-qua-hien-mau-7.html": "the feed (announced by <link rel=alternate>)",
    f"{_P}hien-mau-he-8.html": "the news sitemap (listed in robots.txt)",
    f"{_P}hien-mau-thu-9.html": "the news sitemap",
}
NOT_STORED = {  # path → the reason the crawl summary must give
    f"{_P}nhap-hien-mau-10.html": "robots",
    f"{_P}phong-su-anh-lon-11.html": "too large",
    f"{_P}gia-vang-12.html": "off-topic",
}
SKIPPED = {"pattern mismatch": 2, "too old": 1}  # what discovery leaves out, by reason
_OLD = f"{_P}hien-mau-2019-13.html"
_ROBOTS = "User-agent: *\nDisallow: /bai-viet/nhap-\nDisallow: /quan-tri/\n"


def _listing(title: str, links: list[str], *, head: str = "", foot: str = "") -> bytes:
    items = "".join(f'<li class="story"><a href="{href}">Tin {i}</a></li>' for i, href in enumerate(links))
    menu = '<a href="/">Trang chủ</a> <a href="/chuyen-muc/the-thao">Thể thao</a> <a href="/gioi-thieu">Giới thiệu</a>'
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><nav>{menu}</nav><h1>{title}</h1><ul>{items}</ul>"
        f'<aside><a href="/chuyen-muc/the-thao">Xem thêm</a></aside>{foot}</body></html>'
    ).encode()


def install_unconfigured_site(site: ChaosSite, now: datetime | None = None) -> None:
    """Serve the site described above on ``site`` (already started: links are absolute)."""
    now = now or datetime.now(UTC)
    stories, p = list(STORIES), SECTION
    r = site.routes
    site.robots = _ROBOTS + f"Sitemap: {site.url('/sitemaps/index.xml')}\n"
    feed_link = '<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/tin-moi.rss">'
    pages = {
        p: _listing(
            "Xã hội",
            [*stories[:3], *NOT_STORED],
            head=feed_link + '<link rel="alternate" hreflang="en" href="/en/society">',
            foot=f'<p class="nav"><a href="{p}/p/2">Trang sau »</a></p>',
        ),
        f"{p}/p/2": _listing(
            "Xã hội - trang 2", [stories[2], *stories[3:5]], head=f'<link rel="next" href="{p}/p/3">'
        ),
        f"{p}/p/3": _listing("Xã hội - trang 3", [stories[5]], foot=f'<a href="{p}/p/4">Trang tiếp</a>'),
        f"{p}/p/4": _listing("Xã hội - trang 4", [stories[5]], foot=f'<a href="{p}/p/5">Trang tiếp</a>'),
        f"{p}/p/5": _listing("Xã hội - trang 5", [], foot=""),
    }
    for path, body in pages.items():
        r[path] = _static(body)
    items = [stories[0], stories[6], "/video/clip-hien-mau"]
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>'
        + "".join(f"<item><title>t</title><link>{site.url(i)}</link></item>" for i in items)
        + "</channel></rss>"
    )
    r["/tin-moi.rss"] = _static(feed.encode(), "application/rss+xml")
    day = timedelta(days=1)
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/sitemaps/2019.xml')}</loc><lastmod>2019-12-31</lastmod></sitemap>"
        f"<sitemap><loc>{site.url('/sitemaps/news.xml')}</loc><lastmod>{now.isoformat()}</lastmod></sitemap>"
        "</sitemapindex>"
    )
    dated = [(stories[7], now), (stories[8], now - day), (_OLD, now - 700 * day), ("/gioi-thieu", now)]
    news = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{site.url(path)}</loc><news:news><news:publication_date>{when.isoformat()}"
            "</news:publication_date></news:news></url>"
            for path, when in dated
        )
        + "</urlset>"
    )
    r["/sitemaps/index.xml"] = _static(index.encode(), "application/xml")
    r["/sitemaps/news.xml"] = _static(news.encode(), "application/xml")
    r["/sitemaps/2019.xml"] = _static(b"<urlset></urlset>", "application/xml")
    published = (now - day).strftime("%Y-%m-%dT08:00:00+07:00")
    for n, path in enumerate([*stories, _OLD, f"{_P}nhap-hien-mau-10.html"], start=1):
        body = f"Sáng nay, Công an phường tổ chức ngày hội hiến máu lần {n}, tiếp nhận {100 + n} đơn vị máu."
        html = article_html(f"Hiến máu tình nguyện lần {n}", site.url(path), published, body)
        r[path] = _static(html.encode())
    unrelated = article_html(
        "Giá vàng hôm nay", site.url(f"{_P}gia-vang-12.html"), published, "Giá vàng tăng nhẹ."
    )
    r[f"{_P}gia-vang-12.html"] = _static(unrelated.encode())
    r[f"{_P}phong-su-anh-lon-11.html"] = _static(b"<html>" + b" " * 300_000 + b"</html>")


def _static(body: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    """A page that answers a conditional request with 304 while it is unchanged."""
    etag = f'"{hashlib.sha1(body).hexdigest()[:12]}"'

    async def handler(req: Request, w: asyncio.StreamWriter) -> bool:
        if req.headers.get("if-none-match") == etag:
            return await send(w, 304, b"", content_type="", headers=[("ETag", etag)])
        return await send(w, 200, body, content_type=content_type, headers=[("ETag", etag)])

    return handler


class RemoteSite:
    """The site above, served by a child process: its log's arrival times are not delayed by
    this process's work (extraction holds the GIL; a server thread here would read late).

    ``with RemoteSite() as site``: ``site.url(path)``, ``site.hits`` (the log so far)."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child,), name="unconfigured-site", daemon=True)
        self.port = 0

    def __enter__(self) -> RemoteSite:
        self._process.start()
        if not self._conn.poll(30):
            self._process.kill()
            raise RuntimeError("the test site did not start")
        self.port = int(self._conn.recv())
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def hits(self) -> list[Hit]:
        self._conn.send("hits")
        hits: list[Hit] = self._conn.recv()
        return hits


def _serve(conn: Connection) -> None:
    async def serve() -> None:
        async with ChaosSite() as site:
            install_unconfigured_site(site)
            conn.send(site.ports["127.0.0.1"])
            loop = asyncio.get_running_loop()
            while await loop.run_in_executor(None, conn.recv) != "stop":
                conn.send(list(site.hits))

    asyncio.run(serve())
