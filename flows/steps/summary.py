"""What a crawl did, counted: per batch of pages, per source, per run.

Plain data for the run summary that the warehouse keeps (``extraction_runs.summary``),
the CLI prints and the health rule reads (:mod:`flows.steps.health`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from flows.crawler.fetch import FetchResult
from flows.steps.extract import Page

__all__ = ["WITHOUT_FIGURES", "Loaded", "SourceSummary", "batch_summary", "summarize"]


#: Why a stored article gave no figure (:func:`extractors.extract.drop_reason`), in words.
WITHOUT_FIGURES = {
    "no_text": "no article text",
    "off_topic_title": "another kind of story",
    "not_coverage": "not campaign coverage",
    "no_figures": "no figure found",
}


@dataclass(frozen=True, slots=True)
class Loaded:
    """What loading one batch of records did; ``errors`` are the pages that broke (extract or load)."""

    articles: int
    loaded: int
    figures: int
    new_campaign_years: tuple[tuple[str, int], ...]
    errors: tuple[tuple[Page, str], ...] = ()
    without_figures: dict[str, int] = field(default_factory=dict)  # stored articles with none, by reason


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """What one source's crawl did.

    ``discovered``/``planned`` count article URLs; ``fetched``, ``unchanged`` (304),
    ``deferred`` and ``failed`` (by reason) count every page, listings and feeds too;
    ``articles`` are the relevant ones extracted and stored, ``loaded`` those new or changed.
    ``not_stored`` counts the article links found and not stored, by reason: left out by
    discovery ("pattern mismatch", "too old", "over sitemap_max_urls"), not fetched ("robots",
    "too large", "http 404", ... and "deferred", tried again next run), "off-topic" (none of
    the source's keywords) and "extraction error". Links known from earlier runs are not
    fetched again (``discovered - planned``) and are not counted there.
    """

    source: str
    discovered: int = 0
    planned: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    deferred: int = 0
    irrelevant: int = 0
    articles: int = 0
    loaded: int = 0
    figures: int = 0
    extraction_errors: int = 0
    new_campaign_years: list[tuple[str, int]] = field(default_factory=list)
    error: str | None = None
    not_stored: dict[str, int] = field(default_factory=dict)
    without_figures: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def plus(self, other: SourceSummary) -> SourceSummary:
        """This summary with ``other``'s counts added (name and error stay this one's)."""
        sums = {
            f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.type == "int"
        }
        failed = dict(Counter(self.failed) + Counter(other.failed))
        not_stored = dict(Counter(self.not_stored) + Counter(other.not_stored))
        empty = dict(Counter(self.without_figures) + Counter(other.without_figures))
        years = sorted({*self.new_campaign_years, *other.new_campaign_years})
        return replace(
            self,
            **sums,
            failed=failed,
            not_stored=not_stored,
            without_figures=empty,
            new_campaign_years=years,
        )


def batch_summary(
    source: str,
    results: Iterable[FetchResult],
    loaded: Loaded | None = None,
    irrelevant: int = 0,
    skipped: dict[str, int] | None = None,
) -> SourceSummary:
    """The counts of one batch: page outcomes (failures by reason), then articles, figures, errors,
    and why article links were not stored (``skipped``: those discovery left out)."""
    results = list(results)
    outcomes = Counter(r.outcome for r in results)
    articles = [r for r in results if r.kind == "article"]
    not_stored = Counter(skipped or {})
    not_stored.update(_reason(r.error, r.status) for r in articles if r.outcome == "failed")
    not_stored["deferred"] += sum(1 for r in articles if r.outcome == "deferred")
    not_stored["off-topic"] += irrelevant
    not_stored["extraction error"] += len(loaded.errors) if loaded else 0
    return SourceSummary(
        source,
        fetched=outcomes["fetched"],
        unchanged=outcomes["not_modified"],
        deferred=outcomes["deferred"],
        failed=dict(Counter(_reason(r.error, r.status) for r in results if r.outcome == "failed")),
        irrelevant=irrelevant,
        articles=loaded.articles if loaded else 0,
        loaded=loaded.loaded if loaded else 0,
        figures=loaded.figures if loaded else 0,
        extraction_errors=len(loaded.errors) if loaded else 0,
        new_campaign_years=list(loaded.new_campaign_years) if loaded else [],
        not_stored={why: n for why, n in not_stored.items() if n},
        without_figures=dict(loaded.without_figures) if loaded else {},
    )


def _reason(error: str | None, status: int | None) -> str:
    if status is not None and status >= 400:
        return f"http {status}"
    return (error or "unknown").split(":")[0].strip() or "unknown"


def summarize(run_id: str, summaries: Sequence[SourceSummary]) -> dict[str, Any]:
    """The run summary: per source, totals, and the sources that failed outright (name → error)."""
    totals = SourceSummary("total")
    for s in summaries:
        totals = totals.plus(s)
    return {
        "run_id": run_id,
        "sources": [s.to_dict() for s in summaries],
        "totals": totals.to_dict(),
        "sources_failed": {s.source: s.error for s in summaries if s.error},
    }
