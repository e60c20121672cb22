"""Reading the archive back: captures, responses, verification, CDXJ.

:func:`iter_captures` rebuilds the index from the files; :func:`read_response`
uses warcio's reader at an indexed offset (digests checked) and follows revisits
to their original payload; :func:`verify` walks every gzip member and record and
holds the files against an index; :func:`export_cdxj` writes pywb's CDXJ.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from surt import surt as _surt
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from errors import ArchiveError, PipelineError
from warehouse.types import Capture
from warehouse.warc.coding import ContentDecoder
from warehouse.warc.records import (
    NOT_MODIFIED_PROFILE,
    REFERS_TO_FILENAME,
    REFERS_TO_OFFSET,
    WarcRecord,
    digest_matches,
    find_header,
    iter_records,
    target_uri,
)

__all__ = [
    "ArchivedResponse",
    "VerifyReport",
    "decode_payload",
    "export_cdxj",
    "iter_captures",
    "read_response",
    "surt",
    "verify",
    "warc_files",
]
_CAPTURE_TYPES = ("response", "revisit")


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """An archived HTTP response as the crawler received it."""

    capture: Capture
    url: str
    fetched_at: str
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    payload: bytes  # as stored: still content-encoded
    body: bytes  # content-decoded
    truncated: bool = False
    payload_from: str | None = None  # for a revisit: the record the payload was read from
    decode_error: str | None = None

    def header(self, name: str) -> str | None:
        return find_header(self.headers, name)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    records: int
    problems: list[str] = field(default_factory=list)


# -- captures -------------------------------------------------------------------


def warc_files(folder: Path) -> list[Path]:
    """The WARC files of an archive folder (``*.warc.gz``, and plain ``*.warc`` brought in by import)."""
    return sorted(f for pattern in ("*.warc.gz", "*.warc") for f in Path(folder).glob(pattern))


def _files(folder_or_files: Path | str | Iterable[Path | str]) -> list[tuple[Path, str]]:
    """(path, name as the index spells it) for a folder, a file, or a list of files."""
    if isinstance(folder_or_files, str | Path):
        p = Path(folder_or_files)
        if p.is_dir():
            return [(f, f.name) for f in warc_files(p)]
        return [(p, p.name)]
    return [(Path(f), Path(f).name) for f in folder_or_files]


def _http_meta(rec: WarcRecord) -> tuple[int, str | None]:
    if rec.type == "revisit" and not rec.block and rec.header("WARC-Profile") == NOT_MODIFIED_PROFILE:
        return 304, None  # a 304 kept as a revisit with an empty block
    head = rec.http_split()[0].decode("utf-8", "replace").split("\r\n")
    parts = head[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    ctype = next(
        (ln.split(":", 1)[1].strip() for ln in head[1:] if ln.lower().startswith("content-type:")), None
    )
    return status, ctype


def _capture_of(rec: WarcRecord, name: str) -> Capture:
    status, ctype = _http_meta(rec)
    return Capture(
        capture_id=str(rec.header("WARC-Record-ID")),
        url=rec.url,
        fetched_at=str(rec.header("WARC-Date")),
        status=status,
        content_type=ctype,
        payload_digest=str(rec.header("WARC-Payload-Digest")),
        warc_file=name,
        offset=rec.offset,
        length=rec.length,
        record_type=str(rec.type),
        refers_to=rec.header("WARC-Refers-To"),
    )


def iter_captures(
    folder_or_files: Path | str | Iterable[Path | str], *, damaged: list[str] | None = None
) -> Iterator[Capture]:
    """The response and revisit records of the files, in file order (to rebuild the index).

    A damaged member raises :class:`errors.ArchiveError`, unless ``damaged`` is given: then
    each damaged range is appended to it (``"<file> at <offset>: <problem> (<n> bytes)"``)
    and the walk goes on at the next member.
    """
    for path, name in _files(folder_or_files):
        for rec in iter_records(path, resync=damaged is not None):
            if rec.problem:
                if damaged is None:
                    raise ArchiveError(f"{name} at {rec.offset}: {rec.problem}")
                damaged.append(f"{name} at {rec.offset}: {rec.problem} ({rec.length} bytes skipped)")
                continue
            if rec.type in _CAPTURE_TYPES:
                yield _capture_of(rec, name)


# -- reading one response -------------------------------------------------------


def read_response(folder: Path, capture: Capture, *, max_body: int = 64 * 1024 * 1024) -> ArchivedResponse:
    """The archived response of ``capture`` (a revisit's payload comes from its original)."""
    rec_headers, http, payload = _load(Path(folder), capture.warc_file, capture.offset, capture.capture_id)
    payload_from = None
    encoding = http.get_header("Content-Encoding") if http is not None else None
    if rec_headers.get_header("WARC-Type") == "revisit":
        ref = rec_headers.get_header("WARC-Refers-To")
        if not ref:
            raise ArchiveError(f"revisit {capture.capture_id} names no original")
        _, orig_http, payload = _load_original(Path(folder), rec_headers, ref)
        payload_from = ref
        encoding = orig_http.get_header("Content-Encoding")
        if http is None or not http.statusline:  # a 304 kept without headers: the page it confirms
            http = orig_http
    if "chunked" in (http.get_header("Transfer-Encoding") or "").lower():
        payload = _dechunk(payload)  # a foreign WARC that kept the wire bytes
    body, error = _decode(payload, encoding, max_body)
    status = http.get_statuscode()
    return ArchivedResponse(
        capture=capture,
        url=target_uri(rec_headers.get_header("WARC-Target-URI")),
        fetched_at=rec_headers.get_header("WARC-Date"),
        status=int(status) if str(status).isdigit() else 0,
        reason=http.statusline.split(" ", 1)[1] if " " in http.statusline else "",
        http_version=http.protocol,
        headers=tuple(http.headers),
        payload=payload,
        body=body,
        truncated=rec_headers.get_header("WARC-Truncated") is not None,
        payload_from=payload_from,
        decode_error=error,
    )


def _load(folder: Path, warc_file: str, offset: int, record_id: str | None) -> tuple[Any, Any, bytes]:
    """(WARC headers, HTTP headers, raw payload) of the record at ``offset``, digests checked."""
    path = folder / warc_file
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            rec = next(iter(ArchiveIterator(fh, check_digests=True)), None)
            empty_revisit = rec is not None and rec.rec_type == "revisit" and not rec.length
            if rec is None or (rec.http_headers is None and not empty_revisit):
                raise ArchiveError(f"{warc_file}: no HTTP record at offset {offset}")
            rid = rec.rec_headers.get_header("WARC-Record-ID")
            if record_id is not None and rid != record_id:
                raise ArchiveError(f"{warc_file}: record at offset {offset} is {rid}, not {record_id}")
            payload = rec.raw_stream.read()
            if rec.digest_checker.passed is False:
                raise ArchiveError(f"{warc_file} at {offset}: {'; '.join(rec.digest_checker.problems)}")
            return rec.rec_headers, rec.http_headers, payload
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
        why = "not the start of a WARC record" if isinstance(exc, ArchiveLoadFailed) else str(exc)
        raise ArchiveError(f"{warc_file} at {offset}: unreadable ({why})") from None


def _load_original(folder: Path, rev_headers: Any, ref: str) -> tuple[Any, Any, bytes]:
    name = rev_headers.get_header(REFERS_TO_FILENAME)
    off = rev_headers.get_header(REFERS_TO_OFFSET)
    if name and off and off.isdigit() and (folder / name).is_file():
        try:
            return _load(folder, name, int(off), ref)
        except ArchiveError:
            pass  # fall back to a scan
    for path, fname in _files(folder):
        for rec in iter_records(path):
            if rec.problem:
                break
            if rec.header("WARC-Record-ID") == ref:
                return _load(folder, fname, rec.offset, ref)
    raise ArchiveError(f"original record {ref} is not in {folder}")


def decode_payload(
    payload: bytes, headers: Iterable[tuple[str, str]], *, max_body: int = 64 * 1024 * 1024
) -> tuple[bytes, str | None]:
    """The body of an archived payload: de-chunked when the record kept ``Transfer-Encoding:
    chunked`` (other tools store the wire bytes), then content-decoded; ``(body, error)``."""
    headers = list(headers)
    if "chunked" in (find_header(headers, "Transfer-Encoding") or "").lower():
        payload = _dechunk(payload)
    return _decode(payload, find_header(headers, "Content-Encoding"), max_body)


def _dechunk(data: bytes) -> bytes:
    """HTTP/1.1 chunked transfer coding undone; a malformed stream is kept as it is."""
    out, pos = bytearray(), 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return data
        try:
            size = int(data[pos:eol].split(b";", 1)[0].strip() or b"x", 16)
        except ValueError:
            return data
        if size == 0:
            return bytes(out)
        out += data[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def _decode(payload: bytes, encoding: str | None, max_body: int) -> tuple[bytes, str | None]:
    """Undo Content-Encoding exactly as the fetcher did (its capped decoder); on failure keep the payload."""
    try:
        decoder = ContentDecoder(encoding)
        body = decoder.feed(payload, max_body)
        body += decoder.flush() if len(body) <= max_body else b""
    except PipelineError as exc:
        return payload, str(exc)
    if len(body) > max_body:
        return body[:max_body], f"decoded body over {max_body} bytes, cut"
    return body, None


# -- verification -------------------------------------------------------------


def _check(rec: WarcRecord, where: str) -> list[str]:
    out = []
    block_digest = rec.header("WARC-Block-Digest")
    if block_digest and not digest_matches(block_digest, rec.block):
        out.append(f"{where}: block digest mismatch")
    pd = rec.header("WARC-Payload-Digest")
    if pd and rec.type in ("response", "request") and not digest_matches(pd, rec.http_split()[1]):
        out.append(f"{where}: payload digest mismatch")
    if rec.type in _CAPTURE_TYPES and not pd:
        out.append(f"{where}: no WARC-Payload-Digest")
    return out


def verify(folder: Path, index: Iterable[Capture] | None = None, paths: Sequence[Path] = ()) -> VerifyReport:
    """Check every member, record and digest; with ``index``, check it against the files too."""
    folder = Path(folder)
    files = [(Path(p), Path(p).name) for p in paths] if paths else _files(folder)
    problems: list[str] = []
    records = 0
    found: dict[tuple[str, int], Capture] = {}
    ids: set[str] = set()
    refs: list[tuple[str, str]] = []
    for path, name in files:
        if not path.is_file():
            problems.append(f"{name}: file missing")
            continue
        for rec in iter_records(path, resync=True):
            where = f"{name} at {rec.offset}"
            if rec.problem:  # the damaged range only: the walk goes on at the next good member
                end = rec.offset + rec.length
                problems.append(f"{where}: {rec.problem} (bytes {rec.offset}-{end} skipped)")
                continue
            records += 1
            problems.extend(_check(rec, where))
            ids.add(str(rec.header("WARC-Record-ID")))
            if rec.type in _CAPTURE_TYPES:
                cap = _capture_of(rec, name)
                found[(name, rec.offset)] = cap
                if cap.refers_to:
                    refs.append((where, cap.refers_to))
    if not paths:
        problems.extend(f"{w}: revisit refers to {r}, not in the archive" for w, r in refs if r not in ids)
    if index is not None:
        problems.extend(_against_index(index, found, {n for p, n in files if p.is_file()}, bool(paths)))
    return VerifyReport(ok=not problems, records=records, problems=problems)


def _against_index(
    index: Iterable[Capture], found: dict[tuple[str, int], Capture], present: set[str], partial: bool
) -> list[str]:
    out: list[str] = []
    matched: set[tuple[str, int]] = set()
    for cap in index:
        key = (cap.warc_file, cap.offset)
        if cap.warc_file not in present:
            if not partial:
                out.append(f"index {cap.capture_id}: file {cap.warc_file} missing")
            continue
        rec = found.get(key)
        if rec is None:
            out.append(f"index {cap.capture_id}: no record at {cap.warc_file} offset {cap.offset}")
            continue
        matched.add(key)
        for what in ("capture_id", "payload_digest", "length", "record_type", "url"):
            if getattr(rec, what) != getattr(cap, what):
                out.append(
                    f"index {cap.capture_id}: {what} {getattr(cap, what)!r} but the record has "
                    f"{getattr(rec, what)!r} ({cap.warc_file} at {cap.offset})"
                )
    for key in sorted(set(found) - matched):
        out.append(f"{key[0]} at {key[1]}: {found[key].record_type} {found[key].capture_id} not indexed")
    return out


# -- CDXJ -----------------------------------------------------------------------


def surt(url: str) -> str:
    """The sort-friendly URL key pywb and cdxj-indexer index by (the ``surt`` package, its defaults):
    ``vn,com,cand)/xa-hoi/bai-i731554``, ``1,0,0,127:8080)/a``."""
    try:
        return str(_surt(url.strip()))
    except Exception:  # the library's own parse errors: keep the line, keyed by the URL itself
        return url.strip().lower()


def _cdxj_line(cap: Capture) -> str:
    ts = re.sub(r"\D", "", cap.fetched_at)[:14].ljust(14, "0")
    mime = (
        "warc/revisit" if cap.record_type == "revisit" else (cap.content_type or "unk").split(";")[0].strip()
    )
    fields = {
        "url": cap.url,
        "mime": mime.lower() or "unk",
        "status": str(cap.status),
        "digest": cap.payload_digest.split(":", 1)[-1],
        "length": str(cap.length),
        "offset": str(cap.offset),
        "filename": cap.warc_file,
    }
    return f"{surt(cap.url)} {ts} {json.dumps(fields)}"


def export_cdxj(
    folder: Path,
    out: TextIO,
    captures: Iterable[Capture] | None = None,
    damaged: list[str] | None = None,
) -> int:
    """Write pywb CDXJ lines (sorted) for the captures (default: read from the files); returns the count.

    Reading the files, a damaged member is skipped and named in ``damaged`` (when given; else it
    raises), and the records after it are indexed.
    """
    found = iter_captures(folder, damaged=damaged) if captures is None else captures
    lines = sorted(_cdxj_line(c) for c in found)
    for line in lines:
        out.write(line + "\n")
    return len(lines)
