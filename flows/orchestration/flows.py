"""Prefect 3 flows: the nightly crawl (one subflow per source), re-extraction, the audit; served.

The weekly archive verification lives in :mod:`flows.orchestration.verify`; :func:`build_deployments`
schedules all of them.

Import this module only after :func:`flows.orchestration.prefect_env.configure_prefect` (importing
Prefect reads its settings). Tasks are thin wrappers over the plain steps of
:mod:`flows.steps.crawl` and coarse (one per step and batch, never per article: each
task run costs the Prefect server ~34 ms of CPU). Only transient errors
(``errors.is_transient``: a busy warehouse, a network hiccup) are retried, with
exponential backoff and jitter from ``settings.crawl``. A source whose subflow
fails is reported in the summary; the other sources go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from errors import ConfigError, PipelineError, is_transient
from flows.config import Settings, load_settings
from flows.steps import crawl as pipeline

if TYPE_CHECKING:
    from flows.steps.reextract_report import ReextractReport

__all__ = [
    "AUDIT_CRON",
    "NIGHTLY_CRON",
    "TIMEZONE",
    "VERIFY_CRON",
    "audit_flow",
    "build_deployments",
    "crawl_source_flow",
    "nightly_crawl",
    "reextract_batches_flow",
    "reextract_flow",
    "retry_if_transient",
    "serve_deployments",
    "summary_markdown",
    "task_runner_for",
]

_EXTRACT_CHUNK = 25  # articles per extraction task (the unit a Dask worker gets)
_REEXTRACT_MIN_BATCH, _REEXTRACT_MAX_BATCH = 25, 200
NIGHTLY_CRON, AUDIT_CRON, VERIFY_CRON = "0 2 * * *", "30 3 * * 1", "0 4 * * 0"
TIMEZONE = "Asia/Ho_Chi_Minh"


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only errors marked transient."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


def _task(fn: Callable[..., Any], name: str) -> Any:
    """A thin task over a plain step.

    No Prefect result persistence or cache keys, on purpose: what a re-run of the same
    night may skip is decided by what the warehouse has committed (the frontier, known
    articles, ETag/Last-Modified, identical-record reloads are no-ops), which survives a
    crash that a Prefect result store would not see, and keeps page bodies in one place
    (the WARC archive) instead of two.
    """
    return task(
        name=name,
        cache_policy=NO_CACHE,
        persist_result=False,
        retry_condition_fn=retry_if_transient,
        retry_jitter_factor=0.5,
    )(fn)


_TASKS: dict[Callable[..., Any], Any] = {
    pipeline.discover_source: _task(pipeline.discover_source, "discover"),
    pipeline.plan_fetches: _task(pipeline.plan_fetches, "plan"),
    pipeline.fetch_pages: _task(pipeline.fetch_pages, "fetch"),
    pipeline.archive_results: _task(pipeline.archive_results, "archive"),
    pipeline.extract_pages: _task(pipeline.extract_pages, "extract"),
    pipeline.load_records: _task(pipeline.load_records, "load"),
}
_begin = _task(pipeline.begin_run, "begin-run")
_end = _task(pipeline.end_run, "end-run")


@contextmanager
def task_runner_for(settings: Settings) -> Iterator[Any]:
    """The task runner of a run's subflows, shared by every source.

    ``thread``: ThreadPoolTaskRunner(max_workers). ``dask``: the scheduler at
    ``dask_address``, else a local cluster of ``dask_workers`` processes (default
    ``max_workers``) started once for the run and stopped after it.
    """
    if settings.task_runner == "thread":
        yield ThreadPoolTaskRunner(max_workers=settings.max_workers)
        return
    if settings.task_runner != "dask":
        raise ConfigError(f"unknown task_runner {settings.task_runner!r}; use 'thread' or 'dask'")
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        yield DaskTaskRunner(address=settings.dask_address)
        return
    import logging

    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)
    workers = settings.dask_workers or settings.max_workers
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield DaskTaskRunner(address=cluster.scheduler_address)


def _retries(settings: Settings) -> dict[str, Any]:
    """Task retry options from ``settings.crawl``: exponential backoff capped at backoff_max_seconds."""
    c = settings.crawl
    delays = [min(c.backoff_base_seconds * 2**i, c.backoff_max_seconds) for i in range(c.max_retries)]
    return {"retries": c.max_retries, "retry_delay_seconds": delays or 0}


@flow(name="crawl-source", flow_run_name="crawl-{source_name}", validate_parameters=False)
def crawl_source_flow(settings: dict[str, Any], source_name: str, run_id: str) -> dict[str, Any]:
    """One source: discover → plan → fetch → archive → extract (fanned out) → load, batch by batch."""
    conf = pipeline.settings_from_payload(settings)
    (source,) = pipeline.resolve_sources(conf, [source_name])
    opts = _retries(conf)
    tasks = {fn: t.with_options(**opts) for fn, t in _TASKS.items()}

    def step(fn: Callable[..., Any], *args: Any) -> Any:
        if fn is pipeline.extract_pages:
            src, archived = args
            chunks = [archived[i : i + _EXTRACT_CHUNK] for i in range(0, len(archived), _EXTRACT_CHUNK)]
            futures = [tasks[fn].submit(src, chunk) for chunk in chunks]
            merged = pipeline.Extracted()
            for fut in futures:
                merged = merged.merge(fut.result())
            return merged
        return tasks[fn](*args)

    return pipeline.crawl_source(conf, source, run_id, step=step).to_dict()


@flow(name="nightly-crawl", validate_parameters=False)
def nightly_crawl(
    config: str | None = None,
    settings: dict[str, Any] | None = None,
    sources: list[str] | None = None,
    refresh: bool = False,
) -> dict[str, Any]:
    """Crawl every source (or ``sources``) into the warehouse; returns and publishes the run summary.

    ``settings`` (from :func:`flows.steps.crawl.settings_payload`) wins over ``config``
    (a TOML path, read when the run starts: what a deployment passes).
    """
    settings = _payload(config, settings)
    if refresh:
        settings = {**settings, "crawl": {**settings["crawl"], "refresh": True}}
    conf = pipeline.settings_from_payload(settings)
    chosen = pipeline.resolve_sources(conf, sources or ())
    opts = _retries(conf)
    run_id = _begin.with_options(**opts)(
        conf, {"sources": [s.name for s in chosen], "refresh": conf.crawl.refresh}
    )
    summaries = []
    with task_runner_for(conf) as runner:
        subflow = crawl_source_flow.with_options(task_runner=runner)
        for source in chosen:
            state = subflow(settings, source.name, run_id, return_state=True)
            if state.is_completed():
                summaries.append(pipeline.SourceSummary(**_as_summary(state.result())))
            else:
                summaries.append(pipeline.SourceSummary(source.name, error=_state_error(state)))
    summary = pipeline.summarize(run_id, summaries)
    _end.with_options(**opts)(conf, run_id, summary)
    _publish(summary)
    return summary


def _payload(config: str | None, settings: dict[str, Any] | None) -> dict[str, Any]:
    return settings if settings is not None else pipeline.settings_payload(load_settings(config))


def _reextract_batch_size(captures: int, workers: int) -> int:
    """Coarse batches: about four per worker, 25–200 pages each (each task run costs the server ~34 ms)."""
    return max(_REEXTRACT_MIN_BATCH, min(_REEXTRACT_MAX_BATCH, -(-captures // (4 * max(workers, 1)))))


@flow(name="reextract-batches", validate_parameters=False)
def reextract_batches_flow(
    settings: Settings, site: str | None = None, since: str | None = None, batch_size: int = 0
) -> ReextractReport:
    """Extract the batches as tasks on this flow's task runner; load each, in order, here."""
    from flows.steps.reextract import extract_batch, plan_reextract

    run = plan_reextract(settings, site=site, since=since)
    workers = settings.dask_workers or settings.max_workers
    size = batch_size or _reextract_batch_size(len(run.captures), workers)
    extract = _task(extract_batch, "reextract-batch").with_options(**_retries(settings))
    keywords = run.keywords
    futures = [extract.submit(settings, batch, keywords) for batch in run.batches(size)]
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
    :func:`task_runner_for`); ``batch_size`` 0 picks coarse batches for the workers.
    """
    from flows.steps.reextract_report import parse_since

    conf = pipeline.settings_from_payload(_payload(config, settings))
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
    return {
        "run_id": report.run_id,
        "captures": report.captures,
        "loaded": report.loaded,
        "failed": report.failed,
        "errors": list(report.errors),
    }


@flow(name="audit", validate_parameters=False)
def audit_flow(
    config: str | None = None,
    settings: dict[str, Any] | None = None,
    fixtures: str | None = None,
    sample: int = 200,
) -> dict[str, Any]:
    """Score the extractor on the fixtures and re-read a sample of the archive; fail below a floor."""
    from flows.demo.site import FIXTURES_DIR
    from flows.steps.audit import audit_fixtures
    from flows.steps.audit_archive import audit_archive

    conf = pipeline.settings_from_payload(_payload(config, settings))
    result = _task(audit_fixtures, "audit-fixtures")(Path(fixtures) if fixtures else FIXTURES_DIR)
    drift = []
    if Path(conf.database).is_file():
        drift = _task(audit_archive, "audit-archive")(conf, sample=sample or None)
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


def _as_summary(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "new_campaign_years": [tuple(x) for x in data.get("new_campaign_years", [])]}


def _state_error(state: Any) -> str:
    try:
        state.result()
    except Exception as exc:
        return pipeline.describe_error(exc)
    return state.message or state.name or "failed"


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run summary as a markdown report (the flow's artifact)."""
    t = summary["totals"]
    failed = ", ".join(f"{n} {why}" for why, n in sorted(t["failed"].items())) or "none"
    lines = [
        f"# Crawl run `{summary['run_id']}`",
        "",
        f"- pages discovered: **{t['discovered']}**, fetched: **{t['fetched']}**, unchanged: {t['unchanged']}, "
        f"deferred: {t['deferred']}, failed: {failed}",
        f"- articles: **{t['articles']}** ({t['loaded']} new or changed), figures: **{t['figures']}**, "
        f"ignored as off-topic: {t['irrelevant']}, extraction errors: {t['extraction_errors']}",
        "- new campaign-years: " + (", ".join(f"{k} {y}" for k, y in t["new_campaign_years"]) or "none"),
    ]
    for name, error in summary["sources_failed"].items():
        lines.append(f"- **source {name} failed**: {error}")
    return "\n".join(lines) + "\n"


