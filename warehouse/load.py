"""Loading the crawl log, the WARC index and article records into the warehouse.

Every function takes an open read-write connection and is atomic on its own
(it joins the caller's transaction when there is one, so callers can wrap
several loads in one :func:`warehouse.db.transaction`). Loads are idempotent:
rows have natural keys, a reload replaces a row by its key, and an article
reloaded with identical content is left untouched. Bulk rows go through DuckDB
appenders, never ``executemany``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import duckdb

from errors import WarehouseError
from extractors.record import APPROX, KINDS, ROLES, ArticleRecord
from warehouse.db import duckdb_errors, fetch_all, transaction
from warehouse.types import Capture, FetchRow

__all__ = [
    "article_id",
    "find_capture_by_digest",
    "load_articles",
    "load_captures",
    "load_fetches",
    "refresh_summaries",
    "set_organizer_alias",
]

_FETCH_COLUMNS = [
    "fetch_id", "run_id", "source", "url", "final_url", "status", "error", "outcome", "kind", "bytes",
    "fetched_at", "content_type", "etag", "last_modified", "capture_id", "warc_file", "warc_offset",
]  # fmt: skip
_CAPTURE_COLUMNS = [
    "capture_id", "url", "fetched_at", "status", "content_type", "payload_digest", "warc_file", "offset",
    "length", "record_type", "refers_to",
]  # fmt: skip
_ARTICLE_COLUMNS = [
    "article_id", "article_key", "url", "canonical_url", "site", "title", "published", "published_at",
    "section", "language", "text", "campaign_key", "campaign_organizer", "campaign_name", "campaign_year",
    "extractor_version", "version_sort", "capture_id", "run_id", "content_sha256", "loaded_at",
]  # fmt: skip
_FIGURE_COLUMNS = [
    "article_id", "ordinal", "value", "value_max", "approx", "kind", "role", "unit_text", "quote", "start",
    "end", "extractor_version", "capture_id", "mentions",
]  # fmt: skip
_HOSPITAL_COLUMNS = ["article_id", "ordinal", "name", "start", "end", "extractor_version"]
_VN_TIME = timezone(timedelta(hours=7))
_KINDS = frozenset(KINDS)
_ROLES = frozenset(ROLES)
_APPROX = frozenset(APPROX)
_STAGE_IDS = "CREATE TEMP TABLE IF NOT EXISTS _wh_stage_ids (article_id VARCHAR)"
#: The stored tables a load keeps true for the campaign keys it touched: table, its key
#: column, the view macro (warehouse/views.sql) that computes its rows.
_STORED = (
    ("summary_by_year", "campaign_key", "campaign_year_summary_of"),
    ("articles_by_year", "campaign_key", "campaign_year_articles_of"),
    ("campaigns", "key", "campaign_rows_of"),
)


def article_id(record: ArticleRecord) -> str:
    """The article's id: a digest of its natural key (canonical URL or URL) and extractor version."""
    return _digest(record.canonical_url or record.url, record.extractor_version)[:32]


def load_fetches(con: duckdb.DuckDBPyConnection, rows: Sequence[FetchRow]) -> int:
    """Upsert one row per URL per crawl run (a rerun of a run replaces its rows); returns rows written."""
    if not rows:
        return 0
    by_key: dict[str, tuple[Any, ...]] = {}
    for r in rows:
        key = _digest("run", r.run_id, r.url) if r.run_id else _digest("adhoc", r.url, r.fetched_at)
        by_key[key] = (
            key, r.run_id, r.source, r.url, r.final_url, r.status, r.error, r.outcome, r.kind, r.bytes,
            r.fetched_at, r.content_type, r.etag, r.last_modified, r.capture_id, r.warc_file, r.warc_offset,
        )  # fmt: skip
    sources = sorted({r.source for r in rows if r.source})
    with duckdb_errors("loading fetches"), transaction(con):
        _append(con, "fetches", _FETCH_COLUMNS, list(by_key.values()), action="upsert")
        if sources:
            con.execute(
                """
                INSERT OR REPLACE INTO sources (name, first_fetched_at, last_fetched_at, fetches)
                SELECT source, min(fetched_at), max(fetched_at), count(*)
                FROM fetches WHERE source IN (SELECT unnest(CAST(? AS VARCHAR[])))
                GROUP BY source
                """,
                [sources],
            )
    return len(by_key)


def load_captures(con: duckdb.DuckDBPyConnection, captures: Sequence[Capture]) -> int:
    """Index archived records by capture_id (a capture never changes; a reload rewrites the same row)."""
    if not captures:
        return 0
    by_id = {
        c.capture_id: (
            c.capture_id,
            c.url,
            c.fetched_at,
            c.status,
            c.content_type,
            c.payload_digest,
            c.warc_file,
            c.offset,
            c.length,
            c.record_type,
            c.refers_to,
        )
        for c in captures
    }
    with duckdb_errors("loading captures"), transaction(con):
        _append(con, "captures", _CAPTURE_COLUMNS, list(by_id.values()), action="upsert")
    return len(by_id)


