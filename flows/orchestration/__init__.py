"""Prefect: the flows (nightly crawl, re-extraction, audit, archive verify), their task
runners and deployments, and the environment Prefect needs before it is imported.

Import :mod:`flows.orchestration.prefect_env` first and call ``configure_prefect``; this
package's ``__init__`` imports nothing, so that stays possible.
"""

__all__: list[str] = []
