"""A crawl killed with SIGKILL half-way, then a clean run: the warehouse and the archive stay whole.

The child (``python -m tests.helpers.orchestration``) crawls the demo sites with the
plain pipeline, politely slow, in batches of two; it is killed once the site has
served some articles. The next run (in this process) recovers the archive, fetches
what the killed run left pending and loads everything: no key doubled, every
capture an article or fetch points to indexed, ``verify`` clean, every year there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from flows.config import load_settings
from flows.demo.run import DEMO_CAMPAIGN_KEY, demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps.archive import reindex_archive, verify_archive
from tests.helpers.orchestration import ROOT, crawl, natural_key_duplicates, orphan_captures, sql
from tests.helpers.sites import write_site_tree

pytestmark = pytest.mark.slow

_PER_SITE = 6  # campaign articles per site (years 2019-2023), plus one unrelated story


def _article_hits(site: DemoSite) -> int:
    total = 0
    for name, arts in site.articles.items():
        hits = site.hits(name)
        total += sum(hits[a.path] for a in arts)
    return total


@pytest.fixture(scope="module")
def killed_then_clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("crash")
    tree = write_site_tree(tmp / "fixtures", per_site=_PER_SITE)
    with DemoSite(tree) as site:
        config = demo_config(site, tmp / "data")
        config["crawl"]["delay_seconds"] = 0.2  # about 3 s of article fetches per site
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(config), encoding="utf-8")
        settings = load_settings(conf)
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.helpers.orchestration", str(conf)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while _article_hits(site) < 3:  # a batch or so is done, the next is in flight
                assert child.poll() is None, child.communicate()
                assert time.monotonic() < deadline, "the child crawl never reached the articles"
                time.sleep(0.01)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            out, _err = child.communicate()
        at_kill = _article_hits(site)
        unfinished = sql(settings.database, "SELECT count(*) FROM extraction_runs WHERE finished_at IS NULL")
        articles_after_kill = sql(settings.database, "SELECT count(*) FROM articles")[0][0]
        summary = crawl(settings)
        hits_second = _article_hits(site) - at_kill
        expected = {a.path for arts in site.articles.values() for a in arts}
    return {
        "settings": settings,
        "returncode": child.returncode,
        "child_out": out.decode(),
        "unfinished": unfinished[0][0],
        "articles_after_kill": articles_after_kill,
        "summary": summary,
        "hits_second": hits_second,
        "expected_articles": len(expected),
    }


def test_the_child_was_killed_before_it_finished(killed_then_clean: dict[str, Any]) -> None:
    assert killed_then_clean["returncode"] == -signal.SIGKILL
    assert killed_then_clean["child_out"].splitlines() == ["started"]  # never printed its run id
    assert killed_then_clean["unfinished"] == 1
    assert killed_then_clean["articles_after_kill"] < 2 * _PER_SITE


def test_the_clean_run_completes_the_work(killed_then_clean: dict[str, Any]) -> None:
    summary, settings = killed_then_clean["summary"], killed_then_clean["settings"]
    assert summary["sources_failed"] == {}
    assert killed_then_clean["hits_second"] > 0  # it fetched what the killed run left
    stored = sql(settings.database, "SELECT count(DISTINCT article_key) FROM articles")[0][0]
    assert stored == 2 * _PER_SITE  # every campaign article of both sites, the unrelated ones ignored
    pending = sql(settings.database, "SELECT count(*) FROM frontier WHERE status <> 'fetched'")[0][0]
    assert pending == 0
    assert sql(settings.database, "SELECT count(*) FROM extraction_runs WHERE finished_at IS NULL")[0][0] == 1
    with_figures = sql(settings.database, "SELECT count(DISTINCT article_id) FROM figures")[0][0]
    assert with_figures == 2 * _PER_SITE


def test_no_key_is_doubled_and_every_capture_is_indexed(killed_then_clean: dict[str, Any]) -> None:
    database = killed_then_clean["settings"].database
    assert natural_key_duplicates(database) == {}
    assert orphan_captures(database) == {}


def test_the_archive_verifies_against_the_index(killed_then_clean: dict[str, Any]) -> None:
    settings = killed_then_clean["settings"]
    check = verify_archive(settings, confirm=False)
    assert check.ok, check.problems
    # one warcinfo per file, then request + response (or revisit) per exchange, each indexed
    assert check.indexed == (check.records - check.files) // 2 > 0
    assert reindex_archive(settings) == []  # nothing left to recover


def test_the_campaign_has_all_its_years(killed_then_clean: dict[str, Any]) -> None:
    rows = sql(
        killed_then_clean["settings"].database,
        f"SELECT DISTINCT campaign_year FROM articles WHERE campaign_key = '{DEMO_CAMPAIGN_KEY}'",
    )
    assert {r[0] for r in rows} == {2019, 2020, 2021, 2022, 2023}