def load_articles(
    con: duckdb.DuckDBPyConnection,
    items: Sequence[tuple[ArticleRecord, str | None]],
    *,
    run_id: str,
    touched: set[str] | None = None,
) -> int:
    """Upsert article records with their figures and hospitals; returns how many were new or changed.

    ``items`` pairs each record with the capture it was extracted from. The
    natural key is (canonical URL or URL, extractor version): other extractor
    versions of the same article are kept. A record identical to the stored one
    (same content and capture) is skipped, so reloading a day changes nothing.
    A bad record (unknown kind, quote not at its offsets, no extractor version)
    fails the whole batch before anything is written.

    The stored summaries of the campaign keys the batch touched are recomputed in the
    same transaction (:func:`refresh_summaries`). A bulk load that passes a ``touched``
    set gets the keys added to it instead, and refreshes them once itself, before its
    transaction commits.
    """
    batch: dict[str, tuple[ArticleRecord, str | None, str]] = {}
    for record, capture_id in items:
        _check_record(record)
        batch[article_id(record)] = (record, capture_id, _content_digest(record, capture_id))
    if not batch:
        return 0
    with duckdb_errors("loading articles"), transaction(con):
        con.execute(_STAGE_IDS)
        con.execute("DELETE FROM _wh_stage_ids")
        _append(con, "temp._wh_stage_ids", ["article_id"], [(aid,) for aid in batch])
        stored = dict(
            fetch_all(
                con,
                "SELECT a.article_id, a.content_sha256 FROM articles a "
                "JOIN _wh_stage_ids s ON s.article_id = a.article_id",
            )
        )
        changed = {aid: v for aid, v in batch.items() if stored.get(aid) != v[2]}
        if not changed:
            return 0
        con.execute("DELETE FROM _wh_stage_ids")
        _append(con, "temp._wh_stage_ids", ["article_id"], [(aid,) for aid in changed])
        # every campaign key an article of the batch had (any version) or has now
        article_keys = sorted({rec.canonical_url or rec.url for rec, _, _ in changed.values()})
        keys = {
            str(k)
            for (k,) in fetch_all(
                con,
                "SELECT DISTINCT campaign_key FROM articles "
                "WHERE campaign_key IS NOT NULL AND article_key IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                [article_keys],
            )
        }
        keys |= {rec.campaign.key for rec, _, _ in changed.values() if rec.campaign and rec.campaign.key}
        for table in ("figures", "hospitals", "articles"):
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM _wh_stage_ids)")
        now = datetime.now(UTC)
        articles, figures, hospitals = _rows(changed, run_id=run_id, now=now)
        _append(con, "articles", _ARTICLE_COLUMNS, articles)
        _append(con, "figures", _FIGURE_COLUMNS, figures)
        _append(con, "hospitals", _HOSPITAL_COLUMNS, hospitals)
        if touched is None:
            refresh_summaries(con, sorted(keys))
        else:
            touched |= keys
    return len(changed)


def refresh_summaries(con: duckdb.DuckDBPyConnection, keys: Sequence[str] | None = None) -> None:
    """Recompute the stored summaries (``summary_by_year``, ``articles_by_year``, ``campaigns``)
    of these campaign keys from the views, or of every key when ``keys`` is None.

    Loads call it for the keys they touched, inside their transaction; call it after
    changing ``organizer_aliases`` or articles by hand (``set_organizer_alias`` does).
    """
    if keys is not None and not keys:
        return
    bound = None if keys is None else list(keys)
    with duckdb_errors("refreshing the campaign summaries"), transaction(con):
        for table, column, macro in _STORED:
            con.execute(
                f"DELETE FROM {table} WHERE CAST($keys AS VARCHAR[]) IS NULL OR list_contains($keys, {column})",
                {"keys": bound},
            )
            con.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM {macro}(CAST($keys AS VARCHAR[]))",
                {"keys": bound},
            )


def set_organizer_alias(
    con: duckdb.DuckDBPyConnection,
    alias: str,
    organizer: str | None,
    *,
    since: str | None = None,
    reason: str | None = None,
) -> None:
    """Make articles that name ``alias`` count under ``organizer`` (None: remove the alias), and
    recompute the summaries of every campaign whose articles name it."""
    name = alias.strip().lower()
    if not name:
        raise WarehouseError("an organiser alias needs a name")
    with duckdb_errors("changing organiser aliases"), transaction(con):
        con.execute("DELETE FROM organizer_aliases WHERE alias = ?", [name])
        if organizer is not None:
            con.execute(
                "INSERT INTO organizer_aliases (alias, organizer, since, reason) VALUES (?, ?, ?, ?)",
                [name, organizer, since, reason],
            )
        keys = fetch_all(
            con,
            "SELECT DISTINCT campaign_key FROM articles "
            "WHERE campaign_key IS NOT NULL AND lower(campaign_organizer) = ?",
            [name],
        )
        refresh_summaries(con, [str(k) for (k,) in keys])


