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


# -- histories and running totals ------------------------------------------------------------------------
def test_a_sentence_summing_up_the_history_just_told_is_cumulative() -> None:
    text = (
        "Quỹ khuyến học của đơn vị ra đời từ năm học 2014 - 2015. "
        "Đến nay, quỹ đã trao 380 suất học bổng với tổng trị giá 760 triệu đồng."
    )
    assert [r[2] for r in _rows(text, 2024)] == ["cumulative", "cumulative"]
    text = "Sau 9 năm, ngày hội đã thành nếp sinh hoạt của thanh niên. Tổng cộng ngày hội đã tiếp nhận 8.200 đơn vị máu."
    assert _rows(text, 2024) == [(8200, "blood_units", "cumulative")]
    # after a sentence about this year, "Đến nay" is this drive's running total
    text = "Đợt vận động năm nay bắt đầu từ ngày 2/3. Đến nay, đoàn đã tiếp nhận 410 đơn vị máu."
    assert _rows(text, 2024) == [(410, "blood_units", "achieved")]


def test_since_a_launch_on_a_given_day_is_the_running_total_of_this_drive() -> None:
    text = "Từ khi phát động ngày 3-11 đến nay, cán bộ, chiến sĩ đã ủng hộ tổng cộng 2,6 tỉ đồng."
    assert _rows(text, 2024) == [(2_600_000_000, "money_vnd", "achieved")]
    # since a programme began, with no day of this year, is its history
    text = "Từ khi phát động, chương trình đã trao 4.300 suất quà cho học sinh nghèo."
    assert _rows(text, 2024) == [(4300, "gifts", "cumulative")]


def test_the_parts_of_a_result_are_results_whatever_their_hedge() -> None:
    text = "Đơn vị đã ủng hộ 2,6 tỉ đồng. Trong đó, mỗi cán bộ ủng hộ ít nhất 2 ngày lương."
    assert [(f.value, f.role, f.approx) for f in extract_figures(text, published_year=2024)] == [
        (2_600_000_000, "achieved", None),
        (2, "achieved", "at_least"),
    ]
    # in a plan, "ít nhất" stays a goal
    text = "Ban tổ chức phấn đấu vận động 2 tỉ đồng. Trong đó, mỗi cán bộ ủng hộ ít nhất 2 ngày lương."
    assert [f.role for f in extract_figures(text, published_year=2024)] == ["target", "target"]


# -- background: earlier sessions, needs, standing sizes ---------------------------------------------------
def test_the_latest_session_before_this_one_is_background() -> None:
    text = "Ở đợt hiến máu gần nhất, trường đã tiếp nhận 540 đơn vị máu."
    assert _rows(text, 2024) == [(540, "blood_units", "other")]


def test_ever_is_no_span_of_years() -> None:
    # "the best result ever" neither makes an earlier year's result a multi-year total ...
    text = "Năm 2022, ngày hội tiếp nhận 2.300 đơn vị máu, là mùa có kết quả cao nhất từ trước tới nay."
    assert _rows(text, 2024) == [(2300, "blood_units", "other")]
    # ... nor this year's result a running total
    text = "Ngày hội đã tiếp nhận 2.300 đơn vị máu, cao nhất từ trước đến nay."
    assert _rows(text, 2024) == [(2300, "blood_units", "achieved")]


def test_answering_someone_elses_call_is_no_plan() -> None:
    text = "Hưởng ứng lời kêu gọi của bệnh viện, 260 đoàn viên đã đến hiến máu trong buổi sáng."
    assert _rows(text, 2024) == [(260, "participants", "achieved")]
    # calling on others is still a weak plan of one's own
    text = "Ban tổ chức kêu gọi 500 đoàn viên tham gia hiến máu."
    assert _rows(text, 2024) == [(500, "participants", "target")]


def test_what_a_hospital_needs_and_a_standby_list_are_background() -> None:
    text = "Dự kiến các bệnh viện cần tiếp nhận khoảng 9.000 đơn vị máu trong tháng tới."
    assert _rows(text, 2024) == [(9000, "blood_units", "other")]
    text = "Đơn vị đã lập danh sách dự bị gần 200 chiến sĩ để hiến máu khi có ca cấp cứu."
    assert _rows(text, 2024) == [(200, "participants", "other")]
    # the drive's own plan stays a plan
    text = "Dự kiến ngày hội sẽ tiếp nhận khoảng 900 đơn vị máu."
    assert _rows(text, 2024) == [(900, "blood_units", "target")]


