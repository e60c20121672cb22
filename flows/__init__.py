"""Prefect flows, fetching, discovery and the ``campaigns`` CLI."""

__all__: list[str] = []
