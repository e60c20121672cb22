"""``campaigns archive verify|show|export-cdxj|export-wacz``: the WARC archive from the shell.

Only typer and our own light modules load at import: warcio, DuckDB and the
extractors are imported inside the commands, so ``campaigns --help`` stays fast.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows.cli._common import ConfigOption, Format, FormatOption, emit, fail, one_line_errors, settings_for

if TYPE_CHECKING:
    from flows.config import Settings
    from warehouse.types import Capture

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    archive = typer.Typer(
        name="archive",
        help="The WARC archive: verify it, show a capture, export a CDXJ index or a WACZ package.",
        no_args_is_help=True,
    )
    archive.command("verify")(verify)
    archive.command("show")(show)
    archive.command("export-cdxj")(export_cdxj)
    archive.command("export-wacz")(export_wacz)
    app.add_typer(archive, name="archive")


@one_line_errors
def verify(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="WARC files to check (default: the whole archive).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for a warehouse another process holds.")
    ] = 30.0,
    fmt: FormatOption = Format.table,
) -> None:
    """Check every gzip member, record and digest, and the files against the warehouse index.

    A damaged member is reported with the byte range skipped, and the records after it are
    still checked. A warehouse that stays busy is an error (exit 1): the index was not compared.
    """
    from warehouse.warc.reader import verify as verify_archive

    settings = settings_for(config)
    index, note = _from_index(settings, wait=wait)
    report = verify_archive(settings.archive, index, paths or ())
    if fmt is not Format.table:  # json: one document; csv, markdown: a row per problem
        doc = {"archive": str(settings.archive), "records": report.records, "index": note,
               "ok": report.ok, "problems": list(report.problems)}  # fmt: skip
        if fmt is Format.json:
            typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
        else:
            emit([{"problem": p} for p in report.problems], fmt, columns=["problem"])
        if not report.ok:
            raise typer.Exit(1)
        return
    for problem in report.problems:
        typer.echo(f"problem: {problem}")
    checked = f"{report.records} records in {settings.archive}" + (f" ({len(paths)} files)" if paths else "")
    compared = index is not None or not settings.database.is_file()
    outcome = f"{len(report.problems)} problems" if report.problems else ("ok" if compared else "files ok")
    typer.echo(f"{checked}; {note}; {outcome}")
    if not report.ok or not compared:
        raise typer.Exit(1)


@one_line_errors
def show(
    url: Annotated[str, typer.Argument(help="The archived URL.")],
    config: ConfigOption = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Capture time, or its start: 20261125, 2026-11-25T19:00.")
    ] = None,
) -> None:
    """Print the archived response (status, headers, body) of the latest capture of URL, or the one --at."""
    from extractors.decode import decode_text, is_textual
    from warehouse.warc.reader import iter_captures, read_response

    settings = settings_for(config)
    index, _ = _from_index(settings, url)
    if index is None and settings.archive.is_dir():  # no warehouse: read the files
        index = [c for c in iter_captures(settings.archive) if c.url == url]
    found = sorted(index or (), key=lambda c: (c.fetched_at, c.capture_id))
    if not found:
        fail(f"{url} is not in the archive")
    chosen = found[-1]
    if at is not None:
        prefix = re.sub(r"\D", "", at)
        matching = [c for c in found if _stamp(c).startswith(prefix)] if prefix else []
        if not matching:
            fail(f"no capture of {url} at {at}; captures: {', '.join(_stamp(c) for c in found[-10:])}")
        chosen = matching[-1]
    resp = read_response(settings.archive, chosen)
    typer.echo(
        f"# {chosen.record_type} {chosen.capture_id} {chosen.fetched_at} {chosen.warc_file}@{chosen.offset}"
        + (f" (payload from {resp.payload_from})" if resp.payload_from else ""),
        err=True,
    )
    typer.echo(f"{resp.http_version} {resp.status} {resp.reason}".rstrip())
    for name, value in resp.headers:
        typer.echo(f"{name}: {value}")
    typer.echo("")
    if resp.decode_error:
        typer.echo(f"# {resp.decode_error}", err=True)
    ctype = resp.header("content-type")
    if is_textual(ctype):
        typer.echo(decode_text(resp.body, ctype)[0])
    else:
        typer.echo(f"[{len(resp.body)} bytes of {ctype}]")


@one_line_errors
def export_cdxj(
    config: ConfigOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CDXJ file to write (default: standard output).")
    ] = None,
) -> None:
    """Write a sorted CDXJ index (pywb's, keyed as pywb and cdxj-indexer key URLs) of every response
    and revisit in the WARC files. A damaged member is named and skipped; the rest is indexed (exit 1)."""
    from warehouse.warc.reader import export_cdxj as write_cdxj

    settings = settings_for(config)
    if not settings.archive.is_dir():
        fail(f"no archive folder: {settings.archive}")
    damaged: list[str] = []
    if output is None:
        count = write_cdxj(settings.archive, sys.stdout, damaged=damaged)
    else:
        with output.open("w", encoding="utf-8") as fh:
            count = write_cdxj(settings.archive, fh, damaged=damaged)
    for problem in damaged:
        typer.echo(f"problem: {problem}", err=True)
    where = f" written to {output}" if output else ""
    typer.echo(
        f"{count} CDXJ lines{where}" + (f"; {len(damaged)} damaged ranges skipped" if damaged else ""),
        err=True,
    )
    if damaged:
        raise typer.Exit(1)


@one_line_errors
def export_wacz(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .wacz file to write.")],
    config: ConfigOption = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Only the WARC files holding this site's captures.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only the WARC files holding captures from this date (YYYY-MM-DD)."),
    ] = None,
) -> None:
    """Package the archive as one WACZ file: the WARC files as they are, the CDXJ index, and the
    articles as pages (URL, title, date), for ReplayWeb.page and pywb (`wb-manager add`)."""
    from flows.steps.archive import package_archive
    from flows.steps.reextract_report import parse_since

    start = parse_since(since)
    if output.suffix.lower() != ".wacz":
        fail(f"--output must name a .wacz file: {output}", 2)
    settings = settings_for(config)
    done = package_archive(settings, output, site=site, since=start)
    typer.echo(
        f"{done.path}: {done.warc_files} WARC files, {done.captures} captures, {done.pages} pages, "
        f"{done.bytes:,} bytes"
    )


def _from_index(
    settings: Settings, url: str | None = None, *, wait: float = 2.0
) -> tuple[list[Capture] | None, str]:
    """Captures from the warehouse index (all, or those of ``url``); None when there is no usable warehouse."""
    from errors import WarehouseError

    if not settings.database.is_file():
        return None, "no warehouse, index not compared"
    from warehouse.archive_queries import all_captures, captures_for_url
    from warehouse.db import connect

    try:
        con = connect(settings.database, read_only=True, busy_timeout=wait)
    except WarehouseError as exc:
        typer.echo(f"note: warehouse index not used: {exc}", err=True)
        return None, "index NOT compared (warehouse unavailable)"
    try:
        return (all_captures(con) if url is None else captures_for_url(con, url)), "index compared"
    finally:
        con.close()


def _stamp(cap: Capture) -> str:
    return re.sub(r"\D", "", cap.fetched_at)[:14]
