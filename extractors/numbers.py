"""The Vietnamese number grammar: digits, multipliers, spelled numbers, ranges and hedges.

``2.300`` is two thousand three hundred and ``1,5`` one and a half; pages also
carry English ``1,123,308``. Multiplier words (nghìn/ngàn, vạn, triệu, tỷ/tỉ)
scale the number before them ("1,5 triệu", "300-350 ngàn": both ends), spelled
numbers follow the spoken grammar ("hai mươi lăm", "một trăm linh năm"), and a
hedge word in front ("hơn", "gần", "khoảng", "ít nhất") becomes ``approx``.

A :class:`NumberMatch` spans the number itself (with its multiplier), not its
hedge: ``text[start:end]`` of "hơn 1.700 đơn vị" is "1.700". A range spans
both ends and, when it opens with "từ", that word too ("từ 10 đến 35").
Dates that look like numbers ("16.4", "29/4", "ngày 5-6", "tháng 1.2026") and
numbers glued after letters ("U22", "PC08") are not numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from extractors import _lexicon as lx
from extractors._spelled import SPELLED_RE, parse_spelled, spell_integer
from extractors.normalize import match_form

__all__ = [
    "NumberMatch",
    "find_numbers",
    "format_vi",
    "joins_range",
    "parse_number",
    "range_start",
    "scan_numbers",
]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """One number or range found in a text, with its hedge folded into ``approx``."""

    value: float
    value_max: float | None
    approx: str | None
    start: int
    end: int
    text: str


_ATOM = r"\d+(?:[.,]\d+)*"
# A run of digits with separators, glued by "-" or "/" to more such runs ("19/8/1945", "800-1.000").
_TOKEN_RE = re.compile(rf"(?<![^\W_])(?<![.,]){_ATOM}(?:[-–/]{_ATOM})*")
_SPACE_DASH_RE = re.compile(r"\s*[-–—]\s*")
_PERCENT_RE = re.compile(r"\s?%")
_TIME_RE = re.compile(r"[hg]\d{0,2}(?![^\W_])")  # "15h30", "8h", "9g"


_MULT_RE = re.compile(rf"\s?({'|'.join(lx.forms(lx.section('numbers', 'multipliers')))})(?![^\W_])")
# The smaller tail of a compound amount: " 500 triệu" of "2 tỷ 500 triệu".
_TAIL_MULT_RE = re.compile(rf"\s({_ATOM}){_MULT_RE.pattern}")
_MULTS: dict[str, Decimal] = {
    lx.form(k): Decimal(str(v)) for k, v in lx.section("numbers", "multipliers").items()
}
_HEDGE_RE = re.compile(
    "(?:"
    + "|".join(
        rf"(?<![^\W_])(?P<{kind}>{'|'.join(re.escape(h) for h in lx.forms(words))})"
        for kind, words in lx.section("numbers", "hedges").items()
    )
    + r")\s$"
)
_COMPARATIVE_RE = re.compile(
    rf"(?:{lx.phrase_pattern(lx.section('numbers', 'comparatives')).pattern})\shơn\s$"
)
_DATE_WORD_RE = re.compile(rf"(?:{lx.phrase_pattern(lx.section('numbers', 'date_words')).pattern})\s$")
_OPEN_RE = re.compile(rf"(?:{lx.phrase_pattern(lx.section('numbers', 'range_open')).pattern})\s$")
_JOIN_RE = re.compile(
    rf"\s(?:{lx.phrase_pattern(lx.section('numbers', 'range_join')).pattern})\s"
    rf"(?:(?:{lx.hedge_alternation()})\s)?"
)


def _valid_groups(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _parse_atom(s: str, scaled: bool) -> Decimal | None:
    """One digit run with separators; ``scaled`` when a multiplier word follows it."""
    try:
        if "." in s and "," in s:
            dec_sep = "," if s.rfind(",") > s.rfind(".") else "."
            grp_sep = "." if dec_sep == "," else ","
            whole, frac = s.rsplit(dec_sep, 1)
            groups = whole.split(grp_sep)
            if dec_sep in whole or not _valid_groups(groups):
                return None
            return Decimal("".join(groups) + "." + frac)
        for sep in (".", ","):
            if sep not in s:
                continue
            groups = s.split(sep)
            if len(groups) == 2 and (len(groups[1]) != 3 or (scaled and sep == ",")):
                if sep == "." and not scaled and len(groups[1]) <= 2:
                    day, month = int(groups[0]), int(groups[1])
                    if 1 <= day <= 31 and 1 <= month <= 12:
                        return None  # "16.4" is the 16th of April
                if len(groups[1]) > 3:
                    return None  # "1.2026" is January 2026
                return Decimal(groups[0] + "." + groups[1])
            return Decimal("".join(groups)) if _valid_groups(groups) else None
        return Decimal(s) if len(s) <= 15 else None
    except InvalidOperation:
        return None


@dataclass(slots=True)
class _Num:
    """A number before range assembly: its value, span, and the multiplier it carried."""

    value: Decimal
    start: int
    end: int
    mult: Decimal | None = None
    base: Decimal | None = None  # value before the multiplier
    value_max: Decimal | None = None


def _take_multiplier(mf: str, end: int, value: Decimal) -> tuple[Decimal, int, Decimal | None]:
    """Apply "nghìn/triệu/tỷ" after a number, and a smaller "2 tỷ 500 triệu" tail."""
    m = _MULT_RE.match(mf, end)
    if not m:
        return value, end, None
    mult = _MULTS[m.group(1)]
    total, end = value * mult, m.end()
    tail = _TAIL_MULT_RE.match(mf, end)
    if tail:
        sub = _parse_atom(tail.group(1), True)
        sub_mult = _MULTS[tail.group(2)]
        if sub is not None and sub_mult < mult and sub * sub_mult < mult:
            total, end = total + sub * sub_mult, tail.end()
    return total, end, mult


def _digit_numbers(mf: str) -> list[_Num]:
    out: list[_Num] = []
    for tok in _TOKEN_RE.finditer(mf):
        raw, start = tok.group(), tok.start()
        if "/" in raw or _TIME_RE.match(mf, tok.end()):
            continue  # dates, fractions and times: "29/4", "19/8/1945", "15h30"
        parts = re.split(r"[-–]", raw)
        if len(parts) > 2:
            continue  # "16-4-2024"
        scaled = bool(
            _MULT_RE.match(mf, tok.end()) or _PERCENT_RE.match(mf, tok.end())
        )  # "12.5%" is a decimal
        if len(parts) == 2:
            lo, hi = _parse_atom(parts[0], False), _parse_atom(parts[1], scaled)
            if lo is None or hi is None or lo >= hi:
                continue  # "Bệnh viện 19-8", "30-4"
            if hi <= 31 and lo == int(lo) and _DATE_WORD_RE.search(mf, max(0, start - 20), start):
                continue  # "ngày 5-6", "sáng 11-6"
            hi_total, end, mult = _take_multiplier(mf, tok.end(), hi)
            if mult is not None and lo < hi:
                lo = lo * mult
            out.append(_Num(lo, start, end, mult, None, hi_total))
            continue
        value = _parse_atom(raw, scaled)
        if value is None:
            continue
        total, end, mult = _take_multiplier(mf, tok.end(), value)
        out.append(_Num(total, start, end, mult, value))
    return out


def _spelled_numbers(mf: str) -> list[_Num]:
    out: list[_Num] = []
    for run in SPELLED_RE.finditer(mf):
        pos = run.start()
        while pos < run.end():
            parsed = parse_spelled(mf, pos, run.end())
            if parsed is None:
                nxt = mf.find(" ", pos, run.end())
                if nxt < 0:
                    break
                pos = nxt + 1
                continue
            value, end, mult = parsed
            out.append(_Num(value, pos, end, mult, None))
            pos = end + 1
    return out


def _hedge(mf: str, start: int) -> str | None:
    m = _HEDGE_RE.search(mf, max(0, start - 24), start)
    if not m or _COMPARATIVE_RE.search(mf, max(0, m.start() - 12), m.start() + 4):
        return None  # "cao hơn 400 đơn vị": the "hơn" of a comparison, not a hedge
    return next(kind for kind, val in m.groupdict().items() if val is not None)


def _join_ranges(mf: str, nums: list[_Num]) -> list[_Num]:
    """Pair "A - B", "A đến B", "từ A đến trên B" into ranges when A < B."""
    out: list[_Num] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        if a.value_max is None and i + 1 < len(nums):
            b = nums[i + 1]
            joined = _SPACE_DASH_RE.fullmatch(mf, a.end, b.start) or joins_range(mf, a.end, b.start)
            if joined and b.value_max is None:
                lo = a.value
                if a.mult is None and b.mult is not None and b.base is not None and a.value < b.base:
                    lo = a.value * b.mult
                if lo < b.value:
                    out.append(_Num(lo, range_start(mf, a.start), b.end, b.mult, None, b.value))
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


def range_start(mf: str, start: int) -> int:
    """Where a range beginning at ``start`` begins with its opener: at "từ" of "từ 10 đến 35"."""
    opener = _OPEN_RE.search(mf, max(0, start - 6), start)
    return opener.start() if opener else start


def joins_range(mf: str, end: int, start: int) -> bool:
    """Whether ``mf[end:start]`` joins two ends of a range (" đến ", " tới trên ")."""
    return bool(_JOIN_RE.fullmatch(mf, end, start))


def scan_numbers(text: str, mf: str | None = None) -> list[NumberMatch]:
    """Every number and range of ``text`` (``mf`` is its :func:`match_form`, if already made)."""
    if mf is None:
        mf = match_form(text)
    nums = sorted(_digit_numbers(mf) + _spelled_numbers(mf), key=lambda n: n.start)
    out: list[NumberMatch] = []
    for n in _join_ranges(mf, _no_overlap(nums)):
        if n.value_max is not None:
            approx: str | None = "range"
            vmax: float | None = float(n.value_max)
        else:
            approx, vmax = _hedge(mf, n.start), None
        out.append(NumberMatch(float(n.value), vmax, approx, n.start, n.end, text[n.start : n.end]))
    return out


def _no_overlap(nums: list[_Num]) -> list[_Num]:
    """Numbers in text order without the ones inside an earlier one: "200 nghìn" of "1 triệu 200
    nghìn" is part of that amount, not a number of its own."""
    out: list[_Num] = []
    for n in nums:
        if out and n.start < out[-1].end:
            if n.end - n.start > out[-1].end - out[-1].start and n.start == out[-1].start:
                out[-1] = n
            continue
        out.append(n)
    return out


