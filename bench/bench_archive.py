"""Archive write throughput and re-extraction speed, as ratios to a plain-file baseline.

    .venv/bin/python bench/bench_archive.py [--pages 300] [--encoding gzip|identity]

Pages are the real article pages of ``../shared/realpages`` when present (read in
place, made unique per copy so no revisit shortcut applies), else synthetic ones.
Rows: writing the same payloads as plain files (fsync each: the baseline; and
without fsync), through :class:`warehouse.warc.writer.WarcArchive` (one fsync per
exchange); reading them back (plain files vs :func:`read_response`, which also
checks digests and decodes); and extraction pages/s over plain files vs over the
archive. Everything runs in this process, in a temporary folder.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse.types import Capture, Exchange  # noqa: E402
from warehouse.warc.reader import read_response  # noqa: E402
from warehouse.warc.writer import WarcArchive  # noqa: E402

__all__ = ["main"]

_REAL = ROOT.parent / "shared" / "realpages"


def _pages(n: int) -> list[bytes]:
    real = sorted(_REAL.glob("*__article*.html")) if _REAL.is_dir() else []
    bases = [p.read_bytes() for p in real] or [
        (
            "<html><body>"
            + "<p>Hiến máu tình nguyện: 1.200 đơn vị máu được tiếp nhận.</p>" * 1500
            + "</body></html>"
        ).encode()
    ]
    return [bases[i % len(bases)] + f"<!-- copy {i} -->".encode() for i in range(n)]


def _exchange(i: int, body: bytes, encoding: str) -> Exchange:
    payload = gzip.compress(body, 6) if encoding == "gzip" else body
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(payload)))]
    if encoding == "gzip":
        headers.append(("Content-Encoding", "gzip"))
    return Exchange(
        url=f"https://bench.example.vn/tin/{i}.html",
        method="GET",
        request_headers=(("Host", "bench.example.vn"), ("User-Agent", "bench")),
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=tuple(headers),
        payload=payload,
        body=body,
        fetched_at="2026-11-25T19:00:00Z",
        remote_ip="127.0.0.1",
    )


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--encoding", choices=("gzip", "identity"), default="gzip")
    args = ap.parse_args()
    exchanges = [_exchange(i, b, args.encoding) for i, b in enumerate(_pages(args.pages))]
    mb = sum(len(e.payload) for e in exchanges) / 1e6
    n = len(exchanges)
    rows: list[tuple[str, float, str, float]] = []  # name, seconds, rate text, rate

    with tempfile.TemporaryDirectory() as tmp:
        plain, plain_nosync, warc = Path(tmp, "plain"), Path(tmp, "nosync"), Path(tmp, "warc")
        for d in (plain, plain_nosync):
            d.mkdir()

        def write_plain(folder: Path, sync: bool) -> None:
            for i, e in enumerate(exchanges):
                with (folder / f"{i}.bin").open("wb") as fh:
                    fh.write(e.payload)
                    if sync:
                        fh.flush()
                        os.fsync(fh.fileno())

        captures: list[Capture] = []

        def write_warc() -> None:
            with WarcArchive(warc) as arc:
                captures.extend(arc.write(e) for e in exchanges)

        for name, fn in (
            ("plain files, fsync each (baseline)", lambda: write_plain(plain, True)),
            ("plain files, no fsync", lambda: write_plain(plain_nosync, False)),
            ("WarcArchive.write (fsync each exchange)", write_warc),
        ):
            s = _timed(fn)
            rows.append((name, s, f"{mb / s:8.1f} MB/s", mb / s))
        warc_mb = sum(p.stat().st_size for p in warc.glob("*.warc.gz")) / 1e6

        def read_plain() -> list[bytes]:
            out = []
            for i in range(n):
                data = (plain / f"{i}.bin").read_bytes()
                out.append(gzip.decompress(data) if args.encoding == "gzip" else data)
            return out

        read_rows: list[tuple[str, Callable[[], object]]] = [
            ("read plain files + decode (baseline)", read_plain),
            (
                "read_response (digests checked, decoded)",
                lambda: [read_response(warc, c).body for c in captures],
            ),
        ]
        try:
            from extractors.extract import extract_article

            urls = [e.url for e in exchanges]
            read_rows += [
                ("plain files + extract_article", lambda: [extract_article(b, u) for b, u in zip(read_plain(), urls, strict=True)]),
                ("archive + extract_article (re-extraction)", lambda: [extract_article(read_response(warc, c).body, c.url) for c in captures]),
            ]  # fmt: skip
        except ImportError:
            print("extractors.extract not available: extraction rows left out", file=sys.stderr)
        for name, job in read_rows:
            s = _timed(job)
            rows.append((name, s, f"{n / s:8.1f} pages/s", n / s))

    src = "real pages" if _REAL.is_dir() else "synthetic pages"
    print(f"{n} {src}, {mb:.1f} MB of {args.encoding} payload; WARC files {warc_mb:.1f} MB")
    print(f"{'measure':46} {'seconds':>8} {'rate':>16} {'ratio':>7}")
    base_w, base_r = rows[0][3], rows[3][3]
    for i, (name, s, rate, value) in enumerate(rows):
        base = base_w if i < 3 else base_r
        print(f"{name:46} {s:8.3f} {rate:>16} {value / base:7.2f}")
    if len(rows) > 5:
        print(f"re-extraction over the archive vs over plain files: {rows[6][3] / rows[5][3]:.2f}")


if __name__ == "__main__":
    main()
