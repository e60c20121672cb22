"""What decides a figure's role: the scope of its time and the modality of its words.

A role has two parts, decided separately and then combined:

* **scope**, the time a number belongs to (:mod:`extractors._scopes`): cumulative,
  past, current, national or none.
* **modality**, plan or result, by strength: a plan word ("mục tiêu", "chỉ
  tiêu", "phấn đấu", "dự kiến", "sẽ") > a result word ("đã", "thu được",
  "vượt chỉ tiêu", "tính đến") > "ít nhất"/"tối thiểu"/"kêu gọi" > an action verb
  shared by plans and results ("tiếp nhận", "đạt", "trao", "tham gia"). The nearest
  comma phrase before the number that holds a cue decides, by its strongest cue
  ("dự kiến thu về 800" is a plan); failing that, the first cue after it in its
  clause ("tại 11 điểm … với mục tiêu …"), then the sentence's other clauses,
  then the sentence before when this one continues it. A bare action verb in a
  clause after a plan word's clause stays a plan ("phấn đấu …, trong đó … đạt
  65%"), and in a sentence that goes on with the plan ("Đồng thời …"). A purpose
  ("nhằm …") is a plan only for its own phrase: the results after it stay results.
  A number right after a goal noun is the goal ("vượt mục tiêu 25.000 người" is a
  target), and so is one in brackets after the goal noun's phrase ("đạt 105% kế hoạch
  (30.000 đơn vị)").

Combined (:meth:`Reading.role`): a per-unit value ("mỗi suất trị giá …",
".../suất", "mỗi suất gồm …", "hằng tháng") is *other*; a national scope is *other*
unless the number is the goal itself ("mục tiêu chung toàn quốc 100.000"); a past
scope is *other* (one earlier year's or edition's number is background to this campaign,
as the real corpus reads "a previous session"; a total over several years is cumulative,
and so are the parts of one, see :mod:`extractors._scopes`); a cumulative scope is
*cumulative* unless a plan word says *target*; otherwise the modality, and the caller's
default when nothing speaks. Growth ("tăng 42,9%", and a count after a growth word that a
comparison follows: "cao hơn 400 đơn vị so với năm 2024", a difference, not a total) and a
state ("hiện có", "chiếm", "chỉ còn") are *other*. The sites and days of a schedule that ends
after the page's date (:meth:`Context.schedule_ahead`) are the plan of a drive still under way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors import _lexicon as lx
from extractors._scopes import Cue, Scopes
from extractors._sentences import segments

__all__ = ["Context", "Reading"]

_ROLES = lx.section("roles")
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
#: Action verbs that may open a phrase continuing a plan's list of goals.
_LIST_VERBS = tuple(f + " " for f in lx.forms(_ROLES["achieved_weak"]))
_STRONG_TARGET = _LEVELS["target"]
_WEAK_ACHIEVED = _LEVELS["achieved_weak"]
_WEAK_TARGET = _LEVELS["weak_target"]
_PER_UNIT_BEFORE = lx.phrase_pattern(_ROLES["per_unit_before"])
_PER_UNIT_BREAK = lx.phrase_pattern(_ROLES["per_unit_breaks"])
_PER_UNIT_LIST = re.compile(
    rf"(?:{_PER_UNIT_BEFORE.pattern})[^;]{{0,60}}?(?:{lx.phrase_pattern(_ROLES['per_unit_lists']).pattern})"
)
_PER_UNIT_AFTER = re.compile(rf"\s?(?:{lx.phrase_pattern(_ROLES['per_unit_after']).pattern})")
_GOAL_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(_ROLES['goal_nouns']).pattern})"
    rf"(?:\s?(?:{'|'.join(re.escape(f) for f in lx.forms(_ROLES['goal_fillers']))}|năm (?:19|20)\d\d)){{0,3}}"
    rf"(?:\s(?:{lx.hedge_alternation()}))?\s$"
)
# The goal given in brackets right after the goal noun's phrase: "đạt 57% kế hoạch năm 2022 (12.000
# đơn vị)", "vượt chỉ tiêu đề ra (4.000 đơn vị)" (the phrase holds no other number but its year).
_GOAL_BRACKET = re.compile(
    rf"(?:{lx.phrase_pattern(_ROLES['goal_nouns']).pattern})(?:\s(?:năm (?:19|20)\d\d|[^\s\d(),.;:]+)){{0,8}}"
    rf"\s?\(\s?(?:(?:{lx.hedge_alternation()})\s)?$"
)
_PERCENT_AT = re.compile(r"[\d.,]+\s?%")
#: How long the opening phrase of a clause that makes its amounts per unit may be: "Mỗi ngôi nhà có
#: diện tích từ 45 đến 60 m2, được hỗ trợ 60 triệu đồng" (the thing, then what it is like).
_MAX_SUBJECT_WORDS = 12
_GROWTH_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(_ROLES['growth']).pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)
_COMPARED_AFTER = re.compile(rf"\s?,?\s?(?:{lx.phrase_pattern(_ROLES['comparison_after']).pattern})")
_CONTINUATION = re.compile(rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['continuations']).pattern})")
_PLAN_CONTINUATION = re.compile(
    rf"[\s\"“”'‘’(\-–]*(?:{lx.phrase_pattern(_ROLES['plan_continuations']).pattern})"
)
_DIGIT = re.compile(r"\d")
_BREAKDOWN = re.compile(rf"[\s,;]*(?:{lx.phrase_pattern(_ROLES['scope_continuations']).pattern})")
# The end of a span of days: "từ ngày 8 đến 14/8", "từ 25/3 đến 3/4/2025" (group 1 day, 2 month, 3 year).
_SCHEDULE_END_RE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('numbers', 'range_open')).pattern})\s(?:ngày\s)?\d{{1,2}}(?:[/.\-]\d{{1,2}})?"
    rf"\s?(?:{lx.phrase_pattern(lx.section('numbers', 'range_join')).pattern}|[-–])\s?(?:ngày\s)?"
    r"(\d{1,2})[/.\-](\d{1,2})(?:[/.\-]((?:19|20)\d\d))?(?![\d])"
)


class Context(Scopes):
    """Sentence structure and cue words of one text, built once, asked per figure."""

    def __init__(
        self, text: str, mf: str, ref_year: int | None, today: date | None = None, body_start: int = 0
    ) -> None:
        super().__init__(text, mf, ref_year, today.year if today else None, body_start)
        self.today = today

    # -- modality --------------------------------------------------------------------------
    @staticmethod
    def _decide(cues: list[Cue]) -> tuple[str, int] | None:
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
                found = self._decide(self.cues_in(s, min(e, max(pos, upto)), own))
                if found == _WEAK_ACHIEVED:
                    # a phrase that is only the plan's next verb ("phấn đấu vận động 70 tỷ đồng,
                    # tiếp nhận 25.500 đơn vị máu, xây mới 40 nhà") goes on with the plan's list
                    listed = self.mf[s:e].lstrip(" ,").startswith(_LIST_VERBS)
                if (
                    found == _WEAK_ACHIEVED
                    and any(  # "Theo kế hoạch, … nhận hỗ trợ 2.500 căn"; not a plan with a figure of its
                        # own: "dự kiến trao 500 suất quà, ngày đầu tiên trao 200 suất" (a result)
                        self._decide(self.cues_in(s0, e0, kinds)) == _STRONG_TARGET
                        and (listed or not _DIGIT.search(self.mf, s0, e0))
                        for s0, e0 in before[:i]
                    )
                ):
                    return _STRONG_TARGET
                if found:
                    return found
            after = [seg for seg in segs if seg[1] > pos]
        else:
            after = segs
        for s, e in after:
            found = self._decide(self.cues_in(max(s, pos or s), e, kinds))
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
            if self.cues_in(clauses[here][0], pos, ("achieved",)):  # unless a result word ends its reach:
                found = _LEVELS["achieved"]  # "dự kiến trao 1.800 … nhưng đã vận động được …, tặng thêm 40"
            elif any(  # a breakdown of the plan ("trong đó …"), or a plan that states no figure itself
                self._modality_in(c[0], c[1], None) == _STRONG_TARGET
                and (_BREAKDOWN.match(self.mf, clauses[here][0]) or not _DIGIT.search(self.mf, c[0], c[1]))
                for c in clauses[:here]
            ):
                found = _STRONG_TARGET
        order = list(range(here - 1, -1, -1)) + list(range(here + 1, len(clauses)))
        for i in order:
            if found:
                break
            found = self._modality_in(clauses[i][0], clauses[i][1], None)
        if (
            found in (None, _WEAK_ACHIEVED, _WEAK_TARGET)
            and idx > 0
            and depth < 3
            and _CONTINUATION.match(self.mf, sent_start)
        ):
            before = self._modality(self.sentences[idx - 1].end - 1, depth=depth + 1)
            # "Dự kiến … sẽ tiếp nhận …. Đồng thời vận động … người tham gia": the plan goes on
            plan_goes_on = (
                found == _WEAK_ACHIEVED
                and before == _STRONG_TARGET
                and bool(_PLAN_CONTINUATION.match(self.mf, sent_start))
            )
            # "… đã ủng hộ 5,4 tỉ đồng. Trong đó, mỗi người ủng hộ ít nhất 1 ngày lương": a part of a
            # result is a result, its "ít nhất" a hedge
            part_of_result = (
                found == _WEAK_TARGET
                and before == _LEVELS["achieved"]
                and bool(_BREAKDOWN.match(self.mf, sent_start))
            )
            if found is None or plan_goes_on or part_of_result:
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
            if len(self.mf[s:e].split()) <= _MAX_SUBJECT_WORDS and _PER_UNIT_BEFORE.match(self.mf, s):
                return True
        return False

    def reading(self, start: int, unit_end: int) -> Reading:
        """What the words around the figure spanning ``start``..``unit_end`` say about it."""
        modality = self._modality(start, unit_end)
        goal = not _PERCENT_AT.match(self.mf, start) and bool(
            _GOAL_BEFORE.search(self.mf, max(0, start - 40), start)
            or _GOAL_BRACKET.search(self.mf, max(0, start - 90), start)
        )
        if goal:
            modality = _STRONG_TARGET  # "vượt mục tiêu 25.000 người", "so với chỉ tiêu 2.800 đơn vị"
        return Reading(
            per_unit=self.per_unit(start, unit_end),
            scope=self.scope(start),
            modality=modality[0] if modality else None,
            level=modality[1] if modality else 0,
            goal=goal,
            growth=bool(_GROWTH_BEFORE.search(self.mf, max(0, start - 30), start))
            and bool(_PERCENT_AT.match(self.mf, start) or _COMPARED_AFTER.match(self.mf, unit_end)),
        )


@dataclass(frozen=True, slots=True)
class Reading:
    """The cues of one figure: per-unit value, time scope, plan or result."""

    per_unit: bool
    scope: str  # "", "cumulative", "past", "national", "current"
    modality: str | None  # "target", "achieved" or None
    level: int  # 4 plan word, 3 result word, 2 "ít nhất"/"tối thiểu", 1 action verb, 0 none
    goal: bool = False  # right after a goal noun: "mục tiêu chung toàn quốc 100.000 đơn vị máu"
    growth: bool = False  # a change between two times: "tăng 42,9%", "cao hơn 400 đơn vị so với năm 2024"
    state: bool = False  # a state of things: "hiện có 320 thành viên", "chiếm 70%", "60% là …"

    @property
    def strong(self) -> bool:
        """A plan word (not just "ít nhất") made the target."""
        return self.level == _STRONG_TARGET[1]

    def role(self, default: str = "other") -> str:
        """Combine the cues; ``default`` stands in when no plan or result word speaks."""
        if self.per_unit or self.growth or (self.state and not self.goal):
            return "other"
        if self.scope == "national":  # the whole country's, unless it is the goal itself
            return "target" if self.goal else "other"
        if self.scope == "past":
            return "other"
        if self.scope == "cumulative":
            return "target" if self.strong else "cumulative"
        return self.modality or default
