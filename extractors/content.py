"""Main content and metadata of a news page: title, date, section, body text.

Known sites go through a profile of ``profiles.toml`` (selectolax, a few ms): the
profile of the page's URL, then, when that finds no text (a story republished in
another site's layout), the profile whose layout markers the page carries, the
page's own title and date kept. Unknown sites, and known sites whose template
changed, go through trafilatura (one call). Both paths drop captions, bylines and boxes of other stories, so
no number of another story reaches ``text``. Pure: no I/O but the profiles file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from errors import ExtractionError
from extractors import _content_meta as _m
from extractors._dom import (
    Defaults,
    Para,
    Profile,
    decompose_all,
    defaults,
    node_text,
    paragraphs,
    profiles,
    remove_boxes,
    strip_all,
)
from extractors.decode import decode_html
from extractors.normalize import normalize_paragraphs, normalize_text
from extractors.urls import site_of

__all__ = ["Content", "canonical_url", "extract_content"]

_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "pubdate",
    "datepublished",
    "publishdate",
    "dc.date.issued",
)
_DATE_AFTER, _DATE_BEFORE = 12, 6  # short text nodes after / before the headline searched for a date


@dataclass(frozen=True, slots=True)
class Content:
    """What the page says about itself, and its article text."""

    url: str
    canonical_url: str | None
    site: str
    title: str | None
    published: str | None
    section: str | None
    language: str | None
    text: str
    method: str


def extract_content(html: str | bytes, url: str | None = None, content_type: str | None = None) -> Content:
    """Title, date, section and body text of one page served as ``content_type`` (None: unknown);
    ``ExtractionError`` if it is not HTML."""
    doc = decode_html(html, content_type)
    try:
        return _extract(doc, url)
    except ExtractionError:
        raise
    except Exception as exc:  # library errors never escape
        raise ExtractionError(f"content extraction failed: {type(exc).__name__}: {exc}") from exc


def canonical_url(html: str | bytes, content_type: str | None = None) -> str | None:
    """The URL a page gives itself: ``<link rel=canonical>`` or ``og:url`` (absolute only)."""
    doc = decode_html(html, content_type)
    try:
        tree = LexborHTMLParser(doc)
        return _m.canonical(tree, _m.meta_map(tree.css("meta")), None)
    except Exception as exc:
        raise ExtractionError(f"cannot read page URL: {exc}") from exc


def _extract(doc: str, url: str | None) -> Content:
    tree = LexborHTMLParser(doc)
    d = defaults()
    meta = _m.meta_map(tree.css("meta"))
    articles, crumbs = _m.json_ld([n.text() for n in tree.css("script[type='application/ld+json']")])
    canonical = _m.canonical(tree, meta, url)
    profile = _own_profile(canonical, url) or _layout_profile(tree)
    title = _title(tree, profile, meta, articles, d)
    published = _published(tree, profile, meta, articles)
    section = _m.section(tree, profile.section if profile else (), meta, crumbs, d)
    sapo, text, method = "", "", "generic"
    for candidate in _profiles(tree, profile):  # the URL's site, then the site whose layout the page has
        sapo = _first_text(tree, candidate.sapo)
        text = _profile_text(tree, candidate, sapo, d, title or "")
        if text:
            method = f"profile:{candidate.name}"
            if candidate is not profile:  # a page republished in another site's layout
                method = f"layout:{method}"
                title = title or _title(tree, candidate, meta, articles, d)
                published = published or _published(tree, candidate, meta, articles)
            break
    if not text:
        sapo = sapo or _generic_sapo(tree, d)
        text = _generic_text(tree, profile, sapo, url, d, title)
    return Content(
        url=url or canonical or "",
        canonical_url=canonical,
        site=site_of(canonical or url),
        title=title,
        published=published,
        section=section,
        language=_m.language(tree, meta, articles, text or title or ""),
        text=text,
        method=method,
    )


def _own_profile(canonical: str | None, url: str | None) -> Profile | None:
    """The profile of the page's URL (canonical first)."""
    for host in (site_of(canonical), site_of(url)):
        if host:
            for p in profiles():
                if any(host == h or host.endswith("." + h) for h in p.hosts):
                    return p
    return None


def _layout_profile(tree: LexborHTMLParser) -> Profile | None:
    """The profile whose layout markers the page carries."""
    return next((p for p in profiles() if any(_css_first(tree, m) is not None for m in p.markers)), None)


