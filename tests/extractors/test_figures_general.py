"""The general rules added so that extraction carries over to coverage it was not written against.

Every sentence here is made up for the test (in the style of phenomena.md), one or two per rule:
the charity topic gate, an earlier edition's results as background, the kinds of houses, tickets,
registrations and breakdowns, closing-report roles, growth and weights, organisers of more kinds.
"""

from __future__ import annotations

import pytest

from extractors.campaign import extract_campaign
from extractors.extract import read_article
from extractors.figures import extract_figures

Row = tuple[float, str, str, str]  # value, kind, role, quote


def _rows(text: str, year: int | None = 2024) -> list[Row]:
    figures = extract_figures(text, published_year=year)
    for f in figures:
        assert text[f.start : f.end] == f.quote
    return [(f.value, f.kind, f.role, f.quote) for f in figures]


# -- 1. the topic gate: charity coverage passes, other news does not --------------------------------
CHARITY = [
    (
        "Công an tỉnh Gia Lai bàn giao 40 căn nhà cho hộ nghèo",
        "Sáng 5/11, Công an tỉnh Gia Lai bàn giao 40 căn nhà cho hộ nghèo ở các xã vùng sâu.\n"
        "Mỗi căn được hỗ trợ 70 triệu đồng từ nguồn đóng góp của cán bộ, chiến sĩ.",
        (40, "gifts"),
    ),
    (
        "Tặng 1.800 vé xe cho công nhân về quê đón Tết",
        "Liên đoàn Lao động tỉnh Đồng Nai tặng 1.800 vé xe cho công nhân có hoàn cảnh khó khăn.\n"
        "Chương trình có 45 chuyến xe đi các tỉnh miền Trung.",
        (1800, "gifts"),
    ),
    (
        "Vận động 2,1 tỷ đồng chăm lo Tết cho người nghèo",
        "Hội Chữ thập đỏ tỉnh Nghệ An đã vận động được 2,1 tỷ đồng ủng hộ người nghèo đón Tết.\n"
        "Hội đã trao 900 chiếc bánh tét và 300 bộ áo phao cho ngư dân.",
        (2_100_000_000, "money_vnd"),
    ),
]

UNRELATED = [
    (
        "Giá xăng tăng hơn 600 đồng mỗi lít",
        "Từ 15h chiều nay, giá xăng RON 95 tăng 620 đồng, lên 21.300 đồng một lít.\n"
        "Quỹ bình ổn giá còn khoảng 5.100 tỷ đồng.",
    ),
    (
        "Xe khách lật trên đèo, 12 người bị thương",
        "Rạng sáng 3/4, xe khách chở 38 người lật trên đèo Bảo Lộc, 12 người bị thương.\n"
        "Cảnh sát giao thông đã phân luồng 5 km quốc lộ.",
    ),
    (
        "Hà Nội công bố chuẩn hộ nghèo mới",
        "Theo chuẩn mới, hộ nghèo ở khu vực thành thị có thu nhập dưới 2,5 triệu đồng mỗi tháng.\n"
        "Thành phố hiện có 1.200 hộ nghèo, giảm 30% so với năm trước.",
    ),
    (
        "Đội bóng Công an Hà Nội thắng 2-1",
        "Trận đấu thu hút 9.000 khán giả. Đội bóng nhận thưởng 300 triệu đồng.\nSau 10 vòng, đội có 21 điểm.",
    ),
]


@pytest.mark.parametrize(("title", "text", "first"), CHARITY, ids=[c[0][:30] for c in CHARITY])
def test_charity_articles_pass_the_gate(title: str, text: str, first: tuple[float, str]) -> None:
    _, figures, _ = read_article(title, text, "2024-12-01T08:00:00+07:00")
    assert figures, "a charity story yielded no figures"
    assert (figures[0].value, figures[0].kind) == first


@pytest.mark.parametrize(("title", "text"), UNRELATED, ids=[c[0][:30] for c in UNRELATED])
def test_unrelated_stories_still_yield_nothing(title: str, text: str) -> None:
    campaign, figures, _ = read_article(title, text, "2025-03-01T08:00:00+07:00")
    assert figures == ()
    assert campaign is None or campaign.name is None