def find_numbers(text: str) -> list[NumberMatch]:
    """Every number and range in ``text``, in text order, hedges folded into ``approx``."""
    return scan_numbers(text)


def parse_number(s: str) -> float | None:
    """The value of a whole number expression: "2.300", "1,5 triệu", "một nghìn"; else None."""
    text = s.strip()
    if not text:
        return None
    mf = match_form(text)
    for n in _digit_numbers(mf) + _spelled_numbers(mf) + _lone_spelled(mf):
        if n.start == 0 and n.end == len(mf) and n.value_max is None:
            return float(n.value)
    return None


def _lone_spelled(mf: str) -> list[_Num]:
    """A single spelled word ("một", "năm") is a number when it is the whole input."""
    parsed = parse_spelled(mf, 0, len(mf), allow_lone=True)
    return [] if parsed is None else [_Num(parsed[0], 0, parsed[1])]


def _plain(value: Decimal) -> tuple[str, str]:
    """Integer digits and fraction digits of a non-negative decimal, no exponent."""
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return whole, frac


def _grouped(whole: str, sep: str) -> str:
    head = len(whole) % 3 or 3
    return sep.join([whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)])


def format_vi(value: float, style: str = "dot") -> str:
    """Write a number as Vietnamese pages do; ``parse_number`` reads every style back.

    Styles: ``dot`` ("2.300", "1.234,5"), ``plain`` ("2300", "1234,5"), ``comma``
    (English furniture: "1,123,308", "1,234.5"), ``multiplier`` ("1,5 triệu") and
    ``words`` ("hai nghìn ba trăm"; integers below 10¹²).
    """
    dec = Decimal(repr(float(value)))
    if dec < 0:
        raise ValueError("only non-negative numbers are written")
    whole, frac = _plain(dec)
    if style == "dot":
        return _grouped(whole, ".") + ("," + frac if frac else "")
    if style == "plain":
        return whole + ("," + frac if frac else "")
    if style == "comma":
        if frac and len(whole) <= 3:
            return whole + "," + frac
        return _grouped(whole, ",") + ("." + frac if frac else "")
    if style == "multiplier":
        for word, mult in sorted(_MULTS.items(), key=lambda kv: -kv[1]):
            if dec >= mult and word in ("tỷ", "triệu", "nghìn"):
                w, f = _plain(dec / mult)
                return w + ("," + f if f else "") + " " + word
        return format_vi(value, "plain")
    if style == "words":
        if frac or dec >= Decimal(10) ** 12:
            raise ValueError("words style writes integers below 10**12")
        return spell_integer(int(dec))
    raise ValueError(f"unknown style {style!r}")