def _profiles(tree: LexborHTMLParser, first: Profile | None) -> Iterator[Profile]:
    """The profiles to read the body with, in order: ``first`` (the URL's site, else the layout's),
    then, only when that found no text, the site whose layout markers the page carries (a story
    republished in another site's layout)."""
    if first is None:
        return
    yield first
    layout = _layout_profile(tree)
    if layout is not None and layout is not first:
        yield layout


def _css_first(tree: Any, sel: str) -> Any:
    try:
        return tree.css_first(sel)
    except Exception:  # unsupported selector in the data: skip it
        return None


def _first_text(tree: LexborHTMLParser, selectors: Iterable[str], max_len: int = 2000) -> str:
    for sel in selectors:
        node = _css_first(tree, sel)
        if node is not None:
            text = normalize_text(node_text(node))
            if text and len(text) <= max_len:
                return text
    return ""


def _generic_sapo(tree: LexborHTMLParser, d: Defaults) -> str:
    """The lead of an unknown layout: the first sapo-like element after the h1, not inside a link."""
    h1 = _css_first(tree, "h1")
    if h1 is None or tree.root is None:
        return ""
    wanted = {n.mem_id for sel in d.sapo for n in tree.css(sel)}
    after = False
    for node in tree.root.traverse():
        if node.mem_id == h1.mem_id:
            after = True
        elif after and node.mem_id in wanted and not _in_link(node):
            text = normalize_text(node_text(node))
            if 20 <= len(text) <= 1000:
                return text
    return ""


def _in_link(node: LexborNode) -> bool:
    """A teaser, not a lead: the element is a link, holds one, or sits inside one."""
    if node.css_first("a") is not None:
        return True
    up: LexborNode | None = node
    while up is not None:
        if up.tag == "a":
            return True
        up = up.parent
    return False


def _clean_title(raw: str | None, profile: Profile | None, meta: dict[str, str], d: Defaults) -> str | None:
    if not raw:
        return None
    title = _m.unescape(raw)
    names = {normalize_text(n).casefold() for n in (profile.site_names if profile else ())}
    if meta.get("og:site_name"):
        names.add(normalize_text(meta["og:site_name"]).casefold())
    for _ in range(2):
        parts = re.split(r"\s+[-|–—]\s+", title)
        if len(parts) < 2:
            break
        tail = parts[-1].casefold()
        if not (
            tail in names
            or (len(tail.split()) <= 6 and tail.startswith(d.site_name_prefixes))
            or (len(tail.split()) <= 6 and any(c in tail for c in d.site_name_contains))
        ):
            break
        title = title[: title.rfind(parts[-1])].rstrip(" -|–—")
    return title or None


def _title(
    tree: LexborHTMLParser,
    p: Profile | None,
    meta: dict[str, str],
    articles: list[dict[str, Any]],
    d: Defaults,
) -> str | None:
    headline = next((a["headline"] for a in articles if isinstance(a.get("headline"), str)), None)
    title_node = tree.css_first("title")
    for raw in (
        _first_text(tree, p.title if p else (), 500),
        meta.get("og:title"),
        headline,
        title_node.text() if title_node else None,
        _first_text(tree, ("h1",), 500),
    ):
        title = _clean_title(raw, p, meta, d)
        if title:
            return title
    return None


def _published(
    tree: LexborHTMLParser, p: Profile | None, meta: dict[str, str], articles: list[dict[str, Any]]
) -> str | None:
    """JSON-LD, then meta tags, then the profile's date elements, then a visible date next to the h1."""
    for a in articles:
        found = _m.iso(str(a.get("datePublished") or ""))
        if found:
            return found
    for key in _DATE_METAS:
        found = _m.iso(meta.get(key, ""))
        if found:
            return found
    for sel in p.date if p else ():
        try:
            nodes = tree.css(sel)
        except Exception:
            continue
        for node in nodes[:2]:
            attrs = node.attributes
            for attr in ("datetime", "content", "data-time"):
                found = _m.iso(attrs.get(attr) or "")
                if found:
                    return found
            found = _m.visible(node.text(separator=" "))
            if found:
                return found
    return _date_near_title(tree, p)


