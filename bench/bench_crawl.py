"""Crawl throughput against the politeness ceiling: pages/s over 20 loopback hosts.

    .venv/bin/python bench/bench_crawl.py [--hosts 20] [--pages 20] [--delay 0.1]

A local server answers on 127.0.1.1 … 127.0.1.N (one address per host, all in
``allow_hosts``), with an injected latency before every answer. ``Fetcher.fetch_many``
fetches ``--pages`` articles per host (plus each host's robots.txt). The ceiling a
polite crawler can reach is hosts / delay pages/s (one request per host per delay);
rows give the measured rate as a fraction of that ceiling (target >= 0.9) and as a
ratio to the zero-latency baseline run in this same process; requests/s counts the
robots.txt fetches too (one per host, at the start).
The server runs in its own process (so its arrival times are not delayed by the
crawler's work) and stamps each request when its event loop reads it: a few ms late
when 20 arrive at once, now and then more. The gaps between arrivals at one host are
printed (smallest and 1st percentile); the run fails when the 1st percentile is more
than 5 ms below the delay. (The crawler's own write-to-write gaps are exact: it waits
from the moment the previous request was written to the socket.)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows.config import CrawlSettings  # noqa: E402
from flows.crawler.fetch import Fetcher, FetchRequest  # noqa: E402
from tests.helpers.chaos import ChaosSite, Request, page, send  # noqa: E402

__all__ = ["main"]


def _serve(hosts: tuple[str, ...], pages: int, latency: float, conn: Connection) -> None:
    """The site, in its own process so its arrival times are not delayed by the crawler's work."""

    async def serve() -> None:
        body = page("bench", links=[f"/a/{i}" for i in range(30)]).encode() * 8  # ~10 KB

        async def article(req: Request, w: asyncio.StreamWriter) -> bool:
            return await send(w, 200, body, headers=[("ETag", '"b"')])

        async with ChaosSite(
            hosts=hosts, latency=latency, robots="User-agent: *\nDisallow: /private/\n"
        ) as site:
            for i in range(pages):
                site.routes[f"/a/{i}"] = article
            conn.send(site.ports)
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until told to stop
            conn.send([(hit.local_ip, hit.at) for hit in site.hits])

    asyncio.run(serve())


async def _crawl(ports: dict[str, int], pages: int, delay: float) -> tuple[float, int]:
    hosts = tuple(ports)
    crawl = CrawlSettings(
        delay_seconds=delay,
        allow_hosts=hosts,
        max_hosts_concurrent=len(hosts),
        timeout_seconds=10,
        user_agent="campaign-archive-bench/0.1 (+https://example.invalid/contact)",
    )
    reqs = [FetchRequest(f"http://{h}:{ports[h]}/a/{i}") for i in range(pages) for h in hosts]
    async with Fetcher(crawl) as fetcher:
        start = time.monotonic()
        results = await fetcher.fetch_many(reqs)
        seconds = time.monotonic() - start
    return seconds, sum(r.outcome == "fetched" for r in results)


def _run(
    hosts: tuple[str, ...], pages: int, delay: float, latency: float
) -> tuple[float, list[float], int, int]:
    """(seconds, sorted per-host gaps between request arrivals, pages fetched, requests seen)."""
    ctx = multiprocessing.get_context("spawn")
    mine, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(hosts, pages, latency, theirs), daemon=True)
    server.start()
    try:
        seconds, fetched = asyncio.run(_crawl(mine.recv(), pages, delay))
        mine.send("stop")
        hits: list[tuple[str, float]] = mine.recv()
    finally:
        server.join(timeout=10)
    by_host: dict[str, list[float]] = {}
    for ip, at in hits:
        by_host.setdefault(ip, []).append(at)
    gaps = [b - a for t in by_host.values() for a, b in zip(sorted(t), sorted(t)[1:], strict=False)]
    return seconds, sorted(gaps), fetched, len(hits)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=20, help="articles per host")
    parser.add_argument("--delay", type=float, default=0.1, help="politeness delay (s)")
    args = parser.parse_args(argv)
    hosts = tuple(f"127.0.1.{i}" for i in range(1, args.hosts + 1))
    ceiling = len(hosts) / args.delay
    print(f"{len(hosts)} hosts x {args.pages} pages, delay {args.delay:g} s: ceiling {ceiling:.0f} pages/s")
    print(
        f"{'latency':>8} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'of ceiling':>10} {'vs baseline':>11}"
        f" {'requests/s':>10} {'min gap':>8} {'p1 gap':>7}"
    )
    baseline: float | None = None
    for latency in (0.0, 0.02, 0.05):
        seconds, gaps, fetched, requests = _run(hosts, args.pages, args.delay, latency)
        p1 = gaps[len(gaps) // 100]
        rate = fetched / seconds
        baseline = baseline or rate
        print(
            f"{latency * 1000:>6.0f}ms {fetched:>6} {seconds:>8.2f} {rate:>8.1f} {rate / ceiling:>10.2f} "
            f"{rate / baseline:>11.2f} {requests / seconds:>10.1f} {gaps[0]:>8.3f} {p1:>7.3f}"
        )
        if fetched != len(hosts) * args.pages or p1 < args.delay - 0.005:
            raise SystemExit(f"bench run broke the rules: {fetched} fetched, 1st-percentile gap {p1:.3f} s")


if __name__ == "__main__":
    main()
