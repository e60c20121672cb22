"""``campaigns crawl`` and ``campaigns demo`` as the processes a user starts: which Prefect server they
use, what reaches the terminal, and that nothing of theirs outlives them, even after ``kill -9``.

Each test runs the installed ``campaigns`` in a subprocess with a clean environment (its own
PREFECT_HOME and profiles file, no PREFECT_* from the caller).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import psutil
import pytest

from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from tests.helpers.prefect_server import BIN, clean_env, descendants, still_running
from tests.helpers.sites import write_site_tree

pytestmark = pytest.mark.slow  # subprocesses that import Prefect (2-4 s each), some start a server

_SERVER = "flows.orchestration.temp_server"


@pytest.fixture()
def sites(tmp_path: Path) -> Iterator[tuple[DemoSite, Path]]:
    """The demo sites (six articles each) and a config crawling them slowly into tmp/data."""
    with DemoSite(write_site_tree(tmp_path / "fixtures", per_site=6)) as site:
        config = demo_config(site, tmp_path / "data")
        config["crawl"]["delay_seconds"] = 0.3
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(config), encoding="utf-8")
        yield site, conf


def _campaigns(tmp: Path, *argv: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "campaigns"), *argv],
        cwd=tmp,
        env=clean_env(tmp / "prefect-home", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait(what: str, check: Callable[[], Any], process: subprocess.Popen[str], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process.poll() is not None:
            raise AssertionError(f"ended before {what}: {process.communicate()}")
        time.sleep(0.2)
    raise AssertionError(f"no {what} after {timeout} s")


def _listening_server(pid: int) -> list[psutil.Process]:
    """The temporary Prefect server below ``pid`` once it listens, with everything else below ``pid``."""
    below = descendants(pid)
    for p in below:
        try:
            if _SERVER in " ".join(p.cmdline()) and any(c.status == "LISTEN" for c in p.net_connections()):
                return below
        except psutil.NoSuchProcess:
            continue
    return []


def _kill_9_leaves_nothing(process: subprocess.Popen[str], started: Callable[[], bool]) -> None:
    below = _wait("temporary server", lambda: _listening_server(process.pid), process)
    _wait("the flow running", started, process)
    below = descendants(process.pid)  # everything it started, recorded before it dies
    assert any(_SERVER in " ".join(p.cmdline()) for p in below)
    if "dask" in " ".join(process.args):
        assert any("multiprocessing.spawn" in " ".join(p.cmdline()) for p in below)  # a Dask worker
    process.kill()
    process.wait()
    deadline = time.monotonic() + 20
    while still_running(below) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert still_running(below) == []


def test_kill_9_of_crawl_leaves_no_prefect_server_and_no_dask_worker(
    tmp_path: Path, sites: tuple[DemoSite, Path]
) -> None:
    site, conf = sites
    crawl = _campaigns(
        tmp_path, "crawl", "--config", str(conf), "--task-runner", "dask", "--dask-workers", "1"
    )
    _kill_9_leaves_nothing(crawl, lambda: sum(site.hits("anninhthudo.vn").values()) > 3)


def test_kill_9_of_demo_leaves_no_prefect_server(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    demo = _campaigns(tmp_path, "demo", "--data-dir", str(data))
    _kill_9_leaves_nothing(demo, lambda: (data / "campaigns.duckdb").exists())


def test_a_failed_crawl_says_why_in_one_line_and_prefect_logs_stay_off_the_terminal(
    tmp_path: Path, sites: tuple[DemoSite, Path]
) -> None:
    _, conf = sites
    text = conf.read_text(encoding="utf-8")
    assert "max_retries = 1" in text
    conf.write_text(
        text.replace("max_retries = 1", "max_retries = 0"), encoding="utf-8"
    )  # one wait, no retry
    (tmp_path / "data").mkdir()
    holder = duckdb.connect(str(tmp_path / "data" / "campaigns.duckdb"))  # another writer holds it
    try:
        out, err = _campaigns(tmp_path, "crawl", "--config", str(conf)).communicate(timeout=240)
    finally:
        holder.close()
    lines = [line for line in err.splitlines() if line.strip()]  # progress and errors: standard error
    assert lines[0].startswith("Prefect: temporary local server at http://127.0.0.1:"), err
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors == [lines[-1]] and "busy" in errors[0], err
    for noise in ("Traceback", "Task run", "Flow run", "| ERROR", "| INFO", "Finished in state"):
        assert noise not in out + err, out + err
    assert len(lines) <= 3, err  # the server line, what the crawl did before, the error


@pytest.mark.parametrize("where", ["environment", "profile"])
def test_a_prefect_server_that_does_not_answer_is_one_line(
    tmp_path: Path, where: str, sites: tuple[DemoSite, Path]
) -> None:
    _, conf = sites
    dead = "http://127.0.0.1:9/api"
    home = tmp_path / "prefect-home"
    env: dict[str, str] = {}
    if where == "environment":
        env["PREFECT_API_URL"] = dead
    else:  # what `prefect config set PREFECT_API_URL=...` writes
        home.mkdir()
        (home / "profiles.toml").write_text(
            f'active = "ops"\n\n[profiles.ops]\nPREFECT_API_URL = "{dead}"\n', encoding="utf-8"
        )
    for command in ("crawl", "schedule"):
        out, err = _campaigns(tmp_path, command, "--config", str(conf), **env).communicate(timeout=120)
        assert err.count("\n") == 1, err
        assert err.startswith(f"error: no Prefect server answers at {dead} (set by "), err
        assert ("PREFECT_API_URL" if where == "environment" else "Prefect profile 'ops'") in err
        assert "Traceback" not in out + err


def test_schedule_without_a_server_names_where_prefect_would_listen(
    tmp_path: Path, sites: tuple[DemoSite, Path]
) -> None:
    _, conf = sites
    _out, err = _campaigns(
        tmp_path, "schedule", "--config", str(conf), PREFECT_SERVER_API_PORT="4321"
    ).communicate(timeout=120)
    assert err.count("\n") == 1 and "prefect server start" in err
    assert "http://127.0.0.1:4321/api" in err and ":4200" not in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--cron", "0 2 * *"], "the nightly schedule '0 2 * *' is not a cron expression"),
        (["--audit-cron", "every monday"], "the audit schedule 'every monday' is not a cron expression"),
        (["--timezone", "Asia/Hanoi City"], "unknown time zone 'Asia/Hanoi City'"),
    ],
)
def test_schedule_with_a_bad_cron_is_one_line(
    tmp_path: Path, argv: list[str], needle: str, sites: tuple[DemoSite, Path]
) -> None:
    _, conf = sites
    _out, err = _campaigns(
        tmp_path, "schedule", "--config", str(conf), *argv, PREFECT_API_URL="http://127.0.0.1:9/api"
    ).communicate(timeout=120)
    assert err.count("\n") == 1 and err.startswith(f"error: {needle}"), err


def test_demo_with_a_file_as_its_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    for folder, needle in (
        ("taken", "is a file, not a folder"),
        ("taken/sub", "cannot create the demo folder"),
    ):
        _out, err = _campaigns(tmp_path, "demo", "--data-dir", str(tmp_path / folder)).communicate(timeout=60)
        assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, err
