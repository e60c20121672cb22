"""``campaigns sources check``: a start URL or a configured source, rows for people and programs,
one-line errors, nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.demo.run import to_toml
from tests.helpers.newsite import (
    ARTICLE_PATTERN,
    NOT_STORED,
    SECTION,
    STORIES,
    RemoteSite,
)


@pytest.fixture(scope="module")
def site() -> Iterator[RemoteSite]:
    with RemoteSite() as served:
        yield served


@pytest.fixture
def conf(tmp_path: Path, site: RemoteSite) -> Path:
    path = tmp_path / "campaigns.toml"
    config = {
        "storage": {"database": str(tmp_path / "data" / "w.duckdb"), "archive": str(tmp_path / "data" / "a")},
        "crawl": {"delay_seconds": 0.0, "allow_hosts": ["127.0.0.1"], "listing_depth": 10},
        "sources": [
            {"name": "moi.example", "start_urls": [site.url(SECTION)], "article_pattern": ARTICLE_PATTERN}
        ],
    }
    path.write_text(to_toml(config), encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def test_a_start_url_and_a_pattern_to_try(
    site: RemoteSite, conf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "sources",
        "check",
        site.url(SECTION),
        "--pattern",
        ARTICLE_PATTERN,
        "-c",
        str(conf),
        "-f",
        "json",
    ]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert list(rows[0]) == ["source", "what", "url", "via", "status", "links", "new", "note"]
    articles = {r["url"].split("/", 3)[3] for r in rows if r["what"] == "article"}
    assert articles == {p.lstrip("/") for p in (*STORIES, *NOT_STORED)}
    assert next(r["via"] for r in rows if r["what"] == "sitemap") == "robots.txt"
    draft = next(r for r in rows if r["url"].endswith("/nhap-hien-mau-10.html"))
    assert draft["note"] == "disallowed by robots.txt"
    assert not (conf.parent / "data").exists()  # no warehouse, no archive, no state


def test_a_configured_source_as_a_table_with_its_unmatched_links(
    conf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["sources", "check", "--source", "moi.example", "-c", str(conf), "--unmatched"], capsys
    )
    assert code == 0, err
    assert "What discovery finds (nothing stored)" in out and "'Trang sau »'" in out
    assert "unmatched" in out and "/gioi-thieu" in out
    assert out.rstrip().splitlines()[-1] == (
        "moi.example: 12 article links (listings 9, feeds 1, sitemaps 2); "
        "pages read: listings 4, feeds 1, sitemaps 2; left out: 2 pattern mismatch, 1 too old"
    )


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["sources", "check", "ftp://x.vn/"], 2, "is not an http(s) URL"),
        (["sources", "check", "http://x.vn/", "--pattern", "(["], 2, "not a regular expression"),
        (["sources", "check", "--source", "nope"], 1, "unknown source nope"),
        (["sources", "check", "-f", "xml"], 2, "--format"),
    ],
)
def test_bad_arguments_are_one_line(
    argv: list[str], code: int, needle: str, conf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _out, err = _run([*argv, "-c", str(conf)], capsys)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err
