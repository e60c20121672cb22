"""The plain pipeline against the demo sites: real sockets, real WARC files, a real DuckDB file.

No Prefect here (see tests/orchestration for the flows): ``tests.helpers.pipeline`` runs
every step in this thread, in the order of each source's subflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoArticle, DemoSite, load_articles
from flows.steps import crawl as pipeline
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import article_html, write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql

_BROKEN = {
    # a server error on every try: retried by the fetcher, then deferred
    "anninhthudo.vn": "/loi-may-chu-post7001.antd",
    # forbidden by robots.txt: refused without a request
    "cand.com.vn": "/admin/ban-nhap-i7002/",
}


def _broken_pages(tree: Path) -> dict[str, list[DemoArticle]]:
    when = load_articles(tree / "cand.com.vn")[0].published
    garbage = "\x00\x01 không phải trang \ufffd".encode()
    return {
        "anninhthudo.vn": [
            DemoArticle(_BROKEN["anninhthudo.vn"], "Lỗi máy chủ", when, b"<h1>500</h1>", status=500),
            DemoArticle("/trang-rong-post7003.antd", "Trang rỗng", when, garbage),
        ],
        "cand.com.vn": [
            DemoArticle(
                _BROKEN["cand.com.vn"],
                "Bản nháp",
                when,
                article_html(
                    "Bản nháp hiến máu", "https://cand.com.vn/admin/ban-nhap-i7002/", "", "hiến máu"
                ).encode(),
            ),
            DemoArticle("/khong-con-i7004/", "Đã gỡ", when, b"<h1>404</h1>", status=404),
        ],
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One crawl of both demo sites (with broken pages) and a second crawl right after."""
    tmp = tmp_path_factory.mktemp("pipeline")
    tree = write_site_tree(tmp / "fixtures", per_site=6)
    with DemoSite(tree, extra=_broken_pages(tree)) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        first = _crawl(settings)
        counts_first = _counts(settings)
        hits_first = {name: site.hits(name) for name in site.ports}
        second = _crawl(settings)
        hits_second = {name: site.hits(name) for name in site.ports}
        yield {
            "settings": settings,
            "first": first,
            "second": second,
            "counts_first": counts_first,
            "counts_second": _counts(settings),
            "hits_first": hits_first,
            "hits_second": hits_second,
        }


def _crawl(settings: Settings) -> dict[str, Any]:
    return crawl_all(settings, batch_size=3)


def _sql(settings: Settings, query: str) -> list[tuple[Any, ...]]:
    with session(settings.database, read_only=True) as con:
        return run_sql(con, query)[1]


def _counts(settings: Settings) -> dict[str, int]:
    return {
        table: int(_sql(settings, f"SELECT count(*) FROM {table}")[0][0])
        for table in ("articles", "figures", "hospitals", "campaigns", "captures")
    }


def _by_source(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["source"]: s for s in summary["sources"]}


def test_every_relevant_article_is_loaded_and_the_unrelated_one_ignored(crawled: dict[str, Any]) -> None:
    first = _by_source(crawled["first"])
    for name in ("anninhthudo.vn", "cand.com.vn"):
        s = first[name]
        assert s["discovered"] == 9  # 6 campaign articles + 1 unrelated + 2 broken
        assert s["irrelevant"] == 1
        assert s["articles"] >= 6
    t = crawled["first"]["totals"]
    assert t["figures"] > 0 and t["articles"] >= 12
    titles = [r[0] for r in _sql(crawled["settings"], "SELECT title FROM articles")]
    assert not any("giao thông" in (t or "") for t in titles)
    years = {y for k, y in t["new_campaign_years"]}
    assert len(years) >= 3


def test_broken_pages_become_error_rows_and_the_crawl_goes_on(crawled: dict[str, Any]) -> None:
    first = _by_source(crawled["first"])
    assert first["anninhthudo.vn"]["deferred"] == 1
    assert first["cand.com.vn"]["failed"] == {"http 404": 1, "robots": 1}
    errors = dict(
        _sql(
            crawled["settings"], "SELECT url, error FROM fetches WHERE error IS NOT NULL AND kind = 'article'"
        )
    )
    by_path = {url.split(":", 2)[2].split("/", 1)[1]: err for url, err in errors.items()}
    assert any("robots" in e for p, e in by_path.items() if p.startswith("admin/"))
    assert any(p.startswith("loi-may-chu") for p in by_path)
    assert by_path["trang-rong-post7003.antd"].startswith("extract: ")  # fetched fine, extraction failed
    assert first["anninhthudo.vn"]["extraction_errors"] == 1
    assert crawled["hits_first"]["cand.com.vn"]["/admin/ban-nhap-i7002/"] == 0


