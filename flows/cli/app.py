"""The ``campaigns`` command line.

Module level imports only what ``campaigns --help`` needs (typer, our error tree):
Prefect, trafilatura, DuckDB and the crawler load inside the commands that use them.
Every failure prints one line (``error: ...``) on stderr and exits non-zero; bad
arguments exit 2, failures 1, Ctrl-C 130.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flows.cli import archive as archive_cli
from flows.cli import audit as audit_cli
from flows.cli import warehouse as warehouse_cli
from flows.cli._common import ConfigOption, fail, one_line_errors, settings_for

if TYPE_CHECKING:
    from extractors.record import ArticleRecord

__all__ = ["app", "main"]

app = typer.Typer(
    name="campaigns",
    help="Crawl Vietnamese police and community news, archive it as WARC, keep campaign figures in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: "[storage]" in a help text stays as written
)


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


class TaskRunner(StrEnum):
    thread = "thread"
    dask = "dask"


@app.command()
@one_line_errors
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where the demo writes its warehouse, WARC files and config.")
    ] = Path("demo-data"),
    fixtures: Annotated[
        Path | None, typer.Option("--fixtures", help="Fixture folder to serve (default: the project's).")
    ] = None,
) -> None:
    """Serve the local demo news sites, crawl them with the nightly flow, print the year-over-year table."""
    from flows.demo.site import DEMO_CAMPAIGN_KEY, FIXTURES_DIR, run_demo

    out = _console()
    with _progress_logging(out):
        result = run_demo(
            data_dir, fixtures=fixtures or FIXTURES_DIR, say=lambda m: out.print(m, markup=False)
        )
    _print_summary(out, result.summary)
    _print_yoy(out, result.database, DEMO_CAMPAIGN_KEY)
    out.print(f"\nWarehouse:  {result.database}\nWARC files: {result.archive}/\nConfig:     {result.config}")
    out.print(f"Next: campaigns compare {DEMO_CAMPAIGN_KEY} --config {result.config}")


@app.command()
@one_line_errors
def crawl(
    config: ConfigOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch known articles again.")] = False,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Crawl only this source (repeatable).")
    ] = None,
    task_runner: Annotated[
        TaskRunner | None, typer.Option("--task-runner", help="Where tasks run (default from config).")
    ] = None,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="Scheduler of an existing Dask cluster.")
    ] = None,
    dask_workers: Annotated[
        int | None, typer.Option("--dask-workers", min=1, help="Workers of a local Dask cluster.")
    ] = None,
) -> None:
    """Run the nightly crawl now: discover, fetch, archive, extract and load every source."""
    from flows.orchestration.prefect_env import configure_prefect
    from flows.steps.crawl import resolve_sources, settings_payload

    settings = settings_for(
        config,
        crawl={"refresh": True if refresh else None},
        task_runner=task_runner.value if task_runner else None,
        dask_address=dask_address,
        dask_workers=dask_workers,
    )
    names = resolve_sources(settings, source or ())
    out = _console()
    out.print(configure_prefect(settings).describe())
    from flows.orchestration.flows import nightly_crawl

    with _progress_logging(out):
        summary = nightly_crawl(settings=settings_payload(settings), sources=[s.name for s in names])
    _print_summary(out, summary)
    if summary.get("sources_failed"):
        raise typer.Exit(1)


@app.command()
@one_line_errors
def extract(
    paths: Annotated[
        list[Path], typer.Argument(help="Saved article pages (HTML).", exists=True, dir_okay=False)
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="The page's URL (default: its canonical/og:url).")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="jsonl or table.")
    ] = OutputFormat.jsonl,
) -> None:
    """Extract the article record of saved pages: JSON Lines, or a table of figures with their quotes."""
    if url is not None and len(paths) > 1:
        fail("--url applies to one page; give one PATH or leave --url out", code=2)
    from errors import ExtractionError
    from extractors.content import page_url
    from extractors.extract import extract_article

    failed = 0
    for path in paths:
        html = path.read_bytes()
        try:
            record = extract_article(html, url if url is not None else page_url(html))
        except ExtractionError as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            failed += 1
            continue
        if output is OutputFormat.jsonl:
            typer.echo(json.dumps(record.to_dict(), ensure_ascii=False))
        else:
            _print_figures(path, record)
    if failed:
        raise typer.Exit(1)


def _print_figures(path: Path, record: ArticleRecord) -> None:
    from rich.table import Table

    camp = record.campaign
    title = f"{path.name}: {record.title or '(no title)'}"
    if camp is not None and camp.name:
        title += f"\n{camp.name} {camp.year or ''} ({camp.organizer or 'organiser unknown'})"
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in ("value", "kind", "role", "quote"):
        table.add_column(col, overflow="fold", justify="right" if col == "value" else "left")
    for f in record.figures:
        value = f"{f.value:,}" + (f"–{f.value_max:,}" if f.value_max is not None else "")
        value = (f"{f.approx} " if f.approx and f.approx != "range" else "") + value
        table.add_row(value, f.kind, f.role, f.quote)
    for h in record.hospitals:
        table.add_row("", "hospital", "", h.name)
    _console().print(table)


@app.command()
@one_line_errors
def schedule(
    config: ConfigOption = None,
    cron: Annotated[str, typer.Option("--cron", help="When the nightly crawl runs.")] = "0 2 * * *",
    timezone: Annotated[
        str, typer.Option("--timezone", help="Time zone of every cron.")
    ] = "Asia/Ho_Chi_Minh",
    audit_cron: Annotated[
        str, typer.Option("--audit-cron", help="When the weekly extraction audit runs.")
    ] = "30 3 * * 1",
    verify_cron: Annotated[
        str, typer.Option("--verify-cron", help="When the weekly archive verification runs.")
    ] = "0 4 * * 0",
) -> None:
    """Serve the deployments (nightly crawl, weekly audit and archive verify, re-extraction) until stopped."""
    from flows.orchestration.prefect_env import configure_prefect
    from flows.steps.crawl import settings_payload

    settings = settings_for(config)
    env = configure_prefect(settings)
    if env.ephemeral:
        fail(
            "schedule needs a running Prefect server: run `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    from flows.orchestration.flows import serve_deployments

    crons = {"cron": cron, "audit_cron": audit_cron, "verify_cron": verify_cron}
    typer.echo(f"{env.describe()}; serving crawl/audit/verify at {', '.join(crons.values())} ({timezone})")
    serve_deployments(settings_payload(settings), config=config, timezone=timezone, **crons)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


@contextmanager
def _progress_logging(console: Any) -> Iterator[None]:
    """While active, the pipeline's progress (logger ``campaigns``, INFO and up) prints on ``console``."""
    import logging
    import time

    from rich.text import Text

    class _ToConsole(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            console.print(Text.assemble((stamp, "dim"), " ", record.getMessage()))

    logger = logging.getLogger("campaigns")
    handler, level, propagate = _ToConsole(logging.INFO), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # Prefect's root console handler would print every line again
    try:
        with console.status("working…", spinner="dots"):
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _compact_table(console: Any, title: str) -> Any:
    """A table that fits 80 columns (a header rule, no edge, one space between columns), its title printed."""
    from rich import box
    from rich.table import Table

    console.print()
    console.print(title, style="bold", highlight=False)
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )


