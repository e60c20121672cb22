"""Plain data passed between the fetcher, the WARC archive and the loader.

``Exchange`` is one HTTP request/response as the crawler saw it (the fetcher
builds it, the archive writes it); ``Capture`` is where the archive put it
(the loader indexes it in the ``captures`` table, articles point to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Capture", "Exchange", "FetchRow"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP exchange, as sent and as received.

    ``payload`` is the response body as it came over the wire after de-chunking
    but still content-encoded (gzip/br/zstd as the server sent it), possibly cut
    at the byte cap (``truncated``); ``body`` is the decoded body the parser uses.
    Header lists keep order and duplicates. ``response_headers`` must not carry
    ``Transfer-Encoding`` (the payload is de-chunked).
    """

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    http_version: str  # "HTTP/1.1"
    response_headers: tuple[tuple[str, str], ...]
    payload: bytes
    body: bytes
    fetched_at: str  # ISO 8601 UTC, e.g. "2026-11-25T19:00:00Z"
    remote_ip: str | None = None
    truncated: bool = False
    redirects: tuple[str, ...] = field(default_factory=tuple)  # hops before ``url``
    truncated_by: str | None = None  # which limit cut the body: "length" (default), "time", "disconnect"


@dataclass(frozen=True, slots=True)
class Capture:
    """Where one archived response record lives, and what it holds."""

    capture_id: str  # the response record's WARC-Record-ID
    url: str
    fetched_at: str
    status: int
    content_type: str | None
    payload_digest: str  # "sha1:BASE32" as in WARC-Payload-Digest
    warc_file: str  # file name relative to the archive folder
    offset: int
    length: int  # compressed length of the gzip member(s) of the response record
    record_type: str = "response"  # or "revisit"
    refers_to: str | None = None  # for revisits: the original capture_id


@dataclass(frozen=True, slots=True)
class FetchRow:
    """One row of the ``fetches`` table: how one URL ended in one crawl run.

    ``outcome`` is "fetched", "not_modified", "failed" or "deferred"; ``kind`` says
    what the URL was to the crawler: "robots", "listing", "feed", "sitemap", "article".
    """

    url: str
    final_url: str | None
    status: int | None
    error: str | None
    outcome: str
    kind: str
    source: str | None
    bytes: int
    fetched_at: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    capture_id: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    run_id: str | None = None
