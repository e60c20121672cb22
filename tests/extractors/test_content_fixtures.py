"""Content extraction on the project's fixture pages (``fixtures/<site>/*.html``).

Every page's title, date, section and site match its hand-checked ``.expected.json``,
every expected figure quote is in ``text``, known sites go through their profile, and no
headline of another story (a long link to another article) reaches ``text``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from extractors._dom import profiles
from extractors.content import Content, extract_content
from extractors.normalize import normalize_text
from tests.helpers import ROOT

PAGES = sorted(p for p in (ROOT / "fixtures").glob("*/*.html") if p.with_suffix(".expected.json").exists())
_ARTICLE_HREF = re.compile(r"\d{4,}|-post\d|\.(?:html?|antd|tpo|chn)$")
_TOPIC_HREF = re.compile(
    r"tag|tu-khoa|chu-de|tim-kiem|/topic/", re.IGNORECASE
)  # topics repeat words of the text


@cache
def _run(path: Path) -> tuple[Content, dict[str, Any], bytes]:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    raw = path.read_bytes()
    return extract_content(raw, expected.get("url")), expected, raw


def _known(site: str) -> bool:
    return any(site == h or site.endswith("." + h) for p in profiles() for h in p.hosts)


def _is_story_link(href: str, own: str) -> bool:
    return bool(_ARTICLE_HREF.search(href)) and not _TOPIC_HREF.search(href) and href != own


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_metadata_and_quotes(page: Path) -> None:
    content, expected, _ = _run(page)
    for key in ("title", "published", "section", "site"):
        if key in expected:
            assert getattr(content, key) == expected[key], key
    if _known(content.site):
        assert content.method.startswith("profile:")
    missing = [f["quote"] for f in expected.get("figures", []) if f["quote"] not in content.text]
    assert not missing
    assert content.language == "vi"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_text_has_no_other_story_headline(page: Path) -> None:
    content, expected, raw = _run(page)
    own = (expected.get("url") or "").rstrip("/")
    tree = LexborHTMLParser(raw.decode("utf-8", errors="replace"))
    headlines = {
        normalize_text(a.text())
        for a in tree.css("a[href]")
        if _is_story_link((a.attributes.get("href") or "").rstrip("/"), own)
    }
    leaked = [h for h in headlines if len(h) >= 25 and h in content.text]
    assert not leaked
