"""Re-extraction from the archive: no network, new records under the current extractor version.

Every article capture (latest per URL) is read back from the WARC files, run through
:func:`flows.steps.extract.extract_archived` (the step the crawl uses) and loaded with
:func:`warehouse.load.load_articles` in short write sessions, one per batch, so a crawl
waiting for the database is held up for one batch at most. Older versions stay in the
warehouse; the report says, per site, which figures the new version added, removed or
read differently (:func:`flows.steps.reextract_report.diff_figures`).

Cut in three so a flow can fan out the expensive middle: :func:`plan_reextract` (read
the article captures, start the run), :func:`extract_batch` (read WARC + extract, no
database: runs on any worker, thread or Dask process) and, back in the caller's process,
:meth:`Reextraction.load` per batch, then :meth:`Reextraction.finish`. :func:`reextract`
runs them in order, here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.record import EXTRACTOR_VERSION, Figure
from extractors.urls import site_of
from flows.config import Settings
from flows.steps.extract import Extracted, Page, extract_archived
from flows.steps.progress import report_progress
from flows.steps.reextract_report import ReextractReport, SiteDiff, diff_figures, parse_since
from warehouse.archive_queries import PreviousArticle, article_captures, previous_articles
from warehouse.db import require_database, session
from warehouse.load import load_articles
from warehouse.run_history import finish_run, start_run

__all__ = ["Reextraction", "extract_batch", "plan_reextract", "reextract"]

_MAX_ERRORS = 20
_COUNTS = ("articles", "new_articles", "skipped", "failed", "figures_before", "figures_after",
           "added", "removed", "changed")  # fmt: skip


def extract_batch(settings: Settings, batch: Sequence[Page]) -> Extracted:
    """Read each page back from WARC and extract it; keep it when its source's keywords allow."""
    return extract_archived(settings.archive, batch, {s.name: s.keywords for s in settings.sources})


@dataclass(slots=True)
class Reextraction:
    """A re-extraction run in progress: its pages, and what the loaded batches changed."""

    settings: Settings
    run_id: str
    pages: list[Page]
    loaded: int = 0
    done: int = 0  # pages extracted so far (loaded, off-topic or failed)
    site: str | None = None
    since: str | None = None
    errors: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(_blank))

    def batches(self, size: int) -> list[tuple[Page, ...]]:
        size = max(size, 1)
        return [tuple(self.pages[i : i + size]) for i in range(0, len(self.pages), size)]

    def load(self, outcome: Extracted) -> None:
        """Store one batch's records (one write session) and count what changed."""
        self.done += len(outcome.records) + len(outcome.off_topic) + len(outcome.errors)
        report_progress("reextract", done=self.done, total=len(self.pages), what="pages")
        for page, error in outcome.errors:
            self.stats[site_of(page.capture.url)]["failed"] += 1
            self.errors.append(f"{page.capture.url}: {error}")
        for page, rec in outcome.off_topic:
            self.stats[rec.site or site_of(page.capture.url)]["skipped"] += 1
        if not outcome.records:
            return
        with session(self.settings.database) as con:
            before = previous_articles(con, [p.capture.url for p, _ in outcome.records], EXTRACTOR_VERSION)
            self.loaded += load_articles(
                con, [(rec, page.capture.capture_id) for page, rec in outcome.records], run_id=self.run_id
            )
        for page, rec in outcome.records:
            _tally(self.stats[rec.site], rec.figures, before.get(page.capture.url))

    def finish(self) -> ReextractReport:
        """Close the run in the warehouse and return the report."""
        sites = tuple(
            SiteDiff(site=name, previous_versions=tuple(sorted(s["versions"])), **{k: s[k] for k in _COUNTS})
            for name, s in sorted(self.stats.items())
        )
        errors = tuple(self.errors[:_MAX_ERRORS])
        report = ReextractReport(
            self.run_id, EXTRACTOR_VERSION, len(self.pages), self.loaded, sites, errors, self.site, self.since
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
    when = parse_since(since)
    require_database(settings.database)  # never create an empty warehouse to read from
    with session(settings.database) as con:
        captures = article_captures(con, site=site, since=when)
        run_id = start_run(con, "reextract", EXTRACTOR_VERSION, {"site": site, "since": since})
    return Reextraction(
        settings, run_id, [Page(cap, source) for cap, source in captures], site=site, since=since
    )


def reextract(
    settings: Settings, *, site: str | None = None, since: str | None = None, batch_size: int = 100
) -> ReextractReport:
    """Re-extract every archived article capture (of ``site``, fetched ``since``) with the current extractor.

    ``site`` is a source name or a host. As in the crawl, a page whose source has
    keywords is kept only when it mentions one, and one broken page never stops the run.
    """
    run = plan_reextract(settings, site=site, since=since)
    for batch in run.batches(batch_size):
        run.load(extract_batch(settings, batch))
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
