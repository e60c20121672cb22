"""Cue words of one text and the time scope they give a number.

**Scope** is the time a number belongs to: a multi-year total ("những năm qua", "từ năm 2010 đến
nay", "Từ 2015 đến 2024", "trải qua 12 lần tổ chức") is *cumulative*; a past year ("năm 2023"
when the campaign's year is 2024, "năm ngoái", "lần tổ chức trước") is an earlier edition
(*past*), a multi-year total when "đến nay" stands in its clause; this year's running total
("từ đầu năm đến nay", "6 tháng đầu năm") is *current*; the whole country ("cả nước", "toàn quốc"
before the number) is *national*. A scope cue governs its clause (after the
number only within its comma phrase); a clause without one takes the scope of the clause before
it; a sentence opening "Trong đó", "Cụ thể", "Riêng" takes the scope of the first count of the
sentence before (the total it breaks down), and an earlier year in the breakdown of a multi-year
total ("…, trong đó năm 2022 …") is a part of that history (*cumulative*); "Đến nay, …" in a
story whose lead tells a history ("Trong hơn 8 năm qua, …") is that history, and so is a
sentence opening "Đến nay", "Tổng cộng" right after one that tells a history ("… tổ chức từ năm
học 2011 - 2012. Đến nay, chương trình đã trao …").

A national phrase that places a counted noun ("tại 26 điểm trên cả nước", "20 tỉnh, thành phố của
cả nước") scopes nothing, nor one whose subject is the campaign itself ("Tính chung trên cả nước,
chương trình tiếp nhận …": a national campaign's own total).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extractors import _lexicon as lx
from extractors._sentences import Sentences, segments

__all__ = ["COUNT_RE", "Cue", "Scopes"]

_ROLES = lx.section("roles")
_EDITION_NAMES = lx.phrase_pattern(
    [*lx.section("campaign", "edition_words"), *lx.section("campaign", "known")]
)
_CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "cumulative": lx.regex_pattern(_ROLES["cumulative"]),
    "past": lx.phrase_pattern(_ROLES["past"]),
    "national": lx.phrase_pattern(_ROLES["national"]),
    "current": lx.phrase_pattern(_ROLES["current"]),
    "year_to_date": lx.regex_pattern(_ROLES["year_to_date"]),
    "purpose": lx.phrase_pattern(_ROLES["purpose"]),
    "target": lx.regex_pattern(_ROLES["target"]),
    "weak_target": lx.phrase_pattern(_ROLES["weak_target"]),
    "achieved": lx.phrase_pattern(_ROLES["achieved"]),
    "achieved_weak": lx.phrase_pattern(_ROLES["achieved_weak"]),
    "neutral": lx.phrase_pattern(_ROLES["neutral"]),
    # "năm 2023", or a year written right after a campaign's name ("Lễ hội Xuân hồng 2023 đã tiếp
    # nhận …", "Chủ nhật Đỏ 2022"): the edition of that year
    "year": re.compile(
        rf"(?:(?<![^\W_])năm (?:học )?|(?:{_EDITION_NAMES.pattern})(?:\s[^\s\d,.;:!?“”\"()]+){{0,3}}\s)"
        r"((?:19|20)\d{2})(?![\d/.\-]\d)"
    ),
    "lunar_year": re.compile(
        rf"(?:{lx.phrase_pattern(_ROLES['lunar_year_before']).pattern})\s(?={lx.LUNAR_RE.pattern})"
    ),
    "last_year": lx.phrase_pattern(_ROLES["last_year"]),
}
_SCOPES = ("cumulative", "past", "current", "year", "lunar_year", "last_year", "year_to_date", "national")
_UNTIL_NOW = lx.phrase_pattern(_ROLES["until_now"])
_SCOPE_CONTINUATION = re.compile(
    rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['scope_continuations']).pattern})"
)
# A national phrase after a preposition inside a phrase ("tại 26 điểm trên cả nước", "20 tỉnh,
# thành phố của cả nước") places the noun before it; it is no scope of the sentence.
_NATIONAL_MODIFIER = re.compile(
    rf"(?<![\d/.,])\d[\d.,]*%?\s[^;]{{0,30}}?(?:{lx.phrase_pattern(_ROLES['national_modifier_prepositions']).pattern})\s?$"
)
#: A count in a sentence (not a year, not a date): where the sentence's main figure stands.
COUNT_RE = re.compile(r"(?<![\d/.,\-])(?!(?:19|20)\d\d(?![\d.,]))\d[\d.,]*(?![\d/\-])")
_BREAKDOWN = re.compile(rf"[\s,;]*(?:{lx.phrase_pattern(_ROLES['scope_continuations']).pattern})")
_HISTORY_OPENER = re.compile(rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['history_openers']).pattern})")
_NATIONAL_PREPOSITION = lx.phrase_pattern(_ROLES["national_modifier_prepositions"])
_CAMPAIGN_SUBJECT = lx.phrase_pattern(_ROLES["national_campaign_subjects"])
_GOAL_RIGHT_BEFORE = re.compile(rf"(?:{lx.phrase_pattern(_ROLES['goal_nouns']).pattern})\s$")


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue word of the text: where it stands, its kind, and the year it names (if any)."""

    start: int
    end: int
    kind: str
    year: int = 0


