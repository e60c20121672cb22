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
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from flows.cli import archive, extraction, history, sources, warehouse
from flows.cli._common import (
    COMPACT,
    ConfigOption,
    console,
    fail,
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
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: "[storage]" in a help text stays as written
)


VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Also print Prefect's own logs (they always go to the run history)."
    ),
]


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
    from flows.demo.site import DEMO_CAMPAIGN_KEY, run_demo, serve_demo
    from flows.steps.audit import PROJECT_FIXTURES

    out = console()
    say = lambda m: out.print(m, markup=False)  # noqa: E731
    if serve:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        serve_demo(data_dir, fixtures=fixtures or PROJECT_FIXTURES, say=say, stop=stop)
        out.print("stopped")
        return
    with progress_logging(out):
        result = run_demo(
            data_dir,
            fixtures=fixtures or PROJECT_FIXTURES,
            say=say,
            verbose=verbose,
        )
    print_summary(out, result.summary)
    _print_campaign(out, result.database, DEMO_CAMPAIGN_KEY)
    out.print(f"\nWarehouse:  {result.database}\nWARC files: {result.archive}/\nConfig:     {result.config}")
    out.print(f"Next: campaigns compare {DEMO_CAMPAIGN_KEY} --config {result.config}")


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
    task_runner: Annotated[
        TaskRunner | None, typer.Option("--task-runner", help="Where tasks run (default from config).")
    ] = None,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="Scheduler of an existing Dask cluster.")
    ] = None,
    dask_workers: Annotated[
        int | None, typer.Option("--dask-workers", min=1, help="Workers of a local Dask cluster.")
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Run the nightly crawl now: discover, fetch, archive, extract and load every source."""
    from flows.orchestration.prefect_env import configure_prefect, prefect_server

    settings = settings_for(
        config,
        crawl={"refresh": True if refresh else None},
        task_runner=task_runner.value if task_runner else None,
        dask_address=dask_address,
        dask_workers=dask_workers,
    )
    chosen = settings.select_sources(source or ())
    out = console()
    env = configure_prefect(settings, verbose=verbose)
    out.print(env.describe())
    from flows.orchestration.flows import nightly_crawl, run_outcome

    with prefect_server(env), progress_logging(out):
        state = nightly_crawl(
            settings=settings.to_payload(), sources=[s.name for s in chosen], return_state=True
        )
        summary, failed_because = run_outcome(state)
    print_summary(out, summary)
    if failed_because:
        fail(f"the crawl failed: {failed_because}")
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


for _commands in (extraction, warehouse, archive, history, sources):  # the commands of the other modules
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
