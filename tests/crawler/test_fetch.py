"""The fetcher against a live chaos site on loopback: outcomes, politeness, caps, SSRF, robots."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from errors import ConfigError
from extractors.decode import decode_text
from flows.config import Source
from flows.crawler.discover import discover
from flows.crawler.fetch import Fetcher, FetchRequest, FetchResult
from tests.helpers.chaos import (
    ARTICLE_TEXT,
    CHAOS_ARTICLES,
    DELAY,
    UA,
    ChaosSite,
    Request,
    assert_polite,
    crawl_settings,
    install_news_site,
    page,
    send,
)


def test_every_chaos_url_ends_with_the_right_outcome() -> None:
    async def scenario() -> tuple[ChaosSite, list[FetchResult], list[FetchResult]]:
        async with ChaosSite(hosts=("127.0.0.1", "127.0.0.2")) as site:
            install_news_site(site)
            src = Source(
                name="chaos",
                start_urls=(site.url("/listing"),),
                feeds=(site.url("/feed.rss"),),
                article_pattern=r"/(a|private)/",
                pagination="{url}/trang-{page}.htm",
            )
            crawl = crawl_settings()
            async with Fetcher(crawl) as fetcher:
                found = await discover(src, fetcher, crawl)
                results = await fetcher.fetch_many(FetchRequest(u) for u in found.article_urls)
            return site, found.results, results

    site, listing_results, results = asyncio.run(scenario())
    by_path = {r.url.split(str(site.ports["127.0.0.1"]), 1)[1]: r for r in results}
    assert sorted(by_path) == sorted(CHAOS_ARTICLES)  # one result per URL, duplicates collapsed
    for path, (outcome, error) in CHAOS_ARTICLES.items():
        r = by_path[path]
        assert r.outcome == outcome, (path, r.outcome, r.error)
        assert (r.error or "").startswith(error or ""), (path, r.error)
        assert error is not None or r.error is None, (path, r.error)
    assert [r.kind for r in listing_results] == ["listing", "listing", "feed"]

    counts = site.counts
    assert counts["/robots.txt"] == 1 and counts["/a/dup"] == 1
    assert "/private/secret" not in counts  # robots.txt said no
    assert not [h for h in site.hits if h.local_ip == "127.0.0.2"]  # the SSRF redirect never connected
    assert counts["/a/503-always"] == counts["/a/trickle"] == counts["/a/reset"] == 3  # 1 + max_retries
    assert counts["/a/503-then-ok"] == 3 and counts["/a/429"] == 2
    assert_polite(site.hits, DELAY)
    first, second = [h.at for h in site.hits if h.path == "/a/429"]
    assert 0.3 - 0.01 <= second - first < 1.0  # Retry-After: 1, capped at backoff_max_seconds

    assert [e.status for e in by_path["/a/503-then-ok"].exchanges][-3:] == [503, 503, 200]
    moved = by_path["/a/moved"]
    assert moved.final_url is not None and moved.final_url.endswith("/a/ok-target")
    assert [e.status for e in moved.exchanges] == [301, 200]
    assert moved.exchanges[1].redirects == (moved.url,)
    private = by_path["/a/to-private"]
    assert private.error is not None and "127.0.0.2" in private.error and "loopback" in private.error
    assert [e.status for e in private.exchanges] == [302]
    assert by_path["/a/to-file"].error == "scheme: file:// not allowed"

    for coding in ("gzip", "br", "zstd"):
        bomb = by_path[f"/a/{coding}-bomb"]
        assert bomb.body is not None and len(bomb.body) == 262144 and bomb.bytes == 262144
        ex = bomb.exchanges[-1]
        assert (
            ex.truncated
            and len(ex.payload) < 65536
            and dict(ex.response_headers)["Content-Encoding"] == coding
        )
        assert site.sent[f"/a/{coding}-bomb"] < 8 * 1024 * 1024  # the client hung up early
    huge = by_path["/a/huge"]
    assert huge.body is None and huge.exchanges[-1].truncated and huge.exchanges[-1].payload == b""
    assert site.sent["/a/huge"] < 64 * 1024 * 1024  # of the 2 GB announced
    assert by_path["/a/trickle"].exchanges[-1].truncated
    # which limit cut the body, for WARC-Truncated: the whole-response deadline, or the byte cap
    assert by_path["/a/trickle"].exchanges[-1].truncated_by == "time"
    assert {by_path[f"/a/{c}-bomb"].exchanges[-1].truncated_by for c in ("gzip", "br", "zstd")} == {"length"}
    assert by_path["/a/ok-1"].exchanges[0].truncated_by is None

    for path in ("/a/cp1258-meta", "/a/cp1258-nometa", "/a/mislabelled"):  # the one decoder reads them
        page = by_path[path]
        assert ARTICLE_TEXT in decode_text(page.body or b"", page.content_type)[0], path
    ok = by_path["/a/ok-1"]
    ex = ok.exchanges[0]
    assert ok.etag == '"/a/ok-1-v1"' and ok.last_modified is not None
    assert dict(ex.request_headers)["User-Agent"] == UA
    assert ex.http_version == "HTTP/1.1" and ex.remote_ip == "127.0.0.1" and ex.method == "GET"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ex.fetched_at)
    assert all(
        k.lower() != "transfer-encoding" for r in results for e in r.exchanges for k, _ in e.response_headers
    )
    assert (
        sum(1 for r in [*listing_results, *results] for e in r.exchanges if e.url.endswith("/robots.txt"))
        == 1
    )


def _robots_scenario(mode: str, **changes: object) -> tuple[ChaosSite, list[FetchResult]]:
    async def scenario() -> tuple[ChaosSite, list[FetchResult]]:
        async with ChaosSite(robots_mode=mode) as site:
            install_news_site(site)
            async with Fetcher(crawl_settings(**changes)) as fetcher:
                results = await fetcher.fetch_many(
                    [FetchRequest(site.url("/a/ok-1")), FetchRequest(site.url("/private/secret"))]
                )
            return site, results

    return asyncio.run(scenario())


def test_robots_404_allows_everything() -> None:
    site, results = _robots_scenario("404")
    assert [r.outcome for r in results] == ["fetched", "fetched"]
    assert site.counts["/robots.txt"] == 1 and site.counts["/private/secret"] == 1
    assert results[0].exchanges[0].url.endswith("/robots.txt") and results[0].exchanges[0].status == 404
    assert not any(e.url.endswith("/robots.txt") for e in results[1].exchanges)  # fetched once, recorded once


@pytest.mark.parametrize("mode", ["503", "hang"])
def test_robots_unavailable_defers_the_whole_host(mode: str) -> None:
    site, results = _robots_scenario(mode, timeout_seconds=0.3)
    assert [(r.outcome, r.error) for r in results] == [("deferred", "robots unavailable")] * 2
    assert site.paths("/a/") == [] and site.counts["/robots.txt"] == 1


def test_crawl_delay_and_conditional_requests() -> None:
    async def scenario() -> tuple[ChaosSite, list[FetchResult]]:
        async with ChaosSite(robots="User-agent: *\nCrawl-delay: 0.2\n") as site:
            install_news_site(site)
            async with Fetcher(crawl_settings()) as fetcher:
                results = await fetcher.fetch_many(
                    [
                        FetchRequest(site.url("/a/ok-1"), etag='"/a/ok-1-v1"'),
                        FetchRequest(
                            site.url("/a/ok-2"), etag='"stale"', last_modified="Mon, 02 Mar 2026 00:00:00 GMT"
                        ),
                        FetchRequest(site.url("/listing"), kind="listing"),
                    ]
                )
            return site, results

    site, results = asyncio.run(scenario())
    assert [r.outcome for r in results] == ["not_modified", "fetched", "fetched"]
    assert results[0].status == 304 and results[0].body == b"" and results[2].kind == "listing"
    sent = {h.path: h.headers for h in site.hits}
    assert sent["/a/ok-1"]["if-none-match"] == '"/a/ok-1-v1"'
    assert sent["/a/ok-2"]["if-modified-since"] == "Mon, 02 Mar 2026 00:00:00 GMT"
    assert "if-none-match" not in sent["/listing"]
    assert_polite(site.hits, 0.2)  # Crawl-delay beats delay_seconds


def test_hosts_in_parallel_each_polite_and_bounded() -> None:
    hosts = tuple(f"127.0.0.{i}" for i in range(10, 14))

    async def scenario(max_hosts: int) -> tuple[ChaosSite, float]:
        async with ChaosSite(hosts=hosts) as site:
            install_news_site(site)
            reqs = [FetchRequest(site.url(f"/a/ok-{n % 2 + 1}?n={n}", h)) for n in range(3) for h in hosts]
            async with Fetcher(
                crawl_settings(delay_seconds=0.15, allow_hosts=hosts, max_hosts_concurrent=max_hosts)
            ) as f:
                start = time.monotonic()
                results = await f.fetch_many(reqs)
                elapsed = time.monotonic() - start
            assert [r.url for r in results] == [r.url for r in reqs]  # in request order
            assert all(r.outcome == "fetched" for r in results)
            return site, elapsed

    site, parallel = asyncio.run(scenario(4))
    assert_polite(site.hits, 0.15)
    assert {h.local_ip for h in site.hits} == set(hosts)
    assert parallel < 1.2  # 4 requests per host at 0.15 s: about 0.45 s, not 4 x that
    _, bounded = asyncio.run(scenario(2))
    assert bounded > 0.9  # two hosts at a time: at least two rounds of 0.45 s


def test_fetch_never_raises_and_refuses_politely() -> None:
    async def scenario() -> list[FetchResult]:
        async with ChaosSite() as site:

            async def hop(req: Request, w: asyncio.StreamWriter) -> bool:
                n = int(req.path.rsplit("/", 1)[1])
                return await send(w, 302, b"", headers=[("Location", f"/r/{n + 1}")])

            for n in range(10):
                site.routes[f"/r/{n}"] = hop
            site.routes["/fine"] = lambda req, w: send(w, 200, page("fine").encode())
            async with Fetcher(crawl_settings(max_redirects=3)) as fetcher:
                return [
                    await fetcher.fetch("ftp://127.0.0.1/x"),
                    await fetcher.fetch("not a url at all"),
                    await fetcher.fetch(site.url("/r/0")),
                    await fetcher.fetch(f"http://127.0.0.2:{site.ports['127.0.0.1']}/fine"),
                    await fetcher.fetch("http://127.0.0.1:9/closed-port"),
                    await fetcher.fetch(site.url("/fine") + "#frag", kind="feed"),
                ]

    ftp, junk, chain, private, closed, fine = asyncio.run(scenario())
    assert (ftp.outcome, ftp.error) == ("failed", "scheme: ftp:// not allowed")
    assert junk.outcome == "failed" and (junk.error or "").startswith("scheme")
    assert (
        chain.outcome == "failed"
        and chain.error == "too many redirects (more than 3)"
        and len(chain.exchanges) == 5
    )
    assert (
        private.outcome == "failed"
        and (private.error or "").startswith("ssrf: 127.0.0.2")
        and not private.exchanges
    )
    assert (closed.outcome, closed.error) == ("deferred", "robots unavailable")  # connection refused
    assert fine.outcome == "fetched" and fine.kind == "feed" and fine.exchanges[-1].url.endswith("/fine")


def test_user_agent_needs_a_contact() -> None:
    with pytest.raises(ConfigError):
        Fetcher(crawl_settings(user_agent="sneaky-bot/1.0"))
