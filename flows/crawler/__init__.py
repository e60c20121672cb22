"""The crawler proper: polite fetching (fetch, responses), robots/SSRF policy, the per-host gate
and robots.txt cache shared across processes (hosts), discovery of article links (discover,
listings, feeds).

httpx only: no Prefect, no SQL (``lint-imports`` holds it). What to fetch and what became of
it is the steps' business (:mod:`flows.steps.crawl`).
"""

__all__: list[str] = []
