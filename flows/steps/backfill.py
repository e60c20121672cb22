"""``campaigns backfill``: a source's past articles, found in its sitemaps month by month.

A site's sitemap index lists child sitemaps, usually one per month (``sitemap-2019-06.xml``,
``/sitemaps/2019/06.xml``) or with a ``<lastmod>``; news sitemaps give each URL a
``<news:publication_date>`` or ``<lastmod>``. :func:`backfill_source` fetches the source's
sitemaps (conditionally, through the nightly crawl's polite fetcher), keeps the child sitemaps
whose month (from their address) lies in ``[since, until]``, and the article URLs (the source's
``article_pattern``) whose date, when given, does too. URLs already fetched or captured are
never fetched again; the rest go into the crawl state as pending (so a stopped backfill
resumes where it was) and through the crawl's own steps: fetch, archive (captures marked
``backfill``), extract, load.
"""

from __future__ import annotations

import asyncio
import logging
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from errors import ConfigError
from extractors.urls import canonicalize_url
from flows.config import Settings, Source
from flows.crawler.fetch import Fetcher, FetchResult
from flows.steps import crawl as steps
from warehouse.db import session
from warehouse.history import known_urls

__all__ = ["BackfillSummary", "backfill_source", "month_of", "parse_month", "sitemap_entries"]

log = logging.getLogger("campaigns.pipeline")
_MONTH_IN_URL = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_.]?(0[1-9]|1[0-2])(?!\d)")
_MAX_SITEMAP = 64 * 1024 * 1024
_BATCH = 50


@dataclass(frozen=True, slots=True)
class BackfillSummary:
    run_id: str
    source: str
    months: str
    sitemaps: int = 0
    found: int = 0
    known: int = 0
    fetched: int = 0
    failed: int = 0
    articles: int = 0
    loaded: int = 0
    figures: int = 0

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row.pop("run_id")
        return row


def parse_month(text: str | None, flag: str = "--since") -> date:
    """``2019-06`` → 2019-06-01; ConfigError otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise ConfigError(f"{flag}: not a month (YYYY-MM): {text!r}")
    return date(int(m.group(1)), int(m.group(2)), 1)


def month_of(text: str | None) -> date | None:
    """The month a sitemap address or a W3C date names (``.../2019-06.xml``, ``2019-06-10T...``)."""
    m = _MONTH_IN_URL.search(text or "")
    return date(int(m.group(1)), int(m.group(2)), 1) if m else None


def sitemap_entries(data: bytes) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """``(pages, child sitemaps)`` of a sitemap or sitemap index, each ``(loc, date or None)``."""
    if data[:2] == b"\x1f\x8b":
        data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, _MAX_SITEMAP)
    data = re.sub(rb"<!DOCTYPE[^>]*>", b"", data, count=1)  # no DTD, no entity expansion
    try:
        root = ET.fromstring(data.strip())
    except ET.ParseError:
        return [], []
    pages: list[tuple[str, str | None]] = []
    children: list[tuple[str, str | None]] = []
    for node in root.iter():
        name = _local(node.tag)
        if name not in ("url", "sitemap"):
            continue
        loc, when = None, None
        for child in node.iter():
            tag = _local(child.tag)
            text = (child.text or "").strip()
            if tag == "loc" and text and loc is None:
                loc = text
            elif (
                tag in ("publication_date", "lastmod")
                and text
                and (when is None or tag == "publication_date")
            ):
                when = text
        if loc:
            (children if name == "sitemap" else pages).append((loc, when))
    return pages, children


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _in_range(month: date | None, first: date, last: date) -> bool:
    return month is None or first <= month <= last


def discover_months(
    settings: Settings, source: Source, first: date, last: date
) -> tuple[list[str], list[FetchResult]]:
    """Article URLs of ``source``'s sitemaps dated in ``[first, last]`` (months), and the sitemap fetches."""
    if not source.sitemaps:
        raise ConfigError(
            f"source {source.name} lists no sitemaps: add its sitemap index to sitemaps = [...]"
        )
    pattern = re.compile(source.article_pattern) if source.article_pattern else None

    async def run() -> tuple[list[str], list[FetchResult]]:
        found: dict[str, None] = {}
        results: list[FetchResult] = []
        queue = [canonicalize_url(u) for u in source.sitemaps]
        seen: set[str] = set()
        async with Fetcher(settings.crawl) as fetcher:
            while queue:
                url = queue.pop(0)
                if url in seen:
                    continue
                seen.add(url)
                got = await fetcher.fetch(url, kind="sitemap")
                results.append(got)
                if got.outcome != "fetched" or not got.body:
                    continue
                pages, children = sitemap_entries(got.body)
                queue += [
                    canonicalize_url(loc, url) for loc, _ in children if _in_range(month_of(loc), first, last)
                ]
                for loc, when in pages:
                    link = canonicalize_url(loc, url)
                    if (pattern is None or pattern.search(link)) and _in_range(month_of(when), first, last):
                        found.setdefault(link)
        return list(found), results

    return asyncio.run(run())


def backfill_source(
    settings: Settings, source: Source, first: date, last: date | None = None
) -> BackfillSummary:
    """Backfill ``source`` for the months ``first`` .. ``last`` (default: this month)."""
    last = last or datetime.now(UTC).date().replace(day=1)
    months = f"{first:%Y-%m}..{last:%Y-%m}"
    run_id = steps.begin_run(settings, {"source": source.name, "months": months}, kind="backfill")
    urls, results = discover_months(settings, source, first, last)
    steps.archive_results(settings, source, results, run_id, origin="backfill")
    with session(settings.database) as con:
        known = known_urls(con, urls)
    log.info(
        "%s: %d articles in the sitemaps of %s, %d already known", source.name, len(urls), months, len(known)
    )
    planned = steps.plan_fetches(settings, source, [u for u in urls if u not in known])
    summary = BackfillSummary(run_id, source.name, months, len(results), len(urls), len(known))
    totals = {"fetched": 0, "failed": 0, "articles": 0, "loaded": 0, "figures": 0}
    for start in range(0, len(planned), _BATCH):
        fetched = steps.fetch_pages(settings, planned[start : start + _BATCH])
        archived = steps.archive_results(settings, source, fetched, run_id, origin="backfill")
        extracted = steps.extract_pages(settings, source, steps.article_pages(source, archived))
        loaded = steps.load_records(settings, source, extracted, run_id, archived)
        totals["fetched"] += sum(r.outcome == "fetched" for r in fetched)
        totals["failed"] += sum(r.outcome in ("failed", "deferred") for r in fetched)
        totals["articles"] += loaded.articles
        totals["loaded"] += loaded.loaded
        totals["figures"] += loaded.figures
    done = BackfillSummary(
        run_id, source.name, months, summary.sitemaps, summary.found, summary.known, **totals
    )
    steps.end_run(settings, run_id, done.to_row())
    return done
