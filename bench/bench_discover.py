"""What discovery without configuration and the shared per-host gate cost.

    .venv/bin/python bench/bench_discover.py [--repeat 50] [--requests 300]

1. Reading a listing page (article links, unmatched links, announced feeds, the next page
   found by the heuristics of flows.crawler.listings) on the saved real listings of
   ../shared/realpages, against the baseline of parsing the page and walking its links with
   selectolax alone, in this process.
2. The per-host gate: ``--requests`` fetches from one loopback host at delay 0, with the gate
   in memory (the baseline), with the gate file in a state folder (flock + read + write per
   request), and split between two fetchers sharing that folder (as two processes would);
   each way three times, interleaved, the best of each kept.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from flows.config import CrawlSettings, Source  # noqa: E402
from flows.crawler.fetch import Fetcher, FetchRequest  # noqa: E402
from flows.crawler.listings import read_listing  # noqa: E402
from tests.helpers.chaos import ChaosSite, page, send  # noqa: E402

__all__ = ["main"]

_LISTINGS = {
    "dantri__listing_2026.html": "https://dantri.com.vn/kinh-doanh.htm",
    "vnexpress__listing_kinh-doanh_2026.html": "https://vnexpress.net/kinh-doanh",
    "vietnamnet__listing_2026.html": "https://vietnamnet.vn/kinh-doanh",
    "tuoitre__listing_2026.html": "https://tuoitre.vn/kinh-doanh.htm",
    "baochinhphu__listing_2026.html": "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
}


def _ms(fn: object, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat * 1000


def bench_listings(repeat: int) -> None:
    real = ROOT.parent / "shared" / "realpages"
    print(f"{'listing page':<42} {'KB':>5} {'parse ms':>9} {'read ms':>8} {'ratio':>6}  next page found by")
    for name, url in _LISTINGS.items():
        path = real / name
        if not path.is_file():
            print(f"{name:<42} (not present)")
            continue
        html = path.read_text(encoding="utf-8", errors="replace")
        src = Source(name="bench", start_urls=(url,))

        def baseline(html: str = html) -> None:
            for node in LexborHTMLParser(html).css("a[href]"):
                node.attributes.get("href")

        base = _ms(baseline, repeat)
        read = _ms(lambda html=html, url=url, src=src: read_listing(html, url, src, start=url), repeat)
        via = read_listing(html, url, src, start=url).next_via or "(none)"
        print(f"{name:<42} {len(html) // 1024:>5} {base:>9.2f} {read:>8.2f} {read / base:>6.2f}  {via}")


async def _fetch_all(n: int, fetchers: int, state: Path | None) -> float:
    async with ChaosSite(robots="User-agent: *\nAllow: /\n") as site:
        site.routes["/a"] = lambda req, w: send(w, 200, page("bench").encode())
        crawl = CrawlSettings(
            delay_seconds=0.0, allow_hosts=("127.0.0.1",), timeout_seconds=10,
            user_agent="campaign-archive-bench/0.1 (+https://example.invalid/contact)",
        )  # fmt: skip
        pool = [Fetcher(crawl, state) for _ in range(fetchers)]
        try:
            start = time.perf_counter()
            await asyncio.gather(
                *(
                    f.fetch_many(FetchRequest(site.url(f"/a?n={i}")) for i in range(k, n, fetchers))
                    for k, f in enumerate(pool)
                )
            )
            return n / (time.perf_counter() - start)
        finally:
            for f in pool:
                await f.aclose()


def bench_gate(requests: int, rounds: int = 3) -> None:
    """Each way ``rounds`` times, interleaved; the best rate of each (the machine is shared)."""
    ways = {"in memory (baseline)": (1, False), "gate file in a state folder": (1, True),
            "two fetchers sharing the folder": (2, True)}  # fmt: skip
    best = dict.fromkeys(ways, 0.0)
    for _ in range(rounds):
        for name, (fetchers, shared) in ways.items():
            with tempfile.TemporaryDirectory() as folder:
                rate = asyncio.run(_fetch_all(requests, fetchers, Path(folder) if shared else None))
            best[name] = max(best[name], rate)
    base = best["in memory (baseline)"]
    print(f"\n{'per-host gate (delay 0, one host)':<42} {'requests/s':>10} {'vs memory':>10}")
    for name, rate in best.items():
        print(f"{name:<42} {rate:>10.0f} {rate / base:>10.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="reads of each listing page")
    parser.add_argument("--requests", type=int, default=300, help="fetches per gate run")
    args = parser.parse_args(argv)
    bench_listings(args.repeat)
    bench_gate(args.requests)


if __name__ == "__main__":
    main()
