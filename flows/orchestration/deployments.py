"""The four deployments, and the two ways to run them on one Prefect server without collisions.

- nightly: the crawl, 02:00 Asia/Ho_Chi_Minh, never two at once;
- weekly: the extraction audit, Monday 03:30;
- weekly-verify: the archive verification, Sunday 04:00, never two at once;
- on-demand: re-extraction, run by hand.

**A work pool and workers** (``prefect.yaml``, ``prefect deploy --all``): the deployments
under these names (``nightly-crawl/nightly``, ...). Their entrypoints are module paths
(``flows.orchestration.flows.nightly_crawl``), so a worker imports the flows from the
installed package, wherever it is; the pull step :func:`enter_config_folder` runs each
flow in the folder of the worker's ``$CAMPAIGNS_CONFIG``.

**``campaigns schedule``** serves the same flows from its own process under names of its
own (:func:`served_name`: ``nightly-crawl/nightly-served``, ...). Both set-ups can share a
server: neither overwrites the other's deployments, and when ``schedule`` stops, Prefect's
``serve`` pauses only the deployments it registered (their schedules would otherwise pile
up runs nobody serves); the next ``schedule`` un-pauses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prefect import serve
from prefect.deployments.runner import EntrypointType
from prefect.schedules import Cron, Schedule

from errors import ConfigError
from flows.config import config_path
from flows.orchestration.flows import nightly_crawl
from flows.orchestration.maintenance import audit_flow, reextract_flow, verify_archive_flow

__all__ = [
    "AUDIT_CRON",
    "DEPLOYMENTS",
    "NIGHTLY_CRON",
    "SERVED_SUFFIX",
    "TIMEZONE",
    "VERIFY_CRON",
    "build_deployments",
    "enter_config_folder",
    "serve_deployments",
    "served_name",
]

NIGHTLY_CRON, AUDIT_CRON, VERIFY_CRON = "0 2 * * *", "30 3 * * 1", "0 4 * * 0"
TIMEZONE = "Asia/Ho_Chi_Minh"
#: The deployment names of the worker set-up (prefect.yaml), in order.
DEPLOYMENTS = ("nightly", "weekly", "weekly-verify", "on-demand")
SERVED_SUFFIX = "-served"


def served_name(name: str) -> str:
    """The name under which ``campaigns schedule`` serves deployment ``name`` (``nightly-served``)."""
    return f"{name}{SERVED_SUFFIX}"


def _schedule(what: str, cron: str, timezone: str) -> Schedule:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {timezone!r} (an IANA name, e.g. Asia/Ho_Chi_Minh)") from None
    try:
        return Cron(cron, timezone=timezone)
    except ValueError:
        raise ConfigError(
            f"the {what} schedule {cron!r} is not a cron expression (five fields: minute hour day month weekday)"
        ) from None


def build_deployments(
    settings: dict[str, Any],
    *,
    config: Path | None = None,
    cron: str = NIGHTLY_CRON,
    timezone: str = TIMEZONE,
    audit_cron: str = AUDIT_CRON,
    verify_cron: str = VERIFY_CRON,
) -> list[Any]:
    """The deployments ``campaigns schedule`` serves (``RunnerDeployment`` objects, not registered),
    named by :func:`served_name`. A bad cron or time zone is a ConfigError here, before any server.

    With ``config`` each run re-reads that file; otherwise the runs carry these settings (a
    :meth:`flows.config.Settings.to_payload`).
    """
    nightly = _schedule("nightly", cron, timezone)
    audit = _schedule("audit", audit_cron, timezone)
    verify = _schedule("verify", verify_cron, timezone)
    params: dict[str, Any] = (
        {"config": str(Path(config).resolve())} if config is not None else {"settings": settings}
    )
    module: dict[str, Any] = {"parameters": params, "entrypoint_type": EntrypointType.MODULE_PATH}
    nightly_name, audit_name, verify_name, reextract_name = map(served_name, DEPLOYMENTS)
    return [
        nightly_crawl.to_deployment(name=nightly_name, schedule=nightly, concurrency_limit=1, **module),
        audit_flow.to_deployment(name=audit_name, schedule=audit, **module),
        verify_archive_flow.to_deployment(name=verify_name, schedule=verify, concurrency_limit=1, **module),
        reextract_flow.to_deployment(name=reextract_name, **module),
    ]


def serve_deployments(deployments: list[Any]) -> None:
    """Serve :func:`build_deployments` from this process until stopped (Ctrl-C, SIGTERM); on the way
    out Prefect pauses these deployments, and only these."""
    serve(*deployments)


def enter_config_folder() -> dict[str, str]:
    """The pull step of the worker deployments: run in the folder of ``$CAMPAIGNS_CONFIG``.

    Relative paths of the config (the warehouse, the archive) then resolve next to it, on
    any worker, wherever the project is installed. Without ``$CAMPAIGNS_CONFIG`` the run
    stays in the worker's working directory (and reads its ``campaigns.toml``, or the
    deployment's ``config`` parameter, best an absolute path).
    """
    path = config_path(None)
    folder = path.resolve().parent if path is not None else Path.cwd()
    return {"directory": str(folder)}
