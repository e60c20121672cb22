"""The packaged word lists (``lexicon.toml``), loaded once, in the text's matching form.

Every phrase of the lexicon is NFC-normalised and lower-cased with
:func:`extractors.normalize.match_form`, the same form the extractors search in,
so offsets found in it are offsets in the text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from extractors.normalize import match_form, normalize_text

__all__ = [
    "LUNAR_RE",
    "NAMED_YEAR_RE",
    "form",
    "forms",
    "hedge_alternation",
    "lexicon",
    "lunar_year",
    "phrase_pattern",
    "regex_pattern",
    "section",
    "trie_alternation",
]

#: Lookarounds that make a phrase a whole word run (no letter or digit glued to either side).
_WORD_START = r"(?<![^\W_])"
_WORD_END = r"(?![^\W_])"
#: A year written after "năm" ("năm 2022", "năm học 2023"): group 1 is the year.
NAMED_YEAR_RE = re.compile(r"(?<![^\W_])năm (?:học )?((?:19|20)\d{2})(?!\d)")


@cache
def lexicon() -> dict[str, Any]:
    """The parsed ``lexicon.toml`` of this package."""
    raw = resources.files("extractors").joinpath("lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def section(*path: str) -> Any:
    """A nested table or value of the lexicon: ``section("numbers", "hedges")``."""
    node: Any = lexicon()
    for key in path:
        node = node[key]
    return node


def form(phrase: str) -> str:
    """The matching form of one lexicon phrase."""
    return match_form(normalize_text(phrase))


def forms(phrases: Iterable[str]) -> tuple[str, ...]:
    """Matching forms, longest first (so an alternation prefers the longest phrase)."""
    return tuple(sorted({form(p) for p in phrases}, key=lambda p: (-len(p), p)))


def _joined(word_start: list[str], others: list[str]) -> re.Pattern[str]:
    """Alternatives that start a word share one look-behind (fast to reject inside words)."""
    parts = []
    if word_start:
        parts.append(f"{_WORD_START}(?:{'|'.join(word_start)})")
    parts += others
    return re.compile("|".join(parts) if parts else r"(?!x)x")


def trie_alternation(phrases: Iterable[str], end: str = _WORD_END) -> str:
    """Literal phrases as one regex that tries the longest first, written as a trie ("đơn vị(?:
    máu(?!…)|(?!…))"): it compiles and scans much faster than a flat alternation of hundreds of
    phrases, and matches the same. A phrase that ends in a letter or digit must end a word
    (``end``); no capture groups."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any], last: str) -> str:
        alts = [re.escape(ch) + build(node[ch], ch) for ch in sorted(k for k in node if k)]
        if "" in node:
            alts.append(end if last.isalnum() else "")  # the phrase itself, after every longer one
        if len(alts) == 1:
            return alts[0]
        return f"(?:{'|'.join(alts)})"

    return build(trie, "") if trie else r"(?!x)x"


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One alternation of literal phrases, whole words only, longest first."""
    word_start: list[str] = []
    others: list[str] = []
    for p in forms(phrases):
        (word_start if p[:1].isalnum() else others).append(p)
    parts = [f"{_WORD_START}{trie_alternation(word_start)}"] if word_start else []
    if others:
        parts.append(trie_alternation(others))
    return re.compile("|".join(parts) if parts else r"(?!x)x")


def regex_pattern(patterns: Iterable[str]) -> re.Pattern[str]:
    """One alternation of regular expressions (already lower case), whole words only."""
    word_start: list[str] = []
    others: list[str] = []
    for p in patterns:
        body = f"(?:{p})" + (_WORD_END if p[-1:].isalnum() or p.endswith(")") else "")
        (word_start if p[:1].isalnum() or p.startswith("(") else others).append(body)
    return _joined(word_start, others)


@cache
def hedge_alternation() -> str:
    """Every hedge word of ``[numbers.hedges]`` as one regex alternation (no group, longest first)."""
    words = [w for kind in section("numbers", "hedges").values() for w in kind]
    return "|".join(re.escape(w) for w in forms(words))


def _lunar_names(key: str) -> list[str]:
    return [form(w) for w in section("campaign", key)]


_STEMS = _lunar_names("stems")
_BRANCHES = _lunar_names("branches")
_BRANCH_ALIAS = {form(k): form(v) for k, v in section("campaign", "branch_aliases").items()}
#: A lunar year's name ("Giáp Thìn", "Ất Tỵ"): group 1 the stem, group 2 the branch.
LUNAR_RE = re.compile(
    rf"{_WORD_START}({'|'.join(_STEMS)}) ({'|'.join([*_BRANCHES, *_BRANCH_ALIAS])}){_WORD_END}"
)


def lunar_year(stem: str, branch: str, near: int | None) -> int:
    """The Gregorian year whose Tết a lunar year's name (stem, branch) names, the one of its
    sixty-year cycle closest to ``near`` (2025 when unknown)."""
    branch = _BRANCH_ALIAS.get(branch, branch)
    s, b = _STEMS.index(stem), _BRANCHES.index(branch)
    cycle = next(i for i in range(60) if i % 10 == s and i % 12 == b)
    base = 1984 + cycle  # 1984 was Giáp Tý
    anchor = near if near is not None else 2025
    return min((base + 60 * k for k in range(-2, 3)), key=lambda y: abs(y - anchor - 0.5))
