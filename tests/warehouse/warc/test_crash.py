"""A writer killed mid-record, then a clean next open: torn tail quarantined, the rest intact."""

from __future__ import annotations

import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from errors import ArchiveError
from tests.helpers.archive import REPO, exchange, warcio_check
from warehouse.warc.reader import iter_captures, read_response, verify
from warehouse.warc.records import iter_records
from warehouse.warc.recovery import recover
from warehouse.warc.writer import WarcArchive

_PAYLOAD = 8_000_000
_HALF = b"\x1f\x8b\x08\x00 half a member"
_CHILD = f"""
import random, sys
from pathlib import Path
from tests.helpers.archive import exchange
from warehouse.warc.writer import WarcArchive

with WarcArchive(Path(sys.argv[1])) as arc:
    i = 0
    while True:
        body = random.Random(i).randbytes({_PAYLOAD})
        cap = arc.write(exchange(url=f"http://a.vn/{{i}}", body=body))
        print(i, cap.warc_file, cap.offset + cap.length, flush=True)
        i += 1
"""


@pytest.mark.slow
def test_kill_9_during_a_write_then_clean_open(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    try:
        lines = [proc.stdout.readline().split() for _ in range(3)]
        name, end = lines[-1][1], int(lines[-1][2])
        path = tmp_path / name
        deadline = time.monotonic() + 30
        while path.stat().st_size <= end + 65536:  # the 4th exchange is being written
            assert time.monotonic() < deadline, "the writer stopped writing"
            time.sleep(0.001)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    torn_size = path.stat().st_size
    assert (tmp_path / f"{name}.open").exists()
    assert not verify(tmp_path).ok  # the torn tail is visible before recovery
    with pytest.raises(ArchiveError, match="torn"):
        list(iter_captures(tmp_path))

    with WarcArchive(tmp_path) as arc:  # opening recovers
        quarantined = arc.recovered
    assert len(quarantined) == 1 and quarantined[0].parent == tmp_path / "quarantine"
    kept = path.stat().st_size
    assert kept >= end and kept + quarantined[0].stat().st_size == torn_size
    assert not (tmp_path / f"{name}.open").exists()
    caps = list(iter_captures(tmp_path))
    assert len(caps) >= 3 and caps[-1].offset + caps[-1].length == kept
    for i, cap in enumerate(caps):
        assert read_response(tmp_path, cap).body == random.Random(i).randbytes(_PAYLOAD)
    report = verify(tmp_path, caps)
    assert report.ok, report.problems
    assert warcio_check(path)[0] == 0
    assert recover(tmp_path) == []  # nothing left to do


def test_live_writer_is_left_alone_and_all_files_repairs_unmarked(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as live:
        cap = live.write(exchange())
        path = tmp_path / cap.warc_file
        good = path.stat().st_size
        with path.open("ab") as fh:  # as if a write were under way
            fh.write(_HALF)
        with WarcArchive(tmp_path) as other:
            assert other.recovered == []  # the marker is locked by a live writer
        assert path.stat().st_size == good + len(_HALF)
    assert recover(tmp_path) == []  # closed cleanly: no marker, so not looked at
    assert not verify(tmp_path).ok
    (q,) = recover(tmp_path, all_files=True)
    assert q.read_bytes() == _HALF
    assert path.stat().st_size == good and verify(tmp_path, [cap]).ok


def test_request_without_its_response_is_cut_too(tmp_path: Path) -> None:
    with WarcArchive(tmp_path) as arc:
        cap = arc.write(exchange())
    path = tmp_path / cap.warc_file
    data = path.read_bytes()
    caps_before = list(iter_captures(tmp_path))
    req = next(r for r in iter_records(path) if r.type == "request")
    request_member = data[req.offset : req.offset + req.length]
    with path.open("ab") as fh:
        fh.write(request_member)
    marker = tmp_path / f"{cap.warc_file}.open"
    marker.write_bytes(b"12345\n")  # a writer died right after the request record
    with marker.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert recover(tmp_path) == []  # still held
    (q,) = recover(tmp_path)
    assert q.read_bytes() == request_member and path.read_bytes() == data
    assert list(iter_captures(tmp_path)) == caps_before and not marker.exists()


def test_file_with_nothing_complete_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "campaigns-x.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08garbage")
    (tmp_path / "campaigns-x.warc.gz.open").write_bytes(b"")
    (q,) = recover(tmp_path)
    assert not path.exists() and q.read_bytes() == b"\x1f\x8b\x08garbage"
    assert verify(tmp_path).ok and verify(tmp_path).records == 0
