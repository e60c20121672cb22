"""The nightly crawl as Prefect flows (one ``crawl-source`` subflow per source, the recipe in
plain sight), and how their tasks run.

Import after :func:`flows.orchestration.prefect_env.configure_prefect` (importing Prefect
reads its settings). Each task is a thin wrapper (:func:`as_task`) over a plain step of
:mod:`flows.steps.crawl` that tests call directly. Tasks are coarse (one per step and
batch, never per article: each task run costs the Prefect server ~34 ms of CPU). Only
errors marked transient (``errors.is_transient``: a busy warehouse, a network hiccup) are
retried, with exponential backoff and jitter from ``settings.crawl``. A source whose
subflow fails is reported in the summary; the other sources go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from distributed import LocalCluster
from prefect import flow, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from errors import ConfigError, PipelineError, describe_error, is_transient
from flows.config import CONFIG_ENV, DEFAULT_CONFIG_NAME, Settings, config_path, load_settings
from flows.steps import crawl as steps
from flows.steps.extract import Extracted
from flows.steps.health import judge_run
from flows.steps.summary import SourceSummary, batch_summary, summarize

__all__ = [
    "as_task",
    "crawl_source_flow",
    "nightly_crawl",
    "retry_if_transient",
    "retry_options",
    "run_outcome",
    "settings_of",
    "summary_markdown",
    "task_runner_for",
]


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only errors marked transient."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


def retry_options(settings: Settings) -> dict[str, Any]:
    """Task retry options from ``settings.crawl``: exponential backoff capped at backoff_max_seconds."""
    c = settings.crawl
    delays = [min(c.backoff_base_seconds * 2**i, c.backoff_max_seconds) for i in range(c.max_retries)]
    return {"retries": c.max_retries, "retry_delay_seconds": delays or 0}


def as_task(fn: Callable[..., Any], name: str) -> Any:
    """A thin task over a plain step, retried on transient errors only.

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
    if settings.dask_address:
        yield DaskTaskRunner(address=settings.dask_address)
        return
    logging.getLogger("distributed").setLevel(logging.WARNING)
    workers = settings.dask_workers or settings.max_workers
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield DaskTaskRunner(address=cluster.scheduler_address)


_FETCH_BATCH = 50  # articles fetched, archived and loaded together
_EXTRACT_CHUNK = 25  # articles per extraction task (the unit a Dask worker gets)

_discover = as_task(steps.discover_source, "discover")
_plan = as_task(steps.plan_fetches, "plan")
_fetch = as_task(steps.fetch_pages, "fetch")
_archive = as_task(steps.archive_results, "archive")
_extract = as_task(steps.extract_pages, "extract")
_load = as_task(steps.load_records, "load")
_begin = as_task(steps.begin_run, "begin-run")
_end = as_task(steps.end_run, "end-run")
_judge = as_task(judge_run, "judge-run")


def settings_of(config: str | None, settings: dict[str, Any] | None) -> Settings:
    """A run's parameters to settings: the payload when given, else the config file read now
    (``config``, else ``$CAMPAIGNS_CONFIG``, else ``./campaigns.toml``: a run needs one)."""
    if settings is not None:
        return Settings.from_payload(settings)
    if config is None and config_path(None) is None:
        raise ConfigError(
            f"no config file: pass the parameter config, set {CONFIG_ENV} or put "
            f"{DEFAULT_CONFIG_NAME} in the working directory ({Path.cwd()})"
        )
    return load_settings(config)


@flow(name="crawl-source", flow_run_name="crawl-{source_name}", validate_parameters=False)
def crawl_source_flow(settings: Settings, source_name: str, run_id: str) -> dict[str, Any]:
    """One source: discover → plan → fetch → archive → extract (chunks mapped) → load, batch by batch."""
    (source,) = settings.select_sources([source_name])
    opts = retry_options(settings)
    found = _discover.with_options(**opts)(settings, source)
    _archive.with_options(**opts)(settings, source, found.results, run_id)
    planned = _plan.with_options(**opts)(settings, source, found.article_urls)
    summary = SourceSummary(source.name, discovered=len(found.article_urls), planned=len(planned))
    summary = summary.plus(batch_summary(source.name, found.results, skipped=found.skipped))  # discovery
    for start in range(0, len(planned), _FETCH_BATCH):
        results = _fetch.with_options(**opts)(settings, planned[start : start + _FETCH_BATCH])
        archived = _archive.with_options(**opts)(settings, source, results, run_id)
        pages = steps.article_pages(source, archived)
        chunks = [pages[i : i + _EXTRACT_CHUNK] for i in range(0, len(pages), _EXTRACT_CHUNK)]
        extracted = Extracted()
        for part in _extract.with_options(**opts).map(unmapped(settings), unmapped(source), chunks).result():
            extracted = extracted.merge(part)
        loaded = _load.with_options(**opts)(settings, source, extracted, run_id, archived)
        summary = summary.plus(batch_summary(source.name, results, loaded, len(extracted.off_topic)))
    return summary.to_dict()


