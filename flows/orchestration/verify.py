"""The weekly archive verification as a Prefect flow (the ``weekly-verify`` deployment).

Import after :func:`flows.orchestration.prefect_env.configure_prefect`, like :mod:`flows.orchestration.flows`.
The flow publishes a markdown report (artifact ``archive-verify``) and fails the run
when the archive has problems, so the failure shows in the UI and notifications.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from errors import ArchiveError
from flows.config import load_settings
from flows.orchestration.flows import retry_if_transient
from flows.steps import crawl as pipeline
from flows.steps.archive import verify_archive

__all__ = ["verify_archive_flow"]

_verify = task(
    name="verify-archive",
    cache_policy=NO_CACHE,
    persist_result=False,
    retries=3,
    retry_delay_seconds=[10, 60, 300],  # only a busy warehouse is retried (transient)
    retry_condition_fn=retry_if_transient,
    retry_jitter_factor=0.5,
)(verify_archive)


@flow(name="verify-archive", validate_parameters=False)
def verify_archive_flow(config: str | None = None, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check every WARC record and digest against the warehouse index; fail when anything is wrong."""
    payload = settings if settings is not None else pipeline.settings_payload(load_settings(config))
    conf = pipeline.settings_from_payload(payload)
    check = _verify(conf)
    create_markdown_artifact(check.markdown(), key="archive-verify", description="weekly archive verify")
    if not check.ok:
        raise ArchiveError(
            f"archive verification: {len(check.problems)} problems, first: {check.problems[0]}"
        )
    return check.to_dict()
