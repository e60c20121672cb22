"""Read-side questions the CLI asks: year-over-year tables, campaign lookup, free SQL.

Every user value is a bound parameter; column names that reach SQL text come
from fixed allowlists in this module, never from the caller.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb

from errors import WarehouseError
from extractors.kinds import HEADLINE_KINDS, YOY_KINDS
from extractors.normalize import slugify
from warehouse.db import duckdb_errors, fetch_all

__all__ = [
    "CAMPAIGN_SORTS",
    "SqlResult",
    "campaign_yoy",
    "describe_organizer",
    "list_campaigns",
    "resolve_campaign",
    "run_sql",
    "run_sql_stream",
    "run_sql_typed",
]


_T = TypeVar("_T")
#: How many times Ctrl-C asks DuckDB to stop (0.1 s apart) before giving up on a clean stop.
_INTERRUPT_TRIES = 50

#: ``list_campaigns(sort=...)`` choices and the ORDER BY each one means.
CAMPAIGN_SORTS: dict[str, str] = {
    "key": "key, organizer NULLS FIRST",
    "name": "name NULLS LAST, key, organizer NULLS FIRST",
    "organizer": "organizer NULLS FIRST, key",
    "articles": "articles DESC, key, organizer NULLS FIRST",
    "latest": "last_year DESC NULLS LAST, key, organizer NULLS FIRST",
}

#: ``campaign_organizer`` is the ``$org`` given (or its name after a merger), or any when None.
_ORGANIZER_IS = """(
    CAST($org AS VARCHAR) IS NULL
    OR campaign_organizer = coalesce(
        (SELECT organizer FROM organizer_aliases WHERE alias = lower(CAST($org AS VARCHAR))), $org)
)"""
_CAMPAIGN_FIELDS = (
    "key", "organizer", "name", "years", "articles", "figures", "first_published", "last_published",
    "inferred_articles", "organizers_as_written", "organizer_candidates",
)  # fmt: skip
_FUZZY_THRESHOLD = 0.82
_FUZZY_LIMIT = 10


def campaign_yoy(
    con: duckdb.DuckDBPyConnection, key: str, organizer: str | None = None, *, all_kinds: bool = False
) -> list[dict]:
    """Years as rows for one campaign key (and organizer when given), by organiser then year.

    Each row: ``organizer``, ``year``, ``name``, ``articles``, ``inferred_articles`` (of
    them, those whose organiser was inferred: they name none, and their site has one for
    this campaign), ``organizers_as_written`` (the names the articles used: the old and
    the new name across the 2025 merger), ``organizer_candidates`` (for articles with no
    organiser: the organisers their sites name for this campaign), then for each kind of
    :data:`YOY_KINDS` ``<kind>_target``, ``<kind>_achieved`` and
    ``<kind>_achieved_change_pct`` (vs the previous year with data), and ``conflicts``
    listing "kind/role" where the sources disagree. Blood units, participants and sites
    are always there; other kinds only when some year has a value, or always with
    ``all_kinds`` (the same keys for every campaign: what programs read). Every row of
    one answer has the same keys. ``organizer`` may be a name from before a merger.

    Reads the stored summaries (``summary_by_year``, ``articles_by_year``): milliseconds
    whatever the size of the warehouse.
    """
    cols = []
    for i, _kind in enumerate(YOY_KINDS):
        p = f"$k{i}"
        cols.append(
            f"max(target_value) FILTER (WHERE kind = {p}), "
            f"max(achieved_value) FILTER (WHERE kind = {p}), "
            f"max(achieved_change_pct) FILTER (WHERE kind = {p})"
        )
    params: dict[str, Any] = {f"k{i}": kind for i, kind in enumerate(YOY_KINDS)}
    params.update({"key": key, "org": organizer})
    figures = fetch_all(
        con,
        f"""
        SELECT campaign_organizer, year, {", ".join(cols)},
               coalesce(list(kind || '/target') FILTER (WHERE target_conflict), [])
               || coalesce(list(kind || '/achieved') FILTER (WHERE achieved_conflict), [])
        FROM campaign_yoy
        WHERE campaign_key = $key AND {_ORGANIZER_IS}
        GROUP BY campaign_organizer, year
        """,
        params,
    )
    articles = fetch_all(
        con,
        f"""
        SELECT campaign_organizer, year, campaign_name, articles, inferred_articles,
               organizers_as_written, organizer_candidates
        FROM articles_by_year
        WHERE campaign_key = $key AND year IS NOT NULL AND {_ORGANIZER_IS}
        """,
        {"key": key, "org": organizer},
    )
    rows: dict[tuple[str | None, int], dict[str, Any]] = {}
    for org, year, name, n, inferred, written, candidates in articles:
        row = rows[(org, year)] = _empty_row(org, year, name, n)
        row.update(
            inferred_articles=inferred,
            organizers_as_written=list(written),
            organizer_candidates=list(candidates),
        )
    for rec in figures:
        org, year = rec[0], rec[1]
        row = rows.setdefault((org, year), _empty_row(org, year, None, 0))
        for i, kind in enumerate(YOY_KINDS):
            target, achieved, change = rec[2 + 3 * i : 5 + 3 * i]
            row[f"{kind}_target"] = _number(target)
            row[f"{kind}_achieved"] = _number(achieved)
            row[f"{kind}_achieved_change_pct"] = change
        row["conflicts"] = sorted(rec[-1] or [])
    ordered = [rows[k] for k in sorted(rows, key=lambda k: (k[0] or "", k[1]))]
    return ordered if all_kinds else _drop_empty_kinds(ordered)


def describe_organizer(
    organizer: str | None, as_written: Sequence[str] = (), candidates: Sequence[str] = ()
) -> str:
    """Who runs a campaign, for people: the organiser with the other names its articles used
    (across the 2025 merger), or "organiser unknown" with the candidates of their sites."""
    if organizer is None:
        return "organiser unknown" + (
            f" (candidates on their sites: {', '.join(candidates)})" if candidates else ""
        )
    other = [w for w in as_written if w != organizer]
    return organizer + (f" (articles say: {', '.join(other)})" if other else "")


def resolve_campaign(con: duckdb.DuckDBPyConnection, text: str) -> list[tuple[str, str | None]]:
    """(key, organizer) pairs: every organizer of the exact key, else the closest keys and names.

    The text is tried as given, then folded like a key ("Hành trình Đỏ" is
    "hanh-trinh-do"); failing both, a fuzzy answer lists candidates best first,
    at most ten. The caller tells the two apart by comparing the first key.
    """
    slug = slugify(text)
    for candidate in dict.fromkeys((text, slug)):
        exact = fetch_all(
            con,
            "SELECT key, organizer FROM campaigns WHERE key = ? ORDER BY organizer NULLS FIRST",
            [candidate],
        )
        if exact:
            return [(k, o) for k, o in exact]
    if not slug:
        return []
    rows = fetch_all(
        con,
        """
        SELECT key, organizer, score FROM (
            SELECT key, organizer,
                   CASE WHEN key = $slug THEN 2.0
                        WHEN contains(key, $slug) OR contains($slug, key) THEN 1.5
                        ELSE greatest(jaro_winkler_similarity(key, $slug),
                                      jaro_winkler_similarity(lower(strip_accents(coalesce(name, ''))),
                                                              replace($slug, '-', ' ')))
                   END AS score
            FROM campaigns
        )
        WHERE score >= $threshold
        ORDER BY score DESC, key, organizer NULLS FIRST
        LIMIT $limit
        """,
        {"slug": slug, "threshold": _FUZZY_THRESHOLD, "limit": _FUZZY_LIMIT},
    )
    return [(k, o) for k, o, _score in rows]


def list_campaigns(con: duckdb.DuckDBPyConnection, *, sort: str = "key") -> list[dict]:
    """Known campaigns with the years they cover; ``sort`` is one of :data:`CAMPAIGN_SORTS`.

    Besides the columns of the ``campaigns`` table, each has ``inferred_articles``,
    ``organizers_as_written`` and ``organizer_candidates`` (see :func:`campaign_yoy`).
    """
    order = CAMPAIGN_SORTS.get(sort)
    if order is None:
        raise WarehouseError(f"cannot sort campaigns by {sort!r}; choose one of {', '.join(CAMPAIGN_SORTS)}")
    rows = fetch_all(
        con,
        f"""
        SELECT c.key, c.organizer, c.name, c.years, c.articles, c.figures, c.first_published,
               c.last_published, coalesce(y.inferred_articles, 0), coalesce(y.organizers_as_written, []),
               coalesce(y.organizer_candidates, [])
        FROM (SELECT *, list_max(years) AS last_year FROM campaigns) AS c
        LEFT JOIN (
            SELECT campaign_key, campaign_organizer, sum(inferred_articles) AS inferred_articles,
                   list_sort(list_distinct(flatten(list(organizers_as_written)))) AS organizers_as_written,
                   list_sort(list_distinct(flatten(list(organizer_candidates)))) AS organizer_candidates
            FROM articles_by_year
            GROUP BY ALL
        ) AS y ON y.campaign_key = c.key AND y.campaign_organizer IS NOT DISTINCT FROM c.organizer
        ORDER BY {order}
        """,
    )
    return [dict(zip(_CAMPAIGN_FIELDS, r, strict=True)) for r in rows]


def run_sql(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """Run the user's SQL as given (a script runs whole; the last statement's rows come back)."""
    columns, _types, rows = run_sql_typed(con, query)
    return columns, rows


def run_sql_typed(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[str], list[tuple]]:
    """Like :func:`run_sql`, with the DuckDB type name of each column (for writing Parquet)."""
    result = run_sql_stream(con, query)
    return result.columns, result.types, [row for chunk in result.chunks for row in chunk]


@dataclass(frozen=True, slots=True)
class SqlResult:
    """The last statement's columns, their DuckDB types, and its rows read a chunk at a time."""

    columns: list[str]
    types: list[str]
    chunks: Iterator[list[tuple]]


