"""The pipeline as plain functions: the crawl recipe's steps, re-extraction, the archive check
and repair, the audit, the summaries and the report's HTML.

No Prefect here: :mod:`flows.orchestration` wraps these functions as tasks; tests call them
directly.
"""

__all__: list[str] = []
