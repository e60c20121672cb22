"""What the crawl says it is doing, after a run was killed between loading its articles and marking
them done: the next run's progress lines must not contradict themselves."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps import crawl as steps
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import write_site_tree
from warehouse.db import session
from warehouse.load import load_articles


def test_a_resumed_run_counts_what_it_plans_and_loads_truthfully(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=3)) as site:
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        settings = load_settings(conf)
        (source, *_) = settings.select_sources(["cand.com.vn"])
        settings = settings.model_copy(update={"sources": (source,)})

        # The killed run: listings archived, articles fetched, archived and loaded, never marked done.
        run_id = steps.begin_run(settings, {"test": "killed"})
        found = steps.discover_source(settings, source)
        steps.archive_results(settings, source, found.results, run_id)
        planned = steps.plan_fetches(settings, source, found.article_urls)
        archived = steps.archive_results(settings, source, steps.fetch_pages(settings, planned), run_id)
        extracted = steps.extract_pages(settings, source, steps.article_pages(source, archived))
        with session(settings.database) as con:
            stored = load_articles(
                con, [(r, p.capture.capture_id) for p, r in extracted.records], run_id=run_id
            )
        assert stored == 3

        caplog.clear()
        with caplog.at_level(logging.INFO, logger="campaigns.pipeline"):
            summary = crawl_all(settings)
    lines = [r.getMessage() for r in caplog.records if r.name == "campaigns.pipeline"]
    assert "cand.com.vn: 0 of 0 articles found to fetch, and 4 left from earlier runs" in lines, lines
    for line in lines:  # "10 of 0": never more found to fetch than found
        for n, of in re.findall(r"(\d+) of (\d+) articles", line):
            assert int(n) <= int(of), line
    loads = [line for line in lines if "stored again" in line]
    assert loads == ["cand.com.vn: 3 articles (6 figures): 3 stored again from a newer capture"], lines
    assert not any("new or changed" in line for line in lines)
    assert summary["totals"]["articles"] == 3
