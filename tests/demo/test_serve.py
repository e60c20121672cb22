"""``campaigns demo --serve``: the demo sites come back on the ports of the last demo and stay until
stopped, with a config that crawls them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from flows.config import load_settings
from tests.helpers.prefect_server import BIN, clean_env
from tests.helpers.sites import write_site_tree

pytestmark = pytest.mark.slow  # subprocesses


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path, data: Path, fixtures: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "campaigns"), "demo", "--serve", "--data-dir", str(data), "--fixtures", str(fixtures)],
        cwd=tmp,
        env=clean_env(tmp / "prefect-home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_serving(process: subprocess.Popen[str]) -> list[str]:
    lines: list[str] = []
    assert process.stderr is not None  # what it says goes to standard error, like every progress line
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"ended: {lines} {process.communicate()}")
        lines.append(line.rstrip("\n"))
        if line.startswith("serving until stopped"):
            return lines
    raise AssertionError(f"not serving after 60 s: {lines}")


def test_demo_serve_brings_the_sites_back_on_the_same_ports_until_stopped(tmp_path: Path) -> None:
    fixtures = write_site_tree(tmp_path / "fixtures", per_site=2)
    data = tmp_path / "demo-data"
    data.mkdir()
    with httpx.Client() as probe:
        ports = {name: _free_port() for name in ("anninhthudo.vn", "cand.com.vn")}  # the last demo's
        (data / "demo-ports.json").write_text(json.dumps(ports), encoding="utf-8")

        first = _serve(tmp_path, data, fixtures)
        try:
            said = _wait_serving(first)
            for name, port in ports.items():
                assert f"serving {name} at http://127.0.0.1:{port} (3 articles)" in said
                assert probe.get(f"http://127.0.0.1:{port}/robots.txt").status_code == 200
            settings = load_settings(data / "campaigns.toml")  # the config crawls these very sites
            assert {s.name: s.start_urls[0].split("/")[2] for s in settings.sources} == {
                name: f"127.0.0.1:{port}" for name, port in ports.items()
            }

            second = _serve(tmp_path, data, fixtures)  # the ports are taken: one line, exit 1
            _, err = second.communicate(timeout=60)
            assert second.returncode == 1 and err.count("\n") == 1
            assert err.startswith("error: port ") and "is `campaigns demo --serve` already running?" in err
            assert first.poll() is None
        finally:
            first.send_signal(signal.SIGTERM)
            out, err = first.communicate(timeout=30)
        assert first.returncode == 0 and err.strip().endswith("stopped"), (out, err)
        with pytest.raises(httpx.ConnectError):
            probe.get(f"http://127.0.0.1:{ports['cand.com.vn']}/robots.txt")

        again = _serve(tmp_path, data, fixtures)  # and back on the same ports
        try:
            said = _wait_serving(again)
            assert f"serving cand.com.vn at http://127.0.0.1:{ports['cand.com.vn']} (3 articles)" in said
        finally:
            again.send_signal(signal.SIGINT)  # Ctrl-C
            _, err = again.communicate(timeout=30)
        assert again.returncode == 130 and err.strip() == "interrupted"