def run_sql_stream(con: duckdb.DuckDBPyConnection, query: str, *, chunk_rows: int = 10_000) -> SqlResult:
    """Run the user's SQL; its rows come ``chunk_rows`` at a time, never all at once in memory.

    A statement without rows gives no columns. Ctrl-C while DuckDB works is a
    :class:`KeyboardInterrupt`, as anywhere else.
    """
    if not query.strip():
        raise WarehouseError("empty query")
    with _interruptible(), duckdb_errors():
        _interruptibly(con, lambda: con.execute(query))
        if con.description is None:
            return SqlResult([], [], iter(()))
        columns = [str(d[0]) for d in con.description]
        types = [str(d[1]) for d in con.description]

    def chunks() -> Iterator[list[tuple]]:
        while True:
            with _interruptible(), duckdb_errors():
                rows = _interruptibly(con, lambda: con.fetchmany(chunk_rows))
            if not rows:
                return
            yield rows

    return SqlResult(columns, types, chunks())


def _interruptibly(con: duckdb.DuckDBPyConnection, call: Callable[[], _T]) -> _T:
    """Run one DuckDB call in a worker thread so that Ctrl-C, which Python delivers to the main
    thread, can interrupt it with ``con.interrupt()`` however busy DuckDB's own threads are.

    DuckDB's client only looks for signals between its tasks, and a single parallel scan can
    keep it from looking for a long time; the main thread here waits on the worker in short
    naps instead and is always ready to take the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        return call()
    outcome: list[Any] = []
    done = threading.Event()

    def work() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the main thread as it is
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=work, name="duckdb-query", daemon=True).start()
    # Plain naps, not Thread.join: a Ctrl-C that lands inside join() marks a live thread as
    # stopped (CPython's bpo-45274 cleanup), and the connection would then look free when it is not.
    try:
        while not done.is_set():
            time.sleep(0.05)
    except KeyboardInterrupt:
        for _ in range(_INTERRUPT_TRIES):
            con.interrupt()
            time.sleep(0.1)
            if done.is_set():
                break
        raise
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


@contextmanager
def _interruptible() -> Iterator[None]:
    """DuckDB reports Ctrl-C as ``RuntimeError("Query interrupted")``: make it the KeyboardInterrupt it is."""
    try:
        yield
    except RuntimeError as exc:
        if "interrupt" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise


def _drop_empty_kinds(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the core kinds always, the others only when some year has a value."""
    empty = [
        kind
        for kind in YOY_KINDS
        if kind not in HEADLINE_KINDS
        and all(r[f"{kind}_target"] is None and r[f"{kind}_achieved"] is None for r in rows)
    ]
    for r in rows:
        for kind in empty:
            for suffix in ("_target", "_achieved", "_achieved_change_pct"):
                del r[kind + suffix]
    return rows


def _empty_row(org: str | None, year: int, name: str | None, articles: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "organizer": org,
        "year": year,
        "name": name,
        "articles": articles,
        "inferred_articles": 0,
        "organizers_as_written": [],
        "organizer_candidates": [],
    }
    for kind in YOY_KINDS:
        row[f"{kind}_target"] = None
        row[f"{kind}_achieved"] = None
        row[f"{kind}_achieved_change_pct"] = None
    row["conflicts"] = []
    return row


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
