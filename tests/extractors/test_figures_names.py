"""Hospital names, campaign names, years and organisers; the relevance gate."""

from __future__ import annotations

import pytest

from extractors.campaign import extract_campaign
from extractors.extract import extract_article, is_relevant, read_article
from extractors.hospitals import extract_hospitals
from tests.helpers import REALPAGES as REALPAGES


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "điều trị tại Bệnh viện 19-8 Bộ Công an, Viện Huyết học và Truyền máu Trung ương, "
            "Bệnh viện Trung ương Quân đội 108 và Bệnh viện Hữu nghị Việt - Đức...",
            [
                "Bệnh viện 19-8 Bộ Công an",
                "Viện Huyết học và Truyền máu Trung ương",
                "Bệnh viện Trung ương Quân đội 108",
                "Bệnh viện Hữu nghị Việt - Đức",
            ],
        ),
        (
            "Máu được chuyển về Bệnh viện Chợ Rẫy và Bệnh viện Đa khoa tỉnh Phú Yên.",
            ["Bệnh viện Chợ Rẫy", "Bệnh viện Đa khoa tỉnh Phú Yên"],
        ),
        (
            "Trung tâm Truyền máu Chợ Rẫy, Bệnh viện Quân y 175 Bộ Quốc phòng; Bệnh viện Đại học Y Dược TP. Hồ Chí Minh.",
            [
                "Trung tâm Truyền máu Chợ Rẫy",
                "Bệnh viện Quân y 175 Bộ Quốc phòng",
                "Bệnh viện Đại học Y Dược TP. Hồ Chí Minh",
            ],
        ),
        (
            "Bệnh viện Y học cổ truyền Bộ Công an và Viện Huyết học - Truyền máu Trung ương",
            ["Bệnh viện Y học cổ truyền Bộ Công an", "Viện Huyết học - Truyền máu Trung ương"],
        ),
        (
            "Bệnh viện Nhi đồng 1, Bệnh viện Nhi đồng 2 và BV Chợ Rẫy",
            ["Bệnh viện Nhi đồng 1", "Bệnh viện Nhi đồng 2", "BV Chợ Rẫy"],
        ),
        ("Máu chuyển về bệnh viện Bạch Mai hôm qua.", ["bệnh viện Bạch Mai"]),
        (
            "Bệnh viện Sản - Nhi Nghệ An và Bệnh viện Ung bướu Thanh Hoá",
            ["Bệnh viện Sản - Nhi Nghệ An", "Bệnh viện Ung bướu Thanh Hoá"],
        ),
        # counts, generic mentions and plurals are no names
        ("Máu được chia về 4 bệnh viện và các bệnh viện Trung ương.", []),
        ("Bệnh viện đã tiếp nhận; nhiều bệnh viện tuyến huyện thiếu máu.", []),
        ("trung tâm truyền máu khu vực lớn nhất", []),
        # each name once, at its first mention; a shorter later mention is the same hospital
        (
            "Bệnh viện 19-8 Bộ Công an tiếp nhận. Sau đó Bệnh viện 19-8 và Bệnh viện 19-8 Bộ Công an cảm ơn.",
            ["Bệnh viện 19-8 Bộ Công an"],
        ),
    ],
)
def test_hospitals(text: str, names: list[str]) -> None:
    found = extract_hospitals(text)
    assert [h.name for h in found] == names
    for h in found:
        assert text[h.start : h.end] == h.name


