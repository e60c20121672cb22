"""Text normalisation: one clean text for quotes, one same-length form for matching.

``normalize_text`` makes the text the record keeps (NFC, "Ð" → "Đ", one space
between words). ``match_form`` maps that text to a lower-case form with one
tone-placement convention ("hoà" → "hòa", "thuý" → "thúy"); it never changes
the length, so an offset found in the match form is an offset in the text.
``fold`` strips diacritics for keys and fuzzy lookups.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["fold", "match_form", "normalize_paragraphs", "normalize_text", "slugify"]

_CHAR_FIXES = str.maketrans(
    {
        "\u00d0": "\u0110",  # Ð (eth) written for Đ
        "\u00f0": "\u0111",  # ð for đ
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00ad": "",
    }
)
_SPACES = re.compile(r"\s+")

# Old-style tone placement on open syllables oa/oe/uy ("hoà", "thuý") moved to
# the first vowel ("hòa", "thúy"); only at syllable end, never after "q".
_TONED = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
}
_O_TONED = "òóỏõọ"
_U_TONED = "ùúủũụ"
_OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([àáảãạèéẻẽẹỳýỷỹỵ])(?![^\W\d_])")


def normalize_text(text: str) -> str:
    """NFC, typographic fixes, and every whitespace run folded to one space."""
    text = unicodedata.normalize("NFC", text).translate(_CHAR_FIXES)
    return _SPACES.sub(" ", text).strip()


def normalize_paragraphs(paragraphs: Iterable[str]) -> str:
    """Normalise each paragraph, drop empty ones and immediate repeats, join with newlines."""
    out: list[str] = []
    for para in paragraphs:
        clean = normalize_text(para)
        if clean and (not out or out[-1] != clean):
            out.append(clean)
    return "\n".join(out)


def _move_tone(m: re.Match[str]) -> str:
    first, toned = m.group(1), m.group(2)
    for base, forms in _TONED.items():
        idx = forms.find(toned)
        if idx >= 0:
            pair = (_O_TONED if first.lower() == "o" else _U_TONED)[idx]
            if (first.lower() == "o" and base == "y") or (first.lower() == "u" and base != "y"):
                return m.group(0)
            return pair + base
    return m.group(0)


@lru_cache(maxsize=256)  # every reader asks again for the same title, body and lines
def match_form(text: str) -> str:
    """Lower case, one tone-placement convention; ``len(match_form(t)) == len(t)``."""
    text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    low = text.lower()
    if len(low) != len(text):  # a few code points lower to two; keep offsets exact
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return _OLD_TONE.sub(_move_tone, low)


def fold(text: str) -> str:
    """Strip diacritics: "Hành trình Đỏ" → "Hanh trinh Do"."""
    text = unicodedata.normalize("NFD", text.translate(_CHAR_FIXES))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D")


def slugify(text: str) -> str:
    """Folded, lower case, hyphenated: "Hành trình Đỏ" → "hanh-trinh-do"."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text).lower()))
