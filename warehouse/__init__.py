"""DuckDB schema, loads and queries, and the WARC archive. Only this package speaks SQL."""

from warehouse.types import Capture, Exchange, FetchRow

__all__ = ["Capture", "Exchange", "FetchRow"]
