"""The crawler's incremental state: the article frontier and per-URL fetch state.

Tables (``migrations/002_crawl_state.sql``): ``frontier`` holds every article URL
ever discovered with its status (pending → fetched / not_modified / failed /
deferred); ``url_state`` holds, per URL of any kind, the validators (ETag,
Last-Modified) for the next conditional GET and the sha1 of the last body.

The run protocol: ``plan_articles`` records what discovery found as pending (one
statement, before anything is fetched) and returns what to fetch now; the loader
calls ``record_results`` inside its transaction together with the fetch rows. A
run killed in between leaves pending rows, which the next ``plan_articles`` (or
``pending``) hands out again: nothing lost, and one row per URL so nothing doubled.

The connection is passed in; every value is a bound parameter (lists are bound
whole and unnested in SQL, so a batch is one statement, not one per row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import duckdb

from errors import WarehouseBusyError, WarehouseError
from extractors.urls import canonicalize_url


class FetchResult(Protocol):
    """What the crawl state reads of a fetch outcome (``flows.crawler.fetch.FetchResult`` has it)."""

    @property
    def url(self) -> str: ...

    @property
    def final_url(self) -> str | None: ...

    @property
    def status(self) -> int | None: ...

    @property
    def error(self) -> str | None: ...

    @property
    def outcome(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def etag(self) -> str | None: ...

    @property
    def last_modified(self) -> str | None: ...

    @property
    def fetched_at(self) -> str: ...

    @property
    def body(self) -> bytes | None: ...


__all__ = [
    "RESUMABLE",
    "EntryState",
    "entry_state",
    "pending",
    "plan_articles",
    "record_results",
    "validators",
]

RESUMABLE = ("pending", "deferred")

_INSERT_PENDING = """
INSERT INTO frontier (url, source, kind, status, discovered_at, updated_at, attempts)
SELECT u, ?, 'article', 'pending', CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), 0
FROM (SELECT unnest(?::VARCHAR[]) AS u)
ON CONFLICT (url) DO NOTHING
"""
_REFRESH = """
UPDATE frontier SET status = 'pending', updated_at = CAST(? AS TIMESTAMPTZ)
FROM (SELECT unnest(?::VARCHAR[]) AS u) AS t
WHERE frontier.url = t.u AND frontier.status NOT IN ('pending', 'deferred')
"""
_STATUSES = "SELECT url, status FROM frontier WHERE url IN (SELECT unnest(?::VARCHAR[]))"
_PENDING = """
SELECT url FROM frontier WHERE source = ? AND status IN ('pending', 'deferred')
ORDER BY discovered_at, url
"""
_UPSERT_FRONTIER = """
INSERT INTO frontier (url, source, kind, status, discovered_at, updated_at, attempts, last_error)
SELECT url, ?, 'article', status, CAST(ts AS TIMESTAMPTZ), CAST(ts AS TIMESTAMPTZ), 1, err
FROM (SELECT unnest(?::VARCHAR[]) AS url, unnest(?::VARCHAR[]) AS status,
             unnest(?::VARCHAR[]) AS err, unnest(?::VARCHAR[]) AS ts)
ON CONFLICT (url) DO UPDATE SET
    status = excluded.status,
    updated_at = excluded.updated_at,
    attempts = frontier.attempts + 1,
    last_error = excluded.last_error
"""
# fetched: take the new validators and digest; not_modified: keep the old ones unless the
# 304 carried new validators; failed / deferred: keep everything but the last status.
_UPSERT_URL_STATE = """
INSERT INTO url_state (url, source, kind, etag, last_modified, content_digest, last_status,
                       last_outcome, final_url, last_fetched_at)
SELECT url, ?, kind, etag, lm, digest, status, outcome, final_url, CAST(ts AS TIMESTAMPTZ)
FROM (SELECT unnest(?::VARCHAR[]) AS url, unnest(?::VARCHAR[]) AS kind, unnest(?::VARCHAR[]) AS etag,
             unnest(?::VARCHAR[]) AS lm, unnest(?::VARCHAR[]) AS digest, unnest(?::INTEGER[]) AS status,
             unnest(?::VARCHAR[]) AS outcome, unnest(?::VARCHAR[]) AS final_url,
             unnest(?::VARCHAR[]) AS ts)
ON CONFLICT (url) DO UPDATE SET
    source = excluded.source,
    kind = excluded.kind,
    etag = CASE WHEN excluded.last_outcome = 'fetched' THEN excluded.etag
                WHEN excluded.last_outcome = 'not_modified' THEN coalesce(excluded.etag, url_state.etag)
                ELSE url_state.etag END,
    last_modified = CASE WHEN excluded.last_outcome = 'fetched' THEN excluded.last_modified
                WHEN excluded.last_outcome = 'not_modified'
                    THEN coalesce(excluded.last_modified, url_state.last_modified)
                ELSE url_state.last_modified END,
    content_digest = CASE WHEN excluded.last_outcome = 'fetched' THEN excluded.content_digest
                ELSE url_state.content_digest END,
    last_status = coalesce(excluded.last_status, url_state.last_status),
    last_outcome = excluded.last_outcome,
    final_url = coalesce(excluded.final_url, url_state.final_url),
    last_fetched_at = excluded.last_fetched_at
