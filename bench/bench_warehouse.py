"""Warehouse benchmark: load N figure rows through ``load_articles``, then time the views and
the stored summaries the CLI reads.

Run: ``.venv/bin/python bench/bench_warehouse.py [--figures 1000000] [--per-article 20]``

Baselines run in the same process, on the same machine state:
- load: the same figure rows appended raw into a bare table (no keys, no checks,
  no articles) — the ratio is what keys, validation, children and the refresh of the
  stored summaries cost (loaded in batches, summaries refreshed once, as an import does;
  the "nightly batch" line is a crawl's batch: 50 articles of two campaigns, refreshed);
- queries: ``SELECT kind, count(*) FROM figures GROUP BY kind`` — the ratio is
  what the latest-version window, the agreement logic and ``lag`` cost; the live views
  compute it all, the stored tables (``summary_by_year``, ``articles_by_year``) hold it.

The bars of issue 14, checked at the end: ``campaigns compare KEY`` (``queries.campaign_yoy``)
under 100 ms and every campaign's year over year under 300 ms, at 1M figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.record import ArticleRecord, Campaign, Figure
from warehouse import db
from warehouse.load import load_articles, refresh_summaries
from warehouse.queries import campaign_yoy, list_campaigns

__all__ = ["main"]

_KINDS = ("blood_units", "participants", "sites", "registrations", "gifts")
_ROLES = ("target", "achieved", "achieved", "cumulative")
_APPROX = (None, None, None, "more_than", "about")


def _articles(n_articles: int, per_article: int) -> Iterator[ArticleRecord]:
    for i in range(n_articles):
        parts: list[str] = []
        figures: list[Figure] = []
        pos = 0
        for j in range(per_article):
            value = 100 + (i * 7 + j * 13) % 5000
            quote = f"{value} đơn vị"
            sentence = f"Câu {j}: đã tiếp nhận {quote}. "
            start = pos + sentence.index(quote)
            figures.append(
                Figure(
                    value=value,
                    value_max=None,
                    approx=_APPROX[(i + j) % len(_APPROX)],  # type: ignore[arg-type]
                    kind=_KINDS[j % len(_KINDS)],  # type: ignore[arg-type]
                    role=_ROLES[(i + j) % len(_ROLES)],  # type: ignore[arg-type]
                    unit_text="đơn vị",
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                )
            )
            parts.append(sentence)
            pos += len(sentence)
        key = f"chien-dich-{i % 300}"
        year = 2015 + (i // 300) % 11
        yield ArticleRecord(
            url=f"https://bench.vn/{i}.html",
            canonical_url=None,
            site="bench.vn",
            title=f"Bài {i}",
            published=f"{year}-0{1 + i % 9}-1{i % 10}T08:00:00+07:00",
            section=None,
            language="vi",
            text="".join(parts),
            campaign=Campaign(
                name=f"Chiến dịch {i % 300}", key=key, year=year, organizer=f"Công an tỉnh {i % 7}"
            ),
            figures=tuple(figures),
            hospitals=(),
            extractor_version="0.1.0",
        )


def _timed(fn: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5_000, help="articles per load_articles call")
    args = parser.parse_args()
    n_articles = max(1, args.figures // args.per_article)

    t = time.perf_counter()
    records = list(_articles(n_articles, args.per_article))
    build_s = time.perf_counter() - t
    n_figures = sum(len(r.figures) for r in records)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        with db.session(path) as con:
            # baseline: the same rows appended raw into a bare table
            con.execute(
                "CREATE TEMP TABLE raw_figures (article INTEGER, ordinal INTEGER, value DOUBLE, kind VARCHAR)"
            )
            raw_rows = [
                (i, j, float(f.value), f.kind) for i, r in enumerate(records) for j, f in enumerate(r.figures)
            ]
            t = time.perf_counter()
            app = con.appender("temp.raw_figures")
            app.append_rows(raw_rows)
            app.flush()
            raw_s = time.perf_counter() - t

            t = time.perf_counter()  # a bulk load (an import): the summaries refreshed once, at the end
            touched: set[str] = set()
            with db.transaction(con):
                for k in range(0, len(records), args.batch):
                    batch = [(r, None) for r in records[k : k + args.batch]]
                    load_articles(con, batch, run_id="bench", touched=touched)
                refresh_summaries(con, sorted(touched))
            load_s = time.perf_counter() - t

            t = time.perf_counter()
            assert load_articles(con, [(r, None) for r in records[: args.batch]], run_id="again") == 0
            reload_s = time.perf_counter() - t

            # a nightly batch: 50 new articles of two campaigns; the refresh touches those two keys
            nightly = [
                (replace(r, url=r.url.replace(".html", "-nightly.html")), None)
                for r in records[7::300][:25] + records[8::300][:25]
            ]
            t = time.perf_counter()
            with db.transaction(con):
                assert load_articles(con, nightly, run_id="nightly") == len(nightly)
            nightly_s = time.perf_counter() - t

            def q(sql: str) -> Callable[[], object]:
                # materialise every column inside DuckDB: times the query, not the Python conversion
                return lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE _bench AS {sql}")

            base_q = _timed(q("SELECT kind, count(*) FROM figures GROUP BY kind"))
            live = {
                "latest_articles": _timed(q("SELECT * EXCLUDE (text) FROM latest_articles"), 3),
                "campaign_figures": _timed(q("SELECT * FROM campaign_figures"), 3),
                "campaign_year_summary": _timed(q("SELECT * FROM campaign_year_summary"), 3),
            }
            stored = {
                "campaign_yoy one key": _timed(
                    q("SELECT * FROM campaign_yoy WHERE campaign_key = 'chien-dich-7'")
                ),
                "campaign_yoy all": _timed(q("SELECT * FROM campaign_yoy")),
                "compare KEY (campaign_yoy API)": _timed(lambda: campaign_yoy(con, "chien-dich-7")),
                "campaigns (list_campaigns)": _timed(lambda: list_campaigns(con)),
            }
            yoy_rows = campaign_yoy(con, "chien-dich-7")
            summary_rows = db.fetch_all(con, "SELECT count(*) FROM summary_by_year")[0][0]

    print(f"{n_articles:,} articles, {n_figures:,} figures (built in {build_s:.1f} s)")
    print(f"{'step':<28}{'time':>10}{'rows/s':>14}{'vs baseline':>14}")
    print(f"{'raw appender (baseline)':<28}{raw_s * 1000:>8.0f}ms{n_figures / raw_s:>14,.0f}{1.0:>13.1f}x")
    print(f"{'load_articles':<28}{load_s * 1000:>8.0f}ms{n_figures / load_s:>14,.0f}{load_s / raw_s:>13.1f}x")
    reload_n = args.batch * args.per_article
    print(f"{'reload unchanged batch':<28}{reload_s * 1000:>8.0f}ms{reload_n / reload_s:>14,.0f}{'':>14}")
    print(
        f"{'nightly batch (50 articles)':<28}{nightly_s * 1000:>8.0f}ms{len(nightly) * args.per_article / nightly_s:>14,.0f}{'':>14}"
    )
    print(f"{'GROUP BY kind (baseline)':<28}{base_q * 1000:>8.1f}ms{'':>14}{1.0:>13.1f}x")
    for name, sec in live.items():
        print(f"{'view ' + name:<28}{sec * 1000:>8.1f}ms{'':>14}{sec / base_q:>13.1f}x")
    for name, sec in stored.items():
        print(f"{name:<28}{sec * 1000:>8.1f}ms{'':>14}{sec / base_q:>13.1f}x")
    print(f"summary_by_year rows: {summary_rows:,}; campaign_yoy('chien-dich-7'): {len(yoy_rows)} rows")
    one, every = stored["compare KEY (campaign_yoy API)"], stored["campaign_yoy all"]
    print(
        f"bars at {n_figures:,} figures: compare one key {one * 1000:.1f} ms (< 100: {'ok' if one < 0.1 else 'MISSED'}), "
        f"campaign_yoy all {every * 1000:.1f} ms (< 300: {'ok' if every < 0.3 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
