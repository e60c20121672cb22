"""The real corpus (``../shared/realcorpus/articles.jsonl``) holds its pinned floors.

Each line's article is read as text and scored by the corpus's own rules
(``tests.extractors.corpus``) against the floors in ``fixtures/realcorpus-baseline.json``,
as ``campaigns audit`` holds the fixture corpora to theirs. The corpus is read in place and never
copied into the project; the test is skipped where it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.steps.audit import check_floors
from tests.extractors.corpus import corpus_scorecard
from tests.helpers import ROOT

BASELINE = ROOT / "fixtures" / "realcorpus-baseline.json"


def test_the_real_corpus_holds_its_floors(shared_dir: Path) -> None:
    corpus = shared_dir / "realcorpus" / "articles.jsonl"
    if not corpus.exists():
        pytest.skip("../shared/realcorpus is not present")
    card = corpus_scorecard(corpus)
    assert check_floors(card, BASELINE) == ()
    # the bars on this development set
    assert card.figures.f1 >= 0.92 and card.role_accuracy >= 0.90
