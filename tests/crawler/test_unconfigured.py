"""Discovery on a site nobody configured (issue 15): pages linked on only by "Trang sau" /
rel=next, a feed announced only in <link rel="alternate">, a sitemap only in robots.txt."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta

from flows.config import CrawlSettings, Source
from flows.crawler.discover import Discovery, discover
from flows.crawler.feeds import parse_w3c_date, sitemap_entries
from flows.crawler.fetch import Fetcher
from tests.helpers.chaos import DELAY, ChaosSite, assert_polite, crawl_settings
from tests.helpers.newsite import (
    ARTICLE_PATTERN,
    NOT_STORED,
    SECTION,
    SKIPPED,
    STORIES,
    install_unconfigured_site,
)


def _discover(source_changes: dict[str, object], **crawl_changes: object) -> tuple[ChaosSite, Discovery]:
    async def scenario() -> tuple[ChaosSite, Discovery]:
        async with ChaosSite() as site:
            install_unconfigured_site(site)
            fields: dict[str, object] = {
                "start_urls": (site.url(SECTION),),
                "article_pattern": ARTICLE_PATTERN,
            }
            for key, value in source_changes.items():  # paths of the site become its URLs
                fields[key] = tuple(site.url(v) for v in value) if isinstance(value, tuple) else value
            src = Source.model_validate({"name": "moi", **fields})
            crawl = crawl_settings(**{"listing_depth": 10, **crawl_changes})
            async with Fetcher(crawl) as fetcher:
                return site, await discover(src, fetcher, crawl)

    return asyncio.run(scenario())


def _paths(site: ChaosSite, urls: object) -> list[str]:
    return [str(u).split(str(site.ports["127.0.0.1"]), 1)[1] for u in urls]  # type: ignore[attr-defined]


def test_every_article_is_found_with_no_pagination_feeds_or_sitemaps_configured() -> None:
    site, found = _discover({})
    assert sorted(_paths(site, found.article_urls)) == sorted([*STORIES, *NOT_STORED])
    assert found.skipped == SKIPPED  # and what was left out is counted, by reason
    listings = [
        (p, v.via) for p, v in zip(_paths(site, (v.url for v in found.visits)), found.visits, strict=True)
    ]
    assert listings[:4] == [
        (SECTION, "start"),
        (f"{SECTION}/p/2", "'Trang sau »'"),
        (f"{SECTION}/p/3", "rel=next"),
        (f"{SECTION}/p/4", "'Trang tiếp'"),  # it repeats page 3: no new article link, the end
    ]
    assert found.visits[3].new == 0 and "not followed" in found.visits[3].note
    assert f"{SECTION}/p/5" not in site.counts
    assert [(v.kind, v.via) for v in found.visits[4:]] == [
        ("feed", f"<link rel=alternate> on {SECTION}"),
        ("sitemap", "robots.txt"),
        ("sitemap", "sitemap index /sitemaps/index.xml"),
    ]
    assert "/sitemaps/2019.xml" not in site.counts  # an old child sitemap is not read
    assert "/en/society" not in site.counts  # an hreflang alternate is not a feed
    assert site.counts["/robots.txt"] == 1
    assert_polite(site.hits, DELAY)
    assert [r.kind for r in found.results] == ["listing"] * 4 + ["feed", "sitemap", "sitemap"]


def test_a_configured_pagination_pattern_still_wins() -> None:
    _, found = _discover({"pagination": "{url}/p/{page}"})
    assert [v.via for v in found.visits if v.kind == "listing"] == ["start"] + ["pagination pattern"] * 3
    assert len(found.article_urls) == len(STORIES) + len(NOT_STORED)


def test_configured_feeds_and_sitemaps_are_read_once_with_the_announced_ones() -> None:
    site, found = _discover({"feeds": ("/tin-moi.rss",), "sitemaps": ("/sitemaps/news.xml",)})
    assert site.counts["/tin-moi.rss"] == 1 and site.counts["/sitemaps/news.xml"] == 1
    assert [(v.kind, v.via) for v in found.visits if v.kind != "listing"][:2] == [
        ("feed", "config"),
        ("sitemap", "config"),
    ]


def test_listing_depth_and_sitemap_limits_hold() -> None:
    site, found = _discover({}, listing_depth=2, sitemap_max_urls=1)
    assert [v.kind for v in found.visits].count("listing") == 2
    assert "listing_depth 2 reached" in found.visits[1].note
    assert f"{SECTION}/p/3" not in site.counts
    assert found.skipped["over sitemap_max_urls"] == 1
    taken = [u for u, kind in found.found_on.items() if kind == "sitemap"]
    assert _paths(site, taken) == ["/bai-viet/hien-mau-he-8.html"]  # the newest first


def test_sitemap_age_is_a_setting() -> None:
    _, found = _discover({}, sitemap_max_age_days=10_000)
    assert "too old" not in found.skipped
    assert len(found.article_urls) == len(STORIES) + len(NOT_STORED) + 1


def test_sitemap_dates_news_lastmod_and_gzip() -> None:
    now = datetime(2026, 3, 8, 12, tzinfo=UTC)
    xml = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://x.vn/a-1.htm</loc><lastmod>2020-01-01</lastmod>
        <news:news><news:publication_date>{now.isoformat()}</news:publication_date></news:news></url>
      <url><loc>https://x.vn/a-2.htm</loc><lastmod>2026-03-07T08:00+07:00</lastmod></url>
      <url><loc>https://x.vn/a-3.htm</loc></url></urlset>""".encode()
    pages, children = sitemap_entries(gzip.compress(xml), "https://x.vn/s.xml.gz")
    assert [(e.url.rsplit("/", 1)[1], e.date) for e in pages] == [
        ("a-1.htm", now),
        ("a-2.htm", datetime(2026, 3, 7, 1, tzinfo=UTC)),
        ("a-3.htm", None),
    ]
    assert children == []
    assert parse_w3c_date("2026-03-08") == datetime(2026, 3, 8, tzinfo=UTC)
    assert parse_w3c_date("2026-03-08T10:00:00.123+0700") == datetime(2026, 3, 8, 3, tzinfo=UTC)
    assert parse_w3c_date("08/03/2026") is None and parse_w3c_date(None) is None
    assert parse_w3c_date("2026-13-40") is None


