"""What a re-extraction changed: per-site counts, the figure diff, the report's table.

Figures of two versions of an article are matched by quote and start offset
(:func:`diff_figures`); the archive audit uses the same diff.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from errors import ConfigError
from extractors.record import Figure
from warehouse.archive_queries import PreviousFigure

__all__ = ["SITE_FIELDS", "ReextractReport", "SiteDiff", "diff_figures", "parse_since"]

_COLUMNS = (  # SiteDiff field, table heading
    ("site", "site"), ("articles", "articles"), ("new_articles", "new"), ("skipped", "skipped"),
    ("failed", "failed"), ("figures_before", "figs before"), ("figures_after", "figs after"),
    ("added", "added"), ("removed", "removed"), ("changed", "changed"),
)  # fmt: skip

#: The keys of each row of :meth:`ReextractReport.rows` (``reextract --format csv|markdown``).
SITE_FIELDS = tuple(f for f, _ in _COLUMNS)


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

    site: str | None = None  # the --site asked for
    since: str | None = None  # the --since asked for

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.sites)

    @property
    def unchanged(self) -> int:
        """Records identical to what this extractor version had stored already (not written again)."""
        return sum(s.articles for s in self.sites) - self.loaded

    def rows(self) -> list[dict[str, Any]]:
        """One row per site, then the total when there are several (the table's, for csv and markdown)."""
        rows = [{f: getattr(s, f) for f, _ in _COLUMNS} for s in self.sites]
        if len(rows) > 1:
            rows.append({f: "total" if f == "site" else sum(r[f] for r in rows) for f, _ in _COLUMNS})
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The report as one JSON document (``reextract --format json``)."""
        return {
            "run_id": self.run_id,
            "extractor_version": self.extractor_version,
            "site": self.site,
            "since": self.since,
            "captures": self.captures,
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "compared_with": self.compared_with,
            "sites": [
                {**{f: getattr(s, f) for f, _ in _COLUMNS}, "previous_versions": list(s.previous_versions)}
                for s in self.sites
            ],
            "errors": list(self.errors),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReextractReport:
        """The report back from :meth:`to_dict` (what the Prefect flow returns)."""
        fields = [f for f, _ in _COLUMNS]
        sites = tuple(
            SiteDiff(**{f: s[f] for f in fields}, previous_versions=tuple(s.get("previous_versions") or ()))
            for s in data.get("sites") or ()
        )
        return cls(
            data["run_id"], data["extractor_version"], data["captures"], data["loaded"], sites,
            tuple(data.get("errors") or ()), data.get("site"), data.get("since"),
        )  # fmt: skip

    @property
    def compared_with(self) -> list[str]:
        """The earlier extractor versions the figures were compared with."""
        return sorted({v for s in self.sites for v in s.previous_versions})

    def headline(self) -> str:
        """What happened, in words that agree with the table below them."""
        scope = "".join(
            [f" of {self.site}" if self.site else "", f" fetched since {self.since}" if self.since else ""]
        )
        if not self.captures:
            return f"Re-extraction {self.run_id}: no archived article captures{scope}; nothing to re-extract"
        stored = f"{self.loaded} records new or changed in the warehouse"
        if self.unchanged:
            stored += f", {self.unchanged} identical to what extractor {self.extractor_version} stored before"
        versions = self.compared_with
        base = (
            f"figures below compare with extractor {', '.join(versions)}"
            if versions
            else "no earlier extractor version of these articles: every figure counts as added"
        )
        return (
            f"Re-extraction {self.run_id}: {self.captures} article captures{scope} read with extractor "
            f"{self.extractor_version}; {stored}; {base}"
        )

    def render(self) -> str:
        """A plain table for the terminal (and the Prefect artifact)."""
        heads = [h for _, h in _COLUMNS]
        rows = [tuple(r.values()) for r in self.rows()]
        widths = [max([len(h), *(len(str(r[i])) for r in rows)]) for i, h in enumerate(heads)]

        def line(cells: Sequence[Any]) -> str:
            return "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        table = [line(heads), *(line(r) for r in rows)] if rows else []
        return "\n".join([self.headline(), *table, *(f"failed: {e}" for e in self.errors)])


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