_SUMMARY_COLUMNS = (
    ("source", "source"),
    ("discovered", "found"),
    ("fetched", "fetched"),
    ("unchanged", "304"),
    ("failed", "failed"),
    ("irrelevant", "ignored"),
    ("articles", "articles"),
    ("figures", "figures"),
    ("extraction_errors", "errors"),
)


def _print_summary(console: Any, summary: dict[str, Any]) -> None:
    """The run summary: one row per source and the total, then failure reasons and new campaign-years."""
    title = f"Crawl run {summary.get('run_id') or ''}".strip()
    table = _compact_table(console, title)
    for key, label in _SUMMARY_COLUMNS:
        table.add_column(label, justify="left" if key == "source" else "right", no_wrap=key == "source")
    totals = {**summary.get("totals", {}), "source": "total"}
    for row in [*summary.get("sources", []), totals]:
        cells = [str(row.get(k, "")) for k, _ in _SUMMARY_COLUMNS]
        cells[4] = str(sum((row.get("failed") or {}).values()))
        table.add_row(*cells, style="bold" if row is totals else None)
    console.print(table)
    notes = [f"{n} {why}" for why, n in sorted((totals.get("failed") or {}).items())]
    if totals.get("deferred"):
        notes.append(f"{totals['deferred']} deferred (tried again next run)")
    if notes:
        console.print("Not fetched: " + ", ".join(notes))
    years: dict[str, list[str]] = {}
    for key, year in totals.get("new_campaign_years") or []:
        years.setdefault(key, []).append(str(year))
    console.print(
        "New campaign-years: " + ("; ".join(f"{k} {', '.join(y)}" for k, y in years.items()) or "none")
    )
    for name, error in (summary.get("sources_failed") or {}).items():
        console.print(f"source {name} failed: {error}", style="red", markup=False)