def _date_near_title(tree: LexborHTMLParser, p: Profile | None) -> str | None:
    """The visible date closest to the headline (before or after it), never one inside a link.

    Pages without structured dates show the date in the meta line under (or above) the h1;
    dates further away belong to other stories or to the page ("today is ...").
    """
    head = None
    for sel in (*(p.title if p else ()), "h1"):
        head = _css_first(tree, sel)
        if head is not None and normalize_text(head.text()):
            break
    root = tree.body
    if head is None or root is None:
        return None
    texts: list[str] = []
    start = end = -1
    for node in root.traverse(include_text=True):
        if node.mem_id == head.mem_id:
            start = len(texts)
            end = start + sum(1 for t in head.traverse(include_text=True) if t.tag == "-text" and _visible(t))
        if node.tag == "-text" and _visible(node):
            texts.append(node.text_content or "")
    if start < 0:
        return None
    # the meta line sits between the headline and the first long text (sapo, body) on either side
    for direction, first, limit in ((1, end, _DATE_AFTER), (-1, start - 1, _DATE_BEFORE)):
        i = first
        while 0 <= i < len(texts) and abs(i - first) < limit and len(texts[i]) <= 80:
            if any(c.isdigit() for c in texts[i]):
                found = _m.visible(texts[i])
                if found:
                    return found
            i += direction
    return None


def _visible(node: Any) -> bool:
    """A text node a reader sees outside links (links are other stories)."""
    parent = node.parent
    if parent is not None and parent.tag in ("a", "script", "style", "option", "noscript"):
        return False
    return bool((node.text_content or "").strip())


def _finish(sapo: str, paras: list[Para], d: Defaults, prepend_missing: bool = False, title: str = "") -> str:
    """Normalised text: sapo first, captions (unless photo story), teasers, credits and boxes dropped."""
    texts = [normalize_text(p.text) for p in paras]
    has_text = any(t and not p.caption for p, t in zip(paras, texts, strict=True))
    out: list[str] = []
    for p, t in zip(paras, texts, strict=True):
        if not t or (p.caption and has_text):
            continue
        if d.is_box_title(t):
            break
        if p.links and p.links >= d.max_link_ratio * len(t):
            continue
        t = d.credit_re.sub("", t).strip()
        if (
            t
            and not d.credit_only_re.match(t)
            and t != sapo
            and not (not out and t.casefold() == title.casefold())
        ):
            out.append(t)
    if sapo and (not prepend_missing or sapo not in "\n".join(out)):
        out.insert(0, sapo)
    return normalize_paragraphs(out)


def _clean(node: Any, profile: Profile | None, d: Defaults) -> set[int]:
    """Remove what never counts inside ``node``; returns the mem_ids of its captions."""
    for br in node.css("br"):
        br.replace_with(" ")
    strip_all(node, d.skip_tags)
    strip_all(node, (*d.remove, *(profile.remove if profile else ())))
    captions: set[int] = set()
    for sel in d.captions:
        try:
            captions.update(n.mem_id for n in node.css(sel))
        except Exception:
            continue
    return captions


def _profile_text(tree: LexborHTMLParser, profile: Profile, sapo: str, d: Defaults, title: str) -> str:
    for sel in profile.body:
        try:
            nodes = tree.css(sel)
        except Exception:
            continue
        ids = {n.mem_id for n in nodes}
        tops = [n for n in nodes if not _inside(n, ids)]
        paras: list[Para] = []
        for node in tops:
            captions = _clean(node, profile, d)
            remove_boxes(node, d, cut=True)
            paras.extend(paragraphs(node, captions))
        if any(normalize_text(p.text) for p in paras):
            return _finish(sapo, paras, d, title=title)
    return ""


def _inside(node: Any, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _generic_text(
    tree: LexborHTMLParser,
    profile: Profile | None,
    sapo: str,
    url: str | None,
    d: Defaults,
    title: str | None,
) -> str:
    """trafilatura on the page cleaned of captions, boxes and known boilerplate."""
    body = tree.body
    if body is None:
        return ""
    captions = _clean(body, profile, d)
    decompose_all([n for n in body.traverse() if n.mem_id in captions])  # captions never count here
    remove_boxes(body, d, cut=False)
    paras = _m.generic_extract(tree.html or "", url)
    return _finish(sapo, paras, d, prepend_missing=True, title=title or "")
