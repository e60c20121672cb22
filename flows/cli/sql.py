"""``campaigns sql``: any read-only SQL over the warehouse, its rows streamed as a table,
csv, json, jsonl, markdown or parquet.

Module level imports only typer and the shared CLI helpers: DuckDB and the warehouse load
inside the command, so ``campaigns --help`` stays fast. ``sql`` never creates a warehouse.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from flows.cli._common import (
    ConfigOption,
    console,
    fail,
    one_line_errors,
    print_table,
    refuse_folder,
    settings_for,
)

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``sql`` to the ``campaigns`` app."""
    app.command("sql")(sql)


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    parquet = "parquet"


_HINTS = (
    ("disabled by configuration", "run with --allow-files to let SQL read or write files"),
    ("read-only mode", "run with --write to change the database"),
)


@one_line_errors
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (a script runs whole; the last result prints).")],
    fmt: Annotated[
        SqlFormat,
        typer.Option(
            "--format", "-f", help="table, csv, json, jsonl (a JSON object per line), markdown or parquet."
        ),
    ] = SqlFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (required for parquet).")
    ] = None,
    config: ConfigOption = None,
    allow_files: Annotated[
        bool, typer.Option("--allow-files", help="Let the SQL read and write files (read_csv, COPY, ATTACH).")
    ] = False,
    write: Annotated[bool, typer.Option("--write", help="Open the database read-write.")] = False,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="With --format table: print at most this many rows.")
    ] = 1000,
) -> None:
    """Run SQL on the warehouse: read-only, without file access, unless asked.

    Rows stream: csv, json, jsonl, markdown and parquet never hold the whole result in memory.
    """
    if not query.strip():
        fail("empty query: give the SQL to run", code=2)
    refuse_folder(output)
    if fmt is SqlFormat.parquet and output is None:
        fail("--format parquet needs --output FILE", code=2)
    from errors import WarehouseError
    from warehouse.db import connect, require_database
    from warehouse.load import refresh_summaries
    from warehouse.queries import run_sql_stream

    settings = settings_for(config)
    require_database(settings.database)  # --write too: sql never creates a warehouse
    con = connect(settings.database, read_only=not write, allow_files=allow_files)
    try:
        result = run_sql_stream(con, query)
        written = (
            _write_result(fmt, result.columns, result.types, result.chunks, output, max_rows)
            if result.columns
            else None
        )
        if write:  # the statement may have changed articles or aliases: keep the stored summaries true
            refresh_summaries(con)
    except WarehouseError as exc:
        fail(_with_hint(str(exc)))
    finally:
        con.close()
    if written is None:
        typer.echo("ok", err=True)
    elif output is not None:
        typer.echo(f"wrote {written} rows to {output}", err=True)


def _write_result(
    fmt: SqlFormat,
    columns: list[str],
    types: list[str],
    chunks: Iterator[list[tuple]],
    output: Path | None,
    max_rows: int,
) -> int:
    """Write the rows as ``fmt`` to ``output`` (or standard output) as they come; returns how many."""
    if fmt is SqlFormat.parquet:
        from warehouse.export import write_rows_parquet

        assert output is not None
        counted = _Counted(row for chunk in chunks for row in chunk)
        write_rows_parquet(columns, types, counted, output)
        return counted.n
    if fmt is SqlFormat.table:
        return _write_table(columns, chunks, output, max_rows)
    fh = output.open("w", encoding="utf-8", newline="") if output is not None else None
    try:
        return _stream_rows(fmt, columns, chunks, fh or sys.stdout)
    finally:
        if fh is not None:
            fh.close()


class _Counted:
    """An iterator that counts what went through it."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._it, self.n = iter(items), 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        item = next(self._it)
        self.n += 1
        return item


def _stream_rows(fmt: SqlFormat, columns: list[str], chunks: Iterator[list[tuple]], out: IO[str]) -> int:
    import csv
    import json

    n = 0
    writer = csv.writer(out, lineterminator="\n")
    if fmt is SqlFormat.csv:
        writer.writerow(columns)
    elif fmt is SqlFormat.json:
        out.write("[")
    elif fmt is SqlFormat.markdown:
        out.write("| " + " | ".join(columns) + " |\n| " + " | ".join("---" for _ in columns) + " |\n")
    for chunk in chunks:
        if fmt is SqlFormat.csv:
            writer.writerows([["" if v is None else v for v in r] for r in chunk])
        elif fmt is SqlFormat.markdown:
            out.writelines(
                "| " + " | ".join(_plain(v).replace("|", "\\|").replace("\n", " ") for v in r) + " |\n"
                for r in chunk
            )
        else:
            for r in chunk:
                text = json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False, default=_json_value)
                out.write(text + "\n" if fmt is SqlFormat.jsonl else ("\n" if n == 0 else ",\n") + text)
                n += 1
            continue
        n += len(chunk)
    if fmt is SqlFormat.json:
        out.write("\n]\n" if n else "]\n")
    return n


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _with_hint(message: str) -> str:
    for marker, hint in _HINTS:
        if marker in message:
            return f"{message} ({hint})"
    return message


def _plain(value: Any) -> str:
    """A cell of `campaigns sql`: values as SQL gives them (no thousands separators on years or ids)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_table(
    columns: list[str], chunks: Iterator[list[tuple]], output: Path | None, max_rows: int
) -> int:
    """The first ``max_rows`` rows as a table (values as text, never markup); the rest counted."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False)
    for c in columns:
        table.add_column(Text(c), overflow="fold")
    n = 0
    for chunk in chunks:
        for r in chunk[: max(max_rows - n, 0)]:
            table.add_row(*(Text(_plain(v)) for v in r))
        n += len(chunk)
    shown = min(n, max_rows)
    note = f"{n} rows" if shown == n else f"{shown} of {n} rows shown (--max-rows; --format csv for all)"
    if output is None:
        print_table(table)
        console().print(Text(note, style="dim"))
        return n
    with output.open("w", encoding="utf-8") as fh:
        print_table(table, fh)
        if shown < n:
            fh.write(note + "\n")
    return n
