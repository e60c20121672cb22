"""The orchestration under Prefect (the session's test server): schedules, weekly verify, parallel re-extraction.

The deployment objects are built with the very code ``campaigns schedule`` serves
(:func:`flows.orchestration.deployments.build_deployments`) and held against ``prefect.yaml``
(tests/orchestration/test_deployments.py registers both on a real server).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from tests.helpers.orchestration import crawl, sql
from tests.helpers.sites import ROOT, write_site_tree
from warehouse.db import session
from warehouse.queries import run_sql

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

_TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("orch-flows")
    tree = write_site_tree(tmp / "fixtures", per_site=4)
    with DemoSite(tree) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        crawl(settings)
    yield {"tmp": tmp, "conf": conf, "settings": settings}


def _schedules(deployment: Any) -> list[tuple[str, str]]:
    return [(s.schedule.cron, s.schedule.timezone) for s in deployment.schedules]


def test_the_served_deployments_schedule_what_the_issue_asks(tmp_path: Path) -> None:
    from flows.orchestration.deployments import DEPLOYMENTS, build_deployments, served_name

    built = {d.name: d for d in build_deployments({}, config=tmp_path / "campaigns.toml")}
    assert set(built) == {served_name(n) for n in DEPLOYMENTS} == {
        "nightly-served", "weekly-served", "weekly-verify-served", "on-demand-served",
    }  # fmt: skip
    nightly, verify = built["nightly-served"], built["weekly-verify-served"]
    assert (nightly.flow_name, _schedules(nightly), nightly.concurrency_limit) == (
        "nightly-crawl", [("0 2 * * *", _TZ)], 1,
    )  # fmt: skip
    assert (verify.flow_name, _schedules(verify)) == ("verify-archive", [("0 4 * * 0", _TZ)])
    weekly, on_demand = built["weekly-served"], built["on-demand-served"]
    assert _schedules(weekly) == [("30 3 * * 1", _TZ)] and weekly.flow_name == "audit"
    assert on_demand.schedules in (None, []) and on_demand.flow_name == "reextract"
    for d in built.values():  # every run re-reads the config file
        assert d.parameters == {"config": str((tmp_path / "campaigns.toml").resolve())}


def test_prefect_yaml_declares_the_same_deployments_under_the_worker_names() -> None:
    from flows.orchestration.deployments import DEPLOYMENTS, build_deployments, served_name
    from flows.orchestration.prefect_env import PROJECT_ENV

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    declared = {d["name"]: d for d in spec["deployments"]}
    built = {d.name: d for d in build_deployments({})}
    assert sorted(declared) == sorted(DEPLOYMENTS)
    for name, d in declared.items():
        served = built[served_name(name)]
        assert d["entrypoint"] == served.entrypoint, name  # a module path: the installed package
        assert "/" not in d["entrypoint"] and ":" not in d["entrypoint"], name
        assert "schedules" in d, f"{name}: without `schedules`, prefect deploy asks on a terminal"
        assert [(s["cron"], s["timezone"]) for s in d["schedules"]] == _schedules(served), name
        assert d.get("concurrency_limit") == served.concurrency_limit, name
        assert "parameters" not in d, f"{name}: the config comes from the worker ($CAMPAIGNS_CONFIG)"
        assert d["work_pool"]["job_variables"]["env"] == PROJECT_ENV, name  # one set of defaults
    assert spec["pull"] == [{"flows.orchestration.deployments.enter_config_folder": {}}]
    assert "{{" not in (ROOT / "prefect.yaml").read_text()  # nothing resolved on the deploying machine


def test_custom_crons_reach_the_deployments_and_bad_ones_are_one_line() -> None:
    from errors import ConfigError
    from flows.orchestration.deployments import build_deployments

    built = {
        d.name: d
        for d in build_deployments({"x": 1}, cron="15 1 * * *", timezone="UTC", verify_cron="0 5 * * 6")
    }
    assert _schedules(built["nightly-served"]) == [("15 1 * * *", "UTC")]
    assert _schedules(built["weekly-verify-served"]) == [("0 5 * * 6", "UTC")]
    assert built["nightly-served"].parameters == {"settings": {"x": 1}}
    with pytest.raises(ConfigError, match=r"the nightly schedule '0 2 \* \*' is not a cron expression"):
        build_deployments({}, cron="0 2 * *")
    with pytest.raises(ConfigError, match=r"the verify schedule '61 4 \* \* 0' is not a cron"):
        build_deployments({}, verify_cron="61 4 * * 0")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        build_deployments({}, timezone="Mars/Olympus")


def test_the_pull_step_enters_the_folder_of_campaigns_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from errors import ConfigError
    from flows.orchestration.deployments import enter_config_folder

    conf = tmp_path / "srv" / "campaigns.toml"
    conf.parent.mkdir()
    conf.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGNS_CONFIG", str(conf))
    assert enter_config_folder() == {"directory": str(conf.parent)}
    monkeypatch.delenv("CAMPAIGNS_CONFIG")
    assert enter_config_folder() == {"directory": str(tmp_path)}
    monkeypatch.setenv("CAMPAIGNS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"CAMPAIGNS_CONFIG=.*nope.toml: no such file"):
        enter_config_folder()


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC
        )
    assert found, key
    return str(found[0].data)


def test_the_verify_flow_passes_on_a_whole_archive_and_fails_on_damage(crawled: dict[str, Any]) -> None:
    from flows.orchestration.maintenance import verify_archive_flow

    settings: Settings = crawled["settings"]
    result = verify_archive_flow(config=str(crawled["conf"]))
    assert result["ok"] and result["indexed"] > 0 and result["problems"] == []
    assert "result: **ok**" in _artifact("archive-verify")

    copy = crawled["tmp"] / "damaged"
    shutil.copytree(settings.archive, copy / "archive")
    shutil.copy(settings.database, copy / "c.duckdb")
    payload = settings.to_payload()
    payload["storage"] = {
        **payload["storage"],
        "archive": str(copy / "archive"),
        "database": str(copy / "c.duckdb"),
    }
    victim = max((copy / "archive").glob("*.warc.gz"), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    state = verify_archive_flow(settings=payload, return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match=r"archive verification: \d+ problems"):
        state.result()
    assert victim.name in _artifact("archive-verify")


def _unloaded_copy(crawled: dict[str, Any], name: str) -> Settings:
    """The crawled warehouse copied, its article records removed (the archive is shared, read-only)."""
    settings: Settings = crawled["settings"]
    db = crawled["tmp"] / name / "c.duckdb"
    db.parent.mkdir()
    shutil.copy(settings.database, db)
    with session(db) as con:
        run_sql(
            con, "DELETE FROM figures; DELETE FROM hospitals; DELETE FROM articles; DELETE FROM campaigns"
        )
    return load_settings(crawled["conf"], storage={"database": db, "archive": settings.archive})


def test_reextract_flow_fans_batches_out_and_matches_the_serial_run(crawled: dict[str, Any]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
        TaskRunFilter,
        TaskRunFilterName,
    )

    from flows.orchestration.maintenance import reextract_flow
    from flows.steps.reextract import reextract

    serial_conf, flow_conf = _unloaded_copy(crawled, "serial"), _unloaded_copy(crawled, "flow")
    serial = reextract(serial_conf)
    state = reextract_flow(settings=flow_conf.to_payload(), batch_size=2, return_state=True)
    result = state.result()
    assert (result["captures"], result["loaded"]) == (serial.captures, serial.loaded) == (10, 8)
    assert result["failed"] == 0 and result["errors"] == []
    counts = (
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM figures), "
        "(SELECT count(*) FROM campaigns), (SELECT list(summary->>'added') FROM extraction_runs "
        "WHERE kind = 'reextract')"
    )
    assert sql(flow_conf.database, counts) == sql(serial_conf.database, counts)
    assert sql(flow_conf.database, counts)[0][1] > 0

    outer = state.state_details.flow_run_id
    assert outer is not None
    with get_client(sync_client=True) as client:
        (inner,) = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[outer]))
        )
        batches = client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="reextract-batch")),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[inner.id])),
        )
    assert len(batches) == 5 and all(
        b.state and b.state.is_completed() for b in batches
    )  # 10 pages, 2 a task


def test_reextract_flow_with_nothing_to_do_completes(crawled: dict[str, Any]) -> None:
    from flows.orchestration.maintenance import reextract_flow

    result = reextract_flow(settings=crawled["settings"].to_payload(), site="nothing.example")
    assert (result["captures"], result["loaded"], result["failed"]) == (0, 0, 0)
    assert "Nothing to re-extract" in _artifact("reextract-report")
