"""Golden files: every fixture page re-extracted and compared with its hand-checked reading.

``fixtures/<site>/<slug>.html`` beside ``<slug>.expected.json``, one test id per
slug. ``pytest --update-golden`` rewrites the expected files from the current
extraction (keeping ``relevant``, ``must_not_extract`` and ``notes``); review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractors.extract import extract_article
from flows.steps.audit import project, rewrite_expected
from tests.helpers import ROOT, SCHEMA

PAGES = sorted(p for p in (ROOT / "fixtures").glob("*/*.html") if p.with_suffix(".expected.json").exists())


def _slug(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SCHEMA.exists():
        return None
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_fixture_corpus_is_there() -> None:
    assert len(PAGES) >= 40, f"expected at least 40 fixture pages, found {len(PAGES)}"
    assert len({p.parent.name for p in PAGES}) >= 6


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_golden(page: Path, request: pytest.FixtureRequest, validator: Any) -> None:
    exp_path = page.with_suffix(".expected.json")
    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    record = extract_article(page.read_bytes(), expected["url"]).to_dict()

    if validator is not None:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, errors
    text = record["text"]
    for item in [*record["figures"], *record["hospitals"]]:
        assert text[item["start"] : item["end"]] == item.get("quote", item.get("name"))
    quoted = [f["quote"] for f in record["figures"]] + [h["name"] for h in record["hospitals"]]
    for banned in expected.get("must_not_extract", []):
        assert not any(banned in q for q in quoted), f"{banned!r} was extracted"

    got = project(record)
    if request.config.getoption("--update-golden", default=False):
        rewrite_expected(exp_path, expected, got)
        return
    want = {k: expected.get(k) for k in got}
    if not expected.get("relevant", True):
        assert got["figures"] == [] and got["campaign"] is None, "an unrelated story yielded campaign figures"
    for field in ("title", "published", "site", "campaign", "hospitals", "figures", "section", "url"):
        assert got[field] == want[field], f"{_slug(page)}: {field} differs"
