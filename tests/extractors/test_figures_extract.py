"""Figures of plain text: units and kinds, roles from cue words, and the traps of phenomena.md."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.figures import body_end, extract_figures
from extractors.hospitals import extract_hospitals
from extractors.numbers import format_vi
from extractors.record import APPROX, KINDS, ROLES

Row = tuple[float, float | None, str | None, str, str, str]  # value, value_max, approx, kind, role, quote


def _rows(text: str, year: int | None = 2024) -> list[Row]:
    figures = extract_figures(text, published_year=year)
    for f in figures:
        assert text[f.start : f.end] == f.quote
    return [(f.value, f.value_max, f.approx, f.kind, f.role, f.quote) for f in figures]


CASES: list[tuple[str, list[Row]]] = [
    # number formats and hedges
    (
        "Tính đến 15h ngày 23-4, chương trình đã tiếp nhận hơn 1.700 đơn vị máu.",
        [(1700, None, "more_than", "blood_units", "achieved", "1.700 đơn vị máu")],
    ),
    (
        "Công an tỉnh đặt chỉ tiêu hiến tặng 2.000 đơn vị máu, phấn đấu tiếp nhận ít nhất 1.500 đơn vị.",
        [
            (2000, None, None, "blood_units", "target", "2.000 đơn vị máu"),
            (1500, None, "at_least", "blood_units", "target", "1.500 đơn vị"),
        ],
    ),
    (
        "Mục tiêu có từ 20.000 - 25.000 người đăng ký hiến máu.",
        [(20000, 25000, "range", "registrations", "target", "từ 20.000 - 25.000 người đăng ký")],
    ),
    (
        "Dự kiến thu về 800 đơn vị máu, theo kế hoạch sẽ có khoảng 300 cán bộ, chiến sĩ tham gia.",
        [
            (800, None, None, "blood_units", "target", "800 đơn vị máu"),
            (300, None, "about", "participants", "target", "300 cán bộ, chiến sĩ"),
        ],
    ),
    (
        "Yêu cầu tối thiểu 10% quân số tham gia hiến máu.",
        [(10, None, "at_least", "other", "target", "10%")],
    ),
    (
        "Đoàn đã trao 320 phần quà, thu hút gần 400 người tham gia, đạt 105% chỉ tiêu.",
        [
            (320, None, None, "gifts", "achieved", "320 phần quà"),
            (400, None, "nearly", "participants", "achieved", "400 người tham gia"),
            (105, None, None, "other", "achieved", "105%"),
        ],
    ),
    (
        "Chương trình vượt chỉ tiêu 62,1%.",
        [(62.1, None, None, "other", "achieved", "62,1%")],
    ),
    (
        "Sau 3 ngày, đã tiếp nhận 2.150 đơn vị máu, vượt mục tiêu đề ra là 2.000 đơn vị máu.",
        [
            (3, None, None, "days", "achieved", "3 ngày"),
            (2150, None, None, "blood_units", "achieved", "2.150 đơn vị máu"),
            (2000, None, None, "blood_units", "target", "2.000 đơn vị máu"),
        ],
    ),
    # cumulative, past year (an earlier edition's result is history: cumulative), and the clause that switches
    (
        "Thời gian qua, đơn vị đã vận động hơn 30 nghìn lượt người hiến máu.",
        [(30000, None, "more_than", "participants", "cumulative", "30 nghìn lượt người")],
    ),
    (
        "Từ năm 2010 đến nay, Công an tỉnh đã tiếp nhận hơn 32 nghìn đơn vị máu, trong đó năm 2023 đã tiếp nhận 1.200 đơn vị.",
        [
            (32000, None, "more_than", "blood_units", "cumulative", "32 nghìn đơn vị máu"),
            (1200, None, None, "blood_units", "cumulative", "1.200 đơn vị"),
        ],
    ),
    (
        "Từ năm 2011 đến nay, chương trình đã thu hút hơn 31.900 lượt cán bộ, chiến sĩ, trong đó năm 2024 đã tiếp nhận 3.013 đơn vị máu.",
        [
            (31900, None, "more_than", "participants", "cumulative", "31.900 lượt cán bộ, chiến sĩ"),
            (3013, None, None, "blood_units", "achieved", "3.013 đơn vị máu"),
        ],
    ),
    (
        "Trải qua 12 lần tổ chức, chương trình đã tiếp nhận trên 28 nghìn đơn vị máu.",
        [
            (12, None, None, "other", "cumulative", "12 lần"),
            (28000, None, "more_than", "blood_units", "cumulative", "28 nghìn đơn vị máu"),
        ],
    ),
    (
        "Năm 2023, chương trình tiếp nhận 1.200 đơn vị máu.",
        [(1200, None, None, "blood_units", "other", "1.200 đơn vị máu")],
    ),
    (
        "Năm ngoái, chương trình tiếp nhận 900 đơn vị máu, năm nay con số này là 1.100 đơn vị.",
        [
            (900, None, None, "blood_units", "other", "900 đơn vị máu"),
            (1100, None, None, "blood_units", "achieved", "1.100 đơn vị"),
        ],
    ),
    (
        "Trong 5 năm qua, câu lạc bộ đã hỗ trợ 150 ca cấp cứu.",
        [(150, None, None, "patients", "cumulative", "150 ca cấp cứu")],
    ),
    (
        "Lực lượng Công an nhân dân cả nước đã tổ chức 126 đợt hiến máu, tiếp nhận hơn 52.000 đơn vị máu.",
        [
            (126, None, None, "other", "other", "126 đợt hiến máu"),
            (52000, None, "more_than", "blood_units", "other", "52.000 đơn vị máu"),
        ],
    ),
    # per-unit values, breakdowns, registered vs actual
    (
        "Tổng trị giá hơn 5,4 tỉ đồng, mỗi phần quà trị giá 500.000 đồng.",
        [
            (5_400_000_000, None, "more_than", "money_vnd", "achieved", "5,4 tỉ đồng"),
            (500_000, None, None, "money_vnd", "other", "500.000 đồng"),
        ],
    ),
    (
        "Mỗi ngày, các bệnh viện cần 800-1.000 đơn vị máu.",
        [(800, 1000, "range", "blood_units", "other", "800-1.000 đơn vị máu")],
    ),
    (
        "Mỗi chiếc áo ấm có giá 300-350 ngàn đồng.",
        [(300_000, 350_000, "range", "money_vnd", "other", "300-350 ngàn đồng")],
    ),
    (
        "Chương trình trao 300-350 ngàn đồng mỗi suất cho 200 hộ nghèo.",
        [
            (300_000, 350_000, "range", "money_vnd", "other", "300-350 ngàn đồng"),
            (200, None, None, "other", "achieved", "200 hộ nghèo"),
        ],
    ),
    (
        "Đoàn trao 50 suất quà, mỗi suất gồm 10kg gạo, 1 thùng mì và 500.000đ tiền mặt.",
        [
            (50, None, None, "gifts", "achieved", "50 suất quà"),
            (10, None, None, "other", "other", "10kg gạo"),
            (1, None, None, "gifts", "other", "1 thùng mì"),
            (500_000, None, None, "money_vnd", "other", "500.000đ"),
        ],
    ),
    (
        "Đợt này thu được 227 đơn vị máu, trong đó 21 đơn vị loại 350ml.",
        [
            (227, None, None, "blood_units", "achieved", "227 đơn vị máu"),
            (21, None, None, "blood_units", "achieved", "21 đơn vị"),
        ],
    ),
    (
        "Có trên 100 người đăng ký, 74 đơn vị máu đạt chuẩn.",
        [
            (100, None, "more_than", "registrations", "achieved", "100 người đăng ký"),
            (74, None, None, "blood_units", "achieved", "74 đơn vị máu"),
        ],
    ),
    # kinds
    (
        "Chương trình đã tiếp nhận 2.300 ĐVM, 150 túi máu, 40 đơn vị.",
        [
            (2300, None, None, "blood_units", "achieved", "2.300 ĐVM"),
            (150, None, None, "blood_units", "achieved", "150 túi máu"),
            (40, None, None, "blood_units", "achieved", "40 đơn vị"),
        ],
    ),
    (
        "Đoàn đã trao 50 xe đạp, 100 áo ấm, 200 chăn ấm và 30 suất quà Tết trị giá 15 triệu đồng.",
        [
            (50, None, None, "gifts", "achieved", "50 xe đạp"),
            (100, None, None, "gifts", "achieved", "100 áo ấm"),
            (200, None, None, "gifts", "achieved", "200 chăn ấm"),
            (30, None, None, "gifts", "achieved", "30 suất quà"),
            (15_000_000, None, None, "money_vnd", "achieved", "15 triệu đồng"),
        ],
    ),
    (
        "Ban tổ chức trao hai mươi lăm suất học bổng, gần một nghìn phần quà và một trăm chiếc chăn.",
        [
            (25, None, None, "gifts", "achieved", "hai mươi lăm suất học bổng"),
            (1000, None, "nearly", "gifts", "achieved", "một nghìn phần quà"),
            (100, None, None, "gifts", "achieved", "một trăm chiếc chăn"),
        ],
    ),
    (
        "Câu lạc bộ hiện có 120 thành viên, đã cứu sống ba trường hợp tại 4 bệnh viện.",
        [
            (120, None, None, "members", "other", "120 thành viên"),
            (3, None, None, "patients", "achieved", "ba trường hợp"),
            (4, None, None, "hospitals", "achieved", "4 bệnh viện"),
        ],
    ),
    (
        "Theo kế hoạch, Lễ hội Xuân hồng năm 2024 sẽ diễn ra trong 2 ngày tại 04 điểm hiến máu, dự kiến tiếp nhận 10.000 đơn vị máu.",
        [
            (2, None, None, "days", "target", "2 ngày"),
            (4, None, None, "sites", "target", "04 điểm hiến máu"),
            (10000, None, None, "blood_units", "target", "10.000 đơn vị máu"),
        ],
    ),
    (
        "Thượng úy A đã hiến máu 57 lần, anh B hiến từ 30 đến trên 50 lần, có người hiến tới 20 lần.",
        [
            (57, None, None, "donations_per_person", "cumulative", "57 lần"),
            (30, 50, "range", "donations_per_person", "cumulative", "từ 30 đến trên 50 lần"),
            (20, None, None, "donations_per_person", "cumulative", "20 lần"),
        ],
    ),
    (
        "Chương trình đi qua 3 tỉnh với 04 đợt hiến máu.",
        [
            (3, None, None, "other", "other", "3 tỉnh"),
            (4, None, None, "other", "other", "04 đợt hiến máu"),
        ],
    ),
    (
        "Mỗi suất quà trị giá từ 500.000 đồng đến 1 triệu đồng.",
        [(500_000, 1_000_000, "range", "money_vnd", "other", "từ 500.000 đồng đến 1 triệu đồng")],
    ),
    (
        "Khoảng 1000 người và 100 % cán bộ tham gia.",
        [
            (1000, None, "about", "participants", "achieved", "1000 người"),
            (100, None, None, "other", "other", "100 %"),
        ],
    ),
    (
        "Tổng kinh phí chương trình gần 900 triệu đồng; tổng trị giá hơn 1,5 tỷ.",
        [
            (900_000_000, None, "nearly", "money_vnd", "achieved", "900 triệu đồng"),
            (1_500_000_000, None, "more_than", "money_vnd", "achieved", "1,5 tỷ"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "rows"), CASES, ids=[c[0][:40] for c in CASES])
def test_sentences(text: str, rows: list[Row]) -> None:
    assert _rows(text) == rows


TRAPS = [
    "Chị Lan, 28 tuổi, hiến máu lần thứ 15, mỗi lần 350 ml.",
    "Chương trình “Triệu phần quà” và Phiên chợ 0 đồng thu hút người dân.",
    "Hàng trăm người dân và hàng nghìn đoàn viên đã tham gia, hàng chục nghìn lượt người hiến máu.",
    "Bệnh viện Quân y 211 và Bệnh viện Trung ương Quân đội 108 tiếp nhận máu từ Vùng Cảnh sát biển 2.",
    "Phòng PC06 Công an quận 3 (số 43 Nguyễn Du) phối hợp U22 Việt Nam.",
    "Đường dây nóng 0903.343.439, ảnh 1: người dân hiến máu.",
    "Kỷ niệm 80 năm Cách mạng tháng Tám (19/8/1945 – 19/8/2025), năm thứ 15 tổ chức chương trình.",
    "Ngày 16.4, tháng 1.2026, ngày 5-6, từ 20 đến 29/4, 10 đến 12-3, giai đoạn 2024 - 2025.",
    "Tổng cộng 1,123,308 lượt truy cập; nhiệt độ 5 độ C lúc 15h30.",
    "Người hiến máu phải nặng trên 45 kg, trong độ tuổi 18-60, mỗi lần hiến 250-350 ml.",
    "Cả hai đơn vị đã phối hợp tốt; 3 CA xã đều có mặt.",
    "Ông Phạm Văn Tú sinh năm 1983, hiến máu lần đầu năm 2002, đợt 5 năm 2024.",
    "Con ngõ dài 100m thành điểm check-in Giáng sinh.",
]


@pytest.mark.parametrize("text", TRAPS, ids=[t[:40] for t in TRAPS])
def test_traps_are_not_figures(text: str) -> None:
    assert _rows(text) == []


def test_three_provinces_are_not_three_billion() -> None:
    assert _rows("Chương trình diễn ra tại 3 tỉnh.") == [(3, None, None, "other", "other", "3 tỉnh")]


def test_continuation_sentence_takes_previous_scope() -> None:
    text = (
        "Trong những năm qua, đã có 22.583 lượt cán bộ, chiến sĩ tham gia hiến tặng 19.152 đơn vị máu.\n"
        "Trong đó, nhiều cán bộ, chiến sĩ đã tham gia hiến máu từ 10 đến 35 lần."
    )
    roles = [(f.quote, f.role) for f in extract_figures(text, published_year=2022)]
    assert roles == [
        ("22.583 lượt cán bộ, chiến sĩ", "cumulative"),
        ("19.152 đơn vị máu", "cumulative"),
        ("từ 10 đến 35 lần", "cumulative"),
    ]


def test_article_voice_fills_cueless_figures() -> None:
    """A closing report's cue-less breakdown is achieved; a cue-less percentage stays other."""
    text = (
        "Chương trình khép lại với 65.318 đơn vị máu được tiếp nhận, vượt chỉ tiêu 8,9%.\n"
        "Hà Nội dẫn đầu với 12.480 đơn vị máu, tiếp đến là TP HCM 9.105 đơn vị.\n"
        "Lượng máu dự trữ chỉ đáp ứng khoảng 60% nhu cầu."
    )
    assert [(f.quote, f.role) for f in extract_figures(text, published_year=2024)] == [
        ("65.318 đơn vị máu", "achieved"),
        ("8,9%", "achieved"),
        ("12.480 đơn vị máu", "achieved"),
        ("9.105 đơn vị", "achieved"),
        ("60%", "other"),
    ]


