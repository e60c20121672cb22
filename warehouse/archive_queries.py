"""The SQL the archive side needs: the capture index read back, article captures, earlier figures.

Read-only queries over the ``captures``, ``fetches``, ``articles`` and ``figures``
tables (see ``migrations/001_core.sql``); the connection is passed in and every
user value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse.db import fetch_all
from warehouse.types import Capture

__all__ = [
    "PreviousArticle",
    "PreviousFigure",
    "all_captures",
    "article_captures",
    "capture_from_row",
    "capture_select",
    "captures_for_url",
    "figures_of_version",
    "latest_capture",
    "package_selection",
    "previous_articles",
]

_CAPTURE_SELECT = """
SELECT c.capture_id, c.url, strftime(c.fetched_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), c.status,
       c.content_type, c.payload_digest, c.warc_file, c."offset", c.length, c.record_type, c.refers_to
FROM captures AS c
"""


@dataclass(frozen=True, slots=True)
class PreviousFigure:
    quote: str
    start: int
    value: float
    value_max: float | None
    approx: str | None
    kind: str
    role: str


@dataclass(frozen=True, slots=True)
class PreviousArticle:
    """The record an article had before a re-extraction (its figures, in order)."""

    url: str
    site: str
    extractor_version: str
    figures: tuple[PreviousFigure, ...]


def _capture(r: tuple) -> Capture:
    return Capture(
        capture_id=r[0], url=r[1], fetched_at=r[2], status=int(r[3]), content_type=r[4], payload_digest=r[5],
        warc_file=r[6], offset=int(r[7]), length=int(r[8]), record_type=r[9], refers_to=r[10],
    )  # fmt: skip


def capture_select() -> str:
    """The SELECT of a capture row (table alias ``c``), for other modules' queries."""
    return _CAPTURE_SELECT


def capture_from_row(row: tuple) -> Capture:
    """A row of :func:`capture_select` as a Capture."""
    return _capture(row)


def all_captures(con: duckdb.DuckDBPyConnection) -> list[Capture]:
    """The whole WARC index, by file and offset."""
    return [_capture(r) for r in fetch_all(con, _CAPTURE_SELECT + ' ORDER BY c.warc_file, c."offset"')]


def captures_for_url(con: duckdb.DuckDBPyConnection, url: str) -> list[Capture]:
    """Every capture of ``url``, oldest first."""
    rows = fetch_all(con, _CAPTURE_SELECT + " WHERE c.url = ? ORDER BY c.fetched_at, c.capture_id", [url])
    return [_capture(r) for r in rows]


def latest_capture(con: duckdb.DuckDBPyConnection, url: str) -> Capture | None:
    """The latest 2xx capture of ``url`` (a response, or a revisit of one): what a 304 confirms."""
    rows = fetch_all(
        con,
        _CAPTURE_SELECT + " WHERE c.url = ? AND c.status BETWEEN 200 AND 299"
        " ORDER BY c.fetched_at DESC, c.capture_id LIMIT 1",
        [url],
    )
    return _capture(rows[0]) if rows else None


_HOST = "lower(regexp_extract(c.url, '^[A-Za-z]+://([^/:?#]+)', 1))"


def package_selection(
    con: duckdb.DuckDBPyConnection, *, site: str | None = None, since: datetime | None = None
) -> tuple[list[Capture], list[tuple[str, str, str | None, str | None]]]:
    """What a WACZ of the archive holds: every capture of the WARC files that hold a capture
    of ``site`` (a host or a parent domain) fetched at or after ``since`` (plus the files of the
    originals their revisits point to), and the articles among them as
    ``(url, latest capture time, title, published)``, one per URL."""
    scope = (
        "WITH picked AS (SELECT c.warc_file, c.refers_to FROM captures AS c"
        " WHERE (CAST(? AS TIMESTAMPTZ) IS NULL OR c.fetched_at >= CAST(? AS TIMESTAMPTZ))"
        f" AND (CAST(? AS VARCHAR) IS NULL OR {_HOST} IN (lower(?), 'www.' || lower(?))"
        f"      OR {_HOST} LIKE '%.' || lower(?))),"
        " files AS (SELECT warc_file FROM picked UNION SELECT o.warc_file FROM picked AS p"
        "           JOIN captures AS o ON o.capture_id = p.refers_to)"
    )
    params = [since, since, site, site, site, site]
    caps = fetch_all(
        con,
        scope
        + _CAPTURE_SELECT
        + ' WHERE c.warc_file IN (SELECT warc_file FROM files) ORDER BY c.warc_file, c."offset"',
        params,
    )
    pages = fetch_all(
        con,
        scope + " SELECT c.url, strftime(max(c.fetched_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'),"
        " arg_max(a.title, a.version_sort), arg_max(a.published, a.version_sort)"
        " FROM articles AS a JOIN captures AS c ON c.capture_id = a.capture_id"
        " WHERE c.warc_file IN (SELECT warc_file FROM files)"
        " GROUP BY c.url ORDER BY min(c.fetched_at), c.url",
        params,
    )
    return [_capture(r) for r in caps], [(r[0], r[1], r[2], r[3]) for r in pages]


