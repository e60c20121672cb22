"""``campaigns import``: archives written by independent tools give what a crawl gives.

The demo sites are crawled three ways: by ``campaigns crawl`` (the plain recipe), by Debian's
``wget --recursive --warc-file`` and by a small crawler writing with warcio's own
``WARCWriter``; importing the two foreign WARCs into fresh warehouses gives the same campaigns
and figures as the crawl. A WACZ of the crawl (``archive export-wacz``) round-trips. A WARC
with damage of every kind is imported with each record counted by reason.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.cli.app import main
from flows.config import Settings, load_settings
from flows.crawler.listings import links_from_listing
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps.importing import import_archives
from flows.steps.reextract import reextract
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import article_html, write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql
from warehouse.warc.reader import verify

_FIGURES = (
    "SELECT a.article_key, a.campaign_key, a.campaign_year, f.kind, f.role, f.value, f.quote"
    " FROM latest_articles a JOIN figures f USING (article_id) ORDER BY ALL"
)
_CAMPAIGNS = "SELECT key, organizer, years, articles, figures FROM campaigns ORDER BY ALL"


def _rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with session(settings.database, read_only=True) as con:
        return [tuple(r) for r in run_sql(con, sql)[1]]


def _settings(site: DemoSite, data: Path) -> tuple[Settings, Path]:
    conf = data.with_suffix(".toml")
    conf.write_text(to_toml(demo_config(site, data)), encoding="utf-8")
    return load_settings(conf), conf


def _warcio_crawl(settings: Settings, out: Path) -> None:
    """Fetch every listing page and article of the demo sites with urllib; write each response
    with warcio's WARCWriter (one gzip member each)."""
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for source in settings.sources:
            todo, seen = list(source.start_urls), set()
            listings = set(source.start_urls)
            while todo:
                url = todo.pop(0)
                if url in seen:
                    continue
                seen.add(url)
                try:
                    resp = urllib.request.urlopen(url, timeout=10)
                except urllib.error.HTTPError as exc:  # a 404 is archived as it came
                    resp = exc
                with resp:
                    body, status, final = resp.read(), resp.status, resp.geturl()
                    line = f"{status} {resp.reason}"
                    headers = StatusAndHeaders(line, resp.getheaders(), protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    final, "response", payload=io.BytesIO(body), http_headers=headers
                )
                writer.write_record(record)
                if (
                    status == 200 and url in listings
                ):  # its article links and next page, as a crawler sees them
                    links, nxt = links_from_listing(body.decode("utf-8", "replace"), final, source)
                    todo += links
                    if nxt:
                        listings.add(nxt)
                        todo.append(nxt)


