"""One figure per fact: a number said again is one figure with ``mentions``; figures never overlap.

The sentences are made up for the tests, in the style of ``../shared/phenomena.md``.
"""

from __future__ import annotations

import itertools
import json

import pytest

from extractors.extract import read_article
from extractors.figures import extract_figures
from extractors.numbers import scan_numbers
from extractors.record import ArticleRecord, Figure
from tests.helpers import SCHEMA


def test_a_repeated_figure_is_one_figure_at_its_first_mention() -> None:
    text = (
        "Công an tỉnh Long An tiếp nhận 356 đơn vị máu trong ngày hội.\n"
        "Sáng 9/6, ngày hội hiến máu của Công an tỉnh thu hút 420 cán bộ, chiến sĩ; ban tổ chức "
        "đã tiếp nhận 356 đơn vị máu đạt chuẩn.\n"
        "Ảnh: Cán bộ, chiến sĩ hiến máu. Toàn bộ 356 đơn vị máu được chuyển về bệnh viện tỉnh."
    )
    figures = extract_figures(text, published_year=2024)
    blood = [f for f in figures if f.kind == "blood_units"]
    assert len(blood) == 1
    assert blood[0].mentions == 3
    assert blood[0].start == text.index("356")  # the first mention is quoted
    assert [f.mentions for f in figures if f.kind == "participants"] == [1]


def test_two_things_that_share_a_number_stay_two_figures() -> None:
    text = "Ngày hội có 600 lượt đăng ký hiến máu và ban tổ chức đã tiếp nhận 600 đơn vị máu."
    kinds = sorted(f.kind for f in extract_figures(text, published_year=2024))
    assert kinds == ["blood_units", "registrations"]


def test_a_target_and_a_result_of_one_value_are_two_facts() -> None:
    text = (
        "Chương trình đặt mục tiêu tiếp nhận 1.000 đơn vị máu. Kết thúc ngày hội, ban tổ chức "
        "đã tiếp nhận 1.000 đơn vị máu, về đích đúng chỉ tiêu."
    )
    roles = sorted(f.role for f in extract_figures(text, published_year=2024))
    assert roles == ["achieved", "target"]


def test_a_hedged_repeat_is_a_different_reading() -> None:
    # the spec's key holds value and approx: a rounded "hơn 300" and an exact 320 are two figures
    text = "Hơn 300 người tham gia ngày hội. Đến trưa, 320 người tham gia đã được khám sàng lọc."
    assert [f.value for f in extract_figures(text, published_year=2024)] == [300, 320]


def test_different_things_that_share_a_number_are_two_facts() -> None:
    text = "Ban tổ chức đã trao 800 suất ăn cùng 800 phần quà Trung thu; 800 suất quà đến tay các em."
    figures = extract_figures(text, published_year=2025)
    assert [(f.value, f.quote, f.mentions) for f in figures] == [
        (800, "800 suất ăn", 1),
        (800, "800 phần quà", 2),
    ]


@pytest.mark.parametrize(
    ("text", "value", "quote"),
    [
        ("Hội đã ủng hộ 1 triệu 200 nghìn đồng cho quỹ.", 1_200_000, "1 triệu 200 nghìn đồng"),
        ("Tổng trị giá quà tặng là 2 tỷ 500 triệu đồng.", 2_500_000_000, "2 tỷ 500 triệu đồng"),
        ("Các nhà hảo tâm đã ủng hộ 3 tỉ 80 triệu đồng.", 3_080_000_000, "3 tỉ 80 triệu đồng"),
    ],
)
def test_a_compound_amount_is_one_figure_and_nothing_inside_it(text: str, value: int, quote: str) -> None:
    figures = extract_figures(text, published_year=2024)
    assert [(f.value, f.kind, f.quote) for f in figures] == [(value, "money_vnd", quote)]
    assert [n.value for n in scan_numbers(text)] == [value]


def test_figures_never_overlap() -> None:
    text = (
        "Hội trao 1 triệu 200 nghìn đồng, 2 tỷ 500 triệu đồng, từ 300 đến 350 phần quà và "
        "800 - 1.000 đơn vị máu mỗi ngày trong ngày hội hiến máu."
    )
    figures = extract_figures(text, published_year=2024)
    for a, b in itertools.pairwise(figures):
        assert a.end <= b.start