def test_the_warc_archive_holds_every_exchange_and_matches_the_index(crawled: dict[str, Any]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    settings = crawled["settings"]
    warcs = sorted(Path(settings.archive).glob("*.warc.gz"))
    assert warcs
    kinds: dict[str, int] = {}
    uris: set[str] = set()
    for warc in warcs:
        with warc.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                kinds[rec.rec_type] = kinds.get(rec.rec_type, 0) + 1
                if rec.rec_type in ("response", "revisit"):
                    uris.add(rec.rec_headers.get_header("WARC-Target-URI"))
    assert kinds.get("request", 0) == kinds.get("response", 0) + kinds.get("revisit", 0)
    indexed = _sql(settings, "SELECT count(*), count(DISTINCT url) FROM captures")[0]
    assert indexed[0] == kinds.get("response", 0) + kinds.get("revisit", 0)
    assert any(u.endswith("/robots.txt") for u in uris)
    assert any(u.endswith("/rss/xa-hoi.rss") for u in uris)


def test_a_second_crawl_asks_conditionally_and_adds_no_rows(crawled: dict[str, Any]) -> None:
    assert crawled["counts_second"]["articles"] == crawled["counts_first"]["articles"]
    assert crawled["counts_second"]["figures"] == crawled["counts_first"]["figures"]
    assert crawled["counts_second"]["campaigns"] == crawled["counts_first"]["campaigns"]
    second = crawled["second"]["totals"]
    assert second["loaded"] == 0 and second["new_campaign_years"] == []
    for name, hits in crawled["hits_second"].items():
        before = crawled["hits_first"][name]
        fetched_again = {
            p
            for p, n in hits.items()
            if n > before.get(p, 0) and not p.startswith(("/xa-hoi", "/rss", "/robots"))
        }
        assert fetched_again <= {"/loi-may-chu-post7001.antd"}, (
            fetched_again
        )  # only the deferred page is retried


def test_settings_payload_round_trips_with_absolute_paths(crawled: dict[str, Any]) -> None:
    settings = crawled["settings"]
    payload = settings.to_payload()
    assert Path(payload["storage"]["database"]).is_absolute()
    back = Settings.from_payload(payload)
    assert back.sources == settings.sources and back.crawl == settings.crawl


def test_a_record_the_loader_refuses_becomes_an_error_row_and_the_others_load(
    crawled: dict[str, Any],
) -> None:
    from dataclasses import replace

    from flows.crawler.fetch import FetchResult
    from flows.steps.extract import Extracted
    from tests.helpers.archive import exchange

    settings: Settings = crawled["settings"]
    (source,) = settings.select_sources(["anninhthudo.vn"])
    results = []
    for n in (1, 2):
        url = f"https://anninhthudo.vn/hien-mau-{n}-post{8000 + n}.antd"
        body = f"Ngày hội hiến máu lần {n} đã tiếp nhận {300 + n} đơn vị máu."
        html = article_html(f"Hiến máu {n}", url, "2024-05-0{n}T08:00:00+07:00", body).encode()
        ex = exchange(url=url, body=html)
        ctype = "text/html; charset=utf-8"
        result = FetchResult(
            url, url, 200, None, "fetched", (ex,), html, ctype, None, None, ex.fetched_at, len(html)
        )
        results.append(result)
    run_id = pipeline.begin_run(settings, {"test": "load refusal"})
    archived = pipeline.archive_results(settings, source, results, run_id)
    extracted = pipeline.extract_pages(settings, source, pipeline.article_pages(source, archived))
    assert len(extracted.records) == 2 and all(rec.figures for _, rec in extracted.records)
    (good_page, good), (bad_page, bad) = extracted.records
    tampered = replace(bad, figures=(replace(bad.figures[0], quote="không khớp"), *bad.figures[1:]))
    loaded = pipeline.load_records(
        settings, source, Extracted(((good_page, good), (bad_page, tampered))), run_id, archived
    )
    assert loaded.articles == 1 and loaded.loaded == 1
    assert [(p.capture.url, m.startswith("load: ")) for p, m in loaded.errors] == [
        (bad_page.capture.url, True)
    ]
    rows = dict(_sql(settings, f"SELECT url, error FROM fetches WHERE run_id = '{run_id}'"))
    assert rows == {bad_page.capture.url: next(m for _, m in loaded.errors), good_page.capture.url: None}
    stored = {r[0] for r in _sql(settings, "SELECT url FROM articles WHERE url LIKE '%/hien-mau-%'")}
    assert stored == {good_page.capture.url}
