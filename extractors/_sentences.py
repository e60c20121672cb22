"""Sentences, clauses and comma phrases of one text: the structure roles are read in.

A sentence ends at ".", "!", "?" or "…" followed by a space and a capital (not after an
abbreviation: "TP. Hồ Chí Minh"), and at a line break before a capital (a hard line break inside a
sentence does not end it). A clause starts at an opener of the lexicon ("; ", ", trong đó",
", nhưng", " (" …) and after a closing parenthesis; a comma phrase ends at ", ". The lines of a
list under a heading that ends in ":" are read with that heading (:meth:`Sentences.list_header`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from extractors import _lexicon as lx

__all__ = ["Sentence", "Sentences", "segments"]

_OPENERS = re.compile("|".join(re.escape(p) for p in lx.forms(lx.section("roles", "clause_openers"))))
_ABBREVIATIONS = set(lx.forms(lx.section("sentences", "abbreviations")))
_MAX_LIST_ITEMS, _MAX_ITEM_LENGTH = 15, 160  # how far up a list's heading is looked for
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)]*\s+|\n+")
_PEOPLE = lx.phrase_pattern(lx.section("figures", "contexts", "people_words")).pattern
_PEOPLE_BEFORE = re.compile(rf"(?:{_PEOPLE})$")
_PEOPLE_AFTER = re.compile(rf"(?:{_PEOPLE})(?![^\W_])")


@dataclass(slots=True)
class Sentence:
    """One sentence's span and its clauses."""

    start: int
    end: int
    clauses: list[tuple[int, int, bool]] = field(default_factory=list)  # (start, end, in parentheses)


def _split_sentences(text: str, mf: str) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(mf):
        nxt = text[m.end() : m.end() + 1]
        if "\n" not in m.group():
            word = mf[max(0, m.start() - 12) : m.start() + 1].rsplit(" ", 1)[-1].lstrip('("“')
            if nxt.islower() or word in _ABBREVIATIONS:
                continue  # "TP. Hồ Chí Minh", "ThS. Nguyễn …"
        elif nxt.islower():
            continue  # a hard line break inside a sentence
        if m.start() > start:
            out.append(Sentence(start, m.start()))
        start = m.end()
    if start < len(mf):
        out.append(Sentence(start, len(mf)))
    for sent in out:
        sent.clauses = _split_clauses(mf, sent.start, sent.end)
    return out


def _split_clauses(mf: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    cuts: list[tuple[int, bool]] = [(start, False)]
    for m in _OPENERS.finditer(mf, start, end):
        cut = m.start() + (len(m.group()) - len(m.group().lstrip(" ,;")) if m.group() != "; " else 0)
        cuts.append((cut, "(" in m.group()))
    for m in re.finditer(r"\)", mf[start:end]):
        cuts.append((start + m.end(), False))
    cuts.sort()
    clauses = []
    for i, (cut, paren) in enumerate(cuts):
        stop = cuts[i + 1][0] if i + 1 < len(cuts) else end
        if stop > cut:
            clauses.append((cut, stop, paren))
    return clauses


def segments(mf: str, start: int, end: int) -> list[tuple[int, int]]:
    """The comma phrases of ``mf[start:end]`` (a comma followed by a space ends one), but for the
    comma inside a list of people ("cho 150.000 đoàn viên, người lao động với …")."""
    out, pos = [], start
    for m in re.finditer(r",\s", mf[start:end]):
        at = start + m.start()
        if _PEOPLE_BEFORE.search(mf, max(start, at - 24), at) and _PEOPLE_AFTER.match(mf, at + 2):
            continue
        out.append((pos, at))
        pos = start + m.end()
    out.append((pos, end))
    return out


class Sentences:
    """The sentences of one text and their clauses, asked by position."""

    def __init__(self, text: str, mf: str) -> None:
        self.mf = mf
        self.sentences = _split_sentences(text, mf)
        self._starts = [s.start for s in self.sentences]

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def sentence_span(self, pos: int) -> tuple[int, int]:
        s = self.sentences[self.sentence_index(pos)] if self.sentences else Sentence(0, len(self.mf))
        return s.start, s.end

    def list_header(self, pos: int) -> tuple[int, int] | None:
        """The heading line of the list whose item line holds ``pos`` ("Số máu được chuyển tới 4
        bệnh viện, cụ thể:" over "Bệnh viện 19-8: 900 đơn vị;"), or None when that line is no item
        of a list: the lines above it, up to a line ending in ":", must all be items (short, not
        ending a sentence with ".")."""
        mf = self.mf
        line_start = mf.rfind("\n", 0, pos) + 1
        end = line_start - 1
        for _ in range(_MAX_LIST_ITEMS):
            if end <= 0:
                return None
            start = mf.rfind("\n", 0, end) + 1
            line = mf[start:end].rstrip()
            if line.endswith(":"):
                return start, end
            if not line or len(line) > _MAX_ITEM_LENGTH or line.endswith((".", "!", "?")):
                return None
            end = start - 1
        return None

    def clause_span(self, pos: int) -> tuple[int, int]:
        if not self.sentences:
            return 0, len(self.mf)
        for start, end, _ in self.sentences[self.sentence_index(pos)].clauses:
            if start <= pos < end:
                return start, end
        return self.sentence_span(pos)
