"""The article record: frozen dataclasses whose dict form is the spec's JSON.

See ``../shared/spec/article-record.md``. ``ArticleRecord.to_dict()`` is what
``campaigns extract`` prints and what the warehouse stores; ``from_dict`` reads
it back (used by the audit and re-extraction diffs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

__all__ = [
    "APPROX",
    "EXTRACTOR_VERSION",
    "KINDS",
    "ROLES",
    "ArticleRecord",
    "Campaign",
    "Figure",
    "Hospital",
]

#: Bumped whenever extraction output may change; stored with every record so
#: re-extraction keeps old versions beside new ones.
EXTRACTOR_VERSION = "0.3.3"

Kind = Literal[
    "blood_units",
    "participants",
    "registrations",
    "sites",
    "hospitals",
    "members",
    "patients",
    "donations_per_person",
    "gifts",
    "money_vnd",
    "days",
    "other",
]
Role = Literal["target", "achieved", "cumulative", "other"]
Approx = Literal["more_than", "nearly", "about", "at_least", "range"] | None

KINDS: tuple[str, ...] = get_args(Kind)
ROLES: tuple[str, ...] = get_args(Role)
APPROX: tuple[str | None, ...] = (None, *get_args(get_args(Approx)[0]))


def _num(value: float) -> int | float:
    """Integral values print as integers (2300, not 2300.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of the article: what it counts, what it means, where it is first stated.

    One figure per fact: ``quote``/``start``/``end`` are its first mention and ``mentions``
    counts how often the article states it (same kind, role, value, value_max and approx).
    """

    value: int | float
    value_max: int | float | None
    approx: Approx
    kind: Kind
    role: Role
    unit_text: str | None
    quote: str
    start: int
    end: int
    mentions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _num(self.value),
            "value_max": None if self.value_max is None else _num(self.value_max),
            "approx": self.approx,
            "kind": self.kind,
            "role": self.role,
            "unit_text": self.unit_text,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "mentions": self.mentions,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        return cls(
            value=d["value"],
            value_max=d.get("value_max"),
            approx=d.get("approx"),
            kind=d["kind"],
            role=d["role"],
            unit_text=d.get("unit_text"),
            quote=d["quote"],
            start=int(d["start"]),
            end=int(d["end"]),
            mentions=int(d.get("mentions") or 1),
        )


@dataclass(frozen=True, slots=True)
class Hospital:
    """A hospital or blood institute named in the text, with its offsets."""

    name: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Hospital:
        return cls(name=d["name"], start=int(d["start"]), end=int(d["end"]))


@dataclass(frozen=True, slots=True)
class Campaign:
    """The campaign an article belongs to; ``key`` joins the same campaign across years."""

    name: str | None
    key: str | None
    year: int | None
    organizer: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "key": self.key, "year": self.year, "organizer": self.organizer}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Campaign:
        return cls(name=d.get("name"), key=d.get("key"), year=d.get("year"), organizer=d.get("organizer"))


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """Everything extraction knows about one article page."""

    url: str
    canonical_url: str | None
    site: str
    title: str | None
    published: str | None
    section: str | None
    language: str | None
    text: str
    campaign: Campaign | None
    figures: tuple[Figure, ...] = field(default_factory=tuple)
    hospitals: tuple[Hospital, ...] = field(default_factory=tuple)
    extractor_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "canonical_url": self.canonical_url,
            "site": self.site,
            "title": self.title,
            "published": self.published,
            "section": self.section,
            "language": self.language,
            "text": self.text,
            "campaign": None if self.campaign is None else self.campaign.to_dict(),
            "figures": [f.to_dict() for f in self.figures],
            "hospitals": [h.to_dict() for h in self.hospitals],
            "extractor_version": self.extractor_version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleRecord:
        camp = d.get("campaign")
        return cls(
            url=d["url"],
            canonical_url=d.get("canonical_url"),
            site=d["site"],
            title=d.get("title"),
            published=d.get("published"),
            section=d.get("section"),
            language=d.get("language"),
            text=d["text"],
            campaign=None if camp is None else Campaign.from_dict(camp),
            figures=tuple(Figure.from_dict(f) for f in d.get("figures", [])),
            hospitals=tuple(Hospital.from_dict(h) for h in d.get("hospitals", [])),
            extractor_version=d.get("extractor_version", ""),
        )