def test_year_from_text_when_no_date() -> None:
    text = "Hành trình năm 2022 tổ chức tại 11 điểm. Năm 2021, chương trình tiếp nhận 2.000 đơn vị máu."
    assert [f.role for f in extract_figures(text)] == ["other", "other"]  # 2021 is before 2022: background
    assert [f.role for f in extract_figures(text, published_year=2021)][1] == "achieved"


def test_related_news_tail_is_cut() -> None:
    text = "Đã tiếp nhận 500 đơn vị máu.\nCó thể bạn quan tâm\nPrudential trao 2.600 phần quà Giáng sinh"
    assert body_end(text) == text.index("Có thể")
    assert [f.quote for f in extract_figures(text)] == ["500 đơn vị máu"]


def test_old_tone_and_eth_are_matched() -> None:
    text = "Ðoàn đã trao 30 suất quà cho bà con xã Hoà Bình, luỹ kế từ năm 2015 đến nay 2.000 suất quà."
    assert _rows(text) == [
        (30, None, None, "gifts", "achieved", "30 suất quà"),
        (2000, None, None, "gifts", "cumulative", "2.000 suất quà"),
    ]


_WORDS = [
    "đã",
    "tiếp nhận",
    "hơn",
    "gần",
    "khoảng",
    "từ",
    "đến",
    "trên",
    "mục tiêu",
    "năm",
    "năm 2023",
    "những năm qua",
    "đơn vị máu",
    "đơn vị",
    "lượt",
    "người",
    "cán bộ, chiến sĩ",
    "điểm",
    "phần quà",
    "triệu",
    "tỷ",
    "tỉnh",
    "đồng",
    "%",
    "lần",
    "mỗi",
    "suất",
    "trong đó",
    "ngày",
    "tháng",
    "Bệnh viện",
    "Chợ Rẫy",
    "19-8",
    "hai",
    "mươi",
    "lăm",
    "một",
    "trăm",
    "nghìn",
    "ml",
    "tuổi",
    ",",
    ".",
    ";",
    "(",
    ")",
    "-",
    "\n",
    "sẽ",
    "vượt chỉ tiêu",
    "Có thể bạn quan tâm",
    "ĐVM",
    "0",
    "1.2026",
    "29/4",
]


