"""The Prefect flows, run against the session's temporary Prefect server (slow: ~11 s to start).

The demo end to end: the local sites served from the project's fixtures, crawled by the
nightly flow through the real fetcher into WARC and DuckDB, twice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from errors import WarehouseBusyError, WarehouseError
from flows.demo.run import DEMO_CAMPAIGN_KEY, run_demo
from flows.demo.site import DEMO_SITES
from tests.helpers.sites import ROOT, write_site_tree
from warehouse.db import session
from warehouse.queries import campaign_yoy, run_sql

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

_TABLES = ("articles", "figures", "hospitals", "campaigns", "frontier")


@pytest.fixture()
def restore_env() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _fixtures(tmp: Path) -> Path:
    """The project's demo fixtures when present, else a generated tree of the same shape."""
    project = ROOT / "fixtures"
    if all((project / s.name).is_dir() for s in DEMO_SITES):
        return project
    return write_site_tree(tmp / "fixtures", per_site=6)


def _count(database: Path, table: str) -> int:
    with session(database, read_only=True) as con:
        return int(run_sql(con, f"SELECT count(*) FROM {table}")[1][0][0])


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("demo")
    fixtures = _fixtures(tmp)
    data = tmp / "demo-data"
    first = run_demo(data, fixtures=fixtures, say=lambda _msg: None, configure=False)
    counts = {t: _count(first.database, t) for t in _TABLES}
    second = run_demo(data, fixtures=fixtures, say=lambda _msg: None, configure=False)
    return {"first": first, "second": second, "counts": counts, "data": data}


def test_demo_loads_figures_of_three_years_or_more(demo_runs: dict[str, Any]) -> None:
    first = demo_runs["first"]
    totals = first.summary["totals"]
    assert first.summary["sources_failed"] == {}
    assert totals["fetched"] > 0 and totals["figures"] > 0 and totals["irrelevant"] > 0
    with session(first.database, read_only=True) as con:
        rows = campaign_yoy(con, DEMO_CAMPAIGN_KEY)
    years = {r["year"] for r in rows if r["blood_units_achieved"] or r["blood_units_target"]}
    assert len(years) >= 3, rows


def test_demo_writes_warc_files_warcio_can_read(demo_runs: dict[str, Any]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    warcs = sorted(demo_runs["first"].archive.glob("*.warc.gz"))
    assert warcs
    responses = 0
    for warc in warcs:
        with warc.open("rb") as fh:
            responses += sum(1 for r in ArchiveIterator(fh) if r.rec_type in ("response", "revisit"))
    assert responses == _count(demo_runs["first"].database, "captures")


def test_demo_twice_gives_the_same_warehouse(demo_runs: dict[str, Any]) -> None:
    second = demo_runs["second"]
    assert {t: _count(second.database, t) for t in _TABLES} == demo_runs["counts"]
    assert second.summary["totals"]["loaded"] == 0
    assert second.summary["totals"]["new_campaign_years"] == []
    assert (demo_runs["data"] / "campaigns.toml").is_file()


def test_demo_run_summary_is_published_as_artifacts(demo_runs: dict[str, Any]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["crawl-summary", "crawl-sources"]))
        )
    assert {a.key for a in found} == {"crawl-summary", "crawl-sources"}
    runs = {demo_runs[n].summary["run_id"] for n in ("first", "second")}
    # other tests of the session crawl too: one of the summaries is the demo's
    assert any(run in str(a.data) for a in found if a.key == "crawl-summary" for run in runs)


