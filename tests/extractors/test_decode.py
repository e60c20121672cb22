"""Charsets and content codings: clean Unicode, never mojibake; bombs never inflate."""

from __future__ import annotations

import gzip
import tracemalloc
import unicodedata
import zlib

import brotli
import pytest
import zstandard

from errors import FetchError
from extractors.decode import decode_text, is_textual, sniff_declared_charset
from tests.helpers import SHARED
from tests.helpers.chaos import ARTICLE_TEXT, bomb_chunks, encode_cp1258
from warehouse.warc.coding import CappedBody, ContentDecoder

_MOJIBAKE = ("Ã", "Ä", "Æ", "áº", "»", "Ì", "Þ", "ð", "\ufffd")


def _html(body: bytes, head: bytes = b"") -> bytes:
    return (
        b"<!DOCTYPE html><html><head>"
        + head
        + b"<title>t</title></head><body><p>"
        + body
        + b"</p></body></html>"
    )


def _clean(text: str) -> None:
    assert ARTICLE_TEXT in text
    assert not any(m in text for m in _MOJIBAKE)
    assert text == unicodedata.normalize("NFC", text)


def test_windows_1258_with_meta_charset_is_composed_to_nfc() -> None:
    raw = _html(encode_cp1258(ARTICLE_TEXT), b'<meta charset="windows-1258">')
    assert b"\xcc" in raw or b"\xec" in raw  # the tone marks really are separate bytes
    text, codec = decode_text(raw, "text/html")
    assert codec == "cp1258"
    _clean(text)


def test_windows_1258_without_any_declaration_is_detected() -> None:
    text, codec = decode_text(_html(encode_cp1258(ARTICLE_TEXT)), "text/html")
    assert codec == "cp1258"
    _clean(text)


def test_windows_1258_behind_a_default_latin1_header() -> None:
    text, _ = decode_text(_html(encode_cp1258(ARTICLE_TEXT)), "text/html; charset=ISO-8859-1")
    _clean(text)


def test_utf8_bytes_labelled_iso_8859_1_are_read_as_utf8() -> None:
    text, codec = decode_text(_html(ARTICLE_TEXT.encode()), "text/html; charset=iso-8859-1")
    assert codec == "utf-8"
    _clean(text)


def test_utf8_bytes_with_a_wrong_meta_windows_1258() -> None:
    text, _ = decode_text(_html(ARTICLE_TEXT.encode(), b'<meta charset="windows-1258">'), None)
    _clean(text)


def test_header_charset_wins_for_a_real_single_byte_page() -> None:
    raw = "Cà phê đá".encode("cp1258")  # no tone marks split off: plain cp1258 letters
    text, codec = decode_text(raw, "text/plain; charset=windows-1258")
    assert codec == "cp1258"
    assert text == unicodedata.normalize("NFC", "Cà phê đá")


def test_bom_and_utf16() -> None:
    text, codec = decode_text("\ufeffHiến máu".encode("utf-16"), "text/html; charset=iso-8859-1")
    assert text.endswith("Hiến máu")
    assert codec == "utf-16"


def test_decomposed_utf8_is_composed() -> None:
    text, _ = decode_text(unicodedata.normalize("NFD", ARTICLE_TEXT).encode(), "text/html")
    _clean(text)


def test_mostly_utf8_with_one_stray_byte_keeps_the_text() -> None:
    raw = _html(ARTICLE_TEXT.encode() * 20 + b"\xff")
    text, codec = decode_text(raw, "text/html")
    assert codec == "utf-8"
    assert text.count(ARTICLE_TEXT) == 20


def test_meta_and_xml_declarations_are_sniffed() -> None:
    assert (
        sniff_declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')
        == "cp1258"
    )
    assert sniff_declared_charset(b'<?xml version="1.0" encoding="UTF-8"?><rss/>') == "utf-8"
    assert sniff_declared_charset(b"<meta charset=bogus-charset>") is None
    assert is_textual("application/rss+xml; charset=utf-8") and not is_textual("image/jpeg")


@pytest.mark.parametrize("name", ["dantri__article_2026.html", "vnexpress__listing_kinh-doanh_2026.html"])
def test_real_pages_decode_cleanly(name: str) -> None:
    path = SHARED / "realpages" / name
    if not path.is_file():
        pytest.skip("../shared/realpages is not present")
    text, codec = decode_text(path.read_bytes(), "text/html")  # no charset in the header
    assert codec == "utf-8"
    assert "\ufffd" not in text and "Ä‘" not in text
    assert any(w in text for w in ("Việt", "đồng", "người"))


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "br", "zstd", "identity", None])
def test_content_codings_round_trip(coding: str | None) -> None:
    body = (ARTICLE_TEXT * 300).encode()
    if coding in ("gzip", "x-gzip"):
        data = gzip.compress(body)
    elif coding == "deflate":
        data = zlib.compress(body)
    elif coding == "br":
        data = brotli.compress(body)
    elif coding == "zstd":
        data = zstandard.ZstdCompressor().compress(body)
    else:
        data = body
    capped = CappedBody(coding, 10_000_000)
    for i in range(0, len(data), 1000):  # fed in network-sized pieces
        assert capped.feed(data[i : i + 1000])
    capped.finish()
    assert bytes(capped.body) == body and bytes(capped.raw) == data and not capped.truncated


def test_raw_deflate_and_concatenated_members() -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = raw.compress(b"hello " * 50) + raw.flush()
    dec = ContentDecoder("deflate")
    assert dec.feed(data, 10_000) + dec.flush() == b"hello " * 50
    two = gzip.compress(b"one ") + gzip.compress(b"two")
    assert ContentDecoder("gzip").feed(two, 100) == b"one two"
    zs = zstandard.ZstdCompressor()
    assert ContentDecoder("zstd").feed(zs.compress(b"one ") + zs.compress(b"two"), 100) == b"one two"


def test_corrupt_and_unknown_codings_are_fetch_errors() -> None:
    with pytest.raises(FetchError, match="corrupt gzip"):
        ContentDecoder("gzip").feed(b"\x1f\x8b\x08\x00garbagegarbage", 100)
    with pytest.raises(FetchError, match="unsupported"):
        ContentDecoder("compress")
    with pytest.raises(FetchError, match="stacked"):
        ContentDecoder("gzip, br")


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_a_one_gigabyte_bomb_stays_within_the_cap_in_memory(coding: str) -> None:
    cap = 1_000_000
    capped = CappedBody(coding, cap)
    tracemalloc.start()
    try:
        fed = 0
        for chunk in bomb_chunks(coding, megabytes=1024):  # lazily compressed: 1 GiB of zeros
            fed += len(chunk)
            if not capped.feed(chunk):
                break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert capped.truncated and len(capped.body) == cap
    assert len(capped.raw) <= cap
    assert peak < 16 * cap  # never near the 1 GiB the bomb expands to
    assert fed < 64 * 1024 * 1024
