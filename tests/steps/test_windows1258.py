"""Windows-1258 pages end to end: one decoder from the fetch to the archive audit.

A Vietnamese page in windows-1258 whose charset is only in the HTTP header, and one
whose charset is nowhere, served over real sockets, crawled into WARC and DuckDB,
re-extracted from the archive and audited against it: their figures survive every hop,
and ``campaigns extract`` reads the saved file the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from flows.cli.app import main
from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoArticle, DemoSite
from flows.steps.audit_archive import audit_archive
from flows.steps.reextract import reextract
from tests.helpers.chaos import encode_cp1258
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import article_html, write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql

_VN = timezone(timedelta(hours=7))
_PAGES = {  # path -> (Content-Type served, units received)
    "/hien-mau-charset-header-post9101.antd": ("text/html; charset=windows-1258", 417),
    "/hien-mau-khong-charset-post9102.antd": ("text/html", 523),
}


def _cp1258_page(path: str, units: int) -> bytes:
    url = f"https://anninhthudo.vn{path}"
    title = f"Công an quận tiếp nhận {units} đơn vị máu trong ngày hội hiến máu"
    body = (
        "Sáng 14/3, Công an quận Hoàn Kiếm phối hợp Viện Huyết học - Truyền máu Trung ương tổ chức "
        f"ngày hội hiến máu tình nguyện. Kết thúc chương trình, ban tổ chức đã tiếp nhận {units} đơn vị máu."
    )
    html = article_html(title, url, "2025-03-14T09:00:00+07:00", body)
    html = html.replace('<meta charset="utf-8">', "")  # no charset in the page itself
    data = encode_cp1258(html)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really single-byte Vietnamese, not UTF-8
    return data


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("cp1258")
    tree = write_site_tree(tmp / "fixtures", per_site=2)
    extra = [
        DemoArticle(
            path, "Hiến máu", datetime(2025, 3, 14, 9, tzinfo=_VN), _cp1258_page(path, units), content_type=ct
        )
        for path, (ct, units) in _PAGES.items()
    ]
    with DemoSite(tree, extra={"anninhthudo.vn": extra}) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        summary = crawl_all(settings)
        yield {"settings": settings, "summary": summary, "config": conf, "tmp": tmp}


def _figures(settings: Settings, path: str) -> list[tuple[Any, ...]]:
    with session(settings.database, read_only=True) as con:
        return run_sql(
            con,
            "SELECT a.title, f.value, f.kind, f.role, a.extractor_version FROM articles a "
            f"JOIN figures f USING (article_id) WHERE a.url LIKE '%{path}' ORDER BY a.extractor_version, f.value",
        )[1]


def test_the_crawl_stores_the_figures_of_both_pages(crawled: dict[str, Any]) -> None:
    settings = crawled["settings"]
    assert crawled["summary"]["totals"]["extraction_errors"] == 0
    for path, (_ct, units) in _PAGES.items():
        rows = _figures(settings, path)
        assert (units, "blood_units", "achieved") in [r[1:4] for r in rows], (path, rows)
        assert rows[0][0].startswith("Công an quận tiếp nhận"), rows[0][0]  # the title decoded, not mojibake


def test_reextraction_reads_them_back_the_same(crawled: dict[str, Any]) -> None:
    settings = crawled["settings"]
    before = {path: _figures(settings, path) for path in _PAGES}
    report = reextract(settings)
    assert report.failed == 0 and not report.errors
    site = next(s for s in report.sites if s.site == "anninhthudo.vn")
    assert site.added == site.removed == site.changed == 0
    for path, rows in before.items():
        assert _figures(settings, path) == rows


def test_the_archive_audit_finds_no_drift(crawled: dict[str, Any]) -> None:
    rows = {r.site: r for r in audit_archive(crawled["settings"], sample=None)}
    row = rows["anninhthudo.vn"]
    assert row.failed == 0 and row.vanished == 0 and row.changed == 0 and row.warning is None
    assert row.pages >= len(_PAGES)


def test_campaigns_extract_reads_the_saved_page_without_any_charset(
    crawled: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path, (_ct, units) = next((p, v) for p, v in _PAGES.items() if v[0] == "text/html")
    saved: Path = crawled["tmp"] / "saved.html"
    saved.write_bytes(_cp1258_page(path, units))
    with pytest.raises(SystemExit) as exit_:
        main(["extract", str(saved)])
    assert exit_.value.code == 0
    record = json.loads(capsys.readouterr().out)
    assert record["title"].startswith("Công an quận tiếp nhận")
    assert [(f["value"], f["kind"]) for f in record["figures"]] == [(units, "blood_units")]
