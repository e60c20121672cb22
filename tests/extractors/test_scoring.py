"""The audit's arithmetic: approx and value_max accuracy, and the real corpus's rules.

The corpus lines here are made up for the test in the shape of ``../shared/realcorpus/articles.jsonl``.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractors.extract import record_from_text
from extractors.scoring import corpus_article, corpus_expected, score, score_corpus
from flows.steps.audit import project


def _fig(value: float, kind: str, role: str = "achieved", **kw: Any) -> dict[str, Any]:
    return {"value": value, "value_max": None, "approx": None, "kind": kind, "role": role, "quote": "", **kw}


def test_approx_and_value_max_are_scored_over_found_figures() -> None:
    expected = {"figures": [_fig(300, "participants", approx="nearly"), _fig(800, "sites", value_max=1000)]}
    got = {"figures": [_fig(300, "participants"), _fig(800, "sites", value_max=1000), _fig(5, "days")]}
    card = score([("a", expected, got)])
    metrics = card.metrics()
    assert metrics["figures.approx_accuracy"] == 0.5
    assert metrics["figures.value_max_accuracy"] == 1.0
    assert card.figures.fp == 1  # the extra figure counts against precision, not against approx


LINE: dict[str, Any] = {
    "id": "made-up-1",
    "url": "https://example.vn/ngay-hoi-hien-mau-1.html",
    "outlet": "example.vn",
    "published": "2024-06",
    "title": "Công an huyện Hương Sơn hiến 210 đơn vị máu",
    "text": (
        "Công an huyện Hương Sơn hiến 210 đơn vị máu\n\n"
        "- Hơn 900 đoàn viên hiến máu ở tỉnh bạn\n"
        "Sáng 8/6, Công an huyện Hương Sơn tổ chức ngày hội hiến máu tình nguyện tại 2 điểm, "
        "thu được 210 đơn vị máu. Máu được chuyển về Bệnh viện Đa khoa tỉnh Hà Tĩnh."
    ),
    "campaign": None,
    "campaign_year": 2024,
    "organizer": "Công an huyện Hương Sơn",
    "figures": [
        {
            "value": 2,
            "approx": None,
            "value_max": None,
            "kind": "sites",
            "role": "achieved",
            "quote": "2 điểm",
        },
        {
            "value": 210,
            "approx": None,
            "value_max": None,
            "kind": "blood_units",
            "role": "achieved",
            "quote": "210 đơn vị máu",
        },
        {"value": 8, "approx": None, "value_max": None, "kind": "other", "role": "other", "quote": "8 tổ"},
    ],
    "hospitals": ["Bệnh viện Đa khoa tỉnh Hà Tĩnh"],
    "notes": "made up",
}


def test_a_corpus_line_becomes_an_article_and_an_expected_projection() -> None:
    article = corpus_article(LINE)
    assert article["published"] == "2024-06-15T08:00:00+07:00"
    assert "Hơn 900" not in (article["text"] or "")  # an in-body link to another story is no body
    expected = corpus_expected(LINE)
    assert expected["campaign"] == {"name": None, "year": 2024, "organizer": "Công an huyện Hương Sơn"}
    assert [f["value"] for f in expected["figures"]] == [2, 210, 8]
    assert expected["year_known"] is True
    assert expected["hospitals"] == ["Bệnh viện Đa khoa tỉnh Hà Tĩnh"]


def test_the_corpus_rules_differ_from_the_fixtures_where_the_corpus_reads_differently() -> None:
    expected = corpus_expected(LINE)
    got = {
        "figures": [
            _fig(2, "sites", quote="2 điểm"),
            _fig(210.0000001, "blood_units", role="target", quote="210 đơn vị máu"),  # within 1e-6
            _fig(8, "participants", quote="8 đoàn"),  # matches an 'other' figure by value: no FP
            _fig(3, "other", quote="3 tổ"),  # a prediction of kind other is never counted against
            _fig(900, "participants", quote="900 đoàn viên"),  # a leak from the related link
        ],
        "hospitals": ["Bệnh viện Đa khoa tỉnh"],  # one name holds the other: a match
        "campaign": {"name": None, "key": None, "year": 2024, "organizer": None},
    }
    card = score_corpus([("made-up-1", expected, got)])
    assert (card.figures.tp, card.figures.fp, card.figures.fn) == (2, 1, 0)
    assert card.role_accuracy == 0.5
    assert card.hospitals.f1 == 1.0
    metrics = card.metrics()
    assert metrics["campaign.year.accuracy"] == 1.0
    # as the corpus's score.py: a quote counts as in the body when the article's words hold it (the
    # corpus text keeps its in-body link lines), so "8 đoàn" and "3 tổ" are the two leaks here
    assert metrics["figures.in_body"] == pytest.approx(3 / 5)
    # the fixtures' rules count the same prediction differently: exact kind and value, every kind
    assert score([("made-up-1", expected, got)]).figures.fp > card.figures.fp


def test_a_year_no_reader_could_know_is_not_scored() -> None:
    line = {**LINE, "published": None}
    expected = corpus_expected(line)
    assert expected["year_known"] is False
    card = score_corpus([("x", expected, {"figures": [], "campaign": None})])
    assert "campaign.year.accuracy" not in card.metrics()


def test_the_extractor_reads_a_corpus_line_end_to_end() -> None:
    article = corpus_article(LINE)
    record = record_from_text(article["url"], article["title"], article["text"] or "", article["published"])
    card = score_corpus([("made-up-1", corpus_expected(LINE), project(record.to_dict()))])
    assert card.figures.f1 == 1.0 and card.role_accuracy == 1.0
    assert card.hospitals.f1 == 1.0 and card.accuracy("campaign.year") == 1.0
