"""Recovery pieces, each forced by hand: what a kill between two writes would leave, and its repair.

- records written to WARC but never indexed (killed before the DuckDB commit) are
  indexed when the next run begins, and the archive verifies again;
- articles archived but not yet loaded (killed between the two sessions) stay pending
  in the frontier, so the next run fetches them again;
- the weekly check reports damage: a flipped byte, a missing file, a stray record.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps import crawl as pipeline
from flows.steps.archive import reindex_archive, verify_archive
from tests.helpers.orchestration import crawl, sql
from tests.helpers.sites import write_site_tree
from warehouse.types import Exchange
from warehouse.warc.writer import WarcArchive


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("recover")
    tree = write_site_tree(tmp / "fixtures", per_site=2)
    with DemoSite(tree) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        yield {"tmp": tmp, "conf": conf, "site": site}


def _copy(demo: dict[str, Any], name: str) -> Settings:
    """Settings of a fresh data folder of its own (same sites)."""
    return load_settings(
        demo["conf"],
        storage={"database": demo["tmp"] / name / "c.duckdb", "archive": demo["tmp"] / name / "archive"},
    )


def _exchange(url: str) -> Exchange:
    body = "<html><body><p>Hiến máu: 1.200 đơn vị máu</p></body></html>".encode()
    return Exchange(
        url=url, method="GET", request_headers=(("Host", "127.0.0.1"),), status=200, reason="OK",
        http_version="HTTP/1.1", response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        payload=body, body=body, fetched_at="2026-11-25T19:00:00Z",
    )  # fmt: skip


def test_records_never_indexed_are_indexed_when_the_next_run_begins(demo: dict[str, Any]) -> None:
    settings = _copy(demo, "unindexed")
    crawl(settings)
    assert verify_archive(settings).ok
    with WarcArchive(settings.archive) as warc:  # a run killed right after its WARC write
        stray = warc.write(_exchange("http://127.0.0.1:9/killed-before-commit"))
    check = verify_archive(settings)
    assert not check.ok and any("not indexed" in p and stray.capture_id in p for p in check.problems)

    pipeline.begin_run(settings, {"test": "after a kill"})
    assert verify_archive(settings).ok
    assert sql(settings.database, f"SELECT url FROM captures WHERE capture_id = '{stray.capture_id}'") == [
        ("http://127.0.0.1:9/killed-before-commit",)
    ]
    assert reindex_archive(settings) == []  # nothing read or indexed twice


def test_articles_archived_but_not_loaded_are_fetched_again(demo: dict[str, Any]) -> None:
    settings = _copy(demo, "unloaded")
    source = settings.select_sources()[0]
    run_id = pipeline.begin_run(settings, {"test": "killed before load"})
    found = pipeline.discover_source(settings, source)
    pipeline.archive_results(settings, source, found.results, run_id)
    planned = pipeline.plan_fetches(settings, source, found.article_urls)
    results = pipeline.fetch_pages(settings, planned)
    archived = pipeline.archive_results(settings, source, results, run_id)
    # killed here: the pages are archived and indexed, their records not loaded
    again = pipeline.plan_fetches(settings, source, found.article_urls)
    assert [r.url for r in again] == [r.url for r in planned] and len(planned) == 3

    pages = pipeline.article_pages(source, archived)
    loaded = pipeline.load_records(
        settings, source, pipeline.extract_pages(settings, source, pages), run_id, archived
    )
    assert loaded.articles == 2
    assert pipeline.plan_fetches(settings, source, found.article_urls) == []


def test_the_check_reports_damage_and_a_missing_file(demo: dict[str, Any]) -> None:
    settings = _copy(demo, "damaged")
    crawl(settings)
    warcs = sorted(Path(settings.archive).glob("*.warc.gz"))
    ok = verify_archive(settings)
    assert ok.ok and ok.files == len(warcs) and ok.indexed and ok.indexed > 0
    assert "result: **ok**" in ok.markdown()

    biggest = max(warcs, key=lambda p: p.stat().st_size)
    saved = biggest.read_bytes()
    damaged = bytearray(saved)
    damaged[len(damaged) // 2] ^= 0xFF
    biggest.write_bytes(bytes(damaged))
    check = verify_archive(settings)
    assert not check.ok and all(biggest.name in p for p in check.problems)
    assert f"**{len(check.problems)} problems**" in check.markdown()

    biggest.write_bytes(saved)
    assert verify_archive(settings).ok
    moved = settings.archive.parent / biggest.name
    shutil.move(biggest, moved)
    missing = verify_archive(settings)
    assert any(f"file {biggest.name} missing" in p for p in missing.problems)
    shutil.move(moved, biggest)


def test_no_warehouse_and_no_archive_is_nothing_to_report(tmp_path: Path) -> None:
    settings = load_settings(None, storage={"database": tmp_path / "none.duckdb", "archive": tmp_path / "a"})
    check = verify_archive(settings)
    assert check.ok and check.indexed is None and check.records == 0
    assert "not compared" in check.markdown()
