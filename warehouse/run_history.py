"""The crawl runs the warehouse recorded (``extraction_runs``), read back: what a crawl's health
rule needs to know about the nights before (see :mod:`flows.steps.health`)."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from warehouse.db import duckdb_errors, fetch_all

__all__ = ["recent_crawl_summaries"]


def recent_crawl_summaries(
    con: duckdb.DuckDBPyConnection, limit: int, *, before: str
) -> list[dict[str, Any]]:
    """The summaries of the last ``limit`` finished crawl runs started before run ``before``, newest first.

    A run killed before it finished has no summary and is skipped: it says nothing about
    whether a source answered.
    """
    if limit <= 0:
        return []
    with duckdb_errors("reading the crawl history"):
        rows = fetch_all(
            con,
            """
            SELECT summary FROM extraction_runs
            WHERE kind = 'crawl' AND summary IS NOT NULL AND run_id <> ?
              AND started_at <= (SELECT coalesce(max(started_at), now()) FROM extraction_runs WHERE run_id = ?)
            ORDER BY started_at DESC, run_id DESC
            LIMIT ?
            """,
            [before, before, limit],
        )
    return [json.loads(r[0]) if isinstance(r[0], str) else dict(r[0]) for r in rows]
