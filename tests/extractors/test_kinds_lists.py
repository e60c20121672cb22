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


def test_the_items_of_a_list_are_read_with_its_heading() -> None:
    text = (
        "Một số đơn vị dẫn đầu về lượng máu tiếp nhận:\n"
        "Huyện Đông Sơn: 1.240 đơn vị\n"
        "Công an tỉnh: 860 đơn vị;\n"
        "Trường Cao đẳng Y tế: 430 đơn vị"
    )
    assert _kinds(text) == [(1240, "blood_units"), (860, "blood_units"), (430, "blood_units")]
    # a heading about something else says nothing of blood
    text = "Các đơn vị đóng góp nhiều ngày công:\nHuyện Đông Sơn: 12 đơn vị"
    assert _kinds(text) == [(12, "other")]
    # a paragraph that ends a sentence is no list item
    text = "Lượng máu tiếp nhận được chia như sau:\nNgày hội kết thúc lúc 17 giờ.\nXã Tân Phú: 45 đơn vị"
    assert _kinds(text) == [(45, "other")]


def test_the_items_of_an_enumeration_count_the_same_thing() -> None:
    text = (
        "Ngày hội có 900 cán bộ, chiến sĩ đăng ký hiến máu. Trong đó, Phòng A có số người đăng ký "
        "nhiều nhất với 140 người; Phòng B có 95 người; Công an huyện C có 60 người."
    )
    assert _kinds(text) == [
        (900, "registrations"),
        (140, "registrations"),
        (95, "registrations"),
        (60, "registrations"),
    ]
    # a new sentence is no item of the list before it
    text = "Phòng A có số người đăng ký nhiều nhất với 140 người. Phòng B có 95 người tham gia."
    assert _kinds(text) == [(140, "registrations"), (95, "participants")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # houses built or repaired for a family are handed over like gifts
        ("Công an huyện đã hỗ trợ xây mới, sửa chữa 14 nhà cho hộ nghèo.", [(14, "gifts")]),
        ("Đơn vị bàn giao 6 nhà ở cho gia đình chính sách.", [(6, "gifts")]),
        # other houses are counts of the story, and public buildings are works of a programme
        ("Xã có 3 nhà bị tốc mái sau bão.", [(3, "other")]),
        ("Đoàn viên đã xây dựng 4 nhà văn hóa cho các thôn.", [(4, "other")]),
        # a classifier ending its phrase stands for the thing named before it
        (
            "Đoàn đã nhận 900 áo ấm. Đến nay đã trao được 640 chiếc, số còn lại trao sau.",
            [(900, "gifts"), (640, "gifts")],
        ),
        # followed by a noun the lexicon does not know, it counts nothing
        ("Đơn vị cử 3 bộ phận trực tại điểm hiến máu.", []),
        (
            "Đoàn trao 40 đôi ủng, 25 bộ chăn màn và 60 chăn bông cho học sinh.",
            [(40, "gifts"), (25, "gifts"), (60, "gifts")],
        ),
    ],
)
def test_houses_and_classifiers(text: str, expected: list[tuple[float, str]]) -> None:
    assert _kinds(text) == expected


def test_a_trie_of_phrases_matches_like_the_longest_first_alternation() -> None:
    import re

    from extractors._lexicon import phrase_pattern

    phrases = ["đơn vị", "đơn vị máu", "đơn vị máu toàn phần", "điểm", "điểm hiến máu", "%", "tp."]
    trie = phrase_pattern(phrases)
    flat = re.compile(
        "|".join(
            r"(?<![^\W_])" * p[0].isalnum() + re.escape(p) + r"(?![^\W_])" * p[-1].isalnum()
            for p in sorted(phrases, key=len, reverse=True)
        )
    )
    for text in (
        "đơn vị máu toàn phần",
        "đơn vị máux",
        "12 điểm hiến máu,",
        "tp.hcm",
        "62%",
        "đơn vịx",
        "cđiểm",
    ):
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)], text
