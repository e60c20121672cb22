"""What a crawl did, counted: per batch, per source, per run; and one line per error.

Split out of :mod:`flows.steps.crawl` (which re-exports every name here). Plain data
only: no I/O, no Prefect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from errors import PipelineError

if TYPE_CHECKING:
    from flows.crawler.fetch import FetchResult
    from flows.steps.crawl import Loaded

__all__ = ["SourceSummary", "batch_summary", "describe_error", "summarize"]


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """What one source's crawl did.

    ``discovered``/``planned`` count article URLs; ``fetched``, ``unchanged`` (304),
    ``deferred`` and ``failed`` (by reason) count every page, listings and feeds too;
    ``articles`` are the relevant ones extracted and stored, ``loaded`` those new or changed.
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def plus(self, other: SourceSummary) -> SourceSummary:
        """This summary with ``other``'s counts added (name and error stay this one's)."""
        sums = {
            f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.type == "int"
        }
        failed = dict(Counter(self.failed) + Counter(other.failed))
        years = sorted({*self.new_campaign_years, *other.new_campaign_years})
        return replace(self, **sums, failed=failed, new_campaign_years=years)


def describe_error(exc: BaseException) -> str:
    """One line for an error: our errors by their message, others prefixed with their type."""
    kind = type(exc)
    text = " ".join(str(exc).split()) or kind.__name__
    if isinstance(exc, PipelineError):
        return text
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{name}: {text}"


def batch_summary(
    source: str, results: Iterable[FetchResult], loaded: Loaded | None = None, irrelevant: int = 0
) -> SourceSummary:
    """The counts of one batch: page outcomes (failures by reason), then articles, figures, errors."""
    results = list(results)
    outcomes = Counter(r.outcome for r in results)
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
