"""Spelled Vietnamese numbers: "hai mươi lăm", "một trăm linh năm", "gần một nghìn".

The words come from ``lexicon.toml`` (``[numbers]``); the grammar is here. A
spelled number must start with a digit word or "mười", so "Triệu phần quà" and
"hàng nghìn" are not numbers, and a lone "một"/"năm"/"không" (an article, a
year, a negation far more often than a count) is ignored unless asked for.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors import _lexicon as lx

__all__ = ["SPELLED_RE", "parse_spelled", "spell_integer"]

_NUM = lx.section("numbers")
_DIGITS: dict[str, int] = {lx.form(k): int(v) for k, v in _NUM["digits"].items()}
_UNIT_DIGITS: dict[str, int] = {lx.form(k): int(v) for k, v in _NUM["unit_digits"].items()}
_MULTS: dict[str, Decimal] = {lx.form(k): Decimal(str(v)) for k, v in _NUM["multipliers"].items()}
_TEN = set(lx.forms(_NUM["ten"]))
_TENS = set(lx.forms(_NUM["tens"]))
_HUNDRED = set(lx.forms(_NUM["hundred"]))
_FILLER = set(lx.forms(_NUM["zero_filler"]))
_HALF = set(lx.forms(_NUM["half"]))
_LONE = set(lx.forms(_NUM["lone_words_ignored"]))
_FIVE = next(w for w, v in _DIGITS.items() if v == 5)
_ZERO = next(w for w, v in _DIGITS.items() if v == 0)

_ALL = [*_DIGITS, *_UNIT_DIGITS, *_MULTS, *_TEN, *_TENS, *_HUNDRED, *_FILLER, *_HALF]
_WORD = "|".join(sorted((re.escape(w) for w in _ALL), key=len, reverse=True))
#: A run of number words separated by single spaces.
SPELLED_RE = re.compile(rf"(?<![^\W_])(?:{_WORD})(?: (?:{_WORD}))*(?![^\W_])")


class _State:
    """The running value of a spelled number, one word at a time."""

    __slots__ = ("cur", "first_mult", "group", "last_mult", "prev", "total")

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.group = 0
        self.cur: int | None = None
        self.last_mult: Decimal | None = None
        self.first_mult: Decimal | None = None
        self.prev = ""

    def value(self) -> Decimal:
        return self.total + self.group + (self.cur or 0)

    def step(self, word: str) -> bool | None:
        """Take one word: True when the number may end here, False if it may not, None if invalid."""
        prev = self.prev
        if word in _DIGITS and prev in ("", "filler", "tens", "ten", "hundred", "mult"):
            digit = _DIGITS[word]
            if (prev == "" and word == _ZERO) or (prev in ("tens", "ten") and word in (_FIVE, _ZERO)):
                return None
            if prev in ("tens", "ten", "filler"):
                self.group += digit
                self.prev = "unit"
                return True
            self.cur, self.prev = digit, "digit"
            return prev == ""
        if word in _UNIT_DIGITS and prev in ("tens", "ten"):
            self.group += _UNIT_DIGITS[word]
            self.prev = "unit"
            return True
        if word in _TEN and prev in ("", "hundred", "filler", "mult"):
            self.group += 10
            self.prev = "ten"
            return True
        if word in _TENS and prev == "digit" and self.cur is not None and self.cur >= 2:
            self.group += self.cur * 10
            self.cur, self.prev = None, "tens"
            return True
        if word in _HUNDRED and prev == "digit" and self.cur is not None and self.group == 0:
            if self.cur == 0 and self.total == 0:
                return None
            self.group, self.cur, self.prev = self.cur * 100, None, "hundred"
            return True
        if word in _FILLER and prev == "hundred":
            self.prev = "filler"
            return False
        if word in _MULTS and prev in ("digit", "ten", "tens", "unit", "hundred"):
            mult = _MULTS[word]
            small = self.group + (self.cur or 0)
            if small == 0 or (self.last_mult is not None and mult >= self.last_mult):
                return None
            self.total += small * mult
            self.group, self.cur, self.prev = 0, None, "mult"
            self.last_mult = mult
            self.first_mult = self.first_mult or mult
            return True
        if word in _HALF and prev == "mult" and self.last_mult is not None:
            self.total += self.last_mult / 2
            self.prev = "half"
            return True
        if word in _HALF and prev == "hundred":
            self.group += 50
            self.prev = "half"
            return True
        return None


def parse_spelled(
    mf: str, pos: int, end: int, *, allow_lone: bool = False
) -> tuple[Decimal, int, Decimal | None] | None:
    """The longest spelled number of ``mf[pos:end]`` starting at ``pos``: (value, its end, multiplier)."""
    if allow_lone and mf[pos:end] == _ZERO:
        return Decimal(0), end, None
    state = _State()
    best: tuple[Decimal, int, Decimal | None] | None = None
    for m in re.finditer(r"\S+", mf[pos:end]):
        done = state.step(m.group())
        if done is None:
            break
        if done:
            best = (state.value(), pos + m.end(), state.first_mult)
    if best is None or (not allow_lone and mf[pos : best[1]] in _LONE):
        return None
    return best


def _read_group(n: int, full: bool) -> list[str]:
    names = {v: k for k, v in _DIGITS.items() if k not in ("bẩy",)}
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [names[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += (["linh"] if words else []) + [names[units]]
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else names[units])
    else:
        words += [names[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, names[units]))
    return words


def spell_integer(n: int) -> str:
    """The spoken form of ``0 <= n < 10**12``: 2300 → "hai nghìn ba trăm"."""
    if not 0 <= n < 10**12:
        raise ValueError("spell_integer takes 0 <= n < 10**12")
    if n == 0:
        return _ZERO
    scales = [(10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"), (1, "")]
    words: list[str] = []
    for size, name in scales:
        part = n // size % 1000
        if part:
            words += _read_group(part, full=bool(words))
            if name:
                words.append(name)
    return " ".join(words)
