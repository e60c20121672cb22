"""Rules learnt from real coverage (issue 12): longer, looser text than the in-house corpora.

Every sentence is made up for the test in the style of ``../shared/phenomena.md``; none is copied
from real articles. One block per failure class of the issue.
"""

from __future__ import annotations

import pytest

from extractors.figures import extract_figures

Row = tuple[float, str | None, str, str]  # value, approx, kind, role


def _rows(text: str, year: int | None = 2024) -> list[Row]:
    figures = extract_figures(text, published_year=year)
    for f in figures:
        assert text[f.start : f.end] == f.quote
    return [(f.value, f.approx, f.kind, f.role) for f in figures]


# -- 1. registrations: people who came to sign up, whatever the verb or the noun ------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ngay buổi sáng đã có hơn 80 cán bộ, chiến sĩ đăng ký tham gia hiến máu.", 80),
        ("Đã có gần 640 đoàn viên các đơn vị trực thuộc đăng ký hiến máu tình nguyện.", 640),
        ("Hơn 300 tình nguyện viên là giáo viên, sinh viên trong thị xã đăng kí tham gia hiến máu.", 300),
        ("Khoảng 150 lãnh đạo và cán bộ chiến sĩ các phòng đã đăng ký hiến máu.", 150),
        ("Ban tổ chức tiếp nhận 420 cán bộ, chiến sĩ đến đăng ký hiến máu tại hội trường.", 420),
    ],
)
def test_people_who_signed_up_are_registrations(text: str, value: int) -> None:
    rows = _rows(text)
    assert (value, "registrations") in [(v, k) for v, _, k, _ in rows]


def test_people_who_took_part_before_signing_up_stay_participants() -> None:
    text = "Ngày hội thu hút 500 người, nhiều người đăng ký hiến máu lần đầu."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(500, "participants")]
    text = "Có 260 chiến sĩ tham gia hiến máu, sau khi đăng ký từ tuần trước."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(260, "participants")]


def test_people_written_with_a_capital_are_still_counted() -> None:
    text = "Trong ngày hội có hơn 180 Đoàn viên thanh niên tham gia hiến máu tình nguyện."
    assert _rows(text) == [(180, "more_than", "participants", "achieved")]


def test_people_seen_by_doctors_are_patients() -> None:
    text = "Đoàn tình nguyện tổ chức khám, cấp phát thuốc miễn phí cho hơn 250 người dân xã biên giới."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(250, "patients")]


# -- 5. number grammar ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Câu lạc bộ đã thu về 75 ĐV máu trong buổi sáng.", (75, "blood_units")),
        ("Đợt hiến máu tại trường thu được 96 túi máu.", (96, "blood_units")),
        ("Đoàn trao 200 bộ áo ấm cho học sinh vùng cao.", (200, "gifts")),
        ("Các bạn trẻ phát 500 chai nước và 500 hộp cơm cho thí sinh.", (500, "gifts")),
        ("Một doanh nghiệp Hàn Quốc ủng hộ 5.000 USD cho quỹ.", (5000, "other")),
    ],
)
def test_unit_words_of_real_coverage(text: str, expected: tuple[float, str]) -> None:
    assert expected in [(v, k) for v, _, k, _ in _rows(text)]


def test_a_multiple_compares_and_counts_nothing() -> None:
    assert _rows("Lượng máu tiếp nhận năm nay gấp 1,5 lần năm trước.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Mỗi đợt khám không tập trung quá 15 người để bảo đảm giãn cách.",
        "Chương trình hỗ trợ các dân tộc có quy mô dưới 5.000 người.",
        "Mỗi điểm tiếp nhận tối đa 40 người trong một giờ.",
    ],
)
def test_a_bound_is_no_figure(text: str) -> None:
    assert _rows(text) == []


def test_units_of_an_organisation_are_not_blood() -> None:
    text = "Cục phối hợp với bệnh viện và 7 đơn vị khác thuộc Bộ tổ chức ngày hội hiến máu."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(7, "other")]


def test_works_handed_over_are_gifts_and_works_done_are_not() -> None:
    text = "Đoàn trường đã trao tặng 05 công trình thanh niên (03 sân chơi, 02 tủ sách) cho xã."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(5, "gifts"), (3, "gifts"), (2, "gifts")]
    text = "Các cấp bộ đoàn đã thực hiện hơn 600 công trình, phần việc trong mùa hè."
    assert [(v, k) for v, _, k, _ in _rows(text)] == [(600, "other")]


def test_an_excerpt_cut_inside_a_unit_keeps_the_unit() -> None:
    assert _rows("Chiến dịch đã thu hút được 12.406 đoàn vi")[0][:3] == (12406, None, "participants")
