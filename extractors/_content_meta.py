"""Helpers of ``extractors.content``: dates, URLs, language, JSON-LD, the trafilatura path.

Dates come out as ISO 8601 with the Vietnamese offset (+07:00): ISO strings in
any common shape ("2026-03-07T08:52:11.000 +07:00", "2026-10-07 07:49 + 07:00",
"...Z") and visible Vietnamese dates ("Thứ Năm, 23/12/2025 14:11",
"05/06/2022 08:00 GMT+7", "Chủ nhật, 5/6/2022, 08:00 (GMT+7)").
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from extractors._dom import Defaults, Para
from extractors.normalize import normalize_text

__all__ = [
    "canonical",
    "generic_extract",
    "iso",
    "json_ld",
    "language",
    "meta_map",
    "section",
    "unescape",
    "visible",
]

VN = timezone(timedelta(hours=7))

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\s*\d{1,2}(?::?\d{2})?)?(?![\d:])"
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_HM = re.compile(r"(?<![\d/.+-])(\d{1,2})\s*[:hH]\s*(\d{2})(?![\d/])")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)
_VI_CHARS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _out(y: int, mo: int, d: int, h: int, mi: int, s: int, tz: timezone) -> str | None:
    try:
        dt = datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None
    if not 1990 <= y <= 2100:
        return None
    return dt.astimezone(VN).isoformat()


def _tz(raw: str | None) -> timezone:
    if not raw:
        return VN
    raw = raw.replace(" ", "")
    if raw.upper() == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes > 59:
        return VN
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def iso(value: str) -> str | None:
    """An ISO-like date string as ISO 8601 +07:00 (no offset means Vietnam time; date only → 00:00)."""
    m = _ISO.search(value or "")
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    return _out(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), _tz(off))


def visible(text: str) -> str | None:
    """A Vietnamese visible date (day first), with its time when one stands next to it."""
    text = normalize_text(text)
    if not text or len(text) > 200:
        return None
    m = _DMY.search(text)
    if not m:
        return iso(text)
    d, mo, y = (int(g) for g in m.groups())
    window = text[max(0, m.start() - 12) : m.start()] + " " + text[m.end() : m.end() + 24]
    hm = _HM.search(window)
    gmt = _GMT.search(text)
    tz = _tz(f"{gmt.group(1)}{int(gmt.group(2)):02d}{gmt.group(3) or '00'}") if gmt else VN
    h, mi = (int(hm.group(1)), int(hm.group(2))) if hm else (0, 0)
    if h > 23 or mi > 59:
        h, mi = 0, 0
    return _out(y, mo, d, h, mi, 0, tz)


def unescape(s: str) -> str:
    """HTML-unescape until stable (JSON-LD often double-escapes), then normalise."""
    for _ in range(3):
        nxt = _html.unescape(s)
        if nxt == s:
            break
        s = nxt
    return normalize_text(s)


def meta_map(nodes: Any) -> dict[str, str]:
    """``<meta>`` contents by lower-cased property/name/itemprop/http-equiv (first wins)."""
    out: dict[str, str] = {}
    for node in nodes:
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = attrs.get(key)
            if name:
                out.setdefault(name.strip().lower(), content.strip())
    return out


def _load(raw: str) -> Any:
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
    except ValueError:
        found = dict(re.findall(r'"(datePublished|headline)"\s*:\s*"([^"]*)"', raw))
        return found | {"@type": "Article"} if found else None


def json_ld(raws: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Article objects (NewsArticle, Article, ...) and the breadcrumb names of JSON-LD blocks."""
    stack: list[Any] = [_load(r) for r in reversed(raws)]
    articles: list[dict[str, Any]] = []
    crumbs: list[str] = []
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(reversed(obj))
            continue
        if not isinstance(obj, dict):
            continue
        if isinstance(obj.get("@graph"), list):
            stack.extend(reversed(obj["@graph"]))
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and (t.endswith("Article") or t == "BlogPosting") for t in types):
            articles.append(obj)
        elif "BreadcrumbList" in types and not crumbs:
            items = [i for i in obj.get("itemListElement") or [] if isinstance(i, dict)]
            items.sort(key=lambda i: i["position"] if isinstance(i.get("position"), int) else 0)
            for item in items:
                inner = item.get("item")
                name = item.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
                if isinstance(name, str):
                    crumbs.append(unescape(name))
    return articles, crumbs


