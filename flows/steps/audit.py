"""Auditing extraction against the saved fixtures: scorecard, diffs, pinned floors.

``audit_fixtures`` re-extracts every ``fixtures/<site>/<slug>.html`` and scores it
against its hand-checked ``<slug>.expected.json``; ``check_floors`` compares the
scorecard with the committed baseline (``fixtures/audit-baseline.json``).
:func:`default_fixtures_dir` is the folder audited when none is named: ``./fixtures``
of the directory the command runs in, else the project's own (the demo serves those).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import ConfigError
from extractors.extract import extract_article, record_from_text
from extractors.scoring import FixtureDiff, Scorecard, corpus_article, corpus_expected, score, score_corpus

__all__ = [
    "BASELINE_NAME",
    "PROJECT_FIXTURES",
    "AuditResult",
    "audit_corpus",
    "audit_fixtures",
    "check_floors",
    "default_fixtures_dir",
    "fixture_pages",
    "project",
    "render_diff",
    "rewrite_expected",
    "write_baseline",
    "write_expected",
]

BASELINE_NAME = "audit-baseline.json"
#: The project's own fixtures (golden tests, demo sites, the packaged audit).
PROJECT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_KEPT = ("relevant", "must_not_extract", "notes")


@dataclass(frozen=True, slots=True)
class AuditResult:
    card: Scorecard
    pages: int
    failures: tuple[str, ...]  # floors broken: "figures.f1 0.8700 < floor 0.9000"


def default_fixtures_dir(cwd: Path | None = None) -> Path:
    """``./fixtures`` of ``cwd`` (default: the working directory) when it holds fixture pages, else
    the project's own: a user's fixtures are what the audit holds the extractor against."""
    here = (cwd or Path.cwd()) / "fixtures"
    if here.is_dir() and any(here.glob("*/*.expected.json")):
        return here
    return PROJECT_FIXTURES


def project(record: dict[str, Any]) -> dict[str, Any]:
    """The hand-checkable part of a record: what an expected file holds."""
    return {
        "url": record["url"],
        "title": record["title"],
        "published": record["published"],
        "site": record["site"],
        "section": record["section"],
        "campaign": record["campaign"],
        "figures": [
            {k: f[k] for k in ("value", "value_max", "approx", "kind", "role", "quote")}
            for f in record["figures"]
        ],
        "hospitals": [h["name"] for h in record["hospitals"]],
    }


def write_expected(path: Path, data: dict[str, Any]) -> None:
    """An expected file as the fixtures keep them: UTF-8 JSON, 2-space indent, final newline."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def rewrite_expected(path: Path, expected: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """Replace the reading with ``got``, keeping the human parts (relevance, traps, notes)."""
    data = {**got, **{k: expected[k] for k in _KEPT if k in expected}}
    write_expected(path, data)
    return data


def fixture_pages(fixtures_dir: Path) -> Iterator[tuple[str, Path, Path]]:
    """(slug, html, expected) for every fixture page that has an expected file."""
    for page in sorted(fixtures_dir.glob("*/*.html")):
        expected = page.with_suffix(".expected.json")
        if expected.exists():
            yield f"{page.parent.name}/{page.stem}", page, expected


def audit_fixtures(fixtures_dir: Path, *, update: bool = False) -> AuditResult:
    """Re-extract every fixture and score it; with ``update`` rewrite the expected files."""
    triples = []
    for slug, page, exp_path in fixture_pages(fixtures_dir):
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        got = project(extract_article(page.read_bytes(), expected.get("url")).to_dict())
        if update:
            expected = rewrite_expected(exp_path, expected, got)
        triples.append((slug, expected, got))
    card = score(triples)
    failures = check_floors(card, fixtures_dir / BASELINE_NAME)
    if update:
        write_baseline(card, fixtures_dir / BASELINE_NAME)
        failures = ()
    return AuditResult(card=card, pages=len(triples), failures=failures)


def audit_corpus(corpus: Path, *, floors: Path | None = None, update: bool = False) -> AuditResult:
    """Score a JSON Lines corpus of the real corpus's shape (``../shared/realcorpus/articles.jsonl``:
    an article's words with a hand reading per line) by the corpus's rules, approx and value_max
    included; hold it to ``floors`` (default: ``audit-baseline.json`` beside the corpus); with
    ``update`` pin today's scores as the floors."""
    triples = []
    try:
        lines = corpus.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read corpus {corpus}: {exc}") from None
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            article = corpus_article(line)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{corpus}:{number}: not a corpus line ({exc})") from None
        record = record_from_text(
            article["url"], article["title"], article["text"] or "", article["published"]
        )
        triples.append((str(line.get("id", number)), corpus_expected(line), project(record.to_dict())))
    card = score_corpus(triples)
    baseline = floors or corpus.with_name(BASELINE_NAME)
    if update:
        write_baseline(card, baseline)
        return AuditResult(card=card, pages=len(triples), failures=())
    return AuditResult(card=card, pages=len(triples), failures=check_floors(card, baseline))


def check_floors(card: Scorecard, baseline: Path) -> tuple[str, ...]:
    """Every metric below its pinned floor, as readable lines (empty when all hold)."""
    if not baseline.exists():
        return ()
    floors: dict[str, float] = json.loads(baseline.read_text(encoding="utf-8")).get("floors", {})
    metrics = card.metrics()
    out = []
    for name, floor in sorted(floors.items()):
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: no longer measured (floor {floor:.4f})")
        elif value + 1e-9 < floor:
            out.append(f"{name} {value:.4f} < floor {floor:.4f}")
    return tuple(out)


def write_baseline(card: Scorecard, baseline: Path) -> None:
    """Pin today's scores as floors (rounded down to 2 decimals)."""
    floors = {k: math.floor(v * 100) / 100 for k, v in card.metrics().items()}
    baseline.write_text(json.dumps({"floors": floors}, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _fig(f: dict[str, Any]) -> str:
    approx = f" ~{f['approx']}" if f.get("approx") else ""
    top = f"-{f['value_max']}" if f.get("value_max") is not None else ""
    return f"{f['value']}{top}{approx} {f['kind']}/{f['role']} «{f.get('quote', '')}»"


def render_diff(diff: FixtureDiff) -> list[str]:
    """Readable lines: expected vs got for one fixture that changed."""
    lines = [f"--- {diff.slug}"]
    lines += [f"  missing  {_fig(f)}" for f in diff.missing]
    lines += [f"  extra    {_fig(f)}" for f in diff.extra]
    lines += [f"  role     {_fig(e)}  got {g['role']}" for e, g in diff.wrong_role]
    lines += [f"  {name}: expected {want!r}, got {have!r}" for name, want, have in diff.fields]
    return lines
