"""``campaigns extract | reextract | audit``: extraction of saved pages, re-extraction of the
archive, and extraction held against the fixtures (and the archive)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from flows.cli._common import console, fail, one_line_errors

if TYPE_CHECKING:
    from extractors.record import ArticleRecord
from typing import Any

from flows.cli._common import ConfigOption, settings_for

__all__ = ["register"]


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
    app.command("reextract")(reextract)
    app.command("audit")(audit)


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
    from extractors.content import canonical_url
    from extractors.extract import extract_article

    failed = 0
    for path in paths:
        html = path.read_bytes()
        try:
            record = extract_article(html, url if url is not None else canonical_url(html))
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
    console().print(table)


@one_line_errors
def audit(
    fixtures: Annotated[
        Path | None,
        typer.Option(
            "--fixtures",
            help="Folder of <site>/<slug>.html + .expected.json (default: ./fixtures, else the project's).",
            show_default=False,
        ),
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite expected files and the baseline of floors.")
    ] = False,
    diffs: Annotated[int, typer.Option("--diffs", help="Show at most this many fixture diffs.")] = 20,
    archive: Annotated[
        bool,
        typer.Option(
            "--archive", help="Audit the archive instead: re-extract and compare with the warehouse."
        ),
    ] = False,
    site: Annotated[
        str | None, typer.Option("--site", help="With --archive: one source name or host.")
    ] = None,
    sample: Annotated[
        int, typer.Option("--sample", min=0, help="With --archive: pages to re-read (0 = all).")
    ] = 200,
    add: Annotated[
        str | None,
        typer.Option("--add", help="Turn an archived URL or a saved HTML file into a new fixture."),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="With --add FILE: the page's URL.")] = None,
    config: ConfigOption = None,
) -> None:
    """Re-extract every fixture; print a scorecard and diffs; exit 1 below a pinned floor.

    With --archive, re-read archived pages and report drift per site; with --add,
    write a new fixture whose expected file is a draft for a human to correct.
    """
    from rich.console import Console
    from rich.table import Table

    from flows.steps.audit import audit_fixtures, default_fixtures_dir, render_diff

    fixtures = fixtures or default_fixtures_dir()
    if add is not None:
        from flows.steps.audit_archive import add_fixture

        settings = settings_for(config) if add.startswith(("http://", "https://")) else None
        out = add_fixture(settings, add, fixtures, url=url)
        typer.echo(f"wrote {out} and {out.with_suffix('.expected.json').name}: correct the draft by hand")
        return
    if archive:
        _audit_archive(settings_for(config), site, sample or None)
        return
    if not fixtures.is_dir():
        fail(f"no fixtures folder: {fixtures}")
    result = audit_fixtures(fixtures, update=update)
    card = result.card
    console = Console()
    table = Table(title=f"Extraction audit: {result.pages} fixture pages")
    for col in ("field", "precision", "recall", "F1 / accuracy", "n"):
        table.add_column(col, justify="right" if col != "field" else "left")
    f = card.figures
    table.add_row(
        "figures (value+kind)", f"{f.precision:.3f}", f"{f.recall:.3f}", f"{f.f1:.3f}", str(f.tp + f.fn)
    )
    table.add_row("figure roles", "", "", f"{card.role_accuracy:.3f}", str(card.role_total))
    for kind, s in sorted(card.by_kind.items()):
        table.add_row(
            f"  kind {kind}", f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp + s.fn)
        )
    for role, s in sorted(card.by_role.items()):
        table.add_row(
            f"  role {role}", f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp + s.fn)
        )
    h = card.hospitals
    table.add_row("hospitals", f"{h.precision:.3f}", f"{h.recall:.3f}", f"{h.f1:.3f}", str(h.tp + h.fn))
    for name in sorted(card.total):
        table.add_row(name, "", "", f"{card.accuracy(name):.3f}", str(card.total[name]))
    console.print(table)
    for diff in card.diffs[:diffs]:
        console.print("\n".join(render_diff(diff)), markup=False, highlight=False)
    if len(card.diffs) > diffs:
        console.print(f"... and {len(card.diffs) - diffs} more fixtures with differences")
    if update:
        console.print("expected files and baseline rewritten: review the diff before committing")
    if result.failures:
        for line in result.failures:
            typer.echo(f"below floor: {line}", err=True)
        raise typer.Exit(1)


def _audit_archive(settings: Any, site: str | None, sample: int | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from flows.steps.audit_archive import audit_archive

    rows = audit_archive(settings, site=site, sample=sample)
    table = Table(title="Archive drift: current extractor vs the warehouse (same version)")
    for col in ("site", "pages", "failed", "stored figs", "figs now", "appeared", "vanished", "changed"):
        table.add_column(col, justify="left" if col == "site" else "right")
    for r in rows:
        table.add_row(
            r.site,
            *(
                str(v)
                for v in (
                    r.pages,
                    r.failed,
                    r.stored_figures,
                    r.figures_now,
                    r.appeared,
                    r.vanished,
                    r.changed,
                )
            ),
        )
    Console().print(table)
    warned = [r for r in rows if r.warning]
    for r in warned:
        typer.echo(f"warning: {r.site}: {r.warning}", err=True)
    if not rows:
        typer.echo("no archived articles of the current extractor version to compare", err=True)
    if warned:
        raise typer.Exit(1)


@one_line_errors
def reextract(
    config: ConfigOption = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Only this site (host), e.g. cand.com.vn.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only captures fetched on or after this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Re-extract archived articles with the current extractor (no network); print what changed per site."""
    from flows.steps.reextract import reextract as run
    from flows.steps.reextract_report import parse_since

    parse_since(since)  # a bad date fails before anything is opened
    settings = settings_for(config)
    report = run(settings, site=site, since=since)
    typer.echo(report.render())
    if report.captures and report.failed == report.captures:
        raise typer.Exit(1)
