"""Reading WARC files other tools wrote, fast: every record with its place, its digests checked.

:func:`scan_warc` walks a ``.warc.gz`` or ``.warc`` with FastWARC (``bench/bench_import.py``:
about 2x our zlib walker and 3x warcio, both digests checked) and yields one
:class:`Scanned` per record: where it is (offset and length of its gzip member), its WARC
type, target URI and date, the HTTP status and Content-Type, whether its block and payload
digests hold, and for a response the raw payload. When FastWARC stops before the end of
the file (a torn tail, a member of garbage, a member holding several records), the rest is
walked by :func:`warehouse.warc.records.iter_records` with ``resync``, which names each
damaged range and goes on at the next good member. No SQL here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from errors import ArchiveError
from warehouse.types import Capture
from warehouse.warc.records import (
    NOT_MODIFIED_PROFILE,
    WarcRecord,
    digest_matches,
    iter_records,
    target_uri,
)

__all__ = ["Scanned", "scan_warc"]


@dataclass(frozen=True, slots=True)
class Scanned:
    """One record of a scanned file (or, with ``problem``, a damaged range of it)."""

    offset: int
    length: int
    type: str = ""
    record_id: str = ""
    url: str = ""
    date: str = ""
    status: int = 0
    content_type: str | None = None
    payload_digest: str | None = None
    refers_to: str | None = None
    profile: str | None = None
    truncated: str | None = None
    digests_ok: bool = True
    http_headers: tuple[tuple[str, str], ...] = ()
    payload: bytes = b""  # responses only: as stored (content- and maybe transfer-encoded)
    problem: str | None = None

    def capture(self, warc_file: str) -> Capture:
        """Its row of the ``captures`` index (responses and revisits)."""
        return Capture(
            capture_id=self.record_id,
            url=self.url,
            fetched_at=self.date,
            status=self.status,
            content_type=self.content_type,
            payload_digest=self.payload_digest or "",
            warc_file=warc_file,
            offset=self.offset,
            length=self.length,
            record_type=self.type,
            refers_to=self.refers_to,
        )

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.http_headers if k.lower() == low), None)


def scan_warc(path: Path) -> Iterator[Scanned]:
    """Every record of ``path`` in file order; damage is yielded as a ``problem`` item, never raised."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"cannot read {path}: no such file")
    size = path.stat().st_size
    pending: Scanned | None = None
    resume = 0
    try:
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh, parse_http=False, record_types=WarcRecordType.any_type):
                pos = int(rec.stream_pos)
                if pending is not None:
                    if pos <= pending.offset:
                        break  # several records in one gzip member: not addressable, let the walker say so
                    yield _with_length(pending, pos - pending.offset)
                    resume = pos
                pending = _scanned(rec, pos)
    except Exception:  # FastWARC gave up on damage: the walker takes over from the last good record
        pending = None
    if pending is not None and _ends_cleanly(path, pending.offset, size):
        yield _with_length(pending, size - pending.offset)
        return
    yield from _walk(path, resume)


def _ends_cleanly(path: Path, offset: int, size: int) -> bool:
    """True when the last record FastWARC saw really is the last, whole member of the file."""
    walked = list(iter_records(path, start=offset, resync=True))
    return len(walked) == 1 and walked[0].problem is None and walked[0].offset + walked[0].length == size


def _with_length(item: Scanned, length: int) -> Scanned:
    return dataclasses.replace(item, length=length)


def _scanned(rec: object, pos: int) -> Scanned:
    h = rec.headers  # type: ignore[attr-defined]
    rtype = str(h.get("WARC-Type") or "unknown").strip().lower()
    digests_ok = bool(rec.verify_block_digest(consume=False)) if h.get("WARC-Block-Digest") else True  # type: ignore[attr-defined]
    status: int = 0
    ctype: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    payload = b""
    if rtype in ("response", "revisit") and rec.content_length:  # type: ignore[attr-defined]
        rec.parse_http()  # type: ignore[attr-defined]
        http = rec.http_headers  # type: ignore[attr-defined]
        if http is not None and http.status_line:
            status = int(http.status_code or 0)
            headers = tuple((str(k), str(v)) for k, v in http.items())
            ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
            if rtype == "response":
                if h.get("WARC-Payload-Digest"):
                    digests_ok = digests_ok and bool(rec.verify_payload_digest(consume=False))  # type: ignore[attr-defined]
                payload = bytes(rec.reader.read())  # type: ignore[attr-defined]
    profile = h.get("WARC-Profile")
    if rtype == "revisit" and not status and profile == NOT_MODIFIED_PROFILE:
        status = 304
    return Scanned(
        offset=pos,
        length=0,
        type=rtype,
        record_id=str(h.get("WARC-Record-ID") or ""),
        url=target_uri(h.get("WARC-Target-URI")),
        date=str(h.get("WARC-Date") or ""),
        status=status,
        content_type=ctype,
        payload_digest=h.get("WARC-Payload-Digest"),
        refers_to=h.get("WARC-Refers-To"),
        profile=profile,
        truncated=h.get("WARC-Truncated"),
        digests_ok=digests_ok,
        http_headers=headers,
        payload=payload,
    )


def _walk(path: Path, start: int) -> Iterator[Scanned]:
    """The slow, careful path: our own member walker, resynchronising after damage."""
    for rec in iter_records(path, start=start, resync=True):
        if rec.problem:
            yield Scanned(rec.offset, rec.length, problem=rec.problem)
        else:
            yield _from_record(rec)


def _from_record(rec: WarcRecord) -> Scanned:
    rtype = str(rec.type or "unknown")
    ok = True
    bd, pd = rec.header("WARC-Block-Digest"), rec.header("WARC-Payload-Digest")
    if bd and not digest_matches(bd, rec.block):
        ok = False
    status: int = 0
    ctype: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    payload = b""
    if rtype in ("response", "revisit") and rec.block:
        head, payload = rec.http_split()
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        headers = tuple(
            (str(k).strip(), str(v).strip())
            for k, _, v in (ln.partition(":") for ln in lines[1:] if ":" in ln)
        )
        ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
        if rtype == "response" and pd and not digest_matches(pd, payload):
            ok = False
        if rtype == "revisit":
            payload = b""
    profile = rec.header("WARC-Profile")
    if rtype == "revisit" and not status and profile == NOT_MODIFIED_PROFILE:
        status = 304
    return Scanned(
        offset=rec.offset,
        length=rec.length,
        type=rtype,
        record_id=str(rec.header("WARC-Record-ID") or ""),
        url=rec.url,
        date=str(rec.header("WARC-Date") or ""),
        status=status,
        content_type=ctype,
        payload_digest=pd,
        refers_to=rec.header("WARC-Refers-To"),
        profile=profile,
        truncated=rec.header("WARC-Truncated"),
        digests_ok=ok,
        http_headers=headers,
        payload=payload,
    )
