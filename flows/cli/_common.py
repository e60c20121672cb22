"""What every ``campaigns`` command shares: the --config option, settings, one-line errors,
and what they print (the console, live progress lines, the crawl summary, the one
year-over-year renderer: the demo's compact table and ``compare``'s full one).

Nothing heavy here (no Prefect, no trafilatura, no DuckDB): ``campaigns --help`` loads this
module. The year-over-year column sets come from the kinds table (:mod:`extractors.kinds`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TextIO, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from errors import PipelineError
from extractors.kinds import HEADLINE_KINDS, YOY_KINDS, short_label

__all__ = [
    "COMPACT",
    "FULL",
    "ConfigOption",
    "Format",
    "FormatOption",
    "YoyStyle",
    "compact_table",
    "console",
    "emit",
    "fail",
    "one_line_errors",
    "print_summary",
    "print_table",
    "print_yoy",
    "progress_logging",
    "settings_for",
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


class Format(StrEnum):
    """How a command prints its rows: a table for people; csv, json or markdown for programs."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="table (for people), csv, json or markdown (for programs).")
]


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    file: TextIO | None = None,
) -> None:
    """Print ``rows`` (dicts with the same keys) as ``fmt`` on ``file`` (default: standard output).

    ``table``: values are text, never markup (a page title holding ``[red]`` prints as
    written), and never cut: on a terminal a long cell folds, through a pipe the table is
    as wide as it needs. ``json``: one document, a list of objects with the keys in
    ``columns`` order. ``csv``: a header, then one line per row. ``markdown``: a pipe table.
    """
    out = file or sys.stdout
    cols = list(columns or (rows[0].keys() if rows else ()))
    if fmt is Format.json:
        out.write(
            json.dumps([{c: r.get(c) for c in cols} for r in rows], ensure_ascii=False, default=str, indent=1)
        )
        out.write("\n")
    elif fmt is Format.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([["" if r.get(c) is None else r.get(c) for c in cols] for r in rows])
    elif fmt is Format.markdown:
        cell = lambda v: "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out.write("| " + " | ".join(cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n")
        out.writelines("| " + " | ".join(cell(r.get(c)) for c in cols) + " |\n" for r in rows)
    else:
        table = Table(title=Text(title) if title else None, title_justify="left")
        for c in cols:
            table.add_column(Text(c), overflow="fold")
        for r in rows:
            table.add_row(*(Text("" if r.get(c) is None else str(r.get(c))) for c in cols))
        print_table(table, out)


def print_table(table: Table, file: TextIO | None = None) -> None:
    """Print a Rich table whole: folded to the terminal's width, or as wide as it needs through a pipe."""
    out = file or sys.stdout
    if out.isatty():
        Console(file=out, highlight=False).print(table)
        return
    width = Console(width=100_000, file=io.StringIO()).measure(table).maximum
    Console(file=out, width=max(width, 20), highlight=False, soft_wrap=False).print(table)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one readable line on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors (and a few obvious OS ones) into one line and exit 1, never a trace."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            fail(str(exc))
        except FileNotFoundError as exc:
            fail(f"no such file: {exc.filename}")
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


def console(file: Any = None, width: int | None = None) -> Console:
    return Console(highlight=False, file=file, width=width)


@contextmanager
def progress_logging(out: Console) -> Iterator[None]:
    """While active, the pipeline's progress (logger ``campaigns``, INFO and up) prints on ``out``."""

    class _ToConsole(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            out.print(Text.assemble((stamp, "dim"), " ", record.getMessage()))

    logger = logging.getLogger("campaigns")
    handler, level, propagate = _ToConsole(logging.INFO), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # Prefect's root console handler would print every line again
    try:
        with out.status("working…", spinner="dots"):
            yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def compact_table(out: Console, title: str) -> Table:
    """A table that fits 80 columns (a header rule, no edge, one space between columns), its title printed."""
    out.print()
    out.print(title, style="bold", highlight=False)
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)


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


