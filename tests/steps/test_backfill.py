"""``campaigns backfill``: past articles from a monthly sitemap index, fetched once, resumable.

A sitemap server on 127.0.0.1 publishes a sitemap index with one child sitemap per month
(``/sitemap-YYYY-MM.xml``) listing the demo site's articles with their dates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from flows.cli.app import main
from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps import backfill as backfill_step
from flows.steps.backfill import backfill_source, month_of, parse_month, sitemap_entries
from tests.helpers.sites import write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql

SITE = "anninhthudo.vn"


def _sitemaps(site: DemoSite) -> dict[str, bytes]:
    base = site.base_url(SITE)
    by_month: dict[str, list[str]] = {}
    for art in site.articles[SITE]:
        by_month.setdefault(f"{art.published:%Y-%m}", []).append(
            f"<url><loc>{base}{art.path}</loc><lastmod>{art.published.isoformat()}</lastmod></url>"
        )
    pages = {
        f"/sitemap-{m}.xml": (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(urls)
            + "</urlset>"
        ).encode()
        for m, urls in by_month.items()
    }
    index = "".join(f"<sitemap><loc>{{base}}{path}</loc></sitemap>" for path in sorted(pages))
    pages["/sitemap-index.xml"] = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + index
        + "</sitemapindex>"
    ).encode()
    return pages


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    tree = write_site_tree(tmp_path / "fixtures", per_site=5)  # campaign years 2019..2023
    with DemoSite(tree) as site:
        pages = _sitemaps(site)
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = pages.get(self.path)
                if self.path == "/robots.txt" or body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = body.replace(b"{base}", f"http://127.0.0.1:{self.server.server_address[1]}".encode())
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        conf_data = demo_config(site, tmp_path / "data")
        for source in conf_data["sources"]:
            if source["name"] == SITE:
                source["sitemaps"] = [f"http://127.0.0.1:{server.server_address[1]}/sitemap-index.xml"]
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(conf_data), encoding="utf-8")
        try:
            yield {"site": site, "settings": load_settings(conf), "config": conf, "sitemap_hits": hits}
        finally:
            server.shutdown()
            server.server_close()


def _years(settings: Settings) -> list[int]:
    with session(settings.database, read_only=True) as con:
        return sorted(r[0] for r in run_sql(con, "SELECT campaign_year FROM latest_articles")[1])


def test_months_and_sitemap_entries() -> None:
    assert parse_month("2019-06") == date(2019, 6, 1)
    assert month_of("https://x.vn/sitemaps/2019/06.xml") == date(2019, 6, 1)
    assert month_of("https://x.vn/sitemap-news.xml") is None
    xml = b'<urlset><url><loc>https://a.vn/x</loc><news:news xmlns:news="n"><news:publication_date>2020-01-02</news:publication_date></news:news><lastmod>2024-01-01</lastmod></url></urlset>'
    assert sitemap_entries(xml) == ([("https://a.vn/x", "2020-01-02")], [])


@pytest.mark.slow
def test_backfill_fetches_the_months_asked_once_and_marks_its_captures(
    setup: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    settings: Settings = setup["settings"]
    source = next(s for s in settings.sources if s.name == SITE)
    done = backfill_source(settings, source, date(2020, 1, 1), date(2021, 12, 1))
    assert (done.found, done.known, done.fetched) == (2, 0, 2), done
    assert _years(settings) == [2020, 2021]
    assert not any("2019" in h or "2022" in h for h in setup["sitemap_hits"] if h != "/sitemap-index.xml")
    with session(settings.database, read_only=True) as con:
        origins = dict(run_sql(con, "SELECT origin, count(*) FROM capture_origins GROUP BY origin")[1])
    assert set(origins) == {"backfill"}
    # again, wider: the two known articles are not fetched again
    with pytest.raises(SystemExit) as exit_:
        main(["backfill", "--source", SITE, "--since", "2019-01", "--until", "2023-12", "-c", str(setup["config"]),
              "--format", "json"])  # fmt: skip
    assert exit_.value.code == 0
    hits = setup["site"].hits(SITE)
    article_paths = [a.path for a in setup["site"].articles[SITE] if a.published.year <= 2023]
    assert all(hits[p] == 1 for p in article_paths), {p: hits[p] for p in article_paths}
    assert '"known": 2' in capsys.readouterr().out


@pytest.mark.slow
def test_a_stopped_backfill_resumes_where_it_was(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings: Settings = setup["settings"]
    source = next(s for s in settings.sources if s.name == SITE)
    monkeypatch.setattr(backfill_step, "_BATCH", 2)
    real = backfill_step.steps.load_records
    calls = {"n": 0}

    def stop_after_first(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the second batch
        return real(*args, **kw)

    monkeypatch.setattr(backfill_step.steps, "load_records", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        backfill_source(settings, source, date(2019, 1, 1), date(2023, 12, 1))
    monkeypatch.setattr(backfill_step.steps, "load_records", real)
    backfill_source(settings, source, date(2019, 1, 1), date(2023, 12, 1))
    assert _years(settings) == [2019, 2020, 2021, 2022, 2023]
    hits = setup["site"].hits(SITE)
    paths = [a.path for a in setup["site"].articles[SITE] if a.published.year <= 2023]
    # the first batch was stored: never fetched again; the interrupted one is fetched once more
    assert sorted(hits[p] for p in paths) == [1, 1, 1, 2, 2]


def test_bad_months_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--since", "2019-13"], ["--since", "2020-01", "--until", "2019-01"]):
        with pytest.raises(SystemExit) as exit_:
            main(["backfill", "--source", "x", *args])
        err = capsys.readouterr().err
        assert exit_.value.code in (1, 2) and err.startswith("error: ") and "Traceback" not in err
