"""Re-extraction from the archive with the network made unreachable: a new version and a diff."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path

import pytest

from extractors.record import ArticleRecord
from flows.config import Settings, Source, StorageSettings
from flows.steps.reextract import reextract
from flows.steps.reextract_report import diff_figures
from tests.helpers.archive import exchange
from warehouse.archive_queries import PreviousFigure
from warehouse.types import Capture, FetchRow
from warehouse.warc.writer import WarcArchive

_ARTICLE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Công an Hà Nội hiến {n} đơn vị máu</title>
<meta property="article:published_time" content="2026-11-25T08:00:00+07:00"></head>
<body><article><h1>Công an Hà Nội hiến {n} đơn vị máu</h1>
<p>Ngày 25/11, Công an thành phố Hà Nội tổ chức Ngày hội hiến máu tình nguyện lần thứ {k}.</p>
<p>Chương trình thu về hơn {n} đơn vị máu, vượt chỉ tiêu 2.000 đơn vị đề ra.</p>
<p>Có 2.500 cán bộ, chiến sĩ đăng ký tham gia hiến máu tại 12 điểm hiến máu.</p>
</article></body></html>"""


def _page(n: str, k: int) -> bytes:
    return _ARTICLE.format(n=n, k=k).encode()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every outgoing connection fails (and is recorded): re-extraction must not need one."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def _old(rec: ArticleRecord) -> ArticleRecord:
    """The record as an older extractor had it: first figure missing, second read differently, one extra."""
    from extractors.record import Figure

    figs = list(rec.figures)
    changed = dataclasses.replace(figs[1], value=figs[1].value + 1)
    word = rec.text.split()[0]
    start = rec.text.index(word)
    extra = Figure(1, None, None, "other", "other", None, word, start, start + len(word))
    return dataclasses.replace(rec, figures=(changed, *figs[2:], extra), extractor_version="0.0.1")


def test_reextract_offline_new_version_and_diff(tmp_path: Path, no_network: list[object]) -> None:
    from extractors.extract import extract_article
    from extractors.record import EXTRACTOR_VERSION
    from warehouse.db import connect, session
    from warehouse.load import load_articles, load_captures, load_fetches
    from warehouse.run_history import start_run

    settings = Settings(storage=StorageSettings(database=tmp_path / "wh.duckdb", archive=tmp_path / "warc"))
    pages = {
        "http://www.example.vn/tin/a.html": _page("2.300", 10),
        "http://www.example.vn/tin/b.html": _page("1.800", 9),
        "http://other.vn/bai/c.html": _page("950", 3),
        "http://other.vn/bai/broken.html": _page("10", 1),
    }
    with WarcArchive(settings.archive) as arc:
        caps = {u: arc.write(exchange(url=u, body=b, encoding="gzip")) for u, b in pages.items()}
    current = {u: extract_article(pages[u], u) for u in list(pages)[:3]}
    for u in list(pages)[:2]:
        assert len(current[u].figures) >= 2, current[u].figures  # the extractor reads these pages
    broken = caps["http://other.vn/bai/broken.html"]
    caps["http://other.vn/bai/broken.html"] = dataclasses.replace(broken, offset=broken.offset + 1)

    with session(settings.database) as con:
        load_captures(con, list(caps.values()))
        run = start_run(con, "crawl", "0.0.1", {})
        load_articles(con, [(_old(current[u]), caps[u].capture_id) for u in list(pages)[:2]], run_id=run)
        load_fetches(
            con,
            [
                FetchRow(url=u, final_url=u, status=200, error=None, outcome="fetched", kind="article",
                         source="other", bytes=1, fetched_at=caps[u].fetched_at, capture_id=caps[u].capture_id)
                for u in list(pages)[2:]
            ],
        )  # fmt: skip

    report = reextract(settings)
    assert no_network == []
    assert report.captures == 4 and report.extractor_version == EXTRACTOR_VERSION
    by_site = {s.site: s for s in report.sites}
    site_a, site_b = (
        current["http://www.example.vn/tin/a.html"].site,
        current["http://other.vn/bai/c.html"].site,
    )
    a, b = by_site[site_a], by_site[site_b]
    assert (a.articles, a.new_articles, a.added, a.removed, a.changed) == (2, 0, 2, 2, 2)
    assert a.previous_versions == ("0.0.1",)
    assert a.figures_after == sum(len(current[u].figures) for u in list(pages)[:2])
    assert (b.articles, b.new_articles, b.failed) == (1, 1, 1)
    assert b.added == len(current["http://other.vn/bai/c.html"].figures) and b.removed == b.changed == 0
    assert len(report.errors) == 1 and "broken.html" in report.errors[0]
    text = report.render()
    assert site_a in text and "total" in text and "0.0.1" in text and "failed: http://other.vn" in text

    con = connect(settings.database, read_only=True)
    try:
        versions = con.execute(
            "SELECT extractor_version, count(*) FROM articles GROUP BY 1 ORDER BY 1"
        ).fetchall()
        finished = con.execute(
            "SELECT finished_at IS NOT NULL, summary->>'$.failed' FROM extraction_runs WHERE run_id = ?",
            [report.run_id],
        ).fetchall()
    finally:
        con.close()
    assert versions == sorted([("0.0.1", 2), (EXTRACTOR_VERSION, 3)])
    assert finished == [(True, "1")]

    assert reextract(settings, site="other.vn").captures == 2
    assert reextract(settings, site="example.vn").captures == 2
    assert reextract(settings, since="2030-01-01").captures == 0
    # a source's keywords filter pages as in the crawl; --site may name the source
    picky = Settings(storage=settings.storage, sources=(Source(name="other", keywords=("từ không có",)),))
    skipped = reextract(picky, site="other")
    assert skipped.captures == 2 and [(s.site, s.skipped, s.articles) for s in skipped.sites] == [
        (site_b, 1, 0)
    ]
    assert no_network == []
    print(text)


