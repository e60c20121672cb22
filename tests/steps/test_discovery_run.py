"""A whole plain crawl run of a site nobody configured: every article found and stored, a
reason for every link not stored, robots.txt asked once, the delay kept across the steps."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.cli._common import console, print_summary
from flows.config import Settings, load_settings
from flows.demo.run import to_toml
from tests.helpers.chaos import assert_polite
from tests.helpers.newsite import (
    ARTICLE_PATTERN,
    NOT_STORED,
    SECTION,
    SKIPPED,
    STORIES,
    RemoteSite,
)
from tests.helpers.pipeline import crawl_all
from warehouse.db import session
from warehouse.queries import run_sql

DELAY = 0.1


def unconfigured_config(site: RemoteSite, data: Path, **crawl: Any) -> dict[str, Any]:
    """What a user would write for the site: a start URL, a pattern, a delay; nothing else."""
    return {
        "storage": {"database": str(data / "campaigns.duckdb"), "archive": str(data / "archive")},
        "crawl": {
            "delay_seconds": DELAY, "allow_hosts": ["127.0.0.1"], "listing_depth": 10, "max_bytes": 262144,
            "max_retries": 1, "backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2,
            "user_agent": "campaign-archive-test/0.1 (+https://example.invalid/contact)", **crawl,
        },
        "sources": [
            {"name": "moi.example", "start_urls": [site.url(SECTION)], "article_pattern": ARTICLE_PATTERN,
             "keywords": ["hiến máu"]},
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("unconfigured")
    with RemoteSite() as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(unconfigured_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        summary = crawl_all(settings, batch_size=5)
        hits = site.hits
        second = crawl_all(settings, batch_size=5)
        yield {
            "settings": settings, "summary": summary, "hits": hits,
            "second": second, "second_hits": site.hits[len(hits):],
        }  # fmt: skip


def _sql(settings: Settings, query: str) -> list[tuple[Any, ...]]:
    with session(settings.database, read_only=True) as con:
        return run_sql(con, query)[1]


def test_every_article_is_found_and_stored_with_nothing_but_a_start_url(run: dict[str, Any]) -> None:
    (s,) = run["summary"]["sources"]
    assert s["discovered"] == len(STORIES) + len(NOT_STORED)
    assert s["articles"] == len(STORIES)
    stored = {u.split("/", 3)[3] for (u,) in _sql(run["settings"], "SELECT url FROM articles")}
    assert stored == {p.lstrip("/") for p in STORIES}


def test_every_link_found_and_not_stored_has_a_reason(run: dict[str, Any]) -> None:
    (s,) = run["summary"]["sources"]
    assert s["not_stored"] == {**SKIPPED, **{why: 1 for why in NOT_STORED.values()}}
    assert run["summary"]["totals"]["not_stored"] == s["not_stored"]
    out = io.StringIO()
    print_summary(console(file=out, width=200), run["summary"])
    line = next(x for x in out.getvalue().splitlines() if x.startswith("Not stored: "))
    assert line == "Not stored: 2 pattern mismatch, 1 off-topic, 1 robots, 1 too large, 1 too old"


def test_robots_txt_is_asked_once_per_run_and_the_delay_holds_across_the_steps(run: dict[str, Any]) -> None:
    hits = run["hits"]
    assert [h.path for h in hits].count("/robots.txt") == 1
    assert hits[0].path == "/robots.txt"
    assert_polite(hits, DELAY)  # discover → fetch batches: each step a new fetcher, one gate
    state = Path(str(run["settings"].database).removesuffix(".duckdb") + ".hosts")
    assert run["settings"].state_dir == state and (state / "127.0.0.1.gate").is_file()


def test_the_robots_answer_and_the_found_feed_and_sitemaps_are_archived(run: dict[str, Any]) -> None:
    first = f"SELECT kind, count(*) FROM fetches WHERE run_id = '{run['summary']['run_id']}' GROUP BY 1"
    kinds = dict(_sql(run["settings"], first))
    assert kinds == {"listing": 4, "feed": 1, "sitemap": 2, "article": len(STORIES) + len(NOT_STORED)}
    urls = {u for (u,) in _sql(run["settings"], "SELECT url FROM captures")}
    assert any(u.endswith("/robots.txt") for u in urls) and any(u.endswith("/tin-moi.rss") for u in urls)


def test_the_next_run_asks_conditionally_for_what_discovery_found(run: dict[str, Any]) -> None:
    """Listing pages, the announced feed and the sitemaps of robots.txt carry their validators;
    with the start page unchanged (304), the feed found before is read all the same."""
    sent = {h.path: h.headers.get("if-none-match") for h in run["second_hits"]}
    assert set(sent) == {SECTION, "/tin-moi.rss", "/sitemaps/index.xml", "/sitemaps/news.xml"}
    assert all(sent.values()), sent  # every one conditional; robots.txt not asked again
    (s,) = run["second"]["sources"]
    assert s["unchanged"] == 4 and s["planned"] == 0 and s["fetched"] == 0
