"""Integrity of the fixture corpus: every hand-checked reading agrees with its own page.

``fixtures/<site>/<slug>.html`` beside ``<slug>.expected.json`` (one test id per
slug). These tests check the fixtures, not the extractor: quotes and
``must_not_extract`` strings really occur in the page (after HTML unescaping and
the project's text normalisation, so NFD and "Ð" pages are covered), figures are
in text order with valid enums, the page names its own URL, and unrelated
stories carry no campaign.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from extractors.normalize import normalize_text, slugify
from extractors.record import APPROX, KINDS, ROLES
from tests.helpers import ROOT

PAGES = sorted(p for p in (ROOT / "fixtures").glob("*/*.html") if p.with_suffix(".expected.json").exists())
REQUIRED = (
    "url",
    "title",
    "published",
    "site",
    "section",
    "relevant",
    "campaign",
    "figures",
    "hospitals",
    "must_not_extract",
    "notes",
)
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")
_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)


def _slug(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.html')}"


def _load(page: Path) -> tuple[str, dict[str, Any]]:
    raw = page.read_text(encoding="utf-8")
    exp = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return raw, exp


def _flat(raw: str) -> str:
    """The page as one normalised string: entities decoded, NFC, 'Ð' → 'Đ', spaces folded."""
    return normalize_text(html.unescape(raw))


def _after_headline(flat: str, title: str) -> int:
    """Offset just after the article's h1: the body (sapo first) follows it in every layout."""
    for m in _H1.finditer(flat):
        if normalize_text(re.sub(r"<[^>]+>", " ", m.group(1))) == title:
            return m.end()
    return 0


def test_fixtures_exist() -> None:
    assert PAGES, "no fixture pages with expected files"
    orphans = [
        p for p in (ROOT / "fixtures").glob("*/*.html") if not p.with_suffix(".expected.json").exists()
    ]
    assert not orphans, f"pages without an expected file: {orphans}"


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_expected_shape(page: Path) -> None:
    raw, exp = _load(page)
    missing = [k for k in REQUIRED if k not in exp]
    assert not missing, f"missing keys {missing}"
    assert exp["site"] == page.parent.name
    host = urlsplit(exp["url"]).hostname or ""
    assert host.removeprefix("www.") == exp["site"]
    assert exp["published"] is None or _ISO.fullmatch(exp["published"]), exp["published"]
    assert isinstance(exp["relevant"], bool)
    assert 4_000 <= len(raw.encode("utf-8")) <= 20_000, "pages stay compact (4–20 KB)"


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_page_names_its_url_and_title(page: Path) -> None:
    raw, exp = _load(page)
    tree = LexborHTMLParser(raw)
    canonical = tree.css_first("link[rel='canonical']")
    og_url = tree.css_first("meta[property='og:url']")
    assert canonical is not None and og_url is not None
    assert canonical.attributes.get("href") == exp["url"]
    assert og_url.attributes.get("content") == exp["url"]
    h1s = [normalize_text(h.text()) for h in tree.css("h1")]
    assert exp["title"] in h1s, f"title not an h1 of the page: {h1s}"


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_figures_are_valid_and_quoted_in_order(page: Path) -> None:
    raw, exp = _load(page)
    flat = _flat(raw)
    pos = _after_headline(flat, exp["title"])
    for fig in exp["figures"]:
        assert set(fig) >= {"value", "value_max", "approx", "kind", "role", "quote"}, fig
        assert fig["kind"] in KINDS and fig["role"] in ROLES and fig["approx"] in APPROX, fig
        assert (fig["approx"] == "range") == (fig["value_max"] is not None), fig
        for v in (fig["value"], fig["value_max"]):
            assert v is None or (isinstance(v, int | float) and not isinstance(v, bool)), fig
            assert not (isinstance(v, float) and v.is_integer()), f"integral value written as float: {fig}"
        at = flat.find(fig["quote"], pos)
        assert at >= 0, f"quote missing after the headline or out of text order: {fig['quote']!r}"
        pos = at + 1


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_hospitals_and_must_not_extract_occur(page: Path) -> None:
    raw, exp = _load(page)
    flat = _flat(raw)
    assert len(set(exp["hospitals"])) == len(exp["hospitals"]), "hospitals are listed once each"
    for name in exp["hospitals"]:
        assert name in flat, name
    quoted = [f["quote"] for f in exp["figures"]] + list(exp["hospitals"])
    for banned in exp["must_not_extract"]:
        assert banned in flat, f"must_not_extract string not on the page: {banned!r}"
        assert not any(banned in q for q in quoted), f"{banned!r} is inside an expected quote"


