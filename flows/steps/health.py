"""When a crawl run has failed although nothing raised: the rule an operator's alert hangs on.

A source is *reached* in a run when at least one of its pages came back: fetched, or
``304 Not Modified``. Refused connections, timeouts, 5xx and 429 (deferred), 404s, robots
refusals and a source that failed outright all leave it unreached. A crawl run fails when

1. it reached no source at all ("reached nothing"), or
2. a source has not been reached in ``crawl.fail_after_unreached_runs`` runs in a row
   (default 3: this run and the two before it that crawled that source, from the
   warehouse's run history), so a site that went away, moved or blocks the crawler is
   seen within days, while one bad night of one site is only reported.

The run still archives and loads whatever it fetched and records its summary first; the
reason goes into the summary (``failed_because``), the run's artifact and the flow run's
Failed state, and ``campaigns crawl`` prints it as its one error line (exit 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flows.config import Settings
from warehouse.db import session
from warehouse.run_history import recent_crawl_summaries

__all__ = ["judge_run", "reached", "unreached_reason", "verdict"]


def reached(source: Mapping[str, Any]) -> bool:
    """True when at least one page of this source's run came back (200 or 304)."""
    return not source.get("error") and int(source.get("fetched") or 0) + int(source.get("unchanged") or 0) > 0


def unreached_reason(source: Mapping[str, Any]) -> str:
    """Why a source was not reached, in a few words ("4 deferred", "2 http 404, 1 robots")."""
    if source.get("error"):
        return f"failed: {source['error']}"
    parts = [f"{n} {why}" for why, n in sorted((source.get("failed") or {}).items())]
    if source.get("deferred"):
        parts.append(f"{source['deferred']} deferred")
    return ", ".join(parts) or "no page to fetch"


def _streak(name: str, history: Sequence[Mapping[str, Any]]) -> int:
    """Earlier runs in a row (newest first) in which source ``name`` was crawled and not reached."""
    n = 0
    for run in history:
        mine = [s for s in run.get("sources", ()) if s.get("source") == name]
        if not mine:
            continue  # a run of other sources says nothing about this one
        if reached(mine[0]):
            break
        n += 1
    return n


def verdict(
    summary: Mapping[str, Any], history: Sequence[Mapping[str, Any]], runs_to_fail: int
) -> str | None:
    """Why this run failed (see the module docstring), or None; ``history`` newest first."""
    sources = list(summary.get("sources", ()))
    if sources and not any(reached(s) for s in sources):
        return "reached nothing: " + "; ".join(f"{s['source']} {unreached_reason(s)}" for s in sources)
    streaks = []
    for s in sources:
        if not reached(s):
            n = 1 + _streak(str(s["source"]), history)
            if n >= runs_to_fail:
                when = f"in {n} runs in a row" if n > 1 else "this run"
                streaks.append(f"{s['source']} reached nothing {when} ({unreached_reason(s)})")
    return "; ".join(streaks) or None


def judge_run(settings: Settings, summary: Mapping[str, Any]) -> str | None:
    """:func:`verdict` of this run, with the history of the runs before it from the warehouse."""
    runs = settings.crawl.fail_after_unreached_runs
    with session(settings.database) as con:
        history = recent_crawl_summaries(con, runs - 1, before=str(summary["run_id"]))
    return verdict(summary, history, runs)
