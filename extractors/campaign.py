"""The campaign an article belongs to: its name, join key, year and organiser.

Name, as written, from the title first and then the body: a quoted name right
after a campaign word ("Chương trình “Xuân yêu thương”"), starting with one
(“Hành trình giọt máu nghĩa tình năm 2022”) or holding a known recurring
campaign of the lexicon; or, unquoted, a known campaign written with its capital
("Chủ nhật đỏ", "Hành trình đỏ", "Lễ hội Xuân hồng" …). The year and ordinal are cut off the name ("năm 2022", "lần thứ XV",
"Xuân Giáp Thìn") so that ``key`` (the slug of the name) is the same every year.

Year: the one written with the name (in or right after it, or its lunar year
name), else a year in the title, else the published year, else the first
"năm YYYY" of the body.

Organiser: the body that acts ("X tổ chức", "X phối hợp", "do X tổ chức", "của
X"), else the first named, title before body (hospital names are skipped), among
police forces, newspapers and a few national bodies of the lexicon; police
forces in one normal form: "Công an Hà Nội", "CATP Hà Nội" and "Công an
Thủ đô" become "Công an thành phố Hà Nội", "Công an Phú Yên" "Công an tỉnh Phú
Yên"; a youth union in front stays ("Đoàn Thanh niên Công an tỉnh Phú Yên"); local bodies
keep their ward or district ("Hội Liên hiệp Phụ nữ phường Hà Huy Tập"); a bare
"Công an Thành phố" takes the city the article names most. "Bộ Công an" only when
nothing else is named. Army, navy and border units by their number ("Sư đoàn 320",
"Bộ Tư lệnh Vùng 1 Hải quân") and schools' youth bodies up to their verb ("Đoàn
Thanh niên Trường đại học X tổ chức") are kept as written.
"""

from __future__ import annotations

import re
from collections import Counter

from extractors import _lexicon as lx
from extractors.hospitals import extract_hospitals
from extractors.normalize import match_form, slugify
from extractors.record import Campaign

__all__ = ["extract_campaign"]

_CAMP = lx.section("campaign")
_ORG = lx.section("organizers")
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
_STRIP_RE = re.compile(rf"\s*(?:{'|'.join(_CAMP['strip_tail'])})\s*$")
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
    r"(?:năm ((?:19|20)\d{2})(?!\d)|(?:tháng |ngày )?(?:\d{1,2}[/.\-])?\d{1,2}[/.\-]((?:19|20)\d{2})(?![\d/]))"
)
# A year written bare in the lead ("Đón Tết Nguyên đán Mậu Tuất 2018, …").
_BARE_YEAR_RE = re.compile(r"(?<![\d/.\-])(?<!năm )((?:19|20)\d{2})(?![\d/.\-])")
_NOT_EDITION_BEFORE_RE = re.compile(rf"(?:{lx.phrase_pattern(_CAMP['year_not_edition_before']).pattern})\s$")
_NOT_EDITION_AFTER_RE = re.compile(
    rf"\s?,?\s?(?:{lx.phrase_pattern(_CAMP['year_not_edition_after']).pattern})"
)
_STEMS = [lx.form(s) for s in _CAMP["stems"]]
_BRANCHES = [lx.form(b) for b in _CAMP["branches"]]
_BRANCH_ALIAS = {lx.form(k): lx.form(v) for k, v in _CAMP["branch_aliases"].items()}
_LUNAR_RE = re.compile(
    rf"(?<![^\W_])({'|'.join(_STEMS)}) ({'|'.join([*_BRANCHES, *_BRANCH_ALIAS])})(?![^\W_])"
)

