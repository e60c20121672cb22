"""Both deployment set-ups on one real ``prefect server start``: a work pool with a worker
(prefect.yaml, ``prefect deploy --all``) and ``campaigns schedule``.

One scenario, in order: the work pool; ``prefect deploy --all`` on a terminal with no input;
``campaigns schedule`` registers its own deployments beside the worker's and is stopped; a
worker started in a folder that is not the project's runs the nightly with the config of
``$CAMPAIGNS_CONFIG`` (relative paths resolved next to it) against the demo sites, then,
the sites gone, a nightly that reaches nothing and ends Failed with the reason; nothing of
the worker's was paused or overwritten.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.orchestration.deployments import DEPLOYMENTS, served_name
from tests.helpers.orchestration import sql
from tests.helpers.prefect_server import BIN, RealServer, real_prefect_server, run_on_a_terminal, stop
from tests.helpers.sites import ROOT, write_site_tree

pytestmark = pytest.mark.slow

_WORKER = {
    "nightly-crawl/nightly": "flows.orchestration.flows.nightly_crawl",
    "audit/weekly": "flows.orchestration.maintenance.audit_flow",
    "verify-archive/weekly-verify": "flows.orchestration.maintenance.verify_archive_flow",
    "reextract/on-demand": "flows.orchestration.maintenance.reextract_flow",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    with real_prefect_server(tmp_path_factory.mktemp("real-server")) as running:
        yield running


def _run(server: RealServer, *argv: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env={**server.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _wait_for(what: str, check: Any, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"no {what} after {timeout} s")


def test_worker_deployments_and_schedule_share_one_server(server: RealServer, tmp_path: Path) -> None:
    made = _run(server, str(BIN / "prefect"), "work-pool", "create", "campaigns", "--type", "process")
    assert made.returncode == 0, made.stdout + made.stderr

    code, output = run_on_a_terminal([str(BIN / "prefect"), "deploy", "--all"], cwd=ROOT, env=server.env)
    assert code == 0, output[-3000:]
    assert "?" not in output.replace("?page", ""), output  # no question was asked
    deployed = server.deployments()
    assert {k: v["entrypoint"] for k, v in deployed.items()} == _WORKER
    nightly_id = deployed["nightly-crawl/nightly"]["id"]

    tree = write_site_tree(tmp_path / "fixtures", per_site=2)
    with DemoSite(tree) as site:
        home = tmp_path / "worker-config"  # holds the config; paths in it are relative to it
        home.mkdir()
        text = to_toml(demo_config(site, home / "data")).replace(str((home / "data").resolve()), "data")
        conf = home / "campaigns.toml"
        conf.write_text(text, encoding="utf-8")

        schedule = subprocess.Popen(
            [str(BIN / "campaigns"), "schedule", "--config", str(conf)],
            cwd=tmp_path,
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = {f"{flow}/{served_name(name)}" for flow, name in (k.split("/") for k in _WORKER)}
        try:
            _wait_for("served deployments", lambda: served <= set(server.deployments()))
            # serving: the runner has polled for runs (Prefect marks what it serves READY)
            _wait_for(
                "served deployments polled",
                lambda: all(server.deployments()[k].get("status") == "READY" for k in served),
                timeout=120,
            )
        finally:
            assert stop(schedule) == 0, schedule.communicate()[0][-3000:]
        after = server.deployments()
        assert set(after) == set(_WORKER) | served
        assert {k: after[k]["paused"] for k in served} == dict.fromkeys(served, True)  # its own, paused
        for name, entrypoint in _WORKER.items():  # the worker's: untouched
            d = after[name]
            assert (d["paused"], d["entrypoint"], d["id"]) == (False, entrypoint, deployed[name]["id"]), name
            assert d["pull_steps"] == [{"flows.orchestration.deployments.enter_config_folder": {}}], name
            assert d["parameters"] == {}, name
        assert [s["schedule"]["cron"] for s in after["nightly-crawl/nightly"]["schedules"]] == ["0 2 * * *"]

        run = server.api("POST", f"/deployments/{nightly_id}/create_flow_run", {})
        elsewhere = tmp_path / "worker-cwd"
        elsewhere.mkdir()
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "campaigns"],
            cwd=elsewhere,
            env={**server.env, "CAMPAIGNS_CONFIG": str(conf)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            done = server.wait_for_run(run["id"])
            # the sites are gone now: the next nightly reaches nothing
            site.close()
            dark = server.wait_for_run(
                server.api("POST", f"/deployments/{nightly_id}/create_flow_run", {})["id"]
            )
        finally:
            stop(worker)
            log.close()
    logs = (tmp_path / "worker.log").read_text(errors="replace")
    assert done["state"]["type"] == "COMPLETED", (done["state"], logs[-4000:])
    assert sql(home / "data" / "campaigns.duckdb", "SELECT count(*) FROM articles")[0][0] == 4
    assert not (elsewhere / "data").exists()  # the run worked next to its config, not in the worker's folder
    assert dark["state"]["type"] == "FAILED", (dark["state"], logs[-4000:])
    assert dark["state"]["message"].startswith("reached nothing: anninhthudo.vn "), dark["state"]
    final = server.deployments()
    assert [k for k in _WORKER if final[k]["paused"]] == []
    assert sorted(DEPLOYMENTS) == sorted(k.split("/")[1] for k in _WORKER)
