"""What one fetch gives back: the request and result records, the capped response reader, and
how a response or an error becomes a :class:`FetchResult` (see :mod:`flows.crawler.fetch`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import httpcore
import httpx

from errors import FetchError, PolicyError, TransientFetchError
from warehouse.types import Exchange
from warehouse.warc.coding import CappedBody

__all__ = [
    "REDIRECTS",
    "FetchRequest",
    "FetchResult",
    "Outcome",
    "Reader",
    "cut_by",
    "ended",
    "header",
    "now_stamp",
    "result_of",
    "translate",
]

Outcome = Literal["fetched", "not_modified", "failed", "deferred"]
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One URL to fetch, with the validators of its last capture (conditional GET)."""

    url: str
    kind: str = "article"
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """How one URL ended, with every HTTP exchange made for it (robots, hops, retries)."""

    url: str
    final_url: str | None
    status: int | None
    error: str | None
    outcome: Outcome
    exchanges: tuple[Exchange, ...]
    body: bytes | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str
    bytes: int
    kind: str = "article"


class Reader:
    """Reads one response under the caps; ``keep`` turns what was read into an Exchange."""

    def __init__(self, url: str, fetched_at: str, redirects: tuple[str, ...], max_bytes: int) -> None:
        self.url, self.fetched_at, self.redirects, self.max_bytes = url, fetched_at, redirects, max_bytes
        self.resp: httpx.Response | None = None
        self.remote_ip: str | None = None
        self.capped: CappedBody | None = None
        self.refused: str | None = None

    async def read(self, resp: httpx.Response) -> None:
        self.resp = resp
        stream = resp.extensions.get("network_stream")
        addr = stream.get_extra_info("server_addr") if stream is not None else None
        self.remote_ip = str(addr[0]) if addr else None
        length = (resp.headers.get("content-length") or "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            self.refused = f"too large: Content-Length {length} > max_bytes {self.max_bytes}"
            return
        try:
            self.capped = CappedBody(resp.headers.get("content-encoding"), self.max_bytes)
            async for chunk in resp.aiter_raw():
                if not self.capped.feed(chunk):
                    return
            self.capped.finish()
        except FetchError as exc:
            self.refused = str(exc)

    def keep(self, exchanges: list[Exchange], *, truncated: str | None = None) -> Exchange | None:
        """``truncated`` names what cut the body short ("time", "disconnect"); the byte cap says "length"."""
        resp, capped = self.resp, self.capped
        if resp is None:
            return None
        ex = Exchange(
            url=self.url,
            method="GET",
            request_headers=_pairs(resp.request.headers.raw),
            status=resp.status_code,
            reason=resp.reason_phrase,
            http_version=resp.http_version,
            response_headers=_pairs(resp.headers.raw, drop=b"transfer-encoding"),
            payload=bytes(capped.raw) if capped else b"",
            body=bytes(capped.body) if capped else b"",
            fetched_at=self.fetched_at,
            remote_ip=self.remote_ip,
            truncated=bool(truncated) or capped is None or capped.truncated,
            redirects=self.redirects,
            truncated_by=truncated or ("length" if capped is None or capped.truncated else None),
        )
        exchanges.append(ex)
        return ex


def result_of(url: str, kind: str, ex: Exchange, exchanges: list[Exchange]) -> FetchResult:
    ctype = header(ex.response_headers, "content-type")
    outcome: Outcome = "fetched"
    error = f"truncated at {len(ex.body)} bytes" if ex.truncated else None
    if ex.status == 304:
        outcome = "not_modified"
    elif ex.status in REDIRECTS:
        outcome, error = "failed", f"http {ex.status} without Location"
    elif ex.status >= 400 or ex.status < 200:
        outcome, error = "failed", f"http {ex.status}"
    return FetchResult(
        url=url,
        final_url=ex.url,
        status=ex.status,
        error=error,
        outcome=outcome,
        exchanges=tuple(exchanges),
        body=ex.body,
        content_type=ctype,
        etag=header(ex.response_headers, "etag"),
        last_modified=header(ex.response_headers, "last-modified"),
        fetched_at=ex.fetched_at,
        bytes=len(ex.body),
        kind=kind,
    )


def ended(url: str, kind: str, exchanges: list[Exchange], started: str, exc: FetchError) -> FetchResult:
    """The result of a URL that ended without a usable final response."""
    last = exchanges[-1] if exchanges else None
    final_url = last.url if last is not None and exc.status is not None else None
    fetched_at = last.fetched_at if last is not None else started
    outcome: Outcome = "deferred" if exc.transient else "failed"
    return FetchResult(
        url, final_url, exc.status, str(exc), outcome, tuple(exchanges), None, None, None, None,
        fetched_at, 0, kind,
    )  # fmt: skip


def translate(exc: Exception, url: str, deadline: float) -> FetchError:
    """httpx / deadline errors → our tree; only timeouts and network trouble are transient."""
    if isinstance(exc, TimeoutError):
        return TransientFetchError(f"timeout: no complete response within {deadline:g}s", url=url)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return PolicyError(f"scheme: {exc}", url=url)
    if isinstance(exc, httpx.TimeoutException):
        return TransientFetchError(f"timeout: {type(exc).__name__}", url=url)
    if isinstance(exc, httpx.TransportError | httpcore.ConnectError):
        return TransientFetchError(f"network: {type(exc).__name__}: {exc}", url=url)
    return FetchError(f"http error: {type(exc).__name__}: {exc}", url=url)


def cut_by(exc: Exception) -> str:
    """The WARC-Truncated reason of a response that ended in ``exc``: the deadline, or the connection."""
    return "time" if isinstance(exc, TimeoutError | httpx.TimeoutException) else "disconnect"


def _pairs(raw: list[tuple[bytes, bytes]], drop: bytes = b"") -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw if k.lower() != drop)


def header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
