"""Incremental crawl state in DuckDB: the frontier, validators, second runs, kill and resume."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import duckdb
import pytest

from flows.config import CrawlSettings, Source
from flows.crawler.discover import discover, entry_urls
from flows.crawler.fetch import Fetcher, FetchRequest, FetchResult
from tests.helpers import ROOT
from tests.helpers.chaos import (
    CHAOS_ARTICLES,
    ChaosSite,
    Request,
    crawl_settings,
    install_news_site,
    page,
    send,
)
from warehouse.crawlstate import pending, plan_articles, record_results, validators

MIGRATION = ROOT / "warehouse" / "migrations" / "002_crawl_state.sql"


def open_db(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse as the pipeline opens it (all migrations); only ours if db.py is not there."""
    try:
        from warehouse.db import connect
    except ImportError:
        con = duckdb.connect(str(path))
        con.execute(MIGRATION.read_text())
        return con
    return connect(path)


def _result(url: str, outcome: str, *, body: bytes | None = b"x", etag: str | None = None, lm: str | None = None,
            kind: str = "article", final_url: str | None = None, error: str | None = None) -> FetchResult:  # fmt: skip
    status = {"fetched": 200, "not_modified": 304, "failed": 404, "deferred": 503}[outcome]
    return FetchResult(
        url=url, final_url=final_url or url, status=status, error=error, outcome=outcome,  # type: ignore[arg-type]
        exchanges=(), body=body, content_type="text/html", etag=etag, last_modified=lm,
        fetched_at="2026-03-03T08:00:00Z", bytes=len(body or b""), kind=kind,
    )  # fmt: skip


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int, str | None]]:
    return {
        u: (s, a, e)
        for u, s, a, e in con.execute("SELECT url, status, attempts, last_error FROM frontier").fetchall()
    }


def test_the_frontier_hands_out_each_url_until_it_has_ended(tmp_path: Path) -> None:
    con = open_db(tmp_path / "w.duckdb")
    urls = ["https://x.vn/a-1", "https://x.vn/a-2", "https://x.vn/a-3", "https://x.vn/a-1"]
    assert plan_articles(con, "x", urls) == urls[:3]
    assert plan_articles(con, "x", urls[:2]) == urls[:3]  # a-3 was left pending: still handed out
    record_results(con, "x", [_result(urls[0], "fetched"), _result(urls[1], "deferred", error="http 503"),
                              _result(urls[2], "failed", error="http 404")])  # fmt: skip
    assert plan_articles(con, "x", urls) == [urls[1]]  # only the deferred one comes back
    assert pending(con, "x") == [urls[1]] and pending(con, "other") == []
    assert plan_articles(con, "x", urls, refresh=True) == urls[:3]
    rows = _rows(con)
    assert len(rows) == 3  # one row per URL, however often it was discovered
    assert rows[urls[1]] == ("deferred", 1, "http 503")
    record_results(con, "x", [_result(urls[1], "fetched")])
    assert _rows(con)[urls[1]] == ("fetched", 2, None)
    assert plan_articles(con, "x", []) == [urls[0], urls[2]]  # refreshed and not yet refetched