def _campaign_subject(mf: str, cue: Cue) -> bool:
    """Whether the campaign itself is the subject right after a national phrase ("Tính chung trên
    cả nước, chương trình tiếp nhận …"): the national total of a national campaign is its own; or
    whether the phrase says whom the campaign's goal covers ("chương trình … đặt mục tiêu toàn lực
    lượng hiến tặng 20.000 đơn vị máu", not "Theo kế hoạch, cả nước phấn đấu …")."""
    window = re.split(r"[.;\d]", mf[cue.end : cue.end + 40], maxsplit=1)[0]
    if _CAMPAIGN_SUBJECT.search(window):
        return True
    before = re.split(r"[.;\d\n]", mf[max(0, cue.start - 120) : cue.start])[-1]
    goal = _GOAL_RIGHT_BEFORE.search(before)
    return goal is not None and bool(_CAMPAIGN_SUBJECT.search(before, 0, goal.start()))


def _national_modifier(mf: str, cue: Cue) -> bool:
    """Whether a national phrase places a counted noun before it in its comma phrase ("tại 26 điểm
    trên cả nước, tiếp nhận 12.460 …"), rather than scoping the sentence ("Năm 2023, cả nước tiếp
    nhận …", "lực lượng Công an trên cả nước đã tổ chức 126 đợt")."""
    seg_start = max(mf.rfind(";", 0, cue.start), mf.rfind("\n", 0, cue.start))
    seg_start = max(seg_start + 1, cue.start - 40)  # "tại 20 tỉnh, thành phố của cả nước" holds a comma
    end = cue.start
    lead = _NATIONAL_PREPOSITION.match(mf, cue.start)
    if lead:  # "trên cả nước" holds its preposition
        end = lead.end()
    return bool(_NATIONAL_MODIFIER.search(mf, seg_start, end))


