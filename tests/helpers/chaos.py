"""A misbehaving news site on real loopback sockets, for the crawler's tests and bench.

A raw asyncio server (http.server cannot misbehave enough): it keeps connections
alive, logs every request with its arrival time, and serves the routes in
``ChaosSite.routes`` — listings, articles, 429/503 answers, compression bombs, an
endless trickle, a 2 GB Content-Length, redirects to places the crawler must not
go, windows-1258 pages, robots.txt in several moods. Everything is generated: no
publisher text.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate

import brotli
import zstandard

from flows.config import CrawlSettings

__all__ = [
    "ARTICLE_TEXT",
    "CHAOS_ARTICLES",
    "DELAY",
    "UA",
    "ChaosSite",
    "Hit",
    "Request",
    "assert_polite",
    "bomb_chunks",
    "crawl_settings",
    "encode_cp1258",
    "install_news_site",
    "page",
    "send",
]

ARTICLE_TEXT = (
    "Sáng 12-3, Công an quận tổ chức Ngày hội hiến máu tình nguyện “Giọt máu nghĩa tình”, "
    "tiếp nhận 215 đơn vị máu và trao 40 phần quà cho người hiến."
)
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MB = b"\x00" * (1 << 20)


def encode_cp1258(text: str) -> bytes:
    """Vietnamese text in windows-1258: base letters precomposed, tone marks as combining bytes."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def page(title: str, body: str = ARTICLE_TEXT, *, links: Sequence[str] = (), head: str = "") -> str:
    items = "".join(f'<li><a href="{href}">link {i}</a></li>' for i, href in enumerate(links))
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>"
        f"<h1>{title}</h1><p>{body}</p><ul>{items}</ul></body></html>"
    )


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str  # path with query
    path: str
    headers: dict[str, str]
    local_ip: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One request as the server saw it."""

    path: str
    target: str
    headers: dict[str, str]
    at: float  # time.monotonic() when the request head was read
    local_ip: str


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]  # returns keep-alive


@dataclass
class ChaosSite:
    """``async with ChaosSite() as site``: serves ``site.routes`` on each of ``hosts``."""

    hosts: Sequence[str] = ("127.0.0.1",)
    latency: float = 0.0  # added before every answer
    robots: str | None = "User-agent: *\nDisallow: /private/\n"
    robots_mode: str = "ok"  # ok | 404 | 503 | hang
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)  # body bytes written per path
    ports: dict[str, int] = field(default_factory=dict)
    _servers: list[asyncio.Server] = field(default_factory=list)

    async def __aenter__(self) -> ChaosSite:
        port = 0
        for host in self.hosts:  # the same port on every address when it is free there
            try:
                server = await asyncio.start_server(self._connection, host=host, port=port)
            except OSError:
                server = await asyncio.start_server(self._connection, host=host, port=0)
            self.ports[host] = port = server.sockets[0].getsockname()[1]
            self._servers.append(server)
        self.routes.setdefault("/robots.txt", self._robots)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()

    def url(self, path: str, host: str | None = None) -> str:
        host = host or self.hosts[0]
        return f"http://{host}:{self.ports[host]}{path}"

    def paths(self, prefix: str = "/") -> list[str]:
        return [h.target for h in self.hits if h.path.startswith(prefix)]

    # -- serving -------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        local_ip = writer.get_extra_info("sockname")[0]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                path = target.split("?", 1)[0]
                req = Request(method, target, path, headers, local_ip)
                self.hits.append(Hit(path, target, headers, time.monotonic(), local_ip))
                self.counts[path] = self.counts.get(path, 0) + 1
                if self.latency:
                    await asyncio.sleep(self.latency)
                handler = self.routes.get(path, _not_found)
                if not await handler(req, writer):
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    async def _robots(self, req: Request, w: asyncio.StreamWriter) -> bool:
        if self.robots_mode == "hang":
            await asyncio.sleep(3600)
        if self.robots_mode == "503":
            return await send(w, 503, b"busy")
        if self.robots_mode == "404" or self.robots is None:
            return await send(w, 404, b"no robots here")
        return await send(w, 200, self.robots.encode(), content_type="text/plain")

    async def stream(
        self, w: asyncio.StreamWriter, path: str, chunks: Iterable[bytes], delay: float = 0.0
    ) -> bool:
        """Write an iterable of byte chunks until it ends or the client goes away."""
        for chunk in chunks:
            if w.is_closing():
                return False
            if chunk:
                w.write(chunk)
                self.sent[path] = self.sent.get(path, 0) + len(chunk)
                try:
                    await w.drain()
                except ConnectionError:
                    return False
            await asyncio.sleep(delay)  # also yields: this server shares the client's event loop
        return False


async def send(
    w: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    *,
    content_type: str = "text/html; charset=utf-8",
    headers: Sequence[tuple[str, str]] = (),
    close: bool = False,
) -> bool:
    """Write one complete response; returns keep-alive."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Date: " + formatdate(usegmt=True))
    if close:
        lines.append("Connection: close")
    w.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await w.drain()
    return not close


