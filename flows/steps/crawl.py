"""The crawl's steps as plain functions: discover → plan → fetch → archive → extract → load.
What a crawl did, counted, is :mod:`flows.steps.summary`.

No Prefect here: :mod:`flows.orchestration.flows` runs these in order as thin tasks (the
recipe lives there); tests call them directly. Each step takes settings and plain inputs
and returns plain data. Every write to the warehouse happens in its own short session
(``warehouse.db.session``), so ``campaigns sql`` can read between steps. A page that
fails (HTTP error, robots, an extractor exception, a record the loader refuses) becomes
an error in the ``fetches`` row of its URL and the crawl goes on. Progress goes to the
``campaigns.pipeline`` logger (the CLI prints it).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from errors import PipelineError, describe_error
from extractors.extract import drop_reason
from extractors.record import EXTRACTOR_VERSION
from extractors.urls import host_of
from flows.config import Settings, Source
from flows.crawler.discover import discover, entry_urls
from flows.crawler.fetch import Fetcher, FetchRequest, FetchResult
from flows.steps.archive import reindex_archive
from flows.steps.extract import Extracted, Page, extract_archived
from flows.steps.progress import report_progress
from flows.steps.summary import WITHOUT_FIGURES, Loaded
from warehouse.archive_queries import latest_capture
from warehouse.crawlstate import entry_state, plan_articles, record_results, validators
from warehouse.db import session, transaction
from warehouse.history import record_origins
from warehouse.load import (
    find_capture_by_digest,
    load_articles,
    load_captures,
    load_fetches,
)
from warehouse.queries import list_campaigns, run_sql
from warehouse.run_history import finish_run, start_run
from warehouse.types import Capture, FetchRow
from warehouse.warc.writer import WarcArchive

__all__ = [
    "Archived",
    "Discovered",
    "archive_results",
    "article_pages",
    "begin_run",
    "discover_source",
    "end_run",
    "extract_pages",
    "fetch_pages",
    "fetch_row",
    "load_records",
    "plan_fetches",
]


log = logging.getLogger("campaigns.pipeline")


@dataclass(frozen=True, slots=True)
class Archived:
    """A fetch result and the capture of its final response in the WARC archive."""

    result: FetchResult
    capture: Capture | None


@dataclass(frozen=True, slots=True)
class Discovered:
    """Article URLs found on a source's listings, feeds and sitemaps, the fetches that found
    them, and the article links found and left out, counted by reason."""

    article_urls: tuple[str, ...]
    results: tuple[FetchResult, ...]
    skipped: dict[str, int] = field(default_factory=dict)


# -- runs --------------------------------------------------------------------------------------


def begin_run(settings: Settings, params: dict[str, Any], *, kind: str = "crawl") -> str:
    """Record the start of a run in the warehouse; returns its id.

    First repairs what a killed run may have left (:func:`reindex_archive`): torn WARC
    tails are quarantined and records written but never indexed get their captures rows.
    """
    reindex_archive(settings)
    with session(settings.database) as con:
        return start_run(con, kind, EXTRACTOR_VERSION, params)


def end_run(settings: Settings, run_id: str, summary: dict[str, Any]) -> None:
    with session(settings.database) as con:
        finish_run(con, run_id, summary)


# -- steps -------------------------------------------------------------------------------------


def discover_source(settings: Settings, source: Source) -> Discovered:
    """Fetch the source's listings, feeds and sitemaps (conditionally, unless refreshing); collect article URLs.

    Listing pages, feeds and sitemaps found by an earlier run (not only the configured ones)
    are asked for with the validators of their last fetch, and the feeds and sitemaps read then
    are read again when a start page or a sitemap index answers 304 (it shows none).
    """
    known: dict[str, tuple[str | None, str | None]] = {}
    with session(settings.database) as con:
        entries = entry_state(con, source.name)
        if not settings.crawl.refresh:  # a refresh reads every listing page again to find every article
            known = {u: (e.etag, e.last_modified) for u, e in entries.items() if e.etag or e.last_modified}
            known |= validators(con, entry_urls(source))
    fine = ("fetched", "not_modified")
    feeds = [u for u, e in entries.items() if e.kind == "feed" and e.last_outcome in fine]
    sitemaps = [u for u, e in entries.items() if e.kind == "sitemap" and e.last_outcome in fine]

    async def run() -> Any:
        async with Fetcher(settings.crawl, settings.state_dir) as fetcher:
            return await discover(
                source, fetcher, settings.crawl, known, known_feeds=feeds, known_sitemaps=sitemaps
            )

    found = asyncio.run(run())
    log.info(
        "%s: %d article links on %d listing/feed/sitemap pages",
        source.name,
        len(found.article_urls),
        len(found.results),
    )
    return Discovered(tuple(found.article_urls), tuple(found.results), dict(found.skipped))


def plan_fetches(settings: Settings, source: Source, urls: Sequence[str]) -> list[FetchRequest]:
    """Which discovered articles to fetch now (new or left pending; all with ``crawl.refresh``).

    Each request carries the validators of the URL's last fetch, so a refresh asks conditionally.
    """
    with session(settings.database) as con:
        planned = plan_articles(con, source.name, list(urls), refresh=settings.crawl.refresh)
        known = validators(con, planned)
    found = set(urls)
    leftover = sum(1 for u in planned if u not in found)  # pending from a run that did not finish them
    log.info(
        "%s: %d of %d articles found to fetch%s",
        source.name,
        len(planned) - leftover,
        len(found),
        f", and {leftover} left from earlier runs" if leftover else "",
    )
    report_progress(
        "plan", hosts=dict(Counter(host_of(u) for u in planned)), delay=settings.crawl.delay_seconds
    )
    return [FetchRequest(u, "article", *known.get(u, (None, None))) for u in planned]


def fetch_pages(settings: Settings, requests: Sequence[FetchRequest]) -> list[FetchResult]:
    """Fetch the planned pages politely; failures come back as results, never raised."""

    async def run() -> list[FetchResult]:
        async with Fetcher(settings.crawl, settings.state_dir) as fetcher:
            return await fetcher.fetch_many(
                requests, on_result=lambda r: report_progress("fetch", host=host_of(r.url))
            )

    results = asyncio.run(run()) if requests else []
    outcomes = Counter(r.outcome for r in results)
    log.info(
        "fetched %d pages (%s)", len(results), ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    )
    return results


def archive_results(
    settings: Settings, source: Source, results: Sequence[FetchResult], run_id: str, *, origin: str = "crawl"
) -> list[Archived]:
    """Write every exchange of the results to WARC, then index captures and log fetches (one session).

    The crawl state of listings and feeds is recorded here; that of articles only by
    :func:`load_records`, once their records are stored, so a run killed in between
    leaves them pending and the next run fetches them again (at least once, never lost).
    """
    archived: list[Archived] = []
    captures: list[Capture] = []
    with session(settings.database) as con:
        with WarcArchive(
            settings.archive,
            max_bytes=settings.storage.warc_max_bytes,
            lookup=lambda url, digest: find_capture_by_digest(con, url, digest),
            latest=lambda url: latest_capture(con, url),
        ) as warc:
            for result in results:
                caps = [warc.write(ex) for ex in result.exchanges]
                captures += caps
                archived.append(Archived(result, caps[-1] if caps else None))
        with transaction(con):
            load_captures(con, captures)
            record_origins(con, [c.capture_id for c in captures], origin, run_id)  # crawl or backfill
            load_fetches(con, [fetch_row(a, source.name, run_id) for a in archived])
            record_results(con, source.name, [r for r in results if r.kind != "article"])
    log.info("%s: archived %d exchanges of %d fetches", source.name, len(captures), len(archived))
    return archived


def fetch_row(item: Archived, source: str, run_id: str, error: str | None = None) -> FetchRow:
    """The ``fetches`` row of one archived result (``error`` overrides the fetch's own)."""
    r, cap = item.result, item.capture
    return FetchRow(
        r.url, r.final_url, r.status, error if error is not None else r.error, r.outcome, r.kind, source,
        r.bytes, r.fetched_at, r.content_type, r.etag, r.last_modified,
        capture_id=cap.capture_id if cap else None,
        warc_file=cap.warc_file if cap else None,
        warc_offset=cap.offset if cap else None,
        run_id=run_id,
    )  # fmt: skip


def article_pages(source: Source, archived: Sequence[Archived]) -> list[Page]:
    """The fetched article pages of a batch, as :func:`extract_archived` takes them (bodies in memory)."""
    return [
        Page(a.capture, source.name, a.result.body)
        for a in archived
        if a.result.kind == "article" and a.result.outcome == "fetched" and a.result.body and a.capture
    ]


def extract_pages(settings: Settings, source: Source, pages: Sequence[Page]) -> Extracted:
    """Extract fetched article pages; keep those with one of the source's keywords."""
    extracted = extract_archived(settings.archive, pages, {source.name: source.keywords})
    for page, error in extracted.errors:
        log.warning("%s: cannot extract %s: %s", source.name, page.capture.url, error)
    return extracted


def load_records(
    settings: Settings,
    source: Source,
    extracted: Extracted,
    run_id: str,
    archived: Sequence[Archived] = (),
) -> Loaded:
    """Load the records in one session; a record the loader refuses becomes an error, the rest load.

    Every broken page of the batch (extraction or load) gets its error written into
    its row of ``fetches`` ("extract: ..." / "load: ..."). Last, the batch's ``archived``
    articles are marked done in the crawl state (the frontier), with those rows.
    """
    by_capture = {a.capture.capture_id: a for a in archived if a.capture}
    errors = [(page, f"extract: {msg}") for page, msg in extracted.errors]
    good = list(extracted.records)
    loaded = 0
    with session(settings.database) as con:
        before = _campaign_years(list_campaigns(con))
        stored_before = _article_rows(con)
        try:
            loaded = (
                load_articles(con, [(r, p.capture.capture_id) for p, r in good], run_id=run_id) if good else 0
            )
        except PipelineError as exc:
            if exc.transient:
                raise
            loaded, good = 0, []
            for page, record in extracted.records:  # find the bad ones; load the others
                try:
                    loaded += load_articles(con, [(record, page.capture.capture_id)], run_id=run_id)
                    good.append((page, record))
                except PipelineError as one:
                    if one.transient:
                        raise
                    errors.append((page, f"load: {describe_error(one)}"))
                    log.warning("%s: cannot load %s: %s", source.name, page.capture.url, describe_error(one))
        after = _campaign_years(list_campaigns(con))
        new = _article_rows(con) - stored_before
        rows = [
            fetch_row(by_capture[p.capture.capture_id], source.name, run_id, error=msg)
            for p, msg in errors
            if p.capture.capture_id in by_capture
        ]
        with transaction(con):
            if rows:
                load_fetches(con, rows)
            record_results(con, source.name, [a.result for a in archived if a.result.kind == "article"])
    figures = sum(len(rec.figures) for _, rec in good)
    counts = (
        (new, "new"),
        (loaded - new, "stored again from a newer capture"),
        (len(good) - loaded, "already stored as they are"),
    )
    said = ", ".join(f"{n} {what}" for n, what in counts if n)
    log.info("%s: %d articles (%d figures)%s", source.name, len(good), figures, f": {said}" if said else "")
    empty = Counter(WITHOUT_FIGURES[reason] for _, rec in good if (reason := drop_reason(rec)))
    return Loaded(len(good), loaded, figures, tuple(sorted(after - before)), tuple(errors), dict(empty))


def _article_rows(con: Any) -> int:
    return int(run_sql(con, "SELECT count(*) FROM articles")[1][0][0])


def _campaign_years(rows: Iterable[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(str(r["key"]), int(y)) for r in rows for y in (r.get("years") or [])}
