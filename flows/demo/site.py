"""The demo sites: local news sites on 127.0.0.1, one HTTP server per site.

Each demo site (``anninhthudo.vn``, ``cand.com.vn``) serves, from its own port:

- ``/robots.txt`` (the admin area and search are disallowed),
- a section listing (``/xa-hoi``) with pagination, a few articles per page, newest first,
  in a layout modelled on the site's CMS family (see :mod:`flows.demo._templates`),
- an RSS feed of the section (``/rss/xa-hoi.rss``),
- every fixture page of ``fixtures/<site>/`` at the path of its canonical URL
  (the ``url`` of its ``.expected.json``), byte for byte.

Responses carry ``ETag`` and ``Last-Modified`` and answer conditional requests with
304, and are gzip-encoded when the client asks, like a real site. Every request is
counted (:meth:`DemoSite.hits`) so tests can check what the crawler asked for.
:mod:`flows.demo.run` starts them and crawls them (``campaigns demo``), or serves them until
stopped with a config to crawl them, for ``crawl``, ``schedule`` and a worker.
"""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from errors import ConfigError
from flows.demo._templates import (
    DEMO_SITES,
    DemoArticle,
    DemoPage,
    SiteLayout,
    build_pages,
    load_articles,
)
from flows.steps.audit import PROJECT_FIXTURES

__all__ = [
    "DEMO_SITES",
    "DemoArticle",
    "DemoPage",
    "DemoSite",
    "SiteLayout",
    "build_pages",
    "load_articles",
]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    pages: dict[str, DemoPage]
    hits: Counter[str]
    lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
        page = self.server.pages.get(self.path)
        if page is None:
            if self.path + "/" in self.server.pages:  # like the real sites: add the slash
                self._send(
                    301, b"", "text/html; charset=utf-8", head=head, extra=[("Location", self.path + "/")]
                )
            else:
                self._send(404, b"<h1>404 Not Found</h1>", "text/html; charset=utf-8", head=head)
            return
        headers = [
            ("ETag", page.etag),
            ("Last-Modified", format_datetime(page.last_modified.astimezone(UTC), True)),
        ]
        if page.status == 200 and self._not_modified(page):
            self.send_response(304)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(page.status, page.body, page.content_type, head=head, extra=headers)

    def _not_modified(self, page: DemoPage) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return page.etag in [t.strip().removeprefix("W/") for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return page.last_modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        head: bool,
        extra: Iterable[tuple[str, str]] = (),
    ) -> None:
        encoding = None
        if "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 512:
            body, encoding = gzip.compress(body, mtime=0), "gzip"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _bind(port: int, *, strict: bool = False, name: str = "") -> _Server:
    try:
        return _Server(("127.0.0.1", port), _Handler)
    except OSError as exc:
        if strict and port:
            raise ConfigError(
                f"port {port} of {name} is taken ({exc.strerror}): is `campaigns demo --serve` already running?"
            ) from None
        if port == 0:
            raise
        return _Server(("127.0.0.1", 0), _Handler)


class DemoSite:
    """The demo sites, each on its own 127.0.0.1 port, served from threads while in ``with``.

    ``ports`` asks for the ports of an earlier run (so URLs, and the warehouse rows
    keyed by them, stay the same); a port already taken falls back to a free one, or
    with ``strict_ports`` is a ConfigError. ``extra`` adds articles per site name (e.g. a
    broken page) to its listing and paths.
    """

    def __init__(
        self,
        fixtures: Path = PROJECT_FIXTURES,
        *,
        layouts: Sequence[SiteLayout] = DEMO_SITES,
        ports: Mapping[str, int] | None = None,
        extra: Mapping[str, Sequence[DemoArticle]] | None = None,
        strict_ports: bool = False,
    ) -> None:
        self.layouts = tuple(layouts)
        self._fixtures = Path(fixtures)
        self._strict = strict_ports
        self._wanted = dict(ports or {})
        self._extra = dict(extra or {})
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self.articles: dict[str, list[DemoArticle]] = {}

    def __enter__(self) -> DemoSite:
        try:
            for layout in self.layouts:
                arts = [*load_articles(self._fixtures / layout.name), *self._extra.get(layout.name, ())]
                arts.sort(key=lambda a: (a.published, a.path), reverse=True)
                self.articles[layout.name] = arts
                server = _bind(int(self._wanted.get(layout.name, 0)), strict=self._strict, name=layout.name)
                try:
                    server.pages = build_pages(layout, arts, self._base(server))
                except BaseException:
                    server.server_close()  # never served: shutdown() would wait forever
                    raise
                server.hits = Counter()
                server.lock = threading.Lock()
                thread = threading.Thread(
                    target=server.serve_forever, args=(0.05,), name=f"demo-{layout.name}", daemon=True
                )
                thread.start()
                self._servers[layout.name] = server
                self._threads.append(thread)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    @staticmethod
    def _base(server: _Server) -> str:
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def ports(self) -> dict[str, int]:
        return {name: int(s.server_address[1]) for name, s in self._servers.items()}

    def base_url(self, name: str) -> str:
        return self._base(self._servers[name])

    def hits(self, name: str) -> Counter[str]:
        """How many times each path of site ``name`` was requested."""
        server = self._servers[name]
        with server.lock:
            return Counter(server.hits)

    def sources(self, keywords: Mapping[str, Sequence[str]] | None = None) -> list[dict[str, Any]]:
        """The crawl sources of the demo sites, in the settings' dict shape."""
        out = []
        for layout in self.layouts:
            base = self.base_url(layout.name)
            out.append(
                {
                    "name": layout.name,
                    "start_urls": [base + layout.section_path],
                    "feeds": [base + layout.feed_path],
                    "article_pattern": layout.article_pattern,
                    "pagination": layout.pagination,
                    "keywords": list((keywords or {}).get(layout.name, ())),
                }
            )
        return out

    def listing_pages(self, name: str) -> int:
        layout = next(lay for lay in self.layouts if lay.name == name)
        return max(1, -(-len(self.articles[name]) // layout.per_page))