_CITIES = {lx.form(c): c for c in _ORG["cities"]}
_CITIES.update({lx.form(k): v for k, v in _ORG["city_aliases"].items()})
_PROVINCES = {lx.form(p): p for p in _ORG["provinces"]}
_PROVINCES.update({lx.form(k): v for k, v in _ORG["province_aliases"].items()})
_PLACE_RE = lx.phrase_pattern([*_CITIES, *_PROVINCES])
_LOCAL_RE = re.compile(rf"({'|'.join(re.escape(f) for f in lx.forms(_ORG['local_forms']))}) ")
_PREFIXES = {lx.form(k): v for k, v in _ORG["prefixes"].items()}
_PREFIX_RE = re.compile(rf"(?:{'|'.join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True))})\s$")
_CITY_FORMS = set(lx.forms(_ORG["city_forms"]))
_CITY_ABBR = set(lx.forms(_ORG["city_abbreviations"]))
_PROV_ABBR = set(lx.forms(_ORG["province_abbreviations"]))


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in lx.forms(words))


# "Công an [thành phố|tỉnh] <place>", "CATP <place>": group 1 the force word, 2 the form, 3 the abbreviation.
_POLICE_RE = re.compile(
    rf"(?<![^\W_])(?:({_alt(_ORG['police'])})\s(?:({_alt(_ORG['city_forms'] + _ORG['province_forms'])})\s?)?"
    rf"|({_alt(_ORG['city_abbreviations'] + _ORG['province_abbreviations'])})\s?)(?=[^\W_])"
)
_FIXED_RE = lx.phrase_pattern(_ORG["fixed"])
_FIXED = {lx.form(f): f for f in _ORG["fixed"]}
_FALLBACK = set(lx.forms(_ORG["fallback_fixed"]))
_USUAL = {lx.form(k): v for k, v in _ORG["usual"].items()}
_BODIES = {lx.form(k): (k, v) for k, v in _ORG["bodies"].items()}
_BODY_RE = re.compile(
    rf"(?<![^\W_])({'|'.join(re.escape(b) for b in sorted(_BODIES, key=len, reverse=True))})"
    r"\s(?:(tỉnh(?![^\W_])|thành phố(?![^\W_])|tp\.|tp(?![^\W_]))\s?)?"
)
_VERB_AFTER_RE = re.compile(
    rf"\s*(?:\([^()]{{1,20}}\)\s*)?,?\s*(?:(?:{'|'.join(re.escape(w) for w in lx.forms(_ORG['verb_modifiers']))}) )*"
    rf"(?:{lx.phrase_pattern(_ORG['verbs']).pattern})"
)
_BEFORE_RE = re.compile(rf"(?:{lx.phrase_pattern(_ORG['before']).pattern})\s$")
_HOSPITAL_VERB_RE = re.compile(
    rf"\s*(?:\([^()]{{1,20}}\)\s*)?,?\s*(?:(?:{'|'.join(re.escape(w) for w in lx.forms(_ORG['verb_modifiers']))}) )*"
    rf"(?:{lx.phrase_pattern(_ORG['hospital_verbs']).pattern})"
)
_WORD_RE = re.compile(r"[^\W_]+")
_UNIT_RE = lx.regex_pattern(_ORG["units"])
_UNIT_TO_VERB_RE = re.compile(
    rf"(?:{lx.regex_pattern(_ORG['units_to_verb']).pattern})(?:\s[^\s,;]+){{0,10}}?(?={_VERB_AFTER_RE.pattern})"
)


def _capital_words(text: str, pos: int) -> str:
    """The capitalised words (or numbers) starting at ``pos``: "Hoàn Kiếm" of "Hoàn Kiếm tổ chức"."""
    end = pos
    for m in _WORD_RE.finditer(text, pos):
        if m.start() != end + (1 if end > pos else 0) or not (m.group()[0].isupper() or m.group().isdigit()):
            break
        if end > pos and text[end] != " ":
            break
        end = m.end()
    return text[pos:end]


def _lunar_year(stem: str, branch: str, near: int | None) -> int:
    branch = _BRANCH_ALIAS.get(branch, branch)
    s, b = _STEMS.index(stem), _BRANCHES.index(branch)
    cycle = next(i for i in range(60) if i % 10 == s and i % 12 == b)
    base = 1984 + cycle  # 1984 was Giáp Tý
    anchor = near if near is not None else 2025
    return min((base + 60 * k for k in range(-2, 3)), key=lambda y: abs(y - anchor - 0.5))


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
    if inside:
        return int(inside.group(1))
    lunar = _LUNAR_RE.search(mf, start, min(len(mf), after + 30))
    if lunar:
        return _lunar_year(lunar.group(1), lunar.group(2), near)
    m = _NEAR_YEAR_RE.match(mf, after)
    return int(m.group(1)) if m else None


