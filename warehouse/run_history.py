"""The pipeline runs the warehouse records (``extraction_runs``): each run begun and finished with
its summary, and read back for what a crawl's health rule needs to know about the nights before
(see :mod:`flows.steps.health`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb

from errors import WarehouseError
from warehouse.db import duckdb_errors, fetch_all

__all__ = ["finish_run", "recent_crawl_summaries", "start_run"]


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


def start_run(con: duckdb.DuckDBPyConnection, kind: str, extractor_version: str, params: dict) -> str:
    """Record the start of a pipeline run; returns its id ("crawl-20261125T190000Z-1a2b3c4d")."""
    now = datetime.now(UTC)
    run_id = f"{kind}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    with duckdb_errors("starting run"):
        con.execute(
            "INSERT INTO extraction_runs (run_id, kind, extractor_version, params, started_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [run_id, kind, extractor_version, _json(params), now],
        )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, summary: dict) -> None:
    """Record the end of a run and its summary (counts, errors)."""
    with duckdb_errors("finishing run"):
        con.execute(
            "UPDATE extraction_runs SET finished_at = ?, summary = ? WHERE run_id = ? RETURNING run_id",
            [datetime.now(UTC), _json(summary), run_id],
        )
        found = con.fetchall()
    if not found:
        raise WarehouseError(f"no such run: {run_id}")


def _json(value: dict) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError) as exc:
        raise WarehouseError(f"run parameters are not JSON: {exc}") from None
