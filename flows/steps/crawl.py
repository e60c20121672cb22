"""The crawl as plain steps: discover → plan → fetch → archive → extract → load, per source.

No Prefect here: :mod:`flows.orchestration.flows` wraps these functions as tasks, tests call them
directly. Each step takes settings and plain inputs and returns plain data. Every
write to the warehouse happens in its own short session (``warehouse.db.session``),
so ``campaigns sql`` can read between steps. A page that fails (HTTP error, robots,
an extractor exception, a record the loader refuses) becomes an error in the
``fetches`` row of its URL and the crawl goes on. Progress goes to the
``campaigns.pipeline`` logger (the CLI prints it). The counting (``SourceSummary``,
``summarize``...) lives in :mod:`flows.steps.summary` and the archive repair a run
starts with in :mod:`flows.steps.archive`; this module re-exports the former.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from errors import ConfigError, PipelineError
from flows.config import Settings, Source, default_sources
from flows.steps.summary import SourceSummary, batch_summary, describe_error, summarize
from warehouse.types import Capture, FetchRow

if TYPE_CHECKING:
    from extractors.record import ArticleRecord
    from flows.crawler.fetch import FetchRequest, FetchResult

__all__ = [
    "Archived",
    "Discovered",
    "Extracted",
    "Loaded",
    "SourceSummary",
    "archive_results",
    "batch_summary",
    "begin_run",
    "crawl_source",
    "describe_error",
    "discover_source",
    "end_run",
    "extract_pages",
    "fetch_pages",
    "fetch_row",
    "load_records",
    "plan_fetches",
    "resolve_sources",
    "settings_from_payload",
    "settings_payload",
    "summarize",
]

log = logging.getLogger("campaigns.pipeline")


@dataclass(frozen=True, slots=True)
class Archived:
    """A fetch result and the capture of its final response in the WARC archive."""

    result: FetchResult
    capture: Capture | None


@dataclass(frozen=True, slots=True)
class Extracted:
    """The relevant article records of a batch (with their pages), what was ignored, and what broke."""

    items: tuple[tuple[ArticleRecord, Archived], ...] = ()
    irrelevant: int = 0
    errors: tuple[tuple[Archived, str], ...] = ()

    def merge(self, other: Extracted) -> Extracted:
        return Extracted(
            self.items + other.items, self.irrelevant + other.irrelevant, self.errors + other.errors
        )


# -- settings ----------------------------------------------------------------------------------


def settings_payload(settings: Settings) -> dict[str, Any]:
    """Settings as JSON-able data (a flow parameter), storage paths made absolute."""
    data = settings.model_dump(mode="json")
    storage = data["storage"]
    storage["database"] = str(Path(storage["database"]).expanduser().resolve())
    storage["archive"] = str(Path(storage["archive"]).expanduser().resolve())
    if not data.get("sources"):
        data["sources"] = [s.model_dump(mode="json") for s in default_sources()]
    return data


def settings_from_payload(payload: dict[str, Any]) -> Settings:
    """The settings back from :func:`settings_payload` (every field given: nothing read from env)."""
    return Settings.model_validate(payload)


def resolve_sources(settings: Settings, names: Iterable[str] = ()) -> tuple[Source, ...]:
    """The sources to crawl: all configured (or the shipped defaults), or those named."""
    known = settings.sources or default_sources()
    if not known:
        raise ConfigError("no sources configured: add [[sources]] to the config file")
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return tuple(known)
    by_name = {s.name: s for s in known}
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise ConfigError(f"unknown source {', '.join(missing)}; known: {', '.join(by_name)}")
    return tuple(by_name[n] for n in wanted)


# -- runs --------------------------------------------------------------------------------------


def begin_run(settings: Settings, params: dict[str, Any], *, kind: str = "crawl") -> str:
    """Record the start of a run in the warehouse; returns its id.

    First repairs what a killed run may have left (:func:`reindex_archive`): torn WARC
    tails are quarantined and records written but never indexed get their captures rows.
    """
    from extractors.record import EXTRACTOR_VERSION
    from flows.steps.archive import reindex_archive
    from warehouse.db import session
    from warehouse.load import start_run

    reindex_archive(settings)
    with session(settings.database) as con:
        return start_run(con, kind, EXTRACTOR_VERSION, params)


def end_run(settings: Settings, run_id: str, summary: dict[str, Any]) -> None:
    from warehouse.db import session
    from warehouse.load import finish_run

    with session(settings.database) as con:
        finish_run(con, run_id, summary)


# -- steps -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discovered:
    """Article URLs found on a source's listings and feeds, and the fetches that found them."""

    article_urls: tuple[str, ...]
    results: tuple[FetchResult, ...]