def test_quoted_charity_name_opens_the_gate() -> None:
    title = 'Trao 12 căn nhà "Mái ấm biên cương" cho đồng bào'
    text = 'Ngày 2/9, Bộ Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn tổ chức trao 12 căn nhà "Mái ấm biên cương".'
    campaign, figures, _ = read_article(title, text, "2024-09-03T08:00:00+07:00")
    assert campaign is not None and campaign.name == "Mái ấm biên cương"
    assert campaign.organizer == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Lạng Sơn"
    assert [(f.value, f.kind) for f in figures] == [(12, "gifts")]


def test_known_programme_after_a_campaign_word_in_lower_case() -> None:
    got = extract_campaign("", "Tỉnh đã hoàn thành chương trình xóa nhà tạm, nhà dột nát.", "2025-06-01")
    assert got is not None and (got.name, got.key) == ("Xóa nhà tạm, nhà dột nát", "xoa-nha-tam-nha-dot-nat")


# -- 2. an earlier edition's results are background; a total over years, and its parts, are history --
@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (
            "Năm 2022, ngày hội thu được 950 đơn vị máu, vượt 5% chỉ tiêu.",
            [(950, "blood_units", "other", "950 đơn vị máu"), (5, "other", "other", "5%")],
        ),
        (
            "Lần tổ chức trước, chương trình trao 420 suất quà.",
            [(420, "gifts", "other", "420 suất quà")],
        ),
        (
            "Mùa trước, đội hình tình nguyện đã tiếp nhận 1.150 đơn vị máu.",
            [(1150, "blood_units", "other", "1.150 đơn vị máu")],
        ),
        (  # a plan of an earlier year is no plan of this campaign
            "Năm 2022, Ban tổ chức đặt chỉ tiêu 800 đơn vị máu.",
            [(800, "blood_units", "other", "800 đơn vị máu")],
        ),
        (  # a growth percentage compares two years
            "Năm 2023, đợt hiến máu thu được 700 đơn vị máu; như vậy kết quả năm nay tăng 18,5%.",
            [(700, "blood_units", "other", "700 đơn vị máu"), (18.5, "other", "other", "18,5%")],
        ),
        (  # the years that make up a multi-year total are parts of that history
            "Từ năm 2018 đến nay, hội đã vận động 6.400 đơn vị máu. Trong đó, năm 2023 đạt 1.300 đơn vị máu.",
            [
                (6400, "blood_units", "cumulative", "6.400 đơn vị máu"),
                (1300, "blood_units", "cumulative", "1.300 đơn vị máu"),
            ],
        ),
        (  # ... in the same sentence too
            "Qua 6 năm, đội đã trao 3.100 suất quà, trong đó năm 2022 trao 640 suất quà.",
            [(3100, "gifts", "cumulative", "3.100 suất quà"), (640, "gifts", "cumulative", "640 suất quà")],
        ),
    ],
)
def test_earlier_editions(text: str, rows: list[Row]) -> None:
    assert _rows(text) == rows


