"""Exports: the warehouse as Hive-partitioned Parquet, and one result set as a Parquet file.

``export_parquet`` writes ``<out>/<table>/year=YYYY/data_0.parquet`` for the latest
article versions, their figures and the per-year summary, so other tools (or
DuckDB itself: ``read_parquet('out/figures/*/*.parquet', hive_partitioning=true)``)
can compare years without this program. Each file keeps ``year`` as a column too, so a
file read alone still says its year; rows without a year go to
``year=__HIVE_DEFAULT_PARTITION__`` (what DuckDB, Arrow and Spark read back as NULL).
Written with the relation API of every DuckDB ``pyproject.toml`` allows (1.1 has no
partitioned writer), one file per year.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from errors import WarehouseError
from warehouse.db import duckdb_errors, fetch_all

__all__ = ["EXPORTS", "NULL_PARTITION", "export_parquet", "write_rows_parquet"]

#: Exported table name → the SELECT that feeds it; each has a ``year`` column to partition on.
EXPORTS: dict[str, str] = {
    "articles": """
        SELECT * EXCLUDE (version_sort, content_sha256), campaign_year AS year
        FROM latest_articles
    """,
    "figures": "SELECT *, campaign_year AS year FROM campaign_figures",
    "campaign_year_summary": "SELECT * FROM summary_by_year",  # the view's rows, stored
}
#: The Hive folder of rows whose partition value is NULL.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def export_parquet(
    con: duckdb.DuckDBPyConnection, out_dir: Path, *, progress: Callable[[int, str], object] | None = None
) -> list[Path]:
    """Write every table of :data:`EXPORTS` under ``out_dir``, one folder per year; returns the files.

    Each table is written into a new folder beside its target, then swapped in, so what a
    table's folder held before (a year no longer in the warehouse, a file planted there) is
    gone and a failed export leaves the previous one whole. A table without rows has no folder.
    ``progress(done, name)`` is told before each table is written (how many are done, which
    comes next).
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
        years = [
            r[0] for r in fetch_all(con, f"SELECT DISTINCT year FROM ({select}) ORDER BY year NULLS LAST")
        ]
        fresh = out / f".{name}.new-{os.getpid()}"
        try:
            shutil.rmtree(fresh, ignore_errors=True)
            for year in years:
                folder = fresh / f"year={NULL_PARTITION if year is None else int(year)}"
                folder.mkdir(parents=True)
                where = "year IS NULL" if year is None else f"year = {int(year)}"
                with duckdb_errors(f"exporting {name}"):
                    con.sql(f"SELECT * FROM ({select}) WHERE {where}").write_parquet(
                        str(folder / "data_0.parquet")
                    )
            _swap(fresh if years else None, target)
        except OSError as exc:
            raise WarehouseError(f"cannot write {target}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        written.extend(sorted(target.rglob("*.parquet")) if years else [])
    return written


def _swap(fresh: Path | None, target: Path) -> None:
    """Put ``fresh`` where ``target`` is (or just remove ``target`` when there is nothing new)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    try:
        if fresh is not None:
            os.replace(fresh, target)
    except OSError:
        if old.exists():
            os.replace(old, target)  # put the previous export back
        raise
    shutil.rmtree(old, ignore_errors=True)


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
    if not Path(out_file).parent.is_dir():  # as for csv and json: a missing folder is not created
        raise WarehouseError(f"cannot write {out_file}: no folder {Path(out_file).parent}")
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
                mem.table("result").write_parquet(str(out_file))
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