@pytest.fixture(scope="module")
def three_ways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if shutil.which("wget") is None:
        pytest.fail("wget is not installed: `make test` installs it (apt-get install wget)")
    tmp = tmp_path_factory.mktemp("import")
    tree = write_site_tree(tmp / "fixtures", per_site=5)
    with DemoSite(tree) as site:
        crawled, crawled_conf = _settings(site, tmp / "crawl")
        crawl_all(crawled)
        by_wget, wget_conf = _settings(site, tmp / "wget")
        starts = [u for s in by_wget.sources for u in s.start_urls]
        wget = subprocess.run(
            ["wget", "--recursive", "--level=4", "--no-verbose", "--tries=1", "--timeout=10",
             f"--warc-file={tmp / 'wget-crawl'}", f"--directory-prefix={tmp / 'wget-files'}", *starts],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (tmp / "wget-crawl.warc.gz").is_file(), wget.stderr[-2000:]
        by_warcio, warcio_conf = _settings(site, tmp / "warcio")
        _warcio_crawl(by_warcio, tmp / "warcio-crawl.warc.gz")
    yield {
        "tmp": tmp,
        "crawl": (crawled, crawled_conf),
        "wget": (by_wget, wget_conf),
        "warcio": (by_warcio, warcio_conf),
    }


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["wget", "warcio"])
def test_foreign_warcs_give_the_campaigns_and_figures_of_the_crawl(
    three_ways: dict[str, Any], writer: str
) -> None:
    crawled, _ = three_ways["crawl"]
    settings, conf = three_ways[writer]
    summary = import_archives(settings, [three_ways["tmp"] / f"{writer}-crawl.warc.gz"])
    assert [f.status for f in summary.files] == ["imported"]
    assert summary.reasons["article"] == 10 and summary.reasons["off-topic"] == 2, summary.reasons
    assert _rows(settings, _CAMPAIGNS) == _rows(crawled, _CAMPAIGNS)
    figures = _rows(settings, _FIGURES)
    assert figures and figures == _rows(crawled, _FIGURES)
    # the imported file is part of the archive: verified, indexed, re-extracted, marked as imported
    assert verify(settings.archive, None).ok
    with pytest.raises(SystemExit) as done:
        main(["archive", "verify", "-c", str(conf)])
    assert done.value.code == 0
    report = reextract(settings)
    assert report.failed == 0 and not report.errors
    origins = _rows(settings, "SELECT origin, count(*) FROM capture_origins GROUP BY origin")
    assert [o for o, _ in origins] == ["import"]
    files = _rows(settings, "SELECT source_file, warc_file FROM imported_files")
    assert files == [(str(three_ways["tmp"] / f"{writer}-crawl.warc.gz"), summary.files[0].warc_file)]

    # idempotent: the same file again adds nothing; into the crawled warehouse, nothing new either
    before = _rows(settings, "SELECT count(*) FROM captures UNION ALL SELECT count(*) FROM articles")
    again = import_archives(settings, [three_ways["tmp"] / f"{writer}-crawl.warc.gz"])
    assert [f.status for f in again.files] == ["already imported"] and again.loaded == 0
    assert _rows(settings, "SELECT count(*) FROM captures UNION ALL SELECT count(*) FROM articles") == before


@pytest.mark.slow
def test_a_page_the_crawl_stored_is_not_added_again(three_ways: dict[str, Any], tmp_path: Path) -> None:
    crawled, _ = three_ways["crawl"]
    copy = tmp_path / "copy"
    shutil.copytree(crawled.database.parent, copy)
    settings = crawled.model_copy(
        update={"storage": crawled.storage.model_copy(update={"database": copy / crawled.database.name,
                                                              "archive": copy / "archive"})}
    )  # fmt: skip
    articles = _rows(settings, "SELECT count(*) FROM articles")
    summary = import_archives(settings, [three_ways["tmp"] / "warcio-crawl.warc.gz"])
    assert summary.loaded == 0 and summary.reasons["already stored"] == 10, summary.reasons
    assert _rows(settings, "SELECT count(*) FROM articles") == articles


@pytest.mark.slow
def test_a_wacz_of_the_crawl_round_trips(three_ways: dict[str, Any], tmp_path: Path) -> None:
    crawled, crawled_conf = three_ways["crawl"]
    wacz = tmp_path / "crawl.wacz"
    with pytest.raises(SystemExit) as done:
        main(["archive", "export-wacz", "-c", str(crawled_conf), "-o", str(wacz)])
    assert done.value.code == 0
    fresh = crawled.model_copy(
        update={"storage": crawled.storage.model_copy(update={"database": tmp_path / "w.duckdb",
                                                              "archive": tmp_path / "archive"})}
    )  # fmt: skip
    summary = import_archives(fresh, [wacz])
    assert summary.files and all(f.status == "imported" for f in summary.files)
    assert _rows(fresh, _CAMPAIGNS) == _rows(crawled, _CAMPAIGNS)
    assert _rows(fresh, _FIGURES) == _rows(crawled, _FIGURES)


# -- damage of every kind ---------------------------------------------------------------------

_URL = "https://anninhthudo.vn/hien-mau-{n}-post{n}.antd"
_BODY = "Sáng 10/6/2024, Công an thành phố Hà Nội tổ chức ngày hội hiến máu. Kết thúc, đã tiếp nhận {n} đơn vị máu."


def _page(n: int) -> bytes:
    return article_html(
        f"Hiến máu {n}", _URL.format(n=n), "2024-06-10T08:00:00+07:00", _BODY.format(n=n)
    ).encode()


def _member(writer_fn: Any) -> bytes:
    buf = io.BytesIO()
    writer_fn(WARCWriter(buf, gzip=True))
    return buf.getvalue()


