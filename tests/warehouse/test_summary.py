"""The summary views (agreement and conflict between sources, year over year) and the read queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from errors import WarehouseError
from tests.helpers.warehouse import fig, record
from warehouse import db
from warehouse.load import load_articles
from warehouse.queries import campaign_yoy, list_campaigns, resolve_campaign, run_sql

_N = iter(range(10_000))


def _art(text: str, figures: list, *, day: str = "2022-06-05", site: str = "cand.com.vn", **kw: Any) -> tuple:
    url = f"https://{site}/{next(_N)}.html"
    return (record(url, text, figures, published=f"{day}T08:00:00+07:00", **kw), None)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with db.session(tmp_path / "w.duckdb") as c:
        yield c


def _summary(con: duckdb.DuckDBPyConnection, kind: str = "blood_units", year: int = 2022) -> dict:
    rows = db.fetch_all(
        con,
        "SELECT * FROM campaign_year_summary WHERE kind = ? AND year = ? ORDER BY campaign_organizer",
        [kind, year],
    )
    names = [d[0] for d in con.description]
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_rounded_headline_agrees_with_exact_body(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Đã tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)], day="2022-06-05"),
            _art(
                "Hơn 1.600 đơn vị máu.", [fig("1.600 đơn vị máu", 1600, approx="more_than")], day="2022-06-09"
            ),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert (s["achieved_value"], s["achieved_approx"], s["achieved_conflict"], s["conflict"]) == (
        1643,
        None,
        False,
        False,
    )
    assert (s["achieved_articles"], s["achieved_support"]) == (2, 2)
    assert s["achieved_quote"] == "1.643 đơn vị máu"


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (fig("1.643 đơn vị máu", 1643), fig("1.702 đơn vị máu", 1702), 1702),  # both exact: the latest
        (
            fig("1.643 đơn vị máu", 1643),
            fig("1.700 đơn vị máu", 1700, approx="more_than"),
            1643,
        ),  # exact wins
        (fig("1.643 đơn vị máu", 1643), fig("2.000 đơn vị máu", 2000, approx="nearly"), 1643),
        (fig("1.643 đơn vị máu", 1643), fig("1.000 đơn vị máu", 1000, approx="about"), 1643),
        (fig("1.643 đơn vị máu", 1643), fig("1.000 đơn vị máu", 1000, approx="more_than"), 1643),
    ],
)
def test_real_disagreements_are_flagged(
    con: duckdb.DuckDBPyConnection, first: tuple, second: tuple, expected: float
) -> None:
    load_articles(
        con,
        [
            _art(f"Tiếp nhận {first[0]}.", [first], day="2022-06-05"),
            _art(f"Tiếp nhận {second[0]}.", [second], day="2022-06-05"),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert s["achieved_conflict"] is True and s["conflict"] is True
    assert s["achieved_value"] == expected
    assert (s["achieved_articles"], s["achieved_support"]) == (2, 1)
    assert s["target_conflict"] is False


@pytest.mark.parametrize(
    "other",
    [
        fig("1.600 đơn vị máu", 1600, approx="more_than"),
        fig("1.700 đơn vị máu", 1700, approx="nearly"),
        fig("1.600 đơn vị máu", 1600, approx="about"),
        fig("1.500 - 1.800 đơn vị máu", 1500, approx="range", value_max=1800),
    ],
)
def test_hedged_figures_that_hold_the_exact_one_agree(con: duckdb.DuckDBPyConnection, other: tuple) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)], day="2022-06-01"),
            _art(f"Tiếp nhận {other[0]}.", [other], day="2022-06-09"),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert (s["achieved_value"], s["achieved_conflict"], s["achieved_support"]) == (1643, False, 2)


def test_a_breakdown_in_one_article_is_not_a_conflict(con: duckdb.DuckDBPyConnection) -> None:
    text = "Thu được 227 đơn vị máu, trong đó 21 đơn vị máu loại 350ml."
    load_articles(con, [_art(text, [fig("227 đơn vị máu", 227), fig("21 đơn vị máu", 21)])], run_id="r")
    s = _summary(con)
    assert (s["achieved_value"], s["achieved_conflict"], s["achieved_articles"]) == (227, False, 1)


def test_target_and_achieved_side_by_side(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art(
                "Phấn đấu tiếp nhận ít nhất 1.500 đơn vị máu, cumulative 19.152 đơn vị máu.",
                [
                    fig("1.500 đơn vị máu", 1500, role="target", approx="at_least"),
                    fig("19.152 đơn vị máu", 19152, role="cumulative"),
                ],
                day="2022-05-01",
            ),
            _art(
                "Chỉ tiêu 1.500 đơn vị máu.", [fig("1.500 đơn vị máu", 1500, role="target")], day="2022-05-02"
            ),
            _art("Đã tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)], day="2022-06-09"),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert (s["target_value"], s["target_approx"], s["target_conflict"], s["target_support"]) == (
        1500,
        None,
        False,
        2,
    )
    assert (s["achieved_value"], s["achieved_articles"]) == (1643, 1)
    assert s["conflict"] is False  # cumulative figures are not this year's result


def test_organisers_and_years_are_separate_and_yoy_uses_lag(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 1.300 đơn vị máu.", [fig("1.300 đơn vị máu", 1300)], year=2021, day="2021-06-01"),
            _art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)], day="2022-06-01"),
            _art(  # another site, where nobody names the organiser: it stays unknown
                "Tiếp nhận 900 đơn vị máu.",
                [fig("900 đơn vị máu", 900)],
                organizer=None,
                day="2022-06-01",
                site="tuoitre.vn",
            ),
            _art("Tiếp nhận 2.000 đơn vị máu.", [fig("2.000 đơn vị máu", 2000)], year=2024, day="2024-06-01"),
            _art(
                "Tiếp nhận 12 điểm.",
                [fig("12 điểm", 12, kind="sites", role="target")],
                year=2024,
                day="2024-06-01",
            ),
        ],
        run_id="r",
    )
    rows = db.fetch_all(
        con,
        "SELECT campaign_organizer, year, achieved_value, prev_year, prev_achieved_value, achieved_change, "
        "achieved_change_pct FROM campaign_yoy WHERE kind = 'blood_units' ORDER BY 1 NULLS FIRST, 2",
    )
    hn = "Công an thành phố Hà Nội"
    assert rows == [
        (None, 2022, 900.0, None, None, None, None),
        (hn, 2021, 1300.0, None, None, None, None),
        (hn, 2022, 1643.0, 2021, 1300.0, 343.0, 26.4),
        (hn, 2024, 2000.0, 2022, 1643.0, 357.0, 21.7),
    ]
    table = campaign_yoy(con, "hanh-trinh-do", hn)
    assert [(r["year"], r["blood_units_achieved"], r["blood_units_achieved_change_pct"]) for r in table] == [
        (2021, 1300, None),
        (2022, 1643, 26.4),
        (2024, 2000, 21.7),
    ]
    assert table[2]["sites_target"] == 12 and table[2]["articles"] == 2
    assert "gifts_achieved" not in table[0]  # kinds nobody reported are left out
    assert all(set(r) == set(table[0]) for r in table)
    both = campaign_yoy(con, "hanh-trinh-do")
    assert [(r["organizer"], r["year"]) for r in both] == [(None, 2022), (hn, 2021), (hn, 2022), (hn, 2024)]


def test_campaign_yoy_lists_conflicts(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 1.702 đơn vị máu.", [fig("1.702 đơn vị máu", 1702)], day="2022-06-01"),
            _art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)], day="2022-06-02"),
        ],
        run_id="r",
    )
    (row,) = campaign_yoy(con, "hanh-trinh-do")
    assert row["conflicts"] == ["blood_units/achieved"]  # a later article says less
    assert row["blood_units_achieved"] == 1643


@pytest.mark.parametrize(
    ("running_day", "conflict"),
    [("2022-06-01", False), ("2022-05-01", True)],  # 4 days before the close; a month before
)
def test_an_earlier_running_total_is_not_a_conflict(
    con: duckdb.DuckDBPyConnection, running_day: str, conflict: bool
) -> None:
    load_articles(
        con,
        [
            _art(
                "Tính đến nay đã tiếp nhận 1.734 đơn vị máu.",
                [fig("1.734 đơn vị máu", 1734)],
                day=running_day,
            ),
            _art("Kết thúc, thu về 3.013 đơn vị máu.", [fig("3.013 đơn vị máu", 3013)], day="2022-06-05"),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert (s["achieved_value"], s["achieved_conflict"]) == (3013, conflict)


INJECTIONS = ["x'; DROP TABLE figures; --", "' OR 1=1 --", 'hanh-trinh-do" OR "1"="1', "%", "_"]


@pytest.mark.parametrize("evil", INJECTIONS)
def test_injection_in_every_filter_is_just_text(con: duckdb.DuckDBPyConnection, evil: str) -> None:
    load_articles(con, [_art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)])], run_id="r")
    assert campaign_yoy(con, evil) == []
    assert campaign_yoy(con, "hanh-trinh-do", evil) == []
    assert all(k == "hanh-trinh-do" for k, _ in resolve_campaign(con, evil))
    with pytest.raises(WarehouseError, match="cannot sort campaigns"):
        list_campaigns(con, sort=evil)
    assert db.fetch_all(con, "SELECT count(*) FROM figures") == [(1,)]


def test_resolve_campaign_exact_then_fuzzy(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)]),
            _art("Tiếp nhận 900 đơn vị máu.", [fig("900 đơn vị máu", 900)], organizer="Công an tỉnh Nghệ An"),
            _art(
                "Trao 300 phần quà.",
                [fig("300 phần quà", 300, kind="gifts")],
                key="dong-am-xuan-yeu-thuong",
                name="Đông ấm - Xuân yêu thương",
            ),
        ],
        run_id="r",
    )
    assert resolve_campaign(con, "hanh-trinh-do") == [
        ("hanh-trinh-do", "Công an thành phố Hà Nội"),
        ("hanh-trinh-do", "Công an tỉnh Nghệ An"),
    ]
    assert resolve_campaign(con, "Hành trình Đỏ")[0][0] == "hanh-trinh-do"
    assert [k for k, _ in resolve_campaign(con, "xuân yêu thương")] == ["dong-am-xuan-yeu-thuong"]
    assert [k for k, _ in resolve_campaign(con, "hanh-trinh-dp")][:1] == ["hanh-trinh-do"]  # a typo
    assert resolve_campaign(con, "chủ nhật đỏ ngày hội") == []
    assert resolve_campaign(con, "!!!") == []


def test_list_campaigns_and_sorting(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art("Tiếp nhận 1.300 đơn vị máu.", [fig("1.300 đơn vị máu", 1300)], year=2021, day="2021-06-01"),
            _art("Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)]),
            _art(
                "Trao 300 phần quà.",
                [fig("300 phần quà", 300, kind="gifts")],
                key="ao-am",
                name="Áo ấm",
                year=2024,
            ),
        ],
        run_id="r",
    )
    by_key = list_campaigns(con)
    assert [(c["key"], c["years"], c["articles"], c["figures"]) for c in by_key] == [
        ("ao-am", [2024], 1, 1),
        ("hanh-trinh-do", [2021, 2022], 2, 2),
    ]
    assert [c["key"] for c in list_campaigns(con, sort="articles")] == ["hanh-trinh-do", "ao-am"]
    assert [c["key"] for c in list_campaigns(con, sort="latest")] == ["ao-am", "hanh-trinh-do"]


def test_run_sql_returns_columns_and_rows(con: duckdb.DuckDBPyConnection) -> None:
    assert run_sql(con, "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y' ORDER BY a") == (
        ["a", "b"],
        [(1, "x"), (2, "y")],
    )
    with pytest.raises(WarehouseError, match="empty query"):
        run_sql(con, "  ")
    with pytest.raises(WarehouseError, match="Catalog Error"):
        run_sql(con, "SELECT * FROM no_such_table")


def test_a_running_total_stays_agreeing_after_a_later_retrospective(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art(
                "Tính đến 15h đã tiếp nhận 1.734 đơn vị máu.",
                [fig("1.734 đơn vị máu", 1734)],
                day="2022-06-01",
            ),
            _art("Kết thúc, thu về 3.013 đơn vị máu.", [fig("3.013 đơn vị máu", 3013)], day="2022-06-05"),
            _art("Năm qua đã tiếp nhận 3.013 đơn vị máu.", [fig("3.013 đơn vị máu", 3013)], day="2022-12-20"),
        ],
        run_id="r",
    )
    s = _summary(con)
    assert (s["achieved_value"], s["achieved_conflict"], s["achieved_support"]) == (3013, False, 2)
    load_articles(
        con,
        [
            _art(
                "Tổng kết: hơn 2.900 đơn vị máu.",
                [fig("2.900 đơn vị máu", 2900, approx="more_than")],
                day="2023-01-10",
            )
        ],
        run_id="r2",
    )
    assert _summary(con)["achieved_conflict"] is True  # a later article that says less


def test_a_campaign_goes_on_across_the_2025_merger_of_provinces(con: duckdb.DuckDBPyConnection) -> None:
    load_articles(
        con,
        [
            _art(
                "Trao 1.200 phần quà.",
                [fig("1.200 phần quà", 1200, kind="gifts")],
                organizer="Công an tỉnh Phú Yên",
                year=2025,
                day="2025-01-20",
            ),
            _art(
                "Trao 1.500 phần quà.",
                [fig("1.500 phần quà", 1500, kind="gifts")],
                organizer="Công an tỉnh Đắk Lắk",
                year=2026,
                day="2026-01-25",
            ),
        ],
        run_id="r",
    )
    rows = campaign_yoy(con, "hanh-trinh-do")
    assert [(r["organizer"], r["year"], r["gifts_achieved"]) for r in rows] == [
        ("Công an tỉnh Đắk Lắk", 2025, 1200),
        ("Công an tỉnh Đắk Lắk", 2026, 1500),
    ]
    assert rows[1]["gifts_achieved_change_pct"] == 25.0
    written = run_sql(con, "SELECT organizer_as_written FROM campaign_figures ORDER BY campaign_year")[1]
    assert written == [("Công an tỉnh Phú Yên",), ("Công an tỉnh Đắk Lắk",)]
