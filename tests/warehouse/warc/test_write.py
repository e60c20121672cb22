"""The WARC writer: round trips, digests (ours and warcio's checker), revisits, rotation."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import random
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from errors import ArchiveError
from tests.helpers.archive import chunked_gzip_server, exchange, warcio_check
from warehouse.types import Capture, Exchange
from warehouse.warc.reader import iter_captures, read_response, verify
from warehouse.warc.records import iter_records
from warehouse.warc.writer import WarcArchive

VI = "<html><body><p>Công an TP Hà Nội tiếp nhận hơn 2.300 đơn vị máu.</p></body></html>".encode()


def _sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def _records(path: Path) -> list[tuple[str, dict[str, str]]]:
    with path.open("rb") as fh:
        return [
            (r.rec_type, dict(r.rec_headers.headers))
            for r in ArchiveIterator(fh)
            if r.raw_stream.read() is not None
        ]


def test_round_trip_headers_payload_body_and_captures(tmp_path: Path) -> None:
    sent = [
        exchange(url="http://a.vn/1", body=VI),
        exchange(url="http://a.vn/2", body=VI + b"2", encoding="gzip"),
        exchange(url="http://a.vn/3", body=VI + b"3", encoding="br"),
        exchange(url="http://a.vn/4", body=VI + b"4", encoding="zstd"),
        exchange(url="http://a.vn/5", body=VI + b"5", encoding="deflate"),
        exchange(
            url="http://a.vn/6?q=hi%E1%BA%BFn",
            body=b"",
            status=404,
            reason="Not Found",
            remote_ip=None,
            extra_headers=(("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Tỉnh", "Hà Nội")),
        ),
    ]
    with WarcArchive(tmp_path) as arc:
        caps = [arc.write(ex) for ex in sent]
    assert [c.record_type for c in caps] == ["response"] * 6
    assert list(iter_captures(tmp_path)) == caps
    for ex, cap in zip(sent, caps, strict=True):
        assert cap.payload_digest == _sha1(ex.payload)
        assert (cap.url, cap.status, cap.fetched_at) == (ex.url, ex.status, "2026-11-25T19:00:00Z")
        got = read_response(tmp_path, cap)
        assert (got.status, got.reason, got.http_version) == (ex.status, ex.reason, "HTTP/1.1")
        assert got.headers == ex.response_headers
        assert got.payload == ex.payload
        assert got.body == ex.body
        assert got.decode_error is None
    recs = _records(tmp_path / caps[0].warc_file)
    assert [t for t, _ in recs] == ["warcinfo"] + ["request", "response"] * 6
    req, resp = recs[1][1], recs[2][1]
    assert req["WARC-Concurrent-To"] == resp["WARC-Record-ID"] == caps[0].capture_id
    assert resp["WARC-IP-Address"] == "127.0.0.1"
    assert "WARC-IP-Address" not in recs[-1][1]
    assert verify(tmp_path, caps).ok
    with (tmp_path / caps[0].warc_file).open("rb") as fh:  # warcio's digest check, every record
        it = ArchiveIterator(fh, check_digests=True)
        passed = [r.raw_stream.read() is not None and r.digest_checker.passed for r in it]
    assert passed == [True] * 13


def test_warcio_checker_accepts_the_files(tmp_path: Path) -> None:
    # (not br: warcio 1.8's checker decodes br payloads and crashes on brotli 1.2, whatever the file)
    with WarcArchive(tmp_path) as arc:
        for i, enc in enumerate((None, "gzip", "zstd", "deflate", None)):
            arc.write(exchange(url=f"http://a.vn/{i}", body=VI + bytes([65 + i]), encoding=enc))
        arc.write(exchange(url="http://a.vn/4", body=VI + b"E"))  # a revisit
    files = sorted(tmp_path.glob("*.warc.gz"))
    code, out = warcio_check(*files)
    assert code == 0, out
    assert out.count("digest pass") == 12 and "not checked (revisit)" in out


def test_chunked_gzip_upstream_stored_dechunked_with_correct_digests(tmp_path: Path) -> None:
    body = VI * 200
    with chunked_gzip_server(body) as url, httpx.Client() as client:
        with client.stream("GET", url) as resp:
            payload = b"".join(resp.iter_raw())  # de-chunked, still gzip
            headers = tuple(resp.headers.multi_items())
        assert ("transfer-encoding", "chunked") in headers
    ex = Exchange(
        url=url,
        method="GET",
        request_headers=(("Host", url.split("/")[2]),),
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=headers,
        payload=payload,
        body=body,
        fetched_at="2026-11-25T19:00:00.250000+00:00",
        remote_ip="127.0.0.1",
    )
    with WarcArchive(tmp_path) as arc:
        cap = arc.write(ex)
    assert cap.fetched_at == "2026-11-25T19:00:00.250000Z"
    assert cap.payload_digest == _sha1(payload)
    got = read_response(tmp_path, cap)
    assert got.payload == payload and got.body == body
    assert got.header("transfer-encoding") is None
    assert got.header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    code, out = warcio_check(tmp_path / cap.warc_file)
    assert code == 0 and "failed" not in out
    with (tmp_path / cap.warc_file).open("rb") as fh:  # warcio's own decoding agrees
        fh.seek(cap.offset)
        rec = next(iter(ArchiveIterator(fh)))
        assert rec.content_stream().read() == body


def test_truncated_payload_marked_and_decoded_as_far_as_it_goes(tmp_path: Path) -> None:
    full = exchange(body=VI * 500, encoding="gzip")
    cut = full.payload[: len(full.payload) // 2]
    ex = exchange(body=VI * 500, encoding="gzip", truncated=True)
    ex = dataclasses.replace(ex, payload=cut, body=b"")
    with WarcArchive(tmp_path) as arc:
        cap = arc.write(ex)
    got = read_response(tmp_path, cap)
    assert got.truncated and got.payload == cut
    assert len(got.body) > 0 and (VI * 500).startswith(got.body)


def test_revisit_within_run_and_across_runs_via_lookup(tmp_path: Path) -> None:
    first, changed = exchange(body=VI, encoding="gzip"), exchange(body=VI + b"!", encoding="gzip")
    with WarcArchive(tmp_path) as arc:
        orig = arc.write(first)
        again = arc.write(exchange(body=VI, encoding="gzip", fetched_at="2026-11-26T19:00:00Z"))
        other = arc.write(changed)
    assert again.record_type == "revisit" and again.refers_to == orig.capture_id
    assert other.record_type == "response"
    assert again.payload_digest == orig.payload_digest and again.length < orig.length

    index: dict[tuple[str, str], Capture] = {(c.url, c.payload_digest): c for c in (orig, again)}
    calls: list[tuple[str, str]] = []

    def lookup(url: str, digest: str) -> Capture | None:
        calls.append((url, digest))
        return index.get((url, digest))

    with WarcArchive(tmp_path, lookup=lookup) as arc:
        later = arc.write(exchange(body=VI, encoding="gzip", fetched_at="2026-12-01T00:00:00Z"))
        assert later.warc_file != orig.warc_file
    assert calls and later.record_type == "revisit" and later.refers_to == orig.capture_id
    rec = dict(_records(tmp_path / later.warc_file)[-1][1])
    assert rec["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert rec["WARC-Refers-To-Target-URI"] == first.url
    assert rec["WARC-Refers-To-Date"] == "2026-11-25T19:00:00Z"
    got = read_response(tmp_path, later)
    assert got.body == VI and got.payload_from == orig.capture_id and got.fetched_at.startswith("2026-12-01")

    index[(first.url, orig.payload_digest)] = again  # the index points at a revisit: follow it
    with WarcArchive(tmp_path, lookup=lookup) as arc:
        assert arc.write(first).refers_to == orig.capture_id
    for wrong in ({"warc_file": "gone.warc.gz"}, {"capture_id": "<urn:uuid:not-there>"}, {"offset": 1}):
        index[(first.url, orig.payload_digest)] = dataclasses.replace(orig, **wrong)
        with WarcArchive(tmp_path, lookup=lookup) as arc:
            assert arc.write(first).record_type == "response"  # original not found as indexed: in full
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert warcio_check(*files)[0] == 0 and verify(tmp_path).ok


def test_rotation_by_size_keeps_exchanges_whole(tmp_path: Path) -> None:
    bodies = [random.Random(i).randbytes(2_000) + VI for i in range(12)]
    with WarcArchive(tmp_path, max_bytes=3_000, prefix="rot") as arc:
        caps = [arc.write(exchange(url=f"http://a.vn/{i}", body=b)) for i, b in enumerate(bodies)]
        assert arc.current_file is None  # rotated right after the last write
    files = sorted(tmp_path.glob("rot-*.warc.gz"))
    assert len(files) == 12 and len({c.warc_file for c in caps}) == 12
    assert not list(tmp_path.glob("*.open"))
    assert [read_response(tmp_path, c).body for c in caps] == bodies
    with WarcArchive(tmp_path, max_bytes=10**6, prefix="big") as arc:
        for i, b in enumerate(bodies):
            arc.write(exchange(url=f"http://b.vn/{i}", body=b))
    assert len(list(tmp_path.glob("big-*.warc.gz"))) == 1
    assert warcio_check(*files)[0] == 0


def test_closed_archive_and_bad_date_are_archive_errors(tmp_path: Path) -> None:
    arc = WarcArchive(tmp_path)
    with pytest.raises(ArchiveError, match="ISO 8601"):
        arc.write(exchange(fetched_at="yesterday"))
    arc.close()
    with pytest.raises(ArchiveError, match="closed"):
        arc.write(exchange())
    assert not list(tmp_path.glob("*.warc.gz"))  # nothing written, no empty file


def test_failed_write_leaves_no_half_exchange(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as arc:
        first = arc.write(exchange(url="http://a.vn/1"))
        size = (tmp_path / first.warc_file).stat().st_size
        bad = dataclasses.replace(exchange(url="http://a.vn/2"), response_headers=(("X-Bad", None),))  # type: ignore[arg-type]
        with pytest.raises(AttributeError):
            arc.write(bad)  # fails after its request record was written
        assert (tmp_path / first.warc_file).stat().st_size == size
        second = arc.write(exchange(url="http://a.vn/3"))
    req = next(iter_records(tmp_path / second.warc_file, start=size))  # right where the failed one began
    assert (req.type, req.header("WARC-Target-URI"), req.header("WARC-Concurrent-To")) == (
        "request",
        "http://a.vn/3",
        second.capture_id,
    )
    assert list(iter_captures(tmp_path)) == [first, second] and verify(tmp_path).ok
