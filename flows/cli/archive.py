"""``campaigns archive verify|show|export-cdxj``: the WARC archive from the shell.

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
        help="The WARC archive: verify it, show a capture, export a CDXJ index.",
        no_args_is_help=True,
    )
    archive.command("verify")(verify)
    archive.command("show")(show)
    archive.command("export-cdxj")(export_cdxj)
    app.add_typer(archive, name="archive")


@one_line_errors
def verify(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="WARC files to check (default: the whole archive).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Check every gzip member, record and digest, and the files against the warehouse index."""
    from warehouse.warc.reader import verify as verify_archive

    settings = settings_for(config)
    index, note = _from_index(settings)
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
    typer.echo(
        f"{checked}; {note}; {len(report.problems)} problems" if report.problems else f"{checked}; {note}; ok"
    )
    if not report.ok:
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
    """Write a sorted pywb CDXJ index of every response and revisit in the WARC files."""
    from warehouse.warc.reader import export_cdxj as write_cdxj

    settings = settings_for(config)
    if not settings.archive.is_dir():
        fail(f"no archive folder: {settings.archive}")
    if output is None:
        count = write_cdxj(settings.archive, sys.stdout)
    else:
        with output.open("w", encoding="utf-8") as fh:
            count = write_cdxj(settings.archive, fh)
    typer.echo(f"{count} CDXJ lines" + (f" written to {output}" if output else ""), err=True)


def _from_index(settings: Settings, url: str | None = None) -> tuple[list[Capture] | None, str]:
    """Captures from the warehouse index (all, or those of ``url``); None when there is no usable warehouse."""
    from errors import WarehouseError

    if not settings.database.is_file():
        return None, "no warehouse, index not compared"
    from warehouse.archive_queries import all_captures, captures_for_url
    from warehouse.db import connect

    try:
        con = connect(settings.database, read_only=True, busy_timeout=2.0)
    except WarehouseError as exc:
        typer.echo(f"note: warehouse index not used: {exc}", err=True)
        return None, "index not compared"
    try:
        return (all_captures(con) if url is None else captures_for_url(con, url)), "index compared"
    finally:
        con.close()


def _stamp(cap: Capture) -> str:
    return re.sub(r"\D", "", cap.fetched_at)[:14]