def test_mentions_round_trip_and_validate_against_the_schema() -> None:
    title = "Công an huyện hiến 154 đơn vị máu"
    text = (
        "Sáng 13/2, Đoàn thanh niên Công an huyện tổ chức ngày hội hiến máu tình nguyện.\n"
        "Ngày hội đã thu được 154 đơn vị máu. Toàn bộ 154 đơn vị máu được chuyển về ngân hàng máu."
    )
    campaign, figures, hospitals = read_article(title, text, "2024-02-13T08:00:00+07:00")
    record = ArticleRecord(
        url="https://example.vn/a.html",
        canonical_url=None,
        site="example.vn",
        title=title,
        published="2024-02-13T08:00:00+07:00",
        section=None,
        language="vi",
        text=text,
        campaign=campaign,
        figures=figures,
        hospitals=hospitals,
        extractor_version="test",
    )
    data = record.to_dict()
    assert [f["mentions"] for f in data["figures"]] == [2]
    assert ArticleRecord.from_dict(json.loads(json.dumps(data))) == record
    if SCHEMA.exists():
        import jsonschema

        jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_an_old_record_without_mentions_reads_as_one() -> None:
    old = {
        "value": 5,
        "value_max": None,
        "approx": None,
        "kind": "sites",
        "role": "achieved",
        "unit_text": "điểm",
        "quote": "5 điểm",
        "start": 0,
        "end": 6,
    }
    assert Figure.from_dict(old).mentions == 1


def test_a_headline_printed_above_the_lead_counts_what_only_it_states() -> None:
    title = "Đoàn trường hiến 62 đơn vị máu tại hai điểm"
    text = (
        f"{title}\n"
        "Sáng 3/4, Đoàn trường tổ chức ngày hội hiến máu; 70 đoàn viên đăng ký, 62 bạn đủ điều kiện hiến máu."
    )
    _, figures, _ = read_article(title, text, "2024-04-03")
    got = {(f.kind, f.value, f.start < len(title)) for f in figures}
    # the blood units and the sites are said only in the headline: figures, quoted there
    assert ("blood_units", 62, True) in got and ("sites", 2, True) in got
    assert ("registrations", 70, False) in got


def test_a_headline_that_rounds_a_body_figure_adds_nothing() -> None:
    title = "Hơn 1.200 đơn vị máu từ ngày hội của tuổi trẻ Công an"
    text = f"{title}\nKết thúc ngày hội, Ban tổ chức đã tiếp nhận 1.236 đơn vị máu đạt chuẩn."
    _, figures, _ = read_article(title, text, "2024-04-03")
    assert [(f.value, f.quote) for f in figures] == [(1236, "1.236 đơn vị máu")]


def test_a_headline_stating_a_body_figure_is_its_first_mention() -> None:
    title = "Ngày hội tiếp nhận 845 đơn vị máu"
    text = f"{title}\nKết thúc buổi sáng, ngày hội đã tiếp nhận 845 đơn vị máu."
    _, figures, _ = read_article(title, text, "2024-04-03")
    assert [(f.value, f.start, f.mentions) for f in figures] == [(845, title.index("845"), 2)]


def test_a_headline_count_the_body_does_not_state_is_a_fact_beside_other_counts_of_its_kind() -> None:
    title = "Công an huyện hiến 214 đơn vị máu"
    text = (
        f"{title}\n"
        "Đợt hiến máu đặt chỉ tiêu 180 đơn vị máu. Đã có 260 cán bộ, chiến sĩ đăng ký; "
        "214 người đủ điều kiện hiến máu. Năm ngoái, đơn vị tiếp nhận trên 1.000 đơn vị máu."
    )
    _, figures, _ = read_article(title, text, "2024-04-03")
    blood = {(f.value, f.role) for f in figures if f.kind == "blood_units"}
    assert (214, "achieved") in blood and (180, "target") in blood
    # a hedged headline a quarter off the body count is its rounding, not a second fact
    title = "Hơn 300 đoàn viên hiến máu"
    text = f"{title}\nKết thúc ngày hội, 362 đoàn viên đã hiến máu."
    _, figures, _ = read_article(title, text, "2024-04-03")
    assert [(f.value, f.kind) for f in figures] == [(362, "participants")]
