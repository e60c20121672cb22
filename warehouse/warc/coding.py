"""Content-coding decompression with a cap: what the fetcher and the archive reader share.

``ContentDecoder`` undoes ``Content-Encoding`` (gzip, deflate, br, zstd) chunk by
chunk, never producing much more than the room it is given, so a compression bomb
cannot inflate in memory: gzip/deflate use zlib's ``max_length``, brotli its
``output_buffer_limit``, zstd is fed in slices small enough that one slice can
never expand past a few MB (a zstd block is at most 128 KiB out of 4 bytes in).
``CappedBody`` keeps the raw payload (what the WARC archive stores) and the decoded
body of one response, both cut at the byte cap.
"""

from __future__ import annotations

import zlib

import brotli
import zstandard

from errors import FetchError

__all__ = ["CappedBody", "ContentDecoder"]

_ZSTD_SLICE = 64  # worst case 64 / 4 * 128 KiB = 2 MiB out per slice
_ZSTD_MAX_WINDOW = 8 * 1024 * 1024  # RFC 8878 asks HTTP clients to support 8 MiB


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
