"""Sentences, clauses and cue words of one text: what decides a figure's role.

A role has two parts, decided separately and then combined:

* **scope**, the time a number belongs to: a multi-year total ("những năm qua",
  "từ năm 2010 đến nay", "trải qua 12 lần tổ chức") is *cumulative*; a past year
  ("năm 2023" when the campaign's year is 2024, "năm ngoái", "lần tổ chức trước")
  is an earlier edition: its results are history (role *cumulative*, as the spec
  reads "totals over earlier years"), its plans no plan of this campaign (role
  *other*); with "đến nay" in its clause it is a multi-year total; the
  whole country or force ("cả nước", "toàn lực lượng" before the number) is not
  this campaign's (role *other*). A scope cue governs its clause (after the
  number only within its comma phrase); a clause without one takes the scope of
  the clause before it; a sentence opening "Trong đó", "Cụ thể", "Riêng" takes
  the scope of the sentence before it.
* **modality**, plan or result, by strength: a plan word ("mục tiêu", "chỉ
  tiêu", "phấn đấu", "dự kiến", "sẽ") > a result word ("đã", "thu được",
  "vượt chỉ tiêu", "tính đến") > "ít nhất"/"tối thiểu" > an action verb shared
  by plans and results ("tiếp nhận", "đạt", "trao", "tham gia"). The nearest
  comma phrase before the number that holds a cue decides, by its strongest cue
  ("dự kiến thu về 800" is a plan); failing that, the first cue after it in its
  clause ("tại 11 điểm … với mục tiêu …"), then the sentence's other clauses,
  then the sentence before when this one continues it. A bare action verb in a
  clause after a plan word's clause stays a plan ("phấn đấu …, trong đó … đạt
  65%"). A number right after a goal noun is the goal ("vượt mục tiêu 25.000
  người" is a target).

A national phrase placing a counted noun ("tại 26 điểm trên cả nước, tiếp nhận
…") scopes nothing. "Trong đó, …" takes the scope of the first count of the
sentence before (the total it breaks down).

Combined (:meth:`Reading.role`): a per-unit value ("mỗi suất trị giá …",
".../suất", "mỗi suất gồm …") is *other*; a national scope is *other* unless the
number is the goal itself ("mục tiêu chung toàn quốc 100.000"); a past scope is
*cumulative* (*other* for a plan word); a cumulative scope is *cumulative* unless
a plan word says *target*; otherwise the modality, and the caller's default when
nothing speaks. Growth ("tăng 42,9%") and a state ("hiện có", "chiếm") are *other*.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from extractors import _lexicon as lx
from extractors._sentences import Sentences, segments

__all__ = ["Context", "Reading"]

_ROLES = lx.section("roles")
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
    "year": lx.NAMED_YEAR_RE,
}
_SCOPES = ("cumulative", "past", "current", "year", "year_to_date", "national")
_LEVELS: dict[str, tuple[str, int]] = {
    "target": ("target", 4),
    "achieved": ("achieved", 3),
    "weak_target": ("target", 2),
    "achieved_weak": ("achieved", 1),
}
#: Cue kinds that speak for the numbers of their clause; a purpose only for its own phrase.
_MODAL_KINDS = tuple(_LEVELS)
_OWN_PHRASE_KINDS = (*_MODAL_KINDS, "purpose")
_PURPOSE = ("target", 4)
_STRONG_TARGET = _LEVELS["target"]
_WEAK_ACHIEVED = _LEVELS["achieved_weak"]
_PER_UNIT_BEFORE = lx.phrase_pattern(_ROLES["per_unit_before"])
_PER_UNIT_BREAK = lx.phrase_pattern(_ROLES["per_unit_breaks"])
_PER_UNIT_LIST = re.compile(
    rf"(?:{_PER_UNIT_BEFORE.pattern})[^;]{{0,60}}?(?:{lx.phrase_pattern(_ROLES['per_unit_lists']).pattern})"
)
_PER_UNIT_AFTER = re.compile(rf"\s?(?:{lx.phrase_pattern(_ROLES['per_unit_after']).pattern})")
_UNTIL_NOW = lx.phrase_pattern(_ROLES["until_now"])
_GOAL_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(_ROLES['goal_nouns']).pattern})"
    rf"(?:\s?(?:{'|'.join(re.escape(f) for f in lx.forms(_ROLES['goal_fillers']))})){{0,2}}"
    rf"(?:\s(?:{lx.hedge_alternation()}))?\s$"
)
_PERCENT_AT = re.compile(r"[\d.,]+\s?%")
_GROWTH_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(_ROLES['growth']).pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)
_CONTINUATION = re.compile(rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['continuations']).pattern})")
_PLAN_CONTINUATION = re.compile(
    rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['plan_continuations']).pattern})"
)
_SCOPE_CONTINUATION = re.compile(
    rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['scope_continuations']).pattern})"
)
# A national phrase after a preposition inside a phrase ("tại 26 điểm trên cả nước", "cán bộ,
# chiến sĩ trong toàn lực lượng") places the noun before it; it is no scope of the sentence.
_NATIONAL_MODIFIER = re.compile(
    rf"(?<![\d/.,])\d[\d.,]*%?\s[^;]{{0,30}}?(?:{lx.phrase_pattern(_ROLES['national_modifier_prepositions']).pattern})\s?$"
)
# A count in a sentence (not a year, not a date): where the sentence's main figure stands.
_COUNT_RE = re.compile(r"(?<![\d/.,\-])(?!(?:19|20)\d\d(?![\d.,]))\d[\d.,]*(?![\d/\-])")
_NATIONAL_PREPOSITION = lx.phrase_pattern(_ROLES["national_modifier_prepositions"])
_DIGIT = re.compile(r"\d")
# The end of a span of days: "từ ngày 8 đến 14/8", "từ 25/3 đến 3/4/2025" (group 1 day, 2 month, 3 year).
_SCHEDULE_END_RE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('numbers', 'range_open')).pattern})\s(?:ngày\s)?\d{{1,2}}(?:[/.\-]\d{{1,2}})?"
    rf"\s?(?:{lx.phrase_pattern(lx.section('numbers', 'range_join')).pattern}|[-–])\s?(?:ngày\s)?"
    r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-]((?:19|20)\d\d))?(?![\d])"
)
# Someone's own words: a quotation of some length ("…" in curly or straight quotes, on one line).
_SPEECH_RE = re.compile(r"“[^”\n]{40,800}”|\"[^\"\n]{40,800}\"")
_CAMPAIGN_SUBJECT = lx.phrase_pattern(_ROLES["national_campaign_subjects"])


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    kind: str
    year: int = 0


def _campaign_subject(mf: str, cue: _Cue) -> bool:
    """Whether the campaign itself is the subject right after a national phrase ("Tính chung trên
    cả nước, chương trình tiếp nhận …"): the national total of a national campaign is its own."""
    window = re.split(r"[.;\d]", mf[cue.end : cue.end + 40], maxsplit=1)[0]
    return bool(_CAMPAIGN_SUBJECT.search(window))


def _national_modifier(mf: str, cue: _Cue) -> bool:
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


class Context(Sentences):
    """Sentence structure and cue words of one text, built once, asked per figure."""

    def __init__(self, text: str, mf: str, ref_year: int | None, today: date | None = None) -> None:
        super().__init__(text, mf)
        self.ref_year = ref_year
        self.today = today
        self.cues = self._find_cues(mf)
        self._cue_starts = [c.start for c in self.cues]
        self._until_now = [m.start() for m in _UNTIL_NOW.finditer(mf)]
        self._quotes = [m.span() for m in _SPEECH_RE.finditer(text)]
        # the story's lead: its first sentence with a count (not a menu line or a byline)
        lead = next((sent for sent in self.sentences if _COUNT_RE.search(mf, sent.start, sent.end)), None)
        history = lead is not None and bool(self._cues_in(lead.start, lead.end, ("cumulative",)))
        self._lead_history = lead.start if lead is not None and history else None

    @staticmethod
    def _find_cues(mf: str) -> list[_Cue]:
        found: list[_Cue] = []
        for kind, pat in _CUE_PATTERNS.items():
            for m in pat.finditer(mf):
                year = int(m.group(1)) if kind in ("year", "year_to_date") and m.group(1) else 0
                found.append(_Cue(m.start(), m.end(), kind, year))
        found.sort(key=lambda c: (c.start, -(c.end - c.start)))
        kept: list[_Cue] = []
        for cue in found:  # longest first at each place; no overlaps ("vượt chỉ tiêu" hides "chỉ tiêu")
            if kept and cue.start < kept[-1].end:
                continue
            if cue.kind == "national" and (_national_modifier(mf, cue) or _campaign_subject(mf, cue)):
                continue
            kept.append(cue)
        return kept

    def _cues_in(self, start: int, end: int, kinds: tuple[str, ...]) -> list[_Cue]:
        i = bisect.bisect_left(self._cue_starts, start)
        out = []
        while i < len(self.cues) and self.cues[i].start < end:
            if self.cues[i].kind in kinds:
                out.append(self.cues[i])
            i += 1
        return out

    # -- scope ---------------------------------------------------------------------------------
    def _scope_of(self, cue: _Cue) -> str:
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
            for c in self._cues_in(start, seg_end, _SCOPES)
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

    def _scope(self, pos: int, depth: int = 0) -> str:
        if not self.sentences:
            return ""
        idx = self.sentence_index(pos)
        clauses, sent_start = self.sentences[idx].clauses, self.sentences[idx].start
        here = next((i for i, c in enumerate(clauses) if c[0] <= pos < c[1]), len(clauses) - 1)
        scope = self._scope_in(clauses[here][0], clauses[here][1], pos)
        for i in range(here - 1, -1, -1):
            if scope:
                break
            if not clauses[i][2] or clauses[here][2]:
                scope = self._scope_in(clauses[i][0], clauses[i][1], clauses[i][1])
        if not scope and idx > 0 and depth < 3 and _SCOPE_CONTINUATION.match(self.mf, sent_start):
            # "Trong đó, …" breaks down the sentence before: the scope of its first count
            prev = self.sentences[idx - 1]
            count = _COUNT_RE.search(self.mf, prev.start, prev.end)
            scope = self._scope(count.start() if count else prev.end - 1, depth + 1)
        history = self._lead_history is not None and sent_start > self._lead_history
        if not scope and depth == 0 and history and any(sent_start <= u < pos for u in self._until_now):
            # "Đến nay, CLB đã tập hợp được 20 thành viên" in a story whose lead tells a history
            # ("Trong hơn 8 năm qua, …"): the total of that history
            scope = "cumulative"
        return scope

    # -- modality --------------------------------------------------------------------------
    @staticmethod
    def _decide(cues: list[_Cue]) -> tuple[str, int] | None:
        """The strongest cue of one phrase: plan word > result word > "ít nhất" > action verb."""
        levels = [
            _PURPOSE if c.kind == "purpose" else _LEVELS[c.kind] for c in cues if c.kind in _OWN_PHRASE_KINDS
        ]
        return max(levels, key=lambda lv: lv[1]) if levels else None

    def _modality_in(self, start: int, end: int, pos: int | None, upto: int = 0) -> tuple[str, int] | None:
        """Cues of one clause: the nearest phrase before ``pos`` (cues starting before ``upto``,
        the end of the figure's unit, count: "đạt 105% chỉ tiêu"), else the first after it."""
        kinds = _MODAL_KINDS
        segs = segments(self.mf, start, end)
        if pos is not None:
            before = [seg for seg in segs if seg[0] <= pos]
            for i in range(len(before) - 1, -1, -1):
                s, e = before[i]
                own = _OWN_PHRASE_KINDS if i == len(before) - 1 else kinds  # "nhằm …" speaks only here
                found = self._decide(self._cues_in(s, min(e, max(pos, upto)), own))
                if (
                    found == _WEAK_ACHIEVED
                    and any(  # "Theo kế hoạch, … nhận hỗ trợ 2.500 căn"
                        self._decide(self._cues_in(s0, e0, kinds)) == _STRONG_TARGET for s0, e0 in before[:i]
                    )
                ):
                    return _STRONG_TARGET
                if found:
                    return found
            after = [seg for seg in segs if seg[1] > pos]
        else:
            after = segs
        for s, e in after:
            found = self._decide(self._cues_in(max(s, pos or s), e, kinds))
            if found:
                return found
        return None

    def _modality(self, pos: int, upto: int = 0, depth: int = 0) -> tuple[str, int] | None:
        if not self.sentences:
            return None
        idx = self.sentence_index(pos)
        clauses, sent_start = self.sentences[idx].clauses, self.sentences[idx].start
        here = next((i for i, c in enumerate(clauses) if c[0] <= pos < c[1]), len(clauses) - 1)
        found = self._modality_in(clauses[here][0], clauses[here][1], pos, upto)
        if found == _WEAK_ACHIEVED:  # "phấn đấu 1,9 triệu, trong đó … đạt 65%": the plan still governs,
            if self._cues_in(clauses[here][0], pos, ("achieved",)):  # unless a result word ends its reach:
                found = _LEVELS["achieved"]  # "dự kiến trao 1.800 … nhưng đã vận động được …, tặng thêm 40"
            elif _STRONG_TARGET in [self._modality_in(c[0], c[1], None) for c in clauses[:here]]:
                found = _STRONG_TARGET
        order = list(range(here - 1, -1, -1)) + list(range(here + 1, len(clauses)))
        for i in order:
            if found:
                break
            found = self._modality_in(clauses[i][0], clauses[i][1], None)
        if (
            found in (None, _WEAK_ACHIEVED)
            and idx > 0
            and depth < 3
            and _CONTINUATION.match(self.mf, sent_start)
        ):
            before = self._modality(self.sentences[idx - 1].end - 1, depth=depth + 1)
            if found is None or (before == _STRONG_TARGET and _PLAN_CONTINUATION.match(self.mf, sent_start)):
                # "Dự kiến … sẽ tiếp nhận …. Đồng thời vận động … người tham gia": the plan goes on
                found = before
        return found

    def schedule_ahead(self, pos: int) -> bool:
        """Whether the sentence at ``pos`` gives a schedule that ends after the article's date
        ("Chương trình diễn ra từ ngày 8 đến 14/8 tại 15 điểm", published on 10/8): the plan of a
        drive still under way."""
        if self.today is None:
            return False
        s, e = self.sentence_span(pos)
        for m in _SCHEDULE_END_RE.finditer(self.mf, s, e):
            day, month = int(m.group(1)), int(m.group(2))
            year = int(m.group(3)) if m.group(3) else self.today.year
            try:
                if date(year, month, day) > self.today:
                    return True
            except ValueError:
                continue
        return False

    # -- role ------------------------------------------------------------------------------
    def per_unit(self, start: int, unit_end: int) -> bool:
        """A per-unit value: "mỗi suất trị giá 500.000 đồng", "500.000 đồng/suất", "Mỗi ngày, 800 …"."""
        if _PER_UNIT_AFTER.match(self.mf, unit_end):
            return True
        c_start, _ = self.clause_span(start)
        segs = [seg for seg in segments(self.mf, c_start, start + 1) if seg[0] <= start]
        if not segs:
            return False
        cues = list(_PER_UNIT_BEFORE.finditer(self.mf, segs[-1][0], start))
        if cues and not _PER_UNIT_BREAK.search(self.mf, cues[-1].end(), start):
            return True  # "mỗi suất trị giá 500.000 đồng", but not "mỗi suất cho 200 hộ"
        if _PER_UNIT_LIST.search(self.mf, c_start, start):
            return True
        if len(segs) >= 2:
            s, e = segs[-2]
            if len(self.mf[s:e].split()) <= 3 and _PER_UNIT_BEFORE.search(self.mf, s, e):
                return True
        # a phrase opening the clause with the unit governs it, when no number comes before it: "Đặc
        # biệt, mỗi đơn vị máu được hiến, tình nguyện viên được hỗ trợ thêm 10kg gạo"
        for s, e in segs[:-1]:
            if _DIGIT.search(self.mf, c_start, s):
                break
            if len(self.mf[s:e].split()) <= 6 and _PER_UNIT_BEFORE.match(self.mf, s):
                return True
        return False

    def reading(self, start: int, unit_end: int) -> Reading:
        """What the words around the figure spanning ``start``..``unit_end`` say about it."""
        modality = self._modality(start, unit_end)
        goal = bool(
            _GOAL_BEFORE.search(self.mf, max(0, start - 40), start) and not _PERCENT_AT.match(self.mf, start)
        )
        if goal:
            modality = _STRONG_TARGET  # "vượt mục tiêu 25.000 người", "so với chỉ tiêu 2.800 đơn vị"
        return Reading(
            per_unit=self.per_unit(start, unit_end),
            scope=self._scope(start),
            modality=modality[0] if modality else None,
            level=modality[1] if modality else 0,
            goal=goal,
            growth=bool(_GROWTH_BEFORE.search(self.mf, max(0, start - 30), start)),
            quoted=any(s <= start < e for s, e in self._quotes),
        )


@dataclass(frozen=True, slots=True)
class Reading:
    """The cues of one figure: per-unit value, time scope, plan or result."""

    per_unit: bool
    scope: str  # "", "cumulative", "past", "national", "current"
    modality: str | None  # "target", "achieved" or None
    level: int  # 4 plan word, 3 result word, 2 "ít nhất"/"tối thiểu", 1 action verb, 0 none
    goal: bool = False  # right after a goal noun: "mục tiêu chung toàn quốc 100.000 đơn vị máu"
    growth: bool = False  # right after a growth verb: "tăng 42,9%"
    state: bool = False  # a state of things: "hiện có 320 thành viên", "chiếm 70%", "60% là …"
    quoted: bool = False  # inside someone's words: “Năm ngoái, chúng tôi tiếp nhận 1.500 đơn vị”

    @property
    def strong(self) -> bool:
        """A plan word (not just "ít nhất") made the target."""
        return self.level == _STRONG_TARGET[1]

    def role(self, default: str = "other") -> str:
        """Combine the cues; ``default`` stands in when no plan or result word speaks."""
        if self.per_unit or (self.state and not self.goal):
            return "other"
        if self.scope == "national":  # the whole country's, unless it is the goal itself
            return "target" if self.goal else "other"
        if self.scope == "past":  # an earlier year's or edition's result is history: cumulative,
            # but an earlier session someone recalls in their own words is background: other
            return "other" if self.strong or self.quoted else "cumulative"
        if self.scope == "cumulative":
            return "target" if self.strong else "cumulative"
        return self.modality or default