def _response(n: int, *, status: str = "200 OK", ctype: str = "text/html; charset=utf-8",
              body: bytes | None = None, extra: dict[str, str] | None = None) -> bytes:  # fmt: skip
    def write(w: WARCWriter) -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        data = _page(n) if body is None else body
        w.write_record(
            w.create_warc_record(_URL.format(n=n), "response", payload=io.BytesIO(data), http_headers=http,
                                 warc_headers_dict=extra or {})
        )  # fmt: skip

    return _member(write)


def _revisit(n: int) -> bytes:
    def write(w: WARCWriter) -> None:
        w.write_record(
            w.create_revisit_record(_URL.format(n=n), "sha1:" + "A" * 32, _URL.format(n=n), "2024-01-01T00:00:00Z",
                                    warc_headers_dict={"WARC-Refers-To": "<urn:uuid:00000000-0000-0000-0000-000000000000>"})
        )  # fmt: skip

    return _member(write)


def test_a_damaged_warc_is_imported_with_every_record_counted_by_reason(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(
        f'[storage]\ndatabase = "{tmp_path / "w.duckdb"}"\narchive = "{tmp_path / "archive"}"\n'
        '[[sources]]\nname = "anninhthudo.vn"\nstart_urls = ["https://anninhthudo.vn/xa-hoi/"]\n'
        "article_pattern = '-post\\d+\\.antd$'\nkeywords = [\"hiến máu\"]\n",
        encoding="utf-8",
    )
    settings = load_settings(conf)
    torn = _response(7)
    data = b"".join(
        [
            _response(1),  # an article
            _response(2, ctype="image/png", body=b"\x89PNG..."),  # not HTML
            _response(3, status="404 Not Found", body=b"<h1>404</h1>"),
            _response(4, extra={"WARC-Truncated": "length"}),
            _revisit(5),  # its original is nowhere
            gzip.compress(b"garbage, not a WARC record\r\n\r\n" * 20),  # a gzip member of garbage
            _response(6),  # an article after the damage: not lost
            torn[: len(torn) // 2],  # a torn last record
        ]
    )
    (tmp_path / "damaged.warc.gz").write_bytes(data)
    summary = import_archives(settings, [tmp_path / "damaged.warc.gz"])
    assert summary.reasons == {
        "article": 2,
        "not HTML": 1,
        "http 404": 1,
        "truncated": 1,
        "revisit without its original": 1,
        "damaged (not a WARC record)": 1,
        "damaged (torn gzip member)": 1,
    }
    assert summary.figures >= 2
    urls = {r[0] for r in _rows(settings, "SELECT url FROM articles")}
    assert urls == {_URL.format(n=1), _URL.format(n=6)}
    # imported again (under another name): the same bytes, nothing added
    shutil.copy(tmp_path / "damaged.warc.gz", tmp_path / "renamed.warc.gz")
    again = import_archives(settings, [tmp_path / "renamed.warc.gz"])
    assert [f.status for f in again.files] == ["already imported"] and again.reasons == {}


def test_import_cli_reasons_as_json_and_a_missing_path_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(
        f'[storage]\ndatabase = "{tmp_path / "w.duckdb"}"\narchive = "{tmp_path / "archive"}"\n'
        '[[sources]]\nname = "anninhthudo.vn"\nstart_urls = ["https://anninhthudo.vn/xa-hoi/"]\n'
        "article_pattern = '-post\\d+\\.antd$'\n",
        encoding="utf-8",
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.warc.gz").write_bytes(
        _response(1) + _response(2, ctype="application/pdf", body=b"%PDF")
    )
    with pytest.raises(SystemExit) as done:
        main(["import", str(tmp_path / "in"), "-c", str(conf), "--format", "json"])
    assert done.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["records_by_reason"] == {"article": 1, "not HTML": 1} and out["articles"] == 1
    assert out["files"][0]["status"] == "imported"
    with pytest.raises(SystemExit) as done:  # for people: the table, then where to look next
        main(["import", str(tmp_path / "in"), "-c", str(conf)])
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == f"Next: campaigns campaigns --config {conf}"
    with pytest.raises(SystemExit) as done:
        main(["import", str(tmp_path / "nope.warc"), "-c", str(conf)])
    err = capsys.readouterr().err
    assert done.value.code == 1 and err.startswith("error: no such file or folder") and "Traceback" not in err
