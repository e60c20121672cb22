"""The crawler proper: polite fetching, robots/SSRF policy, discovery of article links.

httpx only: no Prefect, no SQL (``lint-imports`` holds it). What to fetch and what became of
it is the steps' business (:mod:`flows.steps.crawl`).
"""

__all__: list[str] = []
