"""``campaigns sql | compare | campaigns | export | report``: questions to the warehouse.

Module level imports only typer and the shared CLI helpers: DuckDB and the warehouse load
inside the commands, so ``campaigns --help`` stays fast. None of these commands creates a
warehouse: a missing one is an error that says so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from flows.cli._common import (
    FULL,
    ConfigOption,
    Format,
    FormatOption,
    console,
    emit,
    fail,
    one_line_errors,
    print_table,
    print_yoy,
    progress_logging,
    settings_for,
)

__all__ = ["register"]


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    parquet = "parquet"


class ExportFormat(StrEnum):
    parquet = "parquet"


class CampaignSort(StrEnum):
    key = "key"
    name = "name"
    organizer = "organizer"
    articles = "articles"
    latest = "latest"


_HINTS = (
    ("disabled by configuration", "run with --allow-files to let SQL read or write files"),
    ("read-only mode", "run with --write to change the database"),
)
#: ``campaigns --format csv|json|markdown``: the keys of each campaign.
CAMPAIGN_FIELDS = (
    "key", "organizer", "name", "years", "articles", "inferred_articles", "figures",
    "organizers_as_written", "organizer_candidates", "first_published", "last_published",
)  # fmt: skip
#: ``compare --format csv|json|markdown``: the keys of each year before the kinds' columns.
YEAR_FIELDS = (
    "key", "organizer", "year", "name", "articles", "inferred_articles", "organizers_as_written",
    "organizer_candidates",
)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the warehouse commands to the ``campaigns`` app."""
    app.command("sql")(sql)
    app.command("compare")(compare)
    app.command("campaigns")(campaigns)
    app.command("export")(export)
    app.command("report")(report)


def _file_option(output: Path | None, flag: str = "--output") -> None:
    if output is not None and output.is_dir():
        fail(f"{flag} {output} is a folder; give a file name", code=2)


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
    _file_option(output)
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


