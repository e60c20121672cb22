"""Scoring extraction against hand-checked readings: the audit's arithmetic.

Pure functions over the projection used by expected files (``value``, ``value_max``,
``approx``, ``kind``, ``role``, ``quote`` per figure; hospital names; campaign fields).

:func:`score` holds the fixtures' rules: a figure is found when value and kind match
(the quality bar's definition); the quote breaks ties between equal values. Role,
``approx`` and ``value_max`` accuracy are measured over found figures.

:func:`score_corpus` holds the rules of the real corpus (``../shared/realcorpus/score.py``),
which differ from the fixtures' where the corpus reads differently:

* only figures of a core kind (not ``other``) are scored; a prediction that matches an
  ``other`` figure by value is not counted against the extractor, and neither is a
  prediction of kind ``other``;
* values match within a relative 1e-6 (the corpus writes decimals as read);
* hospitals match loosely: names folded (no diacritics, lower case, punctuation as
  spaces), one holding the other counts;
* of the campaign only the year is compared, and only where a reader could know it
  (the page has a date, or the year is written in the title or text);
* ``figures.in_body``: the share of predicted quotes found in the article's words
  (1.0 when nothing came from related-news boxes or page furniture).

:func:`corpus_expected` turns one line of the real corpus (``articles.jsonl``) into the
expected projection that :func:`score_corpus` takes; :func:`corpus_article` gives the article
itself (url, title, body text, ISO date) for ``extractors.extract.record_from_text``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.normalize import normalize_paragraphs

__all__ = [
    "FieldScore",
    "FixtureDiff",
    "Scorecard",
    "corpus_article",
    "corpus_expected",
    "diff_fixture",
    "score",
    "score_corpus",
]


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
    approx_right: int = 0
    value_max_right: int = 0
    quotes_in_body: int = 0
    quotes_total: int = 0
    exact: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    diffs: list[FixtureDiff] = field(default_factory=list)

    @property
    def role_accuracy(self) -> float:
        return self.role_right / self.role_total if self.role_total else 1.0

    @property
    def approx_accuracy(self) -> float:
        """Share of found figures whose ``approx`` (hedge) is right."""
        return self.approx_right / self.role_total if self.role_total else 1.0

    @property
    def value_max_accuracy(self) -> float:
        """Share of found figures whose ``value_max`` (top of a range, or none) is right."""
        return self.value_max_right / self.role_total if self.role_total else 1.0

    def accuracy(self, name: str) -> float:
        return self.exact[name] / self.total[name] if self.total[name] else 1.0

    def metrics(self) -> dict[str, float]:
        """Flat name → value, the shape of the committed baseline of floors."""
        out = {
            "figures.precision": self.figures.precision,
            "figures.recall": self.figures.recall,
            "figures.f1": self.figures.f1,
            "figures.role_accuracy": self.role_accuracy,
            "figures.approx_accuracy": self.approx_accuracy,
            "figures.value_max_accuracy": self.value_max_accuracy,
            "hospitals.f1": self.hospitals.f1,
        }
        if self.quotes_total:
            out["figures.in_body"] = self.quotes_in_body / self.quotes_total
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


def _same_top(a: Any, b: Any) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and _close(a, b))


def _count_pairs(card: Scorecard, pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> None:
    """Role, approx and value_max accuracy over found figures (expected, got)."""
    card.role_total += len(pairs)
    card.role_right += sum(e["role"] == g["role"] for e, g in pairs)
    card.approx_right += sum(e.get("approx") == g.get("approx") for e, g in pairs)
    card.value_max_right += sum(_same_top(e.get("value_max"), g.get("value_max")) for e, g in pairs)


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
        _count_pairs(card, [(exp_f[i], got_f[j]) for i, j in pairs])
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


# -- the real corpus ---------------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    """Values equal within a relative 1e-6 (the corpus's rule)."""
    try:
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    except (TypeError, ValueError):
        return False


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00d0", "\u0110")
    return re.sub(r"\s+", " ", text).strip().lower()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", _norm(text)).replace("đ", "d")
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c))).strip()


def _corpus_published(published: str | None) -> str | None:
    """ "2024-06-12" or "2024-06" (day 15) as ISO 8601 at 08:00 +07:00, as the corpus dresses it."""
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", published or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3) or '15'}T08:00:00+07:00" if m else None


def _is_related(paragraph: str) -> bool:
    """A line "- Headline of another story" of the corpus text: an in-body related-news link."""
    return paragraph.startswith("- ") and len(paragraph) < 160 and not paragraph.rstrip().endswith(".")


def corpus_article(line: Mapping[str, Any]) -> dict[str, str | None]:
    """The article of one real-corpus line as a page would give it: ``url``, ``title``, ``text``
    (its paragraphs, normalised, without the in-body links to other stories that a page shows as
    links) and ``published`` (ISO 8601, +07:00, or None)."""
    text = re.sub(r"^\s*date \d{4}-\d{2}\s*", "", str(line.get("text") or ""))
    paragraphs = [p.strip() for p in re.split(r"\n+", text) if p.strip() and not _is_related(p.strip())]
    return {
        "url": line.get("url"),
        "title": line.get("title"),
        "text": normalize_paragraphs(paragraphs),
        "published": _corpus_published(line.get("published")),
    }


