"""Which thing a number counts when its words are spread out: people described at length before
"đăng ký", and the items of a list under a heading. Sentences made up for the tests."""

from __future__ import annotations

import pytest

from extractors.figures import extract_figures


def _kinds(text: str, year: int = 2024) -> list[tuple[float, str]]:
    return [(f.value, f.kind) for f in extract_figures(text, published_year=year)]


@pytest.mark.parametrize(
    "text",
    [
        # more kinds of people, then the verb
        "Đã có hơn 700 học viên, giảng viên, nhân viên của nhà trường đăng ký hiến máu.",
        # where they come from, with its own list and numbers
        "Có 2.100 đoàn viên, sinh viên của 14 trường đại học, cao đẳng cùng công nhân đăng ký hiến máu.",
        "Hơn 600 người gồm cán bộ, công chức, lực lượng vũ trang và người dân đã đến đăng ký từ sớm.",
        "Hơn 350 cán bộ, chiến sĩ thuộc Trung đoàn 3, Trung đoàn 9 và các phòng ban đăng ký tham gia.",
    ],
)
def test_people_described_at_length_before_signing_up_are_registrations(text: str) -> None:
    assert _kinds(text)[0][1] == "registrations"


@pytest.mark.parametrize(
    "text",
    [
        # a new subject after the comma signs up, not the people counted
        "Ngày hội thu hút 800 người, nhiều bạn trẻ đăng ký hiến máu lần đầu.",
        # another count of people stands before the verb
        "Ngày hội có 800 đoàn viên của 12 chi đoàn, 300 người dân đăng ký hiến máu.",
        # what the people did comes first
        "Có 420 sinh viên của trường tham gia hiến máu sau khi đăng ký trực tuyến.",
    ],
)
def test_people_who_did_something_else_stay_participants(text: str) -> None:
    assert _kinds(text)[0][1] == "participants"
