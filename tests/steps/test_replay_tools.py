"""The archive in the tools a web archivist uses: pywb replays every article of a local crawl
from the project's own CDXJ index and WARC files, and ``archive export-wacz`` passes
``wacz validate``.

The demo sites (plus a windows-1258 page) are crawled twice, so the second night's listings
answer 304 and are archived as ``server-not-modified`` revisits. pywb 2.10 and py-wacz run
from a throwaway venv (``tests.helpers.tools``); pywb serves a collection made of our files
alone (``wb-manager init``, then our WARCs and our ``index.cdxj`` copied in: nothing of
pywb's own indexing), on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.cli.app import main
from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoArticle, DemoSite
from tests.helpers.chaos import encode_cp1258
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import article_html, write_site_tree
from tests.helpers.tools import WEBARCHIVE, tool_venv
from warehouse.archive_queries import all_captures, article_captures
from warehouse.db import session
from warehouse.queries import run_sql
from warehouse.warc.reader import read_response

pytestmark = pytest.mark.slow

_VN = timezone(timedelta(hours=7))
_CP1258_PATH = "/hien-mau-cp1258-post9201.antd"


def _cp1258_page() -> bytes:
    url = f"https://anninhthudo.vn{_CP1258_PATH}"
    body = (
        "Sáng 14/3, Công an quận Hoàn Kiếm tổ chức ngày hội hiến máu tình nguyện. "
        "Kết thúc chương trình, ban tổ chức đã tiếp nhận 388 đơn vị máu."
    )
    html = article_html("Công an quận tiếp nhận 388 đơn vị máu", url, "2025-03-14T09:00:00+07:00", body)
    return encode_cp1258(html.replace('<meta charset="utf-8">', ""))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("replay")
    tree = write_site_tree(tmp / "fixtures", per_site=3)
    extra = [
        DemoArticle(
            _CP1258_PATH, "Hiến máu", datetime(2025, 3, 14, 9, tzinfo=_VN), _cp1258_page(),
            content_type="text/html; charset=windows-1258",
        )
    ]  # fmt: skip
    with DemoSite(tree, extra={"anninhthudo.vn": extra}) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        crawl_all(settings)
        crawl_all(settings)  # the next night: listings and feeds answer 304
    yield {"settings": settings, "config": conf, "tmp": tmp}


@pytest.fixture(scope="module")
def tools() -> Path:
    return tool_venv("webarchive", WEBARCHIVE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pywb(crawled: dict[str, Any], tools: Path) -> Iterator[str]:
    """pywb serving collection ``ours``: our WARC files and our CDXJ, nothing else."""
    settings: Settings = crawled["settings"]
    root = crawled["tmp"] / "pywb"
    root.mkdir()
    subprocess.run([str(tools / "wb-manager"), "init", "ours"], cwd=root, check=True, capture_output=True)
    coll = root / "collections" / "ours"
    for warc in Path(settings.archive).glob("*.warc.gz"):
        shutil.copy2(warc, coll / "archive" / warc.name)
    with pytest.raises(SystemExit) as done:
        main(
            [
                "archive",
                "export-cdxj",
                "-c",
                str(crawled["config"]),
                "-o",
                str(coll / "indexes" / "index.cdxj"),
            ]
        )
    assert done.value.code == 0
    port = _free_port()
    proc = subprocess.Popen(
        [str(tools / "wayback"), "--bind", "127.0.0.1", "-p", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"pywb did not start: {proc.stderr.read() if proc.stderr else b''}"
                    ) from None
                time.sleep(0.3)
        yield base + "/ours"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _stamp(fetched_at: str) -> str:
    return "".join(ch for ch in fetched_at if ch.isdigit())[:14]


def test_pywb_replays_every_archived_article_from_our_index(crawled: dict[str, Any], pywb: str) -> None:
    settings: Settings = crawled["settings"]
    with session(settings.database, read_only=True) as con:
        articles = [cap for cap, _ in article_captures(con)]
    assert len(articles) >= 2 * 4 + 1
    assert any(c.url.endswith(_CP1258_PATH) for c in articles)
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        for cap in articles:
            archived = read_response(settings.archive, cap)
            got = client.get(f"{pywb}/{_stamp(cap.fetched_at)}id_/{cap.url}")
            assert got.status_code == 200, (cap.url, got.status_code, got.text[:200])
            assert got.content == archived.body, cap.url  # byte for byte, windows-1258 included
            assert got.headers.get("memento-datetime"), cap.url  # served from the archive


def test_pywb_replays_a_listing_whose_latest_capture_is_a_304(crawled: dict[str, Any], pywb: str) -> None:
    settings: Settings = crawled["settings"]
    with session(settings.database, read_only=True) as con:
        caps = all_captures(con)
    not_modified = [c for c in caps if c.status == 304]
    assert not_modified and all(c.record_type == "revisit" for c in not_modified)
    rev = max(not_modified, key=lambda c: c.fetched_at)
    original = next(c for c in caps if c.capture_id == rev.refers_to)
    expected = read_response(settings.archive, original).body
    assert expected
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        got = client.get(f"{pywb}/{_stamp(rev.fetched_at)}id_/{rev.url}")
    assert got.status_code == 200 and got.content == expected  # the page it confirms, not an empty 304


def test_export_wacz_passes_wacz_validate_and_lists_the_articles(
    crawled: dict[str, Any], tools: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings: Settings = crawled["settings"]
    out = crawled["tmp"] / "archive.wacz"
    with pytest.raises(SystemExit) as done:
        main(["archive", "export-wacz", "-c", str(crawled["config"]), "-o", str(out)])
    assert done.value.code == 0, capsys.readouterr().err
    check = subprocess.run(
        [str(tools / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0 and "passed WACZ is valid" in check.stdout, check.stdout + check.stderr
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        pages = [json.loads(ln) for ln in zf.read("pages/pages.jsonl").decode().splitlines()]
        assert all(
            zf.getinfo(n).compress_type == zipfile.ZIP_STORED for n in names if n.startswith("archive/")
        )
    assert {f"archive/{p.name}" for p in Path(settings.archive).glob("*.warc.gz")} <= names
    assert "indexes/index.cdx.gz" in names
    with session(settings.database, read_only=True) as con:  # the stored (on-topic) articles
        sql = "SELECT DISTINCT c.url FROM articles a JOIN captures c USING (capture_id)"
        article_urls = {r[0] for r in run_sql(con, sql)[1]}
    assert len(article_urls) == 2 * 3 + 1
    assert pages[0]["format"] == "json-pages-1.0"
    listed = {p["url"]: p for p in pages[1:]}
    assert set(listed) == article_urls
    assert all(p["title"] and p["ts"].endswith("Z") for p in listed.values())

    # --site keeps the files of one site; a bad --output is one line, exit 2
    one = crawled["tmp"] / "cand.wacz"
    with pytest.raises(SystemExit) as done:
        main(["archive", "export-wacz", "-c", str(crawled["config"]), "-o", str(one), "--site", "127.0.0.1"])
    assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        main(["archive", "export-wacz", "-c", str(crawled["config"]), "-o", str(crawled["tmp"] / "x.zip")])
    assert done.value.code == 2 and capsys.readouterr().err.startswith("error: --output must name a .wacz")


def test_wb_manager_opens_the_wacz_at_its_articles(crawled: dict[str, Any], tools: Path) -> None:
    out = crawled["tmp"] / "archive.wacz"
    if not out.exists():
        with pytest.raises(SystemExit):
            main(["archive", "export-wacz", "-c", str(crawled["config"]), "-o", str(out)])
    root = crawled["tmp"] / "unpacked"
    root.mkdir()
    subprocess.run([str(tools / "wb-manager"), "init", "pkg"], cwd=root, check=True, capture_output=True)
    added = subprocess.run(
        [str(tools / "wb-manager"), "add", "pkg", str(out), "--unpack-wacz"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    coll = root / "collections" / "pkg"
    assert list((coll / "archive").glob("*.warc.gz"))
    index = "".join(p.read_text() for p in (coll / "indexes").glob("*.cdxj"))
    assert _CP1258_PATH in index