@pytest.mark.parametrize(
    ("title", "text", "published", "expected"),
    [
        (
            'Công an Hà Nội phát động "Hành trình giọt máu nghĩa tình năm 2022"',
            "",
            None,
            (
                "Hành trình giọt máu nghĩa tình",
                "hanh-trinh-giot-mau-nghia-tinh",
                2022,
                "Công an thành phố Hà Nội",
            ),
        ),
        (
            "Công an tỉnh Phú Yên tổ chức Chủ nhật đỏ lần thứ XV năm 2023",
            "",
            "2023-01-05T08:00:00+07:00",
            ("Chủ nhật đỏ", "chu-nhat-do", 2023, "Công an tỉnh Phú Yên"),
        ),
        (
            "Khởi động Chủ nhật Đỏ lần thứ XVI - năm 2024",
            "Chủ nhật Đỏ lần thứ XVI đặt mục tiêu 120.000 đơn vị máu.",
            "2023-12-05T08:00:00+07:00",
            ("Chủ nhật Đỏ", "chu-nhat-do", 2024, "Báo Tiền Phong"),
        ),
        (
            "Đoàn Thanh niên Công an tỉnh Quảng Ninh ra quân Chương trình “Xuân yêu thương - Tết nghĩa tình”",
            "",
            "2024-01-20T08:00:00+07:00",
            ("Xuân yêu thương", "xuan-yeu-thuong", 2024, "Đoàn Thanh niên Công an tỉnh Quảng Ninh"),
        ),
        (
            "Hành trình Đỏ năm 2024 đến Phú Yên",
            "Chương trình “Hành trình Đỏ - Kết nối dòng máu Việt” lần thứ XII năm 2024 do Viện Huyết học - "
            "Truyền máu Trung ương tổ chức.",
            "2024-06-20T08:00:00+07:00",
            ("Hành trình Đỏ", "hanh-trinh-do", 2024, "Viện Huyết học - Truyền máu Trung ương"),
        ),
        (
            "Tặng quà",
            "Chương trình “Chung tay vì người nghèo” năm 2023 do Công an tỉnh Hà Tĩnh tổ chức.",
            "2023-06-20T08:00:00+07:00",
            ("Chung tay vì người nghèo", "chung-tay-vi-nguoi-ngheo", 2023, "Công an tỉnh Hà Tĩnh"),
        ),
        (
            "CATP Hà Nội trao quà Tết ấm Xuân Giáp Thìn",
            "",
            "2023-12-20T08:00:00+07:00",
            ("Tết ấm", "tet-am", 2024, "Công an thành phố Hà Nội"),
        ),
        (
            "Hơn 1.000 đơn vị máu trong ngày hội",
            "Sáng 5/3, Công an Thành phố tổ chức ngày hội hiến máu tại TP.HCM. Công an TP.HCM cho biết thêm.",
            "2024-03-05T10:00:00+07:00",
            (None, None, 2024, "Công an Thành phố Hồ Chí Minh"),
        ),
        (
            "Tuổi trẻ Công an Thanh Hóa hiến 415 đơn vị máu",
            'Hưởng ứng chương trình "Giọt hồng tri ân" năm 2024, Đoàn Thanh niên Công an tỉnh Thanh Hóa tổ chức ngày hội.',
            "2024-07-22T10:40:00+07:00",
            ("Giọt hồng tri ân", "giot-hong-tri-an", 2024, "Đoàn Thanh niên Công an tỉnh Thanh Hóa"),
        ),
        (
            "Ngày hội hiến máu",
            "Nhân Ngày Toàn dân hiến máu 7/4, Hội Chữ thập đỏ tỉnh Quảng Trị phối hợp với Công an tỉnh tổ chức ngày hội. "
            "Đây là hoạt động hưởng ứng Ngày Toàn dân hiến máu năm 2025.",
            "2025-06-14T08:00:00+07:00",
            ("Ngày Toàn dân hiến máu", "ngay-toan-dan-hien-mau", 2025, "Hội Chữ thập đỏ tỉnh Quảng Trị"),
        ),
        (
            "Công an Đắk Lắk tiếp tục chương trình",
            'Chương trình "Xuân yêu thương" do Công an tỉnh Phú Yên (cũ) khởi xướng. Công an tỉnh Đắk Lắk (mới) tổ chức năm 2026.',
            "2026-01-24T10:20:00+07:00",
            ("Xuân yêu thương", "xuan-yeu-thuong", 2026, "Công an tỉnh Đắk Lắk"),
        ),
        (
            "Công an quận Hoàn Kiếm tổ chức hiến máu",
            "",
            "2021-06-01T00:00:00+07:00",
            (None, None, 2021, "Công an quận Hoàn Kiếm"),
        ),
        (
            "Nhiều người hiến máu",
            'Anh nói: "Chương trình này rất ý nghĩa, tôi sẽ tham gia tiếp".',
            "2021-06-01T00:00:00+07:00",
            None,
        ),
    ],
)
def test_campaign(
    title: str, text: str, published: str | None, expected: tuple[str | None, str | None, int, str] | None
) -> None:
    got = extract_campaign(title, text, published)
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert (got.name, got.key, got.year, got.organizer) == expected


def test_relevance_gate() -> None:
    assert is_relevant(
        "Công an Lào Cai trao 1.200 áo ấm", "Chương trình đã trao 1.200 áo ấm, 500 chiếc chăn."
    )
    assert not is_relevant("Xử phạt 30 trường hợp vi phạm nồng độ cồn", "Đội CSGT đã xử phạt 30 trường hợp.")
    policy = (
        "Tháng 3 có nhiều chính sách mới.\nQuy định về cư trú.\nHỗ trợ hộ nghèo, học bổng, an sinh, từ thiện."
    )
    assert not is_relevant("Chính sách mới có hiệu lực", policy)
    campaign, figures, hospitals = read_article(
        "Xử phạt 30 trường hợp", "Công an quận Hoàn Kiếm xử phạt 30 trường hợp, thu 200 triệu đồng.", None
    )
    assert (campaign, figures, hospitals) == (None, (), ())


def test_real_pages_of_other_stories_yield_no_campaign_figures() -> None:
    if not REALPAGES.exists():
        pytest.skip("../shared/realpages is absent")
    pages = sorted(REALPAGES.glob("*__article*.html"))
    assert pages
    for page in pages:
        record = extract_article(page.read_bytes(), None)
        assert record.figures == () and record.campaign is None, page.name
        for h in record.hospitals:
            assert record.text[h.start : h.end] == h.name