# -- 3. kinds ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (
            "Đến trưa, đã có 860 người đăng ký; trong đó 95 người lần đầu tham gia.",
            [
                (860, "registrations", "achieved", "860 người đăng ký"),
                (95, "participants", "achieved", "95 người"),
            ],
        ),
        (
            "Trên 2.000 người đã đăng ký hiến máu tại ngày hội.",
            [(2000, "registrations", "achieved", "2.000 người")],
        ),
        (
            "Số người đăng ký đã lên tới 1.530 người.",
            [(1530, "registrations", "achieved", "1.530 người")],
        ),
        (
            "Ngày hội hiến máu đã tiếp nhận 9.800 đơn vị máu. Cụ thể, Hà Nội tiếp nhận 3.100 đơn vị; "
            "Huế 1.240 đơn vị; Cần Thơ 980 đơn vị.",
            [
                (9800, "blood_units", "achieved", "9.800 đơn vị máu"),
                (3100, "blood_units", "achieved", "3.100 đơn vị"),
                (1240, "blood_units", "achieved", "1.240 đơn vị"),
                (980, "blood_units", "achieved", "980 đơn vị"),
            ],
        ),
        (
            "Đơn vị đã bàn giao 15 ngôi nhà, 600 vé tàu, 120 bộ áo phao, 1.500 chiếc bánh tét "
            "và 40 suất học bổng cho 7 tỉnh bằng 12 chuyến xe.",
            [
                (15, "gifts", "achieved", "15 ngôi nhà"),
                (600, "gifts", "achieved", "600 vé tàu"),
                (120, "gifts", "achieved", "120 bộ áo phao"),
                (1500, "gifts", "achieved", "1.500 chiếc bánh tét"),
                (40, "gifts", "achieved", "40 suất học bổng"),
                (7, "other", "achieved", "7 tỉnh"),
                (12, "other", "achieved", "12 chuyến xe"),
            ],
        ),
        (  # cases are patients only when someone is saved or treated
            "Đã có 1.900 lượt đăng ký, nhưng 160 trường hợp không đủ điều kiện hiến máu.",
            [
                (1900, "registrations", "achieved", "1.900 lượt đăng ký"),
                (160, "other", "achieved", "160 trường hợp"),
            ],
        ),
        (
            "Nhờ nguồn máu dự trữ, bệnh viện đã cứu sống 6 trường hợp nguy kịch.",
            [(6, "patients", "achieved", "6 trường hợp")],
        ),
        (  # a ranking is no count of the campaign
            "Tỉnh là một trong 5 địa phương đầu tiên hoàn thành xóa nhà tạm.",
            [],
        ),
    ],
)
def test_kinds(text: str, rows: list[Row]) -> None:
    assert _rows(text) == rows


# -- 4. closing reports, 5. non-figures, 7. money --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (
            "Sau 4 đợt tổ chức từ ngày 3.8 đến 20.8, chương trình đã tiếp nhận 1.640 đơn vị máu, đạt 117,1% kế hoạch.",
            [
                (4, "other", "achieved", "4 đợt"),
                (1640, "blood_units", "achieved", "1.640 đơn vị máu"),
                (117.1, "other", "achieved", "117,1%"),
            ],
        ),
        (
            "Kết thúc chương trình, Ban tổ chức đã tiếp nhận 2.210 đơn vị máu, tăng 12% so với kế hoạch ban đầu.",
            [(2210, "blood_units", "achieved", "2.210 đơn vị máu"), (12, "other", "other", "12%")],
        ),
        (
            "Người hiến máu cần cân nặng từ 42 kg trở lên; nữ nặng 45 kg, nhà tạm rộng 24 m2.",
            [],
        ),
        (
            "Mỗi suất quà trị giá 900.000 đồng, gồm gạo, dầu ăn và 400.000 đồng tiền mặt.",
            [(900000, "money_vnd", "other", "900.000 đồng"), (400000, "money_vnd", "other", "400.000 đồng")],
        ),
        (
            "Đơn vị đã trao 80 suất quà và 20 triệu đồng tiền mặt cho các hộ.",
            [
                (80, "gifts", "achieved", "80 suất quà"),
                (20_000_000, "money_vnd", "achieved", "20 triệu đồng"),
            ],
        ),
        (
            "Theo kế hoạch ban đầu, tỉnh nhận hỗ trợ 1.200 căn nhà; sau đó đã hoàn thành 1.350 căn.",
            [(1200, "gifts", "target", "1.200 căn nhà"), (1350, "gifts", "achieved", "1.350 căn")],
        ),
    ],
)
def test_closing_and_non_figures(text: str, rows: list[Row]) -> None:
    assert _rows(text) == rows


# -- national phrases and references ----------------------------------------------------------------------
def test_national_phrase_placing_a_noun_is_no_scope() -> None:
    text = "Ngày hội chính diễn ra tại 31 điểm trên cả nước, tiếp nhận 9.050 đơn vị máu."
    assert [r[2] for r in _rows(text, 2025)] == ["achieved", "achieved"]
    national = "Năm nay, lực lượng Công an trên cả nước đã tổ chức 140 đợt hiến máu."
    assert [r[2] for r in _rows(national, 2025)] == ["other"]


def test_national_goal_of_the_campaign_itself_is_a_target() -> None:
    text = "Hành trình năm nay đi qua 30 tỉnh, với mục tiêu chung toàn quốc 90.000 đơn vị máu."
    assert _rows(text)[-1] == (90000, "blood_units", "target", "90.000 đơn vị máu")


