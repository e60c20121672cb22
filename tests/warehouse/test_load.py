"""Loads: idempotent by natural key, whole-or-nothing per batch, old extractor versions kept."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from errors import WarehouseError
from extractors.record import ArticleRecord
from tests.helpers.warehouse import PYTHON, capture, fetch_row, fig, record, subprocess_env
from warehouse import db
from warehouse.load import (
    article_id,
    find_capture_by_digest,
    load_articles,
    load_captures,
    load_fetches,
)
from warehouse.run_history import finish_run, start_run

_TABLES = ("articles", "figures", "hospitals", "campaigns", "captures", "fetches", "sources")

TEXT_1 = "Công an Hà Nội đã tiếp nhận 1.643 đơn vị máu tại 11 điểm hiến máu, Viện Huyết học và Truyền máu Trung ương."
TEXT_2 = "Chỉ tiêu năm nay là 2.300 đơn vị máu với 700 người đăng ký."


def _batch() -> list[tuple[ArticleRecord, str | None]]:
    a1 = record(
        "https://cand.com.vn/a-1.html",
        TEXT_1,
        [fig("1.643 đơn vị máu", 1643), fig("11 điểm", 11, kind="sites")],
        hospitals=["Viện Huyết học và Truyền máu Trung ương"],
    )
    a2 = record(
        "https://anninhthudo.vn/b-2.html",
        TEXT_2,
        [fig("2.300 đơn vị máu", 2300, role="target"), fig("700 người đăng ký", 700, kind="registrations")],
        canonical="https://anninhthudo.vn/b-2.html",
    )
    return [(a1, "<urn:uuid:1>"), (a2, None)]


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: db.fetch_all(con, f"SELECT count(*) FROM {t}")[0][0] for t in _TABLES}


def _snapshot(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    rows: list[tuple] = []
    for t in _TABLES:
        rows.extend(db.fetch_all(con, f"SELECT '{t}', * FROM {t} ORDER BY ALL"))
    return rows


def test_articles_round_trip_with_provenance(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        assert load_articles(con, _batch(), run_id="run-1") == 2
        rows = db.fetch_all(
            con,
            'SELECT quote, "start", "end", value, kind, role, capture_id FROM campaign_figures ORDER BY value',
        )
        assert rows == [
            ("11 điểm", TEXT_1.index("11 điểm"), TEXT_1.index("11 điểm") + 7, 11.0, "sites", "achieved",
             "<urn:uuid:1>"),
            ("700 người đăng ký", TEXT_2.index("700"), TEXT_2.index("700") + 17, 700.0, "registrations",
             "achieved", None),
            ("1.643 đơn vị máu", TEXT_1.index("1.643"), TEXT_1.index("1.643") + 16, 1643.0, "blood_units",
             "achieved", "<urn:uuid:1>"),
            ("2.300 đơn vị máu", TEXT_2.index("2.300"), TEXT_2.index("2.300") + 16, 2300.0, "blood_units",
             "target", None),
        ]  # fmt: skip
        for text, quote, start, end in db.fetch_all(
            con,
            'SELECT a.text, f.quote, f."start", f."end" FROM articles a JOIN figures f USING (article_id)',
        ):
            assert text[start:end] == quote
        hosp = db.fetch_all(con, 'SELECT name, "start" FROM hospitals')
        assert hosp == [("Viện Huyết học và Truyền máu Trung ương", TEXT_1.index("Viện"))]
        camp = db.fetch_all(con, "SELECT key, organizer, name, years, articles, figures FROM campaigns")
        assert camp == [("hanh-trinh-do", "Công an thành phố Hà Nội", "Hành trình Đỏ", [2022], 2, 4)]
        aid = article_id(_batch()[1][0])
        assert db.fetch_all(con, "SELECT article_key, run_id FROM articles WHERE article_id = ?", [aid]) == [
            ("https://anninhthudo.vn/b-2.html", "run-1")
        ]


def test_reloading_the_same_day_changes_nothing(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        load_fetches(con, [fetch_row("https://cand.com.vn/a-1.html"), fetch_row("https://cand.com.vn/")])
        load_captures(con, [capture("<urn:uuid:1>", "https://cand.com.vn/a-1.html")])
        load_articles(con, _batch(), run_id="run-1")
        before = _snapshot(con)
        counts = _counts(con)
        load_fetches(con, [fetch_row("https://cand.com.vn/a-1.html"), fetch_row("https://cand.com.vn/")])
        load_captures(con, [capture("<urn:uuid:1>", "https://cand.com.vn/a-1.html")])
        assert load_articles(con, _batch(), run_id="run-2") == 0
        assert _counts(con) == counts
        assert _snapshot(con) == before  # not even loaded_at or run_id moved
    assert counts["fetches"] == 2 and counts["sources"] == 1 and counts["captures"] == 1


def test_a_changed_article_replaces_its_children(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        load_articles(con, _batch(), run_id="run-1")
        a1 = _batch()[0][0]
        fewer = record(a1.url, TEXT_1, [fig("1.643 đơn vị máu", 1643)])
        assert load_articles(con, [(fewer, "<urn:uuid:9>")], run_id="run-2") == 1
        aid = article_id(a1)
        assert db.fetch_all(con, "SELECT count(*) FROM figures WHERE article_id = ?", [aid]) == [(1,)]
        assert db.fetch_all(con, "SELECT count(*) FROM hospitals WHERE article_id = ?", [aid]) == [(0,)]
        assert db.fetch_all(con, "SELECT capture_id, run_id FROM articles WHERE article_id = ?", [aid]) == [
            ("<urn:uuid:9>", "run-2")
        ]
        assert db.fetch_all(con, "SELECT count(*) FROM articles") == [(2,)]


def test_fetches_one_row_per_url_per_run(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        url = "https://cand.com.vn/a-1.html"
        load_fetches(con, [fetch_row(url, status=503, outcome="failed", error="HTTP 503")])
        load_fetches(con, [fetch_row(url, status=200)])  # the same run, retried: replaces
        load_fetches(con, [fetch_row(url, run_id="run-2", fetched_at="2026-11-26T19:00:00Z")])
        load_fetches(con, [fetch_row(url, run_id=None, fetched_at="2026-11-27T19:00:00Z")] * 2)
        rows = db.fetch_all(con, "SELECT run_id, status, outcome FROM fetches ORDER BY fetched_at")
        assert rows == [("run-1", 200, "fetched"), ("run-2", 200, "fetched"), (None, 200, "fetched")]
        src = db.fetch_all(con, "SELECT name, fetches, last_fetched_at > first_fetched_at FROM sources")
        assert src == [("cand", 3, True)]


def test_extractor_versions_live_side_by_side(tmp_path: Path) -> None:
    url = "https://cand.com.vn/a-1.html"
    text = "Đã tiếp nhận 1.643 đơn vị máu, hơn 1.600 đơn vị máu đạt chuẩn."
    old = record(url, text, [fig("1.600 đơn vị máu", 1600, approx="more_than")], version="0.9.0")
    new = record(url, text, [fig("1.643 đơn vị máu", 1643)], version="0.10.0")
    with db.session(tmp_path / "w.duckdb") as con:
        load_articles(con, [(new, None)], run_id="r2")
        load_articles(con, [(old, None)], run_id="r1")  # loaded later, but an older version
        assert db.fetch_all(con, "SELECT extractor_version FROM articles ORDER BY 1") == [
            ("0.10.0",),
            ("0.9.0",),
        ]
        assert db.fetch_all(con, "SELECT extractor_version, value FROM campaign_figures") == [
            ("0.10.0", 1643.0)
        ]
        assert db.fetch_all(con, "SELECT articles, figures FROM campaigns") == [(1, 1)]


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda r: replace(r, extractor_version=""), id="no-version"),
        pytest.param(
            lambda r: replace(r, text=r.text.replace("1.643", "1.644")),
            id="quote-moved",
        ),
    ],
)
def test_bad_record_fails_the_batch_before_writing(
    tmp_path: Path, bad: Callable[[ArticleRecord], ArticleRecord]
) -> None:
    good, broken = _batch()[1][0], bad(_batch()[0][0])
    with db.session(tmp_path / "w.duckdb") as con:
        with pytest.raises(WarehouseError, match=re.escape("https://cand.com.vn/a-1.html")):
            load_articles(con, [(good, None), (broken, None)], run_id="r")
        assert _counts(con)["articles"] == 0


def test_a_batch_that_fails_inside_the_database_leaves_nothing(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        load_articles(con, _batch()[:1], run_id="r0")
        before = _snapshot(con)
        # a figure at a negative offset: Python slicing still finds the quote, the CHECK refuses it
        text = "Đã có 512 đơn vị máu"
        sneaky = record("https://cand.com.vn/z.html", text, [])
        quote = "đơn vị máu"
        from extractors.record import Figure

        neg = Figure(512, None, None, "blood_units", "achieved", None, quote, -len(quote), len(text))
        sneaky = replace(sneaky, figures=(neg,))
        with pytest.raises(WarehouseError, match="CHECK"):
            load_articles(con, [_batch()[1], (sneaky, None)], run_id="r1")
        assert _snapshot(con) == before
        # several loads in one transaction: the last one fails, the first ones are undone too
        with pytest.raises(WarehouseError), db.transaction(con):
            load_fetches(con, [fetch_row("https://cand.com.vn/x.html")])
            load_captures(con, [capture("<urn:uuid:2>", "https://cand.com.vn/x.html")])
            load_articles(con, _batch()[1:], run_id="r2")
            load_captures(con, [capture("<urn:uuid:3>", "https://cand.com.vn/y.html", length=0)])
        assert _snapshot(con) == before


def test_killed_mid_load_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    script = textwrap.dedent(
        f"""
        import os, signal
        from tests.helpers.warehouse import record, fig
        from warehouse import db
        from warehouse.load import load_articles
        text = "Đã tiếp nhận 1.643 đơn vị máu."
        with db.session({str(path)!r}) as con:
            load_articles(con, [(record("https://a.vn/first", text, [fig("1.643 đơn vị máu", 1643)]), None)],
                          run_id="r1")
        con = db.connect({str(path)!r})
        con.execute("BEGIN TRANSACTION")
        items = [(record(f"https://a.vn/{{i}}", text, [fig("1.643 đơn vị máu", 1643)]), None) for i in range(3000)]
        load_articles(con, items, run_id="r2")
        print("loaded, not committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run(
        [PYTHON, "-c", script], env=subprocess_env(), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -9, proc.stderr
    assert "loaded, not committed" in proc.stdout
    with db.session(path, read_only=True) as con:
        assert db.fetch_all(con, "SELECT url FROM articles") == [("https://a.vn/first",)]
    with db.session(path) as con:
        assert db.fetch_all(con, "SELECT count(*) FROM figures") == [(1,)]


def test_find_capture_by_digest_returns_the_latest_response(tmp_path: Path) -> None:
    url = "https://cand.com.vn/a-1.html"
    with db.session(tmp_path / "w.duckdb") as con:
        load_captures(
            con,
            [
                capture("<urn:uuid:old>", url, "sha1:AAA", fetched_at="2026-11-20T19:00:00Z"),
                capture("<urn:uuid:new>", url, "sha1:AAA", fetched_at="2026-11-24T19:00:00Z", offset=512),
                capture(
                    "<urn:uuid:rev>",
                    url,
                    "sha1:AAA",
                    fetched_at="2026-11-25T19:00:00Z",
                    record_type="revisit",
                    refers_to="<urn:uuid:new>",
                ),
                capture("<urn:uuid:other>", url, "sha1:BBB", fetched_at="2026-11-26T19:00:00Z"),
            ],
        )
        found = find_capture_by_digest(con, url, "sha1:AAA")
        assert found == capture(
            "<urn:uuid:new>", url, "sha1:AAA", fetched_at="2026-11-24T19:00:00Z", offset=512
        )
        assert find_capture_by_digest(con, url, "sha1:ZZZ") is None
        assert find_capture_by_digest(con, url + "' OR '1'='1", "sha1:AAA") is None


def test_runs_are_recorded(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        run = start_run(con, "extract", "0.1.0", {"sources": ["cand"], "refresh": False})
        assert run.startswith("extract-")
        finish_run(con, run, {"articles": 2, "errors": {"timeout": 1}})
        row = db.fetch_all(
            con, "SELECT kind, params, summary, finished_at >= started_at FROM extraction_runs WHERE run_id = ?",
            [run],
        )  # fmt: skip
        kind, params, summary, ordered = row[0]
        assert (kind, json.loads(params), json.loads(summary), ordered) == (
            "extract", {"refresh": False, "sources": ["cand"]}, {"articles": 2, "errors": {"timeout": 1}}, True
        )  # fmt: skip
        with pytest.raises(WarehouseError, match="no such run"):
            finish_run(con, "nope", {})