@pytest.mark.parametrize("page", PAGES, ids=_slug)
def test_campaign_and_relevance(page: Path) -> None:
    _raw, exp = _load(page)
    camp = exp["campaign"]
    if not exp["relevant"]:
        assert camp is None and exp["figures"] == [] and exp["hospitals"] == []
        return
    assert exp["figures"], "a relevant story has figures"
    assert camp is not None and set(camp) >= {"name", "key", "year", "organizer"}
    assert isinstance(camp["key"], str) and _KEY.fullmatch(camp["key"]), camp["key"]
    assert set(camp["key"].split("-")) <= set(slugify(camp["name"] or "").split("-")), camp
    assert camp["year"] is None or isinstance(camp["year"], int)


def test_demo_campaign_spans_four_years() -> None:
    """The demo campaign has a blood-unit target and a result for each year 2022–2025."""
    seen: dict[int, set[str]] = {}
    for page in PAGES:
        if page.parent.name not in ("anninhthudo.vn", "cand.com.vn"):
            continue
        _raw, exp = _load(page)
        camp = exp["campaign"]
        if not camp or camp["key"] != "hanh-trinh-giot-mau-nghia-tinh":
            continue
        roles = {f["role"] for f in exp["figures"] if f["kind"] == "blood_units"}
        seen.setdefault(camp["year"], set()).update(roles)
    assert seen, "demo campaign fixtures (anninhthudo.vn, cand.com.vn) are missing"
    for year in (2022, 2023, 2024, 2025):
        assert {"target", "achieved"} <= seen.get(year, set()), (year, seen.get(year))


def _syndicated_pairs() -> list[tuple[Path, Path]]:
    """Pages of different sites carrying the same headline: one story syndicated under two URLs."""
    by_title: dict[str, list[Path]] = {}
    for page in PAGES:
        _raw, exp = _load(page)
        by_title.setdefault(exp["title"], []).append(page)
    pairs: list[tuple[Path, Path]] = []
    for pages in by_title.values():
        for i, a in enumerate(pages):
            pairs.extend((a, b) for b in pages[i + 1 :] if a.parent != b.parent)
    return pairs


def _is_subsequence(short: list[tuple[Any, ...]], long: list[tuple[Any, ...]]) -> bool:
    it = iter(long)
    return all(item in it for item in short)


def test_syndicated_copies_read_alike() -> None:
    """A syndicated copy is read like its original: same campaign and hospitals, and the
    figures of the shorter copy are the original's figures in the same order (a copy may drop lines)."""
    pairs = _syndicated_pairs()
    assert pairs, "the corpus holds at least one story syndicated on two sites"
    for a, b in pairs:
        _ra, ea = _load(a)
        _rb, eb = _load(b)
        assert ea["url"] != eb["url"]
        assert ea["campaign"] == eb["campaign"], (a, b)
        assert ea["hospitals"] == eb["hospitals"], (a, b)
        fa = [(f["quote"], f["value"], f["kind"], f["role"]) for f in ea["figures"]]
        fb = [(f["quote"], f["value"], f["kind"], f["role"]) for f in eb["figures"]]
        short, long = sorted((fa, fb), key=len)
        assert _is_subsequence(short, long), (a, b)