class Scopes(Sentences):
    """The cue words of one text, found once, and the scope they give a position."""

    def __init__(
        self, text: str, mf: str, ref_year: int | None, published_year: int | None = None, body_start: int = 0
    ) -> None:
        super().__init__(text, mf)
        self.ref_year = ref_year
        self.cues = self._find_cues(mf, ref_year, published_year)
        self._cue_starts = [c.start for c in self.cues]
        hidden = [(c.start, c.end) for c in self.cues if c.kind == "neutral"]  # "từ trước tới nay": ever
        self._until_now = [
            m.start() for m in _UNTIL_NOW.finditer(mf) if not any(s <= m.start() < e for s, e in hidden)
        ]
        # the story's lead: its first sentence with a count (not a menu line or a byline)
        lead = next(
            (s for s in self.sentences if s.start >= body_start and COUNT_RE.search(mf, s.start, s.end)), None
        )
        history = lead is not None and bool(self.cues_in(lead.start, lead.end, ("cumulative",)))
        self._lead_history = lead.start if lead is not None and history else None

    @staticmethod
    def _find_cues(mf: str, ref_year: int | None, published_year: int | None) -> list[Cue]:
        found: list[Cue] = []
        for kind, pat in _CUE_PATTERNS.items():
            for m in pat.finditer(mf):
                year = int(m.group(1)) if kind in ("year", "year_to_date") and m.group(1) else 0
                end = m.end()
                if kind == "lunar_year":  # "Tết Ất Tỵ": the year of that Tết
                    lunar = lx.LUNAR_RE.match(mf, end)
                    if lunar is None:
                        continue
                    year, end = lx.lunar_year(lunar.group(1), lunar.group(2), ref_year), lunar.end()
                elif kind == "last_year":  # "trong năm qua": the year before the page's
                    if published_year is None:
                        continue
                    year = published_year - 1
                found.append(Cue(m.start(), end, "year" if year and kind != "year_to_date" else kind, year))
        found.sort(key=lambda c: (c.start, -(c.end - c.start)))
        kept: list[Cue] = []
        for cue in found:  # longest first at each place; no overlaps ("vượt chỉ tiêu" hides "chỉ tiêu")
            if kept and cue.start < kept[-1].end:
                continue
            if cue.kind == "national" and (_national_modifier(mf, cue) or _campaign_subject(mf, cue)):
                continue
            kept.append(cue)
        return kept

    def cues_in(self, start: int, end: int, kinds: tuple[str, ...]) -> list[Cue]:
        i = bisect.bisect_left(self._cue_starts, start)
        out = []
        while i < len(self.cues) and self.cues[i].start < end:
            if self.cues[i].kind in kinds:
                out.append(self.cues[i])
            i += 1
        return out

    # -- scope ---------------------------------------------------------------------------------
    def _scope_of(self, cue: Cue) -> str:
        if cue.kind == "year_to_date":  # this year's running total, unless an earlier year's
            return "past" if cue.year and self.ref_year and cue.year < self.ref_year else "current"
        if cue.kind == "year":
            if self.ref_year is None:
                return ""
            return "past" if cue.year < self.ref_year else "current"
        return cue.kind

    def _scope_in(self, start: int, end: int, pos: int) -> str:
        """The scope the cues of one clause give ``pos``: those before it, and those after it in
        its own comma phrase ("… 19.000 đơn vị máu trong những năm qua")."""
        seg_end = next((e for s, e in segments(self.mf, start, end) if s <= pos <= e), end)
        cues = [
            c
            for c in self.cues_in(start, seg_end, _SCOPES)
            if self._scope_of(c) and (c.kind != "national" or c.start < pos)
        ]
        if not cues:
            return ""
        if any(c.kind == "cumulative" for c in cues):
            return "cumulative"
        before = [c for c in cues if c.start < pos]
        scope = self._scope_of(before[-1] if before else cues[0])
        if scope == "past" and any(start <= u < end for u in self._until_now):
            return "cumulative"
        return scope

    def scope(self, pos: int, depth: int = 0) -> str:
        if not self.sentences:
            return ""
        idx = self.sentence_index(pos)
        clauses, sent_start = self.sentences[idx].clauses, self.sentences[idx].start
        here = next((i for i, c in enumerate(clauses) if c[0] <= pos < c[1]), len(clauses) - 1)
        scope = self._scope_in(clauses[here][0], clauses[here][1], pos)
        if (
            scope == "past"
            and _BREAKDOWN.match(self.mf, clauses[here][0])
            and any(self._scope_in(c[0], c[1], c[1]) == "cumulative" for c in clauses[:here])
        ):
            return "cumulative"  # "Từ năm 2016 đến nay đã tiếp nhận 28.000 đơn vị, trong đó năm 2022 …"
        for i in range(here - 1, -1, -1):
            if scope:
                break
            if not clauses[i][2] or clauses[here][2]:
                scope = self._scope_in(clauses[i][0], clauses[i][1], clauses[i][1])
        if scope in ("", "past") and idx > 0 and depth < 3 and _SCOPE_CONTINUATION.match(self.mf, sent_start):
            # "Trong đó, …" breaks down the sentence before: the scope of its first count; one earlier
            # year of a multi-year total ("Trong đó, năm 2022 tiếp nhận …") is a part of that history
            prev = self.sentences[idx - 1]
            count = COUNT_RE.search(self.mf, prev.start, prev.end)
            before = self.scope(count.start() if count else prev.end - 1, depth + 1)
            if not scope or before == "cumulative":
                scope = before
        if not scope and idx > 0 and _HISTORY_OPENER.match(self.mf, sent_start):
            prev = self.sentences[idx - 1]  # "… tổ chức từ năm 2012. Đến nay, chương trình đã trao …"
            if self.cues_in(prev.start, prev.end, ("cumulative",)):
                return "cumulative"
        history = self._lead_history is not None and sent_start > self._lead_history
        if not scope and depth == 0 and history and any(sent_start <= u < pos for u in self._until_now):
            # "Đến nay, CLB đã tập hợp được 20 thành viên" in a story whose lead tells a history
            # ("Trong hơn 8 năm qua, …"): the total of that history
            scope = "cumulative"
        return scope