def _lxml_paras(el: Any, out: list[Para]) -> None:
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("list", "table", "quote", "div", "body") and any(
            isinstance(c.tag, str) and c.tag in ("p", "item", "row", "list", "head", "quote", "table")
            for c in child
        ):
            _lxml_paras(child, out)
        elif tag == "row":
            cells = [normalize_text("".join(c.itertext())) for c in child]
            links = sum(len(normalize_text("".join(r.itertext()))) for r in child.iter("ref"))
            out.append(Para(" | ".join(c for c in cells if c), links, False))
        elif tag and tag not in ("graphic", "lb"):
            links = sum(len(normalize_text("".join(r.itertext()))) for r in child.iter("ref"))
            out.append(Para("".join(child.itertext()), links, False))


def generic_extract(html: str, url: str | None) -> list[Para]:
    """One trafilatura call: body paragraphs (with link lengths). No metadata: the page's title and
    date come from its own markup (``extractors.content``); trafilatura's date search reads any
    date of the page (an image path, a year in the text) and guesses where a page has none."""
    import trafilatura  # heavy import, only the generic path needs it

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_images=False,
        with_metadata=False,
    )
    if doc is None or isinstance(doc, dict):
        return []
    out: list[Para] = []
    if doc.body is not None:
        for lb in doc.body.iter("lb"):
            lb.text = " "
        _lxml_paras(doc.body, out)
    return out


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or not href.strip():
        return None
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    if base:
        href = urljoin(base, href)
    parts = urlsplit(href)
    return href if parts.scheme in ("http", "https") and parts.netloc else None


def canonical(tree: LexborHTMLParser, meta: dict[str, str], url: str | None) -> str | None:
    """``<link rel=canonical>`` else ``og:url``, made absolute against ``url``; None if neither is."""
    link = tree.css_first("link[rel~='canonical'][href]")
    for cand in (link.attributes.get("href") if link else None, meta.get("og:url")):
        absolute = _absolute(cand, url)
        if absolute:
            return absolute
    return None


def language(
    tree: LexborHTMLParser, meta: dict[str, str], articles: list[dict[str, Any]], text: str
) -> str | None:
    """Declared language (html lang, meta, JSON-LD), overruled by clearly Vietnamese text; else guessed."""
    html_node = tree.css_first("html")
    ld_lang = next((a["inLanguage"] for a in articles if isinstance(a.get("inLanguage"), str)), None)
    declared = None
    for raw in (
        html_node.attributes.get("lang") if html_node else None,
        meta.get("content-language"),
        meta.get("og:locale"),
        meta.get("inlanguage"),
        ld_lang,
    ):
        code = re.split(r"[-_,\s]", (raw or "").strip().lower())[0]
        if code.isalpha() and 2 <= len(code) <= 3:
            declared = code
            break
    marks = len(_VI_CHARS.findall(text[:2000]))
    if declared is None or (declared != "vi" and marks >= 20):  # templates often say lang="en"
        return "vi" if marks >= 3 else declared
    return declared


def section(
    tree: LexborHTMLParser, selectors: Iterable[str], meta: dict[str, str], crumbs: list[str], d: Defaults
) -> str | None:
    """The page's section: the profile's selectors, the breadcrumb, the meta tags, the defaults'."""

    def usable(s: str | None) -> str | None:
        s = normalize_text(_html.unescape(s or "")).split(",")[0].strip()
        if not s or len(s) > 60 or s.casefold() in d.home_names:
            return None
        return s.capitalize() if s.isupper() else s

    def from_selectors(sels: Iterable[str]) -> str | None:
        for sel in sels:
            try:
                nodes = tree.css(sel)
            except Exception:
                continue
            for node in nodes:
                found = usable(node.text())
                if found:
                    return found
        return None

    return (
        from_selectors(selectors)
        or next((s for s in map(usable, crumbs) if s), None)
        or usable(meta.get("article:section"))
        or usable(meta.get("articlesection"))
        or from_selectors(d.section)
    )
