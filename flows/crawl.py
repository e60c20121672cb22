"""Prefect 3 flows: the nightly crawl (one subflow per source), served on a schedule.

Import this module only after :func:`flows.prefect_env.configure_prefect` (importing
Prefect reads its settings). Tasks are thin wrappers over the plain steps of
:mod:`flows.pipeline` and coarse (one per step and batch, never per article: each
task run costs the Prefect server ~34 ms of CPU). Only transient errors
(``errors.is_transient``: a busy warehouse, a network hiccup) are retried, with
exponential backoff and jitter from ``settings.crawl``. A source whose subflow
fails is reported in the summary; the other sources go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from errors import ConfigError, is_transient
from flows import pipeline
from flows.config import Settings, load_settings

__all__ = [
    "crawl_source_flow",
    "nightly_crawl",
    "retry_if_transient",
    "serve_deployments",
    "summary_markdown",
    "task_runner_for",
]

_EXTRACT_CHUNK = 25  # articles per extraction task (the unit a Dask worker gets)


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only errors marked transient."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


def _task(fn: Callable[..., Any], name: str) -> Any:
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


def task_runner_for(settings: Settings, address: str | None = None) -> Any:
    """ThreadPoolTaskRunner(max_workers) by default; DaskTaskRunner for ``task_runner = "dask"``.

    Dask uses ``address`` (a running scheduler), else ``settings.dask_address``, else a
    local cluster of ``dask_workers`` processes started for this runner.
    """
    if settings.task_runner == "thread":
        return ThreadPoolTaskRunner(max_workers=settings.max_workers)
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if address or settings.dask_address:
            return DaskTaskRunner(address=address or settings.dask_address)
        workers = settings.dask_workers or settings.max_workers
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
        )
    raise ConfigError(f"unknown task_runner {settings.task_runner!r}; use 'thread' or 'dask'")


@contextmanager
def _shared_runner(settings: Settings) -> Iterator[Any]:
    """One task runner for every source of a run: a local Dask cluster starts once, not per source."""
    if settings.task_runner != "dask" or settings.dask_address:
        yield task_runner_for(settings)
        return
    import logging

    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.WARNING)
    workers = settings.dask_workers or settings.max_workers
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield task_runner_for(settings, address=cluster.scheduler_address)


def _retrying(settings: Settings) -> dict[Callable[..., Any], Any]:
    crawl = settings.crawl
    opts = {
        "retries": crawl.max_retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=max(crawl.backoff_base_seconds, 0.01)),
    }
    return {fn: t.with_options(**opts) for fn, t in _TASKS.items()}


@flow(name="crawl-source", flow_run_name="crawl-{source_name}", validate_parameters=False)
def crawl_source_flow(settings: dict[str, Any], source_name: str, run_id: str) -> dict[str, Any]:
    """One source: discover → plan → fetch → archive → extract (fanned out) → load, batch by batch."""
    conf = pipeline.settings_from_payload(settings)
    (source,) = pipeline.resolve_sources(conf, [source_name])
    tasks = _retrying(conf)

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

    ``settings`` (from :func:`flows.pipeline.settings_payload`) wins over ``config``
    (a TOML path, read when the run starts: what a deployment passes).
    """
    if settings is None:
        settings = pipeline.settings_payload(load_settings(config))
    if refresh:
        settings = {**settings, "crawl": {**settings["crawl"], "refresh": True}}
    conf = pipeline.settings_from_payload(settings)
    chosen = pipeline.resolve_sources(conf, sources or ())
    run_id = _begin(conf, {"sources": [s.name for s in chosen], "refresh": conf.crawl.refresh})
    summaries = []
    with _shared_runner(conf) as runner:
        subflow = crawl_source_flow.with_options(task_runner=runner)
        for source in chosen:
            state = subflow(settings, source.name, run_id, return_state=True)
            if state.is_completed():
                summaries.append(pipeline.SourceSummary(**_as_summary(state.result())))
            else:
                summaries.append(pipeline.SourceSummary(source.name, error=_state_error(state)))
    summary = pipeline.summarize(run_id, summaries)
    _end(conf, run_id, summary)
    _publish(summary)
    return summary


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


def serve_deployments(
    settings: dict[str, Any],
    *,
    config: Path | None = None,
    cron: str = "0 2 * * *",
    timezone: str = "Asia/Ho_Chi_Minh",
    extra: Sequence[Any] = (),
) -> None:
    """Serve the nightly crawl (and ``extra`` deployments) from this process until stopped.

    With ``config`` the deployment re-reads that file at each run; otherwise it
    carries these settings.
    """
    from prefect import serve
    from prefect.schedules import Cron

    params: dict[str, Any] = (
        {"config": str(Path(config).resolve())} if config is not None else {"settings": settings}
    )
    nightly = nightly_crawl.to_deployment(
        name="nightly", schedule=Cron(cron, timezone=timezone), parameters=params, concurrency_limit=1
    )
    serve(nightly, *extra)  # type: ignore[arg-type]