def test_breakdown_takes_the_scope_of_the_total() -> None:
    text = (
        "Tổng kinh phí là 75 tỷ đồng, do cán bộ, chiến sĩ trong toàn lực lượng đóng góp. "
        "Trong đó, tỉnh Sơn La nhận 210 căn; Lai Châu 190 căn."
    )
    assert [r[2] for r in _rows(text)] == ["achieved", "achieved", "achieved"]


def test_a_number_after_trong_so_repeats_an_earlier_figure() -> None:
    text = (
        "Năm 2023, cả nước tiếp nhận 1,5 triệu đơn vị máu từ 1,2 triệu lượt người. "
        "Trong số 1,2 triệu lượt người hiến máu năm 2023, có 55% là người hiến nhắc lại; nhiều người đã hiến 20 lần."
    )
    roles = {r[3]: r[2] for r in _rows(text)}
    assert roles["1,2 triệu lượt người"] == "other"
    assert roles["55%"] == "other"


# -- 6. organisers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "text", "organizer"),
    [
        ("", "Hội Chữ thập đỏ tỉnh Hà Tĩnh tổ chức trao quà.", "Hội Chữ thập đỏ tỉnh Hà Tĩnh"),
        ("", "Liên đoàn Lao động tỉnh Long An phát động chương trình.", "Liên đoàn Lao động tỉnh Long An"),
        ("", "Tỉnh Đoàn Bến Tre tổ chức ngày hội.", "Tỉnh Đoàn Bến Tre"),
        (
            "Hơn 500 đơn vị máu ở Sơn La",
            "Đoàn Thanh niên Công an tỉnh phát động ngày hội. Phó Giám đốc Công an tỉnh cho biết như vậy.",
            "Đoàn Thanh niên Công an tỉnh Sơn La",
        ),
        (
            "Quà Tết cho người nghèo Bắc Giang",
            "Ông A, Chủ tịch Hội Chữ thập đỏ tỉnh, cho biết.",
            "Hội Chữ thập đỏ tỉnh Bắc Giang",
        ),
        (
            "",
            "Bệnh viện Truyền máu Huyết học TP.HCM kêu gọi người dân hiến máu nhóm O.",
            "Bệnh viện Truyền máu Huyết học TP.HCM",
        ),
    ],
)
def test_organisers_of_more_kinds(title: str, text: str, organizer: str) -> None:
    got = extract_campaign(title, text, "2025-01-10T08:00:00+07:00")
    assert got is not None and got.organizer == organizer


def test_people_who_registered_are_registrations_and_the_next_count_is_not() -> None:

    text = (
        "Kết thúc buổi sáng, có 458 cán bộ, chiến sĩ đăng ký hiến máu; 410 đơn vị máu đạt chuẩn được tiếp nhận.\n"
        "Tại 12 điểm hiến máu đã có 3.050 lượt đăng ký và 2.870 lượt cán bộ, chiến sĩ tham gia hiến máu."
    )
    kinds = {f.quote: f.kind for f in extract_figures(text, published_year=2024)}
    assert kinds["458 cán bộ, chiến sĩ"] == "registrations"
    assert kinds["3.050 lượt đăng ký"] == "registrations"
    assert kinds["2.870 lượt cán bộ, chiến sĩ"] == "participants"


def test_an_unrelated_story_names_no_hospitals() -> None:

    campaign, figures, hospitals = read_article(
        "Xe khách lật trên đèo, nhiều người bị thương",
        "Rạng sáng nay, một xe khách chở 30 người bị lật trên đèo. "
        "Các nạn nhân được đưa tới Bệnh viện Đa khoa khu vực Bảo Lộc cấp cứu.",
        "2025-03-02T06:00:00+07:00",
    )
    assert (campaign, figures, hospitals) == (None, (), ())


