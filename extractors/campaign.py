"""The campaign an article belongs to: its name, join key, year and organiser.

Name, as written, from the title first and then the body: a quoted name right
after a campaign word ("Chương trình “Xuân yêu thương”"), starting with one
(“Hành trình giọt máu nghĩa tình năm 2022”) or holding a known recurring
campaign of the lexicon; or, unquoted, a known campaign written with its capital
("Chủ nhật đỏ", "Hành trình đỏ", "Lễ hội Xuân hồng" …). The year and ordinal are cut off the name ("năm 2022", "lần thứ XV",
"Xuân Giáp Thìn") so that ``key`` (the slug of the name) is the same every year.

Year: the one written with the name (in or right after it, or its lunar year
name; not a deadline inside it, "… trong năm 2025"), else a year in the title, else a year the text states in a programme's
words ("tổ chức Chương trình … năm 2017"), else the published year, else, for a
page without a date, its words' year (``_text_year``); never a founding year or a
national statistic's; null rather than a guess.

Organiser: see :mod:`extractors._organizers`.
"""

from __future__ import annotations

import re

from extractors import _lexicon as lx
from extractors._organizers import organizer
from extractors.normalize import match_form, slugify
from extractors.record import Campaign

__all__ = ["extract_campaign"]

_CAMP = lx.section("campaign")
_KNOWN_RE = lx.phrase_pattern([*_CAMP["known"], *_CAMP["known_lowercase_ok"]])
_KNOWN_LOWER = set(lx.forms(_CAMP["known_lowercase_ok"]))
_SLOGAN_BEFORE_RE = re.compile(
    rf"(?:{lx.phrase_pattern(_CAMP['slogan_words']).pattern})\s?(?:là\s)?[:,]?\s?$"
)
_TRIGGER_BEFORE_RE = re.compile(rf"(?:{lx.phrase_pattern(_CAMP['triggers']).pattern})\s?$")
_TRIGGER_START_RE = re.compile(rf"(?:{lx.phrase_pattern(_CAMP['triggers']).pattern})")
_NAME_WORDS_RE = lx.phrase_pattern(_CAMP["name_words"])
_SUBTITLE_RE = re.compile(r"\s*[-–:]\s")
_QUOTE_RE = re.compile(r"[“\"«‘]([^“”\"«»‘’\n]{3,160})[”\"»’]")
_DEADLINE = lx.phrase_pattern(_CAMP["deadline_before"]).pattern
_STRIP_RE = re.compile(
    rf"\s*(?:(?:{_DEADLINE})\s(?:năm\s)?(?:19|20)\d\d|{'|'.join(_CAMP['strip_tail'])})\s*$"
)
_DEADLINE_YEAR_RE = re.compile(rf"(?:{_DEADLINE})\s(?:năm\s)?$")
_YEAR_RE = re.compile(r"(?<![\d/.\-])((?:19|20)\d{2})(?![\d/])")
_NEAR_YEAR_RE = re.compile(
    r"\s*(?:[-–,:(]\s*)?(?:lần thứ [ivxlcdm\d]+\s*)?(?:[-–,:]\s*)?(?:năm\s+)?((?:19|20)\d{2})(?!\d)"
)
# A full date's year: "15/10/2015", "21-9-2021", "ngày 5 tháng 3 năm 2024" (not a span of years).
_DATE_YEAR_RE = re.compile(
    r"(?<![\d/.])(?:\d{1,2}[/.\-])?\d{1,2}[/.\-]((?:19|20)\d{2})(?![\d/])|tháng \d{1,2} năm ((?:19|20)\d{2})"
)
# A year in the words of a programme: an edition word, at most twelve words (no sentence end), then
# "năm YYYY" or a date that holds a year (group 1 or 2).
_EDITION_YEAR_RE = re.compile(
    rf"(?:{lx.phrase_pattern(_CAMP['edition_words']).pattern})(?:[^\S\n]+[^\s.;!?]+){{0,12}}?[^\S\n]+"
    r"(?P<when>năm ((?:19|20)\d{2})(?!\d)|(?:tháng |ngày )?(?:\d{1,2}[/.\-])?\d{1,2}[/.\-]((?:19|20)\d{2})(?![\d/]))"
)
# A year written bare in the lead ("Đón Tết Nguyên đán Mậu Tuất 2018, …").
_BARE_YEAR_RE = re.compile(r"(?<![\d/.\-])(?<!năm )((?:19|20)\d{2})(?![\d/.\-])")
_NOT_EDITION_BEFORE_RE = re.compile(rf"(?:{lx.phrase_pattern(_CAMP['year_not_edition_before']).pattern})\s$")
_NOT_EDITION_AFTER_RE = re.compile(
    rf"\s?,?\s?(?:{lx.phrase_pattern(_CAMP['year_not_edition_after']).pattern})"
)


