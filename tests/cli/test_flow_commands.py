"""`campaigns crawl` and `campaigns reextract --task-runner` as the user runs them: Prefect flows
against the session's temporary server (slow), the local demo sites over real sockets."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.cli.app import main
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from tests.helpers.sites import write_site_tree

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("flow-cli")
    saved = dict(os.environ)
    with DemoSite(write_site_tree(tmp / "fixtures", per_site=4)) as demo:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(demo, tmp / "data")), encoding="utf-8")
        try:
            yield {"config": conf}
        finally:
            os.environ.clear()
            os.environ.update(saved)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def test_crawl_prints_its_summary_for_programs_and_people(
    site: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(site["config"])
    code, out, err = _run(["crawl", "-c", cfg, "--format", "json"], capsys)
    assert code == 0, err
    summary = json.loads(out)  # standard output holds the document and nothing else
    assert summary["sources_failed"] == {} and summary["totals"]["figures"] > 0
    assert {s["source"] for s in summary["sources"]} == {"anninhthudo.vn", "cand.com.vn"}
    assert "articles found to fetch" in err and "Prefect:" in err  # progress and notes on standard error
    code, out, err = _run(["crawl", "-c", cfg], capsys)  # again: nothing new
    assert code == 0, err
    assert "Crawl run" in out and "New campaign-years: none" in out
    assert out.rstrip().splitlines()[-1] == f"Next: campaigns campaigns --config {cfg}"


def test_reextract_runs_the_prefect_flow_on_a_task_runner(
    site: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(site["config"])
    code, out, err = _run(["crawl", "-c", cfg, "-f", "json"], capsys)
    assert code == 0, err
    code, out, err = _run(["reextract", "-c", cfg, "--task-runner", "thread", "--format", "json"], capsys)
    assert code == 0, err
    assert "Prefect:" in err  # the flow path, not the in-process one
    report = json.loads(out)
    assert report["captures"] > 0 and report["failed"] == 0
    assert report["loaded"] == 0 and report["unchanged"] == sum(s["articles"] for s in report["sites"])
    code, out, err = _run(["reextract", "-c", cfg, "--task-runner", "thread"], capsys)
    assert code == 0 and "identical to what extractor" in out.splitlines()[0]
    assert out.rstrip().splitlines()[-1].startswith("Next: campaigns campaigns --sort latest")
    assert not Path(cfg).with_name("campaigns.duckdb").exists()  # nothing created beside the config
