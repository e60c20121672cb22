"""Exports: the warehouse as Hive-partitioned Parquet, and one result set as a Parquet file.

``export_parquet`` writes ``<out>/<table>/year=YYYY/*.parquet`` for the latest
article versions, their figures and the per-year summary, so other tools (or
DuckDB itself: ``read_parquet('out/figures/*/*.parquet', hive_partitioning=true)``)
can compare years without this program.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from errors import WarehouseError
from warehouse.db import duckdb_errors, fetch_all

__all__ = ["EXPORTS", "export_parquet", "write_rows_parquet"]

#: Exported table name → the SELECT that feeds it; each has a ``year`` column to partition on.
EXPORTS: dict[str, str] = {
    "articles": """
        SELECT * EXCLUDE (version_sort, content_sha256), campaign_year AS year
        FROM latest_articles
    """,
    "figures": "SELECT *, campaign_year AS year FROM campaign_figures",
    "campaign_year_summary": "SELECT * FROM campaign_year_summary",
}


def export_parquet(
    con: duckdb.DuckDBPyConnection, out_dir: Path, *, progress: Callable[[int, str], object] | None = None
) -> list[Path]:
    """Write every table of :data:`EXPORTS` under ``out_dir``, one folder per year; returns the files.

    A table's folder is replaced whole, so exporting twice gives the same files.
    Rows without a campaign year land in ``year=NULL``. ``progress(done, name)`` is told
    before each table is written (how many are done, which comes next).
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarehouseError(f"cannot create {out}: {exc.strerror}") from None
    written: list[Path] = []
    for done, (name, select) in enumerate(EXPORTS.items()):
        if progress is not None:
            progress(done, name)
        target = out / name
        if not fetch_all(con, f"SELECT count(*) FROM ({select})")[0][0]:
            continue
        with duckdb_errors(f"exporting {name}"):
            con.sql(select).write_parquet(str(target), partition_by=["year"], overwrite=True)
        written.extend(sorted(target.rglob("*.parquet")))
    return written


def write_rows_parquet(
    columns: Sequence[str], types: Sequence[str], rows: Iterable[Sequence[Any]], out_file: Path
) -> Path:
    """Write one result set to a Parquet file through a private DuckDB, a chunk of rows at a time.

    Used by ``campaigns sql --format parquet``: the warehouse connection has file
    access disabled, so the rows are written by a separate engine that sees only them.
    ``rows`` may be an iterator: the private engine keeps them in a temporary file (with a
    small memory limit), never all in Python's memory.
    """
    if not columns:
        raise WarehouseError("the query returned no columns to write")
    names = _unique(columns)
    ddl = ", ".join(f"{_ident(n)} {t}" for n, t in zip(names, types, strict=True))
    with tempfile.TemporaryDirectory(prefix="campaigns-parquet-") as tmp:
        mem = duckdb.connect(
            str(Path(tmp) / "rows.duckdb"),
            config={"autoinstall_known_extensions": False, "memory_limit": "256MB"},
        )
        try:
            with duckdb_errors(f"writing {out_file}"):
                mem.execute(f"CREATE TABLE result ({ddl})")
                appender = mem.appender("result")
                it = iter(rows)
                while chunk := list(itertools.islice(it, 10_000)):
                    appender.append_rows(chunk)
                appender.flush()
                Path(out_file).parent.mkdir(parents=True, exist_ok=True)
                mem.table("result").write_parquet(str(out_file), overwrite=True)
        finally:
            mem.close()
    return Path(out_file)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique(columns: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for c in columns:
        base = c or "column"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}_{n}")
    return out
