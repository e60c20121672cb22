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
import socket
import struct
import threading
import time
from collections.abc import Callable
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
    "site_pages",
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


def site_pages(url: Callable[[str], str], now: datetime | None = None) -> dict[str, tuple[bytes, str]]:
    """Every page of the site described above, by path: ``(body, content type)``, robots.txt
    included; ``url(path)`` makes the absolute links."""
    now = now or datetime.now(UTC)
    stories, p, html = list(STORIES), SECTION, "text/html; charset=utf-8"
    feed_link = '<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/tin-moi.rss">'
    listings = {
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
    pages = {path: (body, html) for path, body in listings.items()}
    robots = _ROBOTS + f"Sitemap: {url('/sitemaps/index.xml')}\n"
    pages["/robots.txt"] = (robots.encode(), "text/plain")
    items = [stories[0], stories[6], "/video/clip-hien-mau"]
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>'
        + "".join(f"<item><title>t</title><link>{url(i)}</link></item>" for i in items)
        + "</channel></rss>"
    )
    pages["/tin-moi.rss"] = (feed.encode(), "application/rss+xml")
    day = timedelta(days=1)
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{url('/sitemaps/2019.xml')}</loc><lastmod>2019-12-31</lastmod></sitemap>"
        f"<sitemap><loc>{url('/sitemaps/news.xml')}</loc><lastmod>{now.isoformat()}</lastmod></sitemap>"
        "</sitemapindex>"
    )
    dated = [(stories[7], now), (stories[8], now - day), (_OLD, now - 700 * day), ("/gioi-thieu", now)]
    news = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(
            f"<url><loc>{url(path)}</loc><news:news><news:publication_date>{when.isoformat()}"
            "</news:publication_date></news:news></url>"
            for path, when in dated
        )
        + "</urlset>"
    )
    pages["/sitemaps/index.xml"] = (index.encode(), "application/xml")
    pages["/sitemaps/news.xml"] = (news.encode(), "application/xml")
    pages["/sitemaps/2019.xml"] = (b"<urlset></urlset>", "application/xml")
    published = (now - day).strftime("%Y-%m-%dT08:00:00+07:00")
    for n, path in enumerate([*stories, _OLD, f"{_P}nhap-hien-mau-10.html"], start=1):
        body = f"Sáng nay, Công an phường tổ chức ngày hội hiến máu lần {n}, tiếp nhận {100 + n} đơn vị máu."
        pages[path] = (
            article_html(f"Hiến máu tình nguyện lần {n}", url(path), published, body).encode(),
            html,
        )
    unrelated = article_html(
        "Giá vàng hôm nay", url(f"{_P}gia-vang-12.html"), published, "Giá vàng tăng nhẹ."
    )
    pages[f"{_P}gia-vang-12.html"] = (unrelated.encode(), html)
    pages[f"{_P}phong-su-anh-lon-11.html"] = (b"<html>" + b" " * 300_000 + b"</html>", html)
    return pages


def install_unconfigured_site(site: ChaosSite, now: datetime | None = None) -> None:
    """Serve the site described above on ``site`` (already started: links are absolute)."""
    for path, (body, content_type) in site_pages(site.url, now).items():
        if path == "/robots.txt":
            site.robots = body.decode()
        else:
            site.routes[path] = _static(body, content_type)


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha1(body).hexdigest()[:12]}"'


def _static(body: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    """A page that answers a conditional request with 304 while it is unchanged."""
    etag = _etag(body)

    async def handler(req: Request, w: asyncio.StreamWriter) -> bool:
        if req.headers.get("if-none-match") == etag:
            return await send(w, 304, b"", content_type="", headers=[("ETag", etag)])
        return await send(w, 200, body, content_type=content_type, headers=[("ETag", etag)])

    return handler


class RemoteSite:
    """The site above, served by a child process from blocking sockets that ask the kernel when
    each request arrived (``SO_TIMESTAMPNS``): the log's times do not depend on when a busy
    machine lets the server run. (The client sends a request only after the answer to the
    previous one on its connection, so each read holds one request.)

    ``with RemoteSite() as site``: ``site.url(path)``, ``site.hits`` (the log so far; ``at``
    in seconds of the wall clock)."""

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


_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux


def _serve(conn: Connection) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.setsockopt(
        socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1
    )  # before any connection: accepted ones inherit it
    port = server.getsockname()[1]
    pages = site_pages(lambda path: f"http://127.0.0.1:{port}{path}")
    hits: list[Hit] = []
    lock = threading.Lock()

    def accept() -> None:
        while True:
            try:
                sock, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=_connection, args=(sock, pages, hits, lock), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    conn.send(port)
    while conn.recv() != "stop":
        with lock:
            conn.send(list(hits))
    server.close()


def _connection(
    sock: socket.socket, pages: dict[str, tuple[bytes, str]], hits: list[Hit], lock: threading.Lock
) -> None:
    sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
    local_ip = sock.getsockname()[0]
    buffer, arrived = b"", 0.0
    with sock:
        try:
            while True:
                data, ancillary, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(16))
                if not data:
                    return
                if not buffer:
                    arrived = _kernel_time(ancillary)
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    lines = head.decode("latin-1").split("\r\n")
                    target = lines[0].split(" ")[1]
                    headers = {
                        k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
                    }
                    path = target.split("?", 1)[0]
                    with lock:
                        hits.append(Hit(path, target, headers, arrived, local_ip))
                    sock.sendall(_response(pages.get(path), headers))
        except OSError:  # the client went away (it refuses a body over its cap by closing)
            return


def _kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return time.time()


def _response(page: tuple[bytes, str] | None, headers: dict[str, str]) -> bytes:
    if page is None:
        status, body, extra = "404 Not Found", b"not here", ["Content-Type: text/plain"]
    else:
        body, content_type = page
        etag = _etag(body)
        if headers.get("if-none-match") == etag:
            status, body, extra = "304 Not Modified", b"", [f"ETag: {etag}"]
        else:
            status, extra = "200 OK", [f"Content-Type: {content_type}", f"ETag: {etag}"]
    lines = [f"HTTP/1.1 {status}", *extra, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body
