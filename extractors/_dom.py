"""DOM helpers for main-content extraction: site profiles and the paragraph walker.

Profiles are data (``profiles.toml``, read once). The walker turns a body
container into paragraphs: each ``<p>``, heading, list item, blockquote and
table row is one paragraph, inline text is joined, ``<br>`` is a space,
captions are kept apart (the caller drops them), and boxes of other stories
(found by their title, "Tin liên quan", "Tin khác", ...) are removed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from extractors.normalize import normalize_text

__all__ = [
    "Defaults",
    "Para",
    "Profile",
    "decompose_all",
    "defaults",
    "node_text",
    "paragraphs",
    "profiles",
    "remove_boxes",
    "strip_all",
]

_SEP = "\x00"


def _words(text: str) -> list[str]:
    return text.split()


_INLINE = frozenset(
    _words(
        "a abbr b bdi bdo big br cite code data del dfn em font i ins kbd label mark q rp rt ruby s samp "
        "small span strike strong sub sup time tt u var wbr"
    )
)
_PARA = frozenset(_words("p h1 h2 h3 h4 h5 h6 li dt dd pre tr caption"))
_BLOCK_CSS = "p,div,li,ul,ol,table,tr,h1,h2,h3,h4,h5,h6,blockquote,section,article,figure,dl,pre,header"
_GLUE = re.compile(r"(?<=[^\W\d_])\x00+(?=[^\W\d_])")


@dataclass(frozen=True, slots=True)
class Profile:
    """One site's selectors (see profiles.toml)."""

    name: str
    hosts: tuple[str, ...]
    site_names: tuple[str, ...]
    markers: tuple[str, ...]
    title: tuple[str, ...]
    sapo: tuple[str, ...]
    body: tuple[str, ...]
    remove: tuple[str, ...]
    date: tuple[str, ...]
    section: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Defaults:
    """Site-independent lists of profiles.toml ``[defaults]``."""

    box_titles: frozenset[str]
    box_title_prefixes: tuple[str, ...]
    max_box_title_words: int
    skip_tags: tuple[str, ...]
    remove: tuple[str, ...]
    captions: tuple[str, ...]
    credit_re: re.Pattern[str]
    credit_only_re: re.Pattern[str]
    section: tuple[str, ...]
    home_names: frozenset[str]
    site_name_prefixes: tuple[str, ...]
    site_name_contains: tuple[str, ...]
    max_link_ratio: float
    sapo: tuple[str, ...] = ()

    def is_box_title(self, text: str) -> bool:
        """True when ``text`` is the heading of a box of other stories."""
        if len(text) > 200 or not text.strip():
            return False
        key = normalize_text(text).rstrip(" :.").casefold()
        if not key or len(key) > 80:
            return False
        if key in self.box_titles:
            return True
        return len(key.split()) <= self.max_box_title_words and key.startswith(self.box_title_prefixes)


