"""What the HTML report shows, as plain rows: campaigns, their years, every figure, crawl health.

Only SQL lives here; ``flows/report.py`` turns these rows into the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from warehouse.db import fetch_all
from warehouse.queries import campaign_yoy, list_campaigns

__all__ = ["CampaignReport", "CrawlHealth", "campaign_reports", "crawl_health"]


@dataclass(frozen=True, slots=True)
class CampaignReport:
    key: str
    organizer: str | None
    name: str | None
    years: tuple[int, ...]
    summary: tuple[dict[str, Any], ...]  # campaign_year_summary rows (year, kind, target/achieved ...)
    yoy: tuple[dict[str, Any], ...]  # campaign_yoy() rows of this organiser only: years as rows, sorted
    figures: tuple[dict[str, Any], ...]  # every figure with quote, article link, capture date
    inferred_articles: int = 0  # articles naming no organiser, given this one (the only one of their site)
    organizers_as_written: tuple[str, ...] = ()  # the names the articles used (across the 2025 merger)
    organizer_candidates: tuple[str, ...] = ()  # without an organiser: those their sites name


@dataclass(frozen=True, slots=True)
class CrawlHealth:
    pages: tuple[dict[str, Any], ...]  # source, night, fetched, unchanged, failed, deferred
    failures: tuple[dict[str, Any], ...]  # source, reason, count


_SUMMARY_COLS = (
    "year",
    "kind",
    "target_value",
    "target_approx",
    "target_articles",
    "target_conflict",
    "target_quote",
    "achieved_value",
    "achieved_approx",
    "achieved_articles",
    "achieved_conflict",
    "achieved_quote",
)
_FIGURE_COLS = (
    "year",
    "kind",
    "role",
    "value",
    "value_max",
    "approx",
    "quote",
    "title",
    "source_url",
    "published",
    "captured_at",
    "organizer_inferred",
)


def _dicts(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> tuple[dict[str, Any], ...]:
    return tuple(dict(zip(names, r, strict=True)) for r in rows)


def campaign_reports(con: duckdb.DuckDBPyConnection, key: str | None = None) -> list[CampaignReport]:
    """One report block per campaign (key × organizer), or only those of ``key``.

    Each block holds its own organiser's rows only (the stored summary and the campaign's
    own figures: fast whatever the size of the warehouse).
    """
    camps = [c for c in list_campaigns(con, sort="key") if key is None or c["key"] == key]
    out = []
    yoy_of: dict[str, list[dict[str, Any]]] = {}
    for camp in camps:
        ckey, org = camp["key"], camp["organizer"]
        params = {"key": ckey, "org": org}
        mine = "campaign_organizer IS NOT DISTINCT FROM $org"
        summary = fetch_all(
            con,
            f"SELECT {', '.join(_SUMMARY_COLS)} FROM summary_by_year "
            f"WHERE campaign_key = $key AND {mine} ORDER BY year, kind",
            params,
        )
        figures = fetch_all(
            con,
            f"""
            SELECT campaign_year, kind, role, value, value_max, approx, quote, title, source_url,
                   published, CAST(captured_at AS VARCHAR), organizer_inferred
            FROM campaign_figures_of([$key]) WHERE {mine}
            ORDER BY campaign_year, published_at NULLS LAST, source_url, ordinal
            """,
            params,
        )
        if ckey not in yoy_of:
            yoy_of[ckey] = campaign_yoy(con, ckey)
        out.append(
            CampaignReport(
                key=ckey,
                organizer=org,
                name=camp["name"],
                years=tuple(sorted(camp["years"] or ())),
                summary=_dicts(_SUMMARY_COLS, summary),
                yoy=tuple(
                    sorted((r for r in yoy_of[ckey] if r["organizer"] == org), key=lambda r: r["year"])
                ),
                figures=_dicts(_FIGURE_COLS, figures),
                inferred_articles=int(camp["inferred_articles"]),
                organizers_as_written=tuple(camp["organizers_as_written"]),
                organizer_candidates=tuple(camp["organizer_candidates"]),
            )
        )
    return out


def crawl_health(con: duckdb.DuckDBPyConnection, nights: int = 30) -> CrawlHealth:
    """Pages per site per night by outcome, and failures by reason, over the last ``nights``."""
    pages = fetch_all(
        con,
        """
        SELECT coalesce(source, '?') AS source, CAST(CAST(fetched_at AS DATE) AS VARCHAR) AS night,
               count(*) FILTER (WHERE outcome = 'fetched'),
               count(*) FILTER (WHERE outcome = 'not_modified'),
               count(*) FILTER (WHERE outcome = 'failed'),
               count(*) FILTER (WHERE outcome = 'deferred')
        FROM fetches
        WHERE fetched_at >= (SELECT max(fetched_at) FROM fetches) - to_days(CAST($n AS INTEGER))
        GROUP BY ALL ORDER BY night DESC, source
        """,
        {"n": nights},
    )
    failures = fetch_all(
        con,
        """
        SELECT coalesce(source, '?'), coalesce(split_part(error, ':', 1), 'http ' || status), count(*)
        FROM fetches WHERE outcome IN ('failed', 'deferred')
        GROUP BY ALL ORDER BY 3 DESC, 1, 2
        """,
    )
    return CrawlHealth(
        pages=_dicts(("source", "night", "fetched", "unchanged", "failed", "deferred"), pages),
        failures=_dicts(("source", "reason", "count"), failures),
    )
