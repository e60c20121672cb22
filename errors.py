"""The one error tree of the pipeline.

Every stage raises a subclass of :class:`PipelineError`; library errors (httpx,
duckdb, warcio, trafilatura) are translated at the edge where they happen.
Errors that may succeed when tried again carry ``transient = True``; retry
logic (Prefect's retry condition, the fetcher's backoff) looks only at that flag.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ConfigError",
    "ExtractionError",
    "FetchError",
    "PipelineError",
    "PolicyError",
    "TransientFetchError",
    "WarehouseBusyError",
    "WarehouseError",
    "describe_error",
    "is_transient",
]


class PipelineError(Exception):
    """Base of every error this project raises on purpose."""

    transient: bool = False


class ConfigError(PipelineError):
    """A setting, config file or command-line argument is wrong."""


class FetchError(PipelineError):
    """A URL could not be fetched (final: a 404, a refused redirect, a cap)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class TransientFetchError(FetchError):
    """A fetch failure worth retrying: timeout, reset, 429, 5xx."""

    transient = True

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class PolicyError(FetchError):
    """The crawler refused a URL on purpose (robots.txt, SSRF guard, scheme)."""


class ExtractionError(PipelineError):
    """A page could not be turned into an article record."""


class WarehouseError(PipelineError):
    """DuckDB refused a statement, a migration, or the file is unusable."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the database file; trying again later may work."""

    transient = True


class ArchiveError(PipelineError):
    """A WARC file is unreadable, torn, or disagrees with its index."""


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` is one of ours and marked as worth retrying."""
    return isinstance(exc, PipelineError) and exc.transient


def describe_error(exc: BaseException) -> str:
    """One line for an error: ours by their message, others prefixed with their type."""
    kind = type(exc)
    text = " ".join(str(exc).split()) or kind.__name__
    if isinstance(exc, PipelineError):
        return text
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{name}: {text}"