def corpus_expected(line: Mapping[str, Any]) -> dict[str, Any]:
    """The expected projection of one real-corpus line (``articles.jsonl``).

    Figures keep ``value``, ``value_max``, ``approx``, ``kind``, ``role`` and ``quote``; hospitals
    are names; the campaign has ``name``, ``year`` and ``organizer`` as the reader wrote them (no
    ``key``). ``published`` is ISO 8601 (+07:00) or None. Two fields are for :func:`score_corpus`
    only: ``year_known`` (whether a reader could know the year: the page has a date or the year is
    written in its words) and ``words`` (the article's words, normalised, to tell leaks).
    """
    text = str(line.get("text") or "")
    title = line.get("title")
    year = line.get("campaign_year")
    known = bool(line.get("published")) or (year is not None and str(year) in f"{title or ''}{text}")
    name, organizer = line.get("campaign"), line.get("organizer")
    return {
        "url": line.get("url"),
        "title": title,
        "published": _corpus_published(line.get("published")),
        "campaign": None
        if name is None and organizer is None and year is None
        else {"name": name, "year": year, "organizer": organizer},
        "figures": [
            {k: f.get(k) for k in ("value", "value_max", "approx", "kind", "role", "quote")}
            for f in line.get("figures") or []
        ],
        "hospitals": list(line.get("hospitals") or []),
        "year_known": known,
        "words": _norm(text),
    }


def _corpus_figures(card: Scorecard, expected: Mapping[str, Any], got: Mapping[str, Any]) -> None:
    gold = list(expected.get("figures") or [])
    preds = list(got.get("figures") or [])
    words = expected.get("words")
    if words is not None:
        card.quotes_total += len(preds)
        card.quotes_in_body += sum(
            bool(q) and q in words for q in (_norm(str(p.get("quote", ""))) for p in preds)
        )
    used: set[int] = set()
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    core = [g for g in gold if g["kind"] != "other"]
    for g in core:
        for i, p in enumerate(preds):
            if i not in used and p.get("kind") == g["kind"] and _close(p.get("value"), g["value"]):
                used.add(i)
                pairs.append((g, p))
                card.by_kind.setdefault(g["kind"], FieldScore()).tp += 1
                break
        else:
            card.by_kind.setdefault(g["kind"], FieldScore()).fn += 1
    for g in gold:  # a prediction matching an 'other' figure of the reading is no false positive
        if g["kind"] == "other":
            free = [j for j, p in enumerate(preds) if j not in used and _close(p.get("value"), g["value"])]
            used.update(free[:1])
    extra = [p for i, p in enumerate(preds) if i not in used and p.get("kind") != "other"]
    for p in extra:
        card.by_kind.setdefault(str(p.get("kind")), FieldScore()).fp += 1
    card.figures.tp += len(pairs)
    card.figures.fn += len(core) - len(pairs)
    card.figures.fp += len(extra)
    _count_pairs(card, pairs)
    for e, g in pairs:
        role = card.by_role.setdefault(e["role"], FieldScore())
        if e["role"] == g.get("role"):
            role.tp += 1
        else:
            role.fn += 1
            card.by_role.setdefault(str(g.get("role")), FieldScore()).fp += 1


def score_corpus(items: Iterable[tuple[str, Mapping[str, Any], Mapping[str, Any]]]) -> Scorecard:
    """Score (id, expected, got) triples by the real corpus's rules (see the module's doc).

    ``expected`` comes from :func:`corpus_expected`; ``got`` is the projection of a record
    (``flows.audit.project``: figures with value, value_max, approx, kind, role, quote; hospital
    names; the campaign). ``by_role`` counts roles over found figures.
    """
    card = Scorecard()
    for _id, expected, got in items:
        _corpus_figures(card, expected, got)
        gold_h = {_fold(h) for h in expected.get("hospitals") or []}
        got_h = {_fold(h["name"] if isinstance(h, Mapping) else str(h)) for h in got.get("hospitals") or []}
        got_h.discard("")
        hit = {g for g in gold_h if any(g == p or g in p or p in g for p in got_h)}
        card.hospitals.tp += len(hit)
        card.hospitals.fn += len(gold_h - hit)
        card.hospitals.fp += sum(1 for p in got_h if not any(g == p or g in p or p in g for g in gold_h))
        exp_c, got_c = expected.get("campaign") or {}, got.get("campaign") or {}
        if exp_c.get("year") is not None and expected.get("year_known", True):
            card.total["campaign.year"] += 1
            card.exact["campaign.year"] += exp_c.get("year") == got_c.get("year")
    return card
