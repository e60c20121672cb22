"""Scoring extraction against hand-checked readings: the audit's arithmetic.

Pure functions over the projection used by expected files (``value``, ``kind``,
``role``, ``quote`` per figure; hospital names; campaign fields). A figure is
found when value and kind match (the quality bar's definition); the quote breaks
ties between equal values. Role accuracy is measured over found figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FieldScore", "FixtureDiff", "Scorecard", "diff_fixture", "score"]


@dataclass(slots=True)
class FieldScore:
    """Counts for one field; precision/recall/F1 or accuracy derive from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class FixtureDiff:
    """What one fixture's extraction got wrong, for a readable report."""

    slug: str
    missing: tuple[dict[str, Any], ...]
    extra: tuple[dict[str, Any], ...]
    wrong_role: tuple[tuple[dict[str, Any], dict[str, Any]], ...]
    fields: tuple[tuple[str, Any, Any], ...]  # (field, expected, got)

    @property
    def changed(self) -> bool:
        return bool(self.missing or self.extra or self.wrong_role or self.fields)


@dataclass(slots=True)
class Scorecard:
    """Scores over a set of fixtures: figures by kind and by role, and per-field accuracy."""

    figures: FieldScore = field(default_factory=FieldScore)
    by_kind: dict[str, FieldScore] = field(default_factory=dict)
    by_role: dict[str, FieldScore] = field(default_factory=dict)
    hospitals: FieldScore = field(default_factory=FieldScore)
    role_right: int = 0
    role_total: int = 0
    exact: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    diffs: list[FixtureDiff] = field(default_factory=list)

    @property
    def role_accuracy(self) -> float:
        return self.role_right / self.role_total if self.role_total else 1.0

    def accuracy(self, name: str) -> float:
        return self.exact[name] / self.total[name] if self.total[name] else 1.0

    def metrics(self) -> dict[str, float]:
        """Flat name → value, the shape of the committed baseline of floors."""
        out = {
            "figures.precision": self.figures.precision,
            "figures.recall": self.figures.recall,
            "figures.f1": self.figures.f1,
            "figures.role_accuracy": self.role_accuracy,
            "hospitals.f1": self.hospitals.f1,
        }
        for name in sorted(self.total):
            out[f"{name}.accuracy"] = self.accuracy(name)
        for kind, s in sorted(self.by_kind.items()):
            out[f"kind.{kind}.f1"] = s.f1
        for role, s in sorted(self.by_role.items()):
            out[f"role.{role}.f1"] = s.f1
        return {k: round(v, 4) for k, v in out.items()}


def _match(expected: Sequence[Mapping[str, Any]], got: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """Pair figures equal in value and kind, preferring the same quote, each used once."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for prefer_quote in (True, False):
        for i, e in enumerate(expected):
            if any(i == a for a, _ in pairs):
                continue
            for j, g in enumerate(got):
                if j in used or g["kind"] != e["kind"] or float(g["value"]) != float(e["value"]):
                    continue
                if prefer_quote and g.get("quote") != e.get("quote"):
                    continue
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


def diff_fixture(slug: str, expected: Mapping[str, Any], got: Mapping[str, Any]) -> FixtureDiff:
    exp_f, got_f = list(expected.get("figures", [])), list(got.get("figures", []))
    pairs = _match(exp_f, got_f)
    matched_e = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    fields = tuple(
        (name, expected.get(name), got.get(name))
        for name in ("title", "published", "campaign", "hospitals")
        if expected.get(name) != got.get(name)
    )
    return FixtureDiff(
        slug=slug,
        missing=tuple(f for i, f in enumerate(exp_f) if i not in matched_e),
        extra=tuple(f for j, f in enumerate(got_f) if j not in matched_g),
        wrong_role=tuple((exp_f[i], got_f[j]) for i, j in pairs if exp_f[i]["role"] != got_f[j]["role"]),
        fields=fields,
    )


def _count(score: FieldScore, expected: Iterable[Any], got: Iterable[Any]) -> None:
    e, g = Counter(expected), Counter(got)
    common = sum((e & g).values())
    score.tp += common
    score.fp += sum(g.values()) - common
    score.fn += sum(e.values()) - common


def score(items: Iterable[tuple[str, Mapping[str, Any], Mapping[str, Any]]]) -> Scorecard:
    """Score (slug, expected, got) triples; ``got`` is the same projection as the expected files."""
    card = Scorecard()
    for slug, expected, got in items:
        exp_f, got_f = list(expected.get("figures", [])), list(got.get("figures", []))
        pairs = _match(exp_f, got_f)
        card.figures.tp += len(pairs)
        card.figures.fp += len(got_f) - len(pairs)
        card.figures.fn += len(exp_f) - len(pairs)
        card.role_total += len(pairs)
        card.role_right += sum(exp_f[i]["role"] == got_f[j]["role"] for i, j in pairs)
        for kind in {f["kind"] for f in exp_f + got_f}:
            _count(
                card.by_kind.setdefault(kind, FieldScore()),
                [float(f["value"]) for f in exp_f if f["kind"] == kind],
                [float(f["value"]) for f in got_f if f["kind"] == kind],
            )
        for role in {f["role"] for f in exp_f + got_f}:
            _count(
                card.by_role.setdefault(role, FieldScore()),
                [(f["kind"], float(f["value"])) for f in exp_f if f["role"] == role],
                [(f["kind"], float(f["value"])) for f in got_f if f["role"] == role],
            )
        _count(card.hospitals, expected.get("hospitals", []), got.get("hospitals", []))
        exp_c, got_c = expected.get("campaign") or {}, got.get("campaign") or {}
        checks = {
            "title": (expected.get("title"), got.get("title")),
            "published": (expected.get("published"), got.get("published")),
            "campaign.name": (exp_c.get("name"), got_c.get("name")),
            "campaign.key": (exp_c.get("key"), got_c.get("key")),
            "campaign.year": (exp_c.get("year"), got_c.get("year")),
            "campaign.organizer": (exp_c.get("organizer"), got_c.get("organizer")),
        }
        for name, (want, have) in checks.items():
            card.total[name] += 1
            card.exact[name] += want == have
        diff = diff_fixture(slug, expected, got)
        if diff.changed:
            card.diffs.append(diff)
    return card
