"""Figures of a campaign article: a number, the counted unit after it, and what it means.

A figure is a number (see :mod:`extractors.numbers`) with a unit phrase of the
lexicon (:mod:`extractors._units`): after it ("2.300 đơn vị máu", "22.583 lượt cán
bộ, chiến sĩ", "11 điểm", "62,1%"), before it ("Tổng số đơn vị máu tiếp nhận là
1.245") or in its table column's header. No unit, no figure: years, dates, ages
("28 tuổi"), times, volumes ("350ml"), ordinals ("lần thứ 5", "đợt 5"), numbers of
names ("Bệnh viện Quân y 211", "quận 3"), multiples ("gấp 1,5 lần") and bounds
("không quá 20 người") are left out. The one exception is an amount in triệu/tỷ
after a money word ("tổng trị giá 1,5 tỷ"), which is money. A figure said again
is one figure with more ``mentions`` (:mod:`extractors._facts`).

``quote`` is the number and its unit as written; a hedge before the number
("hơn", "gần") is not quoted (it is ``approx``), a range's "từ … đến …" is.
Roles come from :class:`extractors._clauses.Context`. Everything after a
related-news heading line ("Có thể bạn quan tâm", "Tin khác") is ignored.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import cast

from extractors import _lexicon as lx
from extractors._clauses import Context, Reading
from extractors._facts import (
    FIXED_ROLE_KINDS,
    follow_references,
    join_unit_ranges,
    keep_headline,
    one_per_fact,
)
from extractors._units import CONTEXTS, PLEDGES, UNIT_RE, UNITS, cut_unit, table_units, unit_before, unit_kind
from extractors.normalize import match_form
from extractors.numbers import NumberMatch, scan_numbers
from extractors.record import Approx, Figure, Kind, Role

__all__ = ["body_end", "extract_figures"]

_FIG = lx.section("figures")


_GLUED_OK = set(lx.forms(_FIG["glued_units"]))
_CAPITAL_OK = set(lx.forms(_FIG["capital_units_ok"]))
_CAPITAL_PEOPLE = set(lx.forms(_FIG["capital_people_ok"]))
_LIMIT_RE = re.compile(rf"(?:{lx.regex_pattern(_FIG['limits_before']).pattern})\s$")
_LABEL_RE = re.compile(rf"(?:{lx.phrase_pattern(_FIG['labels']).pattern})\s$")
_LABEL_OK_RE = re.compile(rf"(?:{lx.phrase_pattern(_FIG['label_exceptions']).pattern})\s$")
_TAIL = set(lx.forms(_FIG["tail_headings"]))
_MONEY_CUE = lx.phrase_pattern(_FIG["money_cues"])
_BIG_MULT_RE = re.compile(
    rf"(?:{'|'.join(lx.form(w) for w, v in lx.section('numbers', 'multipliers').items() if v >= 1e6)})$"
)
_AFTER_AT_LEAST = re.compile(rf"\s(?:{lx.phrase_pattern(_FIG['after_hedges']['at_least']).pattern})")
_PERCENT = {"%", "phần trăm"}
_SPACING_AFTER = re.compile(
    rf"(?:\s[^\W\d_]+){{0,2}}\s(?:{lx.phrase_pattern(_FIG['spacing_after']).pattern})"
)
#: Kinds whose role the kind itself fixes (see ``_role``): they neither vote nor follow references.
#: Kinds that make the plan of a drive (how many sites, how many days): see ``schedule_ahead``.
_SCHEDULE_KINDS = frozenset(lx.section("roles", "schedule_kinds"))

# A state word, then at most four words (no number, no comma) before the number: "hiện có 320
# thành viên", "chiếm tới 38%"; a percentage followed by "là" is a share ("60% là lần đầu").
_STATE_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('roles', 'state_before')).pattern})(?:\s[^\s\d,;]+){{0,4}}\s$"
)
_NEED_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('roles', 'need_rates')).pattern})[^.;!?\n]*?"
    rf"(?:{lx.phrase_pattern(lx.section('roles', 'need_verbs')).pattern})(?:\s[^\s\d,;]+){{0,3}}\s$"
)
_MEMBERS_STATE_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('roles', 'members_state_before')).pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)
_SHARE_AFTER = re.compile(rf"\s(?:{lx.phrase_pattern(lx.section('roles', 'share_after')).pattern})")
_WEIGHT_UNITS = set(lx.forms(_FIG["weight_units"]))
_WHOLE_KINDS = frozenset(_FIG["whole_kinds"])
_PER_PERSON_BEFORE = lx.phrase_pattern(lx.section("roles", "per_person_before"))
_NETWORK_BEFORE = lx.phrase_pattern(lx.section("roles", "network_before"))
_WEIGHT_BEFORE = re.compile(
    rf"(?:{lx.phrase_pattern(_FIG['weight_words']).pattern})\s(?:(?:{lx.hedge_alternation()}|từ)\s)?$"
)


_SENTENCE_GAP = re.compile(r"[.!?]\s|\n")


def body_end(text: str) -> int:
    """Where the article ends: the start of the first related-news heading line ("Tin liên quan"),
    or of a line that is such a heading and its links ("Xem thêm: Phù Mỹ trao 300 suất …"), else
    len(text)."""
    pos = 0
    for line in text.split("\n"):
        low = match_form(line)
        head, colon, _ = low.lstrip(" -–|>»\t").partition(":")
        if low.strip(" :.-–|>»\t") in _TAIL or (colon and head.strip() in _TAIL):
            return pos
        pos += len(line) + 1
    return len(text)


def _reference_year(mf: str) -> int | None:
    """The year the text speaks of most ("năm 2022"), when the page gave no date."""
    years = Counter(int(y) for y in lx.NAMED_YEAR_RE.findall(mf))
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _is_label(mf: str, start: int) -> bool:
    window = mf[max(0, start - 24) : start]
    if _LABEL_OK_RE.search(window):
        return False
    return bool(_LABEL_RE.search(window) or _LIMIT_RE.search(window))


def _figure(
    text: str,
    mf: str,
    num: NumberMatch,
    ctx: Context,
    blood_article: bool,
    tables: dict[int, tuple[str, int, int]],
) -> tuple[Figure, Reading] | None:
    if _is_label(mf, num.start) or num.value == 0:
        return None  # a label, an ordinal, a name's number; "Phiên chợ 0 đồng" counts nothing
    pos = num.end
    glued = pos < len(mf) and mf[pos].isalpha()
    if mf[pos : pos + 1] == " ":
        pos += 1
    m = UNIT_RE.match(mf, pos)
    if m and glued and m.group().split(" ")[0] not in _GLUED_OK:
        return None  # "350ml", "15h30", "100m": not a counted unit
    key, end = (m.group(), m.end()) if m else (None, pos)
    tail = mf[pos:].rstrip()
    if 3 <= len(tail) <= 12 and end < pos + len(tail):  # an excerpt that stops mid-word: "2.610 đơn v"
        cut = cut_unit(tail)
        if cut is not None:
            key, end = cut, pos + len(tail)
    start = num.start
    if key is None:
        c_start, _ = ctx.clause_span(num.start)
        cell = tables.get(num.start)
        before = None if cell else unit_before(mf, c_start, num.start)
        if cell is not None and cell[2] == num.end:  # a table cell under a header with a unit
            unit, at = UNITS[cell[0]], cell[1]
            kind = unit_kind(unit, ctx, mf, at, at + len(cell[0]), blood_article)
            unit_text, unit_end = text[at : at + len(cell[0])], num.end
        elif before is not None and not glued:  # "đơn vị máu thu được là 1.009"
            unit_key, start = before
            unit_text, unit_end = text[start : start + len(unit_key)], num.end
            kind = unit_kind(UNITS[unit_key], ctx, mf, num.start, num.end, blood_article)
        elif (
            glued
            or not _BIG_MULT_RE.search(mf, num.start, num.end)
            or not _MONEY_CUE.search(mf, c_start, num.start)
        ):
            return None
        else:
            kind, unit_text, unit_end = "money_vnd", None, num.end
    else:
        unit = UNITS[key]
        bare = key.removeprefix("lượt ")
        if unit.kind == "none" or (
            text[pos].isupper() and key not in _CAPITAL_OK and bare not in _CAPITAL_PEOPLE
        ):
            return None  # not a counted unit, or a capitalised name ("Vùng 2 Cảnh sát biển")
        if key in _WEIGHT_UNITS and _WEIGHT_BEFORE.search(mf, max(0, num.start - 20), num.start):
            return None  # a person's weight
        kind, unit_text, unit_end = (
            unit_kind(unit, ctx, mf, num.start, end, blood_article),
            text[pos:end],
            end,
        )
        if kind == "none":
            return None  # "3 bộ phận": a classifier of a noun the lexicon does not count
    if kind in _WHOLE_KINDS and num.value != int(num.value):
        return None  # "27,25 điểm": a score, not a count of sites
    if _SPACING_AFTER.match(mf, unit_end):
        return None  # "hai lần hiến cách nhau ít nhất 12 tuần": a rule's spacing
    approx = num.approx
    if approx is None and _AFTER_AT_LEAST.match(mf, unit_end):
        approx = "at_least"
    fig = Figure(
        value=_number(num.value),
        value_max=None if num.value_max is None else _number(num.value_max),
        approx=cast(Approx, approx),
        kind=cast(Kind, kind),
        role="other",
        unit_text=unit_text,
        quote=text[start:unit_end],
        start=start,
        end=unit_end,
    )
    seg_start = max(0, mf.rfind(",", 0, num.start) + 1, mf.rfind(";", 0, num.start) + 1, num.start - 60)
    c_start, _ = ctx.clause_span(num.start)
    state = (
        bool(_STATE_BEFORE.search(mf, seg_start, num.start))
        or bool(_NEED_BEFORE.search(mf, c_start, num.start))  # "mỗi tháng các bệnh viện … cần 4.000"
        or bool(unit_text in _PERCENT and _SHARE_AFTER.match(mf, unit_end))
        # an institute's supply network: "cung cấp máu cho hơn 150 bệnh viện"
        or (kind == "hospitals" and bool(_NETWORK_BEFORE.search(mf, c_start, num.start)))
        # a club "với gần 300 thành viên": its standing size
        or (kind == "members" and bool(_MEMBERS_STATE_BEFORE.search(mf, seg_start, num.start)))
    )
    reading = replace(ctx.reading(num.start, unit_end), state=state)
    if kind == "donations_per_person" and _PER_PERSON_BEFORE.search(mf, c_start, num.start):
        reading = replace(reading, per_unit=False)  # "mỗi người đã 28 lần hiến máu": each one's own count
    return fig, reading


def _same_kind_as_the_list(mf: str, found: list[tuple[Figure, Reading]]) -> list[tuple[Figure, Reading]]:
    """ "… đăng ký đông nhất với 215 người; Phòng B có 168 người": the items of an enumeration
    (figures of one unit whose sentence says what it counts only once, joined by ";") count the
    same thing as the first."""
    out = list(found)
    for i in range(1, len(out)):
        fig, reading = out[i]
        prev = out[i - 1][0]
        unit = UNITS.get(match_form(fig.unit_text or ""))
        if (
            unit is not None
            and unit.when is not None
            and fig.kind == unit.otherwise != unit.kind == prev.kind
            and match_form(prev.unit_text or "") == match_form(fig.unit_text or "")
            and ";" in mf[prev.end : fig.start]
            and not _SENTENCE_GAP.search(mf, prev.end, fig.start)
        ):
            out[i] = (replace(fig, kind=prev.kind), reading)
    return out


def _is_percent(fig: Figure) -> bool:
    return fig.unit_text is not None and fig.unit_text.strip().lower() in _PERCENT


def _role(fig: Figure, reading: Reading, default: str) -> Role:
    """The role from the cues, with the two kinds whose meaning fixes it.

    A person's number of donations is a lifetime total (cumulative), what each one
    pledged to this drive ("1 ngày lương/người") is read like any figure. A club's
    size is read like any figure too ("đã có hơn 120 thành viên" is a result, "hiện
    có 320 thành viên" a state: other, "lúc ban đầu … đến nay đã có 18" a history). A
    percentage is a ratio of the story (other) unless a plan or result word (not
    a bare action verb: "hiện mới đạt khoảng 1,5% dân số") speaks for it, and
    never takes the article's default.
    """
    if fig.kind == "donations_per_person" and match_form(fig.unit_text or "") in PLEDGES:
        return cast(Role, replace(reading, per_unit=False).role(default))
    if fig.kind == "donations_per_person" and not reading.per_unit:
        return "cumulative"
    if _is_percent(fig):
        if reading.growth:
            return "other"  # "tăng 42,9% so với năm 2022": a comparison, not a result
        role = reading.role() if reading.level >= 2 else replace(reading, modality=None).role()
    else:
        role = reading.role(default)
    return cast(Role, role)


def _default_role(readings: list[Reading]) -> str:
    """The article's voice for figures no cue speaks for: the modality most of its figures have.

    A closing report's list of results ("Hà Nội dẫn đầu với 12.480 đơn vị máu") is
    achieved, a launch's cue-less plans are targets; a tie says nothing (other).
    """
    votes = Counter(
        r.modality
        for r in readings
        if r.modality and not r.per_unit and r.scope not in ("past", "national", "cumulative")
    )
    ranked = votes.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return "other"
    return ranked[0][0]


def extract_figures(
    text: str,
    *,
    published_year: int | None = None,
    published: str | None = None,
    headline: tuple[int, int] | None = None,
) -> tuple[Figure, ...]:
    """Every figure of the article body ``text``, in text order.

    ``published_year`` is the article's year: a number of an earlier year ("năm
    2023 đã tiếp nhận …" in 2024) is not this year's result. Without it, the
    year the text names most often stands in. ``published`` (ISO 8601) is the
    page's date: the sites and days of a schedule that ends after it are the plan
    of a drive still under way, not its result. ``headline`` is where the page's
    headline stands in ``text`` when it is printed above the lead: its figures
    neither vote for the article's voice nor make its lead, and one stays only as
    the first mention of a body figure or as a count of a thing the body does not
    count (``keep_headline``): a headline rounds ("Hơn 2.700 …" over "2.746 …").
    """
    mf = match_form(text)
    limit = body_end(text)
    ref = published_year if published_year is not None else _reference_year(mf[:limit])
    head_end = headline[1] if headline else 0
    ctx = Context(text, mf, ref, _day(published), body_start=head_end)
    blood_article = len(CONTEXTS["blood"].findall(mf, 0, limit)) >= 2
    tables = table_units(text) if " | " in text else {}
    found: list[tuple[Figure, Reading]] = []
    for num in scan_numbers(text, mf):
        if num.start >= limit:
            break
        item = _figure(text, mf, num, ctx, blood_article, tables)
        if item is not None:
            found.append(item)
    found = join_unit_ranges(text, mf, _same_kind_as_the_list(mf, found))
    default = _default_role(
        [r for fig, r in found if fig.kind not in FIXED_ROLE_KINDS and fig.start >= head_end]
    )
    figures = [replace(fig, role=_role(fig, r, default)) for fig, r in found]
    figures = [
        replace(fig, role="target")
        if fig.kind in _SCHEDULE_KINDS and r.level == 0 and not r.per_unit and ctx.schedule_ahead(fig.start)
        else fig
        for fig, r in zip(figures, (r for _, r in found), strict=True)
    ]
    if headline is not None:
        figures = keep_headline(figures, headline)
    return one_per_fact(follow_references(mf, ctx, figures))


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None
