"""What the HTML report shows, as plain rows: campaigns, their years, every figure, crawl health.

Only SQL lives here; ``flows/report.py`` turns these rows into the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from warehouse.db import fetch_all
from warehouse.queries import campaign_yoy

__all__ = ["CampaignReport", "CrawlHealth", "campaign_reports", "crawl_health"]


@dataclass(frozen=True, slots=True)
class CampaignReport:
    key: str
    organizer: str | None
    name: str | None
    years: tuple[int, ...]
    summary: tuple[dict[str, Any], ...]  # campaign_year_summary rows (year, kind, target/achieved ...)
    yoy: tuple[dict[str, Any], ...]  # campaign_yoy() rows: years as rows
    figures: tuple[dict[str, Any], ...]  # every figure with quote, article link, capture date


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
)


def _dicts(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> tuple[dict[str, Any], ...]:
    return tuple(dict(zip(names, r, strict=True)) for r in rows)


def campaign_reports(con: duckdb.DuckDBPyConnection, key: str | None = None) -> list[CampaignReport]:
    """One report block per campaign (key × organizer), or only those of ``key``."""
    camps = fetch_all(
        con,
        """
        SELECT key, organizer, name, years FROM campaigns
        WHERE CAST($key AS VARCHAR) IS NULL OR key = $key
        ORDER BY key, organizer NULLS FIRST
        """,
        {"key": key},
    )
    out = []
    for ckey, org, name, years in camps:
        params = {"key": ckey, "org": org}
        where = "campaign_key = $key AND campaign_organizer IS NOT DISTINCT FROM $org"
        summary = fetch_all(
            con,
            f"SELECT {', '.join(_SUMMARY_COLS)} FROM campaign_year_summary WHERE {where} ORDER BY year, kind",
            params,
        )
        figures = fetch_all(
            con,
            f"""
            SELECT campaign_year, kind, role, value, value_max, approx, quote, title, source_url,
                   published, CAST(captured_at AS VARCHAR)
            FROM campaign_figures WHERE {where}
            ORDER BY campaign_year, published_at NULLS LAST, source_url, ordinal
            """,
            params,
        )
        out.append(
            CampaignReport(
                key=ckey,
                organizer=org,
                name=name,
                years=tuple(sorted(years or ())),
                summary=_dicts(_SUMMARY_COLS, summary),
                yoy=tuple(campaign_yoy(con, ckey, org)),
                figures=_dicts(_FIGURE_COLS, figures),
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