_YOY_COLUMNS = (
    ("blood\ntarget", "blood_units_target"),
    ("blood\nachieved", "blood_units_achieved"),
    ("vs prev\nyear", "blood_units_achieved_change_pct"),
    ("people\ntarget", "participants_target"),
    ("people\nachieved", "participants_achieved"),
    ("sites\ntarget", "sites_target"),
    ("sites\nachieved", "sites_achieved"),
)


def _print_yoy(console: Any, database: Path, key: str) -> None:
    """One campaign, years as rows: blood units (target, achieved, change), participants, sites."""
    from collections import Counter

    from warehouse.db import connect
    from warehouse.queries import campaign_yoy

    con = connect(database, read_only=True, allow_files=False)
    try:
        rows = campaign_yoy(con, key)
    finally:
        con.close()
    if not rows:
        console.print(f"No figures of campaign {key} in the warehouse.")
        return
    org = Counter(r["organizer"] for r in rows).most_common(1)[0][0]
    rows = [r for r in rows if r["organizer"] == org]
    name = next((r["name"] for r in reversed(rows) if r["name"]), key)
    title = f"{name} ({org}): year over year"
    table = _compact_table(console, title)
    table.add_column("year")
    for label, _ in _YOY_COLUMNS:
        table.add_column(label, justify="right")
    starred = False
    for r in rows:
        cells = [str(r["year"])]
        for _, col in _YOY_COLUMNS:
            value = r.get(col)
            if value is None:
                cells.append("")
            elif col.endswith("_pct"):
                cells.append(f"{value:+.1f}%")
            else:
                kind, role = col.rsplit("_", 1)
                star = f"{kind}/{role}" in r.get("conflicts", [])
                starred = starred or star
                cells.append(f"{value:,}" + ("*" if star else ""))
        table.add_row(*cells)
    console.print(table)
    if starred:
        console.print(
            "* the articles disagree on this value (see the view campaign_year_summary)", style="dim"
        )


for _module in (warehouse_cli, archive_cli, audit_cli):  # commands owned by the other modules of this package
    _module.register(app)


def _one_line(message: str) -> str:
    return " ".join(message.split()).replace("Value error, ", "")


def _click_errors() -> Any:
    """The click exception classes typer uses (typer ≥ 0.20 vendors click as ``typer._click``)."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:  # older typer: plain click
        return importlib.import_module("click.exceptions")


def main(argv: Sequence[str] | None = None) -> None:
    """Console script ``campaigns``: run the app, printing usage errors as one line."""
    errs = _click_errors()
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv: Any = command.main(args=args, prog_name="campaigns", standalone_mode=False)
    except errs.NoArgsIsHelpError:
        sys.exit(0)  # typer has printed the help
    except errs.UsageError as exc:
        where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
        typer.echo(f"error: {_one_line(exc.format_message())}{where}", err=True)
        sys.exit(exc.exit_code)
    except errs.ClickException as exc:
        typer.echo(f"error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
