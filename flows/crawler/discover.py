"""Discovery: a source's article URLs from its listing pages, feeds and sitemaps, found as
well as configured.

``discover`` fetches, through the polite ``Fetcher`` and in this order:

1. each start URL and its next pages, up to ``crawl.listing_depth`` pages, the next page
   found as :mod:`flows.crawler.listings` says (the configured ``pagination`` template
   wins, else ``rel=next``, "Trang sau"/"Trang tiếp", ``a.next``, numbered pagination...);
   it stops at a page that adds no new article link;
2. the configured feeds, then those the start pages announce in ``<link rel="alternate">``
   (when one answered 304 and so showed none, the feeds read in earlier runs, ``known_feeds``),
   at most :data:`ANNOUNCED_FEEDS` of these per source;
3. the configured sitemaps, then the ``Sitemap:`` lines of the robots.txt of the start
   URLs' hosts; sitemap indexes are followed (up to ``listing_depth`` child files per root,
   newest first); entries and child sitemaps dated (``news:publication_date``, else
   ``lastmod``) more than ``crawl.sitemap_max_age_days`` ago are skipped, and at most
   ``crawl.sitemap_max_urls`` article URLs per source are taken from sitemaps, newest first,
   so a nightly run reads only what is new. When a sitemap answers 304 (an index unchanged
   while its children change), the sitemaps read in earlier runs (``known_sitemaps``) are
   asked for too, conditionally.

Pages are asked for conditionally when validators are given. Links are kept when they
match the source's ``article_pattern`` (when set; else links on the listing's own host),
canonical and deduplicated in discovery order. Every article link found and left out has
a reason in ``Discovery.skipped`` ("pattern mismatch" for feed and sitemap entries, "too
old", "over sitemap_max_urls"), and every page is a :class:`Visit` saying how it was
reached and what it gave (what ``campaigns sources check`` prints). A pattern that is not
a regular expression raises ``ConfigError`` before anything is fetched.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from extractors.decode import decode_text
from extractors.normalize import fold
from extractors.urls import canonicalize_url
from flows.config import CrawlSettings, Source
from flows.crawler.feeds import SitemapEntry, links_from_feed, sitemap_entries
from flows.crawler.fetch import Fetcher, FetchResult
from flows.crawler.listings import article_pattern, read_listing
from flows.crawler.policy import RobotsRules, robots_url
from flows.crawler.responses import Outcome, result_of

__all__ = ["ANNOUNCED_FEEDS", "Discovery", "Visit", "discover", "entry_urls", "matches_keywords"]

ANNOUNCED_FEEDS = 5  # feeds announced by a source's start pages that are read, at most
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Visit:
    """One page discovery asked for: how it was reached, how it ended, what it gave."""

    kind: str  # robots | listing | feed | sitemap
    url: str
    via: str  # "start", "config", "rel=next", "'Trang sau'", "<link rel=alternate> on URL", "robots.txt"...
    outcome: str  # fetched | not_modified | failed | deferred
    status: int | None = None
    error: str | None = None
    links: int = 0  # article links on it
    new: int = 0  # of which no earlier page had given
    unmatched: tuple[str, ...] = ()  # links (listing: on its host) the article_pattern left out
    note: str = ""


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one source's discovery found, and every page fetched to find it."""

    found_on: dict[str, str] = field(default_factory=dict)  # article URL → kind of the page that gave it
    results: list[FetchResult] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # article links left out, by reason
    robots: dict[str, RobotsRules] = field(default_factory=dict)  # robots.txt URL → rules

    @property
    def article_urls(self) -> list[str]:
        """The article URLs found, in discovery order."""
        return list(self.found_on)


def entry_urls(source: Source) -> list[str]:
    """The canonical listing, feed and sitemap URLs of a source (to look up validators)."""
    return list(
        dict.fromkeys(canonicalize_url(u) for u in (*source.start_urls, *source.feeds, *source.sitemaps))
    )


def matches_keywords(text: str, keywords: Sequence[str]) -> bool:
    """True when ``text`` mentions one of ``keywords`` (case- and diacritics-insensitive,
    whole words); always True when there are no keywords."""
    if not keywords:
        return True
    hay = _fold(text)
    return any(re.search(rf"(?<!\w){re.escape(_fold(k))}(?!\w)", hay) for k in keywords if k.strip())


async def discover(
    source: Source,
    fetcher: Fetcher,
    crawl: CrawlSettings,
    validators: Mapping[str, tuple[str | None, str | None]] = {},
    *,
    known_feeds: Sequence[str] = (),
    known_sitemaps: Sequence[str] = (),
    now: datetime | None = None,
) -> Discovery:
    """Fetch a source's listings, feeds and sitemaps; return its article URLs and every fetch."""
    run = _Run(source, fetcher, crawl, validators, now or datetime.now(UTC))
    await run.listings()
    await run.feeds(known_feeds)
    await run.sitemaps(known_sitemaps)
    return run.discovery()