def article_captures(
    con: duckdb.DuckDBPyConnection, *, site: str | None = None, since: datetime | None = None
) -> list[tuple[Capture, str | None]]:
    """The latest successful capture of every article URL (known from ``articles`` or article
    fetches), with the source that fetched it when the crawl log knows it.

    ``site``: a source name, or a host (the URL's host is it or one of its subdomains);
    ``since``: fetched at or after.
    """
    sql = (
        "WITH known AS ("
        " SELECT capture_id, CAST(NULL AS VARCHAR) AS source FROM articles WHERE capture_id IS NOT NULL"
        " UNION ALL SELECT capture_id, source FROM fetches WHERE kind = 'article' AND capture_id IS NOT NULL),"
        " article_caps AS (SELECT capture_id, max(source) AS source FROM known GROUP BY capture_id)"
        + _CAPTURE_SELECT.replace("SELECT ", "SELECT ac.source, ", 1)
        + " JOIN article_caps AS ac ON ac.capture_id = c.capture_id"
        " WHERE c.status BETWEEN 200 AND 299"
        " AND (CAST(? AS TIMESTAMPTZ) IS NULL OR c.fetched_at >= CAST(? AS TIMESTAMPTZ))"
        " AND (CAST(? AS VARCHAR) IS NULL OR ac.source = ?"
        "      OR lower(regexp_extract(c.url, '^[A-Za-z]+://([^/:?#]+)', 1)) IN (lower(?), 'www.' || lower(?))"
        "      OR lower(regexp_extract(c.url, '^[A-Za-z]+://([^/:?#]+)', 1)) LIKE '%.' || lower(?))"
        " QUALIFY row_number() OVER (PARTITION BY c.url ORDER BY c.fetched_at DESC, c.capture_id) = 1"
        " ORDER BY c.url"
    )
    rows = fetch_all(con, sql, [since, since, site, site, site, site, site])
    return [(_capture(r[1:]), r[0]) for r in rows]


def previous_articles(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str], current_version: str
) -> dict[str, PreviousArticle]:
    """For each URL, the stored record a new ``current_version`` record is compared with.

    That is the highest other extractor version; failing that, the record already
    stored under ``current_version`` (about to be replaced). URLs never extracted are absent.
    """
    if not urls:
        return {}
    rows = fetch_all(
        con,
        """
        WITH prev AS (
            SELECT a.article_id, a.url, a.site, a.extractor_version,
                   row_number() OVER (PARTITION BY a.url
                       ORDER BY a.extractor_version <> ? DESC, a.version_sort DESC) AS rn
            FROM articles AS a
            WHERE a.url IN (SELECT unnest(CAST(? AS VARCHAR[])))
        )
        SELECT p.url, p.site, p.extractor_version, f.quote, f."start", f.value, f.value_max, f.approx,
               f.kind, f.role
        FROM prev AS p LEFT JOIN figures AS f ON f.article_id = p.article_id
        WHERE p.rn = 1
        ORDER BY p.url, f.ordinal
        """,
        [current_version, list(urls)],
    )
    return _articles(rows)


def figures_of_version(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str], version: str
) -> dict[str, PreviousArticle]:
    """For each URL, the record stored under exactly ``version`` (URLs without one are absent)."""
    if not urls:
        return {}
    rows = fetch_all(
        con,
        """
        SELECT a.url, a.site, a.extractor_version, f.quote, f."start", f.value, f.value_max, f.approx,
               f.kind, f.role
        FROM articles AS a LEFT JOIN figures AS f ON f.article_id = a.article_id
        WHERE a.extractor_version = ? AND a.url IN (SELECT unnest(CAST(? AS VARCHAR[])))
        ORDER BY a.url, f.ordinal
        """,
        [version, list(urls)],
    )
    return _articles(rows)


def _articles(rows: list[tuple]) -> dict[str, PreviousArticle]:
    """Group (url, site, version, figure columns...) rows, in order, into records."""
    out: dict[str, tuple[str, str, list[PreviousFigure]]] = {}
    for url, site, version, quote, start, value, vmax, approx, kind, role in rows:
        _, _, figs = out.setdefault(url, (site, version, []))
        if quote is not None:
            figs.append(PreviousFigure(quote, int(start), float(value), vmax, approx, kind, role))
    return {u: PreviousArticle(u, s, v, tuple(f)) for u, (s, v, f) in out.items()}
