"""Bytes to text: the charset of a decoded body (content codings are undone by
``warehouse.warc.coding``, shared with the archive reader).

``decode_text`` weighs the byte-order mark, the HTTP header charset, ``<meta charset>``
/ ``http-equiv`` / the XML declaration, then detection, with two guards against
mislabelled pages: bytes that are valid UTF-8 are read as UTF-8 whatever the label
says (single-byte text is practically never valid UTF-8 by accident), and a generic
Western label (iso-8859-1, windows-1252, ascii: what servers send by default) is
believed only after the bytes failed to read as windows-1258 Vietnamese (tone marks
all on vowels, Vietnamese-only letters present). Order: BOM, valid UTF-8, declared
specific charsets (header first), windows-1258 Vietnamese, UTF-8 with a few stray
bytes, declared generic charsets, charset-normalizer. The text is returned in NFC,
which composes windows-1258's separate tone marks.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from errors import ExtractionError

__all__ = [
    "charset_from_content_type",
    "decode_html",
    "decode_text",
    "is_textual",
    "sniff_declared_charset",
]

_GENERIC = frozenset({"cp1252", "latin_1", "ascii", "iso8859_15"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Letters only Vietnamese uses among Latin scripts: ă â đ ê ô ơ ư and toned vowels beyond Latin-1.
_VIET_ONLY = re.compile(r"[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_WHATWG_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_TEXTUAL = ("text/", "application/xhtml", "application/xml", "application/rss", "application/atom", "+xml")
_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x28\xb5\x2f\xfd",
    b"BZh",
)
_BAD = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_MARKUP = re.compile(r"<[A-Za-z!/]")


def decode_html(data: str | bytes, content_type: str | None = None) -> str:
    """The text of an HTML page served as ``content_type``; ``ExtractionError`` if it is not HTML.

    Bytes go through :func:`decode_text` (BOM, header charset, meta charset, detection,
    windows-1258 included); text is taken as it is.
    """
    if isinstance(data, bytes | bytearray):
        body = bytes(data)
        head = body[:4096]
        if head.startswith(_MAGIC) or (b"\x00" in head and not head.startswith(tuple(b for b, _ in _BOMS))):
            raise ExtractionError("not HTML: binary content")
        text = decode_text(body, content_type)[0]
    else:
        text = data
    sample = text[:4096]
    if not sample.strip():
        raise ExtractionError("not HTML: empty input")
    if len(_BAD.findall(sample)) > max(8, len(sample) // 20):
        raise ExtractionError("not HTML: binary content")
    if not _MARKUP.search(text):
        raise ExtractionError("not HTML: no markup")
    return text


def is_textual(content_type: str | None) -> bool:
    """True for HTML, XML, feeds and plain text (and for an unknown type)."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return any(media.startswith(t) or media.endswith(t) for t in _TEXTUAL)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, as a Python codec name."""
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return _codec(m.group(1)) if m else None


def sniff_declared_charset(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (meta tag or XML declaration)."""
    m = _META.search(body[:4096])
    if not m:
        return None
    return _codec((m.group(1) or m.group(2)).decode("ascii", "replace"))


def decode_text(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body`` to NFC text; returns ``(text, codec name used)``."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _nfc(body.decode(codec, "replace")), codec
    text = _strict(body, "utf-8")
    if text is not None:  # single-byte text is practically never valid UTF-8 by accident
        return text, "utf-8"
    declared = [c for c in (charset_from_content_type(content_type), sniff_declared_charset(body)) if c]
    specific = [c for c in declared if c not in _GENERIC and c != "utf-8"]
    for codec in specific:
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    text = _vietnamese_cp1258(body)
    if text is not None:
        return text, "cp1258"
    loose = body.decode("utf-8", "replace")
    if "utf-8" in declared or loose.count("\ufffd") <= max(1, len(loose) // 1000):
        return _nfc(loose), "utf-8"  # UTF-8 with a few stray bytes
    for codec in declared:  # the generic Western labels servers send by default
        text = _strict(body, codec)
        if text is not None:
            return text, codec
    guess = charset_normalizer.from_bytes(body[:262144]).best()
    codec = (_codec(guess.encoding) if guess is not None else None) or "cp1252"
    return _nfc(body.decode(codec, "replace")), codec


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return _nfc(body.decode(codec))
    except (UnicodeDecodeError, LookupError):
        return None


def _vietnamese_cp1258(body: bytes) -> str | None:
    """The cp1258 reading of ``body`` when it is plausible Vietnamese, else None.

    Plausible: every tone mark sits on a vowel (so NFC leaves none loose) and the
    text holds letters only Vietnamese writes.
    """
    raw = body.decode("cp1258", "replace")
    if not any(ch in _TONE_MARKS for ch in raw):
        return None
    text = _nfc(raw)
    if any(ch in _TONE_MARKS for ch in text) or not _VIET_ONLY.search(text):
        return None
    return text


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
