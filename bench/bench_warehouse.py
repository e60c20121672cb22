"""Warehouse benchmark: load N figure rows through ``load_articles``, then time the views.

Run: ``.venv/bin/python bench/bench_warehouse.py [--figures 1000000] [--per-article 20]``

Baselines run in the same process, on the same machine state:
- load: the same figure rows appended raw into a bare table (no keys, no checks,
  no articles) — the ratio is what keys, validation and children cost;
- queries: ``SELECT kind, count(*) FROM figures GROUP BY kind`` — the ratio is
  what the latest-version window, the agreement logic and ``lag`` cost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.record import ArticleRecord, Campaign, Figure
from warehouse import db
from warehouse.load import load_articles
from warehouse.queries import campaign_yoy

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

            t = time.perf_counter()
            for k in range(0, len(records), args.batch):
                with db.transaction(con):
                    load_articles(con, [(r, None) for r in records[k : k + args.batch]], run_id="bench")
            load_s = time.perf_counter() - t

            t = time.perf_counter()
            assert load_articles(con, [(r, None) for r in records[: args.batch]], run_id="again") == 0
            reload_s = time.perf_counter() - t

            def q(sql: str) -> Callable[[], object]:
                # materialise every column inside DuckDB: times the query, not the Python conversion
                return lambda: con.execute(f"CREATE OR REPLACE TEMP TABLE _bench AS {sql}")

            base_q = _timed(q("SELECT kind, count(*) FROM figures GROUP BY kind"))
            timings = {
                "latest_articles": _timed(q("SELECT * EXCLUDE (text) FROM latest_articles")),
                "campaign_figures": _timed(q("SELECT * FROM campaign_figures")),
                "campaign_year_summary": _timed(q("SELECT * FROM campaign_year_summary")),
                "campaign_yoy": _timed(q("SELECT * FROM campaign_yoy")),
                "campaign_yoy one key": _timed(
                    q("SELECT * FROM campaign_yoy WHERE campaign_key = 'chien-dich-7'")
                ),
            }
            t = time.perf_counter()
            yoy_rows = campaign_yoy(con, "chien-dich-7")
            yoy_api_s = time.perf_counter() - t
            summary_rows = db.fetch_all(con, "SELECT count(*) FROM campaign_year_summary")[0][0]

    print(f"{n_articles:,} articles, {n_figures:,} figures (built in {build_s:.1f} s)")
    print(f"{'step':<28}{'time':>10}{'rows/s':>14}{'vs baseline':>14}")
    print(f"{'raw appender (baseline)':<28}{raw_s * 1000:>8.0f}ms{n_figures / raw_s:>14,.0f}{1.0:>13.1f}x")
    print(f"{'load_articles':<28}{load_s * 1000:>8.0f}ms{n_figures / load_s:>14,.0f}{load_s / raw_s:>13.1f}x")
    reload_n = args.batch * args.per_article
    print(f"{'reload unchanged batch':<28}{reload_s * 1000:>8.0f}ms{reload_n / reload_s:>14,.0f}{'':>14}")
    print(f"{'GROUP BY kind (baseline)':<28}{base_q * 1000:>8.1f}ms{'':>14}{1.0:>13.1f}x")
    for name, s in timings.items():
        print(f"{name:<28}{s * 1000:>8.1f}ms{'':>14}{s / base_q:>13.1f}x")
    print(f"{'queries.campaign_yoy (API)':<28}{yoy_api_s * 1000:>8.1f}ms{'':>14}{yoy_api_s / base_q:>13.1f}x")
    print(f"campaign_year_summary rows: {summary_rows:,}; campaign_yoy('chien-dich-7'): {len(yoy_rows)} rows")


if __name__ == "__main__":
    main()
