"""Background numbers of a story are no result of its campaign: role rules of round two (issue 12).

Each sentence is made up for the test in the style of ``../shared/phenomena.md``; none is taken from
a corpus. One test per rule: which year a phrase names, and what makes a number background.
"""

from __future__ import annotations

from extractors.figures import extract_figures

Row = tuple[float, str, str]  # value, kind, role


def _rows(text: str, year: int | None, published: str | None = None) -> list[Row]:
    figures = extract_figures(text, published_year=year, published=published)
    for f in figures:
        assert text[f.start : f.end] == f.quote
    return [(f.value, f.kind, f.role) for f in figures]


# -- which year a phrase names -------------------------------------------------------------------------
def test_a_lunar_year_name_is_the_year_of_that_tet() -> None:
    text = "Dịp Tết Quý Mão, đội hình thanh niên đã trao 640 suất quà cho hộ khó khăn."
    assert _rows(text, 2024) == [(640, "gifts", "other")]  # Quý Mão is 2023: an earlier edition
    assert _rows(text, 2023) == [(640, "gifts", "achieved")]  # the campaign's own Tết


def test_the_past_year_is_the_year_before_the_page() -> None:
    text = "Trong năm qua, nhóm tình nguyện đã hiến máu cứu 41 trường hợp nguy kịch."
    # a drive of January 2025: last year's rescues are background
    assert _rows(text, 2025, "2025-01-12") == [(41, "patients", "other")]
    # a year-end report on 2024, published in January 2025: the year it reports on
    assert _rows(text, 2024, "2025-01-12") == [(41, "patients", "achieved")]
    # without a page date the phrase names no year
    assert _rows(text, 2025) == [(41, "patients", "achieved")]


# -- goals and differences -----------------------------------------------------------------------------
def test_a_goal_in_brackets_after_the_goal_noun_is_the_target() -> None:
    text = "Hội đã tiếp nhận 5.230 đơn vị máu, đạt 104% kế hoạch tỉnh giao (5.000 đơn vị máu)."
    assert _rows(text, 2024) == [
        (5230, "blood_units", "achieved"),
        (104, "other", "achieved"),
        (5000, "blood_units", "target"),
    ]
    # a bracket after a result with no goal noun is no goal
    text = "Hội đã tiếp nhận 5.230 đơn vị máu (trong đó 610 đơn vị tiểu cầu)."
    assert [r[2] for r in _rows(text, 2024)] == ["achieved", "achieved"]


def test_a_difference_between_two_years_is_background() -> None:
    text = "Năm nay đoàn đặt chỉ tiêu 2.600 đơn vị máu, cao hơn 300 đơn vị máu so với năm ngoái."
    figures = extract_figures(text, published_year=2025)
    assert [(f.value, f.role, f.approx) for f in figures] == [(2600, "target", None), (300, "other", None)]
    # an addition that compares nothing is a result
    text = "Đoàn đã trao 900 suất quà, tặng thêm 150 suất quà cho các xã vùng cao."
    assert [r[2] for r in _rows(text, 2025)] == ["achieved", "achieved"]