def _context_place(places: dict[str, str], *texts: str) -> str | None:
    """The city (or province) the texts name most: what a bare "Công an Thành phố" means."""
    counts: Counter[str] = Counter()
    for t in texts:
        for m in _PLACE_RE.finditer(match_form(t)):
            if m.group() in places:
                counts[places[m.group()]] += 1
    return counts.most_common(1)[0][0] if counts else None


def _city(city: str, admin: bool) -> str:
    """How a city stands after a body's name: "thành phố Hà Nội" (or "Hà Nội"), "Thành phố Hồ Chí Minh"."""
    full = _ORG["city_names"].get(city)
    if full:
        return str(full)
    return f"thành phố {city}" if admin else city


def _city_force(city: str) -> str:
    return f"Công an {_city(city, True)}"


def _police_at(
    text: str, mf: str, m: re.Match[str], city: str | None, province: str | None
) -> tuple[str, int] | None:
    """The normal form of the police force named at ``m``, and where its name ends."""
    word, form, abbr = m.group(1), m.group(2), m.group(3)
    written = text[m.start() : m.end()]
    if word and not (written[:1].isupper() and (" " in word or written[: len(word)].isupper())):
        return None  # "Công an …", "CA …"; not "lực lượng công an", "ca sĩ"
    if abbr and written[: len(abbr)] != written[: len(abbr)].upper():
        return None
    pos = m.end()
    place = _PLACE_RE.match(mf, pos)
    city_form = form in _CITY_FORMS or abbr in _CITY_ABBR
    province_form = (form is not None and not city_form) or abbr in _PROV_ABBR
    if place and place.group() in _CITIES and not province_form:
        return _city_force(_CITIES[place.group()]), place.end()
    if place and place.group() in _PROVINCES and not city_form:
        return f"Công an tỉnh {_PROVINCES[place.group()]}", place.end()
    local = _LOCAL_RE.match(mf, pos) if not form and not abbr else None
    if local:
        name = _capital_words(text, local.end())
        if name:
            return f"Công an {local.group(1)} {name}", local.end() + len(name)
    if city_form and city and not _capital_words(text, pos):
        return _city_force(city), pos
    if province_form and not abbr and province and not _capital_words(text, pos):
        return f"Công an tỉnh {province}", pos  # "Phó Giám đốc Công an tỉnh" in a story of one province
    return None


