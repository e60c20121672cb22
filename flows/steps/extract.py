"""Extraction of archived article pages: the one step that turns a capture into a record.

The crawl (pages it has just archived, bodies still in memory), re-extraction and the
archive audit (bodies read back from the WARC files) all call :func:`extract_archived`,
so a page is decoded and read the same way whichever path it takes: the archived
response's own URL and Content-Type go to :func:`extractors.extract.extract_article`.
A page that breaks becomes an error line (:func:`errors.describe_error`),
never an exception; a page of a source with keywords that mentions none of them is
counted off-topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from errors import describe_error
from extractors.extract import extract_article
from extractors.record import ArticleRecord
from flows.crawler.discover import matches_keywords
from warehouse.types import Capture
from warehouse.warc.reader import read_response

__all__ = ["Extracted", "Page", "extract_archived"]


@dataclass(frozen=True, slots=True)
class Page:
    """An archived article page: its capture, the source it was crawled for, its body when at hand."""

    capture: Capture
    source: str | None = None
    body: bytes | None = None  # None: read from the archive


@dataclass(frozen=True, slots=True)
class Extracted:
    """The records of a batch of pages, those off-topic for their source, the pages that broke."""

    records: tuple[tuple[Page, ArticleRecord], ...] = ()
    off_topic: tuple[tuple[Page, ArticleRecord], ...] = ()
    errors: tuple[tuple[Page, str], ...] = ()

    def merge(self, other: Extracted) -> Extracted:
        return Extracted(
            self.records + other.records, self.off_topic + other.off_topic, self.errors + other.errors
        )


def extract_archived(
    archive: Path, pages: Sequence[Page], keywords: Mapping[str, Sequence[str]] | None = None
) -> Extracted:
    """Extract every page (reading the body from ``archive`` when the page has none).

    ``keywords`` maps a source name to its topic words: a page of a source with keywords
    is kept only when its title or text mentions one.
    """
    records: list[tuple[Page, ArticleRecord]] = []
    off_topic: list[tuple[Page, ArticleRecord]] = []
    errors: list[tuple[Page, str]] = []
    for page in pages:
        cap = page.capture
        try:
            body = page.body if page.body is not None else read_response(archive, cap).body
            record = extract_article(body, cap.url, cap.content_type)
        except Exception as exc:  # one broken page never stops the run
            errors.append((page, describe_error(exc)))
            continue
        words = (keywords or {}).get(page.source or "", ())
        if words and not matches_keywords(f"{record.title or ''}\n{record.text}", words):
            off_topic.append((page, record))
            continue
        records.append((page, record))
    return Extracted(tuple(records), tuple(off_topic), tuple(errors))
