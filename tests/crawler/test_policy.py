"""The policy pieces on their own: SSRF address checks, robots rules, retry timing."""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import formatdate

import httpcore
import pytest

from errors import PolicyError
from flows.crawler.policy import (
    GuardedBackend,
    backoff_delay,
    check_scheme,
    host_allowed,
    ip_refusal,
    parse_retry_after,
    robots_from_response,
    robots_url,
)
from tests.helpers.chaos import ChaosSite

UA = "campaign-archive/0.1 (+https://example.invalid/bot)"


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.9", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fc00::1", "private"),
        ("100.64.0.1", "not global"),  # carrier-grade NAT
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_ip_refusal(ip: str, reason: str | None) -> None:
    assert ip_refusal(ip) == reason


def test_allow_hosts_by_name_port_or_address() -> None:
    assert host_allowed("127.0.0.1", 8080, ["127.0.0.1"])
    assert host_allowed("LocalHost", 8080, ["localhost:8080"])
    assert not host_allowed("localhost", 9090, ["localhost:8080"])
    assert host_allowed("site.test", 80, ["10.0.0.5"], ip="10.0.0.5")
    assert not host_allowed("127.0.0.2", 80, ["127.0.0.1"])


def test_only_http_and_https() -> None:
    check_scheme("https://x.vn/a")
    for bad in ("file:///etc/passwd", "ftp://x.vn/", "gopher://x", "data:text/html,hi"):
        with pytest.raises(PolicyError, match=r"^scheme"):
            check_scheme(bad)


def test_robots_rules() -> None:
    text = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: campaign-archive\nDisallow: /no-bots/\nCrawl-delay: 7\n"
    rules = robots_from_response(200, text)
    assert not rules.unavailable
    assert not rules.allows("https://x.vn/no-bots/a", UA)  # our own group applies to us
    assert rules.allows("https://x.vn/private/a", UA)  # ... instead of the * group
    assert rules.crawl_delay(UA) == 7
    assert robots_from_response(404, b"whatever").allows("https://x.vn/private/", UA)
    assert robots_from_response(403, None).allows("https://x.vn/", UA)
    down = robots_from_response(503, None)
    assert down.unavailable and not down.allows("https://x.vn/", UA)
    assert robots_from_response(None, None, "timeout").reason == "timeout"
    assert robots_url("https://user:pw@X.vn:8443/a/b?c") == "https://x.vn:8443/robots.txt"


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    waits = [backoff_delay(n, 1.0, 10.0, rng) for n in range(6)]
    for n, wait in enumerate(waits):
        full = min(10.0, 2.0**n)
        assert full / 2 <= wait <= full
    assert len({round(backoff_delay(3, 1.0, 60.0, rng), 6) for _ in range(20)}) > 1  # jitter


class _Rebinding(GuardedBackend):
    """A resolver that answers an allowed address once, then a private one (DNS rebinding)."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__(["127.0.0.1"])
        self.answers = answers
        self.lookups = 0

    async def resolve(self, host: str, port: int, timeout: float | None = None) -> list[str]:
        self.lookups += 1
        return [self.answers.pop(0)]


def test_connection_goes_to_the_checked_address_and_rebinding_is_refused() -> None:
    async def scenario() -> None:
        async with ChaosSite() as site:
            port = site.ports["127.0.0.1"]
            backend = _Rebinding(["127.0.0.1", "10.0.0.7"])
            # The name resolves nowhere for real: a connection can only come from our own lookup.
            stream = await backend.connect_tcp("rebind.invalid", port, timeout=1)
            assert stream.get_extra_info("server_addr")[0] == "127.0.0.1"
            await stream.aclose()
            with pytest.raises(
                PolicyError, match=r"^ssrf: rebind\.invalid resolves to private address 10\.0\.0\.7"
            ):
                await backend.connect_tcp("rebind.invalid", port, timeout=1)
            assert backend.lookups == 2

    asyncio.run(scenario())


def test_real_lookup_of_a_loopback_name_is_refused_unless_allowed() -> None:
    async def scenario() -> None:
        async with ChaosSite() as site:
            port = site.ports["127.0.0.1"]
            with pytest.raises(PolicyError, match=r"^ssrf: localhost resolves to loopback"):
                await GuardedBackend([]).connect_tcp("localhost", port, timeout=1)
            stream = await GuardedBackend([f"localhost:{port}"]).connect_tcp("localhost", port, timeout=1)
            await stream.aclose()
            with pytest.raises(httpcore.ConnectError, match="dns"):
                await GuardedBackend([]).connect_tcp("no-such-host.invalid", port, timeout=1)
            with pytest.raises(PolicyError):
                await GuardedBackend([]).connect_unix_socket("/var/run/docker.sock")

    asyncio.run(scenario())