def _clean_name(raw: str) -> str:
    """The name without its year, ordinal or lunar year, and without the subtitle after a known
    name ("Hành trình Đỏ - Kết nối dòng máu Việt" → "Hành trình Đỏ"), so every year joins."""
    name = raw.strip(" .,:;-–…")
    while True:
        stripped = _STRIP_RE.sub("", match_form(name))
        if len(stripped) == len(name):
            break
        name = name[: len(stripped)].strip(" .,:;-–(")
    known = _KNOWN_RE.match(match_form(name))
    if known and known.end() < len(name) and _SUBTITLE_RE.match(name, known.end()):
        return name[: known.end()]
    return name


def _name_candidates(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, end of its quote's words, end of its quote) of campaign names, in order."""
    mf = match_form(text)
    found: list[tuple[int, int, int, int]] = []
    for q in _QUOTE_RE.finditer(text):
        inner_s, inner_e = q.span(1)
        words = text[inner_s:inner_e].split()
        if len(words) > int(_CAMP["max_words"]) or text[inner_e - 1] in "?!":
            continue
        if _SLOGAN_BEFORE_RE.search(mf, max(0, q.start() - 30), q.start()) and not _KNOWN_RE.search(
            mf, inner_s, inner_e
        ):
            continue  # a slogan or theme ('với thông điệp "…"'), not the campaign's name
        bare_ok = len(words) <= int(_CAMP["max_words_bare"]) and not re.search(
            r"[,.;:!?]", text[inner_s:inner_e]
        )
        if (
            _KNOWN_RE.search(mf, inner_s, inner_e)
            or _TRIGGER_BEFORE_RE.search(mf, max(0, inner_s - 30), q.start())
            or (bare_ok and _TRIGGER_START_RE.match(mf, inner_s))
            or (bare_ok and text[inner_s].isupper() and _NAME_WORDS_RE.search(mf, inner_s, inner_e))
        ):
            found.append((inner_s, inner_e, inner_e, q.end()))
    for k in _KNOWN_RE.finditer(mf):
        inside = any(s <= k.start() < e for s, _, e, _ in found)
        # Unquoted, a known name is written as a name, or follows a campaign word
        # ("Chương trình xóa nhà tạm, nhà dột nát").
        named = (
            text[k.start()].isupper()
            or k.group() in _KNOWN_LOWER
            or _TRIGGER_BEFORE_RE.search(mf, max(0, k.start() - 30), k.start())
        )
        if not inside and named:
            found.append((k.start(), k.end(), k.end(), k.end()))
    return sorted(found)


def _name_year(text: str, start: int, zone: int, after: int, near: int | None) -> int | None:
    mf = match_form(text)
    inside = _YEAR_RE.search(mf, start, zone)
    if inside and _DEADLINE_YEAR_RE.search(mf, max(start, inside.start() - 12), inside.start()):
        return None  # "… xóa nhà tạm, nhà dột nát trong năm 2025": the movement's deadline
    if inside:
        return int(inside.group(1))
    lunar = lx.LUNAR_RE.search(mf, start, min(len(mf), after + 30))
    if lunar:
        return lx.lunar_year(lunar.group(1), lunar.group(2), near)
    m = _NEAR_YEAR_RE.match(mf, after)
    return int(m.group(1)) if m else None


def _text_year(text: str) -> int | None:
    """The edition's year of a page without a date, from its words: the latest year of a date
    ("chiều 15/10/2015", "21-9-2021", "đầu tháng 2/2015"; the later end of "21/2/1946-21/2/2017"),
    else the first "năm YYYY", else a year written bare in the lead ("Mậu Tuất 2018"), that is
    the year of this edition, not of a founding or a start ("thành lập năm 2008", "từ năm
    2010") nor of a national statistic ("Năm 2024, cả nước …"); None rather than a guess."""
    mf = match_form(text)
    dated = [int(m.group(1) or m.group(2)) for m in _DATE_YEAR_RE.finditer(mf)]
    if dated:
        return max(dated)
    lead = mf.lstrip().split("\n", 1)[0]
    offset = len(mf) - len(mf.lstrip())
    for pattern, end in ((lx.NAMED_YEAR_RE, len(mf)), (_BARE_YEAR_RE, offset + len(lead))):
        for m in pattern.finditer(mf, 0, end):
            if _NOT_EDITION_BEFORE_RE.search(mf, max(0, m.start() - 20), m.start()):
                continue
            if _NOT_EDITION_AFTER_RE.match(mf, m.end()):
                continue
            return int(m.group(1))
    return None


_CAPTION_RE = re.compile(r"^[^\n]*\bảnh\s?:[^\n]*$", re.MULTILINE)


def _edition_year(text: str) -> int | None:
    """A year the text states for the edition: in the words of a programme ("tổ chức Chương trình
    hiến máu nhân đạo năm 2017", "chương trình … diễn ra từ 9/1 đến đầu tháng 2/2015"), not a
    founding, a start or a comparison ("lần đầu năm 2008", "so với chương trình năm 2023"). The
    text's own statement stands before the page's date, as the spec orders them (a page may also
    carry a date that is not the article's)."""
    # a photo's caption may show another edition ("Ảnh: … tại ngày hội năm 2023"): not the story's
    mf = _CAPTION_RE.sub(lambda c: " " * len(c.group()), match_form(text))
    for m in _EDITION_YEAR_RE.finditer(mf):
        # before the programme's word ("so với chương trình năm 2023") or before the year itself
        # ("được tổ chức lần đầu năm 2008")
        if any(_NOT_EDITION_BEFORE_RE.search(mf, max(0, at - 20), at) for at in (m.start(), m.start("when"))):
            continue
        return int(m.group(2) or m.group(3))
    return None


def extract_campaign(title: str | None, text: str, published: str | None) -> Campaign | None:
    """The campaign of an article (``published`` is ISO 8601); None without a name or an organiser."""
    title = title or ""
    pub_year = int(published[:4]) if published and published[:4].isdigit() else None
    name: str | None = None
    year: int | None = None
    for source in (title, text):
        cands = _name_candidates(source)
        if cands:
            name = _clean_name(source[cands[0][0] : cands[0][1]])
            name = name[:1].upper() + name[1:]  # "chương trình xóa nhà tạm …": a name starts with a capital
            break
    if name:  # the year written with any mention of the same name
        for source in (title, text):
            for start, end, zone, after in _name_candidates(source):
                if year is None and slugify(_clean_name(source[start:end])) == slugify(name):
                    year = _name_year(source, start, zone, after, pub_year)
    if year is None:
        title_year = _YEAR_RE.search(match_form(title))
        stated = _edition_year(text)
        if title_year:
            year = int(title_year.group(1))
        elif stated is not None:
            year = stated
        elif pub_year is not None:
            year = pub_year
        else:
            year = _text_year(text)
    found = organizer(title, text, name)
    if not name and found is None:
        return None
    key = slugify(name) if name else None
    return Campaign(name=name or None, key=key or None, year=year, organizer=found)