def discover_source(settings: Settings, source: Source) -> Discovered:
    """Fetch the source's listings, feeds and sitemaps (conditionally, unless refreshing); collect article URLs."""
    from flows.crawler.discover import discover, entry_urls
    from flows.crawler.fetch import Fetcher
    from warehouse.crawlstate import validators
    from warehouse.db import session

    known: dict[str, tuple[str | None, str | None]] = {}
    if not settings.crawl.refresh:  # a refresh reads every listing page again to find every article
        with session(settings.database) as con:
            known = validators(con, entry_urls(source))

    async def run() -> Any:
        async with Fetcher(settings.crawl) as fetcher:
            return await discover(source, fetcher, settings.crawl, known)

    found = asyncio.run(run())
    log.info(
        "%s: %d article links on %d listing/feed pages",
        source.name,
        len(found.article_urls),
        len(found.results),
    )
    return Discovered(tuple(found.article_urls), tuple(found.results))


def plan_fetches(settings: Settings, source: Source, urls: Sequence[str]) -> list[FetchRequest]:
    """Which discovered articles to fetch now (new or left pending; all with ``crawl.refresh``).

    Each request carries the validators of the URL's last fetch, so a refresh asks conditionally.
    """
    from flows.crawler.fetch import FetchRequest
    from warehouse.crawlstate import plan_articles, validators
    from warehouse.db import session

    with session(settings.database) as con:
        planned = plan_articles(con, source.name, list(urls), refresh=settings.crawl.refresh)
        known = validators(con, planned)
    log.info("%s: %d of %d articles to fetch", source.name, len(planned), len(urls))
    return [FetchRequest(u, "article", *known.get(u, (None, None))) for u in planned]


def fetch_pages(settings: Settings, requests: Sequence[FetchRequest]) -> list[FetchResult]:
    """Fetch the planned pages politely; failures come back as results, never raised."""
    from flows.crawler.fetch import Fetcher

    async def run() -> list[FetchResult]:
        async with Fetcher(settings.crawl) as fetcher:
            return await fetcher.fetch_many(requests)

    results = asyncio.run(run()) if requests else []
    outcomes = Counter(r.outcome for r in results)
    log.info(
        "fetched %d pages (%s)", len(results), ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    )
    return results


def archive_results(
    settings: Settings, source: Source, results: Sequence[FetchResult], run_id: str
) -> list[Archived]:
    """Write every exchange of the results to WARC, then index captures and log fetches (one session).

    The crawl state of listings and feeds is recorded here; that of articles only by
    :func:`load_records`, once their records are stored, so a run killed in between
    leaves them pending and the next run fetches them again (at least once, never lost).
    """
    from warehouse.crawlstate import record_results
    from warehouse.db import session, transaction
    from warehouse.load import find_capture_by_digest, load_captures, load_fetches
    from warehouse.warc.writer import WarcArchive

    archived: list[Archived] = []
    captures: list[Capture] = []
    with session(settings.database) as con:
        with WarcArchive(
            settings.archive,
            max_bytes=settings.storage.warc_max_bytes,
            lookup=lambda url, digest: find_capture_by_digest(con, url, digest),
        ) as warc:
            for result in results:
                caps = [warc.write(ex) for ex in result.exchanges]
                captures += caps
                archived.append(Archived(result, caps[-1] if caps else None))
        with transaction(con):
            load_captures(con, captures)
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


