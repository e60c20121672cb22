"""Unit phrases of the lexicon: which thing a number counts, from the words around it.

A unit normally follows its number ("2.300 đơn vị máu"). Real coverage also writes it before the
number ("Tổng số đơn vị máu tiếp nhận là 1.245", "đơn vị máu thu được là 1.009") and in the
column header of a table whose rows hold bare numbers (content extraction joins a table row's
cells with " | "). An excerpt may stop inside a unit ("38.764 đoàn vi").

Some units need their sentence to say what they count (``when`` in ``[[units]]``): "đơn vị" is
blood in a blood-donation sentence (or in a list under a heading about blood), people are registrations when they signed up, "lần" counts a
person's donations after a donation verb, works handed over are gifts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from extractors import _lexicon as lx
from extractors._sentences import Sentences
from extractors.normalize import match_form

__all__ = [
    "CONTEXTS",
    "PLEDGES",
    "UNITS",
    "UNIT_RE",
    "Unit",
    "cut_unit",
    "table_units",
    "unit_before",
    "unit_kind",
]

_FIG = lx.section("figures")


@dataclass(frozen=True, slots=True)
class Unit:
    """What a unit phrase counts, and the context that decides it when ``when`` is set."""

    kind: str
    when: str | None
    otherwise: str


def _load_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for entry in lx.section("units"):
        unit = Unit(entry["kind"], entry.get("when"), entry.get("otherwise", entry["kind"]))
        prefixes = [""] + [lx.form(p) + " " for p in entry.get("prefixes", [])]
        for phrase in entry["phrases"]:
            for prefix in prefixes:
                units[prefix + lx.form(phrase)] = unit
    return units


UNITS = _load_units()
#: Units of what each one gave to this drive ("1 ngày lương/người"): role read like any other.
PLEDGES = {lx.form(p) for entry in lx.section("units") if entry.get("pledge") for p in entry["phrases"]}
UNIT_RE = re.compile(lx.trie_alternation(UNITS))  # the longest unit phrase first, whole words
CONTEXTS = {name: lx.phrase_pattern(words) for name, words in _FIG["contexts"].items()}
_REGISTRATION_AFTER = re.compile(
    rf"\s*(?:(?:{'|'.join(re.escape(w) for w in lx.forms(_FIG['contexts']['registration_modifiers']))})\s)*"
    rf"(?:{CONTEXTS['registration'].pattern})"
)
_REG_WORD = CONTEXTS["registration"]
_PHRASE_END = re.compile(r"\s*(?:[;.,:)!?\n]|$|và\s)")
_ORGANISATIONS_BEFORE = re.compile(
    rf"(?:{CONTEXTS['organisation_before'].pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)
_ORGANISATIONS_NEXT = re.compile(rf"\s*(?:,|và)\s*(?:{CONTEXTS['organisation_nouns'].pattern})")
_MEMBERS_BEFORE = re.compile(
    rf"(?:{CONTEXTS['members_before'].pattern})\s(?:(?:{lx.hedge_alternation()})\s)?$"
)
_REG_STOP = re.compile(rf"[;.!?\n]|{CONTEXTS['registration_stops'].pattern}")
_PEOPLE_AFTER_COMMA = re.compile(rf",\s(?:{CONTEXTS['people_words'].pattern})")
_NEW_SUBJECT_AFTER_COMMA = re.compile(rf",\s(?:{CONTEXTS['new_subject'].pattern})")
_PEOPLE_MODIFIER = CONTEXTS["people_modifiers"]
_NUMBER_THEN_WORD = re.compile(r"(?<![\d.,])\d[\d.,]*\s")
_PEOPLE_KINDS = frozenset({"registrations", "participants"})


def _people_count(mf: str, start: int, end: int) -> bool:
    """Whether another count of people stands in ``mf[start:end]`` ("… 500 đoàn viên, 300 người
    đăng ký"); "của 38 trường" is no such count."""
    for m in _NUMBER_THEN_WORD.finditer(mf, start, end):
        unit = UNIT_RE.match(mf, m.end())
        if unit is not None and {UNITS[unit.group()].kind, UNITS[unit.group()].otherwise} & _PEOPLE_KINDS:
            return True
    return False


def _registered_later(mf: str, unit_end: int) -> bool:
    """ "hơn 500 cán bộ, chiến sĩ đơn vị đăng ký tình nguyện hiến máu": "đăng ký" further on in the
    clause, before anything the people did instead (took part, gave blood), another count of
    people, or a comma that does not continue the people counted: it must name more of them ("là
    cán bộ, nhân dân trong huyện đăng kí") or list their places after a modifier ("của 38 trường
    đại học, cao đẳng"), and never open a new subject (", nhiều người đăng ký")."""
    end = min(len(mf), unit_end + 160)
    reg = _REG_WORD.search(mf, unit_end, end)
    if reg is None:
        return False
    if _REG_STOP.search(mf, unit_end, reg.start()) or _people_count(mf, unit_end, reg.start()):
        return False
    for comma in re.finditer(",", mf[unit_end : reg.start()]):
        at = unit_end + comma.start()
        if _NEW_SUBJECT_AFTER_COMMA.match(mf, at):
            return False
        if not (_PEOPLE_AFTER_COMMA.match(mf, at) or _PEOPLE_MODIFIER.search(mf, unit_end, at)):
            return False
    return True


_DIGIT = re.compile(r"\d")
_WORD_AFTER = re.compile(r" [^\W\d_]")


def unit_kind(unit: Unit, ctx: Sentences, mf: str, start: int, unit_end: int, blood_article: bool) -> str:
    """The kind a unit makes of the number at ``start`` (its unit ends at ``unit_end``)."""
    if unit.when == "blood":
        if CONTEXTS["organisation_after"].match(mf[unit_end : unit_end + 20].lstrip()):
            return "other"  # "9 đơn vị khác thuộc Bộ Công an": units of an organisation
        s, e = ctx.sentence_span(start)
        header = ctx.list_header(start)  # "… số máu tiếp nhận cao như:" over "Huyện A: 3.870 đơn vị"
        if CONTEXTS["blood"].search(mf, s, e) or (header and CONTEXTS["blood"].search(mf, *header)):
            return unit.kind
        if blood_article and CONTEXTS["blood_verbs"].search(mf, s, start):
            return unit.kind  # "đã tiếp nhận 2.150 đơn vị", "miền Bắc tiếp nhận 52.410 đơn vị; miền Nam …"
        if (
            blood_article
            and _PHRASE_END.match(mf, unit_end)
            and not _ORGANISATIONS_NEXT.match(mf, unit_end)
            and not _ORGANISATIONS_BEFORE.search(mf, max(0, start - 24), start)
        ):
            return unit.kind  # "Công an TP Hạ Long: 318 đơn vị;": a result by unit
        return unit.otherwise
    if unit.when == "registration":
        c_start, _ = ctx.clause_span(start)
        s, e = ctx.sentence_span(start)
        if _MEMBERS_BEFORE.search(mf, max(c_start, start - 25), start):
            return "members"  # "mạng lưới hơn 5.000 tình nguyện viên": the people a club counts on
        medical = CONTEXTS["medical_before"].search(mf, c_start, start) or CONTEXTS["medical_after"].match(
            mf[unit_end : unit_end + 30].lstrip()
        )
        if medical and not CONTEXTS["blood"].search(mf, s, e):
            return "patients"  # "khám, cấp phát thuốc miễn phí cho hơn 300 người dân"
        seg_start = max(c_start, mf.rfind(", ", c_start, start) + 1)
        if _REGISTRATION_AFTER.match(mf, unit_end) or _registered_later(mf, unit_end):
            return unit.kind  # "1.400 người đã đăng ký"
        if CONTEXTS["registration"].search(mf, seg_start, start) and not _DIGIT.search(
            mf, seg_start, start
        ):  # "số người đăng ký đã lên tới 1.210 người"; not "4.482 lượt đăng ký và 4.106 lượt …"
            return unit.kind
        return unit.otherwise
    if unit.when in ("handover", "house_support"):  # "trao tặng 09 công trình": handed over before it
        s, _ = ctx.sentence_span(start)
        return unit.kind if CONTEXTS[unit.when].search(mf, s, start) else unit.otherwise
    if unit.when == "alone":  # "đã trao được hơn 6.200 chiếc, …": a classifier standing for its noun
        return unit.otherwise if _WORD_AFTER.match(mf, unit_end) else unit.kind
    if unit.when is not None and unit.when in CONTEXTS:
        s, e = ctx.sentence_span(start)
        return unit.kind if CONTEXTS[unit.when].search(mf, s, e) else unit.otherwise
    if unit.when == "donation":
        c_start, _ = ctx.clause_span(start)
        after = mf[unit_end : unit_end + 20].lstrip()
        if CONTEXTS["rounds_after"].match(after):
            return unit.otherwise  # "12 lần tổ chức": rounds of the programme
        if CONTEXTS["donation"].search(mf, c_start, start) or CONTEXTS["donation"].match(after):
            return unit.kind  # "đã hiến máu 57 lần", "18 lần hiến tiểu cầu"
        return unit.otherwise
    return unit.kind


def cut_unit(tail: str) -> str | None:
    """The text ends a few letters into a unit ("38.764 đoàn vi"): the shortest unit phrase that
    the rest of the text begins."""
    if not tail[-1].isalpha():
        return None
    longer = sorted((u for u in UNITS if u.startswith(tail) and u != tail), key=len)
    return longer[0] if longer else None


#: Kinds a unit written before its number may make ("Tổng số đơn vị máu tiếp nhận là 1.245").
_BEFORE_KINDS = frozenset(_FIG["unit_before_kinds"])
_LINK_BEFORE_RE = re.compile(rf"(?:{lx.phrase_pattern(_FIG['unit_before_links']).pattern})\s?:?\s$|:\s?$")
_WORD_START_RE = re.compile(r"(?<![^\W_])[^\W\d_]")
_GAP_OK_RE = re.compile(r"(?:\s[^\s\d,;.:]+){0,5}\s?")


def unit_before(mf: str, clause_start: int, start: int) -> tuple[str, int] | None:
    """A unit written before the number at ``start`` in its clause, at most five words before a
    link to it ("là", "đạt", ":"): "đơn vị máu thu được là 1.009" -> (the unit phrase, where it
    starts). Not the unit of another number ("500 người là đoàn viên")."""
    link = _LINK_BEFORE_RE.search(mf, max(clause_start, start - 12), start)
    if link is None:
        return None
    lo = max(clause_start, link.start() - 60)
    for w in _WORD_START_RE.finditer(mf, lo, link.start()):
        m = UNIT_RE.match(mf, w.start())
        if m is None or UNITS[m.group()].kind not in _BEFORE_KINDS or m.end() > link.start():
            continue
        if re.search(r"[\d%] $", mf[max(0, w.start() - 2) : w.start()]):
            continue  # the unit of the number before it
        if _GAP_OK_RE.fullmatch(mf, m.end(), link.start()):
            return m.group(), w.start()
    return None


_CELLS = re.compile(r" \| ")
_BARE_NUMBER = re.compile(r"[\d.,]+")


def table_units(text: str) -> dict[int, tuple[str, int, int]]:
    """Numbers alone in a table cell whose column header names a unit: the number's start ->
    (the header's unit phrase, where it stands, where the cell ends). Content extraction writes
    a table row as one line, its cells joined by " | "; a block's first line is its header."""
    mf = match_form(text)
    out: dict[int, tuple[str, int, int]] = {}
    header: list[tuple[str, int] | None] | None = None
    pos = 0
    for line in mf.split("\n"):
        if " | " not in line:
            header, pos = None, pos + len(line) + 1
            continue
        cells = _CELLS.split(line)
        starts = list(accumulate((len(cell) + 3 for cell in cells[:-1]), initial=pos))
        if header is None:
            header = []
            for cell, cell_start in zip(cells, starts, strict=True):
                unit = None if _DIGIT.search(cell) else UNIT_RE.search(cell)
                header.append((unit.group(), cell_start + unit.start()) if unit else None)
        else:
            for head, cell, cell_start in zip(header, cells, starts, strict=False):
                lead = len(cell) - len(cell.lstrip())
                if head is not None and _BARE_NUMBER.fullmatch(cell.strip()):
                    out[cell_start + lead] = (head[0], head[1], cell_start + len(cell.rstrip()))
        pos += len(line) + 1
    return out
