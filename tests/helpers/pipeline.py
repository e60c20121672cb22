"""The crawl recipe without Prefect, for tests that drive the plain steps in this thread.

It follows ``flows.orchestration.flows.crawl_source_flow`` step for step (the extraction
chunks run one after another instead of on a task runner); the flow tests hold the two
to the same results.
"""

from __future__ import annotations

from typing import Any

from flows.config import Settings, Source
from flows.steps import crawl as steps
from flows.steps.summary import SourceSummary, batch_summary, summarize

__all__ = ["crawl_all", "crawl_source"]


def crawl_source(settings: Settings, source: Source, run_id: str, *, batch_size: int = 50) -> SourceSummary:
    found = steps.discover_source(settings, source)
    steps.archive_results(settings, source, found.results, run_id)
    planned = steps.plan_fetches(settings, source, found.article_urls)
    summary = SourceSummary(source.name, discovered=len(found.article_urls), planned=len(planned))
    summary = summary.plus(batch_summary(source.name, found.results, skipped=found.skipped))
    for start in range(0, len(planned), max(1, batch_size)):
        results = steps.fetch_pages(settings, planned[start : start + batch_size])
        archived = steps.archive_results(settings, source, results, run_id)
        extracted = steps.extract_pages(settings, source, steps.article_pages(source, archived))
        loaded = steps.load_records(settings, source, extracted, run_id, archived)
        summary = summary.plus(batch_summary(source.name, results, loaded, len(extracted.off_topic)))
    return summary


def crawl_all(settings: Settings, *, batch_size: int = 50, params: Any = None) -> dict[str, Any]:
    """One plain crawl run of every source: begin, each source, summary, end."""
    run_id = steps.begin_run(settings, params if params is not None else {"test": True})
    summary = summarize(
        run_id, [crawl_source(settings, s, run_id, batch_size=batch_size) for s in settings.select_sources()]
    )
    steps.end_run(settings, run_id, summary)
    return summary