"""
_ENTRY_STATE = """
SELECT url, kind, etag, last_modified, last_outcome FROM url_state
WHERE source = ? AND kind IS NOT NULL AND kind <> 'article' ORDER BY url
"""
_VALIDATORS = """
SELECT url, etag, last_modified FROM url_state
WHERE url IN (SELECT unnest(?::VARCHAR[])) AND (etag IS NOT NULL OR last_modified IS NOT NULL)
"""


def plan_articles(
    con: duckdb.DuckDBPyConnection, source: str, urls: Sequence[str], *, refresh: bool = False
) -> list[str]:
    """Record ``urls`` (canonical) as discovered and return the ones to fetch now.

    New URLs and URLs left pending or deferred come first, in the order given; then
    this source's pending/deferred URLs from earlier runs that discovery did not
    see again. A URL already fetched (or failed for good) is never returned unless
    ``refresh``, which puts every given URL back to pending.
    """
    wanted = list(dict.fromkeys(u for u in urls if u))
    now = _now()
    with _errors("plan articles"):
        if wanted:
            con.execute(_INSERT_PENDING, [source, now, now, wanted])
            if refresh:
                con.execute(_REFRESH, [now, wanted])
            status = dict(con.execute(_STATUSES, [wanted]).fetchall())
        else:
            status = {}
        leftovers = [row[0] for row in con.execute(_PENDING, [source]).fetchall()]
    chosen = [u for u in wanted if status.get(u) in RESUMABLE]
    seen = set(chosen)
    return chosen + [u for u in leftovers if u not in seen and u not in status]


def record_results(con: duckdb.DuckDBPyConnection, source: str, results: Sequence[FetchResult]) -> None:
    """Record how each URL ended: frontier status for articles, validators and digest for all.

    Call inside the loader's transaction. Within one call the last result of a URL wins.
    An article that redirected marks its canonical final URL as fetched too, so a later
    discovery of that spelling does not fetch it again.
    """
    if not results:
        return
    latest = {r.url: r for r in results}
    state = list(latest.values())
    front: dict[str, tuple[str, str | None, str]] = {}
    for r in state:
        if r.kind != "article":
            continue
        front[r.url] = (r.outcome, r.error, r.fetched_at)
        alias = canonicalize_url(r.final_url) if r.final_url else r.url
        if r.outcome == "fetched" and alias != r.url and alias not in latest:
            front[alias] = ("fetched", None, r.fetched_at)
    with _errors("record fetch results"):
        con.execute(
            _UPSERT_URL_STATE,
            [
                source,
                [r.url for r in state],
                [r.kind for r in state],
                [r.etag for r in state],
                [r.last_modified for r in state],
                [_digest(r) for r in state],
                [r.status for r in state],
                [r.outcome for r in state],
                [r.final_url for r in state],
                [r.fetched_at for r in state],
            ],
        )
        if front:
            urls = list(front)
            con.execute(
                _UPSERT_FRONTIER,
                [
                    source,
                    urls,
                    [front[u][0] for u in urls],
                    [front[u][1] for u in urls],
                    [front[u][2] for u in urls],
                ],
            )


def validators(
    con: duckdb.DuckDBPyConnection, urls: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    """``{url: (etag, last_modified)}`` for the given URLs that have any validator.

    State is keyed by canonical URL; a URL given in another spelling is looked up by its
    canonical form and answered under both spellings.
    """
    spellings: dict[str, list[str]] = {}
    for url in urls:
        spellings.setdefault(canonicalize_url(url), []).append(url)
    if not spellings:
        return {}
    with _errors("read validators"):
        rows = con.execute(_VALIDATORS, [list(spellings)]).fetchall()
    found: dict[str, tuple[str | None, str | None]] = {}
    for url, etag, last_modified in rows:
        for spelling in (url, *spellings.get(url, ())):
            found[spelling] = (etag, last_modified)
    return found


@dataclass(frozen=True, slots=True)
class EntryState:
    """What the last fetch of one listing page, feed or sitemap left."""

    kind: str
    etag: str | None
    last_modified: str | None
    last_outcome: str | None


def entry_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, EntryState]:
    """Every listing page, feed and sitemap of ``source`` fetched before (found by discovery as
    well as configured): validators for conditional requests, and the feeds to read again."""
    with _errors("read the entry state"):
        rows = con.execute(_ENTRY_STATE, [source]).fetchall()
    return {url: EntryState(kind, etag, lm, outcome) for url, kind, etag, lm, outcome in rows}


def pending(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """This source's article URLs still to fetch (pending or deferred), oldest first."""
    with _errors("read the frontier"):
        return [row[0] for row in con.execute(_PENDING, [source]).fetchall()]


def _digest(result: FetchResult) -> str | None:
    if result.outcome != "fetched" or result.body is None:
        return None
    return hashlib.sha1(result.body).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@contextmanager
def _errors(what: str) -> Iterator[None]:
    try:
        yield
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "lock" in message.lower():
            raise WarehouseBusyError(f"{what}: {message}") from exc
        raise WarehouseError(f"{what}: {message}") from exc
