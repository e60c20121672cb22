"""The HTML report: built from a real DuckDB file, opened in a real headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flows.steps.report import CSP, bar_chart, render_report
from tests.helpers.warehouse import fig, record
from warehouse.db import connect
from warehouse.load import load_articles, load_fetches
from warehouse.report_data import campaign_reports, crawl_health
from warehouse.types import FetchRow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EVIL = (
    '<script>window.__pwned = 1; fetch("http://127.0.0.1:9/x")</script><img src=x onerror="window.__pwned=2">'
)


def _warehouse(path: Path) -> None:
    con = connect(path)
    t1 = f"Năm 2022 đã tiếp nhận 1.643 đơn vị máu. {EVIL}"
    t2 = "Mục tiêu 2.300 đơn vị máu tại 11 điểm; kết quả thu về 2.410 đơn vị máu."
    recs = [
        record("https://a.vn/1", t1, [fig("1.643 đơn vị máu", 1643)], year=2022, title=EVIL),
        record(
            "https://a.vn/2",
            t2,
            [
                fig("2.300 đơn vị máu", 2300, role="target"),
                fig("11 điểm", 11, kind="sites", role="target"),
                fig("2.410 đơn vị máu", 2410),
            ],
            year=2023,
            published="2023-06-05T08:00:00+07:00",
        ),
    ]
    load_articles(con, [(r, None) for r in recs], run_id="r1")
    load_fetches(
        con,
        [
            FetchRow(
                "https://a.vn/1", None, 200, None, "fetched", "article", "a.vn", 10, "2026-11-25T19:00:00Z"
            ),
            FetchRow(
                "https://a.vn/9",
                None,
                503,
                "http 503",
                "deferred",
                "article",
                "a.vn",
                0,
                "2026-11-25T19:00:01Z",
            ),
        ],
    )
    con.close()


@pytest.fixture()
def report_html(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    _warehouse(db)
    con = connect(db, read_only=True)
    try:
        page = render_report(campaign_reports(con), crawl_health(con))
    finally:
        con.close()
    out = tmp_path / "report.html"
    out.write_text(page, encoding="utf-8")
    return out


def test_report_content_is_escaped_and_complete(report_html: Path) -> None:
    page = report_html.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert CSP in page
    assert "1.643 đơn vị máu" in page and "2.410" in page and "https://a.vn/2" in page
    assert page.count("<svg") >= 2  # blood units and sites charts
    assert "Crawl health" in page and "http 503" in page


def test_bar_chart_scales_to_the_peak() -> None:
    svg = bar_chart("Blood units", [2022, 2023], [None, 2300], [1643, 2410])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 3 + 2  # three bars + two legend swatches
    assert "2.410" in svg and "2022" in svg


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed (make installs it)"
)
def test_report_in_headless_chromium(report_html: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "CI must have Debian's chromium (the Makefile installs it)"
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("dialog", lambda d: problems.append(f"dialog {d.message}"))
        page.goto(report_html.as_uri())
        page.wait_for_load_state("load")
        pwned = page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
        headings = page.locator("h2").all_inner_texts()
        shot = tmp_path / "report.png"
        if os.environ.get("REPORT_SHOT"):
            shot = Path(os.environ["REPORT_SHOT"])
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert pwned is None, "injected script ran"
    assert problems == []
    assert requests == [report_html.as_uri()], requests
    assert any("Hành trình Đỏ" in h for h in headings)
    assert shot.stat().st_size > 10_000


def test_each_organisers_section_holds_its_own_years_sorted(tmp_path: Path) -> None:
    """A key with two organisers and articles of unknown organiser: three sections, none borrowing rows."""
    con = connect(tmp_path / "w.duckdb")
    hn, na = "Công an thành phố Hà Nội", "Công an tỉnh Nghệ An"
    recs = [  # loaded newest first: the rows must come out sorted anyway
        record("https://a.vn/24", "Thu 2.400 đơn vị máu.", [fig("2.400 đơn vị máu", 2400)], year=2024),
        record("https://a.vn/22", "Thu 2.200 đơn vị máu.", [fig("2.200 đơn vị máu", 2200)], year=2022),
        record(
            "https://b.vn/23", "Thu 900 đơn vị máu.", [fig("900 đơn vị máu", 900)], year=2023, organizer=na
        ),
        record(
            "https://b.vn/22", "Thu 800 đơn vị máu.", [fig("800 đơn vị máu", 800)], year=2022, organizer=na
        ),
        # c.vn names both organisers for this campaign: its article without one stays apart
        record("https://c.vn/1", "Thu 10 đơn vị máu.", [fig("10 đơn vị máu", 10)], year=2021),
        record("https://c.vn/2", "Thu 20 đơn vị máu.", [fig("20 đơn vị máu", 20)], year=2021, organizer=na),
        record(
            "https://c.vn/3", "Thu 555 đơn vị máu.", [fig("555 đơn vị máu", 555)], year=2022, organizer=None
        ),
        # b.vn names only Nghệ An: its article without one is inferred to be Nghệ An's
        record(
            "https://b.vn/25", "Thu 950 đơn vị máu.", [fig("950 đơn vị máu", 950)], year=2025, organizer=None
        ),
    ]
    load_articles(con, [(r, None) for r in recs], run_id="r1")
    reports = campaign_reports(con, "hanh-trinh-do")
    page = render_report(reports, crawl_health(con))
    con.close()
    assert [(r.organizer, [y["year"] for y in r.yoy]) for r in reports] == [
        (None, [2022]),
        (hn, [2021, 2022, 2024]),
        (na, [2021, 2022, 2023, 2025]),
    ]
    sections = page.split("<section")[1:]
    assert len(sections) == 3
    unknown, hanoi, nghe_an = sections
    assert (
        "organiser unknown (candidates on their sites: Công an thành phố Hà Nội, Công an tỉnh Nghệ An)"
        in unknown
    )
    assert "555" in unknown and "2.400" not in unknown and "900" not in unknown
    assert [y for y in ("2021", "2022", "2023", "2024", "2025") if f"<tr><td>{y}" in hanoi] == [
        "2021",
        "2022",
        "2024",
    ]
    assert "900" not in hanoi and "555" not in hanoi
    assert "2025" in nghe_an and "1 inferred" in nghe_an and "(organiser inferred)" in nghe_an
    assert len({s.split('"')[1] for s in sections}) == 3  # each section its own anchor


def test_a_campaign_across_the_merger_shows_both_names(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    hoa_binh, phu_tho = "Công an tỉnh Hòa Bình", "Công an tỉnh Phú Thọ"
    recs = [
        record("https://p.vn/21", "Thu 410 đơn vị máu.", [fig("410 đơn vị máu", 410)], year=2021, organizer=hoa_binh),
        record("https://p.vn/23", "Mục tiêu 500 đơn vị máu.", [fig("500 đơn vị máu", 500, role="target")],
               year=2023, organizer=None),
        record("https://p.vn/25", "Thu 610 đơn vị máu.", [fig("610 đơn vị máu", 610)], year=2025, organizer=phu_tho),
    ]  # fmt: skip
    load_articles(con, [(r, None) for r in recs], run_id="r1")
    (camp,) = campaign_reports(con)
    page = render_report([camp], crawl_health(con))
    con.close()
    assert f"{phu_tho} (articles say: {hoa_binh})" in page
    assert f"<tr><td>2021 (as {hoa_binh})</td>" in page and "<tr><td>2025</td>" in page
    assert (
        "Organiser inferred for 1 article naming none" in page and "<td class='n'>1 (1 inferred)</td>" in page
    )
