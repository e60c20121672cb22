"""Score a corpus of articles in the real corpus's shape (one JSON line per article, with its hand
reading) by the real corpus's rules, reading each article as text.

Each line's article is read as a page would give it (``extractors.scoring.corpus_article``, then
``extractors.extract.record_from_text``) and scored by ``extractors.scoring.score_corpus``, as
``campaigns audit`` holds the fixture corpora to their floors.
"""

from __future__ import annotations

import json
from pathlib import Path

from extractors.extract import record_from_text
from extractors.scoring import Scorecard, corpus_article, corpus_expected, score_corpus
from flows.steps.audit import project


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
