"""Drift audit over the archive, and new fixtures from archived pages.

``audit_archive`` re-reads archived article pages with the current extractor
(no network) and compares what it gets with what the warehouse holds for the
same extractor version: figures that appeared, vanished or changed, by site,
with a warning when a site's yield falls sharply — the sign of a changed page
template. ``add_fixture`` turns an archived page or a saved file into a fixture
with the current extraction as its draft expected reading.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from errors import ConfigError
from extractors.content import canonical_url
from extractors.extract import extract_article
from extractors.record import EXTRACTOR_VERSION
from flows.config import Settings
from flows.steps.audit import project, write_expected
from flows.steps.extract import Page, extract_archived
from flows.steps.reextract_report import diff_figures
from warehouse.archive_queries import article_captures, captures_for_url, figures_of_version
from warehouse.db import connect
from warehouse.warc.reader import read_response

__all__ = ["DriftRow", "add_fixture", "audit_archive"]

#: A site whose figures per page fall below this share of the stored yield is flagged.
YIELD_DROP = 0.5


@dataclass(frozen=True, slots=True)
class DriftRow:
    site: str
    pages: int
    failed: int
    stored_figures: int
    figures_now: int
    appeared: int
    vanished: int
    changed: int
    text_chars_now: int

    @property
    def warning(self) -> str | None:
        if self.failed and self.failed >= self.pages / 2:
            return "most pages fail to extract"
        if self.stored_figures >= 3 and self.figures_now < YIELD_DROP * self.stored_figures:
            return f"yield dropped {self.stored_figures} → {self.figures_now} figures: page template changed?"
        return None


def audit_archive(settings: Settings, *, site: str | None = None, sample: int | None = 200) -> list[DriftRow]:
    """Re-extract (a sample of) archived article pages; compare with the stored current version."""
    con = connect(settings.database, read_only=True)
    try:
        captures = [c for c, _ in article_captures(con, site=site)]
        if sample is not None and len(captures) > sample:
            captures = random.Random(0).sample(captures, sample)
        stored = figures_of_version(con, [c.url for c in captures], EXTRACTOR_VERSION)
    finally:
        con.close()
    pages = [Page(c) for c in captures if c.url in stored]  # others were not kept as articles
    extracted = extract_archived(settings.archive, pages)
    tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for page, _error in extracted.errors:
        t = tally[stored[page.capture.url].site]
        t["pages"] += 1
        t["failed"] += 1
        t["stored_figures"] += len(stored[page.capture.url].figures)
    for page, rec in extracted.records:
        prev = stored[page.capture.url]
        t = tally[prev.site]
        t["pages"] += 1
        t["stored_figures"] += len(prev.figures)
        added, removed, changed = diff_figures(prev.figures, rec.figures)
        t["figures_now"] += len(rec.figures)
        t["appeared"] += added
        t["vanished"] += removed
        t["changed"] += changed
        t["text_chars_now"] += len(rec.text)
    fields = DriftRow.__slots__
    return [DriftRow(site=s, **{k: t[k] for k in fields if k != "site"}) for s, t in sorted(tally.items())]


def _slug(url: str) -> str:
    path = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    path = re.sub(r"\.(html?|antd|cand|tpo|vn)$", "", path)
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:80] or "page"


def add_fixture(
    settings: Settings | None, target: str, fixtures_dir: Path, *, url: str | None = None
) -> Path:
    """Write ``fixtures/<site>/<slug>.html`` and a draft ``.expected.json``; returns the HTML path."""
    path = Path(target)
    content_type = None  # a saved file: the decoder sniffs the charset
    if path.is_file():
        body = path.read_bytes()
        url = url or canonical_url(body)
        if not url:
            raise ConfigError(f"{path}: no canonical link or og:url; give --url")
    elif re.match(r"https?://", target):
        if settings is None:
            raise ConfigError("an archived URL needs the warehouse: give --config")
        body, content_type = _archived_body(settings, target)
        url = url or target
    else:
        raise ConfigError(f"not a file or an http(s) URL: {target}")
    record = extract_article(body, url, content_type)
    out = fixtures_dir / record.site / f"{_slug(record.canonical_url or url)}.html"
    if out.exists():
        raise ConfigError(f"fixture exists already: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    draft: dict[str, Any] = {
        **project(record.to_dict()),
        "relevant": bool(record.figures or record.campaign),
        "must_not_extract": [],
        "notes": [
            "DRAFT written by `campaigns audit --add`: check every figure against the page, then remove this"
        ],
    }
    write_expected(out.with_suffix(".expected.json"), draft)
    return out


def _archived_body(settings: Settings, url: str) -> tuple[bytes, str | None]:
    con = connect(settings.database, read_only=True)
    try:
        caps = [c for c in captures_for_url(con, url) if 200 <= c.status < 300]
    finally:
        con.close()
    if not caps:
        raise ConfigError(f"no archived capture of {url}")
    return read_response(settings.archive, caps[-1]).body, caps[-1].content_type