def head_only(status: int, headers: Sequence[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def bomb_chunks(coding: str, megabytes: int = 1024) -> Iterator[bytes]:
    """``megabytes`` MiB of zeros, compressed lazily as a stream in ``coding``."""
    if coding == "gzip":
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        yield from (gz.compress(_MB) for _ in range(megabytes))
        yield gz.flush()
    elif coding == "br":
        br = brotli.Compressor(quality=1)
        yield from (br.process(_MB) for _ in range(megabytes))
        yield br.finish()
    else:
        zs = zstandard.ZstdCompressor(level=1).compressobj()
        yield from (zs.compress(_MB) for _ in range(megabytes))
        yield zs.flush()


# Article path → (outcome, error prefix) the crawler must end with (max_retries=2,
# max_bytes=256 KiB, timeout 0.5 s, 127.0.0.1 allowed, 127.0.0.2 not).
CHAOS_ARTICLES: dict[str, tuple[str, str | None]] = {
    "/a/ok-1": ("fetched", None),
    "/a/ok-2": ("fetched", None),
    "/a/dup": ("fetched", None),
    "/a/429": ("fetched", None),
    "/a/503-then-ok": ("fetched", None),
    "/a/moved": ("fetched", None),
    "/a/cp1258-meta": ("fetched", None),
    "/a/cp1258-nometa": ("fetched", None),
    "/a/mislabelled": ("fetched", None),
    "/a/gzip-bomb": ("fetched", "truncated at 262144 bytes"),
    "/a/br-bomb": ("fetched", "truncated at 262144 bytes"),
    "/a/zstd-bomb": ("fetched", "truncated at 262144 bytes"),
    "/a/503-always": ("deferred", "http 503"),
    "/a/trickle": ("deferred", "timeout"),
    "/a/reset": ("deferred", "network"),
    "/a/404": ("failed", "http 404"),
    "/a/huge": ("failed", "too large"),
    "/a/to-private": ("failed", "ssrf"),
    "/a/to-file": ("failed", "scheme"),
    "/a/loop-1": ("failed", "redirect loop"),
    "/private/secret": ("failed", "robots: disallowed"),
    "/a/page2-story": ("fetched", None),
    "/a/feed-only": ("fetched", None),
}


def install_news_site(site: ChaosSite) -> None:
    """The chaos news site: /listing (+ /listing/trang-2.htm), /feed.rss and every case above."""
    r = site.routes
    links = [p for p in CHAOS_ARTICLES if p not in ("/a/page2-story", "/a/feed-only")]
    links += ["/a/dup?utm_source=fb&utm_medium=social", "/a/dup#comments", "/a/dup?fbclid=XYZ", "/a/dup/"]
    links += ["/about", "mailto:toa-soan@example.invalid", "javascript:void(0)"]

    def static(body: bytes, etag: str, content_type: str = "text/html; charset=utf-8") -> Handler:
        async def handler(req: Request, w: asyncio.StreamWriter) -> bool:
            if req.headers.get("if-none-match") == etag:
                return await send(w, 304, b"", content_type="", headers=[("ETag", etag)])
            headers = [("ETag", etag), ("Last-Modified", "Tue, 03 Mar 2026 08:00:00 GMT")]
            return await send(w, 200, body, content_type=content_type, headers=headers)

        return handler

    r["/listing"] = static(page("Tin mới", links=links).encode(), '"listing-v1"')
    r["/listing/trang-2.htm"] = static(page("Trang 2", links=["/a/page2-story", "/a/ok-1"]).encode(), '"l2"')
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>{site.url('/')}</link><item><title>a</title><link>{site.url('/a/ok-1')}</link></item>"
        f"<item><title>b</title><link><![CDATA[{site.url('/a/feed-only')}?utm_source=rss]]></link></item>"
        "</channel></rss>"
    )
    r["/feed.rss"] = static(feed.encode(), '"feed-v1"', "application/rss+xml")
    for path in ("/a/ok-1", "/a/ok-2", "/a/dup", "/a/page2-story", "/a/feed-only", "/a/ok-target"):
        r[path] = static(page(path).encode(), f'"{path}-v1"')
    r["/private/secret"] = static(page("secret").encode(), '"s"')

    async def too_many(req: Request, w: asyncio.StreamWriter) -> bool:
        if site.counts[req.path] == 1:
            return await send(w, 429, b"slow down", headers=[("Retry-After", "1")])
        return await send(w, 200, page("429 then fine").encode())

    async def flaky(req: Request, w: asyncio.StreamWriter) -> bool:
        if site.counts[req.path] <= 2:
            return await send(w, 503, b"busy")
        return await send(w, 200, page("503 then fine").encode())

    async def down(req: Request, w: asyncio.StreamWriter) -> bool:
        return await send(w, 503, b"down", headers=[("Retry-After", "0")])

    def bomb(coding: str) -> Handler:
        async def handler(req: Request, w: asyncio.StreamWriter) -> bool:
            hdr = [("Content-Type", "text/html"), ("Content-Encoding", coding), ("Connection", "close")]
            w.write(head_only(200, hdr))
            return await site.stream(w, req.path, bomb_chunks(coding))

        return handler

    async def trickle(req: Request, w: asyncio.StreamWriter) -> bool:
        w.write(head_only(200, [("Content-Type", "text/html"), ("Content-Length", "100000")]))
        return await site.stream(w, req.path, (b"<" for _ in range(100000)), delay=0.02)

    async def huge(req: Request, w: asyncio.StreamWriter) -> bool:
        w.write(head_only(200, [("Content-Type", "text/html"), ("Content-Length", "2000000000")]))
        return await site.stream(w, req.path, (b"\x00" * 65536 for _ in range(30518)))

    async def reset(req: Request, w: asyncio.StreamWriter) -> bool:
        w.transport.abort()
        return False

    def redirect(status: int, location: str) -> Handler:
        async def handler(req: Request, w: asyncio.StreamWriter) -> bool:
            return await send(w, status, b"", headers=[("Location", location)])

        return handler

    cp = encode_cp1258(ARTICLE_TEXT)
    meta = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    r.update(
        {
            "/a/429": too_many,
            "/a/503-then-ok": flaky,
            "/a/503-always": down,
            "/a/gzip-bomb": bomb("gzip"),
            "/a/br-bomb": bomb("br"),
            "/a/zstd-bomb": bomb("zstd"),
            "/a/trickle": trickle,
            "/a/huge": huge,
            "/a/reset": reset,
            "/a/404": _not_found,
            "/a/to-private": redirect(302, f"http://127.0.0.2:{site.ports[site.hosts[0]]}/a/ok-1"),
            "/a/to-file": redirect(302, "file:///etc/passwd"),
            "/a/loop-1": redirect(302, "/a/loop-2"),
            "/a/loop-2": redirect(301, site.url("/a/loop-1")),
            "/a/moved": redirect(301, "/a/ok-target"),
            "/a/cp1258-meta": static(
                meta + b"</head><body><p>" + cp + b"</p></body></html>", '"m"', "text/html"
            ),
            "/a/cp1258-nometa": static(b"<html><body><p>" + cp + b"</p></body></html>", '"n"', "text/html"),
            "/a/mislabelled": static(page("x").encode("utf-8"), '"x"', "text/html; charset=iso-8859-1"),
        }
    )


DELAY = 0.05
UA = "campaign-archive-test/0.1 (+https://example.invalid/contact)"


def crawl_settings(**changes: object) -> CrawlSettings:
    """Small delays, caps and timeouts so the suite stays fast; ``changes`` override them."""
    base = CrawlSettings(
        delay_seconds=DELAY, max_bytes=262144, timeout_seconds=0.5, connect_timeout_seconds=0.5,
        allow_hosts=("127.0.0.1",), max_retries=2, backoff_base_seconds=0.05, backoff_max_seconds=0.3,
        listing_depth=2, user_agent=UA,
    )  # fmt: skip
    return CrawlSettings.model_validate({**base.model_dump(), **changes})


def assert_polite(hits: Sequence[Hit], delay: float) -> None:
    """Per server address, request arrivals are at least ``delay`` apart (start to start)."""
    by_ip: dict[str, list[float]] = {}
    for hit in hits:
        by_ip.setdefault(hit.local_ip, []).append(hit.at)
    for times in by_ip.values():
        gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
        assert all(g >= delay - 0.01 for g in gaps), (delay, min(gaps))


async def _not_found(req: Request, w: asyncio.StreamWriter) -> bool:
    return await send(w, 404, b"<html><body>not here</body></html>")


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found",
            429: "Too Many Requests", 503: "Service Unavailable"}  # fmt: skip