# -- 8. off-topic titles: crime and tree-planting stories that use charity words ------------------------
@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Khởi tố kẻ lập quỹ từ thiện giả, chiếm đoạt 800 triệu đồng",
            "Công an tỉnh Nam Định khởi tố Lê Văn T. (41 tuổi), người kêu gọi ủng hộ để mua 1.000 phần quà "
            "và 300 chiếc chăn cho người nghèo vùng lũ, rồi chiếm đoạt 800 triệu đồng.",
        ),
        (
            "Công an tỉnh Hà Nam ra quân trồng 3.000 cây xanh đầu xuân",
            "Sáng 10/2, Công an tỉnh Hà Nam tổ chức lễ phát động trồng cây, hơn 400 cán bộ, chiến sĩ tham gia "
            "trồng 3.000 cây xanh; Đoàn Thanh niên trao 50 suất quà cho hộ nghèo.",
        ),
    ],
)
def test_off_topic_titles_yield_nothing(title: str, text: str) -> None:
    assert read_article(title, text, "2025-02-10T08:00:00+07:00") == (None, (), ())


def test_off_topic_cue_with_the_campaign_quoted_in_the_title_is_coverage() -> None:
    title = 'Cảnh báo lừa đảo, "Hành trình đỏ" vẫn tiếp nhận 900 đơn vị máu'
    text = "Ngày 5/7, chương trình “Hành trình đỏ” tại Hà Tĩnh đã tiếp nhận 900 đơn vị máu hiến tặng."
    campaign, figures, _ = read_article(title, text, "2025-07-05T08:00:00+07:00")
    assert campaign is not None and campaign.name == "Hành trình đỏ"
    assert [(f.value, f.role) for f in figures] == [(900, "achieved")]


def test_a_unit_of_investigators_is_no_crime_cue() -> None:
    title = "Phòng Cảnh sát điều tra trao 200 phần quà cho trẻ em nghèo"
    text = "Phòng Cảnh sát điều tra Công an tỉnh Bắc Giang đã trao 200 phần quà cho trẻ em có hoàn cảnh khó khăn."
    _, figures, _ = read_article(title, text, "2025-06-01T08:00:00+07:00")
    assert [(f.value, f.kind) for f in figures] == [(200, "gifts")]


# -- 9. organisers of the army, the navy and schools ---------------------------------------------------
@pytest.mark.parametrize(
    ("text", "organizer"),
    [
        ("Sáng 3/3, Sư đoàn 312 (Quân đoàn 12) tổ chức ngày hội hiến máu.", "Sư đoàn 312"),
        (
            "Bộ Tư lệnh Vùng 3 Hải quân phối hợp Lữ đoàn 162 phát động hiến máu.",
            "Bộ Tư lệnh Vùng 3 Hải quân",
        ),
        (
            "Ngày hội do Đoàn Thanh niên Trường đại học Y Dược Cần Thơ tổ chức vào cuối tuần.",
            "Đoàn Thanh niên Trường đại học Y Dược Cần Thơ",
        ),
    ],
)
def test_army_and_school_organisers(text: str, organizer: str) -> None:
    got = extract_campaign("", text, "2025-03-03T08:00:00+07:00")
    assert got is not None and got.organizer == organizer


# -- 10. states, shares and hand-overs ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (  # a club's size stated as fact, even when a plan word closes the sentence
            "Câu lạc bộ hiện có 140 thành viên, sẵn sàng hiến máu khi bệnh viện cần.",
            [(140, "members", "other", "140 thành viên")],
        ),
        (  # a share and a coverage rate are no result of the drive
            "Năm 2023, người hiến lần đầu chiếm 45%; kho máu chỉ đáp ứng khoảng 55% nhu cầu, "
            "trong khi mỗi ngày bệnh viện cần 600 đơn vị máu.",
            [
                (45, "other", "other", "45%"),
                (55, "other", "other", "55%"),
                (600, "blood_units", "other", "600 đơn vị máu"),
            ],
        ),
        (
            "Đợt này, khoảng 30% là sinh viên hiến máu lần đầu.",
            [(30, "other", "other", "30%")],
        ),
        (  # patients under treatment who will benefit
            "Máu được chuyển về bệnh viện, nơi đang điều trị cho khoảng 250 bệnh nhân cần truyền máu.",
            [(250, "patients", "other", "250 bệnh nhân")],
        ),
        (  # a result word in its own clause ends the plan's reach
            "Ban tổ chức dự kiến trao 500 phần quà nhưng đã vận động được 900 triệu đồng, "
            "đồng thời tặng thêm 25 chiếc xe đạp.",
            [
                (500, "gifts", "target", "500 phần quà"),
                (900_000_000, "money_vnd", "achieved", "900 triệu đồng"),
                (25, "gifts", "achieved", "25 chiếc xe đạp"),
            ],
        ),
        (  # relief handed over
            "Đơn vị chuyển 15 tấn gạo và 600 áo phao đến vùng lũ.",
            [(15, "other", "achieved", "15 tấn gạo"), (600, "gifts", "achieved", "600 áo phao")],
        ),
        (  # year to date: this year's running total is a result (issue 12)
            "Sáu tháng đầu năm, tỉnh đã tiếp nhận khoảng 7.400 đơn vị máu.",
            [(7400, "blood_units", "achieved", "7.400 đơn vị máu")],
        ),
        (  # events are counted like rounds; "cung cấp" is no label
            "Từ năm 2018 đến nay, đơn vị đã tổ chức 9 ngày hội hiến máu và 40 sự kiện; "
            "mỗi ngày Viện cần cung cấp 900 - 1.100 đơn vị máu. Đoàn trao 30 cặp kính cận cho 200 trẻ.",
            [
                (9, "other", "cumulative", "9 ngày hội"),
                (40, "other", "cumulative", "40 sự kiện"),
                (900, "blood_units", "other", "900 - 1.100 đơn vị máu"),
                (30, "gifts", "achieved", "30 cặp kính cận"),
                (200, "other", "achieved", "200 trẻ"),
            ],
        ),
    ],
)
def test_states_shares_and_hand_overs(text: str, rows: list[Row]) -> None:
    assert _rows(text) == rows


