"""What the crawler may fetch and how gently: robots.txt, the SSRF guard, retry timing.

SSRF: only http(s) URLs; every host is resolved when a connection is opened and the
connection goes to the very address that was checked (``GuardedBackend`` replaces the
HTTP client's network backend), so DNS rebinding between check and connect is
impossible. Loopback, private, link-local, reserved, multicast and other non-global
addresses are refused unless the host, ``host:port`` or the address is in
``allow_hosts``.

robots.txt (RFC 9309 via protego): a 4xx answer allows everything; 5xx, a timeout
or a network error makes the host unavailable for this run.
"""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from protego import Protego

from errors import PolicyError
from flows.config import CrawlSettings

__all__ = [
    "ALLOWED_SCHEMES",
    "GuardedBackend",
    "RobotsRules",
    "backoff_delay",
    "check_scheme",
    "guarded_client",
    "host_allowed",
    "ip_refusal",
    "parse_retry_after",
    "robots_from_response",
    "robots_url",
]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,*/*;q=0.8"


def check_scheme(url: str) -> None:
    """Raise ``PolicyError("scheme: ...")`` unless ``url`` is an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise PolicyError(f"scheme: unparsable URL {url!r}", url=url) from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise PolicyError(f"scheme: {parts.scheme or 'none'}:// not allowed", url=url)
    if not parts.hostname:
        raise PolicyError("scheme: URL has no host", url=url)


def ip_refusal(ip: str) -> str | None:
    """Why the crawler must not connect to ``ip`` (None when it is a public address)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for reason in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(addr, f"is_{reason}"):
            return reason.replace("_", "-")
    if not addr.is_global:
        return "not global"
    return None


def host_allowed(host: str, port: int, allow_hosts: Iterable[str], ip: str | None = None) -> bool:
    """True when ``host`` (or ``host:port``, or the resolved ``ip``) is explicitly allowed."""
    allowed = {h.strip().lower().strip("[]") for h in allow_hosts}
    allowed |= {h.strip().lower() for h in allow_hosts}
    names = {host.lower().strip("[]"), f"{host.lower()}:{port}"}
    if ip is not None:
        names |= {ip, f"{ip}:{port}", f"[{ip}]:{port}"}
    return bool(names & allowed)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that resolves, checks, then connects to the checked address."""

    def __init__(self, allow_hosts: Iterable[str], inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._allow = tuple(allow_hosts)
        self._inner = inner or httpcore.AnyIOBackend()
        self.last_sent = float("-inf")  # time.monotonic() of the latest write on any of its streams

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        ips = await self.resolve(host, port, timeout)
        if not host_allowed(host, port, self._allow):
            for ip in ips:
                reason = ip_refusal(ip)
                if reason and not host_allowed(host, port, self._allow, ip):
                    raise PolicyError(f"ssrf: {host} resolves to {reason} address {ip}")
        last: Exception | None = None
        for ip in ips:
            try:
                stream = await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                last = exc
            else:
                return _TimedStream(stream, self)
        raise last or httpcore.ConnectError(f"dns: no address for {host}")

    async def resolve(self, host: str, port: int, timeout: float | None = None) -> list[str]:
        """The addresses of ``host``, in resolver order (one lookup per connection)."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"dns: cannot resolve {host} ({exc})") from None
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise PolicyError("ssrf: unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _TimedStream(httpcore.AsyncNetworkStream):
    """A connection that notes when a request was last written (politeness is start to start
    as the server sees it: a slow connect must not shorten the gap to the next request)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, owner: GuardedBackend) -> None:
        self._inner, self._owner = inner, owner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)
        if buffer:  # httpcore also writes b"" to end a message: not a request going out
            # taken once the bytes are with the kernel, so it is never earlier than the request
            # left, however late this process ran: the next start counts from a safe side
            self._owner.last_sent = time.monotonic()

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _TimedStream(await self._inner.start_tls(ssl_context, server_hostname, timeout), self._owner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def guarded_client(
    crawl: CrawlSettings, backend: GuardedBackend | None = None, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncClient:
    """An HTTP client for one host: one connection, no env proxies, the SSRF-checking backend.

    Pass one ``ssl_context`` to all clients of a crawl: building one costs ~15 ms."""
    ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)  # no second context
    # The pool httpx would build, with our network backend, so the SSRF check is made on
    # the address actually connected to (httpx has no public hook for this).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=1,
        max_keepalive_connections=1,
        keepalive_expiry=max(30.0, crawl.delay_seconds * 2),
        network_backend=backend or GuardedBackend(crawl.allow_hosts),
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(crawl.timeout_seconds, connect=crawl.connect_timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": crawl.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate, br, zstd",
            "Accept-Language": "vi,en;q=0.5",
        },
    )


def robots_url(url: str) -> str:
    """The robots.txt URL for the origin of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower().rsplit('@', 1)[-1]}/robots.txt"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """A host's robots.txt as this run sees it."""

    parser: Protego | None = None  # None: everything allowed (no file, 4xx)
    unavailable: bool = False  # 5xx, timeout, network error: skip the host this run
    reason: str | None = None
    status: int | None = None  # the HTTP status of the answer (None: no answer)
    text: str = ""  # the file as received (empty: none)

    def allows(self, url: str, user_agent: str) -> bool:
        if self.unavailable:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else 0.0

    @property
    def sitemaps(self) -> list[str]:
        """The ``Sitemap:`` lines of the file, in order."""
        return list(self.parser.sitemaps) if self.parser is not None else []

    def rules_for(self, user_agent: str) -> list[str]:
        """The ``Allow``/``Disallow`` lines of the groups that apply to ``user_agent`` (its own
        product token, else ``*``), as written: what ``campaigns sources check`` shows."""
        token = user_agent.split("/", 1)[0].strip().lower()
        groups: dict[str, list[str]] = {}
        agents: list[str] = []
        in_rules = False
        for raw in self.text.splitlines():
            line = raw.split("#", 1)[0].strip()
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "user-agent":
                if in_rules:
                    agents, in_rules = [], False
                agents.append(value.lower())
            elif name in ("allow", "disallow") and agents:
                in_rules = True
                for agent in agents:
                    groups.setdefault(agent, []).append(f"{name.capitalize()}: {value}")
        mine = next((rules for agent, rules in groups.items() if agent != "*" and agent in token), None)
        return mine if mine is not None else groups.get("*", [])


def robots_from_response(status: int | None, body: bytes | None, reason: str | None = None) -> RobotsRules:
    """Rules from a robots.txt answer (``status`` None: no answer at all)."""
    if status is None or status >= 500:
        why = reason or (f"http {status}" if status else "no answer")
        return RobotsRules(unavailable=True, reason=why, status=status)
    if status >= 400 or not body:
        return RobotsRules(status=status)
    if status >= 300:  # a redirect we could not follow to a file
        return RobotsRules(status=status)
    text = body.decode("utf-8", "replace")
    return RobotsRules(parser=Protego.parse(text), status=status, text=text)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    wait = when.timestamp() - (time.time() if now is None else now)
    return max(wait, 0.0)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: uniform in [half, full] of ``base * 2**attempt``, capped."""
    full = min(cap, base * (2**attempt))
    return (rng or random).uniform(full / 2, full)
