"""The polite, hardened fetcher: every URL ends fetched, not_modified, failed or deferred.

Per host (host name): one ``httpx.AsyncClient`` holding one connection, robots.txt
fetched once, and a gate that starts requests no closer than ``max(delay_seconds,
Crawl-delay)`` apart (start to start); retries, ``Retry-After`` and backoff push
the same gate, so the whole host slows down. Redirects are followed here, hop by
hop, each hop checked (scheme, robots, SSRF at connect time, loops, count).
Bodies are streamed raw and decoded by ``warehouse.warc.coding.ContentDecoder`` under
``max_bytes``; a Content-Length over the cap is refused before the body is read;
``timeout_seconds`` is a deadline for the whole response.

Outcomes: 2xx → "fetched" (cut at the cap: still "fetched", error "truncated at N
bytes", the Exchange has ``truncated=True``); 304 → "not_modified"; 4xx, policy
refusals (robots, ssrf, scheme), redirect trouble, oversize Content-Length,
undecodable bodies → "failed"; timeouts, network errors, 429 and 5xx after the
retries, and hosts whose robots.txt is unavailable → "deferred".
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urldefrag, urljoin

import httpcore
import httpx

from errors import ConfigError, FetchError, PolicyError, TransientFetchError
from extractors.urls import host_of
from flows.config import CrawlSettings
from flows.crawler.policy import (
    GuardedBackend,
    RobotsRules,
    backoff_delay,
    check_scheme,
    guarded_client,
    parse_retry_after,
    robots_from_response,
    robots_url,
)
from warehouse.types import Exchange
from warehouse.warc.coding import CappedBody

__all__ = ["FetchRequest", "FetchResult", "Fetcher", "Outcome"]

Outcome = Literal["fetched", "not_modified", "failed", "deferred"]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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


@dataclass(slots=True)
class _Host:
    client: httpx.AsyncClient
    backend: GuardedBackend
    delay: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: dict[str, RobotsRules] = field(default_factory=dict)
    last_start: float = float("-inf")
    not_before: float = float("-inf")


class Fetcher:
    """Async context manager; ``fetch`` never raises for a URL's failure."""

    def __init__(self, crawl: CrawlSettings) -> None:
        if "http" not in crawl.user_agent and "@" not in crawl.user_agent:
            raise ConfigError("crawl.user_agent must carry a contact URL or address")
        self._crawl, self._ua = crawl, crawl.user_agent
        self._hosts: dict[str, _Host] = {}
        self._rng = random.Random()
        self._ssl: ssl.SSLContext | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        hosts, self._hosts = list(self._hosts.values()), {}
        for host in hosts:
            await host.client.aclose()

    async def fetch(
        self, url: str, *, kind: str = "article", etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one URL politely; the outcome says how it ended."""
        exchanges: list[Exchange] = []
        started = _now()
        try:
            return await self._fetch(url, kind, etag, last_modified, exchanges)
        except FetchError as exc:  # transient ones were retried already
            return _ended(url, kind, exchanges, started, exc)
        except Exception as exc:  # a bug or an unforeseen library error must not lose the URL
            internal = FetchError(f"internal: {type(exc).__name__}: {exc}", url=url)
            return _ended(url, kind, exchanges, started, internal)

    async def fetch_many(
        self, requests: Iterable[FetchRequest], on_result: Callable[[FetchResult], object] | None = None
    ) -> list[FetchResult]:
        """Fetch many URLs: hosts concurrently (up to max_hosts_concurrent), each host politely in order.

        ``on_result`` is called with each result as it comes (progress on a terminal)."""
        reqs = list(requests)
        results: list[FetchResult | None] = [None] * len(reqs)
        by_host: dict[str, list[int]] = {}
        for i, req in enumerate(reqs):
            by_host.setdefault(host_of(req.url) or f"?{i}", []).append(i)
        slots = asyncio.Semaphore(self._crawl.max_hosts_concurrent)

        async def run(indices: list[int]) -> None:
            async with slots:
                for i in indices:
                    r = reqs[i]
                    result = await self.fetch(r.url, kind=r.kind, etag=r.etag, last_modified=r.last_modified)
                    results[i] = result
                    if on_result is not None:
                        on_result(result)

        await asyncio.gather(*(run(ix) for ix in by_host.values()))
        return [r for r in results if r is not None]

    # -- one URL -------------------------------------------------------------------------

    async def _fetch(
        self, url: str, kind: str, etag: str | None, last_modified: str | None, exchanges: list[Exchange]
    ) -> FetchResult:
        validators = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        conditional = {k: v for k, v in validators.items() if v}
        current, hops = urldefrag(url.strip())[0], list[str]()
        for _ in range(self._crawl.max_redirects + 1):
            check_scheme(current)
            host = self._host(current)
            rules = await self._robots(host, current, exchanges)
            if rules.unavailable:
                raise TransientFetchError("robots unavailable", url=current)
            if not rules.allows(current, self._ua):
                raise PolicyError("robots: disallowed", url=current)
            ex = await self._with_retries(host, current, conditional if not hops else {}, hops, exchanges)
            location = _header(ex.response_headers, "location")
            if ex.status in _REDIRECTS and location:
                target = urldefrag(urljoin(current, location.strip()))[0]
                if target == current or target in hops:
                    raise FetchError(f"redirect loop at {target}", url=url, status=ex.status)
                check_scheme(target)
                hops.append(current)
                current = target
                continue
            return _result(url, kind, ex, exchanges)
        raise FetchError(f"too many redirects (more than {self._crawl.max_redirects})", url=url)

    # -- hosts, robots, retries ---------------------------------------------------------

    def _host(self, url: str) -> _Host:
        name = host_of(url)
        host = self._hosts.get(name)
        if host is None:
            backend = GuardedBackend(self._crawl.allow_hosts)
            self._ssl = self._ssl or httpx.create_ssl_context(trust_env=False)
            host = _Host(guarded_client(self._crawl, backend, self._ssl), backend, self._crawl.delay_seconds)
            self._hosts[name] = host
        return host

    async def _robots(self, host: _Host, url: str, exchanges: list[Exchange]) -> RobotsRules:
        key = robots_url(url)
        if key in host.robots:
            return host.robots[key]
        async with host.robots_lock:
            if key not in host.robots:
                rules = await self._fetch_robots(key, exchanges)
                host.robots[key] = rules
                host.delay = max(host.delay, self._crawl.delay_seconds, rules.crawl_delay(self._ua))
            return host.robots[key]

    async def _fetch_robots(self, url: str, exchanges: list[Exchange]) -> RobotsRules:
        current, hops = url, list[str]()
        try:
            for _ in range(self._crawl.max_redirects + 1):
                check_scheme(current)
                ex = await self._exchange(self._host(current), current, {}, hops, exchanges)
                location = _header(ex.response_headers, "location")
                if ex.status in _REDIRECTS and location:
                    hops.append(current)
                    current = urldefrag(urljoin(current, location.strip()))[0]
                    if current in hops:
                        break
                    continue
                if ex.status == 429:
                    return robots_from_response(None, None, "http 429")
                return robots_from_response(ex.status, ex.body)
        except TransientFetchError as exc:
            if exc.status is not None:
                return robots_from_response(exc.status, None)
            return robots_from_response(None, None, str(exc))
        except PolicyError:
            if not hops:
                raise  # the host itself is refused: the URL fails with this reason
        except FetchError:
            pass
        return robots_from_response(404, None)  # redirected away or unreadable: treat as absent

    async def _with_retries(
        self, host: _Host, url: str, headers: dict[str, str], hops: list[str], exchanges: list[Exchange]
    ) -> Exchange:
        c = self._crawl
        for attempt in range(c.max_retries + 1):
            try:
                return await self._exchange(host, url, headers, hops, exchanges)
            except TransientFetchError as exc:
                if attempt == c.max_retries:
                    raise
                wait = backoff_delay(attempt, c.backoff_base_seconds, c.backoff_max_seconds, self._rng)
                if exc.retry_after is not None:
                    wait = max(wait, min(exc.retry_after, c.backoff_max_seconds))
                host.not_before = max(host.not_before, time.monotonic() + wait)
        raise AssertionError("unreachable")

    # -- one HTTP exchange ---------------------------------------------------------------

    async def _exchange(
        self, host: _Host, url: str, headers: dict[str, str], hops: list[str], exchanges: list[Exchange]
    ) -> Exchange:
        """One polite GET; appends the Exchange; raises TransientFetchError for 429/5xx/timeouts."""
        c = self._crawl
        async with host.lock:
            wait = max(host.last_start + host.delay, host.not_before) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            host.last_start = time.monotonic()
            reader = _Reader(url, _now(), tuple(hops), c.max_bytes)
            try:
                async with asyncio.timeout(c.timeout_seconds):
                    async with host.client.stream("GET", url, headers=headers) as resp:
                        await reader.read(resp)
            except (TimeoutError, httpx.HTTPError, httpcore.ConnectError) as exc:
                reader.keep(exchanges, truncated=_cut_by(exc))
                raise _translate(exc, url, c.timeout_seconds) from None
            finally:  # the request left when it was written, maybe after a slow connect
                host.last_start = max(host.last_start, host.backend.last_sent)
        ex = reader.keep(exchanges)
        assert ex is not None
        if reader.refused:
            raise FetchError(reader.refused, url=url, status=ex.status)
        if ex.status == 429 or ex.status >= 500:
            retry_after = parse_retry_after(_header(ex.response_headers, "retry-after"))
            raise TransientFetchError(f"http {ex.status}", url=url, status=ex.status, retry_after=retry_after)
        return ex


class _Reader:
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


def _result(url: str, kind: str, ex: Exchange, exchanges: list[Exchange]) -> FetchResult:
    ctype = _header(ex.response_headers, "content-type")
    outcome: Outcome = "fetched"
    error = f"truncated at {len(ex.body)} bytes" if ex.truncated else None
    if ex.status == 304:
        outcome = "not_modified"
    elif ex.status in _REDIRECTS:
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
        etag=_header(ex.response_headers, "etag"),
        last_modified=_header(ex.response_headers, "last-modified"),
        fetched_at=ex.fetched_at,
        bytes=len(ex.body),
        kind=kind,
    )


def _ended(url: str, kind: str, exchanges: list[Exchange], started: str, exc: FetchError) -> FetchResult:
    """The result of a URL that ended without a usable final response."""
    last = exchanges[-1] if exchanges else None
    final_url = last.url if last is not None and exc.status is not None else None
    fetched_at = last.fetched_at if last is not None else started
    outcome: Outcome = "deferred" if exc.transient else "failed"
    return FetchResult(
        url, final_url, exc.status, str(exc), outcome, tuple(exchanges), None, None, None, None,
        fetched_at, 0, kind,
    )  # fmt: skip


def _translate(exc: Exception, url: str, deadline: float) -> FetchError:
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


def _pairs(raw: list[tuple[bytes, bytes]], drop: bytes = b"") -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw if k.lower() != drop)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cut_by(exc: Exception) -> str:
    """The WARC-Truncated reason of a response that ended in ``exc``: the deadline, or the connection."""
    return "time" if isinstance(exc, TimeoutError | httpx.TimeoutException) else "disconnect"