def find_capture_by_digest(con: duckdb.DuckDBPyConnection, url: str, payload_digest: str) -> Capture | None:
    """The latest archived response of ``url`` with this payload digest (what a WARC revisit refers to)."""
    rows = fetch_all(
        con,
        """
        SELECT capture_id, url, strftime(fetched_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ'), status,
               content_type, payload_digest, warc_file, "offset", length, record_type, refers_to
        FROM captures
        WHERE url = ? AND payload_digest = ? AND record_type = 'response'
        ORDER BY fetched_at DESC, capture_id
        LIMIT 1
        """,
        [url, payload_digest],
    )
    if not rows:
        return None
    r = rows[0]
    return Capture(
        capture_id=r[0], url=r[1], fetched_at=r[2], status=r[3], content_type=r[4], payload_digest=r[5],
        warc_file=r[6], offset=r[7], length=r[8], record_type=r[9], refers_to=r[10],
    )  # fmt: skip


def _append(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    *,
    action: str = "insert",
) -> None:
    if not rows:
        return
    appender = con.appender(table, columns=columns, action=action)  # type: ignore[arg-type]
    appender.append_rows(rows)
    appender.flush()


def _rows(
    changed: dict[str, tuple[ArticleRecord, str | None, str]], *, run_id: str, now: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    articles: list[tuple[Any, ...]] = []
    figures: list[tuple[Any, ...]] = []
    hospitals: list[tuple[Any, ...]] = []
    for aid, (rec, capture_id, content) in changed.items():
        camp = rec.campaign
        version = rec.extractor_version
        articles.append(
            (
                aid,
                rec.canonical_url or rec.url,
                rec.url,
                rec.canonical_url,
                rec.site,
                rec.title,
                rec.published,
                _parse_time(rec.published),
                rec.section,
                rec.language,
                rec.text,
                camp.key if camp else None,
                camp.organizer if camp else None,
                camp.name if camp else None,
                camp.year if camp else None,
                version,
                _version_sort(version),
                capture_id,
                run_id,
                content,
                now,
            )
        )
        for i, f in enumerate(rec.figures):
            figures.append(
                (
                    aid,
                    i,
                    float(f.value),
                    None if f.value_max is None else float(f.value_max),
                    f.approx,
                    f.kind,
                    f.role,
                    f.unit_text,
                    f.quote,
                    f.start,
                    f.end,
                    version,
                    capture_id,
                    f.mentions,
                )
            )
        for i, h in enumerate(rec.hospitals):
            hospitals.append((aid, i, h.name, h.start, h.end, version))
    return articles, figures, hospitals


def _check_record(rec: ArticleRecord) -> None:
    where = rec.canonical_url or rec.url
    if not rec.extractor_version:
        raise WarehouseError(f"article {where}: no extractor_version")
    for f in rec.figures:
        if f.kind not in _KINDS or f.role not in _ROLES or f.approx not in _APPROX:
            raise WarehouseError(f"article {where}: figure {f.quote!r} has kind/role/approx outside the spec")
        if rec.text[f.start : f.end] != f.quote:
            raise WarehouseError(f"article {where}: figure quote {f.quote!r} is not at {f.start}:{f.end}")
        if f.mentions < 1:
            raise WarehouseError(
                f"article {where}: figure {f.quote!r} has mentions {f.mentions} (at least 1)"
            )
    for h in rec.hospitals:
        if rec.text[h.start : h.end] != h.name:
            raise WarehouseError(f"article {where}: hospital {h.name!r} is not at {h.start}:{h.end}")


def _content_digest(rec: ArticleRecord, capture_id: str | None) -> str:
    # the frozen dataclasses' repr lists every field in a fixed order: cheaper than JSON, as exact
    return hashlib.sha256(repr((rec, capture_id)).encode()).hexdigest()


def _digest(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


def _version_sort(version: str) -> str:
    """ "0.10.2" → "000000000.000000010.000000002" so text order is version order."""
    return ".".join(f"{int(n):09d}" for n in re.findall(r"\d+", version)[:6]) or version


def _parse_time(value: str | None) -> datetime | None:
    """ISO 8601 to an aware datetime; a time without offset is Vietnamese local time (UTC+7)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_VN_TIME)
