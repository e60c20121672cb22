"""Bytes on the wire to text: content-coding decompression with a cap, then the charset.

``ContentDecoder`` undoes ``Content-Encoding`` (gzip, deflate, br, zstd) chunk by
chunk, never producing much more than the room it is given, so a compression bomb
cannot inflate in memory: gzip/deflate use zlib's ``max_length``, brotli its
``output_buffer_limit``, zstd is fed in slices small enough that one slice can
never expand past a few MB (a zstd block is at most 128 KiB out of 4 bytes in).

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
import zlib

import brotli
import charset_normalizer
import zstandard

from errors import FetchError

__all__ = [
    "CappedBody",
    "ContentDecoder",
    "charset_from_content_type",
    "decode_text",
    "is_textual",
    "sniff_declared_charset",
]

_ZSTD_SLICE = 64  # worst case 64 / 4 * 128 KiB = 2 MiB out per slice
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024  # RFC 8878 asks HTTP clients to support 8 MiB
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


class ContentDecoder:
    """Incremental, capped decoder for one ``Content-Encoding`` value."""

    def __init__(self, content_encoding: str | None) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"decode: stacked content-encoding {content_encoding!r} not supported")
        self.coding = codings[0] if codings else "identity"
        self._zlib: zlib._Decompress | None = None
        self._br: brotli.Decompressor | None = None
        self._zstd: zstandard.ZstdDecompressionObj | None = None
        self._pending = b""
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "br":
            self._br = brotli.Decompressor()
        elif self.coding == "zstd":
            self._zstd = self._new_zstd()
        elif self.coding not in ("deflate", "identity"):
            raise FetchError(f"decode: unsupported content-encoding {self.coding!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; the result exceeds ``room`` only to say the cap is crossed."""
        try:
            return self._feed(data, max(room, 0) + 1)
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise FetchError(f"decode: corrupt {self.coding} stream ({exc})") from None

    def _feed(self, data: bytes, limit: int) -> bytes:
        if self.coding == "identity":
            return data
        if self.coding == "deflate" and self._zlib is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            b0, b1 = data[0], data[1]
            zlib_wrapped = (b0 & 0x0F) == 8 and (b0 << 8 | b1) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        if self._zlib is not None:
            return self._feed_zlib(data, limit)
        if self._br is not None:
            out = self._br.process(data, output_buffer_limit=limit)
            while len(out) < limit and not self._br.can_accept_more_data():
                more = self._br.process(b"", output_buffer_limit=limit - len(out))
                if not more:
                    break
                out += more
            return out
        assert self._zstd is not None
        parts: list[bytes] = []
        size = 0
        for start in range(0, len(data), _ZSTD_SLICE):
            piece = data[start : start + _ZSTD_SLICE]
            while piece:
                part = self._zstd.decompress(piece)
                parts.append(part)
                size += len(part)
                piece = b""
                if self._zstd.eof:  # concatenated frames: start the next one
                    piece = self._zstd.unused_data
                    self._zstd = self._new_zstd()
            if size >= limit:
                break
        return b"".join(parts)

    @staticmethod
    def _new_zstd() -> zstandard.ZstdDecompressionObj:
        return zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW).decompressobj()

    def _feed_zlib(self, data: bytes, limit: int) -> bytes:
        assert self._zlib is not None
        out = bytearray()
        while data and len(out) < limit:
            out += self._zlib.decompress(data, limit - len(out))
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data + data
                data = b""
                if self.coding != "deflate" and rest.strip(b"\x00"):  # another gzip member
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    data = rest
        return bytes(out)

    def flush(self) -> bytes:
        """Whatever the decoder still holds once the input has ended (small by construction)."""
        try:
            if self._zlib is not None and not self._zlib.eof:
                return self._zlib.flush()
            if self.coding == "deflate" and self._pending:
                return zlib.decompress(self._pending, -zlib.MAX_WBITS)
            if self._zstd is not None:
                return self._zstd.flush()
        except (zlib.error, zstandard.ZstdError) as exc:
            raise FetchError(f"decode: corrupt {self.coding} stream ({exc})") from None
        return b""


class CappedBody:
    """The raw payload and the decoded body of one response, both cut at ``max_bytes``."""

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        self.decoder = ContentDecoder(content_encoding)
        self.max_bytes = max_bytes
        self.raw = bytearray()
        self.body = bytearray()
        self.truncated = False

    def feed(self, chunk: bytes) -> bool:
        """Take one raw chunk; False once the cap is reached (stop reading)."""
        room = self.max_bytes - len(self.raw)
        if len(chunk) > room:
            chunk, self.truncated = chunk[:room], True
        self.raw += chunk
        self._add(self.decoder.feed(chunk, self.max_bytes - len(self.body)))
        return not self.truncated

    def finish(self) -> None:
        """The input has ended: take what the decoder still holds."""
        self._add(self.decoder.flush())

    def _add(self, out: bytes) -> None:
        room = self.max_bytes - len(self.body)
        if len(out) > room:
            out, self.truncated = out[:room], True
        self.body += out


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
