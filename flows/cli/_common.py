"""What every ``campaigns`` command shares: the --config and --format options, settings, one-line
errors, the consoles, live progress on a terminal, ``Next:`` hints, and (from
:mod:`flows.cli._tables`) what they print: :func:`emit` for rows, the crawl summary, the one
year-over-year renderer (the demo's compact table and ``compare``'s full one).

Results go to standard output; progress, log lines and notes to standard error, so a pipe
gets only the rows. Nothing heavy here (no Prefect, no trafilatura, no DuckDB):
``campaigns --help`` loads this module.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from errors import PipelineError
from flows.cli._tables import (
    COMPACT,
    FULL,
    SUMMARY_FIELDS,
    Format,
    YoyStyle,
    cell_text,
    compact_table,
    emit,
    print_summary,
    print_table,
    print_yoy,
    summary_rows,
)
from flows.steps.progress import PROGRESS_LOGGER

__all__ = [
    "COMPACT",
    "FULL",
    "PROGRESS_LOGGER",
    "SUMMARY_FIELDS",
    "ConfigOption",
    "DaskAddressOption",
    "DaskWorkersOption",
    "Format",
    "FormatOption",
    "ProgressTracker",
    "TaskRunner",
    "TaskRunnerOption",
    "YoyStyle",
    "cell_text",
    "compact_table",
    "console",
    "emit",
    "fail",
    "next_hint",
    "one_line_errors",
    "print_summary",
    "print_table",
    "print_yoy",
    "progress_logging",
    "refuse_folder",
    "settings_for",
    "summary_rows",
]


P = ParamSpec("P")
R = TypeVar("R")


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML config ([storage], [crawl], [[sources]]); default $CAMPAIGNS_CONFIG, else ./campaigns.toml if present.",
        show_default=False,
    ),
]

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table (for people), csv, json or markdown (for programs).")
]


class TaskRunner(StrEnum):
    thread = "thread"
    dask = "dask"


#: Where a flow's tasks run (``crawl``, ``reextract``): flags over the config's task_runner keys.
TaskRunnerOption = Annotated[
    TaskRunner | None, typer.Option("--task-runner", help="Where tasks run (default from config).")
]
DaskAddressOption = Annotated[
    str | None, typer.Option("--dask-address", help="Scheduler of an existing Dask cluster.")
]
DaskWorkersOption = Annotated[
    int | None, typer.Option("--dask-workers", min=1, help="Workers of a local Dask cluster.")
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one readable line on stderr and exit non-zero (2: a bad argument)."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors (and a few obvious OS ones) into one line and exit 1, never a trace; Ctrl-C 130."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            fail(str(exc))
        except FileNotFoundError as exc:
            fail(f"no such file: {exc.filename}")
        except IsADirectoryError as exc:
            fail(f"{exc.filename} is a folder, not a file")
        except PermissionError as exc:
            fail(f"permission denied: {exc.filename}")
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


def settings_for(config: Path | None, **overrides: Any) -> Any:
    """Build the settings (CLI flag > env > config file > defaults); returns ``flows.config.Settings``."""
    from flows.config import load_settings

    return load_settings(config, **overrides)


def console(file: Any = None, width: int | None = None, *, stderr: bool = False) -> Console:
    """A console that prints text as written (no highlighting, long lines left to the terminal to
    wrap: never cut or broken through a pipe); ``stderr=True`` for progress and notes."""
    return Console(highlight=False, file=file, width=width, stderr=stderr, soft_wrap=True)


def next_hint(out: Console, command: str, config: Path | None = None) -> None:
    """``Next: campaigns <command>`` (with the --config given, so it works as printed)."""
    where = f" --config {config}" if config is not None else ""
    out.print(Text(f"Next: campaigns {command}{where}"))


class ProgressTracker:
    """The state of long work from the pipeline's progress events, as one status line.

    Events (dicts): ``{"stage": "plan", "hosts": {host: n}, "delay": s}`` (pages about to be
    fetched), ``{"stage": "fetch", "host": h}`` (one page done), ``{"stage": "reextract" |
    "export", "done": n, "total": m, "what": ...}``. A fetch's time left comes from the
    politeness delay: each host fetches one page per ``delay`` seconds at best (or slower,
    as measured), the hosts side by side.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.planned: dict[str, int] = {}
        self.fetched: dict[str, int] = {}
        self.delay = 0.0
        self._since: dict[str, float] = {}
        self._stage: dict[str, Any] = {}
        self._base = (clock(), 0)  # (time, done) when the current stage was first heard of

    def update(self, event: Mapping[str, Any]) -> str:
        stage = event.get("stage")
        now = self._clock()
        if stage == "plan":
            for host, n in (event.get("hosts") or {}).items():
                self.planned[host] = self.planned.get(host, 0) + int(n)
                self._since.setdefault(host, now)
            self.delay = float(event.get("delay") or self.delay)
            self._stage = {}
        elif stage == "fetch":  # a page of a listing or feed was not planned: not counted
            host = str(event.get("host"))
            if host in self.planned:
                self.fetched[host] = self.fetched.get(host, 0) + 1
        elif stage is not None:
            if stage != self._stage.get("stage"):  # the pace is measured from the stage's first event
                self._base = (now, int(event.get("done") or 0))
            self._stage = dict(event)
        return self.status(now)

    def status(self, now: float | None = None) -> str:
        now = self._clock() if now is None else now
        if self._stage:
            return self._stage_status(now)
        if not self.planned:
            return "working…"
        done, total = sum(self.fetched.values()), sum(self.planned.values())
        hosts = ", ".join(f"{h} {self.fetched.get(h, 0)}/{n}" for h, n in self.planned.items())
        left = 0.0
        for host, n in self.planned.items():
            got = self.fetched.get(host, 0)
            pace = max(self.delay, (now - self._since[host]) / got if got else self.delay)
            left = max(left, (n - got) * pace)
        return f"fetched {done} of {total} pages ({hosts}){_eta(left if done < total else 0)}"

    def _stage_status(self, now: float) -> str:
        e = self._stage
        done, total = int(e.get("done") or 0), int(e.get("total") or 0)
        verb = {"reextract": "re-extracted", "export": "exported"}.get(
            str(e.get("stage")), str(e.get("stage"))
        )
        what = f" {e['what']}" if e.get("what") else ""
        since, done_then = self._base
        left = (now - since) / (done - done_then) * (total - done) if done > done_then else 0.0
        return f"{verb} {done} of {total}{what}{_eta(left)}"


