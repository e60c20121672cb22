"""What other web-archiving tools read in our WARC files: 304s as revisits, the truncation
reason, target URIs without angle brackets, a damaged member that does not hide the rest."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.helpers.archive import exchange, warcio_check
from warehouse.warc.reader import export_cdxj, iter_captures, read_response, verify
from warehouse.warc.records import NOT_MODIFIED_PROFILE, iter_records
from warehouse.warc.writer import WarcArchive

URL = "http://www.example.vn/xa-hoi"
PAGE = "<html><body><p>Danh sách bài: hiến máu 2.300 đơn vị</p></body></html>".encode()


def _headers(path: Path, offset: int) -> dict[str, str]:
    with path.open("rb") as fh:
        fh.seek(offset)
        rec = next(iter(ArchiveIterator(fh)))
        return dict(rec.rec_headers.headers)


def test_304_is_a_server_not_modified_revisit_of_the_capture_it_confirms(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as arc:
        first = arc.write(exchange(url=URL, body=PAGE, fetched_at="2026-11-24T19:00:00Z"))
    not_modified = dataclasses.replace(
        exchange(url=URL, body=b"", fetched_at="2026-11-25T19:00:00Z"), status=304, reason="Not Modified"
    )
    # a new writer (the next night's crawl) finds the original through the index
    with WarcArchive(tmp_path, latest=lambda url: first if url == URL else None) as arc:
        rev = arc.write(not_modified)
    assert (rev.record_type, rev.status, rev.refers_to) == ("revisit", 304, first.capture_id)
    assert rev.payload_digest == first.payload_digest  # the payload it confirms
    h = _headers(tmp_path / rev.warc_file, rev.offset)
    assert h["WARC-Type"] == "revisit" and h["WARC-Profile"] == NOT_MODIFIED_PROFILE
    assert h["WARC-Refers-To"] == first.capture_id
    assert h["WARC-Refers-To-Target-URI"] == URL and h["WARC-Refers-To-Date"] == "2026-11-24T19:00:00Z"
    assert h["Content-Length"] == "0"  # no 304 headers for a replay tool to serve instead of the page
    # the archive reads it back as the page it confirms, and indexes it as a 304 revisit
    got = read_response(tmp_path, rev)
    assert got.body == PAGE and got.payload_from == first.capture_id and got.status == 200
    again = [c for c in iter_captures(tmp_path) if c.capture_id == rev.capture_id]
    assert again == [rev]
    assert verify(tmp_path, [first, rev]).ok
    assert warcio_check(*sorted(tmp_path.glob("*.warc.gz")))[0] == 0


def test_304_within_one_writer_and_without_any_original(tmp_path: Path) -> None:
    nm = dataclasses.replace(exchange(url=URL, body=b""), status=304, reason="Not Modified")
    with WarcArchive(tmp_path) as arc:
        alone = arc.write(nm)  # nothing to confirm: kept as the response it was
        first = arc.write(exchange(url=URL, body=PAGE))
        rev = arc.write(nm)
    assert (alone.record_type, alone.status) == ("response", 304)
    assert (rev.record_type, rev.refers_to) == ("revisit", first.capture_id)


def test_truncated_says_which_limit_cut_the_body(tmp_path: Path) -> None:
    cut = exchange(url="http://a.vn/slow", body=PAGE[:20], truncated=True)
    with WarcArchive(tmp_path) as arc:
        caps = {
            by: arc.write(dataclasses.replace(cut, url=f"http://a.vn/{by}", truncated_by=by))
            for by in ("time", "length", "disconnect")
        }
        legacy = arc.write(dataclasses.replace(cut, url="http://a.vn/legacy"))  # no reason given
    for by, cap in caps.items():
        assert _headers(tmp_path / cap.warc_file, cap.offset)["WARC-Truncated"] == by
        assert read_response(tmp_path, cap).truncated
    assert _headers(tmp_path / legacy.warc_file, legacy.offset)["WARC-Truncated"] == "length"


def _wget_style_warc(path: Path, url: str, body: bytes) -> None:
    """A WARC/1.0 response whose WARC-Target-URI is written ``<url>``, as wget 1.19+ does."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:11111111-2222-3333-4444-555555555555>\r\n"
        f"WARC-Target-URI: <{url}>\r\nWARC-Date: 2019-06-10T01:00:00Z\r\n"
        "WARC-Payload-Digest: sha1:" + _b32(body) + "\r\n"
        f"Content-Type: application/http;msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    path.write_bytes(gzip.compress(head + http + b"\r\n\r\n"))


