"""Re-extraction of an archive on Prefect task runners: threads vs 1, 2 and 4 local Dask workers.

    .venv/bin/python bench/bench_dask.py [--pages 2000] [--batch 0]

Builds, in a temporary folder, an archive of ``--pages`` article pages (the project's
fixture pages written again and again under distinct URLs with
:class:`warehouse.warc.writer.WarcArchive`, their captures and article fetch rows loaded),
then runs the ``reextract`` flow over a fresh copy of that warehouse once per task
runner: the default ``ThreadPoolTaskRunner`` (the baseline, ``max_workers`` 4) and
local Dask clusters of 1, 2 and 4 worker processes (cluster start included); then 2
workers of a cluster already running and warmed by one run (``dask_address``: the
steady state); and the plain serial :func:`flows.steps.reextract_report.reextract` without Prefect. Prints
pages/s and the ratio to the baseline. Prefect runs on a temporary local server
(started once, ~15 s, not timed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.config import Settings, load_settings  # noqa: E402
from warehouse.types import Capture, Exchange, FetchRow  # noqa: E402

__all__ = ["main"]

_FIXTURES = ROOT / "fixtures"
_HOST = "bench.example.vn"


def _fixture_pages() -> list[tuple[bytes, str]]:
    """(page, its canonical URL) of every fixture page (the URL is rewritten per copy)."""
    out = []
    for html in sorted(_FIXTURES.glob("*/*.html")):
        meta = html.with_suffix(".expected.json")
        url = json.loads(meta.read_text(encoding="utf-8")).get("url", "") if meta.is_file() else ""
        out.append((html.read_bytes(), url))
    if not out:
        raise SystemExit(f"no fixture pages under {_FIXTURES}")
    return out


def _exchange(i: int, page: bytes, url: str) -> Exchange:
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page))))
    return Exchange(
        url=url, method="GET", request_headers=(("Host", _HOST),), status=200, reason="OK",
        http_version="HTTP/1.1", response_headers=headers, payload=page, body=page,
        fetched_at=f"2026-11-25T19:{i // 60 % 60:02d}:{i % 60:02d}Z",
    )  # fmt: skip


def build_archive(settings: Settings, pages: int) -> None:
    """Write ``pages`` article pages to the archive; index them and log them as article fetches."""
    from warehouse.db import session, transaction
    from warehouse.load import load_captures, load_fetches
    from warehouse.warc.writer import WarcArchive

    bases = _fixture_pages()
    captures: list[Capture] = []
    with WarcArchive(settings.archive, max_bytes=settings.storage.warc_max_bytes) as warc:
        for i in range(pages):
            page, canonical = bases[i % len(bases)]
            url = f"https://{_HOST}/tin/{i}-bai-viet.html"
            if canonical:  # each copy its own article (its own natural key)
                page = page.replace(canonical.encode(), url.encode())
            captures.append(warc.write(_exchange(i, page, url)))
    rows = [
        FetchRow(
            c.url,
            c.url,
            200,
            None,
            "fetched",
            "article",
            None,
            c.length,
            c.fetched_at,
            "text/html",
            capture_id=c.capture_id,
            warc_file=c.warc_file,
            warc_offset=c.offset,
            run_id="bench",
        )
        for c in captures
    ]
    with session(settings.database) as con, transaction(con):
        load_captures(con, captures)
        load_fetches(con, rows)


def _settings(base: Path, archive: Path, name: str, **runner: Any) -> Settings:
    db = base / name / "c.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copy(base / "template.duckdb", db)
    return load_settings(None, storage={"database": db, "archive": archive}, sources=[], **runner)


def _timed(label: str, fn: Any, pages: int) -> dict[str, Any]:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return {"runner": label, "seconds": seconds, "pages_s": pages / seconds, "loaded": result}


def _warm_cluster(base: Path, archive: Path, args: argparse.Namespace) -> dict[str, Any]:
    """2 Dask workers already running (``dask_address``) and warmed by one run: the steady state."""
    from distributed import LocalCluster

    from flows.orchestration.maintenance import reextract_flow

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        opts = {"task_runner": "dask", "dask_address": cluster.scheduler_address, "dask_workers": 2}
        warm = _settings(base, archive, "warm-cluster", **opts).to_payload()
        reextract_flow(settings=warm, batch_size=args.batch)  # workers import the extractors
        payload = _settings(base, archive, "warm-run", **opts).to_payload()
        return _timed(
            "dask, 2 workers, running cluster",
            lambda: reextract_flow(settings=payload, batch_size=args.batch)["loaded"],
            args.pages,
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=0, help="pages per task (0: about four tasks per worker)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        base = Path(tmp)
        from flows.orchestration.prefect_env import configure_prefect

        configure_prefect(None, data_dir=base)
        template = load_settings(
            None, storage={"database": base / "template.duckdb", "archive": base / "archive"}, sources=[]
        )
        build_archive(template, args.pages)
        from flows.orchestration.maintenance import reextract_flow
        from flows.steps.reextract import reextract

        print("starting the temporary Prefect server (not timed)...", file=sys.stderr, flush=True)
        warm = _settings(base, template.archive, "warm-up")
        reextract_flow(settings=warm.to_payload(), site="nothing.example")  # server up, nothing read

        runs = [("thread (max_workers=4)", {"task_runner": "thread", "max_workers": 4})]
        runs += [
            (f"dask, {n} worker{'s' * (n > 1)}", {"task_runner": "dask", "dask_workers": n})
            for n in (1, 2, 4)
        ]
        rows = []
        for i, (label, runner) in enumerate(runs):
            conf = _settings(base, template.archive, f"run-{i}", **runner)
            payload = conf.to_payload()
            rows.append(
                _timed(
                    label,
                    lambda p=payload: reextract_flow(settings=p, batch_size=args.batch)["loaded"],
                    args.pages,
                )
            )
        rows.append(_warm_cluster(base, template.archive, args))
        plain = _settings(base, template.archive, "plain")
        rows.append(_timed("plain reextract(), no Prefect", lambda: reextract(plain).loaded, args.pages))

    baseline = rows[0]["pages_s"]
    print(f"\nre-extraction of {args.pages} archived pages (ratio: pages/s vs the thread runner)\n")
    print(f"{'runner':<32} {'seconds':>8} {'pages/s':>8} {'ratio':>6} {'loaded':>7}")
    for r in rows:
        print(
            f"{r['runner']:<32} {r['seconds']:>8.2f} {r['pages_s']:>8.1f} {r['pages_s'] / baseline:>6.2f} {r['loaded']:>7}"
        )


if __name__ == "__main__":
    main()
