"""``campaigns audit --corpus``: a JSON Lines corpus of hand-read articles, scored and held to floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli.app import main
from flows.steps.audit import audit_corpus

_ARTICLES = [
    {
        "id": "launch",
        "url": "https://anninhthudo.vn/ra-quan-hien-mau-post9001.antd",
        "outlet": "anninhthudo.vn",
        "published": "2025-03-02",
        "title": "Công an quận phát động ngày hội hiến máu",
        "text": "Sáng 2/3, Công an quận Đống Đa tổ chức ngày hội hiến máu tình nguyện. "
        "Kết thúc ngày hội, ban tổ chức đã tiếp nhận hơn 300 đơn vị máu từ cán bộ, chiến sĩ.",
        "campaign": None,
        "campaign_year": 2025,
        "organizer": "Công an quận Đống Đa",
        "figures": [
            {
                "value": 300,
                "approx": "more_than",
                "value_max": None,
                "kind": "blood_units",
                "role": "achieved",
                "quote": "hơn 300 đơn vị máu",
            },
        ],
        "hospitals": [],
        "notes": "written for this test",
    },
    {
        "id": "gifts",
        "url": "https://cand.com.vn/Xa-hoi/trao-qua-tet-i9002/",
        "outlet": "cand.com.vn",
        "published": "2026-01-20",
        "title": "Trao quà Tết cho hộ nghèo",
        "text": "Đoàn thanh niên Công an tỉnh đã trao 250 phần quà Tết cho các hộ nghèo, "
        "mỗi phần quà trị giá 500.000 đồng.",
        "campaign": None,
        "campaign_year": 2026,
        "organizer": None,
        "figures": [
            {
                "value": 250,
                "approx": None,
                "value_max": None,
                "kind": "gifts",
                "role": "achieved",
                "quote": "250 phần quà",
            },
            {
                "value": 500000,
                "approx": None,
                "value_max": None,
                "kind": "money_vnd",
                "role": "other",
                "quote": "500.000 đồng",
            },
        ],
        "hospitals": [],
        "notes": "",
    },
]


def _corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus" / "articles.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in _ARTICLES) + "\n", encoding="utf-8")
    return path


def test_a_corpus_is_scored_by_value_kind_role_approx(tmp_path: Path) -> None:
    result = audit_corpus(_corpus(tmp_path))
    card = result.card
    assert result.pages == 2 and result.failures == ()
    assert card.figures.tp == 3 and card.figures.fn == 0 and card.figures.fp == 0
    assert card.role_accuracy == 1.0 and card.approx_accuracy == 1.0


def test_floors_beside_the_corpus_hold_and_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    pinned = audit_corpus(corpus, update=True)
    assert pinned.failures == () and (corpus.parent / "audit-baseline.json").is_file()
    # a reading the extractor does not give: the floors pinned above no longer hold
    worse = [dict(a) for a in _ARTICLES]
    worse[0] = {**worse[0], "figures": [{**worse[0]["figures"][0], "role": "target"}]}
    corpus.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in worse) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--corpus", str(corpus), "--diffs", "0"])
    assert exit_.value.code == 1
    assert "below floor: figures.role_accuracy" in capsys.readouterr().err


def test_a_missing_or_broken_corpus_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--corpus", str(tmp_path / "nothing.jsonl")])
    assert exit_.value.code == 2 and capsys.readouterr().err.startswith("error: ")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1, "text": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--corpus", str(broken)])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and "broken.jsonl:2: not a corpus line" in err and "Traceback" not in err
