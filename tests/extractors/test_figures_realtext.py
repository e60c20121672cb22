"""Rules learnt from real coverage (issue 12): longer, looser text than the in-house corpora.

Every sentence is made up for the test in the style of ``../shared/phenomena.md``; none is copied
from real articles. One block per failure class of the issue.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.campaign import extract_campaign
from extractors.extract import DROP_REASONS, drop_reason, extract_article, read_article
from extractors.figures import extract_figures
from extractors.hospitals import extract_hospitals
from extractors.record import ArticleRecord, Figure

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


# -- 4. gates: real coverage passes, and a record says why it holds nothing ------------------------
@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Phòng An ninh điều tra Công an tỉnh hiến 96 đơn vị máu",
            "Sáng 12/3, Phòng An ninh điều tra Công an tỉnh tổ chức ngày hội hiến máu tình nguyện, "
            "thu được 96 đơn vị máu.",
        ),
        (
            "Đoàn Thanh niên ra quân Tết trồng cây kết hợp hiến máu tình nguyện",
            "Sau lễ ra quân Tết trồng cây, đoàn viên tham gia hiến máu tình nguyện, thu được 140 đơn vị máu.",
        ),
        (
            "Kho máu cạn, nhóm máu O chỉ đủ dùng vài ngày",
            "Lượng máu dự trữ của viện hiện chỉ còn khoảng 3.200 đơn vị.\nBệnh viện kêu gọi người dân đi hiến máu.",
        ),
    ],
)
def test_real_coverage_passes_the_gates(title: str, text: str) -> None:
    _, figures, _ = read_article(title, text, "2025-03-12T08:00:00+07:00")
    assert figures


def test_other_stories_still_fail_the_gates() -> None:
    title = "Công an huyện ra quân trồng 3.000 cây xanh hưởng ứng Tết trồng cây"
    text = "Sáng 10/2, hơn 200 cán bộ, chiến sĩ trồng 3.000 cây xanh; dịp này đoàn cũng trao 20 phần quà."
    assert read_article(title, text, "2025-02-10T08:00:00+07:00") == (None, (), ())
    title = "Bắt đối tượng giả danh kêu gọi ủng hộ người nghèo, chiếm đoạt 600 triệu đồng"
    text = "Đối tượng lập trang mạng kêu gọi ủng hộ người nghèo, chiếm đoạt 600 triệu đồng từ thiện."
    assert read_article(title, text, "2025-02-10T08:00:00+07:00") == (None, (), ())


def _record(title: str | None, text: str, figures: tuple[Figure, ...] = ()) -> ArticleRecord:
    return ArticleRecord(
        url="https://example.vn/a.html",
        canonical_url=None,
        site="example.vn",
        title=title,
        published="2025-02-10T08:00:00+07:00",
        section=None,
        language="vi",
        text=text,
        campaign=None,
        figures=figures,
        hospitals=(),
        extractor_version="test",
    )


def test_drop_reason_says_why_a_record_holds_no_figures() -> None:
    assert drop_reason(_record("Tin hiến máu", "")) == "no_text"
    title = "Khởi tố đối tượng lừa đảo chiếm đoạt tiền từ thiện"
    assert drop_reason(_record(title, "Đối tượng chiếm đoạt 2 tỷ đồng từ thiện.")) == "off_topic_title"
    title = "Giá xăng giảm hơn 400 đồng mỗi lít"
    assert drop_reason(_record(title, "Giá xăng giảm 420 đồng một lít từ 15h.")) == "not_coverage"
    title = "Công an tỉnh phát động phong trào hiến máu tình nguyện"
    text = "Công an tỉnh phát động phong trào hiến máu tình nguyện trong toàn lực lượng."
    assert drop_reason(_record(title, text)) == "no_figures"
    text = "Ngày hội hiến máu tình nguyện thu được 120 đơn vị máu."
    _, figures, _ = read_article(title, text, None)
    assert figures and drop_reason(_record(title, text, figures)) is None
    assert set(DROP_REASONS) == {"no_text", "off_topic_title", "not_coverage", "no_figures"}


# -- 6. the edition's year on a page without a date -------------------------------------------------
@pytest.mark.parametrize(
    ("text", "year"),
    [
        (
            "Hội Chữ thập đỏ tỉnh Quảng Trị được thành lập năm 2001. Chiều 14/11/2023, Hội tổ chức trao quà.",
            2023,
        ),
        ("Chương trình Xuân yêu thương được tổ chức từ năm 2012. Năm 2024, Hội trao 800 phần quà.", 2024),
        (
            "Năm 2023, cả nước tiếp nhận 1,6 triệu đơn vị máu. Hội Chữ thập đỏ tỉnh Quảng Trị vận động hiến máu.",
            None,
        ),
        ("Hội Chữ thập đỏ tỉnh Quảng Trị được thành lập năm 2001 và vận động hiến máu tình nguyện.", None),
    ],
)
def test_the_year_of_an_undated_page_is_the_editions_or_none(text: str, year: int | None) -> None:
    campaign = extract_campaign(None, text, None)
    assert campaign is not None and campaign.year == year


def test_a_slogan_is_no_campaign_name() -> None:
    text = (
        'Với thông điệp "Một giọt máu cho đi - Nghìn niềm vui ở lại", Lễ hội Xuân hồng năm 2025 '
        "tiếp nhận hơn 9.000 đơn vị máu."
    )
    campaign = extract_campaign(None, text, None)
    assert campaign is not None and (campaign.name, campaign.year) == ("Lễ hội Xuân hồng", 2025)


def test_a_recurring_campaign_is_named_even_in_lower_case() -> None:
    text = "Sáng 26/6, các huyện đồng loạt ra quân tiếp sức mùa thi với 40 đội hình tình nguyện."
    campaign = extract_campaign(None, text, "2025-06-26T08:00:00+07:00")
    assert campaign is not None and campaign.key == "tiep-suc-mua-thi"


def test_local_bodies_keep_their_ward_or_district() -> None:
    text = "Chiều 5/3, Hội Liên hiệp Phụ nữ phường Đông Vĩnh tổ chức trao 30 suất quà cho hội viên."
    campaign = extract_campaign(None, text, None)
    assert campaign is not None and campaign.organizer == "Hội Liên hiệp Phụ nữ phường Đông Vĩnh"
    text = "Huyện đoàn Ba Tơ tổ chức phát 300 suất cơm miễn phí cho thí sinh."
    campaign = extract_campaign(None, text, None)
    assert campaign is not None and campaign.organizer == "Huyện đoàn Ba Tơ"


# -- 7. hospitals as real text writes them ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Máu được chuyển về Trung tâm Huyết học và Truyền máu Hà Tĩnh để phục vụ người bệnh.",
            "Trung tâm Huyết học và Truyền máu Hà Tĩnh",
        ),
        (
            "Máu được chuyển về Trung tâm huyết học và truyền máu Thanh Hóa để phục vụ người bệnh.",
            "Trung tâm huyết học và truyền máu Thanh Hóa",
        ),
        (
            "Cán bộ, chiến sĩ hiến máu tại Bệnh xá số 03 Công an tỉnh vào sáng nay.",
            "Bệnh xá số 03 Công an tỉnh",
        ),
        ("Sau đó, BV Công an TP sẽ tiếp nhận máu tại các đơn vị.", "BV Công an TP"),
        ("Ngày hội do Trung tâm Hiến máu nhân đạo phối hợp tổ chức.", "Trung tâm Hiến máu nhân đạo"),
        (
            "Máu được chuyển cho Trung tâm Truyền máu Bệnh viện Chợ Rẫy.",
            "Trung tâm Truyền máu Bệnh viện Chợ Rẫy",
        ),
        (
            "Theo Viện Huyết học-Truyền máu Trung ương, kho máu đang thiếu.",
            "Viện Huyết học-Truyền máu Trung ương",
        ),
    ],
)
def test_hospital_names_of_real_text(text: str, name: str) -> None:
    assert [h.name for h in extract_hospitals(text)] == [name]


# -- 2. roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "year", "role"),
    [
        # a running total since the start of this year is this year's result
        (
            "Từ đầu năm đến nay, câu lạc bộ đã tổ chức 8 ngày hội, thu được hơn 3.100 đơn vị máu.",
            2025,
            "achieved",
        ),
        ("Từ đầu năm 2025 đến nay, hội đã vận động được 3.100 đơn vị máu.", 2025, "achieved"),
        ("Sáu tháng đầu năm, toàn huyện đã tiếp nhận 1.450 đơn vị máu.", 2025, "achieved"),
        # ... and since the start of an earlier year, a history
        ("Từ đầu năm 2021 đến nay, câu lạc bộ đã vận động được 9.800 đơn vị máu.", 2025, "cumulative"),
        # a span of years without "năm"
        ("Từ 2016 đến 2024, hội đã trao 5.200 phần quà cho người nghèo.", 2025, "cumulative"),
        ("Trong các năm từ 2018 - 2023, anh đã hiến 30 lần.", 2025, "cumulative"),
        # "mỗi người" gave so many times: each one's own history, not a rate
        ("Hai anh em mỗi người đã 24 lần hiến máu từ năm 2012 đến nay.", 2025, "cumulative"),
    ],
)
def test_running_totals_and_histories(text: str, year: int, role: str) -> None:
    rows = [r for r in _rows(text, year) if r[2] != "other"]
    assert rows and {r[3] for r in rows} == {role}


@pytest.mark.parametrize(
    "text",
    [
        # routine capacity of an institute and its supply network
        "Trung bình mỗi ngày, viện cần khoảng 1.200 đơn vị máu để cung cấp cho hơn 160 bệnh viện.",
        "Viện cung cấp máu phục vụ cấp cứu, điều trị cho hơn 160 bệnh viện khu vực phía Bắc.",
        # stocks and founding sizes
        "Hiện lượng máu dự trữ của viện chỉ còn 4.300 đơn vị, chỉ đủ dùng trong 3 ngày.",
        "Lúc ban đầu câu lạc bộ chỉ có 5 thành viên.",
        "Câu lạc bộ được thành lập với 40 thành viên.",
        # a per-unit value: the unit opens the clause
        "Đặc biệt, mỗi đơn vị máu được hiến, người hiến được tặng thêm 5kg gạo trị giá 100.000 đồng.",
    ],
)
def test_capacity_stocks_and_rates_are_other(text: str) -> None:
    rows = _rows(text, 2025)
    assert rows and {r[3] for r in rows} == {"other"}


def test_club_members_are_read_like_any_figure() -> None:
    assert _rows("Sau nửa năm hoạt động, câu lạc bộ đã có hơn 90 thành viên.", 2025)[0][3] == "achieved"
    assert _rows("Câu lạc bộ hiện có 210 thành viên.", 2025)[0][3] == "other"
    text = "Lúc ban đầu chỉ có 4 thành viên, đến nay câu lạc bộ đã có 35 thành viên."
    assert [r[3] for r in _rows(text, 2025)] == ["other", "cumulative"]
    assert _rows("Năm nay câu lạc bộ đặt mục tiêu kết nạp thêm 50 thành viên.", 2025)[0][3] == "target"


def test_a_days_wage_per_person_is_a_pledge_of_this_drive() -> None:
    text = "Ngay sau lễ phát động, cán bộ, chiến sĩ đã ủng hộ tối thiểu 1 ngày lương/người."
    assert _rows(text, 2025) == [(1, "at_least", "donations_per_person", "achieved")]


def test_a_national_campaigns_own_national_total_is_its_result() -> None:
    text = "Tính chung trên cả nước, chương trình đã tiếp nhận 98.460 đơn vị máu."
    assert _rows(text, 2025) == [(98460, None, "blood_units", "achieved")]
    text = "Năm 2025, cả nước tiếp nhận hơn 1,7 triệu đơn vị máu."
    assert _rows(text, 2025)[0][3] == "other"


def test_provinces_of_the_whole_country_scope_nothing() -> None:
    text = "Chủ nhật Đỏ năm nay sẽ diễn ra tại 20 tỉnh, thành phố của cả nước, dự kiến thu được 18.000 đơn vị máu."
    assert [(v, r) for v, _, _, r in _rows(text, 2025)] == [(20, "target"), (18000, "target")]


# -- 3. plan words reach only as far as they speak ------------------------------------------------
def test_a_purpose_speaks_only_for_its_own_phrase() -> None:
    text = (
        "Ngày hội được tổ chức nhằm bổ sung nguồn máu dịp hè, thu hút hơn 500 người tham gia, "
        "tiếp nhận 430 đơn vị máu."
    )
    assert [r for _, _, _, r in _rows(text, 2025)] == ["achieved", "achieved"]
    text = "Ngoài ra, 15 suất học bổng cũng được trao tặng nhằm khuyến khích các em học tốt."
    assert _rows(text, 2025)[0][3] == "achieved"


def test_things_made_ready_are_no_plan_but_an_event_being_prepared_is() -> None:
    text = "Ban tổ chức chuẩn bị 600 suất ăn cùng 600 phần quà cho các em."
    assert {r for _, _, _, r in _rows(text, 2025)} <= {"achieved", "other"}
    text = "Đoàn đang chuẩn bị tổ chức ngày hội với 800 phần quà cho học sinh."
    assert _rows(text, 2025)[0][3] == "target"


def test_a_plan_carries_into_the_sentence_that_continues_it() -> None:
    text = "Dự kiến ngày hội sẽ tiếp nhận 2.000 đơn vị máu. Đồng thời vận động 1.500 người tham gia xếp hình."
    assert [r for _, _, _, r in _rows(text, 2025)] == ["target", "target"]


def test_a_call_to_give_over_the_years_is_history() -> None:
    text = "Trong hơn 6 năm qua, câu lạc bộ đã vận động, kêu gọi tình nguyện viên hiến trên 4.000 đơn vị máu."
    assert _rows(text, 2025)[0][3] == "cumulative"


# -- 5 (cont.). units written before the number or in a table's header ---------------------------
@pytest.mark.parametrize(
    ("text", "value", "kind", "quote"),
    [
        (
            "Kết thúc đợt 4, tổng đơn vị máu thu được là 812, vượt kế hoạch.",
            812,
            "blood_units",
            "đơn vị máu thu được là 812",
        ),
        (
            "Tổng số người đăng ký hiến máu đạt 1.150.",
            1150,
            "registrations",
            "người đăng ký hiến máu đạt 1.150",
        ),
        ("Số phần quà đã trao: 640.", 640, "gifts", "phần quà đã trao: 640"),
    ],
)
def test_a_unit_before_its_number(text: str, value: int, kind: str, quote: str) -> None:
    figures = extract_figures(text, published_year=2025)
    assert [(f.value, f.kind, f.quote) for f in figures][:1] == [(value, kind, quote)]


def test_a_number_after_a_unit_of_another_number_is_not_its_count() -> None:
    # "người" belongs to 500; "là đoàn viên" says who they were
    assert [
        f.value for f in extract_figures("Ngày hội thu hút 500 người là đoàn viên.", published_year=2025)
    ] == [500]


def test_a_table_cell_takes_its_unit_from_the_column_header() -> None:
    text = (
        "Kết quả ngày hội hiến máu của các đơn vị như sau.\n"
        "Đơn vị | Số người đăng ký | Đơn vị máu\n"
        "Công an huyện Đông | 140 | 112\n"
        "Tổng | 230 | 188\n"
        "Toàn bộ số máu được chuyển về bệnh viện."
    )
    figures = extract_figures(text, published_year=2025)
    assert [(f.value, f.kind, f.quote) for f in figures] == [
        (140, "registrations", "140"),
        (112, "blood_units", "112"),
        (230, "registrations", "230"),
        (188, "blood_units", "188"),
    ]


def test_one_institute_under_two_spellings_is_one_hospital() -> None:
    text = (
        "Theo Viện Huyết học - Truyền máu Trung ương, kho máu đang thiếu. Viện Huyết học và Truyền máu "
        "Trung ương kêu gọi người dân hiến máu."
    )
    assert [h.name for h in extract_hospitals(text)] == ["Viện Huyết học - Truyền máu Trung ương"]


def test_a_theme_is_still_a_name_when_it_is_the_only_one() -> None:
    text = 'Sáng 4/10, Ban An toàn giao thông tỉnh tổ chức lễ trao tặng mũ với chủ đề "Mũ bảo hiểm - Nâng bước em đến trường".'
    campaign = extract_campaign(None, text, "2025-10-04T08:00:00+07:00")
    assert campaign is not None
    assert (campaign.name, campaign.year) == ("Mũ bảo hiểm - Nâng bước em đến trường", 2025)


def test_an_earlier_session_is_background_whoever_tells_it() -> None:
    text = (
        'Trưởng ban tổ chức cho biết: "Năm ngoái, ngày hội chỉ tiếp nhận 640 đơn vị máu. Năm nay con '
        'số này tăng mạnh nhờ các xã mới sáp nhập".'
    )
    assert _rows(text, 2025) == [(640, None, "blood_units", "other")]
    # told by the article itself, an earlier year's result is background too (not a multi-year total)
    assert _rows("Năm 2024, ngày hội tiếp nhận 640 đơn vị máu.", 2025)[0][3] == "other"


def test_people_who_were_examined_are_patients() -> None:
    text = "Trong ngày, hơn 1.200 lượt người dân được khám bệnh, cấp thuốc miễn phí."
    assert [(v, k) for v, _, k, _ in _rows(text, 2025)] == [(1200, "patients")]


def test_the_plan_of_a_drive_still_under_way_is_no_result() -> None:
    text = (
        "Tính đến chiều 9/5, sau 2 ngày triển khai, chương trình đã tiếp nhận 900 đơn vị máu.\n"
        "Chương trình diễn ra từ ngày 8 đến 13/5 tại 12 điểm hiến máu trên địa bàn tỉnh."
    )
    during = extract_figures(text, published_year=2025, published="2025-05-09T18:00:00+07:00")
    after = extract_figures(text, published_year=2025, published="2025-05-14T18:00:00+07:00")
    assert [(f.value, f.role) for f in during] == [(2, "achieved"), (900, "achieved"), (12, "target")]
    assert [(f.value, f.role) for f in after] == [(2, "achieved"), (900, "achieved"), (12, "achieved")]


def test_until_now_in_a_story_of_a_history_is_that_history() -> None:
    text = (
        "Trong hơn 6 năm qua, câu lạc bộ đã vận động hiến hơn 5.000 đơn vị máu.\n"
        "Đến nay, câu lạc bộ đã tập hợp được 40 thành viên nòng cốt và mạng lưới hơn 3.000 tình nguyện viên."
    )
    assert [(v, k, r) for v, _, k, r in _rows(text, 2025)] == [
        (5000, "blood_units", "cumulative"),
        (40, "members", "cumulative"),
        (3000, "members", "cumulative"),
    ]
    # in a story of this drive, "đến nay" is its running total
    text = "Sáng 5/6, ngày hội hiến máu khai mạc.\nĐến nay, ngày hội đã tiếp nhận 640 đơn vị máu."
    assert _rows(text, 2025)[0][3] == "achieved"


def test_the_editions_year_stated_in_a_programmes_words_stands_before_the_pages_date() -> None:
    text = (
        "Ngày 17-2, Công an tỉnh Nghệ An tổ chức Chương trình hiến máu nhân đạo năm 2019, thu 200 đơn vị máu."
    )
    campaign = extract_campaign(None, text, "2026-03-07T00:00:00+07:00")
    assert campaign is not None and campaign.year == 2019
    text = (
        "Chủ nhật Đỏ do Báo Tiền Phong khởi xướng. Dự kiến chương trình diễn ra từ 9/1 đến đầu tháng 2/2016."
    )
    campaign = extract_campaign(None, text, "2026-03-07T00:00:00+07:00")
    assert campaign is not None and campaign.year == 2016
    # a comparison or a first edition is no statement of this edition
    text = "Hội Chữ thập đỏ tỉnh Quảng Trị tổ chức trao quà, nhiều hơn so với chương trình năm 2023."
    campaign = extract_campaign(None, text, "2024-12-01T08:00:00+07:00")
    assert campaign is not None and campaign.year == 2024


def test_a_republished_page_is_read_by_its_layout_when_its_urls_profile_finds_nothing(
    shared_dir: Path,
) -> None:
    # A real dantri page's layout carrying another outlet's URL (thanhnien.vn): that outlet's
    # profile finds no text in this layout; content extraction reads it by the layout's profile.
    shell = shared_dir / "realpages" / "dantri__article_2026.html"
    if not shell.exists():
        pytest.skip("../shared/realpages is not present")
    import lxml.html

    doc = lxml.html.fromstring(shell.read_bytes())
    for el in doc.xpath('//link[@rel="canonical"]|//meta[@property="og:url"]'):
        el.set("href" if el.tag == "link" else "content", "https://thanhnien.vn/hien-mau-123.html")
    for el in doc.xpath(
        '//script[@type="application/ld+json"]|//meta[@name="description"]|//meta[@property="og:description"]'
    ):
        el.getparent().remove(el)
    for el in doc.xpath('//h2[@data-slot="sapo"]'):
        for child in list(el):
            el.remove(child)
        el.text = ""
    (h1,) = doc.xpath('//h1[@data-slot="title"]')
    for child in list(h1):
        h1.remove(child)
    h1.text = "Công an huyện Thạch Hà phát động hiến máu"
    (body,) = doc.xpath('//div[@data-slot="content"]')
    for child in list(body):
        body.remove(child)
    body.text = "\n"
    for words in (
        "Công an huyện Thạch Hà phát động hiến máu",
        "Sáng 3/4, Công an huyện Thạch Hà phát động phong trào hiến máu tình nguyện; ngay buổi sáng "
        "đã có hơn 140 cán bộ, chiến sĩ đăng ký tham gia hiến máu. Thạch Hà",
    ):
        para = lxml.html.Element("p")
        para.text = words
        para.tail = "\n"
        body.append(para)
    page = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
    record = extract_article(page)
    assert record.site == "thanhnien.vn"
    assert [(f.value, f.kind) for f in record.figures] == [(140, "registrations")]


def test_a_plan_with_its_own_figure_does_not_reach_the_next_result() -> None:
    # a "dự kiến" clause that states its own figure governs that figure, not the result after it
    text = "Ban tổ chức dự kiến trao 600 suất quà trong 3 ngày, ngày đầu tiên trao 250 suất."
    assert [(v, r) for v, _, _, r in _rows(text, 2025)] == [(600, "target"), (3, "target"), (250, "achieved")]
    text = "Ban tổ chức dự kiến trao 600 suất quà; ngày đầu tiên trao 250 suất."
    assert [(v, r) for v, _, _, r in _rows(text, 2025)] == [(600, "target"), (250, "achieved")]
    # an opener with no figure of its own still governs, and so does a plan's breakdown
    assert _rows("Theo kế hoạch, các hộ nghèo được nhận hỗ trợ 1.200 căn nhà.", 2025)[0][3] == "target"
    text = "Tỉnh phấn đấu tiếp nhận 20.000 đơn vị máu, trong đó khu vực miền núi đạt 30%."
    assert [r for _, _, _, r in _rows(text, 2025)] == ["target", "target"]