# -- who is counted, in the words of school and hospital coverage (heldout5) -----------------------
def test_students_as_ban_and_staff_as_nhan_vien_are_people() -> None:
    text = "Kết thúc ngày hội, đã có 286 bạn đủ điều kiện hiến máu, trong đó có 37 nhân viên y tế."
    kinds = {(v, k) for v, k, _, _ in _rows(text)}
    assert kinds == {(286, "participants"), (37, "participants")}
    # children given gifts are not donors
    assert [(v, k) for v, k, _, _ in _rows("Đoàn trao quà cho 45 bạn nhỏ.")] == [(45, "other")]


def test_clusters_are_sites_and_friends_a_donor_brought_are_no_figure() -> None:
    assert [(v, k) for v, k, _, _ in _rows("Các đơn vị đã tổ chức hiến máu tại 4 cụm điểm.")] == [
        (4, "sites")
    ]
    assert _rows("“Em rủ thêm 3 bạn cùng lớp đi hiến”, Lan nói.") == []


# -- heldout6: results by unit, goods, disasters, a plan's list -------------------------------------
def test_a_list_of_results_by_unit_counts_blood_in_a_blood_story() -> None:
    text = (
        "Ngày hội hiến máu tình nguyện của Công an tỉnh thu hút đông đảo người tham gia hiến máu.\n"
        "Kết quả theo từng đơn vị như sau:\n"
        "+ Công an TP Vinh: 284 đơn vị;\n"
        "+ Công an huyện Diễn Châu: 137 đơn vị.\n"
        "Ngày hội có sự tham gia của 23 đơn vị. Có 15 đơn vị, doanh nghiệp đồng hành."
    )
    kinds = {(v, k) for v, k, _, _ in _rows(text)}
    assert {(284, "blood_units"), (137, "blood_units"), (23, "other"), (15, "other")} <= kinds


def test_goods_of_a_free_market_are_gifts_and_finished_houses_too() -> None:
    assert [(v, k) for v, k, _, _ in _rows("Đoàn tổ chức Phiên chợ 0 đồng với 1.500 sản phẩm.")] == [
        (1500, "gifts")
    ]
    assert [(v, k) for v, k, _, _ in _rows("Đến nay, toàn tỉnh đã hoàn thành 812 nhà cho hộ nghèo.")] == [
        (812, "gifts")
    ]


def test_victims_and_damage_of_a_disaster_are_no_result_of_the_relief() -> None:
    text = "Bão đã làm hơn 120 người chết và mất tích, thiệt hại ban đầu ước tính hơn 9.000 tỉ đồng."
    assert [(v, k, r) for v, k, r, _ in _rows(text)] == [(9_000_000_000_000, "money_vnd", "other")]


