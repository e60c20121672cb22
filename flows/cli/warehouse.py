"""``campaigns sql | compare | campaigns | export | report``: questions to the warehouse.

Module level imports only typer and the shared CLI helpers: DuckDB and the warehouse load
inside the commands, so ``campaigns --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli._common import FULL, ConfigOption, console, fail, one_line_errors, print_yoy, settings_for

__all__ = ["register"]


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
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


def register(app: typer.Typer) -> None:
    """Add the warehouse commands to the ``campaigns`` app."""
    app.command("sql")(sql)
    app.command("compare")(compare)
    app.command("campaigns")(campaigns)
    app.command("export")(export)
    app.command("report")(report)


@one_line_errors
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run (a script runs whole; the last result prints).")],
    fmt: Annotated[SqlFormat, typer.Option("--format", "-f", help="table, csv, json or parquet.")] = (
        SqlFormat.table
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (required for parquet).")
    ] = None,
    config: ConfigOption = None,
    allow_files: Annotated[
        bool, typer.Option("--allow-files", help="Let the SQL read and write files (read_csv, COPY, ATTACH).")
    ] = False,
    write: Annotated[bool, typer.Option("--write", help="Open the database read-write.")] = False,
) -> None:
    """Run SQL on the warehouse: read-only, without file access, unless asked."""
    if fmt is SqlFormat.parquet and output is None:
        fail("--format parquet needs --output FILE", code=2)
    from errors import WarehouseError
    from warehouse.db import connect
    from warehouse.queries import run_sql_typed

    settings = settings_for(config)
    con = connect(settings.database, read_only=not write, allow_files=allow_files)
    try:
        columns, types, rows = run_sql_typed(con, query)
    except WarehouseError as exc:
        fail(_with_hint(str(exc)))
    finally:
        con.close()
    if not columns:
        typer.echo("ok", err=True)
        return
    if fmt is SqlFormat.parquet:
        from warehouse.export import write_rows_parquet

        assert output is not None
        write_rows_parquet(columns, types, rows, output)
    elif fmt is SqlFormat.table:
        _write_table(columns, rows, output)
    else:
        text = _as_csv(columns, rows) if fmt is SqlFormat.csv else _as_json(columns, rows)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    if output is not None:
        typer.echo(f"wrote {len(rows)} rows to {output}", err=True)


@one_line_errors
def compare(
    key: Annotated[str, typer.Argument(help="Campaign key (hanh-trinh-do) or words of its name.")],
    organizer: Annotated[
        str | None, typer.Option("--organizer", help="Only this organiser (exact name).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Year-over-year table of one campaign: targets and results per year."""
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
        rows = campaign_yoy(con, chosen, organizer)
        if not rows:
            orgs = ", ".join(repr(o) for k, o in matches if k == chosen) or "none"
            fail(f"no figures for {chosen!r} by {organizer!r}; organisers: {orgs}")
    finally:
        con.close()
    _print_yoy(chosen, rows)


@one_line_errors
def campaigns(
    config: ConfigOption = None,
    sort: Annotated[CampaignSort, typer.Option("--sort", help="Order of the list.")] = CampaignSort.key,
) -> None:
    """Known campaigns: key, organiser, name and the years covered."""
    from rich.table import Table

    from warehouse.db import connect
    from warehouse.queries import list_campaigns

    settings = settings_for(config)
    con = connect(settings.database, read_only=True, allow_files=False)
    try:
        rows = list_campaigns(con, sort=sort.value)
    finally:
        con.close()
    if not rows:
        typer.echo("no campaigns in the warehouse yet")
        return
    table = Table(title=f"{len(rows)} campaigns", title_justify="left")
    for col in ("key", "organizer", "name", "years", "articles", "figures"):
        table.add_column(col, justify="right" if col in ("articles", "figures") else "left", overflow="fold")
    for r in rows:
        table.add_row(
            r["key"],
            r["organizer"] or "",
            r["name"] or "",
            ", ".join(str(y) for y in r["years"]),
            str(r["articles"]),
            str(r["figures"]),
        )
    console().print(table)


@one_line_errors
def export(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write <table>/year=YYYY/*.parquet into.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Only parquet for now.")] = (
        ExportFormat.parquet
    ),
    config: ConfigOption = None,
) -> None:
    """Export articles, figures and the yearly summary as Hive-partitioned Parquet."""
    from warehouse.db import connect
    from warehouse.export import export_parquet

    settings = settings_for(config)
    con = connect(settings.database, read_only=True, allow_files=True)
    try:
        files = export_parquet(con, out_dir)
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


def _write_table(columns: list[str], rows: list[tuple], output: Path | None) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*(_plain(v) for v in r))
    if output is None:
        out = console()
        out.print(table)
        out.print(f"{len(rows)} rows", style="dim")
        return
    with output.open("w", encoding="utf-8") as fh:
        console(fh, width=1000).print(table)


def _as_csv(columns: list[str], rows: list[tuple]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


def _as_json(columns: list[str], rows: list[tuple]) -> str:
    import json

    def default(value: Any) -> Any:
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    records = [dict(zip(columns, r, strict=True)) for r in rows]
    return json.dumps(records, ensure_ascii=False, default=default, indent=1) + "\n"


def _print_yoy(key: str, rows: list[dict[str, Any]]) -> None:
    """One table per organiser, years as rows (the rows come ordered by organiser and year)."""
    out = console()
    by_org: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        by_org.setdefault(r["organizer"], []).append(r)
    for org, org_rows in by_org.items():
        name = next((r["name"] for r in reversed(org_rows) if r.get("name")), None)
        print_yoy(out, f"{name or key} ({key}): {org or 'organiser unknown'}", org_rows, FULL)


@one_line_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Only this campaign key (default: all).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a self-contained HTML report: charts, year-over-year tables, every quote, crawl health."""
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
