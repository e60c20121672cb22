"""The product owner's seed article, read end to end, and the record against the JSON schema."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest

from extractors.extract import extract_article, read_article
from extractors.record import EXTRACTOR_VERSION, ArticleRecord
from tests.helpers import SHARED

SEED = SHARED / "seed"
SCHEMA = SHARED / "spec" / "article-record.schema.json"


@pytest.fixture(scope="module")
def seed() -> tuple[str, dict[str, Any]]:
    text_path = SEED / "hanoi-police-blood-2022.txt"
    if not text_path.exists():
        pytest.skip("../shared/seed is absent")
    expected = json.loads((SEED / "hanoi-police-blood-2022.expected.json").read_text(encoding="utf-8"))
    return text_path.read_text(encoding="utf-8"), expected


def _validator() -> Any:
    if not SCHEMA.exists():
        pytest.skip("../shared/spec is absent")
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _projection(figures: Any) -> list[dict[str, Any]]:
    keys = ("value", "value_max", "approx", "kind", "role", "quote")
    return [{k: f.to_dict()[k] for k in keys} for f in figures]


def test_seed_reading_matches_exactly(seed: tuple[str, dict[str, Any]]) -> None:
    text, expected = seed
    campaign, figures, hospitals = read_article(expected["title"], text, None)
    assert _projection(figures) == expected["figures"]
    assert [h.name for h in hospitals] == expected["hospitals"]
    assert campaign is not None and campaign.to_dict() == expected["campaign"]
    assert all(text[f.start : f.end] == f.quote for f in figures)
    assert all(text[h.start : h.end] == h.name for h in hospitals)
    quoted = [f.quote for f in figures] + [h.name for h in hospitals]
    for banned in expected["must_not_extract"]:
        assert not any(banned in q for q in quoted), banned


def test_seed_body_cut_by_hand_reads_the_same(seed: tuple[str, dict[str, Any]]) -> None:
    text, expected = seed
    body = text[: text.index("Có thể bạn quan tâm")]
    _, figures, _ = read_article(expected["title"], body, "2022-06-05T08:00:00+07:00")
    assert _projection(figures) == expected["figures"]


def test_seed_record_validates_against_the_schema(seed: tuple[str, dict[str, Any]]) -> None:
    text, expected = seed
    campaign, figures, hospitals = read_article(expected["title"], text, "2022-06-05T08:00:00+07:00")
    record = ArticleRecord(
        url="https://anninhthudo.vn/seed.html",
        canonical_url=None,
        site="anninhthudo.vn",
        title=expected["title"],
        published="2022-06-05T08:00:00+07:00",
        section=None,
        language="vi",
        text=text,
        campaign=campaign,
        figures=figures,
        hospitals=hospitals,
        extractor_version=EXTRACTOR_VERSION,
    ).to_dict()
    errors = [e.message for e in _validator().iter_errors(record)]
    assert errors == []
    assert ArticleRecord.from_dict(record).to_dict() == record


def _page(title: str, paragraphs: list[str], tail: list[str]) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    boxes = "\n".join(f'<li><a href="/tin-{i}.html">{html.escape(t)}</a></li>' for i, t in enumerate(tail))
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="2022-06-05T08:00:00+07:00">
<link rel="canonical" href="https://example.vn/seed-post1.html"></head>
<body><header><nav><a href="/">Trang chủ</a></nav></header>
<article><h1>{html.escape(title)}</h1>{body}</article>
<aside><h3>Tin khác</h3><ul>{boxes}</ul></aside>
<footer>Giấy phép số 123/GP-BTTTT. Hotline 0903.343.439</footer></body></html>"""


def test_extract_article_end_to_end(seed: tuple[str, dict[str, Any]]) -> None:
    text, expected = seed
    body, _, tail = text.partition("Có thể bạn quan tâm")
    paragraphs = [p for p in body.split("\n")[1:] if p.strip() and not p.startswith(("|", "!"))]
    page = _page(expected["title"], paragraphs, [t for t in tail.split("\n") if t.strip()])
    record = extract_article(page.encode("utf-8"), "https://example.vn/seed-post1.html")
    out = record.to_dict()
    assert [e.message for e in _validator().iter_errors(out)] == []
    assert out["extractor_version"] == EXTRACTOR_VERSION
    assert [(f["value"], f["kind"], f["role"]) for f in out["figures"]] == [
        (f["value"], f["kind"], f["role"]) for f in expected["figures"]
    ]
    assert out["campaign"] == expected["campaign"]
    for item in [*out["figures"], *out["hospitals"]]:
        assert out["text"][item["start"] : item["end"]] == item.get("quote", item.get("name"))
    quoted = [f["quote"] for f in out["figures"]]
    assert not any(banned in q for q in quoted for banned in expected["must_not_extract"])