def test_the_goal_after_its_noun_and_year_and_a_plans_list_of_goals_are_targets() -> None:
    text = "Đến nay, hội đã vận động được 4.120 đơn vị máu, đạt 68% kế hoạch năm 2022 là 6.000 đơn vị máu."
    assert (6000, "blood_units", "target") in [(v, k, r) for v, k, r, _ in _rows(text, 2022)]
    text = "Năm 2024, hội phấn đấu vận động 50 tỷ đồng, tiếp nhận 18.000 đơn vị máu, xây mới 30 nhà nhân đạo."
    assert {r for _, _, r, _ in _rows(text)} == {"target"}
    # a plan, then a result of its own with its own subject, stays a result
    text = "Ban tổ chức dự kiến trao 500 suất quà, ngày đầu tiên đã trao 200 suất."
    assert [(v, r) for v, _, r, _ in _rows(text)] == [(500, "target"), (200, "achieved")]


def test_what_a_drive_under_way_will_still_do_is_its_plan() -> None:
    text = "Trong thời gian còn lại, chương trình tiếp tục tổ chức tại 6 điểm ở các huyện miền núi."
    assert [(v, k, r) for v, k, r, _ in _rows(text)] == [(6, "sites", "target")]


def test_a_body_written_with_its_abbreviation_in_brackets_is_the_organiser() -> None:
    text = "Ngày 12-9, Liên đoàn Lao động (LĐLĐ) tỉnh Thái Bình trao hỗ trợ cho đoàn viên vùng lũ."
    got = extract_campaign("Trao hỗ trợ đoàn viên vùng lũ", text, "2024-09-12T08:00:00+07:00")
    assert got is not None and got.organizer == "Liên đoàn Lao động tỉnh Thái Bình"


# -- heldout7: registrations written as "ghi tên", goods gathered, a list joined by "và" -------------
def test_people_who_put_their_names_down_registered() -> None:
    text = "Theo ban tổ chức, hơn 640 phật tử và người dân đã ghi tên hiến máu."
    assert [(v, k) for v, k, _, _ in _rows(text)] == [(640, "registrations")]


def test_goods_gathered_are_a_result_whatever_plan_follows_them() -> None:
    text = "Cộng đồng còn gom được 1.800 thùng mì, dự kiến gửi về miền Trung vào cuối tháng."
    assert [(v, r) for v, _, r, _ in _rows(text)] == [(1800, "achieved")]


def test_results_by_place_joined_by_va_count_blood() -> None:
    text = (
        "Chương trình hiến máu tình nguyện khép lại với nhiều kết quả; các trường hiến máu đông.\n"
        "Dẫn đầu là TP.HCM với 9.240 đơn vị, tiếp theo là Hà Nội với 8.115 đơn vị và Đà Nẵng với 3.760 đơn vị."
    )
    kinds = {(v, k) for v, k, _, _ in _rows(text)}
    assert {(9240, "blood_units"), (8115, "blood_units"), (3760, "blood_units")} <= kinds


def test_a_see_also_line_of_links_ends_the_article() -> None:
    text = (
        "Hội Chữ thập đỏ tỉnh đã vận động được 6,2 tỷ đồng trong Tháng Nhân đạo.\n"
        "Xem thêm: Phù Cát trao 200 suất học bổng cho học sinh nghèo; Tây Sơn xây 4 nhà nhân đạo"
    )
    assert [v for v, _, _, _ in _rows(text)] == [6_200_000_000]


def test_a_plan_for_a_list_of_people_reaches_past_its_comma_and_vouchers_are_gifts() -> None:
    text = (
        "Toàn tỉnh phấn đấu chăm lo cho 80.000 đoàn viên, người lao động với tổng kinh phí khoảng 60 tỷ đồng."
    )
    assert {r for _, _, r, _ in _rows(text)} == {"target"}
    text = "Tại phiên chợ, ban tổ chức đã phát 1.500 phiếu mua hàng cho công nhân."
    assert [(v, k) for v, k, _, _ in _rows(text)] == [(1500, "gifts")]
    # "vượt xa kế hoạch" is a result, its plan word hidden
    text = "Tháng Nhân đạo khép lại vượt xa kế hoạch: vận động 7,4 tỷ đồng."
    assert [r for _, _, r, _ in _rows(text)] == ["achieved"]