def _organizers(
    text: str, city: str | None, province: str | None, skip: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """(score, position, organiser) of every organiser named in ``text`` outside ``skip``."""
    mf = match_form(text)
    found: list[tuple[int, int, int, str]] = []
    for m in _POLICE_RE.finditer(mf):
        if any(s <= m.start() < e for s, e in skip):
            continue
        named = _police_at(text, mf, m, city, province)
        if named is None:
            continue
        org, end = named
        start = m.start()
        prefix = _PREFIX_RE.search(mf, max(0, start - 40), start)
        if prefix:
            org, start = f"{_PREFIXES[prefix.group().strip()]} {org}", prefix.start()
        found.append((start, end, m.start(), org))
    for b in _BODY_RE.finditer(mf):
        if not text[b.start()].isupper():
            continue
        _, style = _BODIES[b.group(1)]
        body = text[b.start() : b.start() + len(b.group(1))]  # as written: "Thành Đoàn", "Thành đoàn"
        place = _PLACE_RE.match(mf, b.end())
        if place is not None and place.group() in _CITIES:
            where, end = _city(_CITIES[place.group()], style == "admin"), place.end()
        elif place is not None:
            prov = _PROVINCES[place.group()]
            where, end = (f"tỉnh {prov}" if style == "admin" else prov), place.end()
        elif (b.group(2) or "").strip() == "tỉnh" and province and not _capital_words(text, b.end()):
            where, end = f"tỉnh {province}", b.end()  # "Chủ tịch Hội Chữ thập đỏ tỉnh, cho biết"
        elif style == "local" and (name := _capital_words(text, b.end())):
            where, end = name, b.end() + len(name)  # "Huyện đoàn Sơn Tây"
        elif (local := _LOCAL_RE.match(mf, b.end())) and (name := _capital_words(text, local.end())):
            where, end = f"{local.group(1)} {name}", local.end() + len(name)  # "… phường Hà Huy Tập"
        else:
            continue
        found.append((b.start(), end, b.start(), f"{body} {where}"))
    for pattern in (_UNIT_RE, _UNIT_TO_VERB_RE):  # "Sư đoàn 320", "Đoàn Thanh niên Trường đại học X"
        for u in pattern.finditer(mf):
            if text[u.start()].isupper() and not any(s <= u.start() < e for s, e in skip):
                found.append((u.start(), u.end(), u.start(), text[u.start() : u.end()]))
    for f in _FIXED_RE.finditer(mf):
        inside = any(s < f.start() < e for s, e in skip)  # "Bộ Công an" of "Bệnh viện 19-8 Bộ Công an"
        if not inside and any(c.isupper() for c in text[f.start() : f.end()]):
            found.append((f.start(), f.end(), f.start(), _FIXED[f.group()]))
    out = []
    for start, end, pos, org in found:
        acting = bool(_VERB_AFTER_RE.match(mf, end) or _BEFORE_RE.search(mf, max(0, start - 8), start))
        out.append((int(acting), pos, org))
    for h in extract_hospitals(text):  # a hospital that hosts the drive: "Bệnh viện X tiếp nhận …"
        if _HOSPITAL_VERB_RE.match(mf, h.end):
            out.append((1, h.start, h.name))
    return out


def _organizer(title: str, text: str, name: str | None) -> str | None:
    """The acting organiser (subject of "tổ chức", after "do"), title before text, first named.

    An organiser counts as acting if any of its mentions acts; a fallback body ("Bộ Công an")
    only when no other is named, after the usual organiser of a known campaign."""
    city = _context_place(_CITIES, title, text)
    province = _context_place(_PROVINCES, title, text)
    spans = [(h.start, h.end) for h in extract_hospitals(text)]
    best: dict[
        str, tuple[int, int, int]
    ] = {}  # organiser -> (-acting, source, position), best of its mentions
    for source, (found_in, skip) in enumerate(((title, []), (text, spans))):
        for score, pos, org in _organizers(found_in, city, province, skip):
            old = best.get(org, (0, source, pos))
            best[org] = (min(old[0], -score), min(old[1], source), old[2] if org in best else pos)
    ranked = sorted((rank, org) for org, rank in best.items())
    preferred = [org for _, org in ranked if match_form(org) not in _FALLBACK]
    usual = _USUAL.get(match_form(name)) if name else None
    choices: list[str] = preferred or ([usual] if usual else []) or [org for _, org in ranked]
    return choices[0] if choices else None


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


def _edition_year(text: str) -> int | None:
    """A year the text states for the edition: in the words of a programme ("tổ chức Chương trình
    hiến máu nhân đạo năm 2017", "chương trình … diễn ra từ 9/1 đến đầu tháng 2/2015"), not a
    founding, a start or a comparison ("lần đầu năm 2008", "so với chương trình năm 2023"). The
    text's own statement stands before the page's date, as the spec orders them (a page may also
    carry a date that is not the article's)."""
    mf = match_form(text)
    for m in _EDITION_YEAR_RE.finditer(mf):
        year_at = m.start(1) if m.group(1) else m.start(2)
        if any(
            _NOT_EDITION_BEFORE_RE.search(mf, max(0, at - 20), at)
            for at in (m.start(), year_at - len("năm "), year_at)  # "so với chương trình năm 2023"
        ):
            continue
        year = int(m.group(1) or m.group(2))
        return year
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
    organizer = _organizer(title, text, name)
    if not name and organizer is None:
        return None
    key = slugify(name) if name else None
    return Campaign(name=name or None, key=key or None, year=year, organizer=organizer)
