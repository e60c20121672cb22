"""``campaigns import`` and ``campaigns backfill``: a campaign's record reaching back years.

``import`` brings in WARC/WACZ files other tools wrote; ``backfill`` fetches a source's past
articles found in its sitemaps by month. Only typer and our light modules load at import;
the pipeline is imported inside the commands, so ``campaigns --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from flows.cli._common import (
    ConfigOption,
    Format,
    FormatOption,
    console,
    emit,
    fail,
    next_hint,
    one_line_errors,
    settings_for,
)

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("backfill")(backfill)


@one_line_errors
def import_(
    paths: Annotated[
        list[Path], typer.Argument(help="WARC (.warc, .warc.gz) or WACZ files, or folders of them.")
    ],
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import web archives other tools wrote (wget, Browsertrix, pywb, Heritrix, Common Crawl, WACZ):
    index every response, extract and load the sources' articles; records that give none are
    counted by reason. Importing a file twice adds nothing."""
    from flows.cli._common import progress_logging
    from flows.steps.importing import import_archives

    settings = settings_for(config)
    with progress_logging(console(file=sys.stderr)):
        summary = import_archives(settings, paths)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1) + "\n")
        return
    rows = [{"records": n, "reason": reason} for reason, n in summary.reasons.items()]
    emit(rows, fmt, columns=["reason", "records"], title=f"Import run {summary.run_id}")
    if fmt is Format.table:
        files = [
            {"file": f.source_file, "status": f.status, "archived as": f.warc_file or "", "records": f.records,
             "error": f.error or ""}
            for f in summary.files
        ]  # fmt: skip
        emit(files, fmt, columns=["file", "status", "archived as", "records", "error"])
        years = ", ".join(f"{k} {y}" for k, y in summary.new_campaign_years) or "none"
        typer.echo(
            f"{summary.articles} articles stored ({summary.loaded} new or changed, {summary.figures} figures); "
            f"new campaign-years: {years}"
        )
        new = summary.new_campaign_years
        next_hint(console(), f"compare {new[0][0]}" if new else "campaigns", config)
    if any(f.status == "failed" for f in summary.files):
        raise typer.Exit(1)


@one_line_errors
def backfill(
    source: Annotated[str, typer.Option("--source", help="The source (its name in the config) to backfill.")],
    since: Annotated[str, typer.Option("--since", help="First month, YYYY-MM.")],
    until: Annotated[
        str | None, typer.Option("--until", help="Last month, YYYY-MM (default: this month).")
    ] = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch a source's past articles, found in its sitemaps month by month, politely like the
    nightly crawl (a known article is never fetched again); stopped, it resumes where it was."""
    from flows.cli._common import progress_logging
    from flows.steps.backfill import backfill_source, parse_month

    first, last = parse_month(since, "--since"), parse_month(until, "--until") if until else None
    if last is not None and last < first:
        fail(f"--until {until} is before --since {since}", 2)
    settings = settings_for(config)
    (chosen,) = settings.select_sources([source])
    with progress_logging(console(file=sys.stderr)):
        summary = backfill_source(settings, chosen, first, last)
    rows = [summary.to_row()]
    emit(rows, fmt, columns=list(rows[0]), title=f"Backfill run {summary.run_id}")
    if fmt is Format.table:
        next_hint(console(), "campaigns --sort latest", config)