def test_discovery_reads_sitemaps_of_robots_txt_only_from_the_sources_hosts() -> None:
    async def scenario() -> tuple[ChaosSite, Discovery]:
        async with ChaosSite(hosts=("127.0.0.1", "127.0.0.3")) as site:
            install_unconfigured_site(site)
            src = Source(name="x", start_urls=(site.url(SECTION),), article_pattern=ARTICLE_PATTERN)
            crawl = CrawlSettings(
                delay_seconds=0.0, allow_hosts=("127.0.0.1", "127.0.0.3"), listing_depth=1,
                user_agent=crawl_settings().user_agent,
            )  # fmt: skip
            async with Fetcher(crawl) as fetcher:
                return site, await discover(src, fetcher, crawl, now=datetime.now(UTC) + timedelta(days=1))

    site, found = asyncio.run(scenario())
    assert {h.local_ip for h in site.hits} == {"127.0.0.1"}
    assert list(found.robots) == [site.url("/robots.txt")]


def test_without_a_pattern_the_pages_discovery_reads_are_not_articles() -> None:
    site, found = _discover({"article_pattern": None})
    paths = set(_paths(site, found.article_urls))
    assert {*STORIES, *NOT_STORED, "/gioi-thieu", "/chuyen-muc/the-thao"} <= paths
    assert not paths & {SECTION, f"{SECTION}/p/2", f"{SECTION}/p/3", "/tin-moi.rss"}
