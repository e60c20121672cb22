"""``campaigns sources check``: what discovery finds for a source, fetched politely, stored nowhere.

:func:`check_sources` runs the crawl's own discovery (:func:`flows.crawler.discover.discover`)
on each source, unconditionally (every page with its body), with one fetcher for all of
them. Nothing is written to the warehouse or the archive. When the warehouse's state
folder exists (a crawl has run here), the fetcher takes its per-host gate and robots.txt
cache, so a check beside a running crawl keeps the delay with it; otherwise it creates
nothing. :func:`check_rows` turns the findings into rows for ``flows.cli._common.emit``:
robots.txt rules, each page followed (and how it was reached), each article link found
(and, on request, each link the ``article_pattern`` left out).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.config import Settings, Source
from flows.crawler.discover import Discovery, discover
from flows.crawler.fetch import Fetcher

__all__ = ["CHECK_COLUMNS", "SourceCheck", "check_rows", "check_sources", "check_summary"]

CHECK_COLUMNS = ("source", "what", "url", "via", "status", "links", "new", "note")


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """What discovery found for one source, and the user agent it was asked with."""

    source: Source
    found: Discovery
    user_agent: str


def check_sources(
    settings: Settings, sources: tuple[Source, ...] | list[Source], *, now: datetime | None = None
) -> list[SourceCheck]:
    """Discover each source (hosts in parallel, each politely); store nothing."""
    state = settings.state_dir if settings.state_dir.is_dir() else None

    async def run() -> list[Discovery]:
        async with Fetcher(settings.crawl, state) as fetcher:
            return list(
                await asyncio.gather(*(discover(s, fetcher, settings.crawl, now=now) for s in sources))
            )

    found = asyncio.run(run()) if sources else []
    return [SourceCheck(s, d, settings.crawl.user_agent) for s, d in zip(sources, found, strict=True)]


def check_rows(check: SourceCheck, *, unmatched: bool = False) -> list[dict[str, Any]]:
    """One row per robots.txt, page and article link (and left-out link with ``unmatched``)."""
    name, found, ua = check.source.name, check.found, check.user_agent
    rows: list[dict[str, Any]] = []
    for url, rules in found.robots.items():
        notes = [f"unavailable: {rules.reason}" if rules.unavailable else ""]
        notes.append(f"crawl-delay {rules.crawl_delay(ua):g}s" if rules.crawl_delay(ua) else "")
        notes.append(", ".join(rules.rules_for(ua)) or ("" if rules.unavailable else "allows everything"))
        notes += [f"Sitemap: {s}" for s in rules.sitemaps]
        notes += [f"disallows start page {s}" for s in check.source.start_urls if not rules.allows(s, ua)]
        status = rules.status if rules.status is not None else "no answer"
        rows.append(_row(name, "robots", url, "", status, note="; ".join(n for n in notes if n)))
    pattern = "article_pattern" if check.source.article_pattern else "the listing's host"
    for v in found.visits:
        notes = [v.error or "", v.note]
        if v.unmatched:
            notes.append(f"{len(v.unmatched)} links not matching {pattern}")
        status = v.status if v.outcome in ("fetched", "not_modified") and v.status else v.outcome
        rows.append(
            _row(name, v.kind, v.url, v.via, status, v.links, v.new, "; ".join(n for n in notes if n))
        )
    rules_of = {url.removesuffix("/robots.txt"): r for url, r in found.robots.items()}
    for url, kind in found.found_on.items():
        host_rules = next((r for origin, r in rules_of.items() if url.startswith(origin + "/")), None)
        note = ""
        if host_rules is not None and host_rules.unavailable:
            note = "robots.txt unavailable: not fetched this run"
        elif host_rules is not None and not host_rules.allows(url, ua):
            note = "disallowed by robots.txt"
        rows.append(_row(name, "article", url, kind, note=note))
    if unmatched:
        seen: set[str] = set()
        for v in found.visits:
            for url in v.unmatched:
                if url not in seen and url not in found.found_on:
                    seen.add(url)
                    rows.append(_row(name, "unmatched", url, f"{v.kind} {v.url}"))
    return rows


def check_summary(check: SourceCheck) -> str:
    """One line: what the crawl of this source would start from."""
    found = check.found
    pages = Counter(v.kind for v in found.visits if v.outcome == "fetched")
    kinds = Counter(found.found_on.values())
    by_kind = ", ".join(f"{k}s {n}" for k, n in kinds.items())
    read = ", ".join(f"{k}s {pages[k]}" for k in ("listing", "feed", "sitemap"))
    left = ", ".join(f"{n} {why}" for why, n in sorted(found.skipped.items())) or "none"
    failed = sum(1 for v in found.visits if v.outcome != "fetched")
    trouble = f"; {failed} pages not fetched" if failed else ""
    links = f"{len(found.found_on)} article links" + (f" ({by_kind})" if by_kind else "")
    return f"{check.source.name}: {links}; pages read: {read}; left out: {left}{trouble}"


def _row(
    source: str,
    what: str,
    url: str,
    via: str,
    status: Any = None,
    links: int | None = None,
    new: int | None = None,
    note: str = "",
) -> dict[str, Any]:
    return {
        "source": source, "what": what, "url": url, "via": via, "status": status,
        "links": links, "new": new, "note": note,
    }  # fmt: skip
