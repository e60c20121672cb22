"""Progress events of the long steps (pages fetched, pages re-extracted, tables exported) for
whoever shows them: the CLI's live status line on a terminal (:mod:`flows.cli._common`).

An event is a DEBUG record on the logger ``campaigns.progress`` carrying a ``progress`` dict
(``{"stage": ..., ...}``); nothing is built or sent unless someone listens at DEBUG, so a
nightly run under Prefect pays nothing and logs nothing for them.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["PROGRESS_LOGGER", "report_progress"]

PROGRESS_LOGGER = "campaigns.progress"
_log = logging.getLogger(PROGRESS_LOGGER)


def report_progress(stage: str, **fields: Any) -> None:
    """Send one event: ``plan`` (hosts: {host: pages}, delay), ``fetch`` (host), or a stage with
    ``done``, ``total`` and ``what`` (``reextract``, ``export``)."""
    if _log.isEnabledFor(logging.DEBUG):
        _log.debug(stage, extra={"progress": {"stage": stage, **fields}})
