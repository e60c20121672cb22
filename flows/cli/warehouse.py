"""``campaigns compare | campaigns | export | report``: questions to the warehouse (``sql`` is
:mod:`flows.cli.sql`).

Module level imports only typer and the shared CLI helpers: DuckDB and the warehouse load
inside the commands, so ``campaigns --help`` stays fast. None of these commands creates a
warehouse: a missing one is an error that says so.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

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
    print_yoy,
    progress_logging,
    refuse_folder,
    settings_for,
)

__all__ = ["register"]


class ExportFormat(StrEnum):
    parquet = "parquet"


class CampaignSort(StrEnum):
    key = "key"
    name = "name"
    organizer = "organizer"
    articles = "articles"
    latest = "latest"


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
    app.command("compare")(compare)
    app.command("campaigns")(campaigns)
    app.command("export")(export)
    app.command("report")(report)


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
    refuse_folder(out, "--out")
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