@dataclass(slots=True)
class Para:
    """A paragraph found by the walker, before normalisation."""

    text: str
    links: int
    caption: bool


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("extractors").joinpath("profiles.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def _t(d: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(v) for v in d.get(key, ()))


@cache
def profiles() -> tuple[Profile, ...]:
    """All site profiles, in file order."""
    return tuple(
        Profile(
            name=str(p["name"]),
            hosts=_t(p, "hosts"),
            site_names=_t(p, "site_names"),
            markers=_t(p, "markers"),
            title=_t(p, "title"),
            sapo=_t(p, "sapo"),
            body=_t(p, "body"),
            remove=_t(p, "remove"),
            date=_t(p, "date"),
            section=_t(p, "section"),
        )
        for p in _data().get("profile", [])
    )


def _fold(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize_text(x).casefold() for x in items)


@cache
def defaults() -> Defaults:
    """The ``[defaults]`` table, compiled."""
    d = _data()["defaults"]
    words = "|".join(re.escape(w) for w in sorted(_t(d, "credit_words"), key=len, reverse=True))
    credit = rf"(?:{words})\s*:\s*[^()\n]{{1,60}}"
    return Defaults(
        box_titles=frozenset(_fold(_t(d, "box_titles"))),
        box_title_prefixes=_fold(_t(d, "box_title_prefixes")),
        max_box_title_words=int(d.get("max_box_title_words", 8)),
        skip_tags=_t(d, "skip_tags"),
        remove=_t(d, "remove"),
        captions=_t(d, "captions"),
        credit_re=re.compile(
            rf"(?:\s*\(\s*{credit}\s*\)|\s*\(\s*Ảnh minh ho[ạa]\s*\)|(?:\s+[-–—]\s*|(?<=[.!?…\"”)])\s+){credit}$)(?=[.\s]*$)",
            re.IGNORECASE,
        ),
        credit_only_re=re.compile(rf"^\(?\s*{credit}\s*\)?\.?$|^\(?Ảnh minh ho[ạa]\)?\.?$", re.IGNORECASE),
        section=_t(d, "section"),
        home_names=frozenset(_fold(_t(d, "home_names"))),
        site_name_prefixes=_fold(_t(d, "site_name_prefixes")),
        site_name_contains=_fold(_t(d, "site_name_contains")),
        max_link_ratio=float(d.get("max_link_ratio", 0.75)),
        sapo=_t(d, "sapo"),
    )


def _join(raw: str) -> str:
    """Join text fragments: glued inside a word, a space between "Nội" and "Ông"."""
    return _GLUE.sub(lambda m: " " if _needs_space(raw, m.start(), m.end()) else "", raw).replace(_SEP, "")


def _needs_space(raw: str, start: int, end: int) -> bool:
    return raw[start - 1].islower() and raw[end].isupper()


def node_text(node: LexborNode) -> str:
    """Text of ``node`` with inline pieces joined the way a browser shows them."""
    return _join(node.text(separator=_SEP))


def _link_chars(node: LexborNode) -> int:
    if node.tag == "a":
        return len(normalize_text(node.text()))
    return sum(len(normalize_text(a.text())) for a in node.css("a"))


def _has_block(node: LexborNode) -> bool:
    """True when a descendant of ``node`` (not the node itself) is a block element."""
    return any(child.css_first(_BLOCK_CSS) is not None for child in node.iter())


def _row(node: LexborNode) -> str:
    cells = [node_text(c) for c in node.iter() if c.tag in ("td", "th")]
    return " | ".join(c for c in (normalize_text(x) for x in cells) if c) or node_text(node)


def paragraphs(node: LexborNode, captions: set[int], caption: bool = False) -> list[Para]:
    """Paragraphs of ``node`` in document order (skip tags and removals done by the caller)."""
    out: list[Para] = []
    buf: list[str] = []
    links = 0

    def flush() -> None:
        nonlocal links
        if buf:
            out.append(Para(_join(_SEP.join(buf)), links, caption))
            buf.clear()
            links = 0

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            buf.append(child.text_content or "")
            continue
        if tag is None or tag.startswith("-") or child.is_comment_node:
            continue
        if child.mem_id in captions:
            flush()
            out.extend(paragraphs(child, captions, True))
        elif tag in _INLINE and not _has_block(child):
            buf.append(child.text(separator=_SEP))
            links += _link_chars(child)
        else:
            flush()
            if tag == "tr" and not _has_block(child):
                out.append(Para(_row(child), _link_chars(child), caption))
            elif tag in _PARA and not _has_block(child):
                out.append(Para(node_text(child), _link_chars(child), caption))
            else:  # a container, or a paragraph holding blocks: its parts are paragraphs
                out.extend(paragraphs(child, captions, caption))
    flush()
    return out


def _same(a: LexborNode | None, b: LexborNode | None) -> bool:
    return a is not None and b is not None and a.mem_id == b.mem_id


def _box_of(heading: LexborNode, root: LexborNode) -> LexborNode | None:
    """The largest ancestor below ``root`` holding only the heading and links."""
    head_len = len(normalize_text(heading.text()))
    best = None
    cand = heading.parent
    while cand is not None and not _same(cand, root):
        rest = len(normalize_text(cand.text())) - head_len
        if rest > 0 and _link_chars(cand) - _link_chars(heading) < 0.5 * rest:
            break
        best = cand
        cand = cand.parent
    return best


def _cut_after(node: LexborNode, root: LexborNode) -> None:
    """Remove ``node`` and everything after it up to the end of ``root``."""
    cur: LexborNode | None = node
    first = True
    while cur is not None and not _same(cur, root):
        sib = cur.next
        while sib is not None:
            nxt = sib.next
            sib.decompose()
            sib = nxt
        parent = cur.parent
        if first:
            cur.decompose()
            first = False
        cur = parent


def _headings(root: LexborNode, d: Defaults) -> list[LexborNode]:
    """The outermost elements whose whole text is a box title (a bare text node if directly in root)."""
    out: list[LexborNode] = []
    for node in root.traverse(include_text=True):
        if node.tag != "-text" or not d.is_box_title(node.text_content or ""):
            continue
        head = node.parent
        if head is None or _same(head, root):
            out.append(node)
            continue
        while head.parent is not None and not _same(head.parent, root):
            up = head.parent
            if normalize_text(up.text()) != normalize_text(head.text()):
                break
            head = up
        out.append(head)
    return out


def _within(node: LexborNode | None, ids: set[int]) -> bool:
    cur = node
    while cur is not None:
        if cur.mem_id in ids:
            return True
        cur = cur.parent
    return False


def remove_boxes(root: LexborNode, d: Defaults, cut: bool) -> None:
    """Remove boxes of other stories found by their title; ``cut`` ends ``root`` at an undelimited one.

    Everything is planned before the tree changes, so no removed node is touched again.
    """
    plan: list[tuple[LexborNode, LexborNode | None]] = []
    gone: set[int] = set()
    for heading in _headings(root, d):
        if _within(heading, gone):
            continue
        box = _box_of(heading, root)
        plan.append((heading, box))
        if box is None and cut:
            break
        gone.add((box or heading).mem_id)
    for heading, box in plan:
        if box is not None:
            box.decompose()
        elif cut:
            _cut_after(heading, root)
        else:
            heading.decompose()


def decompose_all(nodes: list[LexborNode]) -> None:
    """Decompose ``nodes``, skipping those inside another one (a freed node is never touched)."""
    ids = {n.mem_id for n in nodes}
    tops = [n for n in nodes if not _within(n.parent, ids)] if len(nodes) > 1 else nodes
    for n in tops:
        n.decompose()


def strip_all(root: LexborNode | LexborHTMLParser, selectors: tuple[str, ...]) -> None:
    """Decompose every element matching any of ``selectors`` (bad selectors are skipped)."""
    for sel in selectors:
        try:
            found = root.css(sel)
        except Exception:  # a selector lexbor does not support: data error, not fatal
            continue
        decompose_all([n for n in found if n.tag not in ("html", "body")])