def _b32(data: bytes) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_angle_bracketed_target_uris_are_stripped(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8080/hien-mau-post1.antd"
    _wget_style_warc(tmp_path / "wget.warc.gz", url, PAGE)
    (cap,) = iter_captures(tmp_path)
    assert cap.url == url
    assert read_response(tmp_path, cap).url == url
    out = io.StringIO()
    export_cdxj(tmp_path, out)
    key, _, fields = out.getvalue().strip().split(" ", 2)
    assert key == "1,0,0,127:8080)/hien-mau-post1.antd" and json.loads(fields)["url"] == url
    assert verify(tmp_path, [cap]).ok


def _damaged_archive(tmp_path: Path) -> tuple[Path, list, int, int]:
    with WarcArchive(tmp_path) as arc:
        caps = [arc.write(exchange(url=f"http://a.vn/{i}", body=PAGE + bytes([65 + i]))) for i in range(5)]
    path = tmp_path / caps[0].warc_file
    data = bytearray(path.read_bytes())
    bad = caps[1]
    for i in range(bad.offset + 12, bad.offset + bad.length - 10):
        data[i] ^= 0x5A  # the member's deflate stream is garbage; its neighbours are intact
    path.write_bytes(bytes(data))
    return path, caps, bad.offset, bad.offset + bad.length


def test_verify_resynchronises_after_a_corrupt_member(tmp_path: Path) -> None:
    path, caps, start, end = _damaged_archive(tmp_path)
    report = verify(tmp_path, caps)
    damaged = [p for p in report.problems if "bad gzip member" in p]
    assert damaged == [p for p in report.problems if not p.startswith("index")], report.problems
    assert len(damaged) == 1 and damaged[0].startswith(f"{path.name} at {start}: bad gzip member")
    assert f"(bytes {start}-{end} skipped)" in damaged[0]
    # the later records are read and checked: only the damaged capture is missing from the files
    assert [p for p in report.problems if p.startswith("index")] == [
        f"index {caps[1].capture_id}: no record at {path.name} offset {start}"
    ]
    assert report.records == 1 + 2 * 5 - 1
    # the reader stops at the damage (the crash recovery relies on it); with resync it goes on
    assert [r.problem is not None for r in iter_records(path)][-1] is True
    walked = list(iter_records(path, resync=True))
    assert [(r.offset, r.length) for r in walked if r.problem] == [(start, end - start)]
    assert walked[-1].problem is None


def test_export_cdxj_indexes_the_rest_and_names_the_damage(tmp_path: Path) -> None:
    _path, caps, start, _end = _damaged_archive(tmp_path)
    out, damaged = io.StringIO(), []
    assert export_cdxj(tmp_path, out, damaged=damaged) == 4
    offsets = {json.loads(ln.split(" ", 2)[2])["offset"] for ln in out.getvalue().splitlines()}
    assert offsets == {str(c.offset) for c in caps if c.offset != start}
    assert len(damaged) == 1 and f"at {start}: bad gzip member" in damaged[0]


def test_plain_uncompressed_warc_is_read_record_by_record(tmp_path: Path) -> None:
    with WarcArchive(tmp_path / "gz") as arc:
        arc.write(exchange(url="http://a.vn/1", body=PAGE))
    (gz,) = (tmp_path / "gz").glob("*.warc.gz")
    plain = tmp_path / "plain" / "x.warc"
    plain.parent.mkdir()
    plain.write_bytes(gzip.decompress(gz.read_bytes()))
    caps = list(iter_captures(plain.parent))
    assert [c.url for c in caps] == ["http://a.vn/1"]
    assert read_response(plain.parent, caps[0]).body == PAGE
    assert verify(plain.parent, caps).ok