def _crash_discovery_of(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Discovery of source ``name`` raises (a bug): a bad config no longer gets this far, it fails at load."""
    from flows.steps import crawl as steps

    real = steps.discover

    async def discover(source: Any, *args: Any, **kwargs: Any) -> Any:
        if source.name == name:
            raise RuntimeError("listing parser crashed")
        return await real(source, *args, **kwargs)

    monkeypatch.setattr(steps, "discover", discover)


def test_a_broken_source_does_not_stop_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.config import load_settings
    from flows.demo.run import demo_config, to_toml
    from flows.demo.site import DemoSite
    from flows.orchestration.flows import nightly_crawl

    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=2)) as site:
        conf = tmp_path / "c.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        payload = load_settings(conf).to_payload()
        payload["sources"] = [{**payload["sources"][0], "name": "broken"}, payload["sources"][1]]
        _crash_discovery_of(monkeypatch, "broken")
        summary = nightly_crawl(settings=payload)
    assert list(summary["sources_failed"]) == ["broken"]
    assert "RuntimeError: listing parser crashed" in summary["sources_failed"]["broken"]
    assert summary["sources"][1]["error"] is None


def test_reextract_flow_reads_the_archive_back_without_changes(demo_runs: dict[str, Any]) -> None:
    from flows.config import load_settings
    from flows.orchestration.maintenance import reextract_flow

    first = demo_runs["first"]
    result = reextract_flow(settings=load_settings(first.config).to_payload())
    assert result["captures"] >= first.summary["totals"]["articles"]
    assert result["loaded"] == 0  # same extractor version, same pages: nothing new
    assert result["failed"] == 0 and result["errors"] == []


def test_audit_flow_scores_the_fixtures_and_fails_only_below_a_floor(demo_runs: dict[str, Any]) -> None:
    from flows.config import load_settings
    from flows.orchestration.maintenance import audit_flow

    payload = load_settings(demo_runs["first"].config).to_payload()
    state = audit_flow(settings=payload, sample=0, return_state=True)
    if state.is_completed():
        result = state.result()
        assert result["pages"] >= 10 and 0 <= result["metrics"]["figures.f1"] <= 1
        assert result["drift_warnings"] == []  # the archive was extracted by this very version
    else:
        with pytest.raises(Exception, match="below its floor"):
            state.result()


def test_only_transient_errors_are_retried() -> None:
    from prefect import flow, task

    from flows.orchestration.flows import retry_if_transient

    calls = {"busy": 0, "broken": 0}

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_if_transient, persist_result=False)
    def busy_then_fine() -> str:
        calls["busy"] += 1
        if calls["busy"] < 3:
            raise WarehouseBusyError("database is busy")
        return "ok"

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_if_transient, persist_result=False)
    def broken() -> str:
        calls["broken"] += 1
        raise WarehouseError("bad row")

    @flow
    def both() -> tuple[str, bool]:
        state = broken(return_state=True)
        return busy_then_fine(), state.is_failed()

    assert both() == ("ok", True)
    assert calls == {"busy": 3, "broken": 1}


def test_cli_demo_prints_the_year_over_year_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_env: None
) -> None:
    from flows.cli.app import main

    with pytest.raises(SystemExit) as ended:
        main(["demo", "--data-dir", str(tmp_path / "d"), "--fixtures", str(_fixtures(tmp_path))])
    out, err = capsys.readouterr()
    assert ended.value.code == 0, err
    assert "Crawl run" in out and "year over year" in out and "blood" in out
    assert "serving anninhthudo.vn at http://127.0.0.1:" in err  # progress and notes on stderr
    assert out.rstrip().splitlines()[-1].startswith("Next: campaigns compare hanh-trinh-giot-mau-nghia-tinh")


def test_the_crawl_runs_on_a_dask_cluster_too(tmp_path: Path) -> None:
    from flows.config import load_settings
    from flows.demo.run import demo_config, to_toml
    from flows.demo.site import DemoSite
    from flows.orchestration.flows import nightly_crawl

    tree = write_site_tree(tmp_path / "fixtures", per_site=2)
    with DemoSite(tree) as site:
        conf = tmp_path / "c.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        settings = load_settings(conf, task_runner="dask", dask_workers=1)
        summary = nightly_crawl(settings=settings.to_payload(), sources=["cand.com.vn"])
    assert summary["sources_failed"] == {}
    assert summary["totals"]["articles"] == 2 and summary["totals"]["irrelevant"] == 1
    assert _count(settings.database, "articles") == 2


def test_cli_crawl_refresh_asks_again_and_a_failed_source_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli.app import main
    from flows.demo.run import demo_config, to_toml
    from flows.demo.site import DemoSite

    tree = write_site_tree(tmp_path / "fixtures", per_site=2)
    with DemoSite(tree) as site:
        config = demo_config(site, tmp_path / "data")
        conf = tmp_path / "c.toml"
        conf.write_text(to_toml(config), encoding="utf-8")
        for argv in (
            ["crawl", "--config", str(conf)],
            ["crawl", "--config", str(conf), "--refresh", "-s", "anninhthudo.vn"],
        ):
            with pytest.raises(SystemExit) as ended:
                main(argv)
            assert ended.value.code == 0, capsys.readouterr().err
        with session(tmp_path / "data" / "campaigns.duckdb", read_only=True) as con:
            last = run_sql(
                con,
                "SELECT outcome, count(*) FROM fetches WHERE kind = 'article' AND run_id = "
                "(SELECT max(run_id) FROM fetches) GROUP BY outcome",
            )[1]
        assert dict(last) == {"not_modified": 3}  # every known article of the source, asked conditionally
        _crash_discovery_of(monkeypatch, "cand.com.vn")
        with pytest.raises(SystemExit) as ended:
            main(["crawl", "--config", str(conf)])
    out = capsys.readouterr().out
    assert ended.value.code == 1
    assert "source cand.com.vn failed" in out and "anninhthudo.vn" in out