@one_line_errors
def compare(
    key: Annotated[str, typer.Argument(help="Campaign key (hanh-trinh-do) or words of its name.")],
    organizer: Annotated[
        str | None,
        typer.Option(
            "--organizer", help="Only this organiser (exact name; a name from before a merger works)."
        ),
    ] = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Year-over-year table of one campaign: targets and results per year, per organiser."""
    from extractors.kinds import YOY_KINDS
    from warehouse.db import connect
    from warehouse.queries import campaign_yoy, list_campaigns, resolve_campaign

    settings = settings_for(config)
    con = connect(settings.database, read_only=True, allow_files=False)
    try:
        matches = resolve_campaign(con, key)
        keys = list(dict.fromkeys(k for k, _ in matches))
        if not keys:
            fail(f"no campaign matches {key!r}; `campaigns campaigns` lists the known ones")
        if keys[0] != key and len(keys) > 1:
            known = {(c["key"], c["organizer"]): c for c in list_campaigns(con)}
            typer.echo(f"no campaign with key {key!r}; candidates:", err=True)
            for k, org in matches:
                info = known.get((k, org), {})
                years = ", ".join(str(y) for y in info.get("years", []))
                typer.echo(
                    f"  {k}  ({org or 'organiser unknown'}; {info.get('name') or ''}; {years})", err=True
                )
            raise typer.Exit(1)
        chosen = keys[0]
        if chosen != key:
            typer.echo(f"no campaign with key {key!r}; showing {chosen!r}", err=True)
        rows = campaign_yoy(con, chosen, organizer, all_kinds=fmt is not Format.table)
        if not rows:
            orgs = ", ".join(repr(o) for k, o in matches if k == chosen) or "none"
            fail(f"no figures for {chosen!r} by {organizer!r}; organisers: {orgs}")
    finally:
        con.close()
    if fmt is Format.table:
        _print_yoy(chosen, rows)
        return
    kind_fields = [f"{k}_{s}" for k in YOY_KINDS for s in ("target", "achieved", "achieved_change_pct")]
    emit([{"key": chosen, **r} for r in rows], fmt, columns=[*YEAR_FIELDS, *kind_fields, "conflicts"])


@one_line_errors
def campaigns(
    config: ConfigOption = None,
    sort: Annotated[CampaignSort, typer.Option("--sort", help="Order of the list.")] = CampaignSort.key,
    fmt: FormatOption = Format.table,
) -> None:
    """Known campaigns: key, organiser (and the names its articles used), name, years covered."""
    from warehouse.db import connect
    from warehouse.queries import describe_organizer, list_campaigns

    settings = settings_for(config)
    con = connect(settings.database, read_only=True, allow_files=False)
    try:
        rows = list_campaigns(con, sort=sort.value)
    finally:
        con.close()
    if fmt is not Format.table:
        emit([{k: _as_text_time(r[k]) for k in CAMPAIGN_FIELDS} for r in rows], fmt, columns=CAMPAIGN_FIELDS)
        return
    if not rows:
        typer.echo("no campaigns in the warehouse yet")
        return
    inferred = any(r["inferred_articles"] for r in rows)
    shown = [
        {
            "key": r["key"],
            "organizer": describe_organizer(
                r["organizer"], r["organizers_as_written"], r["organizer_candidates"]
            ),
            "name": r["name"],
            "years": ", ".join(str(y) for y in r["years"]),
            "articles": r["articles"],
            **({"organiser inferred": r["inferred_articles"]} if inferred else {}),
            "figures": r["figures"],
        }
        for r in rows
    ]
    emit(shown, fmt, title=f"{len(rows)} campaigns")


def _as_text_time(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


@one_line_errors
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write <table>/year=YYYY/*.parquet into.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Only parquet for now.")] = (
        ExportFormat.parquet
    ),
    config: ConfigOption = None,
) -> None:
    """Export articles, figures and the yearly summary as Hive-partitioned Parquet."""
    from flows.steps.progress import report_progress
    from warehouse.db import connect
    from warehouse.export import EXPORTS, export_parquet

    if out_dir.exists() and not out_dir.is_dir():
        fail(f"{out_dir} is a file; give a folder to export into", code=2)
    settings = settings_for(config)
    con = connect(settings.database, read_only=True, allow_files=True)
    try:
        with progress_logging(console(stderr=True)):
            files = export_parquet(
                con,
                out_dir,
                progress=lambda done, name: report_progress(
                    "export", done=done, total=len(EXPORTS), what=f"tables (writing {name})"
                ),
            )
    finally:
        con.close()
    typer.echo(f"wrote {len(files)} {fmt.value} files under {out_dir}")


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


def _print_yoy(key: str, rows: list[dict[str, Any]]) -> None:
    """One table per organiser, years as rows (the rows come ordered by organiser and year)."""
    from warehouse.queries import describe_organizer

    out = console()
    by_org: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        by_org.setdefault(r["organizer"], []).append(r)
    for org, org_rows in by_org.items():
        name = next((r["name"] for r in reversed(org_rows) if r.get("name")), None)
        written = sorted({w for r in org_rows for w in r.get("organizers_as_written") or ()})
        candidates = sorted({c for r in org_rows for c in r.get("organizer_candidates") or ()})
        who = describe_organizer(org, written, candidates)
        print_yoy(out, f"{name or key} ({key}): {who}", org_rows, FULL)


@one_line_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Only this campaign key (default: all).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a self-contained HTML report: charts, year-over-year tables, every quote, crawl health."""
    _file_option(out, "--out")
    from flows.steps.report import render_report
    from warehouse.db import connect
    from warehouse.report_data import campaign_reports, crawl_health

    settings = settings_for(config)
    con = connect(settings.storage.database, read_only=True)
    try:
        camps = campaign_reports(con, campaign)
        health = crawl_health(con)
    finally:
        con.close()
    if campaign is not None and not camps:
        fail(f"no campaign with key {campaign!r} (see `campaigns campaigns`)")
    out.write_text(render_report(camps, health), encoding="utf-8")
    typer.echo(f"wrote {out} ({len(camps)} campaigns)")
