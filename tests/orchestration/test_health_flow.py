"""A nightly that reaches nothing goes red (the session's Prefect test server): the flow run ends
Failed with the reason, the summary and artifact say it, ``campaigns crawl`` exits 1 with one line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from tests.helpers.orchestration import sql
from tests.helpers.sites import write_site_tree

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture()
def restore_env() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture()
def gone(tmp_path: Path) -> dict[str, Any]:
    """A config of the two demo sites, written while they ran; they are gone now (connections refused)."""
    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=2)) as site:
        config = demo_config(site, tmp_path / "data")
    config["crawl"]["fail_after_unreached_runs"] = 2
    conf = tmp_path / "campaigns.toml"
    conf.write_text(to_toml(config), encoding="utf-8")
    return {"config": config, "conf": conf}


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC
        )
    return str(found[0].data)


def test_a_nightly_that_reaches_no_site_ends_failed_and_says_why(gone: dict[str, Any]) -> None:
    from flows.orchestration.flows import nightly_crawl, run_outcome

    settings = load_settings(gone["conf"])
    state = nightly_crawl(settings=settings.to_payload(), return_state=True)
    assert state.is_failed()
    assert state.message.startswith("reached nothing: anninhthudo.vn ")
    assert "cand.com.vn" in state.message and "deferred" in state.message
    summary, failed_because = run_outcome(state)
    assert failed_because == state.message and summary["totals"]["fetched"] == 0
    assert f"**Failed: {state.message}**" in _artifact("crawl-summary")
    recorded = sql(settings.database, "SELECT summary->>'failed_because' FROM extraction_runs")
    assert recorded == [(state.message,)]  # the run was recorded whole before it went red


def test_a_site_down_n_runs_in_a_row_fails_the_nightly(tmp_path: Path) -> None:
    from flows.orchestration.flows import nightly_crawl

    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=2)) as site:
        config = demo_config(site, tmp_path / "data")
        config["crawl"]["fail_after_unreached_runs"] = 2
        with DemoSite(write_site_tree(tmp_path / "other", per_site=1)) as doomed:
            config["sources"][1] = doomed.sources()[1]  # cand.com.vn, served by a site about to go
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(config), encoding="utf-8")
        payload = load_settings(conf).to_payload()
        first = nightly_crawl(settings=payload, return_state=True)
        second = nightly_crawl(settings=payload, return_state=True)
    assert first.is_completed(), first.message  # one bad night of one site: reported, not red
    assert second.is_failed()
    assert second.message == "cand.com.vn reached nothing in 2 runs in a row (2 deferred)"


def test_cli_crawl_of_unreachable_sites_exits_1_with_one_line(
    gone: dict[str, Any], capsys: pytest.CaptureFixture[str], restore_env: None
) -> None:
    from flows.cli.app import main

    with pytest.raises(SystemExit) as ended:
        main(["crawl", "--config", str(gone["conf"])])
    out, err = capsys.readouterr()
    assert ended.value.code == 1
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors == [err.strip().splitlines()[-1]]  # one error line, the last
    assert errors[0].startswith("error: the crawl failed: reached nothing: anninhthudo.vn ")
    assert "Crawl run crawl-" in out  # the summary table still printed
