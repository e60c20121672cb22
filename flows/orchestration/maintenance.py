"""The flows that look after what the crawl stored: re-extraction, the extraction audit, the
archive verification (their deployments: :mod:`flows.orchestration.deployments`).

Import after :func:`flows.orchestration.prefect_env.configure_prefect`. Each flow publishes
its report as a markdown artifact and fails the run when the report says something is
wrong, so it shows in the UI and in notifications.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from errors import ArchiveError, PipelineError
from flows.config import Settings
from flows.orchestration.flows import as_task, retry_options, settings_of, task_runner_for
from flows.steps.archive import verify_archive
from flows.steps.audit import audit_fixtures, default_fixtures_dir
from flows.steps.audit_archive import audit_archive
from flows.steps.reextract import extract_batch, plan_reextract
from flows.steps.reextract_report import ReextractReport, parse_since

__all__ = ["audit_flow", "reextract_batches_flow", "reextract_flow", "verify_archive_flow"]


_REEXTRACT_MIN_BATCH, _REEXTRACT_MAX_BATCH = 25, 200


def _reextract_batch_size(captures: int, workers: int) -> int:
    """Coarse batches: about four per worker, 25–200 pages each (each task run costs the server ~34 ms)."""
    return max(_REEXTRACT_MIN_BATCH, min(_REEXTRACT_MAX_BATCH, -(-captures // (4 * max(workers, 1)))))


@flow(name="reextract-batches", validate_parameters=False)
def reextract_batches_flow(
    settings: Settings, site: str | None = None, since: str | None = None, batch_size: int = 0
) -> ReextractReport:
    """Extract the batches as tasks on this flow's task runner; load each, in order, here."""
    run = plan_reextract(settings, site=site, since=since)
    workers = settings.dask_workers or settings.max_workers
    size = batch_size or _reextract_batch_size(len(run.pages), workers)
    extract = as_task(extract_batch, "reextract-batch").with_options(**retry_options(settings))
    futures = [extract.submit(settings, batch) for batch in run.batches(size)]
    for future in futures:  # loads one batch while the workers extract the next ones
        run.load(future.result())
    return run.finish()


@flow(name="reextract", validate_parameters=False)
def reextract_flow(
    config: str | None = None,
    settings: dict[str, Any] | None = None,
    site: str | None = None,
    since: str | None = None,
    batch_size: int = 0,
) -> dict[str, Any]:
    """Re-extract archived articles with the current extractor (no network); publish what changed.

    The batches run on the settings' task runner (threads, or Dask processes: see
    :func:`flows.orchestration.flows.task_runner_for`); ``batch_size`` 0 picks coarse
    batches for the workers.
    """
    conf = settings_of(config, settings)
    parse_since(since)  # a bad date fails before anything starts
    with task_runner_for(conf) as runner:
        subflow = reextract_batches_flow.with_options(task_runner=runner)
        report: ReextractReport = subflow(conf, site, since, batch_size)
    create_markdown_artifact(
        f"# Re-extraction `{report.run_id}` (extractor {report.extractor_version})\n\n"
        f"{report.captures} captures, {report.loaded} articles new or changed, {report.failed} failed\n\n"
        + (f"```\n{report.render()}\n```\n" if report.sites else "Nothing to re-extract.\n"),
        key="reextract-report",
    )
    return report.to_dict()  # run_id, captures, loaded, failed, errors, sites, ...


@flow(name="audit", validate_parameters=False)
def audit_flow(
    config: str | None = None,
    settings: dict[str, Any] | None = None,
    fixtures: str | None = None,
    sample: int = 200,
) -> dict[str, Any]:
    """Score the extractor on the fixtures and re-read a sample of the archive; fail below a floor."""
    conf = settings_of(config, settings)
    folder = Path(fixtures) if fixtures else default_fixtures_dir()
    result = as_task(audit_fixtures, "audit-fixtures")(folder)
    drift = []
    if Path(conf.database).is_file():
        drift = as_task(audit_archive, "audit-archive")(conf, sample=sample or None)
    metrics = result.card.metrics()
    rows = [{"metric": k, "value": round(v, 4)} for k, v in sorted(metrics.items())]
    warnings = [f"{d.site}: {d.warning}" for d in drift if d.warning]
    create_table_artifact(rows, key="audit-scorecard", description=f"{result.pages} fixture pages")
    create_markdown_artifact(
        f"# Extraction audit: {result.pages} fixture pages\n\n"
        + "".join(f"- below floor: {line}\n" for line in result.failures)
        + "".join(f"- archive drift: {w}\n" for w in warnings)
        + ("" if result.failures or warnings else "All floors hold; no drift in the archive sample.\n"),
        key="audit-report",
    )
    if result.failures:
        raise PipelineError("extraction below its floor: " + "; ".join(result.failures))
    return {"pages": result.pages, "metrics": metrics, "drift_warnings": warnings}


_verify = as_task(verify_archive, "verify-archive").with_options(
    retries=3,
    retry_delay_seconds=[10, 60, 300],  # only a busy warehouse is retried (transient)
)


@flow(name="verify-archive", validate_parameters=False)
def verify_archive_flow(config: str | None = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check every WARC record and digest against the warehouse index; fail when anything is wrong."""
    check = _verify(settings_of(config, settings))
    create_markdown_artifact(check.markdown(), key="archive-verify", description="weekly archive verify")
    if not check.ok:
        raise ArchiveError(
            f"archive verification: {len(check.problems)} problems, first: {check.problems[0]}"
        )
    return check.to_dict()
