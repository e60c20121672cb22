"""Builders for warehouse tests: article records whose quotes sit at their offsets, fetch rows, captures."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from extractors.record import ArticleRecord, Campaign, Figure, Hospital
from warehouse.types import Capture, FetchRow

__all__ = ["ROOT", "capture", "fetch_row", "fig", "record", "subprocess_env"]

from tests.helpers import ROOT

HANOI = "Công an thành phố Hà Nội"


def fig(
    quote: str,
    value: float,
    kind: str = "blood_units",
    role: str = "achieved",
    approx: str | None = None,
    value_max: float | None = None,
) -> tuple[str, float, str, str, str | None, float | None]:
    """A figure to place in ``record``: found in the text by its quote."""
    return (quote, value, kind, role, approx, value_max)


def record(
    url: str,
    text: str,
    figures: Sequence[tuple[str, float, str, str, str | None, float | None]] = (),
    *,
    key: str | None = "hanh-trinh-do",
    name: str | None = "Hành trình Đỏ",
    organizer: str | None = HANOI,
    year: int | None = 2022,
    published: str | None = "2022-06-05T08:00:00+07:00",
    version: str = "0.1.0",
    canonical: str | None = None,
    hospitals: Sequence[str] = (),
    title: str | None = "Tin hiến máu",
) -> ArticleRecord:
    """An article record; each figure's and hospital's offsets are where its quote first appears."""
    figs: list[Figure] = []
    for quote, value, kind, role, approx, value_max in figures:
        start = text.index(quote)
        figs.append(
            Figure(
                value=value,
                value_max=value_max,
                approx=approx,  # type: ignore[arg-type]
                kind=kind,  # type: ignore[arg-type]
                role=role,  # type: ignore[arg-type]
                unit_text=None,
                quote=quote,
                start=start,
                end=start + len(quote),
            )
        )
    hosp = tuple(Hospital(h, text.index(h), text.index(h) + len(h)) for h in hospitals)
    campaign = None if key is None and organizer is None else Campaign(name, key, year, organizer)
    return ArticleRecord(
        url=url,
        canonical_url=canonical,
        site=url.split("/")[2],
        title=title,
        published=published,
        section="Xã hội",
        language="vi",
        text=text,
        campaign=campaign,
        figures=tuple(figs),
        hospitals=hosp,
        extractor_version=version,
    )


def fetch_row(url: str, *, run_id: str | None = "run-1", source: str = "cand", **kw: object) -> FetchRow:
    base: dict[str, object] = {
        "url": url,
        "final_url": url,
        "status": 200,
        "error": None,
        "outcome": "fetched",
        "kind": "article",
        "source": source,
        "bytes": 1234,
        "fetched_at": "2026-11-25T19:00:00Z",
        "content_type": "text/html",
        "run_id": run_id,
    }
    base.update(kw)
    return FetchRow(**base)  # type: ignore[arg-type]


def capture(capture_id: str, url: str, digest: str = "sha1:AAAA", **kw: object) -> Capture:
    base: dict[str, object] = {
        "capture_id": capture_id,
        "url": url,
        "fetched_at": "2026-11-25T19:00:00Z",
        "status": 200,
        "content_type": "text/html",
        "payload_digest": digest,
        "warc_file": "crawl-00000.warc.gz",
        "offset": 0,
        "length": 100,
    }
    base.update(kw)
    return Capture(**base)  # type: ignore[arg-type]


def subprocess_env() -> dict[str, str]:
    """Environment for child Python processes: the repository importable."""
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


PYTHON = sys.executable
