"""``sources check`` on the demo sites: it lists what the crawl then fetches, and stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps.check import check_rows, check_sources, check_summary
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql


@pytest.mark.parametrize("configured", [True, False], ids=["as-configured", "start-url-only"])
def test_check_lists_what_the_crawl_then_fetches(tmp_path: Path, configured: bool) -> None:
    tree = write_site_tree(tmp_path / "fixtures", per_site=6)
    with DemoSite(tree) as site:
        config = demo_config(site, tmp_path / "data")
        if not configured:  # no pagination, no feeds: found on the pages
            config["sources"] = [
                {k: v for k, v in s.items() if k not in ("pagination", "feeds")} for s in config["sources"]
            ]
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(config), encoding="utf-8")
        settings = load_settings(conf)

        checks = check_sources(settings, settings.sources)
        assert not settings.database.exists() and not settings.archive.exists()
        assert not settings.state_dir.exists()  # nothing stored, not even politeness state
        rows = [r for c in checks for r in check_rows(c)]

        crawl_all(settings)
        robots_before = {name: site.hits(name)["/robots.txt"] for name in site.ports}
        with session(settings.database, read_only=True) as con:
            fetched = run_sql(con, "SELECT source, kind, url FROM fetches")[1]

        pages = {
            (r["source"], r["what"], r["url"]) for r in rows if r["what"] in ("listing", "feed", "sitemap")
        }
        articles = {(r["source"], "article", r["url"]) for r in rows if r["what"] == "article"}
        assert pages == {f for f in fetched if f[1] != "article"}
        assert articles == {f for f in fetched if f[1] == "article"}
        assert len(articles) == 2 * 7  # six campaign stories and one unrelated per site
        vias = {r["via"] for r in rows if r["what"] == "listing"}
        assert vias == (
            {"start", "pagination pattern"} if configured else {"start", "page 2 of the pagination"}
        )
        feeds = {r["via"] for r in rows if r["what"] == "feed"}
        assert feeds == ({"config"} if configured else {"<link rel=alternate> on /xa-hoi"})

        # a check after a crawl takes the crawl's politeness state: robots.txt is not asked again
        check_sources(settings, settings.sources)
        assert {name: site.hits(name)["/robots.txt"] for name in site.ports} == robots_before


def test_check_rows_say_what_robots_allows_and_what_the_pattern_leaves_out(tmp_path: Path) -> None:
    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=2)) as site:
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        settings = load_settings(conf)
        (check,) = check_sources(settings, settings.select_sources(["cand.com.vn"]))
    rows = check_rows(check, unmatched=True)
    robots = next(r for r in rows if r["what"] == "robots")
    assert robots["status"] == 200
    assert robots["note"] == "Disallow: /admin/, Disallow: /tim-kiem, Allow: /"
    unmatched = {r["url"].split("/", 3)[3] for r in rows if r["what"] == "unmatched"}
    assert {"admin", "tim-kiem?q=hien+mau"} <= unmatched  # the menu's links are not articles
    listing = next(r for r in rows if r["what"] == "listing")
    assert (
        listing["links"] == 3
        and listing["new"] == 3
        and "links not matching article_pattern" in listing["note"]
    )
    assert check_summary(check) == (
        "cand.com.vn: 3 article links (listings 3); pages read: listings 1, feeds 1, sitemaps 0; left out: none"
    )
