"""Commands over a real crawl of the local demo sites (plain recipe, no Prefect): progress events
from the real steps, re-extraction messages that agree with themselves, Next: hints, exports."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from flows.cli._common import ProgressTracker, progress_logging
from flows.cli.app import main
from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps.progress import PROGRESS_LOGGER
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import write_site_tree


class _Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(dict(record.progress))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("pipeline-cli")
    tree = write_site_tree(tmp / "fixtures", per_site=6)
    logger = logging.getLogger(PROGRESS_LOGGER)
    capture, level = _Events(), logger.level
    with DemoSite(tree) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
        try:
            summary = crawl_all(settings, batch_size=4)
        finally:
            logger.removeHandler(capture)
            logger.setLevel(level)
        yield {"config": conf, "settings": settings, "summary": summary, "events": capture.events}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def test_the_crawl_reports_pages_fetched_of_planned(crawled: dict[str, Any]) -> None:
    events = crawled["events"]
    plans = [e for e in events if e["stage"] == "plan"]
    fetched = [e for e in events if e["stage"] == "fetch"]
    planned = sum(n for e in plans for n in e["hosts"].values())
    assert planned == 14 and len(fetched) >= planned  # 7 articles per site; listings count too
    clock = iter(range(10_000))
    tracker = ProgressTracker(clock=lambda: float(next(clock)))
    statuses = [tracker.update(e) for e in events]
    assert "fetched 0 of 7 pages (127.0.0.1 0/7), about" in statuses[events.index(plans[0])]
    assert statuses[-1] == "fetched 14 of 14 pages (127.0.0.1 14/14)"


def test_the_time_left_comes_from_the_politeness_delay() -> None:
    now = [0.0]
    tracker = ProgressTracker(clock=lambda: now[0])
    tracker.update({"stage": "plan", "hosts": {"a.vn": 100, "b.vn": 40}, "delay": 5.0})
    assert tracker.status() == "fetched 0 of 140 pages (a.vn 0/100, b.vn 0/40), about 8 min left"
    now[0] = 50.0
    for _ in range(10):
        tracker.update({"stage": "fetch", "host": "a.vn"})
    tracker.update({"stage": "fetch", "host": "elsewhere.vn"})  # a listing page: not planned, not counted
    assert tracker.status() == "fetched 10 of 140 pages (a.vn 10/100, b.vn 0/40), about 8 min left"
    tracker.update({"stage": "reextract", "done": 0, "total": 400, "what": "pages"})
    now[0] = 60.0
    assert tracker.update({"stage": "reextract", "done": 100, "total": 400, "what": "pages"}) == (
        "re-extracted 100 of 400 pages, about 30 s left"
    )


def test_progress_shows_on_a_terminal_only(crawled: dict[str, Any]) -> None:
    for terminal in (False, True):
        buf = io.StringIO()
        out = Console(file=buf, force_terminal=terminal, width=120)
        with progress_logging(out) as tracker:
            logging.getLogger("campaigns.pipeline").info("a log line")
            for event in crawled["events"]:
                logging.getLogger(PROGRESS_LOGGER).debug("p", extra={"progress": event})
        assert tracker.status() == "fetched 14 of 14 pages (127.0.0.1 14/14)"
        text = buf.getvalue()
        assert "a log line" in text
        assert ("fetched" in text) is terminal  # the live status line; through a pipe, nothing


def test_reextract_says_what_it_did_in_words_that_agree(
    crawled: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(crawled["config"])
    code, out, err = _run(["reextract", "-c", cfg], capsys)
    assert code == 0, err
    head = out.splitlines()[0]
    articles = crawled["summary"]["totals"]["articles"]
    # the crawl stored these records with this extractor already: nothing new, and it says so
    assert f"0 records new or changed in the warehouse, {articles} identical to what extractor" in head
    assert "first extraction" not in out
    total = next(ln for ln in out.splitlines() if "total" in ln or "127.0.0.1" in ln)
    assert total.split("│")[-4].strip() == "0"  # added: 0, as the headline says
    assert out.rstrip().splitlines()[-1] == f"Next: campaigns campaigns --sort latest --config {cfg}"
    code, out, err = _run(["reextract", "-c", cfg, "--site", "nosuch.vn"], capsys)
    assert code == 1
    assert "no archived article captures of nosuch.vn; nothing to re-extract" in out
    assert "first extraction" not in out + err and "Next:" not in out
    code, out, _ = _run(["reextract", "-c", cfg, "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["loaded"] == 0 and doc["unchanged"] == articles and doc["sites"][0]["added"] == 0


def test_export_reports_progress_and_writes_every_table(
    crawled: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger(PROGRESS_LOGGER)
    capture, level = _Events(), logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        code, out, err = _run(["export", str(tmp_path / "out"), "-c", str(crawled["config"])], capsys)
        assert "parquet files under" in out
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    assert code == 0, err
    assert [(e["done"], e["total"]) for e in capture.events] == [(0, 3), (1, 3), (2, 3)]
    assert "campaign_year_summary" in capture.events[-1]["what"]
