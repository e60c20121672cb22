"""Reading a large foreign WARC: warcio vs FastWARC vs our own walker, and `campaigns import` itself.

    .venv/bin/python bench/bench_import.py [--records 4000] [--kb 40]

Writes one ``.warc.gz`` (one gzip member per record, request + response per page, like wget
and warcio write them; half the payloads gzip-encoded) in a temporary folder, then, all in
this process, reads every record with its block and payload digests checked:

- warcio ``ArchiveIterator(check_digests=True)`` (the baseline),
- FastWARC ``ArchiveIterator`` with ``verify_block_digest`` / ``verify_payload_digest``,
- ``warehouse.warc.records.iter_records`` + ``digest_matches`` (the careful resyncing walker),
- ``warehouse.warc.scan.scan_warc`` (what import uses: FastWARC, then the walker's end check),

and first checks that each reader finds a flipped payload byte (a reader that cannot is
marked "wrong" and has no speed). Last, the whole ``import_archives`` (copy, sha256, scan,
index, extraction of the HTML pages, load) over the same file: records/s against reading it
with warcio alone.
"""

from __future__ import annotations

import argparse
import gzip
import io
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastwarc.warc import ArchiveIterator as FastIterator  # noqa: E402
from warcio.archiveiterator import ArchiveIterator as WarcioIterator  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from flows.config import load_settings  # noqa: E402
from flows.steps.importing import import_archives  # noqa: E402
from warehouse.warc.records import digest_matches, iter_records  # noqa: E402
from warehouse.warc.scan import scan_warc  # noqa: E402

__all__ = ["main"]

_WORDS = [
    "hiến",
    "máu",
    "tình",
    "nguyện",
    "công",
    "an",
    "thành",
    "phố",
    "đơn",
    "vị",
    "chương",
    "trình",
    "ngày",
    "hội",
    "tiếp",
    "nhận",
]


def _write(path: Path, records: int, kb: int) -> None:
    rng = random.Random(7)
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i in range(records):
            url = f"https://anninhthudo.vn/hien-mau-{i}-post{100000 + i}.antd"
            text = " ".join(rng.choice(_WORDS) for _ in range(kb * 150))
            body = (
                f'<html><head><meta charset="utf-8"><title>Hiến máu {i}</title></head><body><article>'
                f"<h1>Ngày hội hiến máu {i}</h1><p>Đã tiếp nhận {100 + i} đơn vị máu.</p><p>{text}</p>"
                "</article></body></html>"
            ).encode()
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if i % 2:
                body = gzip.compress(body, 5)
                headers.append(("Content-Encoding", "gzip"))
            req = StatusAndHeaders("GET /x HTTP/1.1", [("Host", "anninhthudo.vn")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def _warcio(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for rec in WarcioIterator(fh, check_digests=True):
            rec.raw_stream.read()
            if rec.digest_checker.passed is False:
                raise ValueError("digest mismatch")
            n += 1
    return n


def _fastwarc(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for rec in FastIterator(fh, parse_http=False):
            if not rec.verify_block_digest(consume=False):
                raise ValueError("digest mismatch")
            if rec.headers.get("WARC-Type") == "response":
                rec.parse_http()
                if not rec.verify_payload_digest(consume=False):
                    raise ValueError("digest mismatch")
                rec.reader.read()
            n += 1
    return n


def _walker(path: Path) -> int:
    n = 0
    for rec in iter_records(path, resync=True):
        bd, pd = rec.header("WARC-Block-Digest"), rec.header("WARC-Payload-Digest")
        if (bd and not digest_matches(bd, rec.block)) or (
            pd and rec.type == "response" and not digest_matches(pd, rec.http_split()[1])
        ):
            raise ValueError("digest mismatch")
        n += 1
    return n


def _scan(path: Path) -> int:
    n = 0
    for item in scan_warc(path):
        if item.problem or not item.digests_ok:
            raise ValueError("digest mismatch")
        n += 1
    return n


def _catches_tampering(reader: Callable[[Path], int], path: Path, tmp: Path) -> bool:
    """Does ``reader`` fail on a copy of ``path`` whose first response has one payload byte flipped?"""
    data = path.read_bytes()
    first = next(r for r in iter_records(path) if r.type == "response")
    member = bytearray(gzip.decompress(data[first.offset : first.offset + first.length]))
    member[-10] ^= 0x01  # inside the payload (the record ends with its body, then CRLF CRLF)
    bad = tmp / "tampered.warc.gz"
    bad.write_bytes(data[: first.offset] + gzip.compress(bytes(member)) + data[first.offset + first.length :])
    try:
        reader(bad)
    except ValueError:
        return True
    return False


def _time(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=4000, help="pages (each a request + a response record)")
    ap.add_argument("--kb", type=int, default=40, help="about this many KB of text per page")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        path = tmp / "big.warc.gz"
        _write(path, args.records, args.kb)
        size = path.stat().st_size
        small = tmp / "small.warc.gz"
        _write(small, 3, 2)
        print(
            f"{path.name}: {size / 1e6:.1f} MB, {2 * args.records} records (digests checked by every reader)"
        )
        rows = []
        base = None
        for name, fn in (
            ("warcio (baseline)", _warcio),
            ("fastwarc", _fastwarc),
            ("our walker", _walker),
            ("scan_warc (import)", _scan),
        ):
            ok = _catches_tampering(fn, small, tmp)
            secs, n = _time(lambda fn=fn: fn(path))
            base = base or secs
            rows.append((name, "yes" if ok else "WRONG", n, n / secs, size / secs / 1e6, base / secs))
        conf = tmp / "c.toml"
        conf.write_text(
            f'[storage]\ndatabase = "{tmp / "w.duckdb"}"\narchive = "{tmp / "archive"}"\n'
            '[[sources]]\nname = "anninhthudo.vn"\nstart_urls = ["https://anninhthudo.vn/xa-hoi/"]\n'
            "article_pattern = '-post\\\\d+\\\\.antd$'\n",
            encoding="utf-8",
        )
        settings = load_settings(conf)
        secs, _ = _time(lambda: len(import_archives(settings, [path]).files))
        n = 2 * args.records
        rows.append(("campaigns import (all steps)", "-", n, n / secs, size / secs / 1e6, base / secs))
        shutil.rmtree(tmp / "archive", ignore_errors=True)
    print(
        f"{'reader':<30} {'tamper caught':>13} {'records':>8} {'records/s':>10} {'MB/s':>7} {'speed vs warcio':>16}"
    )
    for name, ok, n, rps, mbs, ratio in rows:
        print(f"{name:<30} {ok:>13} {n:>8} {rps:>10,.0f} {mbs:>7.1f} {ratio:>15.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