def extract_pages(source: Source, archived: Sequence[Archived]) -> Extracted:
    """Extract every fetched article; keep those with one of the source's keywords."""
    from extractors.extract import extract_article
    from flows.crawler.discover import is_relevant

    items: list[tuple[ArticleRecord, Archived]] = []
    errors: list[tuple[Archived, str]] = []
    irrelevant = 0
    for item in archived:
        r = item.result
        if r.kind != "article" or r.outcome != "fetched" or not r.body:
            continue
        try:
            record = extract_article(r.body, r.final_url or r.url)
        except Exception as exc:  # one broken page never stops the crawl
            errors.append((item, describe_error(exc)))
            log.warning("%s: cannot extract %s: %s", source.name, r.url, describe_error(exc))
            continue
        if source.keywords and not is_relevant(f"{record.title or ''}\n{record.text}", source.keywords):
            irrelevant += 1
            continue
        items.append((record, item))
    return Extracted(tuple(items), irrelevant, tuple(errors))


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading one batch of records did; ``errors`` are pages that broke (extract or load)."""

    articles: int
    loaded: int
    figures: int
    new_campaign_years: tuple[tuple[str, int], ...]
    errors: tuple[tuple[Archived, str], ...] = ()


def _capture_id(item: Archived) -> str | None:
    return item.capture.capture_id if item.capture else None


def load_records(
    settings: Settings,
    source: Source,
    extracted: Extracted,
    run_id: str,
    results: Sequence[FetchResult] = (),
) -> Loaded:
    """Load the records in one session; a record the loader refuses becomes an error, the rest load.

    Every broken page of the batch (extraction or load) gets its error written into
    its row of ``fetches`` ("extract: ..." / "load: ..."). Last, the batch's article
    ``results`` are marked done in the crawl state (the frontier), with those rows.
    """
    from warehouse.crawlstate import record_results
    from warehouse.db import session, transaction
    from warehouse.load import load_articles, load_fetches
    from warehouse.queries import list_campaigns

    errors = [(item, f"extract: {msg}") for item, msg in extracted.errors]
    good = list(extracted.items)
    loaded = 0
    with session(settings.database) as con:
        before = _campaign_years(list_campaigns(con))
        try:
            loaded = load_articles(con, [(r, _capture_id(a)) for r, a in good], run_id=run_id) if good else 0
        except PipelineError as exc:
            if exc.transient:
                raise
            loaded, good = 0, []
            for record, item in extracted.items:  # find the bad ones; load the others
                try:
                    loaded += load_articles(con, [(record, _capture_id(item))], run_id=run_id)
                    good.append((record, item))
                except PipelineError as one:
                    if one.transient:
                        raise
                    errors.append((item, f"load: {describe_error(one)}"))
                    log.warning("%s: cannot load %s: %s", source.name, item.result.url, describe_error(one))
        after = _campaign_years(list_campaigns(con))
        with transaction(con):
            if errors:
                load_fetches(con, [fetch_row(item, source.name, run_id, error=msg) for item, msg in errors])
            record_results(con, source.name, [r for r in results if r.kind == "article"])
    figures = sum(len(rec.figures) for rec, _ in good)
    log.info("%s: loaded %d new or changed articles (%d figures)", source.name, loaded, figures)
    return Loaded(len(good), loaded, figures, tuple(sorted(after - before)), tuple(errors))


def _campaign_years(rows: Iterable[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(str(r["key"]), int(y)) for r in rows for y in (r.get("years") or [])}


# -- one source, end to end (what the flow does, without Prefect) ------------------------------


def crawl_source(
    settings: Settings,
    source: Source,
    run_id: str,
    *,
    batch_size: int = 50,
    step: Callable[..., Any] | None = None,
) -> SourceSummary:
    """All steps for one source, in order; ``step(fn, *args)`` runs each (the flow makes them tasks)."""
    call = step or (lambda fn, *a: fn(*a))
    found: Discovered = call(discover_source, settings, source)
    call(archive_results, settings, source, found.results, run_id)
    planned = call(plan_fetches, settings, source, found.article_urls)
    summary = SourceSummary(source.name, discovered=len(found.article_urls), planned=len(planned))
    summary = summary.plus(batch_summary(source.name, found.results))  # listings and feeds
    for start in range(0, len(planned), max(1, batch_size)):
        results = call(fetch_pages, settings, planned[start : start + batch_size])
        archived = call(archive_results, settings, source, results, run_id)
        extracted: Extracted = call(extract_pages, source, archived)
        loaded = call(load_records, settings, source, extracted, run_id, results)
        summary = summary.plus(batch_summary(source.name, results, loaded, extracted.irrelevant))
    return summary
