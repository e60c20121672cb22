"""The SQL of history: where captures came from, the files import brought in, what is known.

``capture_origins`` says for each capture whether a crawl run, a backfill run or the import
of a file made it; ``imported_files`` keeps every imported file by the sha256 of its bytes
(see ``migrations/005_capture_provenance.sql``). The connection is passed in; every user
value is a bound parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import duckdb

from warehouse.archive_queries import capture_from_row, capture_select
from warehouse.db import duckdb_errors, fetch_all, transaction
from warehouse.types import Capture

__all__ = [
    "ORIGINS",
    "imported_file",
    "known_capture_ids",
    "known_urls",
    "record_import",
    "record_origins",
    "stored_article_captures",
]

ORIGINS = ("crawl", "backfill", "import")


def record_origins(
    con: duckdb.DuckDBPyConnection,
    capture_ids: Iterable[str],
    origin: str,
    run_id: str | None,
    source_file: str | None = None,
) -> int:
    """Say where these captures came from (a capture keeps the first origin recorded)."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}")
    ids = list(dict.fromkeys(capture_ids))
    if not ids:
        return 0
    with duckdb_errors("recording capture origins"), transaction(con):
        con.execute(
            "INSERT OR IGNORE INTO capture_origins (capture_id, origin, run_id, source_file)"
            " SELECT unnest(CAST(? AS VARCHAR[])), ?, ?, ?",
            [ids, origin, run_id, source_file],
        )
    return len(ids)


def imported_file(con: duckdb.DuckDBPyConnection, sha256: str) -> str | None:
    """The archive name of a file already imported with these bytes, or None."""
    rows = fetch_all(con, "SELECT warc_file FROM imported_files WHERE sha256 = ?", [sha256])
    return str(rows[0][0]) if rows else None


def record_import(
    con: duckdb.DuckDBPyConnection,
    sha256: str,
    warc_file: str,
    source_file: str,
    size: int,
    run_id: str,
    summary: dict[str, int],
) -> None:
    with duckdb_errors("recording an imported file"):
        con.execute(
            "INSERT OR REPLACE INTO imported_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [sha256, warc_file, source_file, size, run_id, datetime.now(UTC), json.dumps(summary)],
        )


def known_capture_ids(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` already in the index."""
    if not ids:
        return set()
    rows = fetch_all(
        con,
        "SELECT capture_id FROM captures WHERE capture_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
        [list(ids)],
    )
    return {str(r[0]) for r in rows}


def stored_article_captures(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> dict[str, Capture]:
    """For each of ``urls`` an article was already extracted from, the capture it was extracted from
    (the latest)."""
    if not urls:
        return {}
    rows = fetch_all(
        con,
        capture_select() + " JOIN articles AS a ON a.capture_id = c.capture_id"
        " WHERE c.url IN (SELECT unnest(CAST(? AS VARCHAR[])))"
        " QUALIFY row_number() OVER (PARTITION BY c.url ORDER BY c.fetched_at DESC, c.capture_id) = 1",
        [list(urls)],
    )
    return {str(r[1]): capture_from_row(r) for r in rows}


def known_urls(con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> set[str]:
    """Those of ``urls`` (canonical) the crawl state or the index already has a 2xx capture or a
    finished fetch of: a backfill never fetches them again."""
    if not urls:
        return set()
    rows = fetch_all(
        con,
        "WITH wanted AS (SELECT unnest(CAST(? AS VARCHAR[])) AS url)"
        " SELECT w.url FROM wanted AS w WHERE EXISTS (SELECT 1 FROM frontier AS f"
        "   WHERE f.url = w.url AND f.status IN ('fetched', 'not_modified'))"
        " OR EXISTS (SELECT 1 FROM captures AS c WHERE c.url = w.url AND c.status BETWEEN 200 AND 299)",
        [list(urls)],
    )
    return {str(r[0]) for r in rows}
