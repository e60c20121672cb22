"""The organiser of a campaign: the body that acts in the article.

The body that acts ("X tổ chức", "X phối hợp", "do X tổ chức", "của
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
from functools import lru_cache

from extractors import _lexicon as lx
from extractors.hospitals import hospital_mentions
from extractors.normalize import match_form

__all__ = ["organizer"]

_ORG = lx.section("organizers")
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
    # an abbreviation in brackets may stand before the place: "Liên đoàn Lao động (LĐLĐ) TP HCM"
    r"\s(?:\([^()\d]{1,12}\)\s)?(?:(tỉnh(?![^\W_])|thành phố(?![^\W_])|tp\.|tp(?![^\W_]))\s?)?"
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


@lru_cache(maxsize=16)
def _places_named(text: str) -> tuple[str, ...]:
    """Every city or province name of ``text``, as matched, in order."""
    return tuple(m.group() for m in _PLACE_RE.finditer(match_form(text)))


def _context_place(places: dict[str, str], *texts: str) -> str | None:
    """The city (or province) the texts name most: what a bare "Công an Thành phố" means."""
    counts: Counter[str] = Counter()
    for t in texts:
        for found in _places_named(t):
            if found in places:
                counts[places[found]] += 1
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
    for start, end in hospital_mentions(text):  # a hospital that hosts the drive: "Bệnh viện X tiếp nhận …"
        if _HOSPITAL_VERB_RE.match(mf, end):
            out.append((1, start, text[start:end]))
    return out


def organizer(title: str, text: str, name: str | None) -> str | None:
    """The acting organiser (subject of "tổ chức", after "do"), title before text, first named.

    An organiser counts as acting if any of its mentions acts; a fallback body ("Bộ Công an")
    only when no other is named, after the usual organiser of a known campaign."""
    city = _context_place(_CITIES, title, text)
    province = _context_place(_PROVINCES, title, text)
    spans = list(hospital_mentions(text))
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