def test_a_clubs_size_told_in_passing_is_its_standing_size() -> None:
    text = "Câu lạc bộ hiến máu dự bị của trường, với hơn 150 thành viên, đã hiến máu cứu 12 ca cấp cứu."
    assert _rows(text, 2024) == [(150, "members", "other"), (12, "patients", "achieved")]
    # what the club has grown to is a result
    text = "Câu lạc bộ đã có 150 thành viên."
    assert _rows(text, 2024) == [(150, "members", "achieved")]


# -- per-unit values and rules ----------------------------------------------------------------------------
def test_a_clause_opening_with_each_thing_and_its_description_is_per_unit() -> None:
    text = "Mỗi căn nhà có diện tích từ 40 đến 55 m2, được đơn vị hỗ trợ 50 triệu đồng."
    assert _rows(text, 2024) == [(50_000_000, "money_vnd", "other")]
    # without "mỗi" the amount is the drive's own
    text = "Căn nhà có diện tích 50 m2, được đơn vị hỗ trợ 50 triệu đồng."
    assert _rows(text, 2024) == [(50_000_000, "money_vnd", "achieved")]


def test_a_spacing_rule_counts_nothing() -> None:
    text = "Người hiến máu cần nặng từ 45 kg trở lên; hai lần hiến cách nhau ít nhất 12 tuần."
    assert _rows(text, 2024) == []


def test_the_campaigns_goal_for_the_whole_force_is_its_target() -> None:
    text = "Năm nay, chương trình đặt mục tiêu toàn lực lượng hiến tặng ít nhất 15.000 đơn vị máu."
    assert _rows(text, 2024) == [(15000, "blood_units", "target")]
    # the country's plan, told as background, is no goal of this campaign
    text = "Theo kế hoạch của Bộ Y tế, năm nay cả nước phấn đấu tiếp nhận 1,5 triệu đơn vị máu."
    assert _rows(text, 2024) == [(1_500_000, "blood_units", "other")]


def test_the_whole_force_is_the_organisers_own_not_the_country() -> None:
    # "toàn lực lượng" is the force of the story's organiser: its year is the campaign's result
    text = "Trong năm, toàn lực lượng đã xây dựng, bàn giao 36 căn nhà tình nghĩa cho hộ khó khăn."
    assert _rows(text, 2025) == [(36, "gifts", "achieved")]
    text = "Năm 2022, toàn lực lượng tiếp nhận 41.200 đơn vị máu, vượt chỉ tiêu được giao."
    assert _rows(text, 2022) == [(41200, "blood_units", "achieved")]
    # the whole country, in a local story, stays background
    text = "Năm 2022, cả nước tiếp nhận hơn 1,4 triệu đơn vị máu."
    assert _rows(text, 2022) == [(1_400_000, "blood_units", "other")]


def test_a_need_per_month_is_routine_not_a_goal() -> None:
    text = "Mỗi tháng, các bệnh viện trong vùng cần khoảng 3.500 đơn vị máu cho cấp cứu."
    assert _rows(text, 2024) == [(3500, "blood_units", "other")]
    # a need of the drive itself, without a period, stays its goal
    text = "Đợt hiến máu lần này cần 800 đơn vị máu."
    assert _rows(text, 2024) == [(800, "blood_units", "target")]


def test_a_year_written_after_the_campaigns_name_is_that_edition() -> None:
    text = "Ngày hội Giọt hồng 2022 đã tiếp nhận 2.640 đơn vị máu."
    assert _rows(text, 2023) == [(2640, "blood_units", "other")]  # an earlier edition
    assert _rows(text, 2022) == [(2640, "blood_units", "achieved")]  # its own


def test_a_score_and_a_colleague_count_nothing() -> None:
    # whole things are counted in whole numbers: "27,5 điểm" is an exam score, not sites
    assert _rows("Em trúng tuyển với 27,5 điểm, mẹ nuôi 3 chị em ăn học.", 2024) == []
    # "đồng nghiệp" is a colleague, not money ("đồng")
    assert _rows("Chị rủ thêm 4 đồng nghiệp cùng đến hiến máu.", 2024) == []
