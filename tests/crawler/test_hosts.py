"""Politeness that holds beyond one fetcher: the per-host gate and robots.txt answers shared
through a state folder, and validators sent on every hop of a redirect."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from flows.config import Settings, load_settings
from flows.crawler.fetch import Fetcher, FetchResult
from flows.crawler.hosts import HostGate, RobotsCache, state_file
from tests.helpers.chaos import ChaosSite, Request, assert_polite, crawl_settings, page, send

DELAY = 0.2


def _site_with_pages(site: ChaosSite) -> None:
    for n in range(4):
        site.routes[f"/p{n}"] = lambda req, w: send(w, 200, page("p").encode())


def test_fetchers_sharing_a_state_folder_ask_robots_once_and_keep_the_delay_between_them(
    tmp_path: Path,
) -> None:
    """Each crawl step makes its own fetcher: robots.txt once, and no short gap at the hand-over."""

    async def scenario() -> ChaosSite:
        async with ChaosSite() as site:
            _site_with_pages(site)
            crawl = crawl_settings(delay_seconds=DELAY)
            for n in range(3):  # discover, then two fetch batches: three fetchers, one after another
                async with Fetcher(crawl, tmp_path) as fetcher:
                    assert (await fetcher.fetch(site.url(f"/p{n}"))).outcome == "fetched"
            return site

    site = asyncio.run(scenario())
    assert site.counts["/robots.txt"] == 1
    assert [h.path for h in site.hits] == ["/robots.txt", "/p0", "/p1", "/p2"]
    assert_polite(site.hits, DELAY)
    state = json.loads(state_file(tmp_path, "127.0.0.1", ".gate").read_text())
    assert state["host"] == "127.0.0.1" and state["last_start"] <= time.time()


def test_without_a_state_folder_each_fetcher_starts_afresh(tmp_path: Path) -> None:
    """What the state folder changes: without it, a new fetcher asks robots.txt again at once."""

    async def scenario() -> ChaosSite:
        async with ChaosSite() as site:
            _site_with_pages(site)
            for n in range(2):
                async with Fetcher(crawl_settings(delay_seconds=DELAY)) as fetcher:
                    await fetcher.fetch(site.url(f"/p{n}"))
            return site

    site = asyncio.run(scenario())
    assert site.counts["/robots.txt"] == 2
    assert not list(tmp_path.iterdir())


def test_two_fetchers_at_once_share_the_gate(tmp_path: Path) -> None:
    """Two fetchers crawling one host together (as two processes would) keep the delay together."""

    async def scenario() -> ChaosSite:
        async with ChaosSite() as site:
            _site_with_pages(site)
            crawl = crawl_settings(delay_seconds=DELAY)
            async with Fetcher(crawl, tmp_path) as a, Fetcher(crawl, tmp_path) as b:
                results = await asyncio.gather(
                    *(f.fetch(site.url(f"/p{n}")) for n in range(4) for f in (a, b))
                )
            assert all(r.outcome == "fetched" for r in results)
            return site

    site = asyncio.run(scenario())
    assert len(site.hits) == 9 and site.counts["/robots.txt"] == 1
    assert_polite(site.hits, DELAY)


def test_retry_after_pushes_every_fetcher_of_the_host(tmp_path: Path) -> None:
    async def scenario() -> tuple[ChaosSite, list[FetchResult]]:
        async with ChaosSite() as site:

            async def busy(req: Request, w: asyncio.StreamWriter) -> bool:
                if site.counts[req.path] == 1:
                    return await send(w, 429, b"slow down", headers=[("Retry-After", "1")])
                return await send(w, 200, page("ok").encode())

            site.routes["/busy"] = busy
            site.routes["/other"] = lambda req, w: send(w, 200, page("other").encode())
            crawl = crawl_settings(delay_seconds=0.05, backoff_max_seconds=0.6)
            async with Fetcher(crawl, tmp_path) as a, Fetcher(crawl, tmp_path) as b:
                first = asyncio.create_task(a.fetch(site.url("/busy")))
                while site.counts.get("/busy", 0) < 1:
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.1)  # the 429 has been answered and the retry scheduled
                other = await b.fetch(site.url("/other"))
                return site, [await first, other]

    site, results = asyncio.run(scenario())
    assert [r.outcome for r in results] == ["fetched", "fetched"]
    at = {h.target: h.at for h in site.hits if h.path != "/busy"} | {
        "429": next(h.at for h in site.hits if h.path == "/busy")
    }
    assert at["/other"] - at["429"] >= 0.6 - 0.02  # the other fetcher waited out Retry-After (capped)


def test_robots_answers_are_cached_for_their_time_unavailable_ones_briefly(tmp_path: Path) -> None:
    async def scenario() -> None:
        cache = RobotsCache(tmp_path, max_age=3600)
        async with cache.holding("http://x.vn") as slot:
            assert slot.load() is None
            slot.store(200, b"User-agent: *\nDisallow: /a\n", None)
        async with cache.holding("http://x.vn") as slot:
            got = slot.load()
            assert got is not None and got.status == 200 and b"Disallow: /a" in got.body
        async with cache.holding("http://down.vn") as slot:
            slot.store(None, b"", "timeout")
        path = state_file(tmp_path, "http://down.vn", ".robots.json")
        data = json.loads(path.read_text())
        data["fetched_at"] -= 301  # an unavailable answer is kept 5 minutes at most
        path.write_text(json.dumps(data))
        async with cache.holding("http://down.vn") as slot:
            assert slot.load() is None
        async with RobotsCache(tmp_path, max_age=0).holding("http://x.vn") as slot:
            assert slot.load() is None  # robots_cache_seconds = 0: always ask

    asyncio.run(scenario())


def test_a_gate_file_with_a_time_far_ahead_is_a_clock_that_moved(tmp_path: Path) -> None:
    path = state_file(tmp_path, "x.vn", ".gate")
    path.write_text(json.dumps({"last_start": time.time() + 86400}))

    async def scenario() -> float:
        gate = HostGate("x.vn", tmp_path)
        start = time.monotonic()
        async with gate.turn(0.1):
            pass
        return time.monotonic() - start

    assert asyncio.run(scenario()) < 0.5


def test_validators_go_with_every_hop_of_a_redirect() -> None:
    """A trailing-slash redirect keeps If-None-Match, so the page can still answer 304."""

    async def scenario() -> tuple[ChaosSite, FetchResult]:
        async with ChaosSite() as site:

            async def slash(req: Request, w: asyncio.StreamWriter) -> bool:
                return await send(w, 301, b"", headers=[("Location", "/bai-viet/")])

            async def target(req: Request, w: asyncio.StreamWriter) -> bool:
                if req.headers.get("if-none-match") == '"v1"':
                    return await send(w, 304, b"", content_type="", headers=[("ETag", '"v1"')])
                return await send(w, 200, page("bài").encode(), headers=[("ETag", '"v1"')])

            site.routes["/bai-viet"], site.routes["/bai-viet/"] = slash, target
            async with Fetcher(crawl_settings()) as fetcher:
                result = await fetcher.fetch(site.url("/bai-viet"), etag='"v1"')
            return site, result

    site, result = asyncio.run(scenario())
    assert result.outcome == "not_modified" and result.status == 304
    assert [e.status for e in result.exchanges[-2:]] == [301, 304]
    sent = [h.headers.get("if-none-match") for h in site.hits if h.path.startswith("/bai-viet")]
    assert sent == ['"v1"', '"v1"']


def test_the_state_folder_sits_beside_the_warehouse_unless_configured(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[storage]\ndatabase = "data/w.duckdb"\n', encoding="utf-8")
    settings = load_settings(conf)
    assert settings.state_dir == Path("data/w.hosts")  # every crawl of this warehouse shares it
    payload = settings.to_payload()
    assert payload["storage"]["state_dir"] is None
    assert Settings.from_payload(payload).state_dir == Path(payload["storage"]["database"]).with_name(
        "w.hosts"
    )
    moved = load_settings(conf, storage={"state_dir": str(tmp_path / "gates")})
    assert moved.state_dir == tmp_path / "gates"
    assert Settings.from_payload(moved.to_payload()).state_dir == tmp_path / "gates"
