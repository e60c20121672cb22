"""The WARC writer: every fetched exchange as request + response (or revisit) records.

One gzip member per record, WARC/1.1, sha1 base32 digests computed over the
payload exactly as stored (de-chunked, still content-encoded). A payload already
archived for the URL becomes an ``identical-payload-digest`` revisit; a ``304 Not
Modified`` becomes a ``server-not-modified`` revisit of the URL's latest full capture
(its block left empty, so replay tools serve the page it confirms, not an empty 304);
a body cut short says which limit cut it (``WARC-Truncated: length|time|disconnect``). One file is open
at a time and rotated once it passes ``max_bytes``; each exchange is flushed and
fsynced before :meth:`WarcArchive.write` returns its :class:`Capture`.

A file being written has a lock-held marker beside it (``<name>.open``); opening an
archive first repairs what a crashed writer left (:mod:`warehouse.warc.recovery`).
"""

from __future__ import annotations

import io
import os
import threading
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from errors import ArchiveError
from warehouse.types import Capture, Exchange
from warehouse.warc.records import (
    NOT_MODIFIED_PROFILE,
    REFERS_TO_FILENAME,
    REFERS_TO_OFFSET,
    find_header,
    fsync_dir,
    iter_records,
    payload_digest,
    target_uri,
    warc_date,
)
from warehouse.warc.recovery import OPEN_MARKER, recover, take_marker

__all__ = [
    "DEFAULT_MAX_BYTES",
    "NOT_MODIFIED_PROFILE",
    "WarcArchive",
]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_SOFTWARE = "campaign-archive/0.1 (warcio)"
_TRUNCATED = frozenset({"length", "time", "disconnect", "unspecified"})


