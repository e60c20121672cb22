"""``campaigns audit``: extraction held against the saved fixtures (and the archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows._cli_common import ConfigOption, fail, one_line_errors, settings_for

__all__ = ["register"]

_DEFAULT_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("report")(report)


@one_line_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="Only this campaign key (default: all).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a self-contained HTML report: charts, year-over-year tables, every quote, crawl health."""
    from flows.report import render_report
    from warehouse.db import connect
    from warehouse.report_data import campaign_reports, crawl_health

    settings = settings_for(config)
    con = connect(settings.storage.database, read_only=True)
    try:
        camps = campaign_reports(con, campaign)
        health = crawl_health(con)
    finally:
        con.close()
    if campaign is not None and not camps:
        fail(f"no campaign with key {campaign!r} (see `campaigns campaigns`)")
    out.write_text(render_report(camps, health), encoding="utf-8")
    typer.echo(f"wrote {out} ({len(camps)} campaigns)")


@one_line_errors
def audit(
    fixtures: Annotated[
        Path, typer.Option("--fixtures", help="Folder of <site>/<slug>.html + .expected.json.")
    ] = _DEFAULT_FIXTURES,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite expected files and the baseline of floors.")
    ] = False,
    diffs: Annotated[int, typer.Option("--diffs", help="Show at most this many fixture diffs.")] = 20,
    config: ConfigOption = None,
) -> None:
    """Re-extract every fixture; print a scorecard and diffs; exit 1 below a pinned floor."""
    from rich.console import Console
    from rich.table import Table

    from flows.audit import audit_fixtures, render_diff

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