def test_diff_figures_matches_by_quote_and_start() -> None:
    from extractors.record import Figure

    def new(v: float, quote: str, start: int, kind: str = "blood_units") -> Figure:
        return Figure(v, None, None, kind, "achieved", None, quote, start, start + len(quote))  # type: ignore[arg-type]

    def old(v: float, quote: str, start: int, kind: str = "blood_units") -> PreviousFigure:
        return PreviousFigure(quote, start, float(v), None, None, kind, "achieved")

    before = [old(2300, "2.300", 10), old(12, "12", 40), old(5, "5", 60), old(5, "5", 60)]
    after = [new(2300, "2.300", 10), new(12, "12", 40, "sites"), new(5, "5", 60), new(7, "7", 80)]
    assert diff_figures(before, after) == (1, 1, 1)  # 7 added, one 5 removed, 12 changed kind
    assert diff_figures([], after) == (4, 0, 0) and diff_figures(before, []) == (0, 4, 0)


def test_capture_fields_roundtrip_through_the_index(tmp_path: Path) -> None:
    from warehouse.archive_queries import all_captures, captures_for_url
    from warehouse.db import session
    from warehouse.load import load_captures
    from warehouse.warc.reader import verify

    with WarcArchive(tmp_path / "warc") as arc:
        caps = [
            arc.write(
                exchange(
                    url=f"http://a.vn/{i % 2}", body=b"x" * (i + 1), fetched_at=f"2026-11-2{i}T10:00:00Z"
                )
            )
            for i in range(4)
        ]
        caps.append(
            arc.write(exchange(url="http://a.vn/1", body=b"x" * 4, fetched_at="2026-11-29T00:00:00Z"))
        )
    with session(tmp_path / "wh.duckdb") as con:
        load_captures(con, caps)
        back = all_captures(con)
        assert [c.capture_id for c in captures_for_url(con, "http://a.vn/1")] == [
            c.capture_id for c in caps if c.url == "http://a.vn/1"
        ]
    assert caps[-1].record_type == "revisit"
    assert {dataclasses.astuple(c) for c in back} == {dataclasses.astuple(c) for c in caps}
    assert isinstance(back[0], Capture) and verify(tmp_path / "warc", back).ok
