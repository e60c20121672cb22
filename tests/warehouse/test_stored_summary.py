"""The stored summaries (summary_by_year, articles_by_year, campaigns) stay equal to the views
after loads, re-extractions and alias changes; organisers inferred per site; both names
across the 2025 merger of provinces."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.helpers.warehouse import fig, record
from warehouse import db
from warehouse.load import load_articles, refresh_summaries, set_organizer_alias
from warehouse.queries import campaign_yoy, list_campaigns

_N = count()
HOA_BINH, PHU_THO = "Công an tỉnh Hòa Bình", "Công an tỉnh Phú Thọ"
#: stored table → the view (or macro call) it must equal
PAIRS = {
    "summary_by_year": "campaign_year_summary",
    "articles_by_year": "campaign_year_articles",
    "campaigns": "campaign_rows_of(NULL)",
}


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with db.session(tmp_path / "w.duckdb") as c:
        yield c


def _art(
    text: str, figures: list, *, year: int, site: str = "baophutho.vn", url: str | None = None, **kw: Any
) -> tuple:
    url = url or f"https://{site}/{next(_N)}.html"
    kw.setdefault("published", f"{year}-06-05T08:00:00+07:00")
    return (record(url, text, figures, year=year, **kw), None)


def assert_stored_equal_views(con: duckdb.DuckDBPyConnection) -> None:
    for table, view in PAIRS.items():
        cols = ", ".join(f'"{r[0]}"' for r in con.execute(f"DESCRIBE {table}").fetchall())
        for a, b in ((table, view), (view, table)):
            extra = db.fetch_all(con, f"SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}")
            assert extra == [], f"{a} has rows {b} lacks: {extra[:3]}"
    assert db.fetch_all(con, "SELECT count(*) FROM summary_by_year")[0][0] > 0


def _one_site_campaign() -> list[tuple]:
    """A provincial site's campaign over five years: two years name it by its old name, one by
    its new name, and two articles (a plan, a target piece) name no organiser at all."""
    return [
        _art("Tiếp nhận 410 đơn vị máu.", [fig("410 đơn vị máu", 410)], year=2021, organizer=HOA_BINH),
        _art("Tiếp nhận 455 đơn vị máu.", [fig("455 đơn vị máu", 455)], year=2022, organizer=HOA_BINH),
        _art(
            "Kế hoạch: 500 đơn vị máu.",
            [fig("500 đơn vị máu", 500, role="target")],
            year=2023,
            organizer=None,
        ),
        _art(
            "Mục tiêu 520 đơn vị máu.",
            [fig("520 đơn vị máu", 520, role="target")],
            year=2024,
            organizer=None,
            url="https://baophutho.vn/muc-tieu-2024.html",
        ),
        _art("Tiếp nhận 610 đơn vị máu.", [fig("610 đơn vị máu", 610)], year=2025, organizer=PHU_THO),
    ]


def test_one_site_campaign_is_one_campaign_with_five_years(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(con, _one_site_campaign(), run_id="r")
    (camp,) = list_campaigns(con)
    assert (camp["organizer"], camp["years"]) == (PHU_THO, [2021, 2022, 2023, 2024, 2025])
    assert camp["inferred_articles"] == 2
    assert camp["organizers_as_written"] == [HOA_BINH, PHU_THO]  # both names of the merger
    rows = campaign_yoy(con, "hanh-trinh-do")
    assert [(r["organizer"], r["year"], r["inferred_articles"]) for r in rows] == [
        (PHU_THO, 2021, 0),
        (PHU_THO, 2022, 0),
        (PHU_THO, 2023, 1),
        (PHU_THO, 2024, 1),
        (PHU_THO, 2025, 0),
    ]
    assert [r["organizers_as_written"] for r in rows] == [[HOA_BINH], [HOA_BINH], [], [], [PHU_THO]]
    assert [r["blood_units_target"] for r in rows] == [None, None, 500, 520, None]
    inferred = db.fetch_all(
        con, "SELECT campaign_year, organizer_inferred FROM campaign_figures ORDER BY campaign_year"
    )
    assert inferred == [(2021, False), (2022, False), (2023, True), (2024, True), (2025, False)]
    assert campaign_yoy(con, "hanh-trinh-do", HOA_BINH) == rows  # the old name finds the campaign
    assert_stored_equal_views(con)


def test_two_candidates_stay_apart_and_are_listed(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            *_one_site_campaign(),
            _art(
                "Tiếp nhận 90 đơn vị máu.",
                [fig("90 đơn vị máu", 90)],
                year=2024,
                organizer="Hội Chữ thập đỏ tỉnh Phú Thọ",
            ),
        ],
        run_id="r",
    )
    camps = {c["organizer"]: c for c in list_campaigns(con)}
    assert set(camps) == {None, PHU_THO, "Hội Chữ thập đỏ tỉnh Phú Thọ"}
    assert camps[None]["years"] == [2023, 2024]
    assert camps[None]["organizer_candidates"] == [PHU_THO, "Hội Chữ thập đỏ tỉnh Phú Thọ"]
    assert camps[PHU_THO]["years"] == [2021, 2022, 2025] and camps[PHU_THO]["inferred_articles"] == 0
    unknown = [r for r in campaign_yoy(con, "hanh-trinh-do") if r["organizer"] is None]
    assert [r["organizer_candidates"] for r in unknown] == [[PHU_THO, "Hội Chữ thập đỏ tỉnh Phú Thọ"]] * 2
    assert_stored_equal_views(con)


def test_inference_is_per_site(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 410 đơn vị máu.", [fig("410 đơn vị máu", 410)], year=2021, organizer=HOA_BINH),
            _art(
                "Mục tiêu 520 đơn vị máu.",
                [fig("520 đơn vị máu", 520, role="target")],
                year=2024,
                organizer=None,
                site="vnexpress.net",  # nothing on this site names an organiser
            ),
        ],
        run_id="r",
    )
    assert sorted((c["organizer"] or "", c["inferred_articles"]) for c in list_campaigns(con)) == [
        ("", 0),
        (PHU_THO, 0),
    ]


def test_stored_tables_follow_loads_reextractions_and_alias_changes(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(con, _one_site_campaign(), run_id="r1")
    other = _art(
        "Trao 300 phần quà.", [fig("300 phần quà", 300, kind="gifts")], year=2024, key="xuan-yeu-thuong",
        url="https://baophutho.vn/qua.html", organizer="Công an tỉnh Vĩnh Phúc",
    )  # fmt: skip
    load_articles(con, [other], run_id="r1")
    assert_stored_equal_views(con)

    # a re-extraction: a newer extractor reads the 2024 target piece as the other campaign's
    (moved, _), *_ = (
        _art(
            "Mục tiêu 520 đơn vị máu.",
            [fig("520 đơn vị máu", 520, role="target")],
            year=2024,
            organizer=None,
            key="xuan-yeu-thuong",
            url="https://baophutho.vn/muc-tieu-2024.html",
            version="0.2.0",
        ),
    )
    load_articles(con, [(moved, None)], run_id="r3")
    assert_stored_equal_views(con)
    stored = db.fetch_all(
        con, "SELECT campaign_key, year, kind, target_value FROM summary_by_year ORDER BY ALL"
    )
    assert ("hanh-trinh-do", 2024, "blood_units", 520.0) not in stored
    assert ("xuan-yeu-thuong", 2024, "blood_units", 520.0) in stored
    assert [c["years"] for c in list_campaigns(con) if c["key"] == "hanh-trinh-do"] == [
        [2021, 2022, 2023, 2025]
    ]

    # alias changes: Vĩnh Phúc stops going on under Phú Thọ, then goes on under it again
    set_organizer_alias(con, "Công an tỉnh Vĩnh Phúc", None)
    assert_stored_equal_views(con)
    assert {c["organizer"] for c in list_campaigns(con) if c["key"] == "xuan-yeu-thuong"} == {
        "Công an tỉnh Vĩnh Phúc"
    }
    set_organizer_alias(con, "Công an tỉnh Vĩnh Phúc", PHU_THO, since="2025-07-01")
    assert_stored_equal_views(con)
    assert {c["organizer"] for c in list_campaigns(con) if c["key"] == "xuan-yeu-thuong"} == {PHU_THO}


def test_a_failed_load_leaves_the_stored_tables_as_they_were(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(con, _one_site_campaign(), run_id="r1")
    stored = db.fetch_all(con, "SELECT * FROM summary_by_year ORDER BY ALL")
    con.execute("BEGIN TRANSACTION")
    load_articles(
        con, [_art("Tiếp nhận 999 đơn vị máu.", [fig("999 đơn vị máu", 999)], year=2026)], run_id="r2"
    )
    con.execute("ROLLBACK")
    assert db.fetch_all(con, "SELECT * FROM summary_by_year ORDER BY ALL") == stored


def test_a_hand_edit_is_repaired_by_a_full_refresh(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(con, _one_site_campaign(), run_id="r1")
    con.execute("DELETE FROM summary_by_year WHERE year = 2021")
    con.execute("DELETE FROM articles_by_year")
    refresh_summaries(con)
    assert_stored_equal_views(con)
