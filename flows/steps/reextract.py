"""Re-extraction in batches that a task runner can spread over workers.

The same work and report as :func:`flows.steps.reextract_report.reextract`, cut in three so the
flow can fan out the expensive middle: :func:`plan_reextract` (read the article
captures, start the run), :func:`extract_batch` (read WARC + extract, no database:
runs on any worker, thread or Dask process) and, back in the flow's process, one
short write session per batch (:meth:`Reextraction.load`), then :meth:`Reextraction.finish`.
:func:`run_reextract` drives them with any ``map_batches`` (default: in order, here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from errors import PipelineError
from flows.steps.reextract_report import ReextractReport, SiteDiff, diff_figures

if TYPE_CHECKING:
    from extractors.record import ArticleRecord, Figure
    from flows.config import Settings
    from warehouse.archive_queries import PreviousArticle
    from warehouse.types import Capture

__all__ = ["BatchOutcome", "Reextraction", "extract_batch", "plan_reextract", "run_reextract"]

_MAX_ERRORS = 20
_COUNTS = ("articles", "new_articles", "skipped", "failed", "figures_before", "figures_after",
           "added", "removed", "changed")  # fmt: skip
Batch = tuple[tuple["Capture", "str | None"], ...]
MapBatches = Callable[[Callable[..., "BatchOutcome"], Sequence[tuple[Any, ...]]], Iterable["BatchOutcome"]]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One batch extracted: the kept records, pages off-topic (by site), pages that broke."""

    done: tuple[tuple[Capture, ArticleRecord], ...] = ()
    skipped: tuple[str, ...] = ()  # site of each page kept out by the source's keywords
    failed: tuple[tuple[str, str], ...] = ()  # (host, "url: error")


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "?"


def extract_batch(settings: Settings, batch: Batch, keywords: dict[str, tuple[str, ...]]) -> BatchOutcome:
    """Read each capture back from WARC and extract it; keep it when its source's keywords allow."""
    from extractors.extract import extract_article
    from flows.crawler.discover import is_relevant
    from warehouse.warc.reader import read_response

    done: list[tuple[Capture, ArticleRecord]] = []
    skipped: list[str] = []
    failed: list[tuple[str, str]] = []
    for cap, source in batch:
        try:
            rec = extract_article(read_response(settings.archive, cap).body, cap.url)
        except Exception as exc:  # one broken page never stops the run
            failed.append(
                (_host(cap.url), f"{cap.url}: {exc if isinstance(exc, PipelineError) else repr(exc)}")
            )
            continue
        if source and not is_relevant(f"{rec.title or ''}\n{rec.text}", keywords.get(source, ())):
            skipped.append(rec.site or _host(cap.url))
            continue
        done.append((cap, rec))
    return BatchOutcome(tuple(done), tuple(skipped), tuple(failed))


@dataclass(slots=True)
class Reextraction:
    """A re-extraction run in progress: its captures, and what the loaded batches changed."""

    settings: Settings
    run_id: str
    captures: list[tuple[Capture, str | None]]
    loaded: int = 0
    errors: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(_blank))

    @property
    def keywords(self) -> dict[str, tuple[str, ...]]:
        return {s.name: s.keywords for s in self.settings.sources}

    def batches(self, size: int) -> list[Batch]:
        size = max(size, 1)
        return [tuple(self.captures[i : i + size]) for i in range(0, len(self.captures), size)]

    def load(self, outcome: BatchOutcome) -> None:
        """Store one batch's records (one write session) and count what changed."""
        from extractors.record import EXTRACTOR_VERSION
        from warehouse.archive_queries import previous_articles
        from warehouse.db import session
        from warehouse.load import load_articles

        for host, error in outcome.failed:
            self.stats[host]["failed"] += 1
            self.errors.append(error)
        for site in outcome.skipped:
            self.stats[site]["skipped"] += 1
        if not outcome.done:
            return
        with session(self.settings.database) as con:
            before = previous_articles(con, [c.url for c, _ in outcome.done], EXTRACTOR_VERSION)
            self.loaded += load_articles(
                con, [(rec, cap.capture_id) for cap, rec in outcome.done], run_id=self.run_id
            )
        for cap, rec in outcome.done:
            _tally(self.stats[rec.site or _host(cap.url)], rec.figures, before.get(cap.url))

    def finish(self) -> ReextractReport:
        """Close the run in the warehouse and return the report."""
        from extractors.record import EXTRACTOR_VERSION
        from warehouse.db import session
        from warehouse.load import finish_run

        sites = tuple(
            SiteDiff(site=name, previous_versions=tuple(sorted(s["versions"])), **{k: s[k] for k in _COUNTS})
            for name, s in sorted(self.stats.items())
        )
        errors = tuple(self.errors[:_MAX_ERRORS])
        report = ReextractReport(
            self.run_id, EXTRACTOR_VERSION, len(self.captures), self.loaded, sites, errors
        )
        total = {
            k: sum(getattr(s, k) for s in sites)
            for k in ("articles", "failed", "added", "removed", "changed")
        }
        summary = {"captures": report.captures, "loaded": report.loaded, **total, "errors": list(errors)}
        with session(self.settings.database) as con:
            finish_run(con, self.run_id, summary)
        return report


def plan_reextract(settings: Settings, *, site: str | None = None, since: str | None = None) -> Reextraction:
    """The article captures to re-extract (of ``site``, fetched ``since``); starts the run."""
    from extractors.record import EXTRACTOR_VERSION
    from flows.steps.reextract_report import parse_since
    from warehouse.archive_queries import article_captures
    from warehouse.db import session
    from warehouse.load import start_run

    when = parse_since(since)
    with session(settings.database) as con:
        captures = article_captures(con, site=site, since=when)
        run_id = start_run(con, "reextract", EXTRACTOR_VERSION, {"site": site, "since": since})
    return Reextraction(settings, run_id, captures)


def _in_order(fn: Callable[..., BatchOutcome], calls: Sequence[tuple[Any, ...]]) -> Iterable[BatchOutcome]:
    return (fn(*args) for args in calls)


def run_reextract(
    settings: Settings,
    *,
    site: str | None = None,
    since: str | None = None,
    batch_size: int = 100,
    map_batches: MapBatches | None = None,
) -> ReextractReport:
    """Plan, extract every batch through ``map_batches(fn, calls)`` (results in call order), load, finish."""
    run = plan_reextract(settings, site=site, since=since)
    keywords = run.keywords
    calls = [(settings, batch, keywords) for batch in run.batches(batch_size)]
    for outcome in (map_batches or _in_order)(extract_batch, calls):
        run.load(outcome)
    return run.finish()


def _tally(s: dict[str, Any], figures: Sequence[Figure], prev: PreviousArticle | None) -> None:
    s["articles"] += 1
    s["figures_after"] += len(figures)
    if prev is None:
        s["new_articles"] += 1
        s["added"] += len(figures)
        return
    s["versions"].add(prev.extractor_version)
    s["figures_before"] += len(prev.figures)
    added, removed, changed = diff_figures(prev.figures, figures)
    s["added"] += added
    s["removed"] += removed
    s["changed"] += changed


def _blank() -> dict[str, Any]:
    return {**dict.fromkeys(_COUNTS, 0), "versions": set()}
