"""Pure extraction: HTML in, an :class:`ArticleRecord` out, no I/O."""

from extractors.record import EXTRACTOR_VERSION, ArticleRecord, Campaign, Figure, Hospital

__all__ = ["EXTRACTOR_VERSION", "ArticleRecord", "Campaign", "Figure", "Hospital"]
