"""What the commands print: rows for people and for programs (:func:`emit`), the crawl summary,
and the one year-over-year renderer (the demo's compact table and ``compare``'s full one).

Every value is text, never Rich markup (a page title holding ``[red]`` or ``[/]`` prints as
written). Nothing is ever cut: through a pipe a table is as wide as it needs; on a terminal
too narrow for it, a table changes layout (years as columns, then one block per year or per
row) instead of folding numbers or ending cells in "…". The year-over-year column sets come
from the kinds table (:mod:`extractors.kinds`). Nothing heavy here: ``campaigns --help``
loads this module.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from extractors.kinds import HEADLINE_KINDS, YOY_KINDS, short_label

__all__ = [
    "COMPACT",
    "FULL",
    "SUMMARY_FIELDS",
    "Format",
    "YoyStyle",
    "cell_text",
    "compact_table",
    "emit",
    "print_summary",
    "print_table",
    "print_yoy",
    "summary_rows",
]


class Format(StrEnum):
    """How a command prints its rows: a table for people; csv, json or markdown for programs."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


def cell_text(value: Any) -> str:
    """A value as one cell of text: lists joined with "; ", None empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(cell_text(v) for v in value)
    return str(value)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    file: IO[str] | None = None,
) -> None:
    """Print ``rows`` (dicts with the same keys) as ``fmt`` on ``file`` (default: standard output).

    ``table``: values are text, never markup, and never cut: through a pipe the table is
    as wide as it needs; on a terminal too narrow for it, each row prints as a block of
    ``column  value`` lines. Columns of numbers are right-aligned. ``json``: one document,
    a list of objects with the keys in ``columns`` order (lists stay lists). ``csv``: a
    header, then one line per row (lists joined with "; "). ``markdown``: a pipe table.
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
        writer.writerows([[cell_text(r.get(c)) for c in cols] for r in rows])
    elif fmt is Format.markdown:
        cell = lambda v: cell_text(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
        out.write("| " + " | ".join(cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n")
        out.writelines("| " + " | ".join(cell(r.get(c)) for c in cols) + " |\n" for r in rows)
    else:
        table = Table()
        for c in cols:
            numeric = bool(rows) and all(isinstance(r.get(c), int | float | type(None)) for r in rows)
            table.add_column(Text(c), overflow="fold", justify="right" if numeric else "left")
        for r in rows:
            table.add_row(*(Text(cell_text(r.get(c))) for c in cols))
        if title:
            out.write(title + "\n")
        print_table(table, out, stacked=lambda: _stacked_rows(rows, cols))


def print_table(table: Table, file: IO[str] | None = None, *, stacked: Any = None) -> None:
    """Print a Rich table whole: as wide as it needs through a pipe; on a terminal, folded to its
    width, or, when ``stacked`` (a function returning another renderable) is given and the
    table does not fit, that instead."""
    _print_fitting(file or sys.stdout, [table] + ([stacked] if stacked else []))


def _print_fitting(out: IO[str] | Console, layouts: Sequence[Any]) -> None:
    """Print the first layout that fits the terminal (the last one when none does); through a
    pipe the first, as wide as it needs. A layout is a renderable or a function making one."""
    target = out if isinstance(out, Console) else Console(file=out, highlight=False)
    first = layouts[0]() if callable(layouts[0]) else layouts[0]
    if not target.is_terminal:
        saved = target.width
        target.width = max(_natural_width(first), 20)
        try:
            target.print(first, soft_wrap=False)
        finally:
            target.width = saved
        return
    chosen = first
    for layout in layouts:
        chosen = layout() if callable(layout) else layout
        if _natural_width(chosen) <= target.width:
            break
    target.print(chosen, soft_wrap=False)


def _natural_width(renderable: RenderableType) -> int:
    return Console(width=100_000, file=io.StringIO()).measure(renderable).maximum


def _stacked_rows(rows: Sequence[Mapping[str, Any]], cols: Sequence[str]) -> Table:
    """One block per row: each column's name beside its value (a terminal too narrow for the table)."""
    grid = Table(box=None, show_header=False, pad_edge=False)
    grid.add_column(overflow="fold", style="bold")
    grid.add_column(overflow="fold")
    for i, r in enumerate(rows):
        if i:
            grid.add_row("", "")
        for c in cols:
            grid.add_row(Text(c), Text(cell_text(r.get(c))))
    return grid


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
#: The keys of each row of ``crawl --format csv|markdown`` (one per source, then "total").
SUMMARY_FIELDS = (
    "source", "discovered", "planned", "fetched", "unchanged", "failed", "deferred", "irrelevant",
    "articles", "loaded", "figures", "extraction_errors", "new_campaign_years", "error",
)  # fmt: skip


def summary_rows(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The crawl summary's rows: one per source, then the total; failures as "n reason" text."""
    out = []
    for row in [*summary.get("sources", []), {**summary.get("totals", {}), "source": "total"}]:
        flat = {k: row.get(k) for k in SUMMARY_FIELDS}
        flat["failed"] = sum((row.get("failed") or {}).values())
        flat["new_campaign_years"] = [f"{k} {y}" for k, y in row.get("new_campaign_years") or ()]
        out.append(flat)
    return out


def print_summary(out: Console, summary: Mapping[str, Any], fmt: Format = Format.table) -> None:
    """The run summary: one row per source and the total, then failure reasons and new campaign-years.

    ``json`` prints the summary itself (one document); ``csv``/``markdown`` its rows.
    """
    if fmt is Format.json:
        out.file.write(json.dumps(summary, ensure_ascii=False, default=str, indent=1) + "\n")
        return
    if fmt is not Format.table:
        emit(summary_rows(summary), fmt, columns=SUMMARY_FIELDS, file=out.file)
        return
    title = f"Crawl run {summary.get('run_id') or ''}".strip()
    table = compact_table(out, title)
    for key, heading in _SUMMARY_COLUMNS:
        table.add_column(heading, justify="left" if key == "source" else "right", no_wrap=key == "source")
    rows = summary_rows(summary)
    for row in rows:
        table.add_row(
            *(Text(cell_text(row.get(k))) for k, _ in _SUMMARY_COLUMNS),
            style="bold" if row["source"] == "total" else None,
        )
    heads = [h for _, h in _SUMMARY_COLUMNS]
    _print_fitting(
        out,
        [
            table,
            lambda: _stacked_rows(
                [dict(zip(heads, (r[k] for k, _ in _SUMMARY_COLUMNS), strict=True)) for r in rows], heads
            ),
        ],
    )
    totals = summary.get("totals", {})
    notes = [f"{n} {why}" for why, n in sorted((totals.get("failed") or {}).items())]
    if totals.get("deferred"):
        notes.append(f"{totals['deferred']} deferred (tried again next run)")
    if notes:
        out.print(Text("Not fetched: " + ", ".join(notes)))
    left = sorted((totals.get("not_stored") or {}).items(), key=lambda item: (-item[1], item[0]))
    if left:  # article links found and not stored, each with its reason
        out.print(Text("Not stored: " + ", ".join(f"{n} {why}" for why, n in left)))
    years: dict[str, list[str]] = {}
    for key, year in totals.get("new_campaign_years") or []:
        years.setdefault(key, []).append(str(year))
    out.print(
        Text("New campaign-years: " + ("; ".join(f"{k} {', '.join(y)}" for k, y in years.items()) or "none"))
    )
    for name, error in (summary.get("sources_failed") or {}).items():
        out.print(Text(f"source {name} failed: {error}", style="red"))


def compact_table(out: Console, title: str) -> Table:
    """A table that fits 80 columns (a header rule, no edge, one space between columns), its title printed."""
    out.print()
    out.print(Text(title, style="bold"))
    return _compact()


def _compact() -> Table:
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)


@dataclass(frozen=True, slots=True)
class YoyStyle:
    """How a year-over-year table looks: which kinds, which change columns, how compact."""

    kinds: tuple[str, ...]  # candidates, in order; a kind with no value in any year is left out
    change_for: tuple[str, ...] | None  # kinds with a "vs prev" column (None: every kind)
    articles: bool  # an articles column (and, when any, inferred organisers and names as written)
    compact: bool  # short labels, the compact table of the demo


#: The demo's table: the headline kinds, a change column for the first only, short labels.
COMPACT = YoyStyle(HEADLINE_KINDS, HEADLINE_KINDS[:1], articles=False, compact=True)
#: ``campaigns compare``: every year-over-year kind that has a value, each with its change.
FULL = YoyStyle(YOY_KINDS, None, articles=True, compact=False)


@dataclass(frozen=True, slots=True)
class _Column:
    head: str  # "blood\ntarget"
    cells: tuple[str, ...]  # one per year
    label: str = ""  # on one line, where the column stands alone: "blood vs prev year"

    @property
    def line(self) -> str:
        return self.label or self.head.replace("\n", " ")


def print_yoy(out: Console, title: str, rows: Sequence[Mapping[str, Any]], style: YoyStyle) -> None:
    """One organiser's years: target and achieved per kind, the change vs the previous year.

    Years as rows when it fits (always through a pipe); on a narrower terminal years as
    columns, then one block per year.
    """
    cols = _yoy_columns(rows, style)
    conflicted = any(cell.endswith("*") for c in cols for cell in c.cells)
    out.print()
    out.print(Text(title, style="bold"))
    _print_fitting(
        out,
        [
            lambda: _years_as_rows(cols, style),
            lambda: _years_as_columns(rows, cols),
            lambda: _year_blocks(rows, cols),
        ],
    )
    if conflicted:
        out.print(
            Text("* the sources disagree on this value (see the view campaign_year_summary)", style="dim")
        )


def _yoy_columns(rows: Sequence[Mapping[str, Any]], style: YoyStyle) -> list[_Column]:
    kinds = [
        k
        for k in style.kinds
        if any(r.get(f"{k}_target") is not None or r.get(f"{k}_achieved") is not None for r in rows)
        or (style.compact and k in HEADLINE_KINDS)
    ]
    cols = [_Column("year", tuple(str(r["year"]) for r in rows))]
    if style.articles:
        cols.append(_Column("articles", tuple(str(r.get("articles", "")) for r in rows)))
        if any(r.get("inferred_articles") for r in rows):
            cols.append(
                _Column("organiser\ninferred", tuple(str(r.get("inferred_articles") or "") for r in rows))
            )
        written = [[w for w in r.get("organizers_as_written") or () if w != r.get("organizer")] for r in rows]
        if any(written):
            cols.append(_Column("articles\nsay", tuple(", ".join(w) for w in written)))
    for k in kinds:
        name = short_label(k) if style.compact else k.replace("_", " ")
        for role in ("target", "achieved"):
            cells = []
            for r in rows:
                mark = "*" if f"{k}/{role}" in r.get("conflicts", ()) else ""
                cells.append(_number(r.get(f"{k}_{role}")) + mark)
            cols.append(_Column(f"{name}\n{role}", tuple(cells)))
        if style.change_for is None or k in style.change_for:
            changes = [r.get(f"{k}_achieved_change_pct") for r in rows]
            cells = ["" if c is None else f"{c:+.1f}" + ("%" if style.compact else "") for c in changes]
            head = "vs prev\nyear" if style.compact else "vs prev\n%"
            cols.append(_Column(head, tuple(cells), f"{name} {head.replace(chr(10), ' ')}"))
    return cols


def _years_as_rows(cols: Sequence[_Column], style: YoyStyle) -> Table:
    table = _compact() if style.compact else Table()
    for i, c in enumerate(cols):
        table.add_column(Text(c.head), justify="left" if i == 0 else "right", overflow="fold")
    for cells in zip(*(c.cells for c in cols), strict=True):
        table.add_row(*(Text(v) for v in cells))
    return table


def _years_as_columns(rows: Sequence[Mapping[str, Any]], cols: Sequence[_Column]) -> Table:
    """Kinds as rows, years as columns: what fits a narrow terminal for a few years."""
    table = _compact()
    table.add_column("")
    for year in cols[0].cells:
        table.add_column(Text(year), justify="right", overflow="fold")
    for c in cols[1:]:
        table.add_row(Text(c.line), *(Text(v) for v in c.cells))
    return table


def _year_blocks(rows: Sequence[Mapping[str, Any]], cols: Sequence[_Column]) -> Table:
    """One block per year, a line per column: what fits any terminal."""
    grid = Table(box=None, show_header=False, pad_edge=False)
    grid.add_column(overflow="fold")
    grid.add_column(justify="right", overflow="fold")
    for i, year in enumerate(cols[0].cells):
        grid.add_row(Text(year, style="bold"), "")
        for c in cols[1:]:
            if c.cells[i]:
                grid.add_row(Text("  " + c.line), Text(c.cells[i]))
    return grid


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
