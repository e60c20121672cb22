"""Re-extraction from the archive: no network, new records under the current extractor version.

Every article capture (latest per URL) is read back from the WARC files, run
through ``extract_article`` and loaded with :func:`warehouse.load.load_articles`
in short write sessions, one per batch, so a crawl waiting for the database is
held up for one batch at most. Older versions stay in the warehouse; the report
says, per site, which figures the new version added, removed or read differently
(figures matched by article + quote + start offset).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from errors import ConfigError

if TYPE_CHECKING:
    from extractors.record import Figure
    from flows.config import Settings
    from warehouse.archive_queries import PreviousFigure

__all__ = ["ReextractReport", "SiteDiff", "diff_figures", "parse_since", "reextract"]

_COLUMNS = (  # SiteDiff field, table heading
    ("site", "site"), ("articles", "articles"), ("new_articles", "new"), ("skipped", "skipped"),
    ("failed", "failed"), ("figures_before", "figs before"), ("figures_after", "figs after"),
    ("added", "added"), ("removed", "removed"), ("changed", "changed"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SiteDiff:
    """What re-extraction changed on one site."""

    site: str
    articles: int = 0  # re-extracted
    new_articles: int = 0  # with no earlier record to compare with
    skipped: int = 0  # extracted but not about the source's keywords (as the crawl decides)
    failed: int = 0
    figures_before: int = 0
    figures_after: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    previous_versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReextractReport:
    run_id: str
    extractor_version: str
    captures: int
    loaded: int  # article rows new or changed in the warehouse
    sites: tuple[SiteDiff, ...] = ()
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.sites)

    def render(self) -> str:
        """A plain table for the terminal."""
        heads = [h for _, h in _COLUMNS]
        rows: list[tuple[Any, ...]] = [tuple(getattr(s, f) for f, _ in _COLUMNS) for s in self.sites]
        if len(rows) > 1:
            rows.append(("total", *(sum(r[i] for r in rows) for i in range(1, len(_COLUMNS)))))
        widths = [max([len(h), *(len(str(r[i])) for r in rows)]) for i, h in enumerate(heads)]

        def line(cells: Sequence[Any]) -> str:
            return "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        versions = sorted({v for s in self.sites for v in s.previous_versions})
        return "\n".join(
            [
                f"Re-extraction {self.run_id}: {self.captures} article captures, extractor "
                f"{self.extractor_version}, {self.loaded} records new or changed",
                line(heads),
                *(line(r) for r in rows),
                f"compared with: {', '.join(versions) if versions else 'nothing (first extraction)'}",
                *(f"failed: {e}" for e in self.errors),
            ]
        )


def parse_since(since: str | None) -> datetime | None:
    """``2026-01-31`` (midnight UTC) or a full ISO 8601 time; ConfigError otherwise."""
    if since is None:
        return None
    try:
        if len(since.strip()) == 10:
            d = date.fromisoformat(since.strip())
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        dt = datetime.fromisoformat(since.strip())
    except ValueError:
        raise ConfigError(f"--since: not a date or ISO 8601 time: {since!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _reading(f: Figure | PreviousFigure) -> tuple[Any, ...]:
    vmax = None if f.value_max is None else float(f.value_max)
    return (float(f.value), vmax, f.approx, f.kind, f.role)


def diff_figures(before: Sequence[PreviousFigure], after: Sequence[Figure]) -> tuple[int, int, int]:
    """(added, removed, changed): figures matched by (quote, start); changed = read differently."""
    old: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for b in before:
        old[(b.quote, b.start)].append(_reading(b))
    added = changed = 0
    for f in after:
        readings = old.get((f.quote, f.start))
        if not readings:
            added += 1
            continue
        reading = _reading(f)
        if reading in readings:
            readings.remove(reading)
        else:
            readings.pop(0)
            changed += 1
    return added, sum(len(v) for v in old.values()), changed


def reextract(
    settings: Settings, *, site: str | None = None, since: str | None = None, batch_size: int = 100
) -> ReextractReport:
    """Re-extract every archived article capture (of ``site``, fetched ``since``) with the current extractor.

    ``site`` is a source name or a host. As in the crawl, a page whose source has
    keywords is kept only when it mentions one, and one broken page never stops the run.
    """
    from flows.steps.reextract import run_reextract

    return run_reextract(settings, site=site, since=since, batch_size=batch_size)