def print_summary(out: Console, summary: dict[str, Any]) -> None:
    """The run summary: one row per source and the total, then failure reasons and new campaign-years."""
    title = f"Crawl run {summary.get('run_id') or ''}".strip()
    table = compact_table(out, title)
    for key, heading in _SUMMARY_COLUMNS:
        table.add_column(heading, justify="left" if key == "source" else "right", no_wrap=key == "source")
    totals = {**summary.get("totals", {}), "source": "total"}
    for row in [*summary.get("sources", []), totals]:
        cells = [str(row.get(k, "")) for k, _ in _SUMMARY_COLUMNS]
        cells[4] = str(sum((row.get("failed") or {}).values()))
        table.add_row(*cells, style="bold" if row is totals else None)
    out.print(table)
    notes = [f"{n} {why}" for why, n in sorted((totals.get("failed") or {}).items())]
    if totals.get("deferred"):
        notes.append(f"{totals['deferred']} deferred (tried again next run)")
    if notes:
        out.print("Not fetched: " + ", ".join(notes))
    left = sorted((totals.get("not_stored") or {}).items(), key=lambda item: (-item[1], item[0]))
    if left:  # article links found and not stored, each with its reason
        out.print("Not stored: " + ", ".join(f"{n} {why}" for why, n in left), markup=False)
    years: dict[str, list[str]] = {}
    for key, year in totals.get("new_campaign_years") or []:
        years.setdefault(key, []).append(str(year))
    out.print("New campaign-years: " + ("; ".join(f"{k} {', '.join(y)}" for k, y in years.items()) or "none"))
    for name, error in (summary.get("sources_failed") or {}).items():
        out.print(f"source {name} failed: {error}", style="red", markup=False)


@dataclass(frozen=True, slots=True)
class YoyStyle:
    """How a year-over-year table looks: which kinds, which change columns, how compact."""

    kinds: tuple[str, ...]  # candidates, in order; a kind with no value in any year is left out
    change_for: tuple[str, ...] | None  # kinds with a "vs prev" column (None: every kind)
    articles: bool  # an articles column
    compact: bool  # short labels, the compact table of the demo


#: The demo's table: the headline kinds, a change column for the first only, short labels.
COMPACT = YoyStyle(HEADLINE_KINDS, HEADLINE_KINDS[:1], articles=False, compact=True)
#: ``campaigns compare``: every year-over-year kind that has a value, each with its change.
FULL = YoyStyle(YOY_KINDS, None, articles=True, compact=False)


def print_yoy(out: Console, title: str, rows: Sequence[dict[str, Any]], style: YoyStyle) -> None:
    """One organiser's years as rows: target and achieved per kind, the change vs the previous year."""
    kinds = [
        k
        for k in style.kinds
        if any(r.get(f"{k}_target") is not None or r.get(f"{k}_achieved") is not None for r in rows)
        or (style.compact and k in HEADLINE_KINDS)
    ]
    table = compact_table(out, title) if style.compact else Table(title=title, title_justify="left")
    table.add_column("year")
    if style.articles:
        table.add_column("articles", justify="right")
    for k in kinds:
        name = short_label(k) if style.compact else k.replace("_", " ")
        table.add_column(f"{name}\ntarget", justify="right")
        table.add_column(f"{name}\nachieved", justify="right")
        if style.change_for is None or k in style.change_for:
            table.add_column("vs prev\nyear" if style.compact else "vs prev\n%", justify="right")
    conflicted = False
    for r in rows:
        cells = [str(r["year"])] + ([str(r["articles"])] if style.articles else [])
        for k in kinds:
            for role in ("target", "achieved"):
                mark = "*" if f"{k}/{role}" in r.get("conflicts", ()) else ""
                conflicted = conflicted or bool(mark)
                cells.append(_number(r.get(f"{k}_{role}")) + mark)
            if style.change_for is None or k in style.change_for:
                change = r.get(f"{k}_achieved_change_pct")
                cells.append("" if change is None else f"{change:+.1f}" + ("%" if style.compact else ""))
        table.add_row(*cells)
    out.print(table)
    if conflicted:
        out.print("* the sources disagree on this value (see the view campaign_year_summary)", style="dim")


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