def _eta(seconds: float) -> str:
    if seconds <= 0:
        return ""
    if seconds < 90:
        return f", about {seconds:.0f} s left"
    if seconds < 5400:
        return f", about {seconds / 60:.0f} min left"
    return f", about {seconds / 3600:.1f} h left"


@contextmanager
def progress_logging(out: Console) -> Iterator[ProgressTracker]:
    """While active, the pipeline's log lines (logger ``campaigns``, INFO and up) print on ``out``
    (standard error, so a pipe gets only the results) and, when ``out`` is a terminal, a live
    status line shows the progress events (pages fetched of planned per host and the time
    left, pages re-extracted, tables exported)."""
    tracker = ProgressTracker()
    live = out.status("working…", spinner="dots") if out.is_terminal else None

    class _ToConsole(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            event = getattr(record, "progress", None)
            if isinstance(event, Mapping):
                text = tracker.update(event)
                if live is not None:
                    live.update(text)
                return
            if record.levelno < logging.INFO:
                return
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            out.print(Text.assemble((stamp, "dim"), " ", record.getMessage()))

    logger, events = logging.getLogger("campaigns"), logging.getLogger(PROGRESS_LOGGER)
    handler = _ToConsole(logging.DEBUG)
    saved = logger.level, logger.propagate, events.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    events.setLevel(logging.DEBUG)
    logger.propagate = False  # Prefect's root console handler would print every line again
    try:
        if live is None:
            yield tracker
        else:
            with live:
                yield tracker
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        events.setLevel(saved[2])


def refuse_folder(output: Path | None, flag: str = "--output") -> None:
    if output is not None and output.is_dir():
        fail(f"{flag} {output} is a folder; give a file name", code=2)