class _Run:
    def __init__(
        self,
        source: Source,
        fetcher: Fetcher,
        crawl: CrawlSettings,
        validators: Mapping[str, tuple[str | None, str | None]],
        now: datetime,
    ) -> None:
        self.source, self.fetcher, self.crawl, self.validators = source, fetcher, crawl, validators
        self.pattern = article_pattern(source)  # ConfigError before any fetch
        self.cutoff = now - timedelta(days=crawl.sitemap_max_age_days)
        self.found: dict[str, str] = {}
        self.dropped: dict[str, str] = {}
        self.results: list[FetchResult] = []
        self.visits: list[Visit] = []
        self.announced: dict[str, str] = {}  # feed → the start page announcing it
        self.robots: dict[str, RobotsRules] = {}
        self.sitemaps_read: set[str] = set()
        self.budget = crawl.sitemap_max_urls  # article URLs sitemaps may still give

    def discovery(self) -> Discovery:
        pages = {v.url for v in self.visits}  # without a pattern, a listing links to its own pages
        found = {url: kind for url, kind in self.found.items() if url not in pages}
        skipped = Counter(why for url, why in self.dropped.items() if url not in found)
        return Discovery(found, self.results, self.visits, dict(skipped), self.robots)

    async def get(self, url: str, kind: str, via: str, given: str = "") -> FetchResult | None:
        """Fetch ``url``; its result when it came with a body, else None (its Visit recorded)."""
        etag, last_modified = self.validators.get(url) or self.validators.get(given) or (None, None)
        result = await self.fetcher.fetch(url, kind=kind, etag=etag, last_modified=last_modified)
        self.results.append(result)
        if result.outcome == "fetched" and result.body:
            return result
        self.visits.append(Visit(kind, url, via, result.outcome, result.status, result.error))
        return None

    def keep(self, urls: Iterable[str], kind: str) -> int:
        """Record article links found on a page of ``kind``; how many were new."""
        before = len(self.found)
        for url in urls:
            self.found.setdefault(url, kind)
        return len(self.found) - before

    def drop(self, urls: Iterable[str], reason: str) -> None:
        for url in urls:
            self.dropped.setdefault(url, reason)

    def split(self, urls: Iterable[str]) -> tuple[list[str], list[str]]:
        """``(matching the article_pattern, not matching)``; everything matches without one."""
        urls = list(urls)
        if self.pattern is None:
            return urls, []
        pattern = self.pattern
        return [u for u in urls if pattern.search(u)], [u for u in urls if not pattern.search(u)]

    async def listings(self) -> None:
        for start in self.source.start_urls:
            url: str | None = canonicalize_url(start)
            via, visited = "start", list[str]()
            while url and url not in visited and len(visited) < self.crawl.listing_depth:
                visited.append(url)
                got = await self.get(url, "listing", via, start if len(visited) == 1 else "")
                if got is None or got.body is None:
                    break  # unchanged (304), failed or deferred: its later pages are not reachable
                html = decode_text(got.body, got.content_type)[0]
                page = read_listing(html, got.final_url or url, self.source, start=start)
                new = self.keep(page.links, "listing")
                if len(visited) == 1:
                    for feed in page.feeds:
                        self.announced.setdefault(feed, url)
                note = ""
                if page.next_url and not new:
                    note = f"no new article link: next page {page.next_url} not followed"
                elif page.next_url and len(visited) >= self.crawl.listing_depth:
                    note = f"listing_depth {self.crawl.listing_depth} reached: {page.next_url} not followed"
                visit = Visit("listing", url, via, "fetched", got.status, got.error, len(page.links), new)
                self.visits.append(replace(visit, unmatched=tuple(page.unmatched), note=note))
                if not new:
                    break
                url, via = page.next_url, page.next_via

    async def feeds(self, known: Sequence[str]) -> None:
        wanted = {canonicalize_url(f): ("config", f) for f in self.source.feeds}
        found = {feed: f"<link rel=alternate> on {_local(page)}" for feed, page in self.announced.items()}
        if any(v.kind == "listing" and v.outcome == "not_modified" for v in self.visits):
            for feed in known:  # an unchanged start page announces nothing this time
                found.setdefault(canonicalize_url(feed), "found in an earlier run")
        for feed, via in list(found.items())[:ANNOUNCED_FEEDS]:
            wanted.setdefault(feed, (via, ""))
        for url, (via, given) in wanted.items():
            got = await self.get(url, "feed", via, given)
            if got is None or got.body is None:
                continue
            matched, unmatched = self.split(links_from_feed(got.body, got.final_url or url))
            new = self.keep(matched, "feed")
            self.drop(unmatched, "pattern mismatch")
            self.visits.append(
                Visit("feed", url, via, "fetched", got.status, got.error, len(matched), new, tuple(unmatched))
            )

    async def sitemaps(self, known: Sequence[str]) -> None:
        roots = {canonicalize_url(s): ("config", s) for s in self.source.sitemaps}
        for listed in await self.robots_sitemaps():
            roots.setdefault(canonicalize_url(listed), ("robots.txt", ""))
        for root, (via, given) in roots.items():
            await self.sitemap_tree(root, via, given)
        if any(v.kind == "sitemap" and v.outcome == "not_modified" for v in self.visits):
            for url in known:  # an unchanged index lists nothing this time: its children read before
                await self.sitemap_tree(canonicalize_url(url), "found in an earlier run", "")

    async def sitemap_tree(self, root: str, via: str, given: str) -> None:
        """Read the sitemap at ``root`` and, if it is an index, its fresh children (newest first)."""
        queue, read = [(root, via)], 0
        while queue and read <= self.crawl.listing_depth:
            url, how = queue.pop(0)
            if url in self.sitemaps_read:  # a configured sitemap that an index lists too: read once
                continue
            self.sitemaps_read.add(url)
            got = await self.get(url, "sitemap", how, given if not read else "")
            read += 1
            if got is None or got.body is None:
                continue
            pages, children = sitemap_entries(got.body, got.final_url or url)
            fresh = _newest_first(c for c in children if not self.too_old(c))
            queued = {u for u, _ in queue} | self.sitemaps_read
            queue += [(c.url, f"sitemap index {_local(url)}") for c in fresh if c.url not in queued]
            self.budget = self.read_entries(url, how, got, pages, self.budget, len(children) - len(fresh))
        if queue:
            last = self.visits[-1]
            note = f"{len(queue)} more child sitemaps not read (listing_depth {self.crawl.listing_depth})"
            self.visits[-1] = replace(last, note="; ".join(n for n in (last.note, note) if n))

    def read_entries(
        self, url: str, via: str, got: FetchResult, pages: list[SitemapEntry], budget: int, old_children: int
    ) -> int:
        """Keep a sitemap's fresh article entries within ``budget``; returns what is left of it."""
        matched, unmatched = self.split(e.url for e in pages)
        self.drop(unmatched, "pattern mismatch")
        entries = {e.url: e for e in pages}
        old = [u for u in matched if self.too_old(entries[u])]
        fresh = [e.url for e in _newest_first(entries[u] for u in matched if not self.too_old(entries[u]))]
        fresh = [u for u in fresh if u not in self.found]  # already found: costs no budget
        taken, over = fresh[:budget], fresh[budget:]
        self.drop(old, "too old")
        self.drop(over, "over sitemap_max_urls")
        new = self.keep(taken, "sitemap")
        days = f"{self.crawl.sitemap_max_age_days:g} days"
        notes = [
            f"{len(old)} entries older than {days}" if old else "",
            f"{old_children} child sitemaps older than {days}" if old_children else "",
            f"{len(over)} over sitemap_max_urls" if over else "",
        ]
        note = "; ".join(n for n in notes if n)
        visit = Visit("sitemap", url, via, "fetched", got.status, got.error, len(matched), new)
        self.visits.append(replace(visit, unmatched=tuple(unmatched), note=note))
        return budget - len(taken)

    async def robots_sitemaps(self) -> list[str]:
        """The ``Sitemap:`` lines of the robots.txt of the source's hosts (cached by the fetcher)."""
        sites = self.source.start_urls or (*self.source.feeds, *self.source.sitemaps)
        listed: list[str] = []
        for origin in dict.fromkeys(robots_url(canonicalize_url(u)) for u in sites):
            rules, exchanges = await self.fetcher.robots(origin)
            self.robots[origin] = rules
            if exchanges:  # asked for now: archived like any page
                result = result_of(origin, "robots", exchanges[-1], list(exchanges))
                outcome: Outcome = "deferred" if rules.unavailable else "fetched"  # a 404 is an answer too
                self.results.append(replace(result, outcome=outcome, error=rules.reason))
            listed += rules.sitemaps
        return listed

    def too_old(self, entry: SitemapEntry) -> bool:
        return entry.date is not None and entry.date < self.cutoff


def _newest_first(entries: Iterable[SitemapEntry]) -> list[SitemapEntry]:
    """Dated entries newest first, then the undated ones in document order."""
    items = list(entries)
    dated = sorted(
        (e for e in items if e.date is not None),
        key=lambda e: e.date.timestamp() if e.date else 0.0,
        reverse=True,
    )
    return dated + [e for e in items if e.date is None]


def _local(url: str) -> str:
    """``url`` without scheme and host (what a table needs to say which page of the site)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"


def _fold(text: str) -> str:
    return _SPACES.sub(" ", fold(text).lower())
