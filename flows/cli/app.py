"""The ``campaigns`` command line: the app, ``main``, and the commands that run flows
(``demo``, ``crawl``, ``schedule``); the other commands register from their modules.

Module level imports only what ``campaigns --help`` needs (typer, rich, our error tree):
Prefect, trafilatura, DuckDB and the crawler load inside the commands that use them, and
Prefect only after :func:`configure_prefect` has written its environment (Prefect reads it
when first imported). Every failure prints one line (``error: ...``) on stderr and exits
non-zero; bad arguments exit 2, failures 1, Ctrl-C 130.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from flows.cli import archive, extraction, history, sources, sql, warehouse
from flows.cli._common import (
    COMPACT,
    ConfigOption,
    DaskAddressOption,
    DaskWorkersOption,
    Format,
    FormatOption,
    TaskRunnerOption,
    console,
    fail,
    next_hint,
    one_line_errors,
    print_summary,
    print_yoy,
    progress_logging,
    settings_for,
)

__all__ = ["app", "main"]


app = typer.Typer(
    name="campaigns",
    help="Crawl Vietnamese police and community news, archive it as WARC, keep campaign figures in DuckDB.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: "[storage]" in a help text stays as written
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"campaigns {version('campaign-archive')}")
        except PackageNotFoundError:  # running from a checkout that was never installed
            typer.echo("campaigns (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Crawl Vietnamese police and community news, archive it as WARC, keep campaign figures in DuckDB."""


VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Also print Prefect's own logs (they always go to the run history)."
    ),
]


@app.command()
@one_line_errors
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where the demo writes its warehouse, WARC files and config.")
    ] = Path("demo-data"),
    fixtures: Annotated[
        Path | None, typer.Option("--fixtures", help="Fixture folder to serve (default: the project's).")
    ] = None,
    verbose: VerboseOption = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Only serve the demo sites, on the ports of the last demo, until stopped (Ctrl-C, SIGTERM); "
            "DIR/campaigns.toml crawls them.",
        ),
    ] = False,
) -> None:
    """Serve the local demo news sites, crawl them with the nightly flow, print the year-over-year table.

    With --serve: only serve the sites (same ports as the demo before) until stopped, so that
    crawl, schedule and a worker can be tried against them with DIR/campaigns.toml.
    """
    from flows.demo.run import DEMO_CAMPAIGN_KEY, run_demo, serve_demo
    from flows.steps.audit import PROJECT_FIXTURES

    out, err = console(), console(stderr=True)
    say = lambda m: err.print(m, markup=False)  # noqa: E731
    if serve:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        serve_demo(data_dir, fixtures=fixtures or PROJECT_FIXTURES, say=say, stop=stop)
        err.print("stopped")
        return
    with progress_logging(err):
        result = run_demo(data_dir, fixtures=fixtures or PROJECT_FIXTURES, say=say, verbose=verbose)
    print_summary(out, result.summary)
    _print_campaign(out, result.database, DEMO_CAMPAIGN_KEY)
    out.print(
        f"\nWarehouse:  {result.database}\nWARC files: {result.archive}/\nConfig:     {result.config}",
        markup=False,
    )
    next_hint(out, f"compare {DEMO_CAMPAIGN_KEY}", result.config)


def _print_campaign(out: Console, database: Path, key: str) -> None:
    """The demo campaign's years, of its most reported organiser, in the compact table."""
    from collections import Counter

    from warehouse.db import connect
    from warehouse.queries import campaign_yoy

    con = connect(database, read_only=True, allow_files=False)
    try:
        rows = campaign_yoy(con, key)
    finally:
        con.close()
    if not rows:
        out.print(f"No figures of campaign {key} in the warehouse.")
        return
    org = Counter(r["organizer"] for r in rows).most_common(1)[0][0]
    rows = [r for r in rows if r["organizer"] == org]
    name = next((r["name"] for r in reversed(rows) if r["name"]), key)
    print_yoy(out, f"{name} ({org}): year over year", rows, COMPACT)


@app.command()
@one_line_errors
def crawl(
    config: ConfigOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch known articles again.")] = False,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Crawl only this source (repeatable).")
    ] = None,
    task_runner: TaskRunnerOption = None,
    dask_address: DaskAddressOption = None,
    dask_workers: DaskWorkersOption = None,
    fmt: FormatOption = Format.table,
    verbose: VerboseOption = False,
) -> None:
    """Run the nightly crawl now: discover, fetch, archive, extract and load every source.

    Progress and log lines go to standard error (a live status line on a terminal: pages
    fetched of planned per host, time left); the summary to standard output. Prefect's own
    logs go to the run history (with --verbose to standard error too). Exits 1 when a source
    failed, or when the run reached nothing (then the one error line says why).
    """
    from flows.orchestration.prefect_env import configure_prefect, prefect_server

    settings = settings_for(
        config,
        crawl={"refresh": True if refresh else None},
        task_runner=task_runner.value if task_runner else None,
        dask_address=dask_address,
        dask_workers=dask_workers,
    )
    chosen = settings.select_sources(source or ())
    out, err = console(), console(stderr=True)
    env = configure_prefect(settings, verbose=verbose)
    from flows.orchestration.flows import nightly_crawl, run_outcome

    with progress_logging(err), prefect_server(env) as running:
        err.print(running.describe(), markup=False)
        state = nightly_crawl(
            settings=settings.to_payload(), sources=[s.name for s in chosen], return_state=True
        )
        summary, failed_because = run_outcome(state)
    print_summary(out, summary, fmt)
    if failed_because:
        fail(f"the crawl failed: {failed_because}")
    if fmt is Format.table:
        new = summary.get("totals", {}).get("new_campaign_years") or []
        next_hint(out, f"compare {new[0][0]}" if new else "campaigns", config)
    if summary.get("sources_failed"):
        raise typer.Exit(1)


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
    verbose: VerboseOption = False,
) -> None:
    """Serve the deployments (nightly crawl, weekly audit and archive verify, re-extraction) until stopped.

    They are registered as nightly-served, weekly-served, weekly-verify-served and
    on-demand-served, beside (never over) the deployments of prefect.yaml; stopping pauses
    these four only.
    """
    from flows.config import config_path
    from flows.orchestration.prefect_env import configure_prefect, prefect_server

    settings = settings_for(config)
    env = configure_prefect(settings, verbose=verbose)
    if env.api_url is None:
        fail(
            "schedule needs a running Prefect server: start one (`prefect server start`, which listens at "
            f"{env.serve_url}) and point Prefect at it (`prefect config set PREFECT_API_URL={env.serve_url}` "
            "or export PREFECT_API_URL)"
        )
    from flows.orchestration.deployments import build_deployments, serve_deployments

    crons = {"cron": cron, "audit_cron": audit_cron, "verify_cron": verify_cron}
    deployments = build_deployments(
        settings.to_payload(), config=config_path(config), timezone=timezone, **crons
    )
    with prefect_server(env):
        typer.echo(env.describe())
        when = [*crons.values(), "by hand"]
        typer.echo(
            "serving "
            + ", ".join(f"{d.flow_name}/{d.name} ({w})" for d, w in zip(deployments, when, strict=True))
            + f", times in {timezone}; Ctrl-C or SIGTERM stops and pauses these four"
        )
        serve_deployments(deployments)


for _commands in (extraction, sql, warehouse, archive, history, sources):  # the commands of the other modules
    _commands.register(app)


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
    except errs.NoArgsIsHelpError as exc:  # `campaigns`, `campaigns archive`: the help, on stdout
        typer.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(0)
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
