"""The polite, hardened fetcher: every URL ends fetched, not_modified, failed or deferred.

Per host (host name): one ``httpx.AsyncClient`` holding one connection, robots.txt
fetched once, and a gate (:class:`flows.crawler.hosts.HostGate`) that lets one request
run at a time and starts requests no closer than ``max(delay_seconds, Crawl-delay)``
apart (start to start), robots.txt included; retries, ``Retry-After`` and backoff push
the same gate, so the whole host slows down. Given a ``state_dir``, the gate and the
robots.txt answers are shared through files there with every other fetcher, step and
process using the same folder: robots.txt is asked for once per host per run
(``robots_cache_seconds``), and two crawls at once keep the delay together.

Redirects are followed here, hop by hop, each hop checked (scheme, robots, SSRF at
connect time, loops, count); the validators of a conditional request (``If-None-Match``,
``If-Modified-Since``: those of the final response of the URL's last capture) go with
every hop, so a URL that redirects (a trailing slash added) can still answer 304.
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
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import httpcore
import httpx

from errors import ConfigError, FetchError, PolicyError, TransientFetchError
from extractors.urls import host_of
from flows.config import CrawlSettings
from flows.crawler.hosts import HostGate, RobotsCache
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
from flows.crawler.responses import (
    REDIRECTS,
    FetchRequest,
    FetchResult,
    Outcome,
    Reader,
    cut_by,
    ended,
    header,
    now_stamp,
    result_of,
    translate,
)
from warehouse.types import Exchange

__all__ = ["FetchRequest", "FetchResult", "Fetcher", "Outcome"]


@dataclass(slots=True)
class _Host:
    client: httpx.AsyncClient
    backend: GuardedBackend
    gate: HostGate
    delay: float
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: dict[str, RobotsRules] = field(default_factory=dict)


class Fetcher:
    """Async context manager; ``fetch`` never raises for a URL's failure.

    ``state_dir``: the folder of per-host state shared with other fetchers and processes
    (:mod:`flows.crawler.hosts`); without it, politeness holds within this fetcher only.
    """

    def __init__(self, crawl: CrawlSettings, state_dir: Path | None = None) -> None:
        if "http" not in crawl.user_agent and "@" not in crawl.user_agent:
            raise ConfigError("crawl.user_agent must carry a contact URL or address")
        self._crawl, self._ua, self._state_dir = crawl, crawl.user_agent, state_dir
        self._hosts: dict[str, _Host] = {}
        self._robots_cache = RobotsCache(state_dir, crawl.robots_cache_seconds)
        self._rng = random.Random()
        self._ssl: ssl.SSLContext | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        hosts, self._hosts = list(self._hosts.values()), {}
        for host in hosts:
            host.gate.close()
            await host.client.aclose()

    async def fetch(
        self, url: str, *, kind: str = "article", etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch one URL politely; the outcome says how it ended."""
        exchanges: list[Exchange] = []
        started = now_stamp()
        try:
            return await self._fetch(url, kind, etag, last_modified, exchanges)
        except FetchError as exc:  # transient ones were retried already
            return ended(url, kind, exchanges, started, exc)
        except Exception as exc:  # a bug or an unforeseen library error must not lose the URL
            internal = FetchError(f"internal: {type(exc).__name__}: {exc}", url=url)
            return ended(url, kind, exchanges, started, internal)

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

    async def robots(self, url: str) -> tuple[RobotsRules, tuple[Exchange, ...]]:
        """The robots.txt rules for ``url``'s origin, and the exchanges made now to learn them
        (none when this fetcher, or the state folder, knew them already)."""
        exchanges: list[Exchange] = []
        try:
            check_scheme(url)
            return await self._robots(self._host(url), url, exchanges), tuple(exchanges)
        except FetchError as exc:
            return RobotsRules(unavailable=True, reason=str(exc)), tuple(exchanges)

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
            ex = await self._with_retries(host, current, conditional, hops, exchanges)
            location = header(ex.response_headers, "location")
            if ex.status in REDIRECTS and location:
                target = urldefrag(urljoin(current, location.strip()))[0]
                if target == current or target in hops:
                    raise FetchError(f"redirect loop at {target}", url=url, status=ex.status)
                check_scheme(target)
                hops.append(current)
                current = target
                continue
            return result_of(url, kind, ex, exchanges)
        raise FetchError(f"too many redirects (more than {self._crawl.max_redirects})", url=url)

    # -- hosts, robots, retries ---------------------------------------------------------

    def _host(self, url: str) -> _Host:
        name = host_of(url)
        host = self._hosts.get(name)
        if host is None:
            backend = GuardedBackend(self._crawl.allow_hosts)
            self._ssl = self._ssl or httpx.create_ssl_context(trust_env=False)
            client = guarded_client(self._crawl, backend, self._ssl)
            host = _Host(client, backend, HostGate(name, self._state_dir), self._crawl.delay_seconds)
            self._hosts[name] = host
        return host

    async def _robots(self, host: _Host, url: str, exchanges: list[Exchange]) -> RobotsRules:
        key = robots_url(url)
        if key in host.robots:
            return host.robots[key]
        async with host.robots_lock:
            if key not in host.robots:
                async with self._robots_cache.holding(key.removesuffix("/robots.txt")) as slot:
                    cached = slot.load()
                    if cached is not None:
                        rules = robots_from_response(cached.status, cached.body, cached.reason)
                    else:
                        rules = await self._fetch_robots(key, exchanges)
                        slot.store(rules.status, rules.text.encode("utf-8"), rules.reason)
                host.robots[key] = rules
                host.delay = max(host.delay, self._crawl.delay_seconds, rules.crawl_delay(self._ua))
            return host.robots[key]

    async def _fetch_robots(self, url: str, exchanges: list[Exchange]) -> RobotsRules:
        current, hops = url, list[str]()
        try:
            for _ in range(self._crawl.max_redirects + 1):
                check_scheme(current)
                ex = await self._exchange(self._host(current), current, {}, hops, exchanges)
                location = header(ex.response_headers, "location")
                if ex.status in REDIRECTS and location:
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
                await host.gate.push(time.time() + wait)
        raise AssertionError("unreachable")

    # -- one HTTP exchange ---------------------------------------------------------------

    async def _exchange(
        self, host: _Host, url: str, headers: dict[str, str], hops: list[str], exchanges: list[Exchange]
    ) -> Exchange:
        """One polite GET; appends the Exchange; raises TransientFetchError for 429/5xx/timeouts."""
        c = self._crawl
        async with host.gate.turn(host.delay):
            reader = Reader(url, now_stamp(), tuple(hops), c.max_bytes)
            try:
                async with asyncio.timeout(c.timeout_seconds):
                    async with host.client.stream("GET", url, headers=headers) as resp:
                        await reader.read(resp)
            except (TimeoutError, httpx.HTTPError, httpcore.ConnectError) as exc:
                reader.keep(exchanges, truncated=cut_by(exc))
                raise translate(exc, url, c.timeout_seconds) from None
            finally:  # the request left when it was written, maybe after a slow connect
                host.gate.sent_at(host.backend.last_sent)
        ex = reader.keep(exchanges)
        assert ex is not None
        if reader.refused:
            raise FetchError(reader.refused, url=url, status=ex.status)
        if ex.status == 429 or ex.status >= 500:
            retry_after = parse_retry_after(header(ex.response_headers, "retry-after"))
            raise TransientFetchError(f"http {ex.status}", url=url, status=ex.status, retry_after=retry_after)
        return ex
