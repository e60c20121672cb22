"""``campaigns extract | reextract | audit``: extraction of saved pages, re-extraction of the
archive, and extraction held against the fixtures (and the archive)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flows.cli._common import (
    ConfigOption,
    DaskAddressOption,
    DaskWorkersOption,
    Format,
    FormatOption,
    TaskRunnerOption,
    console,
    emit,
    fail,
    next_hint,
    one_line_errors,
    progress_logging,
    settings_for,
)

if TYPE_CHECKING:
    from extractors.record import ArticleRecord
    from extractors.scoring import Scorecard

__all__ = ["register"]


class ExtractFormat(StrEnum):
    jsonl = "jsonl"
    json = "json"
    table = "table"
    csv = "csv"
    markdown = "markdown"


#: ``extract --format table|csv|markdown``: one row per figure (and per hospital named).
FIGURE_FIELDS = ("file", "value", "value_max", "approx", "kind", "role", "quote")
#: ``audit --format csv|json|markdown``: one row per scored field.
SCORE_FIELDS = ("field", "precision", "recall", "f1", "n")
#: ``audit --archive --format ...``: one row per site.
DRIFT_FIELDS = ("site", "pages", "failed", "stored_figures", "figures_now", "appeared", "vanished", "changed")


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
    app.command("reextract")(reextract)
    app.command("audit")(audit)


def _check_size(path: Path, max_bytes: int) -> None:
    """The crawler's cap on a response (``[crawl] max_bytes``) holds for a saved page too."""
    from errors import ExtractionError

    size = path.stat().st_size
    if size > max_bytes:
        raise ExtractionError(
            f"{size:,} bytes, over the cap of {max_bytes:,} ([crawl] max_bytes, as for a fetched page)"
        )


@one_line_errors
def extract(
    paths: Annotated[
        list[Path], typer.Argument(help="Saved article pages (HTML).", exists=True, dir_okay=False)
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="The page's URL (default: its canonical/og:url).")
    ] = None,
    output: Annotated[
        ExtractFormat,
        typer.Option(
            "--format",
            "-f",
            help="jsonl (a record per line), json (one list), or a row per figure: table, csv, markdown.",
        ),
    ] = ExtractFormat.jsonl,
    config: ConfigOption = None,
) -> None:
    """Extract the article record of saved pages: JSON Lines, or a table of figures with their quotes.

    A page larger than [crawl] max_bytes (5 MB by default) is refused, as the crawler refuses it.
    """
    if url is not None and len(paths) > 1:
        fail("--url applies to one page; give one PATH or leave --url out", code=2)
    from errors import ExtractionError
    from extractors.content import canonical_url
    from extractors.extract import extract_article

    max_bytes = settings_for(config).crawl.max_bytes
    failed = 0
    records: list[tuple[Path, ArticleRecord]] = []
    for path in paths:
        try:
            _check_size(path, max_bytes)
            html = path.read_bytes()
            record = extract_article(html, url if url is not None else canonical_url(html))
        except ExtractionError as exc:
            typer.echo(f"error: {path}: {exc}", err=True)
            failed += 1
            continue
        if output is ExtractFormat.jsonl:
            typer.echo(json.dumps(record.to_dict(), ensure_ascii=False))
        elif output is ExtractFormat.table:
            emit(
                _figure_rows(path, record),
                Format.table,
                columns=FIGURE_FIELDS[1:],
                title=_title(path, record),
            )
        else:
            records.append((path, record))
    if output is ExtractFormat.json:
        typer.echo(json.dumps([r.to_dict() for _, r in records], ensure_ascii=False, indent=1))
    elif output in (ExtractFormat.csv, ExtractFormat.markdown):
        rows = [row for path, rec in records for row in _figure_rows(path, rec)]
        emit(rows, Format(output.value), columns=FIGURE_FIELDS)
    if failed:
        raise typer.Exit(1)


def _title(path: Path, record: ArticleRecord) -> str:
    camp = record.campaign
    title = f"{path.name}: {record.title or '(no title)'}"
    if camp is not None and camp.name:
        title += f"\n{camp.name} {camp.year or ''} ({camp.organizer or 'organiser unknown'})"
    return title


