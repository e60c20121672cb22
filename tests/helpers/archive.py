"""Shared pieces of the archive tests: exchanges, warcio's own checker, a chunked gzip server."""

from __future__ import annotations

import contextlib
import gzip
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

from warehouse.types import Exchange

__all__ = ["REPO", "chunked_gzip_server", "exchange", "warcio_check"]

from tests.helpers import ROOT as REPO


def exchange(
    url: str = "http://www.example.vn/tin/hien-mau.html",
    body: bytes = "<html><p>Hiến 1.200 đơn vị máu</p></html>".encode(),
    *,
    encoding: str | None = None,
    status: int = 200,
    reason: str = "OK",
    extra_headers: tuple[tuple[str, str], ...] = (),
    fetched_at: str = "2026-11-25T19:00:00Z",
    remote_ip: str | None = "127.0.0.1",
    truncated: bool = False,
) -> Exchange:
    """An exchange whose payload is ``body`` content-encoded with ``encoding``."""
    payload = _encode(body, encoding)
    headers: list[tuple[str, str]] = [("Content-Type", "text/html; charset=utf-8")]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    headers.append(("Content-Length", str(len(payload))))
    headers.extend(extra_headers)
    return Exchange(
        url=url,
        method="GET",
        request_headers=(("Host", "www.example.vn"), ("User-Agent", "campaign-archive/test")),
        status=status,
        reason=reason,
        http_version="HTTP/1.1",
        response_headers=tuple(headers),
        payload=payload,
        body=body,
        fetched_at=fetched_at,
        remote_ip=remote_ip,
        truncated=truncated,
    )


def _encode(body: bytes, encoding: str | None) -> bytes:
    if encoding in (None, "identity"):
        return body
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "br":
        import brotli

        return bytes(brotli.compress(body))
    if encoding == "zstd":
        import zstandard

        return bytes(zstandard.ZstdCompressor().compress(body))
    if encoding == "deflate":
        import zlib

        return zlib.compress(body)
    raise ValueError(encoding)


def warcio_check(*paths: Path) -> tuple[int, str]:
    """Run warcio's own checker (``warcio check -v``) in-process: (exit value, its output)."""
    from warcio.checker import Checker

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = Checker(SimpleNamespace(inputs=[str(p) for p in paths], verbose=True)).process_all()
    return code, out.getvalue()


@contextlib.contextmanager
def chunked_gzip_server(body: bytes, chunk: int = 1000) -> Iterator[str]:
    """A 127.0.0.1 server answering every GET with ``body`` gzipped and sent chunked."""
    payload = gzip.compress(body)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(payload), chunk):
                part = payload[i : i + chunk]
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tin/chunked.html"
    finally:
        server.shutdown()
        server.server_close()