@settings(max_examples=250, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_WORDS),
            st.integers(min_value=0, max_value=10**10).map(str),
            st.integers(min_value=0, max_value=10**10).map(lambda n: format_vi(n, "dot")),
            st.floats(min_value=0, max_value=10**6, allow_nan=False).map(lambda v: format_vi(round(v, 2))),
        ),
        max_size=40,
    ),
    st.one_of(st.none(), st.integers(min_value=2000, max_value=2030)),
)
def test_any_text_keeps_the_contract(words: list[str], year: int | None) -> None:
    text = " ".join(words)
    figures = extract_figures(text, published_year=year)
    last_end = -1
    for f in figures:
        assert text[f.start : f.end] == f.quote and f.start < f.end
        assert f.start >= last_end  # in text order, never overlapping
        last_end = f.end
        assert f.kind in KINDS and f.role in ROLES and f.approx in APPROX
        assert f.value > 0 and (f.value_max is None or f.value_max > f.value)
    for h in extract_hospitals(text):
        assert text[h.start : h.end] == h.name


def test_unit_lexicon_has_no_phrase_twice() -> None:
    from collections import Counter

    from extractors import _lexicon as lx

    seen: Counter[str] = Counter()
    for entry in lx.section("units"):
        prefixes = [""] + [lx.form(p) + " " for p in entry.get("prefixes", [])]
        for phrase in entry["phrases"]:
            seen.update(prefix + lx.form(phrase) for prefix in prefixes)
        assert entry["kind"] in (*KINDS, "none")
    assert [p for p, n in seen.items() if n > 1] == []
