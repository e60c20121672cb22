"""The real corpus (``../shared/realcorpus/articles.jsonl``) holds its pinned floors.

Each line's article is read as text (``extractors.scoring.corpus_article``, then
``extractors.extract.record_from_text``) and scored by the corpus's own rules
(``extractors.scoring.score_corpus``) against the floors in ``fixtures/realcorpus-baseline.json``,
as ``campaigns audit`` holds the fixture corpora to theirs. The corpus is read in place and never
copied into the project; the test is skipped where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.extract import record_from_text
from extractors.scoring import Scorecard, corpus_article, corpus_expected, score_corpus
from flows.steps.audit import check_floors, project
from tests.helpers import ROOT

BASELINE = ROOT / "fixtures" / "realcorpus-baseline.json"


def corpus_scorecard(path: Path) -> Scorecard:
    """Score every line of a corpus file of the real corpus's shape."""
    triples = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        article = corpus_article(line)
        record = record_from_text(
            article["url"], article["title"], article["text"] or "", article["published"]
        )
        triples.append((str(line.get("id")), corpus_expected(line), project(record.to_dict())))
    return score_corpus(triples)


def test_the_real_corpus_holds_its_floors(shared_dir: Path) -> None:
    corpus = shared_dir / "realcorpus" / "articles.jsonl"
    if not corpus.exists():
        pytest.skip("../shared/realcorpus is not present")
    card = corpus_scorecard(corpus)
    assert check_floors(card, BASELINE) == ()
    # the bars on this development set
    assert card.figures.f1 >= 0.92 and card.role_accuracy >= 0.90