def test_validators_and_digests_follow_the_outcome(tmp_path: Path) -> None:
    con = open_db(tmp_path / "w.duckdb")
    url, feed = "https://x.vn/a-1", "https://x.vn/rss/xa-hoi.rss"
    record_results(con, "x", [_result(url, "fetched", body=b"v1", etag='"e1"', lm="Mon, 02 Mar 2026 00:00:00 GMT"),
                              _result(feed, "fetched", kind="feed", etag='"f1"')])  # fmt: skip
    assert validators(con, [url, feed, "https://x.vn/none"]) == {
        url: ('"e1"', "Mon, 02 Mar 2026 00:00:00 GMT"),
        feed: ('"f1"', None),
    }
    record_results(con, "x", [_result(url, "not_modified", body=b"")])
    record_results(con, "x", [_result(feed, "deferred", kind="feed", body=None)])
    assert validators(con, [url, feed]) == {
        url: ('"e1"', "Mon, 02 Mar 2026 00:00:00 GMT"),
        feed: ('"f1"', None),
    }
    digest = con.execute("SELECT content_digest FROM url_state WHERE url = ?", [url]).fetchone()
    assert digest == (hashlib.sha1(b"v1").hexdigest(),)
    record_results(con, "x", [_result(url, "fetched", body=b"v2", etag='"e2"')])
    assert validators(con, [url]) == {url: ('"e2"', None)}
    # the listing spelled as in the config (trailing slash, tracking) finds the canonical state
    record_results(con, "x", [_result("https://x.vn/xa-hoi", "fetched", kind="listing", etag='"l"')])
    assert validators(con, ["https://x.vn/xa-hoi/?utm_source=a"])["https://x.vn/xa-hoi/?utm_source=a"] == (
        '"l"',
        None,
    )
    assert _rows(con).keys() == {url}  # listings and feeds never enter the article frontier


def test_a_redirected_article_marks_its_final_url_as_seen(tmp_path: Path) -> None:
    con = open_db(tmp_path / "w.duckdb")
    plan_articles(con, "x", ["https://x.vn/old-1"])
    record_results(
        con, "x", [_result("https://x.vn/old-1", "fetched", final_url="https://x.vn/new-1?utm_source=r")]
    )
    assert plan_articles(con, "x", ["https://x.vn/new-1"]) == []


async def _crawl_once(site: ChaosSite, src: Source, db: Path, crawl: CrawlSettings, *, kill_after: int | None = None) -> list[FetchResult]:  # fmt: skip
    """One nightly run as the pipeline does it: discover, plan, fetch, record (optionally killed)."""
    con = open_db(db)
    try:
        async with Fetcher(crawl) as fetcher:
            found = await discover(src, fetcher, crawl, validators(con, entry_urls(src)))
            todo = plan_articles(con, src.name, found.article_urls, refresh=crawl.refresh)
            record_results(con, src.name, found.results)  # the planned URLs are safely pending now
            task = asyncio.ensure_future(fetcher.fetch_many(FetchRequest(u) for u in todo))
            if kill_after is not None:
                while len(site.paths("/a/")) < kill_after:
                    await asyncio.sleep(0.005)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                return []
            results = await task
        record_results(con, src.name, results)
        return [*found.results, *results]
    finally:
        con.close()


def _source(site: ChaosSite) -> Source:
    return Source(
        name="chaos",
        start_urls=(site.url("/listing"),),
        feeds=(site.url("/feed.rss"),),
        article_pattern=r"/(a|private)/",
        pagination="{url}/trang-{page}.htm",
    )