def _figure_rows(path: Path, record: ArticleRecord) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"file": str(path), "value": f.value, "value_max": f.value_max, "approx": f.approx, "kind": f.kind,
         "role": f.role, "quote": f.quote}
        for f in record.figures
    ]  # fmt: skip
    rows += [{"file": str(path), "kind": "hospital", "quote": h.name} for h in record.hospitals]
    return rows


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
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            help="Score a JSON Lines corpus of articles read by hand (../shared/realcorpus's shape) instead.",
            dir_okay=False,
        ),
    ] = None,
    floors: Annotated[
        Path | None,
        typer.Option(
            "--floors", help="With --corpus: the floors file (default: audit-baseline.json beside it)."
        ),
    ] = None,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Re-extract every fixture; print a scorecard and diffs; exit 1 below a pinned floor.

    With --corpus, score a corpus of hand-read article texts the same way (approx and
    value_max too) against its floors.

    With --archive, re-read archived pages and report drift per site; with --add,
    write a new fixture whose expected file is a draft for a human to correct.
    A folder without fixture pages fails: there is nothing to hold the extractor to.
    """
    from flows.steps.audit import audit_corpus, audit_fixtures, default_fixtures_dir, render_diff

    fixtures = fixtures or default_fixtures_dir()
    if add is not None:
        from flows.steps.audit_archive import add_fixture

        remote = add.startswith(("http://", "https://"))
        settings = settings_for(config)
        if not remote and Path(add).is_file():
            _check_size(Path(add), settings.crawl.max_bytes)
        page = add_fixture(settings if remote else None, add, fixtures, url=url)
        typer.echo(f"wrote {page} and {page.with_suffix('.expected.json').name}: correct the draft by hand")
        return
    if archive:
        _audit_archive(settings_for(config), site, sample or None, fmt)
        return
    if corpus is not None:
        if not corpus.is_file():
            fail(f"no corpus file: {corpus}", code=2)
        result = audit_corpus(corpus, floors=floors, update=update)
        if not result.pages:
            fail(f"no articles in {corpus} (one JSON object per line)")
        what = f"{result.pages} corpus articles"
    else:
        if not fixtures.is_dir():
            fail(f"no fixtures folder: {fixtures}")
        result = audit_fixtures(fixtures, update=update)
        if not result.pages:
            fail(f"no fixture pages in {fixtures} (expected <site>/<slug>.html beside <slug>.expected.json)")
        what = f"{result.pages} fixture pages"
    rows = _score_rows(result.card)
    if fmt is Format.json:
        doc = {"pages": result.pages, "scores": rows, "below_floor": list(result.failures),
               "fixtures_with_differences": len(result.card.diffs)}  # fmt: skip
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    elif fmt is not Format.table:
        emit(rows, fmt, columns=SCORE_FIELDS)
    else:
        shown = [{k: f"{v:.3f}" if isinstance(v, float) else v for k, v in r.items()} for r in rows]
        emit(shown, fmt, columns=SCORE_FIELDS, title=f"Extraction audit: {what}")
        term = console()
        for diff in result.card.diffs[:diffs]:
            term.print("\n".join(render_diff(diff)), markup=False, highlight=False)
        if len(result.card.diffs) > diffs:
            term.print(f"... and {len(result.card.diffs) - diffs} more fixtures with differences")
        if update:
            term.print("expected files and baseline rewritten: review the diff before committing")
    if result.failures:
        for line in result.failures:
            typer.echo(f"below floor: {line}", err=True)
        raise typer.Exit(1)


def _score_rows(card: Scorecard) -> list[dict[str, Any]]:
    """The scorecard as rows: field, precision, recall, F1 (or accuracy), how many expected."""

    def prf(field: str, s: Any) -> dict[str, Any]:
        return {"field": field, "precision": s.precision, "recall": s.recall, "f1": s.f1, "n": s.tp + s.fn}

    rows = [prf("figures (value+kind)", card.figures)]
    for field, value in (("figure roles", card.role_accuracy), ("figure approx", card.approx_accuracy),
                         ("figure value_max", card.value_max_accuracy)):  # fmt: skip
        rows.append({"field": field, "precision": None, "recall": None, "f1": value, "n": card.role_total})
    rows += [prf(f"  kind {kind}", s) for kind, s in sorted(card.by_kind.items())]
    rows += [prf(f"  role {role}", s) for role, s in sorted(card.by_role.items())]
    rows.append(prf("hospitals", card.hospitals))
    rows += [
        {"field": name, "precision": None, "recall": None, "f1": card.accuracy(name), "n": card.total[name]}
        for name in sorted(card.total)
    ]
    return rows


def _audit_archive(settings: Any, site: str | None, sample: int | None, fmt: Format) -> None:
    from flows.steps.audit_archive import audit_archive

    drift = audit_archive(settings, site=site, sample=sample)
    rows = [{k: getattr(r, k) for k in DRIFT_FIELDS} for r in drift]
    warned = [r for r in drift if r.warning]
    if fmt is Format.json:
        doc = {"sites": rows, "warnings": {r.site: r.warning for r in warned}}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        title = "Archive drift: current extractor vs the warehouse (same version)"
        emit(rows, fmt, columns=DRIFT_FIELDS, title=title if fmt is Format.table else None)
    for r in warned:
        typer.echo(f"warning: {r.site}: {r.warning}", err=True)
    if not drift:
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
    task_runner: TaskRunnerOption = None,
    dask_address: DaskAddressOption = None,
    dask_workers: DaskWorkersOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Re-extract archived articles with the current extractor (no network); print what changed per site.

    With --task-runner (or --dask-address / --dask-workers, or task_runner = "dask" in the
    config) the batches run as the Prefect re-extraction flow on that task runner, as
    `campaigns crawl` does; otherwise here, without Prefect.
    """
    from errors import ConfigError
    from flows.steps.reextract_report import SITE_FIELDS, parse_since
    from warehouse.db import require_database

    try:
        parse_since(since)  # a bad date fails before anything is opened
    except ConfigError as exc:
        fail(str(exc), code=2)
    runner = task_runner.value if task_runner else ("dask" if dask_address or dask_workers else None)
    settings = settings_for(config, task_runner=runner, dask_address=dask_address, dask_workers=dask_workers)
    flow = runner is not None or settings.task_runner == "dask"
    require_database(settings.database)  # before Prefect starts: a re-read never creates a warehouse
    err = console(stderr=True)
    with progress_logging(err):
        report = _run_flow(settings, site, since, err) if flow else _run_here(settings, site, since)
    if fmt is Format.json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    elif fmt is not Format.table:
        emit(report.rows(), fmt, columns=SITE_FIELDS)
    else:
        out = console()
        out.print(report.headline(), markup=False, highlight=False)
        if report.sites:
            emit(report.rows(), fmt, columns=SITE_FIELDS)
        for line in report.errors:
            out.print(f"failed: {line}", markup=False, highlight=False)
        if report.sites:
            next_hint(out, "campaigns --sort latest", config)
    if site and not report.captures:
        raise typer.Exit(1)  # --site named nothing in the archive
    if report.captures and report.failed == report.captures:
        raise typer.Exit(1)


def _run_here(settings: Any, site: str | None, since: str | None) -> Any:
    from flows.steps.reextract import reextract as run

    return run(settings, site=site, since=since)


def _run_flow(settings: Any, site: str | None, since: str | None, err: Any) -> Any:
    """The Prefect re-extraction flow, its batches on the settings' task runner; returns its report."""
    from flows.orchestration.prefect_env import configure_prefect, prefect_server
    from flows.steps.reextract_report import ReextractReport

    env = configure_prefect(settings)
    from flows.orchestration.maintenance import reextract_flow

    with prefect_server(env) as running:  # a configured server, or a temporary one that dies with us
        err.print(running.describe(), markup=False)
        return ReextractReport.from_dict(
            reextract_flow(settings=settings.to_payload(), site=site, since=since)
        )
