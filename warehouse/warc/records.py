"""WARC on disk, at the lowest level: gzip members, records, digests, dates, torn tails.

Shared by the writer (:mod:`warehouse.warc.writer`: digests, dates, recovery walks)
and the reader (:mod:`warehouse.warc.reader`). :func:`iter_records` walks a
``.warc.gz`` member by member (one record per gzip member, as the writer makes
them; an uncompressed ``.warc`` record by record) and ends at the first torn or
unparsable member, or, with ``resync``, reports the damaged range and goes on at
the next member that holds a WARC record.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from errors import ArchiveError

__all__ = [
    "NOT_MODIFIED_PROFILE",
    "REFERS_TO_FILENAME",
    "REFERS_TO_OFFSET",
    "WarcRecord",
    "cut_torn_tail",
    "digest_matches",
    "find_header",
    "fsync_dir",
    "iter_records",
    "payload_digest",
    "target_uri",
    "warc_date",
]

_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b\x08"
#: WARC extension fields on revisits: where the original record lives, so a reader
#: follows a revisit without scanning the archive (checked against WARC-Refers-To).
REFERS_TO_FILENAME = "WARC-Refers-To-Filename"
REFERS_TO_OFFSET = "WARC-Refers-To-Offset"
#: The WARC 1.1 revisit profile of a 304 Not Modified.
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def target_uri(value: str | None) -> str:
    """A WARC-Target-URI as a plain URL: ``<http://…>`` (WARC/1.0 grammar, wget) loses its brackets,
    as warcio's reader does."""
    uri = (value or "").strip()
    return uri[1:-1].strip() if uri.startswith("<") and uri.endswith(">") else uri


def find_header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (any case), or None."""
    low = name.lower()
    return next((v for k, v in headers if k.lower() == low), None)


@dataclass(frozen=True, slots=True)
class WarcRecord:
    """One gzip member of a WARC file and the record in it.

    ``length`` is the compressed size of the member. When ``problem`` is set the
    member is torn or unparsable: it is the last item of the walk, ``offset`` is
    where the damage starts and ``length`` runs to the end of the file.
    """

    offset: int
    length: int
    headers: tuple[tuple[str, str], ...] = ()
    block: bytes = b""
    problem: str | None = None

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)

    @property
    def type(self) -> str | None:
        return self.header("WARC-Type")

    @property
    def url(self) -> str:
        """The record's WARC-Target-URI, without angle brackets."""
        return target_uri(self.header("WARC-Target-URI"))

    def http_split(self) -> tuple[bytes, bytes]:
        """(HTTP header block, payload) of an ``application/http`` record."""
        head, sep, payload = self.block.partition(b"\r\n\r\n")
        return (head, payload) if sep else (self.block, b"")


