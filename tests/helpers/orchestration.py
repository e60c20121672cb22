"""Helpers of the orchestration tests: a demo crawl into tmp, consistency checks, the crash child.

Run as a module (``python -m tests.helpers.orchestration CONFIG``) it is the child process the
crash test kills: a plain crawl (no Prefect) of every source of CONFIG, small batches.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flows.config import Settings  # noqa: E402
from tests.helpers.pipeline import crawl_all  # noqa: E402
from warehouse.db import session  # noqa: E402
from warehouse.queries import run_sql  # noqa: E402

__all__ = ["ROOT", "crawl", "natural_key_duplicates", "orphan_captures", "sql"]

#: (table, natural key) of every table whose key the loader must keep unique.
_NATURAL_KEYS = (
    ("articles", "article_key, extractor_version"),
    ("figures", "article_id, ordinal"),
    ("hospitals", "article_id, ordinal"),
    ("campaigns", "key, coalesce(organizer, '')"),
    ("captures", "capture_id"),
    ("captures", 'warc_file, "offset"'),
    ("fetches", "run_id, url"),
    ("frontier", "url"),
    ("url_state", "url"),
)


def crawl(settings: Settings, *, batch_size: int = 2) -> dict[str, Any]:
    """One plain crawl run of every source (what each subflow of the nightly flow does)."""
    return crawl_all(settings, batch_size=batch_size, params={"test": "orch"})


def sql(database: Path, query: str) -> list[tuple[Any, ...]]:
    with session(database, read_only=True) as con:
        return run_sql(con, query)[1]


def natural_key_duplicates(database: Path) -> dict[str, int]:
    """Rows beyond the first per natural key, by table and key (empty when consistent)."""
    out = {}
    for table, key in _NATURAL_KEYS:
        extra = sql(
            database,
            f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {table} GROUP BY {key})",
        )
        if extra[0][0]:
            out[f"{table}({key})"] = int(extra[0][0])
    return out


def orphan_captures(database: Path) -> dict[str, int]:
    """Rows that point to a capture the index does not have, by table."""
    out = {}
    for table in ("articles", "figures", "fetches"):
        n = sql(
            database,
            f"SELECT count(*) FROM {table} t WHERE t.capture_id IS NOT NULL "
            "AND t.capture_id NOT IN (SELECT capture_id FROM captures)",
        )[0][0]
        if n:
            out[table] = int(n)
    return out


if __name__ == "__main__":
    from flows.config import load_settings

    conf = load_settings(sys.argv[1])
    print("started", flush=True)
    print(crawl(conf)["run_id"], flush=True)
