"""The Vietnamese number grammar: parse_number, find_numbers, format_vi (and their round trip)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import NumberMatch, find_numbers, format_vi, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.300", 2300),
        ("22.583", 22583),
        ("1.000.000", 1_000_000),
        ("1,5 triệu", 1_500_000),
        ("1.3 triệu", 1_300_000),
        ("1,3 triệu", 1_300_000),
        ("5,4 tỉ", 5_400_000_000),
        ("5,4 tỷ", 5_400_000_000),
        ("1.500 tỷ", 1_500_000_000_000),
        ("1,250 tỷ", 1_250_000_000),
        ("2 tỷ 500 triệu", 2_500_000_000),
        ("32 nghìn", 32_000),
        ("28 ngàn", 28_000),
        ("5 vạn", 50_000),
        ("1000", 1000),
        ("1,123,308", 1_123_308),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("62,1", 62.1),
        ("04", 4),
        ("02", 2),
        ("một nghìn", 1000),
        ("một trăm", 100),
        ("mười", 10),
        ("mười lăm", 15),
        ("hai mươi lăm", 25),
        ("hai mươi mốt", 21),
        ("ba mươi tư", 34),
        ("một trăm linh năm", 105),
        ("hai trăm năm mươi", 250),
        ("một triệu", 1_000_000),
        ("một triệu rưỡi", 1_500_000),
        ("hai nghìn ba trăm", 2300),
        ("Hai điểm", None),  # a number with a unit is not a whole number expression
        ("ba", 3),
        ("một", 1),
        ("năm", 5),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "16.4",
        "1.2026",
        "0903.343.439",
        "29/4",
        "19/8/1945",
        "",
        "abc",
        "tỉnh",
        "Triệu",
        "hàng trăm",
        "800-1.000",
    ],
)
def test_parse_number_refuses(text: str) -> None:
    assert parse_number(text) is None


def _found(text: str) -> list[tuple[float, float | None, str | None, str]]:
    return [(m.value, m.value_max, m.approx, m.text) for m in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tiếp nhận 2.300 đơn vị máu", [(2300, None, None, "2.300")]),
        ("hơn 1.700 đơn vị", [(1700, None, "more_than", "1.700")]),
        ("trên 28 nghìn đơn vị", [(28000, None, "more_than", "28 nghìn")]),
        ("gần một nghìn người", [(1000, None, "nearly", "một nghìn")]),
        ("suýt 500 người", [(500, None, "nearly", "500")]),
        ("khoảng 1000 người", [(1000, None, "about", "1000")]),
        ("chừng 300 người", [(300, None, "about", "300")]),
        ("xấp xỉ 300 người", [(300, None, "about", "300")]),
        ("ước tính 300 người", [(300, None, "about", "300")]),
        ("khoảng hơn 4.000 đơn vị", [(4000, None, "about", "4.000")]),
        ("ít nhất 1.500 đơn vị", [(1500, None, "at_least", "1.500")]),
        ("tối thiểu 10%", [(10, None, "at_least", "10")]),
        ("800 - 1.000 đơn vị", [(800, 1000, "range", "800 - 1.000")]),
        ("800-1.000 đơn vị", [(800, 1000, "range", "800-1.000")]),
        ("800–1.000 đơn vị", [(800, 1000, "range", "800–1.000")]),
        ("từ 45.000 đến 50.000 người", [(45000, 50000, "range", "từ 45.000 đến 50.000")]),
        ("từ 30 đến trên 50 lần", [(30, 50, "range", "từ 30 đến trên 50")]),
        ("từ 10 tới 20 lần", [(10, 20, "range", "từ 10 tới 20")]),
        ("300-350 ngàn đồng", [(300_000, 350_000, "range", "300-350 ngàn")]),
        ("1-1,5 triệu đồng", [(1_000_000, 1_500_000, "range", "1-1,5 triệu")]),
        ("từ 20.000 - 25.000 người", [(20000, 25000, "range", "từ 20.000 - 25.000")]),
        ("tới 20 lần", [(20, None, None, "20")]),
        ("62,1%", [(62.1, None, None, "62,1")]),
        ("12.5%", [(12.5, None, None, "12.5")]),
        ("100 %", [(100, None, None, "100")]),
        ("hai mươi lăm suất", [(25, None, None, "hai mươi lăm")]),
        ("ba trường hợp", [(3, None, None, "ba")]),
        ("Hai điểm hiến máu", [(2, None, None, "Hai")]),
    ],
)
def test_find_numbers(text: str, expected: list[tuple[float, float | None, str | None, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ngày 16.4",  # 16 April
        "tháng 1.2026",
        "(19/8/1945 – 19/8/2025)",
        "ngày 5-6",
        "sáng 11-6",
        "Bệnh viện 19-8",
        "PC08 và U22",
        "15h30",
        "lúc 8h",
        "hotline 0903.343.439",
        "3 tỉnh",  # three provinces: the number is 3, never 3 billion
        "Triệu phần quà",
        "hàng trăm người, hàng nghìn đoàn viên, hàng chục nghìn lượt",
        "lần thứ năm",
        "một người",
    ],
)
def test_traps_yield_no_big_or_date_numbers(text: str) -> None:
    found = find_numbers(text)
    assert all(m.value < 1000 for m in found), found
    if "tỉnh" in text:
        assert _found(text) == [(3, None, None, "3")]
    else:
        assert found == []


def test_date_ranges_leave_no_range() -> None:
    assert _found("từ 20 đến 29/4") == [(20, None, None, "20")]
    assert _found("10 đến 12-3") == [(10, None, None, "10")]
    assert _found("mỗi ngày 800-1.000 đơn vị") == [(800, 1000, "range", "800-1.000")]


def test_offsets_and_text() -> None:
    text = "Đã có hơn 32 nghìn lượt, từ 10 đến 35 lần và 2.300 đơn vị."
    for m in find_numbers(text):
        assert isinstance(m, NumberMatch)
        assert text[m.start : m.end] == m.text


_STYLES = ("dot", "plain", "comma", "words")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12 - 1), st.sampled_from(_STYLES))
def test_round_trip_integers(n: int, style: str) -> None:
    written = format_vi(n, style)
    assert parse_number(written) == n, written


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=2, max_value=10**12 - 1), st.sampled_from(_STYLES))
def test_find_numbers_in_a_sentence(n: int, style: str) -> None:
    written = format_vi(n, style)
    if style == "words" and written in ("năm",):
        return  # a lone "năm" is a year far more often than five
    text = f"Chương trình đã có {written} người tham gia."
    found = find_numbers(text)
    assert [(m.value, m.text) for m in found] == [(n, written)]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=1, max_value=99),
    st.sampled_from(("dot", "plain", "comma")),
)
def test_round_trip_decimals(whole: int, cents: int, style: str) -> None:
    value = float(Decimal(whole) + Decimal(cents) / 100)
    written = format_vi(value, style)
    assert parse_number(written) == value, written
    found = find_numbers(f"đạt {written} đơn vị")
    assert [m.value for m in found] == [value]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from((10**3, 10**6, 10**9)),
)
def test_round_trip_multipliers(whole: int, cents: int, mult: int) -> None:
    value = float((Decimal(whole) + Decimal(cents) / 100) * mult)
    written = format_vi(value, "multiplier")
    assert parse_number(written) == value, written
    found = find_numbers(f"tổng trị giá hơn {written} đồng")
    assert [(m.value, m.approx, m.text) for m in found] == [(value, "more_than", written)]


def test_format_vi_examples() -> None:
    assert format_vi(2300) == "2.300"
    assert format_vi(1234.5) == "1.234,5"
    assert format_vi(1_123_308, "comma") == "1,123,308"
    assert format_vi(1_500_000, "multiplier") == "1,5 triệu"
    assert format_vi(2300, "words") == "hai nghìn ba trăm"
    assert format_vi(105, "words") == "một trăm linh năm"
    assert format_vi(25, "words") == "hai mươi lăm"
    with pytest.raises(ValueError):
        format_vi(1, "roman")
    with pytest.raises(ValueError):
        format_vi(-1)