def iter_records(path: Path, *, start: int = 0, resync: bool = False) -> Generator[WarcRecord, None, None]:
    """Every record of a WARC file from ``start``: a ``.warc.gz`` member by member, a plain
    ``.warc`` record by record.

    A damaged member is yielded with ``problem`` set and ends the walk; with ``resync``
    the walk goes on at the next gzip member that holds a WARC record, and the damaged
    item's ``length`` covers just the bytes skipped.
    """
    if not Path(path).is_file():
        raise ArchiveError(f"cannot read {path}: no such file")
    with Path(path).open("rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(start)
        head = fh.read(5)
        fh.seek(start)
        if head == b"WARC/":
            yield from _iter_plain(fh, start, size)
            return
        pos, pending = start, b""
        while pos < size:
            rec, pending = _read_member(fh, pos, size, pending)
            if rec.problem and resync and rec.problem.startswith("bad gzip"):
                nxt = _next_member(fh, pos + 1, size)
                rec = WarcRecord(pos, (nxt if nxt is not None else size) - pos, problem=rec.problem)
                pending = b""
                fh.seek(pos + rec.length)
            yield rec
            if rec.problem and not resync:
                return
            pos += rec.length


def _read_member(fh: BinaryIO, pos: int, size: int, pending: bytes) -> tuple[WarcRecord, bytes]:
    """The gzip member at ``pos`` and the record in it; ``pending`` holds bytes read past the last
    member (the file is positioned after them). Returns the bytes read past this member."""
    d = zlib.decompressobj(31)
    parts: list[bytes] = []
    used = 0
    while True:
        if not pending:
            pending = fh.read(_CHUNK)
            if not pending:
                problem = "torn gzip member (file ends inside it)" if used else "empty gzip member"
                return WarcRecord(pos, size - pos, problem=problem), b""
        try:
            parts.append(d.decompress(pending))
        except zlib.error as exc:
            return WarcRecord(pos, size - pos, problem=f"bad gzip member ({exc})"), b""
        if d.eof:
            used += len(pending) - len(d.unused_data)
            return _parse_record(pos, used, b"".join(parts)), d.unused_data
        used += len(pending)
        pending = b""


def _next_member(fh: BinaryIO, start: int, size: int) -> int | None:
    """Offset of the next gzip member from ``start`` whose first bytes are a WARC record."""
    pos = start
    while pos < size:
        fh.seek(pos)
        window = fh.read(_CHUNK + 2)
        at = window.find(_GZIP_MAGIC)
        while at != -1:
            fh.seek(pos + at)
            try:
                first = zlib.decompressobj(31).decompress(fh.read(4096), 5)
            except zlib.error:
                first = b""
            if first == b"WARC/":
                return pos + at
            at = window.find(_GZIP_MAGIC, at + 1)
        if len(window) <= 2:
            return None
        pos += len(window) - 2
    return None


def _iter_plain(fh: BinaryIO, start: int, size: int) -> Generator[WarcRecord, None, None]:
    """Records of an uncompressed WARC file, by their Content-Length."""
    pos = start
    while pos < size:
        fh.seek(pos)
        head = b""
        while b"\r\n\r\n" not in head:
            more = fh.read(8192)
            if not more:
                break
            head += more
            if len(head) > 1 << 20:
                break
        blank = head.find(b"\r\n\r\n")
        if blank < 0:
            if head.strip(b"\r\n"):
                yield WarcRecord(pos, size - pos, problem="torn record (file ends inside its headers)")
            return
        rec = _parse_record(pos, 0, head[: blank + 4])  # headers only: the length comes from them
        try:
            n = int(rec.header("Content-Length") or "")
        except ValueError:
            yield WarcRecord(pos, size - pos, rec.headers, problem=rec.problem or "no valid Content-Length")
            return
        total = blank + 4 + n + 4
        fh.seek(pos)
        data = fh.read(total)
        if len(data) < total:
            yield WarcRecord(pos, size - pos, rec.headers, problem="torn record (file ends inside it)")
            return
        yield _parse_record(pos, total, data)
        pos += total
        while pos < size:  # tolerate extra blank lines between records
            fh.seek(pos)
            if fh.read(2) != b"\r\n":
                break
            pos += 2


def _parse_record(offset: int, length: int, data: bytes) -> WarcRecord:
    head, sep, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    if not sep or not lines[0].startswith("WARC/"):
        return WarcRecord(offset, length, problem="not a WARC record")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif ":" in line:
            k, v = line.split(":", 1)
            headers.append((k.strip(), v.strip()))
    rec = WarcRecord(offset, length, tuple(headers))
    try:
        n = int(rec.header("Content-Length") or "")
    except ValueError:
        return WarcRecord(offset, length, rec.headers, problem="no valid Content-Length")
    if len(rest) < n + 4 or rest[n : n + 4] != b"\r\n\r\n":
        return WarcRecord(offset, length, rec.headers, problem="record shorter than its Content-Length")
    if len(rest) > n + 4:
        return WarcRecord(offset, length, rec.headers, problem="more than one record in a gzip member")
    return WarcRecord(offset, length, rec.headers, rest[:n])


def payload_digest(payload: bytes) -> str:
    """``sha1:BASE32`` of the payload, as in ``WARC-Payload-Digest``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def warc_date(value: str) -> str:
    """An ISO 8601 time as a WARC-Date in UTC (microseconds kept when present)."""
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArchiveError(f"not an ISO 8601 time: {value!r}") from None
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    frac = f".{dt.microsecond:06d}" if dt.microsecond else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def digest_matches(expected: str, data: bytes) -> bool:
    """True when ``expected`` (``algo:value``, base32 or hex) is the digest of ``data``."""
    algo, _, value = expected.partition(":")
    try:
        raw = hashlib.new(algo.lower().replace("-", ""), data).digest()
    except ValueError:
        return False
    return value.upper() in (base64.b32encode(raw).decode(), raw.hex().upper())


def cut_torn_tail(warc: Path, quarantine: Path) -> Path | None:
    """Cut ``warc`` back to its last complete exchange; the torn tail goes to ``quarantine``.

    A trailing request whose response never made it is cut too. Returns the
    quarantined file, or None when the file was whole. A file left empty is removed.
    """
    good_end = 0
    last_type: str | None = None
    last_offset = 0
    for rec in iter_records(warc):
        if rec.problem:
            break
        good_end = rec.offset + rec.length
        last_type, last_offset = rec.header("WARC-Type"), rec.offset
    if last_type == "request":  # its response never made it: the exchange is incomplete
        good_end = last_offset
    size = warc.stat().st_size
    if good_end >= size:
        return None
    quarantine.mkdir(exist_ok=True)
    target = quarantine / f"{warc.name}.{good_end}.torn"
    with warc.open("r+b") as fh, target.open("wb") as out:
        fh.seek(good_end)
        while chunk := fh.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
        fh.truncate(good_end)
        fh.flush()
        os.fsync(fh.fileno())
    if good_end == 0:
        warc.unlink()
    fsync_dir(quarantine)
    fsync_dir(warc.parent)
    return target


def fsync_dir(path: Path) -> None:
    """Make a new or renamed entry of ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
