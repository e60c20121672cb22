"""The kinds of figures as data (``kinds.toml``): names, labels, which are year-over-year columns.

Everything that lists kinds derives from :data:`KIND_TABLE`: the year-over-year columns
(:data:`YOY_KINDS`, :data:`HEADLINE_KINDS`), the report's and the CLI's labels. The
record's ``Kind`` type and the warehouse's ``CHECK`` constraint are written out where
Python and SQL need them, and tests hold them equal to this table.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HEADLINE_KINDS", "KIND_TABLE", "YOY_KINDS", "KindInfo", "label", "short_label"]


@dataclass(frozen=True, slots=True)
class KindInfo:
    """One row of the kinds table."""

    name: str
    label: str
    short: str
    yoy: bool = False
    headline: bool = False


def _load() -> tuple[KindInfo, ...]:
    with (Path(__file__).with_name("kinds.toml")).open("rb") as fh:
        return tuple(KindInfo(**row) for row in tomllib.load(fh)["kinds"])


KIND_TABLE: tuple[KindInfo, ...] = _load()
_BY_NAME = {k.name: k for k in KIND_TABLE}

#: The kinds ``campaign_yoy`` turns into target/achieved columns, in display order.
YOY_KINDS: tuple[str, ...] = tuple(k.name for k in KIND_TABLE if k.yoy)
#: The year-over-year kinds shown even when no year has a value.
HEADLINE_KINDS: tuple[str, ...] = tuple(k.name for k in KIND_TABLE if k.headline)


def label(kind: str) -> str:
    """The kind's name for people ("Blood units"); the kind itself when unknown."""
    info = _BY_NAME.get(kind)
    return info.label if info else kind


def short_label(kind: str) -> str:
    """The kind's name in a compact table ("blood")."""
    info = _BY_NAME.get(kind)
    return info.short if info else kind