@pytest.mark.parametrize(
    ("title", "organizer"),
    [
        ("CA tỉnh Hà Tĩnh tổ chức hiến máu", "Công an tỉnh Hà Tĩnh"),
        ("CAT Phú Yên trao quà", "Công an tỉnh Phú Yên"),
        ("CATP Hà Nội trao quà", "Công an thành phố Hà Nội"),
        ("Công an TP.HCM tổ chức hiến máu", "Công an Thành phố Hồ Chí Minh"),
        ("Công an TP Đà Nẵng phát động hiến máu", "Công an thành phố Đà Nẵng"),
        ("Công an Thủ đô ra quân", "Công an thành phố Hà Nội"),
        ("Công an Thanh Hoá trao 100 suất quà", "Công an tỉnh Thanh Hóa"),
        ("Công an tỉnh Thừa Thiên Huế và Công an Huế", "Công an tỉnh Thừa Thiên Huế"),
        ("Thành đoàn TP.HCM phát động", "Thành đoàn Thành phố Hồ Chí Minh"),
        ("Tỉnh đoàn Nghệ An phối hợp tổ chức", "Tỉnh đoàn Nghệ An"),
        ("Bộ Công an phát động hiến máu", "Bộ Công an"),
        ("Ca sĩ Mỹ Tâm và lực lượng công an hiến máu", None),
    ],
)
def test_organizer_forms(title: str, organizer: str | None) -> None:
    got = extract_campaign(title, "", "2024-01-01T00:00:00+07:00")
    assert (got.organizer if got else None) == organizer


def test_a_deadline_in_a_movements_name_is_no_edition_year() -> None:
    text = (
        "Ngày 2/10, Hội Cựu chiến binh huyện bàn giao 4 căn nhà, hưởng ứng phong trào "
        "“Chung tay xóa nhà tạm cho hộ nghèo đến năm 2027”."
    )
    got = extract_campaign("Bàn giao 4 căn nhà cho hộ nghèo", text, "2025-10-03T08:00:00+07:00")
    assert got is not None
    assert (got.name, got.year) == ("Chung tay xóa nhà tạm cho hộ nghèo", 2025)
    # the edition's own year in its name still counts
    got = extract_campaign(
        "", "Khai mạc “Ngày hội Giọt hồng năm 2026” tại trường.", "2025-12-20T08:00:00+07:00"
    )
    assert got is not None and (got.name, got.year) == ("Ngày hội Giọt hồng", 2026)


def test_a_hospitals_blood_centre_named_by_itself_is_listed_with_its_hospital() -> None:
    text = "Trung tâm Huyết học - Truyền máu, Bệnh viện Đa khoa tỉnh Thái Nguyên đã tiếp nhận 400 đơn vị máu."
    assert [h.name for h in extract_hospitals(text)] == [
        "Trung tâm Huyết học - Truyền máu",
        "Bệnh viện Đa khoa tỉnh Thái Nguyên",
    ]
    # in lower case it is no name
    assert [h.name for h in extract_hospitals("các trung tâm truyền máu đều thiếu máu")] == []


def test_a_centre_of_the_hospital_is_a_department_not_another_place() -> None:
    text = (
        "Ngày hội diễn ra tại Bệnh viện Đa khoa tỉnh Hà Tĩnh. Ông Lê Văn Nam, Trưởng Trung tâm "
        "Truyền máu của bệnh viện, cho biết kho máu đang thiếu."
    )
    assert [h.name for h in extract_hospitals(text)] == ["Bệnh viện Đa khoa tỉnh Hà Tĩnh"]


def test_a_hospital_named_again_later_is_the_organiser_when_it_acts() -> None:
    text = (
        "Kho máu vơi dần, BV Thống Nhất mở cửa đón người hiến.\n\n"
        "Sáng 9/7, Bệnh viện Thống Nhất tổ chức ngày hội hiến máu tại sảnh khu A."
    )
    got = extract_campaign("Hơn 300 người hiến máu giữa hè", text, "2022-07-09T08:00:00+07:00")
    assert got is not None and (got.organizer, got.year) == ("Bệnh viện Thống Nhất", 2022)


def test_an_institute_written_tu_is_the_central_one_and_its_regional_centre_is_part_of_it() -> None:
    text = (
        "Viện Huyết học - Truyền máu Trung ương chủ trì. Máu được chuyển về Trung tâm Truyền máu "
        "khu vực tại Viện Huyết học - Truyền máu TƯ và Bệnh viện Đa khoa tỉnh Yên Bái."
    )
    assert [h.name for h in extract_hospitals(text)] == [
        "Viện Huyết học - Truyền máu Trung ương",
        "Bệnh viện Đa khoa tỉnh Yên Bái",
    ]


def test_a_photo_caption_of_another_edition_does_not_name_the_year() -> None:
    text = (
        "Ngày hội “Giọt hồng Sư phạm” là hoạt động thường niên của Đoàn trường từ năm 2012.\n"
        "Ảnh: Sinh viên hiến máu tại ngày hội năm 2022. Ảnh: Đoàn trường\n"
        "Ngày hội “Giọt hồng Sư phạm” lần thứ 12 diễn ra trong hai ngày."
    )
    got = extract_campaign("Ngày hội Giọt hồng Sư phạm lần thứ 12", text, "2023-11-02T08:00:00+07:00")
    assert got is not None and got.year == 2023
