"""Publication dates: ISO strings of every shape seen, visible Vietnamese dates, and the trust order."""

from __future__ import annotations

import pytest

from extractors._content_meta import iso, visible
from extractors.content import extract_content
from tests.helpers.content import mcms_page


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022-06-05T08:00:00+07:00", "2022-06-05T08:00:00+07:00"),
        ("2022-06-05T01:00:00Z", "2022-06-05T08:00:00+07:00"),
        ("2022-06-04T20:00:00-05:00", "2022-06-05T08:00:00+07:00"),
        ("2022-06-05T08:00:00+0700", "2022-06-05T08:00:00+07:00"),
        ("2026-03-07T08:52:11.000 +07:00", "2026-03-07T08:52:11+07:00"),
        ("2026-10-07 07:49 + 07:00", "2026-10-07T07:49:00+07:00"),
        ("2026-03-07 08:07", "2026-03-07T08:07:00+07:00"),
        ("2022-06-05", "2022-06-05T00:00:00+07:00"),
        ("", None),
        ("hôm qua", None),
        ("2022-02-30T10:00:00+07:00", None),
    ],
)
def test_iso_strings(raw: str, expected: str | None) -> None:
    assert iso(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thứ Năm, 23/12/2025 14:11", "2025-12-23T14:11:00+07:00"),
        ("23/12/2025 - 14:11", "2025-12-23T14:11:00+07:00"),
        ("05/06/2022 08:00 GMT+7", "2022-06-05T08:00:00+07:00"),
        ("Chủ nhật, 5/6/2022, 08:00 (GMT+7)", "2022-06-05T08:00:00+07:00"),
        ("Thứ sáu, 2/5/2014 | 08:54 GMT+7", "2014-05-02T08:54:00+07:00"),
        ("07/03/2026   08:52 (GMT+07:00)", "2026-03-07T08:52:00+07:00"),
        ("14:11 23/12/2025", "2025-12-23T14:11:00+07:00"),
        ("Cập nhật 9h30 ngày 05-06-2022", "2022-06-05T09:30:00+07:00"),
        ("05/06/2022 01:00 GMT+0", "2022-06-05T08:00:00+07:00"),
        ("23/12/2025", "2025-12-23T00:00:00+07:00"),
        ("31/02/2024 10:00", None),
        ("32/13/2024", None),
        ("Không có ngày", None),
    ],
)
def test_visible_vietnamese_dates(raw: str, expected: str | None) -> None:
    assert visible(raw) == expected


@pytest.mark.parametrize(
    ("time_html", "expected"),
    [
        ('<time class="time">Thứ Năm, 23/12/2025 14:11</time>', "2025-12-23T14:11:00+07:00"),
        ('<time class="time">Chủ nhật, 5/6/2022, 08:00 (GMT+7)</time>', "2022-06-05T08:00:00+07:00"),
        ('<time class="time" datetime="2022-06-05T01:00:00Z">05/06/2022</time>', "2022-06-05T08:00:00+07:00"),
    ],
)
def test_visible_date_on_page_when_no_structured_date(time_html: str, expected: str) -> None:
    page = mcms_page().replace(
        '<time class="time" datetime="2024-03-12T09:30:00+07:00">12/03/2024 09:30</time>', time_html
    )
    assert extract_content(page).published == expected


def test_trust_order_json_ld_then_meta_then_visible() -> None:
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-03-10T07:00:00+07:00"}</script>'
    meta = '<meta property="article:published_time" content="2024-03-11T07:00:00+07:00">'
    assert extract_content(mcms_page(head=ld + meta)).published == "2024-03-10T07:00:00+07:00"
    assert extract_content(mcms_page(head=meta)).published == "2024-03-11T07:00:00+07:00"
    assert extract_content(mcms_page()).published == "2024-03-12T09:30:00+07:00"  # the visible <time>


def test_broken_json_ld_still_gives_the_date() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tiêu đề "có ngoặc"",'
        ' "datePublished": "2023-01-20T06:00:00+07:00"}</script>'
    )
    assert extract_content(mcms_page(head=ld)).published == "2023-01-20T06:00:00+07:00"


def test_no_date_anywhere_is_none() -> None:
    page = mcms_page().replace(
        '<time class="time" datetime="2024-03-12T09:30:00+07:00">12/03/2024 09:30</time>', ""
    )
    assert extract_content(page).published is None


def _undated_unknown_site(extra_body: str = "") -> str:
    """A page of an unknown site with no date of its own, whose shell carries dated furniture."""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Chi đoàn xã tổ chức hiến máu tình nguyện</title>
<link rel="canonical" href="https://congan.example.gov.vn/tin-tuc/chi-doan-hien-mau.html">
<link rel="preload" href="/uploads/2026/03/07/banner-2026-03-07.jpg" as="image">
</head><body>
<header><img src="/uploads/2026/03/07/logo.png" alt=""><span class="weather">Hà Nội 22°C</span></header>
<main><h1>Chi đoàn xã tổ chức hiến máu tình nguyện</h1>
<div class="entry">
<p>Chi đoàn Công an xã phối hợp với trạm y tế tổ chức buổi hiến máu tình nguyện cho đoàn viên và
người dân trong xã, thu về 38 đơn vị máu.</p>
<p>Câu lạc bộ hiến máu của chi đoàn được thành lập năm 2017, hiện có 20 thành viên thường xuyên
tham gia các buổi hiến máu do huyện tổ chức.</p>
{extra_body}
<p><img src="/uploads/2026/03/07/anh-hien-mau-2026-03-07.jpg" alt="Đoàn viên hiến máu"></p>
</div></main>
<footer>Cập nhật lần cuối: 2026-03-07. Bản quyền thuộc về trang thông tin.</footer>
</body></html>"""


def test_an_undated_page_takes_no_date_from_its_shell_or_its_words() -> None:
    # neither the image paths, nor the footer's update line, nor the founding year in the text
    content = extract_content(_undated_unknown_site())
    assert content.method == "generic" and "38 đơn vị máu" in content.text
    assert content.published is None


def test_a_date_line_under_the_headline_still_dates_an_unknown_page() -> None:
    page = _undated_unknown_site().replace(
        "<h1>Chi đoàn xã tổ chức hiến máu tình nguyện</h1>",
        '<h1>Chi đoàn xã tổ chức hiến máu tình nguyện</h1><div class="meta">Thứ Ba, 14/06/2022 09:15</div>',
    )
    assert extract_content(page).published == "2022-06-14T09:15:00+07:00"