def test_second_run_is_conditional_and_fetches_no_known_article(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"

    async def scenario() -> tuple[ChaosSite, list[FetchResult], list[FetchResult], int]:
        async with ChaosSite() as site:
            install_news_site(site)
            first = await _crawl_once(site, _source(site), db, crawl_settings())
            mark = len(site.hits)
            second = await _crawl_once(site, _source(site), db, crawl_settings())
            return site, first, second, mark

    site, first, second, mark = asyncio.run(scenario())
    port = str(site.ports["127.0.0.1"])
    deferred = {r.url.split(port, 1)[1] for r in first if r.outcome == "deferred"}
    assert deferred == {p for p, (o, _) in CHAOS_ARTICLES.items() if o == "deferred"}
    later = site.hits[mark:]
    assert {h.path for h in later if h.path.startswith("/a/")} == deferred  # only what did not end
    listing = [h for h in later if h.path in ("/listing", "/feed.rss")]
    assert [h.headers.get("if-none-match") for h in listing] == ['"listing-v1"', '"feed-v1"']
    assert [r.outcome for r in second if r.kind != "article"] == ["not_modified", "not_modified"]
    assert "/listing/trang-2.htm" not in {h.path for h in later}  # page 1 unchanged: stop there
    con = open_db(db)
    rows = _rows(con)
    assert len(rows) == len(CHAOS_ARTICLES) + 1  # + where /a/moved led, marked seen
    assert rows[site.url("/a/ok-target")][0] == "fetched"
    for path, (outcome, _) in CHAOS_ARTICLES.items():
        assert rows[site.url(path)][0] == outcome, path
    assert rows[site.url("/a/503-always")][1] == 2 and rows[site.url("/a/ok-1")][1] == 1  # attempts per run


def test_an_unchanged_site_costs_no_article_request_the_second_night(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"

    async def scenario() -> tuple[ChaosSite, int]:
        async with ChaosSite() as site:
            install_news_site(site)
            site.routes["/listing"] = lambda req, w: send(
                w, 200, page("l", links=[f"/a/ok-{n}" for n in (1, 2)]).encode()
            )
            src = Source(name="calm", start_urls=(site.url("/listing"),), article_pattern="/a/")
            await _crawl_once(site, src, db, crawl_settings(delay_seconds=0.02))
            mark = len(site.hits)
            await _crawl_once(site, src, db, crawl_settings(delay_seconds=0.02))
            return site, mark

    site, mark = asyncio.run(scenario())
    assert site.paths("/a/") == ["/a/ok-1", "/a/ok-2"]
    assert [h.path for h in site.hits[mark:]] == ["/robots.txt", "/listing"]  # no ETag on it: refetched


def test_a_run_killed_mid_fetch_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    articles = [f"/a/ok-{n % 2 + 1}?n={n}" for n in range(8)]

    async def scenario() -> tuple[ChaosSite, int, list[FetchResult]]:
        async with ChaosSite() as site:
            install_news_site(site)

            async def listing(req: Request, w: asyncio.StreamWriter) -> bool:
                if req.headers.get("if-none-match") == '"l1"':
                    return await send(w, 304, b"", content_type="", headers=[("ETag", '"l1"')])
                return await send(w, 200, page("l", links=articles).encode(), headers=[("ETag", '"l1"')])

            site.routes["/listing"] = listing
            src = Source(name="kill", start_urls=(site.url("/listing"),), article_pattern="/a/")
            crawl = crawl_settings(delay_seconds=0.03)
            assert await _crawl_once(site, src, db, crawl, kill_after=3) == []  # killed: nothing recorded
            mark = len(site.hits)
            resumed = await _crawl_once(site, src, db, crawl)  # the listing is unchanged (304)
            return site, mark, resumed

    site, mark, resumed = asyncio.run(scenario())
    assert 3 <= len(site.paths("/a/")) - len(articles) <= 4  # the kill came after 3 (maybe 4) requests
    later = site.hits[mark:]
    assert [h.path for h in later if not h.path.startswith("/a/")] == ["/robots.txt", "/listing"]
    assert sorted(h.target for h in later if h.path.startswith("/a/")) == sorted(articles)  # each once
    assert [r.outcome for r in resumed] == ["not_modified"] + ["fetched"] * len(articles)
    con = open_db(db)
    rows = _rows(con)
    assert len(rows) == len(articles) and {s for s, _, _ in rows.values()} == {"fetched"}
    assert pending(con, "kill") == []


def test_state_survives_reopening_and_bad_sql_becomes_ours(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    con = open_db(db)
    plan_articles(con, "x", ["https://x.vn/a-1"])
    con.close()
    con = open_db(db)
    assert pending(con, "x") == ["https://x.vn/a-1"]
    con.execute("DROP TABLE frontier")
    from errors import WarehouseError

    with pytest.raises(WarehouseError, match="plan articles"):
        plan_articles(con, "x", ["https://x.vn/a-2"])