@flow(name="nightly-crawl", validate_parameters=False)
def nightly_crawl(
    config: str | None = None,
    settings: dict[str, Any] | None = None,
    sources: list[str] | None = None,
    refresh: bool = False,
) -> dict[str, Any] | State:
    """Crawl every source (or ``sources``) into the warehouse; returns and publishes the run summary.

    ``settings`` (:meth:`flows.config.Settings.to_payload`) wins over ``config`` (a TOML
    path, read when the run starts: what a deployment passes). A run that reached nothing,
    or left a source unreached too many runs in a row (:mod:`flows.steps.health`), ends
    Failed with the reason as its message, its summary recorded and published all the same.
    """
    conf = settings_of(config, settings)
    if refresh:
        conf = conf.model_copy(update={"crawl": conf.crawl.model_copy(update={"refresh": True})})
    chosen = conf.select_sources(sources or ())
    opts = retry_options(conf)
    run_id = _begin.with_options(**opts)(
        conf, {"sources": [s.name for s in chosen], "refresh": conf.crawl.refresh}
    )
    summaries = []
    with task_runner_for(conf) as runner:
        subflow = crawl_source_flow.with_options(task_runner=runner)
        for source in chosen:
            state = subflow(conf, source.name, run_id, return_state=True)
            if state.is_completed():
                summaries.append(SourceSummary(**_as_summary(state.result())))
            else:
                summaries.append(SourceSummary(source.name, error=_state_error(state)))
    summary = summarize(run_id, summaries)
    summary["failed_because"] = _judge.with_options(**opts)(conf, summary)
    _end.with_options(**opts)(conf, run_id, summary)
    _publish(summary)
    if summary["failed_because"]:
        return Failed(message=summary["failed_because"], data=summary)
    return summary


def run_outcome(state: State) -> tuple[dict[str, Any], str | None]:
    """The summary of a finished :func:`nightly_crawl` (``return_state=True``) and why it failed, if it
    did (:mod:`flows.steps.health`); an error the run raised is raised again."""
    data = state.result(raise_on_failure=False)
    if isinstance(data, BaseException):
        raise data
    if not isinstance(data, dict):
        raise PipelineError(f"the crawl run ended {state.name}: {state.message or 'no summary'}")
    return data, (data.get("failed_because") if state.is_failed() else None)


def _as_summary(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "new_campaign_years": [tuple(x) for x in data.get("new_campaign_years", [])]}


def _state_error(state: Any) -> str:
    try:
        state.result()
    except Exception as exc:
        return describe_error(exc)
    return state.message or state.name or "failed"


def summary_markdown(summary: dict[str, Any]) -> str:
    """The run summary as a markdown report (the flow's artifact)."""
    t = summary["totals"]
    failed = ", ".join(f"{n} {why}" for why, n in sorted(t["failed"].items())) or "none"
    left = ", ".join(f"{n} {why}" for why, n in sorted(t.get("not_stored", {}).items())) or "none"
    lines = [
        f"# Crawl run `{summary['run_id']}`",
        "",
        *([f"**Failed: {summary['failed_because']}**", ""] if summary.get("failed_because") else []),
        f"- pages discovered: **{t['discovered']}**, fetched: **{t['fetched']}**, unchanged: {t['unchanged']}, "
        f"deferred: {t['deferred']}, failed: {failed}",
        f"- articles: **{t['articles']}** ({t['loaded']} new or changed), figures: **{t['figures']}**, "
        f"ignored as off-topic: {t['irrelevant']}, extraction errors: {t['extraction_errors']}",
        f"- article links not stored: {left}",
        "- stored without figures: "
        + (", ".join(f"{n} {why}" for why, n in sorted(t.get("without_figures", {}).items())) or "none"),
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
