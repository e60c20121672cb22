"""verify (damaged bytes, tampered payloads, index vs files) and the CDXJ export."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
from pathlib import Path

import pytest

from errors import ArchiveError
from tests.helpers.archive import exchange, warcio_check
from warehouse.types import Capture
from warehouse.warc.reader import export_cdxj, read_response, surt, verify
from warehouse.warc.writer import WarcArchive

BODY = "<p>Hiến máu tình nguyện: 1.500 đơn vị</p>".encode()


def _archive(folder: Path, n: int = 4) -> list[Capture]:
    with WarcArchive(folder) as arc:
        return [arc.write(exchange(url=f"http://a.vn/{i}", body=BODY * (i + 1))) for i in range(n)]


def test_clean_archive_verifies_with_its_index(tmp_path: Path) -> None:
    caps = _archive(tmp_path)
    report = verify(tmp_path, caps)
    assert report.ok and report.problems == [] and report.records == 1 + 2 * 4


def test_flipped_byte_in_compressed_member_is_caught(tmp_path: Path) -> None:
    caps = _archive(tmp_path)
    path = tmp_path / caps[1].warc_file
    data = bytearray(path.read_bytes())
    data[caps[1].offset + caps[1].length // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify(tmp_path, caps)
    assert not report.ok
    assert any(f"{caps[1].warc_file} at {caps[1].offset}: bad gzip member" in p for p in report.problems)
    with pytest.raises(ArchiveError):
        read_response(tmp_path, caps[1])


def test_tampered_payload_fails_digests_ours_and_warcio(tmp_path: Path) -> None:
    caps = _archive(tmp_path)
    cap = caps[2]
    path = tmp_path / cap.warc_file
    data = path.read_bytes()
    member = gzip.decompress(data[cap.offset : cap.offset + cap.length])
    tampered = member.replace(b"1.500", b"7.500", 1)
    assert tampered != member
    new = gzip.compress(tampered)
    path.write_bytes(data[: cap.offset] + new + data[cap.offset + cap.length :])
    report = verify(tmp_path)
    where = f"{cap.warc_file} at {cap.offset}"
    assert f"{where}: block digest mismatch" in report.problems
    assert f"{where}: payload digest mismatch" in report.problems
    assert warcio_check(path)[0] == 1
    moved = dataclasses.replace(cap, length=len(new))
    with pytest.raises(ArchiveError, match="digest"):
        read_response(tmp_path, moved)


def test_index_and_files_disagree(tmp_path: Path) -> None:
    caps = _archive(tmp_path)
    name = caps[0].warc_file
    index = [
        caps[0],  # fine
        dataclasses.replace(caps[1], offset=caps[1].offset + 1),  # not where the record is
        dataclasses.replace(caps[2], payload_digest="sha1:" + "A" * 32),  # digest differs
        # caps[3] left out: a record the index does not know
        dataclasses.replace(caps[0], capture_id="<urn:uuid:x>", warc_file="gone.warc.gz"),
    ]
    problems = verify(tmp_path, index).problems
    assert len(problems) == 5, problems
    assert f"index {caps[1].capture_id}: no record at {name} offset {caps[1].offset + 1}" in problems
    assert any(p.startswith(f"index {caps[2].capture_id}: payload_digest") for p in problems)
    assert f"{name} at {caps[1].offset}: response {caps[1].capture_id} not indexed" in problems
    assert f"{name} at {caps[3].offset}: response {caps[3].capture_id} not indexed" in problems
    assert "index <urn:uuid:x>: file gone.warc.gz missing" in problems
    # only the given files: entries of other files are not judged
    assert verify(tmp_path, caps, paths=[tmp_path / name]).ok
    assert verify(tmp_path, paths=[tmp_path / "nope.warc.gz"]).problems == ["nope.warc.gz: file missing"]


def test_revisit_whose_original_is_gone(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, prefix="one") as arc:
        orig = arc.write(exchange(body=BODY))
    with WarcArchive(tmp_path, prefix="two", lookup=lambda u, d: orig) as arc:
        rev = arc.write(exchange(body=BODY))
    assert rev.record_type == "revisit"
    moved = tmp_path / ("renamed-" + orig.warc_file)
    (tmp_path / orig.warc_file).rename(moved)  # the location hint is stale: found by a scan
    assert read_response(tmp_path, rev).payload_from == orig.capture_id
    moved.unlink()
    problems = verify(tmp_path).problems
    assert problems == [
        f"{rev.warc_file} at {rev.offset}: revisit refers to {orig.capture_id}, not in the archive"
    ]
    with pytest.raises(ArchiveError, match="not in"):
        read_response(tmp_path, rev)


_LINE = re.compile(r"^(\S+) (\d{14}) (\{.*\})$")


def test_cdxj_lines_well_formed_and_sorted(tmp_path: Path) -> None:
    urls = ["http://www.b.vn/z", "https://a.vn/x?b=2&a=1", "http://a.vn:8080/", "http://www.b.vn/a"]
    with WarcArchive(tmp_path) as arc:
        caps = [
            arc.write(exchange(url=u, body=BODY + u.encode(), fetched_at=f"2026-11-2{i}T10:00:00Z"))
            for i, u in enumerate(urls)
        ]
        caps.append(arc.write(exchange(url=urls[0], body=BODY + urls[0].encode())))  # revisit
    out = io.StringIO()
    assert export_cdxj(tmp_path, out) == 5
    lines = out.getvalue().splitlines()
    assert lines == sorted(lines) and len(lines) == 5
    by_offset = {c.offset: c for c in caps}
    for line in lines:
        m = _LINE.match(line)
        assert m, line
        fields = json.loads(m.group(3))
        assert set(fields) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
        cap = by_offset[int(fields["offset"])]
        assert m.group(1) == surt(cap.url) and fields["url"] == cap.url
        assert m.group(2) == re.sub(r"\D", "", cap.fetched_at)[:14]
        assert fields["digest"] == cap.payload_digest.removeprefix("sha1:")
        assert (fields["length"], fields["filename"]) == (str(cap.length), cap.warc_file)
        assert fields["status"] == "200"
        assert fields["mime"] == ("warc/revisit" if cap.record_type == "revisit" else "text/html")
    again = io.StringIO()
    export_cdxj(tmp_path, again, captures=reversed(caps))
    assert again.getvalue() == out.getvalue()


def test_surt_keys_are_the_ones_pywb_and_cdxj_indexer_make() -> None:
    assert surt("http://www.example.com/") == "com,example)/"
    assert surt("https://WWW2.Vnexpress.net/Thoi-Su?b=2&a=1#frag") == "net,vnexpress)/thoi-su?a=1&b=2"
    assert surt("http://cand.com.vn:8080/x") == "vn,com,cand:8080)/x"
    assert surt("https://cand.com.vn:443") == "vn,com,cand)/"
    # the two keys the hand-written version got wrong: IPv4 hosts reversed, no trailing slash
    assert surt("http://127.0.0.1:35633/bai/a1.html") == "1,0,0,127:35633)/bai/a1.html"
    assert surt("https://cand.com.vn/xa-hoi/hien-mau-i731554/") == "vn,com,cand)/xa-hoi/hien-mau-i731554"