def _publish(summary: dict[str, Any]) -> None:
    rows = [
        {k: (", ".join(f"{n} {w}" for w, n in v.items()) if isinstance(v, dict) else v) for k, v in s.items()}
        for s in summary["sources"]
    ]
    for row in rows:
        row["new_campaign_years"] = len(row["new_campaign_years"])
    create_markdown_artifact(summary_markdown(summary), key="crawl-summary", description="nightly crawl")
    create_table_artifact(rows, key="crawl-sources", description="per source")


def build_deployments(
    settings: dict[str, Any],
    *,
    config: Path | None = None,
    cron: str = NIGHTLY_CRON,
    timezone: str = TIMEZONE,
    audit_cron: str = AUDIT_CRON,
    verify_cron: str = VERIFY_CRON,
) -> list[Any]:
    """The deployments :func:`serve_deployments` serves (``RunnerDeployment`` objects, not registered).

    The nightly crawl (one run at a time), the weekly extraction audit, the weekly
    archive verification, and an unscheduled re-extraction. With ``config`` each run
    re-reads that file; otherwise the runs carry these settings.
    """
    from prefect.schedules import Cron

    from flows.orchestration.verify import verify_archive_flow

    params: dict[str, Any] = (
        {"config": str(Path(config).resolve())} if config is not None else {"settings": settings}
    )
    return [
        nightly_crawl.to_deployment(
            name="nightly", schedule=Cron(cron, timezone=timezone), parameters=params, concurrency_limit=1
        ),
        audit_flow.to_deployment(
            name="weekly", schedule=Cron(audit_cron, timezone=timezone), parameters=params
        ),
        verify_archive_flow.to_deployment(
            name="weekly-verify",
            schedule=Cron(verify_cron, timezone=timezone),
            parameters=params,
            concurrency_limit=1,
        ),
        reextract_flow.to_deployment(name="on-demand", parameters=params),
    ]


def serve_deployments(settings: dict[str, Any], **options: Any) -> None:
    """Serve :func:`build_deployments` (same options) from this process until stopped."""
    from prefect import serve

    serve(*build_deployments(settings, **options))