class _Utf8Headers(StatusAndHeaders):
    """HTTP headers written as UTF-8 (warcio would %-encode non-ASCII values), so they read back equal."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_bytes(header_filter, "utf-8")


@dataclass(frozen=True, slots=True)
class _Original:
    """What a revisit needs to know about the full record it points to."""

    record_id: str
    url: str
    date: str
    warc_file: str
    offset: int
    digest: str = ""


class WarcArchive:
    """Append-only WARC writer for one archive folder; use as a context manager.

    Opening runs :func:`recover` on the folder (``recovered`` lists what it
    quarantined). Safe to share between threads; several processes may write to
    one folder at once (each has its own files).
    """

    def __init__(
        self,
        folder: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        prefix: str = "campaigns",
        lookup: Callable[[str, str], Capture | None] | None = None,
        latest: Callable[[str], Capture | None] | None = None,
    ) -> None:
        if max_bytes <= 0:
            raise ArchiveError("max_bytes must be positive")
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.prefix = prefix
        self._lookup = lookup
        self._latest_lookup = latest
        self._seen: dict[tuple[str, str], _Original] = {}
        self._latest: dict[str, _Original] = {}
        self._lock = threading.Lock()
        self._fh: IO[bytes] | None = None
        self._marker: IO[bytes] | None = None
        self._name = ""
        self._serial = 0
        self._closed = False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create archive folder {self.folder}: {exc.strerror}") from None
        self.recovered = recover(self.folder)

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def current_file(self) -> str | None:
        """Name of the WARC file open for writing, if any."""
        return self._name if self._fh is not None else None

    def write(self, exchange: Exchange) -> Capture:
        """Archive one exchange; returns where its response (or revisit) record went."""
        with self._lock:
            if self._closed:
                raise ArchiveError("archive is closed")
            date = warc_date(exchange.fetched_at)
            digest = payload_digest(exchange.payload)
            if exchange.status == 304:
                original = self._find_latest(exchange.url)
            else:
                original = self._find_original(exchange.url, digest) if exchange.payload else None
            fh = self._fh if self._fh is not None else self._open_file()
            start = fh.tell()
            try:
                capture = self._write_exchange(fh, exchange, date, digest, original)
                fh.flush()
                os.fsync(fh.fileno())
            except BaseException as exc:  # a half-written exchange never stays in the file
                self._undo(fh, start)
                if isinstance(exc, OSError):
                    raise ArchiveError(f"cannot write {self._name}: {exc.strerror or exc}") from None
                raise
            if original is None and exchange.payload:
                self._seen[(exchange.url, digest)] = _Original(
                    capture.capture_id, exchange.url, date, capture.warc_file, capture.offset, digest
                )
            if 200 <= exchange.status < 300 and exchange.payload:
                self._latest[exchange.url] = self._seen[(exchange.url, digest)]
            if fh.tell() >= self.max_bytes:
                self._close_file()
            return capture

    def close(self) -> None:
        with self._lock:
            self._close_file()
            self._closed = True

    # -- records ---------------------------------------------------------------

    def _write_exchange(
        self, fh: IO[bytes], ex: Exchange, date: str, digest: str, original: _Original | None
    ) -> Capture:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
        resp_id = _record_id()
        req_headers = {
            "WARC-Type": "request",
            "WARC-Record-ID": _record_id(),
            "WARC-Date": date,
            "WARC-Concurrent-To": resp_id,
        }
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_http = _Utf8Headers(f"{ex.method} {target} {ex.http_version}", _clean(ex.request_headers))
        writer.write_record(
            writer.create_warc_record(ex.url, "request", warc_headers_dict=req_headers, http_headers=req_http)
        )
        resp_headers = {
            "WARC-Type": "response" if original is None else "revisit",
            "WARC-Record-ID": resp_id,
            "WARC-Date": date,
        }
        if ex.remote_ip:
            resp_headers["WARC-IP-Address"] = ex.remote_ip
        http = _Utf8Headers(f"{ex.status} {ex.reason}".rstrip(), _response_headers(ex), ex.http_version)
        if original is None:
            resp_headers["WARC-Payload-Digest"] = digest
            if ex.truncated:
                by = ex.truncated_by if ex.truncated_by in _TRUNCATED else "length"
                resp_headers["WARC-Truncated"] = str(by)
            record = writer.create_warc_record(
                ex.url,
                "response",
                payload=io.BytesIO(ex.payload),
                length=len(ex.payload),
                warc_headers_dict=resp_headers,
                http_headers=http,
            )
        else:
            resp_headers[REFERS_TO_FILENAME] = original.warc_file
            resp_headers[REFERS_TO_OFFSET] = str(original.offset)
            resp_headers["WARC-Refers-To"] = original.record_id
            if ex.status == 304:  # the payload it confirms is the original's
                digest = original.digest
                resp_headers["WARC-Profile"] = NOT_MODIFIED_PROFILE
                resp_headers["WARC-Refers-To-Target-URI"] = original.url
                resp_headers["WARC-Refers-To-Date"] = original.date
                resp_headers["WARC-Payload-Digest"] = digest
                record = writer.create_warc_record(ex.url, "revisit", warc_headers_dict=resp_headers)
            else:
                record = writer.create_revisit_record(
                    ex.url, digest, original.url, original.date, http_headers=http,
                    warc_headers_dict=resp_headers,
                )  # fmt: skip
        offset = fh.tell()
        writer.write_record(record)
        return Capture(
            capture_id=resp_id,
            url=ex.url,
            fetched_at=date,
            status=ex.status,
            content_type=None
            if original and ex.status == 304
            else find_header(ex.response_headers, "content-type"),
            payload_digest=digest,
            warc_file=self._name,
            offset=offset,
            length=fh.tell() - offset,
            record_type="response" if original is None else "revisit",
            refers_to=None if original is None else original.record_id,
        )

    def _find_latest(self, url: str) -> _Original | None:
        """The latest full capture of ``url`` (what a 304 confirms), from this writer or the index."""
        found = self._latest.get(url)
        if found is None and self._latest_lookup is not None:
            cap = self._latest_lookup(url)
            found = self._original_at(cap) if cap is not None else None
            if found is not None:
                self._latest[url] = found
        return found

    def _find_original(self, url: str, digest: str) -> _Original | None:
        found = self._seen.get((url, digest))
        if found is None and self._lookup is not None:
            cap = self._lookup(url, digest)
            if cap is not None and cap.payload_digest == digest:
                found = self._original_at(cap)
            if found is not None:
                self._seen[(url, digest)] = found
        return found

    def _original_at(self, cap: Capture) -> _Original | None:
        """The full record an indexed capture stands for, checked in the file (a revisit is followed)."""
        path = self.folder / cap.warc_file
        if not path.is_file():
            return None
        with closing(iter_records(path, start=cap.offset)) as records:
            rec = next(records, None)
        if rec is None or rec.problem or rec.header("WARC-Record-ID") != cap.capture_id:
            return None
        h = rec.header
        if rec.type == "response":
            return _Original(
                cap.capture_id, rec.url, str(h("WARC-Date")), cap.warc_file, rec.offset,
                str(h("WARC-Payload-Digest") or cap.payload_digest),
            )  # fmt: skip
        offset = h(REFERS_TO_OFFSET) or ""
        if rec.type != "revisit" or not offset.isdigit():
            return None
        return _Original(
            str(h("WARC-Refers-To")),
            target_uri(h("WARC-Refers-To-Target-URI")),
            str(h("WARC-Refers-To-Date")),
            str(h(REFERS_TO_FILENAME)),
            int(offset),
            str(h("WARC-Payload-Digest") or cap.payload_digest),
        )

    # -- files -----------------------------------------------------------------

    def _open_file(self) -> IO[bytes]:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        while True:
            self._serial += 1
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
            if not (self.folder / name).exists():
                break
        try:
            self._marker = take_marker(self.folder, name)
            fh = (self.folder / name).open("xb")
            writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
            info = {"software": _SOFTWARE, "format": "WARC File Format 1.1", "isPartOf": self.prefix}
            writer.write_record(writer.create_warcinfo_record(name, info))
            fh.flush()
            os.fsync(fh.fileno())
            fsync_dir(self.folder)
        except OSError as exc:
            if self._marker is not None:  # unlock: the next open recovers whatever was left
                self._marker.close()
                self._marker = None
            raise ArchiveError(f"cannot open a WARC file in {self.folder}: {exc.strerror or exc}") from None
        self._fh, self._name = fh, name
        return fh

    def _close_file(self) -> None:
        if self._fh is None:
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            (self.folder / (self._name + OPEN_MARKER)).unlink(missing_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot close {self._name}: {exc.strerror or exc}") from None
        finally:
            self._fh = None
            if self._marker is not None:
                self._marker.close()  # releases the lock
                self._marker = None

    def _undo(self, fh: IO[bytes], start: int) -> None:
        """Cut a failed exchange off the file; if even that fails, leave it to recovery."""
        try:
            fh.seek(start)
            fh.truncate(start)
            fh.flush()
            os.fsync(fh.fileno())
        except OSError:
            self._fh = None
            fh.close()


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _clean(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """Header lines that cannot break the record (no CR/LF inside a value)."""
    return [(k, " ".join(v.splitlines())) for k, v in headers]


def _response_headers(ex: Exchange) -> list[tuple[str, str]]:
    """The payload is stored de-chunked, so a leftover Transfer-Encoding is kept under another name."""
    return [
        ("X-Archive-Orig-Transfer-Encoding", v) if k.lower() == "transfer-encoding" else (k, v)
        for k, v in _clean(ex.response_headers)
    ]
