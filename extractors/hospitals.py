"""Hospitals and blood institutes named in an article body.

A name starts with a trigger of the lexicon ("Bệnh viện", "Viện Huyết học",
"Trung tâm Truyền máu", "BV" …) and takes the words of the proper name after it:
capitalised syllables ("Bạch Mai", "TP.HCM"), numbers ("108", "19-8"), a lower-case
syllable only as the second half of a known word ("Trung ương", "Công an", "Huyết
học"), an administrative word before a capitalised place ("tỉnh Phú Yên"), and
" - " between capitalised parts ("Việt - Đức"). It stops at any other lower-case
word ("và", "tại"), at punctuation and at the end of the line. Known names that
hold lower-case words ("Viện Huyết học và Truyền máu Trung ương") are data and
are matched first.

A lower-case "bệnh viện" names a hospital only when a capitalised name follows
and no count or plural stands before it ("4 bệnh viện", "các bệnh viện" are not names).

Each distinct name is listed once, at its first mention; a later mention that is
a word-prefix of an earlier name ("Bệnh viện 19-8" after "Bệnh viện 19-8 Bộ Công
an") is the same hospital and is not listed again.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractors import _lexicon as lx
from extractors.normalize import match_form
from extractors.record import Hospital

__all__ = ["extract_hospitals", "hospital_mentions"]

_HOSP = lx.section("hospitals")
_TRIGGERS = lx.forms(_HOSP["triggers"])
_COMPLETE = set(lx.forms(_HOSP["complete_triggers"]))
_KNOWN_RE = lx.phrase_pattern(_HOSP["known"])
_TRIGGER_RE = lx.phrase_pattern(_HOSP["triggers"])
_PAIRS = set(lx.forms(_HOSP["word_pairs"]))
_ADMIN = lx.forms(_HOSP["admin_words"])
_PLURAL_RE = re.compile(rf"(?:{lx.phrase_pattern(_HOSP['plural_words']).pattern}|\d)\s$")
# One word of a name: letters and digits, with inner dots or hyphens ("TP.HCM", "19-8", "7A").
_WORD_RE = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*\.?")
_GAP_RE = re.compile(r" - | – | |-(?=[^\W\d_])")
_DOTTED = set(_HOSP["dotted_abbreviations"])
_DEPARTMENT_RE = re.compile(rf"[\s,]*(?:{lx.phrase_pattern(_HOSP['department_of']).pattern})")
_CENTRAL = frozenset({"tư", "t.ư", "t.w", "tw"})  # a name is cut before a final dot
_INNER_RE = re.compile(rf"(?:{lx.phrase_pattern(_HOSP['inner_phrases']).pattern})")
_NUMBER_RE = re.compile(r"(?:số|no\.?) \d+(?![^\W_])")
_ADMIN_RE = re.compile(rf"(?:{'|'.join(re.escape(a) for a in _ADMIN)})(?![^\W_])")


def _is_capital(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _take_name(text: str, mf: str, pos: int) -> int:
    """The end of the proper name whose words start at ``pos`` (``pos`` when there are none)."""
    end, prev = pos, ""
    while True:
        gap = _GAP_RE.match(text, end)
        if not gap or "\n" in gap.group():
            return end
        inner = _INNER_RE.match(mf, gap.end()) if gap.group() == " " else None
        if inner is None and gap.group() == " ":
            inner = _NUMBER_RE.match(mf, gap.end())  # "Bệnh xá số 02 Công an thành phố"
        if inner is None and gap.group() == " " and mf[pos:end].endswith("công an"):
            inner = _ADMIN_RE.match(mf, gap.end())  # "… Công an tỉnh": the force of the province
        if inner is not None:  # "Trung tâm Huyết học và Truyền máu Nghệ An"
            end, prev = inner.end(), ""
            continue
        word_m = _WORD_RE.match(text, gap.end())
        if not word_m:
            return end
        word = word_m.group()
        if word.endswith(".") and "." not in word[:-1] and word[:-1] not in _DOTTED:
            word = word[:-1]  # a sentence's full stop, not "TP."
        w_end = word_m.start() + len(word)
        if gap.group().strip() and not _is_capital(word):
            return end  # "Việt - đức"? a dash must join capitalised parts
        if _is_capital(word):
            end, prev = w_end, mf[word_m.start() : w_end]
            continue
        low = mf[word_m.start() : w_end]
        if f"{prev} {low}" in _PAIRS and prev and not prev[:1].isdigit():
            end, prev = w_end, ""
            continue
        admin = next((a for a in _ADMIN if mf.startswith(a + " ", word_m.start())), None)
        if admin:
            after = _WORD_RE.match(text, word_m.start() + len(admin) + 1)
            if after and after.group()[:1].isupper():
                end, prev = word_m.start() + len(admin), ""
                continue
        return end


def _names(text: str, mf: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    parts: list[tuple[int, int]] = []
    taken = 0
    for m in _KNOWN_RE.finditer(mf):
        if text[m.start()].isupper():  # "trung tâm truyền máu khu vực" in lower case is no name
            end = _take_name(text, mf, m.end())
            if end == m.end() and _DEPARTMENT_RE.match(mf, end):
                parts.append((m.start(), end))  # "Trung tâm Truyền máu khu vực tại Viện …": a part of it
                continue
            spans.append((m.start(), end))
    for m in _TRIGGER_RE.finditer(mf):
        if any(s <= m.start() < e for s, e in (*spans, *parts)):
            continue
        trigger = m.group()
        capital = text[m.start()].isupper()
        if not capital and _PLURAL_RE.search(mf, max(0, m.start() - 12), m.start()):
            continue
        end = _take_name(text, mf, m.end())
        if end == m.end() and not (capital and trigger in _COMPLETE):
            continue
        if end == m.end() and _DEPARTMENT_RE.match(mf, end):  # "Trung tâm Truyền máu của bệnh viện"
            continue
        if not capital and not text[m.end() + 1 : m.end() + 2].isupper():
            continue
        if trigger == "bv" and text[m.start() : m.end()] != "BV":
            continue
        spans.append((m.start(), end))
    spans.sort()
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if s >= taken:
            out.append((s, e))
            taken = e
    return out


def _key(name: str) -> list[str]:
    """Words that identify a name: "BV" is "Bệnh viện"; "và" and dashes do not count, so "Viện
    Huyết học - Truyền máu Trung ương" and "Viện Huyết học và Truyền máu Trung ương" are one."""
    words = [w for w in re.split(r"[\s\-–]+", match_form(name)) if w and w != "và"]
    if words and words[0] == "bv":
        words = ["bệnh", "viện", *words[1:]]
    if words and words[-1] in _CENTRAL:  # "Viện Huyết học - Truyền máu TƯ" is "… Trung ương"
        words = [*words[:-1], "trung", "ương"]
    return words


@lru_cache(maxsize=8)  # the campaign reader asks again for the same body (organisers skip hospital names)
def extract_hospitals(text: str) -> tuple[Hospital, ...]:
    """Every distinct hospital or blood institute named in ``text``, at its first mention."""
    seen: list[list[str]] = []
    out: list[Hospital] = []
    for start, end in hospital_mentions(text):
        name = text[start:end]
        key = _key(name)
        if any(old[: len(key)] == key for old in seen):
            continue
        seen.append(key)
        out.append(Hospital(name=name, start=start, end=start + len(name)))
    return tuple(out)


@lru_cache(maxsize=8)
def hospital_mentions(text: str) -> tuple[tuple[int, int], ...]:
    """Every mention of a hospital name in ``text`` as (start, end), repeats included: an
    organiser may be a hospital named again later ("BV Chợ Rẫy …", then "Bệnh viện Chợ Rẫy tổ chức …")."""
    out = []
    for start, end in _names(text, match_form(text)):
        name = text[start:end].rstrip(" -–.")
        out.append((start, start + len(name)))
    return tuple(out)
